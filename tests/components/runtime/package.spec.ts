import { strict as assert } from "node:assert";
import { execFile, execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  buildProviderPackage,
  ensureProviderPackage,
  providerPackageDir,
  providerPackageIsFresh,
  providerPackageName,
} from "../../../components/runtime/package";
import { providerClasses } from "../../../components/providers";

// The providers package is what every resource's state loads in the provider host
// (components/runtime/package.ts): it must exist, hold every provider, and be rebuilt when stale.
describe("providers package", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "arrakis-providers-"));
  const projectRoot = path.resolve(__dirname, "..", "..", "..");
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("bundles every provider kind into one file that loads with the project's packages", () => {
    const built = buildProviderPackage(dir);
    assert.ok(built.inputs > 10, `${built.inputs} source files`);
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) as {
      name: string;
      main: string;
    };
    assert.equal(pkg.name, providerPackageName);
    const code = fs.readFileSync(path.join(dir, "bundle.js"), "utf8");
    // Packages stay requires: one copy of undici, zod and the SDK, the project's.
    assert.match(code, /require\("undici"\)/);
    assert.match(code, /require\("zod"\)/);
    assert.doesNotMatch(code, /node_modules\/zod/);
    // Loaded from where the provider host loads it (the project's node_modules): same classes by kind.
    ensureProviderPackage();
    const loaded = require(providerPackageDir) as { providerClasses: Record<string, { name: string }> };
    assert.deepEqual(
      Object.entries(loaded.providerClasses).map(([kind, cls]) => [kind, cls.name]),
      Object.entries(providerClasses).map(([kind, cls]) => [kind, cls.name]),
    );
  });

  /** A package folder three levels under the project root, like node_modules/@arrakis/render-providers. */
  function nestedPackage(): { pkgDir: string; remove: () => void } {
    // So that the loader hashes the project's own sources and the bundle finds the project's packages.
    const nested = fs.mkdtempSync(path.join(projectRoot, "node_modules", ".stale-guard-"));
    const pkgDir = path.join(nested, "pkg");
    return { pkgDir, remove: () => fs.rmSync(nested, { recursive: true, force: true }) };
  }

  /** Makes the package's stamp disagree with components/render/client.ts, as a pull would. */
  function makeStale(pkgDir: string): void {
    const stampFile = path.join(pkgDir, "build.json");
    const stamp = JSON.parse(fs.readFileSync(stampFile, "utf8")) as { inputs: Record<string, string> };
    stamp.inputs["components/render/client.ts"] = "0".repeat(64);
    fs.writeFileSync(stampFile, JSON.stringify({ ...stamp, format: 2 }));
  }

  it("rebuilds itself when loaded in a provider host after a source changed, then loads the new build", () => {
    const { pkgDir, remove } = nestedPackage();
    try {
      buildProviderPackage(pkgDir);
      makeStale(pkgDir);
      assert.equal(providerPackageIsFresh(pkgDir), false);
      // A provider host's view: plain node, no TypeScript loader, the package's own index.js.
      const loaded = execFileSync(
        process.execPath,
        [
          "-e",
          `process.stdout.write(Object.keys(require(${JSON.stringify(pkgDir)}).providerClasses).join())`,
        ],
        { cwd: projectRoot, encoding: "utf8", env: { ...process.env, NODE_OPTIONS: "" } },
      );
      assert.deepEqual(loaded.split(","), Object.keys(providerClasses));
      assert.equal(providerPackageIsFresh(pkgDir), true, "the stale package was not rebuilt");
    } finally {
      remove();
    }
  });

  it("builds once when provider hosts load a stale package together, and breaks a lock left by a killed build", async () => {
    const { pkgDir, remove } = nestedPackage();
    try {
      buildProviderPackage(pkgDir);
      makeStale(pkgDir);
      // A lock folder from a build killed a while ago: older than the builder's stale-lock limit.
      const lock = `${pkgDir}.lock`;
      fs.mkdirSync(lock);
      const longAgo = new Date(Date.now() - 5 * 60_000);
      fs.utimesSync(lock, longAgo, longAgo);
      const script =
        `const b = require(${JSON.stringify(path.join(projectRoot, "components", "runtime", "packageBuild.js"))});` +
        `const built = b.ensureFresh(${JSON.stringify(pkgDir)}); require(${JSON.stringify(pkgDir)});` +
        `process.stdout.write(built ? "built" : "fresh");`;
      const runs = await Promise.all(
        [1, 2, 3].map(
          () =>
            new Promise<string>((resolve, reject) =>
              execFile(process.execPath, ["-e", script], { cwd: projectRoot }, (err, stdout) =>
                err ? reject(err) : resolve(stdout),
              ),
            ),
        ),
      );
      assert.equal(runs.filter((r) => r === "built").length, 1, runs.join());
      assert.equal(runs.filter((r) => r === "fresh").length, 2, runs.join());
      assert.equal(fs.existsSync(lock), false, "the lock was left behind");
      assert.equal(providerPackageIsFresh(pkgDir), true);
    } finally {
      remove();
    }
  });

  it("fails naming npm install when a stale package cannot be rebuilt", () => {
    const { pkgDir, remove } = nestedPackage();
    try {
      buildProviderPackage(pkgDir);
      makeStale(pkgDir);
      // The rebuild cannot write its bundle (tests run as root, which ignores modes: a folder blocks it).
      fs.rmSync(path.join(pkgDir, "bundle.js"));
      fs.mkdirSync(path.join(pkgDir, "bundle.js"));
      const builder = require("../../../components/runtime/packageBuild.js") as {
        load(dir: string): unknown;
      };
      assert.throws(
        () => builder.load(pkgDir),
        (err: Error) =>
          /is older than components\/render\/client\.ts and could not be rebuilt/.test(err.message) &&
          err.message.includes("run `npm install` in"),
      );
    } finally {
      remove();
    }
  });

  it("is fresh after a build, and stale when a source's hash or the bundle is not what was built", () => {
    buildProviderPackage(dir);
    assert.equal(providerPackageIsFresh(dir), true);
    const stampFile = path.join(dir, "build.json");
    const stamp = JSON.parse(fs.readFileSync(stampFile, "utf8")) as { inputs: Record<string, string> };
    assert.ok(
      Object.keys(stamp.inputs).includes("components/render/client.ts"),
      Object.keys(stamp.inputs).join(),
    );
    const edited = { ...stamp, inputs: { ...stamp.inputs, "components/render/client.ts": "0".repeat(64) } };
    fs.writeFileSync(stampFile, JSON.stringify(edited));
    assert.equal(providerPackageIsFresh(dir), false, "an edited source went unnoticed");
    buildProviderPackage(dir);
    fs.rmSync(path.join(dir, "bundle.js"));
    assert.equal(providerPackageIsFresh(dir), false, "a missing bundle went unnoticed");
    fs.rmSync(stampFile);
    assert.equal(providerPackageIsFresh(dir), false);
  });
});
