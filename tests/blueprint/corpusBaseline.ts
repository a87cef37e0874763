/**
 * Runs today's Blueprint importer (validate + convert, as `npm run import-blueprint` does, with
 * `--repo` set to the file's source repository) on every file of tests/blueprint/corpus and prints one
 * Markdown table row per file: converts?, and the losses or the reason for the refusal. Not a test:
 * `npx tsx tests/blueprint/corpusBaseline.ts` prints the table the corpus README records.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { convertBlueprint, type Finding } from "../../tools/blueprint/convert";
import { readBlueprint } from "../../tools/blueprint/validate";

const corpus = path.join(__dirname, "corpus");
const sources = JSON.parse(fs.readFileSync(path.join(corpus, "SOURCES.json"), "utf8")) as Array<{
  file: string;
  repo: string;
  kinds: string[];
}>;

/** The first words of a finding's message: enough to group findings of one kind. */
function gist(f: Finding): string {
  const m = f.message;
  if (m.includes("(sync: false)")) return "sync: false var";
  if (m.includes("generateValue is not modeled")) return "generateValue var";
  if (m.includes("fromDatabase link is not modeled")) return "fromDatabase link";
  if (m.includes("fromService link is not modeled")) return "fromService link";
  if (m.includes("fromGroup") || m.includes("environment groups")) return "fromGroup";
  if (m.includes("preview environments")) return "preview key";
  const kind = /: (.*?) are not modeled by the program/.exec(m);
  if (kind) return `${kind[1]} (whole service)`;
  if (m.includes("always sets it")) return "overridden wired var";
  return m.replace(/:.*$/, "");
}

function summary(findings: Finding[]): string {
  const counts = new Map<string, number>();
  for (const f of findings) counts.set(gist(f), (counts.get(gist(f)) ?? 0) + 1);
  return [...counts].map(([g, n]) => (n > 1 ? `${g} ×${n}` : g)).join("; ");
}

const tally = { zeroLoss: 0, withLoss: 0, refused: 0, invalid: 0 };
console.log("| file | converts today? | losses / refusal reason |");
console.log("| --- | --- | --- |");
for (const s of sources) {
  const name = s.file.replace(/\.render\.yaml$/, "");
  const read = readBlueprint(fs.readFileSync(path.join(corpus, s.file), "utf8"));
  if (!read.ok) {
    tally.invalid++;
    const reasons = read.problems.map(
      (p) =>
        `${p.path.replace(/^projects\[0\]\.environments\[0\]\./, "")}: ${p.message.replace(/; allowed here: .*$/, "")}`,
    );
    console.log(`| ${name} | no: invalid | ${reasons.join("; ")} |`);
    continue;
  }
  const c = convertBlueprint(read.blueprint, { repo: `https://github.com/${s.repo}`, stack: "x" });
  if (c.errors.length > 0) {
    tally.refused++;
    const reasons = c.errors.map((e) =>
      e.message.startsWith("no web service")
        ? `no web service of a native runtime (has ${s.kinds.filter((k) => k.startsWith("web:")).join(", ")})`
        : e.message.startsWith("the Blueprint declares no database")
          ? "no database"
          : `${e.path}: ${e.message}`,
    );
    console.log(`| ${name} | no: refused | ${reasons.join("; ")} |`);
  } else if (c.losses.length > 0) {
    tally.withLoss++;
    console.log(
      `| ${name} | with ${c.losses.length} loss${c.losses.length === 1 ? "" : "es"} | ${summary(c.losses)} |`,
    );
  } else {
    tally.zeroLoss++;
    console.log(`| ${name} | yes, zero loss | |`);
  }
}
console.log(
  `\n${sources.length} files: ${tally.zeroLoss} zero loss, ${tally.withLoss} with losses, ` +
    `${tally.refused} refused, ${tally.invalid} invalid`,
);
