/** Status of an emulated Render Key Value, computed from the emulator clock. */

/** The part of a Key Value record its status depends on. */
export interface KeyValueTimeline {
  /** When creation is done by the clock (ms). */
  readyAt: number;
  /** Until when a plan change keeps it in `creating` (ms), if one happened. */
  updatingUntil?: number;
  /** Suspended by the user. */
  suspended: boolean;
}

/**
 * `creating` until the clock passes `readyAt` (OBSERVED: the 201 of the create says `unknown`, later GETs
 * `creating`; see the route), `creating` again while a plan change runs (UNCONFIRMED, modeled as Postgres),
 * `suspended` while suspended, else `available`. No server runs behind it, so nothing else can fail.
 */
export function keyValueStatus(kv: KeyValueTimeline, now: number): string {
  if (kv.suspended) return "suspended";
  if (now < kv.readyAt) return "creating";
  if (kv.updatingUntil !== undefined && now < kv.updatingUntil) return "creating";
  return "available";
}
