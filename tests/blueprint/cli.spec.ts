/**
 * `npm run import-blueprint`: exit codes, the stack file written (or merged into) in the program's
 * vocabulary, the report, the repository from the git remote, and the lookup of live resources against
 * the Render API emulator. Secrets never reach the output or the file.
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { startEmulator, type RunningEmulator } from "../../emulator";
import { exitCodes, httpsRepoUrl, runImport } from "../../tools/importBlueprint";
import { createSeedResources, instantDatabaseBackend, type SeedResources } from "./liveSeed";

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

  async function run(
    args: string[],
    env: NodeJS.ProcessEnv = {},
    gitRemote: (dir: string) => string | undefined = () => undefined,
  ): Promise<Run> {
    let stdout = "";
    let stderr = "";
    const code = await runImport(args, {
      stdout: (t) => (stdout += t),
      stderr: (t) => (stderr += t),
      env,
      cwd: dir,
      gitRemote,
    });
    return { code, stdout, stderr };
  }

  function stackFile(name: string): { config: Record<string, unknown> } & Record<string, unknown> {
    return parse(fs.readFileSync(path.join(dir, `Pulumi.${name}.yaml`), "utf8")) as {
      config: Record<string, unknown>;
    };
  }

  type Entry = Record<string, unknown>;
  const named = (config: Record<string, unknown>, section: string, name: string) =>
    (config[`arrakis:${section}`] as Entry[]).find((e) => e.name === name) as Entry;

  it("writes Pulumi.<stack>.yaml from the seed in render.yaml's vocabulary and prints the secret commands", async () => {
    const r = await run([seed, "--stack", "prod", "--owner-id", "tea-d303qfodl3ps739p3e60"]);
    assert.equal(r.code, exitCodes.ok, r.stderr);
    assert.match(
      r.stdout,
      /Read .*seed\.render\.yaml: 1 service\(s\), 1 database\(s\), 0 Key Value\(s\), 0 env group\(s\)/,
    );
    const file = stackFile("prod");
    assert.equal(file.config["render:ownerId"], "tea-d303qfodl3ps739p3e60");
    assert.deepEqual(named(file.config, "databases", "arrakis-prod-db"), {
      name: "arrakis-prod-db",
      plan: "basic_256mb",
      postgresMajorVersion: "17",
      databaseName: "arrakis_production",
      user: "arrakis_prod_user",
      ipAllowList: [{ source: "0.0.0.0/0", description: "Production access" }],
      protect: true,
    });
    const web = named(file.config, "services", "arrakis-prod");
    assert.equal(web.type, "web");
    assert.equal(web.repo, "https://github.com/happydotemdr/arrakis");
    assert.deepEqual((web.envVars as Entry[])[0], {
      key: "DATABASE_URL",
      fromDatabase: { name: "arrakis-prod-db", property: "connectionString" },
    });
    assert.deepEqual(file.config["arrakis:keyValues"], []);
    assert.match(r.stdout, /Wrote Pulumi\.prod\.yaml\./);
    assert.match(r.stdout, /pulumi config set --secret render:apiKey <Render API key> --stack prod/);
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
    assert.equal(named(file.config, "services", "arrakis-prod").type, "web");
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
      "  arrakis:services:",
      "    - name: stale",
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
    assert.deepEqual(
      (file.config["arrakis:services"] as Entry[]).map((s) => s.name),
      ["arrakis-prod"],
    );
  });

  it("exits 2 and writes nothing when something would be lost, each loss with its line; --accept-loss writes the rest", async () => {
    const blueprint = path.join(fixtures, "every-key.render.yaml");
    const refused = await run([blueprint, "--stack", "x", "--owner-id", "tea-abc"]);
    assert.equal(refused.code, exitCodes.loss);
    const count = /Not carried by the program \((\d+)\):/.exec(refused.stderr)?.[1];
    assert.ok(count, refused.stderr);
    assert.match(
      refused.stderr,
      /every-key\.render\.yaml:86 services\[0\]\.maintenanceMode: maintenance mode is not modeled/,
    );
    assert.match(
      refused.stderr,
      /every-key\.render\.yaml:89 services\[0\]\.renderSubdomainPolicy: not modeled/,
    );
    assert.match(
      refused.stderr,
      new RegExp(`${count} item\\(s\\) of the Blueprint would be lost; nothing written`),
    );
    assert.equal(fs.existsSync(path.join(dir, "Pulumi.x.yaml")), false);
    const accepted = await run([blueprint, "--stack", "x", "--owner-id", "tea-abc", "--accept-loss"]);
    assert.equal(accepted.code, exitCodes.ok, accepted.stderr);
    const config = stackFile("x").config;
    assert.ok((config["arrakis:services"] as Entry[]).some((s) => s.name === "shop"));
    assert.deepEqual(
      (config["arrakis:keyValues"] as Entry[]).map((s) => s.name),
      ["cache", "sessions"],
    );
    assert.match(
      accepted.stdout,
      /pulumi config set --secret --path arrakis:secrets\.STRIPE_KEY <value> --stack x/,
    );
  });

  it("takes an omitted repo from the git remote origin of the Blueprint's folder, or --repo", async () => {
    const bp = path.join(dir, "render.yaml");
    fs.writeFileSync(
      bp,
      "services:\n  - type: web\n    name: app\n    runtime: node\n    buildCommand: npm ci\n    startCommand: npm start\n",
    );
    const asked: string[] = [];
    const viaGit = await run([bp, "--out", "-"], {}, (d) => {
      asked.push(d);
      return "git@github.com:acme/shop.git";
    });
    assert.equal(viaGit.code, exitCodes.ok, viaGit.stderr);
    assert.deepEqual(asked, [dir]);
    const config = (parse(viaGit.stdout) as { config: Record<string, unknown> }).config;
    assert.equal(named(config, "services", "app").repo, "https://github.com/acme/shop");
    assert.match(
      viaGit.stderr,
      /repo is not set; wrote https:\/\/github\.com\/acme\/shop from the git remote origin/,
    );
    const viaFlag = await run([bp, "--out", "-", "--repo", "https://gitlab.com/acme/other.git"], {}, () => {
      throw new Error("the git remote must not be asked when --repo is given");
    });
    assert.equal(viaFlag.code, exitCodes.ok, viaFlag.stderr);
    const flagged = (parse(viaFlag.stdout) as { config: Record<string, unknown> }).config;
    assert.equal(named(flagged, "services", "app").repo, "https://gitlab.com/acme/other");
    const neither = await run([bp, "--stack", "x"]);
    assert.equal(neither.code, exitCodes.invalid);
    assert.match(neither.stderr, /render\.yaml:2 services\[0\]\.repo: is not set/);
  });

  it("reads the git remote with git itself (a real repository)", async () => {
    const repoDir = path.join(dir, "checkout");
    fs.mkdirSync(repoDir);
    const git = (...args: string[]) => spawnSync("git", ["-C", repoDir, ...args], { encoding: "utf8" });
    assert.equal(git("init", "-q").status, 0);
    assert.equal(git("remote", "add", "origin", "https://github.com/acme/real.git").status, 0);
    fs.writeFileSync(
      path.join(repoDir, "render.yaml"),
      "services:\n  - type: web\n    name: w\n    runtime: node\n    buildCommand: npm ci\n    startCommand: npm start\n",
    );
    let stdout = "";
    let stderr = "";
    const code = await runImport([path.join(repoDir, "render.yaml"), "--out", "-"], {
      stdout: (t) => (stdout += t),
      stderr: (t) => (stderr += t),
      env: {},
      cwd: dir,
    });
    assert.equal(code, exitCodes.ok, stderr);
    const config = (parse(stdout) as { config: Record<string, unknown> }).config;
    assert.equal(named(config, "services", "w").repo, "https://github.com/acme/real");
  });

  it("turns git remotes into https repository URLs", () => {
    const cases: Array<[string, string | undefined]> = [
      ["git@github.com:acme/shop.git", "https://github.com/acme/shop"],
      ["https://github.com/acme/shop.git", "https://github.com/acme/shop"],
      ["https://user@gitlab.com/acme/shop", "https://gitlab.com/acme/shop"],
      ["ssh://git@bitbucket.org/acme/shop.git", "https://bitbucket.org/acme/shop"],
      ["/srv/git/shop.git", undefined],
      ["file:///srv/git/shop", undefined],
    ];
    for (const [remote, url] of cases) assert.equal(httpsRepoUrl(remote), url, remote);
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
      [
        [seed, "--stack", "x", "--repo", "/srv/git/x"],
        /--repo "\/srv\/git\/x": give the repository's https URL/,
      ],
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
    assert.match(r.stderr, /Read seed\.render\.yaml:/);
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

    it("writes the live ids as importId, the workspace and the API URL; live env vars not in the Blueprint are losses", async () => {
      const env = { RENDER_API_KEY: emu.apiKey };
      const refused = await run([seed, "--stack", "prod", "--api-url", emu.url], env);
      assert.equal(refused.code, exitCodes.loss, refused.stderr);
      for (const key of ["PORT", "OPENAI_API_KEY"])
        assert.match(
          refused.stderr,
          new RegExp(
            `arrakis-prod: env var ${key} is set on Render but not in the Blueprint: .*pulumi up would delete it`,
          ),
        );
      const r = await run([seed, "--stack", "prod", "--api-url", emu.url, "--accept-loss"], env);
      assert.equal(r.code, exitCodes.ok, r.stderr);
      assert.match(r.stdout, /2 live resource\(s\) found by name: written as importId/);
      const file = stackFile("prod");
      assert.equal(file.config["render:ownerId"], emu.ownerId);
      assert.equal(file.config["render:apiUrl"], emu.url);
      assert.equal(named(file.config, "databases", "arrakis-prod-db").importId, live.databaseId);
      assert.equal(named(file.config, "services", "arrakis-prod").importId, live.serviceId);
      // Neither the key nor any live env var value is printed or written.
      const text = fs.readFileSync(path.join(dir, "Pulumi.prod.yaml"), "utf8");
      for (const secret of [emu.apiKey, live.openaiKey, "postgresql://"])
        for (const where of [r.stdout, r.stderr, refused.stdout, refused.stderr, text])
          assert.ok(!where.includes(secret), `${secret.slice(0, 12)}… leaked`);
    });

    it("takes the key from --api-key too, and finds the only workspace when nothing exists yet", async () => {
      const other = path.join(dir, "other.yaml");
      fs.writeFileSync(other, fs.readFileSync(seed, "utf8").replace(/arrakis-prod/g, "brand-new"));
      const fresh = await run([other, "--stack", "fresh", "--api-url", emu.url, "--api-key", emu.apiKey]);
      assert.equal(fresh.code, exitCodes.ok, fresh.stderr);
      assert.match(fresh.stdout, /no live database named "brand-new-db": the stack will create it/);
      assert.match(fresh.stdout, /no live web service named "brand-new": the stack will create it/);
      const file = stackFile("fresh");
      assert.equal(file.config["render:ownerId"], emu.ownerId);
      assert.equal(named(file.config, "databases", "brand-new-db").importId, undefined);
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
  });
});
