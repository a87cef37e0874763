/**
 * The fields of a credential rotation of a Render PostgreSQL database, described once: the new
 * Render-managed user (`RenderPostgresCredential`) and the step that deletes the users it replaced once
 * the apps have moved to it (`RetiredPostgresCredentials`). Their Args types, the providers' inputs and
 * `check` derive from these.
 *
 * Render's rules for a username are UNCONFIRMED (its docs name none; the OpenAPI spec only says
 * `username: string`): the names made here are the safe subset the emulator and PostgreSQL both accept,
 * lowercase letters, digits and `_`, starting with a letter or `_`, at most 63 characters.
 */
import { z } from "zod";
import { checkFields, isUnknown, unknownSentinel, type InputFailure } from "../runtime/validation";
import { stableHash } from "../runtime/hashing";

const idError = (i: { input: unknown }) =>
  `must be a Render Postgres id like dpg-…-a, got ${JSON.stringify(i.input)}`;
const postgresId = z.string({ error: idError }).regex(/^dpg-[a-z0-9]+(-[a-z])?$/, { error: idError });
const userError = (i: { input: unknown }) =>
  `must be a PostgreSQL user name (lowercase letters, digits and '_', starting with a letter or '_', at most 63), got ${JSON.stringify(i.input)}`;
const databaseUser = z.string({ error: userError }).regex(/^[a-z_][a-z0-9_]{0,62}$/, { error: userError });
const seconds = (def: number, max: number) =>
  z
    .number({ error: `must be a number of seconds from 0 to ${max}` })
    .min(0, { error: `must be a number of seconds from 0 to ${max}` })
    .max(max, { error: `must be a number of seconds from 0 to ${max}` })
    .default(def);

/** A `RenderPostgresCredential`'s fields, one property each, with its validation and default. */
export const postgresCredentialFields = {
  /** The database (`dpg-…`, a RenderPostgres's `id`). A change makes a user in the other database. */
  postgresId,
  /**
   * The database's own user (a RenderPostgres's `liveDatabaseUser`): the new user's name is made from it
   * and the label, and the users a rotation replaces are this one and earlier rotations' users.
   */
  databaseUser,
  /**
   * The rotation's label: any new label makes a new user (e.g. a date, `2026-12-05`). The same label
   * always names the same user, so a retried or resumed `pulumi up` finds it instead of making another.
   */
  rotation: z
    .string({ error: "must be a label such as a date, e.g. 2026-12-05" })
    .trim()
    .min(1, { error: "must be a label such as a date, e.g. 2026-12-05 (not empty)" })
    .max(100, { error: "must be at most 100 characters" }),
  /**
   * What the program does between making the user and deleting the old ones, one line each (e.g.
   * `move service web's DATABASE_URL to it`), for the preview's list of steps. Only words messages:
   * never a change, never sent to Render.
   */
  steps: z
    .array(z.string({ error: "must be a list of lines" }), { error: "must be a list of lines" })
    .default([]),
  /** How long to wait for Render to make the user the default one. Default 300. */
  waitTimeoutSeconds: seconds(300, 3600),
  /** Pause between polls while waiting. Default 2. */
  pollIntervalSeconds: seconds(2, 60),
};

/** A `RetiredPostgresCredentials`'s fields. */
export const retiredPostgresCredentialsFields = {
  /** The database (`dpg-…`). */
  postgresId,
  /** The database's own user, as for the credential: this one and earlier rotations' users are retired. */
  databaseUser,
  /** The user that stays: the rotation's new user (a RenderPostgresCredential's `username`). */
  keep: databaseUser,
};

/** The inputs of a credential after `check`: its fields and the user's name made from them. */
export type PostgresCredentialInputs = z.output<z.ZodObject<typeof postgresCredentialFields>> & {
  /** The new user's name (made by {@link rotatedUsername}). */
  username: string;
};
/** A credential's fields as a user gives them, before defaults. */
export type PostgresCredentialFields = z.input<z.ZodObject<typeof postgresCredentialFields>>;
/** The inputs of the retirement step after `check`. */
export type RetiredPostgresCredentialsInputs = z.output<z.ZodObject<typeof retiredPostgresCredentialsFields>>;
/** The retirement step's fields as a user gives them. */
export type RetiredPostgresCredentialsFields = z.input<z.ZodObject<typeof retiredPostgresCredentialsFields>>;

/** A rotation's suffix: `_r` and 8 hex digits of the label's hash. */
const rotationSuffix = /_r[0-9a-f]{8}$/;
const MAX_USER = 63;

/**
 * The user a database's users are named after: `databaseUser` without a rotation's suffix (should Render
 * report the default user as the database's user once it changed: UNCONFIRMED, the emulator does not).
 */
export function baseUsername(databaseUser: string): string {
  return databaseUser.replace(rotationSuffix, "");
}

/**
 * The user a rotation makes: the database's user (cut to fit), `_r` and 8 hex digits of the label's
 * sha256, e.g. `arrakis_prod_user_r1f2e3d4c`. Deterministic: the same label names the same user.
 */
export function rotatedUsername(databaseUser: string, rotation: string): string {
  const suffix = `_r${stableHash(rotation.trim()).slice(0, 8)}`;
  return `${baseUsername(databaseUser).slice(0, MAX_USER - suffix.length)}${suffix}`;
}

/**
 * True for a user a rotation replaces: the database's own user, or an earlier rotation's user (its name
 * and a rotation's suffix), but never `keep`. Users made another way (by hand, other names) are left alone.
 */
export function isRetirable(username: string, databaseUser: string, keep: string): boolean {
  if (username === keep) return false;
  const base = baseUsername(databaseUser);
  if (username === base || username === databaseUser) return true;
  return (
    rotationSuffix.test(username) && username.replace(rotationSuffix, "") === base.slice(0, MAX_USER - 10)
  );
}

/**
 * Validates a credential's inputs field by field (each failure names its property and what is allowed) and
 * adds the user's name. Values not known during a preview pass through, and so does the name then.
 */
export function checkPostgresCredentialInputs(raw: Record<string, unknown>): {
  inputs: PostgresCredentialInputs;
  failures: InputFailure[];
} {
  const { username: _made, ...given } = raw;
  const { inputs, failures } = checkFields(postgresCredentialFields, given, "RenderPostgresCredential");
  const known = !isUnknown(inputs.databaseUser) && !isUnknown(inputs.rotation);
  const username =
    failures.length === 0 && known
      ? rotatedUsername(inputs.databaseUser as string, inputs.rotation as string)
      : unknownSentinel;
  return { inputs: { ...inputs, username } as PostgresCredentialInputs, failures };
}

/** Validates the retirement step's inputs field by field. */
export function checkRetiredPostgresCredentialsInputs(raw: Record<string, unknown>): {
  inputs: RetiredPostgresCredentialsInputs;
  failures: InputFailure[];
} {
  const { inputs, failures } = checkFields(
    retiredPostgresCredentialsFields,
    raw,
    "RetiredPostgresCredentials",
  );
  return { inputs: inputs as RetiredPostgresCredentialsInputs, failures };
}
