/**
 * Pure mapping for a Render background worker: the shared service mapping (components/service/mapping.ts)
 * bound to its kind, Render type `background_worker`.
 */
import { serviceKindMapping, type ServiceKind } from "../service/mapping";
import { backgroundWorkerFields, type BackgroundWorkerInputs } from "./schema";

export type { BackgroundWorkerInputs } from "./schema";

/** The background worker kind: Render type `background_worker`, no public URL. */
export const backgroundWorkerKind: ServiceKind = {
  type: "background_worker",
  what: "RenderBackgroundWorker",
  fields: backgroundWorkerFields,
  publicUrl: false,
};

/**
 * The background worker's mapping: `checkBackgroundWorkerInputs`, `fromBackgroundWorker`, `diffBackgroundWorker`, `toCreateBackgroundWorkerBody`,
 * `toPatchBackgroundWorkerBody`, `backgroundWorkerAdoptionChanges`, and the fields whose change replaces it.
 */
export const {
  immutableFields: backgroundWorkerImmutableFields,
  check: checkBackgroundWorkerInputs,
  from: fromBackgroundWorker,
  diff: diffBackgroundWorker,
  toCreateBody: toCreateBackgroundWorkerBody,
  toPatchBody: toPatchBackgroundWorkerBody,
  adoptionChanges: backgroundWorkerAdoptionChanges,
} = serviceKindMapping<BackgroundWorkerInputs>(backgroundWorkerKind);
