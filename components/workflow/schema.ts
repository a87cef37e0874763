/**
 * The one description of a Render Workflow's fields (render.yaml `type: workflow`; openapi.json
 * "Workflows (Beta)"): a workflow service whose tasks Render runs on demand, each run on its own instance.
 * It is built from a repository like a native service (`buildConfig`: repo, branch, rootDir, runtime,
 * build command) and started with `runCommand` (render.yaml `startCommand`). No plan: each task names its
 * compute plan in code (render.com/changelog/added-blueprint-support-for-render-workflows). The shared
 * service fields (components/service/schema.ts) are reused where the meaning is the same.
 * `RenderWorkflowArgs`, `WorkflowInputs` and `checkWorkflowInputs` derive from it.
 */
import { z } from "zod";
import { allowed } from "../runtime/validation";
import { fieldDefaults, fieldsWhere, renameBlueprintKeys } from "../runtime/schemaMeta";
import { serviceFields, type EnvVarInput, type ServiceFieldMeta } from "../service/schema";

/** `buildConfig.runtime` of a workflow (openapi.json): no docker, image or rust. */
export const workflowRuntimes = ["elixir", "go", "node", "python", "ruby"] as const;

/** `autoDeployTrigger` (openapi.json): deploy on each commit, after CI checks pass, or never. */
export const autoDeployTriggers = ["commit", "off", "checksPass"] as const;

/** How a field behaves (`render`, `replaces`, `blueprint`): as the service fields' metadata. */
export type WorkflowFieldMeta = Pick<ServiceFieldMeta, "render" | "replaces" | "blueprint">;

const meta = (m: WorkflowFieldMeta) => m as Record<string, unknown>;
const oneOf = <T extends readonly [string, ...string[]]>(values: T, what: string) =>
  z.string({ error: `must be a string; allowed: ${allowed(values)}` }).pipe(
    z.enum(values, {
      error: (i) => `${JSON.stringify(i.input)} is not a workflow ${what}; allowed: ${allowed(values)}`,
    }),
  );
const command = (what: string, example: string) =>
  z
    .string({ error: `is required: the ${what} command, e.g. ${example}` })
    .trim()
    .min(1, { error: `must not be empty: the ${what} command, e.g. ${example}` });

/** A Render Workflow's fields, one property each, with its validation, default and metadata. */
export const workflowFields = {
  /** Workflow name, unique in the workspace; its slug (tasks are `<slug>/<task>`) derives from it. */
  name: serviceFields.name,
  /** Workspace id `tea-…`. Default: stack config `render:ownerId`. Immutable. */
  ownerId: serviceFields.ownerId,
  /**
   * Git repository URL, e.g. https://github.com/render-examples/trender (a `.git` suffix is dropped).
   * Required: a workflow is always built from a repository.
   */
  repo: serviceFields.repo.unwrap().meta(meta({ render: true })),
  /** Branch to build. Default: the repository's default branch. */
  branch: serviceFields.branch
    .unwrap()
    .optional()
    .meta(meta({ render: true })),
  /** Subdirectory to build from, e.g. `workflows`. Default the repository root. */
  rootDir: serviceFields.rootDir
    .unwrap()
    .default("")
    .meta(meta({ render: true })),
  /** Runtime (render.yaml `runtime` or `env`): elixir, go, node, python or ruby. */
  runtime: oneOf(workflowRuntimes, "runtime").meta(meta({ render: true, blueprint: "env" })),
  /** Region: oregon, ohio, virginia, frankfurt or singapore. Default oregon. Immutable. */
  region: serviceFields.region,
  /** Build command, e.g. `pip install -r requirements.txt`. */
  buildCommand: command("build", "pip install -r requirements.txt").meta(meta({ render: true })),
  /**
   * The command that starts the workflow's task server (render.yaml `startCommand`), e.g.
   * `python main.py`. Render's API requires it to create a workflow (createWorkflow `runCommand`), so
   * creating one without it is refused in `check`; an adopted workflow keeps its own when it is absent.
   */
  runCommand: command("start", "python main.py")
    .optional()
    .meta(meta({ render: true, blueprint: "startCommand" })),
  /**
   * When Render deploys a new version: `commit` (every push to the branch, Render's default), `checksPass`
   * (after CI checks pass) or `off` (manual deploys). render.yaml `autoDeploy: yes/no` reads as commit/off.
   */
  autoDeployTrigger: oneOf(autoDeployTriggers, "autoDeployTrigger")
    .default("commit")
    .meta(meta({ render: true })),
  /**
   * The whole set of env vars, as a service's (values, secrets, generated, links to a database or Key
   * Value): keys set on Render but not here are removed by `pulumi up`. No `serviceUrl`: a workflow has
   * no public URL.
   */
  envVars: serviceFields.envVars,
  /**
   * Adopt a workflow of the same name that already exists instead of failing. (Pulumi's `import` resource
   * option fails for dynamic resources, pulumi/pulumi#16175: use this or `adoptId`.)
   */
  adoptExisting: serviceFields.adoptExisting,
  /**
   * Adopt exactly this live workflow (its id, from its dashboard URL) instead of creating one. It must
   * exist, be in the workspace and carry `name`; the first `pulumi up` changes only what differs.
   * Render's id prefix for workflows is UNCONFIRMED: `wfl-…` (the emulator's) and `srv-…` are taken.
   */
  adoptId: z
    .string({ error: 'must be a Render workflow id like "wfl-…"' })
    .regex(/^(wfl|srv)-[a-z0-9]+$/, {
      error: 'must be a Render workflow id like "wfl-…" (the dashboard URL has it)',
    })
    .optional(),
};

/** The schema of a workflow's fields. */
export const workflowSchema = z.object(workflowFields);

/** The fields' metadata (`render`, `replaces`, `blueprint`), by field. */
export const workflowFieldMeta = Object.fromEntries(
  Object.entries(workflowFields).map(([key, f]) => [key, (f.meta() ?? {}) as WorkflowFieldMeta]),
) as Record<keyof typeof workflowFields, WorkflowFieldMeta>;

/** The fields whose metadata passes `test`, in the schema's order. */
export function workflowFieldsWhere(test: (m: WorkflowFieldMeta) => boolean): (keyof WorkflowInputs)[] {
  return fieldsWhere<WorkflowFieldMeta, keyof typeof workflowFields>(workflowFields, test);
}

/** Fields Render cannot change in place (the PATCH body lacks them): a change replaces the workflow. */
export const workflowImmutableFields = workflowFieldsWhere((m) => m.replaces === true);

/** Each field's default, as `check` fills it in. */
export const workflowDefaults = fieldDefaults<WorkflowInputs>(workflowFields);

/** Inputs of a Render workflow after `check`: normalised, our spellings. */
export type WorkflowInputs = Omit<z.output<typeof workflowSchema>, "envVars"> & {
  /** The whole set of env vars, by key. */
  envVars: Record<string, EnvVarInput>;
};

/** Inputs of a Render workflow as a user gives them, before defaults and normalisation. */
export type WorkflowArgsFields = z.input<typeof workflowSchema>;

/**
 * render.yaml spellings -> the fields: `startCommand` and `env` by the fields' `blueprint` metadata, and
 * `autoDeploy` (yes/no, true/false) as `autoDeployTrigger` commit/off when that is not given.
 */
export function fromWorkflowBlueprintSpelling(raw: Record<string, unknown>): Record<string, unknown> {
  const out = renameBlueprintKeys(workflowFields, raw);
  if (out.autoDeploy !== undefined) {
    const on = out.autoDeploy === true || out.autoDeploy === "yes";
    const off = out.autoDeploy === false || out.autoDeploy === "no";
    if (out.autoDeployTrigger === undefined && (on || off)) out.autoDeployTrigger = on ? "commit" : "off";
    if (on || off) delete out.autoDeploy;
  }
  return out;
}
