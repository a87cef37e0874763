/**
 * The work of `npm run rollback` (tools/rollback.ts), apart from how the stack is reached: which deploys
 * a service can go back to, the checks made before any write, Render's rollback, the wait for `live`,
 * the health probe, and the record in the stack's config that keeps a plain `pulumi up` from undoing it.
 */
import { request } from "undici";
import { deployLogTail } from "../components/deploy/provider";
import { triggerWords } from "../components/deploy/mapping";
import { isNotFound, isRenderApiError, type RenderClient } from "../components/render";
import type { Deploy, Service } from "../components/render/schemas";
import { waitForDeploy } from "../components/render/wait";

/** The stack, as the command needs it. */
export interface StackAccess {
  name: string;
  /** The stack's outputs (`serviceId`). */
  outputs(): Promise<Record<string, unknown>>;
  /** Pins `commit` in the stack's config; answers the command that did it, as a user types it. */
  pinCommit(commit: string): Promise<string>;
}

/** What to do. */
export interface RollbackOptions {
  /** A deploy id (`dep-…`) or a commit SHA; default the last successful deploy before the live one. */
  to?: string;
  /** Only list the candidates. */
  list?: boolean;
  /** Wait for live at most this long (default 20 min), polling at most every `pollIntervalMs` (8 s). */
  waitTimeoutMs?: number;
  pollIntervalMs?: number;
  /** Health probe: attempts and pause between them (default 4, 2 s). */
  probeAttempts?: number;
  probeIntervalMs?: number;
}

/** A refusal or failure, said as one message; nothing after it was written. */
export class RollbackError extends Error {
  override name = "RollbackError";
}

const deployIdPattern = /^dep-[a-z0-9]+$/;
const commitPattern = /^[0-9a-f]{7,40}$/i;

/** Checks `--to` before anything runs. */
export function checkTarget(to: string | undefined): void {
  if (to !== undefined && !deployIdPattern.test(to) && !commitPattern.test(to))
    throw new RollbackError(
      `--to must be a deploy id (dep-…) or a commit SHA (7 to 40 hex digits), got ${JSON.stringify(to)}`,
    );
}

const wentLive = (d: Deploy) => d.status === "live" || d.status === "deactivated";
const short = (d: Deploy) => (d.commit?.id ? d.commit.id.slice(0, 7) : "(no commit)");

/** One line of `--list`. */
function describe(d: Deploy, mark: string): string {
  return `${mark} ${d.id}  ${short(d)}  ${d.finishedAt ?? d.createdAt ?? ""}  ${triggerWords(d.trigger)}`;
}

/** The deploy `--to` names among the service's deploys (newest first), or the default one. */
function pickTarget(deploys: Deploy[], live: Deploy, to: string | undefined, stack: string): Deploy {
  const list = `npm run rollback -- --stack ${stack} --list`;
  if (to === undefined) {
    const before = deploys.filter(
      (d) =>
        wentLive(d) &&
        d.id !== live.id &&
        Date.parse(d.createdAt ?? "") < Date.parse(live.createdAt ?? "") &&
        d.commit?.id !== live.commit?.id,
    );
    if (!before[0])
      throw new RollbackError(
        `no earlier successful deploy of another commit than the live ${live.id} (${short(live)}) to roll back to`,
      );
    return before[0];
  }
  if (deployIdPattern.test(to)) {
    const found = deploys.find((d) => d.id === to);
    if (!found) throw new RollbackError(`unknown deploy id ${to}: the service has no such deploy (${list})`);
    if (!wentLive(found))
      throw new RollbackError(
        `deploy ${to} never went live (${found.status ?? "no status"}): only a deploy that went live can be rolled back to (${list})`,
      );
    return found;
  }
  const sha = to.toLowerCase();
  const ofCommit = deploys.filter((d) => d.commit?.id?.toLowerCase().startsWith(sha));
  const found = ofCommit.find(wentLive);
  if (!found)
    throw new RollbackError(
      ofCommit.length > 0
        ? `commit ${to} was deployed but never went live (${ofCommit.map((d) => `${d.id} ${d.status}`).join(", ")}) (${list})`
        : `commit ${to} was never deployed on this service: a rollback returns to an earlier deploy's build (${list})`,
    );
  return found;
}

/** GETs the service's health check path until it answers 200; the last failure, or undefined. */
async function probe(service: Service, options: RollbackOptions): Promise<string | undefined> {
  const path = service.serviceDetails.healthCheckPath;
  const base = service.serviceDetails.url;
  if (!path || !base) return undefined;
  const url = `${base.replace(/\/+$/, "")}${path.startsWith("/") ? path : `/${path}`}`;
  let failure = "";
  const attempts = options.probeAttempts ?? 4;
  for (let i = 0; i < attempts; i++) {
    if (i > 0) await new Promise((r) => setTimeout(r, options.probeIntervalMs ?? 2000));
    try {
      const res = await request(url, { signal: AbortSignal.timeout(5000) });
      await res.body.dump();
      if (res.statusCode === 200) return undefined;
      failure = `GET ${url} answered ${res.statusCode}`;
    } catch (err) {
      failure = `GET ${url} failed: ${(err as Error).message}`;
    }
  }
  return `${failure} (${attempts} attempts)`;
}

/**
 * Lists the candidates, or rolls back: checks everything before the one write to Render (the rollback),
 * waits for live, probes, then pins the commit in the stack's config. Answers the exit code.
 */
export async function rollback(
  client: RenderClient,
  stack: StackAccess,
  options: RollbackOptions,
  say: (line: string) => void,
): Promise<number> {
  checkTarget(options.to);
  const outputs = await stack.outputs();
  const serviceId = outputs.serviceId;
  if (typeof serviceId !== "string" || serviceId === "")
    throw new RollbackError(
      `stack ${stack.name} has no serviceId output (has it been deployed? \`pulumi up --stack ${stack.name}\`)`,
    );
  let service: Service;
  try {
    service = await client.getService(serviceId);
  } catch (err) {
    if (isNotFound(err))
      throw new RollbackError(`the stack's service ${serviceId} no longer exists on Render`);
    throw err;
  }
  const deploys: Deploy[] = [];
  for await (const d of client.listDeploys(serviceId)) {
    deploys.push(d);
    if (deploys.length >= 100) break;
  }
  const live = deploys.find((d) => d.status === "live");
  if (!live) throw new RollbackError(`service ${serviceId} has no live deploy to roll back from`);

  if (options.list) {
    say(
      `Deploys of service ${service.name} (${serviceId}) that went live, newest first (* live, > the default --to):`,
    );
    let defaultId = "";
    try {
      defaultId = pickTarget(deploys, live, undefined, stack.name).id;
    } catch {
      // none: nothing marked
    }
    for (const d of deploys.filter(wentLive))
      say(describe(d, d.id === live.id ? "*" : d.id === defaultId ? ">" : " "));
    return 0;
  }

  const target = pickTarget(deploys, live, options.to, stack.name);
  if (target.id === live.id || (target.commit?.id && target.commit.id === live.commit?.id)) {
    say(`deploy ${live.id} (${short(live)}) is live already: nothing to roll back`);
    return 0;
  }
  if (service.suspended === "suspended")
    throw new RollbackError(
      `service ${serviceId} is suspended: Render does not roll back a suspended service. Resume it first ` +
        "(`pulumi config set --path arrakis:service.suspended false` and `pulumi up`)",
    );

  say(
    `rolling service ${service.name} (${serviceId}) back from ${live.id} (${short(live)}) to ${target.id} ` +
      `(${short(target)}, ${triggerWords(target.trigger)}, live since ${target.finishedAt ?? "?"})`,
  );
  let started: Deploy;
  try {
    started = await client.rollback(serviceId, target.id);
  } catch (err) {
    if (isRenderApiError(err) && err.status === 400)
      // The refused request changed nothing; e.g. a deploy whose build Render no longer keeps.
      throw new RollbackError(
        `Render refused to roll back to ${target.id}: ${err.renderMessage ?? err.message}. Nothing was changed`,
      );
    throw err;
  }
  say(`rollback deploy ${started.id} started; waiting for it to go live`);
  const done = await waitForDeploy(client, serviceId, started.id, {
    timeoutMs: options.waitTimeoutMs ?? 20 * 60_000,
    intervalMs: options.pollIntervalMs ?? 8000,
    rampFromMs: Math.min(1000, options.pollIntervalMs ?? 1000),
  });
  if (done.status !== "live") {
    const log = await deployLogTail(client, service, done);
    throw new RollbackError(
      `rollback deploy ${started.id} ended ${done.status}; ${live.id} stays live. The stack's config is unchanged.${log}`,
    );
  }
  const unhealthy = await probe(service, options);
  if (unhealthy)
    throw new RollbackError(
      `rollback deploy ${started.id} is live but fails its health check: ${unhealthy}. The stack's config is ` +
        `unchanged: roll forward with \`pulumi up --stack ${stack.name}\`, or back to another deploy (--to)`,
    );
  say(`rollback deploy ${started.id} is live${service.serviceDetails.healthCheckPath ? " and healthy" : ""}`);
  const commit = target.commit?.id;
  if (commit) {
    const command = await stack.pinCommit(commit);
    say(
      `pinned the commit in the stack's config (\`${command}\`): the next preview is clean and a plain ` +
        `\`pulumi up\` keeps ${commit.slice(0, 7)}. To deploy the branch head again: ` +
        `\`pulumi config rm --path arrakis:deploy.commit --stack ${stack.name}\` and \`pulumi up\``,
    );
  }
  if (service.autoDeploy === "yes")
    say(
      `warning: auto-deploy is on for ${service.name}: a push to ${service.branch ?? "its branch"} deploys over ` +
        "this rollback (Render's API rollback does not turn it off; the dashboard's does)",
    );
  return 0;
}
