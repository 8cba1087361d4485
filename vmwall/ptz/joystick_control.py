"""The joystick drives the camera of the selected tile: reader events → `PtzService` calls.

`JoystickControl` is the `JoystickReader`'s listener. Qt-free; the console gives it:

- ``selected_camera()``: the number of the camera in the selected tile, or None. Called on the
  reader thread at every event: it must be cheap and thread-safe (read an attribute);
- ``on_console_action(action)``: console-level buttons (next / previous camera), called on the
  reader thread: hand them to the GUI thread through the bridge;
- ``on_error(error)``: what the joystick could not do by itself (no such preset, no focus
  control, take-control refused), as `PtzError` naming the camera, like the service's own
  ``ptz_failed`` (which reports every failure of the service's calls).

What it does:

- a stick deflection → ``service.velocity(camera, pan, tilt, zoom)`` (the service coalesces and
  rate-limits); back to the centre → ``velocity(camera, 0, 0, 0)``, the service's immediate Stop;
- another tile selected while moving (`selection_changed`), focus lost (`set_active(False)`),
  the joystick unplugged, the reader closed → the camera the joystick moved is stopped;
- zoom and focus buttons act while held; presets 1–9, home, take / release control, stop on press.
  Several devices may be attached: the last one deflected drives; held zoom buttons override
  the zoom axis.

A preset number N means the camera's preset whose token is N (``"3"``, ``"preset_3"``,
``"Preset003"``; not a UUID that happens to end in 3), else the one whose name is N or starts
with N and a separator (``"3 - Parvis"``), else the N-th of the camera's list.
"""

from __future__ import annotations

import functools
import logging
import re
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Protocol

from vmwall.ptz.api import LockOutcome, PtzCapabilities, PtzError, PtzErrorKind, PtzPreset, PtzService
from vmwall.ptz.joystick import (
    ButtonPressed,
    ButtonReleased,
    JoystickAttached,
    JoystickDetached,
    JoystickEvent,
    StickMoved,
)
from vmwall.ptz.joystick_mapping import JoystickAction
from vmwall.ptz.lock import describe_holder

log = logging.getLogger(__name__)

BUTTON_ZOOM_SPEED = 0.5
FOCUS_SPEED = 0.5
Velocity = tuple[float, float, float]
_STILL: Velocity = (0.0, 0.0, 0.0)
_CONSOLE_ACTIONS = frozenset({JoystickAction.NEXT_CAMERA, JoystickAction.PREVIOUS_CAMERA})


class FocusDriver(Protocol):
    """Continuous focus (ONVIF imaging service): speed in [-1, 1], far +, near −; 0 stops."""

    def focus(self, camera: int, speed: float) -> None: ...


class JoystickControl:
    """See the module docstring. Thread-safe: every entry point takes one lock, and every service
    call it makes returns at once."""

    def __init__(
        self,
        service: PtzService,
        selected_camera: Callable[[], int | None],
        *,
        on_console_action: Callable[[JoystickAction], None] | None = None,
        on_error: Callable[[PtzError], None] | None = None,
        focus: FocusDriver | None = None,
        button_zoom_speed: float = BUTTON_ZOOM_SPEED,
        focus_speed: float = FOCUS_SPEED,
    ) -> None:
        if not 0.0 < button_zoom_speed <= 1.0 or not 0.0 < focus_speed <= 1.0:
            raise ValueError("button speeds must be in (0, 1]")
        self._service = service
        self._selected_camera = selected_camera
        self._on_console_action = on_console_action
        self._on_error = on_error
        self._focus = focus
        self._button_zoom_speed = button_zoom_speed
        self._focus_speed = focus_speed
        self._lock = threading.RLock()
        self._sticks: dict[int, Velocity] = {}  # deflected devices, the most recently moved last
        self._held: dict[tuple[int, str], JoystickAction] = {}  # zoom/focus buttons held down
        self._moving: int | None = None  # the camera the joystick has set in motion
        self._sent: Velocity = _STILL
        self._focusing: tuple[int, float] | None = None
        self._active = True
        self._ptz_capable: dict[int, bool] = {}

    # --- the reader's listener -----------------------------------------------------------------------

    def __call__(self, event: JoystickEvent) -> None:
        self.handle(event)

    def handle(self, event: JoystickEvent) -> None:
        with self._lock:
            if isinstance(event, StickMoved):
                self._sticks.pop(event.device_id, None)
                if not event.centred:
                    self._sticks[event.device_id] = (event.pan, event.tilt, event.zoom)
                self._apply()
            elif isinstance(event, ButtonPressed):
                if event.action is not None:
                    self._pressed(event.device_id, event.control, event.action)
            elif isinstance(event, ButtonReleased):
                if self._held.pop((event.device_id, event.control), None) is not None:
                    self._apply()
            elif isinstance(event, JoystickDetached):
                self._forget(event.device.instance_id)
            elif isinstance(event, JoystickAttached):
                log.debug("joystick %r drives the selected camera", event.device.name)

    @property
    def held(self) -> bool:
        """A stick is off centre or a zoom/focus button is held down: the operator is at work."""
        with self._lock:
            return bool(self._sticks or self._held)

    # --- the console's calls -------------------------------------------------------------------------

    def selection_changed(self) -> None:
        """Another tile (or camera) is selected: stop the camera being moved; a stick still held
        drives the new one."""
        with self._lock:
            self._apply()

    def set_active(self, active: bool) -> None:
        """False on focus loss or when the console hides: stop, and ignore the sticks until the
        console is active again and they move."""
        with self._lock:
            self._active = active
            if not active:
                self._sticks.clear()
                self._held.clear()
                self._apply()

    def stop(self) -> None:
        """Stop whatever the joystick is moving (the sticks must move again to restart it)."""
        with self._lock:
            self._sticks.clear()
            self._held.clear()
            self._apply()

    @property
    def moving_camera(self) -> int | None:
        with self._lock:
            return self._moving

    # --- state → service -----------------------------------------------------------------------------

    def _wanted(self) -> Velocity:
        if not self._active:
            return _STILL
        pan, tilt, zoom = next(reversed(self._sticks.values())) if self._sticks else _STILL
        held = set(self._held.values())
        zoom_in, zoom_out = JoystickAction.ZOOM_IN in held, JoystickAction.ZOOM_OUT in held
        if zoom_in or zoom_out:  # the buttons override the zoom axis (both held: no zoom)
            zoom = (int(zoom_in) - int(zoom_out)) * self._button_zoom_speed
        return (pan, tilt, zoom)

    def _apply(self) -> None:
        camera = self._camera()
        wanted = self._wanted()
        if self._moving is not None and self._moving != camera:
            self._service.velocity(self._moving, *_STILL)
            self._moving, self._sent = None, _STILL
        if camera is not None and self._ptz_capable.get(camera, True) and wanted != self._sent:
            self._service.velocity(camera, *wanted)
            self._sent = wanted
            self._moving = None if wanted == _STILL else camera
        self._apply_focus(camera)

    def _apply_focus(self, camera: int | None) -> None:
        held = set(self._held.values()) if self._active else set()
        direction = int(JoystickAction.FOCUS_FAR in held) - int(JoystickAction.FOCUS_NEAR in held)
        wanted = (camera, direction * self._focus_speed) if camera is not None and direction else None
        if wanted == self._focusing or self._focus is None:
            return
        if self._focusing is not None:
            self._focus.focus(self._focusing[0], 0.0)
        if wanted is not None:
            self._focus.focus(*wanted)
        self._focusing = wanted

    def _camera(self) -> int | None:
        try:
            camera = self._selected_camera()
        except Exception:
            log.exception("the console's selected_camera() failed; the joystick drives nothing")
            return None
        if camera is not None and camera not in self._ptz_capable:
            self._ptz_capable[camera] = True  # until the service says otherwise
            self._service.capabilities(camera).add_done_callback(
                functools.partial(self._on_capabilities, camera)
            )
        return camera

    def _on_capabilities(self, camera: int, future: Future[PtzCapabilities]) -> None:
        if future.cancelled() or future.exception() is not None:
            with self._lock:
                self._ptz_capable.pop(camera, None)  # ask again next time
            return
        if not future.result().ptz:
            with self._lock:
                self._ptz_capable[camera] = False
                if self._moving == camera:
                    self._moving, self._sent = None, _STILL

    def _forget(self, device_id: int) -> None:
        self._sticks.pop(device_id, None)
        for key in [key for key in self._held if key[0] == device_id]:
            del self._held[key]
        self._apply()

    # --- buttons -------------------------------------------------------------------------------------

    def _pressed(self, device_id: int, control: str, action: JoystickAction) -> None:
        if action.held:
            if action in (JoystickAction.FOCUS_NEAR, JoystickAction.FOCUS_FAR) and self._focus is None:
                self._report_on_selected(PtzErrorKind.UNSUPPORTED, "has no focus control from vmwall")
                return
            self._held[(device_id, control)] = action
            self._apply()
            return
        if action in _CONSOLE_ACTIONS:
            if self._on_console_action is not None:
                try:
                    self._on_console_action(action)
                except Exception:
                    log.exception("the console failed on the joystick's %s", action.value)
            return
        camera = self._camera()
        if camera is None:
            return
        if action is JoystickAction.STOP:
            self._sticks.clear()
            self._held.clear()
            self._apply()
            self._service.stop_tour(camera)
            self._service.stop(camera)
        elif action is JoystickAction.HOME:
            self._service.home(camera)
        elif action is JoystickAction.TAKE_CONTROL:
            self._service.take_control(camera).add_done_callback(functools.partial(self._on_taken, camera))
        elif action is JoystickAction.RELEASE_CONTROL:
            self._apply_release(camera)
        elif (number := action.preset) is not None:
            self._service.presets(camera).add_done_callback(
                functools.partial(self._on_presets, camera, number)
            )

    def _apply_release(self, camera: int) -> None:
        if self._moving == camera:
            self._service.velocity(camera, *_STILL)
            self._moving, self._sent = None, _STILL
        self._service.release(camera)

    def _on_taken(self, camera: int, future: Future[LockOutcome]) -> None:
        if future.cancelled() or future.exception() is not None:
            return  # the service has reported it to its listeners
        outcome = future.result()
        if not outcome.granted:
            holder = outcome.holder
            self._report(
                PtzError(
                    camera,
                    PtzErrorKind.LOCKED,
                    f"camera {camera} is controlled by {describe_holder(holder)}",
                    holder=holder,
                )
            )

    def _on_presets(self, camera: int, number: int, future: Future[list[PtzPreset]]) -> None:
        if future.cancelled() or future.exception() is not None:
            return  # the service has reported it to its listeners
        preset = preset_numbered(future.result(), number)
        if preset is None:
            self._report(PtzError(camera, PtzErrorKind.NOT_FOUND, f"camera {camera} has no preset {number}"))
            return
        self._service.goto_preset(camera, preset.token)

    def _report_on_selected(self, kind: PtzErrorKind, what: str) -> None:
        camera = self._camera()
        if camera is not None:
            self._report(PtzError(camera, kind, f"camera {camera} {what}"))

    def _report(self, error: PtzError) -> None:
        log.info("joystick: %s", error)
        if self._on_error is not None:
            try:
                self._on_error(error)
            except Exception:
                log.exception("the console's on_error failed")


# A token that is a number, or words then a number ("preset_3", "Preset003"); not a UUID's last digits.
_TOKEN_NUMBER = re.compile(r"^[A-Za-z _-]*?0*([1-9][0-9]*)$")
_LEADING_NUMBER = re.compile(r"^0*([1-9][0-9]*)(?:$|\s*[-–:.)]|\s)")


def preset_numbered(presets: list[PtzPreset], number: int) -> PtzPreset | None:
    """The preset an operator means by ``number`` (see the module docstring)."""
    for preset in presets:
        found = _TOKEN_NUMBER.match(preset.token.strip())
        if found and int(found.group(1)) == number:
            return preset
    for preset in presets:
        found = _LEADING_NUMBER.match(preset.name.strip())
        if found and int(found.group(1)) == number:
            return preset
    return presets[number - 1] if 0 < number <= len(presets) else None
