/**
 * RenderStaticSite and RenderCustomDomain as the engine reaches them: the shims a resource's state holds
 * (`packagedProvider("staticSite")`, `("customDomain")`), serialized and run by the SDK's dynamic provider
 * host over gRPC (tools/harness/providerHost.ts) against the emulator: Check, Create, Diff, Update, Read
 * and Delete of a site, then of a domain of it (Render's www sibling no drift, removed with its domain).
 */
import { strict as assert } from "node:assert";
import { startEmulator } from "../../../emulator";
import { packagedProvider } from "../../../components/runtime/package";
import { DynamicProviderHost, providerKey, serializeProvider } from "../../../tools/harness/providerHost";
import { call } from "../../helpers/providers";

describe("RenderStaticSite and RenderCustomDomain through the dynamic provider host (packaged shims, emulator)", function () {
  this.timeout(60_000);
  const siteUrn = "urn:pulumi:test::demo::pulumi-nodejs:dynamic/render:StaticSite::docs";
  const domainUrn = "urn:pulumi:test::demo::pulumi-nodejs:dynamic/render:CustomDomain::apex";
  let emu: Awaited<ReturnType<typeof startEmulator>>;
  let host: DynamicProviderHost;
  let siteShim: string;
  let domainShim: string;

  before(async () => {
    emu = await startEmulator({ port: 0, timings: "fast", rateLimits: { enabled: false, timeScale: 1 } });
    siteShim = await serializeProvider(packagedProvider("staticSite"));
    domainShim = await serializeProvider(packagedProvider("customDomain"));
    host = await DynamicProviderHost.start();
    await host.configure({ "render:apiKey": emu.apiKey, "render:apiUrl": emu.url });
  });
  after(async () => {
    await host?.stop();
    await emu?.close();
  });

  const api = (method: string, path: string) => call(emu.url, method, path, { apiKey: emu.apiKey });

  it("checks, creates, diffs, updates, reads and deletes a static site and its custom domain", async () => {
    assert.ok(siteShim.length < 10_000 && domainShim.length < 10_000, "the shims are small");
    const site = {
      name: "host-docs",
      ownerId: emu.ownerId,
      repo: "https://github.com/example/docs",
      buildCommand: "npm run build",
      staticPublishPath: "dist",
      routes: [{ type: "rewrite", source: "/*", destination: "/index.html" }],
      [providerKey]: siteShim,
    };
    const bad = await host.check(siteUrn, {}, { ...site, previews: "always" });
    assert.deepEqual(
      bad.failures.map((f) => f.property),
      ["previews"],
    );
    const checked = await host.check(siteUrn, {}, site);
    assert.deepEqual(checked.failures, []);
    const created = await host.create(siteUrn, checked.inputs);
    assert.match(created.id, /^srv-/);
    assert.equal(created.props.dashboardUrl, `https://dashboard.render.com/static/${created.id}`);
    assert.deepEqual(await host.diff(created.id, siteUrn, created.props, checked.inputs), {
      changes: "none",
      replaces: [],
      deleteBeforeReplace: false,
    });
    const withHeader = {
      ...checked.inputs,
      headers: [{ path: "/*", name: "X-Frame-Options", value: "DENY" }],
    };
    const updated = await host.update(created.id, siteUrn, created.props, withHeader);
    assert.deepEqual(updated.props.headers, withHeader.headers);
    const headers = (await api("GET", `/services/${created.id}/headers`)).body as unknown[];
    assert.equal(headers.length, 1);

    const domain = { name: "example.org", serviceId: created.id, [providerKey]: domainShim };
    const domainChecked = await host.check(domainUrn, {}, domain);
    assert.deepEqual(domainChecked.failures, []);
    const added = await host.create(domainUrn, domainChecked.inputs);
    assert.equal(added.props.siblingName, "www.example.org");
    assert.deepEqual(await host.diff(added.id, domainUrn, added.props, domainChecked.inputs), {
      changes: "none",
      replaces: [],
      deleteBeforeReplace: false,
    });
    const readDomain = await host.read(added.id, domainUrn, added.props);
    assert.equal(readDomain.inputs?.name, "example.org");
    await host.delete(added.id, domainUrn, readDomain.props);
    assert.deepEqual((await api("GET", `/services/${created.id}/custom-domains`)).body, []);

    const read = await host.read(created.id, siteUrn, updated.props);
    assert.equal(read.inputs?.publishPath, "dist");
    await host.delete(created.id, siteUrn, read.props);
    assert.equal((await api("GET", `/services/${created.id}`)).status, 404);
  });
});
