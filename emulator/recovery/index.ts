/**
 * Point-in-time recovery (render.com/docs/postgresql-backups, REFERENCE §9), emulated with snapshots: a snapshot is
 * the backend's backup (`exportArchive`) of a database, stamped with the emulator time once complete, so its data
 * is never newer than its stamp. A recovery to time t starts a new database from the latest snapshot at or before
 * t. Snapshots are taken of every available paid database just before each advance of the emulator clock (nothing
 * can be written inside the jump, so such a snapshot is exact for the whole skipped span), skipped when the
 * database's WAL position has not moved since the last one, and on demand through the control API
 * (`POST /_emulator/postgres/:id/snapshot`). Between snapshots (real time passing), a recovery gives the older data.
 */
import { Client } from "pg";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import type { EmulatorCore } from "../core";
import { postgresStatus } from "../lifecycle/postgres";
import { defaultLogin } from "../routes/credentials";
import type { PostgresRecord, SnapshotRecord } from "../state/model";

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
/** The last 10 minutes cannot be restored (render.com/docs/postgresql-backups). */
export const RECENT_LIMIT_MS = 10 * MINUTE;
/**
 * UNCONFIRMED: when Render's first base backup of a new database is ready. One hour after it became available;
 * until then recovery says BACKUP_NOT_READY.
 */
export const FIRST_BACKUP_DELAY_MS = 60 * MINUTE;

/** The recovery window by workspace tier: 3 days hobby, 7 days professional or higher (REFERENCE §9). */
export function windowMs(core: EmulatorCore): number {
  return (core.workspaceTier === "professional" ? 7 : 3) * DAY;
}

/** What `GET /postgres/{id}/recovery` says, and the restorable span when AVAILABLE. */
export function recoveryInfo(
  core: EmulatorCore,
  db: PostgresRecord,
): {
  recoveryStatus: "AVAILABLE" | "BACKUP_NOT_READY" | "NOT_AVAILABLE";
  startsAt?: number;
  endsAt?: number;
} {
  if (db.plan === "free") return { recoveryStatus: "NOT_AVAILABLE" };
  const now = core.clock.now();
  const first = snapshotsOf(core, db.id)[0];
  const startsAt = Math.max(
    db.readyAt + FIRST_BACKUP_DELAY_MS,
    first?.takenAt ?? Infinity,
    now - windowMs(core),
  );
  const endsAt = now - RECENT_LIMIT_MS;
  if (!first || startsAt > endsAt) return { recoveryStatus: "BACKUP_NOT_READY" };
  return { recoveryStatus: "AVAILABLE", startsAt, endsAt };
}

/** Snapshots of a database, oldest first. */
export function snapshotsOf(core: EmulatorCore, postgresId: string): SnapshotRecord[] {
  return [...core.state.snapshots.values()]
    .filter((s) => s.postgresId === postgresId)
    .sort((a, b) => a.takenAt - b.takenAt);
}

/** The latest snapshot at or before `at`. */
export function snapshotAt(core: EmulatorCore, postgresId: string, at: number): SnapshotRecord | undefined {
  return snapshotsOf(core, postgresId)
    .filter((s) => s.takenAt <= at)
    .pop();
}

/** Snapshots every available paid database whose data moved since its last snapshot (before a clock advance). */
export async function snapshotAll(core: EmulatorCore): Promise<void> {
  for (const db of core.state.postgres.values()) {
    if (db.plan === "free" || db.suspended) continue;
    if (postgresStatus(db, core.clock.now(), core.backendState(db.id)) !== "available") continue;
    await takeSnapshot(core, db, false);
  }
}

/** Takes a snapshot of `db` (unless `force` is false and its WAL position is unchanged). */
export async function takeSnapshot(
  core: EmulatorCore,
  db: PostgresRecord,
  force: boolean,
): Promise<SnapshotRecord | undefined> {
  const lsn = await walPosition(core, db);
  const last = snapshotsOf(core, db.id).pop();
  if (!force && last && lsn !== undefined && last.lsn === lsn) return undefined;
  const file = `snapshot-${db.id}-${core.state.nextSeq()}.tar.gz`;
  try {
    await core.exportDatabase(db.id, join(core.exportsDir(), file));
  } catch (error) {
    console.error(
      `render emulator: snapshot of ${db.id}: ${error instanceof Error ? error.message.split(db.password).join("***") : "error"}`,
    );
    return undefined;
  }
  const record: SnapshotRecord = {
    file,
    postgresId: db.id,
    takenAt: core.clock.now(),
    databaseName: db.databaseName,
    // The role the database was made with (PGlite keeps it as its session role even once deleted).
    user: db.databaseUser,
    ...(lsn !== undefined ? { lsn } : {}),
  };
  core.state.snapshots.set(file, record);
  await prune(core, db.id);
  core.changed();
  return record;
}

/** Drops snapshots no window can reach: older than 7 days, except the newest of those (the base of the window). */
async function prune(core: EmulatorCore, postgresId: string): Promise<void> {
  const old = snapshotsOf(core, postgresId).filter((s) => s.takenAt < core.clock.now() - 7 * DAY);
  old.pop();
  for (const s of old) await dropSnapshot(core, s);
}

async function dropSnapshot(core: EmulatorCore, snapshot: SnapshotRecord): Promise<void> {
  core.state.snapshots.delete(snapshot.file);
  // A database being recovered from it still needs it.
  const inUse = [...core.state.postgres.values()].some(
    (db) => db.restoredFrom?.file === snapshot.file && core.backendState(db.id) === "pending",
  );
  if (!inUse) await rm(join(core.exportsDir(), snapshot.file), { force: true });
}

/** Drops the snapshots of a deleted database. */
export async function dropSnapshots(core: EmulatorCore, postgresId: string): Promise<void> {
  for (const s of snapshotsOf(core, postgresId)) await dropSnapshot(core, s);
}

/** The database's current WAL position, read over its TLS front as the default user; undefined if unreadable. */
async function walPosition(core: EmulatorCore, db: PostgresRecord): Promise<string | undefined> {
  const handle = core.databaseHandle(db.id);
  if (!handle) return undefined;
  const login = defaultLogin(db);
  const client = new Client({
    host: handle.host,
    port: handle.port,
    database: handle.databaseName,
    user: login.username,
    password: login.password,
    ssl: { ca: core.ca.cert },
    connectionTimeoutMillis: 5000,
  });
  client.on("error", () => undefined);
  try {
    await client.connect();
    const result = await client.query<{ lsn: string }>("SELECT pg_current_wal_lsn()::text AS lsn");
    return result.rows[0]?.lsn;
  } catch {
    return undefined;
  } finally {
    await client.end().catch(() => undefined);
  }
}
