/**
 * The fault matrix of issue 9: every Render endpoint the arrakis stack uses (found from the request log
 * of a clean create / preview / update / destroy) × every fault the emulator injects, each case one
 * real-engine command of the local stack with the fault armed for that endpoint. A case converges on
 * the first run, or fails with a clear message and converges on one re-run; after it, Render holds
 * exactly what the stack says (no duplicate, no orphan, Pulumi's ids = live ids) and no secret showed.
 */
import type { PulumiResult } from "../../tools/harness/pulumiCli";
import {
  type FaultSpec,
  type LoggedRequest,
  type ReliabilityWorld,
  endpointsOf,
  matrixRequestTimeoutMs,
  formatTable,
  globOf,
  pathTemplate,
  summary,
} from "./harness";

/** What a case's command does to the stack. */
export type Scenario = "read" | "create" | "update" | "destroy";

/** The emulator's fault kinds, as the matrix names them. */
export const faultKinds = {
  "429 Retry-After": { kind: "status", status: 429, retryAfter: 1 },
  "429": { kind: "status", status: 429 },
  "500": { kind: "status", status: 500 },
  "502": { kind: "status", status: 502 },
  "503": { kind: "status", status: 503 },
  reset: { kind: "reset" },
  // Past the client's headers timeout: the matrix's stacks set it (render:requestTimeoutMs) to
  // matrixRequestTimeoutMs instead of the client's default 30 s, so the case waits 16 s, not 31.
  timeout: { kind: "delay", ms: matrixRequestTimeoutMs + 1_000 },
  "lose-response": { kind: "lose-response" },
} as const satisfies Record<string, FaultSpec["fault"]>;

/** A fault kind's name. */
export type FaultKindName = keyof typeof faultKinds;

/** One case: a fault on an endpoint, during the command of a scenario. */
export interface MatrixCase {
  /** `METHOD /v1/path/{template}`. */
  endpoint: string;
  scenario: Scenario;
  kind: FaultKindName;
}

/** What happened in a case. */
export interface CaseOutcome extends MatrixCase {
  outcome: "converged" | "converged on re-run" | "failed" | "fault not reached";
  /** Exit code of the first run. */
  firstCode: number | null;
  /** The first run's error, when it failed (one line). */
  firstError?: string;
  /** The failed first run said what happened (an `error:` line naming Render or the resource, no stack trace). */
  clearMessage?: boolean;
  duplicates: number;
  orphans: number;
  leaks: string[];
  problems: string[];
  durationMs: number;
}

/** Endpoints of each scenario, from the request log of a clean run of each. */
export type EndpointsByScenario = Record<Scenario, string[]>;

const writeMethods = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** Makes dashboard-style drift so the next `up` updates the database, the service and its env vars. */
async function makeDrift(world: ReliabilityWorld): Promise<void> {
  const { postgres, services } = await world.liveObjects();
  for (const db of postgres) await world.api.mustRender("PATCH", `/postgres/${db.id}`, { plan: "basic_1gb" });
  for (const service of services) {
    await world.api.mustRender("PATCH", `/services/${service.id}`, { serviceDetails: { plan: "standard" } });
    await world.api.mustRender("PUT", `/services/${service.id}/env-vars/NODE_ENV`, { value: "development" });
  }
}

/** The command of a scenario. */
function commandOf(world: ReliabilityWorld, scenario: Scenario): Promise<PulumiResult> {
  switch (scenario) {
    case "read":
      return world.previewNoChanges();
    case "destroy":
      return world.destroy();
    default:
      return world.up();
  }
}

/**
 * Runs a clean create (up from empty), read (preview), update (up after drift) and destroy, and
 * assigns every endpoint called to the first scenario that calls it, in the order read, create,
 * update, destroy (reads are cheapest to fault in a preview). Leaves the world empty.
 */
export async function discoverEndpoints(world: ReliabilityWorld): Promise<EndpointsByScenario> {
  const logs: Partial<Record<Scenario, LoggedRequest[]>> = {};
  const step = async (scenario: Scenario) => {
    await world.clearFaultsAndLog();
    if (scenario === "update") await makeDrift(world);
    await world.api.control("DELETE", "/requests");
    const result = await commandOf(world, scenario);
    if (result.code !== 0) throw new Error(`clean ${scenario} failed: ${summary(result)}`);
    logs[scenario] = await world.requests();
    if (scenario === "create") await world.collectSecrets();
  };
  await step("create");
  await step("read");
  await step("update");
  await step("destroy");
  const assigned = new Set<string>();
  const out: EndpointsByScenario = { read: [], create: [], update: [], destroy: [] };
  for (const scenario of ["read", "create", "update", "destroy"] as const) {
    for (const endpoint of endpointsOf(logs[scenario] ?? []).keys()) {
      if (assigned.has(endpoint)) continue;
      assigned.add(endpoint);
      out[scenario].push(endpoint);
    }
  }
  return out;
}

/** Every case of the full matrix: each endpoint × each fault kind (lose-response on writes only). */
export function fullMatrix(endpoints: EndpointsByScenario): MatrixCase[] {
  const cases: MatrixCase[] = [];
  for (const scenario of ["read", "update", "destroy", "create"] as const) {
    for (const endpoint of endpoints[scenario]) {
      for (const kind of Object.keys(faultKinds) as FaultKindName[]) {
        if (kind === "lose-response" && !writeMethods.has(endpoint.split(" ")[0])) continue;
        cases.push({ endpoint, scenario, kind });
      }
    }
  }
  return cases;
}

/**
 * The CI-sized subset: the cases only the engine can show, in an order where each leaves the world as
 * the next needs it (a create after the destroy case needs no destroy of its own). A failed create whose
 * outcome is unknown (500 on the database's POST, the service's POST answer lost) must end in a clear
 * error and a re-run that finds the object instead of making a second; the destroy case runs `pulumi
 * destroy` under a fault; the timeout case needs the stack's own `render:requestTimeoutMs`.
 *
 * The other fault kinds are retried by the client and never reach the engine when they end: each is
 * tested in-process in tests/components/render/client/retries.spec.ts (429s with and without
 * Retry-After on a GET, a 429 on a POST, a 502 and a reset on a PATCH, a reset on a PUT, 503 then 429
 * on a DELETE), and through the engine on every endpoint in the full matrix (`npm run test:reliability`).
 */
export function ciSubset(endpoints: EndpointsByScenario): MatrixCase[] {
  const wanted: Array<[FaultKindName, string]> = [
    ["500", "POST /v1/postgres"],
    ["503", "DELETE /v1/services/{srv}"],
    ["lose-response", "POST /v1/services"],
    ["timeout", "GET /v1/postgres/{dpg}"],
  ];
  return wanted.map(([kind, endpoint]) => {
    const scenario = (Object.keys(endpoints) as Scenario[]).find((s) => endpoints[s].includes(endpoint));
    if (!scenario) throw new Error(`the stack no longer calls ${endpoint}: update the CI subset`);
    return { endpoint, scenario, kind };
  });
}

/** The `error:` lines of a failed command, joined; stack traces count against clarity. */
function errorOf(result: PulumiResult): { text: string; clear: boolean } {
  const output = `${result.stdout}\n${result.stderr}`;
  const lines = output
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => /^error:/i.test(l) && !/^error: update failed$/i.test(l));
  const text = lines.join(" | ") || output.trim().split("\n").slice(-3).join(" | ");
  const stackTrace = /\n\s+at .+\(.+:\d+:\d+\)/.test(output);
  const clear = lines.length > 0 && !stackTrace && /render|could not|database|service|deploy/i.test(text);
  return { text, clear };
}

/**
 * Runs the cases in order on one world, emptying it (destroy) before a create case and building it
 * (up) before the others. A world left inconsistent by a case is reset (emulator reset + fresh stack)
 * so the next case starts clean; that case's problems stay on its row.
 */
export async function runMatrix(
  world: ReliabilityWorld,
  cases: MatrixCase[],
  log: (line: string) => void = () => undefined,
): Promise<CaseOutcome[]> {
  const outcomes: CaseOutcome[] = [];
  for (const c of cases) {
    const outcome = await runCase(world, c);
    outcomes.push(outcome);
    log(
      `${c.kind.padEnd(15)} ${c.endpoint.padEnd(42)} ${outcome.outcome}` +
        (outcome.problems.length ? `  PROBLEMS: ${outcome.problems.join("; ")}` : "") +
        (outcome.firstError ? `\n    first run: ${outcome.firstError.slice(0, 300)}` : ""),
    );
    if (outcome.problems.length > 0 || outcome.outcome === "failed") await resetWorld(world);
  }
  return outcomes;
}

async function resetWorld(world: ReliabilityWorld): Promise<void> {
  await world.api.control("DELETE", "/faults");
  const destroyed = await world.destroy();
  const live = await world.liveObjects();
  if (destroyed.code === 0 && live.postgres.length + live.services.length === 0) return;
  await world.api.control("POST", "/reset");
  await world.configureForMatrix();
  await world.stack?.cleanup();
  await world.createStack();
}

/** Is the stack's database on Render (the stack's objects present)? */
async function present(world: ReliabilityWorld): Promise<boolean> {
  const { postgres, services } = await world.liveObjects();
  return postgres.length + services.length > 0;
}

/** One case; see {@link runMatrix}. */
export async function runCase(world: ReliabilityWorld, c: MatrixCase): Promise<CaseOutcome> {
  const started = Date.now();
  await world.clearFaultsAndLog();
  // Precondition: absent for a create, present (and drifted for an update) otherwise.
  const isPresent = await present(world);
  if (c.scenario === "create" && isPresent) {
    const r = await world.destroy();
    if (r.code !== 0) throw new Error(`could not empty the world before ${c.endpoint}: ${summary(r)}`);
  }
  if (c.scenario !== "create" && !isPresent) {
    const r = await world.up();
    if (r.code !== 0) throw new Error(`could not build the world before ${c.endpoint}: ${summary(r)}`);
  }
  if (c.scenario === "update") await makeDrift(world);
  await world.clearFaultsAndLog();

  const [method, template] = c.endpoint.split(" ");
  // Reads are retried by the client: a fault on the next two matches shows it retries more than once.
  const count = method === "GET" && faultKinds[c.kind].kind === "status" ? 2 : 1;
  const faultId = await world.armFault({ method, path: globOf(template), count, fault: faultKinds[c.kind] });

  const first = await commandOf(world, c.scenario);
  // Fired: the log shows it, or the fault store used it up (a delayed request past the client's
  // timeout is logged only once the emulator answers it, which may be after the command ended).
  const armed = (await world.armedFaults()) as Array<{ id: string; remaining?: number }>;
  const left = armed.find((f) => f.id === faultId);
  const fired =
    left === undefined ||
    (left.remaining ?? count) < count ||
    (await world.requests()).some(
      (r) => r.fault !== undefined && r.method === method && pathTemplate(r.path) === template,
    );
  await world.api.control("DELETE", "/faults");

  const problems: string[] = [];
  let outcome: CaseOutcome["outcome"];
  let firstError: string | undefined;
  let clearMessage: boolean | undefined;
  const verify = async (): Promise<boolean> => {
    if (c.scenario === "destroy" || c.scenario === "read") return true;
    const check = await world.previewNoChanges();
    if (check.code !== 0) problems.push(`preview --expect-no-changes after the up: ${summary(check, 8)}`);
    return check.code === 0;
  };
  if (first.code === 0) {
    outcome = (await verify()) ? "converged" : "failed";
  } else {
    const error = errorOf(first);
    firstError = error.text;
    clearMessage = error.clear;
    if (!error.clear) problems.push("the first run failed without a clear error message");
    const again = await commandOf(world, c.scenario);
    if (again.code !== 0) problems.push(`re-run: ${summary(again, 8)}`);
    outcome = again.code === 0 && (await verify()) ? "converged on re-run" : "failed";
  }
  if (!fired) outcome = "fault not reached";

  const check = await world.inspect(c.scenario === "destroy" ? "absent" : "present");
  problems.push(...check.problems);
  if (c.scenario !== "destroy") await world.collectSecrets();
  const exported = await world.current.run(["stack", "export", "--stack", world.current.stackName]);
  const leaks = world.findLeaks({ "pulumi stack export": exported.stdout });
  problems.push(...leaks);
  return {
    ...c,
    outcome,
    firstCode: first.code,
    firstError,
    clearMessage,
    duplicates: check.duplicates,
    orphans: check.orphans,
    leaks,
    problems,
    durationMs: Date.now() - started,
  };
}

/** The summary table: per fault kind and in total. */
export function matrixTable(outcomes: CaseOutcome[]): string {
  const kinds = [...new Set(outcomes.map((o) => o.kind))];
  const row = (label: string, list: CaseOutcome[]) => [
    label,
    list.length,
    list.filter((o) => o.outcome === "converged").length,
    list.filter((o) => o.outcome === "converged on re-run").length,
    list.filter((o) => o.outcome === "failed").length,
    list.filter((o) => o.outcome === "fault not reached").length,
    list.reduce((n, o) => n + o.duplicates, 0),
    list.reduce((n, o) => n + o.orphans, 0),
    list.reduce((n, o) => n + o.leaks.length, 0),
  ];
  return formatTable(
    [
      "fault",
      "cases run",
      "converged on first run",
      "converged on re-run",
      "failed",
      "not reached",
      "duplicates",
      "orphans",
      "secrets leaked",
    ],
    [
      ...kinds.map((k) =>
        row(
          k,
          outcomes.filter((o) => o.kind === k),
        ),
      ),
      row("total", outcomes),
    ],
  );
}

/** One line per case: endpoint, scenario, fault, outcome and the first run's error. */
export function caseTable(outcomes: CaseOutcome[]): string {
  return formatTable(
    ["endpoint", "command", "fault", "outcome", "first run"],
    outcomes.map((o) => [
      o.endpoint,
      o.scenario === "read" ? "preview" : o.scenario === "destroy" ? "destroy" : `up (${o.scenario})`,
      o.kind,
      o.outcome,
      o.firstCode === 0 ? "exit 0" : (o.firstError ?? "").replace(/\s+/g, " ").slice(0, 110),
    ]),
  );
}
