/**
 * Serves a Node.js Pulumi program to the real `pulumi` CLI over Pulumi's language runtime protocol.
 *
 * The Node language host binary (`pulumi-language-nodejs`) cannot be built here: its Go module is not
 * served by the module proxy this project can reach (see README.md beside this file). The CLI has a
 * supported way to run a program without it: `pulumi up|preview|refresh|destroy --client <addr>`,
 * which Automation API uses for inline programs. This process is that `<addr>`: it runs the
 * `LanguageServer` that ships in `@pulumi/pulumi/automation/server`, the same code Automation API
 * users run, with the program being `require(<program dir>)` (the project's `main`).
 *
 *   node --require tsx/cjs tools/pulumi-engine/programHost.ts <program dir>
 *
 * Prints `<port>` alone on the first stdout line once it listens on 127.0.0.1, like a plugin. Serves
 * until SIGTERM/SIGINT or until its stdin closes (so it never outlives the process that started it).
 * One host serves one CLI command; each run of the program (preview, then update) loads it afresh.
 */
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";

/** The SDK's internal inline-program language server: an implementation of LanguageRuntime. */
type InlineLanguageServer = grpc.UntypedServiceImplementation;

function main(): void {
  const programDir = process.argv[2];
  if (!programDir) {
    process.stderr.write("usage: programHost.ts <program dir>\n");
    process.exit(2);
  }
  const root = path.resolve(programDir);
  // Before the CLI starts: a refresh (or a destroy) runs before the program, in a provider host that
  // loads the providers package, which must not be older than components/ (components/providerPackage.ts).
  (
    require("../../components/providerPackage") as typeof import("../../components/providerPackage")
  ).ensureProviderPackage();
  // The real language host runs programs with the project directory as working directory.
  process.chdir(root);

  // Resolved from the program's own node_modules, as the real language host does, so that the
  // program and the language server share one copy of the SDK's runtime state.
  const fromProgram = (id: string): string => require.resolve(id, { paths: [root] });
  const { LanguageServer } = require(fromProgram("@pulumi/pulumi/automation/server")) as {
    LanguageServer: new (program: () => Promise<unknown>) => InlineLanguageServer;
  };
  const { LanguageRuntimeService } = require(fromProgram("@pulumi/pulumi/proto/language_grpc_pb")) as {
    LanguageRuntimeService: grpc.ServiceDefinition;
  };
  const { grpcChannelOptions } = require(fromProgram("@pulumi/pulumi/runtime/settings")) as {
    grpcChannelOptions: grpc.ChannelOptions;
  };

  // `require` of the directory loads its package.json `main` or index.ts/index.js; a program's
  // exports become the stack's outputs, as with `pulumi-language-nodejs`.
  // `pulumi up` runs the program twice in one host (preview, then update): forget the project's own
  // modules before each run so that every run registers its resources anew.
  const program = async (): Promise<unknown> => {
    for (const key of Object.keys(require.cache)) {
      if (key.startsWith(root + path.sep) && !key.includes(`${path.sep}node_modules${path.sep}`))
        delete require.cache[key];
    }
    return require(root);
  };
  const languageServer = new LanguageServer(program);
  const server = new grpc.Server(grpcChannelOptions);
  server.addService(LanguageRuntimeService, languageServer);
  server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, port) => {
    if (err) {
      process.stderr.write(`programHost: could not listen: ${err.message}\n`);
      process.exit(1);
    }
    process.stdout.write(`${port}\n`);
  });

  const stop = (): void => {
    server.forceShutdown();
    process.exit(0);
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
  process.stdin.on("end", stop);
  process.stdin.on("error", stop);
  process.stdin.resume();
}

main();
