/**
 * render.yaml's `projects[].environments[]` as the program builds it (setMocks): the stack's `projects`
 * become one RenderProject each with its environments and their settings (render.yaml's `networking`
 * and `permissions` read), and each entry with `environment: <project>/<environment>` gets that
 * environment's id as its `environmentId`; an entry naming a project or environment the stack does not
 * list is refused before anything exists, naming the config path.
 */
import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { readAppStackConfig } from "../../app/appConfig";
import { StackConfigError } from "../../app/stackConfig";

interface Registered {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}

const stack = {
  "render:apiKey": "rnd_test_key",
  "render:ownerId": "tea-d303qfodl3ps739p3e60",
  "placed:projects": JSON.stringify([
    {
      name: "shop",
      environments: [
        { name: "production", networking: { isolation: "enabled" }, permissions: { protection: "enabled" } },
        { name: "staging" },
      ],
    },
  ]),
  "placed:services": JSON.stringify([
    {
      type: "web",
      name: "api",
      runtime: "node",
      repo: "https://github.com/acme/shop",
      buildCommand: "npm ci",
      startCommand: "npm start",
      environment: "shop/production",
      envVars: [{ key: "DATABASE_URL", fromDatabase: { name: "db", property: "connectionString" } }],
    },
    {
      type: "worker",
      name: "jobs",
      runtime: "node",
      repo: "https://github.com/acme/shop",
      buildCommand: "npm ci",
      startCommand: "npm run jobs",
      environment: "shop/staging",
    },
    // Not placed: left where Render puts it.
    {
      type: "web",
      name: "docs",
      runtime: "static",
      repo: "https://github.com/acme/docs",
      buildCommand: "npm run build",
      staticPublishPath: "./dist",
    },
  ]),
  "placed:databases": JSON.stringify([
    { name: "db", plan: "basic-256mb", postgresMajorVersion: "17", environment: "shop/production" },
  ]),
  "placed:keyValues": JSON.stringify([{ name: "cache", plan: "starter", environment: "shop/production" }]),
  "placed:envVarGroups": JSON.stringify([
    { name: "shared", envVars: [{ key: "LOG_LEVEL", value: "info" }], environment: "shop/staging" },
  ]),
};
const read = (values: Record<string, string>) => (ns: string, key: string) => values[`${ns}:${key}`];

describe("the program places entries in their project environments (setMocks)", function () {
  const registered: Registered[] = [];

  before(async function () {
    this.timeout(60_000);
    pulumi.runtime.setAllConfig(stack, ["render:apiKey"]);
    await pulumi.runtime.setMocks(
      {
        newResource(args) {
          registered.push({ type: args.type, name: args.name, inputs: args.inputs });
          const outs: Record<string, unknown> = { ...args.inputs };
          if (args.type.endsWith(":Project"))
            outs.environmentIds = Object.fromEntries(
              (args.inputs.environments as { name: string }[]).map((e) => [e.name, `evm-${e.name}`]),
            );
          if (args.type.endsWith(":StaticSite") || args.type.endsWith(":WebService"))
            outs.url = `https://${args.name}.onrender.com`;
          return { id: `${args.type.split(":").pop()}-${args.name}-id`, state: outs };
        },
        call: () => ({}),
      },
      "placed",
      "dev",
      true,
    );
    const { RenderBlueprintApp } = require("../../app/program") as typeof import("../../app/program");
    const config = readAppStackConfig(read(stack), "placed");
    const app = new RenderBlueprintApp("placed", {
      app: config.app,
      configNames: { program: "the placed app", namespace: "placed" },
    });
    // Every resource registered once the placed ids resolve.
    await new Promise((resolve) => pulumi.all([...app.services.values()].map((s) => s.id)).apply(resolve));
    await new Promise((resolve) =>
      pulumi.all([...app.privateServices.values()].map((s) => s.id)).apply(resolve),
    );
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

  it("builds one RenderProject per project, with render.yaml's environment settings read", () => {
    const project = one("Project", "shop");
    assert.equal(project.inputs.name, "shop");
    assert.equal(project.inputs.ownerId, "tea-d303qfodl3ps739p3e60");
    assert.deepEqual(project.inputs.environments, [
      { name: "production", protectedStatus: "protected", networkIsolationEnabled: true, ipAllowList: [] },
      { name: "staging", protectedStatus: "unprotected", networkIsolationEnabled: false, ipAllowList: [] },
    ]);
  });

  it("gives each placed entry its environment's id, of every kind; an unplaced one has none", () => {
    assert.equal(one("WebService", "api").inputs.environmentId, "evm-production");
    assert.equal(one("BackgroundWorker", "jobs").inputs.environmentId, "evm-staging");
    assert.equal(one("Postgres", "db").inputs.environmentId, "evm-production");
    assert.equal(one("KeyValue", "cache").inputs.environmentId, "evm-production");
    assert.equal(one("EnvGroup", "shared").inputs.environmentId, "evm-staging");
    assert.equal("environmentId" in one("StaticSite", "docs").inputs, false);
  });

  it("refuses a placement the stack's projects do not have, and bad project settings, naming the config path", () => {
    const bad = {
      ...stack,
      "placed:projects": JSON.stringify([
        { name: "shop", environments: [{ name: "production", networking: { isolation: "sometimes" } }] },
        { name: "other", environments: [{ name: "e", services: [] }], owner: "x" },
      ]),
      "placed:keyValues": JSON.stringify([
        { name: "a", plan: "starter", environment: "shop/staging" },
        { name: "b", plan: "starter", environment: "nowhere/production" },
        { name: "c", plan: "starter", environment: "production" },
      ]),
    };
    let problems: string[] = [];
    try {
      readAppStackConfig(read(bad), "placed");
    } catch (err) {
      assert.ok(err instanceof StackConfigError, String(err));
      problems = err.message.split("\n");
    }
    const expect = (pattern: RegExp) =>
      assert.ok(
        problems.some((p) => pattern.test(p)),
        `${pattern} is not among:\n${problems.join("\n")}`,
      );
    expect(
      /placed:projects\[0\]\.environments\[0\]\.networkIsolationEnabled: networkIsolationEnabled must be true or false/,
    );
    expect(
      /placed:projects\[1\]\.owner: is not a project key; allowed: name, environments, importId, protect/,
    );
    expect(/placed:projects\[1\]\.environments\[0\]\.services: is not an environment key/);
    expect(
      /placed:keyValues\[0\]\.environment: project "shop" has no environment "staging"; it has: "production"/,
    );
    expect(
      /placed:keyValues\[1\]\.environment: no project "nowhere" in placed:projects; listed: "shop", "other"/,
    );
    expect(/placed:keyValues\[2\]\.environment: must be <project>\/<environment>/);
  });
});
