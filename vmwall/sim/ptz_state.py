"""Pan/tilt/zoom mechanics of one simulated camera, in ONVIF generic spaces.

Pan and tilt live in [-1, 1], zoom in [0, 1]. Each axis moves on its own at a finite speed:
continuous moves integrate velocity (and stop by themselves at their timeout), absolute and
relative moves travel to a target. Positions are computed from the clock when asked, so nothing
ticks in the background. Thread-safe: the ONVIF server commands it, the RTSP renderer reads it.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass

PAN_LIMITS = (-1.0, 1.0)
TILT_LIMITS = (-1.0, 1.0)
ZOOM_LIMITS = (0.0, 1.0)
DEFAULT_MAX_PRESETS = 64


@dataclass(frozen=True, slots=True)
class PtzPosition:
    pan: float
    tilt: float
    zoom: float


@dataclass(frozen=True, slots=True)
class ReceivedCommand:
    """A PTZ request as the simulated head received it (for tests and benchmarks)."""

    at: float  # time.monotonic() (machine-wide: comparable across processes) when it reached the handler
    operation: str  # "ContinuousMove", "Stop"...
    args: tuple[float | None, ...] = ()  # ContinuousMove: (pan, tilt, zoom, timeout_s)


@dataclass(frozen=True, slots=True)
class PtzSpeed:
    """Fractions of each axis' maximum speed, in (0, 1] (ONVIF generic speed spaces)."""

    pan: float = 1.0
    tilt: float = 1.0
    zoom: float = 1.0


class PtzError(Exception):
    pass


class UnknownPresetError(PtzError, KeyError):
    pass


class PresetNameExistsError(PtzError, ValueError):
    pass


class TooManyPresetsError(PtzError):
    pass


def _check_finite(*values: float | None) -> None:
    for value in values:
        if value is not None and not math.isfinite(value):
            raise ValueError("PTZ values must be finite numbers")


def _speed_fraction(value: float) -> float:
    # ONVIF speed 0 would never arrive: treat it (and anything ≤ 0) as the default, full speed.
    return 1.0 if value <= 0 else min(value, 1.0)


class _Axis:
    """One axis: an anchor (position at time t0) plus the motion started then."""

    __slots__ = ("deadline", "high", "low", "max_speed", "pos", "speed", "t0", "target", "velocity")

    def __init__(self, low: float, high: float, max_speed: float, pos: float, now: float) -> None:
        self.low = low
        self.high = high
        self.max_speed = max_speed
        self.pos = pos
        self.t0 = now
        self.velocity = 0.0  # units/s (continuous mode)
        self.deadline = math.inf  # end of the continuous move
        self.target: float | None = None  # target mode
        self.speed = 0.0  # units/s towards target

    def clamp(self, value: float) -> float:
        return min(self.high, max(self.low, value))

    def at(self, now: float) -> float:
        elapsed = max(0.0, now - self.t0)
        if self.target is not None:
            distance = self.target - self.pos
            travel = self.speed * elapsed
            return self.target if travel >= abs(distance) else self.pos + math.copysign(travel, distance)
        if self.velocity:
            moving_for = max(0.0, min(now, self.deadline) - self.t0)
            return self.clamp(self.pos + self.velocity * moving_for)
        return self.pos

    def moving(self, now: float) -> bool:
        if self.target is not None:
            return now < self.t0 + abs(self.target - self.pos) / self.speed
        if self.velocity and now < self.deadline:
            position = self.at(now)
            return not (
                (self.velocity > 0 and position >= self.high) or (self.velocity < 0 and position <= self.low)
            )
        return False

    def settle(self, now: float) -> None:
        """Re-anchor at `now`; forget the motion if it is over."""
        self.pos = self.at(now)
        self.t0 = now
        if not self.moving(now):
            self.halt()

    def halt(self) -> None:
        self.velocity = 0.0
        self.deadline = math.inf
        self.target = None
        self.speed = 0.0

    def start_velocity(self, fraction: float, deadline: float) -> None:
        self.halt()
        fraction = max(-1.0, min(1.0, fraction))
        if fraction:
            self.velocity = fraction * self.max_speed
            self.deadline = deadline

    def start_target(self, target: float, speed_fraction: float) -> None:
        self.halt()
        target = self.clamp(target)
        if target != self.pos:
            self.target = target
            self.speed = _speed_fraction(speed_fraction) * self.max_speed


class PtzState:
    """Position, motion, presets and home of one simulated PTZ head."""

    def __init__(
        self,
        clock: Callable[[], float] = time.monotonic,
        *,
        pan_speed: float = 0.5,
        tilt_speed: float = 0.5,
        zoom_speed: float = 0.5,
        max_presets: int = DEFAULT_MAX_PRESETS,
    ) -> None:
        if min(pan_speed, tilt_speed, zoom_speed) <= 0:
            raise ValueError("axis speeds must be > 0")
        self._clock = clock
        self._lock = threading.Lock()
        now = clock()
        self._pan = _Axis(*PAN_LIMITS, pan_speed, 0.0, now)
        self._tilt = _Axis(*TILT_LIMITS, tilt_speed, 0.0, now)
        self._zoom = _Axis(*ZOOM_LIMITS, zoom_speed, 0.0, now)
        self._revision = 0
        self._presets: dict[str, tuple[str, PtzPosition]] = {}
        self._next_preset = 1
        self._home = PtzPosition(0.0, 0.0, 0.0)
        self.max_presets = max_presets
        # Test hooks: what the head offers, whether it answers, what it received.
        self._unsupported: frozenset[str] = frozenset()
        self.fov_space = True  # RelativeMove accepts the TranslationSpaceFov space
        self._answering = threading.Event()
        self._answering.set()
        self._received: deque[ReceivedCommand] = deque(maxlen=100_000)
        self._received_lock = threading.Lock()
        self._observers: tuple[Callable[[ReceivedCommand], None], ...] = ()

    # --- test hooks -------------------------------------------------------------------------------

    @property
    def unsupported(self) -> frozenset[str]:
        """ONVIF operations this head refuses (and the spaces it then does not advertise)."""
        with self._lock:
            return self._unsupported

    @unsupported.setter
    def unsupported(self, operations: Iterable[str]) -> None:
        with self._lock:
            self._unsupported = frozenset(operations)

    @property
    def answering(self) -> bool:
        return self._answering.is_set()

    def stall(self) -> None:
        """Stop answering PTZ requests (they hang until `resume`); motion goes on meanwhile,
        including the end of a continuous move at its timeout."""
        self._answering.clear()

    def resume(self) -> None:
        self._answering.set()

    def record(self, operation: str, *args: float | None) -> None:
        command = ReceivedCommand(time.monotonic(), operation, tuple(args))
        with self._received_lock:
            self._received.append(command)
            observers = self._observers
        for observer in observers:
            observer(command)

    def observe(self, callback: Callable[[ReceivedCommand], None]) -> None:
        """Call ``callback`` with every request as it arrives (on the device's thread; be quick)."""
        with self._received_lock:
            self._observers = (*self._observers, callback)

    def received(self, operation: str | None = None) -> list[ReceivedCommand]:
        """Requests received so far (oldest first), optionally of one operation only."""
        with self._received_lock:
            items = list(self._received)
        return items if operation is None else [c for c in items if c.operation == operation]

    def clear_received(self) -> None:
        with self._received_lock:
            self._received.clear()

    # --- reading ----------------------------------------------------------------------------------

    def position(self) -> PtzPosition:
        now = self._clock()
        with self._lock:
            return PtzPosition(self._pan.at(now), self._tilt.at(now), self._zoom.at(now))

    def is_moving(self) -> bool:
        now = self._clock()
        with self._lock:
            return any(axis.moving(now) for axis in (self._pan, self._tilt, self._zoom))

    def moving_axes(self) -> tuple[bool, bool]:
        """(pan/tilt moving, zoom moving), for ONVIF MoveStatus."""
        now = self._clock()
        with self._lock:
            return self._pan.moving(now) or self._tilt.moving(now), self._zoom.moving(now)

    @property
    def revision(self) -> int:
        with self._lock:
            return self._revision

    @property
    def home(self) -> PtzPosition:
        with self._lock:
            return self._home

    # --- moving -----------------------------------------------------------------------------------

    def _settle_all(self) -> float:
        now = self._clock()
        for axis in (self._pan, self._tilt, self._zoom):
            axis.settle(now)
        self._revision += 1
        return now

    def continuous_move(
        self, pan_vel: float | None, tilt_vel: float | None, zoom_vel: float | None, timeout_s: float | None
    ) -> None:
        """Move at velocities in [-1, 1] (fractions of the axis speed); None leaves an axis as it is.

        The move stops by itself `timeout_s` seconds from now (never if None).
        """
        _check_finite(pan_vel, tilt_vel, zoom_vel, timeout_s)
        with self._lock:
            now = self._settle_all()
            deadline = math.inf if timeout_s is None else now + max(0.0, timeout_s)
            for axis, velocity in ((self._pan, pan_vel), (self._tilt, tilt_vel), (self._zoom, zoom_vel)):
                if velocity is not None:
                    axis.start_velocity(velocity, deadline)

    def stop(self, pan_tilt: bool = True, zoom: bool = True) -> None:
        with self._lock:
            self._settle_all()
            if pan_tilt:
                self._pan.halt()
                self._tilt.halt()
            if zoom:
                self._zoom.halt()

    def _move_to(
        self, pan: float | None, tilt: float | None, zoom: float | None, speed: PtzSpeed | None
    ) -> None:
        speed = speed or PtzSpeed()
        _check_finite(pan, tilt, zoom, speed.pan, speed.tilt, speed.zoom)
        for axis, target, fraction in (
            (self._pan, pan, speed.pan),
            (self._tilt, tilt, speed.tilt),
            (self._zoom, zoom, speed.zoom),
        ):
            if target is not None:
                axis.start_target(target, fraction)

    def absolute_move(self, pos: PtzPosition, speed: PtzSpeed | None = None) -> None:
        """Travel to `pos` (clamped to the limits) at `speed`; not a jump."""
        with self._lock:
            self._settle_all()
            self._move_to(pos.pan, pos.tilt, pos.zoom, speed)

    def relative_move(
        self, dpan: float | None, dtilt: float | None, dzoom: float | None, speed: PtzSpeed | None = None
    ) -> None:
        """Travel by the given offsets from the current position; None leaves an axis as it is."""
        _check_finite(dpan, dtilt, dzoom)
        with self._lock:
            self._settle_all()
            self._move_to(
                None if dpan is None else self._pan.pos + dpan,
                None if dtilt is None else self._tilt.pos + dtilt,
                None if dzoom is None else self._zoom.pos + dzoom,
                speed,
            )

    # --- presets and home -------------------------------------------------------------------------

    def set_preset(self, name: str | None, token: str | None = None) -> str:
        """Store the current position; a new preset without `token`, else overwrite that one."""
        with self._lock:
            now = self._settle_all()
            here = PtzPosition(self._pan.at(now), self._tilt.at(now), self._zoom.at(now))
            if token is not None:
                if token not in self._presets:
                    raise UnknownPresetError(token)
                old_name = self._presets[token][0]
                name = name or old_name
                if any(n == name and t != token for t, (n, _) in self._presets.items()):
                    raise PresetNameExistsError(name)
                self._presets[token] = (name, here)
                return token
            if len(self._presets) >= self.max_presets:
                raise TooManyPresetsError(f"at most {self.max_presets} presets")
            while f"preset_{self._next_preset}" in self._presets:
                self._next_preset += 1
            token = f"preset_{self._next_preset}"
            self._next_preset += 1
            name = name or f"Preset {token.removeprefix('preset_')}"
            if any(n == name for n, _ in self._presets.values()):
                raise PresetNameExistsError(name)
            self._presets[token] = (name, here)
            return token

    def goto_preset(self, token: str, speed: PtzSpeed | None = None) -> None:
        with self._lock:
            if token not in self._presets:
                raise UnknownPresetError(token)
            target = self._presets[token][1]
            self._settle_all()
            self._move_to(target.pan, target.tilt, target.zoom, speed)

    def remove_preset(self, token: str) -> None:
        with self._lock:
            if token not in self._presets:
                raise UnknownPresetError(token)
            del self._presets[token]
            self._revision += 1

    def presets(self) -> list[tuple[str, str, PtzPosition]]:
        with self._lock:
            return [(token, name, pos) for token, (name, pos) in self._presets.items()]

    def goto_home(self, speed: PtzSpeed | None = None) -> None:
        with self._lock:
            home = self._home
            self._settle_all()
            self._move_to(home.pan, home.tilt, home.zoom, speed)

    def set_home(self) -> None:
        with self._lock:
            now = self._settle_all()
            self._home = PtzPosition(self._pan.at(now), self._tilt.at(now), self._zoom.at(now))
