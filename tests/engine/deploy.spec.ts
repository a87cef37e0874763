/**
 * The arrakis program on the local stack's settings, through the real engine against the emulator:
 * migrations of the app fixture run (a `command:local:Command`), then the service is deployed; a second
 * up does nothing; a new migration runs once and deploys once; a failed migration stops the up before
 * any deploy; a deploy that fails leaves (or brings back) the previous deploy live and the up exits
 * non-zero naming it; the service's preDeployCommand runs as a deploy phase, and its failure
 * (`pre_deploy_failed`) keeps the live deploy.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Client } from "pg";
import { parse, stringify } from "yaml";
import { startEmulator, type RunningEmulator } from "../../emulator";
import { requireEngine } from "../../tools/pulumi-engine/locate";
import { PulumiStack, type PulumiResult } from "../../tools/harness/pulumiCli";
import { call } from "../helpers/providers";

const repoRoot = path.resolve(__dirname, "..", "..");
const fixture = path.join(repoRoot, "tests", "fixtures", "app");
const openaiKey = "sk-engine-deploy-test-0123456789";

interface LiveDeploy {
  id: string;
  status: string;
  trigger: string;
  commit: { id: string } | null;
}

/** The program without tests, local data or stack files, its packages linked. */
function copyProgram(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "arrakis-deploy-program-"));
  for (const entry of fs.readdirSync(repoRoot)) {
    if (entry.startsWith(".") || ["node_modules", "tests", "bench", "bin"].includes(entry)) continue;
    if (/^Pulumi\..+\.yaml$/.test(entry)) continue;
    fs.cpSync(path.join(repoRoot, entry), path.join(dir, entry), { recursive: true });
  }
  fs.symlinkSync(path.join(repoRoot, "node_modules"), path.join(dir, "node_modules"), "dir");
  return dir;
}

function addMigration(appDir: string, name: string, sql: string): void {
  const dir = path.join(appDir, "prisma", "migrations", name);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "migration.sql"), sql);
}

describe("engine: migrations then deploy on the local stack", function () {
  this.timeout(240_000);
  let emu: RunningEmulator;
  let stack: PulumiStack;
  let programDir: string;
  let appDir: string;
  let serviceId: string;
  let postgresId: string;
  let password = "";
  const results: PulumiResult[] = [];

  const api = (method: string, p: string, body?: unknown) =>
    call(emu.url, method, p, { apiKey: emu.apiKey, body });
  const control = (method: string, p: string, body?: unknown) => call(emu.controlUrl, method, p, { body });
  const deploys = async () =>
    ((await api("GET", `/services/${serviceId}/deploys?limit=100`)).body as { deploy: LiveDeploy }[]).map(
      (e) => e.deploy,
    );
  const deployPosts = async () =>
    ((await control("GET", "/requests")).body as { method: string; path: string }[]).filter(
      (r) => r.method === "POST" && /^\/v1\/services\/[^/]+\/deploys$/.test(r.path),
    ).length;

  async function query<T>(sql: string): Promise<T[]> {
    const info = (await api("GET", `/postgres/${postgresId}/connection-info`)).body as {
      externalConnectionString: string;
    };
    const client = new Client({ connectionString: info.externalConnectionString, ssl: { ca: emu.caCert } });
    await client.connect();
    try {
      return (await client.query(sql)).rows as T[];
    } finally {
      await client.end();
    }
  }

  async function up(): Promise<PulumiResult> {
    const result = await stack.up();
    results.push(result);
    return result;
  }

  const output = (r: PulumiResult) => `${r.stdout}\n${r.stderr}`;

  before(async () => {
    requireEngine();
    emu = await startEmulator({ port: 0, timings: "fast", rateLimits: { enabled: false } });
    appDir = fs.mkdtempSync(path.join(os.tmpdir(), "arrakis-deploy-app-"));
    fs.cpSync(fixture, appDir, { recursive: true });
    fs.symlinkSync(path.join(repoRoot, "node_modules"), path.join(appDir, "node_modules"), "dir");
    programDir = copyProgram();
    const local = parse(fs.readFileSync(path.join(repoRoot, "Pulumi.local.yaml"), "utf8")) as {
      config: Record<string, unknown>;
    };
    stack = await PulumiStack.create({
      programDir,
      stackName: "local",
      config: { "render:apiUrl": emu.url, "render:ownerId": emu.ownerId, "arrakis:monthlyBudgetUsd": "12" },
      secretConfig: { "render:apiKey": emu.apiKey, "arrakis:openaiApiKey": openaiKey },
      // The emulator's databases require TLS with a certificate of its CA (the migration tool trusts it).
      env: { PGSSLROOTCERT: emu.caCertFile },
    });
    // Structured config goes into the stack file, as `--path` would write it.
    const file = path.join(stack.projectDir, "Pulumi.local.yaml");
    const doc = parse(fs.readFileSync(file, "utf8")) as { config: Record<string, unknown> };
    doc.config["arrakis:database"] = { ...(local.config["arrakis:database"] as object), protect: false };
    doc.config["arrakis:service"] = local.config["arrakis:service"];
    doc.config["arrakis:deploy"] = {
      ...(local.config["arrakis:deploy"] as object),
      pollIntervalMs: 200,
      healthCheck: { retries: 1, intervalMs: 100, timeoutMs: 2000 },
    };
    doc.config["arrakis:migrations"] = { appDir };
    fs.writeFileSync(file, stringify(doc));
  });

  after(async () => {
    await stack?.cleanup();
    await emu?.close();
    for (const dir of [programDir, appDir]) if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("up runs the migration, then deploys the service: live, healthy, with the vector table", async () => {
    const result = await up();
    assert.equal(result.code, 0, output(result));
    const created = result.stdout.split("\n").filter((l) => / created/.test(l));
    const at = (type: string) => created.findIndex((l) => l.includes(`${type} `));
    const migrations = "command:local:Command";
    assert.ok(at(migrations) >= 0 && at("dynamic/render:Deploy") >= 0, result.stdout);
    assert.ok(
      at(migrations) < at("dynamic/render:WebService") &&
        at("dynamic/render:WebService") < at("dynamic/render:Deploy"),
      created.join("\n"),
    );
    assert.ok(!result.stdout.includes("render:Migrations"), "a DatabaseMigrations resource remains");
    const outputs = await stack.outputs();
    serviceId = outputs.serviceId as string;
    postgresId = outputs.databaseId as string;
    assert.equal(outputs.deployStatus, "live");
    assert.match(outputs.deployId as string, /^dep-/);
    assert.equal(outputs.rolledBackTo, "");
    const live = await deploys();
    assert.equal(live.find((d) => d.id === outputs.deployId)?.status, "live");
    const [column] = await query<{ type: string }>(
      "SELECT format_type(atttypid, atttypmod) AS type FROM pg_attribute " +
        "WHERE attrelid = 'documents'::regclass AND attname = 'embedding'",
    );
    assert.equal(column.type, "vector(3)");
    password = (
      (await api("GET", `/postgres/${postgresId}/connection-info`)).body as {
        password: string;
      }
    ).password;
    // Progress of the deploy reached Pulumi's output.
    assert.match(
      output(result),
      new RegExp(`deploy ${outputs.deployId}: (build_in_progress|update_in_progress|live)`),
    );
  });

  it("a second up deploys nothing and runs no migration", async () => {
    const before = await deployPosts();
    const migrationsId = async () =>
      ((await stack.exportState()).deployment.resources ?? []).find((r) => r.type === "command:local:Command")
        ?.id;
    const first = await migrationsId();
    assert.ok(first, "no migrations command in the state");
    const result = await up();
    assert.equal(result.code, 0, output(result));
    assert.doesNotMatch(result.stdout, / (created|updated|replaced)\b/);
    assert.doesNotMatch(output(result), /migration\(s\) applied/);
    assert.equal(await deployPosts(), before);
    assert.equal(await migrationsId(), first);
    const preview = await stack.preview(["--expect-no-changes"]);
    results.push(preview);
    assert.equal(preview.code, 0, output(preview));
  });

  it("a new migration runs once and makes one deploy", async () => {
    addMigration(
      appDir,
      "20251001000000_tags",
      "CREATE TABLE tags (id SERIAL PRIMARY KEY, name TEXT UNIQUE);\n",
    );
    const before = await deployPosts();
    const result = await up();
    assert.equal(result.code, 0, output(result));
    // The migrations folder's hash is the command's trigger: a new one replaces (re-runs) it.
    assert.match(result.stdout, /command:local:Command \S+ replaced/);
    assert.match(output(result), /applied 20251001000000_tags/);
    assert.match(result.stdout, /dynamic\/render:Deploy \S+ updated/);
    assert.equal(await deployPosts(), before + 1);
    const applied = await query<{ name: string }>("SELECT name FROM _migrations ORDER BY name");
    assert.deepEqual(
      applied.map((r) => r.name),
      ["20250929000000_documents", "20251001000000_tags"],
    );
    const again = await up();
    assert.equal(again.code, 0, output(again));
    assert.doesNotMatch(again.stdout, / (created|updated|replaced)\b/);
    assert.equal(await deployPosts(), before + 1);
  });

  it("a failed migration stops the up before any deploy, its output shown without the secret", async () => {
    const broken = "20251002000000_broken";
    addMigration(appDir, broken, "ALTER TABLE nowhere ADD COLUMN v vector(3);\n");
    const before = await deployPosts();
    try {
      const result = await up();
      assert.notEqual(result.code, 0);
      assert.match(
        output(result),
        /could not run the migrations of database dpg-\S+: `npm run db:deploy` in \S+ exited 1\. Nothing was deployed\./,
      );
      assert.match(
        output(result),
        new RegExp(`migration ${broken} failed: relation "nowhere" does not exist`),
      );
      assert.equal(await deployPosts(), before);
    } finally {
      fs.rmSync(path.join(appDir, "prisma", "migrations", broken), { recursive: true, force: true });
    }
  });

  it("a deploy of a commit that fails to build fails the up with its id; the previous deploy stays live", async () => {
    const previous = (await stack.outputs()).deployId as string;
    const bad = "deadbeef".padEnd(40, "0");
    await control("PUT", "/deploys/fail", { serviceId, commitId: bad, stage: "build" });
    await stack.mustRun(["config", "set", "--path", "arrakis:deploy.commit", "--stack", "local"], {
      stdin: bad,
    });
    const result = await up();
    assert.notEqual(result.code, 0);
    const failed = (await deploys()).find((d) => d.commit?.id === bad);
    assert.ok(failed, "no deploy of the bad commit");
    assert.equal(failed.status, "build_failed");
    assert.match(
      output(result),
      new RegExp(
        `could not deploy service ${serviceId}: deploy ${failed.id} ended build_failed \\(https://dashboard\\.render\\.com/web/${serviceId}/deploys/${failed.id}\\)`,
      ),
    );
    assert.match(output(result), new RegExp(`previous deploy ${previous} is still live`));
    assert.equal((await deploys()).find((d) => d.id === previous)?.status, "live");
  });

  it("a deploy that goes live unhealthy is rolled back to the previous one; up exits non-zero naming both", async () => {
    const previous = (await deploys()).find((d) => d.status === "live")!;
    const next = "cafe0000".padEnd(40, "1");
    await control("PUT", `/services/${serviceId}/health`, { healthy: false });
    await stack.mustRun(["config", "set", "--path", "arrakis:deploy.commit", "--stack", "local"], {
      stdin: next,
    });
    try {
      const result = await up();
      assert.notEqual(result.code, 0);
      const failed = (await deploys()).find((d) => d.commit?.id === next)!;
      assert.match(output(result), new RegExp(`deploy ${failed.id} went live but failed its health check`));
      assert.match(output(result), new RegExp(`Rolled back to deploy ${previous.id}`));
      const list = await deploys();
      const rollback = list.find((d) => d.trigger === "rollback");
      assert.equal(rollback?.status, "live");
      assert.equal(rollback?.commit?.id, previous.commit?.id);
      assert.equal(list.find((d) => d.id === failed.id)?.status, "deactivated");
    } finally {
      await control("PUT", `/services/${serviceId}/health`, { healthy: true });
    }
    // Healthy again: the next up deploys the commit and succeeds.
    const fixed = await up();
    assert.equal(fixed.code, 0, output(fixed));
    const outputs = await stack.outputs();
    assert.equal(outputs.deployedCommit, next);
    assert.equal(outputs.deployStatus, "live");
  });

  it("the service's preDeployCommand runs in each deploy, after the build and before live", async () => {
    // Long enough for a 200 ms poll to see the phase (taken by deploys created from now on).
    await control("PUT", "/timings", { preDeploy: 1500 });
    await stack.mustRun(["config", "set", "--path", "arrakis:service.preDeployCommand", "--stack", "local"], {
      stdin: "npm run db:deploy",
    });
    const result = await up();
    assert.equal(result.code, 0, output(result));
    const service = (await api("GET", `/services/${serviceId}`)).body as {
      serviceDetails: { envSpecificDetails: { preDeployCommand?: string } };
    };
    assert.equal(service.serviceDetails.envSpecificDetails.preDeployCommand, "npm run db:deploy");
    // A new run command is a new deploy (the trigger hashes it), and it went through the phase.
    assert.match(result.stdout, /dynamic\/render:Deploy \S+ updated/);
    const outputs = await stack.outputs();
    assert.equal(outputs.deployStatus, "live");
    assert.match(output(result), new RegExp(`deploy ${outputs.deployId}: pre_deploy_in_progress`));
    assert.equal((await deploys()).find((d) => d.id === outputs.deployId)?.status, "live");
  });

  it("a failing preDeployCommand fails the deploy (pre_deploy_failed); the live deploy keeps serving", async () => {
    const previous = (await stack.outputs()).deployId as string;
    const rollbacks = async () => (await deploys()).filter((d) => d.trigger === "rollback").length;
    const rollbacksBefore = await rollbacks();
    const bad = "badc0de0".padEnd(40, "2");
    await control("PUT", "/deploys/fail", { serviceId, commitId: bad, stage: "pre_deploy" });
    await stack.mustRun(["config", "set", "--path", "arrakis:deploy.commit", "--stack", "local"], {
      stdin: bad,
    });
    const result = await up();
    assert.notEqual(result.code, 0);
    const failed = (await deploys()).find((d) => d.commit?.id === bad);
    assert.ok(failed, "no deploy of the commit");
    assert.equal(failed.status, "pre_deploy_failed");
    assert.match(output(result), new RegExp(`deploy ${failed.id}: pre_deploy_in_progress`));
    assert.match(
      output(result),
      new RegExp(`could not deploy service ${serviceId}: deploy ${failed.id} ended pre_deploy_failed`),
    );
    assert.match(output(result), new RegExp(`previous deploy ${previous} is still live`));
    const list = await deploys();
    assert.equal(list.find((d) => d.id === previous)?.status, "live");
    // Nothing to roll back to: the live deploy never stopped serving.
    assert.equal(await rollbacks(), rollbacksBefore);
  });

  it("no API key, OpenAI key or database password in any CLI output, nor in plaintext in the state", async () => {
    assert.ok(password.length > 0);
    for (const r of results)
      for (const secret of [emu.apiKey, openaiKey, password])
        assert.ok(!output(r).includes(secret), `a secret in the output of ${r.args.join(" ")}`);
    // The migrations command holds the connection string as a secret input: encrypted in the state.
    const state = JSON.stringify(await stack.exportState());
    assert.ok(state.includes("command:local:Command"));
    for (const secret of [emu.apiKey, openaiKey, password])
      assert.ok(
        !state.includes(secret) && !state.includes(encodeURIComponent(secret)),
        "a secret in the state",
      );
  });
});
