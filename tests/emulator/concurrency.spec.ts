/**
 * 200 concurrent requests (GETs and some writes) against one emulator with Render's rate limits on:
 * nothing fails except the intended 429s, which carry Render's rate-limit headers, every body still
 * validates against openapi.json, and the server keeps serving afterwards.
 */
import { strict as assert } from "node:assert";
import { startEmulator } from "../../emulator";
import { callApi, concurrentAgent, type RawResponse } from "../helpers/http";
import { renderSpecValidator } from "../helpers/openapi";

type Method = "GET" | "PUT" | "PATCH";

const TOTAL = 200;
/** PATCH /services/{id} is limited to 10 a minute per service: 20 of them must yield 10 intended 429s. */
const SERVICE_PATCHES = 20;
const SERVICE_PATCH_LIMIT = 10;
/** Other writes (30 a minute for the key) stay under their limit, so none of them may be refused. */
const ENV_VAR_PUTS = 15;
const RATE_LIMIT_HEADERS = ["ratelimit-limit", "ratelimit-remaining", "ratelimit-reset"];

describe("emulator under 200 concurrent requests", function () {
  const validator = renderSpecValidator();
  let emu: Awaited<ReturnType<typeof startEmulator>>;
  const agent = concurrentAgent(TOTAL);

  before(async () => {
    emu = await startEmulator({ port: 0, timings: "fast", rateLimits: { enabled: true, timeScale: 1 } });
  });
  after(async () => {
    await emu?.close();
    await agent.close();
  });

  it("answers every request, refuses only the intended ones with 429 + Ratelimit-* headers, and keeps serving", async () => {
    const call = (method: Method | "POST", path: string, body?: unknown) =>
      callApi(emu.url, method, path, { apiKey: emu.apiKey, body, dispatcher: agent });
    const created = await call("POST", "/services", {
      type: "web_service",
      name: "concurrency-web",
      ownerId: emu.ownerId,
      repo: "https://github.com/example/arrakis",
      autoDeploy: "no",
      serviceDetails: {
        runtime: "node",
        plan: "starter",
        envSpecificDetails: { buildCommand: "npm ci", startCommand: "npm start" },
      },
    });
    assert.equal(created.status, 201, created.text);
    const serviceId = (created.body as { service: { id: string } }).service.id;

    const gets = [
      "/owners",
      `/owners/${emu.ownerId}`,
      "/services",
      `/services?name=concurrency-web&ownerId=${emu.ownerId}`,
      `/services/${serviceId}`,
      `/services/${serviceId}/env-vars`,
      `/services/${serviceId}/deploys`,
      "/postgres",
    ];
    const requests: { method: Method; path: string; body?: unknown; limited: boolean }[] = [];
    for (let i = 0; i < SERVICE_PATCHES; i++) {
      requests.push({
        method: "PATCH",
        path: `/services/${serviceId}`,
        body: { name: `concurrency-web-${i}` },
        limited: true,
      });
    }
    for (let i = 0; i < ENV_VAR_PUTS; i++) {
      requests.push({
        method: "PUT",
        path: `/services/${serviceId}/env-vars/KEY_${i}`,
        body: { value: `v${i}` },
        limited: false,
      });
    }
    for (let i = 0; requests.length < TOTAL; i++) {
      requests.push({ method: "GET", path: gets[i % gets.length], limited: false });
    }
    // Interleave writes among the reads so they are in flight together.
    const order = new Map(requests.map((r, i) => [r, hash(`${i}:${r.path}`)]));
    requests.sort((a, b) => order.get(a)! - order.get(b)!);

    const started = Date.now();
    const results = await Promise.allSettled(requests.map((r) => call(r.method, r.path, r.body)));
    const elapsedMs = Date.now() - started;

    const problems: string[] = [];
    let intended429 = 0;
    let limitedOk = 0;
    results.forEach((result, i) => {
      const { method, path, limited } = requests[i];
      if (result.status === "rejected") {
        problems.push(`${method} ${path}: ${String(result.reason)}`);
        return;
      }
      const response: RawResponse = result.value;
      try {
        validator.validateResponse(method, path, response.status, response.body);
      } catch (error) {
        problems.push((error as Error).message);
      }
      for (const header of RATE_LIMIT_HEADERS) {
        if (!/^\d+$/.test(String(response.headers[header]))) {
          problems.push(
            `${method} ${path} ${response.status}: header ${header} is ${String(response.headers[header])}`,
          );
        }
      }
      if (response.status === 429 && !/^\d+$/.test(String(response.headers["retry-after"]))) {
        problems.push(`${method} ${path} 429: Retry-After is ${String(response.headers["retry-after"])}`);
      }
      if (response.status === 429 && limited) intended429++;
      else if (response.status < 300 && limited) limitedOk++;
      else if (response.status >= 300)
        problems.push(`${method} ${path}: unexpected ${response.status} ${response.text}`);
    });
    assert.deepEqual(problems, [], `after ${elapsedMs} ms:\n${problems.join("\n")}`);
    assert.equal(limitedOk, SERVICE_PATCH_LIMIT, "exactly the published 10 PATCHes per service get through");
    assert.equal(intended429, SERVICE_PATCHES - SERVICE_PATCH_LIMIT);

    const after = await call("GET", `/services/${serviceId}/env-vars?limit=100`);
    assert.equal(after.status, 200, after.text);
    validator.validateResponse("GET", `/services/${serviceId}/env-vars`, 200, after.body);
    const keys = (after.body as { envVar: { key: string } }[]).map((item) => item.envVar.key);
    for (let i = 0; i < ENV_VAR_PUTS; i++) assert.ok(keys.includes(`KEY_${i}`), `KEY_${i} was written`);
    const owners = await call("GET", "/owners");
    assert.equal(owners.status, 200, "still serving after the burst");
  });
});

/** A small stable string hash, for a deterministic shuffle. */
function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}
