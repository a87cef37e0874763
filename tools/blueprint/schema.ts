/**
 * The Render Blueprint (render.yaml) as a JSON Schema, following Render's Blueprint reference
 * (render.com/docs/blueprint-spec). Every map is closed (`additionalProperties: false`): a field Render
 * added later is reported as unknown rather than silently dropped.
 *
 * Plain JSON Schema (draft 2020-12 subset) plus three keywords that validate.ts registers with ajv:
 * - `planSpelling: true` rewrites a plan to the API spelling (`pro plus`, `pro-plus` → `pro_plus`)
 *   before `enum` checks it;
 * - `scalarText: true` accepts a number or boolean where Render reads text and keeps it as written
 *   (`postgresMajorVersion: 16` → "16"); anything else is not a string;
 * - `displayHyphens: true` (annotation) shows the allowed values in Blueprint's hyphenated spelling.
 */
import {
  databaseLinkProperties,
  keyValuePlans,
  maxmemoryPolicies,
  persistenceModes,
  postgresPlans,
  postgresVersions,
  regions,
  servicePlans,
  serviceRuntimes,
} from "../../components/render/enums";

/**
 * Every service type a Blueprint may declare (`redis` is Render's deprecated alias of `keyvalue`;
 * `workflow` is Render Workflows, seen in Render's own render-examples/trender of 2026).
 */
export const blueprintServiceTypes = [
  "web",
  "pserv",
  "worker",
  "cron",
  "keyvalue",
  "redis",
  "workflow",
] as const;
/** Blueprint runtimes: the API's plus `static` for static sites. */
export const blueprintRuntimes = [...serviceRuntimes, "static"] as const;

type Schema = Record<string, unknown>;

const str = { type: "string" };
/** A string with something other than blanks in it. */
const nonEmpty = { type: "string", pattern: "\\S" };
const bool = { type: "boolean" };
const text = { scalarText: true };
const int = (minimum: number, maximum?: number): Schema =>
  maximum === undefined ? { type: "integer", minimum } : { type: "integer", minimum, maximum };
const oneOf = (values: readonly string[]): Schema => ({ enum: [...values] });
const list = (items: Schema): Schema => ({ type: "array", items });
/** A definition shared by every place that declares it (compiled once). */
const ref = (name: string): Schema => ({ $ref: `#/$defs/${name}` });
const map = (properties: Record<string, Schema>, required?: string[]): Schema => ({
  type: "object",
  properties,
  ...(required ? { required } : {}),
  additionalProperties: false,
});

const region = oneOf(regions);
/** A Key Value's plan is one of Key Value's plans, a service's of the services'. */
const servicePlan = { planSpelling: true, ...oneOf([...new Set([...servicePlans, ...keyValuePlans])]) };
/** A value whose render.yaml spelling is hyphenated (`allkeys-lru`), the API's underscored. */
const hyphenated = (values: readonly string[]): Schema => ({
  planSpelling: true,
  displayHyphens: true,
  ...oneOf(values),
});
const databasePlan = { planSpelling: true, displayHyphens: true, ...oneOf(postgresPlans) };
const previewGeneration = oneOf(["off", "manual", "automatic"]);
const enabledDisabled = oneOf(["enabled", "disabled"]);
const strList = list(str);
const ipAllowList = list(map({ source: nonEmpty, description: str }, ["source"]));
const registryCreds = map({ fromRegistryCreds: map({ name: nonEmpty }, ["name"]) }, ["fromRegistryCreds"]);

const envVar = map({
  key: nonEmpty,
  value: text,
  generateValue: bool,
  sync: bool,
  previewValue: text,
  // Dashboard annotations of a var (Render's templates of 2025-26): shown on the deploy form only.
  displayName: str,
  description: str,
  sensitive: bool,
  fromDatabase: map({ name: nonEmpty, property: oneOf(databaseLinkProperties) }, ["name", "property"]),
  fromService: map(
    {
      name: nonEmpty,
      type: oneOf(blueprintServiceTypes),
      property: oneOf(["host", "port", "hostport", "connectionString"]),
      envVarKey: nonEmpty,
    },
    ["name", "type"],
  ),
  fromGroup: nonEmpty,
});

const service = map(
  {
    type: oneOf(blueprintServiceTypes),
    name: nonEmpty,
    runtime: oneOf(blueprintRuntimes),
    env: oneOf(blueprintRuntimes),
    plan: servicePlan,
    previewPlan: servicePlan,
    region,
    repo: nonEmpty,
    branch: nonEmpty,
    rootDir: str,
    buildCommand: str,
    startCommand: str,
    preDeployCommand: str,
    // Runs once, after the first successful deploy (render-examples/dify-render-template).
    initialDeployHook: str,
    schedule: nonEmpty,
    healthCheckPath: str,
    numInstances: int(1, 100),
    maxShutdownDelaySeconds: int(1, 300),
    autoDeploy: bool,
    autoDeployTrigger: oneOf(["commit", "off", "checksPass"]),
    pullRequestPreviewsEnabled: bool,
    previews: map({ generation: previewGeneration, numInstances: int(1, 100), plan: servicePlan }),
    domains: strList,
    scaling: map(
      {
        minInstances: int(1, 100),
        maxInstances: int(1, 100),
        targetMemoryPercent: int(1, 90),
        targetCPUPercent: int(1, 90),
      },
      ["minInstances", "maxInstances"],
    ),
    disk: map({ name: nonEmpty, mountPath: nonEmpty, sizeGB: int(1) }, ["name", "mountPath"]),
    buildFilter: map({ paths: strList, ignoredPaths: strList }),
    dockerCommand: str,
    dockerfilePath: str,
    dockerContext: str,
    registryCredential: registryCreds,
    image: map({ url: nonEmpty, creds: registryCreds }, ["url"]),
    staticPublishPath: nonEmpty,
    headers: list(map({ path: nonEmpty, name: nonEmpty, value: text }, ["path", "name", "value"])),
    routes: list(
      map({ type: oneOf(["redirect", "rewrite"]), source: nonEmpty, destination: nonEmpty }, [
        "type",
        "source",
        "destination",
      ]),
    ),
    ipAllowList,
    maxmemoryPolicy: hyphenated(maxmemoryPolicies),
    persistenceMode: hyphenated(persistenceModes),
    maintenanceMode: map({ enabled: bool, uri: str }),
    renderSubdomainPolicy: enabledDisabled,
    envVars: list(ref("envVar")),
  },
  ["type", "name"],
);

const database = map(
  {
    name: nonEmpty,
    plan: databasePlan,
    previewPlan: databasePlan,
    postgresMajorVersion: { scalarText: true, ...oneOf(postgresVersions) },
    region,
    databaseName: nonEmpty,
    user: nonEmpty,
    ipAllowList,
    highAvailability: map({ enabled: bool }, ["enabled"]),
    diskSizeGB: int(1),
    previewDiskSizeGB: int(1),
    storageAutoscalingEnabled: bool,
    readReplicas: list(map({ name: nonEmpty }, ["name"])),
  },
  ["name"],
);

const envVarGroup = map({ name: nonEmpty, envVars: list(ref("envVar")) }, ["name"]);

/** Where resources may be declared: the root, `ungrouped`, and each project environment. */
const resources = {
  services: list(ref("service")),
  databases: list(ref("database")),
  envVarGroups: list(ref("envVarGroup")),
};

/** The whole Blueprint file. */
export const blueprintSchema: Schema = {
  $defs: { envVar, service, database, envVarGroup },
  ...map({
    // The Blueprint format's version (Render's templates write "1").
    version: text,
    ...resources,
    projects: list(
      map(
        {
          name: nonEmpty,
          environments: list(
            map(
              {
                name: nonEmpty,
                ...resources,
                networking: map({ isolation: enabledDisabled }),
                permissions: map({ protection: enabledDisabled }),
              },
              ["name"],
            ),
          ),
        },
        ["name", "environments"],
      ),
    ),
    ungrouped: map(resources),
    previews: map({ generation: previewGeneration, expireAfterDays: int(1) }),
    previewsEnabled: bool,
    previewsExpireAfterDays: int(1),
  }),
};
