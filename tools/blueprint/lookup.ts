/**
 * Finds a Blueprint's live resources on Render by name (the chosen database and web service), so the
 * stack can adopt them: their ids, their workspace, and the keys (never the values) of the service's
 * env vars. Uses the product's Render client (retries, rate budget, pagination).
 */
import { RenderClient, type RenderClientOptions } from "../../components/render";
import type { LiveResources } from "./convert";

/** What to look up. */
export interface LookupRequest {
  databaseName: string;
  serviceName: string;
  /** Restrict the search to this workspace. */
  ownerId?: string;
}

/** The lookup's findings plus problems that stop the import (ambiguous names, owners that disagree). */
export interface LookupResult extends LiveResources {
  problems: string[];
  notes: string[];
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

/** Looks the resources up; an API failure rejects with the client's error (which never holds the key). */
export async function lookupLive(
  request: LookupRequest,
  clientOptions: RenderClientOptions,
): Promise<LookupResult> {
  const client = new RenderClient(clientOptions);
  const problems: string[] = [];
  const notes: string[] = [];
  try {
    const ownerFilter = request.ownerId ? [request.ownerId] : undefined;
    // Render matches names loosely; compare exactly here.
    const databases = (
      await collect(client.listPostgres({ name: [request.databaseName], ownerId: ownerFilter }))
    ).filter((d) => d.name === request.databaseName);
    const services = (
      await collect(
        client.listServices({ name: [request.serviceName], ownerId: ownerFilter, type: ["web_service"] }),
      )
    ).filter((s) => s.name === request.serviceName);
    const ambiguous = (what: string, name: string, owners: string[]) =>
      problems.push(
        `${what} ${JSON.stringify(name)} exists in several workspaces (${owners.join(", ")}): choose one with --owner-id`,
      );
    if (databases.length > 1)
      ambiguous(
        "database",
        request.databaseName,
        databases.map((d) => d.owner.id),
      );
    if (services.length > 1)
      ambiguous(
        "web service",
        request.serviceName,
        services.map((s) => s.ownerId),
      );
    const database = databases.length === 1 ? databases[0] : undefined;
    const service = services.length === 1 ? services[0] : undefined;
    let ownerId = request.ownerId ?? database?.owner.id ?? service?.ownerId;
    if (database && service && database.owner.id !== service.ownerId)
      problems.push(
        `the database is in workspace ${database.owner.id} but the service in ${service.ownerId}: one stack has one workspace`,
      );
    if (!database)
      notes.push(`no live database named ${JSON.stringify(request.databaseName)}: the stack will create it`);
    if (!service)
      notes.push(
        `no live web service named ${JSON.stringify(request.serviceName)}: the stack will create it`,
      );
    if (ownerId === undefined) {
      const owners = await collect(client.listOwners());
      if (owners.length === 1) ownerId = owners[0].id;
      else notes.push(`the API key sees ${owners.length} workspaces: choose one with --owner-id`);
    }
    const serviceEnvVarKeys = service
      ? (await collect(client.listEnvVars(service.id))).map((e) => e.key)
      : undefined;
    return { ownerId, database, service, serviceEnvVarKeys, problems, notes };
  } finally {
    await client.close();
  }
}
