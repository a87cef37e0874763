/**
 * Logical exports of a Postgres (render.com/docs/postgresql-backups#logical-backups, REFERENCE §9): made on
 * demand, kept 7 days, downloaded from a URL that needs no API key (Render's is a signed link). Here the file is
 * written by the database backend into the exports folder and served at
 * `<origin>/_exports/<exportId>/<token>/<database>.dir.tar.gz`, where the token is the secret part of the URL.
 * The emulator clock decides expiry: an export older than 7 days is neither listed nor downloadable.
 */
import { timingSafeEqual } from "node:crypto";
import { createReadStream } from "node:fs";
import { rm, stat } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { join } from "node:path";
import type { EmulatorCore } from "../core";
import { newId, newRequestId } from "../ids";
import type { ExportRecord, PostgresRecord } from "../state/model";

/** Render keeps an export 7 days (render.com/docs/postgresql-backups#logical-backups). */
export const EXPORT_RETENTION_MS = 7 * 24 * 3_600_000;

/** Whether the export is past its 7 days on the emulator clock. */
export function isExpired(core: EmulatorCore, record: ExportRecord): boolean {
  return core.clock.now() >= record.createdAt + EXPORT_RETENTION_MS;
}

/** The file name the download URL ends with (Render's exports are `<…>.dir.tar.gz`). */
export function exportFileName(db: PostgresRecord, record: ExportRecord): string {
  return `${db.databaseName}-${record.id}.dir.tar.gz`;
}

/** Records a new export and writes its file in the background; a failure is logged (no secrets) and kept. */
export function startExport(core: EmulatorCore, db: PostgresRecord): ExportRecord {
  const record: ExportRecord = {
    id: newId("exp"),
    seq: core.state.nextSeq(),
    postgresId: db.id,
    createdAt: core.clock.now(),
    token: newRequestId(),
  };
  core.state.exports.set(record.id, record);
  const file = exportFileName(db, record);
  const done = core
    .exportDatabase(db.id, join(core.exportsDir(), file))
    .then(
      ({ format }) => {
        record.file = file;
        record.format = format;
      },
      (error: unknown) => {
        record.failed = true;
        const message = error instanceof Error ? error.message : String(error);
        console.error(`render emulator: export ${record.id}: ${message.split(db.password).join("***")}`);
      },
    )
    .finally(() => core.changed());
  core.track(done);
  return record;
}

/** Deletes the exports of a database (its records and files). */
export async function dropExports(core: EmulatorCore, postgresId: string): Promise<void> {
  for (const record of [...core.state.exports.values()]) {
    if (record.postgresId !== postgresId) continue;
    core.state.exports.delete(record.id);
    if (record.file) await rm(join(core.exportsDir(), record.file), { force: true });
  }
}

/** Answers `GET /_exports/<exportId>/<token>/<file>`: the file, or 404 (unknown, wrong token, expired, not ready). */
export async function handleExportDownload(
  core: EmulatorCore,
  req: IncomingMessage,
  res: ServerResponse,
  rest: string,
): Promise<void> {
  const [id, token, name, ...more] = rest.split("/");
  const record = core.state.exports.get(id ?? "");
  const ok =
    req.method === "GET" &&
    record !== undefined &&
    more.length === 0 &&
    record.file !== undefined &&
    record.file === name &&
    sameSecret(record.token, token ?? "") &&
    !isExpired(core, record);
  if (!ok || !record?.file) return notFoundAnswer(res);
  const file = join(core.exportsDir(), record.file);
  const size = await stat(file).then(
    (s) => s.size,
    () => undefined,
  );
  if (size === undefined) return notFoundAnswer(res);
  res.writeHead(200, {
    "content-type": "application/gzip",
    "content-length": size,
    "content-disposition": `attachment; filename="${record.file}"`,
  });
  createReadStream(file).pipe(res);
}

function sameSecret(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

function notFoundAnswer(res: ServerResponse): void {
  const text = `${JSON.stringify({ message: "not found" })}\n`;
  res.writeHead(404, { "content-type": "application/json; charset=utf-8", "content-length": text.length });
  res.end(text);
}
