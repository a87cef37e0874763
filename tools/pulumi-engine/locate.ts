/**
 * Finds the Pulumi engine that `tools/pulumi-engine/build.sh` builds, for tests and scripts.
 *
 * The bin directory is `${ARRAKIS_ENGINE_CACHE:-$HOME/.cache/arrakis/pulumi-engine}/<version>/bin`,
 * where `<version>` is the `github.com/pulumi/pulumi/pkg/v3` version pinned in go.mod beside this file.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/** Where the engine of this checkout lives and whether it has been built. */
export interface EngineLocation {
  /** The pinned engine version, e.g. `v3.248.0`. */
  version: string;
  /** Directory holding `pulumi` and the plugin launchers; put it first on PATH. */
  binDir: string;
  /** Absolute path of the `pulumi` binary. */
  pulumiPath: string;
  /** The script that builds the engine. */
  buildScript: string;
  /** The `@pulumi/command` plugin built for the version package.json names (install it with `--file`). */
  commandPlugin: { version: string; path: string };
  /** True when `pulumi`, its Node language host and the command plugin exist and are executable. */
  built: boolean;
}

const toolDir = __dirname;

/** Reads the engine version pinned in tools/pulumi-engine/go.mod. */
export function pinnedEngineVersion(goModPath = path.join(toolDir, "go.mod")): string {
  const goMod = fs.readFileSync(goModPath, "utf8");
  const match = /^\s*github\.com\/pulumi\/pulumi\/pkg\/v3 (v\d+\.\d+\.\d+)(?: \/\/ indirect)?\s*$/m.exec(
    goMod,
  );
  if (!match) {
    throw new Error(`could not read the pulumi pkg/v3 version from ${goModPath}`);
  }
  return match[1];
}

/** Computes where the engine is (or would be) for the given environment. */
export function locateEngine(env: NodeJS.ProcessEnv = process.env): EngineLocation {
  const version = pinnedEngineVersion();
  const cacheRoot = env.ARRAKIS_ENGINE_CACHE || path.join(os.homedir(), ".cache", "arrakis", "pulumi-engine");
  const binDir = path.join(cacheRoot, version, "bin");
  const pulumiPath = path.join(binDir, "pulumi");
  const commandVersion = (
    JSON.parse(fs.readFileSync(path.join(toolDir, "..", "..", "package.json"), "utf8")) as {
      dependencies: Record<string, string>;
    }
  ).dependencies["@pulumi/command"];
  const commandPlugin = {
    version: commandVersion,
    path: path.join(
      cacheRoot,
      version,
      "plugins",
      `resource-command-v${commandVersion}`,
      "pulumi-resource-command",
    ),
  };
  const built = [pulumiPath, path.join(binDir, "pulumi-language-nodejs"), commandPlugin.path].every(
    (file) => {
      try {
        fs.accessSync(file, fs.constants.X_OK);
        return true;
      } catch {
        return false;
      }
    },
  );
  return { version, binDir, pulumiPath, buildScript: path.join(toolDir, "build.sh"), commandPlugin, built };
}

/** The message shown when tests need the engine and it is not built. */
export function engineMissingMessage(location: EngineLocation): string {
  const repo = path.resolve(toolDir, "..", "..");
  return (
    `the Pulumi engine ${location.version} is not built (pulumi, pulumi-language-nodejs and pulumi-resource-command ${location.commandPlugin.version} in ${path.dirname(location.binDir)}). ` +
    `Build it with \`bash ${path.relative(repo, location.buildScript)}\` ` +
    `(cold build 4-8 min on 2 cores; set ARRAKIS_ENGINE_CACHE to build elsewhere). ` +
    `The engine tests fail rather than skip without it.`
  );
}

/** Returns the engine location, or throws an error that names build.sh when it is missing. */
export function requireEngine(env: NodeJS.ProcessEnv = process.env): EngineLocation {
  const location = locateEngine(env);
  if (!location.built) {
    throw new Error(engineMissingMessage(location));
  }
  return location;
}
