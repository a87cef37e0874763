/**
 * Turns the engine's `pulumi preview --refresh --json` into the drift report of `npm run drift`
 * (tools/drift.ts): per resource that is not as the program wants it, each field that differs, live
 * versus wanted. Pure: no I/O, so every rule here has a unit test (tests/tools/driftReport.spec.ts).
 *
 * Where the values come from: with a refresh, each provider's `read` returns what is live on Render as
 * the resource's inputs, so a step's `oldState.inputs` is live and its `newState.inputs` is what the
 * program wants. Our dynamic providers' `diff` returns no field list, so the fields are found here by
 * comparing the two (objects field by field, env vars key by key, lists as a whole).
 *
 * Secrets never reach the report: the engine already prints secret values as "[secret]" (without
 * `--show-secrets`, which drift never passes), any value holding one is shown whole as [secret], and
 * env var values are always [secret], whether Pulumi marks them secret or not.
 */

/** The part of a resource state in the engine's JSON that the report reads. */
export interface PreviewState {
  id?: string;
  type?: string;
  inputs?: Record<string, unknown>;
}

/** One step of `pulumi preview --json`. */
export interface PreviewStep {
  op: string;
  urn: string;
  oldState?: PreviewState;
  newState?: PreviewState;
}

/** The engine's `pulumi preview --json` document, as far as the report reads it. */
export interface PreviewJson {
  steps?: PreviewStep[];
  changeSummary?: Record<string, number>;
  diagnostics?: Array<{ urn?: string; message?: string; severity?: string }>;
}

/** One field that differs. `live`/`wanted` are masked values; null when the field is not set there. */
export interface FieldDrift {
  field: string;
  live: unknown;
  wanted: unknown;
  /** What the provider said about it (e.g. "value changed outside Pulumi"), when it said something. */
  note?: string;
}

/** How a resource differs as a whole. */
export type ResourceChange = "update" | "replace" | "create" | "delete";

export interface ResourceDrift {
  name: string;
  /** Short type, e.g. `render:Postgres`. */
  type: string;
  /** Render id, when the stack has one. */
  id?: string;
  urn: string;
  change: ResourceChange;
  fields: FieldDrift[];
}

export interface DriftReport {
  stack: string;
  status: "clean" | "drift";
  resources: ResourceDrift[];
  /** Resources (the stack itself included) the preview leaves as they are. */
  unchanged: number;
}

/** Exit codes of `npm run drift`. */
export const driftExitCode = { clean: 0, error: 1, drift: 2 } as const;

export const SECRET = "[secret]";
/** The signature key of a secret value in Pulumi's JSON property encoding. */
const secretSig = "4dabf18193072939515e22adb298388d";
/** The input holding the serialized dynamic provider: code, not configuration. */
const ignoredInputs = new Set(["__provider"]);
/** Step ops that change nothing (a refresh in a preview only reads). */
const quietOps = new Set(["same", "refresh", "read"]);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** True when `value` is, or holds anywhere, a secret as the engine prints it. */
export function holdsSecret(value: unknown): boolean {
  if (value === SECRET) return true;
  if (Array.isArray(value)) return value.some(holdsSecret);
  if (isPlainObject(value)) return secretSig in value || Object.values(value).some(holdsSecret);
  return false;
}

/** A value as the report may show it: null when absent, [secret] when it holds a secret. */
function masked(value: unknown): unknown {
  if (value === undefined) return null;
  return holdsSecret(value) ? SECRET : value;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** The env var fields that differ: by key, values never shown. */
function envVarDrift(live: unknown, wanted: unknown): FieldDrift[] {
  const liveVars = isPlainObject(live) ? live : {};
  const wantedVars = isPlainObject(wanted) ? wanted : {};
  const out: FieldDrift[] = [];
  for (const key of [...new Set([...Object.keys(liveVars), ...Object.keys(wantedVars)])].sort()) {
    const [l, w] = [liveVars[key], wantedVars[key]];
    if (same(l, w)) continue;
    const liveNote = isPlainObject(l) && typeof l.drift === "string" ? l.drift : undefined;
    const kind = (v: unknown) => (isPlainObject(v) && typeof v.kind === "string" ? v.kind : undefined);
    const note =
      liveNote ??
      (l === undefined
        ? "not on Render"
        : w === undefined
          ? "set outside Pulumi"
          : kind(l) !== kind(w)
            ? `${kind(l) ?? "?"} on Render, ${kind(w) ?? "?"} in the program`
            : "value differs");
    out.push({
      field: `envVars.${key}`,
      live: l === undefined ? null : SECRET,
      wanted: w === undefined ? null : SECRET,
      note,
    });
  }
  return out;
}

/** The fields of `live` and `wanted` (inputs) that differ, with dotted paths, sorted. */
export function fieldDrift(
  live: Record<string, unknown> | undefined,
  wanted: Record<string, unknown> | undefined,
): FieldDrift[] {
  const out: FieldDrift[] = [];
  const walk = (l: unknown, w: unknown, prefix: string) => {
    const keys = [
      ...new Set([...Object.keys(isPlainObject(l) ? l : {}), ...Object.keys(isPlainObject(w) ? w : {})]),
    ].sort();
    for (const key of keys) {
      if (prefix === "" && ignoredInputs.has(key)) continue;
      const lv = isPlainObject(l) ? l[key] : undefined;
      const wv = isPlainObject(w) ? w[key] : undefined;
      if (same(lv, wv)) continue;
      const field = `${prefix}${key}`;
      if (field === "envVars") out.push(...envVarDrift(lv, wv));
      else if (isPlainObject(lv) && isPlainObject(wv) && !holdsSecret(lv) && !holdsSecret(wv))
        walk(lv, wv, `${field}.`);
      else out.push({ field, live: masked(lv), wanted: masked(wv) });
    }
  };
  walk(live ?? {}, wanted ?? {}, "");
  return out;
}

/** `urn:pulumi:stack::project::parent$type::name` → its name and short type. */
function nameAndType(urn: string): { name: string; type: string } {
  const parts = urn.split("::");
  const name = parts[parts.length - 1] ?? urn;
  const fullType = (parts[parts.length - 2] ?? "").split("$").pop() ?? "";
  return { name, type: fullType.replace(/^pulumi-nodejs:dynamic\//, "") };
}

function changeOf(op: string): ResourceChange {
  if (op === "create" || op === "import") return "create";
  if (op === "delete") return "delete";
  if (op === "update") return "update";
  // create-replacement, replace, delete-replaced, discard-replaced, import-replacement
  return "replace";
}

/** The drift report of a stack from its preview document (one that ended without error). */
export function driftReport(stack: string, preview: PreviewJson): DriftReport {
  const byUrn = new Map<string, PreviewStep[]>();
  for (const step of preview.steps ?? []) {
    if (quietOps.has(step.op)) continue;
    byUrn.set(step.urn, [...(byUrn.get(step.urn) ?? []), step]);
  }
  const resources: ResourceDrift[] = [];
  for (const [urn, steps] of byUrn) {
    const change = steps.some((s) => changeOf(s.op) === "replace") ? "replace" : changeOf(steps[0].op);
    // The step that holds both sides (a replacement's own steps hold one each).
    const step = steps.find((s) => s.oldState && s.newState) ?? steps[0];
    const { name, type } = nameAndType(urn);
    const fields =
      change === "update" || change === "replace"
        ? fieldDrift(step.oldState?.inputs, step.newState?.inputs)
        : [];
    resources.push({ name, type, id: step.oldState?.id || undefined, urn, change, fields });
  }
  resources.sort((a, b) => a.name.localeCompare(b.name));
  const summary = preview.changeSummary ?? {};
  return {
    stack,
    status: resources.length > 0 ? "drift" : "clean",
    resources,
    unchanged: summary.same ?? 0,
  };
}

/** A masked value as a person reads it. */
export function showValue(value: unknown): string {
  if (value === null || value === undefined) return "(not set)";
  if (value === SECRET) return SECRET;
  return JSON.stringify(value);
}

const marks: Record<ResourceChange, string> = { update: "~", replace: "+-", create: "+", delete: "-" };
const changeWords: Record<ResourceChange, string> = {
  update: "",
  replace: "  (would be replaced)",
  create: "  (in the program, not in the stack: would be created)",
  delete: "  (in the stack, not in the program: would be deleted)",
};

function pad(rows: string[][]): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  return rows.map((r) =>
    r
      .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i])))
      .join("   ")
      .trimEnd(),
  );
}

/** The report as a person reads it at a glance. */
export function formatDriftReport(report: DriftReport): string {
  const total = report.unchanged + report.resources.length;
  if (report.status === "clean")
    return `No drift on stack ${report.stack}: all ${total} resources are as the program wants them.\n`;
  const n = report.resources.length;
  const lines = [
    `Drift on stack ${report.stack}: ${n} of ${total} resources differ from the program (live on Render vs wanted).`,
  ];
  for (const r of report.resources) {
    lines.push(
      "",
      `${marks[r.change]} ${r.name}  ${r.type}${r.id ? `  ${r.id}` : ""}${changeWords[r.change]}`,
    );
    if (r.fields.length > 0) {
      const rows = [
        ["field", "live", "wanted", ""],
        ...r.fields.map((f) => [f.field, showValue(f.live), showValue(f.wanted), f.note ?? ""]),
      ];
      lines.push(...pad(rows).map((row) => `    ${row}`));
    } else if (r.change === "update" || r.change === "replace")
      lines.push("    (Render reports a change that no input shows: see `pulumi preview --diff`)");
  }
  lines.push(
    "",
    `\`pulumi preview --diff --stack ${report.stack}\` shows the same; \`pulumi up --stack ${report.stack}\` ` +
      "puts the wanted values back.",
  );
  return `${lines.join("\n")}\n`;
}

/**
 * Why a preview failed, from its document's error diagnostics, else the last lines of its stderr. Each
 * message is one line per problem, without the `error: ` prefix.
 */
export function previewErrors(preview: PreviewJson | undefined, stderr: string): string[] {
  const fromJson = (preview?.diagnostics ?? [])
    .filter((d) => d.severity === "error" && d.message)
    .map((d) => (d.message as string).trim().replace(/^error: /, ""));
  if (fromJson.length > 0) return [...new Set(fromJson)];
  const lines = stderr
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "");
  return lines.length > 0 ? lines.slice(-20) : ["pulumi preview failed without saying why"];
}
