/**
 * Figures of the emulator's HTTP side. Prints `name: value` lines:
 *   start_ms                 startEmulator() until it listens (no database yet)
 *   rss_idle_mb              process RSS after start
 *   get_service_p50_ms/_p99  one GET /services/{id} at a time, with 100 services
 *   list_services_p50_ms     GET /services?limit=100 (100 services)
 *   get_rps                  GET /services/{id} throughput, 50 in flight
 *   postgres_available_ms    POST /postgres until GET says `available` (fast timings, one PGlite database)
 *   rss_with_database_mb     process RSS with that database running
 * Run: `npx tsx bench/emulatorApi.ts [--requests 2000]`
 */
import { Agent, request } from "undici";
import { startEmulator } from "../emulator";

const requests = Number(process.argv[process.argv.indexOf("--requests") + 1]) || 2000;
const mb = () => Math.round(process.memoryUsage().rss / 1024 / 1024);
const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];

async function main(): Promise<void> {
  const t0 = performance.now();
  const emu = await startEmulator({ port: 0, timings: "fast", rateLimits: { enabled: false } });
  console.log(`start_ms: ${(performance.now() - t0).toFixed(1)}`);
  console.log(`rss_idle_mb: ${mb()}`);
  const agent = new Agent({ connections: 50 });
  const call = async (method: "GET" | "POST", path: string, body?: unknown) => {
    const response = await request(`${emu.url}${path}`, {
      method,
      dispatcher: agent,
      headers: { authorization: `Bearer ${emu.apiKey}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return (await response.body.json()) as Record<string, unknown>;
  };
  try {
    let serviceId = "";
    for (let i = 0; i < 100; i++) {
      const created = await call("POST", "/services", {
        type: "web_service",
        name: `bench-${i}`,
        ownerId: emu.ownerId,
        repo: "https://github.com/example/arrakis",
        serviceDetails: { runtime: "node", envSpecificDetails: { buildCommand: "b", startCommand: "s" } },
      });
      serviceId = (created.service as { id: string }).id;
    }
    const one: number[] = [];
    for (let i = 0; i < 500; i++) {
      const t = performance.now();
      await call("GET", `/services/${serviceId}`);
      one.push(performance.now() - t);
    }
    one.sort((a, b) => a - b);
    console.log(`get_service_p50_ms: ${pct(one, 0.5).toFixed(2)}`);
    console.log(`get_service_p99_ms: ${pct(one, 0.99).toFixed(2)}`);
    const lists: number[] = [];
    for (let i = 0; i < 100; i++) {
      const t = performance.now();
      await call("GET", "/services?limit=100");
      lists.push(performance.now() - t);
    }
    lists.sort((a, b) => a - b);
    console.log(`list_services_p50_ms: ${pct(lists, 0.5).toFixed(2)}`);
    const tb = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: 50 }, async () => {
        while (next++ < requests) await call("GET", `/services/${serviceId}`);
      }),
    );
    console.log(`get_rps: ${Math.round(requests / ((performance.now() - tb) / 1000))}`);

    const tp = performance.now();
    const db = await call("POST", "/postgres", {
      name: "bench",
      ownerId: emu.ownerId,
      plan: "basic_256mb",
      version: "16",
    });
    for (;;) {
      const got = await call("GET", `/postgres/${String(db.id)}`);
      if (got.status === "available") break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    console.log(`postgres_available_ms: ${Math.round(performance.now() - tp)}`);
    console.log(`rss_with_database_mb: ${mb()}`);
  } finally {
    await agent.close();
    await emu.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
