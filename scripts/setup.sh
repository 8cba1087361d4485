#!/usr/bin/env bash
# Installs everything vmwall needs on Debian 12 / Ubuntu 22.04+: system packages, then a venv.
# Idempotent: run it again after a `git pull`. Root or sudo is needed for the system packages.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive

mapfile -t packages < <(grep -v '^\s*#' scripts/system-packages.txt | grep -v '^\s*$')
missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "==> installing system packages: ${missing[*]}"
  # Wait for the package lock rather than fail (unattended upgrades often hold it on a fresh machine).
  $SUDO apt-get -o DPkg::Lock::Timeout=300 update -qq
  $SUDO apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  echo "==> creating the virtual environment (.venv)"
  "$PYTHON" -m venv .venv
fi
echo "==> installing vmwall and its Python dependencies"
.venv/bin/python -m pip install -q --upgrade pip wheel setuptools
.venv/bin/python -m pip install -q -e '.[sim,dev]'
echo "==> done: .venv/bin/vmwall doctor tells what this machine can do"
