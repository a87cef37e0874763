/**
 * Interrupted runs (issue 9): `pulumi up` of the arrakis stack from empty, SIGKILLed (the CLI's whole
 * process group, provider hosts included, and the program host) at a chosen point, found by watching
 * the emulator's request log. Then the user's way back: `pulumi up` again, doing only what its output
 * tells (a `pulumi cancel`, a `pulumi refresh` with the flag it names), until the stack converges with
 * exactly one database and one service, available and live, and a clean preview.
 */
import type { PulumiResult } from "../../tools/harness/pulumiCli";
import {
  type LoggedRequest,
  type ReliabilityWorld,
  formatTable,
  pathTemplate,
  processesGone,
  summary,
  waitForLog,
} from "./harness";

/** Where a run is killed. */
export interface KillPoint {
  /** Short name for the table. */
  name: string;
  /** Emulator timings for the killed run (ms), e.g. a slow `postgresCreate`; reset to `fast` after. */
  timings?: Record<string, number>;
  /** Faults armed for the killed run (to hold the run at a point, e.g. a slow env var write). */
  faults?: Array<{ method: string; path: string; fault: { kind: "delay"; ms: number } }>;
  /** True once the request log shows the moment to kill. */
  trigger: (log: LoggedRequest[]) => boolean;
}

/** The log holds at least `n` calls of `method template`. */
const seen =
  (method: string, template: string, n = 1) =>
  (log: LoggedRequest[]) =>
    log.filter((r) => r.method === method && pathTemplate(r.path) === template).length >= n;

/** The kill points the issue names. */
export const killPoints: KillPoint[] = [
  { name: "right after the database POST", trigger: seen("POST", "/v1/postgres") },
  {
    name: "while waiting for the database to be available",
    timings: { postgresCreate: 20_000 },
    // The second GET of the database is a poll of the wait loop.
    trigger: seen("GET", "/v1/postgres/{dpg}", 2),
  },
  {
    name: "between service creation and its env vars",
    faults: [{ method: "PUT", path: "/v1/services/*/env-vars", fault: { kind: "delay", ms: 15_000 } }],
    trigger: seen("POST", "/v1/services"),
  },
  {
    name: "during the deploy",
    timings: { build: 20_000 },
    // The deploy resource waits for the deploy Render starts with a new service (it POSTs none): its
    // second poll, so the kill lands inside the wait loop, past its first answer.
    trigger: seen("GET", "/v1/services/{srv}/deploys/{dep}", 2),
  },
];

/** What happened at one kill point. */
export interface InterruptOutcome {
  point: string;
  /** What Render had at the moment of the kill: databases / services. */
  atKill: string;
  /** Commands run after the kill until convergence (or giving up), with their exit codes. */
  steps: string[];
  converged: boolean;
  duplicates: number;
  orphans: number;
  /** Pending operations of the killed run still in the state after convergence. */
  pendingOperations: number;
  leaks: string[];
  problems: string[];
}

/**
 * The commands a person would run next, from what a failed command printed: Pulumi's own advice for a
 * locked stack (`pulumi cancel`), else every `pulumi …` command an error line quotes in backticks (our
 * providers' advice, e.g. a `pulumi config set` or a `pulumi refresh`), in order, without `pulumi up`
 * (the loop runs that next anyway). Empty when the output advises nothing.
 */
export function adviceOf(result: PulumiResult): string[][] {
  const output = `${result.stdout}\n${result.stderr}`;
  if (/locked/i.test(output) && /`pulumi cancel`/.test(output)) return [["cancel", "--yes"]];
  const commands: string[][] = [];
  const seen = new Set<string>();
  for (const line of output.split("\n").filter((l) => /error:/.test(l))) {
    for (const match of line.matchAll(/`pulumi ([^`]+)`/g)) {
      const command = match[1].trim();
      if (/^up\b/.test(command) || seen.has(command)) continue;
      seen.add(command);
      const args = command.split(/\s+/);
      if (args[0] === "refresh") args.push("--yes", "--skip-preview");
      commands.push(args);
    }
  }
  return commands;
}

/** Kills an up at `point`, then follows the output's advice until it converges (at most 4 commands). */
export async function runKillPoint(
  world: ReliabilityWorld,
  point: KillPoint,
  log: (line: string) => void = () => undefined,
): Promise<InterruptOutcome> {
  const problems: string[] = [];
  // Start from nothing, as a first `pulumi up` of a new stack would: a fresh stack (the advice followed
  // at an earlier point, e.g. adoptExisting, must not help this one) on an empty emulator.
  await world.clearFaultsAndLog();
  if (world.stack) {
    const { postgres, services } = await world.liveObjects();
    if (postgres.length + services.length > 0) {
      const r = await world.destroy();
      if (r.code !== 0) throw new Error(`could not empty the world before "${point.name}": ${summary(r)}`);
    }
    await world.stack.cleanup();
  }
  await world.createStack();
  await world.clearFaultsAndLog();
  if (point.timings) await world.api.control("PUT", "/timings", point.timings);
  for (const fault of point.faults ?? []) await world.armFault({ ...fault, count: 1 });

  const abort = new AbortController();
  const killed = world.up({ signal: abort.signal });
  const triggered = waitForLog(world, point.trigger).then(() => abort.abort());
  const first = await killed;
  await triggered.catch((err: unknown) => problems.push(`kill point never reached: ${String(err)}`));
  if (!abort.signal.aborted) problems.push(`the up ended (exit ${first.code}) before the kill point`);
  // Nothing of the killed run may live on (a provider host left running would go on calling Render):
  // SIGKILLed processes go within moments; one still there 5 s later survived the kill.
  const survivors = await processesGone(world.current.projectDir);
  if (survivors.length > 0)
    problems.push(`${survivors.length} processes of the killed run still alive after 5 s`);
  await world.api.control("DELETE", "/faults");
  await world.api.control("PUT", "/timings", fastTimings);
  const live = await world.liveObjects();
  const atKill = `${live.postgres.length} db / ${live.services.length} service`;
  log(`killed ${point.name}: Render has ${atKill}`);

  const steps: string[] = [];
  let converged = false;
  let queue: string[][] = [["up"]];
  for (let i = 0; i < 8 && queue.length > 0; i++) {
    const next = queue.shift()!;
    const result =
      next[0] === "up"
        ? await world.up()
        : await world.track((s) => s.run([...next, "--stack", s.stackName]));
    steps.push(`${next.slice(0, 4).join(" ")} → ${result.code}`);
    log(`  pulumi ${next.join(" ")} exited ${result.code}`);
    if (result.code !== 0) log(summary(result, process.env.REL_FULL_OUTPUT ? 400 : 30));
    for (const line of `${result.stdout}\n${result.stderr}`.split("\n"))
      if (/pending/i.test(line)) log(`    says: ${line.trim()}`);
    if (next[0] === "up" && result.code === 0) {
      const check = await world.previewNoChanges();
      steps.push(`preview --expect-no-changes → ${check.code}`);
      converged = check.code === 0;
      if (!converged) problems.push(`preview after the up: ${summary(check, 10)}`);
      break;
    }
    if (result.code === 0) {
      if (queue.length === 0) queue = [["up"]];
      continue;
    }
    const advice = adviceOf(result);
    if (advice.length === 0) {
      problems.push(`pulumi ${next[0]} failed and its output advises nothing to do: ${summary(result, 12)}`);
      break;
    }
    queue = [...advice, ["up"]];
  }
  const check = await world.inspect("present");
  problems.push(...check.problems);
  await world.collectSecrets();
  const exported = await world.current.run(["stack", "export", "--stack", world.current.stackName]);
  const leaks = world.findLeaks({ "pulumi stack export": exported.stdout });
  problems.push(...leaks);
  return {
    point: point.name,
    atKill,
    steps,
    converged: converged && check.ok,
    duplicates: check.duplicates,
    orphans: check.orphans,
    pendingOperations: check.pendingOperations,
    leaks,
    problems,
  };
}

/** The emulator's `fast` preset for the durations the kill points change. */
const fastTimings = { postgresCreate: 100, build: 400 };

/** The table of interrupted runs. */
export function interruptTable(outcomes: InterruptOutcome[]): string {
  return formatTable(
    [
      "killed",
      "Render at the kill",
      "then, as the output told (exit codes)",
      "converged",
      "duplicates",
      "orphans",
      "stale pending ops",
      "secrets leaked",
    ],
    outcomes.map((o) => [
      o.point,
      o.atKill,
      o.steps.join("; "),
      o.converged ? "yes" : "NO",
      o.duplicates,
      o.orphans,
      o.pendingOperations,
      o.leaks.length,
    ]),
  );
}
