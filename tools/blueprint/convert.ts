/**
 * A validated Blueprint -> the arrakis stack's config (`render:ownerId`, `arrakis:database`,
 * `arrakis:service`, …), with everything the program cannot express listed field by field as a loss,
 * and the `pulumi config set --secret` lines the user must run. Pure: the live resources (if looked
 * up) come in as data. Never reads, invents or writes a secret value.
 */
import {
  checkPostgresInputs,
  diffPostgres,
  fromPostgres,
  type LivePostgres,
} from "../../components/postgres/mapping";
import {
  checkServiceInputs,
  diffService,
  envVarKeyPattern,
  predictedServiceUrl,
  type ServiceInputs,
} from "../../components/webService/mapping";
import {
  fromBlueprintSpelling,
  postgresFields,
  postgresFieldsWhere,
  postgresImmutableFields,
  postgresMutableFields,
  type PostgresFieldMeta,
  type PostgresInputs,
} from "../../components/postgres/schema";
import type { Postgres, Service } from "../../components/render/schemas";
import { webServiceFieldMeta, webServiceFieldsWhere } from "../../components/webService/schema";
import type { Blueprint, BlueprintDatabase, BlueprintService, Located } from "./validate";

/** Something the importer reports, located in the Blueprint where it can be. */
export interface Finding {
  /** YAML path (`services[0].domains`), or a name such as `live service` for facts from Render. */
  path: string;
  line?: number;
  message: string;
}

/** What was found on Render for the chosen resources (see lookup.ts). */
export interface LiveResources {
  /** The workspace the resources live in (or the only one the key can see). */
  ownerId?: string;
  database?: Postgres;
  service?: Service;
  /** Keys (never values) of the env vars set on the live service. */
  serviceEnvVarKeys?: string[];
}

/** Choices the Blueprint cannot carry. */
export interface ConvertOptions {
  /** Import this web service when the Blueprint has several. */
  serviceName?: string;
  /** Import this database when the Blueprint has several. */
  databaseName?: string;
  /** Workspace id for `render:ownerId` (wins over what the lookup found). */
  ownerId?: string;
  /** The Render API base URL to write as `render:apiUrl` (only when not Render's own). */
  apiUrl?: string;
  /** PostgreSQL extensions for the program to manage (a Blueprint cannot declare them). Default none. */
  extensions?: string[];
  /** `arrakis:monthlyBudgetUsd`. */
  monthlyBudgetUsd?: number;
  /** Repository URL when the Blueprint relies on "the repo holding render.yaml". */
  repo?: string;
  /** Stack name, for the printed commands. */
  stack?: string;
  /**
   * How the stack adopts live resources: `name` (default) writes `adoptExisting: true`, so the first
   * `pulumi up` takes over the resource of that name; `importId` writes the id as `importId`, so it
   * takes over exactly that object (the providers' `adoptId`; Pulumi's own `import` option fails for
   * dynamic resources, pulumi/pulumi#16175).
   */
  adoptWith?: "name" | "importId";
}

function adopt(config: Record<string, unknown>, id: string, how: ConvertOptions["adoptWith"] = "name"): void {
  if (how === "importId") config.importId = id;
  else config.adoptExisting = true;
}

/** The result of a conversion: config to write, or errors; losses and notes either way. */
export interface Conversion {
  /** Stack config entries in file order (`namespace:key` -> value); empty when there are errors. */
  config: Record<string, unknown>;
  /** Problems that stop the import (nothing is written). */
  errors: Finding[];
  /** Blueprint content the program would not carry: non-zero exit unless accepted. */
  losses: Finding[];
  /** Defaults chosen, live differences and other facts worth reading. */
  notes: string[];
  /** Commands the user runs to set secrets (values never included). */
  secretCommands: string[];
  /** The resources imported. */
  chosen: { service?: Located<BlueprintService>; database?: Located<BlueprintDatabase> };
}

/** Env vars the program's `RenderApp` wires itself (app/app.ts), and how. */
const wiredEnvVars = {
  DATABASE_URL: "fromDatabase connectionString of the stack's database",
  DIRECT_URL: "fromDatabase connectionString of the stack's database",
  NODE_ENV: "the plain value production",
  NEXTAUTH_SECRET: "a value Render generates once",
  NEXTAUTH_URL: "the service's own URL",
  OPENAI_API_KEY: "the secret arrakis:openaiApiKey",
} as const;
type WiredKey = keyof typeof wiredEnvVars;

const nativeRuntimes = ["node", "python", "elixir", "go", "ruby", "rust"];

/**
 * render.yaml keys the conversion reads itself: the service's type, and the render.yaml spellings of
 * autoDeploy and pullRequestPreviews (`autoDeployOf`, `previewsOf`).
 */
const convertedServiceKeys = ["type", "autoDeployTrigger", "pullRequestPreviewsEnabled", "previews"];

/**
 * Web service fields the program models, in render.yaml's spelling: RenderWebService's settings on
 * Render that render.yaml has (components/webService/schema.ts: `render`, `blueprint`), and the keys
 * read above. The rest of a web service's fields are losses.
 */
const modeledServiceFields = new Set([
  ...webServiceFieldsWhere((m) => m.render === true && m.blueprint !== false).flatMap((field) => {
    const { blueprint } = webServiceFieldMeta[field];
    return typeof blueprint === "string" ? [field, blueprint] : [field];
  }),
  ...convertedServiceKeys,
]);

/**
 * Database fields the program models, in render.yaml's spelling: RenderPostgres's settings on Render
 * (components/postgres/schema.ts), and `readReplicas`, which the conversion reports as lost.
 */
const modeledDatabaseFields = new Set([
  ...postgresMutableFields.map(blueprintName),
  ...postgresImmutableFields.filter((f) => f !== "ownerId").map(blueprintName),
  "readReplicas",
]);

/** A RenderPostgres field's name in render.yaml. */
function blueprintName(field: keyof typeof postgresFields): string {
  return (postgresFields[field].meta() as PostgresFieldMeta | undefined)?.blueprint ?? field;
}

/** Database fields the conversion writes itself, with defaults from the live database and notes. */
const convertedWithNotes = new Set(["name", "ownerId", "plan", "version", "region", "ipAllowList"]);

/** Why a whole service cannot be the stack's web service, or undefined when it can. */
export function unsupportedServiceReason(s: BlueprintService): string | undefined {
  const runtime = s.runtime ?? s.env;
  const kinds: Record<string, string> = {
    pserv: "private services",
    worker: "background workers",
    cron: "cron jobs",
    keyvalue: "Key Value instances",
    redis: "Key Value (redis) instances",
  };
  if (kinds[s.type]) return `${kinds[s.type]} are not modeled by the program`;
  if (runtime === "static") return "static sites are not modeled by the program";
  if (runtime === "docker" || runtime === "image")
    return `${runtime} web services are not supported by the program yet (native runtimes only)`;
  if (runtime === undefined || !nativeRuntimes.includes(runtime))
    return `runtime ${runtime} is not supported`;
  return undefined;
}

/** Picks the web service and the database to import (the program models one of each). */
export function chooseResources(
  bp: Blueprint,
  options: Pick<ConvertOptions, "serviceName" | "databaseName">,
): { service?: Located<BlueprintService>; database?: Located<BlueprintDatabase>; errors: Finding[] } {
  const errors: Finding[] = [];
  let service: Located<BlueprintService> | undefined;
  if (options.serviceName !== undefined) {
    service = bp.services.find((s) => s.value.name === options.serviceName);
    if (!service)
      errors.push({ path: "services", message: `no service named ${JSON.stringify(options.serviceName)}` });
    else {
      const reason = unsupportedServiceReason(service.value);
      if (reason) {
        errors.push({
          path: service.path,
          line: bp.lines.get(service.path),
          message: `cannot be imported: ${reason}`,
        });
        service = undefined;
      }
    }
  } else {
    service = bp.services.find((s) => unsupportedServiceReason(s.value) === undefined);
    if (!service)
      errors.push({
        path: "services",
        message:
          "no web service the program can manage (type web with a native runtime: node, python, go, ruby, rust, elixir); " +
          "the program needs exactly one database and one web service",
      });
  }
  let database: Located<BlueprintDatabase> | undefined;
  if (options.databaseName !== undefined) {
    database = bp.databases.find((d) => d.value.name === options.databaseName);
    if (!database)
      errors.push({
        path: "databases",
        message: `no database named ${JSON.stringify(options.databaseName)}`,
      });
  } else {
    const linked = service?.value.envVars?.find((e) => e.fromDatabase)?.fromDatabase?.name;
    database = bp.databases.find((d) => d.value.name === linked) ?? bp.databases[0];
    if (!database)
      errors.push({
        path: "databases",
        message:
          "the Blueprint declares no database; the program needs exactly one database and one web service",
      });
  }
  return { service, database, errors };
}

function lineOf(bp: Blueprint, path: string): number | undefined {
  for (let p = path; p;) {
    const line = bp.lines.get(p);
    if (line !== undefined) return line;
    const parent = p.replace(/(\.[^.[\]]+|\[\d+\])$/, "");
    if (parent === p) break;
    p = parent;
  }
  return undefined;
}

/** A bare address in an allow list means that one host: Render's reading, UNCONFIRMED; we make it explicit. */
function toCidr(source: string): string {
  if (source.includes("/")) return source;
  return source.includes(":") ? `${source}/128` : `${source}/32`;
}

/** Converts a validated Blueprint (and, optionally, what Render has live) into stack config. */
export function convertBlueprint(
  bp: Blueprint,
  options: ConvertOptions = {},
  live: LiveResources = {},
): Conversion {
  const losses: Finding[] = [];
  const notes: string[] = [];
  const lose = (path: string, message: string) => losses.push({ path, line: lineOf(bp, path), message });
  const { service, database, errors } = chooseResources(bp, options);
  const stackFlag = options.stack ? ` --stack ${options.stack}` : "";
  const secretCommands = [
    `pulumi config set --secret render:apiKey <Render API key>${stackFlag}`,
    `pulumi config set --secret arrakis:openaiApiKey <OpenAI API key>${stackFlag}`,
  ];
  const result = (config: Record<string, unknown>): Conversion => ({
    config: errors.length > 0 ? {} : config,
    errors,
    // In file order; findings from Render (no line) last.
    losses: losses.sort((a, b) => (a.line ?? Number.MAX_SAFE_INTEGER) - (b.line ?? Number.MAX_SAFE_INTEGER)),
    notes,
    secretCommands,
    chosen: { service, database },
  });
  if (!service || !database) return result({});

  reportOtherContent(bp, service, database, lose);

  // ---- the database
  const db = database.value;
  const dbPath = database.path;
  const liveDb = live.database;
  const dbConfig: Record<string, unknown> = { name: db.name };
  dbConfig.plan = (db.plan ?? liveDb?.plan ?? "basic_256mb").replace(/_/g, "-");
  if (db.plan === undefined)
    notes.push(
      liveDb
        ? `${dbPath}.plan is not set: kept the live plan ${liveDb.plan}, as a Blueprint sync would`
        : `${dbPath}.plan is not set: wrote basic-256mb, Render's default for a new database`,
    );
  if (db.postgresMajorVersion !== undefined) dbConfig.version = db.postgresMajorVersion;
  else if (liveDb) {
    dbConfig.version = liveDb.version;
    notes.push(`${dbPath}.postgresMajorVersion is not set: wrote the live version ${liveDb.version}`);
  } else {
    // Render uses "the most recent supported version" (17 when its docs were read); a wrong guess makes
    // the program refuse to replace the database rather than change it, so it fails safe.
    dbConfig.version = "17";
    notes.push(
      `${dbPath}.postgresMajorVersion is not set: wrote "17" (Render's documented default); check it against the live database`,
    );
  }
  dbConfig.region = db.region ?? liveDb?.region ?? "oregon";
  if (db.ipAllowList !== undefined) {
    dbConfig.ipAllowList = db.ipAllowList.map((e, i) => {
      const cidrBlock = toCidr(e.source);
      if (cidrBlock !== e.source)
        notes.push(`${dbPath}.ipAllowList[${i}].source ${e.source} is a single address: wrote ${cidrBlock}`);
      return { cidrBlock, description: e.description ?? "" };
    });
  } else if (liveDb) {
    dbConfig.ipAllowList = liveDb.ipAllowList.map((e) => ({
      cidrBlock: e.cidrBlock,
      description: e.description ?? "",
    }));
    notes.push(
      `${dbPath}.ipAllowList is not set: wrote the live allow list (${liveDb.ipAllowList.length} entries)`,
    );
  } else {
    // A Blueprint without ipAllowList allows every source (Render's Blueprint reference); the program's
    // own default is private-only, so write the open list explicitly to keep live access unchanged.
    dbConfig.ipAllowList = [{ cidrBlock: "0.0.0.0/0", description: "everywhere" }];
    notes.push(
      `${dbPath}.ipAllowList is not set: a Blueprint then allows every source, so wrote 0.0.0.0/0; narrow it if you can`,
    );
  }
  // Every other setting as render.yaml has it, in our spelling; a schema default is left out.
  const spelled = fromBlueprintSpelling(db as unknown as Record<string, unknown>);
  for (const field of postgresFieldsWhere((m) => m.render === true)) {
    if (convertedWithNotes.has(field) || spelled[field] === undefined) continue;
    const byDefault = postgresFields[field].safeParse(undefined);
    if (byDefault.success && JSON.stringify(byDefault.data) === JSON.stringify(spelled[field])) continue;
    dbConfig[field] = spelled[field];
  }
  // In the schema's order, as the stack file shows them.
  const order = Object.keys(postgresFields);
  const sorted = Object.keys(dbConfig).sort((a, b) => order.indexOf(a) - order.indexOf(b));
  for (const key of sorted) {
    const value = dbConfig[key];
    delete dbConfig[key];
    dbConfig[key] = value;
  }
  dbConfig.extensions = options.extensions ?? [];
  if ((options.extensions ?? []).length === 0)
    notes.push(
      "a Blueprint cannot enable PostgreSQL extensions: the stack manages none (pass --extension vector for pgvector)",
    );
  dbConfig.protect = true;
  for (const field of Object.keys(db)) {
    const path = `${dbPath}.${field}`;
    if (!modeledDatabaseFields.has(field)) {
      const why: Record<string, string> = {
        previewPlan: "preview environments are not modeled",
        previewDiskSizeGB: "preview environments are not modeled",
      };
      lose(path, `${why[field] ?? "not modeled by the program"}: the value would be lost`);
    }
  }
  if (db.readReplicas && db.readReplicas.length > 0)
    lose(
      `${dbPath}.readReplicas`,
      `read replicas are not modeled: ${db.readReplicas.map((r) => r.name).join(", ")} would not be managed`,
    );
  if (liveDb) adopt(dbConfig, liveDb.id, options.adoptWith);

  // ---- the web service
  const s = service.value;
  const sPath = service.path;
  const liveSvc = live.service;
  const svcConfig: Record<string, unknown> = { name: s.name };
  svcConfig.plan = s.plan ?? liveSvc?.serviceDetails.plan ?? "starter";
  svcConfig.region = s.region ?? liveSvc?.serviceDetails.region ?? "oregon";
  svcConfig.runtime = s.runtime ?? s.env;
  const repo = s.repo ?? liveSvc?.repo ?? options.repo;
  if (repo === undefined)
    errors.push({
      path: `${sPath}.repo`,
      line: lineOf(bp, sPath),
      message:
        "is not set (Render then uses the repository holding render.yaml): pass --repo <https URL>, or an API key to read it from the live service",
    });
  // Render stores the repository without ".git" (and so does Pulumi.prod.yaml).
  else svcConfig.repo = repo.replace(/\.git$/, "");
  const branch = s.branch ?? (liveSvc?.branch || undefined);
  if (branch !== undefined) svcConfig.branch = branch;
  const rootDir = s.rootDir ?? (liveSvc?.rootDir || undefined);
  if (rootDir !== undefined && rootDir !== "") svcConfig.rootDir = rootDir;
  svcConfig.autoDeploy = autoDeployOf(s, sPath, liveSvc, lose, notes);
  if (s.buildCommand !== undefined) svcConfig.buildCommand = s.buildCommand;
  if (s.startCommand !== undefined) svcConfig.startCommand = s.startCommand;
  if (s.preDeployCommand !== undefined) svcConfig.preDeployCommand = s.preDeployCommand;
  // No healthCheckPath in a Blueprint means no health check; the program's default is "/".
  svcConfig.healthCheckPath = s.healthCheckPath ?? liveSvc?.serviceDetails.healthCheckPath ?? "";
  const numInstances = s.numInstances ?? liveSvc?.serviceDetails.numInstances;
  if (numInstances !== undefined && (s.numInstances !== undefined || numInstances !== 1))
    svcConfig.numInstances = numInstances;
  if (previewsOf(s, sPath, lose)) svcConfig.pullRequestPreviews = true;
  for (const field of Object.keys(s)) {
    if (modeledServiceFields.has(field)) continue;
    const why: Record<string, string> = {
      domains: `custom domains are not modeled: ${((s.domains as string[] | undefined) ?? []).join(", ")} would not be managed`,
      disk: "persistent disks are not modeled: the disk would not be managed",
      scaling: "autoscaling is not modeled: the settings would not be managed",
      maxShutdownDelaySeconds: "not modeled: Render's default (30 s) would not be enforced",
      buildFilter: "build filters are not modeled: the filter would not be managed",
      previewPlan: "preview environments are not modeled",
    };
    lose(
      `${sPath}.${field}`,
      why[field] ?? "not modeled by the program for a web service: the value would be lost",
    );
  }

  // ---- env vars
  const env: Record<string, string> = {};
  const seenWired = new Set<string>();
  const serviceUrls = new Set([predictedServiceUrl(s.name)]);
  if (liveSvc?.serviceDetails.url) serviceUrls.add(liveSvc.serviceDetails.url);
  (s.envVars ?? []).forEach((e, i) => {
    const path = `${sPath}.envVars[${i}]`;
    if (e.fromGroup !== undefined) {
      lose(
        `${path}.fromGroup`,
        `environment groups are not modeled: the vars of group ${e.fromGroup} would not be set`,
      );
      return;
    }
    const key = e.key as string;
    if (e.previewValue !== undefined) lose(`${path}.previewValue`, "preview environments are not modeled");
    if (key in wiredEnvVars) {
      seenWired.add(key);
      const wired = key as WiredKey;
      const matches =
        wired === "DATABASE_URL" || wired === "DIRECT_URL"
          ? e.fromDatabase?.name === db.name && e.fromDatabase.property === "connectionString"
          : wired === "NODE_ENV"
            ? e.value === "production"
            : wired === "NEXTAUTH_SECRET"
              ? e.generateValue === true
              : wired === "NEXTAUTH_URL"
                ? e.value !== undefined && serviceUrls.has(e.value.replace(/\/$/, ""))
                : e.sync === false;
      if (!matches)
        lose(
          path,
          `${key}: the program always sets it to ${wiredEnvVars[wired]}; the Blueprint's ${describeSource(e)} would be replaced`,
        );
      return;
    }
    if (!envVarKeyPattern.test(key)) {
      lose(
        path,
        `${key}: the program accepts env var keys of letters, digits and '_' only; it would not be set`,
      );
      return;
    }
    if (e.value !== undefined) env[key] = e.value;
    else if (e.sync === false)
      lose(
        path,
        `${key} (sync: false): the program has no place for other secret env vars yet, and it manages the whole set of env vars (one set by hand would be removed by pulumi up)`,
      );
    else
      lose(
        path,
        `${key}: ${describeSource(e)} is not modeled for other keys than the app's own; it would not be set`,
      );
  });
  for (const key of Object.keys(wiredEnvVars))
    if (!seenWired.has(key))
      notes.push(
        `the program also sets ${key} (${wiredEnvVars[key as WiredKey]}), which the Blueprint does not`,
      );
  if (Object.keys(env).length > 0) svcConfig.env = env;
  if (liveSvc) adopt(svcConfig, liveSvc.id, options.adoptWith);
  if (liveDb || liveSvc)
    notes.push(
      options.adoptWith === "importId"
        ? "pulumi preview lists the adopted resources as created: the first pulumi up takes over the live ones by id (importId), changing only what differs"
        : "pulumi preview lists the adopted resources as created: the first pulumi up takes over the live ones by name (adoptExisting), changing only what differs",
    );
  if (live.serviceEnvVarKeys) {
    const managed = new Set([...Object.keys(env), ...Object.keys(wiredEnvVars)]);
    for (const key of live.serviceEnvVarKeys)
      if (!managed.has(key))
        lose(
          `live service ${s.name}`,
          `env var ${key} is set on Render but not in the Blueprint: the program manages the whole set, so pulumi up would delete it`,
        );
  }

  // ---- the stack config, checked by the program's own input checks
  const config: Record<string, unknown> = {};
  const ownerId = options.ownerId ?? live.ownerId;
  if (ownerId !== undefined) config["render:ownerId"] = ownerId;
  else
    notes.push(
      `render:ownerId is not known: set it with \`pulumi config set render:ownerId tea-…${stackFlag}\``,
    );
  if (options.apiUrl !== undefined) config["render:apiUrl"] = options.apiUrl;
  if (options.monthlyBudgetUsd !== undefined)
    config["arrakis:monthlyBudgetUsd"] = String(options.monthlyBudgetUsd);
  config["arrakis:database"] = dbConfig;
  config["arrakis:service"] = svcConfig;
  checkAgainstProgram(config, ownerId, dbPath, sPath, errors, notes, live);
  return result(config);
}

function describeSource(e: {
  value?: string;
  generateValue?: boolean;
  sync?: boolean;
  fromDatabase?: unknown;
  fromService?: unknown;
}): string {
  if (e.value !== undefined) return "plain value";
  if (e.generateValue) return "generateValue";
  if (e.sync === false) return "sync: false (value entered by hand)";
  if (e.fromDatabase) return "fromDatabase link";
  if (e.fromService) return "fromService link";
  return "source";
}

function autoDeployOf(
  s: BlueprintService,
  path: string,
  live: Service | undefined,
  lose: (path: string, message: string) => void,
  notes: string[],
): boolean {
  if (s.autoDeployTrigger !== undefined) {
    if (s.autoDeployTrigger === "checksPass") {
      // Writing false is the safe side: no deploy the user did not ask for.
      lose(
        `${path}.autoDeployTrigger`,
        "checksPass is not modeled (only on/off): wrote autoDeploy false, manual deploys",
      );
      return false;
    }
    return s.autoDeployTrigger === "commit";
  }
  if (s.autoDeploy !== undefined) return s.autoDeploy;
  if (live?.autoDeploy !== undefined) return live.autoDeploy === "yes";
  notes.push(
    `${path}.autoDeployTrigger is not set: wrote autoDeploy true (Render's default, deploy on every commit)`,
  );
  return true;
}

function previewsOf(
  s: BlueprintService,
  path: string,
  lose: (path: string, message: string) => void,
): boolean {
  const generation = s.previews?.generation;
  if (s.previews?.numInstances !== undefined)
    lose(`${path}.previews.numInstances`, "preview environments are not modeled");
  if (s.previews?.plan !== undefined) lose(`${path}.previews.plan`, "preview environments are not modeled");
  if (generation === "manual") {
    lose(
      `${path}.previews.generation`,
      "manual pull request previews are not modeled (only automatic or off): wrote off",
    );
    return false;
  }
  if (generation !== undefined) return generation === "automatic";
  return s.pullRequestPreviewsEnabled === true;
}

/** Everything in the Blueprint besides the chosen database and service: each a loss. */
function reportOtherContent(
  bp: Blueprint,
  service: Located<BlueprintService>,
  database: Located<BlueprintDatabase>,
  lose: (path: string, message: string) => void,
): void {
  for (const s of bp.services) {
    if (s === service) continue;
    const reason = unsupportedServiceReason(s.value) ?? "the program models one web service per stack";
    lose(
      s.path,
      `service ${JSON.stringify(s.value.name)} (type ${s.value.type}): ${reason}; its fields ${Object.keys(s.value).join(", ")} would be lost`,
    );
  }
  for (const d of bp.databases) {
    if (d === database) continue;
    lose(
      d.path,
      `database ${JSON.stringify(d.value.name)}: the program models one database per stack; its fields ${Object.keys(d.value).join(", ")} would be lost`,
    );
  }
  const raw = bp.raw;
  const groupsAt = (groups: unknown, prefix: string) =>
    (Array.isArray(groups) ? groups : []).forEach((g: { name?: string; envVars?: unknown[] }, i) =>
      lose(
        `${prefix}envVarGroups[${i}]`,
        `environment group ${JSON.stringify(g.name)} (${g.envVars?.length ?? 0} vars): environment groups are not modeled`,
      ),
    );
  groupsAt(raw.envVarGroups, "");
  groupsAt((raw.ungrouped as { envVarGroups?: unknown } | undefined)?.envVarGroups, "ungrouped.");
  (Array.isArray(raw.projects) ? raw.projects : []).forEach(
    (p: { name?: string; environments?: Record<string, unknown>[] }, i) =>
      (p.environments ?? []).forEach((env, j) => {
        const prefix = `projects[${i}].environments[${j}]`;
        lose(
          prefix,
          `project ${JSON.stringify(p.name)} environment ${JSON.stringify(env.name)}: projects and environments are not modeled; resources would not be placed in it`,
        );
        for (const field of ["networking", "permissions"])
          if (env[field] !== undefined) lose(`${prefix}.${field}`, "environment settings are not modeled");
        groupsAt(env.envVarGroups, `${prefix}.`);
      }),
  );
  const previews = raw.previews as { generation?: string; expireAfterDays?: number } | undefined;
  if (previews?.generation !== undefined && previews.generation !== "off")
    lose("previews.generation", `preview environments (${previews.generation}) are not modeled`);
  if (previews?.expireAfterDays !== undefined)
    lose("previews.expireAfterDays", "preview environments are not modeled");
  if (raw.previewsEnabled === true) lose("previewsEnabled", "preview environments are not modeled");
  if (raw.previewsExpireAfterDays !== undefined)
    lose("previewsExpireAfterDays", "preview environments are not modeled");
}

/** Runs the program's own input checks on the result, and compares with the live resources. */
function checkAgainstProgram(
  config: Record<string, unknown>,
  ownerId: string | undefined,
  dbPath: string,
  sPath: string,
  errors: Finding[],
  notes: string[],
  live: LiveResources,
): void {
  // Only to run the checks when the owner is not known yet; never written.
  const owner = ownerId ?? "tea-unknown";
  const {
    extensions: _e,
    protect: _p,
    importId: _i,
    adoptExisting: _a,
    ...db
  } = config["arrakis:database"] as Record<string, unknown>;
  const {
    env: _env,
    importId: _si,
    adoptExisting: _sa,
    ...svc
  } = config["arrakis:service"] as Record<string, unknown>;
  const pg = checkPostgresInputs({ ...db, ownerId: owner });
  for (const f of pg.failures)
    errors.push({
      path: `${dbPath} (arrakis:database.${f.property})`,
      message: `the program would refuse it: ${f.reason}`,
    });
  const web = checkServiceInputs({ ...svc, ownerId: owner, envVars: {} });
  for (const f of web.failures)
    errors.push({
      path: `${sPath} (arrakis:service.${f.property})`,
      message: `the program would refuse it: ${f.reason}`,
    });
  if (pg.failures.length === 0 && live.database) {
    const desired = pg.inputs as unknown as PostgresInputs;
    const diff = diffPostgres(desired, live.database as LivePostgres);
    const now = fromPostgres(live.database as LivePostgres, desired);
    for (const field of diff.replaced.filter((f) => f !== "ownerId"))
      notes.push(
        `live database ${live.database.id}: ${field} is ${JSON.stringify(now[field as keyof PostgresInputs])} on Render but ${JSON.stringify(desired[field as keyof PostgresInputs])} in the Blueprint; it cannot change in place, so the program will refuse to adopt it until they agree`,
      );
    for (const field of diff.changed)
      notes.push(
        `live database ${live.database.id}: ${field} differs (Render ${JSON.stringify(now[field as keyof PostgresInputs])}, Blueprint ${JSON.stringify(desired[field as keyof PostgresInputs])}); the first pulumi up applies the Blueprint's`,
      );
  }
  if (web.failures.length === 0 && live.service) {
    const desired = { ...(web.inputs as unknown as ServiceInputs) };
    const diff = diffService(desired, live.service);
    for (const field of [...diff.replaced.filter((f) => f !== "ownerId"), ...diff.changed])
      notes.push(
        `live service ${live.service.id}: ${field} differs from the Blueprint; the first pulumi up ${diff.replaced.includes(field) ? "would have to replace the service" : "applies the Blueprint's"}`,
      );
  }
}
