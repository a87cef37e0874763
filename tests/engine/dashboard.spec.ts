/**
 * What the dashboard (or the API) does to a live stack, through the real `pulumi` CLI against the
 * emulator (issue 17, items 4–6): a fresh up builds once (Render's own first deploy, waited for);
 * "Deploy latest commit" is `pulumi up -c arrakis:deployLatest=<label>`, previewed as `~ release` and
 * printing the commit; a service suspended through the API shows as `~ suspended` and up resumes it; a
 * database deleted through the API stops the preview with one message, the database's, and no write.
 * The `it`s build on each other.
 */
import { strict as assert } from "node:assert";
import { randomBytes } from "node:crypto";
import type { RunningEmulator } from "../../emulator";
import { requireEngine } from "../../tools/pulumi-engine/locate";
import type { PulumiResult, PulumiStack } from "../../tools/harness/pulumiCli";
import { trustingEmulator } from "../../tools/harness/emulatorTrust";
import {
  EmulatorApi,
  createArrakisStack,
  readStackFile,
  startLocalEmulator,
} from "../../tools/harness/stackHelpers";

const local = readStackFile();
const openaiApiKey = `sk-test-${randomBytes(12).toString("hex")}`;

describe("engine: what the dashboard does to a live stack", function () {
  this.timeout(600_000);
  let emu: RunningEmulator;
  let api: EmulatorApi;
  let stack: PulumiStack | undefined;
  let serviceId = "";
  let databaseId = "";

  const output = (r: PulumiResult) => `pulumi ${r.args.join(" ")} exited ${r.code}\n${r.stdout}\n${r.stderr}`;
  const logged = async (method: string, path: RegExp) =>
    (await api.requests()).filter((r) => r.method === method && path.test(r.path)).length;
  const deployPosts = () => logged("POST", /^\/v1\/services\/[^/]+\/deploys$/);

  before(async () => {
    requireEngine();
    emu = await startLocalEmulator();
    api = new EmulatorApi(emu);
    stack = await trustingEmulator(emu, () =>
      createArrakisStack({
        stackName: "local",
        config: { ...local.plain, "render:apiUrl": emu.url, "render:ownerId": emu.ownerId },
        secretConfig: { "render:apiKey": emu.apiKey, "arrakis:openaiApiKey": openaiApiKey },
        objectConfig: {
          "arrakis:database": { ...local.objects["arrakis:database"], protect: false },
          "arrakis:service": local.objects["arrakis:service"],
          "arrakis:deploy": {
            ...local.objects["arrakis:deploy"],
            pollIntervalMs: 200,
            healthCheck: { retries: 1, intervalMs: 100, timeoutMs: 2000 },
          },
        },
      }),
    );
  });

  after(async () => {
    await stack?.cleanup();
    await emu?.close();
  });

  it("up from empty builds once: it waits for the deploy Render starts with the service, POSTs none", async () => {
    const result = await stack!.up();
    assert.equal(result.code, 0, output(result));
    const outputs = await stack!.outputs();
    serviceId = outputs.serviceId as string;
    databaseId = outputs.databaseId as string;
    assert.equal(outputs.deployStatus, "live");
    assert.match(outputs.deployedCommit as string, /^[0-9a-f]{40}$/);
    assert.equal(await deployPosts(), 0);
  });

  it("Deploy latest commit: one command, previewed as ~ release, deploys the branch head once and prints it", async () => {
    const head = "b".repeat(40);
    await api.control("PUT", `/services/${serviceId}/head`, { commitId: head });
    const label = "arrakis:deployLatest=2026-11-30T17:00:00Z";
    const preview = await stack!.preview(["--config", label, "--diff"]);
    assert.equal(preview.code, 0, output(preview));
    assert.match(preview.stdout, /~ pulumi-nodejs:dynamic\/render:Deploy: \(update\)/);
    assert.match(preview.stdout, /[+~] release\s*: (""\s*=> )?"2026-11-30T17:00:00Z"/);
    assert.equal(await deployPosts(), 0);
    const up = await stack!.up(["--config", label]);
    assert.equal(up.code, 0, output(up));
    assert.equal(await deployPosts(), 1);
    assert.match(output(up), /deploy dep-\S+ of service srv-\S+ \(commit bbbbbbb\) is live and healthy/);
    // The CLI's "Outputs:" block is not a contract (a non-interactive up printed none on CI): the
    // deploy's own line above names the commit, and the stack output is read back below.
    assert.equal((await stack!.outputs()).deployedCommit, head);
    // The label stays in the stack file: a plain up deploys nothing more.
    const again = await stack!.up();
    assert.equal(again.code, 0, output(again));
    assert.equal(await deployPosts(), 1);
  });

  it("a service suspended through the API: the preview shows ~ suspended, up resumes it", async () => {
    await api.mustRender("POST", `/services/${serviceId}/suspend`);
    const preview = await stack!.preview(["--diff"]);
    assert.equal(preview.code, 0, output(preview));
    assert.match(preview.stdout, /~ pulumi-nodejs:dynamic\/render:WebService: \(update\)/);
    assert.match(preview.stdout, /~ suspended\s*: true => false/);
    const resumesBefore = await logged("POST", new RegExp(`^/v1/services/${serviceId}/resume$`));
    const up = await stack!.up();
    assert.equal(up.code, 0, output(up));
    assert.equal(await logged("POST", new RegExp(`^/v1/services/${serviceId}/resume$`)), resumesBefore + 1);
    assert.equal(
      (await api.mustRender<{ suspended: string }>("GET", `/services/${serviceId}`)).suspended,
      "not_suspended",
    );
    assert.equal(await deployPosts(), 1);
    const clean = await stack!.preview(["--expect-no-changes"]);
    assert.equal(clean.code, 0, output(clean));
  });

  it("a service deleted through the API: the preview fails with the service's one message, nothing else errs, nothing is written", async () => {
    await api.mustRender("DELETE", `/services/${serviceId}`);
    const writesBefore = (await api.requests()).filter((r) => r.method !== "GET").length;
    const preview = await stack!.preview();
    const text = output(preview);
    assert.notEqual(preview.code, 0, text);
    const diagnostics = text.slice(text.indexOf("Diagnostics:"));
    const message = new RegExp(
      `service arrakis-local \\(${serviceId}\\) no longer exists on Render: it was deleted outside Pulumi`,
      "g",
    );
    assert.equal(diagnostics.match(message)?.length, 1, text);
    assert.ok(text.includes(`RENDER_FORGET_DELETED=${serviceId} pulumi refresh --yes`), text);
    assert.match(text, /pulumi config set --path arrakis:service\.importId srv-…/);
    // The deploy of the deleted service reports itself gone: no error of its own, and no stack trace.
    assert.doesNotMatch(text, /render:Deploy arrakis-deploy[^\n]*error/);
    assert.doesNotMatch(text, /^\s+at .+:\d+:\d+\)?$/m);
    assert.equal((await api.requests()).filter((r) => r.method !== "GET").length, writesBefore);
  });

  it("a database deleted through the API: the preview fails with the database's one message, nothing else errs, nothing is written", async () => {
    await api.mustRender("DELETE", `/postgres/${databaseId}`);
    const writesBefore = (await api.requests()).filter((r) => r.method !== "GET").length;
    const preview = await stack!.preview();
    const text = output(preview);
    assert.notEqual(preview.code, 0, text);
    assert.match(
      text,
      new RegExp(
        `database arrakis-local-db \\(${databaseId}\\) no longer exists on Render: it was deleted outside Pulumi`,
      ),
    );
    assert.ok(text.includes(`RENDER_FORGET_DELETED=${databaseId} pulumi refresh --yes`), text);
    assert.match(text, /pulumi config set --path arrakis:database\.importId dpg-…/);
    // No other resource errs (the extension and the service used to fail reading the connection info).
    assert.doesNotMatch(text, /could not (read|inspect) extension/);
    assert.doesNotMatch(text, /connection is unknown|could not diff service/);
    assert.equal((await api.requests()).filter((r) => r.method !== "GET").length, writesBefore);
  });
});
