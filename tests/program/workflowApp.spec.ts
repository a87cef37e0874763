/**
 * The program (app/program.ts) under setMocks on render-examples/trender's Blueprint as the importer
 * writes it once the start command it lacks is added (without it the entry is a loss): its `type: workflow` entry becomes a RenderWorkflow with
 * its build settings, its database link by id and its `sync: false` vars from the secret map; the
 * budget counts a workflow as no monthly cost.
 */
import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { readAppStackConfig, enforceAppBudget } from "../../app/appConfig";
import { readBlueprint } from "../../tools/blueprint/validate";
import { convertBlueprint } from "../../tools/blueprint/convert";

interface Registered {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}

describe("the program builds a render.yaml workflow (setMocks, trender)", function () {
  const registered: Registered[] = [];

  before(async function () {
    this.timeout(60_000);
    const file = path.join(__dirname, "../blueprint/corpus/render-examples__trender.render.yaml");
    const bp = readBlueprint(readFileSync(file, "utf8"));
    assert.ok(bp.ok, JSON.stringify(bp));
    // The start command trender's workflow lacks, added to the render.yaml as the importer's loss says.
    const wfEntry = bp.blueprint.services.find((s) => s.value.type === "workflow")!;
    (wfEntry.value as { startCommand?: string }).startCommand = "python workflow.py";
    const converted = convertBlueprint(bp.blueprint, {
      ownerId: "tea-d303qfodl3ps739p3e60",
      repo: "https://github.com/render-examples/trender",
    });
    assert.deepEqual(converted.losses, []);
    const values: Record<string, string> = { "render:apiKey": "rnd_test_key" };
    for (const [key, value] of Object.entries(converted.config))
      values[key] = typeof value === "string" ? value : JSON.stringify(value);
    values["arrakis:secrets"] = JSON.stringify({
      GITHUB_TOKEN: "ghp_not_real",
      GITHUB_CLIENT_ID: "id",
      GITHUB_CLIENT_SECRET: "not-real",
      RENDER_WORKFLOW_SLUG: "trender-wf",
      RENDER_API_KEY: "rnd_not_real",
    });
    pulumi.runtime.setAllConfig(values, ["render:apiKey", "arrakis:secrets"]);
    await pulumi.runtime.setMocks(
      {
        newResource(args) {
          registered.push({ type: args.type, name: args.name, inputs: args.inputs });
          const outs: Record<string, unknown> = { ...args.inputs };
          if (args.type.endsWith(":WebService")) outs.url = `https://${args.name}.onrender.com`;
          return { id: `${args.type.split(":").pop()}-${args.name}-id`, state: outs };
        },
        call: () => ({}),
      },
      "arrakis",
      "trender",
      true,
    );
    const config = readAppStackConfig((ns, key) => values[`${ns}:${key}`], "arrakis");
    assert.equal(enforceAppBudget({ ...config, monthlyBudgetUsd: 1000 }, "arrakis") > 0, true);
    const { RenderBlueprintApp } = require("../../app/program") as typeof import("../../app/program");
    const app = new RenderBlueprintApp("trender", {
      app: config.app,
      secrets: pulumi.secret(JSON.parse(values["arrakis:secrets"]) as Record<string, string>),
      configNames: { program: "the trender app", namespace: "arrakis" },
    });
    await new Promise<void>((resolve) => app.workflows.get("trender-wf")!.id.apply(() => resolve()));
  });

  it("registers one RenderWorkflow with the entry's build settings and start command", function () {
    const found = registered.filter((r) => r.type === "pulumi-nodejs:dynamic/render:Workflow");
    assert.deepEqual(
      found.map((r) => r.name),
      ["trender-wf"],
    );
    const inputs = found[0].inputs;
    assert.equal(inputs.runtime, "python");
    assert.equal(inputs.rootDir, "workflows");
    assert.equal(inputs.buildCommand, "pip install -r requirements.txt");
    assert.equal(inputs.runCommand, "python workflow.py");
    assert.equal(inputs.repo, "https://github.com/render-examples/trender");
    assert.deepEqual(inputs.advice, {
      program: "the trender app",
      configKeys: {
        adoptExisting: "arrakis:services[1].adoptExisting",
        adoptId: "arrakis:services[1].importId",
      },
    });
  });

  it("links its database by id and takes its sync: false vars as secrets", function () {
    const wf = registered.find((r) => r.name === "trender-wf")!;
    // One secret value makes the whole map a secret in the registration: unwrap it.
    const wrapped = wf.inputs.envVars as Record<string, unknown>;
    const env = (wrapped.value ?? wrapped) as Record<string, Record<string, unknown>>;
    assert.deepEqual(env.DATABASE_URL, {
      kind: "linked",
      database: "Postgres-trender-db-id",
      property: "connectionString",
    });
    for (const key of ["GITHUB_TOKEN", "GITHUB_CLIENT_ID", "GITHUB_CLIENT_SECRET"])
      assert.equal(env[key]!.kind, "secret", key);
    // The map holds secrets: it is registered as a secret as a whole.
    assert.equal(wrapped["4dabf18193072939515e22adb298388d"], "1b47061264138c4ac30d75fd1eb44270");
  });
});
