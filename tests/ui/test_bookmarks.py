"""Incident bookmarks in the console: one keystroke on a tile (30 s pre-roll), the same keystroke
ends it, listed on the camera (tile menu), searchable, completed in its dialog, live from another
workstation. Real journal service on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from tests.ui.test_journal_console import JournalConsoles, journal_consoles, journal_of
from vmwall.model.journal import Bookmark, BookmarkQuery, new_bookmark, new_entry
from vmwall.store import Database, open_database
from vmwall.store.repositories.bookmarks import BookmarkRepository
from vmwall.ui.bookmark_controller import BookmarkController


@pytest.fixture
def consoles(qtbot: Any, qapp: Any, database: Database, ui_dirs: Path) -> Iterator[JournalConsoles]:
    factory = journal_consoles(qtbot, qapp, database, ui_dirs)
    yield factory
    factory.close()


def stored_bookmarks(database: Database, **query: Any) -> list[Bookmark]:
    with open_database(database.url) as other:
        return BookmarkRepository(other).search(BookmarkQuery(**query))


def bookmarks_of(window: Any) -> BookmarkController:
    controller = journal_of(window).bookmarks
    assert controller is not None
    return controller


def test_a_bookmark_from_a_tile_with_one_keystroke(consoles: JournalConsoles, qtbot: Any) -> None:
    window = consoles.console("nuit", cameras=(1, 2, 6, 50))
    window.grid.select(2)  # camera 6, "Hôtel de Ville"
    window.grid.setFocus()
    before = datetime.now(UTC)
    qtbot.keyClick(window.grid, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)
    after = datetime.now(UTC)
    qtbot.waitUntil(lambda: len(stored_bookmarks(consoles.database, camera=6)) == 1, timeout=10_000)
    bookmark = stored_bookmarks(consoles.database, camera=6)[0]
    assert bookmark.cameras == (6,) and bookmark.end is None and bookmark.created_by == "nuit"
    pre_roll = timedelta(seconds=30)
    assert before - pre_roll - timedelta(milliseconds=5) <= bookmark.start <= after - pre_roll
    assert bookmark.title == "Incident caméra 6 — Hôtel de Ville"
    qtbot.waitUntil(
        lambda: "Signet posé sur la caméra 6" in window.statusBar().currentMessage(), timeout=5000
    )
    assert "Ctrl+B à nouveau pour le terminer" in window.statusBar().currentMessage()
    # The tile's menu now offers to end it; the same keystroke ends it.
    menu = window.grid.tile(2).build_menu()
    assert "Terminer le signet en cours\tCtrl+B" in [a.text() for a in menu.actions()]
    menu.deleteLater()
    qtbot.wait(50)
    qtbot.keyClick(window.grid, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: stored_bookmarks(consoles.database, camera=6)[0].end is not None, timeout=10_000)
    ended = stored_bookmarks(consoles.database, camera=6)[0]
    assert ended.uid == bookmark.uid and ended.end is not None and ended.end - ended.start >= pre_roll
    assert bookmarks_of(window).running == {}
    # An empty tile has nothing to mark.
    window.grid.set_cameras([1, 2, None, 50])
    window.grid.select(2)
    assert bookmarks_of(window).toggle(None) is None
    assert window.statusBar().currentMessage() == "Pas de caméra dans la tuile sélectionnée."


def test_bookmarks_are_listed_on_the_camera_searched_and_completed(
    consoles: JournalConsoles, qtbot: Any
) -> None:
    service = consoles.service()
    entry = service.add_entry(
        new_entry("jour", "rixe", "Rixe sur le parvis", commune_id=2, cameras=[6])
    ).result(10)
    assert entry.saved
    window = consoles.console("nuit", service=service)
    controller = journal_of(window)
    marks = bookmarks_of(window)
    assert marks.toggle(6) is not None
    assert marks.toggle(1) is not None
    qtbot.waitUntil(lambda: len(stored_bookmarks(consoles.database)) == 2, timeout=10_000)

    # "Signets de cette caméra…" from the tile: the dock opens on the bookmarks tab, that camera only.
    menu = window.grid.tile(2).build_menu()
    next(a for a in menu.actions() if a.text() == "Signets de cette caméra…").trigger()
    menu.deleteLater()
    panel = controller.panel
    assert panel is not None and panel.isVisible() and panel.tabs.currentWidget() is marks.listing
    qtbot.waitUntil(lambda: [b.cameras for b in marks.listing.bookmarks()] == [(6,)], timeout=5000)

    # Searchable by title and tags (case and accents ignored).
    marks.listing.camera.clear()
    qtbot.waitUntil(lambda: len(marks.listing.bookmarks()) == 2, timeout=5000)
    marks.listing.text.setText("HOTEL")
    qtbot.waitUntil(lambda: [b.cameras for b in marks.listing.bookmarks()] == [(6,)], timeout=5000)
    marks.listing.text.setText("introuvable")
    qtbot.waitUntil(lambda: marks.listing.bookmarks() == [], timeout=5000)
    marks.listing.text.clear()
    qtbot.waitUntil(lambda: len(marks.listing.bookmarks()) == 2, timeout=5000)

    # Completed in its dialog: title, tags, the journal entry it illustrates.
    running = marks.running[6]
    marks.listing.select(running.uid)
    marks.listing.edit_button.click()
    qtbot.waitUntil(lambda: marks.dialog is not None and marks.dialog.isVisible(), timeout=5000)
    dialog = marks.dialog
    assert dialog is not None
    dialog.title.setText("Rixe parvis de l'hôtel de ville")
    dialog.tags.setText("rixe, parvis, rixe")
    index = dialog.entry.findData(entry.uid)
    assert index > 0 and "Rixe sur le parvis" in dialog.entry.itemText(index)
    dialog.entry.setCurrentIndex(index)
    dialog.running.setChecked(False)
    dialog.submit()
    qtbot.waitUntil(lambda: marks.dialog is None, timeout=10_000)
    stored = stored_bookmarks(consoles.database, camera=6)[0]
    assert stored.title == "Rixe parvis de l'hôtel de ville"
    assert stored.tags == ("rixe", "parvis") and stored.entry_uid == entry.uid and stored.end is not None
    assert 6 not in marks.running  # ended in the dialog
    row = marks.listing.row_of(stored.uid)
    assert row is not None
    assert "Rixe sur le parvis" in marks.listing.table.item(row, 6).text()
    assert stored_bookmarks(consoles.database, tag="parvis")[0].uid == stored.uid

    # Another workstation's bookmark appears live.
    with open_database(consoles.database.url) as other_database:
        other = consoles.service(consoles.data_dir.parent / "other", other_database)
        theirs = new_bookmark([7], "jour", "Attroupement rue de la Paix")
        assert other.add_bookmark(theirs).result(10).saved
        qtbot.waitUntil(lambda: marks.listing.row_of(theirs.uid) is not None, timeout=5000)
        other.close()


def test_a_scoped_account_sees_only_its_cameras_bookmarks(consoles: JournalConsoles, qtbot: Any) -> None:
    service = consoles.service()
    lille = new_bookmark([1], "jour", "Signet Lille")
    both = new_bookmark([2, 6], "jour", "Signet Lille et Roubaix")
    roubaix = new_bookmark([6, 7], "jour", "Signet Roubaix")
    for bookmark in (lille, both, roubaix):
        assert service.add_bookmark(bookmark).result(10).saved
    window = consoles.console("pm.roubaix", service=service)
    marks = bookmarks_of(window)
    qtbot.waitUntil(lambda: marks.listing.row_of(roubaix.uid) is not None, timeout=5000)
    # A bookmark touching another commune's camera is not theirs (as in the shift report).
    assert marks.listing.row_of(lille.uid) is None and marks.listing.row_of(both.uid) is None
    row = marks.listing.row_of(roubaix.uid)
    assert marks.listing.table.item(row, 2).text() == "6, 7"


def test_a_bookmark_left_running_before_a_restart_is_ended_by_the_keystroke(
    consoles: JournalConsoles, qtbot: Any
) -> None:
    service = consoles.service()
    left = new_bookmark([6], "nuit", "Laissé en cours", workstation=service.workstation)
    elsewhere = new_bookmark([1], "nuit", "Autre poste", workstation="poste-12")
    for bookmark in (left, elsewhere):
        assert service.add_bookmark(bookmark).result(10).saved
    window = consoles.console("nuit", service=service)
    marks = bookmarks_of(window)
    qtbot.waitUntil(lambda: 6 in marks.running, timeout=5000)
    assert marks.running[6].uid == left.uid and 1 not in marks.running
    assert marks.toggle(6) is not None
    qtbot.waitUntil(lambda: stored_bookmarks(consoles.database, camera=6)[0].end is not None, timeout=10_000)
    assert len(stored_bookmarks(consoles.database, camera=6)) == 1
