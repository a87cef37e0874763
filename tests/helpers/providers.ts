/**
 * Drives our dynamic providers directly, the way the provider host does after deserializing them:
 * `configure` with the stack config, then check/diff/create/read/update/delete.
 */
import type * as pulumi from "@pulumi/pulumi";

/** Stack config as the provider host hands it to `configure`. */
export function stackConfig(values: Record<string, string | undefined>): pulumi.dynamic.ConfigureRequest {
  return {
    config: {
      get: (key: string) => values[key],
      require: (key: string) => {
        const v = values[key];
        if (v === undefined) throw new Error(`missing ${key}`);
        return v;
      },
    },
  };
}

/** A provider configured for an emulator (or any Render API) with this key. */
export async function configured<P extends pulumi.dynamic.ResourceProvider>(
  provider: P,
  api: { url: string; apiKey: string },
): Promise<P> {
  await provider.configure?.(stackConfig({ "render:apiKey": api.apiKey, "render:apiUrl": api.url }));
  return provider;
}

/** `check` that must pass: answers the checked inputs, failing the test with the failures otherwise. */
export async function checked<I>(
  provider: pulumi.dynamic.ResourceProvider,
  news: Record<string, unknown>,
): Promise<I> {
  const result = await provider.check!({}, news);
  if (result.failures && result.failures.length > 0)
    throw new Error(`check failed: ${JSON.stringify(result.failures)}`);
  return result.inputs as I;
}

/** Sends a JSON request to the emulator (API or control), answering status and parsed body. */
export async function call(
  base: string,
  method: string,
  path: string,
  options: { apiKey?: string; body?: unknown } = {},
): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}),
      ...(options.body !== undefined ? { "content-type": "application/json" } : {}),
    },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, body };
}

/**
 * Creates a project with environments named `names` in the emulator's workspace (resources may be placed
 * only in environments that exist) and answers their ids by name.
 */
export async function environmentsIn(
  emu: { url: string; apiKey: string; ownerId: string },
  names: string[] = ["production", "staging"],
  project = `project-${Math.random().toString(36).slice(2, 8)}`,
): Promise<Record<string, string>> {
  const created = await call(emu.url, "POST", "/projects", {
    apiKey: emu.apiKey,
    body: { name: project, ownerId: emu.ownerId, environments: names.map((name) => ({ name })) },
  });
  if (created.status !== 201) throw new Error(`POST /projects answered ${created.status}`);
  const ids = (created.body as { environmentIds: string[] }).environmentIds;
  return Object.fromEntries(names.map((name, i) => [name, ids[i]!]));
}
