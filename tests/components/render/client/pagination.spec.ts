import assert from "node:assert/strict";
import { collect } from "../../../../components/render/pagination";
import { clientOf, control, emulator, requestLog, type Emulator } from "./harness";

describe("render client against the emulator: pagination", function () {
  let emu: Emulator;

  before(async () => {
    emu = await emulator();
  });
  after(async () => {
    await emu.close();
  });

  it("lists env vars across several pages, passing each last cursor", async () => {
    const { client } = clientOf(emu, { pageSize: 3 });
    const { service } = await client.createService({
      type: "web_service",
      name: "paged-web",
      ownerId: emu.ownerId,
      repo: "https://github.com/example/arrakis",
      autoDeploy: "no",
      serviceDetails: {
        runtime: "node",
        envSpecificDetails: { buildCommand: "npm ci", startCommand: "node ." },
      },
    });
    const keys = Array.from({ length: 8 }, (_, i) => `K${i}`);
    await client.replaceEnvVars(
      service.id,
      keys.map((key) => ({ key, value: `v-${key}` })),
    );
    await control(emu, "DELETE", "/requests");
    const listed = await collect(client.listEnvVars(service.id));
    assert.deepEqual(listed.map((e) => e.key).sort(), keys);
    const log = await requestLog(emu, "GET", `/v1/services/${service.id}/env-vars`);
    // 3 + 3 + 2, then an empty page ends the list; each page starts after the previous last cursor.
    const cursors = log.map((r) => new URLSearchParams(r.query).get("cursor"));
    assert.equal(cursors[0], null);
    assert.ok(
      cursors.slice(1).every((c) => c),
      "later pages carry a cursor",
    );
    assert.equal(new Set(cursors).size, cursors.length, "every page asked with a new cursor");
    assert.equal(log.length, 4);
    await client.close();
  });

  it("lists services across pages, filtered by owner", async () => {
    const { client } = clientOf(emu, { pageSize: 2 });
    for (let i = 0; i < 5; i++) {
      await client.createService({
        type: "web_service",
        name: `paged-${i}`,
        ownerId: emu.ownerId,
        repo: "https://github.com/example/arrakis",
        autoDeploy: "no",
        serviceDetails: {
          runtime: "node",
          envSpecificDetails: { buildCommand: "npm ci", startCommand: "node ." },
        },
      });
    }
    const names = (await collect(client.listServices({ ownerId: [emu.ownerId] }))).map((s) => s.name);
    for (let i = 0; i < 5; i++) assert.ok(names.includes(`paged-${i}`), `paged-${i} listed`);
    assert.equal(new Set(names).size, names.length, "no service listed twice");
    await client.close();
  });
});
