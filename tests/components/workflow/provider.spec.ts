import { strict as assert } from "node:assert";
import { startEmulator } from "../../../emulator";
import { WorkflowProvider, type WorkflowOutputs } from "../../../components/workflow/provider";
import type { WorkflowInputs } from "../../../components/workflow/mapping";
import { hiddenValue, secretDrift } from "../../../components/service/provider";
import { call, checked, configured } from "../../helpers/providers";

type Emulator = Awaited<ReturnType<typeof startEmulator>>;

type LiveWf = {
  id: string;
  name: string;
  runCommand: string;
  autoDeployTrigger: string;
  buildConfig: Record<string, string>;
};

// RenderWorkflow's provider against the emulator, method by method, as the provider host calls it:
// create (env vars in the POST, linked ones read from Render), adopt, drift, update, gone, delete.
describe("RenderWorkflow provider (emulator)", function () {
  this.timeout(60_000);
  let emu: Emulator;
  let provider: WorkflowProvider;
  let reported: string[];
  let n = 0;

  before(async () => {
    emu = await startEmulator({ port: 0, timings: "fast", rateLimits: { enabled: false, timeScale: 1 } });
  });
  after(async () => {
    await emu?.close();
  });
  beforeEach(async () => {
    await call(emu.controlUrl, "POST", "/reset");
    reported = [];
    provider = await configured(new WorkflowProvider((line) => reported.push(line)), emu);
    n++;
  });

  const api = (method: string, path: string, body?: unknown) =>
    call(emu.url, method, path, { apiKey: emu.apiKey, body });
  const writes = async () =>
    ((await call(emu.controlUrl, "GET", "/requests")).body as { method: string; path: string }[])
      .filter((r) => r.method !== "GET")
      .map((r) => `${r.method} ${r.path}`);
  const workflows = async () =>
    ((await api("GET", "/workflows?limit=100")).body as { workflow: LiveWf }[]).map((e) => e.workflow);
  const live = async (id: string) => (await api("GET", `/workflows/${id}`)).body as LiveWf;
  const liveEnv = async (id: string) =>
    Object.fromEntries(
      (
        (await api("GET", `/services/${id}/env-vars`)).body as { envVar: { key: string; value: string } }[]
      ).map((e) => [e.envVar.key, e.envVar.value]),
    );

  function args(overrides: Record<string, unknown> = {}): Record<string, unknown> {
    return {
      name: `trender-wf-${n}`,
      ownerId: emu.ownerId,
      repo: "https://github.com/render-examples/trender",
      rootDir: "workflows",
      runtime: "python",
      buildCommand: "pip install -r requirements.txt",
      startCommand: "python workflow.py",
      envVars: {
        MODE: { kind: "plain", value: "batch" },
        GITHUB_TOKEN: { kind: "secret", value: "ghp-not-a-real-token" },
        SALT: { kind: "generated" },
      },
      ...overrides,
    };
  }

  async function created(overrides: Record<string, unknown> = {}) {
    const inputs = await checked<WorkflowInputs>(provider, args(overrides));
    const result = await provider.create(inputs);
    return { inputs, id: result.id, outs: result.outs as WorkflowOutputs };
  }

  it("check names the field and the allowed values, and writes nothing", async () => {
    const result = await provider.check!(
      {} as WorkflowInputs,
      (args as (o: object) => WorkflowInputs)({
        runtime: "docker",
        region: "mars",
        autoDeployTrigger: "push",
        startCommand: undefined,
        plan: "starter",
        envVars: { U: { kind: "serviceUrl" } },
      }),
    );
    const failures = Object.fromEntries((result.failures ?? []).map((f) => [f.property, f.reason]));
    assert.match(failures.runtime, /"docker" is not a workflow runtime; allowed: "elixir", "go", "node"/);
    assert.match(failures.region, /"mars" is not a Render region; allowed: /);
    assert.match(failures.autoDeployTrigger, /allowed: "commit", "off", "checksPass"/);
    assert.match(failures.runCommand, /is required to create a workflow.*startCommand/);
    assert.match(failures.plan, /is not a RenderWorkflow argument; allowed: name, ownerId, repo/);
    assert.match(failures["envVars.U"], /a workflow has no public URL/);
    assert.deepEqual(await writes(), []);
  });

  it("creates it with its build settings and env vars in one POST; the secret stays out of the outputs' keys", async () => {
    const { id, outs } = await created();
    assert.match(id, /^wfl-[0-9a-v]{20}$/);
    assert.deepEqual(await writes(), ["POST /v1/workflows"]);
    const wf = await live(id);
    assert.equal(wf.runCommand, "python workflow.py");
    assert.deepEqual(wf.buildConfig, {
      repo: "https://github.com/render-examples/trender",
      runtime: "python",
      buildCommand: "pip install -r requirements.txt",
      rootDir: "workflows",
    });
    assert.equal(wf.autoDeployTrigger, "commit");
    const env = await liveEnv(id);
    assert.equal(env.MODE, "batch");
    assert.equal(env.GITHUB_TOKEN, "ghp-not-a-real-token");
    assert.equal(outs.generatedValues.SALT, env.SALT);
    assert.deepEqual(outs.envVarKeys, ["GITHUB_TOKEN", "MODE", "SALT"]);
    assert.equal(outs.slug, `trender-wf-${n}`);
    assert.equal(outs.dashboardUrl, `https://dashboard.render.com/workflows/${id}`);
  });

  it("links a Key Value's connection string, read from Render and never an input", async () => {
    // A Key Value rather than a database: the same link path (linkSources), without a real database.
    const kv = (
      await api("POST", "/key-value", { name: `trender-cache-${n}`, ownerId: emu.ownerId, plan: "starter" })
    ).body as { id: string };
    const internal = `redis://${kv.id}:6379`;
    const { id, inputs, outs } = await created({
      envVars: { CACHE_URL: { kind: "linked", database: kv.id, property: "connectionString" } },
    });
    assert.equal((await liveEnv(id)).CACHE_URL, internal);
    assert.equal(JSON.stringify(inputs).includes(internal), false);
    assert.equal((await provider.diff!(id, outs, inputs)).changes, false);
  });

  it("shows dashboard changes as drift, field by field and per env var, and the update sets them back", async () => {
    const { id, inputs, outs } = await created();
    assert.equal((await provider.diff!(id, outs, inputs)).changes, false);
    await api("PATCH", `/workflows/${id}`, {
      runCommand: "python other.py",
      autoDeployTrigger: "off",
      buildConfig: { ...(await live(id)).buildConfig, buildCommand: "pip install ." },
    });
    await api("PUT", `/services/${id}/env-vars`, [
      { key: "MODE", value: "stream" },
      { key: "GITHUB_TOKEN", value: "ghp-set-by-hand" },
      { key: "SALT", value: outs.generatedValues.SALT },
      { key: "EXTRA", value: "by hand" },
    ]);
    assert.equal((await provider.diff!(id, outs, inputs)).changes, true);
    const read = await provider.read(id, outs);
    const refreshed = read.inputs as WorkflowInputs;
    assert.equal(refreshed.runCommand, "python other.py");
    assert.equal(refreshed.autoDeployTrigger, "off");
    assert.equal(refreshed.buildCommand, "pip install .");
    assert.deepEqual(refreshed.envVars.MODE, { kind: "plain", value: "stream" });
    assert.deepEqual(refreshed.envVars.EXTRA, { kind: "plain", value: hiddenValue });
    assert.equal(refreshed.envVars.GITHUB_TOKEN.drift, secretDrift);
    assert.equal(JSON.stringify(read.props).includes("ghp-set-by-hand"), false);
    assert.deepEqual(refreshed.envVars.SALT, { kind: "generated" });
    await call(emu.controlUrl, "DELETE", "/requests");
    await provider.update!(id, read.props as WorkflowOutputs, inputs);
    assert.deepEqual(await writes(), [`PATCH /v1/workflows/${id}`, `PUT /v1/services/${id}/env-vars`]);
    assert.equal((await provider.diff!(id, outs, inputs)).changes, false);
    const env = await liveEnv(id);
    assert.deepEqual(Object.keys(env).sort(), ["GITHUB_TOKEN", "MODE", "SALT"]);
    assert.equal(env.SALT, outs.generatedValues.SALT);
    // The region cannot change in place: a replace, the old one deleted first (names are unique).
    const moved = await checked<WorkflowInputs>(provider, args({ region: "frankfurt" }));
    const diff = await provider.diff!(id, outs, moved);
    assert.deepEqual(diff.replaces, ["region"]);
    assert.equal(diff.deleteBeforeReplace, true);
  });

  it("adopts the live one by id, reporting what the up changes before any write; never a second of one name", async () => {
    const first = await created();
    await assert.rejects(
      provider.create(await checked(provider, args())),
      new RegExp(`already has a workflow of that name \\(${first.id}\\)`),
    );
    await call(emu.controlUrl, "DELETE", "/requests");
    const inputs = await checked<WorkflowInputs>(
      provider,
      args({ adoptId: first.id, startCommand: undefined, buildCommand: "pip install ." }),
    );
    assert.equal(reported.length, 1);
    assert.match(reported[0], new RegExp(`adopting workflow ${inputs.name} \\(${first.id}\\)`));
    assert.match(reported[0], /~ buildCommand: "pip install -r requirements.txt" => "pip install ."/);
    assert.match(reported[0], /= env var SALT: kept/);
    assert.equal(reported[0].includes("ghp-not-a-real-token"), false);
    assert.deepEqual(await writes(), []);
    const adopted = await provider.create(inputs);
    assert.equal(adopted.id, first.id);
    assert.equal((await live(first.id)).buildConfig.buildCommand, "pip install .");
    // No start command given: the adopted workflow keeps its own.
    assert.equal((adopted.outs as WorkflowOutputs).runCommand, "python workflow.py");
    assert.equal((await workflows()).length, 1);
  });

  it("never makes a second one when the response to the POST is lost", async () => {
    await call(emu.controlUrl, "POST", "/faults", {
      body: { method: "POST", path: "/v1/workflows", count: 1, fault: { kind: "lose-response" } },
    });
    const { id } = await created();
    assert.deepEqual(
      (await workflows()).map((w) => w.id),
      [id],
    );
  });

  it("gone from Render is one message; delete is idempotent", async () => {
    const { id, outs } = await created();
    await provider.delete!(id);
    assert.equal((await api("GET", `/workflows/${id}`)).status, 404);
    await provider.delete!(id);
    await assert.rejects(
      provider.read(id, outs),
      /workflow .* no longer exists on Render: it was deleted outside Pulumi/,
    );
    await assert.rejects(provider.diff!(id, outs, outs), /no longer exists on Render/);
  });
});
