import { strict as assert } from "node:assert";
import { readAppVocabulary, usesVocabulary, type AppEntry } from "../../../components/blueprint/vocabulary";
import { blueprintKinds, kindOf, unmodeledKeys } from "../../../components/blueprint/kinds";

/** A reader over `key -> value` (structured values given as objects, read as JSON like Pulumi config). */
function reader(values: Record<string, unknown>) {
  return (key: string) => (key in values ? JSON.stringify(values[key]) : undefined);
}

function ok(values: Record<string, unknown>, secrets?: string[]) {
  const result = readAppVocabulary(reader(values), "shop", secrets);
  if (!result.ok) assert.fail(result.problems.join("\n"));
  return result.app;
}

function problems(values: Record<string, unknown>, secrets?: string[]): string[] {
  const result = readAppVocabulary(reader(values), "shop", secrets);
  assert.equal(result.ok, false, "expected problems");
  return result.ok ? [] : result.problems;
}

const web = {
  type: "web",
  name: "shop",
  runtime: "node",
  repo: "https://github.com/acme/shop.git",
  plan: "Standard",
  buildCommand: "npm ci",
  startCommand: "npm start",
};
const db = { name: "shop", plan: "basic-256mb", postgresMajorVersion: "16", user: "shop_user" };

describe("the app vocabulary (render.yaml's keys in stack config)", function () {
  it("reads a web service and a database of one name, a Key Value and links by name", function () {
    const app = ok(
      {
        services: [
          {
            ...web,
            importId: "srv-abc123",
            domains: ["Example.com", "www.example.com", "api.example.com"],
            envVars: [
              { key: "DATABASE_URL", fromDatabase: { name: "shop", property: "connectionString" } },
              { key: "DB_HOST", fromDatabase: { name: "shop", property: "host" } },
              {
                key: "REDIS_URL",
                fromService: { type: "keyvalue", name: "cache", property: "connectionString" },
              },
              { key: "REDIS_HOST", fromService: { type: "keyvalue", name: "cache", property: "host" } },
              { key: "REDIS_PORT", fromService: { type: "redis", name: "cache", property: "port" } },
              {
                key: "REDIS_HOSTPORT",
                fromService: { type: "keyvalue", name: "cache", property: "hostport" },
              },
              { key: "SELF", fromService: { type: "web", name: "shop", property: "hostport" } },
              { key: "SECRET_KEY_BASE", generateValue: true },
              { key: "STRIPE_KEY", sync: false },
              { key: "PORT", value: 3000 },
              { key: "DOCS", value: "x", displayName: "Docs", description: "documentation only" },
            ],
          },
        ],
        databases: [{ ...db, protect: false, extensions: ["vector"] }],
        keyValues: [{ name: "cache", plan: "starter", maxmemoryPolicy: "allkeys-lru", ipAllowList: [] }],
      },
      ["STRIPE_KEY"],
    );
    const byKind = Object.fromEntries(app.entries.map((e) => [e.kind, e])) as Record<string, AppEntry>;
    assert.deepEqual(
      app.entries.map((e) => [e.section, e.kind, e.name]),
      [
        ["services", "webService", "shop"],
        ["databases", "postgres", "shop"],
        ["keyValues", "keyValue", "cache"],
      ],
    );
    // The kinds' own spellings and normalisation: plan, `.git`, postgresMajorVersion -> version, user.
    assert.equal(byKind.webService!.args.plan, "standard");
    assert.equal(byKind.webService!.args.repo, "https://github.com/acme/shop");
    assert.equal(byKind.webService!.importId, "srv-abc123");
    assert.equal(byKind.webService!.type, "web");
    // Render adds the www sibling of an apex itself: only the first of the pair is the program's.
    assert.deepEqual(byKind.webService!.domains, ["example.com", "api.example.com"]);
    assert.deepEqual(byKind.postgres!.args, {
      name: "shop",
      plan: "basic_256mb",
      version: "16",
      databaseUser: "shop_user",
    });
    assert.equal(byKind.postgres!.protect, false);
    assert.deepEqual(byKind.postgres!.extensions, ["vector"]);
    assert.equal(byKind.keyValue!.args.maxmemoryPolicy, "allkeys_lru");
    assert.deepEqual(byKind.webService!.envVars, [
      { key: "DATABASE_URL", fromDatabase: { name: "shop", property: "connectionString" } },
      { key: "DB_HOST", fromDatabase: { name: "shop", property: "host" } },
      { key: "REDIS_URL", fromService: { type: "keyvalue", name: "cache", property: "connectionString" } },
      { key: "REDIS_HOST", fromService: { type: "keyvalue", name: "cache", property: "host" } },
      { key: "REDIS_PORT", fromService: { type: "redis", name: "cache", property: "port" } },
      { key: "REDIS_HOSTPORT", fromService: { type: "keyvalue", name: "cache", property: "hostport" } },
      { key: "SELF", fromService: { type: "web", name: "shop", property: "hostport" } },
      { key: "SECRET_KEY_BASE", generateValue: true },
      { key: "STRIPE_KEY", secretKey: "STRIPE_KEY" },
      { key: "PORT", value: "3000" },
      { key: "DOCS", value: "x" },
    ]);
    assert.deepEqual(app.secretKeys, ["STRIPE_KEY"]);
  });

  it("is used only when one of its keys is set", function () {
    assert.equal(usesVocabulary(reader({ database: {}, service: {} })), false);
    assert.equal(usesVocabulary(reader({ keyValues: [] })), true);
  });

  it("names every problem at once by its config path, before anything is built", function () {
    const found = problems(
      {
        services: [
          {
            ...web,
            plan: "huge",
            scaling: { minInstances: 1, maxInstances: 3 },
            domains: ["shop.example.com", "not a domain"],
            envVars: [
              { key: "A", fromDatabase: { name: "nope", property: "connectionString" } },
              { key: "B", fromDatabase: { name: "shop", property: "url" } },
              { key: "C", fromService: { type: "pserv", name: "shop", property: "host" } },
              { key: "D", fromService: { type: "keyvalue", name: "cache", envVarKey: "X" } },
              { key: "E", sync: false },
              { key: "F", value: "1", generateValue: true },
              { fromGroup: "shared" },
              { key: "1BAD", value: "x" },
            ],
          },
          { type: "job", name: "jobs" },
          { type: "web", name: "shop" },
        ],
        databases: [{ ...db, importId: "srv-wrong" }],
        keyValues: [{ name: "cache", plan: "starter" }],
      },
      [],
    );
    const expected = [
      'shop:services[0].plan: "huge" is not a Render web service plan',
      "shop:services[0].scaling: needs a target: targetCPUPercent and/or targetMemoryPercent",
      'shop:services[0].domains[1]: "not a domain" is not a domain name',
      'shop:services[0].envVars[1].fromDatabase.property: "url" is not a database property',
      "shop:services[0].envVars[5]: F: needs exactly one of value, generateValue, sync: false, fromDatabase, fromService (got value, generateValue)",
      'shop:services[0].envVars[7].key: "1BAD" is not a valid env var key',
      'shop:services[1].type: type "job" is not supported by this program yet; supported: "web", "worker", "pserv", "cron", "workflow"',
      'shop:services[2].name: "shop" is listed twice in services',
      'shop:databases[0].importId: must be the live postgres\'s id like "dpg-…"',
      'shop:services[0].envVars[0].fromDatabase.name: no database "nope" in shop:databases; listed: "shop"',
      'shop:services[0].envVars[2].fromService.type: service "shop" is of type "web", not "pserv"',
      "shop:services[0].envVars[3].fromService.envVarKey: a Key Value has no env vars; use property: connectionString, host, port or hostport",
      "shop:services[0].envVars[4]: sync: false needs its value in the stack's secrets; set it with `pulumi config set --secret --path shop:secrets.E <value>`",
      // envVars[6], fromGroup "shared" with no group listed: the workspace's group, looked up at preview.
    ];
    for (const line of expected)
      assert.ok(
        found.some((p) => p.startsWith(line)),
        `missing: ${line}\ngot:\n${found.join("\n")}`,
      );
    assert.equal(found.length, expected.length, found.join("\n"));
  });

  it("refuses a section that is not a list, and an entry without a name", function () {
    assert.deepEqual(problems({ services: { name: "x" }, databases: [{ plan: "free" }] }), [
      "shop:services: must be a list of entries (render.yaml's services)",
      "shop:databases[0].name: is required: the name on Render",
    ]);
  });

  it("says where a Key Value goes", function () {
    assert.deepEqual(problems({ services: [{ type: "keyvalue", name: "cache" }] }), [
      "shop:services[0].type: a Key Value is listed under keyValues (without type), not under services",
    ]);
  });

  it("reads env groups: their vars by key, sync: false from secrets, a key listed twice named", function () {
    const app = ok(
      {
        envVarGroups: [
          {
            name: "shared",
            envVars: [
              { key: "LOG_LEVEL", value: "info" },
              { key: "JWT_SECRET", generateValue: true },
              { key: "STRIPE_API_KEY", sync: false },
            ],
          },
        ],
        services: [{ ...web, envVars: [{ fromGroup: "shared" }] }],
      },
      ["STRIPE_API_KEY"],
    );
    const group = app.entries.find((e) => e.kind === "envGroup")!;
    assert.deepEqual(group.args, {
      name: "shared",
      envVars: { LOG_LEVEL: { value: "info" }, JWT_SECRET: { generateValue: true } },
    });
    assert.deepEqual(group.envVars, [{ key: "STRIPE_API_KEY", secretKey: "STRIPE_API_KEY" }]);
    assert.deepEqual(app.secretKeys, ["STRIPE_API_KEY"]);
    const found = problems(
      {
        envVarGroups: [
          {
            name: "g",
            envVars: [
              { key: "A", value: "1" },
              { key: "A", value: "2" },
              { key: "S", sync: false },
            ],
          },
        ],
      },
      [],
    );
    assert.ok(
      found.some((p) => p.startsWith("shop:envVarGroups[0].envVars[1].key: A is listed twice")),
      found.join("\n"),
    );
    assert.ok(
      found.some((p) => p.startsWith("shop:envVarGroups[0].envVars[2]: sync: false needs its value")),
      found.join("\n"),
    );
  });

  it("lists the keys of an entry its kind does not model, in any render.yaml spelling", function () {
    const entry = {
      ...web,
      env: "node",
      pullRequestPreviewsEnabled: "yes",
      scaling: { minInstances: 1, maxInstances: 2, targetCPUPercent: 60 },
      previewPlan: "starter",
      envVars: [],
      domains: ["a.example.com"],
      importId: "srv-x",
      disk: { name: "data", mountPath: "/data" },
    };
    const chosen = kindOf("services", entry);
    assert.ok("kind" in chosen && chosen.kind.kind === "webService");
    assert.deepEqual(unmodeledKeys(chosen.kind, entry), ["previewPlan"]);
    const postgres = blueprintKinds.find((k) => k.kind === "postgres")!;
    assert.deepEqual(
      unmodeledKeys(postgres, { ...db, highAvailability: { enabled: true }, readReplicas: [] }),
      ["readReplicas"],
    );
  });

  const disk = { name: "data", mountPath: "/var/data", sizeGB: 10 };
  const external = (type: string, envVarKey: string) => ({
    key: "LINKED",
    fromService: { type, name: "other", envVarKey },
  });
  for (const [what, other, link, expected] of [
    ["a disk on a web service", { ...web, name: "other", disk }, undefined, undefined],
    ["a disk on a worker", { ...web, type: "worker", name: "other", disk }, undefined, undefined],
    [
      "a disk on a cron job",
      { ...web, type: "cron", schedule: "0 3 * * *", name: "other", disk },
      undefined,
      /\.disk: is not a key/,
    ],
    [
      "a disk shrunk to 0",
      { ...web, name: "other", disk: { ...disk, sizeGB: 0 } },
      undefined,
      /\.disk\.sizeGB: must be a whole number/,
    ],
    [
      "a disk mounted at /",
      { ...web, name: "other", disk: { ...disk, mountPath: "/" } },
      undefined,
      /\.disk\.mountPath: must be an absolute path/,
    ],
    [
      "RENDER_EXTERNAL_URL of a web service",
      { ...web, name: "other" },
      external("web", "RENDER_EXTERNAL_URL"),
      undefined,
    ],
    [
      "RENDER_EXTERNAL_HOSTNAME of a web service",
      { ...web, name: "other" },
      external("web", "RENDER_EXTERNAL_HOSTNAME"),
      undefined,
    ],
    [
      "RENDER_EXTERNAL_URL of a worker",
      { ...web, type: "worker", name: "other" },
      external("worker", "RENDER_EXTERNAL_URL"),
      /envVarKey: Render sets RENDER_EXTERNAL_URL on a web service or static site only/,
    ],
  ] as const)
    it(`reads ${what}${expected ? ": refused, naming the key" : ""}`, function () {
      const values = {
        services: [{ ...web, envVars: link ? [link] : [] }, other],
      };
      if (!expected) {
        const app = ok(values);
        if ("disk" in other) assert.deepEqual(app.entries[1]!.disk, disk);
        return;
      }
      assert.match(problems(values).join("\n"), expected);
    });

  it("reads a web service linking its own RENDER_EXTERNAL_HOSTNAME; refuses it on a worker", () => {
    const self = { ...web, name: "other", envVars: [external("web", "RENDER_EXTERNAL_HOSTNAME")] };
    const app = ok({ services: [self] });
    assert.deepEqual(app.entries[0]!.envVars, [self.envVars[0]]);
    const worker = { ...self, type: "worker", envVars: [external("worker", "RENDER_EXTERNAL_HOSTNAME")] };
    assert.match(
      problems({ services: [worker] }).join("\n"),
      /services\[0\]\.envVars\[0\]\.fromService\.envVarKey: Render sets RENDER_EXTERNAL_HOSTNAME on a web service or static site only/,
    );
  });
});
