/**
 * Shared helpers of the reliability tests (issue 9): one emulator and one stack of the arrakis program
 * (Pulumi.local.yaml's config pointed at the emulator, the database unprotected so `pulumi destroy`
 * can empty the world between cases), the checks every case ends with (exactly one database and one
 * service, nothing orphaned, Pulumi's state = Render, no secret in any output), the request log
 * grouped by endpoint, and a table printer.
 */
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import { startEmulator, type RunningEmulator } from "../../emulator";
import type { PulumiResult, PulumiStack, RunOptions } from "../../tools/harness/pulumiCli";
import {
  EmulatorApi,
  createArrakisStack,
  readStackFile,
  withEmulatorPolling,
} from "../../tools/harness/stackHelpers";
import { trustingEmulator } from "../../tools/harness/emulatorTrust";

/** Pulumi.local.yaml, split by how each value is set. */
export const localStack = readStackFile();
/** The database's name on Render in the local stack. */
export const databaseName = String(localStack.objects["arrakis:database"].name);
/** The service's name on Render in the local stack. */
export const serviceName = String(localStack.objects["arrakis:service"].name);

/**
 * The client's request timeout in the fault matrix's stacks (`render:requestTimeoutMs`), so its timeout
 * case waits past 15 s, not past the client's default 30 s (still longer than a busy emulator takes to answer).
 */
export const matrixRequestTimeoutMs = 15_000;

/** One line of the emulator's request log. */
export interface LoggedRequest {
  method: string;
  path: string;
  query: string;
  status: number;
  fault?: string;
}

/** A database or service as the list APIs show it. */
export interface LiveObject {
  id: string;
  name: string;
  status?: string;
}

/** An emulator, its API client, the secrets of this run and every CLI result to scan for them. */
export class ReliabilityWorld {
  /** Every CLI result of this world, for the secret scan. */
  readonly results: PulumiResult[] = [];
  /** Secret values seen so far (name → values): a database made and deleted still had a password. */
  private readonly secrets = new Map<string, Set<string>>();
  stack: PulumiStack | undefined;
  /** The client's request timeout the next stacks get (`render:requestTimeoutMs`); default the client's. */
  requestTimeoutMs: number | undefined;

  private constructor(
    readonly emu: RunningEmulator,
    readonly api: EmulatorApi,
    /** OPENAI_API_KEY given to the stack: distinct per run, so finding it means it leaked from this run. */
    readonly openaiApiKey: string,
  ) {
    this.remember("the Render API key", emu.apiKey);
    this.remember("OPENAI_API_KEY", openaiApiKey);
  }

  /** Starts an emulator (fast timings, the local stack's workspace, a random key). */
  static async start(): Promise<ReliabilityWorld> {
    const emu = await startEmulator({
      port: 0,
      timings: "fast",
      ownerId: localStack.plain["render:ownerId"],
      apiKey: `rnd_${randomBytes(16).toString("hex")}`,
    });
    return new ReliabilityWorld(emu, new EmulatorApi(emu), `sk-rel-${randomBytes(12).toString("hex")}`);
  }

  /**
   * Creates a stack of the arrakis program against this emulator: Pulumi.local.yaml's config, the
   * database unprotected (so destroy can reset the world), plus `objectOverrides` merged into
   * `arrakis:database` / `arrakis:service`.
   */
  async createStack(
    stackName = "local",
    objectOverrides: { database?: Record<string, unknown>; service?: Record<string, unknown> } = {},
  ): Promise<PulumiStack> {
    this.stack = await trustingEmulator(this.emu, () =>
      createArrakisStack({
        stackName,
        config: {
          ...localStack.plain,
          "render:apiUrl": this.emu.url,
          "render:ownerId": this.emu.ownerId,
          ...(this.requestTimeoutMs ? { "render:requestTimeoutMs": String(this.requestTimeoutMs) } : {}),
        },
        secretConfig: { "render:apiKey": this.emu.apiKey, "arrakis:openaiApiKey": this.openaiApiKey },
        objectConfig: withEmulatorPolling({
          ...Object.fromEntries(
            Object.entries(localStack.objects).filter(
              ([key]) => key !== "arrakis:database" && key !== "arrakis:service",
            ),
          ),
          "arrakis:database": {
            ...localStack.objects["arrakis:database"],
            protect: false,
            ...objectOverrides.database,
          },
          "arrakis:service": { ...localStack.objects["arrakis:service"], ...objectOverrides.service },
        }),
      }),
    );
    return this.stack;
  }

  /** The current stack; fails when there is none. */
  get current(): PulumiStack {
    if (!this.stack) throw new Error("no stack: call createStack first");
    return this.stack;
  }

  /** Runs a CLI command of the current stack and keeps its result for the secret scan. */
  async track(run: (stack: PulumiStack) => Promise<PulumiResult>): Promise<PulumiResult> {
    const result = await run(this.current);
    this.results.push(result);
    return result;
  }

  /** `pulumi up` (kept for the scan). */
  up(options: RunOptions = {}): Promise<PulumiResult> {
    return this.track((s) => s.up([], options));
  }

  /** `pulumi preview --expect-no-changes` (kept for the scan). */
  previewNoChanges(options: RunOptions = {}): Promise<PulumiResult> {
    return this.track((s) => s.preview(["--expect-no-changes"], options));
  }

  /** `pulumi destroy` (kept for the scan). */
  destroy(options: RunOptions = {}): Promise<PulumiResult> {
    return this.track((s) => s.destroy([], options));
  }

  /** Stops the stack's children, removes it, closes the emulator. */
  async close(): Promise<void> {
    await this.stack?.cleanup();
    this.stack = undefined;
    await this.emu.close();
  }

  /**
   * Shortens the emulator's rate-limit windows (timeScale 0.01: a 60 s window lasts 0.6 s), so a 429
   * without Retry-After, which the client waits out by `Ratelimit-Reset`, costs a second, not a minute;
   * and gives the stacks made from now on the matrix's request timeout ({@link matrixRequestTimeoutMs}).
   */
  async configureForMatrix(): Promise<void> {
    this.requestTimeoutMs = matrixRequestTimeoutMs;
    const answer = await this.api.control("PUT", "/rate-limits", { timeScale: 0.01 });
    if (answer.status !== 200) throw new Error(`could not set rate limits: ${JSON.stringify(answer.body)}`);
  }

  /** Clears the emulator's faults and its request log. */
  async clearFaultsAndLog(): Promise<void> {
    await this.api.control("DELETE", "/faults");
    await this.api.control("DELETE", "/requests");
  }

  /** Arms a fault (`POST /_emulator/faults`); answers its id. */
  async armFault(fault: FaultSpec): Promise<string> {
    const answer = await this.api.control<{ id: string }>("POST", "/faults", fault);
    if (answer.status !== 201) throw new Error(`could not arm fault: ${JSON.stringify(answer.body)}`);
    return answer.body.id;
  }

  /** Faults still armed (not consumed). */
  async armedFaults(): Promise<unknown[]> {
    return (await this.api.control<unknown[]>("GET", "/faults")).body;
  }

  /**
   * The request log, oldest first. With `after`: once it holds other than `after` entries (a new
   * request), or after `waitMs` anyway (the emulator's long poll).
   */
  async requests(wait?: { after: number; waitMs: number }): Promise<LoggedRequest[]> {
    const query = wait ? `?after=${wait.after}&waitMs=${Math.round(wait.waitMs)}` : "";
    const answer = await this.api.control<LoggedRequest[]>("GET", `/requests${query}`);
    if (answer.status !== 200)
      throw new Error(`GET /_emulator/requests${query}: ${JSON.stringify(answer.body)}`);
    return answer.body;
  }

  /** Every database and service of the workspace, as the list APIs show them. */
  async liveObjects(): Promise<{ postgres: LiveObject[]; services: LiveObject[] }> {
    const postgres = await this.api.mustRender<Array<{ postgres: LiveObject }>>("GET", "/postgres?limit=100");
    const services = await this.api.mustRender<Array<{ service: LiveObject }>>("GET", "/services?limit=100");
    return { postgres: postgres.map((e) => e.postgres), services: services.map((e) => e.service) };
  }

  /** Records a secret value to search for. */
  remember(name: string, value: string | undefined): void {
    if (!value) return;
    const values = this.secrets.get(name) ?? new Set<string>();
    values.add(value);
    this.secrets.set(name, values);
  }

  /** Records the secrets of every live database (password, both connection strings) and service (env). */
  async collectSecrets(): Promise<void> {
    const { postgres, services } = await this.liveObjects();
    for (const db of postgres) {
      const info = await this.api.render<{
        password: string;
        internalConnectionString: string;
        externalConnectionString: string;
      }>("GET", `/postgres/${db.id}/connection-info`);
      if (info.status !== 200) continue;
      this.remember("the database password", info.body.password);
      this.remember("the internal connection string", info.body.internalConnectionString);
      this.remember("the external connection string", info.body.externalConnectionString);
    }
    for (const service of services) {
      const env = await this.api.envVars(service.id).catch(() => ({}) as Record<string, string>);
      this.remember("NEXTAUTH_SECRET", env.NEXTAUTH_SECRET);
      this.remember("OPENAI_API_KEY", env.OPENAI_API_KEY);
    }
  }

  /**
   * Secrets found in plaintext: in the given texts (e.g. a `pulumi stack export`) and in every CLI
   * result so far. Each finding names the secret and where, never the value.
   */
  findLeaks(extraTexts: Record<string, string> = {}): string[] {
    const leaks: string[] = [];
    const texts: Array<[string, string]> = [
      ...Object.entries(extraTexts),
      ...this.results.map((r): [string, string] => [
        `pulumi ${r.args.slice(0, 1).join(" ")}`,
        r.stdout + r.stderr,
      ]),
    ];
    for (const [name, values] of this.secrets) {
      for (const value of values) {
        if (value.length < 8) continue;
        for (const [where, text] of texts) {
          if (text.includes(value)) leaks.push(`${name} in the output of ${where}`);
        }
      }
    }
    return [...new Set(leaks)];
  }

  /**
   * The state of the world after a case. With `expect: "present"`: exactly one database and one
   * service of the stack's names, both in Pulumi's state with the live ids, the database available
   * and the service with a live deploy. With `"absent"`: nothing on Render, nothing in state.
   */
  async inspect(expect: "present" | "absent" = "present"): Promise<WorldCheck> {
    const problems: string[] = [];
    const { postgres, services } = await this.liveObjects();
    const state = await stateIds(this.current);
    const dbs = postgres.filter((p) => p.name === databaseName);
    const svcs = services.filter((s) => s.name === serviceName);
    const duplicates = Math.max(0, dbs.length - 1) + Math.max(0, svcs.length - 1);
    if (duplicates > 0)
      problems.push(`${dbs.length} databases and ${svcs.length} services of the stack's names`);
    // Orphans: live objects Pulumi's state does not hold (they cost money and nothing manages them).
    const orphans =
      postgres.filter((p) => !state.postgres.includes(p.id)).length +
      services.filter((s) => !state.services.includes(s.id)).length;
    if (orphans > 0)
      problems.push(
        `orphans: live ${postgres.map((p) => p.id).join(",") || "-"} / ${services.map((s) => s.id).join(",") || "-"}` +
          `, in state ${state.postgres.join(",") || "-"} / ${state.services.join(",") || "-"}`,
      );
    // Ghosts: ids in state that Render does not have.
    const ghosts =
      state.postgres.filter((id) => !postgres.some((p) => p.id === id)).length +
      state.services.filter((id) => !services.some((s) => s.id === id)).length;
    if (ghosts > 0) problems.push(`${ghosts} ids in Pulumi's state that Render does not have`);
    // Not a problem of the world: Pulumi 3.248 keeps the pending create of a killed run in the state
    // (even after a later up adopted the object) and says nothing of it; `pulumi refresh
    // --clear-pending-creates` drops it. Reported, not failed.
    const pendingOperations = state.pendingOperations;
    if (expect === "present") {
      if (dbs.length === 0) problems.push("no database");
      if (svcs.length === 0) problems.push("no service");
      for (const db of dbs) {
        const live = await this.api.mustRender<{ status: string }>("GET", `/postgres/${db.id}`);
        if (live.status !== "available") problems.push(`database ${db.id} is ${live.status}`);
      }
      for (const svc of svcs) {
        const live = await this.api.mustRender<Array<{ deploy: { status: string } }>>(
          "GET",
          `/services/${svc.id}/deploys?limit=20`,
        );
        if (!live.some((d) => d.deploy.status === "live"))
          problems.push(`service ${svc.id} has no live deploy`);
      }
    } else if (postgres.length + services.length > 0) {
      problems.push(
        `expected nothing on Render, found ${postgres.length} databases, ${services.length} services`,
      );
    }
    return { ok: problems.length === 0, duplicates, orphans, pendingOperations, problems };
  }
}

/** What {@link ReliabilityWorld.inspect} found. */
export interface WorldCheck {
  ok: boolean;
  /** Objects beyond the first of each name. */
  duplicates: number;
  /** Live objects not in Pulumi's state. */
  orphans: number;
  /** Pending operations left in Pulumi's state (from a killed run). */
  pendingOperations: number;
  problems: string[];
}

/** A fault as the control API takes it. */
export interface FaultSpec {
  method?: string;
  /** Glob over the `/v1/...` path (`*` one segment, `**` any). */
  path: string;
  /** The next N matches (default 1). */
  count?: number;
  fault:
    | { kind: "status"; status: number; retryAfter?: number }
    | { kind: "delay"; ms: number }
    | { kind: "reset" }
    | { kind: "lose-response" };
}

/** Render ids in Pulumi's state, by type, and the number of pending operations. */
export async function stateIds(
  stack: PulumiStack,
): Promise<{ postgres: string[]; services: string[]; pendingOperations: number }> {
  const exported = (await stack.exportState()) as {
    deployment: { resources?: Array<Record<string, unknown>>; pending_operations?: unknown[] };
  };
  const resources = exported.deployment.resources ?? [];
  const ids = (suffix: string) =>
    resources.filter((r) => String(r.type).endsWith(suffix) && r.id).map((r) => String(r.id));
  return {
    postgres: ids("render:Postgres"),
    services: ids("render:WebService"),
    pendingOperations: exported.deployment.pending_operations?.length ?? 0,
  };
}

/** A request path with Render ids replaced by placeholders: `/v1/postgres/{id}/connection-info`. */
export function pathTemplate(path: string): string {
  return path
    .split("/")
    .map((segment) => {
      if (/^(dpg|srv|dep|tea|usr|evm|evg)-[a-z0-9]+(-[a-z]+)?$/i.test(segment))
        return `{${segment.split("-")[0]}}`;
      return segment;
    })
    .join("/")
    .replace(/\/env-vars\/[A-Za-z_][A-Za-z0-9_]*$/, "/env-vars/{key}");
}

/** The endpoints (`METHOD /path/template`) of a request log, with how often each was called. */
export function endpointsOf(log: LoggedRequest[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of log) {
    const key = `${r.method} ${pathTemplate(r.path)}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/** A glob the fault store matches for an endpoint template (`{…}` → `*`). */
export function globOf(template: string): string {
  return template.replace(/\{[a-z]+\}/g, "*");
}

/** Formats a table with aligned columns (for the console). */
export function formatTable(headers: string[], rows: Array<Array<string | number>>): string {
  const cells = [headers, ...rows.map((row) => row.map(String))];
  const widths = headers.map((_, i) => Math.max(...cells.map((row) => (row[i] ?? "").length)));
  const line = (row: string[]) => `| ${row.map((cell, i) => cell.padEnd(widths[i])).join(" | ")} |`;
  return [
    line(cells[0]),
    `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`,
    ...cells.slice(1).map(line),
  ].join("\n");
}

/**
 * Waits until the request log satisfies `ready`, or fails after `timeoutMs`. No polling: each read
 * after the first is a long poll (`GET /_emulator/requests?after=N&waitMs=M`) that the emulator
 * answers when the next request is logged, so `ready` is checked once per new request.
 */
export async function waitForLog(
  world: ReliabilityWorld,
  ready: (log: LoggedRequest[]) => boolean,
  timeoutMs = 180_000,
): Promise<LoggedRequest[]> {
  const deadline = Date.now() + timeoutMs;
  let log = await world.requests();
  while (!ready(log)) {
    const left = deadline - Date.now();
    if (left <= 0)
      throw new Error(`timed out after ${timeoutMs} ms waiting for a request in the emulator's log`);
    log = await world.requests({ after: log.length, waitMs: Math.min(left, 10_000) });
  }
  return log;
}

/**
 * Waits until no process runs in `dir` (see {@link processesIn}), checking `/proc` each
 * `intervalMs`; answers the processes still there after `timeoutMs` (empty when all are gone).
 */
export async function processesGone(dir: string, timeoutMs = 5_000, intervalMs = 50): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = processesIn(dir);
    if (left.length === 0 || Date.now() > deadline) return left;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Short text of a CLI result for messages: exit code and the last lines of its output. */
export function summary(result: PulumiResult, lines = 25): string {
  const text = `${result.stdout}\n${result.stderr}`.trim().split("\n");
  return `pulumi ${result.args.slice(0, 2).join(" ")} exited ${result.code}\n${text.slice(-lines).join("\n")}`;
}

/**
 * Processes whose working directory is `dir` (the CLI, the program host and the provider hosts of a
 * stack all run in its project folder). Linux only (`/proc`); elsewhere an empty list.
 */
export function processesIn(dir: string): number[] {
  if (!fs.existsSync("/proc/self/cwd")) return [];
  const found: number[] = [];
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (fs.readlinkSync(`/proc/${entry}/cwd`) === dir) found.push(Number(entry));
    } catch {
      // Gone, or not ours to read.
    }
  }
  return found;
}
