import { strict as assert } from "node:assert";
import {
  checkKeyValueInputs,
  diffKeyValue,
  fromKeyValue,
  keyValueAdoptionChanges,
  toCreateKeyValueBody,
  toPatchKeyValueBody,
  type KeyValueInputs,
  type LiveKeyValue,
} from "../../../components/keyValue/mapping";

const OWNER = "tea-d303qfodl3ps739p3e60";

function desired(raw: Record<string, unknown> = {}): KeyValueInputs {
  const { inputs, failures } = checkKeyValueInputs({
    name: "arrakis-cache",
    ownerId: OWNER,
    plan: "starter",
    ...raw,
  });
  assert.deepEqual(failures, []);
  return inputs as KeyValueInputs;
}

/** A live instance as Render answers it (the recorded traffic's shape). */
function live(overrides: Partial<LiveKeyValue> = {}): LiveKeyValue {
  return {
    id: "red-d8k3stlodlmc73btr2vg",
    name: "arrakis-cache",
    owner: { id: OWNER, name: "My Workspace", email: "e@example.com", type: "team" },
    plan: "starter",
    region: "oregon",
    options: { maxmemoryPolicy: "allkeys_lfu", persistenceMode: "journal_snapshot" },
    ipAllowList: [],
    ...overrides,
  };
}

// Pure mapping: bodies, drift field by field, import, adoption lines.
describe("RenderKeyValue mapping", () => {
  it("POST body: the settings given, persistenceMode and the policy only when the user set them", () => {
    assert.deepEqual(toCreateKeyValueBody(desired()), {
      name: "arrakis-cache",
      ownerId: OWNER,
      plan: "starter",
      region: "oregon",
      ipAllowList: [],
    });
    assert.deepEqual(
      toCreateKeyValueBody(
        desired({
          region: "frankfurt",
          environmentId: "evm-aaaa",
          maxmemoryPolicy: "allkeys-lru",
          persistenceMode: "off",
          ipAllowList: [{ source: "10.0.0.0/8", description: "vpn" }],
          adoptExisting: true,
        }),
      ),
      {
        name: "arrakis-cache",
        ownerId: OWNER,
        plan: "starter",
        region: "frankfurt",
        environmentId: "evm-aaaa",
        maxmemoryPolicy: "allkeys_lru",
        persistenceMode: "off",
        ipAllowList: [{ cidrBlock: "10.0.0.0/8", description: "vpn" }],
      },
    );
  });

  // prettier-ignore
  const rows: [string, Record<string, unknown>, Partial<LiveKeyValue>, string[], string[]][] = [
    ["clean, settings left out are not compared", {}, {}, [], []],
    ["name", { name: "cache-2" }, {}, ["name"], []],
    ["plan", { plan: "standard" }, {}, ["plan"], []],
    ["maxmemoryPolicy", { maxmemoryPolicy: "noeviction" }, {}, ["maxmemoryPolicy"], []],
    ["maxmemoryPolicy, same", { maxmemoryPolicy: "allkeys-lfu" }, {}, [], []],
    ["persistenceMode", { persistenceMode: "snapshot" }, {}, ["persistenceMode"], []],
    ["ipAllowList added", { ipAllowList: [{ cidrBlock: "1.1.1.1/32" }] }, {}, ["ipAllowList"], []],
    ["ipAllowList is a set; null is []", {}, { ipAllowList: [] }, [], []],
    ["ipAllowList order", { ipAllowList: [{ cidrBlock: "2.0.0.0/8", description: "b" }, { cidrBlock: "1.1.1.1/32", description: "a" }] },
      { ipAllowList: [{ cidrBlock: "1.1.1.1/32", description: "a" }, { cidrBlock: "2.0.0.0/8", description: "b" }] }, [], []],
    ["description changed", { ipAllowList: [{ cidrBlock: "1.1.1.1/32", description: "new" }] },
      { ipAllowList: [{ cidrBlock: "1.1.1.1/32", description: "old" }] }, ["ipAllowList"], []],
    ["region replaces", { region: "ohio" }, {}, [], ["region"]],
    ["environmentId moves in place", { environmentId: "evm-bbbb" }, { environmentId: "evm-aaaa" }, ["environmentId"], []],
    ["environmentId named, none live", { environmentId: "evm-bbbb" }, {}, ["environmentId"], []],
    ["environmentId left out", {}, { environmentId: "evm-aaaa" }, [], []],
    ["ownerId replaces", { ownerId: "tea-other" }, {}, [], ["ownerId"]],
    ["options missing on live", { maxmemoryPolicy: "noeviction" }, { options: null }, ["maxmemoryPolicy"], []],
  ];
  for (const [what, wanted, liveOverrides, changed, replaced] of rows) {
    it(`diff: ${what}`, () => {
      assert.deepEqual(diffKeyValue(desired(wanted), live(liveOverrides)), { changed, replaced });
    });
  }

  it("PATCH body: only what differs, never an immutable field", () => {
    assert.deepEqual(toPatchKeyValueBody(desired(), live()), {});
    assert.deepEqual(
      toPatchKeyValueBody(
        desired({
          name: "c2",
          plan: "pro",
          region: "ohio",
          maxmemoryPolicy: "allkeys_lfu",
          persistenceMode: "off",
          ipAllowList: [{ cidrBlock: "1.1.1.1/32" }],
        }),
        live(),
      ),
      {
        name: "c2",
        plan: "pro",
        persistenceMode: "off",
        ipAllowList: [{ cidrBlock: "1.1.1.1/32", description: "" }],
      },
    );
  });

  it("import takes every live setting; a refresh keeps to the fields its state has", () => {
    const imported = fromKeyValue(live({ environmentId: "evm-aaaa" }));
    assert.equal(imported.maxmemoryPolicy, "allkeys_lfu");
    assert.equal(imported.persistenceMode, "journal_snapshot");
    assert.equal(imported.environmentId, "evm-aaaa");
    assert.equal(imported.waitTimeoutSeconds, 1800);
    const refreshed = fromKeyValue(
      live({ environmentId: "evm-aaaa" }),
      desired({ adoptExisting: true }),
      false,
    );
    assert.equal("maxmemoryPolicy" in refreshed, false);
    assert.equal("persistenceMode" in refreshed, false);
    assert.equal("environmentId" in refreshed, false);
    assert.equal(refreshed.adoptExisting, true);
  });

  it("adoption lines: each setting that changes, both sides", () => {
    assert.deepEqual(keyValueAdoptionChanges(desired(), live()), []);
    assert.deepEqual(
      keyValueAdoptionChanges(
        desired({
          plan: "standard",
          maxmemoryPolicy: "noeviction",
          ipAllowList: [{ cidrBlock: "1.1.1.1/32" }],
        }),
        live(),
      ),
      [
        '~ plan: "starter" => "standard"',
        '~ maxmemoryPolicy: "allkeys_lfu" => "noeviction"',
        "~ ipAllowList: [] => [1.1.1.1/32]",
      ],
    );
  });
});
