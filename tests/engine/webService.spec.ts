/**
 * Engine acceptance test of issue 6: RenderWebService with linked, generated, secret and plain env vars
 * through the real `pulumi` CLI on a small program (fixtures/webservice: a database and the service)
 * against the Render API emulator. The `it`s build on each other, on one stack.
 */
import { strict as assert } from "node:assert";
import { randomBytes } from "node:crypto";
import * as path from "node:path";
import { startEmulator, type RunningEmulator } from "../../emulator";
import { hiddenValue } from "../../components/webService/provider";
import { requireEngine } from "../../tools/pulumi-engine/locate";
import { PulumiStack, type PulumiResult } from "../../tools/harness/pulumiCli";
import { call } from "../helpers/providers";

const fixture = path.join(__dirname, "fixtures", "webservice");

interface Service {
  id: string;
  name: string;
  autoDeploy: string;
  serviceDetails: { plan: string; url: string; healthCheckPath: string };
}
interface ConnectionInfo {
  password: string;
  internalConnectionString: string;
  externalConnectionString: string;
}

// Distinct per run, so finding one in the state or the output means it leaked from this run.
const openaiApiKey = `sk-test-${randomBytes(12).toString("hex")}`;
const dashboardOpenaiKey = `sk-dashboard-${randomBytes(12).toString("hex")}`;
const dashboardExtra = `extra-${randomBytes(12).toString("hex")}`;

/** Lines of a CLI output that name a resource of the type, trimmed, without progress lines. */
function stepLines(output: string, type: string): string[] {
  return output
    .split("\n")
    .map((line) => line.trim())
    .filter(
      (line) => line.includes(`dynamic/render:${type} `) && !/ (refreshing|creating|updating)/.test(line),
    );
}

describe("engine: RenderWebService with its env vars (issue 6)", function () {
  this.timeout(180_000);
  let emu: RunningEmulator;
  let stack: PulumiStack | undefined;
  let serviceId: string;
  let databaseId: string;
  let nextauthSecret: string;
  const results: PulumiResult[] = [];

  const api = async <T>(method: string, apiPath: string, body?: unknown): Promise<T> => {
    const answer = await call(emu.url, method, apiPath, { apiKey: emu.apiKey, body });
    assert.ok(answer.status < 300, `${method} ${apiPath}: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body as T;
  };
  const service = () => api<Service>("GET", `/services/${serviceId}`);
  const connectionInfo = () => api<ConnectionInfo>("GET", `/postgres/${databaseId}/connection-info`);
  async function env(): Promise<Record<string, string>> {
    const list = await api<{ envVar: { key: string; value: string } }[]>(
      "GET",
      `/services/${serviceId}/env-vars?limit=100`,
    );
    return Object.fromEntries(list.map((e) => [e.envVar.key, e.envVar.value]));
  }

  /** Runs a CLI command, keeps its result for the no-secret-in-output check, and checks its exit. */
  async function track(run: Promise<PulumiResult>, expect: "ok" | "fail" = "ok"): Promise<PulumiResult> {
    const result = await run;
    results.push(result);
    const output = `pulumi ${result.args.join(" ")} exited ${result.code}\n${result.stdout}\n${result.stderr}`;
    if (expect === "ok") assert.equal(result.code, 0, output);
    else assert.notEqual(result.code, 0, output);
    return result;
  }

  /** The env var set the program declares, checked against Render; NEXTAUTH_SECRET never changes. */
  async function assertDeclaredEnv(): Promise<void> {
    const live = await env();
    const url = (await service()).serviceDetails.url;
    assert.deepEqual(Object.keys(live).sort(), [
      "DATABASE_URL",
      "DIRECT_URL",
      "NEXTAUTH_SECRET",
      "NEXTAUTH_URL",
      "NODE_ENV",
      "OPENAI_API_KEY",
    ]);
    const info = await connectionInfo();
    assert.equal(live.DATABASE_URL, info.internalConnectionString);
    assert.equal(live.DIRECT_URL, info.internalConnectionString);
    assert.equal(live.NODE_ENV, "production");
    assert.equal(live.OPENAI_API_KEY, openaiApiKey);
    assert.equal(live.NEXTAUTH_URL, url);
    assert.equal(live.NEXTAUTH_SECRET, nextauthSecret);
  }

  before(async () => {
    requireEngine();
    emu = await startEmulator({ port: 0, timings: "fast" });
    stack = await PulumiStack.inPlace(fixture, {
      config: { "render:apiUrl": emu.url, "render:ownerId": emu.ownerId },
      secretConfig: { "render:apiKey": emu.apiKey, "fixture:openaiApiKey": openaiApiKey },
    });
  });

  after(async () => {
    await stack?.cleanup();
    await emu?.close();
  });

  it("pulumi up creates the database and the service, whose env holds the linked connection string", async () => {
    const result = await track(stack!.up());
    assert.match(result.stdout, /\+\s+pulumi-nodejs:dynamic\/render:Postgres arrakis-db created/);
    assert.match(result.stdout, /\+\s+pulumi-nodejs:dynamic\/render:WebService arrakis-web created/);
    const outputs = await stack!.outputs();
    serviceId = String(outputs.serviceId);
    databaseId = String(outputs.databaseId);
    assert.match(serviceId, /^srv-/);
    const live = await service();
    assert.equal(live.name, "arrakis-prod");
    assert.equal(live.autoDeploy, "no");
    assert.equal(live.serviceDetails.plan, "starter");
    assert.equal(live.serviceDetails.healthCheckPath, "/");
    assert.equal(outputs.url, live.serviceDetails.url);
    assert.equal(outputs.suspended, false);
    assert.deepEqual(outputs.envVarKeys, [
      "DATABASE_URL",
      "DIRECT_URL",
      "NEXTAUTH_SECRET",
      "NEXTAUTH_URL",
      "NODE_ENV",
      "OPENAI_API_KEY",
    ]);
    nextauthSecret = (await env()).NEXTAUTH_SECRET;
    assert.match(nextauthSecret, /^[A-Za-z0-9+/]{43}=$/);
    await assertDeclaredEnv();
  });

  it("pulumi preview --expect-no-changes passes", async () => {
    const result = await track(stack!.preview(["--expect-no-changes"]));
    // The stack and the two resources.
    assert.match(result.stdout, /Resources:\n\s+3 unchanged/);
  });

  it("an env var added, one changed and the plan changed through the API show in preview, keys only", async () => {
    await api("PUT", `/services/${serviceId}/env-vars/ADDED_IN_DASHBOARD`, { value: dashboardExtra });
    await api("PUT", `/services/${serviceId}/env-vars/OPENAI_API_KEY`, { value: dashboardOpenaiKey });
    await api("PATCH", `/services/${serviceId}`, { serviceDetails: { plan: "standard" } });

    const plain = await track(stack!.preview(["--expect-no-changes"]), "fail");
    const lines = stepLines(plain.stdout, "WebService");
    assert.ok(
      lines.some((l) => /arrakis-web update \[diff: ~envVars,plan\]$/.test(l)),
      lines.join("\n"),
    );
    assert.deepEqual(
      stepLines(plain.stdout, "Postgres").filter((l) => / (update|create|replace|delete)/.test(l)),
      [],
    );

    const detailed = await track(stack!.preview(["--diff"]));
    const out = detailed.stdout;
    // The added key shows, to be removed, with its value hidden.
    assert.match(out, new RegExp(`- ADDED_IN_DASHBOARD\\s*: \\{[^}]*${escape(hiddenValue)}`, "s"));
    // The changed secret shows as a changed key; neither value is printed.
    assert.match(out, /OPENAI_API_KEY/);
    assert.match(out, /~ plan\s*: "standard" => "starter"/);
    for (const secret of [dashboardExtra, dashboardOpenaiKey, openaiApiKey])
      assert.ok(!out.includes(secret), `a value in the preview output:\n${out}`);
  });

  it("pulumi up reverts them, and NEXTAUTH_SECRET is unchanged", async () => {
    const result = await track(stack!.up());
    assert.match(result.stdout, /~\s+pulumi-nodejs:dynamic\/render:WebService arrakis-web updated/);
    assert.equal((await service()).serviceDetails.plan, "starter");
    await assertDeclaredEnv();
    await track(stack!.preview(["--expect-no-changes"]));
  });

  it("a wrong NEXTAUTH_URL shows in preview as the wrong value, and pulumi up fixes it", async () => {
    await api("PUT", `/services/${serviceId}/env-vars/NEXTAUTH_URL`, { value: "https://wrong.example.com" });
    const result = await track(stack!.preview(["--diff"]));
    assert.match(result.stdout, /NEXTAUTH_URL/);
    assert.match(result.stdout, /https:\/\/wrong\.example\.com/);
    await track(stack!.up());
    await assertDeclaredEnv();
  });

  it("refresh and re-runs keep NEXTAUTH_SECRET", async () => {
    await track(stack!.refresh());
    await track(stack!.up());
    await track(stack!.up());
    await assertDeclaredEnv();
    await track(stack!.preview(["--expect-no-changes"]));
  });

  it("pulumi stack export holds no plaintext secret value", async () => {
    const info = await connectionInfo();
    const exported = (await stack!.mustRun(["stack", "export", "--stack", stack!.stackName])).stdout;
    const secrets: Record<string, string> = {
      ...info,
      openaiApiKey,
      dashboardOpenaiKey,
      dashboardExtra,
      nextauthSecret,
      apiKey: emu.apiKey,
    };
    for (const [name, value] of Object.entries(secrets))
      assert.ok(!exported.includes(value), `${name} in plaintext in the stack export`);
    const state = JSON.parse(exported) as {
      deployment: { resources: { type: string; inputs?: Record<string, unknown> }[] };
    };
    const web = state.deployment.resources.find((r) => r.type === "pulumi-nodejs:dynamic/render:WebService");
    assert.ok(web, state.deployment.resources.map((r) => r.type).join(", "));
    const providerBytes = Buffer.byteLength(String(web.inputs?.__provider ?? ""));
    console.log(`      serialized RenderWebService provider in state: ${providerBytes} bytes`);
  });

  it("no CLI output held a secret value", async () => {
    const info = await connectionInfo();
    assert.ok(results.length >= 10);
    const secrets = [openaiApiKey, dashboardOpenaiKey, dashboardExtra, nextauthSecret, emu.apiKey];
    for (const result of results)
      for (const secret of [...secrets, ...Object.values(info)])
        assert.ok(
          !result.stdout.includes(secret) && !result.stderr.includes(secret),
          `a secret in the output of pulumi ${result.args.join(" ")}`,
        );
  });
});

/** A string as a literal inside a RegExp. */
function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
