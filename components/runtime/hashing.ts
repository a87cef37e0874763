/**
 * Stable hashes of values and folders, for triggers: the same content gives the same hash on every
 * machine and run. Pure (node:crypto only).
 */
import { createHash } from "node:crypto";

/** A stable hash of any JSON value (object keys sorted), hex sha256. */
export function stableHash(value: unknown): string {
  const canonical = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(canonical);
    if (v !== null && typeof v === "object")
      return Object.fromEntries(
        Object.keys(v as Record<string, unknown>)
          .sort()
          .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
          .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
      );
    return v;
  };
  return createHash("sha256")
    .update(JSON.stringify(canonical(value)))
    .digest("hex");
}

/** Hash of a folder's files, given as relative path -> content: renames and edits both change it. */
export function hashFiles(files: Record<string, Buffer | string>): string {
  const hash = createHash("sha256");
  for (const name of Object.keys(files).sort()) {
    const content = files[name];
    hash.update(`${name}\u0000${Buffer.byteLength(content)}\u0000`);
    hash.update(content);
  }
  return hash.digest("hex");
}
