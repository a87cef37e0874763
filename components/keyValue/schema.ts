/**
 * The fields of a Render Key Value (Valkey) instance, described once: validation, defaults, render.yaml
 * spellings and how each field behaves. `RenderKeyValueArgs` (resource.ts), the provider's inputs
 * (`KeyValueInputs`), the mapping and the policy's view are derived from {@link keyValueFields}.
 */
import { z } from "zod";
import { ipAllowListSchema } from "../runtime/ipAllowList";
import {
  apiPlanSpelling,
  keyValuePlans,
  maxmemoryPolicies,
  persistenceModes,
  regions,
  workspaceIdPattern,
} from "../render/enums";
import { allowed, isUnknown, nameProblem, type InputFailure } from "../runtime/validation";
import { environmentIdField } from "../runtime/environment";

/**
 * How a field behaves, read by the code derived from the schema:
 * - `render`: a setting of the instance on Render (drift is read back); otherwise the field tells the
 *   provider how to act (adopt, wait, allow a replacement) and Render never sees it;
 * - `replaces`: Render cannot change it in place (keyValuePATCHInput lacks it): a change replaces it;
 * - `blueprint`: its render.yaml spelling, when it differs.
 */
export interface KeyValueFieldMeta {
  render?: true;
  replaces?: true;
  blueprint?: string;
}

const meta = (m: KeyValueFieldMeta) => m as Record<string, unknown>;
const bool = (what: string) => z.boolean({ error: `${what} must be true or false` });
const seconds = (def: number, max: number) =>
  z
    .number({ error: `must be a number of seconds from 0 to ${max}` })
    .min(0, { error: `must be a number of seconds from 0 to ${max}` })
    .max(max, { error: `must be a number of seconds from 0 to ${max}` })
    .default(def);
/** An enum whose render.yaml and dashboard spellings (`allkeys-lru`, `Pro Plus`) are the API's too. */
const apiEnum = <T extends readonly [string, ...string[]]>(values: T, what: string) =>
  z
    .string({ error: `must be a string; allowed: ${allowed(values)}` })
    .transform(apiPlanSpelling)
    .pipe(
      z.enum(values, {
        error: (i) => `${JSON.stringify(i.input)} is not a Render ${what}; allowed: ${allowed(values)}`,
      }),
    );

/** Every field of a RenderKeyValue, in the order error messages list them. */
export const keyValueFields = {
  /** Display name on Render, unique in the workspace (render.yaml `name`), e.g. `arrakis-cache`. */
  name: z
    .string({ error: "is required: the Key Value's display name on Render" })
    .superRefine((v, ctx) => {
      const problem = nameProblem(v);
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    })
    .meta(meta({ render: true })),
  /** Workspace id `tea-…`. Default (in RenderKeyValue): stack config `render:ownerId`. Immutable. */
  ownerId: z
    .string({
      error: "is required: a workspace id like tea-…; set it with `pulumi config set render:ownerId tea-…`",
    })
    .regex(workspaceIdPattern, {
      error: (i) =>
        `must be a Render workspace id like tea-d303qfodl3ps739p3e60 (got ${JSON.stringify(i.input)})`,
    })
    .meta(meta({ render: true, replaces: true })),
  /** Plan: free, starter, standard, pro, pro_plus or custom (`pro-plus` is accepted). */
  plan: z
    .string({ error: `is required; allowed: ${allowed(keyValuePlans)}` })
    .transform(apiPlanSpelling)
    .pipe(
      z.enum(keyValuePlans, {
        error: (i) =>
          `${JSON.stringify(i.input)} is not a Render Key Value plan; allowed: ${allowed(keyValuePlans)}`,
      }),
    )
    .meta(meta({ render: true })),
  /** Region: oregon, ohio, virginia, frankfurt or singapore. Default oregon. Immutable. */
  region: z
    .enum(regions, {
      error: (i) => `${JSON.stringify(i.input)} is not a Render region; allowed: ${allowed(regions)}`,
    })
    .default("oregon")
    .meta(meta({ render: true, replaces: true })),
  /**
   * Project environment `evm-…` the instance belongs to (a RenderProject's `environmentId(name)`).
   * Absent: left where it is. A change moves it in place (its id and data stay), never a replace.
   */
  environmentId: environmentIdField(meta({ render: true })),
  /**
   * What Valkey evicts when memory is full: noeviction, allkeys_lru, allkeys_lfu, allkeys_random,
   * volatile_lru, volatile_lfu, volatile_random or volatile_ttl (render.yaml's `allkeys-lru` is
   * accepted). Absent: left as it is on Render (Render's default on create).
   */
  maxmemoryPolicy: apiEnum(maxmemoryPolicies, "maxmemory policy")
    .optional()
    .meta(meta({ render: true })),
  /**
   * How the data survives a restart: `journal_snapshot` (Render's default on paid plans), `snapshot`, or
   * `off` (a cache that may lose data). The free plan has no persistence. Absent: left as it is on Render,
   * and never sent (openapi.json lacks this field; Render's newer spec has it).
   */
  persistenceMode: apiEnum(persistenceModes, "persistence mode")
    .optional()
    .meta(meta({ render: true })),
  /**
   * Who may connect from outside Render. `[]` allows Render's private network only; `0.0.0.0/0`
   * allows everyone. render.yaml's `source` is accepted for `cidrBlock`.
   */
  ipAllowList: ipAllowListSchema.meta(meta({ render: true })),
  /**
   * Adopt a Key Value of the same name that already exists in the workspace instead of failing: the
   * first `pulumi up` takes it over and changes only what differs.
   */
  adoptExisting: bool("adoptExisting").default(false),
  /**
   * Adopt exactly this live instance (`red-…`, from its dashboard URL) instead of creating one. It must
   * exist, be in the workspace and carry `name`; the first `pulumi up` changes only what differs.
   */
  adoptId: z
    .string({ error: 'must be a Render Key Value id like "red-…"' })
    .regex(/^red-[a-z0-9]+$/, {
      error: 'must be a Render Key Value id like "red-…" (the dashboard URL has it)',
    })
    .optional(),
  /**
   * Allow a change of an immutable field (ownerId, region) to replace the instance: delete
   * it, data and all, and create a new one. Default false: such a change fails the preview.
   */
  allowReplacement: bool("allowReplacement").default(false),
  /** How long create/update wait for `available`, in seconds. Default 1800. */
  waitTimeoutSeconds: seconds(1800, 86400),
  /** Longest pause between status polls while waiting, in seconds (the first after 1 s, then doubling). Default 8. */
  pollIntervalSeconds: seconds(8, 600),
};

/** The schema of a RenderKeyValue's fields. */
export const keyValueSchema = z.object(keyValueFields);

/** Inputs of a Render Key Value after `check`: normalised, API spellings. */
export type KeyValueInputs = z.output<typeof keyValueSchema>;

/** One IP allow list entry, API spelling. */
export type KeyValueIpAllowEntry = KeyValueInputs["ipAllowList"][number];

/** The arguments a user writes: every field, render.yaml spellings accepted where noted. */
export type KeyValueArgsFields = z.input<typeof keyValueSchema>;

/** The names of the fields whose metadata satisfies `test`, in schema order. */
export function keyValueFieldsWhere(test: (m: KeyValueFieldMeta) => boolean): (keyof KeyValueInputs)[] {
  return (Object.keys(keyValueFields) as (keyof KeyValueInputs)[]).filter((key) =>
    test((keyValueFields[key].meta() ?? {}) as KeyValueFieldMeta),
  );
}

/** Fields that cannot change without replacing the instance (PATCH has no such field). */
export const keyValueImmutableFields = keyValueFieldsWhere((m) => m.replaces === true);
/** Settings on Render a PATCH changes in place. */
export const keyValueMutableFields = keyValueFieldsWhere((m) => m.render === true && !m.replaces);
/** Options of the provider (adoption, waiting, replacement): Render never sees them. */
export const keyValueProviderOptions = keyValueFieldsWhere((m) => m.render !== true);

/** Each field's default, as `check` fills it in (absent: the field has none). */
export const keyValueDefaults: Partial<KeyValueInputs> = Object.fromEntries(
  Object.entries(keyValueFields).flatMap(([key, field]) => {
    const byDefault = (field as z.ZodType).safeParse(undefined);
    return byDefault.success && byDefault.data !== undefined ? [[key, byDefault.data]] : [];
  }),
);

/** render.yaml spellings -> ours: `ipAllowList[].source`; empty values are absent values. */
export function fromKeyValueBlueprintSpelling(raw: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...raw };
  for (const [field, schema] of Object.entries(keyValueFields)) {
    const from = (schema.meta() as KeyValueFieldMeta | undefined)?.blueprint;
    if (from === undefined) continue;
    if (out[from] !== undefined && out[field] === undefined) out[field] = out[from];
    delete out[from];
  }
  if (Array.isArray(out.ipAllowList))
    out.ipAllowList = out.ipAllowList.map((e: unknown) => {
      if (!e || typeof e !== "object") return e;
      const { source, ...rest } = e as Record<string, unknown>;
      return rest.cidrBlock === undefined && source !== undefined ? { cidrBlock: source, ...rest } : e;
    });
  for (const key of Object.keys(out)) if (out[key] === null || out[key] === "") delete out[key];
  return out;
}

/**
 * Rules between fields, on values already checked one by one (unknown values are skipped): free
 * instances have no persistence (Render's newer spec), so a free plan takes only `persistenceMode: off`.
 */
export function keyValueFieldRules(inputs: Record<string, unknown>): InputFailure[] {
  const { plan, persistenceMode } = inputs;
  if (plan !== "free" || typeof persistenceMode !== "string" || isUnknown(persistenceMode)) return [];
  if (persistenceMode === "off") return [];
  return [
    {
      property: "persistenceMode",
      reason: `the free plan has no persistence: use "off" (or leave it out), or a paid plan (got ${JSON.stringify(persistenceMode)})`,
    },
  ];
}
