/**
 * `PostgresExtension`: an extension enabled in a database, e.g. pgvector's `vector`
 * (type `pulumi-nodejs:dynamic/render:PostgresExtension`).
 */
import * as pulumi from "@pulumi/pulumi";
import { packagedProvider } from "../runtime/package";

/** Arguments of a database extension. */
export interface PostgresExtensionArgs {
  /** Connection string with rights to create extensions (secret). Give this or `postgresId`. */
  connectionString?: pulumi.Input<string>;
  /**
   * Or the Render Postgres id (`dpg-…`, e.g. a RenderPostgres's `id`): the provider reads its external
   * connection string from Render when it connects, so no connection string is an input.
   */
  postgresId?: pulumi.Input<string>;
  /** Extension name. Default `vector` (pgvector). */
  extension?: pulumi.Input<string>;
  /**
   * Drop the extension when this resource is deleted. Default false, because dropping `vector` fails
   * or destroys data that uses it; the drop never cascades.
   */
  dropOnDelete?: pulumi.Input<boolean>;
}

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
