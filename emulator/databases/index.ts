import { PgliteBackend } from "./pgliteBackend";
import { PostgresBackend } from "./postgresBackend";

/**
 * Real databases behind the emulator's Render Postgres objects: PGlite (+pgvector) served over TCP,
 * one per database, or a real PostgreSQL server where a role and a database are created per Render database.
 */

/** Where a client connects to reach one Render database. */
export interface DatabaseHandle {
  /** Always a loopback address (`127.0.0.1`) or the admin URL's host for the postgres kind. */
  host: string;
  /** TCP port of the server. */
  port: number;
  /** Database name to put in the connection string. */
  databaseName: string;
  /** Login role. */
  user: string;
  /** Password of `user` (a secret: never log it). */
  password: string;
}

/**
 * What an export file holds: `pg_dump-directory` is Render's format (a `pg_dump --format=directory` folder,
 * tarred and gzipped); `pglite-datadir` is a PGlite data directory, tarred and gzipped (a physical copy: no
 * pg_dump here can read PGlite's PostgreSQL version).
 */
export type ExportFormat = "pg_dump-directory" | "pglite-datadir";

/** Starts, stops and deletes the real database behind each Render database. */
export interface DatabaseBackend {
  /** Starts (or, with persisted data, reattaches) a real database for Render database `id`; idempotent per id. */
  provision(spec: {
    id: string;
    databaseName: string;
    user: string;
    password: string;
    /** Port to reuse when free (the one it had before a restart); pglite only. */
    port?: number;
    /** Start from a backup another database's `exportArchive` wrote (see DatabaseSpec). */
    seed?: { file: string; databaseName: string; user: string };
  }): Promise<DatabaseHandle>;
  /** Stops it and deletes its data. */
  drop(id: string): Promise<void>;
  /**
   * Writes a backup of the running database of `id` to `file` (a gzipped tar) and says what is inside
   * (Render's exports are a pg_dump directory-format archive; see emulator/README.md for what differs here).
   * Optional: a backend without it (a test double) makes every export fail.
   */
  exportArchive?(id: string, file: string): Promise<{ format: ExportFormat }>;
  /**
   * Makes exactly `users` able to log in to the running database of `id` (idempotent): a new one becomes a real
   * role that can do everything the original user could; a removed one is refused and its open connections are
   * ended. `defaultUser` (one of `users`) takes over what a removed owner owned. Optional: a backend without it
   * (a test double) makes the credentials API fail.
   */
  setUsers?(id: string, users: { user: string; password: string }[], defaultUser: string): Promise<void>;
  /** Stops all (keeps persisted data). */
  close(): Promise<void>;
}

/**
 * `pglite`: an embedded PGlite per database, served on 127.0.0.1 (data in memory, or under `<dataDir>/<id>`).
 * `postgres`: a real server reached with an admin URL (a superuser or a role with CREATEDB and CREATEROLE).
 */
export type DatabaseBackendOptions = { kind: "pglite"; dataDir?: string } | { kind: "postgres"; url: string };

/** Creates the backend of the given kind; nothing starts until the first `provision`. */
export function createDatabaseBackend(options: DatabaseBackendOptions): DatabaseBackend {
  switch (options.kind) {
    case "pglite":
      return new PgliteBackend(options.dataDir);
    case "postgres":
      return new PostgresBackend(options.url);
  }
}
