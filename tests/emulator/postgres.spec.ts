/**
 * Postgres routes: Render's quirks (201 `unknown`, suffixed names, derived names, id shapes,
 * HA field names, `ipAllowList: []` -> null), validation, immutable fields, the lifecycle on the
 * emulator clock, suspend/resume, filters, delete, and a real `pg` connection running a pgvector query.
 */
import { strict as assert } from "node:assert";
import { Client } from "pg";
import type { RunningEmulator } from "../../emulator";
import {
  apiOf,
  control,
  eventually,
  expect400Naming,
  expectStatus,
  GatedBackend,
  start,
  type Api,
} from "./harness";

type Db = Record<string, unknown> & {
  id: string;
  status: string;
  databaseName: string;
  databaseUser: string;
};

const BASE = { name: "arrakis-db", plan: "basic_256mb", version: "16" };

describe("emulator postgres (quirks, validation, lifecycle)", function () {
  let emu: RunningEmulator;
  let api: Api;
  let backend: GatedBackend;
  const create = (body: Record<string, unknown>) =>
    api("POST", "/postgres", { ownerId: emu.ownerId, ...body });

  beforeEach(async () => {
    backend = new GatedBackend();
    emu = await start({ timings: "realistic", databaseBackend: backend });
    api = apiOf(emu);
  });
  afterEach(async () => {
    backend.releaseAll();
    await emu?.close();
  });

  it("answers 201 with status unknown, Render's id shape, a suffixed databaseName and the user as given", async () => {
    const response = await create({ ...BASE, databaseName: "arrakis", databaseUser: "arrakis_user" });
    expectStatus(response, 201);
    const db = response.body as Db;
    assert.equal(db.status, "unknown");
    assert.match(db.id, /^dpg-[0-9a-v]{20}-a$/);
    assert.match(db.databaseName, /^arrakis_[a-z0-9]{4}$/);
    assert.equal(db.databaseUser, "arrakis_user");
    assert.equal(db.dashboardUrl, `https://dashboard.render.com/d/${db.id}`);
    assert.equal(db.highAvailabilityEnabled, false);
    assert.equal("enableHighAvailability" in db, false);
    assert.equal(db.suspended, "not_suspended");
    assert.deepEqual(db.suspenders, []);
    assert.deepEqual(db.readReplicas, []);
    assert.equal(db.role, "primary");
    assert.equal(db.region, "oregon");
    assert.equal(db.version, "16");
    assert.equal(db.diskSizeGB, 15);
    assert.equal(db.ipAllowList, null, "no allow list (the safe default) reads back as null");
    assert.deepEqual(db.owner, {
      id: emu.ownerId,
      name: "arrakis",
      email: "owner@example.com",
      type: "team",
    });
    assert.deepEqual(backend.provisioned, [db.id], "the real database starts at create");
  });

  it("derives database name and user from the name when both are blank", async () => {
    const db = (await create({ ...BASE, name: "Allow-List Postgres" })).body as Db;
    assert.match(db.databaseName, /^allow_list_postgres_[a-z0-9]{4}$/);
    assert.equal(db.databaseUser, `${db.databaseName}_user`);
    const other = (await create({ ...BASE, name: "Allow-List Postgres" })).body as Db;
    assert.notEqual(other.databaseName, db.databaseName, "the random suffix differs");
  });

  it("is creating until the clock passed the creation time AND the real database is up, then available", async () => {
    const db = (await create(BASE)).body as Db;
    const status = async () => ((await api("GET", `/postgres/${db.id}`)).body as Db).status;
    assert.equal(await status(), "creating");
    await control(emu, "POST", "/clock", { advanceMs: 59_000 });
    assert.equal(await status(), "creating");
    await control(emu, "POST", "/clock", { advanceMs: 2_000 });
    assert.equal(await status(), "creating", "the real database is not up yet");
    backend.release(db.id);
    await eventually(async () => (await status()) === "available", "available");
  });

  it("goes back to creating on a plan or HA change (not on a rename), then available again", async () => {
    const db = (await create({ ...BASE, plan: "pro_4gb" })).body as Db;
    backend.release(db.id);
    await control(emu, "POST", "/clock", { advanceMs: 61_000 });
    const get = async () => (await api("GET", `/postgres/${db.id}`)).body as Db;
    await eventually(async () => (await get()).status === "available", "available");

    const renamed = await api("PATCH", `/postgres/${db.id}`, { name: "renamed" });
    expectStatus(renamed, 200);
    assert.equal((renamed.body as Db).status, "available");
    assert.equal((renamed.body as Db).name, "renamed");

    const planned = await api("PATCH", `/postgres/${db.id}`, { plan: "pro_8gb" });
    assert.equal((planned.body as Db).status, "creating");
    assert.equal((planned.body as Db).plan, "pro_8gb");
    await control(emu, "POST", "/clock", { advanceMs: 46_000 });
    assert.equal((await get()).status, "available");

    const ha = await api("PATCH", `/postgres/${db.id}`, { enableHighAvailability: true });
    assert.equal((ha.body as Db).status, "creating");
    assert.equal((ha.body as Db).highAvailabilityEnabled, true);
    await control(emu, "POST", "/clock", { advanceMs: 46_000 });
    assert.equal((await get()).status, "available");
  });

  it("refuses bad enums (listing allowed values), string-typed versions, bad CIDRs and missing fields with 400", async () => {
    expect400Naming(await create({ ...BASE, plan: "basic-256mb" }), "plan", "basic_256mb", "pro_4gb");
    expect400Naming(await create({ ...BASE, version: 16 }), "version", "string");
    expect400Naming(await create({ ...BASE, version: "10" }), "version", "11");
    expect400Naming(await create({ ...BASE, region: "mars" }), "region", "oregon");
    expect400Naming(await create({ name: "x", version: "16" }), "plan");
    expect400Naming(await api("POST", "/postgres", BASE), "ownerId");
    expect400Naming(await create({ plan: "basic_256mb", version: "16" }), "name");
    for (const cidr of ["10.0.0.300/8", "10.0.0.0/33", "nonsense", "10.0.0.0/8/1"]) {
      expect400Naming(
        await create({ ...BASE, ipAllowList: [{ cidrBlock: cidr, description: "x" }] }),
        "ipAllowList[0].cidrBlock",
      );
    }
    expect400Naming(
      await create({ ...BASE, ipAllowList: [{ cidrBlock: "10.0.0.0/8" }] }),
      "ipAllowList[0].description",
    );
    expect400Naming(await create({ ...BASE, databaseName: "Bad-Name" }), "databaseName");
    expect400Naming(await create({ ...BASE, enableHighAvailability: true }), "enableHighAvailability", "pro");
    expect400Naming(
      await create({ ...BASE, enableHighAvailability: "yes" }),
      "enableHighAvailability",
      "boolean",
    );
    const unknownOwner = await api("POST", "/postgres", { ...BASE, ownerId: "tea-aaaaaaaaaaaaaaaaaaaa" });
    expectStatus(unknownOwner, 404);
    assert.deepEqual(unknownOwner.body, { message: "not found: tea-aaaaaaaaaaaaaaaaaaaa" });
    assert.deepEqual(backend.provisioned, [], "nothing was created by a refused request");
  });

  it("keeps a valid IPv4/IPv6 allow list, and [] reads back as null", async () => {
    const list = [
      { cidrBlock: "0.0.0.0/0", description: "everyone" },
      { cidrBlock: "2001:db8::/32", description: "v6" },
    ];
    const db = (await create({ ...BASE, ipAllowList: list })).body as Db;
    assert.deepEqual(db.ipAllowList, list);
    const cleared = await api("PATCH", `/postgres/${db.id}`, { ipAllowList: [] });
    assert.equal((cleared.body as Db).ipAllowList, null);
  });

  it("refuses changes to immutable fields on PATCH, accepts unchanged values", async () => {
    const db = (await create({ ...BASE, databaseName: "app" })).body as Db;
    expect400Naming(await api("PATCH", `/postgres/${db.id}`, { version: "17" }), "version");
    expect400Naming(await api("PATCH", `/postgres/${db.id}`, { region: "ohio" }), "region");
    expect400Naming(await api("PATCH", `/postgres/${db.id}`, { databaseName: "other" }), "databaseName");
    expect400Naming(await api("PATCH", `/postgres/${db.id}`, { databaseUser: "other" }), "databaseUser");
    expect400Naming(await api("PATCH", `/postgres/${db.id}`, { plan: "huge" }), "plan");
    expect400Naming(await api("PATCH", `/postgres/${db.id}`, { diskSizeGB: 1 }), "diskSizeGB");
    const same = await api("PATCH", `/postgres/${db.id}`, {
      version: "16",
      databaseName: "app",
      region: "oregon",
    });
    expectStatus(same, 200);
    const missing = await api("PATCH", "/postgres/dpg-aaaaaaaaaaaaaaaaaaaa-a", { name: "x" });
    assert.deepEqual(missing.body, { message: "not found: dpg-aaaaaaaaaaaaaaaaaaaa-a" });
  });

  it("suspends and resumes with 202 and no body; list filters by name, region, suspended and ownerId", async () => {
    const a = (await create({ ...BASE, name: "alpha" })).body as Db;
    const b = (await create({ ...BASE, name: "beta", region: "frankfurt" })).body as Db;
    const suspend = await api("POST", `/postgres/${a.id}/suspend`);
    expectStatus(suspend, 202);
    assert.equal(suspend.text, "");
    const got = (await api("GET", `/postgres/${a.id}`)).body as Db;
    assert.equal(got.suspended, "suspended");
    assert.equal(got.status, "suspended");
    assert.deepEqual(got.suspenders, ["user"]);
    const ids = async (query: string) =>
      ((await api("GET", `/postgres${query}`)).body as { postgres: Db }[]).map((item) => item.postgres.id);
    assert.deepEqual(await ids(""), [b.id, a.id], "newest first");
    assert.deepEqual(await ids("?name=alpha"), [a.id]);
    assert.deepEqual(await ids("?name=alpha,beta"), [b.id, a.id]);
    assert.deepEqual(await ids("?region=frankfurt"), [b.id]);
    assert.deepEqual(await ids("?suspended=suspended"), [a.id]);
    assert.deepEqual(await ids("?suspended=not_suspended"), [b.id]);
    assert.deepEqual(await ids(`?ownerId=tea-aaaaaaaaaaaaaaaaaaaa,${emu.ownerId}`), [b.id, a.id]);
    assert.deepEqual(await ids("?ownerId=tea-aaaaaaaaaaaaaaaaaaaa"), []);
    expect400Naming(await api("GET", "/postgres?suspended=maybe"), "suspended");
    expect400Naming(await api("GET", "/postgres?createdBefore=yesterday"), "createdBefore");
    const listItem = ((await api("GET", "/postgres?name=alpha")).body as { postgres: Db }[])[0].postgres;
    assert.equal(listItem.status, "suspended");
    expectStatus(await api("POST", `/postgres/${a.id}/resume`), 202);
    expectStatus(await api("POST", `/postgres/${a.id}/restart`), 202);
    expectStatus(await api("POST", "/postgres/dpg-aaaaaaaaaaaaaaaaaaaa-a/restart"), 404);
    assert.equal(((await api("GET", `/postgres/${a.id}`)).body as Db).suspended, "not_suspended");
  });

  it("deletes with 204, then 404; the real database is dropped", async () => {
    const db = (await create(BASE)).body as Db;
    backend.release(db.id);
    const deleted = await api("DELETE", `/postgres/${db.id}`);
    expectStatus(deleted, 204);
    assert.equal(deleted.text, "");
    expectStatus(await api("GET", `/postgres/${db.id}`), 404);
    expectStatus(await api("DELETE", `/postgres/${db.id}`), 404);
    await eventually(async () => backend.dropped.includes(db.id), "drop");
  });
});

describe("emulator postgres on a real database (PGlite + pgvector)", function () {
  let emu: RunningEmulator;
  let api: Api;

  before(async () => {
    emu = await start();
    api = apiOf(emu);
  });
  after(() => emu?.close());

  it("gives connection info of an available database that pg connects to, and runs a pgvector <-> query", async () => {
    const created = await api("POST", "/postgres", {
      ...BASE,
      ownerId: emu.ownerId,
      databaseName: "vectors",
    });
    expectStatus(created, 201);
    const id = (created.body as Db).id;
    await eventually(
      async () => ((await api("GET", `/postgres/${id}`)).body as Db).status === "available",
      "available",
      60_000,
    );
    const info = (await api("GET", `/postgres/${id}/connection-info`)).body as Record<string, string>;
    assert.match(info.password, /^[A-Za-z0-9]{32}$/);
    // As Render gives them: external without sslmode (TLS is required all the same), internal by id.
    assert.match(info.externalConnectionString, /^postgresql:\/\/.+@127\.0\.0\.1:\d+\/vectors_[a-z0-9]{4}$/);
    assert.match(
      info.internalConnectionString,
      /^postgresql:\/\/.+@dpg-[0-9a-v]{20}-a\/vectors_[a-z0-9]{4}$/,
    );
    assert.match(info.psqlCommand, /^PGPASSWORD=\S+ psql -h 127\.0\.0\.1 -p \d+ -U \S+ vectors_[a-z0-9]{4}$/);

    const client = new Client({ connectionString: info.externalConnectionString, ssl: { ca: emu.caCert } });
    await client.connect();
    try {
      await client.query("CREATE EXTENSION IF NOT EXISTS vector");
      await client.query("CREATE TABLE items (id int PRIMARY KEY, embedding vector(3))");
      await client.query("INSERT INTO items VALUES (1, '[1,1,1]'), (2, '[5,5,5]'), (3, '[2,2,2]')");
      const nearest = await client.query("SELECT id FROM items ORDER BY embedding <-> '[1.9,2,2]' LIMIT 2");
      assert.deepEqual(
        nearest.rows.map((r: { id: number }) => r.id),
        [3, 1],
      );
      const who = await client.query("SELECT current_user AS u, current_database() AS d");
      assert.equal(who.rows[0].u, (created.body as Db).databaseUser);
      assert.equal(who.rows[0].d, (created.body as Db).databaseName);
    } finally {
      await client.end();
    }
    expectStatus(await api("DELETE", `/postgres/${id}`), 204);
  });
});
