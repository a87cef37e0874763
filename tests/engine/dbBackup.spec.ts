/**
 * `npm run db:backup` (issue 23, item 2) as a user types it, on a stack of the arrakis program made by the real
 * `pulumi up` (stack `dev`, read with the caller's Pulumi setup as for prod): the backup round trip, a row
 * written before the export is in the downloaded file and in a database restored from it with pg_restore; and
 * bad input, each a clear error before any write: an unknown stack, an `--out` inside the checkout.
 *
 * The emulator's databases are made by the test PostgreSQL server (EMULATOR_TEST_PG_URL), so the export is
 * Render's format (a pg_dump directory archive) and the restore goes into a fresh database on that server.
 * Without that server the spec is skipped (the PGlite format is tests/tools/dbBackup.spec.ts's).
 * The `it`s build on each other.
 */
import { strict as assert } from "node:assert";
import { execFile, spawn } from "node:child_process";
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
const stackName = "dev";
const passphrase = `backup-${randomBytes(8).toString("hex")}`;
// Distinct per run: finding it in the restored database means it came through this run's backup.
const marker = `written before the export ${randomBytes(6).toString("hex")}`;
const run = promisify(execFile);

interface ToolResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

(pgUrl ? describe : describe.skip)("engine: npm run db:backup, the backup round trip", function () {
  this.timeout(600_000);
  let emu: RunningEmulator;
  let api: EmulatorApi;
  let stack: PulumiStack | undefined;
  let databaseId = "";
  let work = "";
  let restoredDb = "";
  let backupFile = "";
  const seen: ToolResult[] = [];

  /** `npm run --silent db:backup -- <args>` with the stack's Pulumi setup, as a user runs it for prod. */
  async function backup(args: string[]): Promise<ToolResult> {
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
    });
    // Asynchronously: the emulator answers from this very process.
    const child = spawn("npm", ["run", "--silent", "db:backup", "--", ...args, "--cwd", stack!.projectDir], {
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

  before(async () => {
    requireEngine();
    work = fs.mkdtempSync(path.join(os.tmpdir(), "db-backup-engine-"));
    emu = await startEmulator({
      port: 0,
      timings: "fast",
      ownerId: local.plain["render:ownerId"],
      apiKey: `rnd_${randomBytes(16).toString("hex")}`,
      database: { kind: "postgres", url: pgUrl! },
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
        secretConfig: { "render:apiKey": emu.apiKey, "arrakis:openaiApiKey": "sk-test-backup" },
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
    databaseId = (await stack.outputs()).databaseId as string;
  });

  after(async () => {
    await stack?.cleanup();
    if (restoredDb) {
      const admin = new Client({ connectionString: pgUrl });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS ${restoredDb}`).finally(() => admin.end());
    }
    if (emu) {
      // Drops the emulated databases from the server.
      await api.control("POST", "/reset");
      await emu.close();
    }
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it("a row written before the export is in the downloaded file", async () => {
    const info = await api.mustRender<{ externalConnectionString: string }>(
      "GET",
      `/postgres/${databaseId}/connection-info`,
    );
    const db = new Client({ connectionString: info.externalConnectionString, ssl: { ca: emu.caCert } });
    await db.connect();
    try {
      await db.query("CREATE TABLE notes (id int PRIMARY KEY, body text NOT NULL)");
      await db.query("INSERT INTO notes VALUES (1, $1)", [marker]);
    } finally {
      await db.end();
    }

    const out = path.join(work, "backups");
    const result = await backup(["--stack", stackName, "--out", out]);
    // For the closing note: the report as a person sees it.
    console.log(`\n--- npm run db:backup -- --stack ${stackName} (exit ${result.code})\n${result.stdout}---`);
    assert.equal(result.code, 0, shown(result));
    const file = /^Backup of stack dev: (\S+)$/m.exec(result.stdout)?.[1];
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

  // In a describe of its own: mocha runs a suite's own `it`s before its nested suites.
  describe("afterwards", () => {
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
});
