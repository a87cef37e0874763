/**
 * What every Render provider shares: the stack config read in `configure` (the API key never is an
 * input), the client built from it, and the workspace check that `check` runs before anything else.
 */
import { RenderClient, defaultBaseUrl } from "../render/client";
import { isRenderApiError } from "../render/errors";
import { configCommand, type ConfigAdvice } from "./advice";
import { inProviderHost } from "./providerHost";
import { isUnknown, type InputFailure } from "./validation";

/** Stack config a provider reads in `configure`. */
export interface RenderProviderConfig {
  /** `render:apiKey` (secret in stack config). */
  apiKey?: string;
  /** `render:apiUrl`; default Render's public API. */
  apiUrl?: string;
  /**
   * `render:rateLimitTimeScale`: scales the client's rate-limit windows (default 1, Render's real
   * limits). Only for an emulator with time-scaled limits (the benchmarks); never below 1 against Render.
   */
  rateLimitTimeScale?: number;
  /**
   * `render:requestTimeoutMs`: the client's wait for a response's headers and between body chunks
   * (default 30 s, the client's own). Only for tests that fault a request past it (the fault matrix).
   */
  requestTimeoutMs?: number;
}

/** The provider config from stack config (`ConfigureRequest.config.get`). */
export function providerConfigFrom(get: (key: string) => string | undefined): RenderProviderConfig {
  const scale = Number(get("render:rateLimitTimeScale") ?? "1");
  const timeout = Number(get("render:requestTimeoutMs") ?? "0");
  return {
    // A key pasted with its line break (`pbpaste | pulumi config set --secret …`) is the same key.
    apiKey: get("render:apiKey")?.trim(),
    apiUrl: get("render:apiUrl"),
    ...(Number.isFinite(scale) && scale > 0 && scale !== 1 ? { rateLimitTimeScale: scale } : {}),
    ...(Number.isInteger(timeout) && timeout > 0 ? { requestTimeoutMs: timeout } : {}),
  };
}

/**
 * What is wrong with a `render:apiKey`, naming the key and never its value; undefined when it may be
 * a key. Surrounding whitespace is not a problem: it is trimmed ({@link providerConfigFrom}).
 */
export function apiKeyProblem(apiKey: string): string | undefined {
  const key = apiKey.trim();
  if (key === "") return "render:apiKey is empty";
  // Inside an HTTP header a line break would be refused (or worse); a Render key is one word (rnd_…).
  if (/\s/.test(key) || [...key].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f))
    return (
      "render:apiKey has a space, tab or line break inside it: a Render API key is one word (rnd_…). " +
      "Set it again with `pulumi config set --secret render:apiKey <key>`"
    );
  return undefined;
}

/** How long a provider host reuses a GET answer for `diff` and lookups (see {@link renderClientFrom}). */
export const reuseReadsMs = 60_000;

/**
 * A client for this stack's Render API; fails with the config command when the key is missing.
 * `reuseReads`: inside the provider host, accept a GET answer of the last {@link reuseReadsMs} (or one
 * in flight) from this process (the host lives for one engine command): `refresh` reads every object,
 * then the engine diffs it twice (the refresh's diff and the preview's), and each diff would otherwise
 * read it again. Any write forgets them all. Elsewhere (tests and tools calling providers in-process)
 * every read asks Render.
 */
export function renderClientFrom(
  config: RenderProviderConfig,
  options: { reuseReads?: boolean } = {},
): RenderClient {
  if (!config.apiKey)
    throw new Error(
      "the Render API key is not set: run `pulumi config set --secret render:apiKey <key>` " +
        "(the local stack's key is printed by `npm run emulator`)",
    );
  const problem = apiKeyProblem(config.apiKey);
  if (problem) throw new Error(problem);
  return new RenderClient({
    apiKey: config.apiKey,
    baseUrl: config.apiUrl || undefined,
    rateLimitTimeScale: config.rateLimitTimeScale,
    ...(config.requestTimeoutMs
      ? { timeouts: { headersMs: config.requestTimeoutMs, bodyMs: config.requestTimeoutMs } }
      : {}),
    reuseReadsMs: options.reuseReads && inProviderHost() ? reuseReadsMs : 0,
  });
}

// One lookup per workspace per process: every resource of a stack shares the answer.
function ownerChecksKey(): symbol {
  return Symbol.for("arrakis.render.ownerChecks");
}

/**
 * The workspace part of a database's or service's `check`: once every field is valid, a new or changed
 * workspace is looked up (see {@link verifyOwner}) and its problem, if any, added to `failures`. An
 * existing resource keeps its workspace: it was checked when made, and a refresh or diff with a key
 * that cannot see it fails on its own.
 */
export async function checkWorkspace(
  config: RenderProviderConfig,
  oldOwnerId: unknown,
  ownerId: unknown,
  failures: InputFailure[],
): Promise<void> {
  if (failures.length > 0 || typeof ownerId !== "string" || isUnknown(ownerId) || oldOwnerId === ownerId)
    return;
  const problem = await verifyOwner(config, ownerId);
  if (problem) failures.push(problem);
}

/**
 * The environment variable that lets a refresh drop objects deleted outside Pulumi from the stack's
 * state: their ids, comma- or space-separated. Without it a refresh (and so every preview) stops at them.
 */
export const forgetDeletedVariable = "RENDER_FORGET_DELETED";

/** Whether the user named `id` in {@link forgetDeletedVariable}: its refresh may drop it. */
export function mayForget(id: string): boolean {
  return (process.env[forgetDeletedVariable] ?? "").split(/[\s,]+/).includes(id);
}

/** The id prefix of each kind of object {@link goneFromRender} names. */
const goneIdPrefixes = {
  database: "dpg",
  service: "srv",
  "Key Value": "red",
  "env group": "evg",
  "registry credential": "rgc",
  disk: "dsk",
  "custom domain": "cdm",
  project: "prj",
  // Render's prefix for workflows is UNCONFIRMED (the emulator's: wfl-).
  workflow: "wfl",
} as const;

/** A kind of object {@link goneFromRender} names. */
export type GoneKind = keyof typeof goneIdPrefixes;

/**
 * The one message of a database or service deleted outside Pulumi (read by a refresh, or by a diff
 * without one): what is gone, that nothing is recreated on its own, and the commands for each way back.
 * `name`: the name in the stack's state, when known; `advice`: the program's command for `adoptId`
 * (runtime/advice.ts), else the message names the resource's field.
 */
export function goneFromRender(what: GoneKind, id: string, name?: string, advice?: ConfigAdvice): Error {
  const forget = `\`${forgetDeletedVariable}=${id} pulumi refresh --yes\``;
  const idForm = `${goneIdPrefixes[what]}-…`;
  const command = configCommand(advice, "adoptId", "set", idForm);
  const adopt =
    command && advice
      ? `\`${command}\` (${advice.program})`
      : `set adoptId to its ${idForm} id on the resource`;
  const fresh =
    what === "service"
      ? "a new service (a new id; generated env vars such as NEXTAUTH_SECRET get new values)"
      : what === "custom domain"
        ? "the domain again (its DNS is verified again)"
        : what === "project"
          ? "a new project (new environment ids: resources placed in the old ones stay where they are)"
          : what === "workflow"
            ? "a new workflow (a new id; generated env vars get new values)"
            : `a new, empty ${what} (its data is not restored)`;
  return new Error(
    `${what} ${name ? `${name} (${id})` : id} no longer exists on Render: it was deleted outside Pulumi. ` +
      `Pulumi does not recreate it on its own${what === "service" || what === "custom domain" || what === "workflow" ? "" : ` (a new ${what} would be empty)`}, ` +
      "and nothing is changed until you choose. " +
      `To manage one restored or made by hand: ${forget}, then ${adopt}, then \`pulumi up\`. ` +
      `To make ${fresh}: ${forget}, then \`pulumi up\``,
  );
}

/**
 * Confirms that the API key sees workspace `ownerId`. Answers a `check` failure naming `ownerId` (or
 * the API key) when it does not; reads only.
 */
export async function verifyOwner(
  config: RenderProviderConfig,
  ownerId: string,
): Promise<InputFailure | undefined> {
  const holder = globalThis as unknown as Record<
    symbol,
    Map<string, Promise<InputFailure | undefined>> | undefined
  >;
  const cache = (holder[ownerChecksKey()] ??= new Map());
  // Keyed by the key too: a check with a rejected key must not answer for a good one.
  const cacheKey = `${config.apiUrl ?? ""}\u0000${config.apiKey ?? ""}\u0000${ownerId}`;
  let pending = cache.get(cacheKey);
  if (!pending) {
    pending = lookUpOwner(config, ownerId);
    cache.set(cacheKey, pending);
    // A failed lookup (network, 5xx after retries) is not an answer: ask again next time.
    pending.catch(() => cache.delete(cacheKey));
  }
  return pending;
}

async function lookUpOwner(config: RenderProviderConfig, ownerId: string): Promise<InputFailure | undefined> {
  let client: RenderClient;
  try {
    client = renderClientFrom(config);
  } catch (err) {
    return { property: "render:apiKey", reason: (err as Error).message };
  }
  try {
    await client.getOwner(ownerId);
    return undefined;
  } catch (err) {
    if (isRenderApiError(err) && err.status === 401)
      return { property: "render:apiKey", reason: err.message };
    const base = config.apiUrl || defaultBaseUrl;
    const urlHint = `render:apiUrl must be the API's base URL, ${defaultBaseUrl} (the local stack: the emulator's, ending in /v1); set it with \`pulumi config set render:apiUrl <url>\``;
    // No answer at all: most often a typo in render:apiUrl; the cause says which.
    if (isRenderApiError(err) && err.status === undefined)
      return {
        property: "render:apiUrl",
        reason: `could not reach the Render API at ${base}: ${err.message}. ${urlHint}`,
      };
    if (isRenderApiError(err) && (err.status === 404 || err.status === 403)) {
      const visible: string[] = [];
      try {
        for await (const owner of client.listOwners()) visible.push(`${owner.id} (${owner.name})`);
      } catch (listErr) {
        // The workspace list itself is not there: this URL is not Render's API.
        if (isRenderApiError(listErr) && listErr.status === 404)
          return {
            property: "render:apiUrl",
            reason: `${base} does not answer like Render's API (GET /owners answered 404). ${urlHint}`,
          };
        throw listErr;
      }
      return {
        property: "ownerId",
        reason:
          `workspace ${ownerId} is not one this API key can use; its workspaces: ${visible.join(", ") || "none"}. ` +
          "Set the right one with `pulumi config set render:ownerId <id>`",
      };
    }
    throw err;
  }
}
