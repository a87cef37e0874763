/**
 * The `pulumi` the stack tools (`npm run drift`, `dev-env`, `preview-stack`) and `npm run local` run
 * (tools/localArgs.ts, {@link choosePulumi}): an official install on PATH that can run the program, else
 * the engine tools/pulumi-engine/build.sh builds; `ARRAKIS_PULUMI=build|path` forces either. The stack
 * tools use the caller's own Pulumi setup (backend, PULUMI_HOME, passphrase), acting on whatever stack
 * `pulumi` itself would, except on the local stack, whose setup tools/localStack.ts gives them.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { choosePulumi, type PulumiChoice } from "./localArgs";

const repo = path.resolve(__dirname, "..");

/** `pulumi version` of the `pulumi` first on `env`'s PATH, with its folder; undefined when there is none. */
function pulumiOnPath(env: NodeJS.ProcessEnv): { version: string; dir: string } | undefined {
  const which = spawnSync("sh", ["-c", "command -v pulumi"], { encoding: "utf8", env });
  const file = which.status === 0 ? which.stdout.trim() : "";
  if (!file) return undefined;
  const version = spawnSync(file, ["version"], {
    encoding: "utf8",
    env: { ...env, PULUMI_SKIP_UPDATE_CHECK: "true" },
  });
  if (version.status !== 0) return undefined;
  return { version: version.stdout.trim(), dir: path.dirname(fs.realpathSync(file)) };
}

/** True when the Node language host is beside `dir`'s pulumi or on PATH, as the CLI looks for it. */
function hasLanguageHost(dir: string, env: NodeJS.ProcessEnv): boolean {
  if (fs.existsSync(path.join(dir, "pulumi-language-nodejs"))) return true;
  return spawnSync("sh", ["-c", "command -v pulumi-language-nodejs"], { env }).status === 0;
}

/** Builds (or checks) the engine, language host and command plugin; returns their bin folder. */
function buildEngine(env: NodeJS.ProcessEnv): string {
  const build = spawnSync("bash", [path.join(repo, "tools", "pulumi-engine", "build.sh")], {
    stdio: ["ignore", "pipe", "inherit"],
    encoding: "utf8",
    env,
  });
  if (build.status !== 0) throw new Error("could not build the Pulumi engine (see the output above)");
  return build.stdout.trim().split("\n").pop() as string;
}

/** A `pulumi` ready to run: its path and the environment to run it with. */
export interface PulumiRunner {
  choice: PulumiChoice;
  pulumiPath: string;
  env: NodeJS.ProcessEnv;
  /** Called with each command started (tools/localStack.ts tracks them, to stop cleanly on Ctrl-C). */
  onSpawn?: (child: ChildProcess) => void;
}

/** Finds (building if need be) the `pulumi` to run; says which on `log` (stderr by default). */
export function findPulumi(
  env: NodeJS.ProcessEnv = process.env,
  log: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): PulumiRunner {
  const onPath = pulumiOnPath(env);
  let choice = choosePulumi({
    force: env.ARRAKIS_PULUMI,
    onPath: onPath && { ...onPath, languageHost: hasLanguageHost(onPath.dir, env) },
  });
  if (choice.kind === "path") log(`pulumi: ${choice.version} from PATH (${choice.dir})`);
  else {
    log(`pulumi: built from source (${choice.reason})`);
    choice = { ...choice, dir: buildEngine(env) };
  }
  return {
    choice,
    pulumiPath: path.join(choice.dir, "pulumi"),
    env: {
      ...env,
      // The language host and launchers beside this pulumi are the ones the CLI must find.
      PATH: `${choice.dir}${path.delimiter}${env.PATH ?? ""}`,
      PULUMI_SKIP_UPDATE_CHECK: "true",
      ...(choice.kind === "build" ? { PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true" } : {}),
    },
  };
}

/** What one `pulumi` command printed, and how it ended. */
export interface PulumiOutcome {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `pulumi <args> --non-interactive --color never` in `cwd`, capturing both streams (nothing of
 * it reaches the terminal: the caller decides what to print, so no value it did not mean to show does).
 */
export function runPulumi(runner: PulumiRunner, cwd: string, args: string[]): Promise<PulumiOutcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(runner.pulumiPath, [...args, "--non-interactive", "--color", "never"], {
      cwd,
      env: runner.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    runner.onSpawn?.(child);
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.once("error", reject);
    child.once("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}
