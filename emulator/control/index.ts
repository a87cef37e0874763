/**
 * The control API (`/_emulator/...`, no auth; the server listens on loopback only): reset, faults,
 * request log, clock, rate limits, timings, service health and branch heads, deploy failures, and a
 * dump of the state. See emulator/README.md for the table.
 */
import type { EmulatorCore } from "../core";
import { ApiError, badRequest, notFound } from "../errors";
import { snapshotAll, takeSnapshot } from "../recovery";
import { createMaintenance, maintenanceJson } from "../routes/maintenance";
import { checkTimingsPatch } from "../lifecycle/timings";
import { Router } from "../router";
import { createDeploy, deployFromBody, deployJson, headCommit, rollBack } from "../routes/deploys";
import { keyValueJson } from "../routes/keyValue";
import { postgresJson } from "../routes/postgres";
import { serviceJson } from "../routes/services";
import { type Body, boolField, enumField, intField, objectBody, stringField } from "../routes/validate";
import type { FailStage } from "../lifecycle/deploys";

/** The control API's routes (paths relative to `/_emulator`). */
export function controlRouter(core: EmulatorCore): Router {
  const router = new Router();

  router.add("POST", "/reset", async () => {
    await core.reset();
    return { status: 200, body: { reset: true } };
  });

  router.add("POST", "/faults", ({ body }) => ({ status: 201, body: { id: core.faults.add(body).id } }));
  router.add("GET", "/faults", () => ({ status: 200, body: core.faults.list() }));
  router.add("DELETE", "/faults", () => {
    core.faults.clear();
    return { status: 204 };
  });
  router.add("DELETE", "/faults/:id", ({ params }) => {
    if (!core.faults.remove(params.id)) throw notFound(params.id);
    return { status: 204 };
  });

  // `?after=N&waitMs=M`: answers once the log holds other than N entries (a new request, or a clear),
  // or after M ms (at most 60 s) anyway; a test waits for a request without polling.
  router.add("GET", "/requests", async ({ query }) => {
    const after = query.get("after");
    if (after !== null) {
      const length = intField({ after: Number(after) }, "after", "after", 0) ?? 0;
      const waitMs =
        intField({ waitMs: Number(query.get("waitMs") ?? 0) }, "waitMs", "waitMs", 0, 60_000) ?? 0;
      await core.log.changeAfter(length, waitMs);
    }
    return { status: 200, body: core.log.list() };
  });
  router.add("DELETE", "/requests", () => {
    core.log.clear();
    return { status: 204 };
  });

  const clockBody = () => ({ now: new Date(core.clock.now()).toISOString(), offsetMs: core.clock.offset });
  router.add("GET", "/clock", () => ({ status: 200, body: clockBody() }));
  router.add("POST", "/clock", async ({ body }) => {
    const b = objectBody(body);
    const advanceMs = b.advanceMs;
    if (typeof advanceMs !== "number" || !Number.isFinite(advanceMs) || advanceMs < 0) {
      throw badRequest("advanceMs must be a number of milliseconds >= 0 (the clock only moves forward)");
    }
    // Point-in-time recovery: the data as it is now holds for the whole skipped span (emulator/recovery).
    if (advanceMs > 0) await snapshotAll(core);
    core.clock.advance(advanceMs);
    core.changed();
    return { status: 200, body: clockBody() };
  });

  router.add("GET", "/rate-limits", () => ({ status: 200, body: core.limiter.settings }));
  router.add("PUT", "/rate-limits", ({ body }) => {
    const b = objectBody(body);
    const enabled = boolField(b, "enabled", "enabled");
    const timeScale = b.timeScale;
    if (timeScale !== undefined && (typeof timeScale !== "number" || !(timeScale > 0))) {
      throw badRequest("timeScale must be a number > 0");
    }
    const settings = core.limiter.configure({
      ...(enabled !== undefined ? { enabled } : {}),
      ...(timeScale !== undefined ? { timeScale: timeScale as number } : {}),
    });
    return { status: 200, body: settings };
  });

  router.add("GET", "/timings", () => ({ status: 200, body: core.timings }));
  router.add("PUT", "/timings", ({ body }) => {
    core.timings = { ...core.timings, ...checkTimingsPatch(body) };
    return { status: 200, body: core.timings };
  });

  router.add("PUT", "/services/:id/health", ({ params, body }) => {
    const service = core.state.services.get(params.id);
    if (!service) throw notFound(params.id);
    const b = objectBody(body);
    const healthy = boolField(b, "healthy", "healthy");
    const status = intField(b, "status", "status", 100, 599);
    const delayMs = intField(b, "delayMs", "delayMs", 0, 600_000);
    service.health = {
      healthy: healthy ?? (status !== undefined ? status < 400 : service.health.healthy),
      ...(status !== undefined ? { status } : {}),
      delayMs: delayMs ?? service.health.delayMs,
    };
    core.changed();
    return { status: 200, body: service.health };
  });

  router.add("PUT", "/services/:id/head", ({ params, body }) => {
    const service = core.state.services.get(params.id);
    if (!service) throw notFound(params.id);
    const b = objectBody(body);
    const commitId = stringField(b, "commitId", "commitId", true);
    if (!/^[0-9a-f]{40}$/i.test(commitId)) throw badRequest("commitId must be 40 hex characters");
    const branch = stringField(b, "branch", "branch") ?? service.branch ?? "main";
    const changed =
      service.heads[branch] !== commitId.toLowerCase() && headCommit(service) !== commitId.toLowerCase();
    service.heads[branch] = commitId.toLowerCase();
    // A push to the deployed branch of an auto-deploying service starts a deploy, as on Render.
    let deployId: string | undefined;
    if (
      changed &&
      service.autoDeploy === "yes" &&
      branch === (service.branch ?? "main") &&
      !service.suspended
    ) {
      deployId = createDeploy(core, service, { trigger: "new_commit" }).id;
    }
    core.changed();
    return {
      status: 200,
      body: { branch, commitId: service.heads[branch], ...(deployId ? { deployId } : {}) },
    };
  });

  // What a teammate does in Render's dashboard, which the public API cannot express: the deploy records
  // the trigger Render gives dashboard actions. "Manual Deploy" (latest or a given commit): `manual`
  // (the deploy trigger enum's value for it; UNCONFIRMED which value Render records). A dashboard
  // rollback: `rollback`, and it turns auto-deploy off ("Triggering a rollback in the Render Dashboard
  // automatically disables autodeploys", render.com/docs/rollbacks; the API's does not).
  router.add("POST", "/services/:id/dashboard/deploy", ({ params, body }) => {
    const service = core.state.services.get(params.id);
    if (!service) throw notFound(params.id);
    const deploy = deployFromBody(core, service, body, "manual");
    core.changed();
    return { status: 201, body: deployJson(core, deploy) };
  });
  router.add("POST", "/services/:id/dashboard/rollback", ({ params, body }) => {
    const service = core.state.services.get(params.id);
    if (!service) throw notFound(params.id);
    const deploy = rollBack(core, service, stringField(objectBody(body), "deployId", "deployId", true));
    service.autoDeploy = "no";
    core.changed();
    return { status: 201, body: deployJson(core, deploy) };
  });

  router.add("PUT", "/postgres/next-name-suffix", ({ body }) => {
    const suffix = stringField(objectBody(body), "suffix", "suffix", true);
    // Render's suffix: 4 lower-case letters or digits (e.g. arrakis_production_bq3v).
    if (!/^[a-z0-9]{4}$/.test(suffix)) throw badRequest("suffix must be 4 lower-case letters or digits");
    core.nextDatabaseNameSuffix = suffix;
    return { status: 200, body: { suffix } };
  });

  router.add("PUT", "/deploys/fail", ({ body }) => {
    const b: Body = objectBody(body);
    const serviceId = stringField(b, "serviceId", "serviceId");
    const commitId = stringField(b, "commitId", "commitId", true);
    const stage = enumField(
      b,
      "stage",
      "stage",
      ["build", "update", "pre_deploy"] as const,
      true,
    ) as FailStage;
    const output = b.output;
    if (
      output !== undefined &&
      (!Array.isArray(output) ||
        output.length > 1000 ||
        output.some((l) => typeof l !== "string" || l.includes("\n")))
    )
      throw badRequest("output must be an array of at most 1000 one-line strings");
    core.state.deployFailures.push({
      ...(serviceId ? { serviceId } : {}),
      commitId: commitId.toLowerCase(),
      stage,
      ...(output ? { output: output as string[] } : {}),
    });
    core.changed();
    return { status: 200, body: core.state.deployFailures };
  });
  router.add("DELETE", "/deploys/fail", () => {
    core.state.deployFailures = [];
    core.changed();
    return { status: 204 };
  });

  router.add("POST", "/postgres/:id/snapshot", async ({ params }) => {
    const db = core.state.postgres.get(params.id);
    if (!db) throw notFound(params.id);
    const snapshot = await takeSnapshot(core, db, true);
    if (!snapshot) throw new ApiError(409, `could not snapshot ${db.id}: it must be available (see the log)`);
    return { status: 201, body: { takenAt: new Date(snapshot.takenAt).toISOString() } };
  });
  router.add("POST", "/maintenance", ({ body }) => ({
    status: 201,
    body: maintenanceJson(core, createMaintenance(core, body)),
  }));
  router.add("GET", "/workspace", () => ({ status: 200, body: { tier: core.workspaceTier } }));
  router.add("PUT", "/workspace", ({ body }) => {
    const tier = enumField(objectBody(body), "tier", "tier", ["hobby", "professional"] as const, true)!;
    core.workspaceTier = tier;
    return { status: 200, body: { tier } };
  });

  router.add("GET", "/state", () => ({ status: 200, body: stateDump(core) }));
  // The CA that issued the databases' TLS certificate, for clients to trust (PGSSLROOTCERT).
  router.add("GET", "/ca", () => ({ status: 200, body: { certificate: core.ca.cert, file: core.ca.file } }));
  return router;
}

/** Every object as the API renders it (plus emulator-only details); env var values and secrets left out. */
function stateDump(core: EmulatorCore): unknown {
  const s = core.state;
  return {
    now: new Date(core.clock.now()).toISOString(),
    owners: [...s.owners.values()],
    postgres: [...s.postgres.values()].map((db) => postgresJson(core, db, true)),
    services: [...s.services.values()].map((service) => ({
      ...serviceJson(core, service),
      envVarKeys: service.envVars.map((e) => e.key),
      health: service.health,
      heads: service.heads,
    })),
    deploys: [...s.deploys.values()].map((d) => ({ serviceId: d.serviceId, ...deployJson(core, d) })),
    deployFailures: s.deployFailures,
    keyValues: [...s.keyValues.values()].map((kv) => keyValueJson(core, kv, true)),
    faults: core.faults.list(),
    rateLimits: core.limiter.settings,
    timings: core.timings,
  };
}
