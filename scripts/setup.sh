#!/usr/bin/env bash
# Install the system packages analysis uses (apt, as root), create the virtualenv and install
# Birlik into it (idempotent).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/system-packages.sh analysis
PYTHON="${PYTHON:-python3}"
EXTRAS="${1:-}"
if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip >/dev/null 2>&1 || true
.venv/bin/python -m pip install --quiet -e ".${EXTRAS:+[$EXTRAS]}"
