"""Re-checks a console's account in the background, so that suspending an agrément (or deactivating
an account) ends live view within a minute on every console, open sessions included.

The watcher thread calls ``refresh(session)`` (which reads the account from the store) every
``interval_s`` seconds and calls ``on_changed(new)`` when the session's rights, problem or commune
scope changed.
Callbacks run on the watcher thread: the console hands them to its GUI thread. If the store cannot
be read, the session keeps its rights (a database outage must not black out a supervision centre)
and the watcher tries again at the next interval; the outage is logged once.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from vmwall.accounts.session import Session

log = logging.getLogger(__name__)

DEFAULT_INTERVAL_S = 15.0  # ≤ 30 s: a suspension reaches every console well within the minute


class SessionWatcher:
    def __init__(
        self,
        refresh: Callable[[Session], Session],
        current: Callable[[], Session | None],
        on_changed: Callable[[Session], None],
        *,
        interval_s: float = DEFAULT_INTERVAL_S,
        name: str = "session-watcher",
    ) -> None:
        if interval_s <= 0:
            raise ValueError("interval_s must be positive")
        self._refresh = refresh
        self._current = current
        self._on_changed = on_changed
        self.interval_s = interval_s
        self._name = name
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._failing = False
        self.checks = 0  # how many refreshes ran (for tests and diagnostics)

    def start(self) -> None:
        if self._thread is None and not self._stop.is_set():
            self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
            self._thread.start()

    def check_now(self) -> None:
        """Refresh at once (e.g. after a handover), then go on at the usual interval."""
        self._wake.set()

    def close(self) -> None:
        """Stop the thread and wait for it (a refresh in progress finishes first). Idempotent."""
        self._stop.set()
        self._wake.set()
        thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join(30)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self.interval_s)
            self._wake.clear()
            if self._stop.is_set():
                return
            self.check_once()

    def check_once(self) -> None:
        session = self._current()
        if session is None:
            return
        try:
            fresh = self._refresh(session)
        except Exception as error:
            if not self._failing:
                log.warning(
                    "cannot re-check the account %s (its rights stay as they are): %s", session.login, error
                )
            self._failing = True
            return
        finally:
            self.checks += 1
        if self._failing:
            log.info("account %s re-checked again", session.login)
            self._failing = False
        if (
            fresh.permissions != session.permissions
            or fresh.problem != session.problem
            or fresh.communes != session.communes
        ):
            try:
                self._on_changed(fresh)
            except Exception:
                log.exception("the session watcher's callback failed")
