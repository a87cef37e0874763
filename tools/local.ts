/**
 * `npm run local [-- <pulumi command> [args…]]`: the whole program against the Render API emulator.
 *
 * 1. finds the `pulumi` to run: an official install on PATH (v3.248.0 or newer, with its Node language
 *    host), else the engine, language host and command plugin built by tools/pulumi-engine/build.sh
 *    (fast when the cache is warm); `ARRAKIS_PULUMI=build` or `ARRAKIS_PULUMI=path` forces either;
 * 2. starts the emulator on 127.0.0.1:10000 with the `local` stack's key and workspace, its state
 *    (and its databases' data) persisted in `.local/emulator`, so runs build on each other (or uses
 *    the one already running there with that state: tools/localStack.ts, shared with the stack tools);
 * 3. runs `pulumi <command> --stack local` in the project folder (default command `up --yes`), as a
 *    user types it, with a file backend in `.local/state` and Pulumi's own output on this terminal;
 *    then stops the emulator it started, also after an error or Ctrl-C.
 */
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { localPulumiArgs } from "./localArgs";
import { localDir, withLocalStack } from "./localStack";

const repo = path.resolve(__dirname, "..");

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
  return withLocalStack(repo, { emulator: true }, async (local) => {
    // The built engine installs its command plugin into PULUMI_HOME, the local stack's own.
    const found = local.findPulumi((line) =>
      process.stderr.write(`${line}; ARRAKIS_PULUMI=build or =path forces either\n`),
    );
    const env = found.env;
    const binDir = found.choice.dir;
    fs.mkdirSync(path.join(localDir(repo), "state"), { recursive: true });
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
    const cli = spawn(found.pulumiPath, [...args, "--stack", "local"], {
      cwd: repo,
      env,
      stdio: "inherit",
    });
    local.track(cli);
    return await new Promise<number>((resolve, reject) => {
      cli.once("error", reject);
      cli.once("exit", (code) => resolve(code ?? 1));
    });
  });
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`npm run local: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
