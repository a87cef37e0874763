/**
 * The emulator's HTTP front: auth, Render-shaped errors for bad input to the server itself, headers,
 * owners, and that nothing a client sends stops it from serving.
 */
import { strict as assert } from "node:assert";
import * as net from "node:net";
import type { RunningEmulator } from "../../emulator";
import { callApi } from "../helpers/http";
import { apiOf, expectStatus, start, type Api } from "./harness";

describe("emulator server: auth, errors, owners", function () {
  let emu: RunningEmulator;
  let api: Api;

  before(async () => {
    emu = await start({ ownerId: "tea-d303qfodl3ps739p3e60", apiKey: "rnd_test_key_0123456789" });
    api = apiOf(emu);
  });
  after(() => emu?.close());

  it("uses the chosen key and workspace id, and a base URL ending in /v1", () => {
    assert.equal(emu.apiKey, "rnd_test_key_0123456789");
    assert.equal(emu.ownerId, "tea-d303qfodl3ps739p3e60");
    assert.match(emu.url, /^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    assert.equal(emu.controlUrl, emu.url.replace(/\/v1$/, "/_emulator"));
  });

  it("answers 401 with Render's error shape for a missing, wrong or malformed key", async () => {
    for (const key of [null, "rnd_wrong", `${emu.apiKey}x`, ""]) {
      const response = await api("GET", "/owners", undefined, key);
      expectStatus(response, 401);
      assert.equal(typeof (response.body as { message: unknown }).message, "string");
      assert.ok(!response.text.includes(emu.apiKey), "the key never appears in an error");
    }
    const basic = await callApi(emu.url, "GET", "/owners", { apiKey: null });
    expectStatus(basic, 401);
  });

  it("accepts the Bearer scheme case-insensitively", async () => {
    const { request } = await import("undici");
    const response = await request(`${emu.url}/owners`, {
      headers: { authorization: `bearer ${emu.apiKey}` },
    });
    assert.equal(response.statusCode, 200);
    await response.body.text();
  });

  it("lists and gets the workspace in Render's shapes; an unknown one is 404 not found: <id>", async () => {
    const list = await api("GET", "/owners");
    expectStatus(list, 200);
    const items = list.body as { owner: Record<string, unknown>; cursor: string }[];
    assert.equal(items.length, 1);
    assert.deepEqual(items[0].owner, {
      id: emu.ownerId,
      name: "arrakis",
      email: "owner@example.com",
      type: "team",
    });
    assert.equal(typeof items[0].cursor, "string");
    const byName = await api("GET", "/owners?name=arrakis,other");
    assert.equal((byName.body as unknown[]).length, 1);
    const noMatch = await api("GET", "/owners?email=nobody@example.com");
    assert.deepEqual(noMatch.body, []);
    const one = await api("GET", `/owners/${emu.ownerId}`);
    expectStatus(one, 200);
    assert.equal((one.body as { id: string }).id, emu.ownerId);
    const missing = await api("GET", "/owners/tea-aaaaaaaaaaaaaaaaaaaa");
    expectStatus(missing, 404);
    assert.deepEqual(missing.body, { message: "not found: tea-aaaaaaaaaaaaaaaaaaaa" });
    assert.ok(missing.text.endsWith("\n"), "Render ends JSON with a newline");
  });

  it("answers GET /users with the key's user", async () => {
    const response = await api("GET", "/users");
    expectStatus(response, 200);
    assert.deepEqual(response.body, { email: "owner@example.com", name: "arrakis" });
  });

  it("sends JSON with charset and a Render-Request-Id", async () => {
    const response = await api("GET", "/owners");
    assert.equal(response.headers["content-type"], "application/json; charset=utf-8");
    assert.match(String(response.headers["render-request-id"]), /^[0-9a-f]{32}$/);
  });

  it("answers malformed JSON, unknown routes and wrong methods with Render-shaped 400/404/405", async () => {
    const malformed = await api("POST", "/postgres", "{ not json");
    expectStatus(malformed, 400);
    assert.match((malformed.body as { message: string }).message, /JSON/);
    const notObject = await api("POST", "/postgres", "[1,2]");
    expectStatus(notObject, 400);
    const unknown = await api("GET", "/no-such-route");
    expectStatus(unknown, 404);
    assert.match((unknown.body as { message: string }).message, /^not found: /);
    const wrongMethod = await api("DELETE", "/owners");
    expectStatus(wrongMethod, 405);
    assert.match((wrongMethod.body as { message: string }).message, /DELETE/);
    const outside = await callApi(emu.url.replace(/\/v1$/, ""), "GET", "/v2/owners", { apiKey: emu.apiKey });
    expectStatus(outside, 404);
    const badEscape = await api("GET", "/owners/%E0%A4%A");
    expectStatus(badEscape, 400);
  });

  it("refuses a body over 1 MB with a 400 and keeps serving", async () => {
    const big = JSON.stringify({ name: "x".repeat(1_100_000) });
    const response = await api("POST", "/postgres", big);
    expectStatus(response, 400);
    expectStatus(await api("GET", "/owners"), 200);
  });

  it("survives garbage on the socket and keeps serving", async () => {
    const port = Number(new URL(emu.url).port);
    await new Promise<void>((resolve) => {
      const socket = net.connect(port, "127.0.0.1", () => socket.end("NOT HTTP AT ALL\r\n\r\n\u0000\u0001"));
      socket.on("data", () => undefined);
      socket.on("close", () => resolve());
      socket.on("error", () => resolve());
    });
    expectStatus(await api("GET", "/owners"), 200);
  });
});
