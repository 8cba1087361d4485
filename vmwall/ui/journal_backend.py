"""What the journal widgets need from the main courante service (``vmwall.journal.service``).

``JournalService`` is the real one; the widgets only ever see this protocol. Its threading contract
is the service's: writes return a future at once (the GUI thread may call them, never
``.result()``); reads block and run on the bridge's workers; listeners are called on the service's
threads and hand everything to the GUI thread through ``vmwall.ui.journal_events``.
"""

from __future__ import annotations

from concurrent.futures import Future
from datetime import datetime, tzinfo
from typing import Protocol

from vmwall.journal.audit import AuditSink
from vmwall.journal.drafts import DraftStore
from vmwall.journal.service import JournalListener
from vmwall.journal.writer import WriteOutcome, WriterState
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
)


class JournalBackend(Protocol):
    workstation: str
    audit: AuditSink

    def add_listener(self, listener: JournalListener) -> None: ...

    def remove_listener(self, listener: JournalListener) -> None: ...

    def state(self) -> WriterState:
        """The writer's state (instant)."""
        ...

    # writes: non-blocking, the future resolves once the write is durable

    def add_entry(self, entry: JournalEntry) -> Future[WriteOutcome]: ...

    def edit_entry(self, entry: JournalEntry, editor: str) -> Future[WriteOutcome]: ...

    def add_follow_up(self, entry_uid: str, follow_up: FollowUp, by: str) -> Future[WriteOutcome]: ...

    def set_status(self, entry_uid: str, status: EntryStatus, by: str) -> Future[WriteOutcome]: ...

    def add_bookmark(self, bookmark: Bookmark) -> Future[WriteOutcome]: ...

    def edit_bookmark(self, bookmark: Bookmark, editor: str) -> Future[WriteOutcome]: ...

    # reads: *blocking*

    def categories(self, *, include_inactive: bool = False) -> list[Category]: ...

    def get_entry(self, uid: str) -> JournalEntry | None: ...

    def history(self, uid: str) -> list[EntryRevision]: ...

    def search(self, query: JournalQuery) -> JournalPage: ...

    def queued_entries(self) -> list[JournalEntry]: ...

    def bookmarks(self, query: BookmarkQuery) -> list[Bookmark]: ...

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
        """The printable HTML report of [start, end) within ``communes`` (None: every commune)."""
        ...

    def monthly_stats(
        self, *, commune_id: int | None, year: int, month: int, tz: tzinfo | None = None
    ) -> MonthlyStats: ...

    def drafts(self, owner: str) -> DraftStore: ...
