import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { startEmulator } from "../../emulator";
import { requireEngine } from "../../tools/pulumi-engine/locate";
import { PulumiStack, type PulumiResult } from "../../tools/harness/pulumiCli";

// The policy pack through the real engine: `pulumi preview --policy-pack policy` on stacks served by
// the Render API emulator. One emulator, two stacks (a fixture program built from config, and the
// arrakis program with the local stack's seed config), five previews; the `it`s run in order.
const root = path.join(__dirname, "..", "..");
const policyDir = path.join(root, "policy");
const fixtureDir = path.join(__dirname, "fixtures", "render");
const arrakisDir = path.join(__dirname, "fixtures", "arrakis");
const prodPolicyConfig = JSON.parse(
  fs.readFileSync(path.join(policyDir, "config", "prod.json"), "utf8"),
) as Record<string, Record<string, unknown>>;
// A value that is secret in the program: it must never show in the CLI's output or a policy message.
const fixtureSecret = "sk-fixture-secret-5f1e9c";

/** One policy violation as the engine reported it. */
interface Violation {
  policy: string;
  level: string;
  /** The resource's name (last URN segment). */
  resource: string;
  /** The policy's description, a newline, then the rule's message. */
  message: string;
}

interface PreviewOutcome {
  result: PulumiResult;
  violations: Violation[];
  /** Error diagnostics the engine reported (not policy violations). */
  errors: string[];
  /** The whole event log, for the no-secret check. */
  eventText: string;
}

const compliantDatabase = {
  name: "policy-db",
  plan: "basic_256mb",
  ipAllowList: [{ cidrBlock: "203.0.113.0/24", description: "office" }],
  protect: true,
};
const compliantService = {
  name: "policy-web",
  plan: "starter",
  autoDeploy: false,
  healthCheckPath: "/healthz",
  env: {
    NODE_ENV: { plain: "production" },
    OPENAI_API_KEY: { secret: true },
    NEXTAUTH_SECRET: { generate: true },
    STRIPE_PUBLISHABLE_KEY: { plain: "pk_test_publishable" },
  },
};
const violatingDatabase = {
  name: "policy-db",
  plan: "free",
  ipAllowList: [{ cidrBlock: "0.0.0.0/0", description: "everyone" }],
  protect: false,
};
const violatingService = {
  name: "policy-web",
  plan: "starter",
  autoDeploy: true,
  env: {
    NODE_ENV: { plain: "production" },
    OPENAI_API_KEY: { secret: true },
    GITHUB_TOKEN: { plain: "ghp_plain_token_value" },
    DB_PASSWORD: { plain: "plain-password-value" },
  },
};

/** The production policy config of the repo, with the public-access rule raised to mandatory. */
const strictProdConfig = {
  ...prodPolicyConfig,
  "postgres-no-public-access": {
    ...prodPolicyConfig["postgres-no-public-access"],
    enforcementLevel: "mandatory",
  },
  "service-no-plain-secrets": { allowedKeys: ["STRIPE_PUBLISHABLE_KEY"] },
};

const expected = {
  publicAccess: (db: string, level: string, resource = db): Violation => ({
    policy: "postgres-no-public-access",
    level,
    resource,
    message:
      "A production database must not accept connections from every address (0.0.0.0/0).\n" +
      `database ${db} accepts connections from any address: its IP allow list contains 0.0.0.0/0. List only the ` +
      "addresses that need access from outside Render (services on Render connect through the private network), " +
      "or set ipAllowList to [] for the private network only",
  }),
  autoDeploy: {
    policy: "service-no-auto-deploy-in-production",
    level: "mandatory",
    resource: "policy-web",
    message:
      "A production service (web, worker, private, cron, static site, workflow) must not deploy every push (autoDeploy).\n" +
      "web service policy-web deploys every push to its branch (autoDeploy: true) in a production stack. " +
      "Set autoDeploy: false and deploy on purpose",
  },
  plainSecret: (key: string): Violation => ({
    policy: "service-no-plain-secrets",
    level: "mandatory",
    resource: "policy-web",
    message:
      "An env var (of a service or env group) whose key looks like a secret must be a secret or generated value, not plain.\n" +
      `web service policy-web: env var ${key} looks like a secret (its key names a KEY, SECRET, TOKEN or ` +
      "PASSWORD) but has a plain value, shown in previews and stored unencrypted in the state. " +
      "Pass it as { secret: config.requireSecret(...) } or { generateValue: true }",
  }),
  expiringPlan: {
    policy: "postgres-no-expiring-plan-in-production",
    level: "mandatory",
    resource: "policy-db",
    message:
      "A production database must not be on a free or expiring plan.\n" +
      "database policy-db is on the free plan, which expires: Render deletes such a database and its data. " +
      "Choose a paid plan such as basic_256mb",
  },
  protection: {
    policy: "postgres-delete-protection",
    level: "mandatory",
    resource: "policy-db",
    message:
      "A database must be protected from deletion (the protect resource option).\n" +
      "database policy-db is not protected: pulumi destroy, or a change that replaces it, would delete it and " +
      "its data. Set the protect resource option (RenderApp protects its database unless database.protect is false)",
  },
  healthCheck: {
    policy: "service-health-check",
    level: "advisory",
    resource: "policy-web",
    message:
      "A web service should have a health check path.\n" +
      "web service policy-web has no health check path, so Render cannot check that a new deploy answers " +
      'before it takes traffic. Set healthCheckPath, e.g. "/"',
  },
};

function byPolicyThenMessage(a: Violation, b: Violation): number {
  return a.policy.localeCompare(b.policy) || a.message.localeCompare(b.message);
}

describe("policy pack (pulumi preview --policy-pack policy, real engine)", function () {
  this.timeout(180_000);
  let emu: Awaited<ReturnType<typeof startEmulator>> | undefined;
  let fixture: PulumiStack | undefined;
  let runs = 0;

  /** Previews `stack` with the policy pack and `policyConfig`; reads the violations from the event log. */
  async function preview(stack: PulumiStack, policyConfig: object): Promise<PreviewOutcome> {
    runs += 1;
    const configPath = path.join(stack.workDir, `policy-config-${runs}.json`);
    const eventLog = path.join(stack.workDir, `events-${runs}.jsonl`);
    fs.writeFileSync(configPath, JSON.stringify(policyConfig));
    const result = await stack.preview([
      "--policy-pack",
      policyDir,
      "--policy-pack-config",
      configPath,
      "--event-log",
      eventLog,
    ]);
    assert.equal(result.timedOut, false, "preview timed out");
    const eventText = fs.existsSync(eventLog) ? fs.readFileSync(eventLog, "utf8") : "";
    const violations: Violation[] = [];
    const errors: string[] = [];
    for (const line of eventText.split("\n")) {
      if (line.trim() === "") continue;
      const event = JSON.parse(line) as {
        policyEvent?: { resourceUrn?: string; message: string; policyName: string; enforcementLevel: string };
        diagnosticEvent?: { severity: string; message: string };
      };
      if (event.policyEvent) {
        const p = event.policyEvent;
        violations.push({
          policy: p.policyName,
          level: p.enforcementLevel,
          resource: (p.resourceUrn ?? "").split("::").pop() ?? "",
          message: p.message.trim(),
        });
      }
      if (event.diagnosticEvent?.severity === "error") errors.push(event.diagnosticEvent.message.trim());
    }
    // Nothing secret in anything the engine printed or logged.
    for (const text of [result.stdout, result.stderr, eventText]) {
      assert.ok(!text.includes(fixtureSecret), "a secret env var value reached the output");
      if (emu) assert.ok(!text.includes(emu.apiKey), "the API key reached the output");
    }
    return { result, violations: violations.sort(byPolicyThenMessage), errors, eventText };
  }

  async function setFixture(databases: object[], services: object[]): Promise<void> {
    assert.ok(fixture);
    await fixture.setConfig("policy-fixture:databases", JSON.stringify(databases));
    await fixture.setConfig("policy-fixture:services", JSON.stringify(services));
  }

  before(async function () {
    requireEngine();
    // The seed's workspace id, so the arrakis stack's own config works unchanged.
    emu = await startEmulator({ port: 0, timings: "fast", ownerId: "tea-d303qfodl3ps739p3e60" });
    fixture = await PulumiStack.inPlace(fixtureDir, {
      config: { "render:apiUrl": emu.url, "render:ownerId": emu.ownerId },
      secretConfig: { "render:apiKey": emu.apiKey, "policy-fixture:secretValue": fixtureSecret },
      // `--event-log` is the structured event stream Automation API reads; the CLI shows the flag then.
      env: { PULUMI_DEBUG_COMMANDS: "true" },
    });
  });

  after(async function () {
    await fixture?.cleanup();
    await emu?.close();
  });

  it("passes a compliant production stack: no rule reports anything", async function () {
    await setFixture([compliantDatabase], [compliantService]);
    const { result, violations, errors } = await preview(fixture!, strictProdConfig);
    assert.deepEqual(violations, [], result.stdout);
    assert.deepEqual(errors, []);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    // The analyzer did run: the pack is listed with the resources it checked.
    assert.match(result.stdout, /arrakis@v0\.1\.0 \(local: .*policy\)/);
  });

  it("flags every resource rule on a violating production stack, with its exact message and level", async function () {
    await setFixture([violatingDatabase], [violatingService]);
    const { result, violations } = await preview(fixture!, strictProdConfig);
    assert.deepEqual(
      violations,
      [
        expected.protection,
        expected.expiringPlan,
        // Raised to mandatory by this stack's policy config.
        expected.publicAccess("policy-db", "mandatory"),
        expected.healthCheck,
        expected.autoDeploy,
        expected.plainSecret("DB_PASSWORD"),
        expected.plainSecret("GITHUB_TOKEN"),
      ].sort(byPolicyThenMessage),
    );
    assert.notEqual(result.code, 0, "mandatory violations must fail the preview");
    assert.match(result.stdout, /\[mandatory\] {2}postgres-delete-protection/);
    // Plain values are what the rule is about, yet its message names the key only.
    for (const v of violations) assert.ok(!v.message.includes("plain-password-value"));
  });

  it("applies the production-only rules to production stacks only", async function () {
    const { result, violations } = await preview(fixture!, {});
    assert.deepEqual(
      violations,
      [
        expected.protection,
        expected.healthCheck,
        expected.plainSecret("DB_PASSWORD"),
        expected.plainSecret("GITHUB_TOKEN"),
      ].sort(byPolicyThenMessage),
    );
    assert.notEqual(result.code, 0);
  });

  it("flags a stack whose monthly cost is over the budget of its policy config", async function () {
    await setFixture([compliantDatabase], [{ ...compliantService, plan: "standard" }]);
    const { result, violations } = await preview(fixture!, strictProdConfig);
    assert.deepEqual(violations, [
      {
        policy: "stack-monthly-budget",
        level: "mandatory",
        resource: "policy-fixture-test",
        message:
          "The stack's monthly cost must stay within its budget.\n" +
          "this stack would cost $32/month (database policy-db basic_256mb: $7, web service policy-web standard x1: " +
          "$25; prices: seed deployment-patterns.md (2025-09-29) and REFERENCE.md §8 (2026-11); UNCONFIRMED), " +
          "over its budget of $12 (policy config monthlyBudgetUsd). Choose smaller plans or raise the budget",
      },
    ]);
    assert.notEqual(result.code, 0);
  });

  it("gives the seed's own configuration (Pulumi.local.yaml) the advisory 0.0.0.0/0 warning and nothing else", async function () {
    const doc = parse(fs.readFileSync(path.join(root, "Pulumi.local.yaml"), "utf8")) as {
      config: Record<string, unknown>;
    };
    const config: Record<string, string> = {};
    for (const [key, value] of Object.entries(doc.config)) {
      // Secrets are encrypted with the local stack's passphrase: set placeholders below instead.
      if (typeof value === "object" && value !== null && "secure" in value) continue;
      config[key] = typeof value === "string" ? value : JSON.stringify(value);
    }
    config["render:apiUrl"] = emu!.url;
    delete config["render:apiKey"];
    const seed = await PulumiStack.inPlace(arrakisDir, {
      stackName: "local",
      config,
      secretConfig: { "render:apiKey": emu!.apiKey, "arrakis:openaiApiKey": fixtureSecret },
      env: { PULUMI_DEBUG_COMMANDS: "true" },
    });
    try {
      const { result, violations, errors } = await preview(seed, prodPolicyConfig);
      assert.deepEqual(violations, [expected.publicAccess("arrakis-local-db", "advisory", "arrakis-db")]);
      assert.deepEqual(errors, []);
      assert.equal(result.code, 0, result.stdout + result.stderr);
      assert.match(result.stdout, /\+ {2}pulumi-nodejs:dynamic\/render:Postgres arrakis-db create/);
    } finally {
      await seed.cleanup();
    }
  });
});
