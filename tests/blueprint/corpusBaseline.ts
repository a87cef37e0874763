/**
 * Runs the Blueprint importer (validate + convert, as `npm run import-blueprint` does, with `--repo` set
 * to the file's source repository, as its git remote would say) on every file of tests/blueprint/corpus
 * and prints the table the corpus README records: per file its source, kinds, and whether it converts
 * with zero loss, with its losses, or not at all (why). `npx tsx tests/blueprint/corpusBaseline.ts`
 * prints it; `--write` replaces the table in the README (between its markers). corpus.spec.ts checks
 * that the README holds exactly what this prints.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { convertBlueprint, type Conversion, type Finding } from "../../tools/blueprint/convert";
import { readBlueprint, type BlueprintProblem } from "../../tools/blueprint/validate";

export const corpusDir = path.join(__dirname, "corpus");

/** One entry of SOURCES.json. */
export interface CorpusSource {
  file: string;
  repo: string;
  path: string;
  commit: string;
  url: string;
  kinds: string[];
  keys: string[];
  note?: string;
}

export const corpusSources = JSON.parse(
  fs.readFileSync(path.join(corpusDir, "SOURCES.json"), "utf8"),
) as CorpusSource[];

/** The outcome for one corpus file. */
export type CorpusOutcome =
  | { source: CorpusSource; ok: true; conversion: Conversion }
  | { source: CorpusSource; ok: false; problems: BlueprintProblem[] | Finding[] };

/** Converts one corpus file as the command would, `--repo` standing for its git remote. */
export function convertCorpusFile(source: CorpusSource): CorpusOutcome {
  const read = readBlueprint(fs.readFileSync(path.join(corpusDir, source.file), "utf8"));
  if (!read.ok) return { source, ok: false, problems: read.problems };
  const conversion = convertBlueprint(read.blueprint, {
    repo: `https://github.com/${source.repo}`,
    repoSource: "the git remote origin",
    stack: "corpus",
  });
  if (conversion.errors.length > 0) return { source, ok: false, problems: conversion.errors };
  return { source, ok: true, conversion };
}

/** A loss in a few words, so a table cell groups losses of one kind (`scaling`, `previewValue ×2`). */
function gist(f: Finding): string {
  if (/^projects\[\d+\]\.environments\[\d+\]$/.test(f.path)) return "project/environment placement";
  const last = f.path.replace(/^projects\[\d+\]\.environments\[\d+\]\./, "").replace(/\[\d+\]/g, "[]");
  const whole = /^(service|database|Key Value|env group) "[^"]*"(?: \(([^)]*)\))?: /.exec(f.message);
  if (whole && /^(services|databases|envVarGroups)\[\]$/.test(last))
    return `whole ${whole[1]}${whole[2] ? ` (${whole[2]})` : ""}`;

  if (/envVars\[\]$/.test(last))
    return f.message
      .replace(/^[^:]*: /, "")
      .replace(/ \d+ /, " ")
      .split(",")[0];
  return last.replace(/^(services|databases|keyValues|envVarGroups)\[\]\./, "");
}

function summary(findings: Finding[]): string {
  const counts = new Map<string, number>();
  for (const f of findings) counts.set(gist(f), (counts.get(gist(f)) ?? 0) + 1);
  return [...counts].map(([g, n]) => (n > 1 ? `${g} ×${n}` : g)).join("; ");
}

/** The README table (Markdown) and its tally line. */
export function corpusTable(outcomes: CorpusOutcome[] = corpusSources.map(convertCorpusFile)): string {
  const tally = { zeroLoss: 0, withLoss: 0, refused: 0 };
  const rows = outcomes.map((o) => {
    const s = o.source;
    const name = s.file.replace(/\.render\.yaml$/, "");
    const source = `[${s.repo}@${s.commit.slice(0, 7)}](${s.url})${s.note ? " ¹" : ""}`;
    const kinds = s.kinds.join(", ");
    let cell: string;
    if (!o.ok) {
      tally.refused++;
      cell = `no: ${o.problems.map((p) => `${p.path.replace(/^projects\[0\]\.environments\[0\]\./, "")}: ${p.message.replace(/; allowed here: .*$/, "")}`).join("; ")}`;
    } else if (o.conversion.losses.length > 0) {
      tally.withLoss++;
      const n = o.conversion.losses.length;
      cell = `with ${n} loss${n === 1 ? "" : "es"}: ${summary(o.conversion.losses)}`;
    } else {
      tally.zeroLoss++;
      cell = "yes, zero loss";
    }
    return `| ${name} | ${source} | ${kinds} | ${cell.replace(/\|/g, "\\|")} |`;
  });
  const pct = Math.round((100 * tally.zeroLoss) / outcomes.length);
  return [
    "| file | source (repository@commit) | kinds | converts? losses |",
    "| --- | --- | --- | --- |",
    ...rows,
    "",
    `${outcomes.length} files: ${tally.zeroLoss} zero loss (${pct} %), ${tally.withLoss} with losses, ${tally.refused} refused`,
  ].join("\n");
}

export const tableMarkers = ["<!-- corpus-table:start -->", "<!-- corpus-table:end -->"] as const;

if (require.main === module) {
  const table = corpusTable();
  if (process.argv.includes("--write")) {
    const readme = path.join(corpusDir, "README.md");
    const text = fs.readFileSync(readme, "utf8");
    const [start, end] = tableMarkers;
    const a = text.indexOf(start);
    const b = text.indexOf(end);
    if (a < 0 || b < a) throw new Error(`README.md lacks the markers ${start} … ${end}`);
    fs.writeFileSync(readme, `${text.slice(0, a + start.length)}\n${table}\n${text.slice(b)}`);
  }
  console.log(table);
}
