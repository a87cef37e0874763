/**
 * Start time and memory of the emulator's PGlite databases. Run: `npx tsx bench/emulatorDatabase.ts`.
 * Prints `name: value` lines.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "pg";
import { createDatabaseBackend, type DatabaseHandle } from "../emulator/databases";

const rssMb = (): number => process.memoryUsage().rss / 1024 / 1024;

function spec(n: number) {
  return {
    id: `dpg-bench${n}-a`,
    databaseName: `bench_${n}`,
    user: `bench_user_${n}`,
    password: `benchpw${n}`,
  };
}

async function firstQuery(handle: DatabaseHandle): Promise<void> {
  const client = new Client({ ...handle, database: handle.databaseName });
  await client.connect();
  await client.query("SELECT 1");
  await client.end();
}

async function timed(work: () => Promise<void>): Promise<number> {
  const start = performance.now();
  await work();
  return Math.round(performance.now() - start);
}

async function main(): Promise<void> {
  const backend = createDatabaseBackend({ kind: "pglite" });
  const baseline = rssMb();
  // Cold: the first database of a backend also runs PGlite's initdb for the template.
  const cold = await timed(async () => firstQuery(await backend.provision(spec(1))));
  const afterOne = rssMb();
  const warm: number[] = [];
  for (let n = 2; n <= 5; n++)
    warm.push(await timed(async () => firstQuery(await backend.provision(spec(n)))));
  const afterFive = rssMb();
  await backend.close();

  const dataDir = await mkdtemp(join(tmpdir(), "emulator-db-bench-"));
  try {
    const first = createDatabaseBackend({ kind: "pglite", dataDir });
    await first.provision(spec(9));
    await first.close();
    const second = createDatabaseBackend({ kind: "pglite", dataDir });
    const reattach = await timed(async () => firstQuery(await second.provision(spec(9))));
    await second.close();
    console.log(`pglite_start_ms: ${cold}`);
    console.log(`pglite_warm_start_ms: ${Math.round(warm.reduce((a, b) => a + b, 0) / warm.length)}`);
    console.log(`pglite_reattach_ms: ${reattach}`);
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
  console.log(`pglite_rss_mb_per_database: ${(afterOne - baseline).toFixed(1)}`);
  console.log(`pglite_rss_mb_marginal_of_5: ${((afterFive - afterOne) / 4).toFixed(1)}`);
  console.log(`pglite_rss_mb_total_5: ${(afterFive - baseline).toFixed(1)}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
