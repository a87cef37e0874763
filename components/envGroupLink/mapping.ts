/** Pure mapping for env group links: inputs check, the link's id, and whether a live group has it. */
import type { EnvGroup } from "../render/schemas";
import { checkFields, type InputFailure } from "../runtime/validation";
import { envGroupLinkFields, envGroupLinkImmutableFields, type EnvGroupLinkInputs } from "./schema";

export type { EnvGroupLinkInputs } from "./schema";

/** Validates raw inputs field by field (values not known during preview pass through). */
export function checkEnvGroupLinkInputs(raw: Record<string, unknown>): {
  inputs: Record<string, unknown>;
  failures: InputFailure[];
} {
  return checkFields(envGroupLinkFields, raw, "RenderEnvGroupLink");
}

/** The link's id in the stack's state: `<envGroupId>:<serviceId>` (Render gives a link no id of its own). */
export function envGroupLinkId(inputs: EnvGroupLinkInputs): string {
  return `${inputs.envGroupId}:${inputs.serviceId}`;
}

/** The pair a link id names. @throws on an id not made by {@link envGroupLinkId}. */
export function parseEnvGroupLinkId(id: string): EnvGroupLinkInputs {
  const [envGroupId, serviceId, ...rest] = id.split(":");
  if (!envGroupId || !serviceId || rest.length > 0)
    throw new Error(`${JSON.stringify(id)} is not an env group link id: expected "evg-…:srv-…"`);
  return { envGroupId, serviceId };
}

/** Whether a live group lists the service among its links. */
export function isLinked(live: Pick<EnvGroup, "serviceLinks">, serviceId: string): boolean {
  return (live.serviceLinks ?? []).some((l) => l.id === serviceId);
}

/** The fields that differ between two links (each one makes another link). */
export function diffEnvGroupLink(olds: EnvGroupLinkInputs, news: EnvGroupLinkInputs): string[] {
  return envGroupLinkImmutableFields.filter((f) => olds[f] !== news[f]);
}
