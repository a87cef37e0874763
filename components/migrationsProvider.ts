/**
 * The dynamic provider behind `DatabaseMigrations`: runs the app's migration command (default
 * `npm run db:deploy`) in its checkout with DATABASE_URL (and DIRECT_URL) set to the database's
 * external connection string, read from Render when it runs: the string is never an input, never in
 * state, and is cut out of any output shown.
 */
import type * as pulumi from "@pulumi/pulumi";
import { connectionSecrets, redactSecrets, tailOf } from "./mapping/deploy";
import { isUnknown } from "./mapping/validation";
import { providerConfigFrom, renderClientFrom, type RenderProviderConfig } from "./providerConfig";

/** What `DatabaseMigrations` takes. */
export interface MigrationsInputs {
  /** The Render Postgres id (`dpg-…`). */
  postgresId: string;
  /** Absolute path of the app's checkout, where the command runs. */
  appDir: string;
  /** Shell command that applies pending migrations. */
  command: string;
  /** Hash of the migrations folder: the command runs again only when it (or the command) changes. */
  migrationsHash: string;
  /** Time allowed for the command, in ms. */
  timeoutMs: number;
}

/** What it holds in state. */
export interface MigrationsOutputs extends MigrationsInputs {
  /** When the command last succeeded (RFC 3339). */
  ranAt: string;
}

/** Writes one progress line; the engine shows a provider's stderr lines in the `pulumi up` output. */
export type MigrationsProgressSink = (line: string) => void;

/** True when a run is due: a new database, command or migrations folder. */
export function migrationsChanged(olds: Partial<MigrationsInputs>, news: MigrationsInputs): boolean {
  return (
    olds.postgresId !== news.postgresId ||
    olds.command !== news.command ||
    olds.migrationsHash !== news.migrationsHash
  );
}

/** The `ResourceProvider` of migration runs. */
export class MigrationsProvider implements pulumi.dynamic.ResourceProvider<
  MigrationsInputs,
  MigrationsOutputs
> {
  private config: RenderProviderConfig = {};

  /** `progress`: where the (redacted) output of a successful run goes; default stderr. */
  constructor(private readonly progress?: MigrationsProgressSink) {}

  /** Reads `render:apiKey` and `render:apiUrl` from stack config. */
  async configure(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
    this.config = providerConfigFrom((key) => req.config.get(key));
  }

  /** Validates the inputs; no API call, no command. */
  async check(
    _olds: MigrationsInputs,
    news: MigrationsInputs,
  ): Promise<pulumi.dynamic.CheckResult<MigrationsInputs>> {
    const failures: pulumi.dynamic.CheckFailure[] = [];
    const known = (v: unknown) => typeof v === "string" && !isUnknown(v);
    if (known(news.postgresId) && !/^dpg-[a-z0-9]+(-[a-z])?$/.test(news.postgresId))
      failures.push({
        property: "postgresId",
        reason: `postgresId must be a Render Postgres id like dpg-…-a`,
      });
    if (known(news.appDir) && !news.appDir.startsWith("/"))
      failures.push({ property: "appDir", reason: `appDir must be an absolute path (got ${news.appDir})` });
    if (typeof news.command !== "string" || news.command.trim() === "")
      failures.push({
        property: "command",
        reason: "command must be a shell command such as `npm run db:deploy`",
      });
    const timeoutMs = news.timeoutMs ?? 10 * 60_000;
    if (typeof timeoutMs !== "number" || timeoutMs <= 0)
      failures.push({ property: "timeoutMs", reason: "timeoutMs must be a positive number of ms" });
    return { inputs: { ...news, timeoutMs }, failures };
  }

  /** Changes only when the database, the command or the migrations changed (not the checkout's path). */
  async diff(
    _id: string,
    olds: MigrationsOutputs,
    news: MigrationsInputs,
  ): Promise<pulumi.dynamic.DiffResult> {
    return { changes: migrationsChanged(olds, news) };
  }

  /** Runs the migrations. A failure rejects with the command's output, secrets cut out. */
  async create(inputs: MigrationsInputs): Promise<pulumi.dynamic.CreateResult<MigrationsOutputs>> {
    await this.run(inputs);
    return { id: `${inputs.postgresId}/migrations`, outs: { ...inputs, ranAt: new Date().toISOString() } };
  }

  /** Runs them again when `diff` said so. */
  async update(
    _id: string,
    olds: MigrationsOutputs,
    news: MigrationsInputs,
  ): Promise<pulumi.dynamic.UpdateResult<MigrationsOutputs>> {
    if (!migrationsChanged(olds, news)) return { outs: { ...news, ranAt: olds.ranAt } };
    await this.run(news);
    return { outs: { ...news, ranAt: new Date().toISOString() } };
  }

  /** Migrations are not undone: deleting the resource leaves the schema as it is. */
  async delete(): Promise<void> {}

  private async run(inputs: MigrationsInputs): Promise<void> {
    const { spawn } = require("node:child_process") as typeof import("node:child_process");
    const what = `the migrations of database ${inputs.postgresId}`;
    let url: string;
    try {
      url = (await renderClientFrom(this.config).getPostgresConnectionInfo(inputs.postgresId))
        .externalConnectionString;
    } catch (err) {
      throw new Error(
        `could not run ${what}: could not read its connection string: ${(err as Error).message}`,
      );
    }
    const secrets = connectionSecrets(url);
    const result = await new Promise<{
      code: number | null;
      signal: string | null;
      output: string;
      error?: Error;
    }>((resolve) => {
      let output = "";
      const child = spawn(inputs.command, {
        cwd: inputs.appDir,
        shell: true,
        // Own process group: a timeout stops the command and whatever it started.
        detached: true,
        stdio: ["ignore", "pipe", "pipe"],
        env: { ...process.env, DATABASE_URL: url, DIRECT_URL: url },
      });
      const keep = (chunk: Buffer) => {
        output = tailOf(output + chunk.toString("utf8"), 64_000);
      };
      child.stdout?.on("data", keep);
      child.stderr?.on("data", keep);
      const timer = setTimeout(() => {
        output += `\n(stopped after ${inputs.timeoutMs} ms)`;
        try {
          process.kill(-child.pid!, "SIGKILL");
        } catch {
          // already gone
        }
      }, inputs.timeoutMs);
      child.once("error", (error) => {
        clearTimeout(timer);
        resolve({ code: null, signal: null, output, error });
      });
      child.once("close", (code, signal) => {
        clearTimeout(timer);
        resolve({ code, signal, output });
      });
    });
    const shown = redactSecrets(tailOf(result.output.trim()), secrets);
    if (result.error || result.code !== 0) {
      const how = result.error
        ? `could not start: ${redactSecrets(result.error.message, secrets)}`
        : result.code === null
          ? `was stopped (${result.signal})`
          : `exited ${result.code}`;
      throw new Error(
        `could not run ${what}: \`${inputs.command}\` in ${inputs.appDir} ${how}. Nothing was deployed.` +
          (shown ? `\n--- output (secrets hidden)\n${shown}` : ""),
      );
    }
    const say = this.progress ?? ((line: string) => process.stderr.write(`${line}\n`));
    say(`migrations of database ${inputs.postgresId} ran: \`${inputs.command}\`${shown ? `\n${shown}` : ""}`);
  }
}
