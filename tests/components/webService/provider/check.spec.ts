/**
 * RenderWebService provider against the emulator, method by method, as the provider host calls it.
 * Checks before any write: bad fields, env var shapes, unknown arguments, render.yaml spellings.
 */
import { strict as assert } from "node:assert";
import { WebServiceProvider } from "../../../../components/webService/provider";
import type { ServiceInputs } from "../../../../components/webService/mapping";
import { checked } from "../../../helpers/providers";
import { useWebServiceEmulator, type Emulator } from "./setup";

describe("RenderWebService provider (emulator)", function () {
  this.timeout(60_000);
  const { state, writes, args } = useWebServiceEmulator();
  let provider: WebServiceProvider;
  let emu: Emulator;
  let databaseId: string;
  beforeEach(() => {
    ({ provider, emu, databaseId } = state);
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
});
