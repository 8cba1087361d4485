#!/usr/bin/env bash
# Runs the whole test suite (lint, types, unit, integration and UI tests, on SQLite and on a local
# PostgreSQL server), installing whatever is missing first. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/setup.sh
exec bash scripts/test.sh "$@"
