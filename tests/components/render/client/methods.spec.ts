import assert from "node:assert/strict";
import { collect } from "../../../../components/render/pagination";
import { isNotFound, isRenderApiError, type RenderApiError } from "../../../../components/render/errors";
import type { RenderClient } from "../../../../components/render/client";
import { waitForDeploy, waitForPostgresAvailable } from "../../../../components/render/wait";
import { eventually } from "../../../emulator/harness";
import { clientOf, control, emulator, fastPoll, type Emulator } from "./harness";

async function rejection(p: Promise<unknown>): Promise<RenderApiError> {
  try {
    await p;
  } catch (err) {
    assert.ok(isRenderApiError(err), `expected a RenderApiError, got ${String(err)}`);
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

describe("render client against the emulator: every method", function () {
  let emu: Emulator;
  let client: RenderClient;

  before(async () => {
    emu = await emulator();
    client = clientOf(emu).client;
  });
  after(async () => {
    await client.close();
    await emu.close();
  });

  describe("owners", () => {
    it("lists and gets the workspace", async () => {
      const owners = await collect(client.listOwners());
      assert.ok(owners.some((o) => o.id === emu.ownerId));
      const owner = await client.getOwner(emu.ownerId);
      assert.equal(owner.id, emu.ownerId);
      assert.ok(["user", "team"].includes(owner.type));
    });
    it("404s on an unknown owner", async () => {
      const err = await rejection(client.getOwner("tea-doesnotexist0000000"));
      assert.equal(err.status, 404);
      assert.ok(isNotFound(err));
      assert.match(err.message, /GET \/owners\/tea-doesnotexist0000000 failed: 404 Not Found/);
    });
  });

  describe("postgres", () => {
    let id: string;
    it("creates, gets, lists by name, waits available, patches, reads connection info, deletes", async () => {
      const created = await client.createPostgres({
        name: "client-db",
        ownerId: emu.ownerId,
        plan: "basic_256mb",
        version: "16",
        region: "oregon",
        databaseName: "app",
        databaseUser: "app",
        ipAllowList: [],
      });
      id = created.id;
      assert.match(id, /^dpg-/);
      assert.equal(created.version, "16");
      assert.deepEqual(created.ipAllowList, []);
      assert.equal((await client.getPostgres(id)).name, "client-db");
      const listed = await collect(client.listPostgres({ name: ["client-db"], ownerId: [emu.ownerId] }));
      assert.deepEqual(
        listed.map((d) => d.id),
        [id],
      );
      const available = await waitForPostgresAvailable(client, id, fastPoll);
      assert.equal(available.status, "available");
      const patched = await client.updatePostgres(id, { name: "client-db-2" });
      assert.equal(patched.name, "client-db-2");
      const info = await client.getPostgresConnectionInfo(id);
      assert.match(info.internalConnectionString, /^postgres(ql)?:\/\//);
      assert.ok(info.password.length > 0);
      await client.deletePostgres(id);
      assert.ok(isNotFound(await rejection(client.getPostgres(id))));
    });
    it("reports 404 on every item route of a missing database", async () => {
      const missing = "dpg-missing000000000000-a";
      for (const p of [
        client.getPostgres(missing),
        client.updatePostgres(missing, { name: "x" }),
        client.deletePostgres(missing),
        client.getPostgresConnectionInfo(missing),
      ]) {
        const err = await rejection(p);
        assert.equal(err.status, 404);
        assert.equal(err.retryable, false);
      }
    });
    it("reports Render's 400 for a bad create body", async () => {
      const err = await rejection(
        client.createPostgres({ name: "bad", ownerId: emu.ownerId, plan: "no_such_plan", version: "16" }),
      );
      assert.equal(err.status, 400);
      assert.equal(err.outcomeUnknown, false);
      assert.ok(err.renderMessage && err.renderMessage.length > 0);
    });
  });

  describe("postgres day two: exports, recovery, credentials, maintenance", () => {
    let id: string;
    before(async () => {
      const created = await client.createPostgres({
        name: "client-day-two",
        ownerId: emu.ownerId,
        plan: "basic_256mb",
        version: "16",
        databaseName: "app",
        databaseUser: "app",
        ipAllowList: [],
      });
      id = created.id;
      await waitForPostgresAvailable(client, id, fastPoll);
    });

    it("starts an export and lists it with its download URL once written", async () => {
      await client.createPostgresExport(id);
      const exports = await eventually(async () => {
        const listed = await client.listPostgresExports(id);
        return listed[0]?.url ? listed : undefined;
      }, "the export's download URL");
      assert.equal(exports.length, 1);
      assert.match(exports[0].url ?? "", /\.dir\.tar\.gz$/);
    });

    it("reads recovery info and refuses a restore time outside the window", async () => {
      const info = await client.getPostgresRecoveryInfo(id);
      assert.equal(info.recoveryStatus, "BACKUP_NOT_READY");
      const err = await rejection(client.recoverPostgres(id, { restoreTime: new Date().toISOString() }));
      assert.equal(err.status, 400);
      assert.equal(err.outcomeUnknown, false);
    });

    it("creates a user that becomes the default, lists users, deletes the old one", async () => {
      await client.createPostgresCredential(id, "app_rotated");
      const users = await client.listPostgresCredentials(id);
      assert.deepEqual(users.find((u) => u.default)?.username, "app_rotated");
      assert.ok(users.some((u) => u.username === "app" && !u.default));
      assert.match((await client.getPostgresConnectionInfo(id)).externalConnectionString, /app_rotated/);
      assert.equal((await rejection(client.deletePostgresCredential(id, "app_rotated"))).status, 400);
      await client.deletePostgresCredential(id, "app");
      assert.deepEqual(
        (await client.listPostgresCredentials(id)).map((u) => u.username),
        ["app_rotated"],
      );
    });

    it("lists a database's maintenance runs, moves one and triggers it", async () => {
      const run = (await control(emu, "POST", "/maintenance", { resourceId: id })) as {
        id: string;
        pendingMaintenanceBy: string;
      };
      const runs = await client.listMaintenance({ resourceId: [id] });
      assert.deepEqual(
        runs.map((r) => [r.id, r.state]),
        [[run.id, "scheduled"]],
      );
      const later = new Date(Date.parse(run.pendingMaintenanceBy) - 60_000).toISOString();
      await client.updateMaintenance(run.id, later);
      assert.equal(
        Date.parse((await client.listMaintenance({ resourceId: [id] }))[0].scheduledAt),
        Date.parse(later),
      );
      await client.triggerMaintenance(run.id);
      assert.notEqual((await client.listMaintenance({ resourceId: [id] }))[0].state, "scheduled");
      assert.deepEqual(await client.listMaintenance({ resourceId: ["dpg-none000000000000000-a"] }), []);
    });
  });

  describe("services, env vars and deploys", () => {
    let serviceId: string;
    let firstDeployId: string | undefined;

    it("creates, gets, lists by name, patches, scales, suspends and resumes a service", async () => {
      const { service, deployId } = await client.createService(webService(emu.ownerId, "client-web"));
      serviceId = service.id;
      firstDeployId = deployId;
      assert.match(serviceId, /^srv-/);
      assert.equal(service.type, "web_service");
      assert.equal((await client.getService(serviceId)).name, "client-web");
      const listed = await collect(client.listServices({ name: ["client-web"], ownerId: [emu.ownerId] }));
      assert.deepEqual(
        listed.map((s) => s.id),
        [serviceId],
      );
      const patched = await client.updateService(serviceId, {
        serviceDetails: { healthCheckPath: "/healthz" },
      });
      assert.equal(patched.serviceDetails.healthCheckPath, "/healthz");
      await client.scaleService(serviceId, 2);
      assert.equal((await client.getService(serviceId)).serviceDetails.numInstances, 2);
      await client.suspendService(serviceId);
      assert.equal((await client.getService(serviceId)).suspended, "suspended");
      await client.resumeService(serviceId);
      assert.equal((await client.getService(serviceId)).suspended, "not_suspended");
    });

    it("refuses a second service with the same name", async () => {
      const err = await rejection(client.createService(webService(emu.ownerId, "client-web")));
      assert.ok(err.status === 400 || err.status === 409, `status ${err.status}`);
      assert.equal(err.outcomeUnknown, false);
    });

    it("replaces, lists, gets, puts and deletes env vars", async () => {
      const all = await client.replaceEnvVars(serviceId, [
        { key: "A", value: "1" },
        { key: "SECRET", generateValue: true },
      ]);
      assert.deepEqual(all.map((e) => e.key).sort(), ["A", "SECRET"]);
      assert.equal(all.find((e) => e.key === "SECRET")!.value.length, 44);
      assert.deepEqual((await collect(client.listEnvVars(serviceId))).map((e) => e.key).sort(), [
        "A",
        "SECRET",
      ]);
      assert.equal((await client.putEnvVar(serviceId, "B", { value: "2" })).value, "2");
      assert.equal((await client.putEnvVar(serviceId, "C", { generateValue: true })).value.length, 44);
      assert.equal((await client.getEnvVar(serviceId, "B")).value, "2");
      await client.deleteEnvVar(serviceId, "B");
      assert.ok(isNotFound(await rejection(client.getEnvVar(serviceId, "B"))));
      assert.ok(isNotFound(await rejection(client.listEnvVars("srv-missing00000000000").next())));
    });

    it("creates, gets, lists, waits for, cancels and rolls back deploys", async () => {
      let first = firstDeployId;
      if (!first) first = (await client.createDeploy(serviceId))?.id;
      assert.ok(first, "a first deploy id");
      const live = await waitForDeploy(client, serviceId, first, fastPoll);
      assert.equal(live.status, "live");

      const second = await client.createDeploy(serviceId, { clearCache: "do_not_clear" });
      const secondId = second?.id ?? (await collect(client.listDeploys(serviceId)))[0].id;
      assert.equal((await client.getDeploy(serviceId, secondId)).id, secondId);
      const listed = await collect(client.listDeploys(serviceId));
      assert.ok(listed.some((d) => d.id === first) && listed.some((d) => d.id === secondId));
      await waitForDeploy(client, serviceId, secondId, fastPoll);

      // A slow build, to have something to cancel.
      await control(emu, "PUT", "/timings", { build: 60_000 }).catch(() => undefined);
      const third = await client.createDeploy(serviceId);
      const thirdId = third?.id ?? (await collect(client.listDeploys(serviceId)))[0].id;
      const canceled = await client.cancelDeploy(serviceId, thirdId);
      assert.equal(canceled.id, thirdId);
      assert.equal((await waitForDeploy(client, serviceId, thirdId, fastPoll)).status, "canceled");

      const rolledBack = await client.rollback(serviceId, first);
      assert.match(rolledBack.id, /^dep-/);
      assert.notEqual(rolledBack.id, first);
    });

    it("reports 404 for deploys of a missing service and a missing deploy", async () => {
      assert.ok(isNotFound(await rejection(client.getDeploy(serviceId, "dep-missing00000000000"))));
      assert.ok(isNotFound(await rejection(client.createDeploy("srv-missing00000000000"))));
      assert.ok(isNotFound(await rejection(client.cancelDeploy(serviceId, "dep-missing00000000000"))));
      assert.ok(isNotFound(await rejection(client.rollback("srv-missing00000000000", "dep-x"))));
    });

    it("deletes the service; then every route 404s", async () => {
      await client.deleteService(serviceId);
      for (const p of [
        client.getService(serviceId),
        client.updateService(serviceId, { name: "x" }),
        client.deleteService(serviceId),
        client.scaleService(serviceId, 1),
        client.suspendService(serviceId),
        client.resumeService(serviceId),
      ]) {
        const err = await rejection(p);
        assert.ok(isNotFound(err), `${err.method} ${err.path}: ${err.status}`);
      }
    });
  });
});
