"""The one thread that owns a `ControllerLink` (the console's `WallClient`, a node's `WallNodeAgent`).

Both follow the controller the same way (the Clone pattern's client side): `start` connects the
link and runs the owner's loop in a daemon thread; `close` (idempotent) asks the loop to stop,
wakes it, waits for it and closes the link. The loop itself is the owner's: it polls `stopping`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from vmwall.wall.link import ControllerLink

JOIN_TIMEOUT_S = 10.0


class LinkThread:
    def __init__(self, link: ControllerLink, name: str, run: Callable[[], None]) -> None:
        self.link = link
        self.name = name
        self._run = run
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._closed = False

    @property
    def running(self) -> bool:
        """`start` was called and `close` not yet."""
        return self._thread is not None

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def stopping(self) -> bool:
        """The loop should return (`close` was called)."""
        return self._stop.is_set()

    def is_current(self) -> bool:
        """Called from the link's own thread."""
        return threading.current_thread() is self._thread

    def start(self) -> None:
        """Connect the link and start the loop (nothing if already running)."""
        if self._thread is not None:
            return
        self.link.start()
        self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
        self._thread.start()

    def close(self) -> bool:
        """Stop the loop and close the link; False when it was closed already."""
        if self._closed:
            return False
        self._closed = True
        self._stop.set()
        self.link.wake()
        if self._thread is not None:
            self._thread.join(JOIN_TIMEOUT_S)
            self._thread = None
        self.link.close()
        return True


__all__ = ["LinkThread"]
