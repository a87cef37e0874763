import assert from "node:assert/strict";
import { startEmulator } from "../../../../emulator";
import { RateBudget } from "../../../../components/render/budget";
import { RenderClient } from "../../../../components/render/client";
import { control, requestLog, type Emulator } from "./harness";

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
});
