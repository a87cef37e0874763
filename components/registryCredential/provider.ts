/**
 * The dynamic provider behind `RenderRegistryCredential` over Render's `/registrycredentials` API. Render
 * answers neither the token nor the workspace of a credential: the token's drift cannot be seen (a change
 * of the input PATCHes it), and the workspace is the one the list was filtered by.
 */
import type * as pulumi from "@pulumi/pulumi";
import {
  checkRegistryCredentialInputs,
  diffRegistryCredential,
  registryCredentialAdoptionChanges,
  toCreateRegistryCredentialBody,
  toPatchRegistryCredentialBody,
  type RegistryCredentialInputs,
} from "./mapping";
import { isUnknown } from "../runtime/validation";
import { isOutcomeUnknown } from "../render/client";
import { isNotFound } from "../render/errors";
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

/** The provider's inputs. */
export type RegistryCredentialProviderInputs = Advised<RegistryCredentialInputs>;

/** What a `RenderRegistryCredential` holds in state: its inputs (the token secret). */
export interface RegistryCredentialOutputs extends RegistryCredentialProviderInputs {
  /** When Render last changed it. */
  updatedAt: string;
}

/** Outputs that are secrets. */
export const registryCredentialSecretOutputs = ["authToken"];

/** The `ResourceProvider` of Render registry credentials. */
export class RegistryCredentialProvider implements pulumi.dynamic.ResourceProvider<
  RegistryCredentialProviderInputs,
  RegistryCredentialOutputs
> {
  private config: RenderProviderConfig = {};

  /** `report`: where the adoption report goes (default stderr). */
  constructor(private readonly report?: (line: string) => void) {}

  /** Reads `render:apiKey` and `render:apiUrl` from stack config. */
  async configure(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
    this.config = providerConfigFrom((key) => req.config.get(key));
  }

  /** Validates every field; on a first adoption by id, reports what the up changes. */
  async check(
    olds: RegistryCredentialProviderInputs,
    news: RegistryCredentialProviderInputs,
  ): Promise<pulumi.dynamic.CheckResult<RegistryCredentialProviderInputs>> {
    return checkNamedObject<RegistryCredentialInputs>(
      this.config,
      olds,
      news as unknown as Record<string, unknown>,
      checkRegistryCredentialInputs,
      (inputs) =>
        reportAdoption(
          "registry credential",
          inputs,
          async () => {
            const client = renderClientFrom(this.config, { reuseReads: true });
            const live = await client.getRegistryCredential(inputs.adoptId!);
            if (live.name !== inputs.name) return undefined;
            return registryCredentialAdoptionChanges(inputs, live);
          },
          this.report,
        ),
    );
  }

  /** Name, registry and username against live; the token against the recorded input; ownerId replaces. */
  async diff(
    id: string,
    olds: RegistryCredentialOutputs,
    news: RegistryCredentialProviderInputs,
  ): Promise<pulumi.dynamic.DiffResult> {
    const client = renderClientFrom(this.config, { reuseReads: true });
    const live = await liveForDiff(
      { what: "registry credential", id, name: news.name, advice: news.advice },
      () => client.getRegistryCredential(id),
    );
    if (isUnknown(news)) return { changes: true };
    const changed = diffRegistryCredential(news, live, olds.authToken);
    const replaces = olds.ownerId !== undefined && olds.ownerId !== news.ownerId ? ["ownerId"] : [];
    return {
      changes: changed.length > 0 || replaces.length > 0,
      replaces,
      deleteBeforeReplace: replaces.length > 0,
    };
  }

  /** Creates the credential (never a second one of the same name), or adopts one and sets every field. */
  async create(
    inputs: RegistryCredentialProviderInputs,
  ): Promise<pulumi.dynamic.CreateResult<RegistryCredentialOutputs>> {
    const client = renderClientFrom(this.config);
    const once = await createOnce({
      words: { noun: "registry credential", idHint: "the rgc-… id of the workspace's settings" },
      advice: inputs.advice,
      name: inputs.name,
      ownerId: inputs.ownerId,
      adoptId: inputs.adoptId,
      adoptExisting: inputs.adoptExisting,
      // Render's credential has no owner: the list is filtered by the workspace (UNCONFIRMED that a get
      // by id answers only the key's workspaces).
      ownerOf: () => inputs.ownerId,
      getById: (id) => client.getRegistryCredential(id),
      findByName: async () =>
        findByName(
          (async function* () {
            yield* await client.listRegistryCredentials({ name: [inputs.name], ownerId: [inputs.ownerId] });
          })(),
          inputs.name,
          inputs.ownerId,
          () => inputs.ownerId,
        ),
      replacedFields: () => [],
      create: () => client.createRegistryCredential(toCreateRegistryCredentialBody(inputs)),
      isNotFound,
      isOutcomeUnknown,
    });
    // An adopted (or recovered) credential's token is unknown: set every field.
    const live =
      once.how === "created"
        ? once.created
        : await client.updateRegistryCredential(once.live.id, toPatchRegistryCredentialBody(inputs));
    return { id: live.id, outs: { ...inputs, updatedAt: live.updatedAt ?? "" } };
  }

  /** Reads the live credential; the token and workspace stay those of the state. */
  async read(
    id: string,
    props?: RegistryCredentialOutputs,
  ): Promise<pulumi.dynamic.ReadResult<RegistryCredentialOutputs>> {
    const client = renderClientFrom(this.config);
    const [found] = await Promise.allSettled([client.getRegistryCredential(id)]);
    const live = liveForRead(
      { what: "registry credential", id, name: props?.name, advice: props?.advice },
      found,
    );
    if (live === undefined) return {};
    const inputs = withAdvice(
      {
        name: live.name,
        registry: live.registry,
        username: live.username,
        ownerId: props?.ownerId ?? "",
        authToken: props?.authToken ?? "",
        adoptExisting: props?.adoptExisting ?? false,
        ...(props?.adoptId !== undefined ? { adoptId: props.adoptId } : {}),
      } as RegistryCredentialInputs,
      props?.advice,
    );
    return {
      id,
      props: { ...inputs, updatedAt: live.updatedAt ?? "" },
      inputs: inputs as RegistryCredentialOutputs,
    };
  }

  /** PATCHes every field (Render takes them all again). */
  async update(
    id: string,
    _olds: RegistryCredentialOutputs,
    news: RegistryCredentialProviderInputs,
  ): Promise<pulumi.dynamic.UpdateResult<RegistryCredentialOutputs>> {
    const client = renderClientFrom(this.config);
    const live = await client.updateRegistryCredential(id, toPatchRegistryCredentialBody(news));
    return { outs: { ...news, updatedAt: live.updatedAt ?? "" } };
  }

  /** Deletes the credential; one already gone counts as deleted. */
  async delete(id: string): Promise<void> {
    const client = renderClientFrom(this.config);
    await deleteIgnoringNotFound(() => client.deleteRegistryCredential(id));
  }
}
