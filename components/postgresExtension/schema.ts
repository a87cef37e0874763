/**
 * The one description of a `PostgresExtension`'s fields: what each means (JSDoc, shown on
 * `PostgresExtensionArgs`), how it is validated and its default. `PostgresExtensionArgs`,
 * `PostgresExtensionInputs` and `checkPostgresExtensionInputs` (the provider's `check`) derive from it.
 */
import { z } from "zod";
import { isUnknown, type InputFailure } from "../runtime/validation";

const identifier = /^[a-z_][a-z0-9_]{0,62}$/;

/** A `PostgresExtension`'s fields, one property each, with its validation and default. */
export const postgresExtensionFields = {
  /** Extension name. Default `vector` (pgvector). */
  extension: z
    .string({
      error: (i) =>
        `must be an extension name such as "vector" (lowercase letters, digits, '_'), got ${JSON.stringify(i.input)}`,
    })
    .regex(identifier, {
      error: (i) =>
        `must be an extension name such as "vector" (lowercase letters, digits, '_'), got ${JSON.stringify(i.input)}`,
    })
    .default("vector"),
  /** Connection string with rights to create extensions (secret). Give this or `postgresId`. */
  connectionString: z
    .string({ error: "must be a postgresql:// connection string" })
    .regex(/^postgres(ql)?:\/\//, { error: "must be a postgresql:// connection string" })
    .optional(),
  /**
   * Or the Render Postgres id (`dpg-…`, e.g. a RenderPostgres's `id`): the provider reads its external
   * connection string from Render when it connects, so no connection string is an input.
   */
  postgresId: z
    .string({ error: (i) => `must be a Render Postgres id like dpg-…-a, got ${JSON.stringify(i.input)}` })
    .regex(/^dpg-[a-z0-9]+(-[a-z])?$/, {
      error: (i) => `must be a Render Postgres id like dpg-…-a, got ${JSON.stringify(i.input)}`,
    })
    .optional(),
  /**
   * Drop the extension when this resource is deleted. Default false, because dropping `vector` fails
   * or destroys data that uses it; the drop never cascades.
   */
  dropOnDelete: z.boolean({ error: "must be true or false" }).default(false),
};

/** The schema of an extension's fields. */
export const postgresExtensionSchema = z.object(postgresExtensionFields);

/** The type of the extension schema. */
export type PostgresExtensionSchema = typeof postgresExtensionSchema;

/** Inputs after `check`: exactly one of `connectionString` and `postgresId`. */
export type PostgresExtensionInputs = z.output<PostgresExtensionSchema>;

/** An extension's inputs as a user gives them, before defaults. */
export type PostgresExtensionFields = z.input<PostgresExtensionSchema>;

/**
 * Validates an extension's inputs field by field and fills in defaults; unknown values (preview) pass
 * through. Exactly one of `connectionString` and `postgresId` must be given. A bad value is kept as
 * given and only reported.
 */
export function checkPostgresExtensionInputs(raw: Record<string, unknown>): {
  inputs: PostgresExtensionInputs;
  failures: InputFailure[];
} {
  const failures: InputFailure[] = [];
  const shape = postgresExtensionFields;
  // A null option is its default; a null connectionString or postgresId is given, and wrong.
  const given = (key: keyof typeof shape) =>
    key === "connectionString" || key === "postgresId" ? raw[key] : (raw[key] ?? undefined);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(shape) as (keyof typeof shape)[]) {
    const value = given(key);
    if (key === "connectionString" && (value === undefined) === (raw.postgresId === undefined))
      failures.push({
        property: "connectionString",
        reason: "give either connectionString or postgresId (one of them)",
      });
    if (isUnknown(value)) {
      out[key] = value;
      continue;
    }
    const result = (shape[key] as z.ZodType).safeParse(value);
    if (result.success) {
      if (result.data !== undefined) out[key] = result.data;
    } else {
      out[key] = value;
      for (const issue of result.error.issues) failures.push({ property: key, reason: issue.message });
    }
  }
  return { inputs: out as PostgresExtensionInputs, failures };
}
