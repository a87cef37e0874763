/**
 * `RenderWebService`: a Render web service and its env vars as a typed Pulumi resource
 * (type `pulumi-nodejs:dynamic/render:WebService`).
 */
import * as pulumi from "@pulumi/pulumi";
import type { DatabaseLinkProperty } from "../render/enums";
import type { RenderPostgres } from "../postgres/resource";
import type { RenderKeyValue } from "../keyValue/resource";
import { webServiceSecretOutputs } from "./provider";
import type { WebServiceFields } from "./schema";
import type { AdviceArgs } from "../runtime/advice";
import { packagedProvider } from "../runtime/package";

/**
 * One env var's source, the typed equivalent of a render.yaml `envVars` entry:
 * - a string or `{ value }`: a plain value, shown in previews;
 * - `{ secret }`: a secret value (e.g. from `config.requireSecret`), never shown;
 * - `{ generateValue: true }`: Render generates a 256-bit base64 value once, and it is then kept;
 * - `{ fromDatabase: { database, property } }`: linked to a RenderPostgres (render.yaml `fromDatabase`);
 *   `connectionString` is the internal one, as on Render; read from Render by the provider, never stored;
 * - `{ fromKeyValue: { keyValue, property: "connectionString" } }`: a RenderKeyValue's internal URL
 *   (render.yaml `fromService` of `type: keyvalue`), read from Render like a database's, never stored;
 * - `{ fromService: "url" }`: this service's own public URL (e.g. NEXTAUTH_URL), kept equal to it.
 */
export type EnvVarSource =
  | pulumi.Input<string>
  | { value: pulumi.Input<string> }
  | { secret: pulumi.Input<string> }
  | { generateValue: true }
  | { fromDatabase: { database: RenderPostgres; property: DatabaseLinkProperty } }
  | { fromKeyValue: { keyValue: RenderKeyValue; property: "connectionString" } }
  | { fromService: "url" };

/** Each field of a schema's input as a Pulumi input; homomorphic, so each keeps its JSDoc. */
type InputsOf<T> = { [K in keyof T]: pulumi.Input<Exclude<T[K], undefined>> };

/**
 * Arguments of a Render web service (fields and their JSDoc: schema.ts). render.yaml names and
 * spellings are accepted where noted. `ownerId` defaults to the stack config; env vars are typed sources.
 * `advice` words messages for the program (runtime/advice.ts): it names `adoptExisting` and `adoptId`.
 */
export type RenderWebServiceArgs = InputsOf<Omit<WebServiceFields, "ownerId" | "envVars">> &
  Partial<InputsOf<Pick<WebServiceFields, "ownerId">>> & {
    [K in keyof Pick<WebServiceFields, "envVars">]?: Record<string, EnvVarSource>;
  } & AdviceArgs;

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
    else if ("fromKeyValue" in source)
      out[key] = { kind: "linked", database: source.fromKeyValue.keyValue.id, property: "connectionString" };
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
