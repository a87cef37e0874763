/**
 * The one description of a Render web service's fields: what each means (JSDoc, shown on
 * `RenderWebServiceArgs`), how it is validated, its default and the render.yaml spellings it accepts.
 * `RenderWebServiceArgs`, `ServiceInputs` and `checkServiceInputs` derive from it.
 */
import { z } from "zod";
import {
  apiPlanSpelling,
  databaseLinkProperties,
  regions,
  servicePlans,
  serviceRuntimes,
  workspaceIdPattern,
} from "../render/enums";
import { allowed, nameProblem } from "../runtime/validation";

/**
 * How an env var gets its value. `linked` and `secret` values are secrets end to end; `generated` is
 * made once by Render; `serviceUrl` is the service's own public URL (e.g. NEXTAUTH_URL), kept equal to
 * it by the provider.
 */
export const envVarKinds = ["plain", "secret", "generated", "linked", "serviceUrl"] as const;

/** How an env var gets its value (see `envVarKinds`). */
export type EnvVarKind = (typeof envVarKinds)[number];

/** Render's rule for env var keys is UNCONFIRMED; we take the POSIX shell rule, which every runtime accepts. */
export const envVarKeyPattern = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * How a field behaves, read by the code derived from the schema (mapping.ts, RenderApp's deploy trigger,
 * the Blueprint conversion):
 * - `render`: a setting of the service on Render (drift is read back); otherwise the field tells the
 *   provider how to act (adopt) and Render never sees it;
 * - `replaces`: Render cannot change it in place: a change replaces the service;
 * - `redeploys`: it changes what the app runs, so a change needs a new deploy (build and run settings;
 *   not the name, instance count, auto-deploy or previews, which Render applies without a build);
 * - `blueprint`: the render.yaml key also accepted for it (`env` for `runtime`), or `false` when
 *   render.yaml has no key of the field's name (the Blueprint conversion reads what there is itself).
 */
export interface WebServiceFieldMeta {
  render?: true;
  replaces?: true;
  redeploys?: true;
  blueprint?: string | false;
}

const meta = (m: WebServiceFieldMeta) => m as Record<string, unknown>;

/** render.yaml writes booleans as "yes"/"no"; the typed arguments take booleans. */
function fromYesNo(value: boolean): boolean {
  const raw: unknown = value;
  return raw === "yes" ? true : raw === "no" ? false : value;
}

const bool = (what: string) => z.boolean({ error: `${what} must be true or false` });
const yesNo = (what: string) => z.preprocess(fromYesNo, bool(what));
const command = (what: string) =>
  z
    .string({
      error: `is required: the ${what} command, e.g. ${what === "build" ? "npm install && npm run build" : "npm start"}`,
    })
    .trim()
    .min(1, { error: `must not be empty: the ${what} command` });
const oneOf = <T extends readonly [string, ...string[]]>(values: T, what: string) => {
  const error = (i: { input: unknown }) =>
    `${JSON.stringify(i.input)} is not a Render ${what}; allowed: ${allowed(values)}`;
  return { error, values };
};
const runtime = oneOf(serviceRuntimes, "runtime");
const plan = oneOf(servicePlans, "web service plan");
const region = oneOf(regions, "region");
const instances = "must be a whole number of instances from 1 to 100";

/** A Render web service's fields, one property each, with its validation, default and metadata. */
export const webServiceFields = {
  /** Service name, unique in the workspace; also the `<name>.onrender.com` subdomain. */
  name: z
    .string({ error: "is required: the service's name on Render" })
    .superRefine((v, ctx) => {
      const problem = nameProblem(v);
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    })
    .meta(meta({ render: true })),
  /** Workspace id `tea-…`. Default: stack config `render:ownerId`. */
  ownerId: z
    .string({
      error: "is required: a workspace id like tea-…; set it with `pulumi config set render:ownerId tea-…`",
    })
    .regex(workspaceIdPattern, {
      error: (i) =>
        `must be a Render workspace id like tea-d303qfodl3ps739p3e60 (got ${JSON.stringify(i.input)})`,
    })
    .meta(meta({ render: true, replaces: true, blueprint: false })),
  /** Git repository URL, e.g. https://github.com/happydotemdr/arrakis (a `.git` suffix is dropped). */
  repo: z
    .string({ error: "is required: the Git repository URL, e.g. https://github.com/happydotemdr/arrakis" })
    .trim()
    .regex(/^https:\/\/[A-Za-z0-9.-]+\/[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+?$/, {
      error: (i) =>
        `must be an https URL of a repository like https://github.com/owner/repo (got ${JSON.stringify(i.input)})`,
    })
    // Render stores the repo without ".git".
    .transform((v) => v.replace(/\.git$/, ""))
    .meta(meta({ render: true, redeploys: true })),
  /** Branch to build. Default: the repository's default branch. */
  branch: z
    .string({ error: "must be a string" })
    .regex(/^(?!\/)(?!.*\.\.)(?!.*\/\/)[A-Za-z0-9._/-]+(?<![./])$/, {
      error: "is not a valid Git branch name",
    })
    .optional()
    .meta(meta({ render: true, redeploys: true })),
  /** Subdirectory to build from. Default the repository root. */
  rootDir: z
    .string({ error: "must be a string" })
    .refine((v) => !v.startsWith("/") && !v.split("/").includes(".."), {
      error: "must be a path inside the repository (no leading '/', no '..')",
    })
    .default("")
    .meta(meta({ render: true, redeploys: true })),
  /** Runtime (render.yaml `runtime` or `env`): node, python, go, ruby, rust, elixir. Default node. Immutable. */
  runtime: z
    .string({ error: runtime.error })
    .pipe(z.enum(runtime.values, { error: runtime.error }))
    .default("node")
    .meta(meta({ render: true, replaces: true, redeploys: true, blueprint: "env" })),
  /** Plan: starter, standard, pro, … Default starter. */
  plan: z
    .string({ error: plan.error })
    // render.yaml spells plans like `Standard` or `pro-plus`.
    .transform(apiPlanSpelling)
    .pipe(z.enum(plan.values, { error: plan.error }))
    .default("starter")
    .meta(meta({ render: true, redeploys: true })),
  /** Region: oregon, ohio, virginia, frankfurt or singapore. Default oregon. Immutable. */
  region: z
    .string({ error: region.error })
    .pipe(z.enum(region.values, { error: region.error }))
    .default("oregon")
    .meta(meta({ render: true, replaces: true })),
  /** Build command, e.g. `npm install && npm run build`. */
  buildCommand: command("build").meta(meta({ render: true, redeploys: true })),
  /** Start command, e.g. `npm start`. */
  startCommand: command("start").meta(meta({ render: true, redeploys: true })),
  /** Command run before each deploy (e.g. migrations). */
  preDeployCommand: z
    .string({ error: "must be a string" })
    .optional()
    .meta(meta({ render: true, redeploys: true })),
  /** Path Render probes for health, e.g. `/`. Default none. */
  healthCheckPath: z
    .string({ error: "must be a string" })
    .regex(/^(\/[^\s]*)?$/, {
      error: (i) => `must be empty or a path starting with '/' (got ${JSON.stringify(i.input)})`,
    })
    .default("")
    .meta(meta({ render: true })),
  /** Instances, 1–100 (changed through Render's scale endpoint). Default 1. */
  numInstances: z
    .number({ error: instances })
    .int({ error: instances })
    .min(1, { error: instances })
    .max(100, { error: instances })
    .default(1)
    .meta(meta({ render: true })),
  /** Deploy on every push to the branch. Default false (manual deploys, as the seed keeps it). */
  autoDeploy: yesNo("autoDeploy")
    .default(false)
    .meta(meta({ render: true })),
  /** Pull request previews. Default false. */
  pullRequestPreviews: yesNo("pullRequestPreviews")
    .default(false)
    .meta(meta({ render: true, blueprint: false })),
  /**
   * Desired state: `true` suspends the service (Render's "Suspend"), `false` resumes one suspended
   * outside Pulumi. Default false: running.
   */
  suspended: bool("suspended")
    .default(false)
    .meta(meta({ render: true, blueprint: false })),
  /** The whole set of env vars: keys set on Render but not here are removed by `pulumi up`. */
  envVars: z
    .record(
      z.string(),
      z.object(
        {
          kind: z.enum(envVarKinds, { error: `must be one of ${allowed(envVarKinds)}` }),
          /** The value; absent for `generated` and `serviceUrl`. */
          value: z.string({ error: "must be a string" }).optional(),
          /** `linked`: the Render Postgres id (`dpg-…`). */
          database: z.string({ error: "must be a Render Postgres id like dpg-…-a" }).optional(),
          /** `linked`: which part of its connection (render.yaml `fromDatabase.property`). */
          property: z
            .enum(databaseLinkProperties, {
              error: (i) =>
                `${JSON.stringify(i.input)} is not a database property; allowed: ${allowed(databaseLinkProperties)}`,
            })
            .optional(),
        },
        { error: "must be {kind, value}" },
      ),
      { error: "must be a map of env var key to {kind, value}" },
    )
    .default({})
    .superRefine((vars, ctx) => {
      for (const [key, v] of Object.entries(vars)) {
        if (!envVarKeyPattern.test(key))
          ctx.addIssue({
            code: "custom",
            path: [key],
            message: "is not a valid env var key: use letters, digits and '_', not starting with a digit",
          });
        if (v.kind === "linked") {
          if (v.database === undefined || v.property === undefined)
            ctx.addIssue({
              code: "custom",
              path: [key],
              message: `a linked value needs {database, property}; property is one of ${allowed(databaseLinkProperties)}`,
            });
          continue;
        }
        const valueless = v.kind === "generated" || v.kind === "serviceUrl";
        if (!valueless && v.value === undefined)
          ctx.addIssue({ code: "custom", path: [key], message: `needs a value (kind ${v.kind})` });
        if (valueless && v.value !== undefined)
          ctx.addIssue({
            code: "custom",
            path: [key],
            message:
              v.kind === "generated"
                ? "a generated value is made by Render; give no value"
                : "the value is the service's own URL; give no value",
          });
      }
    })
    .meta(meta({ render: true })),
  /**
   * Adopt a service of the same name that already exists instead of failing. (Pulumi's `import` resource
   * option fails for dynamic resources, pulumi/pulumi#16175: use this or `adoptId`.)
   */
  adoptExisting: bool("adoptExisting").default(false),
  /**
   * Adopt exactly this live service (`srv-…`, from its dashboard URL) instead of creating one. It must
   * exist, be in the workspace and carry `name`; the first `pulumi up` changes only what differs.
   */
  adoptId: z
    .string({ error: 'must be a Render service id like "srv-…"' })
    .regex(/^srv-[a-z0-9]+$/, {
      error: 'must be a Render service id like "srv-…" (the dashboard URL has it)',
    })
    .optional(),
};

/** The schema of a web service's fields. */
export const webServiceSchema = z.object(webServiceFields);

/** The type of the web service schema. */
export type WebServiceSchema = typeof webServiceSchema;

/** The fields' metadata (`render`, `replaces`, `redeploys`, `blueprint`), by field. */
export const webServiceFieldMeta: Record<string, WebServiceFieldMeta> = Object.fromEntries(
  Object.entries(webServiceFields).map(([key, field]) => [key, (field.meta() ?? {}) as WebServiceFieldMeta]),
);

/** The names of the fields whose metadata satisfies `test`, in schema order. */
export function webServiceFieldsWhere(
  test: (m: WebServiceFieldMeta) => boolean,
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

/**
 * One env var as the provider sees it after `check` (keyed by its name). `value` is absent for
 * `generated` and `serviceUrl`; a `linked` one names its database and property instead, and the
 * provider reads the value from Render when it needs it, so it never sits in the stack's state.
 */
export type EnvVarInput = z.output<WebServiceSchema>["envVars"][string] & {
  /**
   * Set by refresh only, never an input: what changed outside Pulumi, in words and without a value. A
   * secret's placeholder is itself shown as `[secret]`, so this is what makes its drift visible.
   */
  drift?: string;
};

/** Inputs of a Render web service after `check`: normalised, our spellings. */
export type ServiceInputs = Omit<z.output<WebServiceSchema>, "envVars"> & {
  /** The whole set of env vars, by key. */
  envVars: Record<string, EnvVarInput>;
};

/** Inputs of a Render web service as a user gives them, before defaults and normalisation. */
export type WebServiceFields = z.input<WebServiceSchema>;
