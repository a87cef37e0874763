#!/usr/bin/env bash
# Starts (idempotently) a PostgreSQL 15 server with pgvector for the emulator's "postgres" database kind tests,
# on 127.0.0.1:54329, and prints its admin URL on stdout (progress goes to stderr).
#   emulator/databases/start-test-postgres.sh         install if missing, init if missing, start if stopped
#   emulator/databases/start-test-postgres.sh stop    stop it (data kept)
# Environment: EMULATOR_TEST_PG_DIR (data, default /var/tmp/emulator-test-postgres), EMULATOR_TEST_PG_PORT (54329).
# Debian bookworm ships no pgvector package, so pgvector is built from Debian's own source package (trixie's),
# which is fetched with `apt-get source`; that needs only Debian's archive.
set -euo pipefail

PG_BIN=/usr/lib/postgresql/15/bin
DATA_DIR=${EMULATOR_TEST_PG_DIR:-/var/tmp/emulator-test-postgres}
PORT=${EMULATOR_TEST_PG_PORT:-54329}
# A throwaway server bound to loopback for tests; the password is not a secret.
PASSWORD=emulator-test
SHARE_DIR=/usr/share/postgresql/15/extension

log() { echo "start-test-postgres: $*" >&2; }

as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

if [ "${1:-start}" = stop ]; then
  if [ -f "$DATA_DIR/postmaster.pid" ]; then as_postgres "$PG_BIN/pg_ctl" -D "$DATA_DIR" -m fast -w stop >&2; fi
  exit 0
fi

apt_updated=0
apt_install() {
  [ "$(id -u)" = 0 ] || { log "need root to install $*"; exit 1; }
  if [ $apt_updated = 0 ]; then apt-get update -qq >&2; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >&2
}

if [ ! -x "$PG_BIN/postgres" ]; then
  log "installing postgresql-15"
  apt_install postgresql-15
fi

if [ ! -f "$SHARE_DIR/vector.control" ]; then
  log "building pgvector from Debian's source package"
  apt_install postgresql-server-dev-15 make gcc
  src_list=/etc/apt/sources.list.d/emulator-pgvector-src.sources
  if ! apt-cache showsrc pgvector 2>/dev/null | grep -q '^Package: pgvector'; then
    # The same Debian mirror the machine already uses for bookworm (its first archive URI).
    mirror=$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
    [ -n "$mirror" ] || mirror=$(awk '$1 == "deb" { print $2; exit }' /etc/apt/sources.list)
    printf '%s\n' 'Types: deb-src' "URIs: $mirror" 'Suites: trixie' 'Components: main' \
      'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg' >"$src_list"
    apt-get update -qq >&2
  fi
  build_dir=$(mktemp -d)
  trap 'rm -rf "$build_dir"' EXIT
  (cd "$build_dir" && apt-get source --download-only pgvector >&2)
  tar -xzf "$build_dir"/pgvector_*.orig.tar.gz -C "$build_dir"
  # OPTFLAGS="" drops -march=native so the build runs on any x86-64 machine CI lands on.
  make -s -C "$build_dir"/pgvector-*/ OPTFLAGS="" PG_CONFIG="$PG_BIN/pg_config" >&2
  make -s -C "$build_dir"/pgvector-*/ install PG_CONFIG="$PG_BIN/pg_config" >&2
fi

# Render lets its non-superuser database users run CREATE EXTENSION vector; a trusted extension is how
# PostgreSQL allows that to a database owner.
if ! grep -q '^trusted' "$SHARE_DIR/vector.control"; then
  echo 'trusted = true' >>"$SHARE_DIR/vector.control"
fi

if [ ! -f "$DATA_DIR/PG_VERSION" ]; then
  log "initializing $DATA_DIR"
  rm -rf "$DATA_DIR"
  mkdir -p "$DATA_DIR"
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$DATA_DIR"
  pwfile=$(mktemp)
  echo "$PASSWORD" >"$pwfile"
  [ "$(id -u)" = 0 ] && chown postgres "$pwfile"
  as_postgres "$PG_BIN/initdb" -D "$DATA_DIR" -U postgres -A scram-sha-256 --pwfile="$pwfile" -E UTF8 >&2
  rm -f "$pwfile"
fi

if ! as_postgres "$PG_BIN/pg_ctl" -D "$DATA_DIR" status >/dev/null 2>&1; then
  log "starting on 127.0.0.1:$PORT"
  as_postgres "$PG_BIN/pg_ctl" -D "$DATA_DIR" -l "$DATA_DIR/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $PORT -c unix_socket_directories=$DATA_DIR -c max_connections=200" start >&2
fi

echo "postgresql://postgres:$PASSWORD@127.0.0.1:$PORT/postgres"
