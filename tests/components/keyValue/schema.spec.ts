import { strict as assert } from "node:assert";
import { checkKeyValueInputs } from "../../../components/keyValue/mapping";
import {
  keyValueDefaults,
  keyValueImmutableFields,
  keyValueMutableFields,
  keyValueProviderOptions,
} from "../../../components/keyValue/schema";
import { unknownSentinel } from "../../../components/runtime/validation";

const OWNER = "tea-d303qfodl3ps739p3e60";
const base = { name: "arrakis-cache", ownerId: OWNER, plan: "starter" };

/** The failures of `raw` as `property: reason`. */
function failures(raw: Record<string, unknown>): string[] {
  return checkKeyValueInputs(raw).failures.map((f) => `${f.property}: ${f.reason}`);
}

function inputs(raw: Record<string, unknown>): Record<string, unknown> {
  const result = checkKeyValueInputs(raw);
  assert.deepEqual(result.failures, []);
  return result.inputs;
}

// The schema, field by field: each message names the field and what is allowed; defaults; metadata.
describe("RenderKeyValue schema", () => {
  it("fills the defaults and nothing else: oregon, an empty allow list, the provider's options", () => {
    assert.deepEqual(inputs(base), {
      ...base,
      region: "oregon",
      ipAllowList: [],
      adoptExisting: false,
      allowReplacement: false,
      waitTimeoutSeconds: 1800,
      pollIntervalSeconds: 8,
    });
    assert.equal(keyValueDefaults.maxmemoryPolicy, undefined);
    assert.equal(keyValueDefaults.persistenceMode, undefined);
  });

  it("says which fields replace the instance, which change in place, and which only the provider sees", () => {
    // environmentId moves the instance in place (POST /environments/{id}/resources).
    assert.deepEqual(keyValueImmutableFields, ["ownerId", "region"]);
    assert.deepEqual(keyValueMutableFields, [
      "name",
      "plan",
      "environmentId",
      "maxmemoryPolicy",
      "persistenceMode",
      "ipAllowList",
    ]);
    assert.deepEqual(keyValueProviderOptions, [
      "adoptExisting",
      "adoptId",
      "allowReplacement",
      "waitTimeoutSeconds",
      "pollIntervalSeconds",
    ]);
  });

  it("plan: the API, render.yaml and dashboard spellings; anything else names the allowed plans", () => {
    assert.equal(inputs({ ...base, plan: "pro-plus" }).plan, "pro_plus");
    assert.equal(inputs({ ...base, plan: "Pro Plus" }).plan, "pro_plus");
    assert.deepEqual(failures({ ...base, plan: "basic-256mb" }), [
      'plan: "basic_256mb" is not a Render Key Value plan; allowed: "free", "starter", "standard", "pro", "pro_plus", "custom"',
    ]);
    assert.match(failures({ ...base, plan: undefined })[0], /^plan: is required; allowed: "free"/);
  });

  it("maxmemoryPolicy: render.yaml's hyphens are accepted; a wrong one lists the policies", () => {
    assert.equal(inputs({ ...base, maxmemoryPolicy: "allkeys-lru" }).maxmemoryPolicy, "allkeys_lru");
    assert.equal(inputs({ ...base, maxmemoryPolicy: "volatile_ttl" }).maxmemoryPolicy, "volatile_ttl");
    const [failure] = failures({ ...base, maxmemoryPolicy: "lru" });
    assert.match(
      failure,
      /^maxmemoryPolicy: "lru" is not a Render maxmemory policy; allowed: "noeviction", /,
    );
    assert.match(failure, /"volatile_ttl"$/);
  });

  it("persistenceMode: off, snapshot or journal_snapshot; the free plan takes only off", () => {
    assert.equal(
      inputs({ ...base, persistenceMode: "journal-snapshot" }).persistenceMode,
      "journal_snapshot",
    );
    assert.equal(inputs({ ...base, plan: "free", persistenceMode: "off" }).persistenceMode, "off");
    assert.equal(inputs({ ...base, plan: "free" }).persistenceMode, undefined);
    assert.deepEqual(failures({ ...base, persistenceMode: "aof" }), [
      'persistenceMode: "aof" is not a Render persistence mode; allowed: "off", "snapshot", "journal_snapshot"',
    ]);
    assert.deepEqual(failures({ ...base, plan: "free", persistenceMode: "snapshot" }), [
      'persistenceMode: the free plan has no persistence: use "off" (or leave it out), or a paid plan (got "snapshot")',
    ]);
    // Unknown during preview: not judged.
    assert.deepEqual(failures({ ...base, plan: "free", persistenceMode: unknownSentinel }), []);
  });

  it("region, environmentId, ownerId and adoptId: each names its field and form", () => {
    assert.deepEqual(failures({ ...base, region: "mars" }), [
      'region: "mars" is not a Render region; allowed: "oregon", "ohio", "virginia", "frankfurt", "singapore"',
    ]);
    assert.deepEqual(failures({ ...base, environmentId: "prod" }), [
      'environmentId: must be a Render environment id like "evm-…" (a RenderProject\'s environmentId(name))',
    ]);
    assert.equal(
      inputs({ ...base, environmentId: "evm-d8k3stdodlmc73btr2s0" }).environmentId,
      "evm-d8k3stdodlmc73btr2s0",
    );
    assert.match(
      failures({ ...base, ownerId: "me" })[0],
      /^ownerId: must be a Render workspace id like tea-/,
    );
    assert.deepEqual(failures({ ...base, adoptId: "dpg-abc-a" }), [
      'adoptId: must be a Render Key Value id like "red-…" (the dashboard URL has it)',
    ]);
    assert.equal(
      inputs({ ...base, adoptId: "red-d8k3stdodlmc73btr2q0" }).adoptId,
      "red-d8k3stdodlmc73btr2q0",
    );
  });

  it("ipAllowList: render.yaml's source is read as cidrBlock; a bad or repeated block is named by index", () => {
    assert.deepEqual(
      inputs({ ...base, ipAllowList: [{ source: "0.0.0.0/0", description: "all" }] }).ipAllowList,
      [{ cidrBlock: "0.0.0.0/0", description: "all" }],
    );
    assert.deepEqual(
      failures({
        ...base,
        ipAllowList: [
          { cidrBlock: "10.0.0.0/8" },
          { cidrBlock: "10.0.0.0/8" },
          { cidrBlock: "10.0.0.300/8" },
        ],
      }),
      [
        'ipAllowList[2].cidrBlock: "10.0.0.300/8" is not a CIDR block; expected an address and prefix length like 203.0.113.0/24 or 0.0.0.0/0',
        "ipAllowList[1].cidrBlock: 10.0.0.0/8 is listed twice",
      ],
    );
  });

  it("a key that is not an argument is named with the allowed keys; null and empty values are absent", () => {
    assert.deepEqual(failures({ ...base, maxMemoryPolicy: "noeviction" }), [
      "maxMemoryPolicy: is not a RenderKeyValue argument; allowed: name, ownerId, plan, region, environmentId, maxmemoryPolicy, persistenceMode, ipAllowList, adoptExisting, adoptId, allowReplacement, waitTimeoutSeconds, pollIntervalSeconds",
    ]);
    assert.equal(inputs({ ...base, maxmemoryPolicy: null, environmentId: "" }).maxmemoryPolicy, undefined);
  });

  it("lets the engine's unknown values through during preview", () => {
    assert.equal(inputs({ ...base, plan: unknownSentinel }).plan, unknownSentinel);
  });
});
