/**
 * Burst benchmark of the Render client's rate budget: 1,000 concurrent GETs against the emulator
 * with Render's published limits on (GET 400/min), both sides time-scaled by the same factor.
 *
 * Prints:
 *   avoidable_429s  429s the client received (it is the only caller, so every one was avoidable)
 *   elapsed_ms      wall time of the burst
 *   floor_ms        least time the limit allows: with L per window W, n requests need
 *                   (ceil(n / L) - 1) full windows before the last batch may start
 *   ratio           elapsed_ms / floor_ms (target <= 1.2)
 *
 * Run: `npx tsx bench/clientBurst.ts [--requests 1000] [--time-scale 0.05]`
 */
import { startEmulator } from "../emulator";
import { RateBudget, renderRateLimits } from "../components/render/budget";
import { RenderClient } from "../components/render/client";

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

async function main(): Promise<void> {
  const requests = arg("requests", 1000);
  // 0.05: a 60 s window lasts 3 s, so the run takes seconds while windows stay long next to latency.
  const timeScale = arg("time-scale", 0.05);
  const emu = await startEmulator({ port: 0, timings: "fast", rateLimits: { enabled: true, timeScale } });
  try {
    const budget = new RateBudget({ timeScale });
    const client = new RenderClient({ apiKey: emu.apiKey, baseUrl: emu.url, budget });
    const controlUrl = emu.controlUrl;
    await fetch(`${controlUrl}/requests`, { method: "DELETE" });

    const started = performance.now();
    const results = await Promise.allSettled(
      Array.from({ length: requests }, () => client.getOwner(emu.ownerId)),
    );
    const elapsed = performance.now() - started;

    const log = (await (await fetch(`${controlUrl}/requests`)).json()) as { status: number; path: string }[];
    const burst = log.filter((r) => r.path.startsWith("/v1/owners/"));
    const tooMany = burst.filter((r) => r.status === 429).length;
    const failed = results.filter((r) => r.status === "rejected").length;

    const { limit, windowMs } = renderRateLimits().get;
    const floor = (Math.ceil(requests / limit) - 1) * windowMs * timeScale;
    await client.close();

    console.log(`requests: ${requests}`);
    console.log(`time_scale: ${timeScale}`);
    console.log(`server_requests: ${burst.length}`);
    console.log(`failed_calls: ${failed}`);
    console.log(`avoidable_429s: ${tooMany}`);
    console.log(`elapsed_ms: ${Math.round(elapsed)}`);
    console.log(`floor_ms: ${Math.round(floor)}`);
    console.log(`ratio: ${floor > 0 ? (elapsed / floor).toFixed(3) : "n/a"}`);
  } finally {
    await emu.close();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exitCode = 1;
});
