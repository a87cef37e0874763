/**
 * The emulator's databases from outside Render: TLS required (SSLRequest answered `S`, a certificate of
 * the emulator's own CA), a plaintext client refused with Render's FATAL, connection strings in Render's
 * forms, and the CA kept with the state and served by the control API. Runs against PGlite, and against
 * a PostgreSQL server too when EMULATOR_TEST_PG_URL is set.
 */
import { strict as assert } from "node:assert";
import { X509Certificate } from "node:crypto";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import type * as tls from "node:tls";
import { Client, type ClientConfig } from "pg";
import { spawn, spawnSync } from "node:child_process";
import { databaseTrustEnv, type EmulatorOptions, type RunningEmulator } from "../../emulator";
import { apiOf, control, eventually, expectStatus, start } from "./harness";

interface Info {
  password: string;
  internalConnectionString: string;
  externalConnectionString: string;
  psqlCommand: string;
}

async function availableDatabase(
  emu: RunningEmulator,
  databaseName = "tls",
): Promise<{ id: string; info: Info }> {
  const api = apiOf(emu);
  const created = await api("POST", "/postgres", {
    name: `db-${databaseName}`,
    plan: "basic_256mb",
    version: "16",
    ownerId: emu.ownerId,
    databaseName,
    databaseUser: `${databaseName}_user`,
  });
  expectStatus(created, 201);
  const id = (created.body as { id: string }).id;
  await eventually(
    async () => ((await api("GET", `/postgres/${id}`)).body as { status: string }).status === "available",
    "available",
    60_000,
  );
  const info = (await api("GET", `/postgres/${id}/connection-info`)).body as Info;
  return { id, info };
}

/** Connects, runs `work`, ends; rejects with pg's error. */
async function withClient<T>(config: ClientConfig, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ ...config, connectionTimeoutMillis: 10_000 });
  client.on("error", () => undefined);
  try {
    await client.connect();
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function refusal(config: ClientConfig): Promise<Error & { code?: string; severity?: string }> {
  try {
    await withClient(config, async () => undefined);
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error("expected the connection to be refused");
}

function behaviour(options: () => EmulatorOptions, label: string): void {
  describe(`emulator database TLS (${label})`, function () {
    this.timeout(90_000);
    let emu: RunningEmulator;
    let info: Info;
    let id: string;

    before(async () => {
      emu = await start(options());
      ({ id, info } = await availableDatabase(emu, `tls_${label}`));
    });
    after(() => emu?.close());

    it("gives the external string as Render does (no sslmode) and the internal one in Render's private form", () => {
      assert.match(
        info.externalConnectionString,
        /^postgresql:\/\/[^@]+@127\.0\.0\.1:\d+\/tls_\w+_[a-z0-9]{4}$/,
      );
      assert.ok(!info.externalConnectionString.includes("sslmode"));
      const internal = new URL(info.internalConnectionString);
      assert.equal(internal.hostname, id);
      assert.equal(internal.port, "");
      assert.equal(internal.search, "");
      assert.match(info.psqlCommand, /^PGPASSWORD=\S+ psql -h 127\.0\.0\.1 -p \d+ -U \S+ tls_\w+$/);
    });

    it("answers SSLRequest with S and serves TLS with a certificate its CA issued for 127.0.0.1", async () => {
      const peer = await withClient(
        { connectionString: info.externalConnectionString, ssl: { ca: emu.caCert } },
        async (client) => {
          const { rows } = await client.query<{ who: string }>("SELECT current_user AS who");
          assert.equal(rows[0].who, `tls_${label}_user`);
          const stream = (client as unknown as { connection: { stream: tls.TLSSocket } }).connection.stream;
          assert.equal(stream.encrypted, true);
          assert.equal(stream.authorized, true);
          return stream.getPeerX509Certificate();
        },
      );
      assert.ok(peer);
      const ca = new X509Certificate(emu.caCert);
      assert.ok(peer.checkIssued(ca) && peer.verify(ca.publicKey));
      assert.equal(peer.checkIP("127.0.0.1"), "127.0.0.1");
      assert.equal(ca.ca, true);
    });

    it("refuses TLS older than 1.2, as Render does", async () => {
      const error = await refusal({
        connectionString: info.externalConnectionString,
        // SECLEVEL=0 lets this client offer TLS 1.1, so that the refusal is the server's (an alert).
        ssl: { ca: emu.caCert, maxVersion: "TLSv1.1", minVersion: "TLSv1", ciphers: "DEFAULT@SECLEVEL=0" },
      });
      assert.match(error.message, /alert protocol version/);
    });

    it("refuses a plaintext client with Render's FATAL 28000 SSL/TLS required", async () => {
      for (const config of [
        { connectionString: info.externalConnectionString },
        { connectionString: `${info.externalConnectionString}?sslmode=disable` },
      ]) {
        const error = await refusal(config);
        assert.equal(error.message, "SSL/TLS required");
        assert.equal(error.code, "28000");
        assert.equal(error.severity, "FATAL");
      }
    });

    it("is refused by a client that does not trust the emulator's CA", async () => {
      const error = await refusal({ connectionString: info.externalConnectionString, ssl: {} });
      assert.match(error.message, /unable to verify the first certificate|self.signed/);
    });

    it("still checks the password inside TLS", async () => {
      const url = new URL(info.externalConnectionString);
      url.password = "wrong-password";
      const error = await refusal({ connectionString: url.toString(), ssl: { ca: emu.caCert } });
      assert.match(error.message, /password authentication failed for user "tls_\w+_user"/);
    });

    it("answers a GSSAPI encryption request with N", async () => {
      const port = Number(new URL(info.externalConnectionString).port);
      const answer = await new Promise<string>((resolve, reject) => {
        const socket = net.connect(port, "127.0.0.1", () => {
          const request = Buffer.alloc(8);
          request.writeInt32BE(8, 0);
          request.writeInt32BE(80877104, 4);
          socket.write(request);
        });
        socket.once("data", (data) => {
          socket.destroy();
          resolve(data.toString("latin1"));
        });
        socket.once("error", reject);
      });
      assert.equal(answer, "N");
    });
  });
}

behaviour(() => ({}), "pglite");
if (process.env.EMULATOR_TEST_PG_URL) {
  behaviour(
    () => ({ database: { kind: "postgres", url: process.env.EMULATOR_TEST_PG_URL as string } }),
    "srv",
  );
}

describe("emulator CA", function () {
  this.timeout(90_000);

  it("is kept in the state folder (the key readable by its owner only), served by the control API, and the same after a restart", async () => {
    const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "emu-ca-"));
    try {
      let emu = await start({ stateDir });
      const { info } = await availableDatabase(emu, "kept");
      const first = emu.caCert;
      assert.equal(emu.caCertFile, path.join(stateDir, "tls", "ca.crt"));
      assert.equal(fs.readFileSync(emu.caCertFile, "utf8"), first);
      assert.equal(fs.statSync(path.join(stateDir, "tls", "ca.key")).mode & 0o777, 0o600);
      assert.deepEqual(await control(emu, "GET", "/ca"), { certificate: first, file: emu.caCertFile });
      await emu.close();

      emu = await start({ stateDir });
      try {
        assert.equal(emu.caCert, first);
        // A client that trusted the CA before the restart connects to the reattached database.
        await eventually(
          async () => {
            const again = (await apiOf(emu)("GET", "/postgres")).body as { postgres: { id: string } }[];
            return again.length === 1;
          },
          "listed",
          10_000,
        );
        const rows = await eventually(
          async () =>
            withClient(
              { connectionString: info.externalConnectionString, ssl: { ca: first } },
              async (c) => (await c.query("SELECT 1 AS one")).rows,
            ).catch(() => undefined),
          "reattached database answers over TLS",
          60_000,
        );
        assert.deepEqual(rows, [{ one: 1 }]);
      } finally {
        await emu.close();
      }
    } finally {
      fs.rmSync(stateDir, { recursive: true, force: true });
    }
  });

  it("databaseTrustEnv makes a Node program trust the databases (pg's sslmode=require verifies)", async () => {
    const emu = await start();
    try {
      const { info } = await availableDatabase(emu, "trust");
      const env = databaseTrustEnv(emu);
      assert.deepEqual(env, { PGSSLROOTCERT: emu.caCertFile, NODE_EXTRA_CA_CERTS: emu.caCertFile });
      const script =
        'const { Client } = require("pg");' +
        "const c = new Client({ connectionString: process.env.URL });" +
        'c.connect().then(() => c.query("SELECT 1 AS one")).then((r) => { console.log(r.rows[0].one); return c.end(); })' +
        ".catch((e) => { console.error(e.message); process.exit(1); });";
      const run = (extra: Record<string, string>) =>
        new Promise<{ code: number | null; out: string }>((resolve) => {
          const child = spawn(process.execPath, ["-e", script], {
            cwd: path.join(__dirname, "..", ".."),
            env: {
              PATH: process.env.PATH ?? "",
              URL: `${info.externalConnectionString}?sslmode=require`,
              ...extra,
            },
          });
          let out = "";
          child.stdout.on("data", (d: Buffer) => (out += d.toString()));
          child.stderr.on("data", (d: Buffer) => (out += d.toString()));
          child.on("close", (code) => resolve({ code, out }));
        });
      const trusted = await run(env);
      assert.equal(trusted.code, 0, trusted.out);
      assert.match(trusted.out, /^1$/m);
      // Without it, pg's sslmode=require verifies against Node's public roots only, and fails.
      const untrusted = await run({});
      assert.notEqual(untrusted.code, 0);
      assert.match(untrusted.out, /unable to verify the first certificate/);
    } finally {
      await emu.close();
    }
  });

  it("libpq (psql) verifies a database with PGSSLROOTCERT and sslmode=verify-full, and gets SSL/TLS required without TLS", async function () {
    const psql = spawnSync("psql", ["--version"]);
    if (psql.error) this.skip(); // psql is installed with the test PostgreSQL (start-test-postgres.sh)
    const emu = await start();
    try {
      const { info } = await availableDatabase(emu, "libpq");
      const run = (sslmode: string) =>
        new Promise<{ code: number | null; out: string }>((resolve) => {
          const child = spawn(
            "psql",
            [`${info.externalConnectionString}?sslmode=${sslmode}`, "-Atc", "SELECT 'over ' || 'tls'"],
            { env: { PATH: process.env.PATH ?? "", PGSSLROOTCERT: emu.caCertFile, PGCONNECT_TIMEOUT: "10" } },
          );
          let out = "";
          child.stdout.on("data", (d: Buffer) => (out += d.toString()));
          child.stderr.on("data", (d: Buffer) => (out += d.toString()));
          child.on("close", (code) => resolve({ code, out }));
        });
      const verified = await run("verify-full");
      assert.equal(verified.code, 0, verified.out);
      assert.equal(verified.out.trim(), "over tls");
      const plain = await run("disable");
      assert.notEqual(plain.code, 0);
      assert.match(plain.out, /FATAL: {2}SSL\/TLS required/);
    } finally {
      await emu.close();
    }
  });

  it("without a state folder is new per start and its file is removed on close", async () => {
    const a = await start();
    const b = await start();
    try {
      assert.notEqual(a.caCert, b.caCert);
      assert.ok(fs.existsSync(a.caCertFile));
    } finally {
      await a.close();
      await b.close();
    }
    assert.ok(!fs.existsSync(a.caCertFile));
  });
});
