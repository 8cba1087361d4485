#!/usr/bin/env bash
# The demo: a simulated camera farm registered in the catalogue, and the operator console on it.
# Headless machines get a virtual display (Xvfb); machines without a keyring get a session keyring.
set -euo pipefail
cd "$(dirname "$0")/.."
VMWALL=.venv/bin/vmwall
CAMERAS="${VMWALL_DEMO_CAMERAS:-16}"

# 1. An OS keyring: camera passwords live there and nowhere else.
if ! .venv/bin/python -c "from vmwall.credentials import check_keyring; check_keyring()" 2>/dev/null; then
  if [ -z "${VMWALL_DEMO_KEYRING:-}" ] && command -v dbus-run-session >/dev/null && command -v gnome-keyring-daemon >/dev/null; then
    echo "==> no keyring in this session: starting a D-Bus session with gnome-keyring"
    echo "    (its passphrase: \$VMWALL_KEYRING_PASSPHRASE, default 'vmwall-demo')"
    export VMWALL_DEMO_KEYRING=1
    exec dbus-run-session -- bash -c '
      printf "%s\n" "${VMWALL_KEYRING_PASSPHRASE:-vmwall-demo}" | gnome-keyring-daemon --replace --unlock --components=secrets >/dev/null
      exec bash scripts/demo.sh'
  fi
  .venv/bin/python -c "from vmwall.credentials import check_keyring; check_keyring()"
fi

# 2. A display.
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  export DISPLAY=":${VMWALL_DEMO_DISPLAY:-77}"
  echo "==> no display: starting Xvfb on $DISPLAY (1920x1080)"
  Xvfb "$DISPLAY" -screen 0 1920x1080x24 -nolisten tcp >/dev/null 2>&1 &
  XVFB_PID=$!
  trap 'kill $XVFB_PID 2>/dev/null || true' EXIT
  sleep 1
fi

# 3. The demo's own stream hub, in this session (it reads the passwords from this session's keyring).
export VMWALL_HUB_URL="http://127.0.0.1:${VMWALL_DEMO_HUB_PORT:-8491}"
.venv/bin/python - <<'PY'
# A hub left on the demo's port by an interrupted demo belongs to a keyring session that is gone.
import os, signal
from vmwall.hub.client import HubClient
client = HubClient()
if client.is_running():
    os.kill(int(client.health()["pid"]), signal.SIGTERM)
PY
"$VMWALL" hub &
HUB_PID=$!

# 4. The simulated farm, registered as commune "Simulation" (cameras 1..N).
echo "==> starting the simulated camera farm ($CAMERAS cameras)"
"$VMWALL" sim --cameras "$CAMERAS" --register &
SIM_PID=$!
trap 'kill $SIM_PID $HUB_PID 2>/dev/null || true; wait $SIM_PID $HUB_PID 2>/dev/null || true; kill ${XVFB_PID:-} 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  "$VMWALL" cameras list --json 2>/dev/null | grep -q '"Simulation"' && break
  kill -0 $SIM_PID 2>/dev/null || { echo "the camera farm stopped; see its messages above" >&2; exit 1; }
  sleep 0.3
done

# 5. The console.
echo "==> starting the console"
if [ "$#" -eq 0 ]; then
  set -- --layout 3x3 --cameras 1,2,3,4,5,6,7,8,9
fi
"$VMWALL" console "$@"
