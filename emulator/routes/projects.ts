/**
 * Projects and environments (openapi.json "Projects", "Environments"): `/projects…`, `/environments…` and
 * `/environments/{id}/resources` (move resources into / out of an environment).
 *
 * Render's model (openapi.json): a project is a named collection of environments; an environment has a
 * `protectedStatus` (`unprotected`|`protected`: only admins may do destructive actions in a protected one),
 * `networkIsolationEnabled` (no network connections across environments) and an `ipAllowList`. A service,
 * Postgres, Key Value or env group carries its `environmentId` itself; the environment's `serviceIds`,
 * `databasesIds`, `redisIds` and `envGroupIds` are computed from those records here, so both views agree.
 *
 * UNCONFIRMED choices (no doc or recorded traffic found; each the safe one, never kinder than Render):
 * - ids are `prj-` / `evm-` + 20 characters (the prefixes seen in Render's dashboard URLs and TF examples);
 * - a project is created with at least one environment, and the last environment of a project cannot be
 *   deleted (the dashboard always shows one);
 * - environment names are unique within a project (refused otherwise);
 * - an environment (or project) still holding resources cannot be deleted: move them out first;
 * - removing a resource that is not in the environment is refused (400), as is adding an unknown id (404);
 * - defaults: `protectedStatus: unprotected`, `networkIsolationEnabled: false`, `ipAllowList: []`;
 * - a resource is placed only in an environment that exists in its own workspace: an unknown
 *   `environmentId` on create (servicePOST, postgresPOSTInput, keyValuePOSTInput, envGroupPOSTInput) is
 *   refused with 400 naming the field (servicePOST lists no 404; the others list 400 and 404, and which
 *   one Render sends is not documented), as is moving a resource of another workspace into one.
 */
import type { EmulatorCore } from "../core";
import { badRequest, notFound } from "../errors";
import { newId } from "../ids";
import type { Router } from "../router";
import type { EnvironmentRecord, ProjectRecord } from "../state/model";
import { iso, ownerJson, requireOwner } from "./common";
import { paginate } from "./pagination";
import {
  type Body,
  boolField,
  cidrListField,
  enumField,
  objectBody,
  queryList,
  stringField,
  timeFilter,
} from "./validate";

/** `protectedStatus` (openapi.json). */
export const PROTECTED_STATUSES = ["unprotected", "protected"] as const;

/** A project of the key's workspaces. @throws 404 otherwise. */
export function requireProject(core: EmulatorCore, id: string): ProjectRecord {
  const project = core.state.projects.get(id);
  if (!project || !core.state.owners.has(project.ownerId)) throw notFound(id);
  return project;
}

/** An environment of the key's workspaces. @throws 404 otherwise. */
export function requireEnvironment(core: EmulatorCore, id: string): EnvironmentRecord {
  const env = core.state.environments.get(id);
  if (!env || !core.state.projects.has(env.projectId)) throw notFound(id);
  requireProject(core, env.projectId);
  return env;
}

/**
 * Refuses (400) a created resource's `environmentId` that names no environment of the key's workspaces,
 * or one of another workspace than the resource's `ownerId`. Absent or empty: not placed.
 */
export function checkPlacement(core: EmulatorCore, environmentId: string | undefined, ownerId: string): void {
  if (!environmentId) return;
  const env = core.state.environments.get(environmentId);
  const project = env ? core.state.projects.get(env.projectId) : undefined;
  if (!env || !project || !core.state.owners.has(project.ownerId))
    throw badRequest(`environmentId: no environment ${JSON.stringify(environmentId)} exists`);
  if (project.ownerId !== ownerId)
    throw badRequest(
      `environmentId: environment ${environmentId} belongs to workspace ${project.ownerId}, not ${ownerId}`,
    );
}

/** Registers the project and environment routes. */
export function registerProjectRoutes(router: Router, core: EmulatorCore): void {
  router.add("GET", "/projects", ({ query }) => {
    const names = queryList(query, "name");
    const ownerIds = queryList(query, "ownerId");
    const items = [...core.state.projects.values()].filter(
      (p) =>
        core.state.owners.has(p.ownerId) &&
        (!names || names.includes(p.name)) &&
        (!ownerIds || ownerIds.includes(p.ownerId)) &&
        timeFilter(query, "created", p.createdAt) &&
        timeFilter(query, "updated", p.updatedAt),
    );
    return { status: 200, body: paginate(items, query, "project", (p) => projectJson(core, p)) };
  });

  router.add("POST", "/projects", ({ body }) => {
    const project = createProject(core, objectBody(body));
    core.changed();
    return { status: 201, body: projectJson(core, project) };
  });

  router.add("GET", "/projects/:projectId", ({ params }) => ({
    status: 200,
    body: projectJson(core, requireProject(core, params.projectId)),
  }));

  router.add("PATCH", "/projects/:projectId", ({ params, body }) => {
    const project = requireProject(core, params.projectId);
    const b = objectBody(body);
    const name = stringField(b, "name", "name");
    if (name !== undefined && name.trim() === "") throw badRequest("name must not be empty");
    if (name !== undefined) project.name = name;
    project.updatedAt = core.clock.now();
    core.changed();
    return { status: 200, body: projectJson(core, project) };
  });

  router.add("DELETE", "/projects/:projectId", ({ params }) => {
    const project = requireProject(core, params.projectId);
    const envs = environmentsOf(core, project.id);
    for (const env of envs) requireEmpty(core, env, "project");
    for (const env of envs) core.state.environments.delete(env.id);
    core.state.projects.delete(project.id);
    core.changed();
    return { status: 204 };
  });

  router.add("GET", "/environments", ({ query }) => {
    const projectIds = queryList(query, "projectId");
    if (!projectIds || projectIds.length === 0) throw badRequest("projectId is required");
    const names = queryList(query, "name");
    const ownerIds = queryList(query, "ownerId");
    const envIds = queryList(query, "environmentId");
    const items = [...core.state.environments.values()].filter((e) => {
      const project = core.state.projects.get(e.projectId);
      return (
        project !== undefined &&
        core.state.owners.has(project.ownerId) &&
        projectIds.includes(e.projectId) &&
        (!names || names.includes(e.name)) &&
        (!ownerIds || ownerIds.includes(project.ownerId)) &&
        (!envIds || envIds.includes(e.id)) &&
        timeFilter(query, "created", e.createdAt) &&
        timeFilter(query, "updated", e.updatedAt)
      );
    });
    return { status: 200, body: paginate(items, query, "environment", (e) => environmentJson(core, e)) };
  });

  router.add("POST", "/environments", ({ body }) => {
    const b = objectBody(body);
    const projectId = stringField(b, "projectId", "projectId", true);
    const project = requireProject(core, projectId);
    const env = createEnvironment(core, project, b, "");
    project.updatedAt = env.createdAt;
    core.changed();
    return { status: 201, body: environmentJson(core, env) };
  });

  router.add("GET", "/environments/:environmentId", ({ params }) => ({
    status: 200,
    body: environmentJson(core, requireEnvironment(core, params.environmentId)),
  }));

  router.add("PATCH", "/environments/:environmentId", ({ params, body }) => {
    const env = requireEnvironment(core, params.environmentId);
    const b = objectBody(body);
    const name = stringField(b, "name", "name");
    if (name !== undefined) {
      if (name.trim() === "") throw badRequest("name must not be empty");
      checkUniqueName(core, env.projectId, name, "name", env.id);
    }
    const protectedStatus = enumField(b, "protectedStatus", "protectedStatus", PROTECTED_STATUSES);
    const isolation = boolField(b, "networkIsolationEnabled", "networkIsolationEnabled");
    const ipAllowList = cidrListField(b, "ipAllowList", "ipAllowList");
    if (name !== undefined) env.name = name;
    if (protectedStatus !== undefined) env.protectedStatus = protectedStatus;
    if (isolation !== undefined) env.networkIsolationEnabled = isolation;
    if (ipAllowList !== undefined) env.ipAllowList = ipAllowList;
    env.updatedAt = core.clock.now();
    core.changed();
    return { status: 200, body: environmentJson(core, env) };
  });

  router.add("DELETE", "/environments/:environmentId", ({ params }) => {
    const env = requireEnvironment(core, params.environmentId);
    requireEmpty(core, env, "environment");
    if (environmentsOf(core, env.projectId).length === 1)
      throw badRequest(
        `environment ${env.id} is the last environment of project ${env.projectId}: delete the project instead`,
      );
    core.state.environments.delete(env.id);
    core.changed();
    return { status: 204 };
  });

  router.add("POST", "/environments/:environmentId/resources", ({ params, body }) => {
    const env = requireEnvironment(core, params.environmentId);
    const b = objectBody(body);
    const ids = resourceIdList(b.resourceIds);
    const ownerId = requireProject(core, env.projectId).ownerId;
    const records = ids.map((id, i) => {
      const r = movableResource(core, id);
      if (r.ownerId !== ownerId)
        throw badRequest(
          `resourceIds[${i}]: ${id} is in workspace ${r.ownerId}, the environment in ${ownerId}`,
        );
      return r;
    });
    const now = core.clock.now();
    for (const r of records) {
      r.environmentId = env.id;
      r.updatedAt = now;
    }
    core.changed();
    return { status: 200, body: environmentJson(core, env) };
  });

  router.add("DELETE", "/environments/:environmentId/resources", ({ params, query }) => {
    const env = requireEnvironment(core, params.environmentId);
    const ids = resourceIdList(queryList(query, "resourceIds"));
    const records = ids.map((id) => {
      const r = movableResource(core, id);
      if (r.environmentId !== env.id) throw badRequest(`resource ${id} is not in environment ${env.id}`);
      return r;
    });
    const now = core.clock.now();
    for (const r of records) {
      delete r.environmentId;
      r.updatedAt = now;
    }
    core.changed();
    return { status: 204 };
  });
}

/** A resource that can live in an environment. */
interface Movable {
  ownerId: string;
  environmentId?: string;
  updatedAt: number;
}

function resourceIdList(value: unknown): string[] {
  if (!Array.isArray(value) || value.length === 0)
    throw badRequest(
      "resourceIds is required: a non-empty list of service, Postgres, Key Value or env group ids",
    );
  return value.map((id, i) => {
    if (typeof id !== "string" || id === "") throw badRequest(`resourceIds[${i}] must be a non-empty string`);
    return id;
  });
}

/** A service, Postgres, Key Value or env group of the key's workspaces. @throws 404 otherwise. */
function movableResource(core: EmulatorCore, id: string): Movable {
  const r =
    core.state.services.get(id) ??
    core.state.postgres.get(id) ??
    core.state.keyValues.get(id) ??
    core.state.envGroups.get(id);
  if (!r || !core.state.owners.has(r.ownerId)) throw notFound(id);
  return r;
}

function environmentsOf(core: EmulatorCore, projectId: string): EnvironmentRecord[] {
  return [...core.state.environments.values()]
    .filter((e) => e.projectId === projectId)
    .sort((a, b) => a.seq - b.seq);
}

function checkUniqueName(
  core: EmulatorCore,
  projectId: string,
  name: string,
  field: string,
  self?: string,
): void {
  if (environmentsOf(core, projectId).some((e) => e.name === name && e.id !== self))
    throw badRequest(
      `${field}: project ${projectId} already has an environment named ${JSON.stringify(name)}`,
    );
}

function requireEmpty(core: EmulatorCore, env: EnvironmentRecord, what: string): void {
  const held = resourcesOf(core, env.id);
  const count =
    held.serviceIds.length + held.databasesIds.length + held.redisIds.length + held.envGroupIds.length;
  if (count > 0)
    throw badRequest(
      `cannot delete ${what}: environment ${env.id} (${env.name}) still holds ${count} resource(s); move or delete them first`,
    );
}

function resourcesOf(
  core: EmulatorCore,
  envId: string,
): { serviceIds: string[]; databasesIds: string[]; redisIds: string[]; envGroupIds: string[] } {
  const ids = (records: Iterable<{ id: string; seq: number; environmentId?: string }>) =>
    [...records]
      .filter((r) => r.environmentId === envId)
      .sort((a, b) => a.seq - b.seq)
      .map((r) => r.id);
  return {
    serviceIds: ids(core.state.services.values()),
    databasesIds: ids(core.state.postgres.values()),
    redisIds: ids(core.state.keyValues.values()),
    envGroupIds: ids(core.state.envGroups.values()),
  };
}

function createProject(core: EmulatorCore, b: Body): ProjectRecord {
  const name = stringField(b, "name", "name", true);
  const ownerId = stringField(b, "ownerId", "ownerId", true);
  const envs = b.environments;
  if (!Array.isArray(envs) || envs.length === 0)
    throw badRequest("environments is required: a non-empty list of {name, protectedStatus?, ...}");
  const bodies = envs.map((e, i) => objectBody(e, `environments[${i}]`));
  const seen = new Set<string>();
  bodies.forEach((e, i) => {
    const envName = stringField(e, "name", `environments[${i}].name`, true);
    if (seen.has(envName))
      throw badRequest(`environments[${i}].name: duplicate environment name ${JSON.stringify(envName)}`);
    seen.add(envName);
    enumField(e, "protectedStatus", `environments[${i}].protectedStatus`, PROTECTED_STATUSES);
    boolField(e, "networkIsolationEnabled", `environments[${i}].networkIsolationEnabled`);
    cidrListField(e, "ipAllowList", `environments[${i}].ipAllowList`);
  });
  requireOwner(core, ownerId);
  const now = core.clock.now();
  const project: ProjectRecord = {
    id: newId("prj"),
    seq: core.state.nextSeq(),
    ownerId,
    name,
    createdAt: now,
    updatedAt: now,
  };
  core.state.projects.set(project.id, project);
  bodies.forEach((e, i) => createEnvironment(core, project, e, `environments[${i}].`));
  return project;
}

/** Validates one environment body (fields named with `prefix`) and stores it. */
function createEnvironment(
  core: EmulatorCore,
  project: ProjectRecord,
  b: Body,
  prefix: string,
): EnvironmentRecord {
  const name = stringField(b, "name", `${prefix}name`, true);
  checkUniqueName(core, project.id, name, `${prefix}name`);
  const protectedStatus =
    enumField(b, "protectedStatus", `${prefix}protectedStatus`, PROTECTED_STATUSES) ?? "unprotected";
  const networkIsolationEnabled =
    boolField(b, "networkIsolationEnabled", `${prefix}networkIsolationEnabled`) ?? false;
  const ipAllowList = cidrListField(b, "ipAllowList", `${prefix}ipAllowList`) ?? [];
  const now = core.clock.now();
  const env: EnvironmentRecord = {
    id: newId("evm"),
    seq: core.state.nextSeq(),
    projectId: project.id,
    name,
    protectedStatus,
    networkIsolationEnabled,
    ipAllowList,
    createdAt: now,
    updatedAt: now,
  };
  core.state.environments.set(env.id, env);
  return env;
}

/** A project as Render renders it (`project`). */
export function projectJson(core: EmulatorCore, p: ProjectRecord): Record<string, unknown> {
  const owner = core.state.owners.get(p.ownerId);
  return {
    id: p.id,
    createdAt: iso(p.createdAt),
    updatedAt: iso(p.updatedAt),
    name: p.name,
    owner: owner ? ownerJson(owner) : { id: p.ownerId, name: "", email: "", type: "team" },
    environmentIds: environmentsOf(core, p.id).map((e) => e.id),
  };
}

/** An environment as Render renders it (`environment`). */
export function environmentJson(core: EmulatorCore, e: EnvironmentRecord): Record<string, unknown> {
  return {
    id: e.id,
    name: e.name,
    projectId: e.projectId,
    ...resourcesOf(core, e.id),
    protectedStatus: e.protectedStatus,
    networkIsolationEnabled: e.networkIsolationEnabled,
    ipAllowList: e.ipAllowList,
  };
}
