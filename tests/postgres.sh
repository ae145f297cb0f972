#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the test suite, listening only on a socket in its own folder.
#
#   tests/postgres.sh start DIR   makes and starts a cluster in DIR; prints the URL to give the suite as
#                                 MOBILIZON_LITE_TEST_DATABASE_URL
#   tests/postgres.sh stop DIR    stops it and removes DIR
#
# Debian's server binaries are not on PATH (/usr/lib/postgresql/<version>/bin); the newest is used, or
# PG_BIN when set. initdb refuses to run as root: as root, the cluster belongs to "nobody".
set -euo pipefail

usage() { echo "usage: $0 start|stop DIR" >&2; exit 2; }
[ $# -eq 2 ] || usage
action=$1
dir=$(realpath -m "$2")

bin=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
  echo "no PostgreSQL server binaries found (Debian: apt-get install postgresql postgresql-contrib)" >&2
  exit 1
fi

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u nobody -- "$@"; else "$@"; fi
}

case $action in
  start)
    mkdir -p "$dir"
    [ "$(id -u)" -eq 0 ] && chown nobody "$dir"
    as_owner "$bin/initdb" --pgdata="$dir/data" --username=postgres --auth=trust --encoding=UTF8 \
      --locale=C.UTF-8 >"$dir/initdb.log"
    # Data thrown away after the run: no need to survive a crash, so nothing waits for the disk.
    as_owner "$bin/pg_ctl" --pgdata="$dir/data" --log="$dir/server.log" --wait start \
      -o "-c listen_addresses='' -c unix_socket_directories='$dir' -c max_connections=300 \
          -c fsync=off -c synchronous_commit=off -c full_page_writes=off" >/dev/null
    echo "postgresql://postgres@/postgres?host=$dir"
    ;;
  stop)
    if [ -f "$dir/data/postmaster.pid" ]; then
      as_owner "$bin/pg_ctl" --pgdata="$dir/data" --mode=immediate --wait stop >/dev/null
    fi
    rm -rf "$dir"
    ;;
  *) usage ;;
esac
