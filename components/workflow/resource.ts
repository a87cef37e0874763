/**
 * `RenderWorkflow`: a Render Workflow and its env vars as a typed Pulumi resource
 * (type `pulumi-nodejs:dynamic/render:Workflow`).
 */
import * as pulumi from "@pulumi/pulumi";
import { toEnvVarInputs, type ServiceArgsOf } from "../service/resource";
import { packagedProvider } from "../runtime/package";
import { workflowSecretOutputs } from "./provider";
import type { WorkflowArgsFields } from "./schema";

/**
 * Arguments of a Render Workflow (fields and their JSDoc: schema.ts). render.yaml names and spellings are
 * accepted where noted (`startCommand` for `runCommand`). `ownerId` defaults to the stack config; env vars
 * are typed sources, as a service's (not `fromService: "url"`: a workflow has no public URL).
 */
export type RenderWorkflowArgs = ServiceArgsOf<WorkflowArgsFields>;

/** A Render Workflow (a workflow service whose tasks Render runs on demand) with its env vars. */
export class RenderWorkflow extends pulumi.dynamic.Resource {
  /** Workflow name. */
  declare readonly name: pulumi.Output<string>;
  /** The slug its tasks are called by: `<slug>/<task>`. */
  declare readonly slug: pulumi.Output<string>;
  /** Link to the workflow in Render's dashboard. */
  declare readonly dashboardUrl: pulumi.Output<string>;
  /** The command that starts its task server. */
  declare readonly runCommand: pulumi.Output<string>;
  /** When Render deploys a new version: commit, checksPass or off. */
  declare readonly autoDeployTrigger: pulumi.Output<string>;
  /** Keys of the env vars set on the workflow (values are never outputs). */
  declare readonly envVarKeys: pulumi.Output<string[]>;

  constructor(name: string, args: RenderWorkflowArgs, opts?: pulumi.CustomResourceOptions) {
    const ownerId = args.ownerId ?? new pulumi.Config("render").get("ownerId");
    const props = {
      ...args,
      ownerId,
      envVars: toEnvVarInputs(args.envVars ?? {}),
      slug: undefined,
      dashboardUrl: undefined,
      envVarKeys: undefined,
      generatedValues: undefined,
    };
    super(
      packagedProvider("workflow"),
      name,
      props,
      pulumi.mergeOptions(opts, { additionalSecretOutputs: workflowSecretOutputs }),
      "render",
      "Workflow",
    );
  }
}
