/**
 * The fields of a Render static site, described once: validation, defaults, render.yaml spellings and
 * how each field behaves. `RenderStaticSiteArgs` (resource.ts), the provider's inputs
 * (`StaticSiteInputs`) and the mapping are derived from {@link staticSiteFields}.
 */
import { z } from "zod";
import { workspaceIdPattern } from "../render/enums";
import { fieldDefaults, fieldsWhere, renameBlueprintKeys } from "../runtime/schemaMeta";
import { allowed, nameProblem } from "../runtime/validation";
import { serviceFields } from "../service/schema";
import { environmentIdField } from "../runtime/environment";

/**
 * How a field behaves, read by the code derived from the schema:
 * - `render`: a setting of the site on Render (drift is read back); otherwise the field tells the
 *   provider how to act (adopt, allow a replacement) and Render never sees it;
 * - `replaces`: Render cannot change it in place (staticSiteDetailsPATCH/servicePATCH lack it);
 * - `redeploys`: it changes what is built, so a change is followed by a new deploy;
 * - `blueprint`: its render.yaml spelling, when it differs.
 */
export interface StaticSiteFieldMeta {
  render?: true;
  replaces?: true;
  redeploys?: true;
  blueprint?: string;
}

const meta = (m: StaticSiteFieldMeta) => m as Record<string, unknown>;
const bool = (what: string) => z.boolean({ error: `${what} must be true or false` });

/** Pull request preview generation (`previews.generation`). */
export const previewGenerations = ["off", "manual", "automatic"] as const;
/** Whether the site answers on its `onrender.com` subdomain. */
export const renderSubdomainPolicies = ["enabled", "disabled"] as const;
/** Redirect/rewrite rule types. */
export const routeTypes = ["redirect", "rewrite"] as const;

/** A path inside the repository (no leading `/`, no `..`). */
const repoPath = (what: string) =>
  z.string({ error: "must be a string" }).refine((v) => !v.startsWith("/") && !v.split("/").includes(".."), {
    error: `must be a path inside the repository (no leading '/', no '..'): the ${what}`,
  });

/** An HTTP header name: RFC 9110 token characters. */
const headerName = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** One response header rule. */
const headerRule = z.object(
  {
    path: z.string({ error: "is required: the request path, e.g. /* or /assets/*" }).regex(/^\//, {
      error: (i) => `must start with / (e.g. /* or /assets/*; got ${JSON.stringify(i.input)})`,
    }),
    name: z
      .string({ error: "is required: the header name, e.g. Cache-Control" })
      .regex(headerName, { error: (i) => `${JSON.stringify(i.input)} is not an HTTP header name` }),
    value: z.string({ error: "is required: the header value" }),
  },
  { error: "must be {path, name, value}" },
);

/** One redirect or rewrite rule; the list order is the priority (the first matching rule applies). */
const routeRule = z.object(
  {
    type: z.enum(routeTypes, {
      error: (i) => `${JSON.stringify(i.input)} is not a route type; allowed: ${allowed(routeTypes)}`,
    }),
    source: z
      .string({ error: "is required: the path matched, e.g. /old/*" })
      .regex(/^\//, { error: (i) => `must start with / (e.g. /old/*; got ${JSON.stringify(i.input)})` }),
    destination: z
      .string({ error: "is required: where it goes, e.g. /new/* or /index.html" })
      .min(1, { error: "must not be empty" }),
  },
  { error: "must be {type, source, destination}" },
);

/** Every field of a RenderStaticSite, in the order error messages list them. */
export const staticSiteFields = {
  /** Site name, unique in the workspace; also the `<name>.onrender.com` subdomain. */
  name: z
    .string({ error: "is required: the static site's name on Render" })
    .superRefine((v, ctx) => {
      const problem = nameProblem(v);
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    })
    .meta(meta({ render: true })),
  /** Workspace id `tea-…`. Default (in RenderStaticSite): stack config `render:ownerId`. Immutable. */
  ownerId: z
    .string({
      error: "is required: a workspace id like tea-…; set it with `pulumi config set render:ownerId tea-…`",
    })
    .regex(workspaceIdPattern, {
      error: (i) =>
        `must be a Render workspace id like tea-d303qfodl3ps739p3e60 (got ${JSON.stringify(i.input)})`,
    })
    .meta(meta({ render: true, replaces: true })),
  /** Git repository URL, e.g. https://github.com/owner/site (a `.git` suffix is dropped). */
  repo: z
    .string({ error: "is required: the Git repository URL, e.g. https://github.com/owner/site" })
    .trim()
    .regex(/^https:\/\/[A-Za-z0-9.-]+\/[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+?$/, {
      error: (i) =>
        `must be an https URL of a repository like https://github.com/owner/repo (got ${JSON.stringify(i.input)})`,
    })
    .transform((v) => v.replace(/\.git$/, ""))
    .meta(meta({ render: true, redeploys: true })),
  /** Branch to build. Absent: left as Render has it (the repository's default branch on create). */
  branch: z
    .string({ error: "must be a string" })
    .regex(/^(?!\/)(?!.*\.\.)(?!.*\/\/)[A-Za-z0-9._/-]+(?<![./])$/, {
      error: "is not a valid Git branch name",
    })
    .optional()
    .meta(meta({ render: true, redeploys: true })),
  /** Subdirectory to build from. Default the repository root. */
  rootDir: repoPath("folder to build from")
    .default("")
    .meta(meta({ render: true, redeploys: true })),
  /** Build command, e.g. `npm ci && npm run build`. Default none (the files are published as they are). */
  buildCommand: z
    .string({ error: "must be a string: the build command, e.g. npm ci && npm run build" })
    .trim()
    .default("")
    .meta(meta({ render: true, redeploys: true })),
  /**
   * Folder (relative to `rootDir`) whose files are published after the build, e.g. `dist` (render.yaml
   * `staticPublishPath`). Default `public`, as Render's.
   */
  publishPath: repoPath("folder to publish")
    .refine((v) => v.trim() !== "", { error: "must not be empty: the folder to publish, e.g. dist" })
    .default("public")
    .meta(meta({ render: true, redeploys: true, blueprint: "staticPublishPath" })),
  /**
   * Build only when files under `paths` change, and never for files under `ignoredPaths` (glob patterns,
   * e.g. `src/**`). Absent: every change builds.
   */
  buildFilter: z
    .object(
      {
        paths: z.array(z.string({ error: "must be a glob pattern" })).default([]),
        ignoredPaths: z.array(z.string({ error: "must be a glob pattern" })).default([]),
      },
      { error: "must be {paths, ignoredPaths}, each a list of glob patterns" },
    )
    .optional()
    .meta(meta({ render: true, redeploys: true })),
  /** Deploy on every push to the branch (render.yaml `autoDeploy`). Default false: deploys are started by hand. */
  autoDeploy: bool("autoDeploy")
    .default(false)
    .meta(meta({ render: true })),
  /**
   * Pull request previews (render.yaml `previews.generation`): `off`, `manual` (a preview for pull
   * requests labelled so) or `automatic` (every pull request). Default off.
   */
  previews: z
    .enum(previewGenerations, {
      error: (i) =>
        `${JSON.stringify(i.input)} is not a preview generation; allowed: ${allowed(previewGenerations)}`,
    })
    .default("off")
    .meta(meta({ render: true })),
  /** `disabled` stops the `onrender.com` address from answering (a custom domain only). Default enabled. */
  renderSubdomainPolicy: z
    .enum(renderSubdomainPolicies, {
      error: (i) => `${JSON.stringify(i.input)} is not allowed; allowed: ${allowed(renderSubdomainPolicies)}`,
    })
    .default("enabled")
    .meta(meta({ render: true })),
  /** Response headers by path (render.yaml `headers`), a set: `pulumi up` removes the ones not listed. */
  headers: z
    .array(headerRule, { error: "must be a list of {path, name, value}" })
    .default([])
    .meta(meta({ render: true })),
  /**
   * Redirect and rewrite rules (render.yaml `routes`), in priority order: the first rule whose source
   * matches applies. `pulumi up` removes the ones not listed.
   */
  routes: z
    .array(routeRule, { error: "must be a list of {type, source, destination}" })
    .default([])
    .meta(meta({ render: true })),
  /**
   * The whole set of the site's env vars, read by its build (render.yaml `envVars`), with the kinds a
   * service's have: plain, secret, generated, linked (a database's or Key Value's), serviceUrl and
   * serviceHostname (the site's own URL and its host name, render.yaml's own `RENDER_EXTERNAL_URL`/
   * `RENDER_EXTERNAL_HOSTNAME`). Keys set on Render but not here are removed by `pulumi up`; a change rebuilds.
   */
  envVars: serviceFields.envVars,
  /**
   * Project environment `evm-…` the site belongs to (a RenderProject's `environmentId(name)`). Absent:
   * left where it is. A change moves it in place (its id and URL stay), never a replace.
   */
  environmentId: environmentIdField(meta({ render: true })),
  /** Adopt a static site of the same name that already exists in the workspace instead of failing. */
  adoptExisting: bool("adoptExisting").default(false),
  /**
   * Adopt exactly this live static site (`srv-…`, from its dashboard URL) instead of creating one. It
   * must exist, be in the workspace and carry `name`; the first `pulumi up` changes only what differs.
   */
  adoptId: z
    .string({ error: 'must be a Render service id like "srv-…"' })
    .regex(/^srv-[a-z0-9]+$/, {
      error: 'must be a Render service id like "srv-…" (the dashboard URL has it)',
    })
    .optional(),
  /**
   * Allow a change of an immutable field (ownerId) to replace the site: a new site, a new
   * `onrender.com` address, its custom domains to add again. Default false: such a change fails the preview.
   */
  allowReplacement: bool("allowReplacement").default(false),
};

/** The schema of a RenderStaticSite's fields. */
export const staticSiteSchema = z.object(staticSiteFields);

/** Inputs of a Render static site after `check`: normalised, API spellings. */
export type StaticSiteInputs = z.output<typeof staticSiteSchema>;

/** One header rule. */
export type StaticSiteHeader = StaticSiteInputs["headers"][number];

/** One redirect/rewrite rule. */
export type StaticSiteRoute = StaticSiteInputs["routes"][number];

/** The arguments a user writes. */
export type StaticSiteArgsFields = z.input<typeof staticSiteSchema>;

/** The names of the fields whose metadata satisfies `test`, in schema order. */
export function staticSiteFieldsWhere(test: (m: StaticSiteFieldMeta) => boolean): (keyof StaticSiteInputs)[] {
  return fieldsWhere(staticSiteFields, test);
}

/** Fields that cannot change without replacing the site. */
export const staticSiteImmutableFields = staticSiteFieldsWhere((m) => m.replaces === true);
/** Settings whose change needs a new build (a deploy follows the update). */
export const staticSiteDeploySettings = staticSiteFieldsWhere((m) => m.redeploys === true);
/** Options of the provider (adoption, replacement): Render never sees them. */
export const staticSiteProviderOptions = staticSiteFieldsWhere((m) => m.render !== true);

/** Each field's default, as `check` fills it in (absent: the field has none). */
export const staticSiteDefaults = fieldDefaults<StaticSiteInputs>(staticSiteFields);

/**
 * render.yaml spellings -> ours: `staticPublishPath`, `previews: {generation}`, the legacy
 * `pullRequestPreviewsEnabled` (true/yes -> automatic), `autoDeploy: yes/no`; empty values are absent.
 */
export function fromStaticSiteBlueprintSpelling(raw: Record<string, unknown>): Record<string, unknown> {
  const out = renameBlueprintKeys(staticSiteFields, raw);
  const previews = out.previews;
  if (previews && typeof previews === "object" && !Array.isArray(previews))
    out.previews = (previews as { generation?: unknown }).generation;
  if (out.pullRequestPreviewsEnabled !== undefined) {
    const legacy = out.pullRequestPreviewsEnabled;
    delete out.pullRequestPreviewsEnabled;
    if (out.previews === undefined && (legacy === true || legacy === "yes")) out.previews = "automatic";
    else if (out.previews === undefined && (legacy === false || legacy === "no")) out.previews = "off";
  }
  if (out.autoDeploy === "yes") out.autoDeploy = true;
  if (out.autoDeploy === "no") out.autoDeploy = false;
  for (const key of Object.keys(out)) if (out[key] === null || out[key] === "") delete out[key];
  return out;
}
