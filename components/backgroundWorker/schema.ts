/**
 * The one description of a Render background worker's fields: a process that runs continuously and takes
 * no traffic (queues, schedulers, bots). They are the shared service fields
 * (components/service/schema.ts) a background worker has (no public URL and no health check path), with
 * paid plans only. `RenderBackgroundWorkerArgs`, `BackgroundWorkerInputs` and
 * `checkBackgroundWorkerInputs` derive from it.
 */
import { z } from "zod";
import { paidServicePlans } from "../render/enums";
import { fieldMetaOf, serviceFieldsWithout, planField, type EnvVarInput } from "../service/schema";

/** A Render background worker's fields, one property each, with its validation, default and metadata. */
export const backgroundWorkerFields = {
  ...serviceFieldsWithout("healthCheckPath", "schedule"),
  /** Plan: starter, standard, pro, pro_plus, pro_max or pro_ultra (no free instance). Default starter. */
  plan: planField(paidServicePlans, "background worker plan"),
};

/** The schema of a background worker's fields. */
export const backgroundWorkerSchema = z.object(backgroundWorkerFields);

/** The fields' metadata (`render`, `replaces`, `redeploys`, `blueprint`), by field. */
export const backgroundWorkerFieldMeta = fieldMetaOf(backgroundWorkerFields);

/** Inputs of a Render background worker after `check`: normalised, our spellings. */
export type BackgroundWorkerInputs = Omit<z.output<typeof backgroundWorkerSchema>, "envVars"> & {
  /** The whole set of env vars, by key. */
  envVars: Record<string, EnvVarInput>;
};

/** Inputs of a Render background worker as a user gives them, before defaults and normalisation. */
export type BackgroundWorkerArgsFields = z.input<typeof backgroundWorkerSchema>;
