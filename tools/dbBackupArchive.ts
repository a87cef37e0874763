/**
 * Checks a downloaded export (`npm run db:backup`, tools/dbBackup.ts) and lists the tables inside.
 *
 * Render's exports are a pg_dump directory-format archive, tarred and gzipped (`<…>.dir.tar.gz`,
 * render.com/docs/postgresql-backups#logical-backups, REFERENCE §9). The check reads the whole file once:
 * the gzip stream to its end (zlib verifies its CRC and length, so a truncated or damaged file fails), every
 * tar header (its checksum) up to the end-of-archive block, and keeps the `toc.dat` of the pg_dump folder.
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

/** One member of a tar archive. */
export interface TarEntry {
  /** Its path, without a leading `/` or `./`. */
  name: string;
  /** `file`, `directory` or `other` (links, devices). */
  type: "file" | "directory" | "other";
  size: number;
}

const BLOCK = 512;

/** A tar header's numeric field: octal text, or base-256 when its first byte has the high bit (GNU, > 8 GB). */
function numberField(header: Buffer, offset: number, length: number): number {
  const field = header.subarray(offset, offset + length);
  if (field[0] & 0x80) {
    let value = field[0] & 0x7f;
    for (let i = 1; i < field.length; i++) value = value * 256 + field[i];
    return value;
  }
  const text = field.toString("latin1").replace(/\0.*$/s, "").trim();
  if (text === "") return 0;
  if (!/^[0-7]+$/.test(text)) throw new Error(`bad number field ${JSON.stringify(text)}`);
  return parseInt(text, 8);
}

function stringField(header: Buffer, offset: number, length: number): string {
  const field = header.subarray(offset, offset + length);
  const end = field.indexOf(0);
  return field.subarray(0, end < 0 ? field.length : end).toString("utf8");
}

/** The header checksum: the sum of its bytes with the checksum field counted as spaces. */
function checksumOk(header: Buffer): boolean {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : header[i];
  return numberField(header, 148, 8) === sum;
}

/** `path` and `size` of a pax extended header (`<len> key=value\n` records). */
function paxRecords(content: Buffer): { path?: string; size?: number } {
  const found: { path?: string; size?: number } = {};
  let at = 0;
  while (at < content.length) {
    const space = content.indexOf(0x20, at);
    if (space < 0) break;
    const length = Number(content.subarray(at, space).toString("latin1"));
    if (!Number.isInteger(length) || length <= 0) break;
    const record = content.subarray(space + 1, at + length - 1).toString("utf8");
    const eq = record.indexOf("=");
    const key = record.slice(0, eq);
    if (key === "path") found.path = record.slice(eq + 1);
    if (key === "size") found.size = Number(record.slice(eq + 1));
    at += length;
  }
  return found;
}

const normalName = (name: string) => name.replace(/^(\.?\/)+/, "");

/**
 * Reads a gzipped tar whole: every header is checked and listed, and the content of the members `keep`
 * accepts is returned. Throws (naming what is wrong) on a damaged gzip stream, a bad header, or an archive
 * that ends before its end-of-archive block.
 */
export async function readTarGz(
  file: string,
  keep: (name: string) => boolean = () => false,
): Promise<{ entries: TarEntry[]; kept: Map<string, Buffer> }> {
  const entries: TarEntry[] = [];
  const kept = new Map<string, Buffer>();
  let pending: Buffer = Buffer.alloc(0);
  // What the parser expects next: a header, or `remaining` bytes of the current member (+ padding).
  let state: { kind: "header" } | { kind: "body"; remaining: number; padding: number; into?: Buffer[] } = {
    kind: "header",
  };
  let current: { name: string; typeflag: string; size: number } | undefined;
  let longName: string | undefined;
  let paxSize: number | undefined;
  let ended = false;

  const finishMember = (content?: Buffer) => {
    const member = current!;
    current = undefined;
    if (member.typeflag === "L") longName = content!.toString("utf8").replace(/\0+$/, "");
    else if (member.typeflag === "x") {
      const pax = paxRecords(content!);
      if (pax.path !== undefined) longName = pax.path;
      if (pax.size !== undefined && Number.isSafeInteger(pax.size)) paxSize = pax.size;
    } else if (member.typeflag === "g" || member.typeflag === "K") {
      // global pax header, GNU long link name: nothing to list
    } else {
      const name = normalName(longName ?? member.name);
      longName = undefined;
      const type =
        member.typeflag === "0" || member.typeflag === "\0" || member.typeflag === "7" ? "file" : "other";
      const entry: TarEntry = { name, type: member.typeflag === "5" ? "directory" : type, size: member.size };
      entries.push(entry);
      if (content && entry.type === "file") kept.set(name, content);
    }
  };

  const consume = () => {
    for (;;) {
      if (ended) {
        // After the end-of-archive block only zero padding may follow.
        if (pending.some((b) => b !== 0)) throw new Error("data after the end-of-archive block");
        pending = Buffer.alloc(0);
        return;
      }
      if (state.kind === "header") {
        if (pending.length < BLOCK) return;
        const header = pending.subarray(0, BLOCK);
        pending = pending.subarray(BLOCK);
        if (header.every((b) => b === 0)) {
          ended = true;
          continue;
        }
        if (!checksumOk(header)) throw new Error(`bad tar header checksum after ${entries.length} members`);
        const magic = header.subarray(257, 262).toString("latin1");
        const prefix = magic === "ustar" ? stringField(header, 345, 155) : "";
        const name = stringField(header, 0, 100);
        const typeflag = String.fromCharCode(header[156]);
        const meta = ["L", "x", "g", "K"].includes(typeflag);
        let size = typeflag === "5" ? 0 : numberField(header, 124, 12);
        if (!meta && paxSize !== undefined) [size, paxSize] = [paxSize, undefined];
        current = { name: prefix ? `${prefix}/${name}` : name, typeflag, size };
        // Kept in memory: long names, pax headers, and the members asked for.
        const wanted = meta || keep(normalName(longName ?? current.name));
        state = {
          kind: "body",
          remaining: size,
          padding: (BLOCK - (size % BLOCK)) % BLOCK,
          into: wanted ? [] : undefined,
        };
        if (size === 0) {
          finishMember(wanted ? Buffer.alloc(0) : undefined);
          state = { kind: "header" };
        }
        continue;
      }
      const body = state;
      if (body.remaining > 0) {
        if (pending.length === 0) return;
        const take = Math.min(body.remaining, pending.length);
        body.into?.push(pending.subarray(0, take));
        body.remaining -= take;
        pending = pending.subarray(take);
        if (body.remaining > 0) return;
        finishMember(body.into ? Buffer.concat(body.into) : undefined);
      }
      if (pending.length < body.padding) return;
      pending = pending.subarray(body.padding);
      state = { kind: "header" };
    }
  };

  const gunzip = createGunzip();
  const source = createReadStream(file);
  source.on("error", (error) => gunzip.destroy(error));
  source.pipe(gunzip);
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      consume();
    }
  } catch (error) {
    const message = (error as Error).message;
    throw new Error(/unexpected end of file/i.test(message) ? "the gzip stream is cut short" : message);
  } finally {
    source.destroy();
  }
  if (!ended)
    throw new Error(
      (state as { kind: string }).kind === "body" || pending.length
        ? "the tar archive is cut short (a member ends past the end of the file)"
        : "the tar archive has no end-of-archive block",
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
