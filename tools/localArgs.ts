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
