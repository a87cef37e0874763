/**
 * The arrakis stack's configuration: read from Pulumi stack config and validated with zod, so a
 * missing or wrong key fails with the key's name and the command that sets it. Pure: takes a reader.
 */
import { z } from "zod";
import type { AppEnvValue } from "./app";
import { allowed, propertyPath } from "../components/runtime/validation";
import { databaseLinkProperties, workspaceIdPattern } from "../components/render/enums";
import { deployFields, healthCheckFields } from "../components/deploy/schema";
import { fromBlueprintSpelling, postgresFieldRules, postgresFields } from "../components/postgres/schema";
import { postgresMonthlyUsd, priceTable, webServiceMonthlyUsd } from "./prices";
import { serviceFieldRules } from "../components/webService/mapping";
import { webServiceFields } from "../components/webService/schema";
import { apiKeyProblem } from "../components/runtime/config";
import { postgresCredentialFields } from "../components/postgresCredential/schema";

/** Reads one config value: `namespace:key` -> raw string (JSON for structured values) or undefined. */
export type ConfigReader = (namespace: string, key: string) => string | undefined;

/** A config problem: which key, and how to set it. */
export class StackConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`the stack configuration is not valid:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "StackConfigError";
  }
}

function envValueProblem(value: unknown): { path: string[]; message: string } | undefined {
  const shapes = "a string, {fromDatabase: {property}} or {generateValue: true}";
  if (typeof value === "string") return undefined;
  if (!value || typeof value !== "object" || Array.isArray(value))
    return { path: [], message: `must be ${shapes} (got ${JSON.stringify(value)})` };
  const v = value as Record<string, unknown>;
  const keys = Object.keys(v);
  if (keys.length === 1 && keys[0] === "generateValue")
    return v.generateValue === true ? undefined : { path: ["generateValue"], message: "must be true" };
  if (keys.length === 1 && keys[0] === "fromDatabase") {
    const link = v.fromDatabase as Record<string, unknown> | null;
    if (!link || typeof link !== "object")
      return {
        path: ["fromDatabase"],
        message: `must be {property}; property is one of ${allowed(databaseLinkProperties)}`,
      };
    const extra = Object.keys(link).filter((k) => k !== "property" && k !== "name");
    if (extra.length > 0)
      return {
        path: ["fromDatabase"],
        message: `unknown key(s) ${extra.join(", ")}; allowed: name, property`,
      };
    if (!(databaseLinkProperties as readonly unknown[]).includes(link.property))
      return {
        path: ["fromDatabase", "property"],
        message: `${JSON.stringify(link.property)} is not a database property; allowed: ${allowed(databaseLinkProperties)}`,
      };
    return undefined;
  }
  return { path: [], message: `must be ${shapes} (got keys ${keys.join(", ") || "none"})` };
}

/** The database fields a stack sets: all of RenderPostgres's but the workspace and the adopted id. */
const { ownerId: _ownerId, adoptId: _adoptId, ...databaseFields } = postgresFields;
/** The service fields a stack sets: all of RenderWebService's but the workspace, the adopted id and envVars. */
const { ownerId: _sOwnerId, adoptId: _sAdoptId, envVars: _envVars, ...serviceFields } = webServiceFields;
/** The deploy fields a stack sets: all of RenderDeploy's but the service and the trigger (the app's). */
const {
  serviceId: _serviceId,
  trigger: _trigger,
  healthCheck: _healthCheck,
  ...deploySettings
} = deployFields;

function schemas() {
  return {
    // RenderPostgres's own fields (components/postgres/schema.ts), validated by the same schemas, with
    // render.yaml's spellings; the workspace is render:ownerId, adoption by id is `importId`.
    database: z.preprocess(
      (raw) =>
        raw && typeof raw === "object" && !Array.isArray(raw)
          ? fromBlueprintSpelling(raw as Record<string, unknown>)
          : raw,
      z
        .object({
          ...databaseFields,
          extensions: z
            .array(
              z.string().regex(/^[a-z_][a-z0-9_]*$/, {
                error: (i) =>
                  `${JSON.stringify(i.input)} is not an extension name; use a PostgreSQL extension name such as "vector" (lowercase letters, digits, '_')`,
              }),
            )
            .default(["vector"]),
          protect: z.boolean().default(true),
          // A label: each new one rotates the database's credentials (a new Render-managed user, the
          // service moved to it and deployed, then the old user deleted); absent: never rotated.
          // A YAML number (`credentialsRotation: 2`) is a label too.
          credentialsRotation: z
            .preprocess((v) => (typeof v === "number" ? String(v) : v), postgresCredentialFields.rotation)
            .optional(),
          // Adoption is the providers' own (adoptId / adoptExisting): Pulumi's `import` resource option fails
          // for dynamic resources (pulumi/pulumi#16175). importId: the live object with this id.
          importId: z.string().optional(),
        })
        .strict(),
    ),
    // RenderWebService's own fields (components/webService/schema.ts), validated by the same schemas;
    // the env vars are the app's `env` (below), the workspace is render:ownerId, adoption by id is `importId`.
    service: z
      .object({
        ...serviceFields,
        // The app's default (render.yaml's seed): Render probes `/`; the resource's own default is none.
        healthCheckPath: serviceFields.healthCheckPath.default("/"),
        // A plain value, or render.yaml's `fromDatabase` (the app's database) or `generateValue`.
        env: z
          .record(z.string(), z.unknown())
          .default({})
          .superRefine((env, ctx) => {
            for (const [key, value] of Object.entries(env)) {
              const problem = envValueProblem(value);
              if (problem)
                ctx.addIssue({ code: "custom", path: [key, ...problem.path], message: problem.message });
            }
          })
          .transform((env) => env as Record<string, AppEnvValue>),
        // Adoption is the providers' own (adoptId / adoptExisting): Pulumi's `import` resource option fails
        // for dynamic resources (pulumi/pulumi#16175). importId: the live object with this id.
        importId: z.string().optional(),
      })
      .strict(),
    // RenderDeploy's own fields (components/deploy/schema.ts), validated by the same schemas, with the
    // same defaults; `arrakis:deployLatest` (a top-level key, for `pulumi up -c`) sets `release` too.
    deploy: z
      .object({ ...deploySettings, healthCheck: z.object(healthCheckFields).strict().prefault({}) })
      .strict(),
    migrations: z
      .object({
        appDir: z.string().min(1),
        command: z.string().min(1).default("npm run db:deploy"),
        migrationsDir: z.string().min(1).default("prisma/migrations"),
        timeoutMs: z.number().int().positive().optional(),
      })
      .strict(),
  };
}

/** The schema of `<namespace>:deploy` (RenderDeploy's settings but the service and trigger). */
export function deploySettingsSchema() {
  return schemas().deploy;
}

/** The deploy settings of a stack (`<namespace>:deploy`), defaults filled in. */
export type DeploySettings = z.infer<ReturnType<typeof schemas>["deploy"]>;

/** The validated configuration of one arrakis stack. */
export interface ArrakisConfig {
  /** Workspace id (`render:ownerId`). */
  ownerId: string;
  /** Database settings (`arrakis:database`). */
  database: z.infer<ReturnType<typeof schemas>["database"]>;
  /** Web service settings (`arrakis:service`). */
  service: z.infer<ReturnType<typeof schemas>["service"]>;
  /** How `pulumi up` deploys the service (`arrakis:deploy`); defaults when absent. */
  deploy: z.infer<ReturnType<typeof schemas>["deploy"]>;
  /** The app's migrations (`arrakis:migrations`); absent: no migration step. */
  migrations?: z.infer<ReturnType<typeof schemas>["migrations"]>;
  /** Monthly budget in USD (`arrakis:monthlyBudgetUsd`), if any. */
  monthlyBudgetUsd?: number;
}

const setHints: Record<string, string> = {
  "render:apiKey": "pulumi config set --secret render:apiKey <key>",
  "render:ownerId": "pulumi config set render:ownerId tea-…",
  "arrakis:openaiApiKey": "pulumi config set --secret arrakis:openaiApiKey sk-…",
  "arrakis:database": "pulumi config set --path arrakis:database.name arrakis-prod-db (see Pulumi.prod.yaml)",
  "arrakis:service": "pulumi config set --path arrakis:service.name arrakis-prod (see Pulumi.prod.yaml)",
  "arrakis:monthlyBudgetUsd": "pulumi config set arrakis:monthlyBudgetUsd 12",
  "arrakis:deploy": "pulumi config set --path arrakis:deploy.commit <sha> (see Pulumi.prod.yaml)",
  "arrakis:migrations": "pulumi config set --path arrakis:migrations.appDir ../arrakis (the app's checkout)",
};

/**
 * Validates the stack config. Secrets (`render:apiKey`, `arrakis:openaiApiKey`) are only checked for
 * presence here; their values are read as secrets by the caller and never held in this object.
 */
export function readStackConfig(read: ConfigReader): ArrakisConfig {
  const problems: string[] = [];
  const hint = (key: string) => (setHints[key] ? `; set it with \`${setHints[key]}\`` : "");
  const required = (ns: string, key: string) => {
    const value = read(ns, key);
    if (value === undefined || value === "") problems.push(`${ns}:${key} is missing${hint(`${ns}:${key}`)}`);
    return value;
  };
  const ownerId = readRenderSettings(read, required, problems);
  required("arrakis", "openaiApiKey");

  const s = schemas();
  const structured = <T>(
    key: "database" | "service" | "deploy" | "migrations",
    schema: z.ZodType<T>,
    optional = false,
    adjust: (value: unknown) => unknown = (value) => value,
  ): T | undefined => {
    const raw = optional
      ? (read("arrakis", key) ?? (key === "deploy" ? "{}" : undefined))
      : required("arrakis", key);
    if (raw === undefined) return undefined;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      problems.push(`arrakis:${key} must be an object (structured config)${hint(`arrakis:${key}`)}`);
      return undefined;
    }
    const parsed = schema.safeParse(adjust(value));
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const where = propertyPath(`arrakis:${key}`, issue.path);
        problems.push(
          issue.code === "unrecognized_keys"
            ? `${where}: unknown key(s) ${issue.keys.join(", ")}; allowed: ${allowedKeys(schema, issue.path).join(", ")}`
            : `${where}: ${issue.message}`,
        );
      }
      return undefined;
    }
    return parsed.data;
  };
  const database = structured("database", s.database);
  const service = structured("service", s.service);
  // "Deploy latest commit": `pulumi up -c arrakis:deployLatest=<label>`, one flat key a command line can set.
  const deployLatest = read("arrakis", "deployLatest");
  const deploy = structured("deploy", s.deploy, true, (value) =>
    deployLatest !== undefined &&
    deployLatest !== "" &&
    value &&
    typeof value === "object" &&
    !Array.isArray(value)
      ? { ...value, release: deployLatest }
      : value,
  );
  const migrations = structured("migrations", s.migrations, true);

  // The resources' own checks, run here too: every problem of the program's config is reported at once,
  // before any resource exists (and before pricing looks up a plan that is only a typo).
  if (database)
    problems.push(...postgresFieldRules(database).map((f) => `arrakis:database.${f.property}: ${f.reason}`));
  if (service) problems.push(...serviceProblems(service, database?.name));

  let monthlyBudgetUsd: number | undefined;
  const budget = read("arrakis", "monthlyBudgetUsd");
  if (budget !== undefined) {
    monthlyBudgetUsd = Number(budget);
    if (!Number.isFinite(monthlyBudgetUsd) || monthlyBudgetUsd < 0)
      problems.push(`arrakis:monthlyBudgetUsd must be a number of dollars (got ${JSON.stringify(budget)})`);
  }
  if (problems.length > 0 || !database || !service || !deploy) throw new StackConfigError(problems);
  return { ownerId, database, service, deploy, ...(migrations ? { migrations } : {}), monthlyBudgetUsd };
}

/**
 * The `render:` settings every stack has: the API key (present and well formed; its value is never kept),
 * the workspace id, and the API URL when set. Answers the workspace id; problems go to `problems`.
 */
export function readRenderSettings(
  read: ConfigReader,
  required: (ns: string, key: string) => string | undefined,
  problems: string[],
): string {
  const apiKey = required("render", "apiKey");
  const keyProblem = apiKey ? apiKeyProblem(apiKey) : undefined;
  if (keyProblem) problems.push(keyProblem);
  const ownerId = required("render", "ownerId") ?? "";
  if (ownerId && !workspaceIdPattern.test(ownerId))
    problems.push(
      `render:ownerId must be a workspace id like tea-d303qfodl3ps739p3e60 (got ${JSON.stringify(ownerId)})`,
    );
  const apiUrl = read("render", "apiUrl");
  if (apiUrl !== undefined && !/^https?:\/\/[^\s]+$/.test(apiUrl))
    problems.push(
      `render:apiUrl must be an http(s) URL such as https://api.render.com/v1 (got ${JSON.stringify(apiUrl)})`,
    );
  return ownerId;
}

/** The keys an object schema (at `path` inside `schema`) takes, for "unknown key" messages. */
function allowedKeys(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let current: unknown = schema;
  const unwrap = (s: unknown): unknown => {
    for (;;) {
      const def = (s as { def?: { type?: string; innerType?: unknown; in?: unknown; out?: unknown } }).def;
      if (["default", "prefault", "optional", "nullable"].includes(def?.type ?? "")) s = def?.innerType;
      // A preprocess is a pipe from a transform: the keys are the output's.
      else if (def?.type === "pipe")
        s = (def.in as { def?: { type?: string } }).def?.type === "transform" ? def.out : def.in;
      else return s;
    }
  };
  for (const key of path) {
    const shape = (unwrap(current) as { shape?: Record<string, unknown> }).shape;
    current = shape?.[String(key)];
  }
  return Object.keys((unwrap(current) as { shape?: Record<string, unknown> }).shape ?? {});
}

/** The env vars the app sets itself (app.ts), which `arrakis:service.env` cannot override. */
export const appWiredEnvKeys = [
  "DATABASE_URL",
  "DIRECT_URL",
  "NODE_ENV",
  "NEXTAUTH_SECRET",
  "NEXTAUTH_URL",
  "OPENAI_API_KEY",
] as const;

/** What RenderWebService checks beyond single fields, and the app's rules for `env`, as `arrakis:service.…` lines. */
function serviceProblems(
  service: z.infer<ReturnType<typeof schemas>["service"]>,
  databaseName: string | undefined,
): string[] {
  const out = serviceFieldRules(service).map((f) => `arrakis:service.${f.property}: ${f.reason}`);
  // The keys, by the service's own envVars schema (each value's shape was checked above).
  const keys = webServiceFields.envVars.safeParse(
    Object.fromEntries(Object.keys(service.env).map((key) => [key, { kind: "plain", value: "" }])),
  );
  if (!keys.success)
    for (const issue of keys.error.issues)
      out.push(`${propertyPath("arrakis:service.env", issue.path)}: ${issue.message}`);
  for (const key of Object.keys(service.env))
    if ((appWiredEnvKeys as readonly string[]).includes(key))
      out.push(
        `arrakis:service.env.${key}: is set by the app itself (${appWiredEnvKeys.join(", ")}); remove it from arrakis:service.env`,
      );
  for (const [key, v] of Object.entries(service.env))
    if (
      typeof v === "object" &&
      "fromDatabase" in v &&
      v.fromDatabase.name !== undefined &&
      v.fromDatabase.name !== databaseName
    )
      out.push(
        `arrakis:service.env.${key}.fromDatabase.name: the app has one database, ${JSON.stringify(databaseName)}; ` +
          `got ${JSON.stringify(v.fromDatabase.name)} (or leave name out)`,
      );
  return out;
}

/** Monthly cost of a stack from its plans, with the price table's source; fails when a plan has no price. */
export function monthlyCost(config: ArrakisConfig): { totalUsd: number; lines: string[]; source: string } {
  const db = postgresMonthlyUsd(config.database.plan, config.database.highAvailability);
  const web = webServiceMonthlyUsd(config.service.plan, config.service.numInstances);
  const unknown = [
    db === undefined ? `database plan ${config.database.plan.replace(/_/g, "-")}` : undefined,
    web === undefined ? `web service plan ${config.service.plan}` : undefined,
  ].filter((x): x is string => x !== undefined);
  if (unknown.length > 0)
    throw new Error(`no known price for ${unknown.join(" and ")}: add it to app/prices.ts`);
  return {
    totalUsd: (db ?? 0) + (web ?? 0),
    lines: [
      // render.yaml's spelling, as the stack file has it.
      `database ${config.database.plan.replace(/_/g, "-")}: $${db}`,
      `web service ${config.service.plan} x${config.service.numInstances}: $${web}`,
    ],
    source: priceTable.source,
  };
}

/** Fails when the stack would cost more than its budget: before anything is created. */
export function enforceBudget(config: ArrakisConfig): number {
  const cost = monthlyCost(config);
  if (config.monthlyBudgetUsd !== undefined && cost.totalUsd > config.monthlyBudgetUsd)
    throw new Error(
      `this stack would cost $${cost.totalUsd}/month (${cost.lines.join(", ")}; prices: ${cost.source}), over its ` +
        `budget of $${config.monthlyBudgetUsd} (arrakis:monthlyBudgetUsd). Choose smaller plans or raise the budget`,
    );
  return cost.totalUsd;
}
