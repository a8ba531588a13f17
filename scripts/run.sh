#!/usr/bin/env bash
# First command: set up, initialise the SQLite database, ingest the demo corpus, show it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export BIRLIK_DATABASE_URL="${BIRLIK_DATABASE_URL:-sqlite:///birlik.db}"
.venv/bin/birlik init
.venv/bin/birlik ingest --demo
.venv/bin/birlik stats
