/**
 * The restore drill's logic (tools/restoreDrillRun.ts) against an in-process emulator, over emulated hours: the
 * drill's waits move the emulator's clock (its control API), as hours pass on Render. On a PostgreSQL server
 * when EMULATOR_TEST_PG_URL is set, else on PGlite. The command line and a `kill -9` are in
 * tests/engine/databaseSafetyNet.spec.ts.
 */
import { strict as assert } from "node:assert";
import { Client } from "pg";
import { databaseTrustEnv, type RunningEmulator } from "../../emulator";
import { RenderClient } from "../../components/render/client";
import { control, eventually, start } from "../emulator/harness";
import {
  DrillAbortedError,
  DrillInputError,
  drillName,
  isDrillName,
  parseRestoreTime,
  renderClock,
  runRestoreDrill,
  type DrillOptions,
  type DrillResult,
} from "../../tools/restoreDrillRun";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const pgUrl = process.env.EMULATOR_TEST_PG_URL;

describe(`tools: the restore drill against the emulator (${pgUrl ? "postgres server" : "pglite"})`, function () {
  this.timeout(180_000);
  let emu: RunningEmulator;
  let client: RenderClient;
  let sourceId = "";
  const sourceName = "arrakis-db";
  let firstWriteAt = 0;

  const now = async () => Date.parse(((await control(emu, "GET", "/clock")) as { now: string }).now);
  const advance = (ms: number) => control(emu, "POST", "/clock", { advanceMs: ms });
  const writes = async () =>
    ((await control(emu, "GET", "/requests")) as { method: string; path: string }[])
      .filter((r) => r.method !== "GET")
      .map((r) => `${r.method} ${r.path}`);
  const databases = async () => {
    const all: { id: string; name: string }[] = [];
    for await (const db of client.listPostgres()) all.push({ id: db.id, name: db.name });
    return all;
  };

  async function sql(id: string, text: string, params: unknown[] = []): Promise<unknown[]> {
    const info = await client.getPostgresConnectionInfo(id);
    const db = new Client({ connectionString: info.externalConnectionString, ssl: { ca: emu.caCert } });
    await db.connect();
    try {
      return (await db.query(text, params)).rows;
    } finally {
      await db.end();
    }
  }

  async function createDatabase(name: string, plan: string): Promise<string> {
    const db = await client.createPostgres({
      name,
      ownerId: emu.ownerId,
      plan,
      version: "16",
      ipAllowList: [{ cidrBlock: "0.0.0.0/0", description: "everywhere" }],
    });
    await eventually(
      async () => (await client.getPostgres(db.id)).status === "available",
      `${name} available`,
      60_000,
    );
    return db.id;
  }

  /** Drill options; each wait moves the emulator's clock a minute (the 10-minute wait is 11 polls). */
  async function options(extra: Partial<DrillOptions> = {}) {
    const log: string[] = [];
    const out: string[] = [];
    const clock = await renderClock(emu.url);
    assert.equal(clock.emulator, true);
    const opts: DrillOptions = {
      client,
      databaseId: sourceId,
      trustEnv: databaseTrustEnv(emu),
      clock: clock.now,
      log: (line) => log.push(line),
      out: (line) => out.push(line),
      pollMs: MINUTE,
      sleep: async () => {
        await advance(MINUTE);
      },
      ...extra,
    };
    return { opts, log, out };
  }

  before(async () => {
    emu = await start(pgUrl ? { database: { kind: "postgres", url: pgUrl } } : {});
    client = new RenderClient({ apiKey: emu.apiKey, baseUrl: emu.url, budget: false });
    sourceId = await createDatabase(sourceName, "basic_256mb");
    await sql(sourceId, "CREATE TABLE events (name text)");
    await sql(sourceId, "CREATE TABLE notes (body text)");
    await sql(sourceId, "INSERT INTO events VALUES ('first')");
    await sql(sourceId, "INSERT INTO notes VALUES ('a'), ('b'), ('c')");
    firstWriteAt = await now();
    // Hours pass (the first backup is made), then a second write, and more hours.
    await advance(2 * HOUR);
    await sql(sourceId, "INSERT INTO events VALUES ('second')");
    await advance(2 * HOUR);
  });

  after(async () => {
    await client?.close();
    await emu?.close();
  });

  it("without --at: a census now, a wait until it is restorable, the restore holds exactly it, then is deleted", async () => {
    const { opts, log, out } = await options();
    const census = await now();
    const result = await runRestoreDrill(opts);
    assert.equal(result.ok, true, out.join("\n"));
    assert.equal(result.mode, "exact");
    assert.ok(Date.parse(result.restoreTime) >= census, result.restoreTime);
    assert.deepEqual(result.rows, [
      { table: "public.events", source: 2, restored: 2 },
      { table: "public.notes", source: 3, restored: 3 },
    ]);
    // The cost first, on Render's monthly price of the plan.
    assert.match(
      out[0],
      /^Cost: the drill database is a new basic_256mb database, .*\$0\.23 for a day of it \(\$7\/month \/ 30; .*UNCONFIRMED\)\.$/,
    );
    assert.ok(
      log.some((l) => /^Waiting for .* to enter the recovery window .*: 10 min \d\d s left$/.test(l)),
      log.join("\n"),
    );
    // The recovered database came without the source's allow list (the emulator's choice): the drill sets it.
    assert.ok(
      log.some((l) =>
        /^Giving arrakis-db-drill-\S+ the source's IP allow list \(0\.0\.0\.0\/0\) so the drill can connect$/.test(
          l,
        ),
      ),
      log.join("\n"),
    );
    assert.match(out.join("\n"), /public\.events\s+2\s+2\s+ok\n.*public\.notes\s+3\s+3\s+ok\nDrill passed/);
    assert.match(result.restored!.name, new RegExp(`^${sourceName}-drill-\\d{8}t\\d{6}z$`));
    assert.equal(result.restored!.deleted, true);
    assert.ok(!(await databases()).some((d) => d.id === result.restored!.id), "the drill database is gone");
    assert.ok(result.timing.waitWindowMs > 0 && result.timing.ownMs > 0);
  });

  it("--at between two writes: the restore has the first row and not the second; differences are changes since then", async () => {
    const seen: unknown[] = [];
    const at = new Date(firstWriteAt + 90 * MINUTE).toISOString();
    const { opts, out } = await options({
      at,
      inspect: async (db) => {
        seen.push(...(await db.query("SELECT name FROM events ORDER BY name")).rows);
      },
    });
    const result = await runRestoreDrill(opts);
    assert.deepEqual(seen, [{ name: "first" }]);
    assert.equal(result.ok, true);
    assert.equal(result.mode, "since");
    assert.equal(result.restoreTime, at);
    assert.deepEqual(result.rows, [
      { table: "public.events", source: 2, restored: 1 },
      { table: "public.notes", source: 3, restored: 3 },
    ]);
    assert.match(out.join("\n"), /public\.events\s+2\s+1\s+changed since then/);
    assert.match(out.join("\n"), /Drill passed: .* 1 table\(s\) changed since then\./);
    assert.ok(!(await databases()).some((d) => d.id === result.restored!.id));
  });

  it("a failure after the recovery, and an interruption: the drill database is deleted either way", async () => {
    const before = (await databases()).length;
    const failing = await options({
      at: new Date(firstWriteAt + 90 * MINUTE).toISOString(),
      inspect: () => Promise.reject(new Error("checking the restore failed")),
    });
    await assert.rejects(runRestoreDrill(failing.opts), /checking the restore failed/);
    assert.ok(
      failing.log.some((l) => /^Deleted arrakis-db-drill-/.test(l)),
      failing.log.join("\n"),
    );
    assert.equal((await databases()).length, before);

    // Ctrl-C once the drill database exists (the command aborts the signal on SIGINT/SIGTERM).
    const stop = new AbortController();
    const interrupted = await options({ signal: stop.signal });
    const log = interrupted.opts.log;
    interrupted.opts.log = (line) => {
      log(line);
      if (line.startsWith("Created ")) stop.abort();
    };
    await assert.rejects(runRestoreDrill(interrupted.opts), DrillAbortedError);
    assert.ok(interrupted.log.some((l) => l.startsWith("Created ")));
    assert.ok(
      interrupted.log.some((l) => /^Deleted arrakis-db-drill-/.test(l)),
      interrupted.log.join("\n"),
    );
    assert.equal((await databases()).length, before);
  });

  it("a drill database left by a killed drill is found and removed by the next one; other names are not touched", async () => {
    // What a `kill -9` after the recovery leaves: a database named as a drill's, of the same source.
    const at = new Date(firstWriteAt + 90 * MINUTE).toISOString();
    const left = await client.recoverPostgres(sourceId, {
      restoreTime: at,
      restoreName: drillName(sourceName, Date.parse(at) - HOUR),
    });
    const kept = await client.recoverPostgres(sourceId, {
      restoreTime: at,
      restoreName: `${sourceName}-restore-20261205t000000z`,
    });
    const other = await client.recoverPostgres(sourceId, {
      restoreTime: at,
      restoreName: `${sourceName}-drill-notes`,
    });
    const { opts, log, out } = await options({ at });
    const result: DrillResult = await runRestoreDrill(opts);
    assert.deepEqual(result.removedLeftovers, [left.id]);
    assert.ok(
      log.some((l) =>
        l.startsWith(`Removing ${left.name} (${left.id}), a drill database an earlier drill left`),
      ),
      log.join("\n"),
    );
    assert.ok(
      out.some((l) => l === `Removed 1 drill database(s) left by an earlier, interrupted drill: ${left.id}.`),
      out.join("\n"),
    );
    const names = (await databases()).map((d) => d.id);
    assert.ok(!names.includes(left.id));
    assert.ok(names.includes(kept.id) && names.includes(other.id));
    await client.deletePostgres(kept.id);
    await client.deletePostgres(other.id);
    assert.equal(isDrillName(sourceName, `${sourceName}-drill-notes`), false);
  });

  describe("bad input: a clear error before any write", () => {
    async function refused(extra: Partial<DrillOptions>, pattern: RegExp): Promise<void> {
      await control(emu, "DELETE", "/requests");
      const { opts } = await options(extra);
      await assert.rejects(runRestoreDrill(opts), (err: Error) => {
        assert.ok(err instanceof DrillInputError, err.stack);
        assert.match(err.message, pattern);
        return true;
      });
      assert.deepEqual(await writes(), []);
    }

    it("an --at in the future, inside the last 10 minutes, before the window, or not a time", async () => {
      const t = await now();
      await refused(
        { at: new Date(t + HOUR).toISOString() },
        /^--at .* is in the future \(now is .*\); the recovery window is from .* to /,
      );
      await refused(
        { at: new Date(t - 5 * MINUTE).toISOString() },
        /^--at .* is inside the last 10 minutes, which Render never restores; the recovery window is from /,
      );
      await refused(
        { at: new Date(t - 30 * 24 * HOUR).toISOString() },
        /^--at .* is before the recovery window; the recovery window is from \d{4}-/,
      );
      await refused(
        { at: "yesterday" },
        /^--at "yesterday" is not a time: use RFC 3339 with a zone, e\.g\. 2026-12-05T21:30:00Z$/,
      );
      await refused({ at: "2026-12-05T21:30:00" }, /is not a time/);
      assert.equal(parseRestoreTime("2026-12-05 21:30Z"), Date.parse("2026-12-05T21:30:00Z"));
      assert.equal(parseRestoreTime("2026-12-05T22:30:00+01:00"), Date.parse("2026-12-05T21:30:00Z"));
    });

    it("a free-plan database (NOT_AVAILABLE) and one without a backup yet (BACKUP_NOT_READY)", async () => {
      const free = await createDatabase("free-db", "free");
      await refused(
        { databaseId: free },
        /^point-in-time recovery is not available for free-db \(.*plan free\): Render offers it on paid plans only/,
      );
      const fresh = await createDatabase("fresh-db", "basic_256mb");
      await refused(
        { databaseId: fresh },
        /^point-in-time recovery of fresh-db \(.*\) is BACKUP_NOT_READY: Render has no backup/,
      );
    });
  });
});
