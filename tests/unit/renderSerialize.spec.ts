import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { RenderClient } from "../../components/render/client";
import { isNotFound } from "../../components/render/errors";
import { waitForPostgresAvailable } from "../../components/render/wait";

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
});
