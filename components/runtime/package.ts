/**
 * The providers as a package, and the shims that resources hand to the SDK.
 *
 * The SDK serializes a dynamic provider into the state of each of its resources: local modules by value,
 * modules from node_modules as a `require`. Serialized that way, our providers (the client, its schemas
 * and the mapping modules) would be ~115-125 KB of code per resource, 1-2 s each time a program runs
 * (bench P4, P2).
 * So the providers are bundled (esbuild) into a real package folder,
 * `node_modules/@arrakis/render-providers`, and a resource's provider is a shim of ~2.7 KB (measured by
 * tests/components/runtime/shimSerialize.spec.ts and bench P4) that loads that package in the provider host and
 * forwards every call to the provider class of its kind.
 *
 * What this changes, on purpose: the code that refreshes, updates and deletes a resource is the
 * installed package's, as with a provider plugin, not a copy frozen into the state. An old state keeps
 * working (its resources are diffed by the new code, which reads every state shape we ever wrote), and
 * a fix reaches resources created before it.
 *
 * The package is rebuilt whenever a source file it was built from changes: by `npm install`
 * (postinstall), by `npm run build:providers`, by every program run that finds it stale, and by the
 * provider host itself when it loads a stale package (a refresh runs before the program): each input's
 * hash is compared, a few milliseconds, so a changed checkout never blocks a preview and
 * `pulumi preview` never runs older provider code.
 */
import * as path from "node:path";
import type * as pulumi from "@pulumi/pulumi";
import { providerClasses, type ProviderKind } from "../providers";

/** The package builder and loader, plain JavaScript: the provider host runs it too (packageBuild.js). */
interface PackageBuilder {
  packageName: string;
  changedSources(dir: string, root?: string): string[];
  build(dir: string, root?: string): ProviderPackageBuild;
  ensureFresh(dir: string, root?: string): ProviderPackageBuild | undefined;
}
const builder = require("./packageBuild.js") as PackageBuilder;

/** The name the shims `require` in the provider host. */
export const providerPackageName = builder.packageName;

const projectRoot = path.resolve(__dirname, "..", "..");

/** Where the package is built: a real folder (not a link), so the SDK sees it as a node_modules module. */
export const providerPackageDir = path.join(projectRoot, "node_modules", ...providerPackageName.split("/"));

/** True when the package exists and every source file it was built from is unchanged. */
export function providerPackageIsFresh(dir = providerPackageDir): boolean {
  return builder.changedSources(dir, projectRoot).length === 0;
}

/** What {@link buildProviderPackage} made. */
export interface ProviderPackageBuild {
  dir: string;
  /** Size of the bundle (bundle.js). */
  bytes: number;
  /** Source files bundled. */
  inputs: number;
  ms: number;
}

/**
 * Bundles `components/providers.ts` and everything it imports from the project into the package in `dir`
 * (see packageBuild.js); packages stay `require`s, resolved from the project's node_modules.
 */
export function buildProviderPackage(dir = providerPackageDir): ProviderPackageBuild {
  return builder.build(dir, projectRoot);
}

let ensured = false;

/** Builds the package unless it is fresh (under the builder's lock); once per process. */
export function ensureProviderPackage(): void {
  if (ensured) return;
  try {
    builder.ensureFresh(providerPackageDir, projectRoot);
  } catch (err) {
    throw new Error(
      `could not build the Render providers package in ${providerPackageDir}: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  ensured = true;
}

/** The methods of `ResourceProvider` a shim may forward. */
const providerMethods = ["configure", "check", "diff", "create", "read", "update", "delete"] as const;

type AnyMethod = (...args: unknown[]) => unknown;

/**
 * The provider a resource of `kind` hands to the SDK: it forwards each method its class has to an
 * instance made, on first use in the provider host, from the installed providers package. Only this
 * shim is serialized into state (~2.7 KB), with `require` of the package resolved from the project
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
