/**
 * components/postgres/schema.ts field by field: for every field of `postgresFields`, a wrong value and
 * the message `check` gives for it, its default, and how a live Render value for it shows in the diff
 * (`diffPostgres`, what the provider's diff plans from). A field added to the schema without a row here
 * fails the first test.
 */
import { strict as assert } from "node:assert";
import {
  checkPostgresInputs,
  diffPostgres,
  type LivePostgres,
  type PostgresInputs,
} from "../../../components/postgres/mapping";
import { postgresFields, type PostgresFieldMeta } from "../../../components/postgres/schema";
import { postgresPlans, postgresVersions, regions } from "../../../components/render/enums";
import { allowed } from "../../../components/runtime/validation";

/** The smallest valid arguments: every required field. */
const valid = {
  name: "arrakis-prod-db",
  ownerId: "tea-d303qfodl3ps739p3e60",
  plan: "basic_256mb",
  version: "17",
};

/** The live database that `valid` describes, as Render answers it. */
function live(overrides: Partial<LivePostgres> = {}): LivePostgres {
  return {
    id: "dpg-d303qfodl3ps739p3e6g-a",
    name: "arrakis-prod-db",
    owner: { id: "tea-d303qfodl3ps739p3e60", name: "arrakis", type: "team" },
    plan: "basic_256mb",
    version: "17",
    region: "oregon",
    databaseName: "arrakis_prod_db_bq3v",
    databaseUser: "arrakis_prod_db_user",
    ipAllowList: [],
    highAvailabilityEnabled: false,
    diskSizeGB: 15,
    diskAutoscalingEnabled: false,
    ...overrides,
  };
}

/** A drift case: the arguments beside `valid`, the live database beside `live()`, what the diff says. */
interface DriftCase {
  args?: Record<string, unknown>;
  live: Partial<LivePostgres>;
  changed?: string[];
  replaced?: string[];
}

interface Row {
  /** A wrong value and the failures (property, reason) `check` gives for it. */
  bad: { value: unknown; failures: [string, string][] };
  /** The checked value when the field is absent; or absent itself ("none"); or required (its message). */
  default: { value: unknown } | "none" | { required: string };
  /**
   * A Render setting: how a live value that differs shows in the diff (in place or replacing). A field
   * only the provider reads says "not drift": giving it changes nothing the diff compares.
   */
  drift: DriftCase[] | { notDrift: string; args: Record<string, unknown> };
}

const rows: Record<string, Row> = {
  name: {
    bad: {
      value: "arrakis/db",
      failures: [
        [
          "name",
          "may contain only letters, digits, spaces, '.', '_' and '-', and must start with a letter or digit",
        ],
      ],
    },
    default: { required: "is required: the database's display name on Render" },
    drift: [{ live: { name: "renamed-outside" }, changed: ["name"] }],
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
    drift: [
      {
        live: { owner: { id: "tea-d303qfodl3ps739p3e61", name: "other", type: "team" } },
        replaced: ["ownerId"],
      },
    ],
  },
  plan: {
    bad: {
      value: "tiny",
      failures: [["plan", `"tiny" is not a Render Postgres plan; allowed: ${allowed(postgresPlans)}`]],
    },
    default: { required: `is required; allowed: ${allowed(postgresPlans)}` },
    drift: [{ live: { plan: "pro_4gb" }, changed: ["plan"] }],
  },
  version: {
    bad: {
      value: "10",
      failures: [
        ["version", `"10" is not a supported PostgreSQL version; allowed: ${allowed(postgresVersions)}`],
      ],
    },
    default: { required: `is required; allowed: ${allowed(postgresVersions)}` },
    drift: [{ live: { version: "16" }, replaced: ["version"] }],
  },
  region: {
    bad: {
      value: "mars",
      failures: [["region", `"mars" is not a Render region; allowed: ${allowed(regions)}`]],
    },
    default: { value: "oregon" },
    drift: [{ live: { region: "ohio" }, replaced: ["region"] }],
  },
  databaseName: {
    bad: {
      value: "Arrakis",
      failures: [
        ["databaseName", "must be lowercase letters, digits and '_', starting with a letter or '_'"],
      ],
    },
    default: "none",
    drift: [
      // Render's random `_xxxx` suffix is not drift; another name is, and needs a new database.
      { args: { databaseName: "arrakis_prod_db" }, live: {} },
      {
        args: { databaseName: "arrakis_prod_db" },
        live: { databaseName: "other_bq3v" },
        replaced: ["databaseName"],
      },
      // Absent: Render's generated name is kept.
      { live: { databaseName: "anything_bq3v" } },
    ],
  },
  databaseUser: {
    bad: {
      value: "postgres",
      failures: [["databaseUser", "must not be 'postgres' or start with 'pg_' (reserved)"]],
    },
    default: "none",
    drift: [
      {
        args: { databaseUser: "arrakis_prod_db_user" },
        live: { databaseUser: "other" },
        replaced: ["databaseUser"],
      },
      { live: { databaseUser: "anything" } },
    ],
  },
  ipAllowList: {
    bad: {
      value: [{ cidrBlock: "10.0.0.0/33" }],
      failures: [
        [
          "ipAllowList[0].cidrBlock",
          '"10.0.0.0/33" is not a CIDR block; expected an address and prefix length like 203.0.113.0/24 or 0.0.0.0/0',
        ],
      ],
    },
    default: { value: [] },
    drift: [
      {
        live: { ipAllowList: [{ cidrBlock: "0.0.0.0/0", description: "everyone" }] },
        changed: ["ipAllowList"],
      },
      // The order of the entries is not drift.
      {
        args: { ipAllowList: [{ cidrBlock: "10.0.0.0/8" }, { cidrBlock: "0.0.0.0/0" }] },
        live: {
          ipAllowList: [
            { cidrBlock: "0.0.0.0/0", description: "" },
            { cidrBlock: "10.0.0.0/8", description: "" },
          ],
        },
      },
    ],
  },
  highAvailability: {
    bad: { value: "yes", failures: [["highAvailability", "highAvailability must be true or false"]] },
    default: { value: false },
    drift: [{ live: { highAvailabilityEnabled: true }, changed: ["highAvailability"] }],
  },
  diskSizeGB: {
    bad: { value: 0, failures: [["diskSizeGB", "must be a whole number of GB from 1 to 16384"]] },
    default: "none",
    drift: [
      { args: { diskSizeGB: 20 }, live: { diskSizeGB: 15 }, changed: ["diskSizeGB"] },
      // Absent: the plan's disk, or what Render grew it to, is not drift.
      { live: { diskSizeGB: 40 } },
    ],
  },
  diskAutoscaling: {
    bad: { value: "on", failures: [["diskAutoscaling", "diskAutoscaling must be true or false"]] },
    default: "none",
    drift: [
      {
        args: { diskAutoscaling: true },
        live: { diskAutoscalingEnabled: false },
        changed: ["diskAutoscaling"],
      },
      // Absent: left as it is on Render.
      { live: { diskAutoscalingEnabled: true } },
    ],
  },
  environmentId: {
    bad: {
      value: "production",
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
        live: { environmentId: "evm-bbbbbbbbbbbbbbbbbbbb" },
        changed: ["environmentId"],
      },
      {
        args: { environmentId: "evm-aaaaaaaaaaaaaaaaaaaa" },
        live: { environmentId: null },
        changed: ["environmentId"],
      },
      // Absent: left where it is.
      { live: { environmentId: "evm-bbbbbbbbbbbbbbbbbbbb" } },
    ],
  },
  adoptExisting: {
    bad: { value: "yes", failures: [["adoptExisting", "adoptExisting must be true or false"]] },
    default: { value: false },
    drift: {
      notDrift: "how the provider creates: adopt a database of the same name",
      args: { adoptExisting: true },
    },
  },
  adoptId: {
    bad: {
      value: "srv-d303qfodl3ps739p3e70",
      failures: [["adoptId", 'must be a Render Postgres id like "dpg-…" (the dashboard URL has it)']],
    },
    default: "none",
    drift: {
      notDrift: "which live database the provider adopts",
      args: { adoptId: "dpg-d303qfodl3ps739p3e6g-a" },
    },
  },
  allowReplacement: {
    bad: { value: 1, failures: [["allowReplacement", "allowReplacement must be true or false"]] },
    default: { value: false },
    drift: { notDrift: "whether the provider may replace the database", args: { allowReplacement: true } },
  },
  waitTimeoutSeconds: {
    bad: { value: -1, failures: [["waitTimeoutSeconds", "must be a number of seconds from 0 to 86400"]] },
    default: { value: 1800 },
    drift: { notDrift: "how long the provider waits", args: { waitTimeoutSeconds: 60 } },
  },
  pollIntervalSeconds: {
    bad: { value: 601, failures: [["pollIntervalSeconds", "must be a number of seconds from 0 to 600"]] },
    default: { value: 8 },
    drift: { notDrift: "how often the provider polls", args: { pollIntervalSeconds: 1 } },
  },
};

function check(raw: Record<string, unknown>) {
  const { inputs, failures } = checkPostgresInputs(raw);
  return { inputs, failures: failures.map((f): [string, string] => [f.property, f.reason]) };
}

function desired(args: Record<string, unknown> = {}): PostgresInputs {
  const { inputs, failures } = check({ ...valid, ...args });
  assert.deepEqual(failures, [], "the row's arguments are valid");
  return inputs as unknown as PostgresInputs;
}

describe("postgres schema, field by field", () => {
  it("has a row for every field of postgresFields, and no other", () => {
    assert.deepEqual(Object.keys(rows), Object.keys(postgresFields));
  });

  it("says drift exactly for the fields marked as Render settings", () => {
    const settings = Object.entries(postgresFields)
      .filter(([, f]) => ((f.meta() ?? {}) as PostgresFieldMeta).render === true)
      .map(([key]) => key);
    assert.deepEqual(
      Object.keys(rows).filter((key) => Array.isArray(rows[key].drift)),
      settings,
    );
  });

  it("the live database of the table is what the valid arguments describe: no drift", () => {
    assert.deepEqual(diffPostgres(desired(), live()), { changed: [], replaced: [] });
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
      if (!Array.isArray(drift)) {
        it(`not drift: ${drift.notDrift}`, () => {
          assert.deepEqual(diffPostgres(desired(drift.args), live()), { changed: [], replaced: [] });
        });
        return;
      }
      for (const c of drift) {
        const shows = c.replaced
          ? "replaces the database"
          : c.changed
            ? "changes it in place"
            : "is not drift";
        it(`live ${JSON.stringify(c.live)}${c.args ? ` against ${JSON.stringify(c.args)}` : ""} ${shows}`, () => {
          assert.deepEqual(diffPostgres(desired(c.args), live(c.live)), {
            changed: c.changed ?? [],
            replaced: c.replaced ?? [],
          });
        });
      }
    });
  }
});
