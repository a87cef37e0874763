/**
 * Pure mapping for Render projects: user inputs (render.yaml spellings accepted) -> normalised inputs ->
 * API bodies; a live project with its environments -> the inputs it corresponds to, for drift; and the
 * plan of environment changes (create, change/rename, delete) that brings the live project to the inputs.
 */
import type {
  CreateProjectBody,
  Environment,
  EnvironmentSettingsBody,
  Project,
  UpdateEnvironmentBody,
} from "../render/schemas";
import type { ProtectedStatus } from "../render/enums";
import { sameIpAllowList } from "../runtime/ipAllowList";
import { checkFields, type InputFailure } from "../runtime/validation";
import {
  fromProjectBlueprintSpelling,
  projectDefaults,
  projectFields,
  projectProviderOptions,
  type EnvironmentInputs,
  type ProjectInputs,
} from "./schema";

export { projectImmutableFields, type ProjectInputs, type EnvironmentInputs } from "./schema";

/** A live project and its environments (in the project's order). */
export interface LiveProject {
  project: Pick<Project, "id" | "name" | "owner" | "environmentIds">;
  environments: Pick<
    Environment,
    | "id"
    | "name"
    | "protectedStatus"
    | "networkIsolationEnabled"
    | "ipAllowList"
    | "serviceIds"
    | "databasesIds"
    | "redisIds"
    | "envGroupIds"
  >[];
}

type LiveEnvironment = LiveProject["environments"][number];

/**
 * Validates and normalises raw inputs (as the engine hands them to `check`), field by field, so every
 * failure names its property and what is allowed. Values not known during preview pass through.
 */
export function checkProjectInputs(raw: Record<string, unknown>): {
  inputs: Record<string, unknown>;
  failures: InputFailure[];
} {
  return checkFields(projectFields, fromProjectBlueprintSpelling(raw), "RenderProject");
}

function environmentOf(live: LiveEnvironment): EnvironmentInputs {
  return {
    name: live.name,
    protectedStatus: live.protectedStatus as ProtectedStatus,
    networkIsolationEnabled: live.networkIsolationEnabled,
    ipAllowList: live.ipAllowList.map((e) => ({ cidrBlock: e.cidrBlock, description: e.description ?? "" })),
  };
}

/**
 * The inputs that a live project corresponds to (for `read`, import and refresh): its settings as Render
 * has them, and the provider's options from `base` or else their schema defaults.
 */
export function fromProject(live: LiveProject, base?: Partial<ProjectInputs>): ProjectInputs {
  const options: Record<string, unknown> = {};
  for (const field of projectProviderOptions) {
    const value = base?.[field] ?? projectDefaults[field];
    if (value !== undefined) options[field] = value;
  }
  return {
    name: live.project.name,
    ownerId: live.project.owner.id,
    environments: live.environments.map(environmentOf),
    ...options,
  } as ProjectInputs;
}

/** The environment ids by name. */
export function environmentIdsOf(live: LiveProject): Record<string, string> {
  return Object.fromEntries(live.environments.map((e) => [e.name, e.id]));
}

/** One step of bringing the live environments to the desired ones. */
export type EnvironmentStep =
  | { op: "create"; env: EnvironmentInputs }
  | { op: "update"; id: string; from: EnvironmentInputs; env: EnvironmentInputs; body: UpdateEnvironmentBody }
  | { op: "delete"; live: LiveEnvironment };

/** The body of one environment, as `POST /projects` and `POST /environments` take it. */
export function environmentBody(env: EnvironmentInputs): EnvironmentSettingsBody {
  return {
    name: env.name,
    protectedStatus: env.protectedStatus,
    networkIsolationEnabled: env.networkIsolationEnabled,
    ipAllowList: env.ipAllowList,
  };
}

/**
 * The steps from the live environments to the desired ones, desired order first, then deletions. An entry
 * matches the live environment of its name, else (with `renamedFrom`) the one of its previous name, which
 * it renames; unmatched live environments are deleted.
 */
export function planEnvironments(desired: EnvironmentInputs[], live: LiveEnvironment[]): EnvironmentStep[] {
  const claimed = new Set<string>();
  const byName = (name: string) => live.find((l) => l.name === name && !claimed.has(l.id));
  // Names first, so a rename never takes an environment another entry keeps by its own name.
  const matches = desired.map((d) => {
    const same = byName(d.name);
    if (same) claimed.add(same.id);
    return same;
  });
  const steps: EnvironmentStep[] = [];
  desired.forEach((d, i) => {
    let match = matches[i];
    if (!match && d.renamedFrom !== undefined && !desired.some((o) => o.name === d.renamedFrom)) {
      match = byName(d.renamedFrom);
      if (match) claimed.add(match.id);
    }
    if (!match) {
      steps.push({ op: "create", env: d });
      return;
    }
    const from = environmentOf(match);
    const body: UpdateEnvironmentBody = {};
    if (from.name !== d.name) body.name = d.name;
    if (from.protectedStatus !== d.protectedStatus) body.protectedStatus = d.protectedStatus;
    if (from.networkIsolationEnabled !== d.networkIsolationEnabled)
      body.networkIsolationEnabled = d.networkIsolationEnabled;
    if (!sameIpAllowList(d.ipAllowList, from.ipAllowList)) body.ipAllowList = d.ipAllowList;
    if (Object.keys(body).length > 0) steps.push({ op: "update", id: match.id, from, env: d, body });
  });
  for (const l of live) if (!claimed.has(l.id)) steps.push({ op: "delete", live: l });
  return steps;
}

/** How many resources a live environment holds (it cannot be deleted while it holds any). */
export function resourceCount(env: LiveEnvironment): number {
  return env.serviceIds.length + env.databasesIds.length + env.redisIds.length + env.envGroupIds.length;
}

/**
 * Which desired settings differ from the live project: in place (`changed`: name, environments) and
 * needing replacement (`replaced`: ownerId).
 */
export function diffProject(
  desired: ProjectInputs,
  live: LiveProject,
): { changed: string[]; replaced: string[] } {
  const changed: string[] = [];
  const replaced: string[] = [];
  if (desired.name !== live.project.name) changed.push("name");
  if (desired.ownerId !== live.project.owner.id) replaced.push("ownerId");
  if (planEnvironments(desired.environments, live.environments).length > 0) changed.push("environments");
  return { changed, replaced };
}

/** The POST /projects body: the project and every environment. */
export function toCreateProjectBody(inputs: ProjectInputs): CreateProjectBody {
  return {
    name: inputs.name,
    ownerId: inputs.ownerId,
    environments: inputs.environments.map(environmentBody),
  };
}

/**
 * What bringing a live project to the inputs changes, in lines a person reads (an adoption's report, a
 * drift message): the name, and each environment created, changed or deleted.
 */
export function projectChanges(desired: ProjectInputs, live: LiveProject): string[] {
  const lines: string[] = [];
  if (desired.name !== live.project.name)
    lines.push(`~ name: ${JSON.stringify(live.project.name)} => ${JSON.stringify(desired.name)}`);
  for (const step of planEnvironments(desired.environments, live.environments)) {
    if (step.op === "create") lines.push(`+ environment ${step.env.name}`);
    else if (step.op === "delete") lines.push(`- environment ${step.live.name} (${step.live.id})`);
    else {
      const parts = Object.keys(step.body).map((k) => {
        const key = k as keyof EnvironmentInputs;
        const show = (v: unknown) =>
          key === "ipAllowList"
            ? `[${(v as { cidrBlock: string }[]).map((e) => e.cidrBlock).join(", ")}]`
            : JSON.stringify(v);
        return `${k}: ${show(step.from[key])} => ${show(step.env[key])}`;
      });
      lines.push(`~ environment ${step.from.name} (${step.id}): ${parts.join(", ")}`);
    }
  }
  return lines;
}
