"""Layout changes in the console reach the audit trail (real widgets, a real journal service on the
``database`` fixture, SQLite and PostgreSQL): a layout switch, a saved view applied, saved, deleted."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QMessageBox

from tests.ui.test_journal_console import JournalConsoles, journal_consoles
from vmwall.model import SavedView
from vmwall.model.audit import AuditAction, AuditRecord
from vmwall.store import AuditRepository, Database, open_database
from vmwall.store.repositories.audit import AuditFilter

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def consoles(qtbot: Any, qapp: Any, database: Database, ui_dirs: Path) -> Iterator[JournalConsoles]:
    factory = journal_consoles(qtbot, qapp, database, ui_dirs)
    yield factory
    factory.close()


def layout_records(database: Database) -> list[AuditRecord]:
    with open_database(database.url) as other:
        found = AuditRepository(other).records(
            AuditFilter(actions=frozenset({AuditAction.LAYOUT_CHANGE.value}), limit=1000)
        )
    return list(reversed(found))


def test_layout_switches_and_saved_views_are_recorded(
    consoles: JournalConsoles, qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = consoles.console("nuit")
    service = consoles.services[0]
    gc.collect()  # the recorder lives as long as the window, not as long as a Python reference
    assert window.grid.grid_layout().name == "2x2"
    assert window.apply_layout_name("3x3")
    window.cycle_layout(1)  # F-key "next layout"
    after_cycle = window.grid.grid_layout().name
    assert after_cycle != "3x3"
    window.grid.assign(0, 2)  # a camera change alone is no layout change (its live view is recorded)
    view = SavedView("Parvis", "1x1", (6,), owner_id=None)
    window.store_view(view)
    qtbot.waitUntil(lambda: any(v.name == "Parvis" for v in window.views), timeout=10_000)
    stored = next(v for v in window.views if v.name == "Parvis")
    window.apply_view(stored, window.grid)
    assert window.grid.grid_layout().name == "1x1"
    monkeypatch.setattr(QMessageBox, "question", lambda *_a, **_k: QMessageBox.StandardButton.Yes)
    window.delete_view(stored)
    qtbot.waitUntil(lambda: not window.views, timeout=10_000)
    extra = window.open_grid_window()
    assert extra.apply_layout_name("2x2")
    qtbot.waitUntil(lambda: len(layout_records(consoles.database)) >= 6, timeout=10_000)
    found = layout_records(consoles.database)
    summary = [
        (r.event.target, r.event.details["change"], r.event.details.get("grid"), r.event.details.get("view"))
        for r in found
    ]
    assert summary == [
        ("3x3", "layout-switch", 1, None),
        (after_cycle, "layout-switch", 1, None),
        ("1x1", "view-saved", None, "Parvis"),
        ("1x1", "view-applied", 1, "Parvis"),  # one record: not also a layout switch
        ("1x1", "view-deleted", None, "Parvis"),
        ("2x2", "layout-switch", 2, None),
    ]
    assert found[0].event.details["previous"] == "2x2"
    assert found[3].event.details["shared"] is True and found[3].event.details["cameras"] == [6]
    assert {r.event.actor for r in found} == {"nuit"}
    assert {r.event.workstation for r in found} == {service.workstation}
    assert AuditRepository(consoles.database).verify().ok
