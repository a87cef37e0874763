/**
 * components/deploy/schema.ts field by field: for every field of `deployFields` (and of its
 * `healthCheck`), a wrong value and the message `check` gives for it, its default, and what a change of
 * it shows in the diff. None of a deploy's fields is a setting Render stores and refresh reads back:
 * what refresh reads is the last deploy's status (a failed one deploys again: provider.spec.ts). So
 * the drift column says, per field, whether a change deploys (`deployReason`, what the provider's diff
 * plans from) or is "not drift": an option of how to deploy. A field added to the schema without a row
 * here fails the first test.
 */
import { strict as assert } from "node:assert";
import { z } from "zod";
import { checkDeployInputs, deployReason, type DeployInputs } from "../../../components/deploy/mapping";
import { deployFields } from "../../../components/deploy/schema";

/** The smallest valid arguments: every required field. */
const valid = { serviceId: "srv-d303qfodl3ps739p3e70" };

interface Row {
  /** A wrong value and the failures (property, reason) `check` gives for it. */
  bad: { value: unknown; failures: [string, string][] };
  /** The checked value when the field is absent, or required (its message). */
  default: { value: unknown } | { required: string };
  /** A change from the last deploy's inputs: the reason it deploys again, or "not drift" and why. */
  drift: { args: Record<string, unknown> } & ({ deploys: string } | { notDrift: string });
}

const rows: Record<string, Row> = {
  serviceId: {
    bad: {
      value: "dpg-d303qfodl3ps739p3e6g-a",
      failures: [
        [
          "serviceId",
          'serviceId must be a Render service id like srv-d1234567890abcdefghi (got "dpg-d303qfodl3ps739p3e6g-a")',
        ],
      ],
    },
    default: {
      required: "serviceId must be a Render service id like srv-d1234567890abcdefghi (got undefined)",
    },
    drift: { args: { serviceId: "srv-d303qfodl3ps739p3e71" }, deploys: "the service changed" },
  },
  commit: {
    bad: {
      value: "main",
      failures: [
        [
          "commit",
          'commit must be a commit SHA (7 to 40 hex digits) or empty for the branch head (got "main")',
        ],
      ],
    },
    default: { value: "" },
    drift: { args: { commit: "ABCDEF1" }, deploys: "the commit changed" },
  },
  trigger: {
    bad: { value: 5, failures: [["trigger", "trigger must be a string"]] },
    default: { value: "" },
    drift: { args: { trigger: "3f2a" }, deploys: "the env vars, service settings or migrations changed" },
  },
  release: {
    bad: {
      value: "one\ntwo",
      failures: [["release", 'release must be a one-line label such as a timestamp (got "one\\ntwo")']],
    },
    default: { value: "" },
    drift: {
      args: { release: "2026-12-05T20:00" },
      deploys: 'a deploy was asked for (release "2026-12-05T20:00")',
    },
  },
  clearCache: {
    bad: { value: "yes", failures: [["clearCache", 'clearCache must be true or false (got "yes")']] },
    default: { value: false },
    drift: {
      args: { clearCache: true },
      notDrift: "how the next deploy builds; a change alone deploys nothing",
    },
  },
  waitTimeoutMs: {
    bad: { value: 0, failures: [["waitTimeoutMs", "waitTimeoutMs must be a whole number >= 1 (got 0)"]] },
    default: { value: 20 * 60_000 },
    drift: { args: { waitTimeoutMs: 60_000 }, notDrift: "how long the provider waits" },
  },
  pollIntervalMs: {
    bad: { value: -1, failures: [["pollIntervalMs", "pollIntervalMs must be a whole number >= 0 (got -1)"]] },
    default: { value: 8_000 },
    drift: { args: { pollIntervalMs: 1_000 }, notDrift: "how often the provider polls" },
  },
  healthCheck: {
    bad: {
      value: 5,
      failures: [
        [
          "healthCheck",
          "healthCheck must be an object {enabled, path, expectedStatus, timeoutMs, retries, intervalMs} (got 5)",
        ],
      ],
    },
    default: {
      value: {
        enabled: true,
        path: "",
        expectedStatus: 200,
        timeoutMs: 5_000,
        retries: 3,
        intervalMs: 2_000,
      },
    },
    drift: { args: { healthCheck: { enabled: false } }, notDrift: "the probe after a deploy" },
  },
  "healthCheck.enabled": {
    bad: {
      value: "no",
      failures: [["healthCheck.enabled", 'healthCheck.enabled must be true or false (got "no")']],
    },
    default: { value: true },
    drift: { args: { healthCheck: { enabled: false } }, notDrift: "whether the provider probes" },
  },
  "healthCheck.path": {
    bad: {
      value: "api/health",
      failures: [["healthCheck.path", 'healthCheck.path must start with / (got "api/health")']],
    },
    default: { value: "" },
    drift: { args: { healthCheck: { path: "/api/health" } }, notDrift: "where the provider probes" },
  },
  "healthCheck.expectedStatus": {
    bad: {
      value: 99,
      failures: [
        ["healthCheck.expectedStatus", "healthCheck.expectedStatus must be a whole number >= 100 (got 99)"],
      ],
    },
    default: { value: 200 },
    drift: { args: { healthCheck: { expectedStatus: 204 } }, notDrift: "what the probe expects" },
  },
  "healthCheck.timeoutMs": {
    bad: {
      value: 0,
      failures: [["healthCheck.timeoutMs", "healthCheck.timeoutMs must be a whole number >= 1 (got 0)"]],
    },
    default: { value: 5_000 },
    drift: { args: { healthCheck: { timeoutMs: 1_000 } }, notDrift: "how long one probe may take" },
  },
  "healthCheck.retries": {
    bad: {
      value: -1,
      failures: [["healthCheck.retries", "healthCheck.retries must be a whole number >= 0 (got -1)"]],
    },
    default: { value: 3 },
    drift: { args: { healthCheck: { retries: 0 } }, notDrift: "how often the probe is retried" },
  },
  "healthCheck.intervalMs": {
    bad: {
      value: 1.5,
      failures: [["healthCheck.intervalMs", "healthCheck.intervalMs must be a whole number >= 0 (got 1.5)"]],
    },
    default: { value: 2_000 },
    drift: { args: { healthCheck: { intervalMs: 10 } }, notDrift: "the pause between probes" },
  },
  rollbackOnFailure: {
    bad: { value: 1, failures: [["rollbackOnFailure", "rollbackOnFailure must be true or false (got 1)"]] },
    default: { value: false },
    drift: { args: { rollbackOnFailure: true }, notDrift: "what the provider does when a deploy fails" },
  },
};

/** The object shape inside a field (healthCheck's), through its wrappers (default, prefault, pipe). */
function shapeOf(field: z.ZodType): Record<string, z.ZodType> | undefined {
  let current: unknown = field;
  for (let depth = 0; depth < 5 && current; depth++) {
    if (current instanceof z.ZodObject) return current.shape as Record<string, z.ZodType>;
    const def = (current as { _zod?: { def?: { innerType?: unknown; in?: unknown } } })._zod?.def;
    current = def?.innerType ?? def?.in;
  }
  return undefined;
}

/** Every field name, nested ones as `healthCheck.path`, in schema order. */
function fieldNames(): string[] {
  return Object.entries(deployFields).flatMap(([key, field]) => {
    const shape = shapeOf(field);
    return [key, ...(shape ? Object.keys(shape).map((sub) => `${key}.${sub}`) : [])];
  });
}

/** Arguments beside `valid` with `field` (maybe nested) set to `value`. */
function withValue(field: string, value: unknown): Record<string, unknown> {
  const [top, sub] = field.split(".");
  return { ...valid, [top]: sub === undefined ? value : { [sub]: value } };
}

function check(raw: Record<string, unknown>) {
  const { inputs, failures } = checkDeployInputs(raw);
  return { inputs, failures: failures.map((f): [string, string] => [f.property, f.reason]) };
}

function desired(args: Record<string, unknown> = {}): DeployInputs {
  const { inputs, failures } = check({ ...valid, ...args });
  assert.deepEqual(failures, [], "the row's arguments are valid");
  return inputs;
}

describe("deploy schema, field by field", () => {
  it("has a row for every field of deployFields and of its healthCheck, and no other", () => {
    assert.deepEqual(Object.keys(rows), fieldNames());
  });

  it("refuses a key that is not a field (a typo), naming it and the allowed keys", () => {
    const { failures } = check({ ...valid, clearcache: true });
    assert.deepEqual(failures, [
      [
        "clearcache",
        `clearcache is not a RenderDeploy argument; allowed: ${Object.keys(deployFields).join(", ")}`,
      ],
    ]);
  });

  it("the last deploy's own inputs again: nothing to deploy", () => {
    assert.equal(deployReason({ ...desired(), status: "live" }, desired()), undefined);
  });

  for (const [field, row] of Object.entries(rows)) {
    describe(field, () => {
      const bad = row.bad;
      if (bad)
        it(`refuses ${JSON.stringify(bad.value)}, naming the field and what is allowed`, () => {
          assert.deepEqual(check(withValue(field, bad.value)).failures, bad.failures);
        });

      const def = row.default;
      it(`default: ${"required" in def ? "required" : JSON.stringify(def.value)}`, () => {
        const { [field]: _omitted, ...without } = valid as Record<string, unknown>;
        const { inputs, failures } = check(without);
        if ("required" in def) {
          assert.deepEqual(failures, [[field, def.required]]);
          return;
        }
        assert.deepEqual(failures, []);
        const [top, sub] = field.split(".");
        const value = (inputs as Record<string, unknown>)[top];
        assert.deepEqual(sub === undefined ? value : (value as Record<string, unknown>)[sub], def.value);
      });

      const drift = row.drift;
      const change = JSON.stringify(drift.args);
      if ("deploys" in drift)
        it(`a change (${change}) deploys: ${drift.deploys}`, () => {
          assert.equal(deployReason({ ...desired(), status: "live" }, desired(drift.args)), drift.deploys);
        });
      else
        it(`not drift: ${drift.notDrift}; a change (${change}) deploys nothing`, () => {
          assert.equal(deployReason({ ...desired(), status: "live" }, desired(drift.args)), undefined);
        });
    });
  }
});
