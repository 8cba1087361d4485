"""`OnvifPtzService`: the `PtzService` over ONVIF cameras, with the shared control lock.

Composition (see `vmwall.ptz.api` for the threading contract):

- one asyncio loop thread (`LoopThread`, shared or owned) runs everything stateful: the pilot,
  the lock keeper, tours, and every ONVIF request (`vmwall.onvif.ptz.OnvifPtzDevice`, one per
  camera, opened on first use; one request in flight per camera);
- one worker thread runs the blocking calls: the lock store (database) and camera resolution
  (catalogue and keyring);
- public methods only hand work to the loop and return a `concurrent.futures.Future` (or
  nothing), so the GUI thread never waits.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import socket
import uuid
from collections.abc import Awaitable, Callable, Coroutine, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

from vmwall.onvif.errors import CameraAuthError, CameraError, CameraProtocolError, CameraUnreachableError
from vmwall.onvif.imaging import ImagingUnsupportedError
from vmwall.onvif.ptz import OnvifPtzDevice, PtzUnsupportedError
from vmwall.ptz import geometry
from vmwall.ptz.api import (
    FocusCapabilities,
    FocusStatus,
    LockHolder,
    LockOutcome,
    LockStatus,
    LockStore,
    Operator,
    PtzAction,
    PtzCapabilities,
    PtzError,
    PtzErrorKind,
    PtzListener,
    PtzPosition,
    PtzPreset,
    PtzSettings,
    TourState,
    TourStep,
)
from vmwall.ptz.events import Listeners, format_velocity
from vmwall.ptz.focus import FocusPilot, clean_speed
from vmwall.ptz.lock import CONFIRM_S, LockKeeper, describe_holder
from vmwall.ptz.loop import LoopThread
from vmwall.ptz.pilot import ZERO, Pilot, PilotConfig, Velocity, clean_velocity
from vmwall.ptz.targets import PtzTarget, Resolver, camera_label
from vmwall.ptz.tours import Tours

log = logging.getLogger(__name__)

T = TypeVar("T")

CLOSE_TIMEOUT_S = 10.0
TAKEOVER_SETTLE_S = 2 * CONFIRM_S
PRESET_NAME_MAX = 64
_AT_PRESET_TOLERANCE = 0.005
_RENAME_ARRIVAL_S = 30.0


def make_operator(
    login: str,
    full_name: str,
    role: str,
    settings: PtzSettings,
    *,
    console: str | None = None,
) -> Operator:
    """This session's identity for the control lock: a fresh session id, the role's priority."""
    return Operator(
        login=login,
        full_name=full_name,
        console=console or socket.gethostname(),
        priority=settings.priority_of(role),
        session=uuid.uuid4().hex,
        role=role,
    )


@dataclass(slots=True)
class _Link:
    target: PtzTarget
    device: OnvifPtzDevice | None
    busy: asyncio.Lock = field(default_factory=asyncio.Lock)


class OnvifPtzService:
    """See the module docstring and `vmwall.ptz.api.PtzService`."""

    def __init__(
        self,
        operator: Operator,
        resolver: Resolver,
        lock_store: LockStore,
        settings: PtzSettings | None = None,
        *,
        loop: LoopThread | None = None,
        lens_for: Callable[[int], geometry.Lens] = lambda _camera: geometry.DEFAULT_LENS,
    ) -> None:
        self._operator = operator
        self._resolver = resolver
        self._store = lock_store
        self.settings = settings or PtzSettings()
        self._pilot_config = PilotConfig(
            max_rate=self.settings.max_rate,
            move_timeout_s=self.settings.move_timeout_s,
            retry_s=self.settings.retry_s,
        )
        self._own_loop = loop is None
        self._loop = loop or LoopThread("vmwall-ptz")
        self._lens_for = lens_for
        self._listeners = Listeners(operator)
        self._io: ThreadPoolExecutor | None = None
        self._links: dict[int, _Link] = {}
        self._link_locks: dict[int, asyncio.Lock] = {}
        self._pilot: Pilot | None = None
        self._locks: LockKeeper | None = None
        self._tours: Tours | None = None
        self._focus: FocusPilot | None = None
        self._state = "new"

    # --- PtzService: lifecycle and listeners ------------------------------------------------------

    @property
    def operator(self) -> Operator:
        return self._operator

    @property
    def max_rate(self) -> float:
        return self._pilot_config.max_rate

    def start(self) -> None:
        if self._state != "new":
            raise RuntimeError(f"PTZ service already {self._state}")
        self._state = "running"
        if self._own_loop:
            self._loop.start()
        self._io = ThreadPoolExecutor(max_workers=1, thread_name_prefix="vmwall-ptz-io")
        self._loop.submit(self._start_on_loop()).result(timeout=CLOSE_TIMEOUT_S)

    async def _start_on_loop(self) -> None:
        assert self._io is not None
        self._pilot = Pilot(_Sink(self), self._pilot_config)
        self._locks = LockKeeper(
            self._store,
            self._operator,
            self._io,
            idle_s=self.settings.idle_release_s,
            poll_s=self.settings.poll_s,
            label=self._label,
            on_changed=self._listeners.lock_changed,
            on_lost=self._on_lock_lost,
        )
        self._locks.start()
        self._tours = Tours(
            goto=self._tour_goto,
            moving=self._tour_moving,
            keepalive=self._locks.touch,
            changed=self._listeners.tour_changed,
            failed=self._on_tour_failed,
            login=self._operator.login,
        )
        self._focus = FocusPilot(
            _FocusHost(self),
            max_rate=self.settings.max_rate,
            request_timeout_s=self.settings.request_timeout_s,
            retry_s=self.settings.retry_s,
            max_hold_s=self.settings.focus_max_hold_s,
        )

    def close(self) -> None:
        """Stop what this service moves, end tours, release its locks, stop its threads. Idempotent."""
        if self._state == "closed":
            return
        was_running = self._state == "running"
        self._state = "closed"
        if was_running:
            try:
                self._loop.submit(self._close_on_loop()).result(timeout=CLOSE_TIMEOUT_S)
            except Exception:
                log.exception("PTZ service: unclean shutdown")
        if self._own_loop:
            self._loop.close()
        if self._io is not None:
            self._io.shutdown(wait=True, cancel_futures=True)

    async def _close_on_loop(self) -> None:
        pilot, locks, tours, focus = self._pilot, self._locks, self._tours, self._focus
        if tours is not None:
            await tours.close()
        if focus is not None:
            await focus.close()  # stops the lenses it moves: continuous focus has no timeout
        if pilot is not None:
            moving = pilot.moving_cameras()
            await pilot.close()
            for camera in moving:  # the ContinuousMove timeout would stop them anyway: be prompt
                with contextlib.suppress(Exception):
                    await self._device_call(camera, lambda device: device.stop())
        if locks is not None:
            await locks.close()
        for link in self._links.values():
            if link.device is not None:
                await link.device.close()
        self._links.clear()

    def add_listener(self, listener: PtzListener) -> None:
        self._listeners.add(listener)

    def remove_listener(self, listener: PtzListener) -> None:
        self._listeners.remove(listener)

    # --- PtzService: reading ------------------------------------------------------------------------

    def capabilities(self, camera: int) -> Future[PtzCapabilities]:
        return self._submit(camera, self._capabilities(camera))

    def status(self, camera: int) -> Future[PtzPosition]:
        return self._submit(camera, self._device_call(camera, lambda d: d.status(), require_ptz=True))

    def presets(self, camera: int) -> Future[list[PtzPreset]]:
        return self._submit(camera, self._device_call(camera, lambda d: d.presets(), require_ptz=True))

    # --- PtzService: continuous control -------------------------------------------------------------

    def velocity(self, camera: int, pan: float, tilt: float, zoom: float) -> None:
        try:
            wanted = clean_velocity(pan, tilt, zoom)
        except (TypeError, ValueError) as exc:
            self._loop.call_soon(self._listeners.failed, self._invalid(camera, exc))
            return
        self._loop.call_soon(self._on_velocity, camera, wanted)

    def _on_velocity(self, camera: int, wanted: Velocity) -> None:
        if self._pilot is None or self._state != "running":
            return
        if wanted != ZERO:
            assert self._tours is not None and self._locks is not None
            self._tours.stop(camera, "manual control")
            self._locks.touch(camera)
        self._pilot.set(camera, wanted)

    def stop(self, camera: int) -> None:
        self._loop.call_soon(self._on_stop, camera)

    def _on_stop(self, camera: int) -> None:
        if self._pilot is None or self._tours is None or self._locks is None:
            return
        touring = self._tours.stop(camera, "stopped")
        # Never stop a camera someone else drives: only ours, or one we are moving.
        if touring or self._locks.holds(camera) or self._pilot.is_moving(camera):
            self._pilot.stop(camera, force=True)

    def stop_all(self) -> None:
        self._loop.call_soon(self._on_stop_all)

    def _on_stop_all(self) -> None:
        if self._pilot is not None:
            self._pilot.stop_all()
        if self._focus is not None:
            for camera in self._focus.focusing():
                self._focus.set(camera, 0.0)

    def stop_now(self, camera: int) -> Future[None]:
        """Take the control (if free) and send Stop, waiting for the camera's answer (the CLI)."""

        async def run() -> None:
            await self._command(camera)
            await self._device_call(camera, lambda d: d.stop())
            self._listeners.event(camera, PtzAction.STOP)

        return self._submit(camera, run())

    # --- FocusService (the lens, through the ONVIF imaging service: vmwall.ptz.focus) ---------------

    def focus_capabilities(self, camera: int) -> Future[FocusCapabilities]:
        async def run() -> FocusCapabilities:
            assert self._focus is not None
            return await self._focus.capabilities(camera)

        return self._submit(camera, run())

    def focus(self, camera: int, speed: float) -> None:
        try:
            wanted = clean_speed(speed)
        except (TypeError, ValueError) as exc:
            self._loop.call_soon(self._listeners.failed, self._invalid(camera, exc))
            return
        self._loop.call_soon(self._on_focus, camera, wanted)

    def _on_focus(self, camera: int, speed: float) -> None:
        if self._focus is not None and self._state == "running":
            self._focus.set(camera, speed)

    def focus_stop(self, camera: int) -> None:
        self.focus(camera, 0.0)

    def auto_focus(self, camera: int, on: bool) -> Future[None]:
        async def run() -> None:
            assert self._focus is not None
            await self._focus.set_auto(camera, bool(on))

        return self._submit(camera, run())

    def focus_status(self, camera: int) -> Future[FocusStatus]:
        async def run() -> FocusStatus:
            assert self._focus is not None
            return await self._focus.status(camera)

        return self._submit(camera, run())

    # --- PtzService: positioning --------------------------------------------------------------------

    def absolute_move(self, camera: int, pan: float, tilt: float, zoom: float | None = None) -> Future[None]:
        async def run() -> None:
            _check_range("pan", pan, -1.0, 1.0)
            _check_range("tilt", tilt, -1.0, 1.0)
            if zoom is not None:
                _check_range("zoom", zoom, 0.0, 1.0)
            await self._command(camera)
            await self._device_call(camera, lambda d: d.absolute_move(pan, tilt, zoom))
            detail = f"pan {pan:+.3f} tilt {tilt:+.3f}" + ("" if zoom is None else f" zoom {zoom:.3f}")
            self._listeners.event(camera, PtzAction.ABSOLUTE_MOVE, detail)

        return self._submit(camera, run())

    def relative_move(self, camera: int, pan: float, tilt: float, zoom: float = 0.0) -> Future[None]:
        async def run() -> None:
            for name, value in (("pan", pan), ("tilt", tilt), ("zoom", zoom)):
                _check_range(name, value, -1.0, 1.0)
            await self._command(camera)
            await self._device_call(camera, lambda d: d.relative_move(pan, tilt, zoom))
            self._listeners.event(camera, PtzAction.RELATIVE_MOVE, format_velocity(pan, tilt, zoom))

        return self._submit(camera, run())

    def centre_on(self, camera: int, x: float, y: float) -> Future[None]:
        async def run() -> None:
            geometry.check_point(x, y)
            caps = await self._command(camera)
            await self._centre(camera, caps, geometry.Box(x, y, 0.0, 0.0))
            self._listeners.event(camera, PtzAction.CENTRE, f"x {x:+.3f} y {y:+.3f}")

        return self._submit(camera, run())

    def zoom_to_box(self, camera: int, x0: float, y0: float, x1: float, y1: float) -> Future[None]:
        async def run() -> None:
            box = geometry.box_from_corners(x0, y0, x1, y1)
            caps = await self._command(camera)
            if box.zooms and not caps.zoom:
                raise self._unsupported(camera, "zoom")
            await self._centre(camera, caps, box)
            detail = f"x {box.x:+.3f} y {box.y:+.3f} size {box.width:.3f}x{box.height:.3f}"
            self._listeners.event(camera, PtzAction.ZOOM_BOX if box.zooms else PtzAction.CENTRE, detail)

        return self._submit(camera, run())

    async def _centre(self, camera: int, caps: PtzCapabilities, box: geometry.Box) -> None:
        """Bring the box's centre to the picture's centre and, if it has a size, zoom into it."""
        if not caps.can_centre:
            raise self._unsupported(camera, "click-to-centre (no relative or absolute moves)")
        lens = self._lens_for(camera)
        needs_status = box.zooms or not caps.fov_translation
        here: PtzPosition | None = None
        if needs_status and caps.status:
            here = await self._device_call(camera, lambda d: d.status())
        zoom_now = here.zoom if here is not None else 0.0
        zoom_to = geometry.zoom_into(zoom_now, box, lens) if box.zooms else None
        if caps.fov_translation:
            dzoom = 0.0 if zoom_to is None else zoom_to - zoom_now
            await self._device_call(camera, lambda d: d.relative_move(box.x, box.y, dzoom, fov=True))
        elif caps.absolute and here is not None:
            pan, tilt = geometry.centred_position(
                here,
                box.x,
                box.y,
                lens,
                caps.pan_range or (-1.0, 1.0),
                caps.tilt_range or (-1.0, 1.0),
            )
            await self._device_call(camera, lambda d: d.absolute_move(pan, tilt, zoom_to))
        else:
            dpan, dtilt = geometry.translation(box.x, box.y, zoom_now, lens)
            dzoom = 0.0 if zoom_to is None else zoom_to - zoom_now
            await self._device_call(camera, lambda d: d.relative_move(dpan, dtilt, dzoom))

    def home(self, camera: int) -> Future[None]:
        async def run() -> None:
            await self._command(camera)
            await self._device_call(camera, lambda d: d.goto_home())
            self._listeners.event(camera, PtzAction.HOME)

        return self._submit(camera, run())

    def set_home(self, camera: int) -> Future[None]:
        async def run() -> None:
            await self._command(camera)
            await self._device_call(camera, lambda d: d.set_home())
            self._listeners.event(camera, PtzAction.SET_HOME)

        return self._submit(camera, run())

    # --- PtzService: presets ------------------------------------------------------------------------

    def goto_preset(self, camera: int, token: str) -> Future[None]:
        async def run() -> None:
            _check_token(token)
            await self._command(camera)
            await self._device_call(camera, lambda d: d.goto_preset(token))
            self._listeners.event(camera, PtzAction.GOTO_PRESET, token)

        return self._submit(camera, run())

    def set_preset(self, camera: int, name: str, token: str | None = None) -> Future[PtzPreset]:
        async def run() -> PtzPreset:
            clean = _check_name(name)
            if token is not None:
                _check_token(token)
            await self._command(camera)
            stored = await self._device_call(camera, lambda d: d.set_preset(clean, token))
            self._listeners.event(camera, PtzAction.SET_PRESET, f"{stored} {clean!r}")
            return PtzPreset(stored, clean)

        return self._submit(camera, run())

    def rename_preset(self, camera: int, token: str, name: str) -> Future[PtzPreset]:
        """ONVIF renames a preset only by storing it again (SetPreset with its token), which stores
        the current position too: the camera first goes to the preset if it is elsewhere."""

        async def run() -> PtzPreset:
            clean = _check_name(name)
            _check_token(token)
            await self._command(camera)
            presets = await self._device_call(camera, lambda d: d.presets())
            preset = next((p for p in presets if p.token == token), None)
            if preset is None:
                raise PtzError(
                    camera, PtzErrorKind.NOT_FOUND, f"{self._label(camera)} has no preset {token!r}"
                )
            if preset.name != clean:
                here = await self._device_call(camera, lambda d: d.status())
                if preset.position is not None and not _same_place(here, preset.position):
                    await self._device_call(camera, lambda d: d.goto_preset(token))
                    await self._wait_still(camera, _RENAME_ARRIVAL_S)
                await self._device_call(camera, lambda d: d.set_preset(clean, token))
            self._listeners.event(camera, PtzAction.RENAME_PRESET, f"{token} {preset.name!r} -> {clean!r}")
            return PtzPreset(token, clean, preset.position)

        return self._submit(camera, run())

    def remove_preset(self, camera: int, token: str) -> Future[None]:
        async def run() -> None:
            _check_token(token)
            await self._command(camera)
            await self._device_call(camera, lambda d: d.remove_preset(token))
            self._listeners.event(camera, PtzAction.REMOVE_PRESET, token)

        return self._submit(camera, run())

    # --- PtzService: tours --------------------------------------------------------------------------

    def start_tour(self, camera: int, steps: Sequence[TourStep], *, loop: bool = True) -> Future[None]:
        async def run() -> None:
            plan = tuple(steps)
            assert self._tours is not None
            caps = await self._command(camera)
            if not caps.presets:
                raise self._unsupported(camera, "presets")
            self._tours.start(camera, plan, loop=loop)
            detail = ", ".join(f"{s.preset} {s.dwell_s:g}s" for s in plan)
            self._listeners.event(camera, PtzAction.TOUR_START, detail)

        return self._submit(camera, run())

    def stop_tour(self, camera: int) -> None:
        def on_loop() -> None:
            if self._tours is not None and self._tours.stop(camera, "stopped"):
                self._listeners.event(camera, PtzAction.TOUR_STOP)

        self._loop.call_soon(on_loop)

    def tours(self) -> dict[int, TourState]:
        tours = self._tours
        return tours.states() if tours is not None else {}

    async def _tour_goto(self, camera: int, token: str) -> None:
        assert self._locks is not None and self._pilot is not None
        await self._locks.ensure(camera)
        self._pilot.yield_to_command(camera)
        await self._device_call(camera, lambda d: d.goto_preset(token))
        self._listeners.event(camera, PtzAction.GOTO_PRESET, f"{token} (tour)")

    async def _tour_moving(self, camera: int) -> bool:
        position = await self._device_call(camera, lambda d: d.status())
        return position.moving

    def _on_tour_failed(self, camera: int, error: BaseException) -> None:
        self._listeners.failed(self._explain(camera, error))

    # --- PtzService: the control lock ---------------------------------------------------------------

    def take_control(self, camera: int) -> Future[LockOutcome]:
        async def run() -> LockOutcome:
            assert self._locks is not None and self._pilot is not None
            await self._require_ptz(camera)
            outcome = await self._locks.take(camera)
            if outcome.status is LockStatus.TAKEN_OVER and outcome.previous is not None:
                self._listeners.event(
                    camera, PtzAction.TAKE_OVER, f"from {describe_holder(outcome.previous)}"
                )
                self._pilot.stop(camera, force=True)  # halt what the previous operator set moving
                # Their console may send one more command before it notices (it checks at least every
                # CONFIRM_S): stop again once that moment is past, unless we are already driving.
                await asyncio.sleep(TAKEOVER_SETTLE_S)
                if not self._pilot.is_moving(camera):
                    self._pilot.stop(camera, force=True)
            elif outcome.status is LockStatus.GRANTED:
                self._listeners.event(camera, PtzAction.TAKE_CONTROL)
            return outcome

        return self._submit(camera, run())

    def release(self, camera: int) -> Future[None]:
        async def run() -> None:
            assert self._locks is not None and self._pilot is not None and self._tours is not None
            self._tours.stop(camera, "released")
            if self._pilot.is_moving(camera):
                self._pilot.stop(camera)
            if await self._locks.release(camera):
                self._listeners.event(camera, PtzAction.RELEASE)

        return self._submit(camera, run())

    def holder(self, camera: int) -> Future[LockHolder | None]:
        async def run() -> LockHolder | None:
            assert self._locks is not None
            return (await self._locks.holders([camera])).get(camera)

        return self._submit(camera, run())

    def holders(self, cameras: Iterable[int]) -> Future[dict[int, LockHolder]]:
        wanted = list(cameras)

        async def run() -> dict[int, LockHolder]:
            assert self._locks is not None
            return await self._locks.holders(wanted)

        return self._submit(0, run())

    def watch(self, cameras: Iterable[int]) -> None:
        wanted = list(cameras)

        def on_loop() -> None:
            if self._locks is not None:
                self._locks.watch(wanted)

        self._loop.call_soon(on_loop)

    def _on_lock_lost(self, camera: int, holder: LockHolder | None, idle: bool) -> None:
        assert self._pilot is not None and self._tours is not None
        self._pilot.abort(camera)
        if self._focus is not None and camera in self._focus.focusing():
            self._focus.set(camera, 0.0)
        if idle:
            self._tours.stop(camera, "released after idle")
            self._listeners.event(camera, PtzAction.IDLE_RELEASE, f"after {self.settings.idle_release_s:g} s")
            if self.settings.auto_home:
                asyncio.get_running_loop().create_task(self._auto_home(camera))
            return
        who = describe_holder(holder) if holder is not None else "someone else"
        self._tours.stop(camera, f"taken over by {who}")
        self._listeners.failed(
            PtzError(
                camera, PtzErrorKind.LOCKED, f"{self._label(camera)} was taken over by {who}", holder=holder
            )
        )

    async def _auto_home(self, camera: int) -> None:
        """After an idle release: home, if nobody took the camera meanwhile; then free it again."""
        assert self._locks is not None
        try:
            await self._locks.ensure(camera)
            await self._device_call(camera, lambda d: d.goto_home())
            self._listeners.event(camera, PtzAction.AUTO_HOME)
            await self._locks.release(camera)
        except PtzError as error:
            log.info("no auto-home for camera %d: %s", camera, error)
        except Exception:
            log.exception("auto-home of camera %d failed", camera)

    # --- plumbing -----------------------------------------------------------------------------------

    def _submit(self, camera: int, work: Coroutine[Any, Any, T]) -> Future[T]:
        async def guarded() -> T:
            try:
                return await work
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                error = self._explain(camera, exc)
                self._listeners.failed(error)
                raise error from exc

        if self._state != "running":
            work.close()
            failed: Future[T] = Future()
            failed.set_exception(PtzError(camera, PtzErrorKind.STORE, "the PTZ service is not running"))
            return failed
        return self._loop.submit(guarded())

    def _explain(self, camera: int, exc: BaseException) -> PtzError:
        """Any failure as a PtzError naming the camera."""
        if isinstance(exc, PtzError):
            return exc
        label = self._label(camera)
        if isinstance(exc, PtzUnsupportedError | ImagingUnsupportedError):
            return PtzError(camera, PtzErrorKind.UNSUPPORTED, f"{label} does not support {exc.what}")
        if isinstance(exc, CameraAuthError):
            return PtzError(camera, PtzErrorKind.AUTH, f"{label} refused the credentials ({exc.address})")
        if isinstance(exc, CameraUnreachableError):
            reason = f" ({exc.reason})" if exc.reason else ""
            return PtzError(
                camera,
                PtzErrorKind.UNREACHABLE,
                f"no answer from {label} at {exc.address} within {exc.timeout_s:g} s{reason}",
            )
        if isinstance(exc, CameraProtocolError):
            return PtzError(camera, PtzErrorKind.PROTOCOL, f"{label} refused the command: {exc.detail}")
        if isinstance(exc, CameraError):
            return PtzError(camera, PtzErrorKind.PROTOCOL, f"{label}: {exc}")
        if isinstance(exc, (ValueError, TypeError)):
            return self._invalid(camera, exc)
        log.error("PTZ camera %d: unexpected %s", camera, type(exc).__name__, exc_info=exc)
        return PtzError(camera, PtzErrorKind.PROTOCOL, f"{label}: unexpected error ({type(exc).__name__})")

    def _invalid(self, camera: int, exc: BaseException) -> PtzError:
        return PtzError(camera, PtzErrorKind.INVALID, f"{self._label(camera)}: {exc}")

    def _unsupported(self, camera: int, what: str) -> PtzError:
        return PtzError(camera, PtzErrorKind.UNSUPPORTED, f"{self._label(camera)} does not support {what}")

    def _label(self, camera: int) -> str:
        link = self._links.get(camera)
        return link.target.label if link is not None else camera_label(camera)

    async def _link(self, camera: int) -> _Link:
        link = self._links.get(camera)
        if link is not None:
            return link
        lock = self._link_locks.setdefault(camera, asyncio.Lock())
        async with lock:
            link = self._links.get(camera)
            if link is not None:
                return link
            assert self._io is not None
            target = await asyncio.get_running_loop().run_in_executor(self._io, self._resolve, camera)
            device = None
            if target.ptz and target.host is not None and target.port is not None:
                device = OnvifPtzDevice(
                    target.host,
                    target.port,
                    target.username or "",
                    target.password,
                    profile_token=target.profile_token,
                    timeout_s=self.settings.request_timeout_s,
                )
            link = self._links[camera] = _Link(target, device)
            return link

    def _resolve(self, camera: int) -> PtzTarget:
        """The resolver, on the worker thread; whatever it raises becomes a PtzError."""
        try:
            return self._resolver(camera)
        except PtzError:
            raise
        except Exception as exc:  # StopIteration included: it must not reach a future
            log.warning("cannot resolve camera %d: %r", camera, exc)
            raise PtzError(
                camera, PtzErrorKind.STORE, f"cannot read camera {camera} from the catalogue: {exc!r}"
            ) from None

    async def _capabilities(self, camera: int) -> PtzCapabilities:
        link = await self._link(camera)
        if link.device is None:
            return PtzCapabilities.fixed()
        return await link.device.open()

    async def _require_ptz(self, camera: int) -> PtzCapabilities:
        caps = await self._capabilities(camera)
        if not caps.ptz:
            raise PtzError(
                camera, PtzErrorKind.UNSUPPORTED, f"{self._label(camera)} is a fixed camera: it has no PTZ"
            )
        return caps

    async def _command(self, camera: int) -> PtzCapabilities:
        """Before a manual command: PTZ present, the lock ours, no tour, no continuous move."""
        assert self._locks is not None and self._pilot is not None and self._tours is not None
        caps = await self._require_ptz(camera)
        await self._locks.ensure(camera)
        if self._tours.stop(camera, "manual control"):
            self._listeners.event(camera, PtzAction.TOUR_STOP, "manual control")
        self._pilot.yield_to_command(camera)
        return caps

    async def _device_call(
        self,
        camera: int,
        call: Callable[[OnvifPtzDevice], Awaitable[T]],
        *,
        require_ptz: bool = False,
    ) -> T:
        if require_ptz:
            await self._require_ptz(camera)
        link = await self._link(camera)
        if link.device is None:
            raise PtzError(
                camera, PtzErrorKind.UNSUPPORTED, f"{self._label(camera)} is a fixed camera: it has no PTZ"
            )
        device = link.device
        async with link.busy:
            try:
                return await call(device)
            except CameraAuthError:
                # The password may have changed in the keyring: resolve the camera again next time.
                if self._links.get(camera) is link:
                    del self._links[camera]
                    await device.close()
                raise

    async def _wait_still(self, camera: int, timeout_s: float) -> None:
        deadline = asyncio.get_running_loop().time() + timeout_s
        await asyncio.sleep(0.2)
        while (await self._device_call(camera, lambda d: d.status())).moving:
            if asyncio.get_running_loop().time() >= deadline:
                return
            await asyncio.sleep(0.2)


class _FocusHost:
    """The focus pilot's hands: the camera's target, the lock, events."""

    def __init__(self, service: OnvifPtzService) -> None:
        self._service = service

    async def target(self, camera: int) -> PtzTarget:
        return (await self._service._link(camera)).target

    async def gate(self, camera: int) -> None:
        assert self._service._locks is not None
        await self._service._locks.ensure(camera)

    def touch(self, camera: int) -> None:
        if self._service._locks is not None:
            self._service._locks.touch(camera)

    def event(self, camera: int, detail: str) -> None:
        self._service._listeners.event(camera, PtzAction.FOCUS, detail)

    def failed(self, camera: int, error: BaseException) -> None:
        self._service._listeners.failed(self._service._explain(camera, error))

    def recovered(self, camera: int) -> None:
        self._service._listeners.recovered(camera)


class _Sink:
    """The pilot's hands: ONVIF requests, the lock, events."""

    def __init__(self, service: OnvifPtzService) -> None:
        self._service = service

    async def gate(self, camera: int) -> None:
        service = self._service
        assert service._locks is not None
        caps = await service._require_ptz(camera)
        if not caps.continuous:
            raise service._unsupported(camera, "continuous moves (joystick, pad)")
        await service._locks.ensure(camera)

    async def check(self, camera: int) -> None:
        assert self._service._locks is not None
        await self._service._locks.confirm(camera)

    async def move(self, camera: int, velocity: Velocity, timeout_s: float) -> None:
        service = self._service
        assert service._locks is not None
        await service._device_call(camera, lambda d: d.continuous_move(*velocity, timeout_s))
        service._locks.touch(camera)

    async def stop(self, camera: int) -> None:
        await self._service._device_call(camera, lambda d: d.stop())

    def moved(self, camera: int, velocity: Velocity) -> None:
        self._service._listeners.event(camera, PtzAction.MOVE, format_velocity(*velocity))

    def halted(self, camera: int) -> None:
        self._service._listeners.event(camera, PtzAction.STOP)

    def failed(self, camera: int, error: BaseException) -> None:
        self._service._listeners.failed(self._service._explain(camera, error))

    def recovered(self, camera: int) -> None:
        self._service._listeners.recovered(camera)
        self._service._listeners.event(camera, PtzAction.STOP, "sent once the camera answered again")


def _check_range(name: str, value: float, low: float, high: float) -> None:
    if not isinstance(value, int | float) or not math.isfinite(value) or not low <= value <= high:
        raise ValueError(f"{name} {value!r} is outside {low:g}..{high:g}")


def _check_name(name: str) -> str:
    clean = " ".join(str(name).split())
    if not clean:
        raise ValueError("a preset needs a name")
    if len(clean) > PRESET_NAME_MAX:
        raise ValueError(f"a preset name has at most {PRESET_NAME_MAX} characters")
    return clean


def _check_token(token: str) -> None:
    if not isinstance(token, str) or not token.strip() or len(token) > 64:
        raise ValueError(f"invalid preset token {token!r}")


def _same_place(a: PtzPosition, b: PtzPosition) -> bool:
    return all(
        abs(x - y) <= _AT_PRESET_TOLERANCE for x, y in ((a.pan, b.pan), (a.tilt, b.tilt), (a.zoom, b.zoom))
    )


__all__ = ["OnvifPtzService", "make_operator"]
