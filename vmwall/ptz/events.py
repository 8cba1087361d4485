"""Fan-out of PTZ events to listeners; a listener that raises is logged and kept."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime

from vmwall.ptz.api import (
    LockHolder,
    Operator,
    PtzAction,
    PtzError,
    PtzEvent,
    PtzListener,
    TourState,
)

log = logging.getLogger(__name__)


class Listeners:
    def __init__(self, operator: Operator, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self._operator = operator
        self._clock = clock
        self._lock = threading.Lock()
        self._listeners: tuple[PtzListener, ...] = ()

    def add(self, listener: PtzListener) -> None:
        with self._lock:
            if listener not in self._listeners:
                self._listeners = (*self._listeners, listener)

    def remove(self, listener: PtzListener) -> None:
        with self._lock:
            self._listeners = tuple(item for item in self._listeners if item is not listener)

    def event(self, camera: int, action: PtzAction, detail: str = "") -> PtzEvent:
        event = PtzEvent(
            at=self._clock(),
            user=self._operator.login,
            camera=camera,
            action=action,
            detail=detail,
            console=self._operator.console,
        )
        log.info(
            "PTZ %s camera %d by %s%s", action.value, camera, event.user, f": {detail}" if detail else ""
        )
        self._each(lambda listener: listener.ptz_event(event))
        return event

    def failed(self, error: PtzError) -> None:
        log.info("PTZ camera %d failed: %s", error.camera, error)  # the listeners tell the operator
        self._each(lambda listener: listener.ptz_failed(error))

    def lock_changed(self, camera: int, holder: LockHolder | None) -> None:
        self._each(lambda listener: listener.lock_changed(camera, holder))

    def tour_changed(self, state: TourState) -> None:
        self._each(lambda listener: listener.tour_changed(state))

    def recovered(self, camera: int) -> None:
        log.info("PTZ camera %d answers again", camera)
        self._each(lambda listener: listener.camera_recovered(camera))

    def _each(self, call: Callable[[PtzListener], None]) -> None:
        for listener in self._listeners:
            try:
                call(listener)
            except Exception:
                log.exception("PTZ listener %r failed", listener)


def format_velocity(pan: float, tilt: float, zoom: float) -> str:
    return f"pan {pan:+.2f} tilt {tilt:+.2f} zoom {zoom:+.2f}"


__all__ = ["Listeners", "format_velocity"]
