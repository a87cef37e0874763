/**
 * Point-in-time recovery: `GET /postgres/{id}/recovery` says whether it is available and from when;
 * `POST /postgres/{id}/recovery` makes a **new** database (own id, name, credentials, billed like any other) from
 * the data as it was at `restoreTime` (emulator/recovery for the snapshots and their granularity).
 */
import type { EmulatorCore } from "../core";
import { badRequest } from "../errors";
import { recoveryInfo, snapshotAt, RECENT_LIMIT_MS } from "../recovery";
import type { Router } from "../router";
import { iso, requirePostgres } from "./common";
import { createPostgres, postgresJson } from "./postgres";
import { POSTGRES_PLANS } from "./enums";
import { enumField, objectBody, stringField } from "./validate";

/** Registers the recovery routes. */
export function registerRecoveryRoutes(router: Router, core: EmulatorCore): void {
  router.add("GET", "/postgres/:postgresId/recovery", ({ params }) => {
    const info = recoveryInfo(core, requirePostgres(core, params.postgresId));
    return {
      status: 200,
      body: {
        recoveryStatus: info.recoveryStatus,
        ...(info.startsAt !== undefined ? { startsAt: iso(info.startsAt) } : {}),
      },
    };
  });

  router.add("POST", "/postgres/:postgresId/recovery", ({ params, body }) => {
    const source = requirePostgres(core, params.postgresId);
    const b = objectBody(body);
    const restoreTimeText = stringField(b, "restoreTime", "restoreTime", true);
    const restoreTime = Date.parse(restoreTimeText);
    if (!/^\d{4}-\d{2}-\d{2}T/.test(restoreTimeText) || Number.isNaN(restoreTime)) {
      throw badRequest(`restoreTime must be an RFC 3339 date-time, not ${JSON.stringify(restoreTimeText)}`);
    }
    const restoreName = stringField(b, "restoreName", "restoreName");
    const plan = enumField(b, "plan", "plan", POSTGRES_PLANS) ?? source.plan;
    const environmentId = stringField(b, "environmentId", "environmentId");
    const datadogApiKey = stringField(b, "datadogApiKey", "datadogApiKey");
    const datadogSite = stringField(b, "datadogSite", "datadogSite");
    const info = recoveryInfo(core, source);
    if (info.recoveryStatus !== "AVAILABLE") {
      throw badRequest(`point-in-time recovery of ${source.id} is ${info.recoveryStatus}`);
    }
    if (restoreTime < info.startsAt! || restoreTime > info.endsAt!) {
      throw badRequest(
        `restoreTime ${restoreTimeText} is outside the recovery window: from ${iso(info.startsAt!)} to ` +
          `${iso(info.endsAt!)} (the last ${RECENT_LIMIT_MS / 60_000} minutes cannot be restored)`,
      );
    }
    if (planRank(plan) < planRank(source.plan)) {
      throw badRequest(`plan ${plan} is a lower tier than the source database's ${source.plan}`);
    }
    const snapshot = snapshotAt(core, source.id, restoreTime);
    if (!snapshot) throw badRequest(`no backup of ${source.id} at or before ${restoreTimeText}`);
    const db = createPostgres(core, {
      // UNCONFIRMED: Render's default name of a recovered database; the source's name and "-recovery".
      name: restoreName || `${source.name}-recovery`,
      ownerId: source.ownerId,
      plan,
      version: source.version,
      region: source.region,
      databaseName: source.databaseName.replace(/_[a-z0-9]{4}$/, ""),
      diskSizeGB: source.diskSizeGB,
      ...((environmentId ?? source.environmentId)
        ? { environmentId: environmentId ?? source.environmentId }
        : {}),
      // An empty string means "do not copy" (spec); omitted means the source's.
      ...((datadogApiKey ?? source.datadogAPIKey)
        ? { datadogAPIKey: datadogApiKey ?? source.datadogAPIKey }
        : {}),
      ...((datadogSite ?? source.datadogSite) ? { datadogSite: datadogSite ?? source.datadogSite } : {}),
    });
    db.restoredFrom = { file: snapshot.file, databaseName: snapshot.databaseName, user: snapshot.user };
    core.provision(db);
    core.changed();
    return { status: 200, body: postgresJson(core, db, true) };
  });
}

/**
 * Order of plans for "cannot be a lower tier" (UNCONFIRMED how Render compares them): family first (free <
 * basic and the legacy starter/standard < pro/pro_plus < accelerated; custom highest), then memory.
 */
function planRank(plan: string): number {
  const family = 10_000_000;
  const legacy: Record<string, number> = {
    free: 0,
    starter: family + 256,
    standard: family + 1024,
    pro: 2 * family + 4096,
    pro_plus: 2 * family + 8192,
  };
  if (plan in legacy) return legacy[plan];
  if (plan === "custom") return Number.MAX_SAFE_INTEGER;
  const match = /^(basic|pro|accelerated)_(\d+)(mb|gb)$/.exec(plan);
  if (!match) return 0;
  const rank = { basic: 1, pro: 2, accelerated: 3 }[match[1] as "basic" | "pro" | "accelerated"];
  const mb = Number(match[2]) * (match[3] === "gb" ? 1024 : 1);
  return rank * family + mb;
}
