import assert from "node:assert/strict";
import {
  errorFromNetwork,
  errorFromParse,
  errorFromResponse,
  isNotFound,
  isRenderApiError,
  redact,
  RenderApiError,
  secretsOfBody,
} from "../../../components/render/errors";
import { WaitFailedError, WaitTimeoutError } from "../../../components/render/wait";

const apiKey = "rnd_TESTKEYabcdef123456";

describe("render errors", () => {
  describe("errorFromResponse", () => {
    it("says a 401 rejected the API key and names the config command", () => {
      const err = errorFromResponse({
        method: "GET",
        path: "/owners",
        status: 401,
        bodyText: JSON.stringify({ message: `invalid key ${apiKey}` }),
        requestId: "req-1",
        secrets: [apiKey],
        nonIdempotent: false,
      });
      assert.match(err.message, /Render rejected the API key \(401 Unauthorized\) for GET \/owners/);
      assert.ok(err.message.includes("pulumi config set --secret render:apiKey <key>"));
      assert.ok(!err.message.includes(apiKey));
      assert.ok(!String(err.renderMessage).includes(apiKey));
      assert.equal(err.status, 401);
      assert.equal(err.retryable, false);
      assert.equal(err.requestId, "req-1");
    });

    it("carries Render's message, status and request id", () => {
      const err = errorFromResponse({
        method: "GET",
        path: "/services/srv-x",
        status: 404,
        bodyText: '{"message":"not found: srv-x"}\n',
        requestId: "abc",
        secrets: [],
        nonIdempotent: false,
      });
      assert.equal(
        err.message,
        "Render API GET /services/srv-x failed: 404 Not Found: not found: srv-x (request id abc)",
      );
      assert.equal(err.renderMessage, "not found: srv-x");
      assert.ok(isNotFound(err));
      assert.ok(isRenderApiError(err));
      assert.ok(err instanceof RenderApiError);
    });

    it("marks 408/429/5xx retryable and 4xx not", () => {
      const of = (status: number) =>
        errorFromResponse({
          method: "GET",
          path: "/x",
          status,
          bodyText: "",
          secrets: [],
          nonIdempotent: false,
        });
      for (const s of [408, 429, 500, 502, 503, 504]) assert.equal(of(s).retryable, true, String(s));
      for (const s of [400, 401, 402, 403, 404, 409, 410, 501])
        assert.equal(of(s).retryable, false, String(s));
      assert.ok(isNotFound(of(410)));
      assert.ok(!isNotFound(of(400)));
    });

    it("reports a 5xx to a POST as an unknown outcome, but not a 429", () => {
      const post = (status: number) =>
        errorFromResponse({
          method: "POST",
          path: "/postgres",
          status,
          bodyText: "",
          secrets: [],
          nonIdempotent: true,
        });
      assert.equal(post(503).outcomeUnknown, true);
      assert.match(post(503).message, /may or may not have been applied \(outcome unknown\)/);
      assert.equal(post(429).outcomeUnknown, false);
      assert.equal(post(409).outcomeUnknown, false);
    });

    it("redacts secrets from the request body that Render echoes", () => {
      const body = { envVars: [{ key: "DATABASE_URL", value: "postgresql://u:hunter2hunter2@db/x" }] };
      const err = errorFromResponse({
        method: "POST",
        path: "/services",
        status: 400,
        bodyText: JSON.stringify({
          message: "bad value postgresql://u:hunter2hunter2@db/x for DATABASE_URL",
        }),
        secrets: [apiKey, ...secretsOfBody(body)],
        nonIdempotent: true,
      });
      assert.ok(!err.message.includes("hunter2"), err.message);
      assert.ok(err.message.includes("DATABASE_URL"));
    });

    it("ignores a body that is not JSON", () => {
      const err = errorFromResponse({
        method: "GET",
        path: "/x",
        status: 502,
        bodyText: "<html>bad gateway</html>",
        secrets: [],
        nonIdempotent: false,
      });
      assert.equal(err.message, "Render API GET /x failed: 502 Bad Gateway");
    });
  });

  describe("errorFromNetwork", () => {
    it("says plainly that a POST whose answer was lost has an unknown outcome", () => {
      const err = errorFromNetwork({
        method: "POST",
        path: "/postgres",
        code: "UND_ERR_SOCKET",
        nonIdempotent: true,
      });
      assert.equal(err.outcomeUnknown, true);
      assert.equal(err.retryable, true);
      assert.match(err.message, /outcome of POST \/postgres is unknown/);
      assert.match(err.message, /look the resource up before trying again/);
    });

    it("knows a refused connection sent nothing", () => {
      const err = errorFromNetwork({
        method: "POST",
        path: "/postgres",
        code: "ECONNREFUSED",
        nonIdempotent: true,
      });
      assert.equal(err.outcomeUnknown, false);
      assert.match(err.message, /not sent/);
    });

    it("never reports an unknown outcome for an idempotent request", () => {
      const err = errorFromNetwork({ method: "PUT", path: "/x", code: "ECONNRESET", nonIdempotent: false });
      assert.equal(err.outcomeUnknown, false);
    });
  });

  it("formats a parse failure with method, path, field and problem", () => {
    const err = errorFromParse("GET", "/postgres/dpg-1", "owner.id", "Invalid input: expected string", []);
    assert.equal(
      err.message,
      "unexpected response from Render for GET /postgres/dpg-1: owner.id: Invalid input: expected string",
    );
  });

  describe("redact", () => {
    it("removes given secrets, URL credentials, PGPASSWORD, bearer tokens and Render keys", () => {
      const out = redact(
        "a s3cr3t-value b postgres://user:pw@host/db PGPASSWORD=abc psql Bearer xyz rnd_ABC123 c",
        ["s3cr3t-value"],
      );
      assert.equal(
        out,
        "a [redacted] b postgres://[redacted]@host/db PGPASSWORD=[redacted] psql Bearer [redacted] [redacted] c",
      );
    });
  });

  // The dynamic provider host logs a failed read/check/diff as `${err}: ${err.stack}` (issue 9: it once
  // printed "[object Object]: undefined" under every preview whose refresh failed).
  it("reads as `Name: message`, and so does its stack, for the provider host's log", () => {
    const errors = [
      new RenderApiError({
        method: "POST",
        path: "/postgres",
        retryable: true,
        message: "Render answered 500",
      }),
      new WaitTimeoutError("database dpg-x to be available", 5000, "status creating"),
      new WaitFailedError("deploy dep-x", "build_failed"),
    ];
    assert.deepEqual(
      errors.map((e) => `${e}`),
      [
        "RenderApiError: Render answered 500",
        "WaitTimeoutError: timed out after 5 s waiting for database dpg-x to be available (last seen: status creating)",
        "WaitFailedError: gave up waiting for deploy dep-x: it is build_failed",
      ],
    );
    for (const e of errors)
      assert.match(String(e.stack), new RegExp(`^${e.name}: ${e.message.replace(/[()]/g, "\\$&")}`));
  });

  describe("secretsOfBody", () => {
    it("collects values, contents and commands but not names, plans or keys", () => {
      const s = secretsOfBody({
        name: "web",
        plan: "starter",
        envVars: [{ key: "K", value: "v-secret" }],
        secretFiles: [{ name: "f", content: "file-secret" }],
        datadogAPIKey: "dd-secret",
      });
      assert.deepEqual(s.sort(), ["dd-secret", "file-secret", "v-secret"]);
    });
  });
});
