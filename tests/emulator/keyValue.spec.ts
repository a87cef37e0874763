/**
 * Key Value routes against Render's contract: every answer validated against openapi.json
 * (tests/helpers/openapi.ts), Render's recorded quirks (`red-` ids, 201 `unknown`, `ipAllowList: []` ->
 * null, `options`, no dashboardUrl on the detail), validation 400s naming the field and the allowed
 * values, immutable fields refused on PATCH, the lifecycle on the emulator clock, 401/404/429 on every
 * route, and the create rate limit.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { RunningEmulator } from "../../emulator";
import { renderSpecValidator } from "../helpers/openapi";
import type { RawResponse } from "../helpers/http";
import { apiOf, control, expect400Naming, expectStatus, start, type Api } from "./harness";

type Kv = Record<string, unknown> & {
  id: string;
  status: string;
  options: { maxmemoryPolicy?: string; persistenceMode?: string };
  ipAllowList: unknown;
};

const validator = renderSpecValidator();
const BASE = { name: "arrakis-cache", plan: "starter", region: "frankfurt" };

describe("emulator key value (contract, quirks, validation, lifecycle)", function () {
  let emu: RunningEmulator;
  let raw: Api;
  /** Every /v1 answer is checked against openapi.json. */
  const api: Api = async (method, path, body, apiKey) => {
    const response = await raw(method, path, body, apiKey);
    validator.validateResponse(method, path, response.status, response.body);
    return response;
  };
  const create = (body: Record<string, unknown> = {}) =>
    api("POST", "/key-value", { ownerId: emu.ownerId, ...BASE, ...body });
  const get = async (id: string) => (await api("GET", `/key-value/${id}`)).body as Kv;
  const advance = (ms: number) => control(emu, "POST", "/clock", { advanceMs: ms });
  /** The ids of a new project's environments (a resource is placed only in one that exists). */
  const environments = async () =>
    (
      (
        await api("POST", "/projects", {
          name: "arrakis",
          ownerId: emu.ownerId,
          environments: [{ name: "production" }, { name: "staging" }],
        })
      ).body as { environmentIds: string[] }
    ).environmentIds;

  beforeEach(async () => {
    emu = await start({ timings: "realistic" });
    raw = apiOf(emu);
  });
  afterEach(async () => {
    await emu?.close();
  });

  it("answers 201 with status unknown, a red- id, options and no dashboardUrl; creating then available by the clock", async () => {
    const response = await create({ maxmemoryPolicy: "allkeys_lru", ipAllowList: [] });
    expectStatus(response, 201);
    const kv = response.body as Kv;
    assert.equal(kv.status, "unknown");
    assert.match(kv.id, /^red-[0-9a-v]{20}$/);
    assert.deepEqual(kv.options, { maxmemoryPolicy: "allkeys_lru", persistenceMode: "journal_snapshot" });
    assert.equal(kv.ipAllowList, null);
    assert.equal(kv.region, "frankfurt");
    assert.equal("dashboardUrl" in kv, false);
    assert.equal((kv.owner as { id: string }).id, emu.ownerId);
    assert.equal((await get(kv.id)).status, "creating");
    await advance(59_000);
    assert.equal((await get(kv.id)).status, "creating");
    await advance(2_000);
    assert.equal((await get(kv.id)).status, "available");
  });

  it("lists with Render's wrapper and dashboardUrl, filtered by name, region, owner and environment", async () => {
    const [prod] = await environments();
    const a = (await create({ environmentId: prod })).body as Kv;
    const b = (await create({ name: "other-cache", region: "oregon" })).body as Kv;
    const list = async (query: string) =>
      ((await api("GET", `/key-value${query}`)).body as { keyValue: Kv; cursor: string }[]).map(
        (e) => e.keyValue.id,
      );
    assert.deepEqual(await list(""), [b.id, a.id]);
    const [item] = (await api("GET", "/key-value?name=arrakis-cache")).body as { keyValue: Kv }[];
    assert.equal(item.keyValue.dashboardUrl, `https://dashboard.render.com/r/${a.id}`);
    assert.deepEqual(await list("?region=oregon"), [b.id]);
    assert.deepEqual(await list(`?ownerId=${emu.ownerId}&name=other-cache,arrakis-cache`), [b.id, a.id]);
    assert.deepEqual(await list(`?environmentId=${prod}`), [a.id]);
    assert.deepEqual(await list("?limit=1"), [b.id]);
    expect400Naming(await api("GET", "/key-value?region=mars"), "region", "oregon");
  });

  it("gives Render's connection info forms; the external host is reserved (nothing listens there)", async () => {
    const kv = (await create()).body as Kv;
    const response = await api("GET", `/key-value/${kv.id}/connection-info`);
    expectStatus(response, 200);
    const info = response.body as Record<string, string>;
    assert.equal(info.internalConnectionString, `redis://${kv.id}:6379`);
    const external = new URL(info.externalConnectionString);
    assert.equal(external.protocol, "rediss:");
    assert.equal(external.username, kv.id);
    assert.match(external.password, /^[A-Za-z0-9]{32}$/);
    assert.equal(external.hostname, "frankfurt-keyvalue.render.invalid");
    assert.equal(external.port, "6377");
    assert.ok(info.cliCommand.includes(`REDISCLI_AUTH=${external.password} valkey-cli --user ${kv.id}`));
    assert.ok(info.cliCommand.endsWith("-p 6377 --tls"));
  });

  it("patches name, plan, policy, persistence and allow list; a plan change runs through creating", async () => {
    const kv = (await create()).body as Kv;
    await advance(61_000);
    const response = await api("PATCH", `/key-value/${kv.id}`, {
      name: "arrakis-cache-2",
      plan: "standard",
      maxmemoryPolicy: "volatile_ttl",
      persistenceMode: "snapshot",
      ipAllowList: [{ cidrBlock: "10.0.0.0/8", description: "vpn" }],
    });
    expectStatus(response, 200);
    const patched = response.body as Kv;
    assert.equal(patched.name, "arrakis-cache-2");
    assert.equal(patched.plan, "standard");
    assert.deepEqual(patched.options, { maxmemoryPolicy: "volatile_ttl", persistenceMode: "snapshot" });
    assert.deepEqual(patched.ipAllowList, [{ cidrBlock: "10.0.0.0/8", description: "vpn" }]);
    assert.equal(patched.status, "creating");
    await advance(46_000);
    assert.equal((await get(kv.id)).status, "available");
    // An allow list emptied comes back as null; a name-only change does not restart it.
    const emptied = (await api("PATCH", `/key-value/${kv.id}`, { ipAllowList: [], name: "c" })).body as Kv;
    assert.equal(emptied.ipAllowList, null);
    assert.equal(emptied.status, "available");
  });

  it("refuses an immutable field with another value on PATCH, naming it; the same value passes", async () => {
    const [prod, staging] = await environments();
    const kv = (await create({ environmentId: prod })).body as Kv;
    expect400Naming(
      await api("PATCH", `/key-value/${kv.id}`, { region: "ohio" }),
      "region",
      "cannot be changed",
    );
    expect400Naming(
      await api("PATCH", `/key-value/${kv.id}`, { ownerId: "tea-bbbbbbbbbbbbbbbbbbbb" }),
      "ownerId",
    );
    expect400Naming(await api("PATCH", `/key-value/${kv.id}`, { environmentId: staging }), "environmentId");
    expectStatus(await api("PATCH", `/key-value/${kv.id}`, { region: "frankfurt", name: "x" }), 200);
    assert.equal((await get(kv.id)).region, "frankfurt");
  });

  it("answers 400 naming the field and the allowed values, and creates nothing", async () => {
    const cases: [Record<string, unknown>, string[]][] = [
      [{ plan: "basic-256mb" }, ["plan", "free, starter, standard, pro, pro_plus, custom"]],
      [{ plan: undefined }, ["plan is required", "starter"]],
      [{ name: undefined }, ["name is required"]],
      [{ region: "mars" }, ["region", "frankfurt, oregon, ohio, singapore, virginia"]],
      [{ maxmemoryPolicy: "allkeys-lru" }, ["maxmemoryPolicy", "allkeys_lru", "volatile_ttl"]],
      [{ persistenceMode: "always" }, ["persistenceMode", "off, snapshot, journal_snapshot"]],
      [{ plan: "free", persistenceMode: "snapshot" }, ["persistenceMode", "free plan"]],
      [{ ipAllowList: [{ cidrBlock: "10.0.0.300/8", description: "bad" }] }, ["ipAllowList[0].cidrBlock"]],
      [{ ipAllowList: [{ cidrBlock: "10.0.0.0/8" }] }, ["ipAllowList[0].description is required"]],
    ];
    for (const [body, words] of cases) expect400Naming(await create(body), ...words);
    expect400Naming(await api("POST", "/key-value", "{ not json"), "JSON");
    const kv = (await create()).body as Kv;
    expect400Naming(await api("PATCH", `/key-value/${kv.id}`, { plan: "huge" }), "plan", "pro_plus");
    expect400Naming(
      await api("PATCH", `/key-value/${kv.id}`, { plan: "free" }),
      "persistenceMode",
      "free plan",
    );
    expectStatus(await api("PATCH", `/key-value/${kv.id}`, { plan: "free", persistenceMode: "off" }), 200);
    // A workspace the key cannot see: 404, as for Postgres (the spec lists 404 on this route).
    expectStatus(await api("POST", "/key-value", { ...BASE, ownerId: "tea-x", plan: "free" }), 404);
    assert.equal(((await api("GET", "/key-value")).body as unknown[]).length, 1);
  });

  it("defaults: no persistence on the free plan, journal_snapshot on paid, oregon, noeviction", async () => {
    const free = (await create({ plan: "free", region: undefined })).body as Kv;
    assert.deepEqual(free.options, { maxmemoryPolicy: "noeviction", persistenceMode: "off" });
    assert.equal(free.region, "oregon");
    const paid = (await create({ name: "paid" })).body as Kv;
    assert.equal(paid.options.persistenceMode, "journal_snapshot");
  });

  it("suspends and resumes (202, no body), deletes (204), then answers 404", async () => {
    const kv = (await create()).body as Kv;
    await advance(61_000);
    expectStatus(await api("POST", `/key-value/${kv.id}/suspend`), 202);
    assert.equal((await get(kv.id)).status, "suspended");
    expectStatus(await api("POST", `/key-value/${kv.id}/resume`), 202);
    assert.equal((await get(kv.id)).status, "available");
    expectStatus(await api("DELETE", `/key-value/${kv.id}`), 204);
    for (const [method, path] of [
      ["GET", `/key-value/${kv.id}`],
      ["GET", `/key-value/${kv.id}/connection-info`],
      ["DELETE", `/key-value/${kv.id}`],
    ] as const) {
      const response = await api(method, path);
      expectStatus(response, 404);
      assert.deepEqual(response.body, { message: `not found: ${kv.id}` });
    }
  });

  it("every route: 401 without or with a wrong key, 404 for an unknown id, 429 from an injected fault", async () => {
    const kv = (await create()).body as Kv;
    const unknown = "red-aaaaaaaaaaaaaaaaaaaa";
    const routes: [string, string, unknown?][] = [
      ["GET", "/key-value"],
      ["POST", "/key-value", { ...BASE, ownerId: emu.ownerId }],
      ["GET", "/key-value/{id}"],
      ["PATCH", "/key-value/{id}", { name: "renamed" }],
      ["GET", "/key-value/{id}/connection-info"],
      ["POST", "/key-value/{id}/suspend"],
      ["POST", "/key-value/{id}/resume"],
      ["DELETE", "/key-value/{id}"],
    ];
    const expect = (response: RawResponse, status: number, what: string) =>
      assert.equal(response.status, status, `${what}: ${response.text.slice(0, 200)}`);
    for (const [method, template, body] of routes) {
      const path = template.replace("{id}", kv.id);
      for (const key of [null, "rnd_wrongwrongwrongwrongwrong"])
        expect(await api(method, path, body, key), 401, `${method} ${template} key ${key ?? "missing"}`);
      if (template.includes("{id}")) {
        const missing = await api(method, template.replace("{id}", unknown), body);
        expect(missing, 404, `${method} ${template} unknown id`);
      }
      await control(emu, "POST", "/faults", {
        method,
        path: `/v1${path}`,
        count: 1,
        fault: { kind: "status", status: 429, retryAfter: 1 },
      });
      expect(await api(method, path, body), 429, `${method} ${template} fault`);
    }
    // The faults and refusals changed nothing.
    assert.equal((await get(kv.id)).name, "arrakis-cache");
  });

  it("limits creates to 20 an hour (OBSERVED Ratelimit-Limit 20), with Render's 429 shape and headers", async () => {
    await control(emu, "PUT", "/rate-limits", { enabled: true, timeScale: 1 });
    const statuses: number[] = [];
    let limited: RawResponse | undefined;
    for (let i = 0; i < 21; i++) {
      const response = await create({ name: `cache-${i}`, plan: "free" });
      statuses.push(response.status);
      if (response.status === 429) limited = response;
    }
    assert.deepEqual(statuses, [...Array<number>(20).fill(201), 429]);
    assert.equal(limited?.headers["ratelimit-limit"], "20");
    validator.validateSchema("error", limited?.body);
    // Other writes have their own window.
    const [first] = (await api("GET", "/key-value?name=cache-0")).body as { keyValue: Kv }[];
    expectStatus(await api("PATCH", `/key-value/${first.keyValue.id}`, { name: "cache-0b" }), 200);
  });

  it("keeps Key Value instances across a restart with a state folder; the state dump lists them; reset wipes them", async () => {
    const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "emulator-kv-state-"));
    try {
      await emu.close();
      const identity = { stateDir, apiKey: emu.apiKey, ownerId: emu.ownerId };
      emu = await start({ ...identity, timings: "realistic" });
      raw = apiOf(emu);
      const kv = (await create({ maxmemoryPolicy: "allkeys_lfu" })).body as Kv;
      await emu.close();
      emu = await start({ ...identity, timings: "realistic" });
      raw = apiOf(emu);
      const back = await get(kv.id);
      assert.deepEqual(back.options, kv.options);
      const dump = (await control(emu, "GET", "/state")) as { keyValues: Kv[] };
      assert.deepEqual(
        dump.keyValues.map((k) => k.id),
        [kv.id],
      );
      await control(emu, "POST", "/reset");
      expectStatus(await api("GET", `/key-value/${kv.id}`), 404);
    } finally {
      await emu.close();
      fs.rmSync(stateDir, { recursive: true, force: true });
    }
  });
});
