/**
 * The database's safety net (issue 23) as a user types it, on ONE stack of the arrakis program made by the real
 * `pulumi up` against an emulator of this test's own, whose clock the test moves over hours (as hours pass on
 * Render). Its database holds a table written before everything (`notes`) and one written over hours (`events`:
 * a first row, two hours, a second row, two hours). In order:
 * - `npm run db:backup` (item 2): the backup round trip, a row written before the export is in the downloaded
 *   file and in a database restored from it with pg_restore; an unknown stack and an `--out` inside the checkout,
 *   each a clear error before any write; no run prints a secret. Only with the test PostgreSQL server
 *   (EMULATOR_TEST_PG_URL), whose databases make Render's format (a pg_dump directory archive); the PGlite format
 *   is tests/tools/dbBackup.spec.ts's.
 * - `npm run db:restore-drill` (item 3): a drill without --at waits (with progress) until its census time is
 *   restorable and recovers; killed with `kill -9` once its database exists, it leaves it (billed, on Render);
 *   the next drill says it removes it, and restores a time between two writes: the first row, not the second.
 *   Afterwards no drill database is left. An unknown stack: a clear error, nothing written. The exact comparison
 *   without --at, Ctrl-C and bad --at values are in tests/tools/restoreDrill.spec.ts.
 * - README's "Incident: restore production to a time" (item 6), rehearsed as written: after an incident (the
 *   events replaced by bad ones), the bash block is read from README.md and each command typed into one shell in
 *   the stack's project folder; only the block's first two values (STACK, AT) are the test's, and the line the
 *   runbook says to paste is pasted from the drill's output. Between commands, the test checks what each one did
 *   on Render and in the state. Last: it moves the stack to the restored database.
 * One stack for the three: each `pulumi up` of a fresh stack costs a minute of CI.
 */
import { strict as assert } from "node:assert";
import { execFile, spawn, type ChildProcess, type ChildProcessWithoutNullStreams } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { Client } from "pg";
import { databaseTrustEnv, startEmulator, type RunningEmulator } from "../../emulator";
import { requireEngine } from "../../tools/pulumi-engine/locate";
import { PulumiStack } from "../../tools/harness/pulumiCli";
import {
  EmulatorApi,
  copyProgram,
  readStackFile,
  removeProgramCopy,
  writeObjectConfig,
} from "../../tools/harness/stackHelpers";

const repoRoot = path.resolve(__dirname, "..", "..");
const pgUrl = process.env.EMULATOR_TEST_PG_URL;
const local = readStackFile();
const stackName = "safetynet";
const passphrase = `safetynet-${randomBytes(8).toString("hex")}`;
// Distinct per run: finding it in the restored database means it came through this run's backup.
const marker = `written before the export ${randomBytes(6).toString("hex")}`;
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const run = promisify(execFile);

/** A command started with `npm run`, its output so far and its end. */
interface Run {
  child: ChildProcess;
  stdout: string;
  stderr: string;
  done: Promise<number | null>;
}

/** How a command ended, and what it printed. */
interface ToolResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

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

describe("engine: the database's safety net on one stack (backup, restore drill, incident runbook)", function () {
  this.timeout(900_000);
  let emu: RunningEmulator;
  let api: EmulatorApi;
  let stack: PulumiStack | undefined;
  let databaseId = "";
  let databaseName = "";
  let serviceId = "";
  let firstWriteAt = 0;
  let work = "";

  /** The Pulumi setup of the stack's user, the emulator's CA trusted (README), the engine and tools on PATH. */
  function userEnv(): NodeJS.ProcessEnv {
    const engine = requireEngine();
    const env: NodeJS.ProcessEnv = {};
    for (const [key, value] of Object.entries(process.env)) if (!key.startsWith("PULUMI_")) env[key] = value;
    return Object.assign(env, {
      PATH: `${engine.binDir}${path.delimiter}${path.join(repoRoot, "node_modules", ".bin")}${path.delimiter}${process.env.PATH ?? ""}`,
      PULUMI_HOME: stack!.pulumiHome,
      PULUMI_BACKEND_URL: stack!.backendUrl,
      PULUMI_CONFIG_PASSPHRASE: passphrase,
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
      PULUMI_SKIP_UPDATE_CHECK: "true",
      ARRAKIS_PULUMI: "path",
      NO_COLOR: "1",
      ...databaseTrustEnv(emu),
    });
  }

  /** `npm run --silent <script> -- <args>` on the stack, in a process group of its own (for kill -9). */
  function tool(script: string, args: string[]): Run {
    const child = spawn("npm", ["run", "--silent", script, "--", ...args, "--cwd", stack!.projectDir], {
      cwd: repoRoot,
      env: userEnv(),
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    const started: Run = { child, stdout: "", stderr: "", done: Promise.resolve(null) };
    child.stdout!.setEncoding("utf8").on("data", (chunk: string) => (started.stdout += chunk));
    child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (started.stderr += chunk));
    started.done = new Promise((resolve, reject) => {
      child.once("error", reject);
      child.once("close", resolve);
    });
    return started;
  }
  const shownRun = (r: Run | ToolResult, code: number | null) =>
    `exit ${code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
  const now = async () => Date.parse((await api.control<{ now: string }>("GET", "/clock")).body.now);
  const advance = (ms: number) => api.control("POST", "/clock", { advanceMs: ms });
  const writes = async () =>
    (await api.requests()).filter((r) => r.method !== "GET").map((r) => `${r.method} ${r.path}`);

  async function connect(id: string): Promise<Client> {
    const info = await api.mustRender<{ externalConnectionString: string }>(
      "GET",
      `/postgres/${id}/connection-info`,
    );
    const db = new Client({ connectionString: info.externalConnectionString, ssl: { ca: emu.caCert } });
    await db.connect();
    return db;
  }
  async function sql(id: string, text: string, values: unknown[] = []): Promise<void> {
    const db = await connect(id);
    try {
      await db.query(text, values);
    } finally {
      await db.end();
    }
  }
  async function rows(id: string): Promise<string[]> {
    const db = await connect(id);
    try {
      return (await db.query<{ name: string }>("SELECT name FROM events ORDER BY name")).rows.map(
        (r) => r.name,
      );
    } finally {
      await db.end();
    }
  }

  before(async () => {
    requireEngine();
    work = fs.mkdtempSync(path.join(os.tmpdir(), "safetynet-engine-"));
    emu = await startEmulator({
      port: 0,
      timings: "fast",
      ownerId: local.plain["render:ownerId"],
      apiKey: `rnd_${randomBytes(16).toString("hex")}`,
      // The server's databases make Render's export format; PGlite otherwise (the backup part is then skipped).
      ...(pgUrl ? { database: { kind: "postgres" as const, url: pgUrl } } : {}),
    });
    api = new EmulatorApi(emu);
    const programDir = copyProgram();
    try {
      stack = await PulumiStack.create({
        programDir,
        stackName,
        passphrase,
        env: databaseTrustEnv(emu),
        config: { ...local.plain, "render:apiUrl": emu.url, "render:ownerId": emu.ownerId },
        secretConfig: { "render:apiKey": emu.apiKey, "arrakis:openaiApiKey": "sk-test-safetynet" },
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
    databaseId = outputs.databaseId as string;
    serviceId = outputs.serviceId as string;
    databaseName = (await api.mustRender<{ name: string }>("GET", `/postgres/${databaseId}`)).name;

    // A row before everything; then a database written over hours: a first row, hours, a second row, hours.
    await sql(databaseId, "CREATE TABLE notes (id int PRIMARY KEY, body text NOT NULL)");
    await sql(databaseId, "INSERT INTO notes VALUES (1, $1)", [marker]);
    await sql(databaseId, "CREATE TABLE events (name text)");
    await sql(databaseId, "INSERT INTO events VALUES ('first')");
    firstWriteAt = await now();
    await advance(2 * HOUR);
    await sql(databaseId, "INSERT INTO events VALUES ('second')");
    await advance(2 * HOUR);
  });

  after(async () => {
    await stack?.cleanup();
    if (emu) {
      // Drops the emulated databases (from the server, with its backend).
      await api.control("POST", "/reset");
      await emu.close();
    }
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  (pgUrl ? describe : describe.skip)("npm run db:backup: the backup round trip", () => {
    let restoredDb = "";
    let backupFile = "";
    const seen: ToolResult[] = [];
    async function backup(args: string[]): Promise<ToolResult> {
      const started = tool("db:backup", args);
      const result = { code: await started.done, stdout: started.stdout, stderr: started.stderr };
      seen.push(result);
      return result;
    }
    const shown = (r: ToolResult) => shownRun(r, r.code);

    after(async () => {
      if (restoredDb) {
        const admin = new Client({ connectionString: pgUrl });
        await admin.connect();
        await admin.query(`DROP DATABASE IF EXISTS ${restoredDb}`).finally(() => admin.end());
      }
    });

    it("a row written before the export is in the downloaded file", async () => {
      const out = path.join(work, "backups");
      const result = await backup(["--stack", stackName, "--out", out]);
      // For the closing note: the report as a person sees it.
      console.log(
        `\n--- npm run db:backup -- --stack ${stackName} (exit ${result.code})\n${result.stdout}---`,
      );
      assert.equal(result.code, 0, shown(result));
      const file = new RegExp(`^Backup of stack ${stackName}: (\\S+)$`, "m").exec(result.stdout)?.[1];
      assert.ok(file, shown(result));
      assert.equal(path.dirname(file), out);
      assert.deepEqual(fs.readdirSync(out), [path.basename(file)]);
      assert.equal(fs.statSync(file).mode & 0o777, 0o600);
      assert.match(
        result.stdout,
        /format {4}pg_dump directory archive, tarred and gzipped \(Render's format\)/,
      );
      assert.match(result.stdout, /^ {4}public\.notes$/m);
      assert.match(result.stdout, /Render keeps it until \S+ \(7 days\)/);
      assert.match(result.stderr, /Waiting for Render to write export exp-|Export exp-\S+ is written/);
      backupFile = file;

      // The row, in the file: the archive's data read back by pg_restore.
      const unpacked = path.join(work, "unpacked");
      fs.mkdirSync(unpacked);
      await run("tar", ["-xzf", file, "-C", unpacked]);
      const [folder] = fs.readdirSync(unpacked);
      const data = await run("pg_restore", [
        "--data-only",
        "--table=notes",
        "--file=-",
        path.join(unpacked, folder),
      ]);
      assert.ok(data.stdout.includes(marker), data.stdout);
    });

    it("a database restored from the file holds the row", async () => {
      assert.ok(backupFile, "the backup of the previous test");
      const unpacked = path.join(work, "unpacked");
      const [folder] = fs.readdirSync(unpacked);
      restoredDb = `backup_restore_${randomBytes(4).toString("hex")}`;
      const admin = new Client({ connectionString: pgUrl });
      await admin.connect();
      try {
        await admin.query(`CREATE DATABASE ${restoredDb}`);
      } finally {
        await admin.end();
      }
      const target = new URL(pgUrl!);
      target.pathname = `/${restoredDb}`;
      // Into a fresh database, as after a loss: no owner or grants of the source's roles, stop at the first error.
      await run("pg_restore", [
        "--no-owner",
        "--no-acl",
        "--exit-on-error",
        `--dbname=${target.toString()}`,
        path.join(unpacked, folder),
      ]);
      const restored = new Client({ connectionString: target.toString() });
      await restored.connect();
      try {
        const rows = await restored.query<{ body: string }>("SELECT body FROM notes ORDER BY id");
        assert.deepEqual(
          rows.rows.map((r) => r.body),
          [marker],
        );
        // The program's extension came along (the stack's database has pgvector).
        const ext = await restored.query("SELECT 1 FROM pg_extension WHERE extname = 'vector'");
        assert.equal(ext.rowCount, 1);
      } finally {
        await restored.end();
      }
    });

    it("an unknown stack, an --out inside the checkout: exit 1, a clear error, nothing written", async () => {
      await api.control("DELETE", "/requests");
      const out = path.join(work, "never");
      const unknown = await backup(["--stack", "nosuch", "--out", out]);
      assert.equal(unknown.code, 1, shown(unknown));
      assert.match(
        unknown.stderr,
        /^Backup of stack nosuch failed: unknown stack "nosuch": .*`pulumi stack ls` lists them\)$/m,
      );
      assert.equal(unknown.stdout, "");

      const inside = path.join(repoRoot, "backups");
      const refused = await backup(["--stack", stackName, "--out", inside]);
      assert.equal(refused.code, 1, shown(refused));
      assert.ok(
        refused.stderr.startsWith(`npm run db:backup: --out ${inside} is inside the checkout ${repoRoot}: `),
        shown(refused),
      );
      assert.equal(refused.stdout, "");

      assert.deepEqual(await writes(), []);
      assert.equal(fs.existsSync(out), false);
      assert.equal(fs.existsSync(inside), false);
    });

    it("no run printed a secret: not the API key, not the database password", async () => {
      const info = await api.mustRender<{ password: string }>(
        "GET",
        `/postgres/${databaseId}/connection-info`,
      );
      for (const result of seen)
        for (const [what, value] of Object.entries({
          "the API key": emu.apiKey,
          "the password": info.password,
        }))
          assert.ok(
            !result.stdout.includes(value) && !result.stderr.includes(value),
            `${what} in ${shown(result)}`,
          );
    });
  });

  describe("npm run db:restore-drill, over emulated hours", () => {
    const drill = (args: string[]) => tool("db:restore-drill", args);
    const drillDatabases = async () =>
      (await api.mustRender<Array<{ postgres: { id: string; name: string } }>>("GET", "/postgres?limit=100"))
        .map((p) => p.postgres)
        .filter((p) => p.name.startsWith(`${databaseName}-drill-`));

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
      assert.equal(code, 0, shownRun(next, code));
      const lines = next.stdout.split("\n");
      assert.match(
        lines[0],
        /^Cost: the drill database is a new basic_256mb database, billed while it exists/,
      );
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
      assert.equal(code, 1, shownRun(unknown, code));
      assert.match(unknown.stderr, /unknown stack "nosuch"/);
      const writes = (await api.requests()).filter((r) => r.method !== "GET");
      assert.deepEqual(writes, []);
    });
  });

  describe("README's incident runbook, restore production to a time, command by command", () => {
    let shell: Shell | undefined;
    let goodTime = "";
    const oldId = () => databaseId;

    before(async () => {
      // The incident: an hour and a half after the first write (the time to restore), the events replaced by
      // bad ones; an hour passes.
      goodTime = new Date(firstWriteAt + 90 * MINUTE).toISOString();
      await sql(databaseId, "DELETE FROM events");
      await sql(databaseId, "INSERT INTO events VALUES ('bad'), ('worse')");
      await advance(HOUR);
      // The shell of the person on call.
      shell = new Shell(stack!.projectDir, userEnv());
    });
    after(() => shell?.close());

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
            resources.filter((r) => r.id === oldId() || r.id === serviceId).map((r) => r.urn),
            [],
            "the old database and the service are out of the state",
          );
          assert.equal((await api.mustRender<{ id: string }>("GET", `/postgres/${oldId()}`)).id, oldId());
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
          assert.ok(output.includes(`No drift on stack ${stackName}`), output);
        } else if (line.includes("curl")) {
          const gone = await api.render("GET", `/postgres/${oldId()}`);
          assert.equal(gone.status, 404, "the old database is deleted");
        }
      }
      console.log(`\n--- the runbook as run\n${transcript.join("\n")}\n---`);
      // The service serves from the restored database: the good row, not the bad one.
      assert.deepEqual(await rows(newId), ["first"]);
      assert.ok(newId && newId !== oldId());
    });
  });
});
