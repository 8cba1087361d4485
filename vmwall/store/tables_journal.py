"""Tables of the main courante, the incident bookmarks and the audit trail (revision 0004).

The journal and the audit trail share no table: the audit rows (``audit_log``, ``audit_head``) never
reference journal rows by foreign key, and nothing in the journal points at them.

Text search: ``search_text`` holds text and place folded (lower case, no accents; see
``vmwall.model.journal.fold_text``). PostgreSQL indexes it with a pg_trgm GIN index; SQLite with an
FTS5 table using the trigram tokenizer (``journal_entries_fts``, kept in step by triggers). Both
answer "every word appears somewhere" the same way. The FTS5 table and its shadow tables are created
by the migration, not by this metadata (SQLAlchemy cannot describe a virtual table), and Alembic's
comparison ignores ``ddl_if``: `include_in_schema_comparison` leaves both out of comparisons (the
tests check them separately).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from vmwall.model.journal import EntryStatus, FollowUpKind
from vmwall.store.tables import Base, _one_of
from vmwall.store.types import UtcDateTime

# The SQLite full-text table (FTS5, trigram) over journal_entries.search_text, and its shadow tables.
SQLITE_FTS_TABLE = "journal_entries_fts"
_FTS_SHADOW_SUFFIXES = ("", "_data", "_idx", "_docsize", "_config", "_content")
SQLITE_FTS_TABLES = frozenset(SQLITE_FTS_TABLE + suffix for suffix in _FTS_SHADOW_SUFFIXES)
PG_TRIGRAM_INDEX = "ix_journal_entries_search_trgm"


def include_in_schema_comparison(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    """Alembic ``include_object`` hook: False for the SQLite FTS5 tables (the ORM cannot describe a
    virtual table) and for the PostgreSQL-only trigram index (comparisons ignore ``ddl_if``).

    Use it wherever the migrated schema is compared with the metadata (autogenerate, tests)::

        MigrationContext.configure(connection, opts={"include_object": include_in_schema_comparison})
    """
    if type_ == "table" and name in SQLITE_FTS_TABLES:
        return False
    return not (type_ == "index" and name == PG_TRIGRAM_INDEX)


# --- the main courante ----------------------------------------------------------------------------


class JournalCategoryRow(Base):
    """The typology: seeded by the migration, editable; a used category is deactivated, not deleted."""

    __tablename__ = "journal_categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    label: Mapped[str] = mapped_column(String(80))
    active: Mapped[bool]
    position: Mapped[int]


class JournalEntryRow(Base):
    __tablename__ = "journal_entries"
    __table_args__ = (
        CheckConstraint(_one_of("status", EntryStatus), name="status"),
        CheckConstraint("revision >= 1", name="revision"),
        # Newest first, with every filter: each index ends with (at, id), the order of the results.
        Index("ix_journal_entries_at_id", "at", "id"),
        Index("ix_journal_entries_commune_id_at", "commune_id", "at", "id"),
        Index("ix_journal_entries_category_id_at", "category_id", "at", "id"),
        Index("ix_journal_entries_status_at", "status", "at", "id"),
        Index("ix_journal_entries_operator_at", "operator", "at", "id"),
        Index(
            PG_TRIGRAM_INDEX,
            "search_text",
            postgresql_using="gin",
            postgresql_ops={"search_text": "gin_trgm_ops"},
        ).ddl_if(dialect="postgresql"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(32), unique=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    operator: Mapped[str] = mapped_column(String(64))
    workstation: Mapped[str] = mapped_column(String(64))
    # RESTRICT: a commune that has journal entries cannot be deleted.
    commune_id: Mapped[int | None] = mapped_column(ForeignKey("communes.id", ondelete="RESTRICT"))
    category_id: Mapped[int] = mapped_column(ForeignKey("journal_categories.id", ondelete="RESTRICT"))
    place: Mapped[str] = mapped_column(String(300))
    text: Mapped[str] = mapped_column(Text)
    search_text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(8))
    revision: Mapped[int] = mapped_column(Integer)
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime)
    edited_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    edited_by: Mapped[str | None] = mapped_column(String(64))


class JournalEntryCameraRow(Base):
    """The cameras of an entry; ``at`` repeats the entry's time so "camera N, newest first" is one index."""

    __tablename__ = "journal_entry_cameras"
    __table_args__ = (Index("ix_journal_entry_cameras_camera_at", "camera_number", "at", "entry_id"),)

    entry_id: Mapped[int] = mapped_column(
        ForeignKey("journal_entries.id", ondelete="CASCADE"), primary_key=True
    )
    # No foreign key to cameras: the journal outlives a camera removed from the catalogue.
    camera_number: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime)


class JournalFollowUpRow(Base):
    __tablename__ = "journal_follow_ups"
    __table_args__ = (CheckConstraint(_one_of("kind", FollowUpKind), name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("journal_entries.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    kind: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    note: Mapped[str] = mapped_column(String(300))
    recorded_by: Mapped[str] = mapped_column(String(64))


class JournalRevisionRow(Base):
    """A superseded version of an entry (JSON of every editable field), kept forever."""

    __tablename__ = "journal_revisions"
    __table_args__ = (UniqueConstraint("entry_id", "revision"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("journal_entries.id", ondelete="CASCADE"))
    revision: Mapped[int]
    content: Mapped[str] = mapped_column(Text)
    replaced_at: Mapped[datetime] = mapped_column(UtcDateTime)
    replaced_by: Mapped[str] = mapped_column(String(64))
    changed: Mapped[str] = mapped_column(Text)  # JSON list of field names


class JournalOpRow(Base):
    """Idempotency keys of the edits applied (an edit replayed from the local queue is skipped)."""

    __tablename__ = "journal_ops"

    uid: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(24))
    applied_at: Mapped[datetime] = mapped_column(UtcDateTime)


# --- bookmarks ------------------------------------------------------------------------------------


class BookmarkRow(Base):
    __tablename__ = "bookmarks"
    __table_args__ = (
        CheckConstraint('"end" IS NULL OR "end" >= start', name="span"),
        Index("ix_bookmarks_start_id", "start", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(32), unique=True)
    start: Mapped[datetime] = mapped_column(UtcDateTime)
    end: Mapped[datetime | None] = mapped_column(UtcDateTime)
    title: Mapped[str] = mapped_column(String(200))
    tags: Mapped[str] = mapped_column(Text)  # JSON list
    search_text: Mapped[str] = mapped_column(Text)
    entry_uid: Mapped[str | None] = mapped_column(
        ForeignKey("journal_entries.uid", ondelete="RESTRICT"), index=True
    )
    created_by: Mapped[str] = mapped_column(String(64))
    workstation: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    revision: Mapped[int]
    edited_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    edited_by: Mapped[str | None] = mapped_column(String(64))


class BookmarkCameraRow(Base):
    __tablename__ = "bookmark_cameras"
    __table_args__ = (Index("ix_bookmark_cameras_camera_start", "camera_number", "start", "bookmark_id"),)

    bookmark_id: Mapped[int] = mapped_column(ForeignKey("bookmarks.id", ondelete="CASCADE"), primary_key=True)
    camera_number: Mapped[int] = mapped_column(primary_key=True)
    start: Mapped[datetime] = mapped_column(UtcDateTime)


# --- the audit trail ------------------------------------------------------------------------------


class AuditLogRow(Base):
    """Append-only, hash-chained (see vmwall.model.audit). No foreign key: it outlives what it names."""

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_at", "at"),
        Index("ix_audit_log_camera_at", "camera", "at"),
        Index("ix_audit_log_action_at", "action", "at"),
        Index("ix_audit_log_actor_at", "actor", "at"),
    )

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    uid: Mapped[str] = mapped_column(String(32), unique=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    camera: Mapped[int | None]
    target: Mapped[str] = mapped_column(String(200))
    detail: Mapped[str] = mapped_column(Text)
    workstation: Mapped[str] = mapped_column(String(64))
    prev_hash: Mapped[str] = mapped_column(String(64))
    row_hash: Mapped[str] = mapped_column(String(64))


class AuditHeadRow(Base):
    """One row: the last record's sequence number and hash, updated in the appending transaction.

    It serialises appenders (row lock on PostgreSQL, the write lock on SQLite) and lets `verify`
    notice records deleted from the end of the trail.
    """

    __tablename__ = "audit_head"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(BigInteger)
    row_hash: Mapped[str] = mapped_column(String(64))
