import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { RenderClient } from "../../../components/render/client";
import { isRenderApiError, type RenderApiError } from "../../../components/render/errors";

/** What the scripted server does with one request. */
type Action =
  { status: number; body?: unknown; headers?: Record<string, string> } | { reset: true } | { hang: true };

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A local server answering from a script, recording every request (no emulator needed). */
async function scriptedServer() {
  const script: Action[] = [];
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      const action = script.shift() ?? { status: 500, body: { message: "script exhausted" } };
      if ("reset" in action) {
        req.socket.destroy();
        return;
      }
      if ("hang" in action) return;
      const text = action.body === undefined ? "" : JSON.stringify(action.body);
      res.writeHead(action.status, { "content-type": "application/json", ...action.headers });
      res.end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    script,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const apiKey = "rnd_unitTestKey0123456789";
const owner = { id: "tea-1", name: "arrakis", email: "o@example.com", type: "team" };
const db = {
  id: "dpg-1",
  name: "db",
  owner,
  plan: "basic_256mb",
  region: "oregon",
  version: "16",
  status: "available",
  databaseName: "app_abcd",
  databaseUser: "app",
  ipAllowList: null,
  createdAt: "2026-01-01T00:00:00Z",
  updatedAt: "2026-01-01T00:00:00Z",
  someFieldRenderAddsLater: { nested: true },
};

async function rejection(p: Promise<unknown>): Promise<RenderApiError> {
  try {
    await p;
  } catch (err) {
    assert.ok(isRenderApiError(err), `expected RenderApiError, got ${String(err)}`);
    return err;
  }
  assert.fail("expected a rejection");
}

describe("render client (scripted server)", () => {
  let srv: Awaited<ReturnType<typeof scriptedServer>>;
  let sleeps: number[];
  let client: RenderClient;
  const make = (extra: Partial<ConstructorParameters<typeof RenderClient>[0]> = {}) =>
    new RenderClient({
      apiKey,
      baseUrl: srv.url,
      budget: false,
      sleep: async (ms) => void sleeps.push(ms),
      random: () => 0,
      timeouts: { headersMs: 200, bodyMs: 200 },
      ...extra,
    });

  beforeEach(async () => {
    srv = await scriptedServer();
    sleeps = [];
    client = make();
  });
  afterEach(async () => {
    await client.close();
    await srv.close();
  });

  it("sends bearer auth, JSON and a User-Agent, and parses tolerantly", async () => {
    srv.script.push({ status: 200, body: db });
    const got = await client.getPostgres("dpg-1");
    assert.equal(got.id, "dpg-1");
    assert.deepEqual(got.ipAllowList, []);
    assert.equal(srv.seen[0].url, "/v1/postgres/dpg-1");
    assert.equal(srv.seen[0].headers.authorization, `Bearer ${apiKey}`);
    assert.match(String(srv.seen[0].headers["user-agent"]), /^arrakis-infra\/\d+\.\d+\.\d+/);
  });

  it("sends list filters comma-separated with limit and cursor", async () => {
    srv.script.push({ status: 200, body: [{ postgres: db, cursor: "c1" }] }, { status: 200, body: [] });
    const c = make({ pageSize: 1 });
    const all = [];
    for await (const p of c.listPostgres({ name: ["a", "b"], ownerId: ["tea-1"] })) all.push(p);
    assert.equal(all.length, 1);
    const first = new URL(srv.seen[0].url, "http://x");
    assert.equal(first.searchParams.get("name"), "a,b");
    assert.equal(first.searchParams.get("ownerId"), "tea-1");
    assert.equal(first.searchParams.get("limit"), "1");
    assert.equal(new URL(srv.seen[1].url, "http://x").searchParams.get("cursor"), "c1");
  });

  it("retries a GET through 503 and a reset, then succeeds", async () => {
    srv.script.push({ status: 503 }, { reset: true }, { status: 200, body: db });
    await client.getPostgres("dpg-1");
    assert.equal(srv.seen.length, 3);
    assert.deepEqual(sleeps, [250, 500]);
  });

  it("honours Retry-After and Ratelimit-Reset on 429", async () => {
    srv.script.push(
      { status: 429, headers: { "retry-after": "2" } },
      { status: 429, headers: { "ratelimit-reset": "4" } },
      { status: 204 },
    );
    await client.deletePostgres("dpg-1");
    assert.equal(srv.seen.length, 3);
    assert.deepEqual(sleeps, [2000, 5000]);
  });

  it("retries a POST on 429 (refused, not applied)", async () => {
    srv.script.push({ status: 429 }, { status: 201, body: db });
    await client.createPostgres({ name: "db", ownerId: "tea-1", plan: "basic_256mb", version: "16" });
    assert.equal(srv.seen.length, 2);
  });

  it("never repeats a POST whose answer was lost: outcome unknown", async () => {
    srv.script.push({ reset: true }, { status: 201, body: db });
    const err = await rejection(
      client.createPostgres({ name: "db", ownerId: "tea-1", plan: "basic_256mb", version: "16" }),
    );
    assert.equal(srv.seen.length, 1);
    assert.equal(err.outcomeUnknown, true);
    assert.match(err.message, /outcome of POST \/postgres is unknown/);
  });

  it("treats a headers timeout on a POST as an unknown outcome (undici timers tick at ~1 s)", async () => {
    srv.script.push({ hang: true });
    const err = await rejection(
      client.createPostgres({ name: "db", ownerId: "tea-1", plan: "basic_256mb", version: "16" }),
    );
    assert.equal(err.outcomeUnknown, true);
    assert.equal(err.code, "UND_ERR_HEADERS_TIMEOUT");
    assert.equal(srv.seen.length, 1);
  });

  it("does not retry a 5xx POST and says its outcome is unknown", async () => {
    srv.script.push({ status: 502 });
    const err = await rejection(client.createService({ type: "web_service", name: "w", ownerId: "tea-1" }));
    assert.equal(srv.seen.length, 1);
    assert.equal(err.outcomeUnknown, true);
    assert.equal(err.status, 502);
  });

  it("retries a refused connection even for a POST, up to maxAttempts", async () => {
    const port = new URL(srv.url).port;
    await srv.close();
    const c = make({ baseUrl: `http://127.0.0.1:${port}/v1`, retry: { maxAttempts: 3 } });
    const err = await rejection(
      c.createPostgres({ name: "db", ownerId: "tea-1", plan: "basic_256mb", version: "16" }),
    );
    assert.equal(err.code, "ECONNREFUSED");
    assert.equal(err.outcomeUnknown, false);
    assert.equal(err.attempts, 3);
    assert.match(err.message, /gave up after 3 attempts/);
    srv = await scriptedServer();
  });

  it("gives up when the next wait would pass maxElapsedMs", async () => {
    srv.script.push({ status: 503, headers: { "retry-after": "60" } });
    const c = make({ retry: { maxElapsedMs: 10_000 } });
    const err = await rejection(c.getPostgres("dpg-1"));
    assert.equal(srv.seen.length, 1);
    assert.equal(err.status, 503);
    assert.match(err.message, /next wait would pass the 10000 ms limit/);
  });

  it("says a rate limit's wait past maxElapsedMs in words: the limit, when to try again", async () => {
    srv.script.push({
      status: 429,
      headers: { "retry-after": "60" },
      body: { message: "rate limit exceeded" },
    });
    const c = make({ retry: { maxElapsedMs: 10_000 } });
    const err = await rejection(c.getPostgres("dpg-1"));
    assert.equal(srv.seen.length, 1);
    assert.equal(err.status, 429);
    assert.equal(err.retryable, true);
    assert.match(
      err.message,
      /^Render refused GET \/postgres\/dpg-1: 429 Too Many Requests \(rate limit exceeded\): Render's rate limit is 400 GET requests per minute, and the next may start in 60 s, longer than this client waits \(10 s\); nothing was applied\. Try again after \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/,
    );
  });

  it("fails a response that does not parse with method, path, field and problem", async () => {
    srv.script.push({ status: 200, body: { ...db, owner: { ...owner, id: 42 } } });
    const err = await rejection(client.getPostgres("dpg-1"));
    assert.match(err.message, /^unexpected response from Render for GET \/postgres\/dpg-1: owner\.id: /);
    srv.script.push({ status: 200, body: [{ postgres: { ...db, status: "melting" }, cursor: "c" }] });
    const err2 = await rejection(client.listPostgres().next());
    assert.match(
      err2.message,
      /^unexpected response from Render for GET \/postgres: \[0\]\.postgres\.status: /,
    );
  });

  it("resolves a 202 deploy without body to undefined", async () => {
    srv.script.push({ status: 202 });
    assert.equal(await client.createDeploy("srv-1"), undefined);
    assert.equal(srv.seen[0].body, "{}");
  });

  it("refuses to start without an API key, naming the config key", () => {
    assert.throws(() => new RenderClient({ apiKey: "", baseUrl: srv.url }), /render:apiKey/);
  });
});
