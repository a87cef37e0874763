/**
 * Helpers of the bad-input and secrets specs (issue 9): one stack of the arrakis program against one
 * emulator, whose config a case rewrites (plain and structured values straight into the stack file,
 * secrets through `pulumi config set --secret`), the emulator's request log read as "writes to /v1",
 * and a scanner that counts plaintext, URL-encoded and base64 forms of secrets in any text.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import type { RunningEmulator } from "../../emulator";
import type { PulumiStack } from "../../tools/harness/pulumiCli";
import { EmulatorApi, readStackFile } from "../../tools/harness/stackHelpers";

/** The local stack's config (Pulumi.local.yaml) as the specs start from it. */
export const localStack = readStackFile();

/** A stack's whole config, the way a case describes it: plain strings, objects, and secrets. */
export interface StackConfigState {
  /** Plain values, `namespace:key` → string. */
  plain: Record<string, string>;
  /** Structured values, `namespace:key` → object (the program reads them as JSON). */
  objects: Record<string, unknown>;
  /** Secret values in plaintext (encrypted by the CLI when set), `namespace:key` → value. */
  secrets: Record<string, string>;
}

/** Pulumi.local.yaml's config pointed at `emu`, with the given secrets. */
export function baseConfig(emu: RunningEmulator, openaiApiKey: string): StackConfigState {
  const secrets = { "render:apiKey": emu.apiKey, "arrakis:openaiApiKey": openaiApiKey };
  // Pulumi.local.yaml holds the emulator's key in plain; here every secret is a secret, set once.
  const plain = Object.fromEntries(Object.entries(localStack.plain).filter(([key]) => !(key in secrets)));
  return {
    plain: { ...plain, "render:apiUrl": emu.url, "render:ownerId": emu.ownerId },
    objects: structuredClone(localStack.objects),
    secrets,
  };
}

/**
 * Makes the stack's config exactly `state`. Plain and structured values are written into
 * `Pulumi.<stack>.yaml` directly (what `pulumi config set` would write, without a CLI run each);
 * a secret is set (or removed) with the CLI only when it differs from what the stack holds.
 */
export class StackConfigWriter {
  private secretsNow: Record<string, string> = {};
  private readonly file: string;

  constructor(private readonly stack: PulumiStack) {
    this.file = path.join(stack.projectDir, `Pulumi.${stack.stackName}.yaml`);
  }

  /** Records the secrets the stack was created with (so unchanged ones are not set again). */
  assumeSecrets(secrets: Record<string, string>): void {
    this.secretsNow = { ...secrets };
  }

  async apply(state: StackConfigState): Promise<void> {
    for (const key of Object.keys(this.secretsNow))
      if (!(key in state.secrets)) {
        await this.stack.mustRun(["config", "rm", key, "--stack", this.stack.stackName]);
        delete this.secretsNow[key];
      }
    for (const [key, value] of Object.entries(state.secrets))
      if (this.secretsNow[key] !== value) {
        await this.stack.setConfig(key, value, { secret: true });
        this.secretsNow[key] = value;
      }
    const doc = parse(fs.readFileSync(this.file, "utf8")) as { config?: Record<string, unknown> };
    const secure = Object.fromEntries(
      Object.entries(doc.config ?? {}).filter(([key]) => key in this.secretsNow),
    );
    doc.config = { ...state.plain, ...state.objects, ...secure };
    fs.writeFileSync(this.file, stringify(doc));
  }
}

/** One request of the emulator's log. */
export interface LoggedRequest {
  method: string;
  path: string;
  query: string;
  status: number;
}

/** The emulator's request log: cleared before a case, read after it. */
export class RequestWatch {
  constructor(private readonly api: EmulatorApi) {}

  async clear(): Promise<void> {
    const answer = await this.api.control("DELETE", "/requests");
    if (answer.status >= 300) throw new Error(`could not clear the request log: ${answer.status}`);
  }

  async all(): Promise<LoggedRequest[]> {
    return (await this.api.requests()) as LoggedRequest[];
  }

  /** Requests to the Render API that could change something: anything but GET/HEAD under /v1. */
  async writes(): Promise<LoggedRequest[]> {
    return (await this.all()).filter(
      (r) => r.path.startsWith("/v1") && r.method !== "GET" && r.method !== "HEAD",
    );
  }
}

/**
 * The encodings of a secret that count as a leak when found: plaintext, URL-encoded, and base64 (and
 * base64url) as it appears inside a larger encoded text, at each of the three byte alignments (only
 * the 4-character groups made of the secret's bytes alone, so a match does not depend on its neighbours).
 */
export function secretForms(value: string): Record<string, string> {
  const forms: Record<string, string> = { plain: value };
  const urlEncoded = encodeURIComponent(value);
  if (urlEncoded !== value) forms.urlEncoded = urlEncoded;
  for (const shift of [0, 1, 2]) {
    const encoded = Buffer.from(`${"x".repeat(shift)}${value}`).toString("base64");
    const inner = encoded.slice(shift === 0 ? 0 : 4, Math.floor((shift + Buffer.byteLength(value)) / 3) * 4);
    if (inner.length < 8) continue;
    forms[`base64@${shift}`] = inner;
    const url = inner.replace(/\+/g, "-").replace(/\//g, "_");
    if (url !== inner) forms[`base64url@${shift}`] = url;
  }
  return forms;
}

/** Occurrences of `needle` in `haystack`. */
function count(haystack: string, needle: string): number {
  if (!needle) return 0;
  let n = 0;
  for (let at = haystack.indexOf(needle); at >= 0; at = haystack.indexOf(needle, at + 1)) n++;
  return n;
}

/** Hits of one secret in one text, by form; `total` sums them. */
export interface SecretHits {
  total: number;
  byForm: Record<string, number>;
}

/** Counts every form of every secret in `text`. */
export function scanText(text: string, secrets: Record<string, string>): Record<string, SecretHits> {
  const out: Record<string, SecretHits> = {};
  for (const [name, value] of Object.entries(secrets)) {
    const byForm: Record<string, number> = {};
    let total = 0;
    for (const [form, needle] of Object.entries(secretForms(value))) {
      const n = count(text, needle);
      if (n > 0) byForm[form] = n;
      total += n;
    }
    out[name] = { total, byForm };
  }
  return out;
}

/** Where a case's output first names `pattern`: the line, for the report. */
export function lineMatching(text: string, pattern: RegExp): string | undefined {
  return text.split("\n").find((line) => pattern.test(line));
}

/** Pads a table's columns and prints it (figures go to the output, not into assertions). */
export function printTable(title: string, header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join(" | ");
  const out = ["", title, line(header), widths.map((w) => "-".repeat(w)).join("-|-"), ...rows.map(line), ""];
  console.log(out.join("\n"));
}
