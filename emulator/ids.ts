/**
 * Ids and random values shaped like Render's: `tea-`/`srv-`/`dep-` + 20 characters, `dpg-` + 20 + `-a`.
 * Render's ids are xid-style base32hex (digits and a-v), e.g. `dpg-d7sg9ln7f7vs73d9bg5g-a`.
 */
import { createHash, randomBytes, randomInt } from "node:crypto";

const BASE32HEX = "0123456789abcdefghijklmnopqrstuv";
const ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const LOWER_ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789";

function randomString(alphabet: string, length: number): string {
  let out = "";
  for (let i = 0; i < length; i++) out += alphabet[randomInt(alphabet.length)];
  return out;
}

/** A new Render-style id with the given prefix: `srv-…`, `dep-…`, `tea-…`, `dsk-…`. */
export function newId(prefix: string): string {
  return `${prefix}-${randomString(BASE32HEX, 20)}`;
}

/** A Postgres id: `dpg-<20>-a` (read replicas would get `-b`, … ). */
export function newPostgresId(): string {
  return `${newId("dpg")}-a`;
}

/** The 4-character suffix Render appends to database names (`db_name` -> `db_name_ehyv`). */
export function nameSuffix(): string {
  return randomString(LOWER_ALNUM, 4);
}

/** A database password: 32 alphanumeric characters, as Render's. */
export function newPassword(): string {
  return randomString(ALNUM, 32);
}

/** An API key of the emulator (`rnd_` + 32 alphanumerics). */
export function newApiKey(): string {
  return `rnd_${randomString(ALNUM, 32)}`;
}

/** A value for `generateValue: true`: 256 random bits, base64 (44 characters), as observed on Render. */
export function generatedValue(): string {
  return randomBytes(32).toString("base64");
}

/** A request id for the `Render-Request-Id` header. */
export function newRequestId(): string {
  return randomBytes(16).toString("hex");
}

/**
 * The fake "branch head" commit of a service's branch: 40 hex characters, stable for the same
 * service and branch (until the control API sets another head).
 */
export function branchHeadCommit(serviceId: string, branch: string): string {
  return createHash("sha1").update(`${serviceId}:${branch}`).digest("hex");
}
