"""The one door from worker threads into the widgets.

The GUI thread never waits on I/O: database queries, the stream hub, file writes and libVLC
callbacks run elsewhere. Their results come back through ``Bridge``, a QObject living in the GUI
thread: worker code calls its ``post_*`` / ``deliver`` methods from any thread, which emit a private
signal; a queued connection hands it to the GUI thread, where the public signals are emitted (past
tense) or the callback runs. Nothing else in ``vmwall.ui`` touches a widget from another thread.

``submit(job, on_done, on_failed)`` runs a blocking job on the bridge's worker pool and delivers
its result (or exception) to a callback in the GUI thread, skipped if its receiver is gone.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

import shiboken6
from PySide6.QtCore import QObject, Qt, Signal

from vmwall.video.status import TileStatus

log = logging.getLogger(__name__)

T = TypeVar("T")

WORKERS = 4


class Bridge(QObject):
    # Public signals: emitted in the GUI thread only.
    tile_status_changed = Signal(object, object)  # (tile key, TileStatus)
    hub_health_changed = Signal(bool, str)  # (reachable, detail)
    database_health_changed = Signal(bool, str)
    hub_streams_changed = Signal(object)  # dict[camera number, hub stream state]
    task_failed = Signal(str, str)  # (what, why) for the status bar and the log

    _posted = Signal(object)  # private: (callable, args) from any thread

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._posted.connect(self._on_self_posted, Qt.ConnectionType.QueuedConnection)
        self._pool: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()
        self._closed = False

    # --- from any thread ----------------------------------------------------------------------

    def deliver(self, receiver: QObject | None, callback: Callable[..., None], *args: Any) -> None:
        """Call ``callback(*args)`` in the GUI thread, unless ``receiver`` has been deleted by then."""
        if self._closed:
            return
        self._posted.emit((receiver, callback, args))

    def post_tile_status(self, key: object, status: TileStatus) -> None:
        self.deliver(None, self.tile_status_changed.emit, key, status)

    def post_hub_health(self, reachable: bool, detail: str) -> None:
        self.deliver(None, self.hub_health_changed.emit, reachable, detail)

    def post_database_health(self, reachable: bool, detail: str) -> None:
        self.deliver(None, self.database_health_changed.emit, reachable, detail)

    def post_hub_streams(self, states: dict[int, str]) -> None:
        self.deliver(None, self.hub_streams_changed.emit, states)

    def post_failure(self, what: str, why: str) -> None:
        self.deliver(None, self.task_failed.emit, what, why)

    # --- from the GUI thread ------------------------------------------------------------------

    def start(self) -> None:
        with self._lock:
            if self._pool is None and not self._closed:
                self._pool = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="vmwall-ui-worker")

    def submit(
        self,
        what: str,
        job: Callable[[], T],
        on_done: Callable[[T], None] | None = None,
        on_failed: Callable[[Exception], None] | None = None,
        receiver: QObject | None = None,
    ) -> Future[T] | None:
        """Run ``job`` on a worker; its result or error comes back to the GUI thread.

        Without ``on_failed`` an error is logged and announced on ``task_failed(what, why)``.
        Returns None once the bridge is closed (the job does not run).
        """
        self.start()
        with self._lock:
            pool = self._pool
            if pool is None or self._closed:
                return None
            future = pool.submit(job)

        def finished(done: Future[T]) -> None:
            error = done.exception()
            if error is None:
                if on_done is not None:
                    self.deliver(receiver, on_done, done.result())
            elif isinstance(error, Exception):
                if on_failed is not None:
                    self.deliver(receiver, on_failed, error)
                else:
                    log.warning("%s failed: %s", what, error)
                    self.post_failure(what, str(error) or type(error).__name__)

        future.add_done_callback(finished)
        return future

    def close(self, wait: bool = False) -> None:
        """Stop taking jobs; queued ones are cancelled. Idempotent."""
        with self._lock:
            self._closed = True
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=wait, cancel_futures=True)

    def _on_self_posted(self, payload: tuple[QObject | None, Callable[..., None], tuple[Any, ...]]) -> None:
        receiver, callback, args = payload
        if receiver is not None and not shiboken6.isValid(receiver):
            return
        try:
            callback(*args)
        except Exception:  # a failing handler must not kill the event loop
            log.exception("handler %r failed", callback)
