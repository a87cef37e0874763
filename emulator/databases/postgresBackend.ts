import { execFile } from "node:child_process";
import { createHash, createHmac, pbkdf2Sync, randomBytes } from "node:crypto";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { Client } from "pg";
import type { DatabaseBackend, DatabaseHandle, ExportFormat } from "./index";
import { quoteIdentifier, quoteLiteral, validateSpec, type DatabaseSpec } from "./names";

/** The comment that ties a server database to the Render database id that owns it. */
const COMMENT_PREFIX = "render-emulator:";
const SCRAM_ITERATIONS = 4096;

/**
 * Creates a role and a database per Render database on a real PostgreSQL server reached by an admin URL
 * (a superuser, or a role with CREATEROLE and CREATEDB that may grant roles).
 *
 * The server itself keeps the data, so `close` stops nothing and `provision` after a restart finds the same
 * database. Each database carries a comment `render-emulator:<id>`, so `drop` needs no local state.
 *
 * `CREATE EXTENSION vector` as the database's owner needs pgvector installed and marked `trusted` on that server
 * (start-test-postgres.sh does both); Render allows it to its non-superuser users, so the roles stay
 * non-superusers here.
 */
export class PostgresBackend implements DatabaseBackend {
  private readonly host: string;
  private readonly port: number;
  /** Operations on one id run one after another (provision twice at once must not CREATE twice). */
  private readonly queues = new Map<string, Promise<unknown>>();
  private closed = false;

  /** @param adminUrl `postgresql://admin:password@host:port/postgres`; never echoed in errors. */
  constructor(private readonly adminUrl: string) {
    let url: URL;
    try {
      url = new URL(adminUrl);
    } catch {
      throw new Error(
        "could not create the postgres database backend: [url] is not a valid postgresql:// URL",
      );
    }
    if (url.protocol !== "postgres:" && url.protocol !== "postgresql:") {
      throw new Error("could not create the postgres database backend: [url] must start with postgresql://");
    }
    this.host = url.hostname.replace(/^\[(.*)\]$/, "$1") || "127.0.0.1";
    this.port = url.port ? Number(url.port) : 5432;
  }

  provision(spec: DatabaseSpec): Promise<DatabaseHandle> {
    if (this.closed)
      return Promise.reject(new Error(`could not provision database ${spec.id}: backend is closed`));
    return this.serialize(spec.id, async () => {
      validateSpec(spec);
      let created = false;
      await this.withAdmin(`could not provision database ${spec.id}`, async (admin) => {
        const user = quoteIdentifier(spec.user);
        const role = await admin.query("SELECT 1 FROM pg_roles WHERE rolname = $1", [spec.user]);
        // Setting the password again on reattach keeps it what the emulator's state says. A user name that two
        // Render databases share is one role here, with the password of the last provision (a limitation).
        const password = `PASSWORD ${quoteLiteral(passwordVerifier(spec.password))}`;
        await admin.query(`${role.rowCount ? "ALTER" : "CREATE"} ROLE ${user} LOGIN ${password}`);

        const existing = await admin.query<{ comment: string | null }>(
          "SELECT shobj_description(oid, 'pg_database') AS comment FROM pg_database WHERE datname = $1",
          [spec.databaseName],
        );
        const marker = COMMENT_PREFIX + spec.id;
        if (existing.rowCount) {
          if (existing.rows[0].comment !== marker) {
            throw new Error(`database "${spec.databaseName}" already exists and belongs to something else`);
          }
          return;
        }
        const me = await admin.query<{ rolsuper: boolean }>(
          "SELECT rolsuper FROM pg_roles WHERE rolname = current_user",
        );
        // An admin without superuser may only give a database to a role it is a member of.
        if (!me.rows[0]?.rolsuper) await admin.query(`GRANT ${user} TO CURRENT_USER`);
        const database = quoteIdentifier(spec.databaseName);
        await admin.query(`CREATE DATABASE ${database} OWNER ${user}`);
        created = true;
        await admin.query(`COMMENT ON DATABASE ${database} IS ${quoteLiteral(marker)}`);
        // Render's databases are reachable only with their own credentials.
        await admin.query(`REVOKE ALL ON DATABASE ${database} FROM PUBLIC`);
      });
      if (created && spec.seed) await this.restoreSeed(spec, spec.seed);
      return {
        host: this.host,
        port: this.port,
        databaseName: spec.databaseName,
        user: spec.user,
        password: spec.password,
      };
    });
  }

  drop(id: string): Promise<void> {
    return this.serialize(id, async () => {
      validateSpec({ id, databaseName: "x", user: "x", password: "" });
      await this.withAdmin(`could not drop database ${id}`, async (admin) => {
        const databases = await admin.query<{ datname: string; owner: string }>(
          `SELECT d.datname, r.rolname AS owner FROM pg_database d JOIN pg_roles r ON r.oid = d.datdba
           WHERE shobj_description(d.oid, 'pg_database') = $1`,
          [COMMENT_PREFIX + id],
        );
        for (const { datname, owner } of databases.rows) {
          // WITH (FORCE) ends open sessions (PostgreSQL 13+), as deleting a Render database does.
          await admin.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(datname)} WITH (FORCE)`);
          const stillOwns = await admin.query(
            "SELECT 1 FROM pg_database d JOIN pg_roles r ON r.oid = d.datdba WHERE r.rolname = $1",
            [owner],
          );
          if (!stillOwns.rowCount) await admin.query(`DROP ROLE IF EXISTS ${quoteIdentifier(owner)}`);
        }
        // Users made through the credentials API (see setUsers).
        const users = await admin.query<{ rolname: string }>(
          "SELECT rolname FROM pg_roles WHERE shobj_description(oid, 'pg_authid') = $1",
          [COMMENT_PREFIX + id],
        );
        for (const { rolname } of users.rows) {
          await admin.query(`DROP OWNED BY ${quoteIdentifier(rolname)}`).catch(() => undefined);
          await admin.query(`DROP ROLE IF EXISTS ${quoteIdentifier(rolname)}`);
        }
      });
    });
  }

  /**
   * Loads another database's export (a pg_dump directory archive) into the new database with pg_restore, as the
   * new user (`--no-owner --role`), so that its objects belong to it.
   */
  private async restoreSeed(spec: DatabaseSpec, seed: NonNullable<DatabaseSpec["seed"]>): Promise<void> {
    const work = await mkdtemp(join(tmpdir(), "emrestore-"));
    try {
      await run("tar", ["-xzf", seed.file, "-C", work], process.env, spec.id);
      const url = new URL(this.adminUrl);
      const env = {
        ...process.env,
        PGHOST: this.host,
        PGPORT: String(this.port),
        PGUSER: decodeURIComponent(url.username),
        PGPASSWORD: decodeURIComponent(url.password),
      };
      await run(
        "pg_restore",
        [
          "--no-owner",
          `--role=${spec.user}`,
          "--exit-on-error",
          `--dbname=${spec.databaseName}`,
          join(work, `${seed.databaseName}.dir`),
        ],
        env,
        spec.id,
      );
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }

  /**
   * Render's format: `pg_dump --format=directory` of the database, tarred and gzipped (`<database>.dir/` inside).
   * Runs the pg_dump on PATH as the admin role; the password goes through the environment (never argv, so never
   * in `ps`). A pg_dump older than the server refuses to dump it (pg_dump 15 cannot dump PostgreSQL 17): the
   * export then fails with pg_dump's message.
   */
  exportArchive(id: string, file: string): Promise<{ format: ExportFormat }> {
    return this.serialize(id, async () => {
      let databaseName = "";
      await this.withAdmin(`could not export database ${id}`, async (admin) => {
        const found = await admin.query<{ datname: string }>(
          "SELECT datname FROM pg_database WHERE shobj_description(oid, 'pg_database') = $1",
          [COMMENT_PREFIX + id],
        );
        if (!found.rowCount) throw new Error("no such database on the server");
        databaseName = found.rows[0].datname;
      });
      const url = new URL(this.adminUrl);
      const env = {
        ...process.env,
        PGHOST: this.host,
        PGPORT: String(this.port),
        PGUSER: decodeURIComponent(url.username),
        PGPASSWORD: decodeURIComponent(url.password),
        PGDATABASE: databaseName,
      };
      const work = await mkdtemp(join(tmpdir(), "emexport-"));
      try {
        const folder = `${databaseName}.dir`;
        await run("pg_dump", ["--format=directory", `--file=${join(work, folder)}`], env, id);
        await run("tar", ["-czf", file, "-C", work, folder], process.env, id);
        await chmod(file, 0o600);
      } finally {
        await rm(work, { recursive: true, force: true });
      }
      return { format: "pg_dump-directory" as const };
    });
  }

  /**
   * Each new user is a login role (marked with the database's comment, so `drop` finds it) and a member of the
   * role that owns the database, so it can do everything the owner can, with the owner's privileges and
   * ownerships. A removed user's sessions are ended and its role dropped; when it is the owner, what it owned
   * (the database and its objects) goes to `defaultUser` first, and the other users become members of that one.
   */
  setUsers(id: string, users: { user: string; password: string }[], defaultUser: string): Promise<void> {
    return this.serialize(id, async () => {
      for (const { user, password } of users) validateSpec({ id, databaseName: "x", user, password });
      const marker = COMMENT_PREFIX + id;
      let databaseName = "";
      let owner = "";
      await this.withAdmin(`could not change the users of database ${id}`, async (admin) => {
        const found = await admin.query<{ datname: string; owner: string }>(
          `SELECT d.datname, r.rolname AS owner FROM pg_database d JOIN pg_roles r ON r.oid = d.datdba
           WHERE shobj_description(d.oid, 'pg_database') = $1`,
          [marker],
        );
        if (!found.rowCount) throw new Error("no such database on the server");
        ({ datname: databaseName, owner } = found.rows[0]);
        for (const { user, password } of users) {
          const exists = await admin.query<{ comment: string | null }>(
            "SELECT shobj_description(oid, 'pg_authid') AS comment FROM pg_roles WHERE rolname = $1",
            [user],
          );
          if (exists.rowCount && user !== owner && exists.rows[0].comment !== marker) {
            throw new Error(`role "${user}" already exists on the server and belongs to something else`);
          }
          const verb = exists.rowCount ? "ALTER" : "CREATE";
          await admin.query(
            `${verb} ROLE ${quoteIdentifier(user)} LOGIN PASSWORD ${quoteLiteral(passwordVerifier(password))}`,
          );
          if (user !== owner) {
            await admin.query(`COMMENT ON ROLE ${quoteIdentifier(user)} IS ${quoteLiteral(marker)}`);
            await admin.query(`GRANT ${quoteIdentifier(owner)} TO ${quoteIdentifier(user)}`);
          }
        }
      });
      const wanted = new Set(users.map((u) => u.user));
      if (!wanted.has(owner)) {
        // The owner goes: hand its database and objects to the default user (REASSIGN works per database).
        await this.withAdmin(
          `could not change the users of database ${id}`,
          async (admin) => {
            await admin.query(
              `REASSIGN OWNED BY ${quoteIdentifier(owner)} TO ${quoteIdentifier(defaultUser)}`,
            );
            await admin.query(`DROP OWNED BY ${quoteIdentifier(owner)}`);
          },
          databaseName,
        );
      }
      await this.withAdmin(`could not change the users of database ${id}`, async (admin) => {
        const marked = await admin.query<{ rolname: string }>(
          "SELECT rolname FROM pg_roles WHERE shobj_description(oid, 'pg_authid') = $1",
          [marker],
        );
        const gone = marked.rows.map((r) => r.rolname).filter((user) => !wanted.has(user));
        if (!wanted.has(owner)) {
          await admin.query(
            `ALTER DATABASE ${quoteIdentifier(databaseName)} OWNER TO ${quoteIdentifier(defaultUser)}`,
          );
          for (const user of wanted) {
            if (user !== defaultUser)
              await admin.query(`GRANT ${quoteIdentifier(defaultUser)} TO ${quoteIdentifier(user)}`);
          }
          gone.push(owner);
        }
        for (const user of gone) {
          await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1", [
            user,
          ]);
          await admin.query(`DROP ROLE IF EXISTS ${quoteIdentifier(user)}`);
        }
      });
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.queues.values()].map((queued) => queued.catch(() => undefined)));
  }

  private serialize<T>(id: string, operation: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(id) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(operation);
    this.queues.set(id, next);
    const forget = (): void => {
      if (this.queues.get(id) === next) this.queues.delete(id);
    };
    next.then(forget, forget);
    return next;
  }

  private async withAdmin(
    context: string,
    work: (admin: Client) => Promise<void>,
    database?: string,
  ): Promise<void> {
    let connectionString = this.adminUrl;
    if (database) {
      const url = new URL(this.adminUrl);
      url.pathname = `/${encodeURIComponent(database)}`;
      connectionString = url.toString();
    }
    const admin = new Client({ connectionString });
    // An error event after connect (server gone) must not crash the emulator; the query then rejects.
    admin.on("error", () => undefined);
    try {
      await admin.connect();
      await work(admin);
    } catch (error) {
      // pg's messages name objects, never the statement text, so no password can reach this message.
      throw new Error(`${context}: ${(error as Error).message}`);
    } finally {
      await admin.end().catch(() => undefined);
    }
  }
}

/**
 * A SCRAM-SHA-256 verifier computed here, so the cleartext password never reaches the server (nor its
 * statement log). Non-ASCII passwords would need SASLprep to match what clients send: those are sent as-is.
 */
export function passwordVerifier(password: string): string {
  if (!/^[\x20-\x7e]*$/.test(password)) return password;
  const salt = randomBytes(16);
  const salted = pbkdf2Sync(password, salt, SCRAM_ITERATIONS, 32, "sha256");
  const clientKey = createHmac("sha256", salted).update("Client Key").digest();
  const storedKey = createHash("sha256").update(clientKey).digest();
  const serverKey = createHmac("sha256", salted).update("Server Key").digest();
  return `SCRAM-SHA-256$${SCRAM_ITERATIONS}:${salt.toString("base64")}$${storedKey.toString("base64")}:${serverKey.toString("base64")}`;
}

const execFileAsync = promisify(execFile);

/** Runs a tool; its error names the tool and its stderr (pg_dump never prints the password). */
async function run(tool: string, args: string[], env: NodeJS.ProcessEnv, id: string): Promise<void> {
  try {
    await execFileAsync(tool, args, { env, maxBuffer: 1024 * 1024 });
  } catch (error) {
    const stderr = String((error as { stderr?: unknown }).stderr ?? "").trim();
    throw new Error(`database ${id}: ${tool} failed: ${stderr || (error as Error).message}`);
  }
}
