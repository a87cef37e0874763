/**
 * Whether this process is the dynamic provider host the engine starts for our resources
 * (`@pulumi/pulumi/cmd/dynamic-provider`, started as `node <that folder or its index.js> <engine>`),
 * rather than a program, a test or a tool calling a provider in-process.
 */

/** True when `mainFile` (the main module's file, or `node`'s script argument) is the SDK's provider host. */
export function isProviderHostMain(mainFile: string): boolean {
  return /[\\/]cmd[\\/]dynamic-provider([\\/]index\.js)?$/.test(mainFile);
}

/**
 * True inside the provider host: it lives for one engine command (a refresh and a preview, or an up),
 * and its stderr lines are shown by the engine under the resource.
 */
export function inProviderHost(): boolean {
  return isProviderHostMain(require.main?.filename ?? process.argv[1] ?? "");
}
