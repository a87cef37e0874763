/**
 * The stack tools through the real `pulumi` CLI against the emulator, run as a user types them
 * (`npm run --silent drift|dev-env -- …`):
 *
 * On stack `dev` (the local stack's config on an emulator of this test's own), with the stack's Pulumi
 * setup in the environment, as for any stack but `local`:
 * - `npm run drift` (issue 19, item 2): clean → exit 0; three dashboard-style changes at once (database
 *   plan, an env var added, service plan) → exit 2 and a report listing exactly those, no value of an
 *   env var nor any secret, and nothing written (no API write, the state as it was); a bad API key →
 *   exit 1 with Render's refusal.
 * - `npm run dev-env` (item 4): placeholders without `--reveal`; with it, a DATABASE_URL that connects
 *   (psql, sslmode=require), the stack's OpenAI key, a NEXTAUTH_SECRET that is not production's; `--out`
 *   refuses a file git tracks.
 *
 * On stack `local` (issue 22, item 8), from a plain shell in a copy of the project: no emulator running,
 * no Pulumi variable set; `npm run local` makes the stack, then `drift`, `dev-env` and `preview-stack`
 * with `--stack local` use its state and start and stop its emulator themselves (or use the one running).
 *
 * The `it`s build on each other.
 */
import { strict as assert } from "node:assert";
import { execFile, spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { databaseTrustEnv, startEmulator, type RunningEmulator } from "../../emulator";
import { requireEngine } from "../../tools/pulumi-engine/locate";
import { devEnvText, withSslmodeRequire } from "../../tools/devEnvFormat";
import type { DriftReport } from "../../tools/driftReport";
import { PulumiStack } from "../../tools/harness/pulumiCli";
import {
  EmulatorApi,
  copyProgram,
  readStackFile,
  removeProgramCopy,
  startLocalEmulator,
  writeObjectConfig,
} from "../../tools/harness/stackHelpers";

const repoRoot = path.resolve(__dirname, "..", "..");
const local = readStackFile();
/** Any stack but `local`: the tools run it with the caller's Pulumi setup. */
const stackName = "dev";
const passphrase = `drift-${randomBytes(8).toString("hex")}`;
// Distinct per run, so finding one in an output means it leaked from this run.
const openaiApiKey = `sk-test-${randomBytes(12).toString("hex")}`;
const extraFlagValue = `dashboard-value-${randomBytes(8).toString("hex")}`;

interface ToolResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

describe("engine: npm run drift and npm run dev-env on a stack of the caller's Pulumi setup", function () {
  this.timeout(600_000);
  let emu: RunningEmulator;
  let api: EmulatorApi;
  let stack: PulumiStack | undefined;
  let databaseId = "";
  let serviceId = "";
  const seen: ToolResult[] = [];

  /** `npm run --silent <script> -- <args>` with the stack's Pulumi setup, as a user would run it. */
  async function tool(script: string, args: string[]): Promise<ToolResult> {
    const engine = requireEngine();
    const env: NodeJS.ProcessEnv = {};
    for (const [key, value] of Object.entries(process.env)) if (!key.startsWith("PULUMI_")) env[key] = value;
    Object.assign(env, {
      PATH: `${engine.binDir}${path.delimiter}${process.env.PATH ?? ""}`,
      PULUMI_HOME: stack!.pulumiHome,
      PULUMI_BACKEND_URL: stack!.backendUrl,
      PULUMI_CONFIG_PASSPHRASE: passphrase,
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
      // The built engine is first on PATH: the tools must choose it as they would a user's install.
      ARRAKIS_PULUMI: "path",
      NO_COLOR: "1",
      ...databaseTrustEnv(emu),
    });
    // Asynchronously: the emulator answers the CLI's providers from this very process.
    const child = spawn("npm", ["run", "--silent", script, "--", ...args, "--cwd", stack!.projectDir], {
      cwd: repoRoot,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once("error", reject);
      child.once("close", resolve);
    });
    const result = { code, stdout, stderr };
    seen.push(result);
    return result;
  }

  const shown = (r: ToolResult) => `exit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
  const writes = async () =>
    (await api.requests()).filter((r) => r.method !== "GET").map((r) => `${r.method} ${r.path}`);
  const resources = async () => JSON.stringify((await stack!.exportState()).deployment.resources);

  before(async () => {
    requireEngine();
    emu = await startLocalEmulator();
    api = new EmulatorApi(emu);
    const programDir = copyProgram();
    try {
      stack = await PulumiStack.create({
        programDir,
        stackName,
        passphrase,
        env: databaseTrustEnv(emu),
        config: { ...local.plain, "render:apiUrl": emu.url, "render:ownerId": emu.ownerId },
        secretConfig: { "render:apiKey": emu.apiKey, "arrakis:openaiApiKey": openaiApiKey },
      });
    } finally {
      removeProgramCopy(programDir);
    }
    writeObjectConfig(stack, {
      "arrakis:database": local.objects["arrakis:database"],
      "arrakis:service": local.objects["arrakis:service"],
      "arrakis:deploy": { ...local.objects["arrakis:deploy"], pollIntervalMs: 200 },
    });
    const up = await stack.up();
    assert.equal(up.code, 0, `${up.stdout}\n${up.stderr}`);
    const outputs = await stack.outputs();
    databaseId = outputs.databaseId as string;
    serviceId = outputs.serviceId as string;
  });

  after(async () => {
    await stack?.cleanup();
    await emu?.close();
  });

  describe("npm run drift", () => {
    let total = 0;

    it("a stack as the program wants it: exit 0, one line", async () => {
      const result = await tool("drift", ["--stack", stackName]);
      assert.equal(result.code, 0, shown(result));
      const match = new RegExp(
        `^No drift on stack ${stackName}: all (\\d+) resources are as the program wants them\\.\n$`,
      ).exec(result.stdout);
      assert.ok(match, shown(result));
      total = Number(match[1]);
      assert.ok(total >= 5, shown(result));
    });

    it("three dashboard changes at once: exit 2, a report of exactly those, nothing written", async () => {
      await api.mustRender("PATCH", `/postgres/${databaseId}`, { plan: "basic_1gb" });
      await api.mustRender("PUT", `/services/${serviceId}/env-vars/EXTRA_FLAG`, { value: extraFlagValue });
      await api.mustRender("PATCH", `/services/${serviceId}`, { serviceDetails: { plan: "standard" } });
      const stateBefore = await resources();
      assert.ok([200, 204].includes((await api.control("DELETE", "/requests")).status));

      const result = await tool("drift", ["--stack", stackName]);
      // For the closing note: the report as a person sees it.
      console.log(`\n--- npm run drift -- --stack ${stackName} (exit ${result.code})\n${result.stdout}---`);
      assert.equal(result.code, 2, shown(result));
      assert.equal(
        result.stdout,
        [
          `Drift on stack ${stackName}: 2 of ${total} resources differ from the program (live on Render vs wanted).`,
          "",
          `~ arrakis-db  render:Postgres  ${databaseId}`,
          "    field   live          wanted",
          '    plan    "basic_1gb"   "basic_256mb"',
          "",
          `~ arrakis-web  render:WebService  ${serviceId}`,
          "    field                live         wanted",
          "    envVars.EXTRA_FLAG   [secret]     (not set)   set outside Pulumi",
          '    plan                 "standard"   "starter"',
          "",
          `\`pulumi preview --diff --stack ${stackName}\` shows the same; \`pulumi up --stack ${stackName}\` puts the wanted values back.`,
          "",
        ].join("\n"),
      );

      const json = await tool("drift", ["--stack", stackName, "--json"]);
      assert.equal(json.code, 2, shown(json));
      const report = JSON.parse(json.stdout) as DriftReport;
      assert.equal(report.status, "drift");
      assert.deepEqual(
        Object.fromEntries(report.resources.map((r) => [r.name, r.fields.map((f) => f.field)])),
        { "arrakis-db": ["plan"], "arrakis-web": ["envVars.EXTRA_FLAG", "plan"] },
      );
      assert.equal(report.unchanged, total - 2);

      // Refreshed and compared, nothing changed: no write to Render, the state as it was.
      assert.deepEqual(await writes(), []);
      assert.equal(await resources(), stateBefore);
      const db = await api.mustRender<{ plan: string }>("GET", `/postgres/${databaseId}`);
      assert.equal(db.plan, "basic_1gb");
    });

    it("a bad API key: exit 1, Render's refusal on stderr, no report", async () => {
      await stack!.setConfig("render:apiKey", `rnd_${randomBytes(16).toString("hex")}`, { secret: true });
      try {
        const result = await tool("drift", ["--stack", stackName]);
        assert.equal(result.code, 1, shown(result));
        assert.equal(result.stdout, "");
        assert.match(
          result.stderr,
          new RegExp(
            `^Drift check of stack ${stackName} failed:\n {2}.*Render rejected the API key \\(401`,
            "m",
          ),
        );
        const json = await tool("drift", ["--stack", stackName, "--json"]);
        assert.equal(json.code, 1, shown(json));
        const doc = JSON.parse(json.stdout) as { status: string; errors: string[] };
        assert.equal(doc.status, "error");
        assert.match(doc.errors.join("\n"), /Render rejected the API key/);
      } finally {
        await stack!.setConfig("render:apiKey", emu.apiKey, { secret: true });
      }
    });

    it("an unknown stack or flag: exit 1", async () => {
      const noStack = await tool("drift", ["--stack", "nosuch"]);
      assert.equal(noStack.code, 1, shown(noStack));
      assert.match(noStack.stderr, /nosuch/);
      const badFlag = await tool("drift", ["--stack", stackName, "--yes"]);
      assert.equal(badFlag.code, 1, shown(badFlag));
      assert.match(
        badFlag.stderr,
        /unknown argument "--yes"; allowed: --stack <value>, --cwd <value>, --json/,
      );
    });
  });

  describe("npm run dev-env", () => {
    it("without --reveal: the seed's settings, every secret a placeholder", async () => {
      const result = await tool("dev-env", ["--stack", stackName]);
      assert.equal(result.code, 0, shown(result));
      assert.equal(result.stdout, devEnvText(stackName));
    });

    it("--reveal: a DATABASE_URL that connects with sslmode=require, the stack's OpenAI key, a fresh NEXTAUTH_SECRET", async () => {
      const result = await tool("dev-env", ["--stack", stackName, "--reveal"]);
      assert.equal(result.code, 0, shown(result));
      const values = Object.fromEntries(
        result.stdout
          .split("\n")
          .filter((line) => /^[A-Z_]+=/.test(line))
          .map((line) => {
            const [, key, value] = /^([A-Z_]+)="(.*)"$/.exec(line) ?? [];
            return [key, value];
          }),
      );
      const info = await api.mustRender<{ externalConnectionString: string }>(
        "GET",
        `/postgres/${databaseId}/connection-info`,
      );
      const live = await api.envVars(serviceId);
      const url = withSslmodeRequire(info.externalConnectionString);
      assert.match(url, /[?&]sslmode=require$/);
      assert.deepEqual(Object.keys(values), [
        "DATABASE_URL",
        "DIRECT_URL",
        "NODE_ENV",
        "PORT",
        "NEXTAUTH_SECRET",
        "NEXTAUTH_URL",
        "OPENAI_API_KEY",
      ]);
      assert.equal(values.DATABASE_URL, url);
      assert.equal(values.DIRECT_URL, url);
      assert.equal(values.NODE_ENV, "development");
      assert.equal(values.PORT, "3000");
      assert.equal(values.NEXTAUTH_URL, "http://localhost:3000");
      assert.equal(values.OPENAI_API_KEY, openaiApiKey);
      assert.match(values.NEXTAUTH_SECRET, /^[A-Za-z0-9+/]{43}=$/);
      assert.notEqual(values.NEXTAUTH_SECRET, live.NEXTAUTH_SECRET);

      // The URL is one a developer's tools connect with: psql, sslmode=require (encrypted, as Render wants).
      // Asynchronously: the emulator's database server runs in this very process.
      const psql = await new Promise<{ code: number | null; stdout: string; stderr: string } | undefined>(
        (resolve) => {
          const child = execFile(
            "psql",
            [url, "-At", "-c", "select current_database()", "-c", "\\conninfo"],
            { encoding: "utf8", env: { ...process.env, PGSSLROOTCERT: "", PGCONNECT_TIMEOUT: "20" } },
            (err, stdout, stderr) => {
              if (err && (err as NodeJS.ErrnoException).code === "ENOENT") resolve(undefined);
              else resolve({ code: child.exitCode, stdout, stderr });
            },
          );
        },
      );
      if (!psql) console.log("(psql not found: the connection is not tried)");
      else {
        assert.equal(psql.code, 0, psql.stderr);
        assert.match(psql.stdout, /^arrakis_local\w*\n/);
        assert.match(psql.stdout, /SSL connection \(protocol: TLS|^SSL Connection\s*\|\s*true/m);
      }
    });

    it("--out writes an owner-only file, and refuses one git tracks, which stays as it was", async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "arrakis-dev-env-"));
      try {
        const file = path.join(dir, ".env.local");
        const written = await tool("dev-env", ["--stack", stackName, "--out", file]);
        assert.equal(written.code, 0, shown(written));
        assert.equal(written.stdout, "");
        assert.equal(fs.readFileSync(file, "utf8"), devEnvText(stackName));
        assert.equal(fs.statSync(file).mode & 0o777, 0o600);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
      const readme = path.join(repoRoot, "README.md");
      const hash = () => createHash("sha256").update(fs.readFileSync(readme)).digest("hex");
      const before = hash();
      const refused = await tool("dev-env", ["--stack", stackName, "--reveal", "--out", readme]);
      assert.equal(refused.code, 1, shown(refused));
      assert.match(refused.stderr, /README\.md is tracked by git: refusing to write secrets into it/);
      assert.equal(hash(), before);
    });
  });

  // In a describe of its own: mocha runs a suite's own `it`s before its nested suites.
  describe("afterwards", () => {
    it("no tool printed a secret: not the API key, the OpenAI key, a dashboard value or the database password", async () => {
      const info = await api.mustRender<{ password: string }>(
        "GET",
        `/postgres/${databaseId}/connection-info`,
      );
      const live = await api.envVars(serviceId);
      const revealedRun = seen.find((r) => r.stdout.includes("--reveal)"));
      for (const [what, value] of Object.entries({
        "the API key": emu.apiKey,
        "the EXTRA_FLAG value": extraFlagValue,
        NEXTAUTH_SECRET: live.NEXTAUTH_SECRET,
        "the OpenAI key": openaiApiKey,
        "the database password": info.password,
      }))
        for (const result of seen) {
          // Only `dev-env --reveal` prints the OpenAI key and the password, on purpose, to stdout.
          const allowed =
            result === revealedRun && ["the OpenAI key", "the database password"].includes(what);
          if (allowed) continue;
          assert.ok(
            !result.stdout.includes(value) && !result.stderr.includes(value),
            `${what} in ${shown(result)}`,
          );
        }
    });
  });
});

describe("engine: npm run drift, dev-env and preview-stack with --stack local, from a plain shell", function () {
  this.timeout(900_000);
  let project = "";
  let port = 0;
  let emu: RunningEmulator | undefined;
  const stateFile = () => path.join(project, ".local", "emulator", "state.json");

  /** A port nothing listens on now: the copy's local stack gets it, so no developer's emulator is touched. */
  async function freePort(): Promise<number> {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port: free } = server.address() as net.AddressInfo;
    await new Promise((resolve) => server.close(resolve));
    return free;
  }

  /** True when something accepts connections on the local stack's port. */
  function listening(): Promise<boolean> {
    return new Promise((resolve) => {
      const socket = net.connect(port, "127.0.0.1");
      socket.once("connect", () => (socket.destroy(), resolve(true)));
      socket.once("error", () => resolve(false));
    });
  }

  /** Processes whose working folder is the project copy (a tool, its emulator, pulumi and its plugins). */
  function processesInProject(): string[] {
    if (!fs.existsSync("/proc/self/cwd")) return [];
    const found: string[] = [];
    for (const pid of fs.readdirSync("/proc").filter((entry) => /^\d+$/.test(entry)))
      try {
        const cwd = fs.readlinkSync(`/proc/${pid}/cwd`);
        if (cwd === project || cwd.startsWith(`${project}/`))
          found.push(`${pid} ${fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ")}`);
      } catch {
        // gone meanwhile, or not ours to read
      }
    return found;
  }

  /** No emulator answers on the port, and no process of the tool is left (its plugins end with pulumi). */
  async function nothingLeft(what: string): Promise<void> {
    assert.equal(await listening(), false, `${what} left something listening on port ${port}`);
    const deadline = Date.now() + 10_000;
    let left = processesInProject();
    while (left.length) {
      if (Date.now() > deadline) assert.fail(`${what} left processes in the project:\n${left.join("\n")}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
      left = processesInProject();
    }
  }

  /** What a user's plain shell does not have: Pulumi's variables, the emulator's CA, a Render key. */
  const setUp =
    /^(PULUMI_|ARRAKIS_PULUMI$|EMULATOR_|PG|NODE_EXTRA_CA_CERTS$|RENDER_API_KEY$|OPENAI_API_KEY$)/;

  /**
   * `npm run --silent <script> -- <args>` in the project copy, as a user types it in a plain shell: no
   * PULUMI_* variable, no CA, no Render key; the engine the tests use (ARRAKIS_PULUMI=build, warm: < 1 s).
   */
  async function run(script: string, args: string[]): Promise<ToolResult> {
    const env: NodeJS.ProcessEnv = {};
    for (const [key, value] of Object.entries(process.env)) if (!setUp.test(key)) env[key] = value;
    Object.assign(env, {
      ARRAKIS_PULUMI: "build",
      // A checkout has ../shared beside it, the copy in a temp folder does not: the same sources, so the
      // engine's stamp matches and build.sh only checks.
      ARRAKIS_VENDOR_DIR: path.resolve(repoRoot, "..", "shared", "vendor"),
      NO_COLOR: "1",
    });
    const child = spawn("npm", ["run", "--silent", script, ...(args.length ? ["--", ...args] : [])], {
      cwd: project,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once("error", reject);
      child.once("close", resolve);
    });
    return { code, stdout, stderr };
  }
  const shown = (r: ToolResult) => `exit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
  const startedLine = () =>
    `Render API emulator: http://127.0.0.1:${port}/v1 (state in .local/emulator, timings fast)`;

  before(async () => {
    requireEngine();
    project = copyProgram();
    port = await freePort();
    const localFile = fs.readFileSync(path.join(repoRoot, "Pulumi.local.yaml"), "utf8");
    assert.match(localFile, /render:apiUrl: http:\/\/127\.0\.0\.1:10000\/v1/);
    fs.writeFileSync(
      path.join(project, "Pulumi.local.yaml"),
      localFile.replace("127.0.0.1:10000", `127.0.0.1:${port}`),
    );
    fs.copyFileSync(path.join(repoRoot, "Pulumi.prod.yaml"), path.join(project, "Pulumi.prod.yaml"));
    const up = await run("local", []);
    assert.equal(up.code, 0, shown(up));
    assert.ok(up.stderr.includes(startedLine()), shown(up));
    await nothingLeft("npm run local");
  });

  after(async () => {
    await emu?.close();
    if (project) removeProgramCopy(project);
  });

  it("drift: starts the emulator on the local state, finds no drift, stops it", async () => {
    const result = await run("drift", ["--stack", "local"]);
    assert.equal(result.code, 0, shown(result));
    assert.match(
      result.stdout,
      /^No drift on stack local: all \d+ resources are as the program wants them\.\n$/,
    );
    assert.ok(result.stderr.includes(startedLine()), shown(result));
    await nothingLeft("npm run drift");
  });

  it("dev-env: reads the local state (no emulator needed), the local stack's database URL", async () => {
    const result = await run("dev-env", ["--stack", "local", "--reveal"]);
    assert.equal(result.code, 0, shown(result));
    assert.match(
      result.stdout,
      /^DATABASE_URL="postgresql:\/\/arrakis_local_user:[^@"]+@127\.0\.0\.1:\d+\/arrakis_local\w*\?sslmode=require"$/m,
    );
    assert.ok(!result.stderr.includes("Render API emulator"), shown(result));
    await nothingLeft("npm run dev-env");
  });

  it("preview-stack: creates a preview stack beside the local stack, on its emulator", async () => {
    const created = await run("preview-stack", ["create", "--pr", "7", "--stack", "local"]);
    assert.equal(created.code, 0, shown(created));
    assert.match(
      created.stdout,
      /Preview stack pr-7 is up in [0-9.]+ s: http:\/\/127\.0\.0\.1:\d+\/_services\/arrakis-pr-7/,
    );
    assert.ok(created.stderr.includes(startedLine()), shown(created));
    await nothingLeft("npm run preview-stack create");
    // In the local stack's backend, and in its emulator's persisted state.
    const stacks = fs
      .readdirSync(path.join(project, ".local", "state", ".pulumi", "stacks"), { recursive: true })
      .map(String)
      .filter((file) => file.endsWith(".json"));
    assert.deepEqual(stacks.map((file) => path.basename(file)).sort(), ["local.json", "pr-7.json"]);
    assert.ok(fs.readFileSync(stateFile(), "utf8").includes('"arrakis-db-pr-7"'));
  });

  it("an emulator already running on the local state is used and left running; another is refused", async () => {
    const settings = readStackFile(path.join(project, "Pulumi.local.yaml")).plain;
    emu = await startEmulator({
      port,
      apiKey: settings["render:apiKey"],
      ownerId: settings["render:ownerId"],
      stateDir: path.join(project, ".local", "emulator"),
      timings: "fast",
    });
    const result = await run("drift", ["--stack", "local"]);
    assert.equal(result.code, 0, shown(result));
    assert.match(
      result.stderr,
      /Render API emulator: .* \(already running, with its state in \.local\/emulator: left running\)/,
    );
    assert.equal(await listening(), true);
    const answered = await new EmulatorApi(emu).requests();
    assert.ok(
      answered.some((r) => r.path.includes("/postgres/")),
      "the tool did not use it",
    );
    await emu.close();

    // One with another state (or another key) is not the local stack's: an error naming it, nothing run.
    emu = await startEmulator({ port, timings: "fast" });
    const refused = await run("drift", ["--stack", "local"]);
    assert.equal(refused.code, 1, shown(refused));
    assert.match(
      refused.stderr,
      new RegExp(
        `127\\.0\\.0\\.1:${port}/v1 .* is taken, but not by the local stack's emulator: it answered 401`,
      ),
    );
    await emu.close();
    emu = undefined;
  });
});
