import { timingSafeEqual } from "node:crypto";
import * as net from "node:net";
import {
  CANCEL_REQUEST,
  GSSENC_REQUEST,
  PROTOCOL_3,
  SSL_REQUEST,
  listenTcp,
  type TcpFront,
} from "./tcpFront";

/** What a client must present in its startup message and password message. */
export interface ProxyCredentials {
  databaseName: string;
  user: string;
  password: string;
  /**
   * When set, the users that may log in and their passwords, read at each login (the credentials API changes
   * them); `user`/`password` are then ignored.
   */
  logins?: () => ReadonlyMap<string, string>;
  /** Told of each authenticated client (so that deleting a user can end its open connections). */
  onLogin?: (user: string, client: net.Socket) => void;
}

/** A listening TCP front; `close` also destroys every connection it accepted. */
export type AuthProxy = TcpFront;

/** A client that has not finished authenticating by then is dropped (it holds a socket and a buffer). */
const AUTH_TIMEOUT_MS = 10_000;
/** Larger startup or password messages are not from a real client. */
const MAX_AUTH_MESSAGE_BYTES = 10_000;

/**
 * Starts a TCP server on 127.0.0.1 (port 0) that speaks the PostgreSQL startup phase itself: it checks the
 * user and database of the startup message and asks for a cleartext password (as `pg` and libpq answer it), then
 * replays the startup message to `connectUpstream()` and pipes both ways.
 *
 * PGlite's own socket server accepts any user, database and password (it serves its one database to whoever
 * connects), so without this front the connection info would be labels only.
 */
export async function startAuthProxy(
  credentials: ProxyCredentials,
  connectUpstream: () => net.Socket,
  preferredPort = 0,
): Promise<AuthProxy> {
  return listenTcp(
    (client, track) => handleClient(client, credentials, track, connectUpstream),
    preferredPort,
  );
}

function handleClient(
  client: net.Socket,
  credentials: ProxyCredentials,
  track: (upstream: net.Socket) => void,
  connectUpstream: () => net.Socket,
): void {
  let buffer = Buffer.alloc(0);
  let startup: Buffer | undefined;
  let params: Map<string, string> | undefined;
  client.setTimeout(AUTH_TIMEOUT_MS, () => client.destroy());

  const onData = (chunk: Buffer): void => {
    buffer = Buffer.concat([buffer, chunk]);
    if (buffer.length > MAX_AUTH_MESSAGE_BYTES) return void client.destroy();
    for (;;) {
      if (!startup) {
        if (buffer.length < 8) return;
        const length = buffer.readInt32BE(0);
        if (length < 8 || length > MAX_AUTH_MESSAGE_BYTES) return void client.destroy();
        if (buffer.length < length) return;
        const code = buffer.readInt32BE(4);
        const message = buffer.subarray(0, length);
        buffer = buffer.subarray(length);
        if (code === SSL_REQUEST || code === GSSENC_REQUEST) {
          client.write("N"); // no TLS on loopback; clients then continue in plain text
          continue;
        }
        if (code === CANCEL_REQUEST || code !== PROTOCOL_3) return void client.destroy();
        startup = Buffer.from(message);
        params = parseStartupParameters(message.subarray(8));
        client.write(authenticationCleartextPassword());
        continue;
      }
      // Waiting for the PasswordMessage ('p', int32 length, password\0).
      if (buffer.length < 5) return;
      const length = buffer.readInt32BE(1);
      if (length < 5 || length > MAX_AUTH_MESSAGE_BYTES) return void client.destroy();
      if (buffer.length < 1 + length) return;
      const type = String.fromCharCode(buffer[0]);
      const body = buffer.subarray(5, 1 + length);
      const rest = buffer.subarray(1 + length);
      client.off("data", onData);
      const user = params?.get("user") ?? "";
      const database = params?.get("database") || user;
      const password = type === "p" ? body.subarray(0, Math.max(0, body.length - 1)) : Buffer.alloc(0);
      // Same order as PostgreSQL: the password (and user) first, then the database.
      const expected = credentials.logins
        ? credentials.logins().get(user)
        : user === credentials.user
          ? credentials.password
          : undefined;
      if (expected === undefined || !sameSecret(password, expected)) {
        return fail(client, "28P01", `password authentication failed for user "${user}"`);
      }
      if (database !== credentials.databaseName) {
        return fail(client, "3D000", `database "${database}" does not exist`);
      }
      client.setTimeout(0);
      credentials.onLogin?.(user, client);
      return void pipeToUpstream(client, Buffer.concat([startup, rest]), track, connectUpstream);
    }
  };
  client.on("data", onData);
}

function pipeToUpstream(
  client: net.Socket,
  firstBytes: Buffer,
  track: (upstream: net.Socket) => void,
  connectUpstream: () => net.Socket,
): void {
  client.pause();
  const upstream = connectUpstream();
  track(upstream);
  upstream.on("error", () => {
    upstream.destroy();
    client.destroy();
  });
  client.on("close", () => upstream.destroy());
  upstream.on("close", () => client.destroy());
  upstream.write(firstBytes);
  client.pipe(upstream);
  upstream.pipe(client);
  client.resume();
}

function parseStartupParameters(body: Buffer): Map<string, string> {
  const parts = body.toString("utf8").split("\0");
  const params = new Map<string, string>();
  for (let i = 0; i + 1 < parts.length && parts[i] !== ""; i += 2) params.set(parts[i], parts[i + 1]);
  return params;
}

function authenticationCleartextPassword(): Buffer {
  const message = Buffer.alloc(9);
  message.write("R", 0);
  message.writeInt32BE(8, 1);
  message.writeInt32BE(3, 5);
  return message;
}

/** Sends a FATAL ErrorResponse and closes; messages name the user or database, never the password. */
function fail(client: net.Socket, code: string, text: string): void {
  const fields = Buffer.from(`SFATAL\0VFATAL\0C${code}\0M${text}\0\0`, "utf8");
  const header = Buffer.alloc(5);
  header.write("E", 0);
  header.writeInt32BE(4 + fields.length, 1);
  client.end(Buffer.concat([header, fields]));
}

function sameSecret(given: Buffer, expected: string): boolean {
  const wanted = Buffer.from(expected, "utf8");
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}
