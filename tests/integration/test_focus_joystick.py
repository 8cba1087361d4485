"""The focus buttons of an SDL virtual joystick move the lens of a simulated camera over real SOAP.

SDL2 (virtual device) → JoystickReader → JoystickControl (focus = the PTZ service) →
OnvifPtzService's focus pilot → the simulated device's imaging service; the lens is read back
with GetStatus through the service.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from tests.fixtures.ptz import WAIT_S, Recorder, joystick_on, joystick_service, wait_for
from vmwall.ptz.api import FocusService, PtzError, PtzSettings
from vmwall.ptz.joystick import VirtualJoystick
from vmwall.ptz.joystick_control import JoystickControl
from vmwall.ptz.service import OnvifPtzService
from vmwall.sim.onvif_device import SimOnvifFarm
from vmwall.sim.onvif_imaging import SHARP_POSITION

NEAR, FAR = 2, 3  # the cctv-keyboard profile's focus buttons (tests.fixtures.ptz.KEYBOARD)


@dataclass
class Rig:
    farm: SimOnvifFarm
    service: OnvifPtzService
    stick: VirtualJoystick
    events: Recorder
    errors: list[PtzError] = field(default_factory=list)

    def position(self) -> float:
        position = self.service.focus_status(1).result(timeout=WAIT_S).position
        assert position is not None
        return position


@pytest.fixture
def rig(onvif_farm: SimOnvifFarm) -> Iterator[Rig]:
    service = joystick_service(onvif_farm, PtzSettings(request_timeout_s=2.0))
    events = Recorder()
    service.add_listener(events)
    errors: list[PtzError] = []
    assert isinstance(service, FocusService)
    control = JoystickControl(service, lambda: 1, on_error=errors.append, focus=service)
    with joystick_on(service, control) as stick:
        yield Rig(onvif_farm, service, stick, events, errors)


def test_focus_buttons_move_the_lens_while_held(rig: Rig) -> None:
    lens = rig.farm.focus(1)
    assert rig.position() == pytest.approx(SHARP_POSITION)
    rig.stick.set_button(NEAR, True)
    wait_for(lambda: rig.position() < SHARP_POSITION - 0.05, "focused nearer")
    rig.stick.set_button(NEAR, False)
    wait_for(lambda: not lens.is_moving(), "stopped on release")
    near = rig.position()
    time.sleep(0.3)
    assert rig.position() == pytest.approx(near, abs=1e-9)  # stays where the release left it
    assert lens.received("Stop")

    rig.stick.set_button(FAR, True)
    wait_for(lambda: rig.position() > near + 0.05, "focused farther")
    rig.stick.set_button(FAR, False)
    wait_for(lambda: not lens.is_moving(), "stopped on release")
    assert rig.events.focus_details() == ["auto off (manual focus)", "near 0.50", "stop", "far 0.50", "stop"]
    assert rig.errors == []


def test_unplugging_the_joystick_mid_focus_stops_the_lens(rig: Rig) -> None:
    lens = rig.farm.focus(1)
    rig.stick.set_button(FAR, True)
    wait_for(lens.is_moving, "focusing")
    rig.stick.detach()
    wait_for(lambda: not lens.is_moving(), "stopped when unplugged")
    assert rig.events.focus_details()[-1] == "stop"
