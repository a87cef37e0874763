/**
 * The dynamic providers of a credential rotation (render.com/docs/postgresql-credentials, REFERENCE §9:
 * new user, move the apps, then delete the old one):
 * - `RenderPostgresCredential` makes the rotation's user (`POST /postgres/{id}/credentials`); Render makes
 *   it the database's default user, so the connection info, and every env var linked to the database,
 *   name it from then on. Deleting the resource never deletes the user: the apps may use it.
 * - `RetiredPostgresCredentials`, ordered after what moves the apps (a deploy), deletes the users the
 *   rotation replaced: the database's own user and earlier rotations' users, never the default one.
 * Both are safe to run again: the user's name comes from the label (schema.ts), so a retried or resumed
 * up finds the user it made instead of making another, and the old users stay until the step after
 * the apps' move runs. The new user's connection string is kept as a secret output; no password is logged.
 */
import type * as pulumi from "@pulumi/pulumi";
import { isOutcomeUnknown, type RenderClient } from "../render/client";
import { isNotFound } from "../render/errors";
import type { PostgresCredential } from "../render/schemas";
import { pollUntil } from "../render/wait";
import { providerConfigFrom, renderClientFrom, type RenderProviderConfig } from "../runtime/config";
import { writeToStderr } from "../runtime/createOnce";
import { deleteIgnoringNotFound } from "../runtime/providerSkeleton";
import { isUnknown } from "../runtime/validation";
import {
  checkPostgresCredentialInputs,
  checkRetiredPostgresCredentialsInputs,
  isRetirable,
  type PostgresCredentialInputs,
  type RetiredPostgresCredentialsInputs,
} from "./schema";

export type { PostgresCredentialInputs, RetiredPostgresCredentialsInputs } from "./schema";

/** What a `RenderPostgresCredential` holds in state: its inputs (no password: none is ever read). */
export interface PostgresCredentialOutputs extends PostgresCredentialInputs {
  /** Whether the user is the database's default one (the connection info names it), as last read. */
  isDefault: boolean;
  /**
   * Secret: the user's connection string from outside Render (SSL required), read from the connection info
   * while it is the default user; for a program's own tools (e.g. migrations run from this machine).
   */
  externalConnectionString: string;
}

/** Outputs that are secrets without a secret input of the same name. */
export const postgresCredentialSecretOutputs = ["externalConnectionString"];

/** What a `RetiredPostgresCredentials` holds in state. */
export interface RetiredPostgresCredentialsOutputs extends RetiredPostgresCredentialsInputs {
  /** The users it deleted in its last run. */
  retired: string[];
  /** Users it left alone: not made by a rotation (another name), so not its to delete. */
  leftAlone: string[];
}

/** The rotation's steps as the preview and the up write them, before any write. */
export function rotationPlan(
  inputs: Pick<PostgresCredentialInputs, "postgresId" | "username" | "steps">,
  users: PostgresCredential[] | undefined,
  databaseUser: string,
): string {
  const exists = users?.some((u) => u.username === inputs.username);
  const lines = [
    exists
      ? `user ${inputs.username} exists (made by an earlier up that did not finish): kept, not made again`
      : `create user ${inputs.username} (Render makes it the default user: the connection info names it)`,
    ...inputs.steps,
  ];
  const old = users
    ?.filter((u) => isRetirable(u.username, databaseUser, inputs.username))
    .map((u) => u.username);
  lines.push(
    old === undefined
      ? "delete the users it replaces (the database's own user and earlier rotations'), which work until then"
      : old.length === 0
        ? "delete the users it replaces: none left"
        : `delete user ${old.join(", ")} (working until then)`,
  );
  return [
    `rotating the credentials of database ${inputs.postgresId}: pulumi up will`,
    ...lines.map((line, i) => `    ${i + 1}. ${line}`),
  ].join("\n");
}

async function users(client: RenderClient, postgresId: string): Promise<PostgresCredential[]> {
  return client.listPostgresCredentials(postgresId);
}

function credentialId(inputs: { postgresId: string; username: string }): string {
  return `${inputs.postgresId}/${inputs.username}`;
}

/** The `ResourceProvider` of a rotation's new user. */
export class PostgresCredentialProvider implements pulumi.dynamic.ResourceProvider<
  PostgresCredentialInputs,
  PostgresCredentialOutputs
> {
  private config: RenderProviderConfig = {};

  /** `report`: where the rotation's steps go (default stderr, whose lines the engine shows). */
  constructor(private readonly report: (text: string) => void = writeToStderr) {}

  /** Reads `render:apiKey` and `render:apiUrl` from stack config: the key is never an input. */
  async configure(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
    this.config = providerConfigFrom((key) => req.config.get(key));
  }

  /**
   * Validates every field and makes the user's name; when the name is new (a new label), writes the
   * rotation's steps, in the preview and again in the up. Reads only.
   */
  async check(
    olds: Partial<PostgresCredentialInputs>,
    news: PostgresCredentialInputs,
  ): Promise<pulumi.dynamic.CheckResult<PostgresCredentialInputs>> {
    const { inputs, failures } = checkPostgresCredentialInputs(news as unknown as Record<string, unknown>);
    if (failures.length === 0 && !isUnknown(inputs.username) && olds?.username !== inputs.username) {
      let live: PostgresCredential[] | undefined;
      if (!isUnknown(inputs.postgresId))
        live = await users(renderClientFrom(this.config, { reuseReads: true }), inputs.postgresId).catch(
          () => undefined,
        );
      this.report(rotationPlan(inputs, live, inputs.databaseUser));
    }
    return { inputs, failures };
  }

  /** Another label or database is a new user (the old one is retired by RetiredPostgresCredentials). */
  async diff(
    _id: string,
    olds: PostgresCredentialOutputs,
    news: PostgresCredentialInputs,
  ): Promise<pulumi.dynamic.DiffResult> {
    const replaces = (["postgresId", "username"] as const).filter((key) => olds[key] !== news[key]);
    const words = (
      ["steps", "waitTimeoutSeconds", "pollIntervalSeconds", "rotation", "databaseUser"] as const
    ).some((key) => JSON.stringify(olds[key]) !== JSON.stringify(news[key]));
    // Words and waits are recorded without a change of the user.
    return { changes: replaces.length > 0 || words, replaces, deleteBeforeReplace: false };
  }

  /**
   * Makes the user, or finds the one an earlier up made (never two), and waits until Render makes it the
   * default. A user of that name that is not the default is not adopted: the apps would not move to it.
   */
  async create(
    inputs: PostgresCredentialInputs,
  ): Promise<pulumi.dynamic.CreateResult<PostgresCredentialOutputs>> {
    const client = renderClientFrom(this.config);
    const { postgresId, username } = inputs;
    const id = credentialId(inputs);
    const before = await users(client, postgresId);
    const found = before.find((u) => u.username === username);
    if (found && !found.default)
      throw new Error(
        `could not rotate the credentials of database ${postgresId}: user ${username} exists but is not the ` +
          `default user (${before.find((u) => u.default)?.username ?? "none"} is), so the apps would not move ` +
          "to it. Choose a new rotation label",
      );
    if (!found) {
      try {
        await client.createPostgresCredential(postgresId, username);
      } catch (err) {
        // The POST may have been applied: look before anything else, never POST twice.
        if (!isOutcomeUnknown(err)) throw rotationError("create user", inputs, err);
        const after = await users(client, postgresId);
        if (!after.some((u) => u.username === username))
          throw rotationError(
            "create user",
            inputs,
            err,
            "No such user exists now, so running `pulumi up` again is safe",
          );
      }
    }
    try {
      await this.waitForDefault(client, inputs);
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      throw Object.assign(
        rotationError(
          "create user",
          inputs,
          err,
          "The user is kept in the stack's state; run `pulumi up` again",
        ),
        {
          id,
          properties: { ...inputs, isDefault: false, externalConnectionString: "" },
          reasons: [reason],
        },
      );
    }
    const info = await client.getPostgresConnectionInfo(postgresId);
    return {
      id,
      outs: { ...inputs, isDefault: true, externalConnectionString: info.externalConnectionString },
    };
  }

  /** Reads whether the user still exists and is the default; a user deleted outside is gone (made again). */
  async read(
    id: string,
    props?: PostgresCredentialOutputs,
  ): Promise<pulumi.dynamic.ReadResult<PostgresCredentialOutputs>> {
    if (!props)
      throw new Error(`could not read credential ${id}: import it by setting its rotation label instead`);
    const client = renderClientFrom(this.config, { reuseReads: true });
    let live: PostgresCredential[];
    try {
      live = await users(client, props.postgresId);
    } catch (err) {
      // The database's own read says what to do when it is gone.
      if (isNotFound(err)) return { id, props };
      throw err;
    }
    const user = live.find((u) => u.username === props.username);
    if (!user) return {};
    // The connection info is the default user's: read it only while that is this one.
    const externalConnectionString = user.default
      ? (await client.getPostgresConnectionInfo(props.postgresId)).externalConnectionString
      : props.externalConnectionString;
    const { isDefault: _d, externalConnectionString: _c, ...inputs } = props;
    return {
      id,
      props: { ...props, isDefault: user.default === true, externalConnectionString },
      inputs: inputs as PostgresCredentialOutputs,
    };
  }

  /** Only words or waits changed: nothing to do on Render. */
  async update(
    _id: string,
    olds: PostgresCredentialOutputs,
    news: PostgresCredentialInputs,
  ): Promise<pulumi.dynamic.UpdateResult<PostgresCredentialOutputs>> {
    return {
      outs: { ...news, isDefault: olds.isDefault, externalConnectionString: olds.externalConnectionString },
    };
  }

  /**
   * Keeps the user: the apps may still use it (it is the default until another rotation). The users a
   * rotation replaces are deleted by RetiredPostgresCredentials, after the apps moved.
   */
  async delete(_id: string, _props: PostgresCredentialOutputs): Promise<void> {}

  private async waitForDefault(client: RenderClient, inputs: PostgresCredentialInputs): Promise<void> {
    await pollUntil(
      `user ${inputs.username} to be the default user of database ${inputs.postgresId}`,
      async () => {
        const live = await users(client, inputs.postgresId);
        const user = live.find((u) => u.username === inputs.username);
        return {
          done: user?.default === true,
          value: undefined,
          state: user ? (user.default ? "default" : "not the default") : "not listed yet",
        };
      },
      { timeoutMs: inputs.waitTimeoutSeconds * 1000, intervalMs: inputs.pollIntervalSeconds * 1000 },
    );
  }
}

function rotationError(verb: string, inputs: PostgresCredentialInputs, err: unknown, then?: string): Error {
  const reason = err instanceof Error ? err.message : String(err);
  return new Error(
    `could not ${verb} ${inputs.username} of database ${inputs.postgresId}: ${reason}` +
      `. The old user keeps working${then ? `. ${then}` : ""}`,
  );
}

/** The `ResourceProvider` of the step that deletes the users a rotation replaced. */
export class RetiredPostgresCredentialsProvider implements pulumi.dynamic.ResourceProvider<
  RetiredPostgresCredentialsInputs,
  RetiredPostgresCredentialsOutputs
> {
  private config: RenderProviderConfig = {};

  /** Reads `render:apiKey` and `render:apiUrl` from stack config. */
  async configure(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
    this.config = providerConfigFrom((key) => req.config.get(key));
  }

  /** Validates every field. */
  async check(
    _olds: RetiredPostgresCredentialsInputs,
    news: RetiredPostgresCredentialsInputs,
  ): Promise<pulumi.dynamic.CheckResult<RetiredPostgresCredentialsInputs>> {
    return checkRetiredPostgresCredentialsInputs(news as unknown as Record<string, unknown>);
  }

  /**
   * A new user to keep is a change; so is a replaced user still on Render (an up stopped before this
   * step): the next up deletes it.
   */
  async diff(
    _id: string,
    olds: RetiredPostgresCredentialsOutputs,
    news: RetiredPostgresCredentialsInputs,
  ): Promise<pulumi.dynamic.DiffResult> {
    if (isUnknown(news)) return { changes: true };
    if (
      olds.keep !== news.keep ||
      olds.postgresId !== news.postgresId ||
      olds.databaseUser !== news.databaseUser
    )
      return { changes: true };
    const client = renderClientFrom(this.config, { reuseReads: true });
    let live: PostgresCredential[];
    try {
      live = await users(client, news.postgresId);
    } catch (err) {
      if (isNotFound(err)) return { changes: false };
      throw err;
    }
    return { changes: live.some((u) => isRetirable(u.username, news.databaseUser, news.keep)) };
  }

  /** Deletes the replaced users (see {@link retire}). */
  async create(
    inputs: RetiredPostgresCredentialsInputs,
  ): Promise<pulumi.dynamic.CreateResult<RetiredPostgresCredentialsOutputs>> {
    return { id: `${inputs.postgresId}/retired`, outs: await this.retire(inputs) };
  }

  /** Nothing to read on Render: what it deleted stays deleted. */
  async read(
    id: string,
    props?: RetiredPostgresCredentialsOutputs,
  ): Promise<pulumi.dynamic.ReadResult<RetiredPostgresCredentialsOutputs>> {
    return { id, props };
  }

  /** Deletes the replaced users (see {@link retire}). */
  async update(
    _id: string,
    _olds: RetiredPostgresCredentialsOutputs,
    news: RetiredPostgresCredentialsInputs,
  ): Promise<pulumi.dynamic.UpdateResult<RetiredPostgresCredentialsOutputs>> {
    return { outs: await this.retire(news) };
  }

  /** Deletes nothing: the users it deleted are gone, the one kept is in use. */
  async delete(): Promise<void> {}

  /**
   * Deletes every user the rotation replaced, once `keep` is the default user (else nothing: the apps
   * may still use another). Users of other names are left alone and listed.
   */
  private async retire(inputs: RetiredPostgresCredentialsInputs): Promise<RetiredPostgresCredentialsOutputs> {
    const client = renderClientFrom(this.config);
    const live = await users(client, inputs.postgresId);
    const keep = live.find((u) => u.username === inputs.keep);
    if (!keep?.default)
      throw new Error(
        `could not delete the old users of database ${inputs.postgresId}: ${inputs.keep} ` +
          (keep
            ? `is not the default user (${live.find((u) => u.default)?.username ?? "none"} is)`
            : "does not exist") +
          ", so the apps may still use another user. Nothing was deleted",
      );
    const retired = live
      .filter((u) => isRetirable(u.username, inputs.databaseUser, inputs.keep))
      .map((u) => u.username);
    for (const username of retired)
      await deleteIgnoringNotFound(() => client.deletePostgresCredential(inputs.postgresId, username)).catch(
        (err: unknown) => {
          throw new Error(
            `could not delete user ${username} of database ${inputs.postgresId}: ${err instanceof Error ? err.message : String(err)}` +
              `. ${inputs.keep} is the default user; run \`pulumi up\` again to delete the rest`,
          );
        },
      );
    const leftAlone = live
      .filter((u) => u.username !== inputs.keep && !retired.includes(u.username))
      .map((u) => u.username);
    return { ...inputs, retired, leftAlone };
  }
}
