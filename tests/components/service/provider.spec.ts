/**
 * The service kinds' providers against the in-process emulator, method by method as the provider host
 * calls them: background worker, private service and cron job (create, adopt, drift, update, gone from
 * Render, delete, create-once under a lost response), and the docker and image runtimes through the
 * web service's provider as through theirs. The web service's own flows: tests/components/webService/.
 */
import { strict as assert } from "node:assert";
import type * as pulumi from "@pulumi/pulumi";
import { startEmulator } from "../../../emulator";
import { BackgroundWorkerProvider } from "../../../components/backgroundWorker/provider";
import { CronJobProvider } from "../../../components/cronJob/provider";
import { PrivateServiceProvider } from "../../../components/privateService/provider";
import { WebServiceProvider } from "../../../components/webService/provider";
import type { AnyServiceInputs } from "../../../components/service/mapping";
import type { ServiceOutputs } from "../../../components/service/provider";
import { call, checked, configured, environmentsIn } from "../../helpers/providers";

type Emulator = Awaited<ReturnType<typeof startEmulator>>;
type Outputs = ServiceOutputs<AnyServiceInputs>;
type Provider = pulumi.dynamic.ResourceProvider & {
  create(inputs: unknown): Promise<pulumi.dynamic.CreateResult>;
  read(id: string, props?: unknown): Promise<pulumi.dynamic.ReadResult>;
};
interface LiveService {
  id: string;
  name: string;
  type: string;
  suspended: string;
  imagePath?: string;
  serviceDetails: Record<string, unknown> & { envSpecificDetails: Record<string, string> };
}

/** One kind as these tests drive it. */
interface Kind {
  what: string;
  type: string;
  idPattern: RegExp;
  make: (report: (line: string) => void) => Provider;
  /** Arguments of this kind beyond the common ones. */
  args: Record<string, unknown>;
  /** A setting changed in the dashboard, and the field whose drift it is. */
  drift: { details: Record<string, unknown>; field: string };
}

const native = { runtime: "node", buildCommand: "npm ci", startCommand: "node worker.js" };

const kinds: Kind[] = [
  {
    what: "background worker",
    type: "background_worker",
    idPattern: /^srv-[0-9a-v]{20}$/,
    make: (report) => new BackgroundWorkerProvider(report),
    args: { ...native, numInstances: 2, preDeployCommand: "npm run migrate" },
    drift: { details: { plan: "pro" }, field: "plan" },
  },
  {
    what: "private service",
    type: "private_service",
    idPattern: /^srv-[0-9a-v]{20}$/,
    make: (report) => new PrivateServiceProvider(report),
    args: { ...native, plan: "standard" },
    drift: { details: { plan: "pro" }, field: "plan" },
  },
  {
    what: "cron job",
    type: "cron_job",
    idPattern: /^crn-[0-9a-v]{20}$/,
    make: (report) => new CronJobProvider(report),
    args: { ...native, schedule: "*/15 * * * *" },
    drift: { details: { schedule: "0 * * * *" }, field: "schedule" },
  },
];

describe("service kinds' providers (emulator)", function () {
  this.timeout(60_000);
  let emu: Emulator;
  let n = 0;

  before(async () => {
    emu = await startEmulator({ port: 0, timings: "fast", rateLimits: { enabled: false, timeScale: 1 } });
  });
  after(async () => {
    await emu?.close();
  });
  beforeEach(async () => {
    await call(emu.controlUrl, "POST", "/reset");
    n++;
  });

  const api = (method: string, path: string, body?: unknown) =>
    call(emu.url, method, path, { apiKey: emu.apiKey, body });
  const live = async (id: string) => (await api("GET", `/services/${id}`)).body as LiveService;
  const services = async () =>
    ((await api("GET", "/services?limit=100")).body as { service: LiveService }[]).map((e) => e.service);
  const writes = async () =>
    ((await call(emu.controlUrl, "GET", "/requests")).body as { method: string; path: string }[])
      .filter((r) => r.method !== "GET")
      .map((r) => `${r.method} ${r.path}`);

  for (const kind of kinds) {
    describe(kind.what, () => {
      let provider: Provider;
      let reported: string[];
      beforeEach(async () => {
        reported = [];
        provider = await configured(
          kind.make((line) => reported.push(line)),
          emu,
        );
      });
      const args = (overrides: Record<string, unknown> = {}) => ({
        name: `${kind.type.replace(/_/g, "-")}-${n}`,
        ownerId: emu.ownerId,
        repo: "https://github.com/example/arrakis",
        ...kind.args,
        envVars: { QUEUE: { kind: "plain", value: "jobs" }, TOKEN: { kind: "generated" } },
        ...overrides,
      });
      const created = async (overrides: Record<string, unknown> = {}) => {
        const inputs = await checked<AnyServiceInputs>(provider, args(overrides));
        const result = await provider.create(inputs);
        return { inputs, id: result.id as string, outs: result.outs as Outputs };
      };

      it("check names the field and the allowed values, writing nothing", async () => {
        const result = await provider.check!(
          {},
          args({
            plan: "free",
            runtime: "cobol",
            healthCheckPath: "/",
            envVars: { U: { kind: "serviceUrl" }, H: { kind: "serviceHostname" } },
          }),
        );
        const failures = Object.fromEntries((result.failures ?? []).map((f) => [f.property, f.reason]));
        assert.match(
          failures.plan,
          new RegExp(`"free" is not a Render ${kind.what} plan; allowed: "starter"`),
        );
        assert.match(failures.runtime, /"cobol" is not a Render runtime; allowed: "docker"/);
        assert.match(
          failures.healthCheckPath,
          /^is not a Render(BackgroundWorker|PrivateService|CronJob) argument/,
        );
        assert.match(failures["envVars.U"], /public URL; this service has none/);
        assert.match(failures["envVars.H"], /public host name; this service has none/);
        assert.deepEqual(await writes(), []);
      });

      it("creates it as its type, with its settings and env vars, and no URL output", async () => {
        const { id, outs } = await created();
        assert.match(id, kind.idPattern);
        const service = await live(id);
        assert.equal(service.type, kind.type);
        assert.deepEqual(service.serviceDetails.envSpecificDetails, {
          buildCommand: "npm ci",
          startCommand: "node worker.js",
          ...(kind.args.preDeployCommand ? { preDeployCommand: "npm run migrate" } : {}),
        });
        if (kind.args.numInstances) assert.equal(service.serviceDetails.numInstances, 2);
        if (kind.args.schedule) assert.equal(service.serviceDetails.schedule, "*/15 * * * *");
        assert.equal("url" in outs, false);
        assert.deepEqual(outs.envVarKeys, ["QUEUE", "TOKEN"]);
        assert.match(outs.generatedValues.TOKEN, /^[A-Za-z0-9+/]{43}=$/);
        assert.match(outs.initialDeployId, /^dep-/);
        assert.equal(
          outs.dashboardUrl,
          `https://dashboard.render.com/${{ background_worker: "worker", private_service: "pserv", cron_job: "cron" }[kind.type]}/${id}`,
        );
      });

      it("shows a dashboard change as drift field by field, and the update sets it back", async () => {
        const { id, inputs, outs } = await created();
        assert.equal((await provider.diff!(id, outs, inputs)).changes, false);
        await api("PATCH", `/services/${id}`, { serviceDetails: kind.drift.details });
        const diff = await provider.diff!(id, outs, inputs);
        assert.equal(diff.changes, true);
        assert.deepEqual(diff.replaces, []);
        const read = await provider.read(id, outs);
        const refreshed = read.inputs as Record<string, unknown>;
        assert.equal(refreshed[kind.drift.field], Object.values(kind.drift.details)[0]);
        await call(emu.controlUrl, "DELETE", "/requests");
        await provider.update!(id, read.props as Outputs, inputs);
        assert.deepEqual(await writes(), [`PATCH /v1/services/${id}`]);
        assert.equal((await provider.diff!(id, outs, inputs)).changes, false);
        // The region cannot change in place: a replace.
        const moved = await checked<AnyServiceInputs>(provider, args({ region: "frankfurt" }));
        assert.deepEqual((await provider.diff!(id, outs, moved)).replaces, ["region"]);
      });

      // The move is the shared service provider's (one kind shows it: the file stays within Render's 20
      // service creates an hour, which the client's budget keeps).
      if (kind === kinds[0])
        it("is created in its environment and moved to another in place: same id, no replace", async () => {
          const envs = await environmentsIn(emu);
          const { id, inputs, outs } = await created({ environmentId: envs.production });
          assert.equal(((await live(id)) as { environmentId?: string }).environmentId, envs.production);
          assert.equal((await provider.diff!(id, outs, inputs)).changes, false);
          const moved = { ...inputs, environmentId: envs.staging };
          const diff = await provider.diff!(id, outs, moved);
          assert.equal(diff.changes, true);
          assert.deepEqual(diff.replaces, []);
          await call(emu.controlUrl, "DELETE", "/requests");
          await provider.update!(id, outs, moved);
          assert.deepEqual(await writes(), [`POST /v1/environments/${envs.staging}/resources`]);
          assert.equal(((await live(id)) as { environmentId?: string }).environmentId, envs.staging);
          assert.equal((await provider.diff!(id, outs, moved)).changes, false);
          // Read back: an import names the environment; a refresh of a config without one leaves it out.
          assert.equal(
            (((await provider.read(id)).inputs ?? {}) as Record<string, unknown>).environmentId,
            envs.staging,
          );
          const { environmentId: _none, ...unplaced } = outs;
          const refreshed = await provider.read(id, unplaced);
          assert.equal("environmentId" in (refreshed.inputs as Record<string, unknown>), false);
        });

      it("adopts the live one by id, reporting what the up changes; never a second of one name", async () => {
        const first = await created();
        await assert.rejects(
          provider.create(await checked(provider, args())),
          new RegExp(`already has a ${kind.what} of that name \\(${first.id}\\)`),
        );
        await call(emu.controlUrl, "DELETE", "/requests");
        const inputs = await checked<AnyServiceInputs>(provider, args({ adoptId: first.id, plan: "pro" }));
        assert.equal(reported.length, 1);
        assert.match(reported[0], new RegExp(`adopting ${kind.what} ${inputs.name} \\(${first.id}\\)`));
        assert.match(reported[0], /~ plan: "(starter|standard)" => "pro"/);
        assert.match(reported[0], /= env var TOKEN: kept/);
        assert.deepEqual(await writes(), []);
        const adopted = await provider.create(inputs);
        assert.equal(adopted.id, first.id);
        assert.equal((await live(first.id)).serviceDetails.plan, "pro");
        assert.equal((await services()).length, 1);
      });

      it("never makes a second one when the response to the POST is lost", async () => {
        await call(emu.controlUrl, "POST", "/faults", {
          body: { method: "POST", path: "/v1/services", count: 1, fault: { kind: "lose-response" } },
        });
        const { id } = await created();
        assert.deepEqual(
          (await services()).map((s) => s.id),
          [id],
        );
      });

      it("suspends and resumes as desired state; gone from Render is one message; delete is idempotent", async () => {
        const { id, inputs, outs } = await created();
        await provider.update!(id, outs, { ...inputs, suspended: true });
        assert.equal((await live(id)).suspended, "suspended");
        await provider.delete!(id, outs);
        assert.equal((await api("GET", `/services/${id}`)).status, 404);
        await provider.delete!(id, outs);
        await assert.rejects(
          provider.read(id, outs),
          /no longer exists on Render: it was deleted outside Pulumi/,
        );
      });
    });
  }

  describe("docker and image runtimes", () => {
    it("a docker background worker: Dockerfile and context sent, read back, drift of the command", async () => {
      const provider: Provider = await configured(new BackgroundWorkerProvider(() => {}), emu);
      const inputs = await checked<AnyServiceInputs>(provider, {
        name: `docker-worker-${n}`,
        ownerId: emu.ownerId,
        repo: "https://github.com/example/arrakis",
        env: "docker",
        dockerfilePath: "./worker/Dockerfile",
        dockerContext: "worker",
      });
      const { id, outs } = await provider.create(inputs);
      assert.deepEqual((await live(id)).serviceDetails.envSpecificDetails, {
        dockerCommand: "",
        dockerContext: "worker",
        dockerfilePath: "./worker/Dockerfile",
      });
      assert.equal((await provider.diff!(id, outs, inputs)).changes, false);
      const read = await provider.read(id, outs);
      assert.equal((read.inputs as AnyServiceInputs).dockerfilePath, "./worker/Dockerfile");
      const withCommand = { ...inputs, dockerCommand: "./run.sh" };
      assert.equal((await provider.diff!(id, outs, withCommand)).changes, true);
      await provider.update!(id, outs, withCommand);
      assert.equal((await live(id)).serviceDetails.envSpecificDetails.dockerCommand, "./run.sh");
      assert.equal((await provider.diff!(id, outs, withCommand)).changes, false);
    });

    it("an image web service: image.url and creds sent, no repo; a new tag is an in-place change", async () => {
      const provider: Provider = await configured(new WebServiceProvider(() => {}), emu);
      const inputs = await checked<AnyServiceInputs>(provider, {
        name: `image-web-${n}`,
        ownerId: emu.ownerId,
        runtime: "image",
        image: { url: "ghcr.io/example/web:1.2" },
        dockerCommand: "nginx -g 'daemon off;'",
        healthCheckPath: "/",
      });
      const { id, outs } = await provider.create(inputs);
      const service = await live(id);
      assert.equal(service.imagePath, "ghcr.io/example/web:1.2");
      assert.equal("repo" in service, false);
      assert.equal(service.serviceDetails.runtime, "image");
      assert.equal(service.serviceDetails.envSpecificDetails.dockerCommand, "nginx -g 'daemon off;'");
      assert.match((outs as { url: string }).url, /\/_services\/image-web-/);
      assert.equal((await provider.diff!(id, outs, inputs)).changes, false);
      const newTag = { ...inputs, image: { url: "ghcr.io/example/web:1.3" } };
      const diff = await provider.diff!(id, outs, newTag);
      assert.equal(diff.changes, true);
      assert.deepEqual(diff.replaces, []);
      await provider.update!(id, outs, newTag);
      assert.equal((await live(id)).imagePath, "ghcr.io/example/web:1.3");
      // Native <-> image is another runtime: a replace.
      const nativeAgain = await checked<AnyServiceInputs>(provider, {
        name: inputs.name,
        ownerId: emu.ownerId,
        repo: "https://github.com/example/arrakis",
        buildCommand: "npm ci",
        startCommand: "npm start",
      });
      assert.deepEqual((await provider.diff!(id, outs, nativeAgain)).replaces, ["runtime"]);
    });

    it("a native web service keeps today's state: the same input and output keys, no diff", async () => {
      const provider: Provider = await configured(new WebServiceProvider(() => {}), emu);
      const inputs = await checked<AnyServiceInputs>(provider, {
        name: `native-web-${n}`,
        ownerId: emu.ownerId,
        repo: "https://github.com/example/arrakis.git",
        branch: "main",
        buildCommand: "npm ci",
        startCommand: "npm start",
        healthCheckPath: "/healthz",
        envVars: { NODE_ENV: { kind: "plain", value: "production" } },
      });
      // The keys a state written before the docker and image runtimes holds (none of theirs is added).
      const before = [
        "name", "ownerId", "repo", "branch", "rootDir", "runtime", "plan", "region", "buildCommand",
        "startCommand", "healthCheckPath", "numInstances", "autoDeploy", "pullRequestPreviews", "suspended",
        "envVars", "adoptExisting",
      ]; // prettier-ignore
      assert.deepEqual(Object.keys(inputs).sort(), [...before].sort());
      const { id, outs } = await provider.create(inputs);
      const outputs = ["url", "dashboardUrl", "envVarKeys", "generatedValues", "initialDeployId"];
      assert.deepEqual(Object.keys(outs).sort(), [...before, ...outputs].sort());
      const read = await provider.read(id, outs);
      assert.deepEqual(Object.keys(read.inputs as object).sort(), [...before].sort());
      assert.equal((await provider.diff!(id, outs, inputs)).changes, false);
    });

    it("check: what each runtime needs and refuses, before any call", async () => {
      const provider: Provider = await configured(new WebServiceProvider(() => {}), emu);
      const failures = async (news: Record<string, unknown>) =>
        Object.fromEntries(
          ((await provider.check!({}, { name: "x", ownerId: emu.ownerId, ...news })).failures ?? []).map(
            (f) => [f.property, f.reason],
          ),
        );
      assert.deepEqual(await failures({ runtime: "image" }), {
        image: 'is required for runtime "image": {url, creds?}, e.g. {url: "docker.io/library/nginx:1.27"}',
      });
      assert.deepEqual(
        Object.keys(
          await failures({
            runtime: "image",
            image: { url: "nginx:1" },
            repo: "https://github.com/a/b",
            buildCommand: "x",
          }),
        ),
        ["buildCommand", "repo"],
      );
      assert.match(
        (await failures({ runtime: "docker", repo: "https://github.com/a/b", image: { url: "nginx:1" } }))
          .image,
        /is for runtime "image"/,
      );
      assert.match(
        (await failures({ runtime: "image", image: { url: "nginx:1", creds: "secret-token" } }))[
          "image.creds"
        ],
        /registry credential id like "rgc-…"/,
      );
      assert.match(
        (
          await failures({
            repo: "https://github.com/a/b",
            buildCommand: "a",
            startCommand: "b",
            dockerfilePath: "Dockerfile",
          })
        ).dockerfilePath,
        /is for runtime "docker" or "image", not "node"/,
      );
      assert.deepEqual(await writes(), []);
    });
  });
});
