import { strict as assert } from "node:assert";
import { startEmulator } from "../../../emulator";
import { CustomDomainProvider, type CustomDomainOutputs } from "../../../components/customDomain/provider";
import type { CustomDomainInputs } from "../../../components/customDomain/mapping";
import { call, checked, configured } from "../../helpers/providers";
import { webServiceBody } from "../../emulator/harness";

type Emulator = Awaited<ReturnType<typeof startEmulator>>;
type Json = Record<string, unknown>;

interface LoggedRequest {
  method: string;
  path: string;
}

// RenderCustomDomain's provider against the emulator: Render's apex/www sibling is never drift.
describe("RenderCustomDomain provider (emulator)", function () {
  this.timeout(60_000);
  let emu: Emulator;
  let provider: CustomDomainProvider;
  let serviceId: string;
  let reported: string[];

  before(async () => {
    emu = await startEmulator({ port: 0, timings: "fast", rateLimits: { enabled: false, timeScale: 1 } });
  });
  after(async () => {
    await emu?.close();
  });
  beforeEach(async () => {
    await call(emu.controlUrl, "POST", "/reset");
    reported = [];
    provider = await configured(new CustomDomainProvider((line) => reported.push(line)), emu);
    const made = await api("POST", "/services", webServiceBody(emu.ownerId, "web"));
    serviceId = (made.body as { service: { id: string } }).service.id;
    await call(emu.controlUrl, "DELETE", "/requests");
  });

  const api = (method: string, path: string, body?: unknown) =>
    call(emu.url, method, path, { apiKey: emu.apiKey, body });
  const writes = async () =>
    ((await call(emu.controlUrl, "GET", "/requests")).body as LoggedRequest[]).filter(
      (r) => r.method !== "GET",
    );
  const domains = async () =>
    ((await api("GET", `/services/${serviceId}/custom-domains`)).body as { customDomain: Json }[])
      .map((e) => e.customDomain.name as string)
      .sort();

  async function created(overrides: Record<string, unknown> = {}) {
    const inputs = await checked<CustomDomainInputs>(provider, {
      name: "Example.org.",
      serviceId,
      ...overrides,
    });
    const result = await provider.create(inputs);
    return { inputs, id: result.id, outs: result.outs as CustomDomainOutputs };
  }

  it("check names the field: a bad name, a service that does not exist; writes nothing", async () => {
    const bad = await provider.check!({} as never, { name: "not a domain", serviceId } as never);
    assert.deepEqual(
      bad.failures?.map((f) => f.property),
      ["name"],
    );
    assert.match(bad.failures![0].reason, /is not a domain name.*example\.com/);
    const missing = await provider.check!(
      {} as never,
      { name: "example.org", serviceId: "srv-nope" } as never,
    );
    assert.match(missing.failures![0].reason, /no service srv-nope/);
    assert.deepEqual(await writes(), []);
  });

  it("adds the domain, reports Render's www sibling, and shows no drift from it", async () => {
    const { id, inputs, outs } = await created();
    assert.equal(inputs.name, "example.org");
    assert.match(id, /^cdm-/);
    assert.equal(outs.domainType, "apex");
    assert.equal(outs.verificationStatus, "unverified");
    assert.equal(outs.siblingName, "www.example.org");
    assert.deepEqual(await domains(), ["example.org", "www.example.org"]);
    assert.equal((await provider.diff(id, outs, inputs)).changes, false);
    const read = await provider.read(id, outs);
    assert.deepEqual(
      {
        name: (read.inputs as CustomDomainInputs).name,
        serviceId: (read.inputs as CustomDomainInputs).serviceId,
      },
      { name: "example.org", serviceId },
    );
  });

  it("adopts the sibling Render added when the program names it too, without a second POST", async () => {
    await created();
    const www = await created({ name: "www.example.org" });
    assert.equal(www.outs.domainType, "subdomain");
    const posts = (await writes()).filter((w) => w.method === "POST" && w.path.endsWith("/custom-domains"));
    assert.equal(posts.length, 1);
  });

  it("takes both the apex and the www name added at once, whichever Render adds first", async () => {
    const [apex, www] = await Promise.all([created(), created({ name: "www.example.org" })]);
    assert.deepEqual(await domains(), ["example.org", "www.example.org"]);
    assert.notEqual(apex.id, www.id);
    assert.equal((await provider.diff(www.id, www.outs, www.inputs)).changes, false);
  });

  it("refuses a domain already on the service unless adoptExisting; never adds one twice on a lost answer", async () => {
    await api("POST", `/services/${serviceId}/custom-domains`, { name: "app.example.org" });
    await assert.rejects(
      created({ name: "app.example.org" }),
      /already has a custom domain of that name.*adoptExisting/,
    );
    const adopted = await created({ name: "app.example.org", adoptExisting: true });
    assert.equal(adopted.outs.siblingName, "");
    await call(emu.controlUrl, "POST", "/faults", {
      body: {
        method: "POST",
        path: `/v1/services/${serviceId}/custom-domains`,
        count: 1,
        fault: { kind: "lose-response" },
      },
    });
    const { id } = await created({ name: "docs.example.org" });
    const got = await api("GET", `/services/${serviceId}/custom-domains/docs.example.org`);
    assert.equal((got.body as Json).id, id);
  });

  it("adopts exactly the domain adoptId names, with its report; refuses one of another name without writing", async () => {
    const made = await api("POST", `/services/${serviceId}/custom-domains`, { name: "app.example.org" });
    const id = (made.body as Json[])[0].id as string;
    await call(emu.controlUrl, "DELETE", "/requests");
    const adopted = await created({ name: "app.example.org", adoptId: id });
    assert.equal(adopted.id, id);
    assert.match(
      reported.join("\n"),
      new RegExp(`adopting custom domain app\\.example\\.org \\(${id}\\): pulumi up changes nothing`),
    );
    assert.deepEqual(await writes(), []);
    await assert.rejects(
      created({ name: "docs.example.org", adoptId: id }),
      /it is named "app\.example\.org"/,
    );
    assert.deepEqual(await writes(), []);
  });

  it("verifies when asked; a rename is a replacement only when allowed", async () => {
    const { id, inputs, outs } = await created({ verify: true });
    assert.equal(outs.verificationStatus, "verified");
    const renamed = { ...inputs, name: "example.net" };
    await assert.rejects(
      provider.diff(id, outs, renamed),
      /removing it and adding another domain.*allowReplacement/s,
    );
    const diff = await provider.diff(id, outs, { ...renamed, allowReplacement: true });
    assert.deepEqual(diff.replaces, ["name"]);
  });

  it("a domain removed outside Pulumi stops diff with the way back; delete removes it and its sibling", async () => {
    const { id, inputs, outs } = await created();
    await provider.delete(id, outs);
    assert.deepEqual(await domains(), []);
    await assert.rejects(
      provider.diff(id, outs, inputs),
      /custom domain example\.org .*no longer exists on Render/,
    );
    await provider.delete(id, outs);
    const again = await created();
    await api("DELETE", `/services/${serviceId}`);
    await provider.delete(again.id, again.outs);
  });
});
