"""Benchmark of the wall's control path (issue 5), each figure beside its reference in the same run.

preset:     a preset change applied on N node agent processes (`vmwall.wall.null_node`: the real
            agent, a display that records and decodes nothing), with CurveZMQ, through a real
            `vmwall wall-controller` (rights read from its database, state fsync'ed): from the
            console's `apply-preset` call to each node's display.show(), p50/p99 over the changes,
            for the slowest node of each change and over all nodes.
reference:  raw pyzmq PUB/SUB fan-out of a 2 KB message to N subscriber processes, with and without
            CurveZMQ, in the same run (what the wall's protocol costs on top).
recovery:   a node killed with -9 and started again: process spawn → current state shown;
            a node killed: → the console shows it offline; a controller restart: spawn → every node
            and the console resynced.
First frames on a real node's tiles after a preset change: bench/wall_node.py (Qt, libVLC, the hub).

    .venv/bin/python bench/wall.py [--nodes 24] [--changes 100]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import queue
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np

REPO = Path(__file__).resolve().parent.parent
MESSAGE_BYTES = 2048


def pct(values: list[float], q: float) -> float | None:
    return round(float(np.percentile(values, q)), 2) if values else None


def summary_ms(values_s: list[float]) -> dict[str, Any]:
    ms = [v * 1000 for v in values_s]
    return {
        "n": len(ms),
        "p50_ms": pct(ms, 50),
        "p99_ms": pct(ms, 99),
        "max_ms": round(max(ms), 2) if ms else None,
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Lines:
    """A child process's stdout JSON lines, read in a thread."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.proc = proc
        self.queue: queue.Queue[dict[str, Any]] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            with contextlib.suppress(ValueError):
                self.queue.put(json.loads(line))

    def wait(self, predicate: Any, timeout: float) -> dict[str, Any] | None:
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                event = self.queue.get(timeout=left)
            except queue.Empty:
                return None
            if predicate(event):
                return event
        return None


class UpdateTimes:
    """When the controller published each update (its ``at``), heard as one more subscriber."""

    def __init__(self, config: Any) -> None:
        import zmq

        from vmwall.wall import protocol
        from vmwall.wall.keys import KeyRole, KeyStore

        store = KeyStore(config.key_dir)
        keys = store.own(KeyRole.CONSOLE, "bench-updates")
        self.at: dict[int, float] = {}
        self._stop = threading.Event()
        self._context = zmq.Context()
        sub = self._context.socket(zmq.SUB)
        sub.setsockopt(zmq.LINGER, 0)
        sub.curve_serverkey = store.controller_public()
        sub.curve_publickey, sub.curve_secretkey = keys.public, keys.secret
        sub.setsockopt(zmq.SUBSCRIBE, protocol.TOPIC_STATE)
        sub.connect(config.pub)
        self._sub = sub
        self._thread = threading.Thread(target=self._run, args=(protocol,), daemon=True)
        self._thread.start()

    def _run(self, protocol: Any) -> None:
        while not self._stop.is_set():
            if not self._sub.poll(100):
                continue
            _topic, body = self._sub.recv_multipart()
            message = protocol.decode(body, protocol.PUBLISHED, protocol.MAX_REPLY_BYTES)
            self.at[message["sequence"]] = message["at"]

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self._sub.close(0)
        self._context.term()


# --- the wall ---------------------------------------------------------------------------------------


class Wall:
    def __init__(self, nodes: int) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="vmwall-bench-wall-"))
        self.address = f"tcp://127.0.0.1:{free_port()},tcp://127.0.0.1:{free_port()}"
        self.env = {
            **os.environ,
            "VMWALL_WALL_KEYS": str(self.dir / "keys"),
            "VMWALL_DATA_DIR": str(self.dir),
            "VMWALL_LOG_DIR": str(self.dir / "logs"),
            "VMWALL_CONFIG_DIR": str(self.dir / "config"),
            "VMWALL_WALL_CONTROLLER": self.address,
            "PYTHONPATH": str(REPO),
        }
        self.db_url = f"sqlite:///{self.dir / 'bench.sqlite3'}"
        self._catalogue()
        self.names = [f"n{i:02d}" for i in range(1, nodes + 1)]
        self.controller: subprocess.Popen[str] | None = None
        self.controller_lines: Lines | None = None
        self.nodes: dict[str, tuple[subprocess.Popen[str], Lines]] = {}
        self.client: Any = None
        self.updates: UpdateTimes | None = None

    def _catalogue(self) -> None:
        from tests.fixtures.accounts import create_account
        from vmwall.model import Camera, Commune, Forfait
        from vmwall.model.user import Role
        from vmwall.store import CameraRepository, CommuneRepository, open_database

        with open_database(self.db_url) as db:
            commune = CommuneRepository(db).add(Commune("Bench", "59350", Forfait.LIVE_24_7))
            assert commune.id is not None
            CameraRepository(db).add_many(Camera(n, f"Caméra {n}", commune.id) for n in range(1, 5))
            create_account(db, "chef", Role.CHEF_DE_SALLE)

    def start_controller(self) -> float:
        """Start the controller; returns the seconds from spawn to ready."""
        started = time.monotonic()
        self.controller = subprocess.Popen(
            [sys.executable, "-m", "vmwall", "--db", self.db_url, "wall-controller"],
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            cwd=REPO,
        )
        self.controller_lines = Lines(self.controller)
        if self.controller_lines.wait(lambda e: e.get("event") == "ready", 60) is None:
            raise SystemExit("the wall controller did not start")
        return time.monotonic() - started

    def stop_controller(self) -> None:
        if self.controller is not None and self.controller.poll() is None:
            self.controller.send_signal(signal.SIGTERM)
            self.controller.wait(20)

    def start_node(self, name: str) -> float:
        """Start a headless node; returns its spawn time (monotonic)."""
        spawned = time.monotonic()
        proc = subprocess.Popen(
            [sys.executable, "-m", "vmwall.wall.null_node", "--name", name, "--report-delay", "0.1"],
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            cwd=REPO,
        )
        self.nodes[name] = (proc, Lines(proc))
        return spawned

    def connect(self) -> None:
        from vmwall.wall.client import WallClient
        from vmwall.wall.config import WallConfig

        config = WallConfig.from_env(self.env)
        self.client = WallClient(config, user="chef", name="bench")
        self.client.start()
        if not self.client.wait_synced(20):
            raise SystemExit("the console client got no snapshot")

    def watch_updates(self) -> None:
        from vmwall.wall.config import WallConfig

        self.updates = UpdateTimes(WallConfig.from_env(self.env))

    def wait_screens(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while len(self.client.snapshot().geometry) < len(self.names):
            if time.monotonic() > deadline:
                raise SystemExit(f"only {len(self.client.snapshot().geometry)} node(s) registered")
            time.sleep(0.05)

    def wait_all(self, camera: int, timeout: float) -> dict[str, dict[str, Any]]:
        """Each node's show event (``t`` monotonic, ``wall`` epoch s) of ``camera`` on its screen."""
        events: dict[str, dict[str, Any]] = {}
        deadline = time.monotonic() + timeout
        for name in self.names:
            lines = self.nodes[name][1]
            event = lines.wait(
                lambda e: e.get("event") == "show" and e.get("cameras") == [camera],
                max(0.0, deadline - time.monotonic()),
            )
            if event is not None:
                events[name] = event
        return events

    def close(self) -> None:
        if self.client is not None:
            self.client.close()
        if self.updates is not None:
            self.updates.close()
        for proc, _ in self.nodes.values():
            if proc.poll() is None:
                proc.kill()
                proc.wait(10)
        self.stop_controller()
        shutil.rmtree(self.dir, ignore_errors=True)


def measure_presets(wall: Wall, changes: int) -> dict[str, Any]:
    """`apply-preset` → every node's show(), alternating two presets (a camera change on every screen).

    ``slowest_node``/``all_nodes``: from the console's call (rights read from the database, the push
    fsync'ed to the push log, published, received, applied). ``fanout_*``: from the controller's
    publication to each node's show(), the part comparable with the raw pub/sub reference.
    """
    for camera, preset in ((1, "A"), (2, "B")):
        for name in wall.names:
            wall.client.command("show-camera", screen=f"{name}:0", tile=0, camera=camera)
        wall.client.command("save-preset", name=preset)
    wall.wait_all(2, 10)
    slowest: list[float] = []
    every: list[float] = []
    fanout_slowest: list[float] = []
    fanout_every: list[float] = []
    round_trips: list[float] = []
    missed = 0
    for i in range(changes):
        camera, preset = (1, "A") if i % 2 == 0 else (2, "B")
        start = time.monotonic()
        result = wall.client.command("apply-preset", name=preset)
        round_trips.append(time.monotonic() - start)
        events = wall.wait_all(camera, 5.0)
        missed += len(wall.names) - len(events)
        if not events:
            continue
        shown = [float(e["t"]) - start for e in events.values()]
        slowest.append(max(shown))
        every.extend(shown)
        published = wall.updates.at.get(result.sequence) if wall.updates else None
        if published is not None:
            after = [float(e["wall"]) - published for e in events.values()]
            fanout_slowest.append(max(after))
            fanout_every.extend(after)
        time.sleep(0.05)
    return {
        "nodes": len(wall.names),
        "changes": changes,
        "slowest_node": summary_ms(slowest),
        "all_nodes": summary_ms(every),
        "fanout_slowest_node": summary_ms(fanout_slowest),
        "fanout_all_nodes": summary_ms(fanout_every),
        "command_round_trip": summary_ms(round_trips),
        "missed": missed,
        "goal": "slowest node p99 <= 10 ms",
    }


def measure_node_restart(wall: Wall, runs: int) -> dict[str, Any]:
    """kill -9 a node, start it again: spawn → the current state shown."""
    name = wall.names[0]
    current = wall.client.snapshot().content(_ref(name))
    want = list(current.cameras) if current else [None]
    figures = []
    for _ in range(runs):
        proc, _lines = wall.nodes[name]
        proc.kill()
        proc.wait(10)
        spawned = wall.start_node(name)
        event = wall.nodes[name][1].wait(lambda e: e.get("event") == "show" and e.get("cameras") == want, 20)
        if event is not None:
            figures.append(float(event["t"]) - spawned)
        time.sleep(0.3)
    return {**summary_ms(figures), "goal": "<= 2000 ms after the process starts"}


def measure_offline(wall: Wall, runs: int) -> dict[str, Any]:
    """A node killed → the console's mirror shows it offline."""
    name = wall.names[-1]
    figures = []
    for _ in range(runs):
        while not (wall.client.snapshot().node(name) or _Offline()).online:
            time.sleep(0.02)
        proc, _ = wall.nodes[name]
        killed = time.monotonic()
        proc.kill()
        proc.wait(10)
        while (wall.client.snapshot().node(name) or _Offline()).online:
            time.sleep(0.005)
            if time.monotonic() - killed > 10:
                break
        figures.append(time.monotonic() - killed)
        wall.start_node(name)
        wall.nodes[name][1].wait(lambda e: e.get("event") == "show", 20)
    return {**summary_ms(figures), "goal": "<= 3000 ms"}


class _Offline:
    online = False


def _ref(name: str) -> Any:
    from vmwall.model.wall import ScreenRef

    return ScreenRef(name, 0)


def measure_controller_restart(wall: Wall) -> dict[str, Any]:
    """Controller stopped and started again: spawn → every node and the console on the new epoch."""
    wall.stop_controller()
    shows_before = {name: lines.queue.qsize() for name, (_, lines) in wall.nodes.items()}
    spawned = time.monotonic()
    ready_s = wall.start_controller()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        snapshot = wall.client.snapshot()
        nodes = [n for n in snapshot.nodes if n.online and n.applied_sequence >= snapshot.sequence]
        if wall.client.synced and len(nodes) == len(wall.names):
            break
        time.sleep(0.01)
    resynced_s = time.monotonic() - spawned
    reshown = sum(lines.queue.qsize() - shows_before[name] for name, (_, lines) in wall.nodes.items())
    return {
        "spawn_to_ready_ms": round(ready_s * 1000, 1),
        "spawn_to_all_resynced_ms": round(resynced_s * 1000, 1),
        "screens_shown_again": reshown,
        "note": "nodes keep showing while the controller is away (fail-static); a resync shows nothing again "
        "when the content did not change",
    }


def first_frame_on_real_node() -> dict[str, Any]:
    """First frame on a real node's tiles after a preset change: measured by bench/wall_node.py
    (Qt windows, libVLC, the stream hub), which owns that figure."""
    return {"see": "bench/wall_node.py"}


# --- the reference: raw pyzmq fan-out ----------------------------------------------------------------

_SUBSCRIBER = r"""
import sys, time, zmq
endpoint, server, public, secret, count = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
ctx = zmq.Context()
sub = ctx.socket(zmq.SUB)
if server != "-":
    sub.curve_serverkey, sub.curve_publickey = server.encode(), public.encode()
    sub.curve_secretkey = secret.encode()
sub.setsockopt(zmq.SUBSCRIBE, b"")
sub.connect(endpoint)
print("ready", flush=True)
times = []
while len(times) < count:
    if not sub.poll(15000):
        break
    message = sub.recv()
    if message[:1] == b"m":
        times.append(f"{int(message[1:9])} {time.monotonic()!r}")
print(" ".join(times), flush=True)
"""


def measure_raw(subscribers: int, messages: int, curve: bool) -> dict[str, Any]:
    import zmq

    ctx = zmq.Context()
    pub = ctx.socket(zmq.PUB)
    server_public, server_secret = zmq.curve_keypair()
    args = ["-", "-", "-"]
    if curve:
        pub.curve_server = True
        pub.curve_publickey, pub.curve_secretkey = server_public, server_secret
        client_public, client_secret = zmq.curve_keypair()
        args = [server_public.decode(), client_public.decode(), client_secret.decode()]
    port = pub.bind_to_random_port("tcp://127.0.0.1")
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _SUBSCRIBER, f"tcp://127.0.0.1:{port}", *args, str(messages)],
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(subscribers)
    ]
    for proc in procs:
        assert proc.stdout is not None
        proc.stdout.readline()
    time.sleep(1.0)  # subscriptions arrive
    for _ in range(20):
        pub.send(b"w" + b"x" * 100)  # warm-up
        time.sleep(0.01)
    sent: list[float] = []
    for i in range(messages):
        sent.append(time.monotonic())
        pub.send(b"m" + f"{i:08d}".encode() + os.urandom(MESSAGE_BYTES - 9))
        time.sleep(0.05)
    received: dict[int, list[float]] = {}
    for proc in procs:
        out, _ = proc.communicate(timeout=60)
        tokens = out.split()
        for index, at in zip(tokens[0::2], tokens[1::2], strict=True):
            received.setdefault(int(index), []).append(float(at))
    pub.close(0)
    ctx.term()
    slowest = [max(times) - sent[i] for i, times in received.items() if len(times) == subscribers]
    every = [t - sent[i] for i, times in received.items() for t in times]
    return {
        "subscribers": subscribers,
        "messages": messages,
        "curve": curve,
        "slowest_subscriber": summary_ms(slowest),
        "all_subscribers": summary_ms(every),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--nodes", type=int, default=24)
    parser.add_argument("--changes", type=int, default=100)
    parser.add_argument("--restarts", type=int, default=10)
    args = parser.parse_args()

    result: dict[str, Any] = {
        "load_average_before": [round(v, 2) for v in os.getloadavg()],
        "cpus": os.cpu_count(),
    }
    result["reference_raw_pubsub"] = measure_raw(args.nodes, args.changes, curve=False)
    result["reference_raw_pubsub_curve"] = measure_raw(args.nodes, args.changes, curve=True)
    wall = Wall(args.nodes)
    try:
        wall.start_controller()
        for name in wall.names:
            wall.start_node(name)
        wall.connect()
        wall.watch_updates()
        wall.wait_screens()
        result["preset_change"] = measure_presets(wall, args.changes)
        raw = result["reference_raw_pubsub_curve"]["slowest_subscriber"]
        for figure in ("slowest_node", "fanout_slowest_node"):
            ours = result["preset_change"][figure]
            result[f"ratio_{figure}_to_raw_curve"] = {
                q: round(ours[q] / raw[q], 2) if raw[q] and ours[q] else None for q in ("p50_ms", "p99_ms")
            }
        result["node_kill9_restart"] = measure_node_restart(wall, args.restarts)
        result["node_dead_to_console_offline"] = measure_offline(wall, min(5, args.restarts))
        result["controller_restart"] = measure_controller_restart(wall)
        result["first_frame_on_real_node"] = first_frame_on_real_node()
    finally:
        wall.close()
    result["load_average_after"] = [round(v, 2) for v in os.getloadavg()]
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
