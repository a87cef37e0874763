/**
 * The dynamic provider behind `PostgresExtension`: enables an extension (pgvector's `vector`) in a
 * database over a real connection with `pg`: TLS verified by default, the connection string's sslmode and
 * libpq's PGSSLMODE/PGSSLROOTCERT honoured (databaseTls.ts). The database
 * is given by its connection string, or by its Render id (the provider then reads the external
 * connection string from Render each time, so it is never an input and never unknown in a preview).
 */
import type * as pulumi from "@pulumi/pulumi";
import { connectDatabase } from "./databaseTls";
import { checkPostgresExtensionInputs, type PostgresExtensionInputs } from "./schema";
import { isUnknown } from "../runtime/validation";
import { providerConfigFrom, renderClientFrom, type RenderProviderConfig } from "../runtime/config";
import { isNotFound, redactValues } from "../render/errors";

export type { PostgresExtensionInputs } from "./schema";

/** State: the inputs plus the installed version. */
export interface PostgresExtensionOutputs extends PostgresExtensionInputs {
  /** Version installed, e.g. `0.8.0`. */
  installedVersion: string;
}

/** Where the database is, for messages: a Render id or `host/database`, never a user or password. */
function where(inputs: PostgresExtensionInputs): string {
  if (inputs.postgresId) return `database ${inputs.postgresId}`;
  try {
    const url = new URL(inputs.connectionString ?? "");
    return `${url.hostname}${url.port ? `:${url.port}` : ""}${url.pathname}`;
  } catch {
    return "(unparsable connection string)";
  }
}

type Query = (sql: string) => Promise<{ rows: Record<string, unknown>[] }>;

/** Connects over TLS, verifying the server, unless the string's sslmode says otherwise (databaseTls.ts). */
async function withClient<T>(connectionString: string, work: (q: Query) => Promise<T>): Promise<T> {
  const client = await connectDatabase(connectionString, { connectionTimeoutMillis: 15_000 });
  try {
    return await work((sql) => client.query(sql));
  } finally {
    await client.end().catch(() => undefined);
  }
}

function failure(verb: string, inputs: PostgresExtensionInputs, err: unknown, secrets: string[] = []): Error {
  // pg's messages name users and hosts at most; a connection string itself never goes in a message.
  const cause = redactValues(err instanceof Error ? err.message : String(err), [
    inputs.connectionString,
    ...secrets,
  ]);
  return new Error(`could not ${verb} extension ${inputs.extension} on ${where(inputs)}: ${cause}`);
}

const versionQuery = (extension: string) =>
  `SELECT extversion FROM pg_extension WHERE extname = '${extension}'`;

/** The `ResourceProvider` of database extensions. */
export class PostgresExtensionProvider implements pulumi.dynamic.ResourceProvider<
  PostgresExtensionInputs,
  PostgresExtensionOutputs
> {
  private config: RenderProviderConfig = {};

  /** Reads `render:apiKey`/`render:apiUrl` (needed when the database is given by its Render id). */
  async configure(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
    this.config = providerConfigFrom((key) => req.config.get(key));
  }

  /** Validates the extension name and where the database is; connects to nothing. */
  async check(
    _olds: PostgresExtensionInputs,
    news: PostgresExtensionInputs,
  ): Promise<pulumi.dynamic.CheckResult<PostgresExtensionInputs>> {
    const { inputs, failures } = checkPostgresExtensionInputs(news as unknown as Record<string, unknown>);
    // As the provider always did: an unknown dropOnDelete (preview) is refused, not passed through.
    if (isUnknown(inputs.dropOnDelete))
      failures.push({ property: "dropOnDelete", reason: "must be true or false" });
    return { inputs, failures };
  }

  /** Sees an extension dropped out of band; a new extension name or database means a new resource. */
  async diff(
    _id: string,
    olds: PostgresExtensionOutputs,
    news: PostgresExtensionInputs,
  ): Promise<pulumi.dynamic.DiffResult> {
    if (olds.extension !== news.extension) return { changes: true, replaces: ["extension"] };
    if (olds.postgresId !== news.postgresId) return { changes: true, replaces: ["postgresId"] };
    const unknownTarget = isUnknown(news.connectionString) || isUnknown(news.postgresId);
    const changed =
      unknownTarget ||
      news.connectionString !== olds.connectionString ||
      news.dropOnDelete !== olds.dropOnDelete;
    // The extension is looked for where it was made: the old target is what state knows to exist.
    const version = await this.installedVersion(olds, true).catch((err) => {
      // Its database is gone: that database's own error says so and what to do; none here.
      if (isNotFound(err)) return undefined;
      throw failure("inspect", olds, err);
    });
    return { changes: changed || version === undefined };
  }

  /** `CREATE EXTENSION IF NOT EXISTS`. */
  async create(
    inputs: PostgresExtensionInputs,
  ): Promise<pulumi.dynamic.CreateResult<PostgresExtensionOutputs>> {
    const outs = await this.ensure(inputs);
    const id = inputs.postgresId
      ? `${inputs.postgresId}/${inputs.extension}`
      : (() => {
          const url = new URL(inputs.connectionString as string);
          return `${url.hostname}${url.pathname}/${inputs.extension}`;
        })();
    return { id, outs };
  }

  /** Reads whether the extension is there; gone when it was dropped out of band. */
  async read(
    id: string,
    props?: PostgresExtensionOutputs,
  ): Promise<pulumi.dynamic.ReadResult<PostgresExtensionOutputs>> {
    if (!props?.connectionString && !props?.postgresId) return { id, props };
    const version = await this.installedVersion(props, true).catch((err) => {
      // Its database was deleted on Render: the extension went with it. Gone, without an error of its
      // own: the database's refresh gives the one message and the way back.
      if (isNotFound(err)) return undefined;
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
    const target = await this.target(props);
    await withClient(target, (q) => q(`DROP EXTENSION IF EXISTS "${props.extension}" RESTRICT`)).catch(
      (err) => {
        throw failure("drop", props, err, [target]);
      },
    );
  }

  /** The connection string to use: given, or read from Render by id (external: we run outside Render). */
  private async target(inputs: PostgresExtensionInputs, reuseReads = false): Promise<string> {
    if (inputs.connectionString) return inputs.connectionString;
    const client = renderClientFrom(this.config, { reuseReads });
    const info = await client.getPostgresConnectionInfo(inputs.postgresId as string);
    return info.externalConnectionString;
  }

  /** `reuseReads`: a read or diff shares the connection info the database's refresh read. */
  private async installedVersion(
    inputs: PostgresExtensionInputs,
    reuseReads = false,
  ): Promise<string | undefined> {
    const target = await this.target(inputs, reuseReads);
    return withClient(target, async (q) => {
      const { rows } = await q(versionQuery(inputs.extension));
      return rows.length > 0 ? String(rows[0].extversion) : undefined;
    });
  }

  private async ensure(inputs: PostgresExtensionInputs): Promise<PostgresExtensionOutputs> {
    let target = "";
    try {
      target = await this.target(inputs);
      const version = await withClient(target, async (q) => {
        await q(`CREATE EXTENSION IF NOT EXISTS "${inputs.extension}"`);
        const { rows } = await q(versionQuery(inputs.extension));
        return String(rows[0]?.extversion ?? "");
      });
      return { ...inputs, installedVersion: version };
    } catch (err) {
      throw failure("enable", inputs, err, [target]);
    }
  }
}
