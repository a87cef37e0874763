/**
 * `npm run local [-- <pulumi command> [args…]]`: the whole program against the Render API emulator.
 *
 * 1. builds the Pulumi engine if needed (tools/pulumi-engine/build.sh; fast when the cache is warm);
 * 2. starts the emulator on 127.0.0.1:10000 with the `local` stack's key and workspace, its state
 *    (and its databases' data) persisted in `.local/emulator`, so runs build on each other;
 * 3. runs the real `pulumi` CLI on the `local` stack (default command `up --yes`), with a file backend
 *    in `.local/state` and Pulumi's own output on this terminal.
 *
 * The language host binary cannot be built here (tools/pulumi-engine/README.md), so the program is
 * served to the CLI through its `--client` flag by tools/pulumi-engine/programHost.ts.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { startEmulator, type TimingsOption } from "../emulator";
import { localPulumiArgs } from "./localArgs";

const repo = path.resolve(__dirname, "..");
const localDir = path.join(repo, ".local");
const programCommands = new Set(["up", "preview", "refresh", "destroy", "update"]);

/** The local stack's emulator settings, read from Pulumi.local.yaml so the two cannot disagree. */
function localStackSettings(): { port: number; apiKey: string; ownerId: string } {
  const doc = parse(fs.readFileSync(path.join(repo, "Pulumi.local.yaml"), "utf8")) as {
    config: Record<string, string>;
  };
  const url = new URL(doc.config["render:apiUrl"]);
  return {
    port: Number(url.port),
    apiKey: doc.config["render:apiKey"],
    ownerId: doc.config["render:ownerId"],
  };
}

function buildEngine(): string {
  const build = spawnSync("bash", [path.join(repo, "tools", "pulumi-engine", "build.sh")], {
    stdio: ["ignore", "pipe", "inherit"],
    encoding: "utf8",
  });
  if (build.status !== 0) throw new Error("could not build the Pulumi engine (see the output above)");
  return build.stdout.trim().split("\n").pop() as string;
}

function pulumiEnv(binDir: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PATH: `${binDir}${path.delimiter}${process.env.PATH ?? ""}`,
    PULUMI_HOME: path.join(localDir, "pulumi-home"),
    PULUMI_BACKEND_URL: `file://${path.join(localDir, "state")}`,
    // The local stack's secrets protect placeholders only; a real stack uses its own passphrase.
    PULUMI_CONFIG_PASSPHRASE: process.env.PULUMI_CONFIG_PASSPHRASE ?? "arrakis-local",
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
  };
}

function pulumi(binDir: string, env: NodeJS.ProcessEnv, args: string[], quiet = false) {
  return spawnSync(path.join(binDir, "pulumi"), [...args, "--non-interactive"], {
    cwd: repo,
    env,
    stdio: quiet ? "pipe" : "inherit",
    encoding: "utf8",
  });
}

/** Starts the program host and resolves with its port. */
function startProgramHost(env: NodeJS.ProcessEnv): Promise<{ host: ChildProcess; port: number }> {
  const host = spawn(
    process.execPath,
    [
      "--require",
      require.resolve("tsx/cjs"),
      path.join(repo, "tools", "pulumi-engine", "programHost.ts"),
      repo,
    ],
    { cwd: repo, env, stdio: ["pipe", "pipe", "inherit"] },
  );
  return new Promise((resolve, reject) => {
    let out = "";
    host.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
      out += chunk;
      const line = out.split("\n")[0];
      if (out.includes("\n")) resolve({ host, port: Number(line.trim()) });
    });
    host.once("exit", (code) => reject(new Error(`the program host exited (${code}) before listening`)));
  });
}

async function main(): Promise<number> {
  const args = localPulumiArgs(process.argv.slice(2));
  const command = args[0];
  const binDir = buildEngine();
  const settings = localStackSettings();
  const timings = (process.env.EMULATOR_TIMINGS ?? "fast") as TimingsOption;
  const emulator = await startEmulator({
    port: settings.port,
    apiKey: settings.apiKey,
    ownerId: settings.ownerId,
    stateDir: path.join(localDir, "emulator"),
    timings,
  });
  process.stderr.write(
    `Render API emulator: ${emulator.url} (state in .local/emulator, timings ${timings})\n`,
  );
  const env = pulumiEnv(binDir);
  try {
    fs.mkdirSync(path.join(localDir, "state"), { recursive: true });
    if (pulumi(binDir, env, ["stack", "select", "local", "--create"], true).status !== 0)
      throw new Error("could not select the local stack");
    if (pulumi(binDir, env, ["config", "get", "arrakis:openaiApiKey", "--stack", "local"], true).status !== 0)
      pulumi(binDir, env, [
        "config",
        "set",
        "--secret",
        "arrakis:openaiApiKey",
        "sk-local-placeholder",
        "--stack",
        "local",
      ]);
    let host: { host: ChildProcess; port: number } | undefined;
    if (programCommands.has(command)) host = await startProgramHost(env);
    try {
      // Asynchronously: the emulator answers the CLI's providers from this very process.
      const cli = spawn(
        path.join(binDir, "pulumi"),
        [...args, "--stack", "local", ...(host ? [`--client=127.0.0.1:${host.port}`] : [])],
        { cwd: repo, env, stdio: "inherit" },
      );
      return await new Promise<number>((resolve, reject) => {
        cli.once("error", reject);
        cli.once("exit", (code) => resolve(code ?? 1));
      });
    } finally {
      host?.host.kill("SIGTERM");
    }
  } finally {
    await emulator.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`npm run local: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
