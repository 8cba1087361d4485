"""One consumer (a player's HTTP connection) of a hub stream, and how a slow one is handled.

The upstream thread writes each unit straight into the player's non-blocking socket: no hop through
the event loop per frame. What the socket cannot take at once waits in a per-player buffer; a player
that falls behind by more than its budget loses that buffer and resumes at the next keyframe, so one
slow player never slows the camera's other viewers nor grows the hub's memory.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Unit:
    """The MPEG-TS packets of one access unit (plus any program tables written with it)."""

    data: bytes
    key: bool
    dts: int  # 90 kHz, of the unit's PES
    arrived: float  # time.monotonic()


class Consumer:
    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        sock: socket.socket,
        peer: str,
        budget_bytes: int = 8 * 1024 * 1024,
        max_lag_s: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """``sock`` is the consumer's own (duplicated) socket; it is made non-blocking.

        A player is cut back to the next keyframe when it has had data waiting for more than
        ``max_lag_s`` (it is that far behind live) or more than ``budget_bytes`` waiting.
        """
        self.peer = peer
        self.budget_bytes = budget_bytes
        self.max_lag_s = max_lag_s
        self._clock = clock
        self._waiting_since: float | None = None
        self._loop = loop
        self._sock = sock
        sock.setblocking(False)
        # Keep the kernel's share of a stuck player small: the lag budget is enforced here.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 256 * 1024)
        self._lock = threading.Lock()
        self._pending = bytearray()
        self._closed = False
        self.closed_event = asyncio.Event()
        self._resync = False  # skip until the next keyframe
        self.sent_bytes = 0
        self.dropped_units = 0
        self.resyncs = 0

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def pending_bytes(self) -> int:
        return len(self._pending)

    def start_at_next_keyframe(self) -> None:
        with self._lock:
            self._resync = True

    def offer_burst(self, data: bytes) -> None:
        with self._lock:
            self._pending += data
            self._flush_locked()

    def offer(self, unit: Unit, tables: bytes) -> None:
        with self._lock:
            if self._closed:
                return
            if self._resync:
                if not unit.key:
                    self.dropped_units += 1
                    return
                self._resync = False
                self._pending += tables  # a decoder resuming needs the program tables again
            behind = self._waiting_since is not None and self._clock() - self._waiting_since > self.max_lag_s
            if behind or len(self._pending) + len(unit.data) > self.budget_bytes:
                self.dropped_units += 1
                self._pending.clear()
                self._waiting_since = None
                self._resync = True
                self.resyncs += 1
                return
            self._pending += unit.data
            self._flush_locked()

    def _flush_locked(self) -> None:
        while self._pending and not self._closed:
            try:
                sent = self._sock.send(self._pending)
            except (BlockingIOError, InterruptedError):
                if self._waiting_since is None:
                    self._waiting_since = self._clock()
                return
            except OSError:
                self._close_locked()
                return
            self.sent_bytes += sent
            del self._pending[:sent]
        self._waiting_since = None

    def _close_locked(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._pending.clear()
        with contextlib.suppress(OSError):
            self._sock.close()
        with contextlib.suppress(RuntimeError):  # the loop is already closed (hub shutting down)
            self._loop.call_soon_threadsafe(self.closed_event.set)

    def close(self) -> None:
        with self._lock:
            self._close_locked()
