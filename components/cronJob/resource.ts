/**
 * `RenderCronJob`: a Render cron job and its env vars as a typed Pulumi resource
 * (type `pulumi-nodejs:dynamic/render:CronJob`).
 */
import type * as pulumi from "@pulumi/pulumi";
import type { CronJobArgsFields } from "./schema";
import { RenderServiceBase, type ServiceArgsOf } from "../service/resource";

/**
 * Arguments of a Render cron job (fields and their JSDoc: schema.ts). render.yaml names and
 * spellings are accepted where noted. `ownerId` defaults to the stack config; env vars are typed sources
 * (not `fromService: "url"`: a cron job has no public URL).
 */
export type RenderCronJobArgs = ServiceArgsOf<CronJobArgsFields>;

/** A Render cron job with its env vars. */
export class RenderCronJob extends RenderServiceBase {
  /** When it runs (cron expression, UTC). */
  declare readonly schedule: pulumi.Output<string>;

  constructor(name: string, args: RenderCronJobArgs, opts?: pulumi.CustomResourceOptions) {
    super({ provider: "cronJob", type: "CronJob" }, name, args, opts);
  }
}
