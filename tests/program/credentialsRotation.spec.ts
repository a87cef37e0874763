import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { readStackConfig, StackConfigError } from "../../app/stackConfig";

// `arrakis:database.credentialsRotation`: the label that rotates the database's credentials (README,
// "Credential rotation"); the rotation itself is tested in tests/engine/rotation.spec.ts.
const root = path.join(__dirname, "..", "..");
const local = parse(readFileSync(path.join(root, "Pulumi.local.yaml"), "utf8")) as {
  config: Record<string, unknown>;
};

function configWith(database: Record<string, unknown>) {
  const values: Record<string, string> = {
    ...Object.fromEntries(
      Object.entries(local.config).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]),
    ),
    "arrakis:openaiApiKey": "sk-local",
    "arrakis:database": JSON.stringify({ ...(local.config["arrakis:database"] as object), ...database }),
  };
  return readStackConfig((ns, key) => values[`${ns}:${key}`]);
}

describe("stack config: arrakis:database.credentialsRotation", () => {
  it("is absent in the committed stacks (never rotated)", () => {
    assert.equal(configWith({}).database.credentialsRotation, undefined);
  });

  it("takes a label, trimmed; a YAML number is a label; an empty one is absent", () => {
    assert.equal(
      configWith({ credentialsRotation: " 2026-12-05 " }).database.credentialsRotation,
      "2026-12-05",
    );
    assert.equal(configWith({ credentialsRotation: 2 }).database.credentialsRotation, "2");
    assert.equal(configWith({ credentialsRotation: "" }).database.credentialsRotation, undefined);
  });

  it("names the key and what a label is for anything else", () => {
    assert.throws(
      () => configWith({ credentialsRotation: { at: "now" } }),
      (err: unknown) =>
        err instanceof StackConfigError &&
        /arrakis:database\.credentialsRotation: must be a label such as a date, e\.g\. 2026-12-05/.test(
          err.message,
        ),
    );
  });
});
