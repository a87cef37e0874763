/**
 * What every service resource class shares (`RenderWebService`, `RenderPrivateService`,
 * `RenderBackgroundWorker`, `RenderCronJob`): typed env var sources, the Args shape derived from a
 * kind's schema, and the base class with the outputs every kind reports.
 */
import * as pulumi from "@pulumi/pulumi";
import type { DatabaseLinkProperty } from "../render/enums";
import type { KeyValueLinkProperty } from "./schema";
import type { RenderPostgres } from "../postgres/resource";
import type { RenderKeyValue } from "../keyValue/resource";
import type { AdviceArgs } from "../runtime/advice";
import { packagedProvider } from "../runtime/package";
import type { ProviderKind } from "../providers";
import { serviceSecretOutputs } from "./provider";

/**
 * One env var's source, the typed equivalent of a render.yaml `envVars` entry:
 * - a string or `{ value }`: a plain value, shown in previews;
 * - `{ secret }`: a secret value (e.g. from `config.requireSecret`), never shown;
 * - `{ generateValue: true }`: Render generates a 256-bit base64 value once, and it is then kept;
 * - `{ fromDatabase: { database, property } }`: linked to a RenderPostgres (render.yaml `fromDatabase`);
 *   `connectionString` is the internal one, as on Render; read from Render by the provider, never stored;
 * - `{ fromKeyValue: { keyValue, property } }`: a RenderKeyValue's internal URL (`connectionString`) or its
 *   `host`, `port` or `hostport` (render.yaml `fromService` of `type: keyvalue`), read from Render like a
 *   database's, never stored;
 * - `{ fromService: "url" }`: a web service's own public URL (e.g. NEXTAUTH_URL), kept equal to it
 *   (render.yaml: a link to the service's own `RENDER_EXTERNAL_URL`);
 * - `{ fromService: "hostname" }`: that URL's host name, kept equal to it (render.yaml: a link to the
 *   service's own `RENDER_EXTERNAL_HOSTNAME`).
 */
export type EnvVarSource =
  | pulumi.Input<string>
  | { value: pulumi.Input<string> }
  | { secret: pulumi.Input<string> }
  | { generateValue: true }
  | { fromDatabase: { database: RenderPostgres; property: DatabaseLinkProperty } }
  | { fromKeyValue: { keyValue: RenderKeyValue; property: KeyValueLinkProperty } }
  | { fromService: "url" | "hostname" };

/** Each field of a schema's input as a Pulumi input; homomorphic, so each keeps its JSDoc. */
type InputsOf<T> = { [K in keyof T]: pulumi.Input<Exclude<T[K], undefined>> };

/**
 * Arguments of a service kind from its schema's input type `Fields` (each field a `pulumi.Input`, its
 * JSDoc kept): `ownerId` defaults to the stack config, env vars are typed sources, and `advice` words
 * messages for the program (runtime/advice.ts: it names `adoptExisting` and `adoptId`).
 */
export type ServiceArgsOf<Fields extends { ownerId?: unknown; envVars?: unknown }> = InputsOf<
  Omit<Fields, "ownerId" | "envVars">
> &
  Partial<InputsOf<Pick<Fields, "ownerId">>> & {
    [K in keyof Pick<Fields, "envVars">]?: Record<string, EnvVarSource>;
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
    else if ("fromService" in source)
      out[key] = { kind: source.fromService === "hostname" ? "serviceHostname" : "serviceUrl" };
    else if ("fromKeyValue" in source)
      out[key] = {
        kind: "linked",
        database: source.fromKeyValue.keyValue.id,
        property: source.fromKeyValue.property,
      };
    else
      out[key] = {
        kind: "linked",
        database: source.fromDatabase.database.id,
        property: source.fromDatabase.property,
      };
  }
  return out;
}

/** The outputs a service kind declares beyond those of {@link RenderServiceBase} (`url` of a web service). */
export interface ServiceResourceKind {
  /** The provider kind of the shim (providers.ts). */
  provider: ProviderKind;
  /** The type's last part: `pulumi-nodejs:dynamic/render:<type>`. */
  type: string;
  /** Outputs of this kind only, unknown until Render reports them (e.g. `url`). */
  outputs?: string[];
}

/** What every service resource reports: the outputs common to all kinds. */
export abstract class RenderServiceBase extends pulumi.dynamic.Resource {
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
  /** Whether Render deploys on every push. */
  declare readonly autoDeploy: pulumi.Output<boolean>;
  /** The deploy Render started when it created the service. */
  declare readonly initialDeployId: pulumi.Output<string>;

  protected constructor(
    kind: ServiceResourceKind,
    name: string,
    args: { ownerId?: unknown; envVars?: Record<string, EnvVarSource>; suspended?: unknown },
    opts?: pulumi.CustomResourceOptions,
  ) {
    const ownerId = args.ownerId ?? new pulumi.Config("render").get("ownerId");
    const props = {
      ...args,
      ownerId,
      envVars: toEnvVarInputs(args.envVars ?? {}),
      ...Object.fromEntries((kind.outputs ?? []).map((key) => [key, undefined])),
      dashboardUrl: undefined,
      suspended: args.suspended ?? false,
      envVarKeys: undefined,
      generatedValues: undefined,
      initialDeployId: undefined,
    };
    super(
      packagedProvider(kind.provider),
      name,
      props,
      pulumi.mergeOptions(opts, { additionalSecretOutputs: serviceSecretOutputs }),
      "render",
      kind.type,
    );
  }
}
