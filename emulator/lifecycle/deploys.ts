/**
 * Deploy statuses, computed from the emulator clock:
 * `created` -> `build_in_progress` -> (`pre_deploy_in_progress`) -> `update_in_progress` -> `live`,
 * or `build_failed` / `pre_deploy_failed` / `update_failed` at the end of the failing stage, or
 * `canceled`. A `live` deploy becomes `deactivated` once a later deploy of its service goes live.
 */

/** Stage at which a deploy is set to fail (control API `PUT /_emulator/deploys/fail`). */
export type FailStage = "build" | "pre_deploy" | "update";

/** The part of a deploy record its status depends on. */
export interface DeployTimeline {
  /** Creation order (ties of `liveAt` are broken by it). */
  seq: number;
  createdAt: number;
  /** Durations taken when the deploy was created. */
  durations: { queue: number; build: number; preDeploy: number; update: number };
  /** Whether there is a pre-deploy stage. */
  preDeploy: boolean;
  /** `deploy_only` skips the build. */
  skipBuild: boolean;
  failStage?: FailStage;
  canceledAt?: number;
}

/** A deploy's status and times at one instant. */
export interface DeployView {
  status: string;
  /** When the build (the first stage after `created`) started; undefined while `created`. */
  startedAt?: number;
  /** When it reached a terminal status; null while running. */
  finishedAt: number | null;
  /** Time of its last status change. */
  updatedAt: number;
}

interface Outcome {
  status: "live" | "build_failed" | "pre_deploy_failed" | "update_failed" | "canceled";
  at: number;
  stages: { status: string; at: number }[];
}

/** The stages and the end of a deploy, ignoring later deploys. */
export function deployOutcome(d: DeployTimeline): Outcome {
  const stages: { status: string; at: number }[] = [{ status: "created", at: d.createdAt }];
  let t = d.createdAt + d.durations.queue;
  const plan: [string, number, FailStage | undefined][] = [];
  if (!d.skipBuild) plan.push(["build_in_progress", d.durations.build, "build"]);
  if (d.preDeploy) plan.push(["pre_deploy_in_progress", d.durations.preDeploy, "pre_deploy"]);
  plan.push(["update_in_progress", d.durations.update, "update"]);
  let outcome: Outcome | undefined;
  for (const [status, duration, stage] of plan) {
    stages.push({ status, at: t });
    t += duration;
    if (d.failStage === stage) {
      outcome = { status: `${stage}_failed` as Outcome["status"], at: t, stages };
      break;
    }
  }
  outcome ??= { status: "live", at: t, stages };
  if (d.canceledAt !== undefined && d.canceledAt < outcome.at) {
    return { status: "canceled", at: d.canceledAt, stages: stages.filter((s) => s.at <= d.canceledAt!) };
  }
  return outcome;
}

/** When the deploy went (or will go) live, or undefined if it never does. */
export function liveAt(d: DeployTimeline): number | undefined {
  const outcome = deployOutcome(d);
  return outcome.status === "live" ? outcome.at : undefined;
}

/**
 * The deploy's view at `now`, given the other deploys of the same service (to tell `live` from
 * `deactivated`).
 */
export function deployView(d: DeployTimeline, now: number, siblings: readonly DeployTimeline[]): DeployView {
  const outcome = deployOutcome(d);
  const startedAt = d.createdAt + d.durations.queue;
  if (now >= outcome.at) {
    let status: string = outcome.status;
    let updatedAt = outcome.at;
    if (status === "live") {
      const replacedAt = supersededAt(d, outcome.at, now, siblings);
      if (replacedAt !== undefined) {
        status = "deactivated";
        updatedAt = replacedAt;
      }
    }
    return {
      status,
      startedAt: startedAt <= outcome.at ? startedAt : undefined,
      finishedAt: outcome.at,
      updatedAt,
    };
  }
  let current = outcome.stages[0];
  for (const stage of outcome.stages) if (stage.at <= now) current = stage;
  return {
    status: current.status,
    startedAt: now >= startedAt ? startedAt : undefined,
    finishedAt: null,
    updatedAt: current.at,
  };
}

/** The earliest time (<= now) at which a later deploy went live after `d` did. */
function supersededAt(
  d: DeployTimeline,
  ownLiveAt: number,
  now: number,
  siblings: readonly DeployTimeline[],
): number | undefined {
  let earliest: number | undefined;
  for (const other of siblings) {
    if (other === d || other.seq === d.seq) continue;
    const at = liveAt(other);
    if (at === undefined || at > now) continue;
    const later = at > ownLiveAt || (at === ownLiveAt && other.seq > d.seq);
    if (later && (earliest === undefined || at < earliest)) earliest = at;
  }
  return earliest;
}

/** Whether the service has a deploy that is `live` at `now`. */
export function hasLiveDeploy(deploys: readonly DeployTimeline[], now: number): boolean {
  return deploys.some((d) => deployView(d, now, deploys).status === "live");
}
