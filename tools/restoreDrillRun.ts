/**
 * The restore drill (`npm run db:restore-drill`, tools/restoreDrill.ts is its command line): proves that the
 * stack's database can be recovered to a point in time, by doing it into a throw-away database, checking it
 * and deleting it.
 *
 * 1. Prints the drill's cost: the recovered database is a new database of the source's plan, billed while it
 *    exists (REFERENCE §9); a day of it is the plan's monthly price (app/prices.ts, UNCONFIRMED figures) / 30.
 * 2. Checks the input against Render before any write: a plan with point-in-time recovery (`NOT_AVAILABLE` on
 *    free), a first backup made (`BACKUP_NOT_READY`), `--at` not in the future, not inside the last 10 minutes
 *    (Render never restores those), not before the window's start (`GET /postgres/{id}/recovery`).
 * 3. Removes what an earlier drill killed before its cleanup left: databases of the same workspace named
 *    `<source>-drill-<time>` (the prefix is the drill's alone; two drills of one database at once would
 *    remove each other's).
 * 4. What the source held at the time T, to compare with. The tool cannot read the source's past, so:
 *    - without `--at`, T is now: a census of the source (its tables and each one's row count, in one
 *      read-only repeatable-read transaction started just after T), then a wait until T is restorable (10
 *      minutes on Render, with progress lines), and the restore must hold exactly the census. A write to the
 *      source in the milliseconds between T and the census's snapshot would show as a difference.
 *    - with `--at T` (a past time), the census of the source now: each difference is reported as changed
 *      since T, not as a failure; the verdict rests on the restore being made, reachable over verified TLS,
 *      and its tables counted.
 * 5. Recovers into `<source>-drill-<T>` (`POST /postgres/{id}/recovery`, the source's plan), waits for
 *    `available`, connects over verified TLS (the stack's trust settings, sslmode verify-full), counts.
 * 6. Prints the comparison, and deletes the drill database: also on a failure and on Ctrl-C (the caller
 *    aborts the signal; the deletion runs before the process ends; deleting twice is harmless). With `keep`
 *    (the incident runbook), the restored database is named `<source>-restore-<T>`, kept, and never taken
 *    for a leftover.
 */
import type { Client } from "pg";
import { postgresMonthlyUsd, priceTable } from "../app/prices";
import { connectDatabase } from "../components/postgresExtension/databaseTls";
import type { RenderClient } from "../components/render/client";
import { isRenderApiError } from "../components/render/errors";
import type { Postgres } from "../components/render/schemas";
import { pollUntil } from "../components/render/wait";

const MINUTE = 60_000;
/** Render never restores the last 10 minutes (render.com/docs/postgresql-backups, REFERENCE §9). */
export const RECENT_LIMIT_MS = 10 * MINUTE;
/**
 * Added to the 10 minutes before recovering to a census time: Render's clock and ours may differ a little
 * (UNCONFIRMED by how much; 30 s is the margin chosen).
 */
export const CLOCK_MARGIN_MS = 30_000;

/** A table of a census: `schema.name` and its row count. */
export type Census = Map<string, number>;

/** What the drill needs of its stack (tools/dbStack.ts gives it) and of its caller. */
export interface DrillOptions {
  client: RenderClient;
  databaseId: string;
  /** Environment of the database connections (PGSSLROOTCERT for the emulator's CA; nothing on Render). */
  trustEnv: NodeJS.ProcessEnv;
  /** `--at` as typed, or undefined for now. */
  at?: string;
  /** Keep the restored database (the incident runbook) instead of deleting it. */
  keep?: boolean;
  /** Render's clock, in ms (the emulator's own clock on the local stack). */
  clock: () => Promise<number>;
  /** Progress lines (stderr). */
  log: (line: string) => void;
  /** The report (stdout). */
  out: (line: string) => void;
  /** Pause between polls of Render. */
  pollMs: number;
  /** Longest wait for the recovered database to become available. Default 2 hours. */
  availableTimeoutMs?: number;
  /** Aborted on Ctrl-C: the drill stops waiting and cleans up. */
  signal?: AbortSignal;
  /** Sleep (tests pass one that also moves the emulator's clock). Default a timer, cut short by `signal`. */
  sleep?: (ms: number) => Promise<void>;
  /** Called with a connection to the restored database before it is deleted (tests look at its rows). */
  inspect?: (db: Client, restored: Postgres) => Promise<void>;
}

/** One line of the comparison. */
export interface DrillRow {
  table: string;
  /** Rows at T (without --at) or now (with --at); undefined: the table is not in the source. */
  source?: number;
  /** Rows in the restore; undefined: the table is not in the restore. */
  restored?: number;
}

/** What a drill found. */
export interface DrillResult {
  ok: boolean;
  /** The source database. */
  source: Postgres;
  /** The restore time. */
  restoreTime: string;
  /** "exact" without --at (compared with a census at T), "since" with --at (compared with now). */
  mode: "exact" | "since";
  rows: DrillRow[];
  /** The restored database, and whether it was deleted (false with keep). */
  restored?: { id: string; name: string; deleted: boolean };
  /** Leftover drill databases removed before this drill. */
  removedLeftovers: string[];
  /** Time spent waiting for Render vs doing our own work, in ms (bench/drill.ts). */
  timing: { waitWindowMs: number; recoverMs: number; availableMs: number; deleteMs: number; ownMs: number };
}

/** A problem of the input or of the source's state, found before anything is written. */
export class DrillInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DrillInputError";
  }
}

/** The drill was interrupted (Ctrl-C). */
export class DrillAbortedError extends Error {
  constructor() {
    super("interrupted");
    this.name = "DrillAbortedError";
  }
}

/**
 * `--at` parsed: an RFC 3339 date-time with a zone (`2026-12-05T21:30:00Z`, `…+01:00`), or a date and time
 * in UTC with a space (`2026-12-05 21:30Z`). A time without a zone is refused: it would depend on the
 * machine's zone.
 */
export function parseRestoreTime(text: string): number {
  const match = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)(Z|[+-]\d{2}:\d{2})$/i.exec(
    text.trim(),
  );
  const ms = match ? Date.parse(`${match[1]}T${match[2]}${match[3].toUpperCase()}`) : NaN;
  if (Number.isNaN(ms))
    throw new DrillInputError(
      `--at ${JSON.stringify(text)} is not a time: use RFC 3339 with a zone, e.g. 2026-12-05T21:30:00Z`,
    );
  return ms;
}

/** `20261205t213000z`: the time in a database name (UTC, to the second). */
export function nameStamp(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/\.\d+Z$/, "z")
    .replace(/[-:]/g, "")
    .toLowerCase();
}

/** The name of a drill database of `source` at `ms`. */
export function drillName(source: string, ms: number): string {
  return `${source}-drill-${nameStamp(ms)}`;
}

/** The name of a kept restore (`--keep`) of `source` at `ms`: not a drill's, never removed as a leftover. */
export function restoreName(source: string, ms: number): string {
  return `${source}-restore-${nameStamp(ms)}`;
}

/** True for the name of a drill database of `source` (what a killed drill can leave). */
export function isDrillName(source: string, name: string): boolean {
  const prefix = `${source}-drill-`;
  return name.startsWith(prefix) && /^\d{8}t\d{6}z$/.test(name.slice(prefix.length));
}

/** The drill's cost line: the daily price of the source's plan, or why it is unknown. */
export function costLine(plan: string): string {
  const monthly = postgresMonthlyUsd(plan);
  if (monthly === undefined)
    return `Cost: the drill database is a new ${plan} database, billed while it exists; the price of ${plan} is not known here (app/prices.ts).`;
  const daily = monthly / 30;
  return (
    `Cost: the drill database is a new ${plan} database, billed while it exists (minutes, usually): ` +
    `at most about $${daily.toFixed(2)} for a day of it ($${monthly}/month / 30; ${priceTable.source}).`
  );
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function minutes(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000));
  return s >= 60 ? `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, "0")} s` : `${s} s`;
}

/** Tables (`schema.name`, outside the system schemas) and their row counts, in one consistent snapshot. */
export async function census(db: Client): Promise<Census> {
  await db.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  try {
    const tables = await db.query<{ schema: string; name: string }>(
      `SELECT n.nspname AS schema, c.relname AS name
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
          AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
        ORDER BY 1, 2`,
    );
    const counts: Census = new Map();
    for (const { schema, name } of tables.rows) {
      const result = await db.query<{ n: string }>(
        `SELECT count(*)::bigint AS n FROM ${db.escapeIdentifier(schema)}.${db.escapeIdentifier(name)}`,
      );
      counts.set(`${schema}.${name}`, Number(result.rows[0].n));
    }
    return counts;
  } finally {
    await db.query("ROLLBACK").catch(() => undefined);
  }
}

/** Connects to a database over verified TLS (verify-full, trusting what `trustEnv` says). */
async function connect(client: RenderClient, id: string, trustEnv: NodeJS.ProcessEnv): Promise<Client> {
  const info = await client.getPostgresConnectionInfo(id);
  const env = { ...process.env, ...trustEnv, PGSSLMODE: "verify-full" };
  const db = await connectDatabase(
    info.externalConnectionString,
    { connectionTimeoutMillis: 30_000, application_name: "arrakis-restore-drill" },
    env,
  );
  db.on("error", () => undefined);
  return db;
}

/** Rows of the comparison, the union of both table lists, sorted. */
export function compare(source: Census, restored: Census): DrillRow[] {
  const names = [...new Set([...source.keys(), ...restored.keys()])].sort();
  return names.map((table) => ({ table, source: source.get(table), restored: restored.get(table) }));
}

/** The comparison as a table for a person. */
export function formatRows(rows: DrillRow[], mode: DrillResult["mode"], restoreTime: string): string[] {
  const sourceHead = mode === "exact" ? `source at ${restoreTime}` : "source now";
  const header = ["table", sourceHead, "restored", ""];
  const body = rows.map((r) => {
    const same = r.source === r.restored;
    const note = same
      ? "ok"
      : mode === "exact"
        ? "DIFFERS"
        : r.source === undefined
          ? "dropped since then"
          : r.restored === undefined
            ? "created since then"
            : "changed since then";
    return [
      r.table,
      r.source === undefined ? "-" : String(r.source),
      r.restored === undefined ? "-" : String(r.restored),
      note,
    ];
  });
  if (body.length === 0) return ["(no tables in the source nor in the restore)"];
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 0 || i === 3 ? c.padEnd(widths[i]) : c.padStart(widths[i])))
      .join("   ")
      .trimEnd();
  return [line(header), ...body.map(line)];
}

/** The drill (see the top of this file). Throws DrillInputError before any write for bad input. */
export async function runRestoreDrill(options: DrillOptions): Promise<DrillResult> {
  const { client, databaseId, log, out, signal } = options;
  const timing = { waitWindowMs: 0, recoverMs: 0, availableMs: 0, deleteMs: 0, ownMs: 0 };
  const aborted = () => {
    if (signal?.aborted) throw new DrillAbortedError();
  };
  const sleep =
    options.sleep ??
    ((ms: number) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(done, ms);
        function done() {
          clearTimeout(timer);
          signal?.removeEventListener("abort", done);
          resolve();
        }
        signal?.addEventListener("abort", done, { once: true });
      }));

  // ---- checks, before any write ------------------------------------------------------------------
  const requested = options.at === undefined ? undefined : parseRestoreTime(options.at);
  const source = await client.getPostgres(databaseId);
  out(costLine(source.plan));
  const info = await client.getPostgresRecoveryInfo(databaseId);
  if (info.recoveryStatus === "NOT_AVAILABLE")
    throw new DrillInputError(
      `point-in-time recovery is not available for ${source.name} (${databaseId}, plan ${source.plan}): ` +
        `Render offers it on paid plans only; nothing was created`,
    );
  if (info.recoveryStatus === "BACKUP_NOT_READY")
    throw new DrillInputError(
      `point-in-time recovery of ${source.name} (${databaseId}) is BACKUP_NOT_READY: Render has no backup ` +
        `of it yet (a new database gets its first one within hours); try again later; nothing was created`,
    );
  const startsAt = info.startsAt ? Date.parse(info.startsAt) : undefined;
  const now = await options.clock();
  const window = `the recovery window is from ${startsAt !== undefined ? iso(startsAt) : "(unknown)"} to ${iso(now - RECENT_LIMIT_MS)} (now minus 10 minutes)`;
  if (requested !== undefined) {
    if (requested > now)
      throw new DrillInputError(`--at ${iso(requested)} is in the future (now is ${iso(now)}); ${window}`);
    if (requested > now - RECENT_LIMIT_MS)
      throw new DrillInputError(
        `--at ${iso(requested)} is inside the last 10 minutes, which Render never restores; ${window}`,
      );
    if (startsAt !== undefined && requested < startsAt)
      throw new DrillInputError(`--at ${iso(requested)} is before the recovery window; ${window}`);
  }

  // ---- leftovers of killed drills ----------------------------------------------------------------
  const removedLeftovers: string[] = [];
  for await (const db of client.listPostgres({ ownerId: [source.owner.id] })) {
    if (db.id === source.id || !isDrillName(source.name, db.name)) continue;
    log(`Removing ${db.name} (${db.id}), a drill database an earlier drill left (created ${db.createdAt})`);
    await deleteDatabase(client, db.id);
    removedLeftovers.push(db.id);
  }
  if (removedLeftovers.length)
    out(
      `Removed ${removedLeftovers.length} drill database(s) left by an earlier, interrupted drill: ${removedLeftovers.join(", ")}.`,
    );

  // ---- what the source held -----------------------------------------------------------------------
  let restoreAt: number;
  let sourceCensus: Census;
  const mode: DrillResult["mode"] = requested === undefined ? "exact" : "since";
  {
    const own = Date.now();
    const db = await connect(client, databaseId, options.trustEnv);
    try {
      if (requested === undefined) restoreAt = await options.clock();
      else restoreAt = requested;
      sourceCensus = await census(db);
    } finally {
      await db.end().catch(() => undefined);
    }
    timing.ownMs += Date.now() - own;
    log(
      mode === "exact"
        ? `Census of ${source.name} at ${iso(restoreAt)}: ${sourceCensus.size} table(s)`
        : `Census of ${source.name} now (to compare with its restore at ${iso(restoreAt)}): ${sourceCensus.size} table(s)`,
    );
  }
  const restoreTime = iso(restoreAt);

  // ---- wait until the census time is restorable ---------------------------------------------------
  if (mode === "exact") {
    const waitStarted = Date.now();
    const ready = restoreAt + RECENT_LIMIT_MS + CLOCK_MARGIN_MS;
    let lastMinute = -1;
    for (;;) {
      aborted();
      const left = ready - (await options.clock());
      if (left <= 0) break;
      const minute = Math.ceil(left / MINUTE);
      if (minute !== lastMinute) {
        log(
          `Waiting for ${restoreTime} to enter the recovery window (Render never restores the last 10 minutes): ${minutes(left)} left`,
        );
        lastMinute = minute;
      }
      await sleep(Math.min(options.pollMs, left));
    }
    timing.waitWindowMs = Date.now() - waitStarted;
  }
  aborted();

  // ---- recover, check, delete ---------------------------------------------------------------------
  const name = options.keep ? restoreName(source.name, restoreAt) : drillName(source.name, restoreAt);
  let restored: Postgres | undefined;
  let deleted = false;
  let rows: DrillRow[] = [];
  try {
    log(`Recovering ${source.name} as of ${restoreTime} into a new database ${name}`);
    const recoverStarted = Date.now();
    try {
      restored = await client.recoverPostgres(databaseId, { restoreTime, restoreName: name });
    } catch (err) {
      // Sent, answer lost: it may exist; the cleanup below finds it by name.
      if (isRenderApiError(err) && err.outcomeUnknown) restored = await findByName(client, source, name);
      throw err;
    }
    timing.recoverMs = Date.now() - recoverStarted;
    log(`Created ${restored.name} (${restored.id}), ${restored.status}; waiting for it to become available`);
    const availableStarted = Date.now();
    const restoredId = restored.id;
    const restoredName = restored.name;
    let lastState = "";
    const waitAvailable = () =>
      pollUntil(
        `database ${restoredId} to become available`,
        async () => {
          aborted();
          const db = await client.getPostgres(restoredId);
          if (db.status !== lastState) {
            lastState = db.status;
            log(`  ${restoredName}: ${db.status}`);
          }
          const stuck = db.status === "recovery_failed" || db.status === "suspended";
          return {
            done: db.status === "available",
            failed: stuck ? db.status : undefined,
            value: db,
            state: `status ${db.status}`,
          };
        },
        {
          timeoutMs: options.availableTimeoutMs ?? 2 * 60 * MINUTE,
          intervalMs: options.pollMs,
          rampFromMs: Math.min(500, options.pollMs),
          sleep,
        },
      );
    restored = await waitAvailable();
    // The drill connects from outside Render: the restore needs the source's IP allow list. Whether Render
    // copies it into a recovered database is UNCONFIRMED (the emulator does not); when it differs, the drill
    // sets it (a change of the drill's own database only).
    const allowList = (list: Postgres["ipAllowList"]) => JSON.stringify(list.map((e) => e.cidrBlock).sort());
    if (allowList(restored.ipAllowList) !== allowList(source.ipAllowList)) {
      log(
        `Giving ${restoredName} the source's IP allow list (${source.ipAllowList.map((e) => e.cidrBlock).join(", ") || "none"}) so the drill can connect`,
      );
      await client.updatePostgres(restoredId, {
        ipAllowList: source.ipAllowList.map((e) => ({
          cidrBlock: e.cidrBlock,
          description: e.description ?? "",
        })),
      });
      restored = await waitAvailable();
    }
    timing.availableMs = Date.now() - availableStarted;
    aborted();

    const own = Date.now();
    const db = await connect(client, restored.id, options.trustEnv);
    let restoredCensus: Census;
    try {
      restoredCensus = await census(db);
      await options.inspect?.(db, restored);
    } finally {
      await db.end().catch(() => undefined);
    }
    rows = compare(sourceCensus, restoredCensus);
    timing.ownMs += Date.now() - own;
  } finally {
    if (restored && !options.keep) {
      const deleteStarted = Date.now();
      log(`Deleting the drill database ${restored.name} (${restored.id})`);
      await deleteDatabase(client, restored.id);
      deleted = true;
      timing.deleteMs = Date.now() - deleteStarted;
      log(`Deleted ${restored.name} (${restored.id})`);
    }
  }

  const ok = mode === "exact" ? rows.every((r) => r.source === r.restored) : true;
  out(
    mode === "exact"
      ? `Restore of ${source.name} (${databaseId}) as of ${restoreTime}, compared with a census of the source at that time:`
      : `Restore of ${source.name} (${databaseId}) as of ${restoreTime}, compared with the source now (differences are changes since ${restoreTime}):`,
  );
  for (const line of formatRows(rows, mode, restoreTime)) out(`  ${line}`);
  const differing = rows.filter((r) => r.source !== r.restored).length;
  if (mode === "exact")
    out(
      ok
        ? `Drill passed: the restore holds the ${rows.length} table(s) and every row count the source had at ${restoreTime}.`
        : `Drill FAILED: ${differing} table(s) differ from what the source held at ${restoreTime}.`,
    );
  else
    out(
      `Drill passed: ${source.name} restores to ${restoreTime} (${rows.filter((r) => r.restored !== undefined).length} table(s) counted over verified TLS); ` +
        `${differing} table(s) changed since then.`,
    );
  if (options.keep) {
    out(`Kept the restored database ${restored!.name} (${restored!.id}): it is billed until deleted.`);
    // For the incident runbook (README): pasted into the shell, these name the database to switch to.
    out(`NEW_NAME=${restored!.name} NEW_ID=${restored!.id} NEW_USER=${restored!.databaseUser}`);
  } else out(`The drill database ${restored!.name} (${restored!.id}) is deleted.`);
  return {
    ok,
    source,
    restoreTime,
    mode,
    rows,
    restored: { id: restored!.id, name: restored!.name, deleted },
    removedLeftovers,
    timing,
  };
}

async function findByName(
  client: RenderClient,
  source: Postgres,
  name: string,
): Promise<Postgres | undefined> {
  for await (const db of client.listPostgres({ name: [name], ownerId: [source.owner.id] }))
    if (db.name === name && db.id !== source.id) return db;
  return undefined;
}

/** Deletes a database; one already gone is fine (a second Ctrl-C, a retry). */
async function deleteDatabase(client: RenderClient, id: string): Promise<void> {
  try {
    await client.deletePostgres(id);
  } catch (err) {
    if (isRenderApiError(err) && err.status === 404) return;
    throw err;
  }
}

/**
 * Render's clock for the drill: the emulator's own (its control API `GET /_emulator/clock`, which tests move
 * forward) when the stack's API is an emulator, else this machine's.
 */
export async function renderClock(
  apiUrl: string | undefined,
): Promise<{ now: () => Promise<number>; emulator: boolean }> {
  const local = { now: () => Promise.resolve(Date.now()), emulator: false };
  if (!apiUrl || new URL(apiUrl).hostname === "api.render.com") return local;
  const url = new URL("/_emulator/clock", apiUrl);
  const read = async () => {
    const answer = await fetch(url, { signal: AbortSignal.timeout(10_000) });
    const body = (await answer.json()) as { now?: unknown };
    if (answer.status !== 200 || typeof body.now !== "string") throw new Error(`no clock at ${url.href}`);
    return Date.parse(body.now);
  };
  try {
    await read();
  } catch {
    return local;
  }
  return { now: read, emulator: true };
}
