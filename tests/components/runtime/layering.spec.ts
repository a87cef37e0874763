import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";

const root = path.resolve(__dirname, "..", "..", "..");

/** Every source file under `dir` (relative to the repository), recursively. */
function sources(dir: string): string[] {
  return fs.readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const rel = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return sources(rel);
    return /\.(ts|js)$/.test(entry.name) ? [rel] : [];
  });
}

/** The code of a file without its comments (a doc example may name the arrakis app). */
function code(file: string): string {
  return fs
    .readFileSync(path.join(root, file), "utf8")
    .replace(/\/\*[\s\S]*?\*\//g, "")
    .replace(/(^|[^:"'`])\/\/.*$/gm, "$1");
}

// components/ is a library that knows no app (STYLE.md layering; issue 22 item 1).
describe("components/ knows no app", () => {
  const files = sources("components");

  it("imports nothing from app/, tests/ or tools/", () => {
    const offending = files.filter((file) =>
      /(from|require\()\s*["'](\.\.\/)+(app|tests|tools)\//.test(code(file)),
    );
    assert.deepEqual(offending, []);
  });

  it("names no arrakis: config key in code: the app passes its keys as advice", () => {
    const offending = files.filter((file) => /arrakis:[a-z$]/.test(code(file)));
    assert.deepEqual(offending, []);
  });

  it("bench/ imports nothing from tests/", () => {
    const offending = sources("bench").filter((file) => /["'](\.\.\/)+tests\//.test(code(file)));
    assert.deepEqual(offending, []);
  });
});
