/**
 * Persistence: with a state folder, the emulator's objects, the clock and the databases' data survive
 * a restart of the emulator (the local stack's use).
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Client } from "pg";
import type { RunningEmulator } from "../../emulator";
import { apiOf, control, eventually, expectStatus, start, webServiceBody } from "./harness";

const KEY = "rnd_persisted_key_0123456789";
const OWNER = "tea-d303qfodl3ps739p3e60";

describe("emulator persistence across a restart", function () {
  let stateDir: string;
  let emu: RunningEmulator | undefined;

  before(() => {
    stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "emulator-state-"));
  });
  after(async () => {
    await emu?.close();
    fs.rmSync(stateDir, { recursive: true, force: true });
  });

  it("reloads services, env vars, deploys, databases (with their data) and the clock", async () => {
    emu = await start({ stateDir, apiKey: KEY, ownerId: OWNER });
    let api = apiOf(emu);
    const created = await api("POST", "/postgres", {
      name: "kept",
      ownerId: OWNER,
      plan: "basic_256mb",
      version: "16",
      databaseName: "kept",
    });
    expectStatus(created, 201);
    const dbId = (created.body as { id: string }).id;
    await eventually(
      async () => ((await api("GET", `/postgres/${dbId}`)).body as { status: string }).status === "available",
      "available",
      60_000,
    );
    const info = (await api("GET", `/postgres/${dbId}/connection-info`)).body as {
      externalConnectionString: string;
    };
    const ca = emu.caCert;
    let client = new Client({ connectionString: info.externalConnectionString, ssl: { ca } });
    await client.connect();
    await client.query("CREATE TABLE notes (body text)");
    await client.query("INSERT INTO notes VALUES ('survives')");
    await client.end();

    const service = await api(
      "POST",
      "/services",
      webServiceBody(OWNER, "kept-web", { envVars: [{ key: "A", value: "1" }] }),
    );
    expectStatus(service, 201);
    const { service: s, deployId } = service.body as { service: { id: string }; deployId: string };
    await control(emu, "POST", "/clock", { advanceMs: 3_600_000 });
    const before = (await api("GET", `/services/${s.id}`)).body;
    const deployBefore = (await api("GET", `/services/${s.id}/deploys/${deployId}`)).body as {
      status: string;
    };
    assert.equal(deployBefore.status, "live");
    await emu.close();
    emu = undefined;

    assert.ok(fs.existsSync(path.join(stateDir, "state.json")));
    assert.deepEqual(
      fs.readdirSync(stateDir).filter((f) => f.endsWith(".tmp")),
      [],
      "no temp files left behind",
    );

    emu = await start({ stateDir, apiKey: KEY, ownerId: OWNER });
    api = apiOf(emu);
    const after = (await api("GET", `/services/${s.id}`)).body as Record<string, unknown>;
    const port = (u: unknown) => JSON.stringify(u).replace(/127\.0\.0\.1:\d+/g, "127.0.0.1:PORT");
    assert.equal(port(after), port(before), "the service is the same (its URL follows the new port)");
    assert.deepEqual((await api("GET", `/services/${s.id}/env-vars/A`)).body, { key: "A", value: "1" });
    assert.equal(
      ((await api("GET", `/services/${s.id}/deploys/${deployId}`)).body as { status: string }).status,
      "live",
    );
    const clock = (await control(emu, "GET", "/clock")) as { offsetMs: number };
    assert.ok(clock.offsetMs >= 3_600_000, "the clock offset is kept");

    await eventually(
      async () => ((await api("GET", `/postgres/${dbId}`)).body as { status: string }).status === "available",
      "available again",
      60_000,
    );
    const again = (await api("GET", `/postgres/${dbId}/connection-info`)).body as {
      externalConnectionString: string;
    };
    // As on Render, the connection string does not change (its port is reused after the restart).
    assert.equal(again.externalConnectionString, info.externalConnectionString);
    // The CA is kept with the state: a client that trusted it before the restart still does.
    assert.equal(emu.caCert, ca);
    client = new Client({ connectionString: again.externalConnectionString, ssl: { ca } });
    await client.connect();
    try {
      const rows = await client.query("SELECT body FROM notes");
      assert.deepEqual(rows.rows, [{ body: "survives" }]);
    } finally {
      await client.end();
    }
  });
});
