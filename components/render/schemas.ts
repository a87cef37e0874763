/**
 * Render's API shapes: minimal zod schemas of the Render objects we read (`…ResponseSchema`, their types
 * named after the object: `Postgres`, `Service`, `Deploy`), and the request bodies we send (`…Body`).
 * The names keep them apart from a resource's own schema and inputs (`postgresSchema`, `EnvVarInput` in
 * components/<kind>/).
 *
 * Objects are non-strict, so
 * fields Render adds later are accepted (and dropped). Enum spellings are Render's, from
 * ../shared/render-api/REFERENCE.md.
 */
import { z } from "zod";

/** Postgres `status` values (databaseStatus). */
export const postgresStatuses = [
  "creating",
  "available",
  "unavailable",
  "config_restart",
  "suspended",
  "maintenance_scheduled",
  "maintenance_in_progress",
  "recovery_failed",
  "recovery_in_progress",
  "unknown",
  "updating_instance",
] as const;

/** Deploy `status` values; note `canceled` with one "l". */
export const deployStatuses = [
  "created",
  "queued",
  "build_in_progress",
  "update_in_progress",
  "live",
  "deactivated",
  "build_failed",
  "update_failed",
  "canceled",
  "pre_deploy_in_progress",
  "pre_deploy_failed",
] as const;

/** Deploy statuses after which nothing changes any more (inferred, see REFERENCE.md §6). */
export const terminalDeployStatuses = [
  "live",
  "deactivated",
  "build_failed",
  "update_failed",
  "canceled",
  "pre_deploy_failed",
] as const;

/** Service `type` values. */
export const serviceTypes = [
  "static_site",
  "web_service",
  "private_service",
  "background_worker",
  "cron_job",
] as const;

/** `suspended` is a string on both services and databases. */
export const suspendedValues = ["suspended", "not_suspended"] as const;

/** An owner (workspace or user). */
export function ownerResponseSchema() {
  return z.object({
    id: z.string(),
    name: z.string(),
    email: z.string().optional(),
    type: z.enum(["user", "team"]),
  });
}

function ipAllowListSchema() {
  // Render answers `null` where `[]` was sent (OBSERVED); read both as a list.
  return z
    .array(z.object({ cidrBlock: z.string(), description: z.string().optional() }))
    .nullish()
    .transform((list) => list ?? []);
}

/** A Postgres database (`postgresDetail`, also the list item). */
export function postgresResponseSchema() {
  return z.object({
    id: z.string(),
    name: z.string(),
    owner: ownerResponseSchema(),
    plan: z.string(),
    region: z.string(),
    version: z.string(),
    status: z.enum(postgresStatuses),
    suspended: z.enum(suspendedValues).optional(),
    databaseName: z.string(),
    databaseUser: z.string(),
    ipAllowList: ipAllowListSchema(),
    highAvailabilityEnabled: z.boolean().optional(),
    diskAutoscalingEnabled: z.boolean().optional(),
    diskSizeGB: z.number().nullish(),
    environmentId: z.string().nullish(),
    role: z.enum(["primary", "replica"]).optional(),
    dashboardUrl: z.string().optional(),
    createdAt: z.string(),
    updatedAt: z.string(),
  });
}

/**
 * A Key Value instance (`keyValueDetail`, also the list item `keyValue`, which alone has `dashboardUrl`).
 * Its settings come back under `options` (`persistenceMode` there is from Render's newer spec).
 */
export function keyValueResponseSchema() {
  return z.object({
    id: z.string(),
    name: z.string(),
    owner: ownerResponseSchema(),
    plan: z.string(),
    region: z.string(),
    status: z.enum(postgresStatuses),
    options: z
      .object({ maxmemoryPolicy: z.string().nullish(), persistenceMode: z.string().nullish() })
      .nullish(),
    ipAllowList: ipAllowListSchema(),
    environmentId: z.string().nullish(),
    version: z.string().optional(),
    dashboardUrl: z.string().optional(),
    createdAt: z.string(),
    updatedAt: z.string(),
  });
}

/**
 * A Render Workflow (`workflowWithCursor.workflow`, "Workflows (Beta)" in openapi.json): a workflow
 * service whose tasks Render runs on demand. Its build settings come back under `buildConfig`.
 */
export function workflowResponseSchema() {
  return z.object({
    id: z.string(),
    name: z.string(),
    ownerId: z.string(),
    region: z.string(),
    runCommand: z.string(),
    buildConfig: z.object({
      repo: z.string(),
      runtime: z.string(),
      buildCommand: z.string(),
      branch: z.string().nullish(),
      rootDir: z.string().nullish(),
    }),
    autoDeployTrigger: z.string().nullish(),
    environmentId: z.string().nullish(),
    slug: z.string().nullish(),
    createdAt: z.string(),
    updatedAt: z.string(),
  });
}

/** A project (`project`): a named collection of environments. */
export function projectResponseSchema() {
  return z.object({
    id: z.string(),
    name: z.string(),
    owner: ownerResponseSchema(),
    environmentIds: z.array(z.string()),
    createdAt: z.string(),
    updatedAt: z.string(),
  });
}

/** An environment of a project (`environment`); the resources in it are listed by kind. */
export function environmentResponseSchema() {
  return z.object({
    id: z.string(),
    name: z.string(),
    projectId: z.string(),
    protectedStatus: z.string(),
    networkIsolationEnabled: z.boolean(),
    ipAllowList: ipAllowListSchema(),
    serviceIds: z
      .array(z.string())
      .nullish()
      .transform((l) => l ?? []),
    databasesIds: z
      .array(z.string())
      .nullish()
      .transform((l) => l ?? []),
    redisIds: z
      .array(z.string())
      .nullish()
      .transform((l) => l ?? []),
    envGroupIds: z
      .array(z.string())
      .nullish()
      .transform((l) => l ?? []),
  });
}

/** `GET /key-value/{id}/connection-info`: every field is a secret (the external one holds the password). */
export function keyValueConnectionInfoResponseSchema() {
  return z.object({
    internalConnectionString: z.string(),
    externalConnectionString: z.string(),
    cliCommand: z.string(),
  });
}

/** `GET /postgres/{id}/connection-info`: every field is a secret. */
export function postgresConnectionInfoResponseSchema() {
  return z.object({
    password: z.string(),
    internalConnectionString: z.string(),
    externalConnectionString: z.string(),
    psqlCommand: z.string(),
  });
}

/** An export of a database (`GET /postgres/{id}/export`): `url` appears once the file is ready. */
export function postgresExportResponseSchema() {
  return z.object({ id: z.string(), createdAt: z.string(), url: z.string().optional() });
}

/** `GET /postgres/{id}/recovery`: whether point-in-time recovery is possible, and from when. */
export function postgresRecoveryInfoResponseSchema() {
  return z.object({
    recoveryStatus: z.enum(["AVAILABLE", "BACKUP_NOT_READY", "NOT_AVAILABLE"]),
    startsAt: z.string().optional(),
  });
}

/** A user of a database (`GET /postgres/{id}/credentials`); the default one is in the connection strings. */
export function postgresCredentialResponseSchema() {
  return z.object({
    username: z.string(),
    default: z.boolean().optional(),
    createdAt: z.string().optional(),
    openConnections: z.number().optional(),
  });
}

/** A maintenance run of a resource (`GET /maintenance`). */
export function maintenanceRunResponseSchema() {
  return z.object({
    id: z.string(),
    type: z.string(),
    scheduledAt: z.string(),
    pendingMaintenanceBy: z.string().optional(),
    state: z.string(),
    resourceId: z.string(),
  });
}

/** The subset of `serviceDetails` we read (web service shape; every field optional across types). */
function serviceDetailsSchema() {
  return z.object({
    runtime: z.string().optional(),
    plan: z.string().optional(),
    region: z.string().optional(),
    numInstances: z.number().optional(),
    healthCheckPath: z.string().optional(),
    url: z.string().nullish(),
    // Both spellings of PR previews: the deprecated flag and its replacement (either may be set).
    pullRequestPreviewsEnabled: z.string().optional(),
    previews: z.object({ generation: z.string().optional() }).nullish(),
    envSpecificDetails: z
      .object({
        buildCommand: z.string().optional(),
        startCommand: z.string().optional(),
        // On read, preDeployCommand sits here, not at the top of serviceDetails (OBSERVED).
        preDeployCommand: z.string().optional(),
        // Docker and image runtimes (openapi.json `dockerDetails`).
        dockerCommand: z.string().optional(),
        dockerContext: z.string().optional(),
        dockerfilePath: z.string().optional(),
        registryCredential: z.object({ id: z.string() }).nullish(),
      })
      .optional(),
    // Cron jobs (`cronJobDetails`).
    schedule: z.string().optional(),
    lastSuccessfulRunAt: z.string().nullish(),
    autoscaling: autoscalingResponseSchema().nullish(),
    // Web, private service and worker (openapi.json `maxShutdownDelaySeconds`, 1–300, default 30).
    maxShutdownDelaySeconds: z.number().optional(),
  });
}

/** A service's autoscaling (openapi.json `webServiceDetails.autoscaling`; `PUT …/autoscaling` answers it). */
export function autoscalingResponseSchema() {
  const criterion = z.object({ enabled: z.boolean(), percentage: z.number() });
  return z.object({
    enabled: z.boolean(),
    min: z.number(),
    max: z.number(),
    criteria: z.object({ cpu: criterion, memory: criterion }),
  });
}

/** A one-off job of a service (openapi.json `jobWithCursor.job`). */
export function jobResponseSchema() {
  return z.object({
    id: z.string(),
    serviceId: z.string(),
    startCommand: z.string(),
    status: z.string().optional(),
    createdAt: z.string(),
  });
}

/** A one-off job. */
export type Job = z.output<ReturnType<typeof jobResponseSchema>>;

/** `PUT /services/{id}/autoscaling` body: the whole autoscaling config. */
export type AutoscalingBody = z.output<ReturnType<typeof autoscalingResponseSchema>>;

/** A service. There is no `status` field: readiness comes from its deploys. */
export function serviceResponseSchema() {
  return z.object({
    id: z.string(),
    name: z.string(),
    ownerId: z.string(),
    type: z.enum(serviceTypes),
    suspended: z.enum(suspendedValues),
    autoDeploy: z.enum(["yes", "no"]).optional(),
    repo: z.string().optional(),
    branch: z.string().optional(),
    rootDir: z.string().optional(),
    slug: z.string().optional(),
    environmentId: z.string().nullish(),
    dashboardUrl: z.string().optional(),
    // Image services: the image, and the credential that pulls it (`registryCredentialSummary`).
    imagePath: z.string().optional(),
    registryCredential: z.object({ id: z.string(), name: z.string().optional() }).nullish(),
    serviceDetails: serviceDetailsSchema(),
    createdAt: z.string(),
    updatedAt: z.string(),
  });
}

/** `POST /services` answers the service and the id of its first deploy. */
export function serviceAndDeployResponseSchema() {
  return z.object({ service: serviceResponseSchema(), deployId: z.string().optional() });
}

/** An env var set on a service; `value` is a secret. */
export function envVarResponseSchema() {
  return z.object({ key: z.string(), value: z.string() });
}

/** A deploy. Only `id` is required by Render's spec. */
export function deployResponseSchema() {
  return z.object({
    id: z.string(),
    status: z.enum(deployStatuses).optional(),
    trigger: z.string().optional(),
    commit: z.object({ id: z.string().optional(), message: z.string().optional() }).nullish(),
    image: z.object({ ref: z.string().optional(), sha: z.string().optional() }).nullish(),
    createdAt: z.string().optional(),
    updatedAt: z.string().optional(),
    startedAt: z.string().nullish(),
    finishedAt: z.string().nullish(),
  });
}

/** A page of `GET /logs`: lines in a time window, and the window of the next page. */
export function logsResponseSchema() {
  return z.object({
    hasMore: z.boolean(),
    nextStartTime: z.string().optional(),
    nextEndTime: z.string().optional(),
    logs: z.array(
      z.object({
        id: z.string().optional(),
        message: z.string(),
        timestamp: z.string(),
        labels: z.array(z.object({ name: z.string(), value: z.string() })).optional(),
      }),
    ),
  });
}

/** A Key Value instance as Render reports it. */
export type KeyValue = z.infer<ReturnType<typeof keyValueResponseSchema>>;
/** Connection strings of a Key Value instance (secrets). */
export type KeyValueConnectionInfo = z.infer<ReturnType<typeof keyValueConnectionInfoResponseSchema>>;
/** A Render Workflow as Render reports it. */
export type Workflow = z.infer<ReturnType<typeof workflowResponseSchema>>;
/** A project as Render reports it. */
export type Project = z.infer<ReturnType<typeof projectResponseSchema>>;
/** An environment as Render reports it. */
export type Environment = z.infer<ReturnType<typeof environmentResponseSchema>>;
/** An owner (workspace or user). */
export type Owner = z.infer<ReturnType<typeof ownerResponseSchema>>;
/** A Postgres database as Render reports it. */
export type Postgres = z.infer<ReturnType<typeof postgresResponseSchema>>;
/** Connection strings and password of a database (secrets). */
export type PostgresConnectionInfo = z.infer<ReturnType<typeof postgresConnectionInfoResponseSchema>>;
/** An export of a database. */
export type PostgresExport = z.infer<ReturnType<typeof postgresExportResponseSchema>>;
/** Point-in-time recovery availability of a database. */
export type PostgresRecoveryInfo = z.infer<ReturnType<typeof postgresRecoveryInfoResponseSchema>>;
/** A user of a database. */
export type PostgresCredential = z.infer<ReturnType<typeof postgresCredentialResponseSchema>>;
/** A maintenance run. */
export type MaintenanceRun = z.infer<ReturnType<typeof maintenanceRunResponseSchema>>;
/** A service as Render reports it. */
export type Service = z.infer<ReturnType<typeof serviceResponseSchema>>;
/** The answer to `POST /services`. */
export type ServiceAndDeploy = z.infer<ReturnType<typeof serviceAndDeployResponseSchema>>;
/** An env var of a service. */
export type EnvVar = z.infer<ReturnType<typeof envVarResponseSchema>>;
/** A deploy of a service. */
export type Deploy = z.infer<ReturnType<typeof deployResponseSchema>>;
/** A page of log lines. */
export type LogsPage = z.infer<ReturnType<typeof logsResponseSchema>>;
/** A deploy status. */
export type DeployStatus = (typeof deployStatuses)[number];

/** An IP allow-list entry in a request body. */
export interface IpAllowEntryBody {
  /** CIDR block, e.g. `203.0.113.0/24`; `0.0.0.0/0` allows everyone. */
  cidrBlock: string;
  /** Free text shown in the dashboard. */
  description: string;
}

/** `POST /postgres/{id}/recovery` body. */
export interface RecoverPostgresBody {
  /** RFC 3339 time inside the recovery window. */
  restoreTime: string;
  /** Name of the new database. */
  restoreName?: string;
  /** Plan of the new database; not lower than the source's. */
  plan?: string;
  environmentId?: string;
}

/** `POST /postgres` body (`postgresPOSTInput`). */
export interface CreatePostgresBody {
  /** Display name. */
  name: string;
  /** Workspace id `tea-…`. */
  ownerId: string;
  /** Plan, underscore spelling (`basic_256mb`). */
  plan: string;
  /** Major version as a string (`"16"`). */
  version: string;
  /** Region, default `oregon`. */
  region?: string;
  /** Database name; Render appends a random suffix. */
  databaseName?: string;
  /** Database user. */
  databaseUser?: string;
  /** Read back as `highAvailabilityEnabled`. */
  enableHighAvailability?: boolean;
  /** Disk size in GB. */
  diskSizeGB?: number;
  /** Read back as `diskAutoscalingEnabled`. */
  enableDiskAutoscaling?: boolean;
  /** `[]` allows private-network connections only. */
  ipAllowList?: IpAllowEntryBody[];
  /** Project environment `evm-…`. */
  environmentId?: string;
}

/**
 * `POST /key-value` body (`keyValuePOSTInput`). `persistenceMode` is not in openapi.json (Render's newer
 * spec has it): send it only when the user set it.
 */
export interface CreateKeyValueBody {
  name: string;
  ownerId: string;
  /** Plan, underscore spelling. */
  plan: string;
  /** Region, default `oregon`. */
  region?: string;
  /** Project environment `evm-…`. */
  environmentId?: string;
  /** Eviction policy, underscore spelling. */
  maxmemoryPolicy?: string;
  /** `off`, `snapshot` or `journal_snapshot`. */
  persistenceMode?: string;
  /** `[]` allows private-network connections only. */
  ipAllowList?: IpAllowEntryBody[];
}

/** A workflow's build settings (`buildConfig`): repository, runtime and build command. */
export interface WorkflowBuildConfigBody {
  repo: string;
  /** elixir, go, node, python or ruby. */
  runtime: string;
  buildCommand: string;
  branch?: string;
  rootDir?: string;
}

/**
 * `POST /workflows` body (createWorkflow). `envVars` is not in openapi.json: Render's own CLI, generated
 * from Render's newer REST schema (render-oss/cli pkg/client/workflows, `WorkflowCreate.envVars`), sends it.
 */
export interface CreateWorkflowBody {
  name: string;
  ownerId: string;
  region: string;
  runCommand: string;
  buildConfig: WorkflowBuildConfigBody;
  /** `commit`, `off` or `checksPass`. */
  autoDeployTrigger?: string;
  envVars?: EnvVarBody[];
}

/** `PATCH /workflows/{id}` body (updateWorkflow): every field optional. */
export interface UpdateWorkflowBody {
  name?: string;
  runCommand?: string;
  buildConfig?: WorkflowBuildConfigBody;
  autoDeployTrigger?: string;
}

/** One environment of a project, as `POST /projects` and `POST /environments` take it. */
export interface EnvironmentSettingsBody {
  name: string;
  /** `unprotected` or `protected`. */
  protectedStatus?: string;
  networkIsolationEnabled?: boolean;
  ipAllowList?: IpAllowEntryBody[];
}

/** `POST /projects` body (`projectPOSTInput`). */
export interface CreateProjectBody {
  name: string;
  ownerId: string;
  environments: EnvironmentSettingsBody[];
}

/** `POST /environments` body (`environmentPOSTInput`). */
export interface CreateEnvironmentBody extends EnvironmentSettingsBody {
  projectId: string;
}

/** `PATCH /environments/{id}` body (`environmentPATCHInput`): every field optional. */
export type UpdateEnvironmentBody = Partial<EnvironmentSettingsBody>;

/** `PATCH /key-value/{id}` body (`keyValuePATCHInput`, plus `persistenceMode`): every field optional. */
export interface UpdateKeyValueBody {
  name?: string;
  plan?: string;
  maxmemoryPolicy?: string;
  persistenceMode?: string;
  /** Replaces the allow list. */
  ipAllowList?: IpAllowEntryBody[];
}

/** `PATCH /postgres/{id}` body: every field optional. */
export interface UpdatePostgresBody {
  /** Display name. */
  name?: string;
  /** Plan. */
  plan?: string;
  /** Disk size in GB. */
  diskSizeGB?: number;
  /** Disk autoscaling. */
  enableDiskAutoscaling?: boolean;
  /** High availability. */
  enableHighAvailability?: boolean;
  /** Replaces the allow list. */
  ipAllowList?: IpAllowEntryBody[];
}

/** One env var in a create or replace-all body. */
export type EnvVarBody = { key: string; value: string } | { key: string; generateValue: true };

/** The image of an image service (openapi.json `image`). */
export interface ImageBody {
  /** The service's workspace. */
  ownerId: string;
  /** e.g. `docker.io/library/nginx:1.27`. */
  imagePath: string;
  /** The registry credential (`rgc-…`) that pulls a private image. */
  registryCredentialId?: string;
}

/** `POST /services` body (`servicePOST`); `serviceDetails` is passed through as given. */
export interface CreateServiceBody {
  /** Service type, e.g. `web_service`. */
  type: (typeof serviceTypes)[number];
  /** Unique within the workspace. */
  name: string;
  /** Workspace id. */
  ownerId: string;
  /** Git repository URL (no branch). */
  repo?: string;
  /** Branch; defaults to the repo's default branch. */
  branch?: string;
  /** `"yes"` or `"no"`. */
  autoDeploy?: "yes" | "no";
  /** Subdirectory to build from. */
  rootDir?: string;
  /** Initial env vars. */
  envVars?: EnvVarBody[];
  /** Project environment. */
  environmentId?: string;
  /** Build only for changes under `paths` and not under `ignoredPaths`. */
  buildFilter?: { paths: string[]; ignoredPaths: string[] };
  /** The image of an image service (instead of `repo`). */
  image?: ImageBody;
  /** Type-specific details (web: runtime, plan, region, envSpecificDetails, …). */
  serviceDetails?: Record<string, unknown>;
}

/** `PATCH /services/{id}` body (`servicePATCH`). */
export interface UpdateServiceBody {
  /** New name. */
  name?: string;
  /** Repository URL. */
  repo?: string;
  /** Branch. */
  branch?: string;
  /** `"yes"` or `"no"`. */
  autoDeploy?: "yes" | "no";
  /** Subdirectory to build from. */
  rootDir?: string;
  /** Build only for changes under `paths` and not under `ignoredPaths`. */
  buildFilter?: { paths: string[]; ignoredPaths: string[] };
  /** The image of an image service. */
  image?: ImageBody;
  /** Patchable type-specific details. */
  serviceDetails?: Record<string, unknown>;
}

/** `POST /services/{id}/deploys` body. */
export interface CreateDeployBody {
  /** `"clear"` or `"do_not_clear"` (default). */
  clearCache?: "clear" | "do_not_clear";
  /** Commit SHA to deploy. */
  commitId?: string;
  /** Image URL for image services. */
  imageUrl?: string;
  /** `"build_and_deploy"` (default) or `"deploy_only"`. */
  deployMode?: "build_and_deploy" | "deploy_only";
}

// ---- static sites, their rules, custom domains -----------------------------------------------------

/** `buildFilter`: paths whose changes trigger a build, and paths whose changes do not. */
export function buildFilterResponseSchema() {
  return z.object({ paths: z.array(z.string()), ignoredPaths: z.array(z.string()) });
}

/** A static site (`staticSiteDetails` under `serviceDetails`). */
export function staticSiteResponseSchema() {
  return serviceResponseSchema().extend({
    buildFilter: buildFilterResponseSchema().nullish(),
    serviceDetails: z.object({
      buildCommand: z.string().optional(),
      publishPath: z.string().optional(),
      url: z.string().nullish(),
      pullRequestPreviewsEnabled: z.string().optional(),
      previews: z.object({ generation: z.string().optional() }).nullish(),
      renderSubdomainPolicy: z.string().optional(),
    }),
  });
}

/** A response header rule of a static site. */
export function headerResponseSchema() {
  return z.object({ id: z.string(), path: z.string(), name: z.string(), value: z.string() });
}

/** A redirect/rewrite rule of a static site; rules apply in `priority` order, 0 first. */
export function routeResponseSchema() {
  return z.object({
    id: z.string(),
    type: z.enum(["redirect", "rewrite"]),
    source: z.string(),
    destination: z.string(),
    priority: z.number(),
  });
}

/** A custom domain of a web service or static site. */
export function customDomainResponseSchema() {
  return z.object({
    id: z.string(),
    name: z.string(),
    domainType: z.string(),
    publicSuffix: z.string().optional(),
    /** The name this one redirects to: set on the apex/www sibling Render adds itself, else "". */
    redirectForName: z.string().nullish(),
    verificationStatus: z.string(),
    createdAt: z.string().optional(),
  });
}

/** A static site as read. */
export type StaticSite = z.infer<ReturnType<typeof staticSiteResponseSchema>>;

/** A response header rule. */
export type Header = z.infer<ReturnType<typeof headerResponseSchema>>;

/** A redirect/rewrite rule. */
export type Route = z.infer<ReturnType<typeof routeResponseSchema>>;

/** A custom domain. */
export type CustomDomain = z.infer<ReturnType<typeof customDomainResponseSchema>>;

/** One header rule in `PUT /services/{id}/headers` (`headerInput`). */
export interface HeaderBody {
  /** Request path the header applies to; wildcards match many (`/*`, `/assets/*`). */
  path: string;
  /** Header name. */
  name: string;
  /** Header value. */
  value: string;
}

/** One rule in `PUT /services/{id}/routes` (`routePut`): the list order is the priority. */
export interface RouteBody {
  /** `redirect` (answers 301 with the destination) or `rewrite` (serves the destination). */
  type: "redirect" | "rewrite";
  /** Path matched, e.g. `/old/*`. */
  source: string;
  /** Where it goes. */
  destination: string;
}

// ---- env groups, registry credentials, disks (openapi.json "Environment Groups", "Registry
// Credentials", "Disks") -----------------------------------------------------------------------------

/** A service linked to an env group (`envGroupLink`). */
export function envGroupLinkResponseSchema() {
  return z.object({ id: z.string(), name: z.string(), type: z.string() });
}

/** An env group without its values (`envGroupMeta`: the list's items). */
export function envGroupMetaResponseSchema() {
  return z.object({
    id: z.string(),
    name: z.string(),
    ownerId: z.string(),
    environmentId: z.string().nullish(),
    serviceLinks: z.array(envGroupLinkResponseSchema()).nullish(),
    createdAt: z.string().optional(),
    updatedAt: z.string().optional(),
  });
}

/** An env group with its env vars and secret files (`envGroup`; values and contents are secrets). */
export function envGroupResponseSchema() {
  return envGroupMetaResponseSchema().extend({
    envVars: z.array(envVarResponseSchema()).nullish(),
    secretFiles: z.array(z.object({ name: z.string(), content: z.string() })).nullish(),
  });
}

/** A registry credential (`registryCredential`): never its token, no workspace. */
export function registryCredentialResponseSchema() {
  return z.object({
    id: z.string(),
    name: z.string(),
    registry: z.string(),
    username: z.string(),
    updatedAt: z.string().optional(),
  });
}

/** A persistent disk (`disk`). */
export function diskResponseSchema() {
  return z.object({
    id: z.string(),
    name: z.string(),
    sizeGB: z.number(),
    mountPath: z.string(),
    serviceId: z.string().nullish(),
    createdAt: z.string().optional(),
    updatedAt: z.string().optional(),
  });
}

/** An env group without values. */
export type EnvGroupMeta = z.infer<ReturnType<typeof envGroupMetaResponseSchema>>;
/** An env group with its values (secrets). */
export type EnvGroup = z.infer<ReturnType<typeof envGroupResponseSchema>>;
/** A registry credential. */
export type RegistryCredential = z.infer<ReturnType<typeof registryCredentialResponseSchema>>;
/** A persistent disk. */
export type Disk = z.infer<ReturnType<typeof diskResponseSchema>>;

/** `POST /env-groups` body (`envGroupPOSTInput`). */
export interface CreateEnvGroupBody {
  name: string;
  ownerId: string;
  envVars: EnvVarBody[];
  secretFiles?: { name: string; content: string }[];
  environmentId?: string;
}

/** `POST /registrycredentials` body; PATCH takes the same fields but `ownerId`, all of them. */
export interface RegistryCredentialBody {
  name: string;
  registry: string;
  username: string;
  /** Secret. */
  authToken: string;
  ownerId: string;
}

/** `POST /disks` body. */
export interface CreateDiskBody {
  name: string;
  sizeGB: number;
  mountPath: string;
  serviceId: string;
}

/** `PATCH /disks/{id}` body: every field optional. */
export interface UpdateDiskBody {
  name?: string;
  sizeGB?: number;
  mountPath?: string;
}
