import { strict as assert } from "node:assert";
import { checkProjectInputs } from "../../../components/project/mapping";
import { projectImmutableFields, projectProviderOptions } from "../../../components/project/schema";
import { unknownSentinel } from "../../../components/runtime/validation";

const OWNER = "tea-d303qfodl3ps739p3e60";
const base = { name: "arrakis", ownerId: OWNER, environments: [{ name: "production" }] };

function failures(raw: Record<string, unknown>): string[] {
  return checkProjectInputs(raw).failures.map((f) => `${f.property}: ${f.reason}`);
}

function inputs(raw: Record<string, unknown>): Record<string, unknown> {
  const result = checkProjectInputs(raw);
  assert.deepEqual(result.failures, []);
  return result.inputs;
}

// The schema, field by field: each message names the field and what is allowed; defaults; metadata.
describe("RenderProject schema", () => {
  it("fills the defaults: an unprotected, not isolated environment with an empty allow list", () => {
    assert.deepEqual(inputs(base), {
      ...base,
      environments: [
        {
          name: "production",
          protectedStatus: "unprotected",
          networkIsolationEnabled: false,
          ipAllowList: [],
        },
      ],
      adoptExisting: false,
      allowReplacement: false,
    });
  });

  it("reads render.yaml's protected/networkIsolated (UNCONFIRMED key names) and ipAllowList source", () => {
    const result = inputs({
      ...base,
      environments: [
        {
          name: "production",
          protected: true,
          networkIsolated: true,
          ipAllowList: [{ source: "10.0.0.0/8" }],
        },
        { name: "staging", protected: false },
      ],
    });
    assert.deepEqual(result.environments, [
      {
        name: "production",
        protectedStatus: "protected",
        networkIsolationEnabled: true,
        ipAllowList: [{ cidrBlock: "10.0.0.0/8", description: "" }],
      },
      { name: "staging", protectedStatus: "unprotected", networkIsolationEnabled: false, ipAllowList: [] },
    ]);
  });

  it("reads render.yaml's networking.isolation and permissions.protection (enabled|disabled)", () => {
    const result = inputs({
      ...base,
      environments: [
        { name: "production", networking: { isolation: "enabled" }, permissions: { protection: "enabled" } },
        { name: "staging", networking: { isolation: "disabled" }, permissions: { protection: "disabled" } },
      ],
    });
    assert.deepEqual(result.environments, [
      { name: "production", protectedStatus: "protected", networkIsolationEnabled: true, ipAllowList: [] },
      { name: "staging", protectedStatus: "unprotected", networkIsolationEnabled: false, ipAllowList: [] },
    ]);
    // Another value is refused by the field it becomes, naming it.
    assert.deepEqual(
      failures({ ...base, environments: [{ name: "p", permissions: { protection: "sometimes" } }] }),
      [
        'environments[0].protectedStatus: "sometimes" is not a Render environment protection; allowed: "unprotected", "protected"',
      ],
    );
  });

  it("names the field and the allowed values for each bad value", () => {
    assert.deepEqual(
      failures({
        name: " spaced",
        ownerId: "me",
        environments: [
          { name: "production", protectedStatus: "locked", networkIsolationEnabled: "yes" },
          { name: "production", ipAllowList: [{ cidrBlock: "nope" }] },
        ],
        adoptId: "srv-x",
        colour: "red",
      }),
      [
        "name: may contain only letters, digits, spaces, '.', '_' and '-', and must start with a letter or digit",
        'ownerId: must be a Render workspace id like tea-d303qfodl3ps739p3e60 (got "me")',
        'environments[0].protectedStatus: "locked" is not a Render environment protection; allowed: "unprotected", "protected"',
        "environments[0].networkIsolationEnabled: networkIsolationEnabled must be true or false",
        'environments[1].ipAllowList[0].cidrBlock: "nope" is not a CIDR block; expected an address and prefix length like 203.0.113.0/24 or 0.0.0.0/0',
        'adoptId: must be a Render project id like "prj-…" (the dashboard URL has it)',
        "colour: is not a RenderProject argument; allowed: name, ownerId, environments, adoptExisting, adoptId, allowReplacement",
      ],
    );
    assert.deepEqual(failures({ ...base, environments: [{ name: "production" }, { name: "production" }] }), [
      "environments[1].name: environment production is listed twice",
    ]);
    assert.deepEqual(failures({ ...base, environments: [] }), [
      "environments: must list at least one environment (Render projects have one or more)",
    ]);
  });

  it("lets values unknown during preview through, and knows which fields replace and which are options", () => {
    assert.equal(inputs({ ...base, environments: unknownSentinel }).environments, unknownSentinel);
    assert.deepEqual(projectImmutableFields, ["ownerId"]);
    assert.deepEqual(projectProviderOptions, ["adoptExisting", "adoptId", "allowReplacement"]);
  });
});
