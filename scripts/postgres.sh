#!/usr/bin/env bash
# Start a throw-away PostgreSQL server for the tests and print its URL on stdout.
# Usage: scripts/postgres.sh start|stop
set -euo pipefail
PGPORT="${BIRLIK_TEST_PGPORT:-54329}"
PGDATA="${BIRLIK_TEST_PGDATA:-/tmp/birlik-test-pg}"
BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
if [ -z "$BIN" ]; then
    echo "birlik: PostgreSQL server binaries not found — install the postgresql package" >&2
    exit 1
fi
as_pg() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
case "${1:-start}" in
start)
    if ! as_pg "$BIN/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; then
        rm -rf "$PGDATA"
        mkdir -p "$PGDATA"
        [ "$(id -u)" -eq 0 ] && chown postgres "$PGDATA"
        as_pg "$BIN/initdb" -D "$PGDATA" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
        as_pg "$BIN/pg_ctl" -D "$PGDATA" -l "$PGDATA/server.log" -w \
            -o "-p $PGPORT -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
    fi
    echo "postgresql+psycopg://postgres@127.0.0.1:$PGPORT/postgres"
    ;;
stop)
    as_pg "$BIN/pg_ctl" -D "$PGDATA" -m fast stop >/dev/null 2>&1 || true
    ;;
esac
