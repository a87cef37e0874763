/**
 * Persistent disk routes (`/disks…`, openapi.json "Disks"): list (filters), add, get, update, delete. A
 * disk lives on its service (`serviceDetails.disk` of the service shows it), so deleting the service
 * deletes its disk. Snapshots (`/disks/{id}/snapshots…`) are not emulated.
 *
 * Render's rules (render.com/docs/disks, as read 2026-12; not in the stored sources, so UNCONFIRMED, and
 * refusing is never kinder): one disk per service; only paid web services, private services and
 * background workers have disks (not free instances, cron jobs or static sites); a disk grows and never
 * shrinks; the mount path is an absolute path other than `/`. A second disk is a 400 (openapi.json documents
 * no 409 on `POST /disks`). Ids are `dsk-` + 20 characters (the
 * spec's pattern). Sizes are whole GB from 1 (Render's largest size is UNCONFIRMED: none is refused).
 */
import type { EmulatorCore } from "../core";
import { badRequest, notFound } from "../errors";
import { newId } from "../ids";
import type { Router } from "../router";
import type { DiskRecord, ServiceRecord } from "../state/model";
import { iso, requireService } from "./common";
import { paginate } from "./pagination";
import { type Body, intField, objectBody, queryList, stringField, timeFilter } from "./validate";

/** Service types that can have a disk. */
const DISK_SERVICE_TYPES = ["web_service", "private_service", "background_worker"];

/** A disk and the service it is on. */
interface DiskOnService {
  disk: DiskRecord;
  service: ServiceRecord;
  seq: number;
  createdAt: number;
  updatedAt: number;
}

function onService(core: EmulatorCore, service: ServiceRecord): DiskOnService | undefined {
  const disk = service.details.disk;
  if (!disk) return undefined;
  const times = core.state.diskTimes.get(disk.id);
  return {
    disk,
    service,
    seq: times?.seq ?? service.seq,
    createdAt: times?.createdAt ?? service.createdAt,
    updatedAt: times?.updatedAt ?? service.updatedAt,
  };
}

/** Every disk of the key's workspaces. */
function allDisks(core: EmulatorCore): DiskOnService[] {
  return [...core.state.services.values()]
    .filter((s) => core.state.owners.has(s.ownerId))
    .flatMap((s) => onService(core, s) ?? []);
}

/** A disk of the key's workspaces. @throws 404 otherwise. */
export function requireDisk(core: EmulatorCore, id: string): DiskOnService {
  const found = allDisks(core).find((d) => d.disk.id === id);
  if (!found) throw notFound(id);
  return found;
}

/** @throws 400 for a mount path that is not absolute, or `/`. */
function checkMountPath(path: string): string {
  if (!path.startsWith("/") || path === "/" || /\s/.test(path) || path.includes("//"))
    throw badRequest(
      `invalid mountPath ${JSON.stringify(path)}: must be an absolute path other than /, like /var/data`,
    );
  return path;
}

/** Registers the disk routes. */
export function registerDiskRoutes(router: Router, core: EmulatorCore): void {
  router.add("GET", "/disks", ({ query }) => {
    const ownerIds = queryList(query, "ownerId");
    const ids = queryList(query, "diskId");
    const names = queryList(query, "name");
    const serviceIds = queryList(query, "serviceId");
    const items = allDisks(core).filter(
      (d) =>
        (!ownerIds || ownerIds.includes(d.service.ownerId)) &&
        (!ids || ids.includes(d.disk.id)) &&
        (!names || names.includes(d.disk.name)) &&
        (!serviceIds || serviceIds.includes(d.service.id)) &&
        timeFilter(query, "created", d.createdAt) &&
        timeFilter(query, "updated", d.updatedAt),
    );
    return { status: 200, body: paginate(items, query, "disk", diskJson) };
  });

  router.add("POST", "/disks", ({ body }) => {
    const b = objectBody(body);
    const name = stringField(b, "name", "name", true);
    const sizeGB = sizeField(b, true)!;
    const mountPath = checkMountPath(stringField(b, "mountPath", "mountPath", true));
    const service = requireService(core, stringField(b, "serviceId", "serviceId", true));
    if (!DISK_SERVICE_TYPES.includes(service.type))
      throw badRequest(
        `a ${service.type} cannot have a disk: only web services, private services and background workers`,
      );
    if (service.details.plan === "free")
      throw badRequest("free instances cannot have a disk: choose a paid plan for the service first");
    if (service.details.disk)
      throw badRequest(
        `service ${service.id} already has a disk (${service.details.disk.id}): one disk per service`,
      );
    const now = core.clock.now();
    const id = newId("dsk");
    service.details.disk = { id, name, mountPath, sizeGB };
    core.state.diskTimes.set(id, { id, seq: core.state.nextSeq(), createdAt: now, updatedAt: now });
    service.updatedAt = now;
    core.changed();
    return { status: 201, body: diskJson(onService(core, service)!) };
  });

  router.add("GET", "/disks/:diskId", ({ params }) => ({
    status: 200,
    body: diskJson(requireDisk(core, params.diskId)),
  }));

  router.add("PATCH", "/disks/:diskId", ({ params, body }) => {
    const found = requireDisk(core, params.diskId);
    const b = objectBody(body);
    const name = stringField(b, "name", "name");
    if (name !== undefined && name.trim() === "") throw badRequest("name must not be empty");
    const sizeGB = sizeField(b, false);
    const mountPath =
      b.mountPath === undefined ? undefined : checkMountPath(stringField(b, "mountPath", "mountPath", true));
    const { disk } = found;
    if (sizeGB !== undefined && sizeGB < disk.sizeGB)
      throw badRequest(`sizeGB cannot be decreased (from ${disk.sizeGB} to ${sizeGB}): a disk only grows`);
    if (name !== undefined) disk.name = name;
    if (sizeGB !== undefined) disk.sizeGB = sizeGB;
    if (mountPath !== undefined) disk.mountPath = mountPath;
    const times = core.state.diskTimes.get(disk.id) ?? {
      id: disk.id,
      seq: found.seq,
      createdAt: found.createdAt,
    };
    core.state.diskTimes.set(disk.id, { ...times, updatedAt: core.clock.now() });
    core.changed();
    return { status: 200, body: diskJson(onService(core, found.service)!) };
  });

  router.add("DELETE", "/disks/:diskId", ({ params }) => {
    const { service, disk } = requireDisk(core, params.diskId);
    delete service.details.disk;
    core.state.diskTimes.delete(disk.id);
    service.updatedAt = core.clock.now();
    core.changed();
    return { status: 204 };
  });
}

function sizeField(b: Body, required: boolean): number | undefined {
  const size = intField(b, "sizeGB", "sizeGB", 1, 1_000_000);
  if (size === undefined && required) throw badRequest("sizeGB is required: a whole number of GB from 1");
  return size;
}

/** `disk` (openapi.json). */
function diskJson(d: DiskOnService): Record<string, unknown> {
  return {
    id: d.disk.id,
    name: d.disk.name,
    sizeGB: d.disk.sizeGB,
    mountPath: d.disk.mountPath,
    serviceId: d.service.id,
    createdAt: iso(d.createdAt),
    updatedAt: iso(d.updatedAt),
  };
}
