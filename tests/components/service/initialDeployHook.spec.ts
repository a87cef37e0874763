/**
 * render.yaml `initialDeployHook` through the service providers against the in-process emulator: run
 * once as a one-off job after the first successful deploy, never again (not on update, not when the
 * command changes, not on an adopted service); after a failed first deploy, run at the up that follows
 * a successful one; a start whose answer was lost is found, never started twice.
 */
import { strict as assert } from "node:assert";
import type * as pulumi from "@pulumi/pulumi";
import { startEmulator } from "../../../emulator";
import { WebServiceProvider } from "../../../components/webService/provider";
import { BackgroundWorkerProvider } from "../../../components/backgroundWorker/provider";
import { hookSkippedAdopted } from "../../../components/service/initialDeployHook";
import type { AnyServiceInputs } from "../../../components/service/mapping";
import type { ServiceOutputs } from "../../../components/service/provider";
import { eventually } from "../../emulator/harness";
import { call, checked, configured } from "../../helpers/providers";

type Outputs = ServiceOutputs<AnyServiceInputs>;
type Provider = pulumi.dynamic.ResourceProvider & {
  create(inputs: unknown): Promise<pulumi.dynamic.CreateResult>;
  read(id: string, props?: unknown): Promise<pulumi.dynamic.ReadResult>;
};
interface Job {
  id: string;
  startCommand: string;
  status: string;
}

/** dify's `dify-api`: an image web service whose hook creates the vector extension. */
const hook = "psql $DATABASE_URL -c 'CREATE EXTENSION IF NOT EXISTS vector;'";

describe("initialDeployHook: a one-off job after the first successful deploy (emulator)", function () {
  this.timeout(60_000);
  let emu: Awaited<ReturnType<typeof startEmulator>>;
  let n = 0;
  let reported: string[];

  before(async () => {
    emu = await startEmulator({ port: 0, timings: "fast", rateLimits: { enabled: false, timeScale: 1 } });
  });
  after(async () => {
    await emu?.close();
  });
  beforeEach(async () => {
    await call(emu.controlUrl, "POST", "/reset");
    reported = [];
    n++;
  });

  const api = (method: string, path: string, body?: unknown) =>
    call(emu.url, method, path, { apiKey: emu.apiKey, body });
  const jobs = async (id: string) =>
    ((await api("GET", `/services/${id}/jobs`)).body as { job: Job }[]).map((e) => e.job);
  const web = async (): Promise<Provider> =>
    configured(new WebServiceProvider((line) => reported.push(line)), emu);
  const args = (overrides: Record<string, unknown> = {}) => ({
    name: `dify-api-${n}`,
    ownerId: emu.ownerId,
    runtime: "image",
    image: { url: "docker.io/langgenius/dify-api:1.14.2" },
    healthCheckPath: "/health",
    initialDeployHook: hook,
    ...overrides,
  });

  it("runs once when the first deploy is live; an update, or a new command, never runs it again", async () => {
    const provider = await web();
    const inputs = await checked<AnyServiceInputs>(provider, args());
    const { id, outs } = (await provider.create(inputs)) as { id: string; outs: Outputs };
    const [job] = await jobs(id);
    assert.equal(job.startCommand, hook);
    assert.equal(outs.initialDeployHookJobId, job.id);
    await eventually(async () => (await jobs(id))[0].status === "succeeded", "the hook's job to succeed");
    assert.equal((await provider.diff!(id, outs, inputs)).changes, false);
    const changed = { ...inputs, initialDeployHook: "echo again", healthCheckPath: "/ready" };
    const diff = await provider.diff!(id, outs, changed);
    assert.equal(diff.changes, true, "the health check path changed");
    const { outs: after } = (await provider.update!(id, outs, changed)) as { outs: Outputs };
    assert.equal(after.initialDeployHookJobId, job.id);
    assert.equal((await jobs(id)).length, 1);
    // A refresh keeps the record and the command as recorded: no diff of either.
    const read = await provider.read(id, after);
    assert.equal((read.props as Outputs).initialDeployHookJobId, job.id);
    assert.equal((read.inputs as AnyServiceInputs).initialDeployHook, "echo again");
  });

  it("a failed first deploy leaves it to the up after a successful deploy, which runs it once", async () => {
    const provider: Provider = await configured(
      new BackgroundWorkerProvider((line) => reported.push(line)),
      emu,
    );
    const image = "docker.io/example/worker:1.0";
    const inputs = await checked<AnyServiceInputs>(provider, {
      name: `worker-${n}`,
      ownerId: emu.ownerId,
      runtime: "image",
      image: { url: image },
      initialDeployHook: "node seed.js",
    });
    // Every deploy of this image fails its build (an image service's deploys match rules by image ref).
    await call(emu.controlUrl, "PUT", "/deploys/fail", { body: { commitId: image, stage: "build" } });
    const { id, outs } = (await provider.create(inputs)) as { id: string; outs: Outputs };
    assert.equal(outs.initialDeployHookJobId, "");
    assert.match(
      reported.join("\n"),
      /initialDeployHook of srv-\w+ not run: its first deploy dep-\w+ ended build_failed/,
    );
    assert.deepEqual(await jobs(id), []);
    assert.equal((await provider.diff!(id, outs, inputs)).changes, false, "no live deploy: nothing due");
    // A deploy of another commit goes live: the hook is due, and the up runs it once.
    await call(emu.controlUrl, "DELETE", "/deploys/fail");
    const deploy = (await api("POST", `/services/${id}/deploys`, {})).body as { id: string };
    await eventually(
      async () =>
        ((await api("GET", `/services/${id}/deploys/${deploy.id}`)).body as { status: string }).status ===
        "live",
      "a deploy to go live",
    );
    assert.equal((await provider.diff!(id, outs, inputs)).changes, true);
    const { outs: after } = (await provider.update!(id, outs, inputs)) as { outs: Outputs };
    const [job] = await jobs(id);
    assert.equal(after.initialDeployHookJobId, job.id);
    assert.equal((await provider.diff!(id, after, inputs)).changes, false);
    await provider.update!(id, after, inputs);
    assert.equal((await jobs(id)).length, 1);
  });

  it("an adopted service never runs it, and the adoption report says so", async () => {
    const provider = await web();
    const plain = await checked<AnyServiceInputs>(provider, args({ initialDeployHook: undefined }));
    const { id } = await provider.create(plain);
    const adopting = await checked<AnyServiceInputs>(provider, args({ adoptId: id }));
    assert.match(reported.join("\n"), /= initialDeployHook: not run \(an adopted service's first deploy/);
    const { outs } = (await provider.create(adopting)) as { outs: Outputs };
    assert.equal(outs.initialDeployHookJobId, hookSkippedAdopted);
    assert.deepEqual(await jobs(id as string), []);
    assert.equal((await provider.diff!(id as string, outs, adopting)).changes, false);
  });

  it("a job start whose answer was lost is found at the next up, never started twice", async () => {
    const provider = await web();
    await call(emu.controlUrl, "POST", "/faults", {
      body: { method: "POST", path: "/v1/services/*/jobs", count: 1, fault: { kind: "lose-response" } },
    });
    const inputs = await checked<AnyServiceInputs>(provider, args());
    const failed = await provider.create(inputs).then(
      () => assert.fail("the lost answer must fail the create"),
      (err: { id?: string; properties?: Outputs; message: string }) => err,
    );
    assert.match(
      failed.message,
      /could not finish creating service dify-api-\d+ \(srv-\w+\): the outcome of POST \/services\/srv-\w+\/jobs is unknown/,
    );
    const id = failed.id!;
    assert.equal((await jobs(id)).length, 1, "Render started it");
    const props = failed.properties!;
    assert.equal((await provider.diff!(id, props, inputs)).changes, true);
    const { outs } = (await provider.update!(id, props, inputs)) as { outs: Outputs };
    const all = await jobs(id);
    assert.equal(all.length, 1);
    assert.equal(outs.initialDeployHookJobId, all[0].id);
  });
});
