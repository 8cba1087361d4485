"""One asyncio loop on its own thread: where all ONVIF work of a process runs.

Other threads hand it coroutines (`submit`, which returns a `concurrent.futures.Future`) or plain
callables (`call_soon`); they never wait on it unless they choose to. ``close()`` cancels what is
still running, stops the loop and joins the thread; it is idempotent.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Callable, Coroutine
from concurrent.futures import Future
from typing import Any, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")

_CLOSE_TIMEOUT_S = 10.0


class LoopThread:
    def __init__(self, name: str = "vmwall-onvif") -> None:
        self.name = name
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._state_lock = threading.Lock()
        self._state = "new"

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        if self._loop is None:
            raise RuntimeError("the loop thread is not started")
        return self._loop

    @property
    def running(self) -> bool:
        return self._state == "running"

    def in_loop(self) -> bool:
        """True when called from the loop's own thread."""
        return self._thread is not None and threading.current_thread() is self._thread

    def start(self) -> None:
        with self._state_lock:
            if self._state != "new":
                raise RuntimeError(f"loop thread already {self._state}")
            self._state = "running"
        loop = asyncio.new_event_loop()
        ready = threading.Event()
        self._loop = loop
        self._thread = threading.Thread(target=self._run, args=(loop, ready), name=self.name, daemon=True)
        self._thread.start()
        ready.wait()

    def submit(self, coro: Coroutine[Any, Any, T]) -> Future[T]:
        """Run ``coro`` on the loop; the future completes there. A closed loop fails the future."""
        if self._state != "running" or self._loop is None:
            coro.close()
            failed: Future[T] = Future()
            failed.set_exception(RuntimeError("the PTZ loop is closed"))
            return failed
        return asyncio.run_coroutine_threadsafe(coro, self._loop)

    def call_soon(self, callback: Callable[..., object], *args: Any) -> None:
        """Call ``callback(*args)`` on the loop (dropped once closed)."""
        loop = self._loop
        if self._state != "running" or loop is None:
            return
        with contextlib.suppress(RuntimeError):  # closed between the check and the call
            loop.call_soon_threadsafe(callback, *args)

    def close(self) -> None:
        """Cancel pending tasks, stop the loop, join the thread. Idempotent; not from the loop itself."""
        with self._state_lock:
            if self._state == "closed":
                return
            previous, self._state = self._state, "closed"
        if previous == "new" or self._loop is None or self._thread is None:
            return
        if self.in_loop():
            raise RuntimeError("close() called from the loop's own thread")
        loop = self._loop
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(loop.stop)
        self._thread.join(timeout=_CLOSE_TIMEOUT_S)
        if self._thread.is_alive():
            log.error("the %s loop thread did not stop within %g s", self.name, _CLOSE_TIMEOUT_S)

    @staticmethod
    def _run(loop: asyncio.AbstractEventLoop, ready: threading.Event) -> None:
        asyncio.set_event_loop(loop)
        loop.call_soon(ready.set)
        try:
            loop.run_forever()
        finally:
            try:
                leftovers = asyncio.all_tasks(loop)
                for task in leftovers:
                    task.cancel()
                loop.run_until_complete(asyncio.gather(*leftovers, return_exceptions=True))
                loop.run_until_complete(loop.shutdown_asyncgens())
                loop.run_until_complete(loop.shutdown_default_executor())
            except Exception:
                log.exception("unclean shutdown of the PTZ loop")
            finally:
                loop.close()


__all__ = ["LoopThread"]
