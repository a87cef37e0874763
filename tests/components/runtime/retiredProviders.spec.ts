import { strict as assert } from "node:assert";
import { ensureProviderPackage, providerPackageDir } from "../../../components/runtime/package";

// A state written before migrations ran through @pulumi/command holds a `render:Migrations` resource
// whose shim loads the providers package and looks up the kind "migrations" to delete it, once the
// program no longer declares it (components/providers.ts). That must keep working, doing nothing.
describe("retired provider kinds", () => {
  it("the package still answers the Migrations shim of an older state: configure and delete, no-ops", async () => {
    ensureProviderPackage();
    const loaded = require(providerPackageDir) as {
      providerClasses: Record<string, new () => Record<string, (...args: unknown[]) => Promise<unknown>>>;
    };
    const Retired = loaded.providerClasses.migrations;
    assert.equal(typeof Retired, "function", "the kind 'migrations' is gone: older states cannot delete it");
    const provider = new Retired();
    // What the shim calls, with what the provider host passes.
    await provider.configure({ config: { get: () => undefined } });
    const state = {
      postgresId: "dpg-d303qfodl3ps739p3e6g-a",
      appDir: "/checkout",
      command: "npm run db:deploy",
      migrationsHash: "0".repeat(64),
      timeoutMs: 600_000,
      ranAt: "2026-01-01T00:00:00.000Z",
    };
    assert.equal(await provider.delete("dpg-d303qfodl3ps739p3e6g-a/migrations", state), undefined);
    // Nothing else: no program can make a new one.
    assert.deepEqual(Object.getOwnPropertyNames(Retired.prototype).sort(), [
      "configure",
      "constructor",
      "delete",
    ]);
  });
});
