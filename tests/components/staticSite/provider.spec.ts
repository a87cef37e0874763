import { strict as assert } from "node:assert";
import { startEmulator } from "../../../emulator";
import { StaticSiteProvider, type StaticSiteOutputs } from "../../../components/staticSite/provider";
import type { StaticSiteInputs } from "../../../components/staticSite/mapping";
import { call, checked, configured, environmentsIn } from "../../helpers/providers";

type Emulator = Awaited<ReturnType<typeof startEmulator>>;
type Json = Record<string, unknown>;

interface LoggedRequest {
  method: string;
  path: string;
  status: number;
}

// RenderStaticSite's provider against the emulator, method by method, as the provider host calls it.
describe("RenderStaticSite provider (emulator)", function () {
  this.timeout(60_000);
  let emu: Emulator;
  let provider: StaticSiteProvider;
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
    provider = await configured(new StaticSiteProvider((line) => reported.push(line)), emu);
    n++;
  });

  const api = (method: string, path: string, body?: unknown) =>
    call(emu.url, method, path, { apiKey: emu.apiKey, body });
  const writes = async () =>
    ((await call(emu.controlUrl, "GET", "/requests")).body as LoggedRequest[]).filter(
      (r) => r.method !== "GET",
    );
  const sites = async () =>
    ((await api("GET", "/services?type=static_site&limit=100")).body as { service: Json }[]).map(
      (e) => e.service,
    );
  const headersOf = async (id: string) =>
    ((await api("GET", `/services/${id}/headers`)).body as { header: Json }[]).map((e) => e.header);
  const routesOf = async (id: string) =>
    ((await api("GET", `/services/${id}/routes`)).body as { route: Json }[]).map((e) => e.route);
  const deploysOf = async (id: string) =>
    ((await api("GET", `/services/${id}/deploys`)).body as unknown[]).length;

  function args(overrides: Record<string, unknown> = {}): Record<string, unknown> {
    return {
      name: `arrakis-docs-${n}`,
      ownerId: emu.ownerId,
      repo: "https://github.com/example/docs.git",
      branch: "main",
      buildCommand: "npm ci && npm run build",
      staticPublishPath: "dist",
      previews: { generation: "automatic" },
      headers: [
        { path: "/assets/*", name: "Cache-Control", value: "max-age=31536000" },
        { path: "/*", name: "X-Frame-Options", value: "SAMEORIGIN" },
      ],
      routes: [
        { type: "redirect", source: "/old", destination: "/new" },
        { type: "rewrite", source: "/*", destination: "/index.html" },
      ],
      ...overrides,
    };
  }

  async function created(overrides: Record<string, unknown> = {}) {
    const inputs = await checked<StaticSiteInputs>(provider, args(overrides));
    const result = await provider.create(inputs);
    return { inputs, id: result.id, outs: result.outs as StaticSiteOutputs };
  }

  it("check names the property and the allowed values, and writes nothing", async () => {
    const result = await provider.check!(
      {} as StaticSiteInputs,
      args({
        previews: "always",
        routes: [{ type: "proxy", source: "/a", destination: "/b" }],
        headers: [{ path: "assets", name: "X", value: "1" }],
        publishPath: "/abs",
      }) as never,
    );
    assert.deepEqual((result.failures ?? []).map((f) => f.property).sort(), [
      "headers[0].path",
      "previews",
      "publishPath",
      "routes[0].type",
    ]);
    assert.match(
      result.failures!.find((f) => f.property === "previews")!.reason,
      /allowed: "off", "manual", "automatic"/,
    );
    assert.deepEqual(await writes(), []);
  });

  it("creates the site with its rules in one call, outputs its url, and shows no change after", async () => {
    const { id, inputs, outs } = await created();
    const creates = (await writes()).filter((w) => w.method === "POST" && w.path === "/v1/services");
    assert.equal(creates.length, 1);
    assert.equal(outs.dashboardUrl, `https://dashboard.render.com/static/${id}`);
    assert.match(outs.url, /arrakis-docs-/);
    const [site] = await sites();
    assert.equal(site.repo, "https://github.com/example/docs");
    assert.equal((site.serviceDetails as Json).publishPath, "dist");
    assert.deepEqual(
      (await routesOf(id)).map((r) => [r.priority, r.source]),
      [
        [0, "/old"],
        [1, "/*"],
      ],
    );
    assert.equal((await headersOf(id)).length, 2);
    const diff = await provider.diff(id, outs, inputs);
    assert.equal(diff.changes, false);
  });

  it("refuses a second site of the same name, and never makes a second one when the POST's answer is lost", async () => {
    await created();
    await assert.rejects(created(), /already has a static site of that name .*adoptExisting/);
    await call(emu.controlUrl, "POST", "/reset");
    await call(emu.controlUrl, "POST", "/faults", {
      body: { method: "POST", path: "/v1/services", count: 1, fault: { kind: "lose-response" } },
    });
    const { id } = await created();
    assert.deepEqual(
      (await sites()).map((s) => s.id),
      [id],
    );
  });

  it("adopts a site by id, reporting the changes, then converges settings and rules", async () => {
    const made = await api("POST", "/services", {
      type: "static_site",
      name: `arrakis-docs-${n}`,
      ownerId: emu.ownerId,
      repo: "https://github.com/example/docs",
      serviceDetails: { buildCommand: "make", publishPath: "public" },
    });
    const id = ((made.body as { service: Json }).service.id as string) ?? "";
    const inputs = await checked<StaticSiteInputs>(provider, args({ adoptId: id }));
    assert.match(
      reported.join("\n"),
      /adopting static site .*~ buildCommand: "make" => "npm ci && npm run build"/s,
    );
    const result = await provider.create(inputs);
    assert.equal(result.id, id);
    assert.equal((await headersOf(id)).length, 2);
    assert.equal((await provider.diff(id, result.outs as StaticSiteOutputs, inputs)).changes, false);
  });

  it("sees drift field by field (settings, headers, routes) and update puts it back, building only when needed", async () => {
    const { id, inputs, outs } = await created();
    const builds = await deploysOf(id);
    await api("PATCH", `/services/${id}`, {
      serviceDetails: { publishPath: "out", previews: { generation: "off" } },
    });
    await api("PUT", `/services/${id}/headers`, [{ path: "/*", name: "X-Frame-Options", value: "DENY" }]);
    await api("PUT", `/services/${id}/routes`, [
      { type: "rewrite", source: "/*", destination: "/index.html" },
      { type: "redirect", source: "/old", destination: "/new" },
    ]);
    const diff = await provider.diff(id, outs, inputs);
    assert.equal(diff.changes, true);
    const read = await provider.read(id, outs);
    assert.equal((read.inputs as StaticSiteInputs).publishPath, "out");
    assert.equal((read.inputs as StaticSiteInputs).previews, "off");
    assert.deepEqual(
      (read.inputs as StaticSiteInputs).routes.map((r) => r.source),
      ["/*", "/old"],
    );
    await provider.update!(id, outs, inputs);
    assert.equal((await provider.diff(id, outs, inputs)).changes, false);
    assert.equal(await deploysOf(id), builds + 1, "a new publish path builds again");
    // Only rules differ: no build.
    await api("PUT", `/services/${id}/headers`, []);
    await provider.update!(id, outs, inputs);
    assert.equal(await deploysOf(id), builds + 1);
    assert.equal((await headersOf(id)).length, 2);
  });

  it("moves the site to another environment in place: same id and URL, no build", async () => {
    const envs = await environmentsIn(emu);
    const { id, inputs, outs } = await created({ environmentId: envs.production });
    const moved = { ...inputs, environmentId: envs.staging };
    const diff = await provider.diff(id, outs, moved);
    assert.equal(diff.changes, true);
    assert.deepEqual(diff.replaces, []);
    await call(emu.controlUrl, "DELETE", "/requests");
    await provider.update!(id, outs, moved);
    assert.deepEqual(
      (await writes()).map((w) => `${w.method} ${w.path}`),
      [`POST /v1/environments/${envs.staging}/resources`],
    );
    assert.equal(
      ((await api("GET", `/services/${id}`)).body as { environmentId?: string }).environmentId,
      envs.staging,
    );
    assert.equal((await provider.diff(id, outs, moved)).changes, false);
  });

  it("a site deleted outside Pulumi stops diff and refresh with the way back; delete treats it as done", async () => {
    const { id, inputs, outs } = await created();
    await api("DELETE", `/services/${id}`);
    await assert.rejects(
      provider.diff(id, outs, inputs),
      /no longer exists on Render.*RENDER_FORGET_DELETED/s,
    );
    await assert.rejects(provider.read(id, outs), /no longer exists on Render/);
    const before = process.env.RENDER_FORGET_DELETED;
    process.env.RENDER_FORGET_DELETED = id;
    try {
      assert.deepEqual(await provider.read(id, outs), {});
    } finally {
      if (before === undefined) delete process.env.RENDER_FORGET_DELETED;
      else process.env.RENDER_FORGET_DELETED = before;
    }
    await provider.delete(id);
  });

  it("reads every live setting for an import, and deletes the site", async () => {
    const { id } = await created({ buildFilter: { paths: ["src/**"] } });
    const read = await provider.read(id);
    const inputs = read.inputs as StaticSiteInputs;
    assert.equal(inputs.branch, "main");
    assert.deepEqual(inputs.buildFilter, { paths: ["src/**"], ignoredPaths: [] });
    assert.equal(inputs.previews, "automatic");
    await provider.delete(id);
    assert.deepEqual(await sites(), []);
  });
});
