/**
 * Bad input (issue 9): every configuration of tests/reliability/badInputCorpus.ts is refused with a
 * message that names the field and what is allowed, before any write.
 *
 * `npm test` checks the whole corpus in two ways, each case where its check runs:
 * - in process, through the program's own config check (`readStackConfig` and `enforceBudget`, what
 *   index.ts runs first): the cases it refuses (49 of 53), each in milliseconds;
 * - through the REAL `pulumi preview` of the arrakis program (6-15 s each: the official language host
 *   starts every time): the cases the config check lets through, because a provider refuses them
 *   (a wrong key, a foreign workspace, a missing app checkout, another API version), and the cases
 *   marked `up: "always"`, which also run `pulumi up`; the emulator's request log shows no write.
 * `RELIABILITY_FULL=1` (what `npm run test:reliability` sets) previews every case and ups every marked
 * one. One emulator, one stack whose config each case rewrites; prints a table.
 */
import { strict as assert } from "node:assert";
import { randomBytes } from "node:crypto";
import { startEmulator, type RunningEmulator } from "../../emulator";
import { requireEngine } from "../../tools/pulumi-engine/locate";
import type { PulumiResult, PulumiStack } from "../../tools/harness/pulumiCli";
import { EmulatorApi, createArrakisStack } from "../../tools/harness/stackHelpers";
import { trustingEmulator } from "../../tools/harness/emulatorTrust";
import { enforceBudget, readStackConfig } from "../../app/stackConfig";
import { badInputCorpus, type BadInputCase } from "./badInputCorpus";
import {
  RequestWatch,
  StackConfigWriter,
  baseConfig,
  lineMatching,
  localStack,
  printTable,
  scanText,
  type StackConfigState,
} from "./inputHelpers";

interface Row {
  name: string;
  command: string;
  exit: string;
  field: boolean;
  allowed: boolean;
  writes: number;
}

function outputOf(result: PulumiResult): string {
  return `${result.stdout}\n${result.stderr}`;
}

const full = process.env.RELIABILITY_FULL === "1";

/** How the program reads its config (`new pulumi.Config(ns).get(key)`): strings, objects as JSON. */
function readerOf(config: StackConfigState) {
  return (namespace: string, key: string): string | undefined => {
    const name = `${namespace}:${key}`;
    if (name in config.secrets) return config.secrets[name];
    if (name in config.plain) return config.plain[name];
    return name in config.objects ? JSON.stringify(config.objects[name]) : undefined;
  };
}

/** The program's config check on `config`: the message it fails with, or undefined when it passes. */
function configCheck(config: StackConfigState): string | undefined {
  try {
    enforceBudget(readStackConfig(readerOf(config)));
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

/**
 * Pulumi.local.yaml's config with stand-in secrets and emulator URL, to sort the cases when the file
 * loads: the config check passes it (asserted below), so a case it refuses is refused by its change.
 */
const standIn: StackConfigState = {
  plain: { ...localStack.plain, "render:apiUrl": "http://127.0.0.1:10000/v1" },
  objects: structuredClone(localStack.objects),
  secrets: { "render:apiKey": `rnd_${"0".repeat(32)}`, "arrakis:openaiApiKey": "sk-stand-in" },
};
delete standIn.plain["render:apiKey"];
const refusedByConfigCheck = (testCase: BadInputCase): boolean => {
  const config = structuredClone(standIn);
  testCase.change(config);
  return configCheck(config) !== undefined;
};

/** The cases this run tries through the engine: all under RELIABILITY_FULL=1, else see the top. */
const cases = badInputCorpus.filter((c) => full || c.up === "always" || !refusedByConfigCheck(c));

describe("reliability: bad input fails the program's config check, naming the field and what is allowed (in process)", () => {
  const secrets = standIn.secrets;

  it("the good config (Pulumi.local.yaml with stand-in secrets) passes it: the control case", () => {
    assert.equal(configCheck(structuredClone(standIn)), undefined);
  });

  for (const testCase of badInputCorpus.filter(refusedByConfigCheck)) {
    it(`${testCase.name}: refused naming the field and what is allowed`, () => {
      const config = structuredClone(standIn);
      testCase.change(config);
      const message = configCheck(config) ?? "";
      assert.match(message, testCase.field, "the message does not name the field");
      assert.match(message, testCase.allowed, "the message does not say what is allowed");
      assert.ok(lineMatching(message, testCase.field) !== undefined, `no line names the field:\n${message}`);
      const typed = config.secrets["render:apiKey"];
      const leaks = Object.entries(
        scanText(message, { ...secrets, ...(typed ? { "typed render:apiKey": typed } : {}) }),
      ).filter(([, hits]) => hits.total > 0);
      assert.deepEqual(leaks, [], `a secret in the message:\n${message}`);
    });
  }
});

describe(`reliability: bad input fails at preview, naming the field, with no write (${full ? "every case, up for every marked case" : `${cases.length} of ${badInputCorpus.length} cases: those a provider refuses, and up for 4; RELIABILITY_FULL=1 for all`})`, function () {
  this.timeout(240_000);
  let emu: RunningEmulator;
  let api: EmulatorApi;
  let watch: RequestWatch;
  let stack: PulumiStack | undefined;
  let writer: StackConfigWriter;
  let good: StackConfigState;
  const rows: Row[] = [];

  before(async function () {
    this.timeout(120_000);
    requireEngine();
    emu = await startEmulator({ port: 0, timings: "fast", apiKey: `rnd_${randomBytes(16).toString("hex")}` });
    api = new EmulatorApi(emu);
    watch = new RequestWatch(api);
    good = baseConfig(emu, `sk-test-${randomBytes(12).toString("hex")}`);
    stack = await trustingEmulator(emu, () =>
      createArrakisStack({
        stackName: "badinput",
        config: good.plain,
        secretConfig: good.secrets,
        objectConfig: good.objects,
      }),
    );
    writer = new StackConfigWriter(stack);
    writer.assumeSecrets(good.secrets);
  });

  after(async () => {
    printTable(
      "Bad input: each case through the real engine (preview; up where marked)",
      ["case", "command", "exit", "field named?", "allowed named?", "writes"],
      rows.map((r) => [
        r.name,
        r.command,
        r.exit,
        r.field ? "yes" : "NO",
        r.allowed ? "yes" : "NO",
        String(r.writes),
      ]),
    );
    const failed = rows
      .slice(1)
      .filter((r) => r.exit === "0" || !r.field || !r.allowed || r.writes > 0).length;
    console.log(
      `${rows.length - 1} runs, ${new Set(rows.slice(1).map((r) => r.name)).size} cases, ${failed} not as required`,
    );
    await stack?.cleanup();
    await emu?.close();
  });

  /** Runs one command on the stack with the log cleared first; answers the result and the writes. */
  async function attempt(command: "preview" | "up"): Promise<{ result: PulumiResult; writes: string[] }> {
    await watch.clear();
    const result = command === "preview" ? await stack!.preview() : await stack!.up();
    const writes = (await watch.writes()).map((r) => `${r.method} ${r.path} -> ${r.status}`);
    return { result, writes };
  }

  it("the good config (Pulumi.local.yaml) previews cleanly and writes nothing: the control case", async () => {
    await writer.apply(good);
    const { result, writes } = await attempt("preview");
    assert.equal(result.code, 0, outputOf(result));
    assert.deepEqual(writes, []);
    rows.push({
      name: "(good config)",
      command: "preview",
      exit: "0",
      field: true,
      allowed: true,
      writes: 0,
    });
  });

  it(`the corpus has at least 40 cases, each with a distinct name`, () => {
    assert.ok(badInputCorpus.length >= 40, `${badInputCorpus.length} cases`);
    assert.equal(new Set(badInputCorpus.map((c) => c.name)).size, badInputCorpus.length);
  });

  for (const testCase of cases) {
    const withUp = testCase.up === "always" || (testCase.up === "full" && full);
    const commands: Array<"preview" | "up"> = withUp ? ["preview", "up"] : ["preview"];
    it(`${testCase.name}: ${commands.join(" and ")} fail(s) naming the field and what is allowed`, async () => {
      const config = structuredClone(good);
      testCase.change(config);
      await writer.apply(config);
      for (const command of commands) {
        const { result, writes } = await attempt(command);
        const output = outputOf(result);
        const row: Row = {
          name: testCase.name,
          command,
          exit: String(result.code),
          field: testCase.field.test(output),
          allowed: testCase.allowed.test(output),
          writes: writes.length,
        };
        rows.push(row);
        const context = `pulumi ${command} exited ${result.code}\n${output}`;
        assert.notEqual(result.code, 0, context);
        assert.ok(!result.timedOut, context);
        assert.ok(row.field, `the message does not name the field (${testCase.field}):\n${context}`);
        assert.ok(row.allowed, `the message does not say what is allowed (${testCase.allowed}):\n${context}`);
        // Field and rule in one message, not picked from two unrelated lines.
        assert.ok(lineMatching(output, testCase.field) !== undefined, `no line names the field:\n${context}`);
        assert.deepEqual(writes, [], `writes to the Render API:\n${context}`);
        // No secret in any error message: the stack's keys, and a wrong key the user typed.
        const typed = config.secrets["render:apiKey"];
        const leaks = Object.entries(
          scanText(output, { ...good.secrets, ...(typed ? { "typed render:apiKey": typed } : {}) }),
        ).filter(([, hits]) => hits.total > 0);
        assert.deepEqual(leaks, [], `a secret in the output:\n${context}`);
      }
    });
  }

  it("nothing exists on Render after the whole corpus (no database, no service)", async () => {
    const dbs = await api.mustRender<unknown[]>("GET", "/postgres?limit=100");
    const services = await api.mustRender<unknown[]>("GET", "/services?limit=100");
    assert.deepEqual(dbs, []);
    assert.deepEqual(services, []);
  });
});
