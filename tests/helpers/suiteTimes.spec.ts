/** The suite-times reporter's arithmetic (tests/helpers/suiteTimes.ts): folders, durations, the table. */
import { strict as assert } from "node:assert";
import * as path from "node:path";
import * as fs from "node:fs";
import { fileTimesPath } from "./fileTimes";
import { formatDuration, suiteOf, timesTable, workerFileTimes } from "./suiteTimes";

describe("suite times reporter", () => {
  const root = process.cwd();

  it("names a spec's suite by its top folder under tests/ (nested folders count as their top one)", () => {
    assert.equal(suiteOf(path.join(root, "tests/engine/stack.spec.ts")), "engine");
    assert.equal(suiteOf(path.join(root, "tests/components/postgres/schema.spec.ts")), "components");
    assert.equal(suiteOf(path.join(root, "policy/tests/policy.spec.ts")), "policy");
    assert.equal(suiteOf(path.join(root, "top.spec.ts")), "(top level)");
  });

  it("writes seconds under a minute and m:ss from a minute on", () => {
    assert.equal(formatDuration(41_249), "41.2 s");
    assert.equal(formatDuration(60_000), "1:00");
    assert.equal(formatDuration(1_234_567), "20:35");
  });

  it("sums files into suites, slowest suite first, and lists the slowest files", () => {
    const files = new Map([
      [path.join(root, "tests/engine/a.spec.ts"), { ms: 120_000, tests: 3 }],
      [path.join(root, "tests/engine/b.spec.ts"), { ms: 60_000, tests: 2 }],
      [path.join(root, "tests/emulator/c.spec.ts"), { ms: 30_000, tests: 9 }],
    ]);
    const lines = timesTable(files, 215_000).split("\n");
    assert.match(lines[1], /^engine\s+3:00\s+2\s+5$/);
    assert.match(lines[2], /^emulator\s+30\.0 s\s+1\s+9$/);
    assert.match(lines[3], /^all\s+3:35$/);
    assert.deepEqual(
      lines.slice(lines.indexOf("slowest files:") + 1).map((l) => l.trim().split(/\s+/).pop()),
      ["tests/engine/a.spec.ts", "tests/engine/b.spec.ts", "tests/emulator/c.spec.ts"],
    );
  });

  it("takes the files' times the parallel workers wrote, once, and none in a serial run", () => {
    const mainPid = 2_000_000_000 + process.pid; // no real process: a file of this test's own
    const file = fileTimesPath(mainPid);
    fs.rmSync(file, { force: true });
    assert.equal(workerFileTimes(mainPid), undefined);
    fs.writeFileSync(
      file,
      `${JSON.stringify({ file: "/r/tests/engine/a.spec.ts", ms: 90_000, tests: 4 })}\n` +
        `${JSON.stringify({ file: "/r/tests/emulator/b.spec.ts", ms: 2_000, tests: 7 })}\n`,
    );
    assert.deepEqual(
      [...workerFileTimes(mainPid)!],
      [
        ["/r/tests/engine/a.spec.ts", { ms: 90_000, tests: 4 }],
        ["/r/tests/emulator/b.spec.ts", { ms: 2_000, tests: 7 }],
      ],
    );
    assert.equal(fs.existsSync(file), false, "the workers' file is removed once read");
  });
});
