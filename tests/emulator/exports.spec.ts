/**
 * Postgres exports: a real backup of the emulated database, listed with a download URL the emulator serves,
 * gone after 7 days of the emulator clock. Every /v1 answer is validated against Render's openapi.json.
 */
import { strict as assert } from "node:assert";
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { PGlite } from "@electric-sql/pglite";
import { Client } from "pg";
import type { RunningEmulator } from "../../emulator";
import { validateResponse } from "../helpers/openapi";
import { apiOf, control, eventually, expectStatus, start, type Api } from "./harness";

const SEVEN_DAYS = 7 * 24 * 3_600_000;

/** Calls /v1 and validates the answer against the spec. */
async function checked(api: Api, method: string, path: string, body?: unknown) {
  const response = await api(method, path, body);
  validateResponse(method, path, response.status, response.body);
  return response;
}

/** Creates a database, waits until available, writes one row over TLS; returns its id and database name. */
async function seededDatabase(emu: RunningEmulator, api: Api): Promise<{ id: string; databaseName: string }> {
  const created = await checked(api, "POST", "/postgres", {
    name: "export-db",
    ownerId: emu.ownerId,
    plan: "basic_256mb",
    version: "16",
  });
  expectStatus(created, 201);
  const { id, databaseName } = created.body as { id: string; databaseName: string };
  await eventually(
    async () => ((await api("GET", `/postgres/${id}`)).body as { status: string }).status === "available",
    "database available",
    // The first PGlite start of a process runs initdb: seconds on a busy machine.
    60_000,
  );
  const info = (await api("GET", `/postgres/${id}/connection-info`)).body as {
    externalConnectionString: string;
  };
  const client = new Client({ connectionString: info.externalConnectionString, ssl: { ca: emu.caCert } });
  await client.connect();
  try {
    await client.query("CREATE TABLE notes (id int PRIMARY KEY, body text)");
    await client.query("INSERT INTO notes VALUES (1, 'written before the export')");
  } finally {
    await client.end();
  }
  return { id, databaseName };
}

/** Starts an export and waits until it is listed with its URL. */
async function exportUrl(api: Api, id: string): Promise<{ id: string; url: string; createdAt: string }> {
  const started = await checked(api, "POST", `/postgres/${id}/export`);
  expectStatus(started, 202);
  return eventually(async () => {
    const list = await checked(api, "GET", `/postgres/${id}/export`);
    expectStatus(list, 200);
    const [newest] = list.body as { id: string; url?: string; createdAt: string }[];
    return newest?.url ? (newest as { id: string; url: string; createdAt: string }) : undefined;
  }, "export listed with a url");
}

async function download(url: string): Promise<Buffer> {
  const response = await fetch(url);
  assert.equal(response.status, 200, `download ${response.status}`);
  return Buffer.from(await response.arrayBuffer());
}

describe("emulator: postgres exports (pglite)", function () {
  this.timeout(60_000);
  let emu: RunningEmulator;
  let api: Api;
  // One database for the whole block: a PGlite start takes seconds.
  let id: string;
  let databaseName: string;
  before(async () => {
    emu = await start();
    api = apiOf(emu);
    ({ id, databaseName } = await seededDatabase(emu, api));
  });
  after(() => emu?.close());

  it("exports a real backup that holds the rows, served over HTTP, listed newest first", async () => {
    const first = await exportUrl(api, id);
    assert.match(first.url, /^http:\/\/127\.0\.0\.1:\d+\/_exports\/.+\.dir\.tar\.gz$/);
    const archive = await download(first.url);
    assert.deepEqual([...archive.subarray(0, 2)], [0x1f, 0x8b], "gzip magic");
    // PGlite's data directory (see README: pg_dump cannot read PGlite's version): it opens and holds the row.
    const restored = await PGlite.create({ loadDataDir: new Blob([archive]), database: databaseName });
    try {
      const rows = await restored.query<{ body: string }>("SELECT body FROM notes");
      assert.deepEqual(
        rows.rows.map((r) => r.body),
        ["written before the export"],
      );
    } finally {
      await restored.close();
    }
    const second = await exportUrl(api, id);
    const list = (await checked(api, "GET", `/postgres/${id}/export`)).body as { id: string }[];
    assert.deepEqual(
      list.map((e) => e.id),
      [second.id, first.id],
    );
  });

  it("refuses a wrong token and forgets exports after 7 days of the emulator clock", async () => {
    const { url } = await exportUrl(api, id);
    const forged = url.replace(/\/_exports\/([^/]+)\/[^/]+\//, "/_exports/$1/0000/");
    assert.equal((await fetch(forged)).status, 404);
    await control(emu, "POST", "/clock", { advanceMs: SEVEN_DAYS - 60_000 });
    assert.equal((await fetch(url)).status, 200, "still there just before 7 days");
    await control(emu, "POST", "/clock", { advanceMs: 60_000 });
    assert.equal((await fetch(url)).status, 404, "expired");
    const list = await checked(api, "GET", `/postgres/${id}/export`);
    assert.deepEqual(list.body, []);
  });

  it("answers Render-shaped errors: unknown database 404, a suspended database 400", async () => {
    const unknown = await checked(api, "POST", "/postgres/dpg-00000000000000000000-a/export");
    expectStatus(unknown, 404);
    expectStatus(await checked(api, "GET", "/postgres/dpg-00000000000000000000-a/export"), 404);
    expectStatus(await api("POST", `/postgres/${id}/suspend`), 202);
    const refused = await checked(api, "POST", `/postgres/${id}/export`);
    expectStatus(refused, 400);
    assert.match((refused.body as { message: string }).message, /suspended.*must be available/);
  });
});

const pgUrl = process.env.EMULATOR_TEST_PG_URL;
(pgUrl ? describe : describe.skip)("emulator: postgres exports (postgres server)", function () {
  this.timeout(60_000);
  let emu: RunningEmulator;
  let api: Api;
  let work: string;
  before(async () => {
    emu = await start({ database: { kind: "postgres", url: pgUrl! } });
    api = apiOf(emu);
    work = await mkdtemp(join(tmpdir(), "export-spec-"));
  });
  after(async () => {
    await control(emu, "POST", "/reset");
    await emu?.close();
    await rm(work, { recursive: true, force: true });
  });

  it("is Render's format: a gzipped tar of a pg_dump directory archive holding the table and its row", async () => {
    const { id, databaseName } = await seededDatabase(emu, api);
    const { url } = await exportUrl(api, id);
    const file = join(work, "export.dir.tar.gz");
    await writeFile(file, await download(url));
    const run = promisify(execFile);
    await run("tar", ["-xzf", file, "-C", work]);
    const listing = (await run("pg_restore", ["--list", join(work, `${databaseName}.dir`)])).stdout;
    assert.match(listing, /TABLE DATA public notes/);
    const sql = (await run("pg_restore", ["--data-only", "--file=-", join(work, `${databaseName}.dir`)]))
      .stdout;
    assert.match(sql, /written before the export/);
  });
});
