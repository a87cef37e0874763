/**
 * Blueprint validation: every malformed fixture is refused with the YAML path, the line (and column
 * where the node is known) and a message naming what is wrong; valid fixtures are read whole.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { formatProblem, readBlueprint, type BlueprintProblem } from "../../tools/blueprint/validate";

const fixtures = path.join(__dirname, "fixtures");
const malformedDir = path.join(fixtures, "malformed");

function problemsOf(file: string): BlueprintProblem[] {
  const result = readBlueprint(fs.readFileSync(path.join(malformedDir, file), "utf8"));
  assert.equal(result.ok, false, `${file} must be refused`);
  return result.ok ? [] : result.problems;
}

/** file -> the problem that must be reported: path, line, (column), and a message pattern. */
const malformed: Array<{ file: string; path: string; line?: number; column?: number; message: RegExp }> = [
  // .txt: `prettier --check .` would fail on a file that is not YAML.
  {
    file: "syntax-error.yaml.txt",
    path: "(syntax)",
    line: 5,
    message: /not allowed within flow collections/,
  },
  { file: "duplicate-key.yaml", path: "(syntax)", line: 8, column: 5, message: /Map keys must be unique/ },
  { file: "not-a-map.yaml", path: "(root)", line: 1, column: 1, message: /must be a map \(got a list\)/ },
  { file: "empty.yaml", path: "(root)", message: /the file is empty/ },
  {
    file: "unknown-root-key.yaml",
    path: "servics",
    line: 3,
    column: 1,
    message: /unknown key "servics" \(did you mean "services"\?\)/,
  },
  {
    file: "unknown-service-key.yaml",
    path: "services[0].buildComand",
    line: 5,
    column: 5,
    message: /unknown key "buildComand" \(did you mean "buildCommand"\?\); allowed here: type, name/,
  },
  {
    file: "wrong-type-num-instances.yaml",
    path: "services[0].numInstances",
    line: 7,
    column: 19,
    message: /must be a whole number \(got the string "two"\)/,
  },
  {
    file: "bad-region.yaml",
    path: "databases[0].region",
    line: 3,
    column: 13,
    message: /"mars" is not allowed; allowed: "oregon", "ohio", "virginia", "frankfurt", "singapore"/,
  },
  {
    file: "bad-database-plan.yaml",
    path: "databases[0].plan",
    line: 3,
    message: /"basic-512mb" is not allowed; allowed: .*"basic-256mb", "basic-1gb"/,
  },
  {
    file: "bad-postgres-version.yaml",
    path: "databases[0].postgresMajorVersion",
    line: 3,
    message: /"9" is not allowed; allowed: "11",.*"18"/,
  },
  { file: "missing-name.yaml", path: "services[0].name", line: 2, column: 5, message: /is required/ },
  {
    file: "env-two-sources.yaml",
    path: "services[0].envVars[0]",
    line: 8,
    message: /more than one source \(value, generateValue\)/,
  },
  {
    file: "env-bad-property.yaml",
    path: "services[0].envVars[0].fromDatabase.property",
    line: 13,
    message: /"url" is not allowed; allowed: "connectionString"/,
  },
  { file: "services-not-a-list.yaml", path: "services", line: 2, message: /must be a list \(got a map\)/ },
  {
    file: "auto-deploy-string.yaml",
    path: "services[0].autoDeploy",
    line: 7,
    message: /must be true or false \(got the string "yes"\)/,
  },
  { file: "sync-true.yaml", path: "services[0].envVars[0].sync", line: 9, message: /may only be false/ },
  {
    file: "duplicate-env-key.yaml",
    path: "services[0].envVars[1].key",
    line: 10,
    message: /duplicate env var key "PORT"/,
  },
  {
    file: "allow-list-no-source.yaml",
    path: "databases[0].ipAllowList[0].source",
    line: 4,
    message: /is required/,
  },
  {
    file: "native-without-build.yaml",
    path: "services[0].buildCommand",
    line: 2,
    message: /required for a native runtime/,
  },
  {
    file: "duplicate-names.yaml",
    path: "services[1].name",
    line: 6,
    message: /duplicate name "shared" \(also services\[0\]\)/,
  },
  {
    file: "bad-service-type.yaml",
    path: "services[0].type",
    line: 2,
    message:
      /"webservice" is not allowed; allowed: "web", "pserv", "worker", "cron", "keyvalue", "redis", "workflow"/,
  },
];

describe("blueprint: validation", () => {
  it("has a fixture for every malformed case and a case for every fixture", () => {
    const files = fs.readdirSync(malformedDir).sort();
    assert.deepEqual(files, malformed.map((m) => m.file).sort());
    assert.ok(files.length >= 12);
  });

  for (const m of malformed) {
    it(`refuses ${m.file} at ${m.path}${m.line ? `, line ${m.line}` : ""}`, () => {
      const problems = problemsOf(m.file);
      const match = problems.find((p) => p.path === m.path && m.message.test(p.message));
      assert.ok(
        match,
        `no problem at ${m.path} matching ${m.message}; got:\n${JSON.stringify(problems, null, 1)}`,
      );
      assert.equal(match.line, m.line);
      if (m.column !== undefined) assert.equal(match.column, m.column);
    });
  }

  it("formats a problem as file:line:column path: message", () => {
    const [p] = problemsOf("bad-region.yaml");
    assert.equal(
      formatProblem("render.yaml", p),
      'render.yaml:3:13 databases[0].region: "mars" is not allowed; allowed: "oregon", "ohio", "virginia", "frankfurt", "singapore"',
    );
  });

  it("reports every problem of a file, not only the first", () => {
    const result = readBlueprint(
      [
        "databases:",
        "  - name: db",
        "    plan: huge",
        "    diskSizeGB: -5",
        "services:",
        "  - type: web",
        "    name: app",
        "    runtime: cobol",
        "    numInstances: 0",
        "    colour: blue",
      ].join("\n"),
    );
    assert.equal(result.ok, false);
    const paths = result.ok ? [] : result.problems.map((p) => `${p.line} ${p.path}`);
    assert.deepEqual(paths, [
      "3 databases[0].plan",
      "4 databases[0].diskSizeGB",
      "8 services[0].runtime",
      "9 services[0].numInstances",
      "10 services[0].colour",
    ]);
  });

  it("accepts Render's plan spellings (pro plus, pro-plus, pro_plus) and numbers as strings where Render does", () => {
    for (const plan of ["pro plus", "pro-plus", "pro_plus", "Pro Plus"]) {
      const result = readBlueprint(
        `services:\n  - type: web\n    name: a\n    runtime: node\n    buildCommand: x\n    startCommand: y\n    plan: ${plan}\n`,
      );
      assert.ok(result.ok, plan);
      assert.equal(result.blueprint.services[0].value.plan, "pro_plus");
    }
    const numbers = readBlueprint("databases:\n  - name: db\n    postgresMajorVersion: 16\n");
    assert.ok(numbers.ok);
    assert.equal(numbers.blueprint.databases[0].value.postgresMajorVersion, "16");
  });

  it("follows YAML anchors and aliases", () => {
    const result = readBlueprint(
      [
        "services:",
        "  - type: web",
        "    name: app",
        "    runtime: node",
        "    buildCommand: &build npm ci",
        "    startCommand: *build",
      ].join("\n"),
    );
    assert.ok(result.ok);
    assert.equal(result.blueprint.services[0].value.startCommand, "npm ci");
  });

  it("reads services and databases from ungrouped and from project environments", () => {
    const result = readBlueprint(
      [
        "ungrouped:",
        "  databases:",
        "    - name: db",
        "projects:",
        "  - name: p",
        "    environments:",
        "      - name: prod",
        "        services:",
        "          - type: web",
        "            name: app",
        "            runtime: node",
        "            buildCommand: npm ci",
        "            startCommand: npm start",
      ].join("\n"),
    );
    assert.ok(result.ok);
    assert.deepEqual(
      [...result.blueprint.databases, ...result.blueprint.services].map((r) => r.path),
      ["ungrouped.databases[0]", "projects[0].environments[0].services[0]"],
    );
  });

  it("accepts Render's newer keys: root version, initialDeployHook, persistenceMode, env var annotations, workflow", () => {
    const result = readBlueprint(
      [
        'version: "1"',
        "services:",
        "  - type: web",
        "    name: app",
        "    runtime: node",
        "    buildCommand: npm ci",
        "    startCommand: npm start",
        "    initialDeployHook: npm run seed",
        "    renderSubdomainPolicy: disabled",
        "    maintenanceMode: {enabled: true, uri: /down}",
        "    envVars:",
        "      - key: TOKEN",
        "        sync: false",
        "        displayName: API token",
        "        description: from the vendor",
        "        sensitive: true",
        "  - type: keyvalue",
        "    name: cache",
        "    ipAllowList: []",
        "    persistenceMode: journal-snapshot",
        "    maxmemoryPolicy: allkeys-lfu",
        "  - type: workflow",
        "    name: pipeline",
        "    runtime: python",
        "    buildCommand: pip install -r requirements.txt",
      ].join("\n"),
    );
    assert.ok(result.ok, JSON.stringify(result.ok ? [] : result.problems));
    assert.equal(result.blueprint.services[1].value.persistenceMode, "journal_snapshot");
    const bad = readBlueprint(
      "services:\n  - type: keyvalue\n    name: c\n    ipAllowList: []\n    persistenceMode: always\n",
    );
    assert.ok(!bad.ok);
    assert.match(
      bad.problems[0].message,
      /"always" is not allowed; allowed: "off", "snapshot", "journal-snapshot"/,
    );
  });

  it("keeps three name spaces: a service and a database may share a name, two env groups may not", () => {
    const shared = readBlueprint(
      [
        "databases:",
        "  - name: mysite",
        "services:",
        "  - type: web",
        "    name: mysite",
        "    runtime: python",
        "    buildCommand: ./build.sh",
        "    startCommand: gunicorn app",
      ].join("\n"),
    );
    assert.ok(shared.ok, JSON.stringify(shared.ok ? [] : shared.problems));
    const groups = readBlueprint("envVarGroups:\n  - name: g\n  - name: g\n");
    assert.ok(!groups.ok);
    assert.deepEqual(
      groups.problems.map((p) => `${p.line} ${p.path}: ${p.message}`),
      ['3 envVarGroups[1].name: duplicate name "g" (also envVarGroups[0])'],
    );
  });

  it("reads the valid fixtures", () => {
    for (const file of [
      "seed.render.yaml",
      "all-supported.render.yaml",
      "unsupported.render.yaml",
      "every-key.render.yaml",
    ]) {
      const result = readBlueprint(fs.readFileSync(path.join(fixtures, file), "utf8"));
      assert.ok(result.ok, `${file}: ${JSON.stringify(result.ok ? [] : result.problems)}`);
    }
  });
});
