"""The pilot: turns a stream of stick positions into ContinuousMove/Stop requests, per camera.

Runs on the ONVIF loop (every method is called there). Per camera:

- **latest wins**: `set` only records the wanted velocity; one task per camera sends it. While a
  request is in flight or the rate slot is not open yet, newer values replace older ones;
- **rate limit**: two ContinuousMove requests to one camera start at least ``1 / max_rate`` apart,
  and a request leaves at least 1 s after the answer to the one ``max_rate`` requests before it: a
  request is in the camera's hands by its answer, so however the network delays them, the camera
  never counts more than ``max_rate`` in any second
  (Stops are not delayed and not counted: releasing the stick stops the camera at once);
- **one request in flight** per camera, so requests reach the camera in the order they were meant;
- **refresh**: ContinuousMove carries a Timeout (``move_timeout_s``) so that a camera stops by
  itself if vmwall dies; a steady stick is re-sent every ``move_timeout_s / 2`` to keep moving;
- **after a failure** (timeout, refused, fault) the camera is considered moving: Stop is retried
  every ``retry_s`` until the camera answers, and sent once more a moment later (a camera that
  was silent may still carry out the requests it queued); then the pilot waits for a new stick
  value.

The `PilotSink` does the actual work (lock and capability checks, ONVIF requests, events).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

log = logging.getLogger(__name__)

Velocity = tuple[float, float, float]
ZERO: Velocity = (0.0, 0.0, 0.0)
_EPSILON = 1e-3  # below this a stick component is centred
_IDLE_EXIT_S = 30.0  # a camera's task ends after this long with nothing to do
_RATE_MARGIN = 1.02
_CONFIRM_STOP_S = 0.3  # after a silent camera answers again, the second Stop comes this much later


class PilotSink(Protocol):
    async def gate(self, camera: int) -> None:
        """Before a move starts from still: may raise (not ours, no PTZ...); nothing is sent then."""
        ...

    async def check(self, camera: int) -> None:
        """Before each further move: may raise (the camera is no longer ours); nothing is sent then."""
        ...

    async def move(self, camera: int, velocity: Velocity, timeout_s: float) -> None: ...

    async def stop(self, camera: int) -> None: ...

    def moved(self, camera: int, velocity: Velocity) -> None:
        """A continuous move started (the camera was still)."""
        ...

    def halted(self, camera: int) -> None:
        """A Stop was delivered to a camera the pilot had moved."""
        ...

    def failed(self, camera: int, error: BaseException) -> None: ...

    def recovered(self, camera: int) -> None:
        """A failed camera answered again: the pending Stop was delivered."""
        ...


@dataclass(frozen=True, slots=True)
class PilotConfig:
    max_rate: float = 10.0
    move_timeout_s: float = 1.0
    retry_s: float = 1.0

    def __post_init__(self) -> None:
        if not (math.isfinite(self.max_rate) and 0.1 <= self.max_rate <= 100.0):
            raise ValueError(f"max_rate {self.max_rate} is outside 0.1..100 requests/s")
        if not (math.isfinite(self.move_timeout_s) and 0.2 <= self.move_timeout_s <= 60.0):
            raise ValueError(f"move timeout {self.move_timeout_s} s is outside 0.2..60 s")
        if not (math.isfinite(self.retry_s) and 0.05 <= self.retry_s <= 60.0):
            raise ValueError(f"retry interval {self.retry_s} s is outside 0.05..60 s")

    @property
    def min_interval(self) -> float:
        # 2 % above 1/max_rate: requests leave exactly spaced, but the network and the camera's own
        # scheduling may bring two closer together on arrival; the camera must never see more.
        return _RATE_MARGIN / self.max_rate

    @property
    def per_second(self) -> int:
        """The most ContinuousMove requests a camera may receive in any one second."""
        return max(1, math.floor(self.max_rate))

    @property
    def refresh_s(self) -> float:
        return max(self.min_interval, self.move_timeout_s / 2)


def clean_velocity(pan: float, tilt: float, zoom: float) -> Velocity:
    """Clamp to [-1, 1]; tiny components are zero; non-finite numbers are refused."""
    values = []
    for value in (pan, tilt, zoom):
        number = float(value)
        if not math.isfinite(number):
            raise ValueError("PTZ speeds must be finite numbers")
        number = max(-1.0, min(1.0, number))
        values.append(0.0 if abs(number) < _EPSILON else number)
    return values[0], values[1], values[2]


class _Track:
    __slots__ = (
        "answers",
        "desired",
        "failed",
        "force_stop",
        "last_move_at",
        "moving",
        "sending",
        "sent",
        "task",
        "wake",
    )

    def __init__(self) -> None:
        self.desired: Velocity | None = None  # what to send next (None: nothing new)
        self.force_stop = False  # send Stop even if the pilot did not move the camera
        self.sent: Velocity = ZERO  # the last velocity the camera accepted
        self.moving = False  # the camera moves because of us (as far as we know)
        self.sending = False  # a ContinuousMove is in flight
        self.failed = False  # a request failed: Stop pending until the camera answers
        self.last_move_at = -math.inf  # start of the last ContinuousMove
        self.answers: deque[float] = deque()  # when the last ContinuousMoves were answered (or failed)
        self.wake = asyncio.Event()
        self.task: asyncio.Task[None] | None = None


class Pilot:
    def __init__(
        self, sink: PilotSink, config: PilotConfig | None = None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._sink = sink
        self.config = config or PilotConfig()
        self._clock = clock
        self._tracks: dict[int, _Track] = {}
        self._closed = False

    # --- commands (on the loop) -------------------------------------------------------------------

    def set(self, camera: int, velocity: Velocity) -> None:
        """The stick's latest position for ``camera`` (clean it with `clean_velocity` first)."""
        track = self._track(camera)
        track.desired = velocity
        self._wake(camera, track)

    def stop(self, camera: int, *, force: bool = False) -> None:
        """Stop now: always if ``force``, else only if the pilot is moving the camera."""
        track = self._track(camera)
        track.desired = ZERO
        track.force_stop = track.force_stop or force
        self._wake(camera, track)

    def stop_all(self) -> None:
        for camera in self._tracks:
            if self.is_moving(camera):
                self.stop(camera)

    def abort(self, camera: int) -> None:
        """Forget the camera without sending anything (its control went to someone else)."""
        track = self._tracks.get(camera)
        if track is not None:
            track.desired = None
            track.force_stop = False
            track.moving = False

    def yield_to_command(self, camera: int) -> None:
        """Another command (preset, absolute move...) takes over: no refresh, no pending move."""
        track = self._tracks.get(camera)
        if track is not None:
            track.desired = None
            track.moving = False

    def is_moving(self, camera: int) -> bool:
        track = self._tracks.get(camera)
        return bool(track and (track.moving or track.sending or track.desired not in (None, ZERO)))

    def is_failed(self, camera: int) -> bool:
        track = self._tracks.get(camera)
        return bool(track and track.failed)

    def moving_cameras(self) -> list[int]:
        return [camera for camera in self._tracks if self.is_moving(camera)]

    async def close(self) -> None:
        self._closed = True
        tasks = [t.task for t in self._tracks.values() if t.task is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    # --- per-camera task --------------------------------------------------------------------------

    def _track(self, camera: int) -> _Track:
        track = self._tracks.get(camera)
        if track is None:
            track = self._tracks[camera] = _Track()
        return track

    def _wake(self, camera: int, track: _Track) -> None:
        if self._closed:
            return
        track.wake.set()
        if track.task is None or track.task.done():
            track.task = asyncio.get_running_loop().create_task(
                self._drive(camera, track), name=f"ptz-pilot-{camera}"
            )

    async def _wait(self, track: _Track, timeout: float | None) -> None:
        if timeout is not None and timeout <= 0:
            return
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout):
                await track.wake.wait()
        track.wake.clear()

    async def _drive(self, camera: int, track: _Track) -> None:
        try:
            while not self._closed:
                if track.failed:
                    await self._recover(camera, track)
                    continue
                wanted = track.desired
                if wanted == ZERO or track.force_stop:
                    await self._send_stop(camera, track)
                    continue
                if wanted is None:
                    if track.moving:
                        due = track.last_move_at + self.config.refresh_s
                        if self._clock() >= due:
                            track.desired = track.sent  # keep moving: the Timeout would stop it
                            continue
                        await self._wait(track, due - self._clock())
                        continue
                    track.wake.clear()
                    if track.desired is None and not track.force_stop:
                        try:
                            async with asyncio.timeout(_IDLE_EXIT_S):
                                await track.wake.wait()
                        except TimeoutError:
                            return  # nothing to do for a while; `set` starts a new task
                        track.wake.clear()
                    continue
                await self._send_move(camera, track)
        except asyncio.CancelledError:
            raise
        except Exception:  # a bug must not kill the camera's pilot silently
            log.exception("PTZ pilot of camera %d failed", camera)
        finally:
            if track.task is asyncio.current_task():
                track.task = None

    async def _send_stop(self, camera: int, track: _Track) -> None:
        force, was_moving = track.force_stop, track.moving
        track.force_stop = False
        if track.desired == ZERO:
            track.desired = None
        if not (force or was_moving):
            return
        try:
            await self._sink.stop(camera)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            track.failed = True
            self._sink.failed(camera, exc)
            return
        track.sent = ZERO
        track.moving = False
        if was_moving:
            self._sink.halted(camera)

    async def _send_move(self, camera: int, track: _Track) -> None:
        try:
            await (self._sink.check(camera) if track.moving else self._sink.gate(camera))
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            track.desired = None
            track.moving = False  # not ours (any more): someone else stops it
            self._sink.failed(camera, exc)
            return
        # Wait for the rate slot; newer values replace the wanted one meanwhile, a Stop cuts in.
        while (remaining := self._slot_opens(track) - self._clock()) > 0:
            await self._wait(track, remaining)
            if track.desired in (None, ZERO) or track.force_stop or track.failed:
                return
        wanted = track.desired
        if wanted is None or wanted == ZERO:
            return
        track.desired = None
        track.last_move_at = self._clock()
        track.sending = True
        try:
            await self._sink.move(camera, wanted, self.config.move_timeout_s)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            self._answered(track)
            track.failed = True
            track.moving = True  # it may have started: make sure it stops
            self._sink.failed(camera, exc)
            return
        finally:
            track.sending = False
        self._answered(track)
        track.sent = wanted
        if not track.moving:
            track.moving = True
            self._sink.moved(camera, wanted)

    def _slot_opens(self, track: _Track) -> float:
        """When the next ContinuousMove may leave (see the rate limit in the module docstring)."""
        opens = track.last_move_at + self.config.min_interval
        if len(track.answers) >= self.config.per_second:
            opens = max(opens, track.answers[0] + 1.0)
        return opens

    def _answered(self, track: _Track) -> None:
        track.answers.append(self._clock())
        while len(track.answers) > self.config.per_second:
            track.answers.popleft()

    async def _recover(self, camera: int, track: _Track) -> None:
        try:
            await self._sink.stop(camera)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.debug("camera %d still does not answer: %s", camera, exc)
            await asyncio.sleep(self.config.retry_s)
            return
        # A camera that was silent may still carry out requests it received meanwhile (the client
        # gave up on them, the camera did not): stop it once more a moment later, unless the stick
        # moved meanwhile (the new move then overrides them).
        track.desired = None  # a new stick value is needed to move again
        track.force_stop = False
        track.wake.clear()
        await self._wait(track, min(self.config.retry_s, _CONFIRM_STOP_S))
        if track.desired in (None, ZERO):
            try:
                await self._sink.stop(camera)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.debug("camera %d stopped answering again: %s", camera, exc)
                await asyncio.sleep(self.config.retry_s)
                return
            track.desired = None
        track.failed = False
        track.moving = False
        track.sent = ZERO
        self._sink.recovered(camera)


__all__ = ["ZERO", "Pilot", "PilotConfig", "PilotSink", "Velocity", "clean_velocity"]
