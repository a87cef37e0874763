/**
 * Preview warnings (issue 23 item 5) through a plain `pulumi preview` of the arrakis program against the
 * emulator: a database on a plan without point-in-time recovery (free: Render's recovery status
 * NOT_AVAILABLE) and a maintenance Render scheduled on it are each warned about, with what to do (the
 * stack config command; the date and the call that moves the maintenance), and the preview still shows
 * no change (`--expect-no-changes`, with the project's `refresh: always`).
 *
 * One emulator and one stack.
 */
import { strict as assert } from "node:assert";
import { randomBytes } from "node:crypto";
import type { RunningEmulator } from "../../emulator";
import type { PulumiResult, PulumiStack } from "../../tools/harness/pulumiCli";
import {
  EmulatorApi,
  createArrakisStack,
  readStackFile,
  startLocalEmulator,
} from "../../tools/harness/stackHelpers";
import { trustingEmulator } from "../../tools/harness/emulatorTrust";

const local = readStackFile();
/** A loaded CI machine makes a database in a minute or more: room for each command. */
const slow = { timeoutMs: 480_000 };

describe("engine: preview warnings (no point-in-time recovery, pending maintenance)", function () {
  this.timeout(1_000_000);
  let emu: RunningEmulator;
  let api: EmulatorApi;
  let stack: PulumiStack | undefined;

  const ok = (result: PulumiResult) => {
    assert.equal(result.code, 0, `pulumi ${result.args.join(" ")}\n${result.stdout}\n${result.stderr}`);
    return result;
  };

  before(async () => {
    emu = await startLocalEmulator();
    api = new EmulatorApi(emu);
    stack = await trustingEmulator(emu, () =>
      createArrakisStack({
        stackName: "local",
        config: { ...local.plain, "render:apiUrl": emu.url, "render:ownerId": emu.ownerId },
        secretConfig: {
          "render:apiKey": emu.apiKey,
          "arrakis:openaiApiKey": `sk-${randomBytes(8).toString("hex")}`,
        },
        objectConfig: {
          // Render's free plan: no point-in-time recovery.
          "arrakis:database": { ...local.objects["arrakis:database"], plan: "free" },
          "arrakis:service": local.objects["arrakis:service"],
          "arrakis:deploy": { ...local.objects["arrakis:deploy"], pollIntervalMs: 200 },
        },
      }),
    );
    ok(await stack.up([], slow));
  });

  after(async () => {
    await stack?.cleanup();
    await emu?.close();
  });

  it("a plain preview warns about both, says what to do, and shows no change", async () => {
    const { databaseId } = await stack!.outputs();
    const run = (
      await api.control<{ id: string; scheduledAt: string; pendingMaintenanceBy: string }>(
        "POST",
        "/maintenance",
        {
          resourceId: databaseId,
        },
      )
    ).body;
    assert.ok([200, 204].includes((await api.control("DELETE", "/requests")).status));
    const result = ok(await stack!.preview(["--expect-no-changes"], slow));
    const output = result.stdout + result.stderr;
    assert.match(
      output,
      new RegExp(
        `warning: database arrakis-local-db \\(${databaseId}\\) has no point-in-time recovery on plan free .*` +
          "Move it to a paid plan \\(e\\.g\\. basic-256mb; the arrakis app: `pulumi config set --path arrakis:database\\.plan basic-256mb`\\)",
      ),
    );
    assert.match(
      output,
      new RegExp(
        `warning: maintenance ${run.id} \\(maintenance\\) of database arrakis-local-db \\(${databaseId}\\) is scheduled for ` +
          `${run.scheduledAt.replace(/\./g, "\\.")}, to be done by ${run.pendingMaintenanceBy.replace(/\./g, "\\.")} at the latest`,
      ),
    );
    assert.ok(
      output.includes(
        `curl -X PATCH ${emu.url}/maintenance/${run.id} -H "Authorization: Bearer $RENDER_API_KEY"`,
      ),
    );
    assert.ok(!output.includes(emu.apiKey), "the API key in the output");
    // Warnings read; the preview wrote nothing.
    const writes = (await api.requests()).filter((r) => r.method !== "GET");
    assert.deepEqual(writes, []);
  });
});
