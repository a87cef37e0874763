/**
 * Postgres credentials: a new user becomes the default and can do what the old one could, over the TLS front;
 * the old one keeps working until deleted; the default cannot be deleted. Runs on PGlite, and on a PostgreSQL
 * server when EMULATOR_TEST_PG_URL is set. Every /v1 answer is validated against Render's openapi.json.
 */
import { strict as assert } from "node:assert";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "pg";
import type { EmulatorOptions, RunningEmulator } from "../../emulator";
import { validateResponse } from "../helpers/openapi";
import { apiOf, eventually, expectStatus, start, type Api } from "./harness";

interface User {
  username: string;
  default: boolean;
}

async function checked(api: Api, method: string, path: string, body?: unknown) {
  const response = await api(method, path, body);
  validateResponse(method, path, response.status, response.body);
  return response;
}

async function connectionString(api: Api, id: string): Promise<string> {
  const info = await checked(api, "GET", `/postgres/${id}/connection-info`);
  return (info.body as { externalConnectionString: string }).externalConnectionString;
}

async function connect(emu: RunningEmulator, url: string): Promise<Client> {
  const client = new Client({
    connectionString: url,
    ssl: { ca: emu.caCert },
    connectionTimeoutMillis: 5000,
  });
  client.on("error", () => undefined);
  await client.connect();
  return client;
}

function suite(kind: string, options: EmulatorOptions): void {
  describe(`emulator: postgres credentials (${kind})`, function () {
    this.timeout(60_000);
    let emu: RunningEmulator;
    let api: Api;
    let id: string;
    let original: string;
    before(async () => {
      emu = await start(options);
      api = apiOf(emu);
      const created = await api("POST", "/postgres", {
        name: "credentials-db",
        ownerId: emu.ownerId,
        plan: "basic_256mb",
        version: "16",
      });
      expectStatus(created, 201);
      ({ id, databaseUser: original } = created.body as { id: string; databaseUser: string });
      await eventually(
        async () => ((await api("GET", `/postgres/${id}`)).body as { status: string }).status === "available",
        "database available",
        // The first PGlite start of a process runs initdb: seconds on a busy machine.
        60_000,
      );
    });
    after(async () => {
      await api?.("DELETE", `/postgres/${id}`);
      await emu?.close();
    });

    it("rotates: the new user is the default, can do what the old could; the old works until deleted", async () => {
      const oldUrl = await connectionString(api, id);
      const old = await connect(emu, oldUrl);
      await old.query("CREATE TABLE accounts (id int PRIMARY KEY, name text)");
      await old.query("INSERT INTO accounts VALUES (1, 'before rotation')");

      const username = `rotated_${Math.random().toString(36).slice(2, 8)}`;
      expectStatus(await checked(api, "POST", `/postgres/${id}/credentials`, { username }), 202);
      const users = (await checked(api, "GET", `/postgres/${id}/credentials`)).body as User[];
      assert.deepEqual(
        users.map((u) => [u.username, u.default]),
        [
          [original, false],
          [username, true],
        ],
      );
      const newUrl = await connectionString(api, id);
      assert.equal(decodeURIComponent(new URL(newUrl).username), username);
      assert.notEqual(new URL(newUrl).password, new URL(oldUrl).password);

      const fresh = await connect(emu, newUrl);
      try {
        // A real role, and it reads, writes and changes the schema of what the old user made.
        const role = await fresh.query("SELECT 1 FROM pg_roles WHERE rolname = $1", [username]);
        assert.equal(role.rowCount, 1);
        // PGlite serves every connection in one session as the original role (README); a server logs it in.
        if (kind !== "pglite") {
          assert.equal((await fresh.query("SELECT current_user AS u")).rows[0].u, username);
        }
        await fresh.query("INSERT INTO accounts VALUES (2, 'after rotation')");
        await fresh.query("ALTER TABLE accounts ADD COLUMN note text");
        await fresh.query("CREATE TABLE audit (at timestamptz)");
        const rows = await fresh.query<{ name: string }>("SELECT name FROM accounts ORDER BY id");
        assert.deepEqual(
          rows.rows.map((r) => r.name),
          ["before rotation", "after rotation"],
        );
        // The old user still works, on its open connection and on a new one.
        assert.equal((await old.query("SELECT count(*)::int AS n FROM accounts")).rows[0].n, 2);
        const again = await connect(emu, oldUrl);
        await again.end();

        const refused = await checked(api, "DELETE", `/postgres/${id}/credentials/${username}`);
        expectStatus(refused, 400);
        assert.match((refused.body as { message: string }).message, /default user/);

        expectStatus(await checked(api, "DELETE", `/postgres/${id}/credentials/${original}`), 200);
        await assert.rejects(old.query("SELECT 1"), "the deleted user's open connection is ended");
        await assert.rejects(connect(emu, oldUrl), /password authentication failed/);
        // The new user still has everything, now also what the deleted user owned.
        await fresh.query("INSERT INTO accounts VALUES (3, 'after delete', 'x')");
        await fresh.query("DROP TABLE audit");
        const left = (await checked(api, "GET", `/postgres/${id}/credentials`)).body as User[];
        assert.deepEqual(
          left.map((u) => [u.username, u.default]),
          [[username, true]],
        );
      } finally {
        await fresh.end();
        await old.end().catch(() => undefined);
      }
    });

    it("answers Render-shaped errors: bad or taken username 400, unknown user or database 404", async () => {
      const path = `/postgres/${id}/credentials`;
      expectStatus(await checked(api, "POST", path, {}), 400);
      expectStatus(await checked(api, "POST", path, { username: "Bad-Name" }), 400);
      const [current] = (await checked(api, "GET", path)).body as User[];
      expectStatus(await checked(api, "POST", path, { username: current.username }), 400);
      expectStatus(await checked(api, "DELETE", `${path}/nobody_here`), 404);
      expectStatus(await checked(api, "GET", "/postgres/dpg-00000000000000000000-a/credentials"), 404);
    });
  });
}

suite("pglite", {});

describe("emulator: postgres credentials survive a restart (pglite, state folder)", function () {
  this.timeout(60_000);
  let dir: string;
  before(async () => (dir = await mkdtemp(join(tmpdir(), "credentials-spec-"))));
  after(() => rm(dir, { recursive: true, force: true }));

  it("the deleted original stays refused and the new default keeps working", async () => {
    let emu = await start({ stateDir: dir });
    let api = apiOf(emu);
    const created = await api("POST", "/postgres", {
      name: "restart-db",
      ownerId: emu.ownerId,
      plan: "basic_256mb",
      version: "16",
    });
    const { id, databaseUser } = created.body as { id: string; databaseUser: string };
    await eventually(
      async () => ((await api("GET", `/postgres/${id}`)).body as { status: string }).status === "available",
      "database available",
      // The first PGlite start of a process runs initdb: seconds on a busy machine.
      60_000,
    );
    const oldUrl = await connectionString(api, id);
    expectStatus(await api("POST", `/postgres/${id}/credentials`, { username: "second_user" }), 202);
    expectStatus(await api("DELETE", `/postgres/${id}/credentials/${databaseUser}`), 200);
    const newUrl = await connectionString(api, id);
    await emu.close();

    emu = await start({ stateDir: dir });
    api = apiOf(emu);
    try {
      await eventually(
        async () => ((await api("GET", `/postgres/${id}`)).body as { status: string }).status === "available",
        "database available again",
        // The first PGlite start of a process runs initdb: seconds on a busy machine.
        60_000,
      );
      assert.equal(await connectionString(api, id), newUrl);
      const client = await connect(emu, newUrl);
      await client.end();
      await assert.rejects(connect(emu, oldUrl), /password authentication failed/);
    } finally {
      await emu.close();
    }
  });
});
const pgUrl = process.env.EMULATOR_TEST_PG_URL;
if (pgUrl) suite("postgres server", { database: { kind: "postgres", url: pgUrl } });
