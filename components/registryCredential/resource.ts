/**
 * `RenderRegistryCredential`: a Render registry credential (pulls a private image; a service's
 * `image.creds` names its id) as a typed Pulumi resource (type `pulumi-nodejs:dynamic/render:RegistryCredential`).
 */
import * as pulumi from "@pulumi/pulumi";
import { registryCredentialSecretOutputs } from "./provider";
import type { AdviceArgs } from "../runtime/advice";
import { packagedProvider } from "../runtime/package";
import type { RegistryCredentialArgsFields } from "./schema";

/**
 * Arguments: the fields of `registryCredentialFields` (schema.ts), each a `pulumi.Input`. `ownerId`
 * defaults to stack config `render:ownerId`; `authToken` is made secret whatever the program passes.
 */
export type RenderRegistryCredentialArgs = {
  [K in keyof Omit<RegistryCredentialArgsFields, "ownerId">]: pulumi.Input<RegistryCredentialArgsFields[K]>;
} & {
  /** Workspace id `tea-…`. Default: stack config `render:ownerId`. Immutable. */
  ownerId?: pulumi.Input<string>;
} & AdviceArgs;

/** A Render registry credential. */
export class RenderRegistryCredential extends pulumi.dynamic.Resource {
  /** Name on Render. */
  declare readonly name: pulumi.Output<string>;
  /** The registry, API spelling (`GITHUB`…). */
  declare readonly registry: pulumi.Output<string>;
  /** The registry user name. */
  declare readonly username: pulumi.Output<string>;
  /** The token (secret). */
  declare readonly authToken: pulumi.Output<string>;
  /** When Render last changed it. */
  declare readonly updatedAt: pulumi.Output<string>;

  constructor(name: string, args: RenderRegistryCredentialArgs, opts?: pulumi.CustomResourceOptions) {
    const ownerId = args.ownerId ?? new pulumi.Config("render").get("ownerId");
    super(
      packagedProvider("registryCredential"),
      name,
      { ...args, ownerId, authToken: pulumi.secret(args.authToken), updatedAt: undefined },
      pulumi.mergeOptions(opts, { additionalSecretOutputs: registryCredentialSecretOutputs }),
      "render",
      "RegistryCredential",
    );
  }
}
