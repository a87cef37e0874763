/**
 * Pure mapping for Render Postgres: user inputs (render.yaml spellings accepted) -> normalised inputs
 * -> API bodies, and a live database -> the inputs it corresponds to, for drift.
 */
import { z } from "zod";
import {
  postgresPlans,
  postgresVersions,
  regions,
  type PostgresPlan,
  type PostgresVersion,
  type Region,
} from "../render/enums";
import type { CreatePostgresBody, Postgres, UpdatePostgresBody } from "../render/schemas";
import {
  allowed,
  identifierProblem,
  isCidr,
  isUnknown,
  nameProblem,
  type InputFailure,
} from "../runtime/validation";

/** One IP allow list entry, API spelling. */
export interface IpAllowEntry {
  cidrBlock: string;
  description: string;
}

/** Inputs of a Render Postgres database after `check`: normalised, API spellings. */
export interface PostgresInputs {
  name: string;
  ownerId: string;
  plan: PostgresPlan;
  version: PostgresVersion;
  region: Region;
  databaseName?: string;
  databaseUser?: string;
  ipAllowList: IpAllowEntry[];
  highAvailability: boolean;
  diskSizeGB?: number;
  /** Adopt an existing database of the same name instead of refusing to create a second one. */
  adoptExisting: boolean;
  /** Adopt exactly this live database (`dpg-…`) on create; it must exist and carry `name`. */
  adoptId?: string;
  /** Allow a change of an immutable field to replace (delete and recreate) the database. */
  allowReplacement: boolean;
  /** How long `create`/`update` wait for `available`, in seconds. */
  waitTimeoutSeconds: number;
  /** Longest pause between polls while waiting, in seconds (the first poll after 1 s, then doubling). */
  pollIntervalSeconds: number;
}

/** The subset of Render's Postgres object that mapping reads. */
export type LivePostgres = Pick<
  Postgres,
  | "id"
  | "name"
  | "owner"
  | "plan"
  | "version"
  | "region"
  | "databaseName"
  | "databaseUser"
  | "ipAllowList"
  | "highAvailabilityEnabled"
  | "diskSizeGB"
>;

/** Fields that cannot change without replacing the database (PATCH refuses them). */
export const postgresImmutableFields = [
  "ownerId",
  "region",
  "version",
  "databaseName",
  "databaseUser",
] as const;
/** Fields a PATCH changes in place. */
export const postgresMutableFields = [
  "name",
  "plan",
  "ipAllowList",
  "highAvailability",
  "diskSizeGB",
] as const;

/** `basic-256mb` -> `basic_256mb`. */
export function normalisePlan(plan: string): string {
  return plan.trim().toLowerCase().replace(/-/g, "_");
}

/** Builds the zod schema of each RenderPostgres argument (inside a function: see STYLE.md on serialization). */
function postgresFieldSchemas() {
  const bool = (what: string) => z.boolean({ error: `${what} must be true or false` });
  const seconds = (def: number, max: number) =>
    z
      .number({ error: `must be a number of seconds from 0 to ${max}` })
      .min(0, { error: `must be a number of seconds from 0 to ${max}` })
      .max(max, { error: `must be a number of seconds from 0 to ${max}` })
      .default(def);
  const cidrEntry = z
    .object({
      cidrBlock: z.string({ error: "is required: an address and prefix length like 203.0.113.0/24" }).trim(),
      description: z.string({ error: "must be a string" }).default(""),
    })
    .superRefine((e, ctx) => {
      if (!isCidr(e.cidrBlock))
        ctx.addIssue({
          code: "custom",
          path: ["cidrBlock"],
          message: `${JSON.stringify(e.cidrBlock)} is not a CIDR block; expected an address and prefix length like 203.0.113.0/24 or 0.0.0.0/0`,
        });
    });
  return {
    name: z.string({ error: "is required: the database's display name on Render" }).superRefine((v, ctx) => {
      const problem = nameProblem(v);
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    }),
    ownerId: z
      .string({
        error: "is required: a workspace id like tea-…; set it with `pulumi config set render:ownerId tea-…`",
      })
      .regex(/^(tea|usr|own)-[a-z0-9]+$/, {
        error: (i) =>
          `must be a Render workspace id like tea-d303qfodl3ps739p3e60 (got ${JSON.stringify(i.input)})`,
      }),
    plan: z
      .string({ error: `is required; allowed: ${allowed(postgresPlans)}` })
      .transform(normalisePlan)
      .pipe(
        z.enum(postgresPlans, {
          error: (i) =>
            `${JSON.stringify(i.input)} is not a Render Postgres plan; allowed: ${allowed(postgresPlans)}`,
        }),
      ),
    version: z
      .union([z.string(), z.number()], { error: `is required; allowed: ${allowed(postgresVersions)}` })
      .transform((v) => String(v).trim())
      .pipe(
        z.enum(postgresVersions, {
          error: (i) =>
            `${JSON.stringify(i.input)} is not a supported PostgreSQL version; allowed: ${allowed(postgresVersions)}`,
        }),
      ),
    region: z
      .enum(regions, {
        error: (i) => `${JSON.stringify(i.input)} is not a Render region; allowed: ${allowed(regions)}`,
      })
      .default("oregon"),
    // Render appends "_xxxx" to the database name, and PostgreSQL identifiers stop at 63 bytes.
    databaseName: z
      .string({ error: "must be a string" })
      .superRefine((v, ctx) => {
        const problem = identifierProblem(v, 58);
        if (problem) ctx.addIssue({ code: "custom", message: problem });
      })
      .optional(),
    databaseUser: z
      .string({ error: "must be a string" })
      .superRefine((v, ctx) => {
        const problem =
          identifierProblem(v, 63) ??
          (v === "postgres" || v.startsWith("pg_")
            ? "must not be 'postgres' or start with 'pg_' (reserved)"
            : undefined);
        if (problem) ctx.addIssue({ code: "custom", message: problem });
      })
      .optional(),
    ipAllowList: z
      .array(cidrEntry, { error: "must be a list of {cidrBlock, description}" })
      .default([])
      .superRefine((list, ctx) => {
        const seen = new Set<string>();
        list.forEach((e, i) => {
          if (seen.has(e.cidrBlock))
            ctx.addIssue({
              code: "custom",
              path: [i, "cidrBlock"],
              message: `${e.cidrBlock} is listed twice`,
            });
          seen.add(e.cidrBlock);
        });
      }),
    highAvailability: bool("highAvailability").default(false),
    diskSizeGB: z
      .number({ error: "must be a whole number of GB from 1 to 16384" })
      .int({ error: "must be a whole number of GB from 1 to 16384" })
      .min(1, { error: "must be a whole number of GB from 1 to 16384" })
      .max(16384, { error: "must be a whole number of GB from 1 to 16384" })
      .optional(),
    adoptExisting: bool("adoptExisting").default(false),
    adoptId: z
      .string({ error: 'must be a Render Postgres id like "dpg-…"' })
      .regex(/^dpg-[a-z0-9]+(-a)?$/, {
        error: 'must be a Render Postgres id like "dpg-…" (the dashboard URL has it)',
      })
      .optional(),
    allowReplacement: bool("allowReplacement").default(false),
    waitTimeoutSeconds: seconds(1800, 86400),
    pollIntervalSeconds: seconds(8, 600),
  };
}

/** render.yaml spellings -> ours: postgresMajorVersion, user, ipAllowList[].source, highAvailability.enabled. */
function fromBlueprintSpelling(raw: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...raw };
  const move = (from: string, to: string) => {
    if (out[from] !== undefined && out[to] === undefined) out[to] = out[from];
    delete out[from];
  };
  move("postgresMajorVersion", "version");
  move("user", "databaseUser");
  const ha = out.highAvailability;
  if (ha && typeof ha === "object" && !Array.isArray(ha))
    out.highAvailability = (ha as { enabled?: unknown }).enabled;
  if (Array.isArray(out.ipAllowList))
    out.ipAllowList = out.ipAllowList.map((e: unknown) => {
      if (!e || typeof e !== "object") return e;
      const { source, ...rest } = e as Record<string, unknown>;
      return rest.cidrBlock === undefined && source !== undefined ? { cidrBlock: source, ...rest } : e;
    });
  for (const key of Object.keys(out)) if (out[key] === null || out[key] === "") delete out[key];
  return out;
}

/**
 * Validates and normalises raw inputs (as the engine hands them to `check`) with zod, field by field,
 * so every failure names its property and what is allowed. Accepts render.yaml spellings. Values not
 * known during preview (the engine's sentinel) pass through unvalidated.
 */
export function checkPostgresInputs(raw: Record<string, unknown>): {
  inputs: Record<string, unknown>;
  failures: InputFailure[];
} {
  const failures: InputFailure[] = [];
  const values = fromBlueprintSpelling(raw);
  const schemas = postgresFieldSchemas();
  const out: Record<string, unknown> = {};
  for (const [key, schema] of Object.entries(schemas)) {
    const value = values[key];
    if (isUnknown(value)) {
      out[key] = value;
      continue;
    }
    const result = (schema as z.ZodType).safeParse(value);
    if (result.success) {
      if (result.data !== undefined) out[key] = result.data;
    } else {
      for (const issue of result.error.issues)
        failures.push({ property: propertyPath(key, issue.path), reason: issue.message });
    }
  }
  if (out.highAvailability === true) {
    if (typeof out.plan === "string" && !isUnknown(out.plan) && !/^(pro|accelerated)_/.test(out.plan))
      failures.push({
        property: "highAvailability",
        reason: `needs a pro_* or accelerated_* plan (plan is ${JSON.stringify(out.plan)})`,
      });
    if (typeof out.version === "string" && Number(out.version) < 13)
      failures.push({ property: "highAvailability", reason: "needs PostgreSQL 13 or later" });
  }
  // Anything else is most likely a typo: say so rather than silently ignore it.
  for (const key of Object.keys(values))
    if (!(key in schemas) && key !== "__provider")
      failures.push({
        property: key,
        reason: `is not a RenderPostgres argument; allowed: ${Object.keys(schemas).join(", ")}`,
      });
  return { inputs: out, failures };
}

function propertyPath(key: string, path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (acc, p) => (typeof p === "number" ? `${acc}[${p}]` : `${acc}.${String(p)}`),
    key,
  );
}

/** The live database's name as Render shows it can carry a random `_xxxx` suffix: not drift. */
export function databaseNameMatches(desired: string | undefined, live: string): boolean {
  if (desired === undefined) return true;
  return live === desired || new RegExp(`^${desired}_[a-z0-9]{4}$`).test(live);
}

/** The inputs that a live database corresponds to (for `read`, import and refresh). */
export function fromPostgres(live: LivePostgres, base?: Partial<PostgresInputs>): PostgresInputs {
  const desiredName = base?.databaseName;
  return {
    name: live.name,
    ownerId: live.owner.id,
    plan: live.plan as PostgresPlan,
    version: live.version as PostgresVersion,
    region: live.region as Region,
    // Keep the user's unsuffixed spelling when the live name is that name plus Render's suffix.
    databaseName:
      desiredName !== undefined && databaseNameMatches(desiredName, live.databaseName)
        ? desiredName
        : live.databaseName,
    databaseUser: live.databaseUser,
    ipAllowList: (live.ipAllowList ?? []).map((e) => ({
      cidrBlock: e.cidrBlock,
      description: e.description ?? "",
    })),
    highAvailability: live.highAvailabilityEnabled ?? false,
    ...(base?.diskSizeGB !== undefined && live.diskSizeGB != null ? { diskSizeGB: live.diskSizeGB } : {}),
    adoptExisting: base?.adoptExisting ?? false,
    ...(base?.adoptId !== undefined ? { adoptId: base.adoptId } : {}),
    allowReplacement: base?.allowReplacement ?? false,
    waitTimeoutSeconds: base?.waitTimeoutSeconds ?? 1800,
    pollIntervalSeconds: base?.pollIntervalSeconds ?? 8,
  };
}

function sameAllowList(a: IpAllowEntry[], b: { cidrBlock: string; description?: string }[]): boolean {
  const key = (l: { cidrBlock: string; description?: string }[]) =>
    l
      .map((e) => `${e.cidrBlock}\u0000${e.description ?? ""}`)
      .sort()
      .join("\n");
  return key(a) === key(b);
}

/** Which desired fields differ from the live database: in place (`changed`) and needing replacement. */
export function diffPostgres(
  desired: PostgresInputs,
  live: LivePostgres,
): { changed: string[]; replaced: string[] } {
  const changed: string[] = [];
  const replaced: string[] = [];
  if (live.owner.id !== desired.ownerId) replaced.push("ownerId");
  if (live.region !== desired.region) replaced.push("region");
  if (live.version !== desired.version) replaced.push("version");
  if (!databaseNameMatches(desired.databaseName, live.databaseName)) replaced.push("databaseName");
  if (desired.databaseUser !== undefined && desired.databaseUser !== live.databaseUser)
    replaced.push("databaseUser");
  if (live.name !== desired.name) changed.push("name");
  if (live.plan !== desired.plan) changed.push("plan");
  if (!sameAllowList(desired.ipAllowList, live.ipAllowList)) changed.push("ipAllowList");
  if ((live.highAvailabilityEnabled ?? false) !== desired.highAvailability) changed.push("highAvailability");
  if (desired.diskSizeGB !== undefined && live.diskSizeGB != null && live.diskSizeGB !== desired.diskSizeGB)
    changed.push("diskSizeGB");
  return { changed, replaced };
}

/** The POST /postgres body. */
export function toCreatePostgresBody(inputs: PostgresInputs): CreatePostgresBody {
  return {
    name: inputs.name,
    ownerId: inputs.ownerId,
    plan: inputs.plan,
    version: inputs.version,
    region: inputs.region,
    ...(inputs.databaseName !== undefined ? { databaseName: inputs.databaseName } : {}),
    ...(inputs.databaseUser !== undefined ? { databaseUser: inputs.databaseUser } : {}),
    ipAllowList: inputs.ipAllowList,
    enableHighAvailability: inputs.highAvailability,
    ...(inputs.diskSizeGB !== undefined ? { diskSizeGB: inputs.diskSizeGB } : {}),
  };
}

/** The PATCH /postgres/{id} body: only what differs from live. */
export function toPatchPostgresBody(inputs: PostgresInputs, live: LivePostgres): UpdatePostgresBody {
  const { changed } = diffPostgres(inputs, live);
  const body: UpdatePostgresBody = {};
  if (changed.includes("name")) body.name = inputs.name;
  if (changed.includes("plan")) body.plan = inputs.plan;
  if (changed.includes("ipAllowList")) body.ipAllowList = inputs.ipAllowList;
  if (changed.includes("highAvailability")) body.enableHighAvailability = inputs.highAvailability;
  if (changed.includes("diskSizeGB")) body.diskSizeGB = inputs.diskSizeGB;
  return body;
}

/**
 * What adopting a live database changes, in lines a person reads in `pulumi preview` before the up that
 * adopts it (listed there as a `create`): each setting that differs, both sides (none is secret). Empty
 * when the adoption changes nothing; settings that would need a new database stop the up instead.
 */
export function postgresAdoptionChanges(desired: PostgresInputs, live: LivePostgres): string[] {
  const now = fromPostgres(live) as unknown as Record<string, unknown>;
  const wanted = desired as unknown as Record<string, unknown>;
  const show = (field: string, v: unknown) =>
    field === "ipAllowList"
      ? `[${((v ?? []) as IpAllowEntry[]).map((e) => e.cidrBlock).join(", ")}]`
      : JSON.stringify(v ?? null);
  return diffPostgres(desired, live).changed.map(
    (field) => `~ ${field}: ${show(field, now[field])} => ${show(field, wanted[field])}`,
  );
}
