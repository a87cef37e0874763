/**
 * Builds the providers package (`node_modules/@arrakis/render-providers`) from components/: what the
 * state's provider shims load in the provider host (see components/runtime/package.ts). Runs on
 * `npm install` (postinstall) and as `npm run build:providers`; a program run rebuilds it when stale.
 *
 *   npm run build:providers           # build when a source file changed since the last build
 *   npm run build:providers -- --force
 */
import { buildProviderPackage, providerPackageIsFresh } from "../components/runtime/package";

const force = process.argv.includes("--force");
if (!force && providerPackageIsFresh()) {
  console.log("providers package: up to date");
} else {
  const built = buildProviderPackage();
  console.log(
    `providers package: built ${built.dir} (${built.inputs} source files, ${(built.bytes / 1024).toFixed(0)} KB) in ${built.ms} ms`,
  );
}
