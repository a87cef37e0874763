/**
 * A provider's error reaches the user once, as one readable message.
 *
 * The SDK's dynamic provider host (`@pulumi/pulumi/cmd/dynamic-provider`) prints every error of check,
 * diff, read and delete to its stderr as `${err}: ${err.stack}` before returning it to the engine; the
 * engine shows a plugin's stderr line by line, then the error itself: the message twice and a stack
 * trace under it. In the provider host, {@link quietProviderErrors} keeps that line out of stderr and
 * sends the trace to the engine's debug log instead (shown by `pulumi up --debug`, kept in `-v` logs);
 * the engine still shows the message, once per resource.
 */
import * as path from "node:path";
import { inProviderHost } from "./providerHost";

/** The methods whose errors the SDK's host prints before returning them. */
const printedMethods = ["check", "diff", "read", "delete"] as const;
/** What is awaiting the host's `console.error` of each error: `${err}: `, as the host starts its line. */
const pending = new Set<string>();
let installed = false;

/** The engine's address the host was started with (`127.0.0.1:port`), if any. */
function engineAddress(): string | undefined {
  return process.argv.slice(2).find((arg) => /^[\w.-]+:\d+$/.test(arg));
}

/** Sends `text` to the engine's log at debug severity; best effort, never throws. */
function logToEngine(text: string): void {
  const address = engineAddress();
  if (!address) return;
  try {
    const sdk = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
    const grpc = require(
      require.resolve("@grpc/grpc-js", { paths: [sdk] }),
    ) as typeof import("@grpc/grpc-js");
    const { EngineClient } = require("@pulumi/pulumi/proto/engine_grpc_pb") as {
      EngineClient: new (
        address: string,
        credentials: unknown,
      ) => {
        log(request: unknown, callback: () => void): void;
        close(): void;
      };
    };
    const proto = require("@pulumi/pulumi/proto/engine_pb") as {
      LogRequest: new () => { setSeverity(s: number): void; setMessage(m: string): void };
      LogSeverity: { DEBUG: number };
    };
    const request = new proto.LogRequest();
    request.setSeverity(proto.LogSeverity.DEBUG);
    request.setMessage(text);
    const client = new EngineClient(address, grpc.credentials.createInsecure());
    client.log(request, () => client.close());
  } catch {
    // The trace is a diagnostic: losing it must not change what the user sees.
  }
}

/** Replaces `console.error` once, dropping the host's line for an error noted by {@link noteError}. */
function install(): void {
  if (installed) return;
  installed = true;
  const original = console.error.bind(console);
  console.error = (...args: unknown[]): void => {
    const text = typeof args[0] === "string" ? args[0] : undefined;
    const prefix = text === undefined ? undefined : [...pending].find((p) => text.startsWith(p));
    if (prefix === undefined) return original(...args);
    pending.delete(prefix);
  };
}

/** Notes an error a printed method is about to throw; returns it unchanged. */
function noteError(err: unknown): unknown {
  if (!inProviderHost()) return err;
  install();
  pending.add(`${String(err)}: `);
  logToEngine(err instanceof Error && err.stack ? err.stack : String(err));
  return err;
}

/**
 * Wraps the printed methods of each provider class so their errors reach the user once, without a
 * stack trace (see above). The classes are the bundle's own: done once when the package loads.
 */
export function quietProviderErrors<T extends Record<string, { prototype: object }>>(classes: T): T {
  for (const cls of Object.values(classes)) {
    const prototype = cls.prototype as Record<string, unknown>;
    for (const method of printedMethods) {
      const original = prototype[method];
      if (typeof original !== "function") continue;
      prototype[method] = async function (this: unknown, ...args: unknown[]) {
        try {
          return await (original as (...a: unknown[]) => Promise<unknown>).apply(this, args);
        } catch (err) {
          throw noteError(err);
        }
      };
    }
  }
  return classes;
}
