#!/usr/bin/env bash
# Sets everything up (system packages, virtual environment) and runs the operator console against
# the built-in simulated camera farm. Extra arguments go to `vmwall console`.
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/setup.sh
exec bash scripts/demo.sh "$@"
