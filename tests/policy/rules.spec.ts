import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { monthlyCost, readStackConfig } from "../../app/stackConfig";
import {
  budgetViolations,
  expiringPlanViolations,
  isOpenToEveryone,
  looksLikeSecretKey,
  plainSecretEnvVarViolations,
  postgresType,
  publicAllowListViolations,
  stackMonthlyCost,
  webServiceType,
} from "../../policy/rules";

// The rules' logic, table by table (the engine tests in policyPack.spec.ts show them end to end).
const root = path.join(__dirname, "..", "..");

function stackConfig(stack: string): Record<string, unknown> {
  return (
    parse(readFileSync(path.join(root, `Pulumi.${stack}.yaml`), "utf8")) as {
      config: Record<string, unknown>;
    }
  ).config;
}

describe("policy rules", () => {
  it("recognises keys that look like secrets, and only those", () => {
    for (const key of [
      "OPENAI_API_KEY",
      "APIKEY",
      "NEXTAUTH_SECRET",
      "SECRET_KEY_BASE",
      "GITHUB_TOKEN",
      "DB_PASSWORD",
      "SMTP_PASSWD",
      "api-keys",
      "aws_secret_access_key",
    ])
      assert.equal(looksLikeSecretKey(key), true, key);
    for (const key of [
      "NODE_ENV",
      "DATABASE_URL",
      "NEXTAUTH_URL",
      "PORT",
      "PWD",
      "KEYCLOAK_URL",
      "TOKENIZER_MODEL",
    ])
      assert.equal(looksLikeSecretKey(key), false, key);
  });

  it("treats only a zero-length prefix as open to everyone", () => {
    for (const cidr of ["0.0.0.0/0", " 0.0.0.0/0 ", "::/0"]) assert.equal(isOpenToEveryone(cidr), true, cidr);
    for (const cidr of ["10.0.0.0/8", "203.0.113.7/32", "0.0.0.0/1", "10.0.0.0/10"])
      assert.equal(isOpenToEveryone(cidr), false, cidr);
    assert.deepEqual(publicAllowListViolations({ name: "db", ipAllowList: null }), []);
    assert.equal(publicAllowListViolations({ name: "db", ipAllowList: [{ source: "0.0.0.0/0" }] }).length, 1);
  });

  it("flags plain secret-looking env vars only, by key, never printing a value", () => {
    const messages = plainSecretEnvVarViolations(
      {
        name: "web",
        envVars: {
          A_TOKEN: { kind: "plain" },
          B_SECRET: { kind: "secret" },
          C_KEY: { kind: "generated" },
          D_PASSWORD: { kind: "linked" },
          PUBLISHABLE_KEY: { kind: "plain" },
          NODE_ENV: { kind: "plain" },
        },
      },
      ["PUBLISHABLE_KEY"],
    );
    assert.equal(messages.length, 1);
    assert.match(messages[0], /^web service web: env var A_TOKEN looks like a secret/);
  });

  it("normalises render.yaml plan spellings and honours the configured expiring plans", () => {
    assert.equal(expiringPlanViolations({ name: "db", plan: "free" }).length, 1);
    assert.equal(expiringPlanViolations({ name: "db", plan: "basic-256mb" }).length, 0);
    assert.equal(expiringPlanViolations({ name: "db", plan: "pro-plus" }, ["free", "pro_plus"]).length, 1);
  });

  it("computes the seed's cost exactly as the program's own budget check does", () => {
    const flat: Record<string, string> = {
      ...Object.fromEntries(
        Object.entries(stackConfig("prod")).map(([k, v]) => [
          k,
          typeof v === "string" ? v : JSON.stringify(v),
        ]),
      ),
      "render:apiKey": "rnd_test_key",
      "arrakis:openaiApiKey": "sk-test",
    };
    const programCost = monthlyCost(readStackConfig((ns, key) => flat[`${ns}:${key}`])).totalUsd;
    const db = stackConfig("prod")["arrakis:database"] as { name: string; plan: string };
    const svc = stackConfig("prod")["arrakis:service"] as { name: string; plan: string };
    const policyCost = stackMonthlyCost([
      { type: postgresType, props: { name: db.name, plan: db.plan } },
      { type: webServiceType, props: { name: svc.name, plan: svc.plan } },
    ]);
    assert.equal(policyCost.totalUsd, programCost);
    assert.equal(programCost, 12);
    assert.deepEqual(
      budgetViolations([{ type: webServiceType, props: { name: "w", plan: "starter" } }], 12),
      [],
    );
  });

  it("reports a plan without a price instead of guessing, and stays silent without a budget", () => {
    const unknownPlan = [{ type: postgresType, props: { name: "db", plan: "accelerated_1024gb" } }] as const;
    assert.deepEqual(budgetViolations([...unknownPlan], 12), [
      "cannot check the monthly budget: no known price for database db plan accelerated_1024gb. " +
        "Add it to app/prices.ts",
    ]);
    assert.deepEqual(budgetViolations([...unknownPlan], undefined), []);
  });

  it("sees the same policy-relevant values in Pulumi.prod.yaml as in Pulumi.local.yaml (tested through the engine)", () => {
    const pick = (stack: string) => {
      const c = stackConfig(stack);
      const db = c["arrakis:database"] as Record<string, unknown>;
      const svc = c["arrakis:service"] as Record<string, unknown>;
      return {
        budget: c["arrakis:monthlyBudgetUsd"],
        db: {
          plan: db.plan,
          cidrs: (db.ipAllowList as { cidrBlock: string }[]).map((e) => e.cidrBlock),
          protect: db.protect,
        },
        svc: { plan: svc.plan, autoDeploy: svc.autoDeploy, healthCheckPath: svc.healthCheckPath },
      };
    };
    assert.deepEqual(pick("prod"), pick("local"));
  });
});
