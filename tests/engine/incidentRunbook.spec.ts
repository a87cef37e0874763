/**
 * README's "Incident: restore production to a time", rehearsed as written (issue 23, item 6): the bash block is
 * read from README.md and each command typed into one shell, in the stack's project folder, on a stack made by
 * the real `pulumi up` against an emulator of this test's own, whose clock the test moves over hours. Only the
 * block's first two values (STACK, AT) are the test's, and the line the runbook says to paste is pasted from the
 * drill's output. Between commands, the test checks what each one did on Render and in the state.
 */
import { strict as assert } from "node:assert";
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
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
const stackName = "incident";
const passphrase = `incident-${randomBytes(8).toString("hex")}`;
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** The lines of README's runbook block (the bash block under "### Incident: restore production to a time"). */
export function runbookLines(readme: string): string[] {
  const section = readme.split(/^### Incident: restore production to a time$/m)[1];
  assert.ok(section, "README has no section 'Incident: restore production to a time'");
  const block = /```bash\n([\s\S]*?)```/.exec(section);
  assert.ok(block, "the runbook section has no bash block");
  return block[1].split("\n").filter((line) => line.trim() !== "");
}

/** One interactive bash, fed line by line; each command's output (stdout and stderr) and exit status. */
class Shell {
  private output = "";
  private readonly child: ChildProcessWithoutNullStreams;
  private seq = 0;

  constructor(cwd: string, env: NodeJS.ProcessEnv) {
    this.child = spawn("bash", ["--norc", "--noprofile"], { cwd, env, stdio: ["pipe", "pipe", "pipe"] });
    this.child.stdout.setEncoding("utf8").on("data", (chunk: string) => (this.output += chunk));
    this.child.stderr.setEncoding("utf8").on("data", (chunk: string) => (this.output += chunk));
  }

  /** Runs one line as typed; resolves with what it printed and its status. */
  async run(line: string, timeoutMs = 300_000): Promise<{ output: string; code: number }> {
    const marker = `__runbook_done_${++this.seq}__`;
    const start = this.output.length;
    this.child.stdin.write(`${line}\nprintf '\\n${marker} %s\\n' "$?" >&2\n`);
    const deadline = Date.now() + timeoutMs;
    const pattern = new RegExp(`\\n${marker} (\\d+)\\n`);
    for (;;) {
      const match = pattern.exec(this.output.slice(start));
      if (match) {
        const output = this.output.slice(start, start + match.index);
        return { output, code: Number(match[1]) };
      }
      assert.ok(Date.now() < deadline, `timed out running ${line}:\n${this.output.slice(start)}`);
      assert.equal(this.child.exitCode, null, `the shell ended running ${line}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  close(): void {
    this.child.stdin.end();
    this.child.kill();
  }
}

describe("engine: README's incident runbook, restore production to a time, command by command", function () {
  this.timeout(900_000);
  let emu: RunningEmulator;
  let api: EmulatorApi;
  let stack: PulumiStack | undefined;
  let shell: Shell | undefined;
  let oldId = "";
  let serviceId = "";
  let goodTime = "";

  const now = async () => Date.parse((await api.control<{ now: string }>("GET", "/clock")).body.now);
  const advance = (ms: number) => api.control("POST", "/clock", { advanceMs: ms });

  async function rows(id: string): Promise<string[]> {
    const info = await api.mustRender<{ externalConnectionString: string }>(
      "GET",
      `/postgres/${id}/connection-info`,
    );
    const db = new Client({ connectionString: info.externalConnectionString, ssl: { ca: emu.caCert } });
    await db.connect();
    try {
      return (await db.query<{ name: string }>("SELECT name FROM events ORDER BY name")).rows.map(
        (r) => r.name,
      );
    } finally {
      await db.end();
    }
  }

  async function sql(id: string, text: string): Promise<void> {
    const info = await api.mustRender<{ externalConnectionString: string }>(
      "GET",
      `/postgres/${id}/connection-info`,
    );
    const db = new Client({ connectionString: info.externalConnectionString, ssl: { ca: emu.caCert } });
    await db.connect();
    try {
      await db.query(text);
    } finally {
      await db.end();
    }
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
        secretConfig: { "render:apiKey": emu.apiKey, "arrakis:openaiApiKey": "sk-test-incident" },
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
    const outputs = await stack.outputs();
    oldId = outputs.databaseId as string;
    serviceId = outputs.serviceId as string;

    // Good data, hours, then the incident (the good row deleted, two bad ones written), an hour.
    await sql(oldId, "CREATE TABLE events (name text)");
    await sql(oldId, "INSERT INTO events VALUES ('good')");
    await advance(2 * HOUR);
    goodTime = new Date(await now()).toISOString();
    await advance(HOUR);
    await sql(oldId, "DELETE FROM events");
    await sql(oldId, "INSERT INTO events VALUES ('bad'), ('worse')");
    await advance(HOUR);

    // The shell of the person on call: the stack's Pulumi setup, the emulator's CA (README), the tools on PATH.
    const engine = requireEngine();
    const env: NodeJS.ProcessEnv = {};
    for (const [key, value] of Object.entries(process.env)) if (!key.startsWith("PULUMI_")) env[key] = value;
    Object.assign(env, {
      PATH: `${engine.binDir}${path.delimiter}${path.join(repoRoot, "node_modules", ".bin")}${path.delimiter}${process.env.PATH ?? ""}`,
      PULUMI_HOME: stack.pulumiHome,
      PULUMI_BACKEND_URL: stack.backendUrl,
      PULUMI_CONFIG_PASSPHRASE: passphrase,
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
      PULUMI_SKIP_UPDATE_CHECK: "true",
      ARRAKIS_PULUMI: "path",
      NO_COLOR: "1",
      ...databaseTrustEnv(emu),
    });
    shell = new Shell(stack.projectDir, env);
  });

  after(async () => {
    shell?.close();
    await stack?.cleanup();
    await emu?.close();
  });

  it("each command of the block, as written, does what the runbook says", async () => {
    const lines = runbookLines(fs.readFileSync(path.join(repoRoot, "README.md"), "utf8"));
    assert.match(lines[0], /^STACK=prod$/);
    assert.match(lines[1], /^AT=\S+$/);
    const transcript: string[] = [];
    let newId = "";
    let lastOutput = "";
    for (const [i, readmeLine] of lines.entries()) {
      // The test's stack and time; every other line as README has it.
      const line = i === 0 ? `STACK=${stackName}` : i === 1 ? `AT=${goodTime}` : readmeLine;
      if (line.startsWith("# Paste the last line")) {
        const pasted = lastOutput.trim().split("\n").pop() ?? "";
        assert.match(pasted, /^NEW_NAME=\S+-restore-\d{8}t\d{6}z NEW_ID=dpg-\S+ NEW_USER=\S+$/);
        newId = /NEW_ID=(\S+)/.exec(pasted)![1];
        transcript.push(`$ ${pasted}`);
        assert.equal((await shell!.run(pasted)).code, 0);
        continue;
      }
      if (line.startsWith("#")) continue;
      const started = Date.now();
      const { output, code } = await shell!.run(line);
      transcript.push(`$ ${line}   (${((Date.now() - started) / 1000).toFixed(1)} s)`);
      lastOutput = output;
      assert.equal(code, 0, `${line}\n${output}`);

      if (line.startsWith("npm run db:restore-drill")) {
        console.log(`\n--- ${line}\n${output}---`);
        assert.match(output, /public\.events\s+2\s+1\s+changed since then/);
        assert.match(output, /^Kept the restored database /m);
      } else if (line.startsWith("pulumi state delete")) {
        // Forgotten in the state only: both databases and the service live on Render.
        const resources = (await stack!.exportState()).deployment.resources ?? [];
        assert.deepEqual(
          resources.filter((r) => r.id === oldId || r.id === serviceId).map((r) => r.urn),
          [],
          "the old database and the service are out of the state",
        );
        assert.equal((await api.mustRender<{ id: string }>("GET", `/postgres/${oldId}`)).id, oldId);
        assert.equal((await api.mustRender<{ id: string }>("GET", `/services/${serviceId}`)).id, serviceId);
      } else if (line.startsWith("pulumi preview")) {
        console.log(`\n--- ${line}\n${output}---`);
        assert.match(output, new RegExp(`adopting database \\S+ \\(${newId}\\)`));
        assert.match(output, new RegExp(`adopting (web )?service \\S+ \\(${serviceId}\\)`));
      } else if (line.startsWith("pulumi up")) {
        const env = await api.envVars(serviceId);
        const info = await api.mustRender<{ internalConnectionString: string }>(
          "GET",
          `/postgres/${newId}/connection-info`,
        );
        assert.equal(env.DATABASE_URL, info.internalConnectionString);
        assert.equal(env.DIRECT_URL, info.internalConnectionString);
        assert.match(output, /deploy dep-\S+ of service .* is live/);
      } else if (line.startsWith("pulumi stack output databaseId")) {
        assert.equal(output.trim(), newId);
      } else if (line.startsWith("npm run drift")) {
        assert.match(output, /No drift on stack incident/);
      } else if (line.includes("curl")) {
        const gone = await api.render("GET", `/postgres/${oldId}`);
        assert.equal(gone.status, 404, "the old database is deleted");
      }
    }
    console.log(`\n--- the runbook as run\n${transcript.join("\n")}\n---`);
    // The service serves from the restored database: the good row, not the bad one.
    assert.deepEqual(await rows(newId), ["good"]);
    assert.ok(newId && newId !== oldId);
  });
});
