/**
 * The program for any app (app/program.ts) under setMocks: a stack in render.yaml's vocabulary becomes
 * one resource per entry, named by its render.yaml name, with links by name resolved to the linked
 * resources (ids, never values). Secretness of provider outputs needs the real engine (tests/engine).
 */
import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import * as pulumi from "@pulumi/pulumi";
import { readAppStackConfig, enforceAppBudget } from "../../app/appConfig";
import { StackConfigError } from "../../app/stackConfig";

/** The marker of a secret value in registered inputs. */
const secretSig = "4dabf18193072939515e22adb298388d";

interface Registered {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}

/** A Render one-click template's shape: a web service and its database of one name, a cache, links. */
const shop = {
  "render:apiKey": "rnd_test_key",
  "render:ownerId": "tea-d303qfodl3ps739p3e60",
  "shop:services": JSON.stringify([
    {
      type: "web",
      name: "shop",
      runtime: "node",
      repo: "https://github.com/acme/shop",
      buildCommand: "npm ci",
      startCommand: "npm start",
      envVars: [
        { key: "DATABASE_URL", fromDatabase: { name: "shop", property: "connectionString" } },
        { key: "PGUSER", fromDatabase: { name: "shop", property: "user" } },
        { key: "REDIS_URL", fromService: { type: "keyvalue", name: "cache", property: "connectionString" } },
        { key: "SECRET_KEY_BASE", generateValue: true },
        { key: "STRIPE_KEY", sync: false },
        { key: "RAILS_ENV", value: "production" },
        { fromGroup: "shared" },
        // Render sets these itself; admin is listed later, so the program builds it first.
        {
          key: "ADMIN_HOST",
          fromService: { type: "web", name: "admin", envVarKey: "RENDER_EXTERNAL_HOSTNAME" },
        },
        // Its own URL and host name (documenso's NEXTAUTH_URL, langfuse's own hostname).
        { key: "APP_URL", fromService: { type: "web", name: "shop", envVarKey: "RENDER_EXTERNAL_URL" } },
        {
          key: "APP_HOST",
          fromService: { type: "web", name: "shop", envVarKey: "RENDER_EXTERNAL_HOSTNAME" },
        },
      ],
      disk: { name: "uploads", mountPath: "/var/data", sizeGB: 5 },
    },
    {
      type: "web",
      name: "admin",
      runtime: "python",
      plan: "Standard",
      repo: "https://github.com/acme/admin",
      buildCommand: "pip install -r requirements.txt",
      startCommand: "gunicorn app:app",
      envVars: [
        { key: "SHOP_HOSTPORT", fromService: { type: "web", name: "shop", property: "hostport" } },
        { key: "SHOP_ENV", fromService: { type: "web", name: "shop", envVarKey: "RAILS_ENV" } },
        { key: "SHOP_DB", fromService: { type: "web", name: "shop", envVarKey: "DATABASE_URL" } },
        { key: "DOCS_URL", fromService: { type: "web", name: "docs", envVarKey: "RENDER_EXTERNAL_URL" } },
        // No group of the stack: the workspace's group of that name (ToolJet's tooljet-preview-env).
        { fromGroup: "team-wide" },
      ],
    },
    {
      type: "web",
      name: "docs",
      runtime: "static",
      repo: "https://github.com/acme/docs",
      buildCommand: "npm run build",
      staticPublishPath: "./dist",
      domains: ["docs.acme.dev"],
      routes: [{ type: "rewrite", source: "/*", destination: "/index.html" }],
      // Read by its build: the same sources and links as a service's.
      envVars: [
        { key: "NODE_VERSION", value: 20 },
        { key: "SEARCH_KEY", sync: false },
        { key: "BUILD_SALT", generateValue: true },
        { key: "DOCS_DB", fromDatabase: { name: "shop", property: "database" } },
        { key: "SHOP_ENV", fromService: { type: "web", name: "shop", envVarKey: "RAILS_ENV" } },
        {
          key: "SITE_HOST",
          fromService: { type: "web", name: "docs", envVarKey: "RENDER_EXTERNAL_HOSTNAME" },
        },
        { fromGroup: "shared" },
      ],
    },
    {
      type: "worker",
      name: "jobs",
      runtime: "node",
      repo: "https://github.com/acme/shop",
      buildCommand: "npm ci",
      startCommand: "npm run jobs",
      envVars: [
        { key: "DATABASE_URL", fromDatabase: { name: "shop", property: "connectionString" } },
        // shop's var that links shop's own URL (twenty's worker): built after shop, from its url.
        { key: "SHOP_URL", fromService: { type: "web", name: "shop", envVarKey: "APP_URL" } },
      ],
    },
    {
      type: "pserv",
      name: "search",
      runtime: "node",
      repo: "https://github.com/acme/search",
      buildCommand: "npm ci",
      startCommand: "npm start",
      envVars: [{ key: "DOCS_SALT", fromService: { type: "web", name: "docs", envVarKey: "BUILD_SALT" } }],
    },
    {
      type: "cron",
      name: "nightly",
      runtime: "node",
      schedule: "0 3 * * *",
      repo: "https://github.com/acme/shop",
      buildCommand: "npm ci",
      startCommand: "npm run nightly",
      envVars: [{ key: "SEARCH", fromService: { type: "pserv", name: "search", property: "hostport" } }],
    },
  ]),
  "shop:envVarGroups": JSON.stringify([
    {
      name: "shared",
      envVars: [
        { key: "LOG_LEVEL", value: "info" },
        { key: "SENTRY_DSN", sync: false },
      ],
    },
  ]),
  "shop:databases": JSON.stringify([
    { name: "shop", plan: "basic-256mb", postgresMajorVersion: "16", extensions: ["vector"] },
  ]),
  "shop:keyValues": JSON.stringify([{ name: "cache", plan: "starter", maxmemoryPolicy: "allkeys-lru" }]),
  "shop:secrets": JSON.stringify({
    STRIPE_KEY: "sk_live_not_real",
    SENTRY_DSN: "https://dsn.example",
    SEARCH_KEY: "search_not_real",
  }),
};
const read = (values: Record<string, string>) => (ns: string, key: string) => values[`${ns}:${key}`];

async function resolved<T>(o: pulumi.Input<T>): Promise<{ value: T; secret: boolean }> {
  const out = pulumi.output(o) as unknown as { promise(): Promise<T>; isSecret: Promise<boolean> };
  return { value: await out.promise(), secret: await out.isSecret };
}

describe("the program for any app (setMocks)", function () {
  const registered: Registered[] = [];
  let app: import("../../app/program").RenderBlueprintApp;

  before(async function () {
    this.timeout(60_000);
    pulumi.runtime.setAllConfig(shop, ["render:apiKey", "shop:secrets"]);
    await pulumi.runtime.setMocks(
      {
        newResource(args) {
          registered.push({ type: args.type, name: args.name, inputs: args.inputs });
          const outs: Record<string, unknown> = { ...args.inputs };
          if (args.type.endsWith(":StaticSite")) {
            outs.url = `https://${args.name}.onrender.com`;
            outs.generatedValues = {};
          }
          if (args.type.endsWith(":WebService")) {
            outs.url = `https://${args.name}.onrender.com`;
            outs.generatedValues = {};
          }
          return { id: `${args.type.split(":").pop()}-${args.name}-id`, state: outs };
        },
        call: () => ({}),
      },
      "shop",
      "dev",
      true,
    );
    const { RenderBlueprintApp } = require("../../app/program") as typeof import("../../app/program");
    const config = readAppStackConfig(read(shop), "shop");
    app = new RenderBlueprintApp("shop", {
      app: config.app,
      secrets: pulumi.secret({
        STRIPE_KEY: "sk_live_not_real",
        SENTRY_DSN: "https://dsn.example",
        SEARCH_KEY: "search_not_real",
      }),
      configNames: { program: "the shop app", namespace: "shop" },
      deploy: config.deploy,
    });
    await resolved(app.services.get("admin")!.id);
  });

  const one = (type: string, name: string) => {
    const found = registered.filter((r) => r.type.endsWith(`:${type}`) && r.name === name);
    assert.equal(
      found.length,
      1,
      `${type} ${name}: ${registered.map((r) => `${r.type} ${r.name}`).join(", ")}`,
    );
    return found[0]!;
  };

  it("builds one resource per entry, named by its render.yaml name, in one component", function () {
    assert.deepEqual(
      registered.map((r) => `${r.type.replace("pulumi-nodejs:dynamic/render:", "")} ${r.name}`).sort(),
      [
        "BackgroundWorker jobs",
        "CronJob nightly",
        "CustomDomain docs-docs.acme.dev",
        "Deploy admin-deploy",
        "Deploy shop-deploy",
        "Disk shop-uploads",
        "EnvGroup shared",
        "EnvGroupLink admin-team-wide",
        "EnvGroupLink docs-shared",
        "EnvGroupLink shop-shared",
        "KeyValue cache",
        "Postgres shop",
        "PostgresExtension shop-vector",
        "PrivateService search",
        "StaticSite docs",
        "WebService admin",
        "WebService shop",
        "arrakis:render:Blueprint shop",
      ],
    );
    // The kinds' own spellings reach the resources.
    assert.equal(one("Postgres", "shop").inputs.plan, "basic_256mb");
    assert.equal(one("Postgres", "shop").inputs.version, "16");
    assert.equal(one("KeyValue", "cache").inputs.maxmemoryPolicy, "allkeys_lru");
    assert.equal(one("WebService", "admin").inputs.plan, "standard");
    assert.equal(one("StaticSite", "docs").inputs.publishPath, "./dist");
    assert.deepEqual(one("CustomDomain", "docs-docs.acme.dev").inputs.serviceId, "StaticSite-docs-id");
    // Messages advise the entry's own config path.
    assert.deepEqual(one("WebService", "admin").inputs.advice, {
      program: "the shop app",
      configKeys: { adoptExisting: "shop:services[1].adoptExisting", adoptId: "shop:services[1].importId" },
    });
  });

  it("builds workers, private services and cron jobs with their links", function () {
    const nightly = one("CronJob", "nightly").inputs;
    assert.equal(nightly.schedule, "0 3 * * *");
    assert.deepEqual((nightly.envVars as Record<string, unknown>).SEARCH, {
      kind: "plain",
      value: "search:10000",
    });
    assert.deepEqual(
      (one("BackgroundWorker", "jobs").inputs.envVars as Record<string, unknown>).DATABASE_URL,
      {
        kind: "linked",
        database: "Postgres-shop-id",
        property: "connectionString",
      },
    );
  });

  it("links a service to an env group with one link, the group's sync: false value from secrets", async function () {
    const link = one("EnvGroupLink", "shop-shared").inputs;
    assert.deepEqual([link.serviceId, link.envGroupId], ["WebService-shop-id", "EnvGroup-shared-id"]);
    const vars = one("EnvGroup", "shared").inputs.envVars as Record<string, unknown>;
    assert.equal(vars[secretSig], "1b47061264138c4ac30d75fd1eb44270");
    assert.deepEqual(vars.value, {
      LOG_LEVEL: { value: "info" },
      SENTRY_DSN: { value: "https://dsn.example" },
    });
  });

  it("gives a static site its env vars as a service's: values, secrets, generated, links, its group's link", function () {
    // One secret value makes the whole map a secret in the registration: unwrap it.
    const wrapped = one("StaticSite", "docs").inputs.envVars as Record<string, unknown>;
    assert.equal(wrapped[secretSig], "1b47061264138c4ac30d75fd1eb44270");
    const env = wrapped.value as Record<string, Record<string, unknown>>;
    assert.deepEqual(env.NODE_VERSION, { kind: "plain", value: "20" });
    assert.equal(env.SEARCH_KEY!.kind, "secret");
    assert.deepEqual(env.BUILD_SALT, { kind: "generated" });
    assert.deepEqual(env.DOCS_DB, { kind: "linked", database: "Postgres-shop-id", property: "database" });
    assert.deepEqual(env.SHOP_ENV, { kind: "plain", value: "production" });
    // Its own host name: kept equal to its URL by its provider (the URL exists once the site does).
    assert.deepEqual(env.SITE_HOST, { kind: "serviceHostname" });
    // Another service linking the site's generated value reads it from the site's state, a secret.
    const search = one("PrivateService", "search").inputs.envVars as Record<string, unknown>;
    assert.equal((search.value as Record<string, Record<string, unknown>>).DOCS_SALT!.kind, "secret");
    const link = one("EnvGroupLink", "docs-shared").inputs;
    assert.deepEqual([link.serviceId, link.envGroupId], ["StaticSite-docs-id", "EnvGroup-shared-id"]);
  });

  it("links a group the stack does not declare by name, in the stack's workspace (never creating it)", function () {
    const { serviceId, envGroupName, ownerId, envGroupId } = one("EnvGroupLink", "admin-team-wide").inputs;
    assert.equal(envGroupId, undefined);
    assert.deepEqual(
      { serviceId, envGroupName, ownerId },
      {
        serviceId: "WebService-admin-id",
        envGroupName: "team-wide",
        ownerId: "tea-d303qfodl3ps739p3e60",
      },
    );
    assert.equal(
      registered
        .filter((r) => r.type.endsWith(":EnvGroup"))
        .map((r) => r.name)
        .join(),
      "shared",
    );
  });

  it("deploys each web service when what it runs changes", async function () {
    const deploy = one("Deploy", "shop-deploy").inputs;
    assert.equal(deploy.serviceId, "WebService-shop-id");
    // The hash of its env var sources and build/run settings, secret as one of them is.
    assert.match(String((deploy.trigger as { value: unknown }).value), /^[0-9a-f]{64}$/);
    assert.notEqual(
      JSON.stringify(one("Deploy", "admin-deploy").inputs.trigger),
      JSON.stringify(deploy.trigger),
    );
    assert.equal(readAppStackConfig(read({ ...shop, "shop:deploy": "false" }), "shop").deploy, false);
    assert.throws(
      () =>
        readAppStackConfig(read({ ...shop, "shop:deploy": JSON.stringify({ commit: "abc1234" }) }), "shop"),
      /shop:deploy.commit: a pinned commit is per service/,
    );
  });

  it("builds a service's render.yaml disk as a RenderDisk of that service", function () {
    const disk = one("Disk", "shop-uploads").inputs;
    assert.deepEqual(
      [disk.serviceId, disk.name, disk.mountPath, disk.sizeGB],
      ["WebService-shop-id", "uploads", "/var/data", 5],
    );
  });

  it("links RENDER_EXTERNAL_URL and RENDER_EXTERNAL_HOSTNAME to the service's url", function () {
    const shopEnv = (one("WebService", "shop").inputs.envVars as { value: Record<string, unknown> }).value;
    assert.deepEqual(shopEnv.ADMIN_HOST, { kind: "plain", value: "admin.onrender.com" });
    const admin = one("WebService", "admin").inputs.envVars as Record<string, unknown>;
    assert.deepEqual(admin.DOCS_URL, { kind: "plain", value: "https://docs.onrender.com" });
  });

  it("links a web service's own RENDER_EXTERNAL_URL/HOSTNAME as its own-address env vars", function () {
    const shopEnv = (one("WebService", "shop").inputs.envVars as { value: Record<string, unknown> }).value;
    assert.deepEqual(shopEnv.APP_URL, { kind: "serviceUrl" });
    assert.deepEqual(shopEnv.APP_HOST, { kind: "serviceHostname" });
    // Another service linking that var reads shop's URL, so it is built after shop.
    const jobs = one("BackgroundWorker", "jobs").inputs.envVars as Record<string, unknown>;
    assert.deepEqual(jobs.SHOP_URL, { kind: "plain", value: "https://shop.onrender.com" });
    const order = registered.map((r) => r.name);
    assert.ok(order.indexOf("shop") < order.indexOf("jobs"), order.join(", "));
  });

  it("refuses a worker linking its own RENDER_EXTERNAL_URL, naming the var: it has no public URL", function () {
    const services = JSON.parse(shop["shop:services"]) as Record<string, unknown>[];
    (services[3].envVars as unknown[]).push({
      key: "SELF",
      fromService: { type: "worker", name: "jobs", envVarKey: "RENDER_EXTERNAL_URL" },
    });
    assert.throws(
      () => readAppStackConfig(read({ ...shop, "shop:services": JSON.stringify(services) }), "shop"),
      (e: unknown) =>
        e instanceof StackConfigError &&
        e.problems.some((p) =>
          p.startsWith(
            "shop:services[3].envVars[2].fromService.envVarKey: Render sets RENDER_EXTERNAL_URL on a web service or static site only",
          ),
        ),
    );
  });

  it("links by name to the resources' ids: no connection string is an input", async function () {
    // One secret value makes the whole map a secret in the registration: unwrap it.
    const wrapped = one("WebService", "shop").inputs.envVars as Record<string, unknown>;
    assert.equal(wrapped[secretSig], "1b47061264138c4ac30d75fd1eb44270");
    const env = wrapped.value as Record<string, Record<string, unknown>>;
    assert.deepEqual(env.DATABASE_URL, {
      kind: "linked",
      database: "Postgres-shop-id",
      property: "connectionString",
    });
    assert.deepEqual(env.PGUSER, { kind: "linked", database: "Postgres-shop-id", property: "user" });
    assert.deepEqual(env.REDIS_URL, {
      kind: "linked",
      database: "KeyValue-cache-id",
      property: "connectionString",
    });
    assert.deepEqual(env.SECRET_KEY_BASE, { kind: "generated" });
    assert.deepEqual(env.RAILS_ENV, { kind: "plain", value: "production" });
    assert.equal(env.STRIPE_KEY!.kind, "secret");
    const admin = one("WebService", "admin").inputs.envVars as Record<string, Record<string, unknown>>;
    assert.deepEqual(admin.SHOP_HOSTPORT, { kind: "plain", value: "shop:10000" });
    assert.deepEqual(admin.SHOP_ENV, { kind: "plain", value: "production" });
    assert.deepEqual(admin.SHOP_DB, {
      kind: "linked",
      database: "Postgres-shop-id",
      property: "connectionString",
    });
  });

  it("reads sync: false from the stack's secret map, as a secret", async function () {
    const { envVarSource } = require("../../app/program") as typeof import("../../app/program");
    const source = envVarSource(
      { key: "STRIPE_KEY", secretKey: "STRIPE_KEY" },
      {
        databases: new Map(),
        keyValues: new Map(),
        services: new Map(),
        staticSites: new Map(),
        envGroups: new Map(),
        privateServices: new Map(),
        entries: new Map(),
      },
      pulumi.secret({ STRIPE_KEY: "sk_live_not_real" }),
    ) as { secret: pulumi.Output<string> };
    assert.deepEqual(await resolved(source.secret), { value: "sk_live_not_real", secret: true });
  });

  it("checks the whole stack before anything exists: a missing secret, the budget, a plan without a price", function () {
    const { "shop:secrets": _secrets, ...noSecrets } = shop;
    assert.throws(
      () => readAppStackConfig(read(noSecrets), "shop"),
      (e: unknown) =>
        e instanceof StackConfigError &&
        e.problems.some((p) =>
          p.startsWith(
            "shop:services[0].envVars[4]: sync: false needs its value in the stack's secrets; set it with `pulumi config set --secret --path shop:secrets.STRIPE_KEY <value>`",
          ),
        ),
    );
    // Plans priced by app/prices.ts: web 5 + standard 25, basic-256mb 7, Key Value starter 10, a static site 0,
    // a worker and a private service 5 each, a cron job not counted (billed per minute).
    const config = readAppStackConfig(read({ ...shop, "shop:monthlyBudgetUsd": "40" }), "shop");
    assert.throws(
      () => enforceAppBudget(config, "shop"),
      /would cost \$57\/month .* over its budget of \$40/,
    );
    assert.equal(enforceAppBudget({ ...config, monthlyBudgetUsd: 57 }, "shop"), 57);
    // An autoscaled service counts at its maxInstances: the web service at 3 instances, $10 more.
    const services = JSON.parse(shop["shop:services"]) as Record<string, unknown>[];
    services[0] = { ...services[0], scaling: { minInstances: 1, maxInstances: 3, targetCPUPercent: 60 } };
    const scaled = readAppStackConfig(read({ ...shop, "shop:services": JSON.stringify(services) }), "shop");
    assert.equal(enforceAppBudget(scaled, "shop"), 67);
    const pro = readAppStackConfig(
      read({
        ...shop,
        "shop:keyValues": JSON.stringify([{ name: "cache", plan: "pro" }]),
        "shop:monthlyBudgetUsd": "100",
      }),
      "shop",
    );
    assert.throws(() => enforceAppBudget(pro, "shop"), /no known price for keyValues cache \(plan pro\)/);
  });

  it("reads the README's example stack as it is written", function () {
    const readme = readFileSync(path.join(__dirname, "..", "..", "README.md"), "utf8");
    const section = readme.slice(readme.indexOf("### Any app: render.yaml's vocabulary"));
    const block = /```yaml\n([\s\S]*?)```/.exec(section)?.[1];
    assert.ok(block, "the README's example stack moved");
    const doc = parse(block) as { config: Record<string, unknown> };
    const values = Object.fromEntries(
      Object.entries(doc.config).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]),
    );
    const config = readAppStackConfig(
      read({
        ...values,
        "render:ownerId": "tea-d303qfodl3ps739p3e60",
        "render:apiKey": "rnd_test_key",
        "arrakis:secrets": JSON.stringify({ STRIPE_KEY: "x" }),
      }),
      "arrakis",
    );
    assert.deepEqual(
      config.app.entries.map((e) => `${e.kind} ${e.name}`),
      ["webService shop", "postgres shop", "keyValue cache"],
    );
  });
});
