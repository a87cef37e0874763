/**
 * The dynamic provider behind `RenderDisk` over Render's `/disks` API: a persistent disk of one service.
 * A disk only grows: a smaller size fails `check` (against the state) and `diff` (against Render) before
 * any call that changes anything.
 */
import type * as pulumi from "@pulumi/pulumi";
import {
  checkDiskInputs,
  diffDisk,
  diskAdoptionChanges,
  shrinkProblem,
  toCreateDiskBody,
  toPatchDiskBody,
  type DiskInputs,
} from "./mapping";
import { isUnknown } from "../runtime/validation";
import { isOutcomeUnknown } from "../render/client";
import { isNotFound } from "../render/errors";
import type { Disk } from "../render/schemas";
import { providerConfigFrom, renderClientFrom, type RenderProviderConfig } from "../runtime/config";
import { createOnce } from "../runtime/createOnce";
import {
  deleteIgnoringNotFound,
  findByName,
  liveForDiff,
  liveForRead,
  reportAdoption,
} from "../runtime/providerSkeleton";

/** What a `RenderDisk` holds in state. */
export interface DiskOutputs extends DiskInputs {
  /** When Render last changed it. */
  updatedAt: string;
}

const outputsOf = (inputs: DiskInputs, live: Disk): DiskOutputs => ({
  ...inputs,
  updatedAt: live.updatedAt ?? "",
});

/** The `ResourceProvider` of Render disks. */
export class DiskProvider implements pulumi.dynamic.ResourceProvider<DiskInputs, DiskOutputs> {
  private config: RenderProviderConfig = {};

  /** `report`: where the adoption report goes (default stderr). */
  constructor(private readonly report?: (line: string) => void) {}

  /** Reads `render:apiKey` and `render:apiUrl` from stack config. */
  async configure(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
    this.config = providerConfigFrom((key) => req.config.get(key));
  }

  /** Validates every field, and refuses a smaller size than the state's; on a first adoption, reports. */
  async check(olds: DiskInputs, news: DiskInputs): Promise<pulumi.dynamic.CheckResult<DiskInputs>> {
    const checked = checkDiskInputs(news as unknown as Record<string, unknown>, olds?.sizeGB);
    const inputs = checked.inputs as unknown as DiskInputs;
    if (
      checked.failures.length === 0 &&
      olds?.name === undefined &&
      inputs.adoptId &&
      !isUnknown(inputs.adoptId)
    )
      await reportAdoption(
        "disk",
        { name: inputs.name, ownerId: inputs.serviceId, adoptId: inputs.adoptId },
        async () => {
          const live = await renderClientFrom(this.config, { reuseReads: true }).getDisk(inputs.adoptId!);
          if (live.name !== inputs.name || live.serviceId !== inputs.serviceId) return undefined;
          return diskAdoptionChanges(inputs, live);
        },
        this.report,
      );
    return { inputs, failures: checked.failures };
  }

  /** Field by field against live; a shrink or an unallowed new service fails here, before any write. */
  async diff(id: string, _olds: DiskOutputs, news: DiskInputs): Promise<pulumi.dynamic.DiffResult> {
    const client = renderClientFrom(this.config, { reuseReads: true });
    const live = await liveForDiff({ what: "disk", id, name: news.name }, () => client.getDisk(id));
    if (isUnknown(news)) return { changes: true };
    const { changed, replaced } = diffDisk(news, live);
    if (replaced.length === 0 && news.sizeGB < live.sizeGB)
      throw new Error(`could not plan disk ${news.name} (${id}): ${shrinkProblem(live.sizeGB, news.sizeGB)}`);
    if (replaced.length > 0 && !news.allowReplacement)
      throw new Error(
        `could not plan disk ${news.name} (${id}): moving it from service ${live.serviceId} to ${news.serviceId} ` +
          "would replace the disk and destroy its data. Keep serviceId, or set `allowReplacement: true` on the " +
          "resource to replace it on purpose",
      );
    return {
      changes: changed.length > 0 || replaced.length > 0,
      replaces: replaced,
      deleteBeforeReplace: replaced.length > 0,
    };
  }

  /** Adds the disk (never a second one of the name on the service), or adopts and changes one. */
  async create(inputs: DiskInputs): Promise<pulumi.dynamic.CreateResult<DiskOutputs>> {
    const client = renderClientFrom(this.config);
    const once = await createOnce({
      words: {
        noun: "disk",
        idHint: "the dsk-… id Render gives the service's disk",
        owner: { noun: "service", field: "serviceId" },
      },
      name: inputs.name,
      // A disk's name is unique on its service: the service stands where a workspace does.
      ownerId: inputs.serviceId,
      adoptId: inputs.adoptId,
      adoptExisting: inputs.adoptExisting,
      ownerOf: (live) => live.serviceId ?? "",
      getById: (id) => client.getDisk(id),
      findByName: () =>
        findByName(
          client.listDisks({ serviceId: [inputs.serviceId], name: [inputs.name] }),
          inputs.name,
          inputs.serviceId,
          (d) => d.serviceId ?? "",
        ),
      replacedFields: (live) => diffDisk(inputs, live).replaced,
      create: () => client.createDisk(toCreateDiskBody(inputs)),
      isNotFound,
      isOutcomeUnknown,
    });
    if (once.how === "created") return { id: once.created.id, outs: outputsOf(inputs, once.created) };
    const patch = toPatchDiskBody(inputs, once.live);
    const live = Object.keys(patch).length > 0 ? await client.updateDisk(once.live.id, patch) : once.live;
    return { id: live.id, outs: outputsOf(inputs, live) };
  }

  /** Reads the live disk (refresh and import). */
  async read(id: string, props?: DiskOutputs): Promise<pulumi.dynamic.ReadResult<DiskOutputs>> {
    const client = renderClientFrom(this.config);
    const [found] = await Promise.allSettled([client.getDisk(id)]);
    const live = liveForRead({ what: "disk", id, name: props?.name }, found);
    if (live === undefined) return {};
    const inputs: DiskInputs = {
      serviceId: live.serviceId ?? props?.serviceId ?? "",
      name: live.name,
      mountPath: live.mountPath,
      sizeGB: live.sizeGB,
      adoptExisting: props?.adoptExisting ?? false,
      allowReplacement: props?.allowReplacement ?? false,
      ...(props?.adoptId !== undefined ? { adoptId: props.adoptId } : {}),
    };
    return { id, props: outputsOf(inputs, live), inputs: inputs as DiskOutputs };
  }

  /** PATCHes what differs (a shrink is refused before the call). */
  async update(
    id: string,
    _olds: DiskOutputs,
    news: DiskInputs,
  ): Promise<pulumi.dynamic.UpdateResult<DiskOutputs>> {
    const client = renderClientFrom(this.config);
    const current = await client.getDisk(id);
    const patch = toPatchDiskBody(news, current);
    const live = Object.keys(patch).length > 0 ? await client.updateDisk(id, patch) : current;
    return { outs: outputsOf(news, live) };
  }

  /** Deletes the disk and its data; one already gone counts as deleted. */
  async delete(id: string): Promise<void> {
    const client = renderClientFrom(this.config);
    await deleteIgnoringNotFound(() => client.deleteDisk(id));
  }
}
