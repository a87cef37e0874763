/**
 * components/service/ (schema and mapping shared by the service kinds) as pure tables: which fields each
 * kind has, the cron schedule's check, what each runtime needs, the bodies sent for every kind and
 * runtime, and a live service read back as each kind's inputs (what a kind lacks is never read).
 */
import { strict as assert } from "node:assert";
import {
  backgroundWorkerFields,
  type BackgroundWorkerInputs,
} from "../../../components/backgroundWorker/schema";
import {
  checkBackgroundWorkerInputs,
  fromBackgroundWorker,
  toCreateBackgroundWorkerBody,
} from "../../../components/backgroundWorker/mapping";
import { cronJobFields, type CronJobInputs } from "../../../components/cronJob/schema";
import {
  checkCronJobInputs,
  cronJobImmutableFields,
  diffCronJob,
  fromCronJob,
  toCreateCronJobBody,
  toPatchCronJobBody,
} from "../../../components/cronJob/mapping";
import { privateServiceFields } from "../../../components/privateService/schema";
import { checkPrivateServiceInputs } from "../../../components/privateService/mapping";
import { paidServicePlans } from "../../../components/render/enums";
import { allowed } from "../../../components/runtime/validation";
import type { LiveService } from "../../../components/service/mapping";
import { cronScheduleProblem } from "../../../components/service/schema";
import { webServiceFields } from "../../../components/webService/schema";
import {
  checkServiceInputs,
  diffService,
  toCreateServiceBody,
  toPatchServiceBody,
  type ServiceInputs,
} from "../../../components/webService/mapping";

const owner = "tea-d303qfodl3ps739p3e60";
const repo = "https://github.com/example/arrakis";
const native = { buildCommand: "npm ci", startCommand: "node job.js" };

function ok<T>(
  check: (raw: Record<string, unknown>) => { inputs: unknown; failures: unknown[] },
  raw: object,
): T {
  const { inputs, failures } = check(raw as Record<string, unknown>);
  assert.deepEqual(failures, []);
  return inputs as T;
}

function liveOf(details: Record<string, unknown>, top: Record<string, unknown> = {}): LiveService {
  return {
    name: "job",
    ownerId: owner,
    repo,
    rootDir: "",
    autoDeploy: "no",
    suspended: "not_suspended",
    serviceDetails: {
      runtime: "node",
      plan: "starter",
      region: "oregon",
      envSpecificDetails: native,
      ...details,
    },
    ...top,
  } as LiveService;
}

describe("service kinds: shared schema and mapping", () => {
  it("each kind has the fields Render gives its type, in one order", () => {
    const web = Object.keys(webServiceFields);
    assert.deepEqual(
      web.filter((f) => !(f in backgroundWorkerFields)),
      ["healthCheckPath"],
    );
    assert.deepEqual(Object.keys(privateServiceFields), Object.keys(backgroundWorkerFields));
    assert.deepEqual(
      web.filter((f) => !(f in cronJobFields)),
      [
        "preDeployCommand",
        "initialDeployHook",
        "healthCheckPath",
        "maxShutdownDelaySeconds",
        "numInstances",
        "scaling",
        "pullRequestPreviews",
      ],
    );
    assert.deepEqual(
      Object.keys(cronJobFields).filter((f) => !web.includes(f)),
      ["schedule"],
    );
    assert.deepEqual(cronJobImmutableFields, ["ownerId", "region", "runtime"]);
  });

  it("the kinds besides the web service take paid plans only; a cron job's id is crn-…", () => {
    for (const check of [checkBackgroundWorkerInputs, checkPrivateServiceInputs]) {
      const { failures } = check({ name: "w", ownerId: owner, repo, ...native, plan: "free" });
      assert.deepEqual(failures, [
        {
          property: "plan",
          reason: `"free" is not a Render ${check === checkBackgroundWorkerInputs ? "background worker" : "private service"} plan; allowed: ${allowed(paidServicePlans)}`,
        },
      ]);
    }
    const cron = { name: "c", ownerId: owner, repo, ...native, schedule: "0 3 * * *" };
    assert.deepEqual(checkCronJobInputs({ ...cron, adoptId: "srv-abc" }).failures, [
      { property: "adoptId", reason: 'must be a Render cron job id like "crn-…" (the dashboard URL has it)' },
    ]);
    assert.deepEqual(checkCronJobInputs({ ...cron, adoptId: "crn-abc", plan: "Pro Plus" }).failures, []);
  });

  describe("cron schedule", () => {
    const good = [
      "* * * * *",
      "*/15 * * * *",
      "0 3 * * *",
      "0 9-17/2 * * MON-FRI",
      "5,35 0 1 JAN,jul 0",
      "0 0 * * 7",
    ];
    for (const schedule of good)
      it(`accepts ${JSON.stringify(schedule)}`, () => assert.equal(cronScheduleProblem(schedule), undefined));
    const bad: [string, RegExp][] = [
      ["0 3 * *", /5 fields \(minute hour day-of-month month day-of-week.*got 4/],
      ["0 3 * * * *", /got 6/],
      ["@daily", /got 1/],
      ["60 * * * *", /"60" as its minute field: use \*, a number from 0 to 59/],
      ["* 24 * * *", /hour field/],
      ["* * 0 * *", /day-of-month field/],
      ["* * * 13 *", /month field: .* or a name \(JAN…\)/],
      ["* * * * 8", /day-of-week field/],
      ["5-1 * * * *", /minute field/],
      ["*/0 * * * *", /minute field/],
      ["0 3 L * *", /day-of-month field/],
    ];
    for (const [schedule, message] of bad)
      it(`refuses ${JSON.stringify(schedule)}, saying which field and what is allowed`, () => {
        const { failures } = checkCronJobInputs({ name: "c", ownerId: owner, repo, ...native, schedule });
        assert.equal(failures.length, 1);
        assert.equal(failures[0].property, "schedule");
        assert.match(failures[0].reason, message);
      });
    it("is required", () => {
      assert.deepEqual(checkCronJobInputs({ name: "c", ownerId: owner, repo, ...native }).failures, [
        {
          property: "schedule",
          reason: "is required: a cron expression of 5 fields, e.g. 0 3 * * * (03:00 UTC daily)",
        },
      ]);
    });
  });

  it("create bodies: each kind's type and details; docker and image builds", () => {
    const worker = ok<BackgroundWorkerInputs>(checkBackgroundWorkerInputs, {
      name: "w",
      ownerId: owner,
      repo,
      runtime: "docker",
      dockerContext: "worker",
      numInstances: 2,
    });
    assert.deepEqual(toCreateBackgroundWorkerBody(worker), {
      type: "background_worker",
      name: "w",
      ownerId: owner,
      repo,
      rootDir: "",
      autoDeploy: "no",
      envVars: [],
      serviceDetails: {
        runtime: "docker",
        plan: "starter",
        region: "oregon",
        numInstances: 2,
        pullRequestPreviewsEnabled: "no",
        envSpecificDetails: { dockerContext: "worker", dockerfilePath: "./Dockerfile" },
      },
    });
    const cron = ok<CronJobInputs>(checkCronJobInputs, {
      name: "c",
      ownerId: owner,
      env: "image",
      image: { url: "ghcr.io/example/job:7", creds: "rgc-d303qfodl3ps739p3e61" },
      dockerCommand: "./job",
      schedule: " 0 3 * * * ",
    });
    assert.deepEqual(toCreateCronJobBody(cron), {
      type: "cron_job",
      name: "c",
      ownerId: owner,
      image: {
        ownerId: owner,
        imagePath: "ghcr.io/example/job:7",
        registryCredentialId: "rgc-d303qfodl3ps739p3e61",
      },
      rootDir: "",
      autoDeploy: "no",
      envVars: [],
      serviceDetails: {
        runtime: "image",
        plan: "starter",
        region: "oregon",
        schedule: "0 3 * * *",
        envSpecificDetails: { dockerCommand: "./job" },
      },
    });
  });

  it("a native web service's create body is today's, key for key", () => {
    const web = ok<ServiceInputs>(checkServiceInputs, { name: "web", ownerId: owner, repo, ...native });
    assert.deepEqual(Object.keys(toCreateServiceBody(web)), [
      "type",
      "name",
      "ownerId",
      "repo",
      "rootDir",
      "autoDeploy",
      "envVars",
      "serviceDetails",
    ]);
    assert.deepEqual(toCreateServiceBody(web).serviceDetails, {
      runtime: "node",
      plan: "starter",
      region: "oregon",
      healthCheckPath: "",
      numInstances: 1,
      pullRequestPreviewsEnabled: "no",
      envSpecificDetails: native,
    });
  });

  it("reads a live service as each kind's inputs: what a kind lacks is not read", () => {
    const live = liveOf({ numInstances: 3, healthCheckPath: "/x", schedule: "0 3 * * *" });
    assert.equal("healthCheckPath" in fromBackgroundWorker(live), false);
    assert.equal(fromBackgroundWorker(live).numInstances, 3);
    const cron = fromCronJob(live);
    assert.equal(cron.schedule, "0 3 * * *");
    for (const absent of ["numInstances", "healthCheckPath", "pullRequestPreviews", "preDeployCommand"])
      assert.equal(absent in cron, false, absent);
  });

  it("patch bodies: schedule, docker details and a new image tag", () => {
    const cron = ok<CronJobInputs>(checkCronJobInputs, {
      name: "job",
      ownerId: owner,
      repo,
      ...native,
      schedule: "0 4 * * *",
    });
    const live = liveOf({ schedule: "0 3 * * *" });
    assert.deepEqual(diffCronJob(cron, live), { changed: ["schedule"], replaced: [] });
    assert.deepEqual(toPatchCronJobBody(cron, live), { serviceDetails: { schedule: "0 4 * * *" } });

    const docker = ok<ServiceInputs>(checkServiceInputs, {
      name: "job",
      ownerId: owner,
      repo,
      runtime: "docker",
      dockerfilePath: "api/Dockerfile",
      dockerCommand: "./serve",
    });
    const dockerLive = liveOf({
      runtime: "docker",
      envSpecificDetails: { dockerCommand: "", dockerContext: ".", dockerfilePath: "./Dockerfile" },
    });
    assert.deepEqual(diffService(docker, dockerLive).changed, ["dockerfilePath", "dockerCommand"]);
    assert.deepEqual(toPatchServiceBody(docker, dockerLive), {
      serviceDetails: { envSpecificDetails: { dockerfilePath: "api/Dockerfile", dockerCommand: "./serve" } },
    });

    const image = ok<ServiceInputs>(checkServiceInputs, {
      name: "job",
      ownerId: owner,
      runtime: "image",
      image: { url: "docker.io/library/nginx:1.28" },
    });
    const imageLive = liveOf(
      {
        runtime: "image",
        envSpecificDetails: { dockerCommand: "", dockerContext: ".", dockerfilePath: "./Dockerfile" },
      },
      {
        repo: undefined,
        imagePath: "docker.io/library/nginx:1.27",
        registryCredential: { id: "rgc-old", name: "old" },
      },
    );
    assert.deepEqual(diffService(image, imageLive), { changed: ["image"], replaced: [] });
    assert.deepEqual(toPatchServiceBody(image, imageLive), {
      image: { ownerId: owner, imagePath: "docker.io/library/nginx:1.28" },
    });
  });
});
