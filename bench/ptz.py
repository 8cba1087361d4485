"""Benchmark of PTZ control (issue 6): stick update → ContinuousMove received at the camera. Prints JSON.

The simulated ONVIF camera runs in a child process (a camera is not in the console's process, and
they must not share a GIL); its PTZ head reports the `time.monotonic()` (one clock for the whole
machine) at which each request reached it. The console side is the product's: `OnvifPtzService`
(pilot, control lock, onvif-zeep-async on its loop thread).

reference: the bare SOAP round trip with the library (`OnvifPtzDevice.continuous_move`), and its
           one-way part (call → request at the camera), same camera, same run;
paced:     stick updates spaced 1.5 / max_rate apart (the rate slot is open, so the figure is the
           pipeline's latency): cycles of a deflection from the centre, changes, a release (Stop);
flood:     a 100 Hz stick for a few seconds: ContinuousMove requests per second at the camera (the
           most in any 1 s window, the shortest gap), and the delay of the last value (latest wins).

`measure_events(source, ...)` takes any event source (a callable that drives ``velocity`` and
returns what it sent when): `paced_source` here, an SDL virtual joystick in bench/ptz_joystick.py.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from vmwall.onvif.ptz import OnvifPtzDevice
from vmwall.ptz.api import LockStore, PtzSettings
from vmwall.ptz.lock import MemoryLockStore
from vmwall.ptz.service import OnvifPtzService, make_operator
from vmwall.ptz.targets import PtzTarget
from vmwall.store import Database

GOAL_P95_MS = 50.0
USER = "operateur"
NAME = "Banc PTZ"
Velocity = tuple[float, float, float]


# --- the camera, in its own process -----------------------------------------------------------------


def device_child() -> None:
    """Password on stdin; prints ``PORT n``, then ``<monotonic> <operation> <pan>`` per PTZ request."""
    from vmwall.sim.onvif_device import SimOnvifFarm
    from vmwall.sim.ptz_state import ReceivedCommand
    from vmwall.sim.spec import SimCameraSpec

    password = sys.stdin.readline().strip()
    farm = SimOnvifFarm(
        [SimCameraSpec(1, NAME, USER, password, "127.0.0.1", 0, 8554)], motion_interval_s=None
    )
    farm.start()
    lock = threading.Lock()

    def report(command: ReceivedCommand) -> None:
        pan = command.args[0] if command.args else "-"
        with lock:
            sys.stdout.write(f"{command.at:.6f} {command.operation} {pan}\n")
            sys.stdout.flush()

    farm.ptz(1).observe(report)
    print(f"PORT {farm.specs[0].onvif_port}", flush=True)
    try:
        sys.stdin.read()  # until the parent closes our stdin
    finally:
        farm.close()


@dataclass(frozen=True, slots=True)
class Received:
    at: float
    operation: str
    pan: float | None


class Camera:
    """The child process and what its head received."""

    def __init__(self) -> None:
        self.password = secrets.token_urlsafe(12)
        self.process = subprocess.Popen(
            [sys.executable, __file__, "--device-child"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(self.password + "\n")
        self.process.stdin.flush()
        first = self.process.stdout.readline().split()
        if len(first) != 2 or first[0] != "PORT":
            raise RuntimeError(f"the camera process did not start: {first}")
        self.port = int(first[1])
        self._lock = threading.Lock()
        self._received: list[Received] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            at, operation, pan = line.split()
            with self._lock:
                self._received.append(Received(float(at), operation, None if pan == "-" else float(pan)))

    def received(self, operation: str | None = None, since: float = 0.0) -> list[Received]:
        with self._lock:
            return [
                r for r in self._received if r.at >= since and (operation is None or r.operation == operation)
            ]

    def target(self, number: int) -> PtzTarget:
        return PtzTarget(number, NAME, True, "127.0.0.1", self.port, USER, self.password, "main")

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=15)


# --- figures ----------------------------------------------------------------------------------------


def summary_ms(values: list[float]) -> dict[str, Any]:
    if not values:
        return {"n": 0}
    ordered = sorted(values)

    def pct(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))] * 1000, 2)

    return {
        "n": len(values),
        "p50_ms": pct(50),
        "p95_ms": pct(95),
        "max_ms": round(ordered[-1] * 1000, 2),
        "mean_ms": round(statistics.fmean(values) * 1000, 2),
    }


def max_per_second(times: list[float]) -> int:
    """The most requests in any 1 s window."""
    best, start = 0, 0
    for end, at in enumerate(times):
        while at - times[start] >= 1.0:
            start += 1
        best = max(best, end - start + 1)
    return best


# --- reference: the library alone -------------------------------------------------------------------


def reference(camera: Camera, count: int) -> dict[str, Any]:
    async def run() -> tuple[list[float], list[float]]:
        device = OnvifPtzDevice("127.0.0.1", camera.port, USER, camera.password, profile_token="main")
        round_trips, one_way = [], []
        try:
            await device.open()
            for i in range(count + 10):
                pan = round(0.2 + (i % 500) / 1000 + 0.0001, 4)
                started = time.monotonic()
                await device.continuous_move(pan, 0.0, 0.0, 1.0)
                done = time.monotonic()
                if i >= 10:  # warm-up
                    round_trips.append(done - started)
                    one_way.append(started)
                    one_way.append(pan)
            await device.stop()
        finally:
            await device.close()
        return round_trips, one_way

    since = time.monotonic()
    round_trips, pairs = asyncio.run(run())
    time.sleep(0.2)
    arrivals = {r.pan: r.at for r in camera.received("ContinuousMove", since)}
    one_way = [arrivals[pan] - at for at, pan in zip(pairs[::2], pairs[1::2], strict=True) if pan in arrivals]
    return {"soap_round_trip": summary_ms(round_trips), "call_to_camera": summary_ms(one_way)}


# --- the service ------------------------------------------------------------------------------------

Send = Callable[[float, float, float], None]
EventSource = Callable[[Send], list[tuple[float, Velocity]]]  # drives ``send``; returns (time, value) sent


def paced_source(count: int, interval_s: float) -> EventSource:
    """Cycles of: deflect from the centre, three changes, release. Every value is distinct."""

    def source(send: Send) -> list[tuple[float, Velocity]]:
        sent: list[tuple[float, Velocity]] = []
        for i in range(count):
            phase = i % 5
            value: Velocity = (
                (0.0, 0.0, 0.0) if phase == 4 else (round(0.1 + (i % 400) / 1000 + 0.0001, 4), 0.0, 0.0)
            )
            at = time.monotonic()
            send(*value)
            sent.append((at, value))
            time.sleep(interval_s)
        return sent

    return source


def measure_events(
    service: OnvifPtzService, camera: Camera, number: int, source: EventSource
) -> dict[str, Any]:
    """Latency of each event to the request that carries it (ContinuousMove with its value, or the
    Stop after a release), and the request rate the camera saw."""
    since = time.monotonic()
    sent = source(lambda pan, tilt, zoom: service.velocity(number, pan, tilt, zoom))
    time.sleep(0.5)
    moves = camera.received("ContinuousMove", since)
    stops = camera.received("Stop", since)
    move_latency: list[float] = []
    stop_latency: list[float] = []
    lost = 0
    for at, value in sent:
        if value == (0.0, 0.0, 0.0):
            arrival = next((s.at for s in stops if s.at >= at), None)
            bucket = stop_latency
        else:
            arrival = next((m.at for m in moves if m.at >= at and m.pan == value[0]), None)
            bucket = move_latency
        if arrival is None:
            lost += 1
        else:
            bucket.append(arrival - at)
    times = [m.at for m in moves]
    gaps = [b - a for a, b in itertools.pairwise(times)]
    return {
        "events": len(sent),
        "move_to_continuous_move": summary_ms(move_latency),
        "release_to_stop": summary_ms(stop_latency),
        "all": summary_ms(move_latency + stop_latency),
        "events_without_their_request": lost,
        "continuous_moves": len(times),
        "max_per_1s_window": max_per_second(times),
        "min_gap_ms": round(min(gaps) * 1000, 2) if gaps else None,
    }


def flood(service: OnvifPtzService, camera: Camera, number: int, seconds: float, hz: float) -> dict[str, Any]:
    since = time.monotonic()
    end = since + seconds
    i, last = 0, (0.0, 0.0, 0.0)
    while time.monotonic() < end:
        i += 1
        last = (round(0.1 + (i % 500) / 1000 + 0.0001, 4), 0.0, 0.0)
        service.velocity(number, *last)
        time.sleep(1 / hz)
    stopped_changing = time.monotonic()
    time.sleep(0.5)
    moves = camera.received("ContinuousMove", since)
    last_arrival = next((m.at for m in moves if m.pan == last[0] and m.at >= stopped_changing - 1), None)
    service.velocity(number, 0.0, 0.0, 0.0)
    time.sleep(0.3)
    times = [m.at for m in moves]
    gaps = [b - a for a, b in itertools.pairwise(times)]
    return {
        "stick_updates": i,
        "stick_hz": hz,
        "continuous_moves": len(times),
        "requests_per_s": round((len(times) - 1) / (times[-1] - times[0]), 2) if len(times) > 1 else None,
        "max_per_1s_window": max_per_second(times),
        "min_gap_ms": round(min(gaps) * 1000, 2) if gaps else None,
        "last_value_delay_ms": None
        if last_arrival is None
        else round((last_arrival - stopped_changing) * 1000, 2),
    }


def lock_store(kind: str) -> tuple[LockStore, Database | None]:
    """The control lock's store: a fresh SQLite database with the bench camera in its catalogue."""
    if kind == "memory":
        return MemoryLockStore(), None
    from vmwall.model import Camera as CatalogueCamera
    from vmwall.model import Commune, Forfait
    from vmwall.store import CameraRepository, CommuneRepository, PtzLockRepository, open_database

    directory = Path(tempfile.mkdtemp(prefix="vmwall-bench-ptz-"))
    database = open_database(f"sqlite:///{directory / 'bench.sqlite3'}")
    commune = CommuneRepository(database).add(Commune("Banc", "99998", Forfait.LIVE_24_7))
    assert commune.id is not None
    CameraRepository(database).add(CatalogueCamera(number=1, name=NAME, commune_id=commune.id, ptz=True))
    return PtzLockRepository(database), database


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--device-child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--events", type=int, default=250, help="paced events (default 250)")
    parser.add_argument("--max-rate", type=float, default=10.0, help="ContinuousMove per second (default 10)")
    parser.add_argument("--flood-seconds", type=float, default=5.0)
    parser.add_argument(
        "--store",
        choices=("sqlite", "memory"),
        default="sqlite",
        help="where the control lock lives: a SQLite database as in the product (default), or memory",
    )
    args = parser.parse_args()
    if args.device_child:
        device_child()
        return
    camera = Camera()
    try:
        result: dict[str, Any] = {"reference": reference(camera, args.events)}
        settings = PtzSettings(max_rate=args.max_rate)
        operator = make_operator("bench", "Banc d'essai", "operateur", settings, console="bench")
        store, database = lock_store(args.store)
        service = OnvifPtzService(operator, camera.target, store, settings)
        service.start()
        try:
            service.capabilities(1).result(timeout=10)
            interval = 1.5 / args.max_rate
            paced = measure_events(service, camera, 1, paced_source(args.events, interval))
            paced["interval_ms"] = round(interval * 1000, 1)
            result["paced"] = paced
            result["flood"] = flood(service, camera, 1, args.flood_seconds, 100.0)
        finally:
            service.close()
            if database is not None:
                database.close()
        result["max_rate"] = args.max_rate
        result["lock_store"] = args.store
        result["goal"] = {
            "p95_ms": GOAL_P95_MS,
            "paced_p95_met": (paced["all"].get("p95_ms") or 1e9) <= GOAL_P95_MS,
            "events_at_least_200": paced["events"] >= 200,
            "rate_never_above_max": max(paced["max_per_1s_window"], result["flood"]["max_per_1s_window"])
            <= args.max_rate,
        }
        print(json.dumps(result, indent=2))
    finally:
        camera.close()


if __name__ == "__main__":
    main()
