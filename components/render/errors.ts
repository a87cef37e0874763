/**
 * The one error type of the Render API layer, the single place that turns an HTTP outcome into an
 * error, and the redaction that keeps secrets out of every message.
 */

// A Symbol.for brand instead of `instanceof`: a process may load this module more than once (the
// providers package bundles its own copy), so it can hold two copies of this class.
function renderApiErrorBrand(): symbol {
  return Symbol.for("arrakis.render.RenderApiError");
}

/** Config command that sets the Render API key; named in every 401 message. */
export const apiKeyConfigHint = "pulumi config set --secret render:apiKey <key>";

/** What a caller knows about a failed Render API call. */
export interface RenderApiErrorInit {
  /** HTTP method, upper case. */
  method: string;
  /** Request path below the base URL, without the query string (e.g. `/postgres/dpg-…`). */
  path: string;
  /** HTTP status, absent when no response arrived (socket error, timeout). */
  status?: number;
  /** Render's own `message` from the error body, already redacted. */
  renderMessage?: string;
  /** Render's `Render-Request-Id` response header. */
  requestId?: string;
  /** True when repeating the same request may succeed (408/429/5xx, socket errors). */
  retryable: boolean;
  /**
   * True when a non-idempotent write (POST/PATCH) may or may not have been applied: the caller must
   * look the resource up before trying again instead of creating it twice.
   */
  outcomeUnknown?: boolean;
  /** Socket/undici error code when no response arrived (e.g. `ECONNRESET`, `UND_ERR_SOCKET`). */
  code?: string;
  /** How many attempts were made, retries included. */
  attempts?: number;
  /** The full, already redacted, human-readable message. */
  message: string;
}

/** Any failure of a call to the Render API: HTTP error, network error or a response that does not parse. */
export class RenderApiError extends Error {
  /** HTTP status, absent when no response arrived. */
  readonly status: number | undefined;
  /** Render's `message` from the error body (redacted). */
  readonly renderMessage: string | undefined;
  /** Render's `Render-Request-Id`, for support tickets. */
  readonly requestId: string | undefined;
  /** HTTP method of the failed request. */
  readonly method: string;
  /** Request path (no query string). */
  readonly path: string;
  /** True when the same request may succeed if repeated. */
  readonly retryable: boolean;
  /** True when a non-idempotent write may have been applied: look it up before repeating it. */
  readonly outcomeUnknown: boolean;
  /** Socket/undici error code when no response arrived. */
  readonly code: string | undefined;
  /** Attempts made, retries included. */
  readonly attempts: number;

  constructor(init: RenderApiErrorInit) {
    super(init.message);
    this.name = "RenderApiError";
    this.status = init.status;
    this.renderMessage = init.renderMessage;
    this.requestId = init.requestId;
    this.method = init.method;
    this.path = init.path;
    this.retryable = init.retryable;
    this.outcomeUnknown = init.outcomeUnknown ?? false;
    this.code = init.code;
    this.attempts = init.attempts ?? 1;
    Object.defineProperty(this, renderApiErrorBrand(), { value: true });
  }
}

/** True for a `RenderApiError` from any copy of this module. */
export function isRenderApiError(err: unknown): err is RenderApiError {
  return (
    typeof err === "object" &&
    err !== null &&
    (err as Record<symbol, unknown>)[renderApiErrorBrand()] === true
  );
}

/** True when Render says the object does not exist (404, or 410 for a deleted service). */
export function isNotFound(err: unknown): boolean {
  return isRenderApiError(err) && (err.status === 404 || err.status === 410);
}

const statusText: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  402: "Payment Required",
  403: "Forbidden",
  404: "Not Found",
  406: "Not Acceptable",
  408: "Request Timeout",
  409: "Conflict",
  410: "Gone",
  429: "Too Many Requests",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

/** True for statuses worth repeating the same request for. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status !== 501);
}

/** A response that arrived with an error status. */
export interface HttpFailure {
  method: string;
  path: string;
  status: number;
  /** The raw response body text (may be empty or not JSON). */
  bodyText: string;
  requestId?: string;
  /** Strings that must never appear in a message (API key, secret values of the request). */
  secrets: readonly string[];
  /** True for POST/PATCH: a 5xx leaves the outcome unknown. */
  nonIdempotent: boolean;
  attempts?: number;
}

/** Render's `message` field from an error body, or undefined when the body has none. */
export function renderMessageOf(bodyText: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(bodyText);
    if (typeof parsed === "object" && parsed !== null && "message" in parsed) {
      const message = (parsed as { message: unknown }).message;
      if (typeof message === "string" && message.trim() !== "") return message.trim();
    }
  } catch {
    // Not JSON (a proxy's HTML page, an empty body): there is no Render message to show.
  }
  return undefined;
}

/** Translate an HTTP error status into a `RenderApiError`. The one place that does so. */
export function errorFromResponse(f: HttpFailure): RenderApiError {
  const rawMessage = renderMessageOf(f.bodyText);
  // Render's messages are short; cap them so an echoed document cannot flood a log.
  const renderMessage = rawMessage === undefined ? undefined : truncate(redact(rawMessage, f.secrets), 300);
  const what = `${f.method} ${f.path}`;
  const label = `${f.status}${statusText[f.status] ? ` ${statusText[f.status]}` : ""}`;
  const tail = `${renderMessage ? `: ${renderMessage}` : ""}${f.requestId ? ` (request id ${f.requestId})` : ""}`;
  const retryable = isRetryableStatus(f.status);
  // A 5xx/408 to a POST/PATCH may come after the write was applied (UNCONFIRMED how Render behaves):
  // report it as unknown so the caller looks before writing again. A 429 is a refusal, not applied.
  const outcomeUnknown = f.nonIdempotent && retryable && f.status !== 429;
  let message: string;
  if (f.status === 401) {
    message =
      `Render rejected the API key (401 Unauthorized) for ${what}. ` +
      `Set a valid key with \`${apiKeyConfigHint}\`${f.requestId ? ` (request id ${f.requestId})` : ""}`;
  } else if (outcomeUnknown) {
    message =
      `Render answered ${label} to ${what}${tail}; the request may or may not have been applied ` +
      `(outcome unknown): look the resource up before trying again`;
  } else {
    message = `Render API ${what} failed: ${label}${tail}`;
  }
  return new RenderApiError({
    method: f.method,
    path: f.path,
    status: f.status,
    renderMessage,
    requestId: f.requestId,
    retryable,
    outcomeUnknown,
    attempts: f.attempts,
    message,
  });
}

/**
 * Error codes that prove the request never left this machine (nothing was applied).
 */
const notSentCodes: readonly string[] = [
  "ECONNREFUSED",
  "UND_ERR_CONNECT_TIMEOUT",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ENETUNREACH",
  "EHOSTUNREACH",
  "ENETDOWN",
  "EHOSTDOWN",
];

/** True when a network error certainly happened before the request was sent. */
export function failedBeforeSending(code: string | undefined): boolean {
  return code !== undefined && notSentCodes.includes(code);
}

/** A network-level failure: no (complete) response arrived. */
export interface NetworkFailure {
  method: string;
  path: string;
  /** undici or Node error code, if any. */
  code?: string;
  /** True for POST/PATCH. */
  nonIdempotent: boolean;
  attempts?: number;
}

/** Translate a socket error or timeout into a `RenderApiError`. */
export function errorFromNetwork(f: NetworkFailure): RenderApiError {
  const what = `${f.method} ${f.path}`;
  const code = f.code ?? "network error";
  const notSent = failedBeforeSending(f.code);
  const outcomeUnknown = f.nonIdempotent && !notSent;
  const message = outcomeUnknown
    ? `the outcome of ${what} is unknown (${code}): the request was sent but no answer came back, so ` +
      `Render may or may not have applied it; look the resource up before trying again`
    : `could not reach Render for ${what}: ${code}${notSent ? " (the request was not sent)" : ""}`;
  return new RenderApiError({
    method: f.method,
    path: f.path,
    retryable: true,
    outcomeUnknown,
    code: f.code,
    attempts: f.attempts,
    message,
  });
}

/** A successful response whose body does not have the shape we read. */
export function errorFromParse(
  method: string,
  path: string,
  field: string,
  problem: string,
  secrets: readonly string[],
  requestId?: string,
): RenderApiError {
  const clean = truncate(redact(problem, secrets), 300);
  return new RenderApiError({
    method,
    path,
    requestId,
    retryable: false,
    message: `unexpected response from Render for ${method} ${path}: ${field || "(body)"}: ${clean}`,
  });
}

/** Give up on a retried request: the budget of attempts or time ran out. Keeps the last cause. */
export function withAttempts(err: RenderApiError, attempts: number, why?: string): RenderApiError {
  return new RenderApiError({
    method: err.method,
    path: err.path,
    status: err.status,
    renderMessage: err.renderMessage,
    requestId: err.requestId,
    retryable: err.retryable,
    outcomeUnknown: err.outcomeUnknown,
    code: err.code,
    attempts,
    message: why ? `${err.message} (${why})` : err.message,
  });
}

/** A wait in words: `45 s`, `12 min`, `1 h 5 min`. */
export function waitInWords(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000));
  if (s < 120) return `${s} s`;
  const min = Math.round(s / 60);
  return min < 60 ? `${min} min` : `${Math.floor(min / 60)} h${min % 60 ? ` ${min % 60} min` : ""}`;
}

/** What is known of a request a rate limit holds back longer than the client waits. */
export interface RateLimitFailure {
  method: string;
  path: string;
  /** Render's published limit of the request in words (budget.ts `describeLimit`). */
  limit: string;
  /** When it may go again (epoch ms): Render's Retry-After/Ratelimit-Reset, or the budget's window. */
  retryAtMs: number;
  nowMs: number;
  /** The longest wait of the client (its retry policy's `maxElapsedMs`). */
  maxWaitMs: number;
  /** Render's 429, when Render refused it; absent when the client did not send it (its own budget). */
  refused?: RenderApiError;
  attempts?: number;
}

/**
 * A rate limit that would need a longer wait than the client gives: one message with the limit, when to
 * try again, and that nothing was applied (a 429 is a refusal; a request held back was never sent).
 */
export function errorFromRateLimit(f: RateLimitFailure): RenderApiError {
  const what = `${f.method} ${f.path}`;
  const at = new Date(f.retryAtMs).toISOString().replace(/\.\d{3}Z$/, "Z");
  const wait = waitInWords(f.retryAtMs - f.nowMs);
  const said = [f.refused?.renderMessage, f.refused?.requestId && `request id ${f.refused.requestId}`];
  const head = f.refused
    ? `Render refused ${what}: 429 Too Many Requests${said.some(Boolean) ? ` (${said.filter(Boolean).join("; ")})` : ""}`
    : `${what} was not sent`;
  return new RenderApiError({
    method: f.method,
    path: f.path,
    status: f.refused?.status,
    renderMessage: f.refused?.renderMessage,
    requestId: f.refused?.requestId,
    retryable: true,
    outcomeUnknown: false,
    code: f.refused ? undefined : "RATE_LIMITED",
    attempts: f.attempts,
    message:
      `${head}: Render's rate limit is ${f.limit}, and the next may start in ${wait}, longer than ` +
      `this client waits (${waitInWords(f.maxWaitMs)}); nothing was applied. Try again after ${at}`,
  });
}

const patterns: [RegExp, string][] = [
  // user:password@ in any URL, e.g. postgresql://user:pass@host/db
  [/([a-z][a-z0-9+.-]*:\/\/)[^\s/@]*@/gi, "$1[redacted]@"],
  [/PGPASSWORD=\S+/g, "PGPASSWORD=[redacted]"],
  [/Bearer\s+\S+/gi, "Bearer [redacted]"],
  // Render API keys
  [/rnd_[A-Za-z0-9]+/g, "[redacted]"],
];

/**
 * Remove secrets from text: each given secret string verbatim, plus credentials in URLs,
 * `PGPASSWORD=…`, bearer tokens and Render API keys.
 */
export function redact(text: string, secrets: readonly string[]): string {
  let out = redactValues(text, secrets);
  for (const [re, replacement] of patterns) out = out.replace(re, replacement);
  return out;
}

/**
 * Remove the given secret strings from text, verbatim, and nothing else (a database driver's message,
 * where the patterns of {@link redact} could hide harmless names). Strings shorter than 4 characters
 * are kept: they would hide ordinary words.
 */
export function redactValues(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  // Longest first, so a secret containing another is removed whole.
  const sorted = secrets
    .filter((s): s is string => s !== undefined && s.length >= 4)
    .sort((a, b) => b.length - a.length);
  for (const secret of sorted) out = out.split(secret).join("[redacted]");
  return out;
}

/** Request-body keys whose string values may be shown in messages (not secret). */
const displayableKeys: readonly string[] = [
  "name",
  "ownerId",
  "plan",
  "region",
  "version",
  "type",
  "runtime",
  "key",
  "databaseName",
  "databaseUser",
  "cidrBlock",
  "description",
  "branch",
  "repo",
  "rootDir",
  "healthCheckPath",
  "autoDeploy",
  "environmentId",
  "deployId",
  "clearCache",
  "deployMode",
  "commitId",
  "generation",
];

/**
 * Every string in a request body that could be secret: all string values except under keys known to
 * be harmless (names, plans, regions…). Env var values, secret file contents, passwords, API keys and
 * commands all count as secret.
 */
export function secretsOfBody(body: unknown): string[] {
  const found: string[] = [];
  const visit = (value: unknown, key: string | undefined): void => {
    if (typeof value === "string") {
      if (key === undefined || !displayableKeys.includes(key)) found.push(value);
    } else if (Array.isArray(value)) {
      for (const item of value) visit(item, key);
    } else if (typeof value === "object" && value !== null) {
      for (const [k, v] of Object.entries(value)) visit(v, k);
    }
  };
  visit(body, undefined);
  return found;
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}
