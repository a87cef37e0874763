/**
 * `RenderKeyValue`: a Render Key Value (Valkey) instance as a typed Pulumi resource
 * (type `pulumi-nodejs:dynamic/render:KeyValue`).
 */
import * as pulumi from "@pulumi/pulumi";
import { keyValueSecretOutputs } from "./provider";
import type { AdviceArgs } from "../runtime/advice";
import { packagedProvider } from "../runtime/package";
import type { KeyValueArgsFields } from "./schema";

/**
 * Arguments of a Render Key Value: the fields of `keyValueFields` (schema.ts, which documents each),
 * every one a `pulumi.Input`. `ownerId` defaults to stack config `render:ownerId`. `advice` words
 * messages for the program (runtime/advice.ts): it names `adoptExisting` and `adoptId`.
 */
export type RenderKeyValueArgs = {
  [K in keyof Omit<KeyValueArgsFields, "ownerId">]: pulumi.Input<KeyValueArgsFields[K]>;
} & {
  /** Workspace id `tea-…`. Default: stack config `render:ownerId`. Immutable. */
  ownerId?: pulumi.Input<string>;
} & AdviceArgs;

/** A Render Key Value (Valkey) instance. */
export class RenderKeyValue extends pulumi.dynamic.Resource {
  /** Render's status, e.g. `available`. */
  declare readonly status: pulumi.Output<string>;
  /** Link to the instance in Render's dashboard. */
  declare readonly dashboardUrl: pulumi.Output<string>;
  /** Display name. */
  declare readonly name: pulumi.Output<string>;
  /** Plan, API spelling. */
  declare readonly plan: pulumi.Output<string>;
  /** Region. */
  declare readonly region: pulumi.Output<string>;
  /** The Valkey version Render runs. */
  declare readonly version: pulumi.Output<string>;
  /** The IP allow list as applied. */
  declare readonly ipAllowList: pulumi.Output<{ cidrBlock: string; description: string }[]>;
  /** `redis://…` inside Render's private network (secret). */
  declare readonly internalConnectionString: pulumi.Output<string>;
  /** `rediss://…` from outside Render, with the password (secret). */
  declare readonly externalConnectionString: pulumi.Output<string>;

  constructor(name: string, args: RenderKeyValueArgs, opts?: pulumi.CustomResourceOptions) {
    const ownerId = args.ownerId ?? new pulumi.Config("render").get("ownerId");
    const props = {
      ...args,
      ownerId,
      status: undefined,
      dashboardUrl: undefined,
      version: undefined,
      internalConnectionString: undefined,
      externalConnectionString: undefined,
    };
    super(
      packagedProvider("keyValue"),
      name,
      props,
      pulumi.mergeOptions(opts, { additionalSecretOutputs: keyValueSecretOutputs }),
      "render",
      "KeyValue",
    );
  }
}
