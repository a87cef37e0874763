/** Helpers shared by the route files. */
import type { EmulatorCore } from "../core";
import { notFound } from "../errors";
import type { OwnerRecord, PostgresRecord, ServiceRecord } from "../state/model";

/** RFC 3339 time of epoch ms. */
export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** An owner as Render renders it (OBSERVED: `{email, id, name, type}`). */
export function ownerJson(owner: OwnerRecord): Record<string, unknown> {
  return { id: owner.id, name: owner.name, email: owner.email, type: "team" };
}

/** A workspace the key can see. @throws 404 otherwise. */
export function requireOwner(core: EmulatorCore, ownerId: string): OwnerRecord {
  const owner = core.state.owners.get(ownerId);
  if (!owner) throw notFound(ownerId);
  return owner;
}

/** A Postgres of the key's workspaces. @throws 404 otherwise. */
export function requirePostgres(core: EmulatorCore, id: string): PostgresRecord {
  const db = core.state.postgres.get(id);
  if (!db || !core.state.owners.has(db.ownerId)) throw notFound(id);
  return db;
}

/** A service of the key's workspaces. @throws 404 otherwise. */
export function requireService(core: EmulatorCore, id: string): ServiceRecord {
  const service = core.state.services.get(id);
  if (!service || !core.state.owners.has(service.ownerId)) throw notFound(id);
  return service;
}
