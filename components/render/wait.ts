/**
 * Polling until a Render object settles, with an injected clock and sleep (tests run at full speed).
 */
import type { RenderClient } from "./client";
import { terminalDeployStatuses, type Deploy, type Postgres } from "./schemas";

/** How long and how often to poll. */
export interface WaitOptions {
  /** Give up after this long, in ms. */
  timeoutMs: number;
  /** Pause between polls, in ms. */
  intervalMs: number;
  /** Clock in ms. Default `Date.now`. */
  now?: () => number;
  /** Sleep. Default a timer. */
  sleep?: (ms: number) => Promise<void>;
  /**
   * Ramp: wait this long before the first poll (the object has just changed, a poll at once only
   * sees that), then double the pause up to `intervalMs`. Short lifecycles are still seen within a
   * second or so, long ones are polled at `intervalMs` (bench P3: polls per minute). Default: poll at
   * once, then every `intervalMs`.
   */
  rampFromMs?: number;
}

/** Polling ran out of time; `lastSeen` says where the object stood. */
export class WaitTimeoutError extends Error {
  /** Short description of the last state seen, e.g. `status creating`. */
  readonly lastSeen: string | undefined;

  constructor(what: string, timeoutMs: number, lastSeen: string | undefined) {
    const message =
      `timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}` +
      (lastSeen ? ` (last seen: ${lastSeen})` : "");
    super(message);
    this.name = "WaitTimeoutError";
    this.lastSeen = lastSeen;
  }
}

/** The object reached a state it will not leave on its own (e.g. a failed recovery). */
export class WaitFailedError extends Error {
  constructor(what: string, state: string) {
    super(`gave up waiting for ${what}: it is ${state}`);
    this.name = "WaitFailedError";
  }
}

/** What a poll saw. */
export interface PollResult<T> {
  /** Stop and resolve with `value`. */
  done: boolean;
  /** Stop and reject: the state will not change on its own. */
  failed?: string;
  /** The object polled. */
  value: T;
  /** Short description for messages, e.g. `status creating`. */
  state: string;
}

/**
 * Poll until `poll` says done (resolve), failed (reject with `WaitFailedError`) or time runs out
 * (reject with `WaitTimeoutError`). Errors of `poll` itself propagate (the client already retried).
 */
export async function pollUntil<T>(
  what: string,
  poll: () => Promise<PollResult<T>>,
  options: WaitOptions,
): Promise<T> {
  const now = options.now ?? (() => Date.now());
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const deadline = now() + options.timeoutMs;
  let lastSeen: string | undefined;
  let pause =
    options.rampFromMs === undefined ? options.intervalMs : Math.min(options.rampFromMs, options.intervalMs);
  if (options.rampFromMs !== undefined) await sleep(Math.min(pause, Math.max(0, deadline - now())));
  for (;;) {
    const result = await poll();
    lastSeen = result.state;
    if (result.done) return result.value;
    if (result.failed !== undefined) throw new WaitFailedError(what, result.failed);
    const left = deadline - now();
    if (left <= 0) throw new WaitTimeoutError(what, options.timeoutMs, lastSeen);
    if (options.rampFromMs !== undefined) pause = Math.min(pause * 2, options.intervalMs);
    await sleep(Math.min(pause, left));
  }
}

/** Wait until a database is `available`. Fails early on `recovery_failed` or `suspended`. */
export function waitForPostgresAvailable(
  client: Pick<RenderClient, "getPostgres">,
  postgresId: string,
  options: WaitOptions,
): Promise<Postgres> {
  return pollUntil(
    `database ${postgresId} to become available`,
    async () => {
      const db = await client.getPostgres(postgresId);
      const stuck = db.status === "recovery_failed" || db.status === "suspended";
      return {
        done: db.status === "available",
        failed: stuck ? db.status : undefined,
        value: db,
        state: `status ${db.status}`,
      };
    },
    options,
  );
}

/** True for a deploy status that will not change any more. */
export function isTerminalDeployStatus(status: string | undefined): boolean {
  return (terminalDeployStatuses as readonly string[]).includes(status ?? "");
}

/**
 * Wait until a deploy reaches a terminal status and resolve with it; the caller decides what
 * `build_failed` or `canceled` means for it. Only `live` is a success. `onPoll` sees every deploy
 * read, the last one included (e.g. to write progress lines).
 */
export function waitForDeploy(
  client: Pick<RenderClient, "getDeploy">,
  serviceId: string,
  deployId: string,
  options: WaitOptions & { onPoll?: (deploy: Deploy) => void },
): Promise<Deploy> {
  return pollUntil(
    `deploy ${deployId} of service ${serviceId} to finish`,
    async () => {
      const deploy = await client.getDeploy(serviceId, deployId);
      options.onPoll?.(deploy);
      return {
        done: isTerminalDeployStatus(deploy.status),
        value: deploy,
        state: `status ${deploy.status ?? "none"}`,
      };
    },
    options,
  );
}
