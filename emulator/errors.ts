/**
 * Render-shaped errors: every failure the emulator answers is `{ id?, message }` with an HTTP status,
 * as Render's `error` schema says. Handlers throw {@link ApiError}; the server turns it into a response.
 */

/** An error the emulator answers to the client, Render-shaped. */
export class ApiError extends Error {
  /**
   * @param status HTTP status to answer.
   * @param message Human-readable message; never contains secrets (keys, passwords, env var values).
   * @param id Optional machine-readable id (Render sends one on some errors).
   */
  constructor(
    readonly status: number,
    message: string,
    readonly id?: string,
  ) {
    super(message);
    this.name = "ApiError";
  }

  /** The JSON body Render would send. */
  toBody(): { id?: string; message: string } {
    return this.id === undefined ? { message: this.message } : { id: this.id, message: this.message };
  }
}

/** 400 naming the problem (and the field). */
export function badRequest(message: string): ApiError {
  return new ApiError(400, message);
}

/** 404 exactly as Render sends it: `not found: <id>`. */
export function notFound(id: string): ApiError {
  return new ApiError(404, `not found: ${id}`);
}

/** 409: the request conflicts with the current state. */
export function conflict(message: string): ApiError {
  return new ApiError(409, message);
}

/** Default message for a status without a more specific one (used by injected faults and the router). */
export function defaultMessage(status: number): string {
  const messages: Record<number, string> = {
    400: "bad request",
    401: "unauthorized",
    402: "payment information required",
    403: "forbidden",
    404: "not found",
    405: "method not allowed",
    406: "not acceptable",
    409: "conflict",
    410: "gone",
    429: "rate limit exceeded",
    500: "internal server error",
    502: "bad gateway",
    503: "service unavailable",
    504: "gateway timeout",
  };
  return messages[status] ?? `status ${status}`;
}
