/**
 * Test helper: makes the seed's production resources in a running emulator through the Render API,
 * as render.yaml and the dashboard made them in production (database, web service with its env vars,
 * OPENAI_API_KEY set by hand), so an import can look them up and a stack can adopt them.
 */
import { strict as assert } from "node:assert";
import type { DatabaseBackend } from "../../emulator/databases";
import type { RunningEmulator } from "../../emulator";

/** Calls the emulator's Render API with its key. */
export async function api(
  emu: RunningEmulator,
  method: string,
  apiPath: string,
  body?: unknown,
): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${emu.url}${apiPath}`, {
    method,
    headers: {
      authorization: `Bearer ${emu.apiKey}`,
      accept: "application/json",
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

/**
 * A database backend that answers at once and runs no server: enough for lookups and for a stack that
 * enables no extension and runs no migration (nothing connects to the database).
 */
export function instantDatabaseBackend(): DatabaseBackend {
  return {
    provision: async (spec) => ({
      host: "127.0.0.1",
      port: 5432,
      databaseName: spec.databaseName,
      user: spec.user,
      password: spec.password,
    }),
    drop: async () => {},
    close: async () => {},
  };
}

/** What the seed's resources are made with, for assertions. */
export interface SeedResources {
  databaseId: string;
  serviceId: string;
  /** The value of OPENAI_API_KEY set by hand on the live service (a fake secret to look for in output). */
  openaiKey: string;
}

/** Creates the seed's database and web service (with `extraEnv` added to its env vars). */
export async function createSeedResources(
  emu: RunningEmulator,
  extraEnv: Record<string, string> = {},
): Promise<SeedResources> {
  const db = await api(emu, "POST", "/postgres", {
    name: "arrakis-prod-db",
    ownerId: emu.ownerId,
    plan: "basic_256mb",
    version: "17",
    region: "oregon",
    databaseName: "arrakis_production",
    databaseUser: "arrakis_prod_user",
    ipAllowList: [{ cidrBlock: "0.0.0.0/0", description: "Production access" }],
  });
  assert.equal(db.status, 201, JSON.stringify(db.body));
  const databaseId = (db.body as { id: string }).id;
  let connection: { internalConnectionString?: string } = {};
  for (let i = 0; i < 200; i++) {
    const info = await api(emu, "GET", `/postgres/${databaseId}`);
    if ((info.body as { status?: string }).status === "available") {
      connection = (await api(emu, "GET", `/postgres/${databaseId}/connection-info`))
        .body as typeof connection;
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  assert.ok(connection.internalConnectionString, "the seed database did not become available");
  const openaiKey = "sk-test-seed-openai-key-0123456789abcdef";
  const service = await api(emu, "POST", "/services", {
    type: "web_service",
    name: "arrakis-prod",
    ownerId: emu.ownerId,
    repo: "https://github.com/happydotemdr/arrakis",
    branch: "master",
    autoDeploy: "no",
    serviceDetails: {
      runtime: "node",
      plan: "starter",
      region: "oregon",
      healthCheckPath: "/",
      envSpecificDetails: { buildCommand: "npm install && npm run build", startCommand: "npm start" },
    },
    envVars: [
      // Render writes a fromDatabase link as the literal connection string.
      { key: "DATABASE_URL", value: connection.internalConnectionString },
      { key: "DIRECT_URL", value: connection.internalConnectionString },
      { key: "NODE_ENV", value: "production" },
      { key: "NEXTAUTH_SECRET", generateValue: true },
      { key: "NEXTAUTH_URL", value: "https://arrakis-prod.onrender.com" },
      { key: "OPENAI_API_KEY", value: openaiKey },
      ...Object.entries(extraEnv).map(([key, value]) => ({ key, value })),
    ],
  });
  assert.equal(service.status, 201, JSON.stringify(service.body));
  const serviceId = (service.body as { service: { id: string } }).service.id;
  return { databaseId, serviceId, openaiKey };
}
