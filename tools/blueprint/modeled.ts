/**
 * Which render.yaml keys the program carries, entry by entry, asked of the program's own table of
 * kinds (components/blueprint/kinds.ts, the one "render.yaml entry -> a kind's args" mapping): the
 * conversion keeps those keys and reports every other one as lost. As kinds land in that table, more
 * entries and keys are carried, with no change here.
 */
import { kindOf, type BlueprintKind, type VocabularySection } from "../../components/blueprint/kinds";
import type { BlueprintService } from "./validate";

/** The program's lists in the stack config (`arrakis:<list>`). */
export type Section = VocabularySection;

/**
 * Keys of an env var entry the program reads: the value sources, and the documentation keys it
 * accepts and ignores (they only annotate Render's dashboard form).
 */
export const modeledEnvVarKeys: ReadonlySet<string> = new Set([
  "key",
  "value",
  "generateValue",
  "sync",
  "fromDatabase",
  "fromService",
  "fromGroup",
  "displayName",
  "description",
  "sensitive",
]);

/** The section a Blueprint service goes to in the stack config. */
export function sectionOf(s: BlueprintService): Section {
  return s.type === "keyvalue" || s.type === "redis" ? "keyValues" : "services";
}

/** The kind an entry becomes, or why none carries it (yet). */
export function entryKind(
  section: Section,
  entry: Record<string, unknown>,
): { kind: BlueprintKind } | { problem: string } {
  return kindOf(section, entry);
}

/**
 * Whether the kind carries this render.yaml key: one of the entry keys the program reads itself
 * (`type`, `envVars`, `importId`, …), or a key its render.yaml spelling turns into fields of the
 * kind that the entry may set.
 */
export function carries(kind: BlueprintKind, key: string, value: unknown): boolean {
  if (kind.entryKeys.includes(key)) return true;
  const spelled = kind.fromBlueprint ? kind.fromBlueprint({ [key]: value }) : { [key]: value };
  return Object.keys(spelled).every((field) => field in kind.fields && !kind.programFields.includes(field));
}
