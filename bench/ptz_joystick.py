"""Benchmark: SDL virtual-joystick axis change → ContinuousMove received at the simulated camera.

Issue 6 goal: p95 ≤ 50 ms over ≥ 200 events on loopback, and never more ContinuousMove requests
per second than the configured maximum. Prints JSON.

The chain is the product's: an SDL virtual joystick (``SDL_JoystickAttachVirtualEx``) read by
`JoystickReader`, shaped by the built-in CCTV-keyboard profile, turned into
``service.velocity()`` by `JoystickControl`; `OnvifPtzService` (pilot, control lock,
onvif-zeep-async) sends SOAP over HTTP to a simulated ONVIF camera. The camera runs in a child
process (a camera is not in the console's process, and the two must not share a GIL) whose PTZ
head prints the `time.monotonic()` (one clock for the whole machine) of each ContinuousMove and
Stop it handles.

Phases:
- ``paced``: stick changes spaced 1.5 / max_rate apart (the rate slot is open, so the figure is the
  pipeline's latency): cycles of a deflection from the centre ("start": takes the control lock),
  changes of deflection ("change") and a release to the centre ("release" → Stop);
- ``reference``: the same pattern through ``service.velocity()`` directly (no SDL, no reader): the
  difference is the joystick front's own cost;
- ``rest``: deflections after the reader has rested (> 2 s untouched: slower polling);
- ``sweep``: the stick swept at 250 changes/s: requests per second at the camera (the rate limit)
  and the latency of the last value (latest wins).
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import random
import secrets
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from vmwall.ptz.api import PtzSettings
from vmwall.ptz.joystick import AXIS_MAX, JoystickAttached, JoystickEvent, JoystickReader, VirtualJoystick
from vmwall.ptz.joystick_control import JoystickControl
from vmwall.ptz.joystick_mapping import AxisMapping, builtin_profiles, combine
from vmwall.ptz.lock import MemoryLockStore
from vmwall.ptz.service import OnvifPtzService, make_operator
from vmwall.ptz.targets import PtzTarget
from vmwall.sim.onvif_device import SimOnvifFarm
from vmwall.sim.spec import SimCameraSpec

GOAL_P95_MS = 50.0
GOAL_EVENTS = 200
WAIT_S = 5.0
KEYBOARD = "Bench CCTV Keyboard"  # gets the built-in cctv-keyboard profile
USER = "operateur"
NAME = "Banc d'essai"


# --- the camera, in its own process -------------------------------------------------------------------


def device_child() -> None:
    """Password on stdin; prints ``PORT n``, then ``<time> move <pan>`` / ``<time> stop -`` per
    request; ends when stdin closes."""
    password = sys.stdin.readline().strip()
    farm = SimOnvifFarm(
        [SimCameraSpec(1, NAME, USER, password, "127.0.0.1", 0, 8554, ptz=True)], motion_interval_s=None
    )
    farm.start()
    head = farm.ptz(1)
    move, stop = head.continuous_move, head.stop
    out = threading.Lock()

    def report(kind: str, pan: object) -> None:
        line = f"{time.monotonic():.6f} {kind} {'-' if pan is None else pan}\n"
        with out:
            sys.stdout.write(line)
            sys.stdout.flush()

    def continuous_move(pan: Any, tilt: Any, zoom: Any, timeout_s: Any) -> None:
        report("move", pan)
        move(pan, tilt, zoom, timeout_s)

    def halt(pan_tilt: bool = True, zoom: bool = True) -> None:
        report("stop", None)
        stop(pan_tilt=pan_tilt, zoom=zoom)

    head.continuous_move = continuous_move  # type: ignore[method-assign]
    head.stop = halt  # type: ignore[method-assign]
    with out:
        print(f"PORT {farm.specs[0].onvif_port}", flush=True)
    try:
        sys.stdin.read()
    finally:
        farm.close()


@dataclass(frozen=True)
class Arrival:
    at: float
    kind: str  # "move" | "stop"
    pan: float | None


class Camera:
    """The child process and the requests it reports."""

    def __init__(self, password: str) -> None:
        self.arrivals: list[Arrival] = []
        self._changed = threading.Condition()
        self._child = subprocess.Popen(
            [sys.executable, __file__, "--device-child"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            bufsize=1,
        )
        assert self._child.stdin is not None and self._child.stdout is not None
        self._child.stdin.write(password + "\n")  # never on the command line
        self._child.stdin.flush()
        first = self._child.stdout.readline().split()
        if first[:1] != ["PORT"]:
            self.close()
            raise SystemExit("the simulated camera did not start")
        self.port = int(first[1])
        self._thread = threading.Thread(target=self._read, name="bench-camera", daemon=True)
        self._thread.start()

    def _read(self) -> None:
        assert self._child.stdout is not None
        for line in self._child.stdout:
            at, kind, pan = line.split()
            with self._changed:
                self.arrivals.append(Arrival(float(at), kind, None if pan == "-" else float(pan)))
                self._changed.notify_all()

    def close(self) -> None:
        assert self._child.stdin is not None
        self._child.stdin.close()
        try:
            self._child.wait(10)
        except subprocess.TimeoutExpired:
            self._child.kill()
            self._child.wait()

    def wait(self, since: float, kind: str, pan: float | None) -> float | None:
        """Seconds from ``since`` to the first request of ``kind`` (with this pan) after it."""
        deadline = time.monotonic() + WAIT_S
        with self._changed:
            while True:
                for arrival in self.arrivals:
                    if arrival.at >= since and arrival.kind == kind and _same(arrival.pan, pan):
                        return arrival.at - since
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self._changed.wait(left)

    def moves_between(self, start: float, end: float) -> list[float]:
        with self._changed:
            return [a.at for a in self.arrivals if a.kind == "move" and start <= a.at <= end]


def _same(a: float | None, b: float | None) -> bool:
    return a is None if b is None else a is not None and abs(a - b) < 2e-3


# --- figures ------------------------------------------------------------------------------------------


def percentiles(latencies_s: Sequence[float]) -> dict[str, float | int]:
    if not latencies_s:
        return {"count": 0}
    ms = sorted(x * 1000 for x in latencies_s)

    def at(q: float) -> float:
        return round(ms[min(len(ms) - 1, math.ceil(q * len(ms)) - 1)], 2)

    return {
        "count": len(ms),
        "p50": at(0.50),
        "p95": at(0.95),
        "p99": at(0.99),
        "max": round(ms[-1], 2),
        "mean": round(statistics.fmean(ms), 2),
    }


def sdl_value(raw: float) -> float:
    """What the reader sees after the virtual device's 16-bit quantisation."""
    return max(-1.0, round(raw * AXIS_MAX) / AXIS_MAX)


def deflections(rng: random.Random, count: int, mapping: AxisMapping) -> list[tuple[float, float]]:
    """``count`` (raw, speed) deflections, each speed > 0.02 from the previous one."""
    values: list[tuple[float, float]] = []
    last = 0.0
    while len(values) < count:
        raw = rng.choice((-1, 1)) * rng.uniform(0.35, 1.0)
        speed = mapping.speed(sdl_value(raw))
        if abs(speed - last) > 0.02:
            values.append((raw, speed))
            last = speed
    return values


# --- phases -------------------------------------------------------------------------------------------


def paced(
    moves: int,
    spacing_s: float,
    set_pan: Callable[[float], None],
    camera: Camera,
    mapping: AxisMapping,
    rng: random.Random,
) -> dict[str, list[float]]:
    """Cycles of a start, 2–4 changes and a release until ``moves`` moves were made; latencies by
    kind ("missing": changes whose request never came)."""
    found: dict[str, list[float]] = {"start": [], "change": [], "release": [], "missing": []}
    done = 0
    while done < moves:
        steps = deflections(rng, rng.randint(3, 5), mapping)
        for index, (raw, speed) in enumerate([*steps, (0.0, 0.0)]):
            kind = "release" if raw == 0.0 else "start" if index == 0 else "change"
            time.sleep(spacing_s * rng.uniform(0.9, 1.1))
            since = time.monotonic()
            set_pan(raw)
            if kind == "release":
                latency = camera.wait(since, "stop", None)
            else:
                latency = camera.wait(since, "move", speed)
                done += 1
            found[kind if latency is not None else "missing"].append(
                latency if latency is not None else since
            )
    return found


def after_rest(
    events: int, stick: VirtualJoystick, camera: Camera, mapping: AxisMapping, rng: random.Random
) -> list[float]:
    latencies = []
    for raw, speed in deflections(rng, events, mapping):
        time.sleep(2.5)  # the reader slows to its resting poll after 2 s untouched
        since = time.monotonic()
        stick.set_axis(0, raw)
        latency = camera.wait(since, "move", speed)
        if latency is not None:
            latencies.append(latency)
        since = time.monotonic()
        stick.set_axis(0, 0.0)
        camera.wait(since, "stop", None)
    return latencies


def sweep(
    seconds: float, stick: VirtualJoystick, camera: Camera, mapping: AxisMapping, max_rate: float
) -> dict[str, Any]:
    changes = 0
    start = time.monotonic()
    while (now := time.monotonic()) - start < seconds:
        stick.set_axis(0, 0.2 + 0.75 * (0.5 + 0.5 * math.sin(2 * math.pi * 0.7 * (now - start))))
        changes += 1
        time.sleep(0.004)
    final_raw = 0.5
    since = time.monotonic()
    stick.set_axis(0, final_raw)
    last_latency = camera.wait(since, "move", mapping.speed(sdl_value(final_raw)))
    end = time.monotonic()
    moves = camera.moves_between(start, end)
    gaps = sorted(b - a for a, b in itertools.pairwise(moves))
    densest = max((sum(1 for t in moves if t0 <= t < t0 + 1.0) for t0 in moves), default=0)
    since = time.monotonic()
    stick.set_axis(0, 0.0)
    camera.wait(since, "stop", None)
    return {
        "seconds": round(end - start, 2),
        "stick_changes": changes,
        "requests": len(moves),
        "mean_rate_per_s": round((len(moves) - 1) / (moves[-1] - moves[0]), 2) if len(moves) > 1 else None,
        "max_requests_in_any_1s": densest,
        "min_interval_ms": round(gaps[0] * 1000, 2) if gaps else None,
        "median_interval_ms": round(statistics.median(gaps) * 1000, 2) if gaps else None,
        "last_value_latency_ms": round(last_latency * 1000, 2) if last_latency is not None else None,
        "rate_respected": densest <= max_rate,
    }


# --- main ---------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=250, help="paced stick moves (plus releases)")
    parser.add_argument("--reference-events", type=int, default=100)
    parser.add_argument("--rest-events", type=int, default=8)
    parser.add_argument("--sweep-s", type=float, default=5.0)
    parser.add_argument("--max-rate", type=float, default=PtzSettings().max_rate)
    parser.add_argument("--seed", type=int, default=6)
    args = parser.parse_args()
    rng = random.Random(args.seed)

    password = secrets.token_urlsafe(12)
    camera = Camera(password)
    settings = PtzSettings(max_rate=args.max_rate)
    service = OnvifPtzService(
        make_operator("banc", NAME, "operateur", settings, console="bench"),
        lambda n: PtzTarget(n, NAME, True, "127.0.0.1", camera.port, USER, password),
        MemoryLockStore(),
        settings,
    )
    profiles = combine((), builtin_profiles())
    mapping = profiles.by_id("cctv-keyboard").pan
    assert mapping is not None
    attached = threading.Event()
    control = JoystickControl(service, lambda: 1)

    def listener(event: JoystickEvent) -> None:
        control(event)
        if isinstance(event, JoystickAttached):
            attached.set()

    reader = JoystickReader(profiles, listener)
    stick = VirtualJoystick(KEYBOARD, buttons=16)
    spacing = 1.5 / args.max_rate
    try:
        service.start()
        service.capabilities(1).result(timeout=10)  # connect once, as the console does at call-up
        reader.start()
        stick.attach()
        if not attached.wait(WAIT_S):
            raise SystemExit("the virtual joystick was not attached")

        cpu0, wall0 = time.process_time(), time.monotonic()
        joystick = paced(args.events, spacing, lambda raw: stick.set_axis(0, raw), camera, mapping, rng)
        cpu_paced = 100 * (time.process_time() - cpu0) / (time.monotonic() - wall0)

        def direct(raw: float) -> None:
            service.velocity(1, mapping.speed(sdl_value(raw)), 0.0, 0.0)

        reference = paced(args.reference_events, spacing, direct, camera, mapping, rng)
        rest = after_rest(args.rest_events, stick, camera, mapping, rng)
        time.sleep(1.0)
        swept = sweep(args.sweep_s, stick, camera, mapping, args.max_rate)
        time.sleep(2.5)
        cpu1, wall1 = time.process_time(), time.monotonic()
        time.sleep(4.0)  # stick attached, untouched: the console process at rest
        cpu_rest = 100 * (time.process_time() - cpu1) / (time.monotonic() - wall1)
    finally:
        stick.detach()
        reader.close()
        service.close()
        camera.close()

    overall = percentiles(joystick["start"] + joystick["change"])
    result = {
        "benchmark": "ptz_joystick",
        "max_rate": args.max_rate,
        "spacing_ms": round(spacing * 1000, 1),
        "joystick_to_continuous_move_ms": overall,
        "by_kind_ms": {
            "start_from_still": percentiles(joystick["start"]),
            "change": percentiles(joystick["change"]),
            "release_to_stop": percentiles(joystick["release"]),
            "after_rest": percentiles(rest),
        },
        "missing": len(joystick["missing"]),
        "reference_service_velocity_ms": {
            "continuous_move": percentiles(reference["start"] + reference["change"]),
            "stop": percentiles(reference["release"]),
            "missing": len(reference["missing"]),
        },
        "sweep": swept,
        "console_process_cpu_percent": {"paced": round(cpu_paced, 1), "stick_at_rest": round(cpu_rest, 1)},
        "goal": {"p95_ms": GOAL_P95_MS, "events_min": GOAL_EVENTS},
        "goal_met": bool(
            overall.get("p95", math.inf) <= GOAL_P95_MS
            and int(overall.get("count", 0)) >= GOAL_EVENTS
            and not joystick["missing"]
            and swept["rate_respected"]
        ),
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    if sys.argv[1:] == ["--device-child"]:
        device_child()
    else:
        main()
