/**
 * Point-in-time recovery: availability and window, and a recovery into a new database holding the data as it was
 * at the time asked (never newer). Runs on PGlite, and on a PostgreSQL server when EMULATOR_TEST_PG_URL is set.
 * Every /v1 answer is validated against Render's openapi.json.
 */
import { strict as assert } from "node:assert";
import { Client } from "pg";
import type { EmulatorOptions, RunningEmulator } from "../../emulator";
import { validateResponse } from "../helpers/openapi";
import { apiOf, control, eventually, expectStatus, start, type Api } from "./harness";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

async function checked(api: Api, method: string, path: string, body?: unknown) {
  const response = await api(method, path, body);
  validateResponse(method, path, response.status, response.body);
  return response;
}

async function available(api: Api, id: string): Promise<void> {
  await eventually(
    async () => ((await api("GET", `/postgres/${id}`)).body as { status: string }).status === "available",
    `${id} available`,
    // The first PGlite start of a process runs initdb: seconds on a busy machine.
    60_000,
  );
}

async function query(emu: RunningEmulator, api: Api, id: string, sql: string): Promise<unknown[]> {
  const info = (await api("GET", `/postgres/${id}/connection-info`)).body as {
    externalConnectionString: string;
  };
  const client = new Client({ connectionString: info.externalConnectionString, ssl: { ca: emu.caCert } });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

async function createDatabase(emu: RunningEmulator, api: Api, plan: string): Promise<string> {
  const created = await api("POST", "/postgres", {
    name: "pitr-db",
    ownerId: emu.ownerId,
    plan,
    version: "16",
  });
  expectStatus(created, 201);
  const { id } = created.body as { id: string };
  await available(api, id);
  return id;
}

function suite(kind: string, options: EmulatorOptions): void {
  describe(`emulator: postgres point-in-time recovery (${kind})`, function () {
    this.timeout(90_000);
    let emu: RunningEmulator;
    let api: Api;
    let id: string;
    let firstWriteAt: number;
    before(async () => {
      emu = await start(options);
      api = apiOf(emu);
      id = await createDatabase(emu, api, "basic_1gb");
    });
    after(async () => {
      await control(emu, "POST", "/reset");
      await emu?.close();
    });

    it("is BACKUP_NOT_READY at first, then AVAILABLE with a hobby window; restores the data as it was", async () => {
      const first = await checked(api, "GET", `/postgres/${id}/recovery`);
      assert.deepEqual(first.body, { recoveryStatus: "BACKUP_NOT_READY" });

      await query(emu, api, id, "CREATE TABLE events (name text)");
      await query(emu, api, id, "INSERT INTO events VALUES ('first')");
      firstWriteAt = Date.parse(((await control(emu, "GET", "/clock")) as { now: string }).now);
      await control(emu, "POST", "/clock", { advanceMs: 2 * HOUR });
      await query(emu, api, id, "INSERT INTO events VALUES ('second')");
      await control(emu, "POST", "/clock", { advanceMs: 2 * HOUR });

      const info = (await checked(api, "GET", `/postgres/${id}/recovery`)).body as {
        recoveryStatus: string;
        startsAt: string;
      };
      assert.equal(info.recoveryStatus, "AVAILABLE");
      assert.ok(Date.parse(info.startsAt) <= firstWriteAt + 1.5 * HOUR, `startsAt ${info.startsAt}`);

      // Between the two writes: the first row, not the second.
      const between = new Date(firstWriteAt + 1.5 * HOUR).toISOString();
      const recovered = await checked(api, "POST", `/postgres/${id}/recovery`, {
        restoreTime: between,
        restoreName: "pitr-drill",
      });
      expectStatus(recovered, 200);
      const db = recovered.body as {
        id: string;
        name: string;
        status: string;
        databaseUser: string;
        plan: string;
      };
      assert.notEqual(db.id, id);
      assert.equal(db.name, "pitr-drill");
      assert.equal(db.status, "creating");
      assert.equal(db.plan, "basic_1gb");
      await available(api, db.id);
      assert.deepEqual(await query(emu, api, db.id, "SELECT name FROM events ORDER BY name"), [
        { name: "first" },
      ]);
      const source = (await api("GET", `/postgres/${id}/connection-info`)).body as { password: string };
      const copy = (await api("GET", `/postgres/${db.id}/connection-info`)).body as { password: string };
      assert.notEqual(copy.password, source.password, "own credentials");
      // The source is untouched and still has both rows.
      assert.deepEqual(await query(emu, api, id, "SELECT count(*)::int AS n FROM events"), [{ n: 2 }]);
    });

    it("refuses, with a 400 that says why: outside the window, the last 10 minutes, a lower plan", async () => {
      const path = `/postgres/${id}/recovery`;
      const now = Date.parse(((await control(emu, "GET", "/clock")) as { now: string }).now);
      const before = await checked(api, "POST", path, { restoreTime: new Date(now - 5 * DAY).toISOString() });
      expectStatus(before, 400);
      assert.match((before.body as { message: string }).message, /outside the recovery window: from .* to /);
      const recent = await checked(api, "POST", path, {
        restoreTime: new Date(now - 5 * 60_000).toISOString(),
      });
      expectStatus(recent, 400);
      assert.match((recent.body as { message: string }).message, /last 10 minutes/);
      const restoreTime = new Date(now - HOUR).toISOString();
      const lower = await checked(api, "POST", path, { restoreTime, plan: "basic_256mb" });
      expectStatus(lower, 400);
      assert.match((lower.body as { message: string }).message, /lower tier/);
      expectStatus(await checked(api, "POST", path, {}), 400);
      expectStatus(await checked(api, "GET", "/postgres/dpg-00000000000000000000-a/recovery"), 404);
    });

    it("is NOT_AVAILABLE on the free plan; the window follows the workspace tier", async () => {
      const free = await createDatabase(emu, api, "free");
      const info = await checked(api, "GET", `/postgres/${free}/recovery`);
      assert.deepEqual(info.body, { recoveryStatus: "NOT_AVAILABLE" });
      const refused = await checked(api, "POST", `/postgres/${free}/recovery`, {
        restoreTime: new Date().toISOString(),
      });
      expectStatus(refused, 400);

      await control(emu, "POST", "/clock", { advanceMs: 4 * DAY });
      const now = () => control(emu, "GET", "/clock").then((c) => Date.parse((c as { now: string }).now));
      const hobby = (await checked(api, "GET", `/postgres/${id}/recovery`)).body as { startsAt: string };
      assert.ok(Math.abs((await now()) - 3 * DAY - Date.parse(hobby.startsAt)) < 60_000, "3 days on hobby");
      await control(emu, "PUT", "/workspace", { tier: "professional" });
      const pro = (await checked(api, "GET", `/postgres/${id}/recovery`)).body as { startsAt: string };
      assert.ok(
        Date.parse(pro.startsAt) < Date.parse(hobby.startsAt) - DAY,
        "older than 3 days on professional",
      );
    });
  });
}

suite("pglite", {});
const pgUrl = process.env.EMULATOR_TEST_PG_URL;
if (pgUrl) suite("postgres server", { database: { kind: "postgres", url: pgUrl } });
