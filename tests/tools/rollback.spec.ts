/**
 * `npm run rollback`'s work (tools/rollbackCore.ts) against the in-process emulator: `--list`, the default
 * target, `--to` a deploy id or a commit, the wait, the probe and the pin; each bad input refused before
 * any write (no rollback POST, nothing pinned). The stack is a record of its outputs and pins here; the
 * `pulumi` CLI path runs in tests/engine/outsideDeploys.spec.ts.
 */
import { strict as assert } from "node:assert";
import { startEmulator, type RunningEmulator } from "../../emulator";
import { RenderClient } from "../../components/render";
import { rollback, RollbackError, type StackAccess } from "../../tools/rollbackCore";
import { call } from "../helpers/providers";
import { eventually } from "../emulator/harness";

interface LiveDeploy {
  id: string;
  status: string;
  trigger: string;
  commit: { id: string } | null;
}

const sha = (c: string) => c.repeat(40);

describe("npm run rollback (in-process, emulator)", function () {
  this.timeout(60_000);
  let emu: RunningEmulator;
  let client: RenderClient;
  let serviceId: string;
  let n = 0;
  const pins: string[] = [];
  const lines: string[] = [];
  const deploysOf: Record<string, string> = {};

  const api = (method: string, path: string, body?: unknown) =>
    call(emu.url, method, path, { apiKey: emu.apiKey, body });
  const control = (method: string, path: string, body?: unknown) =>
    call(emu.controlUrl, method, path, { body });
  const rollbackPosts = async () =>
    ((await control("GET", "/requests")).body as { method: string; path: string }[]).filter(
      (r) => r.method === "POST" && r.path.endsWith("/rollback"),
    ).length;
  const live = (id: string, service = serviceId) =>
    eventually(
      async () =>
        ((await api("GET", `/services/${service}/deploys/${id}`)).body as LiveDeploy).status === "live",
      `deploy ${id} live`,
    );
  const stack = (service = serviceId): StackAccess => ({
    name: "test",
    outputs: () => Promise.resolve({ serviceId: service }),
    pinCommit: (commit) => {
      pins.push(commit);
      return Promise.resolve(`pulumi config set --path arrakis:deploy.commit ${commit} --stack test`);
    },
  });
  const run = (options: Parameters<typeof rollback>[2], service = serviceId) =>
    rollback(client, stack(service), { pollIntervalMs: 20, probeIntervalMs: 10, ...options }, (l) =>
      lines.push(l),
    );
  async function refused(options: Parameters<typeof rollback>[2], service = serviceId): Promise<string> {
    const posts = await rollbackPosts();
    const pinned = pins.length;
    try {
      await run(options, service);
    } catch (err) {
      assert.ok(err instanceof RollbackError, String(err));
      assert.equal(await rollbackPosts(), posts, "a rollback was POSTed");
      assert.equal(pins.length, pinned, "a commit was pinned");
      return err.message;
    }
    throw new Error("expected a refusal");
  }

  /** A service whose deploys went live with commits a, b, c (c live). */
  async function newService(): Promise<string> {
    const created = await api("POST", "/services", {
      type: "web_service",
      name: `rollback-spec-${++n}`,
      ownerId: emu.ownerId,
      repo: "https://github.com/happydotemdr/arrakis",
      branch: "master",
      autoDeploy: "no",
      serviceDetails: {
        runtime: "node",
        healthCheckPath: "/",
        envSpecificDetails: { buildCommand: "npm install", startCommand: "npm start" },
      },
    });
    const { service, deployId } = created.body as { service: { id: string }; deployId: string };
    await live(deployId, service.id);
    for (const c of ["a", "b", "c"]) {
      const d = (await api("POST", `/services/${service.id}/deploys`, { commitId: sha(c) }))
        .body as LiveDeploy;
      deploysOf[`${service.id}:${c}`] = d.id;
      await live(d.id, service.id);
    }
    return service.id;
  }

  before(async () => {
    emu = await startEmulator({ port: 0, timings: "fast", rateLimits: { enabled: false } });
    client = new RenderClient({ apiKey: emu.apiKey, baseUrl: emu.url });
    serviceId = await newService();
  });

  after(async () => {
    await emu?.close();
  });

  beforeEach(() => {
    lines.length = 0;
  });

  it("--list shows what went live, newest first, the live one and the default target marked; writes nothing", async () => {
    const posts = await rollbackPosts();
    assert.equal(await run({ list: true }), 0);
    assert.equal(await rollbackPosts(), posts);
    assert.match(lines[0], /that went live, newest first/);
    assert.match(
      lines[1],
      new RegExp(`^\\* ${deploysOf[`${serviceId}:c`]}  ccccccc  \\S+Z  a deploy through the API$`),
    );
    assert.match(lines[2], new RegExp(`^> ${deploysOf[`${serviceId}:b`]}  bbbbbbb `));
    assert.match(lines[3], new RegExp(`^  ${deploysOf[`${serviceId}:a`]}  aaaaaaa `));
    assert.equal(lines.length, 5);
  });

  it("without --to: rolls back to the last successful deploy before the live one, waits, probes, pins", async () => {
    const posts = await rollbackPosts();
    assert.equal(await run({}), 0);
    assert.equal(await rollbackPosts(), posts + 1);
    const list = (
      (await api("GET", `/services/${serviceId}/deploys?limit=100`)).body as { deploy: LiveDeploy }[]
    ).map((e) => e.deploy);
    assert.equal(list[0].trigger, "rollback");
    assert.equal(list[0].status, "live");
    assert.equal(list[0].commit?.id, sha("b"));
    assert.deepEqual(pins.slice(-1), [sha("b")]);
    const text = lines.join("\n");
    assert.match(
      text,
      new RegExp(
        `back from ${deploysOf[`${serviceId}:c`]} \\(ccccccc\\) to ${deploysOf[`${serviceId}:b`]} \\(bbbbbbb`,
      ),
    );
    assert.match(text, new RegExp(`rollback deploy ${list[0].id} is live and healthy`));
    assert.match(
      text,
      /pinned the commit in the stack's config \(`pulumi config set --path arrakis:deploy\.commit b{40} --stack test`\)/,
    );
  });

  it("--to a commit or a deploy id rolls back to it", async () => {
    assert.equal(await run({ to: "aaaaaaa" }), 0);
    assert.deepEqual(pins.slice(-1), [sha("a")]);
    assert.equal(await run({ to: deploysOf[`${serviceId}:c`] }), 0);
    assert.deepEqual(pins.slice(-1), [sha("c")]);
    // The live one again: nothing to do, nothing written.
    const posts = await rollbackPosts();
    assert.equal(await run({ to: "ccccccc" }), 0);
    assert.equal(await rollbackPosts(), posts);
    assert.match(lines.join("\n"), /is live already: nothing to roll back/);
  });

  it("refuses before any write: a bad --to, an unknown deploy id, a commit never deployed or never live", async () => {
    assert.match(
      await refused({ to: "main" }),
      /--to must be a deploy id \(dep-…\) or a commit SHA \(7 to 40 hex digits\), got "main"/,
    );
    assert.match(
      await refused({ to: "dep-doesnotexist000000" }),
      /unknown deploy id dep-doesnotexist000000: the service has no such deploy \(npm run rollback -- --stack test --list\)/,
    );
    assert.match(await refused({ to: "1234567" }), /commit 1234567 was never deployed on this service/);
    await control("PUT", "/deploys/fail", { serviceId, commitId: sha("e"), stage: "build" });
    const failed = (await api("POST", `/services/${serviceId}/deploys`, { commitId: sha("e") }))
      .body as LiveDeploy;
    await eventually(
      async () =>
        ((await api("GET", `/services/${serviceId}/deploys/${failed.id}`)).body as LiveDeploy).status ===
        "build_failed",
      "build_failed",
    );
    assert.match(
      await refused({ to: "eeeeeee" }),
      new RegExp(`commit eeeeeee was deployed but never went live \\(${failed.id} build_failed\\)`),
    );
    assert.match(
      await refused({ to: failed.id }),
      new RegExp(`deploy ${failed.id} never went live \\(build_failed\\)`),
    );
  });

  it("refuses a suspended service before any write", async () => {
    const suspended = await newService();
    assert.equal((await api("POST", `/services/${suspended}/suspend`)).status, 202);
    assert.match(
      await refused({}, suspended),
      new RegExp(`service ${suspended} is suspended: Render does not roll back a suspended service`),
    );
  });

  it("a deploy too old for Render to keep: Render's refusal, said once, nothing pinned (emulator: last 5 that went live, UNCONFIRMED)", async () => {
    const old = await newService();
    for (const c of ["1", "2", "3", "4", "5"]) {
      const d = (await api("POST", `/services/${old}/deploys`, { commitId: sha(c) })).body as LiveDeploy;
      await live(d.id, old);
    }
    const pinned = pins.length;
    await assert.rejects(run({ to: "aaaaaaa" }, old), (err: Error) => {
      assert.match(
        err.message,
        new RegExp(
          `Render refused to roll back to ${deploysOf[`${old}:a`]}: .*no longer kept.*\\. Nothing was changed$`,
        ),
      );
      return true;
    });
    assert.equal(pins.length, pinned);
  });
});
