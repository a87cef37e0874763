/**
 * `npm run bench`: how close `pulumi preview` and `pulumi up` of the arrakis program get to their
 * floor, with the real engine against the emulator (issue 10). Each figure prints as
 * `name: value (floor: …, ratio …)`, with per-endpoint details indented under it. See bench/README.md.
 *
 *   npm run bench                       every figure (about 4–6 minutes on a busy 2-core machine)
 *   npm run bench -- --only P1,P4       some of them (P2, P4 and P6 reuse P1's stack)
 *   npm run bench -- --p3-scale 0.5     P3 with realistic timings × 0.5 (default 1: Render's own)
 *   npm run bench -- --p5-scale 0.005   P5's rate-limit windows × 0.005 (default: an hour lasts 18 s)
 *   npm run bench -- --only P5M --p5-scale 0.06 --p5-rerun   an hour longer than the client waits, as on
 *                                       Render: `pulumi up` again at the time each refusal names
 */
import * as path from "node:path";
import { startEmulator, type RunningEmulator } from "../emulator";
import { REALISTIC_TIMINGS } from "../emulator/lifecycle/timings";
import { bucketOf } from "../emulator/rateLimits";
import { requireEngine } from "../tools/pulumi-engine/locate";
import type { PulumiStack } from "../tools/harness/pulumiCli";
import { DynamicProviderHost, stripSecrets } from "../tools/harness/providerHost";
import {
  Control,
  TreeMemorySampler,
  arrakisConfig,
  createStack,
  detail,
  figure,
  local,
  mustSucceed,
  secs,
  type LoggedRequest,
} from "./lib/engine";

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const only = new Set((arg("only") ?? "P1,P2,P3,P4,P5,P6,P1M,P5M").toUpperCase().split(","));
const p3Scale = Number(arg("p3-scale") ?? 1);
const p5Scale = Number(arg("p5-scale") ?? 0.005);
// P5/P5M: run `pulumi up` again after a rate-limit refusal, at the time the message names (see p5).
const p5Rerun = process.argv.includes("--p5-rerun");
// P5's databases: each emulated database is a real one. PGlite (the default backend) costs seconds of CPU
// per database, eight at once on two cores, which no limit explains and the floor does not count; a
// PostgreSQL server (the one .ci/run starts for the tests, EMULATOR_TEST_PG_URL) makes one in the
// emulator's 100 ms, so the figure measures our side. `--p5-database pglite` forces PGlite.
const p5Database = arg("p5-database") ?? process.env.EMULATOR_TEST_PG_URL ?? "pglite";
const latencyMs = 50;
const fixtures = path.join(__dirname, "fixtures");

/** The Render object a GET reads, or undefined for anything else. */
function objectOf(r: LoggedRequest): string | undefined {
  if (r.method !== "GET") return undefined;
  const p = r.path;
  if (/^\/v1\/postgres\/[^/]+$/.test(p)) return "database";
  if (/^\/v1\/postgres\/[^/]+\/connection-info$/.test(p)) return "connection info";
  if (/^\/v1\/services\/[^/]+$/.test(p)) return "service";
  if (/^\/v1\/services\/[^/]+\/env-vars$/.test(p)) return "env vars";
  if (/^\/v1\/services\/[^/]+\/deploys(\/[^/]+)?$/.test(p)) return "latest deploy";
  if (/^\/v1\/owners(\/[^/]+)?$/.test(p)) return "workspace";
  return undefined;
}

/** `METHOD /v1/path` with ids (`srv-…`, `dpg-…-a`, `crn-…`, `evg-…`, `dsk-…`, `cdm-…`, …) replaced by `{id}`. */
function endpointOf(r: LoggedRequest): string {
  return `${r.method} ${r.path.replace(/\/[a-z]{3}-[a-z0-9]{8,}(-[a-z])?(?=\/|$)/g, "/{id}")}`;
}

/** P1M/P5M's stack: how many of each kind (bench/fixtures/mixedProgram.ts reads them as `bench:<kind>`). */
interface MixedCounts {
  projects: number;
  databases: number;
  keyValues: number;
  registryCredentials: number;
  envGroups: number;
  webServices: number;
  privateServices: number;
  backgroundWorkers: number;
  cronJobs: number;
  staticSites: number;
  workflows: number;
  envGroupLinks: number;
  disks: number;
  customDomains: number;
}

/** 20 resources of every kind; 9 of them are services (POST /services), within Render's 20 per hour. */
const mixed20: MixedCounts = {
  projects: 1,
  databases: 2,
  keyValues: 1,
  registryCredentials: 1,
  envGroups: 1,
  webServices: 2,
  privateServices: 2,
  backgroundWorkers: 2,
  cronJobs: 1,
  staticSites: 2,
  workflows: 1,
  envGroupLinks: 2,
  disks: 1,
  customDomains: 1,
};

/** The same mix times 5: 100 resources, 45 services (two full hours of waiting at Render's 20 per hour). */
const mixed100 = Object.fromEntries(
  Object.entries(mixed20).map(([kind, n]) => [kind, n * 5]),
) as unknown as MixedCounts;

function mixedConfig(c: MixedCounts): Record<string, string> {
  return Object.fromEntries(Object.entries(c).map(([k, v]) => [`bench:${k}`, String(v)]));
}

const total = (c: MixedCounts) => Object.values(c).reduce((a: number, b: number) => a + b, 0);

/** A resource of `pulumi stack export`, the fields the floor reads. */
interface StateResource {
  type: string;
  id?: string;
  outputs?: Record<string, unknown>;
}

/**
 * The Render objects a clean preview of the mixed stack must observe, from the stack's state (so the
 * floor is what this run made): object key -> what it is. Each is one GET: a project and its environment
 * list; a database, its connection info (links read it), its recovery info and its scheduled maintenance
 * (the preview's warnings, issue 23); a service and its env vars (a static site: its headers and routes,
 * and its env vars when it has them); a Key Value and its connection info; a registry credential; an env
 * group (vars and secret files come with it); a disk; a custom domain. A link between a service and a
 * group is part of the group on Render (`serviceLinks`): it adds its group, which the group's own resource
 * already observes.
 */
function mixedFloor(resources: StateResource[]): Map<string, string> {
  const floor = new Map<string, string>();
  const add = (key: string, object: string) => floor.set(key, object);
  for (const r of resources) {
    const kind = /dynamic\/render:(\w+)$/.exec(r.type)?.[1];
    const id = r.id ?? "";
    const out = r.outputs ?? {};
    switch (kind) {
      case "Project":
        add(`/v1/projects/${id}`, "project");
        add(`environments of ${id}`, "project environments");
        break;
      case "Postgres":
        add(`/v1/postgres/${id}`, "database");
        add(`/v1/postgres/${id}/connection-info`, "database connection info");
        add(`/v1/postgres/${id}/recovery`, "database recovery info");
        add(`maintenance of ${id}`, "database maintenance runs");
        break;
      case "WebService":
      case "PrivateService":
      case "BackgroundWorker":
      case "CronJob":
        add(`/v1/services/${id}`, "service");
        add(`/v1/services/${id}/env-vars`, "service env vars");
        break;
      case "StaticSite":
        add(`/v1/services/${id}`, "service");
        add(`/v1/services/${id}/headers`, "static site headers");
        add(`/v1/services/${id}/routes`, "static site routes");
        if ("envVarKeys" in out) add(`/v1/services/${id}/env-vars`, "service env vars");
        break;
      case "Workflow":
        add(`/v1/workflows/${id}`, "workflow");
        // Its env vars are read at the services route with its id (components/workflow/provider.ts).
        add(`/v1/services/${id}/env-vars`, "service env vars");
        break;
      case "KeyValue":
        add(`/v1/key-value/${id}`, "key value");
        add(`/v1/key-value/${id}/connection-info`, "key value connection info");
        break;
      case "RegistryCredential":
        add(`/v1/registrycredentials/${id}`, "registry credential");
        break;
      case "EnvGroup":
        add(`/v1/env-groups/${id}`, "env group");
        break;
      case "EnvGroupLink":
        add(`/v1/env-groups/${String(out.envGroupId)}`, "env group");
        break;
      case "Disk":
        add(`/v1/disks/${id}`, "disk");
        break;
      case "CustomDomain":
        add(`/v1/services/${String(out.serviceId)}/custom-domains/${id}`, "custom domain");
        break;
    }
  }
  return floor;
}

/** The object a GET reads, keyed as {@link mixedFloor} keys them (a list of a resource's by that resource). */
function objectKeyOf(r: LoggedRequest): string | undefined {
  if (r.method !== "GET") return undefined;
  if (r.path === "/v1/maintenance") {
    const resource = new URLSearchParams(r.query).getAll("resourceId");
    return resource.length === 1 ? `maintenance of ${resource[0]}` : undefined;
  }
  if (r.path === "/v1/environments") {
    const project = new URLSearchParams(r.query).getAll("projectId");
    return project.length === 1 ? `environments of ${project[0]}` : undefined;
  }
  return r.path;
}

/** The resources of the mixed stack Render holds, from the state (the program's own stack resource aside). */
function renderResources(state: { deployment: { resources?: Record<string, unknown>[] } }): StateResource[] {
  return ((state.deployment.resources ?? []) as unknown as StateResource[]).filter((r) =>
    String(r.type).includes("dynamic/render:"),
  );
}

/**
 * P1M: P1 (calls of a clean preview, per object) on a 20-resource stack of every kind. The up that makes
 * it runs under Render's real limits (not time-scaled): its 9 service creates fit the hour's 20.
 */
async function p1Mixed(): Promise<void> {
  await withEmulator({ timings: "fast", rateLimits: { enabled: true } }, async (emu, control) => {
    const { config, secretConfig, env } = arrakisConfig(emu);
    const stack = await createStack({
      stackName: "bench-mixed",
      config: { ...config, ...mixedConfig(mixed20) },
      secretConfig,
      env,
      programFile: path.join(fixtures, "mixedProgram.ts"),
      timeoutMs: 1_200_000,
    });
    try {
      const up = mustSucceed(await stack.up());
      const upLog = await control.requests();
      const resources = renderResources(await stack.exportState());
      await control.clearRequests();
      const preview = mustSucceed(await stack.preview(["--expect-no-changes"]));
      const log = await control.requests();
      const floor = mixedFloor(resources);
      const label = `P1M preview_api_calls_${resources.length}_mixed`;
      figure(label, log.length, `${floor.size} GETs, one per object`, log.length / floor.size);
      // Per object: how many GETs each object of the floor got, and the calls outside it.
      const byKey = countBy(
        log.filter((r) => r.method === "GET"),
        (r) => objectKeyOf(r) ?? "",
      );
      const perKind = new Map<string, { objects: number; calls: number; most: number; unread: number }>();
      for (const [key, object] of floor) {
        const n = byKey.get(key) ?? 0;
        const entry = perKind.get(object) ?? { objects: 0, calls: 0, most: 0, unread: 0 };
        entry.objects++;
        entry.calls += n;
        entry.most = Math.max(entry.most, n);
        if (n === 0) entry.unread++;
        perKind.set(object, entry);
      }
      for (const [object, e] of perKind)
        detail(
          `P1M calls_per_object ${object}`,
          `${e.calls} for ${e.objects} (${(e.calls / e.objects).toFixed(2)} each, most ${e.most}` +
            `${e.unread ? `, ${e.unread} never read` : ""})`,
        );
      // P1's one call above its floor, kept on purpose (bench/README.md, P1): a list's next page, asked
      // until one comes back empty. Without those, calls per object as P1 has them.
      const nextPages = log.filter((r) => r.method === "GET" && new URLSearchParams(r.query).has("cursor"));
      figure(
        "P1M preview_api_calls_besides_next_pages",
        log.length - nextPages.length,
        `${floor.size} GETs`,
        (log.length - nextPages.length) / floor.size,
      );
      detail(
        "P1M next_page_calls",
        `${nextPages.length} (${[...countBy(nextPages, endpointOf).keys()].join(", ")})`,
      );
      const outside = log.filter((r) => !floor.has(objectKeyOf(r) ?? ""));
      detail("P1M calls_outside_the_floor", outside.length);
      for (const [endpoint, n] of [...countBy(outside, endpointOf)].sort())
        detail(`P1M calls_outside ${endpoint}`, n);
      detail(
        "P1M resources_by_kind",
        [...countBy(resources, (r) => r.type.replace(/.*render:/, ""))]
          .map(([k, n]) => `${k} ${n}`)
          .join(", "),
      );
      detail("P1M preview_wall", secs(preview.durationMs));
      detail(
        "P1M setup_up (Render's real limits)",
        `${secs(up.durationMs)}, ${upLog.filter((r) => r.method === "POST" && r.path === "/v1/services").length} service creates, ${upLog.filter((r) => r.status === 429).length} HTTP 429`,
      );
      if (process.argv.includes("--log"))
        for (const r of log)
          detail(
            "P1M call",
            `${r.at.slice(11, 23)} ${endpointOf(r)}${r.query ? `?${r.query}` : ""} ${r.status}`,
          );
    } finally {
      await stack.cleanup();
    }
  });
}

/** Every item of a Render list endpoint on the emulator, following cursors. */
async function listAll<T>(control: Control, apiPath: string): Promise<T[]> {
  const items: T[] = [];
  for (let cursor: string | undefined; ;) {
    const page = await control.render<Array<T & { cursor: string }>>(
      "GET",
      `${apiPath}?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
    );
    if (page.length === 0) return items;
    items.push(...page);
    cursor = page[page.length - 1].cursor;
  }
}

/** The `error:` lines of a CLI run's output, its closing "update failed" aside. */
function errorLines(output: string): string[] {
  return output
    .split("\n")
    .filter((line) => /\berror: /.test(line) && !/error: (update|preview) failed/.test(line));
}

function countBy<T>(items: T[], key: (item: T) => string): Map<string, number> {
  const out = new Map<string, number>();
  for (const item of items) out.set(key(item), (out.get(key(item)) ?? 0) + 1);
  return out;
}

/** Time during which at least one request was in flight at the emulator. */
function busyMs(log: LoggedRequest[]): number {
  const spans = log
    .map((r) => [Date.parse(r.at), Date.parse(r.at) + r.durationMs] as const)
    .sort((a, b) => a[0] - b[0]);
  let total = 0;
  let start = -Infinity;
  let end = -Infinity;
  for (const [s, e] of spans) {
    if (s > end) {
      total += end - start > 0 ? end - start : 0;
      start = s;
      end = e;
    } else end = Math.max(end, e);
  }
  return total + (end - start > 0 ? end - start : 0);
}

/** The objects a clean preview of the arrakis stack must observe: one GET each is the floor. */
const observedObjects = ["database", "connection info", "service", "env vars", "latest deploy"];

async function withEmulator<T>(
  options: Parameters<typeof startEmulator>[0],
  work: (emu: RunningEmulator, control: Control) => Promise<T>,
): Promise<T> {
  const emu = await startEmulator({ port: 0, ownerId: local.plain["render:ownerId"], ...options });
  try {
    return await work(emu, new Control(emu));
  } finally {
    await emu.close();
  }
}

/** P1, P2, P4 and P6 on one arrakis stack (fast timings, no rate limits). */
async function previewFigures(): Promise<void> {
  await withEmulator({ timings: "fast", rateLimits: { enabled: false } }, async (emu, control) => {
    const { config, secretConfig, objectConfig, env } = arrakisConfig(emu);
    const stack = await createStack({ stackName: "bench", config, secretConfig, objectConfig, env });
    try {
      mustSucceed(await stack.up());
      if (only.has("P1")) await p1(stack, control);
      if (only.has("P2")) await p2(stack, control, emu);
      if (only.has("P4")) await p4(stack, emu);
      if (only.has("P6")) await p6(stack, emu);
    } finally {
      await stack.cleanup();
    }
  });
}

async function p1(stack: PulumiStack, control: Control): Promise<void> {
  await control.clearRequests();
  const preview = mustSucceed(await stack.preview());
  const log = await control.requests();
  const floor = observedObjects.length;
  figure("P1 preview_api_calls", log.length, `${floor} GETs`, log.length / floor);
  for (const [endpoint, n] of [...countBy(log, endpointOf)].sort()) detail(`P1 calls ${endpoint}`, n);
  const byObject = countBy(log, (r) => objectOf(r) ?? "other");
  for (const object of [...observedObjects, "workspace", "other"])
    detail(
      `P1 calls_per_object ${object}`,
      `${byObject.get(object) ?? 0} (floor ${observedObjects.includes(object) ? 1 : 0})`,
    );
  detail("P1 preview_wall", secs(preview.durationMs));
  // --log: the calls in order, to see which provider method made which (ids shortened).
  if (process.argv.includes("--log"))
    for (const r of log)
      detail("P1 call", `${r.at.slice(11, 23)} ${endpointOf(r)}${r.query ? `?${r.query}` : ""} ${r.status}`);
}

async function p2(stack: PulumiStack, control: Control, emu: RunningEmulator): Promise<void> {
  // The engine's own time for the same graph, with providers that call nothing.
  const { config, secretConfig, env } = arrakisConfig(emu);
  const noop = await createStack({
    stackName: "noop",
    config,
    secretConfig,
    env,
    programFile: path.join(fixtures, "noopProgram.ts"),
  });
  let noopMs: number;
  try {
    mustSucceed(await noop.up());
    // Two previews, the faster counts: the first warms the file cache like the arrakis stack's was.
    const a = mustSucceed(await noop.preview()).durationMs;
    const b = mustSucceed(await noop.preview()).durationMs;
    noopMs = Math.min(a, b);
  } finally {
    await noop.cleanup();
  }
  const fault = await control.call<{ id: string }>("POST", "/faults", {
    path: "/v1/**",
    rate: 1,
    fault: { kind: "delay", ms: latencyMs },
  });
  await control.clearRequests();
  let wallMs: number;
  try {
    wallMs = mustSucceed(await stack.preview()).durationMs;
  } finally {
    await control.call("DELETE", `/faults/${fault.id}`);
  }
  const log = await control.requests();
  // Every object a preview observes can be read at once: one round trip is the floor of the API's share.
  const criticalPathMs = latencyMs;
  const floorMs = criticalPathMs + noopMs;
  figure(
    "P2 preview_wall_50ms_latency",
    secs(wallMs),
    `${secs(floorMs)} = ${criticalPathMs} ms round trip + ${secs(noopMs)} no-op engine`,
    wallMs / floorMs,
  );
  const busy = busyMs(log);
  detail("P2 api_calls", log.length);
  detail(
    "P2 api_busy (some call in flight)",
    `${secs(busy)} ≈ ${(busy / latencyMs).toFixed(1)} sequential round trips`,
  );
  detail("P2 noop_engine_preview", secs(noopMs));
}

/** The faster of two clean previews: the first also warms the file cache. */
async function cleanPreviewMs(stack: PulumiStack): Promise<number> {
  const a = mustSucceed(await stack.preview(["--expect-no-changes"])).durationMs;
  const b = mustSucceed(await stack.preview(["--expect-no-changes"])).durationMs;
  return Math.min(a, b);
}

/**
 * P6: what the official language host costs. The arrakis stack's clean preview, as a user runs it
 * (the CLI starts pulumi-language-nodejs, which runs index.ts through ts-node), against the same
 * command on an empty program in the same project: the CLI, the host, ts-node and the SDK.
 */
async function p6(stack: PulumiStack, emu: RunningEmulator): Promise<void> {
  const { config, secretConfig, env } = arrakisConfig(emu);
  /** The clean preview of a bench program in the same project and host. */
  const previewOf = async (stackName: string, file: string): Promise<number> => {
    const other = await createStack({
      stackName,
      config,
      secretConfig,
      env,
      programFile: path.join(fixtures, file),
    });
    try {
      mustSucceed(await other.up());
      return await cleanPreviewMs(other);
    } finally {
      await other.cleanup();
    }
  };
  const emptyMs = await previewOf("empty", "emptyProgram.ts");
  const graphMs = await previewOf("noop", "noopProgram.ts");
  const wallMs = await cleanPreviewMs(stack);
  figure("P6 clean_preview_official_host", secs(wallMs), `${secs(emptyMs)} empty program`, wallMs / emptyMs);
  detail("P6 noop_graph_preview (same resources, providers that call nothing)", secs(graphMs));
  detail("P6 ratio_to_noop_graph", (wallMs / graphMs).toFixed(2));
}

async function p4(stack: PulumiStack, emu: RunningEmulator): Promise<void> {
  const state = await stack.exportState();
  const sizes: Array<{ type: string; bytes: number; provider: string }> = [];
  for (const resource of state.deployment.resources ?? []) {
    const inputs = resource.inputs as Record<string, unknown> | undefined;
    const provider = inputs?.__provider;
    if (typeof provider !== "string") continue;
    sizes.push({
      type: String(resource.type).replace("pulumi-nodejs:dynamic/", ""),
      bytes: Buffer.byteLength(provider),
      provider,
    });
  }
  const floor = 32 * 1024;
  const max = Math.max(...sizes.map((s) => s.bytes));
  const mean = sizes.reduce((sum, s) => sum + s.bytes, 0) / sizes.length;
  figure("P4 provider_bytes_per_resource_max", `${(max / 1024).toFixed(1)} KB`, "32 KB target", max / floor);
  detail("P4 provider_bytes_per_resource_mean", `${(mean / 1024).toFixed(1)} KB`);
  for (const s of sizes) detail(`P4 provider_bytes ${s.type}`, `${(s.bytes / 1024).toFixed(1)} KB`);
  detail(
    "P4 provider_bytes_in_state",
    `${(sizes.reduce((sum, s) => sum + s.bytes, 0) / 1024).toFixed(1)} KB`,
  );

  // The provider host as the engine starts it, then its first call (which deserializes the provider).
  const postgres = state.deployment.resources?.find((r) => String(r.type).endsWith("render:Postgres"));
  const started = performance.now();
  const host = await DynamicProviderHost.start({ cwd: stack.projectDir });
  const startMs = performance.now() - started;
  try {
    await host.configure({ "render:apiKey": emu.apiKey, "render:apiUrl": emu.url });
    const inputs = stripSecrets(postgres?.inputs) as Record<string, unknown>;
    const t = performance.now();
    await host.check(String(postgres?.urn), inputs, inputs);
    const firstCallMs = performance.now() - t;
    const t2 = performance.now();
    await host.check(String(postgres?.urn), inputs, inputs);
    const secondCallMs = performance.now() - t2;
    figure("P4 provider_host_start", `${Math.round(startMs)} ms`);
    detail("P4 provider_first_call (deserializes)", `${Math.round(firstCallMs)} ms`);
    detail("P4 provider_second_call", `${Math.round(secondCallMs)} ms`);
  } finally {
    await host.stop();
  }
}

/** P3: `pulumi up` from empty with Render's own provisioning times (scaled). */
async function p3(): Promise<void> {
  const timings = Object.fromEntries(
    Object.entries(REALISTIC_TIMINGS).map(([k, v]) => [k, Math.round(v * p3Scale)]),
  ) as typeof REALISTIC_TIMINGS;
  await withEmulator({ timings, rateLimits: { enabled: false } }, async (emu, control) => {
    const { config, secretConfig, objectConfig, env } = arrakisConfig(emu);
    const stack = await createStack({ stackName: "bench-up", config, secretConfig, objectConfig, env });
    try {
      await control.clearRequests();
      const upStarted = Date.now();
      const up = mustSucceed(await stack.up());
      const log = await control.requests();
      const outputs = await stack.outputs();
      const serviceId = String(outputs.serviceId);
      const deployId = String(outputs.deployId);
      const service = await control.render<{ createdAt: string }>("GET", `/services/${serviceId}`);
      const deploy = await control.render<{ createdAt: string; finishedAt: string }>(
        "GET",
        `/services/${serviceId}/deploys/${deployId}`,
      );
      const deployPathMs = Date.parse(deploy.finishedAt) - Date.parse(service.createdAt);
      const provisioningMs = timings.postgresCreate + deployPathMs;
      figure(
        "P3 up_from_empty",
        secs(up.durationMs),
        `${secs(provisioningMs)} emulator provisioning on the critical path (timings × ${p3Scale})`,
        up.durationMs / provisioningMs,
      );
      const polls = log.filter(
        (r) =>
          r.method === "GET" &&
          (/^\/v1\/postgres\/[^/]+$/.test(r.path) || /^\/v1\/services\/[^/]+\/deploys\/[^/]+$/.test(r.path)),
      );
      const waitingMin = provisioningMs / 60_000;
      figure(
        "P3 polls_per_minute_waiting",
        (polls.length / waitingMin).toFixed(1),
        "10 target",
        polls.length / waitingMin / 10,
      );
      detail("P3 status_polls", polls.length);
      detail("P3 database_provisioning", secs(timings.postgresCreate));
      detail("P3 service_to_deploy_live", secs(deployPathMs));
      detail("P3 api_calls", log.length);
      for (const [endpoint, n] of [...countBy(log, endpointOf)].sort()) detail(`P3 calls ${endpoint}`, n);
      // --log: the calls in order, in seconds since the up started.
      if (process.argv.includes("--log")) {
        const t0 = upStarted;
        for (const r of log)
          detail("P3 call", `${((Date.parse(r.at) - t0) / 1000).toFixed(1)} s ${endpointOf(r)} ${r.status}`);
      }
    } finally {
      await stack.cleanup();
    }
  });
}

/** P5: 50 services and 10 databases under Render's published limits (time-scaled). P5M: 100 of mixed kinds. */
async function p5(mixed?: MixedCounts): Promise<void> {
  const label = mixed ? "P5M" : "P5";
  const expected = mixed ? total(mixed) : 60;
  await withEmulator(
    {
      timings: "fast",
      rateLimits: { enabled: true, timeScale: p5Scale },
      database: p5Database === "pglite" ? { kind: "pglite" } : { kind: "postgres", url: p5Database },
    },
    async (emu, control) => {
      const { config, secretConfig, env } = arrakisConfig(emu, {
        "render:rateLimitTimeScale": String(p5Scale),
      });
      const stack = await createStack({
        stackName: mixed ? "bench-mixed-scale" : "bench-scale",
        config: mixed ? { ...config, ...mixedConfig(mixed) } : config,
        secretConfig,
        env,
        programFile: path.join(fixtures, mixed ? "mixedProgram.ts" : "scaleProgram.ts"),
        timeoutMs: 1_200_000,
      });
      const sampler = new TreeMemorySampler();
      try {
        await control.clearRequests();
        sampler.start();
        const upStarted = Date.now();
        let up = await stack.up();
        // --p5-rerun: as a user does when the client says a limit needs a longer wait than it gives
        // ("Try again after <time>"): wait until then and run `pulumi up` again, until done.
        const ups = [up];
        const otherErrors: string[] = [];
        while (p5Rerun && up.code !== 0 && ups.length < 6) {
          const output = `${up.stdout}\n${up.stderr}`;
          const times = [...output.matchAll(/Try again after (\d{4}-\d\d-\d\dT[\d:.]+Z)/g)].map((m) =>
            Date.parse(m[1]),
          );
          otherErrors.push(...errorLines(output).filter((line) => !line.includes("Try again after")));
          if (times.length === 0) break;
          const at = Math.max(...times);
          detail(
            `${label} up_${ups.length}`,
            `exit ${up.code} after ${secs(up.durationMs)}: ${times.length} rate-limit refusals, try again after ${secs(at - upStarted)}`,
          );
          await new Promise((resolve) => setTimeout(resolve, Math.max(0, at - Date.now()) + 1000));
          up = await stack.up();
          ups.push(up);
        }
        sampler.stop();
        // From the first up's start to the last up's end (the waits between ups included).
        const upWallMs = Date.now() - upStarted;
        const log = await control.requests();
        const state = await stack.exportState();
        const made = (state.deployment.resources ?? []).filter((r) =>
          String(r.type).includes("dynamic/render:"),
        );
        const tooMany = log.filter((r) => r.status === 429).length;
        // Nothing made twice: the services on Render, by name, against the services in the state.
        const services = await listAll<{ service: { name: string } }>(control, "/services");
        const names = new Set(services.map((s) => s.service.name));
        const duplicates = services.length - names.size;
        const failed =
          expected - made.length + (up.code === 0 ? 0 : 1) + duplicates + (p5Rerun ? otherErrors.length : 0);
        // The least time the limits allow: in each bucket, n requests need ceil(n / limit) - 1 full windows.
        const buckets = new Map<string, { n: number; limit: number; windowMs: number }>();
        for (const r of log) {
          const b = bucketOf(r.method, r.path);
          const entry = buckets.get(b.name) ?? { n: 0, limit: b.limit, windowMs: b.windowMs };
          entry.n++;
          buckets.set(b.name, entry);
        }
        let floorMs = 0;
        let floorBucket = "";
        for (const [name, b] of buckets) {
          const ms = (Math.ceil(b.n / b.limit) - 1) * b.windowMs * p5Scale;
          if (ms > floorMs) [floorMs, floorBucket] = [ms, name];
        }
        figure(`${label} failures`, failed + tooMany, "0", undefined);
        detail(`${label} resources_made`, `${made.length} of ${expected}`);
        if (mixed)
          detail(
            `${label} resources_by_kind`,
            [...countBy(made, (r) => String(r.type).replace(/.*render:/, ""))]
              .map(([k, n]) => `${k} ${n}`)
              .join(", "),
          );
        detail(`${label} up_exit_code`, String(up.code));
        detail(`${label} services_on_render`, `${services.length}, ${duplicates} made twice`);
        if (p5Rerun) {
          detail(`${label} pulumi_ups`, `${ups.length} (${ups.map((u) => secs(u.durationMs)).join(", ")})`);
          detail(`${label} errors_other_than_rate_limits`, otherErrors.length);
          for (const line of otherErrors.slice(0, 5)) detail(`${label} other_error`, line.slice(0, 300));
        }
        detail(
          `${label} database_backend`,
          p5Database === "pglite" ? "PGlite" : `PostgreSQL server ${new URL(p5Database).host}`,
        );
        detail(`${label} http_429`, tooMany);
        figure(
          `${label} up_${expected}_resources`,
          secs(upWallMs),
          `${secs(floorMs)} from ${floorBucket} limits (windows × ${p5Scale})`,
          floorMs > 0 ? upWallMs / floorMs : undefined,
        );
        for (const [name, b] of [...buckets].filter(([n]) => !n.startsWith("service:")))
          detail(`${label} requests ${name}`, `${b.n} (limit ${b.limit} per ${secs(b.windowMs * p5Scale)})`);
        // Where the time goes: seconds since the up started.
        const since = (r: LoggedRequest | undefined) => (r ? secs(Date.parse(r.at) - upStarted) : "none");
        const creates = log.filter((r) => r.method === "POST" && r.path === "/v1/services");
        detail(`${label} first_api_call_at`, since(log[0]));
        detail(`${label} first_service_create_at`, since(creates[0]));
        detail(`${label} last_service_create_at`, since(creates[creates.length - 1]));
        // Each window's first create, after the first create (the limits allow windows × k).
        const createLimit = buckets.get("create-service")?.limit ?? 20;
        if (creates.length > createLimit)
          detail(
            `${label} service_create_window_starts`,
            creates
              .filter((_, k) => k % createLimit === 0)
              .map((r) => secs(Date.parse(r.at) - Date.parse(creates[0].at)))
              .join(", ") +
              ` (the limits allow ${secs(buckets.get("create-service")!.windowMs * p5Scale)} apart)`,
          );
        detail(`${label} last_api_call_at`, since(log[log.length - 1]));
        // The services' own phase against the same floor: from the first create to the last call.
        if (creates.length > 0 && floorMs > 0) {
          const phaseMs = Date.parse(log[log.length - 1].at) - Date.parse(creates[0].at);
          detail(
            `${label} services_phase`,
            `${secs(phaseMs)} (ratio ${(phaseMs / floorMs).toFixed(2)} to the limits' floor)`,
          );
        }
        if (process.argv.includes("--log"))
          for (const r of log.slice(0, log.indexOf(creates[0]) + 5))
            detail(`${label} call`, `${since(r)} ${endpointOf(r)} ${r.status}`);
        figure(`${label} peak_rss_engine_node`, `${Math.round(sampler.peakNodeKb / 1024)} MB`);
        detail(`${label} peak_rss_engine_tree`, `${Math.round(sampler.peakTotalKb / 1024)} MB`);
        detail(`${label} peak_node_processes`, sampler.peakNodeCount);
        if (up.code !== 0) console.error(up.stdout.slice(-3000), up.stderr.slice(-3000));
      } finally {
        sampler.stop();
        await stack.cleanup();
      }
    },
  );
}

async function main(): Promise<void> {
  requireEngine();
  const started = performance.now();
  if (["P1", "P2", "P4", "P6"].some((p) => only.has(p))) await previewFigures();
  if (only.has("P3")) await p3();
  if (only.has("P5")) await p5();
  if (only.has("P1M")) await p1Mixed();
  if (only.has("P5M")) await p5(mixed100);
  console.log(`bench_wall: ${secs(performance.now() - started)}`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
