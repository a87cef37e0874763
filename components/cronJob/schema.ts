/**
 * The one description of a Render cron job's fields: a command run on a schedule (`schedule`, a cron
 * expression in UTC), each run a fresh instance. They are the shared service fields
 * (components/service/schema.ts) a cron job has (no instances (each run is one), no pre-deploy command,
 * no previews, no health check), with paid plans only. `RenderCronJobArgs`, `CronJobInputs` and
 * `checkCronJobInputs` derive from it.
 */
import { z } from "zod";
import { paidServicePlans } from "../render/enums";
import {
  adoptIdField,
  fieldMetaOf,
  serviceFieldsWithout,
  planField,
  type EnvVarInput,
} from "../service/schema";

/** A Render cron job's fields, one property each, with its validation, default and metadata. */
export const cronJobFields = {
  // openapi.json cronJobDetailsPOST has neither instances nor their autoscaling and shutdown delay;
  // a cron job's every run is a job already (its initialDeployHook on Render: UNCONFIRMED, not taken).
  ...serviceFieldsWithout(
    "preDeployCommand",
    "initialDeployHook",
    "healthCheckPath",
    "maxShutdownDelaySeconds",
    "numInstances",
    "scaling",
    "pullRequestPreviews",
  ),
  /** Plan: starter, standard, pro, pro_plus, pro_max or pro_ultra (no free instance). Default starter. */
  plan: planField(paidServicePlans, "cron job plan"),
  /**
   * Adopt exactly this live cron job (`crn-…`, from its dashboard URL) instead of creating one. It must
   * exist, be in the workspace and carry `name`; the first `pulumi up` changes only what differs.
   */
  adoptId: adoptIdField("crn", "cron job"),
};

/** The schema of a cron job's fields. */
export const cronJobSchema = z.object(cronJobFields);

/** The fields' metadata (`render`, `replaces`, `redeploys`, `blueprint`), by field. */
export const cronJobFieldMeta = fieldMetaOf(cronJobFields);

/** Inputs of a Render cron job after `check`: normalised, our spellings. */
export type CronJobInputs = Omit<z.output<typeof cronJobSchema>, "envVars"> & {
  /** The whole set of env vars, by key. */
  envVars: Record<string, EnvVarInput>;
};

/** Inputs of a Render cron job as a user gives them, before defaults and normalisation. */
export type CronJobArgsFields = z.input<typeof cronJobSchema>;
