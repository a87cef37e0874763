/**
 * `RenderEnvGroupLink`: one Render service linked to one env group, as a typed Pulumi resource (type
 * `pulumi-nodejs:dynamic/render:EnvGroupLink`). One resource per pair, so links are added and removed
 * one by one.
 */
import * as pulumi from "@pulumi/pulumi";
import { packagedProvider } from "../runtime/package";
import type { EnvGroupLinkArgsFields } from "./schema";

/**
 * Arguments of a link: the fields of `envGroupLinkFields` (schema.ts), each a `pulumi.Input`: the service,
 * and the group by `envGroupId`, or by `envGroupName` for a group that already exists in the workspace
 * (looked up, never created; `ownerId` defaults to the stack's `render:ownerId`).
 */
export type RenderEnvGroupLinkArgs = {
  [K in keyof EnvGroupLinkArgsFields]: pulumi.Input<EnvGroupLinkArgsFields[K]>;
};

/** A link between a Render service and an env group. */
export class RenderEnvGroupLink extends pulumi.dynamic.Resource {
  /** The env group's id. */
  declare readonly envGroupId: pulumi.Output<string>;
  /** The service's id. */
  declare readonly serviceId: pulumi.Output<string>;
  /** The group's name on Render. */
  declare readonly envGroupName: pulumi.Output<string>;
  /** The service's name on Render. */
  declare readonly serviceName: pulumi.Output<string>;

  constructor(name: string, args: RenderEnvGroupLinkArgs, opts?: pulumi.CustomResourceOptions) {
    // A group named by name is looked up in the workspace: by default the stack's render:ownerId.
    const byName =
      args.envGroupName !== undefined
        ? { ownerId: args.ownerId ?? new pulumi.Config("render").get("ownerId") }
        : {};
    super(
      packagedProvider("envGroupLink"),
      name,
      {
        ...args,
        ...byName,
        envGroupId: args.envGroupId,
        envGroupName: args.envGroupName,
        serviceName: undefined,
      },
      opts,
      "render",
      "EnvGroupLink",
    );
  }
}
