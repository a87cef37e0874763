/**
 * Static sites (`type: static_site` of `/services`, hooked from services.ts) and their rules:
 * `/services/{id}/headers` (response headers) and `/services/{id}/routes` (redirects and rewrites),
 * openapi.json "Services" (staticSiteDetailsPOST/PATCH, headerInput, routePost/routePut/routePatch).
 *
 * OBSERVED in render-oss/terraform-provider-render's recorded traffic
 * (`internal/provider/staticsite/resource/testdata/static_site_cassette.yaml`, 2025-05):
 * - `dashboardUrl` is `https://dashboard.render.com/static/<srv-id>`; serviceDetails has `buildCommand`,
 *   `buildPlan: starter`, `previews`, `publishPath`, `pullRequestPreviewsEnabled`, `url`;
 * - a create sending `pullRequestPreviewsEnabled: no` with `previews.generation: automatic` reads back
 *   `yes`: the `previews` object wins and the legacy flag follows it;
 * - header ids are `hdr-…`, route ids `rdr-…`; headers list newest first, routes in priority order
 *   (0 first, as the create listed them).
 *
 * UNCONFIRMED, with the safe choice:
 * - headers and routes on a service that is not a static site: writes refused (400), as Render documents
 *   them for static sites only; reads list none (the spec documents no 400 on the GETs);
 * - header paths must start with `/`, header names are HTTP tokens (RFC 9110), route sources start with
 *   `/`: Render's exact rules are not documented;
 * - `POST …/headers` answers `{headers: header}` and `PATCH …/routes` `{headers: route}`, as openapi.json
 *   says (odd, but the spec's words); `PATCH …/routes` needs the route's `id` in the body, which the
 *   spec's routePatch lacks (without it the route to move is undefined);
 * - an omitted `buildCommand` is stored as "" (the spec requires it on the read object only).
 */
import type { EmulatorCore } from "../core";
import { badRequest, notFound } from "../errors";
import { newId } from "../ids";
import type { Router } from "../router";
import type { HeaderRecord, RouteRecord, ServiceRecord, WebDetailsRecord } from "../state/model";
import { iso, requireOwner, requireService } from "./common";
import { checkPlacement } from "./projects";
import { envVarList } from "./envVars";
import { paginate } from "./pagination";
import { buildFilterField, checkNameFree, secretFilesField, uniqueSlug } from "./services";
import {
  type Body,
  cidrListField,
  enumField,
  intField,
  objectBody,
  objectField,
  queryEnumList,
  queryList,
  stringField,
} from "./validate";

const ROUTE_TYPES = ["redirect", "rewrite"] as const;
const YES_NO = ["yes", "no"] as const;
const GENERATIONS = ["off", "manual", "automatic"] as const;
const SUBDOMAIN_POLICIES = ["enabled", "disabled"] as const;

/** Fields of servicePOST a static site does not take (it builds from a repository, on Render's CDN). */
const NOT_FOR_STATIC: Record<string, string> = {
  image: "a static site builds from a repository: image is not allowed",
};
const NOT_FOR_STATIC_DETAILS = [
  "runtime",
  "env",
  "plan",
  "region",
  "numInstances",
  "envSpecificDetails",
  "healthCheckPath",
  "disk",
  "autoscaling",
  "preDeployCommand",
];

/** A static site's settings on the service record; `details` holds the build command for the logs. */
function placeholderDetails(buildCommand: string): WebDetailsRecord {
  return {
    runtime: "static",
    envSpecificDetails: { buildCommand },
    plan: "starter",
    region: "",
    healthCheckPath: "",
    numInstances: 1,
    pullRequestPreviewsEnabled: "no",
    previewsGeneration: "off",
    maxShutdownDelaySeconds: 30,
    renderSubdomainPolicy: "enabled",
  };
}

/** `previews.generation` and the legacy `pullRequestPreviewsEnabled`, kept consistent (OBSERVED). */
function previewSettings(
  d: Body,
  current: { pr: "yes" | "no"; generation: "off" | "manual" | "automatic" },
): { pr: "yes" | "no"; generation: "off" | "manual" | "automatic" } {
  const previews = objectField(d, "previews", "serviceDetails.previews");
  const generation = previews
    ? enumField(previews, "generation", "serviceDetails.previews.generation", GENERATIONS)
    : undefined;
  const pr = enumField(d, "pullRequestPreviewsEnabled", "serviceDetails.pullRequestPreviewsEnabled", YES_NO);
  if (generation !== undefined) return { generation, pr: generation === "off" ? "no" : "yes" };
  // Only the legacy flag: "yes" reads back as automatic previews (UNCONFIRMED; the flag is deprecated).
  if (pr !== undefined) return { pr, generation: pr === "yes" ? "automatic" : "off" };
  return current;
}

function refuseWebFields(d: Body): void {
  for (const field of NOT_FOR_STATIC_DETAILS) {
    if (d[field] !== undefined) throw badRequest(`serviceDetails.${field} is not a setting of a static site`);
  }
}

/** Validates a `POST /services` body of type static_site and stores the site with its rules. */
export function createStaticSite(core: EmulatorCore, b: Body): ServiceRecord {
  const name = stringField(b, "name", "name", true);
  const ownerId = stringField(b, "ownerId", "ownerId", true);
  for (const [field, message] of Object.entries(NOT_FOR_STATIC))
    if (b[field] !== undefined) throw badRequest(message);
  const repo = stringField(b, "repo", "repo");
  if (!repo) throw badRequest("repo is required for a static site");
  const branch = stringField(b, "branch", "branch");
  const autoDeploy = enumField(b, "autoDeploy", "autoDeploy", YES_NO) ?? "yes";
  const rootDir = stringField(b, "rootDir", "rootDir") ?? "";
  const buildFilter = buildFilterField(b);
  const environmentId = stringField(b, "environmentId", "environmentId");
  const envVars = b.envVars === undefined || b.envVars === null ? [] : envVarList(b.envVars, "envVars");
  const secretFiles = secretFilesField(b);
  const d = objectField(b, "serviceDetails", "serviceDetails") ?? {};
  refuseWebFields(d);
  const buildCommand = stringField(d, "buildCommand", "serviceDetails.buildCommand") ?? "";
  const publishPath = stringField(d, "publishPath", "serviceDetails.publishPath") ?? "public";
  const previews = previewSettings(d, { pr: "no", generation: "off" });
  const headers =
    d.headers === undefined || d.headers === null
      ? []
      : headerList(core, d.headers, "serviceDetails.headers");
  const routes =
    d.routes === undefined || d.routes === null ? [] : routeList(d.routes, "serviceDetails.routes", true);
  const details = placeholderDetails(buildCommand);
  details.pullRequestPreviewsEnabled = previews.pr;
  details.previewsGeneration = previews.generation;
  details.renderSubdomainPolicy =
    enumField(d, "renderSubdomainPolicy", "serviceDetails.renderSubdomainPolicy", SUBDOMAIN_POLICIES) ??
    "enabled";
  const ipAllowList = cidrListField(d, "ipAllowList", "serviceDetails.ipAllowList");
  if (ipAllowList) details.ipAllowList = ipAllowList;
  requireOwner(core, ownerId);
  checkPlacement(core, environmentId, ownerId);
  checkNameFree(core, ownerId, name);

  const now = core.clock.now();
  const service: ServiceRecord = {
    id: newId("srv"),
    seq: core.state.nextSeq(),
    ownerId,
    type: "static_site",
    name,
    slug: uniqueSlug(core, name),
    repo,
    branch: branch || "main",
    autoDeploy,
    rootDir,
    ...(buildFilter ? { buildFilter } : {}),
    ...(environmentId ? { environmentId } : {}),
    notifyOnFail: "default",
    suspended: false,
    createdAt: now,
    updatedAt: now,
    details,
    envVars: envVars.map((ev) => ({ ...ev, seq: core.state.nextSeq() })),
    secretFiles,
    heads: {},
    health: { healthy: true, delayMs: 0 },
    staticSite: { publishPath, headers, routes },
  };
  core.state.services.set(service.id, service);
  return service;
}

/** Fields a PATCH of a static site refuses (as for a web service). */
const NOT_PATCHABLE: Record<string, string> = {
  type: "the type of a service cannot be changed",
  ownerId: "ownerId cannot be changed",
  environmentId: "environmentId cannot be changed with PATCH /services/{serviceId}",
  envVars:
    "envVars cannot be changed with PATCH /services/{serviceId}: use PUT /services/{serviceId}/env-vars",
  secretFiles:
    "secretFiles cannot be changed with PATCH /services/{serviceId}: use PUT /services/{serviceId}/secret-files",
  image: "a static site builds from a repository: image is not allowed",
};

/** Applies a `PATCH /services/{id}` body (staticSiteDetailsPATCH) to a static site, all or nothing. */
export function patchStaticSite(core: EmulatorCore, s: ServiceRecord, b: Body): void {
  for (const [field, message] of Object.entries(NOT_PATCHABLE)) {
    if (b[field] === undefined) continue;
    const current = (s as unknown as Record<string, unknown>)[field];
    if (typeof b[field] === "object" || b[field] !== current) throw badRequest(message);
  }
  const name = stringField(b, "name", "name");
  if (name !== undefined && name.trim() === "") throw badRequest("name must not be empty");
  const autoDeploy = enumField(b, "autoDeploy", "autoDeploy", YES_NO);
  const repo = stringField(b, "repo", "repo");
  const branch = stringField(b, "branch", "branch");
  const rootDir = stringField(b, "rootDir", "rootDir");
  const buildFilter = buildFilterField(b);
  const d = objectField(b, "serviceDetails", "serviceDetails") ?? {};
  refuseWebFields(d);
  for (const field of ["headers", "routes"]) {
    if (d[field] !== undefined)
      throw badRequest(
        `serviceDetails.${field} cannot be changed with PATCH /services/{serviceId}: use PUT /services/{serviceId}/${field}`,
      );
  }
  const buildCommand = stringField(d, "buildCommand", "serviceDetails.buildCommand");
  const publishPath = stringField(d, "publishPath", "serviceDetails.publishPath");
  const previews = previewSettings(d, {
    pr: s.details.pullRequestPreviewsEnabled,
    generation: s.details.previewsGeneration,
  });
  const policy = enumField(
    d,
    "renderSubdomainPolicy",
    "serviceDetails.renderSubdomainPolicy",
    SUBDOMAIN_POLICIES,
  );
  const ipAllowList = cidrListField(d, "ipAllowList", "serviceDetails.ipAllowList");
  if (name !== undefined && name !== s.name) checkNameFree(core, s.ownerId, name, s.id);

  // Everything validated: apply.
  if (name !== undefined) s.name = name;
  if (autoDeploy !== undefined) s.autoDeploy = autoDeploy;
  if (repo !== undefined) s.repo = repo;
  if (branch !== undefined) s.branch = branch;
  if (rootDir !== undefined) s.rootDir = rootDir;
  if (buildFilter !== undefined) s.buildFilter = buildFilter;
  const details = { ...s.details };
  if (buildCommand !== undefined) details.envSpecificDetails = { buildCommand };
  details.pullRequestPreviewsEnabled = previews.pr;
  details.previewsGeneration = previews.generation;
  if (policy !== undefined) details.renderSubdomainPolicy = policy;
  if (ipAllowList !== undefined) details.ipAllowList = ipAllowList;
  s.details = details;
  if (publishPath !== undefined) s.staticSite = { ...staticPart(s), publishPath };
  s.updatedAt = core.clock.now();
}

/** A static site's own part; other services have no rules. */
function staticPart(s: ServiceRecord) {
  return s.staticSite ?? { publishPath: "public", headers: [], routes: [] };
}

/** A static site as Render renders it (OBSERVED shape, see the file comment). */
export function staticSiteJson(core: EmulatorCore, s: ServiceRecord): Record<string, unknown> {
  const d = s.details;
  return {
    id: s.id,
    autoDeploy: s.autoDeploy,
    ...(s.branch !== undefined ? { branch: s.branch } : {}),
    ...(s.buildFilter ? { buildFilter: s.buildFilter } : {}),
    createdAt: iso(s.createdAt),
    dashboardUrl: `https://dashboard.render.com/static/${s.id}`,
    ...(s.environmentId !== undefined ? { environmentId: s.environmentId } : {}),
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
      buildCommand: d.envSpecificDetails.buildCommand ?? "",
      buildPlan: "starter",
      ...(d.ipAllowList ? { ipAllowList: d.ipAllowList } : {}),
      previews: { generation: d.previewsGeneration },
      publishPath: staticPart(s).publishPath,
      pullRequestPreviewsEnabled: d.pullRequestPreviewsEnabled,
      renderSubdomainPolicy: d.renderSubdomainPolicy,
      url: core.serviceUrl(s.slug),
    },
  };
}

/** RFC 9110 token characters: what an HTTP header name may hold. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

function headerInput(core: EmulatorCore, item: unknown, name: string): HeaderRecord {
  const h = objectBody(item, name);
  const path = stringField(h, "path", `${name}.path`, true);
  const header = stringField(h, "name", `${name}.name`, true);
  const value = stringField(h, "value", `${name}.value`);
  if (value === undefined) throw badRequest(`${name}.value is required`);
  if (!path.startsWith("/"))
    throw badRequest(
      `invalid ${name}.path ${JSON.stringify(path)}: must start with / (e.g. /* or /assets/*)`,
    );
  if (!HEADER_NAME.test(header))
    throw badRequest(
      `invalid ${name}.name ${JSON.stringify(header)}: a header name is letters, digits and !#$%&'*+-.^_\`|~`,
    );
  return { id: newId("hdr"), seq: core.state.nextSeq(), path, name: header, value };
}

function headerList(core: EmulatorCore, body: unknown, name: string): HeaderRecord[] {
  if (!Array.isArray(body)) throw badRequest(`${name} must be an array of {path, name, value}`);
  return body.map((item, i) => headerInput(core, item, `${name}[${i}]`));
}

function routeInput(item: unknown, name: string, withPriority: boolean): RouteRecord & { priority?: number } {
  const r = objectBody(item, name);
  const type = enumField(r, "type", `${name}.type`, ROUTE_TYPES, true)!;
  const source = stringField(r, "source", `${name}.source`, true);
  const destination = stringField(r, "destination", `${name}.destination`, true);
  if (!source.startsWith("/"))
    throw badRequest(`invalid ${name}.source ${JSON.stringify(source)}: must start with / (e.g. /old/*)`);
  const priority = withPriority ? intField(r, "priority", `${name}.priority`, 0) : undefined;
  if (!withPriority && r.priority !== undefined)
    throw badRequest(`${name}.priority is not accepted here: the list order is the priority`);
  return { id: newId("rdr"), type, source, destination, ...(priority !== undefined ? { priority } : {}) };
}

function routeList(body: unknown, name: string, withPriority: boolean): RouteRecord[] {
  if (!Array.isArray(body)) throw badRequest(`${name} must be an array of {type, source, destination}`);
  const list: RouteRecord[] = [];
  body.forEach((item, i) => insertRoute(list, routeInput(item, `${name}[${i}]`, withPriority)));
  return list;
}

/** Inserts at `priority` (default: last), moving the others down by one, as Render does. */
function insertRoute(list: RouteRecord[], route: RouteRecord & { priority?: number }): RouteRecord {
  const { priority, ...record } = route;
  const at = priority === undefined ? list.length : Math.min(priority, list.length);
  list.splice(at, 0, record);
  return record;
}

function routeJson(list: RouteRecord[], r: RouteRecord): Record<string, unknown> {
  return { id: r.id, type: r.type, source: r.source, destination: r.destination, priority: list.indexOf(r) };
}

function headerJson(h: HeaderRecord): Record<string, unknown> {
  return { id: h.id, path: h.path, name: h.name, value: h.value };
}

/** A static site of the key's workspaces. @throws 404 (unknown), 400 (another type of service). */
function requireStaticSite(core: EmulatorCore, id: string, what: string): ServiceRecord {
  const s = requireService(core, id);
  if (s.type !== "static_site")
    throw badRequest(`${what} are rules of a static site: service ${id} is a ${s.type}`);
  return s;
}

/** Registers `/services/{id}/headers` and `/services/{id}/routes`. */
export function registerStaticSiteRoutes(router: Router, core: EmulatorCore): void {
  router.add("GET", "/services/:serviceId/headers", ({ params, query }) => {
    const site = staticPart(requireService(core, params.serviceId));
    const paths = queryList(query, "path");
    const names = queryList(query, "name");
    const values = queryList(query, "value");
    const items = site.headers.filter(
      (h) =>
        (!paths || paths.includes(h.path)) &&
        (!names || names.includes(h.name)) &&
        (!values || values.includes(h.value)),
    );
    return { status: 200, body: paginate(items, query, "header", headerJson) };
  });

  router.add("POST", "/services/:serviceId/headers", ({ params, body }) => {
    const s = requireStaticSite(core, params.serviceId, "headers");
    const header = headerInput(core, objectBody(body), "header");
    s.staticSite = { ...staticPart(s), headers: [...staticPart(s).headers, header] };
    core.changed();
    return { status: 201, body: { headers: headerJson(header) } };
  });

  router.add("PUT", "/services/:serviceId/headers", ({ params, body }) => {
    const s = requireStaticSite(core, params.serviceId, "headers");
    const headers = headerList(core, body, "headers");
    s.staticSite = { ...staticPart(s), headers };
    core.changed();
    // The answer lists them newest first, as GET does.
    return { status: 200, body: [...headers].reverse().map(headerJson) };
  });

  router.add("DELETE", "/services/:serviceId/headers/:headerId", ({ params }) => {
    const s = requireStaticSite(core, params.serviceId, "headers");
    const site = staticPart(s);
    if (!site.headers.some((h) => h.id === params.headerId)) throw notFound(params.headerId);
    s.staticSite = { ...site, headers: site.headers.filter((h) => h.id !== params.headerId) };
    core.changed();
    return { status: 204 };
  });

  router.add("GET", "/services/:serviceId/routes", ({ params, query }) => {
    const site = staticPart(requireService(core, params.serviceId));
    const types = queryEnumList(query, "type", ROUTE_TYPES);
    const sources = queryList(query, "source");
    const destinations = queryList(query, "destination");
    const n = site.routes.length;
    // Priority order: the pager lists by descending seq, so priority p gets seq n - p.
    const items = site.routes
      .map((r, p) => ({ r, seq: n - p }))
      .filter(
        ({ r }) =>
          (!types || types.includes(r.type)) &&
          (!sources || sources.includes(r.source)) &&
          (!destinations || destinations.includes(r.destination)),
      );
    return { status: 200, body: paginate(items, query, "route", ({ r }) => routeJson(site.routes, r)) };
  });

  router.add("POST", "/services/:serviceId/routes", ({ params, body }) => {
    const s = requireStaticSite(core, params.serviceId, "routes");
    const routes = [...staticPart(s).routes];
    const route = insertRoute(routes, routeInput(objectBody(body), "route", true));
    s.staticSite = { ...staticPart(s), routes };
    core.changed();
    return { status: 201, body: routeJson(routes, route) };
  });

  router.add("PUT", "/services/:serviceId/routes", ({ params, body }) => {
    const s = requireStaticSite(core, params.serviceId, "routes");
    const routes = routeList(body, "routes", false);
    s.staticSite = { ...staticPart(s), routes };
    core.changed();
    return { status: 200, body: routes.map((r) => routeJson(routes, r)) };
  });

  router.add("PATCH", "/services/:serviceId/routes", ({ params, body }) => {
    const s = requireStaticSite(core, params.serviceId, "routes");
    const b = objectBody(body);
    const priority = intField(b, "priority", "priority", 0);
    if (priority === undefined) throw badRequest("priority is required");
    const id = stringField(b, "id", "id", true);
    const routes = staticPart(s).routes.filter((r) => r.id !== id);
    const route = staticPart(s).routes.find((r) => r.id === id);
    if (!route) throw notFound(id);
    const moved = insertRoute(routes, { ...route, priority });
    s.staticSite = { ...staticPart(s), routes };
    core.changed();
    return { status: 200, body: { headers: routeJson(routes, moved) } };
  });

  router.add("DELETE", "/services/:serviceId/routes/:routeId", ({ params }) => {
    const s = requireStaticSite(core, params.serviceId, "routes");
    const site = staticPart(s);
    if (!site.routes.some((r) => r.id === params.routeId)) throw notFound(params.routeId);
    s.staticSite = { ...site, routes: site.routes.filter((r) => r.id !== params.routeId) };
    core.changed();
    return { status: 204 };
  });
}
