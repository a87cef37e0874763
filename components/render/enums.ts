/**
 * Render's enum spellings (../shared/render-api/REFERENCE.md, from the official OpenAPI spec).
 * Plain arrays, read by the zod schemas, the Blueprint's JSON Schema and messages alike.
 */

/** Postgres plans, API spelling (underscores). render.yaml's hyphen spelling is normalised to these. */
export const postgresPlans = [
  "free",
  "starter",
  "standard",
  "pro",
  "pro_plus",
  "custom",
  "basic_256mb",
  "basic_1gb",
  "basic_4gb",
  "pro_4gb",
  "pro_8gb",
  "pro_16gb",
  "pro_32gb",
  "pro_64gb",
  "pro_128gb",
  "pro_192gb",
  "pro_256gb",
  "pro_384gb",
  "pro_512gb",
  "accelerated_16gb",
  "accelerated_32gb",
  "accelerated_64gb",
  "accelerated_128gb",
  "accelerated_256gb",
  "accelerated_384gb",
  "accelerated_512gb",
  "accelerated_768gb",
  "accelerated_1024gb",
] as const;

/** PostgreSQL major versions Render offers, as strings on the wire. */
export const postgresVersions = ["11", "12", "13", "14", "15", "16", "17", "18"] as const;

/** Render regions. */
export const regions = ["oregon", "ohio", "virginia", "frankfurt", "singapore"] as const;

/** Web service plans accepted on create. */
export const servicePlans = [
  "starter",
  "starter_plus",
  "standard",
  "standard_plus",
  "pro",
  "pro_plus",
  "pro_max",
  "pro_ultra",
  "free",
  "custom",
] as const;

/**
 * Plans a private service, background worker or cron job is created with (openapi.json `paidPlan`): no
 * free instance, no legacy `_plus` steps.
 */
export const paidServicePlans = ["starter", "standard", "pro", "pro_plus", "pro_max", "pro_ultra"] as const;

/** Native and container runtimes of a web service. */
export const serviceRuntimes = ["docker", "elixir", "go", "node", "python", "ruby", "rust", "image"] as const;

/** Properties of a database that an env var can link to (render.yaml `fromDatabase.property`). */
export const databaseLinkProperties = [
  "connectionString",
  "internalConnectionString",
  "externalConnectionString",
  "host",
  "port",
  "user",
  "password",
  "database",
] as const;

/** Key Value plans (openapi.json `keyValuePlan`), API spelling. */
export const keyValuePlans = ["free", "starter", "standard", "pro", "pro_plus", "custom"] as const;

/** Key Value eviction policies (openapi.json `maxmemoryPolicy`), API spelling. */
export const maxmemoryPolicies = [
  "noeviction",
  "allkeys_lfu",
  "allkeys_lru",
  "allkeys_random",
  "volatile_lfu",
  "volatile_lru",
  "volatile_random",
  "volatile_ttl",
] as const;

/**
 * Key Value persistence modes. Not in openapi.json: from Render's newer spec as generated into
 * render-oss/terraform-provider-render's client (`PersistenceMode`), and seen in its recorded traffic.
 */
export const persistenceModes = ["off", "snapshot", "journal_snapshot"] as const;

export type PostgresPlan = (typeof postgresPlans)[number];
export type KeyValuePlan = (typeof keyValuePlans)[number];
export type MaxmemoryPolicy = (typeof maxmemoryPolicies)[number];
export type PersistenceMode = (typeof persistenceModes)[number];
export type PostgresVersion = (typeof postgresVersions)[number];
export type Region = (typeof regions)[number];
export type ServicePlan = (typeof servicePlans)[number];
export type PaidServicePlan = (typeof paidServicePlans)[number];
export type ServiceRuntime = (typeof serviceRuntimes)[number];
export type DatabaseLinkProperty = (typeof databaseLinkProperties)[number];

/** Protection of a project environment (openapi.json `protectedStatus`). */
export const protectedStatuses = ["unprotected", "protected"] as const;
export type ProtectedStatus = (typeof protectedStatuses)[number];

/** A Render workspace id: `tea-…` for a team, `usr-…`/`own-…` for a personal workspace. */
export const workspaceIdPattern = /^(tea|usr|own)-[a-z0-9]+$/;

/**
 * A plan as the API spells it. Render's spellings of one plan differ by place (render.yaml `basic-256mb`,
 * the dashboard's `Pro Plus`, the API's `pro_plus`): every one of them is the same plan.
 */
export function apiPlanSpelling(plan: string): string {
  return plan
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, "_");
}
