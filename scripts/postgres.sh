#!/usr/bin/env bash
# Start a throw-away PostgreSQL server for the tests and print its URL on stdout.
# Usage: scripts/postgres.sh start|stop
set -euo pipefail
PGPORT="${BIRLIK_TEST_PGPORT:-54329}"
PGDATA="${BIRLIK_TEST_PGDATA:-/tmp/birlik-test-pg}"
# The server must have the pgvector extension (documents.embedding is a vector column with an
# HNSW index, migration 0010). Debian's postgresql-NN-pgvector when apt has it, else the server
# that the pgserver wheel (a test dependency, PostgreSQL with pgvector) ships, else the plain one.
BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
has_vector() { [ -n "$1" ] && ls "$("$1/pg_config" --sharedir 2>/dev/null)/extension/vector.control" >/dev/null 2>&1; }
if ! has_vector "$BIN" && [ -z "${BIRLIK_TEST_PG_NO_VECTOR:-}" ]; then
    PYTHON="${BIRLIK_PYTHON:-$(dirname "$0")/../.venv/bin/python}"
    [ -x "$PYTHON" ] || PYTHON=python3
    WHEEL="$("$PYTHON" -c 'import importlib.util as u, os; s = u.find_spec("pgserver");
print(os.path.join(os.path.dirname(s.origin), "pginstall", "bin") if s else "")' 2>/dev/null || true)"
    if has_vector "$WHEEL"; then BIN="$WHEEL"; fi
fi
if [ -z "$BIN" ]; then
    echo "birlik: PostgreSQL server binaries not found — install the postgresql package" >&2
    exit 1
fi
# The postgres user must be able to run the server: a checkout under a private home (root's)
# is not readable by it, so the wheel's server is copied where it is.
if [ "$(id -u)" -eq 0 ] && ! runuser -u postgres -- test -x "$BIN/postgres" 2>/dev/null; then
    # the server's libraries sit beside its package (rpath $ORIGIN/../../../pgserver.libs)
    PACKAGE="$(dirname "$(dirname "$BIN")")"
    COPY="${TMPDIR:-/tmp}/birlik-pg-install"
    rm -rf "$COPY" && mkdir -p "$COPY"
    cp -a "$PACKAGE" "$COPY/pgserver"
    if [ -d "$(dirname "$PACKAGE")/pgserver.libs" ]; then cp -a "$(dirname "$PACKAGE")/pgserver.libs" "$COPY/"; fi
    chmod -R a+rX "$COPY"
    BIN="$COPY/pgserver/pginstall/bin"
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
