/**
 * Deploy routes: create, list (status and time filters), get, cancel, rollback. A deploy without
 * `commitId` builds the branch head (a stable fake commit per service and branch, settable through
 * the control API); statuses move on by the emulator clock (lifecycle/deploys.ts).
 */
import type { EmulatorCore } from "../core";
import { badRequest, conflict, notFound } from "../errors";
import { branchHeadCommit, newId } from "../ids";
import { deployView, liveAt } from "../lifecycle/deploys";
import type { Router } from "../router";
import type { DeployRecord, ServiceRecord } from "../state/model";
import { iso, requireService } from "./common";
import { DEPLOY_STATUSES, TERMINAL_DEPLOY_STATUSES } from "./enums";
import { paginate } from "./pagination";
import { enumField, objectBody, queryEnumList, stringField, timeFilter } from "./validate";

/** The commit a service's branch points at now. */
export function headCommit(service: ServiceRecord): string {
  const branch = service.branch ?? "main";
  return service.heads[branch] ?? branchHeadCommit(service.id, branch);
}

/** Options of a new deploy. */
export interface NewDeploy {
  trigger: string;
  commitId?: string;
  /** `deploy_only` skips the build. */
  deployOnly?: boolean;
  image?: { ref: string; sha: string };
}

/** Creates a deploy of `service`, with durations and failure taken now. */
export function createDeploy(core: EmulatorCore, service: ServiceRecord, options: NewDeploy): DeployRecord {
  const now = core.clock.now();
  const t = core.timings;
  const isImage = service.image !== undefined;
  const commitId = isImage ? undefined : (options.commitId ?? headCommit(service));
  const rule = [...core.state.deployFailures].reverse().find(
    (r) =>
      (r.serviceId === undefined || r.serviceId === service.id) &&
      // An image deploy is matched by its image ref (the service's image when none is given).
      r.commitId === (commitId ?? options.image?.ref ?? service.image?.imagePath),
  );
  const deploy: DeployRecord = {
    id: newId("dep"),
    serviceId: service.id,
    seq: core.state.nextSeq(),
    createdAt: now,
    trigger: options.trigger,
    commit: commitId ? { id: commitId, message: `Commit ${commitId.slice(0, 7)}`, createdAt: now } : null,
    ...(isImage
      ? {
          image: options.image ?? {
            ref: service.image!.imagePath,
            sha: `sha256:${branchHeadCommit(service.id, service.image!.imagePath)}`,
          },
        }
      : {}),
    durations: { queue: t.deployQueue, build: t.build, preDeploy: t.preDeploy, update: t.update },
    preDeploy: Boolean(service.details.preDeployCommand),
    skipBuild: options.deployOnly === true,
    ...(rule ? { failStage: rule.stage } : {}),
    ...(rule?.output ? { failOutput: [...rule.output] } : {}),
  };
  core.state.deploys.set(deploy.id, deploy);
  return deploy;
}

/** A deploy as Render renders it. */
export function deployJson(core: EmulatorCore, deploy: DeployRecord): Record<string, unknown> {
  const view = deployView(deploy, core.clock.now(), core.state.deploysOf(deploy.serviceId));
  return {
    id: deploy.id,
    commit: deploy.commit ? { ...deploy.commit, createdAt: iso(deploy.commit.createdAt) } : null,
    ...(deploy.image ? { image: deploy.image } : {}),
    status: view.status,
    trigger: deploy.trigger,
    ...(view.startedAt !== undefined ? { startedAt: iso(view.startedAt) } : {}),
    finishedAt: view.finishedAt === null ? null : iso(view.finishedAt),
    createdAt: iso(deploy.createdAt),
    updatedAt: iso(view.updatedAt),
  };
}

/**
 * A deploy asked for with a `POST /services/{id}/deploys` body, recorded with `trigger`: `api` through the
 * API; the control API's dashboard deploy uses the same checks with `manual`.
 */
export function deployFromBody(
  core: EmulatorCore,
  service: ServiceRecord,
  body: unknown,
  trigger: string,
): DeployRecord {
  // Render's spec marks the body required, but the Terraform provider sends `{}`; no body is taken as `{}`.
  const b = body === undefined ? {} : objectBody(body);
  const clearCache = enumField(b, "clearCache", "clearCache", ["clear", "do_not_clear"] as const);
  const commitId = stringField(b, "commitId", "commitId");
  const imageUrl = stringField(b, "imageUrl", "imageUrl");
  const deployMode = enumField(b, "deployMode", "deployMode", ["build_and_deploy", "deploy_only"] as const);
  if (
    deployMode === "deploy_only" &&
    (clearCache !== undefined || commitId !== undefined || imageUrl !== undefined)
  ) {
    throw badRequest("deployMode deploy_only cannot be combined with clearCache, commitId or imageUrl");
  }
  if (commitId !== undefined) {
    if (service.image) throw badRequest("commitId is only for services built from a Git repository");
    if (!/^[0-9a-f]{7,40}$/i.test(commitId))
      throw badRequest(`invalid commitId ${JSON.stringify(commitId)}: must be a commit SHA`);
  }
  if (imageUrl !== undefined) {
    if (!service.image) throw badRequest("imageUrl is only for services deployed from an image");
    if (imageUrl.split(/[:@]/)[0] !== service.image.imagePath.split(/[:@]/)[0]) {
      throw badRequest("imageUrl must match the service's configured image");
    }
  }
  if (service.suspended) throw conflict(`service ${service.id} is suspended: resume it before deploying`);
  return createDeploy(core, service, {
    trigger,
    commitId: commitId?.toLowerCase(),
    deployOnly: deployMode === "deploy_only",
    ...(imageUrl
      ? { image: { ref: imageUrl, sha: `sha256:${branchHeadCommit(service.id, imageUrl)}` } }
      : {}),
  });
}

/**
 * How many of a service's most recent deploys that went live keep their build, so that a rollback can
 * return to them, by workspace tier. Render: "Render retains a fixed number of recent build artifacts for
 * each service, based on your workspace plan. You can only roll back to a particular deploy if its build
 * artifact is still available" (render.com/docs/rollbacks). The figures are UNCONFIRMED (no stored source
 * gives them): the emulator keeps few, the safe side.
 */
export const BUILD_RETENTION = { hobby: 5, professional: 20 } as const;

/**
 * A rollback to `deployId` (the API's and the dashboard's): a new deploy of the target's commit or image
 * that skips the build, reusing the target's ("The build step will be skipped", render.com/docs/rollbacks).
 */
export function rollBack(core: EmulatorCore, service: ServiceRecord, deployId: string): DeployRecord {
  const target = requireDeploy(core, service, deployId);
  const now = core.clock.now();
  const wentLive = liveAt(target);
  if (wentLive === undefined || wentLive > now) {
    throw badRequest(`deployId ${deployId}: can only roll back to a deploy that went live`);
  }
  const kept = BUILD_RETENTION[core.workspaceTier];
  const builds = core.state
    .deploysOf(service.id)
    .filter((d) => {
      const at = liveAt(d);
      return at !== undefined && at <= now;
    })
    .reverse();
  if (builds.indexOf(target) >= kept)
    // Render's exact answer is UNCONFIRMED; 400 as for any deploy it cannot roll back to.
    throw badRequest(
      `deployId ${deployId}: its build is no longer kept (the last ${kept} deploys that went live keep theirs on a ${core.workspaceTier} workspace)`,
    );
  if (service.suspended)
    // 400, not 409: the spec lists no 409 for rollback.
    throw badRequest(`service ${service.id} is suspended: resume it before rolling back`);
  return createDeploy(core, service, {
    trigger: "rollback",
    commitId: target.commit?.id,
    deployOnly: true,
    ...(target.image ? { image: target.image } : {}),
  });
}

function requireDeploy(core: EmulatorCore, service: ServiceRecord, deployId: string): DeployRecord {
  const deploy = core.state.deploys.get(deployId);
  if (!deploy || deploy.serviceId !== service.id) throw notFound(deployId);
  return deploy;
}

/** Registers the deploy routes. */
export function registerDeployRoutes(router: Router, core: EmulatorCore): void {
  router.add("POST", "/services/:serviceId/deploys", ({ params, body }) => {
    const service = requireService(core, params.serviceId);
    const deploy = deployFromBody(core, service, body, "api");
    core.changed();
    return { status: 201, body: deployJson(core, deploy) };
  });

  router.add("GET", "/services/:serviceId/deploys", ({ params, query }) => {
    const service = requireService(core, params.serviceId);
    const statuses = queryEnumList(query, "status", DEPLOY_STATUSES);
    const all = core.state.deploysOf(service.id);
    const now = core.clock.now();
    const items = all.filter((d) => {
      const view = deployView(d, now, all);
      return (
        (!statuses || statuses.includes(view.status)) &&
        timeFilter(query, "created", d.createdAt) &&
        timeFilter(query, "updated", view.updatedAt) &&
        timeFilter(query, "finished", view.finishedAt)
      );
    });
    return { status: 200, body: paginate(items, query, "deploy", (d) => deployJson(core, d)) };
  });

  router.add("GET", "/services/:serviceId/deploys/:deployId", ({ params }) => {
    const service = requireService(core, params.serviceId);
    return { status: 200, body: deployJson(core, requireDeploy(core, service, params.deployId)) };
  });

  router.add("POST", "/services/:serviceId/deploys/:deployId/cancel", ({ params }) => {
    const service = requireService(core, params.serviceId);
    const deploy = requireDeploy(core, service, params.deployId);
    const now = core.clock.now();
    const status = deployView(deploy, now, core.state.deploysOf(service.id)).status;
    if (TERMINAL_DEPLOY_STATUSES.includes(status)) {
      // 400, not 409: the spec lists no 409 for cancel (Render's exact answer is UNCONFIRMED).
      throw badRequest(`deploy ${deploy.id} cannot be canceled: it is already ${status}`);
    }
    deploy.canceledAt = now;
    core.changed();
    return { status: 200, body: deployJson(core, deploy) };
  });

  router.add("POST", "/services/:serviceId/rollback", ({ params, body }) => {
    const service = requireService(core, params.serviceId);
    const deployId = stringField(objectBody(body), "deployId", "deployId", true);
    const deploy = rollBack(core, service, deployId);
    core.changed();
    return { status: 201, body: deployJson(core, deploy) };
  });
}
