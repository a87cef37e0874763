/**
 * The ONE engine spec of a mixed app (issue 25), through the real `pulumi` CLI against the in-process
 * emulator: a render.yaml with several kinds (tests/engine/fixtures/mixedApp/render.yaml: two web
 * services, one with a custom domain (an apex: Render adds its www sibling), a background worker, a
 * static site with headers, routes and env vars (sync: false, generateValue, fromDatabase), PostgreSQL, Key Value, an env group the worker links by fromGroup, linked by fromDatabase, fromService keyvalue
 * connectionString and web host/port/hostport, generateValue and `sync: false`) is turned into the stack
 * file by the importer (the function `npm run import-blueprint` runs), its secret set with the `pulumi
 * config set --secret --path` line the importer prints, then: `pulumi up` brings every object up with its
 * links resolved; `pulumi preview --expect-no-changes` is clean (the www sibling is no drift); changes
 * made on the "dashboard" (the emulator's Render API directly: a static site's publish path, a Key
 * Value's maxmemory policy) show field by field in a plain `pulumi preview`; `pulumi up` puts them back
 * and the next preview is clean. The `it`s build on each other, on one stack. Nothing connects to the
 * database (no extension, no migration): the emulator's databases are instant. The `--diff` preview of
 * the values runs only under RELIABILITY_FULL.
 */
import { strict as assert } from "node:assert";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { startEmulator, type RunningEmulator } from "../../emulator";
import { exitCodes, runImport } from "../../tools/importBlueprint";
import { requireEngine } from "../../tools/pulumi-engine/locate";
import { PulumiStack, type PulumiResult } from "../../tools/harness/pulumiCli";
import {
  EmulatorApi,
  copyProgram,
  removeProgramCopy,
  writeObjectConfig,
} from "../../tools/harness/stackHelpers";
import { instantDatabaseBackend } from "../blueprint/liveSeed";

const blueprint = path.join(__dirname, "fixtures", "mixedApp", "render.yaml");
const stackName = "mixed";
const stripeKey = `sk_test_${randomBytes(12).toString("hex")}`;

interface ServiceListItem {
  service: { id: string; name: string; type: string };
}

describe("engine: a mixed app from render.yaml, up, clean, dashboard drift, converged", function () {
  this.timeout(600_000);
  let emu: RunningEmulator;
  let api: EmulatorApi;
  let stack: PulumiStack | undefined;
  const results: PulumiResult[] = [];
  /** Render ids by name, once the first up made them. */
  const ids: Record<string, string> = {};

  const output = (r: PulumiResult) => `pulumi ${r.args.join(" ")} exited ${r.code}\n${r.stdout}\n${r.stderr}`;
  async function track(run: Promise<PulumiResult>): Promise<PulumiResult> {
    const result = await run;
    results.push(result);
    console.log(
      `      pulumi ${result.args.slice(0, 2).join(" ")}: ${(result.durationMs / 1000).toFixed(1)} s`,
    );
    assert.equal(result.code, 0, output(result));
    return result;
  }

  before(async () => {
    requireEngine();
    emu = await startEmulator({
      port: 0,
      timings: "fast",
      ownerId: `tea-${randomBytes(10).toString("hex")}`,
      apiKey: `rnd_${randomBytes(16).toString("hex")}`,
      databaseBackend: instantDatabaseBackend(),
    });
    api = new EmulatorApi(emu);
    const programDir = copyProgram();
    try {
      stack = await PulumiStack.create({
        programDir,
        stackName,
        secretConfig: { "render:apiKey": emu.apiKey },
      });
    } finally {
      removeProgramCopy(programDir);
    }
  });

  after(async () => {
    await stack?.cleanup();
    await emu?.close();
  });

  it("import-blueprint writes the stack file; pulumi up brings every kind up, linked", async () => {
    let stdout = "";
    let stderr = "";
    const code = await runImport(
      [
        blueprint,
        "--stack",
        stackName,
        "--api-url",
        emu.url,
        "--owner-id",
        emu.ownerId,
        "--out",
        `Pulumi.${stackName}.yaml`,
      ],
      {
        stdout: (t) => (stdout += t),
        stderr: (t) => (stderr += t),
        // No API key for the importer: nothing lives yet, the up creates it all.
        env: { INIT_CWD: stack!.projectDir },
        cwd: stack!.projectDir,
      },
    );
    assert.equal(code, exitCodes.ok, stdout + stderr);
    assert.doesNotMatch(stdout, /Not modeled/);
    // The secret line the importer prints, run as printed (the value through stdin).
    const secretLine = `pulumi config set --secret --path arrakis:secrets.STRIPE_KEY <value> --stack ${stackName}`;
    assert.ok(stdout.includes(secretLine), stdout);
    await stack!.mustRun(
      ["config", "set", "--secret", "--path", "arrakis:secrets.STRIPE_KEY", "--stack", stackName],
      {
        stdin: stripeKey,
      },
    );
    const file = parse(fs.readFileSync(path.join(stack!.projectDir, `Pulumi.${stackName}.yaml`), "utf8")) as {
      config: Record<string, unknown>;
    };
    assert.ok((file.config["render:apiKey"] as { secure?: string }).secure, "the CLI's secret stays");
    assert.equal(file.config["render:apiUrl"], emu.url);
    // Deploys poll the emulator every 200 ms instead of Render's seconds (state only, never a change).
    writeObjectConfig(stack!, {
      "arrakis:deploy": {
        pollIntervalMs: 200,
        healthCheck: { retries: 1, intervalMs: 100, timeoutMs: 2000 },
      },
    });

    await track(stack!.up());

    const services = await api.mustRender<ServiceListItem[]>("GET", "/services?limit=100");
    const byName = Object.fromEntries(services.map(({ service }) => [service.name, service]));
    assert.deepEqual(Object.fromEntries(Object.entries(byName).map(([name, s]) => [name, s.type])), {
      shop: "web_service",
      api: "web_service",
      docs: "static_site",
      jobs: "background_worker",
    });
    for (const [name, s] of Object.entries(byName)) ids[name] = s.id;
    const databases = await api.mustRender<Array<{ postgres: { id: string; name: string } }>>(
      "GET",
      "/postgres",
    );
    assert.deepEqual(
      databases.map((d) => d.postgres.name),
      ["shop"],
    );
    ids.db = databases[0].postgres.id;
    const keyValues = await api.mustRender<Array<{ keyValue: { id: string; name: string } }>>(
      "GET",
      "/key-value",
    );
    assert.deepEqual(
      keyValues.map((k) => k.keyValue.name),
      ["cache"],
    );
    ids.cache = keyValues[0].keyValue.id;

    const domains = await api.mustRender<Array<{ customDomain: { name: string } }>>(
      "GET",
      `/services/${ids.shop}/custom-domains`,
    );
    // The apex and the www sibling Render adds itself (TF issue 65): the clean preview below shows the
    // sibling is not drift.
    assert.deepEqual(domains.map((d) => d.customDomain.name).sort(), ["acme-shop.com", "www.acme-shop.com"]);
    const docs = await api.mustRender<{ serviceDetails: { publishPath: string } }>(
      "GET",
      `/services/${ids.docs}`,
    );
    assert.equal(docs.serviceDetails.publishPath, "./public");
    const headers = await api.mustRender<Array<{ header: { path: string; name: string; value: string } }>>(
      "GET",
      `/services/${ids.docs}/headers`,
    );
    assert.deepEqual(
      headers.map(({ header: { path: p, name, value } }) => ({ path: p, name, value })),
      [{ path: "/*", name: "X-Frame-Options", value: "DENY" }],
    );
    const routes = await api.mustRender<
      Array<{ route: { type: string; source: string; destination: string } }>
    >("GET", `/services/${ids.docs}/routes`);
    assert.deepEqual(
      routes.map(({ route: { type, source, destination } }) => ({ type, source, destination })),
      [{ type: "rewrite", source: "/app/*", destination: "/index.html" }],
    );

    const env = await api.envVars(ids.shop);
    const dbInfo = await api.mustRender<{ internalConnectionString: string }>(
      "GET",
      `/postgres/${ids.db}/connection-info`,
    );
    const kvInfo = await api.mustRender<{ internalConnectionString: string }>(
      "GET",
      `/key-value/${ids.cache}/connection-info`,
    );
    assert.equal(env.DATABASE_URL, dbInfo.internalConnectionString);
    assert.equal(env.REDIS_URL, kvInfo.internalConnectionString);
    assert.equal(env.API_HOST, "api");
    assert.equal(env.API_PORT, "10000");
    assert.equal(env.STRIPE_KEY, stripeKey);
    assert.match(env.SECRET_KEY_BASE ?? "", /^.{16,}$/);
    // The static site's env vars, as a service's: its secret from the stack's secrets, a generated
    // value, a database's property.
    const docsEnv = await api.envVars(ids.docs);
    assert.equal(docsEnv.STRIPE_KEY, stripeKey);
    assert.match(docsEnv.BUILD_SALT ?? "", /^.{16,}$/);
    assert.equal(docsEnv.DB_NAME, new URL(dbInfo.internalConnectionString).pathname.slice(1));
    // Secrets stay out of the state in plaintext: the sync: false value and the generated ones.
    const state = JSON.stringify(await stack!.exportState());
    for (const secret of [stripeKey, docsEnv.BUILD_SALT!, env.SECRET_KEY_BASE!])
      assert.ok(!state.includes(secret), "a secret in plaintext in the state");
    const jobs = await api.envVars(ids.jobs);
    assert.equal(jobs.DATABASE_URL, dbInfo.internalConnectionString);
    assert.equal(jobs.API_HOSTPORT, "api:10000");
    // The env group and its one link (RenderEnvGroupLink per service–group pair): the worker only.
    const groups = await api.mustRender<Array<{ id: string; name: string }>>("GET", "/env-groups");
    assert.deepEqual(
      groups.map((g) => g.name),
      ["shared"],
    );
    const group = await api.mustRender<{
      envVars: Array<{ key: string; value: string }>;
      serviceLinks: Array<{ id: string }>;
    }>("GET", `/env-groups/${groups[0].id}`);
    assert.deepEqual(
      group.envVars.map(({ key, value }) => ({ key, value })),
      [{ key: "LOG_LEVEL", value: "info" }],
    );
    assert.deepEqual(
      group.serviceLinks.map((l) => l.id),
      [ids.jobs],
    );
  });

  it("pulumi preview --expect-no-changes is clean", async () => {
    const clean = await track(stack!.preview(["--expect-no-changes"]));
    assert.doesNotMatch(clean.stdout, /\b(to create|to update|to replace|to delete)\b/);
  });

  it("dashboard changes show field by field in plain pulumi preview", async () => {
    await api.mustRender("PATCH", `/services/${ids.docs}`, { serviceDetails: { publishPath: "./dist" } });
    await api.mustRender("PATCH", `/key-value/${ids.cache}`, { maxmemoryPolicy: "noeviction" });
    const preview = await track(stack!.preview());
    const out = preview.stdout;
    assert.match(out, /render:StaticSite docs update \[diff: [^\]]*~publishPath/, out);
    assert.match(out, /render:KeyValue cache update \[diff: [^\]]*~maxmemoryPolicy/, out);
    assert.match(out, /2 to update/, out);
    assert.doesNotMatch(out, /\b(to create|to replace|to delete)\b/, out);
    // The values themselves (`--diff`): one more preview, ~30 s on a loaded machine; full runs only.
    if (!process.env.RELIABILITY_FULL) return;
    const diff = await track(stack!.preview(["--diff"]));
    assert.match(diff.stdout, /~ publishPath\s*: "\.\/dist" => "\.\/public"/, diff.stdout);
    assert.match(diff.stdout, /~ maxmemoryPolicy\s*: "noeviction" => "allkeys_lru"/, diff.stdout);
  });

  it("pulumi up puts them back; the next preview is clean", async () => {
    await track(stack!.up());
    const docs = await api.mustRender<{ serviceDetails: { publishPath: string } }>(
      "GET",
      `/services/${ids.docs}`,
    );
    assert.equal(docs.serviceDetails.publishPath, "./public");
    const cache = await api.mustRender<{ options: { maxmemoryPolicy: string } }>(
      "GET",
      `/key-value/${ids.cache}`,
    );
    assert.equal(cache.options.maxmemoryPolicy, "allkeys_lru");
    await track(stack!.preview(["--expect-no-changes"]));
  });

  it("no secret shows in any CLI output", () => {
    assert.ok(results.length >= 5);
    for (const r of results)
      for (const secret of [emu.apiKey, stripeKey])
        assert.ok(
          !r.stdout.includes(secret) && !r.stderr.includes(secret),
          `a secret in ${r.args.join(" ")}`,
        );
  });
});
