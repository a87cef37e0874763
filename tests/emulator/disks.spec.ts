/**
 * Disk routes against Render's contract (every answer validated against openapi.json): `dsk-` ids, the
 * disk shown on its service's `serviceDetails.disk`, the list's wrapper and filters, grow-only PATCH, one
 * disk per paid service, validation 400s naming the field, the disk gone with its service, 401/404.
 */
import { strict as assert } from "node:assert";
import type { RunningEmulator } from "../../emulator";
import { renderSpecValidator } from "../helpers/openapi";
import { apiOf, control, expect400Naming, expectStatus, start, webServiceBody, type Api } from "./harness";

type Disk = { id: string; name: string; sizeGB: number; mountPath: string; serviceId: string };
const validator = renderSpecValidator();

describe("emulator disks (contract, rules, validation)", function () {
  let emu: RunningEmulator;
  let raw: Api;
  const api: Api = async (method, path, body, apiKey) => {
    const response = await raw(method, path, body, apiKey);
    validator.validateResponse(method, path, response.status, response.body);
    return response;
  };
  const service = async (name: string, plan = "starter") =>
    (
      (await api("POST", "/services", webServiceBody(emu.ownerId, name, { serviceDetails: { plan } })))
        .body as {
        service: { id: string };
      }
    ).service.id;
  const add = (serviceId: string, body: Record<string, unknown> = {}) =>
    api("POST", "/disks", { name: "data", sizeGB: 10, mountPath: "/var/data", serviceId, ...body });

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

  it("adds a disk (201) shown on its service, lists it, grows it, refuses a shrink, deletes it", async () => {
    const web = await service("web-a");
    const response = await add(web);
    expectStatus(response, 201);
    const disk = response.body as Disk;
    assert.match(disk.id, /^dsk-[0-9a-v]{20}$/);
    assert.equal(disk.serviceId, web);
    const svc = (await api("GET", `/services/${web}`)).body as { serviceDetails: { disk: unknown } };
    assert.deepEqual(svc.serviceDetails.disk, {
      id: disk.id,
      name: "data",
      mountPath: "/var/data",
      sizeGB: 10,
    });
    const list = async (q: string) =>
      ((await api("GET", `/disks${q}`)).body as { disk: Disk; cursor: string }[]).map((e) => e.disk.id);
    assert.deepEqual(await list(`?serviceId=${web}&name=data`), [disk.id]);
    assert.deepEqual(await list("?name=other"), []);
    const grown = await api("PATCH", `/disks/${disk.id}`, { sizeGB: 20, mountPath: "/data", name: "d2" });
    expectStatus(grown, 200);
    assert.deepEqual(
      { ...(grown.body as Disk) },
      { ...(grown.body as Disk), sizeGB: 20, mountPath: "/data", name: "d2" },
    );
    expect400Naming(await api("PATCH", `/disks/${disk.id}`, { sizeGB: 19 }), "sizeGB", "decreased");
    assert.equal(((await api("GET", `/disks/${disk.id}`)).body as Disk).sizeGB, 20);
    expectStatus(await api("DELETE", `/disks/${disk.id}`), 204);
    expectStatus(await api("GET", `/disks/${disk.id}`), 404);
    const after = (await api("GET", `/services/${web}`)).body as { serviceDetails: Record<string, unknown> };
    assert.equal("disk" in after.serviceDetails, false);
  });

  it("refuses bad input naming the field, a second disk, a free service, and drops a disk with its service", async () => {
    const web = await service("web-b");
    expect400Naming(await add(web, { mountPath: "data" }), "mountPath");
    expect400Naming(await add(web, { mountPath: "/" }), "mountPath");
    expect400Naming(await add(web, { sizeGB: 0 }), "sizeGB");
    expect400Naming(await add(web, { sizeGB: 1.5 }), "sizeGB");
    expect400Naming(await add(web, { name: "" }), "name");
    expectStatus(await add(web, { serviceId: "srv-nosuchservice0000000" }), 404);
    expect400Naming(await add(await service("web-free", "free")), "free");
    const { id } = (await add(web)).body as Disk;
    expect400Naming(await add(web, { name: "second" }), "already has a disk");
    expectStatus(await raw("GET", `/disks/${id}`, undefined, ""), 401);
    expectStatus(await api("DELETE", `/services/${web}`), 204);
    expectStatus(await api("GET", `/disks/${id}`), 404);
  });
});
