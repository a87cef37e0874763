/**
 * `npm run drift -- --stack <name> [--json] [--cwd <project folder>]`: is the stack on Render as the
 * program wants it? Runs `pulumi preview --refresh --json` (reads every resource from Render, compares,
 * changes nothing: neither Render nor the stack's state), then prints the report of
 * tools/driftReport.ts: per resource, each field that differs, live versus wanted, secrets as [secret].
 *
 * Exit 0: no drift. Exit 2: drift (the report says where). Exit 1: the check itself failed (bad key,
 * unreachable API, a program error…), with the reason on stderr.
 *
 * The `pulumi` run is the one `npm run local` would choose (tools/pulumiBin.ts), with the caller's own
 * Pulumi setup: the backend they are logged in to (or PULUMI_BACKEND_URL), their passphrase or token.
 * `--stack local` is the local stack as `npm run local` runs it (tools/localStack.ts): its state in
 * `.local/state`, its passphrase, and the emulator, started for the check and stopped after it.
 */
import * as path from "node:path";
import { parseFlags } from "./cliFlags";
import {
  driftExitCode,
  driftReport,
  formatDriftReport,
  previewErrors,
  type PreviewJson,
} from "./driftReport";
import { localStackName, withLocalStack } from "./localStack";
import { findPulumi, runPulumi, type PulumiOutcome, type PulumiRunner } from "./pulumiBin";

const usage = "usage: npm run drift -- --stack <name> [--json] [--cwd <Pulumi project folder>]";

function parseJson(text: string): PreviewJson | undefined {
  try {
    const doc: unknown = JSON.parse(text);
    return doc !== null && typeof doc === "object" ? (doc as PreviewJson) : undefined;
  } catch {
    return undefined;
  }
}

async function main(argv: string[]): Promise<number> {
  let stack = "";
  let json = false;
  let cwd = path.resolve(__dirname, "..");
  try {
    const flags = parseFlags(argv, { values: ["--stack", "--cwd"], booleans: ["--json"] });
    if (typeof flags["--stack"] !== "string") throw new Error("--stack is required");
    stack = flags["--stack"];
    json = flags["--json"] === true;
    if (typeof flags["--cwd"] === "string") cwd = path.resolve(process.env.INIT_CWD ?? ".", flags["--cwd"]);
  } catch (err) {
    process.stderr.write(`npm run drift: ${(err as Error).message}\n${usage}\n`);
    return driftExitCode.error;
  }

  const fail = (errors: string[]) => {
    if (json) process.stdout.write(`${JSON.stringify({ stack, status: "error", errors }, null, 2)}\n`);
    process.stderr.write(
      `Drift check of stack ${stack} failed:\n${errors.map((e) => `  ${e.replace(/\n/g, "\n  ")}`).join("\n")}\n`,
    );
    return driftExitCode.error;
  };

  // --refresh: read what is live even where Pulumi.yaml does not say `refresh: always`. A preview
  // writes nothing, the refreshed state included.
  const check = (runner: PulumiRunner) =>
    runPulumi(runner, cwd, ["preview", "--refresh", "--json", "--stack", stack]);
  let outcome: PulumiOutcome;
  try {
    outcome =
      stack === localStackName
        ? await withLocalStack(cwd, { emulator: true, needsState: true }, (local) =>
            check(local.findPulumi()),
          )
        : await check(findPulumi());
  } catch (err) {
    return fail([(err as Error).message]);
  }
  const preview = parseJson(outcome.stdout);
  if (outcome.code !== 0 || !preview) return fail(previewErrors(preview, outcome.stderr));

  const report = driftReport(stack, preview);
  process.stdout.write(json ? `${JSON.stringify(report, null, 2)}\n` : formatDriftReport(report));
  return report.status === "drift" ? driftExitCode.drift : driftExitCode.clean;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`npm run drift: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(driftExitCode.error);
  },
);
