/**
 * The control API: each fault kind (status with and without Retry-After, delay, reset, lose-response
 * that still applies the write), matching by method and glob, count and rate; the request log; reset;
 * timings; state dump; service health; and Render's rate limits (time-scaled windows).
 */
import { strict as assert } from "node:assert";
import { Pool, request } from "undici";
import type { RunningEmulator } from "../../emulator";
import { callApi } from "../helpers/http";
import { apiOf, control, eventually, expectStatus, start, webServiceBody, type Api } from "./harness";

type Logged = {
  method: string;
  path: string;
  query: string;
  status: number;
  durationMs: number;
  at: string;
  fault?: string;
};

describe("emulator control API", function () {
  let emu: RunningEmulator;
  let api: Api;

  before(async () => {
    emu = await start();
    api = apiOf(emu);
  });
  after(() => emu?.close());
  beforeEach(async () => {
    await control(emu, "POST", "/reset");
    await control(emu, "PUT", "/rate-limits", { enabled: false, timeScale: 1 });
  });

  const createService = async (name: string) => {
    const response = await api("POST", "/services", webServiceBody(emu.ownerId, name));
    expectStatus(response, 201);
    return (response.body as { service: { id: string; serviceDetails: { url: string } } }).service;
  };

  describe("faults", () => {
    it("status: Render-shaped body, Retry-After only when given, Ratelimit-* headers, for the next N matches", async () => {
      await control(emu, "POST", "/faults", {
        method: "GET",
        path: "/v1/owners",
        count: 2,
        fault: { kind: "status", status: 429, retryAfter: 7 },
      });
      for (let i = 0; i < 2; i++) {
        const limited = await api("GET", "/owners");
        expectStatus(limited, 429);
        assert.deepEqual(limited.body, { message: "rate limit exceeded" });
        assert.equal(limited.headers["retry-after"], "7");
        assert.match(String(limited.headers["ratelimit-limit"]), /^\d+$/);
      }
      expectStatus(await api("GET", "/owners"), 200);

      await control(emu, "POST", "/faults", { path: "/v1/owners", fault: { kind: "status", status: 429 } });
      const bare = await api("GET", "/owners");
      expectStatus(bare, 429);
      assert.equal(bare.headers["retry-after"], undefined, "no Retry-After unless the fault sets one");

      await control(emu, "POST", "/faults", {
        path: "/v1/owners",
        fault: { kind: "status", status: 503, body: { id: "unavailable", message: "try later" } },
      });
      const custom = await api("GET", "/owners");
      expectStatus(custom, 503);
      assert.deepEqual(custom.body, { id: "unavailable", message: "try later" });
    });

    it("matches by method and glob (* = one segment, ** = any), and a status fault changes nothing", async () => {
      await control(emu, "POST", "/faults", {
        method: "POST",
        path: "/v1/services/*/deploys",
        fault: { kind: "status", status: 500 },
      });
      const service = await createService("glob");
      expectStatus(await api("GET", `/services/${service.id}/deploys`), 200);
      expectStatus(await api("POST", `/services/${service.id}/deploys`, {}), 500);
      const deploys = (await api("GET", `/services/${service.id}/deploys`)).body as unknown[];
      assert.equal(deploys.length, 1, "the faulted POST did not create a deploy");
      await control(emu, "POST", "/faults", {
        path: "/v1/**",
        count: 3,
        fault: { kind: "status", status: 502 },
      });
      expectStatus(await api("GET", "/owners"), 502);
      expectStatus(await api("GET", `/services/${service.id}/env-vars`), 502);
      expectStatus(await api("DELETE", `/services/${service.id}`), 502);
      expectStatus(await api("GET", `/services/${service.id}`), 200);
      const faults = (await control(emu, "GET", "/faults")) as unknown[];
      assert.deepEqual(faults, []);
    });

    it("delay: answers normally after the delay", async () => {
      await control(emu, "POST", "/faults", { path: "/v1/owners", fault: { kind: "delay", ms: 150 } });
      const started = Date.now();
      const response = await api("GET", "/owners");
      expectStatus(response, 200);
      assert.ok(Date.now() - started >= 140, `took ${Date.now() - started} ms`);
    });

    it("reset: the connection is destroyed before answering and nothing is applied", async () => {
      const service = await createService("reset");
      await control(emu, "POST", "/faults", {
        method: "PUT",
        path: `/v1/services/${service.id}/env-vars/*`,
        fault: { kind: "reset" },
      });
      await assert.rejects(
        api("PUT", `/services/${service.id}/env-vars/X`, { value: "1" }),
        /socket|closed|reset|other side/i,
      );
      expectStatus(await api("GET", `/services/${service.id}/env-vars/X`), 404);
      const log = (await control(emu, "GET", "/requests")) as Logged[];
      const entry = log.find((e) => e.method === "PUT");
      assert.equal(entry?.status, 0);
      assert.equal(entry?.fault, "reset");
    });

    it("lose-response: the write is applied, then the connection is destroyed", async () => {
      await control(emu, "POST", "/faults", {
        method: "POST",
        path: "/v1/services",
        fault: { kind: "lose-response" },
      });
      await assert.rejects(
        api("POST", "/services", webServiceBody(emu.ownerId, "lost")),
        /socket|closed|reset|other side/i,
      );
      const list = (await api("GET", "/services?name=lost")).body as unknown[];
      assert.equal(list.length, 1, "the service exists although the client never heard");
      const log = (await control(emu, "GET", "/requests")) as Logged[];
      const entry = log.find((e) => e.method === "POST");
      assert.equal(entry?.status, 201);
      assert.equal(entry?.fault, "lose-response");
    });

    it("rate: fires on about that share of matches until cleared; DELETE clears; bad faults are 400", async () => {
      await control(emu, "POST", "/faults", {
        path: "/v1/owners",
        rate: 0.5,
        fault: { kind: "status", status: 503 },
      });
      const statuses: number[] = [];
      for (let i = 0; i < 200; i++) statuses.push((await api("GET", "/owners")).status);
      const failed = statuses.filter((s) => s === 503).length;
      assert.ok(failed > 50 && failed < 150, `${failed} of 200 failed at rate 0.5`);
      const always = (await control(emu, "POST", "/faults", {
        path: "/v1/owners",
        rate: 1,
        fault: { kind: "status", status: 500 },
      })) as { id: string };
      assert.equal(typeof always.id, "string");
      await control(emu, "DELETE", "/faults");
      expectStatus(await api("GET", "/owners"), 200);
      for (const bad of [
        { path: "/v1/owners", fault: { kind: "explode" } },
        { fault: { kind: "reset" } },
        { path: "/v1/owners", count: 0, fault: { kind: "reset" } },
        { path: "/v1/owners", rate: 2, fault: { kind: "reset" } },
        { path: "/v1/owners", fault: { kind: "status", status: 42 } },
      ]) {
        const response = await callApi(emu.controlUrl, "POST", "/faults", { apiKey: null, body: bad });
        expectStatus(response, 400);
      }
    });
  });

  it("logs /v1 requests (method, path, query, status, duration, time) and never bodies or headers", async () => {
    await control(emu, "DELETE", "/requests");
    await api("GET", "/owners?limit=5");
    await api("GET", "/owners", undefined, null);
    await api("PUT", "/services/srv-aaaaaaaaaaaaaaaaaaaa/env-vars/K", { value: "secret-value" });
    const log = (await control(emu, "GET", "/requests")) as Logged[];
    assert.deepEqual(
      log.map((e) => [e.method, e.path, e.query, e.status]),
      [
        ["GET", "/v1/owners", "limit=5", 200],
        ["GET", "/v1/owners", "", 401],
        ["PUT", "/v1/services/srv-aaaaaaaaaaaaaaaaaaaa/env-vars/K", "", 404],
      ],
    );
    for (const entry of log) {
      assert.equal(typeof entry.durationMs, "number");
      assert.ok(!Number.isNaN(Date.parse(entry.at)));
    }
    const text = JSON.stringify(log);
    assert.ok(!text.includes("secret-value") && !text.includes(emu.apiKey), "no bodies or keys in the log");
    await control(emu, "DELETE", "/requests");
    assert.deepEqual(await control(emu, "GET", "/requests"), []);
  });

  it("GET /requests?after=N&waitMs=M answers when a request is logged, or after M ms; bad values are 400", async () => {
    await control(emu, "DELETE", "/requests");
    // Nothing logged: the wait runs its whole time and answers the same (empty) log.
    const started = Date.now();
    assert.deepEqual(await control(emu, "GET", "/requests?after=0&waitMs=300"), []);
    assert.ok(Date.now() - started >= 290, `answered after ${Date.now() - started} ms, before the wait`);
    // A request while a long wait is pending: the answer comes with it, long before the wait ends.
    const waiting = control(emu, "GET", "/requests?after=0&waitMs=30000") as Promise<Logged[]>;
    const asked = Date.now();
    await api("GET", "/owners");
    const log = await waiting;
    assert.deepEqual(
      log.map((e) => [e.method, e.path]),
      [["GET", "/v1/owners"]],
    );
    assert.ok(Date.now() - asked < 10_000, "the wait did not end with the request");
    // The log already differs from what the client saw: at once.
    assert.equal(((await control(emu, "GET", "/requests?after=5&waitMs=30000")) as Logged[]).length, 1);
    for (const query of ["after=-1", "after=x", "after=0&waitMs=60001", "after=0&waitMs=1.5"]) {
      expectStatus(await callApi(emu.controlUrl, "GET", `/requests?${query}`, { apiKey: null }), 400);
    }
  });

  it("reset wipes objects, faults and the log, and keeps key and workspace", async () => {
    await createService("before-reset");
    await control(emu, "POST", "/faults", { path: "/v1/never", fault: { kind: "reset" } });
    await control(emu, "POST", "/reset");
    assert.deepEqual(await control(emu, "GET", "/requests"), []);
    assert.deepEqual(await control(emu, "GET", "/faults"), []);
    assert.deepEqual((await api("GET", "/services")).body, []);
    expectStatus(await api("GET", `/owners/${emu.ownerId}`), 200);
  });

  it("timings: PUT merges, GET reads, unknown keys are 400; new lifecycles use them", async () => {
    const timings = (await control(emu, "PUT", "/timings", { build: 5 })) as Record<string, number>;
    assert.equal(timings.build, 5);
    assert.equal(timings.update, 100, "the fast preset kept");
    const bad = await callApi(emu.controlUrl, "PUT", "/timings", { apiKey: null, body: { bulid: 5 } });
    expectStatus(bad, 400);
    const service = await createService("timed");
    const deploys = `/services/${service.id}/deploys`;
    await eventually(
      async () =>
        ((await api("GET", deploys)).body as { deploy: { status: string } }[])[0].deploy.status === "live",
      "live",
    );
    await control(emu, "PUT", "/timings", { build: 400 });
  });

  it("next-name-suffix: the next new database gets that suffix once; bad suffixes are 400", async () => {
    const body = (name: string) => ({
      name,
      ownerId: emu.ownerId,
      plan: "basic_256mb",
      version: "17",
      databaseName: "arrakis_production",
    });
    assert.deepEqual(await control(emu, "PUT", "/postgres/next-name-suffix", { suffix: "bq3v" }), {
      suffix: "bq3v",
    });
    const first = await api("POST", "/postgres", body("seeded-db"));
    expectStatus(first, 201);
    assert.equal((first.body as { databaseName: string }).databaseName, "arrakis_production_bq3v");
    const second = await api("POST", "/postgres", body("random-db"));
    expectStatus(second, 201);
    const random = (second.body as { databaseName: string }).databaseName;
    assert.match(random, /^arrakis_production_[a-z0-9]{4}$/);
    assert.notEqual(random, "arrakis_production_bq3v");
    for (const suffix of ["BQ3V", "bq3", "bq3v5", 7]) {
      const bad = await callApi(emu.controlUrl, "PUT", "/postgres/next-name-suffix", {
        apiKey: null,
        body: { suffix },
      });
      expectStatus(bad, 400);
    }
  });

  it("state dump renders every object; env var values are left out", async () => {
    const service = await createService("dumped");
    await api("PUT", `/services/${service.id}/env-vars/K`, { value: "hidden-value" });
    const state = (await control(emu, "GET", "/state")) as {
      services: { id: string; envVarKeys: string[] }[];
      deploys: unknown[];
    };
    assert.equal(state.services[0].id, service.id);
    assert.deepEqual(state.services[0].envVarKeys, ["K"]);
    assert.equal(state.deploys.length, 1);
    assert.ok(!JSON.stringify(state).includes("hidden-value"));
  });

  it("service health: healthy 200 by default on any path, settable unhealthy / status / delay; suspended is 503", async () => {
    const service = await createService("healthy");
    const url = service.serviceDetails.url;
    const get = async (path = "/healthz") => {
      const started = Date.now();
      const response = await request(`${url}${path}`);
      await response.body.text();
      return { status: response.statusCode, ms: Date.now() - started };
    };
    await eventually(async () => (await get()).status === 200, "reachable once live");
    assert.equal((await get("/any/other/path")).status, 200);
    await control(emu, "PUT", `/services/${service.id}/health`, { healthy: false });
    assert.equal((await get()).status, 503);
    await control(emu, "PUT", `/services/${service.id}/health`, { healthy: false, status: 500 });
    assert.equal((await get()).status, 500);
    await control(emu, "PUT", `/services/${service.id}/health`, { healthy: true, delayMs: 120 });
    const slow = await get();
    assert.equal(slow.status, 200);
    assert.ok(slow.ms >= 110, `slow answer took ${slow.ms} ms`);
    await control(emu, "PUT", `/services/${service.id}/health`, { delayMs: 0 });
    await api("POST", `/services/${service.id}/suspend`);
    assert.equal((await get()).status, 503);
    await api("POST", `/services/${service.id}/resume`);
    assert.equal((await get()).status, 200);
    const unknown = await request(`${url}-nope/healthz`);
    await unknown.body.text();
    assert.equal(unknown.statusCode, 404);
  });

  it("service health set to 204 answers without a body, and the keep-alive connection serves the next request", async () => {
    const service = await createService("no-content");
    const url = service.serviceDetails.url;
    await eventually(async () => {
      const response = await request(`${url}/`);
      await response.body.text();
      return response.statusCode === 200;
    }, "reachable once live");
    await control(emu, "PUT", `/services/${service.id}/health`, { healthy: true, status: 204 });
    // One pooled connection: a body after a 204 would be read as the start of the next answer.
    const pool = new Pool(new URL(url).origin, { connections: 1, bodyTimeout: 2_000, headersTimeout: 2_000 });
    try {
      for (const method of ["GET", "GET", "HEAD"] as const) {
        const response = await pool.request({ method, path: new URL(url).pathname + "/healthz" });
        assert.equal(response.statusCode, 204);
        assert.equal(await response.body.text(), "");
      }
      await control(emu, "PUT", `/services/${service.id}/health`, { status: 200 });
      const ok = await pool.request({ method: "GET", path: new URL(url).pathname + "/healthz" });
      assert.equal(ok.statusCode, 200);
      assert.equal((JSON.parse(await ok.body.text()) as { healthy: boolean }).healthy, true);
    } finally {
      await pool.close();
    }
  });

  describe("rate limits", () => {
    it("sends Ratelimit-* headers on every /v1 response, counting down within the window", async () => {
      await control(emu, "PUT", "/rate-limits", { enabled: true, timeScale: 1 });
      const first = await api("GET", "/owners");
      const second = await api("GET", "/owners");
      assert.equal(first.headers["ratelimit-limit"], "400");
      assert.equal(
        Number(first.headers["ratelimit-remaining"]) - 1,
        Number(second.headers["ratelimit-remaining"]),
      );
      const reset = Number(second.headers["ratelimit-reset"]);
      assert.ok(reset >= 1 && reset <= 60, `reset ${reset}`);
      const unauthorized = await api("GET", "/owners", undefined, null);
      assert.match(String(unauthorized.headers["ratelimit-limit"]), /^\d+$/);
    });

    it("refuses writes past 30 a minute with 429, Retry-After and headers; a new window lets them through", async () => {
      await control(emu, "PUT", "/rate-limits", { enabled: true, timeScale: 0.5 }); // a minute lasts 30 s
      const service = await createService("limited");
      const statuses: number[] = [];
      let limited;
      for (let i = 0; i < 40; i++) {
        const response = await api("PUT", `/services/${service.id}/env-vars/K${i}`, { value: "v" });
        statuses.push(response.status);
        if (response.status === 429) limited ??= response;
      }
      assert.ok(limited, `no 429 in ${statuses.join(",")}`);
      assert.deepEqual(statuses, [...Array(30).fill(200), ...Array(10).fill(429)]);
      assert.equal(limited.headers["ratelimit-limit"], "30");
      assert.equal(limited.headers["ratelimit-remaining"], "0");
      const retryAfter = Number(limited.headers["retry-after"]);
      assert.ok(
        retryAfter >= 1 && retryAfter <= 30,
        `Retry-After ${retryAfter} within the scaled 30 s window`,
      );
      assert.ok(Number(limited.headers["ratelimit-reset"]) <= 30);
      assert.deepEqual(limited.body, { message: "rate limit exceeded" });
      await control(emu, "POST", "/clock", { advanceMs: 30_000 });
      expectStatus(await api("PUT", `/services/${service.id}/env-vars/AFTER`, { value: "v" }), 200);
    });

    it("limits PATCH/deploy 10 a minute per service, separately per service; advancing the clock opens a new window", async () => {
      await control(emu, "PUT", "/rate-limits", { enabled: true, timeScale: 1 });
      const a = await createService("per-a");
      const b = await createService("per-b");
      const patch = (id: string, i: number) =>
        api("PATCH", `/services/${id}`, { autoDeploy: i % 2 ? "yes" : "no" });
      for (let i = 0; i < 5; i++) expectStatus(await patch(a.id, i), 200);
      for (let i = 0; i < 5; i++) expectStatus(await api("POST", `/services/${a.id}/deploys`, {}), 201);
      const limited = await patch(a.id, 11);
      expectStatus(limited, 429);
      assert.equal(limited.headers["ratelimit-limit"], "10");
      expectStatus(await patch(b.id, 0), 200);
      expectStatus(await api("PUT", `/services/${a.id}/env-vars/K`, { value: "v" }), 200);
      await control(emu, "POST", "/clock", { advanceMs: 60_000 });
      expectStatus(await patch(a.id, 12), 200);
    });

    it("limits POST /services to 20 an hour, and turns off per instance", async () => {
      await control(emu, "PUT", "/rate-limits", { enabled: true, timeScale: 1 });
      for (let i = 0; i < 20; i++) await createService(`hourly-${i}`);
      const over = await api("POST", "/services", webServiceBody(emu.ownerId, "hourly-20"));
      expectStatus(over, 429);
      assert.equal(over.headers["ratelimit-limit"], "20");
      assert.ok(Number(over.headers["retry-after"]) > 60, "an hour's window");
      await control(emu, "PUT", "/rate-limits", { enabled: false });
      expectStatus(await api("POST", "/services", webServiceBody(emu.ownerId, "hourly-20")), 201);
    });
  });
});
