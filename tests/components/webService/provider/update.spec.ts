/**
 * RenderWebService provider against the emulator, method by method, as the provider host calls it.
 * Updates in place: suspension as desired state, scaling, one PATCH for every mutable field, replacement for immutable ones.
 */
import { strict as assert } from "node:assert";
import { WebServiceProvider, type WebServiceOutputs } from "../../../../components/webService/provider";
import type { ServiceInputs } from "../../../../components/webService/mapping";
import { call, checked } from "../../../helpers/providers";
import { useWebServiceEmulator, type Emulator } from "./setup";

describe("RenderWebService provider (emulator)", function () {
  this.timeout(60_000);
  const { state, api, writes, service, args, created } = useWebServiceEmulator();
  let provider: WebServiceProvider;
  let emu: Emulator;
  beforeEach(() => {
    ({ provider, emu } = state);
  });

  describe("diff and update", () => {
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
  });
});
