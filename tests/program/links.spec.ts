/**
 * render.yaml's `fromService` of a Key Value (`property: connectionString`, host, port, hostport) as the program builds it: the
 * web service's env var names the instance by id (`linked`), and the provider reads the URL from Render
 * when it writes it, so the URL is never an input, an output or in state (against the in-process emulator).
 */
import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { startEmulator } from "../../emulator";
import { WebServiceProvider, type WebServiceOutputs } from "../../components/webService/provider";
import type { ServiceInputs } from "../../components/webService/mapping";
import { toEnvVarInputs } from "../../components/webService/resource";
import type { RenderKeyValue } from "../../components/keyValue/resource";
import { call, checked, configured } from "../helpers/providers";

describe("links of the program: a Key Value's connection string (emulator)", function () {
  this.timeout(60_000);
  let emu: Awaited<ReturnType<typeof startEmulator>>;
  const api = (method: string, path: string, body?: unknown) =>
    call(emu.url, method, path, { apiKey: emu.apiKey, body });
  before(async () => {
    emu = await startEmulator({ port: 0, timings: "fast", rateLimits: { enabled: false } });
  });
  after(async () => {
    await emu?.close();
  });

  it("is written to Render, kept out of state, and compared with what is live", async () => {
    const kv = await api("POST", "/key-value", {
      name: "links-cache",
      ownerId: emu.ownerId,
      plan: "starter",
      region: "oregon",
    });
    assert.equal(kv.status, 201, JSON.stringify(kv.body));
    const kvId = (kv.body as { id: string }).id;
    const info = (await api("GET", `/key-value/${kvId}/connection-info`)).body as {
      internalConnectionString: string;
    };
    assert.match(info.internalConnectionString, /^rediss?:\/\//);

    // The program's source -> the provider's input: the instance's id, no value.
    const envVars = toEnvVarInputs({
      REDIS_URL: {
        fromKeyValue: {
          keyValue: { id: pulumi.output(kvId) } as unknown as RenderKeyValue,
          property: "connectionString",
        },
      },
    });
    const link = await new Promise((resolve) => pulumi.output(envVars.REDIS_URL).apply(resolve));
    assert.deepEqual(link, { kind: "linked", database: kvId, property: "connectionString" });

    const provider = await configured(new WebServiceProvider(), emu);
    const inputs = await checked<ServiceInputs>(provider, {
      name: "links-web",
      ownerId: emu.ownerId,
      repo: "https://github.com/acme/shop",
      buildCommand: "npm ci",
      startCommand: "npm start",
      envVars: { REDIS_URL: link },
    });
    const { id, outs } = await provider.create!(inputs);
    const live = (await api("GET", `/services/${id}/env-vars?limit=100`)).body as {
      envVar: { key: string; value: string };
    }[];
    assert.deepEqual(
      live.map((e) => [e.envVar.key, e.envVar.value]),
      [["REDIS_URL", info.internalConnectionString]],
    );
    // Neither the inputs nor the outputs (what state holds) carry the URL.
    assert.ok(!JSON.stringify({ inputs, outs }).includes(info.internalConnectionString));
    assert.equal((await provider.diff!(id, outs as WebServiceOutputs, inputs)).changes, false);
    // Changed on Render by hand: a change, and `up` puts the instance's URL back.
    await api("PUT", `/services/${id}/env-vars/REDIS_URL`, { value: "redis://elsewhere:6379" });
    assert.equal((await provider.diff!(id, outs as WebServiceOutputs, inputs)).changes, true);
    await provider.update!(id, outs as WebServiceOutputs, inputs);
    const after = (await api("GET", `/services/${id}/env-vars/REDIS_URL`)).body as { value: string };
    assert.equal(after.value, info.internalConnectionString);
  });

  it("links host, port and hostport from the internal URL, never in state", async () => {
    const kv = await api("POST", "/key-value", {
      name: "links-hostport",
      ownerId: emu.ownerId,
      plan: "starter",
      region: "oregon",
    });
    assert.equal(kv.status, 201, JSON.stringify(kv.body));
    const kvId = (kv.body as { id: string }).id;
    const url = new URL(
      ((await api("GET", `/key-value/${kvId}/connection-info`)).body as { internalConnectionString: string })
        .internalConnectionString,
    );
    const keyValue = { id: pulumi.output(kvId) } as unknown as RenderKeyValue;
    const sources = toEnvVarInputs({
      REDIS_HOST: { fromKeyValue: { keyValue, property: "host" } },
      REDIS_PORT: { fromKeyValue: { keyValue, property: "port" } },
      REDIS_HOSTPORT: { fromKeyValue: { keyValue, property: "hostport" } },
    });
    const envVars: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(sources))
      envVars[key] = await new Promise((resolve) => pulumi.output(v).apply(resolve));
    assert.deepEqual(envVars.REDIS_HOSTPORT, { kind: "linked", database: kvId, property: "hostport" });

    const provider = await configured(new WebServiceProvider(), emu);
    const inputs = await checked<ServiceInputs>(provider, {
      name: "links-web-hostport",
      ownerId: emu.ownerId,
      repo: "https://github.com/acme/shop",
      buildCommand: "npm ci",
      startCommand: "npm start",
      envVars,
    });
    const { id, outs } = await provider.create!(inputs);
    const live = (await api("GET", `/services/${id}/env-vars?limit=100`)).body as {
      envVar: { key: string; value: string };
    }[];
    const port = url.port || "6379";
    assert.deepEqual(Object.fromEntries(live.map((e) => [e.envVar.key, e.envVar.value])), {
      REDIS_HOST: kvId,
      REDIS_PORT: port,
      REDIS_HOSTPORT: `${kvId}:${port}`,
    });
    assert.ok(!JSON.stringify({ inputs, outs }).includes(`${kvId}:${port}`));
    assert.equal((await provider.diff!(id, outs as WebServiceOutputs, inputs)).changes, false);
    await api("PUT", `/services/${id}/env-vars/REDIS_HOSTPORT`, { value: "elsewhere:6379" });
    assert.equal((await provider.diff!(id, outs as WebServiceOutputs, inputs)).changes, true);
    await provider.update!(id, outs as WebServiceOutputs, inputs);
    const after = (await api("GET", `/services/${id}/env-vars/REDIS_HOSTPORT`)).body as { value: string };
    assert.equal(after.value, `${kvId}:${port}`);
  });
});
