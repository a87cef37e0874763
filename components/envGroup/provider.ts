/**
 * The dynamic provider behind `RenderEnvGroup`: check/diff/create/read/update/delete over Render's
 * `/env-groups` API. Services are linked by `RenderEnvGroupLink`, one resource per service and group,
 * never here. Values and file contents are secrets: no message shows one.
 */
import type * as pulumi from "@pulumi/pulumi";
import {
  checkEnvGroupInputs,
  diffEnvGroup,
  envGroupAdoptionChanges,
  envGroupWrites,
  fromEnvGroup,
  generatedValuesOf,
  toCreateEnvGroupBody,
  type EnvGroupInputs,
  type EnvGroupWrite,
} from "./mapping";
import { isUnknown } from "../runtime/validation";
import { RenderClient, isOutcomeUnknown } from "../render/client";
import { isNotFound, isRenderApiError } from "../render/errors";
import type { EnvGroup } from "../render/schemas";
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
export type EnvGroupProviderInputs = Advised<EnvGroupInputs>;

/** What a `RenderEnvGroup` holds in state: its inputs plus what Render reports. */
export interface EnvGroupOutputs extends EnvGroupProviderInputs {
  /** Secret: the values Render generated for `generateValue` vars, by key. */
  generatedValues: Record<string, string>;
  /** The ids of the services linked to the group now (by RenderEnvGroupLink or outside Pulumi). */
  linkedServiceIds: string[];
}

/** Outputs that are secrets (the inputs' own are secret too: the resource marks them). */
export const envGroupSecretOutputs = ["envVars", "secretFiles", "generatedValues"];

function outputsOf(inputs: EnvGroupProviderInputs, live: EnvGroup): EnvGroupOutputs {
  return {
    ...inputs,
    generatedValues: generatedValuesOf(inputs, live),
    linkedServiceIds: (live.serviceLinks ?? []).map((l) => l.id),
  };
}

/** Sends one write of {@link envGroupWrites}. */
async function send(client: RenderClient, id: string, write: EnvGroupWrite): Promise<void> {
  switch (write.kind) {
    case "rename":
      await client.renameEnvGroup(id, write.name);
      return;
    case "putEnvVar":
      await client.putEnvGroupEnvVar(id, write.key, write.body);
      return;
    case "deleteEnvVar":
      await deleteIgnoringNotFound(() => client.deleteEnvGroupEnvVar(id, write.key));
      return;
    case "putSecretFile":
      await client.putEnvGroupSecretFile(id, write.name, write.content);
      return;
    case "deleteSecretFile":
      await deleteIgnoringNotFound(() => client.deleteEnvGroupSecretFile(id, write.name));
  }
}

/** The `ResourceProvider` of Render env groups. */
export class EnvGroupProvider implements pulumi.dynamic.ResourceProvider<
  EnvGroupProviderInputs,
  EnvGroupOutputs
> {
  private config: RenderProviderConfig = {};

  /** `report`: where the adoption report goes (default stderr, whose lines the engine shows). */
  constructor(private readonly report?: (line: string) => void) {}

  /** Reads `render:apiKey` and `render:apiUrl` from stack config: the key is never an input. */
  async configure(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
    this.config = providerConfigFrom((key) => req.config.get(key));
  }

  /** Validates every field (names the property and what is allowed); reads, never writes. */
  async check(
    olds: EnvGroupProviderInputs,
    news: EnvGroupProviderInputs,
  ): Promise<pulumi.dynamic.CheckResult<EnvGroupProviderInputs>> {
    return checkNamedObject<EnvGroupInputs>(
      this.config,
      olds,
      news as unknown as Record<string, unknown>,
      checkEnvGroupInputs,
      (inputs) =>
        reportAdoption(
          "env group",
          inputs,
          async () => {
            const client = renderClientFrom(this.config, { reuseReads: true });
            const live = await client.getEnvGroup(inputs.adoptId!);
            if (live.name !== inputs.name || live.ownerId !== inputs.ownerId) return undefined;
            return envGroupAdoptionChanges(inputs, live);
          },
          this.report,
        ),
    );
  }

  /**
   * Compares the desired group with the live one, so a var or file changed in the dashboard shows as a
   * change. Options that live only in state (adoption, advice) never count as changes.
   */
  async diff(
    id: string,
    _olds: EnvGroupOutputs,
    news: EnvGroupProviderInputs,
  ): Promise<pulumi.dynamic.DiffResult> {
    const client = renderClientFrom(this.config, { reuseReads: true });
    const live = await liveForDiff({ what: "env group", id, name: news.name, advice: news.advice }, () =>
      client.getEnvGroup(id),
    );
    if (isUnknown(news)) return { changes: true };
    const { changed, replaced } = diffEnvGroup(news, live);
    if (replaced.length > 0 && !news.allowReplacement) {
      const what = replaced
        .map((f) => {
          const now = f === "ownerId" ? live.ownerId : (live.environmentId ?? null);
          return `${f} (live ${JSON.stringify(now)}, wanted ${JSON.stringify(news[f as keyof EnvGroupInputs])})`;
        })
        .join(", ");
      throw new Error(
        `could not plan env group ${news.name} (${id}): changing ${what} would replace the env group: its ` +
          "generated values would be lost and its services unlinked. Keep the old value, or set " +
          "`allowReplacement: true` on the resource to replace it on purpose",
      );
    }
    return {
      changes: changed.length > 0 || replaced.length > 0,
      replaces: replaced,
      deleteBeforeReplace: replaced.length > 0,
    };
  }

  /** Creates the group (never a second one of the same name), or adopts and converges an existing one. */
  async create(inputs: EnvGroupProviderInputs): Promise<pulumi.dynamic.CreateResult<EnvGroupOutputs>> {
    const client = renderClientFrom(this.config);
    const once = await createOnce({
      words: { noun: "env group", idHint: "the evg-… id of its dashboard URL" },
      advice: inputs.advice,
      name: inputs.name,
      ownerId: inputs.ownerId,
      adoptId: inputs.adoptId,
      adoptExisting: inputs.adoptExisting,
      ownerOf: (live) => live.ownerId,
      getById: (id) => client.getEnvGroup(id),
      findByName: async () => {
        const found = await findByName(
          (async function* () {
            yield* await client.listEnvGroups({ name: [inputs.name], ownerId: [inputs.ownerId] });
          })(),
          inputs.name,
          inputs.ownerId,
          (g) => g.ownerId,
        );
        // The list has no values: converge from the whole group.
        return found && client.getEnvGroup(found.id);
      },
      replacedFields: (live) => diffEnvGroup(inputs, live).replaced,
      create: () => client.createEnvGroup(toCreateEnvGroupBody(inputs)),
      isNotFound,
      isOutcomeUnknown,
    });
    if (once.how === "created") return { id: once.created.id, outs: outputsOf(inputs, once.created) };
    return { id: once.live.id, outs: await this.converge(client, once.live, inputs, "create") };
  }

  /** Reads the live group: outputs and the inputs it corresponds to (refresh and import). */
  async read(id: string, props?: EnvGroupOutputs): Promise<pulumi.dynamic.ReadResult<EnvGroupOutputs>> {
    const client = renderClientFrom(this.config);
    const [found] = await Promise.allSettled([client.getEnvGroup(id)]);
    const live = liveForRead({ what: "env group", id, name: props?.name, advice: props?.advice }, found);
    if (live === undefined) return {};
    const inputs = withAdvice(fromEnvGroup(live, props), props?.advice);
    return { id, props: outputsOf(inputs, live), inputs: inputs as EnvGroupOutputs };
  }

  /** Renames and puts or removes each var and file that differs from live. */
  async update(
    id: string,
    _olds: EnvGroupOutputs,
    news: EnvGroupProviderInputs,
  ): Promise<pulumi.dynamic.UpdateResult<EnvGroupOutputs>> {
    const client = renderClientFrom(this.config);
    const live = await client.getEnvGroup(id);
    return { outs: await this.converge(client, live, news, "update") };
  }

  /** Deletes the group; one already gone counts as deleted. */
  async delete(id: string): Promise<void> {
    const client = renderClientFrom(this.config);
    await deleteIgnoringNotFound(() => client.deleteEnvGroup(id));
  }

  /**
   * Sends the writes that make `live` what `inputs` say, then reads the group back. A failure here
   * happens after the group exists: reject with its id so the engine keeps it in state.
   */
  private async converge(
    client: RenderClient,
    live: EnvGroup,
    inputs: EnvGroupProviderInputs,
    verb: "create" | "update",
  ): Promise<EnvGroupOutputs> {
    try {
      for (const write of envGroupWrites(inputs, live)) await send(client, live.id, write);
      await moveToEnvironment(client, live.id, inputs.environmentId, live.environmentId);
      return outputsOf(inputs, await client.getEnvGroup(live.id));
    } catch (err) {
      const reason = isRenderApiError(err) || err instanceof Error ? err.message : String(err);
      throw Object.assign(
        new Error(
          `could not ${verb} env group ${inputs.name} (${live.id}): ${reason}. The env group exists and is ` +
            "kept in the stack's state; run `pulumi up` again to finish",
        ),
        {
          id: live.id,
          properties: { ...inputs, generatedValues: {}, linkedServiceIds: [] },
          reasons: [reason],
        },
      );
    }
  }
}
