/**
 * Pure mapping for a Render private service: the shared service mapping (components/service/mapping.ts)
 * bound to its kind, Render type `private_service`.
 */
import { serviceKindMapping, type ServiceKind } from "../service/mapping";
import { privateServiceFields, type PrivateServiceInputs } from "./schema";

export type { PrivateServiceInputs } from "./schema";

/** The private service kind: Render type `private_service`, no public URL. */
export const privateServiceKind: ServiceKind = {
  type: "private_service",
  what: "RenderPrivateService",
  fields: privateServiceFields,
  publicUrl: false,
};

/**
 * The private service's mapping: `checkPrivateServiceInputs`, `fromPrivateService`, `diffPrivateService`, `toCreatePrivateServiceBody`,
 * `toPatchPrivateServiceBody`, `privateServiceAdoptionChanges`, and the fields whose change replaces it.
 */
export const {
  immutableFields: privateServiceImmutableFields,
  check: checkPrivateServiceInputs,
  from: fromPrivateService,
  diff: diffPrivateService,
  toCreateBody: toCreatePrivateServiceBody,
  toPatchBody: toPatchPrivateServiceBody,
  adoptionChanges: privateServiceAdoptionChanges,
} = serviceKindMapping<PrivateServiceInputs>(privateServiceKind);
