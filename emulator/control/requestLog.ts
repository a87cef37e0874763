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
  /** Called on every change (an entry added, the log cleared): the waiters of {@link changeAfter}. */
  private readonly waiters = new Set<() => void>();

  constructor(private readonly max = 10_000) {}

  /** Appends an entry (dropping the oldest beyond `max`). */
  add(entry: LoggedRequest): void {
    this.entries.push(entry);
    if (this.entries.length > this.max) this.entries.splice(0, this.entries.length - this.max);
    this.notify();
  }

  /** Every entry, oldest first. */
  list(): LoggedRequest[] {
    return [...this.entries];
  }

  /** Empties the log. */
  clear(): void {
    this.entries = [];
    this.notify();
  }

  /**
   * Resolves once the log no longer holds exactly `length` entries (a request was logged, or the log
   * was cleared), at once if it already does not, or after `timeoutMs` regardless: a client that saw
   * `length` entries waits for the next request instead of polling.
   */
  changeAfter(length: number, timeoutMs: number): Promise<void> {
    if (this.entries.length !== length || timeoutMs <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.waiters.add(done);
    });
  }

  private notify(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}
