"""The SDL joystick reader, driven by SDL virtual joysticks (no hardware): hot-plug, axes, buttons."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from vmwall.ptz.joystick import (
    ButtonPressed,
    ButtonReleased,
    JoystickAttached,
    JoystickDetached,
    JoystickEvent,
    JoystickReader,
    StickMoved,
    VirtualJoystick,
)
from vmwall.ptz.joystick_mapping import (
    Api,
    JoystickAction,
    MappingSet,
    builtin_profiles,
    combine,
    parse_mapping,
)

WAIT_S = 5.0  # generous: the machine is shared


class Recorder:
    """Collects the reader's events (called on the reader thread)."""

    def __init__(self) -> None:
        self.events: list[JoystickEvent] = []
        self._changed = threading.Condition()

    def __call__(self, event: JoystickEvent) -> None:
        with self._changed:
            self.events.append(event)
            self._changed.notify_all()

    def wait_for(self, predicate: Callable[[JoystickEvent], bool], what: str) -> JoystickEvent:
        deadline = time.monotonic() + WAIT_S
        with self._changed:
            while True:
                for event in self.events:
                    if predicate(event):
                        return event
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no {what} within {WAIT_S} s; events: {self.events}")
                self._changed.wait(left)

    def take(self) -> list[JoystickEvent]:
        with self._changed:
            taken, self.events = self.events, []
            return taken

    def stick(self, device_id: int, pan: float, tilt: float, zoom: float) -> StickMoved:
        def match(e: JoystickEvent) -> bool:
            return (
                isinstance(e, StickMoved)
                and e.device_id == device_id
                and (e.pan, e.tilt, e.zoom) == pytest.approx((pan, tilt, zoom), abs=2e-3)
            )

        event = self.wait_for(match, f"StickMoved({pan}, {tilt}, {zoom})")
        assert isinstance(event, StickMoved)
        return event


def reader_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "joystick-reader" and t.is_alive()]


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def make_reader(recorder: Recorder) -> Iterator[Callable[..., JoystickReader]]:
    readers: list[JoystickReader] = []

    def make(mappings: MappingSet | None = None) -> JoystickReader:
        reader = JoystickReader(mappings or combine((), builtin_profiles()), recorder)
        readers.append(reader)
        reader.start()
        return reader

    yield make
    for reader in readers:
        reader.close()
    assert not reader_threads(), "a joystick reader thread leaked"


@pytest.fixture
def sticks() -> Iterator[Callable[..., VirtualJoystick]]:
    attached: list[VirtualJoystick] = []

    def plug(name: str = "Pelco KBD300A", **kwargs: object) -> VirtualJoystick:
        stick = VirtualJoystick(name, **kwargs)  # type: ignore[arg-type]
        attached.append(stick)
        return stick.attach()

    yield plug
    for stick in attached:
        stick.detach()


def attached(recorder: Recorder, name: str) -> JoystickAttached:
    event = recorder.wait_for(
        lambda e: isinstance(e, JoystickAttached) and e.device.name == name, f"{name} attached"
    )
    assert isinstance(event, JoystickAttached)
    return event


# --- hot-plug ----------------------------------------------------------------------------------------


def test_hot_plug_attach_and_detach_with_the_profile_chosen_by_name(
    make_reader: Callable[..., JoystickReader], sticks: Callable[..., VirtualJoystick], recorder: Recorder
) -> None:
    reader = make_reader()
    assert reader.devices() == ()
    stick = sticks("Pelco KBD300A", axes=3, buttons=16, hats=1)
    device = attached(recorder, "Pelco KBD300A").device
    assert (device.profile_id, device.api, device.axes, device.buttons, device.hats) == (
        "pelco-kbd300a",
        Api.JOYSTICK,
        3,
        16,
        1,
    )
    assert len(device.guid) == 32 and device.instance_id == stick.instance_id
    assert reader.devices() == (device,)

    stick.detach()
    gone = recorder.wait_for(lambda e: isinstance(e, JoystickDetached), "detach")
    assert isinstance(gone, JoystickDetached) and gone.unplugged and gone.device == device
    assert reader.devices() == ()


def test_a_device_present_before_the_reader_starts_is_attached(
    make_reader: Callable[..., JoystickReader], sticks: Callable[..., VirtualJoystick], recorder: Recorder
) -> None:
    sticks("Acme Flight Stick")
    make_reader()
    assert attached(recorder, "Acme Flight Stick").device.profile_id == "generic-joystick"
    assert sum(isinstance(e, JoystickAttached) for e in recorder.events) == 1  # announced once


def test_game_pads_are_read_through_the_game_controller_api(
    make_reader: Callable[..., JoystickReader], sticks: Callable[..., VirtualJoystick], recorder: Recorder
) -> None:
    make_reader()
    pad = sticks("Virtual Pad", axes=6, buttons=15, hats=0, gamecontroller=True)
    device = attached(recorder, "Virtual Pad").device
    assert (
        device.gamecontroller and device.api is Api.GAMECONTROLLER and device.profile_id == "generic-gamepad"
    )
    pad.set_axis(0, -1.0)  # leftx
    pad.set_axis(3, -1.0)  # righty pushed up: zoom in
    recorder.stick(device.instance_id, -1.0, 0.0, 1.0)
    pad.set_button(10, True)  # SDL_CONTROLLER_BUTTON_RIGHTSHOULDER
    pressed = recorder.wait_for(lambda e: isinstance(e, ButtonPressed), "button")
    assert pressed == ButtonPressed(device.instance_id, "rightshoulder", JoystickAction.ZOOM_IN)


def test_close_detaches_every_device_and_is_idempotent(
    make_reader: Callable[..., JoystickReader], sticks: Callable[..., VirtualJoystick], recorder: Recorder
) -> None:
    reader = make_reader()
    sticks("Stick A")
    sticks("Stick B")
    attached(recorder, "Stick A")
    attached(recorder, "Stick B")
    reader.close()
    reader.close()
    detached = [e for e in recorder.events if isinstance(e, JoystickDetached)]
    assert sorted(e.device.name for e in detached) == ["Stick A", "Stick B"]
    assert not any(e.unplugged for e in detached)
    assert not reader_threads() and not reader.running


def test_a_reader_starts_once() -> None:
    reader = JoystickReader(combine((), builtin_profiles()), lambda event: None)
    reader.start()
    try:
        with pytest.raises(RuntimeError):
            reader.start()
    finally:
        reader.close()


# --- axes --------------------------------------------------------------------------------------------


def test_axes_are_shaped_by_the_profile_and_centre_reports_still(
    make_reader: Callable[..., JoystickReader], sticks: Callable[..., VirtualJoystick], recorder: Recorder
) -> None:
    make_reader()
    stick = sticks(
        "Acme Flight Stick"
    )  # generic-joystick: deadzone 0.1 (zoom 0.25), quadratic, tilt inverted
    device = attached(recorder, "Acme Flight Stick").device
    stick.set_axis(0, 1.0)
    stick.set_axis(1, -0.55)  # pushed forward: up; (0.55 - 0.1) / 0.9 = 0.5 → 0.25
    stick.set_axis(2, -1.0)  # twist left: zoom out
    moved = recorder.stick(device.instance_id, 1.0, 0.25, -1.0)
    assert not moved.centred and moved.at <= time.monotonic()
    stick.set_axis(0, 0.05)  # inside the deadzone
    stick.set_axis(1, 0.0)
    stick.set_axis(2, 0.2)
    assert recorder.stick(device.instance_id, 0.0, 0.0, 0.0).centred


def test_a_burst_of_axis_changes_between_polls_is_one_event_with_the_latest_values(
    make_reader: Callable[..., JoystickReader], sticks: Callable[..., VirtualJoystick], recorder: Recorder
) -> None:
    reader = JoystickReader(combine((), builtin_profiles()), recorder, poll_interval_s=0.5)
    reader.start()
    try:
        stick = sticks("Acme Flight Stick")
        device = attached(recorder, "Acme Flight Stick").device
        time.sleep(0.1)
        recorder.take()
        for step in range(1, 11):
            stick.set_axis(0, step / 10)
        recorder.stick(device.instance_id, 1.0, 0.0, 0.0)
        moves = [e for e in recorder.take() if isinstance(e, StickMoved)]
        assert len(moves) <= 2, moves  # at most one poll may fall inside the burst
    finally:
        reader.close()


def test_an_axis_off_centre_at_plug_in_is_ignored_until_it_returns(
    make_reader: Callable[..., JoystickReader], sticks: Callable[..., VirtualJoystick], recorder: Recorder
) -> None:
    stick = sticks("Acme Flight Stick")
    stick.set_axis(2, 1.0)  # a throttle left at one end: must not zoom at plug-in
    stick.set_axis(0, 0.0)
    make_reader()
    device = attached(recorder, "Acme Flight Stick").device
    stick.set_axis(0, 1.0)
    recorder.stick(device.instance_id, 1.0, 0.0, 0.0)  # pan works; zoom still held back
    stick.set_axis(2, 0.0)
    stick.set_axis(0, 0.0)
    recorder.stick(device.instance_id, 0.0, 0.0, 0.0)
    stick.set_axis(2, 1.0)
    recorder.stick(device.instance_id, 0.0, 0.0, 1.0)  # armed once it came back to the centre


def test_a_profile_axis_the_device_lacks_is_left_out(
    make_reader: Callable[..., JoystickReader], sticks: Callable[..., VirtualJoystick], recorder: Recorder
) -> None:
    make_reader()
    stick = sticks("Two Axis Stick", axes=2)
    device = attached(recorder, "Two Axis Stick").device
    stick.set_axis(0, -1.0)
    recorder.stick(device.instance_id, -1.0, 0.0, 0.0)


# --- buttons -----------------------------------------------------------------------------------------


def test_buttons_and_hat_directions_map_to_actions(
    make_reader: Callable[..., JoystickReader], sticks: Callable[..., VirtualJoystick], recorder: Recorder
) -> None:
    make_reader()
    stick = sticks("Acme Flight Stick", buttons=16)
    device = attached(recorder, "Acme Flight Stick").device
    recorder.take()
    # A virtual device holds states, not events: each change must meet a poll to be seen.
    changes: list[tuple[Callable[[], None], int]] = [
        (lambda: stick.set_button(6, True), 1),
        (lambda: stick.set_button(6, False), 2),
        (lambda: stick.set_button(15, True), 3),
        (lambda: stick.set_hat(0, "up", "right"), 5),
        (lambda: stick.set_hat(0, "right"), 6),
        (lambda: stick.set_hat(0), 7),
    ]
    for change, total in changes:
        change()
        recorder.wait_for(lambda e, total=total: len(recorder.events) >= total, f"{total} button events")
    buttons = [e for e in recorder.take() if isinstance(e, ButtonPressed | ButtonReleased)]
    i = device.instance_id
    assert buttons == [
        ButtonPressed(i, "button6", JoystickAction.PRESET_1),
        ButtonReleased(i, "button6", JoystickAction.PRESET_1),
        ButtonPressed(i, "button15", None),
        ButtonPressed(i, "hat0_up", JoystickAction.ZOOM_IN),
        ButtonPressed(i, "hat0_right", JoystickAction.NEXT_CAMERA),
        ButtonReleased(i, "hat0_up", JoystickAction.ZOOM_IN),
        ButtonReleased(i, "hat0_right", JoystickAction.NEXT_CAMERA),
    ]


def test_a_user_profile_matched_by_guid_overrides_the_builtin_one(
    make_reader: Callable[..., JoystickReader],
    sticks: Callable[..., VirtualJoystick],
    recorder: Recorder,
    tmp_path: Path,
) -> None:
    probe_reader = make_reader()
    sticks("Pelco KBD300A", vendor=0x1234, product=0x0042)
    guid = attached(recorder, "Pelco KBD300A").device.guid
    probe_reader.close()
    user = parse_mapping(
        "joysticks.json",
        {
            "version": 1,
            "profiles": [
                {
                    "id": "my-desk",
                    "match": {"guids": [guid]},
                    "axes": {"pan": {"axis": 1, "curve": "linear", "deadzone": 0}},
                    "buttons": {"button0": "next_camera"},
                }
            ],
        },
    )
    recorder.take()
    make_reader(combine(user, builtin_profiles()))
    device = attached(recorder, "Pelco KBD300A").device
    assert device.profile_id == "my-desk" and (device.vendor, device.product) == (0x1234, 0x0042)


def test_a_failing_listener_does_not_stop_the_reader(sticks: Callable[..., VirtualJoystick]) -> None:
    seen = Recorder()

    def listener(event: JoystickEvent) -> None:
        seen(event)
        raise RuntimeError("console bug")

    reader = JoystickReader(combine((), builtin_profiles()), listener)
    reader.start()
    try:
        stick = sticks("Acme Flight Stick")
        device = attached(seen, "Acme Flight Stick").device
        stick.set_axis(0, 1.0)
        seen.stick(device.instance_id, 1.0, 0.0, 0.0)
        assert reader.running
    finally:
        reader.close()
