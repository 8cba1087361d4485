"""The joystick drives the console's PTZ camera (the selected tile's), like the on-screen pad.

One `JoystickReader` per process (SDL's joystick subsystem), started on a worker (SDL takes a
moment to come up, and a machine without it just has no joystick). Its events go to a
`JoystickControl` over the console's current `PtzService`, rebuilt when the service changes
(another account takes the console). The PTZ controller tells it when the selected camera changes
and when the console loses or regains the focus (the joystick stops then). Console-level buttons
(next / previous camera) and the joystick's own errors come back to the GUI thread through the
bridge.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer

from vmwall.config.settings import Action
from vmwall.ptz.api import FocusService, PtzError, PtzService
from vmwall.ptz.joystick import (
    ButtonPressed,
    JoystickEvent,
    JoystickReader,
    JoystickUnavailableError,
    StickMoved,
)
from vmwall.ptz.joystick_control import JoystickControl
from vmwall.ptz.joystick_mapping import JoystickAction, MappingSet, load_mappings_or_builtin
from vmwall.ui.ptz_controller import PtzController

log = logging.getLogger(__name__)

ReaderFactory = Callable[[MappingSet, Callable[[JoystickEvent], None]], JoystickReader]

INPUT_REPORT_S = 1.0  # joystick use is reported to the console's inactivity lock at most this often


class PtzJoystickBinding(QObject):
    """``start()`` (returns at once), idempotent ``close()`` (blocks briefly: call it at exit)."""

    def __init__(
        self,
        controller: PtzController,
        reader_factory: ReaderFactory = JoystickReader,
        mappings: Callable[[], MappingSet] | None = None,
    ) -> None:
        super().__init__(controller)
        self.controller = controller
        self.bridge = controller.bridge
        self._reader_factory = reader_factory
        self._mappings = mappings
        self._lock = threading.Lock()
        self._reader: JoystickReader | None = None
        self._closed = False
        self.control: JoystickControl | None = None  # swapped whole: read by the reader thread
        self._input_reported_at = -1e9  # the reader thread's only state
        # A stick held still sends no events: while one is held, say so every second.
        self._held_timer = QTimer(self)
        self._held_timer.setInterval(round(INPUT_REPORT_S * 1000))
        self._held_timer.timeout.connect(self._on_held_timer_timeout)
        self._held_timer.start()
        self.problem = ""
        controller.service_changed.connect(self._on_controller_service_changed)
        controller.camera_changed.connect(self._on_controller_camera_changed)
        controller.active_changed.connect(self._on_controller_active_changed)
        if controller.service is not None:
            self._on_controller_service_changed(controller.service)

    def start(self) -> None:
        self.bridge.submit("start the joystick reader", self._start_reader, None, self._on_start_failed, self)

    def _start_reader(self) -> None:
        if self._mappings is not None:
            mappings = self._mappings()
        else:
            mappings, error = load_mappings_or_builtin()
            if error is not None:
                self.bridge.deliver(self, self._notify, str(error))
        reader = self._reader_factory(mappings, self._on_reader_event)
        with self._lock:
            if self._closed:
                reader.close()
                return
            self._reader = reader
        try:
            reader.start()
        except JoystickUnavailableError as error:
            log.info("%s", error)
            with self._lock:
                self._reader = None
            self.problem = str(error)

    def _on_start_failed(self, error: Exception) -> None:
        log.warning("the joystick reader cannot start: %s", error)
        self.problem = str(error)

    def close(self) -> None:
        self._held_timer.stop()
        with self._lock:
            self._closed = True
            reader, self._reader = self._reader, None
        control, self.control = self.control, None
        if control is not None:
            control.stop()
        if reader is not None:
            reader.close()

    # --- the reader thread --------------------------------------------------------------------

    def _on_reader_event(self, event: JoystickEvent) -> None:
        control = self.control
        if control is not None:
            control(event)
        # A stick held off centre or a button pressed is the operator at work (a resting stick's
        # noise is inside the dead zone, so it never keeps a console awake).
        if (isinstance(event, StickMoved) and not event.centred) or isinstance(event, ButtonPressed):
            now = time.monotonic()
            if now - self._input_reported_at >= INPUT_REPORT_S:
                self._input_reported_at = now
                self.bridge.deliver(self, self._report_input)

    def _report_input(self) -> None:
        self.controller.operator_input.emit()

    def _on_held_timer_timeout(self) -> None:
        control = self.control
        if control is not None and control.held:
            self.controller.operator_input.emit()

    # --- the controller (GUI thread) ----------------------------------------------------------

    def _on_controller_service_changed(self, service: PtzService | None) -> None:
        old, self.control = self.control, None
        if old is not None:
            old.stop()
        if service is None or self._closed:
            return
        bridge = self.bridge
        self.control = JoystickControl(
            service,
            self.controller.selected_camera,
            on_console_action=lambda action: bridge.deliver(self, self._on_console_action, action),
            on_error=lambda error: bridge.deliver(self, self._on_error, error),
            focus=service if isinstance(service, FocusService) else None,  # the lens' imaging service
        )

    def _on_controller_camera_changed(self, _camera: int | None) -> None:
        if self.control is not None:
            self.control.selection_changed()

    def _on_controller_active_changed(self, active: bool) -> None:
        if self.control is not None:
            self.control.set_active(active)

    def _on_console_action(self, action: JoystickAction) -> None:
        grid = self.controller.current_grid()
        if grid is None:
            return
        if action is JoystickAction.NEXT_CAMERA:
            grid.run_action(Action.NEXT_CAMERA)
        elif action is JoystickAction.PREVIOUS_CAMERA:
            grid.run_action(Action.PREVIOUS_CAMERA)

    def _on_error(self, error: PtzError) -> None:
        self.controller.show_error(error)

    def _notify(self, text: str) -> None:
        self.controller.notice_posted.emit(text)
