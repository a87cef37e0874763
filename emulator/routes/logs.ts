/**
 * `GET /logs` ([SPEC] list-logs): the log lines of a workspace's resources in a time window, newest first
 * (`direction=backward`, the default) or oldest first, paged by time (`hasMore`, `nextStartTime`,
 * `nextEndTime`). The emulator's lines are those of its deploys, made from each deploy's timeline (so a
 * line exists once the emulator clock passes it): the build (`type` `build`), the pre-deploy command
 * (`build` too: it runs in Render's build pipeline; its label on Render is UNCONFIRMED), and the start of
 * the app (`app`). A stage set to fail (control API `PUT /_emulator/deploys/fail`) writes its `output`,
 * else a default error, then Render's failure line.
 */
import type { EmulatorCore } from "../core";
import { badRequest } from "../errors";
import { deployOutcome } from "../lifecycle/deploys";
import type { Router } from "../router";
import type { DeployRecord, ServiceRecord } from "../state/model";
import { iso, requireOwner } from "./common";
import { queryList, queryTime } from "./validate";

/** One line of a log, before rendering. */
interface LogLine {
  id: string;
  at: number;
  resource: string;
  type: "build" | "app";
  level: "info" | "error";
  message: string;
}

/** Lines of a build, so that a failure's last 30 do not show the whole log. */
const BUILD_STEPS = 36;

/** The lines of one deploy that exist at `now`. */
function deployLines(deploy: DeployRecord, service: ServiceRecord, now: number): LogLine[] {
  const outcome = deployOutcome(deploy);
  const lines: LogLine[] = [];
  const add = (at: number, type: LogLine["type"], level: LogLine["level"], message: string) => {
    // One millisecond apart, so that times order them and page on them.
    const t = at + lines.filter((l) => l.at >= at).length;
    if (t <= now)
      lines.push({ id: `${deploy.id}-${lines.length}`, at: t, resource: service.id, type, level, message });
  };
  const commands = service.details.envSpecificDetails as Record<string, string | undefined>;
  const failed = outcome.status.endsWith("_failed") ? outcome.status.replace(/_failed$/, "") : undefined;
  const failure = (fallback: string[]) => deploy.failOutput ?? fallback;
  for (const [i, stage] of outcome.stages.entries()) {
    const end = outcome.stages[i + 1]?.at ?? outcome.at;
    if (stage.status === "build_in_progress") {
      const commit = deploy.commit?.id ?? "";
      add(stage.at, "build", "info", `==> Cloning from ${service.repo ?? "the repository"}`);
      add(
        stage.at,
        "build",
        "info",
        `==> Checking out commit ${commit} in branch ${service.branch ?? "main"}`,
      );
      add(stage.at, "build", "info", `==> Running build command '${commands.buildCommand ?? ""}'...`);
      for (let step = 1; step <= BUILD_STEPS; step++)
        add(stage.at, "build", "info", `build step ${step}/${BUILD_STEPS} done`);
      if (failed === "build") {
        for (const line of failure(["npm error code 1", "npm error command failed"]))
          add(end, "build", "error", line);
        add(end, "build", "error", "==> Build failed 😞");
      } else if (end <= outcome.at) add(end, "build", "info", "==> Build successful 🎉");
    } else if (stage.status === "pre_deploy_in_progress") {
      add(
        stage.at,
        "build",
        "info",
        `==> Running pre-deploy command '${service.details.preDeployCommand ?? ""}'...`,
      );
      if (failed === "pre_deploy") {
        for (const line of failure(["Error: the pre-deploy command exited with status 1"]))
          add(end, "build", "error", line);
        add(end, "build", "error", "==> Pre-deploy has failed");
      } else add(end, "build", "info", "==> Pre-deploy command succeeded");
    } else if (stage.status === "update_in_progress") {
      add(stage.at, "build", "info", "==> Deploying...");
      add(stage.at, "app", "info", `==> Running '${commands.startCommand ?? ""}'`);
      if (failed === "update") {
        for (const line of failure(["Error: the app exited with status 1 before it listened"]))
          add(end, "app", "error", line);
        add(end, "build", "error", "==> Exited with status 1");
      } else if (outcome.status === "live") add(end, "build", "info", "==> Your service is live 🎉");
    }
  }
  return lines;
}

/** Registers `GET /logs`. */
export function registerLogRoutes(router: Router, core: EmulatorCore): void {
  router.add("GET", "/logs", ({ query }) => {
    const ownerId = query.get("ownerId");
    if (!ownerId) throw badRequest("ownerId is required");
    requireOwner(core, ownerId);
    const resources = queryList(query, "resource");
    if (!resources || resources.length === 0) throw badRequest("resource is required");
    const now = core.clock.now();
    const end = queryTime(query, "endTime") ?? now;
    const start = queryTime(query, "startTime") ?? end - 60 * 60_000;
    if (start > end) throw badRequest("startTime must not be after endTime");
    const direction = query.get("direction") ?? "backward";
    if (direction !== "backward" && direction !== "forward")
      throw badRequest(`invalid direction ${JSON.stringify(direction)}: must be one of forward, backward`);
    const limitText = query.get("limit");
    const limit = limitText === null ? 20 : Number(limitText);
    if (limitText !== null && (!/^\d+$/.test(limitText) || limit < 1 || limit > 100))
      throw badRequest(`invalid limit ${JSON.stringify(limitText)}: must be an integer between 1 and 100`);
    const types = queryList(query, "type");
    const levels = queryList(query, "level");
    const texts = queryList(query, "text");
    const lines: LogLine[] = [];
    for (const resource of resources) {
      const service = core.state.services.get(resource);
      // Postgres and other resources have no lines here; a resource of another workspace is refused, as
      // "all resources must ... belong to the same owner" (spec).
      const db = core.state.postgres.get(resource);
      const owner = service?.ownerId ?? db?.ownerId;
      if (owner !== undefined && owner !== ownerId)
        throw badRequest(`resource ${resource} does not belong to workspace ${ownerId}`);
      if (!service) continue;
      for (const deploy of core.state.deploysOf(service.id)) lines.push(...deployLines(deploy, service, now));
    }
    const matching = lines
      .filter(
        (l) =>
          l.at >= start &&
          l.at <= end &&
          (!types || types.includes(l.type)) &&
          (!levels || levels.includes(l.level)) &&
          (!texts || texts.some((t) => l.message.includes(t))),
      )
      .sort((a, b) => (direction === "backward" ? b.at - a.at : a.at - b.at));
    const page = matching.slice(0, limit);
    const hasMore = matching.length > limit;
    const last = page[page.length - 1];
    // The next page's window: the rest of this one past the last line returned.
    const nextStart = hasMore && direction === "forward" ? last.at + 1 : start;
    const nextEnd = hasMore && direction === "backward" ? last.at - 1 : end;
    return {
      status: 200,
      body: {
        hasMore,
        nextStartTime: iso(nextStart),
        nextEndTime: iso(nextEnd),
        logs: page.map((l) => ({
          id: l.id,
          message: l.message,
          timestamp: iso(l.at),
          labels: [
            { name: "resource", value: l.resource },
            { name: "type", value: l.type },
            { name: "level", value: l.level },
          ],
        })),
      },
    };
  });
}
