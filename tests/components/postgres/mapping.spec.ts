import { strict as assert } from "node:assert";
import {
  checkPostgresInputs,
  databaseNameMatches,
  diffPostgres,
  fromPostgres,
  postgresAdoptionChanges,
  toCreatePostgresBody,
  toPatchPostgresBody,
  type LivePostgres,
  type PostgresInputs,
} from "../../../components/postgres/mapping";
import {
  postgresFields,
  postgresFieldsWhere,
  postgresImmutableFields,
  type PostgresFieldMeta,
} from "../../../components/postgres/schema";
import { isCidr, unknownSentinel } from "../../../components/runtime/validation";

const seed = {
  name: "arrakis-prod-db",
  ownerId: "tea-d303qfodl3ps739p3e60",
  plan: "basic-256mb",
  postgresMajorVersion: "17",
  databaseName: "arrakis_production",
  user: "arrakis_prod_user",
  ipAllowList: [{ source: "0.0.0.0/0", description: "Production access" }],
};

function checked(raw: Record<string, unknown>): PostgresInputs {
  const { inputs, failures } = checkPostgresInputs(raw);
  assert.deepEqual(failures, []);
  return inputs as unknown as PostgresInputs;
}

function live(overrides: Partial<LivePostgres> = {}): LivePostgres {
  return {
    id: "dpg-d303qfodl3ps739p3e6g-a",
    name: "arrakis-prod-db",
    owner: { id: "tea-d303qfodl3ps739p3e60", name: "arrakis", type: "team" },
    plan: "basic_256mb",
    version: "17",
    region: "oregon",
    databaseName: "arrakis_production_bq3v",
    databaseUser: "arrakis_prod_user",
    ipAllowList: [{ cidrBlock: "0.0.0.0/0", description: "Production access" }],
    highAvailabilityEnabled: false,
    diskSizeGB: 15,
    ...overrides,
  };
}

describe("postgres mapping", () => {
  it("normalises render.yaml spellings from the seed", () => {
    const inputs = checked(seed);
    assert.equal(inputs.plan, "basic_256mb");
    assert.equal(inputs.version, "17");
    assert.equal(inputs.region, "oregon");
    assert.equal(inputs.databaseUser, "arrakis_prod_user");
    assert.deepEqual(inputs.ipAllowList, [{ cidrBlock: "0.0.0.0/0", description: "Production access" }]);
    assert.equal(checked({ ...seed, postgresMajorVersion: 17 }).version, "17");
    assert.equal(checked({ ...seed, highAvailability: { enabled: false } }).highAvailability, false);
  });

  it("maps diskAutoscaling to Render's enableDiskAutoscaling and back, only when declared", () => {
    const on = checked({ ...seed, diskAutoscaling: true });
    assert.equal(toCreatePostgresBody(on).enableDiskAutoscaling, true);
    assert.equal("enableDiskAutoscaling" in toCreatePostgresBody(checked(seed)), false);
    assert.deepEqual(diffPostgres(on, live({ diskAutoscalingEnabled: false })), {
      changed: ["diskAutoscaling"],
      replaced: [],
    });
    assert.deepEqual(toPatchPostgresBody(on, live({ diskAutoscalingEnabled: false })), {
      enableDiskAutoscaling: true,
    });
    assert.deepEqual(diffPostgres(checked(seed), live({ diskAutoscalingEnabled: true })).changed, []);
    assert.equal(fromPostgres(live({ diskAutoscalingEnabled: true }), on).diskAutoscaling, true);
    assert.equal(
      "diskAutoscaling" in fromPostgres(live({ diskAutoscalingEnabled: true }), checked(seed)),
      false,
    );
    const { failures } = checkPostgresInputs({ ...seed, diskAutoscaling: "yes" });
    assert.deepEqual(failures, [
      { property: "diskAutoscaling", reason: "diskAutoscaling must be true or false" },
    ]);
  });

  const bad: [string, Record<string, unknown>, string, RegExp][] = [
    ["unknown plan", { plan: "basic-512mb" }, "plan", /not a Render Postgres plan; allowed: .*"basic_256mb"/],
    ["version out of range", { postgresMajorVersion: "10" }, "version", /allowed: "11", .*"18"/],
    ["unknown region", { region: "mars" }, "region", /allowed: "oregon", "ohio"/],
    [
      "bad CIDR",
      { ipAllowList: [{ source: "10.0.0.0/40" }] },
      "ipAllowList[0].cidrBlock",
      /not a CIDR block/,
    ],
    ["CIDR without prefix", { ipAllowList: [{ cidrBlock: "10.0.0.1" }] }, "ipAllowList[0].cidrBlock", /CIDR/],
    [
      "duplicate CIDR",
      { ipAllowList: [{ cidrBlock: "1.1.1.1/32" }, { cidrBlock: "1.1.1.1/32" }] },
      "ipAllowList[1].cidrBlock",
      /twice/,
    ],
    ["database name with capitals", { databaseName: "Arrakis" }, "databaseName", /lowercase/],
    ["database name too long", { databaseName: "a".repeat(59) }, "databaseName", /at most 58/],
    ["reserved user", { user: "postgres" }, "databaseUser", /reserved/],
    ["name too long", { name: "x".repeat(101) }, "name", /at most 100/],
    ["name with a slash", { name: "arrakis/db" }, "name", /may contain only/],
    ["HA on a basic plan", { highAvailability: true }, "highAvailability", /pro_\* or accelerated_\*/],
    ["disk size zero", { diskSizeGB: 0 }, "diskSizeGB", /from 1 to 16384/],
    ["owner id of the wrong shape", { ownerId: "workspace" }, "ownerId", /tea-/],
    ["missing owner id", { ownerId: undefined }, "ownerId", /pulumi config set render:ownerId/],
    ["typo in an argument", { plann: "basic_256mb" }, "plann", /not a RenderPostgres argument/],
  ];
  for (const [what, change, property, reason] of bad) {
    it(`refuses ${what}, naming ${property}`, () => {
      const { failures } = checkPostgresInputs({ ...seed, ...change });
      const failure = failures.find((f) => f.property === property);
      assert.ok(failure, `no failure for ${property}: ${JSON.stringify(failures)}`);
      assert.match(failure.reason, reason);
    });
  }

  it("passes values unknown during preview through unvalidated", () => {
    const { inputs, failures } = checkPostgresInputs({ ...seed, name: unknownSentinel });
    assert.deepEqual(failures, []);
    assert.equal(inputs.name, unknownSentinel);
  });

  it("recognises CIDR blocks", () => {
    for (const ok of ["0.0.0.0/0", "203.0.113.0/24", "::/0", "2001:db8::/32"]) assert.ok(isCidr(ok), ok);
    for (const no of ["", "1.2.3.4", "1.2.3.256/8", "1.2.3.4/", "01.2.3.4/8", "1.2.3/8", "a::b::c/64"])
      assert.ok(!isCidr(no), no);
  });

  it("treats Render's random suffix on databaseName as no drift", () => {
    assert.ok(databaseNameMatches("arrakis_production", "arrakis_production_bq3v"));
    assert.ok(!databaseNameMatches("arrakis_production", "arrakis_production_other"));
    assert.deepEqual(diffPostgres(checked(seed), live()), { changed: [], replaced: [] });
  });

  it("lists drifted mutable fields as changes and immutable ones as replacements", () => {
    const d = diffPostgres(
      checked(seed),
      live({
        plan: "pro_4gb",
        ipAllowList: [{ cidrBlock: "1.2.3.4/32", description: "" }],
        highAvailabilityEnabled: true,
        region: "ohio",
        version: "16",
        databaseUser: "someone",
      }),
    );
    assert.deepEqual(d.changed, ["plan", "ipAllowList", "highAvailability"]);
    // In the schema's order (components/postgres/schema.ts).
    assert.deepEqual(d.replaced, ["version", "region", "databaseUser"]);
  });

  describe("diff by the schema's metadata: `replaces` fields replace, other settings change in place", () => {
    // One live value different from the seed's, for each setting on Render (a new setting needs a row).
    const drifted: Record<string, Partial<LivePostgres>> = {
      name: { name: "arrakis-other-db" },
      ownerId: { owner: { id: "tea-d000000000000000000z", name: "other", type: "team" } },
      plan: { plan: "pro_4gb" },
      version: { version: "16" },
      region: { region: "ohio" },
      databaseName: { databaseName: "arrakis_other_bq3v" },
      databaseUser: { databaseUser: "someone" },
      ipAllowList: { ipAllowList: [] },
      highAvailability: { highAvailabilityEnabled: true },
      diskSizeGB: { diskSizeGB: 20 },
      diskAutoscaling: { diskAutoscalingEnabled: true },
      environmentId: { environmentId: "evm-bbbbbbbbbbbbbbbbbbbb" },
    };
    const desired = () =>
      checked({ ...seed, diskSizeGB: 15, diskAutoscaling: false, environmentId: "evm-aaaaaaaaaaaaaaaaaaaa" });
    const placed = (overrides: Partial<LivePostgres> = {}) =>
      live({ environmentId: "evm-aaaaaaaaaaaaaaaaaaaa", ...overrides });
    const settings = postgresFieldsWhere((m) => m.render === true);

    it("has a row for every setting on Render", () => {
      assert.deepEqual(Object.keys(drifted).sort(), [...settings].sort());
      assert.deepEqual(diffPostgres(desired(), placed()), { changed: [], replaced: [] });
    });
    for (const field of settings)
      it(`${field}: ${postgresImmutableFields.includes(field) ? "replaces the database" : "in place"}`, () => {
        const replaces = (postgresFields[field].meta() as PostgresFieldMeta | undefined)?.replaces === true;
        assert.deepEqual(
          diffPostgres(desired(), placed(drifted[field])),
          replaces ? { changed: [], replaced: [field] } : { changed: [field], replaced: [] },
        );
      });
    it("the immutable fields are exactly the schema's `replaces` ones", () => {
      assert.deepEqual(postgresImmutableFields, [
        "ownerId",
        "version",
        "region",
        "databaseName",
        "databaseUser",
      ]);
    });
  });

  it("fromPostgres fills the provider's options with the schema's defaults, or keeps the given ones", () => {
    const back = fromPostgres(live());
    for (const field of [
      "adoptExisting",
      "allowReplacement",
      "waitTimeoutSeconds",
      "pollIntervalSeconds",
    ] as const)
      assert.deepEqual(back[field], postgresFields[field].parse(undefined), field);
    assert.equal("adoptId" in back, false);
    const given = fromPostgres(live(), {
      waitTimeoutSeconds: 60,
      pollIntervalSeconds: 1,
      adoptId: "dpg-abc",
    });
    assert.equal(given.waitTimeoutSeconds, 60);
    assert.equal(given.pollIntervalSeconds, 1);
    assert.equal(given.adoptId, "dpg-abc");
  });

  it("ignores the order of the allow list", () => {
    const inputs = checked({ ...seed, ipAllowList: [{ source: "1.1.1.1/32" }, { source: "2.2.2.2/32" }] });
    const l = live({
      ipAllowList: [
        { cidrBlock: "2.2.2.2/32", description: "" },
        { cidrBlock: "1.1.1.1/32", description: "" },
      ],
    });
    assert.deepEqual(diffPostgres(inputs, l).changed, []);
  });

  it("builds the create body in API spelling and a PATCH of only what differs", () => {
    const body = toCreatePostgresBody(checked(seed));
    assert.equal(body.plan, "basic_256mb");
    assert.equal(body.enableHighAvailability, false);
    assert.equal(body.databaseUser, "arrakis_prod_user");
    assert.deepEqual(
      toPatchPostgresBody(checked(seed), live({ plan: "pro_4gb", highAvailabilityEnabled: true })),
      {
        plan: "basic_256mb",
        enableHighAvailability: false,
      },
    );
  });

  it("reads a live database back into inputs, keeping the unsuffixed name", () => {
    const back = fromPostgres(live(), { databaseName: "arrakis_production" });
    assert.equal(back.databaseName, "arrakis_production");
    assert.equal(fromPostgres(live()).databaseName, "arrakis_production_bq3v");
    assert.deepEqual(diffPostgres(back, live()), { changed: [], replaced: [] });
  });

  it("postgresAdoptionChanges: nothing for the seed's live database; else each setting, both sides", () => {
    const inputs = checked(seed);
    assert.deepEqual(postgresAdoptionChanges(inputs, live()), []);
    assert.deepEqual(
      postgresAdoptionChanges(
        inputs,
        live({ plan: "basic_1gb", ipAllowList: [{ cidrBlock: "10.0.0.0/8", description: "office" }] }),
      ),
      ['~ plan: "basic_1gb" => "basic_256mb"', "~ ipAllowList: [10.0.0.0/8] => [0.0.0.0/0]"],
    );
  });
});
