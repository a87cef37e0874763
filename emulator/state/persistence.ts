/**
 * Optional persistence of the state to `<stateDir>/state.json`: written atomically (temp file +
 * rename) shortly after each change, and read back on start.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { StateSnapshot } from "./model";

const FILE = "state.json";

/** Reads the persisted snapshot, or undefined when there is none. */
export function loadSnapshot(stateDir: string): StateSnapshot | undefined {
  const file = path.join(stateDir, FILE);
  if (!fs.existsSync(file)) return undefined;
  return JSON.parse(fs.readFileSync(file, "utf8")) as StateSnapshot;
}

/** Writes snapshots atomically, coalescing changes that come within `debounceMs`. */
export class StateWriter {
  private timer: NodeJS.Timeout | undefined;

  /**
   * @param stateDir folder to write into (created if missing).
   * @param take returns the snapshot to write at write time.
   */
  constructor(
    private readonly stateDir: string,
    private readonly take: () => StateSnapshot,
    private readonly debounceMs = 25,
  ) {
    fs.mkdirSync(stateDir, { recursive: true });
  }

  /** Schedules a write. */
  changed(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.writeNow();
    }, this.debounceMs);
  }

  /** Writes now (and cancels a pending write). */
  flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    this.writeNow();
  }

  private writeNow(): void {
    const file = path.join(this.stateDir, FILE);
    const temp = `${file}.${process.pid}.tmp`;
    // The file holds secrets (database passwords, env var values): readable by the owner only.
    fs.writeFileSync(temp, JSON.stringify(this.take()), { mode: 0o600 });
    fs.renameSync(temp, file);
  }
}
