/**
 * `GET /v1/logs` ([SPEC] list-logs): the build, pre-deploy and start lines of the emulator's deploys, a
 * failing stage's output, filters, time paging (`hasMore`, `nextStartTime`, `nextEndTime`) in both
 * directions, and the required parameters. Every /v1 answer is validated against Render's openapi.json.
 */
import { strict as assert } from "node:assert";
import type { RunningEmulator } from "../../emulator";
import { validateResponse } from "../helpers/openapi";
import {
  apiOf,
  control,
  eventually,
  expect400Naming,
  expectStatus,
  start,
  webServiceBody,
  type Api,
} from "./harness";

interface LogPage {
  hasMore: boolean;
  nextStartTime: string;
  nextEndTime: string;
  logs: { id: string; message: string; timestamp: string; labels: { name: string; value: string }[] }[];
}

const BAD = "badc0de0".padEnd(40, "2");

describe("emulator logs (GET /v1/logs)", function () {
  this.timeout(60_000);
  let emu: RunningEmulator;
  let api: Api;
  let serviceId: string;
  let failedId: string;

  async function logs(query: string): Promise<LogPage> {
    const path = `/logs?${query}`;
    const response = await api("GET", path);
    validateResponse("GET", path, response.status, response.body);
    expectStatus(response, 200);
    return response.body as LogPage;
  }
  const status = async (id: string) =>
    ((await api("GET", `/services/${serviceId}/deploys/${id}`)).body as { status: string }).status;

  before(async () => {
    emu = await start();
    api = apiOf(emu);
    const created = await api(
      "POST",
      "/services",
      webServiceBody(emu.ownerId, "logs-web", { serviceDetails: { preDeployCommand: "npm run db:deploy" } }),
    );
    expectStatus(created, 201);
    const body = created.body as { service: { id: string }; deployId: string };
    serviceId = body.service.id;
    await eventually(async () => (await status(body.deployId)) === "live", "first deploy live");
    await control(emu, "PUT", "/deploys/fail", {
      serviceId,
      commitId: BAD,
      stage: "pre_deploy",
      output: ["Applying migration `20261201_tags`", 'Error: P3018 relation "tags" already exists'],
    });
    const failed = await api("POST", `/services/${serviceId}/deploys`, { commitId: BAD });
    expectStatus(failed, 201);
    failedId = (failed.body as { id: string }).id;
    await eventually(async () => (await status(failedId)) === "pre_deploy_failed", "pre_deploy_failed");
  });

  after(async () => {
    await emu?.close();
  });

  it("serves a deploy's build and pre-deploy lines, newest first; a failing pre-deploy writes its output", async () => {
    const page = await logs(`ownerId=${emu.ownerId}&resource=${serviceId}&type=build&limit=100`);
    assert.equal(page.hasMore, false);
    const messages = page.logs.map((l) => l.message);
    // Newest first: the failure, then the command's output, then its start.
    assert.deepEqual(messages.slice(0, 4), [
      "==> Pre-deploy has failed",
      'Error: P3018 relation "tags" already exists',
      "Applying migration `20261201_tags`",
      "==> Running pre-deploy command 'npm run db:deploy'...",
    ]);
    assert.ok(messages.includes(`==> Checking out commit ${BAD} in branch main`), messages.join("\n"));
    assert.ok(messages.includes("==> Build successful 🎉"));
    const times = page.logs.map((l) => Date.parse(l.timestamp));
    assert.deepEqual(
      times,
      [...times].sort((a, b) => b - a),
    );
    for (const l of page.logs) {
      assert.deepEqual(
        l.labels.filter((x) => x.name !== "level"),
        [
          { name: "resource", value: serviceId },
          { name: "type", value: "build" },
        ],
      );
    }
    // The app's lines are type app; filters combine.
    const app = await logs(`ownerId=${emu.ownerId}&resource=${serviceId}&type=app&limit=100`);
    assert.ok(app.logs.length > 0 && app.logs.every((l) => l.labels.some((x) => x.value === "app")));
    const errors = await logs(`ownerId=${emu.ownerId}&resource=${serviceId}&level=error&limit=100`);
    assert.deepEqual(
      errors.logs.map((l) => l.message),
      messages.slice(0, 3),
    );
  });

  it("pages by time in both directions: every line once, in order", async () => {
    const all = (await logs(`ownerId=${emu.ownerId}&resource=${serviceId}&limit=100`)).logs;
    assert.ok(all.length > 30, `${all.length} lines`);
    for (const direction of ["backward", "forward"] as const) {
      const seen: string[] = [];
      let query = `ownerId=${emu.ownerId}&resource=${serviceId}&limit=7&direction=${direction}`;
      for (let pages = 0; ; pages++) {
        assert.ok(pages < 50, "paging does not end");
        const page = await logs(query);
        seen.push(...page.logs.map((l) => l.id));
        if (!page.hasMore) break;
        assert.equal(page.logs.length, 7);
        query =
          `ownerId=${emu.ownerId}&resource=${serviceId}&limit=7&direction=${direction}` +
          `&startTime=${encodeURIComponent(page.nextStartTime)}&endTime=${encodeURIComponent(page.nextEndTime)}`;
      }
      const expected = all.map((l) => l.id);
      assert.deepEqual(seen, direction === "backward" ? expected : [...expected].reverse());
    }
  });

  it("a window before the deploys has no lines; the default window is the last hour", async () => {
    const early = await logs(`ownerId=${emu.ownerId}&resource=${serviceId}&endTime=2020-01-01T00:00:00Z`);
    assert.deepEqual(early.logs, []);
    assert.equal(early.hasMore, false);
    await control(emu, "POST", "/clock", { advanceMs: 2 * 3_600_000 });
    assert.deepEqual((await logs(`ownerId=${emu.ownerId}&resource=${serviceId}`)).logs, []);
  });

  it("refuses a missing ownerId or resource, a bad direction, limit or time (400 naming it); an unknown workspace is 404", async () => {
    expect400Naming(await api("GET", `/logs?resource=${serviceId}`), "ownerId");
    expect400Naming(await api("GET", `/logs?ownerId=${emu.ownerId}`), "resource");
    expect400Naming(
      await api("GET", `/logs?ownerId=${emu.ownerId}&resource=${serviceId}&direction=up`),
      "direction",
    );
    expect400Naming(await api("GET", `/logs?ownerId=${emu.ownerId}&resource=${serviceId}&limit=0`), "limit");
    expect400Naming(
      await api("GET", `/logs?ownerId=${emu.ownerId}&resource=${serviceId}&startTime=soon`),
      "startTime",
    );
    expectStatus(await api("GET", `/logs?ownerId=tea-nobody&resource=${serviceId}`), 404);
  });
});
