/**
 * The providers as a package, and the shims that resources hand to the SDK.
 *
 * The SDK serializes a dynamic provider into the state of each of its resources: local modules by value,
 * modules from node_modules as a `require`. Our providers reach the client, its schemas and the mapping
 * modules, ~115-125 KB of code per resource, serialized in 1-2 s each time a program runs (bench P4, P2).
 * So the providers are bundled (esbuild) into a real package folder,
 * `node_modules/@arrakis/render-providers`, and a resource's provider is a shim of a few hundred bytes
 * that loads that package in the provider host and forwards every call to the provider class of its kind.
 *
 * What this changes, on purpose: the code that refreshes, updates and deletes a resource is the
 * installed package's, as with a provider plugin, not a copy frozen into the state. An old state keeps
 * working (its resources are diffed by the new code, which reads every state shape we ever wrote), and
 * a fix reaches resources created before it.
 *
 * The package is rebuilt whenever a source file it was built from changes: by `npm install`
 * (postinstall), by `npm run build:providers`, and by every program run that finds it stale (each
 * input's hash is compared, a few milliseconds), so `pulumi preview` never runs older provider code.
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import type * as pulumi from "@pulumi/pulumi";
import { providerClasses, type ProviderKind } from "./providers";

/** The name the shims `require` in the provider host. */
export const providerPackageName = "@arrakis/render-providers";

const projectRoot = path.resolve(__dirname, "..");
const entryPoint = path.join(__dirname, "providers.ts");

/** Where the package is built: a real folder (not a link), so the SDK sees it as a node_modules module. */
export const providerPackageDir = path.join(projectRoot, "node_modules", ...providerPackageName.split("/"));

/** What a build records: the hash of each source file it bundled, relative to the project root. */
interface BuildStamp {
  format: 1;
  inputs: Record<string, string>;
}

const stampFile = "build.json";
const freshnessFile = "freshness.js";

/**
 * The freshness check, once, as plain JavaScript: written into the package as `freshness.js`, which the
 * bundle runs first when the provider host loads it (the host has no TypeScript loader), and evaluated
 * here for the program's own check. A `pulumi refresh`, `destroy`, or the refresh step of an up runs
 * before any program could rebuild the package, so there a package older than the sources fails, naming
 * the changed files and the command, instead of running old provider code.
 */
const freshnessSource = `"use strict";
const fs = require("node:fs"), path = require("node:path"), crypto = require("node:crypto");
/** sha256 of a file, or undefined when it cannot be read. */
function hashOf(file) {
  try {
    return crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex");
  } catch {
    return undefined;
  }
}
/** The sources (relative to root) that differ from the stamp of the build in dir; ["${stampFile}"] without one. */
function changedSources(dir, root) {
  let stamp;
  try {
    stamp = JSON.parse(fs.readFileSync(path.join(dir, "${stampFile}"), "utf8"));
  } catch {
    return ["${stampFile}"];
  }
  if (stamp.format !== 1) return ["${stampFile}"];
  return Object.entries(stamp.inputs).filter(([rel, hash]) => hashOf(path.join(root, rel)) !== hash).map(([rel]) => rel);
}
/** Throws unless the package in dir (<root>/node_modules/@arrakis/render-providers) is fresh. */
function assertFresh(dir) {
  const root = path.resolve(dir, "..", "..", "..");
  const changed = changedSources(dir, root);
  if (changed.length > 0)
    throw new Error("the Render providers package was built before changes to " + changed.slice(0, 3).join(", ") +
      (changed.length > 3 ? " and " + (changed.length - 3) + " more" : "") +
      ": run \`npm run build:providers\` in " + root + ", then the command again");
}
module.exports = { hashOf, changedSources, assertFresh };
`;

const freshness = (() => {
  const module = { exports: {} };
  new Function("module", "require", freshnessSource)(module, require);
  return module.exports as {
    hashOf(file: string): string | undefined;
    changedSources(dir: string, root: string): string[];
  };
})();

/** True when the package exists and every source file it was built from is unchanged. */
export function providerPackageIsFresh(dir = providerPackageDir): boolean {
  return fs.existsSync(path.join(dir, "index.js")) && freshness.changedSources(dir, projectRoot).length === 0;
}

/** What {@link buildProviderPackage} made. */
export interface ProviderPackageBuild {
  dir: string;
  /** Size of the bundle (index.js). */
  bytes: number;
  /** Source files bundled. */
  inputs: number;
  ms: number;
}

/**
 * Bundles `components/providers.ts` and everything it imports from the project into one CommonJS file;
 * packages (undici, zod, pg, @pulumi/pulumi) stay `require`s, resolved from the project's node_modules.
 * Each file is written to a temporary name and renamed, so a provider host never loads half a file.
 */
export function buildProviderPackage(dir = providerPackageDir): ProviderPackageBuild {
  const started = Date.now();
  // Loaded only to build: a program whose package is fresh never starts esbuild.
  const esbuild = require("esbuild") as typeof import("esbuild");
  const result = esbuild.buildSync({
    absWorkingDir: projectRoot,
    entryPoints: [entryPoint],
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    packages: "external",
    // Error classes are named by their class (`RenderApiError: …`): keep the names through bundling.
    keepNames: true,
    banner: { js: `"use strict";\nrequire("./${freshnessFile}").assertFresh(__dirname);` },
    write: false,
    metafile: true,
    logLevel: "silent",
    outfile: path.join(dir, "index.js"),
  });
  const code = result.outputFiles[0].contents;
  const inputs: Record<string, string> = {};
  // The sources bundled, and this file: a change to how the package is built makes it stale too.
  for (const rel of [...Object.keys(result.metafile.inputs), path.relative(projectRoot, __filename)]) {
    const hash = freshness.hashOf(path.join(projectRoot, rel));
    if (hash) inputs[rel] = hash;
  }
  fs.mkdirSync(dir, { recursive: true });
  const write = (name: string, data: string | Uint8Array): void => {
    const tmp = path.join(dir, `.${name}.${process.pid}.${crypto.randomBytes(4).toString("hex")}`);
    fs.writeFileSync(tmp, data);
    fs.renameSync(tmp, path.join(dir, name));
  };
  write(
    "package.json",
    JSON.stringify(
      {
        name: providerPackageName,
        private: true,
        description: "The arrakis Render providers, bundled from components/ (generated: do not edit).",
        main: "index.js",
      },
      null,
      2,
    ) + "\n",
  );
  write(freshnessFile, freshnessSource);
  write("index.js", code);
  // The stamp last: a build interrupted before it is seen as stale and made again.
  write(stampFile, JSON.stringify({ format: 1, inputs } satisfies BuildStamp, null, 2) + "\n");
  return { dir, bytes: code.byteLength, inputs: Object.keys(inputs).length, ms: Date.now() - started };
}

let ensured = false;

/** Builds the package unless it is fresh; once per process. */
export function ensureProviderPackage(): void {
  if (ensured) return;
  if (!providerPackageIsFresh()) {
    try {
      buildProviderPackage();
    } catch (err) {
      throw new Error(
        `could not build the Render providers package in ${providerPackageDir}: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
  }
  ensured = true;
}

/** The methods of `ResourceProvider` a shim may forward. */
const providerMethods = ["configure", "check", "diff", "create", "read", "update", "delete"] as const;

type AnyMethod = (...args: unknown[]) => unknown;

/**
 * The provider a resource of `kind` hands to the SDK: it forwards each method its class has to an
 * instance made, on first use in the provider host, from the installed providers package. Only this
 * shim is serialized into state (~1 KB), with `require` of the package resolved from the project
 * directory, the provider host's working directory.
 */
export function packagedProvider(kind: ProviderKind): pulumi.dynamic.ResourceProvider {
  // One object per kind for every resource of the program: the SDK serializes a provider once per
  // object (a cache keyed by it), so 50 resources cost one serialization, not 50 (bench P5).
  let shim = shims.get(kind);
  if (!shim) {
    shim = makeShim(kind);
    shims.set(kind, shim);
  }
  return shim;
}

const shims = new Map<ProviderKind, pulumi.dynamic.ResourceProvider>();

function makeShim(kind: ProviderKind): pulumi.dynamic.ResourceProvider {
  ensureProviderPackage();
  const packageName = providerPackageName;
  // An object, not a `let`: the serializer re-creates a captured variable on every call of a function
  // that captures it, but hoists a captured object once, so the configured instance is kept.
  const loaded: { instance?: Record<string, AnyMethod> } = {};
  const provider = (): Record<string, AnyMethod> => {
    if (!loaded.instance) {
      let exported: { providerClasses: Record<string, new () => Record<string, AnyMethod>> };
      try {
        // `require` is not serialized: this runs in the provider host, from the project directory.
        exported = require(packageName);
      } catch (err) {
        const missing = (err as { code?: string }).code === "MODULE_NOT_FOUND";
        throw new Error(
          `could not load the Render providers (${packageName}): ${err instanceof Error ? err.message : String(err)}` +
            (missing ? "; run `npm install` in the project directory, then the command again" : ""),
        );
      }
      loaded.instance = new exported.providerClasses[kind]();
    }
    return loaded.instance;
  };
  const shim: Partial<Record<(typeof providerMethods)[number], AnyMethod>> = {};
  const prototype = providerClasses[kind].prototype as unknown as Record<string, unknown>;
  for (const method of providerMethods) {
    if (typeof prototype[method] === "function") shim[method] = (...args) => provider()[method](...args);
  }
  return shim as pulumi.dynamic.ResourceProvider;
}
