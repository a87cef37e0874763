/** A tiny method + path-template router (`/services/:serviceId/env-vars/:envVarKey`). */
import { ApiError, badRequest } from "./errors";

/** A parsed request as handlers see it. */
export interface ApiRequest {
  method: string;
  /** Path relative to the router's prefix (e.g. `/services/srv-…`). */
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  /** Parsed JSON body; undefined when the request had none. */
  body: unknown;
}

/** What a handler answers. No body: 202/204 and the like. */
export interface ApiResult {
  status: number;
  body?: unknown;
}

/** Handles one route. Throws {@link ApiError} for Render-shaped failures. */
export type Handler = (request: ApiRequest) => ApiResult | Promise<ApiResult>;

interface Route {
  method: string;
  segments: string[];
  handler: Handler;
}

/** Routes by method and path template; unknown path -> 404, known path with another method -> 405. */
export class Router {
  private readonly routes: Route[] = [];

  /** Adds a route; `pattern` segments starting with `:` are parameters. */
  add(method: string, pattern: string, handler: Handler): this {
    this.routes.push({ method: method.toUpperCase(), segments: split(pattern), handler });
    return this;
  }

  /**
   * Finds the handler for a request.
   * @throws ApiError 404 (no such route), 405 (route exists, not with this method), 400 (bad escape).
   */
  match(method: string, path: string): { handler: Handler; params: Record<string, string> } {
    const segments = split(path);
    let pathMatched = false;
    for (const route of this.routes) {
      const params = matchSegments(route.segments, segments);
      if (!params) continue;
      pathMatched = true;
      if (route.method === method.toUpperCase()) return { handler: route.handler, params };
    }
    if (pathMatched) throw new ApiError(405, `method ${method.toUpperCase()} not allowed on ${path}`);
    throw new ApiError(404, `not found: ${path}`);
  }
}

function split(path: string): string[] {
  return path.split("/").filter((s) => s !== "");
}

function matchSegments(pattern: string[], actual: string[]): Record<string, string> | undefined {
  if (pattern.length !== actual.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i].startsWith(":")) {
      try {
        params[pattern[i].slice(1)] = decodeURIComponent(actual[i]);
      } catch {
        throw badRequest(`malformed path segment: ${pattern[i].slice(1)}`);
      }
    } else if (pattern[i] !== actual[i]) {
      return undefined;
    }
  }
  return params;
}
