/**
 * The whole corpus as ONE app: every converted corpus file's entries in one stack config, each name
 * prefixed with its file's number (`c07-…`) and every link renamed with it, so the files cannot collide
 * and one `pulumi preview` shows every converted stack at once (the engine spec of the importer). The
 * program's reader checks it as `pulumi up` would.
 */
import { convertCorpusFile, corpusSources, type CorpusOutcome } from "./corpusBaseline";

type Entry = Record<string, unknown>;
const sections = ["services", "databases", "keyValues", "envVarGroups", "projects"] as const;

/** The prefix of a corpus file's names in the merged app. */
export function corpusPrefix(index: number): string {
  return `c${String(index + 1).padStart(2, "0")}-`;
}

/** One env var with its link targets renamed. */
function renamedVar(v: Entry, prefix: string): Entry {
  const out = { ...v };
  if (out.fromDatabase)
    out.fromDatabase = {
      ...(out.fromDatabase as Entry),
      name: `${prefix}${(out.fromDatabase as Entry).name}`,
    };
  if (out.fromService)
    out.fromService = { ...(out.fromService as Entry), name: `${prefix}${(out.fromService as Entry).name}` };
  if (typeof out.fromGroup === "string") out.fromGroup = `${prefix}${out.fromGroup}`;
  return out;
}

/** The merged app: stack config (`arrakis:<section>` lists), its secret keys, and what came from where. */
export interface CorpusStack {
  config: Record<string, Entry[]>;
  secretKeys: string[];
  /** Per converted file: its prefix and how many entries of each section it gave. */
  files: { file: string; prefix: string; counts: Record<string, number> }[];
}

/** Merges the converted corpus files (refused ones are left out) into one app. */
export function corpusStack(outcomes: CorpusOutcome[] = corpusSources.map(convertCorpusFile)): CorpusStack {
  const config: Record<string, Entry[]> = Object.fromEntries(sections.map((s) => [`arrakis:${s}`, []]));
  const secretKeys = new Set<string>();
  const files: CorpusStack["files"] = [];
  outcomes.forEach((o, index) => {
    if (!o.ok) return;
    const prefix = corpusPrefix(index);
    const counts: Record<string, number> = {};
    for (const section of sections) {
      const entries = (o.conversion.config[`arrakis:${section}`] as Entry[] | undefined) ?? [];
      counts[section] = entries.length;
      for (const e of entries) {
        const { importId: _adoptedNothing, ...entry } = e;
        entry.name = `${prefix}${String(e.name)}`;
        if (Array.isArray(e.envVars))
          entry.envVars = (e.envVars as Entry[]).map((v) => renamedVar(v, prefix));
        // Placed in a project of the file: `<project>/<environment>`, the project renamed with the file.
        if (typeof e.environment === "string") entry.environment = `${prefix}${e.environment}`;
        config[`arrakis:${section}`].push(entry);
      }
    }
    for (const c of o.conversion.secretCommands) {
      const key = /arrakis:secrets\.(\w+)/.exec(c)?.[1];
      if (key) secretKeys.add(key);
    }
    files.push({ file: o.source.file, prefix, counts });
  });
  return { config, secretKeys: [...secretKeys].sort(), files };
}
