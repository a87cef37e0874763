/**
 * Runs the real `pulumi` CLI (built by tools/pulumi-engine/build.sh) on a program, isolated from the
 * machine: its own PULUMI_HOME, a local file backend in a temp folder, the passphrase secrets provider,
 * `--non-interactive`, and the engine's bin directory first on PATH (so the dynamic provider launcher
 * next to `pulumi` is the one found).
 *
 * The program is copied into a temp project folder, so the stack files the CLI writes never land in
 * the repository. Commands run as a user types them in a project folder: `pulumi preview|up|…`, the
 * CLI starting the official Node language host (`pulumi-language-nodejs`, built beside it), which
 * runs `index.ts` through ts-node. The copy's `node_modules` is a folder of links to the repository's
 * packages, except the providers package (`@arrakis/render-providers`), which each copy builds from
 * its own sources: a test that edits a provider source changes no other test's providers. The
 * `@pulumi/command` plugin is installed into the stack's own PULUMI_HOME from the engine build.
 *
 * Every child starts in its own process group; the group is killed on timeout and on cleanup, so
 * provider hosts the CLI started die with it.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { requireEngine, type EngineLocation } from "../pulumi-engine/locate";

/** The outcome of one CLI command. */
export interface PulumiResult {
  /** The command line, without values read from stdin. */
  args: string[];
  /** Exit code; null when the process was killed. */
  code: number | null;
  stdout: string;
  stderr: string;
  /** Parsed stdout when the command was asked for `--json` and printed valid JSON. */
  json?: unknown;
  /** True when the helper killed the command because it ran past its timeout. */
  timedOut: boolean;
  durationMs: number;
}

/** Options of {@link PulumiStack.create}. */
export interface PulumiStackOptions {
  /** A Pulumi project folder: Pulumi.yaml and the program; copied into a temp folder. */
  programDir: string;
  /** Stack name; default `test`. */
  stackName?: string;
  /** Plain stack config, `namespace:key` → value. */
  config?: Record<string, string>;
  /** Secret stack config (encrypted with the passphrase), `namespace:key` → value. */
  secretConfig?: Record<string, string>;
  /** Passphrase of the stack's secrets provider; default a fixed test passphrase. */
  passphrase?: string;
  /** Per-command timeout in ms; default 120 000. */
  timeoutMs?: number;
  /** Extra environment for every command (and so for the program and provider hosts). */
  env?: Record<string, string>;
  /**
   * The backend to log in to (e.g. `postgres://…` for team state); default a file backend in the temp
   * folder. A backend that is not the temp folder's outlives {@link PulumiStack.cleanup}: remove its
   * stacks yourself (`pulumi stack rm`).
   */
  backendUrl?: string;
  /**
   * Select the stack, already in the backend (another person's), instead of creating it; its
   * `Pulumi.<stack>.yaml` (config and encryption salt, as a checkout has it) is copied from this file.
   */
  existingStack?: { stackFile?: string };
}

/** Options of one command. */
export interface RunOptions {
  /** Add `--json` and parse stdout. */
  json?: boolean;
  /** Text written to the command's stdin (then closed). Never part of `args`. */
  stdin?: string;
  timeoutMs?: number;
  /**
   * Aborting it SIGKILLs the command's process group and every process below it (the language and
   * provider hosts run in groups of their own) at once, as a closed laptop would: no graceful shutdown.
   */
  signal?: AbortSignal;
}

const defaultTimeoutMs = 120_000;
const killGraceMs = 2_000;

/** Every child process group still alive, so a crash or a forgotten cleanup cannot leak them. */
const liveGroups = new Set<ChildProcess>();

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  // Even when the leader has exited, members of its group (provider hosts) may still be there.
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // ESRCH: the whole group is gone already.
  }
}

/**
 * Every descendant of `pid` (children, theirs, …), read from `ps` while they are still attached: once
 * the parent dies they are re-parented and cannot be found this way.
 */
function descendants(pid: number): number[] {
  let table: string;
  try {
    table = execFileSync("ps", ["-A", "-o", "pid=,ppid="], { encoding: "utf8" });
  } catch {
    return [];
  }
  const children = new Map<number, number[]>();
  for (const line of table.split("\n")) {
    const [child, parent] = line.trim().split(/\s+/).map(Number);
    if (!child || parent === undefined) continue;
    children.set(parent, [...(children.get(parent) ?? []), child]);
  }
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    for (const child of children.get(queue.shift()!) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

/**
 * Kills a child's process group and every process started below it, in whatever group: the CLI starts
 * each plugin (the dynamic provider hosts) in a process group of its own, which a signal to the CLI's
 * group does not reach.
 */
function killTree(
  child: ChildProcess,
  signal: NodeJS.Signals,
  below = child.pid ? descendants(child.pid) : [],
): void {
  killGroup(child, signal);
  for (const pid of below) {
    for (const target of [-pid, pid]) {
      try {
        process.kill(target, signal);
      } catch {
        // ESRCH: not a group leader, or gone already.
      }
    }
  }
}

process.on("exit", () => {
  for (const child of liveGroups) killGroup(child, "SIGKILL");
});

/** Stops a process group (and what it started in groups of their own): SIGTERM, then SIGKILL after a grace period. */
async function stopGroup(child: ChildProcess): Promise<void> {
  const below = child.pid ? descendants(child.pid) : [];
  killGroup(child, "SIGTERM");
  if (child.exitCode === null && child.signalCode === null) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        killGroup(child, "SIGKILL");
        resolve();
      }, killGraceMs);
      child.once("exit", () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
  // Members of the group, and plugins in groups of their own, may outlive the leader.
  killTree(child, "SIGKILL", below);
  liveGroups.delete(child);
}

function tryParseJson(text: string): unknown {
  const trimmed = text.trim();
  if (trimmed === "") return undefined;
  try {
    return JSON.parse(trimmed);
  } catch {
    return undefined;
  }
}

/** Finds the nearest `node_modules` folder at or above `dir`. */
function findNodeModules(dir: string): string {
  for (let current = path.resolve(dir); ; current = path.dirname(current)) {
    const candidate = path.join(current, "node_modules");
    if (fs.existsSync(candidate)) return candidate;
    if (path.dirname(current) === current) {
      throw new Error(`no node_modules at or above ${dir}`);
    }
  }
}

/**
 * Makes `target` a `node_modules` folder whose entries link to those of `source`. A project with its own
 * `components/` gets no providers package: the program builds its own from the project's sources on its
 * first run (and the provider host rebuilds it when they change); a fixture that runs components/ of
 * the repository in place links the repository's.
 */
function linkNodeModules(source: string, target: string, ownProviders: boolean): void {
  const real = fs.realpathSync(source);
  fs.mkdirSync(target);
  for (const entry of fs.readdirSync(real)) {
    if (entry === "@arrakis" && ownProviders) continue;
    fs.symlinkSync(path.join(real, entry), path.join(target, entry));
  }
}

/**
 * One stack of one program in an isolated Pulumi world. Create with {@link PulumiStack.create},
 * always {@link PulumiStack.cleanup} (kills children, removes the temp folder).
 */
export class PulumiStack {
  /** The engine used. */
  readonly engine: EngineLocation;
  /** Temp root holding the project copy, PULUMI_HOME and the backend. */
  readonly workDir: string;
  /** The project folder the CLI runs in (a copy of the program). */
  readonly projectDir: string;
  /** The isolated PULUMI_HOME. */
  readonly pulumiHome: string;
  /** The backend URL: the temp folder's file backend (`file://…`) unless the options gave one. */
  readonly backendUrl: string;
  readonly stackName: string;
  private readonly env: NodeJS.ProcessEnv;
  private readonly timeoutMs: number;
  private readonly children = new Set<ChildProcess>();

  private constructor(engine: EngineLocation, workDir: string, options: PulumiStackOptions) {
    this.engine = engine;
    this.workDir = workDir;
    this.projectDir = path.join(workDir, "project");
    this.pulumiHome = path.join(workDir, "pulumi-home");
    this.backendUrl = options.backendUrl ?? `file://${path.join(workDir, "state")}`;
    this.stackName = options.stackName ?? "test";
    this.timeoutMs = options.timeoutMs ?? defaultTimeoutMs;
    const inherited: NodeJS.ProcessEnv = {};
    for (const [key, value] of Object.entries(process.env)) {
      // Nothing from a developer's own Pulumi setup (tokens, backends, homes) leaks into tests.
      if (!key.startsWith("PULUMI_")) inherited[key] = value;
    }
    this.env = {
      ...inherited,
      PATH: `${engine.binDir}${path.delimiter}${process.env.PATH ?? ""}`,
      PULUMI_HOME: this.pulumiHome,
      PULUMI_CONFIG_PASSPHRASE: options.passphrase ?? "arrakis-engine-tests",
      PULUMI_SKIP_UPDATE_CHECK: "true",
      // Every plugin is local (launchers next to `pulumi`): never try to download one.
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
      NO_COLOR: "1",
      ...options.env,
    };
  }

  /** Creates the temp world, logs in to the file backend, inits the stack and sets its config. */
  static async create(options: PulumiStackOptions): Promise<PulumiStack> {
    const engine = requireEngine();
    const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "arrakis-pulumi-"));
    const stack = new PulumiStack(engine, workDir, options);
    try {
      fs.mkdirSync(stack.pulumiHome);
      fs.mkdirSync(path.join(workDir, "state"));
      fs.cpSync(options.programDir, stack.projectDir, {
        recursive: true,
        filter: (src) => {
          const base = path.basename(src);
          // Stack files of the source would configure other stacks; node_modules is linked below.
          return base !== "node_modules" && base !== ".git" && !/^Pulumi\..+\.yaml$/.test(base);
        },
      });
      linkNodeModules(
        findNodeModules(options.programDir),
        path.join(stack.projectDir, "node_modules"),
        fs.existsSync(path.join(stack.projectDir, "components")),
      );
      await stack.mustRun([
        "plugin",
        "install",
        "resource",
        "command",
        engine.commandPlugin.version,
        "--file",
        engine.commandPlugin.path,
      ]);
      await stack.mustRun(["login", stack.backendUrl]);
      if (options.existingStack) {
        const { stackFile } = options.existingStack;
        if (stackFile)
          fs.copyFileSync(stackFile, path.join(stack.projectDir, `Pulumi.${stack.stackName}.yaml`));
        await stack.mustRun(["stack", "select", stack.stackName]);
      } else {
        await stack.mustRun(["stack", "init", stack.stackName]);
      }
      for (const [key, value] of Object.entries(options.config ?? {})) {
        await stack.setConfig(key, value);
      }
      for (const [key, value] of Object.entries(options.secretConfig ?? {})) {
        await stack.setConfig(key, value, { secret: true });
      }
      return stack;
    } catch (err) {
      await stack.cleanup();
      throw err;
    }
  }

  /**
   * A stack of a fixture that runs in place: the project is a wrapper whose index.ts requires the
   * fixture's, so the fixture's relative imports (of components/) resolve in the repository, and the
   * repository's providers package serves it.
   */
  static async inPlace(
    fixtureDir: string,
    options: Omit<PulumiStackOptions, "programDir">,
  ): Promise<PulumiStack> {
    const wrapper = fs.mkdtempSync(path.join(os.tmpdir(), "arrakis-fixture-"));
    try {
      fs.copyFileSync(path.join(fixtureDir, "Pulumi.yaml"), path.join(wrapper, "Pulumi.yaml"));
      fs.writeFileSync(
        path.join(wrapper, "index.ts"),
        `// Runs ${fixtureDir} in place.\nmodule.exports = require(${JSON.stringify(fixtureDir)});\n`,
      );
      const modules = findNodeModules(fixtureDir);
      fs.symlinkSync(modules, path.join(wrapper, "node_modules"), "dir");
      // The repository's tsconfig.json, as a project has: ts-node then transpiles only (its ts-node
      // section), instead of type-checking components/ on every run (npm run lint type-checks).
      fs.copyFileSync(path.join(path.dirname(modules), "tsconfig.json"), path.join(wrapper, "tsconfig.json"));
      return await PulumiStack.create({ ...options, programDir: wrapper });
    } finally {
      fs.rmSync(wrapper, { recursive: true, force: true });
    }
  }

  /** Runs `pulumi <args> --non-interactive` (plus `--stack` for stack commands). */
  async run(args: string[], options: RunOptions = {}): Promise<PulumiResult> {
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    const started = Date.now();
    const fullArgs = [...args, "--non-interactive", "--color", "never"];
    if (options.json) fullArgs.push("--json");
    const child = spawn(this.engine.pulumiPath, fullArgs, {
      cwd: this.projectDir,
      env: this.env,
      detached: true,
      stdio: ["pipe", "pipe", "pipe"],
    });
    liveGroups.add(child);
    this.children.add(child);
    let stdout = "";
    let stderr = "";
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr?.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.stdin?.on("error", () => undefined);
    child.stdin?.end(options.stdin ?? "");
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      void stopGroup(child);
    }, timeoutMs);
    const killNow = () => killTree(child, "SIGKILL");
    if (options.signal?.aborted) killNow();
    options.signal?.addEventListener("abort", killNow, { once: true });
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once("error", reject);
      child.once("close", (exitCode) => resolve(exitCode));
    }).finally(() => {
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", killNow);
    });
    await stopGroup(child);
    this.children.delete(child);
    return {
      args: fullArgs,
      code,
      stdout,
      stderr,
      json: options.json ? tryParseJson(stdout) : undefined,
      timedOut,
      durationMs: Date.now() - started,
    };
  }

  /** Like {@link run}, but throws (with the CLI's output) unless the command exits 0. */
  async mustRun(args: string[], options: RunOptions = {}): Promise<PulumiResult> {
    const result = await this.run(args, options);
    if (result.code !== 0) {
      throw new Error(
        `pulumi ${args.join(" ")} exited ${result.code}${result.timedOut ? " (timed out)" : ""}\n` +
          `--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`,
      );
    }
    return result;
  }

  /** Sets stack config; the value goes through stdin, never the command line. */
  async setConfig(key: string, value: string, options: { secret?: boolean } = {}): Promise<void> {
    const args = ["config", "set", key, "--stack", this.stackName];
    if (options.secret) args.push("--secret");
    await this.mustRun(args, { stdin: value });
  }

  /** `pulumi up --yes --skip-preview`. */
  up(extraArgs: string[] = [], options: RunOptions = {}): Promise<PulumiResult> {
    return this.run(["up", "--yes", "--skip-preview", "--stack", this.stackName, ...extraArgs], options);
  }

  /** `pulumi preview`. */
  preview(extraArgs: string[] = [], options: RunOptions = {}): Promise<PulumiResult> {
    return this.run(["preview", "--stack", this.stackName, ...extraArgs], options);
  }

  /** `pulumi refresh --yes --skip-preview`. */
  refresh(extraArgs: string[] = [], options: RunOptions = {}): Promise<PulumiResult> {
    return this.run(["refresh", "--yes", "--skip-preview", "--stack", this.stackName, ...extraArgs], options);
  }

  /** `pulumi destroy --yes --skip-preview`. */
  destroy(extraArgs: string[] = [], options: RunOptions = {}): Promise<PulumiResult> {
    return this.run(["destroy", "--yes", "--skip-preview", "--stack", this.stackName, ...extraArgs], options);
  }

  /** The stack's outputs (`pulumi stack output --json`); secrets shown only when asked. */
  async outputs(options: { showSecrets?: boolean } = {}): Promise<Record<string, unknown>> {
    const args = ["stack", "output", "--stack", this.stackName];
    if (options.showSecrets) args.push("--show-secrets");
    const result = await this.mustRun(args, { json: true });
    return (result.json ?? {}) as Record<string, unknown>;
  }

  /** The stack's checkpoint (`pulumi stack export`), as the engine stored it. */
  async exportState(): Promise<{ deployment: { resources?: Array<Record<string, unknown>> } }> {
    const result = await this.mustRun(["stack", "export", "--stack", this.stackName]);
    return JSON.parse(result.stdout) as { deployment: { resources?: Array<Record<string, unknown>> } };
  }

  /** Kills what this stack still has running and removes the temp world. */
  async cleanup(): Promise<void> {
    await Promise.all([...this.children].map((child) => stopGroup(child)));
    this.children.clear();
    fs.rmSync(this.workDir, { recursive: true, force: true });
  }
}
