/**
 * `RenderPrivateService`: a Render private service and its env vars as a typed Pulumi resource
 * (type `pulumi-nodejs:dynamic/render:PrivateService`).
 */
import type * as pulumi from "@pulumi/pulumi";
import type { PrivateServiceArgsFields } from "./schema";
import { RenderServiceBase, type ServiceArgsOf } from "../service/resource";

/**
 * Arguments of a Render private service (fields and their JSDoc: schema.ts). render.yaml names and
 * spellings are accepted where noted. `ownerId` defaults to the stack config; env vars are typed sources
 * (not `fromService: "url"`: a private service has no public URL).
 */
export type RenderPrivateServiceArgs = ServiceArgsOf<PrivateServiceArgsFields>;

/** A Render private service with its env vars. */
export class RenderPrivateService extends RenderServiceBase {
  /** Instances. */
  declare readonly numInstances: pulumi.Output<number>;

  constructor(name: string, args: RenderPrivateServiceArgs, opts?: pulumi.CustomResourceOptions) {
    super({ provider: "privateService", type: "PrivateService" }, name, args, opts);
  }
}
