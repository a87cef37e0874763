/**
 * `npm run db:backup -- --stack <name> [--out <folder>] [--cwd <Pulumi project folder>]`: a backup of the
 * stack's database, made by Render (a logical export), downloaded, checked and kept on this machine
 * (tools/dbBackupRun.ts). Prints the file, its size, its tables and the export's expiry on Render on stdout;
 * progress on stderr.
 *
 * The file goes to `--out` (a folder, created 0700 when missing), by default `~/.cache/arrakis/backups/<stack>`
 * (tools/dbBackupFiles.ts); never inside a checkout: `--out` there is refused before anything runs.
 * The stack is read as tools/dbStack.ts says: `--stack local` starts (or reuses) the local stack's emulator;
 * any other stack uses the caller's Pulumi setup (backend, passphrase or token), as `pulumi` would.
 *
 * Exit 0: the backup is written and checked. 1: no backup (the reason on stderr; no file left). 130/143:
 * interrupted (Ctrl-C, SIGTERM); the temp file is removed.
 */
import * as path from "node:path";
import { parseFlags } from "./cliFlags";
import { checkOutDir, defaultOutDir, discardPendingFiles } from "./dbBackupFiles";
import { backupDatabase, formatBackupReport } from "./dbBackupRun";
import { withDbStack } from "./dbStack";

const usage = "usage: npm run db:backup -- --stack <name> [--out <folder>] [--cwd <Pulumi project folder>]";

async function main(argv: string[]): Promise<number> {
  let stack: string;
  let cwd = path.resolve(__dirname, "..");
  let outDir: string;
  try {
    const flags = parseFlags(argv, { values: ["--stack", "--out", "--cwd"], booleans: [] });
    if (typeof flags["--stack"] !== "string") throw new Error("--stack is required");
    stack = flags["--stack"];
    // npm runs scripts in the package folder; a relative path is the caller's (INIT_CWD).
    const callerDir = process.env.INIT_CWD ?? process.cwd();
    if (typeof flags["--cwd"] === "string") cwd = path.resolve(callerDir, flags["--cwd"]);
    outDir = checkOutDir(
      typeof flags["--out"] === "string" ? path.resolve(callerDir, flags["--out"]) : defaultOutDir(stack),
      cwd,
    );
  } catch (err) {
    process.stderr.write(`npm run db:backup: ${(err as Error).message}\n${usage}\n`);
    return 1;
  }

  // Ctrl-C: the temp file goes at once (synchronously: the local stack's own handler, registered after this
  // one, may exit the process once its emulator is stopped), then the wait or download is aborted.
  const controller = new AbortController();
  let interrupted: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    interrupted ??= signal;
    discardPendingFiles();
    controller.abort(new Error(`${signal}: interrupted`));
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    const result = await withDbStack({ stack, cwd }, (db) =>
      backupDatabase({
        client: db.client,
        databaseId: db.databaseId,
        stack,
        outDir,
        signal: controller.signal,
      }),
    );
    process.stdout.write(formatBackupReport(result));
    return 0;
  } catch (err) {
    discardPendingFiles();
    if (interrupted) {
      process.stderr.write(`npm run db:backup: ${interrupted}: stopped; no backup written\n`);
      return interrupted === "SIGINT" ? 130 : 143;
    }
    process.stderr.write(`Backup of stack ${stack} failed: ${(err as Error).message}\n`);
    return 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`npm run db:backup: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
