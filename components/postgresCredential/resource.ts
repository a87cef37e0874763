/**
 * A credential rotation of a Render PostgreSQL database as two typed Pulumi resources
 * (types `pulumi-nodejs:dynamic/render:PostgresCredential` and `…/render:RetiredPostgresCredentials`):
 * the new user, and the step that deletes the users it replaced. Order them around what moves the apps:
 *
 * ```ts
 * const user = new RenderPostgresCredential("db-user", { postgresId: db.id, databaseUser: db.liveDatabaseUser, rotation: "2026-12-05" });
 * const web = new RenderWebService("web", { ...envVars linked to db }, { dependsOn: [user] });
 * const deploy = new RenderDeploy("deploy", { serviceId: web.id, trigger: user.username });
 * new RetiredPostgresCredentials("db-old-users", { postgresId: db.id, databaseUser: db.liveDatabaseUser, keep: user.username }, { dependsOn: [deploy] });
 * ```
 */
import * as pulumi from "@pulumi/pulumi";
import { packagedProvider } from "../runtime/package";
import { postgresCredentialSecretOutputs } from "./provider";
import type { PostgresCredentialFields, RetiredPostgresCredentialsFields } from "./schema";

/** Each field of a schema's input as a Pulumi input; homomorphic, so each keeps its JSDoc. */
type InputsOf<T> = { [K in keyof T]: pulumi.Input<Exclude<T[K], undefined>> };

/** Arguments of a rotation's new user (fields and their JSDoc: schema.ts). */
export type RenderPostgresCredentialArgs = InputsOf<PostgresCredentialFields>;

/** Arguments of the step that deletes the users a rotation replaced (schema.ts). */
export type RetiredPostgresCredentialsArgs = InputsOf<RetiredPostgresCredentialsFields>;

/**
 * A Render-managed user of a database, made by a rotation: Render makes it the default user, so env vars
 * linked to the database move to it when their service is next written. Deleting it keeps the user.
 */
export class RenderPostgresCredential extends pulumi.dynamic.Resource {
  /** The user's name, from the database's user and the label (e.g. `arrakis_prod_user_r1f2e3d4c`). */
  declare readonly username: pulumi.Output<string>;
  /** Whether it is the database's default user, as last read. */
  declare readonly isDefault: pulumi.Output<boolean>;
  /** The user's connection string from outside Render (secret), for the program's own tools. */
  declare readonly externalConnectionString: pulumi.Output<string>;

  constructor(name: string, args: RenderPostgresCredentialArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      packagedProvider("postgresCredential"),
      name,
      { steps: [], ...args, username: undefined, isDefault: undefined, externalConnectionString: undefined },
      pulumi.mergeOptions(opts, { additionalSecretOutputs: postgresCredentialSecretOutputs }),
      "render",
      "PostgresCredential",
    );
  }
}

/** Deletes the users a rotation replaced (the database's own, earlier rotations'), never `keep`. */
export class RetiredPostgresCredentials extends pulumi.dynamic.Resource {
  /** The users deleted in its last run. */
  declare readonly retired: pulumi.Output<string[]>;
  /** Users of other names, left alone. */
  declare readonly leftAlone: pulumi.Output<string[]>;

  constructor(name: string, args: RetiredPostgresCredentialsArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      packagedProvider("retiredPostgresCredentials"),
      name,
      { ...args, retired: undefined, leftAlone: undefined },
      opts,
      "render",
      "RetiredPostgresCredentials",
    );
  }
}
