/**
 * Credential rotation as desired state (issue 23 item 4), through plain `pulumi preview` / `pulumi up` of
 * the arrakis program against the emulator: `arrakis:database.credentialsRotation` set to a new label
 * makes a new Render-managed user, moves DATABASE_URL/DIRECT_URL to it, deploys the service (waiting for
 * it healthy), then deletes the old user.
 * - the preview names the steps and shows the change; the up runs them while the service's health path,
 *   probed every 250 ms, answers every time, and the user the live deploy runs with is never deleted;
 * - an up SIGKILLed right after the new user's POST leaves the old user working and the service serving;
 *   the next up converges: one new user, the old one gone;
 * - RELIABILITY_FULL: the same after the env vars moved and during the deploy.
 * Neither password appears in any output or in the state in plaintext.
 * First, on the same stack (its database on Render's free plan), the preview warnings (issue 23 item 5): no
 * point-in-time recovery on this plan and a maintenance Render scheduled on the database are each warned about,
 * with what to do, and a plain `pulumi preview --expect-no-changes` still passes (warnings are not changes).
 *
 * One emulator and one stack, the `it`s build on each other.
 */
import { strict as assert } from "node:assert";
import { randomBytes } from "node:crypto";
import type { RunningEmulator } from "../../emulator";
import type { PulumiResult, PulumiStack } from "../../tools/harness/pulumiCli";
import {
  EmulatorApi,
  createArrakisStack,
  readStackFile,
  startLocalEmulator,
  writeObjectConfig,
} from "../../tools/harness/stackHelpers";
import { trustingEmulator } from "../../tools/harness/emulatorTrust";
import { rotatedUsername } from "../../components/postgresCredential/schema";
import { adviceOf } from "../reliability/interruptedRuns";
import { processesGone } from "../reliability/harness";

interface User {
  username: string;
  default: boolean;
}
interface Deploy {
  id: string;
  status: string;
}

const local = readStackFile();
const databaseConfig: Record<string, unknown> = { ...local.objects["arrakis:database"], plan: "free" };
const openaiApiKey = `sk-test-${randomBytes(12).toString("hex")}`;
/** A loaded CI machine makes a database in a minute or more: room for each command. */
const slow = { timeoutMs: 480_000 };
const full = process.env.RELIABILITY_FULL === "1" || process.env.RELIABILITY_FULL === "true";

describe("engine: credential rotation (arrakis:database.credentialsRotation)", function () {
  this.timeout(1_200_000);
  let emu: RunningEmulator;
  let api: EmulatorApi;
  let stack: PulumiStack | undefined;
  let postgresId: string;
  let serviceId: string;
  let serviceUrl: string;
  const results: PulumiResult[] = [];
  /** Every password the database's users had, to look for in outputs and state. */
  const passwords = new Set<string>();

  const track = (result: PulumiResult, expect: "ok" | "any" = "ok") => {
    results.push(result);
    if (expect === "ok" && result.code !== 0)
      assert.fail(
        `pulumi ${result.args.join(" ")} exited ${result.code}\n${result.stdout}\n${result.stderr}`,
      );
    return result;
  };
  const users = async () => api.mustRender<User[]>("GET", `/postgres/${postgresId}/credentials`);
  const userOf = (url: string | undefined) => (url ? decodeURIComponent(new URL(url).username) : undefined);
  const notePassword = async () => {
    const info = await api.mustRender<{ password: string }>("GET", `/postgres/${postgresId}/connection-info`);
    passwords.add(info.password);
  };
  const setRotation = (label: string) =>
    writeObjectConfig(stack!, { "arrakis:database": { ...databaseConfig, credentialsRotation: label } });
  const writesOf = async () =>
    (await api.requests())
      .filter((r) => r.method !== "GET")
      .map(
        (r) => `${r.method} ${r.path.replace(/dpg-[a-z0-9-]+/, "{dpg}").replace(/srv-[a-z0-9-]+/, "{srv}")}`,
      );

  /** `pulumi up` until it succeeds, doing what a failed one's output advises (e.g. `pulumi cancel`). */
  async function converge(): Promise<string[]> {
    const steps: string[] = [];
    for (let i = 0; i < 4; i++) {
      const result = track(await stack!.up([], slow), "any");
      steps.push(`up: ${result.code}`);
      if (result.code === 0) return steps;
      for (const args of adviceOf(result)) {
        const r = track(await stack!.run([...args, "--stack", stack!.stackName], slow), "any");
        steps.push(`${args.join(" ")}: ${r.code}`);
      }
    }
    assert.fail(
      `did not converge: ${steps.join(", ")}\n${results.at(-1)?.stdout}\n${results.at(-1)?.stderr}`,
    );
  }

  /** Probes while `during` runs: every 250 ms the health path, the users, the env and the live deploy. */
  async function probed<T>(
    during: () => Promise<T>,
  ): Promise<{ value: T; ticks: number; checks: number; skipped: number; problems: string[] }> {
    const problems: string[] = [];
    // The user each deploy started with: the env's user when the deploy is first seen (env first, then deploy).
    const deployUser = new Map<string, string>();
    const env0 = await api.envVars(serviceId);
    for (const d of await api.mustRender<Array<{ deploy: Deploy }>>(
      "GET",
      `/services/${serviceId}/deploys?limit=20`,
    ))
      deployUser.set(d.deploy.id, userOf(env0.DATABASE_URL)!);
    let ticks = 0;
    let checks = 0;
    let skipped = 0;
    let stop = false;
    const loop = (async () => {
      while (!stop) {
        const started = Date.now();
        const at = new Date().toISOString();
        const health = await fetch(`${serviceUrl}/`).then(
          (r) => r.status,
          (err: unknown) => String(err),
        );
        if (health !== 200) problems.push(`${at}: the health path answered ${health}`);
        // The state every 4th tick (once a second): Render's (and the emulator's) rate limit is per key, and the
        // up shares it. An answer the limit refused skips that check; the health path is never skipped.
        if (ticks % 4 === 0)
          try {
            const [list, envList, deploysAnswer] = await Promise.all([
              api.render<User[]>("GET", `/postgres/${postgresId}/credentials`),
              api.render<Array<{ envVar: { key: string; value: string } }>>(
                "GET",
                `/services/${serviceId}/env-vars?limit=100`,
              ),
              api.render<Array<{ deploy: Deploy }>>("GET", `/services/${serviceId}/deploys?limit=20`),
            ]);
            if ([list, envList, deploysAnswer].some((a) => a.status !== 200)) skipped++;
            else {
              checks++;
              const names = list.body.map((u) => u.username);
              const env = Object.fromEntries(envList.body.map(({ envVar }) => [envVar.key, envVar.value]));
              const deploys = deploysAnswer.body;
              for (const d of deploys)
                if (!deployUser.has(d.deploy.id)) deployUser.set(d.deploy.id, userOf(env.DATABASE_URL)!);
              const live = deploys.find((d) => d.deploy.status === "live");
              const running = live ? deployUser.get(live.deploy.id) : undefined;
              if (running && !names.includes(running))
                problems.push(
                  `${at}: the live deploy ${live!.deploy.id} runs as ${running}, which is deleted`,
                );
              for (const key of ["DATABASE_URL", "DIRECT_URL"])
                if (!names.includes(userOf(env[key])!)) problems.push(`${at}: ${key} names a deleted user`);
            }
          } catch (err) {
            problems.push(`${at}: the probe's API reads failed: ${String(err)}`);
          }
        ticks++;
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, 250 - (Date.now() - started))));
      }
    })();
    try {
      const value = await during();
      return { value, ticks, checks, skipped, problems };
    } finally {
      stop = true;
      await loop;
    }
  }

  /** Kills an up with a new label once the log shows `when`; answers what Render had then. */
  async function killedAt(label: string, when: (writes: string[]) => boolean) {
    setRotation(label);
    assert.ok([200, 204].includes((await api.control("DELETE", "/requests")).status));
    const abort = new AbortController();
    const run = stack!.up([], { ...slow, signal: abort.signal });
    const deadline = Date.now() + 240_000;
    let writes: string[] = [];
    while (!when((writes = await writesOf()))) {
      assert.ok(Date.now() < deadline, `the kill point was never reached: ${writes.join(", ")}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    abort.abort();
    const killed = track(await run, "any");
    assert.notEqual(killed.code, 0, "the up ended before the kill point");
    assert.deepEqual(await processesGone(stack!.projectDir), [], "processes of the killed up still alive");
    return { writes, health: (await fetch(`${serviceUrl}/`)).status, users: await users() };
  }

  /** After a converged rotation to `label`: one user, the label's, default and in the env vars. */
  async function assertRotatedTo(label: string) {
    const expected = rotatedUsername(String(databaseConfig.databaseUser), label);
    const list = await users();
    assert.deepEqual(
      list.map((u) => [u.username, u.default]),
      [[expected, true]],
    );
    const env = await api.envVars(serviceId);
    assert.equal(userOf(env.DATABASE_URL), expected);
    assert.equal(userOf(env.DIRECT_URL), expected);
    assert.equal((await fetch(`${serviceUrl}/`)).status, 200);
    await notePassword();
    return expected;
  }

  before(async () => {
    emu = await startLocalEmulator();
    api = new EmulatorApi(emu);
    stack = await trustingEmulator(emu, () =>
      createArrakisStack({
        stackName: "local",
        config: { ...local.plain, "render:apiUrl": emu.url, "render:ownerId": emu.ownerId },
        secretConfig: { "render:apiKey": emu.apiKey, "arrakis:openaiApiKey": openaiApiKey },
        objectConfig: {
          // Render's free plan: no point-in-time recovery, for the preview warnings (issue 23 item 5).
          "arrakis:database": databaseConfig,
          "arrakis:service": local.objects["arrakis:service"],
          "arrakis:deploy": {
            ...local.objects["arrakis:deploy"],
            pollIntervalMs: 200,
            healthCheck: { retries: 2, intervalMs: 100, timeoutMs: 2000 },
          },
        },
      }),
    );
    track(await stack.up([], slow));
    const outputs = await stack.outputs();
    postgresId = String(outputs.databaseId);
    serviceId = String(outputs.serviceId);
    serviceUrl = String(outputs.serviceUrl);
    await notePassword();
  });

  after(async () => {
    await stack?.cleanup();
    await emu?.close();
  });

  it("before any rotation: a plain preview warns (no point-in-time recovery on free, a pending maintenance), says what to do, shows no change", async () => {
    const { databaseId } = await stack!.outputs();
    const run = (
      await api.control<{ id: string; scheduledAt: string; pendingMaintenanceBy: string }>(
        "POST",
        "/maintenance",
        {
          resourceId: databaseId,
        },
      )
    ).body;
    assert.ok([200, 204].includes((await api.control("DELETE", "/requests")).status));
    const result = track(await stack!.preview(["--expect-no-changes"], slow));
    const output = result.stdout + result.stderr;
    assert.match(
      output,
      new RegExp(
        `warning: database arrakis-local-db \\(${databaseId}\\) has no point-in-time recovery on plan free .*` +
          "Move it to a paid plan \\(e\\.g\\. basic-256mb; the arrakis app: `pulumi config set --path arrakis:database\\.plan basic-256mb`\\)",
      ),
    );
    assert.match(
      output,
      new RegExp(
        `warning: maintenance ${run.id} \\(maintenance\\) of database arrakis-local-db \\(${databaseId}\\) is scheduled for ` +
          `${run.scheduledAt.replace(/\./g, "\\.")}, to be done by ${run.pendingMaintenanceBy.replace(/\./g, "\\.")} at the latest`,
      ),
    );
    assert.ok(
      output.includes(
        `curl -X PATCH ${emu.url}/maintenance/${run.id} -H "Authorization: Bearer $RENDER_API_KEY"`,
      ),
    );
    assert.ok(!output.includes(emu.apiKey), "the API key in the output");
    // Warnings read; the preview wrote nothing.
    const writes = (await api.requests()).filter((r) => r.method !== "GET");
    assert.deepEqual(writes, []);
  });

  it("the preview of a new label shows the change and names the steps, writing nothing", async () => {
    setRotation("first-rotation");
    assert.ok([200, 204].includes((await api.control("DELETE", "/requests")).status));
    const result = track(await stack!.preview([], slow));
    const output = result.stdout + result.stderr;
    const user = rotatedUsername(String(databaseConfig.databaseUser), "first-rotation");
    const old = String(databaseConfig.databaseUser);
    assert.match(output, new RegExp(`rotating the credentials of database ${postgresId}: pulumi up will`));
    assert.match(output, new RegExp(`1\\. create user ${user} \\(Render makes it the default user`));
    assert.match(output, /2\. move service arrakis-local's DATABASE_URL, DIRECT_URL to it/);
    assert.match(output, /3\. deploy service arrakis-local and wait until it is live and healthy/);
    assert.match(output, new RegExp(`4\\. delete user ${old} \\(working until then\\)`));
    assert.match(
      result.stdout,
      /\+\s+pulumi-nodejs:dynamic\/render:PostgresCredential arrakis-db-user create/,
    );
    assert.match(
      result.stdout,
      /\+\s+pulumi-nodejs:dynamic\/render:RetiredPostgresCredentials arrakis-db-old-users create/,
    );
    assert.match(result.stdout, /~\s+pulumi-nodejs:dynamic\/render:Deploy arrakis-deploy update/);
    assert.deepEqual(await writesOf(), []);
  });

  it("the up rotates while the service serves: every 250 ms probe answers, the old user goes last", async () => {
    const old = String(databaseConfig.databaseUser);
    assert.ok([200, 204].includes((await api.control("DELETE", "/requests")).status));
    const { ticks, checks, skipped, problems } = await probed(async () => track(await stack!.up([], slow)));
    assert.deepEqual(problems, []);
    assert.ok(
      ticks >= 20 && checks >= 4,
      `only ${ticks} probes and ${checks} checks (${skipped} rate-limited)`,
    );
    const user = await assertRotatedTo("first-rotation");
    // In order: the new user, the env vars, the deploy, and only then the old user's deletion.
    const writes = await writesOf();
    const at = (w: string) => writes.findIndex((x) => x.startsWith(w));
    assert.deepEqual(
      writes.filter((w) => w.includes("/credentials")),
      ["POST /v1/postgres/{dpg}/credentials", `DELETE /v1/postgres/{dpg}/credentials/${old}`],
    );
    assert.ok(
      at("POST /v1/postgres/{dpg}/credentials") < at("PUT /v1/services/{srv}/env-vars"),
      writes.join("\n"),
    );
    assert.ok(
      at("PUT /v1/services/{srv}/env-vars") < at("POST /v1/services/{srv}/deploys"),
      writes.join("\n"),
    );
    assert.ok(
      at("POST /v1/services/{srv}/deploys") < at("DELETE /v1/postgres/{dpg}/credentials"),
      writes.join("\n"),
    );
    assert.ok(user !== old);
  });

  it("an up killed right after the new user's POST keeps the old user and the service; the next up converges", async () => {
    const before = rotatedUsername(String(databaseConfig.databaseUser), "first-rotation");
    const atKill = await killedAt("kill-after-user", (w) =>
      w.includes("POST /v1/postgres/{dpg}/credentials"),
    );
    assert.equal(atKill.health, 200);
    assert.ok(
      atKill.users.some((u) => u.username === before),
      "the old user was deleted by the killed up",
    );
    await converge();
    await assertRotatedTo("kill-after-user");
    const posts = (await writesOf()).filter((w) => w === "POST /v1/postgres/{dpg}/credentials");
    assert.equal(posts.length, 1, "the user was made twice");
    track(await stack!.preview(["--expect-no-changes"], slow));
  });

  (full ? it : it.skip)(
    "RELIABILITY_FULL: killed after the env vars moved, then during the deploy: the next up converges",
    async () => {
      for (const [label, point] of [
        ["kill-after-env", (w: string[]) => w.some((x) => x.startsWith("PUT /v1/services/{srv}/env-vars"))],
        ["kill-in-deploy", (w: string[]) => w.includes("POST /v1/services/{srv}/deploys")],
      ] as const) {
        const atKill = await killedAt(label, point);
        assert.equal(atKill.health, 200, label);
        assert.equal(atKill.users.length, 2, `${label}: ${JSON.stringify(atKill.users)}`);
        await converge();
        await assertRotatedTo(label);
      }
      track(await stack!.preview(["--expect-no-changes"], slow));
    },
  );

  it("no password of any user is in any output or in the state in plaintext", async () => {
    assert.ok(passwords.size >= 3);
    const state = JSON.stringify(await stack!.exportState());
    for (const password of passwords) {
      assert.ok(!state.includes(password), "a password in the state");
      for (const r of results)
        assert.ok(
          !r.stdout.includes(password) && !r.stderr.includes(password),
          `a password in pulumi ${r.args[0]}`,
        );
    }
  });
});
