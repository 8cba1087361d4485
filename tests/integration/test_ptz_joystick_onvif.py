"""An SDL virtual joystick drives simulated ONVIF PTZ cameras over real SOAP/HTTP on 127.0.0.1.

The whole chain is real: SDL2 (virtual device) → JoystickReader → JoystickControl →
OnvifPtzService (pilot, lock, onvif-zeep-async) → the simulated device's HTTP server. Positions
are read back with GetStatus through the service. The ContinuousMove timeout is set long (20 s)
so that only an explicit Stop can stop a camera within the test's time: a camera that stops has
been told to.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from tests.fixtures.ptz import WAIT_S, joystick_on, joystick_service, wait_for
from vmwall.ptz.api import PtzError, PtzPosition, PtzSettings
from vmwall.ptz.joystick import VirtualJoystick
from vmwall.ptz.joystick_control import JoystickControl
from vmwall.ptz.joystick_mapping import JoystickAction
from vmwall.ptz.service import OnvifPtzService
from vmwall.sim.onvif_device import SimOnvifFarm

MOVE_TIMEOUT_S = 20.0


@dataclass
class Console:
    """What the console gives the joystick: the selected tile's camera; what it gets back."""

    camera: int | None = 1
    actions: list[JoystickAction] = field(default_factory=list)
    errors: list[PtzError] = field(default_factory=list)
    attached: threading.Event = field(default_factory=threading.Event)


@dataclass
class Rig:
    farm: SimOnvifFarm
    service: OnvifPtzService
    control: JoystickControl
    console: Console
    stick: VirtualJoystick

    def status(self, camera: int = 1) -> PtzPosition:
        return self.service.status(camera).result(timeout=WAIT_S)


@pytest.fixture
def rig(onvif_farm: SimOnvifFarm) -> Iterator[Rig]:
    service = joystick_service(onvif_farm, PtzSettings(move_timeout_s=MOVE_TIMEOUT_S))
    console = Console()
    control = JoystickControl(
        service,
        lambda: console.camera,
        on_console_action=console.actions.append,
        on_error=console.errors.append,
    )
    with joystick_on(service, control, console.attached) as stick:
        yield Rig(onvif_farm, service, control, console, stick)


def assert_still(rig: Rig, camera: int = 1) -> PtzPosition:
    """The camera reports no motion and its position does not change over half a second."""
    wait_for(lambda: not rig.status(camera).moving, f"camera {camera} stopped")
    before = rig.status(camera)
    time.sleep(0.5)
    after = rig.status(camera)
    assert (after.pan, after.tilt, after.zoom) == pytest.approx(
        (before.pan, before.tilt, before.zoom), abs=1e-9
    )
    return after


def test_deflection_moves_the_camera_that_way_and_release_stops_it(rig: Rig) -> None:
    start = rig.status()
    assert not start.moving
    rig.stick.set_axis(0, 0.8)  # right
    rig.stick.set_axis(1, -0.8)  # pushed forward: up
    wait_for(lambda: rig.status().pan > start.pan + 0.05, "panned right")
    moving = rig.status()
    assert moving.moving and moving.tilt > start.tilt  # up, at the same time
    assert moving.zoom == pytest.approx(start.zoom)

    stops = rig.farm.request_count(1, "Stop")
    rig.stick.set_axis(0, 0.0)
    rig.stick.set_axis(1, 0.0)
    still = assert_still(rig)
    assert rig.farm.request_count(1, "Stop") > stops  # an explicit Stop, not the move timeout
    assert still.pan > moving.pan - 1e-9 and rig.console.errors == []


def test_deflection_left_and_down_and_the_twist_zooms(rig: Rig) -> None:
    start = rig.status()
    rig.stick.set_axis(0, -1.0)  # left
    rig.stick.set_axis(1, 1.0)  # pulled back: down
    rig.stick.set_axis(2, 1.0)  # twist: zoom in
    wait_for(
        lambda: (now := rig.status()).pan < start.pan - 0.05 and now.tilt < start.tilt - 0.05,
        "panned left and tilted down",
    )
    wait_for(lambda: rig.status().zoom > start.zoom + 0.02, "zoomed in")
    for axis in (0, 1, 2):
        rig.stick.set_axis(axis, 0.0)
    assert_still(rig)


def test_unplugging_the_joystick_mid_move_stops_the_camera(rig: Rig) -> None:
    start = rig.status()
    rig.stick.set_axis(0, 1.0)
    wait_for(lambda: rig.status().pan > start.pan + 0.05, "panning")
    stops = rig.farm.request_count(1, "Stop")
    unplugged_at = time.monotonic()
    rig.stick.detach()  # the stick is still deflected: only the unplug can stop the camera
    wait_for(lambda: rig.farm.request_count(1, "Stop") > stops, "a Stop after the unplug")
    assert time.monotonic() - unplugged_at < MOVE_TIMEOUT_S / 4
    assert_still(rig)


def test_preset_button_and_camera_switch(rig: Rig) -> None:
    for place, name in (((-0.5, 0.1, 0.0), "Fontaine"), ((0.4, -0.2, 0.3), "Parvis")):
        rig.service.absolute_move(1, *place).result(timeout=WAIT_S)
        wait_for(lambda: not rig.status().moving, f"at {name}")
        rig.service.set_preset(1, name).result(timeout=WAIT_S)  # the sim's tokens: preset_1, preset_2
    preset_2 = rig.status()
    rig.service.home(1).result(timeout=WAIT_S)
    wait_for(lambda: abs(rig.status().pan - preset_2.pan) > 0.1, "away from preset 2")

    rig.stick.set_button(7, True)  # cctv-keyboard: button7 = preset_2
    wait_for(
        lambda: (now := rig.status()).pan == pytest.approx(preset_2.pan, abs=1e-3) and not now.moving,
        "back at preset 2",
    )
    rig.stick.set_button(7, False)

    rig.stick.set_button(5, True)  # next camera: the console's business
    wait_for(lambda: rig.console.actions == [JoystickAction.NEXT_CAMERA], "next camera asked")
    rig.stick.set_axis(0, 1.0)
    wait_for(lambda: rig.status(1).moving, "camera 1 moving")
    rig.console.camera = 2  # the console selected camera 2's tile
    rig.control.selection_changed()
    start_2 = rig.status(2)
    wait_for(lambda: rig.status(2).pan > start_2.pan + 0.05, "camera 2 panning")
    assert_still(rig, 1)  # camera 1 was stopped when the selection changed
    rig.stick.set_axis(0, 0.0)
    assert_still(rig, 2)
