/**
 * Blueprint -> stack config: the seed's render.yaml gives the production stack's config, every
 * supported field lands where the program reads it, and every unsupported one is a located loss.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { monthlyCost, readStackConfig } from "../../app/stackConfig";
import type { Postgres, Service } from "../../components/render/schemas";
import {
  convertBlueprint,
  type ConvertOptions,
  type Conversion,
  type LiveResources,
} from "../../tools/blueprint/convert";
import { readBlueprint, type Blueprint } from "../../tools/blueprint/validate";

const fixtures = path.join(__dirname, "fixtures");
const repoRoot = path.resolve(__dirname, "..", "..");

function blueprint(text: string): Blueprint {
  const result = readBlueprint(text);
  assert.ok(result.ok, JSON.stringify(result.ok ? [] : result.problems));
  return result.blueprint;
}

function fixture(name: string): Blueprint {
  return blueprint(fs.readFileSync(path.join(fixtures, name), "utf8"));
}

function convert(text: string, options: ConvertOptions = {}, live: LiveResources = {}): Conversion {
  return convertBlueprint(blueprint(text), { ownerId: "tea-test", ...options }, live);
}

/** Runs the program's own config reader on a conversion (secrets present as placeholders). */
function programReads(config: Record<string, unknown>) {
  return readStackConfig((ns, key) => {
    if (`${ns}:${key}` === "render:apiKey" || `${ns}:${key}` === "arrakis:openaiApiKey") return "placeholder";
    const value = config[`${ns}:${key}`];
    if (value === undefined) return undefined;
    return typeof value === "string" ? value : JSON.stringify(value);
  });
}

/** A minimal Blueprint the program fully models; cases below add one field to it. */
function base(extra: { service?: string[]; database?: string[]; root?: string[] } = {}): string {
  return [
    ...(extra.root ?? []),
    "databases:",
    "  - name: db",
    '    postgresMajorVersion: "17"',
    ...(extra.database ?? []).map((l) => `    ${l}`),
    "services:",
    "  - type: web",
    "    name: app",
    "    runtime: node",
    "    repo: https://github.com/example/app",
    "    buildCommand: npm ci",
    "    startCommand: npm start",
    ...(extra.service ?? []).map((l) => `    ${l}`),
  ].join("\n");
}

describe("blueprint: conversion", () => {
  it("the seed's render.yaml gives the production stack's owner, budget, database and service (Pulumi.prod.yaml)", () => {
    const prod = parse(fs.readFileSync(path.join(repoRoot, "Pulumi.prod.yaml"), "utf8")) as {
      config: Record<string, unknown>;
    };
    const result = convertBlueprint(fixture("seed.render.yaml"), {
      ownerId: "tea-d303qfodl3ps739p3e60",
      extensions: ["vector"],
      monthlyBudgetUsd: 12,
    });
    assert.deepEqual(result.errors, []);
    assert.deepEqual(result.losses, []);
    // Pulumi.prod.yaml has more keys (deploy settings, made by hand); every key the import writes matches it.
    assert.deepEqual(Object.keys(result.config).sort(), [
      "arrakis:database",
      "arrakis:monthlyBudgetUsd",
      "arrakis:service",
      "render:ownerId",
    ]);
    // One service key is added by hand: preDeployCommand (migrations the Render way, issue 16), which
    // the seed's Blueprint does not have.
    const { preDeployCommand, ...prodService } = prod.config["arrakis:service"] as Record<string, unknown>;
    assert.equal(preDeployCommand, "npm run db:deploy");
    const byHand: Record<string, unknown> = { ...prod.config, "arrakis:service": prodService };
    for (const [key, value] of Object.entries(result.config)) assert.deepEqual(value, byHand[key], key);
    assert.deepEqual(result.notes, [
      "the program also sets OPENAI_API_KEY (the secret arrakis:openaiApiKey), which the Blueprint does not",
    ]);
    const config = programReads(result.config);
    assert.equal(monthlyCost(config).totalUsd > 0, true);
  });

  it("maps every supported field, with no loss, into config the program reads", () => {
    const result = convertBlueprint(fixture("all-supported.render.yaml"), { ownerId: "tea-test" });
    assert.deepEqual(result.errors, []);
    assert.deepEqual(result.losses, []);
    assert.deepEqual(result.config, {
      "render:ownerId": "tea-test",
      "arrakis:database": {
        name: "shop-db",
        plan: "pro-4gb",
        version: "16",
        region: "frankfurt",
        databaseName: "shop",
        databaseUser: "shop_user",
        ipAllowList: [
          { cidrBlock: "203.0.113.0/24", description: "office" },
          { cidrBlock: "198.51.100.7/32", description: "" },
        ],
        highAvailability: true,
        diskSizeGB: 20,
        extensions: [],
        protect: true,
      },
      "arrakis:service": {
        name: "shop",
        plan: "pro_plus",
        region: "frankfurt",
        runtime: "node",
        repo: "https://github.com/example/shop",
        branch: "release",
        rootDir: "apps/web",
        autoDeploy: true,
        buildCommand: "npm ci && npm run build",
        startCommand: "npm start",
        preDeployCommand: "npm run migrate",
        healthCheckPath: "/healthz",
        numInstances: 3,
        pullRequestPreviews: true,
        // Numbers and booleans keep their source text: 1.50 stays "1.50".
        env: { PORT: "10000", FEATURE_SEARCH: "true", RATIO: "1.50", LOG_LEVEL: "debug" },
      },
    });
    const config = programReads(result.config);
    assert.equal(config.service.numInstances, 3);
    assert.equal(config.database.highAvailability, true);
    assert.ok(
      result.notes.some((n) => /198\.51\.100\.7 is a single address: wrote 198\.51\.100\.7\/32/.test(n)),
    );
  });

  it("converts storageAutoscalingEnabled to diskAutoscaling, and leaves it out when absent", () => {
    for (const value of [true, false]) {
      const result = convert(base({ database: [`storageAutoscalingEnabled: ${value}`] }));
      assert.deepEqual(result.losses, []);
      assert.equal((result.config["arrakis:database"] as Record<string, unknown>).diskAutoscaling, value);
      assert.equal(programReads(result.config).database.diskAutoscaling, value);
    }
    const absent = convert(base());
    assert.equal("diskAutoscaling" in (absent.config["arrakis:database"] as Record<string, unknown>), false);
  });

  it("accepts the deprecated spellings env, autoDeploy and pullRequestPreviewsEnabled", () => {
    const result = convert(
      base({ service: ["env: python", "autoDeploy: true", "pullRequestPreviewsEnabled: true"] }).replace(
        "    runtime: node\n",
        "",
      ),
    );
    assert.deepEqual(result.losses, []);
    const svc = result.config["arrakis:service"] as Record<string, unknown>;
    assert.equal(svc.runtime, "python");
    assert.equal(svc.autoDeploy, true);
    assert.equal(svc.pullRequestPreviews, true);
  });

  it("lists everything unsupported of a Blueprint, field by field, with lines", () => {
    const result = convertBlueprint(fixture("unsupported.render.yaml"), { ownerId: "tea-test" });
    assert.deepEqual(result.errors, []);
    assert.deepEqual(
      result.losses.map((l) => `${l.line} ${l.path}`),
      [
        "3 previews.generation",
        "4 previews.expireAfterDays",
        "6 envVarGroups[0]",
        "13 projects[0].environments[0]",
        "14 projects[0].environments[0].networking",
        "17 projects[0].environments[0].services[0]",
        "26 databases[0].previewPlan",
        "27 databases[0].previewDiskSizeGB",
        "28 databases[0].readReplicas",
        "31 databases[1]",
        "40 services[0].autoDeployTrigger",
        "41 services[0].domains",
        "43 services[0].disk",
        "46 services[0].scaling",
        "50 services[0].maxShutdownDelaySeconds",
        "51 services[0].buildFilter",
        "54 services[0].previewPlan",
        "56 services[0].previews.generation",
        "57 services[0].previews.numInstances",
        "58 services[0].previews.plan",
        "60 services[0].envVars[0].fromGroup",
        "61 services[0].envVars[1]",
        "65 services[0].envVars[2]",
        "67 services[0].envVars[3]",
        "69 services[0].envVars[4]",
        "71 services[0].envVars[5]",
        "73 services[0].envVars[6]",
        "77 services[0].envVars[7]",
        "84 services[0].envVars[8].previewValue",
        "85 services[0].envVars[9]",
        "87 services[1]",
        "92 services[2]",
        "98 services[3]",
        "102 services[4]",
        "115 services[5]",
        "119 services[6]",
        "124 services[7]",
      ],
    );
    // The supported rest is still converted (for --accept-loss).
    const svc = result.config["arrakis:service"] as Record<string, unknown>;
    assert.deepEqual(svc.env, { BANNER: "hello" });
    assert.equal(svc.autoDeploy, false);
  });

  const unsupportedCases: Array<{
    what: string;
    extra: Parameters<typeof base>[0];
    path: string;
    message: RegExp;
  }> = [
    {
      what: "custom domains",
      extra: { service: ["domains: [example.com]"] },
      path: "services[0].domains",
      message: /custom domains.*example\.com/,
    },
    {
      what: "a disk",
      extra: { service: ["disk: {name: d, mountPath: /d}"] },
      path: "services[0].disk",
      message: /persistent disks/,
    },
    {
      what: "autoscaling",
      extra: { service: ["scaling: {minInstances: 1, maxInstances: 2, targetCPUPercent: 50}"] },
      path: "services[0].scaling",
      message: /autoscaling/,
    },
    {
      what: "a shutdown delay",
      extra: { service: ["maxShutdownDelaySeconds: 90"] },
      path: "services[0].maxShutdownDelaySeconds",
      message: /not modeled/,
    },
    {
      what: "a build filter",
      extra: { service: ["buildFilter: {paths: [src/**]}"] },
      path: "services[0].buildFilter",
      message: /build filters/,
    },
    {
      what: "a preview plan",
      extra: { service: ["previewPlan: starter"] },
      path: "services[0].previewPlan",
      message: /preview/,
    },
    {
      what: "manual PR previews",
      extra: { service: ["previews: {generation: manual}"] },
      path: "services[0].previews.generation",
      message: /manual pull request previews/,
    },
    {
      what: "checksPass deploys",
      extra: { service: ["autoDeployTrigger: checksPass"] },
      path: "services[0].autoDeployTrigger",
      message: /checksPass/,
    },
    {
      what: "an env group link",
      extra: { service: ["envVars: [{fromGroup: g}]"] },
      path: "services[0].envVars[0].fromGroup",
      message: /environment groups/,
    },
    {
      what: "another generated value",
      extra: { service: ["envVars: [{key: K, generateValue: true}]"] },
      path: "services[0].envVars[0]",
      message: /K: generateValue/,
    },
    {
      what: "another sync: false value",
      extra: { service: ["envVars: [{key: K, sync: false}]"] },
      path: "services[0].envVars[0]",
      message: /K \(sync: false\)/,
    },
    {
      what: "another database link",
      extra: { service: ["envVars: [{key: PGHOST, fromDatabase: {name: db, property: host}}]"] },
      path: "services[0].envVars[0]",
      message: /PGHOST: fromDatabase/,
    },
    {
      what: "a service link",
      extra: { service: ["envVars: [{key: K, fromService: {name: x, type: pserv, envVarKey: Y}}]"] },
      path: "services[0].envVars[0]",
      message: /fromService/,
    },
    {
      what: "a preview value",
      extra: { service: ["envVars: [{key: K, value: a, previewValue: b}]"] },
      path: "services[0].envVars[0].previewValue",
      message: /preview/,
    },
    {
      what: "a wired key with another source",
      extra: { service: ["envVars: [{key: NODE_ENV, value: staging}]"] },
      path: "services[0].envVars[0]",
      message: /NODE_ENV: the program always sets it/,
    },
    {
      what: "a link to another database",
      extra: {
        service: ["envVars: [{key: DATABASE_URL, fromDatabase: {name: other, property: connectionString}}]"],
      },
      path: "services[0].envVars[0]",
      message: /DATABASE_URL/,
    },
    {
      what: "read replicas",
      extra: { database: ["readReplicas: [{name: r}]"] },
      path: "databases[0].readReplicas",
      message: /read replicas.*r would/,
    },
    {
      what: "a database preview plan",
      extra: { database: ["previewPlan: basic-256mb"] },
      path: "databases[0].previewPlan",
      message: /preview/,
    },
    {
      what: "a database preview disk",
      extra: { database: ["previewDiskSizeGB: 5"] },
      path: "databases[0].previewDiskSizeGB",
      message: /preview/,
    },
    {
      what: "an env group",
      extra: { root: ["envVarGroups: [{name: g, envVars: [{key: A, value: b}]}]"] },
      path: "envVarGroups[0]",
      message: /environment group "g"/,
    },
    {
      what: "preview environments",
      extra: { root: ["previews: {generation: automatic}"] },
      path: "previews.generation",
      message: /preview environments/,
    },
    {
      what: "previewsEnabled",
      extra: { root: ["previewsEnabled: true"] },
      path: "previewsEnabled",
      message: /preview environments/,
    },
    {
      what: "a second database",
      extra: { root: ["ungrouped: {databases: [{name: other}]}"] },
      path: "ungrouped.databases[0]",
      message: /one database per stack/,
    },
    {
      what: "a worker",
      extra: {
        root: [
          "ungrouped: {services: [{type: worker, name: w, runtime: node, buildCommand: a, startCommand: b}]}",
        ],
      },
      path: "ungrouped.services[0]",
      message: /background workers/,
    },
  ];
  for (const c of unsupportedCases) {
    it(`reports ${c.what} as exactly one loss`, () => {
      const result = convert(base(c.extra));
      assert.deepEqual(result.errors, []);
      assert.equal(result.losses.length, 1, JSON.stringify(result.losses));
      assert.equal(result.losses[0].path, c.path);
      assert.match(result.losses[0].message, c.message);
      assert.equal(typeof result.losses[0].line, "number");
    });
  }

  it("fills what a Blueprint leaves out with Render's defaults, and says so", () => {
    const result = convert(
      [
        "databases:",
        "  - name: db",
        "services:",
        "  - type: web",
        "    name: app",
        "    runtime: node",
        "    repo: https://github.com/example/app",
        "    buildCommand: npm ci",
        "    startCommand: npm start",
      ].join("\n"),
    );
    assert.deepEqual(result.losses, []);
    const db = result.config["arrakis:database"] as Record<string, unknown>;
    const svc = result.config["arrakis:service"] as Record<string, unknown>;
    assert.equal(db.plan, "basic-256mb");
    assert.equal(db.version, "17");
    assert.equal(db.region, "oregon");
    // A Blueprint without an allow list opens the database to all; the program's default is private-only.
    assert.deepEqual(db.ipAllowList, [{ cidrBlock: "0.0.0.0/0", description: "everywhere" }]);
    assert.equal(svc.plan, "starter");
    assert.equal(svc.autoDeploy, true);
    assert.equal(svc.healthCheckPath, "");
    assert.equal("numInstances" in svc, false);
    for (const pattern of [
      /plan is not set/,
      /postgresMajorVersion is not set/,
      /ipAllowList is not set/,
      /autoDeployTrigger is not set/,
    ])
      assert.ok(
        result.notes.some((n) => pattern.test(n)),
        `no note matching ${pattern}`,
      );
  });

  it("chooses the service and database, by flag or by link", () => {
    const text = [
      "databases:",
      "  - name: first-db",
      "  - name: linked-db",
      "services:",
      "  - type: worker",
      "    name: w",
      "    runtime: node",
      "    buildCommand: a",
      "    startCommand: b",
      "  - type: web",
      "    name: web-a",
      "    runtime: node",
      "    repo: https://github.com/example/a",
      "    buildCommand: a",
      "    startCommand: b",
      "    envVars: [{key: DATABASE_URL, fromDatabase: {name: linked-db, property: connectionString}}]",
      "  - type: web",
      "    name: web-b",
      "    runtime: node",
      "    repo: https://github.com/example/b",
      "    buildCommand: a",
      "    startCommand: b",
    ].join("\n");
    const byDefault = convert(text);
    assert.equal(byDefault.chosen.service?.value.name, "web-a");
    assert.equal(byDefault.chosen.database?.value.name, "linked-db");
    const byFlag = convert(text, { serviceName: "web-b", databaseName: "first-db" });
    assert.equal(byFlag.chosen.service?.value.name, "web-b");
    assert.equal(byFlag.chosen.database?.value.name, "first-db");
    assert.ok(
      byFlag.losses.some((l) => l.path === "services[1]" && /one web service per stack/.test(l.message)),
    );
    assert.match(convert(text, { serviceName: "w" }).errors[0].message, /background workers/);
    assert.match(convert(text, { serviceName: "nope" }).errors[0].message, /no service named "nope"/);
    assert.match(convert(text, { databaseName: "nope" }).errors[0].message, /no database named "nope"/);
  });

  it("refuses a Blueprint without a database or without a web service the program can run", () => {
    assert.match(
      convert(base().replace(/databases:\n {2}- name: db\n {4}postgresMajorVersion: "17"\n/, "")).errors[0]
        .message,
      /declares no database/,
    );
    const docker = "databases:\n  - name: db\nservices:\n  - type: web\n    name: p\n    runtime: docker\n";
    assert.match(convert(docker).errors[0].message, /no web service the program can manage/);
    assert.deepEqual(convert(docker).config, {});
  });

  it("needs a repository when the Blueprint relies on the one holding render.yaml", () => {
    const text = base().replace("    repo: https://github.com/example/app\n", "");
    const result = convert(text);
    assert.equal(result.errors[0].path, "services[0].repo");
    assert.match(result.errors[0].message, /--repo/);
    const given = convert(text, { repo: "https://github.com/example/given.git" });
    assert.deepEqual(given.errors, []);
    assert.equal(
      (given.config["arrakis:service"] as { repo: string }).repo,
      "https://github.com/example/given",
    );
  });

  it("refuses values the program's own checks refuse", () => {
    const result = convert(base({ database: ["databaseName: Shop-DB"] }));
    assert.equal(result.errors.length, 1);
    assert.match(result.errors[0].path, /^databases\[0\] \(arrakis:database\.databaseName\)$/);
    assert.match(result.errors[0].message, /the program would refuse it: must be lowercase/);
    assert.deepEqual(result.config, {});
  });

  it("never copies a secret: sync: false and a clear-text OPENAI_API_KEY become a secret command, not config", () => {
    const result = convert(
      base({ service: ["envVars: [{key: OPENAI_API_KEY, value: sk-live-0123456789}]"] }),
      { stack: "prod" },
    );
    const { chosen: _blueprintItself, ...output } = result;
    assert.ok(!JSON.stringify(output).includes("sk-live-0123456789"));
    assert.equal(result.losses.length, 1);
    assert.match(
      result.losses[0].message,
      /OPENAI_API_KEY: the program always sets it to the secret arrakis:openaiApiKey/,
    );
    assert.deepEqual(result.secretCommands, [
      "pulumi config set --secret render:apiKey <Render API key> --stack prod",
      "pulumi config set --secret arrakis:openaiApiKey <OpenAI API key> --stack prod",
    ]);
  });

  describe("with the live resources", () => {
    const liveDb: Postgres = {
      id: "dpg-live00000000000000000-a",
      name: "db",
      owner: { id: "tea-live", name: "w", type: "team" },
      plan: "basic_1gb",
      region: "ohio",
      version: "17",
      status: "available",
      databaseName: "db_x1y2",
      databaseUser: "db_user",
      ipAllowList: [{ cidrBlock: "10.0.0.0/8", description: "vpn" }],
      createdAt: "2025-01-01T00:00:00Z",
      updatedAt: "2025-01-01T00:00:00Z",
    };
    const liveSvc: Service = {
      id: "srv-live0000000000000000",
      name: "app",
      ownerId: "tea-live",
      type: "web_service",
      suspended: "not_suspended",
      autoDeploy: "no",
      repo: "https://github.com/example/app",
      branch: "main",
      rootDir: "",
      serviceDetails: {
        runtime: "node",
        plan: "standard",
        region: "ohio",
        numInstances: 2,
        healthCheckPath: "/up",
        url: "https://app-x1y2.onrender.com",
        envSpecificDetails: { buildCommand: "npm ci", startCommand: "npm start" },
      },
      createdAt: "2025-01-01T00:00:00Z",
      updatedAt: "2025-01-01T00:00:00Z",
    };
    const live: LiveResources = {
      ownerId: "tea-live",
      database: liveDb,
      service: liveSvc,
      serviceEnvVarKeys: ["DATABASE_URL", "NEXTAUTH_URL", "MANUAL_FLAG"],
    };
    const text = [
      "databases:",
      "  - name: db",
      "services:",
      "  - type: web",
      "    name: app",
      "    runtime: node",
      "    buildCommand: npm ci",
      "    startCommand: npm start",
      "    envVars:",
      "      - key: NEXTAUTH_URL",
      "        value: https://app-x1y2.onrender.com",
    ].join("\n");

    it("writes the ids to adopt and takes what the Blueprint omits from the live resources", () => {
      const result = convertBlueprint(blueprint(text), {}, live);
      assert.deepEqual(result.errors, []);
      assert.equal(result.config["render:ownerId"], "tea-live");
      const db = result.config["arrakis:database"] as Record<string, unknown>;
      const svc = result.config["arrakis:service"] as Record<string, unknown>;
      // Adopted by name: Pulumi's import option fails for dynamic resources (pulumi/pulumi#16175).
      assert.equal(db.adoptExisting, true);
      assert.equal(svc.adoptExisting, true);
      assert.equal("importId" in db || "importId" in svc, false);
      assert.equal(db.plan, "basic-1gb");
      assert.equal(db.region, "ohio");
      assert.deepEqual(db.ipAllowList, [{ cidrBlock: "10.0.0.0/8", description: "vpn" }]);
      assert.equal(svc.plan, "standard");
      assert.equal(svc.region, "ohio");
      assert.equal(svc.repo, "https://github.com/example/app");
      assert.equal(svc.branch, "main");
      assert.equal(svc.autoDeploy, false);
      assert.equal(svc.healthCheckPath, "/up");
      assert.equal(svc.numInstances, 2);
      // NEXTAUTH_URL equal to the live service URL is the app's own wiring: no loss for it.
      assert.deepEqual(
        result.losses.map((l) => l.message),
        [
          "env var MANUAL_FLAG is set on Render but not in the Blueprint: the program manages the whole set, so pulumi up would delete it",
        ],
      );
      assert.deepEqual(
        result.notes.filter((n) => n.startsWith("live")),
        [],
        "nothing differs from live when the Blueprint leaves it to live",
      );
    });

    it("writes the live ids as importId when asked to", () => {
      const result = convertBlueprint(blueprint(text), { adoptWith: "importId" }, live);
      const db = result.config["arrakis:database"] as Record<string, unknown>;
      const svc = result.config["arrakis:service"] as Record<string, unknown>;
      assert.equal(db.importId, liveDb.id);
      assert.equal(svc.importId, liveSvc.id);
      assert.equal("adoptExisting" in db || "adoptExisting" in svc, false);
    });

    it("says which live settings the Blueprint would change, and which cannot change in place", () => {
      const result = convertBlueprint(
        blueprint(
          text
            .replace("  - name: db\n", "  - name: db\n    region: oregon\n    plan: basic-256mb\n")
            .replace("    runtime: node\n", "    runtime: node\n    plan: starter\n"),
        ),
        {},
        live,
      );
      const liveNotes = result.notes.filter((n) => n.startsWith("live"));
      assert.ok(
        liveNotes.some((n) =>
          /live database dpg-.*: region is "ohio" on Render but "oregon" in the Blueprint; it cannot change in place/.test(
            n,
          ),
        ),
        liveNotes.join("\n"),
      );
      assert.ok(
        liveNotes.some((n) =>
          /live database dpg-.*: plan differs \(Render "basic_1gb", Blueprint "basic_256mb"\)/.test(n),
        ),
        liveNotes.join("\n"),
      );
      assert.ok(
        liveNotes.some((n) => /live service srv-.*: plan differs/.test(n)),
        liveNotes.join("\n"),
      );
    });
  });
});
