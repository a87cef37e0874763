/**
 * `RenderDeploy`: a deploy of a Render service as a Pulumi resource (type
 * `pulumi-nodejs:dynamic/render:Deploy`). It deploys when the commit or the `trigger` changes, waits
 * for `live`, probes the health check path, and rolls back on failure when asked. Created for a service
 * that already runs a deploy of the wanted commit (any, when none is pinned), it adopts that deploy and
 * starts none; for a new service it waits for the deploy Render started with it.
 */
import * as pulumi from "@pulumi/pulumi";
import type { AdviceArgs } from "../runtime/advice";
import { packagedProvider } from "../runtime/package";
import type { DeployFields } from "./schema";

/** Each field of a schema's input as a Pulumi input; homomorphic, so each keeps its JSDoc. */
type InputsOf<T> = { [K in keyof T]: pulumi.Input<Exclude<T[K], undefined>> };

/** The HTTP health probe run once the deploy is live (fields and their JSDoc: schema.ts). */
export type RenderDeployHealthCheck = InputsOf<NonNullable<DeployFields["healthCheck"]>>;

/**
 * Arguments of a deploy (fields and their JSDoc: schema.ts). `advice` words messages for the program
 * (runtime/advice.ts): it names `commit`, and `suspended` (its service's).
 */
export type RenderDeployArgs = InputsOf<Omit<DeployFields, "commit" | "healthCheck">> & {
  [K in keyof Pick<DeployFields, "commit">]?: pulumi.Input<DeployFields[K]>;
} & {
  [K in keyof Pick<DeployFields, "healthCheck">]?: RenderDeployHealthCheck;
} & AdviceArgs;

/** A deploy of a Render service. */
export class RenderDeploy extends pulumi.dynamic.Resource {
  /** Id of the last deploy started (`dep-…`). */
  declare readonly deployId: pulumi.Output<string>;
  /** The commit that deploy built. */
  declare readonly deployedCommit: pulumi.Output<string>;
  /** Its status, e.g. `live`. */
  declare readonly status: pulumi.Output<string>;
  /** When it finished (RFC 3339). */
  declare readonly finishedAt: pulumi.Output<string>;
  /** `passed`, `failed` or `skipped`. */
  declare readonly health: pulumi.Output<string>;
  /** The deploy rolled back to after a failure, empty when none was. */
  declare readonly rolledBackTo: pulumi.Output<string>;
  /** Link to the deploy in Render's dashboard. */
  declare readonly dashboardUrl: pulumi.Output<string>;

  constructor(name: string, args: RenderDeployArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      packagedProvider("deploy"),
      name,
      {
        ...args,
        commit: args.commit ?? "",
        trigger: args.trigger ?? "",
        release: args.release ?? "",
        deployId: undefined,
        deployedCommit: undefined,
        status: undefined,
        finishedAt: undefined,
        health: undefined,
        rolledBackTo: undefined,
        dashboardUrl: undefined,
      },
      opts,
      "render",
      "Deploy",
    );
  }
}
