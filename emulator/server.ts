/**
 * The HTTP server: `/v1/...` (faults -> auth -> rate limits -> routes, Render-shaped errors),
 * `/_emulator/...` (control API) and `/_services/<slug>/...` (service URLs). Nothing a client sends
 * can crash it: every failure becomes a JSON error answer.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { timingSafeEqual } from "node:crypto";
import { controlRouter } from "./control";
import type { EmulatorCore } from "./core";
import { ApiError, badRequest, defaultMessage } from "./errors";
import type { FaultKind } from "./faults";
import { newRequestId } from "./ids";
import type { RateDecision } from "./rateLimits";
import { Router, type ApiResult } from "./router";
import { registerDeployRoutes } from "./routes/deploys";
import { registerJobRoutes } from "./routes/jobs";
import { registerLogRoutes } from "./routes/logs";
import { registerEnvVarRoutes } from "./routes/envVars";
import { registerCredentialRoutes } from "./routes/credentials";
import { registerExportRoutes } from "./routes/exports";
import { registerRecoveryRoutes } from "./routes/recovery";
import { registerKeyValueRoutes } from "./routes/keyValue";
import { registerWorkflowRoutes } from "./routes/workflows";
import { registerEnvGroupRoutes } from "./routes/envGroups";
import { registerRegistryCredentialRoutes } from "./routes/registryCredentials";
import { registerDiskRoutes } from "./routes/disks";
import { registerProjectRoutes } from "./routes/projects";
import { registerMaintenanceRoutes } from "./routes/maintenance";
import { handleExportDownload } from "./exports";
import { registerOwnerRoutes } from "./routes/owners";
import { registerPostgresRoutes } from "./routes/postgres";
import { registerServiceRoutes } from "./routes/services";
import { registerStaticSiteRoutes } from "./routes/staticSites";
import { registerCustomDomainRoutes } from "./routes/customDomains";
import { handleServiceRequest } from "./services";

const MAX_BODY_BYTES = 1024 * 1024;

/** The Render API routes (paths relative to `/v1`). */
export function apiRouter(core: EmulatorCore): Router {
  const router = new Router();
  registerOwnerRoutes(router, core);
  registerPostgresRoutes(router, core);
  registerExportRoutes(router, core);
  registerCredentialRoutes(router, core);
  registerRecoveryRoutes(router, core);
  registerMaintenanceRoutes(router, core);
  registerServiceRoutes(router, core);
  registerEnvVarRoutes(router, core);
  registerDeployRoutes(router, core);
  registerJobRoutes(router, core);
  registerKeyValueRoutes(router, core);
  registerWorkflowRoutes(router, core);
  registerProjectRoutes(router, core);
  registerStaticSiteRoutes(router, core);
  registerCustomDomainRoutes(router, core);
  registerEnvGroupRoutes(router, core);
  registerRegistryCredentialRoutes(router, core);
  registerDiskRoutes(router, core);
  registerLogRoutes(router, core);
  return router;
}

/** Starts listening on 127.0.0.1:`port` (0: any free port); sets `core.origin`. */
export async function listen(core: EmulatorCore, port: number): Promise<Server> {
  const api = apiRouter(core);
  const control = controlRouter(core);
  const server = createServer((req, res) => {
    dispatch(core, api, control, req, res).catch((error: unknown) => {
      // A bug of the emulator itself: answer 500 rather than crash, and say where.
      console.error(
        `render emulator: ${req.method} ${req.url?.split("?")[0]}: ${error instanceof Error ? error.stack : String(error)}`,
      );
      if (!res.headersSent && !res.destroyed) sendJson(res, 500, { message: "internal server error" });
    });
  });
  // Keep idle connections longer than clients do (undici: 4 s), so a client never reuses a socket the
  // server is closing (ECONNRESET); matters when PGlite's start blocks the event loop for seconds.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.on("clientError", (_error, socket) => {
    if (socket.writable) socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n");
    else socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  core.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return server;
}

/** Stops the server, closing idle and active connections. */
export async function stopServer(server: Server): Promise<void> {
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

async function dispatch(
  core: EmulatorCore,
  api: Router,
  control: Router,
  req: IncomingMessage,
  res: ServerResponse,
) {
  const url = new URL(req.url ?? "/", "http://emulator.invalid");
  const path = url.pathname;
  if (path === "/v1" || path.startsWith("/v1/")) return handleApi(core, api, req, res, url);
  if (path === "/_emulator" || path.startsWith("/_emulator/")) {
    const body = await readBody(req).catch((error: unknown) => error as ApiError);
    const result = await route(
      control,
      req.method ?? "GET",
      path.slice("/_emulator".length),
      url.searchParams,
      body,
    );
    return send(res, result.status, result.body);
  }
  if (path.startsWith("/_services/"))
    return handleServiceRequest(core, req, res, path.slice("/_services/".length));
  // Export downloads: no API key, the URL's token is the secret (never logged: not a /v1 path).
  if (path.startsWith("/_exports/"))
    return handleExportDownload(core, req, res, path.slice("/_exports/".length));
  return sendJson(res, 404, { message: `not found: ${path}` });
}

async function handleApi(
  core: EmulatorCore,
  api: Router,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
) {
  const started = performance.now();
  const at = new Date().toISOString();
  const method = (req.method ?? "GET").toUpperCase();
  const path = url.pathname;
  const log = (status: number, fault?: string) =>
    core.log.add({
      method,
      path,
      query: url.search.replace(/^\?/, ""),
      status,
      durationMs: Math.round((performance.now() - started) * 100) / 100,
      at,
      ...(fault ? { fault } : {}),
    });

  const body = await readBody(req).catch((error: unknown) => error as ApiError);
  let fault: FaultKind | undefined = core.faults.take(method, path);
  if (fault?.kind === "delay") {
    await new Promise((resolve) => setTimeout(resolve, (fault as { ms: number }).ms));
    fault = undefined;
    if (res.destroyed) return log(0, "delay");
  }
  if (fault?.kind === "reset") {
    req.socket.destroy();
    return log(0, "reset");
  }
  const authorized = isAuthorized(req.headers.authorization, core.apiKey);
  const rateKey = authorized ? core.apiKey : "anonymous";
  if (fault?.kind === "status") {
    const decision = core.limiter.peek(rateKey, method, path);
    const headers = rateHeaders(decision);
    if (fault.retryAfter !== undefined) headers["retry-after"] = String(fault.retryAfter);
    send(res, fault.status, fault.body ?? { message: defaultMessage(fault.status) }, headers);
    return log(fault.status, "status");
  }

  let result: ApiResult;
  let decision: RateDecision;
  if (!authorized) {
    decision = core.limiter.peek(rateKey, method, path);
    result = { status: 401, body: { message: "unauthorized: missing or invalid API key" } };
  } else {
    decision = core.limiter.consume(rateKey, method, path);
    if (!decision.allowed) {
      result = { status: 429, body: { message: "rate limit exceeded" } };
    } else {
      result = await route(api, method, path.slice("/v1".length), url.searchParams, body);
    }
  }
  const headers = rateHeaders(decision);
  // Whether Render sends Retry-After is UNCONFIRMED; sending it helps clients, and faults can omit it.
  if (result.status === 429) headers["retry-after"] = String(Math.max(1, decision.resetSeconds));
  if (fault?.kind === "lose-response") {
    // The change is applied; the client never learns the outcome.
    req.socket.destroy();
    return log(result.status, "lose-response");
  }
  send(res, result.status, result.body, headers);
  log(result.status);
}

/** Runs a router, turning thrown errors into Render-shaped results. */
async function route(
  router: Router,
  method: string,
  path: string,
  query: URLSearchParams,
  body: unknown,
): Promise<ApiResult> {
  try {
    if (body instanceof ApiError) throw body;
    const { handler, params } = router.match(method, path || "/");
    return await handler({ method, path, params, query, body });
  } catch (error) {
    if (error instanceof ApiError) return { status: error.status, body: error.toBody() };
    throw error;
  }
}

function isAuthorized(header: string | undefined, apiKey: string): boolean {
  const match = /^Bearer\s+(.+)$/i.exec(header ?? "");
  if (!match) return false;
  const given = Buffer.from(match[1].trim());
  const expected = Buffer.from(apiKey);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function rateHeaders(decision: RateDecision): Record<string, string> {
  return {
    "ratelimit-limit": String(decision.limit),
    "ratelimit-remaining": String(decision.remaining),
    "ratelimit-reset": String(decision.resetSeconds),
  };
}

/** Reads and parses a JSON body; undefined when empty. Rejects with a Render-shaped 400. */
async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) tooLarge = true;
    else chunks.push(chunk as Buffer);
  }
  if (tooLarge) throw badRequest(`request body too large (over ${MAX_BODY_BYTES} bytes)`);
  const text = Buffer.concat(chunks).toString("utf8");
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw badRequest("invalid JSON in request body");
  }
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.destroyed) return;
  if (body === undefined || status === 204) {
    res.writeHead(status, { ...headers, "render-request-id": newRequestId(), "content-length": 0 });
    res.end();
    return;
  }
  sendJson(res, status, body, headers);
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.destroyed) return;
  // Render ends JSON bodies with a newline (OBSERVED on its 404s).
  const text = `${JSON.stringify(body)}\n`;
  res.writeHead(status, {
    ...headers,
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
    "render-request-id": newRequestId(),
  });
  res.end(text);
}
