import assert from "node:assert/strict";
import { providerConfigFrom } from "../../../components/runtime/config";
import {
  bucketsFor,
  describeLimit,
  RateBudget,
  RateBudgetExceeded,
  renderRateLimits,
  sharedRateBudget,
} from "../../../components/render/budget";

/** A virtual clock: sleep(ms) moves time to the sleeper's wake-up time. */
function virtualTime() {
  let t = 0;
  return {
    now: () => t,
    set: (v: number) => (t = v),
    sleep: (ms: number) => {
      const wake = t + ms;
      return Promise.resolve().then(() => {
        t = Math.max(t, wake);
      });
    },
  };
}

describe("render rate budget", () => {
  it("has Render's published limits", () => {
    const l = renderRateLimits();
    assert.deepEqual(l.get, { limit: 400, windowMs: 60_000 });
    assert.deepEqual(l.write, { limit: 30, windowMs: 60_000 });
    assert.deepEqual(l.createService, { limit: 20, windowMs: 3_600_000 });
    assert.deepEqual(l.createKeyValue, { limit: 20, windowMs: 3_600_000 });
    assert.deepEqual(l.serviceWrite, { limit: 10, windowMs: 60_000 });
  });

  it("sorts requests into buckets", () => {
    const ids = (m: string, p: string) => bucketsFor(m, p).map((b) => b.id);
    assert.deepEqual(ids("GET", "/services?name=x"), ["get"]);
    assert.deepEqual(ids("GET", "/postgres/dpg-1/connection-info"), ["get"]);
    assert.deepEqual(ids("POST", "/services"), ["createService"]);
    assert.deepEqual(ids("PATCH", "/services/srv-1"), ["service:srv-1"]);
    assert.deepEqual(ids("POST", "/services/srv-1/deploys"), ["service:srv-1"]);
    assert.deepEqual(ids("POST", "/services/srv-1/suspend"), ["service:srv-1"]);
    assert.deepEqual(ids("POST", "/services/srv-1/resume"), ["service:srv-1"]);
    assert.deepEqual(ids("POST", "/services/srv-1/scale"), ["service:srv-1"]);
    assert.deepEqual(ids("POST", "/services/srv-1/rollback"), ["service:srv-1", "write"]);
    assert.deepEqual(ids("POST", "/postgres"), ["write"]);
    // Key Value creates: their own hourly limit (as the emulator's), not the general write one.
    assert.deepEqual(ids("POST", "/key-value"), ["createKeyValue"]);
    assert.deepEqual(ids("PATCH", "/key-value/red-1"), ["write"]);
    assert.deepEqual(ids("DELETE", "/services/srv-1"), ["write"]);
    assert.deepEqual(ids("PUT", "/services/srv-1/env-vars"), ["write"]);
    assert.deepEqual(ids("POST", "/services/srv-1/deploys/dep-1/cancel"), ["write"]);
  });

  it("lets `limit` requests start at once and the next one a window after the first finished", async () => {
    const time = virtualTime();
    const budget = new RateBudget({ ...time, limits: { get: { limit: 3, windowMs: 1000 } }, safetyMs: 0 });
    const releases = [];
    for (let i = 0; i < 3; i++) releases.push(await budget.acquire("GET", "/x"));
    assert.equal(time.now(), 0);
    time.set(200);
    releases[0]();
    time.set(300);
    releases[1]();
    releases[2]();
    (await budget.acquire("GET", "/x"))();
    assert.equal(time.now(), 1200);
    (await budget.acquire("GET", "/x"))();
    assert.equal(time.now(), 1300);
  });

  it("keeps per-service buckets apart", async () => {
    const time = virtualTime();
    const budget = new RateBudget({ ...time, safetyMs: 0 });
    for (let i = 0; i < 10; i++) (await budget.acquire("PATCH", "/services/srv-a"))();
    for (let i = 0; i < 10; i++) (await budget.acquire("PATCH", "/services/srv-b"))();
    assert.equal(time.now(), 0);
    (await budget.acquire("POST", "/services/srv-a/deploys"))();
    assert.equal(time.now(), 60_000);
  });

  it("scales windows by timeScale", async () => {
    const time = virtualTime();
    const budget = new RateBudget({ ...time, timeScale: 0.01, safetyMs: 0 });
    assert.equal(budget.windowMs("get"), 600);
    for (let i = 0; i < 31; i++) (await budget.acquire("DELETE", "/postgres/x"))();
    assert.equal(time.now(), 600);
  });

  it("does not wait past the caller's longest wait: it says when the request may start, and sends nothing", async () => {
    const time = virtualTime();
    const budget = new RateBudget({ ...time, safetyMs: 0 });
    for (let i = 0; i < 20; i++) (await budget.acquire("POST", "/services", 180_000))();
    time.set(1000);
    const refused = await budget.acquire("POST", "/services", 180_000).then(
      () => assert.fail("the 21st POST /services of the hour started"),
      (err: unknown) => err,
    );
    assert.ok(refused instanceof RateBudgetExceeded);
    assert.equal(refused.untilMs, 3_600_000);
    assert.equal(refused.waitMs, 3_599_000);
    assert.deepEqual(refused.limit, { limit: 20, windowMs: 3_600_000 });
    assert.equal(time.now(), 1000, "it waited");
    // A hold from Render's 429 is not waited for either, nor is anything else of its bucket.
    budget.hold("GET", "/x", 500_000);
    await assert.rejects(budget.acquire("GET", "/y", 180_000), RateBudgetExceeded);
    // Shorter waits are waited out as before.
    (await budget.acquire("POST", "/postgres", 180_000))();
    assert.equal(time.now(), 1000);
  });

  it("words Render's published limits", () => {
    assert.equal(describeLimit("POST", "/services"), "20 POST /services per hour");
    assert.equal(describeLimit("POST", "/key-value"), "20 POST /key-value per hour");
    assert.equal(describeLimit("GET", "/services"), "400 GET requests per minute");
    assert.equal(
      describeLimit("PATCH", "/services/srv-1"),
      "10 changes and deploys of one service per minute",
    );
    assert.equal(describeLimit("DELETE", "/postgres/dpg-1"), "30 writes per minute");
  });

  it("waits out a hold placed after a 429", async () => {
    const time = virtualTime();
    const budget = new RateBudget({ ...time, safetyMs: 0 });
    budget.hold("GET", "/x", 5000);
    (await budget.acquire("GET", "/y"))();
    assert.equal(time.now(), 5000);
    (await budget.acquire("POST", "/postgres"))();
    assert.equal(time.now(), 5000);
  });

  it("never lets more than `limit` starts into any window, with concurrent requests of any duration", async () => {
    // Real (millisecond) time: 40 concurrent requests, some lasting longer than the window.
    const limit = 5;
    const windowMs = 20;
    const now = () => performance.now();
    const budget = new RateBudget({ now, limits: { get: { limit, windowMs } }, safetyMs: 1 });
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const starts: number[] = [];
    await Promise.all(
      Array.from({ length: 40 }, async () => {
        const release = await budget.acquire("GET", "/x");
        starts.push(now());
        await new Promise((resolve) => setTimeout(resolve, random() * 40));
        release();
      }),
    );
    starts.sort((a, b) => a - b);
    for (let i = 0; i + limit < starts.length; i++) {
      assert.ok(
        starts[i + limit] - starts[i] >= windowMs,
        `starts ${i}..${i + limit} fall within one window`,
      );
    }
  });

  it("shares one budget per base URL in the process", () => {
    assert.equal(sharedRateBudget("http://a/v1"), sharedRateBudget("http://a/v1"));
    assert.notEqual(sharedRateBudget("http://a/v1"), sharedRateBudget("http://b/v1"));
  });

  it("keeps a time-scaled budget apart from the real one of the same base URL", () => {
    assert.equal(sharedRateBudget("http://a/v1", 1), sharedRateBudget("http://a/v1"));
    assert.equal(sharedRateBudget("http://a/v1", 0.01), sharedRateBudget("http://a/v1", 0.01));
    assert.notEqual(sharedRateBudget("http://a/v1", 0.01), sharedRateBudget("http://a/v1"));
  });

  it("providers read render:rateLimitTimeScale from stack config, ignoring nonsense", () => {
    const from = (values: Record<string, string>) => providerConfigFrom((key) => values[key]);
    assert.deepEqual(from({ "render:apiKey": "k", "render:apiUrl": "http://x/v1" }), {
      apiKey: "k",
      apiUrl: "http://x/v1",
    });
    assert.equal(from({ "render:rateLimitTimeScale": "0.005" }).rateLimitTimeScale, 0.005);
    for (const bad of ["0", "-1", "fast", "1"])
      assert.equal(from({ "render:rateLimitTimeScale": bad }).rateLimitTimeScale, undefined, bad);
  });

  it("providers read render:requestTimeoutMs from stack config, ignoring nonsense (default: the client's 30 s)", () => {
    const from = (values: Record<string, string>) => providerConfigFrom((key) => values[key]);
    assert.equal(from({ "render:requestTimeoutMs": "10000" }).requestTimeoutMs, 10_000);
    for (const bad of ["0", "-1", "fast", "1.5", ""])
      assert.equal(from({ "render:requestTimeoutMs": bad }).requestTimeoutMs, undefined, bad);
  });
});
