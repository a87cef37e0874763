/**
 * The dynamic provider behind `RenderPostgres`: check/diff/create/read/update/delete over Render's API.
 * It runs from the bundled providers package (runtime/package.ts): it reaches only the Render client,
 * the pure mapping and node built-ins, and builds clients inside methods.
 */
import type * as pulumi from "@pulumi/pulumi";
import {
  checkPostgresInputs,
  diffPostgres,
  fromPostgres,
  postgresAdoptionChanges,
  toCreatePostgresBody,
  toPatchPostgresBody,
  type PostgresInputs,
} from "./mapping";
import { isUnknown } from "../runtime/validation";
import { RenderClient, isOutcomeUnknown } from "../render/client";
import { isNotFound, isRenderApiError } from "../render/errors";
import type { Postgres, PostgresConnectionInfo } from "../render/schemas";
import { waitForPostgresAvailable } from "../render/wait";
import { withAdvice, type Advised } from "../runtime/advice";
import { providerConfigFrom, renderClientFrom, type RenderProviderConfig } from "../runtime/config";
import { createOnce, writeToStderr } from "../runtime/createOnce";
import { moveToEnvironment } from "../runtime/environment";
import { maintenanceWarnings, recoveryWarning } from "./warnings";
import {
  checkNamedObject,
  deleteIgnoringNotFound,
  findByName,
  liveForDiff,
  liveForRead,
  reportAdoption,
} from "../runtime/providerSkeleton";

/**
 * The provider's inputs: the schema's fields, and the program's `advice` for messages
 * (runtime/advice.ts; names `adoptExisting` and `adoptId`).
 */
export type PostgresProviderInputs = Advised<PostgresInputs>;

/** What a `RenderPostgres` holds in state: its inputs plus what Render reports. */
export interface PostgresOutputs extends PostgresProviderInputs {
  /** Render's status, e.g. `available`. */
  status: string;
  /** Link to the database in Render's dashboard. */
  dashboardUrl: string;
  /** The live database name, with Render's random suffix (e.g. `arrakis_production_bq3v`). */
  liveDatabaseName: string;
  /** The live database user. */
  liveDatabaseUser: string;
  /** External host name. */
  host: string;
  /** External port. */
  port: number;
  /** Secret: the database password. */
  password: string;
  /** Secret: connection string inside Render's private network. */
  internalConnectionString: string;
  /** Secret: connection string from outside Render (SSL required). */
  externalConnectionString: string;
}

/** Outputs that are secrets without a secret input of the same name. */
export const postgresSecretOutputs = ["password", "internalConnectionString", "externalConnectionString"];

/**
 * Seconds -> the wait options of the client's poller (a zero interval still yields to the loop): the
 * first poll a second after the create or change, then doubling up to the interval.
 */
function waitOptions(inputs: PostgresProviderInputs) {
  return {
    timeoutMs: inputs.waitTimeoutSeconds * 1000,
    intervalMs: inputs.pollIntervalSeconds * 1000,
    rampFromMs: 1000,
  };
}

function outputsOf(
  inputs: PostgresProviderInputs,
  live: Postgres,
  info: PostgresConnectionInfo,
): PostgresOutputs {
  const external = new URL(info.externalConnectionString);
  return {
    ...inputs,
    status: live.status,
    dashboardUrl: live.dashboardUrl ?? `https://dashboard.render.com/d/${live.id}`,
    liveDatabaseName: live.databaseName,
    liveDatabaseUser: live.databaseUser,
    host: external.hostname,
    port: Number(external.port || 5432),
    password: info.password,
    internalConnectionString: info.internalConnectionString,
    externalConnectionString: info.externalConnectionString,
  };
}

/** The `ResourceProvider` of Render Postgres databases. */
export class PostgresProvider implements pulumi.dynamic.ResourceProvider<
  PostgresProviderInputs,
  PostgresOutputs
> {
  private config: RenderProviderConfig = {};

  /** `report`: where the adoption report goes (default stderr, whose lines the engine shows). */
  constructor(private readonly report?: (line: string) => void) {}

  /** Reads `render:apiKey` and `render:apiUrl` from stack config: the key is never an input. */
  async configure(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
    this.config = providerConfigFrom((key) => req.config.get(key));
  }

  /** Validates every field (names the property and the allowed values); reads, never writes. */
  async check(
    olds: PostgresProviderInputs,
    news: PostgresProviderInputs,
  ): Promise<pulumi.dynamic.CheckResult<PostgresProviderInputs>> {
    return checkNamedObject<PostgresInputs>(
      this.config,
      olds,
      news as unknown as Record<string, unknown>,
      checkPostgresInputs,
      (inputs) => this.reportAdoption(inputs),
    );
  }

  /**
   * Writes what adopting the live database changes (postgresAdoptionChanges), before any write: in the
   * preview and again in the up. Reads only; one that cannot be read is left to create's own message.
   */
  private async reportAdoption(inputs: PostgresProviderInputs): Promise<void> {
    await reportAdoption(
      "database",
      inputs,
      async () => {
        const live = await renderClientFrom(this.config, { reuseReads: true }).getPostgres(inputs.adoptId!);
        if (live.name !== inputs.name || live.owner.id !== inputs.ownerId) return undefined;
        return postgresAdoptionChanges(inputs, live);
      },
      this.report,
    );
  }

  /**
   * Compares the desired state with the live database, so drift made in the dashboard shows. Options
   * that live only in our state (adoptExisting, waits, advice) never count as changes: the engine records
   * new inputs even when nothing changes, and an import must not fail over them.
   */
  async diff(
    id: string,
    _olds: PostgresOutputs,
    news: PostgresProviderInputs,
  ): Promise<pulumi.dynamic.DiffResult> {
    // The refresh before it has just read the database: reuse that answer (see renderClientFrom).
    const client = renderClientFrom(this.config, { reuseReads: true });
    const live = await liveForDiff({ what: "database", id, name: news.name, advice: news.advice }, () =>
      client.getPostgres(id),
    );
    // Warnings, never changes: written before the result, whatever it is.
    await this.warn(client, live, news.advice);
    if (isUnknown(news)) return { changes: true };
    const { changed, replaced } = diffPostgres(news, live);
    if (replaced.length > 0 && !news.allowReplacement) {
      const what = replaced
        .map(
          (f) =>
            `${f} (live ${JSON.stringify(liveValue(live, f))}, wanted ${JSON.stringify(news[f as keyof PostgresInputs])})`,
        )
        .join(", ");
      throw new Error(
        `could not plan database ${news.name} (${id}): changing ${what} would replace the database and ` +
          "destroy its data. Keep the old value, or set `allowReplacement: true` on the resource to " +
          "replace it on purpose",
      );
    }
    return {
      changes: changed.length > 0 || replaced.length > 0,
      replaces: replaced,
      // A replacement must not briefly run two databases of the same name (names are unique here).
      deleteBeforeReplace: replaced.length > 0,
    };
  }

  /**
   * Writes what a preview should warn about the live database (warnings.ts): no point-in-time recovery on
   * its plan, maintenance scheduled on it. Each once per process (the engine diffs a resource twice in a
   * preview with refresh). Reads only; a read that fails warns nothing and fails nothing.
   */
  private async warn(
    client: RenderClient,
    live: Postgres,
    advice: PostgresProviderInputs["advice"],
  ): Promise<void> {
    const db = { id: live.id, name: live.name, plan: live.plan };
    const [recovery, runs] = await Promise.allSettled([
      client.getPostgresRecoveryInfo(live.id),
      client.listMaintenance({ resourceId: [live.id], state: ["scheduled"] }),
    ]);
    const lines = [
      recovery.status === "fulfilled" ? recoveryWarning(db, recovery.value, advice) : undefined,
      ...(runs.status === "fulfilled"
        ? maintenanceWarnings(db, runs.value, this.config.apiUrl || "https://api.render.com/v1")
        : []),
    ];
    const shown = warnedOnce();
    for (const line of lines)
      if (line !== undefined && !shown.has(line)) {
        shown.add(line);
        (this.report ?? writeToStderr)(line);
      }
  }

  /** Creates the database (never a second one of the same name) and waits until it is available. */
  async create(inputs: PostgresProviderInputs): Promise<pulumi.dynamic.CreateResult<PostgresOutputs>> {
    const client = renderClientFrom(this.config);
    const once = await createOnce({
      words: postgresWords,
      advice: inputs.advice,
      name: inputs.name,
      ownerId: inputs.ownerId,
      adoptId: inputs.adoptId,
      adoptExisting: inputs.adoptExisting,
      ownerOf: (live) => live.owner.id,
      getById: (id) => client.getPostgres(id),
      findByName: () =>
        findByName(
          client.listPostgres({ name: [inputs.name], ownerId: [inputs.ownerId] }),
          inputs.name,
          inputs.ownerId,
          (db) => db.owner.id,
        ),
      replacedFields: (live) => diffPostgres(inputs, live).replaced,
      create: () => client.createPostgres(toCreatePostgresBody(inputs)),
      isNotFound,
      isOutcomeUnknown,
    });
    let db: Postgres;
    if (once.how === "adopted") {
      const patch = toPatchPostgresBody(inputs, once.live);
      db = Object.keys(patch).length > 0 ? await client.updatePostgres(once.live.id, patch) : once.live;
      await moveToEnvironment(client, db.id, inputs.environmentId, db.environmentId);
    } else db = once.how === "created" ? once.created : once.live;
    return { id: db.id, outs: await this.settle(client, db.id, inputs, "create") };
  }

  /** Reads the live database: outputs and the inputs it corresponds to (refresh and import). */
  async read(id: string, props?: PostgresOutputs): Promise<pulumi.dynamic.ReadResult<PostgresOutputs>> {
    const client = renderClientFrom(this.config);
    // Both reads at once (one round trip on a refresh's path, bench P2). The extension and the
    // service's links read the same connection info during a refresh: share it.
    const [database, connection] = await Promise.allSettled([
      client.getPostgres(id),
      renderClientFrom(this.config, { reuseReads: true }).getPostgresConnectionInfo(id),
    ]);
    // Gone: a refresh drops it only when the user said so; a protected database is never recreated silently.
    const live = liveForRead({ what: "database", id, name: props?.name, advice: props?.advice }, database);
    if (live === undefined) return {};
    if (connection.status === "rejected") throw connection.reason;
    const info = connection.value;
    // The advice is the program's, not Render's: kept as recorded, so a refresh shows no drift of it.
    const inputs = withAdvice(fromPostgres(live, props ?? {}), props?.advice);
    // ReadResult types `inputs` as outputs; ours are the input subset.
    return { id, props: outputsOf(inputs, live, info), inputs: inputs as PostgresOutputs };
  }

  /** PATCHes what differs from live and waits until the database is available again. */
  async update(
    id: string,
    _olds: PostgresOutputs,
    news: PostgresProviderInputs,
  ): Promise<pulumi.dynamic.UpdateResult<PostgresOutputs>> {
    const client = renderClientFrom(this.config);
    const live = await client.getPostgres(id);
    const patch = toPatchPostgresBody(news, live);
    if (Object.keys(patch).length > 0) await client.updatePostgres(id, patch);
    await moveToEnvironment(client, id, news.environmentId, live.environmentId);
    return { outs: await this.settle(client, id, news, "update") };
  }

  /** Deletes the database; one already gone counts as deleted. */
  async delete(id: string): Promise<void> {
    const client = renderClientFrom(this.config);
    await deleteIgnoringNotFound(() => client.deletePostgres(id));
  }

  /**
   * Waits for `available` and reads the connection info. A failure here happens after the database
   * exists: reject with its id so the engine keeps it in state instead of orphaning a paid database.
   */
  private async settle(
    client: RenderClient,
    id: string,
    inputs: PostgresProviderInputs,
    verb: "create" | "update",
  ): Promise<PostgresOutputs> {
    try {
      const live = await waitForPostgresAvailable(client, id, waitOptions(inputs));
      const info = await client.getPostgresConnectionInfo(id);
      return outputsOf(inputs, live, info);
    } catch (err) {
      const reason = isRenderApiError(err) || err instanceof Error ? err.message : String(err);
      throw Object.assign(
        new Error(
          `could not ${verb} database ${inputs.name} (${id}): ${reason}. The database exists and is kept in ` +
            "the stack's state; run `pulumi up` again once it is available",
        ),
        {
          id,
          properties: { ...inputs, status: "unknown", dashboardUrl: `https://dashboard.render.com/d/${id}` },
          reasons: [reason],
        },
      );
    }
  }
}

/** The warnings this process has written (the provider host lives for one engine command). */
function warnedOnce(): Set<string> {
  const holder = globalThis as unknown as Record<symbol, Set<string> | undefined>;
  const key = Symbol.for("arrakis.postgres.warned");
  return (holder[key] ??= new Set());
}

/** How a database is named in create-once messages. */
const postgresWords = {
  noun: "database",
  idHint: "the dpg-… id of its dashboard URL",
};

function liveValue(live: Postgres, field: string): unknown {
  return field === "ownerId" ? live.owner.id : (live as unknown as Record<string, unknown>)[field];
}
