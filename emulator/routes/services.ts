/**
 * Service routes: list (filters), create (201 `{service, deployId}`, starting the first deploy), get,
 * patch, delete, suspend, resume, scale. `web_service` and `static_site` (routes/staticSites.ts) are
 * emulated; other types get a 400 that says so.
 *
 * Names are unique per workspace, as the spec says ("Must be unique within the workspace"); a
 * duplicate is refused with 409 (Render lists 409 for POST /services and PATCH /services/{id}).
 */
import type { EmulatorCore } from "../core";
import { badRequest, conflict } from "../errors";
import { nameSuffix, newId } from "../ids";
import { hasLiveDeploy } from "../lifecycle/deploys";
import type { Router } from "../router";
import type { ServiceRecord, WebDetailsRecord } from "../state/model";
import { iso, requireOwner, requireService } from "./common";
import { createDeploy } from "./deploys";
import { DOCKER_RUNTIMES, REGIONS, RUNTIMES, SERVICE_PLANS, SERVICE_TYPES, SUSPENDED_VALUES } from "./enums";
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

  router.add("POST", "/services/:serviceId/scale", ({ params, body }) => {
    const service = requireService(core, params.serviceId);
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
    };
    for (const field of ["dockerCommand", "dockerContext", "dockerfilePath", "registryCredentialId"]) {
      const s = stringField(v, field, `${name}.${field}`);
      if (s !== undefined) out[field] = s;
    }
    delete out.registryCredentialId; // read back as a credential object, which is not emulated
    return out;
  }
  const v = value ?? {};
  const buildCommand = stringField(v, "buildCommand", `${name}.buildCommand`) ?? partial?.buildCommand;
  const startCommand = stringField(v, "startCommand", `${name}.startCommand`) ?? partial?.startCommand;
  if (buildCommand === undefined) throw badRequest(`${name}.buildCommand is required for runtime ${runtime}`);
  if (startCommand === undefined) throw badRequest(`${name}.startCommand is required for runtime ${runtime}`);
  return { buildCommand, startCommand };
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

function createService(core: EmulatorCore, b: Body): ServiceRecord {
  const type = enumField(b, "type", "type", SERVICE_TYPES, true)!;
  const name = stringField(b, "name", "name", true);
  const ownerId = stringField(b, "ownerId", "ownerId", true);
  if (type !== "web_service") {
    throw badRequest(`type ${type} is not supported by this emulator: only web_service is emulated`);
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
  const d = objectField(b, "serviceDetails", "serviceDetails");
  if (!d)
    throw badRequest(`serviceDetails is required: serviceDetails.runtime is one of ${RUNTIMES.join(", ")}`);
  const runtime =
    enumField(d, "runtime", "serviceDetails.runtime", RUNTIMES) ??
    enumField(d, "env", "serviceDetails.env", RUNTIMES);
  if (!runtime) throw badRequest(`serviceDetails.runtime is required: one of ${RUNTIMES.join(", ")}`);
  if (image && runtime !== "image")
    throw badRequest("serviceDetails.runtime must be image for a service deployed from an image");
  if (!image && runtime === "image") throw badRequest("serviceDetails.runtime image needs an image");
  const details: WebDetailsRecord = {
    runtime,
    envSpecificDetails: envSpecificDetails(
      runtime,
      objectField(d, "envSpecificDetails", "serviceDetails.envSpecificDetails"),
      "serviceDetails.envSpecificDetails",
      undefined,
    ),
    plan: enumField(d, "plan", "serviceDetails.plan", SERVICE_PLANS) ?? "starter",
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
  const autoscaling = objectField(d, "autoscaling", "serviceDetails.autoscaling");
  if (autoscaling) details.autoscaling = checkAutoscaling(autoscaling);
  const disk = objectField(d, "disk", "serviceDetails.disk");
  if (disk) {
    details.disk = {
      id: newId("dsk"),
      name: stringField(disk, "name", "serviceDetails.disk.name", true),
      mountPath: stringField(disk, "mountPath", "serviceDetails.disk.mountPath", true),
      sizeGB: intField(disk, "sizeGB", "serviceDetails.disk.sizeGB", 1) ?? 1,
    };
  }
  const maintenanceMode = maintenanceField(d, "serviceDetails");
  if (maintenanceMode) details.maintenanceMode = maintenanceMode;
  const ipAllowList = cidrListField(d, "ipAllowList", "serviceDetails.ipAllowList");
  if (ipAllowList) details.ipAllowList = ipAllowList;
  requireOwner(core, ownerId);
  if (image && image.ownerId !== ownerId) throw badRequest("image.ownerId must be the service's ownerId");
  checkNameFree(core, ownerId, name);

  const now = core.clock.now();
  const service: ServiceRecord = {
    id: newId("srv"),
    seq: core.state.nextSeq(),
    ownerId,
    type: "web_service",
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

function checkAutoscaling(a: Body): unknown {
  const enabled = boolField(a, "enabled", "serviceDetails.autoscaling.enabled") ?? false;
  const min = intField(a, "min", "serviceDetails.autoscaling.min", 1, 100);
  const max = intField(a, "max", "serviceDetails.autoscaling.max", 1, 100);
  if (min === undefined || max === undefined)
    throw badRequest("serviceDetails.autoscaling needs min and max");
  if (min > max) throw badRequest("serviceDetails.autoscaling.min must not exceed max");
  const criteria = objectField(a, "criteria", "serviceDetails.autoscaling.criteria") ?? {};
  const criterion = (key: "cpu" | "memory") => {
    const c = objectField(criteria, key, `serviceDetails.autoscaling.criteria.${key}`) ?? {};
    return {
      enabled: boolField(c, "enabled", `serviceDetails.autoscaling.criteria.${key}.enabled`) ?? false,
      percentage:
        intField(c, "percentage", `serviceDetails.autoscaling.criteria.${key}.percentage`, 1, 100) ?? 70,
    };
  };
  return { enabled, min, max, criteria: { cpu: criterion("cpu"), memory: criterion("memory") } };
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

function patchService(core: EmulatorCore, s: ServiceRecord, b: Body): void {
  for (const [field, message] of Object.entries(NOT_PATCHABLE)) {
    if (b[field] === undefined) continue;
    const current = (s as unknown as Record<string, unknown>)[field];
    if (field === "envVars" || field === "secretFiles" || b[field] !== current) throw badRequest(message);
  }
  const d = objectField(b, "serviceDetails", "serviceDetails");
  if (d) {
    for (const [field, message] of Object.entries(NOT_PATCHABLE_DETAILS)) {
      if (d[field] === undefined) continue;
      const current = (s.details as unknown as Record<string, unknown>)[field];
      if (typeof d[field] === "object" || d[field] !== current) throw badRequest(message);
    }
  }
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

  const details = { ...s.details };
  if (d) {
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
    const newRuntime = runtime ?? s.details.runtime;
    const esd = objectField(d, "envSpecificDetails", "serviceDetails.envSpecificDetails");
    const sameKind = DOCKER_RUNTIMES.includes(newRuntime) === DOCKER_RUNTIMES.includes(s.details.runtime);
    if (esd || runtime !== undefined) {
      details.envSpecificDetails = envSpecificDetails(
        newRuntime,
        esd,
        "serviceDetails.envSpecificDetails",
        sameKind ? s.details.envSpecificDetails : undefined,
      );
    }
    details.runtime = newRuntime;
    details.plan = enumField(d, "plan", "serviceDetails.plan", SERVICE_PLANS) ?? details.plan;
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
  }
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

/** A service as Render renders it (`preDeployCommand` inside `envSpecificDetails`, OBSERVED). */
export function serviceJson(core: EmulatorCore, s: ServiceRecord): Record<string, unknown> {
  if (s.type === "static_site") return staticSiteJson(core, s);
  const d = s.details;
  return {
    id: s.id,
    autoDeploy: s.autoDeploy,
    ...(s.branch !== undefined ? { branch: s.branch } : {}),
    ...(s.buildFilter ? { buildFilter: s.buildFilter } : {}),
    createdAt: iso(s.createdAt),
    dashboardUrl: `https://dashboard.render.com/web/${s.id}`,
    ...(s.environmentId !== undefined ? { environmentId: s.environmentId } : {}),
    ...(s.image ? { imagePath: s.image.imagePath } : {}),
    name: s.name,
    notifyOnFail: s.notifyOnFail,
    ownerId: s.ownerId,
    ...(s.repo !== undefined ? { repo: s.repo } : {}),
    rootDir: s.rootDir,
    slug: s.slug,
    suspended: s.suspended ? "suspended" : "not_suspended",
    suspenders: s.suspended ? ["user"] : [],
    type: s.type,
    updatedAt: iso(s.updatedAt),
    serviceDetails: {
      ...(d.autoscaling ? { autoscaling: d.autoscaling } : {}),
      ...(d.cache ? { cache: d.cache } : {}),
      ...(d.disk ? { disk: d.disk } : {}),
      env: d.runtime,
      envSpecificDetails: {
        ...d.envSpecificDetails,
        ...(d.preDeployCommand ? { preDeployCommand: d.preDeployCommand } : {}),
      },
      healthCheckPath: d.healthCheckPath,
      ...(d.ipAllowList ? { ipAllowList: d.ipAllowList } : {}),
      ...(d.maintenanceMode ? { maintenanceMode: d.maintenanceMode } : {}),
      numInstances: d.numInstances,
      openPorts: [{ port: 10000, protocol: "TCP" }],
      plan: d.plan,
      pullRequestPreviewsEnabled: d.pullRequestPreviewsEnabled,
      previews: { generation: d.previewsGeneration },
      region: d.region,
      runtime: d.runtime,
      url: core.serviceUrl(s.slug),
      buildPlan: "starter",
      maxShutdownDelaySeconds: d.maxShutdownDelaySeconds,
      renderSubdomainPolicy: d.renderSubdomainPolicy,
    },
  };
}
