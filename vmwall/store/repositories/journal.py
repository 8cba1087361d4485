"""The main courante in the database: entries, their cameras, follow-ups and revisions; the typology.

Reads are `JournalRepository` methods, each in its own transaction. Writes happen inside a
`vmwall.store.repositories.journal_writes.WriteTransaction` (the journal writer batches them and
appends the matching audit records in the same transaction); the functions here that take a
``Session`` are its building blocks.

Search (`JournalRepository.search`) returns newest first with keyset pagination (`PageCursor`):
each filter has an index ending in (at, id), so a page costs the same at the first page and the
thousandth. Text: every word must appear in text or place (case and accents ignored); words of
three characters or more use the trigram index (pg_trgm on PostgreSQL, FTS5 on SQLite), shorter
ones are checked on the rows the other filters keep.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from vmwall.model.errors import ValidationError
from vmwall.model.journal import (
    Category,
    EntryRevision,
    EntryStatus,
    FollowUp,
    FollowUpKind,
    JournalEntry,
    JournalPage,
    JournalQuery,
    PageCursor,
    changed_fields,
    entry_from_dict,
    entry_to_dict,
)
from vmwall.store.db import Database
from vmwall.store.errors import DuplicateError, NotFoundError, StoreError
from vmwall.store.repositories._common import explained_conflicts
from vmwall.store.repositories.journal_search import count_statement, plan_search, search_rows
from vmwall.store.tables import CommuneRow
from vmwall.store.tables_journal import (
    JournalCategoryRow,
    JournalEntryCameraRow,
    JournalEntryRow,
    JournalFollowUpRow,
    JournalOpRow,
    JournalRevisionRow,
)

_IN_CHUNK = 500


class ConflictError(StoreError):
    """The entry changed since the version the edit was based on (another console edited it)."""


E = JournalEntryRow
C = JournalEntryCameraRow


def _chunks(values: Sequence[int], size: int = _IN_CHUNK) -> Iterator[Sequence[int]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


# --- rows <-> model ------------------------------------------------------------------------------


def _category_codes(session: Session) -> dict[int, str]:
    query = select(JournalCategoryRow.id, JournalCategoryRow.code)
    return {row_id: code for row_id, code in session.execute(query)}


def category_id(session: Session, code: str) -> int:
    found = session.scalar(select(JournalCategoryRow.id).where(JournalCategoryRow.code == code))
    if found is None:
        raise NotFoundError(f"unknown journal category {code!r}")
    return found


def _to_entry(
    row: JournalEntryRow, code: str, cameras: Sequence[int], follow_ups: Sequence[FollowUp]
) -> JournalEntry:
    return JournalEntry(
        uid=row.uid,
        at=row.at,
        operator=row.operator,
        category=code,
        text=row.text,
        commune_id=row.commune_id,
        place=row.place,
        cameras=tuple(cameras),
        follow_ups=tuple(follow_ups),
        status=EntryStatus(row.status),
        workstation=row.workstation,
        revision=row.revision,
        recorded_at=row.recorded_at,
        edited_at=row.edited_at,
        edited_by=row.edited_by,
        id=row.id,
    )


def load_entries(session: Session, rows: Sequence[JournalEntryRow]) -> list[JournalEntry]:
    """Model objects for ``rows``: their cameras and follow-ups fetched in two queries per 500."""
    ids = [row.id for row in rows]
    cameras: dict[int, list[int]] = defaultdict(list)
    follow_ups: dict[int, list[FollowUp]] = defaultdict(list)
    for chunk in _chunks(ids):
        for entry_id, number in session.execute(
            select(C.entry_id, C.camera_number).where(C.entry_id.in_(chunk)).order_by(C.entry_id)
        ):
            cameras[entry_id].append(number)
        for f in session.scalars(
            select(JournalFollowUpRow)
            .where(JournalFollowUpRow.entry_id.in_(chunk))
            .order_by(JournalFollowUpRow.entry_id, JournalFollowUpRow.position)
        ):
            follow_ups[f.entry_id].append(FollowUp(FollowUpKind(f.kind), f.at, f.note, f.recorded_by))
    codes = _category_codes(session)
    return [_to_entry(row, codes[row.category_id], cameras[row.id], follow_ups[row.id]) for row in rows]


def _entry_row(session: Session, uid: str, *, lock: bool = False) -> JournalEntryRow | None:
    query = select(JournalEntryRow).where(JournalEntryRow.uid == uid)
    if lock:
        query = query.with_for_update()
    return session.scalar(query)


def get_entry(session: Session, uid: str, *, lock: bool = False) -> JournalEntry | None:
    row = _entry_row(session, uid, lock=lock)
    return None if row is None else load_entries(session, [row])[0]


def _write_children(session: Session, row: JournalEntryRow, entry: JournalEntry, recorded_by: str) -> None:
    session.add_all(
        JournalEntryCameraRow(entry_id=row.id, camera_number=n, at=entry.at) for n in entry.cameras
    )
    session.add_all(
        JournalFollowUpRow(
            entry_id=row.id,
            position=position,
            kind=f.kind.value,
            at=f.at,
            note=f.note,
            recorded_by=f.by or recorded_by,
        )
        for position, f in enumerate(entry.follow_ups)
    )


def _check_commune(session: Session, commune_id: int | None) -> None:
    if commune_id is not None and session.get(CommuneRow, commune_id) is None:
        raise NotFoundError(f"commune id {commune_id} does not exist")


def insert_entry(session: Session, entry: JournalEntry, now: datetime) -> tuple[JournalEntry, bool]:
    """Store a new entry; (stored entry, True) — or (the one already stored, False) for a known uid.

    The uid makes the write idempotent: an entry replayed from the local queue is not stored twice.
    """
    existing = get_entry(session, entry.uid)
    if existing is not None:
        return existing, False
    _check_commune(session, entry.commune_id)
    row = JournalEntryRow(
        uid=entry.uid,
        at=entry.at,
        operator=entry.operator,
        workstation=entry.workstation,
        commune_id=entry.commune_id,
        category_id=category_id(session, entry.category),
        place=entry.place,
        text=entry.text,
        search_text=entry.search_text,
        status=entry.status.value,
        revision=1,
        recorded_at=now,
    )

    def explain(_session: Session) -> StoreError:
        return DuplicateError(f"journal entry {entry.uid} is already stored")

    with explained_conflicts(session, explain):
        session.add(row)
        session.flush()
        _write_children(session, row, entry, entry.operator)
    return load_entries(session, [row])[0], True


def op_applied(session: Session, op_uid: str) -> bool:
    return session.get(JournalOpRow, op_uid) is not None


def mark_op(session: Session, op_uid: str, kind: str, now: datetime) -> None:
    session.add(JournalOpRow(uid=op_uid, kind=kind, applied_at=now))


def update_entry(
    session: Session,
    edited: JournalEntry,
    *,
    editor: str,
    now: datetime,
    strict: bool,
) -> tuple[JournalEntry, tuple[str, ...]]:
    """Replace the editable fields of the stored entry with those of ``edited``; keep the old version.

    ``edited.revision`` is the revision the edit was based on: with ``strict`` a different stored
    revision raises ConflictError (someone else edited it meanwhile); without (an edit replayed from
    the local queue, which must not be lost) the edit applies on top, and the history keeps both.
    Returns the new version and the fields changed (none: nothing stored).
    """
    row = _entry_row(session, edited.uid, lock=True)
    if row is None:
        raise NotFoundError(f"journal entry {edited.uid} does not exist")
    current = load_entries(session, [row])[0]
    if strict and edited.revision != current.revision:
        who = f" by {current.edited_by}" if current.edited_by else ""
        raise ConflictError(
            f"journal entry {edited.uid} was changed{who} (now revision {current.revision}, the edit was"
            f" based on {edited.revision}): reload it and edit again"
        )
    changed = changed_fields(current, edited)
    if not changed:
        return current, ()
    _check_commune(session, edited.commune_id)
    session.add(
        JournalRevisionRow(
            entry_id=row.id,
            revision=current.revision,
            content=json.dumps(entry_to_dict(current), ensure_ascii=False),
            replaced_at=now,
            replaced_by=editor,
            changed=json.dumps(list(changed)),
        )
    )
    row.at = edited.at
    row.category_id = category_id(session, edited.category)
    row.text = edited.text
    row.place = edited.place
    row.search_text = edited.search_text
    row.commune_id = edited.commune_id
    row.status = edited.status.value
    row.revision = current.revision + 1
    row.edited_at = now
    row.edited_by = editor
    session.execute(delete(JournalEntryCameraRow).where(JournalEntryCameraRow.entry_id == row.id))
    session.execute(delete(JournalFollowUpRow).where(JournalFollowUpRow.entry_id == row.id))
    session.flush()
    _write_children(session, row, edited, editor)
    session.flush()
    return load_entries(session, [row])[0], changed


# --- the repository ------------------------------------------------------------------------------


class JournalRepository:
    """Reads of the main courante and administration of its typology."""

    def __init__(self, database: Database) -> None:
        self._db = database

    @property
    def dialect(self) -> str:
        return self._db.dialect

    # typology

    def categories(self, *, include_inactive: bool = True) -> list[Category]:
        query = select(JournalCategoryRow).order_by(JournalCategoryRow.position, JournalCategoryRow.code)
        if not include_inactive:
            query = query.where(JournalCategoryRow.active.is_(True))
        with self._db.session(write=False) as session:
            return [
                Category(row.code, row.label, active=row.active, position=row.position, id=row.id)
                for row in session.scalars(query)
            ]

    def save_category(self, category: Category) -> tuple[Category, Category | None]:
        """Add the category, or update the one with the same code (label, active, position).

        Returns (stored, previous version or None). Categories are never deleted: deactivate them.
        """
        with self._db.session() as session:
            row = session.scalar(select(JournalCategoryRow).where(JournalCategoryRow.code == category.code))
            previous = None
            if row is None:
                row = JournalCategoryRow(code=category.code)
                session.add(row)
            else:
                previous = Category(row.code, row.label, row.active, row.position, row.id)
            row.label = category.label
            row.active = category.active
            row.position = category.position
            session.flush()
            return Category(row.code, row.label, row.active, row.position, row.id), previous

    # entries

    def get(self, uid: str) -> JournalEntry | None:
        with self._db.session(write=False) as session:
            return get_entry(session, uid)

    def get_by_id(self, entry_id: int) -> JournalEntry:
        with self._db.session(write=False) as session:
            row = session.get(JournalEntryRow, entry_id)
            if row is None:
                raise NotFoundError(f"journal entry id {entry_id} does not exist")
            return load_entries(session, [row])[0]

    def get_many(self, uids: Iterable[str]) -> list[JournalEntry]:
        wanted = list(dict.fromkeys(uids))
        found: dict[str, JournalEntry] = {}
        with self._db.session(write=False) as session:
            for start in range(0, len(wanted), _IN_CHUNK):
                rows = list(session.scalars(select(E).where(E.uid.in_(wanted[start : start + _IN_CHUNK]))))
                found.update((entry.uid, entry) for entry in load_entries(session, rows))
        return [found[uid] for uid in wanted if uid in found]

    def history(self, uid: str) -> list[EntryRevision]:
        """The superseded versions of an entry, oldest first (the current one is `get`)."""
        with self._db.session(write=False) as session:
            row = _entry_row(session, uid)
            if row is None:
                raise NotFoundError(f"journal entry {uid} does not exist")
            revisions = session.scalars(
                select(JournalRevisionRow)
                .where(JournalRevisionRow.entry_id == row.id)
                .order_by(JournalRevisionRow.revision)
            )
            out = []
            for revision in revisions:
                try:
                    content = entry_from_dict(json.loads(revision.content))
                    changed = tuple(json.loads(revision.changed))
                except (ValueError, ValidationError) as error:
                    raise StoreError(
                        f"revision {revision.revision} of entry {uid} is unreadable: {error}"
                    ) from None
                out.append(EntryRevision(content, revision.replaced_at, revision.replaced_by, changed))
            return out

    def search(self, query: JournalQuery) -> JournalPage:
        """One page of entries matching ``query``, newest first, and the cursor of the next page."""
        with self._db.session(write=False) as session:
            plan = plan_search(session, self._db.dialect, query)
            if plan is None:
                return JournalPage((), None)
            rows = search_rows(session, plan, query.limit + 1)
            more = len(rows) > query.limit
            rows = rows[: query.limit]
            entries = load_entries(session, rows)
        cursor = PageCursor(entries[-1].at, rows[-1].id) if more and entries else None
        return JournalPage(tuple(entries), cursor)

    def count(self, query: JournalQuery, *, cap: int = 10_000) -> int:
        """How many entries match (ignoring page and cursor), counted up to ``cap`` (cap + 1 = "more")."""
        with self._db.session(write=False) as session:
            plan = plan_search(session, self._db.dialect, replace(query, after=None))
            if plan is None:
                return 0
            limited = (
                count_statement(plan)
                .order_by(None)
                .with_only_columns(JournalEntryRow.id)
                .limit(cap + 1)
                .subquery()
            )
            return int(session.scalar(select(func.count()).select_from(limited)) or 0)

    def iter_matching(self, query: JournalQuery, *, page_size: int = 500) -> Iterator[JournalEntry]:
        """Every matching entry, newest first, fetched page by page (exports of any size)."""
        current = replace(query, limit=page_size)
        while True:
            page = self.search(current)
            yield from page.entries
            if page.next is None:
                return
            current = replace(current, after=page.next)

    def hour_and_category_counts(
        self, start: datetime, end: datetime, commune_id: int | None
    ) -> tuple[dict[str, int], list[datetime]]:
        """Counts by category code, and every entry time, for entries in [start, end) of a commune."""
        with self._db.session(write=False) as session:
            where = [E.at >= start, E.at < end]
            if commune_id is not None:
                where.append(E.commune_id == commune_id)
            codes = _category_codes(session)
            counts = {
                codes[category]: count
                for category, count in session.execute(
                    select(E.category_id, func.count()).where(*where).group_by(E.category_id)
                )
            }
            times = list(session.scalars(select(E.at).where(*where)))
        return counts, times

    def set_search_text(self, uid: str, search_text: str) -> None:
        """Rewrite the folded search column of one entry (maintenance after a folding change)."""
        with self._db.session() as session:
            session.execute(update(E).where(E.uid == uid).values(search_text=search_text))
