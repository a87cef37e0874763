/**
 * The fields every Render service kind is made of (web service, private service, background worker,
 * cron job), each described once: what it means (JSDoc, shown on each kind's Args), how it is validated,
 * its default and its render.yaml spelling. A kind's own schema.ts picks the fields it has, in this
 * order, and gives its plan field and `adoptId` (`srv-…`, a cron job's `crn-…`).
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
import { environmentIdField } from "../runtime/environment";

/**
 * How an env var gets its value. `linked` and `secret` values are secrets end to end; `generated` is
 * made once by Render; `serviceUrl` is the service's own public URL (e.g. NEXTAUTH_URL; render.yaml: a
 * `fromService` link to the service's own `RENDER_EXTERNAL_URL`) and `serviceHostname` that URL's host
 * name (its own `RENDER_EXTERNAL_HOSTNAME`), each kept equal to it by the provider (a web service only:
 * the other kinds have no public URL).
 */
export const envVarKinds = [
  "plain",
  "secret",
  "generated",
  "linked",
  "serviceUrl",
  "serviceHostname",
] as const;

/** The env var kinds whose value is the service's own public address (no value is given). */
export const ownAddressKinds = ["serviceUrl", "serviceHostname"] as const;

/** Whether an env var kind is the service's own public URL or host name. */
export function isOwnAddressKind(kind: string | undefined): kind is (typeof ownAddressKinds)[number] {
  return (ownAddressKinds as readonly string[]).includes(kind ?? "");
}

/** How an env var gets its value (see `envVarKinds`). */
export type EnvVarKind = (typeof envVarKinds)[number];

/**
 * What a `linked` env var takes from a Key Value (render.yaml `fromService` of `type: keyvalue`, Render's
 * Blueprint spec: connectionString, host, port, hostport), read from its internal connection string.
 */
export const keyValueLinkProperties = ["connectionString", "host", "port", "hostport"] as const;

/** One of {@link keyValueLinkProperties}. */
export type KeyValueLinkProperty = (typeof keyValueLinkProperties)[number];

/** What a `linked` env var takes: a database's property, or a Key Value's `hostport`. */
export const linkProperties = [...databaseLinkProperties, "hostport"] as const;

/** One of {@link linkProperties}. */
export type LinkProperty = (typeof linkProperties)[number];

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
export interface ServiceFieldMeta {
  render?: true;
  replaces?: true;
  redeploys?: true;
  blueprint?: string | false;
}

const meta = (m: ServiceFieldMeta) => m as Record<string, unknown>;

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
const region = oneOf(regions, "region");
const instances = "must be a whole number of instances from 1 to 100";
const scalingInstances = "must be a whole number of instances from 1 to 100";
const targetPercent = "must be a whole percentage from 1 to 90 (Render's autoscaling targets)";
const shutdownDelay = "must be a whole number of seconds from 1 to 300";
/** Render's shutdown delay when none is set (openapi.json `maxShutdownDelaySeconds` default). */
export const defaultMaxShutdownDelaySeconds = 30;
/** A path inside the repository: no leading '/', no '..'. */
const repoPath = (example: string) =>
  z
    .string({ error: "must be a string" })
    .trim()
    .min(1, { error: `must not be empty: a path inside the repository, e.g. ${example}` })
    .refine((v) => !v.startsWith("/") && !v.split("/").includes(".."), {
      error: `must be a path inside the repository (no leading '/', no '..'), e.g. ${example}`,
    });

/** The plan field of a kind: `values` are its plans, `what` names them in the message. */
export function planField<T extends readonly [string, ...string[]]>(values: T, what: string) {
  const plan = oneOf(values, what);
  /** Plan: starter, standard, pro, … Default starter. */
  return (
    z
      .string({ error: plan.error })
      // render.yaml spells plans like `Standard` or `pro-plus`.
      .transform(apiPlanSpelling)
      .pipe(z.enum(plan.values, { error: plan.error }))
      .default("starter")
      .meta(meta({ render: true, redeploys: true }))
  );
}

/** The `adoptId` field of a kind whose ids start with `prefix` (`srv`, a cron job's `crn`). */
export function adoptIdField(prefix: string, noun: string) {
  return z
    .string({ error: `must be a Render ${noun} id like "${prefix}-…"` })
    .regex(new RegExp(`^${prefix}-[a-z0-9]+$`), {
      error: `must be a Render ${noun} id like "${prefix}-…" (the dashboard URL has it)`,
    })
    .optional();
}

/** Runtimes built from a Dockerfile or pulled as an image (configured with docker `envSpecificDetails`). */
export const containerRuntimes = ["docker", "image"] as const;

/** A registry credential id (`rgc-…`, from the RenderRegistryCredential resource). */
export const registryCredentialIdPattern = /^rgc-[a-z0-9]+$/;

/** The fields every service kind draws from, in the order messages list them. */
export const serviceFields = {
  /** Service name, unique in the workspace; also a web service's `<name>.onrender.com` subdomain. */
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
  /**
   * Git repository URL, e.g. https://github.com/happydotemdr/arrakis (a `.git` suffix is dropped).
   * Required unless the runtime is `image`.
   */
  repo: z
    .string({ error: "is required: the Git repository URL, e.g. https://github.com/happydotemdr/arrakis" })
    .trim()
    .regex(/^https:\/\/[A-Za-z0-9.-]+\/[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+?$/, {
      error: (i) =>
        `must be an https URL of a repository like https://github.com/owner/repo (got ${JSON.stringify(i.input)})`,
    })
    // Render stores the repo without ".git".
    .transform((v) => v.replace(/\.git$/, ""))
    .optional()
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
  /**
   * Runtime (render.yaml `runtime` or `env`): node, python, go, ruby, rust, elixir, `docker` (built from
   * `dockerfilePath`) or `image` (pulled from `image.url`). Default node. Immutable.
   */
  runtime: z
    .string({ error: runtime.error })
    .pipe(z.enum(runtime.values, { error: runtime.error }))
    .default("node")
    .meta(meta({ render: true, replaces: true, redeploys: true, blueprint: "env" })),
  /** Plan: starter, standard, pro, … Default starter. (A web service's; the other kinds take paid plans.) */
  plan: planField(servicePlans, "web service plan"),
  /** Region: oregon, ohio, virginia, frankfurt or singapore. Default oregon. Immutable. */
  region: z
    .string({ error: region.error })
    .pipe(z.enum(region.values, { error: region.error }))
    .default("oregon")
    .meta(meta({ render: true, replaces: true })),
  /** Build command of a native runtime, e.g. `npm install && npm run build`. */
  buildCommand: command("build")
    .optional()
    .meta(meta({ render: true, redeploys: true })),
  /** Start command of a native runtime, e.g. `npm start` (a cron job's: the command each run runs). */
  startCommand: command("start")
    .optional()
    .meta(meta({ render: true, redeploys: true })),
  /** Command run before each deploy (e.g. migrations). */
  preDeployCommand: z
    .string({ error: "must be a string" })
    .optional()
    .meta(meta({ render: true, redeploys: true })),
  /**
   * Command run ONCE, after the service's first successful deploy (render.yaml `initialDeployHook`,
   * e.g. `psql $DATABASE_URL -c 'CREATE EXTENSION vector'`): the provider starts it as a one-off job
   * (`POST /services/{id}/jobs`) when that deploy is live, records the job id (`initialDeployHookJobId`)
   * and never runs it again, whatever changes later. An adopted service's first deploy was before
   * Pulumi: it is never run there. Render keeps no such setting (nothing to read back or drift); that a
   * one-off job is what Render's Blueprints run for it is UNCONFIRMED.
   */
  initialDeployHook: z
    .string({ error: "must be a string: the command to run once after the first successful deploy" })
    .trim()
    .min(1, { error: "must not be empty: the command to run once after the first successful deploy" })
    .optional(),
  /** runtime `docker`: the Dockerfile, relative to the repository root. Default `./Dockerfile`. */
  dockerfilePath: repoPath("./Dockerfile")
    .optional()
    .meta(meta({ render: true, redeploys: true })),
  /** runtime `docker`: the build context, relative to the repository root. Default `.`. */
  dockerContext: repoPath(".")
    .optional()
    .meta(meta({ render: true, redeploys: true })),
  /** runtime `docker` or `image`: the command the container runs instead of the image's own. */
  dockerCommand: z
    .string({ error: "must be a string: the command the container runs" })
    .optional()
    .meta(meta({ render: true, redeploys: true })),
  /**
   * runtime `image`: the image to run (`url`, e.g. `docker.io/library/nginx:1.27`) and, for a private
   * one, the registry credential that pulls it (`creds`, an `rgc-…` id: a RenderRegistryCredential's id).
   */
  image: z
    .object(
      {
        url: z
          .string({ error: "is required: the image's URL, e.g. docker.io/library/nginx:1.27" })
          .trim()
          .regex(
            /^[a-z0-9][a-z0-9._-]*(:[0-9]+)?(\/[a-z0-9._-]+)*(:[A-Za-z0-9._-]+)?(@sha256:[a-f0-9]{64})?$/,
            {
              error: (i) =>
                `must be an image URL like docker.io/library/nginx:1.27 or ghcr.io/owner/app@sha256:… (got ${JSON.stringify(i.input)})`,
            },
          ),
        creds: z
          .string({ error: 'must be a registry credential id like "rgc-…"' })
          .regex(registryCredentialIdPattern, {
            error: (i) =>
              `must be a registry credential id like "rgc-…" (a RenderRegistryCredential's id; got ${JSON.stringify(i.input)})`,
          })
          .optional(),
      },
      { error: "must be {url, creds?}: the image URL and an optional registry credential id" },
    )
    .strict()
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
  /**
   * Seconds Render waits for the process to exit after SIGTERM before it kills it, 1–300. Default
   * Render's, 30.
   */
  maxShutdownDelaySeconds: z
    .number({ error: shutdownDelay })
    .int({ error: shutdownDelay })
    .min(1, { error: shutdownDelay })
    .max(300, { error: shutdownDelay })
    .optional()
    .meta(meta({ render: true })),
  /** Instances, 1–100 (changed through Render's scale endpoint). Default 1. */
  numInstances: z
    .number({ error: instances })
    .int({ error: instances })
    .min(1, { error: instances })
    .max(100, { error: instances })
    .default(1)
    .meta(meta({ render: true })),
  /**
   * Render autoscaling (render.yaml `scaling`): Render keeps the instance count between `minInstances`
   * and `maxInstances` (1–100), aiming at `targetCPUPercent` and/or `targetMemoryPercent` (1–90; at least
   * one). Set with `PUT /services/{id}/autoscaling`, removed with `DELETE` when the field goes; while it
   * is set, `numInstances` is neither compared nor applied (Render's autoscaler owns the count). Needs a
   * Professional workspace or higher (render.com/docs/scaling). Default none: a fixed `numInstances`.
   */
  scaling: z
    .object(
      {
        minInstances: z
          .number({ error: scalingInstances })
          .int({ error: scalingInstances })
          .min(1, { error: scalingInstances })
          .max(100, { error: scalingInstances }),
        maxInstances: z
          .number({ error: scalingInstances })
          .int({ error: scalingInstances })
          .min(1, { error: scalingInstances })
          .max(100, { error: scalingInstances }),
        targetCPUPercent: z
          .number({ error: targetPercent })
          .int({ error: targetPercent })
          .min(1, { error: targetPercent })
          .max(90, { error: targetPercent })
          .optional(),
        targetMemoryPercent: z
          .number({ error: targetPercent })
          .int({ error: targetPercent })
          .min(1, { error: targetPercent })
          .max(90, { error: targetPercent })
          .optional(),
      },
      { error: "must be {minInstances, maxInstances, targetCPUPercent?, targetMemoryPercent?}" },
    )
    .strict()
    .superRefine((v, ctx) => {
      if (v.minInstances > v.maxInstances)
        ctx.addIssue({
          code: "custom",
          path: ["minInstances"],
          message: `must not exceed maxInstances (${v.minInstances} > ${v.maxInstances})`,
        });
      if (v.targetCPUPercent === undefined && v.targetMemoryPercent === undefined)
        ctx.addIssue({
          code: "custom",
          message: "needs a target: targetCPUPercent and/or targetMemoryPercent, each from 1 to 90",
        });
    })
    .optional()
    .meta(meta({ render: true })),
  /**
   * When the cron job runs: a cron expression of 5 fields (minute hour day-of-month month day-of-week),
   * in UTC, e.g. `*\/15 * * * *` or `0 3 * * MON-FRI`.
   */
  schedule: z
    .string({ error: "is required: a cron expression of 5 fields, e.g. 0 3 * * * (03:00 UTC daily)" })
    .trim()
    .superRefine((v, ctx) => {
      const problem = cronScheduleProblem(v);
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    })
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
          /** The value; absent for `generated`, `serviceUrl` and `serviceHostname`. */
          value: z.string({ error: "must be a string" }).optional(),
          /** `linked`: the Render Postgres id (`dpg-…`). */
          database: z.string({ error: "must be a Render Postgres id like dpg-…-a" }).optional(),
          /** `linked`: which part of its connection (render.yaml `fromDatabase` / Key Value `fromService`). */
          property: z
            .enum(linkProperties, {
              error: (i) =>
                `${JSON.stringify(i.input)} is not a database property; allowed: ${allowed(linkProperties)}`,
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
              message: `a linked value needs {database, property}; property is one of ${allowed(linkProperties)}`,
            });
          continue;
        }
        const valueless = v.kind === "generated" || isOwnAddressKind(v.kind);
        if (!valueless && v.value === undefined)
          ctx.addIssue({ code: "custom", path: [key], message: `needs a value (kind ${v.kind})` });
        if (valueless && v.value !== undefined)
          ctx.addIssue({
            code: "custom",
            path: [key],
            message:
              v.kind === "generated"
                ? "a generated value is made by Render; give no value"
                : `the value is the service's own ${v.kind === "serviceUrl" ? "URL" : "host name"}; give no value`,
          });
      }
    })
    .meta(meta({ render: true })),
  /**
   * Project environment `evm-…` the service belongs to (a RenderProject's `environmentId(name)`). Absent:
   * left where it is. A change moves the service in place (its id, URL and disk stay).
   */
  environmentId: environmentIdField(meta({ render: true, blueprint: false })),
  /**
   * Adopt a service of the same name that already exists instead of failing. (Pulumi's `import` resource
   * option fails for dynamic resources, pulumi/pulumi#16175: use this or `adoptId`.)
   */
  adoptExisting: bool("adoptExisting").default(false),
  /**
   * Adopt exactly this live service (`srv-…`, from its dashboard URL) instead of creating one. It must
   * exist, be in the workspace and carry `name`; the first `pulumi up` changes only what differs.
   */
  adoptId: adoptIdField("srv", "service"),
};

/**
 * The fields of `serviceFields` but those a kind lacks (`keys`), in their order, each keeping its JSDoc:
 * a web service lacks `schedule`; a private service and a worker also `healthCheckPath`; a cron job its
 * instances' settings.
 */
export function serviceFieldsWithout<K extends keyof typeof serviceFields>(
  ...keys: K[]
): Omit<typeof serviceFields, K> {
  return Object.fromEntries(
    Object.entries(serviceFields).filter(([key]) => !(keys as string[]).includes(key)),
  ) as Omit<typeof serviceFields, K>;
}

/** Ranges of the five fields of a cron expression: minute, hour, day of month, month, day of week. */
const cronFields = [
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day-of-month", min: 1, max: 31 },
  { name: "month", min: 1, max: 12, names: ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"] },
  { name: "day-of-week", min: 0, max: 7, names: ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"] },
]; // prettier-ignore

/**
 * Why `schedule` is not a cron expression Render runs, or undefined. Render takes the standard five
 * fields in UTC (render.com/docs/cronjobs); whether it takes extensions (`@daily`, `L`, `#`, seconds) is
 * UNCONFIRMED, so they are refused here rather than sent to a Render that may refuse them after the
 * build. Each field: `*`, a number, a range `a-b`, a step `*\/n` or `a-b/n`, or a list of them; months
 * and weekdays also by name (JAN, MON).
 */
export function cronScheduleProblem(schedule: string): string | undefined {
  const fields = schedule.trim().split(/\s+/).filter(Boolean);
  const shape = "minute hour day-of-month month day-of-week, e.g. 0 3 * * * (03:00 UTC daily)";
  if (fields.length !== 5)
    return `must be a cron expression of 5 fields (${shape}); got ${fields.length} in ${JSON.stringify(schedule)}`;
  for (const [i, field] of fields.entries()) {
    const { name, min, max, names } = cronFields[i];
    const value = (text: string): number => {
      const byName = names?.indexOf(text.toUpperCase()) ?? -1;
      if (byName >= 0) return byName + (name === "month" ? 1 : 0);
      return /^\d+$/.test(text) ? Number(text) : NaN;
    };
    const problem =
      `has ${JSON.stringify(field)} as its ${name} field: use *, a number from ${min} to ${max}` +
      `${names ? ` or a name (${names[0]}…)` : ""}, a range a-b, a step */n or a list a,b`;
    for (const part of field.split(",")) {
      const m = /^(?:\*|([^-/*]+)(?:-([^-/*]+))?)(?:\/(\d+))?$/.exec(part);
      if (!m) return problem;
      const [, from, to, step] = m;
      const bounds = from === undefined ? [] : [value(from), ...(to === undefined ? [] : [value(to)])];
      if (bounds.some((b) => !(b >= min && b <= max))) return problem;
      if (bounds.length === 2 && bounds[0] > bounds[1]) return problem;
      if (step !== undefined && Number(step) < 1) return problem;
    }
  }
  return undefined;
}

/** One env var as the provider sees it after `check` (keyed by its name). */
export type EnvVarInput = z.output<(typeof serviceFields)["envVars"]>[string] & {
  /**
   * Set by refresh only, never an input: what changed outside Pulumi, in words and without a value. A
   * secret's placeholder is itself shown as `[secret]`, so this is what makes its drift visible.
   */
  drift?: string;
};

/** The image of an image service, as checked. */
export type ServiceImage = NonNullable<z.output<(typeof serviceFields)["image"]>>;

/** The autoscaling of a service, as checked (render.yaml `scaling`). */
export type ServiceScaling = NonNullable<z.output<(typeof serviceFields)["scaling"]>>;

/** The metadata of each field of `fields` (`render`, `replaces`, `redeploys`, `blueprint`). */
export function fieldMetaOf(fields: Record<string, z.ZodType>): Record<string, ServiceFieldMeta> {
  return Object.fromEntries(
    Object.entries(fields).map(([key, field]) => [key, (field.meta() ?? {}) as ServiceFieldMeta]),
  );
}
