/**
 * The app's migrations, run from the operator's machine by `@pulumi/command`'s `local.Command`: the
 * configured command (default `npm run db:deploy`) in the app's checkout, with DATABASE_URL (and
 * DIRECT_URL) set to the database's external connection string, a secret. It runs on the first up and
 * again only when the migrations folder changes (its hash is the command's trigger), before the deploy.
 *
 * What `local.Command` cannot do itself, and how it is handled:
 * - It hides no secret from what the command prints: `logging` only chooses which streams become log
 *   lines, while a failure's error message carries all of stdout and stderr and the `stdout`/`stderr`
 *   outputs go to state. The command therefore runs through components/runMigrations.js (as the
 *   interpreter), which replaces the connection string and its password with `[secret]` in both
 *   streams before the provider reads them; `logging` can then show them as the migration runs.
 *   The environment itself is a secret input (encrypted in state, `[secret]` in a preview), and
 *   stdout/stderr are marked secret outputs as well.
 * - It has no timeout that stops the command's children: the wrapper stops the process group after
 *   `timeoutMs`.
 * - Its error reads `exit status 1: running "…"`: the wrapper ends a failure with a line naming the
 *   database, the command and the folder.
 * Paths in its inputs are relative (the checkout as configured; the wrapper from the checkout), so a
 * second operator, or a moved pair of checkouts, does not re-run the migrations.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import type { ConfigAdvice } from "../runtime/advice";
import { hashFiles } from "../runtime/hashing";

/** Arguments of the migrations step (the arrakis app: stack config `arrakis:migrations`). */
export interface AppMigrationsArgs {
  /** The app's checkout, where the command runs; relative paths are from the Pulumi project. */
  appDir: string;
  /** Command applying pending migrations. Default `npm run db:deploy`. */
  command?: string;
  /** Migrations folder, relative to `appDir`. Default `prisma/migrations` (Prisma's, as the app uses). */
  migrationsDir?: string;
  /** Time allowed for the command, in ms; then it and its children are stopped. Default 10 minutes. */
  timeoutMs?: number;
}

/** The database the migrations run against. */
export interface MigrationsDatabase {
  /** Its id (`dpg-…`), named in a failure. */
  id: pulumi.Input<string>;
  /** Its external connection string (a secret output of `RenderPostgres`). */
  externalConnectionString: pulumi.Input<string>;
}

/** The migrations' runner: runs the command with the secrets in `--secret-env` hidden from its output. */
// Not moved into migrations/: its path, relative to the app checkout, is the command's `interpreter` in
// every stack's state, and a new path would show as `~ interpreter` and run the migrations again.
export const migrationsRunner = path.join(__dirname, "..", "runMigrations.js");

/** Reads every file under `dir` (relative path -> content), skipping nothing but symlinked folders. */
function readTree(dir: string, prefix = ""): Record<string, Buffer> {
  const out: Record<string, Buffer> = {};
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) Object.assign(out, readTree(full, rel));
    else if (entry.isFile()) out[rel] = fs.readFileSync(full);
  }
  return out;
}

/**
 * Hash of a migrations folder (names and contents); fails naming the folder when it cannot be read, and
 * the settings that make its path: the program's config keys of `appDir` and `migrationsDir` when
 * `advice` gives them (runtime/advice.ts), else the fields.
 */
export function hashMigrationsFolder(dir: string, advice?: ConfigAdvice): string {
  try {
    return hashFiles(readTree(dir));
  } catch (err) {
    const appDir = advice?.configKeys.appDir;
    const migrationsDir = advice?.configKeys.migrationsDir;
    const how =
      appDir && migrationsDir
        ? `: set them with \`pulumi config set --path ${appDir} <dir>\` and ` +
          `\`pulumi config set --path ${migrationsDir} <dir>\``
        : "";
    throw new Error(
      `could not read the migrations folder ${dir}: ${(err as Error).message}. It is ${appDir ?? "appDir"} ` +
        `(the app's checkout, relative to the Pulumi project) joined with ${migrationsDir ?? "migrationsDir"} ` +
        `(default prisma/migrations)${how}`,
    );
  }
}

/** Hash of the migrations folder that `args` name (`appDir` + `migrationsDir`); fails naming both. */
export function migrationsHashOf(
  args: Pick<AppMigrationsArgs, "appDir" | "migrationsDir">,
  advice?: ConfigAdvice,
): string {
  const appDir = path.resolve(args.appDir);
  return hashMigrationsFolder(path.join(appDir, args.migrationsDir ?? "prisma/migrations"), advice);
}

/** The inputs of the migrations' `local.Command`, for `args` against `database` (pure, for tests). */
export function migrationsCommandArgs(
  database: MigrationsDatabase,
  args: AppMigrationsArgs & { migrationsHash?: string },
): command.local.CommandArgs {
  const migrationsHash = args.migrationsHash ?? migrationsHashOf(args);
  const connectionString = pulumi.secret(database.externalConnectionString);
  return {
    create: args.command ?? "npm run db:deploy",
    // As configured: relative to the project directory, where the engine starts the command provider.
    dir: args.appDir,
    // The interpreter runs in `dir`: the runner's path is relative to the checkout.
    interpreter: [
      "node",
      path.relative(path.resolve(args.appDir), migrationsRunner),
      "--secret-env=DATABASE_URL,DIRECT_URL",
      `--timeout-ms=${args.timeoutMs ?? 10 * 60_000}`,
      pulumi.interpolate`--database=${database.id}`,
    ],
    environment: { DATABASE_URL: connectionString, DIRECT_URL: connectionString },
    // A new migrations folder replaces (so re-runs) the command; nothing else about the folder matters.
    triggers: [migrationsHash],
    // Both streams are redacted by the runner: show the migration's progress in the up.
    logging: command.types.enums.local.Logging.StdoutAndStderr,
    // The last run's output is of no use to the next one.
    addPreviousOutputInEnv: false,
  };
}

/**
 * The app's migrations against `database`, as a `command:local:Command`. Reads the migrations folder
 * at once unless given its hash: an unreadable folder fails the program before any resource exists.
 */
export function appMigrations(
  name: string,
  database: MigrationsDatabase,
  args: AppMigrationsArgs & {
    /** The folder's hash ({@link migrationsHashOf}), when the caller read it already. */
    migrationsHash?: string;
  },
  opts?: pulumi.CustomResourceOptions,
): command.local.Command {
  return new command.local.Command(
    name,
    migrationsCommandArgs(database, args),
    pulumi.mergeOptions(opts, { additionalSecretOutputs: ["stdout", "stderr"] }),
  );
}
