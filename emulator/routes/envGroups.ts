/**
 * Environment group routes (`/env-groups…`, openapi.json "Environment Groups"): list (filters), create,
 * get, rename, delete; one env var or secret file at a time (PUT adds or updates, DELETE removes); and
 * the link of one service (POST/DELETE `/env-groups/{id}/services/{serviceId}`).
 *
 * Render's shapes (openapi.json, and render-oss/terraform-provider-render's recorded traffic,
 * `internal/provider/envgroup/resource/testdata/env_group_cassette.yaml`, 2024-05):
 * - ids are `evg-` + 20 characters; the list is a bare array of `envGroupMeta` (no values, no cursor
 *   wrapper, as the spec says); the detail (create, get, rename, each PUT and the link) has every value;
 * - `generateValue: true` makes a 44-character base64 value (OBSERVED);
 * - the create answers 201, the rename, the PUTs and the link 200 with the whole group; deletes 204.
 *
 * UNCONFIRMED, the safe choice taken: a second group of the same name in a workspace is refused (400:
 * Blueprints name groups in `fromGroup`, so a name must say which group); linking a service twice is
 * idempotent; unlinking a service that is not linked is 404; a service of another workspace cannot be
 * linked (404, as it is not found there).
 */
import type { EmulatorCore } from "../core";
import { badRequest, notFound } from "../errors";
import { newId } from "../ids";
import type { Router } from "../router";
import type { EnvGroupRecord, ServiceRecord } from "../state/model";
import { envVarList, envVarValue } from "./envVars";
import { iso, requireOwner } from "./common";
import { checkPlacement } from "./projects";
import { queryLimit } from "./pagination";
import { type Body, checkEnvVarKey, objectBody, queryList, stringField, timeFilter } from "./validate";

/** `serviceTypeShort` of a service type (openapi.json). */
const SHORT_TYPES: Record<string, string> = {
  web_service: "web",
  private_service: "pserv",
  background_worker: "worker",
  cron_job: "cron",
  static_site: "static",
};

/** A group of the key's workspaces. @throws 404 otherwise. */
export function requireEnvGroup(core: EmulatorCore, id: string): EnvGroupRecord {
  const group = core.state.envGroups.get(id);
  if (!group || !core.state.owners.has(group.ownerId)) throw notFound(id);
  return group;
}

/** A service of the group's workspace. @throws 404 otherwise (another workspace's is not found there). */
function requireServiceOf(core: EmulatorCore, group: EnvGroupRecord, serviceId: string): ServiceRecord {
  const service = core.state.services.get(serviceId);
  if (!service || service.ownerId !== group.ownerId) throw notFound(serviceId);
  return service;
}

/** Secret file names: a file name, no path (Render's rule is UNCONFIRMED; this is the safe side). */
function checkSecretFileName(name: unknown, what: string): string {
  if (typeof name !== "string" || name === "") throw badRequest(`${what} is required`);
  if (name.includes("/") || name === "." || name === ".." || name.length > 255)
    throw badRequest(
      `invalid ${what} ${JSON.stringify(name)}: a file name without '/', at most 255 characters`,
    );
  return name;
}

/** Registers the env group routes. */
export function registerEnvGroupRoutes(router: Router, core: EmulatorCore): void {
  router.add("GET", "/env-groups", ({ query }) => {
    const names = queryList(query, "name");
    const ownerIds = queryList(query, "ownerId");
    const environmentIds = queryList(query, "environmentId");
    const items = [...core.state.envGroups.values()]
      .filter(
        (g) =>
          core.state.owners.has(g.ownerId) &&
          (!names || names.includes(g.name)) &&
          (!ownerIds || ownerIds.includes(g.ownerId)) &&
          (!environmentIds || (g.environmentId !== undefined && environmentIds.includes(g.environmentId))) &&
          timeFilter(query, "created", g.createdAt) &&
          timeFilter(query, "updated", g.updatedAt),
      )
      .sort((a, b) => b.seq - a.seq)
      .slice(0, queryLimit(query));
    return { status: 200, body: items.map((g) => envGroupMetaJson(core, g)) };
  });

  router.add("POST", "/env-groups", ({ body }) => {
    const group = createEnvGroup(core, objectBody(body));
    core.changed();
    return { status: 201, body: envGroupJson(core, group) };
  });

  router.add("GET", "/env-groups/:envGroupId", ({ params }) => ({
    status: 200,
    body: envGroupJson(core, requireEnvGroup(core, params.envGroupId)),
  }));

  router.add("PATCH", "/env-groups/:envGroupId", ({ params, body }) => {
    const group = requireEnvGroup(core, params.envGroupId);
    const name = stringField(objectBody(body), "name", "name", true);
    if (name !== group.name) checkNameFree(core, group.ownerId, name);
    group.name = name;
    group.updatedAt = core.clock.now();
    core.changed();
    return { status: 200, body: envGroupJson(core, group) };
  });

  router.add("DELETE", "/env-groups/:envGroupId", ({ params }) => {
    const group = requireEnvGroup(core, params.envGroupId);
    core.state.envGroups.delete(group.id);
    core.changed();
    return { status: 204 };
  });

  router.add("POST", "/env-groups/:envGroupId/services/:serviceId", ({ params }) => {
    const group = requireEnvGroup(core, params.envGroupId);
    const service = requireServiceOf(core, group, params.serviceId);
    if (!group.serviceIds.includes(service.id)) {
      group.serviceIds.push(service.id);
      group.updatedAt = core.clock.now();
      core.changed();
    }
    return { status: 200, body: envGroupJson(core, group) };
  });

  router.add("DELETE", "/env-groups/:envGroupId/services/:serviceId", ({ params }) => {
    const group = requireEnvGroup(core, params.envGroupId);
    if (!linkedServiceIds(core, group).includes(params.serviceId)) throw notFound(params.serviceId);
    group.serviceIds = group.serviceIds.filter((id) => id !== params.serviceId);
    group.updatedAt = core.clock.now();
    core.changed();
    return { status: 204 };
  });

  router.add("GET", "/env-groups/:envGroupId/env-vars/:envVarKey", ({ params }) => {
    const group = requireEnvGroup(core, params.envGroupId);
    const ev = group.envVars.find((e) => e.key === params.envVarKey);
    if (!ev) throw notFound(params.envVarKey);
    return { status: 200, body: { key: ev.key, value: ev.value } };
  });

  router.add("PUT", "/env-groups/:envGroupId/env-vars/:envVarKey", ({ params, body }) => {
    const group = requireEnvGroup(core, params.envGroupId);
    const key = checkEnvVarKey(params.envVarKey, "envVarKey");
    const value = envVarValue(objectBody(body), "request body");
    const existing = group.envVars.find((e) => e.key === key);
    if (existing) existing.value = value;
    else group.envVars.push({ key, value, seq: core.state.nextSeq() });
    group.updatedAt = core.clock.now();
    core.changed();
    return { status: 200, body: envGroupJson(core, group) };
  });

  router.add("DELETE", "/env-groups/:envGroupId/env-vars/:envVarKey", ({ params }) => {
    const group = requireEnvGroup(core, params.envGroupId);
    if (!group.envVars.some((e) => e.key === params.envVarKey)) throw notFound(params.envVarKey);
    group.envVars = group.envVars.filter((e) => e.key !== params.envVarKey);
    group.updatedAt = core.clock.now();
    core.changed();
    return { status: 204 };
  });

  router.add("GET", "/env-groups/:envGroupId/secret-files/:secretFileName", ({ params }) => {
    const group = requireEnvGroup(core, params.envGroupId);
    const file = group.secretFiles.find((f) => f.name === params.secretFileName);
    if (!file) throw notFound(params.secretFileName);
    return { status: 200, body: { name: file.name, content: file.content } };
  });

  router.add("PUT", "/env-groups/:envGroupId/secret-files/:secretFileName", ({ params, body }) => {
    const group = requireEnvGroup(core, params.envGroupId);
    const name = checkSecretFileName(params.secretFileName, "secretFileName");
    const content = stringField(objectBody(body), "content", "content", true);
    const existing = group.secretFiles.find((f) => f.name === name);
    if (existing) existing.content = content;
    else group.secretFiles.push({ name, content, seq: core.state.nextSeq() });
    group.updatedAt = core.clock.now();
    core.changed();
    return { status: 200, body: envGroupJson(core, group) };
  });

  router.add("DELETE", "/env-groups/:envGroupId/secret-files/:secretFileName", ({ params }) => {
    const group = requireEnvGroup(core, params.envGroupId);
    if (!group.secretFiles.some((f) => f.name === params.secretFileName))
      throw notFound(params.secretFileName);
    group.secretFiles = group.secretFiles.filter((f) => f.name !== params.secretFileName);
    group.updatedAt = core.clock.now();
    core.changed();
    return { status: 204 };
  });
}

/**
 * @throws 400 when the workspace has a group of that name (see the file comment; openapi.json documents
 * no 409 on these routes, so the refusal is a 400).
 */
function checkNameFree(core: EmulatorCore, ownerId: string, name: string): void {
  for (const g of core.state.envGroups.values())
    if (g.ownerId === ownerId && g.name === name)
      throw badRequest(`an environment group named ${JSON.stringify(name)} already exists (${g.id})`);
}

/** Validates a create body (`envGroupPOSTInput`) and stores the new group. */
function createEnvGroup(core: EmulatorCore, b: Body): EnvGroupRecord {
  const name = stringField(b, "name", "name", true);
  const ownerId = stringField(b, "ownerId", "ownerId", true);
  if (b.envVars === undefined || b.envVars === null)
    throw badRequest("envVars is required: an array of {key, value} or {key, generateValue: true}");
  const envVars = envVarList(b.envVars, "envVars");
  const secretFiles = secretFileList(b.secretFiles);
  const environmentId = stringField(b, "environmentId", "environmentId");
  let serviceIds: string[] = [];
  if (b.serviceIds !== undefined && b.serviceIds !== null) {
    if (!Array.isArray(b.serviceIds) || b.serviceIds.some((id) => typeof id !== "string"))
      throw badRequest("serviceIds must be an array of service ids");
    serviceIds = [...new Set(b.serviceIds as string[])];
  }
  requireOwner(core, ownerId);
  checkPlacement(core, environmentId, ownerId);
  checkNameFree(core, ownerId, name);
  const now = core.clock.now();
  const group: EnvGroupRecord = {
    id: newId("evg"),
    seq: core.state.nextSeq(),
    ownerId,
    name,
    ...(environmentId ? { environmentId } : {}),
    envVars: envVars.map((ev) => ({ ...ev, seq: core.state.nextSeq() })),
    secretFiles: secretFiles.map((f) => ({ ...f, seq: core.state.nextSeq() })),
    serviceIds: [],
    createdAt: now,
    updatedAt: now,
  };
  for (const id of serviceIds) group.serviceIds.push(requireServiceOf(core, group, id).id);
  core.state.envGroups.set(group.id, group);
  return group;
}

function secretFileList(value: unknown): { name: string; content: string }[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw badRequest("secretFiles must be an array of {name, content}");
  const seen = new Set<string>();
  return value.map((item, i) => {
    const f = objectBody(item, `secretFiles[${i}]`);
    const name = checkSecretFileName(f.name, `secretFiles[${i}].name`);
    if (seen.has(name)) throw badRequest(`secretFiles[${i}].name ${name} appears more than once`);
    seen.add(name);
    const content = f.content;
    if (typeof content !== "string") throw badRequest(`secretFiles[${i}].content must be a string`);
    return { name, content };
  });
}

/** The ids of linked services that still exist. */
function linkedServiceIds(core: EmulatorCore, group: EnvGroupRecord): string[] {
  return group.serviceIds.filter((id) => core.state.services.get(id)?.ownerId === group.ownerId);
}

/** `envGroupMeta`: what the list answers (no values). */
function envGroupMetaJson(core: EmulatorCore, group: EnvGroupRecord): Record<string, unknown> {
  return {
    id: group.id,
    name: group.name,
    ownerId: group.ownerId,
    createdAt: iso(group.createdAt),
    updatedAt: iso(group.updatedAt),
    serviceLinks: linkedServiceIds(core, group).map((id) => {
      const service = core.state.services.get(id)!;
      return { id, name: service.name, type: SHORT_TYPES[service.type] ?? "web" };
    }),
    ...(group.environmentId !== undefined ? { environmentId: group.environmentId } : {}),
  };
}

/** `envGroup`: the meta plus every env var and secret file (values are secrets). */
export function envGroupJson(core: EmulatorCore, group: EnvGroupRecord): Record<string, unknown> {
  return {
    ...envGroupMetaJson(core, group),
    envVars: group.envVars.map((e) => ({ key: e.key, value: e.value })),
    secretFiles: group.secretFiles.map((f) => ({ name: f.name, content: f.content })),
  };
}
