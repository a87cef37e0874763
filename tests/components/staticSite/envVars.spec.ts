/**
 * RenderStaticSite's env vars against the emulator, as the provider host calls it: the kinds a service's
 * have (plain, secret, generated, a database link, the site's own URL) sent with the create, drift key by
 * key in refresh without a value, one replace of the set and a new build on update, generated values never
 * regenerated, and the adoption report naming secrets without showing them.
 */
import { strict as assert } from "node:assert";
import { startEmulator } from "../../../emulator";
import { StaticSiteProvider, type StaticSiteOutputs } from "../../../components/staticSite/provider";
import type { StaticSiteInputs } from "../../../components/staticSite/mapping";
import { changedHiddenValue, hiddenValue, secretDrift } from "../../../components/service/envVars";
import { call, checked, configured } from "../../helpers/providers";
import { eventually } from "../../emulator/harness";
import { instantDatabaseBackend } from "../../blueprint/liveSeed";

type Emulator = Awaited<ReturnType<typeof startEmulator>>;
type Json = Record<string, unknown>;

interface LoggedRequest {
  method: string;
  path: string;
  status: number;
}

describe("RenderStaticSite env vars (emulator)", function () {
  this.timeout(60_000);
  let emu: Emulator;
  let provider: StaticSiteProvider;
  let reported: string[];
  let databaseId: string;
  let internalUrl: string;
  let n = 0;

  const api = (method: string, path: string, body?: unknown) =>
    call(emu.url, method, path, { apiKey: emu.apiKey, body });
  const writes = async () =>
    ((await call(emu.controlUrl, "GET", "/requests")).body as LoggedRequest[])
      .filter((r) => r.method !== "GET")
      .map((r) => `${r.method} ${r.path}`);
  const env = async (id: string) =>
    Object.fromEntries(
      (
        (await api("GET", `/services/${id}/env-vars`)).body as { envVar: { key: string; value: string } }[]
      ).map((e) => [e.envVar.key, e.envVar.value]),
    );
  const deploys = async (id: string) =>
    ((await api("GET", `/services/${id}/deploys`)).body as unknown[]).length;

  before(async () => {
    emu = await startEmulator({
      port: 0,
      timings: "fast",
      rateLimits: { enabled: false, timeScale: 1 },
      // Only the database's connection info is linked: nothing connects to it, so no server runs.
      databaseBackend: instantDatabaseBackend(),
    });
    const created = await api("POST", "/postgres", {
      name: "site-spec-db",
      ownerId: emu.ownerId,
      plan: "basic_256mb",
      version: "17",
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    databaseId = (created.body as { id: string }).id;
    await eventually(
      async () =>
        ((await api("GET", `/postgres/${databaseId}`)).body as { status: string }).status === "available",
      `database ${databaseId} to be available`,
      50_000,
    );
    internalUrl = ((await api("GET", `/postgres/${databaseId}/connection-info`)).body as Json)
      .internalConnectionString as string;
  });
  after(async () => {
    await emu?.close();
  });
  beforeEach(async () => {
    await call(emu.controlUrl, "DELETE", "/requests");
    reported = [];
    provider = await configured(new StaticSiteProvider((line) => reported.push(line)), emu);
    n++;
  });

  /** One of each kind, as RenderStaticSite's toEnvVarInputs hands them over. */
  const allKinds = () => ({
    NODE_VERSION: { kind: "plain", value: "20" },
    API_TOKEN: { kind: "secret", value: "tok-build-secret-value" },
    BUILD_SALT: { kind: "generated" },
    DATABASE_URL: { kind: "linked", database: databaseId, property: "connectionString" },
  });

  const args = (overrides: Json = {}): Json => ({
    name: `site-env-${n}`,
    ownerId: emu.ownerId,
    repo: "https://github.com/example/docs",
    branch: "main",
    buildCommand: "npm ci && npm run build",
    staticPublishPath: "dist",
    envVars: allKinds(),
    ...overrides,
  });

  async function created(overrides: Json = {}) {
    const inputs = await checked<StaticSiteInputs>(provider, args(overrides));
    const result = await provider.create(inputs);
    return { inputs, id: result.id, outs: result.outs as StaticSiteOutputs };
  }

  it("creates the site with every env var in the one POST; outputs keys and the generated value; no change after", async () => {
    const { id, inputs, outs } = await created();
    assert.deepEqual(await writes(), ["POST /v1/services"]);
    const live = await env(id);
    assert.equal(live.NODE_VERSION, "20");
    assert.equal(live.API_TOKEN, "tok-build-secret-value");
    assert.equal(live.DATABASE_URL, internalUrl);
    assert.match(live.BUILD_SALT, /^[A-Za-z0-9+/]{43}=$/);
    assert.deepEqual(outs.envVarKeys, ["API_TOKEN", "BUILD_SALT", "DATABASE_URL", "NODE_VERSION"]);
    assert.deepEqual(outs.generatedValues, { BUILD_SALT: live.BUILD_SALT });
    // The connection string is read from Render when written, never an input or output.
    assert.ok(!JSON.stringify(outs).includes(internalUrl));
    assert.equal((await provider.diff(id, outs, inputs)).changes, false);
  });

  it("serviceUrl and serviceHostname hold the site's own address, set right after the create when Render gave another", async () => {
    const { id, inputs, outs } = await created({
      envVars: { SITE_URL: { kind: "serviceUrl" }, SITE_HOST: { kind: "serviceHostname" } },
    });
    assert.equal((await env(id)).SITE_URL, outs.url);
    assert.equal((await env(id)).SITE_HOST, new URL(outs.url).hostname);
    assert.match(outs.url, new RegExp(`site-env-${n}`));
    assert.equal((await provider.diff(id, outs, inputs)).changes, false);
  });

  it("shows drift key by key in refresh, never a value; update replaces the set once, builds, keeps the generated value", async () => {
    const { id, inputs, outs } = await created();
    const salt = outs.generatedValues.BUILD_SALT;
    await api("PUT", `/services/${id}/env-vars/ADDED_IN_DASHBOARD`, { value: "sneaky-dashboard-value" });
    await api("PUT", `/services/${id}/env-vars/API_TOKEN`, { value: "tok-changed-by-hand" });
    await api("PUT", `/services/${id}/env-vars/DATABASE_URL`, { value: "postgres://elsewhere/db" });
    await api("PUT", `/services/${id}/env-vars/BUILD_SALT`, { value: "regenerated-by-hand" });
    await api("DELETE", `/services/${id}/env-vars/NODE_VERSION`);
    assert.equal((await provider.diff(id, outs, inputs)).changes, true);
    const read = await provider.read(id, outs);
    const back = (read.inputs as StaticSiteInputs).envVars as Record<string, Json>;
    assert.deepEqual(back.ADDED_IN_DASHBOARD, { kind: "plain", value: hiddenValue });
    assert.deepEqual(back.API_TOKEN, { kind: "secret", value: changedHiddenValue, drift: secretDrift });
    assert.deepEqual(back.DATABASE_URL, {
      kind: "linked",
      database: databaseId,
      property: "connectionString",
      value: changedHiddenValue,
    });
    assert.deepEqual(back.BUILD_SALT, { kind: "generated", value: changedHiddenValue });
    assert.equal(back.NODE_VERSION, undefined);
    for (const value of [
      "sneaky-dashboard-value",
      "tok-changed-by-hand",
      "postgres://elsewhere",
      "regenerated",
    ])
      assert.ok(!JSON.stringify(read).includes(value), `${value} is not in what refresh records`);

    const builds = await deploys(id);
    await call(emu.controlUrl, "DELETE", "/requests");
    const updated = (await provider.update!(id, outs, inputs)).outs as StaticSiteOutputs;
    assert.deepEqual(await writes(), [`PUT /v1/services/${id}/env-vars`, `POST /v1/services/${id}/deploys`]);
    assert.equal(await deploys(id), builds + 1, "a static site's env vars are read by its build");
    assert.deepEqual(await env(id), {
      NODE_VERSION: "20",
      API_TOKEN: "tok-build-secret-value",
      BUILD_SALT: salt,
      DATABASE_URL: internalUrl,
    });
    assert.equal(updated.generatedValues.BUILD_SALT, salt);
    assert.equal((await provider.diff(id, updated, inputs)).changes, false);
  });

  it("a changed env var is one replace of the set and one build; unchanged ones write nothing", async () => {
    const { id, outs } = await created();
    const news = await checked<StaticSiteInputs>(
      provider,
      args({ envVars: { ...allKinds(), NODE_VERSION: { kind: "plain", value: "22" } } }),
    );
    assert.equal((await provider.diff(id, outs, news)).changes, true);
    await call(emu.controlUrl, "DELETE", "/requests");
    const updated = (await provider.update!(id, outs, news)).outs as StaticSiteOutputs;
    assert.deepEqual(await writes(), [`PUT /v1/services/${id}/env-vars`, `POST /v1/services/${id}/deploys`]);
    assert.equal((await env(id)).NODE_VERSION, "22");
    assert.equal((await env(id)).BUILD_SALT, outs.generatedValues.BUILD_SALT);
    await call(emu.controlUrl, "DELETE", "/requests");
    await provider.update!(id, updated, news);
    assert.deepEqual(await writes(), []);
  });

  it("adopting a site reports its env var changes, secrets named and never shown, then makes the set exact", async () => {
    const made = await api("POST", "/services", {
      type: "static_site",
      name: `site-env-${n}`,
      ownerId: emu.ownerId,
      repo: "https://github.com/example/docs",
      branch: "main",
      envVars: [
        { key: "NODE_VERSION", value: "18" },
        { key: "API_TOKEN", value: "tok-live-secret" },
        { key: "LEGACY_FLAG", value: "on" },
      ],
      serviceDetails: { buildCommand: "npm ci && npm run build", publishPath: "dist" },
    });
    const id = (made.body as { service: { id: string } }).service.id;
    const inputs = await checked<StaticSiteInputs>(provider, args({ adoptId: id }));
    const report = reported.join("\n");
    assert.match(report, /~ env var NODE_VERSION: "18" => "20"/);
    assert.match(report, /~ env var API_TOKEN: \[secret\] differs/);
    assert.match(report, /- remove env var LEGACY_FLAG \(set outside Pulumi/);
    assert.match(report, /\+ add env var BUILD_SALT \(generated by Render\)/);
    assert.match(report, /\+ add env var DATABASE_URL \(\[secret\]\)/);
    for (const secret of ["tok-live-secret", "tok-build-secret-value", internalUrl, 'on"'])
      assert.ok(!report.includes(secret), `the report does not show ${secret}`);
    const result = await provider.create(inputs);
    assert.equal(result.id, id);
    const live = await env(id);
    assert.deepEqual(Object.keys(live).sort(), ["API_TOKEN", "BUILD_SALT", "DATABASE_URL", "NODE_VERSION"]);
    assert.equal(live.API_TOKEN, "tok-build-secret-value");
    assert.equal((await provider.diff(id, result.outs as StaticSiteOutputs, inputs)).changes, false);
  });

  it("a site recorded before static sites took env vars previews no change", async () => {
    const { id, outs } = await created({ envVars: {} });
    const { envVars: _none, envVarKeys: _keys, generatedValues: _g, ...old } = outs;
    const news = await checked<StaticSiteInputs>(provider, args({ envVars: undefined }));
    assert.equal((await provider.diff(id, old as StaticSiteOutputs, news)).changes, false);
    const read = await provider.read(id, old as StaticSiteOutputs);
    assert.deepEqual((read.inputs as StaticSiteInputs).envVars, {});
  });
});
