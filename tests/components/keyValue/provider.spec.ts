import { strict as assert } from "node:assert";
import { startEmulator } from "../../../emulator";
import { KeyValueProvider, type KeyValueOutputs } from "../../../components/keyValue/provider";
import type { KeyValueInputs } from "../../../components/keyValue/mapping";
import { call, checked, configured, environmentsIn } from "../../helpers/providers";

type Emulator = Awaited<ReturnType<typeof startEmulator>>;

interface LoggedRequest {
  method: string;
  path: string;
  status: number;
}

type LiveKv = {
  id: string;
  name: string;
  plan: string;
  options: { maxmemoryPolicy: string; persistenceMode: string };
  ipAllowList: unknown;
};

// RenderKeyValue's provider against the emulator, method by method, as the provider host calls it.
describe("RenderKeyValue provider (emulator)", function () {
  this.timeout(60_000);
  let emu: Emulator;
  let provider: KeyValueProvider;
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
    provider = await configured(new KeyValueProvider((line) => reported.push(line)), emu);
    n++;
  });

  const api = (method: string, path: string, body?: unknown) =>
    call(emu.url, method, path, { apiKey: emu.apiKey, body });
  const writes = async () =>
    ((await call(emu.controlUrl, "GET", "/requests")).body as LoggedRequest[]).filter(
      (r) => r.method !== "GET",
    );
  const instances = async () =>
    (
      (await api("GET", "/key-value?limit=100")).body as { keyValue: LiveKv & { dashboardUrl: string } }[]
    ).map((e) => e.keyValue);
  const liveKv = async (id: string) => (await api("GET", `/key-value/${id}`)).body as LiveKv;

  function args(overrides: Record<string, unknown> = {}): Record<string, unknown> {
    return {
      name: `arrakis-cache-${n}`,
      ownerId: emu.ownerId,
      plan: "starter",
      maxmemoryPolicy: "allkeys-lru",
      persistenceMode: "journal_snapshot",
      ipAllowList: [{ source: "203.0.113.0/24", description: "office" }],
      pollIntervalSeconds: 0.01,
      ...overrides,
    };
  }

  async function created(overrides: Record<string, unknown> = {}) {
    const inputs = await checked<KeyValueInputs>(provider, args(overrides));
    const result = await provider.create(inputs);
    return { inputs, id: result.id, outs: result.outs as KeyValueOutputs };
  }

  describe("check", () => {
    it("names the property and the allowed values, and writes nothing", async () => {
      const result = await provider.check!(
        {} as KeyValueInputs,
        args({ plan: "huge", maxmemoryPolicy: "lru", region: "mars" }) as never,
      );
      assert.deepEqual((result.failures ?? []).map((f) => f.property).sort(), [
        "maxmemoryPolicy",
        "plan",
        "region",
      ]);
      for (const f of result.failures ?? []) assert.match(f.reason, /allowed: /);
      assert.deepEqual(await writes(), []);
    });

    it("refuses a workspace the API key cannot see, listing the ones it can", async () => {
      const result = await provider.check!(
        {} as KeyValueInputs,
        args({ ownerId: "tea-notmineatall0000000" }) as never,
      );
      const failure = result.failures?.find((f) => f.property === "ownerId");
      assert.ok(failure, JSON.stringify(result.failures));
      assert.match(failure.reason, new RegExp(emu.ownerId));
    });
  });

  describe("create", () => {
    it("creates it with the settings given, waits until available, and outputs its connection strings", async () => {
      const { id, outs } = await created();
      assert.match(id, /^red-[a-z0-9]{20}$/);
      assert.equal(outs.status, "available");
      assert.equal(outs.version, "8.1.4");
      assert.equal(outs.internalConnectionString, `redis://${id}:6379`);
      assert.match(outs.externalConnectionString, new RegExp(`^rediss://${id}:[A-Za-z0-9]{32}@`));
      const [listed] = await instances();
      assert.equal(outs.dashboardUrl, listed.dashboardUrl);
      const kv = await liveKv(id);
      assert.deepEqual(kv.options, { maxmemoryPolicy: "allkeys_lru", persistenceMode: "journal_snapshot" });
      assert.deepEqual(kv.ipAllowList, [{ cidrBlock: "203.0.113.0/24", description: "office" }]);
    });

    it("leaves persistenceMode and the policy to Render when the user leaves them out (no drift)", async () => {
      // The POST body without them: mapping.spec.ts. Here: Render's defaults apply and are not drift.
      const { id, inputs, outs } = await created({ maxmemoryPolicy: undefined, persistenceMode: undefined });
      assert.deepEqual((await liveKv(id)).options, {
        maxmemoryPolicy: "noeviction",
        persistenceMode: "journal_snapshot",
      });
      assert.equal("persistenceMode" in inputs, false);
      assert.equal((await provider.diff!(id, outs, inputs)).changes, false);
      await api("PATCH", `/key-value/${id}`, { persistenceMode: "off" });
      assert.equal((await provider.diff!(id, outs, inputs)).changes, false);
    });

    it("refuses a second instance of the same name, naming the live one and how to adopt it", async () => {
      const first = await created();
      const inputs = await checked<KeyValueInputs>(provider, args());
      await assert.rejects(
        provider.create(inputs),
        new RegExp(
          `already has a Key Value of that name \\(${first.id}\\)\\. To manage it, set \`adoptExisting: true\` on the resource`,
        ),
      );
      assert.equal((await instances()).length, 1);
    });

    it("adopts the existing instance when asked, changing only what differs", async () => {
      const first = await created();
      await call(emu.controlUrl, "DELETE", "/requests");
      const again = await provider.create(
        await checked<KeyValueInputs>(provider, args({ adoptExisting: true, plan: "standard" })),
      );
      assert.equal(again.id, first.id);
      assert.equal((await liveKv(first.id)).plan, "standard");
      assert.deepEqual(
        (await writes()).map((w) => `${w.method} ${w.path}`),
        [`PATCH /v1/key-value/${first.id}`],
      );
      assert.equal((await instances()).length, 1);
    });

    it("adopts exactly the instance adoptId names, reporting what the up changes; refuses a wrong one without writing", async () => {
      const first = await created();
      await call(emu.controlUrl, "DELETE", "/requests");
      await assert.rejects(
        provider.create(
          await checked<KeyValueInputs>(provider, args({ adoptId: "red-nosuchinstance000000" })),
        ),
        /could not adopt Key Value red-nosuchinstance000000: no such Key Value on Render \(check adoptId, the red-… id of its dashboard URL\)/,
      );
      await assert.rejects(
        provider.create(await checked<KeyValueInputs>(provider, args({ adoptId: first.id, name: "other" }))),
        new RegExp(
          `could not adopt Key Value ${first.id}: it is named "arrakis-cache-\\d+", the resource "other"`,
        ),
      );
      assert.deepEqual(await writes(), []);
      const inputs = await checked<KeyValueInputs>(
        provider,
        args({ adoptId: first.id, plan: "pro", maxmemoryPolicy: "noeviction" }),
      );
      // check reported the adoption (as the preview shows it), before any write.
      assert.deepEqual(reported, [
        `adopting Key Value ${inputs.name} (${first.id}): pulumi up changes it to match the config:\n` +
          '    ~ plan: "starter" => "pro"\n' +
          '    ~ maxmemoryPolicy: "allkeys_lru" => "noeviction"',
      ]);
      assert.deepEqual(await writes(), []);
      const adopted = await provider.create(inputs);
      assert.equal(adopted.id, first.id);
      const kv = await liveKv(first.id);
      assert.equal(kv.plan, "pro");
      assert.equal(kv.options.maxmemoryPolicy, "noeviction");
      const read = await provider.read(first.id, adopted.outs as KeyValueOutputs);
      assert.equal((read.inputs as KeyValueInputs).adoptId, first.id);
    });

    it("never makes a second instance when the response to the POST is lost", async () => {
      await call(emu.controlUrl, "POST", "/faults", {
        body: { method: "POST", path: "/v1/key-value", count: 1, fault: { kind: "lose-response" } },
      });
      const { id, outs } = await created();
      assert.equal(outs.status, "available");
      assert.deepEqual(
        (await instances()).map((k) => k.id),
        [id],
      );
      assert.equal((await writes()).filter((r) => r.method === "POST").length, 1);
    });

    it("keeps the id when waiting fails after the POST (nothing orphaned)", async () => {
      await call(emu.controlUrl, "PUT", "/timings", { body: { keyValueCreate: 60_000 } });
      try {
        const inputs = await checked<KeyValueInputs>(provider, args({ waitTimeoutSeconds: 0.3 }));
        await assert.rejects(
          provider.create(inputs),
          (err: Error & { id?: string; properties?: Record<string, unknown> }) => {
            assert.match(err.id ?? "", /^red-/);
            assert.match(err.message, /status creating/);
            assert.match(err.message, /is kept in the stack's state/);
            assert.equal(err.properties?.name, inputs.name);
            return true;
          },
        );
        assert.equal((await instances()).length, 1);
      } finally {
        await call(emu.controlUrl, "PUT", "/timings", { body: { keyValueCreate: 100 } });
      }
    });
  });

  describe("diff, update, read and delete", () => {
    it("shows no change on a clean instance", async () => {
      const { inputs, id, outs } = await created();
      assert.deepEqual(await provider.diff!(id, outs, inputs), {
        changes: false,
        replaces: [],
        deleteBeforeReplace: false,
      });
    });

    // Drift made outside Pulumi, field by field: seen by diff, put back by update.
    const drifts: [string, Record<string, unknown>][] = [
      ["name", { name: "renamed-in-dashboard" }],
      ["plan", { plan: "pro" }],
      ["maxmemoryPolicy", { maxmemoryPolicy: "volatile_lru" }],
      ["persistenceMode", { persistenceMode: "off" }],
      ["ipAllowList", { ipAllowList: [{ cidrBlock: "0.0.0.0/0", description: "everyone" }] }],
    ];
    for (const [field, patch] of drifts) {
      it(`sees ${field} changed outside Pulumi, and update puts it back`, async () => {
        const { inputs, id, outs } = await created();
        assert.equal((await api("PATCH", `/key-value/${id}`, patch)).status, 200);
        assert.deepEqual(await provider.diff!(id, outs, inputs), {
          changes: true,
          replaces: [],
          deleteBeforeReplace: false,
        });
        await call(emu.controlUrl, "DELETE", "/requests");
        const updated = (await provider.update!(id, outs, inputs)).outs as KeyValueOutputs;
        assert.equal(updated.status, "available");
        const patches = (await writes()).filter((w) => w.method === "PATCH");
        assert.equal(patches.length, 1);
        assert.equal((await provider.diff!(id, outs, inputs)).changes, false);
      });
    }

    for (const [field, value] of [["region", "ohio"]] as const) {
      it(`refuses to replace the instance for a new ${field} unless allowed`, async () => {
        const { inputs, id, outs } = await created();
        const news = { ...inputs, [field]: value };
        await assert.rejects(
          provider.diff!(id, outs, news),
          new RegExp(
            `could not plan Key Value .* changing ${field} .* would replace the Key Value and destroy its data`,
          ),
        );
        const allowed = await provider.diff!(id, outs, { ...news, allowReplacement: true });
        assert.deepEqual(allowed.replaces, [field]);
        assert.equal(allowed.deleteBeforeReplace, true);
      });
    }

    it("moves the instance to another environment in place: same id and data, no replace", async () => {
      const envs = await environmentsIn(emu);
      const { inputs, id, outs } = await created({ environmentId: envs.production });
      const moved = { ...inputs, environmentId: envs.staging };
      const diff = await provider.diff!(id, outs, moved);
      assert.equal(diff.changes, true);
      assert.deepEqual(diff.replaces, []);
      await call(emu.controlUrl, "DELETE", "/requests");
      await provider.update!(id, outs, moved);
      assert.deepEqual(
        (await writes()).map((w) => `${w.method} ${w.path}`),
        [`POST /v1/environments/${envs.staging}/resources`],
      );
      assert.equal(
        ((await api("GET", `/key-value/${id}`)).body as { environmentId?: string }).environmentId,
        envs.staging,
      );
      assert.equal((await provider.diff!(id, outs, moved)).changes, false);
    });

    it("reads outputs and inputs for refresh and import; keeps the dashboard link of its state", async () => {
      const { production } = await environmentsIn(emu);
      const { inputs, id, outs } = await created({ environmentId: production });
      const imported = await provider.read(id);
      const back = imported.inputs as unknown as KeyValueInputs;
      assert.equal(back.plan, "starter");
      assert.equal(back.ownerId, emu.ownerId);
      assert.equal(back.maxmemoryPolicy, "allkeys_lru");
      assert.equal(back.environmentId, production);
      assert.equal((await provider.diff!(id, imported.props as KeyValueOutputs, inputs)).changes, false);
      const refreshed = await provider.read(id, outs);
      assert.equal((refreshed.props as KeyValueOutputs).dashboardUrl, outs.dashboardUrl);
      assert.equal(
        (refreshed.props as KeyValueOutputs).externalConnectionString,
        outs.externalConnectionString,
      );
    });

    it("an instance deleted outside Pulumi stops the refresh with the way back, unless the user named it", async () => {
      const { id, outs } = await created();
      await api("DELETE", `/key-value/${id}`);
      await assert.rejects(
        provider.read(id, outs),
        new RegExp(
          `Key Value ${outs.name} \\(${id}\\) no longer exists on Render: it was deleted outside Pulumi\\. ` +
            "Pulumi does not recreate it on its own \\(a new Key Value would be empty\\).*set adoptId to its red-… id",
        ),
      );
      await assert.rejects(provider.diff!(id, outs, outs), /no longer exists on Render/);
      const before = process.env.RENDER_FORGET_DELETED;
      process.env.RENDER_FORGET_DELETED = id;
      try {
        assert.deepEqual(await provider.read(id, outs), {});
      } finally {
        if (before === undefined) delete process.env.RENDER_FORGET_DELETED;
        else process.env.RENDER_FORGET_DELETED = before;
      }
    });

    it("deletes, and treats an instance already gone as deleted", async () => {
      const { id } = await created();
      await provider.delete(id);
      assert.equal((await api("GET", `/key-value/${id}`)).status, 404);
      await provider.delete(id);
    });
  });
});
