/**
 * A mocha reporter: the `spec` reporter's output, then the wall time of each suite (the top-level
 * folder under tests/: emulator, engine, reliability…) and of the slowest spec files, so the time
 * budget of `npm test` (issue 22: CI under 25 minutes) shows where it goes. A file's time runs from
 * its first top-level `describe` starting to its last one ending: hooks included (an engine spec's
 * stack is made in a `before`).
 *
 *   mocha --reporter ./tests/helpers/suiteTimes.ts 'tests/**\/*.spec.ts'
 *
 * With SUITE_TIMES_FILE set, the same table also goes to that file (.ci/run prints it in its summary).
 * With `--parallel`, the workers time each file themselves (tests/helpers/fileTimes.ts); a suite's time
 * is then the sum of its files' times, which ran two at a time, and `all` the run's wall time.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import Mocha from "mocha";
import { fileTimesPath, type FileTime } from "./fileTimes";

const { EVENT_RUN_END, EVENT_SUITE_BEGIN, EVENT_SUITE_END } = Mocha.Runner.constants;

/** How many of the slowest files the table lists. */
const slowestFiles = 12;

/** `tests/engine/stack.spec.ts` → `engine`; a file outside tests/ → its own top folder. */
export function suiteOf(file: string, root = process.cwd()): string {
  const parts = path.relative(root, file).split(path.sep);
  if (parts[0] === "tests" && parts.length > 2) return parts[1];
  return parts.length > 1 ? parts[0] : "(top level)";
}

/** `1234567` → `20:35`; under a minute → `41.2 s`. */
export function formatDuration(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
}

/** The table: suites by time, then the slowest files; `files` maps file → [ms, tests]. */
export function timesTable(files: Map<string, { ms: number; tests: number }>, totalMs: number): string {
  const suites = new Map<string, { ms: number; files: number; tests: number }>();
  for (const [file, { ms, tests }] of files) {
    const name = suiteOf(file);
    const suite = suites.get(name) ?? { ms: 0, files: 0, tests: 0 };
    suites.set(name, { ms: suite.ms + ms, files: suite.files + 1, tests: suite.tests + tests });
  }
  const rows = [...suites].sort((a, b) => b[1].ms - a[1].ms);
  const width = Math.max(12, ...rows.map(([name]) => name.length));
  const lines = [
    `${"suite".padEnd(width)}  ${"time".padStart(7)}  files  tests`,
    ...rows.map(
      ([name, s]) =>
        `${name.padEnd(width)}  ${formatDuration(s.ms).padStart(7)}  ${String(s.files).padStart(5)}  ${String(s.tests).padStart(5)}`,
    ),
    `${"all".padEnd(width)}  ${formatDuration(totalMs).padStart(7)}`,
    "",
    `slowest files:`,
    ...[...files]
      .sort((a, b) => b[1].ms - a[1].ms)
      .slice(0, slowestFiles)
      .map(([file, { ms }]) => `  ${formatDuration(ms).padStart(7)}  ${path.relative(process.cwd(), file)}`),
  ];
  return lines.join("\n");
}

class SuiteTimes extends Mocha.reporters.Spec {
  constructor(runner: Mocha.Runner, options?: Mocha.MochaOptions) {
    super(runner, options);
    const started = Date.now();
    const files = new Map<string, { ms: number; tests: number }>();
    const begun = new Map<Mocha.Suite, number>();
    runner.on(EVENT_SUITE_BEGIN, (suite: Mocha.Suite) => {
      if (suite.parent?.root && suite.file) begun.set(suite, Date.now());
    });
    runner.on(EVENT_SUITE_END, (suite: Mocha.Suite) => {
      const start = begun.get(suite);
      if (start === undefined || !suite.file) return;
      const entry = files.get(suite.file) ?? { ms: 0, tests: 0 };
      files.set(suite.file, { ms: entry.ms + Date.now() - start, tests: entry.tests + suite.total() });
    });
    // Registered after the spec reporter's own: prints below its summary.
    runner.once(EVENT_RUN_END, () => {
      // With --parallel the workers timed the files (tests/helpers/fileTimes.ts): events arrive late.
      const fromWorkers = workerFileTimes(process.pid);
      const table = timesTable(fromWorkers ?? files, Date.now() - started);
      console.log(`\nTime by suite (tests/<folder>):\n${table}\n`);
      const out = process.env.SUITE_TIMES_FILE;
      if (out) fs.writeFileSync(out, `${table}\n`);
    });
  }
}

/** The files' times the parallel workers of mocha process `mainPid` wrote, or undefined (a serial run). */
export function workerFileTimes(mainPid: number): Map<string, { ms: number; tests: number }> | undefined {
  const file = fileTimesPath(mainPid);
  if (!fs.existsSync(file)) return undefined;
  const times = new Map<string, { ms: number; tests: number }>();
  for (const line of fs.readFileSync(file, "utf8").split("\n")) {
    if (line.trim() === "") continue;
    const entry = JSON.parse(line) as FileTime;
    times.set(entry.file, { ms: entry.ms, tests: entry.tests });
  }
  fs.rmSync(file, { force: true });
  return times;
}

// Mocha takes a reporter module's default export.
export default SuiteTimes;
