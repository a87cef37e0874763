/**
 * The real Pulumi engine (tools/pulumi-engine/build.sh) on a program with one dynamic resource that
 * talks to nothing: lifecycle, preview with --expect-no-changes, secrets at rest, the serialized
 * provider in state. No emulator needed, so an engine problem shows here first.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { engineMissingMessage, locateEngine, requireEngine } from "../../tools/pulumi-engine/locate";
import { PulumiStack } from "../../tools/harness/pulumiCli";

const fixture = path.join(__dirname, "fixtures", "noop");
const secretValue = "noop-secret-value-8d1f";

/** All files under `dir`, recursively. */
function listFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name));
}

describe("engine: locating the build", () => {
  it("names build.sh when the engine is missing (fails, never skips)", () => {
    const env = { ...process.env, ARRAKIS_ENGINE_CACHE: path.join(fixture, "no-such-cache") };
    const location = locateEngine(env);
    assert.equal(location.built, false);
    assert.match(location.binDir, /no-such-cache\/v\d+\.\d+\.\d+\/bin$/);
    assert.throws(() => requireEngine(env), /tools\/pulumi-engine\/build\.sh/);
    assert.match(engineMissingMessage(location), /is not built/);
  });

  it("pins the engine at the @pulumi/pulumi version of package.json", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "package.json"), "utf8")) as {
      dependencies: Record<string, string>;
    };
    assert.equal(locateEngine().version, `v${pkg.dependencies["@pulumi/pulumi"]}`);
  });
});

describe("engine: a dynamic resource through the real CLI", function () {
  this.timeout(180_000);
  let stack: PulumiStack;

  before(async () => {
    requireEngine();
    stack = await PulumiStack.create({
      programDir: fixture,
      config: { "engine-noop:label": "first" },
      secretConfig: { "engine-noop:token": secretValue },
    });
  });

  after(async () => {
    await stack?.cleanup();
  });

  it("the built CLI reports the pinned version", async () => {
    const result = await stack.mustRun(["version"]);
    assert.equal(result.stdout.trim(), stack.engine.version);
  });

  it("keeps secret config encrypted in the stack file", () => {
    const stackFile = fs.readFileSync(path.join(stack.projectDir, `Pulumi.${stack.stackName}.yaml`), "utf8");
    assert.match(stackFile, /engine-noop:token:\s*\n\s*secure: /);
    assert.ok(!stackFile.includes(secretValue));
  });

  it("previews a create as JSON", async () => {
    const result = await stack.preview([], { json: true });
    assert.equal(result.code, 0, result.stderr);
    const steps = (result.json as { steps: Array<{ op: string; urn: string }> }).steps;
    const thing = steps.find((step) => step.urn.endsWith("pulumi-nodejs:dynamic:Resource::thing"));
    assert.equal(thing?.op, "create");
  });

  it("up creates the resource and exports its outputs, the secret one masked", async () => {
    const result = await stack.up();
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /\+ 2 created/);
    const outputs = await stack.outputs();
    assert.equal(outputs.id, "noop-first");
    assert.equal(outputs.secretEcho, "[secret]");
    const shown = await stack.outputs({ showSecrets: true });
    assert.equal(shown.secretEcho, secretValue);
  });

  it("stores the serialized provider in state and no secret in clear anywhere on disk", async () => {
    const state = await stack.exportState();
    const thing = state.deployment.resources?.find((r) => String(r.urn).endsWith("::thing"));
    const inputs = thing?.inputs as Record<string, unknown> | undefined;
    assert.equal(typeof inputs?.__provider, "string");
    assert.match(String(inputs?.__provider), /exports\.handler/);
    for (const file of listFiles(stack.workDir)) {
      if (fs.lstatSync(file).isSymbolicLink()) continue;
      assert.ok(!fs.readFileSync(file, "utf8").includes(secretValue), `secret in clear in ${file}`);
    }
  });

  it("a second preview with --expect-no-changes passes", async () => {
    const result = await stack.preview(["--expect-no-changes"]);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /2 unchanged/);
  });

  it("--expect-no-changes fails once an input changes", async () => {
    await stack.setConfig("engine-noop:label", "second");
    const result = await stack.preview(["--expect-no-changes"]);
    assert.notEqual(result.code, 0);
    assert.match(result.stdout + result.stderr, /no changes were expected.* but changes were proposed/i);
    assert.match(result.stdout, /~\s+pulumi-nodejs:dynamic:Resource thing update \[diff: ~label\]/);
  });

  it("up with its own preview runs the program twice and applies the change", async () => {
    const result = await stack.run(["up", "--yes", "--stack", stack.stackName]);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /Previewing update/);
    assert.match(result.stdout, /~ 1 updated/);
    const state = await stack.exportState();
    const thing = state.deployment.resources?.find((r) => String(r.urn).endsWith("::thing"));
    assert.equal((thing?.inputs as Record<string, unknown> | undefined)?.label, "second");
    // Measured: this provider has no `update`, and the SDK's host then keeps only `__provider` as
    // outputs, so the stored outputs lose every field.
    assert.deepEqual(Object.keys((thing?.outputs as Record<string, unknown> | undefined) ?? {}), [
      "__provider",
    ]);
  });

  it("destroy removes everything from state", async () => {
    const result = await stack.destroy();
    assert.equal(result.code, 0, result.stderr);
    const state = await stack.exportState();
    assert.equal(state.deployment.resources?.length ?? 0, 0);
  });
});
