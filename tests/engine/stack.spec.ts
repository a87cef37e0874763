/**
 * Engine acceptance tests of the arrakis program itself (index.ts, RenderApp, the local stack's
 * config) through the real `pulumi` CLI against the Render API emulator (issue #7): up from empty,
 * a clean second preview, dashboard-style drift shown field by field and reverted, no secret in the
 * exported state, destroy stopped by the protected database, and adoption of live resources by id.
 * The web service's env vars of every kind (issue 6: linked, plain, generated, the service's own URL, a
 * secret) are tested on this stack too: an added one shown in `--diff` with its value hidden, a wrong
 * plain value shown as such, the generated NEXTAUTH_SECRET kept by refresh and re-runs.
 *
 * One emulator; two stacks (the local stack, then a stack adopting what the API made), each a copy of
 * the program with Pulumi.local.yaml's config pointed at the emulator. The `it`s build on each other.
 */
import { strict as assert } from "node:assert";
import { randomBytes } from "node:crypto";
import { hiddenValue } from "../../components/webService/provider";
import type { RunningEmulator } from "../../emulator";
import { requireEngine } from "../../tools/pulumi-engine/locate";
import type { PulumiResult, PulumiStack } from "../../tools/harness/pulumiCli";
import {
  EmulatorApi,
  createArrakisStack,
  readStackFile,
  startLocalEmulator,
  withEmulatorPolling,
} from "../../tools/harness/stackHelpers";
import { trustingEmulator } from "../../tools/harness/emulatorTrust";

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
  autoDeploy: string;
  serviceDetails: { plan: string; url: string; healthCheckPath: string };
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
const dashboardExtra = `extra-${randomBytes(12).toString("hex")}`;

/** One step of `pulumi preview --json`. */
interface PreviewStep {
  op: string;
  urn: string;
  oldState?: { inputs?: Record<string, unknown> };
  newState?: { inputs?: Record<string, unknown> };
}

/**
 * The inputs a preview step changes: top-level fields, and env vars by key (`envVars.KEY`). Secret
 * values show as "[secret]" on both sides, so a changed secret is not visible here (see its own test).
 */
function changedInputs(step: PreviewStep): string[] {
  const olds = step.oldState?.inputs ?? {};
  const news = step.newState?.inputs ?? {};
  const changed = new Set<string>();
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  for (const key of new Set([...Object.keys(olds), ...Object.keys(news)])) {
    if (key === "__provider" || same(olds[key], news[key])) continue;
    if (key !== "envVars") {
      changed.add(key);
      continue;
    }
    const oldVars = (olds.envVars ?? {}) as Record<string, unknown>;
    const newVars = (news.envVars ?? {}) as Record<string, unknown>;
    for (const name of new Set([...Object.keys(oldVars), ...Object.keys(newVars)]))
      if (!same(oldVars[name], newVars[name])) changed.add(`envVars.${name}`);
  }
  return [...changed].sort();
}

/** A string as a literal inside a RegExp. */
function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Lines of a preview that name a resource of the given type, trimmed, without progress lines. */
function stepLines(output: string, type: string): string[] {
  return output
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line.includes(`dynamic/render:${type} `) && !line.endsWith(" refreshing"));
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
    emu = await startLocalEmulator();
    api = new EmulatorApi(emu);
  });

  after(async () => {
    await stack?.cleanup();
    await emu?.close();
  });

  describe("the local stack", () => {
    let databaseId: string;
    let serviceId: string;
    /** The generated NEXTAUTH_SECRET of the first up: never regenerated. */
    let nextauthSecret = "";
    /** Resources in the stack after the first up (the app grows: deploys, migrations…). */
    let resourceCount = 0;

    before(async () => {
      stack = await trustingEmulator(emu, () =>
        createArrakisStack({
          stackName: "local",
          ...stackConfig(emu),
          objectConfig: withEmulatorPolling({
            "arrakis:database": databaseConfig,
            "arrakis:service": serviceConfig,
          }),
        }),
      );
    });

    after(async () => {
      await stack?.cleanup();
      stack = undefined;
    });

    it("up from empty creates the database, extension and service, all available and live", async () => {
      const result = await track(stack!.up());
      const created = /\+ (\d+) created/.exec(result.stdout);
      assert.ok(created, result.stdout);
      resourceCount = Number(created[1]);
      const types = ((await stack!.exportState()).deployment.resources ?? [])
        .map((r) => String(r.type))
        .filter((type) => !type.startsWith("pulumi:providers:"));
      assert.equal(types.length, resourceCount);
      for (const type of ["Stack", "App", "render:Postgres", "render:PostgresExtension", "render:WebService"])
        assert.ok(
          types.some((t) => t.endsWith(type)),
          `no ${type} in ${types.join(", ")}`,
        );
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
      assert.equal(service.autoDeploy, "no");
      assert.equal(service.serviceDetails.plan, "starter");
      assert.equal(service.serviceDetails.healthCheckPath, "/");
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
      nextauthSecret = env.NEXTAUTH_SECRET;
    });

    it("a second preview --expect-no-changes passes", async () => {
      const result = await track(stack!.preview(["--expect-no-changes"]));
      assert.match(result.stdout, new RegExp(`Resources:\\n\\s+${resourceCount} unchanged\\n`));
    });

    it("one field changed in the dashboard shows in a plain preview as that field", async () => {
      await api.mustRender("PATCH", `/postgres/${databaseId}`, { plan: "basic_1gb" });
      const result = await track(stack!.preview());
      // For the closing note: what a person sees.
      console.log(
        `\n--- pulumi preview of the local stack, database plan changed in the dashboard\n${result.stdout}---`,
      );
      assert.deepEqual(stepLines(result.stdout, "Postgres"), [
        "~  pulumi-nodejs:dynamic/render:Postgres arrakis-db refresh [diff: ~plan]",
        "~  pulumi-nodejs:dynamic/render:Postgres arrakis-db update [diff: ~plan]",
      ]);
      assert.deepEqual(stepLines(result.stdout, "WebService"), [
        "~  pulumi-nodejs:dynamic/render:WebService arrakis-web refresh",
        "pulumi-nodejs:dynamic/render:WebService arrakis-web",
      ]);
      assert.match(result.stdout, new RegExp(`~ 1 to update\\n\\s+${resourceCount - 1} unchanged\\n`));
    });

    it("more dashboard changes (allow list, service plan, an env var added, one changed) show as exactly those fields", async () => {
      await api.mustRender("PATCH", `/postgres/${databaseId}`, {
        ipAllowList: [{ cidrBlock: "203.0.113.0/24", description: "office" }],
      });
      await api.mustRender("PATCH", `/services/${serviceId}`, { serviceDetails: { plan: "standard" } });
      await api.mustRender("PUT", `/services/${serviceId}/env-vars/EXTRA_FLAG`, { value: dashboardExtra });
      await api.mustRender("PUT", `/services/${serviceId}/env-vars/NODE_ENV`, { value: "development" });

      const result = await track(stack!.preview(["--expect-no-changes"], { json: true }), "fail");
      const steps = (result.json as { steps?: PreviewStep[] } | undefined)?.steps ?? [];
      const changes = Object.fromEntries(
        steps
          .filter((step) => step.op !== "same" && step.op !== "refresh")
          .map((step) => [`${step.op} ${step.urn.split("::").pop()}`, changedInputs(step)]),
      );
      assert.deepEqual(changes, {
        "update arrakis-db": ["ipAllowList", "plan"],
        "update arrakis-web": ["envVars.EXTRA_FLAG", "envVars.NODE_ENV", "plan"],
      });
      // As a person reads it: the added key shows, to be removed, with its value hidden.
      const detailed = (await track(stack!.preview(["--diff"]))).stdout;
      assert.match(detailed, new RegExp(`- EXTRA_FLAG\\s*: \\{[^}]*${escape(hiddenValue)}`, "s"));
      assert.match(detailed, /~ plan\s*: "standard" => "starter"/);
      assert.ok(!detailed.includes(dashboardExtra), `the added value in the preview:\n${detailed}`);
    });

    it("up puts every field back", async () => {
      const result = await track(stack!.up());
      assert.match(result.stdout, /~ 2 updated/);
      const db = await api.mustRender<Postgres>("GET", `/postgres/${databaseId}`);
      assert.equal(db.plan, "basic_256mb");
      assert.deepEqual(db.ipAllowList, databaseConfig.ipAllowList);
      assert.equal(db.status, "available");
      const service = await api.mustRender<Service>("GET", `/services/${serviceId}`);
      assert.equal(service.serviceDetails.plan, "starter");
      const env = await api.envVars(serviceId);
      assert.equal(env.EXTRA_FLAG, undefined);
      assert.equal(env.NODE_ENV, "production");
    });

    it("a secret env var changed in the dashboard shows as a change of envVars, its value hidden, and up restores it", async () => {
      const before = await api.envVars(serviceId);
      await api.mustRender("PUT", `/services/${serviceId}/env-vars/OPENAI_API_KEY`, {
        value: dashboardOpenaiKey,
      });
      const preview = await track(stack!.preview(["--expect-no-changes", "--diff"]), "fail");
      assert.match(preview.stdout, /~ pulumi-nodejs:dynamic\/render:WebService: \(update\)/);
      assert.doesNotMatch(preview.stdout, /~ pulumi-nodejs:dynamic\/render:Postgres: \(update\)/);
      assert.match(preview.stdout, /~ 1 to update/);
      // Pulumi shows which env var changed outside Pulumi, never its value (not even its placeholder).
      assert.match(preview.stdout, /~ envVars\s*: \{\n/);
      assert.match(preview.stdout, /~ OPENAI_API_KEY\s*: \{\n\s*- drift: "value changed outside Pulumi"\n/);
      assert.doesNotMatch(preview.stdout, /changed outside Pulumi; value hidden/);

      const result = await track(stack!.up());
      assert.match(result.stdout, /~ 1 updated/);
      const after = await api.envVars(serviceId);
      assert.equal(after.OPENAI_API_KEY, openaiApiKey);
      // Everything else as it was: NEXTAUTH_SECRET in particular is never regenerated.
      assert.deepEqual(after, before);
    });

    it("the next preview is clean again", async () => {
      await track(stack!.preview(["--expect-no-changes"]));
    });

    it("a wrong NEXTAUTH_URL (a plain value) shows in preview as the wrong value, and up fixes it", async () => {
      await api.mustRender("PUT", `/services/${serviceId}/env-vars/NEXTAUTH_URL`, {
        value: "https://wrong.example.com",
      });
      const result = await track(stack!.preview(["--diff"]));
      assert.match(result.stdout, /NEXTAUTH_URL/);
      assert.match(result.stdout, /https:\/\/wrong\.example\.com/);
      await track(stack!.up());
      const service = await api.mustRender<Service>("GET", `/services/${serviceId}`);
      assert.equal((await api.envVars(serviceId)).NEXTAUTH_URL, service.serviceDetails.url);
    });

    it("refresh and a re-run keep NEXTAUTH_SECRET, and every env var as declared", async () => {
      const before = await api.envVars(serviceId);
      await track(stack!.refresh());
      await track(stack!.up());
      const after = await api.envVars(serviceId);
      assert.equal(after.NEXTAUTH_SECRET, nextauthSecret);
      assert.deepEqual(after, before);
      await track(stack!.preview(["--expect-no-changes"]));
    });

    it("pulumi stack export holds none of the six secret values in plaintext, nor does any CLI output", async () => {
      const info = await api.mustRender<ConnectionInfo>("GET", `/postgres/${databaseId}/connection-info`);
      const env = await api.envVars(serviceId);
      const secrets: Record<string, string> = {
        "the Render API key": emu.apiKey,
        "the database password": info.password,
        "the internal connection string": info.internalConnectionString,
        "the external connection string": info.externalConnectionString,
        OPENAI_API_KEY: env.OPENAI_API_KEY,
        NEXTAUTH_SECRET: env.NEXTAUTH_SECRET,
        "the OPENAI_API_KEY set in the dashboard": dashboardOpenaiKey,
        "the env var added in the dashboard": dashboardExtra,
      };
      assert.equal(env.OPENAI_API_KEY, openaiApiKey);
      for (const [what, value] of Object.entries(secrets))
        assert.ok(value && value.length >= 16, `${what} is too short to be searched for`);
      const exported = await stack!.mustRun(["stack", "export", "--stack", stack!.stackName]);
      // The export is the real thing: it names the database, and holds its secrets as ciphertext.
      assert.ok(exported.stdout.includes(databaseId));
      assert.match(exported.stdout, /"ciphertext"/);
      for (const [what, value] of Object.entries(secrets)) {
        assert.ok(!exported.stdout.includes(value), `${what} in plaintext in pulumi stack export`);
        for (const result of results)
          assert.ok(
            !result.stdout.includes(value) && !result.stderr.includes(value),
            `${what} in the output of pulumi ${result.args.join(" ")}`,
          );
      }
    });

    it("pulumi destroy stops at the protected database, which still exists", async () => {
      const result = await track(stack!.destroy(), "fail");
      const output = result.stdout + result.stderr;
      assert.match(output, /protect/i);
      assert.match(output, /arrakis-db/);
      const db = await api.render<Postgres>("GET", `/postgres/${databaseId}`);
      assert.equal(db.status, 200);
      assert.equal(db.body.status, "available");
      // Pulumi deletes in dependency order up to the protected database: the rest is gone.
      assert.match(result.stdout, /- 3 deleted/);
      assert.equal((await api.render("GET", `/services/${serviceId}`)).status, 404);
    });
  });

  describe("adopting a database and a service made outside Pulumi", () => {
    let databaseId: string;
    let serviceId: string;
    let envBefore: Record<string, string>;

    before(async () => {
      // A fresh world: the local stack's objects go; the key, workspace and clock stay.
      assert.ok([200, 204].includes((await api.control("POST", "/reset")).status));
      // As render.yaml and the dashboard made production: the same settings as the stack's config.
      const db = await api.mustRender<Postgres>("POST", "/postgres", {
        name: databaseConfig.name,
        ownerId: emu.ownerId,
        plan: String(databaseConfig.plan).replace(/-/g, "_"),
        version: String(databaseConfig.version),
        region: databaseConfig.region,
        databaseName: databaseConfig.databaseName,
        databaseUser: databaseConfig.databaseUser,
        ipAllowList: databaseConfig.ipAllowList,
      });
      databaseId = db.id;
      await api.until("the database to be available", async () => {
        const live = await api.mustRender<Postgres>("GET", `/postgres/${databaseId}`);
        return live.status === "available";
      });
      const info = await api.mustRender<ConnectionInfo>("GET", `/postgres/${databaseId}/connection-info`);
      const created = await api.mustRender<{ service: Service }>("POST", "/services", {
        type: "web_service",
        name: serviceConfig.name,
        ownerId: emu.ownerId,
        repo: serviceConfig.repo,
        branch: serviceConfig.branch,
        autoDeploy: serviceConfig.autoDeploy ? "yes" : "no",
        envVars: [
          { key: "DATABASE_URL", value: info.internalConnectionString },
          { key: "DIRECT_URL", value: info.internalConnectionString },
          { key: "NODE_ENV", value: "production" },
          { key: "NEXTAUTH_SECRET", generateValue: true },
          { key: "NEXTAUTH_URL", value: "https://placeholder.example" },
          { key: "OPENAI_API_KEY", value: openaiApiKey },
        ],
        serviceDetails: {
          runtime: serviceConfig.runtime,
          plan: serviceConfig.plan,
          region: serviceConfig.region,
          healthCheckPath: serviceConfig.healthCheckPath,
          numInstances: 1,
          pullRequestPreviewsEnabled: "no",
          envSpecificDetails: {
            buildCommand: serviceConfig.buildCommand,
            startCommand: serviceConfig.startCommand,
          },
        },
      });
      serviceId = created.service.id;
      // NEXTAUTH_URL is the service's own URL, known once it exists (as it was set in the dashboard).
      await api.mustRender("PUT", `/services/${serviceId}/env-vars/NEXTAUTH_URL`, {
        value: created.service.serviceDetails.url,
      });
      envBefore = await api.envVars(serviceId);

      stack = await trustingEmulator(emu, () =>
        createArrakisStack({
          stackName: "local",
          ...stackConfig(emu),
          objectConfig: withEmulatorPolling({
            "arrakis:database": { ...databaseConfig, importId: databaseId },
            "arrakis:service": { ...serviceConfig, importId: serviceId },
          }),
        }),
      );
    });

    after(async () => {
      await stack?.cleanup();
      stack = undefined;
    });

    it("pulumi up imports both without creating or changing either", async () => {
      assert.ok([200, 204].includes((await api.control("DELETE", "/requests")).status));
      const result = await track(stack!.up());
      // Adopted, not created: Pulumi records them as created, Render made nothing new.
      assert.match(result.stdout, /\+\s+pulumi-nodejs:dynamic\/render:Postgres arrakis-db created/);
      const requests = await api.requests();
      const writes = requests.filter((r) => r.method !== "GET").map((r) => `${r.method} ${r.path}`);
      assert.deepEqual(
        writes.filter(
          (w) => w === "POST /v1/postgres" || w === "POST /v1/services" || w.startsWith("PATCH "),
        ),
        [],
      );
      // The deploy resource adopts the live deploy: nothing is built (issue 17).
      assert.deepEqual(
        writes.filter((w) => /\/deploys$/.test(w)),
        [],
      );
      const outputs = await stack!.outputs();
      assert.equal(outputs.databaseId, databaseId);
      assert.equal(outputs.serviceId, serviceId);
      assert.deepEqual(await api.envVars(serviceId), envBefore);
    });

    it("the next preview is clean", async () => {
      await track(stack!.preview(["--expect-no-changes"]));
    });
  });
});
