/**
 * The one description of a Render web service's fields: what each means (JSDoc, shown on
 * `RenderWebServiceArgs`), how it is validated, its default and the render.yaml spellings it accepts.
 * The fields are the shared service fields (components/service/schema.ts) a web service has: every one
 * but a cron job's `schedule`. `RenderWebServiceArgs`, `ServiceInputs` and `checkServiceInputs` derive
 * from it.
 */
import { z } from "zod";
import {
  fieldMetaOf,
  serviceFieldsWithout,
  type EnvVarInput,
  type ServiceFieldMeta,
} from "../service/schema";

export {
  envVarKeyPattern,
  envVarKinds,
  type EnvVarInput,
  type EnvVarKind,
  type ServiceFieldMeta as WebServiceFieldMeta,
} from "../service/schema";

/** A Render web service's fields, one property each, with its validation, default and metadata. */
export const webServiceFields = serviceFieldsWithout("schedule");

/** The schema of a web service's fields. */
export const webServiceSchema = z.object(webServiceFields);

/** The type of the web service schema. */
export type WebServiceSchema = typeof webServiceSchema;

/** The fields' metadata (`render`, `replaces`, `redeploys`, `blueprint`), by field. */
export const webServiceFieldMeta: Record<string, ServiceFieldMeta> = fieldMetaOf(webServiceFields);

/** The names of the fields whose metadata satisfies `test`, in schema order. */
export function webServiceFieldsWhere(
  test: (m: ServiceFieldMeta) => boolean,
): (keyof typeof webServiceFields)[] {
  return (Object.keys(webServiceFields) as (keyof typeof webServiceFields)[]).filter((key) =>
    test(webServiceFieldMeta[key]),
  );
}

/**
 * Service settings that change what the app runs, so a new deploy (`redeploys`): RenderApp hashes them
 * into its deploy's trigger.
 */
export const serviceDeploySettings = webServiceFieldsWhere((m) => m.redeploys === true);

/** Inputs of a Render web service after `check`: normalised, our spellings. */
export type ServiceInputs = Omit<z.output<WebServiceSchema>, "envVars"> & {
  /** The whole set of env vars, by key. */
  envVars: Record<string, EnvVarInput>;
};

/** Inputs of a Render web service as a user gives them, before defaults and normalisation. */
export type WebServiceFields = z.input<WebServiceSchema>;
