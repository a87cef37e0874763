/**
 * Pure mapping for Render env groups: user inputs (render.yaml spellings accepted) -> normalised inputs ->
 * API bodies and the per-key writes that converge a live group, and a live group -> the inputs it
 * corresponds to, for drift. No value or file content ever appears in a line this module writes.
 */
import type { CreateEnvGroupBody, EnvGroup, EnvVarBody } from "../render/schemas";
import { checkFields, type InputFailure } from "../runtime/validation";
import {
  envGroupDefaults,
  envGroupFields,
  envGroupFieldsWhere,
  envGroupProviderOptions,
  fromEnvGroupBlueprintSpelling,
  type EnvGroupFieldMeta,
  type EnvGroupInputs,
  type EnvGroupVar,
} from "./schema";
import { needsMove } from "../runtime/environment";

export { envGroupImmutableFields, type EnvGroupInputs } from "./schema";

/** The subset of Render's env group object that mapping reads. */
export type LiveEnvGroup = Pick<
  EnvGroup,
  "id" | "name" | "ownerId" | "environmentId" | "envVars" | "secretFiles"
>;

/**
 * Validates and normalises raw inputs (as the engine hands them to `check`), field by field, so every
 * failure names its property and what is allowed. Values not known during preview pass through.
 */
export function checkEnvGroupInputs(raw: Record<string, unknown>): {
  inputs: Record<string, unknown>;
  failures: InputFailure[];
} {
  const { values, failures: spelling } = fromEnvGroupBlueprintSpelling(raw);
  const { inputs, failures } = checkFields(envGroupFields, values, "RenderEnvGroup");
  return { inputs, failures: [...spelling, ...failures] };
}

const liveVars = (live: LiveEnvGroup) =>
  Object.fromEntries((live.envVars ?? []).map((e) => [e.key, e.value]));
const liveFiles = (live: LiveEnvGroup) =>
  Object.fromEntries((live.secretFiles ?? []).map((f) => [f.name, f.content]));

/**
 * The inputs that a live group corresponds to (for `read`, import and refresh): its settings as Render
 * has them, and the provider's options from `base` or else their defaults. An env var `base` generates
 * stays `{generateValue: true}` while it exists (its value is Render's, never compared); every other one
 * is its live value (a secret, as the whole map is).
 */
export function fromEnvGroup(live: LiveEnvGroup, base?: Partial<EnvGroupInputs>): EnvGroupInputs {
  const options: Record<string, unknown> = {};
  for (const field of envGroupProviderOptions) {
    const value = base?.[field] ?? envGroupDefaults[field];
    if (value !== undefined) options[field] = value;
  }
  const envVars: Record<string, EnvGroupVar> = {};
  for (const [key, value] of Object.entries(liveVars(live)))
    envVars[key] =
      base?.envVars?.[key] && "generateValue" in base.envVars[key] ? { generateValue: true } : { value };
  return {
    name: live.name,
    ownerId: live.ownerId,
    ...(live.environmentId ? { environmentId: live.environmentId } : {}),
    envVars,
    secretFiles: liveFiles(live),
    ...options,
  } as EnvGroupInputs;
}

/** The env var keys and secret file names whose live state differs from the desired one, sorted. */
export function envGroupContentChanges(
  desired: Pick<EnvGroupInputs, "envVars" | "secretFiles">,
  live: LiveEnvGroup,
): { envVars: string[]; secretFiles: string[] } {
  const vars = liveVars(live);
  const files = liveFiles(live);
  const envVars = [...new Set([...Object.keys(desired.envVars), ...Object.keys(vars)])].filter((key) => {
    const wanted = desired.envVars[key];
    if (wanted === undefined || vars[key] === undefined) return true;
    return "value" in wanted && wanted.value !== vars[key];
  });
  const secretFiles = [...new Set([...Object.keys(desired.secretFiles), ...Object.keys(files)])].filter(
    (name) => desired.secretFiles[name] !== files[name],
  );
  return { envVars: envVars.sort(), secretFiles: secretFiles.sort() };
}

/**
 * Which desired settings differ from the live group, in the schema's order: in place (`changed`) and
 * needing replacement (`replaced`). `envVars` and `secretFiles` are sets by key; a generated var differs
 * only when it is missing.
 */
export function diffEnvGroup(
  desired: EnvGroupInputs,
  live: LiveEnvGroup,
): { changed: string[]; replaced: string[] } {
  const content = envGroupContentChanges(desired, live);
  const changed: string[] = [];
  const replaced: string[] = [];
  for (const field of envGroupFieldsWhere((m) => m.render === true)) {
    let same: boolean;
    if (field === "envVars") same = content.envVars.length === 0;
    else if (field === "secretFiles") same = content.secretFiles.length === 0;
    else if (field === "environmentId")
      // Another environment is a move (POST /environments/{id}/resources), not a write of the group.
      same = !needsMove(desired.environmentId, live.environmentId);
    else same = desired[field] === live[field as "name" | "ownerId"];
    if (same) continue;
    const { replaces } = (envGroupFields[field].meta() ?? {}) as EnvGroupFieldMeta;
    (replaces ? replaced : changed).push(field);
  }
  return { changed, replaced };
}

/** One env var as Render's bodies take it. */
function envVarBody(key: string, v: EnvGroupVar): EnvVarBody {
  return "value" in v ? { key, value: v.value } : { key, generateValue: true };
}

/** The POST /env-groups body: every var and file (services are linked by RenderEnvGroupLink, one each). */
export function toCreateEnvGroupBody(inputs: EnvGroupInputs): CreateEnvGroupBody {
  return {
    name: inputs.name,
    ownerId: inputs.ownerId,
    envVars: Object.entries(inputs.envVars).map(([key, v]) => envVarBody(key, v)),
    secretFiles: Object.entries(inputs.secretFiles).map(([name, content]) => ({ name, content })),
    ...(inputs.environmentId !== undefined ? { environmentId: inputs.environmentId } : {}),
  };
}

/** One write that converges a live group: Render changes a group one var or file at a time. */
export type EnvGroupWrite =
  | { kind: "rename"; name: string }
  | { kind: "putEnvVar"; key: string; body: { value: string } | { generateValue: true } }
  | { kind: "deleteEnvVar"; key: string }
  | { kind: "putSecretFile"; name: string; content: string }
  | { kind: "deleteSecretFile"; name: string };

/**
 * The writes that make a live group what the inputs say, in order: the rename, then each env var and
 * secret file that differs (puts before deletes, so a service never sees a var missing on the way).
 * A var to generate that already exists is kept (never regenerated).
 */
export function envGroupWrites(inputs: EnvGroupInputs, live: LiveEnvGroup): EnvGroupWrite[] {
  const writes: EnvGroupWrite[] = [];
  if (inputs.name !== live.name) writes.push({ kind: "rename", name: inputs.name });
  const content = envGroupContentChanges(inputs, live);
  const deletes: EnvGroupWrite[] = [];
  for (const key of content.envVars) {
    const wanted = inputs.envVars[key];
    if (wanted === undefined) deletes.push({ kind: "deleteEnvVar", key });
    else
      writes.push({
        kind: "putEnvVar",
        key,
        body: "value" in wanted ? { value: wanted.value } : { generateValue: true },
      });
  }
  for (const name of content.secretFiles) {
    const wanted = inputs.secretFiles[name];
    if (wanted === undefined) deletes.push({ kind: "deleteSecretFile", name });
    else writes.push({ kind: "putSecretFile", name, content: wanted });
  }
  return [...writes, ...deletes];
}

/**
 * A write in words for the adoption report and messages: keys and names only, never a value
 * (`~ env var API_KEY: [secret] set to the config's`).
 */
export function describeEnvGroupWrite(write: EnvGroupWrite, live: LiveEnvGroup): string {
  const had = (key: string) => (live.envVars ?? []).some((e) => e.key === key);
  const hadFile = (name: string) => (live.secretFiles ?? []).some((f) => f.name === name);
  switch (write.kind) {
    case "rename":
      return `~ name: ${JSON.stringify(live.name)} => ${JSON.stringify(write.name)}`;
    case "putEnvVar":
      if ("generateValue" in write.body) return `+ add env var ${write.key} (generated by Render)`;
      return had(write.key)
        ? `~ env var ${write.key}: [secret] differs from the config's; set to the config's`
        : `+ add env var ${write.key} ([secret])`;
    case "deleteEnvVar":
      return `- remove env var ${write.key} (not in the config)`;
    case "putSecretFile":
      return hadFile(write.name)
        ? `~ secret file ${write.name}: [secret] differs from the config's; set to the config's`
        : `+ add secret file ${write.name} ([secret])`;
    case "deleteSecretFile":
      return `- remove secret file ${write.name} (not in the config)`;
  }
}

/** What adopting a live group changes, in lines (none shows a value); empty when nothing changes. */
export function envGroupAdoptionChanges(desired: EnvGroupInputs, live: LiveEnvGroup): string[] {
  return envGroupWrites(desired, live).map((w) => describeEnvGroupWrite(w, live));
}

/** The values Render generated for the vars the inputs generate (secrets, recorded in state). */
export function generatedValuesOf(inputs: EnvGroupInputs, live: LiveEnvGroup): Record<string, string> {
  const vars = liveVars(live);
  return Object.fromEntries(
    Object.entries(inputs.envVars)
      .filter(([key, v]) => "generateValue" in v && vars[key] !== undefined)
      .map(([key]) => [key, vars[key]]),
  );
}
