import { strict as assert } from "node:assert";
import {
  cronJobUsdPerMinute,
  diskMonthlyUsd,
  keyValueMonthlyUsd,
  webServiceMonthlyUsd,
  workerMonthlyUsd,
} from "../../app/prices";
import type { ResourceValidation, ResourceValidationArgs } from "@pulumi/policy";
import { policies } from "../../policy/policies";
import {
  autoDeployViolations,
  backgroundWorkerType,
  budgetViolations,
  cronJobType,
  diskProtectionViolations,
  diskType,
  isServiceType,
  keyValueFreePlanViolations,
  keyValueProtectionViolations,
  keyValuePublicAccessViolations,
  keyValueType,
  plainSecretEnvVarViolations,
  postgresType,
  privateServiceType,
  serviceKinds,
  stackMonthlyCost,
  staticSiteType,
  webServiceType,
  workflowType,
  type PricedResource,
} from "../../policy/rules";

// Policy and cost of the kinds of issue 25 (item 6), table by table, on the kinds' input shapes.

describe("policy rules: Key Value, workers, private services, cron jobs, static sites, disks, env groups", () => {
  it("knows the five service kinds by their type tokens, and nothing else as a service", () => {
    assert.deepEqual(Object.values(serviceKinds), [
      "web service",
      "background worker",
      "private service",
      "cron job",
      "static site",
    ]);
    for (const type of Object.keys(serviceKinds)) assert.equal(isServiceType(type), true, type);
    for (const type of [
      postgresType,
      keyValueType,
      diskType,
      "pulumi-nodejs:dynamic/render:EnvGroup",
      "toString",
    ])
      assert.equal(isServiceType(type), false, type);
  });

  it("flags auto-deploy in production on every service kind, naming the kind", () => {
    const table: [string, boolean | undefined, number][] = [
      ["background worker", true, 1],
      ["private service", true, 1],
      ["cron job", true, 1],
      ["static site", true, 1],
      ["cron job", false, 0],
      ["static site", undefined, 0],
    ];
    for (const [kind, autoDeploy, count] of table) {
      const messages = autoDeployViolations({ name: "jobs", autoDeploy }, kind);
      assert.equal(messages.length, count, `${kind} autoDeploy ${autoDeploy}`);
      if (count) assert.match(messages[0], new RegExp(`^${kind} jobs deploys every push`));
    }
    // The web service's message is unchanged (the engine test of the policy pack reads it).
    assert.match(autoDeployViolations({ name: "web", autoDeploy: true })[0], /^web service web deploys/);
  });

  it("flags plain secret-looking env vars of any service kind and of an env group, by key only", () => {
    const envVars = {
      SIDEKIQ_TOKEN: { kind: "plain" as const },
      REDIS_PASSWORD: { kind: "secret" as const },
      QUEUE: { kind: "plain" as const },
    };
    for (const kind of ["background worker", "cron job", "static site", "env group"]) {
      const messages = plainSecretEnvVarViolations({ name: "x", envVars }, [], kind);
      assert.deepEqual(
        messages.map((m) => m.slice(0, m.indexOf(" looks"))),
        [`${kind} x: env var SIDEKIQ_TOKEN`],
      );
    }
    assert.deepEqual(plainSecretEnvVarViolations({ name: "x", envVars }, ["SIDEKIQ_TOKEN"], "env group"), []);
  });

  it("flags a Key Value open to every address, in either spelling of the entry", () => {
    const table: [KeyValueList, number][] = [
      [[{ cidrBlock: "0.0.0.0/0", description: "everyone" }], 1],
      [[{ source: "::/0" }], 1],
      [[{ cidrBlock: "203.0.113.0/24", description: "office" }], 0],
      [[], 0],
      [null, 0],
    ];
    for (const [ipAllowList, count] of table) {
      const messages = keyValuePublicAccessViolations({ name: "cache", ipAllowList });
      assert.equal(messages.length, count, JSON.stringify(ipAllowList));
      if (count) assert.match(messages[0], /^Key Value cache accepts connections from any address/);
    }
  });

  it("warns of a free Key Value in production (no persistence), in any spelling of the plan", () => {
    assert.equal(keyValueFreePlanViolations({ name: "kv", plan: "free" }).length, 1);
    assert.equal(keyValueFreePlanViolations({ name: "kv", plan: " Free " }).length, 1);
    assert.equal(keyValueFreePlanViolations({ name: "kv", plan: "starter" }).length, 0);
    assert.equal(keyValueFreePlanViolations({ name: "kv" }).length, 0);
  });

  it("asks protection of a Key Value only when it persists data, and of every disk", () => {
    const table: [Parameters<typeof keyValueProtectionViolations>[0], boolean, number][] = [
      [{ name: "kv", plan: "starter" }, false, 1],
      [{ name: "kv", plan: "starter", persistenceMode: "snapshot" }, false, 1],
      [{ name: "kv", plan: "starter", persistenceMode: "journal_snapshot" }, true, 0],
      [{ name: "kv", plan: "starter", persistenceMode: "off" }, false, 0],
      [{ name: "kv", plan: "free" }, false, 0],
    ];
    for (const [kv, protect, count] of table)
      assert.equal(
        keyValueProtectionViolations(kv, protect).length,
        count,
        `${JSON.stringify(kv)} ${protect}`,
      );
    assert.deepEqual(
      diskProtectionViolations({ name: "uploads", serviceId: "srv-abc", sizeGB: 10 }, false).map((m) =>
        m.slice(0, m.indexOf(" is not")),
      ),
      ["disk uploads of service srv-abc"],
    );
    assert.deepEqual(diskProtectionViolations({ name: "uploads" }, true), []);
  });

  it("prices each kind from the one price table, and names what has no known price", () => {
    assert.equal(keyValueMonthlyUsd("starter"), 10);
    assert.equal(keyValueMonthlyUsd("pro"), undefined);
    // A worker or private service is billed by its instance type, as a web service; no free instance type.
    assert.equal(workerMonthlyUsd("standard", 2), webServiceMonthlyUsd("standard", 2));
    assert.equal(workerMonthlyUsd("free"), undefined);
    assert.equal(cronJobUsdPerMinute("starter"), 0.00016);
    assert.equal(diskMonthlyUsd(15), 3.75);
    assert.equal(diskMonthlyUsd(0), undefined);
    const app: PricedResource[] = [
      { type: postgresType, props: { name: "db", plan: "basic-256mb" } },
      { type: webServiceType, props: { name: "web", plan: "starter" } },
      { type: backgroundWorkerType, props: { name: "worker", plan: "standard", numInstances: 2 } },
      { type: privateServiceType, props: { name: "api" } },
      { type: keyValueType, props: { name: "cache", plan: "starter" } },
      { type: staticSiteType, props: { name: "docs" } },
      { type: diskType, props: { name: "uploads", sizeGB: 15 } },
      { type: cronJobType, props: { name: "nightly", plan: "starter" } },
    ];
    const cost = stackMonthlyCost(app);
    // 7 + 5 + 2 × 25 + 5 + 10 + 0 + 3.75; the cron job is billed by its run time, not counted.
    assert.equal(cost.totalUsd, 80.75);
    assert.deepEqual(cost.unknown, []);
    assert.deepEqual(cost.usageBased, ["cron job nightly starter: $0.00016 per minute of run time"]);
    assert.deepEqual(cost.lines, [
      "Key Value cache starter: $10",
      "background worker worker standard x2: $50",
      "database db basic_256mb: $7",
      "disk uploads 15 GB: $3.75",
      "private service api starter x1: $5",
      "static site docs: $0",
      "web service web starter x1: $5",
    ]);
    assert.deepEqual(budgetViolations(app, 80.75), []);
    const [over] = budgetViolations(app, 80);
    assert.match(
      over,
      /^this stack would cost \$80\.75\/month, plus what its runs use \(cron job nightly starter: /,
    );
    assert.match(over, /over its budget of \$80 /);
  });

  it("refuses to check a budget it cannot price, naming each plan", () => {
    assert.deepEqual(
      budgetViolations(
        [
          { type: keyValueType, props: { name: "cache", plan: "pro_plus" } },
          { type: cronJobType, props: { name: "nightly", plan: "pro_max" } },
          { type: diskType, props: { name: "uploads" } },
        ],
        100,
      ),
      [
        "cannot check the monthly budget: no known price for Key Value cache plan pro_plus and cron job nightly " +
          "plan pro_max and disk uploads (no sizeGB). Add it to app/prices.ts",
      ],
    );
  });

  it("applies each new policy to its kinds, production-only ones only in production", () => {
    const run = (name: string, type: string, props: object, protect: boolean, production: boolean) => {
      const policy = policies.find((p) => p.name === name) as { validateResource: ResourceValidation };
      const messages: string[] = [];
      const args = {
        type,
        props,
        opts: { protect },
        getConfig: () => ({ production, allowedKeys: [] }),
      } as unknown as ResourceValidationArgs;
      void policy.validateResource(args, (message: string) => messages.push(message));
      return messages.length;
    };
    const openKv = { name: "kv", plan: "free", ipAllowList: [{ cidrBlock: "0.0.0.0/0", description: "" }] };
    const table: [string, string, object, boolean, boolean, number][] = [
      ["key-value-no-public-access", keyValueType, openKv, true, true, 1],
      ["key-value-no-public-access", keyValueType, openKv, true, false, 0],
      ["key-value-no-public-access", postgresType, openKv, true, true, 0],
      ["key-value-no-free-plan-in-production", keyValueType, openKv, true, true, 1],
      ["key-value-no-free-plan-in-production", keyValueType, openKv, true, false, 0],
      ["key-value-delete-protection", keyValueType, { name: "kv", plan: "starter" }, false, false, 1],
      ["key-value-delete-protection", keyValueType, { name: "kv", plan: "starter" }, true, false, 0],
      ["disk-delete-protection", diskType, { name: "d", sizeGB: 1 }, false, false, 1],
      ["disk-delete-protection", keyValueType, { name: "d", sizeGB: 1 }, false, false, 0],
      ["service-no-auto-deploy-in-production", cronJobType, { name: "c", autoDeploy: true }, false, true, 1],
      [
        "service-no-auto-deploy-in-production",
        staticSiteType,
        { name: "s", autoDeploy: true },
        false,
        true,
        1,
      ],
      ["service-no-auto-deploy-in-production", cronJobType, { name: "c", autoDeploy: true }, false, false, 0],
      ["service-no-auto-deploy-in-production", keyValueType, { name: "c", autoDeploy: true }, false, true, 0],
      [
        "service-no-auto-deploy-in-production",
        workflowType,
        { name: "w", autoDeployTrigger: "commit" },
        false,
        true,
        1,
      ],
      [
        "service-no-auto-deploy-in-production",
        workflowType,
        { name: "w", autoDeployTrigger: "off" },
        false,
        true,
        0,
      ],
      [
        "service-no-auto-deploy-in-production",
        workflowType,
        { name: "w", autoDeployTrigger: "checksPass" },
        false,
        false,
        0,
      ],
      ...[privateServiceType, "pulumi-nodejs:dynamic/render:EnvGroup", workflowType].map(
        (type) =>
          [
            "service-no-plain-secrets",
            type,
            { name: "g", envVars: { A_KEY: { kind: "plain" } } },
            false,
            false,
            1,
          ] as [string, string, object, boolean, boolean, number],
      ),
      [
        "service-no-plain-secrets",
        diskType,
        { name: "g", envVars: { A_KEY: { kind: "plain" } } },
        false,
        false,
        0,
      ],
    ];
    for (const [name, type, props, protect, production, count] of table)
      assert.equal(run(name, type, props, protect, production), count, `${name} on ${type.split(":").pop()}`);
  });

  it("lists the new policies in the pack, each with its level", () => {
    const levels = Object.fromEntries(policies.map((p) => [p.name, p.enforcementLevel]));
    assert.deepEqual(
      {
        "key-value-no-public-access": levels["key-value-no-public-access"],
        "key-value-no-free-plan-in-production": levels["key-value-no-free-plan-in-production"],
        "key-value-delete-protection": levels["key-value-delete-protection"],
        "disk-delete-protection": levels["disk-delete-protection"],
      },
      {
        "key-value-no-public-access": "advisory",
        "key-value-no-free-plan-in-production": "advisory",
        "key-value-delete-protection": "advisory",
        "disk-delete-protection": "mandatory",
      },
    );
  });
});

type KeyValueList = Parameters<typeof keyValuePublicAccessViolations>[0]["ipAllowList"];
