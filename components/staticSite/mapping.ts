/**
 * Pure mapping for Render static sites: user inputs (render.yaml spellings accepted) -> normalised inputs
 * -> API bodies, and a live site with its rules -> the inputs it corresponds to, for drift.
 */
import type {
  CreateServiceBody,
  EnvVarBody,
  Header,
  HeaderBody,
  Route,
  RouteBody,
  StaticSite,
  UpdateServiceBody,
} from "../render/schemas";
import { checkFields, type InputFailure } from "../runtime/validation";
import { checkableEnvVars, envVarAdoptionChanges, type LinkSource } from "../service/mapping";
import {
  fromStaticSiteBlueprintSpelling,
  staticSiteDefaults,
  staticSiteDeploySettings,
  staticSiteFields,
  staticSiteFieldsWhere,
  staticSiteProviderOptions,
  type StaticSiteFieldMeta,
  type StaticSiteHeader,
  type StaticSiteInputs,
  type StaticSiteRoute,
} from "./schema";

export { staticSiteImmutableFields, type StaticSiteInputs } from "./schema";

/** A live static site and its rules, as the provider reads them. */
export interface LiveStaticSite {
  site: Pick<
    StaticSite,
    | "id"
    | "name"
    | "ownerId"
    | "type"
    | "repo"
    | "branch"
    | "rootDir"
    | "autoDeploy"
    | "environmentId"
    | "buildFilter"
    | "serviceDetails"
    | "dashboardUrl"
  >;
  headers: Pick<Header, "path" | "name" | "value">[];
  routes: Pick<Route, "type" | "source" | "destination" | "priority">[];
}

/**
 * Validates and normalises raw inputs field by field, so every failure names its property and what is
 * allowed. Values not known during preview pass through.
 */
export function checkStaticSiteInputs(raw: Record<string, unknown>): {
  inputs: Record<string, unknown>;
  failures: InputFailure[];
} {
  const values = fromStaticSiteBlueprintSpelling(raw);
  if (values.envVars && typeof values.envVars === "object") values.envVars = checkableEnvVars(values.envVars);
  const { inputs, failures } = checkFields(staticSiteFields, values, "RenderStaticSite");
  // Give back the engine's own values for env vars unknown during preview.
  if (inputs.envVars && raw.envVars && typeof raw.envVars === "object") inputs.envVars = raw.envVars;
  return { inputs, failures: [...failures, ...ruleProblems(inputs)] };
}

/** A header listed twice for one path, or a route source listed twice: Render would keep both. */
function ruleProblems(inputs: Record<string, unknown>): InputFailure[] {
  const failures: InputFailure[] = [];
  if (Array.isArray(inputs.headers)) {
    const seen = new Set<string>();
    (inputs.headers as StaticSiteHeader[]).forEach((h, i) => {
      const key = `${h.path}\u0000${h.name.toLowerCase()}`;
      if (seen.has(key))
        failures.push({
          property: `headers[${i}]`,
          reason: `header ${h.name} is listed twice for path ${h.path}: give it once`,
        });
      seen.add(key);
    });
  }
  if (Array.isArray(inputs.routes)) {
    const seen = new Set<string>();
    (inputs.routes as StaticSiteRoute[]).forEach((r, i) => {
      if (seen.has(r.source))
        failures.push({
          property: `routes[${i}].source`,
          reason: `${r.source} is matched by an earlier rule already: only the first applies`,
        });
      seen.add(r.source);
    });
  }
  return failures;
}

/** The live headers as a sorted list (Render lists them newest first; their order means nothing). */
function headersOf(live: LiveStaticSite["headers"]): StaticSiteHeader[] {
  return live
    .map((h) => ({ path: h.path, name: h.name, value: h.value }))
    .sort((a, b) => headerKey(a).localeCompare(headerKey(b)));
}

function headerKey(h: StaticSiteHeader): string {
  return `${h.path}\u0000${h.name}\u0000${h.value}`;
}

/** The live routes in priority order. */
function routesOf(live: LiveStaticSite["routes"]): StaticSiteRoute[] {
  return [...live]
    .sort((a, b) => a.priority - b.priority)
    .map((r) => ({ type: r.type, source: r.source, destination: r.destination }));
}

/** `previews.generation`, or the legacy flag when Render sends only that. */
function previewsOf(details: StaticSite["serviceDetails"]): StaticSiteInputs["previews"] {
  const generation = details.previews?.generation;
  if (generation === "off" || generation === "manual" || generation === "automatic") return generation;
  return details.pullRequestPreviewsEnabled === "yes" ? "automatic" : "off";
}

/**
 * The inputs a live site corresponds to (for `read`, import and refresh): its settings as Render has
 * them, and the provider's options from `base` or else their schema defaults. `branch`, `buildFilter`
 * and `environmentId` the user leaves out stay out unless `all` asks for every live setting.
 */
export function fromStaticSite(
  live: LiveStaticSite,
  base?: Partial<StaticSiteInputs>,
  all = base === undefined,
): StaticSiteInputs {
  const options: Record<string, unknown> = {};
  for (const field of staticSiteProviderOptions) {
    const value = base?.[field] ?? staticSiteDefaults[field];
    if (value !== undefined) options[field] = value;
  }
  const has = (field: keyof StaticSiteInputs) => all || base?.[field] !== undefined;
  const { site } = live;
  const d = site.serviceDetails;
  const filter = site.buildFilter;
  const settings = {
    name: site.name,
    ownerId: site.ownerId,
    repo: site.repo ?? "",
    ...(has("branch") && site.branch ? { branch: site.branch } : {}),
    rootDir: site.rootDir ?? "",
    buildCommand: d.buildCommand ?? "",
    publishPath: d.publishPath ?? "public",
    ...(has("buildFilter") && filter && (filter.paths.length > 0 || filter.ignoredPaths.length > 0)
      ? { buildFilter: { paths: filter.paths, ignoredPaths: filter.ignoredPaths } }
      : {}),
    autoDeploy: site.autoDeploy === "yes",
    previews: previewsOf(d),
    renderSubdomainPolicy: d.renderSubdomainPolicy === "disabled" ? "disabled" : "enabled",
    headers: headersOf(live.headers),
    routes: routesOf(live.routes),
    ...(has("environmentId") && site.environmentId ? { environmentId: site.environmentId } : {}),
  } satisfies Partial<StaticSiteInputs>;
  return { ...settings, ...options } as StaticSiteInputs;
}

function sameValue(field: keyof StaticSiteInputs, wanted: unknown, actual: unknown): boolean {
  if (field === "headers")
    return (
      JSON.stringify(headersOf(wanted as StaticSiteHeader[])) ===
      JSON.stringify(headersOf((actual ?? []) as StaticSiteHeader[]))
    );
  if (field === "buildFilter") {
    const norm = (v: unknown) => {
      const f = (v ?? { paths: [], ignoredPaths: [] }) as { paths: string[]; ignoredPaths: string[] };
      return JSON.stringify({ paths: [...f.paths].sort(), ignoredPaths: [...f.ignoredPaths].sort() });
    };
    return norm(wanted) === norm(actual);
  }
  return canonical(wanted) === canonical(actual);
}

/** JSON with object keys sorted: the engine hands objects over with their keys in another order. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)),
        )
      : v,
  );
}

/**
 * Which desired settings differ from the live site, in the schema's order: in place (`changed`) and
 * needing replacement (`replaced`). A setting the inputs leave out never differs; headers are a set,
 * routes an ordered list (their order is their priority).
 */
export function diffStaticSite(
  desired: StaticSiteInputs,
  live: LiveStaticSite,
): { changed: string[]; replaced: string[] } {
  const now = fromStaticSite(live, desired, true) as unknown as Record<string, unknown>;
  const changed: string[] = [];
  const replaced: string[] = [];
  for (const field of staticSiteFieldsWhere((m) => m.render === true)) {
    // Env vars are compared by the provider, with the live set and the links' values it reads.
    if (field === "envVars") continue;
    const wanted = desired[field];
    if (wanted === undefined) continue;
    if (sameValue(field, wanted, now[field])) continue;
    const { replaces } = (staticSiteFields[field].meta() ?? {}) as StaticSiteFieldMeta;
    (replaces ? replaced : changed).push(field);
  }
  return { changed, replaced };
}

/** Whether a set of changed fields needs a new build. */
export function needsRedeploy(changed: string[]): boolean {
  return changed.some((f) => (staticSiteDeploySettings as string[]).includes(f));
}

/** The header rules as `PUT …/headers` takes them. */
export function toHeadersBody(inputs: StaticSiteInputs): HeaderBody[] {
  return inputs.headers.map((h) => ({ path: h.path, name: h.name, value: h.value }));
}

/** The routes as `PUT …/routes` takes them (list order = priority). */
export function toRoutesBody(inputs: StaticSiteInputs): RouteBody[] {
  return inputs.routes.map((r) => ({ type: r.type, source: r.source, destination: r.destination }));
}

/**
 * The POST /services body: one call creates the site with its headers, routes and env vars (`envVars`,
 * as toEnvVarBody resolves them), so its first build already sees them.
 */
export function toCreateStaticSiteBody(
  inputs: StaticSiteInputs,
  envVars: EnvVarBody[] = [],
): CreateServiceBody {
  return {
    type: "static_site",
    name: inputs.name,
    ownerId: inputs.ownerId,
    repo: inputs.repo,
    ...(inputs.branch !== undefined ? { branch: inputs.branch } : {}),
    autoDeploy: inputs.autoDeploy ? "yes" : "no",
    rootDir: inputs.rootDir,
    ...(inputs.buildFilter ? { buildFilter: inputs.buildFilter } : {}),
    ...(inputs.environmentId !== undefined ? { environmentId: inputs.environmentId } : {}),
    ...(envVars.length > 0 ? { envVars } : {}),
    serviceDetails: {
      buildCommand: inputs.buildCommand,
      publishPath: inputs.publishPath,
      previews: { generation: inputs.previews },
      renderSubdomainPolicy: inputs.renderSubdomainPolicy,
      ...(inputs.headers.length > 0 ? { headers: toHeadersBody(inputs) } : {}),
      ...(inputs.routes.length > 0 ? { routes: toRoutesBody(inputs) } : {}),
    },
  };
}

/** The PATCH /services/{id} body: only what differs from live (rules have their own endpoints). */
export function toPatchStaticSiteBody(inputs: StaticSiteInputs, live: LiveStaticSite): UpdateServiceBody {
  const { changed } = diffStaticSite(inputs, live);
  const body: UpdateServiceBody = {};
  const details: Record<string, unknown> = {};
  if (changed.includes("name")) body.name = inputs.name;
  if (changed.includes("repo")) body.repo = inputs.repo;
  if (changed.includes("branch")) body.branch = inputs.branch;
  if (changed.includes("rootDir")) body.rootDir = inputs.rootDir;
  if (changed.includes("autoDeploy")) body.autoDeploy = inputs.autoDeploy ? "yes" : "no";
  if (changed.includes("buildFilter")) body.buildFilter = inputs.buildFilter;
  if (changed.includes("buildCommand")) details.buildCommand = inputs.buildCommand;
  if (changed.includes("publishPath")) details.publishPath = inputs.publishPath;
  if (changed.includes("previews")) details.previews = { generation: inputs.previews };
  if (changed.includes("renderSubdomainPolicy")) details.renderSubdomainPolicy = inputs.renderSubdomainPolicy;
  if (Object.keys(details).length > 0) body.serviceDetails = details;
  return body;
}

/**
 * What adopting a live site changes, in lines a person reads in `pulumi preview` before the up that
 * adopts it: each setting that differs, both sides (none is secret; rules are counted, not listed), then
 * its env vars as a service's are reported (`liveEnv`: the live set; `sources`: the linked databases'
 * connection info): a secret or a key the config lacks is named, never shown.
 */
export function staticSiteAdoptionChanges(
  desired: StaticSiteInputs,
  live: LiveStaticSite,
  liveEnv: Record<string, string> = {},
  sources: Record<string, LinkSource> = {},
): string[] {
  const now = fromStaticSite(live) as unknown as Record<string, unknown>;
  const wanted = desired as unknown as Record<string, unknown>;
  const show = (field: string, v: unknown) =>
    field === "headers" || field === "routes"
      ? `${((v ?? []) as unknown[]).length} rule(s)`
      : JSON.stringify(v ?? null);
  return [
    ...diffStaticSite(desired, live).changed.map(
      (field) => `~ ${field}: ${show(field, now[field])} => ${show(field, wanted[field])}`,
    ),
    ...envVarAdoptionChanges(desired.envVars ?? {}, liveEnv, sources, live.site.serviceDetails.url ?? ""),
  ];
}
