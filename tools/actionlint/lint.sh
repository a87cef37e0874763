#!/usr/bin/env bash
# Lints the GitHub Actions workflows (.github/workflows/*.yml), which cannot run here: actionlint checks
# their syntax, expressions, action inputs and untrusted-input use, and runs shellcheck on every `run:`
# script. `npm run lint:workflows` runs this; .ci/run too (after installing shellcheck when missing).
#
# Needs shellcheck on PATH (Debian package `shellcheck`): without it actionlint would silently skip the
# scripts, so this fails instead.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$here/../.."

shellcheck_bin=$(command -v shellcheck || true)
if [ -z "$shellcheck_bin" ]; then
  echo "lint:workflows: shellcheck is not installed (apt-get install shellcheck); actionlint needs it for run: scripts" >&2
  exit 1
fi
actionlint_bin=$(bash "$here/build.sh" | tail -n 1)
echo "actionlint $("$actionlint_bin" -version | head -n 1), $("$shellcheck_bin" --version | sed -n 's/^version: //p' | sed 's/^/shellcheck /')"
"$actionlint_bin" -shellcheck="$shellcheck_bin" -pyflakes= -no-color
echo "workflows: $(find .github/workflows -name '*.yml' -o -name '*.yaml' | wc -l) files, no findings"
