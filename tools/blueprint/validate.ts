/**
 * Reads and validates a Render Blueprint (render.yaml): the `yaml` library parses it keeping every
 * node's source range, ajv checks the plain data against the JSON Schema in schema.ts, and each ajv
 * error is located back in the YAML (path like `services[0].plan`, 1-based line and column). Rules a
 * schema does not say well (one env var source, fields required by runtime, unique names) are
 * checked afterwards on the validated data.
 */
import Ajv, { type AnySchemaObject, type ErrorObject, type ValidateFunction } from "ajv";
import type { DataValidationCxt } from "ajv/dist/types";
import { distance } from "fastest-levenshtein";
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from "yaml";
import { apiPlanSpelling } from "../../components/render/enums";
import { blueprintSchema } from "./schema";

export { blueprintRuntimes, blueprintServiceTypes } from "./schema";

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
  displayName?: string;
  description?: string;
  sensitive?: boolean;
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

/** A Blueprint env group entry. */
export interface BlueprintEnvVarGroup {
  name: string;
  envVars?: BlueprintEnvVar[];
}

/** Where a resource came from in the file. */
export interface Located<T> {
  /** YAML path, e.g. `services[0]` or `projects[0].environments[1].databases[0]`. */
  path: string;
  value: T;
}

/** A validated Blueprint: every service, database and env group wherever declared, plus the raw document. */
export interface Blueprint {
  services: Located<BlueprintService>[];
  databases: Located<BlueprintDatabase>[];
  envVarGroups: Located<BlueprintEnvVarGroup>[];
  /** The whole file as plain data (validated). */
  raw: Record<string, unknown>;
  /** Line of each YAML path that was read (keys' lines for map entries). */
  lines: Map<string, number>;
}

/** The outcome of reading a Blueprint: a Blueprint, or problems (never both empty). */
export type ReadResult = { ok: true; blueprint: Blueprint } | { ok: false; problems: BlueprintProblem[] };

const nativeRuntimes = ["node", "python", "elixir", "go", "ruby", "rust"];

/** One value read from the YAML: its node, and the key node when it is a map entry. */
interface Place {
  path: string;
  node: Node;
  key?: Node;
}

/**
 * The YAML document as plain data, with the place of every value by JSON pointer (ajv's
 * `instancePath`). Aliases are followed; a `key:` with no value is left out, as Render's parser
 * treats it as absent, and remembered so a required one is reported as empty rather than missing.
 */
class Source {
  /** By JSON pointer, as ajv names values. */
  readonly places = new Map<string, Place>();
  /** By YAML path, as problems name them. */
  readonly byPath = new Map<string, Place>();
  readonly emptyKeys = new Map<string, Node>();
  readonly problems: BlueprintProblem[] = [];
  readonly data: unknown;

  constructor(
    private readonly doc: Document,
    private readonly lineCounter: LineCounter,
    contents: Node,
  ) {
    this.data = this.read(contents, "", "");
  }

  at(node: Node | undefined): { line?: number; column?: number } {
    const offset = node?.range?.[0];
    if (offset === undefined) return {};
    const { line, col } = this.lineCounter.linePos(offset);
    return { line, column: col };
  }

  /** The line and column of a YAML path's key (map entries) or node, else of its nearest ancestor's. */
  locate(path: string): { line?: number; column?: number } {
    for (let p = path; ;) {
      const place = this.byPath.get(p);
      if (place) return this.at(place.key ?? place.node);
      const parent = p.replace(/(\.[^.[\]]+|\[\d+\])$/, "");
      if (parent === p) return {};
      p = parent;
    }
  }

  private resolve(node: unknown): Node | undefined {
    if (node === null || node === undefined) return undefined;
    if (isAlias(node)) return node.resolve(this.doc) as Node | undefined;
    return node as Node;
  }

  private place(pointer: string, place: Place): void {
    this.places.set(pointer, place);
    this.byPath.set(place.path, place);
  }

  private read(node: Node, pointer: string, path: string, key?: Node): unknown {
    this.place(pointer, { path, node, key });
    if (isMap(node)) {
      const out: Record<string, unknown> = {};
      for (const pair of node.items) {
        const keyNode = this.resolve(pair.key);
        if (!isScalar(keyNode) || typeof keyNode.value !== "string") {
          this.problems.push({
            path: path || "(root)",
            ...this.at(keyNode),
            message: `keys must be strings (got ${describe(keyNode)})`,
          });
          continue;
        }
        const name = keyNode.value;
        const childPointer = `${pointer}/${name.replace(/~/g, "~0").replace(/\//g, "~1")}`;
        const childPath = path ? `${path}.${name}` : name;
        const value = this.resolve(pair.value);
        if (value === undefined || (isScalar(value) && value.value === null)) {
          this.place(childPointer, { path: childPath, node: keyNode, key: keyNode });
          this.emptyKeys.set(childPointer, keyNode);
          continue;
        }
        out[name] = this.read(value, childPointer, childPath, keyNode);
      }
      return out;
    }
    if (isSeq(node))
      return node.items.map((item, i) => {
        const value = this.resolve(item);
        const itemPointer = `${pointer}/${i}`;
        const itemPath = `${path}[${i}]`;
        if (value === undefined) {
          this.place(itemPointer, { path: itemPath, node });
          return null;
        }
        return this.read(value, itemPointer, itemPath);
      });
    return isScalar(node) ? node.value : null;
  }

  /** Every path read, with the line of its key (map entries) or node (list items). */
  lines(): Map<string, number> {
    const lines = new Map<string, number>();
    for (const place of this.byPath.values()) {
      const line = this.at(place.key ?? place.node).line;
      if (line !== undefined) lines.set(place.path, line);
    }
    return lines;
  }
}

function describe(node: Node | undefined): string {
  if (node === undefined) return "nothing";
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
  let best: { key: string; d: number } | undefined;
  for (const key of known) {
    const d = distance(name.toLowerCase(), key.toLowerCase());
    if (d <= 2 && (!best || d < best.d)) best = { key, d };
  }
  return best?.key;
}

/**
 * A number (or, for free text, a boolean) as written: `16`, `1.10`, `true`; undefined for anything
 * else. A choice among values (an enum) takes numbers only: no version or plan is spelt `true`.
 */
function scalarSource(node: Node | undefined, choice: boolean): string | undefined {
  if (!isScalar(node)) return undefined;
  if (typeof node.value !== "number" && (choice || typeof node.value !== "boolean")) return undefined;
  return String(node.source ?? node.value);
}

let compiled: ValidateFunction | undefined;

/** The Blueprint schema compiled once, with this file's keywords (see schema.ts). */
function validator(): ValidateFunction {
  if (compiled) return compiled;
  const ajv = new Ajv({ allErrors: true, verbose: true, passContext: true, strict: true, inlineRefs: false });
  ajv.addKeyword({ keyword: "displayHyphens", schemaType: "boolean" });
  ajv.addKeyword({
    keyword: "planSpelling",
    schemaType: "boolean",
    modifying: true,
    errors: false,
    before: "enum",
    validate: (_schema: boolean, data: unknown, _parent: unknown, cxt?: DataValidationCxt) => {
      if (typeof data === "string" && cxt) cxt.parentData[cxt.parentDataProperty] = apiPlanSpelling(data);
      return true;
    },
  });
  ajv.addKeyword({
    keyword: "scalarText",
    schemaType: "boolean",
    modifying: true,
    errors: false,
    before: "enum",
    validate: function (
      this: Source,
      _schema: boolean,
      data: unknown,
      parent?: AnySchemaObject,
      cxt?: DataValidationCxt,
    ) {
      if (typeof data === "string" || !cxt) return true;
      const choice = parent !== undefined && "enum" in parent;
      const text = scalarSource(this.places.get(cxt.instancePath)?.node, choice);
      if (text !== undefined) {
        cxt.parentData[cxt.parentDataProperty] = text;
        return true;
      }
      // With an enum, leave the message to it: "must be one of …" says more than "must be a string".
      return choice;
    },
  });
  compiled = ajv.compile(blueprintSchema);
  return compiled;
}

const typeNames: Record<string, string> = {
  string: "a string",
  integer: "a whole number",
  boolean: "true or false",
  array: "a list",
  object: "a map",
};

/** An ajv error as a problem at its YAML place, worded as the Blueprint author reads it. */
function problemOf(source: Source, e: ErrorObject): { pointer: string; problem: BlueprintProblem } {
  const place = source.places.get(e.instancePath);
  const path = place?.path || "(root)";
  const node = place?.node;
  const parent = (e.parentSchema ?? {}) as Record<string, unknown>;
  const at = (pointer: string, message: string, where: Node | undefined, childPath: string) => ({
    pointer,
    problem: { path: childPath, ...source.at(where), message },
  });
  const child = (name: string) => ({
    pointer: `${e.instancePath}/${name.replace(/~/g, "~0").replace(/\//g, "~1")}`,
    path: place?.path ? `${place.path}.${name}` : name,
  });
  switch (e.keyword) {
    case "additionalProperties": {
      const name = String(e.params.additionalProperty);
      const known = Object.keys((parent.properties ?? {}) as object);
      const guess = closest(name, known);
      const { pointer, path: childPath } = child(name);
      return at(
        pointer,
        `unknown key ${JSON.stringify(name)}${guess ? ` (did you mean ${JSON.stringify(guess)}?)` : ""}; allowed here: ${known.join(", ")}`,
        source.places.get(pointer)?.key,
        childPath,
      );
    }
    case "required": {
      const { pointer, path: childPath } = child(String(e.params.missingProperty));
      const emptyKey = source.emptyKeys.get(pointer);
      return emptyKey
        ? at(pointer, "is required and must not be empty", emptyKey, childPath)
        : at(pointer, "is required", node, childPath);
    }
    case "type":
      return at(
        e.instancePath,
        `must be ${typeNames[String(e.params.type)] ?? String(e.params.type)} (got ${describe(node)})`,
        node,
        path,
      );
    case "scalarText":
      return at(e.instancePath, `must be a string (got ${describe(node)})`, node, path);
    case "pattern": {
      // schema.ts uses one pattern, `\S`: "not blank".
      const message = e.schema === "\\S" ? "must not be empty" : `must match ${String(e.schema)}`;
      return at(e.instancePath, `${message} (got ${describe(node)})`, node, path);
    }
    case "minimum":
    case "maximum": {
      const { minimum, maximum } = parent as { minimum?: number; maximum?: number };
      const range = maximum === undefined ? `at least ${minimum}` : `from ${minimum ?? 0} to ${maximum}`;
      return at(e.instancePath, `must be ${range} (got ${String(e.data)})`, node, path);
    }
    case "enum": {
      const shown = (e.schema as string[]).map((v) => (parent.displayHyphens ? v.replace(/_/g, "-") : v));
      const allowed = shown.map((v) => JSON.stringify(v)).join(", ");
      const text =
        isScalar(node) && typeof node.value === "string"
          ? node.value
          : parent.scalarText
            ? scalarSource(node, true)
            : undefined;
      return at(
        e.instancePath,
        text === undefined
          ? `must be one of ${allowed} (got ${describe(node)})`
          : `${JSON.stringify(text)} is not allowed; allowed: ${allowed}`,
        node,
        path,
      );
    }
    default:
      return at(e.instancePath, e.message ?? `fails ${e.keyword}`, node, path);
  }
}

/**
 * Blanks an invalid value (the key stays, as `undefined`) or drops an unknown key, so the checks
 * after the schema see only valid values yet still know which fields were written.
 */
function prune(data: unknown, pointer: string, unknownKey: boolean): void {
  const parts = pointer
    .split("/")
    .slice(1)
    .map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"));
  const last = parts.pop();
  let cursor = data;
  for (const part of parts) {
    if (!cursor || typeof cursor !== "object") return;
    cursor = (cursor as Record<string, unknown>)[part];
  }
  if (last === undefined || !cursor || typeof cursor !== "object") return;
  if (unknownKey) delete (cursor as Record<string, unknown>)[last];
  else (cursor as Record<string, unknown>)[last] = undefined;
}

/** Checks after the schema: report a problem at a YAML path; has a path been written at all. */
interface Checker {
  report(path: string, message: string): void;
  written(path: string): boolean;
}

function checkEnvVars(check: Checker, envVars: unknown, path: string, inGroup: boolean): void {
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
      if (inGroup) check.report(`${p}.fromGroup`, "an environment group cannot include another group");
      if (e.key !== undefined || sources.length > 1)
        check.report(p, "a fromGroup entry takes no key and no other source");
      return;
    }
    if (e.key === undefined) check.report(`${p}.key`, "is required");
    else {
      if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(e.key))
        check.report(`${p}.key`, `${JSON.stringify(e.key)} is not a valid env var key`);
      if (seen.has(e.key)) check.report(`${p}.key`, `duplicate env var key ${JSON.stringify(e.key)}`);
      seen.add(e.key);
    }
    if (sources.length !== 1)
      check.report(
        p,
        sources.length === 0
          ? "needs one of value, generateValue, sync, fromDatabase, fromService"
          : `has more than one source (${sources.join(", ")}); give exactly one`,
      );
    if (e.generateValue === false) check.report(`${p}.generateValue`, "may only be true");
    if (e.sync === true) check.report(`${p}.sync`, "may only be false (a value to enter by hand)");
    if (inGroup && (e.sync !== undefined || e.fromDatabase || e.fromService))
      check.report(p, "an environment group cannot use sync: false, fromDatabase or fromService");
    if (e.fromService && (e.fromService.property === undefined) === (e.fromService.envVarKey === undefined))
      check.report(`${p}.fromService`, "needs exactly one of property or envVarKey");
  });
}

function checkService(check: Checker, s: BlueprintService, path: string): void {
  const keyvalue = s.type === "keyvalue" || s.type === "redis";
  const runtime = s.runtime ?? s.env;
  if (s.runtime !== undefined && s.env !== undefined && s.runtime !== s.env)
    check.report(`${path}.env`, "conflicts with runtime (env is its deprecated alias): keep runtime only");
  // A field present but invalid was reported already; "required" is for fields not written at all.
  const missing = (field: string) => s[field] === undefined && !check.written(`${path}.${field}`);
  if (!keyvalue && missing("runtime") && missing("env"))
    check.report(`${path}.runtime`, "is required for this service type");
  if (keyvalue && missing("ipAllowList")) check.report(`${path}.ipAllowList`, "is required for keyvalue");
  if (runtime && nativeRuntimes.includes(runtime) && !keyvalue) {
    if (missing("buildCommand")) check.report(`${path}.buildCommand`, "is required for a native runtime");
    // A cron job's start command is its command; a workflow's tasks are started by Render (trender).
    if (missing("startCommand") && s.type !== "cron" && s.type !== "workflow")
      check.report(`${path}.startCommand`, "is required for a native runtime");
  }
  if (s.type === "cron" && missing("schedule"))
    check.report(`${path}.schedule`, "is required for a cron job");
  if (s.type !== "cron" && s.schedule !== undefined)
    check.report(`${path}.schedule`, "applies to cron jobs only");
  if (runtime === "static" && s.type !== "web")
    check.report(`${path}.runtime`, "static is for type web only");
  if (s.healthCheckPath !== undefined && s.type !== "web")
    check.report(`${path}.healthCheckPath`, "applies to web services only");
  if (s.healthCheckPath && !s.healthCheckPath.startsWith("/"))
    check.report(`${path}.healthCheckPath`, `must start with '/' (got ${JSON.stringify(s.healthCheckPath)})`);
  const scaling = s.scaling as { minInstances?: number; maxInstances?: number } | undefined;
  if (scaling?.minInstances !== undefined && scaling.maxInstances !== undefined)
    if (scaling.minInstances > scaling.maxInstances)
      check.report(`${path}.scaling`, "minInstances must not exceed maxInstances");
  checkEnvVars(check, s.envVars, `${path}.envVars`, false);
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
  const contents = doc.contents as Node | null;
  if (contents === null || (isScalar(contents) && contents.value === null))
    return {
      ok: false,
      problems: [
        { path: "(root)", message: "the file is empty: a Blueprint is a map with services and databases" },
      ],
    };

  const source = new Source(doc, lineCounter, contents);
  const problems = [...source.problems];
  const validate = validator();
  if (!validate.call(source, source.data)) {
    // One problem per place: a value failing two keywords (e.g. scalarText then enum) is said once.
    const seen = new Set<string>();
    for (const error of validate.errors ?? []) {
      const { pointer, problem } = problemOf(source, error);
      if (seen.has(problem.path)) continue;
      seen.add(problem.path);
      problems.push(problem);
      if (error.keyword !== "required") prune(source.data, pointer, error.keyword === "additionalProperties");
    }
  }

  const lines = source.lines();
  const check: Checker = {
    report: (path, message) => problems.push({ path, ...source.locate(path), message }),
    written: (path) => lines.has(path),
  };
  const raw = isMap(contents) ? (source.data as Record<string, unknown>) : undefined;
  const services: Located<BlueprintService>[] = [];
  const databases: Located<BlueprintDatabase>[] = [];
  const envVarGroups: Located<BlueprintEnvVarGroup>[] = [];
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
    (Array.isArray(c.envVarGroups) ? c.envVarGroups : []).forEach((g, i) => {
      checkEnvVars(
        check,
        (g as { envVars?: unknown } | undefined)?.envVars,
        `${prefix}envVarGroups[${i}].envVars`,
        true,
      );
      if (g && typeof g === "object" && "name" in g)
        envVarGroups.push({ path: `${prefix}envVarGroups[${i}]`, value: g as BlueprintEnvVarGroup });
    });
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
    for (const s of services) checkService(check, s.value, s.path);
    // Three name spaces: services (Key Value included: Render asks "a unique name for each service",
    // and fromService names one by name and type), databases, env groups. A web service and its
    // database may share a name, as Render's own one-click templates (render-examples/django) do.
    for (const space of [services, databases, envVarGroups] as Located<{ name: string }>[][]) {
      const names = new Map<string, string>();
      const byLine = [...space].sort((a, b) => (lines.get(a.path) ?? 0) - (lines.get(b.path) ?? 0));
      for (const r of byLine) {
        const earlier = names.get(r.value.name);
        if (earlier)
          check.report(`${r.path}.name`, `duplicate name ${JSON.stringify(r.value.name)} (also ${earlier})`);
        else names.set(r.value.name, r.path);
      }
    }
  }
  if (problems.length > 0 || !raw) {
    problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
    return { ok: false, problems };
  }
  return { ok: true, blueprint: { services, databases, envVarGroups, raw, lines } };
}

/** One problem as a line of text: `render.yaml:12:5 services[0].plan: "big" is not allowed; …`. */
export function formatProblem(file: string, p: BlueprintProblem): string {
  const where =
    p.line === undefined ? file : `${file}:${p.line}${p.column === undefined ? "" : `:${p.column}`}`;
  return `${where} ${p.path}: ${p.message}`;
}
