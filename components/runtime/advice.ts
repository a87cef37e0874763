/**
 * What a program built on these components tells its users to change: the library knows no app, so
 * when a message advises a change (adopt a database, resume a service, unpin a commit) it names the
 * resource's own field, unless the program passed its own words in the resource's `advice` input: its
 * name in messages and the stack config key each field is set from. The arrakis app passes its
 * `arrakis:` keys (app/app.ts).
 *
 * `advice` is an input of every Render resource that gives advice, described here once rather than in
 * each schema: it only words messages. It is never sent to Render, never a change in `diff` (which
 * compares with what is live), and `read` keeps it as it was, so a state written before it existed
 * previews with no change.
 */

/** The program's words for the messages of a resource. */
export interface ConfigAdvice {
  /** The program, as messages name it, e.g. `the arrakis app`. */
  program: string;
  /**
   * The stack config path of each field the program sets from config, by the field's name, e.g.
   * `{ adoptExisting: "arrakis:database.adoptExisting" }`. Each resource says which fields it names.
   */
  configKeys: Record<string, string>;
}

/** Inputs that may carry {@link ConfigAdvice}. */
export type Advised<T> = T & {
  /** How messages name the program and its config keys; absent, they name the resource's fields. */
  advice?: ConfigAdvice;
};

/** The `advice` argument of a resource that gives advice (RenderPostgres, RenderWebService, RenderDeploy). */
export interface AdviceArgs {
  /**
   * How this resource's messages name the program and the stack config keys its fields come from,
   * e.g. `{ program: "the arrakis app", configKeys: { adoptExisting: "arrakis:database.adoptExisting" } }`.
   * Absent: messages name the resource's own fields. Only words messages: never a change.
   */
  advice?: ConfigAdvice;
}

/** What is wrong with an `advice` value, or undefined when it is one (or absent). */
export function adviceProblem(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  const problem =
    "must be { program: string, configKeys: { <field>: <stack config path> } } (the words of the program's messages)";
  if (typeof value !== "object" || Array.isArray(value)) return problem;
  const { program, configKeys, ...rest } = value as Record<string, unknown>;
  if (typeof program !== "string" || program.trim() === "") return problem;
  if (configKeys === null || typeof configKeys !== "object" || Array.isArray(configKeys)) return problem;
  if (Object.values(configKeys).some((v) => typeof v !== "string" || v.trim() === "")) return problem;
  if (Object.keys(rest).length > 0) return `${problem}; unknown keys: ${Object.keys(rest).join(", ")}`;
  return undefined;
}

/**
 * Splits the `advice` input off raw inputs before the resource's own field check: answers the other
 * fields, the advice when valid, and its failure (property `advice`) when not.
 */
export function takeAdvice(raw: Record<string, unknown>): {
  fields: Record<string, unknown>;
  advice?: ConfigAdvice;
  failures: { property: string; reason: string }[];
} {
  const { advice, ...fields } = raw;
  const problem = adviceProblem(advice);
  if (problem) return { fields, failures: [{ property: "advice", reason: problem }] };
  return { fields, ...(advice ? { advice: advice as ConfigAdvice } : {}), failures: [] };
}

/** `inputs` with `advice` when there is one: never an `advice: undefined` key in state. */
export function withAdvice<T extends object>(inputs: T, advice: ConfigAdvice | undefined): Advised<T> {
  return advice ? { ...inputs, advice } : inputs;
}

/**
 * The program's command for a field, when it gave the field's key: `pulumi config <verb> --path <key>`
 * and `value` (e.g. `true`); undefined otherwise (the message then names the resource's field).
 */
export function configCommand(
  advice: ConfigAdvice | undefined,
  field: string,
  verb: "set" | "rm",
  value?: string,
): string | undefined {
  const key = advice?.configKeys[field];
  if (!key) return undefined;
  return `pulumi config ${verb} --path ${key}${value === undefined ? "" : ` ${value}`}`;
}
