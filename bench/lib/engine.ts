/**
 * Shared pieces of the engine benchmarks (bench/run.ts): stacks of the arrakis program (or of a bench
 * program in its place) through the real CLI, the emulator's request log, the memory of the engine's
 * process tree, and the `name: value (floor: …, ratio …)` lines the figures print.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { databaseTrustEnv, type RunningEmulator } from "../../emulator";
import { PulumiStack, type PulumiResult } from "../../tools/harness/pulumiCli";
import {
  copyProgram,
  readStackFile,
  removeProgramCopy,
  writeObjectConfig,
} from "../../tools/harness/stackHelpers";

/** The local stack's config (Pulumi.local.yaml). */
export const local = readStackFile();

/** One entry of the emulator's request log. */
export interface LoggedRequest {
  method: string;
  path: string;
  query: string;
  status: number;
  durationMs: number;
  at: string;
  fault?: string;
}

/** The control API of an emulator, the calls the bench needs. */
export class Control {
  constructor(private readonly emu: RunningEmulator) {}

  async call<T = unknown>(method: string, controlPath: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.emu.controlUrl}${controlPath}`, {
      method,
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${controlPath} answered ${response.status}: ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /** The `/v1` request log, oldest first. */
  requests(): Promise<LoggedRequest[]> {
    return this.call<LoggedRequest[]>("GET", "/requests");
  }

  async clearRequests(): Promise<void> {
    await this.call("DELETE", "/requests");
  }

  /** Calls the Render API with the emulator's key; fails unless 2xx. */
  async render<T = unknown>(method: string, apiPath: string): Promise<T> {
    const response = await fetch(`${this.emu.url}${apiPath}`, {
      method,
      headers: { authorization: `Bearer ${this.emu.apiKey}`, accept: "application/json" },
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${apiPath} answered ${response.status}: ${text}`);
    return JSON.parse(text) as T;
  }
}

/** Stack config of the arrakis program against `emu`, as Pulumi.local.yaml has it. */
export function arrakisConfig(emu: RunningEmulator, extra: Record<string, string> = {}) {
  return {
    config: { ...local.plain, "render:apiUrl": emu.url, "render:ownerId": emu.ownerId, ...extra },
    secretConfig: { "render:apiKey": emu.apiKey, "arrakis:openaiApiKey": "sk-bench-not-a-secret" },
    // The emulator's databases speak TLS with certificates of its own CA, as Render's do with theirs.
    env: databaseTrustEnv(emu),
    objectConfig: {
      "arrakis:database": local.objects["arrakis:database"],
      "arrakis:service": local.objects["arrakis:service"],
      "arrakis:deploy": local.objects["arrakis:deploy"],
    } as Record<string, unknown>,
  };
}

/**
 * A stack of the arrakis program (a copy of the repository's program), or of a bench program put in
 * the place of its index.ts (`programFile`, whose `../../components` imports become `./components`).
 */
export async function createStack(options: {
  stackName: string;
  config: Record<string, string>;
  secretConfig: Record<string, string>;
  objectConfig?: Record<string, unknown>;
  programFile?: string;
  timeoutMs?: number;
  /** Environment of every command (e.g. the emulator's CA for the database connections). */
  env?: Record<string, string>;
}): Promise<PulumiStack> {
  const programDir = copyProgram();
  try {
    if (options.programFile) {
      const source = fs
        .readFileSync(options.programFile, "utf8")
        .replace(/(["'])\.\.\/\.\.\/components/g, "$1./components");
      fs.writeFileSync(path.join(programDir, "index.ts"), source);
    }
    const stack = await PulumiStack.create({
      programDir,
      stackName: options.stackName,
      config: options.config,
      secretConfig: options.secretConfig,
      timeoutMs: options.timeoutMs ?? 600_000,
      env: options.env,
    });
    if (options.objectConfig) writeObjectConfig(stack, options.objectConfig);
    return stack;
  } finally {
    removeProgramCopy(programDir);
  }
}

/** Fails with the CLI's output unless the command exited 0. */
export function mustSucceed(result: PulumiResult): PulumiResult {
  if (result.code !== 0)
    throw new Error(
      `pulumi ${result.args.join(" ")} exited ${result.code}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`,
    );
  return result;
}

/** Prints one figure: `name: value (floor: …, ratio …)`. */
export function figure(name: string, value: string | number, floor?: string | number, ratio?: number): void {
  const extra =
    floor === undefined
      ? ""
      : ` (floor: ${floor}${ratio === undefined ? "" : `, ratio ${ratio.toFixed(2)}`})`;
  console.log(`${name}: ${value}${extra}`);
}

/** A plain `name: value` line of detail under a figure. */
export function detail(name: string, value: string | number): void {
  console.log(`  ${name}: ${value}`);
}

/** Milliseconds as seconds with one decimal. */
export function secs(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

// ---- memory of the engine's processes --------------------------------------------------------------

interface ProcInfo {
  pid: number;
  ppid: number;
  comm: string;
  rssKb: number;
}

function readProcs(): ProcInfo[] {
  const out: ProcInfo[] = [];
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const status = fs.readFileSync(`/proc/${entry}/status`, "utf8");
      const field = (name: string) => new RegExp(`^${name}:\\s*(.*)$`, "m").exec(status)?.[1] ?? "";
      out.push({
        pid: Number(entry),
        ppid: Number(field("PPid")),
        comm: field("Name").trim(),
        rssKb: Number.parseInt(field("VmRSS"), 10) || 0,
      });
    } catch {
      // The process ended while we looked.
    }
  }
  return out;
}

/** Peak resident memory of this process's descendants (the CLI, its plugins, the program host). */
export class TreeMemorySampler {
  /** Peak of the summed RSS of the descendants named `node`, in KB. */
  peakNodeKb = 0;
  /** Peak of the summed RSS of every descendant, in KB. */
  peakTotalKb = 0;
  /** Most Node processes seen at once. */
  peakNodeCount = 0;
  private timer: NodeJS.Timeout | undefined;

  start(intervalMs = 200): void {
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.sample();
  }

  private sample(): void {
    const procs = readProcs();
    const children = new Map<number, ProcInfo[]>();
    for (const p of procs) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p]);
    const tree: ProcInfo[] = [];
    const queue = [...(children.get(process.pid) ?? [])];
    while (queue.length > 0) {
      const p = queue.shift() as ProcInfo;
      tree.push(p);
      queue.push(...(children.get(p.pid) ?? []));
    }
    const nodes = tree.filter((p) => p.comm === "node");
    this.peakNodeKb = Math.max(
      this.peakNodeKb,
      nodes.reduce((sum, p) => sum + p.rssKb, 0),
    );
    this.peakTotalKb = Math.max(
      this.peakTotalKb,
      tree.reduce((sum, p) => sum + p.rssKb, 0),
    );
    this.peakNodeCount = Math.max(this.peakNodeCount, nodes.length);
  }
}
