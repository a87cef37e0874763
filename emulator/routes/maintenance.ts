/**
 * Maintenance runs (render.com/docs/platform-maintenance, REFERENCE §9): `GET /maintenance` (filters resourceId,
 * ownerId, state), `GET /maintenance/{id}`, `PATCH /maintenance/{id} {scheduledAt}` (before
 * `pendingMaintenanceBy`), `POST /maintenance/{id}/trigger`. Render schedules runs itself; here the control API
 * creates them (`POST /_emulator/maintenance`). The state follows the emulator clock: `scheduled` until it starts
 * (at `scheduledAt`, or when triggered), `in_progress` for {@link MAINTENANCE_DURATION_MS}, then `succeeded`.
 * The resource stays available during the run (its brief downtime is not emulated).
 */
import type { EmulatorCore } from "../core";
import { badRequest, notFound } from "../errors";
import { newId } from "../ids";
import type { Router } from "../router";
import type { MaintenanceRecord } from "../state/model";
import { iso } from "./common";
import { objectBody, queryEnumList, queryList, stringField } from "./validate";

/** UNCONFIRMED: how long a run is `in_progress` (Render: Postgres downtime under a minute). */
export const MAINTENANCE_DURATION_MS = 60_000;
const STATES = ["scheduled", "in_progress", "user_fix_required", "cancelled", "succeeded", "failed"] as const;
const DAY = 24 * 3_600_000;

/** The run's state at the emulator's now. */
export function maintenanceState(core: EmulatorCore, run: MaintenanceRecord): (typeof STATES)[number] {
  const startedAt = Math.min(run.scheduledAt, run.triggeredAt ?? Infinity);
  const now = core.clock.now();
  if (now < startedAt) return "scheduled";
  return now < startedAt + MAINTENANCE_DURATION_MS ? "in_progress" : "succeeded";
}

/** A run as Render renders it. */
export function maintenanceJson(core: EmulatorCore, run: MaintenanceRecord): Record<string, unknown> {
  return {
    id: run.id,
    type: run.type,
    scheduledAt: iso(run.scheduledAt),
    ...(run.pendingMaintenanceBy !== undefined
      ? { pendingMaintenanceBy: iso(run.pendingMaintenanceBy) }
      : {}),
    state: maintenanceState(core, run),
    resourceId: run.resourceId,
  };
}

/** The owner of a resource the key can see, or undefined. */
function ownerOf(core: EmulatorCore, resourceId: string): string | undefined {
  const owner = core.state.postgres.get(resourceId)?.ownerId ?? core.state.services.get(resourceId)?.ownerId;
  return owner !== undefined && core.state.owners.has(owner) ? owner : undefined;
}

function requireRun(core: EmulatorCore, id: string): MaintenanceRecord {
  const run = core.state.maintenance.get(id);
  if (!run || ownerOf(core, run.resourceId) === undefined) throw notFound(id);
  return run;
}

function dateField(value: unknown, field: string): number {
  if (typeof value !== "string" || !/^\d{4}-\d{2}-\d{2}T/.test(value) || Number.isNaN(Date.parse(value))) {
    throw badRequest(`${field} must be an RFC 3339 date-time`);
  }
  return Date.parse(value);
}

/**
 * Creates a scheduled run for a Postgres or a service (control API). Defaults: type `maintenance`
 * (UNCONFIRMED: Render's type names), scheduled in 7 days, to be done within 14.
 */
export function createMaintenance(core: EmulatorCore, body: unknown): MaintenanceRecord {
  const b = objectBody(body);
  const resourceId = stringField(b, "resourceId", "resourceId", true);
  if (ownerOf(core, resourceId) === undefined) throw notFound(resourceId);
  const now = core.clock.now();
  const run: MaintenanceRecord = {
    id: newId("mrn"),
    seq: core.state.nextSeq(),
    resourceId,
    type: stringField(b, "type", "type") || "maintenance",
    scheduledAt: b.scheduledAt === undefined ? now + 7 * DAY : dateField(b.scheduledAt, "scheduledAt"),
    pendingMaintenanceBy:
      b.pendingMaintenanceBy === undefined
        ? now + 14 * DAY
        : dateField(b.pendingMaintenanceBy, "pendingMaintenanceBy"),
  };
  if (run.pendingMaintenanceBy! <= run.scheduledAt)
    throw badRequest("pendingMaintenanceBy must be after scheduledAt");
  core.state.maintenance.set(run.id, run);
  core.changed();
  return run;
}

/** Registers the maintenance routes. */
export function registerMaintenanceRoutes(router: Router, core: EmulatorCore): void {
  router.add("GET", "/maintenance", ({ query }) => {
    const resourceIds = queryList(query, "resourceId");
    const ownerIds = queryList(query, "ownerId");
    const states = queryEnumList(query, "state", STATES);
    const runs = [...core.state.maintenance.values()]
      .filter((run) => {
        const owner = ownerOf(core, run.resourceId);
        return (
          owner !== undefined &&
          (!resourceIds || resourceIds.includes(run.resourceId)) &&
          (!ownerIds || ownerIds.includes(owner)) &&
          (!states || states.includes(maintenanceState(core, run)))
        );
      })
      .sort((a, b) => a.scheduledAt - b.scheduledAt || a.seq - b.seq);
    return { status: 200, body: runs.map((run) => maintenanceJson(core, run)) };
  });

  router.add("GET", "/maintenance/:id", ({ params }) => ({
    status: 200,
    body: maintenanceJson(core, requireRun(core, params.id)),
  }));

  router.add("PATCH", "/maintenance/:id", ({ params, body }) => {
    const run = requireRun(core, params.id);
    const b = objectBody(body);
    if (b.scheduledAt === undefined) return { status: 202 };
    const scheduledAt = dateField(b.scheduledAt, "scheduledAt");
    const state = maintenanceState(core, run);
    if (state !== "scheduled")
      throw badRequest(`maintenance ${run.id} is ${state}: only a scheduled run can move`);
    // UNCONFIRMED that Render refuses a time in the past; refusing is never kinder.
    if (scheduledAt <= core.clock.now()) throw badRequest("scheduledAt must be in the future");
    if (run.pendingMaintenanceBy !== undefined && scheduledAt >= run.pendingMaintenanceBy) {
      throw badRequest(`scheduledAt must be before pendingMaintenanceBy (${iso(run.pendingMaintenanceBy)})`);
    }
    run.scheduledAt = scheduledAt;
    core.changed();
    return { status: 202 };
  });

  router.add("POST", "/maintenance/:id/trigger", ({ params }) => {
    const run = requireRun(core, params.id);
    const state = maintenanceState(core, run);
    if (state !== "scheduled")
      throw badRequest(`maintenance ${run.id} is ${state}: only a scheduled run can start`);
    run.triggeredAt = core.clock.now();
    core.changed();
    return { status: 202 };
  });
}
