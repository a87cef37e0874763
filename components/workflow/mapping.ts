/**
 * Pure mapping for a Render Workflow: user inputs (render.yaml spellings accepted) -> normalised inputs
 * -> API bodies (`POST/PATCH /workflows`), and a live workflow -> the inputs it corresponds to, for drift.
 * Env vars are the services' (components/service/mapping.ts), without `serviceUrl`.
 */
import type {
  CreateWorkflowBody,
  EnvVarBody,
  UpdateWorkflowBody,
  Workflow,
  WorkflowBuildConfigBody,
} from "../render/schemas";
import type { Region } from "../render/enums";
import { checkFields, isUnknown, type InputFailure } from "../runtime/validation";
import { envVarAdoptionChanges, sameRepo, type LinkSource } from "../service/mapping";
import {
  fromWorkflowBlueprintSpelling,
  workflowDefaults,
  workflowFields,
  workflowFieldsWhere,
  workflowFieldMeta,
  type WorkflowInputs,
} from "./schema";

export { workflowImmutableFields, type WorkflowInputs } from "./schema";

/** The subset of Render's workflow object that mapping reads. */
export type LiveWorkflow = Pick<
  Workflow,
  "id" | "name" | "ownerId" | "region" | "runCommand" | "buildConfig" | "autoDeployTrigger"
>;

/** Fields that tell the provider how to act (adoption), never sent to Render. */
const providerOptions = ["adoptExisting", "adoptId"] as const;

/** Rules between fields: a workflow has no public URL; creating one needs its start command. */
export function workflowFieldRules(inputs: Record<string, unknown>): InputFailure[] {
  const failures: InputFailure[] = [];
  const envVars = (inputs.envVars ?? {}) as Record<string, { kind?: string }>;
  for (const [key, v] of Object.entries(envVars))
    if (v?.kind === "serviceUrl")
      failures.push({
        property: `envVars.${key}`,
        reason: "a workflow has no public URL: kind serviceUrl is for a web service's own URL",
      });
  const adopting = inputs.adoptId !== undefined || inputs.adoptExisting === true;
  if (inputs.runCommand === undefined && !adopting)
    failures.push({
      property: "runCommand",
      reason:
        "is required to create a workflow: the command that starts its task server (render.yaml " +
        "startCommand), e.g. python main.py; Render's API requires it (createWorkflow runCommand)",
    });
  return failures;
}

/**
 * Validates and normalises raw inputs (as the engine hands them to `check`), field by field, so every
 * failure names its property and what is allowed. Values not known during preview pass through.
 */
export function checkWorkflowInputs(raw: Record<string, unknown>): {
  inputs: Record<string, unknown>;
  failures: InputFailure[];
} {
  const { inputs, failures } = checkFields(
    workflowFields,
    fromWorkflowBlueprintSpelling(raw),
    "RenderWorkflow",
  );
  return { inputs, failures: [...failures, ...workflowFieldRules(inputs)] };
}

/**
 * The settings a live workflow corresponds to (env vars are read separately), with the provider's
 * options from `base`. `branch` and `runCommand` the inputs leave out stay out unless `all` asks for
 * every live setting (an adoption's report, an import).
 */
export function fromWorkflow(
  live: LiveWorkflow,
  base?: Partial<WorkflowInputs>,
  all = base === undefined,
): Omit<WorkflowInputs, "envVars"> {
  const has = (field: keyof WorkflowInputs) => all || base?.[field] !== undefined;
  const options: Record<string, unknown> = {};
  for (const field of providerOptions) {
    const value = base?.[field] ?? workflowDefaults[field];
    if (value !== undefined) options[field] = value;
  }
  const b = live.buildConfig;
  const settings = {
    name: live.name,
    ownerId: live.ownerId,
    // Another spelling of the same repository (`….git`) is not drift: keep the desired one.
    repo: base?.repo !== undefined && sameRepo(base.repo, b.repo) ? base.repo : b.repo,
    ...(has("branch") && b.branch ? { branch: b.branch } : {}),
    rootDir: b.rootDir ?? "",
    runtime: b.runtime as WorkflowInputs["runtime"],
    region: live.region as Region,
    buildCommand: b.buildCommand,
    ...(has("runCommand") ? { runCommand: live.runCommand } : {}),
    autoDeployTrigger: (live.autoDeployTrigger ?? "commit") as WorkflowInputs["autoDeployTrigger"],
  };
  return { ...settings, ...options } as Omit<WorkflowInputs, "envVars">;
}

/**
 * Which desired settings differ from the live workflow, in the schema's order: in place (`changed`) and
 * needing replacement (`replaced`). Env vars are compared apart (diffEnvVars); a setting the inputs
 * leave out never differs.
 */
export function diffWorkflow(
  desired: Omit<WorkflowInputs, "envVars">,
  live: LiveWorkflow,
): { changed: string[]; replaced: string[] } {
  const now = fromWorkflow(live, desired) as unknown as Record<string, unknown>;
  const wanted = desired as unknown as Record<string, unknown>;
  const changed: string[] = [];
  const replaced: string[] = [];
  for (const field of workflowFieldsWhere((m) => m.render === true)) {
    if (field === "envVars" || wanted[field] === undefined || wanted[field] === now[field]) continue;
    (workflowFieldMeta[field].replaces ? replaced : changed).push(field);
  }
  return { changed, replaced };
}

function buildConfigOf(inputs: Omit<WorkflowInputs, "envVars">): WorkflowBuildConfigBody {
  return {
    repo: inputs.repo,
    runtime: inputs.runtime,
    buildCommand: inputs.buildCommand,
    ...(inputs.branch !== undefined ? { branch: inputs.branch } : {}),
    ...(inputs.rootDir ? { rootDir: inputs.rootDir } : {}),
  };
}

/** The POST /workflows body, env vars included so the first version already sees them. */
export function toCreateWorkflowBody(
  inputs: Omit<WorkflowInputs, "envVars">,
  envVars: EnvVarBody[],
): CreateWorkflowBody {
  if (inputs.runCommand === undefined)
    throw new Error("runCommand is required to create a workflow (render.yaml startCommand)");
  return {
    name: inputs.name,
    ownerId: inputs.ownerId,
    region: inputs.region,
    runCommand: inputs.runCommand,
    buildConfig: buildConfigOf(inputs),
    autoDeployTrigger: inputs.autoDeployTrigger,
    ...(envVars.length > 0 ? { envVars } : {}),
  };
}

/** The build settings (PATCH sends them whole). */
const buildFields = ["repo", "branch", "rootDir", "runtime", "buildCommand"];

/** The PATCH /workflows/{id} body for what differs from live, or undefined when nothing does. */
export function toPatchWorkflowBody(
  inputs: Omit<WorkflowInputs, "envVars">,
  live: LiveWorkflow,
): UpdateWorkflowBody | undefined {
  const { changed } = diffWorkflow(inputs, live);
  if (changed.length === 0) return undefined;
  const body: UpdateWorkflowBody = {};
  if (changed.includes("name")) body.name = inputs.name;
  if (changed.includes("runCommand")) body.runCommand = inputs.runCommand;
  if (changed.includes("autoDeployTrigger")) body.autoDeployTrigger = inputs.autoDeployTrigger;
  if (changed.some((f) => buildFields.includes(f))) {
    // Fields the inputs leave out keep their live values.
    const now = fromWorkflow(live, undefined, true);
    body.buildConfig = buildConfigOf({
      ...now,
      ...Object.fromEntries(
        buildFields.flatMap((f) => {
          const v = (inputs as unknown as Record<string, unknown>)[f];
          return v === undefined ? [] : [[f, v]];
        }),
      ),
    } as Omit<WorkflowInputs, "envVars">);
  }
  return body;
}

/**
 * What adopting a live workflow changes, in lines a person reads in `pulumi preview` before the up that
 * adopts it: each setting that differs (both sides: none is secret), then the env vars (secrets named,
 * never shown). Empty when nothing changes.
 */
export function workflowAdoptionChanges(
  desired: WorkflowInputs,
  live: LiveWorkflow,
  liveEnv: Record<string, string>,
  sources: Record<string, LinkSource> = {},
): string[] {
  const now = fromWorkflow(live, undefined, true) as unknown as Record<string, unknown>;
  const wanted = desired as unknown as Record<string, unknown>;
  const { changed, replaced } = diffWorkflow(desired, live);
  const show = (v: unknown) => JSON.stringify(v ?? "");
  return [
    ...[...changed, ...replaced].map((f) => `~ ${f}: ${show(now[f])} => ${show(wanted[f])}`),
    ...envVarAdoptionChanges(desired.envVars, liveEnv, sources, ""),
  ];
}

/** Whether any setting the diff needs is unknown during a preview. */
export function hasUnknownSettings(inputs: WorkflowInputs): boolean {
  return (
    ["name", "ownerId", "region", "repo", "runCommand", "buildCommand"].some((f) =>
      isUnknown((inputs as unknown as Record<string, unknown>)[f]),
    ) || Object.values(inputs.envVars).some((v) => isUnknown(v.database) || isUnknown(v.value))
  );
}
