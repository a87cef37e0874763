/**
 * Render's published rate limits (REFERENCE.md §1), as fixed windows on the emulator clock:
 * GET 400/min; POST /services 20/hour; PATCH service and POST deploy/suspend/resume (and scale, whose
 * observed Ratelimit-Limit is 10) 10/min per service; every other write 30/min.
 * `timeScale` scales the windows (0.01: a minute lasts 0.6 s).
 */

/** The rate-limit state of one request, for the Ratelimit-* headers. */
export interface RateDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the window resets (what Render sends, OBSERVED as 0–59 rather than epoch). */
  resetSeconds: number;
}

/** Rate-limit settings (control API `PUT /_emulator/rate-limits`). */
export interface RateLimitSettings {
  enabled: boolean;
  timeScale: number;
}

interface Bucket {
  name: string;
  limit: number;
  windowMs: number;
}

const MINUTE = 60_000;
const HOUR = 3_600_000;

/** Which published limit a request falls under (the path is the full `/v1/...` path). */
export function bucketOf(method: string, path: string): Bucket {
  const m = method.toUpperCase();
  const p = path.replace(/\/+$/, "");
  if (m === "GET" || m === "HEAD") return { name: "get", limit: 400, windowMs: MINUTE };
  if (m === "POST" && p === "/v1/services") return { name: "create-service", limit: 20, windowMs: HOUR };
  // OBSERVED (terraform-provider-render keyvalue cassette, 2026-06): Ratelimit-Limit 20, Reset ~2000 s.
  if (m === "POST" && p === "/v1/key-value") return { name: "create-key-value", limit: 20, windowMs: HOUR };
  const service = /^\/v1\/services\/([^/]+)(?:\/(deploys|suspend|resume|scale))?$/.exec(p);
  if (service && ((m === "PATCH" && !service[2]) || (m === "POST" && service[2]))) {
    return { name: `service:${service[1]}`, limit: 10, windowMs: MINUTE };
  }
  return { name: "write", limit: 30, windowMs: MINUTE };
}

/** Fixed-window counters per API key and bucket. */
export class RateLimiter {
  private windows = new Map<string, { start: number; count: number }>();

  constructor(
    public settings: RateLimitSettings,
    private readonly now: () => number,
  ) {}

  /** Counts the request (when enabled and under the limit) and says whether it may go on. */
  consume(key: string, method: string, path: string): RateDecision {
    return this.decide(key, method, path, true);
  }

  /** The headers' values without counting (for requests that never reach a handler, e.g. 401). */
  peek(key: string, method: string, path: string): RateDecision {
    return this.decide(key, method, path, false);
  }

  /** Changes the settings; counters restart. */
  configure(settings: Partial<RateLimitSettings>): RateLimitSettings {
    this.settings = { ...this.settings, ...settings };
    this.windows.clear();
    return this.settings;
  }

  /** Forgets every counter. */
  reset(): void {
    this.windows.clear();
  }

  private decide(key: string, method: string, path: string, count: boolean): RateDecision {
    const bucket = bucketOf(method, path);
    const windowMs = Math.max(1, bucket.windowMs * this.settings.timeScale);
    const now = this.now();
    const id = `${key}\u0000${bucket.name}`;
    let window = this.windows.get(id);
    if (!window || now >= window.start + windowMs) {
      window = { start: now, count: 0 };
      if (count) this.windows.set(id, window);
    }
    const resetSeconds = Math.max(0, Math.ceil((window.start + windowMs - now) / 1000));
    if (!this.settings.enabled) {
      return { allowed: true, limit: bucket.limit, remaining: bucket.limit, resetSeconds };
    }
    if (window.count >= bucket.limit) {
      return { allowed: false, limit: bucket.limit, remaining: 0, resetSeconds };
    }
    if (count) window.count++;
    return { allowed: true, limit: bucket.limit, remaining: bucket.limit - window.count, resetSeconds };
  }
}
