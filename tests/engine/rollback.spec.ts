/**
 * `npm run rollback` as a user runs it (a child process, the real `pulumi` CLI reaching the stack) against
 * the emulator, on one stack: `--list`, the rollback without `--to` (the deploy before a dashboard
 * deploy), after which the preview has no change (and, under RELIABILITY_FULL, a plain `pulumi up` starts
 * no deploy and keeps the rolled-back commit); an unknown stack and a bad `--to` are refused before any write. The other bad inputs
 * and `--to` run in-process in tests/tools/rollback.spec.ts.
 */
import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as path from "node:path";
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

const repoRoot = path.resolve(__dirname, "..", "..");
const local = readStackFile();
const openaiApiKey = `sk-test-${randomBytes(12).toString("hex")}`;
const stackName = "rollback";

interface LiveDeploy {
  id: string;
  status: string;
  trigger: string;
  commit: { id: string } | null;
}

describe("engine: npm run rollback", function () {
  this.timeout(600_000);
  let emu: RunningEmulator;
  let api: EmulatorApi;
  let stack: PulumiStack | undefined;
  let serviceId = "";
  let firstDeploy = "";
  let firstCommit = "";
  let manual: LiveDeploy;

  const output = (r: PulumiResult) => `pulumi ${r.args.join(" ")} exited ${r.code}\n${r.stdout}\n${r.stderr}`;
  const writes = async () => (await api.requests()).filter((r) => r.method !== "GET").length;
  const deployPosts = async () =>
    (await api.requests()).filter(
      (r) => r.method === "POST" && /^\/v1\/services\/[^/]+\/deploys$/.test(r.path),
    ).length;

  /** `npm run rollback -- <args>` as a shell runs it, with the stack's Pulumi setup. */
  function tool(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("PULUMI_")) env[k] = v;
    Object.assign(env, {
      PATH: `${stack!.engine.binDir}${path.delimiter}${process.env.PATH ?? ""}`,
      PULUMI_HOME: stack!.pulumiHome,
      PULUMI_BACKEND_URL: stack!.backendUrl,
      PULUMI_CONFIG_PASSPHRASE: "arrakis-engine-tests",
      PULUMI_SKIP_UPDATE_CHECK: "true",
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
      ARRAKIS_PULUMI: "path",
    });
    return new Promise((resolve, reject) => {
      const child = spawn(
        path.join(repoRoot, "node_modules", ".bin", "tsx"),
        [path.join(repoRoot, "tools", "rollback.ts"), ...args, "--cwd", stack!.projectDir],
        { cwd: repoRoot, env, stdio: ["ignore", "pipe", "pipe"] },
      );
      let stdout = "";
      let stderr = "";
      child.stdout.setEncoding("utf8").on("data", (c: string) => (stdout += c));
      child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
      child.once("error", reject);
      child.once("close", (code) => resolve({ code, stdout, stderr }));
    });
  }

  before(async () => {
    requireEngine();
    emu = await startLocalEmulator();
    api = new EmulatorApi(emu);
    stack = await trustingEmulator(emu, () =>
      createArrakisStack({
        stackName,
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
    const up = await stack.up();
    assert.equal(up.code, 0, output(up));
    const outputs = await stack.outputs();
    serviceId = outputs.serviceId as string;
    firstDeploy = outputs.deployId as string;
    firstCommit = outputs.deployedCommit as string;
    // A teammate deploys a new head from the dashboard: the one to roll back from.
    await api.control("PUT", `/services/${serviceId}/head`, { commitId: "e".repeat(40) });
    manual = (await api.control<LiveDeploy>("POST", `/services/${serviceId}/dashboard/deploy`, {})).body;
    await api.until(
      `deploy ${manual.id} live`,
      async () =>
        (await api.mustRender<LiveDeploy>("GET", `/services/${serviceId}/deploys/${manual.id}`)).status ===
        "live",
    );
  });

  after(async () => {
    await stack?.cleanup();
    await emu?.close();
  });

  it("refuses an unknown stack and a bad --to before any write", async () => {
    const before = await writes();
    const unknown = await tool(["--stack", "nope"]);
    assert.equal(unknown.code, 1, unknown.stderr);
    assert.match(unknown.stderr, /^npm run rollback: unknown stack nope: .*`pulumi stack ls`/m);
    const bad = await tool(["--stack", stackName, "--to", "HEAD~1"]);
    assert.equal(bad.code, 1);
    assert.match(
      bad.stderr,
      /npm run rollback: --to must be a deploy id \(dep-…\) or a commit SHA \(7 to 40 hex digits\), got "HEAD~1"/,
    );
    assert.equal(await writes(), before);
  });

  it("--list names the live dashboard deploy and the default target; rollback goes back to it and pins it", async () => {
    const list = await tool(["--stack", stackName, "--list"]);
    assert.equal(list.code, 0, list.stderr);
    assert.match(
      list.stdout,
      new RegExp(`^\\* ${manual.id}  eeeeeee  \\S+  a manual deploy from the dashboard$`, "m"),
    );
    assert.match(list.stdout, new RegExp(`^> ${firstDeploy}  ${firstCommit.slice(0, 7)}  `, "m"));
    console.log(`      --list:\n${list.stdout.replace(/^/gm, "        ")}`);
    const posts = await deployPosts();
    const rolled = await tool(["--stack", stackName]);
    assert.equal(rolled.code, 0, `${rolled.stdout}\n${rolled.stderr}`);
    console.log(`      rollback:\n${rolled.stdout.replace(/^/gm, "        ")}`);
    assert.match(
      rolled.stdout,
      new RegExp(`back from ${manual.id} \\(eeeeeee\\) to ${firstDeploy} \\(${firstCommit.slice(0, 7)}`),
    );
    assert.match(rolled.stdout, /rollback deploy dep-\S+ is live and healthy/);
    assert.match(
      rolled.stdout,
      new RegExp(
        `pinned the commit in the stack's config \\(\`pulumi config set --path arrakis:deploy.commit ${firstCommit} --stack ${stackName}\`\\)`,
      ),
    );
    const requests = await api.requests();
    assert.equal(
      requests.filter((r) => r.method === "POST" && r.path === `/v1/services/${serviceId}/rollback`).length,
      1,
    );
    assert.equal(await deployPosts(), posts);
    // The next preview has no change (so a plain up changes nothing either).
    const preview = await stack!.preview(["--expect-no-changes"]);
    assert.equal(preview.code, 0, output(preview));
  });

  (process.env.RELIABILITY_FULL ? it : it.skip)(
    "a plain up after it starts no deploy and keeps the rolled-back commit",
    async () => {
      const posts = await deployPosts();
      const up = await stack!.up();
      assert.equal(up.code, 0, output(up));
      assert.equal(await deployPosts(), posts);
      const outputs = await stack!.outputs();
      assert.equal(outputs.deployedCommit, firstCommit);
      assert.equal(outputs.deployStatus, "live");
    },
  );
});
