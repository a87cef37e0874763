/**
 * Shared helpers for validating resource inputs in `check`: CIDR syntax, names, and the engine's
 * sentinel for values not known during preview, and the field-by-field check every provider runs. Pure.
 */
import type { z } from "zod";

/** What the engine passes to `check` for a value that is not known yet (during preview). */
export const unknownSentinel = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** True when a value (or any value inside it) is the engine's unknown sentinel. */
export function isUnknown(value: unknown): boolean {
  if (value === unknownSentinel) return true;
  if (Array.isArray(value)) return value.some(isUnknown);
  if (value && typeof value === "object") return Object.values(value).some(isUnknown);
  return false;
}

/** One failed property, as `check` reports it: the property path and what is allowed. */
export interface InputFailure {
  property: string;
  reason: string;
}

/** Lists allowed values for an error message, compactly. */
export function allowed(values: readonly string[]): string {
  return values.map((v) => JSON.stringify(v)).join(", ");
}

/** True for an IPv4 CIDR block `a.b.c.d/n` (0 <= n <= 32) or an IPv6 one (`::/0`, `2001:db8::/32`). */
export function isCidr(value: string): boolean {
  const slash = value.indexOf("/");
  if (slash < 0 || slash !== value.lastIndexOf("/")) return false;
  const addr = value.slice(0, slash);
  const bitsText = value.slice(slash + 1);
  if (!/^\d{1,3}$/.test(bitsText)) return false;
  const bits = Number(bitsText);
  if (addr.includes(":")) return bits <= 128 && isIpv6(addr);
  const octets = addr.split(".");
  return (
    bits <= 32 &&
    octets.length === 4 &&
    octets.every((o) => /^\d{1,3}$/.test(o) && Number(o) <= 255 && !(o.length > 1 && o.startsWith("0")))
  );
}

function isIpv6(addr: string): boolean {
  if (!/^[0-9a-fA-F:]+$/.test(addr)) return false;
  const doubles = addr.split("::").length - 1;
  if (doubles > 1) return false;
  const groups = addr.split(":").filter((g) => g !== "");
  if (groups.some((g) => g.length > 4)) return false;
  return doubles === 1 ? groups.length < 8 : groups.length === 8;
}

/**
 * A Render display name (database or service). Render's exact rule is UNCONFIRMED; we accept what the
 * dashboard shows in practice and refuse what cannot be right: empty, over 100 characters, control
 * characters, or leading/trailing spaces. The safe side: refuse early rather than let Render guess.
 */
export function nameProblem(value: string): string | undefined {
  if (value.length === 0) return "must not be empty";
  if (value.length > 100) return `must be at most 100 characters (got ${value.length})`;
  if (!/^[A-Za-z0-9][A-Za-z0-9 ._-]*$/.test(value))
    return "may contain only letters, digits, spaces, '.', '_' and '-', and must start with a letter or digit";
  if (value !== value.trim()) return "must not end with a space";
  return undefined;
}

/**
 * A PostgreSQL identifier as Render accepts for databaseName/databaseUser: lowercase letters, digits
 * and underscores, starting with a letter or underscore. `maxLength` leaves room for Render's suffix.
 */
export function identifierProblem(value: string, maxLength: number): string | undefined {
  if (!/^[a-z_][a-z0-9_]*$/.test(value))
    return "must be lowercase letters, digits and '_', starting with a letter or '_'";
  if (value.length > maxLength) return `must be at most ${maxLength} characters (got ${value.length})`;
  return undefined;
}

/** A failure's property path as users write it: `ipAllowList[0].cidrBlock`. */
export function propertyPath(key: string, path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (acc, p) => (typeof p === "number" ? `${acc}[${p}]` : `${acc}.${String(p)}`),
    key,
  );
}

/**
 * Validates `values` field by field against a resource's schema fields, so every failure names its
 * property. Values not known during preview (the engine's sentinel) pass through unvalidated; a key the
 * schema does not have is reported as a typo of `<what>`, with the allowed keys.
 */
export function checkFields(
  fields: Record<string, z.ZodType>,
  values: Record<string, unknown>,
  what: string,
): { inputs: Record<string, unknown>; failures: InputFailure[] } {
  const failures: InputFailure[] = [];
  const inputs: Record<string, unknown> = {};
  for (const [key, schema] of Object.entries(fields)) {
    const value = values[key];
    if (isUnknown(value)) {
      inputs[key] = value;
      continue;
    }
    const result = schema.safeParse(value);
    if (result.success) {
      if (result.data !== undefined) inputs[key] = result.data;
    } else {
      for (const issue of result.error.issues)
        failures.push({ property: propertyPath(key, issue.path), reason: issue.message });
    }
  }
  // Anything else is most likely a typo: say so rather than silently ignore it.
  for (const key of Object.keys(values))
    if (!(key in fields) && key !== "__provider")
      failures.push({
        property: key,
        reason: `is not a ${what} argument; allowed: ${Object.keys(fields).join(", ")}`,
      });
  return { inputs, failures };
}
