/**
 * The importer's live lookup finds a render.yaml `type: workflow` at `/workflows` (not `/services`):
 * its id is written as importId, and a live env var the Blueprint lacks is a loss, as for a service.
 */
import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { startEmulator, type RunningEmulator } from "../../emulator";
import { lookupLive } from "../../tools/blueprint/lookup";
import { convertBlueprint, liveKey } from "../../tools/blueprint/convert";
import { readBlueprint } from "../../tools/blueprint/validate";
import { api, instantDatabaseBackend } from "./liveSeed";

describe("blueprint import: a live workflow is found and adopted by id", function () {
  this.timeout(30_000);
  let emu: RunningEmulator;

  before(async () => {
    emu = await startEmulator({
      port: 0,
      timings: "fast",
      rateLimits: { enabled: false, timeScale: 1 },
      databaseBackend: instantDatabaseBackend(),
    });
  });
  after(async () => {
    await emu?.close();
  });

  it("writes the workflow's id as importId and lists its live env var the Blueprint lacks", async () => {
    const created = await api(emu, "POST", "/workflows", {
      name: "trender-wf",
      ownerId: emu.ownerId,
      region: "oregon",
      runCommand: "python workflow.py",
      buildConfig: {
        repo: "https://github.com/render-examples/trender",
        runtime: "python",
        buildCommand: "pip install -r requirements.txt",
      },
      envVars: [
        { key: "GITHUB_TOKEN", value: "ghp_not_real" },
        { key: "HAND_MADE", value: "x" },
      ],
    });
    assert.equal(created.status, 201);
    const id = (created.body as { id: string }).id;
    const file = path.join(__dirname, "corpus/render-examples__trender.render.yaml");
    const bp = readBlueprint(readFileSync(file, "utf8"));
    assert.ok(bp.ok);
    const live = await lookupLive(
      bp.blueprint,
      { ownerId: emu.ownerId },
      { apiKey: emu.apiKey, baseUrl: emu.url },
    );
    assert.equal(live.ids?.get(liveKey("services", "trender-wf", "workflow")), id);
    assert.deepEqual(live.envVarKeys?.get(id)?.sort(), ["GITHUB_TOKEN", "HAND_MADE"]);
    const c = convertBlueprint(bp.blueprint, { repo: "https://github.com/render-examples/trender" }, live);
    const wf = (c.config["arrakis:services"] as Record<string, unknown>[]).find(
      (s) => s.name === "trender-wf",
    )!;
    assert.equal(wf.importId, id);
    assert.deepEqual(c.losses.map((l) => l.message).filter((m) => m.includes("HAND_MADE")).length, 1);
  });
});
