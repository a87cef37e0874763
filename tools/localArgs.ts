/**
 * The `pulumi` command line `npm run local [-- <command> [args…]]` runs (tools/local.ts). The CLI runs
 * non-interactively there, where up, destroy and refresh refuse to go on without `--yes`: they are
 * confirmed unless the user chose `--yes`, `--preview-only` or `--skip-preview` (a destroy still stops
 * at the protected database).
 */
export function localPulumiArgs(argv: readonly string[]): string[] {
  const [command = "up", ...rest] = argv;
  const confirmed = rest.some((a) => ["--yes", "-y", "--preview-only", "--skip-preview"].includes(a));
  const needsYes = ["up", "destroy", "refresh"].includes(command) && !confirmed;
  return [command, ...rest, ...(needsYes ? ["--yes"] : [])];
}

/** The oldest official `pulumi` that runs this program: the version of `@pulumi/pulumi` in package.json. */
export const minimumPulumiVersion = "3.248.0";

/** Which `pulumi` `npm run local` runs: one on PATH, or the one tools/pulumi-engine/build.sh builds. */
export type PulumiChoice =
  { kind: "path"; dir: string; version: string } | { kind: "build"; dir: string; reason: string };

/** Compares dotted versions (`v3.250.1`, `3.248.0`); a pre-release suffix counts as that version. */
function atLeast(version: string, minimum: string): boolean {
  const parts = (v: string) => (/(\d+)\.(\d+)\.(\d+)/.exec(v) ?? []).slice(1, 4).map(Number);
  const [a, b] = [parts(version), parts(minimum)];
  if (a.length !== 3) return false;
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] > b[i];
  return true;
}

/**
 * Chooses the `pulumi` to run. `force` is ARRAKIS_PULUMI: `build` always builds from source, `path`
 * insists on the one on PATH (failing, naming what is wrong, when it cannot run the program); unset,
 * a suitable one on PATH wins, so a user with Pulumi installed needs no Go. `dir` of a build choice is
 * filled in by the caller once built.
 */
export function choosePulumi(found: {
  force?: string;
  onPath?: { version: string; dir: string; languageHost: boolean };
}): PulumiChoice {
  const { force, onPath } = found;
  if (force !== undefined && force !== "" && force !== "build" && force !== "path")
    throw new Error(`ARRAKIS_PULUMI: "${force}" is not allowed; allowed: "build", "path" (or unset)`);
  if (force === "build") return { kind: "build", dir: "", reason: "ARRAKIS_PULUMI=build" };
  const problem = !onPath
    ? "no pulumi on PATH"
    : !atLeast(onPath.version, minimumPulumiVersion)
      ? `pulumi ${onPath.version} on PATH is older than v${minimumPulumiVersion}`
      : !onPath.languageHost
        ? `pulumi ${onPath.version} on PATH has no pulumi-language-nodejs beside it or on PATH`
        : undefined;
  if (!problem) return { kind: "path", dir: onPath!.dir, version: onPath!.version };
  if (force === "path") throw new Error(`ARRAKIS_PULUMI=path: ${problem}`);
  return { kind: "build", dir: "", reason: problem };
}
