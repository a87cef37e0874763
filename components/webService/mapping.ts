/**
 * Pure mapping for a Render web service: user inputs (render.yaml spellings accepted) -> normalised
 * inputs -> API bodies, and a live service -> the inputs it corresponds to, for drift.
 */
import type { DatabaseLinkProperty, Region, ServicePlan, ServiceRuntime } from "../render/enums";
import type { CreateServiceBody, EnvVarBody, Service, UpdateServiceBody } from "../render/schemas";
import { checkFields, isUnknown, type InputFailure } from "../runtime/validation";
import {
  webServiceFieldMeta,
  webServiceFields,
  webServiceFieldsWhere,
  type EnvVarInput,
  type ServiceInputs,
} from "./schema";

export {
  envVarKeyPattern,
  envVarKinds,
  type EnvVarInput,
  type EnvVarKind,
  type ServiceInputs,
} from "./schema";

/** The subset of Render's service object (render/schemas.ts) that mapping reads. */
export type LiveService = Pick<
  Service,
  "name" | "ownerId" | "repo" | "branch" | "rootDir" | "autoDeploy" | "suspended" | "serviceDetails"
>;

/** Service settings read back from Render, compared with the desired ones for drift. */
type LiveSettings = Omit<ServiceInputs, "envVars" | "adoptExisting" | "adoptId">;

/**
 * Fields that cannot change without replacing the service (`replaces` in schema.ts), alphabetical as
 * the diff lists them.
 */
export const serviceImmutableFields = Object.entries(webServiceFieldMeta)
  .filter(([, m]) => m.replaces)
  .map(([key]) => key as keyof LiveSettings)
  .sort();

/**
 * Settings changed in place, in the schema's order: settings on Render neither immutable nor compared
 * apart (env vars, and the optional branch and preDeployCommand).
 */
const serviceMutableFields = webServiceFieldsWhere((m) => m.render === true && !m.replaces).filter(
  (key): key is keyof LiveSettings => !["envVars", "branch", "preDeployCommand"].includes(key),
);

/**
 * render.yaml keys -> ours (`env` for runtime: a field's `blueprint` metadata); render.yaml values
 * (`autoDeploy: "yes"`, plan `Standard`) are the schema's own transforms.
 */
function fromBlueprintSpelling(raw: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...raw };
  for (const [field, { blueprint }] of Object.entries(webServiceFieldMeta)) {
    if (typeof blueprint !== "string") continue;
    if (out[blueprint] !== undefined && out[field] === undefined) out[field] = out[blueprint];
    delete out[blueprint];
  }
  for (const key of Object.keys(out)) if (out[key] === null) delete out[key];
  if (out.envVars && typeof out.envVars === "object") {
    // Keys must be checked even when some values are unknown; only values pass through unvalidated.
    out.envVars = Object.fromEntries(
      Object.entries(out.envVars as Record<string, unknown>).map(([k, v]) => [
        k,
        v && typeof v === "object" && isUnknown((v as { value?: unknown }).value)
          ? { ...(v as object), value: "(unknown during preview)" }
          : v,
      ]),
    );
  }
  return out;
}

/** Rules beyond single fields, on values already checked one by one. */
export function serviceFieldRules(inputs: Record<string, unknown>): InputFailure[] {
  return inputs.runtime === "docker" || inputs.runtime === "image"
    ? [
        {
          property: "runtime",
          reason: `${JSON.stringify(inputs.runtime)} services are not supported yet; use a native runtime such as "node"`,
        },
      ]
    : [];
}

/** Validates and normalises raw service inputs field by field with zod; unknown values pass through. */
export function checkServiceInputs(raw: Record<string, unknown>): {
  inputs: Record<string, unknown>;
  failures: InputFailure[];
} {
  const values = fromBlueprintSpelling(raw);
  const { inputs: out, failures } = checkFields(webServiceFields, values, "RenderWebService");
  // Give back the engine's own values for env vars unknown during preview.
  if (out.envVars && raw.envVars && typeof raw.envVars === "object") out.envVars = raw.envVars;
  return { inputs: out, failures: [...failures, ...serviceFieldRules(out)] };
}

/** Live service settings as our inputs (env vars are read separately). */
export function fromService(live: LiveService): LiveSettings {
  const d = live.serviceDetails;
  const env = d.envSpecificDetails ?? {};
  return {
    name: live.name,
    ownerId: live.ownerId,
    repo: live.repo ?? "",
    ...(live.branch ? { branch: live.branch } : {}),
    rootDir: live.rootDir ?? "",
    runtime: (d.runtime ?? "node") as ServiceRuntime,
    plan: (d.plan ?? "starter") as ServicePlan,
    region: (d.region ?? "oregon") as Region,
    buildCommand: env.buildCommand ?? "",
    startCommand: env.startCommand ?? "",
    ...(env.preDeployCommand ? { preDeployCommand: env.preDeployCommand } : {}),
    healthCheckPath: d.healthCheckPath ?? "",
    numInstances: d.numInstances ?? 1,
    autoDeploy: live.autoDeploy === "yes",
    pullRequestPreviews:
      (d.previews?.generation ?? "off") !== "off" || d.pullRequestPreviewsEnabled === "yes",
    suspended: live.suspended === "suspended",
  };
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

/** Which settings differ from live: in place (`changed`), by scaling, or needing replacement. */
export function diffService(
  desired: ServiceInputs,
  live: LiveService,
): { changed: string[]; replaced: string[] } {
  const now = fromService(live);
  const changed: string[] = [];
  const replaced: string[] = [];
  for (const field of serviceImmutableFields) if (desired[field] !== now[field]) replaced.push(field);
  // `suspended` is not a PATCH field: POST /suspend or /resume (the provider's converge).
  for (const field of serviceMutableFields)
    if (field === "repo" ? !sameRepo(desired.repo, now.repo) : desired[field] !== now[field])
      changed.push(field);
  if (desired.branch !== undefined && desired.branch !== now.branch) changed.push("branch");
  if ((desired.preDeployCommand ?? "") !== (now.preDeployCommand ?? "")) changed.push("preDeployCommand");
  return { changed, replaced };
}

/** A database's connection info as Render gives it (`GET /postgres/{id}/connection-info`). */
export interface LinkSource {
  internalConnectionString: string;
  externalConnectionString: string;
  password: string;
}

/**
 * The value of a render.yaml `fromDatabase` property. `connectionString` is the internal one, as
 * Render's Blueprints give services in the same region (REFERENCE.md: likely, UNCONFIRMED); host,
 * port, user and database are read from it.
 */
export function linkedValue(source: LinkSource, property: DatabaseLinkProperty): string {
  const internal = new URL(source.internalConnectionString);
  switch (property) {
    case "connectionString":
    case "internalConnectionString":
      return source.internalConnectionString;
    case "externalConnectionString":
      return source.externalConnectionString;
    case "host":
      return internal.hostname;
    case "port":
      return internal.port || "5432";
    case "user":
      return decodeURIComponent(internal.username);
    case "password":
      return source.password;
    case "database":
      return decodeURIComponent(internal.pathname.replace(/^\//, ""));
  }
}

/**
 * What Render must hold for each env var: `serviceUrl` ones become the service's URL and `linked`
 * ones their database's value (`sources` by database id); the others are as given.
 */
export function resolveEnvVars(
  envVars: Record<string, EnvVarInput>,
  url: string,
  sources: Record<string, LinkSource> = {},
): Record<string, EnvVarInput> {
  return Object.fromEntries(
    Object.entries(envVars).map(([key, v]): [string, EnvVarInput] => {
      if (v.kind === "serviceUrl") return [key, { kind: "plain", value: url }];
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

/** The POST /services body, env vars included so the first deploy already sees them. */
export function toCreateServiceBody(inputs: ServiceInputs): CreateServiceBody {
  return {
    type: "web_service",
    name: inputs.name,
    ownerId: inputs.ownerId,
    repo: inputs.repo,
    ...(inputs.branch ? { branch: inputs.branch } : {}),
    rootDir: inputs.rootDir,
    autoDeploy: inputs.autoDeploy ? "yes" : "no",
    envVars: toEnvVarBody(inputs.envVars),
    serviceDetails: {
      runtime: inputs.runtime,
      plan: inputs.plan,
      region: inputs.region,
      healthCheckPath: inputs.healthCheckPath,
      numInstances: inputs.numInstances,
      ...(inputs.preDeployCommand ? { preDeployCommand: inputs.preDeployCommand } : {}),
      pullRequestPreviewsEnabled: inputs.pullRequestPreviews ? "yes" : "no",
      envSpecificDetails: { buildCommand: inputs.buildCommand, startCommand: inputs.startCommand },
    },
  };
}

/** The PATCH /services/{id} body for what differs from live (numInstances goes through /scale). */
export function toPatchServiceBody(
  inputs: ServiceInputs,
  live: LiveService,
): Record<string, unknown> | undefined {
  const { changed } = diffService(inputs, live);
  const top: UpdateServiceBody & Record<string, unknown> = {};
  const details: Record<string, unknown> = {};
  const envSpecific: Record<string, unknown> = {};
  for (const field of changed) {
    if (field === "name" || field === "repo" || field === "branch" || field === "rootDir")
      top[field] = inputs[field];
    else if (field === "autoDeploy") top.autoDeploy = inputs.autoDeploy ? "yes" : "no";
    else if (field === "plan" || field === "healthCheckPath") details[field] = inputs[field];
    else if (field === "preDeployCommand") details.preDeployCommand = inputs.preDeployCommand ?? "";
    else if (field === "pullRequestPreviews") {
      details.pullRequestPreviewsEnabled = inputs.pullRequestPreviews ? "yes" : "no";
      // Previews turned on with the newer `previews.generation` stay on unless that is turned off too.
      if (!inputs.pullRequestPreviews) details.previews = { generation: "off" };
    } else if (field === "buildCommand" || field === "startCommand") envSpecific[field] = inputs[field];
  }
  if (Object.keys(envSpecific).length) details.envSpecificDetails = envSpecific;
  if (Object.keys(details).length) top.serviceDetails = details;
  return Object.keys(top).length ? top : undefined;
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
export function adoptionChanges(
  desired: ServiceInputs,
  live: LiveService,
  liveEnv: Record<string, string>,
  sources: Record<string, LinkSource> = {},
): string[] {
  const lines: string[] = [];
  const now = fromService(live) as Record<string, unknown>;
  const wanted = desired as unknown as Record<string, unknown>;
  const { changed } = diffService(desired, live);
  for (const field of changed) {
    const show = (v: unknown) => JSON.stringify(v ?? "");
    lines.push(`~ ${field}: ${show(now[field])} => ${show(wanted[field])}`);
  }
  const pending: string[] = [];
  for (const key of Object.keys(desired.envVars).sort()) {
    const v = desired.envVars[key];
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
    if (v.kind === "serviceUrl") value = live.serviceDetails.url ?? "";
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
    const plain = v.kind === "plain" || v.kind === "serviceUrl";
    if (!has) lines.push(`+ add env var ${key}${plain ? ` = ${JSON.stringify(value)}` : " ([secret])"}`);
    else if (liveEnv[key] !== value)
      lines.push(
        plain
          ? `~ env var ${key}: ${JSON.stringify(liveEnv[key])} => ${JSON.stringify(value)}`
          : `~ env var ${key}: [secret] differs from the config's; set to the config's`,
      );
  }
  for (const key of Object.keys(liveEnv).sort())
    if (!(key in desired.envVars))
      lines.push(`- remove env var ${key} (set outside Pulumi, not in the config; value not shown)`);
  if (pending.length > 0)
    lines.push(`? env var ${pending.join(", ")}: linked to a database adopted in the same up; compared then`);
  return lines;
}
