/**
 * The dynamic provider behind `PostgresExtension`: enables an extension (pgvector's `vector`) in a
 * database over a real connection with `pg`, honouring the connection string's sslmode.
 */
import type * as pulumi from "@pulumi/pulumi";
import { isUnknown, type InputFailure } from "./mapping/validation";

/** Inputs after `check`. */
export interface PostgresExtensionInputs {
  /** Secret: where to connect (Render's external connection string, `sslmode` honoured). */
  connectionString: string;
  /** Extension name, e.g. `vector`. */
  extension: string;
  /** Drop the extension when this resource is deleted. Default false: dropping `vector` destroys data. */
  dropOnDelete: boolean;
}

/** State: the inputs plus the installed version. */
export interface PostgresExtensionOutputs extends PostgresExtensionInputs {
  /** Version installed, e.g. `0.8.0`. */
  installedVersion: string;
}

const identifier = /^[a-z_][a-z0-9_]{0,62}$/;

/** `host/database` of a connection string, for messages: never the user or password. */
function where(connectionString: string): string {
  try {
    const url = new URL(connectionString);
    return `${url.hostname}${url.port ? `:${url.port}` : ""}${url.pathname}`;
  } catch {
    return "(unparsable connection string)";
  }
}

async function withClient<T>(
  connectionString: string,
  work: (q: (sql: string) => Promise<{ rows: Record<string, unknown>[] }>) => Promise<T>,
): Promise<T> {
  // Built inside the method: a pg client must not be captured into the serialized provider.
  const { Client } = require("pg") as typeof import("pg");
  const client = new Client({ connectionString, connectionTimeoutMillis: 15_000 });
  try {
    await client.connect();
    return await work((sql) => client.query(sql));
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function installedVersion(connectionString: string, extension: string): Promise<string | undefined> {
  return withClient(connectionString, async (q) => {
    const { rows } = await q(`SELECT extversion FROM pg_extension WHERE extname = '${extension}'`);
    return rows.length > 0 ? String(rows[0].extversion) : undefined;
  });
}

function failure(verb: string, inputs: PostgresExtensionInputs, err: unknown): Error {
  // pg's messages name users and hosts at most; the connection string itself never goes in a message.
  const cause =
    err instanceof Error ? err.message.split(inputs.connectionString).join("[redacted]") : String(err);
  return new Error(
    `could not ${verb} extension ${inputs.extension} on ${where(inputs.connectionString)}: ${cause}`,
  );
}

/** The `ResourceProvider` of database extensions. */
export class PostgresExtensionProvider implements pulumi.dynamic.ResourceProvider<
  PostgresExtensionInputs,
  PostgresExtensionOutputs
> {
  /** Validates the extension name and the connection string's shape. */
  async check(
    _olds: PostgresExtensionInputs,
    news: PostgresExtensionInputs,
  ): Promise<pulumi.dynamic.CheckResult<PostgresExtensionInputs>> {
    const failures: InputFailure[] = [];
    const extension = news.extension ?? "vector";
    if (!isUnknown(extension) && (typeof extension !== "string" || !identifier.test(extension)))
      failures.push({
        property: "extension",
        reason: `must be an extension name such as "vector" (lowercase letters, digits, '_'), got ${JSON.stringify(extension)}`,
      });
    const cs = news.connectionString;
    if (!isUnknown(cs) && (typeof cs !== "string" || !/^postgres(ql)?:\/\//.test(cs)))
      failures.push({ property: "connectionString", reason: "must be a postgresql:// connection string" });
    const dropOnDelete = news.dropOnDelete ?? false;
    if (typeof dropOnDelete !== "boolean")
      failures.push({ property: "dropOnDelete", reason: "must be true or false" });
    return { inputs: { connectionString: cs, extension, dropOnDelete }, failures };
  }

  /** Sees an extension dropped out of band; a new extension name means a new resource. */
  async diff(
    _id: string,
    olds: PostgresExtensionOutputs,
    news: PostgresExtensionInputs,
  ): Promise<pulumi.dynamic.DiffResult> {
    if (olds.extension !== news.extension) return { changes: true, replaces: ["extension"] };
    const target = isUnknown(news.connectionString) ? olds.connectionString : news.connectionString;
    if (isUnknown(target)) return { changes: true };
    const changed =
      news.connectionString !== olds.connectionString || news.dropOnDelete !== olds.dropOnDelete;
    let version: string | undefined;
    try {
      version = await installedVersion(target, olds.extension);
    } catch (err) {
      throw failure("inspect", olds, err);
    }
    return { changes: changed || version === undefined };
  }

  /** `CREATE EXTENSION IF NOT EXISTS`. */
  async create(
    inputs: PostgresExtensionInputs,
  ): Promise<pulumi.dynamic.CreateResult<PostgresExtensionOutputs>> {
    const outs = await this.ensure(inputs);
    const url = new URL(inputs.connectionString);
    return { id: `${url.hostname}${url.pathname}/${inputs.extension}`, outs };
  }

  /** Reads whether the extension is there; gone when it was dropped out of band. */
  async read(
    id: string,
    props?: PostgresExtensionOutputs,
  ): Promise<pulumi.dynamic.ReadResult<PostgresExtensionOutputs>> {
    if (!props?.connectionString) return { id, props };
    const version = await installedVersion(props.connectionString, props.extension).catch((err) => {
      throw failure("read", props, err);
    });
    if (version === undefined) return {};
    return { id, props: { ...props, installedVersion: version } };
  }

  /** Re-creates the extension if needed. */
  async update(
    _id: string,
    _olds: PostgresExtensionOutputs,
    news: PostgresExtensionInputs,
  ): Promise<pulumi.dynamic.UpdateResult<PostgresExtensionOutputs>> {
    return { outs: await this.ensure(news) };
  }

  /** Leaves the extension in place unless `dropOnDelete`; then drops it without CASCADE. */
  async delete(_id: string, props: PostgresExtensionOutputs): Promise<void> {
    if (!props.dropOnDelete) return;
    await withClient(props.connectionString, (q) =>
      q(`DROP EXTENSION IF EXISTS "${props.extension}" RESTRICT`),
    ).catch((err) => {
      throw failure("drop", props, err);
    });
  }

  private async ensure(inputs: PostgresExtensionInputs): Promise<PostgresExtensionOutputs> {
    try {
      const version = await withClient(inputs.connectionString, async (q) => {
        await q(`CREATE EXTENSION IF NOT EXISTS "${inputs.extension}"`);
        const { rows } = await q(`SELECT extversion FROM pg_extension WHERE extname = '${inputs.extension}'`);
        return String(rows[0]?.extversion ?? "");
      });
      return { ...inputs, installedVersion: version };
    } catch (err) {
      throw failure("enable", inputs, err);
    }
  }
}
