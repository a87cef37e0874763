/**
 * `RenderProject`: a Render project and its environments as one typed Pulumi resource
 * (type `pulumi-nodejs:dynamic/render:Project`).
 */
import * as pulumi from "@pulumi/pulumi";
import type { AdviceArgs } from "../runtime/advice";
import { packagedProvider } from "../runtime/package";
import type { ProjectArgsFields } from "./schema";

/**
 * Arguments of a Render project: the fields of `projectFields` (schema.ts, which documents each), every
 * one a `pulumi.Input`. `ownerId` defaults to stack config `render:ownerId`.
 */
export type RenderProjectArgs = {
  [K in keyof Omit<ProjectArgsFields, "ownerId">]: pulumi.Input<ProjectArgsFields[K]>;
} & {
  /** Workspace id `tea-…`. Default: stack config `render:ownerId`. Immutable. */
  ownerId?: pulumi.Input<string>;
} & AdviceArgs;

/** A Render project with its environments. */
export class RenderProject extends pulumi.dynamic.Resource {
  /** Project name. */
  declare readonly name: pulumi.Output<string>;
  /** Each environment's id (`evm-…`) by name, for the `environmentId` of the resources placed in it. */
  declare readonly environmentIds: pulumi.Output<Record<string, string>>;

  constructor(name: string, args: RenderProjectArgs, opts?: pulumi.CustomResourceOptions) {
    const ownerId = args.ownerId ?? new pulumi.Config("render").get("ownerId");
    super(
      packagedProvider("project"),
      name,
      { ...args, ownerId, environmentIds: undefined },
      opts,
      "render",
      "Project",
    );
  }

  /** The id of the environment `name`, failing clearly when the project has none of that name. */
  environmentId(name: string): pulumi.Output<string> {
    return this.environmentIds.apply((ids) => {
      const id = ids[name];
      if (id === undefined)
        throw new Error(
          `project has no environment ${name}; it has: ${Object.keys(ids).join(", ") || "none"}`,
        );
      return id;
    });
  }
}
