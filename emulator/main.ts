/**
 * `npm run emulator -- [--port 10000] [--api-key KEY] [--owner-id tea-…] [--state-dir DIR]
 * [--timings realistic|fast] [--no-rate-limits] [--database-url postgres://…]`
 * Environment variables: EMULATOR_PORT, EMULATOR_API_KEY, EMULATOR_OWNER_ID, EMULATOR_STATE_DIR,
 * EMULATOR_TIMINGS, EMULATOR_RATE_LIMITS=off, EMULATOR_DATABASE_URL. Flags win over variables.
 * Prints the base URL and the API key; stops cleanly on SIGINT/SIGTERM.
 */
import { parseArgs } from "node:util";
import { startEmulator, type EmulatorOptions } from "./index";

const USAGE =
  "usage: npm run emulator -- [--port 10000] [--api-key KEY] [--owner-id tea-…] [--state-dir DIR] " +
  "[--timings realistic|fast] [--no-rate-limits] [--database-url postgres://…]";

/** Parses flags and environment variables into emulator options. */
export function cliOptions(argv: string[], env: NodeJS.ProcessEnv): EmulatorOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: "string" },
      "api-key": { type: "string" },
      "owner-id": { type: "string" },
      "state-dir": { type: "string" },
      timings: { type: "string" },
      "no-rate-limits": { type: "boolean" },
      "database-url": { type: "string" },
      help: { type: "boolean" },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const portText = values.port ?? env.EMULATOR_PORT ?? "10000";
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`--port must be a TCP port, not ${portText}`);
  const timings = values.timings ?? env.EMULATOR_TIMINGS ?? "realistic";
  if (timings !== "realistic" && timings !== "fast") throw new Error("--timings must be realistic or fast");
  const rateLimitsOff =
    values["no-rate-limits"] === true || /^(off|false|0)$/i.test(env.EMULATOR_RATE_LIMITS ?? "");
  const databaseUrl = values["database-url"] ?? env.EMULATOR_DATABASE_URL;
  return {
    port,
    apiKey: values["api-key"] ?? env.EMULATOR_API_KEY,
    ownerId: values["owner-id"] ?? env.EMULATOR_OWNER_ID,
    stateDir: values["state-dir"] ?? env.EMULATOR_STATE_DIR,
    timings,
    rateLimits: { enabled: !rateLimitsOff },
    ...(databaseUrl ? { database: { kind: "postgres" as const, url: databaseUrl } } : {}),
  };
}

async function main(): Promise<void> {
  let options: EmulatorOptions;
  try {
    options = cliOptions(process.argv.slice(2), process.env);
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    process.exit(2);
  }
  const emu = await startEmulator(options);
  console.log(`Render API emulator: ${emu.url}`);
  console.log(`API key: ${emu.apiKey}`);
  console.log(`Workspace (ownerId): ${emu.ownerId}`);
  console.log(`Control API: ${emu.controlUrl}`);
  // Databases require TLS with a certificate of this CA; libpq, psql and the product read PGSSLROOTCERT,
  // node clients (pg with sslmode=require) NODE_EXTRA_CA_CERTS.
  console.log(`Database CA certificate: ${emu.caCertFile}`);
  console.log(
    `  trust it with: export PGSSLROOTCERT=${emu.caCertFile} NODE_EXTRA_CA_CERTS=${emu.caCertFile}`,
  );
  if (options.stateDir) console.log(`State: ${options.stateDir}`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: stopping the emulator`);
    emu.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(`could not stop cleanly: ${(error as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(`could not start the emulator: ${(error as Error).message}`);
    process.exit(1);
  });
}
