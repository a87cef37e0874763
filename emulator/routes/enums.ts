/** Enum values exactly as Render's openapi.json spells them. */

/** `region`. */
export const REGIONS = ["frankfurt", "oregon", "ohio", "singapore", "virginia"] as const;

/** Postgres `plan` (legacy and current). */
export const POSTGRES_PLANS = [
  "free", "starter", "standard", "pro", "pro_plus", "custom",
  "basic_256mb", "basic_1gb", "basic_4gb",
  "pro_4gb", "pro_8gb", "pro_16gb", "pro_32gb", "pro_64gb", "pro_128gb", "pro_192gb", "pro_256gb", "pro_384gb", "pro_512gb",
  "accelerated_16gb", "accelerated_32gb", "accelerated_64gb", "accelerated_128gb", "accelerated_256gb",
  "accelerated_384gb", "accelerated_512gb", "accelerated_768gb", "accelerated_1024gb",
] as const; // prettier-ignore

/** Postgres `version` (strings). */
export const POSTGRES_VERSIONS = ["11", "12", "13", "14", "15", "16", "17", "18"] as const;

/** Postgres `suspended` / service `suspended`. */
export const SUSPENDED_VALUES = ["suspended", "not_suspended"] as const;

/** Service `type`. */
export const SERVICE_TYPES = [
  "static_site",
  "web_service",
  "private_service",
  "background_worker",
  "cron_job",
] as const;

/** Service `runtime` (and the deprecated `env`). */
export const RUNTIMES = ["docker", "elixir", "go", "node", "python", "ruby", "rust", "image"] as const;

/** Web service instance `plan` (the spec's enum). */
export const SERVICE_PLANS = [
  "starter", "starter_plus", "standard", "standard_plus", "pro", "pro_plus", "pro_max", "pro_ultra", "free", "custom",
] as const; // prettier-ignore

/** `paidPlan`: the plans a private service, background worker or cron job is created or patched with. */
export const PAID_PLANS = ["starter", "standard", "pro", "pro_plus", "pro_max", "pro_ultra"] as const;

/** Deploy `status`. */
export const DEPLOY_STATUSES = [
  "created", "queued", "build_in_progress", "update_in_progress", "live", "deactivated",
  "build_failed", "update_failed", "canceled", "pre_deploy_in_progress", "pre_deploy_failed",
] as const; // prettier-ignore

/** Deploy statuses after which nothing changes (except `live` -> `deactivated`). */
export const TERMINAL_DEPLOY_STATUSES = [
  "live",
  "deactivated",
  "build_failed",
  "update_failed",
  "canceled",
  "pre_deploy_failed",
];

/** Runtimes configured with docker-style `envSpecificDetails`. */
export const DOCKER_RUNTIMES = ["docker", "image"];
