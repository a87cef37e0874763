/**
 * Shared set-up of the client's integration tests: an emulator, its control API, and clients with
 * zero-time sleeps that record what they were asked to wait.
 */
import { request } from "undici";
import { startEmulator } from "../../../../emulator";
import { RenderClient, type RenderClientOptions } from "../../../../components/render/client";

/** A running emulator as `startEmulator` returns it. */
export type Emulator = Awaited<ReturnType<typeof startEmulator>>;

/** One entry of the emulator's request log. */
export interface LoggedRequest {
  method: string;
  path: string;
  /** Query string without `?`. */
  query: string;
  /** 0 when the socket was reset before an answer. */
  status: number;
}

/** A fault as the emulator's control API takes it. */
export interface Fault {
  method?: string;
  path: string;
  count?: number;
  fault:
    | { kind: "status"; status: number; body?: unknown; retryAfter?: number }
    | { kind: "delay"; ms: number }
    | { kind: "reset" }
    | { kind: "lose-response" };
}

/** Call the emulator's control API. */
export async function control(emu: Emulator, method: string, path: string, body?: unknown): Promise<unknown> {
  const res = await request(`${emu.controlUrl}${path}`, {
    method: method as "GET",
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.body.text();
  if (res.statusCode >= 300) throw new Error(`control ${method} ${path}: ${res.statusCode} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

/** Inject a fault. */
export function addFault(emu: Emulator, fault: Fault): Promise<unknown> {
  return control(emu, "POST", "/faults", fault);
}

/** The request log, optionally only `method path` matches. */
export async function requestLog(emu: Emulator, method?: string, path?: string): Promise<LoggedRequest[]> {
  const log = (await control(emu, "GET", "/requests")) as LoggedRequest[];
  return log.filter((r) => (!method || r.method === method) && (!path || r.path === path));
}

/** Start an emulator with fast lifecycles and (unless asked) no rate limits. */
export function emulator(rateLimits = false): Promise<Emulator> {
  return startEmulator({ port: 0, timings: "fast", rateLimits: { enabled: rateLimits, timeScale: 1 } });
}

/** A client of the emulator whose sleeps take no time and are recorded in `sleeps`. */
export function clientOf(
  emu: Emulator,
  extra: Partial<RenderClientOptions> = {},
): { client: RenderClient; sleeps: number[] } {
  const sleeps: number[] = [];
  const client = new RenderClient({
    apiKey: emu.apiKey,
    baseUrl: emu.url,
    budget: false,
    random: () => 0,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    ...extra,
  });
  return { client, sleeps };
}

/** Real short sleeps for polling the emulator's millisecond lifecycles. */
export const fastPoll = { timeoutMs: 20_000, intervalMs: 20 };
