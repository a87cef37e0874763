/**
 * Key Value routes: list (filters), create, get, patch, delete, connection-info, suspend, resume
 * (`/key-value…`, openapi.json "Key Value"). The legacy `/redis` routes are not emulated.
 *
 * Quirks kept from Render (OBSERVED in render-oss/terraform-provider-render's recorded traffic,
 * `internal/provider/keyvalue/resource/testdata/keyvalue_cassette.yaml`, 2026-06):
 * - ids are `red-` + 20 characters; the 201 of the create says status `unknown`, later GETs `creating`;
 * - `ipAllowList: []` comes back as `null`;
 * - settings come back under `options`: `{maxmemoryPolicy, persistenceMode}`; `version` is Valkey's (`8.1.4`);
 * - the detail object (create, get, patch) has no `dashboardUrl`; the list item has it (spec);
 * - `persistenceMode` (`off`, `snapshot`, `journal_snapshot`) is accepted on create and PATCH although
 *   openapi.json lacks it: Render's newer spec (the Terraform provider's generated client) has it, and
 *   recorded traffic shows a PATCH changing it. Its default is `journal_snapshot` on paid plans; free
 *   instances have no persistence (that spec's words), so the emulator answers `off` for them and refuses
 *   another mode on the free plan (Render's answer to that is UNCONFIRMED: refusing is never kinder).
 *
 * Data plane: no Valkey/Redis server runs behind an instance (redis-server is not installed here). The
 * connection info has Render's shapes, but its external host is under the reserved `.invalid` domain:
 * nothing listens there and no name lookup reaches Render (a limitation, see {@link connectionInfo}).
 */
import type { EmulatorCore } from "../core";
import { badRequest, notFound } from "../errors";
import { newId, newPassword } from "../ids";
import { keyValueStatus } from "../lifecycle/keyValue";
import type { Router } from "../router";
import type { KeyValueRecord } from "../state/model";
import { iso, ownerJson, requireOwner } from "./common";
import { checkPlacement } from "./projects";
import { REGIONS } from "./enums";
import { paginate } from "./pagination";
import {
  type Body,
  cidrListField,
  enumField,
  objectBody,
  queryEnumList,
  queryList,
  stringField,
  timeFilter,
} from "./validate";

/** `keyValuePlan` (openapi.json). */
export const KEY_VALUE_PLANS = ["free", "starter", "standard", "pro", "pro_plus", "custom"] as const;

/** `maxmemoryPolicy` (openapi.json). */
export const MAXMEMORY_POLICIES = [
  "noeviction",
  "allkeys_lfu",
  "allkeys_lru",
  "allkeys_random",
  "volatile_lfu",
  "volatile_lru",
  "volatile_random",
  "volatile_ttl",
] as const;

/** `persistenceMode` (Render's newer spec, see the file comment; not in openapi.json). */
export const PERSISTENCE_MODES = ["off", "snapshot", "journal_snapshot"] as const;

/** The Valkey version Render reports (OBSERVED). */
const VALKEY_VERSION = "8.1.4";

/**
 * Fields that cannot change after creation: keyValuePATCHInput does not have them. A PATCH naming one with
 * another value is refused as Postgres's are (Render may ignore unknown fields instead: UNCONFIRMED; the
 * refusal is never kinder).
 */
const IMMUTABLE = ["region", "ownerId", "environmentId"] as const;

/** A Key Value of the key's workspaces. @throws 404 otherwise. */
export function requireKeyValue(core: EmulatorCore, id: string): KeyValueRecord {
  const kv = core.state.keyValues.get(id);
  if (!kv || !core.state.owners.has(kv.ownerId)) throw notFound(id);
  return kv;
}

/** Registers the Key Value routes. */
export function registerKeyValueRoutes(router: Router, core: EmulatorCore): void {
  router.add("GET", "/key-value", ({ query }) => {
    const names = queryList(query, "name");
    const regions = queryEnumList(query, "region", REGIONS);
    const ownerIds = queryList(query, "ownerId");
    const environmentIds = queryList(query, "environmentId");
    const items = [...core.state.keyValues.values()].filter(
      (kv) =>
        core.state.owners.has(kv.ownerId) &&
        (!names || names.includes(kv.name)) &&
        (!regions || regions.includes(kv.region)) &&
        (!ownerIds || ownerIds.includes(kv.ownerId)) &&
        (!environmentIds || (kv.environmentId !== undefined && environmentIds.includes(kv.environmentId))) &&
        timeFilter(query, "created", kv.createdAt) &&
        timeFilter(query, "updated", kv.updatedAt),
    );
    return { status: 200, body: paginate(items, query, "keyValue", (kv) => keyValueJson(core, kv, false)) };
  });

  router.add("POST", "/key-value", ({ body }) => {
    const kv = createKeyValue(core, objectBody(body));
    core.changed();
    return { status: 201, body: { ...keyValueJson(core, kv, true), status: "unknown" } };
  });

  router.add("GET", "/key-value/:keyValueId", ({ params }) => ({
    status: 200,
    body: keyValueJson(core, requireKeyValue(core, params.keyValueId), true),
  }));

  router.add("PATCH", "/key-value/:keyValueId", ({ params, body }) => {
    const kv = requireKeyValue(core, params.keyValueId);
    patchKeyValue(core, kv, objectBody(body));
    core.changed();
    return { status: 200, body: keyValueJson(core, kv, true) };
  });

  router.add("DELETE", "/key-value/:keyValueId", ({ params }) => {
    const kv = requireKeyValue(core, params.keyValueId);
    core.state.keyValues.delete(kv.id);
    core.changed();
    return { status: 204 };
  });

  router.add("GET", "/key-value/:keyValueId/connection-info", ({ params }) => ({
    status: 200,
    body: connectionInfo(requireKeyValue(core, params.keyValueId)),
  }));

  for (const action of ["suspend", "resume"] as const) {
    router.add("POST", `/key-value/:keyValueId/${action}`, ({ params }) => {
      const kv = requireKeyValue(core, params.keyValueId);
      kv.suspended = action === "suspend";
      kv.updatedAt = core.clock.now();
      core.changed();
      return { status: 202 };
    });
  }
}

/** Free instances have no persistence: any other mode is refused. */
function checkPersistence(plan: string, mode: string): void {
  if (plan === "free" && mode !== "off") {
    throw badRequest(
      `persistenceMode ${JSON.stringify(mode)} is not available on the free plan (free instances have no persistence): use "off" or a paid plan`,
    );
  }
}

/** Validates a create body and stores the new instance. */
export function createKeyValue(core: EmulatorCore, b: Body): KeyValueRecord {
  const name = stringField(b, "name", "name", true);
  const ownerId = stringField(b, "ownerId", "ownerId", true);
  const plan = enumField(b, "plan", "plan", KEY_VALUE_PLANS, true)!;
  const region = enumField(b, "region", "region", REGIONS) ?? "oregon";
  const maxmemoryPolicy = enumField(b, "maxmemoryPolicy", "maxmemoryPolicy", MAXMEMORY_POLICIES);
  const persistence = enumField(b, "persistenceMode", "persistenceMode", PERSISTENCE_MODES);
  const environmentId = stringField(b, "environmentId", "environmentId");
  // Omitted ipAllowList: Render's default is UNCONFIRMED; the safe choice is no public access ([]).
  const ipAllowList = cidrListField(b, "ipAllowList", "ipAllowList") ?? [];
  const persistenceMode = persistence ?? (plan === "free" ? "off" : "journal_snapshot");
  checkPersistence(plan, persistenceMode);
  requireOwner(core, ownerId);
  checkPlacement(core, environmentId, ownerId);
  const now = core.clock.now();
  const kv: KeyValueRecord = {
    id: newId("red"),
    seq: core.state.nextSeq(),
    ownerId,
    name,
    plan,
    region,
    // Render's default policy when none is sent is UNCONFIRMED; Valkey's own default is noeviction, and
    // allkeys_lru is what Render's Blueprint docs name for caches. noeviction never drops data silently.
    maxmemoryPolicy: maxmemoryPolicy ?? "noeviction",
    persistenceMode,
    ...(environmentId ? { environmentId } : {}),
    ipAllowList,
    password: newPassword(),
    suspended: false,
    createdAt: now,
    updatedAt: now,
    readyAt: now + core.timings.keyValueCreate,
  };
  core.state.keyValues.set(kv.id, kv);
  return kv;
}

function patchKeyValue(core: EmulatorCore, kv: KeyValueRecord, b: Body): void {
  for (const field of IMMUTABLE) {
    if (b[field] === undefined) continue;
    if (b[field] !== kv[field])
      throw badRequest(`${field} cannot be changed after creation (create a new Key Value instead)`);
  }
  const name = stringField(b, "name", "name");
  if (name !== undefined && name.trim() === "") throw badRequest("name must not be empty");
  const plan = enumField(b, "plan", "plan", KEY_VALUE_PLANS);
  const maxmemoryPolicy = enumField(b, "maxmemoryPolicy", "maxmemoryPolicy", MAXMEMORY_POLICIES);
  const persistenceMode = enumField(b, "persistenceMode", "persistenceMode", PERSISTENCE_MODES);
  const ipAllowList = cidrListField(b, "ipAllowList", "ipAllowList");
  checkPersistence(plan ?? kv.plan, persistenceMode ?? kv.persistenceMode);

  const now = core.clock.now();
  if (plan !== undefined && plan !== kv.plan) kv.updatingUntil = now + core.timings.keyValueUpdate;
  if (name !== undefined) kv.name = name;
  if (plan !== undefined) kv.plan = plan;
  if (maxmemoryPolicy !== undefined) kv.maxmemoryPolicy = maxmemoryPolicy;
  if (persistenceMode !== undefined) kv.persistenceMode = persistenceMode;
  if (ipAllowList !== undefined) kv.ipAllowList = ipAllowList;
  kv.updatedAt = now;
}

/**
 * A Key Value as Render renders it: the detail object (create, get, patch: no `dashboardUrl`, OBSERVED and
 * as keyValueDetail says), or the list item (`keyValue`, which requires it). The dashboard's path for a Key
 * Value (`/r/<id>`) is UNCONFIRMED.
 */
export function keyValueJson(
  core: EmulatorCore,
  kv: KeyValueRecord,
  detail: boolean,
): Record<string, unknown> {
  const owner = core.state.owners.get(kv.ownerId);
  return {
    id: kv.id,
    createdAt: iso(kv.createdAt),
    updatedAt: iso(kv.updatedAt),
    status: keyValueStatus(kv, core.clock.now()),
    region: kv.region,
    plan: kv.plan,
    name: kv.name,
    owner: owner ? ownerJson(owner) : { id: kv.ownerId, name: "", email: "", type: "team" },
    options: { maxmemoryPolicy: kv.maxmemoryPolicy, persistenceMode: kv.persistenceMode },
    // OBSERVED: an empty allow list comes back as null.
    ipAllowList: kv.ipAllowList.length === 0 ? null : kv.ipAllowList,
    ...(kv.environmentId !== undefined ? { environmentId: kv.environmentId } : {}),
    version: VALKEY_VERSION,
    ...(detail ? {} : { dashboardUrl: `https://dashboard.render.com/r/${kv.id}` }),
  };
}

/**
 * Connection info in Render's forms (OBSERVED): internal `redis://<id>:6379` (Render's private network,
 * no password), external `rediss://<id>:<password>@<region>-keyvalue.render.com:6377` (TLS), and a
 * `valkey-cli` command, with the leading space Render's has.
 *
 * LIMITATION: no Valkey server runs behind the emulator, so the external host is Render's form under the
 * reserved `.invalid` domain (RFC 2606): it never resolves, nothing listens, and the password never goes
 * to Render's real hosts. A program can read and pass the strings; connecting fails (ENOTFOUND).
 */
function connectionInfo(kv: KeyValueRecord): Record<string, string> {
  const host = `${kv.region}-keyvalue.render.invalid`;
  return {
    internalConnectionString: `redis://${kv.id}:6379`,
    externalConnectionString: `rediss://${kv.id}:${kv.password}@${host}:6377`,
    cliCommand: ` REDISCLI_AUTH=${kv.password} valkey-cli --user ${kv.id} -h ${host} -p 6377 --tls`,
  };
}
