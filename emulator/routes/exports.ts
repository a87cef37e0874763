/**
 * Postgres exports: `POST /postgres/{id}/export` (202, no body) starts one, `GET /postgres/{id}/export` lists
 * them newest first as `{ id, createdAt, url }`; `url` appears once the file is written (the spec makes it
 * optional). An export older than 7 days of the emulator clock is no longer listed (emulator/exports).
 */
import type { EmulatorCore } from "../core";
import { badRequest } from "../errors";
import { exportFileName, isExpired, startExport } from "../exports";
import { postgresStatus } from "../lifecycle/postgres";
import type { Router } from "../router";
import { iso, requirePostgres } from "./common";

/** Registers the export routes. */
export function registerExportRoutes(router: Router, core: EmulatorCore): void {
  router.add("POST", "/postgres/:postgresId/export", ({ params }) => {
    const db = requirePostgres(core, params.postgresId);
    // UNCONFIRMED what Render answers for a database that is not available; refusing is never kinder.
    const status = postgresStatus(db, core.clock.now(), core.backendState(db.id));
    if (status !== "available") {
      throw badRequest(`cannot export postgres ${db.id} while it is ${status}: it must be available`);
    }
    startExport(core, db);
    core.changed();
    return { status: 202 };
  });

  router.add("GET", "/postgres/:postgresId/export", ({ params }) => {
    const db = requirePostgres(core, params.postgresId);
    const items = [...core.state.exports.values()]
      .filter((e) => e.postgresId === db.id && !e.failed && !isExpired(core, e))
      .sort((a, b) => b.seq - a.seq)
      .map((e) => ({
        id: e.id,
        createdAt: iso(e.createdAt),
        ...(e.file ? { url: `${core.origin}/_exports/${e.id}/${e.token}/${exportFileName(db, e)}` } : {}),
      }));
    return { status: 200, body: items };
  });
}
