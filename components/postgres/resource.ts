/**
 * `RenderPostgres`: a Render PostgreSQL database as a typed Pulumi resource
 * (type `pulumi-nodejs:dynamic/render:Postgres`).
 */
import * as pulumi from "@pulumi/pulumi";
import { postgresSecretOutputs } from "./provider";
import type { AdviceArgs } from "../runtime/advice";
import { packagedProvider } from "../runtime/package";
import type { PostgresArgsFields } from "./schema";

/**
 * Arguments of a Render PostgreSQL database: the fields of `postgresFields` (schema.ts, which
 * documents each), every one a `pulumi.Input`. `ownerId` defaults to stack config `render:ownerId`.
 * `advice` words messages for the program (runtime/advice.ts): it names `adoptExisting` and `adoptId`.
 */
export type RenderPostgresArgs = {
  [K in keyof Omit<PostgresArgsFields, "ownerId">]: pulumi.Input<PostgresArgsFields[K]>;
} & {
  /** Workspace id `tea-…`. Default: stack config `render:ownerId`. Immutable. */
  ownerId?: pulumi.Input<string>;
} & AdviceArgs;

/** A Render PostgreSQL database. */
export class RenderPostgres extends pulumi.dynamic.Resource {
  /** Render's status, e.g. `available`. */
  declare readonly status: pulumi.Output<string>;
  /** Link to the database in Render's dashboard. */
  declare readonly dashboardUrl: pulumi.Output<string>;
  /** Display name. */
  declare readonly name: pulumi.Output<string>;
  /** Plan, API spelling. */
  declare readonly plan: pulumi.Output<string>;
  /** Region. */
  declare readonly region: pulumi.Output<string>;
  /** PostgreSQL major version. */
  declare readonly version: pulumi.Output<string>;
  /** The live database name, with Render's suffix (e.g. `arrakis_production_bq3v`). */
  declare readonly liveDatabaseName: pulumi.Output<string>;
  /** The live database user. */
  declare readonly liveDatabaseUser: pulumi.Output<string>;
  /** The IP allow list as applied. */
  declare readonly ipAllowList: pulumi.Output<{ cidrBlock: string; description: string }[]>;
  /** External host name. */
  declare readonly host: pulumi.Output<string>;
  /** External port. */
  declare readonly port: pulumi.Output<number>;
  /** The database password (secret). */
  declare readonly password: pulumi.Output<string>;
  /** Connection string inside Render's private network (secret). */
  declare readonly internalConnectionString: pulumi.Output<string>;
  /** Connection string from outside Render, SSL required (secret). */
  declare readonly externalConnectionString: pulumi.Output<string>;

  constructor(name: string, args: RenderPostgresArgs, opts?: pulumi.CustomResourceOptions) {
    const ownerId = args.ownerId ?? new pulumi.Config("render").get("ownerId");
    const props = {
      ...args,
      ownerId,
      status: undefined,
      dashboardUrl: undefined,
      liveDatabaseName: undefined,
      liveDatabaseUser: undefined,
      host: undefined,
      port: undefined,
      password: undefined,
      internalConnectionString: undefined,
      externalConnectionString: undefined,
    };
    super(
      packagedProvider("postgres"),
      name,
      props,
      pulumi.mergeOptions(opts, { additionalSecretOutputs: postgresSecretOutputs }),
      "render",
      "Postgres",
    );
  }
}
