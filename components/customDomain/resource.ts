/**
 * `RenderCustomDomain`: a custom domain of a Render web service or static site, as a typed Pulumi
 * resource (type `pulumi-nodejs:dynamic/render:CustomDomain`).
 */
import * as pulumi from "@pulumi/pulumi";
import type { AdviceArgs } from "../runtime/advice";
import { packagedProvider } from "../runtime/package";
import type { CustomDomainArgsFields } from "./schema";

/**
 * Arguments of a custom domain: the fields of `customDomainFields` (schema.ts, which documents each),
 * every one a `pulumi.Input`.
 */
export type RenderCustomDomainArgs = {
  [K in keyof CustomDomainArgsFields]: pulumi.Input<CustomDomainArgsFields[K]>;
} & AdviceArgs;

/** A custom domain of a web service or static site. */
export class RenderCustomDomain extends pulumi.dynamic.Resource {
  /** The domain, lowercase. */
  declare readonly name: pulumi.Output<string>;
  /** `apex` or `subdomain`. */
  declare readonly domainType: pulumi.Output<string>;
  /** `verified` once Render found the DNS records, else `unverified`. */
  declare readonly verificationStatus: pulumi.Output<string>;
  /** The apex/www sibling Render added, redirecting to this domain ("" when none). */
  declare readonly siblingName: pulumi.Output<string>;

  constructor(name: string, args: RenderCustomDomainArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      packagedProvider("customDomain"),
      name,
      { ...args, domainType: undefined, verificationStatus: undefined, siblingName: undefined },
      opts,
      "render",
      "CustomDomain",
    );
  }
}
