/**
 * Reads and validates a Render Blueprint (render.yaml) with the `yaml` library's document API, so
 * every problem names its YAML path and line: syntax errors, unknown keys, wrong types, bad enums,
 * missing required fields. Known fields follow Render's Blueprint reference (render.com/docs/blueprint-spec);
 * a field Render added later is reported as unknown rather than silently dropped.
 */
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from "yaml";
import {
  databaseLinkProperties,
  postgresPlans,
  postgresVersions,
  regions,
  servicePlans,
  serviceRuntimes,
} from "../../components/mapping/enums";

/** One problem in the Blueprint, located by YAML path (`services[0].plan`) and 1-based line/column. */
export interface BlueprintProblem {
  path: string;
  line?: number;
  column?: number;
  message: string;
}

/** A Blueprint env var entry (exactly one source, or `fromGroup` alone). */
export interface BlueprintEnvVar {
  key?: string;
  /** A plain value as written in the file (numbers and booleans keep their source text). */
  value?: string;
  generateValue?: boolean;
  sync?: boolean;
  fromDatabase?: { name: string; property: string };
  fromService?: { name: string; type: string; property?: string; envVarKey?: string };
  fromGroup?: string;
  previewValue?: string;
}

/** A Blueprint service entry; only the fields the importer reads are typed, the rest are kept as read. */
export interface BlueprintService {
  type: string;
  name: string;
  runtime?: string;
  env?: string;
  plan?: string;
  region?: string;
  repo?: string;
  branch?: string;
  rootDir?: string;
  buildCommand?: string;
  startCommand?: string;
  preDeployCommand?: string;
  healthCheckPath?: string;
  numInstances?: number;
  autoDeploy?: boolean;
  autoDeployTrigger?: string;
  pullRequestPreviewsEnabled?: boolean;
  previews?: { generation?: string; numInstances?: number; plan?: string };
  envVars?: BlueprintEnvVar[];
  [field: string]: unknown;
}

/** A Blueprint database entry. */
export interface BlueprintDatabase {
  name: string;
  plan?: string;
  postgresMajorVersion?: string;
  region?: string;
  databaseName?: string;
  user?: string;
  ipAllowList?: { source: string; description?: string }[];
  highAvailability?: { enabled: boolean };
  diskSizeGB?: number;
  readReplicas?: { name: string }[];
  [field: string]: unknown;
}

/** Where a resource came from in the file. */
export interface Located<T> {
  /** YAML path, e.g. `services[0]` or `projects[0].environments[1].databases[0]`. */
  path: string;
  value: T;
}

/** A validated Blueprint: every service and database wherever it was declared, plus the raw document. */
export interface Blueprint {
  services: Located<BlueprintService>[];
  databases: Located<BlueprintDatabase>[];
  /** The whole file as plain data (validated). */
  raw: Record<string, unknown>;
  /** Line of each YAML path that was read (keys' lines for map entries). */
  lines: Map<string, number>;
}

/** The outcome of reading a Blueprint: a Blueprint, or problems (never both empty). */
export type ReadResult = { ok: true; blueprint: Blueprint } | { ok: false; problems: BlueprintProblem[] };

type Spec =
  | { kind: "string"; scalars?: boolean; nonEmpty?: boolean }
  | { kind: "int"; min?: number; max?: number }
  | { kind: "bool" }
  | {
      kind: "enum";
      values: readonly string[];
      normalise?: (s: string) => string;
      scalars?: boolean;
      /** How allowed values are shown (e.g. Blueprint's hyphenated plan spelling). */
      display?: (s: string) => string;
    }
  | { kind: "object"; fields: Record<string, Spec>; required?: string[] }
  | { kind: "array"; item: Spec }
  | { kind: "any" };

/** Render's plan spellings: `pro plus`, `pro-plus` and `pro_plus` are the same plan. */
export function normalisePlanSpelling(plan: string): string {
  return plan
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, "_");
}

/** Every service type a Blueprint may declare (`redis` is Render's deprecated alias of `keyvalue`). */
export const blueprintServiceTypes = ["web", "pserv", "worker", "cron", "keyvalue", "redis"] as const;
/** Blueprint runtimes: the API's plus `static` for static sites. */
export const blueprintRuntimes = [...serviceRuntimes, "static"] as const;
const nativeRuntimes = ["node", "python", "elixir", "go", "ruby", "rust"];

function specs() {
  const str: Spec = { kind: "string" };
  const nonEmpty: Spec = { kind: "string", nonEmpty: true };
  const bool: Spec = { kind: "bool" };
  const strList: Spec = { kind: "array", item: str };
  const region: Spec = { kind: "enum", values: regions };
  const ipAllowList: Spec = {
    kind: "array",
    item: { kind: "object", fields: { source: nonEmpty, description: str }, required: ["source"] },
  };
  const registryCreds: Spec = {
    kind: "object",
    fields: { fromRegistryCreds: { kind: "object", fields: { name: nonEmpty }, required: ["name"] } },
    required: ["fromRegistryCreds"],
  };
  const envVar: Spec = {
    kind: "object",
    fields: {
      key: nonEmpty,
      value: { kind: "string", scalars: true },
      generateValue: bool,
      sync: bool,
      previewValue: { kind: "string", scalars: true },
      fromDatabase: {
        kind: "object",
        fields: { name: nonEmpty, property: { kind: "enum", values: databaseLinkProperties } },
        required: ["name", "property"],
      },
      fromService: {
        kind: "object",
        fields: {
          name: nonEmpty,
          type: { kind: "enum", values: blueprintServiceTypes },
          property: { kind: "enum", values: ["host", "port", "hostport", "connectionString"] },
          envVarKey: nonEmpty,
        },
        required: ["name", "type"],
      },
      fromGroup: nonEmpty,
    },
  };
  const service: Spec = {
    kind: "object",
    required: ["type", "name"],
    fields: {
      type: { kind: "enum", values: blueprintServiceTypes },
      name: nonEmpty,
      runtime: { kind: "enum", values: blueprintRuntimes },
      env: { kind: "enum", values: blueprintRuntimes },
      plan: { kind: "enum", values: servicePlans, normalise: normalisePlanSpelling },
      previewPlan: { kind: "enum", values: servicePlans, normalise: normalisePlanSpelling },
      region,
      repo: nonEmpty,
      branch: nonEmpty,
      rootDir: str,
      buildCommand: str,
      startCommand: str,
      preDeployCommand: str,
      schedule: nonEmpty,
      healthCheckPath: str,
      numInstances: { kind: "int", min: 1, max: 100 },
      maxShutdownDelaySeconds: { kind: "int", min: 1, max: 300 },
      autoDeploy: bool,
      autoDeployTrigger: { kind: "enum", values: ["commit", "off", "checksPass"] },
      pullRequestPreviewsEnabled: bool,
      previews: {
        kind: "object",
        fields: {
          generation: { kind: "enum", values: ["off", "manual", "automatic"] },
          numInstances: { kind: "int", min: 1, max: 100 },
          plan: { kind: "enum", values: servicePlans, normalise: normalisePlanSpelling },
        },
      },
      domains: strList,
      scaling: {
        kind: "object",
        required: ["minInstances", "maxInstances"],
        fields: {
          minInstances: { kind: "int", min: 1, max: 100 },
          maxInstances: { kind: "int", min: 1, max: 100 },
          targetMemoryPercent: { kind: "int", min: 1, max: 90 },
          targetCPUPercent: { kind: "int", min: 1, max: 90 },
        },
      },
      disk: {
        kind: "object",
        required: ["name", "mountPath"],
        fields: { name: nonEmpty, mountPath: nonEmpty, sizeGB: { kind: "int", min: 1 } },
      },
      buildFilter: { kind: "object", fields: { paths: strList, ignoredPaths: strList } },
      dockerCommand: str,
      dockerfilePath: str,
      dockerContext: str,
      registryCredential: registryCreds,
      image: { kind: "object", required: ["url"], fields: { url: nonEmpty, creds: registryCreds } },
      staticPublishPath: nonEmpty,
      headers: {
        kind: "array",
        item: {
          kind: "object",
          required: ["path", "name", "value"],
          fields: { path: nonEmpty, name: nonEmpty, value: { kind: "string", scalars: true } },
        },
      },
      routes: {
        kind: "array",
        item: {
          kind: "object",
          required: ["type", "source", "destination"],
          fields: {
            type: { kind: "enum", values: ["redirect", "rewrite"] },
            source: nonEmpty,
            destination: nonEmpty,
          },
        },
      },
      ipAllowList,
      maxmemoryPolicy: {
        kind: "enum",
        values: [
          "allkeys-lru",
          "volatile-lru",
          "allkeys-random",
          "volatile-random",
          "volatile-ttl",
          "noeviction",
        ],
      },
      envVars: { kind: "array", item: envVar },
    },
  };
  const dbPlan: Spec = {
    kind: "enum",
    values: postgresPlans,
    normalise: normalisePlanSpelling,
    display: (p) => p.replace(/_/g, "-"),
  };
  const database: Spec = {
    kind: "object",
    required: ["name"],
    fields: {
      name: nonEmpty,
      plan: dbPlan,
      previewPlan: dbPlan,
      postgresMajorVersion: { kind: "enum", values: postgresVersions, scalars: true },
      region,
      databaseName: nonEmpty,
      user: nonEmpty,
      ipAllowList,
      highAvailability: { kind: "object", fields: { enabled: bool }, required: ["enabled"] },
      diskSizeGB: { kind: "int", min: 1 },
      previewDiskSizeGB: { kind: "int", min: 1 },
      storageAutoscalingEnabled: bool,
      readReplicas: {
        kind: "array",
        item: { kind: "object", fields: { name: nonEmpty }, required: ["name"] },
      },
    },
  };
  const envVarGroup: Spec = {
    kind: "object",
    required: ["name"],
    fields: { name: nonEmpty, envVars: { kind: "array", item: envVar } },
  };
  const resources = {
    services: { kind: "array", item: service } as Spec,
    databases: { kind: "array", item: database } as Spec,
    envVarGroups: { kind: "array", item: envVarGroup } as Spec,
  };
  const enabledDisabled: Spec = { kind: "enum", values: ["enabled", "disabled"] };
  const root: Spec = {
    kind: "object",
    fields: {
      ...resources,
      projects: {
        kind: "array",
        item: {
          kind: "object",
          required: ["name", "environments"],
          fields: {
            name: nonEmpty,
            environments: {
              kind: "array",
              item: {
                kind: "object",
                required: ["name"],
                fields: {
                  name: nonEmpty,
                  ...resources,
                  networking: { kind: "object", fields: { isolation: enabledDisabled } },
                  permissions: { kind: "object", fields: { protection: enabledDisabled } },
                },
              },
            },
          },
        },
      },
      ungrouped: { kind: "object", fields: resources },
      previews: {
        kind: "object",
        fields: {
          generation: { kind: "enum", values: ["off", "manual", "automatic"] },
          expireAfterDays: { kind: "int", min: 1 },
        },
      },
      previewsEnabled: bool,
      previewsExpireAfterDays: { kind: "int", min: 1 },
    },
  };
  return { root };
}

function describe(node: Node | null): string {
  if (node === null) return "nothing";
  if (isMap(node)) return "a map";
  if (isSeq(node)) return "a list";
  if (isScalar(node)) {
    const v = node.value;
    if (v === null) return "null";
    if (typeof v === "string") return `the string ${JSON.stringify(v)}`;
    return `${typeof v} ${String(node.source ?? v)}`;
  }
  return "an unknown node";
}

/** The known key nearest to a typo (edit distance at most 2, case-insensitive), if any. */
function closest(name: string, known: string[]): string | undefined {
  const distance = (a: string, b: string): number => {
    const row = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
      let prev = row[0];
      row[0] = i;
      for (let j = 1; j <= b.length; j++) {
        const next = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
        prev = row[j];
        row[j] = next;
      }
    }
    return row[b.length];
  };
  let best: { key: string; d: number } | undefined;
  for (const key of known) {
    const d = distance(name.toLowerCase(), key.toLowerCase());
    if (d <= 2 && (!best || d < best.d)) best = { key, d };
  }
  return best?.key;
}

const hint = (guess: string | undefined) => (guess ? ` (did you mean ${JSON.stringify(guess)}?)` : "");

class Walker {
  readonly problems: BlueprintProblem[] = [];
  readonly lines = new Map<string, number>();

  constructor(
    private readonly doc: Document,
    private readonly lineCounter: LineCounter,
  ) {}

  private at(node: Node | null | undefined): { line?: number; column?: number } {
    const offset = node?.range?.[0];
    if (offset === undefined) return {};
    const { line, col } = this.lineCounter.linePos(offset);
    return { line, column: col };
  }

  problem(path: string, node: Node | null | undefined, message: string): void {
    this.problems.push({ path: path || "(root)", ...this.at(node), message });
  }

  private resolve(node: unknown): Node | null {
    if (node === null || node === undefined) return null;
    if (isAlias(node)) return (node.resolve(this.doc) as Node | undefined) ?? null;
    return node as Node;
  }

  walk(spec: Spec, raw: unknown, path: string, keyNode?: Node | null): unknown {
    const node = this.resolve(raw);
    const line = this.at(keyNode ?? node).line;
    if (line !== undefined) this.lines.set(path, line);
    switch (spec.kind) {
      case "any":
        return node?.toJSON();
      case "string": {
        if (isScalar(node) && typeof node.value === "string") {
          if (spec.nonEmpty && node.value.trim() === "") {
            this.problem(path, node, "must not be empty");
            return undefined;
          }
          return node.value;
        }
        if (
          spec.scalars &&
          isScalar(node) &&
          (typeof node.value === "number" || typeof node.value === "boolean")
        )
          return String(node.source ?? node.value);
        this.problem(path, node, `must be a string (got ${describe(node)})`);
        return undefined;
      }
      case "int": {
        if (!isScalar(node) || typeof node.value !== "number" || !Number.isInteger(node.value)) {
          this.problem(path, node, `must be a whole number (got ${describe(node)})`);
          return undefined;
        }
        const v = node.value;
        if ((spec.min !== undefined && v < spec.min) || (spec.max !== undefined && v > spec.max)) {
          const range =
            spec.max === undefined ? `at least ${spec.min}` : `from ${spec.min ?? 0} to ${spec.max}`;
          this.problem(path, node, `must be ${range} (got ${v})`);
          return undefined;
        }
        return v;
      }
      case "bool": {
        if (isScalar(node) && typeof node.value === "boolean") return node.value;
        this.problem(path, node, `must be true or false (got ${describe(node)})`);
        return undefined;
      }
      case "enum": {
        const text =
          isScalar(node) && typeof node.value === "string"
            ? node.value
            : spec.scalars && isScalar(node) && typeof node.value === "number"
              ? String(node.source ?? node.value)
              : undefined;
        const allowed = spec.values.map((v) => JSON.stringify(spec.display ? spec.display(v) : v)).join(", ");
        if (text === undefined) {
          this.problem(path, node, `must be one of ${allowed} (got ${describe(node)})`);
          return undefined;
        }
        const value = spec.normalise ? spec.normalise(text) : text;
        if (!spec.values.includes(value)) {
          this.problem(path, node, `${JSON.stringify(text)} is not allowed; allowed: ${allowed}`);
          return undefined;
        }
        return value;
      }
      case "array": {
        if (!isSeq(node)) {
          this.problem(path, node, `must be a list (got ${describe(node)})`);
          return undefined;
        }
        return node.items.map((item, i) => this.walk(spec.item, item, `${path}[${i}]`));
      }
      case "object": {
        if (!isMap(node)) {
          this.problem(path, node, `must be a map (got ${describe(node)})`);
          return undefined;
        }
        const out: Record<string, unknown> = {};
        const known = Object.keys(spec.fields);
        for (const pair of node.items) {
          const key = this.resolve(pair.key);
          if (!isScalar(key) || typeof key.value !== "string") {
            this.problem(path, key, `keys must be strings (got ${describe(key)})`);
            continue;
          }
          const name = key.value;
          const childPath = path ? `${path}.${name}` : name;
          const fieldSpec = spec.fields[name];
          if (!fieldSpec) {
            this.problem(
              childPath,
              key,
              `unknown key ${JSON.stringify(name)}${hint(closest(name, known))}; allowed here: ${known.join(", ")}`,
            );
            continue;
          }
          const value = this.resolve(pair.value);
          // An explicit `key:` with no value (null) is treated as absent, as Render's parser does for optional fields.
          if (value === null || (isScalar(value) && value.value === null)) {
            if (spec.required?.includes(name))
              this.problem(childPath, key, "is required and must not be empty");
            else if (key.range) this.lines.set(childPath, this.at(key).line ?? 0);
            continue;
          }
          out[name] = this.walk(fieldSpec, value, childPath, key);
        }
        for (const name of spec.required ?? [])
          if (!node.items.some((p) => isScalar(p.key) && p.key.value === name) && !(name in out))
            this.problem(path ? `${path}.${name}` : name, node, `is required`);
        return out;
      }
    }
  }
}

function checkEnvVars(walker: Walker, envVars: unknown, path: string, inGroup: boolean): void {
  if (!Array.isArray(envVars)) return;
  const seen = new Set<string>();
  envVars.forEach((entry, i) => {
    if (!entry || typeof entry !== "object") return;
    const e = entry as BlueprintEnvVar;
    const p = `${path}[${i}]`;
    const sources = (
      ["value", "generateValue", "sync", "fromDatabase", "fromService", "fromGroup"] as const
    ).filter((k) => e[k] !== undefined);
    if (e.fromGroup !== undefined) {
      if (inGroup)
        walker.problem(`${p}.fromGroup`, null, "an environment group cannot include another group");
      if (e.key !== undefined || sources.length > 1)
        walker.problem(p, null, "a fromGroup entry takes no key and no other source");
      return;
    }
    if (e.key === undefined) walker.problem(`${p}.key`, null, "is required");
    else {
      if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(e.key))
        walker.problem(`${p}.key`, null, `${JSON.stringify(e.key)} is not a valid env var key`);
      if (seen.has(e.key)) walker.problem(`${p}.key`, null, `duplicate env var key ${JSON.stringify(e.key)}`);
      seen.add(e.key);
    }
    if (sources.length !== 1)
      walker.problem(
        p,
        null,
        sources.length === 0
          ? "needs one of value, generateValue, sync, fromDatabase, fromService"
          : `has more than one source (${sources.join(", ")}); give exactly one`,
      );
    if (e.generateValue === false) walker.problem(`${p}.generateValue`, null, "may only be true");
    if (e.sync === true) walker.problem(`${p}.sync`, null, "may only be false (a value to enter by hand)");
    if (inGroup && (e.sync !== undefined || e.fromDatabase || e.fromService))
      walker.problem(p, null, "an environment group cannot use sync: false, fromDatabase or fromService");
    if (e.fromService && (e.fromService.property === undefined) === (e.fromService.envVarKey === undefined))
      walker.problem(`${p}.fromService`, null, "needs exactly one of property or envVarKey");
  });
}

function checkService(walker: Walker, s: BlueprintService, path: string): void {
  const keyvalue = s.type === "keyvalue" || s.type === "redis";
  const runtime = s.runtime ?? s.env;
  if (s.runtime !== undefined && s.env !== undefined && s.runtime !== s.env)
    walker.problem(
      `${path}.env`,
      null,
      "conflicts with runtime (env is its deprecated alias): keep runtime only",
    );
  // A field present but invalid was reported already; "required" is for fields not written at all.
  const missing = (field: string) => s[field] === undefined && !walker.lines.has(`${path}.${field}`);
  if (!keyvalue && missing("runtime") && missing("env"))
    walker.problem(`${path}.runtime`, null, "is required for this service type");
  if (keyvalue && missing("ipAllowList"))
    walker.problem(`${path}.ipAllowList`, null, "is required for keyvalue");
  if (runtime && nativeRuntimes.includes(runtime) && !keyvalue) {
    if (missing("buildCommand"))
      walker.problem(`${path}.buildCommand`, null, "is required for a native runtime");
    if (missing("startCommand") && s.type !== "cron")
      walker.problem(`${path}.startCommand`, null, "is required for a native runtime");
  }
  if (s.type === "cron" && missing("schedule"))
    walker.problem(`${path}.schedule`, null, "is required for a cron job");
  if (s.type !== "cron" && s.schedule !== undefined)
    walker.problem(`${path}.schedule`, null, "applies to cron jobs only");
  if (runtime === "static" && s.type !== "web")
    walker.problem(`${path}.runtime`, null, "static is for type web only");
  if (s.healthCheckPath !== undefined && s.type !== "web")
    walker.problem(`${path}.healthCheckPath`, null, "applies to web services only");
  if (s.healthCheckPath && !s.healthCheckPath.startsWith("/"))
    walker.problem(
      `${path}.healthCheckPath`,
      null,
      `must start with '/' (got ${JSON.stringify(s.healthCheckPath)})`,
    );
  if (
    s.scaling &&
    (s.scaling as { minInstances: number }).minInstances >
      (s.scaling as { maxInstances: number }).maxInstances
  )
    walker.problem(`${path}.scaling`, null, "minInstances must not exceed maxInstances");
  checkEnvVars(walker, s.envVars, `${path}.envVars`, false);
}

/** Parses and validates Blueprint text (the YAML of a render.yaml). */
export function readBlueprint(text: string): ReadResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      problems: doc.errors.map((e) => {
        const pos = lineCounter.linePos(e.pos[0]);
        return { path: "(syntax)", line: pos.line, column: pos.col, message: e.message.split("\n")[0] };
      }),
    };
  }
  const walker = new Walker(doc, lineCounter);
  const contents = doc.contents as Node | null;
  if (contents === null || (isScalar(contents) && contents.value === null))
    return {
      ok: false,
      problems: [
        { path: "(root)", message: "the file is empty: a Blueprint is a map with services and databases" },
      ],
    };
  const raw = walker.walk(specs().root, contents, "") as Record<string, unknown> | undefined;
  const services: Located<BlueprintService>[] = [];
  const databases: Located<BlueprintDatabase>[] = [];
  const collect = (container: unknown, prefix: string) => {
    if (!container || typeof container !== "object") return;
    const c = container as Record<string, unknown>;
    (Array.isArray(c.services) ? c.services : []).forEach((s, i) => {
      if (s && typeof s === "object" && "type" in s && "name" in s)
        services.push({ path: `${prefix}services[${i}]`, value: s as BlueprintService });
    });
    (Array.isArray(c.databases) ? c.databases : []).forEach((d, i) => {
      if (d && typeof d === "object" && "name" in d)
        databases.push({ path: `${prefix}databases[${i}]`, value: d as BlueprintDatabase });
    });
    (Array.isArray(c.envVarGroups) ? c.envVarGroups : []).forEach((g, i) =>
      checkEnvVars(
        walker,
        (g as { envVars?: unknown } | undefined)?.envVars,
        `${prefix}envVarGroups[${i}].envVars`,
        true,
      ),
    );
  };
  if (raw) {
    collect(raw, "");
    collect(raw.ungrouped, "ungrouped.");
    (Array.isArray(raw.projects) ? raw.projects : []).forEach((project, i) => {
      const envs = (project as { environments?: unknown[] } | undefined)?.environments;
      (Array.isArray(envs) ? envs : []).forEach((env, j) =>
        collect(env, `projects[${i}].environments[${j}].`),
      );
    });
    for (const s of services) checkService(walker, s.value, s.path);
    const names = new Map<string, string>();
    const byLine = [...services, ...databases].sort(
      (a, b) => (walker.lines.get(a.path) ?? 0) - (walker.lines.get(b.path) ?? 0),
    );
    for (const r of byLine) {
      const earlier = names.get(r.value.name);
      if (earlier)
        walker.problem(
          `${r.path}.name`,
          null,
          `duplicate name ${JSON.stringify(r.value.name)} (also ${earlier})`,
        );
      else names.set(r.value.name, r.path);
    }
  }
  // Problems found after the walk carry no node; give them the line of their path (or its parent's).
  for (const p of walker.problems) {
    if (p.line !== undefined) continue;
    for (let path = p.path; path; path = path.replace(/(\.[^.[\]]+|\[\d+\])$/, "")) {
      const line = walker.lines.get(path);
      if (line !== undefined) {
        p.line = line;
        break;
      }
      if (!/(\.[^.[\]]+|\[\d+\])$/.test(path)) break;
    }
  }
  if (walker.problems.length > 0 || !raw) {
    walker.problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
    return { ok: false, problems: walker.problems };
  }
  return { ok: true, blueprint: { services, databases, raw, lines: walker.lines } };
}

/** One problem as a line of text: `render.yaml:12:5 services[0].plan: "big" is not allowed; …`. */
export function formatProblem(file: string, p: BlueprintProblem): string {
  const where =
    p.line === undefined ? file : `${file}:${p.line}${p.column === undefined ? "" : `:${p.column}`}`;
  return `${where} ${p.path}: ${p.message}`;
}
