/**
 * RenderWorkflow's schema and mapping, pure: each field's message, default and render.yaml spelling, the
 * rules between fields, the API bodies, live -> inputs and the drift table.
 */
import { strict as assert } from "node:assert";
import {
  checkWorkflowInputs,
  diffWorkflow,
  fromWorkflow,
  toCreateWorkflowBody,
  toPatchWorkflowBody,
  workflowAdoptionChanges,
  workflowImmutableFields,
  type LiveWorkflow,
  type WorkflowInputs,
} from "../../../components/workflow/mapping";
import { workflowDefaults } from "../../../components/workflow/schema";

const raw = {
  name: "trender-wf",
  ownerId: "tea-d303qfodl3ps739p3e60",
  repo: "https://github.com/render-examples/trender.git",
  rootDir: "workflows",
  runtime: "python",
  buildCommand: "pip install -r requirements.txt",
  startCommand: "python workflow.py",
};

function inputs(overrides: Record<string, unknown> = {}): WorkflowInputs {
  const { inputs: checked, failures } = checkWorkflowInputs({ ...raw, ...overrides });
  assert.deepEqual(failures, []);
  return checked as unknown as WorkflowInputs;
}

const live: LiveWorkflow = {
  id: "wfl-aaaaaaaaaaaaaaaaaaaa",
  name: "trender-wf",
  ownerId: "tea-d303qfodl3ps739p3e60",
  region: "oregon",
  runCommand: "python workflow.py",
  autoDeployTrigger: "commit",
  buildConfig: {
    repo: "https://github.com/render-examples/trender",
    runtime: "python",
    buildCommand: "pip install -r requirements.txt",
    rootDir: "workflows",
  },
};

describe("RenderWorkflow schema and mapping", () => {
  it("reads render.yaml's spellings: startCommand, env, autoDeploy; drops .git; fills Render's defaults", () => {
    const i = inputs({ runtime: undefined, env: "python", autoDeploy: "no" });
    assert.equal(i.runCommand, "python workflow.py");
    assert.equal(i.runtime, "python");
    assert.equal(i.autoDeployTrigger, "off");
    assert.equal(i.repo, "https://github.com/render-examples/trender");
    assert.equal(inputs().autoDeployTrigger, "commit");
    assert.equal(inputs().region, "oregon");
    assert.deepEqual(inputs().envVars, {});
    assert.deepEqual(workflowDefaults, {
      rootDir: "",
      region: "oregon",
      autoDeployTrigger: "commit",
      envVars: {},
      adoptExisting: false,
    });
    assert.deepEqual(workflowImmutableFields, ["ownerId", "region"]);
  });

  it("names each bad field and what is allowed", () => {
    const { failures } = checkWorkflowInputs({
      ...raw,
      repo: undefined,
      runtime: "rust",
      buildCommand: " ",
      startCommand: undefined,
      autoDeployTrigger: "always",
      adoptId: "red-x",
      envVars: { U: { kind: "serviceUrl" } },
      plan: "starter",
    });
    const byField = Object.fromEntries(failures.map((f) => [f.property, f.reason]));
    assert.match(byField.repo, /is required: the Git repository URL/);
    assert.match(
      byField.runtime,
      /"rust" is not a workflow runtime; allowed: "elixir", "go", "node", "python", "ruby"/,
    );
    assert.match(byField.buildCommand, /must not be empty: the build command/);
    assert.match(
      byField.autoDeployTrigger,
      /"always" is not a workflow autoDeployTrigger; allowed: "commit", "off", "checksPass"/,
    );
    assert.match(byField.adoptId, /must be a Render workflow id like "wfl-…"/);
    assert.match(byField["envVars.U"], /a workflow has no public URL/);
    assert.match(byField.runCommand, /is required to create a workflow.*startCommand.*python main.py/);
    assert.match(byField.plan, /is not a RenderWorkflow argument/);
    const badKey = checkWorkflowInputs({ ...raw, envVars: { "1X": { kind: "plain", value: "a" } } }).failures;
    assert.match(badKey.find((f) => f.property === "envVars.1X")!.reason, /is not a valid env var key/);
  });

  it("needs no start command to adopt one (the live workflow keeps its own)", () => {
    for (const adopt of [{ adoptId: live.id }, { adoptExisting: true }])
      assert.deepEqual(checkWorkflowInputs({ ...raw, startCommand: undefined, ...adopt }).failures, []);
  });

  it("builds the create body with buildConfig and env vars, leaving out what the user left out", () => {
    assert.deepEqual(toCreateWorkflowBody(inputs(), [{ key: "A", value: "1" }]), {
      name: "trender-wf",
      ownerId: "tea-d303qfodl3ps739p3e60",
      region: "oregon",
      runCommand: "python workflow.py",
      buildConfig: {
        repo: "https://github.com/render-examples/trender",
        runtime: "python",
        buildCommand: "pip install -r requirements.txt",
        rootDir: "workflows",
      },
      autoDeployTrigger: "commit",
      envVars: [{ key: "A", value: "1" }],
    });
    const bare = toCreateWorkflowBody(inputs({ rootDir: undefined }), []);
    assert.equal("envVars" in bare, false);
    assert.deepEqual(Object.keys(bare.buildConfig), ["repo", "runtime", "buildCommand"]);
  });

  it("reads live settings back; a field left out (branch, runCommand) is no drift", () => {
    assert.deepEqual(diffWorkflow(inputs(), live), { changed: [], replaced: [] });
    assert.deepEqual(diffWorkflow(inputs({ startCommand: undefined, adoptExisting: true }), live), {
      changed: [],
      replaced: [],
    });
    const all = fromWorkflow({ ...live, buildConfig: { ...live.buildConfig, branch: "main" } });
    assert.equal(all.branch, "main");
    assert.equal(fromWorkflow(live, inputs()).branch, undefined);
  });

  it("drift table: each setting in place or a replace, and the PATCH carries only what differs", () => {
    const rows: [Record<string, unknown>, string[], string[]][] = [
      [{ name: "renamed" }, ["name"], []],
      [{ branch: "dev" }, ["branch"], []],
      [{ rootDir: "" }, ["rootDir"], []],
      [{ runtime: "node" }, ["runtime"], []],
      [{ buildCommand: "pip install ." }, ["buildCommand"], []],
      [{ startCommand: "python main.py" }, ["runCommand"], []],
      [{ autoDeployTrigger: "checksPass" }, ["autoDeployTrigger"], []],
      [{ region: "frankfurt" }, [], ["region"]],
      [{ repo: "https://GitHub.com/render-examples/trender" }, [], []],
    ];
    for (const [overrides, changed, replaced] of rows)
      assert.deepEqual(
        diffWorkflow(inputs(overrides), live),
        { changed, replaced },
        JSON.stringify(overrides),
      );
    assert.equal(toPatchWorkflowBody(inputs(), live), undefined);
    assert.deepEqual(toPatchWorkflowBody(inputs({ name: "renamed", startCommand: "python main.py" }), live), {
      name: "renamed",
      runCommand: "python main.py",
    });
    // A build setting sends the whole buildConfig, the others as they are live.
    assert.deepEqual(toPatchWorkflowBody(inputs({ branch: "dev" }), live), {
      buildConfig: { ...live.buildConfig, branch: "dev" },
    });
  });

  it("the adoption report shows settings both sides and env vars without secret values", () => {
    const lines = workflowAdoptionChanges(
      inputs({
        buildCommand: "pip install .",
        envVars: { TOKEN: { kind: "secret", value: "s3cret" }, MODE: { kind: "plain", value: "batch" } },
      }),
      live,
      { TOKEN: "other", OLD: "x" },
    );
    assert.deepEqual(lines, [
      '~ buildCommand: "pip install -r requirements.txt" => "pip install ."',
      '+ add env var MODE = "batch"',
      "~ env var TOKEN: [secret] differs from the config's; set to the config's",
      "- remove env var OLD (set outside Pulumi, not in the config; value not shown)",
    ]);
  });
});
