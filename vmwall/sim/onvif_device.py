"""The simulated camera farm's ONVIF side: one SOAP 1.2 device per camera over real HTTP.

All devices share one asyncio loop thread ("vmwall-sim-onvif") running one aiohttp server per port:
16+ devices cost one thread, a pending PullMessages long-poll costs a coroutine rather than a
thread, and aiohttp's HTTP parser (header and line limits, keep-alive, lingering close) is
hardened. A thread per port (ThreadingHTTPServer) would cost a thread per connection and per
long-poll, and its parser is laxer.

Each device serves /onvif/{device,media,ptz,events,imaging}_service, pull-point subscriptions at
/onvif/subscription/<id> and its snapshot at /snapshot.jpg (see onvif_http).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import random
import socket
import threading
import time
from collections.abc import Callable, Collection, Sequence

from aiohttp import web

from vmwall.sim.events import EventHub
from vmwall.sim.onvif_context import VIDEO_SOURCE_TOKEN, SimDevice
from vmwall.sim.onvif_http import DeviceHttp
from vmwall.sim.onvif_imaging import FocusState, attach_focus, focus_of
from vmwall.sim.onvif_ptz_spaces import MAX_PRESETS
from vmwall.sim.ptz_state import PtzState
from vmwall.sim.soap import utc_now
from vmwall.sim.spec import SimCameraSpec
from vmwall.sim.wsse import UsernameTokenVerifier

logger = logging.getLogger(__name__)

SWEEP_INTERVAL_S = 5.0


def _bind(host: str, port: int) -> socket.socket:
    family, kind, proto, _, address = socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
        sock.setblocking(False)
    except OSError:
        sock.close()
        raise
    return sock


class SimOnvifFarm:
    """ONVIF devices (device, media, PTZ, events) for a set of simulated cameras."""

    def __init__(
        self,
        specs: Sequence[SimCameraSpec],
        *,
        snapshot_provider: Callable[[int], bytes] | None = None,
        clock: Callable[[], float] = time.monotonic,
        motion_interval_s: float | None = 20.0,
        focus_cameras: Collection[int] | None = None,
    ) -> None:
        """``focus_cameras``: the cameras with a motorised lens (imaging service); None: all."""
        numbers = [spec.number for spec in specs]
        if len(set(numbers)) != len(numbers):
            raise ValueError("camera numbers must be unique")
        self._http = DeviceHttp(snapshot_provider)
        self._motion_interval_s = motion_interval_s
        self._devices: dict[int, SimDevice] = {}
        for spec in specs:
            self._devices[spec.number] = SimDevice(
                spec,
                ptz=PtzState(clock, max_presets=MAX_PRESETS) if spec.ptz else None,
                events=EventHub(VIDEO_SOURCE_TOKEN, clock),
                verifier=UsernameTokenVerifier(spec.username, spec.password),
            )
            if focus_cameras is None or spec.number in focus_cameras:
                attach_focus(self._devices[spec.number], FocusState(clock))
        self._lock = threading.Lock()
        self._close_lock = threading.Lock()
        self._state = "new"
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runners: list[web.AppRunner] = []
        self._tasks: list[asyncio.Task[None]] = []

    # --- public API -------------------------------------------------------------------------------

    @property
    def specs(self) -> list[SimCameraSpec]:
        return [device.spec for device in self._devices.values()]

    def ptz(self, number: int) -> PtzState:
        """The PTZ head of camera `number`; ValueError for a fixed camera, KeyError if unknown."""
        ptz = self._devices[number].ptz
        if ptz is None:
            raise ValueError(f"camera {number} has no PTZ")
        return ptz

    def focus(self, number: int) -> FocusState:
        """The lens of camera `number`; ValueError without imaging focus, KeyError if unknown."""
        lens = focus_of(self._devices[number])
        if lens is None:
            raise ValueError(f"camera {number} has no imaging focus")
        return lens

    def emit_motion(self, number: int, active: bool) -> None:
        """Publish a motion alarm (State true/false) to camera `number`'s pull-point subscribers."""
        hub = self._devices[number].events
        loop = self._loop
        if loop is None or not loop.is_running() or threading.current_thread() is self._thread:
            hub.publish_motion(active, utc_now())
            return

        async def publish() -> None:
            hub.publish_motion(active, utc_now())

        asyncio.run_coroutine_threadsafe(publish(), loop).result(timeout=5.0)

    def request_count(self, number: int, operation: str) -> int:
        """How many requests for `operation` (the Body element's local name) camera `number` got."""
        return self._devices[number].request_count(operation)

    def subscription_count(self, number: int) -> int:
        """Live pull-point subscriptions of camera `number` (expired ones are swept first)."""
        hub = self._devices[number].events
        loop = self._loop
        if loop is None or not loop.is_running() or threading.current_thread() is self._thread:
            hub.sweep()
            return hub.subscription_count

        async def count() -> int:
            hub.sweep()
            return hub.subscription_count

        return asyncio.run_coroutine_threadsafe(count(), loop).result(timeout=5.0)

    def start(self) -> None:
        with self._lock:
            if self._state != "new":
                raise RuntimeError(f"farm already {self._state}")
            self._state = "starting"
        sockets: list[socket.socket] = []
        try:
            for device in self._devices.values():
                sock = _bind(device.spec.host, device.spec.onvif_port)
                sockets.append(sock)
                device.spec = dataclasses.replace(device.spec, onvif_port=sock.getsockname()[1])
            loop = asyncio.new_event_loop()
            self._loop = loop
            self._thread = threading.Thread(
                target=self._run_loop, args=(loop,), name="vmwall-sim-onvif", daemon=True
            )
            self._thread.start()
            asyncio.run_coroutine_threadsafe(self._start_async(sockets), loop).result(timeout=30.0)
        except BaseException:
            for sock in sockets:
                sock.close()
            self.close()
            raise
        with self._lock:
            self._state = "running"
        logger.info("ONVIF farm up: %s", ", ".join(f"cam{s.number}@{s.onvif_address}" for s in self.specs))

    def close(self) -> None:
        """Stop every server and the loop thread; idempotent, and a concurrent call waits for the first."""
        if self._thread is not None and threading.current_thread() is self._thread:
            raise RuntimeError("close() called from the farm's own loop thread")
        with self._close_lock:
            with self._lock:
                if self._state == "closed":
                    return
                self._state = "closed"
            loop, thread = self._loop, self._thread
            if loop is None or thread is None:
                return
            if loop.is_running():
                try:
                    asyncio.run_coroutine_threadsafe(self._stop_async(), loop).result(timeout=15.0)
                except Exception:
                    logger.exception("ONVIF farm: unclean shutdown")
                loop.call_soon_threadsafe(loop.stop)
            thread.join(timeout=15.0)
            if thread.is_alive():
                logger.error("ONVIF farm: loop thread did not stop")

    # --- loop thread ------------------------------------------------------------------------------

    @staticmethod
    def _run_loop(loop: asyncio.AbstractEventLoop) -> None:
        asyncio.set_event_loop(loop)
        try:
            loop.run_forever()
        finally:
            with contextlib.suppress(Exception):
                # Whatever outlived the servers' shutdown (e.g. a stalled client) is cancelled.
                leftovers = asyncio.all_tasks(loop)
                for task in leftovers:
                    task.cancel()
                loop.run_until_complete(asyncio.gather(*leftovers, return_exceptions=True))
                loop.run_until_complete(loop.shutdown_asyncgens())
                loop.run_until_complete(loop.shutdown_default_executor())
            loop.close()

    async def _start_async(self, sockets: list[socket.socket]) -> None:
        for device, sock in zip(self._devices.values(), sockets, strict=True):
            runner = web.AppRunner(
                self._http.application(device),
                handle_signals=False,
                access_log=None,
                keepalive_timeout=75.0,
                lingering_time=2.0,
                shutdown_timeout=2.0,
            )
            await runner.setup()
            self._runners.append(runner)
            await web.SockSite(runner, sock).start()
        if self._motion_interval_s is not None and self._motion_interval_s > 0:
            for device in self._devices.values():
                self._tasks.append(asyncio.create_task(self._motion_loop(device, self._motion_interval_s)))
        self._tasks.append(asyncio.create_task(self._sweep_loop()))

    async def _stop_async(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        for device in self._devices.values():
            device.events.close()  # ends pending long polls at once
        for runner in self._runners:
            await runner.cleanup()

    async def _motion_loop(self, device: SimDevice, interval_s: float) -> None:
        rng = random.Random(device.spec.number)  # jitter per camera, reproducible
        await asyncio.sleep(interval_s * rng.uniform(0.2, 1.0))
        while True:
            device.events.publish_motion(not device.events.motion_active, utc_now())
            await asyncio.sleep(interval_s * rng.uniform(0.75, 1.25))

    async def _sweep_loop(self) -> None:
        while True:
            await asyncio.sleep(SWEEP_INTERVAL_S)
            for device in self._devices.values():
                device.events.sweep()
