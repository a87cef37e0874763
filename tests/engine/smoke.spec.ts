/**
 * Smoke test of the real Pulumi engine against the Render API emulator: a program with one dynamic
 * resource (an env var of a service, tests/engine/fixtures/smoke) goes through up, a no-change
 * preview, drift made through the Render API, and destroy.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { startEmulator, type RunningEmulator } from "../../emulator";
import { requireEngine } from "../../tools/pulumi-engine/locate";
import { PulumiStack, type PulumiResult } from "../../tools/harness/pulumiCli";

const fixture = path.join(__dirname, "fixtures", "smoke");

describe("engine smoke: a dynamic resource against the emulator", function () {
  this.timeout(180_000);
  let emu: RunningEmulator;
  let stack: PulumiStack;
  let serviceId: string;
  const results: PulumiResult[] = [];

  /** Calls the emulator's Render API with the stack's key. */
  async function api(
    method: string,
    apiPath: string,
    body?: unknown,
  ): Promise<{ status: number; body: unknown }> {
    const response = await fetch(`${emu.url}${apiPath}`, {
      method,
      headers: {
        authorization: `Bearer ${emu.apiKey}`,
        accept: "application/json",
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  }

  async function liveGreeting(): Promise<{ status: number; value?: string }> {
    const { status, body } = await api("GET", `/services/${serviceId}/env-vars/GREETING`);
    return { status, value: (body as { value?: string } | undefined)?.value };
  }

  /** Runs a CLI command and keeps its result for the no-secret-in-output check. */
  async function track(run: Promise<PulumiResult>): Promise<PulumiResult> {
    const result = await run;
    results.push(result);
    return result;
  }

  before(async () => {
    requireEngine();
    emu = await startEmulator({ port: 0, timings: "fast", rateLimits: { enabled: false } });
    const created = await api("POST", "/services", {
      type: "web_service",
      name: "engine-smoke",
      ownerId: emu.ownerId,
      repo: "https://github.com/example/engine-smoke",
      autoDeploy: "no",
      serviceDetails: {
        runtime: "node",
        envSpecificDetails: { buildCommand: "npm ci", startCommand: "npm start" },
      },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    serviceId = (created.body as { service: { id: string } }).service.id;
    stack = await PulumiStack.create({
      programDir: fixture,
      config: { "render:apiUrl": emu.url, "engine-smoke:serviceId": serviceId },
      secretConfig: { "render:apiKey": emu.apiKey },
    });
  });

  after(async () => {
    await stack?.cleanup();
    await emu?.close();
  });

  it("up creates the env var on the service", async () => {
    const result = await track(stack.up());
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /\+\s+pulumi-nodejs:dynamic\/smoke:ServiceEnvVar greeting created/);
    assert.deepEqual(await liveGreeting(), { status: 200, value: "hello" });
    const outputs = await stack.outputs();
    assert.equal(outputs.envVarId, `${serviceId}/GREETING`);
    assert.equal(outputs.envVarValue, "hello");
  });

  it("a second preview --expect-no-changes passes", async () => {
    const result = await track(stack.preview(["--expect-no-changes"]));
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /2 unchanged/);
  });

  it("a change made through the Render API shows in the next preview", async () => {
    const changed = await api("PUT", `/services/${serviceId}/env-vars/GREETING`, {
      value: "changed-by-hand",
    });
    assert.equal(changed.status, 200);
    const result = await track(stack.preview(["--expect-no-changes"]));
    assert.notEqual(result.code, 0, "drift must fail --expect-no-changes");
    // A bare "update": the dynamic provider host drops a diff's field names (see the fixture).
    assert.match(result.stdout, /~\s+pulumi-nodejs:dynamic\/smoke:ServiceEnvVar greeting update\s*\n/);
    assert.match(result.stdout, /~ 1 to update/);
  });

  it("up puts the declared value back", async () => {
    const result = await track(stack.up());
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /~\s+pulumi-nodejs:dynamic\/smoke:ServiceEnvVar greeting updated/);
    assert.deepEqual(await liveGreeting(), { status: 200, value: "hello" });
  });

  it("destroy removes the env var", async () => {
    const result = await track(stack.destroy());
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.equal((await liveGreeting()).status, 404);
    const state = await stack.exportState();
    assert.equal(state.deployment.resources?.length ?? 0, 0);
  });

  it("the API key never shows in CLI output or on disk", () => {
    assert.ok(results.length >= 4);
    for (const result of results) {
      assert.ok(!result.stdout.includes(emu.apiKey) && !result.stderr.includes(emu.apiKey));
    }
    for (const entry of fs.readdirSync(stack.workDir, { withFileTypes: true, recursive: true })) {
      if (!entry.isFile()) continue;
      const file = path.join(entry.parentPath, entry.name);
      assert.ok(!fs.readFileSync(file, "utf8").includes(emu.apiKey), `API key in clear in ${file}`);
    }
  });
});
