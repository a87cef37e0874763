/**
 * A minimal HTTP client for tests that talk to the emulator: raw status, headers and parsed body,
 * so assertions see exactly what the server sent (no retries, no error mapping).
 */
import { Agent, request, type Dispatcher } from "undici";

/** One HTTP exchange as the server answered it. */
export interface RawResponse {
  status: number;
  /** Header names lower-cased. */
  headers: Record<string, string | string[] | undefined>;
  /** The raw body text ("" when there was none). */
  text: string;
  /** The body parsed as JSON, or `undefined` when the body was empty. */
  body: unknown;
}

/** Options of {@link callApi}. */
export interface CallOptions {
  /** Bearer key; `null` sends no Authorization header. */
  apiKey: string | null;
  /** JSON-serialised as the request body; a string is sent verbatim (for malformed-JSON cases). */
  body?: unknown;
  /** Defaults to undici's global dispatcher. */
  dispatcher?: Dispatcher;
}

/**
 * Sends one request to `baseUrl + path` and reads the whole answer.
 * @throws Error when the body is not empty and not JSON (names method, path and status).
 */
export async function callApi(
  baseUrl: string,
  method: string,
  path: string,
  options: CallOptions,
): Promise<RawResponse> {
  const headers: Record<string, string> = { accept: "application/json" };
  if (options.apiKey !== null) headers.authorization = `Bearer ${options.apiKey}`;
  let payload: string | undefined;
  if (options.body !== undefined) {
    payload = typeof options.body === "string" ? options.body : JSON.stringify(options.body);
    headers["content-type"] = "application/json";
  }
  const response = await request(`${baseUrl}${path}`, {
    method: method as Dispatcher.HttpMethod,
    headers,
    body: payload,
    dispatcher: options.dispatcher,
  });
  const text = await response.body.text();
  let body: unknown;
  if (text !== "") {
    try {
      body = JSON.parse(text);
    } catch {
      throw new Error(`${method} ${path} ${response.statusCode}: body is not JSON: ${text.slice(0, 80)}`);
    }
  }
  return { status: response.statusCode, headers: response.headers, text, body };
}

/** An undici Agent that opens up to `connections` sockets per origin (for concurrency tests). */
export function concurrentAgent(connections: number): Agent {
  return new Agent({ connections, pipelining: 1 });
}
