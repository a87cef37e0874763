/**
 * RenderWebService provider against the emulator, method by method, as the provider host calls it.
 * Creates: every field and env var kind in one POST, linked properties, and create-once after a lost response or a failure after the POST.
 */
import { strict as assert } from "node:assert";
import { WebServiceProvider } from "../../../../components/webService/provider";
import type { ServiceInputs } from "../../../../components/webService/mapping";
import { call, checked } from "../../../helpers/providers";
import { useWebServiceEmulator, type ConnectionInfo, type Emulator } from "./setup";

describe("RenderWebService provider (emulator)", function () {
  this.timeout(60_000);
  const { state, writes, service, services, env, args, created, allKinds } = useWebServiceEmulator();
  let provider: WebServiceProvider;
  let emu: Emulator;
  let databaseId: string;
  let info: ConnectionInfo;
  let n: number;
  beforeEach(() => {
    ({ provider, emu, databaseId, info, n } = state);
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
});
