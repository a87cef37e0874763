/**
 * Render autoscaling (`scaling`, render.yaml's key) and the shutdown delay (`maxShutdownDelaySeconds`)
 * on the service kinds that have them (web service, private service, background worker; not a cron
 * job): the schema's checks, the mapping's tables, and the providers against the in-process emulator
 * (create in the POST, drift field by field, `PUT`/`DELETE /services/{id}/autoscaling`, the count left
 * to the autoscaler, adoption report).
 */
import { strict as assert } from "node:assert";
import type * as pulumi from "@pulumi/pulumi";
import { startEmulator } from "../../../emulator";
import { CronJobProvider } from "../../../components/cronJob/provider";
import { PrivateServiceProvider } from "../../../components/privateService/provider";
import { WebServiceProvider } from "../../../components/webService/provider";
import { BackgroundWorkerProvider } from "../../../components/backgroundWorker/provider";
import {
  diffServiceSettings,
  fromAutoscaling,
  fromServiceSettings,
  sameScaling,
  toAutoscalingBody,
  toCreateServiceKindBody,
  type AnyServiceInputs,
  type LiveService,
  type ServiceKind,
  type ServiceSettings,
} from "../../../components/service/mapping";
import { privateServiceFields } from "../../../components/privateService/schema";
import { cronJobFields } from "../../../components/cronJob/schema";
import type { ServiceOutputs } from "../../../components/service/provider";
import { call, checked, configured } from "../../helpers/providers";

type Outputs = ServiceOutputs<AnyServiceInputs>;
type Provider = pulumi.dynamic.ResourceProvider & {
  create(inputs: unknown): Promise<pulumi.dynamic.CreateResult>;
  read(id: string, props?: unknown): Promise<pulumi.dynamic.ReadResult>;
};

const chroma = { minInstances: 1, maxInstances: 3, targetMemoryPercent: 60, targetCPUPercent: 60 };

describe("service scaling and shutdown delay: mapping", () => {
  const pserv: ServiceKind = {
    type: "private_service",
    what: "RenderPrivateService",
    fields: privateServiceFields,
    publicUrl: false,
  };
  const settings: ServiceSettings = {
    name: "chroma",
    ownerId: "tea-x",
    repo: "https://github.com/chroma-core/chroma",
    rootDir: "",
    runtime: "docker",
    plan: "starter",
    region: "oregon",
    dockerfilePath: "./Dockerfile",
    dockerContext: ".",
    numInstances: 1,
    autoDeploy: false,
    pullRequestPreviews: false,
    suspended: false,
  };
  const live = (details: Record<string, unknown>): LiveService => ({
    name: "chroma",
    ownerId: "tea-x",
    repo: "https://github.com/chroma-core/chroma",
    branch: "main",
    rootDir: "",
    autoDeploy: "no",
    suspended: "not_suspended",
    serviceDetails: {
      runtime: "docker",
      plan: "starter",
      region: "oregon",
      numInstances: 1,
      pullRequestPreviewsEnabled: "no",
      envSpecificDetails: { dockerfilePath: "./Dockerfile", dockerContext: "." },
      ...details,
    },
  });

  it("render.yaml scaling <-> Render's autoscaling body, a target turned off being no target", () => {
    const body = toAutoscalingBody({ minInstances: 2, maxInstances: 5, targetCPUPercent: 75 });
    assert.deepEqual(body, {
      enabled: true,
      min: 2,
      max: 5,
      criteria: { cpu: { enabled: true, percentage: 75 }, memory: { enabled: false, percentage: 70 } },
    });
    assert.deepEqual(fromAutoscaling(body), { minInstances: 2, maxInstances: 5, targetCPUPercent: 75 });
    assert.deepEqual(fromAutoscaling(toAutoscalingBody(chroma)), chroma);
    assert.equal(fromAutoscaling({ ...body, enabled: false }), undefined);
    assert.equal(fromAutoscaling(null), undefined);
    assert.equal(sameScaling(undefined, undefined), true);
    assert.equal(sameScaling(chroma, undefined), false);
    assert.equal(sameScaling(chroma, { ...chroma, targetCPUPercent: 61 }), false);
  });

  it("diff: scaling and the delay field by field; the count is the autoscaler's while it scales", () => {
    const desired = { ...settings, scaling: chroma, maxShutdownDelaySeconds: 120 };
    const same = live({
      autoscaling: toAutoscalingBody(chroma),
      numInstances: 3,
      maxShutdownDelaySeconds: 120,
    });
    assert.deepEqual(diffServiceSettings(pserv, desired, same).changed, []);
    const drifted = live({
      autoscaling: toAutoscalingBody({ ...chroma, maxInstances: 5 }),
      maxShutdownDelaySeconds: 30,
    });
    assert.deepEqual(diffServiceSettings(pserv, desired, drifted).changed, [
      "maxShutdownDelaySeconds",
      "scaling",
    ]);
    // Without scaling the count is compared again, and Render's default delay is no setting.
    assert.deepEqual(
      diffServiceSettings(pserv, settings, live({ numInstances: 3, maxShutdownDelaySeconds: 30 })).changed,
      ["numInstances"],
    );
    const read = fromServiceSettings(pserv, drifted);
    assert.deepEqual(read.scaling, { ...chroma, maxInstances: 5 });
    assert.equal("maxShutdownDelaySeconds" in read, false);
    assert.equal(fromServiceSettings(pserv, same).maxShutdownDelaySeconds, 120);
  });

  it("create sends both in serviceDetails; a cron job has neither", () => {
    const body = toCreateServiceKindBody(
      pserv,
      { ...settings, scaling: chroma, maxShutdownDelaySeconds: 300 },
      [],
    );
    assert.deepEqual(body.serviceDetails?.autoscaling, toAutoscalingBody(chroma));
    assert.equal(body.serviceDetails?.maxShutdownDelaySeconds, 300);
    assert.equal("autoscaling" in (toCreateServiceKindBody(pserv, settings, []).serviceDetails ?? {}), false);
    assert.equal("scaling" in cronJobFields, false);
    assert.equal("maxShutdownDelaySeconds" in cronJobFields, false);
  });
});

describe("service scaling and shutdown delay: providers (emulator)", function () {
  this.timeout(60_000);
  let emu: Awaited<ReturnType<typeof startEmulator>>;
  let n = 0;

  before(async () => {
    emu = await startEmulator({ port: 0, timings: "fast", rateLimits: { enabled: false, timeScale: 1 } });
  });
  after(async () => {
    await emu?.close();
  });
  beforeEach(async () => {
    await call(emu.controlUrl, "POST", "/reset");
    // Render autoscales on Professional workspaces and higher.
    await call(emu.controlUrl, "PUT", "/workspace", { body: { tier: "professional" } });
    n++;
  });

  const api = (method: string, path: string, body?: unknown) =>
    call(emu.url, method, path, { apiKey: emu.apiKey, body });
  const details = async (id: string) =>
    ((await api("GET", `/services/${id}`)).body as { serviceDetails: Record<string, unknown> })
      .serviceDetails;
  const writes = async () =>
    ((await call(emu.controlUrl, "GET", "/requests")).body as { method: string; path: string }[])
      .filter((r) => r.method !== "GET")
      .map((r) => `${r.method} ${r.path}`);
  const clearRequests = () => call(emu.controlUrl, "DELETE", "/requests");
  /** chroma's `chroma-server`: a docker private service that autoscales. */
  const chromaArgs = (overrides: Record<string, unknown> = {}) => ({
    name: `chroma-${n}`,
    ownerId: emu.ownerId,
    repo: "https://github.com/chroma-core/chroma",
    env: "docker",
    dockerfilePath: "./Dockerfile",
    scaling: chroma,
    maxShutdownDelaySeconds: 120,
    ...overrides,
  });

  it("check names the field and the allowed values before any call; a cron job takes neither", async () => {
    const provider: Provider = await configured(new PrivateServiceProvider(() => {}), emu);
    const result = await provider.check!(
      {},
      chromaArgs({
        scaling: { minInstances: 4, maxInstances: 3, targetCPUPercent: 95 },
        maxShutdownDelaySeconds: 301,
      }),
    );
    const failures = Object.fromEntries((result.failures ?? []).map((f) => [f.property, f.reason]));
    assert.match(failures["scaling.targetCPUPercent"], /whole percentage from 1 to 90/);
    assert.match(failures.maxShutdownDelaySeconds, /whole number of seconds from 1 to 300/);
    const noTarget = await provider.check!({}, chromaArgs({ scaling: { minInstances: 4, maxInstances: 3 } }));
    const reasons = (noTarget.failures ?? []).map((f) => `${f.property}: ${f.reason}`);
    assert.ok(
      reasons.includes("scaling.minInstances: must not exceed maxInstances (4 > 3)"),
      reasons.join("\n"),
    );
    assert.ok(
      reasons.some((r) => /^scaling: needs a target: targetCPUPercent and\/or targetMemoryPercent/.test(r)),
      reasons.join("\n"),
    );
    const unknownKey = await provider.check!({}, chromaArgs({ scaling: { ...chroma, targetRps: 5 } }));
    assert.match(JSON.stringify(unknownKey.failures), /scaling/);
    const cron: Provider = await configured(new CronJobProvider(() => {}), emu);
    const cronCheck = await cron.check!({}, { ...chromaArgs({ name: `cron-${n}` }), schedule: "0 3 * * *" });
    const cronFailures = (cronCheck.failures ?? []).map((f) => f.property);
    assert.ok(cronFailures.includes("scaling") && cronFailures.includes("maxShutdownDelaySeconds"));
    assert.deepEqual(await writes(), []);
  });

  it("creates with autoscaling and the delay in the POST; drift of each shows and is set back", async () => {
    const provider: Provider = await configured(new PrivateServiceProvider(() => {}), emu);
    const inputs = await checked<AnyServiceInputs>(provider, chromaArgs());
    const { id, outs } = await provider.create(inputs);
    assert.deepEqual(await writes(), ["POST /v1/services"]);
    let live = await details(id);
    assert.deepEqual(fromAutoscaling(live.autoscaling as never), chroma);
    assert.equal(live.maxShutdownDelaySeconds, 120);
    assert.equal((await provider.diff!(id, outs, inputs)).changes, false);

    // The dashboard: max 5 instances, memory target off, a 30 s delay.
    await api(
      "PUT",
      `/services/${id}/autoscaling`,
      toAutoscalingBody({ ...chroma, maxInstances: 5, targetMemoryPercent: undefined }),
    );
    await api("PATCH", `/services/${id}`, { serviceDetails: { maxShutdownDelaySeconds: 30 } });
    assert.equal((await provider.diff!(id, outs, inputs)).changes, true);
    const read = await provider.read(id, outs);
    const refreshed = read.inputs as AnyServiceInputs;
    assert.deepEqual(refreshed.scaling, { minInstances: 1, maxInstances: 5, targetCPUPercent: 60 });
    assert.equal(refreshed.maxShutdownDelaySeconds, undefined);
    await clearRequests();
    await provider.update!(id, read.props as Outputs, inputs);
    assert.deepEqual(await writes(), [`PATCH /v1/services/${id}`, `PUT /v1/services/${id}/autoscaling`]);
    live = await details(id);
    assert.deepEqual(fromAutoscaling(live.autoscaling as never), chroma);
    assert.equal(live.maxShutdownDelaySeconds, 120);
    assert.equal((await provider.diff!(id, outs, inputs)).changes, false);
  });

  it("the autoscaler's instance count is no drift; removing scaling deletes it and scales to numInstances", async () => {
    const provider: Provider = await configured(new BackgroundWorkerProvider(() => {}), emu);
    const inputs = await checked<AnyServiceInputs>(
      provider,
      chromaArgs({ scaling: { ...chroma, minInstances: 2 } }),
    );
    const { id, outs } = await provider.create(inputs);
    // Render's autoscaler keeps the count within [min, max] (the emulator puts it at min).
    assert.equal((await details(id)).numInstances, 2);
    assert.equal((await provider.diff!(id, outs, inputs)).changes, false);
    const read = await provider.read(id, outs);
    assert.equal((read.inputs as AnyServiceInputs).numInstances, 1);
    await clearRequests();
    const fixed = await checked<AnyServiceInputs>(
      provider,
      chromaArgs({ scaling: undefined, numInstances: 1 }),
    );
    assert.equal((await provider.diff!(id, outs, fixed)).changes, true);
    await provider.update!(id, outs, fixed);
    assert.deepEqual(await writes(), [
      `DELETE /v1/services/${id}/autoscaling`,
      `POST /v1/services/${id}/scale`,
    ]);
    const live = await details(id);
    assert.equal(live.autoscaling, undefined);
    assert.equal(live.numInstances, 1);
    assert.equal((await provider.diff!(id, outs, fixed)).changes, false);
    // Turned on again in place: one PUT, no new service.
    await clearRequests();
    await provider.update!(id, outs, inputs);
    assert.deepEqual(await writes(), [`PUT /v1/services/${id}/autoscaling`]);
  });

  it("on a Hobby workspace Render refuses autoscaling: create fails with its message, nothing made", async () => {
    await call(emu.controlUrl, "PUT", "/workspace", { body: { tier: "hobby" } });
    const provider: Provider = await configured(new PrivateServiceProvider(() => {}), emu);
    await assert.rejects(
      provider.create(await checked<AnyServiceInputs>(provider, chromaArgs())),
      /autoscaling needs a Professional workspace or higher/,
    );
    assert.deepEqual(((await api("GET", "/services")).body as unknown[]).length, 0);
  });

  it("adopting a web service reports the scaling and delay the up sets", async () => {
    const reported: string[] = [];
    const provider: Provider = await configured(new WebServiceProvider((l) => reported.push(l)), emu);
    const plain = await checked<AnyServiceInputs>(
      provider,
      chromaArgs({ scaling: undefined, maxShutdownDelaySeconds: undefined }),
    );
    const { id } = await provider.create(plain);
    await clearRequests();
    const adopting = await checked<AnyServiceInputs>(provider, chromaArgs({ adoptId: id }));
    assert.equal(reported.length, 1);
    assert.match(reported[0], /~ maxShutdownDelaySeconds: "" => 120/);
    assert.match(reported[0], /~ scaling: "" => \{"minInstances":1,"maxInstances":3/);
    assert.deepEqual(await writes(), []);
    await provider.create(adopting);
    assert.deepEqual(fromAutoscaling((await details(id)).autoscaling as never), chroma);
  });
});
