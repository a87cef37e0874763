/**
 * Render Workflows routes against the contract: every answer validated against openapi.json
 * (tests/helpers/openapi.ts), the create and patch rules (400 naming the field and the allowed values,
 * immutable region, names unique per workspace), versions built on create and on demand, env vars at
 * `/services/{id}/env-vars` (UNCONFIRMED, routes/workflows.ts), and 401/404/429 on every route.
 */
import { strict as assert } from "node:assert";
import type { RunningEmulator } from "../../emulator";
import { renderSpecValidator } from "../helpers/openapi";
import type { RawResponse } from "../helpers/http";
import { apiOf, control, expect400Naming, expectStatus, start, type Api } from "./harness";

type Wf = Record<string, unknown> & {
  id: string;
  name: string;
  slug: string;
  runCommand: string;
  autoDeployTrigger: string;
  buildConfig: Record<string, string>;
};

const validator = renderSpecValidator();
const BASE = {
  name: "trender-wf",
  region: "oregon",
  runCommand: "python workflow.py",
  buildConfig: {
    repo: "https://github.com/render-examples/trender",
    runtime: "python",
    buildCommand: "pip install -r requirements.txt",
    rootDir: "workflows",
  },
};

describe("emulator workflows (contract, validation, versions, env vars)", function () {
  let emu: RunningEmulator;
  let raw: Api;
  /** Every /v1 answer is checked against openapi.json. */
  const api: Api = async (method, path, body, apiKey) => {
    const response = await raw(method, path, body, apiKey);
    validator.validateResponse(method, path, response.status, response.body);
    return response;
  };
  const create = (body: Record<string, unknown> = {}) =>
    api("POST", "/workflows", { ownerId: emu.ownerId, ...BASE, ...body });
  // openapi.json documents no 400 or 409 on the workflow routes: refusals are checked unvalidated (what
  // Render answers to bad input there is UNCONFIRMED; refusing it is never kinder).
  const refused = (method: string, path: string, body?: unknown) => raw(method, path, body);
  const createRefused = (body: Record<string, unknown> = {}) =>
    refused("POST", "/workflows", { ownerId: emu.ownerId, ...BASE, ...body });
  const get = async (id: string) => (await api("GET", `/workflows/${id}`)).body as Wf;

  beforeEach(async () => {
    emu = await start({ timings: "realistic" });
    raw = apiOf(emu);
  });
  afterEach(async () => {
    await emu?.close();
  });

  it("creates (201) with a wfl- id, its slug and defaults, lists it with filters, and builds a first version", async () => {
    const response = await create({ envVars: [{ key: "A", value: "1" }] });
    expectStatus(response, 201);
    const wf = response.body as Wf;
    assert.match(wf.id, /^wfl-[0-9a-v]{20}$/);
    assert.equal(wf.slug, "trender-wf");
    assert.equal(wf.autoDeployTrigger, "commit");
    assert.deepEqual(wf.buildConfig, BASE.buildConfig);
    const other = (await create({ name: "other" })).body as Wf;
    const list = async (query: string) =>
      ((await api("GET", `/workflows${query}`)).body as { workflow: Wf }[]).map((e) => e.workflow.id);
    assert.deepEqual(await list(""), [other.id, wf.id]);
    assert.deepEqual(await list("?name=trender-wf"), [wf.id]);
    assert.deepEqual(await list(`?ownerId=${emu.ownerId}&workflowID=${other.id}`), [other.id]);
    assert.deepEqual(await list("?ownerId=tea-aaaaaaaaaaaaaaaaaaaa"), []);
    const versions = (await api("GET", `/workflowversions?workflowID=${wf.id}`)).body as {
      workflowVersion: { id: string; status: string };
    }[];
    assert.equal(versions.length, 1);
    assert.equal(versions[0].workflowVersion.status, "building");
    await control(emu, "POST", "/clock", { advanceMs: 61_000 });
    const version = (await api("GET", `/workflowversions/${versions[0].workflowVersion.id}`)).body as {
      status: string;
    };
    assert.equal(version.status, "ready");
    expectStatus(await api("POST", "/workflowversions", { workflowId: wf.id, commit: "abc123" }), 202);
    assert.equal(((await api("GET", `/workflowversions?workflowID=${wf.id}`)).body as unknown[]).length, 2);
  });

  it("keeps env vars given on create and serves them at /services/{id}/env-vars", async () => {
    const wf = (
      await create({
        envVars: [
          { key: "A", value: "1" },
          { key: "TOKEN", generateValue: true },
        ],
      })
    ).body as Wf;
    const vars = (await api("GET", `/services/${wf.id}/env-vars`)).body as {
      envVar: { key: string; value: string };
    }[];
    const byKey = Object.fromEntries(vars.map((v) => [v.envVar.key, v.envVar.value]));
    assert.equal(byKey.A, "1");
    assert.match(byKey.TOKEN, /^[A-Za-z0-9+/]{43}=$/);
    expectStatus(await api("PUT", `/services/${wf.id}/env-vars`, [{ key: "B", value: "2" }]), 200);
    const after = (await api("GET", `/services/${wf.id}/env-vars`)).body as { envVar: { key: string } }[];
    assert.deepEqual(
      after.map((v) => v.envVar.key),
      ["B"],
    );
  });

  it("patches name, run command, build settings and trigger; refuses region and a taken name", async () => {
    const wf = (await create()).body as Wf;
    await create({ name: "taken" });
    const patched = await api("PATCH", `/workflows/${wf.id}`, {
      name: "renamed",
      runCommand: "python main.py",
      buildConfig: { ...BASE.buildConfig, branch: "dev" },
      autoDeployTrigger: "off",
    });
    expectStatus(patched, 200);
    const live = await get(wf.id);
    assert.equal(live.name, "renamed");
    assert.equal(live.runCommand, "python main.py");
    assert.equal(live.buildConfig.branch, "dev");
    assert.equal(live.autoDeployTrigger, "off");
    expect400Naming(await refused("PATCH", `/workflows/${wf.id}`, { region: "frankfurt" }), "region");
    expectStatus(await api("PATCH", `/workflows/${wf.id}`, { region: "oregon" }), 200);
    expectStatus(await refused("PATCH", `/workflows/${wf.id}`, { name: "taken" }), 409);
    assert.equal((await get(wf.id)).name, "renamed");
  });

  it("answers 400 naming the field and the allowed values, 409 for a name taken, and creates nothing", async () => {
    expect400Naming(await createRefused({ runCommand: undefined }), "runCommand");
    expect400Naming(await createRefused({ region: "mars" }), "region", "oregon");
    expect400Naming(
      await createRefused({ buildConfig: { ...BASE.buildConfig, runtime: "docker" } }),
      "buildConfig.runtime",
      "python",
    );
    expect400Naming(
      await createRefused({ buildConfig: { ...BASE.buildConfig, buildCommand: " " } }),
      "buildConfig.buildCommand",
    );
    expect400Naming(await createRefused({ buildConfig: undefined }), "buildConfig");
    expect400Naming(await createRefused({ autoDeployTrigger: "push" }), "autoDeployTrigger", "checksPass");
    expect400Naming(await createRefused({ envVars: [{ key: "1BAD", value: "x" }] }), "envVars[0].key");
    expectStatus(await createRefused({ ownerId: "tea-x" }), 404);
    assert.deepEqual((await api("GET", "/workflows")).body, []);
    expectStatus(await create(), 201);
    expectStatus(await createRefused(), 409);
  });

  it("deletes (204) with its versions, then answers 404", async () => {
    const wf = (await create()).body as Wf;
    expectStatus(await api("DELETE", `/workflows/${wf.id}`), 204);
    expectStatus(await api("GET", `/workflows/${wf.id}`), 404);
    expectStatus(await api("GET", `/services/${wf.id}/env-vars`), 404);
    assert.deepEqual((await api("GET", `/workflowversions?workflowID=${wf.id}`)).body, []);
  });

  it("every route: 401 without or with a wrong key, 404 for an unknown id, 429 from an injected fault", async () => {
    const wf = (await create()).body as Wf;
    const unknown = "wfl-aaaaaaaaaaaaaaaaaaaa";
    const routes: [string, string, unknown?][] = [
      ["GET", "/workflows"],
      ["POST", "/workflows", { ...BASE, name: "another", ownerId: emu.ownerId }],
      ["GET", "/workflows/{id}"],
      ["PATCH", "/workflows/{id}", { name: "renamed" }],
      ["GET", "/workflowversions"],
      ["DELETE", "/workflows/{id}"],
    ];
    const expect = (response: RawResponse, status: number, what: string) =>
      assert.equal(response.status, status, `${what}: ${response.text.slice(0, 200)}`);
    for (const [method, template, body] of routes) {
      const path = template.replace("{id}", wf.id);
      for (const key of [null, "rnd_wrongwrongwrongwrongwrong"])
        expect(await api(method, path, body, key), 401, `${method} ${template} key ${key ?? "missing"}`);
      if (template.includes("{id}")) {
        const missing = await api(method, template.replace("{id}", unknown), body);
        expect(missing, 404, `${method} ${template} unknown id`);
      }
      await control(emu, "POST", "/faults", {
        method,
        path: `/v1${path}`,
        count: 1,
        fault: { kind: "status", status: 429, retryAfter: 1 },
      });
      expect(await api(method, path, body), 429, `${method} ${template} fault`);
    }
    expectStatus(await api("POST", "/workflowversions", { workflowId: unknown }), 404);
    expectStatus(await api("GET", "/workflowversions/wfv-aaaaaaaaaaaaaaaaaaaa"), 404);
    // The faults and refusals changed nothing.
    assert.equal((await get(wf.id)).name, "trender-wf");
  });
});
