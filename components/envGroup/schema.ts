/**
 * The fields of a Render environment group, described once: validation, defaults, render.yaml spellings
 * and how each field behaves. `RenderEnvGroupArgs` (resource.ts), the provider's inputs (`EnvGroupInputs`)
 * and the mapping are derived from {@link envGroupFields}. Values and file contents are secrets end to end:
 * the resource passes them as secret inputs, and no message of the provider shows one.
 */
import { z } from "zod";
import { fieldDefaults, fieldsWhere } from "../runtime/schemaMeta";
import { workspaceIdPattern } from "../render/enums";
import { nameProblem } from "../runtime/validation";
import { environmentIdField } from "../runtime/environment";

/**
 * How a field behaves, read by the code derived from the schema:
 * - `render`: a setting of the group on Render (drift is read back); otherwise the field tells the
 *   provider how to act and Render never sees it;
 * - `replaces`: Render cannot change it in place (envGroupPATCHInput has only `name`);
 * - `blueprint`: its render.yaml spelling, when it differs.
 */
export interface EnvGroupFieldMeta {
  render?: true;
  replaces?: true;
  blueprint?: string;
}

const meta = (m: EnvGroupFieldMeta) => m as Record<string, unknown>;
const bool = (what: string) => z.boolean({ error: `${what} must be true or false` });

/** Env var keys: letters, digits and `_`, not starting with a digit (Render's exact rule is UNCONFIRMED). */
export const envVarKeyPattern = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Secret file names: a file name without `/`, at most 255 characters (UNCONFIRMED, the safe side). */
export const secretFileNamePattern = /^(?!\.{1,2}$)[^/]{1,255}$/;

/** One env var: a value, or `generateValue: true` (Render makes a random 256-bit base64 value once). */
const envVarValue = z
  .union(
    [
      z.object({ value: z.string({ error: "must be a string" }) }).strict(),
      z.object({ generateValue: z.literal(true, { error: "must be true" }) }).strict(),
    ],
    { error: "must be {value: string} or {generateValue: true}" },
  )
  .transform((v): { value: string } | { generateValue: true } =>
    "value" in v && typeof v.value === "string" ? { value: v.value } : { generateValue: true },
  );

/** Every field of a RenderEnvGroup, in the order error messages list them. */
export const envGroupFields = {
  /** Name on Render, unique in the workspace (render.yaml `envVarGroups[].name`; `fromGroup` names it). */
  name: z
    .string({ error: "is required: the env group's name on Render" })
    .superRefine((v, ctx) => {
      const problem = nameProblem(v);
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    })
    .meta(meta({ render: true })),
  /** Workspace id `tea-…`. Default (in RenderEnvGroup): stack config `render:ownerId`. Immutable. */
  ownerId: z
    .string({
      error: "is required: a workspace id like tea-…; set it with `pulumi config set render:ownerId tea-…`",
    })
    .regex(workspaceIdPattern, {
      error: (i) =>
        `must be a Render workspace id like tea-d303qfodl3ps739p3e60 (got ${JSON.stringify(i.input)})`,
    })
    .meta(meta({ render: true, replaces: true })),
  /**
   * Project environment `evm-…` the group belongs to (a RenderProject's `environmentId(name)`). Absent:
   * left where it is. A change moves it in place (its values and links stay), never a replace.
   */
  environmentId: environmentIdField(meta({ render: true })),
  /**
   * The whole set of env vars, by key: `{value}` or `{generateValue: true}` (made by Render once, never
   * regenerated). Keys set on Render but not here are removed by `pulumi up`. render.yaml's list
   * `[{key, value} | {key, generateValue: true}]` is accepted. Values are secrets.
   */
  envVars: z
    .record(
      z.string().regex(envVarKeyPattern, {
        error: "is not a valid env var key: use letters, digits and '_', not starting with a digit",
      }),
      envVarValue,
      {
        error: (i) =>
          i.code === "invalid_key"
            ? "is not a valid env var key: use letters, digits and '_', not starting with a digit"
            : "must be a map of env var key to {value} or {generateValue: true}",
      },
    )
    .default({})
    .meta(meta({ render: true })),
  /**
   * The whole set of secret files, by file name: their contents (secrets). Render mounts them at
   * `/etc/secrets/<name>` in every linked service. A list `[{name, content}]` is accepted.
   */
  secretFiles: z
    .record(
      z.string().regex(secretFileNamePattern, {
        error: "is not a valid secret file name: a file name without '/', at most 255 characters",
      }),
      z.string({ error: "must be the file's content, a string" }),
      {
        error: (i) =>
          i.code === "invalid_key"
            ? "is not a valid secret file name: a file name without '/', at most 255 characters"
            : "must be a map of file name to content",
      },
    )
    .default({})
    .meta(meta({ render: true })),
  /**
   * Adopt an env group of the same name that already exists in the workspace instead of failing: the
   * first `pulumi up` takes it over and changes only what differs.
   */
  adoptExisting: bool("adoptExisting").default(false),
  /**
   * Adopt exactly this live group (`evg-…`, from its dashboard URL) instead of creating one. It must
   * exist, be in the workspace and carry `name`; the first `pulumi up` changes only what differs.
   */
  adoptId: z
    .string({ error: 'must be a Render env group id like "evg-…"' })
    .regex(/^evg-[a-z0-9]+$/, {
      error: 'must be a Render env group id like "evg-…" (the dashboard URL has it)',
    })
    .optional(),
  /**
   * Allow a change of an immutable field (ownerId) to replace the group: delete it (its
   * generated values are lost, its services unlinked) and create a new one. Default false: such a change
   * fails the preview.
   */
  allowReplacement: bool("allowReplacement").default(false),
};

/** The schema of a RenderEnvGroup's fields. */
export const envGroupSchema = z.object(envGroupFields);

/** Inputs of a Render env group after `check`: normalised. */
export type EnvGroupInputs = z.output<typeof envGroupSchema>;

/** One env var after `check`. */
export type EnvGroupVar = EnvGroupInputs["envVars"][string];

/** The arguments a user writes: every field, render.yaml spellings accepted where noted. */
export type EnvGroupArgsFields = z.input<typeof envGroupSchema>;

/** The names of the fields whose metadata satisfies `test`, in schema order. */
export function envGroupFieldsWhere(test: (m: EnvGroupFieldMeta) => boolean): (keyof EnvGroupInputs)[] {
  return fieldsWhere<EnvGroupFieldMeta, keyof EnvGroupInputs>(envGroupFields, test);
}

/** Fields that cannot change without replacing the group. */
export const envGroupImmutableFields = envGroupFieldsWhere((m) => m.replaces === true);
/** Options of the provider (adoption, replacement): Render never sees them. */
export const envGroupProviderOptions = envGroupFieldsWhere((m) => m.render !== true);

/** Each field's default, as `check` fills it in (absent: the field has none). */
export const envGroupDefaults = fieldDefaults<EnvGroupInputs>(envGroupFields);

/**
 * render.yaml spellings -> ours: `envVars` as a list `[{key, value} | {key, generateValue}]` becomes the
 * map by key (a key listed twice is reported by its second position), `secretFiles` as a list
 * `[{name, content}]` likewise; empty values are absent values. Anything else is left for the check.
 */
export function fromEnvGroupBlueprintSpelling(raw: Record<string, unknown>): {
  values: Record<string, unknown>;
  failures: { property: string; reason: string }[];
} {
  const out: Record<string, unknown> = { ...raw };
  const failures: { property: string; reason: string }[] = [];
  const byKey = (field: string, keyName: string, valueOf: (e: Record<string, unknown>) => unknown) => {
    const list = out[field];
    if (!Array.isArray(list)) return;
    const map: Record<string, unknown> = {};
    list.forEach((e: unknown, i) => {
      if (!e || typeof e !== "object" || typeof (e as Record<string, unknown>)[keyName] !== "string") {
        failures.push({ property: `${field}[${i}]`, reason: `must be an object with a string ${keyName}` });
        return;
      }
      const entry = e as Record<string, unknown>;
      const key = entry[keyName] as string;
      if (key in map)
        failures.push({ property: `${field}[${i}].${keyName}`, reason: `${key} is listed twice` });
      map[key] = valueOf(entry);
    });
    out[field] = map;
  };
  byKey("envVars", "key", ({ key: _key, ...rest }) => rest);
  byKey("secretFiles", "name", (e) => e.content);
  for (const key of Object.keys(out)) if (out[key] === null || out[key] === "") delete out[key];
  return { values: out, failures };
}
