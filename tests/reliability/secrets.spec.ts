/**
 * Secrets (issue 9): one scan over everything a person or a log can see during a full cycle of the
 * local stack through the real engine: up from empty (once with the engine's verbose log on stderr:
 * `-v=9 --logtostderr --logflow`, which also carries the providers' logs), previews with `--diff` and
 * `--json`, a secret env var changed in the dashboard, the up that reverts it, a failing up (bad
 * config), `pulumi stack export` and `stack output`, a destroy stopped by the protected database, the
 * file backend's files (state, history, backups), the stack's config file, and the emulator's request
 * log (what our client sent, as the emulator records it: method, path and query, never headers or
 * bodies). Zero occurrences of the API key, the database password, both connection strings,
 * OPENAI_API_KEY (both values) and NEXTAUTH_SECRET, in plaintext, URL-encoded or base64. Prints a table.
 */
import { strict as assert } from "node:assert";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { startEmulator, type RunningEmulator } from "../../emulator";
import { requireEngine } from "../../tools/pulumi-engine/locate";
import type { PulumiResult, PulumiStack } from "../../tools/harness/pulumiCli";
import { EmulatorApi, createArrakisStack } from "../../tools/harness/stackHelpers";
import { trustingEmulator } from "../../tools/harness/emulatorTrust";
import {
  RequestWatch,
  StackConfigWriter,
  baseConfig,
  printTable,
  scanText,
  type SecretHits,
  type StackConfigState,
} from "./inputHelpers";

interface ConnectionInfo {
  password: string;
  internalConnectionString: string;
  externalConnectionString: string;
}

/** One thing a person or a log can see. */
interface Source {
  name: string;
  text: string;
}

/**
 * Every file under `dir` (links not followed), one source per folder two levels down (e.g. the file
 * backend's `.pulumi/stacks`, `.pulumi/history`, `.pulumi/backups`), files joined by newlines.
 */
function filesUnder(dir: string, label: string): Source[] {
  const groups = new Map<string, { files: number; text: string[] }>();
  const walk = (current: string) => {
    for (const entry of fs.readdirSync(current, { withFileTypes: true })) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) {
        const group = path.relative(dir, full).split(path.sep).slice(0, 2).join("/");
        const g = groups.get(group) ?? { files: 0, text: [] };
        g.files++;
        g.text.push(fs.readFileSync(full, "latin1"));
        groups.set(group, g);
      }
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return [...groups].map(([group, g]) => ({
    name: `${label}: ${group} (${g.files} files)`,
    text: g.text.join("\n"),
  }));
}

/** Lines of Pulumi's own -v=9 trace that print resource properties (engine and SDK, not our code). */
const pulumiPropertyTrace =
  /(Un)?[Mm]arshaling property for RPC|RPC finished: resource:|Planner decided to (create|update|replace|same)/;

describe("reliability: no secret in anything a person or a log can see", function () {
  this.timeout(300_000);
  let emu: RunningEmulator;
  let api: EmulatorApi;
  let watch: RequestWatch;
  let stack: PulumiStack | undefined;
  let writer: StackConfigWriter;
  let good: StackConfigState;
  const sources: Source[] = [];
  const engineTrace: Source[] = [];
  const secrets: Record<string, string> = {};
  let serviceId = "";
  let databaseId = "";

  /** Runs a command, keeps its stdout and stderr as sources, and checks its exit code. */
  async function seen(
    label: string,
    run: Promise<PulumiResult>,
    expect: "ok" | "fail" = "ok",
  ): Promise<PulumiResult> {
    const result = await run;
    sources.push({ name: `${label}: stdout`, text: result.stdout });
    sources.push({ name: `${label}: stderr`, text: result.stderr });
    const context = `pulumi ${result.args.join(" ")} exited ${result.code}\n${result.stdout}\n${result.stderr.slice(-4000)}`;
    if (expect === "ok") assert.equal(result.code, 0, context);
    else assert.notEqual(result.code, 0, context);
    return result;
  }

  before(async function () {
    this.timeout(120_000);
    requireEngine();
    emu = await startEmulator({ port: 0, timings: "fast", apiKey: `rnd_${randomBytes(16).toString("hex")}` });
    api = new EmulatorApi(emu);
    watch = new RequestWatch(api);
    secrets["render:apiKey"] = emu.apiKey;
    secrets["OPENAI_API_KEY"] = `sk-test-${randomBytes(16).toString("hex")}`;
    secrets["OPENAI_API_KEY (dashboard)"] = `sk-dash-${randomBytes(16).toString("hex")}`;
    good = baseConfig(emu, secrets["OPENAI_API_KEY"]);
    // Quick polls on the emulator's fast clock; what is scanned does not depend on them.
    good.objects["arrakis:deploy"] = {
      ...(good.objects["arrakis:deploy"] as Record<string, unknown>),
      pollIntervalMs: 250,
    };
    stack = await trustingEmulator(emu, () =>
      createArrakisStack({
        stackName: "secrets",
        config: good.plain,
        secretConfig: good.secrets,
        objectConfig: good.objects,
      }),
    );
    writer = new StackConfigWriter(stack);
    writer.assumeSecrets(good.secrets);
  });

  after(async () => {
    await stack?.cleanup();
    await emu?.close();
  });

  it("up from empty, with the engine's verbose log (and the providers') on stderr", async () => {
    const result = await stack!.up(["-v=9", "--logtostderr", "--logflow"]);
    assert.equal(result.code, 0, `${result.stdout}\n${result.stderr.slice(-4000)}`);
    sources.push({ name: "up from empty (-v=9 --logflow): stdout", text: result.stdout });
    // Pulumi's own trace of resource properties (the engine's RPC marshaling and step planner, the SDK's
    // RPC debug lines) prints secret values in plaintext at -v=9: Pulumi's behaviour, not ours (its docs:
    // verbose logs "may reveal sensitive information"). Kept apart, counted, not asserted; every other
    // line of the verbose log (our providers' and program's output, the rest of the engine's) is.
    const lines = result.stderr.split("\n");
    sources.push({
      name: "up -v=9 stderr: all but Pulumi's property trace",
      text: lines.filter((l) => !pulumiPropertyTrace.test(l)).join("\n"),
    });
    engineTrace.push({
      name: "up -v=9 stderr: Pulumi's property trace (not asserted)",
      text: lines.filter((l) => pulumiPropertyTrace.test(l)).join("\n"),
    });
    const outputs = await stack!.outputs();
    serviceId = outputs.serviceId as string;
    databaseId = outputs.databaseId as string;
    const info = await api.mustRender<ConnectionInfo>("GET", `/postgres/${databaseId}/connection-info`);
    secrets["database password"] = info.password;
    secrets["internal connection string"] = info.internalConnectionString;
    secrets["external connection string"] = info.externalConnectionString;
    const env = await api.envVars(serviceId);
    secrets["NEXTAUTH_SECRET"] = env.NEXTAUTH_SECRET;
    // The service really holds them: the scan looks for values that exist.
    assert.equal(env.OPENAI_API_KEY, secrets["OPENAI_API_KEY"]);
    assert.equal(env.DATABASE_URL, info.internalConnectionString);
    for (const [name, value] of Object.entries(secrets))
      assert.ok(value && value.length >= 16, `${name} is too short to scan for: ${value?.length}`);
  });

  it("previews with --diff and --json, clean", async () => {
    await seen("preview --diff (clean)", stack!.preview(["--diff"]));
    await seen("preview --json (clean)", stack!.preview([], { json: true }));
  });

  it("a secret env var changed in the dashboard: previews show it hidden, up reverts it", async () => {
    await api.mustRender("PUT", `/services/${serviceId}/env-vars/OPENAI_API_KEY`, {
      value: secrets["OPENAI_API_KEY (dashboard)"],
    });
    const diff = await seen("preview --diff (drifted secret)", stack!.preview(["--diff"]));
    assert.match(diff.stdout, /OPENAI_API_KEY/);
    await seen("preview --json (drifted secret)", stack!.preview([], { json: true }));
    await seen("up (reverts the drift)", stack!.up(["--diff"]));
    assert.equal((await api.envVars(serviceId)).OPENAI_API_KEY, secrets["OPENAI_API_KEY"]);
  });

  it("a failing up (a bad config value) fails with a message and no secret", async () => {
    const bad = structuredClone(good);
    bad.objects["arrakis:database"] = {
      ...(bad.objects["arrakis:database"] as Record<string, unknown>),
      plan: "basic-999mb",
    };
    await writer.apply(bad);
    await watch.clear();
    const up = await seen("up (bad config)", stack!.up(), "fail");
    assert.match(up.stdout, /arrakis:database\.plan: "basic_999mb" is not a Render Postgres plan; allowed:/);
    // On a live stack too, a typo fails before any write (refresh only reads).
    assert.deepEqual(await watch.writes(), []);
    await writer.apply(good);
  });

  it("a wrong API key on the live stack: preview fails naming render:apiKey, echoing no key", async () => {
    secrets["typed wrong render:apiKey"] = `rnd_typo${randomBytes(12).toString("hex")}`;
    const wrong = structuredClone(good);
    wrong.secrets["render:apiKey"] = secrets["typed wrong render:apiKey"];
    await writer.apply(wrong);
    const preview = await seen("preview (wrong API key, live stack)", stack!.preview(), "fail");
    assert.match(
      preview.stdout,
      /Render rejected the API key \(401 Unauthorized\).*pulumi config set --secret render:apiKey/,
    );
    await writer.apply(good);
  });

  it("a commit that does not exist: preview cannot know it (no write); up fails at the build, clearly, the live deploy kept", async () => {
    // Render's API has no commit lookup, so nothing can check a commit before writes. The emulator builds
    // any commit; told that this one fails at the build, it answers as Render would for a commit it
    // cannot check out (UNCONFIRMED in what words Render says so).
    const missing = `0badc0de${randomBytes(16).toString("hex")}`;
    await api.control("PUT", "/deploys/fail", { commitId: missing, stage: "build" });
    const live = async () =>
      (
        await api.mustRender<Array<{ deploy: { id: string; status: string } }>>(
          "GET",
          `/services/${serviceId}/deploys?limit=100`,
        )
      ).filter((d) => d.deploy.status === "live");
    const liveBefore = (await live()).map((d) => d.deploy.id);
    const pinned = structuredClone(good);
    pinned.objects["arrakis:deploy"] = {
      ...(pinned.objects["arrakis:deploy"] as Record<string, unknown>),
      commit: missing,
    };
    await writer.apply(pinned);
    await watch.clear();
    const preview = await seen("preview --diff (commit that does not exist)", stack!.preview(["--diff"]));
    assert.match(preview.stdout, /commit/);
    assert.deepEqual(await watch.writes(), []);
    const up = await seen("up (commit that does not exist)", stack!.up(), "fail");
    const output = `${up.stdout}\n${up.stderr}`;
    assert.match(output, /ended build_failed/);
    assert.match(
      output,
      new RegExp(`Commit ${missing} may not exist on branch master of https://github.com/`),
    );
    assert.match(output, /previous deploy dep-\w+ is still live/);
    assert.deepEqual(
      (await live()).map((d) => d.deploy.id),
      liveBefore,
    );
    await writer.apply(good);
    await api.control("DELETE", "/deploys/fail");
  });

  it("stack export, stack output and a destroy stopped by protection", async () => {
    const exported = await seen("stack export", stack!.run(["stack", "export", "--stack", stack!.stackName]));
    assert.match(exported.stdout, /render:Postgres/);
    await seen(
      "stack output --json",
      stack!.run(["stack", "output", "--stack", stack!.stackName], { json: true }),
    );
    const destroy = await seen("destroy (protected)", stack!.destroy(), "fail");
    assert.match(`${destroy.stdout}${destroy.stderr}`, /protect/i);
  });

  it("the scanner finds every secret in every form when it is there (positive control)", () => {
    for (const [name, value] of Object.entries(secrets))
      for (const prefix of ["", "a", "ab"]) {
        const text = `x ${prefix}${value} y`;
        const encoded = [text, encodeURIComponent(text), Buffer.from(text).toString("base64")].join("\n");
        const hits = scanText(encoded, { [name]: value })[name];
        assert.ok(hits.byForm.plain >= 1, `${name}: plain not found`);
        assert.ok(
          Object.keys(hits.byForm).some((f) => f.startsWith("base64")),
          `${name}: base64 not found`,
        );
      }
  });

  it("zero plaintext, URL-encoded or base64 occurrences of any secret anywhere", async () => {
    sources.push({ name: "emulator request log", text: JSON.stringify(await api.requests(), null, 1) });
    sources.push(...filesUnder(path.join(stack!.workDir, "state"), "file backend"));
    sources.push(...filesUnder(stack!.pulumiHome, "PULUMI_HOME"));
    const stackFile = path.join(stack!.projectDir, `Pulumi.${stack!.stackName}.yaml`);
    sources.push({ name: "stack config file", text: fs.readFileSync(stackFile, "utf8") });

    const names = Object.keys(secrets);
    const rows: string[][] = [];
    const leaks: string[] = [];
    for (const source of sources) {
      // A message a person cannot read is as bad as a leak: no "[object Object]" anywhere.
      assert.doesNotMatch(source.text, /\[object Object\]/, `${source.name} shows [object Object]`);
      const hits: Record<string, SecretHits> = scanText(source.text, secrets);
      rows.push([
        source.name.length > 60 ? `…${source.name.slice(-59)}` : source.name,
        String(Buffer.byteLength(source.text)),
        ...names.map((n) => String(hits[n].total)),
      ]);
      for (const n of names)
        if (hits[n].total > 0) leaks.push(`${n} in ${source.name}: ${JSON.stringify(hits[n].byForm)}`);
    }
    const totalBytes = sources.reduce((sum, s) => sum + Buffer.byteLength(s.text), 0);
    rows.push([
      `TOTAL (${sources.length} sources; cells: sources with hits)`,
      String(totalBytes),
      ...names.map((n) => String(leaks.filter((l) => l.startsWith(`${n} in`)).length)),
    ]);
    for (const trace of engineTrace) {
      const hits = scanText(trace.text, secrets);
      rows.push([
        trace.name,
        String(Buffer.byteLength(trace.text)),
        ...names.map((n) => String(hits[n].total)),
      ]);
    }
    printTable(
      "Secrets: hits per secret per source (plaintext + URL-encoded + base64)",
      ["source", "bytes", ...names.map((n) => n.replace(" connection string", " conn"))],
      rows,
    );
    assert.ok(sources.length > 15, `only ${sources.length} sources`);
    assert.deepEqual(leaks, []);
  });
});
