/**
 * `RenderDeploy`: a deploy of a Render service as a Pulumi resource (type
 * `pulumi-nodejs:dynamic/render:Deploy`). It deploys when the commit or the `trigger` changes, waits
 * for `live`, probes the health check path, and rolls back on failure when asked. Created for a service
 * that already runs a deploy of the wanted commit (any, when none is pinned), it adopts that deploy and
 * starts none; for a new service it waits for the deploy Render started with it.
 */
import * as pulumi from "@pulumi/pulumi";
import { packagedProvider } from "../runtime/package";

/** The HTTP health probe run once the deploy is live. */
export interface RenderDeployHealthCheck {
  /** Probe at all. Default true (skipped anyway when no path is known). */
  enabled?: pulumi.Input<boolean>;
  /** Path to GET, e.g. `/api/health`. Default the service's `healthCheckPath`. */
  path?: pulumi.Input<string>;
  /** Status the app must answer. Default 200. */
  expectedStatus?: pulumi.Input<number>;
  /** Time allowed for one attempt, in ms. Default 5000. */
  timeoutMs?: pulumi.Input<number>;
  /** Attempts after the first. Default 3. */
  retries?: pulumi.Input<number>;
  /** Pause between attempts, in ms. Default 2000. */
  intervalMs?: pulumi.Input<number>;
}

/** Arguments of a deploy. */
export interface RenderDeployArgs {
  /** The service to deploy (`srv-…`, e.g. a RenderWebService's `id`). */
  serviceId: pulumi.Input<string>;
  /** Commit SHA to deploy. Default: the head of the service's branch at deploy time. */
  commit?: pulumi.Input<string | undefined>;
  /**
   * Anything whose change must start a new deploy (hash it: see `deployTrigger`), e.g. env var values,
   * service settings and the migrations' hash. May be secret.
   */
  trigger?: pulumi.Input<string>;
  /**
   * A deploy asked for by hand (the dashboard's "Deploy latest commit"): any label, e.g. a timestamp.
   * Each new non-empty value deploys again: the branch head, or `commit` when pinned. The same value, or
   * none, deploys nothing.
   */
  release?: pulumi.Input<string>;
  /** Clear Render's build cache. Default false. */
  clearCache?: pulumi.Input<boolean>;
  /** How long to wait for `live`, in ms; past it the deploy is canceled and the up fails. Default 20 min. */
  waitTimeoutMs?: pulumi.Input<number>;
  /** Longest pause between status polls, in ms (the first comes after 1 s, then doubling). Default 8000. */
  pollIntervalMs?: pulumi.Input<number>;
  /** The health probe. */
  healthCheck?: RenderDeployHealthCheck;
  /** Roll back to the last live deploy when this one fails (the up still fails). Default false. */
  rollbackOnFailure?: pulumi.Input<boolean>;
}

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
