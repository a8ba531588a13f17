#!/usr/bin/env bash
# First command: set up, initialise the SQLite database, ingest the demo corpus, show it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export BIRLIK_DATABASE_URL="${BIRLIK_DATABASE_URL:-sqlite:///birlik.db}"
.venv/bin/birlik init
.venv/bin/birlik ingest --demo
# The demo corpus is of June–September 2026: evaluate the alert rules over that period, so the
# demo opens with the alerts a monitor running at the time would have raised.
.venv/bin/birlik monitor --once --since 2026-06-01 >/dev/null
.venv/bin/birlik stats
# The web application on the demo corpus (BIRLIK_NO_SERVE=1 stops here, for CI and tests).
.venv/bin/birlik registry import --demo >/dev/null 2>&1 || true
# the demo's survey wave (target indicators) and its two monitoring visits, once
.venv/bin/birlik survey import --demo >/dev/null 2>&1 || true
if [ -z "$(.venv/bin/birlik visits list 2>/dev/null)" ]; then
    .venv/bin/birlik visits add --demo >/dev/null 2>&1 || true
fi
DEMO_PASSWORD="${BIRLIK_DEMO_PASSWORD:-birlik-demo-$(date +%s | sha256sum | cut -c1-8)}"
if .venv/bin/birlik user add demo --role administrator --password "$DEMO_PASSWORD" --if-missing | grep -q '"created": true'; then
    echo "demo login: user demo, password $DEMO_PASSWORD"
else
    echo "demo login: user demo (created earlier; reset with: birlik user add …)"
fi
if [ "${BIRLIK_NO_SERVE:-0}" != "1" ]; then
    echo "open http://127.0.0.1:8000"
    exec .venv/bin/birlik serve --host 127.0.0.1 --port 8000
fi
