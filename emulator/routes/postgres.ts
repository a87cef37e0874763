/**
 * Postgres routes: list (filters), create, get, patch, delete, connection-info, suspend, resume.
 * Quirks kept from Render: 201 with status `unknown`, then `creating`, then `available`; a random
 * `_xxxx` suffix on `databaseName`; names derived from `name` when blank; `enableHighAvailability`
 * in, `highAvailabilityEnabled` out; `ipAllowList: []` comes back as null; plan/HA change -> `creating`.
 */
import type { EmulatorCore } from "../core";
import { badRequest } from "../errors";
import { dropExports } from "../exports";
import { dropSnapshots } from "../recovery";
import { defaultLogin } from "./credentials";
import { nameSuffix, newPassword, newPostgresId } from "../ids";
import { postgresStatus } from "../lifecycle/postgres";
import type { Router } from "../router";
import type { PostgresRecord } from "../state/model";
import { iso, ownerJson, requireOwner, requirePostgres } from "./common";
import { checkPlacement } from "./projects";
import { POSTGRES_PLANS, POSTGRES_VERSIONS, REGIONS, SUSPENDED_VALUES } from "./enums";
import { paginate } from "./pagination";
import {
  type Body,
  boolField,
  cidrListField,
  enumField,
  intField,
  objectBody,
  queryBool,
  queryEnumList,
  queryList,
  stringField,
  stringMapField,
  timeFilter,
} from "./validate";

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;
/** Room for the `_xxxx` suffix within PostgreSQL's 63-byte identifiers. */
const MAX_DATABASE_NAME = 58;
const MAX_USER = 63;
const THIRTY_DAYS = 30 * 24 * 3_600_000;

/** Fields that cannot change after creation (changing them means a new database). */
const IMMUTABLE = ["version", "region", "databaseName", "databaseUser", "ownerId", "environmentId"] as const;

/** Registers the Postgres routes. */
export function registerPostgresRoutes(router: Router, core: EmulatorCore): void {
  router.add("GET", "/postgres", ({ query }) => {
    const names = queryList(query, "name");
    const regions = queryEnumList(query, "region", REGIONS);
    const suspended = queryEnumList(query, "suspended", SUSPENDED_VALUES);
    const ownerIds = queryList(query, "ownerId");
    const environmentIds = queryList(query, "environmentId");
    queryBool(query, "includeReplicas"); // validated; replicas are not separate objects here
    const items = [...core.state.postgres.values()].filter(
      (db) =>
        core.state.owners.has(db.ownerId) &&
        (!names || names.includes(db.name)) &&
        (!regions || regions.includes(db.region)) &&
        (!suspended || suspended.includes(db.suspended ? "suspended" : "not_suspended")) &&
        (!ownerIds || ownerIds.includes(db.ownerId)) &&
        (!environmentIds || (db.environmentId !== undefined && environmentIds.includes(db.environmentId))) &&
        timeFilter(query, "created", db.createdAt) &&
        timeFilter(query, "updated", db.updatedAt),
    );
    return { status: 200, body: paginate(items, query, "postgres", (db) => postgresJson(core, db, false)) };
  });

  router.add("POST", "/postgres", ({ body }) => {
    const db = createPostgres(core, objectBody(body));
    core.provision(db);
    core.changed();
    return { status: 201, body: { ...postgresJson(core, db, true), status: "unknown" } };
  });

  router.add("GET", "/postgres/:postgresId", ({ params }) => ({
    status: 200,
    body: postgresJson(core, requirePostgres(core, params.postgresId), true),
  }));

  router.add("PATCH", "/postgres/:postgresId", ({ params, body }) => {
    const db = requirePostgres(core, params.postgresId);
    patchPostgres(core, db, objectBody(body));
    core.changed();
    return { status: 200, body: postgresJson(core, db, true) };
  });

  router.add("DELETE", "/postgres/:postgresId", ({ params }) => {
    const db = requirePostgres(core, params.postgresId);
    core.state.postgres.delete(db.id);
    void core.dropDatabase(db.id);
    // UNCONFIRMED whether Render keeps a deleted database's exports; dropping them is never kinder.
    void dropExports(core, db.id);
    void dropSnapshots(core, db.id);
    core.changed();
    return { status: 204 };
  });

  router.add("GET", "/postgres/:postgresId/connection-info", ({ params }) => ({
    status: 200,
    body: connectionInfo(core, requirePostgres(core, params.postgresId)),
  }));

  router.add("POST", "/postgres/:postgresId/restart", ({ params }) => {
    requirePostgres(core, params.postgresId);
    return { status: 202 };
  });

  for (const action of ["suspend", "resume"] as const) {
    router.add("POST", `/postgres/:postgresId/${action}`, ({ params }) => {
      const db = requirePostgres(core, params.postgresId);
      db.suspended = action === "suspend";
      db.updatedAt = core.clock.now();
      core.changed();
      return { status: 202 };
    });
  }
}

/** Lower-case identifier derived from a display name (`allow-list-postgres` -> `allow_list_postgres`). */
function deriveName(name: string): string {
  let out = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "");
  if (out === "" || /^[0-9]/.test(out)) out = `db_${out}`.replace(/_+$/, "");
  return out.slice(0, 40);
}

function checkIdentifier(value: string, field: string, max: number): void {
  if (!IDENTIFIER.test(value)) {
    throw badRequest(
      `invalid ${field} ${JSON.stringify(value)}: use lower-case letters, digits and underscores, not starting with a digit`,
    );
  }
  if (value.length > max) throw badRequest(`${field} must be at most ${max} characters`);
}

/** High availability needs a Pro or Accelerated plan and PostgreSQL 13+ (Render docs). */
function checkHighAvailability(enabled: boolean, plan: string, version: string): void {
  if (!enabled) return;
  if (!/^(pro|accelerated)_/.test(plan) && plan !== "pro" && plan !== "pro_plus") {
    throw badRequest(`enableHighAvailability requires a pro or accelerated plan, not ${plan}`);
  }
  if (Number(version) < 13)
    throw badRequest(`enableHighAvailability requires version 13 or later, not ${version}`);
}

function versionField(b: Body): string | undefined {
  if (typeof b.version === "number") {
    throw badRequest(`version must be a string: one of ${POSTGRES_VERSIONS.map((v) => `"${v}"`).join(", ")}`);
  }
  return enumField(b, "version", "version", POSTGRES_VERSIONS);
}

function readReplicasField(b: Body): PostgresRecord["readReplicas"] | undefined {
  const value = b.readReplicas;
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw badRequest("readReplicas must be an array of {name}");
  return value.map((item, i) => {
    const r = objectBody(item, `readReplicas[${i}]`);
    const name = stringField(r, "name", `readReplicas[${i}].name`, true);
    const parameterOverrides = stringMapField(
      r,
      "parameterOverrides",
      `readReplicas[${i}].parameterOverrides`,
    );
    return { id: "", name, ...(parameterOverrides ? { parameterOverrides } : {}) };
  });
}

/** Validates a create body and stores the new database (not yet provisioned). */
export function createPostgres(core: EmulatorCore, b: Body): PostgresRecord {
  const name = stringField(b, "name", "name", true);
  const ownerId = stringField(b, "ownerId", "ownerId", true);
  const plan = enumField(b, "plan", "plan", POSTGRES_PLANS, true)!;
  if (b.version === undefined)
    throw badRequest(`version is required: one of ${POSTGRES_VERSIONS.join(", ")}`);
  const version = versionField(b)!;
  const region = enumField(b, "region", "region", REGIONS) ?? "oregon";
  const requestedName = stringField(b, "databaseName", "databaseName") || undefined;
  const requestedUser = stringField(b, "databaseUser", "databaseUser") || undefined;
  if (requestedName) checkIdentifier(requestedName, "databaseName", MAX_DATABASE_NAME);
  if (requestedUser) checkIdentifier(requestedUser, "databaseUser", MAX_USER);
  const ha = boolField(b, "enableHighAvailability", "enableHighAvailability") ?? false;
  checkHighAvailability(ha, plan, version);
  const diskSizeGB = intField(b, "diskSizeGB", "diskSizeGB", 1, 16_384);
  const diskAutoscalingEnabled = boolField(b, "enableDiskAutoscaling", "enableDiskAutoscaling") ?? false;
  const environmentId = stringField(b, "environmentId", "environmentId");
  // Omitted ipAllowList: Render's default is UNCONFIRMED; the safe choice is no public access ([]).
  const ipAllowList = cidrListField(b, "ipAllowList", "ipAllowList") ?? [];
  const readReplicas = readReplicasField(b) ?? [];
  const parameterOverrides = stringMapField(b, "parameterOverrides", "parameterOverrides");
  const datadogAPIKey = stringField(b, "datadogAPIKey", "datadogAPIKey");
  const datadogSite = stringField(b, "datadogSite", "datadogSite");
  requireOwner(core, ownerId);
  checkPlacement(core, environmentId, ownerId);

  const id = newPostgresId();
  const suffix = core.nextDatabaseNameSuffix ?? nameSuffix();
  core.nextDatabaseNameSuffix = undefined;
  const databaseName = `${requestedName ?? deriveName(name)}_${suffix}`;
  const databaseUser = requestedUser ?? `${databaseName}_user`;
  const now = core.clock.now();
  return storePostgres(core, {
    id,
    seq: core.state.nextSeq(),
    ownerId,
    name,
    plan,
    version,
    region,
    databaseName,
    databaseUser,
    password: newPassword(),
    highAvailabilityEnabled: ha,
    // OBSERVED: basic_256mb without diskSizeGB came back with 15; the free plan has 1 GB.
    diskSizeGB: diskSizeGB ?? (plan === "free" ? 1 : 15),
    diskAutoscalingEnabled,
    ...(environmentId ? { environmentId } : {}),
    ipAllowList,
    readReplicas: readReplicas.map((r, i) => ({
      ...r,
      id: `${id.slice(0, -2)}-${String.fromCharCode(98 + i)}`,
    })),
    ...(parameterOverrides ? { parameterOverrides } : {}),
    ...(datadogAPIKey ? { datadogAPIKey } : {}),
    ...(datadogSite ? { datadogSite } : {}),
    suspended: false,
    createdAt: now,
    updatedAt: now,
    readyAt: now + core.timings.postgresCreate,
    ...(plan === "free" ? { expiresAt: now + THIRTY_DAYS } : {}),
  });
}

function storePostgres(core: EmulatorCore, db: PostgresRecord): PostgresRecord {
  core.state.postgres.set(db.id, db);
  return db;
}

function patchPostgres(core: EmulatorCore, db: PostgresRecord, b: Body): void {
  for (const field of IMMUTABLE) {
    if (b[field] === undefined) continue;
    const current = db[field];
    // The name as requested (before Render's suffix) is accepted as "unchanged" too.
    const same =
      b[field] === current ||
      (field === "databaseName" && b[field] === db.databaseName.replace(/_[a-z0-9]{4}$/, ""));
    if (!same) throw badRequest(`${field} cannot be changed after creation (create a new database instead)`);
  }
  const name = stringField(b, "name", "name");
  if (name !== undefined && name.trim() === "") throw badRequest("name must not be empty");
  const plan = enumField(b, "plan", "plan", POSTGRES_PLANS);
  const diskSizeGB = intField(b, "diskSizeGB", "diskSizeGB", 1, 16_384);
  if (diskSizeGB !== undefined && diskSizeGB < db.diskSizeGB) {
    throw badRequest(`diskSizeGB cannot be decreased (from ${db.diskSizeGB} to ${diskSizeGB})`);
  }
  const autoscaling = boolField(b, "enableDiskAutoscaling", "enableDiskAutoscaling");
  const ha = boolField(b, "enableHighAvailability", "enableHighAvailability");
  const ipAllowList = cidrListField(b, "ipAllowList", "ipAllowList");
  const parameterOverrides = stringMapField(b, "parameterOverrides", "parameterOverrides");
  const readReplicas = readReplicasField(b);
  const datadogAPIKey = stringField(b, "datadogAPIKey", "datadogAPIKey");
  const datadogSite = stringField(b, "datadogSite", "datadogSite");
  checkHighAvailability(ha ?? db.highAvailabilityEnabled, plan ?? db.plan, db.version);

  const now = core.clock.now();
  const restarts =
    (plan !== undefined && plan !== db.plan) || (ha !== undefined && ha !== db.highAvailabilityEnabled);
  if (name !== undefined) db.name = name;
  if (plan !== undefined) db.plan = plan;
  if (diskSizeGB !== undefined) db.diskSizeGB = diskSizeGB;
  if (autoscaling !== undefined) db.diskAutoscalingEnabled = autoscaling;
  if (ha !== undefined) db.highAvailabilityEnabled = ha;
  if (ipAllowList !== undefined) db.ipAllowList = ipAllowList;
  if (parameterOverrides !== undefined) db.parameterOverrides = parameterOverrides;
  if (readReplicas !== undefined) {
    db.readReplicas = readReplicas.map((r, i) => ({
      ...r,
      id:
        db.readReplicas.find((old) => old.name === r.name)?.id ??
        `${db.id.slice(0, -2)}-${String.fromCharCode(98 + i)}`,
    }));
  }
  if (datadogAPIKey !== undefined) db.datadogAPIKey = datadogAPIKey || undefined;
  if (datadogSite !== undefined) db.datadogSite = datadogSite || undefined;
  if (restarts) db.updatingUntil = now + core.timings.postgresUpdate;
  db.updatedAt = now;
}

/** A Postgres as Render renders it: the detail object, or the list item (no parameterOverrides). */
export function postgresJson(
  core: EmulatorCore,
  db: PostgresRecord,
  detail: boolean,
): Record<string, unknown> {
  const owner = core.state.owners.get(db.ownerId);
  const status = postgresStatus(db, core.clock.now(), core.backendState(db.id));
  return {
    id: db.id,
    // OBSERVED: an empty allow list comes back as null.
    ipAllowList: db.ipAllowList.length === 0 ? null : db.ipAllowList,
    createdAt: iso(db.createdAt),
    updatedAt: iso(db.updatedAt),
    ...(db.expiresAt !== undefined ? { expiresAt: iso(db.expiresAt) } : {}),
    dashboardUrl: `https://dashboard.render.com/d/${db.id}`,
    databaseName: db.databaseName,
    databaseUser: db.databaseUser,
    ...(db.environmentId !== undefined ? { environmentId: db.environmentId } : {}),
    highAvailabilityEnabled: db.highAvailabilityEnabled,
    name: db.name,
    owner: owner ? ownerJson(owner) : { id: db.ownerId, name: "", email: "", type: "team" },
    plan: db.plan,
    diskSizeGB: db.diskSizeGB,
    ...(detail && db.parameterOverrides ? { parameterOverrides: db.parameterOverrides } : {}),
    region: db.region,
    readReplicas: db.readReplicas,
    role: "primary",
    status,
    version: db.version,
    suspended: db.suspended ? "suspended" : "not_suspended",
    suspenders: db.suspended ? ["user"] : [],
    diskAutoscalingEnabled: db.diskAutoscalingEnabled,
  };
}

/**
 * Connection info in Render's forms. The external string has no `sslmode` (as Render gives it) and, once
 * the real database runs, points at its TLS front on loopback: a client must use TLS and trust the
 * emulator's CA. The internal string is Render's private-network form (`@<id>/<database>`, no port), which
 * resolves only inside Render, as it does not from an operator's machine. Before the database runs, the
 * external host is Render's own form (nothing answers there yet).
 */
function connectionInfo(core: EmulatorCore, db: PostgresRecord): Record<string, string> {
  const handle = core.databaseHandle(db.id);
  // The default user: the one the credentials API made last, else the original.
  const login = defaultLogin(db);
  const user = encodeURIComponent(login.username);
  const password = encodeURIComponent(login.password);
  const internalConnectionString = `postgresql://${user}:${password}@${db.id}/${db.databaseName}`;
  if (handle) {
    const hostPort = `${handle.host}:${handle.port}`;
    return {
      password: login.password,
      internalConnectionString,
      externalConnectionString: `postgresql://${user}:${password}@${hostPort}/${handle.databaseName}`,
      psqlCommand: `PGPASSWORD=${login.password} psql -h ${handle.host} -p ${handle.port} -U ${login.username} ${handle.databaseName}`,
    };
  }
  const externalHost = `${db.id}.${db.region}-postgres.render.com`;
  return {
    password: login.password,
    internalConnectionString,
    externalConnectionString: `postgresql://${user}:${password}@${externalHost}:5432/${db.databaseName}`,
    psqlCommand: `PGPASSWORD=${login.password} psql -h ${externalHost} -p 5432 -U ${login.username} ${db.databaseName}`,
  };
}
