/**
 * The `local` stack's setup, one place for every command that acts on it: `npm run local`, and
 * `npm run drift`, `dev-env` and `preview-stack` with `--stack local`.
 *
 * - Its Render API is the emulator at the `render:apiUrl` of the project's Pulumi.local.yaml, with that
 *   file's key and workspace, its state (and its databases' data) persisted in `<project>/.local/emulator`.
 *   {@link withLocalStack} starts it when nothing listens there and stops it when the command ends, also on
 *   an error or Ctrl-C. An emulator already listening there with the same key, workspace and state folder
 *   (another `npm run local`, or `npm run emulator -- --state-dir .local/emulator …`) is used as it is and
 *   left running: only one process can listen on that port, two emulators must never share
 *   `.local/emulator` (both would write its state file and open its databases' data), and one that someone
 *   started is theirs to stop. Anything else on that port is an error naming it, before anything runs.
 * - Its Pulumi setup: the file backend in `<project>/.local/state`, PULUMI_HOME `<project>/.local/pulumi-home`,
 *   the passphrase `arrakis-local` (or the caller's PULUMI_CONFIG_PASSPHRASE), and the emulator's CA trusted
 *   (PGSSLROOTCERT, NODE_EXTRA_CA_CERTS), so nothing needs setting by hand.
 *
 * The project folder is the repository, or the one a tool's `--cwd` names: a copy of the project has a
 * local stack of its own (the engine tests run on copies, never on a developer's `.local`).
 */
import type { ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import { constants } from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { databaseTrustEnv, startEmulator, type TimingsOption } from "../emulator";
import { findPulumi, type PulumiRunner } from "./pulumiBin";

/** The stack name that selects the local setup in `drift`, `dev-env` and `preview-stack`. */
export const localStackName = "local";

/** The local stack's emulator settings, read from Pulumi.local.yaml so the two cannot disagree. */
export interface LocalSettings {
  /** `render:apiUrl`, e.g. `http://127.0.0.1:10000/v1`. */
  apiUrl: string;
  port: number;
  apiKey: string;
  ownerId: string;
}

export function localStackSettings(projectDir: string): LocalSettings {
  const file = path.join(projectDir, "Pulumi.local.yaml");
  if (!fs.existsSync(file)) throw new Error(`no local stack file at ${file}`);
  const doc = parse(fs.readFileSync(file, "utf8")) as { config?: Record<string, unknown> } | null;
  const config = doc?.config ?? {};
  const missing = ["render:apiUrl", "render:apiKey", "render:ownerId"].filter(
    (key) => typeof config[key] !== "string" || config[key] === "",
  );
  if (missing.length) throw new Error(`${file} has no ${missing.join(", ")}`);
  const apiUrl = config["render:apiUrl"] as string;
  return {
    apiUrl,
    port: Number(new URL(apiUrl).port),
    apiKey: config["render:apiKey"] as string,
    ownerId: config["render:ownerId"] as string,
  };
}

/** The folder of the local stack's state: `<project>/.local`. */
export function localDir(projectDir: string): string {
  return path.join(projectDir, ".local");
}

/** The Pulumi environment of every command of the local stack (backend, home, passphrase). */
export function localPulumiEnv(projectDir: string, base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const dir = localDir(projectDir);
  return {
    ...base,
    PULUMI_HOME: path.join(dir, "pulumi-home"),
    PULUMI_BACKEND_URL: `file://${path.join(dir, "state")}`,
    // The local stack's secrets protect placeholders only; a real stack uses its own passphrase.
    PULUMI_CONFIG_PASSPHRASE: base.PULUMI_CONFIG_PASSPHRASE ?? "arrakis-local",
  };
}

/** The emulator a local command talks to. */
export interface LocalEmulator {
  url: string;
  apiKey: string;
  ownerId: string;
  caCertFile: string;
  /** True when it was already running (it is left running). */
  reused: boolean;
}

/** The local stack, ready for a command. */
export interface LocalStack {
  projectDir: string;
  settings: LocalSettings;
  /** The emulator; undefined for a command that reads the state only. */
  emulator?: LocalEmulator;
  /** The environment of the `pulumi` commands (the Pulumi setup above, the emulator's CA trusted). */
  env: NodeJS.ProcessEnv;
  /** Finds the `pulumi` to run, as {@link findPulumi}, in this environment; its commands are tracked. */
  findPulumi(log?: (line: string) => void): PulumiRunner;
  /** Tracks a command started here: on Ctrl-C the emulator serves it until it ends. */
  track(child: ChildProcess): void;
}

/** Options of {@link withLocalStack}. */
export interface LocalStackOptions {
  /** Start (or reuse) the emulator: false for a command that only reads the state (dev-env). */
  emulator: boolean;
  /** The command reads the local stack (drift, dev-env): without its state folder, say how to make it. */
  needsState?: boolean;
  /** Where progress lines go (stderr by default). */
  log?: (line: string) => void;
}

type Probe = { kind: "free" } | { kind: "emulator"; caCertFile: string } | { kind: "other"; what: string };

/** What listens at the local stack's API URL: nothing, the local stack's emulator, or something else. */
async function probe(settings: LocalSettings): Promise<Probe> {
  let answer: Response;
  try {
    answer = await fetch(`${settings.apiUrl}/owners/${settings.ownerId}`, {
      headers: { authorization: `Bearer ${settings.apiKey}`, accept: "application/json" },
      signal: AbortSignal.timeout(10_000),
    });
  } catch (err) {
    const code = ((err as Error).cause as NodeJS.ErrnoException | undefined)?.code;
    if (code === "ECONNREFUSED") return { kind: "free" };
    return { kind: "other", what: `it does not answer (${code ?? (err as Error).message})` };
  }
  await answer.arrayBuffer();
  if (answer.status !== 200)
    return {
      kind: "other",
      what: `it answered ${answer.status} to the local stack's key and workspace (${settings.ownerId})`,
    };
  const ca = await fetch(new URL("/_emulator/ca", settings.apiUrl), { signal: AbortSignal.timeout(10_000) })
    .then(async (r) => (r.status === 200 ? ((await r.json()) as { file?: unknown }) : undefined))
    .catch(() => undefined);
  if (typeof ca?.file !== "string")
    return { kind: "other", what: "it is not a Render API emulator (no /_emulator/ca)" };
  return { kind: "emulator", caCertFile: ca.file };
}

function sameFile(a: string, b: string): boolean {
  try {
    return fs.realpathSync(a) === fs.realpathSync(b);
  } catch {
    return false;
  }
}

/**
 * Runs `command` with the local stack: the emulator started (or reused, see above) and its environment;
 * afterwards the emulator it started is stopped, whether `command` succeeded, failed or was interrupted.
 *
 * Ctrl-C reaches the `pulumi` commands as it does when a user runs them (the terminal sends it to all);
 * the emulator keeps answering them until they have ended, then stops, and the process exits 130 (143 on
 * SIGTERM, which is passed on to them: it may have been sent to this process alone).
 */
export async function withLocalStack<T>(
  projectDir: string,
  options: LocalStackOptions,
  command: (local: LocalStack) => Promise<T>,
): Promise<T> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const settings = localStackSettings(projectDir);
  const dir = localDir(projectDir);
  const stateDir = path.join(dir, "emulator");
  if (options.needsState && !fs.existsSync(path.join(dir, "state")))
    throw new Error(
      `the local stack has no state yet (${path.join(dir, "state")}): \`npm run local\` makes it`,
    );
  let emulator: LocalEmulator | undefined;
  let close = async () => undefined as void;
  const running = new Set<ChildProcess>();
  let stopping: NodeJS.Signals | undefined;
  // Until the emulator has started, a signal only stops what comes after.
  let started = false;

  const stop = () =>
    close().catch((err: unknown) => log(`could not stop the emulator: ${(err as Error).message}`));
  const finish = (signal: NodeJS.Signals) =>
    void stop().finally(() => process.exit(128 + constants.signals[signal]));
  const onSignal = (signal: NodeJS.Signals) => {
    if (signal === "SIGTERM") for (const child of running) child.kill("SIGTERM");
    if (stopping) return;
    stopping = signal;
    if (running.size === 0 && started) finish(signal);
    else if (emulator && !emulator.reused) log(`${signal}: the emulator stops once pulumi has ended`);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    if (options.emulator) {
      const timings = (process.env.EMULATOR_TIMINGS ?? "fast") as TimingsOption;
      const found = await probe(settings);
      if (found.kind === "other")
        throw new Error(
          `${settings.apiUrl} (render:apiUrl of Pulumi.local.yaml) is taken, but not by the local stack's ` +
            `emulator: ${found.what}. Stop what listens on port ${settings.port} and run this again`,
        );
      if (found.kind === "emulator") {
        if (!sameFile(found.caCertFile, path.join(stateDir, "tls", "ca.crt")))
          throw new Error(
            `the emulator at ${settings.apiUrl} keeps its state elsewhere (its CA is ${found.caCertFile}), ` +
              `not in ${path.relative(projectDir, stateDir)}: stop it, or start it with --state-dir ${stateDir}`,
          );
        emulator = {
          url: settings.apiUrl,
          apiKey: settings.apiKey,
          ownerId: settings.ownerId,
          caCertFile: found.caCertFile,
          reused: true,
        };
        log(
          `Render API emulator: ${emulator.url} (already running, with its state in .local/emulator: left running)`,
        );
      } else {
        const emu = await startEmulator({
          port: settings.port,
          apiKey: settings.apiKey,
          ownerId: settings.ownerId,
          stateDir,
          timings,
        });
        close = () => emu.close();
        emulator = {
          url: emu.url,
          apiKey: emu.apiKey,
          ownerId: emu.ownerId,
          caCertFile: emu.caCertFile,
          reused: false,
        };
        log(`Render API emulator: ${emu.url} (state in .local/emulator, timings ${timings})`);
      }
    }
    started = true;
    if (stopping) throw new Error(`${stopping} before pulumi started`);
    const env = {
      ...localPulumiEnv(projectDir, process.env),
      // The emulator's databases speak TLS with certificates of its own CA: the program's connections
      // (the extension, migrations) trust it through PGSSLROOTCERT, as a user's would (README).
      ...(emulator ? databaseTrustEnv(emulator) : {}),
    };
    const track = (child: ChildProcess) => {
      if (stopping) child.kill("SIGTERM");
      running.add(child);
      child.once("exit", () => {
        running.delete(child);
        if (stopping && running.size === 0) finish(stopping);
      });
    };
    return await command({
      projectDir,
      settings,
      emulator,
      env,
      track,
      findPulumi: (pulumiLog) => ({ ...findPulumi(env, pulumiLog), onSpawn: track }),
    });
  } finally {
    await stop();
    if (stopping) process.exit(128 + constants.signals[stopping]);
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}
