/**
 * Durations of the emulated lifecycles. A lifecycle takes its durations when it starts (a database is
 * created or patched, a deploy is created), so changing timings affects only later lifecycles.
 */
import { badRequest } from "../errors";

/** Every duration, in milliseconds. */
export interface Timings {
  /** Postgres `creating` -> `available` after create (Render: about a minute). */
  postgresCreate: number;
  /** Postgres back in `creating` after a plan or high-availability change. */
  postgresUpdate: number;
  /** Key Value `creating` -> `available` after create (UNCONFIRMED: recorded traffic shows `creating` 10 s in). */
  keyValueCreate: number;
  /** Key Value back in `creating` after a plan change (UNCONFIRMED, as Postgres). */
  keyValueUpdate: number;
  /** Deploy in `created` before its build starts (0: Render's first observed status is `build_in_progress`). */
  deployQueue: number;
  /** Deploy in `build_in_progress`. */
  build: number;
  /** Deploy in `pre_deploy_in_progress` (only when the service has a pre-deploy command). */
  preDeploy: number;
  /** Deploy in `update_in_progress`, before it goes `live`. */
  update: number;
}

/** Seconds, like Render. */
export const REALISTIC_TIMINGS: Readonly<Timings> = {
  postgresCreate: 60_000,
  postgresUpdate: 45_000,
  keyValueCreate: 60_000,
  keyValueUpdate: 45_000,
  deployQueue: 0,
  build: 60_000,
  preDeploy: 10_000,
  update: 30_000,
};

/**
 * Milliseconds, for tests. The build is long enough (400 ms) that a test can still cancel a deploy it
 * just created after a few requests.
 */
export const FAST_TIMINGS: Readonly<Timings> = {
  postgresCreate: 100,
  postgresUpdate: 100,
  keyValueCreate: 100,
  keyValueUpdate: 100,
  deployQueue: 0,
  build: 400,
  preDeploy: 50,
  update: 100,
};

/** `"realistic"`, `"fast"`, or single durations over a preset (`base`, default realistic). */
export type TimingsOption = "realistic" | "fast" | (Partial<Timings> & { base?: "realistic" | "fast" });

/** The full timings of an option. */
export function resolveTimings(option: TimingsOption | undefined): Timings {
  if (option === undefined || option === "realistic") return { ...REALISTIC_TIMINGS };
  if (option === "fast") return { ...FAST_TIMINGS };
  const { base, ...rest } = option;
  return { ...(base === "fast" ? FAST_TIMINGS : REALISTIC_TIMINGS), ...checkTimingsPatch(rest) };
}

/**
 * Validates a partial timings object (control API `PUT /_emulator/timings`).
 * @throws ApiError 400 naming an unknown key or a bad value.
 */
export function checkTimingsPatch(body: unknown): Partial<Timings> {
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    throw badRequest("timings must be an object");
  }
  const out: Partial<Timings> = {};
  for (const [key, value] of Object.entries(body)) {
    if (!(key in REALISTIC_TIMINGS)) {
      throw badRequest(`unknown timing ${key}: must be one of ${Object.keys(REALISTIC_TIMINGS).join(", ")}`);
    }
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
      throw badRequest(`timing ${key} must be a number of milliseconds >= 0`);
    }
    out[key as keyof Timings] = value;
  }
  return out;
}
