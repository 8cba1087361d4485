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

# 4. Named accounts, even in a demo: an administrator registers the simulated cameras, and the
#    supervisor "superviseur" (chef de salle, with an agrément) signs in to the console. Both have
#    the password $VMWALL_DEMO_PASSWORD (default Demo-vmwall-2025). On a database that already has
#    accounts of its own, set VMWALL_DEMO_ADMIN and VMWALL_DEMO_PASSWORD to one of its administrators.
DEMO_ADMIN="${VMWALL_DEMO_ADMIN:-demo-admin}"
DEMO_PASSWORD="${VMWALL_DEMO_PASSWORD:-Demo-vmwall-2025}"
as_admin() { VMWALL_USER="$DEMO_ADMIN" VMWALL_PASSWORD="$DEMO_PASSWORD" "$VMWALL" "$@"; }
if ! as_admin users show "$DEMO_ADMIN" >/dev/null 2>&1; then
  echo "==> creating the demo administrator '$DEMO_ADMIN'"
  printf '%s\n' "$DEMO_PASSWORD" | "$VMWALL" users add "$DEMO_ADMIN" --role administrateur \
      --full-name "Administrateur de démonstration" --password-stdin || {
    echo "this database has accounts already: set VMWALL_DEMO_ADMIN and VMWALL_DEMO_PASSWORD" \
         "to one of its administrators" >&2
    exit 1
  }
fi
AGREMENT=(--agrement-ref DEMO-AGR-0001 --agrement-until "$(date -d '+1 year' +%F)"
          --training "$(date +%F)" --charter "$(date +%F)")
if as_admin users show superviseur >/dev/null 2>&1; then
  as_admin users update superviseur "${AGREMENT[@]}" >/dev/null  # keep the demo agrément valid
else
  echo "==> creating the demo supervisor 'superviseur' (chef de salle)"
  printf '%s\n' "$DEMO_PASSWORD" | as_admin users add superviseur --role chef-de-salle \
      --full-name "Superviseur de démonstration" "${AGREMENT[@]}" --password-stdin
fi

# 5. The simulated farm, registered as commune "Simulation" (cameras 1..N) by the administrator.
echo "==> starting the simulated camera farm ($CAMERAS cameras)"
as_admin sim --cameras "$CAMERAS" --register &
SIM_PID=$!
trap 'kill $SIM_PID $HUB_PID 2>/dev/null || true; wait $SIM_PID $HUB_PID 2>/dev/null || true; kill ${XVFB_PID:-} 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  as_admin cameras list --json 2>/dev/null | grep -q '"Simulation"' && break
  kill -0 $SIM_PID 2>/dev/null || { echo "the camera farm stopped; see its messages above" >&2; exit 1; }
  sleep 0.3
done

# 6. The video wall: its controller and one wall PC "mur" rehearsed on two virtual screens (two
#    windows of 960x540). The supervisor drives it from the console (menu "Mur d'images", Ctrl+M).
#    Keys are made on first start and found by the processes of this user with no manual step.
if [ "${VMWALL_DEMO_WALL:-1}" = 1 ]; then
  echo "==> starting the wall controller and the wall node 'mur' (two virtual screens)"
  "$VMWALL" wall-controller &
  WALL_PID=$!
  as_supervisor() { VMWALL_USER=superviseur VMWALL_PASSWORD="$DEMO_PASSWORD" "$VMWALL" "$@"; }
  for _ in $(seq 1 50); do  # the node needs the controller's key, made at its first start
    as_supervisor wall status >/dev/null 2>&1 && break
    sleep 0.3
  done
  "$VMWALL" wall-node --name mur --virtual-screens 2x960x540 &
  NODE_PID=$!
  trap 'kill $SIM_PID $HUB_PID ${WALL_PID:-} ${NODE_PID:-} 2>/dev/null || true; wait $SIM_PID $HUB_PID 2>/dev/null || true; kill ${XVFB_PID:-} 2>/dev/null || true' EXIT
  for _ in $(seq 1 50); do
    as_supervisor wall show 10 --screen mur:1 >/dev/null 2>&1 && break
    sleep 0.3
  done
fi

# 7. The console, signed in as the supervisor (no login dialog; it locks after 10 min idle).
echo "==> starting the console as 'superviseur' (password: \$VMWALL_DEMO_PASSWORD)"
if [ "$#" -eq 0 ]; then
  set -- --layout 3x3 --cameras 1,2,3,4,5,6,7,8,9
fi
VMWALL_USER=superviseur VMWALL_PASSWORD="$DEMO_PASSWORD" "$VMWALL" console "$@"
