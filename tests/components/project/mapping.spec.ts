import { strict as assert } from "node:assert";
import {
  diffProject,
  fromProject,
  planEnvironments,
  projectChanges,
  toCreateProjectBody,
  type EnvironmentInputs,
  type LiveProject,
  type ProjectInputs,
} from "../../../components/project/mapping";

const OWNER = "tea-d303qfodl3ps739p3e60";
const env = (name: string, extra: Partial<EnvironmentInputs> = {}): EnvironmentInputs => ({
  name,
  protectedStatus: "unprotected",
  networkIsolationEnabled: false,
  ipAllowList: [],
  ...extra,
});
const liveEnv = (id: string, name: string, extra: Partial<LiveProject["environments"][number]> = {}) => ({
  id,
  name,
  protectedStatus: "unprotected",
  networkIsolationEnabled: false,
  ipAllowList: [],
  serviceIds: [],
  databasesIds: [],
  redisIds: [],
  envGroupIds: [],
  ...extra,
});
const live = (envs: LiveProject["environments"], name = "arrakis"): LiveProject => ({
  project: {
    id: "prj-1",
    name,
    owner: { id: OWNER, name: "w", type: "team" },
    environmentIds: envs.map((e) => e.id),
  },
  environments: envs,
});
const desired = (envs: EnvironmentInputs[], extra: Partial<ProjectInputs> = {}): ProjectInputs => ({
  name: "arrakis",
  ownerId: OWNER,
  environments: envs,
  adoptExisting: false,
  allowReplacement: false,
  ...extra,
});

// Pure mapping: bodies, the live project read back, and the plan of environment changes.
describe("RenderProject mapping", () => {
  it("posts the project with every environment's settings", () => {
    assert.deepEqual(toCreateProjectBody(desired([env("production", { protectedStatus: "protected" })])), {
      name: "arrakis",
      ownerId: OWNER,
      environments: [
        { name: "production", protectedStatus: "protected", networkIsolationEnabled: false, ipAllowList: [] },
      ],
    });
  });

  it("reads a live project back as the inputs it corresponds to: no drift against itself", () => {
    const l = live([
      liveEnv("evm-a", "production", { ipAllowList: [{ cidrBlock: "10.0.0.0/8" }] }),
      liveEnv("evm-b", "staging"),
    ]);
    const back = fromProject(l);
    assert.deepEqual(back.environments[0].ipAllowList, [{ cidrBlock: "10.0.0.0/8", description: "" }]);
    assert.deepEqual(diffProject(back, l), { changed: [], replaced: [] });
  });

  it("plans creations, changes, renames (renamedFrom) and deletions; a new name without renamedFrom is a new environment", () => {
    const l = [liveEnv("evm-a", "production"), liveEnv("evm-b", "staging"), liveEnv("evm-c", "old")];
    const steps = planEnvironments(
      [
        env("production", { networkIsolationEnabled: true }),
        env("qa", { renamedFrom: "staging" }),
        env("preview"),
      ],
      l,
    );
    assert.deepEqual(
      steps.map((s) =>
        s.op === "create"
          ? `create ${s.env.name}`
          : s.op === "delete"
            ? `delete ${s.live.id}`
            : `update ${s.id} ${JSON.stringify(s.body)}`,
      ),
      [
        'update evm-a {"networkIsolationEnabled":true}',
        'update evm-b {"name":"qa"}',
        "create preview",
        "delete evm-c",
      ],
    );
    assert.deepEqual(
      planEnvironments([env("qa")], [liveEnv("evm-b", "staging")]).map((s) => s.op),
      ["create", "delete"],
    );
    // A rename never takes an environment that another entry keeps by its own name.
    assert.deepEqual(
      planEnvironments(
        [env("staging"), env("qa", { renamedFrom: "staging" })],
        [liveEnv("evm-b", "staging")],
      ).map((s) => s.op),
      ["create"],
    );
  });

  it("reports drift as changed environments, an owner change as a replacement, and readable lines", () => {
    const l = live(
      [liveEnv("evm-a", "production", { protectedStatus: "protected" }), liveEnv("evm-x", "extra")],
      "renamed",
    );
    const d = desired([env("production")], { ownerId: "tea-other00000000000000" });
    assert.deepEqual(diffProject(d, l), { changed: ["name", "environments"], replaced: ["ownerId"] });
    assert.deepEqual(projectChanges(d, l), [
      '~ name: "renamed" => "arrakis"',
      '~ environment production (evm-a): protectedStatus: "protected" => "unprotected"',
      "- environment extra (evm-x)",
    ]);
  });
});
