/**
 * The flags of the stack tools (`npm run drift`, `npm run dev-env`): `--name value`, `--name=value` and
 * boolean `--name`. Anything else is refused naming it and the flags allowed, before anything runs.
 */
export interface FlagSpec {
  /** Flags that take a value, e.g. `--stack`. */
  values: readonly string[];
  /** Flags that are on or off, e.g. `--json`. */
  booleans: readonly string[];
}

/** Parsed flags: a value flag → its value, a boolean flag → true; absent ones are missing. */
export type Flags = Record<string, string | true>;

export function parseFlags(argv: readonly string[], spec: FlagSpec): Flags {
  const allowed = [...spec.values.map((f) => `${f} <value>`), ...spec.booleans].join(", ");
  const out: Flags = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.indexOf("=");
    const name = arg.startsWith("--") && eq > 0 ? arg.slice(0, eq) : arg;
    if (spec.values.includes(name)) {
      const value = eq > 0 && name !== arg ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined || value === "" || (name === arg && value.startsWith("--")))
        throw new Error(`${name} needs a value`);
      out[name] = value;
    } else if (spec.booleans.includes(arg)) out[arg] = true;
    else throw new Error(`unknown argument "${arg}"; allowed: ${allowed}`);
  }
  return out;
}
