/**
 * Engine acceptance tests of the arrakis program itself (index.ts, RenderApp, the local stack's
 * config) through the real `pulumi` CLI against the Render API emulator (issue #7): up from empty,
 * a clean second preview, dashboard-style drift shown field by field and reverted, no secret in the
 * exported state, destroy stopped by the protected database, and adoption of live resources by id.
 *
 * One emulator; two stacks (the local stack, then a stack adopting what the API made), each a copy of
 * the program with Pulumi.local.yaml's config pointed at the emulator. The `it`s build on each other.
 */
import { strict as assert } from "node:assert";
import { randomBytes } from "node:crypto";
import { startEmulator, type RunningEmulator } from "../../emulator";
import { requireEngine } from "../../tools/pulumi-engine/locate";
import type { PulumiResult, PulumiStack } from "../helpers/pulumiCli";
import { EmulatorApi, createArrakisStack, readStackFile } from "./stackHelpers";

interface Postgres {
  id: string;
  name: string;
  status: string;
  plan: string;
  ipAllowList: Array<{ cidrBlock: string; description: string }> | null;
}
interface Service {
  id: string;
  name: string;
  serviceDetails: { plan: string; url: string };
}
interface ConnectionInfo {
  password: string;
  internalConnectionString: string;
  externalConnectionString: string;
}

const local = readStackFile();
const databaseConfig = local.objects["arrakis:database"];
const serviceConfig = local.objects["arrakis:service"];

/** The config of a stack of the arrakis program against `emu`: Pulumi.local.yaml's, pointed there. */
function stackConfig(emu: RunningEmulator) {
  return {
    config: { ...local.plain, "render:apiUrl": emu.url, "render:ownerId": emu.ownerId },
    secretConfig: { "render:apiKey": emu.apiKey, "arrakis:openaiApiKey": openaiApiKey },
  };
}

// Distinct per run, so finding one in the state or the output means it leaked from this run.
const openaiApiKey = `sk-test-${randomBytes(12).toString("hex")}`;
const dashboardOpenaiKey = `sk-dashboard-${randomBytes(12).toString("hex")}`;

/** Lines of a preview that name a resource of the given type, trimmed. */
function stepLines(output: string, type: string): string[] {
  return output
    .split("\n")
    .filter((line) => line.includes(`dynamic/render:${type} `))
    .map((line) => line.trim());
}

describe("engine: the arrakis stack against the emulator", function () {
  this.timeout(300_000);
  let emu: RunningEmulator;
  let api: EmulatorApi;
  let stack: PulumiStack | undefined;
  const results: PulumiResult[] = [];

  /** Runs a CLI command, keeps its result for the no-secret-in-output check, and fails with its output. */
  async function track(run: Promise<PulumiResult>, expectCode: "ok" | "fail" = "ok"): Promise<PulumiResult> {
    const result = await run;
    results.push(result);
    const output = `pulumi ${result.args.join(" ")} exited ${result.code}\n${result.stdout}\n${result.stderr}`;
    if (expectCode === "ok") assert.equal(result.code, 0, output);
    else assert.notEqual(result.code, 0, output);
    return result;
  }

  before(async () => {
    requireEngine();
    emu = await startEmulator({
      port: 0,
      timings: "fast",
      ownerId: local.plain["render:ownerId"],
      apiKey: `rnd_${randomBytes(16).toString("hex")}`,
    });
    api = new EmulatorApi(emu);
  });

  after(async () => {
    await stack?.cleanup();
    await emu?.close();
  });

  describe("the local stack", () => {
    let databaseId: string;
    let serviceId: string;

    before(async () => {
      stack = await createArrakisStack({
        stackName: "local",
        ...stackConfig(emu),
        objectConfig: { "arrakis:database": databaseConfig, "arrakis:service": serviceConfig },
      });
    });

    after(async () => {
      await stack?.cleanup();
      stack = undefined;
    });

    it("up from empty creates the database, extension and service, all available and live", async () => {
      const result = await track(stack!.up());
      assert.match(result.stdout, /\+ 5 created/);
      const outputs = await stack!.outputs();
      databaseId = outputs.databaseId as string;
      serviceId = outputs.serviceId as string;
      assert.match(databaseId, /^dpg-/);
      assert.match(serviceId, /^srv-/);
      assert.equal(outputs.monthlyCostUsd, 12);
      assert.equal(outputs.internalConnectionString, "[secret]");

      const db = await api.mustRender<Postgres>("GET", `/postgres/${databaseId}`);
      assert.equal(db.name, databaseConfig.name);
      assert.equal(db.status, "available");
      const service = await api.mustRender<Service>("GET", `/services/${serviceId}`);
      assert.equal(service.name, serviceConfig.name);
      assert.equal(outputs.serviceUrl, service.serviceDetails.url);
      // Live: the first deploy finishes on the emulator's (fast) clock and the URL then answers.
      await api.until("the service URL to answer 200", async () => {
        const response = await fetch(service.serviceDetails.url);
        await response.arrayBuffer();
        return response.status === 200;
      });

      const env = await api.envVars(serviceId);
      const info = await api.mustRender<ConnectionInfo>("GET", `/postgres/${databaseId}/connection-info`);
      assert.deepEqual(Object.keys(env).sort(), [
        "DATABASE_URL",
        "DIRECT_URL",
        "NEXTAUTH_SECRET",
        "NEXTAUTH_URL",
        "NODE_ENV",
        "OPENAI_API_KEY",
      ]);
      assert.equal(env.DATABASE_URL, info.internalConnectionString);
      assert.equal(env.DIRECT_URL, info.internalConnectionString);
      assert.equal(env.NEXTAUTH_URL, service.serviceDetails.url);
      assert.equal(env.OPENAI_API_KEY, openaiApiKey);
      assert.equal(env.NODE_ENV, "production");
      assert.match(env.NEXTAUTH_SECRET, /^[A-Za-z0-9+/]{43}=$/);
    });

    it("a second preview --expect-no-changes passes", async () => {
      const result = await track(stack!.preview(["--expect-no-changes"]));
      assert.match(result.stdout, /5 unchanged/);
    });
  });
});
