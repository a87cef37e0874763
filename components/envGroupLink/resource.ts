/**
 * `RenderEnvGroupLink`: one Render service linked to one env group, as a typed Pulumi resource (type
 * `pulumi-nodejs:dynamic/render:EnvGroupLink`). One resource per pair, so links are added and removed
 * one by one.
 */
import * as pulumi from "@pulumi/pulumi";
import { packagedProvider } from "../runtime/package";
import type { EnvGroupLinkArgsFields } from "./schema";

/** Arguments of a link: the fields of `envGroupLinkFields` (schema.ts), each a `pulumi.Input`. */
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
    super(
      packagedProvider("envGroupLink"),
      name,
      { ...args, envGroupName: undefined, serviceName: undefined },
      opts,
      "render",
      "EnvGroupLink",
    );
  }
}
