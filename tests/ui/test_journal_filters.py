"""The console decides alone whether an entry or a bookmark arriving live belongs in the list on
screen (`entry_matches`, `bookmark_matches`): its answer must be the database's, for every filter.
Checked against the real store on SQLite and PostgreSQL."""

from __future__ import annotations

import itertools
from datetime import timedelta
from pathlib import Path

from tests.ui.test_journal_console import stored_directory
from vmwall.journal.service import JournalService
from vmwall.model.journal import (
    BookmarkQuery,
    EntryStatus,
    JournalQuery,
    new_bookmark,
    new_entry,
    utc_now,
)
from vmwall.store import Database
from vmwall.ui.journal_filters import Period, bookmark_matches, bookmark_visible, entry_matches, period_start


def test_the_live_filters_agree_with_the_database(database: Database, tmp_path: Path) -> None:
    stored_directory(database)
    now = utc_now()
    service = JournalService(database, data_dir=tmp_path / "data")
    service.start()
    try:
        rows = [
            ("rixe", 1, [1, 2], "Rixe devant la Gare", "Parvis nord", EntryStatus.OPEN, "nuit", 5),
            ("vol", 2, [6], "Vol à l'étalage", "Rue de la Paix", EntryStatus.CLOSED, "jour", 30),
            (
                "degradation",
                None,
                [],
                "Dégradation d'un abribus",
                "Église Saint-Maurice",
                EntryStatus.OPEN,
                "nuit",
                60 * 30,
            ),
            ("rixe", 2, [6, 7], "Bagarre, rixe confirmée", "", EntryStatus.CLOSED, "jour", 60 * 24 * 10),
            (
                "incendie",
                1,
                [3],
                "Feu de poubelle",
                "Place de la gare",
                EntryStatus.OPEN,
                "pm.roubaix",
                60 * 24 * 40,
            ),
        ]
        entries = []
        for category, commune, cameras, text, place, status, operator, minutes in rows:
            entry = new_entry(
                operator,
                category,
                text,
                commune_id=commune,
                cameras=cameras,
                place=place,
                status=status,
                at=now - timedelta(minutes=minutes),
            )
            assert service.add_entry(entry).result(10).saved
            entries.append(entry)
        queries = [
            JournalQuery(
                start=start,
                end=end,
                communes=communes,
                categories=categories,
                camera=camera,
                text=text,
                status=status,
                operator=operator,
            )
            for start, end, communes, categories, camera, text, status, operator in itertools.product(
                (None, period_start(Period.DAY, now), period_start(Period.MONTH, now)),
                (None, now - timedelta(minutes=20)),
                (None, frozenset({1}), frozenset({2}), frozenset()),
                (frozenset(), frozenset({"rixe"})),
                (None, 6),
                ("", "GARE", "eglise", "rix gar"),
                (None, EntryStatus.OPEN),
                (None, "jour"),
            )
            if not (start is not None and end is not None and end <= start)
        ]
        assert len(queries) > 1000
        checked = 0
        for query in queries[::7]:  # a spread of every combination, a few hundred searches
            found = {e.uid for e in service.search(query).entries}
            assert found == {e.uid for e in entries if entry_matches(query, e)}, query
            checked += 1
        assert checked > 150

        marks = [
            new_bookmark(
                [6], "nuit", "Rixe Hôtel de Ville", tags=["rixe", "parvis"], at=now - timedelta(hours=2)
            ),
            new_bookmark(
                [1, 6],
                "jour",
                "Attroupement gare",
                tags=["gare"],
                at=now - timedelta(hours=30),
                end=now - timedelta(hours=29),
            ),
            new_bookmark([2], "nuit", "Véhicule suspect", at=now - timedelta(days=10)),
        ]
        for mark in marks:
            assert service.add_bookmark(mark).result(10).saved
        for camera, start, text, tag in itertools.product(
            (None, 6, 2),
            (None, now - timedelta(hours=24)),
            ("", "HOTEL", "gare", "zz"),
            (None, "rixe", "gare"),
        ):
            query = BookmarkQuery(camera=camera, start=start, text=text, tag=tag)
            found = {b.uid for b in service.bookmarks(query)}
            assert found == {b.uid for b in marks if bookmark_matches(query, b)}, query
        assert bookmark_visible(marks[0], {6, 7}) and not bookmark_visible(marks[1], {6, 7})
        assert bookmark_visible(marks[1], None)
    finally:
        service.close()
