/**
 * Engine test of issue 16 (item 5): a changed checkout never blocks a preview. After an edit of a
 * provider source (what a `git pull` does), plain `pulumi preview` and `pulumi destroy` work with no
 * extra command and run the new code: the provider host of the refresh, which runs before the program,
 * rebuilds the providers package itself. A provider's error reaches the user once, without a stack trace.
 */
import { strict as assert } from "node:assert";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { startEmulator, type RunningEmulator } from "../../emulator";
import { requireEngine } from "../../tools/pulumi-engine/locate";
import { PulumiStack } from "../../tools/harness/pulumiCli";
import { copyProgram, removeProgramCopy } from "../../tools/harness/stackHelpers";

/** One database, no extension: the providers package is all this test is about. */
const program = `import { RenderPostgres } from "./components";

const db = new RenderPostgres("db", {
  name: "changed-checkout-db",
  plan: "basic-256mb",
  version: "17",
  region: "oregon",
  databaseName: "changed_checkout",
  databaseUser: "changed_checkout_user",
  ipAllowList: [],
  pollIntervalSeconds: 0.05,
});
export const databaseId = db.id;
`;

describe("engine: a changed checkout (issue 16)", function () {
  this.timeout(300_000);
  let emu: RunningEmulator;
  let stack: PulumiStack | undefined;
  let providerSource: string;
  let original: string;

  before(async () => {
    requireEngine();
    emu = await startEmulator({ port: 0, timings: "fast" });
    const programDir = copyProgram();
    try {
      fs.writeFileSync(path.join(programDir, "index.ts"), program);
      stack = await PulumiStack.create({
        programDir,
        config: { "render:apiUrl": emu.url, "render:ownerId": emu.ownerId },
        secretConfig: { "render:apiKey": emu.apiKey },
      });
    } finally {
      removeProgramCopy(programDir);
    }
    providerSource = path.join(stack.projectDir, "components", "postgres", "provider.ts");
    original = fs.readFileSync(providerSource, "utf8");
    const up = await stack.up();
    assert.equal(up.code, 0, up.stdout + up.stderr);
  });

  after(async () => {
    await stack?.cleanup();
    await emu?.close();
  });

  it("runs the edited provider in the refresh of a plain preview, its error once and without a trace", async () => {
    const marker = `edited provider ran ${crypto.randomBytes(4).toString("hex")}`;
    const anchor = /async read\(id: string, props\?: PostgresOutputs\)[^{]*\{/;
    assert.match(original, anchor, "the anchor of the edit moved: update this test");
    fs.writeFileSync(
      providerSource,
      original.replace(anchor, (m) => `${m}\n    throw new Error("${marker}");`),
    );

    const preview = await stack!.preview();
    const output = preview.stdout + preview.stderr;
    assert.notEqual(preview.code, 0, output);
    // The new code ran, with no `npm run build:providers` in between.
    // Once under the resource in Diagnostics (the progress line above it is the CLI's own echo).
    const diagnostics = output.slice(output.indexOf("Diagnostics:"));
    assert.equal(diagnostics.split(marker).length - 1, 1, `the message should show once:\n${output}`);
    assert.doesNotMatch(output, /build:providers|built before changes/);
    assert.doesNotMatch(output, /^\s+at .+:\d+:\d+\)?$/m, `a stack trace reached the user:\n${output}`);
  });

  it("previews clean again once the edit is undone, and destroys after another edit", async () => {
    fs.writeFileSync(providerSource, original);
    const clean = await stack!.preview(["--expect-no-changes"]);
    assert.equal(clean.code, 0, clean.stdout + clean.stderr);

    // A harmless edit (what most pulls are): destroy goes through, running the rebuilt package.
    fs.writeFileSync(providerSource, `${original}\n// edited after the up\n`);
    const destroy = await stack!.destroy();
    assert.equal(destroy.code, 0, destroy.stdout + destroy.stderr);
    assert.match(destroy.stdout, /render:Postgres db deleted/);
    const stamp = JSON.parse(
      fs.readFileSync(
        path.join(stack!.projectDir, "node_modules", "@arrakis", "render-providers", "build.json"),
        "utf8",
      ),
    ) as { inputs: Record<string, string> };
    const hash = crypto.createHash("sha256").update(fs.readFileSync(providerSource)).digest("hex");
    assert.equal(
      stamp.inputs["components/postgres/provider.ts"],
      hash,
      "the package was not rebuilt from the edit",
    );
  });
});
