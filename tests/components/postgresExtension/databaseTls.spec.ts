/**
 * The product's database connections (components/postgresExtension/databaseTls.ts) and the PostgresExtension provider
 * that uses them: TLS verified by default, libpq's sslmode/sslrootcert/PGSSLMODE/PGSSLROOTCERT honoured,
 * and errors that name the server and the setting to change. Against the emulator, whose databases
 * require TLS like Render's from outside Render.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type * as tls from "node:tls";
import type { Client } from "pg";
import { startEmulator, type RunningEmulator } from "../../../emulator";
import { createDatabaseBackend, type DatabaseHandle } from "../../../emulator/databases";
import { connectDatabase, connectionPlan } from "../../../components/postgresExtension/databaseTls";
import {
  PostgresExtensionProvider,
  type PostgresExtensionInputs,
} from "../../../components/postgresExtension/provider";
import { PostgresProvider, type PostgresOutputs } from "../../../components/postgres/provider";
import type { PostgresInputs } from "../../../components/postgres/mapping";
import { checked, configured } from "../../helpers/providers";

const URL_BASE = "postgresql://u:secret-pw@db.example.com:5432/app";

describe("database TLS settings (libpq semantics)", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dbtls-"));
  const caFile = path.join(dir, "ca.crt");
  fs.writeFileSync(caFile, "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const ssl = (plan: ReturnType<typeof connectionPlan>, i = 0) =>
    plan.attempts[i].config.ssl as tls.ConnectionOptions | false;

  it("connects with TLS and verifies chain and host name when nothing is said", () => {
    const plan = connectionPlan(URL_BASE, {});
    assert.equal(plan.mode, "verify-full");
    assert.equal(plan.modeFrom, "the default");
    assert.equal(plan.attempts.length, 1);
    const options = ssl(plan);
    assert.ok(options);
    assert.equal(options.rejectUnauthorized, true);
    assert.equal(options.checkServerIdentity, undefined, "Node's host name check stays");
    assert.equal(options.ca, undefined, "Node's CA store (public roots + NODE_EXTRA_CA_CERTS)");
    assert.equal(plan.target, "db.example.com:5432");
  });

  it("takes sslmode from the string over PGSSLMODE, and removes the TLS parameters from what pg parses", () => {
    const plan = connectionPlan(`${URL_BASE}?sslmode=require&application_name=x&sslrootcert=${caFile}`, {
      PGSSLMODE: "disable",
    });
    assert.equal(plan.mode, "require");
    assert.equal(plan.modeFrom, "the connection string");
    const cs = plan.attempts[0].config.connectionString ?? "";
    assert.ok(!/ssl/.test(cs), cs);
    assert.match(cs, /application_name=x/);
    // require with a root certificate verifies the chain (as libpq), not the host name.
    const options = ssl(plan);
    assert.ok(options);
    assert.equal(options.rejectUnauthorized, true);
    assert.match(String(options.ca), /BEGIN CERTIFICATE/);
    assert.equal(typeof options.checkServerIdentity, "function");
  });

  it("require without a root certificate encrypts without verifying; verify-ca checks the chain only", () => {
    const require = ssl(connectionPlan(`${URL_BASE}?sslmode=require`, {}));
    assert.ok(require);
    assert.equal(require.rejectUnauthorized, false);
    const verifyCa = ssl(connectionPlan(URL_BASE, { PGSSLMODE: "verify-ca", PGSSLROOTCERT: caFile }));
    assert.ok(verifyCa);
    assert.equal(verifyCa.rejectUnauthorized, true);
    assert.equal(typeof verifyCa.checkServerIdentity, "function");
    assert.match(String(verifyCa.ca), /BEGIN CERTIFICATE/);
  });

  it("orders attempts for disable, allow and prefer as libpq does", () => {
    const kinds = (mode: string) =>
      connectionPlan(`${URL_BASE}?sslmode=${mode}`, {}).attempts.map((a) => (a.tls ? "tls" : "plain"));
    assert.deepEqual(kinds("disable"), ["plain"]);
    assert.deepEqual(kinds("allow"), ["plain", "tls"]);
    assert.deepEqual(kinds("prefer"), ["tls", "plain"]);
    assert.deepEqual(kinds("verify-full"), ["tls"]);
    assert.equal(connectionPlan(`${URL_BASE}?sslmode=disable`, {}).attempts[0].config.ssl, false);
  });

  it("sslrootcert=system means Node's store even when PGSSLROOTCERT is set", () => {
    const plan = connectionPlan(`${URL_BASE}?sslrootcert=system`, { PGSSLROOTCERT: caFile });
    assert.equal(plan.rootCert, undefined);
    const options = ssl(plan);
    assert.ok(options);
    assert.equal(options.ca, undefined);
  });

  it("refuses an sslmode libpq does not know, naming where it came from and the allowed values", () => {
    assert.throws(
      () => connectionPlan(`${URL_BASE}?sslmode=no-verify`, {}),
      /sslmode in the connection string is "no-verify"; allowed: "disable", "allow", "prefer", "require", "verify-ca", "verify-full"/,
    );
    assert.throws(() => connectionPlan(URL_BASE, { PGSSLMODE: "on" }), /PGSSLMODE is "on"; allowed: /);
  });

  it("names the setting and the file when a certificate file cannot be read, never the password", () => {
    assert.throws(
      () => connectionPlan(URL_BASE, { PGSSLROOTCERT: path.join(dir, "missing.crt") }),
      (err: Error) => {
        assert.match(err.message, /PGSSLROOTCERT names \(.*missing\.crt\): ENOENT/);
        assert.ok(!err.message.includes("secret-pw"));
        return true;
      },
    );
  });
});

describe("database TLS against the emulator", function () {
  this.timeout(120_000);
  let emu: RunningEmulator;
  let other: RunningEmulator;
  let connectionString: string;
  let hostPort: string;
  const extension = new PostgresExtensionProvider();

  before(async () => {
    [emu, other] = await Promise.all([
      startEmulator({ port: 0, timings: "fast" }),
      startEmulator({ port: 0, timings: "fast" }),
    ]);
    const provider = await configured(new PostgresProvider(), emu);
    const inputs = await checked<PostgresInputs>(provider, {
      name: "tls-db",
      ownerId: emu.ownerId,
      plan: "basic_256mb",
      version: "17",
      pollIntervalSeconds: 0.01,
    });
    connectionString = ((await provider.create(inputs)).outs as PostgresOutputs).externalConnectionString;
    hostPort = new URL(connectionString).host;
  });
  after(async () => {
    await Promise.all([emu?.close(), other?.close()]);
  });

  async function encrypted(client: Client): Promise<boolean> {
    try {
      await client.query("SELECT 1");
      return (
        (client as unknown as { connection: { stream: tls.TLSSocket } }).connection.stream.encrypted === true
      );
    } finally {
      await client.end();
    }
  }

  async function failure(run: Promise<unknown>): Promise<Error> {
    try {
      await run;
    } catch (err) {
      return err as Error;
    }
    throw new Error("expected a failure");
  }

  it("connects over TLS, verifying the emulator's certificate with PGSSLROOTCERT", async () => {
    const env = { PGSSLROOTCERT: emu.caCertFile };
    assert.equal(await encrypted(await connectDatabase(connectionString, {}, env)), true);
    // verify-full checks the host name: the certificate is for 127.0.0.1.
    assert.equal(
      await encrypted(await connectDatabase(`${connectionString}?sslmode=verify-full`, {}, env)),
      true,
    );
    // allow: the plain-text attempt is refused (SSL/TLS required), the TLS one made.
    assert.equal(await encrypted(await connectDatabase(`${connectionString}?sslmode=allow`, {}, env)), true);
    // require without a root certificate: encrypted, nothing verified (libpq's meaning, asked for in the string).
    assert.equal(await encrypted(await connectDatabase(`${connectionString}?sslmode=require`, {}, {})), true);
  });

  it("enables the extension over TLS (PostgresExtension with PGSSLROOTCERT set)", async () => {
    const before = process.env.PGSSLROOTCERT;
    process.env.PGSSLROOTCERT = emu.caCertFile;
    try {
      const inputs = await checked<PostgresExtensionInputs>(extension, { connectionString });
      const created = await extension.create(inputs);
      assert.match(String(created.outs?.installedVersion), /^\d+\.\d+/);
    } finally {
      if (before === undefined) delete process.env.PGSSLROOTCERT;
      else process.env.PGSSLROOTCERT = before;
    }
  });

  it("a plaintext attempt (sslmode=disable) is refused by the emulator, and the message says what to change", async () => {
    const err = await failure(connectDatabase(`${connectionString}?sslmode=disable`, {}, {}));
    assert.match(
      err.message,
      new RegExp(`server at ${hostPort.replace(/\./g, "\\.")} refused a connection without TLS`),
    );
    assert.match(err.message, /SSL\/TLS required/);
    assert.match(err.message, /Remove sslmode=disable/);
    assert.ok(!err.message.includes(new URL(connectionString).password));
  });

  it("an untrusted certificate fails naming the host and PGSSLROOTCERT (extension create, no CA configured)", async () => {
    const before = process.env.PGSSLROOTCERT;
    delete process.env.PGSSLROOTCERT;
    try {
      const inputs = await checked<PostgresExtensionInputs>(extension, { connectionString });
      const err = await failure(extension.create(inputs));
      assert.match(err.message, /^could not enable extension vector on 127\.0\.0\.1:\d+\//);
      assert.match(
        err.message,
        new RegExp(
          `the database server at ${hostPort.replace(/\./g, "\\.")} presented a TLS certificate that is not trusted`,
        ),
      );
      assert.match(err.message, /Set PGSSLROOTCERT to the file of the CA/);
      assert.match(err.message, /sslrootcert=<file>/);
      const password = new URL(connectionString).password;
      assert.ok(!err.message.includes(password));
    } finally {
      if (before !== undefined) process.env.PGSSLROOTCERT = before;
    }
    // Another CA (another emulator's) is not trusted either, and the message names the file in use.
    const err = await failure(connectDatabase(connectionString, {}, { PGSSLROOTCERT: other.caCertFile }));
    assert.match(err.message, /not trusted/);
    assert.ok(err.message.includes(`trusting the CA in ${other.caCertFile} (PGSSLROOTCERT)`));
  });

  it("verify-full refuses a server without TLS, and prefer falls back to plain text there (libpq)", async () => {
    // The emulator's backend alone: a plain-text database on loopback that answers SSLRequest with N.
    const backend = createDatabaseBackend({ kind: "pglite" });
    let handle: DatabaseHandle;
    try {
      handle = await backend.provision({
        id: "dpg-plain",
        databaseName: "plain",
        user: "plain_user",
        password: "pw",
      });
      const url = `postgresql://plain_user:pw@${handle.host}:${handle.port}/plain`;
      const err = await failure(connectDatabase(url, {}, {}));
      assert.match(err.message, new RegExp(`server at 127\\.0\\.0\\.1:${handle.port} does not offer TLS`));
      assert.equal(await encrypted(await connectDatabase(`${url}?sslmode=prefer`, {}, {})), false);
    } finally {
      await backend.close();
    }
  });
});
