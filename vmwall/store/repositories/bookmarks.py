"""Incident bookmarks in the database: spans of video on cameras, with title, tags, linked entry.

Writes happen inside a journal write transaction (`insert_bookmark`, `update_bookmark`); reads are
`BookmarkRepository` methods.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from vmwall.model.journal import Bookmark, BookmarkQuery, fold_text
from vmwall.store.db import Database
from vmwall.store.errors import NotFoundError
from vmwall.store.repositories.journal import ConflictError
from vmwall.store.tables_journal import BookmarkCameraRow, BookmarkRow, JournalEntryRow

B = BookmarkRow
BC = BookmarkCameraRow
_IN_CHUNK = 500


def _like(word: str) -> str:
    return "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _load(session: Session, rows: Sequence[BookmarkRow]) -> list[Bookmark]:
    cameras: dict[int, list[int]] = defaultdict(list)
    ids = [row.id for row in rows]
    for start in range(0, len(ids), _IN_CHUNK):
        chunk = ids[start : start + _IN_CHUNK]
        for bookmark_id, number in session.execute(
            select(BC.bookmark_id, BC.camera_number).where(BC.bookmark_id.in_(chunk)).order_by(BC.bookmark_id)
        ):
            cameras[bookmark_id].append(number)
    return [
        Bookmark(
            uid=row.uid,
            cameras=tuple(cameras[row.id]),
            start=row.start,
            end=row.end,
            title=row.title,
            tags=tuple(json.loads(row.tags)),
            entry_uid=row.entry_uid,
            created_by=row.created_by,
            workstation=row.workstation,
            revision=row.revision,
            created_at=row.created_at,
            id=row.id,
        )
        for row in rows
    ]


def _row(session: Session, uid: str, *, lock: bool = False) -> BookmarkRow | None:
    query = select(B).where(B.uid == uid)
    if lock:
        query = query.with_for_update()
    return session.scalar(query)


def get_bookmark(session: Session, uid: str) -> Bookmark | None:
    row = _row(session, uid)
    return None if row is None else _load(session, [row])[0]


def _check_entry(session: Session, entry_uid: str | None) -> None:
    if (
        entry_uid is not None
        and session.scalar(select(JournalEntryRow.id).where(JournalEntryRow.uid == entry_uid)) is None
    ):
        raise NotFoundError(f"journal entry {entry_uid} does not exist (bookmark link)")


def _fill(row: BookmarkRow, bookmark: Bookmark) -> None:
    row.start = bookmark.start
    row.end = bookmark.end
    row.title = bookmark.title
    row.tags = json.dumps(list(bookmark.tags), ensure_ascii=False)
    row.search_text = bookmark.search_text
    row.entry_uid = bookmark.entry_uid


def _write_cameras(session: Session, row: BookmarkRow, bookmark: Bookmark) -> None:
    session.add_all(BC(bookmark_id=row.id, camera_number=n, start=bookmark.start) for n in bookmark.cameras)


def insert_bookmark(session: Session, bookmark: Bookmark, now: datetime) -> tuple[Bookmark, bool]:
    """Store a new bookmark: (stored, True), or (the one already stored, False) for a known uid."""
    existing = get_bookmark(session, bookmark.uid)
    if existing is not None:
        return existing, False
    _check_entry(session, bookmark.entry_uid)
    row = BookmarkRow(
        uid=bookmark.uid,
        created_by=bookmark.created_by,
        workstation=bookmark.workstation,
        created_at=now,
        revision=1,
    )
    _fill(row, bookmark)
    session.add(row)
    session.flush()
    _write_cameras(session, row, bookmark)
    session.flush()
    return _load(session, [row])[0], True


def update_bookmark(
    session: Session, edited: Bookmark, *, editor: str, now: datetime, strict: bool
) -> tuple[Bookmark, tuple[str, ...]]:
    """Replace cameras, span, title, tags and link of the stored bookmark; (new version, changed fields)."""
    row = _row(session, edited.uid, lock=True)
    if row is None:
        raise NotFoundError(f"bookmark {edited.uid} does not exist")
    current = _load(session, [row])[0]
    if strict and edited.revision != current.revision:
        raise ConflictError(
            f"bookmark {edited.uid} was changed meanwhile (now revision {current.revision}): reload it"
        )
    changed = tuple(
        name
        for name in ("cameras", "start", "end", "title", "tags", "entry_uid")
        if getattr(current, name) != getattr(edited, name)
    )
    if not changed:
        return current, ()
    _check_entry(session, edited.entry_uid)
    _fill(row, edited)
    row.revision = current.revision + 1
    row.edited_at = now
    row.edited_by = editor
    session.execute(delete(BC).where(BC.bookmark_id == row.id))
    session.flush()
    _write_cameras(session, row, edited)
    session.flush()
    return _load(session, [row])[0], changed


class BookmarkRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    def get(self, uid: str) -> Bookmark | None:
        with self._db.session(write=False) as session:
            return get_bookmark(session, uid)

    def search(self, query: BookmarkQuery) -> list[Bookmark]:
        """Bookmarks matching ``query``, newest start first. A span overlaps [start, end) when it
        starts before ``end`` and ends (or is still running) after ``start``."""
        statement = select(B)
        if query.camera is not None:
            statement = statement.join(BC, (BC.bookmark_id == B.id) & (BC.camera_number == query.camera))
        if query.end is not None:
            statement = statement.where(B.start < query.end)
        if query.start is not None:
            statement = statement.where(or_(B.end.is_(None), B.end >= query.start))
        for word in fold_text(query.text).split():
            statement = statement.where(B.search_text.like(_like(word), escape="\\"))
        if query.tag is not None:
            statement = statement.where(
                B.tags.like(_like(json.dumps(query.tag, ensure_ascii=False)), escape="\\")
            )
        if query.entry_uid is not None:
            statement = statement.where(B.entry_uid == query.entry_uid)
        statement = statement.order_by(B.start.desc(), B.id.desc()).limit(query.limit)
        with self._db.session(write=False) as session:
            return _load(session, list(session.scalars(statement)))
