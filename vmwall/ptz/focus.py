"""Focus near / far / auto through the cameras' ONVIF imaging service, on the PTZ loop.

`FocusPilot` is owned by `vmwall.ptz.service.OnvifPtzService` and runs on its asyncio loop (every
method is called there); the service gives it a `FocusHost` (camera resolution, the control lock,
events, error reports). Per camera, like the PTZ pilot:

- **latest wins**: `set` records the wanted speed; one task per camera sends it, one request in
  flight per camera; Moves at most ``max_rate`` per second, Stops at once;
- **manual override**: a lens in AUTO mode refuses manual moves on many cameras: the first
  near/far switches it to MANUAL (an event says so);
- **timeout-safe stop**: ONVIF continuous focus has no timeout, so the pilot stops a focus held
  longer than ``max_hold_s`` itself; a Move or Stop that failed (timeout, fault) leaves the lens
  possibly moving: Stop is retried every ``retry_s`` until the camera answers, then the pilot
  waits for a new speed;
- every action is reported as a `PtzAction.FOCUS` event (detail "near 0.50", "stop"…).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from collections.abc import Awaitable, Callable
from typing import Protocol, TypeVar

from vmwall.onvif.errors import CameraAuthError
from vmwall.onvif.imaging import OnvifImagingDevice
from vmwall.ptz.api import FocusCapabilities, FocusStatus, PtzError, PtzErrorKind
from vmwall.ptz.targets import PtzTarget

log = logging.getLogger(__name__)

T = TypeVar("T")

DEFAULT_MAX_HOLD_S = 15.0  # a held focus stops by itself after this long (the lens is at its end)
_EPSILON = 1e-3
_IDLE_EXIT_S = 30.0
_RATE_MARGIN = 1.02


class FocusHost(Protocol):
    """What the focus pilot needs from the PTZ service (all called on the loop)."""

    async def target(self, camera: int) -> PtzTarget:
        """The camera's device and account (may raise PtzError)."""
        ...

    async def gate(self, camera: int) -> None:
        """Before a focus command: the control lock ours (may raise PtzError LOCKED)."""
        ...

    def touch(self, camera: int) -> None:
        """The camera is being used: the lock is not idle."""
        ...

    def event(self, camera: int, detail: str) -> None: ...

    def failed(self, camera: int, error: BaseException) -> None: ...

    def recovered(self, camera: int) -> None: ...


def clean_speed(speed: float) -> float:
    """Clamp to [-1, 1]; tiny speeds are 0; non-finite numbers are refused (ValueError)."""
    number = float(speed)
    if not math.isfinite(number):
        raise ValueError("focus speeds must be finite numbers")
    number = max(-1.0, min(1.0, number))
    return 0.0 if abs(number) < _EPSILON else number


def describe_speed(speed: float) -> str:
    return "stop" if speed == 0.0 else f"{'far' if speed > 0 else 'near'} {abs(speed):.2f}"


class _Track:
    __slots__ = ("busy", "deadline", "desired", "failed", "last_move_at", "sent", "task", "wake")

    def __init__(self) -> None:
        self.desired = 0.0
        self.sent = 0.0  # what the lens is doing as far as we know (nan: unknown, after a failure)
        self.failed = False
        self.deadline = math.inf  # the held focus stops then
        self.last_move_at = -math.inf
        self.busy = asyncio.Lock()  # one imaging request in flight per camera
        self.wake = asyncio.Event()
        self.task: asyncio.Task[None] | None = None


class FocusPilot:
    def __init__(
        self,
        host: FocusHost,
        *,
        max_rate: float = 10.0,
        request_timeout_s: float = 3.0,
        retry_s: float = 1.0,
        max_hold_s: float = DEFAULT_MAX_HOLD_S,
        device_factory: Callable[[PtzTarget, float], OnvifImagingDevice] | None = None,
    ) -> None:
        if not (math.isfinite(max_rate) and max_rate > 0):
            raise ValueError("max_rate must be > 0")
        if not (math.isfinite(max_hold_s) and max_hold_s > 0):
            raise ValueError("max_hold_s must be > 0")
        self._host = host
        self._min_interval = _RATE_MARGIN / max_rate
        self._timeout_s = request_timeout_s
        self._retry_s = retry_s
        self.max_hold_s = max_hold_s
        self._factory = device_factory or _default_device
        self._tracks: dict[int, _Track] = {}
        self._devices: dict[int, OnvifImagingDevice | None] = {}
        self._device_locks: dict[int, asyncio.Lock] = {}
        self._labels: dict[int, str] = {}
        self._closed = False

    # --- commands (on the loop) ---------------------------------------------------------------------

    def set(self, camera: int, speed: float) -> None:
        """Focus at ``speed`` (cleaned by the caller with `clean_speed`); 0 stops."""
        if self._closed:
            return
        track = self._track(camera)
        track.desired = speed
        track.wake.set()

    def focusing(self) -> list[int]:
        return [c for c, t in self._tracks.items() if t.sent != 0.0 or t.desired != 0.0]

    async def capabilities(self, camera: int) -> FocusCapabilities:
        device = await self._device(camera)
        if device is None:
            return FocusCapabilities(reason="vmwall has no ONVIF address for this camera")
        options = await device.open()
        if not options.imaging:
            return FocusCapabilities(reason="the camera has no imaging service")
        reason = "" if options.continuous or options.switchable else "the camera offers no focus control"
        return FocusCapabilities(options.continuous, options.switchable, device.auto, reason)

    async def status(self, camera: int) -> FocusStatus:
        device = await self._require(camera)
        track = self._track(camera)
        async with track.busy:
            reading = await self._guard(camera, device.status())
            auto = device.auto
        return FocusStatus(reading.position, reading.moving, auto)

    async def set_auto(self, camera: int, on: bool) -> None:
        """Autofocus on (a running manual focus is stopped first) or off."""
        device = await self._require(camera)
        await self._host.gate(camera)
        track = self._track(camera)
        track.desired = 0.0
        async with track.busy:
            if track.sent != 0.0:
                await self._guard(camera, device.stop())
                track.sent, track.deadline = 0.0, math.inf
            await self._guard(camera, device.set_auto_focus(on))
        self._host.touch(camera)
        self._host.event(camera, "auto on" if on else "auto off")

    async def close(self) -> None:
        """Stop every lens this pilot set moving, end the tasks, close the devices. Idempotent."""
        if self._closed:
            return
        self._closed = True
        tracks = list(self._tracks.items())
        for _camera, track in tracks:
            if track.task is not None:
                track.task.cancel()
        await asyncio.gather(*(t.task for _c, t in tracks if t.task is not None), return_exceptions=True)
        for camera, track in tracks:
            device = self._devices.get(camera)
            if device is not None and (track.sent != 0.0 or track.failed):
                with contextlib.suppress(Exception):
                    await device.stop()
        for device in self._devices.values():
            if device is not None:
                await device.close()
        self._devices.clear()
        self._tracks.clear()

    # --- the per-camera task ------------------------------------------------------------------------

    def _track(self, camera: int) -> _Track:
        track = self._tracks.get(camera)
        if track is None:
            track = self._tracks[camera] = _Track()
        if track.task is None or track.task.done():
            track.task = asyncio.get_running_loop().create_task(
                self._run(camera, track), name=f"vmwall-focus-{camera}"
            )
        return track

    async def _run(self, camera: int, track: _Track) -> None:
        loop = asyncio.get_running_loop()
        while True:
            wait_s = _IDLE_EXIT_S
            if track.failed:
                wait_s = self._retry_s
            elif track.sent != 0.0:
                wait_s = max(0.0, track.deadline - loop.time())
            if not track.wake.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(track.wake.wait(), wait_s)
            track.wake.clear()
            now = loop.time()
            if track.sent != 0.0 and not track.failed and now >= track.deadline and track.desired != 0.0:
                log.info("focus of camera %d held for %g s: stopped", camera, self.max_hold_s)
                track.desired = 0.0
            if track.failed:
                track.desired = 0.0  # a Stop until the camera answers, then wait for a new speed
            wanted = track.desired
            if wanted == track.sent and not track.failed:
                if wanted == 0.0 and not track.wake.is_set() and now - track.last_move_at > _IDLE_EXIT_S:
                    return  # nothing to do for a while: the next `set` starts a new task
                continue
            if wanted != 0.0:
                delay = track.last_move_at + self._min_interval - loop.time()
                if delay > 0:
                    await asyncio.sleep(delay)
                    wanted = track.desired  # latest wins
                    if wanted == track.sent:
                        continue
            await self._send(camera, track, wanted)

    async def _send(self, camera: int, track: _Track, speed: float) -> None:
        loop = asyncio.get_running_loop()
        device: OnvifImagingDevice | None = None
        try:
            device = await self._require(camera)
            if speed != 0.0:
                if track.sent == 0.0:
                    await self._host.gate(camera)
                async with track.busy:
                    await self._guard(camera, device.open())
                    if device.auto:  # many lenses refuse manual moves in AUTO: switch to MANUAL
                        await self._guard(camera, device.set_auto_focus(False))
                        self._host.event(camera, "auto off (manual focus)")
                    track.last_move_at = loop.time()
                    await self._guard(camera, device.continuous_focus(speed))
                started = track.sent == 0.0 or (track.sent > 0) != (speed > 0)
                if started:
                    track.deadline = loop.time() + self.max_hold_s
                track.sent = speed
                self._host.touch(camera)
                if started:
                    self._host.event(camera, describe_speed(speed))
                return
            async with track.busy:
                await self._guard(camera, device.stop())
            was_failed, track.failed = track.failed, False
            track.sent, track.deadline = 0.0, math.inf
            if was_failed:
                self._host.recovered(camera)
            self._host.event(camera, "stop (sent once the camera answered again)" if was_failed else "stop")
        except asyncio.CancelledError:
            raise
        except PtzError as error:
            # Refused before anything reached the camera (lock, no focus): drop the request.
            if not track.failed:
                track.desired = track.sent
                self._host.failed(camera, error)
        except Exception as error:
            reported = track.failed
            track.failed, track.sent = True, math.nan
            if not reported:
                self._host.failed(camera, error)
            if device is None or device.options is None:
                track.failed, track.sent, track.desired = False, 0.0, 0.0  # never reached a lens

    # --- devices --------------------------------------------------------------------------------------

    async def _device(self, camera: int) -> OnvifImagingDevice | None:
        if camera in self._devices:
            return self._devices[camera]
        lock = self._device_locks.setdefault(camera, asyncio.Lock())
        async with lock:
            if camera in self._devices:
                return self._devices[camera]
            target = await self._host.target(camera)
            self._labels[camera] = target.label
            device = None
            if target.host is not None and target.port is not None:
                device = self._factory(target, self._timeout_s)
            self._devices[camera] = device
            return device

    async def _require(self, camera: int) -> OnvifImagingDevice:
        device = await self._device(camera)
        if device is None:
            label = self._labels.get(camera, f"camera {camera}")
            raise PtzError(
                camera, PtzErrorKind.UNSUPPORTED, f"{label}: vmwall has no ONVIF address for its focus"
            )
        return device

    async def _guard(self, camera: int, call: Awaitable[T]) -> T:
        """A device call; a camera that refused the credentials is resolved again next time."""
        try:
            return await call
        except CameraAuthError:
            device = self._devices.pop(camera, None)
            if device is not None:
                await device.close()
            raise


def _default_device(target: PtzTarget, timeout_s: float) -> OnvifImagingDevice:
    assert target.host is not None and target.port is not None
    return OnvifImagingDevice(
        target.host,
        target.port,
        target.username or "",
        target.password,
        profile_token=target.profile_token,
        timeout_s=timeout_s,
    )


__all__ = ["DEFAULT_MAX_HOLD_S", "FocusHost", "FocusPilot", "clean_speed", "describe_speed"]
