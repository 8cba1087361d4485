"""PtzState: finite-speed motion in ONVIF generic spaces, timeouts, presets, home; with a fake clock."""

from __future__ import annotations

import threading

import pytest

from vmwall.sim.ptz_state import (
    PresetNameExistsError,
    PtzPosition,
    PtzSpeed,
    PtzState,
    TooManyPresetsError,
    UnknownPresetError,
)


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def ptz(clock: FakeClock) -> PtzState:
    return PtzState(clock, pan_speed=0.5, tilt_speed=0.25, zoom_speed=0.2)


def approx(position: PtzPosition, pan: float, tilt: float, zoom: float) -> bool:
    return (position.pan, position.tilt, position.zoom) == (
        pytest.approx(pan, abs=1e-9),
        pytest.approx(tilt, abs=1e-9),
        pytest.approx(zoom, abs=1e-9),
    )


def test_starts_at_home_idle(ptz: PtzState) -> None:
    assert approx(ptz.position(), 0, 0, 0)
    assert not ptz.is_moving()
    assert ptz.revision == 0


def test_continuous_move_integrates_velocity_and_stops_at_its_timeout(
    ptz: PtzState, clock: FakeClock
) -> None:
    ptz.continuous_move(1.0, -0.5, 0.5, timeout_s=2.0)
    clock.advance(1.0)
    assert approx(ptz.position(), 0.5, -0.125, 0.1)
    assert ptz.is_moving()
    clock.advance(5.0)
    assert approx(ptz.position(), 1.0, -0.25, 0.2)  # pan reached its limit; the others stopped at 2 s
    assert not ptz.is_moving()
    assert ptz.moving_axes() == (False, False)


def test_continuous_move_without_timeout_runs_until_stopped(ptz: PtzState, clock: FakeClock) -> None:
    ptz.continuous_move(0.2, 0.0, None, timeout_s=None)
    clock.advance(3.0)
    assert ptz.is_moving()
    assert ptz.position().pan == pytest.approx(0.3)
    ptz.stop()
    clock.advance(3.0)
    assert ptz.position().pan == pytest.approx(0.3)
    assert not ptz.is_moving()


def test_pinned_against_a_limit_is_not_moving(ptz: PtzState, clock: FakeClock) -> None:
    ptz.continuous_move(-1.0, 0.0, 0.0, timeout_s=60.0)
    clock.advance(10.0)
    assert ptz.position().pan == -1.0
    assert not ptz.is_moving()


def test_stop_one_group_of_axes_only(ptz: PtzState, clock: FakeClock) -> None:
    ptz.continuous_move(1.0, 0.0, 1.0, timeout_s=10.0)
    clock.advance(1.0)
    ptz.stop(pan_tilt=True, zoom=False)
    clock.advance(1.0)
    position = ptz.position()
    assert position.pan == pytest.approx(0.5)
    assert position.zoom == pytest.approx(0.4)
    assert ptz.moving_axes() == (False, True)


def test_none_velocity_leaves_an_axis_alone(ptz: PtzState, clock: FakeClock) -> None:
    ptz.continuous_move(1.0, 0.0, 0.0, timeout_s=10.0)
    clock.advance(0.5)
    ptz.continuous_move(None, None, 1.0, timeout_s=1.0)  # zoom only: the pan keeps going
    clock.advance(0.5)
    assert ptz.position().pan == pytest.approx(0.5)
    assert ptz.position().zoom == pytest.approx(0.1)


def test_absolute_move_travels_at_finite_speed(ptz: PtzState, clock: FakeClock) -> None:
    ptz.absolute_move(PtzPosition(0.5, -0.5, 1.0))
    assert approx(ptz.position(), 0, 0, 0)  # not a jump
    clock.advance(1.0)
    assert approx(ptz.position(), 0.5, -0.25, 0.2)
    assert ptz.moving_axes() == (True, True)
    clock.advance(1.0)
    assert ptz.moving_axes() == (False, True)
    clock.advance(3.0)
    assert approx(ptz.position(), 0.5, -0.5, 1.0)
    assert not ptz.is_moving()


def test_absolute_move_speed_is_a_fraction_of_the_maximum(ptz: PtzState, clock: FakeClock) -> None:
    ptz.absolute_move(PtzPosition(0.5, 0.0, 0.0), PtzSpeed(pan=0.5, tilt=1.0, zoom=1.0))
    clock.advance(1.0)
    assert ptz.position().pan == pytest.approx(0.25)


def test_absolute_move_clamps_its_target(ptz: PtzState, clock: FakeClock) -> None:
    ptz.absolute_move(PtzPosition(5.0, -5.0, 2.0))
    clock.advance(60.0)
    assert approx(ptz.position(), 1.0, -1.0, 1.0)


def test_relative_move_from_the_current_position(ptz: PtzState, clock: FakeClock) -> None:
    ptz.absolute_move(PtzPosition(0.2, 0.2, 0.2))
    clock.advance(10.0)
    ptz.relative_move(-0.4, 0.1, None)
    clock.advance(10.0)
    assert approx(ptz.position(), -0.2, 0.3, 0.2)


def test_a_new_command_starts_from_where_the_head_is(ptz: PtzState, clock: FakeClock) -> None:
    ptz.absolute_move(PtzPosition(1.0, 0.0, 0.0))
    clock.advance(1.0)  # pan at 0.5
    ptz.absolute_move(PtzPosition(0.0, 0.0, 0.0))
    clock.advance(0.5)
    assert ptz.position().pan == pytest.approx(0.25)


def test_revision_counts_commands(ptz: PtzState) -> None:
    ptz.continuous_move(0.1, 0.1, 0.1, 1.0)
    ptz.stop()
    ptz.absolute_move(PtzPosition(0, 0, 0))
    token = ptz.set_preset("A")
    ptz.remove_preset(token)
    assert ptz.revision == 5


def test_non_finite_values_are_refused(ptz: PtzState) -> None:
    with pytest.raises(ValueError):
        ptz.continuous_move(float("nan"), 0.0, 0.0, 1.0)
    with pytest.raises(ValueError):
        ptz.absolute_move(PtzPosition(float("inf"), 0.0, 0.0))


def test_presets_set_goto_overwrite_remove(ptz: PtzState, clock: FakeClock) -> None:
    ptz.absolute_move(PtzPosition(0.4, 0.1, 0.3))
    clock.advance(10.0)
    entrance = ptz.set_preset("Entrée")
    ptz.absolute_move(PtzPosition(-0.4, -0.1, 0.0))
    clock.advance(10.0)
    square = ptz.set_preset(None)
    assert [(t, n) for t, n, _ in ptz.presets()] == [(entrance, "Entrée"), (square, "Preset 2")]
    ptz.goto_preset(entrance)
    clock.advance(10.0)
    assert approx(ptz.position(), 0.4, 0.1, 0.3)
    assert ptz.set_preset(None, token=square) == square  # overwrite: the name is kept
    assert ptz.presets()[1][1] == "Preset 2"
    assert approx(ptz.presets()[1][2], 0.4, 0.1, 0.3)
    ptz.remove_preset(entrance)
    assert [t for t, _, _ in ptz.presets()] == [square]
    with pytest.raises(UnknownPresetError):
        ptz.goto_preset(entrance)
    with pytest.raises(UnknownPresetError):
        ptz.remove_preset(entrance)
    with pytest.raises(UnknownPresetError):
        ptz.set_preset("X", token="nope")


def test_preset_names_are_unique_and_presets_bounded(clock: FakeClock) -> None:
    ptz = PtzState(clock, max_presets=2)
    ptz.set_preset("A")
    with pytest.raises(PresetNameExistsError):
        ptz.set_preset("A")
    ptz.set_preset("B")
    with pytest.raises(TooManyPresetsError):
        ptz.set_preset("C")


def test_home_position(ptz: PtzState, clock: FakeClock) -> None:
    ptz.absolute_move(PtzPosition(0.3, 0.3, 0.3))
    clock.advance(10.0)
    ptz.set_home()
    ptz.absolute_move(PtzPosition(-1.0, -1.0, 0.0))
    clock.advance(10.0)
    ptz.goto_home()
    clock.advance(10.0)
    assert approx(ptz.position(), 0.3, 0.3, 0.3)
    assert approx(ptz.home, 0.3, 0.3, 0.3)


def test_reads_are_safe_while_another_thread_commands() -> None:
    ptz = PtzState()  # real clock
    stop = threading.Event()
    errors: list[BaseException] = []

    def command() -> None:
        try:
            for i in range(2000):
                ptz.continuous_move((i % 3) - 1.0, 0.5, 0.1, 0.01)
                ptz.relative_move(0.01, -0.01, 0.0)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            stop.set()

    worker = threading.Thread(target=command)
    worker.start()
    while not stop.is_set():
        position = ptz.position()
        assert -1.0 <= position.pan <= 1.0 and -1.0 <= position.tilt <= 1.0 and 0.0 <= position.zoom <= 1.0
        ptz.is_moving()
    worker.join()
    assert not errors
