import { strict as assert } from "node:assert";
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";

// Providers are serialized into state by Pulumi's closure serializer, which cannot copy a Set, a Map
// or a symbol held at module level, and drops class field initializers (each of these broke a real
// `pulumi up`). The code a provider reaches must keep such values inside functions and constructors.
const components = path.join(__dirname, "..", "..", "components");
const reachable = ["render", "mapping"].flatMap((dir) =>
  readdirSync(path.join(components, dir)).map((f) => path.join(dir, f)),
);
reachable.push(...readdirSync(components).filter((f) => /Provider\.ts$|^providerConfig\.ts$/.test(f)));

const rules: [string, RegExp][] = [
  [
    "a module-level Set, Map or WeakMap",
    /^(export )?(const|let|var) \w+(: [^=]+)? = new (Set|Map|WeakMap|WeakSet)\b/m,
  ],
  ["a module-level symbol", /^(export )?(const|let|var) \w+(: [^=]+)? = Symbol(\.for)?\(/m],
  [
    "a class field initializer that builds an object",
    /^ {2}(private |public |protected )?(readonly )?\w+(: [^=;]+)? = new \w+/m,
  ],
];

describe("code reachable from providers stays serializable", () => {
  for (const file of reachable.filter((f) => f.endsWith(".ts"))) {
    it(`${file} holds no value the closure serializer cannot copy`, () => {
      const text = readFileSync(path.join(components, file), "utf8");
      for (const [what, pattern] of rules) {
        const match = pattern.exec(text);
        assert.equal(match, null, `${file} has ${what}: ${match?.[0]}`);
      }
    });
  }
});
