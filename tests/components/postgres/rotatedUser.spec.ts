import { strict as assert } from "node:assert";
import {
  checkPostgresInputs,
  diffPostgres,
  type LivePostgres,
  type PostgresInputs,
} from "../../../components/postgres/mapping";
import { rotatedUsername } from "../../../components/postgresCredential/schema";

// Should Render report a credential rotation's user as the database's `databaseUser` (UNCONFIRMED), the
// database must not look replaced: the rotation's user is the same database user.
describe("postgres mapping: a rotated database user is not a replacement", () => {
  const { inputs } = checkPostgresInputs({
    name: "arrakis-prod-db",
    ownerId: "tea-d303qfodl3ps739p3e60",
    plan: "basic-256mb",
    version: "17",
    databaseName: "arrakis_production",
    databaseUser: "arrakis_prod_user",
    ipAllowList: [],
  });
  const live = (databaseUser: string): LivePostgres => ({
    id: "dpg-d303qfodl3ps739p3e6g-a",
    name: "arrakis-prod-db",
    owner: { id: "tea-d303qfodl3ps739p3e60", name: "arrakis", type: "team" },
    plan: "basic_256mb",
    version: "17",
    region: "oregon",
    databaseName: "arrakis_production_bq3v",
    databaseUser,
    ipAllowList: [],
    highAvailabilityEnabled: false,
    diskSizeGB: 15,
  });

  it("reads a rotation's user as the configured one; any other user is still a replacement", () => {
    const desired = inputs as unknown as PostgresInputs;
    assert.deepEqual(diffPostgres(desired, live(rotatedUsername("arrakis_prod_user", "x"))), {
      changed: [],
      replaced: [],
    });
    assert.deepEqual(diffPostgres(desired, live("someone_else")).replaced, ["databaseUser"]);
    assert.deepEqual(diffPostgres(desired, live("someone_else_r0123abcd")).replaced, ["databaseUser"]);
  });
});
