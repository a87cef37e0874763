/**
 * The fields of a Render PostgreSQL database, described once: validation, defaults, render.yaml
 * spellings and how each field behaves. `RenderPostgresArgs` (resource.ts), the provider's inputs
 * (`PostgresInputs`), the stack config's `arrakis:database`, the Blueprint conversion and the policy
 * pack's view are all derived from {@link postgresFields}.
 */
import { z } from "zod";
import { ipAllowListSchema } from "../runtime/ipAllowList";
import { environmentIdField } from "../runtime/environment";
import {
  apiPlanSpelling,
  postgresPlans,
  postgresVersions,
  regions,
  workspaceIdPattern,
} from "../render/enums";
import { allowed, identifierProblem, isUnknown, nameProblem, type InputFailure } from "../runtime/validation";

/**
 * How a field behaves, read by the code derived from the schema:
 * - `render`: a setting of the database on Render (drift is read back); otherwise the field tells the
 *   provider how to act (adopt, wait, allow a replacement) and Render never sees it;
 * - `replaces`: Render cannot change it in place (PATCH refuses it): a change replaces the database;
 * - `blueprint`: its render.yaml spelling, when it differs.
 */
export interface PostgresFieldMeta {
  render?: true;
  replaces?: true;
  blueprint?: string;
}

const meta = (m: PostgresFieldMeta) => m as Record<string, unknown>;
const bool = (what: string) => z.boolean({ error: `${what} must be true or false` });
const seconds = (def: number, max: number) =>
  z
    .number({ error: `must be a number of seconds from 0 to ${max}` })
    .min(0, { error: `must be a number of seconds from 0 to ${max}` })
    .max(max, { error: `must be a number of seconds from 0 to ${max}` })
    .default(def);
const refined = (problem: (v: string) => string | undefined) =>
  z.string({ error: "must be a string" }).superRefine((v, ctx) => {
    const found = problem(v);
    if (found) ctx.addIssue({ code: "custom", message: found });
  });

/** Every field of a RenderPostgres, in the order error messages list them. */
export const postgresFields = {
  /** Display name on Render, unique in the workspace (render.yaml `name`), e.g. `arrakis-prod-db`. */
  name: z
    .string({ error: "is required: the database's display name on Render" })
    .superRefine((v, ctx) => {
      const problem = nameProblem(v);
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    })
    .meta(meta({ render: true })),
  /** Workspace id `tea-…`. Default (in RenderPostgres): stack config `render:ownerId`. Immutable. */
  ownerId: z
    .string({
      error: "is required: a workspace id like tea-…; set it with `pulumi config set render:ownerId tea-…`",
    })
    .regex(workspaceIdPattern, {
      error: (i) =>
        `must be a Render workspace id like tea-d303qfodl3ps739p3e60 (got ${JSON.stringify(i.input)})`,
    })
    .meta(meta({ render: true, replaces: true })),
  /** Plan: `basic_256mb` (render.yaml `basic-256mb` is accepted), `pro_4gb`, … */
  plan: z
    .string({ error: `is required; allowed: ${allowed(postgresPlans)}` })
    .transform(apiPlanSpelling)
    .pipe(
      z.enum(postgresPlans, {
        error: (i) =>
          `${JSON.stringify(i.input)} is not a Render Postgres plan; allowed: ${allowed(postgresPlans)}`,
      }),
    )
    .meta(meta({ render: true })),
  /** PostgreSQL major version, `"11"`–`"18"` (a number works too; render.yaml `postgresMajorVersion`). Immutable. */
  version: z
    .union([z.string(), z.number()], { error: `is required; allowed: ${allowed(postgresVersions)}` })
    .transform((v) => String(v).trim())
    .pipe(
      z.enum(postgresVersions, {
        error: (i) =>
          `${JSON.stringify(i.input)} is not a supported PostgreSQL version; allowed: ${allowed(postgresVersions)}`,
      }),
    )
    .meta(meta({ render: true, replaces: true, blueprint: "postgresMajorVersion" })),
  /** Region: oregon, ohio, virginia, frankfurt or singapore. Default oregon. Immutable. */
  region: z
    .enum(regions, {
      error: (i) => `${JSON.stringify(i.input)} is not a Render region; allowed: ${allowed(regions)}`,
    })
    .default("oregon")
    .meta(meta({ render: true, replaces: true })),
  /** Database name; Render appends a random `_xxxx` suffix (not drift). Generated when absent. Immutable. */
  // Render's suffix takes 5 of the 63 bytes of a PostgreSQL identifier.
  databaseName: refined((v) => identifierProblem(v, 58))
    .optional()
    .meta(meta({ render: true, replaces: true })),
  /** Database user (render.yaml `user`). Generated when absent. Immutable. */
  databaseUser: refined(
    (v) =>
      identifierProblem(v, 63) ??
      (v === "postgres" || v.startsWith("pg_")
        ? "must not be 'postgres' or start with 'pg_' (reserved)"
        : undefined),
  )
    .optional()
    .meta(meta({ render: true, replaces: true, blueprint: "user" })),
  /**
   * Who may connect from outside Render. `[]` allows Render's private network only; `0.0.0.0/0`
   * allows everyone. render.yaml's `source` is accepted for `cidrBlock`.
   */
  ipAllowList: ipAllowListSchema.meta(meta({ render: true })),
  /** High availability (a standby); needs a pro_* or accelerated_* plan and PostgreSQL 13+. Default false. */
  highAvailability: bool("highAvailability")
    .default(false)
    .meta(meta({ render: true })),
  /** Disk size in GB; Render's plan default when absent. */
  diskSizeGB: z
    .number({ error: "must be a whole number of GB from 1 to 16384" })
    .int({ error: "must be a whole number of GB from 1 to 16384" })
    .min(1, { error: "must be a whole number of GB from 1 to 16384" })
    .max(16384, { error: "must be a whole number of GB from 1 to 16384" })
    .optional()
    .meta(meta({ render: true })),
  /**
   * Let Render grow the disk when it fills up (render.yaml `storageAutoscalingEnabled`). Absent: left as
   * it is on Render, so adopting a database never changes it unasked.
   */
  diskAutoscaling: bool("diskAutoscaling")
    .optional()
    .meta(meta({ render: true, blueprint: "storageAutoscalingEnabled" })),
  /**
   * Project environment `evm-…` the database belongs to (a RenderProject's `environmentId(name)`).
   * Absent: left where it is. A change moves it in place (its id and data stay), never a replace.
   */
  environmentId: environmentIdField(meta({ render: true })),
  /**
   * Adopt a database of the same name that already exists in the workspace instead of failing: the
   * first `pulumi up` takes it over and changes only what differs. (Pulumi's `import` resource option
   * fails for dynamic resources, pulumi/pulumi#16175: use this or `adoptId`.)
   */
  adoptExisting: bool("adoptExisting").default(false),
  /**
   * Adopt exactly this live database (`dpg-…`, from its dashboard URL) instead of creating one. It must
   * exist, be in the workspace and carry `name`; the first `pulumi up` changes only what differs.
   */
  adoptId: z
    .string({ error: 'must be a Render Postgres id like "dpg-…"' })
    .regex(/^dpg-[a-z0-9]+(-a)?$/, {
      error: 'must be a Render Postgres id like "dpg-…" (the dashboard URL has it)',
    })
    .optional(),
  /**
   * Allow a change of an immutable field (version, region, databaseName, databaseUser) to replace the
   * database: delete it, data and all, and create a new one. Default false: such a change fails the preview.
   */
  allowReplacement: bool("allowReplacement").default(false),
  /** How long create/update wait for `available`, in seconds. Default 1800. */
  waitTimeoutSeconds: seconds(1800, 86400),
  /** Longest pause between status polls while waiting, in seconds (the first comes after 1 s, then doubling). Default 8. */
  pollIntervalSeconds: seconds(8, 600),
};

/** The schema of a RenderPostgres's fields. */
export const postgresSchema = z.object(postgresFields);

/** Inputs of a Render Postgres database after `check`: normalised, API spellings. */
export type PostgresInputs = z.output<typeof postgresSchema>;

/** One IP allow list entry, API spelling. */
export type IpAllowEntry = PostgresInputs["ipAllowList"][number];

/** The arguments a user writes: every field, render.yaml spellings accepted where noted. */
export type PostgresArgsFields = z.input<typeof postgresSchema>;

/** The names of the fields whose metadata satisfies `test`, in schema order. */
export function postgresFieldsWhere(test: (m: PostgresFieldMeta) => boolean): (keyof PostgresInputs)[] {
  return (Object.keys(postgresFields) as (keyof PostgresInputs)[]).filter((key) =>
    test((postgresFields[key].meta() ?? {}) as PostgresFieldMeta),
  );
}

/** Fields that cannot change without replacing the database (PATCH refuses them). */
export const postgresImmutableFields = postgresFieldsWhere((m) => m.replaces === true);
/** Settings on Render a PATCH changes in place. */
export const postgresMutableFields = postgresFieldsWhere((m) => m.render === true && !m.replaces);
/** Options of the provider (adoption, waiting, replacement): Render never sees them. */
export const postgresProviderOptions = postgresFieldsWhere((m) => m.render !== true);

/** Each field's default, as `check` fills it in (absent: the field has none). */
export const postgresDefaults: Partial<PostgresInputs> = Object.fromEntries(
  Object.entries(postgresFields).flatMap(([key, field]) => {
    const byDefault = (field as z.ZodType).safeParse(undefined);
    return byDefault.success && byDefault.data !== undefined ? [[key, byDefault.data]] : [];
  }),
);

/**
 * render.yaml spellings -> ours: the renamed fields (`postgresMajorVersion`, `user`), `highAvailability:
 * {enabled}` and `ipAllowList[].source`. Empty values are absent values.
 */
export function fromBlueprintSpelling(raw: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...raw };
  for (const [field, schema] of Object.entries(postgresFields)) {
    const from = (schema.meta() as PostgresFieldMeta | undefined)?.blueprint;
    if (from === undefined) continue;
    if (out[from] !== undefined && out[field] === undefined) out[field] = out[from];
    delete out[from];
  }
  const ha = out.highAvailability;
  if (ha && typeof ha === "object" && !Array.isArray(ha))
    out.highAvailability = (ha as { enabled?: unknown }).enabled;
  if (Array.isArray(out.ipAllowList))
    out.ipAllowList = out.ipAllowList.map((e: unknown) => {
      if (!e || typeof e !== "object") return e;
      const { source, ...rest } = e as Record<string, unknown>;
      return rest.cidrBlock === undefined && source !== undefined ? { cidrBlock: source, ...rest } : e;
    });
  for (const key of Object.keys(out)) if (out[key] === null || out[key] === "") delete out[key];
  return out;
}

/** Rules between fields, on values already checked one by one (unknown values are skipped). */
export function postgresFieldRules(inputs: Record<string, unknown>): InputFailure[] {
  const failures: InputFailure[] = [];
  if (inputs.highAvailability !== true) return failures;
  const { plan, version } = inputs;
  if (typeof plan === "string" && !isUnknown(plan) && !/^(pro|accelerated)_/.test(plan))
    failures.push({
      property: "highAvailability",
      reason: `needs a pro_* or accelerated_* plan (plan is ${JSON.stringify(plan)})`,
    });
  if (typeof version === "string" && Number(version) < 13)
    failures.push({ property: "highAvailability", reason: "needs PostgreSQL 13 or later" });
  return failures;
}
