/**
 * The fields of a link between one Render service and one env group, described once. One resource per
 * pair (not a wholesale list of a service's groups, a known pain of the Terraform provider: issues 95,
 * 43, 89), so adding or removing one link never touches another.
 */
import { z } from "zod";
import { workspaceIdPattern } from "../render/enums";
import { fieldsWhere } from "../runtime/schemaMeta";

/**
 * How a field behaves: `render` (read back for drift), `replaces` (another value is another link: the new
 * link is made before the old one goes, so the service never lacks the group's vars in between).
 */
export interface EnvGroupLinkFieldMeta {
  render?: true;
  replaces?: true;
  blueprint?: string;
}

const meta = (m: EnvGroupLinkFieldMeta) => m as Record<string, unknown>;

/** Render service ids: `srv-…` (web, private, worker, static) and `crn-…` (cron jobs). */
export const serviceIdPattern = /^(srv|crn)-[a-z0-9]+$/;

/** Every field of a RenderEnvGroupLink. */
export const envGroupLinkFields = {
  /**
   * The env group `evg-…` (a RenderEnvGroup's id). render.yaml: the service's `fromGroup` names it.
   * Required unless `envGroupName` names a group that already exists in the workspace.
   */
  envGroupId: z
    .string({ error: 'is required: a Render env group id like "evg-…" (or envGroupName)' })
    .regex(/^evg-[a-z0-9]+$/, {
      error: (i) => `must be a Render env group id like "evg-…" (got ${JSON.stringify(i.input)})`,
    })
    .optional()
    .meta(meta({ render: true, replaces: true, blueprint: "fromGroup" })),
  /**
   * The name of an env group that already exists in the workspace `ownerId`, instead of `envGroupId`:
   * looked up by name (read-only) at every preview and up, never created. render.yaml: a `fromGroup`
   * naming a group the Blueprint does not declare (Render links the workspace's group of that name:
   * render.com/tutorials/advanced-blueprint-patterns/env-var-groups, "Workspace" scope). A workspace
   * without it fails the preview, naming the group.
   */
  envGroupName: z
    .string({ error: "must be the name of an env group that exists in the workspace" })
    .trim()
    .min(1, { error: "must not be empty: the name of an env group that exists in the workspace" })
    .optional(),
  /** With `envGroupName`: the workspace `tea-…` to look it up in. Default: stack config `render:ownerId`. */
  ownerId: z
    .string({ error: "must be a Render workspace id like tea-…" })
    .regex(workspaceIdPattern, {
      error: (i) =>
        `must be a Render workspace id like tea-d303qfodl3ps739p3e60 (got ${JSON.stringify(i.input)})`,
    })
    .optional(),
  /** The service `srv-…` or cron job `crn-…` that gets the group's env vars and secret files. */
  serviceId: z
    .string({ error: 'is required: a Render service id like "srv-…"' })
    .regex(serviceIdPattern, {
      error: (i) => `must be a Render service id like "srv-…" or "crn-…" (got ${JSON.stringify(i.input)})`,
    })
    .meta(meta({ render: true, replaces: true })),
};

/** The schema of a RenderEnvGroupLink's fields. */
export const envGroupLinkSchema = z.object(envGroupLinkFields);

/**
 * Inputs of a link after `check`: the group's id is always known then (looked up by `envGroupName`
 * when that names it).
 */
export type EnvGroupLinkInputs = Omit<z.output<typeof envGroupLinkSchema>, "envGroupId"> & {
  envGroupId: string;
};

/** The arguments a user writes. */
export type EnvGroupLinkArgsFields = z.input<typeof envGroupLinkSchema>;

/** Fields whose change makes another link (every one). */
export const envGroupLinkImmutableFields = fieldsWhere<EnvGroupLinkFieldMeta, keyof EnvGroupLinkInputs>(
  envGroupLinkFields,
  (m) => m.replaces === true,
);
