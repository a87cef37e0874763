/**
 * render.yaml entry -> a kind's arguments: the ONE table of which Blueprint entry becomes which resource
 * kind, and how its keys become that kind's fields. The program (app/) builds resources from it and the
 * Blueprint importer (tools/blueprint/) checks what it writes with it. Pure: the kinds' schemas only.
 *
 * A kind plugs in with one entry of {@link blueprintKinds}: which section and `type`/`runtime` select it,
 * its schema fields, the render.yaml keys it renames, the keys the program handles itself (env vars,
 * adoption), and the prefix of its ids.
 */
import type { z } from "zod";
import { fromBlueprintSpelling, postgresFieldRules, postgresFields } from "../postgres/schema";
import { fromKeyValueBlueprintSpelling, keyValueFieldRules, keyValueFields } from "../keyValue/schema";
import { serviceFieldRules } from "../webService/mapping";
import { serviceRules } from "../service/mapping";
import { backgroundWorkerFieldMeta, backgroundWorkerFields } from "../backgroundWorker/schema";
import { privateServiceFieldMeta, privateServiceFields } from "../privateService/schema";
import { cronJobFieldMeta, cronJobFields } from "../cronJob/schema";
import { fromStaticSiteBlueprintSpelling, staticSiteFields } from "../staticSite/schema";
import { envGroupFields, fromEnvGroupBlueprintSpelling } from "../envGroup/schema";
import { webServiceFieldMeta, webServiceFields } from "../webService/schema";
import { fromWorkflowBlueprintSpelling, workflowFields } from "../workflow/schema";
import { allowed, propertyPath, type InputFailure } from "../runtime/validation";

/** The stack config keys of an app, render.yaml's own top-level keys (plus `keyValues`). */
export const vocabularySections = ["services", "databases", "keyValues", "envVarGroups"] as const;

/** One of {@link vocabularySections}. */
export type VocabularySection = (typeof vocabularySections)[number];

/** The kinds a Blueprint entry can become (folder names under components/). */
export type BlueprintKindName =
  | "webService"
  | "postgres"
  | "keyValue"
  | "backgroundWorker"
  | "privateService"
  | "cronJob"
  | "staticSite"
  | "envGroup"
  | "workflow";

/** How one kind reads its render.yaml entries. */
export interface BlueprintKind {
  /** The kind (its folder under components/ and `pulumi-nodejs:dynamic/render:<Kind>`). */
  kind: BlueprintKindName;
  /** The stack config key its entries are listed under. */
  section: VocabularySection;
  /** Selects it within `services`: render.yaml `type` (and `runtime` for a static site). */
  selects?: (entry: Record<string, unknown>) => boolean;
  /** The render.yaml `type` values that select it (messages and fromService targets). */
  types?: readonly string[];
  /** The kind's fields (its schema.ts), each validated by its own schema. */
  fields: Record<string, z.ZodType>;
  /** Fields the program sets itself (workspace, adoption, env vars): never taken from an entry. */
  programFields: readonly string[];
  /** render.yaml spellings -> the kind's field names and shapes. */
  fromBlueprint?: (raw: Record<string, unknown>) => Record<string, unknown>;
  /** What the render.yaml spelling itself gets wrong (a key listed twice), before the fields' checks. */
  blueprintProblems?: (raw: Record<string, unknown>) => InputFailure[];
  /** Rules between fields, on values already checked one by one. */
  rules?: (args: Record<string, unknown>) => InputFailure[];
  /** Whether its entries take `envVars` (links, values, generated, secrets). */
  envVars: boolean;
  /** The entry keys the program reads itself besides the kind's fields (see {@link commonEntryKeys}). */
  entryKeys: readonly string[];
  /** Prefix of its Render ids, for `importId`. */
  idPrefix: string;
}

/**
 * Entry keys of our own, on every kind: `importId` (adopt the live object with this id), `protect`
 * (Pulumi's protect option) and `environment` (`<project>/<environment>`: the entry is placed in that
 * environment of a project of the stack's `projects`, render.yaml's `projects[].environments[]`). Services add render.yaml's `type`, `envVars` and `domains` (read by
 * vocabulary.ts: a custom domain each); databases add `extensions` (PostgreSQL extensions, e.g. `[vector]`).
 */
export const commonEntryKeys = ["importId", "protect", "environment"] as const;

/**
 * Env vars Render sets itself on a web service or static site, which `fromService.envVarKey` may link
 * without the target declaring them: its public URL and that URL's hostname
 * (render.com/docs/environment-variables). The program reads them from the target's `url` output.
 */
export const renderExternalEnvVars = ["RENDER_EXTERNAL_URL", "RENDER_EXTERNAL_HOSTNAME"] as const;

/** Web service render.yaml keys that differ from the field name (besides each field's `blueprint` meta). */
const webServiceRenames: Record<string, string> = { pullRequestPreviewsEnabled: "pullRequestPreviews" };

function renamed(raw: Record<string, unknown>, renames: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...raw };
  for (const [from, to] of Object.entries(renames)) {
    if (out[from] !== undefined && out[to] === undefined) out[to] = out[from];
    delete out[from];
  }
  return out;
}

/** render.yaml spellings of a service kind: its fields' `blueprint` meta and the shared renames. */
function serviceSpelling(fieldMeta: Record<string, { blueprint?: string | false }>) {
  return (raw: Record<string, unknown>) =>
    renamed(raw, {
      ...webServiceRenames,
      ...Object.fromEntries(
        Object.entries(fieldMeta)
          .filter(([, m]) => typeof m.blueprint === "string")
          .map(([field, m]) => [m.blueprint as string, field]),
      ),
    });
}

/** A service kind without a public URL, selected by its render.yaml `type`. */
function privateKind(
  kind: BlueprintKindName,
  type: string,
  fields: Record<string, z.ZodType>,
  fieldMeta: Record<string, { blueprint?: string | false }>,
  idPrefix: string,
): BlueprintKind {
  return {
    kind,
    section: "services",
    types: [type],
    selects: (e) => e.type === type,
    fields,
    programFields: ["ownerId", "adoptId", "environmentId", "envVars"],
    fromBlueprint: serviceSpelling(fieldMeta),
    rules: (args) => serviceRules(args, false),
    envVars: true,
    // render.yaml `disk`: a RenderDisk of the service (not on a cron job: render.com/docs/disks).
    entryKeys: ["type", "envVars", ...(type === "cron" ? [] : ["disk"]), ...commonEntryKeys],
    idPrefix,
  };
}

/** Every kind a Blueprint entry can become today; the others plug in here as they land. */
export const blueprintKinds: BlueprintKind[] = [
  {
    kind: "webService",
    section: "services",
    types: ["web"],
    selects: (e) => e.type === "web" && e.runtime !== "static" && e.env !== "static",
    fields: webServiceFields,
    programFields: ["ownerId", "adoptId", "environmentId", "envVars"],
    fromBlueprint: (raw) =>
      renamed(raw, {
        ...webServiceRenames,
        ...Object.fromEntries(
          Object.entries(webServiceFieldMeta)
            .filter(([, m]) => typeof m.blueprint === "string")
            .map(([field, m]) => [m.blueprint as string, field]),
        ),
      }),
    rules: (args) => serviceFieldRules(args),
    envVars: true,
    entryKeys: ["type", "envVars", "domains", "disk", ...commonEntryKeys],
    idPrefix: "srv-",
  },
  privateKind("backgroundWorker", "worker", backgroundWorkerFields, backgroundWorkerFieldMeta, "srv-"),
  privateKind("privateService", "pserv", privateServiceFields, privateServiceFieldMeta, "srv-"),
  privateKind("cronJob", "cron", cronJobFields, cronJobFieldMeta, "crn-"),
  {
    // render.yaml `type: workflow` (Render Workflows): no plan, `startCommand` is its run command.
    kind: "workflow",
    section: "services",
    types: ["workflow"],
    selects: (e) => e.type === "workflow",
    fields: workflowFields,
    programFields: ["ownerId", "adoptId", "envVars"],
    fromBlueprint: fromWorkflowBlueprintSpelling,
    envVars: true,
    entryKeys: ["type", "envVars", ...commonEntryKeys],
    // Render's prefix for workflow ids is UNCONFIRMED (components/workflow/schema.ts).
    idPrefix: "wfl-",
  },
  {
    kind: "staticSite",
    section: "services",
    types: ["web"],
    // render.yaml: `type: web` with `runtime: static` (older files: `env: static`).
    selects: (e) => e.type === "web" && (e.runtime === "static" || e.env === "static"),
    fields: staticSiteFields,
    programFields: ["ownerId", "adoptId", "environmentId", "envVars"],
    fromBlueprint: fromStaticSiteBlueprintSpelling,
    // Read by its build: the same sources and links as a service's.
    envVars: true,
    entryKeys: ["type", "runtime", "env", "envVars", "domains", ...commonEntryKeys],
    idPrefix: "srv-",
  },
  {
    kind: "envGroup",
    section: "envVarGroups",
    fields: envGroupFields,
    programFields: ["ownerId", "adoptId", "environmentId"],
    // `sync: false` vars are the program's (vocabulary.ts reads them; their values come from secrets).
    fromBlueprint: (raw) => fromEnvGroupBlueprintSpelling(withoutSecretVars(raw)).values,
    blueprintProblems: (raw) => fromEnvGroupBlueprintSpelling(withoutSecretVars(raw)).failures,
    envVars: false,
    entryKeys: commonEntryKeys,
    idPrefix: "evg-",
  },
  {
    kind: "postgres",
    section: "databases",
    fields: postgresFields,
    programFields: ["ownerId", "adoptId", "environmentId"],
    fromBlueprint: fromBlueprintSpelling,
    rules: postgresFieldRules,
    envVars: false,
    entryKeys: ["extensions", ...commonEntryKeys],
    idPrefix: "dpg-",
  },
  {
    kind: "keyValue",
    section: "keyValues",
    types: ["keyvalue", "redis"],
    fields: keyValueFields,
    programFields: ["ownerId", "adoptId", "environmentId"],
    // render.yaml lists a Key Value under `services` with `type: keyvalue`; here it has its own key.
    fromBlueprint: (raw) => fromKeyValueBlueprintSpelling(raw),
    rules: keyValueFieldRules,
    envVars: false,
    entryKeys: commonEntryKeys,
    idPrefix: "red-",
  },
];

/** An env group's render.yaml without its `sync: false` vars (the program reads them from secrets). */
export function withoutSecretVars(raw: Record<string, unknown>): Record<string, unknown> {
  if (!Array.isArray(raw.envVars)) return raw;
  return {
    ...raw,
    envVars: raw.envVars.filter(
      (v: unknown) => !(v && typeof v === "object" && (v as Record<string, unknown>).sync === false),
    ),
  };
}

/** The render.yaml `type` values of `services` entries and the kind each becomes (known today). */
export function serviceTypes(): string[] {
  return [...new Set(blueprintKinds.filter((k) => k.section === "services").flatMap((k) => k.types ?? []))];
}

/** The kind an entry of `section` becomes, or why none does. */
export function kindOf(
  section: VocabularySection,
  entry: Record<string, unknown>,
): { kind: BlueprintKind } | { problem: string } {
  const candidates = blueprintKinds.filter((k) => k.section === section);
  if (section !== "services") {
    const only = candidates[0];
    return only ? { kind: only } : { problem: `${section} are not supported by this program yet` };
  }
  const chosen = candidates.find((k) => k.selects?.(entry));
  if (chosen) return { kind: chosen };
  const known = serviceTypes();
  if (entry.type === "keyvalue" || entry.type === "redis")
    return { problem: `a Key Value is listed under keyValues (without type), not under services` };
  return {
    problem:
      entry.type === undefined
        ? `type is required; allowed: ${allowed(known)}`
        : `type ${JSON.stringify(entry.type)}${entry.runtime === "static" ? " with runtime static" : ""} is not supported by this program yet; supported: ${allowed(known)}`,
  };
}

/** The fields an entry of `kind` may set: the kind's own, but those the program sets itself. */
function entryFields(kind: BlueprintKind): Record<string, z.ZodType> {
  return Object.fromEntries(Object.entries(kind.fields).filter(([key]) => !kind.programFields.includes(key)));
}

/**
 * The top-level keys of an entry that `kind` does not model (neither a field in any render.yaml spelling
 * nor one of the program's entry keys), in the entry's order: what an import reports as lost.
 */
export function unmodeledKeys(kind: BlueprintKind, entry: Record<string, unknown>): string[] {
  const fields = entryFields(kind);
  return Object.keys(entry).filter((key) => {
    if (kind.entryKeys.includes(key)) return false;
    const one = { [key]: entry[key] };
    const spelled = kind.fromBlueprint ? kind.fromBlueprint(one) : one;
    return Object.keys(spelled).some((k) => !(k in fields));
  });
}

/**
 * One entry's keys -> the kind's arguments, validated by the kind's own schemas (defaults filled in,
 * API spellings), without the fields the program sets itself. Failures name the entry's key.
 */
export function toKindArgs(
  kind: BlueprintKind,
  entry: Record<string, unknown>,
): { args: Record<string, unknown>; failures: InputFailure[] } {
  const raw: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(entry)) if (!kind.entryKeys.includes(key)) raw[key] = value;
  const spelled = kind.fromBlueprint ? kind.fromBlueprint(raw) : raw;
  const fields = entryFields(kind);
  const failures: InputFailure[] = kind.blueprintProblems ? kind.blueprintProblems(raw) : [];
  const args: Record<string, unknown> = {};
  for (const [key, schema] of Object.entries(fields)) {
    const result = schema.safeParse(spelled[key]);
    if (result.success) {
      if (result.data !== undefined && spelled[key] !== undefined) args[key] = result.data;
    } else
      for (const issue of result.error.issues)
        failures.push({ property: propertyPath(key, issue.path), reason: issue.message });
  }
  const unknown = Object.keys(spelled).filter((key) => !(key in fields));
  for (const key of unknown)
    failures.push({
      property: key,
      reason: `is not a key this program models for a ${kind.kind} entry; allowed: ${[...Object.keys(fields), ...kind.entryKeys].join(", ")}`,
    });
  if (failures.length === 0 && kind.rules) {
    const parsed: Record<string, unknown> = {};
    for (const [key, schema] of Object.entries(fields)) {
      const r = schema.safeParse(spelled[key]);
      if (r.success && r.data !== undefined) parsed[key] = r.data;
    }
    failures.push(...kind.rules(parsed));
  }
  return { args, failures };
}
