#!/usr/bin/env bash
# Builds the real Pulumi engine (the `pulumi` CLI, Go) from the Go module proxy, plus our Node
# launchers for the plugins the official distribution ships as scripts, into a cache outside the
# repository keyed by version. Idempotent: when the cache is warm and nothing changed it only checks.
#
#   tools/pulumi-engine/build.sh [--force]
#
# Environment:
#   ARRAKIS_ENGINE_CACHE  cache root (default: $HOME/.cache/arrakis/pulumi-engine)
#   GO                    the go command (default: go on PATH, else /usr/local/go/bin/go)
#
# The last line on stdout is the bin directory (put it first on PATH to use the engine).
# Progress goes to stderr. See README.md beside this file for what is built and what is not.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
force=0
for arg in "$@"; do
  case "$arg" in
    --force) force=1 ;;
    *) echo "usage: $0 [--force]" >&2; exit 2 ;;
  esac
done

log() { echo "pulumi-engine: $*" >&2; }

go_cmd=${GO:-$(command -v go || true)}
[ -n "$go_cmd" ] || go_cmd=/usr/local/go/bin/go
[ -x "$go_cmd" ] || { log "no Go toolchain (looked for go on PATH and /usr/local/go/bin/go)"; exit 1; }

# The engine must be the version of the @pulumi/pulumi SDK the program uses.
version=$(sed -n 's/^[[:space:]]*github.com\/pulumi\/pulumi\/pkg\/v3 \(v[0-9.]*\)\( \/\/ indirect\)\{0,1\}$/\1/p' "$here/go.mod")
sdk_version=$(sed -n 's/^[[:space:]]*github.com\/pulumi\/pulumi\/sdk\/v3 \(v[0-9.]*\)\( \/\/ indirect\)\{0,1\}$/\1/p' "$here/go.mod")
npm_version=$(node -p "require('$repo/package.json').dependencies['@pulumi/pulumi']")
if [ -z "$version" ] || [ "$version" != "$sdk_version" ] || [ "$version" != "v$npm_version" ]; then
  log "version mismatch: go.mod pkg/v3=${version:-?} sdk/v3=${sdk_version:-?}, package.json @pulumi/pulumi=$npm_version"
  exit 1
fi

cache_root=${ARRAKIS_ENGINE_CACHE:-$HOME/.cache/arrakis/pulumi-engine}
cache="$cache_root/$version"
bin="$cache/bin"
mkdir -p "$bin"

export GOMODCACHE="$cache/gomodcache"
export GOCACHE="$cache/gocache"
# -mod=readonly: go.mod/go.sum are the pin; never let a build rewrite them.
export GOFLAGS="-mod=readonly -buildvcs=false"
# Use the installed Go as is: go.mod asks for 1.25, and a toolchain download would fail here.
export GOTOOLCHAIN=local

# Everything that decides the output; a change to any of it rebuilds.
stamp_now=$({
  "$go_cmd" version
  cat "$here/go.mod" "$here/go.sum" "$0"
} | sha256sum | cut -d' ' -f1)
stamp_file="$cache/stamp"

if [ "$force" = 0 ] && [ -x "$bin/pulumi" ] && [ -f "$stamp_file" ] && [ "$(cat "$stamp_file")" = "$stamp_now" ]; then
  log "pulumi $version is up to date in $bin"
else
  log "building pulumi $version into $bin (cold: 4-8 min on 2 cores; compiler output below)"
  start=$(date +%s)
  (
    cd "$here"
    # Fetch first so that a proxy refusal shows as such, not as a compile error.
    "$go_cmd" mod download >&2
    "$go_cmd" build -p 2 -trimpath \
      -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$version" \
      -o "$bin/pulumi.tmp" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi >&2
  )
  mv -f "$bin/pulumi.tmp" "$bin/pulumi"
  echo "$stamp_now" >"$stamp_file"
  log "built pulumi in $(($(date +%s) - start)) s"
fi

# The launchers are tiny: copy them every time so an edit in the repo always takes effect.
for launcher in "$here"/launchers/*; do
  install -m 0755 "$launcher" "$bin/$(basename "$launcher")"
done

# Sanity check: the binary runs and reports the pinned version.
reported=$(PULUMI_SKIP_UPDATE_CHECK=true "$bin/pulumi" version 2>/dev/null || true)
if [ "$reported" != "$version" ]; then
  log "built binary reports version '${reported}', expected $version"
  exit 1
fi

echo "$bin"
