/**
 * RenderWebService provider against the emulator, method by method, as the provider host calls it.
 * Read (refresh and import) and delete.
 */
import { strict as assert } from "node:assert";
import {
  WebServiceProvider,
  changedHiddenValue,
  secretDrift,
  hiddenValue,
  type WebServiceOutputs,
} from "../../../../components/webService/provider";
import type { ServiceInputs } from "../../../../components/webService/mapping";
import { useWebServiceEmulator, type ConnectionInfo } from "./setup";

describe("RenderWebService provider (emulator)", function () {
  this.timeout(60_000);
  const { state, api, created, allKinds } = useWebServiceEmulator();
  let provider: WebServiceProvider;
  let databaseId: string;
  let info: ConnectionInfo;
  beforeEach(() => {
    ({ provider, databaseId, info } = state);
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
      // tests/components/runtime/deletedOutside.spec.ts has the message and the way back.
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
