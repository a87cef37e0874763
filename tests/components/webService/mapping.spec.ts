import { strict as assert } from "node:assert";
import { stableHash } from "../../../components/runtime/hashing";
import {
  adoptionChanges,
  checkServiceInputs,
  linkedValue,
  resolveEnvVars,
  diffEnvVars,
  diffService,
  toCreateServiceBody,
  toEnvVarBody,
  toPatchServiceBody,
  sameRepo,
  type LiveService,
  type ServiceInputs,
} from "../../../components/webService/mapping";
import { unknownSentinel } from "../../../components/runtime/validation";
import {
  serviceDeploySettings,
  webServiceFieldMeta,
  webServiceFieldsWhere,
} from "../../../components/webService/schema";

const sources = {
  "dpg-d303qfodl3ps739p3e6g-a": {
    internalConnectionString: "postgresql://u:p@dpg-d303qfodl3ps739p3e6g-a/db_ab12",
    externalConnectionString:
      "postgresql://u:p@dpg-d303qfodl3ps739p3e6g-a.oregon-postgres.render.com:5432/db_ab12",
    password: "p",
  },
};

const seed = {
  name: "arrakis-prod",
  ownerId: "tea-d303qfodl3ps739p3e60",
  runtime: "node",
  plan: "starter",
  region: "oregon",
  repo: "https://github.com/happydotemdr/arrakis.git",
  branch: "master",
  autoDeploy: false,
  buildCommand: "npm install && npm run build",
  startCommand: "npm start",
  healthCheckPath: "/",
  envVars: {
    NODE_ENV: { kind: "plain", value: "production" },
    DATABASE_URL: { kind: "linked", database: "dpg-d303qfodl3ps739p3e6g-a", property: "connectionString" },
    NEXTAUTH_SECRET: { kind: "generated" },
  },
};

function checked(raw: Record<string, unknown>): ServiceInputs {
  const { inputs, failures } = checkServiceInputs(raw);
  assert.deepEqual(failures, []);
  return inputs as unknown as ServiceInputs;
}

function live(
  overrides: Partial<LiveService["serviceDetails"]> = {},
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
      healthCheckPath: "/",
      numInstances: 1,
      previews: { generation: "off" },
      envSpecificDetails: { buildCommand: "npm install && npm run build", startCommand: "npm start" },
      ...overrides,
    },
    ...top,
  };
}

describe("web service mapping", () => {
  it("the deploy trigger hashes the schema's `redeploys` settings: exactly these (another list redeploys every stack)", () => {
    // The docker and image settings are new; absent (every native service), they add nothing to the
    // hash (stableHash drops undefined keys), so a native stack's trigger is unchanged.
    assert.deepEqual(serviceDeploySettings, [
      "repo",
      "branch",
      "rootDir",
      "runtime",
      "plan",
      "buildCommand",
      "startCommand",
      "preDeployCommand",
      "dockerfilePath",
      "dockerContext",
      "dockerCommand",
      "image",
    ]);
    const native = {
      repo: "r",
      rootDir: "",
      runtime: "node",
      plan: "starter",
      buildCommand: "b",
      startCommand: "s",
    };
    const pick = (args: Record<string, unknown>) =>
      Object.fromEntries(serviceDeploySettings.map((key) => [key, args[key]]));
    assert.equal(stableHash(pick(native)), stableHash(native));
    // What the app runs is set on Render: every `redeploys` field is a setting there.
    for (const field of serviceDeploySettings) assert.equal(webServiceFieldMeta[field].render, true, field);
    assert.deepEqual(
      webServiceFieldsWhere((m) => m.render !== true),
      // initialDeployHook runs once (a one-off job); Render keeps no such setting.
      ["initialDeployHook", "adoptExisting", "adoptId"],
    );
  });

  it("normalises the seed and finds no drift against a matching live service", () => {
    const inputs = checked(seed);
    assert.equal(inputs.repo, "https://github.com/happydotemdr/arrakis");
    assert.equal(inputs.numInstances, 1);
    assert.deepEqual(diffService(inputs, live()), { changed: [], replaced: [] });
  });

  const bad: [string, Record<string, unknown>, string, RegExp][] = [
    ["unknown plan", { plan: "tiny" }, "plan", /allowed: "starter"/],
    ["unknown runtime", { runtime: "java" }, "runtime", /allowed: "docker", .*"node"/],
    ["unknown region", { region: "mars" }, "region", /allowed: "oregon"/],
    ["negative instances", { numInstances: -1 }, "numInstances", /from 1 to 100/],
    ["fractional instances", { numInstances: 1.5 }, "numInstances", /whole number/],
    ["health check without slash", { healthCheckPath: "health" }, "healthCheckPath", /starting with '\/'/],
    ["repo that is not a URL", { repo: "arrakis" }, "repo", /https URL/],
    ["branch with '..'", { branch: "a..b" }, "branch", /branch name/],
    ["empty start command", { startCommand: " " }, "startCommand", /must not be empty/],
    [
      "env var key with a dash",
      { envVars: { "BAD-KEY": { kind: "plain", value: "x" } } },
      "envVars.BAD-KEY",
      /not a valid env var key/,
    ],
    [
      "env var key starting with a digit",
      { envVars: { "1X": { kind: "plain", value: "x" } } },
      "envVars.1X",
      /not a valid/,
    ],
    ["env var without a value", { envVars: { A: { kind: "secret" } } }, "envVars.A", /needs a value/],
    [
      "unknown env var kind",
      { envVars: { A: { kind: "magic", value: "x" } } },
      "envVars.A.kind",
      /"plain", "secret"/,
    ],
    [
      "a service URL given a value",
      { envVars: { U: { kind: "serviceUrl", value: "x" } } },
      "envVars.U",
      /own URL; give no value/,
    ],
    [
      "a service host name given a value",
      { envVars: { H: { kind: "serviceHostname", value: "x" } } },
      "envVars.H",
      /own host name; give no value/,
    ],
    [
      "a generated value given a value",
      { envVars: { G: { kind: "generated", value: "x" } } },
      "envVars.G",
      /made by Render/,
    ],
    [
      "a link without its property",
      { envVars: { L: { kind: "linked", database: "dpg-x" } } },
      "envVars.L",
      /needs \{database, property\}/,
    ],
    [
      "a link to a property that does not exist",
      { envVars: { L: { kind: "linked", database: "dpg-x", property: "url" } } },
      "envVars.L.property",
      /"url" is not a database property; allowed: "connectionString"/,
    ],
    ["rootDir escaping the repo", { rootDir: "../x" }, "rootDir", /inside the repository/],
    ["typo", { buildComand: "x" }, "buildComand", /not a RenderWebService argument/],
  ];
  for (const [what, change, property, reason] of bad) {
    it(`refuses ${what}, naming ${property}`, () => {
      const { failures } = checkServiceInputs({ ...seed, ...change });
      const failure = failures.find((f) => f.property === property);
      assert.ok(failure, `no failure for ${property}: ${JSON.stringify(failures)}`);
      assert.match(failure.reason, reason);
    });
  }

  it("takes generated, service-URL and service-host-name env vars without a value", () => {
    const inputs = checked({
      ...seed,
      envVars: { U: { kind: "serviceUrl" }, H: { kind: "serviceHostname" }, G: { kind: "generated" } },
    });
    assert.deepEqual(Object.keys(inputs.envVars), ["U", "H", "G"]);
  });

  it("resolves the service's own URL and host name (Render's RENDER_EXTERNAL_URL/HOSTNAME)", () => {
    const url = "https://shop-x1y2.onrender.com";
    assert.deepEqual(resolveEnvVars({ U: { kind: "serviceUrl" }, H: { kind: "serviceHostname" } }, url), {
      U: { kind: "plain", value: url },
      H: { kind: "plain", value: "shop-x1y2.onrender.com" },
    });
    // Not known yet (a create's preview): empty, never a made-up host.
    assert.deepEqual(resolveEnvVars({ H: { kind: "serviceHostname" } }, ""), {
      H: { kind: "plain", value: "" },
    });
  });

  it("checks env var keys even while values are unknown during preview, and keeps the unknowns", () => {
    const envVars = {
      DATABASE_URL: { kind: "linked", database: unknownSentinel, property: "connectionString" },
    };
    const { inputs, failures } = checkServiceInputs({ ...seed, envVars });
    assert.deepEqual(failures, []);
    assert.deepEqual(inputs.envVars, envVars);
    const bad = checkServiceInputs({
      ...seed,
      envVars: { "A-B": { kind: "linked", value: unknownSentinel } },
    });
    assert.equal(bad.failures[0]?.property, "envVars.A-B");
  });

  it("sends env vars with the create call, asking Render to generate the generated ones", () => {
    const body = toCreateServiceBody({
      ...checked(seed),
      envVars: resolveEnvVars(checked(seed).envVars, "", sources),
    });
    assert.deepEqual(body.envVars, [
      { key: "NODE_ENV", value: "production" },
      { key: "DATABASE_URL", value: "postgresql://u:p@dpg-d303qfodl3ps739p3e6g-a/db_ab12" },
      { key: "NEXTAUTH_SECRET", generateValue: true },
    ]);
    assert.equal(body.autoDeploy, "no");
  });

  it("keeps a generated value on a full replace instead of generating it again", () => {
    const body = toEnvVarBody(resolveEnvVars(checked(seed).envVars, "", sources), {
      NEXTAUTH_SECRET: "kept",
    });
    assert.deepEqual(body[2], { key: "NEXTAUTH_SECRET", value: "kept" });
  });

  it("patches only what drifted, with Render's spellings", () => {
    const patch = toPatchServiceBody(
      checked(seed),
      live(
        { plan: "standard", envSpecificDetails: { buildCommand: "x", startCommand: "npm start" } },
        { autoDeploy: "yes" },
      ),
    );
    assert.deepEqual(patch, {
      autoDeploy: "no",
      serviceDetails: {
        plan: "starter",
        envSpecificDetails: { buildCommand: "npm install && npm run build" },
      },
    });
    assert.equal(toPatchServiceBody(checked(seed), live()), undefined);
    assert.deepEqual(diffService(checked(seed), live({ region: "ohio" })).replaced, ["region"]);
  });

  it("reports env vars added, removed and changed on Render, and generated drift without regenerating", () => {
    const inputs = checked(seed);
    const d = diffEnvVars(
      resolveEnvVars(inputs.envVars, "", sources),
      {
        NODE_ENV: "development",
        DATABASE_URL: "postgresql://u:p@dpg-d303qfodl3ps739p3e6g-a/db_ab12",
        NEXTAUTH_SECRET: "other",
        EXTRA: "1",
      },
      { NEXTAUTH_SECRET: "original" },
    );
    assert.deepEqual(d, { added: [], removed: ["EXTRA"], changed: ["NEXTAUTH_SECRET", "NODE_ENV"] });
    assert.deepEqual(diffEnvVars(inputs.envVars, {}).added, ["DATABASE_URL", "NEXTAUTH_SECRET", "NODE_ENV"]);
  });

  it("reads each fromDatabase property from the database's connection info", () => {
    const source = sources["dpg-d303qfodl3ps739p3e6g-a"];
    assert.equal(linkedValue(source, "connectionString"), source.internalConnectionString);
    assert.equal(linkedValue(source, "externalConnectionString"), source.externalConnectionString);
    assert.equal(linkedValue(source, "host"), "dpg-d303qfodl3ps739p3e6g-a");
    assert.equal(linkedValue(source, "port"), "5432");
    assert.equal(linkedValue(source, "user"), "u");
    assert.equal(linkedValue(source, "password"), "p");
    assert.equal(linkedValue(source, "database"), "db_ab12");
    // A Key Value's internal URL: Redis's default port when the URL names none; never its password.
    const kv = {
      internalConnectionString: "redis://red-abc:s3cret@red-abc",
      externalConnectionString: "",
      password: "",
    };
    assert.equal(linkedValue(kv, "host"), "red-abc");
    assert.equal(linkedValue(kv, "port"), "6379");
    assert.equal(linkedValue(kv, "hostport"), "red-abc:6379");
    assert.throws(
      () => resolveEnvVars({ X: { kind: "linked", database: "dpg-other", property: "host" } }, ""),
      /dpg-other/,
    );
  });

  it("a repository URL with .git or a trailing slash is the same repository: no change, no PATCH", () => {
    assert.ok(
      sameRepo("https://github.com/happydotemdr/arrakis", "https://github.com/happydotemdr/arrakis.git"),
    );
    assert.ok(
      sameRepo("https://GitHub.com/happydotemdr/arrakis/", "https://github.com/happydotemdr/arrakis"),
    );
    assert.ok(
      !sameRepo("https://github.com/happydotemdr/arrakis", "https://github.com/happydotemdr/arrakis2"),
    );
    assert.ok(
      !sameRepo("https://github.com/happydotemdr/arrakis", "https://gitlab.com/happydotemdr/arrakis"),
    );
    const inputs = checked(seed);
    const dotGit = live({}, { repo: "https://github.com/happydotemdr/arrakis.git" });
    assert.deepEqual(diffService(inputs, dotGit), { changed: [], replaced: [] });
    assert.equal(toPatchServiceBody(inputs, dotGit), undefined);
  });

  describe("adoptionChanges: what adopting a live service changes, as the preview says it", () => {
    const adopted = () =>
      checked({
        ...seed,
        preDeployCommand: "npm run db:deploy",
        envVars: {
          ...seed.envVars,
          NEXTAUTH_URL: { kind: "serviceUrl" },
          OPENAI_API_KEY: { kind: "secret", value: "sk-config" },
          FEATURE: { kind: "plain", value: "on" },
        },
      });
    const url = "https://arrakis-prod.onrender.com";
    const matching = {
      NODE_ENV: "production",
      DATABASE_URL: sources["dpg-d303qfodl3ps739p3e6g-a"].internalConnectionString,
      NEXTAUTH_SECRET: "generated-live-value",
      NEXTAUTH_URL: url,
      OPENAI_API_KEY: "sk-config",
      FEATURE: "on",
    };
    const liveService = () => live({ url } as Partial<LiveService["serviceDetails"]>);

    it("names settings (both sides), removed keys, differing values (secrets masked), kept generated values", () => {
      const lines = adoptionChanges(
        adopted(),
        liveService(),
        { ...matching, NODE_ENV: "development", OPENAI_API_KEY: "sk-dashboard", EXTRA: "typed-in-dashboard" },
        sources,
      );
      assert.deepEqual(lines, [
        '~ preDeployCommand: "" => "npm run db:deploy"',
        "= env var NEXTAUTH_SECRET: kept (its live value is recorded and never regenerated)",
        '~ env var NODE_ENV: "development" => "production"',
        "~ env var OPENAI_API_KEY: [secret] differs from the config's; set to the config's",
        "- remove env var EXTRA (set outside Pulumi, not in the config; value not shown)",
      ]);
      const text = lines.join("\n");
      for (const secret of ["sk-dashboard", "sk-config", "typed-in-dashboard", "generated-live-value"])
        assert.ok(!text.includes(secret), secret);
    });

    it("nothing but the kept generated value when live matches; missing keys are added", () => {
      const same = adoptionChanges(
        adopted(),
        live({
          url,
          envSpecificDetails: {
            buildCommand: "npm install && npm run build",
            startCommand: "npm start",
            preDeployCommand: "npm run db:deploy",
          },
        } as Partial<LiveService["serviceDetails"]>),
        matching,
        sources,
      );
      assert.deepEqual(same, [
        "= env var NEXTAUTH_SECRET: kept (its live value is recorded and never regenerated)",
      ]);
      const { NEXTAUTH_SECRET: _gone, OPENAI_API_KEY: _too, ...fewer } = matching;
      const added = adoptionChanges(adopted(), liveService(), fewer, sources).filter((l) =>
        l.startsWith("+"),
      );
      assert.deepEqual(added, [
        "+ add env var NEXTAUTH_SECRET (generated by Render)",
        "+ add env var OPENAI_API_KEY ([secret])",
      ]);
    });

    it("a link to a database not known yet (adopted in the same up) is listed as compared at the up", () => {
      const inputs = adopted();
      inputs.envVars.DATABASE_URL = { ...inputs.envVars.DATABASE_URL, database: unknownSentinel };
      const lines = adoptionChanges(inputs, liveService(), matching, {});
      assert.ok(
        lines.includes("? env var DATABASE_URL: linked to a database adopted in the same up; compared then"),
        lines.join("\n"),
      );
    });
  });
});
