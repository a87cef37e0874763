/**
 * Deploys made outside Pulumi, through the real `pulumi` CLI against the emulator (issue 24, item 1):
 * a dashboard "Manual Deploy" of a new head and a dashboard rollback are named by one line of the
 * preview, adopted by the up (which starts no deploy) and named by its outputs, the next preview clean;
 * with a pinned commit, a dashboard deploy is previewed as a change and the up deploys the pinned commit
 * again; a pinned commit that fails to build fails the up with the last 30 lines of its log, secrets
 * redacted. The `it`s build on each other, on one stack. The default run keeps the first (the user-facing
 * path); the rollback and pinned-commit cases, also covered in-process by
 * tests/components/deploy/provider.spec.ts, run in `npm run test:reliability` (RELIABILITY_FULL).
 *
 * On the same stack (one `pulumi up` from empty for both: it was a spec of its own), `npm run rollback` as
 * a user runs it (a child process, the real `pulumi` CLI reaching the stack): `--list`, the rollback
 * without `--to` (the deploy before a dashboard deploy), after which the preview has no change (and, under
 * RELIABILITY_FULL, a plain `pulumi up` starts no deploy and keeps the rolled-back commit); an unknown stack
 * and a bad `--to` are refused before any write. The other bad inputs and `--to` run in-process in
 * tests/tools/rollback.spec.ts.
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
/** Not `local`: `npm run rollback --stack local` means the local stack's own emulator. */
const stackName = "outside";

interface LiveDeploy {
  id: string;
  status: string;
  trigger: string;
  commit: { id: string } | null;
}

describe("engine: deploys made outside Pulumi", function () {
  this.timeout(600_000);
  let emu: RunningEmulator;
  let api: EmulatorApi;
  let stack: PulumiStack | undefined;
  let serviceId = "";
  let firstDeploy = "";
  let firstCommit = "";
  /** The dashboard deploy the first test's up adopted: the stack's deploy from then on. */
  let adopted: LiveDeploy;
  let adoptedCommit = "";

  const output = (r: PulumiResult) => `pulumi ${r.args.join(" ")} exited ${r.code}\n${r.stdout}\n${r.stderr}`;
  const deployPosts = async () =>
    (await api.requests()).filter(
      (r) => r.method === "POST" && /^\/v1\/services\/[^/]+\/deploys$/.test(r.path),
    ).length;
  /**
   * The lines naming a deploy made outside, as the command's diagnostics list them (the progress display
   * shows the same message as it comes).
   */
  const outsideLines = (r: PulumiResult) => {
    const diagnostics = r.stdout.slice(Math.max(0, r.stdout.indexOf("Diagnostics:")));
    return diagnostics.split("\n").filter((l) => /: deploy dep-\S+ \(commit \w+\) is live, /.test(l));
  };
  const untilLive = (deployId: string) =>
    api.until(`deploy ${deployId} live`, async () => {
      const d = await api.mustRender<LiveDeploy>("GET", `/services/${serviceId}/deploys/${deployId}`);
      return d.status === "live";
    });
  const dashboard = async (action: "deploy" | "rollback", body: Record<string, unknown>) => {
    const answer = await api.control<LiveDeploy>("POST", `/services/${serviceId}/dashboard/${action}`, body);
    assert.equal(answer.status, 201, JSON.stringify(answer.body));
    await untilLive(answer.body.id);
    return answer.body;
  };

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
  });

  after(async () => {
    await stack?.cleanup();
    await emu?.close();
  });

  it("a dashboard deploy of a new head: one preview line, the up adopts it (no deploy), outputs name it", async () => {
    const head = "c".repeat(40);
    await api.control("PUT", `/services/${serviceId}/head`, { commitId: head });
    const manual = await dashboard("deploy", {});
    adopted = manual;
    adoptedCommit = head;
    assert.equal(manual.trigger, "manual");
    const preview = await stack!.preview();
    assert.equal(preview.code, 0, output(preview));
    const lines = outsideLines(preview);
    assert.equal(lines.length, 1, output(preview));
    assert.match(
      lines[0],
      new RegExp(
        `service ${serviceId}: deploy ${manual.id} \\(commit ccccccc\\) is live, a manual deploy from the dashboard ` +
          `live since \\S+Z; the stack had ${firstDeploy} \\(commit ${firstCommit.slice(0, 7)}\\)\\. ` +
          "The stack takes it as its deploy: the up deploys nothing",
      ),
    );
    console.log(`      preview line: ${lines[0].trim()}`);
    const posts = await deployPosts();
    const up = await stack!.up();
    assert.equal(up.code, 0, output(up));
    assert.equal(await deployPosts(), posts, "the up started a deploy");
    const outputs = await stack!.outputs();
    assert.equal(outputs.deployId, manual.id);
    assert.equal(outputs.deployedCommit, head);
    assert.equal(outputs.deployStatus, "live");
    const clean = await stack!.preview(["--expect-no-changes"]);
    assert.equal(clean.code, 0, output(clean));
    assert.deepEqual(outsideLines(clean), []);
  });

  /** The dashboard deploy npm run rollback rolls back from. */
  let manual: LiveDeploy;
  const writes = async () => (await api.requests()).filter((r) => r.method !== "GET").length;

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

  it("npm run rollback refuses an unknown stack and a bad --to before any write", async () => {
    assert.ok(adopted, "the first test's up did not adopt a dashboard deploy");
    // A teammate deploys a new head from the dashboard: the one to roll back from.
    await api.control("PUT", `/services/${serviceId}/head`, { commitId: "e".repeat(40) });
    manual = await dashboard("deploy", {});
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

  it("npm run rollback --list names the live dashboard deploy and the default target; rollback goes back to it and pins it", async () => {
    const target = adoptedCommit;
    const list = await tool(["--stack", stackName, "--list"]);
    assert.equal(list.code, 0, list.stderr);
    assert.match(
      list.stdout,
      new RegExp(`^\\* ${manual.id}  eeeeeee  \\S+  a manual deploy from the dashboard$`, "m"),
    );
    assert.match(list.stdout, new RegExp(`^> ${adopted.id}  ${target.slice(0, 7)}  `, "m"));
    console.log(`      --list:\n${list.stdout.replace(/^/gm, "        ")}`);
    const posts = await deployPosts();
    const rolled = await tool(["--stack", stackName]);
    assert.equal(rolled.code, 0, `${rolled.stdout}\n${rolled.stderr}`);
    console.log(`      rollback:\n${rolled.stdout.replace(/^/gm, "        ")}`);
    assert.match(
      rolled.stdout,
      new RegExp(`back from ${manual.id} \\(eeeeeee\\) to ${adopted.id} \\(${target.slice(0, 7)}`),
    );
    assert.match(rolled.stdout, /rollback deploy dep-\S+ is live and healthy/);
    assert.match(
      rolled.stdout,
      new RegExp(
        `pinned the commit in the stack's config \\(\`pulumi config set --path arrakis:deploy.commit ${target} --stack ${stackName}\`\\)`,
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
    "a plain up after npm run rollback starts no deploy and keeps the rolled-back commit",
    async () => {
      const posts = await deployPosts();
      const up = await stack!.up();
      assert.equal(up.code, 0, output(up));
      assert.equal(await deployPosts(), posts);
      const outputs = await stack!.outputs();
      assert.equal(outputs.deployedCommit, adoptedCommit);
      assert.equal(outputs.deployStatus, "live");
      // The cases below start from an unpinned commit, as before the rollback (the default run's next
      // case pins a commit of its own, so npm test needs neither this nor the up).
      await stack!.mustRun(["config", "rm", "--path", "arrakis:deploy.commit", "--stack", stackName]);
      const again = await stack!.up();
      assert.equal(again.code, 0, output(again));
    },
  );

  const full = process.env.RELIABILITY_FULL ? it : it.skip;

  full("a dashboard rollback: one preview line saying so, clean after the up", async () => {
    const rollback = await dashboard("rollback", { deployId: firstDeploy });
    assert.equal(rollback.trigger, "rollback");
    const preview = await stack!.preview();
    assert.equal(preview.code, 0, output(preview));
    const lines = outsideLines(preview);
    assert.equal(lines.length, 1, output(preview));
    assert.match(
      lines[0],
      new RegExp(`deploy ${rollback.id} \\(commit ${firstCommit.slice(0, 7)}\\) is live, a rollback`),
    );
    console.log(`      preview line: ${lines[0].trim()}`);
    const posts = await deployPosts();
    const up = await stack!.up();
    assert.equal(up.code, 0, output(up));
    assert.equal(await deployPosts(), posts);
    assert.equal((await stack!.outputs()).deployId, rollback.id);
    const clean = await stack!.preview(["--expect-no-changes"]);
    assert.equal(clean.code, 0, output(clean));
  });

  full(
    "a pinned commit against a dashboard deploy: the preview shows the change, the up deploys the pinned one",
    async () => {
      // Pinning the commit that is live deploys nothing (what the rollback command does).
      await stack!.mustRun(["config", "set", "--path", "arrakis:deploy.commit", "--stack", stackName], {
        stdin: firstCommit,
      });
      const head = "d".repeat(40);
      await api.control("PUT", `/services/${serviceId}/head`, { commitId: head });
      const manual = await dashboard("deploy", {});
      const preview = await stack!.preview();
      assert.equal(preview.code, 0, output(preview));
      const lines = outsideLines(preview);
      assert.equal(lines.length, 1, output(preview));
      assert.match(lines[0], new RegExp(`deploy ${manual.id} \\(commit ddddddd\\) is live, a manual deploy`));
      assert.match(
        lines[0],
        new RegExp(
          `The commit is pinned to ${firstCommit.slice(0, 7)}: the up deploys it again \\(to keep it instead: ` +
            "`pulumi config set --path arrakis:deploy.commit ddddddd`\\)",
        ),
      );
      assert.match(preview.stdout, /~ +pulumi-nodejs:dynamic\/render:Deploy +arrakis-deploy +update/);
      console.log(`      preview line: ${lines[0].trim()}`);
      const posts = await deployPosts();
      const up = await stack!.up();
      assert.equal(up.code, 0, output(up));
      assert.equal(await deployPosts(), posts + 1);
      const outputs = await stack!.outputs();
      assert.equal(outputs.deployedCommit, firstCommit);
      assert.notEqual(outputs.deployId, manual.id);
      assert.match(
        output(up),
        new RegExp(
          `deploy ${outputs.deployId as string} of service ${serviceId} \\(commit ${firstCommit.slice(0, 7)}\\) is live and healthy`,
        ),
      );
    },
  );

  it("a pinned commit that fails to build: the up's error ends with the last 30 lines of its log, secrets redacted", async () => {
    const bad = "badbad00".padEnd(40, "3");
    await api.control("PUT", "/deploys/fail", {
      serviceId,
      commitId: bad,
      stage: "build",
      output: [`npm error OPENAI_API_KEY=${openaiApiKey} rejected`, "npm error code 1"],
    });
    await stack!.mustRun(["config", "set", "--path", "arrakis:deploy.commit", "--stack", stackName], {
      stdin: bad,
    });
    const up = await stack!.up();
    assert.notEqual(up.code, 0, output(up));
    const text = output(up);
    assert.ok(!text.includes(openaiApiKey), "the OpenAI key in the output");
    const failed = (
      await api.mustRender<{ deploy: LiveDeploy }[]>("GET", `/services/${serviceId}/deploys?limit=5`)
    )
      .map((e) => e.deploy)
      .find((d) => d.commit?.id === bad)!;
    assert.equal(failed.status, "build_failed");
    const diagnostics = text.slice(text.indexOf("Diagnostics:"));
    assert.match(
      diagnostics,
      new RegExp(
        `could not deploy service ${serviceId}: deploy ${failed.id} ended build_failed[^\\n]*\\n` +
          "[^\\n]*The last 30 lines of its log:\\n(?:[^\\n]*\\n){27}" +
          "[^\\n]*npm error OPENAI_API_KEY=\\[redacted\\] rejected\\n[^\\n]*npm error code 1\\n[^\\n]*==> Build failed",
      ),
    );
    const error = diagnostics.slice(diagnostics.indexOf("could not deploy")).split("\n").slice(0, 33);
    console.log(`      error: ${error.join("\n      ")}`);
  });

  full("a failing preDeployCommand (migrations): the up's error ends with the command's output", async () => {
    await stack!.mustRun(
      ["config", "set", "--path", "arrakis:service.preDeployCommand", "--stack", stackName],
      {
        stdin: "npm run db:deploy",
      },
    );
    const bad = "badc0de0".padEnd(40, "4");
    await api.control("PUT", "/deploys/fail", {
      serviceId,
      commitId: bad,
      stage: "pre_deploy",
      output: ['Error: P3018 migration 20261201_tags failed: relation "tags" already exists'],
    });
    await stack!.mustRun(["config", "set", "--path", "arrakis:deploy.commit", "--stack", stackName], {
      stdin: bad,
    });
    const up = await stack!.up();
    assert.notEqual(up.code, 0, output(up));
    const text = output(up);
    const diagnostics = text.slice(text.indexOf("Diagnostics:"));
    assert.match(
      diagnostics,
      new RegExp(
        "ended pre_deploy_failed[^\\n]*\\n[^\\n]*The last \\d+ lines of its log:\\n(?:[^\\n]*\\n)*" +
          "[^\\n]*==> Running pre-deploy command 'npm run db:deploy'\\.\\.\\.\\n" +
          '[^\\n]*Error: P3018 migration 20261201_tags failed: relation "tags" already exists\\n' +
          "[^\\n]*==> Pre-deploy has failed",
      ),
    );
  });
});
