/**
 * The emulator's in-memory model: plain JSON-able records (times in epoch ms), so the whole state
 * can be persisted and reloaded as is. Responses are rendered from these by the routes.
 */
import type { DeployTimeline, FailStage } from "../lifecycle/deploys";

/** A workspace (Render "owner" of type team). */
export interface OwnerRecord {
  id: string;
  name: string;
  email: string;
}

/** One `{cidrBlock, description}` of an IP allow list. */
export interface CidrRecord {
  cidrBlock: string;
  description: string;
}

/** A Render Postgres. */
export interface PostgresRecord {
  id: string;
  /** Creation order; lists are newest first and cursors point at it. */
  seq: number;
  ownerId: string;
  name: string;
  plan: string;
  version: string;
  region: string;
  databaseName: string;
  databaseUser: string;
  /** Secret: never logged, only in connection info. */
  password: string;
  /** Port of its real database once started; reused after a restart of the emulator. */
  port?: number;
  highAvailabilityEnabled: boolean;
  diskSizeGB: number;
  diskAutoscalingEnabled: boolean;
  environmentId?: string;
  ipAllowList: CidrRecord[];
  readReplicas: { id: string; name: string; parameterOverrides?: Record<string, string> }[];
  parameterOverrides?: Record<string, string>;
  datadogSite?: string;
  /** Secret. */
  datadogAPIKey?: string;
  suspended: boolean;
  createdAt: number;
  updatedAt: number;
  readyAt: number;
  updatingUntil?: number;
  expiresAt?: number;
  /**
   * The users that may log in, once the credentials API changed them (absent: only `databaseUser`). Passwords
   * are secrets. `databaseUser` and `password` stay what the database was created with.
   */
  users?: { username: string; password: string; createdAt: number }[];
  /** The default user (in connection info) once the credentials API made one; absent: `databaseUser`. */
  defaultUser?: string;
  /** Made by point-in-time recovery: the snapshot file it starts from and the names inside it. */
  restoredFrom?: { file: string; databaseName: string; user: string };
}

/**
 * A Render Key Value (Valkey) instance. Only the control plane is emulated: no Valkey server runs behind
 * it (see routes/keyValue.ts).
 */
export interface KeyValueRecord {
  id: string;
  seq: number;
  ownerId: string;
  name: string;
  plan: string;
  region: string;
  maxmemoryPolicy: string;
  persistenceMode: string;
  environmentId?: string;
  ipAllowList: CidrRecord[];
  /** Secret: never logged, only in connection info. */
  password: string;
  suspended: boolean;
  createdAt: number;
  updatedAt: number;
  readyAt: number;
  updatingUntil?: number;
}

/**
 * A Render Workflow (routes/workflows.ts): a workflow service whose tasks Render runs on demand. Its env
 * vars are served at `/services/{id}/env-vars` like a service's (UNCONFIRMED, see routes/workflows.ts).
 */
export interface WorkflowRecord {
  id: string;
  seq: number;
  ownerId: string;
  name: string;
  slug: string;
  region: string;
  runCommand: string;
  buildConfig: { repo: string; runtime: string; buildCommand: string; branch?: string; rootDir?: string };
  autoDeployTrigger: string;
  environmentId?: string;
  envVars: EnvVarRecord[];
  createdAt: number;
  updatedAt: number;
}

/** A version of a workflow: one build of its code, whose tasks Render registers. */
export interface WorkflowVersionRecord {
  id: string;
  seq: number;
  workflowId: string;
  /** The commit built. */
  name: string;
  createdAt: number;
  /** When its build and registration end (status `ready` from then). */
  readyAt: number;
}

/** A backup of a database's data as it was at `takenAt` (point-in-time recovery restores the latest one <= t). */
export interface SnapshotRecord {
  file: string;
  postgresId: string;
  /** Emulator time once the backup was complete: the data in it is not newer. */
  takenAt: number;
  /** The database and user names inside it (the source's at that time). */
  databaseName: string;
  user: string;
  /** WAL position when taken: an unchanged position means no new snapshot is needed. */
  lsn?: string;
}

/** A logical export of a Postgres (`POST /postgres/{id}/export`). */
export interface ExportRecord {
  id: string;
  seq: number;
  postgresId: string;
  createdAt: number;
  /** Secret: the unguessable part of the download URL (Render's URL is a signed link). */
  token: string;
  /** Set once the file is written: its name in the exports folder and what it holds. */
  file?: string;
  format?: string;
  /** Set when the dump failed (the export is then not listed). */
  failed?: boolean;
}

/** A maintenance run of a resource (created through the control API; Render schedules them itself). */
export interface MaintenanceRecord {
  id: string;
  seq: number;
  resourceId: string;
  type: string;
  scheduledAt: number;
  pendingMaintenanceBy?: number;
  /** When `POST /maintenance/{id}/trigger` started it (before `scheduledAt`). */
  triggeredAt?: number;
}

/** One env var of a service, in insertion order (`seq`). */
export interface EnvVarRecord {
  key: string;
  /** Secret. */
  value: string;
  seq: number;
}

/** The web-service details of a service, as Render keeps them. */
export interface WebDetailsRecord {
  runtime: string;
  /** Native: buildCommand, startCommand. Docker/image: dockerCommand, dockerContext, dockerfilePath. */
  envSpecificDetails: Record<string, string>;
  plan: string;
  region: string;
  healthCheckPath: string;
  numInstances: number;
  preDeployCommand?: string;
  pullRequestPreviewsEnabled: "yes" | "no";
  previewsGeneration: "off" | "manual" | "automatic";
  maxShutdownDelaySeconds: number;
  renderSubdomainPolicy: "enabled" | "disabled";
  autoscaling?: unknown;
  /** The service's persistent disk (one at most); `/disks` creates, changes and deletes it. */
  disk?: DiskRecord;
  maintenanceMode?: { enabled: boolean; uri: string };
  ipAllowList?: CidrRecord[];
  cache?: { profile: string };
  /** Cron jobs: the 5-field cron expression. */
  schedule?: string;
  /** Cron jobs: when the last run succeeded (epoch ms). */
  lastSuccessfulRunAt?: number;
}

/** How the service's URL answers (control API `PUT /_emulator/services/:id/health`). */
export interface HealthRecord {
  healthy: boolean;
  /** Status answered when unhealthy (default 503), or forced when set while healthy. */
  status?: number;
  delayMs: number;
}

/** A response header rule of a static site (`hdr-…`). */
export interface HeaderRecord {
  id: string;
  seq: number;
  path: string;
  name: string;
  value: string;
}

/** A redirect/rewrite rule of a static site (`rdr-…`); list order is priority order (0 first). */
export interface RouteRecord {
  id: string;
  type: "redirect" | "rewrite";
  source: string;
  destination: string;
}

/** A custom domain of a web service or static site (`cdm-…`). */
export interface CustomDomainRecord {
  id: string;
  seq: number;
  name: string;
  domainType: "apex" | "subdomain";
  publicSuffix: string;
  /** The name this domain redirects to (the apex/www sibling Render adds itself), or "". */
  redirectForName: string;
  verificationStatus: "verified" | "unverified";
  createdAt: number;
}

/** What only a static site has (routes/staticSites.ts). */
export interface StaticSiteRecord {
  publishPath: string;
  headers: HeaderRecord[];
  routes: RouteRecord[];
}

/** Service types (openapi.json `serviceType`). */
export type ServiceType =
  "web_service" | "private_service" | "background_worker" | "cron_job" | "static_site";

/**
 * A Render service; `details` holds what its type has (routes/services.ts renders them by type), a
 * static site's own settings are in {@link ServiceRecord.staticSite}.
 */
export interface ServiceRecord {
  id: string;
  seq: number;
  ownerId: string;
  type: ServiceType;
  name: string;
  slug: string;
  repo?: string;
  branch?: string;
  image?: { ownerId: string; imagePath: string; registryCredentialId?: string };
  autoDeploy: "yes" | "no";
  rootDir: string;
  buildFilter?: { paths: string[]; ignoredPaths: string[] };
  environmentId?: string;
  notifyOnFail: "default" | "notify" | "ignore";
  suspended: boolean;
  createdAt: number;
  updatedAt: number;
  details: WebDetailsRecord;
  envVars: EnvVarRecord[];
  /** Secret contents. */
  secretFiles: { name: string; content: string }[];
  /** Branch -> head commit set through the control API (otherwise a stable fake). */
  heads: Record<string, string>;
  health: HealthRecord;
  /** A static site's publish path, headers and routes (absent on other types). */
  staticSite?: StaticSiteRecord;
  /** Custom domains (web services and static sites; absent: none). */
  customDomains?: CustomDomainRecord[];
}

/** A deploy of a service. */
export interface DeployRecord extends DeployTimeline {
  id: string;
  serviceId: string;
  trigger: string;
  commit: { id: string; message: string; createdAt: number } | null;
  image?: { ref: string; sha: string };
  /** What the failing stage writes to the deploy's log (control API), instead of the default lines. */
  failOutput?: string[];
}

/**
 * A one-off job of a service (`POST /services/{id}/jobs`): its command runs once in a new instance of
 * the service; its status moves on by the emulator clock from `durations` (routes/jobs.ts).
 */
export interface JobRecord {
  id: string;
  seq: number;
  serviceId: string;
  startCommand: string;
  planId: string;
  createdAt: number;
  /** Time pending, then running, in ms (taken from the timings when it was created). */
  durations: { pending: number; run: number };
  /** Set when canceled before it finished. */
  canceledAt?: number;
}

/** A rule making deploys of a commit fail (control API). */
export interface DeployFailureRule {
  serviceId?: string;
  commitId: string;
  stage: FailStage;
  /** Lines the failing stage writes to the log (e.g. a failing preDeployCommand's output). */
  output?: string[];
}

/** A persistent disk, kept on its service (Render attaches one disk at most to a service). */
export interface DiskRecord {
  id: string;
  name: string;
  mountPath: string;
  sizeGB: number;
}

/** When a disk added through `/disks` was made and changed (absent: its service's times are used). */
export interface DiskTimesRecord {
  id: string;
  seq: number;
  createdAt: number;
  updatedAt: number;
}

/** An environment group: env vars and secret files shared by the services linked to it. */
export interface EnvGroupRecord {
  id: string;
  seq: number;
  ownerId: string;
  name: string;
  environmentId?: string;
  /** Values are secrets. */
  envVars: EnvVarRecord[];
  /** Contents are secrets. */
  secretFiles: { name: string; content: string; seq: number }[];
  /** Linked services, in link order (a deleted service drops out when rendered). */
  serviceIds: string[];
  createdAt: number;
  updatedAt: number;
}

/** A registry credential (private image registries). */
export interface RegistryCredentialRecord {
  id: string;
  seq: number;
  ownerId: string;
  name: string;
  registry: string;
  username: string;
  /** Secret: never rendered, never logged. */
  authToken: string;
  createdAt: number;
  updatedAt: number;
}

/** A Render project: a named collection of environments (routes/projects.ts). */
export interface ProjectRecord {
  id: string;
  seq: number;
  ownerId: string;
  name: string;
  createdAt: number;
  updatedAt: number;
}

/**
 * An environment of a project. Its resources are not listed here: a service, Postgres or Key Value carries
 * `environmentId` itself, and the environment's id lists are computed from those (routes/projects.ts).
 */
export interface EnvironmentRecord {
  id: string;
  seq: number;
  projectId: string;
  name: string;
  protectedStatus: string;
  networkIsolationEnabled: boolean;
  ipAllowList: CidrRecord[];
  createdAt: number;
  updatedAt: number;
}

/** Everything that is persisted. */
export interface StateSnapshot {
  version: 1;
  seq: number;
  clockOffsetMs: number;
  owners: OwnerRecord[];
  postgres: PostgresRecord[];
  services: ServiceRecord[];
  deploys: DeployRecord[];
  deployFailures: DeployFailureRule[];
  /** Absent in states written before exports existed. */
  exports?: ExportRecord[];
  snapshots?: SnapshotRecord[];
  maintenance?: MaintenanceRecord[];
  /** Absent in states written before Key Value existed. */
  keyValues?: KeyValueRecord[];
  /** Absent in states written before env groups existed. */
  envGroups?: EnvGroupRecord[];
  /** Absent in states written before registry credentials existed. */
  registryCredentials?: RegistryCredentialRecord[];
  /** Absent in states written before `/disks` existed. */
  diskTimes?: DiskTimesRecord[];
  /** Absent in states written before projects existed. */
  projects?: ProjectRecord[];
  environments?: EnvironmentRecord[];
  /** Absent in states written before one-off jobs existed. */
  jobs?: JobRecord[];
  /** Absent in states written before workflows existed. */
  workflows?: WorkflowRecord[];
  workflowVersions?: WorkflowVersionRecord[];
}

/** All objects of the emulator. Mutated by handlers; serialised by {@link State.snapshot}. */
export class State {
  seq = 0;
  readonly owners = new Map<string, OwnerRecord>();
  readonly postgres = new Map<string, PostgresRecord>();
  readonly services = new Map<string, ServiceRecord>();
  readonly deploys = new Map<string, DeployRecord>();
  readonly exports = new Map<string, ExportRecord>();
  readonly snapshots = new Map<string, SnapshotRecord>();
  readonly maintenance = new Map<string, MaintenanceRecord>();
  readonly keyValues = new Map<string, KeyValueRecord>();
  readonly envGroups = new Map<string, EnvGroupRecord>();
  readonly registryCredentials = new Map<string, RegistryCredentialRecord>();
  readonly diskTimes = new Map<string, DiskTimesRecord>();
  readonly projects = new Map<string, ProjectRecord>();
  readonly environments = new Map<string, EnvironmentRecord>();
  readonly jobs = new Map<string, JobRecord>();
  readonly workflows = new Map<string, WorkflowRecord>();
  readonly workflowVersions = new Map<string, WorkflowVersionRecord>();
  deployFailures: DeployFailureRule[] = [];

  /** The next sequence number (creation order of every record). */
  nextSeq(): number {
    return ++this.seq;
  }

  /** Deploys of one service, oldest first. */
  deploysOf(serviceId: string): DeployRecord[] {
    return [...this.deploys.values()].filter((d) => d.serviceId === serviceId).sort((a, b) => a.seq - b.seq);
  }

  /** Wipes every object except the owners. */
  clearObjects(): void {
    this.postgres.clear();
    this.services.clear();
    this.deploys.clear();
    this.exports.clear();
    this.snapshots.clear();
    this.maintenance.clear();
    this.keyValues.clear();
    this.envGroups.clear();
    this.registryCredentials.clear();
    this.diskTimes.clear();
    this.projects.clear();
    this.environments.clear();
    this.jobs.clear();
    this.workflows.clear();
    this.workflowVersions.clear();
    this.deployFailures = [];
  }

  /** A JSON-able copy of everything. */
  snapshot(clockOffsetMs: number): StateSnapshot {
    return {
      version: 1,
      seq: this.seq,
      clockOffsetMs,
      owners: [...this.owners.values()],
      postgres: [...this.postgres.values()],
      services: [...this.services.values()],
      deploys: [...this.deploys.values()],
      deployFailures: this.deployFailures,
      exports: [...this.exports.values()],
      snapshots: [...this.snapshots.values()],
      maintenance: [...this.maintenance.values()],
      keyValues: [...this.keyValues.values()],
      envGroups: [...this.envGroups.values()],
      registryCredentials: [...this.registryCredentials.values()],
      diskTimes: [...this.diskTimes.values()],
      projects: [...this.projects.values()],
      environments: [...this.environments.values()],
      jobs: [...this.jobs.values()],
      workflows: [...this.workflows.values()],
      workflowVersions: [...this.workflowVersions.values()],
    };
  }

  /** Replaces everything with a snapshot (owners of the snapshot are added to the current ones). */
  restore(snapshot: StateSnapshot): void {
    if (snapshot.version !== 1)
      throw new Error(`unsupported emulator state version ${String(snapshot.version)}`);
    this.seq = snapshot.seq;
    for (const o of snapshot.owners) this.owners.set(o.id, o);
    this.clearObjects();
    for (const p of snapshot.postgres) this.postgres.set(p.id, p);
    for (const s of snapshot.services) this.services.set(s.id, s);
    for (const d of snapshot.deploys) this.deploys.set(d.id, d);
    for (const e of snapshot.exports ?? []) this.exports.set(e.id, e);
    for (const e of snapshot.snapshots ?? []) this.snapshots.set(e.file, e);
    for (const e of snapshot.maintenance ?? []) this.maintenance.set(e.id, e);
    for (const e of snapshot.keyValues ?? []) this.keyValues.set(e.id, e);
    for (const e of snapshot.envGroups ?? []) this.envGroups.set(e.id, e);
    for (const e of snapshot.registryCredentials ?? []) this.registryCredentials.set(e.id, e);
    for (const e of snapshot.diskTimes ?? []) this.diskTimes.set(e.id, e);
    for (const e of snapshot.projects ?? []) this.projects.set(e.id, e);
    for (const e of snapshot.environments ?? []) this.environments.set(e.id, e);
    for (const e of snapshot.jobs ?? []) this.jobs.set(e.id, e);
    for (const e of snapshot.workflows ?? []) this.workflows.set(e.id, e);
    for (const e of snapshot.workflowVersions ?? []) this.workflowVersions.set(e.id, e);
    this.deployFailures = snapshot.deployFailures ?? [];
  }
}
