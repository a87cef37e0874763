/**
 * `RenderWebService`: a Render web service and its env vars as a typed Pulumi resource
 * (type `pulumi-nodejs:dynamic/render:WebService`).
 */
import type * as pulumi from "@pulumi/pulumi";
import type { WebServiceFields } from "./schema";
import { RenderServiceBase, type ServiceArgsOf } from "../service/resource";

export { toEnvVarInputs, type EnvVarSource } from "../service/resource";

/**
 * Arguments of a Render web service (fields and their JSDoc: schema.ts). render.yaml names and
 * spellings are accepted where noted. `ownerId` defaults to the stack config; env vars are typed sources.
 * `advice` words messages for the program (runtime/advice.ts): it names `adoptExisting` and `adoptId`.
 */
export type RenderWebServiceArgs = ServiceArgsOf<WebServiceFields>;

/** A Render web service with its env vars. */
export class RenderWebService extends RenderServiceBase {
  /** The service's public URL, e.g. https://arrakis-prod.onrender.com. */
  declare readonly url: pulumi.Output<string>;
  /** Instances. */
  declare readonly numInstances: pulumi.Output<number>;
  /** Health check path. */
  declare readonly healthCheckPath: pulumi.Output<string>;

  constructor(name: string, args: RenderWebServiceArgs, opts?: pulumi.CustomResourceOptions) {
    super({ provider: "webService", type: "WebService", outputs: ["url"] }, name, args, opts);
  }
}
