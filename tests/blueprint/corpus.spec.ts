/**
 * The Blueprint corpus (tests/blueprint/corpus, issue 25 item 5): real render.yaml files kept verbatim
 * with their source. SOURCES.json and the folder list the same files, each file is YAML, and each
 * names the repository and the exact commit it was taken from, so it can be checked against GitHub.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { parseDocument } from "yaml";
import { readAppVocabulary } from "../../components/blueprint/vocabulary";
import { convertCorpusFile, corpusSources, corpusTable, tableMarkers } from "./corpusBaseline";
import { corpusStack } from "./corpusStack";

const corpus = path.join(__dirname, "corpus");

const sources = corpusSources;
const files = fs.readdirSync(corpus).filter((f) => f.endsWith(".render.yaml"));

describe("Blueprint corpus", () => {
  it("holds at least 20 files, and SOURCES.json lists exactly the files in the folder", () => {
    assert.ok(files.length >= 20, `only ${files.length} render.yaml files in the corpus`);
    const listed = sources.map((s) => s.file);
    assert.equal(new Set(listed).size, listed.length, "SOURCES.json lists a file twice");
    assert.deepEqual([...listed].sort(), [...files].sort());
    // Nothing else hides in the folder (a stray file would be neither listed nor checked).
    const others = fs
      .readdirSync(corpus)
      .filter((f) => !f.endsWith(".render.yaml") && !["SOURCES.json", "README.md"].includes(f));
    assert.deepEqual(others, []);
  });

  for (const source of sources) {
    describe(source.file, () => {
      it("names its repository, path and a 40-hex commit, and a URL built from them", () => {
        assert.match(source.repo, /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/);
        assert.match(source.commit, /^[0-9a-f]{40}$/);
        assert.ok(source.path.length > 0 && !source.path.startsWith("/"), `bad path ${source.path}`);
        assert.equal(source.url, `https://github.com/${source.repo}/blob/${source.commit}/${source.path}`);
        // The file name says where it came from: <owner>__<repo>[__<subpath>].render.yaml.
        assert.ok(
          source.file.startsWith(`${source.repo.replace("/", "__")}`),
          `${source.file} does not start with ${source.repo.replace("/", "__")}`,
        );
        assert.ok(source.kinds.length > 0, "kinds is empty");
      });

      it("parses as YAML into a map", () => {
        const doc = parseDocument(fs.readFileSync(path.join(corpus, source.file), "utf8"));
        assert.deepEqual(
          doc.errors.map((e) => e.message),
          [],
        );
        const value: unknown = doc.toJS();
        assert.ok(value !== null && typeof value === "object" && !Array.isArray(value), "not a map");
      });
    });
  }

  describe("conversion (npm run import-blueprint's reading and conversion, --repo as the git remote)", () => {
    const outcomes = sources.map((s) => convertCorpusFile(s));

    it("the README's table is what the importer does today (regenerate: corpusBaseline.ts --write)", () => {
      const readme = fs.readFileSync(path.join(corpus, "README.md"), "utf8");
      const [start, end] = tableMarkers;
      const inReadme = readme.slice(readme.indexOf(start) + start.length, readme.indexOf(end)).trim();
      assert.equal(
        inReadme,
        corpusTable(outcomes),
        "the corpus table is stale (a kind landed?): run `npx tsx tests/blueprint/corpusBaseline.ts --write`",
      );
    });

    it("refuses only AnswerAI's file, and converts at least the files main's kinds carry whole", () => {
      const zero = outcomes.filter((o) => o.ok && o.conversion.losses.length === 0).length;
      const refused = outcomes.filter((o) => !o.ok).map((o) => o.source.file);
      // 5 with web (native runtimes), static site, Postgres and Key Value; the floor rises as kinds land.
      assert.ok(zero >= 5, `${zero} zero-loss files`);
      assert.deepEqual(refused, ["the-answerai__theanswer.render.yaml"]);
    });

    it("writes every service, database, Key Value and env group, or lists it as lost whole; the program reads the result", () => {
      for (const o of outcomes) {
        if (!o.ok) continue;
        const doc = parseDocument(fs.readFileSync(path.join(corpus, o.source.file), "utf8")).toJS() as Record<
          string,
          unknown
        >;
        const places = [
          doc,
          doc.ungrouped ?? {},
          ...((doc.projects as { environments: unknown[] }[] | undefined) ?? []).flatMap(
            (p) => p.environments,
          ),
        ] as Record<string, { name: string; type?: string }[] | undefined>[];
        const kv = (e: { type?: string }) => e.type === "keyvalue" || e.type === "redis";
        const declared = (key: string, keep: (e: { type?: string }) => boolean = () => true) =>
          places.flatMap((p) => (p[key] ?? []).filter(keep)).length;
        const written = (section: string) => (o.conversion.config[`arrakis:${section}`] as unknown[]).length;
        const lostWhole = (pattern: RegExp) =>
          o.conversion.losses.filter((l) => pattern.test(l.path.replace(/^.*\.(?=\w+\[\d+\]$)/, ""))).length;
        const where = o.source.file;
        assert.equal(
          written("services") + written("keyValues") + lostWhole(/^services\[\d+\]$/),
          declared("services"),
          where,
        );
        assert.equal(written("keyValues") <= declared("services", kv), true, where);
        assert.equal(written("databases") + lostWhole(/^databases\[\d+\]$/), declared("databases"), where);
        assert.equal(
          written("envVarGroups") + lostWhole(/^envVarGroups\[\d+\]$/),
          declared("envVarGroups"),
          where,
        );
        assert.deepEqual(o.conversion.errors, [], where);
        for (const l of o.conversion.losses) assert.equal(typeof l.line, "number", `${where} ${l.path}`);
        const read = readAppVocabulary(
          (key) => JSON.stringify(o.conversion.config[`arrakis:${key}`]),
          "arrakis",
          o.conversion.secretCommands.flatMap((c) => /arrakis:secrets\.(\w+)/.exec(c)?.[1] ?? []),
        );
        assert.ok(read.ok, `${where}: ${JSON.stringify(read.ok ? [] : read.problems)}`);
      }
    });

    it("merges into ONE app the program reads whole: every file's entries, names prefixed, links kept", () => {
      const merged = corpusStack(outcomes);
      const read = readAppVocabulary(
        (key) => JSON.stringify(merged.config[`arrakis:${key}`]),
        "arrakis",
        merged.secretKeys,
      );
      assert.ok(read.ok, JSON.stringify(read.ok ? [] : read.problems));
      const converted = outcomes.filter((o) => o.ok).length;
      assert.equal(merged.files.length, converted);
      const total = merged.files.reduce((n, f) => n + Object.values(f.counts).reduce((a, b) => a + b, 0), 0);
      assert.equal(read.app.entries.length + read.app.projects.length, total);
      // Every placement names a project of the same file (fastapi, dify, langfuse declare projects).
      assert.equal(read.app.projects.length, 3);
      for (const entry of read.app.entries)
        if (entry.environment)
          assert.equal(entry.environment.project.slice(0, 4), entry.name.slice(0, 4), entry.name);
      // Every link of every file resolves to an entry of the same file.
      for (const entry of read.app.entries)
        for (const v of entry.envVars) {
          const target =
            "fromDatabase" in v
              ? v.fromDatabase.name
              : "fromService" in v
                ? v.fromService.name
                : "fromGroup" in v
                  ? v.fromGroup
                  : undefined;
          if (target !== undefined)
            assert.equal(target.slice(0, 4), entry.name.slice(0, 4), `${entry.name} links ${target}`);
        }
    });
  });
});
