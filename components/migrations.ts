/**
 * `DatabaseMigrations`: the app's migrations, run from its checkout before a deploy (type
 * `pulumi-nodejs:dynamic/render:Migrations`). They run again only when the migrations folder changes.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { hashFiles } from "./mapping/deploy";
import { packagedProvider } from "./providerPackage";

/** Arguments of the migrations step. */
export interface DatabaseMigrationsArgs {
  /** The database (`dpg-…`, e.g. a RenderPostgres's `id`); its external connection string is DATABASE_URL. */
  postgresId: pulumi.Input<string>;
  /** The app's checkout; relative paths are from the current directory (the Pulumi project's). */
  appDir: string;
  /** Command applying pending migrations. Default `npm run db:deploy`. */
  command?: string;
  /** Migrations folder, relative to `appDir`. Default `prisma/migrations` (Prisma's, as the app uses). */
  migrationsDir?: string;
  /** Time allowed for the command, in ms. Default 10 minutes. */
  timeoutMs?: number;
}

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

/** Hash of a migrations folder (names and contents); fails naming the folder when it cannot be read. */
export function hashMigrationsFolder(dir: string): string {
  try {
    return hashFiles(readTree(dir));
  } catch (err) {
    throw new Error(
      `could not read the migrations folder ${dir}: ${(err as Error).message}. It is arrakis:migrations.appDir ` +
        "(the app's checkout, relative to the Pulumi project) joined with arrakis:migrations.migrationsDir " +
        "(default prisma/migrations): set them with `pulumi config set --path arrakis:migrations.appDir <dir>` " +
        "and `pulumi config set --path arrakis:migrations.migrationsDir <dir>`",
    );
  }
}

/** Hash of the migrations folder that `args` name (`appDir` + `migrationsDir`); fails naming both keys. */
export function migrationsHashOf(args: Pick<DatabaseMigrationsArgs, "appDir" | "migrationsDir">): string {
  const appDir = path.resolve(args.appDir);
  return hashMigrationsFolder(path.join(appDir, args.migrationsDir ?? "prisma/migrations"));
}

/** The app's migrations against one database. */
export class DatabaseMigrations extends pulumi.dynamic.Resource {
  /** Hash of the migrations folder last applied. */
  declare readonly migrationsHash: pulumi.Output<string>;
  /** When the command last succeeded. */
  declare readonly ranAt: pulumi.Output<string>;

  constructor(name: string, args: DatabaseMigrationsArgs, opts?: pulumi.CustomResourceOptions) {
    const appDir = path.resolve(args.appDir);
    const migrationsHash = migrationsHashOf(args);
    super(
      packagedProvider("migrations"),
      name,
      {
        postgresId: args.postgresId,
        appDir,
        command: args.command ?? "npm run db:deploy",
        migrationsHash,
        timeoutMs: args.timeoutMs ?? 10 * 60_000,
        ranAt: undefined,
      },
      opts,
      "render",
      "Migrations",
    );
  }
}
