/** Pure mapping for disks: inputs check (with the grow-only rule), bodies, drift and adoption lines. */
import type { CreateDiskBody, Disk, UpdateDiskBody } from "../render/schemas";
import { checkFields, isUnknown, type InputFailure } from "../runtime/validation";
import { diskFields, diskFieldsWhere, type DiskFieldMeta, type DiskInputs } from "./schema";

export type { DiskInputs } from "./schema";

/** The subset of Render's disk that mapping reads. */
export type LiveDisk = Pick<Disk, "id" | "name" | "sizeGB" | "mountPath" | "serviceId">;

/** The refusal of a smaller disk, naming both sizes. */
export function shrinkProblem(from: number, to: number): string {
  return `cannot shrink a disk from ${from} GB to ${to} GB: a Render disk only grows. Keep ${from} or more`;
}

/**
 * Validates raw inputs field by field; with `recordedSizeGB` (the state's), a smaller size fails here,
 * before any call.
 */
export function checkDiskInputs(
  raw: Record<string, unknown>,
  recordedSizeGB?: number,
): { inputs: Record<string, unknown>; failures: InputFailure[] } {
  const { inputs, failures } = checkFields(diskFields, raw, "RenderDisk");
  const size = inputs.sizeGB;
  if (recordedSizeGB !== undefined && typeof size === "number" && !isUnknown(size) && size < recordedSizeGB)
    failures.push({ property: "sizeGB", reason: shrinkProblem(recordedSizeGB, size) });
  return { inputs, failures };
}

/** Which desired settings differ from live: in place (`changed`) and needing a new disk (`replaced`). */
export function diffDisk(desired: DiskInputs, live: LiveDisk): { changed: string[]; replaced: string[] } {
  const changed: string[] = [];
  const replaced: string[] = [];
  for (const field of diskFieldsWhere((m) => m.render === true)) {
    if (desired[field] === live[field as keyof LiveDisk]) continue;
    const { replaces } = (diskFields[field].meta() ?? {}) as DiskFieldMeta;
    (replaces ? replaced : changed).push(field);
  }
  return { changed, replaced };
}

/** The POST /disks body. */
export function toCreateDiskBody(inputs: DiskInputs): CreateDiskBody {
  const { name, sizeGB, mountPath, serviceId } = inputs;
  return { name, sizeGB, mountPath, serviceId };
}

/** The PATCH /disks/{id} body: what differs. @throws when it would shrink the disk (no call is made). */
export function toPatchDiskBody(inputs: DiskInputs, live: LiveDisk): UpdateDiskBody {
  if (inputs.sizeGB < live.sizeGB) throw new Error(shrinkProblem(live.sizeGB, inputs.sizeGB));
  const { changed } = diffDisk(inputs, live);
  const body: UpdateDiskBody = {};
  if (changed.includes("name")) body.name = inputs.name;
  if (changed.includes("mountPath")) body.mountPath = inputs.mountPath;
  if (changed.includes("sizeGB")) body.sizeGB = inputs.sizeGB;
  return body;
}

/** What adopting a live disk changes, in lines (both sides; nothing secret). */
export function diskAdoptionChanges(desired: DiskInputs, live: LiveDisk): string[] {
  return diffDisk(desired, live).changed.map(
    (f) =>
      `~ ${f}: ${JSON.stringify(live[f as keyof LiveDisk])} => ${JSON.stringify(desired[f as keyof DiskInputs])}`,
  );
}
