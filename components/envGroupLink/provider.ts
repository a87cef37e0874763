/**
 * The dynamic provider behind `RenderEnvGroupLink`: one service linked to one env group
 * (`POST/DELETE /env-groups/{id}/services/{serviceId}`). Linking is idempotent on Render's side, so
 * create-once needs no look-up by name: a link already there is adopted (and reported), never doubled.
 * A group named by `envGroupName` (one that already exists in the workspace) is looked up in `check`,
 * read-only, so a preview fails naming it when the workspace has none; it is never created.
 */
import type * as pulumi from "@pulumi/pulumi";
import {
  checkEnvGroupLinkInputs,
  diffEnvGroupLink,
  envGroupLinkId,
  isLinked,
  looksUpByName,
  parseEnvGroupLinkId,
  workspaceEnvGroup,
  type EnvGroupLinkInputs,
} from "./mapping";
import { isUnknown } from "../runtime/validation";
import { isNotFound } from "../render/errors";
import { providerConfigFrom, renderClientFrom, type RenderProviderConfig } from "../runtime/config";
import { writeToStderr } from "../runtime/createOnce";
import { deleteIgnoringNotFound } from "../runtime/providerSkeleton";

/** What a `RenderEnvGroupLink` holds in state. */
export interface EnvGroupLinkOutputs extends EnvGroupLinkInputs {
  /** The group's name on Render when linked. */
  envGroupName: string;
  /** The service's name on Render when linked. */
  serviceName: string;
}

/** The `ResourceProvider` of links between a service and an env group. */
export class EnvGroupLinkProvider implements pulumi.dynamic.ResourceProvider<
  EnvGroupLinkInputs,
  EnvGroupLinkOutputs
> {
  private config: RenderProviderConfig = {};

  /** `report`: where the adoption line goes (default stderr, whose lines the engine shows). */
  constructor(private readonly report: (line: string) => void = writeToStderr) {}

  /** Reads `render:apiKey` and `render:apiUrl` from stack config. */
  async configure(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
    this.config = providerConfigFrom((key) => req.config.get(key));
  }

  /**
   * Validates both ids (naming the property and the form expected). A group named by `envGroupName` is
   * looked up in its workspace (a read, never a write) and its id becomes `envGroupId`: none of that
   * name is a failure naming it, so the preview stops before anything is created.
   */
  async check(
    _olds: EnvGroupLinkInputs,
    news: EnvGroupLinkInputs,
  ): Promise<pulumi.dynamic.CheckResult<EnvGroupLinkInputs>> {
    const { inputs, failures } = checkEnvGroupLinkInputs(news as unknown as Record<string, unknown>);
    const checked = inputs as unknown as EnvGroupLinkInputs;
    if (failures.length === 0 && looksUpByName(checked)) {
      const { envGroupName: name, ownerId } = checked;
      const client = renderClientFrom(this.config, { reuseReads: true });
      const found = workspaceEnvGroup(
        await client.listEnvGroups({ name: [name], ownerId: [ownerId] }),
        name,
        ownerId,
      );
      if ("problem" in found) failures.push({ property: "envGroupName", reason: found.problem });
      else if (news.envGroupId !== undefined && !isUnknown(news.envGroupId) && news.envGroupId !== found.id)
        failures.push({
          property: "envGroupId",
          reason: `is ${news.envGroupId}, but env group ${JSON.stringify(name)} is ${found.id}: give one of them`,
        });
      else checked.envGroupId = found.id;
    }
    return { inputs: checked, failures };
  }

  /**
   * Another group or service is another link (replaced: the new one is made first). The same pair
   * unlinked outside Pulumi shows as a change that `pulumi up` links again.
   */
  async diff(
    id: string,
    olds: EnvGroupLinkOutputs,
    news: EnvGroupLinkInputs,
  ): Promise<pulumi.dynamic.DiffResult> {
    if (isUnknown(news)) return { changes: true };
    const replaced = diffEnvGroupLink(olds, news);
    if (replaced.length > 0) return { changes: true, replaces: replaced, deleteBeforeReplace: false };
    const client = renderClientFrom(this.config, { reuseReads: true });
    const { envGroupId, serviceId } = parseEnvGroupLinkId(id);
    try {
      const live = await client.getEnvGroup(envGroupId);
      return { changes: !isLinked(live, serviceId), replaces: [] };
    } catch (err) {
      // The group is gone: its own resource says so; this link shows as one to make again.
      if (isNotFound(err)) return { changes: true, replaces: [] };
      throw err;
    }
  }

  /** Links the service (a link already there is adopted, reported, and not sent again). */
  async create(inputs: EnvGroupLinkInputs): Promise<pulumi.dynamic.CreateResult<EnvGroupLinkOutputs>> {
    return { id: envGroupLinkId(inputs), outs: await this.link(inputs, true) };
  }

  /** Links the pair again when it was unlinked outside Pulumi. */
  async update(
    _id: string,
    _olds: EnvGroupLinkOutputs,
    news: EnvGroupLinkInputs,
  ): Promise<pulumi.dynamic.UpdateResult<EnvGroupLinkOutputs>> {
    return { outs: await this.link(news, false) };
  }

  /** The link as Render has it; gone (group deleted or service unlinked): dropped from state. */
  async read(
    id: string,
    props?: EnvGroupLinkOutputs,
  ): Promise<pulumi.dynamic.ReadResult<EnvGroupLinkOutputs>> {
    const { envGroupId, serviceId } = parseEnvGroupLinkId(id);
    // The link is part of its group on Render (`serviceLinks`): in one refresh the group's own resource and
    // each of its links read the same object, so they share one answer (in flight or just made; any write
    // forgets it), as a database's extensions share its connection info.
    const client = renderClientFrom(this.config, { reuseReads: true });
    let live;
    try {
      live = await client.getEnvGroup(envGroupId);
    } catch (err) {
      if (isNotFound(err)) return {};
      throw err;
    }
    const link = (live.serviceLinks ?? []).find((l) => l.id === serviceId);
    if (!link) return {};
    // A group found by name (only such a link has a workspace input) stays named so: refresh shows
    // no change, and a group renamed on Render fails the next preview, naming it.
    const inputs = {
      envGroupId,
      serviceId,
      ...(props?.ownerId !== undefined ? { envGroupName: props.envGroupName, ownerId: props.ownerId } : {}),
    };
    return {
      id,
      props: { ...props, ...inputs, envGroupName: live.name, serviceName: link.name },
      inputs: inputs as EnvGroupLinkOutputs,
    };
  }

  /** Unlinks the service; a link (or group) already gone counts as done. */
  async delete(id: string): Promise<void> {
    const { envGroupId, serviceId } = parseEnvGroupLinkId(id);
    const client = renderClientFrom(this.config);
    await deleteIgnoringNotFound(() => client.unlinkEnvGroupService(envGroupId, serviceId));
  }

  private async link(inputs: EnvGroupLinkInputs, reportAdopted: boolean): Promise<EnvGroupLinkOutputs> {
    const client = renderClientFrom(this.config);
    const { envGroupId, serviceId } = inputs;
    let live;
    try {
      live = await client.getEnvGroup(envGroupId);
    } catch (err) {
      if (isNotFound(err))
        throw new Error(
          `could not link service ${serviceId} to env group ${envGroupId}: no such env group on Render (check envGroupId)`,
        );
      throw err;
    }
    if (isLinked(live, serviceId)) {
      if (reportAdopted)
        this.report(
          `adopting the link of service ${serviceId} to env group ${live.name} (${envGroupId}): it exists already`,
        );
    } else {
      try {
        live = await client.linkEnvGroupService(envGroupId, serviceId);
      } catch (err) {
        if (isNotFound(err))
          throw new Error(
            `could not link service ${serviceId} to env group ${live.name} (${envGroupId}): no such service in the ` +
              "group's workspace (check serviceId)",
          );
        throw err;
      }
    }
    const link = (live.serviceLinks ?? []).find((l) => l.id === serviceId);
    return { ...inputs, envGroupName: live.name, serviceName: link?.name ?? "" };
  }
}
