/**
 * Pure mapping for custom domains: user inputs -> normalised inputs, a live domain -> the inputs it
 * corresponds to, and the apex/www sibling Render adds itself (never a field, never drift).
 */
import type { CustomDomain } from "../render/schemas";
import { checkFields, type InputFailure } from "../runtime/validation";
import {
  customDomainDefaults,
  customDomainFields,
  customDomainFieldsWhere,
  customDomainProviderOptions,
  type CustomDomainFieldMeta,
  type CustomDomainInputs,
} from "./schema";

export { customDomainImmutableFields, type CustomDomainInputs } from "./schema";

/** The subset of Render's custom domain that mapping reads. */
export type LiveCustomDomain = Pick<
  CustomDomain,
  "id" | "name" | "domainType" | "verificationStatus" | "redirectForName" | "publicSuffix"
>;

/** Validates and normalises raw inputs field by field; values unknown during preview pass through. */
export function checkCustomDomainInputs(raw: Record<string, unknown>): {
  inputs: Record<string, unknown>;
  failures: InputFailure[];
} {
  return checkFields(customDomainFields, raw, "RenderCustomDomain");
}

/**
 * The inputs a live domain of service `serviceId` corresponds to (read, import, refresh), with the
 * provider's options from `base` or else their defaults.
 */
export function fromCustomDomain(
  live: LiveCustomDomain,
  serviceId: string,
  base?: Partial<CustomDomainInputs>,
): CustomDomainInputs {
  const options: Record<string, unknown> = {};
  for (const field of customDomainProviderOptions) {
    const value = base?.[field] ?? customDomainDefaults[field];
    if (value !== undefined) options[field] = value;
  }
  return { name: live.name, serviceId, ...options } as CustomDomainInputs;
}

/**
 * What differs between the desired domain and the live one of service `serviceId`: every setting of a
 * domain is its identity, so any difference is a replacement.
 */
export function diffCustomDomain(
  desired: CustomDomainInputs,
  live: LiveCustomDomain,
  serviceId: string,
): { changed: string[]; replaced: string[] } {
  const now = fromCustomDomain(live, serviceId) as unknown as Record<string, unknown>;
  const replaced: string[] = [];
  const changed: string[] = [];
  for (const field of customDomainFieldsWhere((m) => m.render === true)) {
    if (desired[field] === now[field]) continue;
    const { replaces } = (customDomainFields[field].meta() ?? {}) as CustomDomainFieldMeta;
    (replaces ? replaced : changed).push(field);
  }
  return { changed, replaced };
}

/** The domain of `name` among what Render answered (the create's array holds the sibling too). */
export function pickDomain<T extends Pick<CustomDomain, "name">>(domains: T[], name: string): T | undefined {
  return domains.find((d) => d.name === name);
}

/**
 * The siblings Render added for `name`: domains of the service that redirect to it. They belong to the
 * domain: not drift, and removed with it.
 */
export function siblingsOf<T extends Pick<CustomDomain, "redirectForName">>(domains: T[], name: string): T[] {
  return domains.filter((d) => d.redirectForName === name);
}

/** Whether a live domain is a sibling Render added for another name (it redirects to that name). */
export function isRenderSibling(live: Pick<CustomDomain, "redirectForName">): boolean {
  return typeof live.redirectForName === "string" && live.redirectForName !== "";
}
