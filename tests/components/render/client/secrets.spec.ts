import assert from "node:assert/strict";
import { inspect } from "node:util";
import { startEmulator } from "../../../../emulator";
import { RenderClient } from "../../../../components/render/client";
import { isRenderApiError } from "../../../../components/render/errors";
import { addFault, control, type Emulator } from "./harness";

// Known secrets: the API key, env var values, a connection string, a password, a Datadog key.
const apiKey = "rnd_SECRETapiKEY0123456789abcdef";
const wrongKey = "rnd_SECRETwrongKEY0123456789ab";
const envValue = "env-SECRET-value-5f1c2e";
const connectionString =
  "postgresql://app_user:pw-SECRET-9d8c7b6a@dpg-x-a.oregon-postgres.render.com:5432/app";
const password = "pw-SECRET-9d8c7b6a";
const datadogKey = "dd-SECRET-00aa11bb22cc";
const fileContent = "file-SECRET-content-abcdef";
const secrets = [apiKey, wrongKey, envValue, connectionString, password, datadogKey, fileContent];

describe("render client against the emulator: secret scan of every error path", function () {
  let emu: Emulator;
  let client: RenderClient;
  let serviceId: string;
  const errors: unknown[] = [];

  const make = (extra: Partial<ConstructorParameters<typeof RenderClient>[0]> = {}) =>
    new RenderClient({
      apiKey,
      baseUrl: emu.url,
      budget: false,
      retry: { maxAttempts: 2 },
      sleep: async () => undefined,
      ...extra,
    });

  /** Run a call that must fail and keep its error. */
  async function failing(p: Promise<unknown>): Promise<void> {
    try {
      await p;
    } catch (err) {
      errors.push(err);
      return;
    }
    assert.fail("expected the call to fail");
  }

  const secretBody = (name: string) => ({
    type: "web_service" as const,
    name,
    ownerId: emu.ownerId,
    repo: "https://github.com/example/arrakis",
    autoDeploy: "no" as const,
    envVars: [
      { key: "DATABASE_URL", value: connectionString },
      { key: "TOKEN", value: envValue },
    ],
    serviceDetails: {
      runtime: "node",
      envSpecificDetails: { buildCommand: "npm ci", startCommand: `DB_PASSWORD=${password} node .` },
    },
  });

  before(async () => {
    emu = await startEmulator({
      port: 0,
      timings: "fast",
      apiKey,
      rateLimits: { enabled: false, timeScale: 1 },
    });
    client = make();
    serviceId = (await client.createService(secretBody("secret-web"))).service.id;
  });
  after(async () => {
    await client.close();
    await emu.close();
  });

  it("triggers every error path", async () => {
    // 401 (the rejected key is a secret too)
    await failing(make({ apiKey: wrongKey }).getService(serviceId));
    await failing(make({ apiKey: wrongKey }).putEnvVar(serviceId, "TOKEN", { value: envValue }));
    // 404 with a secret in the body
    await failing(client.putEnvVar("srv-missing00000000000", "TOKEN", { value: envValue }));
    await failing(
      client.replaceEnvVars("srv-missing00000000000", [{ key: "DATABASE_URL", value: connectionString }]),
    );
    // 400/409 from Render on bodies full of secrets
    await failing(client.createService(secretBody("secret-web")));
    await failing(
      client.createPostgres({
        name: "bad",
        ownerId: emu.ownerId,
        plan: "no_such_plan",
        version: "16",
        datadogAPIKey: datadogKey,
      } as never),
    );
    // Render echoing the secret in its message
    await addFault(emu, {
      method: "PUT",
      path: `/v1/services/${serviceId}/env-vars/TOKEN`,
      fault: {
        kind: "status",
        status: 400,
        body: { message: `invalid value ${envValue} (${connectionString}) for key ${apiKey}` },
      },
    });
    await failing(client.putEnvVar(serviceId, "TOKEN", { value: envValue }));
    // 429 and 503 until attempts run out
    await addFault(emu, {
      method: "PUT",
      path: `/v1/services/${serviceId}/env-vars`,
      count: 2,
      fault: { kind: "status", status: 429 },
    });
    await failing(client.replaceEnvVars(serviceId, [{ key: "TOKEN", value: envValue }]));
    await addFault(emu, {
      method: "PUT",
      path: `/v1/services/${serviceId}/env-vars`,
      count: 2,
      fault: { kind: "status", status: 503, body: { message: `down ${envValue}` } },
    });
    await failing(client.replaceEnvVars(serviceId, [{ key: "TOKEN", value: envValue }]));
    // 5xx and lost responses on writes: unknown outcome
    await addFault(emu, { method: "POST", path: "/v1/services", fault: { kind: "status", status: 500 } });
    await failing(client.createService(secretBody("secret-web-500")));
    await addFault(emu, { method: "POST", path: "/v1/services", fault: { kind: "lose-response" } });
    await failing(client.createService(secretBody("secret-web-lost")));
    await addFault(emu, {
      method: "PUT",
      path: `/v1/services/${serviceId}/env-vars/TOKEN`,
      count: 2,
      fault: { kind: "reset" },
    });
    await failing(client.putEnvVar(serviceId, "TOKEN", { value: envValue }));
    // Responses that do not parse, carrying secrets in the wrong shape
    await addFault(emu, {
      method: "GET",
      path: "/v1/postgres/*/connection-info",
      fault: {
        kind: "status",
        status: 200,
        body: {
          password: 42,
          internalConnectionString: connectionString,
          externalConnectionString: connectionString,
        },
      },
    });
    await failing(client.getPostgresConnectionInfo("dpg-any0000000000000000-a"));
    await addFault(emu, {
      method: "GET",
      path: `/v1/services/${serviceId}/env-vars/TOKEN`,
      fault: { kind: "status", status: 200, body: { key: { nested: envValue }, value: envValue } },
    });
    await failing(client.getEnvVar(serviceId, "TOKEN"));
    // Connection refused (nothing listening)
    const closed = make({ baseUrl: "http://127.0.0.1:9/v1" });
    await failing(closed.putEnvVar(serviceId, "TOKEN", { value: envValue }));
    await control(emu, "DELETE", "/faults");
    assert.ok(errors.length >= 14);
  });

  it("no error message, property or inspection shows a secret", () => {
    assert.ok(errors.length > 0, "the error paths ran");
    for (const err of errors) {
      assert.ok(isRenderApiError(err), `not a RenderApiError: ${String(err)}`);
      const views = [
        err.message,
        String(err.renderMessage ?? ""),
        inspect(err, { depth: 6 }),
        JSON.stringify(err),
      ];
      for (const view of views) {
        for (const secret of secrets) {
          assert.ok(!view.includes(secret), `secret leaked in: ${err.message}`);
        }
        // No password of any URL either.
        assert.ok(!/:\/\/[^\s/@]+:[^\s/@]+@/.test(view), `credentials in: ${err.message}`);
      }
    }
  });
});
