/**
 * Pure mapping for Render Postgres: user inputs (render.yaml spellings accepted) -> normalised inputs
 * -> API bodies, and a live database -> the inputs it corresponds to, for drift.
 */
import type { CreatePostgresBody, Postgres, UpdatePostgresBody } from "../render/schemas";
import type { PostgresPlan, PostgresVersion, Region } from "../render/enums";
import { checkFields, type InputFailure } from "../runtime/validation";
import { needsMove } from "../runtime/environment";
import {
  fromBlueprintSpelling,
  postgresDefaults,
  postgresFieldRules,
  postgresFields,
  postgresFieldsWhere,
  postgresProviderOptions,
  type IpAllowEntry,
  type PostgresFieldMeta,
  type PostgresInputs,
} from "./schema";

export { postgresImmutableFields, type IpAllowEntry, type PostgresInputs } from "./schema";

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
  | "diskAutoscalingEnabled"
> &
  Partial<Pick<Postgres, "environmentId">>;

/**
 * Validates and normalises raw inputs (as the engine hands them to `check`) with zod, field by field,
 * so every failure names its property and what is allowed. Accepts render.yaml spellings. Values not
 * known during preview (the engine's sentinel) pass through unvalidated.
 */
export function checkPostgresInputs(raw: Record<string, unknown>): {
  inputs: Record<string, unknown>;
  failures: InputFailure[];
} {
  const { inputs, failures } = checkFields(postgresFields, fromBlueprintSpelling(raw), "RenderPostgres");
  return { inputs, failures: [...failures, ...postgresFieldRules(inputs)] };
}

/** The live database's name as Render shows it can carry a random `_xxxx` suffix: not drift. */
export function databaseNameMatches(desired: string | undefined, live: string): boolean {
  if (desired === undefined) return true;
  return live === desired || new RegExp(`^${desired}_[a-z0-9]{4}$`).test(live);
}

/**
 * The inputs that a live database corresponds to (for `read`, import and refresh): its settings as Render
 * has them, and the provider's options from `base` or else their schema defaults.
 */
export function fromPostgres(live: LivePostgres, base?: Partial<PostgresInputs>): PostgresInputs {
  const desiredName = base?.databaseName;
  const options: Record<string, unknown> = {};
  for (const field of postgresProviderOptions) {
    const value = base?.[field] ?? postgresDefaults[field];
    if (value !== undefined) options[field] = value;
  }
  const settings = {
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
    // A credential rotation's user (`<user>_r<8 hex>`, postgresCredential/) is the same database user, should
    // Render report the default user here once rotated (UNCONFIRMED; the emulator keeps the original).
    databaseUser:
      base?.databaseUser !== undefined && isUserOrRotation(base.databaseUser, live.databaseUser)
        ? base.databaseUser
        : live.databaseUser,
    ipAllowList: (live.ipAllowList ?? []).map((e) => ({
      cidrBlock: e.cidrBlock,
      description: e.description ?? "",
    })),
    highAvailability: live.highAvailabilityEnabled ?? postgresDefaults.highAvailability ?? false,
    ...(base?.diskSizeGB !== undefined && live.diskSizeGB != null ? { diskSizeGB: live.diskSizeGB } : {}),
    ...(base?.diskAutoscaling !== undefined ? { diskAutoscaling: live.diskAutoscalingEnabled ?? false } : {}),
    ...(base?.environmentId !== undefined && live.environmentId ? { environmentId: live.environmentId } : {}),
  } satisfies Partial<PostgresInputs>;
  return { ...settings, ...options } as PostgresInputs;
}

/**
 * True when `live` is `desired` or a credential rotation's user of it: `desired` (cut to 53 characters) then
 * `_r` and 8 hex digits (postgresCredential/schema.ts `rotatedUsername`).
 */
function isUserOrRotation(desired: string, live: string): boolean {
  return live === desired || (/_r[0-9a-f]{8}$/.test(live) && live.slice(0, -10) === desired.slice(0, 53));
}

function sameAllowList(a: IpAllowEntry[], b: { cidrBlock: string; description?: string }[]): boolean {
  const key = (l: { cidrBlock: string; description?: string }[]) =>
    l
      .map((e) => `${e.cidrBlock}\u0000${e.description ?? ""}`)
      .sort()
      .join("\n");
  return key(a) === key(b);
}

/** Fields whose values are not compared with `===`: the allow list is a set. */
const sameValue: Partial<Record<keyof PostgresInputs, (a: never, b: never) => boolean>> = {
  ipAllowList: sameAllowList,
};

/**
 * Which desired settings differ from the live database, in the schema's order: in place (`changed`) and
 * needing replacement (`replaced`: the schema's `replaces` metadata). A setting the inputs leave out
 * (`databaseUser`, `diskSizeGB`, `diskAutoscaling`: absent means "as it is on Render") never differs, nor
 * does one Render does not report (`diskSizeGB: null`).
 */
export function diffPostgres(
  desired: PostgresInputs,
  live: LivePostgres,
): { changed: string[]; replaced: string[] } {
  const now = fromPostgres(live, desired);
  const changed: string[] = [];
  const replaced: string[] = [];
  for (const field of postgresFieldsWhere((m) => m.render === true)) {
    // Another environment is a move (POST /environments/{id}/resources), whether or not it has one now.
    if (field === "environmentId") {
      if (needsMove(desired.environmentId, live.environmentId)) changed.push(field);
      continue;
    }
    const wanted = desired[field];
    const actual = now[field];
    if (wanted === undefined || actual === undefined) continue;
    const same = sameValue[field] as ((a: unknown, b: unknown) => boolean) | undefined;
    if (same ? same(wanted, actual) : wanted === actual) continue;
    const { replaces } = (postgresFields[field].meta() ?? {}) as PostgresFieldMeta;
    (replaces ? replaced : changed).push(field);
  }
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
    ...(inputs.diskAutoscaling !== undefined ? { enableDiskAutoscaling: inputs.diskAutoscaling } : {}),
    ...(inputs.environmentId !== undefined ? { environmentId: inputs.environmentId } : {}),
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
  if (changed.includes("diskAutoscaling")) body.enableDiskAutoscaling = inputs.diskAutoscaling;
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
