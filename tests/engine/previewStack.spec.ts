/**
 * Engine tests of preview stacks per pull request (issue 19, item 3): `npm run preview-stack` (tools/
 * previewStack.ts) run as a user runs it, on a copy of the program with the real engine, against the
 * Render API emulator: create (from Pulumi.prod.yaml: own database and service, cheapest plans, names with
 * the PR number, expiry tag, cost printed) and deploy, destroy (the database included), and sweep of
 * expired stacks; afterwards the emulator holds no database and no service. Prints each command's time
 * and the API calls it made (the emulator's request log). The `it`s build on each other.
 */
import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { databaseTrustEnv, startEmulator, type RunningEmulator } from "../../emulator";
import { requireEngine } from "../../tools/pulumi-engine/locate";
import { EmulatorApi, copyProgram, readStackFile, removeProgramCopy } from "../../tools/harness/stackHelpers";

const repoRoot = path.resolve(__dirname, "..", "..");
const tool = path.join(repoRoot, "tools", "previewStack.ts");
const tsx = path.join(repoRoot, "node_modules", ".bin", "tsx");
const prod = readStackFile(path.join(repoRoot, "Pulumi.prod.yaml"));
const openaiApiKey = `sk-preview-test-${randomBytes(12).toString("hex")}`;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
  /** `/v1` calls the command made, by method. */
  calls: Record<string, number>;
}
interface Named {
  id: string;
  name: string;
  plan?: string;
  status?: string;
  serviceDetails?: { plan: string; url: string };
}

describe("engine: preview stacks per pull request (npm run preview-stack)", function () {
  this.timeout(600_000);
  let emu: RunningEmulator;
  let api: EmulatorApi;
  let work: string;
  let project: string;
  let env: NodeJS.ProcessEnv;
  const figures: string[] = [];

  /** Runs the tool as `npm run preview-stack -- <args>` would, counting the API calls it makes. */
  async function previewStack(args: string[]): Promise<Run> {
    await api.control("DELETE", "/requests");
    const started = Date.now();
    const child = spawn(tsx, [tool, ...args, "--cwd", project, "--api-url", emu.url], {
      cwd: repoRoot,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const code = await new Promise<number | null>((resolve) => child.once("close", resolve));
    const ms = Date.now() - started;
    const calls: Record<string, number> = {};
    for (const request of await api.requests()) calls[request.method] = (calls[request.method] ?? 0) + 1;
    return { code, stdout, stderr, ms, calls };
  }

  function mustSucceed(run: Run, what: string): Run {
    assert.equal(
      run.code,
      0,
      `${what} exited ${run.code}\n--- stdout\n${run.stdout}\n--- stderr\n${run.stderr}`,
    );
    assert.ok(!`${run.stdout}${run.stderr}`.includes(openaiApiKey), `${what} printed the OpenAI key`);
    assert.ok(!`${run.stdout}${run.stderr}`.includes(emu.apiKey), `${what} printed the Render key`);
    return run;
  }

  function figure(what: string, run: Run): void {
    const total = Object.values(run.calls).reduce((a, b) => a + b, 0);
    const byMethod = Object.entries(run.calls)
      .sort()
      .map(([method, n]) => `${method} ${n}`)
      .join(", ");
    figures.push(`${what}: ${(run.ms / 1000).toFixed(1)} s, ${total} API calls (${byMethod})`);
  }

  async function live(): Promise<{ databases: Named[]; services: Named[] }> {
    const databases = await api.mustRender<Array<{ postgres: Named }>>("GET", "/postgres?limit=100");
    const services = await api.mustRender<Array<{ service: Named }>>("GET", "/services?limit=100");
    return { databases: databases.map((d) => d.postgres), services: services.map((s) => s.service) };
  }

  const tagsOf = async (stackName: string): Promise<Record<string, string>> => {
    const engine = requireEngine();
    const child = spawn(
      engine.pulumiPath,
      ["stack", "tag", "ls", "--json", "--stack", stackName, "--non-interactive"],
      { cwd: project, env: { ...env, PATH: `${engine.binDir}${path.delimiter}${env.PATH ?? ""}` } },
    );
    let stdout = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    const code = await new Promise<number | null>((resolve) => child.once("close", resolve));
    assert.equal(code, 0, `pulumi stack tag ls --stack ${stackName} failed`);
    return JSON.parse(stdout) as Record<string, string>;
  };

  before(async () => {
    requireEngine();
    emu = await startEmulator({
      timings: "fast",
      ownerId: prod.plain["render:ownerId"],
      apiKey: `rnd_${randomBytes(16).toString("hex")}`,
    });
    api = new EmulatorApi(emu);
    work = fs.mkdtempSync(path.join(os.tmpdir(), "arrakis-preview-stack-"));
    project = copyProgram();
    // The checkout a workflow has: the production stack file is committed.
    fs.copyFileSync(path.join(repoRoot, "Pulumi.prod.yaml"), path.join(project, "Pulumi.prod.yaml"));
    fs.mkdirSync(path.join(work, "state"));
    const inherited: NodeJS.ProcessEnv = {};
    for (const [key, value] of Object.entries(process.env))
      if (!key.startsWith("PULUMI_") && !key.startsWith("ARRAKIS_")) inherited[key] = value;
    env = {
      ...inherited,
      // The user's Pulumi setup: a backend, a home and a passphrase of this test's own.
      PULUMI_BACKEND_URL: `file://${path.join(work, "state")}`,
      PULUMI_HOME: path.join(work, "pulumi-home"),
      PULUMI_CONFIG_PASSPHRASE: "arrakis-preview-tests",
      PULUMI_SKIP_UPDATE_CHECK: "true",
      ARRAKIS_PULUMI: "build",
      NO_COLOR: "1",
      RENDER_API_KEY: emu.apiKey,
      OPENAI_API_KEY: openaiApiKey,
      ...databaseTrustEnv(emu),
    };
  });

  after(async () => {
    if (figures.length) console.log(`      figures:\n${figures.map((f) => `        ${f}`).join("\n")}`);
    await emu?.close();
    if (work) fs.rmSync(work, { recursive: true, force: true });
    if (project) removeProgramCopy(project);
  });

  it("refuses a bad pull request number before anything runs", async () => {
    const run = await previewStack(["create", "--pr", "12abc"]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /--pr must be a pull request number such as 123 \(got "12abc"\)/);
    assert.deepEqual(run.calls, {});
  });

  it("create: its own database and service, cheapest plans, PR-numbered names, expiry, cost; deployed", async () => {
    const before = Date.now();
    const run = mustSucceed(await previewStack(["create", "--pr", "4242", "--ttl-hours", "48"]), "create");
    figure("create --pr 4242", run);
    assert.match(
      run.stdout,
      /monthly cost: \$12 \(database basic-256mb \$7, web service starter \$5; prices: /,
    );
    assert.match(run.stdout, /about \$0\.40 a day, at most \$0\.80 until it expires/);

    const { databases, services } = await live();
    assert.deepEqual(
      databases.map((d) => [d.name, d.plan, d.status]),
      [["arrakis-db-pr-4242", "basic_256mb", "available"]],
    );
    assert.deepEqual(
      services.map((s) => [s.name, s.serviceDetails?.plan]),
      [["arrakis-pr-4242", "starter"]],
    );
    const url = services[0].serviceDetails?.url as string;
    assert.match(
      run.stdout,
      new RegExp(`Preview stack pr-4242 is up in [0-9.]+ s: ${url.replace(/[.]/g, "\\.")}`),
    );
    await api.until("the preview's URL to answer 200", async () => {
      const response = await fetch(url);
      await response.arrayBuffer();
      return response.status === 200;
    });
    const envVars = await api.envVars(services[0].id);
    assert.equal(envVars.OPENAI_API_KEY, openaiApiKey);

    // The stack file: production's config, the preview's names, unprotected, secrets encrypted.
    const file = parse(fs.readFileSync(path.join(project, "Pulumi.pr-4242.yaml"), "utf8")) as {
      config: Record<string, unknown>;
    };
    const database = file.config["arrakis:database"] as Record<string, unknown>;
    assert.equal(database.protect, false);
    assert.equal(database.databaseName, "arrakis_pr_4242");
    assert.deepEqual(
      (file.config["arrakis:service"] as Record<string, unknown>).preDeployCommand,
      (prod.objects["arrakis:service"] as Record<string, unknown>).preDeployCommand,
    );
    assert.ok(!JSON.stringify(file).includes(openaiApiKey));

    const tags = await tagsOf("pr-4242");
    assert.equal(tags["arrakis:preview-pr"], "4242");
    const expires = Date.parse(tags["arrakis:expires-at"]);
    assert.ok(
      expires >= before + 48 * 3_600_000 && expires <= Date.now() + 48 * 3_600_000,
      tags["arrakis:expires-at"],
    );
  });

  it("sweep keeps a preview stack that has not expired", async () => {
    const run = mustSucceed(await previewStack(["sweep"]), "sweep");
    assert.match(run.stdout, /1 preview stack\(s\), 0 expired/);
    assert.equal((await live()).databases.length, 1);
  });

  it("destroy removes the stack, its database (protected in prod) and service: nothing left", async () => {
    const run = mustSucceed(await previewStack(["destroy", "--pr", "4242"]), "destroy");
    figure("destroy --pr 4242", run);
    assert.match(run.stdout, /Preview stack pr-4242 destroyed \(arrakis-db-pr-4242, arrakis-pr-4242\)/);
    assert.deepEqual(await live(), { databases: [], services: [] });
    assert.ok(!fs.existsSync(path.join(project, "Pulumi.pr-4242.yaml")), "the stack file is left");
    const again = mustSucceed(await previewStack(["destroy", "--pr", "4242"]), "destroy again");
    assert.match(again.stdout, /No preview stack pr-4242: nothing to destroy/);
    assert.deepEqual(again.calls, {});
  });

  it("sweep destroys a preview stack once its expiry has passed", async () => {
    const run = mustSucceed(await previewStack(["create", "--pr", "77", "--ttl-hours", "1"]), "create");
    figure("create --pr 77", run);
    assert.equal((await live()).services.length, 1);
    // The scheduled job runs on a fresh checkout: the stack file create wrote is not there.
    fs.rmSync(path.join(project, "Pulumi.pr-77.yaml"));
    const later = new Date(Date.now() + 2 * 3_600_000).toISOString();
    const sweep = mustSucceed(await previewStack(["sweep", "--now", later]), "sweep");
    figure("sweep (1 expired)", sweep);
    assert.match(sweep.stdout, /1 preview stack\(s\), 1 expired at .*: pr-77 \(/);
    assert.deepEqual(await live(), { databases: [], services: [] });
  });
});
