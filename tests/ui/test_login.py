"""Named accounts in the console (real widgets, fake players): the login dialog, rights on the tiles,
the lock screen, inactivity, shift handover, and a suspended agrément ending live view of an open
session (the account re-read from a real database written by another connection)."""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication

from tests.fixtures.accounts import FAST, TEST_PASSWORD, MemoryAccountStore, create_account, ready_user
from tests.ui.conftest import FakeBackend, player_of
from vmwall.accounts import AccountEvent, AccountEventKind, AccountService, LoginRefusedError, Session
from vmwall.accounts.policy import AccessProblem
from vmwall.model import Role
from vmwall.model.user import AgrementStatus, Permission
from vmwall.store import AccountRepository, open_database
from vmwall.ui.bridge import Bridge
from vmwall.ui.lock_session import ConsoleSession
from vmwall.ui.login_dialog import LoginDialog, refusal_text

# --------------------------------------------------------------------------- fixtures


def add(store: MemoryAccountStore, login: str, role: Role, **fields: Any) -> None:
    from datetime import UTC, datetime

    from vmwall.accounts import hash_password

    store.create(ready_user(login, role, **fields), hash_password(TEST_PASSWORD, FAST), datetime.now(UTC))


@pytest.fixture
def accounts() -> tuple[AccountService, MemoryAccountStore, list[AccountEvent]]:
    store = MemoryAccountStore()
    events: list[AccountEvent] = []
    add(store, "admin", Role.ADMINISTRATEUR)
    add(store, "nuit", Role.OPERATEUR)
    add(store, "jour", Role.CHEF_DE_SALLE)
    add(store, "pm.roubaix", Role.POLICIER_MUNICIPAL, communes=frozenset({2}))
    return AccountService(store, params=FAST, listeners=[events.append]), store, events


@dataclass
class SignedConsole:
    """Builds consoles signed in with a session (like run_console does), closes them after the test."""

    qtbot: Any
    qapp: Any
    backend: FakeBackend
    settings_path: Path
    windows: list[Any] = field(default_factory=list)
    sessions: list[Session] = field(default_factory=list)

    def __call__(
        self,
        service: Any,
        session: Session,
        *,
        cameras: tuple[int | None, ...] = (1, 2, 6, 50),
        lock_after_s: float = 600,
        watch_interval_s: float = 15,
    ) -> Any:
        from vmwall.app import build_console
        from vmwall.config.layouts import load_builtin_layouts, load_layouts
        from vmwall.config.settings import load_settings
        from vmwall.ui.main_window import StartOptions

        settings = replace(
            load_settings(self.settings_path), layouts_dir=self.settings_path.parent / "layouts"
        )
        window = build_console(
            self.qapp,
            self.backend,
            settings,
            self.settings_path,
            load_layouts(settings.layouts_dir, load_builtin_layouts()),
            StartOptions("2x2", cameras),
            accounts=service,
            session=session,
            lock_after_s=lock_after_s,
            watch_interval_s=watch_interval_s,
            on_session=self.sessions.append,
        )
        self.windows.append(window)
        self.qtbot.waitUntil(
            lambda: window.context.directory is not None and window.context.video_ready, timeout=5000
        )
        self.qtbot.waitExposed(window)
        return window


@pytest.fixture
def signed_console(qtbot: Any, qapp: Any, backend: FakeBackend, ui_dirs: Path) -> Iterator[SignedConsole]:
    factory = SignedConsole(qtbot, qapp, backend, ui_dirs / "config" / "console.json")
    yield factory
    for window in factory.windows:
        if not window._closing:
            window.close()


def keeper_of(window: Any) -> ConsoleSession:
    keeper = window.findChild(ConsoleSession)
    assert isinstance(keeper, ConsoleSession)
    return keeper


def live_tiles(window: Any) -> list[int]:
    return [t.camera for t in window.grid.tiles() if t.source is not None]


# --------------------------------------------------------------------------- the login dialog


def test_login_dialog_refuses_then_accepts(qtbot: Any, qapp: Any, accounts: Any) -> None:
    service, _store, events = accounts
    bridge = Bridge(qapp)
    dialog = LoginDialog(None, bridge, service.login, login_hint="nuit")
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.login.text() == "nuit" and dialog.windowTitle() == "vmwall — connexion"
    dialog.password.setText("Mauvais-mot-2025")
    dialog.submit()
    assert dialog.password.text() == ""  # never kept in the widget
    qtbot.waitUntil(lambda: not dialog.busy, timeout=5000)
    assert dialog.message.text() == "Identifiant ou mot de passe incorrect."
    assert dialog.isVisible() and dialog.session is None
    dialog.password.setText(TEST_PASSWORD)
    with qtbot.waitSignal(dialog.accepted, timeout=5000):
        dialog.submit()
    assert dialog.session is not None and dialog.session.login == "nuit"
    assert [e.kind for e in events] == [AccountEventKind.LOGIN_REFUSED, AccountEventKind.LOGIN]
    bridge.close()


def test_login_dialog_says_why_in_french(qtbot: Any, qapp: Any, accounts: Any) -> None:
    service, store, _events = accounts
    add(store, "suspendu", Role.OPERATEUR, agrement_status=AgrementStatus.SUSPENDED)
    bridge = Bridge(qapp)
    dialog = LoginDialog(None, bridge, service.login)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.submit()
    assert dialog.message.text() == "Saisissez votre identifiant et votre mot de passe."
    dialog.login.setText("suspendu")
    dialog.password.setText(TEST_PASSWORD)
    dialog.submit()
    qtbot.waitUntil(lambda: not dialog.busy, timeout=5000)
    assert dialog.message.text() == "Votre agrément est suspendu : connexion refusée."
    empty = AccountService(MemoryAccountStore(), params=FAST)
    with pytest.raises(LoginRefusedError) as refused:
        empty.login("x", "y")
    assert "vmwall users add IDENTIFIANT --role administrateur" in refusal_text(refused.value)
    assert refusal_text(OSError("base injoignable")) == "Connexion impossible : base injoignable"
    bridge.close()


# --------------------------------------------------------------------------- rights on screen


def test_rights_and_scope_on_every_tile(signed_console: SignedConsole, accounts: Any, qtbot: Any) -> None:
    service, _store, _events = accounts
    # A municipal police officer of Roubaix (commune 2): only cameras 6-9 and 12, on every surface.
    window = signed_console(service, service.login("pm.roubaix", TEST_PASSWORD), cameras=(1, 6, 50, 12))
    directory = window.context.directory
    assert sorted(directory.cameras) == [6, 7, 8, 9, 12]
    assert [c.name for c in directory.visible_communes()] == ["Roubaix"]
    assert window.tree.camera_count() == 5
    qtbot.waitUntil(lambda: live_tiles(window) == [6, 12], timeout=3000)
    other = window.grid.tile(0)
    assert other.message.headline == "non autorisé"
    assert other.message.detail == "Cette caméra n'appartient pas aux communes de votre compte."
    assert "Place de la Mairie" not in other.toolTip()  # not even named
    assert (
        "Opérateur : Test Pm.Roubaix (pm.roubaix, policier municipal)"
        in keeper_of(window).operator_label.text()
    )
    # The wall right is missing: its menu is disabled and says why.
    assert not window.wall_menu.menuAction().isEnabled()
    assert "mur d'images" in window.wall_menu.menuAction().toolTip()


def test_an_account_without_live_view_gets_no_video_at_all(
    signed_console: SignedConsole, accounts: Any, qtbot: Any
) -> None:
    service, _store, _events = accounts
    window = signed_console(service, service.login("admin", TEST_PASSWORD))
    qtbot.wait(200)
    assert live_tiles(window) == []
    assert signed_console.backend.players == []
    assert window.grid.tile(0).message.detail == "Votre compte n'a pas le droit de visionnage en direct."
    assert window.tree.camera_count() == 11  # the administrator manages every camera, sees no image


# --------------------------------------------------------------------------- lock


def test_lock_hides_every_image_and_unlocks_with_the_password(
    signed_console: SignedConsole, accounts: Any, qtbot: Any
) -> None:
    service, _store, events = accounts
    window = signed_console(service, service.login("jour", TEST_PASSWORD))
    qtbot.waitUntil(lambda: live_tiles(window) == [1, 2, 6], timeout=3000)
    players = [player_of(signed_console.backend, window.grid.tile(i)) for i in range(3)]
    keeper = keeper_of(window)
    keeper.lock_action.trigger()
    assert keeper.locked and not window.splitter.isVisible() and keeper.lock_screen.isVisible()
    assert live_tiles(window) == [] and all(p.calls[-1] == ("stop", None) for p in players)
    assert not window.menuBar().isEnabled()
    assert "Session de Test Jour (jour, chef de salle)" in keeper.lock_screen.holder.text()
    # The grid's keypad is out of reach while locked.
    assert not window.grid.isVisible()
    keeper.lock_screen.password.setText("Mauvais-mot-2025")
    keeper.lock_screen.unlock_button.click()
    qtbot.waitUntil(lambda: keeper.lock_screen.password.isEnabled(), timeout=5000)
    assert keeper.locked and keeper.lock_screen.message.text() == "Identifiant ou mot de passe incorrect."
    keeper.lock_screen.password.setText(TEST_PASSWORD)
    keeper.lock_screen.unlock_button.click()
    qtbot.waitUntil(lambda: not keeper.locked, timeout=5000)
    assert window.splitter.isVisible() and not keeper.lock_screen.isVisible() and window.menuBar().isEnabled()
    qtbot.waitUntil(lambda: live_tiles(window) == [1, 2, 6], timeout=3000)
    kinds = [e.kind for e in events if e.login == "jour"]
    assert kinds == [
        AccountEventKind.LOGIN,
        AccountEventKind.LOCKED,
        AccountEventKind.LOGIN_REFUSED,
        AccountEventKind.UNLOCKED,
    ]
    assert next(e for e in events if e.kind is AccountEventKind.LOCKED).detail == "operator"


def test_the_console_locks_itself_after_inactivity(
    signed_console: SignedConsole, accounts: Any, qtbot: Any
) -> None:
    service, _store, events = accounts
    window = signed_console(service, service.login("nuit", TEST_PASSWORD), lock_after_s=1.5)
    keeper = keeper_of(window)
    qtbot.waitUntil(lambda: keeper.locked, timeout=10_000)
    assert "sans activité" in keeper.lock_screen.message.text()
    qtbot.waitUntil(lambda: AccountEventKind.LOCKED in [e.kind for e in events], timeout=3000)
    assert next(e for e in events if e.kind is AccountEventKind.LOCKED).detail == "inactivity"
    assert live_tiles(window) == []


def test_joystick_use_keeps_the_console_unlocked(
    signed_console: SignedConsole, accounts: Any, qtbot: Any
) -> None:
    """The PTZ joystick's use (reported by vmwall.ui.ptz_joystick) is activity: an operator following
    a vehicle with the stick for longer than the lock delay keeps the console."""
    service, _store, _events = accounts
    window = signed_console(service, service.login("nuit", TEST_PASSWORD), lock_after_s=1.5)
    keeper = keeper_of(window)
    deadline = time.monotonic() + 4.0
    while time.monotonic() < deadline:
        window.ptz.operator_input.emit()
        qtbot.wait(400)
        assert not keeper.locked
    qtbot.waitUntil(lambda: keeper.locked, timeout=10_000)  # the stick let go: the lock falls


def test_the_operator_changes_their_password_from_the_session_menu(
    signed_console: SignedConsole, accounts: Any, qtbot: Any
) -> None:
    service, _store, events = accounts
    window = signed_console(service, service.login("nuit", TEST_PASSWORD))
    keeper = keeper_of(window)
    assert keeper.password_action in keeper.menu.actions()
    keeper.password_action.trigger()
    dialog = keeper.password_dialog
    assert dialog is not None and dialog.isVisible()

    def attempt(current: str, new: str, confirm: str | None = None) -> str:
        dialog.current.setText(current)
        dialog.new.setText(new)
        dialog.confirm.setText(new if confirm is None else confirm)
        dialog.change_button.click()
        assert dialog.current.text() == dialog.new.text() == dialog.confirm.text() == ""  # emptied at once
        qtbot.waitUntil(lambda: not dialog.busy, timeout=10_000)
        return str(dialog.message.text())

    assert attempt(TEST_PASSWORD, "Quai-de-la-Deule-42", "Quai-de-la-Deule-24") == (
        "La confirmation ne correspond pas au nouveau mot de passe."
    )
    assert attempt("not the password", "Quai-de-la-Deule-42") == (
        "Mot de passe actuel refusé : Identifiant ou mot de passe incorrect."
    )
    assert (
        attempt(TEST_PASSWORD, "court-1A") == "Le nouveau mot de passe doit compter au moins 12 caractères."
    )
    assert not any(e.kind is AccountEventKind.PASSWORD_CHANGED for e in events)
    dialog.current.setText(TEST_PASSWORD)
    dialog.new.setText("Quai-de-la-Deule-42")
    dialog.confirm.setText("Quai-de-la-Deule-42")
    dialog.change_button.click()
    qtbot.waitUntil(lambda: keeper.password_dialog is None, timeout=10_000)
    assert dialog.changed
    assert [e.login for e in events if e.kind is AccountEventKind.PASSWORD_CHANGED] == ["nuit"]
    assert service.login("nuit", "Quai-de-la-Deule-42").login == "nuit"


def test_locking_closes_the_password_dialog(signed_console: SignedConsole, accounts: Any, qtbot: Any) -> None:
    service, _store, _events = accounts
    window = signed_console(service, service.login("nuit", TEST_PASSWORD))
    keeper = keeper_of(window)
    keeper.password_action.trigger()
    dialog = keeper.password_dialog
    assert dialog is not None
    keeper.lock_action.trigger()
    qtbot.waitUntil(lambda: keeper.password_dialog is None, timeout=3000)
    assert keeper.locked and not dialog.isVisible()
    keeper.password_action.trigger()  # disabled while locked: nothing opens
    assert keeper.password_dialog is None
    # Locked in the middle of a check: the dialog goes at once, the check ends unseen.
    keeper.lock_screen.unlock_requested.emit(TEST_PASSWORD)
    qtbot.waitUntil(lambda: not keeper.locked, timeout=10_000)
    keeper.password_action.trigger()
    dialog = keeper.password_dialog
    assert dialog is not None
    dialog.current.setText("not the password")
    dialog.new.setText("Quai-de-la-Deule-42")
    dialog.confirm.setText("Quai-de-la-Deule-42")
    dialog.change_button.click()
    assert dialog.busy
    keeper.lock_action.trigger()
    assert keeper.locked and not dialog.isVisible()
    qtbot.waitUntil(lambda: keeper.password_dialog is None, timeout=10_000)
    assert not dialog.changed


# --------------------------------------------------------------------------- shift handover


def test_shift_handover_without_closing_the_console(
    signed_console: SignedConsole, accounts: Any, qtbot: Any
) -> None:
    service, _store, events = accounts
    night = service.login("nuit", TEST_PASSWORD)
    window = signed_console(service, night)
    qtbot.waitUntil(lambda: live_tiles(window) == [1, 2, 6], timeout=3000)
    keeper = keeper_of(window)
    keeper.lock("operator", "test")
    keeper.lock_screen.handover_button.click()
    dialog = keeper.handover_dialog
    assert dialog is not None and dialog.windowTitle() == "Changer d'opérateur"
    dialog.login.setText("jour")
    dialog.password.setText(TEST_PASSWORD)
    dialog.submit()
    qtbot.waitUntil(lambda: keeper.session.login == "jour", timeout=5000)
    assert not keeper.locked and window.session.login == "jour"
    assert signed_console.sessions[-1].login == "jour"  # the back end (and the wall client) follow
    qtbot.waitUntil(lambda: live_tiles(window) == [1, 2, 6], timeout=3000)
    assert window.context.directory.user.login == "jour"
    assert window.wall_menu.menuAction().isEnabled()  # a chef de salle drives the wall
    logout = next(e for e in events if e.kind is AccountEventKind.LOGOUT)
    assert (logout.login, logout.session_id, logout.data["end"]) == ("nuit", night.id, "handover")
    assert events[-1].kind is AccountEventKind.LOGIN and events[-1].login == "jour"
    assert "Relève" in window.statusBar().currentMessage()


def test_a_refused_handover_keeps_the_outgoing_operator(
    signed_console: SignedConsole, accounts: Any, qtbot: Any
) -> None:
    service, _store, _events = accounts
    window = signed_console(service, service.login("nuit", TEST_PASSWORD))
    keeper = keeper_of(window)
    keeper.handover_action.trigger()
    dialog = keeper.handover_dialog
    assert dialog is not None
    dialog.login.setText("jour")
    dialog.password.setText("Mauvais-mot-2025")
    dialog.submit()
    qtbot.waitUntil(lambda: not dialog.busy, timeout=5000)
    assert dialog.message.text() == "Identifiant ou mot de passe incorrect."
    dialog.reject()
    qtbot.waitUntil(lambda: keeper.handover_dialog is None, timeout=2000)
    assert keeper.session.login == "nuit" and live_tiles(window) == [1, 2, 6]


def test_closing_the_console_records_the_end_of_the_session(
    signed_console: SignedConsole, accounts: Any, qtbot: Any
) -> None:
    service, _store, events = accounts
    window = signed_console(service, service.login("nuit", TEST_PASSWORD))
    window.close()
    logout = events[-1]
    assert (logout.kind, logout.login, logout.data["end"]) == (AccountEventKind.LOGOUT, "nuit", "closed")
    assert not any(t.name == "session-watcher" for t in threading.enumerate())


# --------------------------------------------------------------------------- agrément suspended


def test_suspending_the_agrement_stops_live_view_of_an_open_session(
    signed_console: SignedConsole, qtbot: Any, sqlite_database_url: str
) -> None:
    """The account lives in a real database; the suspension comes from another connection (another
    workstation, or `vmwall users suspend`); the console's watcher notices and stops every tile."""
    create_account(sqlite_database_url, "admin", Role.ADMINISTRATEUR)
    create_account(sqlite_database_url, "chef", Role.CHEF_DE_SALLE)
    console_db = open_database(sqlite_database_url)
    other_db = open_database(sqlite_database_url)
    try:
        console_accounts = AccountService(AccountRepository(console_db), params=FAST)
        window = signed_console(
            console_accounts, console_accounts.login("chef", TEST_PASSWORD), watch_interval_s=0.5
        )
        qtbot.waitUntil(lambda: live_tiles(window) == [1, 2, 6], timeout=3000)
        players = [player_of(signed_console.backend, window.grid.tile(i)) for i in range(3)]
        assert window.wall_menu.menuAction().isEnabled()
        elsewhere = AccountService(AccountRepository(other_db), params=FAST)
        started = time.monotonic()
        elsewhere.suspend_agrement(elsewhere.login("admin", TEST_PASSWORD), "chef", "enquête")
        qtbot.waitUntil(lambda: live_tiles(window) == [], timeout=10_000)
        elapsed = time.monotonic() - started
        assert elapsed < 5  # with the default 15 s interval: < 16 s, well within the minute
        assert all(p.calls[-1] == ("stop", None) for p in players)
        for index in range(3):
            tile = window.grid.tile(index)
            assert tile.message.headline == "non autorisé"
        keeper = keeper_of(window)
        assert keeper.session.problem is AccessProblem.AGREMENT_SUSPENDED
        assert Permission.LIVE_VIEW not in keeper.session.permissions
        box = keeper.last_notice
        assert box is not None and box.isVisible() and "agrément est suspendu" in box.text()
        assert "Le visionnage est arrêté" in box.text()
        assert not window.wall_menu.menuAction().isEnabled()
        box.close()
        # A new tile stays dark too.
        window.grid.assign(3, 7)
        qtbot.wait(100)
        assert live_tiles(window) == []
    finally:
        for window in signed_console.windows:
            with contextlib.suppress(Exception):
                window.close()
        console_db.close()
        other_db.close()


def test_sign_in_from_the_environment_takes_the_password_out_of_it(
    qapp: Any, accounts: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from vmwall.app import sign_in

    service, _store, _events = accounts
    monkeypatch.setenv("VMWALL_USER", "nuit")
    monkeypatch.setenv("VMWALL_PASSWORD", TEST_PASSWORD)
    bridge = Bridge(qapp)
    session = sign_in(bridge, service, None)
    assert session is not None and session.login == "nuit"
    assert "VMWALL_PASSWORD" not in os.environ  # the stream hub the console starts never inherits it
    monkeypatch.setenv("VMWALL_PASSWORD", "Mauvais-mot-2025")
    with pytest.raises(LoginRefusedError):
        sign_in(bridge, service, "jour")  # --user wins over $VMWALL_USER
    bridge.close()
    QApplication.processEvents()


def test_quitting_the_login_dialog_quits(qapp: Any, qtbot: Any, accounts: Any) -> None:
    from PySide6.QtCore import QTimer

    from vmwall.app import sign_in

    service, _store, _events = accounts
    bridge = Bridge(qapp)

    def press_quit() -> None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, LoginDialog) and widget.isVisible():
                widget.reject()

    QTimer.singleShot(300, press_quit)
    assert sign_in(bridge, service, None) is None
    bridge.close()
