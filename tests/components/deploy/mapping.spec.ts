import { strict as assert } from "node:assert";
import {
  checkDeployInputs,
  deployDashboardUrl,
  deployReason,
  deployToTakeOver,
  healthUrl,
  rollbackTarget,
  toCreateDeployBody,
  type DeployInputs,
} from "../../../components/deploy/mapping";
import { readStackConfig, StackConfigError } from "../../../app/stackConfig";
import type { Deploy } from "../../../components/render/schemas";

// The pure parts of RenderDeploy and the migrations step, table by table.
describe("deploy mapping (pure)", () => {
  const base: DeployInputs = {
    serviceId: "srv-a",
    commit: "",
    trigger: "t",
    release: "",
    clearCache: false,
    waitTimeoutMs: 1000,
    pollIntervalMs: 10,
    healthCheck: { enabled: true, path: "", expectedStatus: 200, timeoutMs: 100, retries: 0, intervalMs: 0 },
    rollbackOnFailure: false,
  };

  describe("deployReason", () => {
    const cases: [string, Record<string, unknown>, Partial<DeployInputs>, RegExp | undefined][] = [
      ["nothing changed", { status: "live", health: "passed" }, {}, undefined],
      ["a deploy replaced by hand", { status: "deactivated" }, {}, undefined],
      [
        "options only",
        { status: "live" },
        { waitTimeoutMs: 5, clearCache: true, rollbackOnFailure: true },
        undefined,
      ],
      ["another service", { status: "live" }, { serviceId: "srv-b" }, /service changed/],
      ["another commit", { status: "live" }, { commit: "abcdef1" }, /commit changed/],
      ["another trigger", { status: "live" }, { trigger: "u" }, /env vars, service settings or migrations/],
      ["a failed build", { status: "build_failed" }, {}, /ended build_failed/],
      ["a canceled deploy", { status: "canceled" }, {}, /ended canceled/],
      ["a failed probe", { status: "live", health: "failed" }, {}, /health check/],
      ["a deploy asked for by hand", { status: "live" }, { release: "2026-11-30T17:00Z" }, /asked for/],
      [
        "another one asked for",
        { status: "live", release: "r1" },
        { release: "r2" },
        /asked for \(release "r2"\)/,
      ],
      ["the same one again", { status: "live", release: "r1" }, { release: "r1" }, undefined],
      ["the label removed", { status: "live", release: "r1" }, { release: "" }, undefined],
    ];
    for (const [what, olds, change, expected] of cases)
      it(what, () => {
        const reason = deployReason({ ...base, ...olds }, { ...base, ...change });
        if (expected === undefined) assert.equal(reason, undefined);
        else assert.match(reason ?? "", expected);
      });
  });

  it("deployToTakeOver: the newest live or running deploy, when it builds the pinned commit (or any)", () => {
    const d = (id: string, status: Deploy["status"], commit = "a".repeat(40)): Deploy => ({
      id,
      status,
      commit: { id: commit },
    });
    const b = "b".repeat(40);
    const cases: [string, Deploy[], string, string | undefined][] = [
      ["live, no pin", [d("dep-2", "live"), d("dep-1", "deactivated")], "", "dep-2"],
      ["a failed one above the live one", [d("dep-3", "build_failed"), d("dep-2", "live")], "", "dep-2"],
      ["a new service's first deploy", [d("dep-1", "build_in_progress")], "", "dep-1"],
      ["running above live", [d("dep-3", "queued", b), d("dep-2", "live")], "", "dep-3"],
      ["pin = live (short, any case)", [d("dep-2", "live")], "AAAAAAA", "dep-2"],
      ["pin other than live", [d("dep-2", "live")], b, undefined],
      [
        "pin other than the running one",
        [d("dep-3", "update_in_progress"), d("dep-2", "live", b)],
        b,
        undefined,
      ],
      ["nothing live", [d("dep-2", "canceled"), d("dep-1", "build_failed")], "", undefined],
      ["no deploys", [], "", undefined],
    ];
    for (const [name, list, commit, want] of cases)
      assert.equal(deployToTakeOver(list, commit)?.id, want, name);
  });

  it("rollbackTarget: the newest earlier deploy that went live, never a later one", () => {
    const d = (id: string, status: Deploy["status"]): Deploy => ({ id, status });
    const list = [
      d("dep-5", "live"),
      d("dep-4", "update_failed"),
      d("dep-3", "deactivated"),
      d("dep-2", "live"),
    ];
    assert.equal(rollbackTarget(list, "dep-4")?.id, "dep-3");
    assert.equal(rollbackTarget(list, "dep-5")?.id, "dep-3");
    assert.equal(rollbackTarget([d("dep-1", "build_failed")], "dep-1"), undefined);
    assert.equal(rollbackTarget([d("dep-2", "canceled"), d("dep-1", "build_failed")], "dep-2"), undefined);
  });

  describe("checkDeployInputs", () => {
    it("names a key that is not an argument (a typo), with the allowed ones, also in healthCheck", () => {
      const { failures } = checkDeployInputs({
        serviceId: "srv-a",
        comit: "abcdef1",
        healthCheck: { retry: 1 },
        __provider: "the engine's",
      });
      assert.deepEqual(failures, [
        {
          property: "healthCheck.retry",
          reason:
            "healthCheck.retry is not a RenderDeployHealthCheck argument; allowed: enabled, path, expectedStatus, timeoutMs, retries, intervalMs",
        },
        {
          property: "comit",
          reason:
            "comit is not a RenderDeploy argument; allowed: serviceId, commit, trigger, release, clearCache, waitTimeoutMs, pollIntervalMs, healthCheck, rollbackOnFailure",
        },
      ]);
    });

    it('refuses clearCache "yes" (and any flag that is not a boolean), naming it and true or false', () => {
      const { failures } = checkDeployInputs({
        serviceId: "srv-a",
        clearCache: "yes",
        rollbackOnFailure: 1,
        healthCheck: { enabled: "no" },
      });
      assert.deepEqual(failures, [
        { property: "clearCache", reason: 'clearCache must be true or false (got "yes")' },
        { property: "healthCheck.enabled", reason: 'healthCheck.enabled must be true or false (got "no")' },
        { property: "rollbackOnFailure", reason: "rollbackOnFailure must be true or false (got 1)" },
      ]);
    });

    it("refuses a healthCheck that is not an object; a null is a missing value", () => {
      assert.deepEqual(checkDeployInputs({ serviceId: "srv-a", healthCheck: "yes" }).failures, [
        {
          property: "healthCheck",
          reason:
            'healthCheck must be an object {enabled, path, expectedStatus, timeoutMs, retries, intervalMs} (got "yes")',
        },
      ]);
      const nulls = checkDeployInputs({ serviceId: "srv-a", clearCache: null, healthCheck: null });
      assert.deepEqual(nulls.failures, []);
      assert.equal(nulls.inputs.clearCache, false);
      assert.equal(nulls.inputs.healthCheck.retries, 3);
    });

    it("lets an unknown value inside healthCheck through and still defaults the others", () => {
      const unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
      const { inputs, failures } = checkDeployInputs({ serviceId: "srv-a", healthCheck: { path: unknown } });
      assert.deepEqual(failures, []);
      assert.equal(inputs.healthCheck.path, unknown);
      assert.equal(inputs.healthCheck.timeoutMs, 5000);
    });
  });

  it("toCreateDeployBody sends commitId and clearCache only when set", () => {
    assert.deepEqual(toCreateDeployBody({ commit: "", clearCache: false }), {});
    assert.deepEqual(toCreateDeployBody({ commit: "abc1234", clearCache: true }), {
      commitId: "abc1234",
      clearCache: "clear",
    });
  });

  it("links and URLs", () => {
    assert.equal(
      deployDashboardUrl("https://dashboard.render.com/web/srv-a/", "srv-a", "dep-1"),
      "https://dashboard.render.com/web/srv-a/deploys/dep-1",
    );
    assert.equal(
      deployDashboardUrl("", "srv-a", "dep-1"),
      "https://dashboard.render.com/web/srv-a/deploys/dep-1",
    );
    assert.equal(
      healthUrl("http://127.0.0.1:1/_services/x/", "/health"),
      "http://127.0.0.1:1/_services/x/health",
    );
    assert.equal(healthUrl("https://a.onrender.com", "api"), "https://a.onrender.com/api");
  });
});

describe("stack config: arrakis:deploy and arrakis:migrations", () => {
  const values: Record<string, string> = {
    "render:apiKey": "k",
    "render:ownerId": "tea-d303qfodl3ps739p3e60",
    "arrakis:openaiApiKey": "sk",
    "arrakis:database": JSON.stringify({ name: "d", plan: "basic-256mb", version: "17" }),
    "arrakis:service": JSON.stringify({
      name: "s",
      repo: "https://github.com/a/b",
      buildCommand: "b",
      startCommand: "s",
    }),
  };
  const read = (extra: Record<string, string>) =>
    readStackConfig((ns, key) => ({ ...values, ...extra })[`${ns}:${key}`]);

  it("defaults: RenderDeploy's own (deploy on, no rollback), no migration step", () => {
    const config = read({});
    const { serviceId: _s, trigger: _t, ...defaults } = checkDeployInputs({ serviceId: "srv-a" }).inputs;
    assert.deepEqual(config.deploy, defaults);
    assert.equal(config.deploy.rollbackOnFailure, false);
    assert.equal(config.migrations, undefined);
  });

  describe("arrakis:deploy follows RenderDeploy's rules (components/deploy/schema.ts)", () => {
    // One value per field, with whether the deploy's schema takes it: the stack config must agree.
    const cases: [string, Record<string, unknown>, boolean][] = [
      ["commit empty (the branch head)", { commit: "" }, true],
      ["commit pinned", { commit: "ABCDEF1" }, true],
      ["commit a branch name", { commit: "main" }, false],
      ["release a label", { release: "2026-11-30T17:00Z" }, true],
      ["release of two lines", { release: "a\nb" }, false],
      ["clearCache true", { clearCache: true }, true],
      ['clearCache "yes"', { clearCache: "yes" }, false],
      ["rollbackOnFailure 1", { rollbackOnFailure: 1 }, false],
      ["waitTimeoutMs 0", { waitTimeoutMs: 0 }, false],
      ["pollIntervalMs 0", { pollIntervalMs: 0 }, true],
      ["pollIntervalMs 1.5", { pollIntervalMs: 1.5 }, false],
      ["healthCheck.enabled false", { healthCheck: { enabled: false } }, true],
      ['healthCheck.enabled "no"', { healthCheck: { enabled: "no" } }, false],
      ["healthCheck.path without /", { healthCheck: { path: "healthz" } }, false],
      ["healthCheck.expectedStatus 99", { healthCheck: { expectedStatus: 99 } }, false],
      ["healthCheck.timeoutMs 0", { healthCheck: { timeoutMs: 0 } }, false],
      ["healthCheck.retries -1", { healthCheck: { retries: -1 } }, false],
      ["healthCheck.intervalMs 0", { healthCheck: { intervalMs: 0 } }, true],
    ];
    for (const [what, settings, ok] of cases)
      it(`${what}: ${ok ? "taken" : "refused"} by both, with the same message`, () => {
        const checked = checkDeployInputs({ serviceId: "srv-a", ...settings });
        assert.equal(checked.failures.length === 0, ok, JSON.stringify(checked.failures));
        let problems: string[] = [];
        try {
          read({ "arrakis:deploy": JSON.stringify(settings) });
        } catch (err) {
          assert.ok(err instanceof StackConfigError, String(err));
          problems = err.problems;
        }
        // The resource puts the path first (`commit must be …`); the config prefixes its key.
        assert.deepEqual(
          problems,
          checked.failures.map(
            (f) => `arrakis:deploy.${f.property}: ${f.reason.slice(f.property.length + 1)}`,
          ),
        );
      });
  });

  it("arrakis:deployLatest (the flat key `pulumi up -c` sets) asks for a deploy by hand", () => {
    assert.equal(
      read({ "arrakis:deployLatest": "2026-11-30T17:00:00Z" }).deploy.release,
      "2026-11-30T17:00:00Z",
    );
    assert.equal(
      read({ "arrakis:deploy": JSON.stringify({ release: "r1" }), "arrakis:deployLatest": "r2" }).deploy
        .release,
      "r2",
    );
    assert.equal(read({ "arrakis:deployLatest": "" }).deploy.release, "");
    assert.throws(
      () => read({ "arrakis:deployLatest": "a\nb" }),
      /arrakis:deploy\.release: must be a one-line label/,
    );
  });

  it("migrations default to npm run db:deploy over prisma/migrations", () => {
    const config = read({ "arrakis:migrations": JSON.stringify({ appDir: "../arrakis" }) });
    assert.deepEqual(config.migrations, {
      appDir: "../arrakis",
      command: "npm run db:deploy",
      migrationsDir: "prisma/migrations",
    });
  });

  it("names the key of a bad commit or an unknown option", () => {
    assert.throws(
      () => read({ "arrakis:deploy": JSON.stringify({ commit: "main" }) }),
      (err: unknown) =>
        err instanceof StackConfigError && /arrakis:deploy\.commit: must be a commit SHA/.test(err.message),
    );
    assert.throws(
      () => read({ "arrakis:deploy": JSON.stringify({ rollback: true }) }),
      /arrakis:deploy: unknown key\(s\) rollback/,
    );
    assert.throws(() => read({ "arrakis:migrations": JSON.stringify({}) }), /arrakis:migrations\.appDir/);
  });
});
