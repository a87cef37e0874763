/**
 * `npm run local [-- <pulumi command> [args…]]`: the whole program against the Render API emulator.
 *
 * 1. finds the `pulumi` to run: an official install on PATH (v3.248.0 or newer, with its Node language
 *    host), else the engine, language host and command plugin built by tools/pulumi-engine/build.sh
 *    (fast when the cache is warm); `ARRAKIS_PULUMI=build` or `ARRAKIS_PULUMI=path` forces either;
 * 2. starts the emulator on 127.0.0.1:10000 with the `local` stack's key and workspace, its state
 *    (and its databases' data) persisted in `.local/emulator`, so runs build on each other;
 * 3. runs `pulumi <command> --stack local` in the project folder (default command `up --yes`), as a
 *    user types it, with a file backend in `.local/state` and Pulumi's own output on this terminal.
 */
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { databaseTrustEnv, startEmulator, type TimingsOption } from "../emulator";
import { localPulumiArgs } from "./localArgs";
import { findPulumi } from "./pulumiBin";

const repo = path.resolve(__dirname, "..");
const localDir = path.join(repo, ".local");

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

/** The environment of every pulumi command of the local stack. */
function pulumiEnv(base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return {
    ...base,
    PULUMI_HOME: path.join(localDir, "pulumi-home"),
    PULUMI_BACKEND_URL: `file://${path.join(localDir, "state")}`,
    // The local stack's secrets protect placeholders only; a real stack uses its own passphrase.
    PULUMI_CONFIG_PASSPHRASE: process.env.PULUMI_CONFIG_PASSPHRASE ?? "arrakis-local",
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

async function main(): Promise<number> {
  const args = localPulumiArgs(process.argv.slice(2));
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
  // The built engine installs its command plugin into PULUMI_HOME, the local stack's own.
  const found = findPulumi(pulumiEnv(process.env), (line) =>
    process.stderr.write(`${line}; ARRAKIS_PULUMI=build or =path forces either\n`),
  );
  // The emulator's databases speak TLS with certificates of its own CA: the program's connections
  // (the extension, migrations) trust it through PGSSLROOTCERT, as a user's would (README).
  const env = { ...found.env, ...databaseTrustEnv(emulator) };
  const binDir = found.choice.dir;
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
    // Asynchronously: the emulator answers the CLI's providers from this very process.
    const cli = spawn(path.join(binDir, "pulumi"), [...args, "--stack", "local"], {
      cwd: repo,
      env,
      stdio: "inherit",
    });
    return await new Promise<number>((resolve, reject) => {
      cli.once("error", reject);
      cli.once("exit", (code) => resolve(code ?? 1));
    });
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
