/**
 * `RenderEnvGroup`: a Render environment group (env vars and secret files shared by services) as a typed
 * Pulumi resource (type `pulumi-nodejs:dynamic/render:EnvGroup`). Link it to each service with one
 * `RenderEnvGroupLink`.
 */
import * as pulumi from "@pulumi/pulumi";
import { envGroupSecretOutputs } from "./provider";
import type { AdviceArgs } from "../runtime/advice";
import { packagedProvider } from "../runtime/package";
import type { EnvGroupArgsFields } from "./schema";

/**
 * Arguments of a Render env group: the fields of `envGroupFields` (schema.ts, which documents each),
 * every one a `pulumi.Input`. `ownerId` defaults to stack config `render:ownerId`. `envVars` and
 * `secretFiles` are made secret whatever the program passes.
 */
export type RenderEnvGroupArgs = {
  [K in keyof Omit<EnvGroupArgsFields, "ownerId" | "envVars" | "secretFiles">]: pulumi.Input<
    EnvGroupArgsFields[K]
  >;
} & {
  /** Workspace id `tea-…`. Default: stack config `render:ownerId`. Immutable. */
  ownerId?: pulumi.Input<string>;
  /**
   * The whole set of env vars, by key: `{value}` or `{generateValue: true}`; render.yaml's list
   * `[{key, value} | {key, generateValue: true}]` is accepted. Secret.
   */
  envVars?: pulumi.Input<
    EnvGroupArgsFields["envVars"] | { key: string; value?: string; generateValue?: boolean }[]
  >;
  /** The whole set of secret files, by name: their contents (or a list `[{name, content}]`). Secret. */
  secretFiles?: pulumi.Input<EnvGroupArgsFields["secretFiles"] | { name: string; content: string }[]>;
} & AdviceArgs;

/** A Render environment group. */
export class RenderEnvGroup extends pulumi.dynamic.Resource {
  /** Name on Render. */
  declare readonly name: pulumi.Output<string>;
  /** Workspace id. */
  declare readonly ownerId: pulumi.Output<string>;
  /** The env vars as applied (secret). */
  declare readonly envVars: pulumi.Output<Record<string, { value?: string; generateValue?: true }>>;
  /** The secret files as applied (secret). */
  declare readonly secretFiles: pulumi.Output<Record<string, string>>;
  /** The values Render generated for `generateValue` vars, by key (secret). */
  declare readonly generatedValues: pulumi.Output<Record<string, string>>;
  /** The ids of the services linked to the group. */
  declare readonly linkedServiceIds: pulumi.Output<string[]>;

  constructor(name: string, args: RenderEnvGroupArgs, opts?: pulumi.CustomResourceOptions) {
    const ownerId = args.ownerId ?? new pulumi.Config("render").get("ownerId");
    const props = {
      ...args,
      ownerId,
      envVars: pulumi.secret(args.envVars ?? {}),
      secretFiles: pulumi.secret(args.secretFiles ?? {}),
      generatedValues: undefined,
      linkedServiceIds: undefined,
    };
    super(
      packagedProvider("envGroup"),
      name,
      props,
      pulumi.mergeOptions(opts, { additionalSecretOutputs: envGroupSecretOutputs }),
      "render",
      "EnvGroup",
    );
  }
}
