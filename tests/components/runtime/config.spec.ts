import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { startEmulator, type RunningEmulator } from "../../../emulator";
import {
  apiKeyProblem,
  providerConfigFrom,
  renderClientFrom,
  verifyOwner,
} from "../../../components/runtime/config";
import { readStackConfig, StackConfigError } from "../../../app/stackConfig";

// render:apiKey as people paste it: a trailing line break or spaces are trimmed, whitespace inside is
// refused naming the key, never showing it (issue 17, item 7).
describe("render:apiKey with whitespace", () => {
  const key = "rnd_Abc123def456";

  it("surrounding spaces, tabs and line breaks are trimmed", () => {
    for (const raw of [`${key}\n`, `${key}\r\n`, `  ${key}\t`, `\n${key}`])
      assert.equal(providerConfigFrom((k) => (k === "render:apiKey" ? raw : undefined)).apiKey, key);
    assert.equal(apiKeyProblem(`${key}\n`), undefined);
  });

  it("whitespace inside, or nothing but whitespace, is refused naming render:apiKey and not the value", () => {
    for (const raw of [`rnd_Abc\n123def456`, `rnd_Abc 123def456`, `rnd_Abc\t123`]) {
      const problem = apiKeyProblem(raw);
      assert.match(problem ?? "", /^render:apiKey has a space, tab or line break inside it/);
      assert.ok(!problem!.includes("Abc"), problem);
      const config = providerConfigFrom(() => raw);
      assert.throws(
        () => renderClientFrom(config),
        (err: Error) => /render:apiKey has a space/.test(err.message) && !err.message.includes("Abc"),
      );
    }
    assert.equal(apiKeyProblem(" \n"), "render:apiKey is empty");
  });

  describe("stack config", () => {
    const doc = parse(readFileSync(path.join(__dirname, "..", "..", "..", "Pulumi.prod.yaml"), "utf8")) as {
      config: Record<string, unknown>;
    };
    const prod = Object.fromEntries(
      Object.entries(doc.config).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]),
    );
    const read = (apiKey: string) => {
      const values: Record<string, string> = {
        ...prod,
        "render:apiKey": apiKey,
        "arrakis:openaiApiKey": "sk-x",
      };
      return readStackConfig((ns, k) => values[`${ns}:${k}`]);
    };

    it("a key with a trailing line break is accepted", () => {
      assert.equal(read(`${key}\n`).service.name, "arrakis-prod");
    });

    it("a key with a line break inside fails the program naming render:apiKey", () => {
      assert.throws(
        () => read("rnd_Abc\n123def456"),
        (err: unknown) => {
          assert.ok(err instanceof StackConfigError);
          assert.deepEqual(
            err.problems
              .filter((p) => p.startsWith("render:apiKey"))
              .map((p) => p.split(":")[1].split(" ")[0]),
            ["apiKey"],
          );
          assert.ok(!err.message.includes("Abc"), err.message);
          return true;
        },
      );
    });
  });

  describe("against the emulator", () => {
    let emu: RunningEmulator;
    before(async () => {
      emu = await startEmulator({ port: 0, rateLimits: { enabled: false } });
    });
    after(async () => {
      await emu?.close();
    });

    it("a key pasted with its line break reaches Render trimmed: the workspace check passes", async () => {
      const config = providerConfigFrom(
        (k) => ({ "render:apiKey": `${emu.apiKey}\n`, "render:apiUrl": emu.url })[k],
      );
      assert.equal(await verifyOwner(config, emu.ownerId), undefined);
    });
  });
});
