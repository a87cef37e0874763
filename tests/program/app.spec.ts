import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { enforceBudget, readStackConfig, StackConfigError, type ConfigReader } from "../../app/stackConfig";

// The program's graph under setMocks: which resources, which env var comes from where, what is secret
// and what is protected. (Secretness of provider outputs needs the real engine: see tests/engine.)
const root = path.join(__dirname, "..", "..");
const secretSig = "4dabf18193072939515e22adb298388d";

/** Stack config of Pulumi.<stack>.yaml as `namespace:key` -> string (structured values as JSON). */
function stackConfig(stack: string): Record<string, string> {
  const doc = parse(readFileSync(path.join(root, `Pulumi.${stack}.yaml`), "utf8")) as {
    config: Record<string, unknown>;
  };
  return Object.fromEntries(
    Object.entries(doc.config).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]),
  );
}

function reader(values: Record<string, string>): ConfigReader {
  return (ns, key) => values[`${ns}:${key}`];
}

const prodWithSecrets: Record<string, string> = {
  ...stackConfig("prod"),
  "render:apiKey": "rnd_test_key",
  "arrakis:openaiApiKey": "sk-test",
};

/**
 * Resolves once every resource registration started so far has reached the mocks: the SDK's queue of
 * pending calls (`waitForRPCs`, what `pulumi.runtime.disconnect` waits for; internal to the SDK, hence
 * the check that it is still there).
 */
async function settledRegistrations(): Promise<void> {
  const { waitForRPCs } = pulumi.runtime as unknown as { waitForRPCs?: () => Promise<void> };
  assert.equal(typeof waitForRPCs, "function", "@pulumi/pulumi no longer has runtime.waitForRPCs");
  await waitForRPCs!();
}

interface Registered {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}

describe("the arrakis program (setMocks)", function () {
  const registered: Registered[] = [];
  let program: Record<string, unknown>;

  before(async function () {
    this.timeout(60_000);
    pulumi.runtime.setAllConfig(Object.fromEntries(Object.entries(prodWithSecrets)), [
      "render:apiKey",
      "arrakis:openaiApiKey",
    ]);
    await pulumi.runtime.setMocks(
      {
        newResource(args) {
          registered.push({ type: args.type, name: args.name, inputs: args.inputs });
          const outs: Record<string, unknown> = { ...args.inputs };
          if (args.type.endsWith(":Postgres")) {
            outs.internalConnectionString = "postgresql://u:pw@dpg-x-a/arrakis_production_ab12";
            outs.externalConnectionString =
              "postgresql://u:pw@dpg-x-a.oregon-postgres.render.com:5432/arrakis_production_ab12";
            outs.password = "pw";
            outs.liveDatabaseName = "arrakis_production_ab12";
          }
          if (args.type.endsWith(":WebService")) outs.url = "https://arrakis-prod.onrender.com";
          return { id: `${args.name}-id`, state: outs };
        },
        call: () => ({}),
      },
      "arrakis",
      "prod",
      true,
    );
    program = require("../../index") as Record<string, unknown>;
  });

  function one(typeSuffix: string): Registered {
    const found = registered.filter((r) => r.type.endsWith(typeSuffix));
    assert.equal(found.length, 1, `${typeSuffix}: ${registered.map((r) => r.type).join(", ")}`);
    return found[0];
  }

  async function resolved<T>(o: pulumi.Output<T>): Promise<{ value: T; secret: boolean }> {
    const internal = o as unknown as { promise(): Promise<T>; isSecret: Promise<boolean> };
    return { value: await internal.promise(), secret: await internal.isSecret };
  }

  it("builds one database, its pgvector extension and one web service under the app component", async () => {
    await resolved(program.serviceUrl as pulumi.Output<string>);
    assert.ok(registered.some((r) => r.type === "arrakis:render:App"));
    const db = one("dynamic/render:Postgres");
    assert.equal(db.inputs.name, "arrakis-prod-db");
    // The stack config is parsed by the resource's own schema: the API spelling reaches the resource.
    assert.equal(db.inputs.plan, "basic_256mb");
    assert.equal(db.inputs.ownerId, "tea-d303qfodl3ps739p3e60");
    assert.equal(one("dynamic/render:PostgresExtension").inputs.extension, "vector");
    const web = one("dynamic/render:WebService");
    assert.equal(web.inputs.autoDeploy, false);
    assert.equal(web.inputs.healthCheckPath, "/");
    // Production migrations run on Render, in each deploy, with the internal URL (issue 16).
    assert.equal(web.inputs.preDeployCommand, "npm run db:deploy");
    assert.ok(!registered.some((r) => r.type === "command:local:Command" && r.name.startsWith("arrakis-")));
    // The library knows no app: the program passes its own config keys for the resources' messages.
    const { appAdvice, arrakisConfigNames } = require("../../app/app") as typeof import("../../app/app");
    const advice = appAdvice(arrakisConfigNames);
    assert.deepEqual(db.inputs.advice, advice.database);
    assert.deepEqual(web.inputs.advice, advice.service);
    assert.deepEqual(one("dynamic/render:Deploy").inputs.advice, advice.deploy);
  });

  it("wires every env var from its source: links by database id, secrets as secrets", () => {
    const isSecret = (v: unknown) =>
      typeof v === "object" && v !== null && (v as Record<string, unknown>)[secretSig] !== undefined;
    const plain = (v: unknown) => (isSecret(v) ? (v as { value: unknown }).value : v);
    // The mock monitor may hand the map back as one secret (a secret inside taints its container);
    // the real engine keeps secrets per value (tests/engine). Either way the values must be secret.
    const raw = one("dynamic/render:WebService").inputs.envVars;
    const wholeMapSecret = isSecret(raw);
    const env = plain(raw) as Record<string, { kind: string; value?: unknown }>;
    const secretValue = (key: string) => wholeMapSecret || isSecret(env[key].value);
    assert.deepEqual(Object.keys(env).sort(), [
      "DATABASE_URL",
      "DIRECT_URL",
      "NEXTAUTH_SECRET",
      "NEXTAUTH_URL",
      "NODE_ENV",
      "OPENAI_API_KEY",
    ]);
    // A link carries the database's id and property; the provider reads the value from Render, so no
    // connection string is an input of the service (nor in its state).
    for (const key of ["DATABASE_URL", "DIRECT_URL"])
      assert.deepEqual(env[key], { kind: "linked", database: "arrakis-db-id", property: "connectionString" });
    assert.ok(
      !JSON.stringify(env).includes("postgresql://"),
      "a connection string is an input of the service",
    );
    assert.equal(env.OPENAI_API_KEY.kind, "secret");
    assert.ok(secretValue("OPENAI_API_KEY"));
    assert.equal(plain(env.OPENAI_API_KEY.value), "sk-test");
    assert.deepEqual(env.NODE_ENV, { kind: "plain", value: "production" });
    assert.deepEqual(env.NEXTAUTH_SECRET, { kind: "generated" });
    assert.deepEqual(env.NEXTAUTH_URL, { kind: "serviceUrl" });
  });

  it("exports the connection strings as secrets and the rest in plain", async () => {
    for (const key of ["internalConnectionString", "externalConnectionString"]) {
      const { secret } = await resolved(program[key] as pulumi.Output<string>);
      assert.ok(secret, `${key} is exported in plaintext`);
    }
    const url = await resolved(program.serviceUrl as pulumi.Output<string>);
    assert.deepEqual(url, { value: "https://arrakis-prod.onrender.com", secret: false });
    assert.equal(program.monthlyCostUsd, 12);
  });

  it("fails on a migrations folder that cannot be read before registering any resource (issue 9)", async () => {
    const { RenderApp } = require("../../app/app") as typeof import("../../app/app");
    const before = registered.length;
    assert.throws(
      () =>
        new RenderApp("nomig", {
          database: { name: "nomig", plan: "basic_256mb", version: "17", ownerId: "tea-x" },
          service: {
            name: "nomig",
            repo: "https://github.com/a/b",
            buildCommand: "b",
            startCommand: "s",
            ownerId: "tea-x",
          },
          openaiApiKey: pulumi.secret("k"),
          migrations: { appDir: path.join(root, "no-such-checkout") },
          configNames: { program: "the arrakis app", namespace: "arrakis" },
        }),
      /could not read the migrations folder .*no-such-checkout.*arrakis:migrations\.appDir/,
    );
    // Every registration the constructor started has reached the mocks (the SDK's own queue of pending
    // calls, drained), so a child registered before the throw would be in `registered` by now.
    await settledRegistrations();
    // No child resource: before the fix the database was registered (and `pulumi up` created it).
    assert.ok(!registered.slice(before).some((r) => r.name.startsWith("nomig-")));
  });

  it("runs the migrations as a command:local:Command through the redacting runner, DATABASE_URL secret", async () => {
    const { RenderApp } = require("../../app/app") as typeof import("../../app/app");
    const { hashMigrationsFolder, migrationsRunner } =
      require("../../components/migrations/resource") as typeof import("../../components/migrations/resource");
    const appDir = path.join("tests", "fixtures", "app");
    const app = new RenderApp("migr", {
      database: { name: "migr", plan: "basic_256mb", version: "17", ownerId: "tea-x" },
      service: {
        name: "migr",
        repo: "https://github.com/a/b",
        buildCommand: "b",
        startCommand: "s",
        ownerId: "tea-x",
      },
      openaiApiKey: pulumi.secret("k"),
      migrations: { appDir, timeoutMs: 120_000 },
    });
    await resolved(app.serviceUrl);
    const found = registered.filter(
      (r) => r.type === "command:local:Command" && r.name === "migr-db-migrations",
    );
    assert.equal(found.length, 1, registered.map((r) => `${r.type} ${r.name}`).join(", "));
    const inputs = found[0].inputs;
    assert.equal(inputs.create, "npm run db:deploy");
    // Relative, as configured: another operator's checkout, or a moved one, runs nothing again.
    assert.equal(inputs.dir, appDir);
    const interpreter = inputs.interpreter as string[];
    assert.equal(interpreter[0], "node");
    assert.ok(!path.isAbsolute(interpreter[1]), interpreter[1]);
    assert.equal(path.resolve(root, appDir, interpreter[1]), migrationsRunner);
    assert.deepEqual(interpreter.slice(2), [
      "--secret-env=DATABASE_URL,DIRECT_URL",
      "--timeout-ms=120000",
      "--database=migr-db-id",
    ]);
    assert.deepEqual(inputs.triggers, [
      hashMigrationsFolder(path.join(root, appDir, "prisma", "migrations")),
    ]);
    assert.equal(inputs.logging, "stdoutAndStderr");
    assert.equal(inputs.addPreviousOutputInEnv, false);
    // The connection string is a secret input (the mock may hand the whole map back as one secret).
    const env = inputs.environment as Record<string, unknown>;
    const text = JSON.stringify(env);
    assert.ok(text.includes(secretSig), `environment not secret: ${text}`);
    assert.match(text, /postgresql:\/\/u:pw@dpg-x-a\.oregon-postgres\.render\.com/);
    assert.ok(
      !registered.some((r) => r.type.endsWith("render:Migrations")),
      "a DatabaseMigrations resource remains",
    );
  });

  it("protects the production database", () => {
    const app = registered.find((r) => r.type === "arrakis:render:App");
    assert.ok(app);
    // The protect flag is not part of the mock's arguments; the resource keeps it.
    const { RenderApp } = require("../../app/app") as typeof import("../../app/app");
    const probe = new RenderApp("probe", {
      database: { name: "p", plan: "basic_256mb", version: "17", ownerId: "tea-x" },
      service: {
        name: "p",
        repo: "https://github.com/a/b",
        buildCommand: "b",
        startCommand: "s",
        ownerId: "tea-x",
      },
      openaiApiKey: pulumi.secret("k"),
    });
    assert.equal((probe.database as unknown as { __protect: boolean }).__protect, true);
    const open = new RenderApp("probe2", {
      database: { name: "p", plan: "basic_256mb", version: "17", ownerId: "tea-x", protect: false },
      service: {
        name: "p",
        repo: "https://github.com/a/b",
        buildCommand: "b",
        startCommand: "s",
        ownerId: "tea-x",
      },
      openaiApiKey: pulumi.secret("k"),
    });
    assert.equal((open.database as unknown as { __protect: boolean }).__protect, false);
  });
});

describe("stack config validation", () => {
  it("accepts the committed prod and local stacks", () => {
    assert.equal(readStackConfig(reader(prodWithSecrets)).service.name, "arrakis-prod");
    const local = { ...stackConfig("local"), "arrakis:openaiApiKey": "sk-local" };
    assert.equal(readStackConfig(reader(local)).database.name, "arrakis-local-db");
  });

  const cases: [string, Record<string, string | undefined>, RegExp][] = [
    [
      "a missing API key",
      { "render:apiKey": undefined },
      /render:apiKey is missing; set it with `pulumi config set --secret render:apiKey <key>`/,
    ],
    [
      "a missing OpenAI key",
      { "arrakis:openaiApiKey": undefined },
      /arrakis:openaiApiKey is missing; set it with `pulumi config set --secret arrakis:openaiApiKey/,
    ],
    ["a missing workspace", { "render:ownerId": undefined }, /render:ownerId is missing/],
    [
      "a workspace id of the wrong shape",
      { "render:ownerId": "my-team" },
      /render:ownerId must be a workspace id/,
    ],
    [
      "an API URL that is not a URL",
      { "render:apiUrl": "api.render.com" },
      /render:apiUrl must be an http\(s\) URL/,
    ],
    ["a missing database block", { "arrakis:database": undefined }, /arrakis:database is missing/],
    [
      "a typo inside the service block",
      {
        "arrakis:service": JSON.stringify({
          ...JSON.parse(prodWithSecrets["arrakis:service"]),
          healthCheck: "/",
        }),
      },
      /arrakis:service: unknown key\(s\) healthCheck/,
    ],
    [
      "a wrong type inside the database block",
      {
        "arrakis:database": JSON.stringify({
          ...JSON.parse(prodWithSecrets["arrakis:database"]),
          protect: "yes",
        }),
      },
      /arrakis:database\.protect:/,
    ],
    [
      "a budget that is not a number",
      { "arrakis:monthlyBudgetUsd": "cheap" },
      /arrakis:monthlyBudgetUsd must be a number/,
    ],
  ];
  // Issue 9 (bad input): the resources' own rules run on the config too, so a typo fails the program at
  // once with the field and what is allowed (before: "no known price for database plan …").
  const withDatabase = (change: Record<string, unknown>) =>
    JSON.stringify({ ...JSON.parse(prodWithSecrets["arrakis:database"]), ...change });
  const withService = (change: Record<string, unknown>) =>
    JSON.stringify({ ...JSON.parse(prodWithSecrets["arrakis:service"]), ...change });
  cases.push(
    [
      "an unknown database plan (not a missing price)",
      { "arrakis:database": withDatabase({ plan: "basic-999mb" }) },
      /arrakis:database\.plan: "basic_999mb" is not a Render Postgres plan; allowed: .*"basic_256mb"/,
    ],
    [
      "a PostgreSQL version out of range",
      { "arrakis:database": withDatabase({ version: 99 }) },
      /arrakis:database\.version: "99" is not a supported PostgreSQL version; allowed: .*"17"/,
    ],
    [
      "a bad CIDR",
      { "arrakis:database": withDatabase({ ipAllowList: [{ cidrBlock: "10.0.0.0/33" }] }) },
      /arrakis:database\.ipAllowList\[0\]\.cidrBlock: "10\.0\.0\.0\/33" is not a CIDR block/,
    ],
    [
      "an unknown runtime",
      { "arrakis:service": withService({ runtime: "deno" }) },
      /arrakis:service\.runtime: "deno" is not a Render runtime; allowed: .*"node"/,
    ],
    [
      "an http repo",
      { "arrakis:service": withService({ repo: "http://github.com/a/b" }) },
      /arrakis:service\.repo: must be an https URL/,
    ],
    [
      "an env var key Render rejects",
      { "arrakis:service": withService({ env: { "1BAD-KEY": "x" } }) },
      /arrakis:service\.env\.1BAD-KEY: is not a valid env var key: use letters, digits and '_'/,
    ],
    [
      "an env var the app sets itself",
      { "arrakis:service": withService({ env: { DATABASE_URL: "postgres://elsewhere" } }) },
      /arrakis:service\.env\.DATABASE_URL: is set by the app itself/,
    ],
    [
      "a linked property that does not exist",
      { "arrakis:service": withService({ env: { POOL: { fromDatabase: { property: "poolString" } } } }) },
      /arrakis:service\.env\.POOL\.fromDatabase\.property: "poolString" is not a database property; allowed: .*"host"/,
    ],
    [
      "a deploy health check path without '/' (the deploy resource is checked only after the service exists)",
      { "arrakis:deploy": JSON.stringify({ healthCheck: { path: "healthz" } }) },
      /arrakis:deploy\.healthCheck\.path: must start with \//,
    ],
    [
      "a key typo, with the keys allowed",
      { "arrakis:database": withDatabase({ plna: "x" }) },
      /arrakis:database: unknown key\(s\) plna; allowed: name, plan, version/,
    ],
    [
      "an extension name that is not one",
      { "arrakis:database": withDatabase({ extensions: ["pg vector"] }) },
      /arrakis:database\.extensions\[0\]: "pg vector" is not an extension name/,
    ],
  );
  it("reports every problem of the config at once, render:ownerId once", () => {
    const values = {
      ...prodWithSecrets,
      "render:ownerId": "my-team",
      "arrakis:database": withDatabase({ plan: "nope", region: "mars" }),
      "arrakis:service": withService({ numInstances: -1 }),
    };
    assert.throws(
      () => readStackConfig(reader(values)),
      (err: unknown) => {
        assert.ok(err instanceof StackConfigError);
        assert.deepEqual(
          err.problems.map((p) => p.split(":").slice(0, 2).join(":")),
          [
            'render:ownerId must be a workspace id like tea-d303qfodl3ps739p3e60 (got "my-team")',
            "arrakis:database.plan",
            "arrakis:database.region",
            "arrakis:service.numInstances",
          ],
        );
        return true;
      },
    );
  });
  it("accepts env vars linked to the app's database or generated, and wires them", () => {
    const config = readStackConfig(
      reader({
        ...prodWithSecrets,
        "arrakis:service": withService({
          env: {
            PORT: "3000",
            PGHOST: { fromDatabase: { property: "host" } },
            SALT: { generateValue: true },
          },
        }),
      }),
    );
    const { appEnvVars } = require("../../app/app") as typeof import("../../app/app");
    const database = {
      id: "dpg-x",
    } as unknown as import("../../components/postgres/resource").RenderPostgres;
    const env = appEnvVars(database, {
      database: { ...config.database, ownerId: "tea-x" },
      service: { ...config.service, ownerId: "tea-x" },
      openaiApiKey: "k",
    });
    assert.equal(env.PORT, "3000");
    assert.deepEqual(env.PGHOST, { fromDatabase: { database, property: "host" } });
    assert.deepEqual(env.SALT, { generateValue: true });
  });
  for (const [what, change, message] of cases) {
    it(`names the key for ${what}`, () => {
      const values = { ...prodWithSecrets, ...change } as Record<string, string>;
      for (const [k, v] of Object.entries(change)) if (v === undefined) delete values[k];
      assert.throws(
        () => readStackConfig(reader(values)),
        (err: unknown) => {
          assert.ok(err instanceof StackConfigError);
          assert.match(err.message, message);
          return true;
        },
      );
    });
  }

  it("fails when the plans cost more than the budget, and passes at the seed's $12", () => {
    assert.equal(enforceBudget(readStackConfig(reader(prodWithSecrets))), 12);
    const pricey = {
      ...prodWithSecrets,
      "arrakis:service": JSON.stringify({
        ...JSON.parse(prodWithSecrets["arrakis:service"]),
        plan: "standard",
      }),
    };
    assert.throws(
      () => enforceBudget(readStackConfig(reader(pricey))),
      /would cost \$32\/month .* over its budget of \$12/,
    );
  });
});

describe("env var sources", () => {
  it("makes secret values secret even when their source is not, and links by database id", async () => {
    const { toEnvVarInputs } =
      require("../../components/webService/resource") as typeof import("../../components/webService/resource");
    const database = {
      id: pulumi.output("dpg-x-a"),
    } as unknown as import("../../components/postgres/resource").RenderPostgres;
    const inputs = toEnvVarInputs({
      URL: { fromDatabase: { database, property: "connectionString" } },
      HOST: { fromDatabase: { database, property: "host" } },
      KEY: { secret: "plain-looking" },
      MODE: "production",
    }) as Record<
      string,
      { kind: string; value: pulumi.Output<string>; database: pulumi.Output<string>; property: string }
    >;
    const look = async (o: pulumi.Input<string>) => {
      const out = pulumi.output(o) as unknown as { promise(): Promise<string>; isSecret: Promise<boolean> };
      return { value: await out.promise(), secret: await out.isSecret };
    };
    assert.deepEqual(await look(inputs.KEY.value), { value: "plain-looking", secret: true });
    assert.deepEqual(await look(inputs.MODE.value), { value: "production", secret: false });
    assert.deepEqual(await look(inputs.URL.database), { value: "dpg-x-a", secret: false });
    assert.equal(inputs.URL.property, "connectionString");
    assert.equal(inputs.HOST.property, "host");
    assert.equal(inputs.URL.kind, "linked");
    assert.equal(inputs.KEY.kind, "secret");
  });
});
