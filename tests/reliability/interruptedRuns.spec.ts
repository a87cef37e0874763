/**
 * Interrupted runs through the real engine (issue 9; see interruptedRuns.ts): `pulumi up` SIGKILLed at
 * each point, then only what the output tells, until one database and one service are available and
 * live and a preview is clean. `npm test` runs one point, right after the database POST (the create that
 * must never happen twice); `RELIABILITY_FULL=1` runs all four, during the deploy among them (a 64 s case
 * moved out of the default run for CI's 25-minute budget). `npm test` also kills an up of a credential
 * rotation after its first write in tests/engine/rotation.spec.ts. Prints the table.
 */
import { strict as assert } from "node:assert";
import { requireEngine } from "../../tools/pulumi-engine/locate";
import { ReliabilityWorld } from "./harness";
import { interruptTable, killPoints, runKillPoint, type InterruptOutcome } from "./interruptedRuns";

const full = process.env.RELIABILITY_FULL === "1";
const points = full ? killPoints : [killPoints[0]];

describe(`reliability: interrupted runs (${full ? "all points" : "one point; RELIABILITY_FULL=1 for all"})`, function () {
  this.timeout(600_000);
  let world: ReliabilityWorld;
  const outcomes: InterruptOutcome[] = [];

  before(async () => {
    requireEngine();
    world = await ReliabilityWorld.start();
  });

  after(async () => {
    if (outcomes.length > 0) console.log(`\nInterrupted runs:\n${interruptTable(outcomes)}\n`);
    await world?.close();
  });

  for (const point of points) {
    it(`killed ${point.name}: the next up, after what its output says, ends with one database and one service, live`, async () => {
      const outcome = await runKillPoint(world, point, (line) => console.log(`      ${line.split("\n")[0]}`));
      outcomes.push(outcome);
      assert.deepEqual(outcome.problems, []);
      assert.ok(outcome.converged, outcome.steps.join("; "));
      assert.equal(outcome.duplicates + outcome.orphans + outcome.leaks.length, 0);
    });
  }
});
