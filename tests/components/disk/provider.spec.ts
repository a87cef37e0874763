import { strict as assert } from "node:assert";
import { startEmulator } from "../../../emulator";
import { DiskProvider, type DiskOutputs } from "../../../components/disk/provider";
import {
  checkDiskInputs,
  diffDisk,
  toPatchDiskBody,
  type DiskInputs,
} from "../../../components/disk/mapping";
import { call, checked, configured } from "../../helpers/providers";
import { webServiceBody } from "../../emulator/harness";

type Emulator = Awaited<ReturnType<typeof startEmulator>>;
const SRV = "srv-d303qfodl3ps739p3e60";

describe("RenderDisk schema and mapping", () => {
  const base = { serviceId: SRV, name: "data", mountPath: "/var/data" };
  it("fills the default size and names each bad field", () => {
    assert.equal(checkDiskInputs(base).inputs.sizeGB, 10);
    const bad = checkDiskInputs({ serviceId: "dpg-x", name: "", mountPath: "data/", sizeGB: 2.5 }).failures;
    assert.deepEqual(
      bad.map((f) => f.property),
      ["serviceId", "name", "mountPath", "sizeGB"],
    );
    assert.match(bad[2].reason, /absolute path other than \/, like \/var\/data/);
    assert.match(bad[3].reason, /whole number of GB from 1/);
  });
  it("refuses a shrink against the state, naming both sizes", () => {
    assert.deepEqual(checkDiskInputs({ ...base, sizeGB: 5 }, 10).failures, [
      {
        property: "sizeGB",
        reason: "cannot shrink a disk from 10 GB to 5 GB: a Render disk only grows. Keep 10 or more",
      },
    ]);
    assert.deepEqual(checkDiskInputs({ ...base, sizeGB: 12 }, 10).failures, []);
  });
  it("diffs field by field; a new service replaces; a PATCH never shrinks", () => {
    const desired = { ...base, sizeGB: 20, adoptExisting: false, allowReplacement: false } as DiskInputs;
    const live = { id: "dsk-1", serviceId: SRV, name: "data", mountPath: "/d", sizeGB: 10 };
    assert.deepEqual(diffDisk(desired, live), { changed: ["mountPath", "sizeGB"], replaced: [] });
    assert.deepEqual(diffDisk({ ...desired, serviceId: "srv-other" }, live).replaced, ["serviceId"]);
    assert.deepEqual(toPatchDiskBody(desired, live), { mountPath: "/var/data", sizeGB: 20 });
    assert.throws(
      () => toPatchDiskBody({ ...desired, sizeGB: 5 }, live),
      /cannot shrink a disk from 10 GB to 5 GB/,
    );
  });
});

describe("RenderDisk provider (emulator)", function () {
  this.timeout(60_000);
  let emu: Emulator;
  let provider: DiskProvider;
  let reported: string[];
  let web: string;
  let n = 0;

  before(async () => {
    emu = await startEmulator({ port: 0, timings: "fast", rateLimits: { enabled: false, timeScale: 1 } });
  });
  after(async () => {
    await emu?.close();
  });
  beforeEach(async () => {
    await call(emu.controlUrl, "POST", "/reset");
    reported = [];
    provider = await configured(new DiskProvider((line) => reported.push(line)), emu);
    n++;
    web = (
      (await api("POST", "/services", webServiceBody(emu.ownerId, `web-${n}`))).body as {
        service: { id: string };
      }
    ).service.id;
  });
  const api = (method: string, path: string, body?: unknown) =>
    call(emu.url, method, path, { apiKey: emu.apiKey, body });
  const writes = async () =>
    ((await call(emu.controlUrl, "GET", "/requests")).body as { method: string; path: string }[]).filter(
      (r) => r.method !== "GET",
    );
  const args = (o: Record<string, unknown> = {}) => ({
    serviceId: web,
    name: "data",
    mountPath: "/var/data",
    sizeGB: 10,
    ...o,
  });
  async function created(o: Record<string, unknown> = {}) {
    const inputs = await checked<DiskInputs>(provider, args(o));
    const result = await provider.create(inputs);
    return { inputs, id: result.id, outs: result.outs as DiskOutputs };
  }

  it("creates once, sees drift field by field, grows, and puts drift back", async () => {
    const { inputs, id, outs } = await created();
    assert.deepEqual(await provider.diff!(id, outs, inputs), {
      changes: false,
      replaces: [],
      deleteBeforeReplace: false,
    });
    await assert.rejects(
      provider.create(inputs),
      new RegExp(`service ${web} already has a disk of that name`),
    );
    await api("PATCH", `/disks/${id}`, { mountPath: "/elsewhere", name: "renamed" });
    assert.equal((await provider.diff!(id, outs, inputs)).changes, true);
    await provider.update!(id, outs, inputs);
    assert.equal((await provider.diff!(id, outs, inputs)).changes, false);
    const grown = { ...inputs, sizeGB: 15 };
    assert.equal((await provider.diff!(id, outs, grown)).changes, true);
    await provider.update!(id, outs, grown);
    assert.equal(((await api("GET", `/disks/${id}`)).body as { sizeGB: number }).sizeGB, 15);
  });

  it("never makes a second disk when the response to the POST is lost", async () => {
    await call(emu.controlUrl, "POST", "/faults", {
      body: { method: "POST", path: "/v1/disks", count: 1, fault: { kind: "lose-response" } },
    });
    const { id } = await created();
    const all = (await api("GET", `/disks?serviceId=${web}`)).body as { disk: { id: string } }[];
    assert.deepEqual(
      all.map((e) => e.disk.id),
      [id],
    );
    assert.equal((await writes()).filter((w) => w.method === "POST" && w.path === "/v1/disks").length, 1);
  });

  it("refuses a shrink in check and in diff, before any write", async () => {
    const { inputs, id, outs } = await created({ sizeGB: 20 });
    await call(emu.controlUrl, "DELETE", "/requests");
    const checkedShrink = await provider.check!(outs, args({ sizeGB: 10 }) as never);
    assert.match(JSON.stringify(checkedShrink.failures), /cannot shrink a disk from 20 GB to 10 GB/);
    await api("PATCH", `/disks/${id}`, { sizeGB: 30 });
    await call(emu.controlUrl, "DELETE", "/requests");
    await assert.rejects(
      provider.diff!(id, outs, inputs),
      /could not plan disk data .*cannot shrink a disk from 30 GB to 20 GB/,
    );
    await assert.rejects(provider.update!(id, outs, inputs), /cannot shrink/);
    assert.deepEqual(await writes(), []);
  });

  it("refuses to adopt a disk of another service, naming serviceId", async () => {
    const { id } = await created();
    const other = (
      (await api("POST", "/services", webServiceBody(emu.ownerId, `other-${n}`))).body as {
        service: { id: string };
      }
    ).service.id;
    await assert.rejects(
      provider.create(await checked<DiskInputs>(provider, args({ serviceId: other, adoptId: id }))),
      new RegExp(`could not adopt disk ${id}: it belongs to service ${web}, not ${other} \\(serviceId\\)`),
    );
  });

  it("refuses to move the disk to another service unless allowed", async () => {
    const { inputs, id, outs } = await created();
    const news = { ...inputs, serviceId: "srv-other0000000000000000" };
    await assert.rejects(provider.diff!(id, outs, news), /would replace the disk and destroy its data/);
    assert.deepEqual((await provider.diff!(id, outs, { ...news, allowReplacement: true })).replaces, [
      "serviceId",
    ]);
  });

  it("adopts by id with its report, reads for import, stops on one gone, deletes idempotently", async () => {
    const { id } = await created({ mountPath: "/old" });
    await provider.check!({} as DiskInputs, args({ adoptId: id }) as never);
    assert.match(reported.join("\n"), /adopting disk data \(dsk-.*\n.*~ mountPath: "\/old" => "\/var\/data"/);
    const adopted = await provider.create(await checked<DiskInputs>(provider, args({ adoptId: id })));
    assert.equal(adopted.id, id);
    const imported = await provider.read(id);
    assert.equal((imported.inputs as DiskInputs).mountPath, "/var/data");
    await provider.delete(id);
    await provider.delete(id);
    await assert.rejects(
      provider.read(id, adopted.outs as DiskOutputs),
      /disk data \(dsk-.*\) no longer exists on Render.*dsk-…/,
    );
  });
});
