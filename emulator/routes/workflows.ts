/**
 * Render Workflows routes (openapi.json "Workflows (Beta)"): workflows (list with filters, create, get,
 * patch, delete) and their versions (list, deploy one, get). Tasks and task runs are not emulated: they
 * run the user's code, which the emulator never has.
 *
 * Modeled from openapi.json, with these choices:
 * - ids are `wfl-` + 20 characters: Render's prefix for workflows is UNCONFIRMED (none in the spec);
 * - `envVars` is accepted on create although openapi.json lacks it: Render's CLI, generated from
 *   Render's newer REST schema, sends it (render-oss/cli `pkg/client/workflows`, `WorkflowCreate.envVars`);
 * - a workflow's env vars are read and replaced at `/services/{id}/env-vars` (routes/envVars.ts), as a
 *   service's: the spec has no workflow env var route, and Render calls a workflow a "workflow service"
 *   (its log labels, `workflowService`); that Render serves them there is UNCONFIRMED;
 * - names are unique per workspace among workflows, refused with 409 like services' (Render refuses a
 *   Blueprint that would create a second workflow of a name, per its changelog of 2026-09-16; whether
 *   the API refuses too is UNCONFIRMED: refusing is never kinder);
 * - `region` and `ownerId` cannot change (the PATCH body has neither: one naming another value is refused);
 * - creating a workflow starts its first version (a build of the branch head), `building` until the
 *   deploy timings' build duration passes, then `ready`; so does `POST /workflowversions`.
 */
import type { EmulatorCore } from "../core";
import { badRequest, conflict, notFound } from "../errors";
import { branchHeadCommit, newId } from "../ids";
import type { Router } from "../router";
import type { WorkflowRecord, WorkflowVersionRecord } from "../state/model";
import { iso, requireOwner } from "./common";
import { REGIONS } from "./enums";
import { envVarList } from "./envVars";
import { paginate } from "./pagination";
import { type Body, enumField, objectBody, objectField, queryList, stringField } from "./validate";

/** `buildConfig.runtime` of a workflow (openapi.json): no docker, image or rust. */
export const WORKFLOW_RUNTIMES = ["elixir", "go", "node", "python", "ruby"] as const;

/** `autoDeployTrigger` (openapi.json). */
export const AUTO_DEPLOY_TRIGGERS = ["commit", "off", "checksPass"] as const;

/** Fields the PATCH body does not have: naming another value is refused. */
const IMMUTABLE = ["region", "ownerId"] as const;

/** A workflow of the key's workspaces. @throws 404 otherwise. */
export function requireWorkflow(core: EmulatorCore, id: string): WorkflowRecord {
  const wf = core.state.workflows.get(id);
  if (!wf || !core.state.owners.has(wf.ownerId)) throw notFound(id);
  return wf;
}

/** Registers the workflow and workflow version routes. */
export function registerWorkflowRoutes(router: Router, core: EmulatorCore): void {
  router.add("GET", "/workflows", ({ query }) => {
    const names = queryList(query, "name");
    const ownerIds = queryList(query, "ownerId");
    const ids = queryList(query, "workflowID");
    const environmentIds = queryList(query, "environmentId");
    const items = [...core.state.workflows.values()].filter(
      (wf) =>
        core.state.owners.has(wf.ownerId) &&
        (!names || names.includes(wf.name)) &&
        (!ownerIds || ownerIds.includes(wf.ownerId)) &&
        (!ids || ids.includes(wf.id)) &&
        (!environmentIds || (wf.environmentId !== undefined && environmentIds.includes(wf.environmentId))),
    );
    return { status: 200, body: paginate(items, query, "workflow", workflowJson) };
  });

  router.add("POST", "/workflows", ({ body }) => {
    const wf = createWorkflow(core, objectBody(body));
    core.changed();
    return { status: 201, body: workflowJson(wf) };
  });

  router.add("GET", "/workflows/:workflowId", ({ params }) => ({
    status: 200,
    body: workflowJson(requireWorkflow(core, params.workflowId)),
  }));

  router.add("PATCH", "/workflows/:workflowId", ({ params, body }) => {
    const wf = requireWorkflow(core, params.workflowId);
    patchWorkflow(core, wf, objectBody(body));
    core.changed();
    return { status: 200, body: workflowJson(wf) };
  });

  router.add("DELETE", "/workflows/:workflowId", ({ params }) => {
    const wf = requireWorkflow(core, params.workflowId);
    core.state.workflows.delete(wf.id);
    for (const v of [...core.state.workflowVersions.values()])
      if (v.workflowId === wf.id) core.state.workflowVersions.delete(v.id);
    core.changed();
    return { status: 204 };
  });

  router.add("GET", "/workflowversions", ({ query }) => {
    const ownerIds = queryList(query, "ownerId");
    const workflowIds = queryList(query, "workflowID");
    const versionIds = queryList(query, "workflowVersionId");
    const items = [...core.state.workflowVersions.values()].filter((v) => {
      const wf = core.state.workflows.get(v.workflowId);
      return (
        wf !== undefined &&
        core.state.owners.has(wf.ownerId) &&
        (!ownerIds || ownerIds.includes(wf.ownerId)) &&
        (!workflowIds || workflowIds.includes(v.workflowId)) &&
        (!versionIds || versionIds.includes(v.id))
      );
    });
    return {
      status: 200,
      body: paginate(items, query, "workflowVersion", (v) => workflowVersionJson(core, v)),
    };
  });

  router.add("POST", "/workflowversions", ({ body }) => {
    const b = objectBody(body);
    const wf = requireWorkflow(core, stringField(b, "workflowId", "workflowId", true));
    const commit = stringField(b, "commit", "commit");
    createWorkflowVersion(core, wf, commit);
    core.changed();
    // openapi.json: 202 "Workflow version created", no body.
    return { status: 202 };
  });

  router.add("GET", "/workflowversions/:workflowVersionId", ({ params }) => {
    const v = core.state.workflowVersions.get(params.workflowVersionId);
    const wf = v ? core.state.workflows.get(v.workflowId) : undefined;
    if (!v || !wf || !core.state.owners.has(wf.ownerId)) throw notFound(params.workflowVersionId);
    return { status: 200, body: workflowVersionJson(core, v) };
  });
}

/** `buildConfig` of a create (all required) or a patch (each optional, over `current`). */
function buildConfigOf(
  b: Body,
  current?: WorkflowRecord["buildConfig"],
): WorkflowRecord["buildConfig"] | undefined {
  const o = objectField(b, "buildConfig", "buildConfig");
  if (o === undefined) {
    if (!current) throw badRequest("buildConfig is required: {repo, runtime, buildCommand}");
    return undefined;
  }
  const required = current === undefined;
  const repo = stringField(o, "repo", "buildConfig.repo", required as true) ?? current!.repo;
  if (repo.trim() === "") throw badRequest("buildConfig.repo must not be empty");
  const runtime =
    enumField(o, "runtime", "buildConfig.runtime", WORKFLOW_RUNTIMES, required) ?? current!.runtime;
  const buildCommand =
    stringField(o, "buildCommand", "buildConfig.buildCommand", required as true) ?? current!.buildCommand;
  if (buildCommand.trim() === "") throw badRequest("buildConfig.buildCommand must not be empty");
  const branch = stringField(o, "branch", "buildConfig.branch") ?? current?.branch;
  const rootDir = stringField(o, "rootDir", "buildConfig.rootDir") ?? current?.rootDir;
  return {
    repo,
    runtime,
    buildCommand,
    ...(branch ? { branch } : {}),
    ...(rootDir ? { rootDir } : {}),
  };
}

function checkNameFree(core: EmulatorCore, ownerId: string, name: string, self?: string): void {
  for (const other of core.state.workflows.values())
    if (other.id !== self && other.ownerId === ownerId && other.name === name)
      throw conflict(`a workflow named ${JSON.stringify(name)} already exists in workspace ${ownerId}`);
}

/** `slug`: the name, made URL-safe; a taken slug gets a numeric suffix. */
function uniqueSlug(core: EmulatorCore, name: string): string {
  const base =
    name
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, "-")
      .replace(/^-+|-+$/g, "") || "workflow";
  const taken = new Set([...core.state.workflows.values()].map((w) => w.slug));
  let slug = base;
  for (let i = 2; taken.has(slug); i++) slug = `${base}-${i}`;
  return slug;
}

/** Validates a create body, stores the workflow and starts its first version. */
export function createWorkflow(core: EmulatorCore, b: Body): WorkflowRecord {
  const name = stringField(b, "name", "name", true);
  const ownerId = stringField(b, "ownerId", "ownerId", true);
  const region = enumField(b, "region", "region", REGIONS, true)!;
  const runCommand = stringField(b, "runCommand", "runCommand", true);
  const buildConfig = buildConfigOf(b)!;
  const autoDeployTrigger =
    enumField(b, "autoDeployTrigger", "autoDeployTrigger", AUTO_DEPLOY_TRIGGERS) ?? "commit";
  const envVars = b.envVars === undefined ? [] : envVarList(b.envVars, "envVars");
  requireOwner(core, ownerId);
  checkNameFree(core, ownerId, name);
  const now = core.clock.now();
  const wf: WorkflowRecord = {
    id: newId("wfl"),
    seq: core.state.nextSeq(),
    ownerId,
    name,
    slug: uniqueSlug(core, name),
    region,
    runCommand,
    buildConfig,
    autoDeployTrigger,
    envVars: envVars.map((ev) => ({ ...ev, seq: core.state.nextSeq() })),
    createdAt: now,
    updatedAt: now,
  };
  core.state.workflows.set(wf.id, wf);
  createWorkflowVersion(core, wf);
  return wf;
}

function patchWorkflow(core: EmulatorCore, wf: WorkflowRecord, b: Body): void {
  for (const field of IMMUTABLE) {
    if (b[field] === undefined) continue;
    if (b[field] !== wf[field])
      throw badRequest(`${field} cannot be changed after creation (create a new workflow instead)`);
  }
  const name = stringField(b, "name", "name");
  if (name !== undefined && name.trim() === "") throw badRequest("name must not be empty");
  const runCommand = stringField(b, "runCommand", "runCommand");
  if (runCommand !== undefined && runCommand.trim() === "") throw badRequest("runCommand must not be empty");
  const buildConfig = buildConfigOf(b, wf.buildConfig);
  const autoDeployTrigger = enumField(b, "autoDeployTrigger", "autoDeployTrigger", AUTO_DEPLOY_TRIGGERS);
  if (name !== undefined) checkNameFree(core, wf.ownerId, name, wf.id);
  if (name !== undefined) wf.name = name;
  if (runCommand !== undefined) wf.runCommand = runCommand;
  if (buildConfig !== undefined) wf.buildConfig = buildConfig;
  if (autoDeployTrigger !== undefined) wf.autoDeployTrigger = autoDeployTrigger;
  wf.updatedAt = core.clock.now();
}

/** A new version of `wf`: a build of `commit` (default the branch head), ready after the build time. */
function createWorkflowVersion(
  core: EmulatorCore,
  wf: WorkflowRecord,
  commit?: string,
): WorkflowVersionRecord {
  const now = core.clock.now();
  const v: WorkflowVersionRecord = {
    id: newId("wfv"),
    seq: core.state.nextSeq(),
    workflowId: wf.id,
    name: commit ?? branchHeadCommit(wf.id, wf.buildConfig.branch ?? "main"),
    createdAt: now,
    readyAt: now + core.timings.build,
  };
  core.state.workflowVersions.set(v.id, v);
  return v;
}

/** A workflow as Render renders it (`workflowWithCursor.workflow`). */
export function workflowJson(wf: WorkflowRecord): Record<string, unknown> {
  return {
    id: wf.id,
    name: wf.name,
    ownerId: wf.ownerId,
    createdAt: iso(wf.createdAt),
    updatedAt: iso(wf.updatedAt),
    buildConfig: { ...wf.buildConfig },
    runCommand: wf.runCommand,
    region: wf.region,
    ...(wf.environmentId !== undefined ? { environmentId: wf.environmentId } : {}),
    slug: wf.slug,
    autoDeployTrigger: wf.autoDeployTrigger,
  };
}

/** A workflow version (`workflowVersionWithCursor.workflowVersion`). */
function workflowVersionJson(core: EmulatorCore, v: WorkflowVersionRecord): Record<string, unknown> {
  return {
    id: v.id,
    workflowId: v.workflowId,
    name: v.name,
    createdAt: iso(v.createdAt),
    status: core.clock.now() < v.readyAt ? "building" : "ready",
  };
}
