import { strict as assert } from "node:assert";
import { startEmulator } from "../../../emulator";
import { EnvGroupProvider, type EnvGroupOutputs } from "../../../components/envGroup/provider";
import type { EnvGroupInputs } from "../../../components/envGroup/mapping";
import { EnvGroupLinkProvider, type EnvGroupLinkOutputs } from "../../../components/envGroupLink/provider";
import type { EnvGroupLinkInputs } from "../../../components/envGroupLink/mapping";
import { call, checked, environmentsIn, stackConfig } from "../../helpers/providers";
import { webServiceBody } from "../../emulator/harness";

type Emulator = Awaited<ReturnType<typeof startEmulator>>;

interface LoggedRequest {
  method: string;
  path: string;
  status: number;
}

type LiveGroup = {
  id: string;
  name: string;
  envVars: { key: string; value: string }[];
  secretFiles: { name: string; content: string }[];
  serviceLinks: { id: string }[];
};

// RenderEnvGroup's and RenderEnvGroupLink's providers against the emulator, method by method.
describe("RenderEnvGroup and RenderEnvGroupLink providers (emulator)", function () {
  this.timeout(60_000);
  let emu: Emulator;
  let provider: EnvGroupProvider;
  let links: EnvGroupLinkProvider;
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
    provider = await configured(new EnvGroupProvider((line) => reported.push(line)));
    links = await configured(new EnvGroupLinkProvider((line) => reported.push(line)));
    n++;
  });

  // A group changes one var at a time: more writes a minute than Render's budget of 30 lets one process
  // make; the client's windows are scaled down (the emulator's limits are off here).
  async function configured<P extends EnvGroupProvider | EnvGroupLinkProvider>(p: P): Promise<P> {
    await p.configure(
      stackConfig({
        "render:apiKey": emu.apiKey,
        "render:apiUrl": emu.url,
        "render:rateLimitTimeScale": "0.001",
      }),
    );
    return p;
  }
  const api = (method: string, path: string, body?: unknown) =>
    call(emu.url, method, path, { apiKey: emu.apiKey, body });
  const writes = async () =>
    ((await call(emu.controlUrl, "GET", "/requests")).body as LoggedRequest[]).filter(
      (r) => r.method !== "GET",
    );
  const liveGroup = async (id: string) => (await api("GET", `/env-groups/${id}`)).body as LiveGroup;
  const varsOf = (g: LiveGroup) => Object.fromEntries(g.envVars.map((e) => [e.key, e.value]));
  const service = async (name: string) =>
    ((await api("POST", "/services", webServiceBody(emu.ownerId, name))).body as { service: { id: string } })
      .service.id;

  function args(overrides: Record<string, unknown> = {}): Record<string, unknown> {
    return {
      name: `shared-${n}`,
      ownerId: emu.ownerId,
      envVars: [
        { key: "API_URL", value: "https://api.example.com" },
        { key: "SESSION_SECRET", generateValue: true },
      ],
      secretFiles: { "creds.json": '{"token":"s3cret-file"}' },
      ...overrides,
    };
  }

  async function created(overrides: Record<string, unknown> = {}) {
    const inputs = await checked<EnvGroupInputs>(provider, args(overrides));
    const result = await provider.create(inputs);
    return { inputs, id: result.id, outs: result.outs as EnvGroupOutputs };
  }

  describe("check", () => {
    it("names the property and what is allowed, and writes nothing", async () => {
      const result = await provider.check!(
        {} as EnvGroupInputs,
        args({
          envVars: { "1BAD": { value: "x" }, OK: { value: "a", generateValue: true } },
          secretFiles: { "a/b": "x" },
          adoptId: "srv-abc",
        }) as never,
      );
      const props = (result.failures ?? []).map((f) => f.property).sort();
      assert.deepEqual(props, ["adoptId", "envVars.1BAD", "envVars.OK", "secretFiles.a/b"]);
      const text = JSON.stringify(result.failures);
      assert.ok(text.includes("{value: string} or {generateValue: true}"), text);
      assert.equal(text.includes("s3cret"), false);
      assert.deepEqual(await writes(), []);
    });

    it("accepts render.yaml's list and reports a key listed twice", async () => {
      const result = await provider.check!(
        {} as EnvGroupInputs,
        args({
          envVars: [
            { key: "A", value: "1" },
            { key: "A", value: "2" },
          ],
        }) as never,
      );
      assert.deepEqual(result.failures, [{ property: "envVars[1].key", reason: "A is listed twice" }]);
    });
  });

  describe("create", () => {
    it("creates the group with its values, generated value and secret file in one POST", async () => {
      const { id, outs } = await created();
      assert.match(id, /^evg-/);
      const live = await liveGroup(id);
      assert.equal(varsOf(live).API_URL, "https://api.example.com");
      assert.equal(outs.generatedValues.SESSION_SECRET, varsOf(live).SESSION_SECRET);
      assert.deepEqual(live.secretFiles, [{ name: "creds.json", content: '{"token":"s3cret-file"}' }]);
      assert.deepEqual(
        (await writes()).map((w) => `${w.method} ${w.path}`),
        ["POST /v1/env-groups"],
      );
    });

    it("never makes a second group when the response to the POST is lost", async () => {
      await call(emu.controlUrl, "POST", "/faults", {
        body: { method: "POST", path: "/v1/env-groups", count: 1, fault: { kind: "lose-response" } },
      });
      const { id, outs } = await created();
      const all = (await api("GET", "/env-groups")).body as { id: string }[];
      assert.deepEqual(
        all.map((g) => g.id),
        [id],
      );
      assert.equal((await writes()).filter((w) => w.method === "POST").length, 1);
      assert.equal(outs.generatedValues.SESSION_SECRET, varsOf(await liveGroup(id)).SESSION_SECRET);
    });

    it("refuses a second group of the same name unless told to adopt it, then converges it", async () => {
      const { id } = await created();
      await api("PUT", `/env-groups/${id}/env-vars/API_URL`, { value: "changed-outside" });
      await api("PUT", `/env-groups/${id}/env-vars/EXTRA`, { value: "x" });
      const again = await checked<EnvGroupInputs>(provider, args());
      await assert.rejects(provider.create(again), /already has an env group of that name .*adoptExisting/);
      const generated = varsOf(await liveGroup(id)).SESSION_SECRET;
      const adopted = await provider.create(
        await checked<EnvGroupInputs>(provider, args({ adoptExisting: true })),
      );
      assert.equal(adopted.id, id);
      const live = varsOf(await liveGroup(id));
      assert.deepEqual(Object.keys(live).sort(), ["API_URL", "SESSION_SECRET"]);
      assert.equal(live.API_URL, "https://api.example.com");
      assert.equal(live.SESSION_SECRET, generated, "a generated value is never regenerated");
    });

    it("reports what adopting by id changes, without a value", async () => {
      const { id } = await created();
      await api("PUT", `/env-groups/${id}/env-vars/API_URL`, { value: "changed-outside" });
      await provider.check!({} as EnvGroupInputs, args({ adoptId: id }) as never);
      assert.equal(reported.length, 1);
      assert.match(reported[0], new RegExp(`adopting env group shared-${n} \\(${id}\\)`));
      assert.ok(reported[0].includes("~ env var API_URL: [secret] differs from the config's"));
      assert.equal(reported[0].includes("changed-outside"), false);
      assert.equal(reported[0].includes("api.example.com"), false);
    });
  });

  describe("diff, update, read and delete", () => {
    it("shows no change on a clean group", async () => {
      const { inputs, id, outs } = await created();
      assert.deepEqual(await provider.diff!(id, outs, inputs), {
        changes: false,
        replaces: [],
        deleteBeforeReplace: false,
      });
    });

    const drifts: [string, (id: string) => Promise<unknown>][] = [
      ["a value", (id) => api("PUT", `/env-groups/${id}/env-vars/API_URL`, { value: "x" })],
      ["an added var", (id) => api("PUT", `/env-groups/${id}/env-vars/NEW`, { value: "x" })],
      ["a removed generated var", (id) => api("DELETE", `/env-groups/${id}/env-vars/SESSION_SECRET`)],
      ["a secret file", (id) => api("PUT", `/env-groups/${id}/secret-files/creds.json`, { content: "x" })],
      ["the name", (id) => api("PATCH", `/env-groups/${id}`, { name: "renamed" })],
    ];
    for (const [what, drift] of drifts) {
      it(`sees ${what} changed outside Pulumi, and update puts it back`, async () => {
        const { inputs, id, outs } = await created();
        const before = varsOf(await liveGroup(id)).SESSION_SECRET;
        await drift(id);
        assert.equal((await provider.diff!(id, outs, inputs)).changes, true);
        await provider.update!(id, outs, inputs);
        assert.equal((await provider.diff!(id, outs, inputs)).changes, false);
        if (what !== "a removed generated var")
          assert.equal(varsOf(await liveGroup(id)).SESSION_SECRET, before);
      });
    }

    it("updates one var and file at a time: puts, then deletes", async () => {
      const { inputs, id, outs } = await created();
      await call(emu.controlUrl, "DELETE", "/requests");
      const news = await checked<EnvGroupInputs>(
        provider,
        args({
          envVars: [
            { key: "API_URL", value: "v2" },
            { key: "SESSION_SECRET", generateValue: true },
            { key: "NEW", generateValue: true },
          ],
          secretFiles: {},
        }),
      );
      assert.equal((await provider.diff!(id, outs, news)).changes, true);
      const updated = (await provider.update!(id, outs, news)).outs as EnvGroupOutputs;
      assert.deepEqual(
        (await writes()).map((w) => `${w.method} ${w.path.replace(id, "ID")}`),
        [
          "PUT /v1/env-groups/ID/env-vars/API_URL",
          "PUT /v1/env-groups/ID/env-vars/NEW",
          "DELETE /v1/env-groups/ID/secret-files/creds.json",
        ],
      );
      assert.deepEqual(Object.keys(updated.generatedValues).sort(), ["NEW", "SESSION_SECRET"]);
      assert.equal(updated.generatedValues.SESSION_SECRET, outs.generatedValues.SESSION_SECRET);
      void inputs;
    });

    it("moves the group to another environment in place: same id, values and links", async () => {
      const envs = await environmentsIn(emu);
      const { inputs, id, outs } = await created({ environmentId: envs.production });
      const moved = { ...inputs, environmentId: envs.staging };
      const diff = await provider.diff!(id, outs, moved);
      assert.equal(diff.changes, true);
      assert.deepEqual(diff.replaces, []);
      await provider.update!(id, outs, moved);
      const live = (await api("GET", `/env-groups/${id}`)).body as { environmentId?: string };
      assert.equal(live.environmentId, envs.staging);
      assert.equal((await provider.diff!(id, outs, moved)).changes, false);
    });

    it("reads outputs and inputs for refresh and import", async () => {
      const { inputs, id, outs } = await created();
      const imported = await provider.read(id);
      const back = imported.inputs as unknown as EnvGroupInputs;
      assert.equal(back.name, inputs.name);
      assert.deepEqual(back.secretFiles, inputs.secretFiles);
      const refreshed = await provider.read(id, outs);
      assert.deepEqual((refreshed.inputs as unknown as EnvGroupInputs).envVars, inputs.envVars);
      assert.equal((await provider.diff!(id, refreshed.props as EnvGroupOutputs, inputs)).changes, false);
    });

    it("a group deleted outside Pulumi stops the refresh with the way back", async () => {
      const { id, outs } = await created();
      await api("DELETE", `/env-groups/${id}`);
      await assert.rejects(
        provider.read(id, outs),
        new RegExp(`env group ${outs.name} \\(${id}\\) no longer exists on Render.*evg-…`),
      );
      await assert.rejects(provider.diff!(id, outs, outs), /no longer exists on Render/);
    });

    it("deletes, and treats a group already gone as deleted", async () => {
      const { id } = await created();
      await provider.delete(id);
      assert.equal((await api("GET", `/env-groups/${id}`)).status, 404);
      await provider.delete(id);
    });
  });

  describe("links, one per service and group", () => {
    it("links, adopts a link made outside, sees an unlink, relinks, and unlinks only its own pair", async () => {
      const { id } = await created();
      const web = await service(`web-${n}`);
      const worker = await service(`other-${n}`);
      const linkOf = async (serviceId: string) =>
        checked<EnvGroupLinkInputs>(links, { envGroupId: id, serviceId });
      const a = (await links.create(await linkOf(web))) as { id: string; outs: EnvGroupLinkOutputs };
      assert.equal(a.id, `${id}:${web}`);
      assert.equal(a.outs.envGroupName, `shared-${n}`);
      await api("POST", `/env-groups/${id}/services/${worker}`);
      const b = await links.create(await linkOf(worker));
      assert.match(reported.join("\n"), /adopting the link of service .* it exists already/);
      assert.deepEqual(
        (await liveGroup(id)).serviceLinks.map((l) => l.id),
        [web, worker],
      );
      assert.equal((await links.diff!(a.id, a.outs, await linkOf(web))).changes, false);
      await api("DELETE", `/env-groups/${id}/services/${web}`);
      assert.equal((await links.diff!(a.id, a.outs, await linkOf(web))).changes, true);
      assert.deepEqual(await links.read(a.id, a.outs), {});
      await links.update!(a.id, a.outs, await linkOf(web));
      assert.equal((await links.read(a.id, a.outs)).id, a.id);
      await links.delete(b.id);
      assert.deepEqual(
        (await liveGroup(id)).serviceLinks.map((l) => l.id),
        [web],
      );
      await links.delete(b.id);
      const moved = await links.diff!(a.id, a.outs, await linkOf(worker));
      assert.deepEqual(moved, { changes: true, replaces: ["serviceId"], deleteBeforeReplace: false });
    });

    it("links a group that already exists in the workspace by name: looked up, never created", async () => {
      const { id } = await created();
      const web = await service(`web-${n}`);
      await call(emu.controlUrl, "DELETE", "/requests");
      const byName = { envGroupName: `shared-${n}`, ownerId: emu.ownerId, serviceId: web };
      const inputs = await checked<EnvGroupLinkInputs>(links, byName);
      assert.equal(inputs.envGroupId, id);
      const made = (await links.create(inputs)) as { id: string; outs: EnvGroupLinkOutputs };
      assert.equal(made.id, `${id}:${web}`);
      assert.deepEqual(
        (await liveGroup(id)).serviceLinks.map((l) => l.id),
        [web],
      );
      assert.deepEqual(
        (await writes()).map((r) => `${r.method} ${r.path}`),
        [`POST /v1/env-groups/${id}/services/${web}`],
      );
      // Refresh keeps it named by name: no change in the next preview.
      const read = await links.read(made.id, made.outs);
      assert.deepEqual(read.inputs, { envGroupId: id, ...byName });
      const again = await checked<EnvGroupLinkInputs>(links, byName);
      assert.equal((await links.diff!(made.id, read.props as EnvGroupLinkOutputs, again)).changes, false);
      // The group deleted and made again on Render: the name now means another group, a new link.
      await api("DELETE", `/env-groups/${id}`);
      const remade = await created();
      const moved = await links.diff!(made.id, made.outs, await checked<EnvGroupLinkInputs>(links, byName));
      assert.deepEqual(moved.replaces, ["envGroupId"]);
      assert.notEqual(remade.id, id);
    });

    it("fails the check naming a workspace group that does not exist, and writes nothing", async () => {
      const web = await service(`web-${n}`);
      await call(emu.controlUrl, "DELETE", "/requests");
      const result = await links.check!(
        {} as EnvGroupLinkInputs,
        {
          envGroupName: "tooljet-preview-env",
          ownerId: emu.ownerId,
          serviceId: web,
        } as never,
      );
      assert.deepEqual(
        (result.failures ?? []).map((f) => f.property),
        ["envGroupName"],
      );
      assert.match(
        result.failures![0].reason,
        new RegExp(`^no env group named "tooljet-preview-env" in workspace ${emu.ownerId}: .*never created`),
      );
      assert.deepEqual(await writes(), []);
      // Its id given as well must be that group's.
      const { id } = await created();
      const other = await created({ name: `other-${n}` });
      const mismatch = await links.check!(
        {} as EnvGroupLinkInputs,
        {
          envGroupName: `shared-${n}`,
          envGroupId: other.id,
          ownerId: emu.ownerId,
          serviceId: web,
        } as never,
      );
      assert.match(mismatch.failures![0].reason, new RegExp(`but env group "shared-${n}" is ${id}`));
    });

    it("checks both ids before any call, and names a missing group or service", async () => {
      const bad = await links.check!(
        {} as EnvGroupLinkInputs,
        { envGroupId: "shared", serviceId: "dpg-x" } as never,
      );
      assert.deepEqual(
        (bad.failures ?? []).map((f) => f.property),
        ["envGroupId", "serviceId"],
      );
      await assert.rejects(
        links.create({ envGroupId: "evg-nosuchgroup0000000000", serviceId: "srv-x" }),
        /no such env group on Render \(check envGroupId\)/,
      );
      const { id } = await created();
      await assert.rejects(
        links.create({ envGroupId: id, serviceId: "srv-nosuch" }),
        /no such service .*check serviceId/,
      );
    });
  });
});
