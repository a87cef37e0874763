/**
 * Pure mapping for Render Key Value: user inputs (render.yaml spellings accepted) -> normalised inputs
 * -> API bodies, and a live instance -> the inputs it corresponds to, for drift.
 */
import type { CreateKeyValueBody, KeyValue, UpdateKeyValueBody } from "../render/schemas";
import type { KeyValuePlan, MaxmemoryPolicy, PersistenceMode, Region } from "../render/enums";
import { sameIpAllowList } from "../runtime/ipAllowList";
import { checkFields, type InputFailure } from "../runtime/validation";
import {
  fromKeyValueBlueprintSpelling,
  keyValueDefaults,
  keyValueFieldRules,
  keyValueFields,
  keyValueFieldsWhere,
  keyValueProviderOptions,
  type KeyValueFieldMeta,
  type KeyValueInputs,
  type KeyValueIpAllowEntry,
} from "./schema";

export { keyValueImmutableFields, type KeyValueInputs } from "./schema";

/** The subset of Render's Key Value object that mapping reads. */
export type LiveKeyValue = Pick<
  KeyValue,
  "id" | "name" | "owner" | "plan" | "region" | "environmentId" | "options" | "ipAllowList"
>;

/**
 * Validates and normalises raw inputs (as the engine hands them to `check`), field by field, so every
 * failure names its property and what is allowed. Values not known during preview pass through.
 */
export function checkKeyValueInputs(raw: Record<string, unknown>): {
  inputs: Record<string, unknown>;
  failures: InputFailure[];
} {
  const { inputs, failures } = checkFields(
    keyValueFields,
    fromKeyValueBlueprintSpelling(raw),
    "RenderKeyValue",
  );
  return { inputs, failures: [...failures, ...keyValueFieldRules(inputs)] };
}

/**
 * The inputs that a live instance corresponds to (for `read`, import and refresh): its settings as
 * Render has them, and the provider's options from `base` or else their schema defaults. A setting the
 * user leaves out (`environmentId`, `maxmemoryPolicy`, `persistenceMode`) stays out unless `base` has it
 * or `all` asks for every live setting (an adoption's report, an import).
 */
export function fromKeyValue(
  live: LiveKeyValue,
  base?: Partial<KeyValueInputs>,
  all = base === undefined,
): KeyValueInputs {
  const options: Record<string, unknown> = {};
  for (const field of keyValueProviderOptions) {
    const value = base?.[field] ?? keyValueDefaults[field];
    if (value !== undefined) options[field] = value;
  }
  const has = (field: keyof KeyValueInputs) => all || base?.[field] !== undefined;
  const policy = live.options?.maxmemoryPolicy ?? undefined;
  const persistence = live.options?.persistenceMode ?? undefined;
  const settings = {
    name: live.name,
    ownerId: live.owner.id,
    plan: live.plan as KeyValuePlan,
    region: live.region as Region,
    ...(has("environmentId") && live.environmentId ? { environmentId: live.environmentId } : {}),
    ...(has("maxmemoryPolicy") && policy ? { maxmemoryPolicy: policy as MaxmemoryPolicy } : {}),
    ...(has("persistenceMode") && persistence ? { persistenceMode: persistence as PersistenceMode } : {}),
    ipAllowList: live.ipAllowList.map((e) => ({ cidrBlock: e.cidrBlock, description: e.description ?? "" })),
  } satisfies Partial<KeyValueInputs>;
  return { ...settings, ...options } as KeyValueInputs;
}

/**
 * Which desired settings differ from the live instance, in the schema's order: in place (`changed`) and
 * needing replacement (`replaced`: the schema's `replaces` metadata). A setting the inputs leave out
 * never differs; the allow list is a set. An `environmentId` the inputs name differs from a live one
 * that has none.
 */
export function diffKeyValue(
  desired: KeyValueInputs,
  live: LiveKeyValue,
): { changed: string[]; replaced: string[] } {
  const now = fromKeyValue(live, desired) as unknown as Record<string, unknown>;
  const changed: string[] = [];
  const replaced: string[] = [];
  for (const field of keyValueFieldsWhere((m) => m.render === true)) {
    const wanted = desired[field];
    if (wanted === undefined) continue;
    const actual = now[field];
    const same =
      field === "ipAllowList"
        ? sameIpAllowList(wanted as KeyValueIpAllowEntry[], (actual ?? []) as KeyValueIpAllowEntry[])
        : wanted === actual;
    if (same) continue;
    const { replaces } = (keyValueFields[field].meta() ?? {}) as KeyValueFieldMeta;
    (replaces ? replaced : changed).push(field);
  }
  return { changed, replaced };
}

/** The POST /key-value body: optional settings only when the user set them. */
export function toCreateKeyValueBody(inputs: KeyValueInputs): CreateKeyValueBody {
  return {
    name: inputs.name,
    ownerId: inputs.ownerId,
    plan: inputs.plan,
    region: inputs.region,
    ...(inputs.environmentId !== undefined ? { environmentId: inputs.environmentId } : {}),
    ...(inputs.maxmemoryPolicy !== undefined ? { maxmemoryPolicy: inputs.maxmemoryPolicy } : {}),
    ...(inputs.persistenceMode !== undefined ? { persistenceMode: inputs.persistenceMode } : {}),
    ipAllowList: inputs.ipAllowList,
  };
}

/** The PATCH /key-value/{id} body: only what differs from live. */
export function toPatchKeyValueBody(inputs: KeyValueInputs, live: LiveKeyValue): UpdateKeyValueBody {
  const { changed } = diffKeyValue(inputs, live);
  const body: UpdateKeyValueBody = {};
  if (changed.includes("name")) body.name = inputs.name;
  if (changed.includes("plan")) body.plan = inputs.plan;
  if (changed.includes("maxmemoryPolicy")) body.maxmemoryPolicy = inputs.maxmemoryPolicy;
  if (changed.includes("persistenceMode")) body.persistenceMode = inputs.persistenceMode;
  if (changed.includes("ipAllowList")) body.ipAllowList = inputs.ipAllowList;
  return body;
}

/**
 * What adopting a live instance changes, in lines a person reads in `pulumi preview` before the up that
 * adopts it: each setting that differs, both sides (none is secret). Empty when nothing changes;
 * settings that would need a new instance stop the up instead.
 */
export function keyValueAdoptionChanges(desired: KeyValueInputs, live: LiveKeyValue): string[] {
  const now = fromKeyValue(live) as unknown as Record<string, unknown>;
  const wanted = desired as unknown as Record<string, unknown>;
  const show = (field: string, v: unknown) =>
    field === "ipAllowList"
      ? `[${((v ?? []) as KeyValueIpAllowEntry[]).map((e) => e.cidrBlock).join(", ")}]`
      : JSON.stringify(v ?? null);
  return diffKeyValue(desired, live).changed.map(
    (field) => `~ ${field}: ${show(field, now[field])} => ${show(field, wanted[field])}`,
  );
}
