/**
 * The size of a backup (`npm run db:backup`, tools/dbBackupRun.ts) against the size of the database it backs
 * up (issue 23's bench): the emulator with the PostgreSQL server backend (so the export is Render's format, a
 * pg_dump directory archive, tarred and gzipped), one database filled with rows at a few scales, and at each
 * the real backup: its bytes ÷ `pg_database_size` of the database, measured in the same run. A detail line
 * compares it with the tables' own size (`pg_total_relation_size` of the user tables, indexes and TOAST
 * included), and splits the time between waiting for the export and our own work (download and check).
 *
 *   npx tsx bench/backup.ts                       scales 0, 10 000 and 100 000 rows (about a minute)
 *   npx tsx bench/backup.ts --rows 0,1000000      other scales
 *   npx tsx bench/backup.ts --database <admin URL>   the server (default EMULATOR_TEST_PG_URL)
 *
 * The rows are a plausible app table: an id, a timestamp, a short author name from 500, a title and a body of
 * words drawn from a 2,000-word vocabulary (text compresses about as prose does, not as random bytes or as
 * repeats would), a jsonb of tags, and two indexes.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "pg";
import { startEmulator } from "../emulator";
import { RenderClient } from "../components/render/client";
import { backupDatabase } from "../tools/dbBackupRun";
import { detail, figure, secs } from "./lib/engine";

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const scales = (arg("rows") ?? "0,10000,100000").split(",").map(Number);
const adminUrl = arg("database") ?? process.env.EMULATOR_TEST_PG_URL;

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(bytes < 1e6 ? 3 : 1)} MB`;

async function main(): Promise<void> {
  if (!adminUrl) throw new Error("needs a PostgreSQL server: --database <admin URL> or EMULATOR_TEST_PG_URL");
  if (scales.some((n) => !Number.isInteger(n) || n < 0)) throw new Error("--rows: whole numbers >= 0");
  const work = await mkdtemp(join(tmpdir(), "bench-backup-"));
  const emu = await startEmulator({
    port: 0,
    timings: "fast",
    rateLimits: { enabled: false },
    database: { kind: "postgres", url: adminUrl },
  });
  const client = new RenderClient({ apiKey: emu.apiKey, baseUrl: emu.url, budget: false });
  try {
    const db = await client.createPostgres({
      name: "bench-backup",
      ownerId: emu.ownerId,
      plan: "basic_256mb",
      version: "16",
    });
    for (let i = 0; (await client.getPostgres(db.id)).status !== "available"; i++) {
      if (i > 300) throw new Error("the database did not become available in 60 s");
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const info = await client.getPostgresConnectionInfo(db.id);
    const pg = new Client({ connectionString: info.externalConnectionString, ssl: { ca: emu.caCert } });
    await pg.connect();
    try {
      await pg.query(`
        CREATE TABLE words (n int PRIMARY KEY, w text NOT NULL);
        INSERT INTO words SELECT n, substr(md5(n::text), 1, 3 + n % 8) FROM generate_series(0, 1999) n;
        CREATE TABLE notes (
          id bigint PRIMARY KEY, created_at timestamptz NOT NULL, author text NOT NULL,
          title text NOT NULL, body text NOT NULL, tags jsonb NOT NULL);
        CREATE INDEX notes_author ON notes (author, created_at);`);
      let filled = 0;
      for (const rows of scales.sort((a, b) => a - b)) {
        if (rows > filled)
          await pg.query(
            `WITH v AS (SELECT array_agg(w ORDER BY n) AS a FROM words)
             INSERT INTO notes
             SELECT i, timestamptz '2026-01-01' + i * interval '17 seconds', 'author-' || (i * 7919) % 500,
               array_to_string(ARRAY(SELECT v.a[1 + (i * 31 + j * 7919) % 2000] FROM generate_series(1, 3 + i % 5) j), ' '),
               array_to_string(ARRAY(SELECT v.a[1 + (i * 131 + j * 104729) % 2000] FROM generate_series(1, 20 + i % 60) j), ' '),
               jsonb_build_object('tags', jsonb_build_array('t' || i % 13, 't' || i % 29), 'v', i % 5)
             FROM v, generate_series($1::bigint, $2::bigint - 1) i`,
            [filled, rows],
          );
        filled = Math.max(filled, rows);
        await pg.query("VACUUM ANALYZE");
        await pg.query("CHECKPOINT").catch(() => undefined); // superuser only; sizes are right without it
        const size = await pg.query<{ database: string; tables: string }>(
          `SELECT pg_database_size(current_database())::text AS database,
             (SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace
              WHERE c.relkind = 'r' AND s.nspname = 'public')::text AS tables`,
        );
        const databaseBytes = Number(size.rows[0].database);
        const tableBytes = Number(size.rows[0].tables);
        const result = await backupDatabase({
          client,
          databaseId: db.id,
          stack: "bench",
          outDir: join(work, String(rows)),
          log: () => undefined,
          pollIntervalMs: 250,
        });
        figure(
          `backup_size_${rows}_rows`,
          mb(result.bytes),
          `database ${mb(databaseBytes)} by pg_database_size`,
          result.bytes / databaseBytes,
        );
        detail(
          "against the tables (pg_total_relation_size, indexes and TOAST included)",
          `${mb(tableBytes)}, ratio ${(result.bytes / tableBytes).toFixed(2)}`,
        );
        detail(
          "time",
          `${secs(result.durationMs)}: ${secs(result.waitedMs)} waiting for the export, ` +
            `${secs(result.durationMs - result.waitedMs)} our own (asking, download, check)`,
        );
        await rm(result.file);
      }
    } finally {
      await pg.end();
    }
  } finally {
    await client.close();
    // Drops the emulated database from the server, then stops.
    await fetch(`${emu.controlUrl}/reset`, { method: "POST" }).catch(() => undefined);
    await emu.close().catch(() => undefined);
    await rm(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(`bench/backup.ts: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
