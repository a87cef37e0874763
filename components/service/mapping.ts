/**
 * Pure mapping shared by every service kind (web service, private service, background worker, cron job):
 * user inputs (render.yaml spellings accepted) -> normalised inputs -> API bodies, a live service -> the
 * inputs it corresponds to, for drift, and the env var set. A kind is its {@link ServiceKind}: its type
 * and the fields it has (its schema.ts); what a kind lacks (a cron job's instances) is never read,
 * compared or sent.
 */
import type { z } from "zod";
import type { Region, ServiceRuntime } from "../render/enums";
import type {
  AutoscalingBody,
  CreateServiceBody,
  EnvVarBody,
  Service,
  serviceTypes,
  UpdateServiceBody,
} from "../render/schemas";
import { checkFields, isUnknown, type InputFailure } from "../runtime/validation";
import { needsMove } from "../runtime/environment";
import {
  containerRuntimes,
  defaultMaxShutdownDelaySeconds,
  fieldMetaOf,
  isOwnAddressKind,
  type EnvVarInput,
  type LinkProperty,
  type ServiceFieldMeta,
  type ServiceImage,
  type ServiceScaling,
} from "./schema";

/** What one service kind is: its Render type, its resource class (in messages) and its fields. */
export interface ServiceKind {
  /** Render's `type`. */
  type: Exclude<(typeof serviceTypes)[number], "static_site">;
  /** The resource class, e.g. `RenderBackgroundWorker`. */
  what: string;
  /** The kind's fields (its schema.ts). */
  fields: Record<string, z.ZodType>;
  /** Whether it has a public URL (a web service): env vars of kind `serviceUrl`/`serviceHostname` need one. */
  publicUrl: boolean;
}

/** The subset of Render's service object (render/schemas.ts) that mapping reads. */
export type LiveService = Pick<
  Service,
  "name" | "ownerId" | "repo" | "branch" | "rootDir" | "autoDeploy" | "suspended" | "serviceDetails"
> &
  Partial<Pick<Service, "imagePath" | "registryCredential" | "environmentId">>;

/** Every setting any service kind has; a kind has those of its fields. */
export interface ServiceSettings {
  name: string;
  ownerId: string;
  repo?: string;
  branch?: string;
  rootDir: string;
  runtime: ServiceRuntime;
  plan: string;
  region: Region;
  buildCommand?: string;
  startCommand?: string;
  preDeployCommand?: string;
  dockerfilePath?: string;
  dockerContext?: string;
  dockerCommand?: string;
  image?: ServiceImage;
  healthCheckPath?: string;
  maxShutdownDelaySeconds?: number;
  numInstances?: number;
  scaling?: ServiceScaling;
  schedule?: string;
  autoDeploy: boolean;
  pullRequestPreviews?: boolean;
  suspended: boolean;
  environmentId?: string;
}

/** Inputs of any service kind after `check`: its settings, env vars and adoption options. */
export interface AnyServiceInputs extends ServiceSettings {
  envVars: Record<string, EnvVarInput>;
  /** Run once after the first successful deploy (initialDeployHook.ts); not a Render setting. */
  initialDeployHook?: string;
  adoptExisting: boolean;
  adoptId?: string;
}

/** Whether a runtime is configured with docker `envSpecificDetails` (docker, image). */
export function isContainerRuntime(runtime: string | undefined): boolean {
  return (containerRuntimes as readonly string[]).includes(runtime ?? "");
}

/** Fields compared apart from the loop over a kind's settings (optional ones, and the env vars). */
const comparedApart = [
  "envVars",
  "environmentId",
  "branch",
  "preDeployCommand",
  "buildCommand",
  "startCommand",
  "dockerfilePath",
  "dockerContext",
  "dockerCommand",
  "image",
  "maxShutdownDelaySeconds",
  "numInstances",
  "scaling",
];

/** A kind's fields by their metadata. */
export function fieldsWhere(kind: ServiceKind, test: (m: ServiceFieldMeta) => boolean): string[] {
  const meta = fieldMetaOf(kind.fields);
  return Object.keys(kind.fields).filter((key) => test(meta[key]));
}

/** Fields that cannot change without replacing the service (`replaces`), alphabetical as the diff lists them. */
export function immutableFieldsOf(kind: ServiceKind): (keyof ServiceSettings)[] {
  return fieldsWhere(kind, (m) => m.replaces === true).sort() as (keyof ServiceSettings)[];
}

/**
 * render.yaml keys -> ours (`env` for runtime: a field's `blueprint` metadata); render.yaml values
 * (`autoDeploy: "yes"`, plan `Standard`) are the schema's own transforms.
 */
function fromBlueprintSpelling(kind: ServiceKind, raw: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...raw };
  for (const [field, { blueprint }] of Object.entries(fieldMetaOf(kind.fields))) {
    if (typeof blueprint !== "string") continue;
    if (out[blueprint] !== undefined && out[field] === undefined) out[field] = out[blueprint];
    delete out[blueprint];
  }
  for (const key of Object.keys(out)) if (out[key] === null) delete out[key];
  if (out.envVars && typeof out.envVars === "object") out.envVars = checkableEnvVars(out.envVars);
  return out;
}

/**
 * Env vars as the schema checks them: keys must be checked even when some values are unknown during
 * preview, so only those values pass through unvalidated (the caller gives back the engine's own after).
 */
export function checkableEnvVars(envVars: object): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(envVars as Record<string, unknown>).map(([k, v]) => [
      k,
      v && typeof v === "object" && isUnknown((v as { value?: unknown }).value)
        ? { ...(v as object), value: "(unknown during preview)" }
        : v,
    ]),
  );
}

/**
 * Rules beyond single fields, on values already checked one by one: what the runtime needs and refuses
 * (a native runtime builds from `repo` with `buildCommand` and `startCommand`; `docker` from `repo` with
 * its Dockerfile; `image` pulls `image.url` and has no repository), and `serviceUrl`/`serviceHostname` env vars only where
 * there is a public URL. A value unknown during preview is not judged.
 */
export function serviceRules(inputs: Record<string, unknown>, publicUrl = true): InputFailure[] {
  const failures: InputFailure[] = [];
  const runtime = inputs.runtime as string | undefined;
  const has = (key: string) => inputs[key] !== undefined;
  const refuse = (key: string, reason: string) => {
    if (has(key)) failures.push({ property: key, reason });
  };
  if (runtime !== undefined && !isUnknown(runtime)) {
    if (!isContainerRuntime(runtime)) {
      if (!has("buildCommand"))
        failures.push({
          property: "buildCommand",
          reason: "is required: the build command, e.g. npm install && npm run build",
        });
      if (!has("startCommand"))
        failures.push({ property: "startCommand", reason: "is required: the start command, e.g. npm start" });
      for (const key of ["dockerfilePath", "dockerContext", "dockerCommand"])
        refuse(key, `is for runtime "docker" or "image", not ${JSON.stringify(runtime)}`);
    } else {
      for (const key of ["buildCommand", "startCommand"])
        refuse(
          key,
          `is for native runtimes; a ${runtime} service runs dockerCommand (or its image's own command)`,
        );
    }
    if (runtime === "image") {
      if (!has("image"))
        failures.push({
          property: "image",
          reason:
            'is required for runtime "image": {url, creds?}, e.g. {url: "docker.io/library/nginx:1.27"}',
        });
      for (const key of ["repo", "branch", "dockerfilePath", "dockerContext"])
        refuse(key, 'is for services built from a repository; runtime "image" pulls image.url');
    } else {
      if (!has("repo"))
        failures.push({
          property: "repo",
          reason: "is required: the Git repository URL, e.g. https://github.com/happydotemdr/arrakis",
        });
      refuse("image", `is for runtime "image" (runtime is ${JSON.stringify(runtime)})`);
    }
  }
  if (!publicUrl && inputs.envVars && typeof inputs.envVars === "object")
    for (const [key, v] of Object.entries(inputs.envVars as Record<string, { kind?: string }>))
      if (isOwnAddressKind(v?.kind))
        failures.push({
          property: `envVars.${key}`,
          reason: `a ${v.kind} value is a web service's own public ${v.kind === "serviceUrl" ? "URL" : "host name"}; this service has none`,
        });
  return failures;
}

/** Validates and normalises raw inputs of a kind field by field with zod; unknown values pass through. */
export function checkServiceKindInputs(
  kind: ServiceKind,
  raw: Record<string, unknown>,
): { inputs: Record<string, unknown>; failures: InputFailure[] } {
  const values = fromBlueprintSpelling(kind, raw);
  const { inputs: out, failures } = checkFields(kind.fields, values, kind.what);
  // Give back the engine's own values for env vars unknown during preview.
  if (out.envVars && raw.envVars && typeof raw.envVars === "object") out.envVars = raw.envVars;
  // Rules need every field valid; a field that failed is reported once, by its own check.
  const failed = new Set(failures.map((f) => f.property.split(/[.[]/)[0]));
  const rules = serviceRules(out, kind.publicUrl).filter((f) => !failed.has(f.property.split(".")[0]));
  return { inputs: out, failures: [...failures, ...rules] };
}

/** A path as Render may spell it either way: `./Dockerfile` and `Dockerfile` are one file. */
function samePath(a: string | undefined, b: string | undefined, fallback: string): boolean {
  const canonical = (p: string | undefined) =>
    (p ?? fallback).replace(/^\.\/+/, "").replace(/\/+$/, "") || ".";
  return canonical(a) === canonical(b);
}

/** Live service settings as a kind's inputs (env vars are read separately). */
export function fromServiceSettings(kind: ServiceKind, live: LiveService): ServiceSettings {
  const d = live.serviceDetails;
  const env = d.envSpecificDetails ?? {};
  const runtime = (d.runtime ?? "node") as ServiceRuntime;
  const container = isContainerRuntime(runtime);
  const all: ServiceSettings = {
    name: live.name,
    ownerId: live.ownerId,
    ...(runtime !== "image" ? { repo: live.repo ?? "" } : {}),
    ...(live.branch ? { branch: live.branch } : {}),
    rootDir: live.rootDir ?? "",
    runtime,
    plan: d.plan ?? "starter",
    region: (d.region ?? "oregon") as Region,
    ...(!container ? { buildCommand: env.buildCommand ?? "", startCommand: env.startCommand ?? "" } : {}),
    ...(env.preDeployCommand ? { preDeployCommand: env.preDeployCommand } : {}),
    ...(runtime === "docker"
      ? { dockerfilePath: env.dockerfilePath ?? "./Dockerfile", dockerContext: env.dockerContext ?? "." }
      : {}),
    ...(container && env.dockerCommand ? { dockerCommand: env.dockerCommand } : {}),
    ...(runtime === "image"
      ? {
          image: {
            url: live.imagePath ?? "",
            ...(live.registryCredential?.id ? { creds: live.registryCredential.id } : {}),
          },
        }
      : {}),
    healthCheckPath: d.healthCheckPath ?? "",
    // Render's default (30) reads as no setting, as a config without the key means it.
    ...(d.maxShutdownDelaySeconds !== undefined &&
    d.maxShutdownDelaySeconds !== defaultMaxShutdownDelaySeconds
      ? { maxShutdownDelaySeconds: d.maxShutdownDelaySeconds }
      : {}),
    numInstances: d.numInstances ?? 1,
    ...(fromAutoscaling(d.autoscaling) ? { scaling: fromAutoscaling(d.autoscaling) } : {}),
    schedule: d.schedule ?? "",
    autoDeploy: live.autoDeploy === "yes",
    pullRequestPreviews:
      (d.previews?.generation ?? "off") !== "off" || d.pullRequestPreviewsEnabled === "yes",
    suspended: live.suspended === "suspended",
    ...(live.environmentId ? { environmentId: live.environmentId } : {}),
  };
  // Only the kind's own settings: a worker has no health check path, a cron job no instances.
  return Object.fromEntries(
    Object.entries(all).filter(([key]) => key in kind.fields),
  ) as unknown as ServiceSettings;
}

/**
 * Whether two repository URLs name the same repository: render.yaml and the dashboard may give it with
 * `.git` or a trailing slash (the seed's `https://github.com/happydotemdr/arrakis.git`), the config
 * without; host names are case-insensitive. Rewriting one spelling into the other is not a change.
 */
export function sameRepo(a: string, b: string): boolean {
  const canonical = (url: string) => {
    const trimmed = url
      .trim()
      .replace(/\/+$/, "")
      .replace(/\.git$/, "");
    try {
      const u = new URL(trimmed);
      return `${u.protocol}//${u.host.toLowerCase()}${u.pathname}`;
    } catch {
      return trimmed;
    }
  };
  return canonical(a) === canonical(b);
}

/** Which settings of a kind differ from live: in place (`changed`) or needing replacement (`replaced`). */
export function diffServiceSettings(
  kind: ServiceKind,
  desired: ServiceSettings,
  live: LiveService,
): { changed: string[]; replaced: string[] } {
  const now = fromServiceSettings(kind, live);
  const changed: string[] = [];
  const replaced: string[] = [];
  for (const field of immutableFieldsOf(kind)) if (desired[field] !== now[field]) replaced.push(field);
  const mutable = fieldsWhere(kind, (m) => m.render === true && !m.replaces).filter(
    (key) => !comparedApart.includes(key),
  ) as (keyof ServiceSettings)[];
  // `suspended` is not a PATCH field: POST /suspend or /resume (the provider's converge).
  for (const field of mutable) {
    // An image service has no repository (a runtime change, which replaces, is what differs then).
    if (field === "repo") {
      if (desired.repo !== undefined && !sameRepo(desired.repo, now.repo ?? "")) changed.push(field);
    } else if (desired[field] !== now[field]) changed.push(field);
  }
  if (desired.branch !== undefined && desired.branch !== now.branch) changed.push("branch");
  if ("maxShutdownDelaySeconds" in kind.fields) {
    const delay = (v: number | undefined) => v ?? defaultMaxShutdownDelaySeconds;
    if (delay(desired.maxShutdownDelaySeconds) !== delay(now.maxShutdownDelaySeconds))
      changed.push("maxShutdownDelaySeconds");
  }
  // While Render autoscales, the instance count is its autoscaler's: not compared.
  if (
    "numInstances" in kind.fields &&
    desired.scaling === undefined &&
    desired.numInstances !== now.numInstances
  )
    changed.push("numInstances");
  if ("scaling" in kind.fields && !sameScaling(desired.scaling, now.scaling)) changed.push("scaling");
  if ((desired.preDeployCommand ?? "") !== (now.preDeployCommand ?? "")) changed.push("preDeployCommand");
  // Another environment is a move (POST /environments/{id}/resources), not a PATCH field.
  if ("environmentId" in kind.fields && needsMove(desired.environmentId, live.environmentId))
    changed.push("environmentId");
  // A runtime change replaces the service: its build settings are compared only within one runtime.
  if (desired.runtime === now.runtime) {
    if (!isContainerRuntime(desired.runtime)) {
      if (desired.buildCommand !== now.buildCommand) changed.push("buildCommand");
      if (desired.startCommand !== now.startCommand) changed.push("startCommand");
    }
    if (desired.runtime === "docker") {
      if (!samePath(desired.dockerfilePath, now.dockerfilePath, "./Dockerfile"))
        changed.push("dockerfilePath");
      if (!samePath(desired.dockerContext, now.dockerContext, ".")) changed.push("dockerContext");
    }
    if (isContainerRuntime(desired.runtime) && (desired.dockerCommand ?? "") !== (now.dockerCommand ?? ""))
      changed.push("dockerCommand");
    if (
      desired.runtime === "image" &&
      (desired.image?.url !== now.image?.url || desired.image?.creds !== now.image?.creds)
    )
      changed.push("image");
  }
  return { changed: sortBySchema(kind, changed), replaced };
}

/** Fields in the order of the kind's schema (the order messages list them). */
function sortBySchema(kind: ServiceKind, fields: string[]): string[] {
  const order = Object.keys(kind.fields);
  return [...fields].sort((a, b) => order.indexOf(a) - order.indexOf(b));
}

/** The build of a service as Render takes it: native commands, or the docker details. */
function envSpecificBody(inputs: ServiceSettings): Record<string, unknown> {
  if (!isContainerRuntime(inputs.runtime))
    return { buildCommand: inputs.buildCommand, startCommand: inputs.startCommand };
  return {
    ...(inputs.dockerCommand !== undefined ? { dockerCommand: inputs.dockerCommand } : {}),
    ...(inputs.runtime === "docker"
      ? {
          dockerContext: inputs.dockerContext ?? ".",
          dockerfilePath: inputs.dockerfilePath ?? "./Dockerfile",
        }
      : {}),
  };
}

/** The image body of an image service. */
function imageBody(inputs: ServiceSettings): CreateServiceBody["image"] {
  const image = inputs.image!;
  return {
    ownerId: inputs.ownerId,
    imagePath: image.url,
    ...(image.creds ? { registryCredentialId: image.creds } : {}),
  };
}

/** The POST /services body of a kind, env vars included so the first deploy already sees them. */
export function toCreateServiceKindBody(
  kind: ServiceKind,
  inputs: ServiceSettings,
  envVars: EnvVarBody[],
): CreateServiceBody {
  const has = (key: string) => key in kind.fields;
  const image = inputs.runtime === "image";
  return {
    type: kind.type,
    name: inputs.name,
    ownerId: inputs.ownerId,
    ...(image ? { image: imageBody(inputs) } : { repo: inputs.repo }),
    ...(inputs.branch ? { branch: inputs.branch } : {}),
    rootDir: inputs.rootDir,
    autoDeploy: inputs.autoDeploy ? "yes" : "no",
    ...(inputs.environmentId !== undefined ? { environmentId: inputs.environmentId } : {}),
    envVars,
    serviceDetails: {
      runtime: inputs.runtime,
      plan: inputs.plan,
      region: inputs.region,
      ...(has("healthCheckPath") ? { healthCheckPath: inputs.healthCheckPath } : {}),
      ...(has("numInstances") ? { numInstances: inputs.numInstances } : {}),
      ...(has("scaling") && inputs.scaling ? { autoscaling: toAutoscalingBody(inputs.scaling) } : {}),
      ...(has("maxShutdownDelaySeconds") && inputs.maxShutdownDelaySeconds !== undefined
        ? { maxShutdownDelaySeconds: inputs.maxShutdownDelaySeconds }
        : {}),
      ...(has("schedule") ? { schedule: inputs.schedule } : {}),
      ...(inputs.preDeployCommand ? { preDeployCommand: inputs.preDeployCommand } : {}),
      ...(has("pullRequestPreviews")
        ? { pullRequestPreviewsEnabled: inputs.pullRequestPreviews ? "yes" : "no" }
        : {}),
      envSpecificDetails: envSpecificBody(inputs),
    },
  };
}

/**
 * The PATCH /services/{id} body for what differs from live (numInstances goes through /scale, scaling
 * through /autoscaling).
 */
export function toPatchServiceKindBody(
  kind: ServiceKind,
  inputs: ServiceSettings,
  live: LiveService,
): Record<string, unknown> | undefined {
  const { changed } = diffServiceSettings(kind, inputs, live);
  const top: UpdateServiceBody & Record<string, unknown> = {};
  const details: Record<string, unknown> = {};
  const envSpecific: Record<string, unknown> = {};
  for (const field of changed) {
    if (field === "name" || field === "repo" || field === "branch" || field === "rootDir")
      top[field] = inputs[field];
    else if (field === "autoDeploy") top.autoDeploy = inputs.autoDeploy ? "yes" : "no";
    else if (field === "image") top.image = imageBody(inputs);
    else if (field === "plan" || field === "healthCheckPath" || field === "schedule")
      details[field] = inputs[field];
    else if (field === "preDeployCommand") details.preDeployCommand = inputs.preDeployCommand ?? "";
    else if (field === "maxShutdownDelaySeconds")
      details.maxShutdownDelaySeconds = inputs.maxShutdownDelaySeconds ?? defaultMaxShutdownDelaySeconds;
    else if (field === "pullRequestPreviews") {
      details.pullRequestPreviewsEnabled = inputs.pullRequestPreviews ? "yes" : "no";
      // Previews turned on with the newer `previews.generation` stay on unless that is turned off too.
      if (!inputs.pullRequestPreviews) details.previews = { generation: "off" };
    } else if (field === "buildCommand" || field === "startCommand") envSpecific[field] = inputs[field];
    else if (field === "dockerCommand") envSpecific.dockerCommand = inputs.dockerCommand ?? "";
    else if (field === "dockerfilePath") envSpecific.dockerfilePath = inputs.dockerfilePath ?? "./Dockerfile";
    else if (field === "dockerContext") envSpecific.dockerContext = inputs.dockerContext ?? ".";
  }
  if (Object.keys(envSpecific).length) details.envSpecificDetails = envSpecific;
  if (Object.keys(details).length) top.serviceDetails = details;
  return Object.keys(top).length ? top : undefined;
}

/**
 * A service's autoscaling as render.yaml says it, or undefined when Render does not autoscale it (no
 * config, or one turned off). A criterion turned off is no target.
 */
export function fromAutoscaling(a: AutoscalingBody | null | undefined): ServiceScaling | undefined {
  if (!a?.enabled) return undefined;
  return {
    minInstances: a.min,
    maxInstances: a.max,
    ...(a.criteria?.cpu?.enabled ? { targetCPUPercent: a.criteria.cpu.percentage } : {}),
    ...(a.criteria?.memory?.enabled ? { targetMemoryPercent: a.criteria.memory.percentage } : {}),
  };
}

/**
 * The autoscaling body Render takes (`PUT /services/{id}/autoscaling`, or `serviceDetails.autoscaling` on
 * create). openapi.json requires a percentage on a criterion turned off too: it gets 70, which Render
 * then ignores (the value Render keeps there is UNCONFIRMED and never compared).
 */
export function toAutoscalingBody(scaling: ServiceScaling): AutoscalingBody {
  const criterion = (percent: number | undefined) =>
    percent === undefined ? { enabled: false, percentage: 70 } : { enabled: true, percentage: percent };
  return {
    enabled: true,
    min: scaling.minInstances,
    max: scaling.maxInstances,
    criteria: { cpu: criterion(scaling.targetCPUPercent), memory: criterion(scaling.targetMemoryPercent) },
  };
}

/** Whether two autoscaling settings are the same (both none, or every field equal). */
export function sameScaling(a: ServiceScaling | undefined, b: ServiceScaling | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return (
    a.minInstances === b.minInstances &&
    a.maxInstances === b.maxInstances &&
    a.targetCPUPercent === b.targetCPUPercent &&
    a.targetMemoryPercent === b.targetMemoryPercent
  );
}

/** A database's connection info as Render gives it (`GET /postgres/{id}/connection-info`). */
export interface LinkSource {
  internalConnectionString: string;
  externalConnectionString: string;
  password: string;
}

/**
 * The value of a render.yaml `fromDatabase` property (or a Key Value's `fromService` property).
 * `connectionString` is the internal one, as Render's Blueprints give services in the same region
 * (REFERENCE.md: likely, UNCONFIRMED); host, port, hostport, user and database are read from it
 * (a Key Value's `redis://red-…:6379` -> host `red-…`, port 6379; its password is never read).
 */
export function linkedValue(source: LinkSource, property: LinkProperty): string {
  const internal = new URL(source.internalConnectionString);
  const port = internal.port || (/^rediss?:$/.test(internal.protocol) ? "6379" : "5432");
  switch (property) {
    case "connectionString":
    case "internalConnectionString":
      return source.internalConnectionString;
    case "externalConnectionString":
      return source.externalConnectionString;
    case "host":
      return internal.hostname;
    case "port":
      return port;
    case "hostport":
      return `${internal.hostname}:${port}`;
    case "user":
      return decodeURIComponent(internal.username);
    case "password":
      return source.password;
    case "database":
      return decodeURIComponent(internal.pathname.replace(/^\//, ""));
  }
}

/**
 * The value of a `serviceUrl` (the URL itself) or `serviceHostname` (its host name, as Render's
 * `RENDER_EXTERNAL_HOSTNAME` is: render.com/docs/environment-variables) env var for a service whose public
 * URL is `url`; empty while the URL is not known.
 */
export function ownAddress(kind: "serviceUrl" | "serviceHostname", url: string): string {
  if (kind === "serviceUrl" || url === "") return url;
  try {
    return new URL(url).hostname;
  } catch {
    return url;
  }
}

/**
 * What Render must hold for each env var: `serviceUrl`/`serviceHostname` ones become the service's URL
 * or its host name and `linked` ones their database's value (`sources` by database id); the others are
 * as given.
 */
export function resolveEnvVars(
  envVars: Record<string, EnvVarInput>,
  url: string,
  sources: Record<string, LinkSource> = {},
): Record<string, EnvVarInput> {
  return Object.fromEntries(
    Object.entries(envVars).map(([key, v]): [string, EnvVarInput] => {
      if (isOwnAddressKind(v.kind)) return [key, { kind: "plain", value: ownAddress(v.kind, url) }];
      if (v.kind === "linked" && v.database !== undefined && v.property !== undefined) {
        const source = sources[v.database];
        if (!source)
          throw new Error(`env var ${key} links to database ${v.database}, whose connection is unknown`);
        return [key, { kind: "linked", value: linkedValue(source, v.property) }];
      }
      return [key, v];
    }),
  );
}

/** Render's public URL of a web service by name (`https://<name>.onrender.com`; UNCONFIRMED when the name is taken). */
export function predictedServiceUrl(name: string): string {
  return `https://${name.toLowerCase().replace(/[^a-z0-9-]+/g, "-")}.onrender.com`;
}

/** The env var array Render takes on create and on a full replace. Generated values are only asked for. */
export function toEnvVarBody(
  envVars: Record<string, EnvVarInput>,
  keep: Record<string, string> = {},
): EnvVarBody[] {
  return Object.entries(envVars).map(([key, v]) =>
    v.kind === "generated"
      ? keep[key] !== undefined
        ? { key, value: keep[key] }
        : { key, generateValue: true as const }
      : { key, value: v.value as string },
  );
}

/**
 * Env var drift: keys on Render but not desired (to remove), desired but missing (to add), and keys
 * whose live value differs. Generated values are compared with the value Render made at creation
 * (`generated`), never regenerated: a difference there is reported, and kept as it is live.
 */
export function diffEnvVars(
  desired: Record<string, EnvVarInput>,
  live: Record<string, string>,
  generated: Record<string, string> = {},
): { added: string[]; removed: string[]; changed: string[] } {
  const added: string[] = [];
  const changed: string[] = [];
  for (const [key, v] of Object.entries(desired)) {
    if (!(key in live)) added.push(key);
    else if (v.kind === "generated") {
      if (generated[key] !== undefined && generated[key] !== live[key]) changed.push(key);
    } else if (v.value !== live[key]) changed.push(key);
  }
  const removed = Object.keys(live).filter((k) => !(k in desired));
  return { added: added.sort(), removed: removed.sort(), changed: changed.sort() };
}

/**
 * What adopting a live service changes, in lines a person reads in `pulumi preview` before the up that
 * adopts it (the preview lists an adoption as a `create`, with no diff of its own). Settings show both
 * sides; env vars only their keys, except plain ones (the config's own values, and live values of keys
 * the config holds as plain): a secret is named, never shown, and so is every key the config lacks.
 * Linked env vars whose database is not known yet (a database adopted in the same up) are listed as
 * compared at the up. Empty when the adoption changes nothing.
 */
export function serviceAdoptionChanges(
  kind: ServiceKind,
  desired: AnyServiceInputs,
  live: LiveService,
  liveEnv: Record<string, string>,
  sources: Record<string, LinkSource> = {},
): string[] {
  const lines: string[] = [];
  const now = fromServiceSettings(kind, live) as unknown as Record<string, unknown>;
  const wanted = desired as unknown as Record<string, unknown>;
  const { changed } = diffServiceSettings(kind, desired, live);
  for (const field of changed) {
    const show = (v: unknown) => JSON.stringify(v ?? "");
    lines.push(`~ ${field}: ${show(now[field])} => ${show(wanted[field])}`);
  }
  if (desired.initialDeployHook !== undefined)
    lines.push("= initialDeployHook: not run (an adopted service's first deploy was before Pulumi)");
  lines.push(...envVarAdoptionChanges(desired.envVars, liveEnv, sources, live.serviceDetails.url ?? ""));
  return lines;
}

/**
 * The env var lines of an adoption report (serviceAdoptionChanges): keys only, except plain values (the
 * config's own, and live values of keys the config holds as plain); a secret is named, never shown, and
 * so is every key the config lacks. `url` is the service's public URL ("" without one).
 */
export function envVarAdoptionChanges(
  envVars: Record<string, EnvVarInput>,
  liveEnv: Record<string, string>,
  sources: Record<string, LinkSource>,
  url: string,
): string[] {
  const lines: string[] = [];
  const pending: string[] = [];
  for (const key of Object.keys(envVars).sort()) {
    const v = envVars[key];
    const has = key in liveEnv;
    if (v.kind === "generated") {
      lines.push(
        has
          ? `= env var ${key}: kept (its live value is recorded and never regenerated)`
          : `+ add env var ${key} (generated by Render)`,
      );
      continue;
    }
    let value: string | undefined;
    if (isOwnAddressKind(v.kind)) value = ownAddress(v.kind, url);
    else if (v.kind === "linked") {
      if (v.database === undefined || isUnknown(v.database) || !sources[v.database]) {
        pending.push(key);
        continue;
      }
      value = linkedValue(sources[v.database], v.property ?? "connectionString");
    } else value = v.value;
    if (value === undefined || isUnknown(value)) {
      pending.push(key);
      continue;
    }
    const plain = v.kind === "plain" || isOwnAddressKind(v.kind);
    if (!has) lines.push(`+ add env var ${key}${plain ? ` = ${JSON.stringify(value)}` : " ([secret])"}`);
    else if (liveEnv[key] !== value)
      lines.push(
        plain
          ? `~ env var ${key}: ${JSON.stringify(liveEnv[key])} => ${JSON.stringify(value)}`
          : `~ env var ${key}: [secret] differs from the config's; set to the config's`,
      );
  }
  for (const key of Object.keys(liveEnv).sort())
    if (!(key in envVars))
      lines.push(`- remove env var ${key} (set outside Pulumi, not in the config; value not shown)`);
  if (pending.length > 0)
    lines.push(`? env var ${pending.join(", ")}: linked to a database adopted in the same up; compared then`);
  return lines;
}

/**
 * A kind's mapping functions, bound to it: what each kind's mapping.ts exports under its own names
 * (`checkBackgroundWorkerInputs`, `diffBackgroundWorker`, …).
 */
export function serviceKindMapping<Inputs extends AnyServiceInputs>(kind: ServiceKind) {
  return {
    /** Fields whose change replaces the service, alphabetical. */
    immutableFields: immutableFieldsOf(kind),
    /** Validates and normalises raw inputs field by field; unknown values pass through. */
    check: (raw: Record<string, unknown>) => checkServiceKindInputs(kind, raw),
    /** Live settings as the kind's inputs (env vars are read separately). */
    from: (live: LiveService) => fromServiceSettings(kind, live),
    /** Which settings differ from live: in place (`changed`) or needing replacement (`replaced`). */
    diff: (desired: Inputs, live: LiveService) => diffServiceSettings(kind, desired, live),
    /** The POST /services body, env vars included so the first deploy already sees them. */
    toCreateBody: (inputs: Inputs) => toCreateServiceKindBody(kind, inputs, toEnvVarBody(inputs.envVars)),
    /** The PATCH /services/{id} body for what differs from live. */
    toPatchBody: (inputs: Inputs, live: LiveService) => toPatchServiceKindBody(kind, inputs, live),
    /** What adopting a live service changes, in lines read in `pulumi preview`. */
    adoptionChanges: (
      desired: Inputs,
      live: LiveService,
      liveEnv: Record<string, string>,
      sources: Record<string, LinkSource> = {},
    ) => serviceAdoptionChanges(kind, desired, live, liveEnv, sources),
  };
}
