/** Status of an emulated Render Postgres, computed from the emulator clock. */

/** The part of a database record its status depends on. */
export interface PostgresTimeline {
  /** Creation time (ms). */
  createdAt: number;
  /** When creation is done by the clock (ms). */
  readyAt: number;
  /** Until when a plan/HA change keeps it in `creating` (ms), if one happened. */
  updatingUntil?: number;
  /** Suspended by the user. */
  suspended: boolean;
}

/** Where the real database behind it stands. */
export type BackendState = "pending" | "ready" | "failed";

/**
 * `creating` until both the clock has passed `readyAt` and the real database is up (so that
 * connection info of an `available` database always points at a live server); `creating` again
 * while a plan change runs; `suspended` while suspended; `unavailable` when the real database
 * failed to start. (The 201 of the create answers `unknown`; see the route.)
 */
export function postgresStatus(db: PostgresTimeline, now: number, backend: BackendState): string {
  if (db.suspended) return "suspended";
  if (backend === "failed") return "unavailable";
  if (now < db.readyAt || backend === "pending") return "creating";
  if (db.updatingUntil !== undefined && now < db.updatingUntil) return "creating";
  return "available";
}
