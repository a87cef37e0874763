/**
 * One backup of a stack's database (`npm run db:backup`, tools/dbBackup.ts), given its Render client and
 * database id (tools/dbStack.ts): asks Render for a logical export, waits for it with progress lines, downloads
 * it into a 0600 temp file beside its final name, checks it (tools/dbBackupArchive.ts), and only then renames
 * it into place. Any failure or interruption removes the temp file: no partial backup is ever left.
 *
 * Render's export API (REFERENCE §9, openapi.json): `POST /postgres/{id}/export` answers 202 without a body, so
 * the new export is found by listing the exports before and after (`GET /postgres/{id}/export`, newest first,
 * each `{ id, createdAt, url? }`); its `url` appears once the file is written. Exports are made on any plan
 * (the free one included) and kept 7 days (render.com/docs/postgresql-backups#logical-backups). There is no
 * API to delete one: an export this command started and did not download stays until then.
 * The download URL is Render's signed link: whether it needs credentials is UNCONFIRMED; the API key is never
 * sent to it (it may be another host), so a refusal is reported as such.
 */
import * as path from "node:path";
import type { RenderClient } from "../components/render/client";
import { isRenderApiError } from "../components/render/errors";
import type { PostgresExport } from "../components/render/schemas";
import { inspectBackup, type BackupInspection } from "./dbBackupArchive";
import { ensureOutDir, openPendingFile } from "./dbBackupFiles";

/** Render keeps an export 7 days (render.com/docs/postgresql-backups#logical-backups; REFERENCE §9). */
export const exportRetentionMs = 7 * 24 * 3_600_000;

/** Options of {@link backupDatabase}. */
export interface BackupOptions {
  client: RenderClient;
  databaseId: string;
  /** The stack's name (in the file's name). */
  stack: string;
  /** The folder the backup goes to, already checked (tools/dbBackupFiles.ts `checkOutDir`). */
  outDir: string;
  /** Progress lines (stderr in the command). */
  log?: (line: string) => void;
  /** Aborts the wait and the download (Ctrl-C); the temp file is removed. */
  signal?: AbortSignal;
  /** Longest pause between two looks at the export list (default 10 s; the first look comes after 1 s). */
  pollIntervalMs?: number;
  /** How long to wait for the export to be written (default 60 minutes). */
  timeoutMs?: number;
}

/** What {@link backupDatabase} made. */
export interface BackupResult {
  stack: string;
  file: string;
  bytes: number;
  databaseId: string;
  databaseName: string;
  /** The Render name of the database. */
  database: string;
  exportId: string;
  createdAt: string;
  /** When Render stops keeping the export (createdAt + 7 days). */
  expiresAt: string;
  inspection: BackupInspection;
  /** Whole run, and the part spent waiting for Render to write the export. */
  durationMs: number;
  waitedMs: number;
}

function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new Error("interrupted");
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError(signal));
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError(signal!));
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** `2026-12-05T22:50:01.123Z` → `20261205T225001Z`. */
function stamp(iso: string): string {
  return new Date(iso)
    .toISOString()
    .replace(/\.\d+Z$/, "Z")
    .replace(/[-:]/g, "");
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;

/** Makes one backup (see the file's comment). */
export async function backupDatabase(options: BackupOptions): Promise<BackupResult> {
  const { client, databaseId, signal } = options;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const pollMax = options.pollIntervalMs ?? 10_000;
  const timeoutMs = options.timeoutMs ?? 3_600_000;
  const started = Date.now();

  // Checked before anything is written: Render exports an available database only (the emulator refuses the
  // others with a 400; what Render answers is UNCONFIRMED, and asking would start nothing anyway).
  const db = await client.getPostgres(databaseId);
  if (db.status !== "available" || db.suspended === "suspended")
    throw new Error(
      `database ${db.name} (${db.id}) is ${db.suspended === "suspended" ? "suspended" : db.status}: ` +
        "Render exports an available database only; nothing was asked of Render",
    );
  ensureOutDir(options.outDir);

  const before = new Set((await client.listPostgresExports(databaseId)).map((e) => e.id));
  log(`Asking Render for an export of ${db.name} (${db.id})…`);
  let lost = false;
  try {
    await client.createPostgresExport(databaseId);
  } catch (error) {
    // The request may have reached Render (a lost answer): look for the export it started instead of asking
    // a second time.
    if (!isRenderApiError(error) || !error.outcomeUnknown) throw error;
    lost = true;
    log(`The answer to the export request was lost (${error.message}); looking for the export it started…`);
  }

  // The new export: listed by Render after the request, not before. Should two appear (someone else asked
  // too), the oldest is taken: the one nearest this request.
  const waitStart = Date.now();
  let found: PostgresExport | undefined;
  let pause = 1_000;
  for (;;) {
    await sleep(Math.min(pause, pollMax), signal);
    pause *= 2;
    const fresh = (await client.listPostgresExports(databaseId)).filter((e) => !before.has(e.id));
    found = fresh[fresh.length - 1];
    const waited = Date.now() - waitStart;
    if (found?.url) break;
    if (waited > timeoutMs)
      throw new Error(
        found
          ? `export ${found.id} was not written after ${seconds(waited)} (its download URL never appeared); ` +
              "it stays on Render for 7 days: run this again later"
          : `no new export of ${db.id} was listed after ${seconds(waited)}` +
              (lost ? " (the request's answer was lost: it may not have reached Render)" : ""),
      );
    log(
      found
        ? `Waiting for Render to write export ${found.id} (made ${found.createdAt}): ${seconds(waited)}`
        : `Waiting for Render to list the new export: ${seconds(waited)}`,
    );
  }
  const waitedMs = Date.now() - waitStart;
  const exportId = found.id;
  const createdAt = found.createdAt;
  const expiresAt = new Date(Date.parse(createdAt) + exportRetentionMs).toISOString();

  const file = path.join(
    options.outDir,
    `${options.stack}-${db.databaseName}-${stamp(createdAt)}.dir.tar.gz`,
  );
  const pending = await openPendingFile(file);
  try {
    log(`Export ${exportId} is written (${seconds(waitedMs)}); downloading it…`);
    // No Authorization header: the URL is a signed link, maybe on another host than the API's.
    const response = await fetch(found.url, { signal, redirect: "follow" });
    if (!response.ok || !response.body) {
      await response.body?.cancel();
      throw new Error(
        `the download of export ${exportId} answered ${response.status} ${response.statusText}` +
          (response.status === 401 || response.status === 403
            ? " (sent without credentials: whether Render's link needs any is UNCONFIRMED)"
            : ""),
      );
    }
    let bytes = 0;
    for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
      await pending.write(chunk);
      bytes += chunk.length;
    }
    await pending.close();
    const announced = Number(response.headers.get("content-length") ?? NaN);
    if (Number.isFinite(announced) && announced !== bytes)
      throw new Error(`the download of export ${exportId} ended after ${bytes} of ${announced} bytes`);
    log(`Downloaded ${bytes} bytes; checking the archive…`);
    let inspection: BackupInspection;
    try {
      inspection = await inspectBackup(pending.tempPath, { databaseName: db.databaseName });
    } catch (error) {
      throw new Error(
        `export ${exportId} did not pass the check, so it was not kept: ${(error as Error).message} ` +
          `(Render keeps the export until ${expiresAt})`,
      );
    }
    signal?.throwIfAborted();
    await pending.commit();
    return {
      stack: options.stack,
      file,
      bytes,
      databaseId: db.id,
      databaseName: db.databaseName,
      database: db.name,
      exportId,
      createdAt,
      expiresAt,
      inspection,
      durationMs: Date.now() - started,
      waitedMs,
    };
  } finally {
    pending.discard();
  }
}

function humanBytes(bytes: number): string {
  const units = ["bytes", "kB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return unit === 0 ? `${bytes} bytes` : `${value.toFixed(1)} ${units[unit]} (${bytes} bytes)`;
}

/** The report the command prints on stdout. */
export function formatBackupReport(result: BackupResult): string {
  const { inspection } = result;
  const format =
    inspection.format === "pg_dump-directory"
      ? `pg_dump directory archive, tarred and gzipped (Render's format); archive ${inspection.pgDump!.archiveVersion}` +
        (inspection.pgDump!.dumpedBy ? `, pg_dump ${inspection.pgDump!.dumpedBy}` : "") +
        (inspection.pgDump!.dumpedFrom ? `, server ${inspection.pgDump!.dumpedFrom}` : "")
      : "PGlite data directory, tarred and gzipped: the emulator's PGlite backend, not Render's format " +
        "(pg_restore cannot read it; PGlite opens it with loadDataDir)";
  const lines = [
    `Backup of stack ${result.stack}: ${result.file}`,
    `  size      ${humanBytes(result.bytes)}, mode 0600`,
    `  database  ${result.database} (${result.databaseId}), database ${result.databaseName}`,
    `  export    ${result.exportId}, made ${result.createdAt}; Render keeps it until ${result.expiresAt} (7 days)`,
    `  format    ${format}`,
    ...inspection.checks.map((check, i) => `  ${i === 0 ? "checked " : "        "}  ${check}`),
    `  tables    ${inspection.tables.length}${inspection.tables.length ? ":" : ""}`,
    ...inspection.tables.map((t) => `    ${t.schema}.${t.name}`),
    `  took      ${seconds(result.durationMs)} (${seconds(result.waitedMs)} waiting for Render to write the export)`,
  ];
  return `${lines.join("\n")}\n`;
}
