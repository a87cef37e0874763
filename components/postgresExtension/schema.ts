/**
 * The one description of a `PostgresExtension`'s fields: what each means (JSDoc, shown on
 * `PostgresExtensionArgs`), how it is validated and its default. `PostgresExtensionArgs`,
 * `PostgresExtensionInputs` and `checkPostgresExtensionInputs` (the provider's `check`) derive from it.
 */
import { z } from "zod";
import { checkFields, type InputFailure } from "../runtime/validation";

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
 * Validates an extension's inputs with the runtime's field check and fills in defaults: a wrong value or
 * a key that is not an argument (a typo) is an error naming it and what is allowed; unknown values
 * (preview) pass through. Exactly one of `connectionString` and `postgresId` must be given.
 */
export function checkPostgresExtensionInputs(raw: Record<string, unknown>): {
  inputs: PostgresExtensionInputs;
  failures: InputFailure[];
} {
  // A null option is its default; a null connectionString or postgresId is given, and wrong.
  const values = Object.fromEntries(
    Object.entries(raw).filter(
      ([key, v]) => v !== undefined && (v !== null || key === "connectionString" || key === "postgresId"),
    ),
  );
  const { inputs, failures } = checkFields(postgresExtensionFields, values, "PostgresExtension");
  if ((values.connectionString === undefined) === (values.postgresId === undefined))
    failures.unshift({
      property: "connectionString",
      reason: "give either connectionString or postgresId (one of them)",
    });
  return { inputs: inputs as PostgresExtensionInputs, failures };
}
