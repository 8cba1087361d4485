"""Journal search plans: filters to SQL, and SQLite's full-text search walked newest first.

Every filter has an index ending in (at, id), so "newest first, 50 at a time" never sorts the table.
Text is the hard part: a common word ("devant") matches a fifth of a million entries, and
materialising all of them to keep the newest fifty costs half a second.

- PostgreSQL: ``search_text LIKE '%word%'`` with a pg_trgm GIN index. The planner cannot know how
  common a word is, so `_walk_then_index` decides: walk the filters' index newest first testing the
  words for a bounded number of rows (exact when enough match), else gather the (then rare) matches
  through the trigram index first.
- SQLite: FTS5 (trigram) can list matches by descending rowid lazily, and ids grow with time
  (entries are written as events happen). `_candidate_window` reads matches in growing chunks of
  ids, keeps the best page, then proves it exact: only an entry with a smaller id but a later time
  (a back-dated or re-dated entry) could outrank the page, and those are found through the time
  index and checked one by one. Cost: proportional to the page and to the back-dated entries, not
  to the number of matches.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, literal_column, select, text, tuple_
from sqlalchemy.orm import Session

from vmwall.model.journal import JournalQuery
from vmwall.store.tables_journal import (
    SQLITE_FTS_TABLE,
    JournalCategoryRow,
    JournalEntryCameraRow,
    JournalEntryRow,
)

E = JournalEntryRow
C = JournalEntryCameraRow
MIN_INDEXED_WORD = 3  # trigram indexes cannot serve shorter words
_FIRST_CHUNK = 200
_MAX_CHUNK = 32_000
_LATE_CAP = 200  # back-dated entries checked one by one before falling back to a plain join
_WALK_BUDGET = 3_000  # PostgreSQL: rows walked newest first, testing the words, before the trigram index

_FTS_ALL = text(f"SELECT rowid FROM {SQLITE_FTS_TABLE} WHERE {SQLITE_FTS_TABLE} MATCH :fts_match")
_FTS_ONE = text(f"SELECT 1 FROM {SQLITE_FTS_TABLE} WHERE {SQLITE_FTS_TABLE} MATCH :fts_match AND rowid = :id")


def _like_escape(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _fts_phrase(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


@dataclass(frozen=True)
class SearchPlan:
    statement: Select[Any]  # every filter but the indexed words (newest first)
    at_column: Any  # the (time, id) columns the statement is ordered by
    id_column: Any
    filtered: bool  # filters other than text and cursor narrow the rows
    dialect: str
    indexed_words: tuple[str, ...] = ()  # words for the trigram index (FTS5 / pg_trgm), still to apply

    @property
    def fts_match(self) -> str | None:
        """SQLite: the FTS5 MATCH expression of the indexed words."""
        return " ".join(_fts_phrase(w) for w in self.indexed_words) or None

    @property
    def fts_words(self) -> tuple[str, ...]:
        return self.indexed_words


def plan_search(session: Session, dialect: str, query: JournalQuery) -> SearchPlan | None:
    """The statement for ``query`` (selecting JournalEntryRow), or None if nothing can match."""
    if query.communes is not None and not query.communes:
        return None
    statement = select(E)
    if query.camera is not None:
        # Ordered by the link table's copy of the time: one index walk, camera then newest first.
        statement = statement.join(C, (C.entry_id == E.id) & (C.camera_number == query.camera))
        at_column, id_column = C.at, C.entry_id
    else:
        at_column, id_column = E.at, E.id
    if query.start is not None:
        statement = statement.where(at_column >= query.start)
    if query.end is not None:
        statement = statement.where(at_column < query.end)
    if query.communes is not None:
        statement = statement.where(E.commune_id.in_(sorted(query.communes)))
    if query.categories:
        ids = list(
            session.scalars(
                select(JournalCategoryRow.id).where(JournalCategoryRow.code.in_(sorted(query.categories)))
            )
        )
        if not ids:
            return None
        statement = statement.where(E.category_id.in_(ids))
    if query.status is not None:
        statement = statement.where(E.status == query.status.value)
    if query.operator is not None:
        statement = statement.where(E.operator == query.operator)
    filtered = statement.whereclause is not None or query.camera is not None
    if query.after is not None:
        statement = statement.where(tuple_(at_column, id_column) < tuple_(query.after.at, query.after.id))
    words = list(query.words)
    indexed = [w for w in words if len(w) >= MIN_INDEXED_WORD]
    for word in words:
        if word not in indexed:
            statement = statement.where(_contains(word))
    return SearchPlan(
        statement.order_by(at_column.desc(), id_column.desc()),
        at_column,
        id_column,
        filtered,
        dialect,
        tuple(indexed),
    )


def _contains(word: str) -> ColumnElement[bool]:
    return E.search_text.like(f"%{_like_escape(word)}%", escape="\\")


def search_rows(session: Session, plan: SearchPlan, want: int) -> list[JournalEntryRow]:
    """The first ``want`` rows of the plan, newest first."""
    if not plan.indexed_words:
        return list(session.scalars(plan.statement.limit(want)))
    if plan.dialect == "sqlite":
        return _candidate_window(session, plan, want)
    return _walk_then_index(session, plan, want)


def count_statement(plan: SearchPlan) -> Select[Any]:
    statement = plan.statement
    if plan.indexed_words and plan.dialect == "sqlite":
        fts = _FTS_ALL.bindparams(fts_match=plan.fts_match).columns(literal_column("rowid"))
        statement = statement.where(E.id.in_(fts))
    elif plan.indexed_words:
        statement = statement.where(*(_contains(w) for w in plan.indexed_words))
    return statement


def _walk_then_index(session: Session, plan: SearchPlan, want: int) -> list[JournalEntryRow]:
    """PostgreSQL. pg_trgm cannot tell how common a word is (it guesses ~5% for any pattern), so the
    planner picks badly both ways. Walk the filters newest first testing the words, for a bounded
    number of rows: enough matches, or no rows left, and that is the exact answer. Otherwise the words
    are rare among these rows: collect their matches through the trigram index first (a materialised
    CTE the planner cannot fold away), then apply the filters and the order."""
    hit = and_(*(_contains(w) for w in plan.indexed_words))
    probe = session.execute(plan.statement.with_only_columns(E.id, hit).limit(_WALK_BUDGET)).all()
    hits = [entry_id for entry_id, matched in probe if matched][:want]
    if len(hits) >= want or len(probe) < _WALK_BUDGET:
        return list(session.scalars(plan.statement.where(E.id.in_(hits)).limit(want))) if hits else []
    return _through_trigram_index(session, plan, hit, want)


def _through_trigram_index(
    session: Session, plan: SearchPlan, hit: ColumnElement[bool], want: int
) -> list[JournalEntryRow]:
    """Matches gathered through the trigram index with the filters (id and time only), the page
    taken from them, then only its rows read."""
    matching = plan.statement.with_only_columns(E.id.label("id"), plan.at_column.label("at")).where(hit)
    matches = matching.order_by(None).cte("text_matches").prefix_with("MATERIALIZED")
    top = list(
        session.scalars(select(matches.c.id).order_by(matches.c.at.desc(), matches.c.id.desc()).limit(want))
    )
    rows = list(session.scalars(select(E).where(E.id.in_(top)))) if top else []
    return sorted(rows, key=_key, reverse=True)


def _by_ids(session: Session, statement: Select[Any], ids: Sequence[int], want: int) -> list[JournalEntryRow]:
    """Rows of ``statement`` among ``ids``, fetched by rowid (never by walking another index)."""
    if not ids:
        return []
    hinted = statement.where(E.id.in_(ids)).with_hint(E, "NOT INDEXED", "sqlite").limit(want)
    return list(session.scalars(hinted))


def _filter_first(session: Session, plan: SearchPlan, want: int) -> list[JournalEntryRow]:
    """The other filters keep few rows: walk them newest first, testing the words on each."""
    hit = and_(*(_contains(word) for word in plan.fts_words))
    return list(session.scalars(plan.statement.where(hit).limit(want)))


def _key(row: JournalEntryRow) -> tuple[datetime, int]:
    return row.at, row.id


def _merge(best: list[JournalEntryRow], rows: Sequence[JournalEntryRow], want: int) -> list[JournalEntryRow]:
    merged = {row.id: row for row in (*best, *rows)}
    return sorted(merged.values(), key=_key, reverse=True)[:want]


def _fts_chunk(session: Session, match: str, upper: int | None, n: int) -> list[int]:
    """The ``n`` highest ids below ``upper`` matching ``match``, highest first (FTS5 walks lazily)."""
    sql = f"SELECT rowid FROM {SQLITE_FTS_TABLE} WHERE {SQLITE_FTS_TABLE} MATCH :m"
    params: dict[str, object] = {"m": match, "n": n}
    if upper is not None:
        sql += " AND rowid < :upper"
        params["upper"] = upper
    return list(session.scalars(text(sql + " ORDER BY rowid DESC LIMIT :n"), params))


def _candidate_window(session: Session, plan: SearchPlan, want: int) -> list[JournalEntryRow]:
    """Matches in descending id order, chunk by chunk, each checked against the other filters.

    After the first chunk, compare how dense the words are among ids (matches per id) with how
    many candidates the other filters let through: when the filters are the more selective side,
    walking their index and testing the words on each row is cheaper (`_filter_first`).
    """
    assert plan.fts_match is not None
    chunk = max(_FIRST_CHUNK, 4 * want)
    ids = _fts_chunk(session, plan.fts_match, None, chunk)
    best = _by_ids(session, plan.statement, ids, want)
    if len(ids) < chunk:
        return best  # every match has been considered
    if len(best) < want and plan.filtered:
        words_density = len(ids) / (ids[0] - ids[-1] + 1)
        filters_rate = len(best) / len(ids)
        if words_density > filters_rate:
            return _filter_first(session, plan, want)
    while len(best) < want:
        upper = ids[-1]
        chunk = min(chunk * 4, _MAX_CHUNK)
        ids = _fts_chunk(session, plan.fts_match, upper, chunk)
        best = _merge(best, _by_ids(session, plan.statement, ids, want), want)
        if len(ids) < chunk:
            return best
    return _settle_late(session, plan, best, ids[-1], want)


def _settle_late(
    session: Session, plan: SearchPlan, best: list[JournalEntryRow], lowest: int, want: int
) -> list[JournalEntryRow]:
    """``best`` is exact among matches with id >= lowest; add any older-id entry that outranks it
    (found through the filters' own index, then checked against the full-text index one by one)."""
    assert plan.fts_match is not None
    last = tuple_(*_key(best[-1]))
    late_query = (
        plan.statement.with_only_columns(E.id)
        .where(E.id < lowest, tuple_(plan.at_column, plan.id_column) > last)
        .limit(_LATE_CAP + 1)
    )
    late = list(session.scalars(late_query))
    if not late:
        return best
    if len(late) > _LATE_CAP:
        fts = _FTS_ALL.bindparams(fts_match=plan.fts_match).columns(literal_column("rowid"))
        return list(session.scalars(plan.statement.where(E.id.in_(fts)).limit(want)))
    matching = [i for i in late if session.scalar(_FTS_ONE, {"fts_match": plan.fts_match, "id": i})]
    if not matching:
        return best
    return _merge(best, _by_ids(session, plan.statement, matching, want), want)
