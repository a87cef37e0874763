import assert from "node:assert/strict";
import { startEmulator } from "../../../../emulator";
import { RateBudget } from "../../../../components/render/budget";
import { RenderClient } from "../../../../components/render/client";
import { isRenderApiError, type RenderApiError } from "../../../../components/render/errors";
import { control, requestLog, type Emulator } from "./harness";

async function rejection(p: Promise<unknown>): Promise<RenderApiError> {
  try {
    await p;
  } catch (err) {
    assert.ok(isRenderApiError(err), `expected RenderApiError, got ${String(err)}`);
    return err;
  }
  assert.fail("expected a rejection");
}

const webService = (ownerId: string, name: string) => ({
  type: "web_service" as const,
  name,
  ownerId,
  repo: "https://github.com/example/arrakis",
  branch: "main",
  autoDeploy: "no" as const,
  serviceDetails: {
    runtime: "node",
    plan: "starter",
    region: "oregon",
    envSpecificDetails: { buildCommand: "npm ci", startCommand: "node server.js" },
  },
});

/** The time a readable rate-limit message says to try again after. */
const retryAt = (message: string) =>
  Date.parse(/Try again after (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)$/.exec(message)?.[1] ?? "");

// The emulator's Render limits, time-scaled: a 60 s window lasts 0.3 s.
const timeScale = 0.005;

describe("render client against the emulator: rate limits", function () {
  let emu: Emulator;

  before(async () => {
    emu = await startEmulator({ port: 0, timings: "fast", rateLimits: { enabled: true, timeScale } });
  });
  after(async () => {
    await emu.close();
  });
  beforeEach(async () => {
    await control(emu, "POST", "/reset");
    await control(emu, "PUT", "/rate-limits", { enabled: true, timeScale });
  });

  it("with the budget, a burst past the GET limit gets no 429", async () => {
    const client = new RenderClient({
      apiKey: emu.apiKey,
      baseUrl: emu.url,
      budget: new RateBudget({ timeScale }),
    });
    await Promise.all(Array.from({ length: 450 }, () => client.getOwner(emu.ownerId)));
    const log = await requestLog(emu, "GET", `/v1/owners/${emu.ownerId}`);
    assert.equal(log.length, 450);
    assert.equal(log.filter((r) => r.status === 429).length, 0);
    await client.close();
  });

  it("without the budget, the server's 429s are waited out and every call succeeds", async () => {
    // A 6 s window: long enough that the whole burst lands in one window even on a loaded machine
    // (so the server must refuse at least 20 of 420), short enough to wait out.
    await control(emu, "PUT", "/rate-limits", { enabled: true, timeScale: 0.1 });
    const client = new RenderClient({ apiKey: emu.apiKey, baseUrl: emu.url, budget: false });
    const results = await Promise.all(Array.from({ length: 420 }, () => client.getOwner(emu.ownerId)));
    assert.equal(results.length, 420);
    const log = await requestLog(emu, "GET", `/v1/owners/${emu.ownerId}`);
    assert.ok(log.filter((r) => r.status === 429).length >= 20, "the server limited the burst");
    assert.equal(log.filter((r) => r.status === 200).length, 420);
    await client.close();
  });

  it("an hourly limit is not waited for: one readable error with the limit and when to retry, nothing created, and a later run creates once", async () => {
    // Render's real windows: POST /services 20 an hour.
    await control(emu, "PUT", "/rate-limits", { enabled: true, timeScale: 1 });
    const earlier = new RenderClient({ apiKey: emu.apiKey, baseUrl: emu.url, budget: new RateBudget() });
    for (let i = 0; i < 20; i++) await earlier.createService(webService(emu.ownerId, `hourly-${i}`));
    // Another process (a new `pulumi up`): its own budget knows nothing of the 20; Render refuses.
    const run = new RenderClient({ apiKey: emu.apiKey, baseUrl: emu.url, budget: new RateBudget() });
    const started = Date.now();
    const refused = await rejection(run.createService(webService(emu.ownerId, "hourly-20")));
    assert.ok(Date.now() - started < 10_000, "waited for the limit");
    assert.equal(refused.status, 429);
    assert.equal(refused.outcomeUnknown, false);
    assert.match(
      refused.message,
      /^Render refused POST \/services: 429 Too Many Requests \(rate limit exceeded(; request id \w+)?\): Render's rate limit is 20 POST \/services per hour, and the next may start in (60 min|1 h), longer than this client waits \(3 min\); nothing was applied\. Try again after \S+$/,
    );
    const at = retryAt(refused.message);
    assert.ok(Math.abs(at - (started + 3_600_000)) < 60_000, refused.message);
    // The same run's next create is not sent at all: it says the same, without a second 429.
    const held = await rejection(run.createService(webService(emu.ownerId, "hourly-21")));
    assert.equal(held.code, "RATE_LIMITED");
    assert.match(
      held.message,
      /^POST \/services was not sent: Render's rate limit is 20 POST \/services per hour/,
    );
    assert.ok(Math.abs(retryAt(held.message) - at) < 2_000, held.message);
    const posts = await requestLog(emu, "POST", "/v1/services");
    assert.deepEqual(
      posts.map((r) => r.status),
      [...Array(20).fill(201), 429],
    );
    // An hour later on Render, the next run creates it, once.
    await control(emu, "POST", "/clock", { advanceMs: 3_600_000 });
    const later = new RenderClient({ apiKey: emu.apiKey, baseUrl: emu.url, budget: new RateBudget() });
    await later.createService(webService(emu.ownerId, "hourly-20"));
    const named = [];
    for await (const s of later.listServices({ name: ["hourly-20"], ownerId: [emu.ownerId] }))
      named.push(s.id);
    assert.equal(named.length, 1);
    await Promise.all([earlier.close(), run.close(), later.close()]);
  });
});
