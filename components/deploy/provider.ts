/**
 * The dynamic provider behind `RenderDeploy`: starts a deploy of a service when what the app runs
 * changed, waits for `live`, probes the health check path, and rolls back to the last live deploy on
 * failure when asked. A no-change `pulumi up` starts nothing: `diff` looks at inputs only.
 */
import type * as pulumi from "@pulumi/pulumi";
import {
  checkDeployInputs,
  deployDashboardUrl,
  deployReason,
  deployToTakeOver,
  failedDeployStatuses,
  healthUrl,
  outsideDeployConsequence,
  outsideDeployFact,
  rollbackTarget,
  toCreateDeployBody,
  type DeployInputs,
} from "./mapping";
import { isUnknown } from "../runtime/validation";
import { configCommand, takeAdvice, withAdvice, type Advised } from "../runtime/advice";
import { providerConfigFrom, renderClientFrom, type RenderProviderConfig } from "../runtime/config";
import { RenderClient, isOutcomeUnknown } from "../render/client";
import { isNotFound, isRenderApiError, redact } from "../render/errors";
import type { Deploy, DeployStatus, Service } from "../render/schemas";
import { waitForDeploy, type WaitTimeoutError } from "../render/wait";

/**
 * The provider's inputs: the schema's fields, and the program's `advice` for messages
 * (runtime/advice.ts; names `commit`, and `suspended`, its service's).
 */
export type DeployProviderInputs = Advised<DeployInputs>;

/** What a `RenderDeploy` holds in state: its inputs plus the outcome of its last deploy. */
export interface DeployOutputs extends DeployProviderInputs {
  /** Id of the last deploy this resource started (`dep-…`). */
  deployId: string;
  /** The commit that deploy built (the branch head when `commit` is empty). */
  deployedCommit: string;
  /** Its status as Render last reported it, e.g. `live`. */
  status: string;
  /** When it finished (RFC 3339), empty while running. */
  finishedAt: string;
  /** `passed`, `failed` or `skipped` (no path to probe, or disabled). */
  health: string;
  /** The deploy rolled back to after a failure (the earlier live one), empty when none was. */
  rolledBackTo: string;
  /** Link to the deploy in Render's dashboard. */
  dashboardUrl: string;
  /**
   * Set by a refresh that found a deploy made outside the stack live (what it is, for the preview's
   * line, which `diff` writes); dropped by the next refresh and by every deploy.
   */
  outsideDeploy?: string;
}

/** Writes one progress line; the engine shows a provider's stderr lines in the `pulumi up` output. */
export type ProgressSink = (line: string) => void;

interface Outcome {
  deploy: Deploy;
  /** Set when the up must fail. */
  problem?: string;
  health: string;
}

/** The clock and sleep of the waits and the health probe: real ones by default, tests give their own. */
export interface DeployTiming {
  /** Clock in ms. Default `Date.now`. */
  now?: () => number;
  /** Sleep. Default a timer. */
  sleep?: (ms: number) => Promise<void>;
}

/**
 * A pinned commit whose build failed may simply not exist: Render's API has no way to look a commit up
 * before building it (nor has the emulator), so this is where a wrong commit shows. Say so, and how to
 * check it. (How Render reports an unknown commit is UNCONFIRMED; a failed build is the likely form.)
 */
function commitHint(inputs: DeployProviderInputs, service: Service, deploy: Deploy): string {
  if (!inputs.commit || deploy.status !== "build_failed") return "";
  const command = configCommand(inputs.advice, "commit", "rm");
  return (
    ` Commit ${inputs.commit} may not exist on branch ${service.branch ?? "(default)"} of ${service.repo ?? "the repository"}: ` +
    "Render cannot check a commit before it builds it. Check it in the app's checkout with " +
    `\`git fetch && git branch -r --contains ${inputs.commit}\`, or deploy the branch head by leaving the commit ` +
    `empty${command && inputs.advice ? ` (${inputs.advice.program}: \`${command}\`)` : ""}`
  );
}

/** ` (commit abc1234)` when the deploy has one. */
function commitNote(deploy: Deploy): string {
  return deploy.commit?.id ? ` (commit ${deploy.commit.id.slice(0, 7)})` : "";
}

/** The service's latest deploys, newest first (the current one is among them). */
async function recentDeploys(client: RenderClient, serviceId: string): Promise<Deploy[]> {
  const out: Deploy[] = [];
  for await (const d of client.listDeploys(serviceId)) {
    out.push(d);
    if (out.length >= 20) break;
  }
  return out;
}

/** How many lines of a failed deploy's log its error shows. */
export const failureLogLines = 30;

/**
 * The last {@link failureLogLines} lines of a deploy's log (`GET /logs`: the service's lines since the
 * deploy was created, newest first, reversed), each indented, secrets redacted: the key, the values of
 * the service's env vars (any of 8 characters or more: the API does not say which are secret), and
 * credentials in URLs. `types`: `["build"]` for a build or pre-deploy failure (both are build lines on
 * Render; UNCONFIRMED for the pre-deploy command), all for a failure after the build. A log that cannot be
 * read is said, never fatal.
 */
export async function deployLogTail(
  client: RenderClient,
  service: Service,
  deploy: Deploy,
  types?: string[],
): Promise<string> {
  try {
    const page = await client.listLogs({
      ownerId: service.ownerId,
      resource: [service.id],
      ...(types ? { type: types } : {}),
      ...(deploy.createdAt ? { startTime: deploy.createdAt } : {}),
      direction: "backward",
      limit: failureLogLines,
    });
    if (page.logs.length === 0) return " Its log has no lines.";
    const secrets: string[] = [];
    for await (const envVar of client.listEnvVars(service.id))
      if (envVar.value.length >= 8) secrets.push(envVar.value);
    const lines = page.logs
      .slice()
      .reverse()
      .map((l) => `    ${redact(l.message, secrets)}`);
    return `\n  The last ${lines.length} lines of its log:\n${lines.join("\n")}`;
  } catch (err) {
    return ` Its log could not be read: ${(err as Error).message}`;
  }
}

/** Services whose deploy inputs this process checked: the program's own, as opposed to a refresh's. */
const checkedServices = new Set<string>();

/** The service's live deploy (Render lists newest first), or undefined when none is. */
async function liveDeployOf(client: RenderClient, serviceId: string): Promise<Deploy | undefined> {
  for await (const d of client.listDeploys(serviceId, { status: ["live"] })) return d;
  return undefined;
}

/** The `ResourceProvider` of Render deploys. */
export class DeployProvider implements pulumi.dynamic.ResourceProvider<DeployProviderInputs, DeployOutputs> {
  private config: RenderProviderConfig = {};
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  /**
   * `progress`: where progress lines go (default stderr, which the engine shows); `timing`: the clock
   * and sleep of the waits and the health probe (tests run them at zero).
   */
  constructor(
    private readonly progress?: ProgressSink,
    timing: DeployTiming = {},
  ) {
    this.now = timing.now ?? (() => Date.now());
    this.sleep = timing.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /** Reads `render:apiKey` and `render:apiUrl` from stack config: the key is never an input. */
  async configure(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
    this.config = providerConfigFrom((key) => req.config.get(key));
  }

  /** Validates the inputs (and `advice`) and fills in the defaults; no API call. */
  async check(
    _olds: DeployProviderInputs,
    news: DeployProviderInputs,
  ): Promise<pulumi.dynamic.CheckResult<DeployProviderInputs>> {
    const {
      fields,
      advice,
      failures: adviceFailures,
    } = takeAdvice(news as unknown as Record<string, unknown>);
    const { inputs, failures } = checkDeployInputs(fields);
    if (typeof inputs.serviceId === "string" && !isUnknown(inputs.serviceId))
      checkedServices.add(inputs.serviceId);
    return { inputs: withAdvice(inputs, advice), failures: [...failures, ...adviceFailures] };
  }

  /** A new deploy only when the service, commit or trigger changed, or the last one failed. */
  async diff(
    _id: string,
    olds: DeployOutputs,
    news: DeployProviderInputs,
  ): Promise<pulumi.dynamic.DiffResult> {
    if (
      isUnknown(news.serviceId) ||
      isUnknown(news.commit) ||
      isUnknown(news.trigger) ||
      isUnknown(news.release)
    )
      return { changes: true };
    const reason = deployReason(olds, news);
    // The engine diffs twice: once in the refresh (with the recorded inputs, before the program's check),
    // once for the up (with the program's). Only the second knows what the up does.
    if (olds.outsideDeploy && checkedServices.has(news.serviceId)) {
      const pin = olds.deployedCommit
        ? configCommand(news.advice, "commit", "set", olds.deployedCommit.slice(0, 7))
        : undefined;
      this.say(`${olds.outsideDeploy} ${outsideDeployConsequence(olds.deployedCommit, news, reason, pin)}`);
    }
    return { changes: reason !== undefined };
  }

  /**
   * Takes over the service's current deploy when it is what the inputs ask for (see `deployToTakeOver`):
   * adopting a live service deploys nothing, and a new service's first deploy is waited for, not built
   * twice. Otherwise deploys. The resource's id is the service's, so later deploys are updates of it.
   */
  async create(inputs: DeployProviderInputs): Promise<pulumi.dynamic.CreateResult<DeployOutputs>> {
    // A deploy asked for by hand (`release`) is made even when one runs already.
    return { id: inputs.serviceId, outs: await this.run(inputs, "", inputs.release === "") };
  }

  /** Deploys again when `diff` said so; option changes alone keep the last deploy's outcome. */
  async update(
    _id: string,
    olds: DeployOutputs,
    news: DeployProviderInputs,
  ): Promise<pulumi.dynamic.UpdateResult<DeployOutputs>> {
    if (deployReason(olds, news) === undefined)
      return {
        outs: {
          ...news,
          deployId: olds.deployId,
          deployedCommit: olds.deployedCommit,
          status: olds.status,
          finishedAt: olds.finishedAt,
          health: olds.health,
          rolledBackTo: olds.rolledBackTo,
          dashboardUrl: olds.dashboardUrl,
        },
      };
    return { outs: await this.run(news, olds.deployId ?? "") };
  }

  /**
   * Refresh: the recorded deploy's status, and the service's live deploy. When a deploy made outside the
   * stack (the dashboard, the API, a rollback, a new commit) went live after the recorded one, which went
   * well, it becomes the recorded deploy and `outsideDeploy` notes it for `diff`, which writes the one line: with
   * no pinned commit nothing deploys, with a pinned one the live commit differs and the up deploys it. A recorded deploy that
   * failed keeps its retry. Gone with its service. Inputs stay as they were.
   */
  async read(id: string, props?: DeployOutputs): Promise<pulumi.dynamic.ReadResult<DeployOutputs>> {
    if (!props?.deployId) return { id, props };
    // The note of a deploy made outside lives from this refresh to the diff that says it, no longer.
    const { outsideDeploy: _seen, ...base } = props;
    const client = renderClientFrom(this.config);
    let deploy: Deploy;
    try {
      deploy = await client.getDeploy(props.serviceId, props.deployId);
    } catch (err) {
      if (!isNotFound(err)) throw err;
      try {
        await client.getService(props.serviceId);
      } catch (inner) {
        if (isNotFound(inner)) return {};
        throw inner;
      }
      return { id, props: base };
    }
    const refreshed = {
      ...base,
      status: deploy.status ?? props.status,
      finishedAt: deploy.finishedAt ?? "",
    };
    const wentWell =
      !failedDeployStatuses.includes(refreshed.status as DeployStatus) && props.health !== "failed";
    if (deploy.status === "live" || !wentWell) return { id, props: refreshed };
    const live = await liveDeployOf(client, props.serviceId);
    const newer =
      live !== undefined &&
      live.id !== props.deployId &&
      Date.parse(live.createdAt ?? "") > Date.parse(deploy.createdAt ?? "");
    if (!live || !newer) return { id, props: refreshed };
    return {
      id,
      props: {
        ...base,
        outsideDeploy: outsideDeployFact(live, {
          serviceId: props.serviceId,
          deployId: props.deployId,
          deployedCommit: props.deployedCommit,
        }),
        deployId: live.id,
        deployedCommit: live.commit?.id ?? "",
        status: live.status ?? "live",
        finishedAt: live.finishedAt ?? "",
        health: "skipped",
        rolledBackTo: "",
        dashboardUrl: props.dashboardUrl
          ? props.dashboardUrl.replace(/\/deploys\/[^/]+$/, `/deploys/${live.id}`)
          : deployDashboardUrl("", props.serviceId, live.id),
      },
    };
  }

  /** Deploys cannot be deleted on Render: forgetting the resource leaves the service as it runs. */
  async delete(): Promise<void> {}

  private say(line: string): void {
    if (this.progress) this.progress(line);
    else process.stderr.write(`${line}\n`);
  }

  /**
   * Starts a deploy (or, with `takeOver`, takes over the current one), waits, probes, rolls back on
   * failure; rejects with partial state on failure.
   */
  private async run(
    inputs: DeployProviderInputs,
    previousDeployId: string,
    takeOver = false,
  ): Promise<DeployOutputs> {
    const client = renderClientFrom(this.config);
    const what = `service ${inputs.serviceId}`;
    let service: Service;
    try {
      service = await client.getService(inputs.serviceId);
    } catch (err) {
      throw new Error(`could not deploy ${what}: ${(err as Error).message}`);
    }
    const current = takeOver
      ? deployToTakeOver(await recentDeploys(client, service.id), inputs.commit)
      : undefined;
    if (current?.status === "live") return this.adopted(inputs, service, current);
    const deploy = current ?? (await this.start(client, inputs, service));
    const link = deployDashboardUrl(service.dashboardUrl ?? "", inputs.serviceId, deploy.id);
    if (current)
      this.say(
        `deploy ${deploy.id} of ${what}${commitNote(deploy)} is under way (${deploy.status}); waiting for it ` +
          `rather than starting another (${link})`,
      );
    else this.say(`deploy ${deploy.id} of ${what} started (${link})`);
    const outcome = await this.finish(client, inputs, service, deploy);
    const outs: DeployOutputs = {
      ...inputs,
      deployId: outcome.deploy.id,
      deployedCommit: outcome.deploy.commit?.id ?? inputs.commit,
      status: outcome.deploy.status ?? "",
      finishedAt: outcome.deploy.finishedAt ?? "",
      health: outcome.health,
      rolledBackTo: "",
      dashboardUrl: link,
    };
    if (!outcome.problem) {
      this.say(
        `deploy ${deploy.id} of ${what}${commitNote(outcome.deploy)} is live${outcome.health === "passed" ? " and healthy" : ""}`,
      );
      return outs;
    }
    // Read before a rollback, whose own lines would follow.
    const log = await deployLogTail(
      client,
      service,
      outcome.deploy,
      ["build_failed", "pre_deploy_failed"].includes(outcome.deploy.status ?? "") ? ["build"] : undefined,
    );
    let rollbackNote = "";
    if (inputs.rollbackOnFailure) {
      const rolled = await this.rollBack(client, inputs, deploy.id, previousDeployId);
      outs.rolledBackTo = rolled.to;
      rollbackNote = ` ${rolled.note}`;
    }
    const message =
      `could not deploy ${what}: deploy ${deploy.id} ${outcome.problem} (${link}).${rollbackNote}` +
      commitHint(inputs, service, outcome.deploy) +
      log;
    // The deploy exists: the engine keeps these outputs and retries on the next up.
    throw Object.assign(new Error(message), {
      id: inputs.serviceId,
      properties: outs,
      reasons: [message],
    });
  }

  /** The outputs of a live deploy taken over as it is: nothing deployed, nothing probed. */
  private adopted(inputs: DeployProviderInputs, service: Service, deploy: Deploy): DeployOutputs {
    const link = deployDashboardUrl(service.dashboardUrl ?? "", service.id, deploy.id);
    // Worded like the status lines ("deploy dep-…: live"), which people and tests look for.
    this.say(
      `deploy ${deploy.id}: live${commitNote(deploy)} on service ${service.id}, adopted as it runs: nothing ` +
        `deployed (${link}). Changes this up makes to env vars or settings reach the app at its next deploy`,
    );
    return {
      ...inputs,
      deployId: deploy.id,
      deployedCommit: deploy.commit?.id ?? inputs.commit,
      status: deploy.status ?? "live",
      finishedAt: deploy.finishedAt ?? "",
      health: "skipped",
      rolledBackTo: "",
      dashboardUrl: link,
    };
  }

  /** POSTs the deploy; a lost answer or a 202 without body is resolved by listing, never by a second POST. */
  private async start(client: RenderClient, inputs: DeployProviderInputs, service: Service): Promise<Deploy> {
    // Render refuses it (409); say why, and how to change it, before any write.
    if (service.suspended === "suspended") {
      const command = configCommand(inputs.advice, "suspended", "set", "false");
      const how =
        command && inputs.advice
          ? `${inputs.advice.program}: \`${command}\``
          : "set `suspended: false` on the service";
      throw new Error(
        `could not deploy service ${service.id}: it is suspended. Resume it to deploy (${how}, then \`pulumi up\`)`,
      );
    }
    const known = new Set((await recentDeploys(client, service.id)).map((d) => d.id));
    let created: Deploy | undefined;
    try {
      created = await client.createDeploy(service.id, toCreateDeployBody(inputs));
    } catch (err) {
      if (!isOutcomeUnknown(err))
        throw new Error(`could not deploy service ${service.id}: ${(err as Error).message}`);
    }
    if (created) return created;
    for await (const d of client.listDeploys(service.id)) {
      if (!known.has(d.id)) return d;
      break;
    }
    throw new Error(
      `could not deploy service ${service.id}: Render did not confirm the deploy and none was started, so ` +
        "running `pulumi up` again is safe",
    );
  }

  /** Waits for a terminal status (canceling on timeout), then probes health. */
  private async finish(
    client: RenderClient,
    inputs: DeployProviderInputs,
    service: Service,
    started: Deploy,
  ): Promise<Outcome> {
    let deploy: Deploy;
    try {
      deploy = await this.waitFor(client, service.id, started.id, inputs, started.status);
    } catch (err) {
      // By name: another copy of wait.ts (the providers package bundles its own) has its own class.
      if ((err as Error).name !== "WaitTimeoutError") throw err;
      const lastSeen = (err as WaitTimeoutError).lastSeen;
      // A deploy nobody waits for must not go live later, unverified.
      let status: string = "still running";
      try {
        status = (await client.cancelDeploy(service.id, started.id)).status ?? "canceled";
      } catch (cancelErr) {
        if (!isRenderApiError(cancelErr) || cancelErr.status !== 400) throw cancelErr;
        status = (await client.getDeploy(service.id, started.id)).status ?? status;
      }
      if (status === "live") deploy = { ...started, status: "live" };
      else
        return {
          deploy: { ...started, status: status as DeployStatus },
          problem: `did not go live within ${Math.round(inputs.waitTimeoutMs / 1000)} s (${lastSeen ?? "no status"}) and was canceled`,
          health: "skipped",
        };
    }
    const status = deploy.status ?? "";
    if (status !== "live") {
      const ended = failedDeployStatuses.includes(status as DeployStatus) ? status : `${status} (not live)`;
      return { deploy, problem: `ended ${ended}`, health: "skipped" };
    }
    const probe = inputs.healthCheck;
    const path = probe.path || service.serviceDetails.healthCheckPath || "";
    if (!probe.enabled || !path) return { deploy, health: "skipped" };
    const url = healthUrl(service.serviceDetails.url ?? "", path);
    const failure = await this.probe(url, inputs);
    return failure
      ? { deploy, problem: `went live but failed its health check: ${failure}`, health: "failed" }
      : { deploy, health: "passed" };
  }

  /**
   * Waits for a terminal status (render/wait.ts), saying each status change and, on long stages, a
   * heartbeat, so a long wait shows it is alive. `initial`: the status Render answered when the deploy
   * was made, said at once (the first poll waits).
   */
  private async waitFor(
    client: RenderClient,
    serviceId: string,
    deployId: string,
    inputs: DeployInputs,
    initial?: string,
  ): Promise<Deploy> {
    const startedAt = this.now();
    let lastStatus = "";
    let lastSaid = startedAt;
    const say = (status: string) => {
      this.say(`deploy ${deployId}: ${status} (${Math.round((this.now() - startedAt) / 1000)} s)`);
      lastStatus = status;
      lastSaid = this.now();
    };
    if (initial) say(initial);
    return waitForDeploy(client, serviceId, deployId, {
      timeoutMs: inputs.waitTimeoutMs,
      intervalMs: inputs.pollIntervalMs,
      // A just-created deploy only says so: first poll after a second, doubling up to pollIntervalMs
      // (a 90 s deploy is seen within 8 s of going live, in 14 polls; bench P3).
      rampFromMs: 1000,
      now: this.now,
      sleep: this.sleep,
      onPoll: (deploy) => {
        const status = deploy.status ?? "none";
        if (status !== lastStatus || this.now() - lastSaid >= 30_000) say(status);
      },
    });
  }

  /** GETs the health URL until it answers the expected status; answers the last failure, or undefined. */
  private async probe(url: string, inputs: DeployInputs): Promise<string | undefined> {
    const { request } = require("undici") as typeof import("undici");
    const { expectedStatus, timeoutMs, retries, intervalMs } = inputs.healthCheck;
    let failure = "";
    for (let attempt = 0; attempt <= retries; attempt++) {
      if (attempt > 0) await this.sleep(intervalMs);
      try {
        const res = await request(url, {
          method: "GET",
          signal: AbortSignal.timeout(timeoutMs),
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
        });
        await res.body.dump();
        if (res.statusCode === expectedStatus) return undefined;
        failure = `GET ${url} answered ${res.statusCode}, expected ${expectedStatus}`;
      } catch (err) {
        const e = err as Error;
        failure =
          e.name === "TimeoutError" || e.name === "AbortError" || /timeout/i.test(e.message)
            ? `GET ${url} did not answer within ${timeoutMs} ms`
            : `GET ${url} failed: ${e.message}`;
      }
      this.say(`health check ${attempt + 1}/${retries + 1}: ${failure}`);
    }
    return `${failure} (${retries + 1} attempt${retries === 0 ? "" : "s"})`;
  }

  /**
   * Brings back the last deploy that was live before `failedId`. When it still is live (the failed
   * deploy never replaced it) there is nothing to roll back: a rollback would only rebuild it.
   */
  private async rollBack(
    client: RenderClient,
    inputs: DeployInputs,
    failedId: string,
    previousDeployId: string,
  ): Promise<{ to: string; note: string }> {
    try {
      const deploys: Deploy[] = [];
      for await (const d of client.listDeploys(inputs.serviceId)) {
        deploys.push(d);
        if (deploys.length >= 100) break;
      }
      const target = rollbackTarget(deploys, failedId);
      if (!target) return { to: "", note: "There is no earlier live deploy to roll back to." };
      if (target.status === "live")
        return { to: "", note: `The previous deploy ${target.id} is still live; nothing to roll back.` };
      this.say(`rolling service ${inputs.serviceId} back to deploy ${target.id}`);
      const rollback = await client.rollback(inputs.serviceId, target.id);
      const done = await this.waitFor(client, inputs.serviceId, rollback.id, inputs, rollback.status);
      const commit = target.commit?.id ? ` (commit ${target.commit.id.slice(0, 7)})` : "";
      return {
        to: target.id,
        note:
          done.status === "live"
            ? `Rolled back to deploy ${target.id}${commit}: rollback deploy ${rollback.id} is live.`
            : `Tried to roll back to deploy ${target.id}${commit}, but rollback deploy ${rollback.id} ended ${done.status}.`,
      };
    } catch (err) {
      const last = previousDeployId ? ` (the last deploy before was ${previousDeployId})` : "";
      return { to: "", note: `The rollback failed${last}: ${(err as Error).message}.` };
    }
  }
}
