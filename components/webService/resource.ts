/**
 * `RenderWebService`: a Render web service and its env vars as a typed Pulumi resource
 * (type `pulumi-nodejs:dynamic/render:WebService`).
 */
import * as pulumi from "@pulumi/pulumi";
import type { DatabaseLinkProperty } from "../render/enums";
import type { RenderPostgres } from "../postgres/resource";
import { webServiceSecretOutputs } from "./provider";
import { packagedProvider } from "../runtime/package";

/**
 * One env var's source, the typed equivalent of a render.yaml `envVars` entry:
 * - a string or `{ value }`: a plain value, shown in previews;
 * - `{ secret }`: a secret value (e.g. from `config.requireSecret`), never shown;
 * - `{ generateValue: true }`: Render generates a 256-bit base64 value once, and it is then kept;
 * - `{ fromDatabase: { database, property } }`: linked to a RenderPostgres (render.yaml `fromDatabase`);
 *   `connectionString` is the internal one, as on Render; read from Render by the provider, never stored;
 * - `{ fromService: "url" }`: this service's own public URL (e.g. NEXTAUTH_URL), kept equal to it.
 */
export type EnvVarSource =
  | pulumi.Input<string>
  | { value: pulumi.Input<string> }
  | { secret: pulumi.Input<string> }
  | { generateValue: true }
  | { fromDatabase: { database: RenderPostgres; property: DatabaseLinkProperty } }
  | { fromService: "url" };

/** Arguments of a Render web service. render.yaml names and spellings are accepted where noted. */
export interface RenderWebServiceArgs {
  /** Service name, unique in the workspace; also the `<name>.onrender.com` subdomain. */
  name: pulumi.Input<string>;
  /** Workspace id `tea-…`. Default: stack config `render:ownerId`. */
  ownerId?: pulumi.Input<string>;
  /** Git repository URL, e.g. https://github.com/happydotemdr/arrakis (a `.git` suffix is dropped). */
  repo: pulumi.Input<string>;
  /** Branch to build. Default: the repository's default branch. */
  branch?: pulumi.Input<string>;
  /** Subdirectory to build from. Default the repository root. */
  rootDir?: pulumi.Input<string>;
  /** Runtime (render.yaml `runtime` or `env`): node, python, go, ruby, rust, elixir. Default node. Immutable. */
  runtime?: pulumi.Input<string>;
  /** Plan: starter, standard, pro, … Default starter. */
  plan?: pulumi.Input<string>;
  /** Region: oregon, ohio, virginia, frankfurt or singapore. Default oregon. Immutable. */
  region?: pulumi.Input<string>;
  /** Build command, e.g. `npm install && npm run build`. */
  buildCommand: pulumi.Input<string>;
  /** Start command, e.g. `npm start`. */
  startCommand: pulumi.Input<string>;
  /** Command run before each deploy (e.g. migrations). */
  preDeployCommand?: pulumi.Input<string>;
  /** Path Render probes for health, e.g. `/`. Default none. */
  healthCheckPath?: pulumi.Input<string>;
  /** Instances, 1–100 (changed through Render's scale endpoint). Default 1. */
  numInstances?: pulumi.Input<number>;
  /** Deploy on every push to the branch. Default false (manual deploys, as the seed keeps it). */
  autoDeploy?: pulumi.Input<boolean>;
  /** Pull request previews. Default false. */
  pullRequestPreviews?: pulumi.Input<boolean>;
  /**
   * Desired state: `true` suspends the service (Render's "Suspend"), `false` resumes one suspended
   * outside Pulumi. Default false: running.
   */
  suspended?: pulumi.Input<boolean>;
  /** The whole set of env vars: keys set on Render but not here are removed by `pulumi up`. */
  envVars?: Record<string, EnvVarSource>;
  /**
   * Adopt a service of the same name that already exists instead of failing. (Pulumi's `import` resource
   * option fails for dynamic resources, pulumi/pulumi#16175: use this or `adoptId`.)
   */
  adoptExisting?: pulumi.Input<boolean>;
  /**
   * Adopt exactly this live service (`srv-…`, from its dashboard URL) instead of creating one. It must
   * exist, be in the workspace and carry `name`; the first `pulumi up` changes only what differs.
   */
  adoptId?: pulumi.Input<string>;
}

type EnvVarInputs = Record<
  string,
  pulumi.Input<{
    kind: string;
    value?: pulumi.Input<string>;
    database?: pulumi.Input<string>;
    property?: string;
  }>
>;

/**
 * Typed env var sources -> the provider's `{kind, value}` map. Secret values stay secret; linked ones
 * carry only their database's id and property: the provider reads the value from Render when it
 * writes it, so a connection string is never an input (nor unknown in a preview when the database changes).
 */
export function toEnvVarInputs(envVars: Record<string, EnvVarSource>): EnvVarInputs {
  const out: EnvVarInputs = {};
  for (const [key, source] of Object.entries(envVars)) {
    if (typeof source === "string" || pulumi.Output.isInstance(source) || source instanceof Promise)
      out[key] = { kind: "plain", value: source as pulumi.Input<string> };
    else if ("value" in source) out[key] = { kind: "plain", value: source.value };
    else if ("secret" in source) out[key] = { kind: "secret", value: pulumi.secret(source.secret) };
    else if ("generateValue" in source) out[key] = { kind: "generated" };
    else if ("fromService" in source) out[key] = { kind: "serviceUrl" };
    else
      out[key] = {
        kind: "linked",
        database: source.fromDatabase.database.id,
        property: source.fromDatabase.property,
      };
  }
  return out;
}

/** A Render web service with its env vars. */
export class RenderWebService extends pulumi.dynamic.Resource {
  /** The service's public URL, e.g. https://arrakis-prod.onrender.com. */
  declare readonly url: pulumi.Output<string>;
  /** Link to the service in Render's dashboard. */
  declare readonly dashboardUrl: pulumi.Output<string>;
  /** Whether the service is suspended. */
  declare readonly suspended: pulumi.Output<boolean>;
  /** Keys of the env vars set on the service (values are never outputs). */
  declare readonly envVarKeys: pulumi.Output<string[]>;
  /** Service name. */
  declare readonly name: pulumi.Output<string>;
  /** Plan. */
  declare readonly plan: pulumi.Output<string>;
  /** Instances. */
  declare readonly numInstances: pulumi.Output<number>;
  /** Health check path. */
  declare readonly healthCheckPath: pulumi.Output<string>;
  /** Whether Render deploys on every push. */
  declare readonly autoDeploy: pulumi.Output<boolean>;
  /** The deploy Render started when it created the service. */
  declare readonly initialDeployId: pulumi.Output<string>;

  constructor(name: string, args: RenderWebServiceArgs, opts?: pulumi.CustomResourceOptions) {
    const ownerId = args.ownerId ?? new pulumi.Config("render").get("ownerId");
    const props = {
      ...args,
      ownerId,
      envVars: toEnvVarInputs(args.envVars ?? {}),
      url: undefined,
      dashboardUrl: undefined,
      suspended: args.suspended ?? false,
      envVarKeys: undefined,
      generatedValues: undefined,
      initialDeployId: undefined,
    };
    super(
      packagedProvider("webService"),
      name,
      props,
      pulumi.mergeOptions(opts, { additionalSecretOutputs: webServiceSecretOutputs }),
      "render",
      "WebService",
    );
  }
}
