"""Tours: a camera goes from preset to preset, staying a while at each, until stopped.

Runs on the ONVIF loop, one task per camera. A step sends GotoPreset, waits until the camera
reports it has stopped moving (bounded by ``arrival_timeout_s``), then stays ``dwell_s`` seconds,
keeping the control lock alive meanwhile. Any manual command on the camera, losing its control or
a failure ends the tour, with the reason in its `TourState`.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from collections.abc import Awaitable, Callable, Sequence

from vmwall.ptz.api import TourState, TourStep

log = logging.getLogger(__name__)

ARRIVAL_TIMEOUT_S = 60.0
ARRIVAL_POLL_S = 0.25
KEEPALIVE_S = 1.0
MAX_STEPS = 64


class Tours:
    def __init__(
        self,
        *,
        goto: Callable[[int, str], Awaitable[None]],
        moving: Callable[[int], Awaitable[bool]],
        keepalive: Callable[[int], None],
        changed: Callable[[TourState], None],
        failed: Callable[[int, BaseException], None],
        login: str,
        arrival_timeout_s: float = ARRIVAL_TIMEOUT_S,
    ) -> None:
        self._goto = goto
        self._moving = moving
        self._keepalive = keepalive
        self._changed = changed
        self._failed = failed
        self._login = login
        self._arrival_timeout_s = arrival_timeout_s
        self._states: dict[int, TourState] = {}
        self._tasks: dict[int, asyncio.Task[None]] = {}

    def states(self) -> dict[int, TourState]:
        """A copy, safe from any thread (the mapping is replaced, never changed in place)."""
        return dict(self._states)

    def running(self, camera: int) -> bool:
        task = self._tasks.get(camera)
        return task is not None and not task.done()

    def start(self, camera: int, steps: Sequence[TourStep], *, loop: bool = True) -> TourState:
        steps = tuple(steps)
        if not steps:
            raise ValueError("a tour needs at least one step")
        if len(steps) > MAX_STEPS:
            raise ValueError(f"a tour has at most {MAX_STEPS} steps")
        if loop and all(step.dwell_s <= 0 for step in steps) and len(steps) == 1:
            raise ValueError("a looping tour of one preset without dwell time would only repeat itself")
        self.stop(camera, "replaced")
        state = TourState(camera, steps, running=True, step=0, started_by=self._login, loop=loop)
        self._publish(state)
        task = asyncio.get_running_loop().create_task(self._run(state), name=f"ptz-tour-{camera}")
        self._tasks[camera] = task
        return state

    def stop(self, camera: int, reason: str = "stopped") -> bool:
        """End the camera's tour, if one runs; True if it did."""
        task = self._tasks.pop(camera, None)
        if task is None or task.done():
            return False
        task.cancel()
        state = self._states.get(camera)
        if state is not None and state.running:
            self._publish(dataclasses.replace(state, running=False, reason=reason))
        return True

    async def close(self) -> None:
        tasks = list(self._tasks.values())
        for camera in list(self._tasks):
            self.stop(camera, "closed")
        await asyncio.gather(*tasks, return_exceptions=True)

    def _publish(self, state: TourState) -> None:
        self._states = {**self._states, state.camera: state}
        self._changed(state)

    async def _run(self, state: TourState) -> None:
        camera = state.camera
        index = 0
        try:
            while True:
                step = state.steps[index]
                state = dataclasses.replace(state, step=index)
                self._publish(state)
                await self._goto(camera, step.preset)
                await self._arrive(camera)
                await self._dwell(camera, step.dwell_s)
                index += 1
                if index == len(state.steps):
                    if not state.loop:
                        break
                    index = 0
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            if self._tasks.get(camera) is asyncio.current_task():
                del self._tasks[camera]
            self._publish(dataclasses.replace(state, running=False, reason=str(exc) or type(exc).__name__))
            self._failed(camera, exc)
            return
        if self._tasks.get(camera) is asyncio.current_task():
            del self._tasks[camera]
        self._publish(dataclasses.replace(state, running=False, reason="finished"))

    async def _arrive(self, camera: int) -> None:
        deadline = time.monotonic() + self._arrival_timeout_s
        await asyncio.sleep(ARRIVAL_POLL_S)
        while await self._moving(camera):
            if time.monotonic() >= deadline:
                log.warning("camera %d still moving after %g s of tour step", camera, self._arrival_timeout_s)
                return
            self._keepalive(camera)
            await asyncio.sleep(ARRIVAL_POLL_S)

    async def _dwell(self, camera: int, seconds: float) -> None:
        end = time.monotonic() + seconds
        while (remaining := end - time.monotonic()) > 0:
            self._keepalive(camera)
            await asyncio.sleep(min(KEEPALIVE_S, remaining))
        self._keepalive(camera)


__all__ = ["Tours"]
