/**
 * Engine test of issue 17 (TLS in the product), through the real `pulumi` CLI and the official Node
 * language host, against the emulator, whose databases require TLS like Render's from outside Render:
 * with the emulator's CA trusted (PGSSLROOTCERT) the extension is enabled over TLS; without it, the up
 * fails naming the server and the setting to fix; a plain-text attempt (sslmode=disable) is refused by
 * the emulator and says so. No password in any output.
 */
import { strict as assert } from "node:assert";
import * as path from "node:path";
import { Client } from "pg";
import { startEmulator, type RunningEmulator } from "../../emulator";
import { requireEngine } from "../../tools/pulumi-engine/locate";
import { PulumiStack, type PulumiResult } from "../../tools/harness/pulumiCli";
import { call } from "../helpers/providers";

const fixture = path.join(__dirname, "fixtures", "databaseTls");

/** A stack running the fixture in place (its relative imports of components/ resolve in the repository). */
function fixtureStack(emu: RunningEmulator, name: string, env: Record<string, string>): Promise<PulumiStack> {
  return PulumiStack.inPlace(fixture, {
    config: { "render:apiUrl": emu.url, "render:ownerId": emu.ownerId, "fixture:name": name },
    secretConfig: { "render:apiKey": emu.apiKey },
    // Nothing of the runner's own libpq settings: each stack says what it trusts.
    env: { PGSSLMODE: "", PGSSLROOTCERT: "", NODE_EXTRA_CA_CERTS: "", ...env },
  });
}

describe("engine: database connections over TLS (issue 17)", function () {
  this.timeout(300_000);
  let emu: RunningEmulator;
  const stacks: PulumiStack[] = [];
  const outputs: string[] = [];

  before(async () => {
    requireEngine();
    emu = await startEmulator({ port: 0, timings: "fast" });
  });
  after(async () => {
    for (const stack of stacks) await stack.cleanup();
    await emu?.close();
  });

  const text = (r: PulumiResult) => `${r.stdout}\n${r.stderr}`;
  async function passwords(): Promise<string[]> {
    const list = (await call(emu.url, "GET", "/postgres", { apiKey: emu.apiKey })).body as {
      postgres: { id: string };
    }[];
    return Promise.all(
      list.map(
        async ({ postgres }) =>
          (
            (await call(emu.url, "GET", `/postgres/${postgres.id}/connection-info`, { apiKey: emu.apiKey }))
              .body as { password: string }
          ).password,
      ),
    );
  }

  it("without the CA trusted, up fails at the extension naming the server and PGSSLROOTCERT; sslmode=disable is refused", async () => {
    const stack = await fixtureStack(emu, "tls-untrusted", {});
    stacks.push(stack);
    const result = await stack.up();
    outputs.push(text(result));
    assert.notEqual(result.code, 0, text(result));
    const out = text(result);
    assert.match(out, /\+\s+pulumi-nodejs:dynamic\/render:Postgres tls-db created/);
    assert.match(
      out,
      /could not enable extension vector on database dpg-\S+: the database server at 127\.0\.0\.1:\d+ presented a TLS certificate that is not trusted/,
    );
    assert.match(out, /Set PGSSLROOTCERT to the file of the CA that issued it/);
    assert.match(
      out,
      /the database server at 127\.0\.0\.1:\d+ refused a connection without TLS \(SSL\/TLS required; sslmode=disable \(from the connection string\)\)/,
    );
  });

  it("with PGSSLROOTCERT set to the emulator's CA, up enables the extension over TLS", async () => {
    const stack = await fixtureStack(emu, "tls-trusted", { PGSSLROOTCERT: emu.caCertFile });
    stacks.push(stack);
    const result = await stack.up();
    outputs.push(text(result));
    // The plain-text extension still fails (the emulator refuses it); the verified one is created.
    assert.notEqual(result.code, 0, text(result));
    assert.match(text(result), /\+\s+pulumi-nodejs:dynamic\/render:PostgresExtension tls-db-vector created/);
    assert.doesNotMatch(text(result), /not trusted/);
    // The extension is really there, read over TLS by a client that trusts the emulator's CA.
    const list = (await call(emu.url, "GET", "/postgres?name=tls-trusted", { apiKey: emu.apiKey })).body as {
      postgres: { id: string };
    }[];
    assert.equal(list.length, 1);
    const info = (
      await call(emu.url, "GET", `/postgres/${list[0].postgres.id}/connection-info`, { apiKey: emu.apiKey })
    ).body as { externalConnectionString: string };
    const client = new Client({ connectionString: info.externalConnectionString, ssl: { ca: emu.caCert } });
    await client.connect();
    try {
      const { rows } = await client.query("SELECT extversion FROM pg_extension WHERE extname = 'vector'");
      assert.match(String(rows[0]?.extversion), /^\d+\.\d+/);
    } finally {
      await client.end();
    }
  });

  it("no output held a database password", async () => {
    const secrets = await passwords();
    assert.ok(secrets.length >= 2);
    for (const out of outputs) for (const secret of secrets) assert.ok(!out.includes(secret));
  });
});
