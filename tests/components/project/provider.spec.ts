import { strict as assert } from "node:assert";
import { startEmulator } from "../../../emulator";
import { ProjectProvider, type ProjectOutputs } from "../../../components/project/provider";
import type { ProjectInputs } from "../../../components/project/mapping";
import { call, checked, configured } from "../../helpers/providers";

type Emulator = Awaited<ReturnType<typeof startEmulator>>;

interface LoggedRequest {
  method: string;
  path: string;
  status: number;
}

type LiveEnv = { id: string; name: string; protectedStatus: string; networkIsolationEnabled: boolean };

// RenderProject's provider against the emulator, method by method, as the provider host calls it.
describe("RenderProject provider (emulator)", function () {
  this.timeout(60_000);
  let emu: Emulator;
  let provider: ProjectProvider;
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
    await call(emu.controlUrl, "DELETE", "/requests");
    reported = [];
    provider = await configured(new ProjectProvider((line) => reported.push(line)), emu);
    n++;
  });

  const api = (method: string, path: string, body?: unknown) =>
    call(emu.url, method, path, { apiKey: emu.apiKey, body });
  const writes = async () =>
    ((await call(emu.controlUrl, "GET", "/requests")).body as LoggedRequest[]).filter(
      (r) => r.method !== "GET",
    );
  const projects = async () =>
    ((await api("GET", "/projects?limit=100")).body as { project: { id: string; name: string } }[]).map(
      (e) => e.project,
    );
  const liveEnvs = async (projectId: string) =>
    ((await api("GET", `/environments?projectId=${projectId}`)).body as { environment: LiveEnv }[]).map(
      (e) => e.environment,
    );

  function args(overrides: Record<string, unknown> = {}): Record<string, unknown> {
    return {
      name: `arrakis-${n}`,
      ownerId: emu.ownerId,
      environments: [{ name: "production", protected: true, networkIsolated: true }, { name: "staging" }],
      ...overrides,
    };
  }

  async function created(overrides: Record<string, unknown> = {}) {
    const inputs = await checked<ProjectInputs>(provider, args(overrides));
    const result = await provider.create(inputs);
    return { inputs, id: result.id, outs: result.outs as ProjectOutputs };
  }

  it("check names the property and the allowed values, and writes nothing", async () => {
    const result = await provider.check!(
      {} as ProjectOutputs,
      args({ environments: [{ name: "production", protectedStatus: "locked" }] }) as never,
    );
    assert.deepEqual(
      (result.failures ?? []).map((f) => f.property),
      ["environments[0].protectedStatus"],
    );
    assert.deepEqual(await writes(), []);
  });

  it("creates the project with its environments and outputs their ids by name; no drift after", async () => {
    const { id, inputs, outs } = await created();
    assert.match(id, /^prj-[0-9a-v]{20}$/);
    const envs = await liveEnvs(id);
    assert.deepEqual(outs.environmentIds, { production: envs[1].id, staging: envs[0].id });
    const prod = envs.find((e) => e.name === "production")!;
    assert.deepEqual([prod.protectedStatus, prod.networkIsolationEnabled], ["protected", true]);
    assert.deepEqual(await provider.diff!(id, outs, inputs), {
      changes: false,
      replaces: [],
      deleteBeforeReplace: false,
    });
  });

  it("never makes a second project when the response to the POST is lost", async () => {
    await call(emu.controlUrl, "POST", "/faults", {
      body: { method: "POST", path: "/v1/projects", count: 1, fault: { kind: "lose-response" } },
    });
    const { id, outs } = await created();
    assert.deepEqual(
      (await projects()).map((p) => p.id),
      [id],
    );
    assert.deepEqual(Object.keys(outs.environmentIds), ["production", "staging"]);
    assert.equal((await writes()).filter((r) => r.method === "POST").length, 1);
  });

  it("refuses a second project of the same name; adopts it by adoptId, reporting and applying what differs", async () => {
    const first = await created({ environments: [{ name: "production" }] });
    await assert.rejects(created(), /already has a project of that name/);
    const inputs = await checked<ProjectInputs>(
      provider,
      args({
        adoptId: first.id,
        environments: [{ name: "production", protectedStatus: "protected" }, { name: "qa" }],
      }),
    );
    assert.equal(reported.length, 1);
    assert.match(
      reported[0],
      /~ environment production \(evm-[0-9a-v]+\): protectedStatus: "unprotected" => "protected"/,
    );
    assert.match(reported[0], /\+ environment qa/);
    const adopted = await provider.create(inputs);
    const adoptedOuts = adopted.outs as ProjectOutputs;
    assert.equal(adopted.id, first.id);
    assert.deepEqual(Object.keys(adoptedOuts.environmentIds).sort(), ["production", "qa"]);
    assert.equal(adoptedOuts.environmentIds.production, first.outs.environmentIds.production);
  });

  it("sees drift made outside Pulumi, and update creates, renames in place, changes and deletes environments", async () => {
    const { id, inputs, outs } = await created();
    const stagingId = outs.environmentIds.staging;
    await api("PATCH", `/environments/${outs.environmentIds.production}`, { networkIsolationEnabled: false });
    assert.deepEqual(await provider.diff!(id, outs, inputs), {
      changes: true,
      replaces: [],
      deleteBeforeReplace: false,
    });
    const news = await checked<ProjectInputs>(
      provider,
      args({
        name: `renamed-${n}`,
        environments: [
          { name: "production", protected: true, networkIsolated: true },
          { name: "qa", renamedFrom: "staging" },
          { name: "preview" },
        ],
      }),
    );
    const updated = await provider.update!(id, outs, news);
    const ids = (updated.outs as ProjectOutputs).environmentIds;
    assert.equal(ids.qa, stagingId, "renamed in place: same id");
    assert.deepEqual(Object.keys(ids).sort(), ["preview", "production", "qa"]);
    assert.equal((await projects())[0].name, `renamed-${n}`);
    assert.deepEqual(await provider.diff!(id, updated.outs as ProjectOutputs, news), {
      changes: false,
      replaces: [],
      deleteBeforeReplace: false,
    });
    // Dropping an environment deletes it.
    const fewer = await checked<ProjectInputs>(
      provider,
      args({
        name: `renamed-${n}`,
        environments: [{ name: "production", protected: true, networkIsolated: true }],
      }),
    );
    const after = await provider.update!(id, updated.outs as ProjectOutputs, fewer);
    assert.deepEqual(Object.keys((after.outs as ProjectOutputs).environmentIds), ["production"]);
    assert.equal((await liveEnvs(id)).length, 1);
  });

  it("refuses, before any write, to delete an environment that holds resources, naming it", async () => {
    const { id, outs } = await created();
    const kv = (
      await api("POST", "/key-value", {
        name: `cache-${n}`,
        ownerId: emu.ownerId,
        plan: "starter",
        environmentId: outs.environmentIds.staging,
      })
    ).body as { id: string };
    await call(emu.controlUrl, "DELETE", "/requests");
    const news = await checked<ProjectInputs>(provider, args({ environments: [{ name: "production" }] }));
    const message = new RegExp(
      `environments staging \\(${outs.environmentIds.staging}, 1 resources\\) would be deleted but still hold resources`,
    );
    await assert.rejects(provider.diff!(id, outs, news), message);
    await assert.rejects(provider.update!(id, outs, news), message);
    assert.deepEqual(await writes(), []);
    await api("DELETE", `/key-value/${kv.id}`);
  });

  it("refuses an owner change unless allowReplacement; reads for refresh and import; deletes, gone counts as deleted", async () => {
    const { id, inputs, outs } = await created();
    const moved = { ...inputs, ownerId: "tea-another0000000000000" };
    await assert.rejects(provider.diff!(id, outs, moved), /changing ownerId .* would replace the project/);
    const allowed = await provider.diff!(id, outs, { ...moved, allowReplacement: true });
    assert.deepEqual(allowed.replaces, ["ownerId"]);

    const imported = await provider.read!(id);
    assert.deepEqual(
      (imported.inputs as ProjectInputs).environments.map((e) => e.name),
      ["production", "staging"],
    );
    assert.deepEqual((imported.props as ProjectOutputs).environmentIds, outs.environmentIds);

    await provider.delete(id);
    assert.deepEqual(await projects(), []);
    await provider.delete(id);
    await assert.rejects(
      provider.read!(id, outs),
      new RegExp(
        `project ${outs.name} \\(${id}\\) no longer exists on Render: it was deleted outside Pulumi`,
      ),
    );
  });
});
