import { strict as assert } from "node:assert";
import { z } from "zod";
import { fieldDefaults, fieldsWhere, renameBlueprintKeys } from "../../../components/runtime/schemaMeta";

const fields = {
  name: z.string().meta({ render: true }),
  publishPath: z.string().default("public").meta({ render: true, blueprint: "staticPublishPath" }),
  adoptExisting: z.boolean().default(false),
  adoptId: z.string().optional(),
};

describe("runtime/schemaMeta", () => {
  it("lists the fields whose metadata passes a test, in order", () => {
    assert.deepEqual(
      fieldsWhere(fields, (m: { render?: boolean }) => m.render === true),
      ["name", "publishPath"],
    );
    assert.deepEqual(
      fieldsWhere(fields, (m: { render?: boolean }) => m.render !== true),
      ["adoptExisting", "adoptId"],
    );
  });

  it("answers each field's default, leaving out fields without one", () => {
    assert.deepEqual(fieldDefaults(fields), { publishPath: "public", adoptExisting: false });
  });

  it("reads a render.yaml key as the field; the field's own name wins; the render.yaml key is dropped", () => {
    assert.deepEqual(renameBlueprintKeys(fields, { staticPublishPath: "dist" }), { publishPath: "dist" });
    assert.deepEqual(renameBlueprintKeys(fields, { staticPublishPath: "dist", publishPath: "out" }), {
      publishPath: "out",
    });
  });
});
