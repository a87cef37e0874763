import * as net from "node:net";

/** The request codes of a PostgreSQL client's first message (protocol 3.0, "Message Formats"). */
export const SSL_REQUEST = 80877103;
export const GSSENC_REQUEST = 80877104;
export const CANCEL_REQUEST = 80877102;
export const PROTOCOL_3 = 196608;

/** A listening TCP front of one database; `close` also destroys every connection it accepted. */
export interface TcpFront {
  host: string;
  port: number;
  close(): Promise<void>;
}

/** Registers a socket (a client's, or one the front opened upstream) so that `close` destroys it. */
export type TrackSocket = (socket: net.Socket) => void;

/**
 * Listens on 127.0.0.1 and hands each client to `onClient` (already tracked). `preferredPort` is the port
 * of an earlier run, which keeps a reattached database's connection string as it was (as on Render,
 * where it never changes); when another process holds it, any free port will do.
 */
export async function listenTcp(
  onClient: (client: net.Socket, track: TrackSocket) => void,
  preferredPort = 0,
): Promise<TcpFront> {
  const sockets = new Set<net.Socket>();
  const track: TrackSocket = (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  };
  const server = net.createServer((client) => {
    track(client);
    client.on("error", () => client.destroy());
    onClient(client, track);
  });
  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => {
        server.off("error", reject);
        resolve();
      });
    });
  await listen(preferredPort).catch((err: NodeJS.ErrnoException) => {
    if (preferredPort === 0 || err.code !== "EADDRINUSE") throw err;
    return listen(0);
  });
  const address = server.address() as net.AddressInfo;
  return {
    host: "127.0.0.1",
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
