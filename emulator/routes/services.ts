/**
 * Service routes: list (filters), create (201 `{service, deployId}`, starting the first deploy), get,
 * patch, delete, suspend, resume, scale, and a cron job's runs. What differs by type is its
 * `serviceDetails`: each emulated type has its {@link ServiceTypeHooks} (create, patch, render) in
 * `serviceTypeHooks`; `web_service`, `private_service`, `background_worker` and `cron_job` are here;
 * `static_site` is dispatched to routes/staticSites.ts; another type gets a 400 that says so.
 *
 * Names are unique per workspace, as the spec says ("Must be unique within the workspace"); a
 * duplicate is refused with 409 (Render lists 409 for POST /services and PATCH /services/{id}).
 */
import type { EmulatorCore } from "../core";
import { badRequest, conflict, notFound } from "../errors";
import { nameSuffix, newId } from "../ids";
import { hasLiveDeploy } from "../lifecycle/deploys";
import type { Router } from "../router";
import type { ServiceRecord, ServiceType, WebDetailsRecord } from "../state/model";
import { iso, requireOwner, requireService } from "./common";
import { checkPlacement } from "./projects";
import { createDeploy } from "./deploys";
import {
  DOCKER_RUNTIMES,
  PAID_PLANS,
  REGIONS,
  RUNTIMES,
  SERVICE_PLANS,
  SERVICE_TYPES,
  SUSPENDED_VALUES,
} from "./enums";
import { envVarList } from "./envVars";
import { paginate } from "./pagination";
import { createStaticSite, patchStaticSite, staticSiteJson } from "./staticSites";
import {
  type Body,
  boolField,
  cidrListField,
  enumField,
  intField,
  objectBody,
  objectField,
  queryBool,
  queryEnumList,
  queryList,
  stringArrayField,
  stringField,
  timeFilter,
} from "./validate";

/** Registers the service routes. */
export function registerServiceRoutes(router: Router, core: EmulatorCore): void {
  router.add("GET", "/services", ({ query }) => {
    const names = queryList(query, "name");
    const types = queryEnumList(query, "type", SERVICE_TYPES);
    const runtimes = queryEnumList(query, "env", RUNTIMES);
    const regions = queryEnumList(query, "region", REGIONS);
    const suspended = queryEnumList(query, "suspended", SUSPENDED_VALUES);
    const ownerIds = queryList(query, "ownerId");
    const environmentIds = queryList(query, "environmentId");
    queryBool(query, "includePreviews"); // validated; previews are not emulated
    const items = [...core.state.services.values()].filter(
      (s) =>
        core.state.owners.has(s.ownerId) &&
        (!names || names.includes(s.name)) &&
        (!types || types.includes(s.type)) &&
        (!runtimes || runtimes.includes(s.details.runtime)) &&
        (!regions || regions.includes(s.details.region)) &&
        (!suspended || suspended.includes(s.suspended ? "suspended" : "not_suspended")) &&
        (!ownerIds || ownerIds.includes(s.ownerId)) &&
        (!environmentIds || (s.environmentId !== undefined && environmentIds.includes(s.environmentId))) &&
        timeFilter(query, "created", s.createdAt) &&
        timeFilter(query, "updated", s.updatedAt),
    );
    return { status: 200, body: paginate(items, query, "service", (s) => serviceJson(core, s)) };
  });

  router.add("POST", "/services", ({ body }) => {
    const b = objectBody(body);
    const service = b.type === "static_site" ? createStaticSite(core, b) : createService(core, b);
    const deploy = createDeploy(core, service, { trigger: "api" });
    core.changed();
    return { status: 201, body: { service: serviceJson(core, service), deployId: deploy.id } };
  });

  router.add("GET", "/services/:serviceId", ({ params }) => ({
    status: 200,
    body: serviceJson(core, requireService(core, params.serviceId)),
  }));

  router.add("PATCH", "/services/:serviceId", ({ params, body }) => {
    const service = requireService(core, params.serviceId);
    if (service.type === "static_site") patchStaticSite(core, service, objectBody(body));
    else patchService(core, service, objectBody(body));
    core.changed();
    return { status: 200, body: serviceJson(core, service) };
  });

  router.add("DELETE", "/services/:serviceId", ({ params }) => {
    const service = requireService(core, params.serviceId);
    core.state.services.delete(service.id);
    for (const d of core.state.deploysOf(service.id)) core.state.deploys.delete(d.id);
    for (const j of core.state.jobs.values()) if (j.serviceId === service.id) core.state.jobs.delete(j.id);
    core.changed();
    return { status: 204 };
  });

  for (const action of ["suspend", "resume"] as const) {
    router.add("POST", `/services/:serviceId/${action}`, ({ params }) => {
      const service = requireService(core, params.serviceId);
      service.suspended = action === "suspend";
      service.updatedAt = core.clock.now();
      core.changed();
      return { status: 202 };
    });
  }

  // Restarting changes nothing the API shows: 200 with no body, as the spec says.
  router.add("POST", "/services/:serviceId/restart", ({ params }) => {
    requireService(core, params.serviceId);
    return { status: 200 };
  });

  // A run of a cron job: it succeeds at once (runs are not emulated further), and the job's
  // `lastSuccessfulRunAt` says when. openapi.json: 200 `cronJobRun`.
  router.add("POST", "/cron-jobs/:cronJobId/runs", ({ params }) => {
    const service = requireService(core, params.cronJobId);
    if (service.type !== "cron_job") throw badRequest(`${service.id} is a ${service.type}, not a cron job`);
    const now = core.clock.now();
    service.details.lastSuccessfulRunAt = now;
    core.changed();
    return {
      status: 200,
      body: { id: newId("crnr"), status: "successful", startedAt: iso(now), finishedAt: iso(now) },
    };
  });

  // Autoscaling (openapi.json `autoscale-service`, `delete-autoscaling-config`): web services, private
  // services and background workers have it; a cron job or static site is refused with 400 (UNCONFIRMED
  // status). PUT answers the config as stored; DELETE of a service without one is 404 (UNCONFIRMED: the
  // stricter answer; the provider treats it as done).
  router.add("PUT", "/services/:serviceId/autoscaling", ({ params, body }) => {
    const service = requireService(core, params.serviceId);
    if (service.type === "cron_job" || service.type === "static_site")
      throw badRequest(`a ${service.type} has no instances to autoscale`);
    const autoscaling = checkAutoscaling(objectBody(body), "autoscaling");
    refuseAutoscaling(core, service.details, autoscaling);
    service.details = { ...service.details, autoscaling };
    clampToAutoscaling(service.details);
    service.updatedAt = core.clock.now();
    core.changed();
    return { status: 200, body: autoscaling };
  });

  router.add("DELETE", "/services/:serviceId/autoscaling", ({ params }) => {
    const service = requireService(core, params.serviceId);
    if (!service.details.autoscaling) throw notFound(`autoscaling config of ${service.id}`);
    const details = { ...service.details };
    delete details.autoscaling;
    service.details = details;
    service.updatedAt = core.clock.now();
    core.changed();
    return { status: 204 };
  });

  router.add("POST", "/services/:serviceId/scale", ({ params, body }) => {
    const service = requireService(core, params.serviceId);
    if (service.type === "cron_job") throw badRequest("a cron job has no instances to scale");
    const b = objectBody(body);
    const numInstances = intField(b, "numInstances", "numInstances", 1, 100);
    if (numInstances === undefined) throw badRequest("numInstances is required");
    // Render ignores /scale while autoscaling is on.
    if (!(service.details.autoscaling as { enabled?: boolean } | undefined)?.enabled) {
      service.details.numInstances = numInstances;
      service.updatedAt = core.clock.now();
      core.changed();
    }
    return { status: 202 };
  });
}

/** Whether a service of this type has a public URL (a web service; a static site has one too). */
export function hasPublicUrl(type: ServiceType): boolean {
  return type === "web_service" || type === "static_site";
}

/** Whether a service's URL answers: it has a live deploy and is not suspended. */
export function isReachable(core: EmulatorCore, service: ServiceRecord): boolean {
  return !service.suspended && hasLiveDeploy(core.state.deploysOf(service.id), core.clock.now());
}

export function checkNameFree(core: EmulatorCore, ownerId: string, name: string, self?: string): void {
  for (const other of core.state.services.values()) {
    if (other.id !== self && other.ownerId === ownerId && other.name === name) {
      throw conflict(`a service named ${JSON.stringify(name)} already exists in workspace ${ownerId}`);
    }
  }
}

/** `slug` is the name, made URL-safe; a taken slug gets a random suffix (as Render does for subdomains). */
export function uniqueSlug(core: EmulatorCore, name: string): string {
  const base =
    name
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, "-")
      .replace(/^-+|-+$/g, "") || "service";
  const taken = new Set([...core.state.services.values()].map((s) => s.slug));
  let slug = base;
  while (taken.has(slug)) slug = `${base}-${nameSuffix()}`;
  return slug;
}

export function buildFilterField(b: Body): ServiceRecord["buildFilter"] {
  const value = objectField(b, "buildFilter", "buildFilter");
  if (!value) return undefined;
  const paths = stringArrayField(value, "paths", "buildFilter.paths");
  const ignoredPaths = stringArrayField(value, "ignoredPaths", "buildFilter.ignoredPaths");
  if (!paths || !ignoredPaths) throw badRequest("buildFilter needs both paths and ignoredPaths");
  return { paths, ignoredPaths };
}

function imageField(b: Body): ServiceRecord["image"] {
  const value = objectField(b, "image", "image");
  if (!value) return undefined;
  const ownerId = stringField(value, "ownerId", "image.ownerId", true);
  const imagePath = stringField(value, "imagePath", "image.imagePath", true);
  const registryCredentialId = stringField(value, "registryCredentialId", "image.registryCredentialId");
  return { ownerId, imagePath, ...(registryCredentialId ? { registryCredentialId } : {}) };
}

function envSpecificDetails(
  core: EmulatorCore,
  ownerId: string,
  runtime: string,
  value: Body | undefined,
  name: string,
  partial: Record<string, string> | undefined,
) {
  if (DOCKER_RUNTIMES.includes(runtime)) {
    const v = value ?? {};
    const out: Record<string, string> = {
      dockerCommand: partial?.dockerCommand ?? "",
      dockerContext: partial?.dockerContext ?? ".",
      dockerfilePath: partial?.dockerfilePath ?? "./Dockerfile",
      ...(partial?.registryCredentialId ? { registryCredentialId: partial.registryCredentialId } : {}),
    };
    for (const field of ["dockerCommand", "dockerContext", "dockerfilePath", "registryCredentialId"]) {
      const s = stringField(v, field, `${name}.${field}`);
      if (s !== undefined) out[field] = s;
    }
    if (out.registryCredentialId) checkRegistryCredential(core, ownerId, out.registryCredentialId, name);
    else delete out.registryCredentialId; // "" takes the credential off
    return out;
  }
  const v = value ?? {};
  const buildCommand = stringField(v, "buildCommand", `${name}.buildCommand`) ?? partial?.buildCommand;
  const startCommand = stringField(v, "startCommand", `${name}.startCommand`) ?? partial?.startCommand;
  if (buildCommand === undefined) throw badRequest(`${name}.buildCommand is required for runtime ${runtime}`);
  if (startCommand === undefined) throw badRequest(`${name}.startCommand is required for runtime ${runtime}`);
  return { buildCommand, startCommand };
}

/** A registry credential as the service renders it (openapi.json `registryCredential`). */
interface RegistryCredentialView {
  id: string;
  name: string;
  registry?: string;
  username?: string;
  updatedAt?: number | string;
}

/**
 * The registry credential `id` names, when this emulator holds registry credentials (the
 * `/registrycredentials` routes keep them in `state.registryCredentials`); undefined otherwise.
 */
function registryCredentialOf(core: EmulatorCore, id: string): RegistryCredentialView | undefined {
  const store = (core.state as unknown as { registryCredentials?: Map<string, RegistryCredentialView> })
    .registryCredentials;
  return store?.get(id);
}

/**
 * A credential named by a service must exist in its workspace (openapi.json `image.ownerId`: "should match
 * … the owner of any specified registry credential"); Render's status for a wrong one is UNCONFIRMED: 400.
 * Checked only when the emulator holds registry credentials.
 */
function checkRegistryCredential(core: EmulatorCore, ownerId: string, id: string, field: string): void {
  const store = (core.state as unknown as { registryCredentials?: Map<string, { ownerId?: string }> })
    .registryCredentials;
  if (!store) return;
  const credential = store.get(id);
  if (!credential || (credential.ownerId !== undefined && credential.ownerId !== ownerId))
    throw badRequest(`${field}: registry credential ${id} does not exist in workspace ${ownerId}`);
}

/** The docker `envSpecificDetails` as rendered: the credential as an object, not its id. */
function dockerDetailsJson(core: EmulatorCore, esd: Record<string, string>): Record<string, unknown> {
  const { registryCredentialId, ...rest } = esd;
  const credential = registryCredentialId ? registryCredentialOf(core, registryCredentialId) : undefined;
  return {
    ...rest,
    ...(credential
      ? {
          registryCredential: {
            id: credential.id,
            name: credential.name,
            registry: credential.registry ?? "DOCKER",
            username: credential.username ?? "",
            updatedAt:
              typeof credential.updatedAt === "number"
                ? iso(credential.updatedAt)
                : (credential.updatedAt ?? iso(0)),
          },
        }
      : {}),
  };
}

function previewsField(d: Body, name: string): "off" | "manual" | "automatic" | undefined {
  const previews = objectField(d, "previews", `${name}.previews`);
  return previews
    ? enumField(previews, "generation", `${name}.previews.generation`, [
        "off",
        "manual",
        "automatic",
      ] as const)
    : undefined;
}

function maintenanceField(d: Body, name: string): WebDetailsRecord["maintenanceMode"] {
  const m = objectField(d, "maintenanceMode", `${name}.maintenanceMode`);
  if (!m) return undefined;
  const enabled = boolField(m, "enabled", `${name}.maintenanceMode.enabled`);
  if (enabled === undefined) throw badRequest(`${name}.maintenanceMode.enabled is required`);
  return { enabled, uri: stringField(m, "uri", `${name}.maintenanceMode.uri`) ?? "" };
}

function cacheField(d: Body, name: string): WebDetailsRecord["cache"] {
  const c = objectField(d, "cache", `${name}.cache`);
  if (!c) return undefined;
  const profile = enumField(
    c,
    "profile",
    `${name}.cache.profile`,
    ["no-cache", "origin-controlled", "origin-controlled-all"] as const,
    true,
  )!;
  return { profile };
}

/** What a new service's type-specific details are made from, besides `serviceDetails`. */
export interface ServiceSource {
  ownerId: string;
  repo?: string;
  image?: ServiceRecord["image"];
}

/**
 * What one service type adds to the common service: its `serviceDetails` on create and PATCH (validated,
 * a 400 naming the field before anything changes) and as Render renders them.
 */
export interface ServiceTypeHooks {
  /** The dashboard's path segment: `https://dashboard.render.com/<segment>/<id>`. */
  dashboard: string;
  /** The id prefix (`srv`; cron jobs `crn`). */
  idPrefix: string;
  /** `serviceDetails` of a new service. */
  create(core: EmulatorCore, d: Body | undefined, source: ServiceSource): WebDetailsRecord;
  /** The details after a PATCH's `serviceDetails` (a new object; `s` is not changed). */
  patch(core: EmulatorCore, s: ServiceRecord, d: Body): WebDetailsRecord;
  /** `serviceDetails` as Render renders them. */
  json(core: EmulatorCore, s: ServiceRecord): Record<string, unknown>;
}

/** What each emulated type has; a type not listed here is refused on create. */
export const serviceTypeHooks: Partial<Record<ServiceType, ServiceTypeHooks>> = {};

function createService(core: EmulatorCore, b: Body): ServiceRecord {
  const type = enumField(b, "type", "type", SERVICE_TYPES, true)!;
  const name = stringField(b, "name", "name", true);
  const ownerId = stringField(b, "ownerId", "ownerId", true);
  const hooks = serviceTypeHooks[type];
  if (!hooks) {
    const emulated = Object.keys(serviceTypeHooks).join(", ");
    throw badRequest(`type ${type} is not supported by this emulator: emulated types are ${emulated}`);
  }
  const repo = stringField(b, "repo", "repo");
  const image = imageField(b);
  if (!repo && !image) throw badRequest("repo is required (or image, for a service deployed from an image)");
  if (repo && image) throw badRequest("give either repo or image, not both");
  const autoDeploy = enumField(b, "autoDeploy", "autoDeploy", ["yes", "no"] as const) ?? "yes";
  const branch = stringField(b, "branch", "branch");
  const rootDir = stringField(b, "rootDir", "rootDir") ?? "";
  const buildFilter = buildFilterField(b);
  const environmentId = stringField(b, "environmentId", "environmentId");
  const envVars = b.envVars === undefined || b.envVars === null ? [] : envVarList(b.envVars, "envVars");
  const secretFiles = secretFilesField(b);
  const details = hooks.create(core, objectField(b, "serviceDetails", "serviceDetails"), {
    ownerId,
    repo,
    image,
  });
  requireOwner(core, ownerId);
  checkPlacement(core, environmentId, ownerId);
  if (image && image.ownerId !== ownerId) throw badRequest("image.ownerId must be the service's ownerId");
  if (image?.registryCredentialId)
    checkRegistryCredential(core, ownerId, image.registryCredentialId, "image.registryCredentialId");
  checkNameFree(core, ownerId, name);

  const now = core.clock.now();
  const service: ServiceRecord = {
    id: newId(hooks.idPrefix),
    seq: core.state.nextSeq(),
    ownerId,
    type,
    name,
    slug: uniqueSlug(core, name),
    ...(repo ? { repo, branch: branch || "main" } : {}),
    ...(image ? { image } : {}),
    autoDeploy,
    rootDir,
    ...(buildFilter ? { buildFilter } : {}),
    ...(environmentId ? { environmentId } : {}),
    notifyOnFail: "default",
    suspended: false,
    createdAt: now,
    updatedAt: now,
    details,
    envVars: [],
    secretFiles,
    heads: {},
    health: { healthy: true, delayMs: 0 },
  };
  service.envVars = envVars.map((ev) => ({ ...ev, seq: core.state.nextSeq() }));
  core.state.services.set(service.id, service);
  return service;
}

/** Refuses the keys of `d` that the type has no setting for, naming the key and the type. */
function refuseKeys(d: Body, keys: readonly string[], type: string): void {
  for (const key of keys)
    if (d[key] !== undefined) throw badRequest(`serviceDetails.${key} is not a setting of a ${type}`);
}

/** Settings only a web service has (webServiceDetailsPOST, absent from the other types' POST bodies). */
const WEB_ONLY = [
  "healthCheckPath",
  "maintenanceMode",
  "ipAllowList",
  "renderSubdomainPolicy",
  "cache",
] as const;
/** Settings of instances, which a cron job (cronJobDetailsPOST) has none of. */
const INSTANCE_ONLY = [
  "numInstances",
  "autoscaling",
  "disk",
  "preDeployCommand",
  "previews",
  "pullRequestPreviewsEnabled",
  "maxShutdownDelaySeconds",
] as const;

/** The runtime and build of a new service: `runtime` (or the deprecated `env`) and `envSpecificDetails`. */
function runtimeOf(core: EmulatorCore, d: Body | undefined, source: ServiceSource) {
  if (!d)
    throw badRequest(`serviceDetails is required: serviceDetails.runtime is one of ${RUNTIMES.join(", ")}`);
  const runtime =
    enumField(d, "runtime", "serviceDetails.runtime", RUNTIMES) ??
    enumField(d, "env", "serviceDetails.env", RUNTIMES);
  if (!runtime) throw badRequest(`serviceDetails.runtime is required: one of ${RUNTIMES.join(", ")}`);
  if (source.image && runtime !== "image")
    throw badRequest("serviceDetails.runtime must be image for a service deployed from an image");
  if (!source.image && runtime === "image") throw badRequest("serviceDetails.runtime image needs an image");
  const envSpecific = envSpecificDetails(
    core,
    source.ownerId,
    runtime,
    objectField(d, "envSpecificDetails", "serviceDetails.envSpecificDetails"),
    "serviceDetails.envSpecificDetails",
    undefined,
  );
  return { runtime, envSpecificDetails: envSpecific };
}

/**
 * Details of a new service that runs instances (web service, private service, background worker): `web`
 * adds the web-only settings; the others take a paid plan (openapi.json `paidPlan`).
 */
function instanceDetails(
  core: EmulatorCore,
  d: Body | undefined,
  source: ServiceSource,
  type: ServiceType,
): WebDetailsRecord {
  const web = type === "web_service";
  if (d && !web) refuseKeys(d, WEB_ONLY, type);
  const { runtime, envSpecificDetails: envSpecific } = runtimeOf(core, d, source);
  d = d!;
  const details: WebDetailsRecord = {
    runtime,
    envSpecificDetails: envSpecific,
    plan: enumField(d, "plan", "serviceDetails.plan", web ? SERVICE_PLANS : PAID_PLANS) ?? "starter",
    region: enumField(d, "region", "serviceDetails.region", REGIONS) ?? "oregon",
    healthCheckPath: stringField(d, "healthCheckPath", "serviceDetails.healthCheckPath") ?? "",
    numInstances: intField(d, "numInstances", "serviceDetails.numInstances", 1, 100) ?? 1,
    pullRequestPreviewsEnabled:
      enumField(d, "pullRequestPreviewsEnabled", "serviceDetails.pullRequestPreviewsEnabled", [
        "yes",
        "no",
      ] as const) ?? "no",
    previewsGeneration: previewsField(d, "serviceDetails") ?? "off",
    maxShutdownDelaySeconds:
      intField(d, "maxShutdownDelaySeconds", "serviceDetails.maxShutdownDelaySeconds", 1, 300) ?? 30,
    renderSubdomainPolicy:
      enumField(d, "renderSubdomainPolicy", "serviceDetails.renderSubdomainPolicy", [
        "enabled",
        "disabled",
      ] as const) ?? "enabled",
  };
  const preDeployCommand = stringField(d, "preDeployCommand", "serviceDetails.preDeployCommand");
  if (preDeployCommand) details.preDeployCommand = preDeployCommand;
  const disk = objectField(d, "disk", "serviceDetails.disk");
  if (disk) {
    details.disk = {
      id: newId("dsk"),
      name: stringField(disk, "name", "serviceDetails.disk.name", true),
      mountPath: stringField(disk, "mountPath", "serviceDetails.disk.mountPath", true),
      sizeGB: intField(disk, "sizeGB", "serviceDetails.disk.sizeGB", 1) ?? 1,
    };
  }
  const autoscaling = objectField(d, "autoscaling", "serviceDetails.autoscaling");
  if (autoscaling) {
    details.autoscaling = checkAutoscaling(autoscaling);
    refuseAutoscaling(core, details, details.autoscaling as AutoscalingRecord);
    clampToAutoscaling(details);
  }
  const maintenanceMode = maintenanceField(d, "serviceDetails");
  if (maintenanceMode) details.maintenanceMode = maintenanceMode;
  const ipAllowList = cidrListField(d, "ipAllowList", "serviceDetails.ipAllowList");
  if (ipAllowList) details.ipAllowList = ipAllowList;
  return details;
}

/** Details of a new cron job (cronJobDetailsPOST): runtime, build, plan, region and its `schedule`. */
function cronJobDetails(core: EmulatorCore, d: Body | undefined, source: ServiceSource): WebDetailsRecord {
  if (d) refuseKeys(d, [...WEB_ONLY, ...INSTANCE_ONLY], "cron_job");
  const { runtime, envSpecificDetails: envSpecific } = runtimeOf(core, d, source);
  const schedule = cronScheduleField(d!, true)!;
  return {
    runtime,
    envSpecificDetails: envSpecific,
    plan: enumField(d!, "plan", "serviceDetails.plan", PAID_PLANS) ?? "starter",
    region: enumField(d!, "region", "serviceDetails.region", REGIONS) ?? "oregon",
    schedule,
    // Not settings of a cron job; kept so every service record has the same shape.
    healthCheckPath: "",
    numInstances: 1,
    pullRequestPreviewsEnabled: "no",
    previewsGeneration: "off",
    maxShutdownDelaySeconds: 30,
    renderSubdomainPolicy: "enabled",
  };
}

/** Ranges of the five fields of a cron expression: minute, hour, day of month, month, day of week. */
const CRON_FIELDS = [
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day of month", min: 1, max: 31 },
  { name: "month", min: 1, max: 12, names: ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"] },
  { name: "day of week", min: 0, max: 7, names: ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"] },
]; // prettier-ignore

/**
 * Why a cron expression is not one Render runs, or undefined. Render takes the standard five fields
 * (render.com/docs/cronjobs: "a valid cron expression", times in UTC); which extensions it accepts
 * (`@daily`, `L`, `#`) is UNCONFIRMED, so they are refused.
 */
export function cronScheduleProblem(schedule: string): string | undefined {
  const fields = schedule.trim().split(/\s+/);
  if (fields.length !== 5)
    return `must have 5 fields (minute hour day-of-month month day-of-week), got ${fields.length}`;
  for (const [i, field] of fields.entries()) {
    const { name, min, max, names } = CRON_FIELDS[i];
    const value = (v: string) => {
      const index = names?.indexOf(v.toUpperCase()) ?? -1;
      if (index >= 0) return index + (name === "month" ? 1 : 0);
      return /^\d+$/.test(v) ? Number(v) : NaN;
    };
    for (const part of field.split(",")) {
      const m = /^(\*|([^-/]+)(?:-([^-/]+))?)(?:\/(\d+))?$/.exec(part);
      const bad = `${name} field ${JSON.stringify(field)} is not a number from ${min} to ${max}, a range, a list or a step`;
      if (!m) return bad;
      const [, , from, to, step] = m;
      const bounds = from === undefined ? [] : [value(from), ...(to === undefined ? [] : [value(to)])];
      if (bounds.some((b) => !(b >= min && b <= max))) return bad;
      if (bounds.length === 2 && bounds[0] > bounds[1]) return bad;
      if (step !== undefined && Number(step) < 1) return bad;
    }
  }
  return undefined;
}

function cronScheduleField(d: Body, required: boolean): string | undefined {
  const schedule = required
    ? stringField(d, "schedule", "serviceDetails.schedule", true)
    : stringField(d, "schedule", "serviceDetails.schedule");
  if (schedule === undefined) return undefined;
  const problem = cronScheduleProblem(schedule);
  if (problem) throw badRequest(`serviceDetails.schedule ${problem}`);
  return schedule.trim();
}

/** A service's autoscaling config (openapi.json `webServiceDetails.autoscaling`). */
export interface AutoscalingRecord {
  enabled: boolean;
  min: number;
  max: number;
  criteria: Record<"cpu" | "memory", { enabled: boolean; percentage: number }>;
}

/**
 * An autoscaling config, checked (`name` is where it sits: `serviceDetails.autoscaling` on create, the
 * body of `PUT …/autoscaling`). Instances 1–100 and min <= max; targets 1–90 % each (Render's scaling
 * guide, render-oss/skills `render-scaling`: "targets for CPU and/or memory utilization (1–90% each)").
 * An enabled config with no criterion enabled: the guide says autoscaling is then off; whether the API
 * refuses it is UNCONFIRMED, so it is refused (400) here, the safe side.
 */
function checkAutoscaling(a: Body, name = "serviceDetails.autoscaling"): AutoscalingRecord {
  const enabled = boolField(a, "enabled", `${name}.enabled`) ?? false;
  const min = intField(a, "min", `${name}.min`, 1, 100);
  const max = intField(a, "max", `${name}.max`, 1, 100);
  if (min === undefined || max === undefined) throw badRequest(`${name} needs min and max`);
  if (min > max) throw badRequest(`${name}.min must not exceed max`);
  const criteria = objectField(a, "criteria", `${name}.criteria`) ?? {};
  const criterion = (key: "cpu" | "memory") => {
    const c = objectField(criteria, key, `${name}.criteria.${key}`) ?? {};
    return {
      enabled: boolField(c, "enabled", `${name}.criteria.${key}.enabled`) ?? false,
      percentage: intField(c, "percentage", `${name}.criteria.${key}.percentage`, 1, 90) ?? 70,
    };
  };
  const out = { enabled, min, max, criteria: { cpu: criterion("cpu"), memory: criterion("memory") } };
  if (enabled && !out.criteria.cpu.enabled && !out.criteria.memory.enabled)
    throw badRequest(`${name}: enable criteria.cpu and/or criteria.memory, or set enabled to false`);
  return out;
}

/**
 * Autoscaling Render refuses: on a Hobby workspace (render-oss/skills `render-scaling`: "Available on
 * Professional and higher workspaces only"), and on a service with a persistent disk, which runs one
 * instance (render.com/docs/disks: "can't scale to multiple instances"). Render's status for either is
 * UNCONFIRMED: 400.
 */
function refuseAutoscaling(core: EmulatorCore, d: WebDetailsRecord, a: AutoscalingRecord): void {
  if (!a.enabled) return;
  if (core.workspaceTier === "hobby")
    throw badRequest("autoscaling needs a Professional workspace or higher; this workspace is Hobby");
  if (d.disk) throw badRequest("a service with a persistent disk runs one instance: it cannot autoscale");
}

/** While Render autoscales a service its autoscaler keeps the count within [min, max]. */
function clampToAutoscaling(d: WebDetailsRecord): void {
  const a = d.autoscaling as AutoscalingRecord | undefined;
  if (a?.enabled) d.numInstances = Math.min(a.max, Math.max(a.min, d.numInstances));
}

export function secretFilesField(b: Body): ServiceRecord["secretFiles"] {
  const value = b.secretFiles;
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw badRequest("secretFiles must be an array of {name, content}");
  return value.map((item, i) => {
    const f = objectBody(item, `secretFiles[${i}]`);
    return {
      name: stringField(f, "name", `secretFiles[${i}].name`, true),
      content: stringField(f, "content", `secretFiles[${i}].content`) ?? "",
    };
  });
}

/** Fields a PATCH refuses, with where to change them instead. */
const NOT_PATCHABLE: Record<string, string> = {
  type: "the type of a service cannot be changed",
  ownerId: "ownerId cannot be changed",
  environmentId: "environmentId cannot be changed with PATCH /services/{serviceId}",
  envVars:
    "envVars cannot be changed with PATCH /services/{serviceId}: use PUT /services/{serviceId}/env-vars",
  secretFiles:
    "secretFiles cannot be changed with PATCH /services/{serviceId}: use PUT /services/{serviceId}/secret-files",
};
const NOT_PATCHABLE_DETAILS: Record<string, string> = {
  region: "serviceDetails.region cannot be changed after creation",
  numInstances:
    "serviceDetails.numInstances cannot be changed with PATCH: use POST /services/{serviceId}/scale",
  disk: "serviceDetails.disk cannot be changed with PATCH: use the /disks routes",
  autoscaling: "serviceDetails.autoscaling cannot be changed with PATCH: use the /autoscaling route",
};

/** Refuses the details a PATCH cannot change (NOT_PATCHABLE_DETAILS) when they differ from live. */
function refuseUnpatchableDetails(s: ServiceRecord, d: Body): void {
  for (const [field, message] of Object.entries(NOT_PATCHABLE_DETAILS)) {
    if (d[field] === undefined) continue;
    const current = (s.details as unknown as Record<string, unknown>)[field];
    if (typeof d[field] === "object" || d[field] !== current) throw badRequest(message);
  }
}

/** A PATCH's `runtime` and `envSpecificDetails` applied to a copy of `details`. */
function patchRuntime(core: EmulatorCore, s: ServiceRecord, d: Body, details: WebDetailsRecord): void {
  const runtime = enumField(d, "runtime", "serviceDetails.runtime", RUNTIMES);
  if (
    runtime !== undefined &&
    DOCKER_RUNTIMES.includes(runtime) !== DOCKER_RUNTIMES.includes(s.details.runtime)
  ) {
    const kinds = DOCKER_RUNTIMES.includes(runtime) ? "a docker" : "a native";
    if (!d.envSpecificDetails)
      throw badRequest(`serviceDetails.envSpecificDetails is required when switching to ${kinds} runtime`);
  }
  if (runtime === "image" && !s.image) throw badRequest("serviceDetails.runtime image needs an image");
  if (runtime !== undefined && runtime !== "image" && s.image)
    throw badRequest("serviceDetails.runtime of a service deployed from an image stays image");
  const newRuntime = runtime ?? s.details.runtime;
  const esd = objectField(d, "envSpecificDetails", "serviceDetails.envSpecificDetails");
  const sameKind = DOCKER_RUNTIMES.includes(newRuntime) === DOCKER_RUNTIMES.includes(s.details.runtime);
  if (esd || runtime !== undefined) {
    details.envSpecificDetails = envSpecificDetails(
      core,
      s.ownerId,
      newRuntime,
      esd,
      "serviceDetails.envSpecificDetails",
      sameKind ? s.details.envSpecificDetails : undefined,
    );
  }
  details.runtime = newRuntime;
}

/** PATCH of a service that runs instances (webServiceDetailsPATCH, and the private service's and worker's). */
function patchInstanceDetails(core: EmulatorCore, s: ServiceRecord, d: Body): WebDetailsRecord {
  const web = s.type === "web_service";
  if (!web) refuseKeys(d, WEB_ONLY, s.type);
  refuseUnpatchableDetails(s, d);
  const details = { ...s.details };
  patchRuntime(core, s, d, details);
  details.plan =
    enumField(d, "plan", "serviceDetails.plan", web ? SERVICE_PLANS : PAID_PLANS) ?? details.plan;
  details.healthCheckPath =
    stringField(d, "healthCheckPath", "serviceDetails.healthCheckPath") ?? details.healthCheckPath;
  const preDeployCommand = stringField(d, "preDeployCommand", "serviceDetails.preDeployCommand");
  if (preDeployCommand !== undefined) details.preDeployCommand = preDeployCommand || undefined;
  details.pullRequestPreviewsEnabled =
    enumField(d, "pullRequestPreviewsEnabled", "serviceDetails.pullRequestPreviewsEnabled", [
      "yes",
      "no",
    ] as const) ?? details.pullRequestPreviewsEnabled;
  details.previewsGeneration = previewsField(d, "serviceDetails") ?? details.previewsGeneration;
  details.maxShutdownDelaySeconds =
    intField(d, "maxShutdownDelaySeconds", "serviceDetails.maxShutdownDelaySeconds", 1, 300) ??
    details.maxShutdownDelaySeconds;
  details.renderSubdomainPolicy =
    enumField(d, "renderSubdomainPolicy", "serviceDetails.renderSubdomainPolicy", [
      "enabled",
      "disabled",
    ] as const) ?? details.renderSubdomainPolicy;
  const maintenanceMode = maintenanceField(d, "serviceDetails");
  if (maintenanceMode) details.maintenanceMode = maintenanceMode;
  const ipAllowList = cidrListField(d, "ipAllowList", "serviceDetails.ipAllowList");
  if (ipAllowList) details.ipAllowList = ipAllowList;
  const cache = cacheField(d, "serviceDetails");
  if (cache) details.cache = cache;
  return details;
}

/** PATCH of a cron job (cronJobDetailsPATCH): runtime, build, plan and schedule. */
function patchCronJobDetails(core: EmulatorCore, s: ServiceRecord, d: Body): WebDetailsRecord {
  refuseKeys(d, [...WEB_ONLY, ...INSTANCE_ONLY], "cron_job");
  refuseUnpatchableDetails(s, d);
  const details = { ...s.details };
  patchRuntime(core, s, d, details);
  details.plan = enumField(d, "plan", "serviceDetails.plan", PAID_PLANS) ?? details.plan;
  details.schedule = cronScheduleField(d, false) ?? details.schedule;
  return details;
}

function patchService(core: EmulatorCore, s: ServiceRecord, b: Body): void {
  for (const [field, message] of Object.entries(NOT_PATCHABLE)) {
    if (b[field] === undefined) continue;
    const current = (s as unknown as Record<string, unknown>)[field];
    if (field === "envVars" || field === "secretFiles" || b[field] !== current) throw badRequest(message);
  }
  const d = objectField(b, "serviceDetails", "serviceDetails");
  const name = stringField(b, "name", "name");
  if (name !== undefined && name.trim() === "") throw badRequest("name must not be empty");
  const autoDeploy = enumField(b, "autoDeploy", "autoDeploy", ["yes", "no"] as const);
  const repo = stringField(b, "repo", "repo");
  const branch = stringField(b, "branch", "branch");
  const image = imageField(b);
  const rootDir = stringField(b, "rootDir", "rootDir");
  const buildFilter = buildFilterField(b);
  if (repo !== undefined && s.image)
    throw badRequest("repo cannot be set on a service deployed from an image");
  if (image !== undefined && !s.image)
    throw badRequest("image cannot be set on a service built from a repository");
  if (image && image.ownerId !== s.ownerId) throw badRequest("image.ownerId must be the service's ownerId");
  if (image?.registryCredentialId)
    checkRegistryCredential(core, s.ownerId, image.registryCredentialId, "image.registryCredentialId");

  const details = d ? hooksOf(s).patch(core, s, d) : s.details;
  if (name !== undefined && name !== s.name) checkNameFree(core, s.ownerId, name, s.id);

  // Everything validated: apply.
  if (name !== undefined) s.name = name;
  if (autoDeploy !== undefined) s.autoDeploy = autoDeploy;
  if (repo !== undefined) s.repo = repo;
  if (branch !== undefined) s.branch = branch;
  if (image !== undefined) s.image = image;
  if (rootDir !== undefined) s.rootDir = rootDir;
  if (buildFilter !== undefined) s.buildFilter = buildFilter;
  s.details = details;
  s.updatedAt = core.clock.now();
}

/** The hooks of a service's type (every stored service has a type with hooks). */
function hooksOf(s: ServiceRecord): ServiceTypeHooks {
  const hooks = serviceTypeHooks[s.type];
  if (!hooks) throw new Error(`no hooks for service type ${s.type}`);
  return hooks;
}

/** A service as Render renders it: the common fields, and `serviceDetails` by its type. */
export function serviceJson(core: EmulatorCore, s: ServiceRecord): Record<string, unknown> {
  if (s.type === "static_site") return staticSiteJson(core, s);
  const hooks = hooksOf(s);
  const credentialId = s.image?.registryCredentialId ?? s.details.envSpecificDetails?.registryCredentialId;
  const credential = credentialId ? registryCredentialOf(core, credentialId) : undefined;
  return {
    id: s.id,
    autoDeploy: s.autoDeploy,
    ...(s.branch !== undefined ? { branch: s.branch } : {}),
    ...(s.buildFilter ? { buildFilter: s.buildFilter } : {}),
    createdAt: iso(s.createdAt),
    dashboardUrl: `https://dashboard.render.com/${hooks.dashboard}/${s.id}`,
    ...(s.environmentId !== undefined ? { environmentId: s.environmentId } : {}),
    ...(s.image ? { imagePath: s.image.imagePath } : {}),
    name: s.name,
    notifyOnFail: s.notifyOnFail,
    ownerId: s.ownerId,
    ...(credential ? { registryCredential: { id: credential.id, name: credential.name } } : {}),
    ...(s.repo !== undefined ? { repo: s.repo } : {}),
    rootDir: s.rootDir,
    slug: s.slug,
    suspended: s.suspended ? "suspended" : "not_suspended",
    suspenders: s.suspended ? ["user"] : [],
    type: s.type,
    updatedAt: iso(s.updatedAt),
    serviceDetails: hooks.json(core, s),
  };
}

/**
 * The runtime and build every non-static type renders: `env` and `runtime` (both, same value, OBSERVED),
 * `envSpecificDetails` (docker: the credential as an object; `preDeployCommand` inside it, OBSERVED).
 */
function runtimeJson(core: EmulatorCore, d: WebDetailsRecord): Record<string, unknown> {
  const docker = DOCKER_RUNTIMES.includes(d.runtime);
  return {
    env: d.runtime,
    runtime: d.runtime,
    envSpecificDetails: {
      ...(docker ? dockerDetailsJson(core, d.envSpecificDetails) : d.envSpecificDetails),
      ...(d.preDeployCommand ? { preDeployCommand: d.preDeployCommand } : {}),
    },
    buildPlan: "starter",
    plan: d.plan,
    region: d.region,
  };
}

/** What a service running instances renders (backgroundWorkerDetails; the others add to it). */
function instanceJson(core: EmulatorCore, d: WebDetailsRecord): Record<string, unknown> {
  return {
    ...runtimeJson(core, d),
    ...(d.autoscaling ? { autoscaling: d.autoscaling } : {}),
    ...(d.disk ? { disk: d.disk } : {}),
    numInstances: d.numInstances,
    pullRequestPreviewsEnabled: d.pullRequestPreviewsEnabled,
    previews: { generation: d.previewsGeneration },
    maxShutdownDelaySeconds: d.maxShutdownDelaySeconds,
  };
}

/** The port Render routes to by default (OBSERVED `openPorts` `[{port: 10000, protocol: "TCP"}]`). */
const DEFAULT_PORTS = [{ port: 10000, protocol: "TCP" }];

serviceTypeHooks.web_service = {
  dashboard: "web",
  idPrefix: "srv",
  create: (core, d, source) => instanceDetails(core, d, source, "web_service"),
  patch: patchInstanceDetails,
  json: (core, s) => {
    const d = s.details;
    return {
      ...instanceJson(core, d),
      ...(d.cache ? { cache: d.cache } : {}),
      healthCheckPath: d.healthCheckPath,
      ...(d.ipAllowList ? { ipAllowList: d.ipAllowList } : {}),
      ...(d.maintenanceMode ? { maintenanceMode: d.maintenanceMode } : {}),
      openPorts: DEFAULT_PORTS,
      url: core.serviceUrl(s.slug),
      renderSubdomainPolicy: d.renderSubdomainPolicy,
    };
  },
};

serviceTypeHooks.private_service = {
  dashboard: "pserv",
  idPrefix: "srv",
  create: (core, d, source) => instanceDetails(core, d, source, "private_service"),
  patch: patchInstanceDetails,
  json: (core, s) => ({
    ...instanceJson(core, s.details),
    openPorts: DEFAULT_PORTS,
    // openapi.json requires `url`; a private service has no public one. Its address on the private
    // network, `<slug>:<port>` (render.com/docs/private-services), is what this holds: UNCONFIRMED.
    url: `${s.slug}:${DEFAULT_PORTS[0].port}`,
  }),
};

serviceTypeHooks.background_worker = {
  dashboard: "worker",
  idPrefix: "srv",
  create: (core, d, source) => instanceDetails(core, d, source, "background_worker"),
  patch: patchInstanceDetails,
  json: (core, s) => instanceJson(core, s.details),
};

// Cron job ids are `crn-…` (their dashboard URLs read /cron/crn-…): UNCONFIRMED in the spec.
serviceTypeHooks.cron_job = {
  dashboard: "cron",
  idPrefix: "crn",
  create: cronJobDetails,
  patch: patchCronJobDetails,
  json: (core, s) => ({
    ...runtimeJson(core, s.details),
    schedule: s.details.schedule ?? "",
    ...(s.details.lastSuccessfulRunAt !== undefined
      ? { lastSuccessfulRunAt: iso(s.details.lastSuccessfulRunAt) }
      : {}),
  }),
};
