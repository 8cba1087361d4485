"""PostgreSQL LISTEN for journal changes made on other workstations: one thread, one connection.

The thread blocks in the server connection waiting for notifications (no polling of tables); it
wakes at least every ``wake_s`` to notice ``close()``. When the connection drops it reconnects with
capped backoff and calls ``on_connected`` again: notifications sent while it was away are lost, so
the owner should then refresh whatever it shows.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import psycopg

from vmwall.redact import redact_text

log = logging.getLogger(__name__)

_CONNECT_TIMEOUT_S = 5
_BACKOFF_S = (0.5, 1.0, 2.0, 5.0)


class PgNotificationListener:
    def __init__(
        self,
        conninfo: str,
        channel: str,
        on_payload: Callable[[str], None],
        on_connected: Callable[[], None],
        *,
        name: str = "journal-listen",
        display_url: str = "",
        wake_s: float = 0.25,
    ) -> None:
        if not channel.isidentifier():
            raise ValueError(f"channel {channel!r} is not an identifier")
        self._conninfo = conninfo
        self._channel = channel
        self._on_payload = on_payload
        self._on_connected = on_connected
        self._display_url = display_url
        self._wake_s = wake_s
        self._stop = threading.Event()
        self._listening = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._started = False

    def start(self) -> None:
        if self._started:
            raise RuntimeError("listener already started")
        self._started = True
        self._thread.start()

    def wait_listening(self, timeout: float) -> bool:
        """True once the LISTEN is in place (tests, and callers that must not miss the next change)."""
        return self._listening.wait(timeout)

    def close(self, timeout: float = 5.0) -> None:
        """Stop listening. Idempotent."""
        self._stop.set()
        if self._started and self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join(timeout)

    def _run(self) -> None:
        attempt = 0
        while not self._stop.is_set():
            try:
                with psycopg.connect(
                    self._conninfo,
                    autocommit=True,
                    connect_timeout=_CONNECT_TIMEOUT_S,
                    application_name="vmwall-journal-listen",
                ) as connection:
                    connection.execute(f"LISTEN {self._channel}")
                    attempt = 0
                    self._listening.set()
                    log.info("listening for journal changes on %s", self._display_url)
                    self._safe(self._on_connected)
                    while not self._stop.is_set():
                        for notification in connection.notifies(timeout=self._wake_s):
                            self._safe(self._on_payload, notification.payload)
                            if self._stop.is_set():
                                break
            except psycopg.Error as error:
                self._listening.clear()
                if self._stop.is_set():
                    return
                delay = _BACKOFF_S[min(attempt, len(_BACKOFF_S) - 1)]
                attempt += 1
                log.warning(
                    "journal notifications from %s interrupted (%s); retrying in %.1f s",
                    self._display_url,
                    redact_text(" ".join(str(error).split()))[:300],
                    delay,
                )
                self._stop.wait(delay)
        self._listening.clear()

    def _safe(self, callback: Callable[..., None], *args: str) -> None:
        try:
            callback(*args)
        except Exception:
            log.exception("a journal notification handler failed")
