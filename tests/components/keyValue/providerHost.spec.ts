/**
 * RenderKeyValue's provider as the engine reaches it: the shim a resource's state holds
 * (`packagedProvider("keyValue")`), serialized, run by the SDK's dynamic provider host over gRPC
 * (tools/harness/providerHost.ts) against the emulator: Configure with the stack config, then Check,
 * Create, Diff (clean, a plan change, a replacement refused), Update, Read and Delete. Also: every output that holds
 * the password is listed as a secret output, and the host's log never shows it.
 */
import { strict as assert } from "node:assert";
import { startEmulator } from "../../../emulator";
import { keyValueSecretOutputs } from "../../../components/keyValue/provider";
import { packagedProvider } from "../../../components/runtime/package";
import { DynamicProviderHost, providerKey, serializeProvider } from "../../../tools/harness/providerHost";
import { call } from "../../helpers/providers";

describe("RenderKeyValue through the dynamic provider host (packaged shim, emulator)", function () {
  this.timeout(60_000);
  const urn = "urn:pulumi:test::demo::pulumi-nodejs:dynamic/render:KeyValue::cache";
  let emu: Awaited<ReturnType<typeof startEmulator>>;
  let host: DynamicProviderHost;
  let serialized: string;

  before(async () => {
    emu = await startEmulator({ port: 0, timings: "fast", rateLimits: { enabled: false, timeScale: 1 } });
    serialized = await serializeProvider(packagedProvider("keyValue"));
    host = await DynamicProviderHost.start();
    await host.configure({ "render:apiKey": emu.apiKey, "render:apiUrl": emu.url });
  });
  after(async () => {
    await host?.stop();
    await emu?.close();
  });

  const news = (extra: Record<string, unknown> = {}) => ({
    name: "host-cache",
    ownerId: emu.ownerId,
    plan: "starter",
    maxmemoryPolicy: "allkeys-lfu",
    pollIntervalSeconds: 0.01,
    ...extra,
    [providerKey]: serialized,
  });

  it("checks, creates, diffs, updates, reads and deletes a Key Value", async () => {
    assert.ok(serialized.length < 10_000, `the shim is small (${serialized.length} bytes)`);
    const bad = await host.check(urn, {}, news({ plan: "gigantic" }));
    assert.deepEqual(
      bad.failures.map((f) => f.property),
      ["plan"],
    );
    const checked = await host.check(urn, {}, news());
    assert.deepEqual(checked.failures, []);
    assert.equal(checked.inputs.maxmemoryPolicy, "allkeys_lfu");

    const created = await host.create(urn, checked.inputs);
    assert.match(created.id, /^red-/);
    assert.equal(created.props.status, "available");
    assert.equal(created.props[providerKey], serialized);
    const password = new URL(String(created.props.externalConnectionString)).password;
    assert.match(password, /^[A-Za-z0-9]{32}$/);
    // Every output holding the password is one the resource marks secret (additionalSecretOutputs).
    const holding = Object.entries(created.props)
      .filter(([, v]) => typeof v === "string" && v.includes(password))
      .map(([k]) => k);
    assert.deepEqual(
      holding.filter((k) => !keyValueSecretOutputs.includes(k)),
      [],
    );

    // Drift made outside Pulumi is provider.spec.ts's (in one engine command the host reuses its reads).
    assert.deepEqual(await host.diff(created.id, urn, created.props, checked.inputs), {
      changes: "none",
      replaces: [],
      deleteBeforeReplace: false,
    });
    await assert.rejects(
      host.diff(created.id, urn, created.props, { ...checked.inputs, region: "ohio" }),
      /changing region \(live "oregon", wanted "ohio"\) would replace the Key Value/,
    );
    const bigger = { ...checked.inputs, plan: "standard" };
    assert.deepEqual(await host.diff(created.id, urn, created.props, bigger), {
      changes: "some",
      replaces: [],
      deleteBeforeReplace: false,
    });

    const updated = await host.update(created.id, urn, created.props, bigger);
    assert.equal(updated.props.status, "available");
    assert.equal(updated.props.plan, "standard");
    const live = (await call(emu.url, "GET", `/key-value/${created.id}`, { apiKey: emu.apiKey })).body as {
      plan: string;
      options: { maxmemoryPolicy: string };
    };
    assert.equal(live.plan, "standard");
    assert.equal(live.options.maxmemoryPolicy, "allkeys_lfu");

    const read = await host.read(created.id, urn, updated.props);
    assert.equal(read.id, created.id);
    assert.equal(read.inputs?.maxmemoryPolicy, "allkeys_lfu");

    await host.delete(created.id, urn, read.props);
    assert.equal(
      (await call(emu.url, "GET", `/key-value/${created.id}`, { apiKey: emu.apiKey })).status,
      404,
    );
    assert.equal(host.stderr.includes(password), false, "the host's log never shows the password");
  });
});
