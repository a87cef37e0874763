/**
 * The one description of a `RenderDeploy`'s fields: what each means (JSDoc, shown on
 * `RenderDeployArgs`), how it is validated and its default. `RenderDeployArgs`,
 * `RenderDeployHealthCheck`, `DeployInputs`, `checkDeployInputs` and the stack config's
 * `arrakis:deploy` derive from it. A message here follows the field's path (`healthCheck.retries must
 * be …`): `checkDeployInputs` puts the path first.
 */
import { z } from "zod";

/** Defaults of the options. */
export const deployDefaults = {
  waitTimeoutMs: 20 * 60_000,
  pollIntervalMs: 8_000,
  healthCheck: {
    enabled: true,
    path: "",
    expectedStatus: 200,
    timeoutMs: 5_000,
    retries: 3,
    intervalMs: 2_000,
  },
};

const commitPattern = /^[0-9a-f]{7,40}$/i;

const probe = deployDefaults.healthCheck;
const got = (i: { input: unknown }) => `(got ${JSON.stringify(i.input)})`;
const wholeNumber = (min: number) => {
  const error = (i: { input: unknown }) => `must be a whole number >= ${min} ${got(i)}`;
  return z.number({ error }).refine((v) => Number.isInteger(v) && v >= min, { error });
};
const flag = (fallback: boolean) =>
  z.boolean({ error: (i) => `must be true or false ${got(i)}` }).default(fallback);

/** The fields of a deploy's health probe (`healthCheck`), run once the deploy is live. */
export const healthCheckFields = {
  /** Probe at all. Default true (skipped anyway when no path is known). */
  enabled: flag(probe.enabled),
  /** Path to GET, e.g. `/api/health`. Default the service's `healthCheckPath`. */
  path: z
    .string({ error: (i) => `must start with / ${got(i)}` })
    .refine((v) => v === "" || v.startsWith("/"), { error: (i) => `must start with / ${got(i)}` })
    .default(probe.path),
  /** Status the app must answer. Default 200. */
  expectedStatus: wholeNumber(100).default(probe.expectedStatus),
  /** Time allowed for one attempt, in ms. Default 5000. */
  timeoutMs: wholeNumber(1).default(probe.timeoutMs),
  /** Attempts after the first. Default 3. */
  retries: wholeNumber(0).default(probe.retries),
  /** Pause between attempts, in ms. Default 2000. */
  intervalMs: wholeNumber(0).default(probe.intervalMs),
};

/** A `RenderDeploy`'s fields, one property each, with its validation and default. */
export const deployFields = {
  /** The service to deploy (`srv-…`, e.g. a RenderWebService's `id`). */
  serviceId: z
    .string({ error: (i) => `must be a Render service id like srv-d1234567890abcdefghi ${got(i)}` })
    .regex(/^srv-[a-z0-9]+$/, {
      error: (i) => `must be a Render service id like srv-d1234567890abcdefghi ${got(i)}`,
    }),
  /** Commit SHA to deploy. Default: the head of the service's branch at deploy time. */
  commit: z
    .string({
      error: (i) => `must be a commit SHA (7 to 40 hex digits) or empty for the branch head ${got(i)}`,
    })
    .refine((v) => v === "" || commitPattern.test(v), {
      error: (i) => `must be a commit SHA (7 to 40 hex digits) or empty for the branch head ${got(i)}`,
    })
    .transform((v) => v.toLowerCase())
    .default(""),
  /**
   * Anything whose change must start a new deploy (hash it: see `deployTrigger`), e.g. env var values,
   * service settings and the migrations' hash. May be secret.
   */
  trigger: z.string({ error: "must be a string" }).default(""),
  /**
   * A deploy asked for by hand (the dashboard's "Deploy latest commit"): any label, e.g. a timestamp.
   * Each new non-empty value deploys again: the branch head, or `commit` when pinned. The same value, or
   * none, deploys nothing.
   */
  release: z
    .string({ error: (i) => `must be a one-line label such as a timestamp ${got(i)}` })
    .refine((v) => ![...v].some((c) => c.charCodeAt(0) < 0x20), {
      error: (i) => `must be a one-line label such as a timestamp ${got(i)}`,
    })
    .default(""),
  /** Clear Render's build cache. Default false. */
  clearCache: flag(false),
  /** How long to wait for `live`, in ms; past it the deploy is canceled and the up fails. Default 20 min. */
  waitTimeoutMs: wholeNumber(1).default(deployDefaults.waitTimeoutMs),
  /** Longest pause between status polls, in ms (the first comes after 1 s, then doubling). Default 8000. */
  pollIntervalMs: wholeNumber(0).default(deployDefaults.pollIntervalMs),
  /** The HTTP health probe run once the deploy is live ({@link healthCheckFields}). */
  healthCheck: z.object(healthCheckFields).prefault({}),
  /** Roll back to the last live deploy when this one fails (the up still fails). Default false. */
  rollbackOnFailure: flag(false),
};

/** The schema of a deploy's fields. */
export const deploySchema = z.object(deployFields);

/** The type of the deploy schema. */
export type DeploySchema = typeof deploySchema;

/** What a `RenderDeploy` takes, after `check` filled in the defaults. */
export type DeployInputs = z.output<DeploySchema>;

/** The HTTP probe run once a deploy is `live`. */
export type HealthProbe = Omit<DeployInputs["healthCheck"], "enabled">;

/** A deploy's inputs as a user gives them, before defaults. */
export type DeployFields = z.input<DeploySchema>;
