/**
 * One-off jobs (openapi.json "One-Off Jobs"; render.com/docs/one-off-jobs): create, list (status and
 * time filters), get, cancel. A job runs its `startCommand` once in a new instance of the service, built
 * from the service's latest successful deploy; its status moves on by the emulator clock: `pending` for
 * the deploy queue time, `running` for the pre-deploy time (a one-off command, as a pre-deploy command
 * is), then `succeeded`. Canceled while not finished: `canceled`.
 *
 * UNCONFIRMED, the safe side taken: a service with no successful deploy yet (nothing to run the job
 * from) and a static site (no instances) are refused with 400; `planId` when none is given is the
 * service's plan as `plan-srv-<plan>` (Render's plan ids, e.g. `plan-srv-004`, are not documented).
 */
import type { EmulatorCore } from "../core";
import { badRequest, notFound } from "../errors";
import { newId } from "../ids";
import { hasLiveDeploy } from "../lifecycle/deploys";
import type { Router } from "../router";
import type { JobRecord } from "../state/model";
import { iso, requireService } from "./common";
import { paginate } from "./pagination";
import { objectBody, queryEnumList, stringField, timeFilter } from "./validate";

/** openapi.json job `status`. */
const JOB_STATUSES = ["pending", "running", "succeeded", "failed", "canceled"] as const;
type JobStatus = (typeof JOB_STATUSES)[number];

/** Where a job stands at `now`: its status and when it started and finished. */
function jobTimeline(
  job: JobRecord,
  now: number,
): { status: JobStatus; startedAt?: number; finishedAt?: number } {
  const startedAt = job.createdAt + job.durations.pending;
  const finishedAt = startedAt + job.durations.run;
  if (job.canceledAt !== undefined && job.canceledAt < finishedAt)
    return {
      status: "canceled",
      ...(job.canceledAt >= startedAt ? { startedAt } : {}),
      finishedAt: job.canceledAt,
    };
  if (now < startedAt) return { status: "pending" };
  if (now < finishedAt) return { status: "running", startedAt };
  return { status: "succeeded", startedAt, finishedAt };
}

function jobJson(job: JobRecord, now: number): Record<string, unknown> {
  const t = jobTimeline(job, now);
  return {
    id: job.id,
    serviceId: job.serviceId,
    startCommand: job.startCommand,
    planId: job.planId,
    status: t.status,
    createdAt: iso(job.createdAt),
    ...(t.startedAt !== undefined ? { startedAt: iso(t.startedAt) } : {}),
    ...(t.finishedAt !== undefined ? { finishedAt: iso(t.finishedAt) } : {}),
  };
}

function requireJob(core: EmulatorCore, serviceId: string, jobId: string): JobRecord {
  const job = core.state.jobs.get(jobId);
  if (!job || job.serviceId !== serviceId) throw notFound(jobId);
  return job;
}

/** Registers the one-off job routes. */
export function registerJobRoutes(router: Router, core: EmulatorCore): void {
  router.add("POST", "/services/:serviceId/jobs", ({ params, body }) => {
    const service = requireService(core, params.serviceId);
    const b = objectBody(body);
    const startCommand = stringField(b, "startCommand", "startCommand", true);
    if (startCommand.trim() === "") throw badRequest("startCommand must not be empty");
    const planId = stringField(b, "planId", "planId");
    if (service.type === "static_site") throw badRequest("a static site has no instances to run a job on");
    const now = core.clock.now();
    if (!hasLiveDeploy(core.state.deploysOf(service.id), now))
      throw badRequest(`service ${service.id} has no successful deploy to run a job from`);
    const job: JobRecord = {
      id: newId("job"),
      seq: core.state.nextSeq(),
      serviceId: service.id,
      startCommand,
      planId: planId ?? `plan-srv-${service.details.plan}`,
      createdAt: now,
      durations: { pending: core.timings.deployQueue, run: core.timings.preDeploy },
    };
    core.state.jobs.set(job.id, job);
    core.changed();
    return { status: 201, body: jobJson(job, now) };
  });

  router.add("GET", "/services/:serviceId/jobs", ({ params, query }) => {
    const service = requireService(core, params.serviceId);
    const now = core.clock.now();
    const statuses = queryEnumList(query, "status", JOB_STATUSES);
    const items = [...core.state.jobs.values()].filter((job) => {
      if (job.serviceId !== service.id) return false;
      const t = jobTimeline(job, now);
      return (
        (!statuses || statuses.includes(t.status)) &&
        timeFilter(query, "created", job.createdAt) &&
        timeFilter(query, "started", t.startedAt) &&
        timeFilter(query, "finished", t.finishedAt)
      );
    });
    return { status: 200, body: paginate(items, query, "job", (job) => jobJson(job, now)) };
  });

  router.add("GET", "/services/:serviceId/jobs/:jobId", ({ params }) => {
    requireService(core, params.serviceId);
    return { status: 200, body: jobJson(requireJob(core, params.serviceId, params.jobId), core.clock.now()) };
  });

  // Canceling a job that already finished is refused (UNCONFIRMED status: 400, as a finished deploy's).
  router.add("POST", "/services/:serviceId/jobs/:jobId/cancel", ({ params }) => {
    requireService(core, params.serviceId);
    const job = requireJob(core, params.serviceId, params.jobId);
    const now = core.clock.now();
    const status = jobTimeline(job, now).status;
    if (status !== "pending" && status !== "running")
      throw badRequest(`job ${job.id} is ${status}: only a pending or running job can be canceled`);
    job.canceledAt = now;
    core.changed();
    return { status: 200, body: jobJson(job, now) };
  });
}
