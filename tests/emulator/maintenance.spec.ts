/**
 * Maintenance runs: scheduled through the control API, listed and filtered, rescheduled before
 * `pendingMaintenanceBy`, triggered, and moving `scheduled` -> `in_progress` -> `succeeded` with the emulator clock.
 * Every /v1 answer is validated against Render's openapi.json.
 */
import { strict as assert } from "node:assert";
import type { RunningEmulator } from "../../emulator";
import { validateResponse } from "../helpers/openapi";
import { apiOf, control, expectStatus, start, webServiceBody, type Api } from "./harness";

const DAY = 24 * 3_600_000;

interface Run {
  id: string;
  state: string;
  scheduledAt: string;
  pendingMaintenanceBy?: string;
  resourceId: string;
}

async function checked(api: Api, method: string, path: string, body?: unknown) {
  const response = await api(method, path, body);
  validateResponse(method, path, response.status, response.body);
  return response;
}

describe("emulator: maintenance runs", function () {
  this.timeout(30_000);
  let emu: RunningEmulator;
  let api: Api;
  let resourceId: string;
  const now = async () => Date.parse(((await control(emu, "GET", "/clock")) as { now: string }).now);
  before(async () => {
    emu = await start();
    api = apiOf(emu);
    // A service: no real database to start (Postgres runs work the same way).
    const created = await api("POST", "/services", webServiceBody(emu.ownerId, "maintained"));
    expectStatus(created, 201);
    resourceId = (created.body as { service: { id: string } }).service.id;
  });
  after(() => emu?.close());

  it("lists a run the control API scheduled, moves it before pendingMaintenanceBy, triggers it", async () => {
    const run = (await control(emu, "POST", "/maintenance", { resourceId: resourceId })) as Run;
    assert.match(run.id, /^mrn-[0-9a-z]{20}$/);
    const list = await checked(api, "GET", `/maintenance?resourceId=${resourceId}&state=scheduled`);
    expectStatus(list, 200);
    assert.deepEqual(
      (list.body as Run[]).map((r) => [r.id, r.state]),
      [[run.id, "scheduled"]],
    );
    expectStatus(await checked(api, "GET", `/maintenance?ownerId=${emu.ownerId}&state=succeeded`), 200);
    assert.deepEqual((await checked(api, "GET", "/maintenance?state=succeeded")).body, []);

    const later = new Date(Date.parse(run.pendingMaintenanceBy!) - DAY).toISOString();
    expectStatus(await checked(api, "PATCH", `/maintenance/${run.id}`, { scheduledAt: later }), 202);
    assert.equal(((await checked(api, "GET", `/maintenance/${run.id}`)).body as Run).scheduledAt, later);
    const tooLate = await checked(api, "PATCH", `/maintenance/${run.id}`, {
      scheduledAt: new Date(Date.parse(run.pendingMaintenanceBy!) + 1000).toISOString(),
    });
    expectStatus(tooLate, 400);
    assert.match((tooLate.body as { message: string }).message, /before pendingMaintenanceBy/);
    const past = await checked(api, "PATCH", `/maintenance/${run.id}`, {
      scheduledAt: new Date((await now()) - DAY).toISOString(),
    });
    expectStatus(past, 400);

    expectStatus(await checked(api, "POST", `/maintenance/${run.id}/trigger`), 202);
    assert.equal(((await checked(api, "GET", `/maintenance/${run.id}`)).body as Run).state, "in_progress");
    const again = await checked(api, "POST", `/maintenance/${run.id}/trigger`);
    expectStatus(again, 400);
    await control(emu, "POST", "/clock", { advanceMs: 60_000 });
    assert.equal(((await checked(api, "GET", `/maintenance/${run.id}`)).body as Run).state, "succeeded");
  });

  it("starts by itself at scheduledAt; unknown runs are 404, bad input 400", async () => {
    const scheduledAt = new Date((await now()) + DAY).toISOString();
    const run = (await control(emu, "POST", "/maintenance", { resourceId: resourceId, scheduledAt })) as Run;
    await control(emu, "POST", "/clock", { advanceMs: DAY });
    assert.equal(((await checked(api, "GET", `/maintenance/${run.id}`)).body as Run).state, "in_progress");

    expectStatus(await checked(api, "GET", "/maintenance/mrn-00000000000000000000"), 404);
    expectStatus(await checked(api, "POST", "/maintenance/mrn-00000000000000000000/trigger"), 404);
    expectStatus(await checked(api, "PATCH", `/maintenance/${run.id}`, { scheduledAt: "tomorrow" }), 400);
    expectStatus(await checked(api, "GET", "/maintenance?state=done"), 400);
  });
});
