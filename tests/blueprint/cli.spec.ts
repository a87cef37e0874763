/**
 * `npm run import-blueprint`: exit codes, the stack file written (or merged into), the report, and the
 * lookup of live resources against the Render API emulator. Secrets never reach the output or the file.
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { startEmulator, type RunningEmulator } from "../../emulator";
import { exitCodes, runImport } from "../../tools/importBlueprint";
import { api, createSeedResources, instantDatabaseBackend, type SeedResources } from "./liveSeed";

const fixtures = path.join(__dirname, "fixtures");
const seed = path.join(fixtures, "seed.render.yaml");

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

describe("blueprint: the import-blueprint command", function () {
  let dir: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "import-blueprint-"));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  async function run(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
    let stdout = "";
    let stderr = "";
    const code = await runImport(args, {
      stdout: (t) => (stdout += t),
      stderr: (t) => (stderr += t),
      env,
      cwd: dir,
    });
    return { code, stdout, stderr };
  }

  function stackFile(name: string): { config: Record<string, unknown> } & Record<string, unknown> {
    return parse(fs.readFileSync(path.join(dir, `Pulumi.${name}.yaml`), "utf8")) as {
      config: Record<string, unknown>;
    };
  }

  it("writes Pulumi.<stack>.yaml from the seed and prints the secret commands", async () => {
    const r = await run([
      seed,
      "--stack",
      "prod",
      "--owner-id",
      "tea-d303qfodl3ps739p3e60",
      "--extension",
      "vector",
    ]);
    assert.equal(r.code, exitCodes.ok, r.stderr);
    const file = stackFile("prod");
    assert.equal(file.config["render:ownerId"], "tea-d303qfodl3ps739p3e60");
    assert.equal((file.config["arrakis:database"] as { name: string }).name, "arrakis-prod-db");
    assert.deepEqual((file.config["arrakis:database"] as { extensions: string[] }).extensions, ["vector"]);
    assert.equal(
      (file.config["arrakis:service"] as { repo: string }).repo,
      "https://github.com/happydotemdr/arrakis",
    );
    assert.match(r.stdout, /Wrote Pulumi\.prod\.yaml\./);
    assert.match(r.stdout, /pulumi config set --secret render:apiKey <Render API key> --stack prod/);
    assert.match(r.stdout, /pulumi config set --secret arrakis:openaiApiKey <OpenAI API key> --stack prod/);
    assert.match(r.stdout, /No API key given/);
    // The file names the secrets to set, and holds none.
    const text = fs.readFileSync(path.join(dir, "Pulumi.prod.yaml"), "utf8");
    assert.match(text, /^# Imported from seed\.render\.yaml/);
    assert.doesNotMatch(text, /secure:/);
  });

  it("runs as the npm script (a real process, exit code and file)", function () {
    this.timeout(30_000);
    const result = spawnSync(
      "npm",
      [
        "run",
        "--silent",
        "import-blueprint",
        "--",
        seed,
        "--stack",
        "viaNpm",
        "--out",
        path.join(dir, "out.yaml"),
      ],
      {
        cwd: path.resolve(__dirname, "..", ".."),
        encoding: "utf8",
        env: { ...process.env, RENDER_API_KEY: "" },
      },
    );
    assert.equal(result.status, 0, result.stderr);
    const file = parse(fs.readFileSync(path.join(dir, "out.yaml"), "utf8")) as {
      config: Record<string, unknown>;
    };
    assert.equal((file.config["arrakis:service"] as { name: string }).name, "arrakis-prod");
  });

  it("merges into an existing stack file, keeping its salt, secrets, comments and other keys", async () => {
    const existing = [
      "# my notes",
      "encryptionsalt: v1:abc=:v1:def:ghi==",
      "config:",
      "  render:apiKey:",
      "    secure: v1:AAAA:BBBB",
      "  arrakis:deploy:",
      "    rollbackOnFailure: true",
      "  arrakis:service:",
      "    name: stale",
      "",
    ].join("\n");
    fs.writeFileSync(path.join(dir, "Pulumi.prod.yaml"), existing);
    const r = await run([seed, "--stack", "prod", "--owner-id", "tea-abc"]);
    assert.equal(r.code, exitCodes.ok, r.stderr);
    assert.match(r.stdout, /updated; other keys kept/);
    const text = fs.readFileSync(path.join(dir, "Pulumi.prod.yaml"), "utf8");
    assert.match(text, /^# my notes/);
    const file = parse(text) as { encryptionsalt: string; config: Record<string, unknown> };
    assert.equal(file.encryptionsalt, "v1:abc=:v1:def:ghi==");
    assert.deepEqual(file.config["render:apiKey"], { secure: "v1:AAAA:BBBB" });
    assert.deepEqual(file.config["arrakis:deploy"], { rollbackOnFailure: true });
    assert.equal((file.config["arrakis:service"] as { name: string }).name, "arrakis-prod");
  });

  it("exits 2 and writes nothing when something would be lost; --accept-loss writes the rest", async () => {
    const blueprint = path.join(fixtures, "unsupported.render.yaml");
    const refused = await run([blueprint, "--stack", "x", "--owner-id", "tea-abc"]);
    assert.equal(refused.code, exitCodes.loss);
    // 37: the database's storageAutoscalingEnabled is converted (diskAutoscaling), not lost.
    assert.match(refused.stdout, /Not modeled by the program \(37\); this would be lost:/);
    assert.match(refused.stdout, /unsupported\.render\.yaml:41 services\[0\]\.domains: custom domains/);
    assert.match(refused.stderr, /37 item\(s\) of the Blueprint would be lost; nothing written/);
    assert.equal(fs.existsSync(path.join(dir, "Pulumi.x.yaml")), false);
    const accepted = await run([blueprint, "--stack", "x", "--owner-id", "tea-abc", "--accept-loss"]);
    assert.equal(accepted.code, exitCodes.ok, accepted.stderr);
    assert.match(accepted.stdout, /Not modeled by the program \(37\); accepted with --accept-loss/);
    assert.equal((stackFile("x").config["arrakis:service"] as { name: string }).name, "main");
  });

  it("exits 1 on an invalid Blueprint, naming file, line, column and path", async () => {
    const r = await run([path.join(fixtures, "malformed", "bad-region.yaml"), "--stack", "x"]);
    assert.equal(r.code, exitCodes.invalid);
    assert.match(r.stderr, /bad-region\.yaml is not a valid Blueprint \(1 problem\):/);
    assert.match(r.stderr, /bad-region\.yaml:3:13 databases\[0\]\.region: "mars" is not allowed/);
    assert.equal(fs.readdirSync(dir).length, 0);
  });

  it("exits 1 on usage errors", async () => {
    const cases: Array<[string[], RegExp]> = [
      [[], /give exactly one Blueprint file/],
      [[seed], /give --stack <name>/],
      [[seed, "--stack", "a/b"], /--stack "a\/b": use letters/],
      [[seed, "--stack", "x", "--colour"], /Unknown option '--colour'/],
      [[path.join(dir, "missing.yaml"), "--stack", "x"], /could not read .*missing\.yaml: ENOENT/],
      [[seed, "--stack", "x", "--monthly-budget", "lots"], /--monthly-budget must be a number/],
      [[seed, "--stack", "x", "--api-url", "ftp://x"], /--api-url must be an http\(s\) URL/],
      [[seed, "--stack", "x", "--adopt-with", "magic"], /--adopt-with must be "name" or "import-id"/],
    ];
    for (const [args, message] of cases) {
      const r = await run(args);
      assert.equal(r.code, exitCodes.invalid, args.join(" "));
      assert.match(r.stderr, message);
    }
    const help = await run(["--help"]);
    assert.equal(help.code, exitCodes.ok);
    assert.match(help.stdout, /usage: npm run import-blueprint/);
  });

  it("resolves the Blueprint from where npm was called (INIT_CWD) and --out - prints the config only", async () => {
    const r = await run(["seed.render.yaml", "--out", "-", "--owner-id", "tea-abc"], { INIT_CWD: fixtures });
    assert.equal(r.code, exitCodes.ok, r.stderr);
    const config = (parse(r.stdout) as { config: Record<string, unknown> }).config;
    assert.equal(config["render:ownerId"], "tea-abc");
    assert.match(r.stderr, /Blueprint seed\.render\.yaml:/);
    assert.equal(fs.readdirSync(dir).length, 0);
  });

  describe("with a Render API key: the live resources on the emulator", function () {
    this.timeout(30_000);
    let emu: RunningEmulator;
    let live: SeedResources;

    before(async () => {
      emu = await startEmulator({
        port: 0,
        timings: "fast",
        rateLimits: { enabled: false },
        databaseBackend: instantDatabaseBackend(),
      });
      live = await createSeedResources(emu, { PORT: "3000" });
    });
    after(async () => {
      await emu?.close();
    });

    it("writes the live ids, the workspace and the API URL; a live env var missing from the Blueprint is a loss", async () => {
      const env = { RENDER_API_KEY: emu.apiKey };
      const refused = await run([seed, "--stack", "prod", "--api-url", emu.url], env);
      assert.equal(refused.code, exitCodes.loss, refused.stderr);
      assert.match(
        refused.stdout,
        /live service arrakis-prod: env var PORT is set on Render but not in the Blueprint: the program manages the whole set, so pulumi up would delete it/,
      );
      // OPENAI_API_KEY is the app's own (from the secret): no loss for it.
      assert.doesNotMatch(refused.stdout, /env var OPENAI_API_KEY/);
      const r = await run([seed, "--stack", "prod", "--api-url", emu.url, "--accept-loss"], env);
      assert.equal(r.code, exitCodes.ok, r.stderr);
      assert.match(
        r.stdout,
        new RegExp(
          `database databases\\[0\\] "arrakis-prod-db" -> arrakis:database \\(adopts ${live.databaseId}\\)`,
        ),
      );
      assert.match(
        r.stdout,
        new RegExp(
          `web service services\\[0\\] "arrakis-prod" -> arrakis:service \\(adopts ${live.serviceId}\\)`,
        ),
      );
      const file = stackFile("prod");
      assert.equal(file.config["render:ownerId"], emu.ownerId);
      assert.equal(file.config["render:apiUrl"], emu.url);
      assert.equal((file.config["arrakis:database"] as { adoptExisting: boolean }).adoptExisting, true);
      assert.equal((file.config["arrakis:service"] as { adoptExisting: boolean }).adoptExisting, true);
      const text0 = fs.readFileSync(path.join(dir, "Pulumi.prod.yaml"), "utf8");
      assert.match(
        text0,
        new RegExp(
          `adopts the live arrakis-prod-db \\(${live.databaseId}\\) and arrakis-prod \\(${live.serviceId}\\)`,
        ),
      );
      const byId = await run(
        [seed, "--out", "-", "--api-url", emu.url, "--accept-loss", "--adopt-with", "import-id"],
        env,
      );
      assert.equal(byId.code, exitCodes.ok, byId.stderr);
      const byIdConfig = (parse(byId.stdout) as { config: Record<string, { importId?: string }> }).config;
      assert.equal(byIdConfig["arrakis:database"].importId, live.databaseId);
      assert.equal(byIdConfig["arrakis:service"].importId, live.serviceId);
      // Neither the key nor any live env var value is printed or written.
      const text = fs.readFileSync(path.join(dir, "Pulumi.prod.yaml"), "utf8");
      for (const secret of [emu.apiKey, live.openaiKey, "postgresql://"])
        for (const where of [r.stdout, r.stderr, refused.stdout, refused.stderr, text])
          assert.ok(!where.includes(secret), `${secret.slice(0, 12)}… leaked`);
    });

    it("takes the key from --api-key too, and finds the only workspace when nothing exists yet", async () => {
      const r = await run(
        [
          seed,
          "--stack",
          "fresh",
          "--api-url",
          emu.url,
          "--api-key",
          emu.apiKey,
          "--service",
          "arrakis-prod",
        ],
        {},
      );
      assert.equal(r.code, exitCodes.loss);
      const other = path.join(dir, "other.yaml");
      fs.writeFileSync(other, fs.readFileSync(seed, "utf8").replace(/arrakis-prod/g, "brand-new"));
      const fresh = await run([other, "--stack", "fresh", "--api-url", emu.url, "--api-key", emu.apiKey]);
      assert.equal(fresh.code, exitCodes.ok, fresh.stderr);
      assert.match(fresh.stdout, /no live database named "brand-new-db": the stack will create it/);
      assert.match(fresh.stdout, /no live web service named "brand-new": the stack will create it/);
      const file = stackFile("fresh");
      assert.equal(file.config["render:ownerId"], emu.ownerId);
      assert.equal("adoptExisting" in (file.config["arrakis:database"] as object), false);
      assert.ok(!fresh.stdout.includes(emu.apiKey) && !fresh.stderr.includes(emu.apiKey));
    });

    it("exits 1 on a refused key without printing it", async () => {
      const badKey = "rnd_not_the_right_key_0123456789";
      const r = await run([seed, "--stack", "x", "--api-url", emu.url], { RENDER_API_KEY: badKey });
      assert.equal(r.code, exitCodes.invalid);
      assert.match(r.stderr, /could not look up the live resources on Render: .*401/);
      assert.ok(!r.stderr.includes(badKey) && !r.stdout.includes(badKey));
      assert.equal(fs.readdirSync(dir).length, 0);
    });

    it("reports when the live resources would be changed by the Blueprint", async () => {
      const changed = await api(emu, "PATCH", `/services/${live.serviceId}`, {
        serviceDetails: { plan: "standard" },
      });
      assert.equal(changed.status, 200, JSON.stringify(changed.body));
      try {
        const r = await run([seed, "--stack", "x", "--api-url", emu.url, "--accept-loss"], {
          RENDER_API_KEY: emu.apiKey,
        });
        assert.equal(r.code, exitCodes.ok, r.stderr);
        assert.match(
          r.stdout,
          new RegExp(
            `live service ${live.serviceId}: plan differs from the Blueprint; the first pulumi up applies the Blueprint's`,
          ),
        );
      } finally {
        await api(emu, "PATCH", `/services/${live.serviceId}`, { serviceDetails: { plan: "starter" } });
      }
    });
  });
});
