/**
 * A validated Blueprint -> the program's stack config in render.yaml's own vocabulary:
 * `arrakis:services`, `arrakis:databases`, `arrakis:keyValues` and `arrakis:envVarGroups`, each a list of
 * entries with render.yaml's keys, plus `importId` (adopt by id) and `protect`. Every service, database,
 * Key Value and env group is converted wherever the Blueprint declares it (root, `ungrouped`, project
 * environments). A key the program does not carry is listed as a loss with its line, never refused.
 * Pure: the live resources (if looked up) come in as data. Never reads, invents or writes a secret value:
 * `sync: false` vars become `pulumi config set --secret` lines to run.
 */
import { renderExternalEnvVars, toKindArgs, type BlueprintKind } from "../../components/blueprint/kinds";
import { projectsSection, readAppVocabulary } from "../../components/blueprint/vocabulary";
import { envVarKeyPattern } from "../../components/webService/schema";
import { carries, entryKind, modeledEnvVarKeys, sectionOf, type Section } from "./modeled";
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
  /**
   * Settings of each live object a Blueprint may omit (plan, region, postgresMajorVersion), by
   * {@link liveKey}, in render.yaml's keys: Render keeps the current value when the Blueprint omits one,
   * so the stack must say the live value, not a default.
   */
  values?: Map<string, Record<string, unknown>>;
}

/**
 * Render's values for a key a Blueprint omits on a new resource (render.com/docs/blueprint-spec): written
 * when the program's kind requires the key. postgresMajorVersion is "the most recent version supported"
 * (17 in the docs copy read; UNCONFIRMED whether 18 is the default today).
 */
const renderDefaults: Record<Section, Record<string, unknown>> = {
  services: { plan: "starter", region: "oregon" },
  databases: { plan: "basic_256mb", postgresMajorVersion: "17", region: "oregon" },
  keyValues: { plan: "starter", region: "oregon" },
  envVarGroups: {},
};

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

/**
 * The stack config key of a `sync: false` var's secret: the program reads `arrakis:secrets.<KEY>`
 * (components/blueprint/vocabulary.ts), one value per key for the whole app.
 */
export function secretConfigPath(key: string): string {
  return `${namespace}:secrets.${key}`;
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

  // Every entry, in file order wherever declared (root, ungrouped, project environments), with the
  // section it goes to and the kind the program makes of it (components/blueprint/kinds.ts), or why none.
  interface Planned {
    path: string;
    value: Record<string, unknown>;
    section: Section;
    kind?: BlueprintKind;
    problem?: string;
  }
  const plan = (section: Section, located: Located<unknown>): Planned => {
    const value = located.value as Record<string, unknown>;
    const found = entryKind(section, section === "keyValues" ? { name: value.name } : value);
    return "kind" in found
      ? { path: located.path, value, section, kind: found.kind }
      : { path: located.path, value, section, problem: found.problem };
  };
  const planned = [
    ...bp.services.map((s) => plan(sectionOf(s.value), s)),
    ...bp.databases.map((d) => plan("databases", d)),
    ...bp.envVarGroups.map((g) => plan("envVarGroups", g)),
  ].sort((a, b) => (bp.lines.get(a.path) ?? 0) - (bp.lines.get(b.path) ?? 0));

  // Filled after pass 1 below (what the stack holds); read by envVarsOf in pass 2.
  let databaseNames = new Set<string>();
  let groupNames = new Set<string>();
  /** The env groups the Blueprint declares (a fromGroup naming none of them is the workspace's). */
  const declaredGroups = new Set(bp.envVarGroups.map((g) => String((g.value as { name?: unknown }).name)));
  let keyValueNames = new Set<string>();
  const serviceTypes = new Map<string, Set<string>>();
  /** The env var keys each service declares (`type/name`), for `fromService.envVarKey`. */
  const declaredVars = new Map<string, Set<string>>();
  // Filled before pass 2: whether a URL link from one web service to another closes a loop.
  let urlLinkLoop: (from: string, to: string) => boolean = () => false;
  const secretKeys = new Set<string>();

  const adopt = (entry: Record<string, unknown>, key: string) => {
    const id = live.ids?.get(key);
    if (id !== undefined) entry.importId = id;
  };

  /**
   * The env var list of a service or group, each kept key a modeled one; links checked against the
   * stack. `self` is the name of the web service whose list it is (its own URL links are carried).
   */
  const envVarsOf = (vars: BlueprintEnvVar[], path: string, self?: string): Record<string, unknown>[] => {
    const out: Record<string, unknown>[] = [];
    vars.forEach((e, i) => {
      const p = `${path}[${i}]`;
      const entry: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(e)) {
        if (v === undefined) continue;
        if (modeledEnvVarKeys.has(k)) entry[k] = v;
        else lose(`${p}.${k}`, whyLost[k] ?? "not modeled by the program: the value would be lost");
      }
      if (e.key !== undefined && !envVarKeyPattern.test(e.key)) {
        lose(
          p,
          `${e.key}: the program takes env var keys of letters, digits and '_' only; the var would not be set`,
        );
        return;
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
            `${e.key}: links to ${type} ${JSON.stringify(e.fromService.name)}, which the stack does not hold (not declared, or no kind carries it yet); the var would not be set`,
          );
          return;
        }
        const theirs = e.fromService.envVarKey;
        // A web service's own URL or host name: the web service kind keeps that var equal to it.
        if (
          self !== undefined &&
          e.fromService.name !== self &&
          isExternalUrlLink(e, declaredVars) &&
          urlLinkLoop(self, e.fromService.name)
        ) {
          // A URL is known only once its service exists: a loop of such links cannot be built.
          lose(
            p,
            `${e.key}: links to ${JSON.stringify(e.fromService.name)}'s ${theirs}, in a loop of URL links (each URL exists only once its service does; Render sets it itself); the var would not be set`,
          );
          return;
        }
        if (
          theirs !== undefined &&
          !(declaredVars.get(`${type}/${e.fromService.name}`)?.has(theirs) ?? false) &&
          // The program reads these from a web service's or static site's url (app/program.ts).
          !(type === "web" && (renderExternalEnvVars as readonly string[]).includes(theirs))
        ) {
          // Render sets RENDER_EXTERNAL_URL and the like on every service itself; the program links only
          // the vars an entry declares (app/program.ts).
          lose(
            p,
            `${e.key}: links to env var ${theirs} of ${type} ${JSON.stringify(e.fromService.name)}, which that service does not declare${theirs.startsWith("RENDER_") ? " (Render sets it itself; the program cannot link it yet)" : ""}; the var would not be set`,
          );
          return;
        }
        entry.fromService = { ...e.fromService, type };
      }
      // A group the Blueprint does not declare: Render links the workspace's group of that name
      // (render.com/tutorials/advanced-blueprint-patterns/env-var-groups: workspace-scoped groups are
      // made in the dashboard and visible to every Blueprint), and so does the program.
      if (e.fromGroup !== undefined && !groupNames.has(e.fromGroup) && declaredGroups.has(e.fromGroup)) {
        lose(
          p,
          `links to env group ${JSON.stringify(e.fromGroup)}, which the stack does not hold (no kind carries it); the link would not be made`,
        );
        return;
      }
      if (e.fromGroup !== undefined && !groupNames.has(e.fromGroup))
        notes.push(
          `${p} (line ${lineOf(bp, p) ?? "?"}): fromGroup ${JSON.stringify(e.fromGroup)} is not declared in the file: the program links the workspace's existing env group of that name (looked up at preview, never created); the preview fails naming it if the workspace has none`,
        );
      if (e.sync === false && e.key !== undefined) secretKeys.add(e.key);
      out.push(entry);
    });
    return out;
  };

  /** One entry: the keys its kind carries (render.yaml spelling), each other key a loss. */
  const entryOf = ({ path, value, section, kind }: Planned & { kind: BlueprintKind }) => {
    const entry: Record<string, unknown> = {};
    const lost = (key: string) =>
      lose(
        `${path}.${key}`,
        whyLost[key] ?? `not modeled by the program for a ${kind.kind}: the value would be lost`,
      );
    for (const [key, v] of Object.entries(value)) {
      if (v === undefined) continue;
      if (key === "type" && section === "keyValues") {
        // The list says what it is; `redis` is Render's deprecated alias of keyvalue.
        if (v === "redis")
          notes.push(`${path}: type redis (Render's old name of keyvalue) written as a Key Value`);
        continue;
      }
      if (key === "envVars") {
        // Written in a second pass, once the stack's entries are known; an env group's are its own field.
        if (!kind.envVars && section !== "envVarGroups") lost(key);
        continue;
      }
      // Newer render.yaml spellings the kind may read under their older names (render.com/docs/blueprint-spec).
      if (key === "autoDeployTrigger" && !carries(kind, key, v) && carries(kind, "autoDeploy", true)) {
        if (v === "checksPass")
          lose(
            `${path}.${key}`,
            "checksPass is not modeled (deploy on every commit, or not at all): wrote autoDeploy false, manual deploys",
          );
        entry.autoDeploy = v === "commit";
        continue;
      }
      if (
        key === "autoDeploy" &&
        value.autoDeployTrigger !== undefined &&
        !carries(kind, "autoDeployTrigger", v)
      )
        continue; // autoDeployTrigger replaces it
      if (key === "previews" && !carries(kind, key, v)) {
        for (const [pk, pv] of Object.entries(v as Record<string, unknown>)) {
          if (pv === undefined) continue;
          if (pk === "generation" && carries(kind, "pullRequestPreviewsEnabled", true)) {
            if (pv === "manual")
              lose(
                `${path}.previews.generation`,
                "manual pull request previews are not modeled (only automatic or off): wrote off",
              );
            entry.pullRequestPreviewsEnabled = pv === "automatic";
          } else lost(`previews.${pk}`);
        }
        continue;
      }
      if (
        key === "pullRequestPreviewsEnabled" &&
        value.previews !== undefined &&
        !carries(kind, "previews", {})
      )
        continue; // previews.generation replaces it
      // Render's docs scope `branch` to Git-based services (render.com/docs/blueprint-spec#branch: "For
      // Git-based services, the branch of the linked repo"); an image service has no repository, so the
      // key has nothing to act on. AnythingLLM's one-click "Deploy to Render" Blueprint sets it on an
      // image service. Whether Render stores it on such a service is UNCONFIRMED; it changes nothing run.
      if (key === "branch" && (value.runtime ?? value.env) === "image") {
        notes.push(
          `${path}.branch (line ${lineOf(bp, `${path}.branch`) ?? "?"}): ignored: an image service pulls image.url and has no repository; Render's docs give branch to Git-based services only`,
        );
        continue;
      }
      if (!carries(kind, key, v)) {
        lost(key);
        continue;
      }
      if (key === "env") {
        // `env` is render.yaml's deprecated spelling of runtime.
        if (value.runtime === undefined) entry.runtime = v;
      } else if (key === "repo") entry.repo = repoUrl(String(v));
      else entry[key] = v;
    }
    return entry;
  };

  const what: Record<Section, string> = {
    services: "service",
    databases: "database",
    keyValues: "Key Value",
    envVarGroups: "env group",
  };
  const wholeLoss = (p: Planned, why: string) =>
    lose(
      p.path,
      `${what[p.section]} ${JSON.stringify(String(p.value.name))}${p.section === "services" ? ` (type ${String(p.value.type)}${(p.value.runtime ?? p.value.env) === "static" ? ", runtime static" : ""})` : ""}: ${why}; it would not be managed`,
    );
  const liveKeyOf = (p: Planned) =>
    p.section === "services"
      ? liveKey("services", String(p.value.name), apiServiceType(p.value as { type: string }))
      : liveKey(p.section, String(p.value.name));

  // Pass 1: each entry with its kind's keys, what Render would fill in, and the kind's own checks.
  const written: { planned: Planned; entry: Record<string, unknown> }[] = [];
  for (const p of planned) {
    const name = String(p.value.name);
    if (!p.kind) {
      wholeLoss(p, p.problem ?? "no kind carries it");
      continue;
    }
    const kind = p.kind;
    // An entry lost whole is one loss: the losses of its keys are dropped with it.
    const lossesBefore = losses.length;
    const dropKeyLosses = () => losses.splice(lossesBefore);
    const entry = entryOf(p as Planned & { kind: BlueprintKind });
    if (p.section === "services") {
      const runtime = p.value.runtime ?? p.value.env;
      if (runtime !== "image" && p.value.repo === undefined) {
        if (options.repo !== undefined) {
          entry.repo = repoUrl(options.repo);
          notes.push(
            `${p.path} (${name}): repo is not set; wrote ${entry.repo} from ${options.repoSource ?? "--repo"}`,
          );
        } else {
          fail(
            `${p.path}.repo`,
            "is not set (Render then uses the repository holding render.yaml): pass --repo <https URL>, or run the command where the git remote origin says it",
          );
          continue;
        }
      }
    }
    // Declared in a project environment: placed there (`environment: <project>/<environment>`).
    const placed = placementOf(bp, p.path);
    if (placed !== undefined) entry.environment = placed;
    adopt(entry, liveKeyOf(p));
    // Render's API cannot create a workflow without its run command (createWorkflow's `runCommand`); what
    // Render's Blueprints do with one that omits `startCommand` is UNCONFIRMED. A live workflow keeps its
    // own (adopted, nothing to create); a new one is lost whole rather than written as a stack whose
    // preview stops at runCommand.
    if (kind.kind === "workflow" && entry.startCommand === undefined) {
      if (entry.importId === undefined) {
        dropKeyLosses();
        wholeLoss(
          p,
          "startCommand is not set, and Render's API needs it to create a workflow (the command that starts its task server, e.g. python main.py): add it to the entry",
        );
        continue;
      }
      notes.push(`${p.path} (${name}): startCommand is not set; the live workflow keeps its own`);
    }
    // A key the Blueprint omits: Render keeps the live value, or uses its default on a new resource.
    const liveValues = live.values?.get(liveKeyOf(p)) ?? {};
    for (const [key, fallback] of Object.entries(renderDefaults[p.section])) {
      if (entry[key] !== undefined || p.value[key] !== undefined || !carries(kind, key, fallback)) continue;
      if (liveValues[key] !== undefined) {
        entry[key] = liveValues[key];
        notes.push(
          `${p.path} (${name}): ${key} is not set; wrote the live ${JSON.stringify(liveValues[key])} (Render keeps it)`,
        );
        continue;
      }
      const field = Object.keys((kind.fromBlueprint ?? ((r) => r))({ [key]: fallback }))[0];
      if (field === undefined || kind.fields[field]?.safeParse(undefined).success) continue;
      entry[key] = fallback;
      notes.push(
        `${p.path} (${name}): ${key} is not set; wrote Render's default for a new ${what[p.section]}, ${JSON.stringify(fallback)}`,
      );
    }
    if (p.section === "databases") entry.protect = true; // the app's data: no stray destroy
    const failures = toKindArgs(kind, entry).failures;
    if (failures.length > 0) {
      dropKeyLosses();
      wholeLoss(
        p,
        `the program cannot carry it yet (${failures.map((f) => `${f.property}: ${f.reason}`).join("; ")})`,
      );
      continue;
    }
    written.push({ planned: p, entry });
  }

  // What links may name: the entries the stack holds.
  const names = (section: Section) =>
    new Set(written.filter((w) => w.planned.section === section).map((w) => String(w.planned.value.name)));
  databaseNames = names("databases");
  groupNames = names("envVarGroups");
  keyValueNames = names("keyValues");
  for (const w of written)
    if (w.planned.section === "services") {
      const name = String(w.planned.value.name);
      serviceTypes.set(name, (serviceTypes.get(name) ?? new Set()).add(String(w.planned.value.type)));
      const vars = (w.planned.value.envVars as BlueprintEnvVar[] | undefined) ?? [];
      declaredVars.set(
        `${String(w.planned.value.type)}/${name}`,
        new Set(vars.flatMap((v) => (v.key === undefined ? [] : [v.key]))),
      );
    }

  // Links to another web service's RENDER_EXTERNAL_URL/HOSTNAME: the program reads them from the
  // target's url, so the target must exist first; links in a loop (two services each linking the
  // other's) cannot be built. A service's link to its own is no edge: its kind keeps the var equal to
  // its URL.
  const urlLinks = new Map<string, Set<string>>();
  for (const w of written)
    if (w.planned.section === "services" && w.planned.value.type === "web") {
      const vars = (w.planned.value.envVars as BlueprintEnvVar[] | undefined) ?? [];
      for (const v of vars)
        if (isExternalUrlLink(v, declaredVars) && v.fromService!.name !== String(w.planned.value.name))
          urlLinks.set(
            String(w.planned.value.name),
            (urlLinks.get(String(w.planned.value.name)) ?? new Set()).add(v.fromService!.name),
          );
    }
  const reaches = (from: string, to: string, seen = new Set<string>()): boolean => {
    if (from === to) return true;
    if (seen.has(from)) return false;
    seen.add(from);
    return [...(urlLinks.get(from) ?? [])].some((next) => reaches(next, to, seen));
  };
  urlLinkLoop = (from, to) => reaches(to, from);

  // Pass 2: env vars (links checked against the stack), live vars the Blueprint lacks, the lists.
  for (const { planned: p, entry } of written) {
    const name = String(p.value.name);
    const vars = p.value.envVars as BlueprintEnvVar[] | undefined;
    if (vars !== undefined && (p.kind!.envVars || p.section === "envVarGroups"))
      entry.envVars = envVarsOf(
        vars,
        `${p.path}.envVars`,
        p.section === "services" && p.kind!.kind === "webService" ? name : undefined,
      );
    if (p.section === "services" && entry.importId !== undefined) {
      const declared = new Set((vars ?? []).map((e) => e.key));
      for (const key of live.envVarKeys?.get(String(entry.importId)) ?? [])
        if (!declared.has(key))
          lose(
            p.path,
            `${name}: env var ${key} is set on Render but not in the Blueprint: the program manages the service's whole set, so pulumi up would delete it`,
          );
    }
    lists[p.section].push(entry);
  }
  for (const key of [...secretKeys].sort())
    secretCommands.push(`pulumi config set --secret --path ${secretConfigPath(key)} <value>${stackFlag}`);

  const projects = projectsOf(bp);

  // The program's own reading of the whole app, as `pulumi up` will read it.
  if (errors.length === 0) {
    const read = readAppVocabulary(
      (key) =>
        key === projectsSection
          ? projects.length > 0
            ? JSON.stringify(projects)
            : undefined
          : key in lists
            ? JSON.stringify(lists[key as Section])
            : undefined,
      namespace,
      [...secretKeys],
    );
    if (!read.ok)
      for (const problem of read.problems) errors.push({ path: "(written config)", message: problem });
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
  if (projects.length > 0) config[`${namespace}:${projectsSection}`] = projects;
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

/** Root content besides the resources and projects: previews. */
function reportRootContent(
  bp: Blueprint,
  lose: (path: string, message: string) => void,
  notes: string[],
): void {
  const raw = bp.raw;
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

/** A link to RENDER_EXTERNAL_URL/HOSTNAME of a web service that does not declare the var itself. */
function isExternalUrlLink(v: BlueprintEnvVar, declaredVars: Map<string, Set<string>>): boolean {
  const link = v.fromService;
  return (
    link !== undefined &&
    link.type === "web" &&
    link.envVarKey !== undefined &&
    (renderExternalEnvVars as readonly string[]).includes(link.envVarKey) &&
    !(declaredVars.get(`web/${link.name}`)?.has(link.envVarKey) ?? false)
  );
}

/**
 * render.yaml `projects[]` as the program's `projects`: each project with its environments and their
 * settings in render.yaml's spelling (`networking`, `permissions`), without the resources they list
 * (those are entries with `environment`, see {@link placementOf}).
 */
export function projectsOf(bp: Blueprint): Record<string, unknown>[] {
  const raw = bp.raw;
  return (Array.isArray(raw.projects) ? raw.projects : []).map(
    (p: { name?: string; environments?: Record<string, unknown>[] }) => ({
      name: p.name,
      environments: (p.environments ?? []).map((env) => {
        const { services: _s, databases: _d, envVarGroups: _g, ...settings } = env;
        return settings;
      }),
    }),
  );
}

/** `<project>/<environment>` of an entry declared in a project environment (by its YAML path), else undefined. */
export function placementOf(bp: Blueprint, path: string): string | undefined {
  const m = /^projects\[(\d+)\]\.environments\[(\d+)\]\./.exec(path);
  if (!m) return undefined;
  const projects = bp.raw.projects as { name: string; environments: { name: string }[] }[];
  const project = projects[Number(m[1])]!;
  return `${project.name}/${project.environments[Number(m[2])]!.name}`;
}
