import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { RenderClient } from "../../../components/render/client";
import { isNotFound, RenderApiError } from "../../../components/render/errors";
import { WaitFailedError, WaitTimeoutError, waitForPostgresAvailable } from "../../../components/render/wait";

// Dynamic providers are serialized into state; whatever a provider reaches of the client must
// serialize (no module-level zod schemas, no undici internals), and stay small.
describe("render client serialization", () => {
  it("serializes a provider-like function using the client, as a require of undici and zod", async () => {
    const fn = async (id: string) => {
      const client = new RenderClient({ apiKey: "k", baseUrl: "http://127.0.0.1:1/v1" });
      try {
        return await waitForPostgresAvailable(client, id, { timeoutMs: 1, intervalMs: 1 });
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
    };
    const serialized = await pulumi.runtime.serializeFunction(fn);
    const text = serialized.text;
    assert.match(text, /require\("undici(\/index\.js)?"\)/);
    assert.match(text, /require\("zod"\)/);
    assert.ok(!text.includes("bound safeParse"));
    assert.ok(!/undici\/lib/.test(text), "undici internals captured");
    console.log(`      serialized size: ${text.length} bytes`);
    assert.ok(text.length < 120_000, `serialized closure is ${text.length} bytes`);
  });

  // Regression (issue 9, fault matrix): a provider's RenderApiError reached the engine as "error:
  // undefined", because the serializer turns `class … extends Error` into a function that calls `Error`
  // as a function, which sets no message on `this`.
  it("errors thrown by a serialized provider keep their messages", async () => {
    const dir = mkdtempSync(path.join(__dirname, "..", "..", "..", "node_modules", ".serialize-errors-"));
    try {
      const fn = () => [
        new RenderApiError({
          method: "POST",
          path: "/postgres",
          retryable: true,
          message: "Render answered 500",
        }),
        new WaitTimeoutError("database dpg-x to be available", 5000, "status creating"),
        new WaitFailedError("deploy dep-x", "build_failed"),
      ];
      const file = path.join(dir, "errors.js");
      writeFileSync(file, (await pulumi.runtime.serializeFunction(fn)).text);
      const errors = (require(file) as { handler: typeof fn }).handler();
      assert.deepEqual(
        errors.map((e) => e.message),
        [
          "Render answered 500",
          "timed out after 5 s waiting for database dpg-x to be available (last seen: status creating)",
          "gave up waiting for deploy dep-x: it is build_failed",
        ],
      );
      // The dynamic provider host logs a failed read/check/diff as `${err}: ${err.stack}`: it printed
      // "[object Object]: undefined" under the stack in every preview whose refresh failed (issue 9).
      assert.deepEqual(
        errors.map((e) => `${e}`),
        [
          "RenderApiError: Render answered 500",
          "WaitTimeoutError: timed out after 5 s waiting for database dpg-x to be available (last seen: status creating)",
          "WaitFailedError: gave up waiting for deploy dep-x: it is build_failed",
        ],
      );
      for (const e of errors) assert.match(String(e.stack), new RegExp(`^${e.name}: `));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
