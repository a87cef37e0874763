/**
 * Env var routes: the collection (GET; PUT replaces the whole set) and one key (GET, PUT adds or
 * updates, DELETE). `generateValue: true` makes a 44-character base64 value (256 bits). Lists are
 * newest first (OBSERVED: reverse insertion order).
 */
import type { EmulatorCore } from "../core";
import { badRequest, notFound } from "../errors";
import { generatedValue } from "../ids";
import type { Router } from "../router";
import type { EnvVarRecord } from "../state/model";
import { requireService } from "./common";
import { requireWorkflow } from "./workflows";
import { encodeCursor, paginate } from "./pagination";
import { type Body, checkEnvVarKey, objectBody } from "./validate";

/**
 * The value of one env var input: `value` (a string) or `generateValue: true`. A fresh value is
 * generated on every such write (whether Render keeps an existing one is UNCONFIRMED).
 */
export function envVarValue(input: Body, name: string): string {
  if (input.generateValue === true) return generatedValue();
  if (input.generateValue !== undefined && typeof input.generateValue !== "boolean") {
    throw badRequest(`${name}.generateValue must be a boolean`);
  }
  if (input.value === undefined || input.value === null)
    throw badRequest(`${name}.value is required (or generateValue: true)`);
  if (typeof input.value !== "string") throw badRequest(`${name}.value must be a string`);
  return input.value;
}

/** Validates an env var list (`POST /services` `envVars`, `PUT …/env-vars`) into key/value pairs. */
export function envVarList(body: unknown, name: string): { key: string; value: string }[] {
  if (!Array.isArray(body))
    throw badRequest(`${name} must be an array of {key, value} or {key, generateValue: true}`);
  const seen = new Set<string>();
  return body.map((item, i) => {
    const input = objectBody(item, `${name}[${i}]`);
    const key = checkEnvVarKey(input.key, `${name}[${i}].key`);
    if (seen.has(key)) throw badRequest(`${name}[${i}].key ${key} appears more than once`);
    seen.add(key);
    return { key, value: envVarValue(input, `${name}[${i}]`) };
  });
}

const envVarJson = (ev: EnvVarRecord) => ({ key: ev.key, value: ev.value });

/**
 * What holds the env vars of `id`: a service, or a workflow (`wfl-…`; that Render serves a workflow's env
 * vars at `/services/{id}/env-vars` is UNCONFIRMED, see routes/workflows.ts).
 */
function envVarHolder(core: EmulatorCore, id: string): { envVars: EnvVarRecord[]; updatedAt: number } {
  return id.startsWith("wfl-") ? requireWorkflow(core, id) : requireService(core, id);
}

/** Registers the env var routes. */
export function registerEnvVarRoutes(router: Router, core: EmulatorCore): void {
  router.add("GET", "/services/:serviceId/env-vars", ({ params, query }) => {
    const service = envVarHolder(core, params.serviceId);
    return { status: 200, body: paginate(service.envVars, query, "envVar", envVarJson) };
  });

  router.add("PUT", "/services/:serviceId/env-vars", ({ params, body }) => {
    const service = envVarHolder(core, params.serviceId);
    if (body === undefined)
      throw badRequest("request body is required: an array of {key, value} or {key, generateValue: true}");
    const list = envVarList(body, "request body");
    service.envVars = list.map((ev) => ({ ...ev, seq: core.state.nextSeq() }));
    service.updatedAt = core.clock.now();
    core.changed();
    const items = [...service.envVars].reverse();
    return {
      status: 200,
      body: items.map((ev) => ({ envVar: envVarJson(ev), cursor: encodeCursor(ev.seq) })),
    };
  });

  router.add("GET", "/services/:serviceId/env-vars/:envVarKey", ({ params }) => {
    const service = envVarHolder(core, params.serviceId);
    const ev = service.envVars.find((e) => e.key === params.envVarKey);
    if (!ev) throw notFound(params.envVarKey);
    return { status: 200, body: envVarJson(ev) };
  });

  router.add("PUT", "/services/:serviceId/env-vars/:envVarKey", ({ params, body }) => {
    const service = envVarHolder(core, params.serviceId);
    const key = checkEnvVarKey(params.envVarKey, "envVarKey");
    const value = envVarValue(objectBody(body), "request body");
    const existing = service.envVars.find((e) => e.key === key);
    if (existing) existing.value = value;
    else service.envVars.push({ key, value, seq: core.state.nextSeq() });
    service.updatedAt = core.clock.now();
    core.changed();
    return { status: 200, body: { key, value } };
  });

  router.add("DELETE", "/services/:serviceId/env-vars/:envVarKey", ({ params }) => {
    const service = envVarHolder(core, params.serviceId);
    if (!service.envVars.some((e) => e.key === params.envVarKey)) throw notFound(params.envVarKey);
    service.envVars = service.envVars.filter((e) => e.key !== params.envVarKey);
    service.updatedAt = core.clock.now();
    core.changed();
    return { status: 204 };
  });
}
