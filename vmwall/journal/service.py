"""The main courante, bookmarks and audit trail as one service for the console and the CLI.

    service = JournalService(database)            # data_dir: the user data directory
    service.add_listener(my_listener)              # optional: live updates (see JournalListener)
    service.start()
    future = service.add_entry(new_entry("alice", "rixe", "Deux individus…", cameras=[12]))
    outcome = future.result()                      # NOT on the GUI thread: add a done-callback there
    outcome.saved                                  # True: in the database; False: queued locally
    page = service.search(JournalQuery(text="rixe", communes=frozenset({3})))
    service.close()

Threading contract:

- **Writes** (`add_entry`, `edit_entry`, `add_follow_up`, `set_status`, `add_bookmark`,
  `edit_bookmark`, and every `audit` sink method) return a `concurrent.futures.Future` at once and
  never block: the GUI thread may call them. The future resolves to a `WriteOutcome` once the write
  is durable (SAVED in the database, or QUEUED in the local queue while the database is away); it
  fails with the reason if the database refuses the write (e.g. `ConflictError`: someone edited the
  entry meanwhile — reload and edit again). Do not call ``.result()`` on the GUI thread.
- **Reads** (`search`, `count`, `get_entry`, `history`, `categories`, `bookmarks`, `shift_report`,
  `monthly_stats`...) query the database and block: call them from a worker.
- **Listeners** (`JournalListener`) are called on the service's threads (writer, notification
  listener); they must return quickly and hand anything for widgets to the GUI thread.
- Changes made on other workstations arrive through PostgreSQL LISTEN/NOTIFY (within a second, no
  polling); on SQLite (one workstation) other services of the same process are told directly.
- `start()` once; `close()` is idempotent: it makes every accepted write durable and stops the
  threads (what the database did not get stays queued for the next start).
"""

from __future__ import annotations

import json
import logging
import socket
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from datetime import datetime, tzinfo
from pathlib import Path

from vmwall.journal.apply import (
    KIND_BOOKMARK,
    KIND_CATEGORIES,
    KIND_ENTRY,
    OperationApplier,
    is_transient,
    notification,
)
from vmwall.journal.audit import AuditSink, AuditTrail
from vmwall.journal.drafts import DraftStore
from vmwall.journal.ops import AddBookmark, AddEntry, EditBookmark, EditEntry, Operation, PatchEntry
from vmwall.journal.queue import DeadOperation, LocalQueue
from vmwall.journal.report import ReportContext, shift_report_html
from vmwall.journal.stats import monthly_stats
from vmwall.journal.writer import Applied, JournalWriter, WriteOutcome, WriterState
from vmwall.model.audit import Anchor, AuditAction
from vmwall.model.journal import (
    Bookmark,
    BookmarkQuery,
    Category,
    EntryRevision,
    EntryStatus,
    FollowUp,
    JournalEntry,
    JournalPage,
    JournalQuery,
    MonthlyStats,
    new_uid,
    utc_now,
)
from vmwall.store.db import Database, default_sqlite_path
from vmwall.store.repositories.audit import AuditRepository
from vmwall.store.repositories.bookmarks import BookmarkRepository
from vmwall.store.repositories.cameras import CameraRepository
from vmwall.store.repositories.communes import CommuneRepository
from vmwall.store.repositories.journal import JournalRepository
from vmwall.store.repositories.journal_writes import JournalStore

log = logging.getLogger(__name__)


class JournalListener:
    """Override what you need; every method is called on a service thread and must not block."""

    def entry_saved(self, entry: JournalEntry, *, local: bool) -> None:
        """An entry was stored or edited (``local``: by this service; else another workstation)."""

    def bookmark_saved(self, bookmark: Bookmark, *, local: bool) -> None:
        """A bookmark was stored or edited."""

    def categories_changed(self) -> None:
        """The typology changed: reload `categories()`."""

    def state_changed(self, state: WriterState) -> None:
        """The writer's state changed: show a warning while ``not state.online and state.queued``."""

    def write_refused(self, what: str, reason: str) -> None:
        """A write already reported as queued was refused by the database when it came back."""

    def resync(self) -> None:
        """Changes from other workstations may have been missed (connection lost): reload."""


def default_workstation() -> str:
    return (socket.gethostname() or "poste")[:64]


# SQLite: services of one process on the same database file tell each other directly.
_local_bus: dict[str, list[JournalService]] = {}
_local_bus_lock = threading.Lock()


class JournalService:
    def __init__(
        self,
        database: Database,
        *,
        data_dir: Path | None = None,
        workstation: str | None = None,
        batch_size: int = 500,
        stall_s: float = 3.0,
    ) -> None:
        self._db = database
        self.database = database
        self.data_dir = data_dir if data_dir is not None else default_sqlite_path().parent
        self.workstation = workstation or default_workstation()
        self.origin = new_uid()  # this service, to recognise its own notifications
        self.repository = JournalRepository(database)
        self.bookmark_repository = BookmarkRepository(database)
        self._communes = CommuneRepository(database)
        self._store = JournalStore(database)
        self._queue = LocalQueue.in_directory(self.data_dir)
        self._writer = JournalWriter(
            OperationApplier(self._store, origin=self.origin, workstation=self.workstation),
            self._queue,
            is_transient=is_transient,
            on_applied=self._on_applied,
            on_refused=self._on_refused,
            on_state=self._on_state,
            batch_size=batch_size,
            stall_s=stall_s,
        )
        self.audit = AuditSink(self._writer.submit, workstation=self.workstation)
        self._audit_repository = AuditRepository(database)
        self.trail = AuditTrail(self._audit_repository, self.audit)
        self._listeners: list[JournalListener] = []
        self._listeners_lock = threading.Lock()
        self._notifications = self._store.listener(
            self._on_notification, self._on_listener_connected, name="journal-listen"
        )
        self._listened_once = False
        self._started = False
        self._closed = False

    # --- life cycle --------------------------------------------------------------------------

    def start(self) -> None:
        if self._started:
            raise RuntimeError("journal service already started")
        self._started = True
        self._writer.start()
        if self._notifications is not None:
            self._notifications.start()
        elif self._db.dialect == "sqlite":
            with _local_bus_lock:
                _local_bus.setdefault(self._db.url, []).append(self)

    def wait_listening(self, timeout: float = 5.0) -> bool:
        """True once changes from other workstations are being received (at once on SQLite)."""
        return self._notifications is None or self._notifications.wait_listening(timeout)

    def close(self, timeout: float = 10.0) -> None:
        """Make every accepted write durable, stop the threads. Idempotent."""
        if self._closed:
            return
        self._closed = True
        with _local_bus_lock:
            peers = _local_bus.get(self._db.url, [])
            if self in peers:
                peers.remove(self)
        if self._notifications is not None:
            self._notifications.close()
        self._writer.close(timeout)
        self._queue.close()

    def __enter__(self) -> JournalService:
        self.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # --- listeners and state -----------------------------------------------------------------

    def add_listener(self, listener: JournalListener) -> None:
        with self._listeners_lock:
            self._listeners.append(listener)

    def remove_listener(self, listener: JournalListener) -> None:
        with self._listeners_lock:
            if listener in self._listeners:
                self._listeners.remove(listener)

    def _each(self) -> list[JournalListener]:
        with self._listeners_lock:
            return list(self._listeners)

    def state(self) -> WriterState:
        return self._writer.state()

    def refused_writes(self) -> list[DeadOperation]:
        """Writes the database refused for good, with the reason (kept in the local queue file)."""
        return self._queue.dead()

    # --- writes (non-blocking) -----------------------------------------------------------------

    def _submit(self, op: Operation) -> Future[WriteOutcome]:
        return self._writer.submit(op)

    def add_entry(self, entry: JournalEntry) -> Future[WriteOutcome]:
        """Store a new entry (make it with `vmwall.model.journal.new_entry`)."""
        if entry.id is not None or entry.revision != 1:
            raise ValueError("add_entry takes a new entry (from new_entry)")
        return self._submit(AddEntry(entry))

    def edit_entry(self, entry: JournalEntry, editor: str) -> Future[WriteOutcome]:
        """Store an edited version: ``entry`` is a stored version changed with `dataclasses.replace`
        (its ``revision`` tells which version it started from). The superseded version is kept;
        ConflictError if someone else edited it since."""
        return self._submit(EditEntry(entry, editor))

    def add_follow_up(self, entry_uid: str, follow_up: FollowUp, by: str) -> Future[WriteOutcome]:
        """Append a follow-up (police requested / on site / gone) to the stored entry."""
        return self._submit(PatchEntry(entry_uid, by, follow_up=follow_up))

    def set_status(self, entry_uid: str, status: EntryStatus, by: str) -> Future[WriteOutcome]:
        return self._submit(PatchEntry(entry_uid, by, status=status))

    def add_bookmark(self, bookmark: Bookmark) -> Future[WriteOutcome]:
        """Store a new bookmark (make it with `vmwall.model.journal.new_bookmark`)."""
        return self._submit(AddBookmark(bookmark))

    def edit_bookmark(self, bookmark: Bookmark, editor: str) -> Future[WriteOutcome]:
        """E.g. set its end: ``edit_bookmark(replace(b, end=utc_now()), login)``."""
        return self._submit(EditBookmark(bookmark, editor))

    # --- reads (blocking) ----------------------------------------------------------------------

    def categories(self, *, include_inactive: bool = False) -> list[Category]:
        return self.repository.categories(include_inactive=include_inactive)

    def save_category(self, category: Category, actor: str) -> Category:
        """Add or change a category of the typology (audited; other workstations are told)."""
        stored, previous = self.repository.save_category(category)
        self.audit.action(
            AuditAction.CATEGORY_CHANGE,
            actor,
            target=stored.code,
            label=stored.label,
            active=stored.active,
            previous_label=previous.label if previous else None,
            previous_active=previous.active if previous else None,
        )
        self._store.notify(notification(self.origin, KIND_CATEGORIES))
        for listener in self._each():
            listener.categories_changed()
        self._tell_local_peers(JournalService._categories_from_peer)
        return stored

    def get_entry(self, uid: str) -> JournalEntry | None:
        return self.repository.get(uid)

    def history(self, uid: str) -> list[EntryRevision]:
        """Superseded versions of an entry, oldest first."""
        return self.repository.history(uid)

    def search(self, query: JournalQuery) -> JournalPage:
        return self.repository.search(query)

    def count(self, query: JournalQuery, *, cap: int = 10_000) -> int:
        return self.repository.count(query, cap=cap)

    def iter_entries(self, query: JournalQuery) -> Iterator[JournalEntry]:
        return self.repository.iter_matching(query)

    def queued_entries(self) -> list[JournalEntry]:
        """Entries written here but not yet in the database (the latest version of each)."""
        latest: dict[str, JournalEntry] = {}
        for op in self._queue.pending():
            if isinstance(op, AddEntry | EditEntry):
                latest[op.entry.uid] = op.entry
        return list(latest.values())

    def bookmark(self, uid: str) -> Bookmark | None:
        return self.bookmark_repository.get(uid)

    def bookmarks(self, query: BookmarkQuery) -> list[Bookmark]:
        return self.bookmark_repository.search(query)

    def cameras_of(self, communes: frozenset[int]) -> set[int]:
        """The numbers of the cameras of these communes (to scope bookmarks)."""
        return {c.number for c in CameraRepository(self._db).list() if c.commune_id in communes}

    def report_context(self, tz: tzinfo | None = None, centre: str = "") -> ReportContext:
        communes = {c.id: c.name for c in self._communes.list() if c.id is not None}
        labels = {c.code: c.label for c in self.repository.categories(include_inactive=True)}
        return ReportContext(communes, labels, tz, centre)

    def shift_report(
        self,
        start: datetime,
        end: datetime,
        *,
        printed_by: str,
        communes: frozenset[int] | None = None,
        tz: tzinfo | None = None,
        centre: str = "",
    ) -> str:
        """A printable HTML report of the shift [start, end): entries, follow-ups, bookmarks.

        ``communes``: the reader's scope (None: every commune)."""
        query = JournalQuery(start=start, end=end, communes=communes)
        entries = list(self.repository.iter_matching(query))
        bookmarks = self.bookmark_repository.search(BookmarkQuery(start=start, end=end, limit=1_000))
        if communes is not None:
            visible = self.cameras_of(communes)
            bookmarks = [b for b in bookmarks if set(b.cameras) <= visible]
        operators = sorted({e.operator for e in entries})
        report = shift_report_html(
            start=start,
            end=end,
            entries=entries,
            bookmarks=bookmarks,
            context=self.report_context(tz, centre),
            printed_by=printed_by,
            printed_at=utc_now(),
            operators=operators,
            audit_head=self.trail_head(),
            queued=self.state().queued,
        )
        return report

    def trail_head(self) -> Anchor | None:
        """The audit trail's last record (sequence and hash), to print as an anchor; None if empty."""
        head = self._audit_repository.head()
        return Anchor(head.seq, head.row_hash) if head.seq > 0 else None

    def monthly_stats(
        self, *, commune_id: int | None, year: int, month: int, tz: tzinfo | None = None
    ) -> MonthlyStats:
        return monthly_stats(self.repository, commune_id=commune_id, year=year, month=month, tz=tz)

    def drafts(self, owner: str) -> DraftStore:
        """The draft autosave of one operator (in the user data directory)."""
        return DraftStore(self.data_dir, owner)

    # --- notifications -------------------------------------------------------------------------

    def _on_applied(self, applied: list[Applied]) -> None:
        for result in applied:
            value = result.value
            if isinstance(value, JournalEntry):
                for listener in self._each():
                    listener.entry_saved(value, local=True)
                self._tell_local_peers(lambda peer, entry=value: peer._entry_from_peer(entry))  # type: ignore[misc]
            elif isinstance(value, Bookmark):
                for listener in self._each():
                    listener.bookmark_saved(value, local=True)
                self._tell_local_peers(lambda peer, mark=value: peer._bookmark_from_peer(mark))  # type: ignore[misc]

    def _tell_local_peers(self, tell: Callable[[JournalService], object]) -> None:
        if self._notifications is not None:
            return
        with _local_bus_lock:
            peers = [peer for peer in _local_bus.get(self._db.url, []) if peer is not self]
        for peer in peers:
            try:
                tell(peer)
            except Exception:
                log.exception("a journal listener failed")

    def _entry_from_peer(self, entry: JournalEntry) -> None:
        for listener in self._each():
            listener.entry_saved(entry, local=False)

    def _categories_from_peer(self) -> None:
        for listener in self._each():
            listener.categories_changed()

    def _bookmark_from_peer(self, bookmark: Bookmark) -> None:
        for listener in self._each():
            listener.bookmark_saved(bookmark, local=False)

    def _on_refused(self, op: Operation | None, reason: str) -> None:
        what = "an unreadable queued write" if op is None else f"{op.kind.value} {op.uid}"
        for listener in self._each():
            listener.write_refused(what, reason)

    def _on_state(self, state: WriterState) -> None:
        for listener in self._each():
            listener.state_changed(state)

    def _on_listener_connected(self) -> None:
        if self._listened_once:
            for listener in self._each():
                listener.resync()
        self._listened_once = True

    def _on_notification(self, payload: str) -> None:
        try:
            data = json.loads(payload)
            origin, kind, uid = data["o"], data["k"], data.get("u", "")
        except (ValueError, KeyError, TypeError):
            log.warning("ignored a malformed journal notification")
            return
        if origin == self.origin:
            return
        if kind == KIND_ENTRY:
            entry = self.repository.get(uid)
            if entry is not None:
                self._entry_from_peer(entry)
        elif kind == KIND_BOOKMARK:
            bookmark = self.bookmark_repository.get(uid)
            if bookmark is not None:
                self._bookmark_from_peer(bookmark)
        elif kind == KIND_CATEGORIES:
            for listener in self._each():
                listener.categories_changed()
