"""One consumer (a player's HTTP connection) of a hub stream, and how a slow one is handled.

The upstream thread offers units; the consumer's coroutine takes them. A consumer that falls behind
by more than its budget loses what it has queued and resumes at the next keyframe, so one slow
player never slows the camera's other viewers nor grows the hub's memory.
"""

from __future__ import annotations

import asyncio
import threading
from collections import deque
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Unit:
    """The MPEG-TS packets of one access unit (plus any program tables written with it)."""

    data: bytes
    key: bool
    dts: int  # 90 kHz, of the unit's PES
    arrived: float  # time.monotonic()


class Consumer:
    def __init__(self, loop: asyncio.AbstractEventLoop, peer: str, budget_bytes: int = 8 * 1024 * 1024) -> None:
        self.peer = peer
        self.budget_bytes = budget_bytes
        self._loop = loop
        self._lock = threading.Lock()
        self._queue: deque[bytes] = deque()
        self._queued_bytes = 0
        self._waiting = False
        self._wakeup = asyncio.Event()
        self._closed = False
        self._resync = False  # dropped data: skip until the next keyframe
        self.sent_bytes = 0
        self.dropped_units = 0
        self.resyncs = 0

    # --- producer side (upstream thread) -------------------------------------------------
    def offer_burst(self, data: bytes) -> None:
        with self._lock:
            self._queue.append(data)
            self._queued_bytes += len(data)
        self._wake()

    def offer(self, unit: Unit, tables: bytes) -> None:
        with self._lock:
            if self._closed:
                return
            if self._resync:
                if not unit.key:
                    self.dropped_units += 1
                    return
                self._resync = False
                self._queue.append(tables)  # a decoder resuming needs the program tables again
                self._queued_bytes += len(tables)
            if self._queued_bytes + len(unit.data) > self.budget_bytes:
                self.dropped_units += len(self._queue) + 1
                self._queue.clear()
                self._queued_bytes = 0
                self._resync = True
                self.resyncs += 1
                return
            self._queue.append(unit.data)
            self._queued_bytes += len(unit.data)
        self._wake()

    def _wake(self) -> None:
        with self._lock:
            if not self._waiting:
                return
            self._waiting = False
        self._loop.call_soon_threadsafe(self._wakeup.set)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._waiting = False
        self._loop.call_soon_threadsafe(self._wakeup.set)

    # --- consumer side (event loop) -----------------------------------------------------------
    @property
    def queued_bytes(self) -> int:
        return self._queued_bytes

    async def next_chunk(self, timeout: float) -> bytes | None:
        """Everything queued, joined; b"" after ``timeout`` with nothing; None once closed."""
        while True:
            with self._lock:
                if self._queue:
                    data = b"".join(self._queue)
                    self._queue.clear()
                    self._queued_bytes = 0
                    self.sent_bytes += len(data)
                    return data
                if self._closed:
                    return None
                self._waiting = True
                self._wakeup.clear()
            try:
                await asyncio.wait_for(self._wakeup.wait(), timeout)
            except TimeoutError:
                with self._lock:
                    self._waiting = False
                return b""
