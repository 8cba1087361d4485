"""The PTZ control lock: one operator drives a camera at a time.

The coordinator is a `LockStore` shared by every console: the database
(`vmwall.store.repositories.ptz_locks`), with one row per held camera and a lease (``until``).
Every decision is a compare-and-set in one transaction, so two consoles asking at once cannot
both win; a console that dies leaves a lease that lapses by itself.

`LockKeeper` is one service's side of it, on the ONVIF loop: it knows which cameras this session
holds, takes them on the first command, renews their lease in the background from the time of the
last command (so the lease ends ``idle_s`` after the last command, and a quiet camera is released
without anyone doing anything), notices when a higher priority took one over, and polls the
holders of watched cameras for every console to show. Store calls run on one worker thread.

`MemoryLockStore` is the same rule in memory (tests, and a single process without a database).
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from vmwall.model.ptz import decide_lock, new_holder
from vmwall.ptz.api import (
    LockHolder,
    LockOutcome,
    LockStatus,
    LockStore,
    Operator,
    PtzError,
    PtzErrorKind,
)

log = logging.getLogger(__name__)

T = TypeVar("T")

STORE_TIMEOUT_S = 15.0  # a store call that takes longer is reported (the database has its own timeouts)
CONFIRM_S = 0.25  # a camera being driven is checked to still be ours at least this often


def utc_now() -> datetime:
    return datetime.now(UTC)


class MemoryLockStore:
    """`LockStore` in memory, thread-safe. Shared by the services of one process only."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._holders: dict[int, LockHolder] = {}

    def acquire(
        self, camera: int, operator: Operator, lease_s: float, *, take_over: bool, now: datetime
    ) -> LockOutcome:
        with self._lock:
            current = self._holders.get(camera)
            status, other = decide_lock(current, operator, take_over=take_over, now=now)
            if status is LockStatus.REFUSED:
                assert other is not None
                return LockOutcome(status, other)
            keep_since = current is not None and current.session == operator.session and current.until > now
            since = current.since if keep_since and current is not None else now
            holder = new_holder(camera, operator, since=since, until=now + timedelta(seconds=lease_s))
            self._holders[camera] = holder
            return LockOutcome(status, holder, other if status is LockStatus.TAKEN_OVER else None)

    def renew(self, camera: int, operator: Operator, lease_s: float, *, now: datetime) -> LockHolder | None:
        with self._lock:
            current = self._holders.get(camera)
            if current is None or current.session != operator.session or current.until <= now:
                return None
            holder = replace(current, until=now + timedelta(seconds=lease_s))
            self._holders[camera] = holder
            return holder

    def release(self, camera: int, operator: Operator) -> bool:
        with self._lock:
            current = self._holders.get(camera)
            if current is None or current.session != operator.session:
                return False
            del self._holders[camera]
            return True

    def holders(self, cameras: Sequence[int] | None, *, now: datetime) -> dict[int, LockHolder]:
        with self._lock:
            wanted = self._holders.keys() if cameras is None else set(cameras)
            return {
                camera: holder
                for camera in wanted
                if (holder := self._holders.get(camera)) is not None and holder.until > now
            }


def describe_holder(holder: LockHolder) -> str:
    """``Jean Dupont (chef-de-salle) at poste-2``."""
    who = holder.full_name or holder.login
    if holder.role:
        who += f" ({holder.role})"
    return f"{who} at {holder.console}" if holder.console else who


@dataclass(slots=True)
class _Held:
    holder: LockHolder
    activity: datetime  # last command (wall clock)
    renewed_for: datetime  # the activity the stored lease was computed from
    confirmed: float = 0.0  # time.monotonic() of the last check that it is still ours


class LockKeeper:
    """This session's locks. Every method runs on the ONVIF loop."""

    def __init__(
        self,
        store: LockStore,
        operator: Operator,
        executor: Executor,
        *,
        idle_s: float,
        poll_s: float,
        label: Callable[[int], str],
        on_changed: Callable[[int, LockHolder | None], None],
        on_lost: Callable[[int, LockHolder | None, bool], None],
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        """``on_lost(camera, new_holder, idle)``: our lock ended without us releasing it, taken over
        (``new_holder`` set) or lapsed after ``idle_s`` without a command (``idle`` True)."""
        if not 1.0 <= idle_s <= 24 * 3600:
            raise ValueError(f"idle release {idle_s} s is outside 1 s..24 h")
        self._store = store
        self.operator = operator
        self._executor = executor
        self.idle_s = idle_s
        self.poll_s = poll_s
        self._label = label
        self._on_changed = on_changed
        self._on_lost = on_lost
        self._clock = clock
        self.renew_s = min(1.0, idle_s / 4)
        self._margin = timedelta(seconds=min(2.0, idle_s / 4))
        self._held: dict[int, _Held] = {}
        self._known: dict[int, LockHolder | None] = {}  # last holder reported per camera
        self._watched: frozenset[int] = frozenset()
        self._camera_locks: dict[int, asyncio.Lock] = {}
        self._tasks: list[asyncio.Task[None]] = []
        self._poll_wake = asyncio.Event()

    def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._tasks = [
            loop.create_task(self._renew_loop(), name="ptz-lock-renew"),
            loop.create_task(self._poll_loop(), name="ptz-lock-poll"),
        ]

    # --- local state ------------------------------------------------------------------------------

    def holds(self, camera: int) -> bool:
        held = self._held.get(camera)
        return held is not None and held.holder.until - self._clock() > self._margin

    def held_cameras(self) -> list[int]:
        return list(self._held)

    def touch(self, camera: int) -> None:
        """A command was sent: the lease now ends ``idle_s`` from now (renewed within ``renew_s``)."""
        held = self._held.get(camera)
        if held is not None:
            held.activity = self._clock()

    # --- store operations -------------------------------------------------------------------------

    async def confirm(self, camera: int) -> None:
        """Before a command to a camera being driven: still ours? Read from the store at most every
        `CONFIRM_S`, so that a console whose camera was taken over stops commanding it at once
        rather than at its next renewal. PtzError (LOCKED) when it is no longer ours."""
        held = self._held.get(camera)
        if held is None:
            await self.ensure(camera)
            return
        now = time.monotonic()
        if now - held.confirmed < CONFIRM_S:
            return
        current = (await self._call(camera, self._store.holders, [camera], now=self._clock())).get(camera)
        if current is not None and current.session == self.operator.session:
            held.confirmed = now
            return
        if current is None:  # our lease lapsed and nobody took it: take it again
            if self._held.get(camera) is held:
                self._held.pop(camera, None)
            await self.ensure(camera)
            return
        if self._held.get(camera) is held:  # taken over
            self._held.pop(camera, None)
            self._report(camera, current)
            self._on_lost(camera, current, False)
        raise self.refusal(camera, current)

    async def ensure(self, camera: int) -> LockHolder:
        """Our live lock on ``camera``: the one we hold, or a new one if free. PtzError otherwise."""
        if self.holds(camera):
            self.touch(camera)
            return self._held[camera].holder
        async with self._camera_lock(camera):
            if self.holds(camera):
                self.touch(camera)
                return self._held[camera].holder
            now = self._clock()
            outcome = await self._call(
                camera, self._store.acquire, camera, self.operator, self.idle_s, take_over=False, now=now
            )
            if not outcome.granted:
                self._report(camera, outcome.holder)
                raise self.refusal(camera, outcome.holder)
            self._keep(camera, outcome.holder, now)
            return outcome.holder

    async def take(self, camera: int) -> LockOutcome:
        """Take the camera, over a lower priority if need be."""
        async with self._camera_lock(camera):
            now = self._clock()
            outcome = await self._call(
                camera, self._store.acquire, camera, self.operator, self.idle_s, take_over=True, now=now
            )
            if outcome.granted:
                self._keep(camera, outcome.holder, now)
            else:
                self._report(camera, outcome.holder)
            return outcome

    async def release(self, camera: int) -> bool:
        async with self._camera_lock(camera):
            held = self._held.pop(camera, None)
            released = await self._call(camera, self._store.release, camera, self.operator)
            if held is not None or released:
                self._report(camera, None)
            return released

    async def holders(self, cameras: Iterable[int] | None) -> dict[int, LockHolder]:
        wanted = None if cameras is None else sorted(set(cameras))
        found = await self._call(0, self._store.holders, wanted, now=self._clock())
        return dict(found)

    def watch(self, cameras: Iterable[int]) -> None:
        self._watched = frozenset(cameras)
        for camera in list(self._known):
            if camera not in self._watched and camera not in self._held:
                del self._known[camera]
        self._poll_wake.set()

    async def close(self) -> None:
        """Release every lock this session holds (best effort) and stop the background tasks."""
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        for camera in list(self._held):
            try:
                await self._call(camera, self._store.release, camera, self.operator)
            except PtzError as error:
                log.warning("could not release the PTZ lock of camera %d: %s", camera, error)
        self._held.clear()

    def refusal(self, camera: int, holder: LockHolder) -> PtzError:
        return PtzError(
            camera,
            PtzErrorKind.LOCKED,
            f"{self._label(camera)} is driven by {describe_holder(holder)}",
            holder=holder,
        )

    # --- plumbing ---------------------------------------------------------------------------------

    def _camera_lock(self, camera: int) -> asyncio.Lock:
        lock = self._camera_locks.get(camera)
        if lock is None:
            lock = self._camera_locks[camera] = asyncio.Lock()
        return lock

    def _keep(self, camera: int, holder: LockHolder, now: datetime) -> None:
        self._held[camera] = _Held(holder, now, now, time.monotonic())
        self._report(camera, holder)

    def _report(self, camera: int, holder: LockHolder | None) -> None:
        """Tell listeners when the holder of a camera changed hands (not on a mere renewal)."""
        seen = camera in self._known
        before = self._known.get(camera)
        self._known[camera] = holder
        if seen and _same_hands(before, holder):
            return
        self._on_changed(camera, holder)

    async def _call(self, camera: int, function: Callable[..., T], *args: object, **kwargs: object) -> T:
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(STORE_TIMEOUT_S):
                return await loop.run_in_executor(self._executor, lambda: function(*args, **kwargs))
        except asyncio.CancelledError:
            raise
        except TimeoutError:
            raise PtzError(
                camera,
                PtzErrorKind.STORE,
                f"the PTZ control locks did not answer within {STORE_TIMEOUT_S:g} s (database)",
            ) from None
        except PtzError:
            raise
        except Exception as exc:
            raise PtzError(
                camera, PtzErrorKind.STORE, f"the PTZ control locks are unavailable: {exc}"
            ) from exc

    async def _renew_loop(self) -> None:
        while True:
            await asyncio.sleep(self.renew_s)
            for camera in list(self._held):
                try:
                    await self._renew_one(camera)
                except PtzError as error:
                    log.warning("PTZ lock of camera %d: %s", camera, error)
                except Exception:
                    log.exception("PTZ lock renewal of camera %d failed", camera)

    async def _renew_one(self, camera: int) -> None:
        async with self._camera_lock(camera):
            held = self._held.get(camera)
            if held is None:
                return
            now = self._clock()
            end = held.activity + timedelta(seconds=self.idle_s)
            if held.activity > held.renewed_for:
                lease = (end - now).total_seconds()
                renewed = (
                    await self._call(camera, self._store.renew, camera, self.operator, lease, now=now)
                    if lease > 0
                    else None
                )
                if renewed is not None:
                    held.holder = renewed
                    held.renewed_for = held.activity
                    return
                await self._lost(camera, idle=lease <= 0)
            elif held.holder.until <= now:
                await self._lost(camera, idle=True)

    async def _lost(self, camera: int, *, idle: bool) -> None:
        """Our lease ended: lapsed (idle) or taken by someone else."""
        self._held.pop(camera, None)
        current = (await self._call(camera, self._store.holders, [camera], now=self._clock())).get(camera)
        if current is not None and current.session == self.operator.session:
            # Lapsed and nobody took it: it is still stored as ours until the row is cleaned.
            await self._call(camera, self._store.release, camera, self.operator)
            current = None
        self._report(camera, current)
        self._on_lost(camera, current, idle and current is None)

    async def _poll_loop(self) -> None:
        while True:
            try:
                async with asyncio.timeout(self.poll_s):
                    await self._poll_wake.wait()
            except TimeoutError:
                pass
            self._poll_wake.clear()
            cameras = sorted(self._watched | set(self._held))
            if not cameras:
                continue
            try:
                found = await self.holders(cameras)
            except PtzError as error:
                log.debug("PTZ lock poll: %s", error)
                continue
            for camera in cameras:
                holder = found.get(camera)
                held = self._held.get(camera)
                if held is not None and (holder is None or holder.session != self.operator.session):
                    if holder is not None:  # taken over; a lapse is the renewer's business
                        self._held.pop(camera, None)
                        self._report(camera, holder)
                        self._on_lost(camera, holder, False)
                    continue
                if camera in self._watched:
                    self._report(camera, holder)


def _same_hands(a: LockHolder | None, b: LockHolder | None) -> bool:
    if a is None or b is None:
        return a is b
    return a.session == b.session and a.since == b.since


__all__ = ["LockKeeper", "MemoryLockStore", "describe_holder", "utc_now"]
