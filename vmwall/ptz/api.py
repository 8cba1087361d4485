"""PTZ: the Qt-free types and the service interface the console and the joystick drive.

Cameras are named by their catalogue **number** (what operators type on the keypad) everywhere.

Threading contract of `PtzService` (the implementation is `vmwall.ptz.service.OnvifPtzService`):

- **Every method returns at once.** None does I/O on the caller's thread; the GUI thread may call
  any of them. ONVIF work runs on one asyncio loop thread; lock-store (database) work on one lock
  worker thread.
- Methods that produce a result return a `concurrent.futures.Future`. Never call ``.result()`` on
  the GUI thread: use ``future.add_done_callback`` and hand the value to the GUI thread (the UI's
  bridge). Futures complete on the service's threads.
- A failed operation fails its future with a `PtzError` (a `UserFacingError` whose message names
  the camera) **and** is reported once to the listeners' ``ptz_failed``: a UI may ignore futures
  and show errors from the listener only. Fire-and-forget calls (`velocity`, `stop`, `stop_all`,
  tours, auto-home) report through the listeners only.
- Listener methods are called from the service's threads (never from inside the caller's own
  call), must return quickly and must not block; a listener that raises is logged and kept.
- `velocity` is coalesced per camera: the latest value wins, at most ``max_rate`` requests per
  second reach a camera; ``(0, 0, 0)`` is a Stop, sent at once (not delayed by the rate limit).
- Commands that move a camera (velocity, moves, presets, home, tours) need the control lock:
  they take it when it is free (or already ours) and renew it; when another operator holds it
  they fail with ``PtzErrorKind.LOCKED``. Taking over from a lower priority is explicit:
  `take_control`. An operator's lock lapses after ``idle_release_s`` without a command.
- ``close()`` stops every camera this service moved, releases its locks, stops its threads; it is
  idempotent and may block for a bounded time (call it from a worker or at exit).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol, runtime_checkable

from vmwall.errors import UserFacingError
from vmwall.model.ptz import (
    LockHolder,
    LockOutcome,
    LockStatus,
    Operator,
    PtzCapabilities,
    PtzPosition,
    PtzPreset,
    Range,
)

# --- tours -----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TourStep:
    """Go to a preset, then stay ``dwell_s`` seconds once there (travel time not counted)."""

    preset: str  # preset token
    dwell_s: float

    def __post_init__(self) -> None:
        if not self.preset:
            raise ValueError("a tour step needs a preset")
        if not math.isfinite(self.dwell_s) or not 0.0 <= self.dwell_s <= 3600.0:
            raise ValueError(f"dwell time {self.dwell_s} s is outside 0..3600 s")


@dataclass(frozen=True, slots=True)
class TourState:
    camera: int
    steps: tuple[TourStep, ...]
    running: bool
    step: int = 0  # index of the current step
    started_by: str = ""  # login
    loop: bool = True
    reason: str = ""  # why it stopped, when not running ("stopped", "taken over", an error…)


# --- the control lock ------------------------------------------------------------------------------


class LockStore(Protocol):
    """The shared coordinator of control locks (the database: `vmwall.store.repositories.ptz_locks`).

    Every method is blocking and atomic (compare-and-set in one transaction); the service calls
    them on its lock worker thread only. Times are timezone-aware UTC.
    """

    def acquire(
        self, camera: int, operator: Operator, lease_s: float, *, take_over: bool, now: datetime
    ) -> LockOutcome: ...

    def renew(self, camera: int, operator: Operator, lease_s: float, *, now: datetime) -> LockHolder | None:
        """Extend our lease; None when we no longer hold it (lapsed and taken, or taken over)."""
        ...

    def release(self, camera: int, operator: Operator) -> bool:
        """Drop our lock; False when we did not hold it."""
        ...

    def holders(self, cameras: Sequence[int] | None, *, now: datetime) -> dict[int, LockHolder]:
        """Live (unexpired) holders of these cameras (None: all cameras)."""
        ...


# --- events and errors -----------------------------------------------------------------------------


class PtzAction(StrEnum):
    MOVE = "move"  # continuous move started (a stick deflection / pad drag); detail "pan,tilt,zoom"
    STOP = "stop"
    ABSOLUTE_MOVE = "absolute-move"
    RELATIVE_MOVE = "relative-move"
    CENTRE = "centre"
    ZOOM_BOX = "zoom-box"
    HOME = "home"
    SET_HOME = "set-home"
    GOTO_PRESET = "goto-preset"
    SET_PRESET = "set-preset"
    RENAME_PRESET = "rename-preset"
    REMOVE_PRESET = "remove-preset"
    TOUR_START = "tour-start"
    TOUR_STOP = "tour-stop"
    TAKE_CONTROL = "take-control"
    TAKE_OVER = "take-over"
    RELEASE = "release"
    IDLE_RELEASE = "idle-release"
    AUTO_HOME = "auto-home"
    FOCUS = "focus"  # detail "near 0.50", "far 0.50", "stop", "auto on", "auto off"…


@dataclass(frozen=True, slots=True)
class PtzEvent:
    """One PTZ action, for the journal: who (login), which camera, what, when (UTC)."""

    at: datetime
    user: str
    camera: int
    action: PtzAction
    detail: str = ""
    console: str = ""


class PtzErrorKind(StrEnum):
    AUTH = "auth"  # the camera refused the credentials
    UNREACHABLE = "unreachable"  # no answer within the timeout, connection refused…
    PROTOCOL = "protocol"  # SOAP fault or an answer vmwall cannot use
    UNSUPPORTED = "unsupported"  # fixed camera, or a mode the camera does not offer
    LOCKED = "locked"  # another operator holds the camera
    NOT_FOUND = "not-found"  # unknown camera or preset
    INVALID = "invalid"  # bad input (out of range, empty name…)
    STORE = "store"  # the lock coordinator (database) failed


class PtzError(UserFacingError):
    """A PTZ operation failed; the message names the camera (``camera N (name)``)."""

    def __init__(
        self, camera: int, kind: PtzErrorKind, message: str, *, holder: LockHolder | None = None
    ) -> None:
        super().__init__(message)
        self.camera = camera
        self.kind = kind
        self.holder = holder


class PtzListener:
    """Receives what the service does. Subclass and override what you need (defaults do nothing).

    Called from the service's threads: return quickly, never block (see the module docstring).
    """

    def ptz_event(self, event: PtzEvent) -> None:
        """An action was sent to a camera (or a lock changed hands) on behalf of this service."""

    def ptz_failed(self, error: PtzError) -> None:
        """An operation failed; ``error.camera``, ``error.kind``, ``str(error)``."""

    def lock_changed(self, camera: int, holder: LockHolder | None) -> None:
        """The holder of a watched camera changed (None: free), whoever changed it."""

    def tour_changed(self, state: TourState) -> None:
        """A tour started, moved to another step, or stopped."""

    def camera_recovered(self, camera: int) -> None:
        """A camera that had failed answers again (the pending Stop has been delivered)."""


# --- the service -----------------------------------------------------------------------------------


class PtzService(Protocol):
    """PTZ for one operator at one console (or one CLI run). See the module docstring."""

    @property
    def operator(self) -> Operator: ...

    @property
    def max_rate(self) -> float:
        """Most ContinuousMove requests per second sent to one camera."""
        ...

    def start(self) -> None: ...

    def close(self) -> None: ...

    # listeners
    def add_listener(self, listener: PtzListener) -> None: ...

    def remove_listener(self, listener: PtzListener) -> None: ...

    # reading (no lock needed)
    def capabilities(self, camera: int) -> Future[PtzCapabilities]:
        """Read once per camera and cached; a fixed camera gives ``PtzCapabilities.fixed()``."""
        ...

    def status(self, camera: int) -> Future[PtzPosition]: ...

    def presets(self, camera: int) -> Future[list[PtzPreset]]: ...

    # continuous control (fire-and-forget; failures go to ptz_failed)
    def velocity(self, camera: int, pan: float, tilt: float, zoom: float) -> None:
        """Speeds in [-1, 1] (pan right +, tilt up +, zoom in +); clamped. (0, 0, 0) stops."""
        ...

    def stop(self, camera: int) -> None: ...

    def stop_all(self) -> None:
        """Stop every camera this service is moving (focus loss, window change, joystick unplugged)."""
        ...

    # positioning
    def absolute_move(
        self, camera: int, pan: float, tilt: float, zoom: float | None = None
    ) -> Future[None]: ...

    def relative_move(self, camera: int, pan: float, tilt: float, zoom: float = 0.0) -> Future[None]: ...

    def centre_on(self, camera: int, x: float, y: float) -> Future[None]:
        """Bring the point clicked in the picture to its centre. ``x``, ``y`` in [-1, 1] from the
        centre of the picture: x right +, y **up** + (convert from widget coordinates, which go down)."""
        ...

    def zoom_to_box(self, camera: int, x0: float, y0: float, x1: float, y1: float) -> Future[None]:
        """Centre the box (corners in the same coordinates as `centre_on`) and zoom so that it fills
        the picture. A box of zero size only centres."""
        ...

    def home(self, camera: int) -> Future[None]: ...

    def set_home(self, camera: int) -> Future[None]: ...

    # presets
    def goto_preset(self, camera: int, token: str) -> Future[None]: ...

    def set_preset(self, camera: int, name: str, token: str | None = None) -> Future[PtzPreset]:
        """Store the current position as a new preset (``token`` None) or over an existing one."""
        ...

    def rename_preset(self, camera: int, token: str, name: str) -> Future[PtzPreset]: ...

    def remove_preset(self, camera: int, token: str) -> Future[None]: ...

    # tours
    def start_tour(self, camera: int, steps: Sequence[TourStep], *, loop: bool = True) -> Future[None]: ...

    def stop_tour(self, camera: int) -> None: ...

    def tours(self) -> dict[int, TourState]:
        """This service's tours (running or last stopped), instantly (no I/O)."""
        ...

    # the control lock
    def take_control(self, camera: int) -> Future[LockOutcome]:
        """Take the camera; take it over from a lower priority; refused otherwise."""
        ...

    def release(self, camera: int) -> Future[None]: ...

    def holder(self, camera: int) -> Future[LockHolder | None]: ...

    def holders(self, cameras: Iterable[int]) -> Future[dict[int, LockHolder]]: ...

    def watch(self, cameras: Iterable[int]) -> None:
        """Poll these cameras' holders (every ``poll_s``) and report changes to ``lock_changed``;
        replaces the previous set. Every console watches the PTZ cameras it shows."""
        ...


# --- focus (ONVIF imaging service) ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FocusCapabilities:
    """What vmwall can do with a camera's lens. ``reason`` says why not, when it can do nothing."""

    continuous: bool = False  # focus near / far while a button is held
    auto: bool = False  # autofocus can be switched on and off
    auto_on: bool | None = None  # autofocus on now (None: the camera does not say)
    reason: str = ""

    @property
    def any(self) -> bool:
        return self.continuous or self.auto


@dataclass(frozen=True, slots=True)
class FocusStatus:
    position: float | None  # in the camera's own units (None: not given)
    moving: bool
    auto: bool | None  # autofocus on (None: unknown)


@runtime_checkable
class FocusService(Protocol):
    """Focus through the camera's ONVIF imaging service; same threading contract as `PtzService`.

    `focus` is fire-and-forget and coalesced per camera like `PtzService.velocity` (latest wins,
    at most ``max_rate`` Moves per second, 0 is a Stop sent at once); ONVIF continuous focus has no
    timeout, so a focus held longer than the service's limit is stopped by the service. Focusing
    and switching autofocus need the control lock, like moves. Every action is a
    `PtzAction.FOCUS` event.
    """

    def focus_capabilities(self, camera: int) -> Future[FocusCapabilities]: ...

    def focus(self, camera: int, speed: float) -> None:
        """Continuous focus, speed in [-1, 1]: far +, near −; 0 stops."""
        ...

    def focus_stop(self, camera: int) -> None: ...

    def auto_focus(self, camera: int, on: bool) -> Future[None]: ...

    def focus_status(self, camera: int) -> Future[FocusStatus]: ...


@dataclass(frozen=True, slots=True)
class PtzSettings:
    """Tunables of the service (the console's settings may override them)."""

    max_rate: float = 10.0  # ContinuousMove requests per second and camera
    move_timeout_s: float = 1.0  # ContinuousMove Timeout: the camera stops by itself after this
    request_timeout_s: float = 3.0  # one ONVIF request
    idle_release_s: float = 30.0  # the control lock lapses after this long without a command
    auto_home: bool = False  # send a camera home when its lock is released after idle
    poll_s: float = 2.0  # holders of watched cameras
    retry_s: float = 1.0  # after a failure, how often a pending Stop is retried
    focus_max_hold_s: float = 15.0  # a continuous focus (no ONVIF timeout) is stopped after this long
    priorities: dict[str, int] = field(
        default_factory=lambda: {
            "chef-de-salle": 20,
            "operateur": 10,
            "policier-municipal": 10,
            "administrateur": 5,
        }
    )

    def priority_of(self, role: str) -> int:
        return self.priorities.get(role, 0)


__all__ = [
    "FocusCapabilities",
    "FocusService",
    "FocusStatus",
    "LockHolder",
    "LockOutcome",
    "LockStatus",
    "LockStore",
    "Operator",
    "PtzAction",
    "PtzCapabilities",
    "PtzError",
    "PtzErrorKind",
    "PtzEvent",
    "PtzListener",
    "PtzPosition",
    "PtzPreset",
    "PtzService",
    "PtzSettings",
    "Range",
    "TourState",
    "TourStep",
]
