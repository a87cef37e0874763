import assert from "node:assert/strict";
import type { Deploy, Postgres } from "../../../components/render/schemas";
import {
  isTerminalDeployStatus,
  pollUntil,
  waitForDeploy,
  waitForPostgresAvailable,
  WaitFailedError,
  WaitTimeoutError,
} from "../../../components/render/wait";

function fakeTime() {
  let t = 0;
  const sleeps: number[] = [];
  return {
    now: () => t,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      t += ms;
    },
    sleeps,
  };
}

describe("render wait", () => {
  it("polls a database until available, at the given interval", async () => {
    const statuses = ["unknown", "creating", "creating", "available"];
    const time = fakeTime();
    const client = { getPostgres: async () => ({ id: "dpg-1", status: statuses.shift() }) as Postgres };
    const db = await waitForPostgresAvailable(client, "dpg-1", {
      timeoutMs: 60_000,
      intervalMs: 5000,
      ...time,
    });
    assert.equal(db.status, "available");
    assert.deepEqual(time.sleeps, [5000, 5000, 5000]);
  });

  it("ramps: first poll after rampFromMs, then doubling up to the interval (bench P3: <= 10 polls a minute)", async () => {
    // Render's realistic 60 s database: available from t = 60 s.
    const time = fakeTime();
    let polls = 0;
    const client = {
      getPostgres: async () => {
        polls++;
        return { id: "dpg-1", status: time.now() >= 60_000 ? "available" : "creating" } as Postgres;
      },
    };
    await waitForPostgresAvailable(client, "dpg-1", {
      timeoutMs: 600_000,
      intervalMs: 8000,
      rampFromMs: 1000,
      ...time,
    });
    assert.deepEqual(time.sleeps, [1000, 2000, 4000, 8000, 8000, 8000, 8000, 8000, 8000, 8000]);
    assert.equal(polls, 10);
    assert.ok(time.now() - 60_000 < 8000, "seen within one interval of becoming available");
    // A millisecond lifecycle (tests) is still seen at once: the ramp never exceeds the interval.
    const quick = fakeTime();
    await waitForPostgresAvailable(
      { getPostgres: async () => ({ id: "dpg-1", status: "available" }) as Postgres },
      "dpg-1",
      { timeoutMs: 1000, intervalMs: 10, rampFromMs: 1000, ...quick },
    );
    assert.deepEqual(quick.sleeps, [10]);
  });

  it("times out with the last status seen", async () => {
    const time = fakeTime();
    const client = { getPostgres: async () => ({ id: "dpg-1", status: "creating" }) as Postgres };
    await assert.rejects(
      waitForPostgresAvailable(client, "dpg-1", { timeoutMs: 12_000, intervalMs: 5000, ...time }),
      (err: unknown) =>
        err instanceof WaitTimeoutError &&
        /timed out after 12 s waiting for database dpg-1 to become available \(last seen: status creating\)/.test(
          err.message,
        ),
    );
    assert.deepEqual(time.sleeps, [5000, 5000, 2000]);
  });

  it("stops early on a state that will not change", async () => {
    const client = { getPostgres: async () => ({ id: "dpg-1", status: "recovery_failed" }) as Postgres };
    await assert.rejects(
      waitForPostgresAvailable(client, "dpg-1", { timeoutMs: 1000, intervalMs: 10, ...fakeTime() }),
      WaitFailedError,
    );
  });

  it("waits for a deploy to reach a terminal status, failed ones included", async () => {
    const statuses = ["build_in_progress", "update_in_progress", "build_failed"];
    const client = { getDeploy: async () => ({ id: "dep-1", status: statuses.shift() }) as Deploy };
    const d = await waitForDeploy(client, "srv-1", "dep-1", {
      timeoutMs: 1000,
      intervalMs: 10,
      ...fakeTime(),
    });
    assert.equal(d.status, "build_failed");
    assert.equal(isTerminalDeployStatus("live"), true);
    assert.equal(isTerminalDeployStatus("queued"), false);
    assert.equal(isTerminalDeployStatus(undefined), false);
  });

  it("shows every deploy it reads to onPoll, the last one included (the deploy's progress lines)", async () => {
    const statuses = ["queued", "build_in_progress", "build_in_progress", "live"];
    const client = { getDeploy: async () => ({ id: "dep-1", status: statuses.shift() }) as Deploy };
    const seen: (string | undefined)[] = [];
    await waitForDeploy(client, "srv-1", "dep-1", {
      timeoutMs: 1000,
      intervalMs: 10,
      ...fakeTime(),
      onPoll: (deploy) => seen.push(deploy.status),
    });
    assert.deepEqual(seen, ["queued", "build_in_progress", "build_in_progress", "live"]);
  });

  it("lets errors of the poll itself through", async () => {
    await assert.rejects(
      pollUntil(
        "x",
        async () => {
          throw new Error("boom");
        },
        { timeoutMs: 10, intervalMs: 1, ...fakeTime() },
      ),
      /boom/,
    );
  });
});
