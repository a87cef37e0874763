/**
 * render.yaml's `initialDeployHook`: a command Render runs once, after a service's first successful
 * deploy. Render's API has no such setting; the provider runs it as a one-off job
 * (`POST /services/{id}/jobs`, render.com/docs/one-off-jobs: the command runs once in a new instance of
 * the service, from its latest successful build, with its env vars) as soon as the first deploy is
 * live, and records the job's id so that it never runs again. That this is what Render's Blueprints do
 * is UNCONFIRMED (the job is what the API offers; a hook's exact environment and its failure handling
 * on Render are not documented): the job's own status on Render says how the command went.
 *
 * The record (`initialDeployHookJobId` in state): a job id once run; {@link hookSkippedAdopted} for an
 * adopted service (its first deploy was before Pulumi); "" while still to run (the first deploy failed
 * or was not live in time: the next `pulumi up` after a successful deploy runs it).
 */
import type { RenderClient } from "../render/client";
import { waitForDeploy, WaitTimeoutError, type WaitOptions } from "../render/wait";
import { isUnknown } from "../runtime/validation";

/** What an adopted service records: the hook is never run there. */
export const hookSkippedAdopted = "none: adopted (its first deploy was before Pulumi)";

/** How long the provider waits for the first deploy before leaving the hook to a later up. */
export const defaultHookWaits: WaitOptions = { timeoutMs: 30 * 60_000, intervalMs: 10_000, rampFromMs: 250 };

/** Whether the hook is still to run: set, and neither a job nor an adoption recorded. */
export function hookPending(hook: string | undefined, recorded: string | undefined): boolean {
  return hook !== undefined && !isUnknown(hook) && (recorded ?? "") === "";
}

type HookClient = Pick<RenderClient, "getDeploy" | "listDeploys" | "listJobs" | "createJob">;

/**
 * Runs the hook if the service has a live deploy, unless a job of the same command already exists
 * (a start whose answer was lost: recorded, never started twice). Answers the job id, or "" when the
 * service has no successful deploy yet.
 */
export async function runHookIfDeployed(
  client: HookClient,
  serviceId: string,
  hook: string,
): Promise<string> {
  for await (const job of client.listJobs(serviceId)) if (job.startCommand === hook) return job.id;
  return (await hasLiveDeploy(client, serviceId)) ? (await client.createJob(serviceId, hook)).id : "";
}

/** Whether the service has a live deploy now (one successful deploy at least). */
export async function hasLiveDeploy(
  client: Pick<RenderClient, "listDeploys">,
  serviceId: string,
): Promise<boolean> {
  for await (const deploy of client.listDeploys(serviceId, { status: ["live"] }))
    if (deploy.status === "live") return true;
  return false;
}

/**
 * After create: waits for the first deploy (`deployId`; the newest one when the create's answer was
 * lost) to finish, then runs the hook if it went live. A deploy that failed, or one still running after
 * `waits`, leaves the hook to a later up (`report` says so): answers "".
 */
export async function runHookAfterFirstDeploy(
  client: HookClient,
  serviceId: string,
  deployId: string,
  hook: string,
  report: (line: string) => void,
  waits: WaitOptions = defaultHookWaits,
): Promise<string> {
  let first = deployId;
  if (first === "") for await (const d of client.listDeploys(serviceId)) first = d.id;
  if (first !== "") {
    try {
      const deploy = await waitForDeploy(client, serviceId, first, waits);
      if (deploy.status !== "live") {
        report(
          `initialDeployHook of ${serviceId} not run: its first deploy ${first} ended ${deploy.status ?? "without a status"}; ` +
            "it runs at the next `pulumi up` after a successful deploy",
        );
        return "";
      }
    } catch (err) {
      if (!(err instanceof WaitTimeoutError)) throw err;
      report(
        `initialDeployHook of ${serviceId} not run yet: ${err.message}; it runs at the next \`pulumi up\` once a deploy is live`,
      );
      return "";
    }
  }
  return runHookIfDeployed(client, serviceId, hook);
}
