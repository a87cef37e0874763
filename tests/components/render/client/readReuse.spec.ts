/**
 * Reused reads (`reuseReadsMs`, bench P1): a client that opts in answers a GET from an identical one
 * made in this process within the window (or still in flight); a write through any client forgets
 * them; clients that do not opt in (polling) always ask Render; other keys never share answers.
 */
import assert from "node:assert/strict";
import { renderClientFrom } from "../../../../components/runtime/config";
import { forgetRememberedReads } from "../../../../components/render/client";
import { clientOf, control, emulator, requestLog, type Emulator } from "./harness";

describe("render client: reused reads", function () {
  let emu: Emulator;
  let postgresId: string;

  before(async () => {
    emu = await emulator();
    const { client } = clientOf(emu);
    postgresId = (
      await client.createPostgres({ name: "reuse", ownerId: emu.ownerId, plan: "free", version: "17" })
    ).id;
  });
  after(async () => emu.close());
  beforeEach(async () => {
    forgetRememberedReads();
    await control(emu, "DELETE", "/requests");
  });

  const gets = async () => (await requestLog(emu, "GET", `/v1/postgres/${postgresId}`)).length;

  it("answers a repeated GET within the window from the first, with a copy the caller may change", async () => {
    const reusing = clientOf(emu, { reuseReadsMs: 60_000 }).client;
    const fresh = clientOf(emu).client;
    const first = await fresh.getPostgres(postgresId);
    first.name = "changed by the caller";
    const second = await reusing.getPostgres(postgresId);
    assert.equal(second.name, "reuse");
    assert.equal(await gets(), 1);
    // A client that does not opt in (a poll) asks Render every time.
    await fresh.getPostgres(postgresId);
    assert.equal(await gets(), 2);
  });

  it("joins an identical GET still in flight", async () => {
    const reusing = clientOf(emu, { reuseReadsMs: 60_000 }).client;
    await control(emu, "POST", "/faults", {
      path: `/v1/postgres/${postgresId}`,
      fault: { kind: "delay", ms: 200 },
    });
    const [a, b] = await Promise.all([
      clientOf(emu).client.getPostgres(postgresId),
      reusing.getPostgres(postgresId),
    ]);
    assert.deepEqual(a, b);
    assert.equal(await gets(), 1);
  });

  it("forgets every answer after a write, so the next read sees it", async () => {
    const reusing = clientOf(emu, { reuseReadsMs: 60_000 }).client;
    await reusing.getPostgres(postgresId);
    await clientOf(emu).client.updatePostgres(postgresId, { plan: "basic_256mb" });
    assert.equal((await reusing.getPostgres(postgresId)).plan, "basic_256mb");
    assert.equal(await gets(), 2);
  });

  it("does not reuse an answer older than the window, or one made with another key", async () => {
    let now = Date.now();
    const reusing = clientOf(emu, { reuseReadsMs: 1_000, now: () => now }).client;
    await reusing.getPostgres(postgresId);
    now += 1_001;
    await reusing.getPostgres(postgresId);
    assert.equal(await gets(), 2);
    const otherKey = clientOf(emu, { apiKey: "rnd_another_key", reuseReadsMs: 60_000 }).client;
    await assert.rejects(otherKey.getPostgres(postgresId), /401|nauthori/);
  });

  it("providers reuse reads only inside the engine's provider host, never in-process", () => {
    const config = { apiKey: emu.apiKey, apiUrl: emu.url };
    const client = renderClientFrom(config, { reuseReads: true }) as unknown as { reuseReadsMs: number };
    assert.equal(client.reuseReadsMs, 0);
  });
});
