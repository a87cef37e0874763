import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import {
  enforceBudget,
  readStackConfig,
  StackConfigError,
  type ConfigReader,
} from "../../components/stackConfig";

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
    assert.equal(db.inputs.plan, "basic-256mb");
    assert.equal(db.inputs.ownerId, "tea-d303qfodl3ps739p3e60");
    assert.equal(one("dynamic/render:PostgresExtension").inputs.extension, "vector");
    const web = one("dynamic/render:WebService");
    assert.equal(web.inputs.autoDeploy, false);
    assert.equal(web.inputs.healthCheckPath, "/");
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

  it("protects the production database", () => {
    const app = registered.find((r) => r.type === "arrakis:render:App");
    assert.ok(app);
    // The protect flag is not part of the mock's arguments; the resource keeps it.
    const { RenderApp } = require("../../components/app") as typeof import("../../components/app");
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
      require("../../components/webService") as typeof import("../../components/webService");
    const database = {
      id: pulumi.output("dpg-x-a"),
    } as unknown as import("../../components/postgres").RenderPostgres;
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
