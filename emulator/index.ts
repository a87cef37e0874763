/**
 * The Render API emulator: `startEmulator(options)` runs a real HTTP server on loopback that behaves
 * like `https://api.render.com/v1`, with a control API and real PostgreSQL databases. See README.md.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as tls from "node:tls";
import { EmulatorCore } from "./core";
import { createDatabaseBackend, type DatabaseBackend, type DatabaseBackendOptions } from "./databases";
import { CA_CERT_FILE, issueServerCertificate, loadOrCreateCa } from "./databases/certificates";
import { newApiKey, newId } from "./ids";
import { resolveTimings, type TimingsOption } from "./lifecycle/timings";
import type { RateLimitSettings } from "./rateLimits";
import { listen, stopServer } from "./server";

export type { TimingsOption, Timings } from "./lifecycle/timings";
export type { RateLimitSettings } from "./rateLimits";

/** Options of {@link startEmulator}; every one has a default. */
export interface EmulatorOptions {
  /** TCP port on 127.0.0.1 (default 0: any free port). */
  port?: number;
  /** The key accepted as `Authorization: Bearer <key>` (default: random `rnd_…`). */
  apiKey?: string;
  /** Id of the workspace that exists from the start (default: random `tea-…`). */
  ownerId?: string;
  /** Name of that workspace (default `arrakis`). */
  ownerName?: string;
  /** Email of that workspace (default `owner@example.com`). */
  ownerEmail?: string;
  /** Lifecycle durations: `"realistic"` (default), `"fast"`, or single durations. */
  timings?: TimingsOption;
  /** Render's published limits (default on, time scale 1). */
  rateLimits?: Partial<RateLimitSettings>;
  /** Real databases: embedded PGlite (default) or a PostgreSQL server by URL. */
  database?: DatabaseBackendOptions;
  /** A ready-made backend (tests); overrides `database`. */
  databaseBackend?: DatabaseBackend;
  /** Persist state (and PGlite data under `<stateDir>/databases`) here; reloaded on start. */
  stateDir?: string;
}

/** A running emulator. */
export interface RunningEmulator {
  /** The base URL a client uses: `http://127.0.0.1:PORT/v1`. */
  url: string;
  /** The Bearer key. */
  apiKey: string;
  /** The workspace id of that key. */
  ownerId: string;
  /** The control API: `http://127.0.0.1:PORT/_emulator`. */
  controlUrl: string;
  /** `http://127.0.0.1:PORT`. */
  origin: string;
  port: number;
  /**
   * The emulator's CA certificate (PEM). Its databases require TLS and present a certificate it issued
   * for 127.0.0.1: a client verifies them with this CA (`PGSSLROOTCERT`, `sslrootcert`, pg's `ssl.ca`).
   */
  caCert: string;
  /** The file holding {@link caCert}: `<stateDir>/tls/ca.crt`, or in a temporary folder removed by `close`. */
  caCertFile: string;
  /** Stops the server and the databases (persisted data is kept). */
  close(): Promise<void>;
}

/**
 * The environment that makes a process trust the emulator's databases, for a launcher (tools/local.ts) to
 * give the `pulumi` it runs: `PGSSLROOTCERT` (libpq, psql, and the product's own connections) and
 * `NODE_EXTRA_CA_CERTS` (Node programs that verify with Node's store, e.g. an app's migration command using
 * `pg` with `sslmode=require`; read when a process starts). Verification stays on.
 */
export function databaseTrustEnv(emu: Pick<RunningEmulator, "caCertFile">): Record<string, string> {
  return { PGSSLROOTCERT: emu.caCertFile, NODE_EXTRA_CA_CERTS: emu.caCertFile };
}

/** Starts an emulator. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const stateDir = options.stateDir ? path.resolve(options.stateDir) : undefined;
  let databaseOptions: DatabaseBackendOptions = options.database ?? { kind: "pglite" };
  if (databaseOptions.kind === "pglite" && !databaseOptions.dataDir && stateDir) {
    databaseOptions = { kind: "pglite", dataDir: path.join(stateDir, "databases") };
  }
  // The CA lives with the state (clients that trust it keep working after a restart); without a state
  // folder, a new one per start, in a folder removed on close.
  const caDir = stateDir
    ? path.join(stateDir, "tls")
    : fs.mkdtempSync(path.join(os.tmpdir(), "render-emulator-ca-"));
  const ca = loadOrCreateCa(caDir);
  const serverCert = issueServerCertificate(ca);
  // Render requires TLS 1.2 or newer on external connections (render-oss/skills, render-postgres).
  const databaseTls = tls.createSecureContext({
    key: serverCert.key,
    cert: serverCert.cert,
    minVersion: "TLSv1.2",
  });
  const backend = options.databaseBackend ?? createDatabaseBackend(databaseOptions);
  const core = new EmulatorCore({
    databaseTls,
    ca: { cert: ca.cert, file: path.join(caDir, CA_CERT_FILE) },
    apiKey: options.apiKey ?? newApiKey(),
    owner: {
      id: options.ownerId ?? newId("tea"),
      name: options.ownerName ?? "arrakis",
      email: options.ownerEmail ?? "owner@example.com",
    },
    timings: resolveTimings(options.timings),
    rateLimits: {
      enabled: options.rateLimits?.enabled ?? true,
      timeScale: options.rateLimits?.timeScale ?? 1,
    },
    backend,
    stateDir,
  });
  let httpServer;
  try {
    httpServer = await listen(core, options.port ?? 0);
  } catch (error) {
    await core.close();
    if (!stateDir) fs.rmSync(caDir, { recursive: true, force: true });
    throw error;
  }
  let closing: Promise<void> | undefined;
  return {
    url: `${core.origin}/v1`,
    apiKey: core.apiKey,
    ownerId: core.ownerId,
    controlUrl: `${core.origin}/_emulator`,
    origin: core.origin,
    port: Number(new URL(core.origin).port),
    caCert: core.ca.cert,
    caCertFile: core.ca.file,
    close: () => {
      closing ??= (async () => {
        await stopServer(httpServer);
        await core.close();
        if (!stateDir) fs.rmSync(caDir, { recursive: true, force: true });
      })();
      return closing;
    },
  };
}
