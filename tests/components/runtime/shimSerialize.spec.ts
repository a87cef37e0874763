import { strict as assert } from "node:assert";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { packagedProvider, providerPackageName } from "../../../components/runtime/package";

// Every provider is serialized into the state of each of its resources, the way the SDK does it
// (`serializeFunction(() => provider)`), then loaded back the way the provider host does. A provider
// that does not serialize makes `pulumi up` hang under mocks, so this is checked here, fast.
// What the state holds is the shim of each kind (components/runtime/package.ts), never a provider
// class: the classes are bundled into the providers package, not serialized.
const providers: [string, object][] = [
  ["RenderPostgres", packagedProvider("postgres")],
  ["PostgresExtension", packagedProvider("postgresExtension")],
  ["RenderWebService", packagedProvider("webService")],
  ["RenderDeploy", packagedProvider("deploy")],
];

const validInputs: Record<string, Record<string, unknown>> = {
  PostgresExtension: { postgresId: "dpg-d303qfodl3ps739p3e6g-a" },
  RenderPostgres: { name: "db", plan: "basic_256mb", version: "17" },
  RenderDeploy: { serviceId: "srv-d303qfodl3ps739p3e6g" },
  RenderWebService: {
    name: "web",
    repo: "https://github.com/happydotemdr/arrakis",
    buildCommand: "npm run build",
    startCommand: "npm start",
  },
};

describe("provider serialization", () => {
  const dir = mkdtempSync(path.join(__dirname, "..", "..", "..", "node_modules", ".serialize-"));
  // A Render that rejects every key: a deserialized provider's check must reach the client and say so.
  let server: Server;
  let apiUrl = "";
  before(async () => {
    server = createServer((_req, res) => {
      res.writeHead(401, { "content-type": "application/json" });
      res.end(JSON.stringify({ id: "unauthorized", message: "Unauthorized" }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  });
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await new Promise((resolve) => server.close(resolve));
  });

  for (const [name, provider] of providers) {
    it(`${name}'s provider serializes small and loads back with working methods`, async () => {
      const { text } = await pulumi.runtime.serializeFunction(() => provider);
      console.log(`      ${name}: ${text.length} bytes serialized`);
      // Issue 10's target for what each resource's state holds: 32 KB. The shim holds no provider
      // code, only the `require` of the package.
      assert.ok(text.length < 32 * 1024, `${text.length} bytes`);
      assert.ok(text.includes(`packageName: "${providerPackageName}"`), "the shim does not name the package");
      assert.ok(!text.includes("RenderClient"), "the client was serialized into the shim");
      const file = path.join(dir, `${name.replace(/\W+/g, "_")}.js`);
      writeFileSync(file, text);
      const loaded = require(file).handler() as {
        configure?: (req: object) => Promise<void>;
        check: (o: object, n: object) => Promise<{ failures: { property: string; reason: string }[] }>;
      };
      const result = await loaded.check({}, { name: "x", plan: "tiny", extension: "Bad Name" });
      assert.ok(
        result.failures.length > 0,
        "check of the deserialized provider found no problem in bad input",
      );
      if (loaded.configure) {
        // Valid inputs: check goes on to ask Render for the workspace, through the serialized client.
        const config: Record<string, string> = {
          "render:apiKey": "rnd_serialize_test_key",
          "render:apiUrl": apiUrl,
        };
        await loaded.configure({
          config: { get: (k: string) => config[k], require: (k: string) => config[k] },
        });
        // The database and service ask Render for the workspace (rejected here: so the configured
        // key and URL were kept between calls, or the failure would be that no key is set); the
        // extension and the deploy have no workspace and ask nothing.
        const asksRender = name !== "PostgresExtension" && name !== "RenderDeploy";
        const valid = await loaded.check(
          {},
          asksRender ? { ...validInputs[name], ownerId: "tea-serializetest0000" } : validInputs[name],
        );
        assert.deepEqual(
          valid.failures.map((f) => f.property),
          asksRender ? ["render:apiKey"] : [],
          JSON.stringify(valid.failures),
        );
        for (const failure of valid.failures) assert.doesNotMatch(failure.reason, /not set/);
      }
    });
  }
});
