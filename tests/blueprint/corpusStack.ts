/**
 * The whole corpus as ONE app: every converted corpus file's entries in one stack config, each name
 * prefixed with its file's number (`c07-…`) and every link renamed with it, so the files cannot collide
 * and one `pulumi preview` shows every converted stack at once (the engine spec of the importer). The
 * program's reader checks it as `pulumi up` would.
 *
 * Render lets a workspace create 20 services an hour (REFERENCE.md §1): the whole corpus (50 and more
 * services) cannot come up in one `pulumi up`. {@link coveringFiles} picks the files that together show
 * every kind, link and attachment the corpus has, within a budget of creations, for an up that stays
 * within Render's limits.
 */
import {
  kindOf,
  renderExternalEnvVars,
  vocabularySections,
  type VocabularySection,
} from "../../components/blueprint/kinds";
import { readAppVocabulary, type AppEntry } from "../../components/blueprint/vocabulary";
import { convertCorpusFile, corpusSources, type CorpusOutcome } from "./corpusBaseline";

type Entry = Record<string, unknown>;
/** The stack config keys of the app: the vocabulary's sections and the projects its entries are placed in. */
export const corpusSections = [...vocabularySections, "projects"] as const;

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

/** One converted file in the merged app. */
export interface CorpusFile {
  file: string;
  prefix: string;
  /** How many entries of each section it gave. */
  counts: Record<string, number>;
  /** The keys of `arrakis:secrets` its `sync: false` env vars read. */
  secretKeys: string[];
}

/** The merged app: stack config (`arrakis:<section>` lists), its secret keys, and what came from where. */
export interface CorpusStack {
  config: Record<string, Entry[]>;
  secretKeys: string[];
  /** Per converted file, in corpus order. */
  files: CorpusFile[];
  /**
   * Env groups a file's `fromGroup` names without declaring them (renamed with the file): on Render they
   * are the workspace's groups of that name, which the stack links and never creates, so whoever brings
   * the stack up makes them first, as the Blueprint's author had (ToolJet's `tooljet-preview-env`).
   */
  workspaceGroups: string[];
}

/** Merges the converted corpus files (refused ones are left out) into one app. */
export function corpusStack(outcomes: CorpusOutcome[] = corpusSources.map(convertCorpusFile)): CorpusStack {
  const config: Record<string, Entry[]> = Object.fromEntries(corpusSections.map((s) => [`arrakis:${s}`, []]));
  const files: CorpusFile[] = [];
  const workspaceGroups = new Set<string>();
  outcomes.forEach((o, index) => {
    if (!o.ok) return;
    const prefix = corpusPrefix(index);
    const declared = new Set(
      ((o.conversion.config["arrakis:envVarGroups"] as Entry[] | undefined) ?? []).map((g) => String(g.name)),
    );
    for (const section of corpusSections)
      for (const e of (o.conversion.config[`arrakis:${section}`] as Entry[] | undefined) ?? [])
        for (const v of (e.envVars as Entry[] | undefined) ?? [])
          if (typeof v.fromGroup === "string" && !declared.has(v.fromGroup))
            workspaceGroups.add(`${prefix}${v.fromGroup}`);
    const counts: Record<string, number> = {};
    for (const section of corpusSections) {
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
    const secretKeys = new Set<string>();
    for (const c of o.conversion.secretCommands) {
      const key = /arrakis:secrets\.(\w+)/.exec(c)?.[1];
      if (key) secretKeys.add(key);
    }
    files.push({ file: o.source.file, prefix, counts, secretKeys: [...secretKeys].sort() });
  });
  return {
    config,
    secretKeys: [...new Set(files.flatMap((f) => f.secretKeys))].sort(),
    files,
    workspaceGroups: [...workspaceGroups].sort(),
  };
}

/** The merged app of some of its files only (`files` a subset of `stack.files`). */
export function corpusSubset(stack: CorpusStack, files: CorpusFile[]): CorpusStack {
  const prefixes = files.map((f) => f.prefix);
  const config = Object.fromEntries(
    Object.entries(stack.config).map(([key, entries]) => [
      key,
      entries.filter((e) => prefixes.some((p) => String(e.name).startsWith(p))),
    ]),
  );
  const kept = stack.files.filter((f) => prefixes.includes(f.prefix));
  return {
    config,
    secretKeys: [...new Set(kept.flatMap((f) => f.secretKeys))].sort(),
    files: kept,
    workspaceGroups: stack.workspaceGroups.filter((g) => prefixes.some((p) => g.startsWith(p))),
  };
}

/** The app's entries as the program reads them (components/blueprint/vocabulary.ts), or its problems. */
export function readCorpusApp(stack: CorpusStack): AppEntry[] {
  const read = readAppVocabulary(
    (key) => (stack.config[`arrakis:${key}`] ? JSON.stringify(stack.config[`arrakis:${key}`]) : undefined),
    "arrakis",
    stack.secretKeys,
  );
  if (!read.ok) throw new Error(`the program refuses the merged corpus: ${read.problems.join("; ")}`);
  return read.app.entries;
}

/**
 * What an app shows of the program: each kind its entries become, each link (fromDatabase by property,
 * fromService by the target's kind and property or env var key, fromGroup), each env var source and each
 * attachment (disk, custom domain, PostgreSQL extension). All read by the program's own reader and table
 * of kinds, so a kind or link that lands there is in it.
 */
export function featuresOf(entries: AppEntry[]): Set<string> {
  const features = new Set<string>();
  const byName = new Map(entries.map((e) => [`${e.section}/${e.name}`, e]));
  for (const e of entries) {
    features.add(`kind ${e.kind}`);
    if (e.disk) features.add(`disk on ${e.kind}`);
    if (e.domains?.length) features.add(`custom domain on ${e.kind}`);
    if (e.extensions?.length) features.add(`extension on ${e.kind}`);
    for (const v of e.envVars) {
      if ("fromDatabase" in v) features.add(`fromDatabase ${v.fromDatabase.property}`);
      else if ("fromService" in v) {
        const target =
          byName.get(`services/${v.fromService.name}`) ?? byName.get(`keyValues/${v.fromService.name}`);
        const key = v.fromService.envVarKey;
        const what =
          v.fromService.property ??
          (key && (renderExternalEnvVars as readonly string[]).includes(key) ? key : "envVarKey");
        features.add(`fromService ${target?.kind ?? v.fromService.type} ${what}`);
      } else if ("fromGroup" in v) features.add(`fromGroup on ${e.kind}`);
      else if ("secretKey" in v) features.add("sync: false");
      else if ("generateValue" in v) features.add("generateValue");
      else features.add(`env var on ${e.kind}`);
    }
  }
  return features;
}

/** The Render kind of a raw entry of `section` (kinds.ts), e.g. `webService`. */
export function entryKind(section: VocabularySection, entry: Entry): string {
  const k = kindOf(section, entry);
  if ("problem" in k) throw new Error(`${section} ${String(entry.name)}: ${k.problem}`);
  return k.kind.kind;
}

/** Render's creation budget for an up: entries of each section one create counts against, and how many. */
export type CreationBudget = Partial<Record<VocabularySection, number>>;

/**
 * The fewest entries of the limited sections (those of `budget`) from files of `stack` that together
 * show every feature of the whole corpus ({@link featuresOf}) within `budget` (a search over the files,
 * the rarest feature first). When no such choice fits: the cheapest showing all features but one, or
 * but two (never a kind); else the cheapest showing every kind, then greedily those adding most of the
 * others. `missing`: the features left out.
 */
export function coveringFiles(
  stack: CorpusStack,
  budget: CreationBudget,
): { files: CorpusFile[]; missing: string[] } {
  const features = new Map(
    stack.files.map((f) => [f, featuresOf(readCorpusApp(corpusSubset(stack, [f])))] as const),
  );
  const all = [...new Set([...features.values()].flatMap((s) => [...s]))].sort();
  const limited = Object.keys(budget) as VocabularySection[];
  const cost = (files: CorpusFile[], section?: VocabularySection) =>
    files.reduce(
      (n, f) => n + (section ? [section] : limited).reduce((m, s) => m + (f.counts[s] ?? 0), 0),
      0,
    );
  const fits = (files: CorpusFile[]) => limited.every((s) => cost(files, s) <= budget[s]!);
  /** The cheapest files within the budget that, with `from`, show every feature of `wanted`. */
  const cover = (wanted: string[], from: CorpusFile[] = []): CorpusFile[] | undefined => {
    let best: CorpusFile[] | undefined;
    const search = (chosen: CorpusFile[], shown: Set<string>) => {
      if (!fits(chosen) || (best && cost(chosen) >= cost(best))) return;
      const open = wanted.filter((x) => !shown.has(x));
      if (open.length === 0) {
        best = chosen;
        return;
      }
      const showing = (x: string) =>
        stack.files.filter((f) => !chosen.includes(f) && features.get(f)!.has(x));
      const rarest = open.reduce((a, b) => (showing(b).length < showing(a).length ? b : a));
      for (const f of showing(rarest).sort((a, b) => cost([a]) - cost([b])))
        search([...chosen, f], new Set([...shown, ...features.get(f)!]));
    };
    search(from, new Set(from.flatMap((f) => [...features.get(f)!])));
    return best;
  };
  const best = cover(all);
  if (best) return { files: stack.files.filter((f) => best.includes(f)), missing: [] };
  // Too many for one hour: all but one or two features (never a kind), the cheapest such choice.
  const others = all.filter((x) => !x.startsWith("kind "));
  for (const drops of [
    others.map((x) => [x]),
    others.flatMap((x, i) => others.slice(i + 1).map((y) => [x, y])),
  ]) {
    const found = drops
      .map((drop) => ({ drop, files: cover(all.filter((x) => !drop.includes(x))) }))
      .filter((c): c is { drop: string[]; files: CorpusFile[] } => c.files !== undefined)
      .sort((a, b) => cost(a.files) - cost(b.files))[0];
    if (found) return { files: stack.files.filter((f) => found.files.includes(f)), missing: found.drop };
  }
  // Else every kind first, then the files that add most of the rest.
  const chosen: CorpusFile[] = cover(all.filter((x) => x.startsWith("kind "))) ?? [];
  const shown = new Set<string>(chosen.flatMap((f) => [...features.get(f)!]));
  for (;;) {
    const gain = (f: CorpusFile) => [...features.get(f)!].filter((x) => !shown.has(x)).length;
    const next = stack.files
      .filter((f) => !chosen.includes(f) && gain(f) > 0 && fits([...chosen, f]))
      .sort((a, b) => gain(b) - gain(a) || cost([a]) - cost([b]))[0];
    if (!next) break;
    chosen.push(next);
    for (const x of features.get(next)!) shown.add(x);
  }
  return {
    files: stack.files.filter((f) => chosen.includes(f)),
    missing: all.filter((x) => !shown.has(x)),
  };
}
