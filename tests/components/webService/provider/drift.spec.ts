/**
 * RenderWebService provider against the emulator, method by method, as the provider host calls it.
 * Drift: a change made through the API shows in diff and update puts it back; a service deleted out of band fails the diff.
 */
import { strict as assert } from "node:assert";
import { WebServiceProvider, type WebServiceOutputs } from "../../../../components/webService/provider";
import { useWebServiceEmulator } from "./setup";

describe("RenderWebService provider (emulator)", function () {
  this.timeout(60_000);
  const { state, api, service, created, allKinds } = useWebServiceEmulator();
  let provider: WebServiceProvider;
  beforeEach(() => {
    ({ provider } = state);
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

    it("fails the diff of a service deleted out of band, saying to refresh", async () => {
      const { inputs, id, outs } = await created();
      await api("DELETE", `/services/${id}`);
      await assert.rejects(provider.diff!(id, outs, inputs), /no longer exists on Render.*pulumi refresh/);
    });
  });
});
