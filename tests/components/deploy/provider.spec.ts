import { strict as assert } from "node:assert";
import { startEmulator, type RunningEmulator } from "../../../emulator";
import { DeployProvider, type DeployOutputs } from "../../../components/deploy/provider";
import type { DeployInputs } from "../../../components/deploy/mapping";
import { call, checked, configured } from "../../helpers/providers";
import { eventually } from "../../emulator/harness";
import { appAdvice, arrakisConfigNames } from "../../../app/app";

/** The advice the arrakis program passes (index.ts). */
const arrakisAdvice = appAdvice(arrakisConfigNames);

interface LoggedRequest {
  method: string;
  path: string;
  status: number;
}

interface LiveDeploy {
  id: string;
  status: string;
  trigger: string;
  commit: { id: string } | null;
}

/** A rejection of create/update that kept partial state. */
interface PartialFailure extends Error {
  id: string;
  properties: DeployOutputs;
  reasons: string[];
}

const commitA = "a".repeat(40);
const commitBad = "badbad0".padEnd(40, "0");

// RenderDeploy's provider against the emulator with millisecond timings: every status path, the
// health probe, rollback, cancel, and which input changes start a deploy.
describe("RenderDeploy provider (emulator)", function () {
  this.timeout(60_000);
  let emu: RunningEmulator;
  let progress: string[];
  let provider: DeployProvider;
  let n = 0;

  const api = (method: string, path: string, body?: unknown) =>
    call(emu.url, method, path, { apiKey: emu.apiKey, body });
  const control = (method: string, path: string, body?: unknown) =>
    call(emu.controlUrl, method, path, { body });
  const deployPosts = async (serviceId: string) =>
    ((await control("GET", "/requests")).body as LoggedRequest[]).filter(
      (r) => r.method === "POST" && r.path === `/v1/services/${serviceId}/deploys`,
    ).length;
  const deploys = async (serviceId: string) =>
    ((await api("GET", `/services/${serviceId}/deploys?limit=100`)).body as { deploy: LiveDeploy }[]).map(
      (e) => e.deploy,
    );

  /** A fresh service whose first deploy (Render's, at create) is live. */
  async function newService(details: Record<string, unknown> = {}): Promise<string> {
    const { serviceId, deployId } = await startService(details);
    await liveDeploy(serviceId, deployId);
    return serviceId;
  }

  async function liveDeploy(serviceId: string, deployId: string): Promise<void> {
    for (let i = 0; i < 200; i++) {
      const d = (await api("GET", `/services/${serviceId}/deploys/${deployId}`)).body as LiveDeploy;
      if (d.status === "live") return;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`deploy ${deployId} did not go live`);
  }

  /** A new service as Render makes it: its first deploy just started. */
  async function startService(
    details: Record<string, unknown> = {},
  ): Promise<{ serviceId: string; deployId: string }> {
    const created = await api("POST", "/services", {
      type: "web_service",
      name: `deploy-spec-${++n}`,
      ownerId: emu.ownerId,
      repo: "https://github.com/happydotemdr/arrakis",
      branch: "master",
      autoDeploy: "no",
      serviceDetails: {
        runtime: "node",
        healthCheckPath: "/",
        envSpecificDetails: { buildCommand: "npm install", startCommand: "npm start" },
        ...details,
      },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const { service, deployId } = created.body as { service: { id: string }; deployId: string };
    return { serviceId: service.id, deployId };
  }

  /**
   * Inputs pinning a commit the service does not run: create deploys it (with the branch head, create
   * would take over the live deploy instead).
   */
  const pinned = (serviceId: string, extra: Record<string, unknown> = {}) =>
    inputs(serviceId, { commit: commitA, ...extra });

  function inputs(serviceId: string, extra: Record<string, unknown> = {}): Promise<DeployInputs> {
    return checked<DeployInputs>(provider, {
      serviceId,
      commit: "",
      trigger: "t1",
      pollIntervalMs: 5,
      ...extra,
      healthCheck: { timeoutMs: 200, retries: 1, intervalMs: 5, ...(extra.healthCheck as object) },
    });
  }

  async function failure(run: Promise<unknown>): Promise<PartialFailure> {
    try {
      await run;
    } catch (err) {
      return err as PartialFailure;
    }
    throw new Error("expected the deploy to fail");
  }

  before(async () => {
    emu = await startEmulator({
      port: 0,
      timings: { base: "fast", build: 40, preDeploy: 20, update: 20 },
      rateLimits: { enabled: false },
    });
  });

  after(async () => {
    await emu?.close();
  });

  beforeEach(async () => {
    progress = [];
    provider = await configured(new DeployProvider((line) => progress.push(line)), emu);
    await control("DELETE", "/deploys/fail");
  });

  const rawCheck = (news: Record<string, unknown>) =>
    provider.check!({} as DeployInputs, news as unknown as DeployInputs);

  describe("check", () => {
    it("fills in the defaults and names bad fields", async () => {
      const ok = await rawCheck({ serviceId: "srv-abc123", commit: "ABCDEF1" });
      assert.deepEqual(ok.failures, []);
      const i = ok.inputs as DeployInputs;
      assert.equal(i.commit, "abcdef1");
      assert.equal(i.waitTimeoutMs, 20 * 60_000);
      assert.deepEqual(i.healthCheck, {
        enabled: true,
        path: "",
        expectedStatus: 200,
        timeoutMs: 5000,
        retries: 3,
        intervalMs: 2000,
      });
      assert.equal(i.rollbackOnFailure, false);
      const bad = await rawCheck({
        serviceId: "web",
        commit: "main",
        healthCheck: { path: "health", retries: -1 },
      });
      assert.deepEqual(
        bad.failures?.map((f) => f.property),
        ["serviceId", "commit", "healthCheck.path", "healthCheck.retries"],
      );
    });

    it("lets unknown values of a preview through", async () => {
      const unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
      const r = await rawCheck({
        serviceId: unknown,
        commit: unknown,
        trigger: unknown,
      });
      assert.deepEqual(r.failures, []);
      assert.deepEqual(await provider.diff!("srv-x", {} as DeployOutputs, r.inputs!), {
        changes: true,
      });
    });
  });

  describe("triggers", () => {
    let serviceId: string;
    let outs: DeployOutputs;

    it("create on a new service waits for the deploy Render started, probes health, and POSTs none", async () => {
      // A build long enough to be seen under way.
      await control("PUT", "/timings", { build: 1000 });
      let started: { serviceId: string; deployId: string };
      try {
        started = await startService();
      } finally {
        await control("PUT", "/timings", { build: 40 });
      }
      serviceId = started.serviceId;
      const created = await provider.create!(await inputs(serviceId));
      outs = created.outs as DeployOutputs;
      assert.equal(created.id, serviceId);
      assert.equal(await deployPosts(serviceId), 0);
      assert.equal(outs.deployId, started.deployId);
      assert.equal(outs.status, "live");
      assert.equal(outs.health, "passed");
      assert.equal(outs.rolledBackTo, "");
      assert.match(outs.deployId, /^dep-/);
      assert.match(outs.deployedCommit, /^[0-9a-f]{40}$/);
      assert.ok(outs.finishedAt && !Number.isNaN(Date.parse(outs.finishedAt)));
      assert.match(outs.dashboardUrl, new RegExp(`/${serviceId}/deploys/${outs.deployId}$`));
      const live = (await deploys(serviceId)).find((d) => d.id === outs.deployId);
      assert.equal(live?.status, "live");
      // Progress went out: started, each status, live.
      assert.ok(progress.some((l) => l.includes(`deploy ${outs.deployId}: build_in_progress`)));
      assert.ok(progress.some((l) => /is live and healthy/.test(l)));
    });

    it("no change: diff says none and update deploys nothing", async () => {
      const before = await deployPosts(serviceId);
      const same = await inputs(serviceId);
      assert.deepEqual(await provider.diff!(serviceId, outs, same), { changes: false });
      const updated = (await provider.update!(serviceId, outs, same)).outs as DeployOutputs;
      assert.equal(updated.deployId, outs.deployId);
      assert.equal(await deployPosts(serviceId), before);
    });

    it("an option change alone (timeouts, probe) deploys nothing", async () => {
      const before = await deployPosts(serviceId);
      const news = await inputs(serviceId, {
        waitTimeoutMs: 5000,
        healthCheck: { retries: 5 },
        clearCache: true,
      });
      assert.deepEqual(await provider.diff!(serviceId, outs, news), { changes: false });
      const updated = (await provider.update!(serviceId, outs, news)).outs as DeployOutputs;
      assert.equal(updated.deployId, outs.deployId);
      assert.equal(updated.healthCheck.retries, 5);
      assert.equal(await deployPosts(serviceId), before);
    });

    it("a new trigger (env vars, settings, migrations) makes exactly one deploy", async () => {
      const before = await deployPosts(serviceId);
      const news = await inputs(serviceId, { trigger: "t2" });
      assert.deepEqual(await provider.diff!(serviceId, outs, news), { changes: true });
      const updated = (await provider.update!(serviceId, outs, news)).outs as DeployOutputs;
      assert.notEqual(updated.deployId, outs.deployId);
      assert.equal(updated.status, "live");
      assert.equal(await deployPosts(serviceId), before + 1);
      const list = await deploys(serviceId);
      assert.equal(list.find((d) => d.id === outs.deployId)?.status, "deactivated");
      outs = updated;
    });

    it("a new commit makes exactly one deploy, of that commit", async () => {
      const before = await deployPosts(serviceId);
      const news = await inputs(serviceId, { trigger: "t2", commit: commitA, clearCache: true });
      assert.deepEqual(await provider.diff!(serviceId, outs, news), { changes: true });
      const updated = (await provider.update!(serviceId, outs, news)).outs as DeployOutputs;
      assert.equal(updated.deployedCommit, commitA);
      assert.equal(await deployPosts(serviceId), before + 1);
      outs = updated;
    });

    it("read reports the deploy's status; a later deploy made outside becomes the recorded one, in one line", async () => {
      const read = await provider.read!(serviceId, outs);
      assert.equal(read.props?.status, "live");
      assert.equal(read.props?.deployId, outs.deployId);
      assert.equal(progress.length, 0);
      // The dashboard's "Manual Deploy" of the branch head (trigger `manual`).
      const other = await control("POST", `/services/${serviceId}/dashboard/deploy`, {});
      assert.equal(other.status, 201);
      const otherDeploy = other.body as LiveDeploy;
      assert.equal(otherDeploy.trigger, "manual");
      await eventually(
        async () =>
          ((await api("GET", `/services/${serviceId}/deploys/${otherDeploy.id}`)).body as LiveDeploy)
            .status === "live",
        `deploy ${otherDeploy.id} to go live`,
      );
      const after = (await provider.read!(serviceId, outs)).props as DeployOutputs;
      assert.equal(after.deployId, otherDeploy.id);
      assert.equal(after.deployedCommit, otherDeploy.commit?.id);
      assert.equal(after.status, "live");
      assert.match(after.dashboardUrl, new RegExp(`/deploys/${otherDeploy.id}$`));
      // The refresh notes it; the diff (the preview) says it in one line, with what the up does.
      assert.deepEqual(progress, []);
      const news = await inputs(serviceId, { trigger: "t2", commit: commitA });
      assert.deepEqual(await provider.diff!(serviceId, after, news), { changes: true });
      assert.equal(progress.length, 1, progress.join("\n"));
      assert.match(
        progress[0],
        new RegExp(
          `^service ${serviceId}: deploy ${otherDeploy.id} \\(commit ${otherDeploy.commit!.id.slice(0, 7)}\\) is live, ` +
            `a manual deploy from the dashboard live since \\S+Z; the stack had ${outs.deployId} \\(commit ${commitA.slice(0, 7)}\\)\\. ` +
            `The commit is pinned to ${commitA.slice(0, 7)}: the up deploys it again$`,
        ),
      );
      // Pinned to commitA, the live deploy runs the branch head: the up deploys commitA again.
      const before = await deployPosts(serviceId);
      const redeployed = (await provider.update!(serviceId, after, news)).outs as DeployOutputs;
      assert.equal(redeployed.deployedCommit, commitA);
      assert.equal(redeployed.status, "live");
      assert.equal(await deployPosts(serviceId), before + 1);
      outs = redeployed;
    });

    it("unpinned, a deploy made outside is adopted: no change, nothing deployed, then no line", async () => {
      const unpinned = await newService();
      let state = (await provider.create!(await inputs(unpinned))).outs as DeployOutputs;
      const first = state.deployId;
      // A dashboard deploy of a new head, then a dashboard rollback to the first deploy.
      await control("PUT", `/services/${unpinned}/head`, { commitId: "c".repeat(40) });
      const manual = (await control("POST", `/services/${unpinned}/dashboard/deploy`, {})).body as LiveDeploy;
      await liveDeploy(unpinned, manual.id);
      progress = [];
      state = (await provider.read!(unpinned, state)).props as DeployOutputs;
      assert.equal(state.deployId, manual.id);
      assert.equal(state.deployedCommit, "c".repeat(40));
      const same = await inputs(unpinned);
      assert.deepEqual(await provider.diff!(unpinned, state, same), { changes: false });
      assert.match(
        progress.join("\n"),
        /a manual deploy from the dashboard .*The stack takes it as its deploy: the up deploys nothing$/,
      );
      progress = [];
      assert.equal(((await provider.read!(unpinned, state)).props as DeployOutputs).deployId, manual.id);
      assert.deepEqual(progress, []);
      const rolled = await control("POST", `/services/${unpinned}/dashboard/rollback`, { deployId: first });
      assert.equal(rolled.status, 201, JSON.stringify(rolled.body));
      const rollback = rolled.body as LiveDeploy;
      assert.equal(rollback.trigger, "rollback");
      await liveDeploy(unpinned, rollback.id);
      state = (await provider.read!(unpinned, state)).props as DeployOutputs;
      assert.equal(state.deployId, rollback.id);
      assert.deepEqual(await provider.diff!(unpinned, state, same), { changes: false });
      assert.match(
        progress.join("\n"),
        new RegExp(`deploy ${rollback.id} .* is live, a rollback live since .*; the stack had ${manual.id}`),
      );
      // The next refresh drops the note: nothing more is said.
      progress = [];
      state = (await provider.read!(unpinned, state)).props as DeployOutputs;
      assert.equal(state.outsideDeploy, undefined);
      await provider.diff!(unpinned, state, same);
      assert.deepEqual(progress, []);
      assert.equal(await deployPosts(unpinned), 0);
    });

    it("a recorded deploy that failed keeps its retry: an older live deploy is not adopted", async () => {
      const svc = await newService();
      const made = (await provider.create!(await inputs(svc))).outs as DeployOutputs;
      await control("PUT", "/deploys/fail", { commitId: commitBad, stage: "build" });
      const failed = await failure(provider.update!(svc, made, await inputs(svc, { commit: commitBad })));
      progress = [];
      const read = (await provider.read!(svc, failed.properties)).props as DeployOutputs;
      assert.equal(read.deployId, failed.properties.deployId);
      assert.equal(read.status, "build_failed");
      assert.deepEqual(progress, []);
      assert.deepEqual(await provider.diff!(svc, read, await inputs(svc, { commit: commitBad })), {
        changes: true,
      });
    });

    it("a suspended service is not deployed: the error says so and how to resume it; no POST", async () => {
      const suspended = await newService();
      const made = (await provider.create!(await inputs(suspended))).outs as DeployOutputs;
      assert.equal((await api("POST", `/services/${suspended}/suspend`)).status, 202);
      const err = await failure(
        provider.update!(suspended, made, await inputs(suspended, { trigger: "t9" })),
      );
      assert.match(err.message, new RegExp(`could not deploy service ${suspended}: it is suspended`));
      assert.match(
        err.message,
        /Resume it to deploy \(set `suspended: false` on the service, then `pulumi up`\)/,
      );
      // With the arrakis app's advice: its own command.
      const advised = await failure(
        provider.update!(suspended, made, {
          ...(await inputs(suspended, { trigger: "t9" })),
          advice: arrakisAdvice.deploy,
        }),
      );
      assert.match(
        advised.message,
        /Resume it to deploy \(the arrakis app: `pulumi config set --path arrakis:service\.suspended false`, then `pulumi up`\)/,
      );
      assert.equal(await deployPosts(suspended), 0);
    });

    it("read of a deleted service says gone", async () => {
      const gone = await newService();
      const made = (await provider.create!(await inputs(gone))).outs as DeployOutputs;
      assert.equal((await api("DELETE", `/services/${gone}`)).status, 204);
      assert.deepEqual(await provider.read!(gone, made), {});
    });
  });

  describe("create takes over the current deploy (adoption)", () => {
    const commitB = "b".repeat(40);

    it("a live service: the live deploy is adopted as it runs, though the branch head moved; no POST", async () => {
      const serviceId = await newService();
      const [live] = await deploys(serviceId);
      await control("PUT", `/services/${serviceId}/head`, { commitId: commitB });
      const created = await provider.create!(await inputs(serviceId));
      const outs = created.outs as DeployOutputs;
      assert.equal(await deployPosts(serviceId), 0);
      assert.equal(outs.deployId, live.id);
      assert.equal(outs.deployedCommit, live.commit?.id);
      assert.notEqual(outs.deployedCommit, commitB);
      assert.equal(outs.status, "live");
      assert.equal(outs.health, "skipped");
      assert.ok(
        progress.some(
          (l) =>
            l.startsWith(
              `deploy ${live.id}: live (commit ${live.commit!.id.slice(0, 7)}) on service ${serviceId}`,
            ) && /adopted as it runs: nothing deployed/.test(l),
        ),
        progress.join("\n"),
      );
      // The next up finds nothing to do.
      assert.deepEqual(await provider.diff!(serviceId, outs, await inputs(serviceId)), { changes: false });
      assert.equal((await deploys(serviceId)).length, 1);
    });

    it("a pinned commit that is the live one (short SHA) is adopted; no POST", async () => {
      const serviceId = await newService();
      const [live] = await deploys(serviceId);
      const short = live.commit!.id.slice(0, 7);
      const outs = (await provider.create!(await inputs(serviceId, { commit: short }))).outs as DeployOutputs;
      assert.equal(await deployPosts(serviceId), 0);
      assert.equal(outs.deployId, live.id);
      assert.equal(outs.commit, short);
    });

    it("a pinned commit other than the live one is deployed: one POST, of that commit", async () => {
      const serviceId = await newService();
      const [live] = await deploys(serviceId);
      const outs = (await provider.create!(await inputs(serviceId, { commit: commitB })))
        .outs as DeployOutputs;
      assert.equal(await deployPosts(serviceId), 1);
      assert.notEqual(outs.deployId, live.id);
      assert.equal(outs.deployedCommit, commitB);
      assert.equal(outs.status, "live");
    });

    it("a service with no live deploy (its first one canceled) is deployed: one POST", async () => {
      const { serviceId, deployId } = await startService();
      assert.equal((await api("POST", `/services/${serviceId}/deploys/${deployId}/cancel`)).status, 200);
      const outs = (await provider.create!(await inputs(serviceId))).outs as DeployOutputs;
      assert.equal(await deployPosts(serviceId), 1);
      assert.notEqual(outs.deployId, deployId);
      assert.equal(outs.status, "live");
    });

    it("a new service's first deploy that fails fails the create with its id, as a deploy of ours would", async () => {
      const started = await startService();
      const head = (await deploys(started.serviceId))[0].commit!.id;
      // The failure rule applies to deploys made after it: cancel the first, fail the next build of the head.
      await control("PUT", "/deploys/fail", { serviceId: started.serviceId, commitId: head, stage: "build" });
      await control("PUT", "/timings", { build: 1000 });
      let failedId: string;
      try {
        const retry = await api("POST", `/services/${started.serviceId}/deploys`, {});
        failedId = (retry.body as LiveDeploy).id;
      } finally {
        await control("PUT", "/timings", { build: 40 });
      }
      await api("POST", `/services/${started.serviceId}/deploys/${started.deployId}/cancel`);
      const err = await failure(provider.create!(await inputs(started.serviceId)));
      assert.equal(err.properties.deployId, failedId);
      assert.equal(err.properties.status, "build_failed");
      assert.match(err.message, new RegExp(`deploy ${failedId} ended build_failed`));
      assert.deepEqual(
        await provider.diff!(started.serviceId, err.properties, await inputs(started.serviceId)),
        {
          changes: true,
        },
      );
    });
  });

  describe("a deploy asked for by hand (release: the dashboard's Deploy latest commit)", () => {
    const head = "c".repeat(40);

    it("a new release label deploys the branch head once and says which commit; the same label again does nothing", async () => {
      const serviceId = await newService();
      const adopted = (await provider.create!(await inputs(serviceId))).outs as DeployOutputs;
      await control("PUT", `/services/${serviceId}/head`, { commitId: head });
      const news = await inputs(serviceId, { release: "2026-11-30T17:00:00Z" });
      assert.deepEqual(await provider.diff!(serviceId, adopted, news), { changes: true });
      const released = (await provider.update!(serviceId, adopted, news)).outs as DeployOutputs;
      assert.equal(await deployPosts(serviceId), 1);
      assert.equal(released.deployedCommit, head);
      assert.equal(released.status, "live");
      assert.equal(released.release, "2026-11-30T17:00:00Z");
      assert.ok(
        progress.some(
          (l) =>
            l === `deploy ${released.deployId} of service ${serviceId} (commit ccccccc) is live and healthy`,
        ),
        progress.join("\n"),
      );
      // The same label (it stays in the stack's config) and no label deploy nothing.
      assert.deepEqual(await provider.diff!(serviceId, released, news), { changes: false });
      await provider.update!(serviceId, released, news);
      assert.deepEqual(await provider.diff!(serviceId, released, await inputs(serviceId)), {
        changes: false,
      });
      assert.equal(await deployPosts(serviceId), 1);
      // A new label deploys again.
      const again = await inputs(serviceId, { release: "2026-12-01T09:00:00Z" });
      assert.deepEqual(await provider.diff!(serviceId, released, again), { changes: true });
      await provider.update!(serviceId, released, again);
      assert.equal(await deployPosts(serviceId), 2);
    });

    it("a label given when the resource is created deploys instead of adopting the live deploy", async () => {
      const serviceId = await newService();
      const [live] = await deploys(serviceId);
      await control("PUT", `/services/${serviceId}/head`, { commitId: head });
      const outs = (await provider.create!(await inputs(serviceId, { release: "first" })))
        .outs as DeployOutputs;
      assert.equal(await deployPosts(serviceId), 1);
      assert.notEqual(outs.deployId, live.id);
      assert.equal(outs.deployedCommit, head);
    });
  });

  describe("status paths", () => {
    for (const stage of ["build", "update", "pre_deploy"] as const) {
      it(`${stage}_failed fails with the deploy id, the status and the dashboard link; the previous deploy stays live`, async () => {
        const serviceId = await newService(
          stage === "pre_deploy" ? { preDeployCommand: "npm run db:deploy" } : {},
        );
        const first = (await provider.create!(await inputs(serviceId))).outs as DeployOutputs;
        await control("PUT", "/deploys/fail", { serviceId, commitId: commitBad, stage });
        const err = await failure(
          provider.update!(
            serviceId,
            first,
            await inputs(serviceId, { commit: commitBad, rollbackOnFailure: true }),
          ),
        );
        const failed = err.properties;
        assert.equal(failed.status, `${stage}_failed`);
        assert.match(
          err.message,
          new RegExp(
            `could not deploy service ${serviceId}: deploy ${failed.deployId} ended ${stage}_failed`,
          ),
        );
        assert.ok(
          err.message.includes(`https://dashboard.render.com/web/${serviceId}/deploys/${failed.deployId}`),
        );
        // Partial state: the engine keeps the failed deploy and retries it on the next up.
        assert.equal(err.id, serviceId);
        assert.deepEqual(err.reasons, [err.message]);
        assert.match(
          err.message,
          new RegExp(`previous deploy ${first.deployId} is still live; nothing to roll back`),
        );
        assert.equal(failed.rolledBackTo, "");
        // A pinned commit that does not build may not exist: nothing could check it before (issue 9).
        if (stage === "build")
          assert.match(
            err.message,
            /Commit badbad0\w+ may not exist on branch master of https:\/\/github\.com\/happydotemdr\/arrakis: Render cannot check a commit before it builds it/,
          );
        else assert.doesNotMatch(err.message, /may not exist/);
        // The last 30 lines of the failed deploy's log, read from Render's logs API.
        const tail = err.message.slice(err.message.indexOf("The last 30 lines of its log:"));
        assert.ok(tail.startsWith("The last 30 lines of its log:\n"), err.message);
        assert.equal(tail.split("\n").length, 31, tail);
        const lastLine = {
          build: "==> Build failed 😞",
          pre_deploy: "==> Pre-deploy has failed",
          update: "==> Exited with status 1",
        }[stage];
        assert.equal(tail.split("\n")[30], `    ${lastLine}`);
        if (stage === "pre_deploy")
          assert.match(tail, /==> Running pre-deploy command 'npm run db:deploy'\.\.\./);
        const list = await deploys(serviceId);
        assert.equal(list.find((d) => d.id === first.deployId)?.status, "live");
        assert.ok(!list.some((d) => d.trigger === "rollback"));
        assert.deepEqual(
          await provider.diff!(serviceId, failed, await inputs(serviceId, { commit: commitBad })),
          {
            changes: true,
          },
        );
      });
    }

    it("a failing pre-deploy command's output is in the error, the service's env var values redacted", async () => {
      const secret = "sk-live-0123456789abcdef";
      const serviceId = await newService({ preDeployCommand: "npm run db:deploy" });
      assert.equal(
        (await api("PUT", `/services/${serviceId}/env-vars`, [{ key: "OPENAI_API_KEY", value: secret }]))
          .status,
        200,
      );
      const first = (await provider.create!(await inputs(serviceId))).outs as DeployOutputs;
      await control("PUT", "/deploys/fail", {
        serviceId,
        commitId: commitBad,
        stage: "pre_deploy",
        output: [
          `Connecting with OPENAI_API_KEY=${secret}`,
          'Error: P3018 migration 20261201_tags failed: relation "tags" already exists',
        ],
      });
      const err = await failure(
        provider.update!(serviceId, first, await inputs(serviceId, { commit: commitBad })),
      );
      assert.ok(!err.message.includes(secret), err.message);
      assert.match(err.message, /\n {4}Connecting with OPENAI_API_KEY=\[redacted\]\n/);
      assert.match(
        err.message,
        /\n {4}Error: P3018 migration 20261201_tags failed: relation "tags" already exists\n {4}==> Pre-deploy has failed$/,
      );
    });

    it("a deploy canceled while it runs fails the up as canceled", async () => {
      const serviceId = await newService();
      await control("PUT", "/timings", { build: 3000 });
      try {
        const cancelOnStart = new DeployProvider((line) => {
          const m = /^deploy (dep-\S+) of service \S+ started/.exec(line);
          if (m) void api("POST", `/services/${serviceId}/deploys/${m[1]}/cancel`);
        });
        await configured(cancelOnStart, emu);
        const err = await failure(cancelOnStart.create!(await pinned(serviceId)));
        assert.equal(err.properties.status, "canceled");
        assert.match(err.message, new RegExp(`deploy ${err.properties.deployId} ended canceled`));
      } finally {
        await control("PUT", "/timings", { build: 40 });
      }
    });

    it("a deploy that does not go live in time is canceled and fails the up", async () => {
      const serviceId = await newService();
      await control("PUT", "/timings", { build: 3000 });
      try {
        const err = await failure(provider.create!(await pinned(serviceId, { waitTimeoutMs: 100 })));
        assert.match(err.message, /did not go live within 0 s \(status build_in_progress\) and was canceled/);
        const live = (await api("GET", `/services/${serviceId}/deploys/${err.properties.deployId}`))
          .body as LiveDeploy;
        assert.equal(live.status, "canceled");
        assert.equal(err.properties.status, "canceled");
      } finally {
        await control("PUT", "/timings", { build: 40 });
      }
    });

    it("says the status Render answered at once, even when the first poll comes after the build", async () => {
      const serviceId = await newService();
      // The first poll waits (bench P3); here it also answers after the 400 ms build is over.
      await control("POST", "/faults", {
        method: "GET",
        path: `/v1/services/${serviceId}/deploys/*`,
        fault: { kind: "delay", ms: 600 },
      });
      const outs = (await provider.create!(await pinned(serviceId))).outs as DeployOutputs;
      assert.equal(outs.status, "live");
      assert.ok(
        progress.some((l) => l === `deploy ${outs.deployId}: build_in_progress (0 s)`),
        progress.join("\n"),
      );
    });

    it("a POST whose answer is lost starts one deploy, found by listing", async () => {
      const serviceId = await newService();
      const before = (await deploys(serviceId)).length;
      await control("POST", "/faults", {
        method: "POST",
        path: `/v1/services/${serviceId}/deploys`,
        fault: { kind: "lose-response" },
      });
      const outs = (await provider.create!(await pinned(serviceId))).outs as DeployOutputs;
      assert.equal(outs.status, "live");
      assert.equal((await deploys(serviceId)).length, before + 1);
    });
  });

  describe("health probe", () => {
    it("healthy: passes on the service's healthCheckPath or a given path", async () => {
      const serviceId = await newService();
      const outs = (await provider.create!(await pinned(serviceId, { healthCheck: { path: "/api/health" } })))
        .outs as DeployOutputs;
      assert.equal(outs.health, "passed");
    });

    it("unhealthy: fails with the status it got, and rolls back to the deploy that was live", async () => {
      const serviceId = await newService();
      const first = (await provider.create!(await inputs(serviceId))).outs as DeployOutputs;
      await control("PUT", `/services/${serviceId}/health`, { healthy: false });
      try {
        const err = await failure(
          provider.update!(
            serviceId,
            first,
            await inputs(serviceId, { trigger: "t2", rollbackOnFailure: true }),
          ),
        );
        const failed = err.properties;
        assert.match(
          err.message,
          new RegExp(
            `deploy ${failed.deployId} went live but failed its health check: GET \\S+/ answered 503, expected 200 \\(2 attempts\\)`,
          ),
        );
        assert.equal(failed.health, "failed");
        assert.equal(failed.rolledBackTo, first.deployId);
        assert.match(
          err.message,
          new RegExp(
            `Rolled back to deploy ${first.deployId} \\(commit [0-9a-f]{7}\\): rollback deploy dep-\\S+ is live`,
          ),
        );
        const list = await deploys(serviceId);
        const rollback = list.find((d) => d.trigger === "rollback");
        assert.equal(rollback?.status, "live");
        assert.equal(rollback?.commit?.id, first.deployedCommit);
        assert.equal(list.find((d) => d.id === failed.deployId)?.status, "deactivated");
        // The next up tries again.
        assert.deepEqual(
          await provider.diff!(serviceId, failed, await inputs(serviceId, { trigger: "t2" })),
          {
            changes: true,
          },
        );
      } finally {
        await control("PUT", `/services/${serviceId}/health`, { healthy: true });
      }
    });

    it("pauses between probes with the provider's own sleep, so tests run them at no cost", async () => {
      const serviceId = await newService();
      await control("PUT", `/services/${serviceId}/health`, { healthy: true, status: 500 });
      const sleeps: number[] = [];
      // A minute between probes, in no time: the pauses go through the injected sleep, not a timer.
      // The waits for the deploy to go live pass through it too: those keep their real length, or the
      // wait would poll the emulator in a tight loop into its rate limit on a slow machine.
      const timed = await configured(
        new DeployProvider(() => undefined, {
          sleep: async (ms) => {
            sleeps.push(ms);
            if (ms === 60_000) await new Promise((resolve) => setImmediate(resolve));
            else await new Promise((resolve) => setTimeout(resolve, ms));
          },
        }),
        emu,
      );
      const started = Date.now();
      const err = await failure(
        timed.create!(await pinned(serviceId, { healthCheck: { retries: 2, intervalMs: 60_000 } })),
      );
      assert.match(err.message, /answered 500, expected 200 \(3 attempts\)/);
      assert.deepEqual(
        sleeps.filter((ms) => ms === 60_000),
        [60_000, 60_000],
      );
      // Two real 60 s pauses would take two minutes; the deploy itself takes seconds.
      assert.ok(Date.now() - started < 90_000, "the probe slept for real");
    });

    it("unhealthy without rollbackOnFailure: fails and leaves the new deploy live", async () => {
      const serviceId = await newService();
      await control("PUT", `/services/${serviceId}/health`, { healthy: true, status: 500 });
      const err = await failure(provider.create!(await pinned(serviceId)));
      assert.match(err.message, /answered 500, expected 200/);
      assert.equal(err.properties.rolledBackTo, "");
      assert.ok(!(await deploys(serviceId)).some((d) => d.trigger === "rollback"));
    });

    it("an expected status other than 200 is honoured", async () => {
      const serviceId = await newService();
      await control("PUT", `/services/${serviceId}/health`, { healthy: true, status: 202 });
      const outs = (await provider.create!(await pinned(serviceId, { healthCheck: { expectedStatus: 202 } })))
        .outs as DeployOutputs;
      assert.equal(outs.health, "passed");
    });

    it("slow: an answer later than timeoutMs fails; within it passes", async () => {
      const serviceId = await newService();
      await control("PUT", `/services/${serviceId}/health`, { healthy: true, delayMs: 150 });
      const err = await failure(
        provider.create!(
          await pinned(serviceId, { healthCheck: { timeoutMs: 50, retries: 1, intervalMs: 5 } }),
        ),
      );
      assert.match(err.message, /did not answer within 50 ms \(2 attempts\)/);
      assert.equal(progress.filter((l) => l.startsWith("health check ")).length, 2);
      const ok = (
        await provider.update!(
          serviceId,
          err.properties,
          await pinned(serviceId, { healthCheck: { timeoutMs: 1000, retries: 0 } }),
        )
      ).outs as DeployOutputs;
      assert.equal(ok.health, "passed");
    });

    it("a service without a health check path and no path given skips the probe", async () => {
      const serviceId = await newService({ healthCheckPath: "" });
      await control("PUT", `/services/${serviceId}/health`, { healthy: false });
      const outs = (await provider.create!(await pinned(serviceId))).outs as DeployOutputs;
      assert.equal(outs.health, "skipped");
      assert.equal(outs.status, "live");
    });
  });
});
