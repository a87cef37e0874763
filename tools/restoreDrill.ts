/**
 * `npm run db:restore-drill -- --stack <name> [--at <time>] [--keep] [--cwd <project folder>]`: recovers the
 * stack's database to a point in time into a throw-away database, compares its tables and row counts with
 * what the source held, prints them, and deletes it (tools/restoreDrillRun.ts says how, and what the cost is).
 * `--keep` keeps the restored database (the incident runbook in README): it is billed until deleted.
 *
 * Exit 0: the drill passed. Exit 2: the restore differs from the source at that time. Exit 1: the drill
 * could not be made (bad input, Render refused…), with the reason on stderr. Ctrl-C (or SIGTERM) deletes the
 * drill database before the command ends (exit 130, 143); after a `kill -9`, the next drill removes it.
 */
import * as path from "node:path";
import type { ChildProcess } from "node:child_process";
import { EventEmitter } from "node:events";
import { parseFlags } from "./cliFlags";
import { withDbStack } from "./dbStack";
import { DrillAbortedError, renderClock, runRestoreDrill } from "./restoreDrillRun";

const usage =
  "usage: npm run db:restore-drill -- --stack <name> [--at <RFC 3339 time, e.g. 2026-12-05T21:30:00Z>] [--keep] [--cwd <Pulumi project folder>]";

async function main(argv: string[]): Promise<number> {
  let stack = "";
  let at: string | undefined;
  let keep = false;
  let cwd = path.resolve(__dirname, "..");
  try {
    const flags = parseFlags(argv, { values: ["--stack", "--at", "--cwd"], booleans: ["--keep"] });
    if (typeof flags["--stack"] !== "string") throw new Error("--stack is required");
    stack = flags["--stack"];
    if (typeof flags["--at"] === "string") at = flags["--at"];
    keep = flags["--keep"] === true;
    if (typeof flags["--cwd"] === "string") cwd = path.resolve(process.env.INIT_CWD ?? ".", flags["--cwd"]);
  } catch (err) {
    process.stderr.write(`npm run db:restore-drill: ${(err as Error).message}\n${usage}\n`);
    return 1;
  }
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const out = (line: string) => process.stdout.write(`${line}\n`);

  // Ctrl-C: stop waiting, delete the drill database, then end. The local stack's emulator (tools/localStack.ts)
  // keeps serving a tracked task until it has ended, as it does for its pulumi commands.
  const stop = new AbortController();
  let signalled: NodeJS.Signals | undefined;
  const task = Object.assign(new EventEmitter(), { kill: () => stop.abort() });
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) return;
    signalled = signal;
    log(`${signal}: stopping the drill; its database (if any) is deleted before the command ends`);
    stop.abort();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    const result = await withDbStack({ stack, cwd, log }, async (db) => {
      db.pulumi.onSpawn?.(task as unknown as ChildProcess);
      try {
        const clock = await renderClock(db.apiUrl);
        return await runRestoreDrill({
          client: db.client,
          databaseId: db.databaseId,
          trustEnv: db.trustEnv,
          at,
          keep,
          clock: clock.now,
          log,
          out,
          // The emulator costs nothing to ask; Render's rate limits (and a 10-minute wait) call for calm.
          pollMs: clock.emulator ? 500 : 15_000,
          signal: stop.signal,
        });
      } catch (err) {
        // Said before the task ends: on the local stack, its end lets the emulator stop and the process exit.
        if (err instanceof DrillAbortedError)
          log("Restore drill interrupted; nothing of it is left on Render.");
        throw err;
      } finally {
        task.emit("exit", 0);
      }
    });
    if (signalled) return signalled === "SIGINT" ? 130 : 143;
    return result.ok ? 0 : 2;
  } catch (err) {
    if (err instanceof DrillAbortedError) return signalled === "SIGTERM" ? 143 : 130;
    log(`npm run db:restore-drill: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`npm run db:restore-drill: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
