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

describe("blueprint: conversion to the program's vocabulary", () => {
  it("every key of every entry is carried or listed as a loss with its line (every-key fixture)", () => {
    const bp = fixture("every-key.render.yaml");
    const c = convertBlueprint(bp, { ownerId: "tea-test" });
    assert.deepEqual(c.errors, []);
    assert.deepEqual(c.counts, { services: 6, databases: 2, keyValues: 2, envVarGroups: 1 });
    const lost = new Set(c.losses.map((l) => l.path));
    for (const l of c.losses) assert.equal(typeof l.line, "number", `${l.path} has no line`);
    const check = (section: string, located: Located<Entry>, out: Entry | undefined) => {
      if (lost.has(located.path)) return; // the whole entry is a loss (workflow)
      assert.ok(out, `${located.path} (${String(located.value.name)}) is neither written nor lost`);
      for (const [key, value] of Object.entries(located.value)) {
        const p = `${located.path}.${key}`;
        if (lost.has(p)) {
          assert.equal(out[key], undefined, `${p} is both written and lost`);
          continue;
        }
        if (key === "env") assert.equal(out.runtime, value);
        else if (key === "type" && section === "keyValues") assert.equal(out.type, undefined);
        else if (key === "envVars")
          (value as Entry[]).forEach((e, i) => {
            const written = (out.envVars as Entry[])[i];
            for (const k of Object.keys(e))
              assert.ok(
                written[k] !== undefined || lost.has(`${p}[${i}].${k}`),
                `${p}[${i}].${k} is neither written nor lost`,
              );
          });
        else if (key === "previews")
          for (const k of Object.keys(value as Entry))
            assert.ok(
              (out.previews as Entry)[k] !== undefined || lost.has(`${p}.${k}`),
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
    // What is lost, and only that: previews and projects, the keys no kind carries, the workflow.
    assert.deepEqual(
      c.losses.map((l) => `${l.line} ${l.path.replace("projects[0].environments[0].", "P.")}`),
      [
        "5 previews.generation",
        "6 previews.expireAfterDays",
        "20 projects[0].environments[0]",
        "21 P.networking",
        "23 P.permissions",
        "32 P.services[0].maxShutdownDelaySeconds",
        "40 databases[0].previewPlan",
        "51 databases[0].previewDiskSizeGB",
        "60 services[0].previewPlan",
        "68 services[0].initialDeployHook",
        "76 services[0].previews.numInstances",
        "77 services[0].previews.plan",
        "80 services[0].scaling",
        "85 services[0].maxShutdownDelaySeconds",
        "86 services[0].maintenanceMode",
        "89 services[0].renderSubdomainPolicy",
        "94 services[0].buildFilter",
        "129 services[0].envVars[7].displayName",
        "130 services[0].envVars[7].description",
        "131 services[0].envVars[7].sensitive",
        "134 services[0].envVars[8].previewValue",
        "189 services[7]",
      ],
    );
    assert.match(
      c.losses.at(-1)!.message,
      /service "pipeline" \(type workflow\): Render Workflows are not modeled/,
    );
  });

  it("writes render.yaml's spellings normalised once: env -> runtime, redis -> a Key Value, API plan spellings", () => {
    const c = convertBlueprint(fixture("every-key.render.yaml"), { ownerId: "tea-test" });
    assert.equal(byName(c, "services", "nightly").runtime, "node");
    assert.equal(byName(c, "services", "nightly").env, undefined);
    assert.deepEqual(byName(c, "keyValues", "sessions"), {
      name: "sessions",
      ipAllowList: [{ source: "0.0.0.0/0", description: "everywhere" }],
    });
    assert.ok(c.notes.some((n) => /type redis is Render's deprecated alias of keyvalue/.test(n)));
    const cache = byName(c, "keyValues", "cache");
    assert.equal(cache.maxmemoryPolicy, "allkeys_lru");
    assert.equal(cache.persistenceMode, "journal_snapshot");
    assert.equal(byName(c, "databases", "shop").plan, "pro_4gb");
    assert.equal(byName(c, "databases", "shop").postgresMajorVersion, "16");
    // A link to `type: redis` names the Key Value by its one type.
    const sessions = (byName(c, "services", "shop").envVars as Entry[]).find((e) => e.key === "SESSIONS_URL");
    assert.deepEqual(sessions?.fromService, {
      name: "sessions",
      type: "keyvalue",
      property: "connectionString",
    });
    // Databases are protected from a stray destroy; nothing else is.
    assert.ok(list(c, "databases").every((d) => d.protect === true));
    assert.ok(list(c, "services").every((s) => s.protect === undefined));
  });

  it("services and databases are separate name spaces (a web service and its database may share a name)", () => {
    const c = convert(
      [
        "databases:",
        "  - name: mysite",
        "services:",
        "  - type: web",
        "    name: mysite",
        "    runtime: python",
        "    repo: https://github.com/example/mysite",
        "    buildCommand: ./build.sh",
        "    startCommand: gunicorn mysite.wsgi",
        "    envVars:",
        "      - key: DATABASE_URL",
        "        fromDatabase: {name: mysite, property: connectionString}",
      ].join("\n"),
    );
    assert.deepEqual(c.losses, []);
    assert.equal(byName(c, "services", "mysite").type, "web");
    assert.equal(byName(c, "databases", "mysite").name, "mysite");
  });

  it("links to what the Blueprint does not declare are losses, located, and the var is not written", () => {
    const c = convert(
      [
        "services:",
        "  - type: worker",
        "    name: w",
        "    runtime: image",
        "    image: {url: docker.io/library/busybox}",
        "    envVars:",
        "      - key: A",
        "        fromDatabase: {name: elsewhere, property: host}",
        "      - key: B",
        "        fromService: {name: ghost, type: pserv, property: host}",
        "      - fromGroup: outside",
        "      - key: C",
        "        value: kept",
      ].join("\n"),
    );
    assert.deepEqual(
      c.losses.map((l) => `${l.line} ${l.path}`),
      ["7 services[0].envVars[0]", "9 services[0].envVars[1]", "11 services[0].envVars[2]"],
    );
    assert.match(c.losses[0].message, /links to database "elsewhere", which the Blueprint does not declare/);
    assert.match(c.losses[2].message, /env group "outside"/);
    assert.deepEqual(byName(c, "services", "w").envVars, [{ key: "C", value: "kept" }]);
  });

  it("fills an omitted repo from --repo or the git remote (never for an image service); without either it stops", () => {
    const text = [
      "services:",
      "  - type: web",
      "    name: a",
      "    runtime: docker",
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
    assert.equal(byName(filled, "services", "b").repo, undefined);
    assert.ok(
      filled.notes.some((n) => n.includes("wrote https://github.com/o/r from the git remote origin of .")),
    );
  });

  it("a sync: false var keeps no value: its secret is set by a printed command, per service", () => {
    const c = convert(
      [
        "services:",
        "  - type: web",
        "    name: my.app",
        "    runtime: image",
        "    image: {url: ghcr.io/x/y:1}",
        "    envVars:",
        "      - key: STRIPE_KEY",
        "        sync: false",
      ].join("\n"),
      { stack: "prod" },
    );
    assert.deepEqual(byName(c, "services", "my.app").envVars, [{ key: "STRIPE_KEY", sync: false }]);
    assert.deepEqual(c.secretCommands, [
      "pulumi config set --secret render:apiKey <Render API key> --stack prod",
      `pulumi config set --secret --path 'arrakis:secrets["my.app"].STRIPE_KEY' <value> --stack prod`,
    ]);
  });

  it("writes the live ids as importId, and lists live env vars the Blueprint would delete", () => {
    const bp = fixture("every-key.render.yaml");
    const live: LiveResources = {
      ownerId: "tea-live",
      ids: new Map([
        [liveKey("services", "shop", "web_service"), "srv-shop"],
        [liveKey("services", "docs", "static_site"), "srv-docs"],
        [liveKey("databases", "shop"), "dpg-shop"],
        [liveKey("keyValues", "cache"), "red-cache"],
      ]),
      envVarKeys: new Map([["srv-shop", ["DATABASE_URL", "HAND_MADE"]]]),
    };
    const c = convertBlueprint(bp, {}, live);
    assert.equal(c.config["render:ownerId"], "tea-live");
    assert.equal(byName(c, "services", "shop").importId, "srv-shop");
    assert.equal(byName(c, "services", "docs").importId, "srv-docs");
    assert.equal(byName(c, "services", "proxy").importId, undefined);
    assert.equal(byName(c, "databases", "shop").importId, "dpg-shop");
    assert.equal(byName(c, "keyValues", "cache").importId, "red-cache");
    const handMade = c.losses.filter((l) => l.message.includes("HAND_MADE"));
    assert.equal(handMade.length, 1);
    assert.match(handMade[0].message, /set on Render but not in the Blueprint: .* pulumi up would delete it/);
    assert.ok(c.notes.some((n) => /4 live resource\(s\) found by name: written as importId/.test(n)));
  });

  it("resources in ungrouped and in project environments are converted; the placement is the loss", () => {
    const c = convertBlueprint(fixture("every-key.render.yaml"), { ownerId: "tea-test" });
    assert.ok(byName(c, "databases", "loose-db"));
    assert.equal(byName(c, "services", "jobs").type, "worker");
    assert.match(
      c.losses.find((l) => l.path === "projects[0].environments[0]")!.message,
      /its resources are converted but would not be placed in it/,
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
