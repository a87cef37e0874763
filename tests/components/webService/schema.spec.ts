/**
 * components/webService/schema.ts field by field: for every field of `webServiceFields`, a wrong value
 * and the message `check` gives for it, its default, and how a live Render value for it shows in the
 * diff (`diffService` for the settings, `diffEnvVars` for the env vars: what the provider's diff plans
 * from). A field added to the schema without a row here fails the first test.
 */
import { strict as assert } from "node:assert";
import {
  checkServiceInputs,
  diffEnvVars,
  diffService,
  type LiveService,
  type ServiceInputs,
} from "../../../components/webService/mapping";
import { webServiceFields } from "../../../components/webService/schema";
import { regions, servicePlans, serviceRuntimes } from "../../../components/render/enums";
import { allowed } from "../../../components/runtime/validation";

/** The smallest valid arguments: every required field. */
const valid = {
  name: "arrakis-prod",
  ownerId: "tea-d303qfodl3ps739p3e60",
  repo: "https://github.com/happydotemdr/arrakis",
  buildCommand: "npm ci && npm run build",
  startCommand: "npm start",
};

/** The live service that `valid` describes, as Render answers it. */
function live(
  details: Partial<LiveService["serviceDetails"]> = {},
  top: Partial<LiveService> = {},
): LiveService {
  return {
    name: "arrakis-prod",
    ownerId: "tea-d303qfodl3ps739p3e60",
    repo: "https://github.com/happydotemdr/arrakis",
    branch: "master",
    rootDir: "",
    autoDeploy: "no",
    suspended: "not_suspended",
    serviceDetails: {
      runtime: "node",
      plan: "starter",
      region: "oregon",
      healthCheckPath: "",
      numInstances: 1,
      previews: { generation: "off" },
      envSpecificDetails: { buildCommand: "npm ci && npm run build", startCommand: "npm start" },
      ...details,
    },
    ...top,
  };
}

/**
 * A drift case: the arguments beside `valid`, the live service beside `live()` (`details` in
 * serviceDetails, `top` at the top level), and what the diff says.
 */
interface DriftCase {
  args?: Record<string, unknown>;
  details?: Partial<LiveService["serviceDetails"]>;
  top?: Partial<LiveService>;
  changed?: string[];
  replaced?: string[];
}

interface Row {
  /** A wrong value and the failures (property, reason) `check` gives for it. */
  bad: { value: unknown; failures: [string, string][] };
  /** The checked value when the field is absent; or absent itself ("none"); or required (its message). */
  default: { value: unknown } | "none" | { required: string };
  /**
   * A Render setting: how a live value that differs shows in the diff (in place or replacing). The env
   * vars have their own diff; a field only the provider reads says "not drift".
   */
  drift: DriftCase[] | "envVars" | { notDrift: string; args: Record<string, unknown> };
}

const nativeDetails = { buildCommand: "npm ci && npm run build", startCommand: "npm start" };
/** Arguments of the same service built from a Dockerfile (no native commands). */
const docker = (extra: Record<string, unknown> = {}) => ({
  runtime: "docker",
  buildCommand: undefined,
  startCommand: undefined,
  ...extra,
});
/** Live details of a docker service (Render's defaults unless given). */
const dockerDetails = (esd: Record<string, string> = {}): Partial<LiveService["serviceDetails"]> => ({
  runtime: "docker",
  envSpecificDetails: { dockerCommand: "", dockerContext: ".", dockerfilePath: "./Dockerfile", ...esd },
});
/** Arguments of an image service. */
const image = (extra: Record<string, unknown> = {}) => ({
  runtime: "image",
  repo: undefined,
  buildCommand: undefined,
  startCommand: undefined,
  image: { url: "docker.io/library/nginx:1.27", ...extra },
});
const imageTop = (extra: Partial<LiveService> = {}): Partial<LiveService> => ({
  repo: undefined,
  branch: undefined,
  imagePath: "docker.io/library/nginx:1.27",
  ...extra,
});

/** render.yaml `scaling` (chroma's, on CPU alone unless given). */
const scaling = (extra: Record<string, unknown> = {}) => ({
  minInstances: 1,
  maxInstances: 3,
  targetCPUPercent: 60,
  ...extra,
});
/** The live autoscaling `scaling()` describes. */
const autoscaling = () => ({
  enabled: true,
  min: 1,
  max: 3,
  criteria: { cpu: { enabled: true, percentage: 60 }, memory: { enabled: false, percentage: 70 } },
});

const runtimeError = (v: string) => `"${v}" is not a Render runtime; allowed: ${allowed(serviceRuntimes)}`;

const rows: Record<string, Row> = {
  name: {
    bad: {
      value: "arrakis/prod",
      failures: [
        [
          "name",
          "may contain only letters, digits, spaces, '.', '_' and '-', and must start with a letter or digit",
        ],
      ],
    },
    default: { required: "is required: the service's name on Render" },
    drift: [{ top: { name: "renamed-outside" }, changed: ["name"] }],
  },
  ownerId: {
    bad: {
      value: "team-1",
      failures: [["ownerId", 'must be a Render workspace id like tea-d303qfodl3ps739p3e60 (got "team-1")']],
    },
    default: {
      required:
        "is required: a workspace id like tea-…; set it with `pulumi config set render:ownerId tea-…`",
    },
    drift: [{ top: { ownerId: "tea-d303qfodl3ps739p3e61" }, replaced: ["ownerId"] }],
  },
  repo: {
    bad: {
      value: "git@github.com:happydotemdr/arrakis.git",
      failures: [
        [
          "repo",
          'must be an https URL of a repository like https://github.com/owner/repo (got "git@github.com:happydotemdr/arrakis.git")',
        ],
      ],
    },
    default: {
      required: "is required: the Git repository URL, e.g. https://github.com/happydotemdr/arrakis",
    },
    drift: [
      { top: { repo: "https://github.com/happydotemdr/other" }, changed: ["repo"] },
      // Another spelling of the same repository is not drift.
      { top: { repo: "https://GitHub.com/happydotemdr/arrakis.git" } },
    ],
  },
  branch: {
    bad: { value: "a..b", failures: [["branch", "is not a valid Git branch name"]] },
    default: "none",
    drift: [
      { args: { branch: "main" }, changed: ["branch"] },
      // Absent: whatever branch the service builds.
      { top: { branch: "release" } },
    ],
  },
  rootDir: {
    bad: {
      value: "/web",
      failures: [["rootDir", "must be a path inside the repository (no leading '/', no '..')"]],
    },
    default: { value: "" },
    drift: [{ top: { rootDir: "web" }, changed: ["rootDir"] }],
  },
  runtime: {
    bad: { value: "cobol", failures: [["runtime", runtimeError("cobol")]] },
    default: { value: "node" },
    drift: [{ details: { runtime: "python" }, replaced: ["runtime"] }],
  },
  plan: {
    bad: {
      value: "huge",
      failures: [["plan", `"huge" is not a Render web service plan; allowed: ${allowed(servicePlans)}`]],
    },
    default: { value: "starter" },
    drift: [{ details: { plan: "standard" }, changed: ["plan"] }],
  },
  region: {
    bad: {
      value: "mars",
      failures: [["region", `"mars" is not a Render region; allowed: ${allowed(regions)}`]],
    },
    default: { value: "oregon" },
    drift: [{ details: { region: "ohio" }, replaced: ["region"] }],
  },
  buildCommand: {
    bad: { value: "  ", failures: [["buildCommand", "must not be empty: the build command"]] },
    default: { required: "is required: the build command, e.g. npm install && npm run build" },
    drift: [
      {
        details: { envSpecificDetails: { buildCommand: "make", startCommand: "npm start" } },
        changed: ["buildCommand"],
      },
    ],
  },
  startCommand: {
    bad: { value: "", failures: [["startCommand", "must not be empty: the start command"]] },
    default: { required: "is required: the start command, e.g. npm start" },
    drift: [
      {
        details: { envSpecificDetails: { buildCommand: "npm ci && npm run build", startCommand: "node ." } },
        changed: ["startCommand"],
      },
    ],
  },
  preDeployCommand: {
    bad: { value: 5, failures: [["preDeployCommand", "must be a string"]] },
    default: "none",
    drift: [
      {
        details: {
          envSpecificDetails: {
            buildCommand: "npm ci && npm run build",
            startCommand: "npm start",
            preDeployCommand: "npm run migrate",
          },
        },
        changed: ["preDeployCommand"],
      },
    ],
  },
  initialDeployHook: {
    bad: {
      value: " ",
      failures: [
        ["initialDeployHook", "must not be empty: the command to run once after the first successful deploy"],
      ],
    },
    default: "none",
    drift: {
      notDrift: "run once after the first successful deploy; Render keeps no such setting",
      args: { initialDeployHook: "npm run seed" },
    },
  },
  dockerfilePath: {
    bad: {
      value: "../Dockerfile",
      failures: [
        [
          "dockerfilePath",
          "must be a path inside the repository (no leading '/', no '..'), e.g. ./Dockerfile",
        ],
      ],
    },
    default: "none",
    drift: [
      // Absent: Render's default ./Dockerfile, in either spelling.
      { args: docker(), details: dockerDetails({ dockerfilePath: "Dockerfile" }) },
      {
        args: docker(),
        details: dockerDetails({ dockerfilePath: "api/Dockerfile" }),
        changed: ["dockerfilePath"],
      },
      {
        args: docker({ dockerfilePath: "./api/Dockerfile" }),
        details: dockerDetails({ dockerfilePath: "api/Dockerfile" }),
      },
    ],
  },
  dockerContext: {
    bad: {
      value: "/srv",
      failures: [["dockerContext", "must be a path inside the repository (no leading '/', no '..'), e.g. ."]],
    },
    default: "none",
    drift: [
      {
        args: docker({ dockerContext: "api" }),
        details: dockerDetails({ dockerContext: "." }),
        changed: ["dockerContext"],
      },
    ],
  },
  dockerCommand: {
    bad: { value: 7, failures: [["dockerCommand", "must be a string: the command the container runs"]] },
    default: "none",
    drift: [
      { args: docker(), details: dockerDetails({ dockerCommand: "./serve" }), changed: ["dockerCommand"] },
      // Native services have no docker command: not compared.
      { details: { envSpecificDetails: { ...nativeDetails, dockerCommand: "x" } } },
    ],
  },
  image: {
    bad: {
      value: { url: "https://nginx" },
      failures: [
        [
          "image.url",
          'must be an image URL like docker.io/library/nginx:1.27 or ghcr.io/owner/app@sha256:… (got "https://nginx")',
        ],
      ],
    },
    default: "none",
    drift: [
      { args: image(), top: imageTop(), details: { runtime: "image", envSpecificDetails: {} } },
      {
        args: image(),
        top: imageTop({ imagePath: "docker.io/library/nginx:1.28" }),
        details: { runtime: "image", envSpecificDetails: {} },
        changed: ["image"],
      },
      {
        args: image({ creds: "rgc-d303qfodl3ps739p3e71" }),
        top: imageTop(),
        details: { runtime: "image", envSpecificDetails: {} },
        changed: ["image"],
      },
      // A native service built from the repository becomes an image service: replaced.
      { args: image(), replaced: ["runtime"] },
    ],
  },
  healthCheckPath: {
    bad: {
      value: "healthz",
      failures: [["healthCheckPath", `must be empty or a path starting with '/' (got "healthz")`]],
    },
    default: { value: "" },
    drift: [{ details: { healthCheckPath: "/healthz" }, changed: ["healthCheckPath"] }],
  },
  maxShutdownDelaySeconds: {
    bad: {
      value: 0,
      failures: [["maxShutdownDelaySeconds", "must be a whole number of seconds from 1 to 300"]],
    },
    default: "none",
    drift: [
      { details: { maxShutdownDelaySeconds: 120 }, changed: ["maxShutdownDelaySeconds"] },
      // Render's default is what no setting means.
      { details: { maxShutdownDelaySeconds: 30 } },
      { args: { maxShutdownDelaySeconds: 30 } },
      { args: { maxShutdownDelaySeconds: 300 }, details: { maxShutdownDelaySeconds: 300 } },
    ],
  },
  numInstances: {
    bad: { value: 0, failures: [["numInstances", "must be a whole number of instances from 1 to 100"]] },
    default: { value: 1 },
    drift: [
      { details: { numInstances: 3 }, changed: ["numInstances"] },
      // While Render autoscales, the count is its autoscaler's.
      { args: { scaling: scaling() }, details: { numInstances: 3, autoscaling: autoscaling() } },
    ],
  },
  scaling: {
    bad: {
      value: { minInstances: 3, maxInstances: 2 },
      failures: [
        ["scaling.minInstances", "must not exceed maxInstances (3 > 2)"],
        ["scaling", "needs a target: targetCPUPercent and/or targetMemoryPercent, each from 1 to 90"],
      ],
    },
    default: "none",
    drift: [
      { details: { autoscaling: autoscaling() }, changed: ["scaling"] },
      { args: { scaling: scaling() }, changed: ["scaling"] },
      { args: { scaling: scaling() }, details: { autoscaling: autoscaling() } },
      // Turned off in the dashboard, or a target changed: each is drift.
      {
        args: { scaling: scaling() },
        details: { autoscaling: { ...autoscaling(), enabled: false } },
        changed: ["scaling"],
      },
      {
        args: { scaling: scaling({ targetMemoryPercent: 80 }) },
        details: { autoscaling: autoscaling() },
        changed: ["scaling"],
      },
    ],
  },
  autoDeploy: {
    bad: { value: "maybe", failures: [["autoDeploy", "autoDeploy must be true or false"]] },
    default: { value: false },
    drift: [{ top: { autoDeploy: "yes" }, changed: ["autoDeploy"] }],
  },
  pullRequestPreviews: {
    bad: { value: "maybe", failures: [["pullRequestPreviews", "pullRequestPreviews must be true or false"]] },
    default: { value: false },
    drift: [{ details: { previews: { generation: "automatic" } }, changed: ["pullRequestPreviews"] }],
  },
  suspended: {
    bad: { value: "yes", failures: [["suspended", "suspended must be true or false"]] },
    default: { value: false },
    drift: [{ top: { suspended: "suspended" }, changed: ["suspended"] }],
  },
  envVars: {
    bad: {
      value: { "1BAD": { kind: "plain", value: "x" } },
      failures: [
        [
          "envVars.1BAD",
          "is not a valid env var key: use letters, digits and '_', not starting with a digit",
        ],
      ],
    },
    default: { value: {} },
    drift: "envVars",
  },
  environmentId: {
    bad: {
      value: "prod",
      failures: [
        [
          "environmentId",
          'must be a Render environment id like "evm-…" (a RenderProject\'s environmentId(name))',
        ],
      ],
    },
    default: "none",
    drift: [
      // Another environment is a move in place (POST /environments/{id}/resources), never a replace.
      {
        args: { environmentId: "evm-aaaaaaaaaaaaaaaaaaaa" },
        top: { environmentId: "evm-bbbbbbbbbbbbbbbbbbbb" },
        changed: ["environmentId"],
      },
      {
        args: { environmentId: "evm-aaaaaaaaaaaaaaaaaaaa" },
        top: { environmentId: null },
        changed: ["environmentId"],
      },
      // An environment the config leaves out is not managed.
      { top: { environmentId: "evm-bbbbbbbbbbbbbbbbbbbb" } },
    ],
  },
  adoptExisting: {
    bad: { value: "yes", failures: [["adoptExisting", "adoptExisting must be true or false"]] },
    default: { value: false },
    drift: {
      notDrift: "how the provider creates: adopt a service of the same name",
      args: { adoptExisting: true },
    },
  },
  adoptId: {
    bad: {
      value: "dpg-d303qfodl3ps739p3e6g-a",
      failures: [["adoptId", 'must be a Render service id like "srv-…" (the dashboard URL has it)']],
    },
    default: "none",
    drift: {
      notDrift: "which live service the provider adopts",
      args: { adoptId: "srv-d303qfodl3ps739p3e70" },
    },
  },
};

function check(raw: Record<string, unknown>) {
  const { inputs, failures } = checkServiceInputs(raw);
  return { inputs, failures: failures.map((f): [string, string] => [f.property, f.reason]) };
}

function desired(args: Record<string, unknown> = {}): ServiceInputs {
  const { inputs, failures } = check({ ...valid, ...args });
  assert.deepEqual(failures, [], "the row's arguments are valid");
  return inputs as unknown as ServiceInputs;
}

describe("web service schema, field by field", () => {
  it("has a row for every field of webServiceFields, and no other", () => {
    assert.deepEqual(Object.keys(rows), Object.keys(webServiceFields));
  });

  it("the live service of the table is what the valid arguments describe: no drift", () => {
    assert.deepEqual(diffService(desired(), live()), { changed: [], replaced: [] });
  });

  for (const [field, row] of Object.entries(rows)) {
    describe(field, () => {
      it(`refuses ${JSON.stringify(row.bad.value)}, naming the field and what is allowed`, () => {
        assert.deepEqual(check({ ...valid, [field]: row.bad.value }).failures, row.bad.failures);
      });

      const def = row.default;
      const says = def === "none" ? "none" : "required" in def ? "required" : JSON.stringify(def.value);
      it(`default: ${says}`, () => {
        const { [field]: _omitted, ...without } = valid as Record<string, unknown>;
        const { inputs, failures } = check(without);
        if (def !== "none" && "required" in def) {
          assert.deepEqual(failures, [[field, def.required]]);
          return;
        }
        assert.deepEqual(failures, []);
        if (def === "none") assert.ok(!(field in inputs), `${field} is ${JSON.stringify(inputs[field])}`);
        else assert.deepEqual(inputs[field], def.value);
      });

      const drift = row.drift;
      if (drift === "envVars") {
        it("env vars: a live key not in the config is removed, a live value that differs is set back", () => {
          const wanted = desired({
            envVars: { NODE_ENV: { kind: "plain", value: "production" }, SECRET: { kind: "generated" } },
          });
          // Not a setting of diffService: env vars are compared on their own.
          assert.deepEqual(diffService(wanted, live()), { changed: [], replaced: [] });
          assert.deepEqual(
            diffEnvVars(wanted.envVars, { NODE_ENV: "development", SECRET: "made-by-render", EXTRA: "x" }),
            { added: [], removed: ["EXTRA"], changed: ["NODE_ENV"] },
          );
          // A generated value is compared with the one Render made, never regenerated.
          assert.deepEqual(
            diffEnvVars(
              wanted.envVars,
              { NODE_ENV: "production", SECRET: "changed" },
              { SECRET: "made-by-render" },
            ),
            { added: [], removed: [], changed: ["SECRET"] },
          );
        });
        return;
      }
      if (!Array.isArray(drift)) {
        it(`not drift: ${drift.notDrift}`, () => {
          assert.deepEqual(diffService(desired(drift.args), live()), { changed: [], replaced: [] });
        });
        return;
      }
      for (const c of drift) {
        const shows = c.replaced
          ? "replaces the service"
          : c.changed
            ? "changes it in place"
            : "is not drift";
        const what = JSON.stringify({ ...c.top, ...c.details });
        it(`live ${what}${c.args ? ` against ${JSON.stringify(c.args)}` : ""} ${shows}`, () => {
          assert.deepEqual(diffService(desired(c.args), live(c.details, c.top)), {
            changed: c.changed ?? [],
            replaced: c.replaced ?? [],
          });
        });
      }
    });
  }
});
