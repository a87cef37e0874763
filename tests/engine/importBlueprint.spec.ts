/**
 * Issue 25 items 4 and 5 through the real `pulumi` CLI, in ONE stack: the seed's render.yaml imported with
 * an API key against the emulator where its database and web service already exist (written with their
 * ids as importId), plus every converted corpus file merged in (tests/blueprint/corpusStack.ts, names
 * prefixed per file).
 *
 * - `up` adopts the seed's two and creates the files that together show every kind, link source and
 *   attachment of the corpus (corpusStack.ts `coveringFiles`; all but one or two link sources when they
 *   do not fit, never a kind) within Render's creation limits: 20 `POST /services` an hour (REFERENCE.md
 *   §1) and 20 `POST /key-value` (OBSERVED), less what the emulator already counted. The whole corpus (50
 *   and more services) cannot come up in one hour on Render, nor here. Links are checked on Render.
 * - Then the preview of the whole corpus (tests/blueprint/corpusPlan.ts) plans every entry of every
 *   converted file as its kind's resource (the kind from components/blueprint/kinds.ts, as the program
 *   reads the entry), each env var as its source (a link on what it names), each attachment (env group
 *   link, disk, custom domain, extension) on its entry; shows no change to what is up; and replaces or
 *   deletes nothing. No secret shows in any CLI output.
 *
 * Under RELIABILITY_FULL the rest of the corpus comes up too, an hour at a time as on Render: the up
 * stops at the hourly limit with one readable error per refused resource (the limit and when to retry),
 * the emulator's clock moves an hour on, and the next `pulumi up` goes on from there without a duplicate.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { parseDocument, type Document } from "yaml";
import { startEmulator, type RunningEmulator } from "../../emulator";
import { exitCodes, runImport } from "../../tools/importBlueprint";
import { requireEngine } from "../../tools/pulumi-engine/locate";
import { api, createSeedResources, instantDatabaseBackend, type SeedResources } from "../blueprint/liveSeed";
import { checkCorpusPlan, nameOf, typeOf, type PreviewStep } from "../blueprint/corpusPlan";
import {
  corpusSections,
  corpusStack,
  corpusSubset,
  coveringFiles,
  readCorpusApp,
  type CorpusStack,
} from "../blueprint/corpusStack";
import { PulumiStack, type PulumiResult } from "../../tools/harness/pulumiCli";
import { copyProgram, removeProgramCopy } from "../../tools/harness/stackHelpers";
import { blueprintKinds } from "../../components/blueprint/kinds";
import type { AppEntry } from "../../components/blueprint/vocabulary";
import { renderRateLimits } from "../../components/render/budget";

const repoRoot = path.resolve(__dirname, "..", "..");
const seedBlueprint = path.join(repoRoot, "tests", "blueprint", "fixtures", "seed.render.yaml");

type Entry = Record<string, unknown>;
/** The slow variant (the whole corpus up, over several Render hours) runs in `npm run test:reliability`. */
const fullIt = process.env.RELIABILITY_FULL ? it : it.skip;

describe("engine: imported Blueprints (the seed, adopted, and the whole corpus) preview and come up on the emulator", function () {
  this.timeout(600_000);
  let emu: RunningEmulator;
  let live: SeedResources;
  let stack: PulumiStack | undefined;
  let corpus: CorpusStack;
  /** The stack file as the import wrote it (the seed's entries), before the corpus joins it. */
  let imported: Document;
  /** What the stack holds after each up: the seed and the corpus files brought up so far. */
  let up: CorpusStack | undefined;
  const secretValue = (key: string) => `corpus-secret-${key.toLowerCase()}-0123456789`;
  const results: PulumiResult[] = [];
  const stackFile = () => path.join(stack!.projectDir, "Pulumi.imported.yaml");

  async function track(run: Promise<PulumiResult>, expect: "ok" | "either" = "ok"): Promise<PulumiResult> {
    const result = await run;
    results.push(result);
    console.log(
      `      pulumi ${result.args.slice(0, 2).join(" ")}: ${(result.durationMs / 1000).toFixed(1)} s`,
    );
    const message = `pulumi ${result.args.join(" ")} exited ${result.code}\n${result.stdout}\n${result.stderr}`;
    if (expect === "ok") assert.equal(result.code, 0, message);
    return result;
  }

  /** Writes the seed's entries plus `part` of the corpus as the stack's app, and its secrets. */
  async function writeApp(part: CorpusStack): Promise<void> {
    const doc = imported.clone();
    const list = (section: string) =>
      (doc.toJS() as { config: Record<string, Entry[] | undefined> }).config[`arrakis:${section}`] ?? [];
    for (const section of corpusSections) {
      // Status polls at emulator pace (a provider option, never a change on Render).
      const fast = (e: Entry) =>
        section === "databases" || section === "keyValues" ? { ...e, pollIntervalSeconds: 0.2 } : e;
      const entries = [...list(section), ...(part.config[`arrakis:${section}`] ?? [])].map(fast);
      if (entries.length > 0) doc.setIn(["config", `arrakis:${section}`], doc.createNode(entries));
    }
    doc.setIn(["config", "arrakis:deploy"], false);
    fs.writeFileSync(stackFile(), doc.toString());
    // `pulumi config set --secret --path arrakis:secrets.<KEY>` once per key, as printed, would take a CLI
    // start each (70 keys): the whole map in one secret value reads the same (a JSON object).
    await stack!.mustRun(["config", "set", "--secret", "arrakis:secrets", "--stack", "imported"], {
      stdin: JSON.stringify(Object.fromEntries(part.secretKeys.map((k) => [k, secretValue(k)]))),
    });
  }

  /**
   * A GET of Render's API as a client makes it: after a 429 (the reads of a whole-corpus check pass
   * Render's 400 GETs a minute) it waits the Retry-After Render gives, then asks again.
   */
  async function get(route: string): Promise<{ status: number; body: unknown }> {
    for (let attempt = 1; ; attempt++) {
      const response = await fetch(`${emu.url}${route}`, {
        headers: { authorization: `Bearer ${emu.apiKey}`, accept: "application/json" },
      });
      const text = await response.text();
      if (response.status !== 429 || attempt === 5) {
        assert.equal(response.status, 200, `GET ${route}: ${text}`);
        return { status: response.status, body: text ? JSON.parse(text) : undefined };
      }
      const wait = Number(response.headers.get("retry-after") ?? "1");
      await new Promise((resolve) => setTimeout(resolve, wait * 1000));
    }
  }

  /** Render's objects of a list route, all pages. */
  async function listAll<T>(route: string, wrapper: string): Promise<T[]> {
    const out: T[] = [];
    for (let cursor: string | undefined; ;) {
      const page = (await get(`${route}?limit=100${cursor ? `&cursor=${cursor}` : ""}`)).body as (Record<
        string,
        T
      > & { cursor: string })[];
      out.push(...page.map((p) => p[wrapper]));
      if (page.length < 100) return out;
      cursor = page[page.length - 1].cursor;
    }
  }

  /**
   * Every entry of `part` (with the seed's `seed` services and database) exists once on Render under its
   * name, as the id the stack holds, nothing else does, and each env var of a service holds what it
   * names: a database's or Key Value's connection string, a secret's value, a plain value; a link Render
   * resolves (host, port, URL, generated) is set.
   */
  async function assertOnRender(part: CorpusStack, seed: number): Promise<number> {
    const state = await stack!.exportState();
    const idOf = (entry: AppEntry) => {
      const r = state.deployment.resources?.find(
        (x) => x.type === typeOf(entry.kind) && nameOf(String(x.urn)) === entry.name,
      );
      assert.ok(r?.id, `${entry.section} ${entry.name}: not in the stack's state`);
      return String(r.id);
    };
    const entries = readCorpusApp(part);
    const services = await listAll<{ id: string; name: string }>("/services", "service");
    const names = services.map((s) => s.name);
    assert.deepEqual(
      names.filter((n, i) => names.indexOf(n) !== i),
      [],
      "services twice on Render",
    );
    assert.equal(
      services.filter((s) => !entries.some((e) => e.section === "services" && e.name === s.name)).length,
      seed,
      `services on Render besides the corpus: ${names.join(", ")}`,
    );
    assert.equal(
      (await listAll("/postgres", "postgres")).length,
      seed + part.config["arrakis:databases"].length,
    );
    assert.equal((await listAll("/key-value", "keyValue")).length, part.config["arrakis:keyValues"].length);
    let checked = 0;
    for (const entry of entries) {
      const id = idOf(entry);
      const kind = blueprintKinds.find((k) => k.kind === entry.kind)!;
      if (kind.section !== "services" || entry.envVars.length === 0) continue;
      const onRender = services.find((s) => s.name === entry.name);
      if (!onRender) continue; // a kind Render keeps elsewhere (not a service)
      assert.equal(onRender.id, id, `${entry.name}: Render's id`);
      const vars = new Map(
        (
          (await get(`/services/${id}/env-vars?limit=100`)).body as {
            envVar: { key: string; value: string };
          }[]
        ).map((v) => [v.envVar.key, v.envVar.value]),
      );
      for (const v of entry.envVars) {
        if (!("key" in v)) continue;
        let expected: string | undefined;
        if ("secretKey" in v) expected = secretValue(v.secretKey);
        else if ("value" in v) expected = v.value;
        else if ("fromDatabase" in v && v.fromDatabase.property === "connectionString") {
          const db = entries.find((e) => e.section === "databases" && e.name === v.fromDatabase.name)!;
          expected = (
            (await get(`/postgres/${idOf(db)}/connection-info`)).body as {
              internalConnectionString: string;
            }
          ).internalConnectionString;
        } else if ("fromService" in v && v.fromService.property === "connectionString") {
          const kv = entries.find((e) => e.section === "keyValues" && e.name === v.fromService.name);
          if (kv)
            expected = (
              (await get(`/key-value/${idOf(kv)}/connection-info`)).body as {
                internalConnectionString: string;
              }
            ).internalConnectionString;
        }
        if (expected === undefined) {
          assert.ok(vars.get(v.key), `${entry.name} ${v.key} is not set`);
          continue;
        }
        assert.equal(vars.get(v.key), expected, `${entry.name} ${v.key}`);
        checked++;
      }
    }
    return checked;
  }

  before(async () => {
    requireEngine();
    // Nothing in this stack connects to a database (no extension, no migration): no server needed.
    emu = await startEmulator({
      port: 0,
      timings: "fast",
      ownerId: "tea-d303qfodl3ps739p3e60",
      databaseBackend: instantDatabaseBackend(),
    });
    // Render offers autoscaling (the corpus's `scaling`) to Professional workspaces only.
    const tier = await fetch(`${emu.controlUrl}/workspace`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ tier: "professional" }),
    });
    assert.equal(tier.status, 200);
    live = await createSeedResources(emu);
    corpus = corpusStack();
    // The workspace's own groups a file links by fromGroup without declaring them: they exist on Render
    // before the Blueprint is applied (the stack looks them up by name and never creates them).
    assert.ok(corpus.workspaceGroups.length > 0, "no corpus file links an undeclared group any more");
    for (const name of corpus.workspaceGroups) {
      const made = await api(emu, "POST", "/env-groups", {
        name,
        ownerId: "tea-d303qfodl3ps739p3e60",
        envVars: [{ key: "MADE_IN_THE_DASHBOARD", value: "yes" }],
      });
      assert.equal(made.status, 201, JSON.stringify(made.body));
    }
    const programDir = copyProgram();
    try {
      stack = await PulumiStack.create({
        programDir,
        stackName: "imported",
        secretConfig: { "render:apiKey": emu.apiKey },
      });
    } finally {
      removeProgramCopy(programDir);
    }
  });

  after(async () => {
    await stack?.cleanup();
    await emu?.close();
  });

  it("imports the seed with its live ids, adopted by the stack", async () => {
    let stdout = "";
    let stderr = "";
    const code = await runImport(
      [
        seedBlueprint,
        "--stack",
        "imported",
        "--api-url",
        emu.url,
        "--accept-loss",
        "--out",
        "Pulumi.imported.yaml",
      ],
      {
        stdout: (t) => (stdout += t),
        stderr: (t) => (stderr += t),
        env: { RENDER_API_KEY: emu.apiKey, INIT_CWD: stack!.projectDir },
        cwd: stack!.projectDir,
      },
    );
    assert.equal(code, exitCodes.ok, stdout + stderr);
    // The only loss: the key set by hand on the live service, which the Blueprint lacks.
    assert.match(stderr, /Not carried by the program \(1\):\n.*env var OPENAI_API_KEY is set on Render/);
    imported = parseDocument(fs.readFileSync(stackFile(), "utf8"));
    const list = (section: string) =>
      (imported.toJS() as { config: Record<string, Entry[]> }).config[`arrakis:${section}`];
    assert.equal(list("databases")[0].importId, live.databaseId);
    assert.equal(list("services")[0].importId, live.serviceId);
    // The CLI's secret stays as it was.
    assert.ok(imported.getIn(["config", "render:apiKey", "secure"]));
  });

  it("up adopts the seed's two and creates the corpus files that show every kind and link, within Render's hourly creation limits, links resolved on Render", async () => {
    // What the emulator counted already this hour (the seed's creations) leaves the rest of the budget.
    const limits = renderRateLimits();
    const budget = {
      services: limits.createService.limit - (await listAll("/services", "service")).length,
      keyValues: limits.createKeyValue.limit - (await listAll("/key-value", "keyValue")).length,
    };
    const { files, missing } = coveringFiles(corpus, budget);
    console.log(
      `      up: ${files.map((f) => f.prefix + f.file.replace(/\.render\.yaml$/, "")).join(", ")}` +
        (missing.length ? `; not shown within the budget: ${missing.join(", ")}` : ""),
    );
    // Every kind of the corpus comes up (its links and attachments too, unless the budget cannot hold them).
    assert.deepEqual(
      missing.filter((x) => x.startsWith("kind ")),
      [],
    );
    up = corpusSubset(corpus, files);
    await writeApp(up);
    await track(stack!.up());
    const outputs = await stack!.outputs();
    const ids = (key: string) => outputs[key] as Record<string, { id: string }>;
    assert.equal(ids("databases")["arrakis-prod-db"].id, live.databaseId);
    assert.equal(ids("services")["arrakis-prod"].id, live.serviceId);
    const checked = await assertOnRender(up, 1);
    assert.ok(checked > 20, `only ${checked} env vars checked`);
    // Within Render's limits: the emulator refused nothing.
    const log = (await (await fetch(`${emu.controlUrl}/requests`)).json()) as { status: number }[];
    assert.equal(log.filter((r) => r.status === 429).length, 0, "the up was rate limited");
  });

  it("the preview of the whole corpus plans every entry as its kind with its links and attachments, shows no change to what is up, and replaces or deletes nothing", async () => {
    await writeApp(corpus);
    const result = await track(stack!.preview([], { json: true }));
    const links = checkCorpusPlan((result.json as { steps: PreviewStep[] }).steps, corpus, up!);
    assert.ok(links > 100, `only ${links} links planned`);
  });

  fullIt(
    "the rest of the corpus comes up an hour at a time: each up stops at Render's hourly limit with one readable error per refused resource, the next goes on without a duplicate",
    async () => {
      let ups = 0;
      for (;;) {
        const result = await track(stack!.up(), "either");
        ups++;
        if (result.code === 0) break;
        // Every failure is the rate limit, said once per resource: the limit and when to try again.
        const errors = result.stdout
          .split("\n")
          .filter((l) => /^\s+error: /.test(l) && !/error: update failed$/.test(l));
        assert.ok(errors.length > 0, result.stdout + result.stderr);
        for (const line of errors)
          assert.match(
            line,
            /Render's rate limit is 20 POST \/services per hour, and the next may start in [^,]+, longer than this client waits \(3 min\); nothing was applied\. Try again after \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/,
          );
        console.log(`      up ${ups}: ${errors.length} refused, e.g.${errors[0]}`);
        assert.doesNotMatch(result.stdout + result.stderr, /\n\s+at /, "a stack trace");
        assert.ok(ups < 5, "the corpus did not come up in 4 hours");
        // An hour passes on Render.
        const advanced = await fetch(`${emu.controlUrl}/clock`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ advanceMs: 3_600_000 }),
        });
        assert.equal(advanced.status, 200);
      }
      assert.ok(ups > 1, "the whole corpus came up within one hour's limit");
      up = corpus;
      await assertOnRender(corpus, 1);
      await track(stack!.preview(["--expect-no-changes"]));
    },
  );

  // Reads the CLI runs of the engine its above: with them.
  it("no secret shows in any CLI output", () => {
    assert.ok(results.length >= 2);
    for (const result of results)
      for (const secret of [emu.apiKey, live.openaiKey, ...corpus.secretKeys.map(secretValue)])
        assert.ok(
          !result.stdout.includes(secret) && !result.stderr.includes(secret),
          `${secret.slice(0, 14)}… leaked`,
        );
  });
});
