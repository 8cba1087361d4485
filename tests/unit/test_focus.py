"""Focus pieces without a network: the simulated lens, speed scaling and cleaning, event words."""

from __future__ import annotations

import pytest

from vmwall.onvif.imaging import FocusOptions, _scaled
from vmwall.ptz.focus import clean_speed, describe_speed
from vmwall.sim.onvif_imaging import FocusState


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_the_simulated_lens_moves_only_in_manual_and_stops_at_its_ends() -> None:
    clock = Clock()
    lens = FocusState(clock, speed=0.5, position=0.5, auto=True, sharp=0.5)
    with pytest.raises(PermissionError):
        lens.continuous(1.0)  # AUTO refuses manual moves
    lens.set_auto(False)
    lens.continuous(-1.0)
    clock.now += 0.4
    assert lens.position() == pytest.approx(0.3) and lens.is_moving()
    clock.now += 10.0
    assert lens.position() == 0.0 and not lens.is_moving()  # at the near end
    lens.continuous(0.5)
    clock.now += 1.0
    lens.stop()
    clock.now += 5.0
    assert lens.position() == pytest.approx(0.25) and not lens.is_moving()
    with pytest.raises(ValueError):
        lens.continuous(float("nan"))


def test_autofocus_travels_to_the_sharp_position_and_follows_it() -> None:
    clock = Clock()
    lens = FocusState(clock, speed=0.5, position=0.1, auto=False, sharp=0.6)
    assert lens.blur() == pytest.approx(0.5)
    lens.set_auto(True)
    clock.now += 0.5
    assert lens.position() == pytest.approx(0.35) and lens.is_moving()
    clock.now += 1.0
    assert lens.position() == pytest.approx(0.6) and not lens.is_moving() and lens.blur() == 0.0
    lens.set_sharp(0.8)  # the scene changed: AUTO refocuses
    clock.now += 0.2
    assert lens.position() == pytest.approx(0.7)
    lens.stop()  # a Stop does not end AUTO
    clock.now += 1.0
    assert lens.position() == pytest.approx(0.8) and lens.auto


def test_speeds_are_scaled_to_the_camera_range() -> None:
    assert _scaled(0.5, (-1.0, 1.0)) == 0.5
    assert _scaled(-0.5, (-7.0, 7.0)) == -3.5
    assert _scaled(1.0, (-2.0, 8.0)) == 8.0 and _scaled(-1.0, (-2.0, 8.0)) == -2.0
    assert _scaled(-0.5, (0.0, 4.0)) == -2.0  # a magnitude range: the sign is kept
    assert _scaled(0.25, None) == 0.25
    assert not FocusOptions.none().switchable
    assert FocusOptions(True, auto_modes=frozenset({"AUTO", "MANUAL"})).switchable


def test_speeds_are_cleaned_and_described() -> None:
    assert clean_speed(3.0) == 1.0 and clean_speed(-2) == -1.0 and clean_speed(0.0004) == 0.0
    for bad in (float("nan"), float("inf")):
        with pytest.raises(ValueError):
            clean_speed(bad)
    with pytest.raises(ValueError):
        clean_speed("près")  # type: ignore[arg-type]
    assert describe_speed(-0.5) == "near 0.50" and describe_speed(1.0) == "far 1.00"
    assert describe_speed(0.0) == "stop"
