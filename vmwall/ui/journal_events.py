"""The journal service's notifications as Qt signals in the GUI thread.

The service calls its listeners on its own threads (the writer, the PostgreSQL listener); this
listener only hands each call to the bridge, whose queued signal runs it in the GUI thread, where
``JournalEvents`` emits its public signals. Nothing else of the journal UI is called from another
thread.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from vmwall.journal.service import JournalListener
from vmwall.journal.writer import WriterState
from vmwall.model.journal import Bookmark, JournalEntry
from vmwall.ui.bridge import Bridge
from vmwall.ui.journal_backend import JournalBackend


class _Forwarder(JournalListener):
    """Called on the service's threads: posts to the GUI thread and returns at once."""

    def __init__(self, bridge: Bridge, events: JournalEvents) -> None:
        self._bridge = bridge
        self._events = events

    def entry_saved(self, entry: JournalEntry, *, local: bool) -> None:
        self._bridge.deliver(self._events, self._events.entry_saved.emit, entry, local)

    def bookmark_saved(self, bookmark: Bookmark, *, local: bool) -> None:
        self._bridge.deliver(self._events, self._events.bookmark_saved.emit, bookmark, local)

    def categories_changed(self) -> None:
        self._bridge.deliver(self._events, self._events.categories_changed.emit)

    def state_changed(self, state: WriterState) -> None:
        self._bridge.deliver(self._events, self._events.state_changed.emit, state)

    def write_refused(self, what: str, reason: str) -> None:
        self._bridge.deliver(self._events, self._events.write_refused.emit, what, reason)

    def resync(self) -> None:
        self._bridge.deliver(self._events, self._events.resync_needed.emit)


class JournalEvents(QObject):
    entry_saved = Signal(object, bool)  # (JournalEntry as stored, saved by this console)
    bookmark_saved = Signal(object, bool)  # (Bookmark, saved by this console)
    categories_changed = Signal()
    state_changed = Signal(object)  # WriterState
    write_refused = Signal(str, str)  # (what, why): a queued write the database refused on its return
    resync_needed = Signal()  # changes from other workstations may have been missed: reload

    def __init__(self, bridge: Bridge, service: JournalBackend, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._service = service
        self._listener = _Forwarder(bridge, self)
        self._attached = False

    def attach(self) -> None:
        if not self._attached:
            self._attached = True
            self._service.add_listener(self._listener)

    def detach(self) -> None:
        """Stop listening. Idempotent."""
        if self._attached:
            self._attached = False
            self._service.remove_listener(self._listener)
