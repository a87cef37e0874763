/**
 * `RenderApp`: one app on Render as render.yaml described it: a PostgreSQL database with its
 * extensions, and a web service whose env vars link to it. Reusable for a second app.
 */
import * as pulumi from "@pulumi/pulumi";
import { RenderDeploy, type RenderDeployArgs } from "./deploy";
import { serviceDeploySettings, stableHash } from "./mapping/deploy";
import { DatabaseMigrations, type DatabaseMigrationsArgs } from "./migrations";
import { RenderPostgres, type RenderPostgresArgs } from "./postgres";
import { PostgresExtension } from "./postgresExtension";
import { RenderWebService, toEnvVarInputs, type EnvVarSource, type RenderWebServiceArgs } from "./webService";

/** Arguments of an app: its database, its service, and the env vars render.yaml wired between them. */
export interface RenderAppArgs {
  /** The database (render.yaml `databases[0]`). */
  database: RenderPostgresArgs & {
    /** Extensions to enable, e.g. `["vector"]` for pgvector. Default `["vector"]`. */
    extensions?: string[];
    /** Protect the database from `pulumi destroy` and replacement. Default true. */
    protect?: boolean;
    /** Adopt the live database with this id (`dpg-…`) instead of creating one. */
    importId?: string;
  };
  /** The web service (render.yaml `services[0]`); `envVars` here are added to the wired ones. */
  service: Omit<RenderWebServiceArgs, "envVars"> & {
    /** Extra plain env vars, e.g. `{ PORT: "3000" }`. */
    env?: Record<string, string>;
    /** Adopt the live service with this id (`srv-…`) instead of creating one. */
    importId?: string;
  };
  /** OPENAI_API_KEY, a secret from stack config (`config.requireSecret`). */
  openaiApiKey: pulumi.Input<string>;
  /** NODE_ENV. Default `production`. */
  nodeEnv?: pulumi.Input<string>;
  /**
   * How `pulumi up` deploys the service: a deploy whenever the commit, the env vars, the service's
   * build/run settings or the migrations change. `false`: no deploy resource (Render's own deploys only).
   */
  deploy?: false | Omit<RenderDeployArgs, "serviceId" | "trigger">;
  /** The app's migrations, run before the deploy; absent: no migration step. */
  migrations?: Omit<DatabaseMigrationsArgs, "postgresId">;
}

/** The env vars render.yaml gave the service, as typed sources. */
export function appEnvVars(database: RenderPostgres, args: RenderAppArgs): Record<string, EnvVarSource> {
  return {
    ...(args.service.env ?? {}),
    DATABASE_URL: { fromDatabase: { database, property: "connectionString" } },
    DIRECT_URL: { fromDatabase: { database, property: "connectionString" } },
    NODE_ENV: { value: args.nodeEnv ?? "production" },
    NEXTAUTH_SECRET: { generateValue: true },
    NEXTAUTH_URL: { fromService: "url" },
    OPENAI_API_KEY: { secret: args.openaiApiKey },
  };
}

/** A Render app: database, extensions, web service and the links between them. */
export class RenderApp extends pulumi.ComponentResource {
  /** The database. */
  readonly database: RenderPostgres;
  /** The web service. */
  readonly service: RenderWebService;
  /** Extensions enabled in the database. */
  readonly extensions: PostgresExtension[];
  /** The service's public URL. */
  readonly serviceUrl: pulumi.Output<string>;
  /** The migrations step, when configured. */
  readonly migrations?: DatabaseMigrations;
  /** The deploy of the service, unless turned off. */
  readonly deploy?: RenderDeploy;

  constructor(name: string, args: RenderAppArgs, opts?: pulumi.ComponentResourceOptions) {
    super("arrakis:render:App", name, {}, opts);
    const { extensions = ["vector"], protect = true, importId: databaseId, ...databaseArgs } = args.database;
    const { env: _env, importId: serviceId, ...serviceArgs } = args.service;

    this.database = new RenderPostgres(`${name}-db`, databaseArgs, {
      parent: this,
      protect,
      ...(databaseId ? { import: databaseId } : {}),
    });
    this.extensions = extensions.map(
      (extension) =>
        new PostgresExtension(
          `${name}-db-${extension}`,
          // By id: the connection string is read when needed, never unknown in a preview.
          { postgresId: this.database.id, extension },
          { parent: this, dependsOn: [this.database] },
        ),
    );
    if (args.migrations)
      this.migrations = new DatabaseMigrations(
        `${name}-db-migrations`,
        { ...args.migrations, postgresId: this.database.id },
        { parent: this, dependsOn: this.extensions },
      );
    const envVars = appEnvVars(this.database, args);
    this.service = new RenderWebService(
      `${name}-web`,
      { ...serviceArgs, envVars },
      // Migrations and the app need the extension before the first deploy; Render deploys a new
      // service at once, so the migrations run before it exists.
      {
        parent: this,
        dependsOn: [...this.extensions, ...(this.migrations ? [this.migrations] : [])],
        ...(serviceId ? { import: serviceId } : {}),
      },
    );
    this.serviceUrl = this.service.url;
    if (args.deploy !== false) {
      // What the app runs: a change of any of these is a new deploy; secret values keep the hash secret.
      const trigger = pulumi
        .output({
          env: toEnvVarInputs(envVars),
          settings: Object.fromEntries(
            serviceDeploySettings.map((key) => [key, (serviceArgs as Record<string, unknown>)[key]]),
          ),
          migrations: this.migrations?.migrationsHash ?? "",
        })
        .apply(stableHash);
      this.deploy = new RenderDeploy(
        `${name}-deploy`,
        { ...(args.deploy ?? {}), serviceId: this.service.id, trigger },
        { parent: this, dependsOn: [this.service, ...(this.migrations ? [this.migrations] : [])] },
      );
    }
    this.registerOutputs({
      serviceUrl: this.service.url,
      databaseId: this.database.id,
      serviceId: this.service.id,
      deployId: this.deploy?.deployId,
    });
  }
}
