import { strict as assert } from "node:assert";
import { startEmulator } from "../../../emulator";
import {
  PostgresCredentialProvider,
  RetiredPostgresCredentialsProvider,
  rotationPlan,
  type PostgresCredentialInputs,
  type PostgresCredentialOutputs,
  type RetiredPostgresCredentialsInputs,
  type RetiredPostgresCredentialsOutputs,
} from "../../../components/postgresCredential/provider";
import {
  checkPostgresCredentialInputs,
  isRetirable,
  rotatedUsername,
} from "../../../components/postgresCredential/schema";
import { unknownSentinel } from "../../../components/runtime/validation";
import { call, checked, configured } from "../../helpers/providers";
import { eventually } from "../../emulator/harness";

type Emulator = Awaited<ReturnType<typeof startEmulator>>;

interface LoggedRequest {
  method: string;
  path: string;
  status: number;
}
interface User {
  username: string;
  default: boolean;
}

describe("postgresCredential schema: the rotation's user name", () => {
  it("is the database's user, _r and 8 hex digits of the label, the same for the same label", () => {
    const a = rotatedUsername("arrakis_prod_user", "2026-12-05");
    assert.match(a, /^arrakis_prod_user_r[0-9a-f]{8}$/);
    assert.equal(rotatedUsername("arrakis_prod_user", " 2026-12-05 "), a);
    assert.notEqual(rotatedUsername("arrakis_prod_user", "2026-12-06"), a);
    // An earlier rotation's user as the base gives the same name (should Render report it as the database's user).
    assert.equal(rotatedUsername(rotatedUsername("arrakis_prod_user", "x"), "2026-12-05"), a);
  });

  it("fits PostgreSQL's 63 characters, cutting the base", () => {
    const long = "u".repeat(63);
    const name = rotatedUsername(long, "label");
    assert.equal(name.length, 63);
    assert.match(name, /^u+_r[0-9a-f]{8}$/);
    assert.ok(isRetirable(rotatedUsername(long, "old"), long, name));
  });

  it("retires the database's own user and earlier rotations' users, never the kept one nor other names", () => {
    const keep = rotatedUsername("app_user", "b");
    assert.ok(isRetirable("app_user", "app_user", keep));
    assert.ok(isRetirable(rotatedUsername("app_user", "a"), "app_user", keep));
    assert.ok(!isRetirable(keep, "app_user", keep));
    assert.ok(!isRetirable("app_user_readonly", "app_user", keep));
    assert.ok(!isRetirable("other_r0123abcd", "app_user", keep));
  });

  it("names the field and what is allowed for bad input; an unknown label leaves the name unknown", () => {
    const bad = checkPostgresCredentialInputs({ postgresId: "db-1", databaseUser: "App", rotation: "" });
    assert.deepEqual(bad.failures.map((f) => f.property).sort(), ["databaseUser", "postgresId", "rotation"]);
    assert.match(bad.failures.find((f) => f.property === "rotation")!.reason, /label such as a date/);
    const typo = checkPostgresCredentialInputs({
      postgresId: "dpg-abc-a",
      databaseUser: "u",
      rotation: "x",
      rotate: "y",
    });
    assert.match(typo.failures[0].reason, /not a RenderPostgresCredential argument; allowed: postgresId/);
    const preview = checkPostgresCredentialInputs({
      postgresId: "dpg-abc-a",
      databaseUser: "u",
      rotation: unknownSentinel,
    });
    assert.deepEqual(preview.failures, []);
    assert.equal(preview.inputs.username, unknownSentinel);
  });
});

// The providers against the in-process emulator, as the provider host calls them. One database (making
// one is the slow part); the `it`s build on each other, each rotation with a new label.
describe("postgresCredential providers (emulator)", function () {
  this.timeout(180_000);
  let emu: Emulator;
  const reports: string[] = [];
  let credential: PostgresCredentialProvider;
  let retirement: RetiredPostgresCredentialsProvider;
  let postgresId: string;
  const made: Record<
    string,
    { id: string; inputs: PostgresCredentialInputs; outs: PostgresCredentialOutputs }
  > = {};

  const api = (method: string, path: string, body?: unknown) =>
    call(emu.url, method, path, { apiKey: emu.apiKey, body });
  const clearLog = () => call(emu.controlUrl, "DELETE", "/requests");
  const writes = async () =>
    ((await call(emu.controlUrl, "GET", "/requests")).body as LoggedRequest[])
      .filter((r) => r.method !== "GET")
      .map((r) => `${r.method} ${r.path.replace(postgresId, "{id}")}`);
  const users = async () => (await api("GET", `/postgres/${postgresId}/credentials`)).body as User[];
  const names = async () => (await users()).map((u) => u.username).sort();
  const defaultUser = async () => (await users()).find((u) => u.default)?.username;
  const connectionUser = async () =>
    new URL(
      (
        (await api("GET", `/postgres/${postgresId}/connection-info`)).body as {
          internalConnectionString: string;
        }
      ).internalConnectionString,
    ).username;
  const args = (rotation: string, extra: Record<string, unknown> = {}) => ({
    postgresId,
    databaseUser: "app_user",
    rotation,
    steps: ["move service web's DATABASE_URL to it", "deploy service web"],
    pollIntervalSeconds: 0.01,
    ...extra,
  });
  const retireArgs = (keep: string) => ({ postgresId, databaseUser: "app_user", keep });
  async function rotate(label: string) {
    const inputs = await checked<PostgresCredentialInputs>(credential, args(label));
    const { id, outs } = await credential.create(inputs);
    made[label] = { id, inputs, outs: outs as PostgresCredentialOutputs };
    return made[label];
  }

  before(async () => {
    emu = await startEmulator({ port: 0, timings: "fast" });
    credential = await configured(new PostgresCredentialProvider((text) => reports.push(text)), emu);
    retirement = await configured(new RetiredPostgresCredentialsProvider(), emu);
    const db = await api("POST", "/postgres", {
      name: "rotation-db",
      ownerId: emu.ownerId,
      plan: "basic_256mb",
      version: "17",
      region: "oregon",
      databaseName: "app",
      databaseUser: "app_user",
    });
    postgresId = (db.body as { id: string }).id;
    await eventually(
      async () =>
        ((await api("GET", `/postgres/${postgresId}`)).body as { status: string }).status === "available",
      "the database to be available",
      120_000,
    );
  });
  after(async () => {
    await emu?.close();
  });
  beforeEach(clearLog);

  it("check names the steps of a new label (before any write); a recorded label writes nothing", async () => {
    const inputs = await checked<PostgresCredentialInputs>(credential, args("one"));
    assert.equal(inputs.username, rotatedUsername("app_user", "one"));
    assert.deepEqual(reports, [
      `rotating the credentials of database ${postgresId}: pulumi up will\n` +
        `    1. create user ${inputs.username} (Render makes it the default user: the connection info names it)\n` +
        "    2. move service web's DATABASE_URL to it\n" +
        "    3. deploy service web\n" +
        "    4. delete user app_user (working until then)",
    ]);
    await credential.check!(inputs, args("one") as never);
    assert.equal(reports.length, 1);
    assert.deepEqual(await writes(), []);
  });

  it("create makes the user the default (connection info names it); the old one is kept", async () => {
    const { id, inputs, outs } = await rotate("one");
    assert.equal(id, `${postgresId}/${inputs.username}`);
    assert.equal(outs.isDefault, true);
    assert.equal(await defaultUser(), inputs.username);
    assert.equal(await connectionUser(), inputs.username);
    assert.deepEqual(await names(), ["app_user", inputs.username].sort());
    // Its connection string, a secret output (resource.ts), names it.
    assert.equal(new URL(outs.externalConnectionString).username, inputs.username);
    // Deleting the resource keeps the user: the apps use it.
    await credential.delete(id, outs);
    assert.equal(await defaultUser(), inputs.username);
  });

  it("a create run again (a resumed up) finds the user it made: no second POST", async () => {
    await credential.create(made.one.inputs);
    assert.deepEqual(await writes(), []);
    assert.deepEqual((await credential.check!({}, args("one") as never)).failures, []);
    assert.match(reports.at(-1)!, /1\. user \S+ exists \(made by an earlier up that did not finish\): kept/);
  });

  it("diff: a new label replaces the user (the old resource's delete keeps it); words alone update", async () => {
    const { outs } = made.one;
    assert.equal((await credential.diff!("id", outs, await checked(credential, args("one")))).changes, false);
    const relabelled = await credential.diff!("id", outs, await checked(credential, args("two")));
    assert.deepEqual(relabelled.replaces, ["username"]);
    assert.equal(relabelled.deleteBeforeReplace, false);
    const worded = await credential.diff!("id", outs, await checked(credential, args("one", { steps: [] })));
    assert.deepEqual([worded.changes, worded.replaces], [true, []]);
  });

  it("refuses a user of that name that is not the default, naming the way out, and writes nothing", async () => {
    await rotate("two");
    await clearLog();
    await assert.rejects(
      credential.create(made.one.inputs),
      new RegExp(
        `user ${made.one.inputs.username} exists but is not the default user .*Choose a new rotation label`,
      ),
    );
    assert.deepEqual(await writes(), []);
  });

  it("read: whether the user is the default, as live", async () => {
    assert.equal((await credential.read!(made.one.id, made.one.outs)).props?.isDefault, false);
    assert.equal((await credential.read!(made.two.id, made.two.outs)).props?.isDefault, true);
  });

  it("RetiredPostgresCredentials deletes nothing while the kept user is not the default one", async () => {
    await assert.rejects(
      retirement.create(await checked(retirement, retireArgs(made.one.inputs.username))),
      new RegExp(
        `${made.one.inputs.username} is not the default user \\(\\S+ is\\), so the apps may still use another user. Nothing was deleted`,
      ),
    );
    assert.deepEqual(await writes(), []);
  });

  it("RetiredPostgresCredentials deletes the database's own user and earlier rotations', keeps the new one and other names", async () => {
    // A user made by hand, another name: not the rotation's to delete.
    assert.equal(
      (await api("POST", `/postgres/${postgresId}/credentials`, { username: "reporting" })).status,
      202,
    );
    const three = await rotate("three");
    const inputs = await checked<RetiredPostgresCredentialsInputs>(
      retirement,
      retireArgs(three.inputs.username),
    );
    const before = { ...inputs, retired: [], leftAlone: [] } as RetiredPostgresCredentialsOutputs;
    assert.equal((await retirement.diff!("id", before, inputs)).changes, true, "old users left: a change");
    const outs = (await retirement.create(inputs)).outs as RetiredPostgresCredentialsOutputs;
    assert.deepEqual(
      outs.retired.sort(),
      ["app_user", made.one.inputs.username, made.two.inputs.username].sort(),
    );
    assert.deepEqual(outs.leftAlone, ["reporting"]);
    assert.deepEqual(await names(), ["reporting", three.inputs.username].sort());
    assert.equal((await retirement.diff!("id", outs, inputs)).changes, false);
    // Run again (a resumed up): nothing left to delete, no error.
    assert.deepEqual(
      ((await retirement.update!("id", outs, inputs)).outs as RetiredPostgresCredentialsOutputs).retired,
      [],
    );
  });

  it("read: a user deleted outside Pulumi is gone from state (the next up makes it again)", async () => {
    assert.deepEqual(await credential.read!(made.one.id, made.one.outs), {});
  });

  it("rotationPlan says when the users cannot be listed", () => {
    const text = rotationPlan({ postgresId: "dpg-x-a", username: "u_r00000000", steps: [] }, undefined, "u");
    assert.match(text, /2\. delete the users it replaces \(the database's own user and earlier rotations'\)/);
  });
});
