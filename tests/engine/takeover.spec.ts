/**
 * A takeover rehearsal (issue 17): README's "Production, from nothing" commands, read from README's own
 * block and run word for word through the real `pulumi` CLI and the official Node language host, from
 * an empty backend, against an emulator holding the live stack as the seed describes it
 * (tests/fixtures/liveProduction.ts). What differs from production: the login goes to the test's own
 * file backend, `render:apiUrl` points at the emulator (the only command added), the emulator's CA is
 * trusted through PGSSLROOTCERT (README's TLS step), `--yes` is added to the up (the helper runs the
 * CLI non-interactively, where an up does not ask) and `--expect-no-changes` to the last preview.
 *
 * Checked: the preview names every change the up makes (the key Pulumi does not know, the values and
 * settings that differ, secrets named and never shown); the up makes no POST and no DELETE and starts
 * no deploy (the live deploy of commit A stays, though the branch head is B); NEXTAUTH_SECRET keeps its
 * value; the next preview is clean.
 */
import { strict as assert } from "node:assert";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { databaseTrustEnv, startEmulator, type RunningEmulator } from "../../emulator";
import { requireEngine } from "../../tools/pulumi-engine/locate";
import { seedLiveProduction, type LiveProduction } from "../fixtures/liveProduction";
import { PulumiStack, type PulumiResult } from "../../tools/harness/pulumiCli";
import { EmulatorApi, copyProgram, removeProgramCopy } from "../../tools/harness/stackHelpers";

const repoRoot = path.resolve(__dirname, "..", "..");
const marker = "<!-- tests/engine/takeover.spec.ts runs the commands of the next block, word for word -->";

/** The commands of README's production block: one argv per line, comments and comment lines left out. */
export function productionSteps(readme: string): string[][] {
  const at = readme.indexOf(marker);
  assert.ok(at >= 0, `README.md has no line ${marker}`);
  const block = /```bash\n([\s\S]*?)```/.exec(readme.slice(at));
  assert.ok(block, "no ```bash block after the marker in README.md");
  return block[1]
    .split("\n")
    .map((line) => line.replace(/\s+#.*$/, "").trim())
    .filter((line) => line !== "" && !line.startsWith("#"))
    .map((line) => line.split(/\s+/));
}

/** What README must say, in this order (a change to README's steps must be rehearsed here too). */
const expectedSteps = [
  "pulumi login",
  "pulumi stack init prod",
  "pulumi config set --secret render:apiKey -s prod",
  "pulumi config set --secret arrakis:openaiApiKey -s prod",
  "pulumi config set --path arrakis:database.importId dpg-… -s prod",
  "pulumi config set --path arrakis:service.importId srv-… -s prod",
  "pulumi preview -s prod",
  "pulumi up -s prod",
  "pulumi preview -s prod",
];

interface Deploy {
  id: string;
  status: string;
  commit?: { id: string };
}

describe("engine: a takeover of the live production stack, following README", function () {
  this.timeout(600_000);
  let emu: RunningEmulator;
  let api: EmulatorApi;
  let live: LiveProduction;
  let stack: PulumiStack | undefined;
  const openaiApiKey = `sk-config-${randomBytes(12).toString("hex")}`;
  const results: { step: string; result: PulumiResult }[] = [];
  let upRequests: Array<{ method: string; path: string; status: number }> = [];

  const prodConfig = (
    parse(fs.readFileSync(path.join(repoRoot, "Pulumi.prod.yaml"), "utf8")) as {
      config: Record<string, unknown>;
    }
  ).config;

  before(async function () {
    requireEngine();
    emu = await startEmulator({
      port: 0,
      timings: "fast",
      // The seed's workspace: Pulumi.prod.yaml's render:ownerId is used as it is.
      ownerId: String(prodConfig["render:ownerId"]),
      apiKey: `rnd_${randomBytes(16).toString("hex")}`,
    });
    api = new EmulatorApi(emu);
    live = await seedLiveProduction(emu);

    const programDir = copyProgram();
    try {
      // The helper logs in to a fresh file backend and needs a stack; it is removed before README's steps.
      stack = await PulumiStack.create({ programDir, stackName: "bootstrap", env: databaseTrustEnv(emu) });
    } finally {
      removeProgramCopy(programDir);
    }
    await stack.mustRun(["stack", "rm", "bootstrap", "--yes"]);
    assert.equal((await stack.mustRun(["stack", "ls", "--all"], { json: true })).stdout.trim(), "[]");
    // The checkout's stack file, as a clone has it.
    fs.copyFileSync(path.join(repoRoot, "Pulumi.prod.yaml"), path.join(stack.projectDir, "Pulumi.prod.yaml"));

    const steps = productionSteps(fs.readFileSync(path.join(repoRoot, "README.md"), "utf8"));
    assert.deepEqual(
      steps.map((argv) => argv.join(" ")),
      expectedSteps,
    );
    let previews = 0;
    for (const argv of steps) {
      const args = argv.slice(1);
      const step = argv.join(" ");
      let run: () => Promise<PulumiResult>;
      if (args[0] === "login") run = () => stack!.run(["login", stack!.backendUrl]);
      else if (args[0] === "config" && args.includes("--secret")) {
        const key = args.find((a) => a.includes(":"))!;
        const value = { "render:apiKey": emu.apiKey, "arrakis:openaiApiKey": openaiApiKey }[key];
        assert.ok(value, `no value for ${key}`);
        run = () => stack!.run(args, { stdin: value });
      } else if (args[0] === "config") {
        const filled = args.map((a) =>
          a === "dpg-…" ? live.databaseId : a === "srv-…" ? live.serviceId : a,
        );
        run = () => stack!.run(filled);
      } else if (args[0] === "preview") {
        previews++;
        run = () => stack!.run(previews === 1 ? args : [...args, "--expect-no-changes"]);
      } else if (args[0] === "up") {
        run = async () => {
          assert.equal((await api.control("DELETE", "/requests")).status, 204);
          const result = await stack!.run([...args, "--yes"]);
          upRequests = await api.requests();
          return result;
        };
      } else run = () => stack!.run(args);
      const result = await run();
      results.push({ step, result });
      if (args[0] === "stack" && args[1] === "init") {
        // Pointed at the emulator: the one command README does not have.
        await stack.mustRun(["config", "set", "render:apiUrl", emu.url, "-s", "prod"]);
      }
      // Later steps need this one; the `it`s below say what went wrong.
      if (result.code !== 0) break;
    }
  });

  after(async () => {
    await stack?.cleanup();
    await emu?.close();
  });

  const output = (r: PulumiResult) => `exited ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
  const resultOf = (step: string, nth = 0): PulumiResult => {
    const found = results.filter((r) => r.step === step)[nth];
    assert.ok(
      found,
      `README's step "${step}" did not run (an earlier one failed: ${JSON.stringify(
        results.map((r) => [r.step, r.result.code]),
      )})`,
    );
    return found.result;
  };

  it("every step before the preview succeeds from an empty backend", () => {
    for (const step of expectedSteps.slice(0, 6)) {
      const result = resultOf(step);
      assert.equal(result.code, 0, `${step} ${output(result)}`);
    }
  });

  it("the first preview names every change the up will make, secrets never shown", () => {
    const result = resultOf("pulumi preview -s prod");
    assert.equal(result.code, 0, output(result));
    const text = result.stdout + result.stderr;
    console.log(`\n----- the first preview, as a person sees it -----\n${result.stdout}${result.stderr}`);
    for (const type of ["Postgres", "PostgresExtension", "WebService", "Deploy"])
      assert.match(text, new RegExp(`\\+ +.*dynamic/render:${type} +\\S+ +create`), `${type} as create`);
    assert.match(text, new RegExp(`remove env var ${live.unknownKey}\\b`));
    assert.match(text, /OPENAI_API_KEY: \[secret\] differs/);
    assert.match(text, /preDeployCommand: "" => "npm run db:deploy"/);
    assert.match(text, /NEXTAUTH_SECRET: kept/);
    // NEXTAUTH_URL is the service's own URL (the emulator's differs from the one typed in the dashboard).
    assert.match(text, /~ env var NEXTAUTH_URL: "https:\/\/arrakis-prod\.onrender\.com" => "http/);
    // The database is adopted in the same up: its links are compared then (and match: no PUT for them).
    assert.match(text, /\? env var DATABASE_URL, DIRECT_URL: linked to a database adopted in the same up/);
    // render.yaml's `….git` is the config's repository: not a change.
    assert.doesNotMatch(text, /~ repo/);
    for (const secret of [
      live.env.OPENAI_API_KEY,
      live.env.NEXTAUTH_SECRET,
      live.env[live.unknownKey],
      openaiApiKey,
    ])
      assert.ok(!text.includes(secret), "a secret value in the preview");
    assert.ok(
      !text.includes(new URL(live.env.DATABASE_URL).password),
      "the database password in the preview",
    );
  });

  it("the up adopts everything with no POST and no DELETE, and starts no deploy", async () => {
    const result = resultOf("pulumi up -s prod");
    assert.equal(result.code, 0, output(result));
    const counts: Record<string, number> = {};
    for (const r of upRequests) {
      const key = `${r.method} ${r.path.replace(/\/(dpg|srv|dep|evt)-[a-z0-9-]+/g, "/$1-…")}`;
      counts[key] = (counts[key] ?? 0) + 1;
    }
    console.log(
      `\n----- the adoption up's requests (method path: count) -----\n${JSON.stringify(counts, null, 2)}`,
    );
    assert.deepEqual(
      upRequests.filter((r) => r.method === "POST" || r.method === "DELETE"),
      [],
    );
    const deploys = (
      await api.mustRender<Array<{ deploy: Deploy }>>("GET", `/services/${live.serviceId}/deploys`)
    ).map((d) => d.deploy);
    assert.deepEqual(
      deploys.map((d) => d.id),
      [live.liveDeployId],
      "no new deploy",
    );
    assert.equal(deploys[0].status, "live");
    assert.equal(deploys[0].commit?.id, live.liveCommit);
    const outputs = (await stack!.mustRun(["stack", "output", "-s", "prod"], { json: true })).json as Record<
      string,
      unknown
    >;
    assert.equal(outputs.databaseId, live.databaseId);
    assert.equal(outputs.serviceId, live.serviceId);
    assert.equal(outputs.deployedCommit, live.liveCommit);
    assert.notEqual(outputs.deployedCommit, live.headCommit);
  });

  it("NEXTAUTH_SECRET keeps its value; the env vars are the config's", async () => {
    const env = await api.envVars(live.serviceId);
    assert.equal(env.NEXTAUTH_SECRET, live.env.NEXTAUTH_SECRET);
    assert.equal(env.OPENAI_API_KEY, openaiApiKey);
    assert.equal(env.DATABASE_URL, live.env.DATABASE_URL);
    assert.equal(env.NODE_ENV, "production");
    assert.ok(!(live.unknownKey in env), `${live.unknownKey} removed`);
    const service = await api.mustRender<{
      serviceDetails: { envSpecificDetails: { preDeployCommand?: string } };
    }>("GET", `/services/${live.serviceId}`);
    assert.equal(service.serviceDetails.envSpecificDetails.preDeployCommand, "npm run db:deploy");
  });

  it("the next preview is clean (--expect-no-changes)", () => {
    const result = resultOf("pulumi preview -s prod", 1);
    assert.equal(result.code, 0, output(result));
  });

  it("no secret in any command's output", () => {
    const secrets = [
      live.env.OPENAI_API_KEY,
      live.env.NEXTAUTH_SECRET,
      live.env[live.unknownKey],
      openaiApiKey,
      emu.apiKey,
    ];
    for (const { step, result } of results)
      for (const secret of secrets)
        assert.ok(!`${result.stdout}${result.stderr}`.includes(secret), `a secret in the output of ${step}`);
  });
});
