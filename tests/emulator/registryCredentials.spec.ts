/**
 * Registry credential routes against Render's contract (every answer validated against openapi.json):
 * 200 on create, a bare-array list, no owner and never the token in any answer, PATCH taking every field,
 * validation 400s naming the field and the allowed registries, a duplicate name refused, 401/404.
 */
import { strict as assert } from "node:assert";
import type { RunningEmulator } from "../../emulator";
import { renderSpecValidator } from "../helpers/openapi";
import { apiOf, control, expect400Naming, expectStatus, start, type Api } from "./harness";

const validator = renderSpecValidator();
const TOKEN = "ghp_s3cretTOKENvalue";

describe("emulator registry credentials (contract, validation)", function () {
  let emu: RunningEmulator;
  let raw: Api;
  const api: Api = async (method, path, body, apiKey) => {
    const response = await raw(method, path, body, apiKey);
    validator.validateResponse(method, path, response.status, response.body);
    assert.equal(JSON.stringify(response.body ?? "").includes(TOKEN), false, "the token never comes back");
    return response;
  };
  const create = (body: Record<string, unknown> = {}) =>
    api("POST", "/registrycredentials", {
      name: "ghcr",
      registry: "GITHUB",
      username: "octo",
      authToken: TOKEN,
      ownerId: emu.ownerId,
      ...body,
    });

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

  it("creates (200), gets, lists by name, registry and owner, updates every field and deletes", async () => {
    const response = await create();
    expectStatus(response, 200);
    const credential = response.body as Record<string, string>;
    assert.match(credential.id, /^rgc-[0-9a-v]{20}$/);
    assert.deepEqual(Object.keys(credential).sort(), ["id", "name", "registry", "updatedAt", "username"]);
    const other = (await create({ name: "hub", registry: "DOCKER" })).body as { id: string };
    const list = async (q: string) =>
      ((await api("GET", `/registrycredentials${q}`)).body as { id: string }[]).map((c) => c.id);
    assert.deepEqual(await list(""), [other.id, credential.id]);
    assert.deepEqual(await list(`?name=ghcr&ownerId=${emu.ownerId}`), [credential.id]);
    assert.deepEqual(await list("?type=DOCKER"), [other.id]);
    assert.deepEqual(await list("?limit=1"), [other.id]);
    // openapi.json documents no 400 on this list; an unknown type is refused all the same (never kinder).
    expect400Naming(await raw("GET", "/registrycredentials?type=QUAY"), "type", "GITHUB");
    const patched = await api("PATCH", `/registrycredentials/${credential.id}`, {
      name: "ghcr-2",
      registry: "GITLAB",
      username: "cat",
      authToken: `${TOKEN}2`,
    });
    expectStatus(patched, 200);
    assert.deepEqual((await api("GET", `/registrycredentials/${credential.id}`)).body, patched.body);
    expectStatus(await api("DELETE", `/registrycredentials/${credential.id}`), 204);
    expectStatus(await api("GET", `/registrycredentials/${credential.id}`), 404);
    expectStatus(await api("DELETE", `/registrycredentials/${credential.id}`), 404);
  });

  it("refuses bad input naming the field, a partial PATCH, and a second credential of one name", async () => {
    expect400Naming(await create({ registry: "QUAY" }), "registry", "GITHUB", "AWS_ECR");
    expect400Naming(await create({ authToken: "" }), "authToken");
    expect400Naming(await create({ username: undefined }), "username");
    const { id } = (await create()).body as { id: string };
    expectStatus(await create(), 409);
    expect400Naming(await api("PATCH", `/registrycredentials/${id}`, { name: "x" }), "registry");
    expectStatus(await raw("GET", `/registrycredentials/${id}`, undefined, ""), 401);
  });
});
