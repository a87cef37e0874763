/**
 * Blueprint -> stack config in render.yaml's vocabulary: every service, database, Key Value and env group
 * is written wherever the Blueprint declares it; every key is either carried or a loss with its line;
 * services and databases are separate name spaces; repo, secrets and live ids are filled as the command
 * promises.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import {
  convertBlueprint,
  liveKey,
  type ConvertOptions,
  type Conversion,
  type LiveResources,
} from "../../tools/blueprint/convert";
import { readAppVocabulary } from "../../components/blueprint/vocabulary";
import { readBlueprint, type Blueprint, type Located } from "../../tools/blueprint/validate";

const fixtures = path.join(__dirname, "fixtures");

function blueprint(text: string): Blueprint {
  const result = readBlueprint(text);
  assert.ok(result.ok, JSON.stringify(result.ok ? [] : result.problems));
  return result.blueprint;
}

function fixture(name: string): Blueprint {
  return blueprint(fs.readFileSync(path.join(fixtures, name), "utf8"));
}

function convert(text: string, options: ConvertOptions = {}, live: LiveResources = {}): Conversion {
  return convertBlueprint(blueprint(text), { ownerId: "tea-test", ...options }, live);
}

type Entry = Record<string, unknown>;
const list = (c: Conversion, section: string) => c.config[`arrakis:${section}`] as Entry[];
const byName = (c: Conversion, section: string, name: string) =>
  list(c, section).find((e) => e.name === name) as Entry;

/** The program's own reader on a written config: ok, or its problems. */
function programReads(c: Conversion) {
  return readAppVocabulary(
    (key) => {
      const value = c.config[`arrakis:${key}`];
      return value === undefined ? undefined : JSON.stringify(value);
    },
    "arrakis",
    c.secretCommands.flatMap((cmd) => /arrakis:secrets\.(\w+)/.exec(cmd)?.[1] ?? []),
  );
}

/** A web service on a native runtime: the kind the program has carried from the start. */
const web = (name: string, extra: string[] = []) => [
  "  - type: web",
  `    name: ${name}`,
  "    runtime: node",
  "    repo: https://github.com/example/app",
  "    buildCommand: npm ci",
  "    startCommand: npm start",
  ...extra.map((l) => `    ${l}`),
];

// These cases hold whichever kinds have landed in components/blueprint/kinds.ts: an entry the table
// does not carry yet is one loss, and everything asserted by name below is carried today.
describe("blueprint: conversion to the program's vocabulary", () => {
  it("every key of every entry is carried or listed as a loss with its line; the program reads the result (every-key fixture)", () => {
    const bp = fixture("every-key.render.yaml");
    const c = convertBlueprint(bp, { ownerId: "tea-test" });
    assert.deepEqual(c.errors, []);
    const read = programReads(c);
    assert.ok(read.ok, JSON.stringify(read.ok ? [] : read.problems));
    const lost = new Set(c.losses.map((l) => l.path));
    for (const l of c.losses) assert.equal(typeof l.line, "number", `${l.path} has no line`);
    const check = (section: string, located: Located<Entry>, out: Entry | undefined) => {
      if (lost.has(located.path)) {
        // Lost whole: one loss, none for its keys.
        assert.equal(out, undefined, `${located.path} is both written and lost`);
        assert.ok(
          ![...lost].some((p) => p.startsWith(`${located.path}.`)),
          `${located.path}: keys lost twice`,
        );
        return;
      }
      assert.ok(out, `${located.path} (${String(located.value.name)}) is neither written nor lost`);
      const v = located.value;
      for (const [key, value] of Object.entries(v)) {
        const p = `${located.path}.${key}`;
        if (lost.has(p)) {
          assert.equal(out[key], undefined, `${p} is both written and lost`);
          continue;
        }
        if (key === "env") assert.equal(out.runtime ?? out.env, value);
        else if (key === "type" && section === "keyValues") assert.equal(out.type, undefined);
        else if (key === "autoDeployTrigger") assert.ok((out[key] ?? out.autoDeploy) !== undefined, p);
        else if (key === "autoDeploy" && v.autoDeployTrigger !== undefined) continue;
        else if (key === "pullRequestPreviewsEnabled" && v.previews !== undefined) continue;
        else if (key === "envVars")
          (value as Entry[]).forEach((e, i) => {
            if (lost.has(`${p}[${i}]`)) return;
            const written = (out.envVars as Entry[]).find((w) =>
              e.key === undefined ? w.fromGroup === e.fromGroup : w.key === e.key,
            );
            assert.ok(written, `${p}[${i}] is neither written nor lost`);
            for (const k of Object.keys(e))
              assert.ok(
                written[k] !== undefined || lost.has(`${p}[${i}].${k}`),
                `${p}[${i}].${k} is neither written nor lost`,
              );
          });
        else if (key === "previews")
          for (const k of Object.keys(value as Entry))
            assert.ok(
              (out.previews as Entry | undefined)?.[k] !== undefined ||
                (k === "generation" && out.pullRequestPreviewsEnabled !== undefined) ||
                lost.has(`${p}.${k}`),
              `${p}.${k} is neither written nor lost`,
            );
        else if (key === "repo") assert.equal(out.repo, String(value).replace(/\.git$/, ""));
        else assert.deepEqual(out[key], value, `${p} is not written as read`);
      }
    };
    for (const s of bp.services) {
      const section = s.value.type === "keyvalue" || s.value.type === "redis" ? "keyValues" : "services";
      check(section, s as Located<Entry>, byName(c, section, s.value.name));
    }
    for (const d of bp.databases)
      check("databases", d as unknown as Located<Entry>, byName(c, "databases", d.value.name));
    for (const g of bp.envVarGroups)
      check("envVarGroups", g as unknown as Located<Entry>, byName(c, "envVarGroups", g.value.name));
    // Lost whatever kinds land: preview environments, keys no kind of issue 25 carries.
    const paths = c.losses.map((l) => `${l.line} ${l.path}`);
    for (const expected of [
      "5 previews.generation",
      "6 previews.expireAfterDays",
      "40 databases[0].previewPlan",
      "51 databases[0].previewDiskSizeGB",
      "60 services[0].previewPlan",
      "86 services[0].maintenanceMode",
      "89 services[0].renderSubdomainPolicy",
      "134 services[0].envVars[8].previewValue",
    ])
      assert.ok(paths.includes(expected), `${expected} is not among the losses:\n${paths.join("\n")}`);
    // Carried by the service kinds: autoscaling and the shutdown delay.
    for (const carried of [
      "68 services[0].initialDeployHook",
      "80 services[0].scaling",
      "85 services[0].maxShutdownDelaySeconds",
    ])
      assert.ok(!paths.includes(carried), `${carried} is carried, not lost`);
    // A workflow is a RenderWorkflow, but one without a startCommand, which Render's API needs to
    // create it, is lost whole (the every-key fixture's has none), naming what to add.
    assert.ok(
      c.losses.some(
        (l) => l.line === 189 && l.path === "services[7]" && /startCommand is not set/.test(l.message),
      ),
      paths.join("\n"),
    );
    assert.equal(
      (c.config["arrakis:services"] as { name: string }[]).some((s) => s.name === "pipeline"),
      false,
    );
  });

  it("writes render.yaml's spellings normalised once: env -> runtime, redis -> a Key Value, API plan spellings", () => {
    const c = convert(
      [
        "services:",
        "  - type: web",
        "    name: app",
        "    env: node",
        "    repo: https://github.com/example/app.git",
        "    buildCommand: npm ci",
        "    startCommand: npm start",
        "    plan: pro plus",
        "    autoDeployTrigger: 'off'",
        "    previews: {generation: automatic}",
        "    envVars:",
        "      - key: SESSIONS_URL",
        "        fromService: {name: sessions, type: redis, property: connectionString}",
        "  - type: redis",
        "    name: sessions",
        "    ipAllowList: []",
        "    maxmemoryPolicy: allkeys-lru",
        "databases:",
        "  - name: db",
        "    plan: pro-4gb",
        "    postgresMajorVersion: 16",
      ].join("\n"),
    );
    assert.deepEqual(c.losses, []);
    const app = byName(c, "services", "app");
    assert.equal(app.runtime, "node");
    assert.equal(app.env, undefined);
    assert.equal(app.plan, "pro_plus");
    assert.equal(app.repo, "https://github.com/example/app");
    assert.equal(app.autoDeploy, false);
    assert.equal(app.pullRequestPreviewsEnabled, true);
    // A link to `type: redis` names the Key Value by its one type.
    assert.deepEqual((app.envVars as Entry[])[0].fromService, {
      name: "sessions",
      type: "keyvalue",
      property: "connectionString",
    });
    assert.deepEqual(byName(c, "keyValues", "sessions"), {
      name: "sessions",
      ipAllowList: [],
      maxmemoryPolicy: "allkeys_lru",
      plan: "starter",
    });
    assert.ok(
      c.notes.some((n) => /type redis \(Render's old name of keyvalue\) written as a Key Value/.test(n)),
    );
    assert.ok(
      c.notes.some((n) =>
        /\(sessions\): plan is not set; wrote Render's default for a new Key Value, "starter"/.test(n),
      ),
    );
    assert.deepEqual(byName(c, "databases", "db"), {
      name: "db",
      plan: "pro_4gb",
      postgresMajorVersion: "16",
      protect: true,
    });
    assert.ok(programReads(c).ok);
  });

  it("a database without plan or version gets Render's defaults for a new one, or the live values when adopted", () => {
    const text = "databases:\n  - name: db\n";
    const fresh = convert(text);
    assert.deepEqual(byName(fresh, "databases", "db"), {
      name: "db",
      plan: "basic_256mb",
      postgresMajorVersion: "17",
      protect: true,
    });
    const adopted = convert(
      text,
      {},
      {
        ids: new Map([[liveKey("databases", "db"), "dpg-live"]]),
        values: new Map([
          [liveKey("databases", "db"), { plan: "pro_8gb", postgresMajorVersion: "15", region: "ohio" }],
        ]),
      },
    );
    // Render keeps the live plan, version and region when the Blueprint omits them: so does the stack.
    assert.deepEqual(byName(adopted, "databases", "db"), {
      name: "db",
      plan: "pro_8gb",
      postgresMajorVersion: "15",
      region: "ohio",
      importId: "dpg-live",
      protect: true,
    });
  });

  it("services and databases are separate name spaces (a web service and its database may share a name)", () => {
    const c = convert(
      [
        "databases:",
        "  - name: mysite",
        '    postgresMajorVersion: "16"',
        "services:",
        ...web("mysite", [
          "envVars:",
          "  - key: DATABASE_URL",
          "    fromDatabase: {name: mysite, property: connectionString}",
        ]),
      ].join("\n"),
    );
    assert.deepEqual(c.losses, []);
    assert.equal(byName(c, "services", "mysite").type, "web");
    assert.equal(byName(c, "databases", "mysite").name, "mysite");
    assert.ok(programReads(c).ok);
  });

  it("links to what the stack does not hold are losses, located, and the var is not written", () => {
    const c = convert(
      [
        "services:",
        ...web("w", [
          "envVars:",
          "  - key: A",
          "    fromDatabase: {name: elsewhere, property: host}",
          "  - key: B",
          "    fromService: {name: ghost, type: pserv, property: host}",
          "  - fromGroup: outside",
          "  - key: app.mode",
          "    value: fast",
          "  - key: C",
          "    value: kept",
        ]),
      ].join("\n"),
    );
    assert.deepEqual(
      c.losses.map((l) => `${l.line} ${l.path}`),
      ["9 services[0].envVars[0]", "11 services[0].envVars[1]", "14 services[0].envVars[3]"],
    );
    assert.match(c.losses[0].message, /links to database "elsewhere", which the Blueprint does not declare/);
    assert.match(
      c.losses[2].message,
      /app\.mode: the program takes env var keys of letters, digits and '_' only/,
    );
    // A group the file does not declare is the workspace's (Render's reading): linked by name, with a note.
    assert.deepEqual(byName(c, "services", "w").envVars, [
      { fromGroup: "outside" },
      { key: "C", value: "kept" },
    ]);
    assert.ok(
      c.notes.some((n) =>
        /^services\[0\]\.envVars\[2\] \(line 13\): fromGroup "outside" is not declared in the file: the program links the workspace's existing env group of that name \(looked up at preview, never created\)/.test(
          n,
        ),
      ),
      c.notes.join("\n"),
    );
  });

  it("ignores branch on an image service (it has no repository) with a note; keeps it on a Git one", () => {
    const c = convert(
      [
        "services:",
        "  - type: web",
        "    name: llm",
        "    runtime: image",
        "    image: {url: docker.io/mintplexlabs/anythingllm:render}",
        "    branch: render",
        ...web("site", ["branch: main"]),
      ].join("\n"),
    );
    assert.deepEqual(c.losses, []);
    assert.equal(byName(c, "services", "llm").branch, undefined);
    assert.equal(byName(c, "services", "site").branch, "main");
    assert.ok(
      c.notes.some((n) =>
        /^services\[0\]\.branch \(line 6\): ignored: an image service pulls image\.url/.test(n),
      ),
      c.notes.join("\n"),
    );
    assert.ok(programReads(c).ok);
  });

  it("fills an omitted repo from --repo or the git remote (never for an image service); without either it stops", () => {
    const text = [
      "services:",
      "  - type: web",
      "    name: a",
      "    runtime: node",
      "    buildCommand: npm ci",
      "    startCommand: npm start",
      "  - type: pserv",
      "    name: b",
      "    runtime: image",
      "    image: {url: ghcr.io/x/y:1}",
    ].join("\n");
    const missing = convert(text);
    assert.deepEqual(
      missing.errors.map((e) => `${e.line} ${e.path}`),
      ["2 services[0].repo"],
    );
    assert.match(
      missing.errors[0].message,
      /pass --repo <https URL>, or run the command where the git remote origin/,
    );
    assert.deepEqual(missing.config, {});
    const filled = convert(text, {
      repo: "https://github.com/o/r.git",
      repoSource: "the git remote origin of .",
    });
    assert.deepEqual(filled.errors, []);
    assert.equal(byName(filled, "services", "a").repo, "https://github.com/o/r");
    assert.equal(byName(filled, "services", "b")?.repo, undefined);
    assert.ok(
      filled.notes.some((n) => n.includes("wrote https://github.com/o/r from the git remote origin of .")),
    );
  });

  it("a sync: false var keeps no value: its secret is set by a printed command the program's reader agrees with", () => {
    const c = convert(
      [
        "services:",
        ...web("a", ["envVars:", "  - key: STRIPE_KEY", "    sync: false"]),
        ...web("b", ["envVars:", "  - key: STRIPE_KEY", "    sync: false"]),
      ].join("\n"),
      { stack: "prod" },
    );
    assert.deepEqual(byName(c, "services", "a").envVars, [{ key: "STRIPE_KEY", sync: false }]);
    assert.deepEqual(c.secretCommands, [
      "pulumi config set --secret render:apiKey <Render API key> --stack prod",
      "pulumi config set --secret --path arrakis:secrets.STRIPE_KEY <value> --stack prod",
    ]);
    const read = programReads(c);
    assert.ok(read.ok && read.app.secretKeys.join() === "STRIPE_KEY");
  });

  it("an env group keeps its own vars (plain, generated) and a service links it by fromGroup", () => {
    const c = convert(
      [
        "services:",
        ...web("a", ["envVars:", "  - fromGroup: shared"]),
        "envVarGroups:",
        "  - name: shared",
        "    envVars:",
        "      - key: LOG_LEVEL",
        "        value: info",
        "      - key: SESSION_KEY",
        "        generateValue: true",
      ].join("\n"),
      { stack: "prod" },
    );
    assert.deepEqual(c.losses, []);
    assert.deepEqual(byName(c, "envVarGroups", "shared").envVars, [
      { key: "LOG_LEVEL", value: "info" },
      { key: "SESSION_KEY", generateValue: true },
    ]);
    assert.deepEqual(byName(c, "services", "a").envVars, [{ fromGroup: "shared" }]);
    const read = programReads(c);
    assert.ok(read.ok, JSON.stringify(read));
  });

  it("carries a web service's links to its own RENDER_EXTERNAL_URL/HOSTNAME and to another's", () => {
    const link = (name: string, key = "RENDER_EXTERNAL_HOSTNAME") => [
      `  - key: ${name.toUpperCase()}_${key.replace("RENDER_EXTERNAL_", "")}`,
      "    fromService:",
      "      type: web",
      `      name: ${name}`,
      `      envVarKey: ${key}`,
    ];
    const c = convert(
      [
        "services:",
        ...web("a", ["envVars:", ...link("a"), ...link("a", "RENDER_EXTERNAL_URL"), ...link("b")]),
        ...web("b"),
      ].join("\n"),
    );
    assert.deepEqual(c.losses, []);
    assert.deepEqual(
      (byName(c, "services", "a").envVars as Entry[]).map((e) => e.key),
      ["A_HOSTNAME", "A_URL", "B_HOSTNAME"],
    );
    const read = programReads(c);
    assert.ok(read.ok);
  });

  it("two web services linking each other's URL is a loss on both sides (neither URL exists first)", () => {
    const link = (name: string) => [
      `  - key: ${name.toUpperCase()}_URL`,
      "    fromService:",
      "      type: web",
      `      name: ${name}`,
      "      envVarKey: RENDER_EXTERNAL_URL",
    ];
    const c = convert(
      [
        "services:",
        ...web("a", ["envVars:", ...link("a"), ...link("b")]),
        ...web("b", ["envVars:", ...link("a")]),
      ].join("\n"),
    );
    assert.deepEqual(
      c.losses.map((l) => l.path),
      ["services[0].envVars[1]", "services[1].envVars[0]"],
    );
    assert.match(c.losses[0].message, /B_URL: links to "b"'s RENDER_EXTERNAL_URL, in a loop of URL links/);
    // Its own URL is still carried.
    assert.deepEqual(
      (byName(c, "services", "a").envVars as Entry[]).map((e) => e.key),
      ["A_URL"],
    );
    assert.ok(programReads(c).ok);
  });

  it("writes the live ids as importId, and lists live env vars the Blueprint would delete", () => {
    const bp = fixture("every-key.render.yaml");
    const live: LiveResources = {
      ownerId: "tea-live",
      ids: new Map([
        [liveKey("services", "shop", "web_service"), "srv-shop"],
        [liveKey("databases", "shop"), "dpg-shop"],
        [liveKey("keyValues", "cache"), "red-cache"],
      ]),
      envVarKeys: new Map([["srv-shop", ["DATABASE_URL", "HAND_MADE"]]]),
    };
    const c = convertBlueprint(bp, {}, live);
    assert.equal(c.config["render:ownerId"], "tea-live");
    assert.equal(byName(c, "services", "shop").importId, "srv-shop");
    assert.equal(byName(c, "databases", "shop").importId, "dpg-shop");
    assert.equal(byName(c, "databases", "loose-db").importId, undefined);
    assert.equal(byName(c, "keyValues", "cache").importId, "red-cache");
    const handMade = c.losses.filter((l) => l.message.includes("HAND_MADE"));
    assert.equal(handMade.length, 1);
    assert.match(handMade[0].message, /set on Render but not in the Blueprint: .* pulumi up would delete it/);
    assert.ok(c.notes.some((n) => /3 live resource\(s\) found by name: written as importId/.test(n)));
  });

  it("resources in ungrouped and in project environments are converted, each placed in its environment", () => {
    const c = convertBlueprint(fixture("every-key.render.yaml"), { ownerId: "tea-test" });
    assert.ok(byName(c, "databases", "loose-db"));
    assert.equal(byName(c, "databases", "loose-db")!.environment, undefined);
    assert.equal(byName(c, "services", "jobs")!.environment, "shop/production");
    // The project with its environments' settings in render.yaml's spelling, without their resources.
    assert.deepEqual(c.config["arrakis:projects"], [
      {
        name: "shop",
        environments: [
          {
            name: "production",
            networking: { isolation: "enabled" },
            permissions: { protection: "enabled" },
          },
        ],
      },
    ]);
    assert.deepEqual(
      c.losses.filter((l) => /^projects\[\d+\](\.environments\[\d+\](\.\w+)?)?$/.test(l.path)),
      [],
      "placement and the environment settings are carried",
    );
  });

  it("places entries of several projects and environments; the program reads the placements back", () => {
    const c = convert(
      [
        "projects:",
        "  - name: app",
        "    environments:",
        "      - name: production",
        "        permissions:",
        "          protection: disabled",
        "        databases:",
        "          - name: db",
        "      - name: staging",
        "        networking:",
        "          isolation: disabled",
        "        services:",
        "          - type: keyvalue",
        "            name: cache",
        "            ipAllowList: []",
        "  - name: tools",
        "    environments:",
        "      - name: main",
        "        envVarGroups:",
        "          - name: shared",
        "            envVars:",
        "              - key: A",
        "                value: b",
      ].join("\n"),
    );
    assert.deepEqual(c.errors, []);
    assert.deepEqual(c.losses, []);
    assert.equal(byName(c, "databases", "db")!.environment, "app/production");
    assert.equal(byName(c, "keyValues", "cache")!.environment, "app/staging");
    assert.equal(byName(c, "envVarGroups", "shared")!.environment, "tools/main");
    assert.deepEqual(
      (c.config["arrakis:projects"] as { name: string; environments: { name: string }[] }[]).map(
        (p) => `${p.name}: ${p.environments.map((e) => e.name).join(", ")}`,
      ),
      ["app: production, staging", "tools: main"],
    );
  });

  it("with preview environments off, an expiry is a note, not a loss", () => {
    const c = convert(
      ["previewsEnabled: false", "previewsExpireAfterDays: 2", "databases:", "  - name: db"].join("\n"),
    );
    assert.deepEqual(c.losses, []);
    assert.ok(c.notes.some((n) => /previewsExpireAfterDays: preview environments are off/.test(n)));
  });
});
