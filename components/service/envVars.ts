/**
 * The env var set of anything Render calls a service (every service kind, and a static site), as its
 * provider keeps it: read live, resolve links from Render (never stored), compare key by key, replace the
 * whole set when it differs, and show in refresh what changed outside Pulumi without a value. Shared by
 * service/provider.ts and staticSite/provider.ts; the pure parts are in service/mapping.ts.
 */
import { isUnknown } from "../runtime/validation";
import type { RenderClient } from "../render/client";
import type { EnvVar } from "../render/schemas";
import { diffEnvVars, ownAddress, resolveEnvVars, toEnvVarBody, type LinkSource } from "./mapping";
import { isOwnAddressKind, type EnvVarInput } from "./schema";

/** What read shows for an env var set outside Pulumi: its key, never its value. */
export const hiddenValue = "(set outside Pulumi; value hidden)";
/** What read shows for a generated or linked value changed outside Pulumi. */
export const changedHiddenValue = "(changed outside Pulumi; value hidden)";
/** The plain note next to a secret env var changed outside Pulumi (its value shows only as [secret]). */
export const secretDrift = "value changed outside Pulumi";

/** The live env vars of a service, key -> value. */
export async function liveEnv(client: RenderClient, serviceId: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for await (const v of client.listEnvVars(serviceId)) out[v.key] = v.value;
  return out;
}

/** Connection info of every database or Key Value the env vars link to, by id (read from Render, never stored). */
export async function linkSources(
  client: RenderClient,
  envVars: Record<string, EnvVarInput>,
): Promise<Record<string, LinkSource>> {
  const ids = [
    ...new Set(
      Object.values(envVars)
        .filter((v) => v.kind === "linked" && v.database !== undefined && !isUnknown(v.database))
        .map((v) => v.database as string),
    ),
  ];
  // A Key Value's (`red-…`, render.yaml `fromService.property: connectionString`) links its internal URL.
  const infos = await Promise.all(
    ids.map((id) =>
      id.startsWith("red-")
        ? client.getKeyValueConnectionInfo(id).then((i) => ({ ...i, password: "" }))
        : client.getPostgresConnectionInfo(id),
    ),
  );
  return Object.fromEntries(ids.map((id, i) => [id, infos[i]]));
}

/** Generated values as they stand: recorded ones win (never regenerate), else what Render holds now. */
export function generatedOf(
  envVars: Record<string, EnvVarInput>,
  recorded: Record<string, string>,
  env: Record<string, string>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, v] of Object.entries(envVars)) {
    if (v.kind !== "generated") continue;
    const value = recorded[key] ?? env[key];
    if (value !== undefined) out[key] = value;
  }
  return out;
}

/** An env var list as Render answers it -> key -> value. */
export function envList(list: EnvVar[]): Record<string, string> {
  return Object.fromEntries(list.map((v) => [v.key, v.value]));
}

/** Whether some env var links a database or Key Value whose id is unknown (a preview before it exists). */
export function linksUnknown(envVars: Record<string, EnvVarInput>): boolean {
  return Object.values(envVars).some((v) => isUnknown(v.database));
}

/**
 * The env vars a refresh reads back, key by key against those the state manages (`managed`): a key set
 * outside Pulumi shows with a hidden value; a generated or linked one changed outside Pulumi shows as
 * changed, without its value; a secret changed outside Pulumi keeps its value hidden and says so in the
 * plain `drift` note (Pulumi prints both sides of a secret as [secret]). `linked` holds the values the
 * linked env vars should hold now (resolveEnvVars), `recorded` the generated values in state, `url` the
 * service's public URL ("" without one).
 */
export function envVarsAsRead(
  managed: Record<string, EnvVarInput>,
  env: Record<string, string>,
  linked: Record<string, EnvVarInput>,
  recorded: Record<string, string>,
  url: string,
): Record<string, EnvVarInput> {
  const envVars: Record<string, EnvVarInput> = {};
  for (const [key, value] of Object.entries(env)) {
    const mine = managed[key];
    if (!mine) envVars[key] = { kind: "plain", value: hiddenValue };
    else if (mine.kind === "generated")
      envVars[key] =
        recorded[key] === undefined || recorded[key] === value
          ? { kind: "generated" }
          : { kind: "generated", value: changedHiddenValue };
    else if (mine.kind === "linked") {
      const { kind, database, property } = mine;
      envVars[key] =
        linked[key]?.value === value
          ? { kind, database, property }
          : { kind, database, property, value: changedHiddenValue };
    } else if (isOwnAddressKind(mine.kind))
      envVars[key] = value === ownAddress(mine.kind, url) ? { kind: mine.kind } : { kind: "plain", value };
    else if (mine.kind === "secret")
      envVars[key] =
        value === mine.value
          ? { kind: "secret", value }
          : { kind: "secret", value: changedHiddenValue, drift: secretDrift };
    else envVars[key] = { kind: mine.kind, value };
  }
  return envVars;
}

/**
 * A service's live env vars and the values its linked env vars should hold now (read at once: the
 * databases' connection info from Render, never stored). A linked database gone or unreadable leaves
 * its links without a value, so a refresh shows them as changed.
 */
export async function liveEnvAndLinks(
  client: RenderClient,
  lookups: RenderClient,
  id: string,
  managed: Record<string, EnvVarInput>,
): Promise<{ env: Record<string, string>; linked: Record<string, EnvVarInput> }> {
  const links = Object.fromEntries(Object.entries(managed).filter(([, v]) => v.kind === "linked"));
  const [envRead, sources] = await Promise.allSettled([liveEnv(client, id), linkSources(lookups, links)]);
  if (envRead.status === "rejected") throw envRead.reason;
  let linked: Record<string, EnvVarInput> = {};
  try {
    if (sources.status === "rejected") throw sources.reason;
    linked = resolveEnvVars(links, "", sources.value);
  } catch {
    linked = {};
  }
  return { env: envRead.value, linked };
}

/**
 * Whether the live env vars differ from the desired ones (links resolved from Render, generated values
 * compared with the recorded ones); `undefined` when a linked database is gone from Render (its own error
 * says what to do; the links must change anyway).
 */
export async function envVarsDiffer(
  client: RenderClient,
  id: string,
  envVars: Record<string, EnvVarInput>,
  url: string,
  recorded: Record<string, string>,
  isNotFound: (err: unknown) => boolean,
): Promise<boolean | undefined> {
  const env = await liveEnv(client, id);
  let sources: Record<string, LinkSource>;
  try {
    sources = await linkSources(client, envVars);
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
  const { added, removed, changed } = diffEnvVars(resolveEnvVars(envVars, url, sources), env, recorded);
  return added.length + removed.length + changed.length > 0;
}

/** The env var body of a create: links resolved from Render, a `serviceUrl` the URL Render will give. */
export async function envVarsForCreate(
  client: RenderClient,
  envVars: Record<string, EnvVarInput>,
  url: string,
) {
  return toEnvVarBody(resolveEnvVars(envVars, url, await linkSources(client, envVars)));
}

/**
 * Brings the live env var set to the desired one: replaced whole when any key differs, generated values
 * kept as recorded (never regenerated). Answers the live set after, whether it was written, and the
 * generated values to record.
 */
export async function convergeEnvVars(
  client: RenderClient,
  id: string,
  envVars: Record<string, EnvVarInput>,
  url: string,
  recorded: Record<string, string>,
): Promise<{ env: Record<string, string>; written: boolean; generatedValues: Record<string, string> }> {
  let env = await liveEnv(client, id);
  const desired = resolveEnvVars(envVars, url, await linkSources(client, envVars));
  const keep = generatedOf(envVars, recorded, env);
  const { added, removed, changed } = diffEnvVars(desired, env, recorded);
  const written = added.length + removed.length + changed.length > 0;
  if (written) env = envList(await client.replaceEnvVars(id, toEnvVarBody(desired, keep)));
  return { env, written, generatedValues: generatedOf(envVars, keep, env) };
}
