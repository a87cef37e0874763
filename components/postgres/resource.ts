/**
 * `RenderPostgres`: a Render PostgreSQL database as a typed Pulumi resource
 * (type `pulumi-nodejs:dynamic/render:Postgres`).
 */
import * as pulumi from "@pulumi/pulumi";
import { postgresSecretOutputs } from "./provider";
import { packagedProvider } from "../runtime/package";

/** Arguments of a Render PostgreSQL database. render.yaml spellings are accepted where noted. */
export interface RenderPostgresArgs {
  /** Display name on Render, unique in the workspace (render.yaml `name`), e.g. `arrakis-prod-db`. */
  name: pulumi.Input<string>;
  /** Workspace id `tea-…`. Default: stack config `render:ownerId`. */
  ownerId?: pulumi.Input<string>;
  /** Plan: `basic_256mb` (render.yaml `basic-256mb` is accepted), `pro_4gb`, … */
  plan: pulumi.Input<string>;
  /** PostgreSQL major version, `"11"`–`"18"` (a number or render.yaml's `postgresMajorVersion` both work). Immutable. */
  version: pulumi.Input<string | number>;
  /** Region: oregon, ohio, virginia, frankfurt or singapore. Default oregon. Immutable. */
  region?: pulumi.Input<string>;
  /** Database name; Render appends a random `_xxxx` suffix (not drift). Generated when absent. Immutable. */
  databaseName?: pulumi.Input<string>;
  /** Database user (render.yaml `user`). Generated when absent. Immutable. */
  databaseUser?: pulumi.Input<string>;
  /**
   * Who may connect from outside Render. `[]` allows Render's private network only; `0.0.0.0/0`
   * allows everyone. render.yaml's `source` is accepted for `cidrBlock`.
   */
  ipAllowList?: pulumi.Input<pulumi.Input<{ cidrBlock?: string; source?: string; description?: string }>[]>;
  /** High availability (a standby); needs a pro_* or accelerated_* plan and PostgreSQL 13+. Default false. */
  highAvailability?: pulumi.Input<boolean>;
  /** Disk size in GB; Render's plan default when absent. */
  diskSizeGB?: pulumi.Input<number>;
  /**
   * Adopt a database of the same name that already exists in the workspace instead of failing: the
   * first `pulumi up` takes it over and changes only what differs. (Pulumi's `import` resource option
   * fails for dynamic resources, pulumi/pulumi#16175: use this or `adoptId`.)
   */
  adoptExisting?: pulumi.Input<boolean>;
  /**
   * Adopt exactly this live database (`dpg-…`, from its dashboard URL) instead of creating one. It must
   * exist, be in the workspace and carry `name`; the first `pulumi up` changes only what differs.
   */
  adoptId?: pulumi.Input<string>;
  /**
   * Allow a change of an immutable field (version, region, databaseName, databaseUser) to replace the
   * database: delete it, data and all, and create a new one. Default false: such a change fails the preview.
   */
  allowReplacement?: pulumi.Input<boolean>;
  /** How long create/update wait for `available`, in seconds. Default 1800. */
  waitTimeoutSeconds?: pulumi.Input<number>;
  /** Longest pause between status polls while waiting, in seconds (the first comes after 1 s, then doubling). Default 8. */
  pollIntervalSeconds?: pulumi.Input<number>;
}

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
