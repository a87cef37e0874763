/**
 * `npm run import-blueprint -- render.yaml --stack <name>`: a Render Blueprint -> this program's stack
 * config (`Pulumi.<name>.yaml`) in render.yaml's own vocabulary (`arrakis:services`, `arrakis:databases`,
 * `arrakis:keyValues`, `arrakis:envVarGroups`). Validates the Blueprint first (paths and line numbers),
 * lists with its line every key the program would not carry (exit 2 unless `--accept-loss`), and with a
 * Render API key looks the live resources up by name and writes their ids for adoption. Secrets are never
 * written: the `pulumi config set --secret` lines to run are printed instead.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { convertBlueprint, type Finding, type LiveResources } from "./blueprint/convert";
import { lookupLive } from "./blueprint/lookup";
import { renderStackFile, writeFileAtomic } from "./blueprint/stackFile";
import { formatProblem, readBlueprint } from "./blueprint/validate";

/** Exit codes of the command. */
export const exitCodes = { ok: 0, invalid: 1, loss: 2 } as const;

/** Where the command reads and writes; the real process by default, buffers in tests. */
export interface ImportIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
  /** Folder the stack file goes to by default (the Pulumi project: npm runs scripts in the package root). */
  cwd: string;
  /** The URL of the git remote `origin` of a folder, or undefined (default: `git remote get-url origin`). */
  gitRemote?: (dir: string) => string | undefined;
}

const usage = `usage: npm run import-blueprint -- <render.yaml> --stack <name> [options]

Writes Pulumi.<name>.yaml for this program from a Render Blueprint: every service, database,
Key Value and env group, in render.yaml's own keys.

  --stack <name>          stack name (the file is Pulumi.<name>.yaml in the project folder)
  --out <file|->          write here instead ("-" prints the config)
  --owner-id <tea-…>      workspace id (render:ownerId); found from the live resources otherwise
  --api-key <key>         Render API key for the lookup (better: the RENDER_API_KEY env var)
  --api-url <url>         Render API base URL (default https://api.render.com/v1); written as render:apiUrl
  --repo <url>            repository of the services that omit repo (default: the git remote origin
                          of the folder holding render.yaml, as Render uses the repository holding it)
  --monthly-budget <usd>  arrakis:monthlyBudgetUsd
  --accept-loss           write the stack even though some Blueprint content is not modeled

With an API key, each resource found live by name is written with its id as importId: the first
pulumi up adopts exactly that object.

Exit codes: 0 written; 1 invalid Blueprint, usage or API error (nothing written);
2 something would be lost and --accept-loss was not given (nothing written).`;

function located(f: Finding, file: string): string {
  return `  ${f.line === undefined ? "" : `${file}:${f.line} `}${f.path}: ${f.message}`;
}

/**
 * A git remote URL as the https URL of the repository (`git@github.com:o/r.git` ->
 * `https://github.com/o/r`), or undefined when it is not one a service can build from.
 */
export function httpsRepoUrl(remote: string): string | undefined {
  const url = remote.trim();
  const scp = /^(?:[\w.-]+@)?([\w.-]+):(?!\/)([\w.-]+\/[\w.-]+?)(?:\.git)?\/?$/.exec(url);
  if (scp && !url.includes("://")) return `https://${scp[1]}/${scp[2]}`;
  const parsed =
    /^(?:https?|ssh|git):\/\/(?:[^@/]+@)?([\w.-]+)(?::\d+)?\/([\w.-]+\/[\w.-]+?)(?:\.git)?\/?$/.exec(url);
  return parsed ? `https://${parsed[1]}/${parsed[2]}` : undefined;
}

function gitRemoteOrigin(dir: string): string | undefined {
  try {
    return execFileSync("git", ["-C", dir, "remote", "get-url", "origin"], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    }).trim();
  } catch {
    return undefined;
  }
}

/** Runs the command with `argv` (without node and script); resolves with the exit code. */
export async function runImport(argv: string[], io: ImportIo): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (err) {
    io.stderr(`${(err as Error).message}\n\n${usage}\n`);
    return exitCodes.invalid;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout(`${usage}\n`);
    return exitCodes.ok;
  }
  const fail = (message: string) => {
    io.stderr(`import-blueprint: ${message}\n`);
    return exitCodes.invalid;
  };
  if (positionals.length !== 1) return fail(`give exactly one Blueprint file\n\n${usage}`);
  if (values.stack === undefined && values.out === undefined)
    return fail("give --stack <name> (or --out <file>)");
  if (values.stack !== undefined && !/^[A-Za-z0-9_.-]+$/.test(values.stack))
    return fail(`--stack ${JSON.stringify(values.stack)}: use letters, digits, '_', '.' and '-'`);
  let budget: number | undefined;
  if (values["monthly-budget"] !== undefined) {
    budget = Number(values["monthly-budget"]);
    if (!Number.isFinite(budget) || budget < 0) return fail("--monthly-budget must be a number of dollars");
  }
  const apiKey = values["api-key"] ?? io.env.RENDER_API_KEY;
  const apiUrl = values["api-url"];
  if (apiUrl !== undefined && !/^https?:\/\/\S+$/.test(apiUrl))
    return fail("--api-url must be an http(s) URL");
  if (values.repo !== undefined && httpsRepoUrl(values.repo) === undefined)
    return fail(
      `--repo ${JSON.stringify(values.repo)}: give the repository's https URL, e.g. https://github.com/owner/repo`,
    );
  // Paths on the command line are the user's: npm runs scripts in the package root but says where it was called.
  const userDir = io.env.INIT_CWD ?? io.cwd;
  const file = path.resolve(userDir, positionals[0]);
  const shown = path.relative(userDir, file) || file;
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    return fail(`could not read ${shown}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }

  const read = readBlueprint(text);
  if (!read.ok) {
    io.stderr(
      `${shown} is not a valid Blueprint (${read.problems.length} problem${read.problems.length === 1 ? "" : "s"}):\n`,
    );
    for (const p of read.problems) io.stderr(`  ${formatProblem(shown, p)}\n`);
    return exitCodes.invalid;
  }
  const bp = read.blueprint;

  // Render builds a service without repo from the repository holding render.yaml: its git remote.
  let repo = values.repo;
  let repoSource = "--repo";
  if (repo === undefined) {
    const remote = (io.gitRemote ?? gitRemoteOrigin)(path.dirname(file));
    const url = remote === undefined ? undefined : httpsRepoUrl(remote);
    if (url !== undefined) {
      repo = url;
      repoSource = `the git remote origin of ${path.relative(userDir, path.dirname(file)) || "."}`;
    }
  }

  let live: LiveResources = {};
  const lookupNotes: string[] = [];
  if (apiKey) {
    try {
      const found = await lookupLive(
        bp,
        { ownerId: values["owner-id"] },
        {
          apiKey,
          ...(apiUrl ? { baseUrl: apiUrl } : {}),
        },
      );
      if (found.problems.length > 0) {
        io.stderr(`could not match the live resources:\n${found.problems.map((p) => `  ${p}`).join("\n")}\n`);
        return exitCodes.invalid;
      }
      live = found;
      lookupNotes.push(...found.notes);
    } catch (err) {
      // The client's errors never carry the key; redact anyway, in case a message quotes a header.
      const message = ((err as Error).message ?? String(err)).split(apiKey).join("***");
      return fail(`could not look up the live resources on Render: ${message}`);
    }
  }

  const conversion = convertBlueprint(
    bp,
    {
      ownerId: values["owner-id"],
      apiUrl,
      monthlyBudgetUsd: budget,
      repo,
      repoSource,
      stack: values.stack,
    },
    live,
  );
  if (conversion.errors.length > 0) {
    io.stderr(`could not import ${shown}:\n${conversion.errors.map((e) => located(e, shown)).join("\n")}\n`);
    return exitCodes.invalid;
  }
  const { counts } = conversion;
  // Progress and findings go to stderr when the config itself goes to stdout.
  const report = values.out === "-" ? io.stderr : io.stdout;
  report(
    `Read ${shown}: ${counts.services} service(s), ${counts.databases} database(s), ${counts.keyValues} Key Value(s), ${counts.envVarGroups} env group(s).\n`,
  );
  for (const note of [...lookupNotes, ...conversion.notes]) report(`  note: ${note}\n`);
  if (conversion.losses.length > 0) {
    io.stderr(
      `\nNot carried by the program (${conversion.losses.length}):\n${conversion.losses.map((l) => located(l, shown)).join("\n")}\n`,
    );
    if (!values["accept-loss"]) {
      io.stderr(
        `\n${conversion.losses.length} item(s) of the Blueprint would be lost; nothing written. ` +
          "Re-run with --accept-loss to import the rest anyway.\n",
      );
      return exitCodes.loss;
    }
  }

  const header = [
    `Imported from ${path.basename(file)} by \`npm run import-blueprint\`. No secret is written here; set them with:`,
    ...conversion.secretCommands.map((c) => `  ${c}`),
  ];
  if (values.out === "-") {
    io.stdout(`\n${renderStackFile(conversion.config, { header })}`);
  } else {
    const target = values.out
      ? path.resolve(userDir, values.out)
      : path.join(io.cwd, `Pulumi.${values.stack}.yaml`);
    const existing = fs.existsSync(target) ? fs.readFileSync(target, "utf8") : undefined;
    try {
      writeFileAtomic(target, renderStackFile(conversion.config, { existing, header }));
    } catch (err) {
      return fail(`could not write ${target}: ${(err as Error).message}`);
    }
    io.stdout(
      `\nWrote ${path.relative(userDir, target) || target}${existing !== undefined ? " (updated; other keys kept)" : ""}.\n`,
    );
  }
  report(
    `\nSet the secrets (this tool never writes or invents one):\n${conversion.secretCommands.map((c) => `  ${c}`).join("\n")}\n`,
  );
  if (!apiKey)
    report(
      "\nNo API key given: no live resource was looked up, so the first `pulumi up` creates new ones. " +
        "Set RENDER_API_KEY and re-run to adopt the live resources by id instead.\n",
    );
  return exitCodes.ok;
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      stack: { type: "string" },
      out: { type: "string" },
      "owner-id": { type: "string" },
      "api-key": { type: "string" },
      "api-url": { type: "string" },
      repo: { type: "string" },
      "monthly-budget": { type: "string" },
      "accept-loss": { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
}

if (require.main === module) {
  runImport(process.argv.slice(2), {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    env: process.env,
    cwd: process.cwd(),
  }).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`import-blueprint: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
