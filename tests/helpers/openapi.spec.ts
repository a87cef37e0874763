import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import {
  ContractViolation,
  OpenApiValidator,
  SPEC_OVERRIDES,
  loadRenderSpec,
  renderSpecValidator,
  validateResponse,
} from "./openapi";

/** A Postgres detail as Render returns it (shape from recorded traffic, REFERENCE.md §3). */
function postgresDetail(): Record<string, unknown> {
  return {
    id: "dpg-d7sg9ln7f7vs73d9bg5g-a",
    name: "arrakis-db",
    owner: { id: "tea-cjnxpkdhshc73d12t9i0", name: "arrakis", email: "owner@example.com", type: "team" },
    createdAt: "2026-01-06T10:00:00Z",
    updatedAt: "2026-01-06T10:00:00.123Z",
    databaseName: "arrakis_ehyv",
    databaseUser: "arrakis",
    plan: "basic_256mb",
    region: "oregon",
    version: "16",
    diskSizeGB: 15,
    ipAllowList: [{ cidrBlock: "0.0.0.0/0", description: "everywhere" }],
    highAvailabilityEnabled: false,
    diskAutoscalingEnabled: false,
    readReplicas: [],
    role: "primary",
    status: "available",
    suspended: "not_suspended",
    suspenders: [],
    dashboardUrl: "https://dashboard.render.com/d/dpg-d7sg9ln7f7vs73d9bg5g-a",
  };
}

/** A web service as Render returns it (REFERENCE.md §4). */
function webService(): Record<string, unknown> {
  return {
    id: "srv-d7sg9ln7f7vs73d9bg5g",
    name: "arrakis-web",
    ownerId: "tea-cjnxpkdhshc73d12t9i0",
    type: "web_service",
    createdAt: "2026-01-06T10:00:00Z",
    updatedAt: "2026-01-06T10:00:00Z",
    dashboardUrl: "https://dashboard.render.com/web/srv-d7sg9ln7f7vs73d9bg5g",
    suspended: "not_suspended",
    suspenders: [],
    autoDeploy: "yes",
    notifyOnFail: "default",
    slug: "arrakis-web",
    rootDir: "",
    repo: "https://github.com/example/arrakis",
    branch: "main",
    serviceDetails: {
      env: "node",
      runtime: "node",
      envSpecificDetails: {
        buildCommand: "npm ci",
        startCommand: "npm start",
        preDeployCommand: "npm run migrate",
      },
      plan: "starter",
      region: "oregon",
      numInstances: 1,
      buildPlan: "starter",
      healthCheckPath: "/healthz",
      openPorts: [{ port: 10000, protocol: "TCP" }],
      url: "https://arrakis-web.onrender.com",
      previews: { generation: "off" },
    },
  };
}

/** Runs `fn`, expects a ContractViolation, and returns it. */
function violation(fn: () => void): ContractViolation {
  try {
    fn();
  } catch (error) {
    if (error instanceof ContractViolation) return error;
    throw error;
  }
  assert.fail("expected a ContractViolation, but the body was accepted");
}

describe("OpenAPI response validation harness", () => {
  it("loads Render's spec copy, identical to ../shared/render-api/openapi.json where that folder exists", function () {
    // The copy in emulator/spec is what the contract tests use; the shared folder sits next to the
    // developers' checkout but not next to every clone (CI clones the repository alone).
    const shared =
      process.env.RENDER_OPENAPI_SPEC ??
      path.resolve(__dirname, "..", "..", "..", "shared", "render-api", "openapi.json");
    const spec = loadRenderSpec() as { openapi?: unknown };
    assert.equal(typeof spec.openapi, "string");
    if (!fs.existsSync(shared)) {
      console.log(`      (no shared spec at ${shared}: the copy is not compared)`);
      this.skip();
    }
    assert.deepEqual(spec, JSON.parse(fs.readFileSync(shared, "utf8")));
  });

  it("throws a clear error when the spec file is absent", () => {
    assert.throws(
      () => loadRenderSpec("/nonexistent/openapi.json"),
      /Render OpenAPI spec not found at \/nonexistent/,
    );
  });

  it("matches concrete paths (with /v1 and a query) to the most specific template", () => {
    const v = renderSpecValidator();
    assert.deepEqual(v.findOperation("post", "/v1/services/srv-1/deploys/dep-2/cancel"), {
      method: "POST",
      template: "/services/{serviceId}/deploys/{deployId}/cancel",
      params: { serviceId: "srv-1", deployId: "dep-2" },
    });
    assert.equal(v.findOperation("GET", "/v1/postgres?name=a,b&limit=5")?.template, "/postgres");
    assert.deepEqual(v.findOperation("PUT", "/v1/services/srv-1/env-vars/MY%20KEY")?.params, {
      serviceId: "srv-1",
      envVarKey: "MY KEY",
    });
    assert.equal(v.findOperation("DELETE", "/v1/owners"), undefined, "owners has no DELETE");
    assert.equal(v.findOperation("GET", "/v1/nothing/here"), undefined);
  });

  it("accepts valid bodies: Postgres detail (no `project`), list, service, error, connection info", () => {
    validateResponse("GET", "/v1/postgres/dpg-x-a", 200, postgresDetail());
    validateResponse("POST", "/v1/postgres", 201, { ...postgresDetail(), status: "unknown" });
    validateResponse("GET", "/v1/postgres", 200, [{ postgres: postgresDetail(), cursor: "abc" }]);
    validateResponse("GET", "/v1/services/srv-x", 200, webService());
    validateResponse("POST", "/v1/services", 201, { service: webService(), deployId: "dep-x" });
    validateResponse("GET", "/v1/services/srv-x", 404, { message: "not found: srv-x" });
    validateResponse("GET", "/v1/postgres/dpg-x-a/connection-info", 200, {
      password: "p",
      internalConnectionString: "postgresql://u:p@dpg-x-a/db",
      externalConnectionString: "postgresql://u:p@dpg-x-a.oregon-postgres.render.com:5432/db",
      psqlCommand: "PGPASSWORD=p psql -h h -p 5432 -U u db",
    });
  });

  it("accepts the observed nulls the overrides allow (ipAllowList, deploy finishedAt/commit)", () => {
    validateResponse("GET", "/v1/postgres/dpg-x-a", 200, { ...postgresDetail(), ipAllowList: null });
    validateResponse("GET", "/v1/services/srv-x/deploys/dep-x", 200, {
      id: "dep-x",
      status: "build_in_progress",
      finishedAt: null,
      commit: null,
    });
  });

  it("rejects a wrong enum and names the field and the allowed values", () => {
    const error = violation(() =>
      validateResponse("GET", "/v1/postgres/dpg-x-a", 200, { ...postgresDetail(), status: "ready" }),
    );
    assert.equal(error.route, "GET /postgres/{postgresId}");
    assert.deepEqual(
      error.failures.map((f) => f.field),
      ["/status"],
    );
    assert.match(
      error.message,
      /^GET \/postgres\/\{postgresId\} 200: .*\/status must be equal to one of the allowed values: .*"available"/,
    );
  });

  it("rejects a missing required field inside a list item and names its path", () => {
    const item = postgresDetail();
    delete item.databaseName;
    const error = violation(() =>
      validateResponse("GET", "/v1/postgres", 200, [{ postgres: item, cursor: "c" }]),
    );
    assert.deepEqual(error.failures, [
      { field: "/0/postgres/databaseName", message: "is required but missing" },
    ]);
    assert.match(error.message, /GET \/postgres 200: .*\/0\/postgres\/databaseName is required/);
  });

  it("checks serviceDetails against the schema of the service's type", () => {
    const service = webService();
    const details = service.serviceDetails as Record<string, unknown>;
    delete details.healthCheckPath; // required by webServiceDetails, not by privateServiceDetails
    details.plan = "huge";
    const error = violation(() => validateResponse("GET", "/v1/services/srv-x", 200, service));
    const fields = error.failures.map((f) => f.field);
    assert.ok(fields.includes("/serviceDetails/healthCheckPath"), fields.join(", "));
    assert.ok(fields.includes("/serviceDetails/plan"), fields.join(", "));
    assert.ok(
      !error.failures.some((f) => /exactly one/.test(f.message)),
      "the overlapping oneOf must not be what fails",
    );
  });

  it("rejects a wrong type on a nested field (suspended as boolean)", () => {
    const error = violation(() =>
      validateResponse("POST", "/v1/services", 201, {
        service: { ...webService(), suspended: false },
        deployId: "dep-x",
      }),
    );
    assert.deepEqual(
      error.failures.map((f) => f.field),
      ["/service/suspended", "/service/suspended"],
    );
  });

  it("requires no body where the spec declares none (204, 202) and a body where it declares one", () => {
    validateResponse("DELETE", "/v1/postgres/dpg-x-a", 204, undefined);
    validateResponse("POST", "/v1/services/srv-x/suspend", 202, undefined);
    validateResponse("POST", "/v1/services/srv-x/deploys", 202, undefined);
    assert.match(
      violation(() => validateResponse("DELETE", "/v1/services/srv-x", 204, {})).message,
      /DELETE \/services\/\{serviceId\} 204: .*must be empty/,
    );
    assert.match(
      violation(() => validateResponse("GET", "/v1/owners/tea-x", 200, undefined)).message,
      /GET \/owners\/\{ownerId\} 200: .*is missing/,
    );
  });

  it("rejects undocumented statuses and unknown routes", () => {
    assert.match(
      violation(() => validateResponse("GET", "/v1/owners", 201, [])).message,
      /GET \/owners 201: .*status 201 is not a documented response/,
    );
    assert.match(
      violation(() => validateResponse("GET", "/v1/nothing", 200, {})).message,
      /GET \/nothing 200: .*no operation/,
    );
  });

  it("validates Render's error shape for 4xx and by name", () => {
    const v = renderSpecValidator();
    v.validateSchema("error", { message: "not found: x" });
    const error = violation(() => validateResponse("PATCH", "/v1/postgres/dpg-x-a", 400, { message: 400 }));
    assert.deepEqual(
      error.failures.map((f) => f.field),
      ["/message"],
    );
  });

  it("applies every override to a real spot and refuses a spec where one no longer applies", () => {
    assert.ok(SPEC_OVERRIDES.length >= 1);
    for (const override of SPEC_OVERRIDES) assert.ok(override.reason.length > 20, override.pointer);
    const spec = loadRenderSpec() as { components: { schemas: { postgresDetail: { required: string[] } } } };
    spec.components.schemas.postgresDetail.required = spec.components.schemas.postgresDetail.required.filter(
      (r) => r !== "project",
    );
    assert.throws(() => new OpenApiValidator(spec), /no longer lists project/);
  });
});
