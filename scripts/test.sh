#!/usr/bin/env bash
# The whole test run: system packages, virtualenv, PostgreSQL, ruff, mypy, pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/system-packages.sh
bash scripts/setup.sh dev
# axe-core for the accessibility test (tools/axe/package-lock.json pins it)
if command -v npm >/dev/null; then
    npm ci --prefix tools/axe --no-audit --no-fund --silent \
        || echo "birlik: npm could not install axe-core — the accessibility test will skip" >&2
else
    echo "birlik: no npm here — the accessibility test will skip (install nodejs and npm)" >&2
fi
if url="$(bash scripts/postgres.sh start)"; then
    export BIRLIK_TEST_POSTGRES_URL="$url"
    trap 'bash scripts/postgres.sh stop' EXIT
else
    echo "birlik: PostgreSQL could not start — the PostgreSQL tests will fail" >&2
fi
echo "== ruff" >&2
.venv/bin/ruff check src tests scripts bench
echo "== mypy (strict)" >&2
.venv/bin/mypy
echo "== pytest" >&2
.venv/bin/pytest "$@"
