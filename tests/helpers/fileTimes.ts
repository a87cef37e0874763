/**
 * A root hook plugin (`.mocharc.json` `require`) that times each spec file inside mocha's parallel
 * workers. With `--parallel`, a worker runs one file at a time and the main process replays the
 * file's events only once it has finished, so the reporter (tests/helpers/suiteTimes.ts) cannot time
 * a file from its events there: the worker writes each file's wall time (its hooks included) to a
 * file named after the main process, which the reporter reads at the end. In a serial run the root
 * hooks wrap the whole run and this does nothing: the reporter times files from its events.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type Mocha from "mocha";

/** Where the workers of the mocha process `mainPid` write their files' times: one JSON line a file. */
export function fileTimesPath(mainPid: number): string {
  return path.join(os.tmpdir(), `mocha-file-times-${mainPid}.jsonl`);
}

/** One file's time, as a worker measured it. */
export interface FileTime {
  file: string;
  ms: number;
  tests: number;
}

/** True in a mocha parallel worker (the worker script mocha forks). */
function inParallelWorker(): boolean {
  return /[\\/]mocha[\\/]lib[\\/]nodejs[\\/]worker\.c?js$/.test(process.argv[1] ?? "");
}

let started = 0;

/** Mocha's root hooks: in a worker they wrap one file. */
export const mochaHooks = {
  beforeAll(): void {
    started = Date.now();
  },
  afterAll(this: Mocha.Context): void {
    if (!inParallelWorker()) return;
    const root = this.test?.parent;
    const files = new Set((root?.suites ?? []).map((s) => s.file).filter((f): f is string => !!f));
    if (!root || files.size !== 1) return;
    const entry: FileTime = { file: [...files][0], ms: Date.now() - started, tests: root.total() };
    fs.appendFileSync(fileTimesPath(process.ppid), `${JSON.stringify(entry)}\n`);
  },
};
