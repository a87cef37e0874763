/**
 * `npm run rollback -- --stack <name> [--to <dep-…|commit>] [--list] [--cwd <project folder>]`: the
 * dashboard's "Rollback" for a stack's web service, through Render's API (`POST /services/{id}/rollback`).
 * Without `--to`, the last successful deploy of another commit before the live one; `--list` shows the
 * candidates (id, commit, when, how each started) and changes nothing. It waits for the rollback deploy to
 * go live, probes the health check path, then pins the rolled-back commit in the stack's config
 * (`arrakis:deploy.commit`, `pulumi config set --path`) and says so: the next preview is clean and a
 * plain `pulumi up` keeps that commit. Auto-deploy is not touched (the stack keeps it off).
 *
 * Bad input stops it before any write, with one message: a bad `--to`, an unknown deploy id, a commit
 * never deployed (or never live), a suspended service, an unknown stack; Render's refusal of a deploy
 * whose build it no longer keeps changes nothing either. Exit 0 on success, 1 otherwise.
 *
 * The stack is reached as `npm run drift` does (tools/pulumiBin.ts): the caller's own Pulumi setup, the
 * API URL and key from the stack's config (`render:apiUrl`, `render:apiKey`). `--stack local` is the local
 * stack (tools/localStack.ts): the emulator started for the command (or the one running) and stopped after.
 */
import * as path from "node:path";
import { RenderClient } from "../components/render";
import { parseFlags } from "./cliFlags";
import { localStackName, withLocalStack } from "./localStack";
import { findPulumi, runPulumi, type PulumiRunner } from "./pulumiBin";
import { RollbackError, checkTarget, rollback, type StackAccess } from "./rollbackCore";

const usage =
  "usage: npm run rollback -- --stack <name> [--to <dep-…|commit SHA>] [--list] [--cwd <Pulumi project folder>]";

/** The stack through the `pulumi` CLI. */
function cliStack(
  runner: PulumiRunner,
  cwd: string,
  name: string,
): StackAccess & {
  config(key: string): Promise<string | undefined>;
} {
  const run = (args: string[]) => runPulumi(runner, cwd, [...args, "--stack", name]);
  return {
    name,
    async outputs() {
      const outcome = await run(["stack", "output", "--json"]);
      if (outcome.code !== 0) {
        const why = outcome.stderr.trim().split("\n").pop() ?? `exit ${outcome.code}`;
        throw new RollbackError(
          /no stack named|could not find stack|stack .* not found/i.test(outcome.stderr)
            ? `unknown stack ${name}: ${why} (\`pulumi stack ls\` lists the stacks of your backend)`
            : `could not read the outputs of stack ${name}: ${why}`,
        );
      }
      return JSON.parse(outcome.stdout) as Record<string, unknown>;
    },
    async config(key) {
      const outcome = await run(["config", "get", key, "--json"]);
      if (outcome.code !== 0) return undefined;
      const value = (JSON.parse(outcome.stdout) as { value?: unknown }).value;
      return typeof value === "string" ? value : undefined;
    },
    async pinCommit(commit) {
      const args = ["config", "set", "--path", "arrakis:deploy.commit", commit];
      const outcome = await run(args);
      if (outcome.code !== 0)
        throw new RollbackError(
          `the rollback is live, but pinning its commit failed: ${outcome.stderr.trim()}. Pin it yourself: ` +
            `\`pulumi ${args.join(" ")} --stack ${name}\`, or a plain \`pulumi up\` deploys the old commit again`,
        );
      return `pulumi ${args.join(" ")} --stack ${name}`;
    },
  };
}

async function main(argv: string[]): Promise<number> {
  const flags = parseFlags(argv, { values: ["--stack", "--to", "--cwd"], booleans: ["--list"] });
  if (typeof flags["--stack"] !== "string") throw new RollbackError(`--stack is required\n${usage}`);
  const stack = flags["--stack"];
  const to = typeof flags["--to"] === "string" ? flags["--to"] : undefined;
  const list = flags["--list"] === true;
  if (list && to !== undefined) throw new RollbackError("--list and --to do not go together");
  checkTarget(to);
  const cwd =
    typeof flags["--cwd"] === "string"
      ? path.resolve(process.env.INIT_CWD ?? process.cwd(), flags["--cwd"])
      : path.resolve(__dirname, "..");
  const say = (line: string) => process.stdout.write(`${line}\n`);
  if (stack === localStackName)
    return withLocalStack(cwd, { emulator: true, needsState: true }, (local) => {
      const client = new RenderClient({ apiKey: local.emulator!.apiKey, baseUrl: local.emulator!.url });
      return rollback(client, cliStack(local.findPulumi(), cwd, stack), { to, list }, say);
    });
  const access = cliStack(findPulumi(), cwd, stack);
  // The outputs first: an unknown stack is said as such, before its config is looked for.
  const outputs = await access.outputs();
  const apiKey = process.env.RENDER_API_KEY || (await access.config("render:apiKey"));
  if (!apiKey)
    throw new RollbackError(
      `stack ${stack} has no render:apiKey: \`pulumi config set --secret render:apiKey <key> --stack ${stack}\``,
    );
  const baseUrl = (await access.config("render:apiUrl")) ?? "https://api.render.com/v1";
  return rollback(
    new RenderClient({ apiKey, baseUrl }),
    { ...access, outputs: () => Promise.resolve(outputs) },
    { to, list },
    say,
  );
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`npm run rollback: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
