/**
 * `RenderDisk`: a persistent disk of a Render service as a typed Pulumi resource (type
 * `pulumi-nodejs:dynamic/render:Disk`). It only grows; deleting it deletes its data (use `protect`).
 */
import * as pulumi from "@pulumi/pulumi";
import { packagedProvider } from "../runtime/package";
import type { DiskArgsFields } from "./schema";

/** Arguments: the fields of `diskFields` (schema.ts, which documents each), each a `pulumi.Input`. */
export type RenderDiskArgs = { [K in keyof DiskArgsFields]: pulumi.Input<DiskArgsFields[K]> };

/** A persistent disk of a Render service. */
export class RenderDisk extends pulumi.dynamic.Resource {
  /** The service it is attached to. */
  declare readonly serviceId: pulumi.Output<string>;
  /** Name on Render. */
  declare readonly name: pulumi.Output<string>;
  /** Where the service sees it. */
  declare readonly mountPath: pulumi.Output<string>;
  /** Size in GB. */
  declare readonly sizeGB: pulumi.Output<number>;
  /** When Render last changed it. */
  declare readonly updatedAt: pulumi.Output<string>;

  constructor(name: string, args: RenderDiskArgs, opts?: pulumi.CustomResourceOptions) {
    super(packagedProvider("disk"), name, { ...args, updatedAt: undefined }, opts, "render", "Disk");
  }
}
