"""One write transaction of the journal writer: entries, edits, bookmarks and audit records together.

    store = JournalStore(database)
    with store.transaction() as tx:
        with tx.attempt():                       # a savepoint: one refused write spares the others
            entry, new = tx.add_entry(entry)
        tx.append_audit(events)                  # always last: it takes the audit head lock
        tx.notify(payload)                       # PostgreSQL NOTIFY, delivered at commit

A lost connection raises DatabaseUnavailableError out of ``transaction()`` (everything rolled back);
a refused write raises a StoreError or ValidationError out of ``attempt()`` only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import exc, text
from sqlalchemy.orm import Session

from vmwall.model.audit import AuditEvent, AuditRecord
from vmwall.model.journal import Bookmark, JournalEntry
from vmwall.store.db import Database, connection_failure_reason
from vmwall.store.errors import StoreError
from vmwall.store.repositories import audit, bookmarks, journal

if TYPE_CHECKING:
    from vmwall.store.repositories.journal_notify import PgNotificationListener

NOTIFY_CHANNEL = "vmwall_journal"


class WriteTransaction:
    def __init__(self, session: Session, dialect: str, now: datetime) -> None:
        self._session = session
        self._dialect = dialect
        self.now = now

    @contextmanager
    def attempt(self) -> Iterator[None]:
        """A savepoint around one write: if the database refuses it, only it is rolled back."""
        try:
            with self._session.begin_nested():
                yield
        except exc.IntegrityError as error:
            raise StoreError(f"the database refused the change: {connection_failure_reason(error)}") from None

    def add_entry(self, entry: JournalEntry) -> tuple[JournalEntry, bool]:
        """(stored entry, True), or (already stored, False) when its uid is known."""
        return journal.insert_entry(self._session, entry, self.now)

    def edit_entry(
        self, edited: JournalEntry, *, editor: str, op_uid: str, strict: bool
    ) -> tuple[JournalEntry, tuple[str, ...], bool]:
        """(new version, fields changed, applied). ``applied`` False: ``op_uid`` was applied before."""
        if journal.op_applied(self._session, op_uid):
            current = journal.get_entry(self._session, edited.uid)
            assert current is not None
            return current, (), False
        entry, changed = journal.update_entry(
            self._session, edited, editor=editor, now=self.now, strict=strict
        )
        journal.mark_op(self._session, op_uid, "journal-edit", self.now)
        return entry, changed, True

    def get_entry(self, uid: str, *, lock: bool = False) -> JournalEntry | None:
        """The stored entry; ``lock``: hold its row until the commit (read-modify-write)."""
        return journal.get_entry(self._session, uid, lock=lock)

    def add_bookmark(self, bookmark: Bookmark) -> tuple[Bookmark, bool]:
        return bookmarks.insert_bookmark(self._session, bookmark, self.now)

    def edit_bookmark(
        self, edited: Bookmark, *, editor: str, op_uid: str, strict: bool
    ) -> tuple[Bookmark, tuple[str, ...], bool]:
        if journal.op_applied(self._session, op_uid):
            current = bookmarks.get_bookmark(self._session, edited.uid)
            assert current is not None
            return current, (), False
        bookmark, changed = bookmarks.update_bookmark(
            self._session, edited, editor=editor, now=self.now, strict=strict
        )
        journal.mark_op(self._session, op_uid, "bookmark-edit", self.now)
        return bookmark, changed, True

    def append_audit(self, events: Sequence[AuditEvent]) -> list[AuditRecord]:
        """Chain the events (those already stored are skipped). Call it last: it locks the head."""
        return audit.append_events(self._session, events, self.now)

    def notify(self, payload: str) -> None:
        """Tell the other workstations (PostgreSQL NOTIFY, sent at commit). No-op on SQLite."""
        if self._dialect == "postgresql":
            self._session.execute(
                text("SELECT pg_notify(:channel, :payload)"), {"channel": NOTIFY_CHANNEL, "payload": payload}
            )


class JournalStore:
    """What the journal writer and the notification listener need from the database."""

    def __init__(self, database: Database) -> None:
        self._db = database

    @property
    def dialect(self) -> str:
        return self._db.dialect

    @property
    def shares_workstations(self) -> bool:
        """True when other workstations may write (PostgreSQL): changes arrive by notification."""
        return self._db.dialect == "postgresql"

    def ping(self) -> None:
        self._db.ping()

    @contextmanager
    def transaction(self) -> Iterator[WriteTransaction]:
        with self._db.session() as session:
            if self._db.dialect == "postgresql":
                # The server's clock: one time reference for every workstation of the centre.
                now = session.execute(text("SELECT now()")).scalar_one().astimezone(UTC)
            else:
                now = datetime.now(UTC)
            yield WriteTransaction(session, self._db.dialect, now)

    def notify(self, payload: str) -> None:
        """Tell the other workstations outside a write transaction (PostgreSQL; no-op on SQLite)."""
        if self._db.dialect == "postgresql":
            with self._db.session() as session:
                session.execute(
                    text("SELECT pg_notify(:channel, :payload)"),
                    {"channel": NOTIFY_CHANNEL, "payload": payload},
                )

    def listener(
        self,
        on_payload: Callable[[str], None],
        on_connected: Callable[[], None],
        *,
        name: str = "journal-listen",
    ) -> PgNotificationListener | None:
        """A (not started) listener for other workstations' changes; None on SQLite (one workstation)."""
        if self._db.dialect != "postgresql":
            return None
        from vmwall.store.repositories.journal_notify import PgNotificationListener  # imports psycopg

        url = self._db.engine.url.set(drivername="postgresql")
        return PgNotificationListener(
            url.render_as_string(hide_password=False),
            NOTIFY_CHANNEL,
            on_payload,
            on_connected,
            name=name,
            display_url=self._db.display_url,
        )
