import * as assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { Client, Pool } from "pg";
import { createDatabaseBackend, type DatabaseBackend, type DatabaseHandle } from "../../emulator/databases";

const START_SCRIPT = join(__dirname, "../../emulator/databases/start-test-postgres.sh");

function clientConfig(handle: DatabaseHandle): {
  host: string;
  port: number;
  database: string;
  user: string;
  password: string;
} {
  return {
    host: handle.host,
    port: handle.port,
    database: handle.databaseName,
    user: handle.user,
    password: handle.password,
  };
}

/** Connects, and swallows the error event a dropped server emits later (the test checks queries instead). */
async function connect(handle: DatabaseHandle, override: Partial<ReturnType<typeof clientConfig>> = {}) {
  const client = new Client({ ...clientConfig(handle), ...override, connectionTimeoutMillis: 5000 });
  client.on("error", () => undefined);
  await client.connect();
  return client;
}

/** Unique per run, so that a postgres server reused across runs never sees the same names twice. */
function uniqueSpec(prefix: string) {
  const suffix = Math.random().toString(36).slice(2, 8);
  return {
    id: `dpg-${prefix}${suffix}-a`,
    databaseName: `${prefix}_db_${suffix}`,
    user: `${prefix}_user_${suffix}`,
    password: `Pw'\\${suffix}${suffix}`,
  };
}

/** The behaviour every kind must show; `fresh` creates a backend of that kind. */
function sharedBehaviour(fresh: () => DatabaseBackend, prefix: string): void {
  let backend: DatabaseBackend;
  before(() => {
    backend = fresh();
  });
  after(async () => {
    await backend.close();
  });

  it("serves pgvector to a Client and a Pool of 3 as the given user and database", async () => {
    const spec = uniqueSpec(prefix);
    const handle = await backend.provision(spec);
    assert.equal(handle.databaseName, spec.databaseName);
    assert.equal(handle.user, spec.user);
    assert.equal(handle.password, spec.password);
    const client = await connect(handle);
    try {
      const who = await client.query("SELECT current_user AS u, current_database() AS d");
      assert.deepEqual(who.rows[0], { u: spec.user, d: spec.databaseName });
      await client.query("CREATE EXTENSION vector");
      await client.query("CREATE TABLE items (id int PRIMARY KEY, embedding vector(3))");
      await client.query("INSERT INTO items VALUES (1, '[1,0,0]'), (2, '[0,1,0]'), (3, '[0,0,1]')");
      const nearest = await client.query(
        "SELECT id FROM items ORDER BY embedding <-> '[0.1,0.9,0.2]' LIMIT 1",
      );
      assert.equal(nearest.rows[0].id, 2);
    } finally {
      await client.end();
    }

    const pool = new Pool({ ...clientConfig(handle), max: 3 });
    pool.on("error", () => undefined);
    try {
      // Mixed parameterized statements from 3 connections at once: each answer must be its own.
      const answers = await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          i % 2
            ? pool.query("SELECT $1::int AS v", [i])
            : pool.query("SELECT id, $1::text AS v FROM items WHERE id = $2", [String(i), (i % 3) + 1]),
        ),
      );
      answers.forEach((answer, i) => assert.equal(String(answer.rows[0].v), String(i)));
      assert.equal(pool.totalCount, 3);
      const tx = await pool.connect();
      try {
        await tx.query("BEGIN");
        await tx.query("INSERT INTO items VALUES (4, '[0.1,0.9,0.2]')");
        await tx.query("COMMIT");
      } finally {
        tx.release();
      }
      const nearest = await pool.query("SELECT id FROM items ORDER BY embedding <-> '[0.1,0.9,0.2]' LIMIT 1");
      assert.equal(nearest.rows[0].id, 4);
    } finally {
      await pool.end();
    }
  });

  it("rejects a wrong password, user or database", async () => {
    const spec = uniqueSpec(prefix);
    const handle = await backend.provision(spec);
    await assert.rejects(connect(handle, { password: "wrong" }), /password authentication failed/);
    await assert.rejects(connect(handle, { user: "someone_else" }), /password authentication failed/);
    await assert.rejects(connect(handle, { database: "other_db" }), /does not exist|permission denied/);
    await backend.drop(spec.id);
  });

  it("provisions idempotently per id", async () => {
    const spec = uniqueSpec(prefix);
    const [first, second] = await Promise.all([backend.provision(spec), backend.provision(spec)]);
    assert.deepEqual(second, first);
    const client = await connect(first);
    await client.query("CREATE TABLE marks (n int)");
    await client.query("INSERT INTO marks VALUES (7)");
    await client.end();
    const third = await backend.provision(spec);
    assert.deepEqual(third, first);
    const again = await connect(third);
    assert.equal((await again.query("SELECT n FROM marks")).rows[0].n, 7);
    await again.end();
    await backend.drop(spec.id);
  });

  it("drop ends open connections, refuses new ones and deletes the data", async () => {
    const spec = uniqueSpec(prefix);
    const handle = await backend.provision(spec);
    const client = await connect(handle);
    await client.query("CREATE TABLE gone (n int)");
    await backend.drop(spec.id);
    await assert.rejects(client.query("SELECT 1"));
    await client.end().catch(() => undefined);
    await assert.rejects(connect(handle));
    // Provisioning the same id again gives an empty database.
    const reborn = await backend.provision(spec);
    const fresh = await connect(reborn);
    const tables = await fresh.query("SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 'gone'");
    assert.equal(tables.rows[0].n, 0);
    await fresh.end();
    await backend.drop(spec.id);
  });

  it("refuses names that are not plain identifiers, without echoing the password", async () => {
    const spec = uniqueSpec(prefix);
    await assert.rejects(
      backend.provision({ ...spec, databaseName: 'x"; DROP DATABASE postgres; --' }),
      (error: Error) => {
        assert.match(error.message, /\[databaseName\]/);
        assert.ok(!error.message.includes(spec.password));
        return true;
      },
    );
    await assert.rejects(backend.provision({ ...spec, user: "a b" }), /\[user\]/);
    await assert.rejects(backend.provision({ ...spec, id: "../etc" }), /\[id\]/);
  });
}

describe("emulator databases: pglite", function () {
  this.timeout(60_000);
  sharedBehaviour(() => createDatabaseBackend({ kind: "pglite" }), "pgl");

  it("serializes transactions: another connection waits for the commit, then sees it", async () => {
    const backend = createDatabaseBackend({ kind: "pglite" });
    try {
      const handle = await backend.provision(uniqueSpec("ser"));
      const writer = await connect(handle);
      const reader = await connect(handle);
      await writer.query("CREATE TABLE t (n int)");
      await writer.query("BEGIN");
      await writer.query("INSERT INTO t VALUES (1)");
      let readerDone = false;
      const read = reader.query("SELECT count(*)::int AS n FROM t").finally(() => (readerDone = true));
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal(readerDone, false, "PGlite runs one transaction at a time");
      await writer.query("COMMIT");
      assert.equal((await read).rows[0].n, 1);
      await writer.end();
      await reader.end();
    } finally {
      await backend.close();
    }
  });

  describe("with a dataDir", () => {
    let dataDir: string;
    before(async () => {
      dataDir = await mkdtemp(join(tmpdir(), "emulator-db-spec-"));
    });
    after(async () => {
      await rm(dataDir, { recursive: true, force: true });
    });

    it("reattaches the same data after close and a new backend", async () => {
      const spec = uniqueSpec("per");
      const first = createDatabaseBackend({ kind: "pglite", dataDir });
      try {
        const handle = await first.provision(spec);
        const client = await connect(handle);
        await client.query("CREATE EXTENSION vector");
        await client.query("CREATE TABLE kept (id int, embedding vector(3))");
        await client.query("INSERT INTO kept VALUES (42, '[1,2,3]')");
        await client.end();
      } finally {
        await first.close();
      }

      const second = createDatabaseBackend({ kind: "pglite", dataDir });
      try {
        const handle = await second.provision(spec);
        const client = await connect(handle);
        const row = await client.query("SELECT id, embedding::text AS e FROM kept");
        assert.deepEqual(row.rows, [{ id: 42, e: "[1,2,3]" }]);
        await client.end();
        // Other names for a running id are refused rather than answered with the first ones.
        await assert.rejects(second.provision({ ...spec, user: "other_user" }), /already provisioned with/);
      } finally {
        await second.close();
      }

      const checker = createDatabaseBackend({ kind: "pglite", dataDir });
      try {
        // Other names for a persisted id are refused, never silently recreated over the data.
        await assert.rejects(checker.provision({ ...spec, user: "other_user" }), /persisted data holds/);
        await checker.drop(spec.id);
      } finally {
        await checker.close();
      }

      const third = createDatabaseBackend({ kind: "pglite", dataDir });
      try {
        const handle = await third.provision(spec);
        const client = await connect(handle);
        const tables = await client.query(
          "SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 'kept'",
        );
        assert.equal(tables.rows[0].n, 0, "drop deleted the persisted data");
        await client.end();
      } finally {
        await third.close();
      }
    });
  });
});

/**
 * Uses EMULATOR_TEST_PG_URL when set; otherwise runs start-test-postgres.sh (which installs PostgreSQL 15 and
 * builds pgvector if missing, then starts a server on 127.0.0.1:54329) and stops the server afterwards if
 * this run started it.
 */
describe("emulator databases: postgres server", function () {
  this.timeout(60_000);
  let url = process.env.EMULATOR_TEST_PG_URL ?? "";
  let startedHere = false;

  before(async function () {
    if (url) return;
    this.timeout(15 * 60_000); // a first run may install packages and build pgvector
    const wasRunning = await execFileAsync("pg_isready", ["-h", "127.0.0.1", "-p", "54329"]).then(
      () => true,
      () => false,
    );
    try {
      const { stdout } = await execFileAsync("bash", [START_SCRIPT], { timeout: 14 * 60_000 });
      url = stdout.trim().split("\n").pop() ?? "";
    } catch (error) {
      throw new Error(
        `could not start the test PostgreSQL server with ${START_SCRIPT} (run it by hand, or set ` +
          `EMULATOR_TEST_PG_URL to an admin URL of a server with pgvector): ${(error as Error).message}`,
      );
    }
    startedHere = !wasRunning;
  });
  after(async () => {
    if (startedHere) await execFileAsync("bash", [START_SCRIPT, "stop"]);
  });

  sharedBehaviour(() => createDatabaseBackend({ kind: "postgres", url }), "srv");

  it("never puts the admin password in errors", async () => {
    const bad = createDatabaseBackend({
      kind: "postgres",
      url: "postgresql://postgres:S3cretAdm1n@127.0.0.1:1/postgres",
    });
    await assert.rejects(bad.provision(uniqueSpec("err")), (error: Error) => {
      assert.match(error.message, /could not provision database/);
      assert.ok(!error.message.includes("S3cretAdm1n"));
      return true;
    });
    await bad.close();
  });
});

const execFileAsync = promisify(execFile);
