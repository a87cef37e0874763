/**
 * Finds a Blueprint's live resources on Render by name, so the stack can adopt them by id: every
 * service (by name and type), database and Key Value, and the workspace they live in. Uses the
 * product's Render client (retries, rate budget, pagination). Env groups are not looked up: they are
 * created or adopted by the env group kind itself.
 */
import { RenderClient, type RenderClientOptions } from "../../components/render";
import { apiServiceType, liveKey, type LiveResources } from "./convert";
import { entryKind, sectionOf } from "./modeled";
import type { Blueprint } from "./validate";

/** The lookup's findings plus problems that stop the import (names in several workspaces, owners that disagree). */
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
  bp: Blueprint,
  request: { ownerId?: string },
  clientOptions: RenderClientOptions,
): Promise<LookupResult> {
  const client = new RenderClient(clientOptions);
  const problems: string[] = [];
  const notes: string[] = [];
  const ids = new Map<string, string>();
  const values = new Map<string, Record<string, unknown>>();
  const owners = new Set<string>();
  const ownerFilter = request.ownerId ? [request.ownerId] : undefined;
  /** Records the one live object of that name (Render matches names loosely: compare exactly). */
  const record = (
    what: string,
    key: string,
    name: string,
    found: { id: string; owner: string; values: Record<string, unknown> }[],
  ) => {
    if (found.length > 1)
      problems.push(
        `${what} ${JSON.stringify(name)} exists in several workspaces (${found.map((f) => f.owner).join(", ")}): choose one with --owner-id`,
      );
    else if (found.length === 1) {
      ids.set(key, found[0].id);
      values.set(key, found[0].values);
      owners.add(found[0].owner);
    } else notes.push(`no live ${what} named ${JSON.stringify(name)}: the stack will create it`);
  };
  try {
    for (const s of bp.services) {
      const name = s.value.name;
      if (sectionOf(s.value) === "keyValues") {
        const found = (await collect(client.listKeyValue({ name: [name], ownerId: ownerFilter }))).filter(
          (k) => k.name === name,
        );
        record(
          "Key Value",
          liveKey("keyValues", name),
          name,
          found.map((k) => ({ id: k.id, owner: k.owner.id, values: { plan: k.plan, region: k.region } })),
        );
        continue;
      }
      // Only what the stack will hold is adopted.
      if (!("kind" in entryKind("services", s.value))) continue;
      if (s.value.type === "workflow") {
        // A Render Workflow is listed at /workflows, not /services.
        const found = (await collect(client.listWorkflows({ name: [name], ownerId: ownerFilter }))).filter(
          (w) => w.name === name,
        );
        record(
          "workflow",
          liveKey("services", name, apiServiceType(s.value)),
          name,
          found.map((w) => ({ id: w.id, owner: w.ownerId, values: { region: w.region } })),
        );
        continue;
      }
      const type = apiServiceType(s.value);
      const found = (
        await collect(client.listServices({ name: [name], ownerId: ownerFilter, type: [type] }))
      ).filter((x) => x.name === name && x.type === type);
      record(
        type.replace(/_/g, " "),
        liveKey("services", name, type),
        name,
        found.map((x) => ({
          id: x.id,
          owner: x.ownerId,
          values: { plan: x.serviceDetails?.plan, region: x.serviceDetails?.region },
        })),
      );
    }
    for (const d of bp.databases) {
      const name = d.value.name;
      const found = (await collect(client.listPostgres({ name: [name], ownerId: ownerFilter }))).filter(
        (x) => x.name === name,
      );
      record(
        "database",
        liveKey("databases", name),
        name,
        found.map((x) => ({
          id: x.id,
          owner: x.owner.id,
          values: { plan: x.plan, region: x.region, postgresMajorVersion: x.version },
        })),
      );
    }
    let ownerId = request.ownerId;
    if (ownerId === undefined && owners.size > 1)
      problems.push(
        `the live resources are in several workspaces (${[...owners].join(", ")}): one stack has one workspace; choose it with --owner-id`,
      );
    if (ownerId === undefined && owners.size === 1) ownerId = [...owners][0];
    if (ownerId === undefined) {
      const all = await collect(client.listOwners());
      if (all.length === 1) ownerId = all[0].id;
      else notes.push(`the API key sees ${all.length} workspaces: choose one with --owner-id`);
    }
    const envVarKeys = new Map<string, string[]>();
    for (const [key, id] of ids)
      if (key.startsWith("services/"))
        envVarKeys.set(
          id,
          (await collect(client.listEnvVars(id))).map((e) => e.key),
        );
    return { ownerId, ids, envVarKeys, values, problems, notes };
  } finally {
    await client.close();
  }
}
