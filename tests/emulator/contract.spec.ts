/**
 * Contract test: every route the product uses, in success and error cases, against one emulator; every
 * response body is validated against Render's openapi.json by tests/helpers/openapi.ts, so a failure
 * names `METHOD /template`, the status and the failing field.
 *
 * The flow table runs top to bottom (later rows use ids saved by earlier ones). For the first row of each
 * route the error cases are generated: 401 without a key and with a wrong key, 404 with an unknown id
 * in the first path parameter, and 429 via an injected fault; they run before the success call, so they
 * must not change state. Hand-written 400/404 rows follow in `badInput`.
 */
import { strict as assert } from "node:assert";
import { startEmulator } from "../../emulator";
import type { DatabaseBackend } from "../../emulator/databases";
import { callApi, type RawResponse } from "../helpers/http";
import { ContractViolation, renderSpecValidator } from "../helpers/openapi";

type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
type Ctx = Record<string, string>;

/** One request of the table. `{name}` in path or body is replaced by a saved id. */
interface Row {
  method: Method;
  path: string;
  /** Expected status; several when Render may answer either. */
  status: number | readonly number[];
  body?: unknown;
  /** Save ids for later rows: context key -> JSON pointer into the response body. */
  save?: Record<string, string>;
  /** Poll (validating every answer) until the value at a JSON pointer equals this. */
  until?: readonly [pointer: string, value: unknown];
  /** A list must have at least this many items (so filters are not validated on empty arrays). */
  minItems?: number;
  /** Control API call instead of a /v1 call (not validated against the spec). */
  control?: true;
}

const POSTGRES = {
  name: "contract-db",
  ownerId: "{ownerId}",
  plan: "basic_256mb",
  version: "16",
  region: "oregon",
};
const WEB = {
  type: "web_service",
  name: "contract-web",
  ownerId: "{ownerId}",
  repo: "https://github.com/example/arrakis",
  branch: "main",
  autoDeploy: "no",
  envVars: [
    { key: "PLAIN", value: "1" },
    { key: "SESSION_SECRET", generateValue: true },
  ],
  serviceDetails: {
    runtime: "node",
    plan: "starter",
    region: "oregon",
    healthCheckPath: "/healthz",
    numInstances: 1,
    envSpecificDetails: { buildCommand: "npm ci", startCommand: "npm start" },
  },
};

/** A background worker built from a Dockerfile (docker `envSpecificDetails`). */
const WORKER = {
  type: "background_worker",
  name: "contract-worker",
  ownerId: "{ownerId}",
  repo: "https://github.com/example/arrakis",
  autoDeploy: "no",
  serviceDetails: {
    runtime: "docker",
    plan: "starter",
    region: "oregon",
    envSpecificDetails: { dockerfilePath: "./worker.Dockerfile", dockerContext: "worker" },
  },
};
/** Render autoscaling on CPU alone (openapi.json `webServiceDetails.autoscaling`). */
const AUTOSCALING = {
  enabled: true,
  min: 1,
  max: 3,
  criteria: { cpu: { enabled: true, percentage: 60 }, memory: { enabled: false, percentage: 70 } },
};
/** A private service deployed from an image. */
const PSERV = {
  type: "private_service",
  name: "contract-pserv",
  ownerId: "{ownerId}",
  image: { ownerId: "{ownerId}", imagePath: "docker.io/library/redis:7" },
  serviceDetails: {
    runtime: "image",
    plan: "standard",
    region: "frankfurt",
    maxShutdownDelaySeconds: 300,
    autoscaling: {
      ...AUTOSCALING,
      criteria: { ...AUTOSCALING.criteria, memory: { enabled: true, percentage: 80 } },
    },
  },
};
/** A native cron job. */
const CRON = {
  type: "cron_job",
  name: "contract-cron",
  ownerId: "{ownerId}",
  repo: "https://github.com/example/arrakis",
  serviceDetails: {
    runtime: "python",
    schedule: "*/15 * * * *",
    envSpecificDetails: { buildCommand: "pip install -r requirements.txt", startCommand: "python job.py" },
  },
};

// prettier-ignore
const flow: Row[] = [
  // Autoscaling (below) needs a Professional workspace.
  { method: "PUT", path: "/workspace", status: 200, body: { tier: "professional" }, control: true },
  { method: "GET", path: "/owners", status: 200, minItems: 1 },
  { method: "GET", path: "/owners?limit=1", status: 200, minItems: 1 },
  { method: "GET", path: "/owners/{ownerId}", status: 200 },

  { method: "POST", path: "/postgres", status: 201, body: { ...POSTGRES, ipAllowList: [{ cidrBlock: "10.0.0.0/8", description: "vpn" }] }, save: { postgresId: "/id" } },
  { method: "GET", path: "/postgres/{postgresId}", status: 200, until: ["/status", "available"] },
  { method: "GET", path: "/postgres", status: 200, minItems: 1 },
  { method: "GET", path: "/postgres?name=contract-db&region=oregon&suspended=not_suspended&ownerId={ownerId}&limit=5", status: 200, minItems: 1 },
  { method: "GET", path: "/postgres/{postgresId}/connection-info", status: 200 },
  { method: "PATCH", path: "/postgres/{postgresId}", status: 200, body: { name: "contract-db-2", ipAllowList: [] } },
  { method: "POST", path: "/postgres/{postgresId}/suspend", status: 202 },
  { method: "GET", path: "/postgres?suspended=suspended", status: 200, minItems: 1 },
  { method: "POST", path: "/postgres/{postgresId}/resume", status: 202 },
  { method: "PATCH", path: "/postgres/{postgresId}", status: 200, body: { plan: "basic_1gb", enableHighAvailability: false } },

  { method: "POST", path: "/services", status: 201, body: WEB, save: { serviceId: "/service/id", firstDeployId: "/deployId" } },
  { method: "GET", path: "/services/{serviceId}/deploys/{firstDeployId}", status: 200, until: ["/status", "live"] },
  { method: "GET", path: "/services", status: 200, minItems: 1 },
  { method: "GET", path: "/services?name=contract-web&type=web_service&region=oregon&suspended=not_suspended&ownerId={ownerId}&limit=5", status: 200, minItems: 1 },
  { method: "GET", path: "/services/{serviceId}", status: 200 },
  { method: "PATCH", path: "/services/{serviceId}", status: 200, body: { autoDeploy: "yes", serviceDetails: { healthCheckPath: "/health", plan: "standard" } } },

  { method: "GET", path: "/services/{serviceId}/env-vars", status: 200, minItems: 2 },
  { method: "PUT", path: "/services/{serviceId}/env-vars", status: 200, body: [{ key: "PLAIN", value: "2" }, { key: "GENERATED", generateValue: true }], minItems: 2 },
  { method: "GET", path: "/services/{serviceId}/env-vars?limit=1", status: 200, minItems: 1 },
  { method: "GET", path: "/services/{serviceId}/env-vars/PLAIN", status: 200 },
  { method: "PUT", path: "/services/{serviceId}/env-vars/ADDED", status: 200, body: { value: "x" } },
  { method: "PUT", path: "/services/{serviceId}/env-vars/ADDED_GENERATED", status: 200, body: { generateValue: true } },
  { method: "DELETE", path: "/services/{serviceId}/env-vars/ADDED", status: 204 },

  // A long build for this one deploy, so it is surely still cancelable on a loaded machine.
  { method: "PUT", path: "/timings", status: 200, body: { build: 600_000 }, control: true },
  { method: "POST", path: "/services/{serviceId}/deploys", status: 201, body: {}, save: { deployId: "/id" } },
  { method: "PUT", path: "/timings", status: 200, body: { build: 400 }, control: true },
  { method: "GET", path: "/services/{serviceId}/deploys/{deployId}", status: 200 },
  { method: "POST", path: "/services/{serviceId}/deploys/{deployId}/cancel", status: 200 },
  { method: "GET", path: "/services/{serviceId}/deploys/{deployId}", status: 200, until: ["/status", "canceled"] },
  { method: "GET", path: "/services/{serviceId}/deploys", status: 200, minItems: 2 },
  { method: "GET", path: "/services/{serviceId}/deploys?status=live&limit=5", status: 200, minItems: 1 },
  { method: "POST", path: "/services/{serviceId}/deploys", status: 201, body: { clearCache: "clear", commitId: "0123456789abcdef0123456789abcdef01234567" }, save: { secondDeployId: "/id" } },
  { method: "GET", path: "/services/{serviceId}/deploys/{secondDeployId}", status: 200, until: ["/status", "live"] },
  { method: "POST", path: "/services/{serviceId}/rollback", status: 201, body: { deployId: "{firstDeployId}" } },
  { method: "POST", path: "/services/{serviceId}/jobs", status: 201, body: { startCommand: "npm run seed" }, save: { jobId: "/id" } },
  { method: "GET", path: "/services/{serviceId}/jobs/{jobId}", status: 200, until: ["/status", "succeeded"] },
  { method: "GET", path: "/services/{serviceId}/jobs", status: 200, minItems: 1 },
  { method: "GET", path: "/services/{serviceId}/jobs?status=succeeded&limit=5", status: 200, minItems: 1 },
  // A long run for this one job, so it is surely still running when canceled.
  { method: "PUT", path: "/timings", status: 200, body: { preDeploy: 600_000 }, control: true },
  { method: "POST", path: "/services/{serviceId}/jobs", status: 201, body: { startCommand: "sleep 600", planId: "plan-srv-004" }, save: { longJobId: "/id" } },
  { method: "PUT", path: "/timings", status: 200, body: { preDeploy: 50 }, control: true },
  { method: "POST", path: "/services/{serviceId}/jobs/{longJobId}/cancel", status: 200 },
  { method: "GET", path: "/services/{serviceId}/jobs/{longJobId}", status: 200, until: ["/status", "canceled"] },
  { method: "POST", path: "/services/{serviceId}/scale", status: 202, body: { numInstances: 2 } },
  { method: "PUT", path: "/services/{serviceId}/autoscaling", status: 200, body: AUTOSCALING },
  { method: "GET", path: "/services/{serviceId}", status: 200, until: ["/serviceDetails/autoscaling/max", 3] },
  { method: "DELETE", path: "/services/{serviceId}/autoscaling", status: 204 },
  { method: "PATCH", path: "/services/{serviceId}", status: 200, body: { serviceDetails: { maxShutdownDelaySeconds: 120 } } },
  { method: "POST", path: "/services/{serviceId}/suspend", status: 202 },
  { method: "GET", path: "/services?suspended=suspended", status: 200, minItems: 1 },
  { method: "POST", path: "/services/{serviceId}/resume", status: 202 },

  { method: "POST", path: "/services", status: 201, body: WORKER, save: { workerId: "/service/id" } },
  { method: "GET", path: "/services/{workerId}", status: 200 },
  { method: "PATCH", path: "/services/{workerId}", status: 200, body: { serviceDetails: { plan: "pro", envSpecificDetails: { dockerCommand: "./run-worker" } } } },
  { method: "POST", path: "/services", status: 201, body: PSERV, save: { pservId: "/service/id" } },
  { method: "GET", path: "/services/{pservId}", status: 200 },
  { method: "POST", path: "/services", status: 201, body: CRON, save: { cronJobId: "/service/id" } },
  { method: "PATCH", path: "/services/{cronJobId}", status: 200, body: { serviceDetails: { schedule: "0 3 * * MON-FRI" } } },
  { method: "POST", path: "/cron-jobs/{cronJobId}/runs", status: 200 },
  { method: "GET", path: "/services/{cronJobId}", status: 200 },
  { method: "GET", path: "/services?type=background_worker&type=private_service&type=cron_job", status: 200, minItems: 3 },
  { method: "DELETE", path: "/services/{serviceId}", status: 204 },
  { method: "DELETE", path: "/services/{workerId}", status: 204 },
  { method: "DELETE", path: "/services/{pservId}", status: 204 },
  { method: "DELETE", path: "/services/{cronJobId}", status: 204 },
  { method: "GET", path: "/services/{serviceId}", status: 404 },
  { method: "DELETE", path: "/postgres/{postgresId}", status: 204 },
  { method: "GET", path: "/postgres/{postgresId}", status: 404 },
];

/** Hand-written error cases (run with a fresh database and service from `setupForBadInput`). */
// prettier-ignore
const badInput: Row[] = [
  { method: "POST", path: "/postgres", status: 400, body: { ...POSTGRES, plan: "basic-256mb" } },
  { method: "POST", path: "/postgres", status: 400, body: { name: "x", ownerId: "{ownerId}", version: "16" } },
  { method: "POST", path: "/postgres", status: 400, body: { ...POSTGRES, ipAllowList: [{ cidrBlock: "10.0.0.300/8", description: "bad" }] } },
  { method: "POST", path: "/postgres", status: 400, body: { ...POSTGRES, version: 16 } },
  { method: "POST", path: "/postgres", status: 400, body: "{ not json" },
  { method: "PATCH", path: "/postgres/{postgresId}", status: 400, body: { version: "17" } },
  { method: "PATCH", path: "/postgres/{postgresId}", status: 400, body: { plan: "huge" } },
  { method: "POST", path: "/services", status: 400, body: { ...WEB, type: "web" } },
  { method: "POST", path: "/services", status: 400, body: { ...WEB, name: undefined } },
  { method: "POST", path: "/services", status: 400, body: { ...WEB, autoDeploy: true } },
  { method: "PATCH", path: "/services/{serviceId}", status: 400, body: { serviceDetails: { plan: "gigantic" } } },
  { method: "POST", path: "/services", status: 400, body: { ...CRON, serviceDetails: { ...CRON.serviceDetails, schedule: "every day" } } },
  { method: "POST", path: "/services", status: 400, body: { ...CRON, serviceDetails: { ...CRON.serviceDetails, schedule: "61 * * * *" } } },
  { method: "POST", path: "/services", status: 400, body: { ...WORKER, serviceDetails: { ...WORKER.serviceDetails, healthCheckPath: "/" } } },
  { method: "POST", path: "/services", status: 400, body: { ...WORKER, serviceDetails: { ...WORKER.serviceDetails, plan: "free" } } },
  { method: "PUT", path: "/services/{serviceId}/env-vars", status: 400, body: { key: "NOT_AN_ARRAY", value: "x" } },
  { method: "PUT", path: "/services/{serviceId}/env-vars/1BAD-KEY", status: 400, body: { value: "x" } },
  { method: "PUT", path: "/services/{serviceId}/env-vars/OK_KEY", status: 400, body: {} },
  { method: "POST", path: "/services/{serviceId}/scale", status: 400, body: { numInstances: 0 } },
  { method: "PUT", path: "/services/{serviceId}/autoscaling", status: 400, body: { ...AUTOSCALING, min: 4 } },
  { method: "PUT", path: "/services/{serviceId}/autoscaling", status: 400, body: { ...AUTOSCALING, criteria: { ...AUTOSCALING.criteria, cpu: { enabled: true, percentage: 95 } } } },
  { method: "PUT", path: "/services/{serviceId}/autoscaling", status: 400, body: { ...AUTOSCALING, criteria: { ...AUTOSCALING.criteria, cpu: { enabled: false, percentage: 60 } } } },
  { method: "DELETE", path: "/services/{serviceId}/autoscaling", status: 404 },
  { method: "POST", path: "/services/{serviceId}/jobs", status: 400, body: {} },
  { method: "POST", path: "/services/{serviceId}/jobs", status: 400, body: { startCommand: " " } },
  { method: "GET", path: "/services/{serviceId}/jobs/job-aaaaaaaaaaaaaaaaaaaa", status: 404 },
  { method: "GET", path: "/services/{serviceId}/jobs?status=done", status: 400 },
  { method: "PATCH", path: "/services/{serviceId}", status: 400, body: { serviceDetails: { maxShutdownDelaySeconds: 301 } } },
  { method: "PATCH", path: "/services/{serviceId}", status: 400, body: { serviceDetails: { autoscaling: AUTOSCALING } } },
  { method: "POST", path: "/services/{serviceId}/deploys", status: 400, body: { clearCache: "sometimes" } },
  { method: "GET", path: "/services/{serviceId}/deploys/dep-aaaaaaaaaaaaaaaaaaaa", status: 404 },
  { method: "GET", path: "/services/{serviceId}/env-vars/NO_SUCH_KEY", status: 404 },
  { method: "DELETE", path: "/services/{serviceId}/env-vars/NO_SUCH_KEY", status: 404 },
  { method: "POST", path: "/services/{serviceId}/rollback", status: [400, 404], body: { deployId: "dep-aaaaaaaaaaaaaaaaaaaa" } },
  { method: "POST", path: "/services/{serviceId}/deploys/{firstDeployId}/cancel", status: 400 },
  { method: "GET", path: "/postgres?limit=1000", status: 400 },
];

/** The routes of issue #2; each must answer with a 2xx somewhere in the flow. */
const REQUIRED_ROUTES = [
  "GET /owners",
  "GET /owners/{ownerId}",
  "GET /postgres",
  "POST /postgres",
  "GET /postgres/{postgresId}",
  "PATCH /postgres/{postgresId}",
  "DELETE /postgres/{postgresId}",
  "GET /postgres/{postgresId}/connection-info",
  "POST /postgres/{postgresId}/suspend",
  "POST /postgres/{postgresId}/resume",
  "GET /services",
  "POST /services",
  "GET /services/{serviceId}",
  "PATCH /services/{serviceId}",
  "DELETE /services/{serviceId}",
  "POST /services/{serviceId}/suspend",
  "POST /services/{serviceId}/resume",
  "POST /services/{serviceId}/scale",
  "PUT /services/{serviceId}/autoscaling",
  "DELETE /services/{serviceId}/autoscaling",
  "POST /services/{serviceId}/jobs",
  "GET /services/{serviceId}/jobs",
  "GET /services/{serviceId}/jobs/{jobId}",
  "POST /services/{serviceId}/jobs/{jobId}/cancel",
  "GET /services/{serviceId}/env-vars",
  "PUT /services/{serviceId}/env-vars",
  "GET /services/{serviceId}/env-vars/{envVarKey}",
  "PUT /services/{serviceId}/env-vars/{envVarKey}",
  "DELETE /services/{serviceId}/env-vars/{envVarKey}",
  "POST /services/{serviceId}/deploys",
  "GET /services/{serviceId}/deploys",
  "GET /services/{serviceId}/deploys/{deployId}",
  "POST /services/{serviceId}/deploys/{deployId}/cancel",
  "POST /services/{serviceId}/rollback",
];

/**
 * Routes whose spec documents no 404 (openapi.json lists 200/401/406/429/500/503 for a cron job's runs):
 * the emulator answers an unknown id with 404 as on every other route, which the spec cannot validate;
 * tests/emulator/serviceTypes.spec.ts checks it.
 */
const UNDOCUMENTED_404 = new Set(["POST /cron-jobs/{cronJobId}/runs"]);

/** Ids of the right shape that the emulator never issued. */
const UNKNOWN_IDS: Record<string, string> = {
  ownerId: "tea-aaaaaaaaaaaaaaaaaaaa",
  postgresId: "dpg-aaaaaaaaaaaaaaaaaaaa-a",
  serviceId: "srv-aaaaaaaaaaaaaaaaaaaa",
  deployId: "dep-aaaaaaaaaaaaaaaaaaaa",
  cronJobId: "crn-aaaaaaaaaaaaaaaaaaaa",
};

describe("emulator contract (every route validated against openapi.json)", function () {
  const validator = renderSpecValidator();
  const ctx: Ctx = {};
  const seenRoutes = new Set<string>();
  const okRoutes = new Set<string>();
  let emu: Awaited<ReturnType<typeof startEmulator>>;

  before(async () => {
    emu = await startEmulator({
      port: 0,
      timings: "fast",
      rateLimits: { enabled: false, timeScale: 1 },
      // Shapes are what this test checks; a real PGlite per database (seconds of initdb on a shared
      // machine) is covered by the emulator's own database tests.
      databaseBackend: instantDatabaseBackend(),
    });
    ctx.ownerId = emu.ownerId;
  });
  after(async () => {
    await emu?.close();
  });

  /** Sends a /v1 request and validates the answer; returns it. */
  async function send(method: Method, path: string, body: unknown, apiKey: string | null = emu.apiKey) {
    const response = await callApi(emu.url, method, path, { apiKey, body });
    validator.validateResponse(method, path, response.status, response.body);
    if (response.body !== undefined) {
      assert.match(
        String(response.headers["content-type"]),
        /^application\/json/,
        `${method} ${path}: content-type`,
      );
    }
    return response;
  }

  async function control(method: Method, path: string, body?: unknown): Promise<RawResponse> {
    const response = await callApi(emu.controlUrl, method, path, { apiKey: null, body });
    assert.ok(response.status < 300, `control ${method} ${path} -> ${response.status} ${response.text}`);
    return response;
  }

  function expectStatus(row: Row, path: string, response: RawResponse): void {
    const allowed = typeof row.status === "number" ? [row.status] : row.status;
    assert.ok(
      allowed.includes(response.status),
      `${row.method} ${path}: expected ${allowed.join(" or ")}, got ${response.status} ${response.text.slice(0, 300)}`,
    );
  }

  async function runRow(row: Row): Promise<RawResponse> {
    const path = fill(row.path, ctx);
    const body = fill(row.body, ctx);
    if (row.control) return control(row.method, path, body);
    let response = await send(row.method, path, body);
    for (const deadline = Date.now() + 10_000; row.until;) {
      expectStatus(row, path, response);
      if (pointer(response.body, row.until[0]) === row.until[1]) break;
      assert.ok(Date.now() < deadline, `${row.method} ${path}: ${row.until[0]} never became ${row.until[1]}`);
      await sleep(10);
      response = await send(row.method, path, body);
    }
    expectStatus(row, path, response);
    if (row.minItems !== undefined) {
      assert.ok(Array.isArray(response.body), `${row.method} ${path}: expected a list`);
      assert.ok(response.body.length >= row.minItems, `${row.method} ${path}: ${response.body.length} items`);
    }
    for (const [key, ptr] of Object.entries(row.save ?? {})) {
      const value = pointer(response.body, ptr);
      assert.equal(typeof value, "string", `${row.method} ${path}: nothing to save at ${ptr}`);
      ctx[key] = value as string;
    }
    const op = validator.findOperation(row.method, path);
    if (op && response.status < 300) okRoutes.add(`${op.method} ${op.template}`);
    return response;
  }

  describe("success flow, with 401 / 404 / 429 before the first call of each route", () => {
    for (const row of flow) {
      const op = validator.findOperation(row.method, row.path.replace(/\?.*/, ""));
      const route = op ? `${op.method} ${op.template}` : `${row.method} ${row.path}`;
      const firstOfRoute = !row.control && !seenRoutes.has(route);
      seenRoutes.add(route);
      if (firstOfRoute && typeof row.status === "number" && row.status < 300) {
        it(`${route} -> 401 without a key and with a wrong key`, async () => {
          const path = fill(row.path, ctx);
          for (const key of [null, "rnd_wrongwrongwrongwrongwrong"]) {
            const response = await send(row.method, path, fill(row.body, ctx), key);
            assert.equal(response.status, 401, `${row.method} ${path} with key ${key ? "wrong" : "missing"}`);
          }
        });
        const firstParam = op && Object.keys(op.params)[0];
        if (firstParam && !UNDOCUMENTED_404.has(route)) {
          it(`${route} -> 404 for an unknown {${firstParam}}`, async () => {
            const unknown = UNKNOWN_IDS[firstParam] ?? fail(`no unknown id for ${firstParam}`);
            const path = fill(row.path.replace(`{${firstParam}}`, unknown), ctx);
            const response = await send(row.method, path, fill(row.body, ctx));
            assert.equal(response.status, 404, `${row.method} ${path}: ${response.text}`);
            assert.match(String((response.body as { message?: unknown }).message), /not found/);
          });
        }
        it(`${route} -> 429 from an injected fault`, async () => {
          const path = fill(row.path, ctx);
          await control("POST", "/faults", {
            method: row.method,
            path: `/v1${path.replace(/\?.*/, "")}`,
            count: 1,
            fault: { kind: "status", status: 429, retryAfter: 1 },
          });
          const response = await send(row.method, path, fill(row.body, ctx));
          assert.equal(response.status, 429);
        });
      }
      it(`${route} -> ${String(row.status)}${row.path.includes("?") ? ` (${row.path.split("?")[1]})` : ""}`, async () => {
        await runRow(row);
      });
    }
  });

  describe("bad input", () => {
    before(async () => {
      await runRow({
        method: "POST",
        path: "/postgres",
        status: 201,
        body: POSTGRES,
        save: { postgresId: "/id" },
      });
      const body = { ...WEB, name: "contract-bad" };
      await runRow({
        method: "POST",
        path: "/services",
        status: 201,
        body,
        save: { serviceId: "/service/id", firstDeployId: "/deployId" },
      });
      await runRow({
        method: "GET",
        path: "/services/{serviceId}/deploys/{firstDeployId}",
        status: 200,
        until: ["/status", "live"],
      });
    });
    for (const row of badInput) {
      const label =
        typeof row.body === "string" ? "malformed JSON" : JSON.stringify(row.body ?? null).slice(0, 70);
      it(`${row.method} ${row.path} -> ${String(row.status)}: ${label}`, async () => {
        const response = await runRow(row);
        if (response.status === 400) {
          assert.ok((response.body as { message?: string }).message, "a 400 explains itself");
        }
      });
    }
    it("unknown routes and wrong methods answer Render-shaped errors", async () => {
      for (const [method, path] of [
        ["GET", "/no-such-route"],
        ["DELETE", "/owners"],
        ["PUT", "/postgres"],
      ] as const) {
        const response = await callApi(emu.url, method, path, { apiKey: emu.apiKey });
        assert.ok([404, 405].includes(response.status), `${method} ${path} -> ${response.status}`);
        validator.validateSchema("error", response.body, `${method} ${path} ${response.status}`);
      }
    });
  });

  describe("rate limits (real, not a fault)", () => {
    it("answers 429 with Render's error shape and Ratelimit-* headers past 10 service PATCHes a minute", async () => {
      await control("PUT", "/rate-limits", { enabled: true, timeScale: 1 });
      try {
        const path = fill("/services/{serviceId}", ctx);
        const statuses: number[] = [];
        let limited: RawResponse | undefined;
        for (let i = 0; i < 12 && !limited; i++) {
          const response = await send("PATCH", path, { name: `contract-bad-${i}` });
          statuses.push(response.status);
          if (response.status === 429) limited = response;
        }
        assert.ok(limited, `no 429 after ${statuses.length} PATCHes: ${statuses.join(",")}`);
        for (const header of ["ratelimit-limit", "ratelimit-remaining", "ratelimit-reset"]) {
          assert.match(String(limited.headers[header]), /^\d+$/, `${header} on a 429`);
        }
      } finally {
        await control("PUT", "/rate-limits", { enabled: false });
      }
    });
  });

  // Mocha runs a suite's own tests before its child suites: this check must be a suite after them.
  describe("coverage", () => {
    it("exercised every route of the issue with a success", () => {
      const missing = REQUIRED_ROUTES.filter((r) => !okRoutes.has(r));
      assert.deepEqual(missing, [], `routes never answered 2xx: ${missing.join(", ")}`);
    });
  });

  it("reports a contract violation naming route and field (the harness is live here too)", () => {
    assert.throws(
      () =>
        validator.validateResponse("GET", "/v1/owners/tea-x", 200, {
          id: "tea-x",
          name: "n",
          email: "e",
          type: "robot",
        }),
      (error: unknown) =>
        error instanceof ContractViolation &&
        /GET \/owners\/\{ownerId\} 200: .*\/type must be equal/.test(error.message),
    );
  });
});

/** A database backend that answers at once and runs nothing (see `before`). */
function instantDatabaseBackend(): DatabaseBackend {
  return {
    provision: async (spec) => ({
      host: "127.0.0.1",
      port: 5432,
      databaseName: spec.databaseName,
      user: spec.user,
      password: spec.password,
    }),
    drop: async () => {},
    close: async () => {},
  };
}

/** Replaces `{name}` in every string of `value` by `ctx[name]`. */
function fill<T>(value: T, ctx: Ctx): T {
  if (typeof value === "string") {
    return value.replace(
      /\{(\w+)\}/g,
      (_, name: string) => ctx[name] ?? fail(`no saved value for {${name}}`),
    ) as T;
  }
  if (Array.isArray(value)) return value.map((v) => fill(v, ctx)) as T;
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v, ctx)])) as T;
  }
  return value;
}

function pointer(body: unknown, ptr: string): unknown {
  let node = body;
  for (const key of ptr.split("/").slice(1)) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

function fail(message: string): never {
  throw new Error(message);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
