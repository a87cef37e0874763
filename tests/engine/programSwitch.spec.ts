/**
 * Engine test of issue 25 item 3: the switch to the program for any app leaves the arrakis stacks as they
 * were. A local stack is brought up by the program as it was before the switch (index.ts, app/ and
 * components/ of commit {@link beforeSwitch}, read from git), then the current program previews it with
 * no change: same resources (URNs), same inputs, nothing to create, update, replace or delete.
 */
import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import type { RunningEmulator } from "../../emulator";
import { requireEngine } from "../../tools/pulumi-engine/locate";
import type { PulumiStack } from "../../tools/harness/pulumiCli";
import {
  createArrakisStack,
  readStackFile,
  startLocalEmulator,
  withEmulatorPolling,
} from "../../tools/harness/stackHelpers";
import { trustingEmulator } from "../../tools/harness/emulatorTrust";

/** main before the switch (the program of the arrakis stacks only). */
const beforeSwitch = "6c0c084ae76f83949d3f382eab98d43fbbe6483e";
const repoRoot = path.resolve(__dirname, "..", "..");
/** What the switch may change: the program and the library it builds the providers package from. */
const programParts = ["index.ts", "app", "components"];

/** Puts the program of `commit` (or of the working tree) in the stack's project folder. */
function useProgram(projectDir: string, commit?: string): void {
  for (const part of programParts) fs.rmSync(path.join(projectDir, part), { recursive: true, force: true });
  if (!commit) {
    for (const part of programParts)
      fs.cpSync(path.join(repoRoot, part), path.join(projectDir, part), { recursive: true });
    return;
  }
  const archive = execFileSync("git", ["archive", "--format=tar", commit, ...programParts], {
    cwd: repoRoot,
    maxBuffer: 64 * 1024 * 1024,
  });
  execFileSync("tar", ["-x", "-C", projectDir], { input: archive });
}

describe("engine: the arrakis stacks after the switch to the program for any app", function () {
  this.timeout(300_000);
  let emu: RunningEmulator;
  let stack: PulumiStack | undefined;

  before(async function () {
    requireEngine();
    // The history must hold the commit: a shallow clone fails here, loudly, rather than skip.
    execFileSync("git", ["cat-file", "-e", `${beforeSwitch}^{commit}`], { cwd: repoRoot });
    emu = await startLocalEmulator();
    const local = readStackFile();
    stack = await trustingEmulator(emu, () =>
      createArrakisStack({
        stackName: "local",
        config: { ...local.plain, "render:apiUrl": emu.url, "render:ownerId": emu.ownerId },
        secretConfig: { "render:apiKey": emu.apiKey, "arrakis:openaiApiKey": "sk-test-switch" },
        objectConfig: withEmulatorPolling({
          "arrakis:database": local.objects["arrakis:database"],
          "arrakis:service": local.objects["arrakis:service"],
        }),
      }),
    );
  });

  after(async () => {
    await stack?.cleanup();
    await emu?.close();
  });

  it("previews a state written by the program before the switch with no change", async () => {
    useProgram(stack!.projectDir, beforeSwitch);
    const up = await trustingEmulator(emu, () => stack!.up());
    assert.equal(up.code, 0, up.stdout + up.stderr);
    const before = (await stack!.exportState()).deployment.resources?.map((r) => r.urn) ?? [];
    assert.ok(
      before.some((urn) => String(urn).endsWith("render:WebService::arrakis-web")),
      before.join("\n"),
    );

    useProgram(stack!.projectDir);
    const preview = await trustingEmulator(emu, () => stack!.preview(["--expect-no-changes", "--diff"]));
    const output = preview.stdout + preview.stderr;
    assert.equal(preview.code, 0, output);
    assert.doesNotMatch(output, /\b(to create|to update|to replace|to delete)\b/, output);
  });
});
