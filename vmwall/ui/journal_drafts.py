"""Draft autosave off the GUI thread, in order: the newest fields of each draft win.

An editor hands its fields here at most once a second while the operator types; the file is
written by a bridge worker (``DraftStore`` fsyncs and renames). Saves of one draft never run
concurrently and never out of order: while one is being written, only the newest fields wait, and
a discard queued after a save is carried out after it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtCore import QObject

from vmwall.journal.drafts import DraftStore
from vmwall.ui.bridge import Bridge

log = logging.getLogger(__name__)

_Key = tuple[str, str]  # (owner, slot)
_Wanted = tuple[DraftStore, str, dict[str, Any] | None]  # fields None: discard


class DraftKeeper(QObject):
    def __init__(
        self, bridge: Bridge, on_failed: Callable[[str], None] | None = None, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._bridge = bridge
        self._on_failed = on_failed
        self._wanted: dict[_Key, _Wanted] = {}
        self._busy: set[_Key] = set()
        self.saves = 0  # drafts written (for tests and the log)

    def save(self, store: DraftStore, owner: str, slot: str, fields: Mapping[str, Any]) -> None:
        self._want((owner, slot), (store, slot, dict(fields)))

    def discard(self, store: DraftStore, owner: str, slot: str) -> None:
        self._want((owner, slot), (store, slot, None))

    def idle(self) -> bool:
        return not self._busy and not self._wanted

    def flush_now(self) -> None:
        """Write what is still waiting, here and now (the console is closing: no worker left)."""
        for (_owner, _slot), (store, slot, fields) in list(self._wanted.items()):
            try:
                _run(store, slot, fields)
            except Exception as error:
                log.warning("the journal draft could not be written at exit: %s", error)
        self._wanted.clear()

    def _want(self, key: _Key, wanted: _Wanted) -> None:
        self._wanted[key] = wanted
        if key not in self._busy:
            self._next(key)

    def _next(self, key: _Key) -> None:
        wanted = self._wanted.pop(key, None)
        if wanted is None:
            self._busy.discard(key)
            return
        self._busy.add(key)
        store, slot, fields = wanted

        def done(_none: None) -> None:
            if fields is not None:
                self.saves += 1
            self._next(key)

        def failed(error: Exception) -> None:
            log.warning("journal draft %s: %s", slot, error)
            if self._on_failed is not None:
                self._on_failed(str(error))
            self._next(key)

        future = self._bridge.submit(
            "save the journal draft", lambda: _run(store, slot, fields), done, failed, receiver=self
        )
        if future is None:  # the console is closing: keep it for flush_now
            self._wanted.setdefault(key, wanted)
            self._busy.discard(key)


def _run(store: DraftStore, slot: str, fields: dict[str, Any] | None) -> None:
    if fields is None:
        store.discard_draft(slot=slot)
    else:
        store.save_draft(fields, slot=slot)
