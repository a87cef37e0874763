/**
 * The Render API client: undici transport (a keep-alive pool per base URL), bearer auth, JSON,
 * timeouts, retries that never repeat a write blindly, the process-wide rate budget, pagination,
 * and typed methods for what the resources need. Knows HTTP and Render, nothing of Pulumi.
 */
import { Pool, type Dispatcher } from "undici";
import type { ZodType } from "zod";
import { z } from "zod";
import { describeLimit, RateBudget, RateBudgetExceeded, sharedRateBudget } from "./budget";
import {
  errorFromNetwork,
  errorFromParse,
  errorFromRateLimit,
  errorFromResponse,
  isRenderApiError,
  RenderApiError,
  secretsOfBody,
  withAttempts,
} from "./errors";
import { maxPageSize, paginate, type PageItem } from "./pagination";
import {
  defaultRetryPolicy,
  isIdempotent,
  retryDelayMs,
  shouldRetry,
  type AttemptFailure,
  type RetryPolicy,
} from "./retry";
import {
  autoscalingResponseSchema,
  deployResponseSchema,
  jobResponseSchema,
  diskResponseSchema,
  envGroupMetaResponseSchema,
  envGroupResponseSchema,
  registryCredentialResponseSchema,
  logsResponseSchema,
  envVarResponseSchema,
  keyValueConnectionInfoResponseSchema,
  keyValueResponseSchema,
  workflowResponseSchema,
  type CreateWorkflowBody,
  type UpdateWorkflowBody,
  type Workflow,
  projectResponseSchema,
  environmentResponseSchema,
  maintenanceRunResponseSchema,
  ownerResponseSchema,
  postgresConnectionInfoResponseSchema,
  postgresCredentialResponseSchema,
  postgresExportResponseSchema,
  postgresRecoveryInfoResponseSchema,
  postgresResponseSchema,
  serviceAndDeployResponseSchema,
  serviceResponseSchema,
  customDomainResponseSchema,
  headerResponseSchema,
  routeResponseSchema,
  staticSiteResponseSchema,
  type AutoscalingBody,
  type Job,
  type CustomDomain,
  type Header,
  type HeaderBody,
  type Route,
  type RouteBody,
  type StaticSite,
  type CreateDeployBody,
  type CreateDiskBody,
  type CreateEnvGroupBody,
  type Disk,
  type EnvGroup,
  type EnvGroupMeta,
  type RegistryCredential,
  type RegistryCredentialBody,
  type UpdateDiskBody,
  type CreateKeyValueBody,
  type CreateProjectBody,
  type CreateEnvironmentBody,
  type UpdateEnvironmentBody,
  type Project,
  type Environment,
  type CreatePostgresBody,
  type CreateServiceBody,
  type Deploy,
  type LogsPage,
  type DeployStatus,
  type EnvVar,
  type EnvVarBody,
  type KeyValue,
  type KeyValueConnectionInfo,
  type MaintenanceRun,
  type Owner,
  type Postgres,
  type PostgresConnectionInfo,
  type PostgresCredential,
  type PostgresExport,
  type PostgresRecoveryInfo,
  type RecoverPostgresBody,
  type Service,
  type ServiceAndDeploy,
  type UpdateKeyValueBody,
  type UpdatePostgresBody,
  type UpdateServiceBody,
} from "./schemas";

/** Render's public API. */
export const defaultBaseUrl = "https://api.render.com/v1";

/** Product and version sent as User-Agent unless overridden. */
export const defaultUserAgent = "arrakis-infra/0.1.0 (render-client; undici)";

/** Network timeouts in milliseconds. */
export interface RenderTimeouts {
  /** TCP/TLS connect. Default 10 s. */
  connectMs?: number;
  /** From sending the request to the response headers. Default 30 s. */
  headersMs?: number;
  /** Idle time between body chunks. Default 30 s. */
  bodyMs?: number;
}

/** Options of `RenderClient`. */
export interface RenderClientOptions {
  /** Render API key, sent as `Authorization: Bearer`. Never appears in an error message. */
  apiKey: string;
  /** Base URL including `/v1`. Default `https://api.render.com/v1`; the local stack points at the emulator. */
  baseUrl?: string;
  /** User-Agent header. Default names this product and its version. */
  userAgent?: string;
  /** Network timeouts. */
  timeouts?: RenderTimeouts;
  /** Retry bounds (attempts, total time, back-off). */
  retry?: Partial<RetryPolicy>;
  /** Sleep used between attempts. Default a timer; tests pass a fake. */
  sleep?: (ms: number) => Promise<void>;
  /** Clock in ms used for retry bounds and reset headers. Default `Date.now`. */
  now?: () => number;
  /** Jitter source in [0, 1). Default `Math.random`. */
  random?: () => number;
  /**
   * Client-side rate budget. Default: the process-wide budget of this base URL with Render's
   * published limits. `false` turns it off (tests of the server's own limiting).
   */
  budget?: RateBudget | false;
  /**
   * Time scale of the default budget's windows (1: Render's real limits). Only for an emulator whose
   * rate-limit windows are time-scaled the same way (`render:rateLimitTimeScale`).
   */
  rateLimitTimeScale?: number;
  /** Page size of list calls, 1–100. Default 100. */
  pageSize?: number;
  /**
   * Accept the answer of an identical GET made in this process at most this long ago (or still in
   * flight), instead of asking Render again. Default 0: every GET asks Render. Any write through any
   * client of the same base URL and key forgets every remembered answer. For the reads of one engine
   * command (refresh, then diff); never for polling.
   */
  reuseReadsMs?: number;
}

/** Filters of `GET /postgres` and `GET /services` (exact-name lookups, by workspace). */
export interface ListFilter {
  /** Names to match (Render matches by name; compare exactly on the caller's side). */
  name?: string[];
  /** Workspace ids. */
  ownerId?: string[];
}

/** Filters of `GET /services`. */
export interface ListServicesFilter extends ListFilter {
  /** Service types, e.g. `web_service`. */
  type?: string[];
}

/** Filters of `GET /owners`. */
export interface ListOwnersFilter {
  /** Owner names. */
  name?: string[];
  /** Owner emails. */
  email?: string[];
}

type Query = Record<string, string | number | boolean | string[] | undefined>;

interface CallOptions<T> {
  query?: Query;
  body?: unknown;
  /** Schema of a 2xx body; absent when the body is ignored. */
  schema?: () => ZodType<T>;
  /** A 2xx without a body is allowed (202 "Queued" on deploys): resolves to undefined. */
  bodyOptional?: boolean;
  /**
   * Sending it twice leaves what sending it once does, whatever the method: retried like a PUT, and a
   * failure is never an unknown outcome. Default: the method is idempotent (GET, PUT, DELETE…).
   */
  repeatable?: boolean;
}

/** One remembered GET answer (the parsed value), or the promise of one still in flight. */
interface RememberedRead {
  at: number;
  value: Promise<unknown>;
}

// Remembered GET answers per base URL and key, on globalThis like the pools (one per process).
function readMemoKey(): symbol {
  return Symbol.for("arrakis.render.reads");
}

function readMemo(scope: string): Map<string, RememberedRead> {
  const holder = globalThis as unknown as Record<
    symbol,
    Map<string, Map<string, RememberedRead>> | undefined
  >;
  const all = (holder[readMemoKey()] ??= new Map());
  let memo = all.get(scope);
  if (!memo) {
    memo = new Map();
    all.set(scope, memo);
  }
  return memo;
}

interface Transport {
  pool: Pool;
  origin: string;
  basePath: string;
}

// Pools live on globalThis, not in a module variable: a process may load this module more than once
// (the providers package bundles its own copy), and a keep-alive pool should still be one per base URL
// per process.
function poolRegistryKey(): symbol {
  return Symbol.for("arrakis.render.pools");
}

function poolRegistry(): Map<string, Pool> {
  const holder = globalThis as unknown as Record<symbol, Map<string, Pool> | undefined>;
  let registry = holder[poolRegistryKey()];
  if (!registry) {
    registry = new Map();
    holder[poolRegistryKey()] = registry;
  }
  return registry;
}

/** Forget every GET answer this process remembers (see `reuseReadsMs`). */
export function forgetRememberedReads(): void {
  const holder = globalThis as unknown as Record<symbol, Map<string, unknown> | undefined>;
  holder[readMemoKey()]?.clear();
}

function errorCode(err: unknown): string | undefined {
  if (typeof err !== "object" || err === null) return undefined;
  const code = (err as { code?: unknown }).code;
  if (typeof code === "string") return code;
  // undici wraps some socket errors; the cause carries the system code.
  const cause = (err as { cause?: unknown }).cause;
  return cause !== err ? errorCode(cause) : undefined;
}

function formatIssuePath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out === "" ? String(part) : `.${String(part)}`;
  }
  return out;
}

function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Typed access to the Render API.
 *
 * Retries are a small loop here rather than undici's RetryAgent/RetryHandler, because the policy
 * needs what that handler cannot give: every attempt must take a slot of the shared rate budget;
 * waits must use the injected sleep/clock and honour `Ratelimit-Reset` (Render's seconds-left form);
 * a POST must tell "refused before sending" from "sent, then lost" to report an unknown outcome; and
 * after the last attempt we need Render's error body, which RetryHandler's status errors drop.
 */
export class RenderClient {
  private readonly apiKey: string;
  private readonly baseUrl: string;
  private readonly userAgent: string;
  private readonly timeouts: Required<RenderTimeouts>;
  private readonly policy: RetryPolicy;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly budget: RateBudget | undefined;
  private readonly pageSize: number;
  private readonly reuseReadsMs: number;

  constructor(options: RenderClientOptions) {
    if (!options.apiKey) {
      throw new Error(
        "could not create the Render client: no API key; set it with `pulumi config set --secret render:apiKey <key>`",
      );
    }
    this.apiKey = options.apiKey;
    this.baseUrl = (options.baseUrl ?? defaultBaseUrl).replace(/\/+$/, "");
    this.userAgent = options.userAgent ?? defaultUserAgent;
    this.timeouts = { connectMs: 10_000, headersMs: 30_000, bodyMs: 30_000, ...options.timeouts };
    this.policy = { ...defaultRetryPolicy(), ...options.retry };
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.now = options.now ?? (() => Date.now());
    this.random = options.random ?? Math.random;
    this.budget =
      options.budget === false
        ? undefined
        : (options.budget ?? sharedRateBudget(this.baseUrl, options.rateLimitTimeScale ?? 1));
    this.pageSize = Math.min(Math.max(Math.trunc(options.pageSize ?? maxPageSize), 1), maxPageSize);
    this.reuseReadsMs = Math.max(0, options.reuseReadsMs ?? 0);
    // Validate the URL now, so a typo fails at construction with a clear message.
    this.transport();
  }

  /** Close this base URL's keep-alive pool (it is reopened on the next request). */
  async close(): Promise<void> {
    const registry = poolRegistry();
    const key = this.poolKey();
    const pool = registry.get(key);
    registry.delete(key);
    await pool?.close().catch(() => undefined);
  }

  // ---- owners -------------------------------------------------------------------------------------

  /** All owners (workspaces) the key can see. */
  listOwners(filter: ListOwnersFilter = {}): AsyncGenerator<Owner, void, undefined> {
    return this.list("/owners", { name: filter.name, email: filter.email }, "owner", ownerResponseSchema);
  }

  /** One owner by id (`tea-…`, or a user id for that user's default workspace). */
  getOwner(ownerId: string): Promise<Owner> {
    return this.call("GET", `/owners/${enc(ownerId)}`, { schema: ownerResponseSchema });
  }

  // ---- postgres -----------------------------------------------------------------------------------

  /** Databases, optionally by name and workspace. */
  listPostgres(filter: ListFilter = {}): AsyncGenerator<Postgres, void, undefined> {
    return this.list(
      "/postgres",
      { name: filter.name, ownerId: filter.ownerId },
      "postgres",
      postgresResponseSchema,
    );
  }

  /**
   * Create a database. Never retried once it may have reached Render: on an unknown outcome the
   * error has `outcomeUnknown: true`; look the database up by name before creating again.
   */
  createPostgres(body: CreatePostgresBody): Promise<Postgres> {
    return this.call("POST", "/postgres", { body, schema: postgresResponseSchema });
  }

  /** One database. */
  getPostgres(postgresId: string): Promise<Postgres> {
    return this.call("GET", `/postgres/${enc(postgresId)}`, { schema: postgresResponseSchema });
  }

  /** Change a database in place. */
  updatePostgres(postgresId: string, body: UpdatePostgresBody): Promise<Postgres> {
    // Our PATCH bodies hold absolute values (no counters, no appends), so a repeat changes nothing more:
    // retried on 5xx and lost answers instead of failing the update as an unknown outcome. Whether
    // Render answers a repeat during the change it started with a 409 is UNCONFIRMED; that would
    // surface as an error, never as a second change.
    return this.call("PATCH", `/postgres/${enc(postgresId)}`, {
      body,
      schema: postgresResponseSchema,
      repeatable: true,
    });
  }

  /** Delete a database (irreversible). */
  async deletePostgres(postgresId: string): Promise<void> {
    await this.call("DELETE", `/postgres/${enc(postgresId)}`, {});
  }

  /** Password and connection strings of a database (all secret). */
  getPostgresConnectionInfo(postgresId: string): Promise<PostgresConnectionInfo> {
    return this.call("GET", `/postgres/${enc(postgresId)}/connection-info`, {
      schema: postgresConnectionInfoResponseSchema,
    });
  }

  // ---- key value ----------------------------------------------------------------------------------

  /** Key Value instances, optionally by name and workspace. */
  listKeyValue(filter: ListFilter = {}): AsyncGenerator<KeyValue, void, undefined> {
    return this.list(
      "/key-value",
      { name: filter.name, ownerId: filter.ownerId },
      "keyValue",
      keyValueResponseSchema,
    );
  }

  /**
   * Create a Key Value instance. Like `createPostgres`, never retried once it may have reached Render:
   * on an unknown outcome, look it up by name before creating again.
   */
  createKeyValue(body: CreateKeyValueBody): Promise<KeyValue> {
    return this.call("POST", "/key-value", { body, schema: keyValueResponseSchema });
  }

  /** One Key Value instance. */
  getKeyValue(keyValueId: string): Promise<KeyValue> {
    return this.call("GET", `/key-value/${enc(keyValueId)}`, { schema: keyValueResponseSchema });
  }

  /** Change a Key Value instance in place (absolute values: repeatable, like updatePostgres). */
  updateKeyValue(keyValueId: string, body: UpdateKeyValueBody): Promise<KeyValue> {
    return this.call("PATCH", `/key-value/${enc(keyValueId)}`, {
      body,
      schema: keyValueResponseSchema,
      repeatable: true,
    });
  }

  /** Delete a Key Value instance (irreversible). */
  async deleteKeyValue(keyValueId: string): Promise<void> {
    await this.call("DELETE", `/key-value/${enc(keyValueId)}`, {});
  }

  /** Connection strings of a Key Value instance (secrets). */
  getKeyValueConnectionInfo(keyValueId: string): Promise<KeyValueConnectionInfo> {
    return this.call("GET", `/key-value/${enc(keyValueId)}/connection-info`, {
      schema: keyValueConnectionInfoResponseSchema,
    });
  }

  // ---- workflows (Render Workflows, beta) ---------------------------------------------------------

  /** Workflows, optionally by name and workspace. */
  listWorkflows(filter: ListFilter = {}): AsyncGenerator<Workflow, void, undefined> {
    return this.list(
      "/workflows",
      { name: filter.name, ownerId: filter.ownerId },
      "workflow",
      workflowResponseSchema,
    );
  }

  /**
   * Create a workflow. Never retried once it may have reached Render: on an unknown outcome, look it up
   * by name before creating again (createOnce).
   */
  createWorkflow(body: CreateWorkflowBody): Promise<Workflow> {
    return this.call("POST", "/workflows", { body, schema: workflowResponseSchema });
  }

  /** One workflow. */
  getWorkflow(workflowId: string): Promise<Workflow> {
    return this.call("GET", `/workflows/${enc(workflowId)}`, { schema: workflowResponseSchema });
  }

  /** Change a workflow in place (absolute values: repeatable). */
  updateWorkflow(workflowId: string, body: UpdateWorkflowBody): Promise<Workflow> {
    return this.call("PATCH", `/workflows/${enc(workflowId)}`, {
      body,
      schema: workflowResponseSchema,
      repeatable: true,
    });
  }

  /** Delete a workflow. */
  async deleteWorkflow(workflowId: string): Promise<void> {
    await this.call("DELETE", `/workflows/${enc(workflowId)}`, {});
  }

  // ---- postgres day two: exports, recovery, credentials -----------------------------------------

  /** Start a logical export (Render answers 202 without a body; list the exports to follow it). */
  async createPostgresExport(postgresId: string): Promise<void> {
    await this.call("POST", `/postgres/${enc(postgresId)}/export`, {});
  }

  /** The database's exports still kept by Render (7 days), newest first. */
  listPostgresExports(postgresId: string): Promise<PostgresExport[]> {
    return this.call("GET", `/postgres/${enc(postgresId)}/export`, {
      schema: () => z.array(postgresExportResponseSchema()),
    });
  }

  /** Whether point-in-time recovery is possible for the database, and from when. */
  getPostgresRecoveryInfo(postgresId: string): Promise<PostgresRecoveryInfo> {
    return this.call("GET", `/postgres/${enc(postgresId)}/recovery`, {
      schema: postgresRecoveryInfoResponseSchema,
    });
  }

  /**
   * Recover the database as it was at `restoreTime` into a **new** billed database. Never retried once it
   * may have reached Render (like createPostgres): look the new database up by name before trying again.
   */
  recoverPostgres(postgresId: string, body: RecoverPostgresBody): Promise<Postgres> {
    return this.call("POST", `/postgres/${enc(postgresId)}/recovery`, {
      body,
      schema: postgresResponseSchema,
    });
  }

  /** The database's users. */
  listPostgresCredentials(postgresId: string): Promise<PostgresCredential[]> {
    return this.call("GET", `/postgres/${enc(postgresId)}/credentials`, {
      schema: () => z.array(postgresCredentialResponseSchema()),
    });
  }

  /** Create a user; it becomes the database's default user (Render answers 202 without a body). */
  async createPostgresCredential(postgresId: string, username: string): Promise<void> {
    await this.call("POST", `/postgres/${enc(postgresId)}/credentials`, { body: { username } });
  }

  /** Delete a user (Render refuses the default one). */
  async deletePostgresCredential(postgresId: string, username: string): Promise<void> {
    await this.call("DELETE", `/postgres/${enc(postgresId)}/credentials/${enc(username)}`, {});
  }

  // ---- maintenance --------------------------------------------------------------------------------

  /** Maintenance runs, optionally of some resources and in some states. */
  listMaintenance(filter: { resourceId?: string[]; state?: string[] } = {}): Promise<MaintenanceRun[]> {
    return this.call("GET", "/maintenance", {
      query: { resourceId: filter.resourceId, state: filter.state },
      schema: () => z.array(maintenanceRunResponseSchema()),
    });
  }

  /** Move a maintenance run (before its `pendingMaintenanceBy`). */
  async updateMaintenance(maintenanceId: string, scheduledAt: string): Promise<void> {
    await this.call("PATCH", `/maintenance/${enc(maintenanceId)}`, {
      body: { scheduledAt },
      repeatable: true,
    });
  }

  /** Start a maintenance run now. */
  async triggerMaintenance(maintenanceId: string): Promise<void> {
    await this.call("POST", `/maintenance/${enc(maintenanceId)}/trigger`, {});
  }

  // ---- services -----------------------------------------------------------------------------------

  /** Services, optionally by name, workspace and type. */
  listServices(filter: ListServicesFilter = {}): AsyncGenerator<Service, void, undefined> {
    return this.list(
      "/services",
      { name: filter.name, ownerId: filter.ownerId, type: filter.type },
      "service",
      serviceResponseSchema,
    );
  }

  /**
   * Create a service; answers it with the id of its first deploy. Like `createPostgres`, an unknown
   * outcome is reported (`outcomeUnknown: true`), never retried.
   */
  createService(body: CreateServiceBody): Promise<ServiceAndDeploy> {
    return this.call("POST", "/services", { body, schema: serviceAndDeployResponseSchema });
  }

  /** One service. */
  getService(serviceId: string): Promise<Service> {
    return this.call("GET", `/services/${enc(serviceId)}`, { schema: serviceResponseSchema });
  }

  /** Change a service's configuration (a deploy rolls it out). */
  updateService(serviceId: string, body: UpdateServiceBody): Promise<Service> {
    // Absolute values, like updatePostgres: repeatable.
    return this.call("PATCH", `/services/${enc(serviceId)}`, {
      body,
      schema: serviceResponseSchema,
      repeatable: true,
    });
  }

  /** Delete a service. */
  async deleteService(serviceId: string): Promise<void> {
    await this.call("DELETE", `/services/${enc(serviceId)}`, {});
  }

  /** Set the number of instances (ignored by Render while autoscaling is on). */
  async scaleService(serviceId: string, numInstances: number): Promise<void> {
    await this.call("POST", `/services/${enc(serviceId)}/scale`, { body: { numInstances } });
  }

  /** Set a service's autoscaling (the whole config; repeatable). */
  setAutoscaling(serviceId: string, body: AutoscalingBody): Promise<AutoscalingBody> {
    return this.call("PUT", `/services/${enc(serviceId)}/autoscaling`, {
      body,
      schema: autoscalingResponseSchema,
      repeatable: true,
    });
  }

  /** Remove a service's autoscaling (its instance count is then `numInstances`, set with /scale). */
  async deleteAutoscaling(serviceId: string): Promise<void> {
    await this.call("DELETE", `/services/${enc(serviceId)}/autoscaling`, {});
  }

  /**
   * Start a one-off job: `startCommand` runs once in a new instance of the service (its latest
   * successful build). Not repeatable: an unknown outcome is reported, never retried.
   */
  createJob(serviceId: string, startCommand: string): Promise<Job> {
    return this.call("POST", `/services/${enc(serviceId)}/jobs`, {
      body: { startCommand },
      schema: jobResponseSchema,
    });
  }

  /** One-off jobs of a service, newest first. */
  listJobs(serviceId: string): AsyncGenerator<Job, void, undefined> {
    return this.list(`/services/${enc(serviceId)}/jobs`, {}, "job", jobResponseSchema);
  }

  /** One one-off job. */
  getJob(serviceId: string, jobId: string): Promise<Job> {
    return this.call("GET", `/services/${enc(serviceId)}/jobs/${enc(jobId)}`, { schema: jobResponseSchema });
  }

  /** Suspend a service. */
  async suspendService(serviceId: string): Promise<void> {
    await this.call("POST", `/services/${enc(serviceId)}/suspend`, {});
  }

  /** Resume a suspended service. */
  async resumeService(serviceId: string): Promise<void> {
    await this.call("POST", `/services/${enc(serviceId)}/resume`, {});
  }

  // ---- env vars -----------------------------------------------------------------------------------

  /** Env vars set directly on a service (values are secrets). */
  listEnvVars(serviceId: string): AsyncGenerator<EnvVar, void, undefined> {
    return this.list(`/services/${enc(serviceId)}/env-vars`, {}, "envVar", envVarResponseSchema);
  }

  /** Replace the whole set of a service's env vars; answers the new set with generated values filled in. */
  replaceEnvVars(serviceId: string, envVars: EnvVarBody[]): Promise<EnvVar[]> {
    return this.call("PUT", `/services/${enc(serviceId)}/env-vars`, {
      body: envVars,
      schema: () =>
        z.array(z.object({ envVar: envVarResponseSchema() })).transform((l) => l.map((e) => e.envVar)),
    });
  }

  /** One env var. */
  getEnvVar(serviceId: string, key: string): Promise<EnvVar> {
    return this.call("GET", `/services/${enc(serviceId)}/env-vars/${enc(key)}`, {
      schema: envVarResponseSchema,
    });
  }

  /** Add or update one env var, to a value or a generated one. */
  putEnvVar(
    serviceId: string,
    key: string,
    value: { value: string } | { generateValue: true },
  ): Promise<EnvVar> {
    return this.call("PUT", `/services/${enc(serviceId)}/env-vars/${enc(key)}`, {
      body: value,
      schema: envVarResponseSchema,
    });
  }

  /** Remove one env var. */
  async deleteEnvVar(serviceId: string, key: string): Promise<void> {
    await this.call("DELETE", `/services/${enc(serviceId)}/env-vars/${enc(key)}`, {});
  }

  // ---- static sites: header and route rules ------------------------------------------------------

  /** One static site, with its static details (publish path, build command, previews). */
  getStaticSite(serviceId: string): Promise<StaticSite> {
    return this.call("GET", `/services/${enc(serviceId)}`, { schema: staticSiteResponseSchema });
  }

  /** A static site's response header rules (newest first, as Render lists them). */
  listHeaders(serviceId: string): AsyncGenerator<Header, void, undefined> {
    return this.list(`/services/${enc(serviceId)}/headers`, {}, "header", headerResponseSchema);
  }

  /** Replace every header rule of a static site; answers the new set. */
  replaceHeaders(serviceId: string, headers: HeaderBody[]): Promise<Header[]> {
    return this.call("PUT", `/services/${enc(serviceId)}/headers`, {
      body: headers,
      schema: () => z.array(headerResponseSchema()),
    });
  }

  /** A static site's redirect/rewrite rules. */
  listRoutes(serviceId: string): AsyncGenerator<Route, void, undefined> {
    return this.list(`/services/${enc(serviceId)}/routes`, {}, "route", routeResponseSchema);
  }

  /** Replace every redirect/rewrite rule of a static site (list order = priority); answers the new set. */
  replaceRoutes(serviceId: string, routes: RouteBody[]): Promise<Route[]> {
    return this.call("PUT", `/services/${enc(serviceId)}/routes`, {
      body: routes,
      schema: () => z.array(routeResponseSchema()),
    });
  }

  // ---- custom domains -----------------------------------------------------------------------------

  /** Custom domains of a web service or static site (Render's apex/www siblings included), by name. */
  listCustomDomains(serviceId: string, filter: { name?: string[] } = {}): AsyncGenerator<CustomDomain> {
    return this.list(
      `/services/${enc(serviceId)}/custom-domains`,
      { name: filter.name },
      "customDomain",
      customDomainResponseSchema,
    );
  }

  /**
   * Add a custom domain; answers what Render added (the domain and, for an apex or www name, the
   * sibling it adds itself). An unknown outcome is reported, never retried.
   */
  createCustomDomain(serviceId: string, name: string): Promise<CustomDomain[]> {
    return this.call("POST", `/services/${enc(serviceId)}/custom-domains`, {
      body: { name },
      schema: () => z.array(customDomainResponseSchema()),
    });
  }

  /** One custom domain, by id or name. */
  getCustomDomain(serviceId: string, idOrName: string): Promise<CustomDomain> {
    return this.call("GET", `/services/${enc(serviceId)}/custom-domains/${enc(idOrName)}`, {
      schema: customDomainResponseSchema,
    });
  }

  /** Remove a custom domain, by id or name. */
  async deleteCustomDomain(serviceId: string, idOrName: string): Promise<void> {
    await this.call("DELETE", `/services/${enc(serviceId)}/custom-domains/${enc(idOrName)}`, {});
  }

  /** Ask Render to check the domain's DNS records now (answers before the check ends). */
  async verifyCustomDomain(serviceId: string, idOrName: string): Promise<void> {
    await this.call("POST", `/services/${enc(serviceId)}/custom-domains/${enc(idOrName)}/verify`, {
      repeatable: true,
    });
  }

  // ---- env groups ---------------------------------------------------------------------------------

  /**
   * Env groups without their values, by name and workspace. Render's list is a bare array without
   * cursors (openapi.json): one page of the largest size, enough for an exact-name look-up.
   */
  async listEnvGroups(filter: ListFilter = {}): Promise<EnvGroupMeta[]> {
    return this.call("GET", "/env-groups", {
      query: { name: filter.name, ownerId: filter.ownerId, limit: maxPageSize },
      schema: () => z.array(envGroupMetaResponseSchema()),
    });
  }

  /** Create an env group; never retried once it may have reached Render (look it up by name instead). */
  createEnvGroup(body: CreateEnvGroupBody): Promise<EnvGroup> {
    return this.call("POST", "/env-groups", { body, schema: envGroupResponseSchema });
  }

  /** One env group with its values (secrets). */
  getEnvGroup(envGroupId: string): Promise<EnvGroup> {
    return this.call("GET", `/env-groups/${enc(envGroupId)}`, { schema: envGroupResponseSchema });
  }

  /** Rename an env group (its one field PATCH changes). */
  renameEnvGroup(envGroupId: string, name: string): Promise<EnvGroup> {
    return this.call("PATCH", `/env-groups/${enc(envGroupId)}`, {
      body: { name },
      schema: envGroupResponseSchema,
      repeatable: true,
    });
  }

  /** Delete an env group (its linked services lose its vars). */
  async deleteEnvGroup(envGroupId: string): Promise<void> {
    await this.call("DELETE", `/env-groups/${enc(envGroupId)}`, {});
  }

  /** Add or update one env var of a group, to a value or a generated one. */
  async putEnvGroupEnvVar(
    envGroupId: string,
    key: string,
    value: { value: string } | { generateValue: true },
  ): Promise<void> {
    await this.call("PUT", `/env-groups/${enc(envGroupId)}/env-vars/${enc(key)}`, { body: value });
  }

  /** Remove one env var of a group. */
  async deleteEnvGroupEnvVar(envGroupId: string, key: string): Promise<void> {
    await this.call("DELETE", `/env-groups/${enc(envGroupId)}/env-vars/${enc(key)}`, {});
  }

  /** Add or update one secret file of a group. */
  async putEnvGroupSecretFile(envGroupId: string, name: string, content: string): Promise<void> {
    await this.call("PUT", `/env-groups/${enc(envGroupId)}/secret-files/${enc(name)}`, { body: { content } });
  }

  /** Remove one secret file of a group. */
  async deleteEnvGroupSecretFile(envGroupId: string, name: string): Promise<void> {
    await this.call("DELETE", `/env-groups/${enc(envGroupId)}/secret-files/${enc(name)}`, {});
  }

  /** Link a service to an env group (linking twice leaves one link: repeatable). */
  linkEnvGroupService(envGroupId: string, serviceId: string): Promise<EnvGroup> {
    return this.call("POST", `/env-groups/${enc(envGroupId)}/services/${enc(serviceId)}`, {
      schema: envGroupResponseSchema,
      repeatable: true,
    });
  }

  /** Unlink a service from an env group. */
  async unlinkEnvGroupService(envGroupId: string, serviceId: string): Promise<void> {
    await this.call("DELETE", `/env-groups/${enc(envGroupId)}/services/${enc(serviceId)}`, {});
  }

  // ---- registry credentials -----------------------------------------------------------------------

  /** Registry credentials by name and workspace (a bare array without cursors, like env groups). */
  async listRegistryCredentials(filter: ListFilter = {}): Promise<RegistryCredential[]> {
    return this.call("GET", "/registrycredentials", {
      query: { name: filter.name, ownerId: filter.ownerId, limit: maxPageSize },
      schema: () => z.array(registryCredentialResponseSchema()),
    });
  }

  /** Create a registry credential; never retried once it may have reached Render. */
  createRegistryCredential(body: RegistryCredentialBody): Promise<RegistryCredential> {
    return this.call("POST", "/registrycredentials", { body, schema: registryCredentialResponseSchema });
  }

  /** One registry credential (never its token). */
  getRegistryCredential(id: string): Promise<RegistryCredential> {
    return this.call("GET", `/registrycredentials/${enc(id)}`, { schema: registryCredentialResponseSchema });
  }

  /** Change a registry credential: every field again, the token included (absolute: repeatable). */
  updateRegistryCredential(
    id: string,
    body: Omit<RegistryCredentialBody, "ownerId">,
  ): Promise<RegistryCredential> {
    return this.call("PATCH", `/registrycredentials/${enc(id)}`, {
      body,
      schema: registryCredentialResponseSchema,
      repeatable: true,
    });
  }

  /** Delete a registry credential. */
  async deleteRegistryCredential(id: string): Promise<void> {
    await this.call("DELETE", `/registrycredentials/${enc(id)}`, {});
  }

  // ---- disks --------------------------------------------------------------------------------------

  /** Disks, optionally of given services. */
  listDisks(filter: { serviceId?: string[]; name?: string[] } = {}): AsyncGenerator<Disk, void, undefined> {
    return this.list(
      "/disks",
      { serviceId: filter.serviceId, name: filter.name },
      "disk",
      diskResponseSchema,
    );
  }

  /** Add a disk to a service; never retried once it may have reached Render. */
  createDisk(body: CreateDiskBody): Promise<Disk> {
    return this.call("POST", "/disks", { body, schema: diskResponseSchema });
  }

  /** One disk. */
  getDisk(diskId: string): Promise<Disk> {
    return this.call("GET", `/disks/${enc(diskId)}`, { schema: diskResponseSchema });
  }

  /** Change a disk in place (absolute values: repeatable). */
  updateDisk(diskId: string, body: UpdateDiskBody): Promise<Disk> {
    return this.call("PATCH", `/disks/${enc(diskId)}`, {
      body,
      schema: diskResponseSchema,
      repeatable: true,
    });
  }

  /** Delete a disk and its data. */
  async deleteDisk(diskId: string): Promise<void> {
    await this.call("DELETE", `/disks/${enc(diskId)}`, {});
  }

  // ---- deploys ------------------------------------------------------------------------------------

  /**
   * Start a deploy. Render answers 201 with the deploy, or 202 "queued" without a body: then this
   * resolves to undefined (find it with `listDeploys`).
   */
  createDeploy(serviceId: string, body: CreateDeployBody = {}): Promise<Deploy | undefined> {
    return this.call("POST", `/services/${enc(serviceId)}/deploys`, {
      body,
      schema: deployResponseSchema,
      bodyOptional: true,
    });
  }

  /** One deploy. */
  getDeploy(serviceId: string, deployId: string): Promise<Deploy> {
    return this.call("GET", `/services/${enc(serviceId)}/deploys/${enc(deployId)}`, {
      schema: deployResponseSchema,
    });
  }

  /** Deploys of a service, newest first, optionally by status. */
  listDeploys(
    serviceId: string,
    filter: { status?: DeployStatus[] } = {},
  ): AsyncGenerator<Deploy, void, undefined> {
    return this.list(
      `/services/${enc(serviceId)}/deploys`,
      { status: filter.status },
      "deploy",
      deployResponseSchema,
    );
  }

  /** Cancel a running deploy. */
  cancelDeploy(serviceId: string, deployId: string): Promise<Deploy> {
    return this.call("POST", `/services/${enc(serviceId)}/deploys/${enc(deployId)}/cancel`, {
      schema: deployResponseSchema,
    });
  }

  /** Roll a service back to an earlier deploy; answers the new deploy. */
  rollback(serviceId: string, deployId: string): Promise<Deploy> {
    return this.call("POST", `/services/${enc(serviceId)}/rollback`, {
      body: { deployId },
      schema: deployResponseSchema,
    });
  }

  // ---- logs ---------------------------------------------------------------------------------------

  /**
   * One page of log lines of a workspace's resources in a time window (`GET /logs`): newest first unless
   * `direction` is `forward`; `hasMore` with `nextStartTime`/`nextEndTime` give the next page's window.
   */
  listLogs(query: {
    ownerId: string;
    resource: string[];
    type?: string[];
    startTime?: string;
    endTime?: string;
    direction?: "forward" | "backward";
    limit?: number;
  }): Promise<LogsPage> {
    return this.call("GET", "/logs", { query, schema: logsResponseSchema });
  }

  // ---- projects and environments -----------------------------------------------------------------

  /** Projects, optionally by name and workspace. */
  listProjects(filter: ListFilter = {}): AsyncGenerator<Project, void, undefined> {
    return this.list(
      "/projects",
      { name: filter.name, ownerId: filter.ownerId },
      "project",
      projectResponseSchema,
    );
  }

  /** Create a project with its environments (never retried once it may have reached Render). */
  createProject(body: CreateProjectBody): Promise<Project> {
    return this.call("POST", "/projects", { body, schema: projectResponseSchema });
  }

  /** One project. */
  getProject(projectId: string): Promise<Project> {
    return this.call("GET", `/projects/${enc(projectId)}`, { schema: projectResponseSchema });
  }

  /** Rename a project (an absolute value: repeatable). */
  updateProject(projectId: string, body: { name?: string }): Promise<Project> {
    return this.call("PATCH", `/projects/${enc(projectId)}`, {
      body,
      schema: projectResponseSchema,
      repeatable: true,
    });
  }

  /** Delete a project and its environments. */
  async deleteProject(projectId: string): Promise<void> {
    await this.call("DELETE", `/projects/${enc(projectId)}`, {});
  }

  /** The environments of a project. */
  listEnvironments(projectId: string): AsyncGenerator<Environment, void, undefined> {
    return this.list("/environments", { projectId: [projectId] }, "environment", environmentResponseSchema);
  }

  /** Create an environment in a project (never retried once it may have reached Render). */
  createEnvironment(body: CreateEnvironmentBody): Promise<Environment> {
    return this.call("POST", "/environments", { body, schema: environmentResponseSchema });
  }

  /** One environment. */
  getEnvironment(environmentId: string): Promise<Environment> {
    return this.call("GET", `/environments/${enc(environmentId)}`, { schema: environmentResponseSchema });
  }

  /** Change an environment in place (absolute values: repeatable). */
  updateEnvironment(environmentId: string, body: UpdateEnvironmentBody): Promise<Environment> {
    return this.call("PATCH", `/environments/${enc(environmentId)}`, {
      body,
      schema: environmentResponseSchema,
      repeatable: true,
    });
  }

  /** Delete an environment. */
  async deleteEnvironment(environmentId: string): Promise<void> {
    await this.call("DELETE", `/environments/${enc(environmentId)}`, {});
  }

  /** Move services, databases or Key Value instances into an environment (repeatable: a set). */
  addResourcesToEnvironment(environmentId: string, resourceIds: string[]): Promise<Environment> {
    return this.call("POST", `/environments/${enc(environmentId)}/resources`, {
      body: { resourceIds },
      schema: environmentResponseSchema,
      repeatable: true,
    });
  }

  /** Take resources out of an environment. */
  async removeResourcesFromEnvironment(environmentId: string, resourceIds: string[]): Promise<void> {
    await this.call("DELETE", `/environments/${enc(environmentId)}/resources`, { query: { resourceIds } });
  }

  // ---- transport ----------------------------------------------------------------------------------

  private list<T>(
    path: string,
    query: Query,
    wrapper: string,
    itemSchema: () => ZodType<T>,
  ): AsyncGenerator<T, void, undefined> {
    const pageSchema = (): ZodType<PageItem<T>[]> =>
      z.array(z.object({ [wrapper]: itemSchema(), cursor: z.string() })).transform((items) =>
        items.map((e) => {
          const element = e as Record<string, unknown>;
          return { item: element[wrapper] as T, cursor: element.cursor as string };
        }),
      );
    return paginate<T>((cursor) =>
      this.call("GET", path, { query: { ...query, limit: this.pageSize, cursor }, schema: pageSchema }),
    );
  }

  private poolKey(): string {
    return `${new URL(this.baseUrl).origin}|${this.timeouts.connectMs}`;
  }

  private transport(): Transport {
    let url: URL;
    try {
      url = new URL(this.baseUrl);
    } catch {
      throw new Error(`could not create the Render client: baseUrl is not a URL`);
    }
    const registry = poolRegistry();
    const key = this.poolKey();
    let pool = registry.get(key);
    if (!pool || pool.closed || pool.destroyed) {
      pool = new Pool(url.origin, {
        connections: 16,
        keepAliveTimeout: 10_000,
        connect: { timeout: this.timeouts.connectMs },
      });
      registry.set(key, pool);
    }
    return { pool, origin: url.origin, basePath: url.pathname.replace(/\/+$/, "") };
  }

  private call<T>(
    method: string,
    path: string,
    options: CallOptions<T> & { bodyOptional: true },
  ): Promise<T | undefined>;
  private call<T>(method: string, path: string, options: CallOptions<T>): Promise<T>;
  private async call<T>(method: string, path: string, options: CallOptions<T>): Promise<T | undefined> {
    // The key is part of the scope (in memory only): one key's answers never serve another.
    const memo = readMemo(`${this.baseUrl}\u0000${this.apiKey}`);
    if (method !== "GET") {
      memo.clear();
      try {
        return await this.send(method, path, options);
      } finally {
        // A GET that overlapped the write may hold the old state.
        memo.clear();
      }
    }
    const key = path + queryString(options.query);
    const remembered = memo.get(key);
    if (remembered && this.reuseReadsMs > 0 && this.now() - remembered.at <= this.reuseReadsMs)
      return structuredClone((await remembered.value) as T);
    const value = this.send(method, path, options);
    const entry: RememberedRead = { at: this.now(), value };
    memo.set(key, entry);
    value.catch(() => {
      if (memo.get(key) === entry) memo.delete(key);
    });
    const answer = await value;
    return answer === undefined ? answer : structuredClone(answer);
  }

  private async send<T>(method: string, path: string, options: CallOptions<T>): Promise<T | undefined> {
    const secrets = [this.apiKey, ...secretsOfBody(options.body)];
    const started = this.now();
    for (let attempt = 1; ; attempt++) {
      const result = await this.attempt(method, path, options, secrets, attempt, started);
      if (result.ok) return result.value;
      const { error, failure } = result;
      if (!failure || !shouldRetry(method, failure, options.repeatable ?? isIdempotent(method))) throw error;
      if (attempt >= this.policy.maxAttempts) {
        throw withAttempts(error, attempt, `gave up after ${attempt} attempts`);
      }
      const delay = retryDelayMs(failure, attempt, this.policy, this.now(), this.random);
      const elapsed = this.now() - started;
      if (elapsed + delay > this.policy.maxElapsedMs && failure.kind === "status" && failure.status === 429) {
        // An hourly limit (POST /services: 20 an hour): waiting is not this run's to do. The others held
        // by the same limit fail at once too (the budget's hold), each saying when to try again.
        this.budget?.hold(method, path, this.now() + delay);
        throw errorFromRateLimit({
          method,
          path,
          limit: describeLimit(method, path),
          retryAtMs: this.now() + delay,
          nowMs: this.now(),
          maxWaitMs: this.policy.maxElapsedMs,
          refused: error,
          attempts: attempt,
        });
      }
      if (elapsed + delay > this.policy.maxElapsedMs) {
        throw withAttempts(
          error,
          attempt,
          `gave up after ${attempt} attempts: the next wait would pass the ${this.policy.maxElapsedMs} ms limit`,
        );
      }
      // Everyone else waiting on the same limit should wait too.
      if (failure.kind === "status" && failure.status === 429)
        this.budget?.hold(method, path, this.now() + delay);
      await this.sleep(delay);
    }
  }

  private async attempt<T>(
    method: string,
    path: string,
    options: CallOptions<T>,
    secrets: string[],
    attempt: number,
    started: number,
  ): Promise<
    { ok: true; value: T | undefined } | { ok: false; error: RenderApiError; failure?: AttemptFailure }
  > {
    const nonIdempotent = !(options.repeatable ?? isIdempotent(method));
    const { pool, basePath } = this.transport();
    let release: () => void = () => undefined;
    if (this.budget) {
      try {
        release = await this.budget.acquire(method, path, started + this.policy.maxElapsedMs - this.now());
      } catch (err) {
        if (!(err instanceof RateBudgetExceeded)) throw err;
        return {
          ok: false,
          error: errorFromRateLimit({
            method,
            path,
            limit: describeLimit(method, path),
            retryAtMs: this.now() + err.waitMs,
            nowMs: this.now(),
            maxWaitMs: this.policy.maxElapsedMs,
            attempts: attempt - 1,
          }),
        };
      }
    }
    let statusCode: number;
    let headers: Record<string, string | string[] | undefined>;
    let text: string;
    try {
      const response = await pool.request({
        method: method as Dispatcher.HttpMethod,
        path: basePath + path + queryString(options.query),
        headers: {
          authorization: `Bearer ${this.apiKey}`,
          accept: "application/json",
          "user-agent": this.userAgent,
          ...(options.body !== undefined ? { "content-type": "application/json" } : {}),
        },
        body: options.body !== undefined ? JSON.stringify(options.body) : undefined,
        headersTimeout: this.timeouts.headersMs,
        bodyTimeout: this.timeouts.bodyMs,
      });
      statusCode = response.statusCode;
      headers = response.headers;
      text = await response.body.text();
    } catch (err) {
      const code = errorCode(err);
      return {
        ok: false,
        error: errorFromNetwork({ method, path, code, nonIdempotent, attempts: attempt }),
        failure: { kind: "network", code },
      };
    } finally {
      release();
    }
    const requestId = firstHeader(headers["render-request-id"]);
    if (statusCode < 200 || statusCode >= 300) {
      return {
        ok: false,
        error: errorFromResponse({
          method,
          path,
          status: statusCode,
          bodyText: text,
          requestId,
          secrets,
          nonIdempotent,
          attempts: attempt,
        }),
        failure: { kind: "status", status: statusCode, headers },
      };
    }
    if (!options.schema) return { ok: true, value: undefined };
    if (text.trim() === "") {
      if (options.bodyOptional) return { ok: true, value: undefined };
      return { ok: false, error: errorFromParse(method, path, "", "empty body", secrets, requestId) };
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return { ok: false, error: errorFromParse(method, path, "", "not JSON", secrets, requestId) };
    }
    const parsed = options.schema().safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return {
        ok: false,
        error: errorFromParse(method, path, formatIssuePath(issue.path), issue.message, secrets, requestId),
      };
    }
    return { ok: true, value: parsed.data };
  }
}

function enc(segment: string): string {
  return encodeURIComponent(segment);
}

/** Query string; arrays are comma-separated (Render's `style: form, explode: false`). */
function queryString(query: Query | undefined): string {
  if (!query) return "";
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) {
      if (value.length > 0) params.set(key, value.join(","));
    } else params.set(key, String(value));
  }
  const s = params.toString();
  return s ? `?${s}` : "";
}

/** True when `err` is a Render error saying a non-idempotent write may have been applied. */
export function isOutcomeUnknown(err: unknown): boolean {
  return isRenderApiError(err) && err.outcomeUnknown;
}
