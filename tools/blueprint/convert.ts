/**
 * A validated Blueprint -> the program's stack config in render.yaml's own vocabulary:
 * `arrakis:services`, `arrakis:databases`, `arrakis:keyValues` and `arrakis:envVarGroups`, each a list of
 * entries with render.yaml's keys, plus `importId` (adopt by id) and `protect`. Every service, database,
 * Key Value and env group is converted wherever the Blueprint declares it (root, `ungrouped`, project
 * environments). A key the program does not carry is listed as a loss with its line, never refused.
 * Pure: the live resources (if looked up) come in as data. Never reads, invents or writes a secret value:
 * `sync: false` vars become `pulumi config set --secret` lines to run.
 */
import {
  modeledEnvVarKeys,
  modeledKeysOf,
  modeledPreviewKeys,
  sectionOf,
  unmodeledServiceReason,
  type Section,
} from "./modeled";
import type { Blueprint, BlueprintEnvVar, Located } from "./validate";

/** Something the importer reports, located in the Blueprint where it can be. */
export interface Finding {
  /** YAML path (`services[0].domains`), or a name such as `live service` for facts from Render. */
  path: string;
  line?: number;
  message: string;
}

/** What was found on Render: the workspace and the ids of the entries that exist live. */
export interface LiveResources {
  /** The workspace the resources live in (or the only one the key can see). */
  ownerId?: string;
  /** Live ids by {@link liveKey} (`services/web/name`, `databases/name`, …). */
  ids?: Map<string, string>;
  /** Keys (never values) of the env vars set on each live service, by service id. */
  envVarKeys?: Map<string, string[]>;
}

/** The key of an entry in {@link LiveResources.ids}: section, service type (services only), name. */
export function liveKey(section: Section, name: string, serviceType?: string): string {
  return section === "services" ? `services/${serviceType}/${name}` : `${section}/${name}`;
}

/** Choices the Blueprint cannot carry. */
export interface ConvertOptions {
  /** Workspace id for `render:ownerId` (wins over what the lookup found). */
  ownerId?: string;
  /** The Render API base URL to write as `render:apiUrl` (only when not Render's own). */
  apiUrl?: string;
  /** `arrakis:monthlyBudgetUsd`. */
  monthlyBudgetUsd?: number;
  /** Repository URL for services that omit `repo` (Render then uses the repository holding render.yaml). */
  repo?: string;
  /** Where {@link repo} came from, for the notes (`--repo`, `the git remote origin`). */
  repoSource?: string;
  /** Stack name, for the printed commands. */
  stack?: string;
}

/** The program's config namespace (Pulumi.yaml `name`). */
export const namespace = "arrakis";

/** The stack config key of a `sync: false` var's secret: `arrakis:secrets` holds one map per service. */
export function secretConfigPath(service: string, key: string): string {
  const part = (s: string) => (/^[A-Za-z0-9_-]+$/.test(s) ? `.${s}` : `[${JSON.stringify(s)}]`);
  return `${namespace}:secrets${part(service)}${part(key)}`;
}

/** The result of a conversion: config to write, or errors; losses and notes either way. */
export interface Conversion {
  /** Stack config entries in file order (`namespace:key` -> value); empty when there are errors. */
  config: Record<string, unknown>;
  /** Problems that stop the import (nothing is written). */
  errors: Finding[];
  /** Blueprint content the program would not carry: non-zero exit unless accepted. */
  losses: Finding[];
  /** Defaults chosen, adoptions and other facts worth reading. */
  notes: string[];
  /** Commands the user runs to set secrets (values never included). */
  secretCommands: string[];
  /** How many entries of each list were written. */
  counts: Record<Section, number>;
}

/** The line of a YAML path, or of its nearest ancestor that has one. */
export function lineOf(bp: Blueprint, path: string): number | undefined {
  for (let p = path; p;) {
    const line = bp.lines.get(p);
    if (line !== undefined) return line;
    const parent = p.replace(/(\.[^.[\]]+|\[\d+\])$/, "");
    if (parent === p) break;
    p = parent;
  }
  return undefined;
}

/** Why a key is lost, when there is more to say than "not modeled". */
const whyLost: Record<string, string> = {
  scaling: "autoscaling is not modeled: the instance count would be fixed, not scaled",
  maxShutdownDelaySeconds: "not modeled: Render's default (30 s) would apply",
  initialDeployHook: "not modeled: the command would not run after the first deploy",
  maintenanceMode: "maintenance mode is not modeled",
  renderSubdomainPolicy: "not modeled: the onrender.com subdomain stays as Render sets it",
  previewPlan: "preview environments are not modeled",
  previewDiskSizeGB: "preview environments are not modeled",
  previewValue: "preview environments are not modeled",
  displayName: "a dashboard annotation of the var; not modeled",
  description: "a dashboard annotation of the var; not modeled",
  sensitive: "a dashboard annotation of the var; not modeled",
};

/** A repository URL as Render stores it (no `.git`). */
function repoUrl(repo: string): string {
  return repo.replace(/\.git$/, "");
}

/** The Render service type of a Blueprint service (for the lookup and the messages). */
export function apiServiceType(s: { type: string; runtime?: string; env?: string }): string {
  if ((s.runtime ?? s.env) === "static") return "static_site";
  return (
    { web: "web_service", pserv: "private_service", worker: "background_worker", cron: "cron_job" }[s.type] ??
    s.type
  );
}

/** Converts a validated Blueprint (and, optionally, what Render has live) into stack config. */
export function convertBlueprint(
  bp: Blueprint,
  options: ConvertOptions = {},
  live: LiveResources = {},
): Conversion {
  const errors: Finding[] = [];
  const losses: Finding[] = [];
  const notes: string[] = [];
  const lose = (path: string, message: string) => losses.push({ path, line: lineOf(bp, path), message });
  const fail = (path: string, message: string) => errors.push({ path, line: lineOf(bp, path), message });
  const stackFlag = options.stack ? ` --stack ${options.stack}` : "";
  const secretCommands = [`pulumi config set --secret render:apiKey <Render API key>${stackFlag}`];
  const lists: Record<Section, Record<string, unknown>[]> = {
    services: [],
    databases: [],
    keyValues: [],
    envVarGroups: [],
  };

  // What links may name: the entries that will be in the stack.
  const converted = bp.services.filter((s) => unmodeledServiceReason(s.value) === undefined);
  const databaseNames = new Set(bp.databases.map((d) => d.value.name));
  const groupNames = new Set(bp.envVarGroups.map((g) => g.value.name));
  const keyValueNames = new Set(
    converted.filter((s) => sectionOf(s.value) === "keyValues").map((s) => s.value.name),
  );
  const serviceTypes = new Map<string, Set<string>>();
  for (const s of converted)
    if (sectionOf(s.value) === "services")
      serviceTypes.set(s.value.name, (serviceTypes.get(s.value.name) ?? new Set()).add(s.value.type));

  const adopt = (entry: Record<string, unknown>, key: string) => {
    const id = live.ids?.get(key);
    if (id !== undefined) entry.importId = id;
  };

  /** The env var list of a service or group, each kept key a modeled one; links checked against the stack. */
  const envVarsOf = (vars: BlueprintEnvVar[], path: string, owner?: string): Record<string, unknown>[] => {
    const out: Record<string, unknown>[] = [];
    vars.forEach((e, i) => {
      const p = `${path}[${i}]`;
      const entry: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(e)) {
        if (v === undefined) continue;
        if (modeledEnvVarKeys.has(k)) entry[k] = v;
        else lose(`${p}.${k}`, whyLost[k] ?? "not modeled by the program: the value would be lost");
      }
      if (e.fromDatabase && !databaseNames.has(e.fromDatabase.name)) {
        lose(
          p,
          `${e.key}: links to database ${JSON.stringify(e.fromDatabase.name)}, which the Blueprint does not declare; the program links by name within the stack, so the var would not be set`,
        );
        return;
      }
      if (e.fromService) {
        const type = e.fromService.type === "redis" ? "keyvalue" : e.fromService.type;
        const found =
          type === "keyvalue"
            ? keyValueNames.has(e.fromService.name)
            : (serviceTypes.get(e.fromService.name)?.has(type) ?? false);
        if (!found) {
          lose(
            p,
            `${e.key}: links to ${type} ${JSON.stringify(e.fromService.name)}, which the Blueprint does not declare (or the program does not carry); the var would not be set`,
          );
          return;
        }
        entry.fromService = { ...e.fromService, type };
      }
      if (e.fromGroup !== undefined && !groupNames.has(e.fromGroup)) {
        lose(
          p,
          `links to env group ${JSON.stringify(e.fromGroup)}, which the Blueprint does not declare; the link would not be made`,
        );
        return;
      }
      if (e.sync === false && owner !== undefined && e.key !== undefined)
        secretCommands.push(
          `pulumi config set --secret --path '${secretConfigPath(owner, e.key)}' <value>${stackFlag}`,
        );
      out.push(entry);
    });
    return out;
  };

  /** One entry: the modeled keys kept (render.yaml spelling), each other key a loss. */
  const entryOf = (section: Section, located: Located<Record<string, unknown>>) => {
    const { path, value } = located;
    const modeled = modeledKeysOf(section, value);
    const entry: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      if (v === undefined) continue;
      if (!modeled.has(key)) {
        lose(
          `${path}.${key}`,
          whyLost[key] ?? `not modeled by the program for this kind: the value would be lost`,
        );
        continue;
      }
      if (key === "envVars") {
        entry.envVars = envVarsOf(
          v as BlueprintEnvVar[],
          `${path}.envVars`,
          section === "services" ? String(value.name) : undefined,
        );
      } else if (key === "env") {
        // `env` is render.yaml's deprecated spelling of runtime.
        if (value.runtime === undefined) entry.runtime = v;
      } else if (key === "type" && section === "keyValues") {
        if (v === "redis")
          notes.push(`${path}: type redis is Render's deprecated alias of keyvalue; written as a Key Value`);
      } else if (key === "previews") {
        const previews: Record<string, unknown> = {};
        for (const [pk, pv] of Object.entries(v as Record<string, unknown>)) {
          if (pv === undefined) continue;
          if (modeledPreviewKeys.has(pk)) previews[pk] = pv;
          else
            lose(
              `${path}.previews.${pk}`,
              "preview instances are not modeled: Render's defaults would apply",
            );
        }
        if (Object.keys(previews).length > 0) entry.previews = previews;
      } else if (key === "repo") entry.repo = repoUrl(String(v));
      else entry[key] = v;
    }
    return entry;
  };

  // In file order, wherever declared (root, ungrouped, project environments).
  const inFileOrder = <T>(list: Located<T>[]) =>
    [...list].sort((a, b) => (bp.lines.get(a.path) ?? 0) - (bp.lines.get(b.path) ?? 0));
  for (const s of inFileOrder(bp.services)) {
    const reason = unmodeledServiceReason(s.value);
    if (reason) {
      lose(
        s.path,
        `service ${JSON.stringify(s.value.name)} (type ${s.value.type}): ${reason}; it would not be managed`,
      );
      continue;
    }
    const section = sectionOf(s.value);
    const entry = entryOf(section, s as Located<Record<string, unknown>>);
    if (section === "services") {
      const runtime = s.value.runtime ?? s.value.env;
      if (runtime !== "image" && s.value.repo === undefined) {
        if (options.repo !== undefined) {
          entry.repo = repoUrl(options.repo);
          notes.push(
            `${s.path} (${s.value.name}): repo is not set; wrote ${entry.repo} from ${options.repoSource ?? "--repo"}`,
          );
        } else
          fail(
            `${s.path}.repo`,
            "is not set (Render then uses the repository holding render.yaml): pass --repo <https URL>, or run the command where the git remote origin says it",
          );
      }
      adopt(entry, liveKey("services", s.value.name, apiServiceType(s.value)));
      const liveKeys = live.envVarKeys?.get(String(entry.importId));
      const declared = new Set((s.value.envVars ?? []).map((e) => e.key));
      for (const key of liveKeys ?? [])
        if (!declared.has(key))
          lose(
            s.path,
            `${s.value.name}: env var ${key} is set on Render but not in the Blueprint: the program manages the service's whole set, so pulumi up would delete it`,
          );
    } else adopt(entry, liveKey("keyValues", s.value.name));
    lists[section].push(entry);
  }
  for (const d of inFileOrder(bp.databases)) {
    const entry = entryOf("databases", d as unknown as Located<Record<string, unknown>>);
    // A database holds the app's data: a stray `pulumi destroy` must not delete it.
    entry.protect = true;
    adopt(entry, liveKey("databases", d.value.name));
    lists.databases.push(entry);
  }
  for (const g of inFileOrder(bp.envVarGroups)) {
    const entry = entryOf("envVarGroups", g as unknown as Located<Record<string, unknown>>);
    adopt(entry, liveKey("envVarGroups", g.value.name));
    lists.envVarGroups.push(entry);
  }
  reportRootContent(bp, lose, notes);

  const config: Record<string, unknown> = {};
  const ownerId = options.ownerId ?? live.ownerId;
  if (ownerId !== undefined) config["render:ownerId"] = ownerId;
  else
    notes.push(
      `render:ownerId is not known: set it with \`pulumi config set render:ownerId tea-…${stackFlag}\``,
    );
  if (options.apiUrl !== undefined) config["render:apiUrl"] = options.apiUrl;
  if (options.monthlyBudgetUsd !== undefined)
    config[`${namespace}:monthlyBudgetUsd`] = String(options.monthlyBudgetUsd);
  for (const section of ["services", "databases", "keyValues", "envVarGroups"] as const)
    config[`${namespace}:${section}`] = lists[section];
  const adopted = Object.values(lists)
    .flat()
    .filter((e) => e.importId !== undefined).length;
  if (adopted > 0)
    notes.push(
      `${adopted} live resource(s) found by name: written as importId, so the first pulumi up takes over exactly those objects, changing only what differs`,
    );
  return {
    config: errors.length > 0 ? {} : config,
    errors,
    // In file order; findings without a line last.
    losses: losses.sort((a, b) => (a.line ?? Number.MAX_SAFE_INTEGER) - (b.line ?? Number.MAX_SAFE_INTEGER)),
    notes,
    secretCommands,
    counts: {
      services: lists.services.length,
      databases: lists.databases.length,
      keyValues: lists.keyValues.length,
      envVarGroups: lists.envVarGroups.length,
    },
  };
}

/** Root and project content besides the resources: previews, projects and environments. */
function reportRootContent(
  bp: Blueprint,
  lose: (path: string, message: string) => void,
  notes: string[],
): void {
  const raw = bp.raw;
  (Array.isArray(raw.projects) ? raw.projects : []).forEach(
    (p: { name?: string; environments?: Record<string, unknown>[] }, i) =>
      (p.environments ?? []).forEach((env, j) => {
        const prefix = `projects[${i}].environments[${j}]`;
        lose(
          prefix,
          `project ${JSON.stringify(p.name)} environment ${JSON.stringify(env.name)}: projects and environments are not modeled; its resources are converted but would not be placed in it`,
        );
        for (const field of ["networking", "permissions"])
          if (env[field] !== undefined) lose(`${prefix}.${field}`, "environment settings are not modeled");
      }),
  );
  const previews = raw.previews as { generation?: string; expireAfterDays?: number } | undefined;
  if (previews?.generation !== undefined && previews.generation !== "off")
    lose("previews.generation", `preview environments (${previews.generation}) are not modeled`);
  const previewsOn =
    (previews?.generation !== undefined && previews.generation !== "off") || raw.previewsEnabled === true;
  // With preview environments off, an expiry has nothing to expire: nothing is lost (ToolJet's file).
  for (const path of ["previews.expireAfterDays", "previewsExpireAfterDays"]) {
    const set = path === "previewsExpireAfterDays" ? raw.previewsExpireAfterDays : previews?.expireAfterDays;
    if (set === undefined) continue;
    if (previewsOn) lose(path, "preview environments are not modeled");
    else notes.push(`${path}: preview environments are off, so the expiry has no effect; not written`);
  }
  if (raw.previewsEnabled === true) lose("previewsEnabled", "preview environments are not modeled");
}
