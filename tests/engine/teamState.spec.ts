/**
 * Engine tests of team state (issue 19, item 1): Pulumi's DIY backend on PostgreSQL
 * (`pulumi login postgres://…`), on the test PostgreSQL server `.ci/run` starts (EMULATOR_TEST_PG_URL, or
 * emulator/databases/start-test-postgres.sh when unset). Each run gets a database and roles of its own,
 * dropped afterwards, set up as the README's "Team state" says: a team role that owns the state table,
 * and one login role per person in it. Several "laptops" (PulumiStack objects: their own PULUMI_HOME and
 * project copy, each logged in as its person) share one stack there, as a team does: the stack file
 * (config and encryption salt) goes from one to the other as a checkout would carry it. The `it`s build
 * on each other, on one stack.
 */
import { strict as assert } from "node:assert";
import { execFile } from "node:child_process";
import * as crypto from "node:crypto";
import * as path from "node:path";
import { promisify } from "node:util";
import { Client } from "pg";
import { PulumiStack, type PulumiResult } from "../../tools/harness/pulumiCli";

const execFileAsync = promisify(execFile);
const repoRoot = path.resolve(__dirname, "..", "..");
const startScript = path.join(repoRoot, "emulator", "databases", "start-test-postgres.sh");
const fixture = path.join(__dirname, "fixtures", "teamState");
const project = "engine-team-state";
const stackName = "team";
const table = "pulumi_state_team";
const itemCount = 4;
const token = `team-token-${crypto.randomBytes(6).toString("hex")}`;

type Resource = { urn: string; type: string; outputs?: Record<string, unknown> };

function describeFailure(result: PulumiResult): string {
  return `pulumi ${result.args.join(" ")} exited ${result.code}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`;
}

function mustSucceed(result: PulumiResult): PulumiResult {
  assert.equal(result.code, 0, describeFailure(result));
  return result;
}

/** The dynamic resources of a checkpoint, as urn → label. */
function items(resources: Resource[] | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const r of resources ?? []) {
    if (r.type !== "pulumi-nodejs:dynamic:Resource") continue;
    assert.ok(!out.has(r.urn), `${r.urn} is in the state twice`);
    out.set(r.urn, String(r.outputs?.label));
  }
  return out;
}

describe("engine: team state on PostgreSQL (pulumi login postgres://…)", function () {
  this.timeout(600_000);
  let adminUrl = process.env.EMULATOR_TEST_PG_URL ?? "";
  let database = "";
  const tag = crypto.randomBytes(4).toString("hex");
  const teamRole = `pulumi_team_${tag}`;
  const people = ["alice", "bob", "carol", "mallory"] as const;
  type Person = (typeof people)[number];
  const password = (person: Person) => `${person}-${tag}`;
  let rolesCreated = false;
  let restarted = false;
  const laptops: PulumiStack[] = [];
  /** The stack file of the laptop that ran the last successful `up` (what a teammate pulls). */
  let latestStackFile = "";

  const admin = async <T>(sql: string, db = "postgres"): Promise<T[]> => {
    const url = new URL(adminUrl);
    url.pathname = `/${db}`;
    const client = new Client({ connectionString: url.toString() });
    await client.connect();
    try {
      return (await client.query(sql)).rows as T[];
    } finally {
      await client.end();
    }
  };

  /** The backend URL of one person's login role. */
  const backendUrl = (person: Person) => {
    const url = new URL(adminUrl);
    // The DIY backend registers the `postgres` scheme (not `postgresql`); lib/pq requires TLS unless
    // told otherwise, and the test server is a loopback one without it.
    // The password is not in the URL (Pulumi prints the URL in its login errors, and a command line is
    // visible to `ps`): lib/pq reads PGPASSWORD, as the README says.
    return `postgres://${person}_${tag}@${url.host}/${database}?sslmode=disable&table=${table}`;
  };

  const laptop = async (person: Person, options: { existing?: boolean } = {}): Promise<PulumiStack> => {
    const stack = await PulumiStack.create({
      programDir: fixture,
      stackName,
      backendUrl: backendUrl(person),
      env: { PGPASSWORD: password(person) },
      timeoutMs: 300_000,
      ...(options.existing
        ? { existingStack: { stackFile: latestStackFile } }
        : {
            config: { [`${project}:count`]: String(itemCount) },
            secretConfig: { [`${project}:token`]: token },
          }),
    });
    laptops.push(stack);
    return stack;
  };
  const stackFileOf = (stack: PulumiStack) => path.join(stack.projectDir, `Pulumi.${stackName}.yaml`);

  before(async function () {
    if (!adminUrl) {
      this.timeout(15 * 60_000); // a first run may install PostgreSQL and build pgvector
      const { stdout } = await execFileAsync("bash", [startScript], { timeout: 14 * 60_000 });
      adminUrl = stdout.trim().split("\n").pop() ?? "";
    }
    database = `arrakis_team_state_${tag}`;
    await admin(`CREATE DATABASE ${database}`);
    // The README's setup: the team role may create in the state database's schema (the backend runs
    // CREATE TABLE/INDEX IF NOT EXISTS on every login); each person logs in with a role of their own.
    rolesCreated = true;
    await admin(`CREATE ROLE ${teamRole} NOLOGIN`);
    for (const person of people) {
      const inTeam = person === "mallory" ? "" : ` IN ROLE ${teamRole}`;
      await admin(`CREATE ROLE ${person}_${tag} LOGIN PASSWORD '${password(person)}'${inTeam}`);
    }
    await admin(`GRANT USAGE, CREATE ON SCHEMA public TO ${teamRole}`, database);
  });

  after(async function () {
    this.timeout(120_000);
    for (const stack of laptops) await stack.cleanup();
    if (restarted) await execFileAsync("bash", [startScript], { timeout: 60_000 });
    if (database) await admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    if (rolesCreated)
      for (const role of [...people.map((p) => `${p}_${tag}`), teamRole])
        await admin(`DROP ROLE IF EXISTS ${role}`);
  });

  it("a stack's life starts there: up creates it, a teammate's preview sees no change", async () => {
    // The first login creates the table (owned by its creator); the team role takes it over, as the
    // README says, so that every member can log in (the backend's CREATE INDEX IF NOT EXISTS needs the owner).
    const alice = await laptop("alice");
    latestStackFile = stackFileOf(alice);
    await admin(`ALTER TABLE ${table} OWNER TO ${teamRole}`, database);
    const up = mustSucceed(await alice.up());
    assert.match(up.stdout, new RegExp(`\\+ ${itemCount + 1} created`));

    // The backend made its table, and the checkpoint is a row of it (keys start with the URL's path, the
    // database name); the secret config is encrypted there.
    const keys = (await admin<{ key: string }>(`SELECT key FROM ${table} ORDER BY key`, database)).map(
      (r) => r.key,
    );
    assert.ok(
      keys.includes(`${database}/.pulumi/stacks/${project}/${stackName}.json`),
      `no checkpoint row in ${table}: ${keys.join(", ")}`,
    );
    assert.deepEqual(
      keys.filter((k) => k.startsWith(`${database}/.pulumi/locks/`)),
      [],
      "a lock was left behind",
    );
    const [{ plaintext }] = await admin<{ plaintext: number }>(
      `SELECT count(*)::int AS plaintext FROM ${table} WHERE data::text LIKE '%${token}%'`,
      database,
    );
    assert.equal(plaintext, 0, "the secret is in the backend in plaintext");

    // Another person, with the committed stack file and the passphrase, joins the same stack.
    const bob = await laptop("bob", { existing: true });
    mustSucceed(await bob.preview(["--expect-no-changes"]));
    const state = await bob.exportState();
    assert.equal(items(state.deployment.resources as Resource[]).size, itemCount);
  });

  it("someone outside the team role cannot log in to the state", async () => {
    await assert.rejects(laptop("mallory", { existing: true }), (error: Error) => {
      assert.match(error.message, /pulumi login .* exited 1/);
      assert.match(error.message, /problem logging in: .*permission denied for schema public/);
      assert.ok(!error.message.includes(password("mallory")), "the password is in the error");
      return true;
    });
  });

  it("two `pulumi up` at once: one runs, the other stops with the lock message; every resource once", async () => {
    const [alice, bob] = laptops;
    const [a, b] = await Promise.all([
      alice.up(["-c", `${project}:suffix=alice`]),
      bob.up(["-c", `${project}:suffix=bob`]),
    ]);
    const winners = [a, b].filter((r) => r.code === 0);
    assert.equal(winners.length, 1, `exactly one up must run:\n${describeFailure(a)}\n${describeFailure(b)}`);
    const [winner, loser] = a.code === 0 ? [a, b] : [b, a];
    const winnerName = a.code === 0 ? "alice" : "bob";
    const loserStack = a.code === 0 ? bob : alice;
    const loserOutput = loser.stdout + loser.stderr;
    assert.match(
      loserOutput,
      /the stack is currently locked by 1 lock\(s\)\. Either wait for the other process\(es\) to end or delete the lock file with `pulumi cancel`\./,
    );
    // The message names the lock without the backend's credentials.
    assert.match(loserOutput, /postgres:\/\/\S*\/\.pulumi\/locks\//);
    for (const person of people)
      assert.ok(!loserOutput.includes(password(person)), "a backend password is in the output");
    assert.match(winner.stdout, new RegExp(`~ ${itemCount} updated`));
    console.log(`      the second up, as its user sees it:\n${loserOutput.replace(/^/gm, "        | ")}`);

    const state = await alice.exportState();
    const resources = state.deployment.resources as Resource[];
    const urns = resources.map((r) => r.urn);
    assert.equal(new Set(urns).size, urns.length, "a resource is in the state twice");
    const labels = items(resources);
    assert.equal(labels.size, itemCount);
    for (const [urn, label] of labels) assert.match(label, new RegExp(`-${winnerName}$`), urn);
    const locks = await admin(
      `SELECT key FROM ${table} WHERE key LIKE '${database}/.pulumi/locks/%'`,
      database,
    );
    assert.deepEqual(locks, [], "a lock was left behind");

    // Once the lock is gone the other person's up runs, on the state the first one left.
    const again = mustSucceed(await loserStack.up());
    assert.match(again.stdout, new RegExp(`~ ${itemCount} updated`));
    latestStackFile = stackFileOf(loserStack);
  });

  it("the state survives a restart of the server", async function () {
    const server = new URL(adminUrl);
    const scriptPort = process.env.EMULATOR_TEST_PG_PORT ?? "54329";
    if (server.hostname !== "127.0.0.1" || server.port !== scriptPort) {
      // EMULATOR_TEST_PG_URL names a server start-test-postgres.sh does not run: not ours to restart.
      this.skip();
    }
    const before = (await laptops[0].exportState()).deployment.resources as Resource[];
    const [{ started: startedBefore }] = await admin<{ started: Date }>(
      "SELECT pg_postmaster_start_time() AS started",
    );
    restarted = true;
    await execFileAsync("bash", [startScript, "stop"], { timeout: 60_000 });
    await assert.rejects(admin("SELECT 1"), "the server still answers after stop");
    const { stdout } = await execFileAsync("bash", [startScript], { timeout: 60_000 });
    assert.equal(stdout.trim().split("\n").pop(), adminUrl);
    restarted = false;
    const [{ started: startedAfter }] = await admin<{ started: Date }>(
      "SELECT pg_postmaster_start_time() AS started",
    );
    assert.ok(startedAfter > startedBefore, "the server did not restart");

    // A third person, on a fresh machine, finds the same stack and nothing to change.
    const carol = await laptop("carol", { existing: true });
    const after = (await carol.exportState()).deployment.resources as Resource[];
    assert.deepEqual(
      after.map((r) => [r.urn, r.outputs]),
      before.map((r) => [r.urn, r.outputs]),
    );
    mustSucceed(await carol.preview(["--expect-no-changes"]));
  });

  it("destroy removes every resource, and `stack rm` the stack", async () => {
    const carol = laptops[laptops.length - 1];
    const destroy = mustSucceed(await carol.destroy());
    assert.match(destroy.stdout, new RegExp(`- ${itemCount + 1} deleted`));
    const state = await carol.exportState();
    assert.equal((state.deployment.resources ?? []).length, 0);
    mustSucceed(await carol.run(["stack", "rm", stackName, "--yes"]));
    const list = mustSucceed(await laptops[0].run(["stack", "ls"], { json: true }));
    assert.deepEqual(list.json, []);
    const keys = await admin<{ key: string }>(
      `SELECT key FROM ${table} WHERE key = '${database}/.pulumi/stacks/${project}/${stackName}.json'`,
      database,
    );
    assert.deepEqual(keys, []);
  });
});
