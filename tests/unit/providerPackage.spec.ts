import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  buildProviderPackage,
  ensureProviderPackage,
  providerPackageDir,
  providerPackageIsFresh,
  providerPackageName,
} from "../../components/providerPackage";
import { providerClasses } from "../../components/providers";

// The providers package is what every resource's state loads in the provider host
// (components/providerPackage.ts): it must exist, hold every provider, and be rebuilt when stale.
describe("providers package", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "arrakis-providers-"));
  const projectRoot = path.resolve(__dirname, "..", "..");
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("bundles every provider kind into one file that loads with the project's packages", () => {
    const built = buildProviderPackage(dir);
    assert.ok(built.inputs > 10, `${built.inputs} source files`);
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) as {
      name: string;
      main: string;
    };
    assert.equal(pkg.name, providerPackageName);
    const code = fs.readFileSync(path.join(dir, "index.js"), "utf8");
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

  it("refuses to load in a provider host when a source changed after the build, naming it and the command", () => {
    // Three levels under the project root, like node_modules/@arrakis/render-providers, so that the
    // guard hashes the project's own sources and the bundle finds the project's packages.
    const nested = fs.mkdtempSync(path.join(projectRoot, "node_modules", ".stale-guard-"));
    try {
      const pkgDir = path.join(nested, "pkg");
      buildProviderPackage(pkgDir);
      const loaded = require(pkgDir) as { providerClasses: object };
      assert.ok(loaded.providerClasses, "a fresh package did not load");
      delete require.cache[require.resolve(pkgDir)];
      const stampFile = path.join(pkgDir, "build.json");
      const stamp = JSON.parse(fs.readFileSync(stampFile, "utf8")) as { inputs: Record<string, string> };
      stamp.inputs["components/render/client.ts"] = "0".repeat(64);
      fs.writeFileSync(stampFile, JSON.stringify(stamp));
      assert.throws(
        () => require(pkgDir),
        /built before changes to components\/render\/client\.ts: run `npm run build:providers` in /,
      );
    } finally {
      fs.rmSync(nested, { recursive: true, force: true });
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
    fs.rmSync(path.join(dir, "index.js"));
    assert.equal(providerPackageIsFresh(dir), false, "a missing bundle went unnoticed");
    fs.rmSync(stampFile);
    assert.equal(providerPackageIsFresh(dir), false);
  });
});
