/**
 * Pure mapping for a Render cron job: the shared service mapping (components/service/mapping.ts)
 * bound to its kind, Render type `cron_job`.
 */
import { serviceKindMapping, type ServiceKind } from "../service/mapping";
import { cronJobFields, type CronJobInputs } from "./schema";

export type { CronJobInputs } from "./schema";

/** The cron job kind: Render type `cron_job`, no public URL. */
export const cronJobKind: ServiceKind = {
  type: "cron_job",
  what: "RenderCronJob",
  fields: cronJobFields,
  publicUrl: false,
};

/**
 * The cron job's mapping: `checkCronJobInputs`, `fromCronJob`, `diffCronJob`, `toCreateCronJobBody`,
 * `toPatchCronJobBody`, `cronJobAdoptionChanges`, and the fields whose change replaces it.
 */
export const {
  immutableFields: cronJobImmutableFields,
  check: checkCronJobInputs,
  from: fromCronJob,
  diff: diffCronJob,
  toCreateBody: toCreateCronJobBody,
  toPatchBody: toPatchCronJobBody,
  adoptionChanges: cronJobAdoptionChanges,
} = serviceKindMapping<CronJobInputs>(cronJobKind);
