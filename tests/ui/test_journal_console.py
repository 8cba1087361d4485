"""The main courante in the console (real widgets, real journal service on a real database, fake
players): an entry typed in the editor reaches the list and the database; another workstation's
entry appears within a second; the quick entry from a tile; rights and commune scope; live views
and snapshots in the audit trail.

``JournalConsoles`` (used by the other journal UI test modules too) builds signed-in consoles on
the ``database`` fixture (SQLite and PostgreSQL) with a started ``JournalService``.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.exceptions import TimeoutError as WaitTimeoutError

from tests.fixtures.accounts import FAST, TEST_PASSWORD, MemoryAccountStore, ready_user
from tests.ui.conftest import FakeBackend, player_of, sample_directory
from vmwall.accounts import AccountService, Session, hash_password
from vmwall.journal.drafts import DraftStore
from vmwall.journal.service import JournalService
from vmwall.model import Role
from vmwall.model.audit import AuditAction
from vmwall.model.journal import EntryStatus, FollowUpKind, JournalEntry, JournalQuery, new_entry
from vmwall.store import CameraRepository, CommuneRepository, Database, open_database
from vmwall.store.repositories.audit import AuditFilter
from vmwall.store.repositories.journal import JournalRepository
from vmwall.ui.directory import Directory
from vmwall.ui.journal_controller import JournalController
from vmwall.ui.journal_editor import JournalEntryDialog
from vmwall.ui.lock_session import ConsoleSession
from vmwall.video.status import TileState

# --------------------------------------------------------------------------- the consoles


def stored_directory(database: Database) -> Directory:
    """The UI tests' sample catalogue, stored in the database too (entries refer to its communes,
    the shift report scopes bookmarks by its cameras)."""
    sample = sample_directory()
    repository = CommuneRepository(database)
    ids: dict[int, int] = {}
    communes = []
    for commune in sorted(sample.communes.values(), key=lambda c: c.id or 0):
        stored = repository.get_by_name(commune.name) or repository.add(replace(commune, id=None))
        assert commune.id is not None and stored.id is not None
        ids[commune.id] = stored.id
        communes.append(stored)
    cameras = [replace(c, commune_id=ids[c.commune_id], id=None) for c in sample.cameras.values()]
    catalogue = CameraRepository(database)
    known = {c.number for c in catalogue.list()}
    catalogue.add_many([c for c in cameras if c.number not in known])
    return Directory.build(communes, catalogue.list())


def account_service() -> AccountService:
    store = MemoryAccountStore()
    for login, role, communes in (
        ("nuit", Role.OPERATEUR, frozenset()),
        ("jour", Role.CHEF_DE_SALLE, frozenset()),
        ("pm.roubaix", Role.POLICIER_MUNICIPAL, frozenset({2})),
        ("dpo", Role.DPO, frozenset()),
    ):
        store.create(
            ready_user(login, role, communes=communes), hash_password(TEST_PASSWORD, FAST), datetime.now(UTC)
        )
    return AccountService(store, params=FAST)


@dataclass
class JournalConsoles:
    qtbot: Any
    qapp: Any
    database: Database
    data_dir: Path
    settings_path: Path
    directory: Directory
    accounts: AccountService = field(default_factory=account_service)
    backend: FakeBackend | None = None
    services: list[JournalService] = field(default_factory=list)
    windows: list[Any] = field(default_factory=list)
    sessions: list[Session] = field(default_factory=list)

    def service(
        self, data_dir: Path | None = None, database: Database | None = None, **options: Any
    ) -> JournalService:
        """A started journal service (another workstation: its own data directory)."""
        service = JournalService(database or self.database, data_dir=data_dir or self.data_dir, **options)
        service.start()
        assert service.wait_listening(10)
        self.services.append(service)
        return service

    def console(
        self,
        login: str = "nuit",
        *,
        service: JournalService | None = None,
        cameras: tuple[int | None, ...] = (1, 2, 6, 50),
    ) -> Any:
        from vmwall.app import build_console
        from vmwall.config.layouts import load_builtin_layouts, load_layouts
        from vmwall.config.settings import load_settings
        from vmwall.ui.main_window import StartOptions

        journal = service or (self.services[0] if self.services else self.service())
        self.backend = FakeBackend(self.directory)
        settings = replace(
            load_settings(self.settings_path), layouts_dir=self.settings_path.parent / "layouts"
        )
        session = self.accounts.login(login, TEST_PASSWORD)
        window = build_console(
            self.qapp,
            self.backend,
            settings,
            self.settings_path,
            load_layouts(settings.layouts_dir, load_builtin_layouts()),
            StartOptions("2x2", cameras),
            accounts=self.accounts,
            session=session,
            on_session=self.sessions.append,
            journal=journal,
        )
        self.windows.append(window)
        controller = journal_of(window)
        self.qtbot.waitUntil(
            lambda: (
                window.context.directory is not None
                and window.context.video_ready
                and controller.searches > 0
                and bool(controller.categories)
            ),
            timeout=10_000,
        )
        self.qtbot.waitExposed(window)
        window.raise_()
        window.activateWindow()  # window shortcuts need the active window
        with contextlib.suppress(WaitTimeoutError):
            self.qtbot.waitUntil(window.isActiveWindow, timeout=2000)
        return window

    def close(self) -> None:
        for window in self.windows:
            if not window._closing:
                window.close()
        for service in self.services:
            service.close()


def journal_consoles(qtbot: Any, qapp: Any, database: Database, ui_dirs: Path) -> JournalConsoles:
    """Consoles on ``database`` with the test's data and config directories (the other modules'
    ``consoles`` fixtures use it too)."""
    config = ui_dirs / "config" / "console.json"
    return JournalConsoles(qtbot, qapp, database, ui_dirs / "data", config, stored_directory(database))


@pytest.fixture
def consoles(qtbot: Any, qapp: Any, database: Database, ui_dirs: Path) -> Iterator[JournalConsoles]:
    factory = journal_consoles(qtbot, qapp, database, ui_dirs)
    yield factory
    factory.close()


def journal_of(window: Any) -> JournalController:
    controller = window.journal
    assert isinstance(controller, JournalController)
    return controller


def type_entry(qtbot: Any, editor: JournalEntryDialog, category: str, text: str) -> None:
    editor.category.setCurrentIndex(editor.category.findData(category))
    editor.text.setFocus()
    qtbot.keyClicks(editor.text, text)


def save(qtbot: Any, editor: JournalEntryDialog) -> None:
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)


def entries_in_database(database: Database, text: str) -> list[JournalEntry]:
    """What the database holds, read through a connection of its own."""
    with open_database(database.url) as other:
        return list(JournalRepository(other).search(JournalQuery(text=text)).entries)


def shown_texts(window: Any) -> list[str]:
    panel = journal_of(window).panel
    assert panel is not None
    return [e.text for e in panel.model.entries()]


# --------------------------------------------------------------------------- entries


def test_an_entry_typed_in_the_panel_is_listed_and_stored(consoles: JournalConsoles, qtbot: Any) -> None:
    window = consoles.console("nuit")
    controller = journal_of(window)
    panel = controller.panel
    assert panel is not None and not panel.isVisible()
    controller.toggle_action.trigger()  # Ctrl+J: the dock
    assert panel.isVisible()
    before = datetime.now(UTC)
    editor = controller.open_new_entry()
    assert editor is not None and editor.isVisible()
    assert editor.operator_label.text() == "nuit"
    assert before - timedelta(seconds=1) <= editor.at <= datetime.now(UTC)  # the time is automatic
    type_entry(qtbot, editor, "rixe", "Rixe devant la gare, deux individus")
    editor.place.setText("Parvis nord")
    editor.cameras.setText("2")
    editor.commune.setCurrentIndex(editor.commune.findData(1))
    editor.follow_ups[FollowUpKind.POLICE_REQUESTED].check.setChecked(True)
    save(qtbot, editor)
    qtbot.waitUntil(lambda: "Rixe devant la gare, deux individus" in shown_texts(window), timeout=10_000)
    assert controller.editor is None  # closed once saved
    row = panel.model.row_of(editor.uid)
    assert row is not None and not panel.model.is_queued(editor.uid)
    assert panel.model.index(row, 2).data() == "Rixe"
    assert panel.model.index(row, 1).data() == "Lille"
    assert panel.model.index(row, 6).data().startswith("Police demandée ")
    stored = entries_in_database(consoles.database, "deux individus")
    assert [e.uid for e in stored] == [editor.uid]
    entry = stored[0]
    assert (entry.operator, entry.category, entry.place, entry.cameras, entry.commune_id) == (
        "nuit",
        "rixe",
        "Parvis nord",
        (2,),
        1,
    )
    assert entry.follow_up(FollowUpKind.POLICE_REQUESTED) is not None
    assert entry.workstation == consoles.services[0].workstation
    assert entry.status is EntryStatus.OPEN

    # Follow-up and closing from the list; an edit is traced as a new revision.
    panel.select(entry.uid)
    panel.follow_actions[FollowUpKind.POLICE_ON_SITE].trigger()
    qtbot.waitUntil(
        lambda: (
            (e := panel.selected_entry()) is not None and e.follow_up(FollowUpKind.POLICE_ON_SITE) is not None
        ),
        timeout=10_000,
    )
    panel.close_button.click()
    qtbot.waitUntil(lambda: panel.selected_entry().status is EntryStatus.CLOSED, timeout=10_000)  # type: ignore[union-attr]
    edited = controller.open_edit(panel.selected_entry())  # type: ignore[arg-type]
    assert edited is not None and edited.base is not None
    edited.text.setPlainText("Rixe devant la gare, deux individus interpellés")
    save(qtbot, edited)
    qtbot.waitUntil(lambda: controller.edit_editor is None, timeout=10_000)
    final = entries_in_database(consoles.database, "interpellés")
    assert len(final) == 1 and final[0].revision == 4 and final[0].edited_by == "nuit"
    history = consoles.services[0].history(entry.uid)
    assert [h.entry.revision for h in history] == [1, 2, 3]
    assert history[-1].changed == ("text",)


def test_the_editor_says_what_is_missing(consoles: JournalConsoles, qtbot: Any) -> None:
    window = consoles.console("nuit")
    editor = journal_of(window).open_new_entry()
    assert editor is not None
    save(qtbot, editor)
    assert editor.message.text() == "Choisissez une catégorie."
    editor.category.setCurrentIndex(editor.category.findData("vol"))
    save(qtbot, editor)
    assert editor.message.text() == "La description est vide."
    qtbot.keyClicks(editor.text, "Vol a l arrache")
    editor.cameras.setText("2, x")
    save(qtbot, editor)
    assert editor.message.text() == "« x » n'est pas un numéro de caméra."
    editor.cameras.setText("999")
    save(qtbot, editor)
    assert editor.message.text() == "Caméra(s) absente(s) de votre catalogue : 999."
    assert entries_in_database(consoles.database, "arrache") == []


def test_another_workstations_entry_appears_within_a_second(consoles: JournalConsoles, qtbot: Any) -> None:
    window = consoles.console("nuit")
    panel = journal_of(window).panel
    assert panel is not None
    with open_database(consoles.database.url) as other_database:
        other = consoles.service(consoles.data_dir.parent / "other-workstation", other_database)
        entry = new_entry("jour", "vol", "Vol de scooter rue Nationale", commune_id=1, cameras=[3])
        outcome = other.add_entry(entry).result(10)
        assert outcome.saved
        committed = time.monotonic()
        qtbot.waitUntil(lambda: panel.model.row_of(entry.uid) is not None, timeout=5000)
        latency = time.monotonic() - committed
        print(
            f"\nother workstation's entry shown after {latency * 1000:.0f} ms ({consoles.database.dialect})"
        )
        assert latency < 1.0
        # Its edit follows too; an entry outside the filters is not shown.
        panel.status.setCurrentIndex(panel.status.findData(EntryStatus.OPEN.value))
        qtbot.waitUntil(
            lambda: panel.last_query is not None and panel.last_query.status is EntryStatus.OPEN, timeout=5000
        )
        other.set_status(entry.uid, EntryStatus.CLOSED, "jour").result(10)
        qtbot.waitUntil(lambda: panel.model.row_of(entry.uid) is None, timeout=5000)
        other.close()


def test_quick_entry_from_a_tile_prefills_camera_commune_and_time(
    consoles: JournalConsoles, qtbot: Any
) -> None:
    window = consoles.console("nuit", cameras=(1, 2, 6, 50))
    controller = journal_of(window)
    window.grid.select(2)  # camera 6, Roubaix
    window.grid.setFocus()
    before = datetime.now(UTC)
    qtbot.keyClick(
        window.grid, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier
    )  # the configurable shortcut
    qtbot.waitUntil(lambda: controller.editor is not None and controller.editor.isVisible(), timeout=3000)
    editor = controller.editor
    assert editor is not None
    assert editor.cameras.text() == "6"
    assert editor.commune.currentText() == "Roubaix"
    assert before - timedelta(seconds=1) <= editor.at <= datetime.now(UTC)
    # The same shortcut on another tile while typing adds that camera to the entry being typed.
    window.grid.select(0)
    controller.quick_action.trigger()
    assert controller.editor is editor and editor.cameras.text() == "6, 1"
    assert editor.commune.currentText() == "Roubaix"  # chosen already: kept
    # The tile's context menu offers it too, with the shortcut shown.
    menu = window.grid.tile(2).build_menu()
    labels = {a.text(): a for a in menu.actions()}
    assert labels["Main courante : nouvelle entrée…\tCtrl+E"].isEnabled()
    assert labels["Signet d'incident\tCtrl+B"].isEnabled()
    assert labels["Signets de cette caméra…"].isEnabled()
    menu.deleteLater()


def test_rights_and_commune_scope(consoles: JournalConsoles, qtbot: Any) -> None:
    service = consoles.service()
    lille = service.add_entry(new_entry("jour", "vol", "Vol à Lille", commune_id=1)).result(10)
    roubaix = service.add_entry(new_entry("jour", "rixe", "Rixe à Roubaix", commune_id=2)).result(10)
    assert lille.saved and roubaix.saved
    window = consoles.console("pm.roubaix")
    controller = journal_of(window)
    panel = controller.panel
    assert panel is not None
    qtbot.waitUntil(lambda: shown_texts(window) == ["Rixe à Roubaix"], timeout=5000)
    assert [panel.commune.itemText(i) for i in range(panel.commune.count())] == [
        "Toutes mes communes",
        "Roubaix",
    ]
    editor = controller.open_new_entry()
    assert editor is not None
    assert [editor.commune.itemText(i) for i in range(editor.commune.count())] == ["Roubaix"]
    # Another commune's entry arriving live is not shown to this account.
    service.add_entry(new_entry("jour", "vol", "Encore Lille", commune_id=1)).result(10)
    service.add_entry(new_entry("jour", "vol", "Encore Roubaix", commune_id=2)).result(10)
    qtbot.waitUntil(lambda: "Encore Roubaix" in shown_texts(window), timeout=5000)
    assert "Encore Lille" not in shown_texts(window)


def test_an_account_without_the_journal_right_reads_only(consoles: JournalConsoles, qtbot: Any) -> None:
    window = consoles.console("dpo")
    controller = journal_of(window)
    assert controller.open_new_entry() is None
    assert (
        window.statusBar().currentMessage() == "Votre compte n'a pas le droit d'écrire dans la main courante."
    )
    panel = controller.panel
    assert panel is not None and not panel.write_allowed
    assert panel.new_button.defaultAction() is controller.new_action
    assert controller.bookmarks is not None and controller.bookmarks.toggle(1) is None


def test_lock_hides_the_editor_and_a_handover_keeps_the_draft_for_its_operator(
    consoles: JournalConsoles, qtbot: Any
) -> None:
    window = consoles.console("nuit")
    controller = journal_of(window)
    editor = controller.open_new_entry()
    assert editor is not None
    type_entry(qtbot, editor, "vol", "Vol de velo")
    keeper = window.findChild(ConsoleSession)
    assert isinstance(keeper, ConsoleSession)
    keeper.lock_action.trigger()
    assert keeper.locked and not editor.isVisible()  # nothing to read or type on a locked console
    assert controller.open_new_entry() is None
    assert window.statusBar().currentMessage() == "La console est verrouillée."
    keeper.switch_to(consoles.accounts.login("jour", TEST_PASSWORD))  # "Changer d'opérateur…"
    qtbot.waitUntil(lambda: controller.operator() == "jour" and controller.editor is None, timeout=5000)
    drafts = DraftStore(consoles.data_dir, "nuit")
    qtbot.waitUntil(
        lambda: (d := drafts.pending_draft()) is not None and d.fields["text"] == "Vol de velo", timeout=5000
    )
    qtbot.wait(300)
    assert controller.draft_box is None  # not offered to the next operator: it is not theirs
    keeper.switch_to(consoles.accounts.login("nuit", TEST_PASSWORD))
    qtbot.waitUntil(lambda: controller.draft_box is not None, timeout=5000)
    assert "Vol de velo" in controller.draft_box.informativeText()  # type: ignore[union-attr]


# --------------------------------------------------------------------------- audit of images


def audit_records(service: JournalService, action: AuditAction) -> list[Any]:
    return service.trail.records(AuditFilter(actions=frozenset({action.value}), limit=100))


def test_live_views_and_snapshots_go_to_the_audit_trail(consoles: JournalConsoles, qtbot: Any) -> None:
    service = consoles.service()
    window = consoles.console("jour", service=service, cameras=(1, 2, None, None))
    backend = consoles.backend
    assert backend is not None
    players = [player_of(backend, window.grid.tile(i)) for i in range(2)]
    for player in players:
        player.report(TileState.LIVE)
    qtbot.waitUntil(lambda: len(journal_of(window).recorder.open_views()) == 2, timeout=5000)  # type: ignore[union-attr]
    window.take_snapshot(window.grid.tile(0))
    window.grid.tile(1).set_camera(None)  # the operator removes camera 2
    qtbot.waitUntil(lambda: len(audit_records(service, AuditAction.LIVE_VIEW_END)) == 1, timeout=10_000)
    qtbot.waitUntil(lambda: len(audit_records(service, AuditAction.SNAPSHOT)) == 1, timeout=10_000)
    starts = audit_records(service, AuditAction.LIVE_VIEW_START)
    assert sorted((r.event.camera, r.event.actor) for r in starts) == [(1, "jour"), (2, "jour")]
    end = audit_records(service, AuditAction.LIVE_VIEW_END)[0]
    assert end.event.camera == 2 and end.event.details["duration_s"] >= 0
    snapshot = audit_records(service, AuditAction.SNAPSHOT)[0]
    assert snapshot.event.camera == 1 and snapshot.event.actor == "jour"
    assert snapshot.event.details["path"].endswith(".png")
    # Closing the console ends the views still open.
    window.close()
    qtbot.waitUntil(lambda: len(audit_records(service, AuditAction.LIVE_VIEW_END)) == 2, timeout=10_000)
    with contextlib.suppress(Exception):
        QApplication.processEvents()
