import * as net from "node:net";
import * as tls from "node:tls";
import {
  CANCEL_REQUEST,
  GSSENC_REQUEST,
  PROTOCOL_3,
  SSL_REQUEST,
  listenTcp,
  type TcpFront,
} from "./tcpFront";

/** A listening TLS front of one database; `close` also destroys every connection it accepted. */
export type TlsFront = TcpFront;

/** A client that has not started TLS by then is dropped. */
const NEGOTIATION_TIMEOUT_MS = 10_000;
const MAX_STARTUP_BYTES = 10_000;

/**
 * Starts a TCP server on 127.0.0.1 that requires TLS the way a Render database does from outside Render:
 * it answers an SSLRequest with `S`, does the TLS handshake with `secureContext` (a certificate of the
 * emulator's CA), then pipes the decrypted stream to the plain-text database at `upstream`, which sees the
 * client's StartupMessage as its first bytes.
 *
 * A client that sends its StartupMessage in plain text (no SSLRequest: `sslmode=disable`, or a client that
 * does not ask for TLS by default) gets `FATAL 28000 SSL/TLS required`, the text Render's databases send
 * (as quoted in public reports of plaintext connections to Render's external URL; not in Render's
 * documentation), and the connection is closed. A GSSAPI encryption request is answered `N`.
 */
export async function startTlsFront(options: {
  secureContext: tls.SecureContext;
  upstream: { host: string; port: number };
  preferredPort?: number;
}): Promise<TlsFront> {
  return listenTcp((client, track) => {
    negotiate(client, options.secureContext, (secure, firstBytes) => {
      const upstream = net.connect(options.upstream.port, options.upstream.host);
      track(upstream);
      pipe(secure, upstream, firstBytes);
    });
  }, options.preferredPort);
}

/**
 * Reads the client's first messages in plain text until it asks for TLS; then hands over the TLS socket
 * (and, for a plain-text CancelRequest, the socket itself with the request as its first bytes).
 */
function negotiate(
  client: net.Socket,
  secureContext: tls.SecureContext,
  connected: (socket: net.Socket, firstBytes: Buffer) => void,
): void {
  let buffer = Buffer.alloc(0);
  client.setTimeout(NEGOTIATION_TIMEOUT_MS, () => client.destroy());

  const startTls = (): void => {
    client.off("data", onData);
    // Clients wait for the `S` before their ClientHello, so nothing is buffered here; TLSSocket takes
    // over the socket's handle from now on.
    const secure = new tls.TLSSocket(client, { isServer: true, secureContext });
    secure.on("error", () => {
      secure.destroy();
      client.destroy();
    });
    secure.once("secure", () => {
      client.setTimeout(0);
      connected(secure, Buffer.alloc(0));
    });
  };

  const onData = (chunk: Buffer): void => {
    buffer = Buffer.concat([buffer, chunk]);
    for (;;) {
      // PostgreSQL 17's direct TLS negotiation (a ClientHello first) is not emulated: such a client gets
      // its connection closed (whether Render offers it is UNCONFIRMED).
      if (buffer.length < 8) return;
      const length = buffer.readInt32BE(0);
      if (length < 8 || length > MAX_STARTUP_BYTES) return void client.destroy();
      if (buffer.length < length) return;
      const code = buffer.readInt32BE(4);
      const message = buffer.subarray(0, length);
      const rest = buffer.subarray(length);
      buffer = rest;
      if (code === SSL_REQUEST) {
        if (rest.length > 0) return void client.destroy(); // bytes before our answer: not a real client
        client.write("S");
        return startTls();
      }
      if (code === GSSENC_REQUEST) {
        client.write("N");
        continue;
      }
      if (code === CANCEL_REQUEST) {
        // PostgreSQL takes cancel requests before any authentication, in plain text (libpq and pg send
        // them so); the database itself decides whether the key is valid.
        client.off("data", onData);
        client.setTimeout(0);
        return connected(client, Buffer.concat([message, rest]));
      }
      if (code !== PROTOCOL_3) return void client.destroy();
      // A StartupMessage without TLS. Render's message names neither user nor database.
      return fail(client, "28000", "SSL/TLS required");
    }
  };
  client.on("data", onData);
}

function pipe(client: net.Socket, upstream: net.Socket, firstBytes: Buffer): void {
  client.pause();
  upstream.on("error", () => {
    upstream.destroy();
    client.destroy();
  });
  client.on("error", () => {
    client.destroy();
    upstream.destroy();
  });
  client.on("close", () => upstream.destroy());
  upstream.on("close", () => client.destroy());
  if (firstBytes.length > 0) upstream.write(firstBytes);
  client.pipe(upstream);
  upstream.pipe(client);
  client.resume();
}

/** Sends a FATAL ErrorResponse and closes. */
function fail(client: net.Socket, code: string, text: string): void {
  const fields = Buffer.from(`SFATAL\0VFATAL\0C${code}\0M${text}\0\0`, "utf8");
  const header = Buffer.alloc(5);
  header.write("E", 0);
  header.writeInt32BE(4 + fields.length, 1);
  client.end(Buffer.concat([header, fields]));
}
