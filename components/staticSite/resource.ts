/**
 * `RenderStaticSite`: a Render static site with its response headers and redirect/rewrite rules, as a
 * typed Pulumi resource (type `pulumi-nodejs:dynamic/render:StaticSite`).
 */
import * as pulumi from "@pulumi/pulumi";
import type { AdviceArgs } from "../runtime/advice";
import { packagedProvider } from "../runtime/package";
import { toEnvVarInputs, type EnvVarSource } from "../service/resource";
import { staticSiteSecretOutputs } from "./provider";
import type { StaticSiteArgsFields } from "./schema";

/**
 * Arguments of a Render static site: the fields of `staticSiteFields` (schema.ts, which documents each),
 * every one a `pulumi.Input`. `ownerId` defaults to stack config `render:ownerId`. `advice` words
 * messages for the program (runtime/advice.ts).
 */
export type RenderStaticSiteArgs = {
  [K in keyof Omit<StaticSiteArgsFields, "ownerId" | "envVars">]: pulumi.Input<StaticSiteArgsFields[K]>;
} & {
  /** Workspace id `tea-…`. Default: stack config `render:ownerId`. Immutable. */
  ownerId?: pulumi.Input<string>;
  /**
   * The whole set of the site's env vars, read by its build, each a typed source as a service's are
   * (a plain value, `{ secret }`, `{ generateValue: true }`, `{ fromDatabase }`, `{ fromKeyValue }`,
   * `{ fromService: "url" }` or `"hostname"`: the site's own URL or host name). Keys set on Render but not here are removed.
   */
  envVars?: Record<string, EnvVarSource>;
} & AdviceArgs;

/** A Render static site. */
export class RenderStaticSite extends pulumi.dynamic.Resource {
  /** The site's address on Render (`https://<name>.onrender.com`). */
  declare readonly url: pulumi.Output<string>;
  /** Link to the site in Render's dashboard. */
  declare readonly dashboardUrl: pulumi.Output<string>;
  /** Site name. */
  declare readonly name: pulumi.Output<string>;
  /** Folder published after the build. */
  declare readonly publishPath: pulumi.Output<string>;
  /** Response header rules as applied. */
  declare readonly headers: pulumi.Output<{ path: string; name: string; value: string }[]>;
  /** Redirect/rewrite rules as applied, in priority order. */
  declare readonly routes: pulumi.Output<{ type: string; source: string; destination: string }[]>;
  /** Keys of the env vars set on the site (values are never outputs). */
  declare readonly envVarKeys: pulumi.Output<string[]>;

  constructor(name: string, args: RenderStaticSiteArgs, opts?: pulumi.CustomResourceOptions) {
    const ownerId = args.ownerId ?? new pulumi.Config("render").get("ownerId");
    super(
      packagedProvider("staticSite"),
      name,
      {
        ...args,
        ownerId,
        envVars: toEnvVarInputs(args.envVars ?? {}),
        url: undefined,
        dashboardUrl: undefined,
        envVarKeys: undefined,
        generatedValues: undefined,
      },
      pulumi.mergeOptions(opts, { additionalSecretOutputs: staticSiteSecretOutputs }),
      "render",
      "StaticSite",
    );
  }
}
