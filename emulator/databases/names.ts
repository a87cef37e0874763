/** What `provision` is given: the Render database id and the names and password it announces. */
export interface DatabaseSpec {
  id: string;
  databaseName: string;
  user: string;
  password: string;
  /** The port it had before (persisted state): reused when free, so connection strings stay stable. */
  port?: number;
  /**
   * Start a new database from a backup of another one (point-in-time recovery): a file `exportArchive` wrote, and
   * the database and user names inside it. Ignored when the database already exists.
   */
  seed?: { file: string; databaseName: string; user: string };
}

/** Render ids (`dpg-…-a`) and anything else that is safe as one path segment. */
const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/;
/** Unquoted-identifier shape, up to PostgreSQL's 63-byte limit; Render generates names like `app_db_x7k2`. */
const IDENTIFIER_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/**
 * Throws unless the id is a safe path segment and the names are plain identifiers; the password may be
 * anything but is never echoed.
 */
export function validateSpec(spec: DatabaseSpec): void {
  if (typeof spec.id !== "string" || !ID_PATTERN.test(spec.id)) {
    throw new Error(`could not provision database ${JSON.stringify(spec.id)}: [id] must match ${ID_PATTERN}`);
  }
  for (const field of ["databaseName", "user"] as const) {
    const value = spec[field];
    if (typeof value !== "string" || !IDENTIFIER_PATTERN.test(value)) {
      throw new Error(
        `could not provision database ${spec.id}: [${field}] ${JSON.stringify(value)} must match ${IDENTIFIER_PATTERN}`,
      );
    }
  }
  if (typeof spec.password !== "string" || spec.password.includes("\0")) {
    throw new Error(
      `could not provision database ${spec.id}: [password] must be a string without NUL characters`,
    );
  }
}

/** Double-quotes an identifier (already validated, quoted anyway so that case and keywords survive). */
export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** A standard-conforming string literal (E'' form so that backslashes are unambiguous). */
export function quoteLiteral(value: string): string {
  return `E'${value.replace(/\\/g, "\\\\").replace(/'/g, "''")}'`;
}
