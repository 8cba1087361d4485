#!/usr/bin/env bash
# The whole test suite: lint and type checks, then pytest on SQLite and on a real PostgreSQL server.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${VMWALL_TEST_PG_URL:-}" ]; then
  # Starts the local PostgreSQL cluster (root or sudo) and prints `export VMWALL_TEST_PG_URL=...`.
  eval "$(bash scripts/start-postgres.sh)"
fi
export VMWALL_TEST_PG_URL
.venv/bin/ruff check vmwall tests bench
.venv/bin/mypy
exec .venv/bin/pytest -q -ra --durations=25 "$@"
