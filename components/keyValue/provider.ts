/**
 * The dynamic provider behind `RenderKeyValue`: check/diff/create/read/update/delete over Render's
 * `/key-value` API. It runs from the bundled providers package (runtime/package.ts): it reaches only the
 * Render client, the pure mapping and node built-ins, and builds clients inside methods.
 */
import type * as pulumi from "@pulumi/pulumi";
import {
  checkKeyValueInputs,
  diffKeyValue,
  fromKeyValue,
  keyValueAdoptionChanges,
  toCreateKeyValueBody,
  toPatchKeyValueBody,
  type KeyValueInputs,
} from "./mapping";
import { isUnknown } from "../runtime/validation";
import { RenderClient, isOutcomeUnknown } from "../render/client";
import { isNotFound, isRenderApiError } from "../render/errors";
import type { KeyValue, KeyValueConnectionInfo } from "../render/schemas";
import { pollUntil, type WaitOptions } from "../render/wait";
import { withAdvice, type Advised } from "../runtime/advice";
import { providerConfigFrom, renderClientFrom, type RenderProviderConfig } from "../runtime/config";
import { createOnce } from "../runtime/createOnce";
import {
  checkNamedObject,
  deleteIgnoringNotFound,
  findByName,
  liveForDiff,
  liveForRead,
  reportAdoption,
} from "../runtime/providerSkeleton";
import { moveToEnvironment } from "../runtime/environment";

/** The provider's inputs: the schema's fields, and the program's `advice` for messages. */
export type KeyValueProviderInputs = Advised<KeyValueInputs>;

/** What a `RenderKeyValue` holds in state: its inputs plus what Render reports. */
export interface KeyValueOutputs extends KeyValueProviderInputs {
  /** Render's status, e.g. `available`. */
  status: string;
  /** Link to the instance in Render's dashboard. */
  dashboardUrl: string;
  /** The Valkey version Render runs, e.g. `8.1.4`. */
  version: string;
  /** Secret: `redis://…` inside Render's private network. */
  internalConnectionString: string;
  /** Secret: `rediss://…` from outside Render (TLS; holds the password). */
  externalConnectionString: string;
}

/** Outputs that are secrets without a secret input of the same name. */
export const keyValueSecretOutputs = ["internalConnectionString", "externalConnectionString"];

/**
 * The dashboard link: Render's list item has it, its detail object does not (OBSERVED). The path form
 * `/r/<id>` is UNCONFIRMED.
 */
function dashboardUrlOf(live: Pick<KeyValue, "id" | "dashboardUrl">): string {
  return live.dashboardUrl ?? `https://dashboard.render.com/r/${live.id}`;
}

function waitOptions(inputs: KeyValueProviderInputs): WaitOptions {
  return {
    timeoutMs: inputs.waitTimeoutSeconds * 1000,
    intervalMs: inputs.pollIntervalSeconds * 1000,
    rampFromMs: 1000,
  };
}

/** Waits until a Key Value is `available`; `suspended` will not change on its own. */
export function waitForKeyValueAvailable(
  client: Pick<RenderClient, "getKeyValue">,
  keyValueId: string,
  options: WaitOptions,
): Promise<KeyValue> {
  return pollUntil(
    `Key Value ${keyValueId} to become available`,
    async () => {
      const kv = await client.getKeyValue(keyValueId);
      return {
        done: kv.status === "available",
        failed: kv.status === "suspended" ? kv.status : undefined,
        value: kv,
        state: `status ${kv.status}`,
      };
    },
    options,
  );
}

function outputsOf(
  inputs: KeyValueProviderInputs,
  live: KeyValue,
  info: KeyValueConnectionInfo,
): KeyValueOutputs {
  return {
    ...inputs,
    status: live.status,
    dashboardUrl: dashboardUrlOf(live),
    version: live.version ?? "",
    internalConnectionString: info.internalConnectionString,
    externalConnectionString: info.externalConnectionString,
  };
}

/** The `ResourceProvider` of Render Key Value instances. */
export class KeyValueProvider implements pulumi.dynamic.ResourceProvider<
  KeyValueProviderInputs,
  KeyValueOutputs
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
    olds: KeyValueProviderInputs,
    news: KeyValueProviderInputs,
  ): Promise<pulumi.dynamic.CheckResult<KeyValueProviderInputs>> {
    return checkNamedObject<KeyValueInputs>(
      this.config,
      olds,
      news as unknown as Record<string, unknown>,
      checkKeyValueInputs,
      (inputs) =>
        reportAdoption(
          "Key Value",
          inputs,
          async () => {
            const client = renderClientFrom(this.config, { reuseReads: true });
            const live = await client.getKeyValue(inputs.adoptId!);
            if (live.name !== inputs.name || live.owner.id !== inputs.ownerId) return undefined;
            return keyValueAdoptionChanges(inputs, live);
          },
          this.report,
        ),
    );
  }

  /**
   * Compares the desired state with the live instance, so drift made in the dashboard shows field by
   * field. Options that live only in state (adoption, waits, advice) never count as changes.
   */
  async diff(
    id: string,
    _olds: KeyValueOutputs,
    news: KeyValueProviderInputs,
  ): Promise<pulumi.dynamic.DiffResult> {
    const client = renderClientFrom(this.config, { reuseReads: true });
    const live = await liveForDiff({ what: "Key Value", id, name: news.name, advice: news.advice }, () =>
      client.getKeyValue(id),
    );
    if (isUnknown(news)) return { changes: true };
    const { changed, replaced } = diffKeyValue(news, live);
    if (replaced.length > 0 && !news.allowReplacement) {
      const now = fromKeyValue(live) as unknown as Record<string, unknown>;
      const what = replaced
        .map(
          (f) =>
            `${f} (live ${JSON.stringify(now[f] ?? null)}, wanted ${JSON.stringify(news[f as keyof KeyValueInputs])})`,
        )
        .join(", ");
      throw new Error(
        `could not plan Key Value ${news.name} (${id}): changing ${what} would replace the Key Value and ` +
          "destroy its data. Keep the old value, or set `allowReplacement: true` on the resource to " +
          "replace it on purpose",
      );
    }
    return {
      changes: changed.length > 0 || replaced.length > 0,
      replaces: replaced,
      // Never two instances of one name at once (create-once refuses a second one).
      deleteBeforeReplace: replaced.length > 0,
    };
  }

  /** Creates the instance (never a second one of the same name) and waits until it is available. */
  async create(inputs: KeyValueProviderInputs): Promise<pulumi.dynamic.CreateResult<KeyValueOutputs>> {
    const client = renderClientFrom(this.config);
    let listed: KeyValue | undefined;
    const once = await createOnce({
      words: { noun: "Key Value", idHint: "the red-… id of its dashboard URL" },
      advice: inputs.advice,
      name: inputs.name,
      ownerId: inputs.ownerId,
      adoptId: inputs.adoptId,
      adoptExisting: inputs.adoptExisting,
      ownerOf: (live) => live.owner.id,
      getById: (id) => client.getKeyValue(id),
      findByName: async () =>
        (listed = await findByName(
          client.listKeyValue({ name: [inputs.name], ownerId: [inputs.ownerId] }),
          inputs.name,
          inputs.ownerId,
          (kv) => kv.owner.id,
        )),
      replacedFields: (live) => diffKeyValue(inputs, live).replaced,
      create: () => client.createKeyValue(toCreateKeyValueBody(inputs)),
      isNotFound,
      isOutcomeUnknown,
    });
    let id: string;
    if (once.how === "adopted") {
      const patch = toPatchKeyValueBody(inputs, once.live);
      if (Object.keys(patch).length > 0) await client.updateKeyValue(once.live.id, patch);
      await moveToEnvironment(client, once.live.id, inputs.environmentId, once.live.environmentId);
      id = once.live.id;
    } else id = once.how === "created" ? once.created.id : once.live.id;
    return { id, outs: await this.settle(client, id, inputs, "create", listed?.dashboardUrl) };
  }

  /** Reads the live instance: outputs and the inputs it corresponds to (refresh and import). */
  async read(id: string, props?: KeyValueOutputs): Promise<pulumi.dynamic.ReadResult<KeyValueOutputs>> {
    const client = renderClientFrom(this.config);
    const [kv, connection] = await Promise.allSettled([
      client.getKeyValue(id),
      renderClientFrom(this.config, { reuseReads: true }).getKeyValueConnectionInfo(id),
    ]);
    const live = liveForRead({ what: "Key Value", id, name: props?.name, advice: props?.advice }, kv);
    if (live === undefined) return {};
    if (connection.status === "rejected") throw connection.reason;
    // An import (no state yet) takes every live setting; a refresh keeps to the fields the state has.
    const inputs = withAdvice(fromKeyValue(live, props, props === undefined), props?.advice);
    const outs = outputsOf(inputs, live, connection.value);
    // The detail object has no dashboardUrl: keep the one in state (it never changes for an id).
    if (props?.dashboardUrl) outs.dashboardUrl = props.dashboardUrl;
    return { id, props: outs, inputs: inputs as KeyValueOutputs };
  }

  /** PATCHes what differs from live and waits until the instance is available again. */
  async update(
    id: string,
    olds: KeyValueOutputs,
    news: KeyValueProviderInputs,
  ): Promise<pulumi.dynamic.UpdateResult<KeyValueOutputs>> {
    const client = renderClientFrom(this.config);
    const live = await client.getKeyValue(id);
    const patch = toPatchKeyValueBody(news, live);
    if (Object.keys(patch).length > 0) await client.updateKeyValue(id, patch);
    await moveToEnvironment(client, id, news.environmentId, live.environmentId);
    return { outs: await this.settle(client, id, news, "update", olds.dashboardUrl) };
  }

  /** Deletes the instance; one already gone counts as deleted. */
  async delete(id: string): Promise<void> {
    const client = renderClientFrom(this.config);
    await deleteIgnoringNotFound(() => client.deleteKeyValue(id));
  }

  /**
   * Waits for `available` and reads the connection info. A failure here happens after the instance
   * exists: reject with its id so the engine keeps it in state instead of orphaning a paid instance.
   */
  private async settle(
    client: RenderClient,
    id: string,
    inputs: KeyValueProviderInputs,
    verb: "create" | "update",
    dashboardUrl: string | undefined,
  ): Promise<KeyValueOutputs> {
    try {
      const live = await waitForKeyValueAvailable(client, id, waitOptions(inputs));
      const info = await client.getKeyValueConnectionInfo(id);
      return outputsOf(inputs, { ...live, dashboardUrl: dashboardUrl ?? live.dashboardUrl }, info);
    } catch (err) {
      const reason = isRenderApiError(err) || err instanceof Error ? err.message : String(err);
      throw Object.assign(
        new Error(
          `could not ${verb} Key Value ${inputs.name} (${id}): ${reason}. The Key Value exists and is kept ` +
            "in the stack's state; run `pulumi up` again once it is available",
        ),
        {
          id,
          properties: { ...inputs, status: "unknown", dashboardUrl: dashboardUrl ?? dashboardUrlOf({ id }) },
          reasons: [reason],
        },
      );
    }
  }
}
