/**
 * The running emulator's shared parts: state, clock, timings, faults, rate limits, request log, the
 * real-database backend and persistence. Routes and the control API operate on one of these.
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type * as tls from "node:tls";
import type { DatabaseBackend, DatabaseHandle } from "./databases";
import { startTlsFront, type TlsFront } from "./databases/tlsFront";
import { FaultStore } from "./faults";
import { Clock } from "./lifecycle/clock";
import type { BackendState } from "./lifecycle/postgres";
import { type Timings } from "./lifecycle/timings";
import { RateLimiter, type RateLimitSettings } from "./rateLimits";
import { RequestLog } from "./control/requestLog";
import { State, type OwnerRecord, type PostgresRecord } from "./state/model";
import { StateWriter, loadSnapshot } from "./state/persistence";

/** What the core is built from (resolved options of `startEmulator`). */
export interface CoreOptions {
  apiKey: string;
  owner: OwnerRecord;
  timings: Timings;
  rateLimits: RateLimitSettings;
  backend: DatabaseBackend;
  stateDir?: string;
  /** The server certificate every database presents (issued by the emulator's CA). */
  databaseTls: tls.SecureContext;
  /** The emulator's CA certificate (PEM) and the file that holds it. */
  ca: { cert: string; file: string };
}

interface DatabaseRuntime {
  state: BackendState;
  /** Where clients connect: the TLS front, not the backend's plain-text address. */
  handle?: DatabaseHandle;
  front?: TlsFront;
  promise: Promise<void>;
}

/** The emulator's shared state and services. */
export class EmulatorCore {
  readonly state = new State();
  readonly clock: Clock;
  timings: Timings;
  readonly faults = new FaultStore();
  readonly limiter: RateLimiter;
  readonly log = new RequestLog();
  readonly apiKey: string;
  readonly ownerId: string;
  readonly ca: { cert: string; file: string };
  /** `http://127.0.0.1:PORT`, set once the server listens. */
  origin = "";
  /**
   * The suffix Render's next new database gets on its databaseName (control API), so a fixture can hold a
   * database exactly as one that exists (`arrakis_production_bq3v`); used once, then random again.
   */
  nextDatabaseNameSuffix?: string;
  /**
   * The workspace's plan tier, which sets the point-in-time recovery window (3 days hobby, 7 professional;
   * REFERENCE §9). Hobby by default: the shorter window is never kinder. Set through the control API.
   */
  workspaceTier: "hobby" | "professional" = "hobby";
  private readonly backend: DatabaseBackend;
  private readonly databaseTls: tls.SecureContext;
  private readonly databases = new Map<string, DatabaseRuntime>();
  private readonly writer?: StateWriter;
  private readonly stateDir?: string;
  private exportsFolder?: string;
  /** Background work (exports) that `close` waits for. */
  private readonly background = new Set<Promise<unknown>>();

  constructor(options: CoreOptions) {
    this.apiKey = options.apiKey;
    this.ownerId = options.owner.id;
    this.timings = options.timings;
    this.backend = options.backend;
    this.databaseTls = options.databaseTls;
    this.ca = options.ca;
    this.stateDir = options.stateDir;
    let clockOffset = 0;
    if (options.stateDir) {
      const snapshot = loadSnapshot(options.stateDir);
      if (snapshot) {
        this.state.restore(snapshot);
        clockOffset = snapshot.clockOffsetMs;
      }
      this.writer = new StateWriter(options.stateDir, () => this.state.snapshot(this.clock.offset));
    }
    this.state.owners.set(options.owner.id, options.owner);
    this.clock = new Clock(clockOffset);
    this.limiter = new RateLimiter(options.rateLimits, () => this.clock.now());
    // Databases of a reloaded state come back (the backend reattaches their persisted data).
    for (const db of this.state.postgres.values()) this.provision(db);
  }

  /** Owners the API key can see (the key's workspaces). */
  visibleOwners(): OwnerRecord[] {
    return [...this.state.owners.values()];
  }

  /** Marks the state changed (persisted shortly after, when a state folder is set). */
  changed(): void {
    this.writer?.changed();
  }

  /**
   * Starts the real database behind `db` in the background, and its TLS front: clients reach a database
   * only through TLS (as from outside Render); `db.port` is the front's port, kept across restarts.
   */
  provision(db: PostgresRecord): void {
    if (this.databases.has(db.id)) return;
    const runtime: DatabaseRuntime = { state: "pending", promise: Promise.resolve() };
    runtime.promise = this.backend
      .provision({
        id: db.id,
        databaseName: db.databaseName,
        user: db.databaseUser,
        password: db.password,
        ...(db.restoredFrom
          ? { seed: { ...db.restoredFrom, file: join(this.exportsDir(), db.restoredFrom.file) } }
          : {}),
      })
      .then(async (backendHandle) => {
        // Users changed through the credentials API come back before any client can reach the database.
        if (db.users) await this.applyUsers(db);
        const front = await startTlsFront({
          secureContext: this.databaseTls,
          upstream: backendHandle,
          preferredPort: db.port,
        });
        if (!this.databases.has(db.id) || this.databases.get(db.id) !== runtime) {
          await front.close(); // dropped while starting
          return backendHandle;
        }
        runtime.front = front;
        return { ...backendHandle, host: front.host, port: front.port };
      })
      .then(
        (handle) => {
          runtime.handle = handle;
          runtime.state = "ready";
          if (db.port !== handle.port) {
            db.port = handle.port;
            this.changed();
          }
        },
        (error: unknown) => {
          runtime.state = "failed";
          const message = error instanceof Error ? error.message : String(error);
          // The backend should not put the password in errors; make sure it never reaches the log.
          console.error(
            `render emulator: could not start database ${db.id}: ${message.split(db.password).join("***")}`,
          );
        },
      );
    this.databases.set(db.id, runtime);
  }

  /** Where the real database of `id` stands. */
  backendState(id: string): BackendState {
    return this.databases.get(id)?.state ?? "pending";
  }

  /** Host/port of the running real database, once ready. */
  databaseHandle(id: string): DatabaseHandle | undefined {
    return this.databases.get(id)?.handle;
  }

  /** Waits until the database of `id` has started (or failed). */
  async databaseSettled(id: string): Promise<void> {
    await this.databases.get(id)?.promise;
  }

  /** Stops the real database of `id` and deletes its data (in the background). */
  dropDatabase(id: string): Promise<void> {
    const runtime = this.databases.get(id);
    this.databases.delete(id);
    const drop = (runtime?.promise ?? Promise.resolve())
      .then(() => runtime?.front?.close())
      .then(() => this.backend.drop(id))
      .catch((error: unknown) => {
        console.error(
          `render emulator: could not drop database ${id}: ${error instanceof Error ? error.name : "error"}`,
        );
      });
    this.pendingDrops.add(drop);
    void drop.finally(() => this.pendingDrops.delete(drop));
    return drop;
  }
  private readonly pendingDrops = new Set<Promise<void>>();

  /** The folder export files are written to: `<stateDir>/exports`, or a temporary one removed by `close`. */
  exportsDir(): string {
    if (!this.exportsFolder) {
      if (this.stateDir) {
        this.exportsFolder = join(this.stateDir, "exports");
        mkdirSync(this.exportsFolder, { recursive: true, mode: 0o700 });
      } else {
        this.exportsFolder = mkdtempSync(join(tmpdir(), "render-emulator-exports-"));
      }
    }
    return this.exportsFolder;
  }

  /** Writes a backup of the running database of `id` to `file` (the backend's format). */
  async exportDatabase(id: string, file: string): Promise<{ format: string }> {
    await this.databaseSettled(id);
    if (this.backendState(id) !== "ready") throw new Error(`database ${id} is not running`);
    if (!this.backend.exportArchive) throw new Error("this database backend cannot export");
    return this.backend.exportArchive(id, file);
  }

  /** Makes the real database's login users what `db.users` says (credentials API). */
  async applyUsers(db: PostgresRecord): Promise<void> {
    if (!this.backend.setUsers) throw new Error("this database backend cannot change users");
    const users = (db.users ?? []).map((u) => ({ user: u.username, password: u.password }));
    await this.backend.setUsers(db.id, users, db.defaultUser ?? db.databaseUser);
  }

  /** Keeps track of background work so that `close` waits for it. */
  track(work: Promise<unknown>): void {
    const settled = work.catch(() => undefined);
    this.background.add(settled);
    void settled.finally(() => this.background.delete(settled));
  }

  /** Waits for background work started so far (exports). */
  async idle(): Promise<void> {
    await Promise.all([...this.background]);
  }

  /** The URL a service's slug is served at (loopback, path-based). */
  serviceUrl(slug: string): string {
    return `${this.origin}/_services/${slug}`;
  }

  /** Wipes objects (dropping their databases), faults, the request log and rate-limit counters. */
  async reset(): Promise<void> {
    const ids = [...this.state.postgres.keys()];
    await this.idle();
    for (const record of this.state.exports.values()) {
      if (record.file) rmSync(join(this.exportsDir(), record.file), { force: true });
    }
    for (const file of this.state.snapshots.keys()) rmSync(join(this.exportsDir(), file), { force: true });
    this.state.clearObjects();
    this.faults.clear();
    this.log.clear();
    this.limiter.reset();
    this.nextDatabaseNameSuffix = undefined;
    await Promise.all(ids.map((id) => this.dropDatabase(id)));
    this.changed();
  }

  /** Flushes persisted state and stops every real database (their persisted data is kept). */
  async close(): Promise<void> {
    await this.idle();
    this.writer?.flush();
    await Promise.all([...this.databases.values()].map((d) => d.promise));
    await Promise.all([...this.databases.values()].map((d) => d.front?.close()));
    await Promise.all([...this.pendingDrops]);
    await this.backend.close();
    if (this.exportsFolder && !this.stateDir) rmSync(this.exportsFolder, { recursive: true, force: true });
  }
}
