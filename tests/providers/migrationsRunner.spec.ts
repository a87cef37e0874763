import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { Client } from "pg";
import { startEmulator, type RunningEmulator } from "../../emulator";
import { hashMigrationsFolder } from "../../components/migrations";
import {
  MigrationsProvider,
  type MigrationsInputs,
  type MigrationsOutputs,
} from "../../components/migrationsProvider";
import { call, configured } from "../helpers/providers";

const fixture = path.join(__dirname, "..", "fixtures", "app");
const repoNodeModules = path.join(__dirname, "..", "..", "node_modules");

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

// The migrations step against a real database of the emulator (PGlite with pgvector): the app
// fixture's `npm run db:deploy`, runs only on a change, failures show output without the secret.
describe("DatabaseMigrations provider (emulator database)", function () {
  this.timeout(60_000);
  let emu: RunningEmulator;
  let postgresId: string;
  let external: string;
  let password: string;
  let appDir: string;
  let progress: string[];
  let provider: MigrationsProvider;
  let outs: MigrationsOutputs;

  const api = (method: string, p: string, body?: unknown) =>
    call(emu.url, method, p, { apiKey: emu.apiKey, body });

  async function query<T>(sql: string): Promise<T[]> {
    const client = new Client({ connectionString: external });
    await client.connect();
    try {
      return (await client.query(sql)).rows as T[];
    } finally {
      await client.end();
    }
  }

  function inputs(extra: Partial<MigrationsInputs> = {}): MigrationsInputs {
    return {
      postgresId,
      appDir,
      command: "npm run db:deploy",
      migrationsHash: hashMigrationsFolder(path.join(appDir, "prisma", "migrations")),
      timeoutMs: 30_000,
      ...extra,
    };
  }

  async function failure(run: Promise<unknown>): Promise<Error> {
    try {
      await run;
    } catch (err) {
      return err as Error;
    }
    throw new Error("expected the migrations to fail");
  }

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
    for (let i = 0; i < 600; i++) {
      if (((await api("GET", `/postgres/${postgresId}`)).body as { status: string }).status === "available")
        break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
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

  beforeEach(async () => {
    progress = [];
    provider = await configured(new MigrationsProvider((line) => progress.push(line)), emu);
  });

  it("check names bad fields", async () => {
    const bad = await provider.check!(
      {} as MigrationsInputs,
      {
        postgresId: "db-1",
        appDir: "app",
        command: " ",
      } as unknown as MigrationsInputs,
    );
    assert.deepEqual(
      bad.failures?.map((f) => f.property),
      ["postgresId", "appDir", "command"],
    );
  });

  it("create runs db:deploy: a table with a vector(3) column exists, usable", async () => {
    const created = await provider.create!(inputs());
    outs = created.outs as MigrationsOutputs;
    assert.equal(created.id, `${postgresId}/migrations`);
    assert.ok(!Number.isNaN(Date.parse(outs.ranAt)));
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
    assert.ok(progress.some((l) => l.includes("1 migration(s) applied")));
    assert.ok(!progress.join("\n").includes(password));
  });

  it("no change: diff says none and update does not run the command", async () => {
    assert.deepEqual(await provider.diff!(postgresId, outs, inputs()), { changes: false });
    // The checkout moving elsewhere is no reason to run again either.
    assert.deepEqual(await provider.diff!(postgresId, outs, inputs({ appDir: "/elsewhere" })), {
      changes: false,
    });
    const updated = (await provider.update!(postgresId, outs, inputs())).outs as MigrationsOutputs;
    assert.equal(updated.ranAt, outs.ranAt);
    assert.deepEqual(progress, []);
  });

  it("a new migration changes the hash and runs once", async () => {
    addMigration(
      appDir,
      "20251001000000_tags",
      "CREATE TABLE tags (id SERIAL PRIMARY KEY, name TEXT NOT NULL UNIQUE);\n",
    );
    const news = inputs();
    assert.notEqual(news.migrationsHash, outs.migrationsHash);
    assert.deepEqual(await provider.diff!(postgresId, outs, news), { changes: true });
    outs = (await provider.update!(postgresId, outs, news)).outs as MigrationsOutputs;
    assert.ok(progress.some((l) => l.includes("applied 20251001000000_tags")));
    assert.ok(progress.some((l) => l.includes("1 migration(s) applied, 1 already there")));
    const applied = await query<{ name: string }>("SELECT name FROM _migrations ORDER BY name");
    assert.deepEqual(
      applied.map((r) => r.name),
      ["20250929000000_documents", "20251001000000_tags"],
    );
  });

  it("a failing migration rejects with the command's output and changes nothing", async () => {
    const dir = copyAppFixture();
    try {
      addMigration(
        dir,
        "20251002000000_broken",
        "CREATE TABLE broken (v vector(3) NOT NULL REFERENCES nowhere(id));\n",
      );
      const err = await failure(provider.create!(inputs({ appDir: dir, migrationsHash: "x" })));
      assert.match(
        err.message,
        new RegExp(
          `could not run the migrations of database ${postgresId}: \`npm run db:deploy\` in ${dir} exited 1`,
        ),
      );
      assert.match(err.message, /Nothing was deployed/);
      assert.match(
        err.message,
        /--- output \(secrets hidden\)\n[\s\S]*migration 20251002000000_broken failed: relation "nowhere" does not exist/,
      );
      assert.equal((await query("SELECT 1 FROM pg_tables WHERE tablename = 'broken'")).length, 0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a command that prints DATABASE_URL shows it as [secret], password included", async () => {
    const err = await failure(
      provider.create!(
        inputs({
          command:
            'echo "url=$DATABASE_URL direct=$DIRECT_URL"; node -e "console.error(new URL(process.env.DATABASE_URL).password)"; exit 3',
        }),
      ),
    );
    assert.match(err.message, /exited 3/);
    assert.match(err.message, /url=\[secret\] direct=\[secret\]\n\[secret\]/);
    assert.ok(!err.message.includes(password) && !err.message.includes(external));
  });

  it("a command past its time is stopped", async () => {
    const err = await failure(provider.create!(inputs({ command: "sleep 5", timeoutMs: 100 })));
    assert.match(err.message, /`sleep 5` in \S+ was stopped \(SIGKILL\)/);
    assert.match(err.message, /stopped after 100 ms/);
  });

  it("the provider serializes and stays small", async () => {
    const serialized = await pulumi.runtime.serializeFunction(() => new MigrationsProvider(), {
      allowSecrets: false,
    });
    // ~100 KB, most of it the shared Render client (read for the connection string).
    assert.ok(serialized.text.length < 200_000, `${serialized.text.length} bytes`);
  });
});
