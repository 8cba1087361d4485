"""The signed-in operator of a console: rights on screen, lock after inactivity, shift handover, and
the re-check that ends live view when the account's agrément is suspended.

``ConsoleSession`` attaches to a ``ConsoleWindow``:

- every catalogue the window loads is narrowed to the session (``Directory.for_session``): its
  commune scope and its rights now; a locked console has no rights at all, so every tile stops;
- after ``lock_after_s`` without keyboard or mouse input, or on "Verrouiller" (Ctrl+L), the console
  locks: the tree, the grids and the docks are hidden, the players stopped, the actions disabled,
  and the lock screen asks the operator's password (or "Changer d'opérateur…");
- "Changer d'opérateur…" asks the next operator's login and password; the outgoing session ends
  (recorded) and the console reloads its catalogue and views for the new one, without closing;
- a ``SessionWatcher`` thread re-reads the account every ``watch_interval_s`` (≤ 30 s): when its
  rights shrink (agrément suspended, account deactivated), the tiles stop and the operator is told.

All account calls run on the bridge's workers; their results come back in the GUI thread.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

import shiboken6
from PySide6.QtCore import QEvent, QObject, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDockWidget, QLabel, QMenu, QMessageBox, QWidget

from vmwall.accounts import AccessProblem, Session, SessionEnd, SessionWatcher
from vmwall.accounts.policy import ACCOUNT_PROBLEMS
from vmwall.accounts.watcher import DEFAULT_INTERVAL_S
from vmwall.model.user import Permission
from vmwall.ui.directory import Directory
from vmwall.ui.lock_screen import DEFAULT_LOCK_AFTER_S, InactivityMonitor, LockScreenWidget
from vmwall.ui.login_dialog import LoginDialog, refusal_text
from vmwall.ui.password_dialog import PasswordDialog

if TYPE_CHECKING:
    from vmwall.ui.main_window import ConsoleWindow

log = logging.getLogger(__name__)

LOGOUT_TIMEOUT_S = 5.0


class SessionServices(Protocol):
    """What the console needs from the account service (``vmwall.accounts.AccountService``). Every
    method blocks: the console calls them on workers."""

    def handover(self, outgoing: Session, login: str, password: str) -> Session: ...

    def unlock(self, session: Session, password: str) -> Session: ...

    def lock(self, session: Session, why: str = ...) -> None: ...

    def logout(self, session: Session, end: SessionEnd = ..., detail: str = ...) -> None: ...

    def refresh(self, session: Session) -> Session: ...

    def change_own_password(self, session: Session, current: str, new: str) -> None: ...


class ConsoleSession(QObject):
    session_changed = Signal(object)  # Session: a handover, an unlock, rights changed
    lock_changed = Signal(bool)

    def __init__(
        self,
        window: ConsoleWindow,
        accounts: SessionServices,
        session: Session,
        *,
        lock_after_s: float = DEFAULT_LOCK_AFTER_S,
        watch_interval_s: float = DEFAULT_INTERVAL_S,
        on_session: Callable[[Session], None] | None = None,
    ) -> None:
        super().__init__(window)
        self.window = window
        self.accounts = accounts
        self.session = session
        self.locked = False
        self.last_notice: QMessageBox | None = None
        self.handover_dialog: LoginDialog | None = None
        self._on_session = on_session
        self._ended = False
        self._disabled_actions: list[QAction] = []
        self._hidden: list[QWidget] = []

        window.session = session
        window.restrict_directory = self.restrict
        self.lock_screen = LockScreenWidget(window)
        self.lock_screen.hide()
        self.lock_screen.unlock_requested.connect(self._on_lock_screen_unlock_requested)
        self.lock_screen.handover_requested.connect(self.start_handover)
        window.installEventFilter(self)

        menu = window.menuBar().addMenu(self.tr("&Session"))
        self.menu = menu
        self.lock_action = QAction(self.tr("Verrouiller la console"), window)
        self.lock_action.setShortcut(QKeySequence("Ctrl+L"))
        self.lock_action.triggered.connect(
            lambda: self.lock("operator", self.tr("verrouillée par l'opérateur"))
        )
        self.handover_action = QAction(self.tr("Changer d'opérateur…"), window)
        self.handover_action.triggered.connect(self.start_handover)
        self.password_action = QAction(self.tr("Changer mon mot de passe…"), window)
        self.password_action.triggered.connect(self.start_password_change)
        self.password_dialog: PasswordDialog | None = None
        for action in (self.lock_action, self.handover_action, self.password_action):
            menu.addAction(action)
            window.addAction(action)
        self.operator_label = QLabel("", window)
        self.operator_label.setObjectName("operatorLabel")
        window.statusBar().addPermanentWidget(self.operator_label)

        self.inactivity = InactivityMonitor(lock_after_s, self)
        self.inactivity.went_idle.connect(self._on_inactivity_went_idle)
        bridge = window.bridge
        self.watcher = SessionWatcher(
            accounts.refresh,
            lambda: self.session,
            lambda fresh: bridge.deliver(self, self._on_watcher_changed, fresh),
            interval_s=watch_interval_s,
        )
        window.closed.connect(self.end)
        self._show_operator()
        self.apply_rights()

    def start(self) -> None:
        self.inactivity.start()
        self.watcher.start()

    # --- rights -------------------------------------------------------------------------------

    def restrict(self, directory: Directory) -> Directory | None:
        """The catalogue as this session may see it now; None when it was built for another operator."""
        user = directory.user
        if user is not None and user.login != self.session.login:
            return None
        permissions = frozenset() if self.locked else self.session.permissions
        return directory.for_session(self.session.user, permissions)

    def apply_rights(self) -> None:
        """Narrow the catalogue in use and refresh every tile (players stop where rights went)."""
        window = self.window
        current = window.context.directory
        if current is not None:
            restricted = self.restrict(current)
            if restricted is None:
                window.context.directory = None
                window.load_directory()
            else:
                window.context.directory = restricted
        window.refresh_all_tiles()
        self._apply_menu_rights()

    def _apply_menu_rights(self) -> None:
        """Menus of the rights the session lacks are disabled and say why; the PTZ control learns the
        account and its rights (a handover restarts its service for the new operator)."""
        window = self.window
        gates: list[tuple[QMenu | None, Permission]] = [(window.wall_menu, Permission.WALL)]
        if window.ptz is not None:
            if window.context.directory is not None:
                window.ptz.directory_loaded(window.context.directory)
            gates.append((window.ptz.menu, Permission.PTZ))
        missing: list[str] = []
        for menu, permission in gates:
            allowed = permission in self.session.permissions
            if not allowed:
                missing.append(self.missing_right_text(permission))
            if menu is not None:
                action = menu.menuAction()
                action.setEnabled(allowed and not self.locked)
                reason = "" if allowed else self.missing_right_text(permission)
                action.setToolTip(reason)
                action.setStatusTip(reason)
        self.operator_label.setToolTip("\n".join(missing))

    def missing_right_text(self, permission: Permission) -> str:
        if self.session.problem is not None and permission in self.session.user.permissions:
            return self.problem_text(self.session.problem)
        names = {
            Permission.WALL: self.tr("Votre compte n'a pas le droit de piloter le mur d'images."),
            Permission.PTZ: self.tr("Votre compte n'a pas le droit de piloter les caméras (PTZ)."),
            Permission.LIVE_VIEW: self.tr("Votre compte n'a pas le droit de visionnage en direct."),
            Permission.JOURNAL_WRITE: self.tr(
                "Votre compte n'a pas le droit d'écrire dans la main courante."
            ),
        }
        return names.get(
            permission, self.tr("Votre compte n'a pas ce droit (%1).").replace("%1", permission.value)
        )

    def problem_text(self, problem: AccessProblem) -> str:
        return {
            AccessProblem.AGREMENT_SUSPENDED: self.tr("Votre agrément est suspendu."),
            AccessProblem.AGREMENT_EXPIRED: self.tr("Votre agrément a expiré."),
            AccessProblem.AGREMENT_MISSING: self.tr("Aucun agrément n'est enregistré pour votre compte."),
            AccessProblem.TRAINING_MISSING: self.tr("Votre formation n'est pas enregistrée."),
            AccessProblem.CHARTER_MISSING: self.tr("La charte d'utilisation n'est pas signée."),
            AccessProblem.INACTIVE: self.tr("Votre compte a été désactivé."),
            AccessProblem.EXPIRED: self.tr("Votre compte a expiré."),
            AccessProblem.NOT_YET_VALID: self.tr("Votre compte n'est pas encore valide."),
            AccessProblem.NO_COMMUNE_SCOPE: self.tr("Votre compte n'a aucune commune."),
        }[problem]

    def _show_operator(self) -> None:
        text = self.tr("Opérateur : %1").replace("%1", self.session.label)
        if self.session.problem is not None:
            text += " — " + self.problem_text(self.session.problem)
        self.operator_label.setText(text)

    # --- lock ---------------------------------------------------------------------------------

    def lock(self, why: str = "operator", message: str = "") -> None:
        """Hide every image and every control until the password (or a handover). ``why`` goes to the
        audit trail (``operator``, ``inactivity``), ``message`` to the lock screen."""
        if self.locked or self._ended:
            return
        self.locked = True
        window = self.window
        session = self.session
        window.bridge.submit("record the lock", lambda: self.accounts.lock(session, why))
        if self.password_dialog is not None:  # a locked console shows nothing of its operator's
            self.password_dialog.abandon()
        self._hidden = [w for w in (window.splitter, *window.grid_windows) if w.isVisible()]
        self._hidden += [d for d in window.findChildren(QDockWidget) if d.isVisible()]
        for widget in self._hidden:
            widget.hide()
        self._disabled_actions = [a for a in window.findChildren(QAction) if a.isEnabled()]
        for action in self._disabled_actions:
            if action is not self.handover_action:
                action.setEnabled(False)
        window.menuBar().setEnabled(False)
        self.apply_rights()
        self._place_lock_screen()
        self.lock_screen.show_for(self.session.label, message)
        self.lock_screen.show()
        self.lock_screen.raise_()
        self.lock_changed.emit(True)

    def _unlocked(self) -> None:
        if not self.locked:
            return
        self.locked = False
        window = self.window
        self.lock_screen.hide()
        window.menuBar().setEnabled(True)
        for action in self._disabled_actions:
            if shiboken6.isValid(action):  # menus rebuilt meanwhile (views, layouts) deleted theirs
                action.setEnabled(True)
        self._disabled_actions = []
        for widget in self._hidden:
            if shiboken6.isValid(widget):
                widget.show()
        self._hidden = []
        self.inactivity.touch()
        self.apply_rights()
        window.grid.setFocus()
        self.lock_changed.emit(False)

    def _place_lock_screen(self) -> None:
        central = self.window.centralWidget()
        if central is not None:
            self.lock_screen.setGeometry(central.geometry())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt)
        if watched is self.window and event.type() == QEvent.Type.Resize and self.locked:
            self._place_lock_screen()
        return False

    def _on_inactivity_went_idle(self) -> None:
        minutes = max(1, round(self.inactivity.timeout_s / 60))
        self.lock("inactivity", self.tr("verrouillée après %1 min sans activité").replace("%1", str(minutes)))

    def _on_lock_screen_unlock_requested(self, password: str) -> None:
        session = self.session
        accounts = self.accounts
        future = self.window.bridge.submit(
            "unlock the console",
            lambda: accounts.unlock(session, password),
            self._on_unlocked,
            self._on_unlock_refused,
            receiver=self,
        )
        if future is None:
            self.lock_screen.set_busy(False)

    def _on_unlocked(self, session: Session) -> None:
        self._set_session(session)
        self._unlocked()

    def _on_unlock_refused(self, error: Exception) -> None:
        self.lock_screen.set_busy(False)
        text = refusal_text(error)
        if self.session.problem is not None or getattr(error, "problem", None):
            text += " " + self.tr("Passez la main à un autre opérateur.")
        self.lock_screen.message.setText(text)

    # --- handover -----------------------------------------------------------------------------

    def start_handover(self) -> None:
        """Ask the next operator's login and password; the console goes on under their account."""
        if self.handover_dialog is not None or self._ended:
            return
        outgoing = self.session
        accounts = self.accounts
        dialog = LoginDialog(
            self.window,
            self.window.bridge,
            lambda login, password: accounts.handover(outgoing, login, password),
            outgoing=outgoing,
        )
        self.handover_dialog = dialog
        dialog.finished.connect(lambda _result: self._on_handover_dialog_finished(dialog))
        dialog.open()

    def start_password_change(self) -> None:
        """The signed-in operator changes their own password (current one first)."""
        if self.password_dialog is not None or self._ended or self.locked:
            return
        session = self.session
        accounts = self.accounts
        dialog = PasswordDialog(
            self.window,
            self.window.bridge,
            lambda current, new: accounts.change_own_password(session, current, new),
            session.label,
        )
        self.password_dialog = dialog
        dialog.finished.connect(lambda _result: self._on_password_dialog_finished(dialog))
        dialog.open()

    def _on_password_dialog_finished(self, dialog: PasswordDialog) -> None:
        self.password_dialog = None
        dialog.deleteLater()
        if dialog.changed:
            self.window.notify(self.tr("Votre mot de passe a été changé."))

    def _on_handover_dialog_finished(self, dialog: LoginDialog) -> None:
        self.handover_dialog = None
        dialog.deleteLater()
        if dialog.session is not None:
            self.switch_to(dialog.session)

    def switch_to(self, session: Session) -> None:
        """The console goes on under ``session`` (the previous one has been ended by the service)."""
        window = self.window
        self._set_session(session)
        # Nothing of the previous operator's catalogue stays on screen: tiles wait for the new one.
        window.context.directory = None
        window.refresh_all_tiles()
        window.load_directory()
        self._unlocked()
        self._apply_menu_rights()
        window.notify(self.tr("Relève : %1 a pris la main.").replace("%1", session.label))

    def _set_session(self, session: Session) -> None:
        self.session = session
        self.window.session = session
        if self._on_session is not None:
            self._on_session(session)
        self._show_operator()
        self.session_changed.emit(session)

    # --- rights re-checked ---------------------------------------------------------------------

    def _on_watcher_changed(self, fresh: Session) -> None:
        if fresh.id != self.session.id or self._ended:
            return  # a refresh of a session that has been handed over since
        before = self.session
        self._set_session(fresh)
        if fresh.communes != before.communes:
            self.window.context.directory = None  # the scope changed: a new catalogue
            self.window.load_directory()
        self.apply_rights()
        lost = before.permissions - fresh.permissions
        if not lost:
            if fresh.permissions != before.permissions:
                self.window.notify(self.tr("Vos droits ont été rétablis."))
            return
        if fresh.problem is not None:
            reason = self.problem_text(fresh.problem)
        else:
            reason = self.tr("Vos droits ont changé.")
        if Permission.LIVE_VIEW in lost:
            consequence = self.tr("Le visionnage est arrêté sur cette console.")
        else:
            consequence = self.tr("Certaines fonctions ne sont plus disponibles.")
        advice = self.tr("Passez la main à un autre opérateur (Session › Changer d'opérateur).")
        if fresh.problem in ACCOUNT_PROBLEMS:
            advice = self.tr("Fermez la session ou passez la main (Session › Changer d'opérateur).")
        log.warning("rights of %s reduced: %s", fresh.login, ", ".join(sorted(p.value for p in lost)))
        self.window.notify(f"{reason} {consequence}")
        box = QMessageBox(
            QMessageBox.Icon.Warning, self.tr("Droits retirés"), f"{reason}\n{consequence}\n{advice}"
        )
        box.setParent(self.window, box.windowFlags())
        box.setObjectName("rightsWithdrawnBox")
        box.open()
        self.last_notice = box

    # --- end ----------------------------------------------------------------------------------

    def end(self) -> None:
        """The console closes: stop watching, record the end of the session. Idempotent."""
        if self._ended:
            return
        self._ended = True
        self.inactivity.stop()
        self.watcher.close()
        session, accounts = self.session, self.accounts

        def logout() -> None:
            try:
                accounts.logout(session, SessionEnd.CLOSED)
            except Exception as error:
                log.warning("could not record the end of %s's session: %s", session.login, error)

        thread = threading.Thread(target=logout, name="session-logout", daemon=True)
        thread.start()
        thread.join(LOGOUT_TIMEOUT_S)
