/**
 * `npm run import-blueprint -- render.yaml --stack <name>`: a Render Blueprint -> this program's stack
 * config (`Pulumi.<name>.yaml`). Validates the Blueprint first (paths and line numbers), lists field by
 * field what the program would not carry (exit 2 unless `--accept-loss`), and with a Render API key
 * looks the live resources up by name and writes their ids for adoption. Secrets are never written:
 * the `pulumi config set --secret` lines to run are printed instead.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { convertBlueprint, chooseResources, type Finding, type LiveResources } from "./blueprint/convert";
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
}

const usage = `usage: npm run import-blueprint -- <render.yaml> --stack <name> [options]

Writes Pulumi.<name>.yaml for this program from a Render Blueprint.

  --stack <name>          stack name (the file is Pulumi.<name>.yaml in the project folder)
  --out <file|->          write here instead ("-" prints the config)
  --service <name>        the web service to import when the Blueprint has several
  --database <name>       the database to import when the Blueprint has several
  --owner-id <tea-…>      workspace id (render:ownerId); found from the live resources otherwise
  --api-key <key>         Render API key for the lookup (better: the RENDER_API_KEY env var)
  --api-url <url>         Render API base URL (default https://api.render.com/v1); written as render:apiUrl
  --repo <url>            repository when the Blueprint omits repo (Render then uses the one holding render.yaml)
  --extension <name>      PostgreSQL extension to manage, repeatable (e.g. vector); a Blueprint cannot declare them
  --monthly-budget <usd>  arrakis:monthlyBudgetUsd
  --accept-loss           write the stack even though some Blueprint content is not modeled
  --adopt-with <how>      how the stack takes over the live resources found: "name" (default: adoptExisting,
                          the first pulumi up adopts the resource of that name) or "import-id" (importId: it
                          adopts exactly the live object with that id)

Exit codes: 0 written; 1 invalid Blueprint, usage or API error (nothing written);
2 something would be lost and --accept-loss was not given (nothing written).`;

function located(f: Finding, file: string): string {
  return `  ${f.line === undefined ? "" : `${file}:${f.line} `}${f.path}: ${f.message}`;
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
  if (values["adopt-with"] !== undefined && !["name", "import-id"].includes(values["adopt-with"]))
    return fail('--adopt-with must be "name" or "import-id"');
  const apiKey = values["api-key"] ?? io.env.RENDER_API_KEY;
  const apiUrl = values["api-url"];
  if (apiUrl !== undefined && !/^https?:\/\/\S+$/.test(apiUrl))
    return fail("--api-url must be an http(s) URL");
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

  let live: LiveResources = {};
  const lookupNotes: string[] = [];
  if (apiKey) {
    const chosen = chooseResources(bp, { serviceName: values.service, databaseName: values.database });
    if (chosen.service && chosen.database) {
      try {
        const found = await lookupLive(
          {
            databaseName: chosen.database.value.name,
            serviceName: chosen.service.value.name,
            ownerId: values["owner-id"],
          },
          { apiKey, ...(apiUrl ? { baseUrl: apiUrl } : {}) },
        );
        if (found.problems.length > 0) {
          io.stderr(
            `could not match the live resources:\n${found.problems.map((p) => `  ${p}`).join("\n")}\n`,
          );
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
  }

  const conversion = convertBlueprint(
    bp,
    {
      serviceName: values.service,
      databaseName: values.database,
      ownerId: values["owner-id"],
      apiUrl,
      extensions: values.extension,
      monthlyBudgetUsd: budget,
      repo: values.repo,
      stack: values.stack,
      adoptWith: values["adopt-with"] === "import-id" ? "importId" : "name",
    },
    live,
  );
  if (conversion.errors.length > 0) {
    io.stderr(`could not import ${shown}:\n${conversion.errors.map((e) => located(e, shown)).join("\n")}\n`);
    return exitCodes.invalid;
  }
  const { service, database } = conversion.chosen;
  const out: string[] = [];
  out.push(`Blueprint ${shown}:`);
  out.push(
    `  database ${database?.path} ${JSON.stringify(database?.value.name)} -> arrakis:database${live.database ? ` (adopts ${live.database.id})` : ""}`,
  );
  out.push(
    `  web service ${service?.path} ${JSON.stringify(service?.value.name)} -> arrakis:service${live.service ? ` (adopts ${live.service.id})` : ""}`,
  );
  const notes = [...lookupNotes, ...conversion.notes];
  if (notes.length > 0) out.push("", "Notes:", ...notes.map((n) => `  - ${n}`));
  if (conversion.losses.length > 0) {
    out.push(
      "",
      `Not modeled by the program (${conversion.losses.length}); ${values["accept-loss"] ? "accepted with --accept-loss" : "this would be lost"}:`,
      ...conversion.losses.map((l) => located(l, shown)),
    );
  }
  // With --out - the config goes to stdout, so the report goes to stderr and the config can be piped.
  const report = values.out === "-" ? io.stderr : io.stdout;
  report(`${out.join("\n")}\n`);
  if (conversion.losses.length > 0 && !values["accept-loss"]) {
    io.stderr(
      `\nimport-blueprint: ${conversion.losses.length} item(s) of the Blueprint would be lost; nothing written. ` +
        "Re-run with --accept-loss to import the rest anyway.\n",
    );
    return exitCodes.loss;
  }

  const adopted = [live.database, live.service]
    .filter((r): r is NonNullable<typeof r> => r !== undefined)
    .map((r) => `${r.name} (${r.id})`);
  const header = [
    `Imported from ${path.basename(file)} by \`npm run import-blueprint\`. No secret is written here; set them with:`,
    ...conversion.secretCommands.map((c) => `  ${c}`),
    ...(adopted.length > 0 ? [`The first \`pulumi up\` adopts the live ${adopted.join(" and ")}.`] : []),
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
  if (!live.database && !live.service && !apiKey)
    report(
      "\nNo API key given: no live resource was looked up, so the first `pulumi up` creates new ones. " +
        "Set RENDER_API_KEY and re-run to adopt the live database and service instead.\n",
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
      service: { type: "string" },
      database: { type: "string" },
      "owner-id": { type: "string" },
      "api-key": { type: "string" },
      "api-url": { type: "string" },
      repo: { type: "string" },
      extension: { type: "string", multiple: true },
      "monthly-budget": { type: "string" },
      "accept-loss": { type: "boolean" },
      "adopt-with": { type: "string" },
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
