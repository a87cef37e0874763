/**
 * The service types besides the web service: background worker, private service and cron job (each with
 * its own `serviceDetails`), and the docker and image runtimes on every type. Shapes are checked against
 * openapi.json by contract.spec.ts; this checks the rules: what each type has and refuses, the cron
 * schedule, a cron run, and who answers on a public URL.
 */
import { strict as assert } from "node:assert";
import type { RunningEmulator } from "../../emulator";
import { apiOf, expect400Naming, expectStatus, start, type Api } from "./harness";

type Details = Record<string, unknown> & { envSpecificDetails: Record<string, unknown> };
type Service = Record<string, unknown> & { id: string; slug: string; serviceDetails: Details };

describe("emulator service types: worker, private service, cron job; docker and image", function () {
  let emu: RunningEmulator;
  let api: Api;
  let counter = 0;

  const body = (type: string, details: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    type,
    name: `${type.replace(/_/g, "-")}-${++counter}`,
    ownerId: emu.ownerId,
    repo: "https://github.com/example/arrakis",
    autoDeploy: "no",
    ...extra,
    serviceDetails: details,
  });
  const native = { buildCommand: "npm ci", startCommand: "node worker.js" };
  const create = async (b: Record<string, unknown>): Promise<Service> => {
    const response = await api("POST", "/services", b);
    expectStatus(response, 201);
    return (response.body as { service: Service }).service;
  };

  before(async () => {
    emu = await start();
    api = apiOf(emu);
  });
  after(() => emu?.close());
  beforeEach(async () => {
    const reset = await fetch(`${emu.controlUrl}/reset`, { method: "POST" });
    assert.equal(reset.status, 200);
  });

  it("a background worker has instances but no URL, health check or ports", async () => {
    const worker = await create(
      body("background_worker", { runtime: "node", plan: "standard", envSpecificDetails: native }),
    );
    assert.match(worker.id, /^srv-/);
    assert.equal(worker.type, "background_worker");
    assert.equal(worker.dashboardUrl, `https://dashboard.render.com/worker/${worker.id}`);
    const d = worker.serviceDetails;
    assert.equal(d.plan, "standard");
    assert.equal(d.numInstances, 1);
    assert.deepEqual(d.envSpecificDetails, native);
    for (const absent of ["url", "healthCheckPath", "openPorts", "renderSubdomainPolicy"])
      assert.equal(absent in d, false, `a worker has no ${absent}`);
    // The worker's slug is not served on a public URL.
    const page = await fetch(`${emu.url.replace(/\/v1$/, "")}/_services/${worker.slug}/`);
    assert.equal(page.status, 404);
    assert.match(((await page.json()) as { message: string }).message, /no service at/);
  });

  it("a private service has open ports and a private address, no public URL", async () => {
    const pserv = await create(body("private_service", { runtime: "go", envSpecificDetails: native }));
    const d = pserv.serviceDetails;
    assert.deepEqual(d.openPorts, [{ port: 10000, protocol: "TCP" }]);
    assert.equal(d.url, `${pserv.slug}:10000`);
    assert.equal(pserv.dashboardUrl, `https://dashboard.render.com/pserv/${pserv.id}`);
    assert.equal("healthCheckPath" in d, false);
  });

  it("refuses what a type has no setting for, and the free plan outside web services", async () => {
    for (const [type, key, value] of [
      ["background_worker", "healthCheckPath", "/"],
      ["private_service", "maintenanceMode", { enabled: true }],
      ["cron_job", "numInstances", 2],
      ["cron_job", "preDeployCommand", "x"],
    ] as const) {
      const details = { runtime: "node", envSpecificDetails: native, schedule: "0 * * * *", [key]: value };
      expect400Naming(await api("POST", "/services", body(type, details)), `serviceDetails.${key}`, type);
    }
    expect400Naming(
      await api(
        "POST",
        "/services",
        body("background_worker", { runtime: "node", plan: "free", envSpecificDetails: native }),
      ),
      "serviceDetails.plan",
    );
    const worker = await create(body("background_worker", { runtime: "node", envSpecificDetails: native }));
    expect400Naming(
      await api("PATCH", `/services/${worker.id}`, { serviceDetails: { healthCheckPath: "/" } }),
      "serviceDetails.healthCheckPath",
    );
    const listed = (await api("GET", "/services?type=background_worker")).body as { service: Service }[];
    assert.deepEqual(
      listed.map((item) => item.service.id),
      [worker.id],
    );
  });

  it("a cron job: crn- id, its schedule checked on create and PATCH, runs, no instances", async () => {
    const details = { runtime: "python", envSpecificDetails: native, schedule: "*/10 9-17 * * MON-FRI" };
    const cron = await create(body("cron_job", details));
    assert.match(cron.id, /^crn-[0-9a-v]{20}$/);
    assert.equal(cron.dashboardUrl, `https://dashboard.render.com/cron/${cron.id}`);
    assert.equal(cron.serviceDetails.schedule, "*/10 9-17 * * MON-FRI");
    assert.equal("lastSuccessfulRunAt" in cron.serviceDetails, false, "never run yet");
    for (const absent of ["url", "numInstances", "openPorts", "healthCheckPath"])
      assert.equal(absent in cron.serviceDetails, false, `a cron job has no ${absent}`);
    for (const bad of [
      "* * * *",
      "60 * * * *",
      "* 24 * * *",
      "* * 0 * *",
      "* * * 13 *",
      "5-1 * * * *",
      "@daily",
    ])
      expect400Naming(
        await api("POST", "/services", body("cron_job", { ...details, schedule: bad })),
        "serviceDetails.schedule",
      );
    expect400Naming(
      await api("POST", "/services", body("cron_job", { runtime: "node", envSpecificDetails: native })),
      "schedule",
    );
    const patched = await api("PATCH", `/services/${cron.id}`, { serviceDetails: { schedule: "0 3 * * *" } });
    expectStatus(patched, 200);
    assert.equal((patched.body as Service).serviceDetails.schedule, "0 3 * * *");
    expect400Naming(
      await api("PATCH", `/services/${cron.id}`, { serviceDetails: { schedule: "0 3 * *" } }),
      "serviceDetails.schedule",
    );
    expect400Naming(await api("POST", `/services/${cron.id}/scale`, { numInstances: 2 }), "cron job");
    const run = await api("POST", `/cron-jobs/${cron.id}/runs`);
    expectStatus(run, 200);
    assert.equal((run.body as { status: string }).status, "successful");
    const after = (await api("GET", `/services/${cron.id}`)).body as Service;
    assert.equal(after.serviceDetails.lastSuccessfulRunAt, (run.body as { finishedAt: string }).finishedAt);
    expectStatus(await api("POST", "/cron-jobs/crn-aaaaaaaaaaaaaaaaaaaa/runs"), 404);
    const worker = await create(body("background_worker", { runtime: "node", envSpecificDetails: native }));
    expect400Naming(await api("POST", `/cron-jobs/${worker.id}/runs`), "not a cron job");
  });

  it("docker: defaults, read back as dockerDetails; switching runtime kind needs envSpecificDetails", async () => {
    for (const type of ["web_service", "private_service", "background_worker", "cron_job"]) {
      const service = await create(
        body(type, {
          runtime: "docker",
          ...(type === "cron_job" ? { schedule: "0 0 * * *" } : {}),
          envSpecificDetails: { dockerContext: "api" },
        }),
      );
      assert.deepEqual(
        service.serviceDetails.envSpecificDetails,
        { dockerCommand: "", dockerContext: "api", dockerfilePath: "./Dockerfile" },
        type,
      );
      const patched = await api("PATCH", `/services/${service.id}`, {
        serviceDetails: {
          envSpecificDetails: { dockerCommand: "./start.sh", dockerfilePath: "api/Dockerfile" },
        },
      });
      expectStatus(patched, 200);
      assert.deepEqual((patched.body as Service).serviceDetails.envSpecificDetails, {
        dockerCommand: "./start.sh",
        dockerContext: "api",
        dockerfilePath: "api/Dockerfile",
      });
      expect400Naming(
        await api("PATCH", `/services/${service.id}`, { serviceDetails: { runtime: "node" } }),
        "envSpecificDetails",
      );
    }
  });

  it("image: imagePath on the service, runtime image, no repo; the runtime stays image", async () => {
    const image = { ownerId: emu.ownerId, imagePath: "ghcr.io/example/worker:1.2" };
    const worker = await create(body("background_worker", { runtime: "image" }, { repo: undefined, image }));
    assert.equal(worker.imagePath, "ghcr.io/example/worker:1.2");
    assert.equal("repo" in worker, false);
    assert.equal(worker.serviceDetails.runtime, "image");
    expect400Naming(
      await api(
        "POST",
        "/services",
        body("private_service", { runtime: "node", envSpecificDetails: native }, { repo: undefined, image }),
      ),
      "serviceDetails.runtime",
    );
    expect400Naming(
      await api(
        "POST",
        "/services",
        body(
          "background_worker",
          { runtime: "image" },
          { image: { ...image, ownerId: "tea-aaaaaaaaaaaaaaaaaaaa" }, repo: undefined },
        ),
      ),
      "image.ownerId",
    );
    const patched = await api("PATCH", `/services/${worker.id}`, {
      image: { ...image, imagePath: "ghcr.io/example/worker:1.3" },
    });
    expectStatus(patched, 200);
    assert.equal((patched.body as Service).imagePath, "ghcr.io/example/worker:1.3");
    expect400Naming(
      await api("PATCH", `/services/${worker.id}`, {
        serviceDetails: { runtime: "docker", envSpecificDetails: {} },
      }),
      "image",
    );
  });
  it("a registry credential: named by an image or a docker build, rendered as Render does; unknown is refused", async () => {
    const created = await api("POST", "/registrycredentials", {
      ownerId: emu.ownerId,
      name: "ghcr",
      registry: "GITHUB",
      username: "bot",
      authToken: "ghp_secret",
    });
    expectStatus(created, 200);
    const rgc = (created.body as { id: string }).id;
    const image = { ownerId: emu.ownerId, imagePath: "ghcr.io/example/private:1", registryCredentialId: rgc };
    const pserv = await create(body("private_service", { runtime: "image" }, { repo: undefined, image }));
    assert.deepEqual(pserv.registryCredential, { id: rgc, name: "ghcr" });
    const worker = await create(
      body("background_worker", { runtime: "docker", envSpecificDetails: { registryCredentialId: rgc } }),
    );
    const credential = worker.serviceDetails.envSpecificDetails.registryCredential as Record<string, unknown>;
    assert.deepEqual(
      { ...credential, updatedAt: undefined },
      { id: rgc, name: "ghcr", registry: "GITHUB", username: "bot", updatedAt: undefined },
    );
    assert.equal(JSON.stringify(worker).includes("ghp_secret"), false, "the token is never rendered");
    expect400Naming(
      await api(
        "POST",
        "/services",
        body(
          "private_service",
          { runtime: "image" },
          {
            repo: undefined,
            image: { ...image, registryCredentialId: "rgc-aaaaaaaaaaaaaaaaaaaa" },
          },
        ),
      ),
      "image.registryCredentialId",
    );
  });
});
