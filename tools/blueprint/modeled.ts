/**
 * Which render.yaml keys the program carries, entry by entry: what the conversion keeps, and so what
 * it reports as lost. The kinds of issue 25 (web, worker, pserv, cron, static, Key Value, Postgres, env
 * group, disk, custom domain, registry credential) read their settings in render.yaml's own spelling;
 * a key outside these sets has no kind to carry it.
 *
 * Until the program's entry -> args mapping is merged, this table is the importer's reading of the
 * kinds' schemas as issue 25 fixes them; the conversion asks it through {@link modeledKeysOf} only,
 * so the mapping can replace it in one place.
 */
import type { BlueprintService } from "./validate";

/** The program's lists in the stack config (`arrakis:<list>`). */
export type Section = "services" | "databases" | "keyValues" | "envVarGroups";

/** Keys every service kind carries (components/service: the settings web, worker, pserv and cron share). */
const serviceCommon = [
  "type",
  "name",
  "runtime",
  "env",
  "plan",
  "region",
  "repo",
  "branch",
  "rootDir",
  "buildCommand",
  "startCommand",
  "preDeployCommand",
  "numInstances",
  "autoDeploy",
  "autoDeployTrigger",
  "envVars",
  // docker and image runtimes, on every service kind
  "dockerfilePath",
  "dockerContext",
  "dockerCommand",
  "image",
  "registryCredential",
  // disk/Disk, of a web service, private service or worker
  "disk",
];

/** Pull-request previews: the `generation` of `previews` (its plan and instance count are not modeled). */
const previewKeys = ["previews", "pullRequestPreviewsEnabled"];

const keys = {
  web: [...serviceCommon, "healthCheckPath", "domains", ...previewKeys],
  pserv: [...serviceCommon, ...previewKeys],
  worker: [...serviceCommon, ...previewKeys],
  cron: serviceCommon.filter((k) => k !== "disk").concat("schedule"),
  static: [
    "type",
    "name",
    "runtime",
    "env",
    "repo",
    "branch",
    "rootDir",
    "buildCommand",
    "staticPublishPath",
    "headers",
    "routes",
    "buildFilter",
    "domains",
    "autoDeploy",
    "autoDeployTrigger",
    "envVars",
    ...previewKeys,
  ],
  keyValue: ["type", "name", "plan", "region", "ipAllowList", "maxmemoryPolicy", "persistenceMode"],
  database: [
    "name",
    "plan",
    "postgresMajorVersion",
    "region",
    "databaseName",
    "user",
    "ipAllowList",
    "highAvailability",
    "diskSizeGB",
    "storageAutoscalingEnabled",
    "readReplicas",
  ],
  envVarGroup: ["name", "envVars"],
} as const;

/** Keys of an env var entry the program carries (the value sources; not the dashboard annotations). */
export const modeledEnvVarKeys: ReadonlySet<string> = new Set([
  "key",
  "value",
  "generateValue",
  "sync",
  "fromDatabase",
  "fromService",
  "fromGroup",
]);

/** Sub-keys of a service's `previews` the program carries. */
export const modeledPreviewKeys: ReadonlySet<string> = new Set(["generation"]);

/** Why a whole service has no kind to carry it (undefined: it has one). */
export function unmodeledServiceReason(s: BlueprintService): string | undefined {
  if (s.type === "workflow") return "Render Workflows are not modeled: no kind carries a workflow";
  return undefined;
}

/** The section a Blueprint service goes to in the stack config. */
export function sectionOf(s: BlueprintService): Section {
  return s.type === "keyvalue" || s.type === "redis" ? "keyValues" : "services";
}

/** The keys the program carries for this entry of this section. */
export function modeledKeysOf(section: Section, entry: Record<string, unknown>): ReadonlySet<string> {
  if (section === "databases") return new Set(keys.database);
  if (section === "envVarGroups") return new Set(keys.envVarGroup);
  if (section === "keyValues") return new Set(keys.keyValue);
  const s = entry as BlueprintService;
  if ((s.runtime ?? s.env) === "static") return new Set(keys.static);
  const byType = keys[s.type as "web" | "pserv" | "worker" | "cron"];
  return new Set(byType ?? []);
}
