"""The main courante in the console: the dock, its menu and shortcuts, the editors, the writes.

``JournalController`` sits between the journal service and the widgets:

- **install** gives the console window the dock (``JournalPanel``, with the bookmarks tab), the
  "Main courante" menu, the shortcuts (quick entry and bookmark on the selected tile), a status
  bar warning, and the audit of live views and snapshots (``LiveViewRecorder``);
- **searches** run on the bridge's workers; the newest answer wins;
- **writes** (entries, follow-ups, status, bookmarks) return a future at once; its outcome comes
  back to the GUI thread: saved in the database, or kept on this workstation while the database
  is away (shown "en attente d'envoi", the warning says how many);
- **live updates**: entries and bookmarks saved here or on another workstation arrive as Qt signals
  (``JournalEvents``) and update the lists when they match the filters;
- **drafts**: the editor's fields are saved while typing and offered back at the next start;
- **rights**: writing needs the journal right of the signed-in account; what is listed and
  offered stays within its communes (entries, communes, cameras, bookmarks).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLabel, QMenu, QMessageBox, QPushButton, QWidget

from vmwall.config.settings import Action
from vmwall.journal.drafts import Draft
from vmwall.journal.writer import WriteOutcome, WriterState
from vmwall.model import Commune, Permission
from vmwall.model.journal import (
    Category,
    EntryRevision,
    EntryStatus,
    FollowUp,
    FollowUpKind,
    JournalEntry,
    JournalPage,
    JournalQuery,
    MonthlyStats,
    utc_now,
)
from vmwall.store.repositories.journal import ConflictError
from vmwall.ui.bookmark_controller import BookmarkController
from vmwall.ui.bookmark_panel import BookmarkListWidget
from vmwall.ui.bridge import Bridge
from vmwall.ui.directory import Directory
from vmwall.ui.journal_audit import LiveViewRecorder
from vmwall.ui.journal_backend import JournalBackend
from vmwall.ui.journal_drafts import DraftKeeper
from vmwall.ui.journal_editor import EDIT_SLOT, NEW_SLOT, JournalEntryDialog
from vmwall.ui.journal_events import JournalEvents
from vmwall.ui.journal_history import EntryHistoryDialog
from vmwall.ui.journal_panel import JournalPanel
from vmwall.ui.journal_report import ShiftReportDialog
from vmwall.ui.journal_texts import follow_up_label, local_time
from vmwall.ui.stats_panel import MonthlyStatsDialog

if TYPE_CHECKING:
    from vmwall.ui.grid_window import GridHostWindow
    from vmwall.ui.main_window import ConsoleWindow
    from vmwall.ui.tile import TileWidget

log = logging.getLogger(__name__)


class JournalController(QObject):
    notice_posted = Signal(str)  # one line for the status bar

    def __init__(self, bridge: Bridge, service: JournalBackend, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.service = service
        self.events = JournalEvents(bridge, service, self)
        self.drafts = DraftKeeper(bridge, self._on_draft_failed, self)
        self.window: ConsoleWindow | None = None
        self.panel: JournalPanel | None = None
        self.bookmarks: BookmarkController | None = None
        self.recorder: LiveViewRecorder | None = None
        self.categories: list[Category] = []  # every category, retired ones included
        self.category_labels: dict[str, str] = {}
        self.commune_names: dict[int, str] = {}
        self.editor: JournalEntryDialog | None = None  # the new entry being typed
        self.edit_editor: JournalEntryDialog | None = None  # the entry being edited
        self.draft_box: QMessageBox | None = None  # "resume the draft?" after a crash
        self.history_dialog: EntryHistoryDialog | None = None
        self.report_dialog: ShiftReportDialog | None = None
        self.stats_dialog: MonthlyStatsDialog | None = None
        self.status_label: QLabel | None = None
        self.searches = 0  # search answers shown (tests wait on it)
        self._login: str | None = None
        self.locked = False
        self._scope_seen: frozenset[int] | None = None
        self._search_seq = 0
        self._pending_offers: dict[str, Draft] = {}  # slot -> draft offered back, not answered yet
        self._hidden_dialogs: list[QWidget] = []  # hidden while the console is locked
        self._closed = False

    # --- installing ---------------------------------------------------------------------------

    def install(self, window: ConsoleWindow) -> JournalPanel:
        """The dock (hidden until asked for), the "Main courante" menu, shortcuts, status bar."""
        self.window = window
        panel = JournalPanel(window)
        self.panel = panel
        window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, panel)
        panel.hide()
        listing = BookmarkListWidget(panel.tabs)
        panel.tabs.addTab(listing, self.tr("Signets"))
        self.bookmarks = BookmarkController(self, self.bridge, self.service, self.events, listing)

        menu = QMenu(self.tr("Main &courante"), window)
        menu.setObjectName("journalMenu")
        self.menu = menu
        toggle = panel.toggleViewAction()
        toggle.setText(self.tr("Panneau de la main courante"))
        toggle.setShortcuts(window.keymap.sequences(Action.JOURNAL_PANEL))
        toggle.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        window.addAction(toggle)
        self.toggle_action = toggle
        self.quick_action = window.make_action(
            self.tr("Nouvelle entrée sur la tuile sélectionnée"), Action.JOURNAL_ENTRY, self.quick_entry
        )
        self.bookmark_action = window.make_action(
            self.tr("Signet d'incident sur la tuile sélectionnée"), Action.BOOKMARK, self.bookmark_selected
        )
        self.new_action = QAction(self.tr("Nouvelle entrée"), window)
        self.new_action.triggered.connect(lambda: self.open_new_entry())
        report_action = window.make_action(self.tr("Rapport de poste…"), None, self.open_report)
        stats_action = window.make_action(self.tr("Statistiques mensuelles…"), None, self.open_stats)
        for action in (toggle, None, self.new_action, self.quick_action, self.bookmark_action, None):
            if action is None:
                menu.addSeparator()
            else:
                menu.addAction(action)
        menu.addAction(report_action)
        menu.addAction(stats_action)
        window.menuBar().addMenu(menu)
        panel.set_new_action(self.new_action)

        self.status_label = QLabel("", window)
        self.status_label.setObjectName("journalStatusLabel")
        self.status_label.hide()
        window.statusBar().addPermanentWidget(self.status_label)

        self.recorder = LiveViewRecorder(self.service.audit, window.all_grids, self.operator, self)
        self.recorder.watch(window.grid)
        self.recorder.start()
        window.snapshot_written.connect(self.recorder.snapshot)

        panel.query_changed.connect(self.search)
        panel.more_requested.connect(self.search_more)
        panel.edit_requested.connect(self.open_edit)
        panel.follow_up_requested.connect(self.add_follow_up)
        panel.status_requested.connect(self.set_status)
        panel.report_requested.connect(self.open_report)
        panel.stats_requested.connect(self.open_stats)
        self.notice_posted.connect(window.notify)
        self.events.entry_saved.connect(self._on_events_entry_saved)
        self.events.state_changed.connect(self._on_events_state_changed)
        self.events.write_refused.connect(self._on_events_write_refused)
        self.events.resync_needed.connect(self._on_events_resync_needed)
        self.events.categories_changed.connect(self.load_categories)
        self.events.attach()
        window.closed.connect(self.shutdown)
        self._show_state(self.service.state())
        self.apply_rights()
        self.load_categories()
        return panel

    def follow(self, host: GridHostWindow) -> None:
        """An extra grid window: the shortcuts work there too, its tiles' live views are recorded."""
        for action in (self.toggle_action, self.quick_action, self.bookmark_action):
            host.addAction(action)
        if self.recorder is not None:
            self.recorder.watch(host.grid)

    # --- who, and what they may do ------------------------------------------------------------

    def directory(self) -> Directory | None:
        return self.window.context.directory if self.window is not None else None

    def operator(self) -> str | None:
        """The signed-in account's login (None: nobody identified, the journal is read-only)."""
        window = self.window
        if window is None:
            return None
        if window.session is not None:
            return window.session.login
        directory = window.context.directory
        return directory.user.login if directory is not None and directory.user is not None else None

    def scope(self) -> frozenset[int] | None:
        """The account's communes (None: every commune)."""
        window = self.window
        if window is None:
            return None
        user = window.session.user if window.session is not None else None
        directory = window.context.directory
        if user is None and directory is not None:
            user = directory.user
        return user.communes if user is not None and user.communes else None

    def rights(self) -> frozenset[Permission] | None:
        directory = self.directory()
        if directory is not None:
            return directory.rights()
        window = self.window
        return window.session.permissions if window is not None and window.session is not None else None

    def write_refusal(self) -> str | None:
        """Why this console may not write in the journal now, or None."""
        if self.operator() is None:
            return self.tr("Aucun opérateur identifié : la main courante est en lecture seule.")
        if self.locked:
            return self.tr("La console est verrouillée.")
        rights = self.rights()
        if rights is not None and Permission.JOURNAL_WRITE not in rights:
            return self.tr("Votre compte n'a pas le droit d'écrire dans la main courante.")
        return None

    def visible_cameras(self) -> frozenset[int] | None:
        """Cameras of the account's catalogue when it has a commune scope (None: no restriction)."""
        directory = self.directory()
        if directory is None or self.scope() is None:
            return None
        return frozenset(directory.cameras)

    def camera_visible(self, camera: int) -> bool:
        directory = self.directory()
        return directory is not None and directory.camera(camera) is not None

    def camera_name(self, camera: int) -> str:
        directory = self.directory()
        found = directory.camera(camera) if directory is not None else None
        return found.name if found is not None else ""

    def visible_communes(self) -> list[Commune]:
        directory = self.directory()
        return directory.visible_communes() if directory is not None else []

    def apply_rights(self) -> None:
        refusal = self.write_refusal()
        if self.panel is not None:
            self.panel.set_write_allowed(refusal is None, refusal or "")
        if self.bookmarks is not None:
            self.bookmarks.listing.set_write_allowed(refusal is None, refusal or "")
            self.bookmarks.listing.visible_cameras = self.visible_cameras()

    def directory_loaded(self, directory: Directory) -> None:
        """The catalogue for the signed-in account: communes, scope, rights; a new operator's lists."""
        if self.panel is None or self._closed:
            return
        scope = self.scope()
        communes = directory.visible_communes()
        self.commune_names = {c.id: c.name for c in directory.communes.values() if c.id is not None}
        self.panel.scope = scope
        self.panel.set_communes(communes, allow_all=scope is None)
        self.panel.model.set_names(self.commune_names, self.category_labels)
        self.apply_rights()
        login = self.operator()
        if login != self._login:
            previous, self._login = self._login, login
            if previous is not None:
                self.close_editors()  # a shift handover: the previous operator's drafts stay theirs
            if self.bookmarks is not None:
                self.bookmarks.running.clear()
                if login is not None:
                    self.bookmarks.load_running(login)
            self._scope_seen = scope
            self.search()
            self.bookmarks_search()
            if login is not None:
                self.check_drafts(login)
        elif scope != self._scope_seen:
            self._scope_seen = scope
            self.search()
            self.bookmarks_search()

    def lock_changed(self, locked: bool) -> None:
        """A locked console shows nothing and takes no entry: its journal windows hide until unlocked."""
        self.locked = locked
        dialogs: list[QWidget | None] = [
            self.editor,
            self.edit_editor,
            self.report_dialog,
            self.stats_dialog,
            self.history_dialog,
        ]
        if self.bookmarks is not None:
            dialogs.append(self.bookmarks.dialog)
        if locked:
            self._hidden_dialogs = [d for d in dialogs if d is not None and d.isVisible()]
            for dialog in self._hidden_dialogs:
                dialog.hide()
        else:
            for dialog in self._hidden_dialogs:
                if shiboken6.isValid(dialog):
                    dialog.show()
            self._hidden_dialogs = []
        self.apply_rights()

    def session_changed(self, _session: object) -> None:
        """A handover, an unlock, rights re-read: the catalogue follows; rights apply at once."""
        self.apply_rights()
        if self.recorder is not None:
            self.recorder.sweep()

    # --- helpers for the parts ----------------------------------------------------------------

    def notify(self, text: str) -> None:
        if text:
            self.notice_posted.emit(text)

    def shortcut_text(self, action: str) -> str:
        return self.window.keymap.text(action) if self.window is not None else ""

    def queued_text(self) -> str:
        return self.tr("Base de données injoignable : gardé sur ce poste, enregistré à son retour.")

    def error_text(self, error: BaseException) -> str:
        if isinstance(error, ConflictError):
            return self.tr(
                "Quelqu'un l'a modifié entre-temps sur un autre poste : fermez et rouvrez pour repartir "
                "de la dernière version."
            )
        return self.tr("Refusé par la base de données : %1").replace("%1", str(error))

    def write(
        self,
        submit: Callable[[], Future[WriteOutcome]],
        on_done: Callable[[WriteOutcome], None],
        on_failed: Callable[[Exception], None],
        *,
        receiver: QObject | None = None,
    ) -> Future[WriteOutcome] | None:
        """Submit a write (returns at once); its outcome comes back to the GUI thread."""
        try:
            future = submit()
        except Exception as error:  # the journal is closed, or the write is malformed
            on_failed(error)
            return None
        bridge, target = self.bridge, receiver or self

        def finished(done: Future[WriteOutcome]) -> None:
            error = done.exception()
            if error is None:
                bridge.deliver(target, on_done, done.result())
            elif isinstance(error, Exception):
                bridge.deliver(target, on_failed, error)

        future.add_done_callback(finished)
        return future

    # --- categories ---------------------------------------------------------------------------

    def load_categories(self) -> None:
        service = self.service
        self.bridge.submit(
            "read the journal categories",
            lambda: service.categories(include_inactive=True),
            self._on_categories_loaded,
            receiver=self,
        )

    def _on_categories_loaded(self, categories: list[Category]) -> None:
        self.categories = sorted(categories, key=lambda c: (not c.active, c.position, c.label))
        self.category_labels = {c.code: c.label for c in categories}
        if self.panel is not None:
            self.panel.set_categories(self.categories)
            self.panel.model.set_names(self.commune_names, self.category_labels)
        for editor in (self.editor, self.edit_editor):
            if editor is not None:
                editor.set_categories(self.categories)

    # --- searching ----------------------------------------------------------------------------

    def search(self) -> None:
        """Run the panel's search (newest first) with the entries still queued on this workstation."""
        panel = self.panel
        if panel is None or self._closed:
            return
        query = panel.query()
        if query is None:
            return
        self._search_seq += 1
        seq = self._search_seq
        service = self.service

        def job() -> tuple[JournalPage, list[JournalEntry]]:
            return service.search(query), service.queued_entries()

        self.bridge.submit(
            "search the journal",
            job,
            lambda result: self._on_searched(seq, query, result, append=False),
            self._on_search_failed,
            receiver=self,
        )

    def search_more(self) -> None:
        panel = self.panel
        if panel is None or panel.last_query is None or panel.next_cursor is None:
            return
        query = replace(panel.last_query, after=panel.next_cursor)
        seq = self._search_seq
        service = self.service
        self.bridge.submit(
            "search older journal entries",
            lambda: (service.search(query), []),
            lambda result: self._on_searched(seq, query, result, append=True),
            self._on_search_failed,
            receiver=self,
        )

    def _on_searched(
        self,
        seq: int,
        query: JournalQuery,
        result: tuple[JournalPage, list[JournalEntry]],
        *,
        append: bool,
    ) -> None:
        if seq != self._search_seq or self.panel is None:
            return  # an older search: the filters changed since
        page, queued = result
        self.panel.show_results(
            replace(query, after=None), page.entries, page.next, queued=queued, append=append
        )
        self.searches += 1

    def _on_search_failed(self, error: Exception) -> None:
        log.warning("journal search failed: %s", error)
        if self.panel is not None:
            self.panel.count_label.setText(self.tr("Recherche impossible : %1").replace("%1", str(error)))

    def bookmarks_search(self) -> None:
        if self.bookmarks is not None and not self._closed:
            self.bookmarks.search()

    # --- live updates -------------------------------------------------------------------------

    def _on_events_entry_saved(self, entry: JournalEntry, local: bool) -> None:
        if self.panel is not None:
            self.panel.upsert(entry)
        editor = self.edit_editor
        if (
            not local
            and editor is not None
            and editor.base is not None
            and editor.base.uid == entry.uid
            and entry.revision > editor.base.revision
            and not editor.busy
        ):
            editor.message.setText(
                self.tr("Attention : %1 vient de modifier cette entrée sur un autre poste.").replace(
                    "%1", entry.edited_by or entry.operator
                )
            )

    def _on_events_state_changed(self, state: WriterState) -> None:
        self._show_state(state)

    def _show_state(self, state: WriterState) -> None:
        if self.panel is not None:
            self.panel.set_writer_state(state)
        label = self.status_label
        if label is None:
            return
        if not state.online:
            label.setText(
                self.tr("Main courante : base injoignable, %1 en attente").replace("%1", str(state.queued))
            )
            label.setStyleSheet("color: #f0503c; font-weight: bold;")
            label.setToolTip(self.panel.warning.text() if self.panel is not None else "")
            label.show()
        elif state.queued:
            label.setText(
                self.tr("Main courante : envoi de %1 écriture(s)…").replace("%1", str(state.queued))
            )
            label.setStyleSheet("color: #d9a22b;")
            label.show()
        else:
            label.hide()

    def _on_events_write_refused(self, what: str, reason: str) -> None:
        log.error("a queued journal write was refused when the database returned: %s: %s", what, reason)
        self.notify(
            self.tr("Une écriture gardée sur ce poste a été refusée par la base : %1").replace("%1", reason)
        )

    def _on_events_resync_needed(self) -> None:
        self.search()
        self.bookmarks_search()

    # --- new entries --------------------------------------------------------------------------

    def selected_tile(self) -> TileWidget | None:
        window = self.window
        if window is None:
            return None
        grid = window.active_grid()
        return grid.tile(grid.selected_index())

    def quick_entry(self) -> JournalEntryDialog | None:
        """The shortcut on the selected tile: a new entry with its camera, commune and the time now."""
        tile = self.selected_tile()
        return self.quick_entry_for(tile.camera if tile is not None else None)

    def quick_entry_for(self, camera: int | None) -> JournalEntryDialog | None:
        moment = utc_now()
        directory = self.directory()
        found = directory.camera(camera) if directory is not None and camera is not None else None
        cameras = (found.number,) if found is not None else ()
        return self.open_new_entry(at=moment, cameras=cameras, commune_id=found.commune_id if found else None)

    def open_new_entry(
        self,
        *,
        at: datetime | None = None,
        cameras: tuple[int, ...] = (),
        commune_id: int | None = None,
    ) -> JournalEntryDialog | None:
        refusal = self.write_refusal()
        operator = self.operator()
        if refusal is not None or operator is None or self.window is None:
            self.notify(refusal or "")
            return None
        if self.editor is None and NEW_SLOT in self._pending_offers:
            self._resume_draft(NEW_SLOT)  # never type over a draft not answered yet
        editor = self.editor
        if editor is None:
            editor = self._make_editor(operator, at=at)
            self.editor = editor
        editor.prefill(cameras=cameras, commune_id=commune_id)
        editor.show()
        editor.raise_()
        editor.activateWindow()
        editor.text.setFocus()
        return editor

    def _make_editor(
        self, operator: str, *, at: datetime | None = None, base: JournalEntry | None = None
    ) -> JournalEntryDialog:
        assert self.window is not None
        directory = self.directory()
        editor = JournalEntryDialog(
            self.window,
            operator=operator,
            workstation=self.service.workstation,
            communes=self.visible_communes(),
            categories=self.categories,
            allow_no_commune=self.scope() is None,
            visible_cameras=frozenset(directory.cameras) if directory is not None else None,
            base=base,
            at=at,
            category_labels=self.category_labels,
        )
        store = self.service.drafts(operator)
        slot = editor.slot
        editor.draft_changed.connect(lambda fields: self.drafts.save(store, operator, slot, fields))
        editor.discarded.connect(lambda: self.drafts.discard(store, operator, slot))
        editor.save_requested.connect(lambda entry: self._on_editor_save_requested(editor, entry))
        editor.history_requested.connect(self.show_history)
        editor.finished.connect(lambda _result: self._on_editor_finished(editor))
        return editor

    def _on_editor_finished(self, editor: JournalEntryDialog) -> None:
        if self.editor is editor:
            self.editor = None
        if self.edit_editor is editor:
            self.edit_editor = None

    def _on_editor_save_requested(self, editor: JournalEntryDialog, entry: JournalEntry) -> None:
        operator = editor.operator
        service = self.service
        refusal = self.write_refusal()
        if refusal is None and self.operator() != operator:
            refusal = self.tr("Un autre opérateur a pris la main.")
        if refusal is not None:
            editor.show_error(refusal)
            return

        def submit() -> Future[WriteOutcome]:
            if editor.base is None:
                return service.add_entry(entry)
            return service.edit_entry(entry, operator)

        self.write(
            submit,
            lambda outcome: self._on_entry_written(editor, entry, outcome),
            lambda error: editor.show_error(self.error_text(error)),
            receiver=editor,
        )

    def _on_entry_written(
        self, editor: JournalEntryDialog, entry: JournalEntry, outcome: WriteOutcome
    ) -> None:
        stored = outcome.value if isinstance(outcome.value, JournalEntry) else None
        if self.panel is not None:
            self.panel.upsert(stored or entry, queued=not outcome.saved)
        self.drafts.discard(self.service.drafts(editor.operator), editor.operator, editor.slot)
        editor.saved()
        if not outcome.saved:
            self.notify(self.tr("Entrée enregistrée sur ce poste.") + " " + self.queued_text())
        else:
            self.notify(self.tr("Entrée enregistrée dans la main courante."))

    # --- editing ------------------------------------------------------------------------------

    def open_edit(self, entry: JournalEntry) -> JournalEntryDialog | None:
        refusal = self.write_refusal()
        operator = self.operator()
        scope = self.scope()
        if refusal is None and scope is not None and entry.commune_id not in scope:
            refusal = self.tr("Cette entrée n'appartient pas aux communes de votre compte.")
        if refusal is not None or operator is None or self.window is None:
            self.notify(refusal or "")
            return None
        current = self.edit_editor
        if current is not None:
            if current.base is None or current.base.uid != entry.uid:
                self.notify(self.tr("Terminez d'abord la modification en cours."))
            current.raise_()
            current.activateWindow()
            return current
        if self.panel is not None and self.panel.model.is_queued(entry.uid):
            self.notify(self.tr("Cette entrée n'est pas encore dans la base de données."))
            return None
        editor = self._make_editor(operator, base=entry)
        self.edit_editor = editor
        editor.show()
        return editor

    def add_follow_up(self, entry: JournalEntry, kind: FollowUpKind) -> Future[WriteOutcome] | None:
        """Police requested / on site / gone, now: appended to the stored entry whatever its revision."""
        operator = self.operator()
        refusal = self.write_refusal()
        if refusal is not None or operator is None:
            self.notify(refusal or "")
            return None
        follow_up = FollowUp(kind, utc_now(), by=operator)
        service = self.service
        patched = replace(entry, follow_ups=(*entry.follow_ups, follow_up))
        return self.write(
            lambda: service.add_follow_up(entry.uid, follow_up, operator),
            lambda outcome: self._on_patched(patched, outcome, follow_up_label(kind)),
            lambda error: self.notify(self.error_text(error)),
        )

    def set_status(self, entry: JournalEntry, status: EntryStatus) -> Future[WriteOutcome] | None:
        operator = self.operator()
        refusal = self.write_refusal()
        if refusal is not None or operator is None:
            self.notify(refusal or "")
            return None
        service = self.service
        word = self.tr("Entrée close") if status is EntryStatus.CLOSED else self.tr("Entrée rouverte")
        return self.write(
            lambda: service.set_status(entry.uid, status, operator),
            lambda outcome: self._on_patched(replace(entry, status=status), outcome, word),
            lambda error: self.notify(self.error_text(error)),
        )

    def _on_patched(self, patched: JournalEntry, outcome: WriteOutcome, what: str) -> None:
        stored = outcome.value if isinstance(outcome.value, JournalEntry) else None
        if self.panel is not None:
            self.panel.upsert(stored or patched, queued=not outcome.saved)
        text = what + " — " + local_time(utc_now(), "%H:%M")
        self.notify(text if outcome.saved else f"{text}. {self.queued_text()}")

    def show_history(self, uid: str) -> None:
        service = self.service

        def job() -> tuple[JournalEntry | None, list[EntryRevision]]:
            return service.get_entry(uid), service.history(uid)

        self.bridge.submit("read an entry's history", job, self._on_history_loaded, receiver=self)

    def _on_history_loaded(self, result: tuple[JournalEntry | None, list[EntryRevision]]) -> None:
        if self.window is None:
            return
        current, revisions = result
        dialog = EntryHistoryDialog(self.window, current, revisions, self.commune_names, self.category_labels)
        self.history_dialog = dialog
        dialog.destroyed.connect(lambda _obj=None: self._forget_dialog(dialog))
        dialog.show()

    # --- drafts -------------------------------------------------------------------------------

    def check_drafts(self, login: str) -> None:
        """At start (and for the operator taking over): a draft left by a crash is offered back."""
        store = self.service.drafts(login)

        def job() -> list[Draft]:
            found = [store.pending_draft(slot=slot) for slot in (NEW_SLOT, EDIT_SLOT)]
            return [d for d in found if d is not None]

        self.bridge.submit(
            "look for journal drafts", job, lambda drafts: self._on_drafts_found(login, drafts), receiver=self
        )

    def _on_drafts_found(self, login: str, drafts: list[Draft]) -> None:
        if login != self.operator() or self.window is None:
            return
        for draft in drafts:
            if str(draft.fields.get("text", "")).strip() or draft.fields.get("category"):
                self._pending_offers[draft.slot] = draft
        self._offer_next_draft()

    def _offer_next_draft(self) -> None:
        if self.draft_box is not None or not self._pending_offers or self.window is None:
            return
        slot, draft = next(iter(self._pending_offers.items()))
        text = str(draft.fields.get("text", "")).strip()
        excerpt = text if len(text) <= 120 else text[:119] + "…"
        box = QMessageBox(self.window)
        box.setObjectName("journalDraftBox")
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle(self.tr("Main courante — brouillon retrouvé"))
        intro = (
            self.tr("Une entrée en cours de saisie le %1 n'a pas été enregistrée (arrêt de la console ?).")
            if slot == NEW_SLOT
            else self.tr(
                "Une modification d'entrée en cours le %1 n'a pas été enregistrée (arrêt de la console ?)."
            )
        )
        box.setText(intro.replace("%1", local_time(draft.saved_at, "%d/%m/%Y %H:%M:%S")))
        box.setInformativeText(self.tr("« %1 »\nLa reprendre ?").replace("%1", excerpt))
        resume = box.addButton(self.tr("Reprendre"), QMessageBox.ButtonRole.AcceptRole)
        resume.setObjectName("draftResume")
        drop = box.addButton(self.tr("Supprimer le brouillon"), QMessageBox.ButtonRole.DestructiveRole)
        drop.setObjectName("draftDiscard")
        box.setEscapeButton(resume)  # closing the box loses nothing
        box.setDefaultButton(resume)
        self.draft_box = box
        box.finished.connect(lambda _result: self._on_draft_box_finished(box, slot, resume, drop))
        box.open()

    def _on_draft_box_finished(
        self, box: QMessageBox, slot: str, resume: QPushButton, drop: QPushButton
    ) -> None:
        if self.draft_box is not box:
            return  # already answered (a new entry resumed it)
        self.draft_box = None
        box.deleteLater()
        if box.clickedButton() is drop:
            draft = self._pending_offers.pop(slot, None)
            login = self.operator()
            if draft is not None and login is not None:
                self.drafts.discard(self.service.drafts(login), login, slot)
        else:
            self._resume_draft(slot)
        self._offer_next_draft()

    def _resume_draft(self, slot: str) -> None:
        draft = self._pending_offers.pop(slot, None)
        box, self.draft_box = self.draft_box, None
        if box is not None:
            box.done(0)
            box.deleteLater()
        login = self.operator()
        if draft is None or login is None or self.window is None:
            return
        if slot == NEW_SLOT:
            at = _parse_time(draft.fields.get("at"))
            editor = self._make_editor(login, at=at)
            self.editor = editor
            editor.apply_fields(draft.fields)
            editor.show()
            editor.raise_()
            return
        uid = draft.fields.get("uid")
        if not isinstance(uid, str):
            return
        service = self.service
        self.bridge.submit(
            "read the entry of a draft",
            lambda: service.get_entry(uid),
            lambda entry: self._open_edit_draft(entry, draft),
            receiver=self,
        )

    def _open_edit_draft(self, entry: JournalEntry | None, draft: Draft) -> None:
        login = self.operator()
        if entry is None or login is None or self.window is None:
            self.notify(self.tr("L'entrée du brouillon n'existe plus dans la base."))
            return
        if self.edit_editor is not None:
            return
        editor = self._make_editor(login, base=entry)
        self.edit_editor = editor
        editor.apply_fields(draft.fields)
        revision = draft.fields.get("revision")
        if isinstance(revision, int) and revision != entry.revision:
            editor.message.setText(
                self.tr(
                    "L'entrée a été modifiée depuis ce brouillon (révision %1) : "
                    "vérifiez avant d'enregistrer."
                ).replace("%1", str(entry.revision))
            )
        editor.show()

    def _on_draft_failed(self, reason: str) -> None:
        self.notify(self.tr("Brouillon non sauvegardé : %1").replace("%1", reason))

    # --- documents ----------------------------------------------------------------------------

    def open_report(self) -> ShiftReportDialog | None:
        if self.window is None:
            return None
        if self.report_dialog is not None:
            self.report_dialog.raise_()
            return self.report_dialog
        service = self.service
        printed_by = self.operator() or "?"
        communes = self.scope()

        def make(start: datetime, end: datetime) -> str:
            return service.shift_report(start, end, printed_by=printed_by, communes=communes)

        session = self.window.session
        dialog = ShiftReportDialog(
            self.window, self.bridge, make, shift_start=session.started_at if session is not None else None
        )
        self.report_dialog = dialog
        dialog.destroyed.connect(lambda _obj=None: self._forget_dialog(dialog))
        dialog.show()
        dialog.generate()
        return dialog

    def open_stats(self) -> MonthlyStatsDialog | None:
        if self.window is None:
            return None
        if self.stats_dialog is not None:
            self.stats_dialog.raise_()
            return self.stats_dialog
        service = self.service
        scope = self.scope()

        outside = self.tr("cette commune n'appartient pas à votre compte")

        def load(commune_id: int | None, year: int, month: int) -> MonthlyStats:
            if scope is not None and commune_id not in scope:
                raise PermissionError(outside)
            return service.monthly_stats(commune_id=commune_id, year=year, month=month)

        dialog = MonthlyStatsDialog(
            self.window,
            self.bridge,
            load,
            self.visible_communes(),
            allow_all=scope is None,
            category_labels=self.category_labels,
        )
        self.stats_dialog = dialog
        dialog.destroyed.connect(lambda _obj=None: self._forget_dialog(dialog))
        dialog.show()
        dialog.refresh()
        return dialog

    def _forget_dialog(self, dialog: QWidget) -> None:
        """A dialog that deletes itself on close is gone: forget it."""
        for name in ("report_dialog", "stats_dialog", "history_dialog"):
            if getattr(self, name) is dialog:
                setattr(self, name, None)
        self._hidden_dialogs = [d for d in self._hidden_dialogs if d is not dialog]

    # --- the tile's menu and shortcut ---------------------------------------------------------

    def bookmark_selected(self) -> None:
        tile = self.selected_tile()
        if self.bookmarks is not None:
            self.bookmarks.toggle(tile.camera if tile is not None else None)

    def fill_tile_menu(self, tile: TileWidget, menu: QMenu) -> None:
        camera = tile.camera if tile.camera is not None and self.camera_visible(tile.camera) else None
        refusal = self.write_refusal()
        no_camera = self.tr("Pas de caméra dans cette tuile.")
        menu.addSeparator()
        # The window's shortcuts, shown after a tab (not registered twice: no ambiguous key).
        entry = menu.addAction(
            _with_keys(self.tr("Main courante : nouvelle entrée…"), self.shortcut_text(Action.JOURNAL_ENTRY))
        )
        entry.setEnabled(refusal is None and camera is not None)
        entry.setToolTip(refusal or ("" if camera is not None else no_camera))
        entry.triggered.connect(lambda: self.quick_entry_for(camera))
        running = self.bookmarks.running_on(camera) if self.bookmarks is not None else None
        mark = menu.addAction(
            _with_keys(
                self.tr("Terminer le signet en cours")
                if running is not None
                else self.tr("Signet d'incident"),
                self.shortcut_text(Action.BOOKMARK),
            )
        )
        mark.setEnabled(refusal is None and camera is not None)
        mark.setToolTip(refusal or ("" if camera is not None else no_camera))
        mark.triggered.connect(lambda: self.bookmarks.toggle(camera) if self.bookmarks is not None else None)
        listed = menu.addAction(self.tr("Signets de cette caméra…"))
        listed.setEnabled(camera is not None)
        listed.triggered.connect(lambda: self.show_camera_bookmarks(camera))

    def show_camera_bookmarks(self, camera: int | None) -> None:
        if camera is None or self.panel is None or self.bookmarks is None:
            return
        self.panel.show()
        self.panel.raise_()
        self.panel.tabs.setCurrentWidget(self.bookmarks.listing)
        self.bookmarks.show_camera(camera)

    # --- closing ------------------------------------------------------------------------------

    def close_editors(self) -> None:
        """Close the editors, their drafts kept for their operator (handover, console closing)."""
        for editor in (self.editor, self.edit_editor):
            if editor is None:
                continue
            fields = editor.flush_draft()
            if fields is not None:
                self.drafts.save(self.service.drafts(editor.operator), editor.operator, editor.slot, fields)
            editor.close_keeping_draft()
        self.editor = self.edit_editor = None
        self._pending_offers.clear()
        if self.draft_box is not None:
            box, self.draft_box = self.draft_box, None
            box.done(0)
            box.deleteLater()

    def shutdown(self) -> None:
        """The console closes: record the end of the live views, keep the drafts. Idempotent."""
        if self._closed:
            return
        self._closed = True
        self.close_editors()
        self.drafts.flush_now()  # the bridge is closed by now: the last fields are written here
        if self.recorder is not None:
            self.recorder.close()
        self.events.detach()


def _with_keys(text: str, keys: str) -> str:
    return f"{text}\t{keys}" if keys else text


def _parse_time(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None
