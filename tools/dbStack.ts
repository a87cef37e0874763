/**
 * A stack's database, for the commands that act on it beside `pulumi` (`npm run db:backup`,
 * `npm run db:restore-drill`): the stack's Render API (`render:apiUrl`, and `render:apiKey` read from its
 * config, where `pulumi config get` decrypts it: the key is never a flag nor printed), the id of its
 * database (the stack output `databaseId`), and how to trust its databases' TLS certificates.
 *
 * `--stack local` is the local stack as `npm run local` runs it (tools/localStack.ts): its state in
 * `.local/state`, and the emulator started for the command and stopped after it (or the running one).
 * Any other stack is read with the caller's own Pulumi setup (backend, passphrase), as `pulumi` would.
 */
import { RenderClient } from "../components/render/client";
import { apiKeyProblem } from "../components/runtime/config";
import { databaseTrustEnv } from "../emulator";
import { localStackName, withLocalStack } from "./localStack";
import { findPulumi, runPulumi, type PulumiRunner } from "./pulumiBin";

/** What a database command needs of its stack. */
export interface DbStack {
  stack: string;
  /** The Pulumi project folder. */
  cwd: string;
  /** A client of the stack's Render API, with the stack's key. */
  client: RenderClient;
  /** The stack's `render:apiUrl` (the emulator's on the local stack); undefined: Render's. */
  apiUrl?: string;
  /** The stack's database (`dpg-…`), from its `databaseId` output. */
  databaseId: string;
  /** The workspace (`render:ownerId`), when the stack config has it. */
  ownerId?: string;
  /**
   * Environment for connections to the stack's databases over verified TLS: the emulator's CA
   * (PGSSLROOTCERT) on the local stack; nothing on Render, whose certificates are checked against the
   * system's roots (REFERENCE.md §9: that they chain to a public root is UNCONFIRMED).
   */
  trustEnv: NodeJS.ProcessEnv;
  /** The `pulumi` the command runs (in the stack's environment). */
  pulumi: PulumiRunner;
  /** True for the local stack (its emulator's control API is at the same origin under `/_emulator`). */
  local: boolean;
}

/** Options of {@link withDbStack}. */
export interface DbStackOptions {
  stack: string;
  cwd: string;
  /** Where progress lines go (stderr by default). */
  log?: (line: string) => void;
}

/** First useful line of a `pulumi` error, without its `error: ` prefix. */
function pulumiError(stderr: string, code: number): string {
  const line = stderr
    .split("\n")
    .map((l) => l.trim())
    .find((l) => l.startsWith("error:"));
  return (line ?? stderr.trim().split("\n").pop() ?? `exit ${code}`).replace(/^error:\s*/, "");
}

/** `pulumi config get <key> --json` of the stack's config: the value, or undefined when it is not set. */
async function configValue(
  runner: PulumiRunner,
  cwd: string,
  stack: string,
  key: string,
): Promise<string | undefined> {
  const outcome = await runPulumi(runner, cwd, ["config", "get", key, "--json", "--stack", stack]);
  if (outcome.code !== 0) {
    // Not set is `error: configuration key '…' not found for stack '…'`; anything else is a real failure.
    if (/not found for stack/.test(outcome.stderr)) return undefined;
    throw new Error(`could not read ${key} of stack ${stack}: ${pulumiError(outcome.stderr, outcome.code)}`);
  }
  const value = (JSON.parse(outcome.stdout) as { value?: unknown }).value;
  return typeof value === "string" ? value : undefined;
}

/** The stack's `databaseId` output; a clear error for an unknown stack or one never deployed. */
async function databaseIdOf(runner: PulumiRunner, cwd: string, stack: string): Promise<string> {
  // Without --show-secrets: the outputs' secrets stay masked, the id is not one.
  const outcome = await runPulumi(runner, cwd, ["stack", "output", "--json", "--stack", stack]);
  if (outcome.code !== 0) {
    const reason = pulumiError(outcome.stderr, outcome.code);
    if (/no stack named/i.test(reason))
      throw new Error(`unknown stack "${stack}": ${reason} (\`pulumi stack ls\` lists them)`);
    throw new Error(`could not read the outputs of stack ${stack}: ${reason}`);
  }
  const outputs = JSON.parse(outcome.stdout || "{}") as Record<string, unknown>;
  const id = outputs.databaseId;
  if (typeof id !== "string" || id === "")
    throw new Error(
      `stack ${stack} has no databaseId output (has it been deployed? \`pulumi up --stack ${stack}\`)`,
    );
  return id;
}

/**
 * Runs `command` with the stack's database; the client is closed and the local emulator (when this
 * started it) stopped afterwards, also on an error or Ctrl-C.
 */
export async function withDbStack<T>(
  options: DbStackOptions,
  command: (db: DbStack) => Promise<T>,
): Promise<T> {
  const { stack, cwd } = options;
  const run = async (
    runner: PulumiRunner,
    api: { apiKey: string; apiUrl?: string; ownerId?: string },
    trustEnv: NodeJS.ProcessEnv,
    local: boolean,
    databaseId: string,
  ) => {
    const client = new RenderClient({ apiKey: api.apiKey, baseUrl: api.apiUrl });
    try {
      return await command({
        stack,
        cwd,
        client,
        apiUrl: api.apiUrl,
        databaseId,
        ownerId: api.ownerId,
        trustEnv,
        pulumi: runner,
        local,
      });
    } finally {
      await client.close();
    }
  };

  if (stack === localStackName)
    return withLocalStack(cwd, { emulator: true, needsState: true, log: options.log }, async (local) => {
      const runner = local.findPulumi(options.log);
      return run(
        runner,
        { apiKey: local.settings.apiKey, apiUrl: local.settings.apiUrl, ownerId: local.settings.ownerId },
        databaseTrustEnv(local.emulator!),
        true,
        await databaseIdOf(runner, cwd, stack),
      );
    });

  const runner = findPulumi(process.env, options.log);
  // The outputs first: an unknown stack is named as such before its config is read.
  const databaseId = await databaseIdOf(runner, cwd, stack);
  const apiKey = await configValue(runner, cwd, stack, "render:apiKey");
  if (!apiKey)
    throw new Error(
      `stack ${stack} has no render:apiKey: \`pulumi config set --secret render:apiKey <key> --stack ${stack}\``,
    );
  const problem = apiKeyProblem(apiKey);
  if (problem) throw new Error(problem);
  const apiUrl = await configValue(runner, cwd, stack, "render:apiUrl");
  const ownerId = await configValue(runner, cwd, stack, "render:ownerId");
  return run(runner, { apiKey: apiKey.trim(), apiUrl: apiUrl || undefined, ownerId }, {}, false, databaseId);
}
