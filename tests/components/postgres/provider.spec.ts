import { strict as assert } from "node:assert";
import { Client } from "pg";
import { startEmulator } from "../../../emulator";
import {
  PostgresExtensionProvider,
  type PostgresExtensionInputs,
} from "../../../components/postgresExtension/provider";
import { PostgresProvider, type PostgresOutputs } from "../../../components/postgres/provider";
import type { PostgresInputs } from "../../../components/postgres/mapping";
import { call, checked, configured, environmentsIn } from "../../helpers/providers";
import { appAdvice, arrakisConfigNames } from "../../../app/app";

/** The advice the arrakis program passes (index.ts). */
const arrakisAdvice = appAdvice(arrakisConfigNames);

type Emulator = Awaited<ReturnType<typeof startEmulator>>;

interface LoggedRequest {
  method: string;
  path: string;
  status: number;
}

// RenderPostgres's provider against the emulator, method by method, as the provider host calls it.
describe("RenderPostgres provider (emulator)", function () {
  this.timeout(120_000);
  let emu: Emulator;
  let provider: PostgresProvider;
  let n = 0;

  before(async () => {
    emu = await startEmulator({ port: 0, timings: "fast" });
  });
  after(async () => {
    await emu?.close();
  });
  beforeEach(async () => {
    await call(emu.controlUrl, "POST", "/reset");
    provider = await configured(new PostgresProvider(), emu);
    n++;
  });

  const api = (method: string, path: string, body?: unknown) =>
    call(emu.url, method, path, { apiKey: emu.apiKey, body });
  const requests = async () => (await call(emu.controlUrl, "GET", "/requests")).body as LoggedRequest[];
  const writes = async () => (await requests()).filter((r) => r.method !== "GET");
  const databases = async () =>
    ((await api("GET", "/postgres?limit=100")).body as { postgres: { id: string; name: string } }[]).map(
      (e) => e.postgres,
    );

  function args(overrides: Record<string, unknown> = {}): Record<string, unknown> {
    return {
      name: `arrakis-db-${n}`,
      ownerId: emu.ownerId,
      plan: "basic-256mb",
      postgresMajorVersion: "17",
      databaseName: "arrakis_production",
      user: "arrakis_prod_user",
      ipAllowList: [{ source: "0.0.0.0/0", description: "Production access" }],
      pollIntervalSeconds: 0.01,
      ...overrides,
    };
  }

  async function created(overrides: Record<string, unknown> = {}) {
    const inputs = await checked<PostgresInputs>(provider, args(overrides));
    const result = await provider.create(inputs);
    return { inputs, id: result.id, outs: result.outs as PostgresOutputs };
  }

  describe("check", () => {
    it("names the property and the allowed values, and writes nothing", async () => {
      const result = await provider.check!(
        {} as PostgresInputs,
        args({ plan: "huge", region: "mars" }) as never,
      );
      const props = (result.failures ?? []).map((f) => f.property);
      assert.deepEqual(props.sort(), ["plan", "region"]);
      assert.match(result.failures![0].reason, /allowed: /);
      assert.deepEqual(await writes(), []);
    });

    it("refuses a workspace the API key cannot see, listing the ones it can", async () => {
      const result = await provider.check!(
        {} as PostgresInputs,
        args({ ownerId: "tea-notmineatall0000000" }) as never,
      );
      const failure = result.failures?.find((f) => f.property === "ownerId");
      assert.ok(failure, JSON.stringify(result.failures));
      assert.match(failure.reason, new RegExp(emu.ownerId));
      assert.deepEqual(await writes(), []);
    });

    it("reports a rejected API key against render:apiKey", async () => {
      const wrong = await configured(new PostgresProvider(), { url: emu.url, apiKey: "rnd_wrong_test_key" });
      const result = await wrong.check!({} as PostgresInputs, args() as never);
      const failure = result.failures?.find((f) => f.property === "render:apiKey");
      assert.ok(failure, JSON.stringify(result.failures));
      assert.match(failure.reason, /pulumi config set --secret render:apiKey/);
      assert.ok(!failure.reason.includes("rnd_wrong_test_key"));
    });

    it("reports an API URL that is not Render's API against render:apiUrl (issue 9)", async () => {
      const elsewhere = await configured(new PostgresProvider(), {
        url: `${emu.url.replace(/\/v1$/, "")}/v2`,
        apiKey: emu.apiKey,
      });
      const result = await elsewhere.check!({} as PostgresInputs, args() as never);
      assert.deepEqual(
        result.failures?.map((f) => f.property),
        ["render:apiUrl"],
      );
      assert.match(
        result.failures![0].reason,
        /does not answer like Render's API \(GET \/owners answered 404\)\. render:apiUrl must be the API's base URL, https:\/\/api\.render\.com\/v1/,
      );
    });

    it("looks the workspace up for a new or moved database only, not for one that keeps its workspace", async () => {
      const wrong = await configured(new PostgresProvider(), { url: emu.url, apiKey: "rnd_wrong_owner_key" });
      const olds = { ...args(), ownerId: emu.ownerId } as unknown as PostgresInputs;
      // Same workspace as in state: no lookup (bench P1: a clean preview asks Render nothing for it).
      assert.deepEqual((await wrong.check!(olds, args() as never)).failures, []);
      const moved = await wrong.check!(olds, args({ ownerId: "tea-notmineatall0000000" }) as never);
      assert.deepEqual(
        moved.failures?.map((f) => f.property),
        ["render:apiKey"],
      );
    });
  });

  describe("create", () => {
    it("creates the database, waits until available and outputs its live names and secrets", async () => {
      const { id, outs } = await created();
      assert.match(id, /^dpg-[a-z0-9]{20}-a$/);
      assert.equal(outs.status, "available");
      assert.match(outs.liveDatabaseName, /^arrakis_production_[a-z0-9]{4}$/);
      assert.equal(outs.liveDatabaseUser, "arrakis_prod_user");
      assert.ok(outs.password.length >= 16);
      assert.match(outs.externalConnectionString, /^postgres(ql)?:\/\//);
      assert.equal(outs.dashboardUrl, `https://dashboard.render.com/d/${id}`);
      assert.equal((await databases()).length, 1);
    });

    it("refuses a second database of the same name, naming the live one and how to adopt it", async () => {
      const first = await created();
      const inputs = await checked<PostgresInputs>(provider, args());
      await assert.rejects(provider.create(inputs), (err: Error) => {
        assert.match(err.message, new RegExp(`already has a database of that name \\(${first.id}\\)`));
        // The library names the resource's field; a program's advice adds its own command.
        assert.match(err.message, /set `adoptExisting: true` on the resource and run `pulumi up` again/);
        return true;
      });
      const advised = await checked<PostgresInputs>(provider, { ...args(), advice: arrakisAdvice.database });
      await assert.rejects(
        provider.create(advised),
        /set `adoptExisting: true` on the resource \(the arrakis app: `pulumi config set --path arrakis:database\.adoptExisting true`\) and run `pulumi up` again/,
      );
      assert.equal((await databases()).length, 1);
    });

    it("adopts the existing database when asked, changing only what differs", async () => {
      const first = await created();
      const inputs = await checked<PostgresInputs>(
        provider,
        args({ adoptExisting: true, plan: "basic_1gb" }),
      );
      const again = await provider.create(inputs);
      assert.equal(again.id, first.id);
      assert.equal(((await api("GET", `/postgres/${first.id}`)).body as { plan: string }).plan, "basic_1gb");
      assert.equal((await databases()).length, 1);
    });

    it("adopts exactly the database adoptId names, and refuses a missing one or one of another name without writing", async () => {
      const first = await created();
      await call(emu.controlUrl, "DELETE", "/requests");
      await assert.rejects(
        provider.create(
          await checked<PostgresInputs>(provider, args({ adoptId: "dpg-nosuchdatabase0000-a" })),
        ),
        /could not adopt database dpg-nosuchdatabase0000-a: no such database on Render/,
      );
      await assert.rejects(
        provider.create(
          await checked<PostgresInputs>(provider, args({ adoptId: first.id, name: "someone-elses-db" })),
        ),
        new RegExp(
          `could not adopt database ${first.id}: it is named "arrakis-db-\\d+", the resource "someone-elses-db"`,
        ),
      );
      assert.deepEqual(await writes(), []);
      const inputs = await checked<PostgresInputs>(provider, args({ adoptId: first.id, plan: "basic_1gb" }));
      const adopted = await provider.create(inputs);
      assert.equal(adopted.id, first.id);
      assert.equal(((await api("GET", `/postgres/${first.id}`)).body as { plan: string }).plan, "basic_1gb");
      assert.equal((await databases()).length, 1);
      // Refresh keeps adoptId, so the engine sees no change in it.
      const read = await provider.read!(first.id, adopted.outs as PostgresOutputs);
      assert.equal((read.inputs as PostgresInputs).adoptId, first.id);
    });

    it("rejects an adoptId that is not a database id, naming the field", async () => {
      const result = await provider.check!({} as PostgresInputs, args({ adoptId: "srv-abc" }) as never);
      assert.deepEqual(
        (result.failures ?? []).map((f) => f.property),
        ["adoptId"],
      );
      assert.match(result.failures![0].reason, /dpg-/);
    });

    it("never makes a second database when the response to the POST is lost", async () => {
      await call(emu.controlUrl, "POST", "/faults", {
        body: { method: "POST", path: "/v1/postgres", count: 1, fault: { kind: "lose-response" } },
      });
      const { id, outs } = await created();
      assert.equal(outs.status, "available");
      const all = await databases();
      assert.deepEqual(
        all.map((d) => d.id),
        [id],
      );
      assert.equal(
        (await writes()).filter((r) => r.method === "POST" && r.path === "/v1/postgres").length,
        1,
      );
    });

    it("keeps the id when waiting fails after the POST (a partial failure, nothing orphaned)", async () => {
      // A database that takes a minute to be available: the 0.2 s wait fails after the POST.
      const before = (await call(emu.controlUrl, "GET", "/timings")).body as { postgresCreate: number };
      const slowed = await call(emu.controlUrl, "PUT", "/timings", { body: { postgresCreate: 60_000 } });
      assert.equal(slowed.status, 200, JSON.stringify(slowed.body));
      try {
        const inputs = await checked<PostgresInputs>(provider, args({ waitTimeoutSeconds: 0.2 }));
        await assert.rejects(
          provider.create(inputs),
          (err: Error & { id?: string; properties?: Record<string, unknown> }) => {
            assert.match(err.id ?? "", /^dpg-/);
            assert.match(err.message, /is kept in the stack's state/);
            assert.equal(err.properties?.name, inputs.name);
            return true;
          },
        );
        assert.equal((await databases()).length, 1);
      } finally {
        await call(emu.controlUrl, "PUT", "/timings", { body: { postgresCreate: before.postgresCreate } });
      }
    });
  });

  describe("diff, update, read and delete", () => {
    it("sees plan and allow-list changes made through the API, and update puts them back", async () => {
      const { inputs, id, outs } = await created();
      await api("PATCH", `/postgres/${id}`, {
        plan: "pro_4gb",
        ipAllowList: [{ cidrBlock: "10.0.0.0/8", description: "x" }],
      });
      const drift = await provider.diff!(id, outs, inputs);
      assert.equal(drift.changes, true);
      assert.deepEqual(drift.replaces, []);
      const updated = await provider.update!(id, outs, inputs);
      assert.equal((updated.outs as PostgresOutputs).status, "available");
      const live = (await api("GET", `/postgres/${id}`)).body as { plan: string; ipAllowList: unknown };
      assert.equal(live.plan, "basic_256mb");
      assert.deepEqual(live.ipAllowList, [{ cidrBlock: "0.0.0.0/0", description: "Production access" }]);
      assert.equal((await provider.diff!(id, outs, inputs)).changes, false);
    });

    it("creates with disk autoscaling, sees it turned off through the API, and update turns it back on", async () => {
      const { inputs, id, outs } = await created({ storageAutoscalingEnabled: true });
      assert.equal(inputs.diskAutoscaling, true);
      const liveNow = async () =>
        ((await api("GET", `/postgres/${id}`)).body as { diskAutoscalingEnabled: boolean })
          .diskAutoscalingEnabled;
      assert.equal(await liveNow(), true);
      assert.equal((await provider.diff!(id, outs, inputs)).changes, false);
      await api("PATCH", `/postgres/${id}`, { enableDiskAutoscaling: false });
      const drift = await provider.diff!(id, outs, inputs);
      assert.equal(drift.changes, true);
      await provider.update!(id, outs, inputs);
      assert.equal(await liveNow(), true);
      assert.equal((await provider.diff!(id, outs, inputs)).changes, false);
      // Undeclared, it is not managed: a database adopted with autoscaling on keeps it, no drift.
      const { diskAutoscaling: _d, ...undeclared } = inputs;
      assert.equal((await provider.diff!(id, outs, undeclared as PostgresInputs)).changes, false);
    });

    it("is created in its environment and moved to another in place: same id and data, no replace", async () => {
      const envs = await environmentsIn(emu);
      const { inputs, id, outs } = await created({ environmentId: envs.production });
      const placedIn = async () =>
        ((await api("GET", `/postgres/${id}`)).body as { environmentId?: string }).environmentId;
      assert.equal(await placedIn(), envs.production);
      assert.equal((await provider.diff!(id, outs, inputs)).changes, false);
      const moved = { ...inputs, environmentId: envs.staging };
      const diff = await provider.diff!(id, outs, moved);
      assert.equal(diff.changes, true);
      assert.deepEqual(diff.replaces, []);
      await call(emu.controlUrl, "DELETE", "/requests");
      await provider.update!(id, outs, moved);
      assert.deepEqual(
        (await writes()).map((w) => `${w.method} ${w.path}`),
        [`POST /v1/environments/${envs.staging}/resources`],
      );
      assert.equal(await placedIn(), envs.staging);
      assert.equal((await provider.diff!(id, outs, moved)).changes, false);
      assert.equal(((await provider.read(id, outs)).inputs as PostgresInputs).environmentId, envs.staging);
    });

    it("deletes, and treats a database already gone as deleted", async () => {
      const { id } = await created();
      await provider.delete(id);
      assert.equal((await api("GET", `/postgres/${id}`)).status, 404);
      await provider.delete(id);
    });
  });
});

// The provider's read-only steps (diff, read) need one database between them, made once: each database
// costs seconds of PGlite start (the suite above makes a fresh one per test). The refresh test deletes
// it, so it runs last.
describe("RenderPostgres provider on one database (emulator)", function () {
  this.timeout(120_000);
  let emu: Emulator;
  let provider: PostgresProvider;
  let db: { inputs: PostgresInputs; id: string; outs: PostgresOutputs };

  const api = (method: string, path: string, body?: unknown) =>
    call(emu.url, method, path, { apiKey: emu.apiKey, body });
  const args = (): Record<string, unknown> => ({
    name: "arrakis-db-shared",
    ownerId: emu.ownerId,
    plan: "basic-256mb",
    postgresMajorVersion: "17",
    databaseName: "arrakis_production",
    user: "arrakis_prod_user",
    ipAllowList: [{ source: "0.0.0.0/0", description: "Production access" }],
    pollIntervalSeconds: 0.01,
  });

  before(async () => {
    emu = await startEmulator({ port: 0, timings: "fast" });
    provider = await configured(new PostgresProvider(), emu);
    const inputs = await checked<PostgresInputs>(provider, args());
    const result = await provider.create(inputs);
    db = { inputs, id: result.id, outs: result.outs as PostgresOutputs };
  });
  after(async () => {
    await emu?.close();
  });

  describe("diff, update, read and delete", () => {
    it("shows no change on a clean database, despite Render's suffix on the database name", async () => {
      const { inputs, id, outs } = db;
      assert.deepEqual(await provider.diff!(id, outs, inputs), {
        changes: false,
        replaces: [],
        deleteBeforeReplace: false,
      });
    });

    it("a state written before advice existed shows no change when the program passes it; read keeps it", async () => {
      const { id, outs } = db;
      assert.equal("advice" in outs, false);
      const advised = await checked<PostgresInputs>(provider, { ...args(), advice: arrakisAdvice.database });
      assert.deepEqual(await provider.diff!(id, outs, advised), {
        changes: false,
        replaces: [],
        deleteBeforeReplace: false,
      });
      // A refresh of the new state: the advice is the program's, not Render's, so it is no drift.
      const read = await provider.read(id, { ...outs, advice: arrakisAdvice.database });
      assert.deepEqual(read.inputs?.advice, arrakisAdvice.database);
      assert.deepEqual(read.props?.advice, arrakisAdvice.database);
      assert.equal("advice" in ((await provider.read(id, outs)).inputs ?? {}), false);
    });

    for (const [field, value] of [
      ["version", "16"],
      ["region", "ohio"],
      ["databaseName", "other_name"],
      ["databaseUser", "other_user"],
    ] as const) {
      it(`refuses to replace the database for a new ${field} unless allowed`, async () => {
        const { inputs, id, outs } = db;
        const news = { ...inputs, [field]: value };
        await assert.rejects(
          provider.diff!(id, outs, news),
          new RegExp(`changing ${field} .* would replace the database`),
        );
        const allowed = await provider.diff!(id, outs, { ...news, allowReplacement: true });
        assert.deepEqual(allowed.replaces, [field]);
        assert.equal(allowed.deleteBeforeReplace, true);
      });
    }

    it("reads outputs and inputs for refresh and import; a deleted database stops the refresh", async () => {
      const { inputs, id } = db;
      const read = await provider.read!(id);
      assert.equal(read.id, id);
      const back = read.inputs as unknown as PostgresInputs;
      assert.equal(back.plan, "basic_256mb");
      assert.equal(back.ownerId, emu.ownerId);
      assert.equal((await provider.diff!(id, read.props as PostgresOutputs, inputs)).changes, false);
      await api("DELETE", `/postgres/${id}`);
      // Never dropped silently (tests/components/runtime/deletedOutside.spec.ts has the message and the way back).
      await assert.rejects(provider.read!(id), new RegExp(`database ${id} no longer exists on Render`));
    });
  });
});

describe("PostgresExtension provider (emulator)", function () {
  this.timeout(120_000);
  let emu: Emulator;
  let connectionString: string;
  const extension = new PostgresExtensionProvider();
  const rootCertBefore = process.env.PGSSLROOTCERT;

  before(async () => {
    emu = await startEmulator({ port: 0, timings: "fast" });
    // The provider verifies the database's TLS certificate: trust the emulator's CA as a user does.
    process.env.PGSSLROOTCERT = emu.caCertFile;
    const provider = await configured(new PostgresProvider(), emu);
    const inputs = await checked<PostgresInputs>(provider, {
      name: "ext-db",
      ownerId: emu.ownerId,
      plan: "basic_256mb",
      version: "17",
      pollIntervalSeconds: 0.01,
    });
    connectionString = ((await provider.create(inputs)).outs as PostgresOutputs).externalConnectionString;
  });
  after(async () => {
    if (rootCertBefore === undefined) delete process.env.PGSSLROOTCERT;
    else process.env.PGSSLROOTCERT = rootCertBefore;
    await emu?.close();
  });

  async function query<T = Record<string, unknown>>(sql: string): Promise<T[]> {
    const client = new Client({ connectionString, ssl: { ca: emu.caCert } });
    await client.connect();
    try {
      return (await client.query(sql)).rows as T[];
    } finally {
      await client.end();
    }
  }

  it("enables vector so that a `<->` query works, sees it dropped out of band, and keeps it on delete", async () => {
    const inputs = await checked<PostgresExtensionInputs>(extension, { connectionString });
    const created = await extension.create(inputs);
    const { id } = created;
    const outs = created.outs!;
    assert.match(String(outs?.installedVersion), /^\d+\.\d+/);
    await query("CREATE TABLE items (id int primary key, embedding vector(3))");
    await query("INSERT INTO items VALUES (1, '[1,1,1]'), (2, '[5,5,5]')");
    const [nearest] = await query<{ id: number }>(
      "SELECT id FROM items ORDER BY embedding <-> '[4,4,4]' LIMIT 1",
    );
    assert.equal(nearest.id, 2);
    await query("DROP TABLE items");

    assert.equal((await extension.diff!(id, outs, inputs)).changes, false);
    await query("DROP EXTENSION vector");
    assert.equal((await extension.diff!(id, outs, inputs)).changes, true);
    assert.deepEqual(await extension.read!(id, outs), {});
    await extension.update!(id, outs, inputs);
    await extension.delete!(id, outs);
    assert.equal((await query("SELECT 1 FROM pg_extension WHERE extname = 'vector'")).length, 1);
  });

  it("drops only when asked, and never with CASCADE", async () => {
    const inputs = await checked<PostgresExtensionInputs>(extension, {
      connectionString,
      dropOnDelete: true,
    });
    const created = await extension.create(inputs);
    const { id } = created;
    const outs = created.outs!;
    await query("CREATE TABLE uses_vector (embedding vector(3))");
    await assert.rejects(extension.delete!(id, outs), /could not drop extension vector on .*: /);
    assert.equal((await query("SELECT 1 FROM pg_extension WHERE extname = 'vector'")).length, 1);
    await query("DROP TABLE uses_vector");
    await extension.delete!(id, outs);
    assert.equal((await query("SELECT 1 FROM pg_extension WHERE extname = 'vector'")).length, 0);
  });

  it("refuses a bad extension name and a connection string that is not one, before connecting", async () => {
    const result = await extension.check!(
      {} as PostgresExtensionInputs,
      {
        connectionString: "mysql://x",
        extension: "vector; DROP TABLE x",
      } as never,
    );
    assert.deepEqual((result.failures ?? []).map((f) => f.property).sort(), [
      "connectionString",
      "extension",
    ]);
  });

  it("refuses a key that is not an argument (a typo), naming it and the allowed keys", async () => {
    const result = await extension.check!(
      {} as PostgresExtensionInputs,
      { postgresId: "dpg-abc123-a", extention: "vector", __provider: "the engine's" } as never,
    );
    assert.deepEqual(result.failures, [
      {
        property: "extention",
        reason:
          "is not a PostgresExtension argument; allowed: extension, connectionString, postgresId, dropOnDelete",
      },
    ]);
  });

  it("takes a null option as its default, and wants exactly one of connectionString and postgresId", async () => {
    const check = (news: Record<string, unknown>) =>
      extension.check!({} as PostgresExtensionInputs, news as never);
    const ok = await check({ postgresId: "dpg-abc123-a", extension: null, dropOnDelete: null });
    assert.deepEqual(ok.failures, []);
    assert.deepEqual(ok.inputs, { postgresId: "dpg-abc123-a", extension: "vector", dropOnDelete: false });
    const either = "give either connectionString or postgresId (one of them)";
    assert.deepEqual((await check({})).failures, [{ property: "connectionString", reason: either }]);
    assert.deepEqual(
      (await check({ postgresId: "dpg-abc123-a", connectionString: null })).failures?.map((f) => f.reason),
      [either, "must be a postgresql:// connection string"],
    );
  });
});
