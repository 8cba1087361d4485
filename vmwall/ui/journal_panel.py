"""The main courante dock: filters, the list of entries, the "not yet in the database" warning.

The panel shows and asks; it never talks to the service. ``JournalController`` runs the searches
(on workers) and the writes, and feeds the panel: `show_results` for a search, `upsert` for an
entry saved here or on another workstation, `set_writer_state` for the warning. Filter changes
are debounced and announced with ``query_changed``; `query` builds the search from the filters
and the account's commune scope.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from PySide6.QtCore import QItemSelection, QModelIndex, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QIntValidator
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateTimeEdit,
    QDockWidget,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QTableView,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from vmwall.journal.writer import WriterState
from vmwall.model import Commune
from vmwall.model.journal import (
    MAX_PLACE_LENGTH,
    Category,
    EntryStatus,
    FollowUpKind,
    JournalEntry,
    JournalQuery,
    PageCursor,
    utc_now,
)
from vmwall.ui.journal_editor import from_qdatetime, to_qdatetime
from vmwall.ui.journal_filters import Period, entry_matches, period_start
from vmwall.ui.journal_model import ENTRY_ROLE, JournalTableModel
from vmwall.ui.journal_texts import follow_up_label, local_time

PAGE_SIZE = 100
FILTER_DELAY_MS = 300


class JournalPanel(QDockWidget):
    query_changed = Signal()  # the filters changed: search again (`query`)
    more_requested = Signal()  # the next (older) page
    edit_requested = Signal(object)  # JournalEntry
    follow_up_requested = Signal(object, object)  # (JournalEntry, FollowUpKind): now
    status_requested = Signal(object, object)  # (JournalEntry, EntryStatus)
    report_requested = Signal()
    stats_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Main courante"), parent)
        self.setObjectName("journalPanel")
        self.scope: frozenset[int] | None = None  # the account's communes (None: every commune)
        self.next_cursor: PageCursor | None = None
        self.last_query: JournalQuery | None = None
        self.write_allowed = False
        self._write_refusal = ""
        body = QWidget(self)

        self.warning = QLabel("", body)
        self.warning.setObjectName("journalQueueWarning")
        self.warning.setWordWrap(True)
        self.warning.hide()

        self.tabs = QTabWidget(body)
        self.tabs.setObjectName("journalTabs")
        entries_tab = QWidget(self.tabs)
        self.tabs.addTab(entries_tab, self.tr("Entrées"))

        # filters
        self.period = QComboBox(entries_tab)
        self.period.setObjectName("journalPeriod")
        for label, period in (
            (self.tr("Dernières 24 h"), Period.DAY),
            (self.tr("7 derniers jours"), Period.WEEK),
            (self.tr("30 derniers jours"), Period.MONTH),
            (self.tr("Tout"), Period.ALL),
            (self.tr("Période choisie"), Period.CHOSEN),
        ):
            self.period.addItem(label, period.value)
        self.since = QDateTimeEdit(entries_tab)
        self.until = QDateTimeEdit(entries_tab)
        now = utc_now()
        for edit, value in ((self.since, now - timedelta(hours=12)), (self.until, now + timedelta(hours=1))):
            edit.setDisplayFormat("dd/MM/yyyy HH:mm")
            edit.setCalendarPopup(True)
            edit.setDateTime(to_qdatetime(value))
            edit.hide()
        self.commune = QComboBox(entries_tab)
        self.commune.setObjectName("journalCommune")
        self.category = QComboBox(entries_tab)
        self.category.setObjectName("journalCategory")
        self.camera = QLineEdit(entries_tab)
        self.camera.setObjectName("journalCamera")
        self.camera.setValidator(QIntValidator(1, 999_999, self.camera))
        self.camera.setPlaceholderText(self.tr("Caméra"))
        self.camera.setMaximumWidth(90)
        self.text = QLineEdit(entries_tab)
        self.text.setObjectName("journalText")
        self.text.setMaxLength(MAX_PLACE_LENGTH)
        self.text.setClearButtonEnabled(True)
        self.text.setPlaceholderText(self.tr("Rechercher dans le texte et le lieu"))
        self.status = QComboBox(entries_tab)
        self.status.setObjectName("journalStatus")
        self.status.addItem(self.tr("Tous les états"), None)
        for status, label in ((EntryStatus.OPEN, self.tr("En cours")), (EntryStatus.CLOSED, self.tr("Clos"))):
            self.status.addItem(label, status.value)
        self.set_communes([], allow_all=True)
        self.set_categories([])

        first = QHBoxLayout()
        for widget in (self.period, self.since, self.until):
            first.addWidget(widget)
        first.addWidget(self.commune, 1)
        first.addWidget(self.category, 1)
        first.addWidget(self.camera)
        first.addWidget(self.status)
        second = QHBoxLayout()
        second.addWidget(self.text, 1)

        # the list
        self.model = JournalTableModel(self)
        self.table = QTableView(entries_tab)
        self.table.setObjectName("journalTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        header.setSectionResizeMode(self.model.COLUMNS.index("text"), QHeaderView.ResizeMode.Stretch)
        self.table.doubleClicked.connect(self._on_table_double_clicked)
        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._on_table_context_menu)

        # actions on the selected entry
        self.new_button = QToolButton(entries_tab)
        self.new_button.setObjectName("journalNew")
        self.new_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.edit_button = QPushButton(self.tr("Modifier…"), entries_tab)
        self.edit_button.setObjectName("journalEdit")
        self.edit_button.clicked.connect(self._on_edit_clicked)
        self.follow_button = QToolButton(entries_tab)
        self.follow_button.setObjectName("journalFollowUp")
        self.follow_button.setText(self.tr("Suites"))
        self.follow_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.follow_menu = QMenu(self.follow_button)
        self.follow_actions: dict[FollowUpKind, QAction] = {}
        for kind in FollowUpKind:
            action = self.follow_menu.addAction(self.tr("%1 maintenant").replace("%1", follow_up_label(kind)))
            action.triggered.connect(lambda _checked=False, k=kind: self._on_follow_up_chosen(k))
            self.follow_actions[kind] = action
        self.follow_button.setMenu(self.follow_menu)
        self.close_button = QPushButton(self.tr("Clore"), entries_tab)
        self.close_button.setObjectName("journalClose")
        self.close_button.clicked.connect(self._on_close_clicked)
        self.more_button = QPushButton(self.tr("Plus anciennes…"), entries_tab)
        self.more_button.setObjectName("journalMore")
        self.more_button.clicked.connect(self.more_requested)
        self.more_button.setEnabled(False)
        self.count_label = QLabel("", entries_tab)
        self.count_label.setObjectName("journalCount")
        buttons = QHBoxLayout()
        for button in (self.new_button, self.edit_button, self.follow_button, self.close_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.count_label)
        buttons.addWidget(self.more_button)

        report_button = QPushButton(self.tr("Rapport de poste…"), entries_tab)
        report_button.setObjectName("journalReport")
        report_button.clicked.connect(self.report_requested)
        stats_button = QPushButton(self.tr("Statistiques…"), entries_tab)
        stats_button.setObjectName("journalStats")
        stats_button.clicked.connect(self.stats_requested)
        documents = QHBoxLayout()
        documents.addStretch(1)
        documents.addWidget(report_button)
        documents.addWidget(stats_button)

        entries_layout = QVBoxLayout(entries_tab)
        for row in (first, second):
            entries_layout.addLayout(row)
        entries_layout.addWidget(self.table, 1)
        entries_layout.addLayout(buttons)
        entries_layout.addLayout(documents)

        layout = QVBoxLayout(body)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.warning)
        layout.addWidget(self.tabs, 1)
        self.setWidget(body)

        self._filter_timer = QTimer(self)
        self._filter_timer.setSingleShot(True)
        self._filter_timer.setInterval(FILTER_DELAY_MS)
        self._filter_timer.timeout.connect(self.query_changed)
        for signal in (
            self.period.currentIndexChanged,
            self.commune.currentIndexChanged,
            self.category.currentIndexChanged,
            self.status.currentIndexChanged,
        ):
            signal.connect(self._on_filters_changed)
        self.camera.textChanged.connect(self._on_filters_changed)
        self.text.textChanged.connect(self._on_filters_changed)
        self.since.dateTimeChanged.connect(self._on_filters_changed)
        self.until.dateTimeChanged.connect(self._on_filters_changed)
        self._update_buttons()

    # --- what the controller gives ------------------------------------------------------------

    def set_new_action(self, action: QAction) -> None:
        self.new_button.setDefaultAction(action)

    def set_communes(self, communes: Sequence[Commune], *, allow_all: bool) -> None:
        """The communes the account may see; ``allow_all`` False: a scoped account."""
        current = self.commune.currentData()
        self.commune.blockSignals(True)
        self.commune.clear()
        self.commune.addItem(
            self.tr("Toutes les communes") if allow_all else self.tr("Toutes mes communes"), None
        )
        for commune in communes:
            self.commune.addItem(commune.name, commune.id)
        index = self.commune.findData(current)
        self.commune.setCurrentIndex(max(0, index))
        self.commune.blockSignals(False)

    def set_categories(self, categories: Sequence[Category]) -> None:
        current = self.category.currentData()
        self.category.blockSignals(True)
        self.category.clear()
        self.category.addItem(self.tr("Toutes les catégories"), None)
        for category in categories:
            label = (
                category.label if category.active else self.tr("%1 (ancienne)").replace("%1", category.label)
            )
            self.category.addItem(label, category.code)
        self.category.setCurrentIndex(max(0, self.category.findData(current)))
        self.category.blockSignals(False)

    def set_write_allowed(self, allowed: bool, reason: str = "") -> None:
        self.write_allowed = allowed
        self._write_refusal = reason
        self._update_buttons()

    def set_writer_state(self, state: WriterState) -> None:
        """The warning: the database is away and writes wait on this workstation (or were refused)."""
        parts: list[str] = []
        colour = "#f0503c"
        if not state.online:
            since = local_time(state.since, "%H:%M") if state.since else ""
            head = (
                self.tr("Base de données injoignable depuis %1").replace("%1", since)
                if since
                else self.tr("Base de données injoignable")
            )
            if state.queued:
                parts.append(
                    head
                    + self.tr(
                        " : %1 écriture(s) gardée(s) sur ce poste, enregistrée(s) dans l'ordre à son retour."
                    ).replace("%1", str(state.queued))
                )
            else:
                parts.append(head + self.tr(" : les nouvelles entrées seront gardées sur ce poste."))
        elif state.queued:
            colour = "#d9a22b"
            parts.append(self.tr("Envoi de %1 écriture(s) en attente…").replace("%1", str(state.queued)))
        if state.refused:
            parts.append(
                self.tr(
                    "%1 écriture(s) refusée(s) par la base de données (voir le journal du poste)."
                ).replace("%1", str(state.refused))
            )
        self.warning.setText("⚠ " + "\n".join(parts) if parts else "")
        self.warning.setStyleSheet(
            f"QLabel {{ background: {colour}; color: #ffffff; padding: 4px; font-weight: bold; }}"
        )
        self.warning.setVisible(bool(parts))

    # --- the search ---------------------------------------------------------------------------

    def query(self) -> JournalQuery | None:
        """The search the filters describe, within the account's scope; None if they are invalid."""
        period = Period(self.period.currentData())
        start: datetime | None = period_start(period, utc_now())
        end: datetime | None = None
        if period is Period.CHOSEN:
            start = from_qdatetime(self.since.dateTime())
            end = from_qdatetime(self.until.dateTime())
            if end <= start:
                self.count_label.setText(self.tr("La période finit avant de commencer."))
                return None
        commune = self.commune.currentData()
        if commune is None:
            communes = self.scope
        elif self.scope is not None and commune not in self.scope:
            communes = frozenset()
        else:
            communes = frozenset({int(commune)})
        category = self.category.currentData()
        camera_text = self.camera.text().strip()
        status = self.status.currentData()
        return JournalQuery(
            start=start,
            end=end,
            communes=communes,
            categories=frozenset({str(category)}) if category else frozenset(),
            camera=int(camera_text) if camera_text.isdigit() and int(camera_text) > 0 else None,
            text=self.text.text(),
            status=EntryStatus(status) if status else None,
            limit=PAGE_SIZE,
        )

    def show_results(
        self,
        query: JournalQuery,
        entries: Sequence[JournalEntry],
        next_cursor: PageCursor | None,
        *,
        queued: Sequence[JournalEntry] = (),
        append: bool = False,
    ) -> None:
        """A page of results (``append``: an older page under the ones shown)."""
        selected = self.selected_entry()
        if not append:
            self.model.clear()
        self.last_query = query
        self.model.extend(entries)
        # Written here, not in the database yet (new entries, or edits newer than the stored version).
        self.model.extend((e for e in queued if entry_matches(query, e)), queued=True)
        if not append:
            self._fit_columns()
        self.next_cursor = next_cursor
        self.more_button.setEnabled(next_cursor is not None)
        self._show_count()
        if selected is not None:
            self.select(selected.uid)

    def upsert(self, entry: JournalEntry, *, queued: bool = False) -> bool:
        """An entry saved (here or elsewhere): shown if it matches the filters, dropped if it no
        longer does. True when it is shown."""
        query = self.last_query
        if query is None:
            return False
        if not entry_matches(query, entry):
            self.model.remove(entry.uid)
            self._show_count()
            return False
        selected = self.selected_entry()
        self.model.upsert(entry, queued=queued)
        if selected is not None:
            self.select(selected.uid)
        self._show_count()
        return True

    def select(self, uid: str) -> None:
        row = self.model.row_of(uid)
        if row is not None:
            self.table.selectRow(row)

    def selected_entry(self) -> JournalEntry | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        entry = self.model.data(rows[0], ENTRY_ROLE)
        return entry if isinstance(entry, JournalEntry) else None

    def _fit_columns(self) -> None:
        """Short columns to their contents (within reason); the description takes the rest."""
        text_column = self.model.COLUMNS.index("text")
        for column in range(self.model.columnCount()):
            if column != text_column:
                self.table.resizeColumnToContents(column)
                self.table.setColumnWidth(column, min(self.table.columnWidth(column), 220))

    def _show_count(self) -> None:
        count = self.model.rowCount()
        more = self.tr(" (et plus anciennes)") if self.next_cursor is not None else ""
        self.count_label.setText(self.tr("%n entrée(s)", "", count) + more)

    # --- the operator's gestures --------------------------------------------------------------

    def _on_filters_changed(self, *_args: object) -> None:
        chosen = Period(self.period.currentData()) is Period.CHOSEN
        self.since.setVisible(chosen)
        self.until.setVisible(chosen)
        self._filter_timer.start()

    def _on_table_double_clicked(self, index: QModelIndex) -> None:
        entry = self.model.data(index, ENTRY_ROLE)
        if isinstance(entry, JournalEntry) and self.write_allowed and not self.model.is_queued(entry.uid):
            self.edit_requested.emit(entry)

    def _on_edit_clicked(self) -> None:
        entry = self.selected_entry()
        if entry is not None:
            self.edit_requested.emit(entry)

    def _on_follow_up_chosen(self, kind: FollowUpKind) -> None:
        entry = self.selected_entry()
        if entry is not None:
            self.follow_up_requested.emit(entry, kind)

    def _on_close_clicked(self) -> None:
        entry = self.selected_entry()
        if entry is not None:
            wanted = EntryStatus.OPEN if entry.status is EntryStatus.CLOSED else EntryStatus.CLOSED
            self.status_requested.emit(entry, wanted)

    def _on_selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        self._update_buttons()

    def _on_table_context_menu(self, position: QPoint) -> None:
        entry = self.selected_entry()
        if entry is None:
            return
        menu = QMenu(self)
        menu.addAction(self.edit_button.text(), self._on_edit_clicked).setEnabled(
            self.edit_button.isEnabled()
        )
        for action in self.follow_actions.values():
            menu.addAction(action)
        menu.addAction(self.close_button.text(), self._on_close_clicked).setEnabled(
            self.close_button.isEnabled()
        )
        menu.exec(self.table.viewport().mapToGlobal(position))
        menu.deleteLater()

    def _update_buttons(self) -> None:
        entry = self.selected_entry()
        stored = entry is not None and not self.model.is_queued(entry.uid)
        enabled = self.write_allowed and stored
        for widget in (self.edit_button, self.follow_button, self.close_button):
            widget.setEnabled(enabled)
            widget.setToolTip("" if self.write_allowed else self._write_refusal)
        for action in self.follow_actions.values():
            action.setEnabled(enabled)
        closed = entry is not None and entry.status is EntryStatus.CLOSED
        self.close_button.setText(self.tr("Rouvrir") if closed else self.tr("Clore"))
