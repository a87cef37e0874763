/**
 * The fault matrix through the real engine (issue 9; see faultMatrix.ts). `npm test` runs the CI-sized
 * subset, the cases only the engine can show (faultMatrix.ts `ciSubset`); `RELIABILITY_FULL=1` (what `npm run test:reliability` sets) runs
 * every endpoint × every fault. `RELIABILITY_FILTER=<text>` keeps the cases whose endpoint or fault
 * contains the text. Prints the summary table and one line per case.
 */
import { strict as assert } from "node:assert";
import { requireEngine } from "../../tools/pulumi-engine/locate";
import {
  caseTable,
  ciSubset,
  discoverEndpoints,
  fullMatrix,
  matrixTable,
  runMatrix,
  type EndpointsByScenario,
} from "./faultMatrix";
import { ReliabilityWorld } from "./harness";

const full = process.env.RELIABILITY_FULL === "1";
const filter = process.env.RELIABILITY_FILTER;

describe(`reliability: fault matrix (${full ? "full" : "CI subset; RELIABILITY_FULL=1 for all"})`, function () {
  this.timeout(full ? 3 * 3_600_000 : 900_000);
  let world: ReliabilityWorld;
  let endpoints: EndpointsByScenario;

  before(async () => {
    requireEngine();
    world = await ReliabilityWorld.start();
    await world.configureForMatrix();
    await world.createStack();
  });

  after(async () => {
    await world?.close();
  });

  it("finds the endpoints the stack uses in a clean create, preview, update and destroy", async () => {
    endpoints = await discoverEndpoints(world);
    console.log(
      `      endpoints by the command that first calls them:\n${JSON.stringify(endpoints, null, 2)}`,
    );
    const all = Object.values(endpoints).flat();
    for (const endpoint of [
      "GET /v1/postgres",
      "POST /v1/postgres",
      "GET /v1/postgres/{dpg}",
      "GET /v1/postgres/{dpg}/connection-info",
      "PATCH /v1/postgres/{dpg}",
      "DELETE /v1/postgres/{dpg}",
      "GET /v1/services",
      "POST /v1/services",
      "PATCH /v1/services/{srv}",
      "DELETE /v1/services/{srv}",
      "PUT /v1/services/{srv}/env-vars",
      // A new service's first deploy is Render's own, which the deploy resource waits for and adopts
      // (issue 17): a clean create lists deploys and POSTs none.
      "GET /v1/services/{srv}/deploys",
    ])
      assert.ok(all.includes(endpoint), `${endpoint} not called: ${all.join(", ")}`);
    // The world is empty again, and nothing leaked on the way.
    assert.deepEqual((await world.inspect("absent")).problems, []);
    assert.deepEqual(world.findLeaks(), []);
  });

  it("every case converges, at most after one re-run that the failure's message makes safe, with no duplicate, orphan or leaked secret", async () => {
    assert.ok(endpoints, "the endpoints were not found");
    let cases = full ? fullMatrix(endpoints) : ciSubset(endpoints);
    if (filter) cases = cases.filter((c) => `${c.kind} ${c.endpoint}`.includes(filter));
    console.log(`      ${cases.length} cases`);
    const outcomes = await runMatrix(world, cases, (line) =>
      console.log(`      ${new Date().toISOString().slice(11, 19)} ${line}`),
    );
    console.log(`\nFault matrix (${full ? "full" : "CI subset"}):\n${matrixTable(outcomes)}\n`);
    console.log(`${caseTable(outcomes)}\n`);
    const bad = outcomes.filter(
      (o) => o.problems.length > 0 || o.outcome === "failed" || o.outcome === "fault not reached",
    );
    assert.deepEqual(
      bad.map((o) => `${o.kind} on ${o.endpoint}: ${o.outcome}; ${o.problems.join("; ")}`),
      [],
    );
    assert.equal(
      outcomes.reduce((n, o) => n + o.duplicates + o.orphans + o.leaks.length, 0),
      0,
    );
  });
});
