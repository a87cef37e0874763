import { existsSync, rmSync } from "node:fs";
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import * as net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { vector } from "@electric-sql/pglite-pgvector";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";
import { startAuthProxy, type AuthProxy } from "./authProxy";
import type { DatabaseBackend, DatabaseHandle, ExportFormat } from "./index";
import { quoteIdentifier, quoteLiteral, validateSpec, type DatabaseSpec } from "./names";

/** Written last when a database's data directory is complete; it names the role and database inside. */
const MARKER_FILE = "emulator-database.json";
/** Connections that `pg` pools and ORMs open at once; PGlite runs their queries one at a time. */
const MAX_CONNECTIONS = 100;

interface RunningDatabase {
  handle: DatabaseHandle;
  db: PGlite;
  socketServer: PGLiteSocketServer;
  proxy: AuthProxy;
  dir: string;
  /** Who may log in (user -> password); the credentials API changes it through `setUsers`. */
  logins: Map<string, string>;
  /** Open client connections per user, ended when the user is deleted. */
  sessions: Map<string, Set<net.Socket>>;
}

interface Marker {
  databaseName: string;
  user: string;
}

/**
 * One PGlite (PostgreSQL 18 in WebAssembly, with pgvector) per Render database, each with its own data
 * directory on disk: `<dataDir>/<id>` when persisting, else under a temporary folder removed by `close`.
 *
 * Each database really contains the Render role and database (so `current_user` and `current_database()` are
 * what the connection string says), and a small front (see authProxy.ts) checks user, database and password
 * before handing the connection to PGlite's socket server, which listens on a Unix socket only.
 */
export class PgliteBackend implements DatabaseBackend {
  private readonly running = new Map<string, Promise<RunningDatabase>>();
  private scratchDir?: Promise<string>;
  private socketCount = 0;
  private closed = false;

  /** @param dataDir when set, each database's data lives in `<dataDir>/<id>` and survives `close`. */
  constructor(private readonly dataDir: string | undefined) {}

  provision(spec: DatabaseSpec): Promise<DatabaseHandle> {
    if (this.closed)
      return Promise.reject(new Error(`could not provision database ${spec.id}: backend is closed`));
    try {
      validateSpec(spec);
    } catch (error) {
      return Promise.reject(error);
    }
    let started = this.running.get(spec.id);
    if (!started) {
      started = this.start(spec);
      this.running.set(spec.id, started);
      // A failed start is forgotten so that a later provision can try again.
      started.catch(() => {
        if (this.running.get(spec.id) === started) this.running.delete(spec.id);
      });
    }
    return started.then((database) => {
      const { handle } = database;
      if (
        handle.databaseName !== spec.databaseName ||
        handle.user !== spec.user ||
        handle.password !== spec.password
      ) {
        throw new Error(
          `could not provision database ${spec.id}: already provisioned with database "${handle.databaseName}" ` +
            `and user "${handle.user}" (and its password); drop it first`,
        );
      }
      return { ...handle };
    });
  }

  async drop(id: string): Promise<void> {
    validateSpec({ id, databaseName: "x", user: "x", password: "" });
    const started = this.running.get(id);
    this.running.delete(id);
    if (started) {
      const database = await started.catch(() => undefined);
      if (database) await stopDatabase(database);
    }
    await rm(await this.databaseDir(id), { recursive: true, force: true });
  }

  /**
   * PGlite's own dump of its data directory (`dumpDataDir`, taken with no query running), gzipped: the pg_dump 15
   * on this machine refuses PGlite's newer server, and a WASM pg_dump would be a new dependency pinned to another
   * PGlite version. It restores with `PGlite.create({ loadDataDir })`, not with pg_restore.
   */
  async exportArchive(id: string, file: string): Promise<{ format: ExportFormat }> {
    const started = this.running.get(id);
    if (!started) throw new Error(`could not export database ${id}: it is not running`);
    const { db } = await started;
    const archive = await db.dumpDataDir("gzip");
    await writeFile(file, Buffer.from(await archive.arrayBuffer()), { mode: 0o600 });
    return { format: "pglite-datadir" };
  }

  /**
   * Makes exactly `users` able to log in: each new one is a real role in the database, a SUPERUSER like the
   * original (so it can do everything the original could). A PGlite serves all its connections in one session, as
   * the role it was started with, so `current_user` stays the original user whichever user logged in (the front
   * checks who logs in). A removed user is refused from then on and its open connections are ended; its role is
   * dropped, except the original's, which is PGlite's session role and cannot be.
   */
  async setUsers(id: string, users: { user: string; password: string }[]): Promise<void> {
    const started = this.running.get(id);
    if (!started) throw new Error(`could not change the users of database ${id}: it is not running`);
    const database = await started;
    const { db, logins, sessions } = database;
    const existing = new Set(
      (await db.query<{ rolname: string }>("SELECT rolname FROM pg_roles")).rows.map((r) => r.rolname),
    );
    for (const { user, password } of users) {
      validateSpec({ id, databaseName: "x", user, password });
      if (!existing.has(user)) {
        await db.exec(
          `CREATE ROLE ${quoteIdentifier(user)} LOGIN SUPERUSER PASSWORD ${quoteLiteral(password)}`,
        );
      }
    }
    const wanted = new Map(users.map((u) => [u.user, u.password]));
    for (const user of [...logins.keys()]) {
      if (wanted.has(user)) continue;
      logins.delete(user);
      for (const client of sessions.get(user) ?? []) client.destroy();
      sessions.delete(user);
      if (user !== database.handle.user) await db.exec(`DROP ROLE IF EXISTS ${quoteIdentifier(user)}`);
    }
    for (const [user, password] of wanted) logins.set(user, password);
  }

  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.running.values()];
    this.running.clear();
    await Promise.all(
      all.map(async (started) => {
        const database = await started.catch(() => undefined);
        if (database) await stopDatabase(database);
      }),
    );
    if (this.scratchDir) {
      const dir = await this.scratchDir;
      await rm(dir, { recursive: true, force: true });
      removedAtExit.delete(dir);
    }
  }

  private async start(spec: DatabaseSpec): Promise<RunningDatabase> {
    const dir = await this.databaseDir(spec.id);
    const marker = await readMarker(dir);
    if (marker) {
      if (marker.databaseName !== spec.databaseName || marker.user !== spec.user) {
        throw new Error(
          `could not provision database ${spec.id}: its persisted data holds database "${marker.databaseName}" ` +
            `and user "${marker.user}", not "${spec.databaseName}" and "${spec.user}"`,
        );
      }
    } else {
      await this.createDataDir(spec, dir);
    }
    const db = await PGlite.create({
      dataDir: dir,
      username: spec.user,
      database: spec.databaseName,
      extensions: { vector },
    });
    let socketServer: PGLiteSocketServer | undefined;
    try {
      const socketPath = join(await this.scratch(), `${++this.socketCount}.sock`);
      socketServer = new PGLiteSocketServer({ db, path: socketPath, maxConnections: MAX_CONNECTIONS });
      await socketServer.start();
      const logins = new Map([[spec.user, spec.password]]);
      const sessions = new Map<string, Set<net.Socket>>();
      const proxy = await startAuthProxy(
        {
          ...spec,
          logins: () => logins,
          onLogin: (user, client) => {
            const open = sessions.get(user) ?? new Set<net.Socket>();
            sessions.set(user, open);
            open.add(client);
            client.on("close", () => open.delete(client));
          },
        },
        () => net.connect(socketPath),
        spec.port,
      );
      return {
        handle: {
          host: proxy.host,
          port: proxy.port,
          databaseName: spec.databaseName,
          user: spec.user,
          password: spec.password,
        },
        db,
        socketServer,
        proxy,
        dir,
        logins,
        sessions,
      };
    } catch (error) {
      await socketServer?.stop().catch(() => undefined);
      await db.close().catch(() => undefined);
      throw error;
    }
  }

  /** Copies the initdb'd template, creates the Render role and database in it, and marks the folder complete. */
  private async createDataDir(spec: DatabaseSpec, dir: string): Promise<void> {
    // A folder without the marker is what an interrupted creation left: start it over.
    await rm(dir, { recursive: true, force: true });
    await mkdir(join(dir, ".."), { recursive: true });
    if (spec.seed) {
      await this.createFromSeed(spec, spec.seed, dir);
    } else {
      await this.createFresh(spec, dir);
    }
    const marker: Marker = { databaseName: spec.databaseName, user: spec.user };
    await writeFile(join(dir, MARKER_FILE), JSON.stringify(marker));
  }

  /**
   * A copy of another database's data directory (its `exportArchive`), with its database and user renamed to this
   * one's and the user given this one's password: the data, roles and ownerships are the source's.
   */
  private async createFromSeed(spec: DatabaseSpec, seed: NonNullable<DatabaseSpec["seed"]>, dir: string) {
    validateSpec({ id: spec.id, databaseName: seed.databaseName, user: seed.user, password: "" });
    const archive = await readFile(seed.file);
    const admin = await PGlite.create({ dataDir: dir, loadDataDir: new Blob([archive]) });
    try {
      if (seed.databaseName !== spec.databaseName) {
        await admin.exec(
          `ALTER DATABASE ${quoteIdentifier(seed.databaseName)} RENAME TO ${quoteIdentifier(spec.databaseName)}`,
        );
      }
      if (seed.user !== spec.user) {
        await admin.exec(`ALTER ROLE ${quoteIdentifier(seed.user)} RENAME TO ${quoteIdentifier(spec.user)}`);
      }
      await admin.exec(`ALTER ROLE ${quoteIdentifier(spec.user)} PASSWORD ${quoteLiteral(spec.password)}`);
    } finally {
      await admin.close();
    }
  }

  private async createFresh(spec: DatabaseSpec, dir: string): Promise<void> {
    await cp(await templateDir(), dir, { recursive: true });
    const admin = await PGlite.create({ dataDir: dir });
    try {
      // SUPERUSER because pgvector is not a trusted extension and Render lets its (non-superuser) database user
      // run `CREATE EXTENSION vector`; each PGlite holds one Render database, so this reaches nothing else.
      // PGlite's socket server answers every login itself, so the role's password is not what gates access
      // (authProxy.ts does); it is still set so that the data would work behind a real server too.
      await admin.exec(
        `CREATE ROLE ${quoteIdentifier(spec.user)} LOGIN SUPERUSER PASSWORD ${quoteLiteral(spec.password)}`,
      );
      await admin.exec(
        `CREATE DATABASE ${quoteIdentifier(spec.databaseName)} OWNER ${quoteIdentifier(spec.user)}`,
      );
    } finally {
      await admin.close();
    }
  }

  /** A short path, because Unix socket paths are limited to about 100 bytes. */
  private scratch(): Promise<string> {
    this.scratchDir ??= mkdtemp(join(tmpdir(), "emdb-")).then((dir) => removeAtExit(dir));
    return this.scratchDir;
  }

  private async databaseDir(id: string): Promise<string> {
    return this.dataDir ? join(this.dataDir, id) : join(await this.scratch(), id);
  }
}

let sharedTemplate: Promise<string> | undefined;
const removedAtExit = new Set<string>();

/** Scratch folders (sockets, unpersisted data, the template) must not outlive a process that skipped `close`. */
function removeAtExit(dir: string): string {
  if (removedAtExit.size === 0) {
    process.once("exit", () => {
      for (const each of removedAtExit) rmSync(each, { recursive: true, force: true });
    });
  }
  removedAtExit.add(dir);
  return dir;
}

/**
 * PGlite's initdb takes seconds, a copy of its result a fraction: run it once per process (every backend,
 * and so every emulator a test suite starts, copies the same template). Removed when the process exits.
 */
function templateDir(): Promise<string> {
  sharedTemplate ??= (async () => {
    const root = await mkdtemp(join(tmpdir(), "emdb-template-"));
    removeAtExit(root);
    const dir = join(root, "pgdata");
    const db = await PGlite.create({ dataDir: dir });
    await db.close();
    return dir;
  })();
  sharedTemplate.catch(() => (sharedTemplate = undefined));
  return sharedTemplate;
}

async function readMarker(dir: string): Promise<Marker | undefined> {
  const file = join(dir, MARKER_FILE);
  if (!existsSync(file)) return undefined;
  const parsed = JSON.parse(await readFile(file, "utf8")) as Partial<Marker>;
  if (typeof parsed.databaseName !== "string" || typeof parsed.user !== "string") {
    // Never treat it as absent: that would start the folder over and delete the data.
    throw new Error(`could not read ${file}: expected databaseName and user`);
  }
  return { databaseName: parsed.databaseName, user: parsed.user };
}

async function stopDatabase(database: RunningDatabase): Promise<void> {
  await database.proxy.close();
  await database.socketServer.stop();
  await database.db.close();
}
