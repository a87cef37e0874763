#!/usr/bin/env bash
# Builds actionlint, pinned by go.mod/go.sum beside this file (module from the Go module proxy), into a
# cache outside the repository keyed by version, as tools/pulumi-engine/build.sh does for the engine.
# Idempotent: when the cache is warm and nothing changed it only checks.
#
#   tools/actionlint/build.sh [--force]
#
# Environment:
#   ARRAKIS_ACTIONLINT_CACHE  cache root (default: $HOME/.cache/arrakis/actionlint)
#   GO                        the go command (default: go on PATH, else /usr/local/go/bin/go)
#
# The last line on stdout is the path of the actionlint binary. Progress goes to stderr.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
force=0
for arg in "$@"; do
  case "$arg" in
    --force) force=1 ;;
    *) echo "usage: $0 [--force]" >&2; exit 2 ;;
  esac
done

log() { echo "actionlint: $*" >&2; }

go_cmd=${GO:-$(command -v go || true)}
[ -n "$go_cmd" ] || go_cmd=/usr/local/go/bin/go
[ -x "$go_cmd" ] || { log "no Go toolchain (looked for go on PATH and /usr/local/go/bin/go)"; exit 1; }

version=$(sed -n 's/^[[:space:]]*github.com\/rhysd\/actionlint \(v[0-9.]*\)\( \/\/ indirect\)\{0,1\}$/\1/p' "$here/go.mod")
[ -n "$version" ] || { log "no github.com/rhysd/actionlint version in $here/go.mod"; exit 1; }

cache_root=${ARRAKIS_ACTIONLINT_CACHE:-$HOME/.cache/arrakis/actionlint}
cache="$cache_root/$version"
bin="$cache/bin/actionlint"
mkdir -p "$cache/bin"

export GOMODCACHE="$cache_root/gomodcache"
export GOCACHE="$cache_root/gocache"
# -mod=readonly: go.mod/go.sum are the pin; never let a build rewrite them.
export GOFLAGS="-mod=readonly -buildvcs=false"
# Use the installed Go as is: a toolchain download would fail here.
export GOTOOLCHAIN=local

# Everything that decides the output; a change to any of it rebuilds.
stamp_now=$({
  "$go_cmd" version
  cat "$here/go.mod" "$here/go.sum" "$0"
} | sha256sum | cut -d' ' -f1)
stamp_file="$cache/stamp"

if [ "$force" = 0 ] && [ -x "$bin" ] && [ -f "$stamp_file" ] && [ "$(cat "$stamp_file")" = "$stamp_now" ]; then
  log "actionlint $version is up to date in $cache"
else
  log "building actionlint $version into $cache/bin (cold: under a minute on 2 cores)"
  start=$(date +%s)
  (
    cd "$here"
    # Fetch first so that a proxy refusal shows as such, not as a compile error.
    "$go_cmd" mod download >&2
    "$go_cmd" build -p 2 -trimpath \
      -ldflags "-s -w -X github.com/rhysd/actionlint.version=$version" \
      -o "$bin.tmp" github.com/rhysd/actionlint/cmd/actionlint >&2
  )
  mv -f "$bin.tmp" "$bin"
  echo "$stamp_now" >"$stamp_file"
  log "built actionlint $version in $(($(date +%s) - start)) s"
fi

# Sanity check: the binary runs and reports the pinned version.
reported=$("$bin" -version 2>/dev/null | head -n 1 || true)
if [ "$reported" != "$version" ]; then
  log "built binary reports version '${reported}', expected $version"
  exit 1
fi

echo "$bin"
