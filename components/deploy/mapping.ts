/**
 * Pure parts of `RenderDeploy` and the migrations step: input validation with defaults, when a new
 * deploy is due, which deploy a rollback returns to, failure messages (hashes: runtime/hashing.ts).
 */
import type { Deploy, DeployStatus } from "../render/schemas";
import { z } from "zod";
import { checkFields, unknownSentinel, type InputFailure } from "../runtime/validation";
import { deployFields, type DeployInputs } from "./schema";

export { deployDefaults, type DeployInputs, type HealthProbe } from "./schema";

/** Deploy statuses that fail an up. */
export const failedDeployStatuses: readonly DeployStatus[] = [
  "build_failed",
  "update_failed",
  "pre_deploy_failed",
  "canceled",
];

/** The object schema inside a field (`healthCheck`), whose fields are checked one by one. */
function objectShape(field: z.ZodType): Record<string, z.ZodType> | undefined {
  const inner = field instanceof z.ZodPrefault ? field.unwrap() : field;
  return inner instanceof z.ZodObject ? (inner.shape as Record<string, z.ZodType>) : undefined;
}

/**
 * The runtime's field check ({@link checkFields}: an unknown key is an error naming it and the allowed
 * keys), also inside nested objects (`healthCheck`), so a value unknown during preview passes through
 * while the others are still checked and defaulted. A null is a missing value. Messages put the path
 * first (`healthCheck.retries must be …`), failures come in the schema's order.
 */
function checkNestedFields(
  fields: Record<string, z.ZodType>,
  raw: Record<string, unknown>,
  what: string,
  prefix: string,
): { inputs: Record<string, unknown>; failures: InputFailure[] } {
  const values = Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== null && v !== undefined));
  const nested = Object.entries(fields).flatMap(([key, field]) => {
    const shape = objectShape(field);
    return shape ? [[key, shape] as const] : [];
  });
  // Nested objects are checked below, field by field; here only their presence counts.
  const flat = { ...fields, ...Object.fromEntries(nested.map(([key]) => [key, z.unknown()])) };
  const { inputs, failures } = checkFields(flat, values, what);
  const out = failures.map(({ property, reason }) => ({
    property: `${prefix}${property}`,
    reason: `${prefix}${property} ${reason}`,
  }));
  for (const [key, shape] of nested) {
    const value = values[key];
    if (value === unknownSentinel) continue;
    if (value !== undefined && (typeof value !== "object" || Array.isArray(value))) {
      delete inputs[key];
      out.push({
        property: `${prefix}${key}`,
        reason: `${prefix}${key} must be an object {${Object.keys(shape).join(", ")}} (got ${JSON.stringify(value)})`,
      });
      continue;
    }
    const inner = checkNestedFields(
      shape,
      (value ?? {}) as Record<string, unknown>,
      `${what}${key[0].toUpperCase()}${key.slice(1)}`,
      `${prefix}${key}.`,
    );
    inputs[key] = inner.inputs;
    out.push(...inner.failures);
  }
  const order = Object.keys(fields);
  const rank = (property: string) => {
    const i = order.indexOf(property.slice(prefix.length).split(/[.[]/)[0]);
    return i < 0 ? order.length : i;
  };
  return { inputs, failures: out.sort((x, y) => rank(x.property) - rank(y.property)) };
}

/**
 * Validates a deploy's inputs and fills in defaults; unknown values (preview) pass through. A key that is
 * not a field (a typo) and a wrong value are errors naming the field and what is allowed.
 */
export function checkDeployInputs(raw: Record<string, unknown>): {
  inputs: DeployInputs;
  failures: InputFailure[];
} {
  const { inputs, failures } = checkNestedFields(deployFields, raw, "RenderDeploy", "");
  return { inputs: inputs as DeployInputs, failures };
}

/**
 * Why a new deploy is due, or undefined when none is: only what the app runs counts (service, commit,
 * trigger), plus a last deploy that did not go live (a retry). Options such as timeouts never deploy.
 */
export function deployReason(
  olds: Partial<DeployInputs> & { status?: string; health?: string; deployedCommit?: string },
  news: DeployInputs,
): string | undefined {
  if (olds.serviceId !== news.serviceId) return "the service changed";
  // Pinning the commit that is live already (the rollback command does) deploys nothing.
  const pinnedIsLive =
    news.commit !== "" &&
    olds.status === "live" &&
    olds.health !== "failed" &&
    sameCommit(olds.deployedCommit ?? "", news.commit);
  if ((olds.commit ?? "") !== news.commit && !pinnedIsLive) return "the commit changed";
  // A deploy made outside (dashboard, rollback) runs another commit than the pinned one: deploy it again.
  if (news.commit && olds.deployedCommit && !sameCommit(olds.deployedCommit, news.commit))
    return `the live deploy runs commit ${olds.deployedCommit.slice(0, 7)}, not the pinned ${news.commit.slice(0, 7)}`;
  if ((olds.trigger ?? "") !== news.trigger) return "the env vars, service settings or migrations changed";
  // Asked for by hand: a new label deploys; removing it (or keeping it) does not.
  if (news.release !== "" && (olds.release ?? "") !== news.release)
    return `a deploy was asked for (release ${JSON.stringify(news.release)})`;
  if (olds.status !== undefined && failedDeployStatuses.includes(olds.status as DeployStatus))
    return `the last deploy ended ${olds.status}`;
  if (olds.health === "failed") return "the last deploy did not pass its health check";
  return undefined;
}

/** Whether `sha` is the commit `pinned` names (a pinned commit may be a prefix of the full SHA). */
export function sameCommit(sha: string, pinned: string): boolean {
  return sha.toLowerCase().startsWith(pinned.toLowerCase());
}

/**
 * How a deploy started, in words, from Render's deploy `trigger` (openapi.json's enum: `api`,
 * `blueprint_sync`, `deploy_hook`, `deployed_by_render`, `manual`, `other`, `new_commit`, `rollback`,
 * `service_resumed`, `service_updated`). `manual` is the dashboard's "Manual Deploy" (UNCONFIRMED: the
 * spec names the values, not who records which).
 */
export function triggerWords(trigger: string | undefined): string {
  switch (trigger) {
    case "manual":
      return "a manual deploy from the dashboard";
    case "api":
      return "a deploy through the API";
    case "new_commit":
      return "an automatic deploy of a new commit";
    case "rollback":
      return "a rollback";
    case "deploy_hook":
      return "a deploy hook";
    case "blueprint_sync":
      return "a Blueprint sync";
    case "deployed_by_render":
      return "a deploy by Render itself";
    case "service_resumed":
      return "the service's resume";
    case "service_updated":
      return "a change of the service's settings";
    default:
      return trigger ? `a deploy (trigger ${JSON.stringify(trigger)})` : "a deploy of unknown origin";
  }
}

/**
 * What a refresh found when the live deploy of the service is not the one the stack recorded: which
 * deploy is live, its commit, how it started, when, and what the stack had. `diff` completes it into the
 * preview's line with {@link outsideDeployConsequence}.
 */
export function outsideDeployFact(
  live: Deploy,
  recorded: { serviceId: string; deployId: string; deployedCommit: string },
): string {
  const short = (sha: string | undefined) => (sha ? sha.slice(0, 7) : "none");
  const when = live.finishedAt ?? live.createdAt;
  return (
    `service ${recorded.serviceId}: deploy ${live.id} (commit ${short(live.commit?.id)}) is live, ` +
    `${triggerWords(live.trigger)}${when ? ` live since ${when}` : ""}; the stack had ${recorded.deployId} ` +
    `(commit ${short(recorded.deployedCommit)}).`
  );
}

/**
 * What the up does about a deploy made outside, from the new inputs: deploys the pinned commit again when
 * the live one runs another (`pinCommand`: how to keep the live one instead), else takes it as its deploy.
 */
export function outsideDeployConsequence(
  liveCommit: string,
  news: Pick<DeployInputs, "commit">,
  reason: string | undefined,
  pinCommand?: string,
): string {
  if (news.commit && !sameCommit(liveCommit, news.commit)) {
    const how = pinCommand ? ` (to keep it instead: \`${pinCommand}\`)` : "";
    return `The commit is pinned to ${news.commit.slice(0, 7)}: the up deploys it again${how}`;
  }
  return reason
    ? `The stack takes it as its deploy; the up deploys anyway: ${reason}`
    : "The stack takes it as its deploy: the up deploys nothing";
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
  return sameCommit(current.commit?.id ?? "", commit) ? current : undefined;
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
