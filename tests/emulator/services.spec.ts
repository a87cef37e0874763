/**
 * Service and env var routes: create (201 `{service, deployId}`), Render's service shape, name
 * uniqueness, validation, PATCH and its immutable fields, scale, suspend/resume, delete, list filters
 * and pagination (limit default 20, max 100, cursor), env vars (collection and per key, generateValue).
 */
import { strict as assert } from "node:assert";
import type { RunningEmulator } from "../../emulator";
import { apiOf, expect400Naming, expectStatus, start, webServiceBody, type Api } from "./harness";

type Service = Record<string, unknown> & {
  id: string;
  name: string;
  slug: string;
  serviceDetails: Record<string, unknown> & { url: string; envSpecificDetails: Record<string, string> };
};

describe("emulator services and env vars", function () {
  let emu: RunningEmulator;
  let api: Api;
  let counter = 0;
  const create = async (extra: Record<string, unknown> = {}, name = `web-${++counter}`) => {
    const response = await api("POST", "/services", webServiceBody(emu.ownerId, name, extra));
    expectStatus(response, 201);
    return response.body as { service: Service; deployId: string };
  };

  before(async () => {
    emu = await start();
    api = apiOf(emu);
  });
  after(() => emu?.close());
  beforeEach(async () => {
    await api("GET", "/owners"); // keep the connection warm; state is reset per test below
    const reset = await fetch(`${emu.controlUrl}/reset`, { method: "POST" });
    assert.equal(reset.status, 200);
  });

  it("creates a web service: 201 {service, deployId} in Render's shape, and starts the first deploy", async () => {
    const { service, deployId } = await create(
      { serviceDetails: { preDeployCommand: "npm run migrate" } },
      "Arrakis Web",
    );
    assert.match(service.id, /^srv-[0-9a-v]{20}$/);
    assert.match(deployId, /^dep-[0-9a-v]{20}$/);
    assert.equal(service.slug, "arrakis-web");
    assert.equal(service.dashboardUrl, `https://dashboard.render.com/web/${service.id}`);
    assert.equal(service.autoDeploy, "no");
    assert.equal(service.suspended, "not_suspended");
    assert.deepEqual(service.suspenders, []);
    assert.equal(service.notifyOnFail, "default");
    assert.equal(service.rootDir, "");
    assert.equal(service.branch, "main");
    assert.equal("status" in service, false, "a service has no status field");
    const d = service.serviceDetails;
    assert.equal(d.env, "node");
    assert.equal(d.runtime, "node");
    assert.equal(d.plan, "starter");
    assert.equal(d.region, "oregon");
    assert.equal(d.numInstances, 1);
    assert.equal(d.buildPlan, "starter");
    assert.deepEqual(d.openPorts, [{ port: 10000, protocol: "TCP" }]);
    assert.deepEqual(d.previews, { generation: "off" });
    assert.equal(d.healthCheckPath, "/healthz");
    assert.deepEqual(d.envSpecificDetails, {
      buildCommand: "npm ci",
      startCommand: "npm start",
      preDeployCommand: "npm run migrate",
    });
    assert.equal("preDeployCommand" in d, false, "preDeployCommand reads back inside envSpecificDetails");
    assert.equal(d.url, `${emu.url.replace(/\/v1$/, "")}/_services/arrakis-web`);
    const deploy = await api("GET", `/services/${service.id}/deploys/${deployId}`);
    expectStatus(deploy, 200);
    assert.equal((deploy.body as { status: string }).status, "build_in_progress");
    assert.deepEqual((await api("GET", `/services/${service.id}`)).body, service);
  });

  it("refuses a duplicate name in the workspace with 409 (create and rename), and slugs stay unique", async () => {
    const first = await create({}, "dup");
    const again = await api("POST", "/services", webServiceBody(emu.ownerId, "dup"));
    expectStatus(again, 409);
    assert.match((again.body as { message: string }).message, /dup/);
    const other = await create({}, "other");
    expectStatus(await api("PATCH", `/services/${other.service.id}`, { name: "dup" }), 409);
    const renamed = await api("PATCH", `/services/${first.service.id}`, { name: "renamed" });
    expectStatus(renamed, 200);
    const reused = await create({}, "dup");
    assert.notEqual(reused.service.slug, "dup", "the old slug stays with the renamed service");
    assert.match(reused.service.slug, /^dup-[a-z0-9]{4}$/);
  });

  it("validates the create body: enums with allowed values, required fields, types, env var keys", async () => {
    const body = (extra: Record<string, unknown>) => webServiceBody(emu.ownerId, "bad", extra);
    expect400Naming(await api("POST", "/services", { ...body({}), type: "web" }), "type", "web_service");
    expect400Naming(await api("POST", "/services", { ...body({}), name: undefined }), "name");
    expect400Naming(await api("POST", "/services", { ...body({}), ownerId: undefined }), "ownerId");
    expect400Naming(await api("POST", "/services", body({ autoDeploy: true })), "autoDeploy", "yes, no");
    expect400Naming(
      await api("POST", "/services", body({ serviceDetails: { plan: "gigantic" } })),
      "serviceDetails.plan",
      "starter",
    );
    expect400Naming(
      await api("POST", "/services", body({ serviceDetails: { region: "mars" } })),
      "serviceDetails.region",
    );
    expect400Naming(
      await api("POST", "/services", body({ serviceDetails: { runtime: "cobol" } })),
      "serviceDetails.runtime",
    );
    expect400Naming(
      await api("POST", "/services", body({ serviceDetails: { envSpecificDetails: { buildCommand: "x" } } })),
      "serviceDetails.envSpecificDetails.startCommand",
    );
    expect400Naming(
      await api("POST", "/services", body({ serviceDetails: { numInstances: 0 } })),
      "serviceDetails.numInstances",
    );
    expect400Naming(
      await api(
        "POST",
        "/services",
        body({ serviceDetails: { ipAllowList: [{ cidrBlock: "1.2.3.4/40", description: "" }] } }),
      ),
      "serviceDetails.ipAllowList[0].cidrBlock",
    );
    expect400Naming(
      await api("POST", "/services", body({ envVars: [{ key: "1BAD", value: "x" }] })),
      "envVars[0].key",
    );
    expect400Naming(await api("POST", "/services", body({ envVars: [{ key: "OK" }] })), "envVars[0].value");
    expect400Naming(
      await api(
        "POST",
        "/services",
        body({
          envVars: [
            { key: "A", value: "1" },
            { key: "A", value: "2" },
          ],
        }),
      ),
      "envVars[1].key",
    );
    expect400Naming(await api("POST", "/services", { ...body({}), repo: undefined }), "repo");
    expect400Naming(
      await api("POST", "/services", { ...body({}), type: "background_worker" }),
      "serviceDetails.healthCheckPath",
      "background_worker",
    );
    expect400Naming(
      await api("POST", "/services", { ...body({}), serviceDetails: undefined }),
      "serviceDetails",
    );
    const unknownOwner = await api("POST", "/services", webServiceBody("tea-aaaaaaaaaaaaaaaaaaaa", "x"));
    expectStatus(unknownOwner, 404);
    assert.deepEqual((await api("GET", "/services")).body, [], "nothing was created");
  });

  it("patches settings, refuses immutable fields, and a PATCH starts no deploy", async () => {
    const { service } = await create();
    const patched = await api("PATCH", `/services/${service.id}`, {
      autoDeploy: "yes",
      branch: "release",
      serviceDetails: {
        healthCheckPath: "/health",
        plan: "standard",
        envSpecificDetails: { startCommand: "node server.js" },
      },
    });
    expectStatus(patched, 200);
    const s = patched.body as Service;
    assert.equal(s.autoDeploy, "yes");
    assert.equal(s.branch, "release");
    assert.equal(s.serviceDetails.healthCheckPath, "/health");
    assert.equal(s.serviceDetails.plan, "standard");
    assert.deepEqual(s.serviceDetails.envSpecificDetails, {
      buildCommand: "npm ci",
      startCommand: "node server.js",
    });
    const path = `/services/${service.id}`;
    expect400Naming(await api("PATCH", path, { type: "private_service" }), "type");
    expect400Naming(await api("PATCH", path, { ownerId: "tea-aaaaaaaaaaaaaaaaaaaa" }), "ownerId");
    expect400Naming(await api("PATCH", path, { envVars: [] }), "env-vars");
    expect400Naming(
      await api("PATCH", path, { serviceDetails: { region: "ohio" } }),
      "serviceDetails.region",
    );
    expect400Naming(await api("PATCH", path, { serviceDetails: { numInstances: 3 } }), "scale");
    expect400Naming(
      await api("PATCH", path, { serviceDetails: { plan: "gigantic" } }),
      "serviceDetails.plan",
    );
    expectStatus(await api("PATCH", path, { serviceDetails: { region: "oregon" } }), 200);
    const deploys = (await api("GET", `/services/${service.id}/deploys`)).body as unknown[];
    assert.equal(deploys.length, 1, "only the first deploy");
  });

  it("scales (202), suspends and resumes (202, no body), deletes (204, then 404)", async () => {
    const { service } = await create();
    const path = `/services/${service.id}`;
    const scaled = await api("POST", `${path}/scale`, { numInstances: 3 });
    expectStatus(scaled, 202);
    assert.equal(scaled.text, "");
    assert.equal(((await api("GET", path)).body as Service).serviceDetails.numInstances, 3);
    expect400Naming(await api("POST", `${path}/scale`, { numInstances: 0 }), "numInstances");
    expect400Naming(await api("POST", `${path}/scale`, {}), "numInstances");
    const restarted = await api("POST", `${path}/restart`);
    expectStatus(restarted, 200);
    assert.equal(restarted.text, "");
    expectStatus(await api("POST", `${path}/suspend`), 202);
    const suspended = (await api("GET", path)).body as Service;
    assert.equal(suspended.suspended, "suspended");
    assert.deepEqual(suspended.suspenders, ["user"]);
    expectStatus(await api("POST", `${path}/resume`), 202);
    assert.equal(((await api("GET", path)).body as Service).suspended, "not_suspended");
    const deleted = await api("DELETE", path);
    expectStatus(deleted, 204);
    assert.equal(deleted.text, "");
    const gone = await api("GET", path);
    expectStatus(gone, 404);
    assert.deepEqual(gone.body, { message: `not found: ${service.id}` });
    expectStatus(await api("GET", `${path}/deploys`), 404);
  });

  it("filters lists by name, type, region, suspended and comma-separated ownerId", async () => {
    const a = (await create({}, "alpha")).service;
    const b = (await create({ serviceDetails: { region: "frankfurt" } }, "beta")).service;
    await api("POST", `/services/${b.id}/suspend`);
    const ids = async (query: string) =>
      ((await api("GET", `/services${query}`)).body as { service: Service }[]).map((item) => item.service.id);
    assert.deepEqual(await ids(""), [b.id, a.id]);
    assert.deepEqual(await ids("?name=alpha"), [a.id]);
    assert.deepEqual(await ids("?name=alpha,beta"), [b.id, a.id]);
    assert.deepEqual(await ids("?name=alpha&name=beta"), [b.id, a.id]);
    assert.deepEqual(await ids("?type=web_service"), [b.id, a.id]);
    assert.deepEqual(await ids("?type=private_service"), []);
    assert.deepEqual(await ids("?region=frankfurt"), [b.id]);
    assert.deepEqual(await ids("?suspended=not_suspended"), [a.id]);
    assert.deepEqual(await ids(`?ownerId=tea-aaaaaaaaaaaaaaaaaaaa,${emu.ownerId}`), [b.id, a.id]);
    assert.deepEqual(await ids("?ownerId=tea-aaaaaaaaaaaaaaaaaaaa"), []);
    expect400Naming(await api("GET", "/services?type=web"), "type", "web_service");
  });

  it("paginates: limit default 20, max 100, cursor of the last item gives the next page, no repeats", async () => {
    const created: string[] = [];
    for (let i = 0; i < 45; i++) created.push((await create({}, `page-${i}`)).service.id);
    const first = (await api("GET", "/services")).body as { service: Service; cursor: string }[];
    assert.equal(first.length, 20, "default limit");
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let pages = 0; pages < 10; pages++) {
      const page = (
        await api("GET", `/services?limit=10${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`)
      ).body as { service: Service; cursor: string }[];
      seen.push(...page.map((p) => p.service.id));
      if (page.length < 10) break;
      cursor = page[page.length - 1].cursor;
    }
    assert.equal(seen.length, 45);
    assert.deepEqual([...seen].sort(), [...created].sort());
    assert.deepEqual(seen, [...created].reverse(), "newest first");
    assert.equal(((await api("GET", "/services?limit=100")).body as unknown[]).length, 45);
    expect400Naming(await api("GET", "/services?limit=101"), "limit", "100");
    expect400Naming(await api("GET", "/services?limit=0"), "limit");
    expect400Naming(await api("GET", "/services?limit=ten"), "limit");
    expect400Naming(await api("GET", "/services?cursor=not-a-cursor"), "cursor");
  });

  describe("env vars", () => {
    it("creates with the service, lists newest first, generateValue is 44-character base64", async () => {
      const { service } = await create({
        envVars: [
          { key: "PLAIN", value: "1" },
          { key: "SECRET", generateValue: true },
        ],
      });
      const list = (await api("GET", `/services/${service.id}/env-vars`)).body as {
        envVar: { key: string; value: string };
        cursor: string;
      }[];
      assert.deepEqual(
        list.map((item) => item.envVar.key),
        ["SECRET", "PLAIN"],
      );
      assert.equal(list[1].envVar.value, "1");
      assert.match(list[0].envVar.value, /^[A-Za-z0-9+/]{43}=$/);
      assert.equal(Buffer.from(list[0].envVar.value, "base64").length, 32);
    });

    it("PUT on the collection replaces the whole set and returns it with generated values", async () => {
      const { service } = await create({ envVars: [{ key: "OLD", value: "x" }] });
      const path = `/services/${service.id}/env-vars`;
      const put = await api("PUT", path, [
        { key: "A", value: "1" },
        { key: "B", generateValue: true },
      ]);
      expectStatus(put, 200);
      const items = put.body as { envVar: { key: string; value: string }; cursor: string }[];
      assert.deepEqual(
        items.map((i) => i.envVar.key),
        ["B", "A"],
      );
      assert.equal(items[0].envVar.value.length, 44);
      const after = (await api("GET", path)).body as { envVar: { key: string } }[];
      assert.deepEqual(
        after.map((i) => i.envVar.key),
        ["B", "A"],
        "OLD is gone",
      );
      expect400Naming(await api("PUT", path, { key: "NOT_AN_ARRAY", value: "x" }), "array");
      expect400Naming(await api("PUT", path, [{ key: "bad-key", value: "x" }]), "[0].key");
      const page = (await api("GET", `${path}?limit=1`)).body as {
        envVar: { key: string };
        cursor: string;
      }[];
      assert.equal(page.length, 1);
      const next = (await api("GET", `${path}?limit=1&cursor=${page[0].cursor}`)).body as {
        envVar: { key: string };
      }[];
      assert.deepEqual(
        next.map((i) => i.envVar.key),
        ["A"],
      );
    });

    it("per key: GET, PUT {value} / {generateValue} adds or updates, DELETE 204; unknown key 404", async () => {
      const { service } = await create({ envVars: [{ key: "KEEP", value: "k" }] });
      const path = `/services/${service.id}/env-vars`;
      const added = await api("PUT", `${path}/ADDED`, { value: "v1" });
      expectStatus(added, 200);
      assert.deepEqual(added.body, { key: "ADDED", value: "v1" });
      assert.deepEqual((await api("PUT", `${path}/ADDED`, { value: "v2" })).body, {
        key: "ADDED",
        value: "v2",
      });
      assert.deepEqual((await api("GET", `${path}/ADDED`)).body, { key: "ADDED", value: "v2" });
      const generated = (await api("PUT", `${path}/GEN`, { generateValue: true })).body as {
        key: string;
        value: string;
      };
      assert.equal(generated.value.length, 44);
      expect400Naming(await api("PUT", `${path}/OK_KEY`, {}), "value");
      expect400Naming(await api("PUT", `${path}/1BAD-KEY`, { value: "x" }), "envVarKey");
      expect400Naming(await api("PUT", `${path}/OK_KEY`, { value: 5 }), "value");
      const missing = await api("GET", `${path}/NO_SUCH_KEY`);
      expectStatus(missing, 404);
      assert.deepEqual(missing.body, { message: "not found: NO_SUCH_KEY" });
      expectStatus(await api("DELETE", `${path}/NO_SUCH_KEY`), 404);
      const deleted = await api("DELETE", `${path}/ADDED`);
      expectStatus(deleted, 204);
      const keys = ((await api("GET", path)).body as { envVar: { key: string } }[]).map((i) => i.envVar.key);
      assert.deepEqual(keys, ["GEN", "KEEP"]);
      expectStatus(await api("GET", "/services/srv-aaaaaaaaaaaaaaaaaaaa/env-vars"), 404);
    });

    it("never echoes an env var value in an error", async () => {
      const { service } = await create();
      const secret = "s3cr3t-value-that-must-not-leak";
      const response = await api("PUT", `/services/${service.id}/env-vars`, [{ key: "9BAD", value: secret }]);
      expectStatus(response, 400);
      assert.ok(!response.text.includes(secret));
    });
  });
});
