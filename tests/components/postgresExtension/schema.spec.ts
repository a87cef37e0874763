/**
 * components/postgresExtension/schema.ts field by field: for every field of `postgresExtensionFields`, a
 * wrong value and the message `check` gives for it, its default, and what the provider's diff shows. An
 * extension has no setting on Render: what refresh reads back is whether it is installed in the
 * database (dropped outside, the diff shows a change and the up creates it again). A field added to
 * the schema without a row here fails the first test.
 */
import { strict as assert } from "node:assert";
import { Client } from "pg";
import { startEmulator } from "../../../emulator";
import {
  PostgresExtensionProvider,
  type PostgresExtensionInputs,
  type PostgresExtensionOutputs,
} from "../../../components/postgresExtension/provider";
import {
  checkPostgresExtensionInputs,
  postgresExtensionFields,
} from "../../../components/postgresExtension/schema";
import { PostgresProvider, type PostgresOutputs } from "../../../components/postgres/provider";
import type { PostgresInputs } from "../../../components/postgres/mapping";
import { checked, configured } from "../../helpers/providers";

/** The smallest valid arguments: the database, by its Render id. */
const valid = { postgresId: "dpg-d303qfodl3ps739p3e6g-a" };

/** What the diff shows for a change from the arguments the extension was made with. */
type Diff = { replaces: string[] } | { update: string };

interface Row {
  /** A wrong value (beside `valid`, or instead of `postgresId`) and the failures `check` gives for it. */
  bad: { value: unknown; insteadOfPostgresId?: true; failures: [string, string][] };
  /** The checked value when the field is absent, or absent itself ("none"). */
  default: { value: unknown } | "none";
  /** The arguments changed (beside those it was made with) and what the diff shows. */
  drift: { args: Record<string, unknown>; shows: Diff; note: string };
}

const rows: Record<string, Row> = {
  extension: {
    bad: {
      value: "vector; DROP TABLE x",
      failures: [
        [
          "extension",
          `must be an extension name such as "vector" (lowercase letters, digits, '_'), got "vector; DROP TABLE x"`,
        ],
      ],
    },
    default: { value: "vector" },
    drift: { args: { extension: "pg_trgm" }, shows: { replaces: ["extension"] }, note: "another extension" },
  },
  connectionString: {
    bad: {
      value: "mysql://u:p@db.example.com/app",
      insteadOfPostgresId: true,
      failures: [["connectionString", "must be a postgresql:// connection string"]],
    },
    default: "none",
    drift: {
      args: { useConnectionString: "?application_name=schema-spec" },
      shows: { update: "where the provider connects; not drift" },
      note: "another spelling of the same database",
    },
  },
  postgresId: {
    bad: {
      value: "srv-d303qfodl3ps739p3e70",
      failures: [["postgresId", 'must be a Render Postgres id like dpg-…-a, got "srv-d303qfodl3ps739p3e70"']],
    },
    default: "none",
    drift: {
      args: { postgresId: "dpg-d303qfodl3ps739p3e6h-a" },
      shows: { replaces: ["postgresId"] },
      note: "another database",
    },
  },
  dropOnDelete: {
    bad: { value: "yes", failures: [["dropOnDelete", "must be true or false"]] },
    default: { value: false },
    drift: {
      args: { dropOnDelete: true },
      shows: { update: "what delete does; not drift" },
      note: "asked to drop",
    },
  },
};

function check(raw: Record<string, unknown>) {
  const { inputs, failures } = checkPostgresExtensionInputs(raw);
  return { inputs, failures: failures.map((f): [string, string] => [f.property, f.reason]) };
}

describe("postgres extension schema, field by field", function () {
  this.timeout(120_000);
  let emu: Awaited<ReturnType<typeof startEmulator>>;
  let connectionString = "";
  const provider = new PostgresExtensionProvider();
  const rootCertBefore = process.env.PGSSLROOTCERT;
  /** The extension as made in the emulator's database: its id, inputs and state. */
  let made: { id: string; inputs: PostgresExtensionInputs; outs: PostgresExtensionOutputs };

  before(async () => {
    emu = await startEmulator({ port: 0, timings: "fast" });
    // The provider verifies the database's TLS certificate: trust the emulator's CA as a user does.
    process.env.PGSSLROOTCERT = emu.caCertFile;
    const database = await configured(new PostgresProvider(), emu);
    const inputs = await checked<PostgresInputs>(database, {
      name: "schema-spec-db",
      ownerId: emu.ownerId,
      plan: "basic_256mb",
      version: "17",
      pollIntervalSeconds: 0.01,
    });
    connectionString = ((await database.create(inputs)).outs as PostgresOutputs).externalConnectionString;
    const extensionInputs = await checked<PostgresExtensionInputs>(provider, { connectionString });
    const { id, outs } = await provider.create(extensionInputs);
    made = { id, inputs: extensionInputs, outs: outs as PostgresExtensionOutputs };
  });
  after(async () => {
    if (rootCertBefore === undefined) delete process.env.PGSSLROOTCERT;
    else process.env.PGSSLROOTCERT = rootCertBefore;
    await emu?.close();
  });

  it("has a row for every field of postgresExtensionFields, and no other", () => {
    assert.deepEqual(Object.keys(rows), Object.keys(postgresExtensionFields));
  });

  it("refuses a key that is not a field (a typo), naming it and the allowed keys", () => {
    assert.deepEqual(check({ ...valid, extensoin: "vector" }).failures, [
      [
        "extensoin",
        `is not a PostgresExtension argument; allowed: ${Object.keys(postgresExtensionFields).join(", ")}`,
      ],
    ]);
  });

  it("needs exactly one of connectionString and postgresId", () => {
    const oneOf: [string, string][] = [
      ["connectionString", "give either connectionString or postgresId (one of them)"],
    ];
    assert.deepEqual(check({}).failures, oneOf);
    assert.deepEqual(
      check({ ...valid, connectionString: "postgresql://u:p@db.example.com/app" }).failures,
      oneOf,
    );
  });

  for (const [field, row] of Object.entries(rows)) {
    describe(field, () => {
      it(`refuses ${JSON.stringify(row.bad.value)}, naming the field and what is allowed`, () => {
        const args = row.bad.insteadOfPostgresId ? {} : { ...valid };
        assert.deepEqual(check({ ...args, [field]: row.bad.value }).failures, row.bad.failures);
      });

      const def = row.default;
      it(`default: ${def === "none" ? "none" : JSON.stringify(def.value)}`, () => {
        // The database given by id, or by connection string when the row is postgresId's own.
        const args: Record<string, unknown> =
          field === "postgresId" ? { connectionString: "postgresql://u:p@db.example.com/app" } : { ...valid };
        delete args[field];
        const { inputs, failures } = check(args);
        assert.deepEqual(failures, []);
        if (def === "none")
          assert.ok(!(field in inputs), `${field} is ${JSON.stringify(inputs[field as "extension"])}`);
        else assert.deepEqual(inputs[field as "extension"], def.value);
      });

      const { args, shows, note } = row.drift;
      const what = "replaces" in shows ? `replaces the extension` : `an update: ${shows.update}`;
      it(`a change (${note}) ${what}`, async () => {
        const { useConnectionString, ...rest } = args as { useConnectionString?: string };
        // The database by id instead of by connection string: the postgresId row's own change.
        const { connectionString: _given, ...byId } = made.inputs;
        const news = await checked<PostgresExtensionInputs>(provider, {
          ...(field === "postgresId" ? byId : made.inputs),
          ...rest,
          ...(useConnectionString !== undefined
            ? { connectionString: connectionString + useConnectionString }
            : {}),
        });
        // Installed and unchanged: no change, so what the diff shows next is the row's field.
        assert.deepEqual(await provider.diff!(made.id, made.outs, made.inputs), { changes: false });
        const diff = await provider.diff!(made.id, made.outs, news);
        if ("replaces" in shows) assert.deepEqual(diff, { changes: true, replaces: shows.replaces });
        else assert.deepEqual(diff, { changes: true });
      });
    });
  }

  // After the rows (mocha runs a suite's own tests before its nested suites): it drops the extension.
  describe("live", () => {
    it("dropped outside, the diff shows a change and refresh forgets it (the up creates it again)", async () => {
      const client = new Client({ connectionString, ssl: { ca: emu.caCert } });
      await client.connect();
      try {
        await client.query("DROP EXTENSION vector");
      } finally {
        await client.end();
      }
      assert.deepEqual(await provider.diff!(made.id, made.outs, made.inputs), { changes: true });
      assert.deepEqual(await provider.read!(made.id, made.outs), {});
    });
  });
});
