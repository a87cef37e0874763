/**
 * Request validation in Render's manner: 400 with a message naming the field (and the allowed values
 * for an enum). Values of secret fields are never echoed.
 */
import { isIP } from "node:net";
import { badRequest } from "../errors";
import type { CidrRecord } from "../state/model";

/** A JSON object body. */
export type Body = Record<string, unknown>;

/** The body as an object. @throws 400 when it is missing or not an object. */
export function objectBody(body: unknown, what = "request body"): Body {
  if (body === undefined) throw badRequest(`${what} is required`);
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    throw badRequest(`${what} must be a JSON object`);
  }
  return body as Body;
}

function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** A string field. */
export function stringField(o: Body, field: string, name: string, required: true): string;
export function stringField(o: Body, field: string, name: string, required?: false): string | undefined;
export function stringField(o: Body, field: string, name: string, required = false): string | undefined {
  const value = o[field];
  if (value === undefined || value === null) {
    if (required) throw badRequest(`${name} is required`);
    return undefined;
  }
  if (typeof value !== "string") throw badRequest(`${name} must be a string`);
  if (required && value.trim() === "") throw badRequest(`${name} must not be empty`);
  return value;
}

/** A string field whose value must be one of `allowed`. */
export function enumField<T extends string>(
  o: Body,
  field: string,
  name: string,
  allowed: readonly T[],
  required = false,
): T | undefined {
  const value = o[field];
  if (value === undefined || value === null) {
    if (required) throw badRequest(`${name} is required: one of ${allowed.join(", ")}`);
    return undefined;
  }
  if (typeof value !== "string" || !(allowed as readonly string[]).includes(value)) {
    throw badRequest(`invalid ${name} ${show(value)}: must be one of ${allowed.join(", ")}`);
  }
  return value as T;
}

/** A boolean field. */
export function boolField(o: Body, field: string, name: string): boolean | undefined {
  const value = o[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "boolean") throw badRequest(`${name} must be a boolean`);
  return value;
}

/** An integer field within [min, max]. */
export function intField(
  o: Body,
  field: string,
  name: string,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number | undefined {
  const value = o[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value)) throw badRequest(`${name} must be an integer`);
  if (value < min || value > max) {
    throw badRequest(
      `${name} must be ${max === Number.MAX_SAFE_INTEGER ? `at least ${min}` : `between ${min} and ${max}`}`,
    );
  }
  return value;
}

/** An object field. */
export function objectField(o: Body, field: string, name: string): Body | undefined {
  const value = o[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "object" || Array.isArray(value)) throw badRequest(`${name} must be an object`);
  return value as Body;
}

/** An array-of-strings field. */
export function stringArrayField(o: Body, field: string, name: string): string[] | undefined {
  const value = o[field];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) {
    throw badRequest(`${name} must be an array of strings`);
  }
  return value as string[];
}

/** A string -> string map field (e.g. parameterOverrides). */
export function stringMapField(o: Body, field: string, name: string): Record<string, string> | undefined {
  const value = objectField(o, field, name);
  if (!value) return undefined;
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== "string") throw badRequest(`${name}.${k} must be a string`);
  }
  return value as Record<string, string>;
}

/** Whether `text` is an IPv4 or IPv6 CIDR block (`10.0.0.0/8`, `::/0`); a bare address counts as /32 or /128. */
export function isCidr(text: string): boolean {
  const [address, prefix, ...rest] = text.split("/");
  if (rest.length > 0) return false;
  const family = isIP(address);
  if (family === 0) return false;
  if (prefix === undefined) return true;
  if (!/^\d{1,3}$/.test(prefix)) return false;
  return Number(prefix) <= (family === 4 ? 32 : 128);
}

/** An `ipAllowList` field: `[{cidrBlock, description}]`, both required, CIDRs valid. */
export function cidrListField(o: Body, field: string, name: string): CidrRecord[] | undefined {
  const value = o[field];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw badRequest(`${name} must be an array of {cidrBlock, description}`);
  return value.map((item, i) => {
    const entry = objectBody(item, `${name}[${i}]`);
    const cidrBlock = stringField(entry, "cidrBlock", `${name}[${i}].cidrBlock`, true);
    const description = stringField(entry, "description", `${name}[${i}].description`);
    if (description === undefined) throw badRequest(`${name}[${i}].description is required`);
    if (!isCidr(cidrBlock))
      throw badRequest(`invalid ${name}[${i}].cidrBlock ${show(cidrBlock)}: not a CIDR block`);
    return { cidrBlock, description };
  });
}

/**
 * Env var keys: letters, digits and underscores, not starting with a digit. Render's exact rule is
 * UNCONFIRMED; this is the POSIX shell rule, the safe choice (every such key works in every runtime).
 */
export function checkEnvVarKey(key: unknown, name: string): string {
  if (typeof key !== "string" || key === "") throw badRequest(`${name} is required`);
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) {
    throw badRequest(
      `invalid ${name} ${show(key)}: use letters, digits and underscores, not starting with a digit`,
    );
  }
  return key;
}

/** Query values of a multi-valued filter: comma-separated (`a,b`), repeated, or `name[]`. */
export function queryList(query: URLSearchParams, name: string): string[] | undefined {
  const raw = [...query.getAll(name), ...query.getAll(`${name}[]`)];
  if (raw.length === 0) return undefined;
  return raw
    .flatMap((v) => v.split(","))
    .map((v) => v.trim())
    .filter((v) => v !== "");
}

/** A multi-valued enum filter. */
export function queryEnumList(
  query: URLSearchParams,
  name: string,
  allowed: readonly string[],
): string[] | undefined {
  const values = queryList(query, name);
  for (const v of values ?? []) {
    if (!allowed.includes(v))
      throw badRequest(`invalid ${name} ${show(v)}: must be one of ${allowed.join(", ")}`);
  }
  return values;
}

/** An ISO-8601 time filter, as epoch ms. */
export function queryTime(query: URLSearchParams, name: string): number | undefined {
  const value = query.get(name);
  if (value === null) return undefined;
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw badRequest(`invalid ${name} ${show(value)}: must be an ISO 8601 time`);
  return t;
}

/** A boolean query flag (`true`/`false`). */
export function queryBool(query: URLSearchParams, name: string): boolean | undefined {
  const value = query.get(name);
  if (value === null) return undefined;
  if (value !== "true" && value !== "false")
    throw badRequest(`invalid ${name} ${show(value)}: must be true or false`);
  return value === "true";
}

/** Applies created/updated Before/After filters. */
export function timeFilter(query: URLSearchParams, prefix: string, time: number | null | undefined): boolean {
  const before = queryTime(query, `${prefix}Before`);
  const after = queryTime(query, `${prefix}After`);
  if (before === undefined && after === undefined) return true;
  if (time === null || time === undefined) return false;
  if (before !== undefined && !(time < before)) return false;
  if (after !== undefined && !(time > after)) return false;
  return true;
}
