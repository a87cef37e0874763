import assert from "node:assert/strict";
import {
  backoffMs,
  defaultRetryPolicy,
  retryDelayMs,
  serverDelayMs,
  shouldRetry,
  type AttemptFailure,
} from "../../../components/render/retry";

const status = (s: number, headers: Record<string, string> = {}): AttemptFailure => ({
  kind: "status",
  status: s,
  headers,
});
const net = (code: string): AttemptFailure => ({ kind: "network", code });

describe("render retry decisions", () => {
  it("retries GET, PUT and DELETE on 408/429/5xx and socket errors", () => {
    for (const method of ["GET", "PUT", "DELETE"]) {
      for (const s of [408, 429, 500, 502, 503, 504])
        assert.equal(shouldRetry(method, status(s)), true, `${method} ${s}`);
      for (const code of ["ECONNRESET", "UND_ERR_SOCKET", "UND_ERR_HEADERS_TIMEOUT", "ECONNREFUSED"]) {
        assert.equal(shouldRetry(method, net(code)), true, `${method} ${code}`);
      }
      for (const s of [400, 401, 404, 409])
        assert.equal(shouldRetry(method, status(s)), false, `${method} ${s}`);
    }
  });

  it("retries POST and PATCH only when certainly not applied", () => {
    for (const method of ["POST", "PATCH"]) {
      assert.equal(shouldRetry(method, status(429)), true);
      assert.equal(shouldRetry(method, net("ECONNREFUSED")), true);
      assert.equal(shouldRetry(method, net("UND_ERR_CONNECT_TIMEOUT")), true);
      assert.equal(shouldRetry(method, status(503)), false);
      assert.equal(shouldRetry(method, status(500)), false);
      assert.equal(shouldRetry(method, net("UND_ERR_SOCKET")), false);
      assert.equal(shouldRetry(method, net("ECONNRESET")), false);
      assert.equal(shouldRetry(method, net("UND_ERR_HEADERS_TIMEOUT")), false);
    }
  });

  it("retries a request marked repeatable (a PATCH of absolute values) like a PUT", () => {
    assert.equal(shouldRetry("PATCH", status(503), true), true);
    assert.equal(shouldRetry("PATCH", status(500), true), true);
    assert.equal(shouldRetry("PATCH", net("UND_ERR_SOCKET"), true), true);
    assert.equal(shouldRetry("PATCH", net("UND_ERR_HEADERS_TIMEOUT"), true), true);
    assert.equal(shouldRetry("PATCH", status(409), true), false);
    assert.equal(shouldRetry("POST", status(503), false), false);
  });

  describe("serverDelayMs", () => {
    const now = Date.parse("2026-03-01T12:00:00Z");
    it("reads Retry-After in seconds and as an HTTP date", () => {
      assert.equal(serverDelayMs({ "retry-after": "3" }, now), 3000);
      assert.equal(serverDelayMs({ "retry-after": "Sun, 01 Mar 2026 12:00:10 GMT" }, now), 10_000);
      assert.equal(serverDelayMs({ "retry-after": "Sun, 01 Mar 2026 11:00:00 GMT" }, now), 0);
    });
    it("reads Ratelimit-Reset as seconds left (observed) with a second of slack", () => {
      assert.equal(serverDelayMs({ "ratelimit-reset": "0" }, now), 1000);
      assert.equal(serverDelayMs({ "ratelimit-reset": "59" }, now), 60_000);
    });
    it("reads Ratelimit-Reset as epoch seconds (documented)", () => {
      assert.equal(serverDelayMs({ "ratelimit-reset": String(now / 1000 + 7) }, now), 7000);
      assert.equal(serverDelayMs({ "ratelimit-reset": String(now / 1000 - 7) }, now), 0);
    });
    it("prefers Retry-After, caps at an hour, ignores garbage", () => {
      assert.equal(serverDelayMs({ "retry-after": "2", "ratelimit-reset": "50" }, now), 2000);
      assert.equal(serverDelayMs({ "retry-after": "999999" }, now), 3_600_000);
      assert.equal(serverDelayMs({ "retry-after": "soon" }, now), undefined);
      assert.equal(serverDelayMs({}, now), undefined);
    });
  });

  it("backs off exponentially with jitter, capped", () => {
    const p = { ...defaultRetryPolicy(), baseDelayMs: 100, maxDelayMs: 1000 };
    assert.equal(
      backoffMs(1, p, () => 0),
      50,
    );
    assert.equal(backoffMs(1, p, () => 0.999999) < 100, true);
    assert.equal(
      backoffMs(3, p, () => 0),
      200,
    );
    assert.equal(
      backoffMs(10, p, () => 0),
      500,
    );
    assert.equal(
      backoffMs(10, p, () => 1),
      1000,
    );
  });

  it("uses the server's wait for 429/503 and back-off otherwise", () => {
    const p = { ...defaultRetryPolicy(), baseDelayMs: 100, maxDelayMs: 1000 };
    assert.equal(
      retryDelayMs(status(429, { "retry-after": "4" }), 1, p, 0, () => 0),
      4000,
    );
    assert.equal(
      retryDelayMs(status(503, { "retry-after": "1" }), 1, p, 0, () => 0),
      1000,
    );
    assert.equal(
      retryDelayMs(status(429), 2, p, 0, () => 0),
      100,
    );
    assert.equal(
      retryDelayMs(status(500, { "retry-after": "9" }), 1, p, 0, () => 0),
      50,
    );
    assert.equal(
      retryDelayMs(net("ECONNRESET"), 1, p, 0, () => 0),
      50,
    );
    assert.equal(
      retryDelayMs(status(429, { "ratelimit-reset": "9" }), 1, p, 0, () => 0),
      10_000,
    );
    // A 503's Ratelimit-Reset is about the rate window, not the outage: back off instead.
    assert.equal(
      retryDelayMs(status(503, { "ratelimit-reset": "59" }), 1, p, 0, () => 0),
      50,
    );
  });
});
