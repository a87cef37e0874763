import { strict as assert } from "node:assert";
import { startEmulator } from "../../../emulator";
import { PostgresProvider, type PostgresOutputs } from "../../../components/postgres/provider";
import type { PostgresInputs } from "../../../components/postgres/mapping";
import { maintenanceWarnings, recoveryWarning } from "../../../components/postgres/warnings";
import { call, checked, configured } from "../../helpers/providers";
import { appAdvice, arrakisConfigNames } from "../../../app/app";

type Emulator = Awaited<ReturnType<typeof startEmulator>>;

const db = { id: "dpg-abc-a", name: "arrakis-db", plan: "free" };

describe("postgres warnings (pure)", () => {
  it("warns about no point-in-time recovery only when Render says NOT_AVAILABLE, saying what to do", () => {
    assert.equal(recoveryWarning(db, { recoveryStatus: "AVAILABLE" }), undefined);
    assert.equal(recoveryWarning(db, { recoveryStatus: "BACKUP_NOT_READY" }), undefined);
    const plain = recoveryWarning(db, { recoveryStatus: "NOT_AVAILABLE" })!;
    assert.match(
      plain,
      /^warning: database arrakis-db \(dpg-abc-a\) has no point-in-time recovery on plan free/,
    );
    assert.match(plain, /Move it to a paid plan \(e\.g\. basic-256mb, the resource's plan\)/);
    assert.match(plain, /logical exports \(POST \/postgres\/\{id\}\/export, kept 7 days by Render\)/);
    const advised = recoveryWarning(
      db,
      { recoveryStatus: "NOT_AVAILABLE" },
      appAdvice(arrakisConfigNames).database,
    );
    assert.match(advised!, /the arrakis app: `pulumi config set --path arrakis:database\.plan basic-256mb`/);
  });

  it("warns once per scheduled maintenance of the database, with its dates and the call that moves it", () => {
    const run = {
      id: "mrn-1",
      type: "maintenance",
      scheduledAt: "2026-12-12T04:00:00.000Z",
      pendingMaintenanceBy: "2026-12-19T04:00:00.000Z",
      state: "scheduled",
      resourceId: db.id,
    };
    const lines = maintenanceWarnings(
      db,
      [run, { ...run, id: "mrn-2", state: "succeeded" }, { ...run, id: "mrn-3", resourceId: "dpg-other-a" }],
      "https://api.render.com/v1/",
    );
    assert.deepEqual(lines, [
      "warning: maintenance mrn-1 (maintenance) of database arrakis-db (dpg-abc-a) is scheduled for " +
        "2026-12-12T04:00:00.000Z, to be done by 2026-12-19T04:00:00.000Z at the latest; the database is briefly " +
        "unavailable while it runs. To move it (to a time before 2026-12-19T04:00:00.000Z): curl -X PATCH " +
        'https://api.render.com/v1/maintenance/mrn-1 -H "Authorization: Bearer $RENDER_API_KEY" ' +
        `-H "Content-Type: application/json" -d '{"scheduledAt":"<RFC 3339 time>"}'`,
    ]);
  });
});

// The provider's diff writes the warnings, adds no change and writes nothing to Render.
describe("postgres warnings (provider diff, emulator)", function () {
  this.timeout(120_000);
  let emu: Emulator;

  before(async () => {
    emu = await startEmulator({ port: 0, timings: "fast" });
  });
  after(async () => {
    await emu?.close();
  });

  it("a free database with a scheduled maintenance: two warnings, once each, no change, no write", async () => {
    const lines: string[] = [];
    const provider = await configured(new PostgresProvider((line) => lines.push(line)), emu);
    const inputs = await checked<PostgresInputs>(provider, {
      name: "warned-db",
      ownerId: emu.ownerId,
      plan: "free",
      version: "17",
      region: "oregon",
      pollIntervalSeconds: 0.01,
    });
    const { id, outs } = await provider.create(inputs as never);
    const maintenance = await call(emu.controlUrl, "POST", "/maintenance", { body: { resourceId: id } });
    assert.equal(maintenance.status, 201, JSON.stringify(maintenance.body));
    const runId = (maintenance.body as { id: string }).id;
    await call(emu.controlUrl, "DELETE", "/requests");
    const first = await provider.diff(id, outs as PostgresOutputs, inputs as never);
    const second = await provider.diff(id, outs as PostgresOutputs, inputs as never);
    assert.equal(first.changes, false);
    assert.equal(second.changes, false);
    assert.equal(lines.length, 2, lines.join("\n"));
    assert.match(
      lines[0],
      new RegExp(`database warned-db \\(${id}\\) has no point-in-time recovery on plan free`),
    );
    assert.match(
      lines[1],
      new RegExp(`maintenance ${runId} \\(maintenance\\) of database warned-db .* is scheduled for \\d{4}-`),
    );
    assert.ok(lines[1].includes(`curl -X PATCH ${emu.url}/maintenance/${runId}`));
    assert.ok(!lines.join("\n").includes(emu.apiKey), "the API key in a warning");
    const log = (await call(emu.controlUrl, "GET", "/requests")).body as { method: string }[];
    assert.deepEqual(
      log.filter((r) => r.method !== "GET"),
      [],
    );
  });
});
