import { strict as assert } from "node:assert";
import {
  checkEnvGroupInputs,
  diffEnvGroup,
  envGroupAdoptionChanges,
  envGroupWrites,
  fromEnvGroup,
  toCreateEnvGroupBody,
  type EnvGroupInputs,
  type LiveEnvGroup,
} from "../../../components/envGroup/mapping";
import { envGroupDefaults, envGroupImmutableFields } from "../../../components/envGroup/schema";
import {
  checkEnvGroupLinkInputs,
  envGroupLinkId,
  workspaceEnvGroup,
  parseEnvGroupLinkId,
} from "../../../components/envGroupLink/mapping";
import { envGroupLinkImmutableFields } from "../../../components/envGroupLink/schema";

const OWNER = "tea-d303qfodl3ps739p3e60";

function inputs(overrides: Partial<EnvGroupInputs> = {}): EnvGroupInputs {
  return {
    name: "shared",
    ownerId: OWNER,
    envVars: { A: { value: "1" }, GEN: { generateValue: true } },
    secretFiles: { "f.txt": "content" },
    adoptExisting: false,
    allowReplacement: false,
    ...overrides,
  };
}

function live(overrides: Partial<LiveEnvGroup> = {}): LiveEnvGroup {
  return {
    id: "evg-1",
    name: "shared",
    ownerId: OWNER,
    envVars: [
      { key: "A", value: "1" },
      { key: "GEN", value: "generated==" },
    ],
    secretFiles: [{ name: "f.txt", content: "content" }],
    ...overrides,
  };
}

describe("RenderEnvGroup schema and mapping", () => {
  it("fills defaults and knows its immutable fields", () => {
    assert.deepEqual(envGroupDefaults, {
      envVars: {},
      secretFiles: {},
      adoptExisting: false,
      allowReplacement: false,
    });
    assert.deepEqual(envGroupImmutableFields, ["ownerId"]);
  });

  const failures: [string, Record<string, unknown>, string, RegExp][] = [
    ["a missing name", { name: undefined }, "name", /is required/],
    ["a bad workspace", { ownerId: "team" }, "ownerId", /workspace id like tea-/],
    ["a bad key", { envVars: { "A-B": { value: "x" } } }, "envVars.A-B", /not a valid env var key/],
    [
      "a value and generateValue",
      { envVars: { A: { value: "x", generateValue: true } } },
      "envVars.A",
      /\{value: string\} or \{generateValue: true\}/,
    ],
    [
      "generateValue false",
      { envVars: { A: { generateValue: false } } },
      "envVars.A",
      /\{value: string\} or/,
    ],
    ["a path as file name", { secretFiles: { "../x": "c" } }, "secretFiles.../x", /file name without '\/'/],
    ["a bad adoptId", { adoptId: "red-1" }, "adoptId", /evg-/],
    ["a typo", { envVar: {} }, "envVar", /is not a RenderEnvGroup argument/],
  ];
  for (const [what, raw, property, reason] of failures)
    it(`names the property for ${what}`, () => {
      const { failures: found } = checkEnvGroupInputs({ name: "shared", ownerId: OWNER, ...raw });
      const failure = found.find((f) => f.property === property);
      assert.ok(failure, JSON.stringify(found));
      assert.match(failure.reason, reason);
    });

  it("reads render.yaml's lists into maps", () => {
    const { inputs: checked, failures } = checkEnvGroupInputs({
      name: "shared",
      ownerId: OWNER,
      envVars: [
        { key: "A", value: "1" },
        { key: "B", generateValue: true },
      ],
      secretFiles: [{ name: "f", content: "c" }],
    });
    assert.deepEqual(failures, []);
    assert.deepEqual(checked.envVars, { A: { value: "1" }, B: { generateValue: true } });
    assert.deepEqual(checked.secretFiles, { f: "c" });
  });

  it("builds the create body with every var and file", () => {
    assert.deepEqual(toCreateEnvGroupBody(inputs({ environmentId: "evm-a" })), {
      name: "shared",
      ownerId: OWNER,
      envVars: [
        { key: "A", value: "1" },
        { key: "GEN", generateValue: true },
      ],
      secretFiles: [{ name: "f.txt", content: "content" }],
      environmentId: "evm-a",
    });
  });

  const diffs: [string, Partial<LiveEnvGroup>, Partial<EnvGroupInputs>, string[], string[]][] = [
    ["nothing", {}, {}, [], []],
    [
      "a generated value is Render's",
      {
        envVars: [
          { key: "A", value: "1" },
          { key: "GEN", value: "other" },
        ],
      },
      {},
      [],
      [],
    ],
    [
      "a value",
      {
        envVars: [
          { key: "A", value: "2" },
          { key: "GEN", value: "g" },
        ],
      },
      {},
      ["envVars"],
      [],
    ],
    ["a missing generated var", { envVars: [{ key: "A", value: "1" }] }, {}, ["envVars"], []],
    [
      "an extra var",
      {
        envVars: [
          { key: "A", value: "1" },
          { key: "GEN", value: "g" },
          { key: "X", value: "" },
        ],
      },
      {},
      ["envVars"],
      [],
    ],
    ["a file", { secretFiles: [] }, {}, ["secretFiles"], []],
    ["the name", { name: "other" }, {}, ["name"], []],
    // Another environment is a move in place (POST /environments/{id}/resources).
    ["the environment", {}, { environmentId: "evm-b" }, ["environmentId"], []],
  ];
  for (const [what, liveOverrides, desired, changed, replaced] of diffs)
    it(`diffs ${what}`, () => {
      assert.deepEqual(diffEnvGroup(inputs(desired), live(liveOverrides)), { changed, replaced });
    });

  it("converges with puts before deletes, never regenerating, and describes each write without a value", () => {
    const drifted = live({
      name: "old",
      envVars: [
        { key: "A", value: "stale" },
        { key: "GEN", value: "g" },
        { key: "GONE", value: "secret-x" },
      ],
      secretFiles: [{ name: "old.txt", content: "secret-y" }],
    });
    const writes = envGroupWrites(
      inputs({
        envVars: { A: { value: "new-secret" }, GEN: { generateValue: true }, NEW: { generateValue: true } },
      }),
      drifted,
    );
    assert.deepEqual(
      writes.map((w) => w.kind),
      ["rename", "putEnvVar", "putEnvVar", "putSecretFile", "deleteEnvVar", "deleteSecretFile"],
    );
    const lines = envGroupAdoptionChanges(
      inputs({
        envVars: { A: { value: "new-secret" }, GEN: { generateValue: true }, NEW: { generateValue: true } },
      }),
      drifted,
    );
    assert.deepEqual(lines, [
      '~ name: "old" => "shared"',
      "~ env var A: [secret] differs from the config's; set to the config's",
      "+ add env var NEW (generated by Render)",
      "+ add secret file f.txt ([secret])",
      "- remove env var GONE (not in the config)",
      "- remove secret file old.txt (not in the config)",
    ]);
    assert.equal(/stale|new-secret|secret-x|secret-y|content/.test(lines.join("\n")), false);
  });

  it("reads a live group back as inputs, keeping generated vars generated", () => {
    const back = fromEnvGroup(live(), inputs());
    assert.deepEqual(back.envVars, { A: { value: "1" }, GEN: { generateValue: true } });
    assert.deepEqual(fromEnvGroup(live()).envVars, { A: { value: "1" }, GEN: { value: "generated==" } });
  });
});

describe("RenderEnvGroupLink mapping", () => {
  it("checks both ids, names the pair in its id, and replaces on either", () => {
    assert.deepEqual(checkEnvGroupLinkInputs({ envGroupId: "evg-a", serviceId: "crn-b" }).failures, []);
    assert.deepEqual(
      checkEnvGroupLinkInputs({ envGroupId: "x", serviceId: "red-b", extra: 1 }).failures.map(
        (f) => f.property,
      ),
      ["envGroupId", "serviceId", "extra"],
    );
    assert.equal(envGroupLinkId({ envGroupId: "evg-a", serviceId: "srv-b" }), "evg-a:srv-b");
    assert.deepEqual(parseEnvGroupLinkId("evg-a:srv-b"), { envGroupId: "evg-a", serviceId: "srv-b" });
    assert.throws(() => parseEnvGroupLinkId("evg-a"), /not an env group link id/);
    assert.deepEqual(envGroupLinkImmutableFields, ["envGroupId", "serviceId"]);
  });

  it("takes a workspace group by name instead of its id, with the workspace to find it in", () => {
    const failures = (raw: Record<string, unknown>) =>
      checkEnvGroupLinkInputs(raw).failures.map((f) => `${f.property}: ${f.reason}`);
    assert.deepEqual(failures({ envGroupName: "shared", ownerId: "tea-a1", serviceId: "srv-b" }), []);
    assert.match(failures({ serviceId: "srv-b" }).join(), /^envGroupId: is required: .* or envGroupName/);
    assert.match(
      failures({ envGroupName: "shared", serviceId: "srv-b" }).join(),
      /^ownerId: is required with envGroupName: .*render:ownerId/,
    );
    assert.match(
      failures({ envGroupName: " ", ownerId: "tea-a1", serviceId: "srv-b" }).join(),
      /^envGroupName: must not be empty/,
    );
  });

  it("finds the one group of that name in the workspace, or says why there is none to link", () => {
    const groups = [
      { id: "evg-1", name: "shared", ownerId: "tea-a" },
      { id: "evg-2", name: "shared-2", ownerId: "tea-a" },
      { id: "evg-3", name: "shared", ownerId: "tea-b" },
    ];
    assert.deepEqual(workspaceEnvGroup(groups, "shared", "tea-a"), { id: "evg-1" });
    const none = workspaceEnvGroup(groups, "Shared", "tea-a");
    assert.ok("problem" in none);
    assert.match(none.problem, /^no env group named "Shared" in workspace tea-a: .*never created/);
    const two = workspaceEnvGroup(
      [...groups, { id: "evg-4", name: "shared", ownerId: "tea-a" }],
      "shared",
      "tea-a",
    );
    assert.deepEqual(two, {
      problem: '2 env groups are named "shared" in workspace tea-a (evg-1, evg-4): link one by envGroupId',
    });
  });
});
