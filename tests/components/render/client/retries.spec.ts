import assert from "node:assert/strict";
import { collect } from "../../../../components/render/pagination";
import { isRenderApiError, type RenderApiError } from "../../../../components/render/errors";
import type { RenderClient } from "../../../../components/render/client";
import { addFault, clientOf, control, emulator, requestLog, type Emulator } from "./harness";

async function rejection(p: Promise<unknown>): Promise<RenderApiError> {
  try {
    await p;
  } catch (err) {
    assert.ok(isRenderApiError(err), `expected a RenderApiError, got ${String(err)}`);
    return err;
  }
  assert.fail("expected a rejection");
}

describe("render client against the emulator: retries and unknown outcomes", function () {
  let emu: Emulator;
  let client: RenderClient;
  let sleeps: number[];
  let serviceId: string;

  before(async () => {
    emu = await emulator();
  });
  after(async () => {
    await client?.close();
    await emu.close();
  });
  beforeEach(async () => {
    await control(emu, "POST", "/reset");
    ({ client, sleeps } = clientOf(emu, { retry: { maxAttempts: 4 } }));
    const { service } = await client.createService({
      type: "web_service",
      name: "retry-web",
      ownerId: emu.ownerId,
      repo: "https://github.com/example/arrakis",
      autoDeploy: "no",
      serviceDetails: {
        runtime: "node",
        envSpecificDetails: { buildCommand: "npm ci", startCommand: "node ." },
      },
    });
    serviceId = service.id;
    await client.replaceEnvVars(serviceId, [{ key: "A", value: "1" }]);
    await control(emu, "DELETE", "/requests");
  });

  it("GET: two 429s with Retry-After, then success; waits what the server said", async () => {
    const path = `/v1/owners/${emu.ownerId}`;
    await addFault(emu, {
      method: "GET",
      path,
      count: 2,
      fault: { kind: "status", status: 429, retryAfter: 3 },
    });
    assert.equal((await client.getOwner(emu.ownerId)).id, emu.ownerId);
    const log = await requestLog(emu, "GET", path);
    assert.deepEqual(
      log.map((r) => r.status),
      [429, 429, 200],
    );
    assert.deepEqual(sleeps, [3000, 3000]);
  });

  it("GET: a 429 without Retry-After backs off, then succeeds", async () => {
    const path = `/v1/services/${serviceId}`;
    await addFault(emu, { method: "GET", path, count: 1, fault: { kind: "status", status: 429 } });
    await client.getService(serviceId);
    assert.deepEqual(
      (await requestLog(emu, "GET", path)).map((r) => r.status),
      [429, 200],
    );
    assert.equal(sleeps.length, 1);
    assert.ok(sleeps[0] > 0 && sleeps[0] <= 61_000, `slept ${sleeps[0]} ms`);
  });

  it("PUT: two 503s, then success", async () => {
    const path = `/v1/services/${serviceId}/env-vars/B`;
    await addFault(emu, { method: "PUT", path, count: 2, fault: { kind: "status", status: 503 } });
    assert.equal((await client.putEnvVar(serviceId, "B", { value: "2" })).value, "2");
    assert.equal((await requestLog(emu, "PUT", path)).length, 3);
    assert.deepEqual(sleeps, [250, 500]);
  });

  it("PUT: a connection reset, then success", async () => {
    const path = `/v1/services/${serviceId}/env-vars`;
    await addFault(emu, { method: "PUT", path, count: 1, fault: { kind: "reset" } });
    await client.replaceEnvVars(serviceId, [{ key: "A", value: "2" }]);
    assert.equal((await requestLog(emu, "PUT", path)).length, 2);
  });

  it("DELETE: two connection resets, then success", async () => {
    const path = `/v1/services/${serviceId}/env-vars/A`;
    await addFault(emu, { method: "DELETE", path, count: 2, fault: { kind: "reset" } });
    await client.deleteEnvVar(serviceId, "A");
    assert.equal((await requestLog(emu, "DELETE", path)).length, 3);
    assert.equal((await collect(client.listEnvVars(serviceId))).length, 0);
  });

  it("DELETE: 503 then 429, then success", async () => {
    const path = `/v1/services/${serviceId}`;
    await addFault(emu, { method: "DELETE", path, count: 1, fault: { kind: "status", status: 503 } });
    await addFault(emu, {
      method: "DELETE",
      path,
      count: 1,
      fault: { kind: "status", status: 429, retryAfter: 1 },
    });
    await client.deleteService(serviceId);
    assert.equal((await requestLog(emu, "DELETE", path)).length, 3);
  });

  it("stops after maxAttempts and says so", async () => {
    const path = `/v1/services/${serviceId}`;
    await addFault(emu, { method: "GET", path, count: 10, fault: { kind: "status", status: 503 } });
    const err = await rejection(client.getService(serviceId));
    assert.equal(err.status, 503);
    assert.equal(err.attempts, 4);
    assert.match(err.message, /gave up after 4 attempts/);
    assert.equal((await requestLog(emu, "GET", path)).length, 4);
  });

  it("POST /postgres with a lost response: not retried, outcome unknown, exactly one database, found by name", async () => {
    await addFault(emu, { method: "POST", path: "/v1/postgres", count: 1, fault: { kind: "lose-response" } });
    const body = { name: "lost-db", ownerId: emu.ownerId, plan: "basic_256mb", version: "16" };
    const err = await rejection(client.createPostgres(body));
    assert.equal(err.outcomeUnknown, true);
    assert.match(err.message, /outcome of POST \/postgres is unknown/);
    assert.equal((await requestLog(emu, "POST", "/v1/postgres")).length, 1);

    // What a provider does next: look the database up by name instead of creating it again.
    const found = (await collect(client.listPostgres({ name: [body.name], ownerId: [emu.ownerId] }))).filter(
      (d) => d.name === body.name,
    );
    assert.equal(found.length, 1);
    const all = await collect(client.listPostgres());
    assert.equal(all.length, 1);
  });

  it("POST /postgres: a 429 is retried (it was refused), one database results", async () => {
    await addFault(emu, {
      method: "POST",
      path: "/v1/postgres",
      count: 1,
      fault: { kind: "status", status: 429 },
    });
    await client.createPostgres({ name: "db-429", ownerId: emu.ownerId, plan: "basic_256mb", version: "16" });
    assert.deepEqual(
      (await requestLog(emu, "POST", "/v1/postgres")).map((r) => r.status),
      [429, 201],
    );
    assert.equal((await collect(client.listPostgres())).length, 1);
  });

  it("POST /postgres: a 503 is not retried and reported as an unknown outcome", async () => {
    await addFault(emu, {
      method: "POST",
      path: "/v1/postgres",
      count: 1,
      fault: { kind: "status", status: 503 },
    });
    const err = await rejection(
      client.createPostgres({ name: "db-503", ownerId: emu.ownerId, plan: "basic_256mb", version: "16" }),
    );
    assert.equal(err.outcomeUnknown, true);
    assert.equal((await requestLog(emu, "POST", "/v1/postgres")).length, 1);
  });

  // Regression (issue 9, fault matrix): a 5xx, reset or lost answer on the PATCH of an update failed
  // `pulumi up` with "outcome unknown: look the resource up", though our PATCH bodies are absolute
  // values that are safe to send again.
  it("PATCH of a service: a reset, a lost answer and a 502 are retried; the change is applied once", async () => {
    const path = `/v1/services/${serviceId}`;
    for (const fault of [
      { kind: "reset" },
      { kind: "lose-response" },
      { kind: "status", status: 502 },
    ] as const)
      await addFault(emu, { method: "PATCH", path, count: 1, fault });
    const updated = await client.updateService(serviceId, { name: "renamed" });
    assert.equal(updated.name, "renamed");
    assert.deepEqual(
      (await requestLog(emu, "PATCH", path)).map((r) => r.status),
      [0, 200, 502, 200],
    );
  });

  it("PATCH of a database: a 503 and a lost answer are retried", async () => {
    const db = await client.createPostgres({
      name: "retry-db",
      ownerId: emu.ownerId,
      plan: "basic_256mb",
      version: "17",
    });
    await control(emu, "DELETE", "/requests");
    const path = `/v1/postgres/${db.id}`;
    for (const fault of [{ kind: "status", status: 503 }, { kind: "lose-response" }] as const)
      await addFault(emu, { method: "PATCH", path, count: 1, fault });
    const updated = await client.updatePostgres(db.id, { plan: "basic_1gb" });
    assert.equal(updated.plan, "basic_1gb");
    assert.deepEqual(
      (await requestLog(emu, "PATCH", path)).map((r) => r.status),
      [503, 200, 200],
    );
  });

  it("401: says the key was rejected and how to set it, without retrying", async () => {
    const { client: bad } = clientOf(emu, { apiKey: "rnd_wrongKeyWrongKey123" });
    const err = await rejection(bad.getOwner(emu.ownerId));
    assert.equal(err.status, 401);
    assert.match(err.message, /Render rejected the API key/);
    assert.ok(err.message.includes("pulumi config set --secret render:apiKey <key>"));
    assert.ok(!err.message.includes("rnd_wrongKeyWrongKey123"));
    assert.equal((await requestLog(emu, "GET", `/v1/owners/${emu.ownerId}`)).length, 1);
  });
});
