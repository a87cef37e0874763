import type { DatabaseBackend, DatabaseHandle } from "./index";

/** Placeholder until the real backend lands. */
export class PostgresBackend implements DatabaseBackend {
  constructor(private readonly config: string | undefined) {}
  provision(): Promise<DatabaseHandle> {
    return Promise.reject(
      new Error(
        "could not provision database: postgres backend not implemented yet" + (this.config ? "" : ""),
      ),
    );
  }
  drop(): Promise<void> {
    return Promise.resolve();
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}
