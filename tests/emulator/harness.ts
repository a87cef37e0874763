/**
 * Shared set-up of the emulator's own tests: a started emulator, a /v1 caller, the control API, and a
 * database backend whose readiness a test controls (for the "available only once the real database is
 * up" rule; everything else uses the real backend).
 */
import { strict as assert } from "node:assert";
import { startEmulator, type EmulatorOptions, type RunningEmulator } from "../../emulator";
import type { DatabaseBackend, DatabaseHandle } from "../../emulator/databases";
import { callApi, type RawResponse } from "../helpers/http";

/** A /v1 caller bound to one emulator and its key. */
export type Api = (
  method: string,
  path: string,
  body?: unknown,
  apiKey?: string | null,
) => Promise<RawResponse>;

/** Starts an emulator with fast timings and no rate limits unless told otherwise. */
export function start(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  return startEmulator({
    port: 0,
    timings: "fast",
    rateLimits: { enabled: false, timeScale: 1 },
    ...options,
  });
}

/** Calls `/v1` of `emu` with its key (or the given one; null = none). */
export function apiOf(emu: RunningEmulator): Api {
  return (method, path, body, apiKey = emu.apiKey) => callApi(emu.url, method, path, { apiKey, body });
}

/** Calls the control API; asserts a 2xx. */
export async function control(
  emu: RunningEmulator,
  method: string,
  path: string,
  body?: unknown,
): Promise<unknown> {
  const response = await callApi(emu.controlUrl, method, path, { apiKey: null, body });
  assert.ok(response.status < 300, `control ${method} ${path} -> ${response.status} ${response.text}`);
  return response.body;
}

/** Asserts a status, showing the body when it differs. */
export function expectStatus(response: RawResponse, status: number): void {
  assert.equal(
    response.status,
    status,
    `expected ${status}, got ${response.status}: ${response.text.slice(0, 300)}`,
  );
}

/** The body of a 400 must name `field` in its message. */
export function expect400Naming(response: RawResponse, ...words: string[]): void {
  expectStatus(response, 400);
  const message = (response.body as { message?: string }).message ?? "";
  for (const word of words)
    assert.ok(message.includes(word), `400 message ${JSON.stringify(message)} names ${word}`);
}

/** A web service create body. */
export function webServiceBody(
  ownerId: string,
  name: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    type: "web_service",
    name,
    ownerId,
    repo: "https://github.com/example/arrakis",
    branch: "main",
    autoDeploy: "no",
    ...extra,
    serviceDetails: {
      runtime: "node",
      plan: "starter",
      healthCheckPath: "/healthz",
      envSpecificDetails: { buildCommand: "npm ci", startCommand: "npm start" },
      ...((extra.serviceDetails as object | undefined) ?? {}),
    },
  };
}

/** Polls `fn` until it returns a truthy value (real short sleeps for millisecond lifecycles). */
export async function eventually<T>(
  fn: () => Promise<T | undefined | false>,
  what: string,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    assert.ok(Date.now() < deadline, `timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A fake database backend: `provision` resolves only when the test calls `release`. */
export class GatedBackend implements DatabaseBackend {
  private readonly gates = new Map<string, () => void>();
  readonly provisioned: string[] = [];
  readonly dropped: string[] = [];

  provision(spec: {
    id: string;
    databaseName: string;
    user: string;
    password: string;
  }): Promise<DatabaseHandle> {
    this.provisioned.push(spec.id);
    return new Promise((resolve) => {
      this.gates.set(spec.id, () =>
        resolve({
          host: "127.0.0.1",
          port: 5,
          databaseName: spec.databaseName,
          user: spec.user,
          password: spec.password,
        }),
      );
    });
  }

  /** Lets the database of `id` come up. */
  release(id: string): void {
    const gate = this.gates.get(id);
    assert.ok(gate, `no pending provision of ${id}`);
    gate();
  }

  /** Lets every pending database come up (before closing the emulator, which waits for them). */
  releaseAll(): void {
    for (const gate of this.gates.values()) gate();
  }

  async drop(id: string): Promise<void> {
    this.dropped.push(id);
  }

  async close(): Promise<void> {}
}
