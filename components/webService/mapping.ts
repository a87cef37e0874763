/**
 * Pure mapping for a Render web service: the shared service mapping (components/service/mapping.ts)
 * for the web service's kind. Names kept from before the other kinds existed, read by the app, the
 * Blueprint conversion and the policy.
 */
import type { CreateServiceBody } from "../render/schemas";
import type { InputFailure } from "../runtime/validation";
import {
  checkServiceKindInputs,
  diffServiceSettings,
  fromServiceSettings,
  immutableFieldsOf,
  serviceAdoptionChanges,
  serviceRules,
  toCreateServiceKindBody,
  toEnvVarBody,
  toPatchServiceKindBody,
  type LinkSource,
  type LiveService,
  type ServiceKind,
} from "../service/mapping";
import { webServiceFields, type ServiceInputs } from "./schema";

export {
  diffEnvVars,
  linkedValue,
  predictedServiceUrl,
  resolveEnvVars,
  sameRepo,
  toEnvVarBody,
  type LinkSource,
  type LiveService,
} from "../service/mapping";
export {
  envVarKeyPattern,
  envVarKinds,
  type EnvVarInput,
  type EnvVarKind,
  type ServiceInputs,
} from "./schema";

/** The web service kind: Render type `web_service`, with a public URL. */
export const webServiceKind: ServiceKind = {
  type: "web_service",
  what: "RenderWebService",
  fields: webServiceFields,
  publicUrl: true,
};

/** Service settings read back from Render, compared with the desired ones for drift. */
type LiveSettings = Omit<ServiceInputs, "envVars" | "adoptExisting" | "adoptId">;

/**
 * Fields that cannot change without replacing the service (`replaces` in schema.ts), alphabetical as
 * the diff lists them.
 */
export const serviceImmutableFields = immutableFieldsOf(webServiceKind) as (keyof LiveSettings)[];

/** Rules beyond single fields, on values already checked one by one (service/mapping.ts `serviceRules`). */
export function serviceFieldRules(inputs: Record<string, unknown>): InputFailure[] {
  return serviceRules(inputs, true);
}

/** Validates and normalises raw service inputs field by field with zod; unknown values pass through. */
export function checkServiceInputs(raw: Record<string, unknown>): {
  inputs: Record<string, unknown>;
  failures: InputFailure[];
} {
  return checkServiceKindInputs(webServiceKind, raw);
}

/** Live service settings as our inputs (env vars are read separately). */
export function fromService(live: LiveService): LiveSettings {
  return fromServiceSettings(webServiceKind, live) as LiveSettings;
}

/** Which settings differ from live: in place (`changed`), by scaling, or needing replacement. */
export function diffService(
  desired: ServiceInputs,
  live: LiveService,
): { changed: string[]; replaced: string[] } {
  return diffServiceSettings(webServiceKind, desired, live);
}

/** The POST /services body, env vars included so the first deploy already sees them. */
export function toCreateServiceBody(inputs: ServiceInputs): CreateServiceBody {
  return toCreateServiceKindBody(webServiceKind, inputs, toEnvVarBody(inputs.envVars));
}

/** The PATCH /services/{id} body for what differs from live (numInstances goes through /scale). */
export function toPatchServiceBody(
  inputs: ServiceInputs,
  live: LiveService,
): Record<string, unknown> | undefined {
  return toPatchServiceKindBody(webServiceKind, inputs, live);
}

/**
 * What adopting a live service changes, in lines a person reads in `pulumi preview` (see
 * `serviceAdoptionChanges`). Empty when the adoption changes nothing.
 */
export function adoptionChanges(
  desired: ServiceInputs,
  live: LiveService,
  liveEnv: Record<string, string>,
  sources: Record<string, LinkSource> = {},
): string[] {
  return serviceAdoptionChanges(webServiceKind, desired, live, liveEnv, sources);
}
