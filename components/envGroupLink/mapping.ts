/** Pure mapping for env group links: inputs check, the link's id, and whether a live group has it. */
import type { EnvGroup, EnvGroupMeta } from "../render/schemas";
import { checkFields, isUnknown, type InputFailure } from "../runtime/validation";
import { envGroupLinkFields, envGroupLinkImmutableFields, type EnvGroupLinkInputs } from "./schema";

export type { EnvGroupLinkInputs } from "./schema";

/**
 * Validates raw inputs field by field (values not known during preview pass through), and that the
 * group is named one way: `envGroupId`, or `envGroupName` with the workspace `ownerId` to find it in.
 */
export function checkEnvGroupLinkInputs(raw: Record<string, unknown>): {
  inputs: Record<string, unknown>;
  failures: InputFailure[];
} {
  const { inputs, failures } = checkFields(envGroupLinkFields, raw, "RenderEnvGroupLink");
  if (failures.length > 0) return { inputs, failures };
  if (inputs.envGroupName === undefined) {
    if (inputs.envGroupId === undefined)
      failures.push({
        property: "envGroupId",
        reason:
          'is required: a Render env group id like "evg-…", or envGroupName: the name of a group that exists in the workspace',
      });
  } else if (inputs.ownerId === undefined)
    failures.push({
      property: "ownerId",
      reason:
        "is required with envGroupName: the workspace tea-… to find the group in; set it with `pulumi config set render:ownerId tea-…`",
    });
  return { inputs, failures };
}

/**
 * The one env group named `name` in workspace `ownerId` among `groups` (Render's list filter by name;
 * compared exactly here), or why there is none to link. Never a reason to create one: a `fromGroup`
 * naming an undeclared group means a group that already exists in the workspace.
 */
export function workspaceEnvGroup(
  groups: Pick<EnvGroupMeta, "id" | "name" | "ownerId">[],
  name: string,
  ownerId: string,
): { id: string } | { problem: string } {
  const found = groups.filter((g) => g.name === name && g.ownerId === ownerId);
  if (found.length === 1) return { id: found[0].id };
  if (found.length === 0)
    return {
      problem:
        `no env group named ${JSON.stringify(name)} in workspace ${ownerId}: a fromGroup naming a group the ` +
        "stack does not declare links the workspace's group of that name, which is looked up and never " +
        "created; create it on Render (or declare it in the stack's envVarGroups), then run again",
    };
  return {
    problem: `${found.length} env groups are named ${JSON.stringify(name)} in workspace ${ownerId} (${found
      .map((g) => g.id)
      .join(", ")}): link one by envGroupId`,
  };
}

/** Whether the link names its group by name and the name and workspace are known (not during preview). */
export function looksUpByName(
  inputs: Pick<EnvGroupLinkInputs, "envGroupName" | "ownerId">,
): inputs is { envGroupName: string; ownerId: string } {
  return (
    inputs.envGroupName !== undefined &&
    inputs.ownerId !== undefined &&
    !isUnknown(inputs.envGroupName) &&
    !isUnknown(inputs.ownerId)
  );
}

/** The link's id in the stack's state: `<envGroupId>:<serviceId>` (Render gives a link no id of its own). */
export function envGroupLinkId(inputs: Pick<EnvGroupLinkInputs, "envGroupId" | "serviceId">): string {
  return `${inputs.envGroupId}:${inputs.serviceId}`;
}

/** The pair a link id names. @throws on an id not made by {@link envGroupLinkId}. */
export function parseEnvGroupLinkId(id: string): Pick<EnvGroupLinkInputs, "envGroupId" | "serviceId"> {
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
