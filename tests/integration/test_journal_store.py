"""The main courante in real databases (every test on SQLite and on PostgreSQL): schema, writes,
revisions, idempotency, search exactness against brute force, bookmarks, statistics."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from vmwall.model import Commune
from vmwall.model.journal import (
    Bookmark,
    BookmarkQuery,
    Category,
    EntryStatus,
    FollowUp,
    FollowUpKind,
    JournalEntry,
    JournalQuery,
    fold_text,
    new_bookmark,
    new_entry,
)
from vmwall.store import (
    BookmarkRepository,
    CommuneRepository,
    ConflictError,
    Database,
    JournalRepository,
    JournalStore,
    NotFoundError,
    migrate,
)
from vmwall.store.repositories import journal_search
from vmwall.store.tables import metadata
from vmwall.store.tables_journal import PG_TRIGRAM_INDEX, SQLITE_FTS_TABLE, include_in_schema_comparison

T0 = datetime(2025, 3, 1, 21, 0, tzinfo=UTC)
JOURNAL_TABLES = {
    "journal_categories",
    "journal_entries",
    "journal_entry_cameras",
    "journal_follow_ups",
    "journal_revisions",
    "journal_ops",
    "bookmarks",
    "bookmark_cameras",
    "audit_log",
    "audit_head",
}


@pytest.fixture
def communes(database: Database) -> list[int]:
    repository = CommuneRepository(database)
    return [
        repository.add(Commune(name, insee)).id  # type: ignore[misc]
        for name, insee in (("Lille", "59350"), ("Roubaix", "59512"), ("Tourcoing", "59599"))
    ]


def store(database: Database, *entries: JournalEntry) -> list[JournalEntry]:
    with JournalStore(database).transaction() as tx:
        return [tx.add_entry(entry)[0] for entry in entries]


def tables(database: Database) -> set[str]:
    return set(sa.inspect(database.engine).get_table_names())


# --- schema ----------------------------------------------------------------------------------------


def test_the_migration_goes_up_down_and_up_again(database: Database) -> None:
    assert tables(database) >= JOURNAL_TABLES
    if database.dialect == "sqlite":
        assert SQLITE_FTS_TABLE in tables(database)
    migrate.downgrade(database, "0003")
    assert not tables(database) & (JOURNAL_TABLES | {SQLITE_FTS_TABLE})
    migrate.upgrade(database)
    assert tables(database) >= JOURNAL_TABLES
    (entry,) = store(database, new_entry("alice", "rixe", "après l'aller-retour", at=T0))
    assert JournalRepository(database).search(JournalQuery(text="aller-retour")).entries == (entry,)


def test_the_migrated_schema_is_exactly_the_orm_schema(database: Database) -> None:
    with database.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"include_object": include_in_schema_comparison}
        )
        assert compare_metadata(context, metadata) == []
        if database.dialect == "postgresql":
            definition = connection.execute(
                sa.text("SELECT indexdef FROM pg_indexes WHERE indexname = :n"), {"n": PG_TRIGRAM_INDEX}
            ).scalar()
            assert definition is not None and "USING gin (search_text gin_trgm_ops)" in definition
        else:
            triggers = connection.execute(
                sa.text("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            ).scalars()
            assert {"journal_entries_fts_ai", "journal_entries_fts_ad", "journal_entries_fts_au"} <= set(
                triggers
            )


def test_the_typology_is_seeded_and_editable_never_deleted(database: Database) -> None:
    repository = JournalRepository(database)
    codes = [c.code for c in repository.categories()]
    assert codes[:4] == ["rixe", "vol", "degradation", "accident-circulation"] and "appui-police" in codes
    added, previous = repository.save_category(Category("rodeo", "Rodéo urbain", position=99))
    assert previous is None and added.id is not None
    changed, previous = repository.save_category(
        Category("rodeo", "Rodéo motorisé", active=False, position=99)
    )
    assert previous is not None and previous.label == "Rodéo urbain" and not changed.active
    assert "rodeo" not in [c.code for c in repository.categories(include_inactive=False)]
    # A used category cannot be deleted behind the journal's back.
    store(database, new_entry("alice", "rodeo", "motos", at=T0))
    with pytest.raises(sa.exc.IntegrityError), database.engine.begin() as connection:
        connection.execute(sa.text("DELETE FROM journal_categories WHERE code = 'rodeo'"))


# --- writes, revisions, idempotency ----------------------------------------------------------------


def test_an_entry_is_stored_with_its_cameras_and_follow_ups(database: Database, communes: list[int]) -> None:
    entry = new_entry(
        "alice",
        "rixe",
        "Deux individus se battent",
        commune_id=communes[1],
        place="12 rue de Lannoy",
        cameras=[12, 4],
        follow_ups=(FollowUp(FollowUpKind.POLICE_REQUESTED, T0, "appel 17"),),
        at=T0,
        workstation="poste-2",
    )
    (stored,) = store(database, entry)
    assert stored.id is not None and stored.recorded_at is not None
    assert replace(stored, id=None, recorded_at=None) == replace(
        entry, follow_ups=(replace(entry.follow_ups[0], by="alice"),)
    )
    assert JournalRepository(database).get(entry.uid) == stored


def test_writing_an_entry_twice_stores_it_once(database: Database) -> None:
    entry = new_entry("alice", "vol", "Vol de sac", at=T0)
    with JournalStore(database).transaction() as tx:
        first, fresh = tx.add_entry(entry)
        again, fresh_again = tx.add_entry(entry)
    assert fresh and not fresh_again and again == first
    with database.engine.connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM journal_entries")).scalar() == 1


def test_an_edit_keeps_the_superseded_version_and_refuses_a_stale_base(
    database: Database, communes: list[int]
) -> None:
    (entry,) = store(database, new_entry("alice", "rixe", "Rixe devant le bar", cameras=[3], at=T0))
    edited = replace(
        entry, text="Rixe terminée", cameras=(3, 5), status=EntryStatus.CLOSED, commune_id=communes[0]
    )
    with JournalStore(database).transaction() as tx:
        second, changed, applied = tx.edit_entry(edited, editor="bob", op_uid="1" * 32, strict=True)
    assert applied and second.revision == 2 and second.edited_by == "bob"
    assert changed == ("text", "commune_id", "cameras", "status")
    # The same edit replayed (same op uid) is not applied again.
    with JournalStore(database).transaction() as tx:
        again, changed, applied = tx.edit_entry(edited, editor="bob", op_uid="1" * 32, strict=True)
    assert not applied and again == second
    # An edit based on revision 1 now conflicts, unless replayed from the local queue (not strict).
    stale = replace(entry, text="Autre version")
    with pytest.raises(ConflictError, match="changed by bob"), JournalStore(database).transaction() as tx:
        tx.edit_entry(stale, editor="carol", op_uid="2" * 32, strict=True)
    with JournalStore(database).transaction() as tx:
        third, _, _ = tx.edit_entry(stale, editor="carol", op_uid="3" * 32, strict=False)
    assert third.revision == 3 and third.text == "Autre version"
    history = JournalRepository(database).history(entry.uid)
    assert [h.entry.text for h in history] == ["Rixe devant le bar", "Rixe terminée"]
    assert [h.replaced_by for h in history] == ["bob", "carol"] and history[0].changed[0] == "text"
    # Search follows the current text and cameras.
    repository = JournalRepository(database)
    assert repository.search(JournalQuery(text="autre")).entries == (third,)
    assert repository.search(JournalQuery(text="bar")).entries == ()
    assert (
        repository.search(JournalQuery(camera=5)).entries == ()
    )  # camera 5 went with revision 2's edit? no: stale had (3,)
    assert repository.search(JournalQuery(camera=3)).entries == (third,)


def test_unknown_communes_categories_and_entries_are_refused_clearly(database: Database) -> None:
    with pytest.raises(NotFoundError, match="commune id 999"), JournalStore(database).transaction() as tx:
        tx.add_entry(new_entry("alice", "rixe", "x", commune_id=999))
    with (
        pytest.raises(NotFoundError, match="category 'cambriolage'"),
        JournalStore(database).transaction() as tx,
    ):
        tx.add_entry(new_entry("alice", "cambriolage", "x"))
    with pytest.raises(NotFoundError, match="does not exist"), JournalStore(database).transaction() as tx:
        tx.edit_entry(new_entry("alice", "rixe", "x"), editor="bob", op_uid="4" * 32, strict=False)


def test_one_refused_write_spares_the_rest_of_the_transaction(database: Database) -> None:
    good = new_entry("alice", "vol", "gardée", at=T0)
    with JournalStore(database).transaction() as tx:
        with pytest.raises(NotFoundError), tx.attempt():
            tx.add_entry(new_entry("alice", "inconnue", "refusée"))
        with tx.attempt():
            tx.add_entry(good)
    assert JournalRepository(database).get(good.uid) is not None


# --- search ----------------------------------------------------------------------------------------

WORDS = ("rixe", "devant", "pharmacie", "scooter", "rouge", "noir", "gare", "parvis", "fuite", "église")


def brute(entries: list[JournalEntry], query: JournalQuery) -> list[str]:
    found = []
    for e in entries:
        if (query.start and e.at < query.start) or (query.end and e.at >= query.end):
            continue
        if query.communes is not None and e.commune_id not in query.communes:
            continue
        if query.categories and e.category not in query.categories:
            continue
        if query.camera is not None and query.camera not in e.cameras:
            continue
        if query.status is not None and e.status is not query.status:
            continue
        if query.operator is not None and e.operator != query.operator:
            continue
        if any(w not in e.search_text for w in query.words):
            continue
        found.append(e)
    found.sort(key=lambda e: (e.at, e.id), reverse=True)
    return [e.uid for e in found]


def every_page(repository: JournalRepository, query: JournalQuery) -> list[str]:
    uids: list[str] = []
    page = repository.search(query)
    while True:
        uids += [e.uid for e in page.entries]
        if page.next is None:
            return uids
        page = repository.search(replace(query, after=page.next))


@pytest.fixture
def small_windows(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Shrink the search's chunks and budgets so a thousand entries exercise every branch; count
    how often each branch ran, so the test can prove it went through them."""
    monkeypatch.setattr(journal_search, "_FIRST_CHUNK", 16)
    monkeypatch.setattr(journal_search, "_MAX_CHUNK", 64)
    monkeypatch.setattr(journal_search, "_LATE_CAP", 4)
    monkeypatch.setattr(journal_search, "_WALK_BUDGET", 40)
    calls: dict[str, int] = {}
    branches = (
        "_filter_first",
        "_settle_late",
        "_walk_then_index",
        "_through_trigram_index",
        "_candidate_window",
    )
    for name in branches:
        calls[name] = 0
    for name in branches:
        original = getattr(journal_search, name)

        def counted(*args: object, _original: object = original, _name: str = name) -> object:
            calls[_name] += 1
            return _original(*args)  # type: ignore[operator]

        monkeypatch.setattr(journal_search, name, counted)
    original_by_ids = journal_search._by_ids

    def by_ids(session: object, statement: object, ids: list[int], want: int) -> object:
        calls["rows_fetched_by_id"] = calls.get("rows_fetched_by_id", 0) + len(ids)
        return original_by_ids(session, statement, ids, want)  # type: ignore[arg-type]

    monkeypatch.setattr(journal_search, "_by_ids", by_ids)
    return calls


@pytest.fixture
def corpus(database: Database, communes: list[int]) -> list[JournalEntry]:
    rng = random.Random(7)
    entries = []
    for i in range(1_200):
        # Mostly written as events happen, some back-dated by hours or days (ids not in time order).
        at = T0 + timedelta(minutes=10 * i)
        if rng.random() < 0.08:
            at -= timedelta(hours=rng.randint(1, 200))
        if rng.random() < 0.02:
            at += timedelta(days=30)  # an entry dated in the future of its neighbours
        text = " ".join(
            rng.choice(WORDS).capitalize() if rng.random() < 0.3 else rng.choice(WORDS) for _ in range(4)
        )
        entries.append(
            new_entry(
                f"op{rng.randint(1, 4)}",
                rng.choice(("rixe", "vol", "degradation")),
                f"{text} n°{i}",
                commune_id=rng.choice([*communes, None]),
                place=rng.choice(("rue Nationale", "Grand-Place", "quai du Wault")),
                cameras=rng.sample(range(1, 9), rng.randint(0, 2)),
                status=EntryStatus.OPEN if rng.random() < 0.2 else EntryStatus.CLOSED,
                at=at,
            )
        )
    return store(database, *entries)


def queries(communes: list[int]) -> Iterator[JournalQuery]:
    yield JournalQuery(limit=7)
    yield JournalQuery(text="rixe", limit=5)
    yield JournalQuery(text="Église devant", limit=9)
    yield JournalQuery(text="pharmacie scooter rouge", limit=6)
    yield JournalQuery(text="n°1199", limit=3)  # one entry, a short word too
    yield JournalQuery(text="n° gare", limit=10)
    yield JournalQuery(text="introuvable")
    yield JournalQuery(communes=frozenset({communes[0]}), text="noir", limit=8)
    yield JournalQuery(
        communes=frozenset(communes[:2]), categories=frozenset({"vol"}), text="fuite", limit=11
    )
    yield JournalQuery(camera=3, text="parvis", limit=4)
    yield JournalQuery(camera=5, limit=6)
    yield JournalQuery(status=EntryStatus.OPEN, text="gare rouge", limit=5)
    yield JournalQuery(operator="op2", categories=frozenset({"rixe", "degradation"}), limit=13)
    yield JournalQuery(start=T0 + timedelta(days=2), end=T0 + timedelta(days=5), text="devant", limit=6)
    yield JournalQuery(start=T0 + timedelta(days=3), text="wault", communes=frozenset({communes[2]}), limit=4)
    yield JournalQuery(communes=frozenset(), text="rixe")


def test_every_search_returns_exactly_what_brute_force_finds_page_by_page(
    database: Database, communes: list[int], corpus: list[JournalEntry], small_windows: dict[str, int]
) -> None:
    repository = JournalRepository(database)
    for query in queries(communes):
        expected = brute(corpus, query)
        assert every_page(repository, query) == expected, query
        counted = repository.count(query, cap=len(corpus))
        assert counted == len(expected), query
    # Every strategy of the text search ran (the windows are small enough to need them all).
    if database.dialect == "sqlite":
        assert small_windows["_candidate_window"] and small_windows["_filter_first"]
        assert small_windows["_settle_late"], "no back-dated entry was ever checked"
    else:
        assert small_windows["_walk_then_index"] and small_windows["_through_trigram_index"]


@pytest.mark.usefixtures("small_windows")
def test_a_re_dated_entry_moves_in_the_results(
    database: Database, communes: list[int], corpus: list[JournalEntry]
) -> None:
    repository = JournalRepository(database)
    oldest = min((e for e in corpus if "rixe" in e.search_text), key=lambda e: e.id or 0)
    with JournalStore(database).transaction() as tx:
        moved, _, _ = tx.edit_entry(
            replace(oldest, at=T0 + timedelta(days=400)), editor="bob", op_uid="5" * 32, strict=True
        )
    page = repository.search(JournalQuery(text="rixe", limit=3))
    assert page.entries[0].uid == oldest.uid
    current = [moved if e.uid == moved.uid else e for e in corpus]
    assert every_page(repository, JournalQuery(text="rixe", limit=20)) == brute(
        current, JournalQuery(text="rixe")
    )


def test_search_ignores_case_and_accents_and_matches_inside_words(database: Database) -> None:
    (entry,) = store(
        database,
        new_entry("alice", "degradation", "Tags sur l'ÉGLISE Saint-Maurice", place="Rue d'Arras", at=T0),
    )
    repository = JournalRepository(database)
    for text in ("eglise", "Église", "glis", "saint-maur", "ARRAS", "l'eglise", "tags maurice"):
        assert repository.search(JournalQuery(text=text)).entries == (entry,), text
    for text in ("église x", "100%", "a_b", "s_r", '"', "«"):
        assert repository.search(JournalQuery(text=text)).entries == (), text
    assert repository.search(JournalQuery(text="'")).entries == (entry,)  # l'église: a quote is text too


# --- bookmarks -------------------------------------------------------------------------------------


def test_bookmarks_are_listed_per_camera_by_time_and_searchable(database: Database) -> None:
    (entry,) = store(database, new_entry("alice", "vol", "Vol à l'arraché", cameras=[4], at=T0))
    first = new_bookmark(
        [4, 5], "alice", "Vol à l'arraché", at=T0, tags=["vol", "Scooter"], entry_uid=entry.uid
    )
    second = new_bookmark(
        [5], "bob", "Rodéo", at=T0 + timedelta(hours=2), end=T0 + timedelta(hours=2, minutes=5)
    )
    with JournalStore(database).transaction() as tx:
        stored_first, fresh = tx.add_bookmark(first)
        tx.add_bookmark(second)
        _, again = tx.add_bookmark(first)
    assert fresh and not again and stored_first.start == T0 - timedelta(seconds=30)
    repository = BookmarkRepository(database)
    assert [b.uid for b in repository.search(BookmarkQuery(camera=5))] == [second.uid, first.uid]
    assert [b.uid for b in repository.search(BookmarkQuery(camera=4))] == [first.uid]
    assert [b.uid for b in repository.search(BookmarkQuery(text="arrache"))] == [first.uid]
    assert [b.uid for b in repository.search(BookmarkQuery(text="scoot"))] == [first.uid]
    assert [b.uid for b in repository.search(BookmarkQuery(tag="Scooter"))] == [first.uid]
    assert [b.uid for b in repository.search(BookmarkQuery(entry_uid=entry.uid))] == [first.uid]
    # Overlap: the open bookmark still runs; the closed one ended before this window.
    late = BookmarkQuery(start=T0 + timedelta(hours=3))
    assert [b.uid for b in repository.search(late)] == [first.uid]
    ended = replace(stored_first, end=T0 + timedelta(minutes=10))
    with JournalStore(database).transaction() as tx:
        done, changed, _ = tx.edit_bookmark(ended, editor="alice", op_uid="6" * 32, strict=True)
    assert changed == ("end",) and done.revision == 2 and repository.search(late) == []
    assert isinstance(repository.get(first.uid), Bookmark)


def test_a_bookmark_must_link_an_existing_entry(database: Database) -> None:
    orphan = new_bookmark([1], "alice", "x", entry_uid="a" * 32)
    with pytest.raises(NotFoundError, match="bookmark link"), JournalStore(database).transaction() as tx:
        tx.add_bookmark(orphan)


# --- statistics ------------------------------------------------------------------------------------


def test_monthly_statistics_per_commune_in_local_time(database: Database, communes: list[int]) -> None:
    from vmwall.journal.stats import monthly_stats

    paris = ZoneInfo("Europe/Paris")
    lille, roubaix = communes[0], communes[1]
    store(
        database,
        new_entry("a", "rixe", "x", commune_id=lille, at=datetime(2025, 3, 1, 0, 30, tzinfo=paris)),
        new_entry("a", "rixe", "x", commune_id=lille, at=datetime(2025, 3, 31, 23, 30, tzinfo=paris)),
        new_entry("a", "vol", "x", commune_id=lille, at=datetime(2025, 3, 15, 23, 30, tzinfo=paris)),
        new_entry("a", "vol", "x", commune_id=roubaix, at=datetime(2025, 3, 15, 23, 30, tzinfo=paris)),
        new_entry("a", "vol", "x", commune_id=lille, at=datetime(2025, 4, 1, 0, 0, tzinfo=paris)),
        new_entry("a", "vol", "x", commune_id=lille, at=datetime(2025, 2, 28, 23, 59, tzinfo=paris)),
    )
    stats = monthly_stats(JournalRepository(database), commune_id=lille, year=2025, month=3, tz=paris)
    assert stats.total == 3 and stats.by_category == (("rixe", 2), ("vol", 1))
    assert stats.by_hour[0] == 1 and stats.by_hour[23] == 2
    everywhere = monthly_stats(JournalRepository(database), commune_id=None, year=2025, month=3, tz=paris)
    assert everywhere.total == 4


def test_the_search_column_is_the_folded_text_and_place(database: Database) -> None:
    (entry,) = store(database, new_entry("alice", "rixe", "Éclats  de VERRE", place="Parvis", at=T0))
    with database.engine.connect() as connection:
        stored = connection.execute(sa.text("SELECT search_text FROM journal_entries")).scalar()
    assert stored == fold_text("Éclats de VERRE\nParvis") == entry.search_text
