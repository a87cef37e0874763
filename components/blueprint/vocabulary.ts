/**
 * An app's stack config in render.yaml's vocabulary: `<namespace>:services`, `databases`, `keyValues`
 * and `envVarGroups`, each a list of entries with render.yaml's own keys and spellings, links by name.
 * Reads and checks all of it at once (every problem named by its config path), and returns each entry
 * as the kind it becomes (kinds.ts) with its arguments and its env vars as typed links. Pure: takes a
 * reader of raw config values; never holds a secret value (`sync: false` names a config key only).
 */
import { databaseLinkProperties, type DatabaseLinkProperty } from "../render/enums";
import { envVarKeyPattern } from "../webService/schema";
import { allowed, propertyPath } from "../runtime/validation";
import { customDomainFields } from "../customDomain/schema";
import { diskFields } from "../disk/schema";
import { environmentEntrySchema, fromProjectBlueprintSpelling, projectFields } from "../project/schema";
import {
  kindOf,
  renderExternalEnvVars,
  toKindArgs,
  vocabularySections,
  type BlueprintKind,
  type BlueprintKindName,
  type VocabularySection,
} from "./kinds";

/** render.yaml `fromService.property` values: a service's host, port or both; a Key Value's URL. */
export const serviceLinkProperties = ["host", "port", "hostport", "connectionString"] as const;

/** One of {@link serviceLinkProperties}. */
export type ServiceLinkProperty = (typeof serviceLinkProperties)[number];

/**
 * One env var of an entry, as a typed source (render.yaml `envVars[]`):
 * - `value`: a plain value;
 * - `generateValue`: Render generates it once;
 * - `secret`: `sync: false` in render.yaml, here read from the stack's secret map `<namespace>:secrets`
 *   under `secretKey` (`pulumi config set --secret --path <namespace>:secrets.<KEY> …`);
 * - `fromDatabase`: a property of a database of this app, by name;
 * - `fromService`: a property (or an env var, `envVarKey`) of a service or Key Value of this app, by
 *   type and name;
 * - `fromGroup`: every var of an env group, by name (no key): a group of this app, or else the group of
 *   that name that already exists in the workspace (Render's reading of a group the file does not
 *   declare; looked up, never created).
 */
export type AppEnvVar =
  | { key: string; value: string }
  | { key: string; generateValue: true }
  | { key: string; secretKey: string }
  | { key: string; fromDatabase: { name: string; property: DatabaseLinkProperty } }
  | {
      key: string;
      fromService: { type: string; name: string; property?: ServiceLinkProperty; envVarKey?: string };
    }
  | { fromGroup: string };

/** One entry of the app: the kind it becomes and that kind's arguments. */
export interface AppEntry {
  /** The stack config key it is listed under. */
  section: VocabularySection;
  /** Its index in that list (config paths in messages: `arrakis:services[1].plan`). */
  index: number;
  /** The kind it becomes. */
  kind: BlueprintKindName;
  /** Its render.yaml `type`, for services (fromService links name it). */
  type?: string;
  /** Its name on Render, also its Pulumi resource name (unique per section). */
  name: string;
  /** The kind's arguments from the entry's keys, validated, without the workspace, adoption and env vars. */
  args: Record<string, unknown>;
  /** Its env vars, for kinds that take them (in the entry's order). */
  envVars: AppEnvVar[];
  /** Adopt the live object with this id (our own key `importId`). */
  importId?: string;
  /** Pulumi's protect option (our own key `protect`); absent: the program's default for the kind. */
  protect?: boolean;
  /** PostgreSQL extensions to enable (our own key `extensions`, databases only). */
  extensions?: string[];
  /**
   * Custom domains (render.yaml `domains`), lowercase, without the apex/www sibling of one listed
   * before it: Render adds that sibling itself (render.com/docs/custom-domains).
   */
  domains?: string[];
  /** Its persistent disk (render.yaml `disk`), a RenderDisk of the service. */
  disk?: { name: string; mountPath: string; sizeGB: number };
  /**
   * The project environment it is placed in (our own key `environment: <project>/<environment>`, from
   * render.yaml's `projects[].environments[]`): a project of the app's `projects`.
   */
  environment?: { project: string; name: string };
}

/**
 * One project of the app (the stack's `<namespace>:projects`, render.yaml's `projects[]` without the
 * resources its environments list: those are entries of the other sections with `environment`).
 */
export interface AppProject {
  /** Its index in `<namespace>:projects`. */
  index: number;
  /** Its name on Render, also its Pulumi resource name. */
  name: string;
  /** The project kind's arguments (`environments` with their settings), validated, render.yaml spellings read. */
  args: Record<string, unknown>;
  /** Adopt the live project with this id (`prj-…`). */
  importId?: string;
  /** Pulumi's protect option. */
  protect?: boolean;
}

/** The stack config key of the app's projects. */
export const projectsSection = "projects";

/** The keys of a `<namespace>:projects` entry. */
const projectKeys = ["name", "environments", "importId", "protect"];

/**
 * The keys of one of its environments: the project kind's own, and render.yaml's spellings of them
 * (`networking.isolation`, `permissions.protection`, the older `protected`, `networkIsolated`).
 */
const environmentKeys = [
  ...Object.keys(environmentEntrySchema.shape),
  "networking",
  "permissions",
  "protected",
  "networkIsolated",
];

/** An app read from stack config. */
export interface AppVocabulary {
  /** Every entry of every section, in section order then list order. */
  entries: AppEntry[];
  /** The projects its entries are placed in (`<namespace>:projects`). */
  projects: AppProject[];
  /** The keys of `<namespace>:secrets` the app's `sync: false` env vars need. */
  secretKeys: string[];
}

/** Reads one raw config value of the app's namespace (`services` -> JSON text) or undefined. */
export type NamespaceReader = (key: string) => string | undefined;

/** True when the stack config uses the vocabulary (any of its keys is set). */
export function usesVocabulary(read: NamespaceReader): boolean {
  return [...vocabularySections, projectsSection].some((key) => read(key) !== undefined);
}

/** The result of reading: the app, or every problem found (each names its config path). */
export type VocabularyResult = { ok: true; app: AppVocabulary } | { ok: false; problems: string[] };

type Raw = Record<string, unknown>;
/** Each env var's index in its entry's raw list (bad ones are dropped), for messages. */
const rawIndex = new WeakMap<AppEnvVar, number>();
const isObject = (v: unknown): v is Raw => !!v && typeof v === "object" && !Array.isArray(v);

/**
 * Reads `<namespace>:services`, `databases`, `keyValues` and `envVarGroups`. `secrets` is the key list
 * of `<namespace>:secrets` (never its values), to check that each `sync: false` var has its value.
 */
export function readAppVocabulary(
  read: NamespaceReader,
  namespace: string,
  secrets?: readonly string[],
): VocabularyResult {
  const problems: string[] = [];
  const at = (section: string, index?: number, path = "") =>
    `${namespace}:${section}${index === undefined ? "" : `[${index}]`}${path}`;
  const lists: Partial<Record<VocabularySection, unknown[]>> = {};
  for (const section of vocabularySections) {
    const raw = read(section);
    if (raw === undefined) continue;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      value = raw;
    }
    if (!Array.isArray(value)) {
      problems.push(`${at(section)}: must be a list of entries (render.yaml's ${section})`);
      continue;
    }
    lists[section] = value;
  }

  const projects = readProjects(read(projectsSection), (path, message) =>
    problems.push(`${namespace}:${projectsSection}${path}: ${message}`),
  );

  const entries: AppEntry[] = [];
  const names = new Map<VocabularySection, Map<string, AppEntry>>();
  for (const section of vocabularySections) {
    const seen = new Map<string, AppEntry>();
    names.set(section, seen);
    (lists[section] ?? []).forEach((raw, index) => {
      if (!isObject(raw)) {
        problems.push(`${at(section, index)}: must be an entry with a name (render.yaml's keys)`);
        return;
      }
      if (typeof raw.name !== "string" || raw.name === "") {
        problems.push(`${at(section, index, ".name")}: is required: the name on Render`);
        return;
      }
      if (seen.has(raw.name)) {
        problems.push(
          `${at(section, index, ".name")}: ${JSON.stringify(raw.name)} is listed twice in ${section}; names are unique per section`,
        );
        return;
      }
      const chosen = kindOf(section, raw);
      if ("problem" in chosen) {
        problems.push(`${at(section, index, section === "services" ? ".type" : "")}: ${chosen.problem}`);
        return;
      }
      const entry = readEntry(chosen.kind, section, index, raw, (path, message) =>
        problems.push(`${at(section, index, path)}: ${message}`),
      );
      seen.set(raw.name, entry);
      entries.push(entry);
    });
  }

  // Placements, once every project is known.
  for (const entry of entries) {
    if (!entry.environment) continue;
    const where = at(entry.section, entry.index, ".environment");
    const project = projects.find((p) => p.name === entry.environment!.project);
    const envs = ((project?.args.environments ?? []) as { name: string }[]).map((e) => e.name);
    if (!project)
      problems.push(
        `${where}: no project ${JSON.stringify(entry.environment.project)} in ${namespace}:${projectsSection}${projects.length === 0 ? " (none listed)" : `; listed: ${allowed(projects.map((p) => p.name))}`}`,
      );
    else if (!envs.includes(entry.environment.name))
      problems.push(
        `${where}: project ${JSON.stringify(project.name)} has no environment ${JSON.stringify(entry.environment.name)}; it has: ${allowed(envs)}`,
      );
  }

  // Links by name, once every name is known.
  const secretKeys = new Set<string>();
  for (const entry of entries)
    entry.envVars.forEach((v, i) => {
      const where = at(entry.section, entry.index, `.envVars[${rawIndex.get(v) ?? i}]`);
      if ("fromDatabase" in v && !names.get("databases")!.has(v.fromDatabase.name))
        problems.push(
          `${where}.fromDatabase.name: no database ${JSON.stringify(v.fromDatabase.name)} in ${namespace}:databases${known(names.get("databases")!)}`,
        );
      if ("fromService" in v) {
        const keyValue = v.fromService.type === "keyvalue" || v.fromService.type === "redis";
        const target = names.get(keyValue ? "keyValues" : "services")!.get(v.fromService.name);
        if (!target)
          problems.push(
            `${where}.fromService.name: no ${keyValue ? "Key Value" : "service"} ${JSON.stringify(v.fromService.name)} in ${namespace}:${keyValue ? "keyValues" : "services"}${known(names.get(keyValue ? "keyValues" : "services")!)}`,
          );
        else if (!keyValue && target.type !== v.fromService.type)
          problems.push(
            `${where}.fromService.type: service ${JSON.stringify(v.fromService.name)} is of type ${JSON.stringify(target.type)}, not ${JSON.stringify(v.fromService.type)}`,
          );
        if (keyValue && v.fromService.envVarKey !== undefined)
          problems.push(
            `${where}.fromService.envVarKey: a Key Value has no env vars; use property: connectionString, host, port or hostport`,
          );
        if (
          target &&
          !keyValue &&
          v.fromService.envVarKey !== undefined &&
          (renderExternalEnvVars as readonly string[]).includes(v.fromService.envVarKey) &&
          !target.envVars.some((t) => "key" in t && t.key === v.fromService.envVarKey) &&
          target.kind !== "webService" &&
          target.kind !== "staticSite"
        )
          problems.push(
            `${where}.fromService.envVarKey: Render sets ${v.fromService.envVarKey} on a web service or static site only; ${JSON.stringify(v.fromService.name)} is a ${target.kind}`,
          );
        // A web service's or static site's own URL is its kind's own-address env var.
        if (
          target === entry &&
          entry.kind !== "webService" &&
          entry.kind !== "staticSite" &&
          v.fromService.envVarKey !== undefined &&
          (renderExternalEnvVars as readonly string[]).includes(v.fromService.envVarKey) &&
          !entry.envVars.some((t) => "key" in t && t.key === v.fromService.envVarKey)
        )
          problems.push(
            `${where}.fromService.envVarKey: only a web service or static site links its own ${v.fromService.envVarKey}; ${JSON.stringify(entry.name)} is a ${entry.kind}`,
          );
        if (!keyValue && v.fromService.property === "connectionString")
          problems.push(
            `${where}.fromService.property: connectionString is a Key Value's; a service links host, port or hostport`,
          );
      }
      // A fromGroup naming no group of the stack links the workspace's group of that name, as Render
      // does (looked up at preview, never created: RenderEnvGroupLink's envGroupName).
      if ("secretKey" in v) {
        secretKeys.add(v.secretKey);
        if (secrets && !secrets.includes(v.secretKey))
          problems.push(
            `${where}: sync: false needs its value in the stack's secrets; set it with \`pulumi config set --secret --path ${namespace}:secrets.${v.secretKey} <value>\``,
          );
      }
    });

  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, app: { entries, projects, secretKeys: [...secretKeys].sort() } };
}

/**
 * Reads `<namespace>:projects`: each a project with its environments, validated by the project kind's
 * own schema (render.yaml spellings read), names unique. Problems name their config path.
 */
function readProjects(
  text: string | undefined,
  problem: (path: string, message: string) => void,
): AppProject[] {
  if (text === undefined) return [];
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = text;
  }
  if (!Array.isArray(value)) {
    problem("", "must be a list of {name, environments} (render.yaml's projects)");
    return [];
  }
  const projects: AppProject[] = [];
  value.forEach((raw: unknown, index) => {
    const at = (path: string, message: string) => problem(`[${index}]${path}`, message);
    if (!isObject(raw)) return at("", "must be a project {name, environments}");
    for (const key of Object.keys(raw))
      if (!projectKeys.includes(key))
        at(`.${key}`, `is not a project key; allowed: ${projectKeys.join(", ")}`);
    if (Array.isArray(raw.environments))
      raw.environments.forEach((e: unknown, j) => {
        if (isObject(e))
          for (const key of Object.keys(e))
            if (!environmentKeys.includes(key))
              at(
                `.environments[${j}].${key}`,
                `is not an environment key; allowed: ${environmentKeys.join(", ")} (its resources are entries of the other sections with environment: <project>/<environment>)`,
              );
      });
    const spelled = fromProjectBlueprintSpelling({ name: raw.name, environments: raw.environments });
    const args: Record<string, unknown> = {};
    for (const key of ["name", "environments"] as const) {
      const parsed = projectFields[key].safeParse(spelled[key]);
      if (parsed.success) args[key] = parsed.data;
      else for (const issue of parsed.error.issues) at(`.${propertyPath(key, issue.path)}`, issue.message);
    }
    if (typeof args.name !== "string") return;
    if (projects.some((p) => p.name === args.name))
      return at(".name", `${JSON.stringify(args.name)} is listed twice in projects`);
    // Environments that fail their checks still name themselves, so placements are not reported twice.
    const named = (Array.isArray(raw.environments) ? raw.environments : []).flatMap((e: unknown) =>
      isObject(e) && typeof e.name === "string" ? [{ name: e.name }] : [],
    );
    const project: AppProject = {
      index,
      name: args.name,
      args: { environments: args.environments ?? named },
    };
    if (raw.importId !== undefined) {
      if (typeof raw.importId !== "string" || !/^prj-[a-z0-9]+$/.test(raw.importId))
        at(".importId", 'must be the live project\'s id like "prj-…" (its dashboard URL has it)');
      else project.importId = raw.importId;
    }
    if (raw.protect !== undefined) {
      if (typeof raw.protect !== "boolean") at(".protect", "must be true or false");
      else project.protect = raw.protect;
    }
    projects.push(project);
  });
  return projects;
}

function known(names: Map<string, unknown>): string {
  return names.size === 0 ? " (none listed)" : `; listed: ${allowed([...names.keys()])}`;
}

function readEntry(
  kind: BlueprintKind,
  section: VocabularySection,
  index: number,
  raw: Raw,
  problem: (path: string, message: string) => void,
): AppEntry {
  const { args, failures } = toKindArgs(kind, raw);
  for (const f of failures) problem(`.${f.property}`, f.reason);
  const entry: AppEntry = {
    section,
    index,
    kind: kind.kind,
    ...(section === "services" ? { type: String(raw.type) } : {}),
    name: raw.name as string,
    args,
    envVars: [],
  };
  if (raw.importId !== undefined) {
    if (typeof raw.importId !== "string" || !raw.importId.startsWith(kind.idPrefix))
      problem(
        ".importId",
        `must be the live ${kind.kind}'s id like "${kind.idPrefix}…" (its dashboard URL has it)`,
      );
    else entry.importId = raw.importId;
  }
  if (raw.protect !== undefined) {
    if (typeof raw.protect !== "boolean") problem(".protect", "must be true or false");
    else entry.protect = raw.protect;
  }
  if (raw.environment !== undefined) {
    const parts = typeof raw.environment === "string" ? raw.environment.split("/") : [];
    if (parts.length !== 2 || parts.some((p) => p.trim() === ""))
      problem(
        ".environment",
        `must be <project>/<environment>, a project of the stack's projects and one of its environments (got ${JSON.stringify(raw.environment)})`,
      );
    else entry.environment = { project: parts[0]!, name: parts[1]! };
  }
  if (raw.extensions !== undefined) {
    if (
      !Array.isArray(raw.extensions) ||
      raw.extensions.some((e) => typeof e !== "string" || !/^[a-z_][a-z0-9_]*$/.test(e))
    )
      problem(".extensions", 'must be a list of PostgreSQL extension names such as ["vector"]');
    else entry.extensions = raw.extensions as string[];
  }
  if (raw.domains !== undefined) {
    if (!Array.isArray(raw.domains))
      problem(".domains", "must be a list of domain names, e.g. [example.com]");
    else {
      const domains: string[] = [];
      raw.domains.forEach((d, i) => {
        const parsed = customDomainFields.name.safeParse(d);
        if (!parsed.success) problem(`.domains[${i}]`, parsed.error.issues.map((x) => x.message).join("; "));
        else if (domains.includes(parsed.data)) problem(`.domains[${i}]`, `${parsed.data} is listed twice`);
        else domains.push(parsed.data);
      });
      const sibling = (d: string) => (d.startsWith("www.") ? d.slice(4) : `www.${d}`);
      entry.domains = domains.filter((d, i) => !domains.slice(0, i).includes(sibling(d)));
    }
  }
  if (raw.disk !== undefined) {
    if (!isObject(raw.disk)) problem(".disk", "must be {name, mountPath, sizeGB}");
    else {
      const disk: Record<string, unknown> = {};
      for (const key of Object.keys(raw.disk))
        if (!["name", "mountPath", "sizeGB"].includes(key))
          problem(`.disk.${key}`, "is not a disk key; allowed: name, mountPath, sizeGB");
      for (const key of ["name", "mountPath", "sizeGB"] as const) {
        const parsed = diskFields[key].safeParse(raw.disk[key]);
        if (!parsed.success) problem(`.disk.${key}`, parsed.error.issues.map((x) => x.message).join("; "));
        else disk[key] = parsed.data;
      }
      entry.disk = disk as AppEntry["disk"];
    }
  }
  // An env group's `sync: false` vars: values from the stack's secrets (its other vars are its fields).
  if (kind.kind === "envGroup" && Array.isArray(raw.envVars))
    raw.envVars.forEach((v: unknown, i) => {
      const item = v as Record<string, unknown> | null;
      if (item && typeof item === "object" && item.sync === false) {
        const read = readEnvVar(v);
        if ("problem" in read) problem(`.envVars[${i}]${read.path}`, read.problem);
        else {
          rawIndex.set(read.envVar, i);
          entry.envVars.push(read.envVar);
        }
      }
    });
  if (kind.envVars && raw.envVars !== undefined) {
    if (!Array.isArray(raw.envVars)) problem(".envVars", "must be a list of {key, value | fromDatabase | …}");
    else
      raw.envVars.forEach((v, i) => {
        const read = readEnvVar(v);
        if ("problem" in read) problem(`.envVars[${i}]${read.path}`, read.problem);
        else {
          rawIndex.set(read.envVar, i);
          entry.envVars.push(read.envVar);
        }
      });
    const keys = new Set<string>();
    for (const v of entry.envVars)
      if ("key" in v) {
        if (keys.has(v.key)) problem(".envVars", `${v.key} is set twice`);
        keys.add(v.key);
      }
  }
  return entry;
}

const envVarShapes =
  "{key, value}, {key, generateValue: true}, {key, sync: false}, {key, fromDatabase}, {key, fromService} or {fromGroup}";

/** One render.yaml `envVars[]` item -> a typed source, or what is wrong with it. */
export function readEnvVar(raw: unknown): { envVar: AppEnvVar } | { path: string; problem: string } {
  if (!isObject(raw)) return { path: "", problem: `must be one of ${envVarShapes}` };
  if (raw.fromGroup !== undefined) {
    const extra = Object.keys(raw).filter((k) => k !== "fromGroup");
    if (typeof raw.fromGroup !== "string" || raw.fromGroup === "")
      return {
        path: ".fromGroup",
        problem: "must be the name of an env group of this app or of the workspace",
      };
    if (extra.length > 0)
      return {
        path: "",
        problem: `fromGroup links a whole group and takes no other key (got ${extra.join(", ")})`,
      };
    return { envVar: { fromGroup: raw.fromGroup } };
  }
  const key = raw.key;
  if (typeof key !== "string" || !envVarKeyPattern.test(key))
    return {
      path: ".key",
      problem:
        typeof key === "string"
          ? `${JSON.stringify(key)} is not a valid env var key: use letters, digits and '_', not starting with a digit`
          : `is required (or fromGroup); must be one of ${envVarShapes}`,
    };
  // render.yaml's documentation keys of an env var: nothing the program applies, nothing lost on Render.
  const sources = Object.keys(raw).filter(
    (k) => !["key", "displayName", "description", "sensitive"].includes(k),
  );
  if (sources.length !== 1)
    return {
      path: "",
      problem: `${key}: needs exactly one of value, generateValue, sync: false, fromDatabase, fromService (got ${sources.join(", ") || "none"})`,
    };
  const source = sources[0]!;
  const value = raw[source];
  switch (source) {
    case "value":
      if (typeof value === "string") return { envVar: { key, value } };
      if (typeof value === "number" || typeof value === "boolean")
        return { envVar: { key, value: String(value) } };
      return { path: ".value", problem: "must be a string" };
    case "generateValue":
      if (value === true || value === "yes") return { envVar: { key, generateValue: true } };
      return { path: ".generateValue", problem: "must be true (Render generates the value once)" };
    case "sync":
      if (value === false) return { envVar: { key, secretKey: key } };
      return {
        path: ".sync",
        problem: "must be false (a secret set outside the file: here, in the stack's secrets)",
      };
    case "fromDatabase": {
      if (!isObject(value) || typeof value.name !== "string")
        return {
          path: ".fromDatabase",
          problem: `must be {name, property}; property is one of ${allowed(databaseLinkProperties)}`,
        };
      const extra = Object.keys(value).filter((k) => k !== "name" && k !== "property");
      if (extra.length > 0)
        return {
          path: ".fromDatabase",
          problem: `unknown key(s) ${extra.join(", ")}; allowed: name, property`,
        };
      if (!(databaseLinkProperties as readonly unknown[]).includes(value.property))
        return {
          path: ".fromDatabase.property",
          problem: `${JSON.stringify(value.property)} is not a database property; allowed: ${allowed(databaseLinkProperties)}`,
        };
      return {
        envVar: { key, fromDatabase: { name: value.name, property: value.property as DatabaseLinkProperty } },
      };
    }
    case "fromService": {
      if (!isObject(value) || typeof value.name !== "string" || typeof value.type !== "string")
        return {
          path: ".fromService",
          problem: `must be {type, name, property} or {type, name, envVarKey}; property is one of ${allowed(serviceLinkProperties)}`,
        };
      const extra = Object.keys(value).filter((k) => !["type", "name", "property", "envVarKey"].includes(k));
      if (extra.length > 0)
        return {
          path: ".fromService",
          problem: `unknown key(s) ${extra.join(", ")}; allowed: type, name, property, envVarKey`,
        };
      if ((value.property === undefined) === (value.envVarKey === undefined))
        return { path: ".fromService", problem: "needs exactly one of property, envVarKey" };
      if (
        value.property !== undefined &&
        !(serviceLinkProperties as readonly unknown[]).includes(value.property)
      )
        return {
          path: ".fromService.property",
          problem: `${JSON.stringify(value.property)} is not a service property; allowed: ${allowed(serviceLinkProperties)}`,
        };
      if (
        value.envVarKey !== undefined &&
        (typeof value.envVarKey !== "string" || !envVarKeyPattern.test(value.envVarKey))
      )
        return { path: ".fromService.envVarKey", problem: "must be an env var key of that service" };
      return {
        envVar: {
          key,
          fromService: {
            type: value.type,
            name: value.name,
            ...(value.property !== undefined ? { property: value.property as ServiceLinkProperty } : {}),
            ...(value.envVarKey !== undefined ? { envVarKey: value.envVarKey as string } : {}),
          },
        },
      };
    }
    default:
      return {
        path: `.${source}`,
        problem: `is not an env var key render.yaml documents; use one of ${envVarShapes}`,
      };
  }
}
