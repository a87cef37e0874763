/**
 * `PostgresExtension`: an extension enabled in a database, e.g. pgvector's `vector`
 * (type `pulumi-nodejs:dynamic/render:PostgresExtension`).
 */
import * as pulumi from "@pulumi/pulumi";
import { packagedProvider } from "../runtime/package";
import type { PostgresExtensionFields } from "./schema";

/** Each field of a schema's input as a Pulumi input; homomorphic, so each keeps its JSDoc. */
type InputsOf<T> = { [K in keyof T]: pulumi.Input<Exclude<T[K], undefined>> };

/** Arguments of a database extension (fields and their JSDoc: schema.ts). */
export type PostgresExtensionArgs = InputsOf<PostgresExtensionFields>;

/** An extension enabled in a PostgreSQL database. */
export class PostgresExtension extends pulumi.dynamic.Resource {
  /** The extension's name. */
  declare readonly extension: pulumi.Output<string>;
  /** The version installed, e.g. `0.8.0`. */
  declare readonly installedVersion: pulumi.Output<string>;

  constructor(name: string, args: PostgresExtensionArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      packagedProvider("postgresExtension"),
      name,
      {
        extension: "vector",
        dropOnDelete: false,
        ...args,
        ...(args.connectionString !== undefined
          ? { connectionString: pulumi.secret(args.connectionString) }
          : {}),
        installedVersion: undefined,
      },
      pulumi.mergeOptions(opts, { additionalSecretOutputs: ["connectionString"] }),
      "render",
      "PostgresExtension",
    );
  }
}
