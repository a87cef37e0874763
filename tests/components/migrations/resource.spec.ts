import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Client } from "pg";
import { startEmulator, type RunningEmulator } from "../../../emulator";
import { migrationsRunner } from "../../../components/migrations/resource";
import { call } from "../../helpers/providers";
import { eventually } from "../../emulator/harness";

const fixture = path.join(__dirname, "..", "..", "fixtures", "app");
const repoNodeModules = path.join(__dirname, "..", "..", "..", "node_modules");

/** The runner's exports (plain JavaScript, components/runMigrations.js). */
const runner = require(migrationsRunner) as {
  secretsOfAll(values: (string | undefined)[]): string[];
  redact(text: string, secrets: string[]): string;
  lineRedactor(
    secrets: string[],
    write: (s: string) => void,
    maxLine?: number,
  ): { push(s: string): void; end(): void };
  parseArgs(argv: string[]): { options: Record<string, string>; command: string };
};

/** A copy of the app fixture in a temp folder (its `pg` from the repo's node_modules). */
function copyAppFixture(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "arrakis-app-"));
  fs.cpSync(fixture, dir, { recursive: true });
  fs.symlinkSync(repoNodeModules, path.join(dir, "node_modules"), "dir");
  return dir;
}

/** Adds a migration to an app checkout. */
function addMigration(appDir: string, name: string, sql: string): void {
  const dir = path.join(appDir, "prisma", "migrations", name);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "migration.sql"), sql);
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

// The migrations' runner, run the way the command provider runs it (`dir` = the checkout,
// `interpreter` = node + runner + options, then the command; DATABASE_URL in the environment), against
// a real database of the emulator (PGlite with pgvector): what reaches the provider (both streams) has
// the connection string and its password hidden, a failure names the database, the command and the
// folder, and a command past its time is stopped with its children.
describe("migrations runner (components/runMigrations.js, emulator database)", function () {
  this.timeout(60_000);
  let emu: RunningEmulator;
  let postgresId: string;
  let external: string;
  let password: string;
  let appDir: string;

  const api = (method: string, p: string, body?: unknown) =>
    call(emu.url, method, p, { apiKey: emu.apiKey, body });

  async function query<T>(sql: string): Promise<T[]> {
    const client = new Client({ connectionString: external, ssl: { ca: emu.caCert } });
    await client.connect();
    try {
      return (await client.query(sql)).rows as T[];
    } finally {
      await client.end();
    }
  }

  /** Runs `command` in `dir` through the runner, as local.Command does. */
  function run(command: string, options: { dir?: string; timeoutMs?: number } = {}): Promise<Run> {
    const dir = options.dir ?? appDir;
    return new Promise((resolve, reject) => {
      const child = spawn(
        "node",
        [
          path.relative(dir, migrationsRunner),
          "--secret-env=DATABASE_URL,DIRECT_URL",
          `--timeout-ms=${options.timeoutMs ?? 30_000}`,
          `--database=${postgresId}`,
          command,
        ],
        {
          cwd: dir,
          env: {
            ...process.env,
            DATABASE_URL: external,
            DIRECT_URL: external,
            PGSSLROOTCERT: emu.caCertFile,
          },
          stdio: ["ignore", "pipe", "pipe"],
        },
      );
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (b: Buffer) => (stdout += b.toString("utf8")));
      child.stderr.on("data", (b: Buffer) => (stderr += b.toString("utf8")));
      child.once("error", reject);
      child.once("close", (code) => resolve({ code, stdout, stderr }));
    });
  }

  const noSecret = (r: Run) => {
    const all = r.stdout + r.stderr;
    assert.ok(!all.includes(password), "the password reached the output");
    assert.ok(!all.includes(external), "the connection string reached the output");
  };

  before(async () => {
    emu = await startEmulator({ port: 0, timings: "fast", rateLimits: { enabled: false } });
    const created = await api("POST", "/postgres", {
      name: "migrations-spec-db",
      ownerId: emu.ownerId,
      plan: "basic_256mb",
      version: "17",
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    postgresId = (created.body as { id: string }).id;
    await eventually(
      async () =>
        ((await api("GET", `/postgres/${postgresId}`)).body as { status: string }).status === "available",
      `database ${postgresId} to be available`,
      // Provisioning a real database: seconds, more on a loaded machine; within the hook's 60 s.
      50_000,
    );
    const info = (await api("GET", `/postgres/${postgresId}/connection-info`)).body as {
      externalConnectionString: string;
      password: string;
    };
    external = info.externalConnectionString;
    password = info.password;
    appDir = copyAppFixture();
  });

  after(async () => {
    await emu?.close();
    if (appDir) fs.rmSync(appDir, { recursive: true, force: true });
  });

  it("runs db:deploy: a table with a vector(3) column exists, usable; a second run applies nothing", async () => {
    const first = await run("npm run db:deploy");
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /applied 20250929000000_documents\n1 migration\(s\) applied, 0 already there/);
    noSecret(first);
    const columns = await query<{ column_name: string; type: string }>(
      "SELECT a.attname AS column_name, format_type(a.atttypid, a.atttypmod) AS type FROM pg_attribute a " +
        "WHERE a.attrelid = 'documents'::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum",
    );
    assert.deepEqual(
      columns.map((c) => `${c.column_name} ${c.type}`),
      ["id integer", "content text", "embedding vector(3)"],
    );
    await query("INSERT INTO documents (content, embedding) VALUES ('dune', '[1,2,3]')");
    const [nearest] = await query<{ content: string }>(
      "SELECT content FROM documents ORDER BY embedding <-> '[1,2,2]' LIMIT 1",
    );
    assert.equal(nearest.content, "dune");
    const second = await run("npm run db:deploy");
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /0 migration\(s\) applied, 1 already there/);
  });

  it("a failing migration exits non-zero with its output and a line naming database, command and folder", async () => {
    const dir = copyAppFixture();
    try {
      addMigration(
        dir,
        "20251002000000_broken",
        "CREATE TABLE broken (v vector(3) NOT NULL REFERENCES nowhere(id));\n",
      );
      const result = await run("npm run db:deploy", { dir });
      assert.equal(result.code, 1);
      assert.match(
        result.stderr,
        /migration 20251002000000_broken failed: relation "nowhere" does not exist/,
      );
      assert.ok(
        result.stderr.endsWith(
          `could not run the migrations of database ${postgresId}: \`npm run db:deploy\` in ${fs.realpathSync(dir)} exited 1. Nothing was deployed.\n`,
        ),
        result.stderr,
      );
      noSecret(result);
      assert.equal((await query("SELECT 1 FROM pg_tables WHERE tablename = 'broken'")).length, 0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a command that prints DATABASE_URL, DIRECT_URL and the password shows [secret] on both streams", async () => {
    const result = await run(
      'echo "url=$DATABASE_URL direct=$DIRECT_URL"; ' +
        "node -e \"const u = new URL(process.env.DATABASE_URL); console.error(u.password + ' ' + decodeURIComponent(u.password) + ' user=' + u.username)\"; exit 3",
    );
    assert.equal(result.code, 3);
    assert.equal(result.stdout, "url=[secret] direct=[secret]\n");
    assert.match(result.stderr, /^\[secret\] \[secret\] user=\S+\n/);
    assert.match(result.stderr, /exited 3\. Nothing was deployed\.\n$/);
    noSecret(result);
  });

  it("a command past its time is stopped, with what it started", async () => {
    const pidFile = path.join(appDir, "child.pid");
    const started = Date.now();
    const result = await run(`sleep 30 & echo $! > ${pidFile}; wait`, { timeoutMs: 300 });
    assert.ok(Date.now() - started < 10_000, "not stopped");
    assert.equal(result.code, 124);
    assert.match(result.stderr, /was stopped after 300 ms \(the migrations step's timeoutMs\)/);
    const pid = Number(fs.readFileSync(pidFile, "utf8"));
    const alive = () => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    for (let i = 0; i < 100 && alive(); i++) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(alive(), false, "the command's child outlived the timeout");
  });
});

describe("migrations runner: redaction (pure)", () => {
  const url = "postgresql://user:fake-p%40ss-123@dpg-x-a.oregon-postgres.render.com:5432/db";

  it("hides the connection string, its password, and the password URL-decoded; not the user", () => {
    const secrets = runner.secretsOfAll([url, undefined, url]);
    assert.deepEqual(secrets, [url, "fake-p%40ss-123", "fake-p@ss-123"]);
    const text = `url=${url}\npw=fake-p@ss-123\nenc=fake-p%40ss-123\nuser=user`;
    assert.equal(runner.redact(text, secrets), "url=[secret]\npw=[secret]\nenc=[secret]\nuser=user");
    // A value that is no URL is hidden whole; one too short to be a secret is not (it would hide words).
    assert.deepEqual(runner.secretsOfAll(["not a url at all", "abc"]), ["not a url at all"]);
  });

  it("hides a secret split across chunks and across a forced cut of a long line", () => {
    const secrets = runner.secretsOfAll([url]);
    const written: string[] = [];
    const filter = runner.lineRedactor(secrets, (s) => written.push(s), 100);
    const text = `a ${url} b\n${"x".repeat(90)}${url}${"y".repeat(90)}\ntail ${url}`;
    for (let i = 0; i < text.length; i += 7) filter.push(text.slice(i, i + 7));
    filter.end();
    const out = written.join("");
    assert.equal(out, `a [secret] b\n${"x".repeat(90)}[secret]${"y".repeat(90)}\ntail [secret]`);
    assert.ok(written.length > 3, "the long line was not cut");
  });

  it("reads --name=value options, then the command last", () => {
    assert.deepEqual(runner.parseArgs(["--timeout-ms=5", "--database=dpg-x", "npm run x --y=1"]), {
      options: { "timeout-ms": "5", database: "dpg-x" },
      command: "npm run x --y=1",
    });
    assert.throws(() => runner.parseArgs(["oops", "cmd"]), /unknown argument "oops"/);
  });
});
