/**
 * Checks a downloaded export (`npm run db:backup`, tools/dbBackup.ts) and lists the tables inside.
 *
 * Render's exports are a pg_dump directory-format archive, tarred and gzipped (`<…>.dir.tar.gz`,
 * render.com/docs/postgresql-backups#logical-backups, REFERENCE §9). The check reads the whole file once:
 * the gzip stream to its end (zlib verifies its CRC and length, so a truncated or damaged file fails), every
 * tar member with node-tar's strict parser (header checksums, members whole) up to the end-of-archive block,
 * and keeps the `toc.dat` of the pg_dump folder.
 * The tables are then read from that table of contents by `pg_restore --list` (the PostgreSQL client tools;
 * a pg_restore older than the pg_dump that wrote the archive cannot read it: the error says which versions).
 * Every `TABLE DATA` entry's data file (`<dumpId>.dat[.gz|.lz4|.zst]`) must be in the archive.
 *
 * The emulator's PGlite backend cannot make that format (no pg_dump here reads PGlite's PostgreSQL 18): its
 * export is PGlite's own data directory, tarred and gzipped (emulator/databases/index.ts `pglite-datadir`), a
 * physical copy that `pg_restore` cannot read. It is recognised (PG_VERSION, base/) and checked the same way
 * (gzip, tar), and its tables are listed by opening it in an in-memory PGlite: said as such in the report.
 */
import { execFile } from "node:child_process";
import { createReadStream } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { createGunzip } from "node:zlib";
import { Parser, type ReadEntry } from "tar";

/** One member of a tar archive. */
export interface TarEntry {
  /** Its path, without a leading `/` or `./`. */
  name: string;
  /** `file`, `directory` or `other` (links, devices). */
  type: "file" | "directory" | "other";
  size: number;
}

const normalName = (name: string) => name.replace(/^(\.?\/)+/, "");

/**
 * Reads a gzipped tar whole with node-tar's parser (strict: a bad header checksum, a member cut short or
 * data that is not tar is an error, not a warning): every member is listed and the content of those `keep`
 * accepts is returned. The gzip stream is inflated by zlib first, so a damaged or cut gzip stream is told
 * apart from a damaged tar inside a whole one. Throws naming what is wrong.
 */
export async function readTarGz(
  file: string,
  keep: (name: string) => boolean = () => false,
): Promise<{ entries: TarEntry[]; kept: Map<string, Buffer> }> {
  const entries: TarEntry[] = [];
  const kept = new Map<string, Buffer>();
  const parser = new Parser({
    strict: true,
    onReadEntry: (entry: ReadEntry) => {
      const name = normalName(entry.path);
      const type = entry.type === "File" || entry.type === "OldFile" || entry.type === "ContiguousFile";
      const listed: TarEntry = {
        name,
        type: entry.type === "Directory" ? "directory" : type ? "file" : "other",
        size: entry.size ?? 0,
      };
      entries.push(listed);
      if (listed.type === "file" && keep(name)) {
        const chunks: Buffer[] = [];
        entry.on("data", (chunk: Buffer) => chunks.push(chunk));
        entry.on("end", () => kept.set(name, Buffer.concat(chunks)));
      } else entry.resume();
    },
  });
  let tarError: Error | undefined;
  parser.on("error", (error: Error) => (tarError ??= error));
  const parsed = new Promise<void>((resolve) => parser.on("close", () => resolve()));

  const gunzip = createGunzip();
  const source = createReadStream(file);
  source.on("error", (error) => gunzip.destroy(error));
  source.pipe(gunzip);
  // node-tar stops quietly at a header cut short; a whole archive ends with two zero blocks (POSIX), so
  // the last 1024 bytes are kept to check that it does.
  let total = 0;
  let tail = Buffer.alloc(0);
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      total += chunk.length;
      tail = Buffer.concat([tail, chunk]).subarray(-2 * 512);
      parser.write(chunk);
      if (tarError) break;
    }
  } catch (error) {
    const message = (error as Error).message;
    throw new Error(/unexpected end of file/i.test(message) ? "the gzip stream is cut short" : message);
  } finally {
    source.destroy();
  }
  if (!tarError) {
    parser.end();
    await parsed;
  }
  if (!tarError && (total % 512 !== 0 || tail.length < 1024 || tail.some((b) => b !== 0)))
    throw new Error("the tar archive is cut short (it has no end-of-archive block)");
  if (tarError)
    throw new Error(
      /truncated/i.test(tarError.message)
        ? "the tar archive is cut short (a member ends past the end of the file)"
        : `the tar archive is damaged: ${tarError.message}`,
    );
  return { entries, kept };
}

/** What a backup file holds. */
export type BackupFormat = "pg_dump-directory" | "pglite-datadir";

/** A table of the backup. */
export interface BackupTable {
  schema: string;
  name: string;
}

/** The outcome of {@link inspectBackup}. */
export interface BackupInspection {
  format: BackupFormat;
  /** Members of the tar (files and folders). */
  members: number;
  /** The archive's tables, sorted by schema then name. */
  tables: BackupTable[];
  /** pg_dump archives: the folder inside the tar (`<db>.dir`), the archive version, its data files. */
  pgDump?: {
    folder: string;
    archiveVersion: string;
    dataFiles: number;
    dumpedBy?: string;
    dumpedFrom?: string;
  };
  /** One line per check made, for the report. */
  checks: string[];
}

/** Runs a program, resolving with its output; an error carries its stderr. */
function run(command: string, args: string[]): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) {
        const missing = (error as NodeJS.ErrnoException).code === "ENOENT";
        reject(
          new Error(
            missing
              ? `${command} is not installed (the PostgreSQL client tools: apt-get install postgresql-client)`
              : (stderr.trim() || error.message).replace(/^pg_restore: error: /m, ""),
          ),
        );
      } else resolve({ stdout, stderr });
    });
  });
}

/**
 * Parses `pg_restore --list`: entries read `<dumpId>; <catalog oid> <oid> <TYPE> <schema> <name> <owner>`, the
 * type one or two words (`TABLE`, `TABLE DATA`). Names are printed unquoted: a name with spaces is taken as
 * all words between the schema and the last word (the owner).
 */
export function parseRestoreList(listing: string): {
  tables: BackupTable[];
  tableData: { dumpId: number; schema: string; name: string }[];
  header: Record<string, string>;
} {
  const tables: BackupTable[] = [];
  const tableData: { dumpId: number; schema: string; name: string }[] = [];
  const header: Record<string, string> = {};
  for (const line of listing.split("\n")) {
    const comment = /^;\s+([^:]+):\s*(.*)$/.exec(line);
    if (comment) {
      header[comment[1].trim()] = comment[2].trim();
      continue;
    }
    const entry = /^(\d+); \d+ \d+ (TABLE DATA|TABLE) (\S+) (.+) (\S+)$/.exec(line);
    if (!entry) continue;
    const [, dumpId, type, schema, name] = entry;
    if (type === "TABLE") tables.push({ schema, name });
    else tableData.push({ dumpId: Number(dumpId), schema, name });
  }
  return { tables, tableData, header };
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

const byName = (a: BackupTable, b: BackupTable) =>
  a.schema === b.schema ? a.name.localeCompare(b.name) : a.schema.localeCompare(b.schema);

/** The pg_dump folder's table of contents, read by `pg_restore --list` from a private temp folder. */
async function inspectPgDump(
  entries: TarEntry[],
  tocName: string,
  toc: Buffer,
  checks: string[],
): Promise<BackupInspection> {
  if (toc.subarray(0, 5).toString("latin1") !== "PGDMP")
    throw new Error(`${tocName} is not a pg_dump table of contents (no PGDMP header)`);
  const archiveVersion = `${toc[5]}.${toc[6]}`;
  const folder = path.posix.dirname(tocName);
  const work = await mkdtemp(path.join(tmpdir(), "db-backup-toc-"));
  let listing: string;
  try {
    // Only toc.dat: `--list` reads nothing else, so a large backup is not unpacked to be checked.
    const dir = path.join(work, "archive.dir");
    await mkdir(dir, { mode: 0o700 });
    await writeFile(path.join(dir, "toc.dat"), toc, { mode: 0o600 });
    try {
      listing = (await run("pg_restore", ["--list", dir])).stdout;
    } catch (error) {
      const version = await run("pg_restore", ["--version"]).then(
        (r) => r.stdout.trim(),
        () => "pg_restore",
      );
      throw new Error(
        `${version} could not read the archive's table of contents (archive version ${archiveVersion}; a ` +
          `pg_restore at least as new as the pg_dump that wrote it is needed): ${(error as Error).message}`,
      );
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  const { tables, tableData, header } = parseRestoreList(listing);
  const inFolder = new Set(
    entries
      .filter((e) => e.type === "file" && path.posix.dirname(e.name) === folder)
      .map((e) => path.posix.basename(e.name)),
  );
  const missing = tableData.filter(
    (d) =>
      ![".dat", ".dat.gz", ".dat.lz4", ".dat.zst"].some((suffix) => inFolder.has(`${d.dumpId}${suffix}`)),
  );
  if (missing.length)
    throw new Error(
      `the archive lacks the data of ${missing.map((d) => `${d.schema}.${d.name} (${d.dumpId}.dat…)`).join(", ")}`,
    );
  checks.push(
    `pg_restore --list read ${tocName} (archive ${archiveVersion}): ${plural(tables.length, "table")}, ` +
      `the data file of each of its ${plural(tableData.length, "TABLE DATA entry", "TABLE DATA entries")} present`,
  );
  return {
    format: "pg_dump-directory",
    members: entries.length,
    tables: tables.sort(byName),
    pgDump: {
      folder,
      archiveVersion,
      dataFiles: tableData.length,
      dumpedBy: header["Dumped by pg_dump version"],
      dumpedFrom: header["Dumped from database version"],
    },
    checks,
  };
}

/** A PGlite data directory: its tables, read by opening a copy of it in memory. */
async function inspectPgliteDataDir(
  file: string,
  entries: TarEntry[],
  databaseName: string | undefined,
  checks: string[],
): Promise<BackupInspection> {
  // Loaded only for this format, which only the emulator makes.
  const { PGlite } = await import("@electric-sql/pglite");
  const db = await PGlite.create({
    loadDataDir: new Blob([await readFile(file)]),
    ...(databaseName ? { database: databaseName } : {}),
  });
  try {
    const rows = await db.query<{ schema: string; name: string }>(
      `SELECT n.nspname AS schema, c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
         AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%'`,
    );
    checks.push(
      `opened in PGlite${databaseName ? ` (database ${databaseName})` : ""}: ${plural(rows.rows.length, "table")}`,
    );
    return { format: "pglite-datadir", members: entries.length, tables: rows.rows.sort(byName), checks };
  } finally {
    await db.close();
  }
}

/**
 * Checks a backup file and lists its tables (see the file's comment). `databaseName` is the database to open
 * in a PGlite data directory (the emulator's exports of its PGlite backend). Throws, naming the problem, when
 * the file is damaged or is neither format.
 */
export async function inspectBackup(
  file: string,
  options: { databaseName?: string } = {},
): Promise<BackupInspection> {
  const isToc = (name: string) => path.posix.basename(name) === "toc.dat" && name.split("/").length <= 2;
  let read: Awaited<ReturnType<typeof readTarGz>>;
  try {
    read = await readTarGz(file, isToc);
  } catch (error) {
    throw new Error(`the backup is damaged: ${(error as Error).message}`);
  }
  const { entries, kept } = read;
  const checks = [
    `gzip stream and tar archive read whole: ${entries.length} members, every header's checksum right`,
  ];
  const tocs = [...kept.keys()];
  if (tocs.length > 1)
    throw new Error(`the backup holds ${tocs.length} pg_dump folders (${tocs.join(", ")})`);
  if (tocs.length === 1) return inspectPgDump(entries, tocs[0], kept.get(tocs[0])!, checks);
  const names = new Set(entries.map((e) => e.name.replace(/\/$/, "")));
  if (names.has("PG_VERSION") && names.has("base"))
    return inspectPgliteDataDir(file, entries, options.databaseName, checks);
  throw new Error(
    "the backup holds no pg_dump directory archive (no toc.dat) and is no PGlite data directory: " +
      `first members: ${
        entries
          .slice(0, 5)
          .map((e) => e.name)
          .join(", ") || "(none)"
      }`,
  );
}
