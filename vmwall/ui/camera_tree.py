"""The camera tree: communes, then their cameras, with a search by name or number and a state icon.

Cameras are dragged from here onto tiles (or activated with Enter / double-click: into the selected
tile). The icon says what the console knows of each camera: live somewhere, connecting, lost,
refused (storage-only commune, outside its hours, out of the account's scope) or nothing known.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from PySide6.QtCore import (
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QKeyEvent, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QAbstractItemView, QLineEdit, QTreeView, QVBoxLayout, QWidget

from vmwall.model import Forfait
from vmwall.ui.directory import Directory
from vmwall.ui.icons import state_icon
from vmwall.ui.tile import CAMERA_MIME, camera_mime

CAMERA_ROLE = Qt.ItemDataRole.UserRole + 1  # camera number (camera rows)
SEARCH_ROLE = Qt.ItemDataRole.UserRole + 2  # folded text the search matches
STATE_ROLE = Qt.ItemDataRole.UserRole + 3

ModelIndex = QModelIndex | QPersistentModelIndex


def fold(text: str) -> str:
    """Case- and accent-insensitive form: "Hôtel de Ville" -> "hotel de ville"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


class CameraModel(QStandardItemModel):
    def mimeTypes(self) -> list[str]:  # noqa: N802 (Qt)
        return [CAMERA_MIME]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:  # noqa: N802 (Qt)
        for index in indexes:
            number = index.data(CAMERA_ROLE)
            if isinstance(number, int):
                return camera_mime(number)
        return QMimeData()


class CameraFilterModel(QSortFilterProxyModel):
    """Matches a camera by number (prefix) or name, a commune by name (then all its cameras show)."""

    def __init__(self) -> None:
        super().__init__()
        self._needle = ""
        self.setRecursiveFilteringEnabled(True)

    def set_needle(self, text: str) -> None:
        self.beginFilterChange()
        self._needle = fold(text.strip())
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: ModelIndex) -> bool:  # noqa: N802 (Qt)
        if not self._needle:
            return True
        model = self.sourceModel()
        index = model.index(source_row, 0, source_parent)
        if self._matches(index):
            return True
        # A camera of a commune whose name matches.
        return source_parent.isValid() and self._needle in str(source_parent.data(SEARCH_ROLE) or "")

    def _matches(self, index: QModelIndex) -> bool:
        number = index.data(CAMERA_ROLE)
        if isinstance(number, int) and self._needle.isdigit() and str(number).startswith(self._needle):
            return True
        return self._needle in str(index.data(SEARCH_ROLE) or "")


class CameraTreeView(QTreeView):
    camera_activated = Signal(int)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt)
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            number = self.currentIndex().data(CAMERA_ROLE)
            if isinstance(number, int):
                self.camera_activated.emit(number)
                return
        super().keyPressEvent(event)


class CameraTreePanel(QWidget):
    camera_activated = Signal(int)  # Enter or double-click on a camera

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText(self.tr("Rechercher : nom ou numéro"))
        self.search.setClearButtonEnabled(True)
        self.model = CameraModel(self)
        self.proxy = CameraFilterModel()
        self.proxy.setParent(self)
        self.proxy.setSourceModel(self.model)
        self.view = CameraTreeView(self)
        self.view.setModel(self.proxy)
        self.view.setHeaderHidden(True)
        self.view.setUniformRowHeights(True)
        self.view.setDragEnabled(True)
        self.view.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setAlternatingRowColors(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(4)
        layout.addWidget(self.search)
        layout.addWidget(self.view)
        self._items: dict[int, QStandardItem] = {}
        self._refused: set[int] = set()
        self._tile_states: dict[int, str] = {}
        self._hub_states: dict[int, str] = {}
        self.search.textChanged.connect(self._on_search_text_changed)
        self.search.returnPressed.connect(self._on_search_return_pressed)
        self.view.doubleClicked.connect(self._on_view_double_clicked)
        self.view.camera_activated.connect(self.camera_activated)
        self.set_placeholder(self.tr("chargement du catalogue…"))

    def set_placeholder(self, text: str) -> None:
        self.model.clear()
        self._items.clear()
        item = QStandardItem(text)
        item.setFlags(Qt.ItemFlag.ItemIsEnabled)
        self.model.appendRow(item)

    def set_directory(self, directory: Directory) -> None:
        self.model.clear()
        self._items.clear()
        self._refused = set()
        for commune in directory.visible_communes():
            cameras = directory.cameras_of(commune)
            parent = QStandardItem(f"{commune.name} ({len(cameras)})")
            parent.setFlags(Qt.ItemFlag.ItemIsEnabled)
            parent.setData(fold(commune.name), SEARCH_ROLE)
            forfait = {
                Forfait.STORAGE_ONLY: self.tr("stockage seul — jamais en direct"),
                Forfait.LIVE_HOURS: self.tr("direct aux heures %1").replace("%1", commune.live_hours or ""),
                Forfait.LIVE_24_7: self.tr("direct 24 h/24"),
            }[commune.forfait]
            parent.setToolTip(f"{commune.name} — INSEE {commune.insee_code}\n{forfait}")
            if not commune.forfait.allows_live:
                parent.setIcon(state_icon("refused"))
            for camera in cameras:
                item = QStandardItem(f"{camera.number} — {camera.name}")
                item.setFlags(
                    Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled
                )
                item.setData(camera.number, CAMERA_ROLE)
                item.setData(fold(camera.name), SEARCH_ROLE)
                ptz = self.tr(" · PTZ") if camera.ptz else ""
                item.setToolTip(f"{camera.number} — {camera.name}{ptz}\n{commune.name} · {forfait}")
                self._items[camera.number] = item
                if not commune.forfait.allows_live:
                    self._refused.add(camera.number)
                parent.appendRow(item)
            self.model.appendRow(parent)
        if not self._items:
            self.set_placeholder(self.tr("aucune caméra dans le catalogue"))
            return
        for number in self._items:
            self._show_state(number)
        self.view.expandAll()

    def camera_count(self) -> int:
        return len(self._items)

    def set_tile_states(self, states: dict[int, str]) -> None:
        """What the tiles of every grid say of their cameras (live, connecting, lost, refused)."""
        changed = set(states) ^ set(self._tile_states) | {
            n for n in states if self._tile_states.get(n) != states[n]
        }
        self._tile_states = dict(states)
        for number in changed:
            self._show_state(number)

    def set_hub_states(self, states: dict[int, str]) -> None:
        """What the stream hub says of the cameras it pulls."""
        changed = set(states) ^ set(self._hub_states) | {
            n for n in states if self._hub_states.get(n) != states[n]
        }
        self._hub_states = dict(states)
        for number in changed:
            self._show_state(number)

    def state_of(self, number: int) -> str:
        if number in self._refused:
            return "refused"
        tile = self._tile_states.get(number)
        if tile and tile != "idle":
            return tile
        hub = self._hub_states.get(number)
        return {"live": "live", "connecting": "connecting", "reconnecting": "lost", "failed": "lost"}.get(
            hub or "", "idle"
        )

    def _show_state(self, number: int) -> None:
        item = self._items.get(number)
        if item is not None:
            state = self.state_of(number)
            if item.data(STATE_ROLE) != state:
                item.setData(state, STATE_ROLE)
                item.setIcon(state_icon(state))

    def _on_search_text_changed(self, text: str) -> None:
        self.proxy.set_needle(text)
        self.view.expandAll()
        first = self._first_camera()
        if first is not None and text.strip():
            self.view.setCurrentIndex(first)

    def _first_camera(self) -> QModelIndex | None:
        for row in range(self.proxy.rowCount()):
            parent = self.proxy.index(row, 0)
            if self.proxy.rowCount(parent):
                return self.proxy.index(0, 0, parent)
        return None

    def _on_search_return_pressed(self) -> None:
        current = self.view.currentIndex()
        number = current.data(CAMERA_ROLE) if current.isValid() else None
        if not isinstance(number, int):
            first = self._first_camera()
            number = first.data(CAMERA_ROLE) if first is not None else None
        if isinstance(number, int):
            self.camera_activated.emit(number)

    def _on_view_double_clicked(self, index: QModelIndex) -> None:
        number = index.data(CAMERA_ROLE)
        if isinstance(number, int):
            self.camera_activated.emit(number)

    def visible_camera_numbers(self) -> list[int]:
        """Cameras the search currently shows (in tree order)."""
        numbers = []
        for row in range(self.proxy.rowCount()):
            parent = self.proxy.index(row, 0)
            for child in range(self.proxy.rowCount(parent)):
                number = self.proxy.index(child, 0, parent).data(CAMERA_ROLE)
                if isinstance(number, int):
                    numbers.append(number)
        return numbers
