/**
 * Retry decisions, pure: which outcomes may be repeated and how long to wait first.
 */
import { failedBeforeSending, isRetryableStatus } from "./errors";

/** Bounds of the retry loop. */
export interface RetryPolicy {
  /** Attempts in total, the first one included. */
  maxAttempts: number;
  /** Give up rather than start an attempt (or a wait) that would end later than this after the first. */
  maxElapsedMs: number;
  /** First back-off step for 5xx and socket errors; doubles per attempt. */
  baseDelayMs: number;
  /** Largest back-off step (a 429's own reset time is not capped by this). */
  maxDelayMs: number;
}

/** Defaults: 6 attempts within 3 minutes, back-off 0.5 s doubling up to 30 s. */
export function defaultRetryPolicy(): RetryPolicy {
  return { maxAttempts: 6, maxElapsedMs: 180_000, baseDelayMs: 500, maxDelayMs: 30_000 };
}

/** What came back from one attempt that was not a success. */
export type AttemptFailure =
  | { kind: "status"; status: number; headers: Record<string, string | string[] | undefined> }
  | { kind: "network"; code: string | undefined };

/** GET, HEAD, PUT, DELETE and OPTIONS may be repeated; POST and PATCH are not assumed safe to repeat. */
export function isIdempotent(method: string): boolean {
  return ["GET", "HEAD", "PUT", "DELETE", "OPTIONS"].includes(method.toUpperCase());
}

/**
 * May this failure be retried? Repeatable requests (by default the idempotent methods): on
 * 408/429/5xx and any socket error. Others (POST, PATCH): only when certainly not applied: a 429
 * (refused), or a socket error before sending.
 */
export function shouldRetry(
  method: string,
  failure: AttemptFailure,
  repeatable: boolean = isIdempotent(method),
): boolean {
  if (failure.kind === "status") {
    if (failure.status === 429) return true;
    return repeatable && isRetryableStatus(failure.status);
  }
  return repeatable || failedBeforeSending(failure.code);
}

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

// No reset above an hour is believable (the longest Render window is POST /services, 1 hour).
const maxHeaderDelayMs = 3_600_000;
// Seconds-left and epoch seconds are told apart by size: no epoch second is below this (2001).
const epochThreshold = 1_000_000_000;

/**
 * How long the server asks us to wait, from `Retry-After` (seconds or HTTP date) or else
 * `Ratelimit-Reset`. Render documents Reset as UTC epoch seconds but was OBSERVED sending seconds
 * left in the window (0–59); both are accepted, told apart by magnitude. Undefined when neither
 * header is usable.
 */
export function serverDelayMs(
  headers: Record<string, string | string[] | undefined>,
  nowMs: number,
  useRateLimitReset = true,
): number | undefined {
  const retryAfter = header(headers, "retry-after")?.trim();
  if (retryAfter) {
    if (/^\d+(\.\d+)?$/.test(retryAfter)) return Math.min(Number(retryAfter) * 1000, maxHeaderDelayMs);
    const date = Date.parse(retryAfter);
    if (!Number.isNaN(date)) return clamp(date - nowMs);
  }
  const reset = useRateLimitReset ? header(headers, "ratelimit-reset")?.trim() : undefined;
  if (reset && /^\d+(\.\d+)?$/.test(reset)) {
    const n = Number(reset);
    if (n >= epochThreshold) return clamp(n * 1000 - nowMs);
    // Seconds left are whole seconds, so the true rest can be up to a second more.
    return Math.min((n + 1) * 1000, maxHeaderDelayMs);
  }
  return undefined;
}

function clamp(ms: number): number {
  return Math.min(Math.max(ms, 0), maxHeaderDelayMs);
}

/** Exponential back-off with "equal jitter": half the step fixed, half random. `attempt` starts at 1. */
export function backoffMs(attempt: number, policy: RetryPolicy, random: () => number): number {
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return step / 2 + random() * (step / 2);
}

/**
 * Wait before the next attempt: the server's word when it gives one (429: Retry-After or
 * Ratelimit-Reset; 503: Retry-After only, since Ratelimit-* describe the rate window, not the outage),
 * else back-off.
 */
export function retryDelayMs(
  failure: AttemptFailure,
  attempt: number,
  policy: RetryPolicy,
  nowMs: number,
  random: () => number,
): number {
  if (failure.kind === "status" && (failure.status === 429 || failure.status === 503)) {
    const fromServer = serverDelayMs(failure.headers, nowMs, failure.status === 429);
    if (fromServer !== undefined) return fromServer;
  }
  return backoffMs(attempt, policy, random);
}
