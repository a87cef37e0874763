/**
 * `npm run db:restore-drill` as a user types it (issue 23, item 3), on a stack made by the real `pulumi up`
 * against an emulator of this test's own, over emulated hours (the test moves the emulator's clock, as hours
 * pass on Render):
 * - a drill without --at waits (with progress) until its census time is restorable and recovers; killed with
 *   `kill -9` once its database exists, it leaves it (billed, on Render); the next drill says it removes it,
 *   and restores a time between two writes: the first row, not the second;
 * - an unknown stack: a clear error, nothing written.
 * The exact comparison of a drill without --at, Ctrl-C and bad --at values are in the in-process test.
 * Afterwards, no drill database is left. The logic's other cases are in tests/tools/restoreDrill.spec.ts.
 */
import { strict as assert } from "node:assert";
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as path from "node:path";
import { Client } from "pg";
import { databaseTrustEnv, type RunningEmulator } from "../../emulator";
import { requireEngine } from "../../tools/pulumi-engine/locate";
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
const stackName = "drill";
const passphrase = `drill-${randomBytes(8).toString("hex")}`;
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

interface Run {
  child: ChildProcess;
  stdout: string;
  stderr: string;
  done: Promise<number | null>;
}

describe("engine: npm run db:restore-drill on a stack, over emulated hours", function () {
  this.timeout(600_000);
  let emu: RunningEmulator;
  let api: EmulatorApi;
  let stack: PulumiStack | undefined;
  let databaseId = "";
  let databaseName = "";
  let firstWriteAt = 0;

  /** `npm run --silent db:restore-drill -- <args>` with the stack's Pulumi setup, in a process group of its own. */
  function drill(args: string[]): Run {
    const engine = requireEngine();
    const env: NodeJS.ProcessEnv = {};
    for (const [key, value] of Object.entries(process.env)) if (!key.startsWith("PULUMI_")) env[key] = value;
    Object.assign(env, {
      PATH: `${engine.binDir}${path.delimiter}${process.env.PATH ?? ""}`,
      PULUMI_HOME: stack!.pulumiHome,
      PULUMI_BACKEND_URL: stack!.backendUrl,
      PULUMI_CONFIG_PASSPHRASE: passphrase,
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
      ARRAKIS_PULUMI: "path",
      NO_COLOR: "1",
      // The emulator's CA, as a user of the emulator sets it (README).
      ...databaseTrustEnv(emu),
    });
    const child = spawn(
      "npm",
      ["run", "--silent", "db:restore-drill", "--", ...args, "--cwd", stack!.projectDir],
      { cwd: repoRoot, env, stdio: ["ignore", "pipe", "pipe"], detached: true },
    );
    const run: Run = { child, stdout: "", stderr: "", done: Promise.resolve(null) };
    child.stdout!.setEncoding("utf8").on("data", (chunk: string) => (run.stdout += chunk));
    child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (run.stderr += chunk));
    run.done = new Promise((resolve, reject) => {
      child.once("error", reject);
      child.once("close", resolve);
    });
    return run;
  }
  const shown = (r: Run, code: number | null) =>
    `exit ${code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
  const now = async () => Date.parse((await api.control<{ now: string }>("GET", "/clock")).body.now);
  const advance = (ms: number) => api.control("POST", "/clock", { advanceMs: ms });
  const drillDatabases = async () =>
    (await api.mustRender<Array<{ postgres: { id: string; name: string } }>>("GET", "/postgres?limit=100"))
      .map((p) => p.postgres)
      .filter((p) => p.name.startsWith(`${databaseName}-drill-`));

  async function sql(text: string): Promise<void> {
    const info = await api.mustRender<{ externalConnectionString: string }>(
      "GET",
      `/postgres/${databaseId}/connection-info`,
    );
    const db = new Client({ connectionString: info.externalConnectionString, ssl: { ca: emu.caCert } });
    await db.connect();
    try {
      await db.query(text);
    } finally {
      await db.end();
    }
  }

  /** Resolves once `run`'s stderr matches (or fails when it ends first). */
  async function stderrMatch(run: Run, pattern: RegExp): Promise<void> {
    let ended = false;
    void run.done.then(() => (ended = true));
    await api.until(
      `stderr ${pattern}`,
      async () => {
        if (pattern.test(run.stderr)) return true;
        assert.ok(!ended, `the drill ended before ${pattern}:\n${run.stderr}\n${run.stdout}`);
        return false;
      },
      120_000,
    );
  }

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
        secretConfig: { "render:apiKey": emu.apiKey, "arrakis:openaiApiKey": "sk-test-drill" },
      });
    } finally {
      removeProgramCopy(programDir);
    }
    writeObjectConfig(stack, {
      "arrakis:database": local.objects["arrakis:database"],
      "arrakis:service": local.objects["arrakis:service"],
      "arrakis:deploy": { ...local.objects["arrakis:deploy"], pollIntervalMs: 200 },
    });
    const up = await stack.up([], { timeoutMs: 600_000 });
    assert.equal(up.code, 0, `${up.stdout}\n${up.stderr}`);
    databaseId = (await stack.outputs()).databaseId as string;
    databaseName = (await api.mustRender<{ name: string }>("GET", `/postgres/${databaseId}`)).name;

    // A database written over hours: a first row, hours, a second row, hours.
    await sql("CREATE TABLE events (name text)");
    await sql("INSERT INTO events VALUES ('first')");
    firstWriteAt = await now();
    await advance(2 * HOUR);
    await sql("INSERT INTO events VALUES ('second')");
    await advance(2 * HOUR);
  });

  after(async () => {
    await stack?.cleanup();
    await emu?.close();
  });

  it("a drill killed with kill -9 leaves its database; the next drill removes it and restores a time between two writes", async () => {
    // Without --at: a census now, then the wait for it to be restorable (ten minutes and a half pass on
    // Render), the recovery, and a kill -9 once the drill database exists.
    const killed = drill(["--stack", stackName]);
    await stderrMatch(killed, /^Waiting for .* to enter the recovery window .*: 10 min \d\d s left$/m);
    await advance(11 * MINUTE);
    await stderrMatch(killed, /^Created \S+-drill-\S+ \(dpg-/m);
    process.kill(-killed.child.pid!, "SIGKILL");
    await killed.done;
    const left = await drillDatabases();
    assert.equal(left.length, 1, `the killed drill's database: ${JSON.stringify(left)}`);

    const at = new Date(firstWriteAt + 90 * MINUTE).toISOString();
    const next = drill(["--stack", stackName, "--at", at]);
    const code = await next.done;
    console.log(
      `\n--- npm run db:restore-drill -- --stack ${stackName} --at ${at} (exit ${code})\n${next.stdout}---`,
    );
    assert.equal(code, 0, shown(next, code));
    const lines = next.stdout.split("\n");
    assert.match(lines[0], /^Cost: the drill database is a new basic_256mb database, billed while it exists/);
    assert.equal(
      lines[1],
      `Removed 1 drill database(s) left by an earlier, interrupted drill: ${left[0].id}.`,
    );
    // Between the two writes: the first row, not the second (the source has both now).
    assert.match(next.stdout, /public\.events\s+2\s+1\s+changed since then\n/);
    assert.match(next.stdout, /Drill passed: .* restores to .* 1 table\(s\) changed since then\./);
    assert.deepEqual(await drillDatabases(), []);
  });

  it("an unknown stack: exit 1, a clear error, nothing written", async () => {
    await api.control("DELETE", "/requests");
    const unknown = drill(["--stack", "nosuch"]);
    const code = await unknown.done;
    assert.equal(code, 1, shown(unknown, code));
    assert.match(unknown.stderr, /unknown stack "nosuch"/);
    const writes = (await api.requests()).filter((r) => r.method !== "GET");
    assert.deepEqual(writes, []);
  });
});
