"""Benchmark of a real wall node (issue 5): `vmwall wall-node` under Xvfb, fed by the real hub pulling
the real farm, commanded through the real `vmwall wall-controller`; every figure is read from the
node's screen pixels (each simulated camera burns a machine-readable stamp into its picture).

preset:   apply-preset (from a console client) -> the new cameras' stamps visible on the node's
          screen: first tile and all four tiles of a 2x2, p50/p95 over --changes changes alternating
          two presets of 4 cameras each (the hub keeps both sets pulled, as it does for a wall that
          cycles presets; the first application of each preset, a cold hub, is reported apart)
restart:  `kill -9` of the node, then a new node process: seconds from its start to the wall
          content applied (the node's own figure, from /proc; with the CPU it used by then, which does
          not depend on the machine's load) and to every tile's stamp on screen; the same started
          without the `vmwall` command line's import of every other command's modules ("lazy cli"),
          to show what that costs a node's start-up
reference: a bare decoder (PyAV) opening the same hub streams: first decoded frame, the floor the
          node's path (controller, agent, Qt, libVLC) stands on

Goals (issue 5): preset -> first frame p50 <= 1 s; node restart -> current state within 2 s.
Prints JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np
import numpy.typing as npt

from bench._stack import VMWALL, Stack
from bench.console_video import start_xvfb, summary
from vmwall.sim.stamp import decode_stamp

NODE = "bench"
SCREEN_W, SCREEN_H = 1280, 720  # one virtual screen, 2x2: 640x360 tiles play the sub streams
PRESETS = {"bench-a": [1, 2, 3, 4], "bench-b": [5, 6, 7, 8]}
LOGIN = "bench.chef"
TIMEOUT_S = 15.0
# `vmwall wall-node` with only the wall-node command's module loaded (what a lazy `vmwall` would do).
LAZY_CLI = (
    "import argparse, sys\n"
    "from vmwall.commands import wall_node\n"
    "parser = argparse.ArgumentParser(prog='vmwall')\n"
    "parser.add_argument('--db')\n"
    "parser.add_argument('-v', '--verbose', action='store_true')\n"
    "wall_node.register(parser.add_subparsers())\n"
    "args = parser.parse_args()\n"
    "sys.exit(args.handler(args))\n"
)


# --- reading the node's screen ---------------------------------------------------------------------


class ScreenReader:
    """Grabs the node's window area from the X server (the root window: another process's window)."""

    def __init__(self) -> None:
        from PySide6.QtGui import QGuiApplication

        self.app = QGuiApplication.instance() or QGuiApplication(["bench-wall-node"])
        self.screen = QGuiApplication.primaryScreen()

    def grab(self) -> npt.NDArray[np.uint8]:
        from PySide6.QtGui import QImage

        image = self.screen.grabWindow(0, 0, 0, SCREEN_W, SCREEN_H).toImage()
        rgb = image.convertToFormat(QImage.Format.Format_RGB888)
        raw = np.frombuffer(rgb.constBits(), np.uint8).reshape(rgb.height(), rgb.bytesPerLine())
        return raw[:, : rgb.width() * 3].reshape(rgb.height(), rgb.width(), 3)

    def cameras(self) -> list[int | None]:
        """The camera stamped in each tile of the 2x2 (reading order); None where none is readable."""
        rgb = self.grab()
        half_w, half_h = SCREEN_W // 2, SCREEN_H // 2
        found: list[int | None] = []
        for row in range(2):
            for column in range(2):
                tile = rgb[
                    row * half_h + 4 : (row + 1) * half_h - 4, column * half_w + 4 : (column + 1) * half_w - 4
                ]
                stamp = decode_stamp(tile, search_fraction=0.45)
                found.append(stamp.camera if stamp else None)
        return found

    def wait_for(self, cameras: list[int], since: float, timeout_s: float = TIMEOUT_S) -> tuple[float, float]:
        """(first tile, all tiles) seconds after ``since`` until the tiles show ``cameras``."""
        first: float | None = None
        while True:
            shown = self.cameras()
            now = time.monotonic()
            hits = [a == b for a, b in zip(shown, cameras, strict=True)]
            if first is None and any(hits):
                first = now - since
            if all(hits):
                return first if first is not None else now - since, now - since
            if now - since > timeout_s:
                raise RuntimeError(f"the screen shows {shown}, not {cameras}, after {timeout_s:.0f} s")


# --- the processes -------------------------------------------------------------------------------


class Wall:
    def __init__(self, stack: Stack, workdir: Path) -> None:
        from tests.fixtures.accounts import create_account
        from vmwall.model.user import Role

        self.stack = stack
        self.workdir = workdir
        create_account(stack.db_url, LOGIN, Role.CHEF_DE_SALLE)
        port = _free_pair()
        self.address = f"127.0.0.1:{port}"
        self.env = {
            **stack.env,
            "VMWALL_WALL_KEYS": str(workdir / "keys"),
            "VMWALL_CONFIG_DIR": str(workdir / "config"),
            "VMWALL_HUB_URL": stack.hub_url(""),
        }
        os.environ.update({k: self.env[k] for k in ("VMWALL_WALL_KEYS", "VMWALL_CONFIG_DIR")})
        self.controller = subprocess.Popen(
            [VMWALL, "--db", stack.db_url, "wall-controller", "--bind", self.address,
             "--state", str(workdir / "wall-state.json"), "--hub", stack.hub_url("")],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=self.env,
        )  # fmt: skip
        assert self.controller.stdout is not None
        ready = json.loads(self.controller.stdout.readline() or "{}")
        if ready.get("event") != "ready":
            self.controller.kill()
            raise SystemExit("the wall controller did not start")
        self.node: subprocess.Popen[bytes] | None = None
        self.runs = 0
        self.client: Any = None

    def start_node(self, lazy_cli: bool = False) -> tuple[float, Path]:
        self.runs += 1
        log_dir = self.workdir / f"node-{self.runs}"
        log_dir.mkdir()
        started = time.monotonic()
        env = {**self.env, "VMWALL_LOG_DIR": str(log_dir)}
        command = [sys.executable, "-c", LAZY_CLI] if lazy_cli else [VMWALL]
        self.node = subprocess.Popen(
            [*command, "wall-node", "--name", NODE, "--virtual-screens", f"1x{SCREEN_W}x{SCREEN_H}",
             "--controller", self.address, "--no-start-hub"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
        )  # fmt: skip
        return started, log_dir / f"wall-node-{NODE}.log"

    def connect(self) -> None:
        from vmwall.wall.client import WallClient
        from vmwall.wall.config import WallConfig

        config = WallConfig.from_env().with_controller(self.address)
        self.client = WallClient(config, user=LOGIN, name="bench")
        self.client.start()

    def command(self, action: str, **args: Any) -> None:
        self.client.command(action, timeout_s=10.0, **args)

    def wait_node(self, timeout_s: float = 30.0) -> None:
        """Until the controller knows the node's screens (it registers them when it connects)."""
        deadline = time.monotonic() + timeout_s
        while not any(g.ref.node == NODE for g in self.client.snapshot().geometry):
            if time.monotonic() > deadline:
                raise SystemExit("the node never registered with the controller")
            time.sleep(0.05)

    def close(self) -> None:
        if self.client is not None:
            self.client.close()
        for process in (self.node, self.controller):
            if process is not None and process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(15)
                except subprocess.TimeoutExpired:
                    process.kill()


def _free_pair() -> int:
    import socket

    for port in range(23000, 60000, 7):
        try:
            with socket.socket() as a, socket.socket() as b:
                a.bind(("127.0.0.1", port))
                b.bind(("127.0.0.1", port + 1))
                return port
        except OSError:
            continue
    raise RuntimeError("no free port pair")


def _node_figure(log: Path, what: str, timeout_s: float = TIMEOUT_S) -> tuple[float, float] | None:
    """A start-up figure the node logs: (seconds since its start, CPU seconds used by then), from
    "wall content shown 0.93 s after the process started (0.88 s of CPU)"."""
    pattern = re.compile(re.escape(what) + r" ([0-9.]+) s after the process started \(([0-9.]+) s of CPU\)")
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if log.exists():
            match = pattern.search(log.read_text(encoding="utf-8", errors="replace"))
            if match:
                return float(match.group(1)), float(match.group(2))
        time.sleep(0.05)
    return None


# --- measurements ----------------------------------------------------------------------------------


def measure_presets(wall: Wall, reader: ScreenReader, changes: int) -> dict[str, Any]:
    cold: list[float] = []
    first: list[float] = []
    every: list[float] = []
    names = list(PRESETS)
    for index in range(changes + len(names)):
        name = names[index % len(names)]
        since = time.monotonic()
        wall.command("apply-preset", name=name)
        one, four = reader.wait_for(PRESETS[name], since)
        if index < len(names):
            cold.append(four * 1000)
        else:
            first.append(one * 1000)
            every.append(four * 1000)
        time.sleep(0.5)
    return {
        "changes": changes,
        "first_tile_ms": summary(first),
        "all_4_tiles_ms": summary(every),
        "cold_hub_all_4_tiles_ms": [round(v, 1) for v in cold],
    }


def measure_restarts(wall: Wall, reader: ScreenReader, runs: int, lazy_cli: bool = False) -> dict[str, Any]:
    content: list[float] = []
    content_cpu: list[float] = []
    pictures: list[float] = []
    on_screen: list[float] = []
    cameras = PRESETS[list(PRESETS)[-1]]
    for _ in range(runs):
        assert wall.node is not None
        wall.node.kill()  # kill -9
        wall.node.wait(10)
        deadline = time.monotonic() + TIMEOUT_S
        while any(reader.cameras()) and time.monotonic() < deadline:
            time.sleep(0.02)  # the X server drops the dead node's windows
        started, log = wall.start_node(lazy_cli)
        _first, all_tiles = reader.wait_for(cameras, started)
        on_screen.append(all_tiles)
        shown = _node_figure(log, "wall content shown")
        live = _node_figure(log, "first pictures on every tile")
        if shown is not None:
            content.append(shown[0])
            content_cpu.append(shown[1])
        if live is not None:
            pictures.append(live[0])
        time.sleep(1.0)
    return {
        "runs": runs,
        "content_applied_s": summary(content),
        "cpu_used_until_content_s": summary(content_cpu),  # start-up's cost, whatever the machine's load
        "first_pictures_s": summary(pictures),
        "stamps_on_screen_s": summary(on_screen),
    }


def measure_reference(stack: Stack, samples: int) -> dict[str, Any]:
    import av

    values: list[float] = []
    numbers = [n for preset in PRESETS.values() for n in preset]
    for index in range(samples):
        url = stack.stream_url(numbers[index % len(numbers)], "sub")
        started = time.monotonic()
        with av.open(url, timeout=10) as container:
            for _frame in container.decode(video=0):
                values.append((time.monotonic() - started) * 1000)
                break
    return {"pyav_first_frame_from_hub_ms": summary(values)}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--changes", type=int, default=20, help="preset changes measured (default 20)")
    parser.add_argument("--restarts", type=int, default=5, help="node restarts measured (default 5)")
    args = parser.parse_args()

    results: dict[str, Any] = {
        "node": f"1 virtual screen {SCREEN_W}x{SCREEN_H}, 2x2 sub streams",
        "load_average_at_start": [round(v, 2) for v in os.getloadavg()],  # a busy machine slows start-up
    }
    xvfb = start_xvfb()
    stack: Stack | None = None
    wall: Wall | None = None
    try:
        stack = Stack(8, linger_s=60.0)
        wall = Wall(stack, Path(tempfile.mkdtemp(prefix="vmwall-bench-wall-node-")))
        reader = ScreenReader()
        started, log = wall.start_node()
        wall.connect()
        wall.wait_node()
        wall.command("set-screen", screen=f"{NODE}:0", layout="2x2", cameras=PRESETS["bench-a"])
        wall.command("save-preset", name="bench-a")
        wall.command("set-screen", screen=f"{NODE}:0", layout="2x2", cameras=PRESETS["bench-b"])
        wall.command("save-preset", name="bench-b")
        reader.wait_for(PRESETS["bench-b"], started, timeout_s=30.0)
        results["first_start_content_s_and_cpu_s"] = _node_figure(log, "wall content shown")
        results["preset_to_stamps"] = measure_presets(wall, reader, args.changes)
        results["restart"] = measure_restarts(wall, reader, args.restarts)
        results["restart_lazy_cli"] = measure_restarts(wall, reader, args.restarts, lazy_cli=True)
        results["reference"] = measure_reference(stack, 16)
        results["goals"] = {"preset_first_frame_p50_ms": 1000, "restart_content_s": 2.0}
        results["load_average_at_end"] = [round(v, 2) for v in os.getloadavg()]
    finally:
        if wall is not None:
            wall.close()
        if stack is not None:
            stack.close()
        xvfb.terminate()
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
