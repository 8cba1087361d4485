"""The pilot: latest value wins, rate limit, immediate Stop, refresh, Stop retried after a failure."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import pytest

from vmwall.ptz.pilot import ZERO, Pilot, PilotConfig, Velocity, clean_velocity


@dataclass
class FakeSink:
    """Records what the pilot sends; ``delay`` simulates the round trip; ``broken`` makes calls fail."""

    delay: float = 0.002
    broken: bool = False
    gate_error: Exception | None = None
    check_error: Exception | None = None
    checks: int = 0
    sent: list[tuple[float, str, Velocity | None]] = field(default_factory=list)
    events: list[tuple[str, int]] = field(default_factory=list)
    errors: list[BaseException] = field(default_factory=list)
    gates: int = 0

    async def gate(self, camera: int) -> None:
        self.gates += 1
        if self.gate_error is not None:
            raise self.gate_error

    async def check(self, camera: int) -> None:
        self.checks += 1
        if self.check_error is not None:
            raise self.check_error

    async def move(self, camera: int, velocity: Velocity, timeout_s: float) -> None:
        self.sent.append((time.monotonic(), "move", velocity))
        await asyncio.sleep(self.delay)
        if self.broken:
            raise TimeoutError("no answer")

    async def stop(self, camera: int) -> None:
        self.sent.append((time.monotonic(), "stop", None))
        await asyncio.sleep(self.delay)
        if self.broken:
            raise TimeoutError("no answer")

    def moved(self, camera: int, velocity: Velocity) -> None:
        self.events.append(("moved", camera))

    def halted(self, camera: int) -> None:
        self.events.append(("halted", camera))

    def failed(self, camera: int, error: BaseException) -> None:
        self.errors.append(error)

    def recovered(self, camera: int) -> None:
        self.events.append(("recovered", camera))

    def moves(self) -> list[tuple[float, Velocity]]:
        return [(at, v) for at, kind, v in self.sent if kind == "move" and v is not None]

    def stops(self) -> list[float]:
        return [at for at, kind, _ in self.sent if kind == "stop"]


def run(test: Callable[[], Awaitable[None]]) -> None:
    asyncio.run(asyncio.wait_for(test(), timeout=30))


async def until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.005)


def test_clean_velocity_clamps_and_centres() -> None:
    assert clean_velocity(2.0, -3.0, 0.0005) == (1.0, -1.0, 0.0)
    with pytest.raises(ValueError):
        clean_velocity(float("nan"), 0, 0)
    with pytest.raises(ValueError):
        clean_velocity(0, float("inf"), 0)


@pytest.mark.parametrize(
    "config", [dict(max_rate=0.0), dict(max_rate=1000.0), dict(move_timeout_s=0.0), dict(retry_s=-1.0)]
)
def test_config_refuses_nonsense(config: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        PilotConfig(**config)


def test_first_value_goes_at_once_and_burst_is_coalesced_latest_wins() -> None:
    async def test() -> None:
        sink = FakeSink()
        pilot = Pilot(sink, PilotConfig(max_rate=10, move_timeout_s=5))
        start = time.monotonic()
        pilot.set(1, (0.01, 0.0, 0.0))
        await until(lambda: len(sink.moves()) >= 1)
        for i in range(2, 51):  # 49 more updates inside the rate slot
            pilot.set(1, (i / 100, 0.0, 0.0))
            await asyncio.sleep(0)
        await until(lambda: len(sink.moves()) >= 2)
        await asyncio.sleep(0.3)
        moves = sink.moves()
        assert moves[0][0] - start < 0.05  # the first deflection is not held for the rate slot (0.1 s)
        assert moves[0][1] == (0.01, 0.0, 0.0)
        # Everything after it was coalesced into the latest value, sent once the slot opened.
        assert moves[1][1] == (0.5, 0.0, 0.0)
        assert len(moves) == 2
        assert moves[1][0] - moves[0][0] >= 0.1 - 0.002
        assert sink.gates == 1
        await pilot.close()

    run(test)


def test_rate_never_exceeds_the_maximum_under_a_flood() -> None:
    async def test() -> None:
        sink = FakeSink()
        pilot = Pilot(sink, PilotConfig(max_rate=20, move_timeout_s=5))
        end = time.monotonic() + 1.2
        i = 0
        while time.monotonic() < end:  # a 500 Hz stick
            i += 1
            pilot.set(1, (0.1 + (i % 50) / 100, 0.0, 0.0))
            await asyncio.sleep(0.002)
        await asyncio.sleep(0.1)
        times = [at for at, _ in sink.moves()]
        gaps = [b - a for a, b in itertools.pairwise(times)]
        assert len(times) >= 15  # it does keep up at the maximum
        assert min(gaps) >= 1 / 20 - 0.001
        await pilot.close()

    run(test)


class SlowAnswers(FakeSink):
    """Round trips that vary a lot (a loaded network or camera): every third request is answered
    after 120 ms. Each move's send and answer times are kept."""

    def __init__(self) -> None:
        super().__init__()
        self.round_trips: list[tuple[float, float]] = []

    async def move(self, camera: int, velocity: Velocity, timeout_s: float) -> None:
        sent = time.monotonic()
        await asyncio.sleep(0.12 if len(self.round_trips) % 3 == 0 else 0.002)
        self.round_trips.append((sent, time.monotonic()))


def test_the_camera_never_counts_more_than_the_maximum_whatever_the_round_trips() -> None:
    """A request reaches the camera somewhere between its send and its answer. The camera counts at
    most ``max_rate`` in a second even if request k arrived as late as its answer and request
    k + max_rate as early as its send: the pilot sends k + max_rate 1 s after k's answer at the soonest."""

    async def test() -> None:
        sink = SlowAnswers()
        pilot = Pilot(sink, PilotConfig(max_rate=5, move_timeout_s=5))
        end = time.monotonic() + 3.0
        i = 0
        while time.monotonic() < end:  # a 200 Hz stick, always changing
            i += 1
            pilot.set(1, (0.1 + (i % 50) / 100, 0.0, 0.0))
            await asyncio.sleep(0.005)
        await asyncio.sleep(0.2)
        trips = sink.round_trips
        assert len(trips) >= 12  # it keeps up: about 5 a second
        worst = [trips[k + 5][0] - trips[k][1] for k in range(len(trips) - 5)]
        assert min(worst) >= 1.0 - 0.002, min(worst)
        await pilot.close()

    run(test)


def test_release_stops_at_once_even_inside_the_rate_window() -> None:
    async def test() -> None:
        sink = FakeSink()
        pilot = Pilot(sink, PilotConfig(max_rate=2, move_timeout_s=5))
        pilot.set(1, (0.5, 0.0, 0.0))
        await until(lambda: len(sink.moves()) == 1)
        pilot.set(1, (0.7, 0.0, 0.0))  # waits for its slot (500 ms)...
        await asyncio.sleep(0.01)
        released = time.monotonic()
        pilot.set(1, ZERO)  # ...but a release cuts in
        await until(lambda: len(sink.stops()) == 1)
        assert sink.stops()[0] - released < 0.05
        await asyncio.sleep(0.6)
        assert len(sink.moves()) == 1  # the pending 0.7 was dropped
        assert ("moved", 1) in sink.events and ("halted", 1) in sink.events
        await pilot.close()

    run(test)


def test_a_steady_stick_is_refreshed_before_the_camera_timeout() -> None:
    async def test() -> None:
        sink = FakeSink()
        pilot = Pilot(sink, PilotConfig(max_rate=10, move_timeout_s=0.4))
        pilot.set(1, (0.3, -0.2, 0.0))
        await asyncio.sleep(1.0)
        moves = sink.moves()
        assert 4 <= len(moves) <= 7  # every 0.2 s
        assert all(v == (0.3, -0.2, 0.0) for _, v in moves)
        gaps = [b[0] - a[0] for a, b in itertools.pairwise(moves)]
        assert max(gaps) < 0.4  # always before the camera would stop by itself
        pilot.set(1, ZERO)
        await until(lambda: len(sink.stops()) == 1)
        count = len(sink.moves())
        await asyncio.sleep(0.5)
        assert len(sink.moves()) == count  # no refresh once stopped
        await pilot.close()

    run(test)


def test_centred_stick_on_a_still_camera_sends_nothing() -> None:
    async def test() -> None:
        sink = FakeSink()
        pilot = Pilot(sink)
        pilot.set(1, ZERO)
        pilot.stop_all()
        await asyncio.sleep(0.1)
        assert sink.sent == []
        pilot.stop(1, force=True)  # an explicit stop is always sent
        await until(lambda: len(sink.stops()) == 1)
        await pilot.close()

    run(test)


def test_after_a_failure_stop_is_retried_until_the_camera_answers() -> None:
    async def test() -> None:
        sink = FakeSink()
        pilot = Pilot(sink, PilotConfig(max_rate=10, move_timeout_s=1, retry_s=0.1))
        pilot.set(1, (0.5, 0.0, 0.0))
        await until(lambda: len(sink.moves()) == 1)
        sink.broken = True
        pilot.set(1, (0.6, 0.0, 0.0))
        await until(lambda: len(sink.errors) == 1)
        await asyncio.sleep(0.35)
        assert len(sink.errors) == 1  # reported once, not at every retry
        assert len(sink.stops()) >= 2  # retried meanwhile
        assert pilot.is_failed(1)
        pilot.set(1, (0.9, 0.0, 0.0))  # the stick while the camera is silent: only Stop is tried
        sink.broken = False
        await until(lambda: ("recovered", 1) in sink.events)
        assert sink.sent[-1][1] == "stop"
        assert not pilot.is_failed(1)
        await asyncio.sleep(0.3)
        assert sink.sent[-1][1] == "stop"  # no move resumes without a new stick value
        pilot.set(1, (0.2, 0.0, 0.0))
        await until(lambda: sink.moves()[-1][1] == (0.2, 0.0, 0.0))
        await pilot.close()

    run(test)


def test_a_refused_gate_sends_nothing_and_reports() -> None:
    async def test() -> None:
        sink = FakeSink(gate_error=PermissionError("camera 1 is driven by someone else"))
        pilot = Pilot(sink)
        pilot.set(1, (0.5, 0.0, 0.0))
        await until(lambda: len(sink.errors) == 1)
        await asyncio.sleep(0.1)
        assert sink.sent == []
        assert not pilot.is_moving(1)
        await pilot.close()

    run(test)


def test_cameras_are_driven_independently() -> None:
    async def test() -> None:
        sink = FakeSink(delay=0.05)
        pilot = Pilot(sink, PilotConfig(max_rate=10, move_timeout_s=5))
        pilot.set(1, (0.5, 0.0, 0.0))
        pilot.set(2, (0.0, 0.5, 0.0))
        await until(lambda: len(sink.moves()) == 2)
        times = [at for at, _ in sink.moves()]
        assert abs(times[1] - times[0]) < 0.03  # camera 2 did not wait for camera 1's answer
        await until(lambda: len(sink.events) == 2)
        assert sorted(pilot.moving_cameras()) == [1, 2]
        pilot.stop_all()
        await until(lambda: len(sink.stops()) == 2)
        await pilot.close()

    run(test)


def test_abort_forgets_without_sending() -> None:
    async def test() -> None:
        sink = FakeSink()
        pilot = Pilot(sink, PilotConfig(max_rate=10, move_timeout_s=0.4))
        pilot.set(1, (0.5, 0.0, 0.0))
        await until(lambda: len(sink.moves()) == 1)
        pilot.abort(1)
        await asyncio.sleep(0.5)
        assert len(sink.moves()) == 1 and sink.stops() == []
        assert not pilot.is_moving(1)
        await pilot.close()

    run(test)


def test_a_camera_no_longer_ours_gets_nothing_more_not_even_stop() -> None:
    async def test() -> None:
        sink = FakeSink()
        pilot = Pilot(sink, PilotConfig(max_rate=10, move_timeout_s=0.4, retry_s=0.1))
        pilot.set(1, (0.5, 0.0, 0.0))
        await until(lambda: len(sink.moves()) == 1)
        sink.check_error = PermissionError("camera 1 was taken over")
        await until(lambda: len(sink.errors) == 1)  # at the first refresh
        await asyncio.sleep(0.5)
        assert len(sink.moves()) == 1 and sink.stops() == []  # the new holder's business
        assert not pilot.is_moving(1) and not pilot.is_failed(1)
        await pilot.close()

    run(test)
