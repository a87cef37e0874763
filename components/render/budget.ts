/**
 * Client-side rate budget: keeps all requests of one process under Render's published rate limits
 * (REFERENCE.md §1), so a burst waits for its turn instead of collecting 429s.
 */

/** A limit of `limit` requests per `windowMs`. */
export interface RateLimit {
  /** Requests allowed per window. */
  limit: number;
  /** Window length in milliseconds (before time scaling). */
  windowMs: number;
}

/** The buckets of Render's published table. */
export interface RenderRateLimits {
  /** All GETs: 400 per minute. */
  get: RateLimit;
  /** All other POST/PATCH/PUT/DELETE: 30 per minute. */
  write: RateLimit;
  /** `POST /services`: 20 per hour. */
  createService: RateLimit;
  /**
   * `POST /key-value`: 20 per hour. Not in the published table: OBSERVED (Ratelimit-Limit 20, reset ~2000 s,
   * render-oss/terraform-provider-render's Key Value cassette, 2026-06), as the emulator models it.
   */
  createKeyValue: RateLimit;
  /** PATCH service, deploy, suspend, resume (and scale, rollback): 10 per minute, per service. */
  serviceWrite: RateLimit;
}

/** Render's published limits. */
export function renderRateLimits(): RenderRateLimits {
  return {
    get: { limit: 400, windowMs: 60_000 },
    write: { limit: 30, windowMs: 60_000 },
    createService: { limit: 20, windowMs: 3_600_000 },
    createKeyValue: { limit: 20, windowMs: 3_600_000 },
    serviceWrite: { limit: 10, windowMs: 60_000 },
  };
}

/** Options of a `RateBudget`. */
export interface RateBudgetOptions {
  /** Override single limits (tests, or a stricter plan). */
  limits?: Partial<RenderRateLimits>;
  /** Multiply every window by this (e.g. 0.01 to match an emulator whose minute lasts 0.6 s). Default 1. */
  timeScale?: number;
  /** Clock in milliseconds. Default `Date.now`. */
  now?: () => number;
  /** Sleep. Default a timer. */
  sleep?: (ms: number) => Promise<void>;
  /** Extra wait added to every computed slot, against timer and clock rounding. Default 5 ms. */
  safetyMs?: number;
}

/** Which limit applies and which bucket instance (per-service buckets are separate). */
export interface BucketKey {
  /** The limit kind. */
  kind: keyof RenderRateLimits;
  /** Bucket identity, e.g. `get` or `service:srv-123`. */
  id: string;
}

/** Called when the request has finished (response or error), with the finishing time. */
export type ReleaseSlot = () => void;

/** The bucket(s) a request counts against, from its method and path below the base URL. */
export function bucketsFor(method: string, path: string): BucketKey[] {
  const m = method.toUpperCase();
  const segments = path.split("?")[0].split("/").filter(Boolean);
  if (m === "GET" || m === "HEAD") return [{ kind: "get", id: "get" }];
  if (m === "POST" && segments.length === 1 && segments[0] === "key-value")
    return [{ kind: "createKeyValue", id: "createKeyValue" }];
  if (segments[0] === "services") {
    if (m === "POST" && segments.length === 1) return [{ kind: "createService", id: "createService" }];
    const serviceId = segments[1];
    const action = segments[2];
    const perService = { kind: "serviceWrite", id: `service:${serviceId}` } as const;
    // Published: PATCH service, POST deploys/resume/suspend. Scale is not in the table but showed
    // Ratelimit-Limit 10 (OBSERVED), so it is per service.
    if (
      (m === "PATCH" && segments.length === 2) ||
      (m === "POST" && segments.length === 3 && ["deploys", "resume", "suspend", "scale"].includes(action))
    ) {
      return [perService];
    }
    // Rollback makes a deploy but is not in the table (UNCONFIRMED which limit applies): count it
    // against both the per-service and the general write limit, the safe side.
    if (m === "POST" && segments.length === 3 && action === "rollback") {
      return [perService, { kind: "write", id: "write" }];
    }
  }
  return [{ kind: "write", id: "write" }];
}

interface Bucket {
  limit: number;
  windowMs: number;
  /** Finishing time of the last `limit` requests, by slot (slot = sequence number mod limit). */
  ring: (Promise<number> | undefined)[];
  next: number;
  heldUntil: number;
}

/** Render's published limit of a request in words: `20 POST /services per hour`. */
export function describeLimit(method: string, path: string): string {
  const kind = bucketsFor(method, path)[0].kind;
  const { limit, windowMs } = renderRateLimits()[kind];
  const per = windowMs >= 3_600_000 ? "hour" : windowMs >= 60_000 ? "minute" : `${windowMs} ms`;
  const what: Record<keyof RenderRateLimits, string> = {
    get: "GET requests",
    write: "writes",
    createService: "POST /services",
    createKeyValue: "POST /key-value",
    serviceWrite: "changes and deploys of one service",
  };
  return `${limit} ${what[kind]} per ${per}`;
}

/**
 * A request the budget would have to hold longer than its caller waits: not sent. `untilMs` is the
 * earliest time it may start (the limit's window, or Render's own wait after a 429).
 */
export class RateBudgetExceeded extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly untilMs: number,
    readonly limit: RateLimit,
    /** How long from the moment it was refused. */
    readonly waitMs: number,
  ) {
    super(`${method} ${path} may not start before ${new Date(untilMs).toISOString()} (rate limit)`);
    this.name = "RateBudgetExceeded";
  }
}

/**
 * A sliding-window budget per bucket: the request in slot k may start only a full window after the
 * request in slot k-limit has *finished*. Measuring from the finish (which is after Render counted
 * it) keeps us under any sliding or fixed window however requests queue or reorder in the pool.
 * (A classic token bucket refilling limit/window would allow 2x the limit in the first window.)
 */
export class RateBudget {
  private readonly limits: RenderRateLimits;
  private readonly timeScale: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly safetyMs: number;
  private readonly buckets: Map<string, Bucket>;

  constructor(options: RateBudgetOptions = {}) {
    this.limits = { ...renderRateLimits(), ...options.limits };
    this.timeScale = options.timeScale ?? 1;
    this.now = options.now ?? (() => Date.now());
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.safetyMs = options.safetyMs ?? 5;
    this.buckets = new Map();
  }

  /**
   * Wait until the request may start, then return the function to call when it has finished.
   * Slots are taken synchronously, so concurrent callers are served in call order. A request that
   * could not start within `maxWaitMs` (an hourly limit used up, or a long hold after a 429) is not
   * waited for: {@link RateBudgetExceeded} says when it could start instead.
   */
  async acquire(method: string, path: string, maxWaitMs = Infinity): Promise<ReleaseSlot> {
    const keys = bucketsFor(method, path);
    const waits: { key: BucketKey; bucket: Bucket; previous: Promise<number> | undefined }[] = [];
    const finishes: ((at: number) => void)[] = [];
    for (const key of keys) {
      const bucket = this.bucket(key);
      const slot = bucket.next % bucket.limit;
      bucket.next += 1;
      const previous = bucket.ring[slot];
      let finish!: (at: number) => void;
      bucket.ring[slot] = new Promise<number>((resolve) => (finish = resolve));
      finishes.push(finish);
      waits.push({ key, bucket, previous });
    }
    let released = false;
    const release: ReleaseSlot = () => {
      if (released) return;
      released = true;
      const at = this.now();
      for (const finish of finishes) finish(at);
    };
    const deadline = this.now() + maxWaitMs;
    try {
      for (;;) {
        let startAt = 0;
        let limiting = waits[0].key;
        for (const { key, bucket, previous } of waits) {
          const from = Math.max(
            previous === undefined ? 0 : (await previous) + bucket.windowMs,
            bucket.heldUntil,
          );
          if (from > startAt) [startAt, limiting] = [from, key];
        }
        const wait = startAt - this.now();
        if (wait <= 0) break;
        if (startAt > deadline)
          throw new RateBudgetExceeded(method, path, startAt, this.limits[limiting.kind], wait);
        await this.sleep(wait + this.safetyMs);
        // Loop: a hold may have been placed while we slept.
      }
    } catch (err) {
      // Counted as if sent (the safe side): the slot's next user waits a window from now.
      release();
      throw err;
    }
    return release;
  }

  /**
   * Stop the bucket(s) of this request from starting anything before `untilMs` (Render said so with
   * a 429's Retry-After / Ratelimit-Reset).
   */
  hold(method: string, path: string, untilMs: number): void {
    for (const key of bucketsFor(method, path)) {
      const bucket = this.bucket(key);
      bucket.heldUntil = Math.max(bucket.heldUntil, untilMs);
    }
  }

  /** The effective window of a limit kind after time scaling, in ms. */
  windowMs(kind: keyof RenderRateLimits): number {
    return this.limits[kind].windowMs * this.timeScale;
  }

  private bucket(key: BucketKey): Bucket {
    let bucket = this.buckets.get(key.id);
    if (!bucket) {
      const { limit } = this.limits[key.kind];
      bucket = { limit, windowMs: this.windowMs(key.kind), ring: new Array(limit), next: 0, heldUntil: 0 };
      this.buckets.set(key.id, bucket);
    }
    return bucket;
  }
}

// Symbol.for on globalThis, not a module variable: a process may load this module more than once (the
// providers package bundles its own copy), and the budget must still be one per process.
function registryKey(): symbol {
  return Symbol.for("arrakis.render.rateBudgets");
}

/** The process-wide budget for a base URL (created on first use, with real time). */
export function sharedRateBudget(baseUrl: string, timeScale = 1): RateBudget {
  const holder = globalThis as unknown as Record<symbol, Map<string, RateBudget> | undefined>;
  let registry = holder[registryKey()];
  if (!registry) {
    registry = new Map();
    holder[registryKey()] = registry;
  }
  // One budget per base URL and time scale (a scale other than 1 is only for a time-scaled emulator).
  const key = timeScale === 1 ? baseUrl : `${baseUrl}|${timeScale}`;
  let budget = registry.get(key);
  if (!budget) {
    budget = new RateBudget({ timeScale });
    registry.set(key, budget);
  }
  return budget;
}
