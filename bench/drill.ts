/**
 * The restore drill's time split (issue 23): waiting for Render (the recovery call, the new database becoming
 * available, its deletion) against our own work (connecting over TLS, the censuses of source and restore, the
 * comparison). `npx tsx bench/drill.ts [--scale 0.25] [--tables 8] [--rows 20000]`.
 *
 * An in-process emulator with Render's database provisioning time (60 s) x `--scale`, a source database of
 * `--tables` tables of `--rows` rows, hours passed on the emulator's clock; then a drill with `--at` (no wait for
 * the window). Floors, measured or set in the same run: Render's side, the emulator's provisioning time (what
 * a new database costs at least); our side, two bare censuses (a TLS connection and one `count(*)` per table
 * on the source, twice: the least counting both databases can cost). Ratios to those. Without `--at` the drill
 * also waits 10 minutes and 30 s for its census time to be restorable (Render's rule): the last line says
 * what that does to the split. The database backend is the PostgreSQL server of EMULATOR_TEST_PG_URL when set,
 * else PGlite.
 */
import { Client } from "pg";
import { databaseTrustEnv, startEmulator } from "../emulator";
import { RenderClient } from "../components/render/client";
import { CLOCK_MARGIN_MS, RECENT_LIMIT_MS, renderClock, runRestoreDrill } from "../tools/restoreDrillRun";
import { detail, figure, secs } from "./lib/engine";

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const scale = arg("scale", 0.25);
const tables = arg("tables", 8);
const rowsPerTable = arg("rows", 20_000);
const HOUR = 3_600_000;

async function main(): Promise<void> {
  const provisionMs = Math.round(60_000 * scale);
  const pgUrl = process.env.EMULATOR_TEST_PG_URL;
  const emu = await startEmulator({
    port: 0,
    timings: { base: "fast", postgresCreate: provisionMs },
    rateLimits: { enabled: false, timeScale: 1 },
    ...(pgUrl ? { database: { kind: "postgres" as const, url: pgUrl } } : {}),
  });
  const client = new RenderClient({ apiKey: emu.apiKey, baseUrl: emu.url, budget: false });
  const control = (path: string, body: unknown) =>
    fetch(`${emu.controlUrl}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    }).then((r) => r.arrayBuffer());
  try {
    console.log(
      `restore drill bench: ${tables} tables x ${rowsPerTable} rows, database provisioning ${secs(provisionMs)} ` +
        `(Render's 60 s x ${scale}), ${pgUrl ? "PostgreSQL server" : "PGlite"} backend`,
    );
    const created = await client.createPostgres({
      name: "bench-db",
      ownerId: emu.ownerId,
      plan: "basic_256mb",
      version: "16",
    });
    for (;;) {
      if ((await client.getPostgres(created.id)).status === "available") break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const info = await client.getPostgresConnectionInfo(created.id);
    const db = new Client({ connectionString: info.externalConnectionString, ssl: { ca: emu.caCert } });
    await db.connect();
    for (let t = 0; t < tables; t++) {
      await db.query(`CREATE TABLE t${t} (id int primary key, body text)`);
      await db.query(`INSERT INTO t${t} SELECT g, md5(g::text) FROM generate_series(1, ${rowsPerTable}) g`);
    }
    await db.end();
    // The floor of our side: a TLS connection and one count(*) per table, for two databases.
    const floorStarted = Date.now();
    const bare = new Client({ connectionString: info.externalConnectionString, ssl: { ca: emu.caCert } });
    await bare.connect();
    for (let t = 0; t < tables; t++) await bare.query(`SELECT count(*) FROM t${t}`);
    await bare.end();
    const ownFloorMs = 2 * (Date.now() - floorStarted);
    await control("/clock", { advanceMs: 2 * HOUR });
    const now = Date.parse(((await (await fetch(`${emu.controlUrl}/clock`)).json()) as { now: string }).now);

    const clock = await renderClock(emu.url);
    const started = Date.now();
    const result = await runRestoreDrill({
      client,
      databaseId: created.id,
      trustEnv: databaseTrustEnv(emu),
      at: new Date(now - HOUR).toISOString(),
      clock: clock.now,
      log: () => undefined,
      out: () => undefined,
      pollMs: 500,
    });
    const totalMs = Date.now() - started;
    if (!result.ok || result.rows.length !== tables) throw new Error("the drill did not pass");
    const t = result.timing;
    const renderMs = t.recoverMs + t.availableMs + t.deleteMs;
    figure("drill_render_wait", secs(renderMs), secs(provisionMs), renderMs / provisionMs);
    detail("recovery call", secs(t.recoverMs));
    detail("until available", secs(t.availableMs));
    detail("deletion", secs(t.deleteMs));
    figure("drill_own_work", secs(t.ownMs), secs(ownFloorMs), t.ownMs / Math.max(ownFloorMs, 1));
    const rest = totalMs - renderMs - t.ownMs;
    figure(
      "drill_split_render_to_total",
      `${((100 * renderMs) / totalMs).toFixed(1)} % of ${secs(totalMs)}`,
      undefined,
    );
    detail("own work", `${((100 * t.ownMs) / totalMs).toFixed(1)} %`);
    detail(
      "other (reads of the source, the leftover look-up, the checks)",
      `${((100 * rest) / totalMs).toFixed(1)} %`,
    );
    const windowMs = RECENT_LIMIT_MS + CLOCK_MARGIN_MS;
    const renderReal = 60_000 + t.recoverMs + t.deleteMs + windowMs;
    detail(
      "on Render without --at (60 s provisioning, plus the 10.5-minute wait for the window)",
      `Render ${((100 * renderReal) / (renderReal + t.ownMs + rest)).toFixed(1)} %, own ${((100 * t.ownMs) / (renderReal + t.ownMs + rest)).toFixed(2)} %`,
    );
  } finally {
    await client.close();
    await emu.close();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
