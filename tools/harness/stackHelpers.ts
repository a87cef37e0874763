/**
 * Helpers of the engine tests and benchmarks on the arrakis program itself (tests/engine/, bench/): the local
 * stack's config as Pulumi.local.yaml holds it, a lean copy of the program, structured stack config
 * written into the stack file, and a small client of the emulator's Render and control APIs.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import { randomBytes } from "node:crypto";
import { startEmulator, type RunningEmulator } from "../../emulator";
import { PulumiStack } from "./pulumiCli";

const repoRoot = path.resolve(__dirname, "..", "..");

/** Top-level entries of the repository the program does not need (and `.local` holds databases). */
const notProgram = new Set(["node_modules", "tests", "bench", "bin"]);

/** The local stack's config from Pulumi.local.yaml, split by how it must be set. */
export interface LocalStackConfig {
  /** Plain string values, `namespace:key` → value. */
  plain: Record<string, string>;
  /** Structured values (`arrakis:database`, `arrakis:service`), `namespace:key` → object. */
  objects: Record<string, Record<string, unknown>>;
  /** Keys stored encrypted with the local passphrase; a test gives its own values. */
  secureKeys: string[];
}

/** Reads Pulumi.local.yaml (or another stack file) of the repository. */
export function readStackFile(file = path.join(repoRoot, "Pulumi.local.yaml")): LocalStackConfig {
  const doc = parse(fs.readFileSync(file, "utf8")) as { config?: Record<string, unknown> };
  const out: LocalStackConfig = { plain: {}, objects: {}, secureKeys: [] };
  for (const [key, value] of Object.entries(doc.config ?? {})) {
    if (value !== null && typeof value === "object" && "secure" in value) out.secureKeys.push(key);
    else if (value !== null && typeof value === "object")
      out.objects[key] = structuredClone(value) as Record<string, unknown>;
    else out.plain[key] = String(value);
  }
  return out;
}

/**
 * Copies the program (Pulumi.yaml, index.ts, components/, …) into a temp folder that
 * {@link PulumiStack.create} can copy in turn: without `.local` (the local stack's emulator data),
 * tests or stack files, and with a `node_modules` link so the copy resolves the repository's packages.
 * Remove it with {@link removeProgramCopy} once the stack exists.
 */
export function copyProgram(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "arrakis-program-"));
  for (const entry of fs.readdirSync(repoRoot)) {
    if (entry.startsWith(".") || notProgram.has(entry) || /^Pulumi\..+\.yaml$/.test(entry)) continue;
    fs.cpSync(path.join(repoRoot, entry), path.join(dir, entry), { recursive: true });
  }
  fs.symlinkSync(path.join(repoRoot, "node_modules"), path.join(dir, "node_modules"), "dir");
  return dir;
}

/** Removes a folder made by {@link copyProgram}. */
export function removeProgramCopy(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

/**
 * Writes structured config (objects) into the stack's own `Pulumi.<stack>.yaml`, keeping what the CLI
 * wrote there (the encryption salt and secrets): the program reads them as JSON, like `--path` values.
 */
export function writeObjectConfig(stack: PulumiStack, objects: Record<string, unknown>): void {
  const file = path.join(stack.projectDir, `Pulumi.${stack.stackName}.yaml`);
  const doc = (fs.existsSync(file) ? parse(fs.readFileSync(file, "utf8")) : {}) as {
    config?: Record<string, unknown>;
  };
  doc.config = { ...(doc.config ?? {}), ...objects };
  fs.writeFileSync(file, stringify(doc));
}

/** Creates a stack of the arrakis program from a copy of it, with plain, secret and structured config. */
export async function createArrakisStack(options: {
  stackName: string;
  config: Record<string, string>;
  secretConfig: Record<string, string>;
  objectConfig: Record<string, unknown>;
}): Promise<PulumiStack> {
  const programDir = copyProgram();
  try {
    const stack = await PulumiStack.create({
      programDir,
      stackName: options.stackName,
      config: options.config,
      secretConfig: options.secretConfig,
    });
    writeObjectConfig(stack, options.objectConfig);
    return stack;
  } finally {
    removeProgramCopy(programDir);
  }
}

/** One answer of the emulator. */
export interface ApiAnswer<T = unknown> {
  status: number;
  body: T;
}

/**
 * An emulator for a stack of the arrakis program with the local stack's config: fast timings, the
 * workspace of Pulumi.local.yaml and a random API key (so a key that leaks into output is found).
 */
export function startLocalEmulator(): Promise<RunningEmulator> {
  return startEmulator({
    port: 0,
    timings: "fast",
    ownerId: readStackFile().plain["render:ownerId"],
    apiKey: `rnd_${randomBytes(16).toString("hex")}`,
  });
}

/** A client of the emulator: its Render API (with the stack's key) and its control API. */
export class EmulatorApi {
  constructor(private readonly emu: RunningEmulator) {}

  /** Calls `/v1<apiPath>` with the Bearer key. */
  async render<T = unknown>(method: string, apiPath: string, body?: unknown): Promise<ApiAnswer<T>> {
    return this.call<T>(`${this.emu.url}${apiPath}`, method, body, {
      authorization: `Bearer ${this.emu.apiKey}`,
    });
  }

  /** Like {@link render}, but fails unless the status is 2xx. */
  async mustRender<T = unknown>(method: string, apiPath: string, body?: unknown): Promise<T> {
    const answer = await this.render<T>(method, apiPath, body);
    if (answer.status < 200 || answer.status > 299)
      throw new Error(`${method} ${apiPath} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    return answer.body;
  }

  /** Calls `/_emulator<controlPath>`. */
  async control<T = unknown>(method: string, controlPath: string, body?: unknown): Promise<ApiAnswer<T>> {
    return this.call<T>(`${this.emu.controlUrl}${controlPath}`, method, body, {});
  }

  /** The request log (method, path, status), oldest first as the emulator keeps it. */
  async requests(): Promise<Array<{ method: string; path: string; status: number }>> {
    return (await this.control<Array<{ method: string; path: string; status: number }>>("GET", "/requests"))
      .body;
  }

  /** The env vars of a service, key → value. */
  async envVars(serviceId: string): Promise<Record<string, string>> {
    const list = await this.mustRender<Array<{ envVar: { key: string; value: string } }>>(
      "GET",
      `/services/${serviceId}/env-vars?limit=100`,
    );
    return Object.fromEntries(list.map(({ envVar }) => [envVar.key, envVar.value]));
  }

  /** Polls `check` every few milliseconds until it returns true, or fails after `timeoutMs`. */
  async until(what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  private async call<T>(
    url: string,
    method: string,
    body: unknown,
    headers: Record<string, string>,
  ): Promise<ApiAnswer<T>> {
    const response = await fetch(url, {
      method,
      headers: {
        accept: "application/json",
        ...headers,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
  }
}

/**
 * Status polling for stacks on an emulator with fast timings (milliseconds, not minutes): the database
 * and deploy waits poll every 200 ms instead of ramping from 1 s up to Render's 8 s, so an `up` sees a
 * database available (a PGlite start, seconds under load) or a deploy live within 200 ms, not up to 8 s
 * later. Wait settings live only in the stack's state: they never show as a change.
 */
export const emulatorPolling = {
  "arrakis:database": { pollIntervalSeconds: 0.2 },
  "arrakis:deploy": { pollIntervalMs: 200 },
} as const;

/**
 * Structured stack config with {@link emulatorPolling} merged into its database settings (when present)
 * and its deploy settings (optional in the program: added when absent).
 */
export function withEmulatorPolling(objects: Record<string, unknown>): Record<string, unknown> {
  const out = { ...objects };
  for (const [key, polling] of Object.entries(emulatorPolling)) {
    const current = out[key];
    if (current !== undefined && (current === null || typeof current !== "object" || Array.isArray(current)))
      continue;
    if (current === undefined && key !== "arrakis:deploy") continue;
    out[key] = { ...(current ?? {}), ...polling };
  }
  return out;
}
