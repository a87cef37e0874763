/**
 * How the product connects to a PostgreSQL database from the operator's machine: over TLS, verifying the
 * server, unless the connection string says otherwise. Render's external connection string carries no
 * `sslmode`, and Render refuses plain-text connections from outside its network ("SSL/TLS required").
 *
 * The settings are libpq's, so one configuration serves psql, libpq programs and this product:
 * - `sslmode` in the connection string, else the `PGSSLMODE` environment variable, else `verify-full`
 *   (stricter than libpq's own default `prefer`: a connection to a production database must not silently
 *   fall back to plain text or accept any certificate). Values and meanings as libpq:
 *   `disable` (plain text), `allow` (plain text, TLS if the server refuses it), `prefer` (TLS, plain text if
 *   the server has none), `require` (TLS; the chain is verified only when a root certificate is given),
 *   `verify-ca` (TLS, the chain verified), `verify-full` (TLS, the chain and the host name verified).
 * - the trusted root: `sslrootcert` in the connection string, else `PGSSLROOTCERT`, else Node's CA store
 *   (the public roots plus `NODE_EXTRA_CA_CERTS`); `sslrootcert=system` means Node's store. libpq's
 *   implicit `~/.postgresql/root.crt` is not read.
 * - a client certificate: `sslcert`/`sslkey`, else `PGSSLCERT`/`PGSSLKEY`.
 *
 * Whether Render's server certificates chain to a public root (so that `verify-full` works with Node's
 * store and no setting) is UNCONFIRMED: when they do not, the error says which setting to use.
 */
import * as fs from "node:fs";
import type { Client, ClientConfig } from "pg";
import type { ConnectionOptions } from "node:tls";

/** libpq's sslmode values. */
export const SSL_MODES = ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"] as const;
export type SslMode = (typeof SSL_MODES)[number];

/** One connection attempt: the pg configuration and whether it uses TLS. */
export interface ConnectionAttempt {
  config: ClientConfig;
  tls: boolean;
}

/** What {@link connectionPlan} decided, for attempts and for messages. */
export interface ConnectionPlan {
  /** `host:port` (never a user or password). */
  target: string;
  mode: SslMode;
  /** Where the mode came from, to name it in messages. */
  modeFrom: "the connection string" | "PGSSLMODE" | "the default";
  /** The root certificate file in use and the setting that named it, if any. */
  rootCert?: { file: string; from: "sslrootcert" | "PGSSLROOTCERT" };
  attempts: ConnectionAttempt[];
}

/** Parameters handled here, removed from the string given to pg (pg's own parsing of them would win). */
const TLS_PARAMETERS = ["sslmode", "sslrootcert", "sslcert", "sslkey", "ssl", "uselibpqcompat"];

/**
 * The attempts to make for `connectionString`, in order (two for `allow` and `prefer`). Throws a clear
 * error for an sslmode that is not libpq's or a certificate file that cannot be read.
 */
export function connectionPlan(
  connectionString: string,
  env: NodeJS.ProcessEnv = process.env,
  extra: ClientConfig = {},
): ConnectionPlan {
  const url = new URL(connectionString);
  const params = url.searchParams;
  const target = `${url.hostname}:${url.port || "5432"}`;

  let mode: string;
  let modeFrom: ConnectionPlan["modeFrom"];
  if (params.has("sslmode")) [mode, modeFrom] = [params.get("sslmode") ?? "", "the connection string"];
  else if (params.has("ssl")) {
    // pg's own `ssl=true|false` when no sslmode says more.
    const ssl = params.get("ssl") ?? "";
    if (!/^(true|1|false|0)$/.test(ssl))
      throw new Error(
        `ssl=${ssl} in the connection string is not supported: use sslmode=${SSL_MODES.join("|")}`,
      );
    [mode, modeFrom] = [/^(true|1)$/.test(ssl) ? "require" : "disable", "the connection string"];
  } else if (env.PGSSLMODE) [mode, modeFrom] = [env.PGSSLMODE, "PGSSLMODE"];
  else [mode, modeFrom] = ["verify-full", "the default"];
  if (!(SSL_MODES as readonly string[]).includes(mode)) {
    const where = modeFrom === "PGSSLMODE" ? "PGSSLMODE" : "sslmode in the connection string";
    throw new Error(
      `${where} is ${JSON.stringify(mode)}; allowed: ${SSL_MODES.map((m) => JSON.stringify(m)).join(", ")}`,
    );
  }
  const sslMode = mode as SslMode;

  const rootSetting = params.has("sslrootcert")
    ? { value: params.get("sslrootcert") ?? "", from: "sslrootcert" as const }
    : env.PGSSLROOTCERT
      ? { value: env.PGSSLROOTCERT, from: "PGSSLROOTCERT" as const }
      : undefined;
  const rootCert =
    rootSetting && rootSetting.value !== "system"
      ? { file: rootSetting.value, from: rootSetting.from }
      : undefined;

  const tls: ConnectionOptions = {};
  if (sslMode !== "disable") {
    if (rootCert) tls.ca = readSetting(rootCert.file, rootCert.from);
    const cert = params.get("sslcert") ?? env.PGSSLCERT;
    const key = params.get("sslkey") ?? env.PGSSLKEY;
    if (cert) tls.cert = readSetting(cert, params.has("sslcert") ? "sslcert" : "PGSSLCERT");
    if (key) tls.key = readSetting(key, params.has("sslkey") ? "sslkey" : "PGSSLKEY");
    const verifyChain = sslMode === "verify-ca" || sslMode === "verify-full" || rootCert !== undefined;
    tls.rejectUnauthorized = verifyChain;
    // pg sets servername (SNI, and the name checked) for host names; verify-full checks it.
    if (sslMode !== "verify-full") tls.checkServerIdentity = () => undefined;
  }

  for (const name of TLS_PARAMETERS) params.delete(name);
  const base: ClientConfig = { ...extra, connectionString: url.toString() };
  const plain: ConnectionAttempt = { config: { ...base, ssl: false }, tls: false };
  const secure: ConnectionAttempt = { config: { ...base, ssl: tls }, tls: true };
  const attempts =
    sslMode === "disable"
      ? [plain]
      : sslMode === "allow"
        ? [plain, secure]
        : sslMode === "prefer"
          ? [secure, plain]
          : [secure];
  return { target, mode: sslMode, modeFrom, ...(rootCert ? { rootCert } : {}), attempts };
}

function readSetting(file: string, setting: string): string {
  try {
    return fs.readFileSync(file, "utf8");
  } catch (err) {
    throw new Error(
      `could not read the file ${setting} names (${file}): ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
}

/** Node's codes for a certificate chain it could not verify. */
const UNTRUSTED = new Set([
  "SELF_SIGNED_CERT_IN_CHAIN",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_UNTRUSTED",
  "CERT_SIGNATURE_FAILURE",
]);

/**
 * A connection error in words a person can act on: which server, what failed, and which setting to change.
 * Other errors are returned as they are. Never names a user or password.
 */
export function explainConnectionError(err: unknown, plan: ConnectionPlan): Error {
  if (!(err instanceof Error)) return new Error(String(err));
  const code = (err as NodeJS.ErrnoException).code ?? "";
  const mode = `sslmode=${plan.mode} (from ${plan.modeFrom})`;
  const trusted = plan.rootCert
    ? `the CA in ${plan.rootCert.file} (${plan.rootCert.from})`
    : "Node's CA store (no PGSSLROOTCERT or sslrootcert given)";
  if (UNTRUSTED.has(code)) {
    return new Error(
      `the database server at ${plan.target} presented a TLS certificate that is not trusted ` +
        `(${err.message}; ${mode}, trusting ${trusted}). Set PGSSLROOTCERT to the file of the CA that ` +
        `issued it (for the Render emulator: the CA certificate file npm run emulator prints), or add ` +
        `sslrootcert=<file> to the connection string`,
    );
  }
  if (code === "ERR_TLS_CERT_ALTNAME_INVALID") {
    return new Error(
      `the database server at ${plan.target} presented a TLS certificate for another host ` +
        `(${err.message}; ${mode}). Connect by a host name the certificate lists, or set sslmode=verify-ca ` +
        `in the connection string (or PGSSLMODE) to verify the issuer only`,
    );
  }
  if (code === "CERT_HAS_EXPIRED" || code === "CERT_NOT_YET_VALID") {
    return new Error(
      `the database server at ${plan.target} presented a TLS certificate that is not valid now (${err.message}; ${mode})`,
    );
  }
  if (/does not support SSL/i.test(err.message)) {
    return new Error(
      `the database server at ${plan.target} does not offer TLS, and ${mode} requires it. Use ` +
        `sslmode=disable in the connection string (or PGSSLMODE) only for a server on a trusted network`,
    );
  }
  if ((err as { code?: string }).code === "28000" && !plan.attempts.some((a) => a.tls)) {
    return new Error(
      `the database server at ${plan.target} refused a connection without TLS (${err.message}; ${mode}). ` +
        `Remove sslmode=disable from the connection string (or PGSSLMODE): the product then connects with TLS`,
    );
  }
  return err;
}

/**
 * A connected pg client for `connectionString` (see the top of this file for the TLS settings), trying the
 * plan's attempts in order; the error of the last attempt is explained by {@link explainConnectionError}.
 */
export async function connectDatabase(
  connectionString: string,
  extra: ClientConfig = {},
  env: NodeJS.ProcessEnv = process.env,
): Promise<Client> {
  // Required here, not at module level: pg is loaded only by a process that connects.
  const { Client: PgClient } = require("pg") as typeof import("pg");
  const plan = connectionPlan(connectionString, env, extra);
  let lastError: unknown;
  for (const [index, attempt] of plan.attempts.entries()) {
    const client = new PgClient(attempt.config);
    // An error event after connect (server gone) must not crash the process; the next query rejects.
    client.on("error", () => undefined);
    try {
      await client.connect();
      return client;
    } catch (err) {
      await client.end().catch(() => undefined);
      lastError = err;
      const more = index + 1 < plan.attempts.length;
      // allow: plain text refused by a server that requires TLS; prefer: a server without TLS.
      const fallBack = attempt.tls
        ? err instanceof Error && /does not support SSL/i.test(err.message)
        : (err as { code?: string }).code === "28000";
      if (!more || !fallBack) break;
    }
  }
  throw explainConnectionError(lastError, plan);
}
