/**
 * The emulator clock: wall-clock time plus an offset that the control API can only move forward.
 * Every status (databases, deploys) and every rate-limit window is computed from it, lazily, so
 * advancing it moves every lifecycle on at once.
 */
export class Clock {
  /** @param offsetMs initial offset (restored from persisted state). */
  constructor(private offsetMs = 0) {}

  /** Emulator time, milliseconds since the epoch. */
  now(): number {
    return Date.now() + this.offsetMs;
  }

  /** Moves the clock forward by `ms` (>= 0). */
  advance(ms: number): void {
    this.offsetMs += ms;
  }

  /** How far the emulator clock is ahead of wall-clock time (persisted with the state). */
  get offset(): number {
    return this.offsetMs;
  }
}
