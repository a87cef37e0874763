/**
 * Pure mapping for registry credentials: inputs check, bodies, and drift of what Render answers back
 * (name, registry, username). The token cannot be read: it differs only when the inputs change it.
 */
import type { RegistryCredential, RegistryCredentialBody } from "../render/schemas";
import { checkFields, type InputFailure } from "../runtime/validation";
import {
  registryCredentialFields,
  registryCredentialReadableFields,
  type RegistryCredentialInputs,
} from "./schema";

export type { RegistryCredentialInputs } from "./schema";

/** Validates raw inputs field by field (values not known during preview pass through). */
export function checkRegistryCredentialInputs(raw: Record<string, unknown>): {
  inputs: Record<string, unknown>;
  failures: InputFailure[];
} {
  return checkFields(registryCredentialFields, raw, "RenderRegistryCredential");
}

/** The readable settings that differ from live; `authToken` too when `oldToken` is given and differs. */
export function diffRegistryCredential(
  desired: RegistryCredentialInputs,
  live: Pick<RegistryCredential, "name" | "registry" | "username">,
  oldToken?: string,
): string[] {
  const changed: string[] = registryCredentialReadableFields.filter(
    (f) => desired[f] !== live[f as "name" | "registry" | "username"],
  );
  if (oldToken !== undefined && oldToken !== desired.authToken) changed.push("authToken");
  return changed;
}

/** The POST body. */
export function toCreateRegistryCredentialBody(inputs: RegistryCredentialInputs): RegistryCredentialBody {
  const { name, registry, username, authToken, ownerId } = inputs;
  return { name, registry, username, authToken, ownerId };
}

/** The PATCH body: Render takes every field again, the token included. */
export function toPatchRegistryCredentialBody(
  inputs: RegistryCredentialInputs,
): Omit<RegistryCredentialBody, "ownerId"> {
  const { name, registry, username, authToken } = inputs;
  return { name, registry, username, authToken };
}

/** What adopting a live credential changes, in lines; the token is always set (it cannot be read). */
export function registryCredentialAdoptionChanges(
  desired: RegistryCredentialInputs,
  live: Pick<RegistryCredential, "name" | "registry" | "username">,
): string[] {
  return [
    ...diffRegistryCredential(desired, live).map(
      (f) =>
        `~ ${f}: ${JSON.stringify(live[f as "name" | "registry" | "username"])} => ${JSON.stringify(desired[f as keyof RegistryCredentialInputs])}`,
    ),
    "~ authToken: set to the config's ([secret]; Render never shows the live one)",
  ];
}
