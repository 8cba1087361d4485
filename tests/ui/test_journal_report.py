"""The shift report (HTML from the journal service, previewed and written as PDF by Qt) and the
monthly statistics charts (pyqtgraph: the data plotted is checked), within the reader's communes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QDate

from tests.ui.test_journal_console import JournalConsoles, journal_consoles, journal_of
from vmwall.journal.service import JournalService
from vmwall.model.journal import FollowUp, FollowUpKind, new_bookmark, new_entry, utc_now
from vmwall.store import Database


@pytest.fixture
def consoles(qtbot: Any, qapp: Any, database: Database, ui_dirs: Path) -> Iterator[JournalConsoles]:
    factory = journal_consoles(qtbot, qapp, database, ui_dirs)
    yield factory
    factory.close()


def shift(service: JournalService) -> None:
    """Two entries of the last hour (Lille, Roubaix) and a bookmark on a Lille camera."""
    now = utc_now()
    entries = [
        new_entry(
            "nuit",
            "rixe",
            "Rixe place de la Mairie",
            commune_id=1,
            cameras=[1],
            at=now - timedelta(minutes=40),
            follow_ups=(FollowUp(FollowUpKind.POLICE_REQUESTED, now - timedelta(minutes=39)),),
        ),
        new_entry(
            "nuit", "depot-sauvage", "Depot sauvage square Foch", commune_id=2, at=now - timedelta(minutes=20)
        ),
    ]
    for entry in entries:
        assert service.add_entry(entry).result(10).saved
    assert service.add_bookmark(new_bookmark([1], "nuit", "Rixe mairie (signet)")).result(10).saved
    assert service.add_bookmark(new_bookmark([8], "nuit", "Square Foch (signet)")).result(10).saved


def test_the_shift_report_lists_the_entries_and_prints_to_pdf(
    consoles: JournalConsoles, qtbot: Any, tmp_path: Path
) -> None:
    service = consoles.service()
    shift(service)
    window = consoles.console("jour", service=service)
    dialog = journal_of(window).open_report()
    assert dialog is not None
    assert dialog.period.currentText().startswith("Depuis la prise de poste")  # the session's start
    dialog.period.setCurrentIndex(dialog.period.findData("8h"))
    qtbot.waitUntil(lambda: dialog.generation >= 1 and "Rixe" in dialog.html, timeout=10_000)
    html = dialog.html
    for text in (
        "Rixe place de la Mairie",
        "Depot sauvage square Foch",
        "Police demandée",
        "Rixe mairie (signet)",
    ):
        assert text in html
    shown = dialog.preview.toPlainText()
    assert "Rixe place de la Mairie" in shown and "Depot sauvage square Foch" in shown
    assert "Lille" in shown and "Roubaix" in shown
    assert "Imprimé le" in shown and "par jour" in shown
    assert dialog.print_button.isEnabled() and dialog.pdf_button.isEnabled()
    target = tmp_path / "rapport"
    dialog.save_pdf(target)
    qtbot.waitUntil(lambda: dialog.last_pdf is not None, timeout=20_000)
    assert dialog.last_pdf == tmp_path / "rapport.pdf"
    data = dialog.last_pdf.read_bytes()
    assert data.startswith(b"%PDF") and len(data) > 2000 and b"%%EOF" in data[-64:]


def test_a_scoped_reader_gets_the_report_of_their_communes(consoles: JournalConsoles, qtbot: Any) -> None:
    service = consoles.service()
    shift(service)
    window = consoles.console("pm.roubaix", service=service)
    dialog = journal_of(window).open_report()
    assert dialog is not None
    dialog.period.setCurrentIndex(dialog.period.findData("8h"))
    qtbot.waitUntil(lambda: "Depot sauvage square Foch" in dialog.html, timeout=10_000)
    assert "Rixe place de la Mairie" not in dialog.html
    assert "Rixe mairie (signet)" not in dialog.html  # a bookmark on a Lille camera
    assert "Square Foch (signet)" in dialog.html


def local(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute).astimezone()


def test_monthly_statistics_chart_the_counts(consoles: JournalConsoles, qtbot: Any) -> None:
    service = consoles.service()
    march = [
        ("rixe", 1, local(2025, 3, 1, 22, 5)),
        ("rixe", 1, local(2025, 3, 14, 22, 50)),
        ("rixe", 1, local(2025, 3, 31, 22, 59)),
        ("vol", 1, local(2025, 3, 9, 3, 10)),
        ("rixe", 2, local(2025, 3, 9, 3, 30)),
        ("vol", 1, local(2025, 4, 1, 0, 5)),  # April: not counted
        ("vol", 1, local(2025, 2, 28, 23, 55)),  # February: not counted
    ]
    for category, commune, at in march:
        assert (
            service.add_entry(new_entry("nuit", category, "Stat", commune_id=commune, at=at)).result(10).saved
        )
    window = consoles.console("jour", service=service)
    controller = journal_of(window)
    dialog = controller.open_stats()
    assert dialog is not None
    assert [dialog.commune.itemText(i) for i in range(dialog.commune.count())] == [
        "Toutes les communes",
        "Hem",
        "Lille",
        "Roubaix",
    ]
    dialog.commune.setCurrentIndex(dialog.commune.findData(1))
    dialog.month.setDate(QDate(2025, 3, 1))
    qtbot.waitUntil(
        lambda: (
            dialog.stats is not None
            and dialog.choice() == (1, 2025, 3)
            and dialog.stats.month == 3
            and dialog.stats.commune_id == 1
        ),
        timeout=10_000,
    )
    plotted = dialog.plotted()
    assert plotted["categories"] == [("Vol", 1.0), ("Rixe", 3.0)]  # the most frequent on top
    hours = dict(plotted["hours"])
    assert hours["22"] == 3.0 and hours["3"] == 1.0 and sum(hours.values()) == 4.0
    assert dialog.total.text() == "4 entrée(s) en 03/2025"
    dialog.commune.setCurrentIndex(dialog.commune.findData(None))
    qtbot.waitUntil(lambda: dialog.stats is not None and dialog.stats.commune_id is None, timeout=10_000)
    assert dialog.plotted()["categories"] == [("Vol", 1.0), ("Rixe", 4.0)]
    assert dict(dialog.plotted()["hours"])["3"] == 2.0


def test_a_scoped_account_sees_only_its_communes_statistics(consoles: JournalConsoles, qtbot: Any) -> None:
    window = consoles.console("pm.roubaix")
    dialog = journal_of(window).open_stats()
    assert dialog is not None
    assert [dialog.commune.itemText(i) for i in range(dialog.commune.count())] == ["Roubaix"]
    qtbot.waitUntil(lambda: dialog.stats is not None, timeout=10_000)
    assert dialog.stats is not None and dialog.stats.commune_id == 2
