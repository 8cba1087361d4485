"""The incident bookmarks tab of the main courante dock: search, list, edit, end a running one.

Like the entries tab, it shows and asks; ``BookmarkController`` searches and writes. A camera's
bookmarks are shown by `show_camera` (the tile's "Signets de cette caméra…").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QIntValidator
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from vmwall.model.journal import MAX_PLACE_LENGTH, Bookmark, BookmarkQuery, utc_now
from vmwall.ui.journal_filters import Period, bookmark_matches, bookmark_visible, period_start
from vmwall.ui.journal_texts import cameras_text, local_time

BOOKMARK_ROLE = Qt.ItemDataRole.UserRole
PAGE_SIZE = 200
FILTER_DELAY_MS = 300


class BookmarkListWidget(QWidget):
    query_changed = Signal()
    edit_requested = Signal(object)  # Bookmark
    end_requested = Signal(object)  # Bookmark: end it now

    HEADERS = ("start", "end", "cameras", "title", "tags", "author", "entry")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("bookmarkList")
        self.last_query: BookmarkQuery | None = None
        self.write_allowed = False
        self.visible_cameras: frozenset[int] | None = None  # the account's catalogue (None: all)
        self.entry_labels: dict[str, str] = {}  # entry uid -> one line, for the "Entrée" column
        self.period = QComboBox(self)
        self.period.setObjectName("bookmarkPeriod")
        for label, period in (
            (self.tr("Dernières 24 h"), Period.DAY),
            (self.tr("7 derniers jours"), Period.WEEK),
            (self.tr("30 derniers jours"), Period.MONTH),
            (self.tr("Tout"), Period.ALL),
        ):
            self.period.addItem(label, period.value)
        self.camera = QLineEdit(self)
        self.camera.setObjectName("bookmarkCamera")
        self.camera.setValidator(QIntValidator(1, 999_999, self.camera))
        self.camera.setPlaceholderText(self.tr("Caméra"))
        self.camera.setMaximumWidth(90)
        self.text = QLineEdit(self)
        self.text.setObjectName("bookmarkText")
        self.text.setMaxLength(MAX_PLACE_LENGTH)
        self.text.setClearButtonEnabled(True)
        self.text.setPlaceholderText(self.tr("Rechercher dans les titres et les étiquettes"))
        filters = QHBoxLayout()
        filters.addWidget(self.period)
        filters.addWidget(self.camera)
        filters.addWidget(self.text, 1)

        self.table = QTableWidget(0, len(self.HEADERS), self)
        self.table.setObjectName("bookmarkTable")
        self.table.setHorizontalHeaderLabels(
            [
                self.tr("Début"),
                self.tr("Fin"),
                self.tr("Caméras"),
                self.tr("Titre"),
                self.tr("Étiquettes"),
                self.tr("Auteur"),
                self.tr("Entrée liée"),
            ]
        )
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(
            self.HEADERS.index("title"), QHeaderView.ResizeMode.Stretch
        )
        self.table.doubleClicked.connect(self._on_table_double_clicked)
        self.table.itemSelectionChanged.connect(self._update_buttons)

        self.edit_button = QPushButton(self.tr("Modifier…"), self)
        self.edit_button.setObjectName("bookmarkEdit")
        self.edit_button.clicked.connect(self._on_edit_clicked)
        self.end_button = QPushButton(self.tr("Terminer maintenant"), self)
        self.end_button.setObjectName("bookmarkEnd")
        self.end_button.clicked.connect(self._on_end_clicked)
        self.count_label = QLabel("", self)
        buttons = QHBoxLayout()
        buttons.addWidget(self.edit_button)
        buttons.addWidget(self.end_button)
        buttons.addStretch(1)
        buttons.addWidget(self.count_label)

        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)

        self._filter_timer = QTimer(self)
        self._filter_timer.setSingleShot(True)
        self._filter_timer.setInterval(FILTER_DELAY_MS)
        self._filter_timer.timeout.connect(self.query_changed)
        self.period.currentIndexChanged.connect(self._filter_timer.start)
        self.camera.textChanged.connect(self._filter_timer.start)
        self.text.textChanged.connect(self._filter_timer.start)
        self._update_buttons()

    # --- the search ---------------------------------------------------------------------------

    def query(self) -> BookmarkQuery:
        camera = self.camera.text().strip()
        return BookmarkQuery(
            camera=int(camera) if camera.isdigit() and int(camera) > 0 else None,
            start=period_start(Period(self.period.currentData()), utc_now()),
            text=self.text.text(),
            limit=PAGE_SIZE,
        )

    def show_camera(self, camera: int) -> None:
        """The bookmarks of one camera (every period): the tile's "Signets de cette caméra…"."""
        self.period.blockSignals(True)
        self.period.setCurrentIndex(max(0, self.period.findData(Period.ALL.value)))
        self.period.blockSignals(False)
        self.text.blockSignals(True)
        self.text.clear()
        self.text.blockSignals(False)
        self.camera.setText(str(camera))  # starts the search (debounced)

    def set_write_allowed(self, allowed: bool, reason: str = "") -> None:
        self.write_allowed = allowed
        for button in (self.edit_button, self.end_button):
            button.setToolTip("" if allowed else reason)
        self._update_buttons()

    def show_results(self, query: BookmarkQuery, bookmarks: Sequence[Bookmark]) -> None:
        self.last_query = query
        selected = self.selected_bookmark()
        self.table.setRowCount(0)
        for bookmark in bookmarks:
            if self._visible(bookmark):
                self._insert(bookmark)
        title = self.HEADERS.index("title")
        for column in range(len(self.HEADERS)):
            if column != title:
                self.table.resizeColumnToContents(column)
                self.table.setColumnWidth(column, min(self.table.columnWidth(column), 260))
        if selected is not None:
            self.select(selected.uid)
        self._show_count()

    def upsert(self, bookmark: Bookmark) -> bool:
        """A bookmark saved here or elsewhere: shown if it matches, removed if it no longer does."""
        row = self.row_of(bookmark.uid)
        if row is not None:
            self.table.removeRow(row)
        query = self.last_query
        shown = query is not None and bookmark_matches(query, bookmark) and self._visible(bookmark)
        if shown:
            self._insert(bookmark)
        self._show_count()
        return shown

    def set_entry_labels(self, labels: Mapping[str, str]) -> None:
        self.entry_labels.update(labels)
        for row in range(self.table.rowCount()):
            bookmark = self.bookmark_at(row)
            if bookmark is not None and bookmark.entry_uid:
                self._set(row, "entry", self.entry_labels.get(bookmark.entry_uid, self.tr("(entrée liée)")))

    def bookmarks(self) -> list[Bookmark]:
        found = [self.bookmark_at(row) for row in range(self.table.rowCount())]
        return [b for b in found if b is not None]

    def bookmark_at(self, row: int) -> Bookmark | None:
        item = self.table.item(row, 0)
        value = item.data(BOOKMARK_ROLE) if item is not None else None
        return value if isinstance(value, Bookmark) else None

    def row_of(self, uid: str) -> int | None:
        return next(
            (row for row in range(self.table.rowCount()) if (b := self.bookmark_at(row)) and b.uid == uid),
            None,
        )

    def select(self, uid: str) -> None:
        row = self.row_of(uid)
        if row is not None:
            self.table.selectRow(row)

    def selected_bookmark(self) -> Bookmark | None:
        rows = self.table.selectionModel().selectedRows()
        return self.bookmark_at(rows[0].row()) if rows else None

    # --- rows ---------------------------------------------------------------------------------

    def _visible(self, bookmark: Bookmark) -> bool:
        return bookmark_visible(bookmark, self.visible_cameras)

    def _insert(self, bookmark: Bookmark) -> None:
        row = 0
        while row < self.table.rowCount():  # newest start first
            other = self.bookmark_at(row)
            if other is None or other.start <= bookmark.start:
                break
            row += 1
        self.table.insertRow(row)
        running = bookmark.end is None
        values = {
            "start": local_time(bookmark.start, "%d/%m %H:%M:%S"),
            "end": self.tr("en cours") if running else local_time(bookmark.end, "%H:%M:%S"),
            "cameras": cameras_text(bookmark.cameras),
            "title": bookmark.title,
            "tags": ", ".join(bookmark.tags),
            "author": bookmark.created_by,
            "entry": (
                self.entry_labels.get(bookmark.entry_uid, self.tr("(entrée liée)"))
                if bookmark.entry_uid
                else ""
            ),
        }
        for column, name in enumerate(self.HEADERS):
            item = QTableWidgetItem(values[name])
            if column == 0:
                item.setData(BOOKMARK_ROLE, bookmark)
            self.table.setItem(row, column, item)

    def _set(self, row: int, column: str, text: str) -> None:
        item = self.table.item(row, self.HEADERS.index(column))
        if item is not None:
            item.setText(text)

    def _show_count(self) -> None:
        self.count_label.setText(self.tr("%n signet(s)", "", self.table.rowCount()))
        self._update_buttons()

    def _on_table_double_clicked(self, index: QModelIndex) -> None:
        bookmark = self.bookmark_at(index.row())
        if bookmark is not None and self.write_allowed:
            self.edit_requested.emit(bookmark)

    def _on_edit_clicked(self) -> None:
        bookmark = self.selected_bookmark()
        if bookmark is not None:
            self.edit_requested.emit(bookmark)

    def _on_end_clicked(self) -> None:
        bookmark = self.selected_bookmark()
        if bookmark is not None and bookmark.end is None:
            self.end_requested.emit(bookmark)

    def _update_buttons(self) -> None:
        bookmark = self.selected_bookmark()
        self.edit_button.setEnabled(self.write_allowed and bookmark is not None)
        self.end_button.setEnabled(self.write_allowed and bookmark is not None and bookmark.end is None)
