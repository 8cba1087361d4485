"""Start the real processes a benchmark measures: `vmwall sim` and `vmwall hub`, each in its own process.

The farm runs without RTSP authentication and the cameras are registered without credentials, so the
hub process needs no keyring; authentication changes nothing in what is measured (the RTSP handshake
happens once per session).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from vmwall.model import Camera, Commune, Forfait
from vmwall.store import CameraRepository, CommuneRepository, open_database

VMWALL = str(Path(sys.executable).parent / "vmwall")


def free_port_range(count: int) -> int:
    for base in range(21000, 60000, 500):
        sockets = []
        try:
            for port in range(base, base + count):
                s = socket.socket()
                sockets.append(s)
                s.bind(("127.0.0.1", port))
            return base
        except OSError:
            continue
        finally:
            for s in sockets:
                s.close()
    raise RuntimeError("no free port range")


class Stack:
    def __init__(self, cameras: int, linger_s: float = 30.0) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="vmwall-bench-"))
        self.cameras = cameras
        base = free_port_range(2 * cameras + 4)
        self.rtsp_base, self.onvif_base, self.hub_port = base, base + cameras + 1, base + 2 * cameras + 2
        env = {**os.environ, "VMWALL_LOG_DIR": str(self.dir), "VMWALL_DATA_DIR": str(self.dir)}
        self.env = env
        self.sim = subprocess.Popen(
            [
                VMWALL,
                "sim",
                "--cameras",
                str(cameras),
                "--no-rtsp-auth",
                "--rtsp-port",
                str(self.rtsp_base),
                "--onvif-port",
                str(self.onvif_base),
                "--motion-interval",
                "0",
                "--state-dir",
                str(self.dir),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env=env,
        )
        assert self.sim.stdout is not None
        while "Farm running" not in (line := self.sim.stdout.readline()):
            if not line:
                raise SystemExit("the simulated farm did not start")
        self.db_url = f"sqlite:///{self.dir / 'bench.sqlite3'}"
        db = open_database(self.db_url)
        commune = CommuneRepository(db).add(Commune("Simulation", "99999", Forfait.LIVE_24_7))
        assert commune.id is not None
        for n in range(1, cameras + 1):
            CameraRepository(db).add(
                Camera(
                    n, f"Camera {n}", commune.id, main_uri=self.rtsp(n, "main"), sub_uri=self.rtsp(n, "sub")
                )
            )
        db.close()
        self.hub = subprocess.Popen(
            [VMWALL, "--db", self.db_url, "hub", "--port", str(self.hub_port), "--linger", str(linger_s)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.hub_url("/api/health"), timeout=1).read()
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise SystemExit("the hub did not start")

    def rtsp(self, number: int, kind: str) -> str:
        return f"rtsp://127.0.0.1:{self.rtsp_base + number - 1}/{kind}"

    def hub_url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.hub_port}{path}"

    def stream_url(self, number: int, kind: str) -> str:
        return self.hub_url(f"/camera/{number}/{kind}.ts")

    def streams(self) -> list[dict[str, object]]:
        return list(
            json.loads(urllib.request.urlopen(self.hub_url("/api/streams"), timeout=5).read())["streams"]
        )

    def warm(self, numbers: list[int], kind: str, ttl_s: float) -> None:
        cams = ",".join(map(str, numbers))
        request = urllib.request.Request(
            self.hub_url(f"/api/warm?cameras={cams}&kind={kind}&ttl={ttl_s}"), method="POST"
        )
        urllib.request.urlopen(request, timeout=5).read()

    def close(self) -> None:
        for process in (self.hub, self.sim):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(15)
                except subprocess.TimeoutExpired:
                    process.kill()
