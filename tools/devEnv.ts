/**
 * `npm run dev-env -- --stack <name> [--reveal] [--out <file>] [--cwd <project folder>]`: the seed's
 * Development settings (`.env.local`) for a stack, printed for the developer to redirect:
 *
 *     npm run --silent dev-env -- --stack prod --reveal > ../arrakis/.env.local
 *
 * Without `--reveal` the secrets are placeholders and nothing secret is read (`pulumi stack output
 * --json`, which masks them; it still checks the stack exists and has its database). With it, the
 * external connection string comes from `pulumi stack output --json --show-secrets`, OPENAI_API_KEY
 * from the stack's config and NEXTAUTH_SECRET is made fresh (tools/devEnvFormat.ts says why).
 *
 * It writes no file unless `--out` names one, and never one git tracks (nor over one): the file is
 * written owner-only (0600). Exit 0 on success, 1 on any error (the reason on stderr, never a value).
 *
 * `--stack local` reads the local stack as `npm run local` runs it (tools/localStack.ts): its state in
 * `.local/state` and its passphrase. It starts no emulator: stack outputs and config are read from the
 * state alone (the URL it prints answers while the local emulator runs).
 */
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { parseFlags } from "./cliFlags";
import { devEnvText, type RevealedValues } from "./devEnvFormat";
import { localStackName, withLocalStack } from "./localStack";
import { findPulumi, runPulumi, type PulumiRunner } from "./pulumiBin";

const usage =
  "usage: npm run dev-env -- --stack <name> [--reveal] [--out <file>] [--cwd <Pulumi project folder>]";

/** Why `file` must not be written, or undefined: git tracks it (in whatever repository holds it). */
function trackedByGit(file: string): string | undefined {
  const dir = path.dirname(file);
  if (!fs.existsSync(dir)) return undefined;
  const listed = spawnSync("git", ["ls-files", "--error-unmatch", "--", path.basename(file)], {
    cwd: dir,
    encoding: "utf8",
  });
  return listed.status === 0 ? `${file} is tracked by git: refusing to write secrets into it` : undefined;
}

/** True when `file` is in a git work tree and git does not ignore it (a `git add .` would take it). */
function unignoredInGit(file: string): boolean {
  const dir = path.dirname(file);
  const inTree = spawnSync("git", ["rev-parse", "--is-inside-work-tree"], { cwd: dir, encoding: "utf8" });
  if (inTree.status !== 0 || inTree.stdout.trim() !== "true") return false;
  return spawnSync("git", ["check-ignore", "-q", "--", path.basename(file)], { cwd: dir }).status === 1;
}

async function pulumiJson(runner: PulumiRunner, cwd: string, args: string[]): Promise<unknown> {
  const outcome = await runPulumi(runner, cwd, args);
  // stdout may hold secrets (--show-secrets): on failure only stderr is shown.
  if (outcome.code !== 0)
    throw new Error(
      `pulumi ${args[0]} ${args[1]} failed:\n${outcome.stderr.trim() || `exit ${outcome.code}`}`,
    );
  return JSON.parse(outcome.stdout) as unknown;
}

/** The command line: the stack, the project folder, the file to write and whether to reveal. */
function parseArgs(argv: string[]) {
  const flags = parseFlags(argv, { values: ["--stack", "--cwd", "--out"], booleans: ["--reveal"] });
  if (typeof flags["--stack"] !== "string") throw new Error(`--stack is required\n${usage}`);
  const base = process.env.INIT_CWD ?? process.cwd();
  return {
    stack: flags["--stack"],
    reveal: flags["--reveal"] === true,
    cwd:
      typeof flags["--cwd"] === "string" ? path.resolve(base, flags["--cwd"]) : path.resolve(__dirname, ".."),
    out: typeof flags["--out"] === "string" ? path.resolve(base, flags["--out"]) : undefined,
  };
}

type DevEnvArgs = ReturnType<typeof parseArgs>;

async function devEnv({ stack, reveal, cwd, out }: DevEnvArgs, runner: PulumiRunner): Promise<number> {
  const outputArgs = ["stack", "output", "--json", "--stack", stack, ...(reveal ? ["--show-secrets"] : [])];
  const outputs = (await pulumiJson(runner, cwd, outputArgs)) as Record<string, unknown>;
  const connection = outputs.externalConnectionString;
  if (typeof connection !== "string" || connection === "")
    throw new Error(
      `stack ${stack} has no externalConnectionString output (has it been deployed? \`pulumi up --stack ${stack}\`)`,
    );
  let revealed: RevealedValues | undefined;
  if (reveal) {
    const openai = await pulumiJson(runner, cwd, [
      "config",
      "get",
      "arrakis:openaiApiKey",
      "--json",
      "--stack",
      stack,
    ]);
    const openaiApiKey = (openai as { value?: unknown }).value;
    if (typeof openaiApiKey !== "string")
      throw new Error(`stack ${stack} has no arrakis:openaiApiKey in its config`);
    revealed = {
      externalConnectionString: connection,
      openaiApiKey,
      nextauthSecret: randomBytes(32).toString("base64"),
    };
  }

  const text = devEnvText(stack, revealed);
  if (out) {
    fs.writeFileSync(out, text, { mode: 0o600 });
    fs.chmodSync(out, 0o600);
    process.stderr.write(`wrote ${out} (owner-only)\n`);
    if (unignoredInGit(out))
      process.stderr.write(
        `note: git does not ignore ${out}: add it to .gitignore so it is never committed\n`,
      );
  } else {
    if (reveal && process.stdout.isTTY)
      process.stderr.write("note: printing real secrets to the terminal; redirect to .env.local instead\n");
    process.stdout.write(text);
  }
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  if (args.out) {
    const refused = trackedByGit(args.out);
    if (refused) throw new Error(refused);
  }
  if (args.stack === localStackName)
    return withLocalStack(args.cwd, { emulator: false, needsState: true }, (local) =>
      devEnv(args, local.findPulumi()),
    );
  return devEnv(args, findPulumi());
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`npm run dev-env: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
