/**
 * Preview stacks per pull request (README, "Preview stacks per pull request"):
 *
 *   npm run preview-stack -- create --pr <n> [--branch <b>] [--commit <sha>] [--ttl-hours <h>]
 *   npm run preview-stack -- destroy --pr <n>
 *   npm run preview-stack -- sweep [--now <ISO time>]
 *
 * `create` makes (or, on a new push, updates) stack `pr-<n>` from the production stack file: its own
 * database and web service, named after the pull request, on the cheapest plans that run production's
 * config, the database unprotected, an expiry time as a stack tag; prints its monthly cost and runs
 * `pulumi up`. `destroy` runs `pulumi destroy` (the database included) and removes the stack. `sweep`
 * destroys every preview stack whose expiry has passed.
 *
 * Secrets come from the environment, never the command line: RENDER_API_KEY (create, destroy, sweep) and
 * OPENAI_API_KEY (create; a placeholder when unset). Common flags: --api-url <url> (`render:apiUrl`, e.g.
 * the emulator's), --from <stack file> (default Pulumi.prod.yaml), --cwd <Pulumi project folder>.
 * The `pulumi` run is the one `npm run local` would choose (tools/pulumiBin.ts), with the caller's own
 * Pulumi setup: the backend they are logged in to (or PULUMI_BACKEND_URL), their passphrase or token.
 * `--stack local` makes the preview stacks beside the local stack, as `npm run local` runs it
 * (tools/localStack.ts): in `.local/state`, with its passphrase, on the local emulator (started for the
 * command and stopped after it) and with its key; RENDER_API_KEY and --api-url are then not used.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import { parseFlags, type Flags } from "./cliFlags";
import { localDir, localStackName, withLocalStack, type LocalStack } from "./localStack";
import { findPulumi, type PulumiRunner } from "./pulumiBin";
import {
  costReport,
  defaultTtlHours,
  expiredStacks,
  parsePr,
  previewStackConfig,
  previewStackName,
  prOfStackName,
  type PreviewStack,
} from "./previewStackConfig";

const usage = `usage:
  npm run preview-stack -- create --pr <n> [--branch <name>] [--commit <sha>] [--ttl-hours <h>]
  npm run preview-stack -- destroy --pr <n>
  npm run preview-stack -- sweep [--now <ISO time>]
common: [--api-url <Render API URL>] [--from <stack file>] [--cwd <Pulumi project folder>]
        [--stack local] (on the local stack's emulator and state, as npm run local runs them)
environment: RENDER_API_KEY (required unless --stack local), OPENAI_API_KEY (create; optional), and Pulumi's own`;

const placeholderOpenaiKey = "sk-preview-placeholder";

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** One `pulumi` command in the project folder. `stdin` feeds a secret; `show` streams the output to ours. */
function pulumi(
  runner: PulumiRunner,
  cwd: string,
  args: string[],
  options: { stdin?: string; show?: boolean } = {},
): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(runner.pulumiPath, [...args, "--non-interactive", "--color", "never"], {
      cwd,
      env: runner.env,
      stdio: ["pipe", "pipe", "pipe"],
    });
    runner.onSpawn?.(child);
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
      if (options.show) process.stdout.write(chunk);
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
      if (options.show) process.stderr.write(chunk);
    });
    child.stdin.on("error", () => undefined);
    child.stdin.end(options.stdin ?? "");
    child.once("error", reject);
    child.once("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

async function must(
  runner: PulumiRunner,
  cwd: string,
  args: string[],
  options: { stdin?: string; show?: boolean } = {},
): Promise<Outcome> {
  const outcome = await pulumi(runner, cwd, args, options);
  if (outcome.code !== 0)
    throw new Error(
      `pulumi ${args.join(" ")} exited ${outcome.code}` +
        (options.show ? "" : `:\n${(outcome.stderr || outcome.stdout).trim()}`),
    );
  return outcome;
}

/** The preview stacks of the project in the backend (`pr-<n>`), by name. */
async function previewStacks(runner: PulumiRunner, cwd: string): Promise<string[]> {
  const list = await must(runner, cwd, ["stack", "ls", "--json"]);
  const stacks = JSON.parse(list.stdout || "[]") as Array<{ name: string }>;
  return stacks.map((s) => s.name).filter((name) => prOfStackName(name) !== undefined);
}

/** The production stack file's `config:` section. */
function readProdConfig(file: string): Record<string, unknown> {
  if (!fs.existsSync(file)) throw new Error(`no production stack file at ${file} (--from)`);
  const doc = parse(fs.readFileSync(file, "utf8")) as { config?: Record<string, unknown> } | null;
  if (!doc?.config) throw new Error(`${file} has no config: section`);
  return doc.config;
}

/**
 * Selects (or creates) the stack and gives it the preview's config: secrets through stdin (encrypted by
 * the stack's secrets provider), the rest written into its stack file, keeping what the CLI wrote there.
 */
async function configure(
  runner: PulumiRunner,
  cwd: string,
  stack: PreviewStack,
  secrets: Record<string, string>,
): Promise<void> {
  await must(runner, cwd, ["stack", "select", stack.stackName, "--create"]);
  for (const [key, value] of Object.entries(secrets))
    await must(runner, cwd, ["config", "set", key, "--secret", "--stack", stack.stackName], { stdin: value });
  const file = path.join(cwd, `Pulumi.${stack.stackName}.yaml`);
  const doc = (fs.existsSync(file) ? parse(fs.readFileSync(file, "utf8")) : {}) as {
    config?: Record<string, unknown>;
  } | null;
  const next = { ...(doc ?? {}), config: { ...(doc?.config ?? {}), ...stack.config } };
  fs.writeFileSync(file, stringify(next));
}

/** The Render API the preview stacks are made on: its URL (default Render's), key and workspace. */
interface RenderTarget {
  apiUrl?: string;
  /** `render:ownerId`; default production's. */
  ownerId?: string;
  apiKey(): string;
}

function renderApiKey(): string {
  const key = (process.env.RENDER_API_KEY ?? "").trim();
  if (!key)
    throw new Error("RENDER_API_KEY is not set: the Render API key the preview stacks are managed with");
  return key;
}

/** The target's config options of {@link previewStackConfig}. */
function targetOptions(target: RenderTarget): { apiUrl?: string; ownerId?: string } {
  return {
    ...(target.apiUrl !== undefined ? { apiUrl: target.apiUrl } : {}),
    ...(target.ownerId !== undefined ? { ownerId: target.ownerId } : {}),
  };
}

async function create(
  runner: PulumiRunner,
  cwd: string,
  flags: Flags,
  target: RenderTarget,
): Promise<number> {
  const pr = parsePr(flags["--pr"] as string | undefined);
  const ttlHours = flags["--ttl-hours"] === undefined ? defaultTtlHours : Number(flags["--ttl-hours"]);
  const stack = previewStackConfig(readProdConfig(fromFile(cwd, flags)), {
    pr,
    ttlHours,
    now: new Date(),
    ...(typeof flags["--branch"] === "string" ? { branch: flags["--branch"] } : {}),
    ...(typeof flags["--commit"] === "string" ? { commit: flags["--commit"] } : {}),
    ...targetOptions(target),
  });
  const apiKey = target.apiKey();
  const openai = (process.env.OPENAI_API_KEY ?? "").trim();
  if (!openai)
    process.stderr.write(`OPENAI_API_KEY is not set: the preview's OPENAI_API_KEY is a placeholder\n`);

  const started = Date.now();
  console.log(
    `Preview stack ${stack.stackName} for pull request #${pr}: ${stack.databaseName}, ${stack.serviceName}`,
  );
  for (const line of costReport(stack, ttlHours)) console.log(line);
  await configure(runner, cwd, stack, {
    "render:apiKey": apiKey,
    "arrakis:openaiApiKey": openai || placeholderOpenaiKey,
  });
  for (const [tag, value] of Object.entries(stack.tags))
    await must(runner, cwd, ["stack", "tag", "set", tag, value, "--stack", stack.stackName]);
  await must(runner, cwd, ["up", "--yes", "--skip-preview", "--stack", stack.stackName], { show: true });
  const outputs = JSON.parse(
    (await must(runner, cwd, ["stack", "output", "--json", "--stack", stack.stackName])).stdout || "{}",
  ) as Record<string, unknown>;
  console.log(
    `Preview stack ${stack.stackName} is up in ${((Date.now() - started) / 1000).toFixed(1)} s: ` +
      `${String(outputs.serviceUrl ?? "(no URL)")}, expires ${stack.expiresAt.toISOString()}, ` +
      `$${stack.cost.monthlyUsd}/month`,
  );
  return 0;
}

/** Destroys one preview stack (its database included) and removes it from the backend. */
async function destroyStack(
  runner: PulumiRunner,
  cwd: string,
  flags: Flags,
  target: RenderTarget,
  pr: number,
): Promise<void> {
  const started = Date.now();
  // The same config as create: on a fresh checkout (a CI job) the stack file is not there, and the
  // refresh before the destroy reads Render with the stack's key.
  const stack = previewStackConfig(readProdConfig(fromFile(cwd, flags)), {
    pr,
    now: new Date(),
    ...targetOptions(target),
  });
  await configure(runner, cwd, stack, { "render:apiKey": target.apiKey() });
  await must(runner, cwd, ["destroy", "--yes", "--skip-preview", "--stack", stack.stackName], { show: true });
  await must(runner, cwd, ["stack", "rm", stack.stackName, "--yes"]);
  console.log(
    `Preview stack ${stack.stackName} destroyed (${stack.databaseName}, ${stack.serviceName}) in ` +
      `${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
}

async function destroy(
  runner: PulumiRunner,
  cwd: string,
  flags: Flags,
  target: RenderTarget,
): Promise<number> {
  const pr = parsePr(flags["--pr"] as string | undefined);
  target.apiKey();
  if (!(await previewStacks(runner, cwd)).some((name) => prOfStackName(name) === pr)) {
    console.log(`No preview stack ${previewStackName(pr)}: nothing to destroy`);
    return 0;
  }
  await destroyStack(runner, cwd, flags, target, pr);
  return 0;
}

async function sweep(runner: PulumiRunner, cwd: string, flags: Flags, target: RenderTarget): Promise<number> {
  const now = flags["--now"] === undefined ? new Date() : new Date(String(flags["--now"]));
  if (Number.isNaN(now.getTime()))
    throw new Error(`--now must be an ISO time (got ${String(flags["--now"])})`);
  target.apiKey();
  const stacks = [];
  for (const name of await previewStacks(runner, cwd)) {
    const tags = await must(runner, cwd, ["stack", "tag", "ls", "--json", "--stack", name]);
    stacks.push({ name, tags: JSON.parse(tags.stdout || "{}") as Record<string, string> });
  }
  const expired = expiredStacks(stacks, now);
  console.log(
    `${stacks.length} preview stack(s), ${expired.length} expired at ${now.toISOString()}` +
      (expired.length ? `: ${expired.map((e) => `${e.name} (${e.expiresAt})`).join(", ")}` : ""),
  );
  let failed = 0;
  for (const { name } of expired) {
    try {
      await destroyStack(runner, cwd, flags, target, prOfStackName(name) as number);
    } catch (err) {
      failed++;
      process.stderr.write(`could not destroy ${name}: ${(err as Error).message}\n`);
    }
  }
  return failed ? 1 : 0;
}

function fromFile(cwd: string, flags: Flags): string {
  return typeof flags["--from"] === "string"
    ? path.resolve(process.env.INIT_CWD ?? ".", flags["--from"])
    : path.join(cwd, "Pulumi.prod.yaml");
}

const commands = { create, destroy, sweep } as const;

/** The local stack's emulator, its key and workspace. */
function localTarget(local: LocalStack): RenderTarget {
  const emulator = local.emulator!;
  return { apiUrl: emulator.url, ownerId: emulator.ownerId, apiKey: () => emulator.apiKey };
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  let flags: Flags;
  try {
    if (!command || !(command in commands))
      throw new Error(`unknown command ${JSON.stringify(command ?? "")}; allowed: create, destroy, sweep`);
    flags = parseFlags(rest, {
      values: [
        "--pr",
        "--branch",
        "--commit",
        "--ttl-hours",
        "--now",
        "--api-url",
        "--from",
        "--cwd",
        "--stack",
      ],
      booleans: [],
    });
    if (flags["--stack"] !== undefined && flags["--stack"] !== localStackName)
      throw new Error(
        `--stack: ${JSON.stringify(flags["--stack"])} is not allowed; allowed: "${localStackName}" ` +
          `(without it, the preview stacks live in your own Pulumi backend)`,
      );
    if (flags["--stack"] !== undefined && flags["--api-url"] !== undefined)
      throw new Error("--api-url: not with --stack local, whose Render API is the local emulator");
  } catch (err) {
    process.stderr.write(`npm run preview-stack: ${(err as Error).message}\n${usage}\n`);
    return 1;
  }
  const cwd =
    typeof flags["--cwd"] === "string"
      ? path.resolve(process.env.INIT_CWD ?? ".", flags["--cwd"])
      : path.resolve(__dirname, "..");
  const run = commands[command as keyof typeof commands];
  try {
    if (flags["--stack"] === localStackName)
      return await withLocalStack(cwd, { emulator: true }, (local) => {
        fs.mkdirSync(path.join(localDir(cwd), "state"), { recursive: true });
        return run(local.findPulumi(), cwd, flags, localTarget(local));
      });
    return await run(findPulumi(), cwd, flags, {
      ...(typeof flags["--api-url"] === "string" ? { apiUrl: flags["--api-url"] } : {}),
      apiKey: renderApiKey,
    });
  } catch (err) {
    process.stderr.write(`npm run preview-stack ${command}: ${(err as Error).message}\n`);
    return 1;
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => process.exit(code));
}
