/**
 * The spec files of `npm test`, longest first. `mocha --parallel` hands files to its workers in the order
 * it is given them (a glob's is alphabetical), and the run lasts until the last file ends: a long file
 * started late (the reliability specs sort last) runs alone at the end while the other worker idles.
 * Started first, the long files overlap each other and the short ones fill the gaps at the end.
 *
 *   mocha --parallel … $(tsx tests/helpers/specOrder.ts)
 *
 * The list below is the order of the files' times in CI (`.ci/run`'s "slowest files" table, and single
 * runs of the engine specs); a file not in it runs after them, in alphabetical order. A stale order only
 * costs time, never a test: every spec file under tests/ is printed once.
 */
import * as fs from "node:fs";
import * as path from "node:path";

/** Known long files, longest first (paths from the repository root). */
export const longestFirst = [
  "tests/reliability/faultMatrix.spec.ts",
  "tests/engine/rotation.spec.ts",
  "tests/engine/databaseSafetyNet.spec.ts",
  "tests/engine/importBlueprint.spec.ts",
  "tests/engine/programSwitch.spec.ts",
  "tests/engine/stackTools.spec.ts",
  "tests/components/postgres/provider.spec.ts",
  "tests/engine/deploy.spec.ts",
  "tests/engine/stack.spec.ts",
  "tests/engine/outsideDeploys.spec.ts",
  "tests/engine/mixedApp.spec.ts",
  "tests/engine/postgres.spec.ts",
  "tests/reliability/interruptedRuns.spec.ts",
  "tests/reliability/secrets.spec.ts",
  "tests/engine/dashboard.spec.ts",
  "tests/components/postgresCredential/provider.spec.ts",
  "tests/tools/restoreDrill.spec.ts",
  "tests/components/postgres/warnings.spec.ts",
  "tests/reliability/badInput.spec.ts",
  "tests/policy/policyPack.spec.ts",
  "tests/engine/previewStack.spec.ts",
  "tests/engine/takeover.spec.ts",
  "tests/engine/engine.spec.ts",
  "tests/engine/smoke.spec.ts",
  "tests/engine/changedCheckout.spec.ts",
  "tests/engine/teamState.spec.ts",
  "tests/engine/databaseTls.spec.ts",
];

/** Every `*.spec.ts` under `dir`, as paths relative to `root`, sorted. */
export function specFiles(root: string, dir = "tests"): string[] {
  const out: string[] = [];
  const walk = (relative: string) => {
    for (const entry of fs.readdirSync(path.join(root, relative), { withFileTypes: true })) {
      const child = path.posix.join(relative, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== "node_modules") walk(child);
      } else if (entry.name.endsWith(".spec.ts")) out.push(child);
    }
  };
  walk(dir);
  return out.sort((a, b) => a.localeCompare(b, "en"));
}

/** `files` with those of `first` that exist moved to the front, in `first`'s order; each file once. */
export function orderSpecs(files: string[], first: string[] = longestFirst): string[] {
  const present = new Set(files);
  const front = [...new Set(first)].filter((file) => present.has(file));
  const rest = files.filter((file) => !front.includes(file));
  return [...front, ...rest];
}

if (require.main === module) {
  process.stdout.write(`${orderSpecs(specFiles(process.cwd())).join("\n")}\n`);
}
