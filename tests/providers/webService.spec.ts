import { strict as assert } from "node:assert";
import { startEmulator } from "../../emulator";
import {
  WebServiceProvider,
  changedHiddenValue,
  secretDrift,
  hiddenValue,
  type WebServiceOutputs,
} from "../../components/webServiceProvider";
import type { ServiceInputs } from "../../components/mapping/service";
import { RateBudget } from "../../components/render/budget";
import { call, checked, configured } from "../helpers/providers";

type Emulator = Awaited<ReturnType<typeof startEmulator>>;

interface LoggedRequest {
  method: string;
  path: string;
  status: number;
}

interface LiveService {
  id: string;
  name: string;
  repo: string;
  branch: string;
  rootDir: string;
  autoDeploy: string;
  suspended: string;
  serviceDetails: {
    runtime: string;
    plan: string;
    region: string;
    healthCheckPath: string;
    numInstances: number;
    url: string;
    pullRequestPreviewsEnabled: string;
    previews: { generation: string };
    envSpecificDetails: { buildCommand: string; startCommand: string; preDeployCommand?: string };
  };
}

interface ConnectionInfo {
  password: string;
  internalConnectionString: string;
  externalConnectionString: string;
}

// RenderWebService's provider against the emulator, method by method, as the provider host calls it.
// One database (a real PGlite) serves every linked env var; services get a fresh name per test.
describe("RenderWebService provider (emulator)", function () {
  this.timeout(60_000);
  let emu: Emulator;
  let provider: WebServiceProvider;
  let databaseId: string;
  let info: ConnectionInfo;
  let n = 0;

  const api = (method: string, path: string, body?: unknown) =>
    call(emu.url, method, path, { apiKey: emu.apiKey, body });
  const requests = async () => (await call(emu.controlUrl, "GET", "/requests")).body as LoggedRequest[];
  const writes = async () => (await requests()).filter((r) => r.method !== "GET");
  const service = async (id: string) => (await api("GET", `/services/${id}`)).body as LiveService;
  const services = async () =>
    ((await api("GET", "/services?limit=100")).body as { service: LiveService }[]).map((e) => e.service);
  async function env(id: string): Promise<Record<string, string>> {
    const { body } = await api("GET", `/services/${id}/env-vars?limit=100`);
    return Object.fromEntries(
      (body as { envVar: { key: string; value: string } }[]).map((e) => [e.envVar.key, e.envVar.value]),
    );
  }

  before(async () => {
    emu = await startEmulator({ port: 0, timings: "fast", rateLimits: { enabled: false } });
    // The providers' process-wide client budget keeps Render's limits (20 service creates an hour):
    // this file creates ~50 services, so its budget runs Render's table at 1/100 of the time and one
    // create window of a minute.
    const registry = ((globalThis as unknown as Record<symbol, Map<string, RateBudget>>)[
      Symbol.for("arrakis.render.rateBudgets")
    ] ??= new Map());
    registry.set(
      emu.url.replace(/\/+$/, ""),
      new RateBudget({ timeScale: 0.01, limits: { createService: { limit: 20, windowMs: 60_000 } } }),
    );
    const created = await api("POST", "/postgres", {
      name: "web-spec-db",
      ownerId: emu.ownerId,
      plan: "basic_256mb",
      version: "17",
      databaseName: "arrakis_production",
      databaseUser: "arrakis_prod_user",
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    databaseId = (created.body as { id: string }).id;
    for (let i = 0; i < 600; i++) {
      if (((await api("GET", `/postgres/${databaseId}`)).body as { status: string }).status === "available")
        break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    info = (await api("GET", `/postgres/${databaseId}/connection-info`)).body as ConnectionInfo;
  });
  after(async () => {
    await emu?.close();
  });
  beforeEach(async () => {
    await call(emu.controlUrl, "DELETE", "/faults");
    await call(emu.controlUrl, "DELETE", "/requests");
    provider = await configured(new WebServiceProvider(), emu);
    n++;
  });

  /** The seed service (issue 6) under a fresh name, with overrides. */
  function args(overrides: Record<string, unknown> = {}): Record<string, unknown> {
    return {
      name: `arrakis-web-${n}`,
      ownerId: emu.ownerId,
      repo: "https://github.com/happydotemdr/arrakis",
      branch: "master",
      runtime: "node",
      plan: "starter",
      region: "oregon",
      buildCommand: "npm install && npm run build",
      startCommand: "npm start",
      healthCheckPath: "/",
      autoDeploy: false,
      envVars: {},
      ...overrides,
    };
  }

  async function created(overrides: Record<string, unknown> = {}) {
    const inputs = await checked<ServiceInputs>(provider, args(overrides));
    const result = await provider.create(inputs);
    return { inputs, id: result.id, outs: result.outs as WebServiceOutputs };
  }

  /** Every env var kind, as `toEnvVarInputs` hands them to the provider. */
  const allKinds = () => ({
    NODE_ENV: { kind: "plain", value: "production" },
    OPENAI_API_KEY: { kind: "secret", value: "sk-test-openai-secret-value" },
    NEXTAUTH_SECRET: { kind: "generated" },
    NEXTAUTH_URL: { kind: "serviceUrl" },
    DATABASE_URL: { kind: "linked", database: databaseId, property: "connectionString" },
    DIRECT_URL: { kind: "linked", database: databaseId, property: "connectionString" },
  });

  describe("check", () => {
    const bad: [string, unknown, RegExp][] = [
      ["name", "", /empty/],
      ["ownerId", "workspace-1", /tea-/],
      ["repo", "git@github.com:happydotemdr/arrakis.git", /https URL/],
      ["branch", "feature..x", /branch/],
      ["rootDir", "../outside", /inside the repository/],
      ["runtime", "java", /allowed: .*node/],
      ["plan", "huge", /allowed: .*starter/],
      ["region", "mars", /allowed: .*oregon/],
      ["buildCommand", "  ", /build command/],
      ["startCommand", undefined, /start command/],
      ["healthCheckPath", "health", /starting with '\/'/],
      ["numInstances", 0, /1 to 100/],
      ["numInstances", 1.5, /1 to 100/],
      ["autoDeploy", "sometimes", /true or false/],
      ["pullRequestPreviews", 3, /true or false/],
      ["adoptExisting", "yes please", /true or false/],
    ];
    for (const [field, value, reason] of bad)
      it(`refuses ${field} = ${JSON.stringify(value)}, naming it, and writes nothing`, async () => {
        const result = await provider.check!({} as ServiceInputs, args({ [field]: value }) as never);
        const failures = result.failures ?? [];
        assert.deepEqual(
          failures.map((f) => f.property),
          [field],
          JSON.stringify(failures),
        );
        assert.match(failures[0].reason, reason);
        assert.deepEqual(await writes(), []);
      });

    it("refuses bad env var keys and shapes, naming the key", async () => {
      const result = await provider.check!(
        {} as ServiceInputs,
        args({
          envVars: {
            "1BAD": { kind: "plain", value: "x" },
            "WITH-DASH": { kind: "plain", value: "x" },
            NO_VALUE: { kind: "secret" },
            GEN_WITH_VALUE: { kind: "generated", value: "mine" },
            URL_WITH_VALUE: { kind: "serviceUrl", value: "https://x" },
            LINK_NO_DB: { kind: "linked", property: "connectionString" },
            FINE: { kind: "plain", value: "x" },
          },
        }) as never,
      );
      const byProperty = Object.fromEntries((result.failures ?? []).map((f) => [f.property, f.reason]));
      assert.deepEqual(Object.keys(byProperty).sort(), [
        "envVars.1BAD",
        "envVars.GEN_WITH_VALUE",
        "envVars.LINK_NO_DB",
        "envVars.NO_VALUE",
        "envVars.URL_WITH_VALUE",
        "envVars.WITH-DASH",
      ]);
      assert.match(byProperty["envVars.1BAD"], /not a valid env var key/);
      assert.match(byProperty["envVars.LINK_NO_DB"], /\{database, property\}/);
      assert.deepEqual(await writes(), []);
    });

    it("refuses an unknown env var kind and link property, listing the allowed ones", async () => {
      const result = await provider.check!(
        {} as ServiceInputs,
        args({
          envVars: {
            ODD: { kind: "mystery", value: "x" },
            LINK_BAD_PROP: { kind: "linked", database: databaseId, property: "sslmode" },
          },
        }) as never,
      );
      const byProperty = Object.fromEntries((result.failures ?? []).map((f) => [f.property, f.reason]));
      assert.deepEqual(Object.keys(byProperty).sort(), [
        "envVars.LINK_BAD_PROP.property",
        "envVars.ODD.kind",
      ]);
      assert.match(
        byProperty["envVars.ODD.kind"],
        /one of "plain", "secret", "generated", "linked", "serviceUrl"/,
      );
      assert.match(byProperty["envVars.LINK_BAD_PROP.property"], /allowed: .*connectionString/);
    });

    it("refuses an argument it does not know, listing the ones it does", async () => {
      const result = await provider.check!({} as ServiceInputs, args({ buildComand: "npm ci" }) as never);
      assert.deepEqual(
        (result.failures ?? []).map((f) => f.property),
        ["buildComand"],
      );
      assert.match(result.failures![0].reason, /allowed: .*buildCommand/);
    });

    it("accepts render.yaml spellings and fills the defaults", async () => {
      const { runtime: _runtime, ...rest } = args();
      const inputs = await checked<ServiceInputs>(provider, {
        ...rest,
        env: "node",
        plan: "Starter",
        autoDeploy: "no",
        pullRequestPreviews: "yes",
        repo: "https://github.com/happydotemdr/arrakis.git",
        region: undefined,
      });
      assert.equal(inputs.runtime, "node");
      assert.equal(inputs.plan, "starter");
      assert.equal(inputs.autoDeploy, false);
      assert.equal(inputs.pullRequestPreviews, true);
      assert.equal(inputs.repo, "https://github.com/happydotemdr/arrakis");
      assert.equal(inputs.region, "oregon");
      assert.equal(inputs.numInstances, 1);
    });

    it("refuses a workspace the API key cannot see, and writes nothing", async () => {
      const result = await provider.check!(
        {} as ServiceInputs,
        args({ ownerId: "tea-notmineatall0000000" }) as never,
      );
      const failure = result.failures?.find((f) => f.property === "ownerId");
      assert.ok(failure, JSON.stringify(result.failures));
      assert.match(failure.reason, new RegExp(emu.ownerId));
      assert.deepEqual(await writes(), []);
    });

    it("passes values unknown during preview through, still checking env var keys", async () => {
      const unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
      const result = await provider.check!(
        {} as ServiceInputs,
        args({
          name: unknown,
          envVars: {
            OPENAI_API_KEY: { kind: "secret", value: unknown },
            "BAD KEY": { kind: "plain", value: unknown },
          },
        }) as never,
      );
      assert.deepEqual(
        (result.failures ?? []).map((f) => f.property),
        ["envVars.BAD KEY"],
      );
      assert.equal((result.inputs as ServiceInputs).name, unknown);
    });
  });

  describe("create", () => {
    it("creates the seed service with every field as given, and outputs keys but no values", async () => {
      const { id, outs } = await created({
        rootDir: "web",
        preDeployCommand: "npm run migrate",
        numInstances: 2,
        plan: "standard",
        autoDeploy: true,
        pullRequestPreviews: true,
        envVars: { NODE_ENV: { kind: "plain", value: "production" } },
      });
      assert.match(id, /^srv-[a-z0-9]{20}$/);
      const live = await service(id);
      assert.equal(live.name, `arrakis-web-${n}`);
      assert.equal(live.repo, "https://github.com/happydotemdr/arrakis");
      assert.equal(live.branch, "master");
      assert.equal(live.rootDir, "web");
      assert.equal(live.autoDeploy, "yes");
      assert.equal(live.serviceDetails.runtime, "node");
      assert.equal(live.serviceDetails.plan, "standard");
      assert.equal(live.serviceDetails.region, "oregon");
      assert.equal(live.serviceDetails.healthCheckPath, "/");
      assert.equal(live.serviceDetails.numInstances, 2);
      assert.equal(live.serviceDetails.pullRequestPreviewsEnabled, "yes");
      assert.deepEqual(live.serviceDetails.envSpecificDetails, {
        buildCommand: "npm install && npm run build",
        startCommand: "npm start",
        preDeployCommand: "npm run migrate",
      });
      assert.equal(outs.url, live.serviceDetails.url);
      assert.equal(outs.dashboardUrl, `https://dashboard.render.com/web/${id}`);
      assert.equal(outs.suspended, false);
      assert.deepEqual(outs.envVarKeys, ["NODE_ENV"]);
      assert.match(outs.initialDeployId, /^dep-/);
      // autoDeploy is a boolean for the user, "yes"/"no" only on the wire.
      assert.equal(outs.autoDeploy, true);
    });

    it("sends every env var with the create call, so the first deploy sees them all", async () => {
      const vars = allKinds();
      const { NEXTAUTH_URL: _url, ...withoutUrl } = vars;
      const { id } = await created({ envVars: withoutUrl });
      // No env var write after the POST: everything came with it.
      assert.deepEqual(
        (await writes()).map((r) => `${r.method} ${r.path}`),
        ["POST /v1/services"],
      );
      const live = await env(id);
      assert.deepEqual(Object.keys(live).sort(), [
        "DATABASE_URL",
        "DIRECT_URL",
        "NEXTAUTH_SECRET",
        "NODE_ENV",
        "OPENAI_API_KEY",
      ]);
      assert.equal(live.DATABASE_URL, info.internalConnectionString);
      assert.equal(live.DIRECT_URL, info.internalConnectionString);
      assert.equal(live.OPENAI_API_KEY, "sk-test-openai-secret-value");
      assert.match(live.NEXTAUTH_SECRET, /^[A-Za-z0-9+/]{43}=$/);
    });

    it("holds every kind: plain, secret, generated, linked and the service's own URL", async () => {
      const { id, outs } = await created({ envVars: allKinds() });
      const live = await env(id);
      assert.equal(live.NODE_ENV, "production");
      assert.equal(live.OPENAI_API_KEY, "sk-test-openai-secret-value");
      assert.equal(live.DATABASE_URL, info.internalConnectionString);
      // NEXTAUTH_URL is the real URL (the emulator's form), not a guess from the name.
      assert.equal(live.NEXTAUTH_URL, (await service(id)).serviceDetails.url);
      assert.equal(live.NEXTAUTH_URL, outs.url);
      assert.deepEqual(outs.generatedValues, { NEXTAUTH_SECRET: live.NEXTAUTH_SECRET });
      assert.deepEqual(outs.envVarKeys, Object.keys(allKinds()).sort());
      // Linked values are never in the outputs: only the database's id and the property.
      const text = JSON.stringify(outs);
      assert.ok(!text.includes(info.password) && !text.includes(info.internalConnectionString));
      assert.deepEqual(outs.envVars.DATABASE_URL, {
        kind: "linked",
        database: databaseId,
        property: "connectionString",
      });
    });

    it("links every property render.yaml's fromDatabase documents", async () => {
      const internal = new URL(info.internalConnectionString);
      const expected: Record<string, string> = {
        connectionString: info.internalConnectionString,
        internalConnectionString: info.internalConnectionString,
        externalConnectionString: info.externalConnectionString,
        host: internal.hostname,
        port: internal.port || "5432",
        user: "arrakis_prod_user",
        password: info.password,
        database: decodeURIComponent(internal.pathname.slice(1)),
      };
      const envVars = Object.fromEntries(
        Object.keys(expected).map((property) => [
          `DB_${property.toUpperCase()}`,
          { kind: "linked", database: databaseId, property },
        ]),
      );
      const { id, inputs, outs } = await created({ envVars });
      const live = await env(id);
      for (const [property, value] of Object.entries(expected))
        assert.equal(live[`DB_${property.toUpperCase()}`], value, property);
      assert.match(live.DB_DATABASE, /^arrakis_production(_[a-z0-9]{4})?$/);
      assert.equal((await provider.diff!(id, outs, inputs)).changes, false);
    });

    it("refuses a second service of the same name, naming the live one and how to adopt it", async () => {
      const first = await created();
      const inputs = await checked<ServiceInputs>(provider, args());
      await assert.rejects(provider.create(inputs), (err: Error) => {
        assert.match(err.message, new RegExp(`already has a service of that name \\(${first.id}\\)`));
        assert.match(err.message, /pulumi config set --path arrakis:service.adoptExisting true/);
        return true;
      });
      assert.equal((await services()).filter((s) => s.name === inputs.name).length, 1);
    });

    it("adopts exactly the service adoptId names, and refuses a missing one or one of another name without writing", async () => {
      const first = await created({ envVars: allKinds() });
      await call(emu.controlUrl, "DELETE", "/requests");
      await assert.rejects(
        provider.create(await checked<ServiceInputs>(provider, args({ adoptId: "srv-nosuchservice00000" }))),
        /could not adopt service srv-nosuchservice00000: no such service on Render/,
      );
      await assert.rejects(
        provider.create(
          await checked<ServiceInputs>(provider, args({ adoptId: first.id, name: "another-app" })),
        ),
        new RegExp(
          `could not adopt service ${first.id}: it is named "arrakis-web-\\d+", the resource "another-app"`,
        ),
      );
      const logged = (await call(emu.controlUrl, "GET", "/requests")).body as { method: string }[];
      assert.deepEqual(
        logged.filter((r) => r.method !== "GET"),
        [],
      );
      const inputs = await checked<ServiceInputs>(provider, args({ adoptId: first.id, envVars: allKinds() }));
      const adopted = await provider.create(inputs);
      assert.equal(adopted.id, first.id);
      assert.equal((await services()).filter((s) => s.name === inputs.name).length, 1);
      assert.equal(
        (await provider.diff!(first.id, adopted.outs as WebServiceOutputs, inputs)).changes,
        false,
      );
      const read = await provider.read!(first.id, adopted.outs as WebServiceOutputs);
      assert.equal((read.inputs as ServiceInputs).adoptId, first.id);
    });

    it("adopts the existing service when asked, converging settings and env vars", async () => {
      const first = await created({ envVars: { OLD: { kind: "plain", value: "1" } } });
      const inputs = await checked<ServiceInputs>(
        provider,
        args({ adoptExisting: true, plan: "standard", envVars: allKinds() }),
      );
      const adopted = await provider.create(inputs);
      assert.equal(adopted.id, first.id);
      assert.equal((await service(first.id)).serviceDetails.plan, "standard");
      const live = await env(first.id);
      assert.deepEqual(Object.keys(live).sort(), Object.keys(allKinds()).sort());
      assert.equal((await services()).filter((s) => s.name === inputs.name).length, 1);
      assert.equal(
        (await provider.diff!(first.id, adopted.outs as WebServiceOutputs, inputs)).changes,
        false,
      );
    });

    it("refuses to adopt a service whose region differs", async () => {
      await created();
      const inputs = await checked<ServiceInputs>(provider, args({ adoptExisting: true, region: "ohio" }));
      await assert.rejects(provider.create(inputs), /could not adopt service .*: its region differ/);
    });

    it("never makes a second service when the response to the POST is lost", async () => {
      await call(emu.controlUrl, "POST", "/faults", {
        body: { method: "POST", path: "/v1/services", count: 1, fault: { kind: "lose-response" } },
      });
      const { id, inputs } = await created({ envVars: allKinds() });
      assert.deepEqual(
        (await services()).filter((s) => s.name === inputs.name).map((s) => s.id),
        [id],
      );
      assert.equal(
        (await writes()).filter((r) => r.method === "POST" && r.path === "/v1/services").length,
        1,
      );
      assert.deepEqual(Object.keys(await env(id)).sort(), Object.keys(allKinds()).sort());
    });

    it("keeps the id when finishing fails after the POST (a partial failure), with no secret in the error", async () => {
      await call(emu.controlUrl, "POST", "/faults", {
        body: {
          method: "PUT",
          path: "/v1/services/*/env-vars",
          count: 5,
          fault: { kind: "status", status: 400 },
        },
      });
      const inputs = await checked<ServiceInputs>(provider, args({ envVars: allKinds() }));
      await assert.rejects(
        provider.create(inputs),
        (err: Error & { id?: string; properties?: Record<string, unknown>; reasons?: string[] }) => {
          assert.match(err.id ?? "", /^srv-/);
          assert.match(err.message, /is kept in the stack's state/);
          assert.equal(err.properties?.name, inputs.name);
          const text = `${err.message} ${JSON.stringify(err.reasons)}`;
          assert.ok(!text.includes("sk-test-openai-secret-value"));
          assert.ok(!text.includes(info.password));
          return true;
        },
      );
      assert.equal((await services()).filter((s) => s.name === inputs.name).length, 1);
    });
  });

  describe("diff and update", () => {
    it("shows no change on a clean service with every env var kind", async () => {
      const { inputs, id, outs } = await created({ envVars: allKinds() });
      assert.deepEqual(await provider.diff!(id, outs, inputs), {
        changes: false,
        replaces: [],
        deleteBeforeReplace: false,
      });
    });

    const drifts: [string, Record<string, unknown>][] = [
      ["name", { name: "renamed-in-dashboard" }],
      ["repo", { repo: "https://github.com/someone/fork" }],
      ["branch", { branch: "develop" }],
      ["rootDir", { rootDir: "other" }],
      ["autoDeploy", { autoDeploy: "yes" }],
      ["plan", { serviceDetails: { plan: "pro" } }],
      ["healthCheckPath", { serviceDetails: { healthCheckPath: "/healthz" } }],
      ["preDeployCommand", { serviceDetails: { preDeployCommand: "rm -rf /tmp/x" } }],
      ["pullRequestPreviews", { serviceDetails: { pullRequestPreviewsEnabled: "yes" } }],
      ["previews.generation", { serviceDetails: { previews: { generation: "automatic" } } }],
      ["buildCommand", { serviceDetails: { envSpecificDetails: { buildCommand: "npm ci" } } }],
      ["startCommand", { serviceDetails: { envSpecificDetails: { startCommand: "node x.js" } } }],
    ];
    for (const [field, patch] of drifts)
      it(`sees ${field} changed through the API, and update puts it back`, async () => {
        const { inputs, id, outs } = await created();
        const patched = await api("PATCH", `/services/${id}`, patch);
        assert.equal(patched.status, 200, JSON.stringify(patched.body));
        const drift = await provider.diff!(id, outs, inputs);
        assert.equal(drift.changes, true);
        assert.deepEqual(drift.replaces, []);
        const updated = (await provider.update!(id, outs, inputs)).outs as WebServiceOutputs;
        const live = await service(id);
        assert.equal(live.name, inputs.name);
        assert.equal(live.repo, inputs.repo);
        assert.equal(live.branch, "master");
        assert.equal(live.rootDir, "");
        assert.equal(live.autoDeploy, "no");
        assert.equal(live.serviceDetails.plan, "starter");
        assert.equal(live.serviceDetails.healthCheckPath, "/");
        assert.equal(live.serviceDetails.envSpecificDetails.preDeployCommand, undefined);
        assert.equal(live.serviceDetails.envSpecificDetails.buildCommand, "npm install && npm run build");
        assert.equal(live.serviceDetails.envSpecificDetails.startCommand, "npm start");
        assert.equal(live.serviceDetails.pullRequestPreviewsEnabled, "no");
        assert.equal(live.serviceDetails.previews.generation, "off");
        assert.equal((await provider.diff!(id, updated, inputs)).changes, false);
      });

    it("suspension is desired state: a service suspended through the API shows as a change and update resumes it", async () => {
      const { inputs, id, outs } = await created();
      assert.equal((await api("POST", `/services/${id}/suspend`)).status, 202);
      // Refresh reads it as an input, so the preview shows `~ suspended: true => false`.
      const read = await provider.read!(id, outs);
      assert.equal((read.inputs as unknown as ServiceInputs).suspended, true);
      assert.equal((read.props as WebServiceOutputs).suspended, true);
      assert.equal(inputs.suspended, false);
      assert.equal((await provider.diff!(id, read.props as WebServiceOutputs, inputs)).changes, true);
      await call(emu.controlUrl, "DELETE", "/requests");
      const updated = (await provider.update!(id, read.props as WebServiceOutputs, inputs))
        .outs as WebServiceOutputs;
      assert.equal(updated.suspended, false);
      assert.equal((await service(id)).suspended, "not_suspended");
      assert.deepEqual(
        (await writes()).map((r) => `${r.method} ${r.path}`),
        [`POST /v1/services/${id}/resume`],
      );
      assert.equal((await provider.diff!(id, updated, inputs)).changes, false);
    });

    it("suspended: true suspends a running service, and a second update writes nothing", async () => {
      const { inputs, id, outs } = await created();
      const news = await checked<ServiceInputs>(provider, args({ suspended: true }));
      assert.equal(news.suspended, true);
      assert.equal((await provider.diff!(id, outs, news)).changes, true);
      await call(emu.controlUrl, "DELETE", "/requests");
      const updated = (await provider.update!(id, outs, news)).outs as WebServiceOutputs;
      assert.equal(updated.suspended, true);
      assert.equal((await service(id)).suspended, "suspended");
      assert.deepEqual(
        (await writes()).map((r) => `${r.method} ${r.path}`),
        [`POST /v1/services/${id}/suspend`],
      );
      assert.equal((await provider.diff!(id, updated, news)).changes, false);
      await call(emu.controlUrl, "DELETE", "/requests");
      await provider.update!(id, updated, news);
      assert.deepEqual(await writes(), []);
      // And back: the default resumes it.
      assert.equal((await provider.diff!(id, updated, inputs)).changes, true);
      assert.equal(
        ((await provider.update!(id, updated, inputs)).outs as WebServiceOutputs).suspended,
        false,
      );
      assert.equal((await service(id)).suspended, "not_suspended");
    });

    it("refuses suspended that is not a boolean, naming it", async () => {
      const result = await provider.check!({} as ServiceInputs, args({ suspended: "yes" }) as never);
      assert.deepEqual(
        (result.failures ?? []).map((f) => f.property),
        ["suspended"],
      );
      assert.match(result.failures![0].reason, /true or false/);
    });

    it("changes numInstances through scale, never PATCH", async () => {
      const { inputs, id, outs } = await created();
      await call(emu.controlUrl, "DELETE", "/requests");
      const news = { ...inputs, numInstances: 3 };
      assert.equal((await provider.diff!(id, outs, news)).changes, true);
      const updated = (await provider.update!(id, outs, news)).outs as WebServiceOutputs;
      assert.equal((await service(id)).serviceDetails.numInstances, 3);
      assert.deepEqual(
        (await writes()).map((r) => `${r.method} ${r.path}`),
        [`POST /v1/services/${id}/scale`],
      );
      assert.equal((await provider.diff!(id, updated, news)).changes, false);
      // Scaled in the dashboard: drift, put back by scale again.
      await api("POST", `/services/${id}/scale`, { numInstances: 5 });
      assert.equal((await provider.diff!(id, updated, news)).changes, true);
      await provider.update!(id, updated, news);
      assert.equal((await service(id)).serviceDetails.numInstances, 3);
    });

    it("changes every mutable field in place, in one PATCH", async () => {
      const { inputs, id, outs } = await created();
      const news: ServiceInputs = {
        ...inputs,
        name: `${inputs.name}-renamed`,
        repo: "https://github.com/happydotemdr/arrakis-next",
        branch: "main",
        rootDir: "apps/web",
        plan: "standard",
        buildCommand: "npm ci && npm run build",
        startCommand: "node server.js",
        preDeployCommand: "npx prisma migrate deploy",
        healthCheckPath: "/api/health",
        autoDeploy: true,
        pullRequestPreviews: true,
      };
      const drift = await provider.diff!(id, outs, news);
      assert.equal(drift.changes, true);
      assert.deepEqual(drift.replaces, []);
      await call(emu.controlUrl, "DELETE", "/requests");
      const updated = (await provider.update!(id, outs, news)).outs as WebServiceOutputs;
      assert.deepEqual(
        (await writes()).map((r) => `${r.method} ${r.path}`),
        [`PATCH /v1/services/${id}`],
      );
      const live = await service(id);
      assert.equal(live.name, news.name);
      assert.equal(live.repo, news.repo);
      assert.equal(live.branch, "main");
      assert.equal(live.rootDir, "apps/web");
      assert.equal(live.autoDeploy, "yes");
      assert.equal(live.serviceDetails.plan, "standard");
      assert.equal(live.serviceDetails.healthCheckPath, "/api/health");
      assert.equal(live.serviceDetails.pullRequestPreviewsEnabled, "yes");
      assert.deepEqual(live.serviceDetails.envSpecificDetails, {
        buildCommand: "npm ci && npm run build",
        startCommand: "node server.js",
        preDeployCommand: "npx prisma migrate deploy",
      });
      assert.equal((await provider.diff!(id, updated, news)).changes, false);
    });

    for (const [field, value] of [
      ["region", "frankfurt"],
      ["runtime", "python"],
      ["ownerId", "tea-someoneelse000000000"],
    ] as const)
      it(`replaces the service (delete first) for a new ${field}`, async () => {
        const { inputs, id, outs } = await created();
        const result = await provider.diff!(id, outs, { ...inputs, [field]: value });
        assert.deepEqual(result, { changes: true, replaces: [field], deleteBeforeReplace: true });
      });

    it("sees env vars added, changed and removed through the API; update makes the set exact again", async () => {
      const { inputs, id, outs } = await created({ envVars: allKinds() });
      await api("PUT", `/services/${id}/env-vars/ADDED_IN_DASHBOARD`, { value: "sneaky" });
      await api("PUT", `/services/${id}/env-vars/OPENAI_API_KEY`, { value: "sk-changed-by-hand" });
      await api("PUT", `/services/${id}/env-vars/DATABASE_URL`, { value: "postgres://elsewhere/db" });
      await api("DELETE", `/services/${id}/env-vars/NODE_ENV`);
      assert.equal((await provider.diff!(id, outs, inputs)).changes, true);
      const updated = (await provider.update!(id, outs, inputs)).outs as WebServiceOutputs;
      const live = await env(id);
      assert.deepEqual(Object.keys(live).sort(), Object.keys(allKinds()).sort());
      assert.equal(live.OPENAI_API_KEY, "sk-test-openai-secret-value");
      assert.equal(live.DATABASE_URL, info.internalConnectionString);
      assert.equal(live.NODE_ENV, "production");
      assert.equal(live.NEXTAUTH_SECRET, outs.generatedValues.NEXTAUTH_SECRET);
      assert.deepEqual(updated.envVarKeys, Object.keys(allKinds()).sort());
      assert.equal((await provider.diff!(id, updated, inputs)).changes, false);
    });

    it("adds, changes and removes declared env vars in one replace of the set", async () => {
      const { inputs, id, outs } = await created({ envVars: allKinds() });
      const { NODE_ENV: _gone, ...kept } = allKinds();
      const news = await checked<ServiceInputs>(
        provider,
        args({
          envVars: {
            ...kept,
            OPENAI_API_KEY: { kind: "secret", value: "sk-rotated" },
            PORT: { kind: "plain", value: "3000" },
          },
        }),
      );
      assert.equal((await provider.diff!(id, outs, news)).changes, true);
      await call(emu.controlUrl, "DELETE", "/requests");
      const updated = (await provider.update!(id, outs, news)).outs as WebServiceOutputs;
      assert.deepEqual(
        (await writes()).map((r) => `${r.method} ${r.path}`),
        [`PUT /v1/services/${id}/env-vars`],
      );
      const live = await env(id);
      assert.equal(live.NODE_ENV, undefined);
      assert.equal(live.PORT, "3000");
      assert.equal(live.OPENAI_API_KEY, "sk-rotated");
      assert.equal(live.NEXTAUTH_SECRET, outs.generatedValues.NEXTAUTH_SECRET);
      assert.equal((await provider.diff!(id, updated, news)).changes, false);
      assert.equal(inputs.envVars.NODE_ENV.value, "production");
    });

    it("keeps the generated value across three updates and a refresh, never regenerating it", async () => {
      const first = await created({ envVars: allKinds() });
      let { inputs, outs } = first;
      const secret = (await env(first.id)).NEXTAUTH_SECRET;
      assert.equal(outs.generatedValues.NEXTAUTH_SECRET, secret);
      const changes: Partial<ServiceInputs>[] = [
        { plan: "standard" },
        { envVars: { ...inputs.envVars, PORT: { kind: "plain", value: "3000" } } },
        { healthCheckPath: "/api/health", numInstances: 2 },
      ];
      for (const change of changes) {
        const news = { ...inputs, ...change };
        outs = (await provider.update!(first.id, outs, news)).outs as WebServiceOutputs;
        inputs = news;
        assert.equal((await env(first.id)).NEXTAUTH_SECRET, secret);
        assert.equal(outs.generatedValues.NEXTAUTH_SECRET, secret);
      }
      const read = await provider.read!(first.id, outs);
      assert.equal((read.props as WebServiceOutputs).generatedValues.NEXTAUTH_SECRET, secret);
      assert.equal((await provider.diff!(first.id, read.props as WebServiceOutputs, inputs)).changes, false);
      assert.equal((await env(first.id)).NEXTAUTH_SECRET, secret);
    });

    it("reports a generated value changed outside Pulumi, and update restores the recorded one", async () => {
      const { inputs, id, outs } = await created({ envVars: allKinds() });
      const secret = outs.generatedValues.NEXTAUTH_SECRET;
      await api("PUT", `/services/${id}/env-vars/NEXTAUTH_SECRET`, { generateValue: true });
      assert.notEqual((await env(id)).NEXTAUTH_SECRET, secret);
      assert.equal((await provider.diff!(id, outs, inputs)).changes, true);
      const read = await provider.read!(id, outs);
      assert.deepEqual((read.inputs as WebServiceOutputs).envVars.NEXTAUTH_SECRET, {
        kind: "generated",
        value: changedHiddenValue,
      });
      // Refresh keeps the recorded value: state never takes the new one silently.
      assert.equal((read.props as WebServiceOutputs).generatedValues.NEXTAUTH_SECRET, secret);
      await provider.update!(id, read.props as WebServiceOutputs, inputs);
      assert.equal((await env(id)).NEXTAUTH_SECRET, secret);
    });

    it("keeps NEXTAUTH_URL equal to the service's URL, and shows a wrong one", async () => {
      const { inputs, id, outs } = await created({ envVars: allKinds() });
      await api("PUT", `/services/${id}/env-vars/NEXTAUTH_URL`, { value: "https://wrong.example.com" });
      assert.equal((await provider.diff!(id, outs, inputs)).changes, true);
      const read = await provider.read!(id, outs);
      // A wrong URL is not a secret: it shows as what it is.
      assert.deepEqual((read.inputs as WebServiceOutputs).envVars.NEXTAUTH_URL, {
        kind: "plain",
        value: "https://wrong.example.com",
      });
      await provider.update!(id, outs, inputs);
      assert.equal((await env(id)).NEXTAUTH_URL, outs.url);
    });

    it("fails the diff of a service deleted out of band, saying to refresh", async () => {
      const { inputs, id, outs } = await created();
      await api("DELETE", `/services/${id}`);
      await assert.rejects(provider.diff!(id, outs, inputs), /no longer exists on Render.*pulumi refresh/);
    });
  });

  describe("read and delete", () => {
    it("reads outputs and inputs for refresh, hiding values it does not manage", async () => {
      const { inputs, id, outs } = await created({ envVars: allKinds() });
      await api("PUT", `/services/${id}/env-vars/ADDED`, { value: "not-for-your-eyes" });
      await api("PUT", `/services/${id}/env-vars/OPENAI_API_KEY`, { value: "sk-changed-by-hand" });
      await api("PUT", `/services/${id}/env-vars/DIRECT_URL`, { value: "postgres://elsewhere/db" });
      const read = await provider.read!(id, outs);
      assert.equal(read.id, id);
      const back = read.inputs as unknown as ServiceInputs;
      assert.equal(back.name, inputs.name);
      assert.equal(back.autoDeploy, false);
      assert.equal(back.healthCheckPath, "/");
      assert.deepEqual(back.envVars.ADDED, { kind: "plain", value: hiddenValue });
      assert.deepEqual(back.envVars.OPENAI_API_KEY, {
        kind: "secret",
        value: changedHiddenValue,
        drift: secretDrift,
      });
      assert.deepEqual(back.envVars.DIRECT_URL, {
        kind: "linked",
        database: databaseId,
        property: "connectionString",
        value: changedHiddenValue,
      });
      assert.deepEqual(back.envVars.DATABASE_URL, {
        kind: "linked",
        database: databaseId,
        property: "connectionString",
      });
      const text = JSON.stringify(read);
      for (const secret of [
        "not-for-your-eyes",
        "sk-changed-by-hand",
        "postgres://elsewhere/db",
        info.password,
      ])
        assert.ok(!text.includes(secret), `${secret} in read result`);
      assert.deepEqual(
        (read.props as WebServiceOutputs).envVarKeys,
        [...Object.keys(allKinds()), "ADDED"].sort(),
      );
    });

    it("reads a service it never saw (import) with every value hidden", async () => {
      const { id } = await created({ envVars: allKinds(), autoDeploy: true, numInstances: 2 });
      const read = await provider.read!(id);
      const back = read.inputs as unknown as ServiceInputs;
      assert.equal(back.autoDeploy, true);
      assert.equal(back.numInstances, 2);
      assert.equal(back.repo, "https://github.com/happydotemdr/arrakis");
      for (const key of Object.keys(allKinds()))
        assert.deepEqual(back.envVars[key], { kind: "plain", value: hiddenValue }, key);
    });

    it("reads a service deleted out of band as an error, not silently gone", async () => {
      const { id } = await created();
      await api("DELETE", `/services/${id}`);
      // tests/providers/deletedOutside.spec.ts has the message and the way back.
      await assert.rejects(provider.read!(id), new RegExp(`service ${id} no longer exists on Render`));
    });

    it("deletes, and treats a service already gone as deleted", async () => {
      const { id } = await created();
      await provider.delete(id);
      assert.equal((await api("GET", `/services/${id}`)).status, 404);
      await provider.delete(id);
    });
  });
});
