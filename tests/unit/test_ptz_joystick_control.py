"""JoystickControl: reader events → PtzService calls for the selected tile's camera.

The service here is a recorder of calls (the real one is exercised over SOAP in
tests/integration/test_ptz_joystick_onvif.py); the last test drives the whole chain from an SDL
virtual joystick.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from vmwall.ptz.api import (
    LockHolder,
    LockOutcome,
    LockStatus,
    PtzCapabilities,
    PtzError,
    PtzErrorKind,
    PtzPreset,
)
from vmwall.ptz.joystick import (
    ButtonPressed,
    ButtonReleased,
    JoystickAttached,
    JoystickDetached,
    JoystickDevice,
    JoystickReader,
    StickMoved,
    VirtualJoystick,
)
from vmwall.ptz.joystick_control import JoystickControl, preset_numbered
from vmwall.ptz.joystick_mapping import Api, JoystickAction, builtin_profiles, combine

Call = tuple[Any, ...]


def done(value: object) -> Future[Any]:
    future: Future[Any] = Future()
    future.set_result(value)
    return future


class RecordingService:
    """Records the PtzService calls JoystickControl makes; answers reads from fixed data."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.fixed: set[int] = set()
        self.preset_lists: dict[int, list[PtzPreset]] = {}
        self.held_by_others: set[int] = set()
        self.lock = threading.Lock()

    def _record(self, *call: Any) -> None:
        with self.lock:
            self.calls.append(call)

    def take(self) -> list[Call]:
        with self.lock:
            calls, self.calls = self.calls, []
            return calls

    def capabilities(self, camera: int) -> Future[PtzCapabilities]:
        return done(PtzCapabilities.fixed() if camera in self.fixed else PtzCapabilities(ptz=True))

    def presets(self, camera: int) -> Future[list[PtzPreset]]:
        return done(self.preset_lists.get(camera, []))

    def velocity(self, camera: int, pan: float, tilt: float, zoom: float) -> None:
        self._record("velocity", camera, pan, tilt, zoom)

    def stop(self, camera: int) -> None:
        self._record("stop", camera)

    def stop_tour(self, camera: int) -> None:
        self._record("stop_tour", camera)

    def home(self, camera: int) -> Future[None]:
        self._record("home", camera)
        return done(None)

    def goto_preset(self, camera: int, token: str) -> Future[None]:
        self._record("goto_preset", camera, token)
        return done(None)

    def take_control(self, camera: int) -> Future[LockOutcome]:
        self._record("take_control", camera)
        now = datetime.now(UTC)
        holder = LockHolder(camera, "martin", "Claire Martin", "poste-2", 20, "s2", now, now, "chef-de-salle")
        mine = replace(holder, login="dupont", session="s1")
        refused = camera in self.held_by_others
        return done(
            LockOutcome(LockStatus.REFUSED if refused else LockStatus.GRANTED, holder if refused else mine)
        )

    def release(self, camera: int) -> Future[None]:
        self._record("release", camera)
        return done(None)

    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"JoystickControl called service.{name}, which it should not")


class Focus:
    def __init__(self) -> None:
        self.calls: list[tuple[int, float]] = []

    def focus(self, camera: int, speed: float) -> None:
        self.calls.append((camera, speed))


class Console:
    """The console side: the selected camera and what the control reports back."""

    def __init__(self, camera: int | None = 7) -> None:
        self.camera = camera
        self.actions: list[JoystickAction] = []
        self.errors: list[PtzError] = []


DEVICE = JoystickDevice(
    1, "Pelco KBD300A", "0" * 32, 0, 0, False, Api.JOYSTICK, "pelco-kbd300a", "", 3, 16, 1
)


def make(
    service: RecordingService, console: Console, focus: Focus | None = None, **kwargs: Any
) -> JoystickControl:
    return JoystickControl(
        service,  # type: ignore[arg-type]
        lambda: console.camera,
        on_console_action=console.actions.append,
        on_error=console.errors.append,
        focus=focus,
        **kwargs,
    )


def move(pan: float, tilt: float, zoom: float = 0.0, device: int = 1) -> StickMoved:
    return StickMoved(device, pan, tilt, zoom, at=time.monotonic())


def press(control: str, action: JoystickAction | None, device: int = 1) -> ButtonPressed:
    return ButtonPressed(device, control, action)


def release(control: str, action: JoystickAction | None, device: int = 1) -> ButtonReleased:
    return ButtonReleased(device, control, action)


@pytest.fixture
def service() -> RecordingService:
    return RecordingService()


@pytest.fixture
def console() -> Console:
    return Console()


# --- sticks ------------------------------------------------------------------------------------------


def test_deflection_moves_the_selected_camera_and_the_centre_stops_it(
    service: RecordingService, console: Console
) -> None:
    control = make(service, console)
    control(JoystickAttached(DEVICE))
    control(move(0.5, -0.25, 0.1))
    control(move(1.0, 0.0))
    assert control.moving_camera == 7
    control(move(0.0, 0.0))
    assert service.take() == [
        ("velocity", 7, 0.5, -0.25, 0.1),
        ("velocity", 7, 1.0, 0.0, 0.0),
        ("velocity", 7, 0.0, 0.0, 0.0),  # the service's immediate Stop
    ]
    assert control.moving_camera is None
    control(move(0.0, 0.0))
    assert service.take() == []  # already still: nothing more to send


def test_no_selected_camera_drives_nothing(service: RecordingService) -> None:
    control = make(service, Console(camera=None))
    control(move(1.0, 1.0))
    control(press("button9", JoystickAction.HOME))
    assert service.take() == []


def test_another_tile_selected_while_moving_stops_the_old_camera(
    service: RecordingService, console: Console
) -> None:
    control = make(service, console)
    control(move(0.3, 0.0))
    console.camera = 9
    control.selection_changed()
    assert service.take() == [
        ("velocity", 7, 0.3, 0.0, 0.0),
        ("velocity", 7, 0.0, 0.0, 0.0),
        ("velocity", 9, 0.3, 0.0, 0.0),  # the stick is still held: it drives the new camera
    ]
    console.camera = None
    control(move(0.4, 0.0))
    assert service.take() == [("velocity", 9, 0.0, 0.0, 0.0)]


def test_unplugging_the_joystick_mid_move_stops_the_camera(
    service: RecordingService, console: Console
) -> None:
    control = make(service, console)
    control(move(0.0, 1.0, device=1))
    control(JoystickDetached(DEVICE, unplugged=True))
    assert service.take() == [("velocity", 7, 0.0, 1.0, 0.0), ("velocity", 7, 0.0, 0.0, 0.0)]
    assert control.moving_camera is None


def test_focus_loss_stops_and_the_stick_must_move_again(service: RecordingService, console: Console) -> None:
    control = make(service, console)
    control(move(0.6, 0.0))
    control.set_active(False)
    control(move(0.7, 0.0))  # ignored while the console is not active
    assert service.take() == [("velocity", 7, 0.6, 0.0, 0.0), ("velocity", 7, 0.0, 0.0, 0.0)]
    control.set_active(True)
    assert service.take() == []
    control(move(0.8, 0.0))
    assert service.take() == [("velocity", 7, 0.8, 0.0, 0.0)]


def test_the_last_deflected_device_drives(service: RecordingService, console: Console) -> None:
    control = make(service, console)
    control(move(0.2, 0.0, device=1))
    control(move(0.0, -0.9, device=2))
    control(move(0.0, 0.0, device=2))  # device 2 back to the centre: device 1 still deflected
    control(move(0.0, 0.0, device=1))
    assert service.take() == [
        ("velocity", 7, 0.2, 0.0, 0.0),
        ("velocity", 7, 0.0, -0.9, 0.0),
        ("velocity", 7, 0.2, 0.0, 0.0),
        ("velocity", 7, 0.0, 0.0, 0.0),
    ]


def test_a_fixed_camera_gets_no_moves(service: RecordingService, console: Console) -> None:
    service.fixed.add(7)
    control = make(service, console)
    control(move(1.0, 0.0))
    control(move(0.5, 0.0))
    assert service.take() == []


# --- buttons -----------------------------------------------------------------------------------------


def test_zoom_buttons_act_while_held_and_override_the_zoom_axis(
    service: RecordingService, console: Console
) -> None:
    control = make(service, console, button_zoom_speed=0.4)
    control(press("button3", JoystickAction.ZOOM_IN))
    control(move(0.5, 0.0, -1.0))  # the twist says zoom out; the held button wins
    control(press("button2", JoystickAction.ZOOM_OUT))  # both held: no zoom
    control(release("button3", JoystickAction.ZOOM_IN))
    control(release("button2", JoystickAction.ZOOM_OUT))  # back to the twist
    control(move(0.0, 0.0, 0.0))
    assert service.take() == [
        ("velocity", 7, 0.0, 0.0, 0.4),
        ("velocity", 7, 0.5, 0.0, 0.4),
        ("velocity", 7, 0.5, 0.0, 0.0),
        ("velocity", 7, 0.5, 0.0, -0.4),
        ("velocity", 7, 0.5, 0.0, -1.0),
        ("velocity", 7, 0.0, 0.0, 0.0),
    ]


def test_a_zoom_button_held_when_the_joystick_is_unplugged_stops(
    service: RecordingService, console: Console
) -> None:
    control = make(service, console)
    control(press("hat0_up", JoystickAction.ZOOM_IN))
    control(JoystickDetached(DEVICE, unplugged=True))
    assert service.take() == [("velocity", 7, 0.0, 0.0, 0.5), ("velocity", 7, 0.0, 0.0, 0.0)]


def test_presets_by_number(service: RecordingService, console: Console) -> None:
    service.preset_lists[7] = [PtzPreset("preset_1", "Parvis"), PtzPreset("preset_3", "Fontaine")]
    control = make(service, console)
    control(press("button2", JoystickAction.PRESET_3))
    control(release("button2", JoystickAction.PRESET_3))
    control(press("button8", JoystickAction.PRESET_9))
    assert service.take() == [("goto_preset", 7, "preset_3")]
    assert [(e.camera, e.kind) for e in console.errors] == [(7, PtzErrorKind.NOT_FOUND)]
    assert "preset 9" in str(console.errors[0])


def test_preset_numbering_rules() -> None:
    uuid = PtzPreset("7d3c8f2e-1b4a-4c5d-9e6f-0a1b2c3d4e53", "Entrée")
    named = PtzPreset("a", "3 - Parvis")
    plain = PtzPreset("0003", "x")
    assert preset_numbered([uuid, named], 3) is named  # a UUID ending in 3 is not "preset 3"
    assert preset_numbered([named, plain], 3) is plain  # the token wins over the name
    assert preset_numbered([PtzPreset("Preset12", "")], 12) is not None
    assert preset_numbered([uuid, PtzPreset("b", "Gare")], 2) == PtzPreset("b", "Gare")  # list position
    assert preset_numbered([uuid], 2) is None
    assert preset_numbered([PtzPreset("x", "30 Rue")], 3) is None


def test_console_level_and_camera_buttons(service: RecordingService, console: Console) -> None:
    control = make(service, console)
    control(press("hat0_right", JoystickAction.NEXT_CAMERA))
    control(press("hat0_left", JoystickAction.PREVIOUS_CAMERA))
    control(press("button1", JoystickAction.HOME))
    control(press("button10", JoystickAction.TAKE_CONTROL))
    control(press("button11", JoystickAction.RELEASE_CONTROL))
    control(press("button5", None))  # an unmapped button does nothing
    assert console.actions == [JoystickAction.NEXT_CAMERA, JoystickAction.PREVIOUS_CAMERA]
    assert service.take() == [("home", 7), ("take_control", 7), ("release", 7)]


def test_take_control_refused_says_who_holds_the_camera(service: RecordingService, console: Console) -> None:
    control = make(service, console)
    control(press("button10", JoystickAction.TAKE_CONTROL))
    assert console.errors == []
    service.held_by_others.add(7)
    control(press("button10", JoystickAction.TAKE_CONTROL))
    (error,) = console.errors
    assert error.kind is PtzErrorKind.LOCKED and error.camera == 7 and error.holder is not None
    assert "Claire Martin (chef-de-salle) at poste-2" in str(error)


def test_stop_button_stops_the_move_and_the_tour(service: RecordingService, console: Console) -> None:
    control = make(service, console)
    control(move(0.5, 0.5))
    control(press("button0", JoystickAction.STOP))
    assert service.take() == [
        ("velocity", 7, 0.5, 0.5, 0.0),
        ("velocity", 7, 0.0, 0.0, 0.0),
        ("stop_tour", 7),
        ("stop", 7),
    ]


def test_releasing_control_while_moving_stops_first(service: RecordingService, console: Console) -> None:
    control = make(service, console)
    control(move(0.5, 0.0))
    control(press("button11", JoystickAction.RELEASE_CONTROL))
    assert service.take()[-2:] == [("velocity", 7, 0.0, 0.0, 0.0), ("release", 7)]


def test_focus_buttons_need_a_focus_driver(service: RecordingService, console: Console) -> None:
    focus = Focus()
    control = make(service, console, focus=focus, focus_speed=0.3)
    control(press("button4", JoystickAction.FOCUS_NEAR))
    control(release("button4", JoystickAction.FOCUS_NEAR))
    control(press("button5", JoystickAction.FOCUS_FAR))
    control(JoystickDetached(DEVICE, unplugged=True))
    assert focus.calls == [(7, -0.3), (7, 0.0), (7, 0.3), (7, 0.0)]
    assert service.take() == []

    without = make(service, console)
    without(press("button4", JoystickAction.FOCUS_NEAR))
    assert [e.kind for e in console.errors] == [PtzErrorKind.UNSUPPORTED]


def test_a_failing_console_callback_is_contained(service: RecordingService) -> None:
    def boom() -> int | None:
        raise RuntimeError("console bug")

    control = JoystickControl(service, boom)  # type: ignore[arg-type]
    control(move(1.0, 0.0))
    assert service.take() == []


# --- the whole chain from an SDL virtual joystick ----------------------------------------------------


def wait_calls(service: RecordingService, wanted: Callable[[list[Call]], bool], what: str) -> list[Call]:
    deadline = time.monotonic() + 5.0
    seen: list[Call] = []
    while time.monotonic() < deadline:
        seen += service.take()
        if wanted(seen):
            return seen
        time.sleep(0.005)
    raise AssertionError(f"no {what} within 5 s; calls: {seen}")


def has(*calls: Call) -> Callable[[Sequence[Call]], bool]:
    return lambda seen: all(call in seen for call in calls)


def test_virtual_joystick_to_service_calls(service: RecordingService, console: Console) -> None:
    service.preset_lists[7] = [PtzPreset("1", "Un"), PtzPreset("2", "Deux")]
    control = make(service, console)
    attached = threading.Event()

    def listener(event: Any) -> None:
        control(event)
        if isinstance(event, JoystickAttached):
            attached.set()

    reader = JoystickReader(combine((), builtin_profiles()), listener)
    reader.start()
    stick = VirtualJoystick("Acme CCTV Keyboard", buttons=16).attach()  # cctv-keyboard profile
    try:
        assert attached.wait(5.0)
        stick.set_axis(0, 1.0)
        wait_calls(service, has(("velocity", 7, 1.0, 0.0, 0.0)), "pan right")
        stick.set_axis(0, 0.0)
        wait_calls(service, has(("velocity", 7, 0.0, 0.0, 0.0)), "stop on release")
        stick.set_button(7, True)  # cctv-keyboard: button7 = preset 2
        wait_calls(service, has(("goto_preset", 7, "2")), "preset 2")
        stick.set_button(5, True)  # button5 = next camera
        wait_calls(service, lambda _: console.actions == [JoystickAction.NEXT_CAMERA], "next camera")
        stick.set_axis(1, -1.0)  # pushed forward: tilt up
        wait_calls(service, has(("velocity", 7, 0.0, 1.0, 0.0)), "tilt up")
        stick.detach()  # unplugged mid-move
        wait_calls(service, has(("velocity", 7, 0.0, 0.0, 0.0)), "stop on unplug")
    finally:
        stick.detach()
        reader.close()
