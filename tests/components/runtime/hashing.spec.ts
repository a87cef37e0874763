import { strict as assert } from "node:assert";
import { hashFiles, stableHash } from "../../../components/runtime/hashing";

// The hashes behind the deploy's trigger and the migrations' trigger.
describe("runtime hashing (pure)", () => {
  it("stableHash ignores key order and undefined, sees every value", () => {
    assert.equal(
      stableHash({ a: 1, b: { c: [1, 2] } }),
      stableHash({ b: { c: [1, 2] }, a: 1, d: undefined }),
    );
    assert.notEqual(stableHash({ a: 1 }), stableHash({ a: 2 }));
    assert.notEqual(stableHash({ env: { K: "x" } }), stableHash({ env: { K: "y" } }));
  });

  it("hashFiles sees names and contents, not order", () => {
    const h = hashFiles({ "a/m.sql": "x", "b/m.sql": "y" });
    assert.equal(h, hashFiles({ "b/m.sql": "y", "a/m.sql": "x" }));
    assert.notEqual(h, hashFiles({ "a/m.sql": "x", "c/m.sql": "y" }));
    assert.notEqual(h, hashFiles({ "a/m.sql": "x", "b/m.sql": "y2" }));
    // Boundaries count: moving a byte from one file to the next changes the hash.
    assert.notEqual(hashFiles({ a: "xy", b: "" }), hashFiles({ a: "x", b: "y" }));
  });
});
