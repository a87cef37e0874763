import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { parseFlags } from "../../tools/cliFlags";
import {
  driftReport,
  fieldDrift,
  formatDriftReport,
  previewErrors,
  type PreviewJson,
  type PreviewStep,
} from "../../tools/driftReport";

// `pulumi preview --json` of the local stack (the real engine, Pulumi.yaml's `refresh: always`) after four
// dashboard-style changes: database plan basic_1gb, service plan standard, EXTRA_FLAG added,
// OPENAI_API_KEY changed. The provider shim in `__provider` is shortened; nothing else is edited.
const fourChanges = JSON.parse(
  fs.readFileSync(path.join(__dirname, "fixtures", "driftPreview.json"), "utf8"),
) as PreviewJson;

const urn = (type: string, name: string) =>
  `urn:pulumi:prod::arrakis::arrakis:render:App$pulumi-nodejs:dynamic/render:${type}::${name}`;

function update(
  type: string,
  name: string,
  live: Record<string, unknown>,
  wanted: Record<string, unknown>,
): PreviewStep {
  return {
    op: "update",
    urn: urn(type, name),
    oldState: { id: `${name}-id`, inputs: live },
    newState: { inputs: wanted },
  };
}

describe("drift report: the engine's preview JSON → fields that differ", () => {
  it("lists, per resource, exactly the fields the dashboard changed, live versus wanted", () => {
    const report = driftReport("local", fourChanges);
    assert.equal(report.status, "drift");
    assert.equal(report.unchanged, 4);
    assert.deepEqual(
      report.resources.map((r) => [r.name, r.type, r.change, r.id]),
      [
        ["arrakis-db", "render:Postgres", "update", "dpg-ihost807td31jtceiu18-a"],
        ["arrakis-web", "render:WebService", "update", "srv-linmmtqjmilj1sl2dnhm"],
      ],
    );
    assert.deepEqual(report.resources[0].fields, [
      { field: "plan", live: "basic_1gb", wanted: "basic_256mb" },
    ]);
    assert.deepEqual(report.resources[1].fields, [
      { field: "envVars.EXTRA_FLAG", live: "[secret]", wanted: null, note: "set outside Pulumi" },
      {
        field: "envVars.OPENAI_API_KEY",
        live: "[secret]",
        wanted: "[secret]",
        note: "value changed outside Pulumi",
      },
      { field: "plan", live: "standard", wanted: "starter" },
    ]);
  });

  it("prints a report a person reads at a glance, without any env var value", () => {
    const text = formatDriftReport(driftReport("local", fourChanges));
    assert.equal(
      text,
      [
        "Drift on stack local: 2 of 6 resources differ from the program (live on Render vs wanted).",
        "",
        "~ arrakis-db  render:Postgres  dpg-ihost807td31jtceiu18-a",
        "    field   live          wanted",
        '    plan    "basic_1gb"   "basic_256mb"',
        "",
        "~ arrakis-web  render:WebService  srv-linmmtqjmilj1sl2dnhm",
        "    field                    live         wanted",
        "    envVars.EXTRA_FLAG       [secret]     (not set)   set outside Pulumi",
        "    envVars.OPENAI_API_KEY   [secret]     [secret]    value changed outside Pulumi",
        '    plan                     "standard"   "starter"',
        "",
        "`pulumi preview --diff --stack local` shows the same; `pulumi up --stack local` puts the wanted values back.",
        "",
      ].join("\n"),
    );
    // The provider's own placeholder for a value set outside Pulumi is not printed either.
    assert.doesNotMatch(text, /value hidden|"on"/);
  });

  it("is clean when every step is same or refresh, whatever the refresh read", () => {
    const clean: PreviewJson = {
      steps: (fourChanges.steps ?? []).filter((s) => s.op === "refresh" || s.op === "same"),
      changeSummary: { same: 6 },
    };
    const report = driftReport("prod", clean);
    assert.deepEqual(report, { stack: "prod", status: "clean", resources: [], unchanged: 6 });
    assert.equal(
      formatDriftReport(report),
      "No drift on stack prod: all 6 resources are as the program wants them.\n",
    );
  });

  it("never shows a value that holds a secret, in whatever shape the engine gives it", () => {
    const fields = fieldDrift(
      {
        password: "[secret]",
        nested: { a: 1, token: "[secret]" },
        list: ["x", "[secret]"],
        sig: { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value: "hunter2" },
      },
      { password: "[secret]", nested: { a: 2, token: "[secret]" }, list: ["y"], sig: "plain" },
    );
    assert.deepEqual(fields, [
      { field: "list", live: "[secret]", wanted: ["y"] },
      { field: "nested", live: "[secret]", wanted: "[secret]" },
      { field: "sig", live: "[secret]", wanted: "plain" },
    ]);
    assert.doesNotMatch(JSON.stringify(fields), /hunter2/);
  });

  it("shows env vars by key only: a plain value changed, one missing on Render, a kind changed", () => {
    const fields = fieldDrift(
      {
        envVars: {
          NODE_ENV: { kind: "plain", value: "development" },
          LINK: { kind: "plain", value: "postgres://u:pw@h/db" },
        },
      },
      {
        envVars: {
          NODE_ENV: { kind: "plain", value: "production" },
          LINK: { kind: "linked", database: "dpg-1", property: "connectionString" },
          NEW_ONE: { kind: "plain", value: "x" },
        },
      },
    );
    assert.deepEqual(fields, [
      {
        field: "envVars.LINK",
        live: "[secret]",
        wanted: "[secret]",
        note: "plain on Render, linked in the program",
      },
      { field: "envVars.NEW_ONE", live: null, wanted: "[secret]", note: "not on Render" },
      { field: "envVars.NODE_ENV", live: "[secret]", wanted: "[secret]", note: "value differs" },
    ]);
    assert.doesNotMatch(JSON.stringify(fields), /development|production|pw@/);
  });

  it("walks into plain objects, ignores the serialized provider, keeps lists whole", () => {
    const fields = fieldDrift(
      {
        __provider: "old code",
        ipAllowList: [{ cidrBlock: "203.0.113.0/24", description: "office" }],
        settings: { a: 1, b: { c: true } },
      },
      {
        __provider: "new code",
        ipAllowList: [{ cidrBlock: "0.0.0.0/0", description: "Production access" }],
        settings: { a: 1, b: { c: false } },
      },
    );
    assert.deepEqual(fields, [
      {
        field: "ipAllowList",
        live: [{ cidrBlock: "203.0.113.0/24", description: "office" }],
        wanted: [{ cidrBlock: "0.0.0.0/0", description: "Production access" }],
      },
      { field: "settings.b.c", live: true, wanted: false },
    ]);
  });

  it("names replacements, creations and deletions, one entry per resource", () => {
    const replaceUrn = urn("Postgres", "arrakis-db");
    const report = driftReport("prod", {
      steps: [
        { op: "create-replacement", urn: replaceUrn, newState: { inputs: { region: "ohio" } } },
        {
          op: "replace",
          urn: replaceUrn,
          oldState: { id: "dpg-1", inputs: { region: "oregon" } },
          newState: { inputs: { region: "ohio" } },
        },
        { op: "delete-replaced", urn: replaceUrn, oldState: { id: "dpg-1", inputs: { region: "oregon" } } },
        { op: "create", urn: urn("WebService", "extra"), newState: { inputs: { name: "extra" } } },
        { op: "delete", urn: urn("WebService", "old"), oldState: { id: "srv-9", inputs: {} } },
        update("WebService", "web", { plan: "starter" }, { plan: "starter" }),
      ],
      changeSummary: { same: 3, replace: 1, create: 1, delete: 1, update: 1 },
    });
    assert.deepEqual(
      report.resources.map((r) => [r.name, r.change, r.fields.map((f) => f.field)]),
      [
        ["arrakis-db", "replace", ["region"]],
        ["extra", "create", []],
        ["old", "delete", []],
        ["web", "update", []],
      ],
    );
    const text = formatDriftReport(report);
    assert.match(text, /^\+- arrakis-db {2}render:Postgres {2}dpg-1 {2}\(would be replaced\)$/m);
    assert.match(
      text,
      /^\+ extra {2}render:WebService {2}\(in the program, not in the stack: would be created\)$/m,
    );
    assert.match(
      text,
      /^- old {2}render:WebService {2}srv-9 {2}\(in the stack, not in the program: would be deleted\)$/m,
    );
    assert.match(text, /^ {4}\(Render reports a change that no input shows: see `pulumi preview --diff`\)$/m);
  });

  it("says why a preview failed: its error diagnostics, else the end of stderr", () => {
    const bad: PreviewJson = {
      diagnostics: [
        { severity: "info", message: "ignored\n" },
        {
          urn: urn("Postgres", "arrakis-db"),
          severity: "error",
          message: "error: Render rejected the API key (401 Unauthorized) for GET /postgres/dpg-1.\n",
        },
      ],
    };
    assert.deepEqual(previewErrors(bad, "noise"), [
      "Render rejected the API key (401 Unauthorized) for GET /postgres/dpg-1.",
    ]);
    assert.deepEqual(previewErrors(undefined, "\nerror: no stack named 'prod' found\n\n"), [
      "error: no stack named 'prod' found",
    ]);
    assert.deepEqual(previewErrors(undefined, ""), ["pulumi preview failed without saying why"]);
  });
});

describe("the stack tools' flags", () => {
  const spec = { values: ["--stack", "--out"], booleans: ["--json"] };

  it("reads values in both spellings and booleans", () => {
    assert.deepEqual(parseFlags(["--stack", "prod", "--json", "--out=.env.local"], spec), {
      "--stack": "prod",
      "--json": true,
      "--out": ".env.local",
    });
  });

  it("refuses unknown flags, naming the allowed ones, and a value flag without a value", () => {
    assert.throws(
      () => parseFlags(["--stack", "prod", "--yes"], spec),
      /unknown argument "--yes"; allowed: --stack <value>, --out <value>, --json/,
    );
    assert.throws(() => parseFlags(["--stack"], spec), /--stack needs a value/);
    assert.throws(() => parseFlags(["--stack", "--json"], spec), /--stack needs a value/);
    assert.throws(() => parseFlags(["--stack="], spec), /--stack needs a value/);
  });
});
