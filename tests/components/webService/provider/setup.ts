/**
 * Shared set-up of the RenderWebService provider specs in this folder: one emulator for the run with
 * one database (a real PGlite) serving every linked env var, a configured provider per test, and
 * services under a fresh name per test. Call `useWebServiceEmulator()` inside the file's top `describe`: it
 * registers the hooks and returns the fixture, whose fields are set once the hooks have run.
 */
import { strict as assert } from "node:assert";
import { startEmulator } from "../../../../emulator";
import { WebServiceProvider, type WebServiceOutputs } from "../../../../components/webService/provider";
import type { ServiceInputs } from "../../../../components/webService/mapping";
import { RateBudget } from "../../../../components/render/budget";
import { eventually } from "../../../emulator/harness";
import { call, checked, configured } from "../../../helpers/providers";

export type Emulator = Awaited<ReturnType<typeof startEmulator>>;

export interface LoggedRequest {
  method: string;
  path: string;
  status: number;
}

export interface LiveService {
  id: string;
  name: string;
  repo: string;
  branch: string;
  rootDir: string;
  autoDeploy: string;
  suspended: string;
  serviceDetails: {
    runtime: string;
    plan: string;
    region: string;
    healthCheckPath: string;
    numInstances: number;
    url: string;
    pullRequestPreviewsEnabled: string;
    previews: { generation: string };
    envSpecificDetails: { buildCommand: string; startCommand: string; preDeployCommand?: string };
  };
}

export interface ConnectionInfo {
  password: string;
  internalConnectionString: string;
  externalConnectionString: string;
}

/** What the hooks set: read them inside tests (or a later hook), never at describe time. */
export interface WebServiceState {
  emu: Emulator;
  provider: WebServiceProvider;
  databaseId: string;
  info: ConnectionInfo;
  /** The current test's number: services are named `arrakis-web-${n}`. */
  n: number;
}

/** Services are named by a counter of the whole run: names never repeat within a process. */
let testNumber = 0;

/** An emulator and a database for one file's tests. */
async function startEmulatorWithDatabase(): Promise<Pick<WebServiceState, "emu" | "databaseId" | "info">> {
  const emu = await startEmulator({ port: 0, timings: "fast", rateLimits: { enabled: false } });
  const api = (method: string, path: string, body?: unknown) =>
    call(emu.url, method, path, { apiKey: emu.apiKey, body });
  // The providers' process-wide client budget keeps Render's limits (20 service creates an hour):
  // these files create ~50 services, so their budget runs Render's table at 1/100 of the time and
  // one create window of a minute.
  const registry = ((globalThis as unknown as Record<symbol, Map<string, RateBudget>>)[
    Symbol.for("arrakis.render.rateBudgets")
  ] ??= new Map());
  registry.set(
    emu.url.replace(/\/+$/, ""),
    new RateBudget({ timeScale: 0.01, limits: { createService: { limit: 20, windowMs: 60_000 } } }),
  );
  const created = await api("POST", "/postgres", {
    name: "web-spec-db",
    ownerId: emu.ownerId,
    plan: "basic_256mb",
    version: "17",
    databaseName: "arrakis_production",
    databaseUser: "arrakis_prod_user",
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const databaseId = (created.body as { id: string }).id;
  await eventually(
    async () =>
      ((await api("GET", `/postgres/${databaseId}`)).body as { status: string }).status === "available",
    `database ${databaseId} to be available`,
    50_000,
  );
  const info = (await api("GET", `/postgres/${databaseId}/connection-info`)).body as ConnectionInfo;
  return { emu, databaseId, info };
}

/**
 * Registers the hooks of one spec file (call it in the file's top `describe`) and returns its
 * fixture: `state`, filled by the hooks, and helpers that read and write through the emulator.
 */
export function useWebServiceEmulator() {
  const state = {} as WebServiceState;

  const api = (method: string, path: string, body?: unknown) =>
    call(state.emu.url, method, path, { apiKey: state.emu.apiKey, body });
  const requests = async () => (await call(state.emu.controlUrl, "GET", "/requests")).body as LoggedRequest[];
  /** Every request but GETs since the log was last cleared. */
  const writes = async () => (await requests()).filter((r) => r.method !== "GET");
  const service = async (id: string) => (await api("GET", `/services/${id}`)).body as LiveService;
  const services = async () =>
    ((await api("GET", "/services?limit=100")).body as { service: LiveService }[]).map((e) => e.service);
  /** A service's env vars as key -> value. */
  async function env(id: string): Promise<Record<string, string>> {
    const { body } = await api("GET", `/services/${id}/env-vars?limit=100`);
    return Object.fromEntries(
      (body as { envVar: { key: string; value: string } }[]).map((e) => [e.envVar.key, e.envVar.value]),
    );
  }

  // One emulator per file: with `mocha --parallel` a worker runs several files in one process and
  // loads this module once, so an emulator shared through module state and closed by a root-level
  // hook was closed at the first file's end while the next file still used it.
  before(async () => {
    Object.assign(state, await startEmulatorWithDatabase());
  });
  after(async () => {
    await state.emu?.close();
  });
  beforeEach(async () => {
    await call(state.emu.controlUrl, "DELETE", "/faults");
    await call(state.emu.controlUrl, "DELETE", "/requests");
    state.provider = await configured(new WebServiceProvider(), state.emu);
    state.n = ++testNumber;
  });

  /** The seed service (issue 6) under a fresh name, with overrides. */
  function args(overrides: Record<string, unknown> = {}): Record<string, unknown> {
    return {
      name: `arrakis-web-${state.n}`,
      ownerId: state.emu.ownerId,
      repo: "https://github.com/happydotemdr/arrakis",
      branch: "master",
      runtime: "node",
      plan: "starter",
      region: "oregon",
      buildCommand: "npm install && npm run build",
      startCommand: "npm start",
      healthCheckPath: "/",
      autoDeploy: false,
      envVars: {},
      ...overrides,
    };
  }

  /** Checks `args(overrides)` and creates the service. */
  async function created(overrides: Record<string, unknown> = {}) {
    const inputs = await checked<ServiceInputs>(state.provider, args(overrides));
    const result = await state.provider.create(inputs);
    return { inputs, id: result.id, outs: result.outs as WebServiceOutputs };
  }

  /** Every env var kind, as `toEnvVarInputs` hands them to the provider. */
  const allKinds = () => ({
    NODE_ENV: { kind: "plain", value: "production" },
    OPENAI_API_KEY: { kind: "secret", value: "sk-test-openai-secret-value" },
    NEXTAUTH_SECRET: { kind: "generated" },
    NEXTAUTH_URL: { kind: "serviceUrl" },
    DATABASE_URL: { kind: "linked", database: state.databaseId, property: "connectionString" },
    DIRECT_URL: { kind: "linked", database: state.databaseId, property: "connectionString" },
  });

  return { state, api, requests, writes, service, services, env, args, created, allKinds };
}

/** The fixture one `useWebServiceEmulator()` returns. */
export type WebServiceFixture = ReturnType<typeof useWebServiceEmulator>;
