"use strict";
/**
 * Builds and loads the providers package (`node_modules/@arrakis/render-providers`), in plain
 * JavaScript because it runs in two places: in the program (through components/runtime/package.ts)
 * and in the dynamic provider host, which has no TypeScript loader and loads the package before any
 * program runs (a refresh, a destroy, the refresh step of an up).
 *
 * The package holds:
 *   index.js     the loader: `require("./build.js").load(__dirname)`
 *   build.js     a copy of this file, used when the checkout no longer has one
 *   bundle.js    the providers, bundled by esbuild from components/providers.ts
 *   build.json   the stamp: the sha256 of each source file bundled
 *
 * `load` rebuilds the bundle when a source changed since the stamp (a `git pull`, an edit), under a
 * lock so that two provider hosts starting together build once, then requires it: a changed checkout
 * never blocks a preview and never runs old provider code.
 */
const crypto = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");

const packageName = "@arrakis/render-providers";
const stampFile = "build.json";
const bundleFile = "bundle.js";
const selfRelative = path.join("components", "runtime", "packageBuild.js");
/** A build takes well under this; a lock older than it was left by a killed process. */
const staleLockMs = 60_000;
const lockWaitMs = 120_000;

/** sha256 of a file, or undefined when it cannot be read. */
function hashOf(file) {
  try {
    return crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex");
  } catch {
    return undefined;
  }
}

/** The project root of a package folder `<root>/node_modules/@arrakis/render-providers`. */
function rootOf(dir) {
  return path.resolve(dir, "..", "..", "..");
}

/** The sources (relative to root) that differ from the stamp of the build in dir; ["build.json"] without one. */
function changedSources(dir, root = rootOf(dir)) {
  let stamp;
  try {
    stamp = JSON.parse(fs.readFileSync(path.join(dir, stampFile), "utf8"));
  } catch {
    return [stampFile];
  }
  if (stamp.format !== 2 || !fs.existsSync(path.join(dir, bundleFile))) return [stampFile];
  return Object.entries(stamp.inputs)
    .filter(([rel, hash]) => hashOf(path.join(root, rel)) !== hash)
    .map(([rel]) => rel);
}

/** Writes a file through a temporary name and a rename, so no reader ever sees half of it. */
function writeAtomically(dir, name, data) {
  const tmp = path.join(dir, `.${name}.${process.pid}.${crypto.randomBytes(4).toString("hex")}`);
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, path.join(dir, name));
}

/**
 * Bundles `<root>/components/providers.ts` and everything it imports from the project into `dir`;
 * packages (undici, zod, pg, @pulumi/pulumi) stay `require`s, resolved from the project's
 * node_modules. Returns what it made.
 */
function build(dir, root = rootOf(dir)) {
  const started = Date.now();
  // Resolved from the project: a program whose package is fresh never loads esbuild.
  const esbuild = require(require.resolve("esbuild", { paths: [root] }));
  const result = esbuild.buildSync({
    absWorkingDir: root,
    entryPoints: [path.join(root, "components", "providers.ts")],
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    packages: "external",
    // Error classes are named by their class (`RenderApiError: …`): keep the names through bundling.
    keepNames: true,
    write: false,
    metafile: true,
    logLevel: "silent",
    outfile: path.join(dir, bundleFile),
  });
  const code = result.outputFiles[0].contents;
  const inputs = {};
  // The sources bundled, and this file: a change to how the package is built makes it stale too.
  for (const rel of [...Object.keys(result.metafile.inputs), selfRelative]) {
    const hash = hashOf(path.join(root, rel));
    if (hash) inputs[rel] = hash;
  }
  fs.mkdirSync(dir, { recursive: true });
  const pkg = {
    name: packageName,
    private: true,
    description: "The arrakis Render providers, bundled from components/ (generated: do not edit).",
    main: "index.js",
  };
  writeAtomically(dir, "package.json", JSON.stringify(pkg, null, 2) + "\n");
  writeAtomically(dir, "build.js", fs.readFileSync(__filename));
  writeAtomically(
    dir,
    "index.js",
    '"use strict";\nmodule.exports = require("./build.js").load(__dirname);\n',
  );
  writeAtomically(dir, bundleFile, code);
  // The stamp last: a build interrupted before it is seen as stale and made again.
  writeAtomically(dir, stampFile, JSON.stringify({ format: 2, inputs }, null, 2) + "\n");
  return { dir, bytes: code.byteLength, inputs: Object.keys(inputs).length, ms: Date.now() - started };
}

/** Blocks the thread for `ms` (the provider host's `require` is synchronous). */
function pause(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Runs `fn` holding `<dir>.lock` (a folder: mkdir is atomic), breaking a lock left by a killed build. */
function withLock(dir, fn) {
  const lock = `${dir}.lock`;
  fs.mkdirSync(path.dirname(lock), { recursive: true });
  const deadline = Date.now() + lockWaitMs;
  for (;;) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch (err) {
      if (err.code !== "EEXIST") throw err;
      let age = 0;
      try {
        age = Date.now() - fs.statSync(lock).mtimeMs;
      } catch {
        continue; // released meanwhile
      }
      if (age > staleLockMs) fs.rmSync(lock, { recursive: true, force: true });
      else if (Date.now() > deadline) throw new Error(`another build of ${dir} holds ${lock}`);
      else pause(50);
    }
  }
  try {
    return fn();
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

/**
 * Builds the package in `dir` unless every source it was built from is unchanged; returns the build, or
 * undefined when it was fresh. The check after taking the lock makes a concurrent builder's work count.
 */
function ensureFresh(dir, root = rootOf(dir)) {
  if (changedSources(dir, root).length === 0) return undefined;
  return withLock(dir, () => (changedSources(dir, root).length === 0 ? undefined : build(dir, root)));
}

/**
 * What the package's index.js exports: the bundle, rebuilt first when the checkout changed. The build
 * code is the checkout's own when it has it (a pull may have changed how the package is built).
 */
function load(dir) {
  const root = rootOf(dir);
  const current = path.join(root, selfRelative);
  const builder = fs.existsSync(current) && current !== __filename ? require(current) : module.exports;
  try {
    builder.ensureFresh(dir, root);
  } catch (err) {
    const changed = changedSources(dir, root);
    throw new Error(
      `the Render providers package in ${dir} is older than ${changed.slice(0, 3).join(", ")} and could not ` +
        `be rebuilt (${err && err.message ? err.message : String(err)}): run \`npm install\` in ${root}, ` +
        "then the command again",
    );
  }
  return require(path.join(dir, bundleFile));
}

module.exports = { packageName, hashOf, changedSources, build, ensureFresh, load };
