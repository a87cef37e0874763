#!/usr/bin/env bash
# Builds what an official Pulumi install has, pinned, into a cache outside the repository keyed by
# version: the `pulumi` CLI (from the Go module proxy), the Node.js language host
# `pulumi-language-nodejs` beside it and the `@pulumi/command` plugin `pulumi-resource-command`
# (both from their unmodified upstream sources in ../shared/vendor, which the proxy does not serve),
# plus our Node launchers for the plugins the official distribution ships as scripts. Idempotent:
# when the cache is warm and nothing changed it only checks.
#
#   tools/pulumi-engine/build.sh [--force]
#
# Environment:
#   ARRAKIS_ENGINE_CACHE  cache root (default: $HOME/.cache/arrakis/pulumi-engine)
#   ARRAKIS_VENDOR_DIR    the upstream plugin sources (default: ../shared/vendor beside the checkout)
#   GO                    the go command (default: go on PATH, else /usr/local/go/bin/go)
#   PULUMI_HOME           where the command plugin is installed (default: ~/.pulumi, like the CLI)
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

vendor=${ARRAKIS_VENDOR_DIR:-$repo/../shared/vendor}
langhost_src="$vendor/pulumi-language-nodejs"
command_src="$vendor/pulumi-command-provider"
for src in "$langhost_src" "$command_src"; do
  [ -f "$src/go.mod" ] || {
    log "no upstream source at $src (expected the shared vendor folder beside the checkout; set ARRAKIS_VENDOR_DIR)"
    exit 1
  }
done
vendor=$(cd "$vendor" && pwd)
# The @pulumi/command plugin must be the version the npm package asks the engine for.
command_version=$(node -p "require('$repo/package.json').dependencies['@pulumi/command']")
command_plugin_dir="$cache/plugins/resource-command-v$command_version"

export GOMODCACHE="$cache/gomodcache"
export GOCACHE="$cache/gocache"
# -mod=readonly: go.mod/go.sum are the pin; never let a build rewrite them.
export GOFLAGS="-mod=readonly -buildvcs=false"
# Use the installed Go as is: go.mod asks for 1.25, and a toolchain download would fail here.
export GOTOOLCHAIN=local

# Everything that decides the output; a change to any of it rebuilds.
stamp_now=$({
  "$go_cmd" version
  echo "command $command_version"
  cat "$here/go.mod" "$here/go.sum" "$0"
  (cd "$vendor" && find pulumi-language-nodejs pulumi-command-provider -type f -print0 | sort -z | xargs -0 sha256sum)
} | sha256sum | cut -d' ' -f1)
stamp_file="$cache/stamp"

ldflags_version="-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$version"
if [ "$force" = 0 ] && [ -x "$bin/pulumi" ] && [ -x "$bin/pulumi-language-nodejs" ] &&
  [ -x "$command_plugin_dir/pulumi-resource-command" ] &&
  [ -f "$stamp_file" ] && [ "$(cat "$stamp_file")" = "$stamp_now" ]; then
  log "pulumi $version, its Node language host and command $command_version are up to date in $cache"
else
  log "building pulumi $version into $bin (cold: 4-8 min on 2 cores; compiler output below)"
  start=$(date +%s)
  (
    cd "$here"
    # Fetch first so that a proxy refusal shows as such, not as a compile error.
    "$go_cmd" mod download >&2
    "$go_cmd" build -p 2 -trimpath -ldflags "-s -w $ldflags_version" \
      -o "$bin/pulumi.tmp" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi >&2
  )
  mv -f "$bin/pulumi.tmp" "$bin/pulumi"
  log "built pulumi in $(($(date +%s) - start)) s"

  # The language host, from its upstream source at the same tag. Its own go.mod replaces pkg/v3 and
  # sdk/v3 with folders of the upstream monorepo; only the main module's replaces apply, so it is
  # built from a copy of our go.mod (-modfile, in the cache) that requires it, points at the vendored
  # folder, and keeps our go.sum as the pin of every dependency.
  start=$(date +%s)
  modfile="$cache/langhost/go.mod"
  mkdir -p "$cache/langhost"
  cp "$here/go.mod" "$modfile"
  cp "$here/go.sum" "$cache/langhost/go.sum"
  langhost_module=github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3
  (
    cd "$here"
    GOFLAGS="-mod=mod -buildvcs=false" "$go_cmd" mod edit -modfile="$modfile" \
      -require="$langhost_module@v3.0.0" -replace="$langhost_module=$langhost_src"
    "$go_cmd" build -modfile="$modfile" -p 2 -trimpath -ldflags "-s -w $ldflags_version" \
      -o "$bin/pulumi-language-nodejs.tmp" "$langhost_module" >&2
  )
  mv -f "$bin/pulumi-language-nodejs.tmp" "$bin/pulumi-language-nodejs"
  log "built pulumi-language-nodejs in $(($(date +%s) - start)) s"

  # The command plugin builds as is from its own module (read-only source; the output goes to the cache).
  start=$(date +%s)
  mkdir -p "$command_plugin_dir"
  (
    cd "$command_src"
    "$go_cmd" build -p 2 -trimpath \
      -ldflags "-s -w -X github.com/pulumi/pulumi-command/provider/pkg/version.Version=$command_version" \
      -o "$command_plugin_dir/pulumi-resource-command.tmp" ./cmd/pulumi-resource-command >&2
  )
  mv -f "$command_plugin_dir/pulumi-resource-command.tmp" "$command_plugin_dir/pulumi-resource-command"
  log "built pulumi-resource-command $command_version in $(($(date +%s) - start)) s"
  echo "$stamp_now" >"$stamp_file"
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

# Install the command plugin where the CLI looks for it (PULUMI_HOME/plugins), as
# `pulumi plugin install` does for a download: the engine then finds it with automatic plugin
# download off. Tests install it into their own PULUMI_HOME from the same file.
if ! PULUMI_SKIP_UPDATE_CHECK=true "$bin/pulumi" plugin ls 2>/dev/null |
  grep -Eq "^command[[:space:]]+resource[[:space:]]+$command_version[[:space:]]"; then
  PULUMI_SKIP_UPDATE_CHECK=true "$bin/pulumi" plugin install resource command "$command_version" \
    --file "$command_plugin_dir/pulumi-resource-command" >&2
  log "installed pulumi-resource-command $command_version into ${PULUMI_HOME:-$HOME/.pulumi}/plugins"
fi

echo "$bin"
