/** The log of `/v1` requests (for counting API calls in tests); never bodies or headers. */

/** One logged request. */
export interface LoggedRequest {
  method: string;
  path: string;
  /** The query string without `?` ("" when none). */
  query: string;
  /** Status answered (or that would have been, for lose-response); 0 when the socket was reset first. */
  status: number;
  durationMs: number;
  /** ISO time (wall clock) the request arrived. */
  at: string;
  /** The injected fault that applied, if any. */
  fault?: string;
}

/** A bounded in-memory request log. */
export class RequestLog {
  private entries: LoggedRequest[] = [];

  constructor(private readonly max = 10_000) {}

  /** Appends an entry (dropping the oldest beyond `max`). */
  add(entry: LoggedRequest): void {
    this.entries.push(entry);
    if (this.entries.length > this.max) this.entries.splice(0, this.entries.length - this.max);
  }

  /** Every entry, oldest first. */
  list(): LoggedRequest[] {
    return [...this.entries];
  }

  /** Empties the log. */
  clear(): void {
    this.entries = [];
  }
}
