/**
 * The fields of a Render project and its environments, described once: validation, defaults, render.yaml
 * spellings and how each field behaves. `RenderProjectArgs` (resource.ts), the provider's inputs
 * (`ProjectInputs`) and the mapping are derived from {@link projectFields}.
 *
 * One resource holds the project and its environments: environments are created, renamed (`renamedFrom`)
 * and deleted within it, and its output `environmentIds` gives each environment's id by name, for the
 * `environmentId` of a service, database or Key Value.
 */
import { z } from "zod";
import { protectedStatuses, workspaceIdPattern } from "../render/enums";
import { ipAllowListSchema } from "../runtime/ipAllowList";
import { allowed, nameProblem } from "../runtime/validation";

/**
 * How a field behaves, read by the code derived from the schema:
 * - `render`: a setting of the project on Render (drift is read back); otherwise the field tells the
 *   provider how to act (adopt, allow a replacement) and Render never sees it;
 * - `replaces`: Render cannot change it in place (projectPATCHInput lacks it): a change replaces it;
 * - `blueprint`: its render.yaml spelling, when it differs.
 */
export interface ProjectFieldMeta {
  render?: true;
  replaces?: true;
  blueprint?: string;
}

const meta = (m: ProjectFieldMeta) => m as Record<string, unknown>;
const bool = (what: string) => z.boolean({ error: `${what} must be true or false` });
const displayName = (what: string) =>
  z.string({ error: `is required: the ${what}'s display name on Render` }).superRefine((v, ctx) => {
    const problem = nameProblem(v);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });

/**
 * One environment of the project. render.yaml's `protected: true|false` and `networkIsolated: true|false`
 * are read as `protectedStatus` and `networkIsolationEnabled` (those two render.yaml key names are
 * UNCONFIRMED: seen in Render's templates, not in its Blueprint reference).
 */
export const environmentEntrySchema = z.object({
  /** Environment name, unique in the project, e.g. `production`. */
  name: displayName("environment"),
  /** `unprotected` (default) or `protected`: only workspace admins may do destructive actions in it. */
  protectedStatus: z
    .enum(protectedStatuses, {
      error: (i) =>
        `${JSON.stringify(i.input)} is not a Render environment protection; allowed: ${allowed(protectedStatuses)}`,
    })
    .default("unprotected"),
  /** Refuse private-network connections from other environments. Default false. */
  networkIsolationEnabled: bool("networkIsolationEnabled").default(false),
  /** Who may reach the environment's databases from outside Render; `[]` (default): no one. */
  ipAllowList: ipAllowListSchema,
  /**
   * The environment's previous name, to rename it in place (its id and resources stay). Without it, a new
   * name is a new environment and the old one is deleted (refused while it holds resources).
   */
  renamedFrom: z.string({ error: "must be the environment's previous name" }).optional(),
});

/** Every field of a RenderProject, in the order error messages list them. */
export const projectFields = {
  /** Project name on Render, e.g. `arrakis`. */
  name: displayName("project").meta(meta({ render: true })),
  /** Workspace id `tea-…`. Default (in RenderProject): stack config `render:ownerId`. Immutable. */
  ownerId: z
    .string({
      error: "is required: a workspace id like tea-…; set it with `pulumi config set render:ownerId tea-…`",
    })
    .regex(workspaceIdPattern, {
      error: (i) =>
        `must be a Render workspace id like tea-d303qfodl3ps739p3e60 (got ${JSON.stringify(i.input)})`,
    })
    .meta(meta({ render: true, replaces: true })),
  /**
   * The project's environments, at least one, names unique: `[{name, protectedStatus?,
   * networkIsolationEnabled?, ipAllowList?, renamedFrom?}]`. Environments not listed are deleted.
   */
  environments: z
    .array(environmentEntrySchema, {
      error: "must be a list of {name, protectedStatus?, networkIsolationEnabled?}",
    })
    .min(1, { error: "must list at least one environment (Render projects have one or more)" })
    .superRefine((list, ctx) => {
      const seen = new Set<string>();
      list.forEach((e, i) => {
        if (seen.has(e.name))
          ctx.addIssue({
            code: "custom",
            path: [i, "name"],
            message: `environment ${e.name} is listed twice`,
          });
        seen.add(e.name);
      });
    })
    .meta(meta({ render: true })),
  /** Adopt a project of the same name that already exists in the workspace instead of failing. */
  adoptExisting: bool("adoptExisting").default(false),
  /** Adopt exactly this live project (`prj-…`, from its dashboard URL) instead of creating one. */
  adoptId: z
    .string({ error: 'must be a Render project id like "prj-…"' })
    .regex(/^prj-[a-z0-9]+$/, {
      error: 'must be a Render project id like "prj-…" (the dashboard URL has it)',
    })
    .optional(),
  /**
   * Allow a change of `ownerId` to replace the project (a new one in the other workspace). Default false:
   * such a change fails the preview.
   */
  allowReplacement: bool("allowReplacement").default(false),
};

/** The schema of a RenderProject's fields. */
export const projectSchema = z.object(projectFields);

/** Inputs of a Render project after `check`: normalised, API spellings. */
export type ProjectInputs = z.output<typeof projectSchema>;

/** One environment, normalised. */
export type EnvironmentInputs = ProjectInputs["environments"][number];

/** The arguments a user writes: every field, render.yaml spellings accepted where noted. */
export type ProjectArgsFields = z.input<typeof projectSchema>;

/** The names of the fields whose metadata satisfies `test`, in schema order. */
export function projectFieldsWhere(test: (m: ProjectFieldMeta) => boolean): (keyof ProjectInputs)[] {
  return (Object.keys(projectFields) as (keyof ProjectInputs)[]).filter((key) =>
    test((projectFields[key].meta() ?? {}) as ProjectFieldMeta),
  );
}

/** Fields that cannot change without replacing the project. */
export const projectImmutableFields = projectFieldsWhere((m) => m.replaces === true);
/** Options of the provider (adoption, replacement): Render never sees them. */
export const projectProviderOptions = projectFieldsWhere((m) => m.render !== true);

/** Each field's default, as `check` fills it in (absent: the field has none). */
export const projectDefaults: Partial<ProjectInputs> = Object.fromEntries(
  Object.entries(projectFields).flatMap(([key, field]) => {
    const byDefault = (field as z.ZodType).safeParse(undefined);
    return byDefault.success && byDefault.data !== undefined ? [[key, byDefault.data]] : [];
  }),
);

/**
 * render.yaml spellings -> ours, per environment: `permissions.protection: enabled|disabled` (and the
 * older `protected: true|false`) -> `protectedStatus`, `networking.isolation: enabled|disabled` (and
 * `networkIsolated`) -> `networkIsolationEnabled`, `ipAllowList[].source` -> `cidrBlock`. The resources a
 * render.yaml environment lists (`services`, `databases`, `envVarGroups`) are not this kind's: the
 * program places them with their own `environmentId`.
 */
export function fromProjectBlueprintSpelling(raw: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...raw };
  if (Array.isArray(out.environments))
    out.environments = out.environments.map((e: unknown) => {
      if (!e || typeof e !== "object" || Array.isArray(e)) return e;
      const {
        protected: prot,
        networkIsolated,
        networking,
        permissions,
        ...rest
      } = e as Record<string, unknown>;
      const env: Record<string, unknown> = { ...rest };
      // render.yaml's `networking: {isolation: enabled|disabled}` and `permissions: {protection:
      // enabled|disabled}` (Render's Blueprint JSON schema, render.com/schema/render.yaml.json).
      const isolation = (networking as { isolation?: unknown } | undefined)?.isolation;
      if (isolation !== undefined && env.networkIsolationEnabled === undefined)
        env.networkIsolationEnabled =
          isolation === "enabled" ? true : isolation === "disabled" ? false : isolation;
      const protection = (permissions as { protection?: unknown } | undefined)?.protection;
      if (protection !== undefined && env.protectedStatus === undefined)
        env.protectedStatus =
          protection === "enabled" ? "protected" : protection === "disabled" ? "unprotected" : protection;
      if (prot !== undefined && env.protectedStatus === undefined)
        env.protectedStatus = typeof prot === "boolean" ? (prot ? "protected" : "unprotected") : prot;
      if (networkIsolated !== undefined && env.networkIsolationEnabled === undefined)
        env.networkIsolationEnabled = networkIsolated;
      if (Array.isArray(env.ipAllowList))
        env.ipAllowList = env.ipAllowList.map((a: unknown) => {
          if (!a || typeof a !== "object") return a;
          const { source, ...r } = a as Record<string, unknown>;
          return r.cidrBlock === undefined && source !== undefined ? { cidrBlock: source, ...r } : a;
        });
      return env;
    });
  for (const key of Object.keys(out)) if (out[key] === null || out[key] === "") delete out[key];
  return out;
}
