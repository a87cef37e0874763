/**
 * The one description of a Render private service's fields: a service reachable only by the workspace's
 * other services on Render's private network, no public URL. They are the shared service fields
 * (components/service/schema.ts) a private service has (no public URL and no health check path), with
 * paid plans only. `RenderPrivateServiceArgs`, `PrivateServiceInputs` and `checkPrivateServiceInputs`
 * derive from it.
 */
import { z } from "zod";
import { paidServicePlans } from "../render/enums";
import { fieldMetaOf, serviceFieldsWithout, planField, type EnvVarInput } from "../service/schema";

/** A Render private service's fields, one property each, with its validation, default and metadata. */
export const privateServiceFields = {
  ...serviceFieldsWithout("healthCheckPath", "schedule"),
  /** Plan: starter, standard, pro, pro_plus, pro_max or pro_ultra (no free instance). Default starter. */
  plan: planField(paidServicePlans, "private service plan"),
};

/** The schema of a private service's fields. */
export const privateServiceSchema = z.object(privateServiceFields);

/** The fields' metadata (`render`, `replaces`, `redeploys`, `blueprint`), by field. */
export const privateServiceFieldMeta = fieldMetaOf(privateServiceFields);

/** Inputs of a Render private service after `check`: normalised, our spellings. */
export type PrivateServiceInputs = Omit<z.output<typeof privateServiceSchema>, "envVars"> & {
  /** The whole set of env vars, by key. */
  envVars: Record<string, EnvVarInput>;
};

/** Inputs of a Render private service as a user gives them, before defaults and normalisation. */
export type PrivateServiceArgsFields = z.input<typeof privateServiceSchema>;
