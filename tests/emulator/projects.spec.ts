/**
 * Project and environment routes against Render's contract: every answer validated against openapi.json
 * (tests/helpers/openapi.ts), `prj-`/`evm-` ids, the environment's resource lists computed from the
 * resources' own `environmentId`, moving resources in and out, validation 400s naming the field, the
 * UNCONFIRMED safe refusals (non-empty deletes, last environment, duplicate names), 401/404/429 on every
 * route, and persistence.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { RunningEmulator } from "../../emulator";
import { renderSpecValidator } from "../helpers/openapi";
import type { RawResponse } from "../helpers/http";
import { apiOf, control, expect400Naming, expectStatus, start, webServiceBody, type Api } from "./harness";

type Project = { id: string; name: string; environmentIds: string[]; owner: { id: string } };
type Env = {
  id: string;
  name: string;
  projectId: string;
  serviceIds: string[];
  databasesIds: string[];
  redisIds: string[];
  envGroupIds: string[];
  protectedStatus: string;
  networkIsolationEnabled: boolean;
  ipAllowList: unknown[];
};

const validator = renderSpecValidator();

describe("emulator projects and environments (contract, resources, validation)", function () {
  let emu: RunningEmulator;
  let raw: Api;
  const api: Api = async (method, path, body, apiKey) => {
    const response = await raw(method, path, body, apiKey);
    validator.validateResponse(method, path, response.status, response.body);
    return response;
  };
  const createProject = async (
    envs: Record<string, unknown>[] = [{ name: "production" }, { name: "staging" }],
  ) => {
    const response = await api("POST", "/projects", {
      name: "arrakis",
      ownerId: emu.ownerId,
      environments: envs,
    });
    expectStatus(response, 201);
    return response.body as Project;
  };
  const env = async (id: string) => (await api("GET", `/environments/${id}`)).body as Env;

  beforeEach(async () => {
    emu = await start();
    raw = apiOf(emu);
  });
  afterEach(async () => {
    await emu?.close();
  });

  it("creates a project with its environments (prj-/evm- ids, defaults) and lists both with Render's wrappers", async () => {
    const project = await createProject([
      { name: "production", protectedStatus: "protected", networkIsolationEnabled: true },
      { name: "staging", ipAllowList: [{ cidrBlock: "10.0.0.0/8", description: "office" }] },
    ]);
    assert.match(project.id, /^prj-[0-9a-v]{20}$/);
    assert.equal(project.owner.id, emu.ownerId);
    assert.equal(project.environmentIds.length, 2);
    const [prod, staging] = await Promise.all(project.environmentIds.map(env));
    assert.match(prod.id, /^evm-[0-9a-v]{20}$/);
    assert.deepEqual(
      [prod.name, prod.protectedStatus, prod.networkIsolationEnabled, prod.projectId],
      ["production", "protected", true, project.id],
    );
    assert.deepEqual([staging.protectedStatus, staging.networkIsolationEnabled], ["unprotected", false]);
    assert.deepEqual(staging.ipAllowList, [{ cidrBlock: "10.0.0.0/8", description: "office" }]);
    assert.deepEqual([prod.serviceIds, prod.databasesIds, prod.redisIds, prod.envGroupIds], [[], [], [], []]);

    const other = await createProject([{ name: "production" }]);
    const projects = (await api("GET", "/projects?name=arrakis")).body as {
      project: Project;
      cursor: string;
    }[];
    assert.deepEqual(
      projects.map((p) => p.project.id),
      [other.id, project.id],
    );
    const envs = (await api("GET", `/environments?projectId=${project.id}&name=staging`)).body as {
      environment: Env;
    }[];
    assert.deepEqual(
      envs.map((e) => e.environment.id),
      [staging.id],
    );
    expect400Naming(await api("GET", "/environments"), "projectId");
  });

  it("creates, renames, changes and deletes environments; refuses duplicates, the last one and bad fields", async () => {
    const project = await createProject([{ name: "production" }]);
    const created = await api("POST", "/environments", { projectId: project.id, name: "preview" });
    expectStatus(created, 201);
    const preview = created.body as Env;
    assert.deepEqual(((await api("GET", `/projects/${project.id}`)).body as Project).environmentIds, [
      project.environmentIds[0],
      preview.id,
    ]);
    expect400Naming(
      await api("POST", "/environments", { projectId: project.id, name: "production" }),
      "name",
    );
    expect400Naming(
      await api("POST", "/environments", { projectId: project.id, name: "x", protectedStatus: "locked" }),
      "protectedStatus",
      "unprotected, protected",
    );
    expect400Naming(
      await api("PATCH", `/environments/${preview.id}`, { networkIsolationEnabled: "yes" }),
      "networkIsolationEnabled",
    );
    expect400Naming(await api("PATCH", `/environments/${preview.id}`, { name: "production" }), "name");
    const patched = await api("PATCH", `/environments/${preview.id}`, {
      name: "qa",
      protectedStatus: "protected",
      networkIsolationEnabled: true,
    });
    expectStatus(patched, 200);
    assert.deepEqual(
      [
        (patched.body as Env).name,
        (patched.body as Env).protectedStatus,
        (patched.body as Env).networkIsolationEnabled,
      ],
      ["qa", "protected", true],
    );
    expectStatus(await api("DELETE", `/environments/${preview.id}`), 204);
    expectStatus(await api("GET", `/environments/${preview.id}`), 404);
    expect400Naming(await api("DELETE", `/environments/${project.environmentIds[0]}`), "last environment");
    const renamed = await api("PATCH", `/projects/${project.id}`, { name: "arrakis-2" });
    assert.equal((renamed.body as Project).name, "arrakis-2");
    expect400Naming(
      await api("POST", "/projects", { name: "p", ownerId: emu.ownerId, environments: [] }),
      "environments",
    );
    expect400Naming(
      await api("POST", "/projects", {
        name: "p",
        ownerId: emu.ownerId,
        environments: [{ name: "a" }, { name: "a" }],
      }),
      "environments[1].name",
    );
  });

  it("moves services, Postgres, Key Value and env groups into and out of an environment through their environmentId", async () => {
    const project = await createProject();
    const [prodId, stagingId] = project.environmentIds;
    const service = (
      (await api("POST", "/services", webServiceBody(emu.ownerId, "web"))).body as {
        service: { id: string };
      }
    ).service;
    const kv = (
      await api("POST", "/key-value", {
        name: "cache",
        ownerId: emu.ownerId,
        plan: "starter",
        environmentId: prodId,
      })
    ).body as { id: string };
    assert.deepEqual((await env(prodId)).redisIds, [kv.id]);
    const group = (await api("POST", "/env-groups", { name: "shared", ownerId: emu.ownerId, envVars: [] }))
      .body as { id: string };
    await api("POST", `/environments/${stagingId}/resources`, { resourceIds: [group.id] });
    assert.deepEqual((await env(stagingId)).envGroupIds, [group.id]);
    expectStatus(await api("DELETE", `/environments/${stagingId}/resources?resourceIds=${group.id}`), 204);
    assert.deepEqual((await env(stagingId)).envGroupIds, []);

    const moved = await api("POST", `/environments/${prodId}/resources`, { resourceIds: [service.id] });
    expectStatus(moved, 200);
    assert.deepEqual((moved.body as Env).serviceIds, [service.id]);
    const svc = (await api("GET", `/services/${service.id}`)).body as { environmentId?: string };
    assert.equal(svc.environmentId, prodId);
    // Moving to another environment takes it out of the first.
    await api("POST", `/environments/${stagingId}/resources`, { resourceIds: [kv.id] });
    assert.deepEqual((await env(prodId)).redisIds, []);
    assert.deepEqual((await env(stagingId)).redisIds, [kv.id]);

    expectStatus(
      await api("POST", `/environments/${prodId}/resources`, { resourceIds: ["srv-aaaaaaaaaaaaaaaaaaaa"] }),
      404,
    );
    expect400Naming(
      await api("POST", `/environments/${prodId}/resources`, { resourceIds: [] }),
      "resourceIds",
    );
    expect400Naming(await api("DELETE", `/environments/${prodId}/resources?resourceIds=${kv.id}`), kv.id);
    expect400Naming(await api("DELETE", `/environments/${prodId}`), "still holds");
    expect400Naming(await api("DELETE", `/projects/${project.id}`), "still holds");

    expectStatus(await api("DELETE", `/environments/${prodId}/resources?resourceIds=${service.id}`), 204);
    const back = (await api("GET", `/services/${service.id}`)).body as { environmentId?: string };
    assert.equal(back.environmentId, undefined);
    expectStatus(await api("DELETE", `/environments/${stagingId}/resources?resourceIds=${kv.id}`), 204);
    expectStatus(await api("DELETE", `/projects/${project.id}`), 204);
    expectStatus(await api("GET", `/environments/${stagingId}`), 404);
  });

  it("refuses to create a service, static site, Postgres, Key Value or env group in an environment that does not exist", async () => {
    const project = await createProject();
    const [prodId] = project.environmentIds;
    const unknown = "evm-aaaaaaaaaaaaaaaaaaaa";
    const bodies: [string, Record<string, unknown>][] = [
      ["/services", webServiceBody(emu.ownerId, "web")],
      [
        "/services",
        {
          type: "static_site",
          name: "site",
          ownerId: emu.ownerId,
          repo: "https://github.com/example/site",
          serviceDetails: { buildCommand: "npm run build", publishPath: "dist" },
        },
      ],
      ["/postgres", { name: "db", ownerId: emu.ownerId, plan: "basic_256mb", version: "17" }],
      ["/key-value", { name: "cache", ownerId: emu.ownerId, plan: "starter" }],
      ["/env-groups", { name: "shared", ownerId: emu.ownerId, envVars: [] }],
    ];
    for (const [route, body] of bodies) {
      expect400Naming(
        await api("POST", route, { ...body, environmentId: unknown }),
        "environmentId",
        unknown,
      );
      // The same body in an environment that exists is placed there.
      expectStatus(await api("POST", route, { ...body, environmentId: prodId }), 201);
    }
    const placed = await env(prodId);
    assert.equal(placed.serviceIds.length, 2);
    assert.equal(placed.databasesIds.length, 1);
    assert.equal(placed.redisIds.length, 1);
    assert.equal(placed.envGroupIds.length, 1);
    // Nothing was created by the refused calls.
    const services = (await api("GET", "/services")).body as unknown[];
    assert.equal(services.length, 2);
  });

  it("answers 401 without a valid key, 404 for unknown ids and a 429 fault on every route", async () => {
    const project = await createProject();
    const envId = project.environmentIds[1];
    const routes: [string, string, unknown?][] = [
      ["GET", "/projects"],
      ["POST", "/projects", { name: "p", ownerId: emu.ownerId, environments: [{ name: "e" }] }],
      ["GET", "/projects/{pid}"],
      ["PATCH", "/projects/{pid}", { name: "renamed" }],
      ["GET", `/environments?projectId=${project.id}`],
      ["POST", "/environments", { projectId: project.id, name: "extra" }],
      ["GET", "/environments/{eid}"],
      ["PATCH", "/environments/{eid}", { name: "renamed" }],
      ["POST", "/environments/{eid}/resources", { resourceIds: ["srv-aaaaaaaaaaaaaaaaaaaa"] }],
      ["DELETE", "/environments/{eid}/resources?resourceIds=srv-aaaaaaaaaaaaaaaaaaaa"],
      ["DELETE", "/environments/{eid}"],
    ];
    const expect = (response: RawResponse, status: number, what: string) =>
      assert.equal(response.status, status, `${what}: ${response.text.slice(0, 200)}`);
    for (const [method, template, body] of routes) {
      const path = template.replace("{pid}", project.id).replace("{eid}", envId);
      for (const key of [null, "rnd_wrongwrongwrongwrongwrong"])
        expect(await api(method, path, body, key), 401, `${method} ${template} key ${key ?? "missing"}`);
      if (template.includes("{")) {
        const unknown = template
          .replace("{pid}", "prj-aaaaaaaaaaaaaaaaaaaa")
          .replace("{eid}", "evm-aaaaaaaaaaaaaaaaaaaa");
        expect(await api(method, unknown, body), 404, `${method} ${template} unknown id`);
      }
      await control(emu, "POST", "/faults", {
        method,
        path: `/v1${path.split("?")[0]}`,
        count: 1,
        fault: { kind: "status", status: 429, retryAfter: 1 },
      });
      expect(await api(method, path, body), 429, `${method} ${template} fault`);
    }
    assert.equal(((await api("GET", `/projects/${project.id}`)).body as Project).name, "arrakis");
  });

  it("keeps projects and environments across a restart with a state folder; reset wipes them", async () => {
    const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "emulator-projects-state-"));
    try {
      await emu.close();
      const identity = { stateDir, apiKey: emu.apiKey, ownerId: emu.ownerId };
      emu = await start(identity);
      raw = apiOf(emu);
      const project = await createProject();
      await emu.close();
      emu = await start(identity);
      raw = apiOf(emu);
      const back = (await api("GET", `/projects/${project.id}`)).body as Project;
      assert.deepEqual(back.environmentIds, project.environmentIds);
      await control(emu, "POST", "/reset");
      expectStatus(await api("GET", `/projects/${project.id}`), 404);
    } finally {
      await emu.close();
      fs.rmSync(stateDir, { recursive: true, force: true });
    }
  });
});
