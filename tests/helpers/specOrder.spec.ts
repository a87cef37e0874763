import { strict as assert } from "node:assert";
import { longestFirst, orderSpecs, specFiles } from "./specOrder";

describe("npm test's file order (tests/helpers/specOrder.ts)", () => {
  it("prints every spec file under tests/ once, the known long ones first in their order", () => {
    const files = specFiles(process.cwd());
    const ordered = orderSpecs(files);
    assert.deepEqual([...ordered].sort(), [...files].sort());
    assert.equal(new Set(ordered).size, ordered.length);
    const known = longestFirst.filter((file) => files.includes(file));
    assert.deepEqual(ordered.slice(0, known.length), known);
    assert.ok(files.includes("tests/helpers/specOrder.spec.ts"), files.join("\n"));
  });

  it("skips listed files that no longer exist, and keeps the rest alphabetical", () => {
    assert.deepEqual(orderSpecs(["a.spec.ts", "b.spec.ts", "c.spec.ts"], ["gone.spec.ts", "c.spec.ts"]), [
      "c.spec.ts",
      "a.spec.ts",
      "b.spec.ts",
    ]);
  });
});
