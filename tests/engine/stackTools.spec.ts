/**
 * The stack tools on the local stack, through the real `pulumi` CLI against the emulator, run as a user
 * types them (`npm run --silent drift|dev-env -- …`) with the stack's Pulumi setup in the environment:
 *
 * - `npm run drift` (issue 19, item 2): clean → exit 0; three dashboard-style changes at once (database
 *   plan, an env var added, service plan) → exit 2 and a report listing exactly those, no value of an
 *   env var nor any secret, and nothing written (no API write, the state as it was); a bad API key →
 *   exit 1 with Render's refusal.
 * - `npm run dev-env` (item 4): placeholders without `--reveal`; with it, a DATABASE_URL that connects
 *   (psql, sslmode=require), the stack's OpenAI key, a NEXTAUTH_SECRET that is not production's; `--out`
 *   refuses a file git tracks.
 *
 * The `it`s build on each other.
 */
import { strict as assert } from "node:assert";
import { execFile, spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { databaseTrustEnv, type RunningEmulator } from "../../emulator";
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
} from "./stackHelpers";

const repoRoot = path.resolve(__dirname, "..", "..");
const local = readStackFile();
const passphrase = `drift-${randomBytes(8).toString("hex")}`;
// Distinct per run, so finding one in an output means it leaked from this run.
const openaiApiKey = `sk-test-${randomBytes(12).toString("hex")}`;
const extraFlagValue = `dashboard-value-${randomBytes(8).toString("hex")}`;

interface ToolResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

describe("engine: npm run drift and npm run dev-env on the local stack", function () {
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
        stackName: "local",
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
      const result = await tool("drift", ["--stack", "local"]);
      assert.equal(result.code, 0, shown(result));
      const match = /^No drift on stack local: all (\d+) resources are as the program wants them\.\n$/.exec(
        result.stdout,
      );
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

      const result = await tool("drift", ["--stack", "local"]);
      // For the closing note: the report as a person sees it.
      console.log(`\n--- npm run drift -- --stack local (exit ${result.code})\n${result.stdout}---`);
      assert.equal(result.code, 2, shown(result));
      assert.equal(
        result.stdout,
        [
          `Drift on stack local: 2 of ${total} resources differ from the program (live on Render vs wanted).`,
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
          "`pulumi preview --diff --stack local` shows the same; `pulumi up --stack local` puts the wanted values back.",
          "",
        ].join("\n"),
      );

      const json = await tool("drift", ["--stack", "local", "--json"]);
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
        const result = await tool("drift", ["--stack", "local"]);
        assert.equal(result.code, 1, shown(result));
        assert.equal(result.stdout, "");
        assert.match(
          result.stderr,
          /^Drift check of stack local failed:\n {2}.*Render rejected the API key \(401/m,
        );
        const json = await tool("drift", ["--stack", "local", "--json"]);
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
      const badFlag = await tool("drift", ["--stack", "local", "--yes"]);
      assert.equal(badFlag.code, 1, shown(badFlag));
      assert.match(
        badFlag.stderr,
        /unknown argument "--yes"; allowed: --stack <value>, --cwd <value>, --json/,
      );
    });
  });

  describe("npm run dev-env", () => {
    it("without --reveal: the seed's settings, every secret a placeholder", async () => {
      const result = await tool("dev-env", ["--stack", "local"]);
      assert.equal(result.code, 0, shown(result));
      assert.equal(result.stdout, devEnvText("local"));
    });

    it("--reveal: a DATABASE_URL that connects with sslmode=require, the stack's OpenAI key, a fresh NEXTAUTH_SECRET", async () => {
      const result = await tool("dev-env", ["--stack", "local", "--reveal"]);
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
        const written = await tool("dev-env", ["--stack", "local", "--out", file]);
        assert.equal(written.code, 0, shown(written));
        assert.equal(written.stdout, "");
        assert.equal(fs.readFileSync(file, "utf8"), devEnvText("local"));
        assert.equal(fs.statSync(file).mode & 0o777, 0o600);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
      const readme = path.join(repoRoot, "README.md");
      const hash = () => createHash("sha256").update(fs.readFileSync(readme)).digest("hex");
      const before = hash();
      const refused = await tool("dev-env", ["--stack", "local", "--reveal", "--out", readme]);
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
