"""Whether an entry or a bookmark that just arrived belongs in what the operator is looking at.

The database answers the searches; these functions decide, for one entry saved on this or another
workstation, whether the list on screen should show it, with the same rules as the store's search
(``JournalQuery``: time range, communes, categories, camera, every word in the text or the place
ignoring case and accents, status, operator). Pure Python.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta
from enum import StrEnum

from vmwall.model.journal import Bookmark, BookmarkQuery, JournalEntry, JournalQuery, fold_text


class Period(StrEnum):
    """The time ranges the filters offer; CHOSEN uses the two date-time fields."""

    DAY = "24h"
    WEEK = "7d"
    MONTH = "30d"
    ALL = "all"
    CHOSEN = "chosen"


PERIOD_SPANS = {
    Period.DAY: timedelta(hours=24),
    Period.WEEK: timedelta(days=7),
    Period.MONTH: timedelta(days=30),
}


def period_start(period: Period, now: datetime) -> datetime | None:
    """Where a relative period starts (None: no lower bound). Relative periods have no end, so an
    entry written after the search was run still belongs to them."""
    span = PERIOD_SPANS.get(period)
    return None if span is None else now - span


def entry_matches(query: JournalQuery, entry: JournalEntry) -> bool:
    if query.start is not None and entry.at < query.start:
        return False
    if query.end is not None and entry.at >= query.end:
        return False
    if query.communes is not None and entry.commune_id not in query.communes:
        return False
    if query.categories and entry.category not in query.categories:
        return False
    if query.camera is not None and query.camera not in entry.cameras:
        return False
    if query.status is not None and entry.status is not query.status:
        return False
    if query.operator is not None and entry.operator != query.operator:
        return False
    folded = entry.search_text
    return all(word in folded for word in query.words)


def bookmark_visible(bookmark: Bookmark, visible_cameras: Collection[int] | None) -> bool:
    """A scoped account sees a bookmark when every camera of it is in its catalogue (None: all), as
    in the shift report: a bookmark spanning another commune's cameras is not theirs to read."""
    return visible_cameras is None or all(c in visible_cameras for c in bookmark.cameras)


def bookmark_matches(query: BookmarkQuery, bookmark: Bookmark) -> bool:
    """The store's bookmark search rules: overlapping [start, end), camera, words of title or tags."""
    if query.camera is not None and query.camera not in bookmark.cameras:
        return False
    if query.end is not None and bookmark.start >= query.end:
        return False
    if query.start is not None and bookmark.end is not None and bookmark.end < query.start:
        return False
    if query.tag is not None and query.tag not in bookmark.tags:
        return False
    if query.entry_uid is not None and bookmark.entry_uid != query.entry_uid:
        return False
    folded = bookmark.search_text
    return all(word in folded for word in fold_text(query.text).split())
