/**
 * Env group routes against Render's contract: every answer validated against openapi.json
 * (tests/helpers/openapi.ts); `evg-` ids, the bare-array list without values, the whole group answered
 * by each PUT and the link, generated values, per-key writes, links of one service at a time (gone with
 * the service), validation 400s naming the field, and 401/404 on the item routes.
 */
import { strict as assert } from "node:assert";
import type { RunningEmulator } from "../../emulator";
import { renderSpecValidator } from "../helpers/openapi";
import { apiOf, control, expect400Naming, expectStatus, start, webServiceBody, type Api } from "./harness";

type Group = {
  id: string;
  name: string;
  ownerId: string;
  serviceLinks: { id: string; name: string; type: string }[];
  envVars: { key: string; value: string }[];
  secretFiles: { name: string; content: string }[];
};

const validator = renderSpecValidator();

describe("emulator env groups (contract, links, validation)", function () {
  let emu: RunningEmulator;
  let raw: Api;
  const api: Api = async (method, path, body, apiKey) => {
    const response = await raw(method, path, body, apiKey);
    validator.validateResponse(method, path, response.status, response.body);
    return response;
  };
  const create = (body: Record<string, unknown> = {}) =>
    api("POST", "/env-groups", { name: "shared", ownerId: emu.ownerId, envVars: [], ...body });
  const get = async (id: string) => (await api("GET", `/env-groups/${id}`)).body as Group;
  const service = async (name: string) =>
    ((await api("POST", "/services", webServiceBody(emu.ownerId, name))).body as { service: { id: string } })
      .service.id;

  before(async () => {
    emu = await start();
    raw = apiOf(emu);
  });
  after(async () => {
    await emu?.close();
  });
  beforeEach(async () => {
    await control(emu, "POST", "/reset");
  });

  it("creates with values, generated values and secret files; 201 with the whole group and an evg- id", async () => {
    const response = await create({
      envVars: [
        { key: "PLAIN", value: "1" },
        { key: "TOKEN", generateValue: true },
      ],
      secretFiles: [{ name: "creds.json", content: "{}" }],
    });
    expectStatus(response, 201);
    const group = response.body as Group;
    assert.match(group.id, /^evg-[0-9a-v]{20}$/);
    assert.equal(group.ownerId, emu.ownerId);
    assert.deepEqual(group.serviceLinks, []);
    const vars = Object.fromEntries(group.envVars.map((e) => [e.key, e.value]));
    assert.equal(vars.PLAIN, "1");
    assert.match(vars.TOKEN, /^[A-Za-z0-9+/]{43}=$/);
    assert.deepEqual(group.secretFiles, [{ name: "creds.json", content: "{}" }]);
    assert.deepEqual(await get(group.id), group);
  });

  it("lists a bare array of groups without values, filtered by name and owner; limit applies", async () => {
    const a = (await create({ envVars: [{ key: "A", value: "secret" }] })).body as Group;
    const b = (await create({ name: "other" })).body as Group;
    const list = async (query: string) =>
      ((await api("GET", `/env-groups${query}`)).body as Record<string, unknown>[]).map((g) => {
        assert.equal("envVars" in g, false);
        return g.id;
      });
    assert.deepEqual(await list(""), [b.id, a.id]);
    assert.deepEqual(await list(`?name=shared&ownerId=${emu.ownerId}`), [a.id]);
    assert.deepEqual(await list("?limit=1"), [b.id]);
    assert.deepEqual(await list("?ownerId=tea-nobody0000000000000"), []);
    expect400Naming(await api("GET", "/env-groups?limit=0"), "limit");
  });

  it("renames; puts, reads and deletes one env var and one secret file at a time", async () => {
    const { id } = (await create({ envVars: [{ key: "A", value: "1" }] })).body as Group;
    expectStatus(await api("PATCH", `/env-groups/${id}`, { name: "renamed" }), 200);
    const put = await api("PUT", `/env-groups/${id}/env-vars/B`, { value: "2" });
    expectStatus(put, 200);
    assert.deepEqual((put.body as Group).envVars.map((e) => e.key).sort(), ["A", "B"]);
    const generated = (await api("PUT", `/env-groups/${id}/env-vars/A`, { generateValue: true }))
      .body as Group;
    assert.match(generated.envVars.find((e) => e.key === "A")!.value, /^[A-Za-z0-9+/]{43}=$/);
    assert.deepEqual((await api("GET", `/env-groups/${id}/env-vars/B`)).body, { key: "B", value: "2" });
    expectStatus(await api("DELETE", `/env-groups/${id}/env-vars/B`), 204);
    expectStatus(await api("GET", `/env-groups/${id}/env-vars/B`), 404);
    expectStatus(await api("DELETE", `/env-groups/${id}/env-vars/B`), 404);
    expectStatus(await api("PUT", `/env-groups/${id}/secret-files/key.pem`, { content: "pem" }), 200);
    assert.deepEqual((await api("GET", `/env-groups/${id}/secret-files/key.pem`)).body, {
      name: "key.pem",
      content: "pem",
    });
    expectStatus(await api("DELETE", `/env-groups/${id}/secret-files/key.pem`), 204);
    const after = await get(id);
    assert.equal(after.name, "renamed");
    assert.deepEqual(after.secretFiles, []);
  });

  it("links one service at a time (idempotent), unlinks it, and drops the link of a deleted service", async () => {
    const { id } = (await create()).body as Group;
    const web = await service("web-a");
    const other = await service("web-b");
    const linked = await api("POST", `/env-groups/${id}/services/${web}`);
    expectStatus(linked, 200);
    assert.deepEqual((linked.body as Group).serviceLinks, [{ id: web, name: "web-a", type: "web" }]);
    expectStatus(await api("POST", `/env-groups/${id}/services/${web}`), 200);
    expectStatus(await api("POST", `/env-groups/${id}/services/${other}`), 200);
    assert.deepEqual(
      (await get(id)).serviceLinks.map((l) => l.id),
      [web, other],
    );
    expectStatus(await api("DELETE", `/env-groups/${id}/services/${web}`), 204);
    expectStatus(await api("DELETE", `/env-groups/${id}/services/${web}`), 404);
    expectStatus(await api("DELETE", `/services/${other}`), 204);
    assert.deepEqual((await get(id)).serviceLinks, []);
    expectStatus(await api("POST", `/env-groups/${id}/services/srv-nosuchservice00000000`), 404);
  });

  it("refuses bad input naming the field, and a second group of the same name", async () => {
    expect400Naming(await api("POST", "/env-groups", { name: "x", ownerId: emu.ownerId }), "envVars");
    expect400Naming(await create({ envVars: [{ key: "1BAD", value: "x" }] }), "envVars[0].key");
    expect400Naming(await create({ envVars: [{ key: "A" }] }), "envVars[0].value");
    expect400Naming(await create({ secretFiles: [{ name: "a/b", content: "x" }] }), "secretFiles[0].name");
    expect400Naming(await api("POST", "/env-groups", { ownerId: emu.ownerId, envVars: [] }), "name");
    expectStatus(await create(), 201);
    expect400Naming(await create(), "already exists");
    const { id } = (await create({ name: "second" })).body as Group;
    expect400Naming(await api("PUT", `/env-groups/${id}/env-vars/A`, {}), "value");
    expect400Naming(await api("PATCH", `/env-groups/${id}`, {}), "name");
  });

  it("answers 401 without a key and 404 for unknown or deleted groups", async () => {
    const { id } = (await create()).body as Group;
    expectStatus(await raw("GET", `/env-groups/${id}`, undefined, ""), 401);
    expectStatus(await api("DELETE", `/env-groups/${id}`), 204);
    for (const [method, path] of [
      ["GET", `/env-groups/${id}`],
      ["PATCH", `/env-groups/${id}`],
      ["DELETE", `/env-groups/${id}`],
      ["PUT", `/env-groups/${id}/env-vars/A`],
      ["PUT", `/env-groups/${id}/secret-files/f`],
    ] as const)
      expectStatus(
        await api(
          method,
          path,
          method === "GET" || method === "DELETE" ? undefined : { name: "n", value: "v", content: "c" },
        ),
        404,
      );
  });
});
