/**
 * The config of a pull request's preview stack (tools/previewStackConfig.ts), from the real
 * Pulumi.prod.yaml: names, plans, protection, secrets left out, expiry and cost; and which stacks a sweep
 * removes.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import {
  costReport,
  expiredStacks,
  parsePr,
  previewName,
  previewStackConfig,
} from "../../tools/previewStackConfig";
import { readStackConfig } from "../../app/stackConfig";

const prodConfig = (
  parse(fs.readFileSync(path.join(__dirname, "..", "..", "Pulumi.prod.yaml"), "utf8")) as {
    config: Record<string, unknown>;
  }
).config;
const now = new Date("2026-11-30T12:00:00Z");

describe("preview stack config (tools/previewStackConfig.ts)", () => {
  it("derives names with the PR number, without the word prod", () => {
    assert.equal(previewName("arrakis-prod-db", 123, "-"), "arrakis-db-pr-123");
    assert.equal(previewName("arrakis-prod", 123, "-"), "arrakis-pr-123");
    assert.equal(previewName("arrakis_production", 123, "_"), "arrakis_pr_123");
    assert.equal(previewName("arrakis_prod_user", 123, "_"), "arrakis_user_pr_123");
    assert.equal(previewName("shop", 9, "-"), "shop-pr-9");
  });

  it("refuses a --pr that is not a pull request number", () => {
    for (const bad of [undefined, "", "0", "-3", "12abc", "1.5", "pr-12"])
      assert.throws(() => parsePr(bad), /--pr must be a pull request number such as 123/);
    assert.equal(parsePr("123"), 123);
  });

  it("takes production's config: own names, cheapest plans, unprotected, no adoption, no secrets", () => {
    const withAdoption = structuredClone(prodConfig);
    (withAdoption["arrakis:database"] as Record<string, unknown>).importId = "dpg-prod";
    (withAdoption["arrakis:service"] as Record<string, unknown>).adoptExisting = true;
    withAdoption["render:apiKey"] = { secure: "v1:abc" };
    const stack = previewStackConfig(withAdoption, {
      pr: 123,
      branch: "feature/x",
      commit: "0123456789abcdef",
      apiUrl: "http://127.0.0.1:1/v1",
      ttlHours: 24,
      now,
    });
    assert.equal(stack.stackName, "pr-123");
    const database = stack.config["arrakis:database"] as Record<string, unknown>;
    const service = stack.config["arrakis:service"] as Record<string, unknown>;
    assert.deepEqual(
      [database.name, database.databaseName, database.databaseUser, database.plan, database.protect],
      ["arrakis-db-pr-123", "arrakis_pr_123", "arrakis_user_pr_123", "basic-256mb", false],
    );
    assert.equal(database.importId, undefined);
    assert.deepEqual(database.extensions, ["vector"]);
    assert.deepEqual(
      [service.name, service.plan, service.branch, service.autoDeploy, service.adoptExisting],
      ["arrakis-pr-123", "starter", "feature/x", false, undefined],
    );
    assert.equal(service.preDeployCommand, "npm run db:deploy");
    assert.deepEqual(stack.config["arrakis:deploy"], { rollbackOnFailure: true, commit: "0123456789abcdef" });
    assert.equal(stack.config["render:apiKey"], undefined);
    assert.equal(stack.config["render:apiUrl"], "http://127.0.0.1:1/v1");
    assert.equal(stack.config["render:ownerId"], prodConfig["render:ownerId"]);
    assert.deepEqual(stack.tags, {
      "arrakis:preview-pr": "123",
      "arrakis:expires-at": "2026-12-01T12:00:00.000Z",
    });
    // Production's own file is untouched.
    assert.equal((prodConfig["arrakis:database"] as Record<string, unknown>).protect, true);

    // The program accepts it, within production's budget.
    const read = (namespace: string, key: string) => {
      if (`${namespace}:${key}` === "render:apiKey") return "rnd_0123456789abcdef";
      if (`${namespace}:${key}` === "arrakis:openaiApiKey") return "sk-x";
      const value = stack.config[`${namespace}:${key}`];
      return value === undefined ? undefined : typeof value === "string" ? value : JSON.stringify(value);
    };
    const config = readStackConfig(read);
    assert.equal(config.database.protect, false);
  });

  it("takes another workspace when given one (--stack local: the local emulator's)", () => {
    const stack = previewStackConfig(prodConfig, { pr: 5, ownerId: "tea-local0000000000000", now });
    assert.equal(stack.config["render:ownerId"], "tea-local0000000000000");
  });

  it("prints the monthly cost and what the lifetime costs at most", () => {
    const stack = previewStackConfig(prodConfig, { pr: 5, ttlHours: 72, now });
    assert.equal(stack.cost.monthlyUsd, 12);
    const [monthly, lifetime] = costReport(stack, 72);
    assert.match(
      monthly,
      /^monthly cost: \$12 \(database basic-256mb \$7, web service starter \$5; prices: /,
    );
    assert.match(
      lifetime,
      /about \$0\.40 a day, at most \$1\.20 until it expires \(2026-12-03T12:00:00\.000Z\)/,
    );
  });

  it("refuses a lifetime that is not a positive number of hours", () => {
    for (const ttlHours of [0, -1, Number.NaN])
      assert.throws(
        () => previewStackConfig(prodConfig, { pr: 5, ttlHours, now }),
        /--ttl-hours must be a positive number of hours/,
      );
  });

  it("a sweep removes preview stacks whose expiry has passed, and nothing else", () => {
    const stacks: Array<{ name: string; tags: Record<string, string> }> = [
      { name: "pr-1", tags: { "arrakis:expires-at": "2026-11-30T11:00:00.000Z" } },
      { name: "pr-2", tags: { "arrakis:expires-at": "2026-11-30T13:00:00.000Z" } },
      { name: "org/arrakis/pr-3", tags: { "arrakis:expires-at": "2026-11-29T00:00:00.000Z" } },
      { name: "pr-4", tags: {} },
      { name: "prod", tags: { "arrakis:expires-at": "2020-01-01T00:00:00.000Z" } },
      { name: "pr-5", tags: { "arrakis:expires-at": "not a date" } },
    ];
    assert.deepEqual(
      expiredStacks(stacks, now).map((s) => s.name),
      ["pr-1", "org/arrakis/pr-3"],
    );
  });
});
