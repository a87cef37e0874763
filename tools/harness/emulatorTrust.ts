/**
 * The emulator's databases require TLS with a certificate of its own CA; the product trusts a CA through
 * libpq's PGSSLROOTCERT (components/postgresExtension/databaseTls.ts). A PulumiStack copies the environment when it is
 * created, so a stack made inside {@link trustingEmulator} runs its providers (and the app's migration
 * command) with the emulator's CA trusted; the variable is restored afterwards.
 */
import type { RunningEmulator } from "../../emulator";

/** Runs `make` with PGSSLROOTCERT set to the emulator's CA certificate file, then restores it. */
export async function trustingEmulator<T>(emu: RunningEmulator, make: () => Promise<T>): Promise<T> {
  const before = process.env.PGSSLROOTCERT;
  process.env.PGSSLROOTCERT = emu.caCertFile;
  try {
    return await make();
  } finally {
    if (before === undefined) delete process.env.PGSSLROOTCERT;
    else process.env.PGSSLROOTCERT = before;
  }
}
