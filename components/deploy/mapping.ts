/**
 * Pure parts of `RenderDeploy` and the migrations step: input validation with defaults, when a new
 * deploy is due, which deploy a rollback returns to, failure messages, and trigger hashes.
 */
import { createHash } from "node:crypto";
import type { Deploy, DeployStatus } from "../render/schemas";
import { isUnknown, type InputFailure } from "../runtime/validation";

/** The HTTP probe run once a deploy is `live`. */
export interface HealthProbe {
  /** Path probed, e.g. `/` or `/api/health`. Empty: the service's own `healthCheckPath`. */
  path: string;
  /** Status the app must answer. Default 200. */
  expectedStatus: number;
  /** Time allowed for one attempt, in ms. Default 5000. */
  timeoutMs: number;
  /** Attempts after the first one. Default 3. */
  retries: number;
  /** Pause between attempts, in ms. Default 2000. */
  intervalMs: number;
}

/** What a `RenderDeploy` takes, after `check` filled in the defaults. */
export interface DeployInputs {
  /** Service id `srv-…`. */
  serviceId: string;
  /** Commit SHA to deploy; empty: the head of the service's branch. */
  commit: string;
  /** Hash of what the app runs (env vars, service settings, migrations): a change means a new deploy. */
  trigger: string;
  /**
   * A deploy asked for by hand (the dashboard's "Deploy latest commit"): any label, e.g. a timestamp.
   * Each new non-empty value deploys again (the branch head, or `commit` when pinned); the same value,
   * or none, deploys nothing.
   */
  release: string;
  /** Clear Render's build cache for the deploys this resource starts. */
  clearCache: boolean;
  /** How long to wait for `live`, in ms. Default 20 minutes. */
  waitTimeoutMs: number;
  /** Longest pause between status polls, in ms (the first comes after 1 s, then doubling). Default 8000. */
  pollIntervalMs: number;
  /** The health probe; `enabled: false` skips it. */
  healthCheck: HealthProbe & { enabled: boolean };
  /** Roll back to the last deploy that was live when this one fails. */
  rollbackOnFailure: boolean;
}

/**
 * Service settings that change what the app runs, so a new deploy (render.yaml names). Not the
 * name, instance count, auto-deploy or previews: Render applies those without a build.
 */
export const serviceDeploySettings = [
  "repo",
  "branch",
  "rootDir",
  "runtime",
  "plan",
  "buildCommand",
  "startCommand",
  "preDeployCommand",
] as const;

/** Deploy statuses that fail an up. */
export const failedDeployStatuses: readonly DeployStatus[] = [
  "build_failed",
  "update_failed",
  "pre_deploy_failed",
  "canceled",
];

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

function num(
  raw: Record<string, unknown>,
  key: string,
  where: string,
  fallback: number,
  min: number,
  failures: InputFailure[],
): number {
  const value = raw[key];
  if (value === undefined || value === null) return fallback;
  if (isUnknown(value)) return value as number;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min) {
    failures.push({
      property: where,
      reason: `${where} must be a whole number >= ${min} (got ${JSON.stringify(value)})`,
    });
    return fallback;
  }
  return value;
}

/** Validates a deploy's inputs and fills in defaults; unknown values (preview) pass through. */
export function checkDeployInputs(raw: Record<string, unknown>): {
  inputs: DeployInputs;
  failures: InputFailure[];
} {
  const failures: InputFailure[] = [];
  const serviceId = raw.serviceId;
  if (typeof serviceId !== "string" || (!isUnknown(serviceId) && !/^srv-[a-z0-9]+$/.test(serviceId)))
    failures.push({
      property: "serviceId",
      reason: `serviceId must be a Render service id like srv-d1234567890abcdefghi (got ${JSON.stringify(serviceId)})`,
    });
  const commit = raw.commit ?? "";
  if (typeof commit !== "string" || (commit !== "" && !isUnknown(commit) && !commitPattern.test(commit)))
    failures.push({
      property: "commit",
      reason: `commit must be a commit SHA (7 to 40 hex digits) or empty for the branch head (got ${JSON.stringify(commit)})`,
    });
  const trigger = raw.trigger ?? "";
  if (typeof trigger !== "string") failures.push({ property: "trigger", reason: "trigger must be a string" });
  const release = raw.release ?? "";
  if (
    typeof release !== "string" ||
    (!isUnknown(release) && [...release].some((c) => c.charCodeAt(0) < 0x20))
  )
    failures.push({
      property: "release",
      reason: `release must be a one-line label such as a timestamp (got ${JSON.stringify(release)})`,
    });
  const hc = (raw.healthCheck ?? {}) as Record<string, unknown>;
  const d = deployDefaults.healthCheck;
  const path = hc.path ?? d.path;
  if (typeof path !== "string" || (path !== "" && !isUnknown(path) && !path.startsWith("/")))
    failures.push({
      property: "healthCheck.path",
      reason: `healthCheck.path must start with / (got ${JSON.stringify(path)})`,
    });
  const inputs: DeployInputs = {
    serviceId: serviceId as string,
    commit: typeof commit === "string" && !isUnknown(commit) ? commit.toLowerCase() : (commit as string),
    trigger: trigger as string,
    release: typeof release === "string" ? release : "",
    clearCache: raw.clearCache === true,
    waitTimeoutMs: num(raw, "waitTimeoutMs", "waitTimeoutMs", deployDefaults.waitTimeoutMs, 1, failures),
    pollIntervalMs: num(raw, "pollIntervalMs", "pollIntervalMs", deployDefaults.pollIntervalMs, 0, failures),
    healthCheck: {
      enabled: hc.enabled !== false,
      path: path as string,
      expectedStatus: num(
        hc,
        "expectedStatus",
        "healthCheck.expectedStatus",
        d.expectedStatus,
        100,
        failures,
      ),
      timeoutMs: num(hc, "timeoutMs", "healthCheck.timeoutMs", d.timeoutMs, 1, failures),
      retries: num(hc, "retries", "healthCheck.retries", d.retries, 0, failures),
      intervalMs: num(hc, "intervalMs", "healthCheck.intervalMs", d.intervalMs, 0, failures),
    },
    rollbackOnFailure: raw.rollbackOnFailure === true,
  };
  return { inputs, failures };
}

/**
 * Why a new deploy is due, or undefined when none is: only what the app runs counts (service, commit,
 * trigger), plus a last deploy that did not go live (a retry). Options such as timeouts never deploy.
 */
export function deployReason(
  olds: Partial<DeployInputs> & { status?: string; health?: string },
  news: DeployInputs,
): string | undefined {
  if (olds.serviceId !== news.serviceId) return "the service changed";
  if ((olds.commit ?? "") !== news.commit) return "the commit changed";
  if ((olds.trigger ?? "") !== news.trigger) return "the env vars, service settings or migrations changed";
  // Asked for by hand: a new label deploys; removing it (or keeping it) does not.
  if (news.release !== "" && (olds.release ?? "") !== news.release)
    return `a deploy was asked for (release ${JSON.stringify(news.release)})`;
  if (olds.status !== undefined && failedDeployStatuses.includes(olds.status as DeployStatus))
    return `the last deploy ended ${olds.status}`;
  if (olds.health === "failed") return "the last deploy did not pass its health check";
  return undefined;
}

/** Deploy statuses of a deploy still under way (Render's enum; the others do not change any more). */
export const runningDeployStatuses: readonly DeployStatus[] = [
  "created",
  "queued",
  "build_in_progress",
  "pre_deploy_in_progress",
  "update_in_progress",
];

/**
 * The deploy a new `RenderDeploy` takes over instead of starting one, or undefined when it must deploy.
 * `deploys` is newest first, as Render lists them. The newest deploy that is live or still under way is
 * taken when it builds what the inputs ask for: any commit when `commit` is empty (an adopted service
 * keeps what it runs: the branch head may hold commits nobody meant to ship), else the pinned commit
 * (`commit` may be a prefix of the full SHA). A new service's first deploy, which Render starts on create,
 * is one under way: waiting for it builds the commit once, not twice.
 */
export function deployToTakeOver(deploys: readonly Deploy[], commit: string): Deploy | undefined {
  const current = deploys.find(
    (d) => d.status === "live" || runningDeployStatuses.includes(d.status as DeployStatus),
  );
  if (!current) return undefined;
  if (commit === "") return current;
  return current.commit?.id?.toLowerCase().startsWith(commit.toLowerCase()) ? current : undefined;
}

/** The create body of a deploy. */
export function toCreateDeployBody(inputs: Pick<DeployInputs, "commit" | "clearCache">): {
  commitId?: string;
  clearCache?: "clear" | "do_not_clear";
} {
  return {
    ...(inputs.commit ? { commitId: inputs.commit } : {}),
    ...(inputs.clearCache ? { clearCache: "clear" as const } : {}),
  };
}

/**
 * The deploy a rollback returns to: the newest deploy created before `failedId` that went live
 * (`live`, or `deactivated` once something replaced it). `deploys` is newest first, as Render lists.
 */
export function rollbackTarget(deploys: readonly Deploy[], failedId: string): Deploy | undefined {
  const index = deploys.findIndex((d) => d.id === failedId);
  const older = index >= 0 ? deploys.slice(index + 1) : deploys.filter((d) => d.id !== failedId);
  return older.find((d) => d.status === "live" || d.status === "deactivated");
}

/** Link to a deploy in Render's dashboard (the path form under the service's link is UNCONFIRMED). */
export function deployDashboardUrl(serviceDashboardUrl: string, serviceId: string, deployId: string): string {
  const base = serviceDashboardUrl || `https://dashboard.render.com/web/${serviceId}`;
  return `${base.replace(/\/+$/, "")}/deploys/${deployId}`;
}

/** The URL the health probe asks: the service URL and a path. */
export function healthUrl(serviceUrl: string, path: string): string {
  return `${serviceUrl.replace(/\/+$/, "")}${path.startsWith("/") ? path : `/${path}`}`;
}

/** A stable hash of any JSON value (object keys sorted), hex sha256. */
export function stableHash(value: unknown): string {
  const canonical = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(canonical);
    if (v !== null && typeof v === "object")
      return Object.fromEntries(
        Object.keys(v as Record<string, unknown>)
          .sort()
          .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
          .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
      );
    return v;
  };
  return createHash("sha256")
    .update(JSON.stringify(canonical(value)))
    .digest("hex");
}

/** Hash of a folder's files, given as relative path -> content: renames and edits both change it. */
export function hashFiles(files: Record<string, Buffer | string>): string {
  const hash = createHash("sha256");
  for (const name of Object.keys(files).sort()) {
    const content = files[name];
    hash.update(`${name}\u0000${Buffer.byteLength(content)}\u0000`);
    hash.update(content);
  }
  return hash.digest("hex");
}
