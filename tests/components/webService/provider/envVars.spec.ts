/**
 * RenderWebService provider against the emulator, method by method, as the provider host calls it.
 * Env vars after create: drift of the set, one replace of the set, generated values kept, the service's own URL.
 */
import { strict as assert } from "node:assert";
import {
  WebServiceProvider,
  changedHiddenValue,
  type WebServiceOutputs,
} from "../../../../components/webService/provider";
import type { ServiceInputs } from "../../../../components/webService/mapping";
import { call, checked } from "../../../helpers/providers";
import { useWebServiceEmulator, type ConnectionInfo, type Emulator } from "./setup";

describe("RenderWebService provider (emulator)", function () {
  this.timeout(60_000);
  const { state, api, writes, env, args, created, allKinds } = useWebServiceEmulator();
  let provider: WebServiceProvider;
  let emu: Emulator;
  let info: ConnectionInfo;
  beforeEach(() => {
    ({ provider, emu, info } = state);
  });

  describe("diff and update", () => {
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

    it("keeps a serviceHostname var equal to its URL's host name (its own RENDER_EXTERNAL_HOSTNAME)", async () => {
      const { inputs, id, outs } = await created({
        envVars: { APP_HOST: { kind: "serviceHostname" }, APP_URL: { kind: "serviceUrl" } },
      });
      const host = new URL(outs.url).hostname;
      assert.ok(host.length > 0);
      assert.deepEqual(await env(id), { APP_HOST: host, APP_URL: outs.url });
      assert.equal((await provider.diff!(id, outs, inputs)).changes, false);
      assert.deepEqual((await provider.read!(id, outs)).inputs!.envVars.APP_HOST, {
        kind: "serviceHostname",
      });
      // Changed by hand: a change, shown as the plain value it is, and the update puts the host name back.
      await api("PUT", `/services/${id}/env-vars/APP_HOST`, { value: "wrong.example.com" });
      assert.equal((await provider.diff!(id, outs, inputs)).changes, true);
      const read = await provider.read!(id, outs);
      assert.deepEqual((read.inputs as WebServiceOutputs).envVars.APP_HOST, {
        kind: "plain",
        value: "wrong.example.com",
      });
      await provider.update!(id, outs, inputs);
      assert.equal((await env(id)).APP_HOST, host);
      assert.equal((await provider.diff!(id, outs, inputs)).changes, false);
    });
  });
});
