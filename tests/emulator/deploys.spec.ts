/**
 * Deploys on the emulator clock (realistic timings, moved by the control API): the status sequence,
 * the previous live deploy becoming `deactivated`, failures set per commit, cancel, rollback, branch
 * head commits, and the service URL being reachable only while a deploy is live.
 */
import { strict as assert } from "node:assert";
import { request } from "undici";
import type { RunningEmulator } from "../../emulator";
import type { RawResponse } from "../helpers/http";
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

type Deploy = {
  id: string;
  status: string;
  trigger: string;
  commit: { id: string; message: string; createdAt: string } | null;
  startedAt?: string;
  finishedAt: string | null;
  createdAt: string;
  updatedAt: string;
};

const SHA = "0123456789abcdef0123456789abcdef01234567";
const OTHER_SHA = "fedcba9876543210fedcba9876543210fedcba98";

describe("emulator deploys (lifecycle on the clock)", function () {
  let emu: RunningEmulator;
  let api: Api;
  let serviceId: string;
  let firstDeployId: string;
  let serviceUrl: string;
  let n = 0;

  const advance = (ms: number) => control(emu, "POST", "/clock", { advanceMs: ms });
  const getDeploy = async (id: string) =>
    (await api("GET", `/services/${serviceId}/deploys/${id}`)).body as Deploy;
  const deploy = async (body: Record<string, unknown> = {}) => {
    const response = await api("POST", `/services/${serviceId}/deploys`, body);
    expectStatus(response, 201);
    return response.body as Deploy;
  };
  const reach = async (path = "/healthz") => {
    const response = await request(`${serviceUrl}${path}`);
    await response.body.text();
    return response.statusCode;
  };

  beforeEach(async () => {
    emu = await start({ timings: { base: "realistic", deployQueue: 1_000 } });
    api = apiOf(emu);
    const created = await api("POST", "/services", webServiceBody(emu.ownerId, `deploys-${++n}`));
    expectStatus(created, 201);
    const body = created.body as {
      service: { id: string; serviceDetails: { url: string } };
      deployId: string;
    };
    serviceId = body.service.id;
    firstDeployId = body.deployId;
    serviceUrl = body.service.serviceDetails.url;
  });
  afterEach(() => emu?.close());

  it("moves created -> build_in_progress -> update_in_progress -> live with the clock; times are filled in", async () => {
    let d = await getDeploy(firstDeployId);
    assert.equal(d.status, "created");
    assert.equal(d.finishedAt, null);
    assert.equal(d.startedAt, undefined);
    assert.equal(d.trigger, "api");
    assert.match(d.commit!.id, /^[0-9a-f]{40}$/);
    await advance(1_000);
    d = await getDeploy(firstDeployId);
    assert.equal(d.status, "build_in_progress");
    assert.equal(d.startedAt, new Date(Date.parse(d.createdAt) + 1_000).toISOString());
    await advance(60_000);
    assert.equal((await getDeploy(firstDeployId)).status, "update_in_progress");
    assert.equal(await reach(), 503, "not reachable before the first deploy is live");
    await advance(30_000);
    d = await getDeploy(firstDeployId);
    assert.equal(d.status, "live");
    assert.equal(d.finishedAt, new Date(Date.parse(d.createdAt) + 91_000).toISOString());
    assert.equal(await reach(), 200);
  });

  it("deactivates the previous live deploy when a newer one goes live; filters by status", async () => {
    await advance(100_000);
    const second = await deploy({ commitId: SHA });
    assert.equal(second.commit!.id, SHA, "a given commitId is used");
    assert.equal((await getDeploy(firstDeployId)).status, "live", "still live while the next one builds");
    await advance(100_000);
    assert.equal((await getDeploy(second.id)).status, "live");
    assert.equal((await getDeploy(firstDeployId)).status, "deactivated");
    const live = (await api("GET", `/services/${serviceId}/deploys?status=live`)).body as {
      deploy: Deploy;
    }[];
    assert.deepEqual(
      live.map((i) => i.deploy.id),
      [second.id],
    );
    const both = (await api("GET", `/services/${serviceId}/deploys?status=live,deactivated`))
      .body as unknown[];
    assert.equal(both.length, 2);
    expect400Naming(
      await api("GET", `/services/${serviceId}/deploys?status=done`),
      "status",
      "build_in_progress",
    );
  });

  it("uses a stable fake branch head without commitId, settable through the control API", async () => {
    const first = (await getDeploy(firstDeployId)).commit!.id;
    const again = await deploy();
    assert.equal(again.commit!.id, first, "same service and branch -> same head");
    await control(emu, "PUT", `/services/${serviceId}/head`, { commitId: OTHER_SHA });
    assert.equal((await deploy()).commit!.id, OTHER_SHA);
    await api("PATCH", `/services/${serviceId}`, { branch: "feature" });
    const feature = await deploy();
    assert.notEqual(feature.commit!.id, OTHER_SHA, "another branch has another head");
    assert.match(feature.commit!.id, /^[0-9a-f]{40}$/);
  });

  it("a new head commit on the branch of an auto-deploying service starts a new_commit deploy", async () => {
    const manual = (await control(emu, "PUT", `/services/${serviceId}/head`, { commitId: SHA })) as Record<
      string,
      string
    >;
    assert.equal(manual.deployId, undefined, "autoDeploy no: no deploy");
    await api("PATCH", `/services/${serviceId}`, { autoDeploy: "yes" });
    const pushed = (await control(emu, "PUT", `/services/${serviceId}/head`, {
      commitId: OTHER_SHA,
    })) as Record<string, string>;
    const d = await getDeploy(pushed.deployId);
    assert.equal(d.trigger, "new_commit");
    assert.equal(d.commit!.id, OTHER_SHA);
    const other = (await control(emu, "PUT", `/services/${serviceId}/head`, {
      commitId: SHA,
      branch: "elsewhere",
    })) as Record<string, string>;
    assert.equal(other.deployId, undefined, "another branch deploys nothing");
  });

  for (const [stage, status, at] of [
    ["build", "build_failed", 61_000],
    ["update", "update_failed", 91_000],
  ] as const) {
    it(`fails deploys of a commit set to fail at ${stage} (${status}); the live deploy stays live`, async () => {
      await advance(100_000);
      await control(emu, "PUT", "/deploys/fail", { serviceId, commitId: SHA, stage });
      const failing = await deploy({ commitId: SHA });
      // The emulator clock also runs in real time: keep a margin around the boundary.
      await advance(at - 1_000);
      assert.notEqual((await getDeploy(failing.id)).status, status);
      await advance(1_000);
      const d = await getDeploy(failing.id);
      assert.equal(d.status, status);
      assert.equal(d.finishedAt, new Date(Date.parse(d.createdAt) + at).toISOString());
      assert.equal((await getDeploy(firstDeployId)).status, "live");
      assert.equal(await reach(), 200);
      const other = await deploy({ commitId: OTHER_SHA });
      await advance(100_000);
      assert.equal((await getDeploy(other.id)).status, "live", "other commits still deploy");
    });
  }

  it("runs pre_deploy_in_progress with a pre-deploy command, and pre_deploy_failed when set", async () => {
    await api("PATCH", `/services/${serviceId}`, { serviceDetails: { preDeployCommand: "npm run migrate" } });
    await control(emu, "PUT", "/deploys/fail", { commitId: SHA, stage: "pre_deploy" });
    const ok = await deploy({ commitId: OTHER_SHA });
    const failing = await deploy({ commitId: SHA });
    await advance(62_000);
    assert.equal((await getDeploy(ok.id)).status, "pre_deploy_in_progress");
    await advance(10_000);
    assert.equal((await getDeploy(ok.id)).status, "update_in_progress");
    assert.equal((await getDeploy(failing.id)).status, "pre_deploy_failed");
  });

  it("cancels a running deploy (200, canceled); a finished one is 400; unknown ids are 404", async () => {
    await advance(2_000);
    const canceled = await api("POST", `/services/${serviceId}/deploys/${firstDeployId}/cancel`);
    expectStatus(canceled, 200);
    assert.equal((canceled.body as Deploy).status, "canceled");
    assert.notEqual((canceled.body as Deploy).finishedAt, null);
    await advance(200_000);
    assert.equal((await getDeploy(firstDeployId)).status, "canceled", "never goes live");
    assert.equal(await reach(), 503);
    expectStatus(await api("POST", `/services/${serviceId}/deploys/${firstDeployId}/cancel`), 400);
    const missing = await api("GET", `/services/${serviceId}/deploys/dep-aaaaaaaaaaaaaaaaaaaa`);
    assert.deepEqual(missing.body, { message: "not found: dep-aaaaaaaaaaaaaaaaaaaa" });
    expectStatus(await api("POST", `/services/${serviceId}/deploys/dep-aaaaaaaaaaaaaaaaaaaa/cancel`), 404);
  });

  it("rolls back: a new deploy with trigger rollback of the given deploy's commit", async () => {
    await advance(100_000);
    const firstCommit = (await getDeploy(firstDeployId)).commit!.id;
    const second = await deploy({ commitId: SHA });
    await advance(100_000);
    const rollback = await api("POST", `/services/${serviceId}/rollback`, { deployId: firstDeployId });
    expectStatus(rollback, 201);
    const r = rollback.body as Deploy;
    assert.equal(r.trigger, "rollback");
    assert.equal(r.commit!.id, firstCommit);
    assert.match(r.id, /^dep-/);
    await advance(100_000);
    assert.equal((await getDeploy(r.id)).status, "live");
    assert.equal((await getDeploy(second.id)).status, "deactivated");
    const unknown = await api("POST", `/services/${serviceId}/rollback`, {
      deployId: "dep-aaaaaaaaaaaaaaaaaaaa",
    });
    expectStatus(unknown, 404);
    expect400Naming(await api("POST", `/services/${serviceId}/rollback`, {}), "deployId");
    const building = await deploy();
    expect400Naming(
      await api("POST", `/services/${serviceId}/rollback`, { deployId: building.id }),
      "deployId",
    );
  });

  it("validates deploy bodies; deploying a suspended service is 409", async () => {
    const path = `/services/${serviceId}/deploys`;
    expect400Naming(await api("POST", path, { clearCache: "sometimes" }), "clearCache", "do_not_clear");
    expect400Naming(await api("POST", path, { commitId: "not-a-sha" }), "commitId");
    expect400Naming(await api("POST", path, { deployMode: "deploy_only", commitId: SHA }), "deployMode");
    expect400Naming(await api("POST", path, { imageUrl: "docker.io/x:1" }), "imageUrl");
    expectStatus(await api("POST", path, { clearCache: "clear", deployMode: "build_and_deploy" }), 201);
    expectStatus(await api("POST", path), 201);
    await api("POST", `/services/${serviceId}/suspend`);
    expectStatus(await api("POST", path, {}), 409);
  });

  it("a deploy_only deploy skips the build", async () => {
    const d = await deploy({ deployMode: "deploy_only" });
    await advance(1_000);
    assert.equal((await getDeploy(d.id)).status, "update_in_progress");
  });
});

// What the dashboard does (control API) next to the API, with the trigger each records: every deploy
// body validated against Render's spec, whose `trigger` enum they must belong to.
describe("emulator deploys: dashboard deploys and rollbacks, triggers, builds kept", function () {
  let emu: RunningEmulator;
  let api: Api;
  let serviceId: string;

  const live = (id: string) =>
    eventually(
      async () =>
        ((await api("GET", `/services/${serviceId}/deploys/${id}`)).body as Deploy).status === "live",
      `deploy ${id} live`,
    );
  const checked = async (response: RawResponse, method: string, path: string) => {
    validateResponse(method, path, response.status, response.body);
    return response;
  };

  before(async () => {
    emu = await start();
    api = apiOf(emu);
    const created = await api(
      "POST",
      "/services",
      webServiceBody(emu.ownerId, "dashboard-web", { autoDeploy: "yes" }),
    );
    expectStatus(created, 201);
    serviceId = (created.body as { service: { id: string } }).service.id;
    await live((created.body as { deployId: string }).deployId);
  });

  after(async () => {
    await emu?.close();
  });

  it("records api, manual (dashboard deploy) and rollback, each in the spec's trigger enum", async () => {
    const path = `/services/${serviceId}/deploys`;
    const viaApi = (await checked(await api("POST", path, {}), "POST", path)).body as Deploy;
    assert.equal(viaApi.trigger, "api");
    await live(viaApi.id);
    const manual = (await control(emu, "POST", `/services/${serviceId}/dashboard/deploy`, {
      commitId: SHA,
    })) as Deploy;
    validateResponse("POST", path, 201, manual);
    assert.equal(manual.trigger, "manual");
    assert.equal(manual.commit?.id, SHA);
    await live(manual.id);
    const rollbackPath = `/services/${serviceId}/rollback`;
    const apiRollback = (
      await checked(await api("POST", rollbackPath, { deployId: viaApi.id }), "POST", rollbackPath)
    ).body as Deploy;
    assert.equal(apiRollback.trigger, "rollback");
    // The API's rollback leaves auto-deploy on; the dashboard's turns it off (render.com/docs/rollbacks).
    await live(apiRollback.id);
    const service = async () => (await api("GET", `/services/${serviceId}`)).body as { autoDeploy: string };
    assert.equal((await service()).autoDeploy, "yes");
    const dashboardRollback = (await control(emu, "POST", `/services/${serviceId}/dashboard/rollback`, {
      deployId: manual.id,
    })) as Deploy;
    assert.equal(dashboardRollback.trigger, "rollback");
    assert.equal(dashboardRollback.commit?.id, SHA);
    assert.equal((await service()).autoDeploy, "no");
    const listPath = `/services/${serviceId}/deploys?limit=100`;
    const list = await checked(await api("GET", listPath), "GET", listPath);
    const triggers = (list.body as { deploy: Deploy }[]).map((e) => e.deploy.trigger);
    assert.deepEqual(new Set(triggers), new Set(["api", "manual", "rollback"]));
  });

  it("a rollback skips the build, and is refused (400) to a deploy whose build is no longer kept", async () => {
    const target = (
      (await api("GET", `/services/${serviceId}/deploys?limit=100`)).body as { deploy: Deploy }[]
    )
      .map((e) => e.deploy)
      .find((d) => d.trigger === "manual")!;
    const back = await api("POST", `/services/${serviceId}/rollback`, { deployId: target.id });
    expectStatus(back, 201);
    assert.notEqual((back.body as Deploy).status, "build_in_progress");
    await live((back.body as Deploy).id);
    // Hobby keeps the builds of the last 5 deploys that went live (UNCONFIRMED figure).
    for (let i = 0; i < 5; i++) {
      const d = await api("POST", `/services/${serviceId}/deploys`, {});
      await live((d.body as Deploy).id);
    }
    expect400Naming(
      await api("POST", `/services/${serviceId}/rollback`, { deployId: target.id }),
      target.id,
      "no longer kept",
    );
    // A Professional workspace keeps more.
    await control(emu, "PUT", "/workspace", { tier: "professional" });
    expectStatus(await api("POST", `/services/${serviceId}/rollback`, { deployId: target.id }), 201);
  });
});
