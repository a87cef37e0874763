/**
 * `RenderBackgroundWorker`: a Render background worker and its env vars as a typed Pulumi resource
 * (type `pulumi-nodejs:dynamic/render:BackgroundWorker`).
 */
import type * as pulumi from "@pulumi/pulumi";
import type { BackgroundWorkerArgsFields } from "./schema";
import { RenderServiceBase, type ServiceArgsOf } from "../service/resource";

/**
 * Arguments of a Render background worker (fields and their JSDoc: schema.ts). render.yaml names and
 * spellings are accepted where noted. `ownerId` defaults to the stack config; env vars are typed sources
 * (not `fromService: "url"`: a background worker has no public URL).
 */
export type RenderBackgroundWorkerArgs = ServiceArgsOf<BackgroundWorkerArgsFields>;

/** A Render background worker with its env vars. */
export class RenderBackgroundWorker extends RenderServiceBase {
  /** Instances. */
  declare readonly numInstances: pulumi.Output<number>;

  constructor(name: string, args: RenderBackgroundWorkerArgs, opts?: pulumi.CustomResourceOptions) {
    super({ provider: "backgroundWorker", type: "BackgroundWorker" }, name, args, opts);
  }
}
