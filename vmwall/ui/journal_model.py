"""The rows of the main courante list: entries newest first, each shown once (by uid).

Entries come from searches (a page at a time) and from live notifications (`upsert`); an entry
written here while the database is away is shown at once, marked "en attente" (queued), and
replaced by its stored version when the database takes it.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont

from vmwall.model.journal import EntryStatus, JournalEntry
from vmwall.ui.journal_texts import cameras_text, follow_ups_text, local_time, status_label

ENTRY_ROLE = Qt.ItemDataRole.UserRole
_NO_ID = 2**62  # entries not stored yet sort above stored ones of the same time
_Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()


def sort_key(entry: JournalEntry) -> tuple[float, int]:
    """Newest first: the negated (time, id) ascending."""
    return (-entry.at.timestamp(), -(entry.id if entry.id is not None else _NO_ID))


class JournalTableModel(QAbstractTableModel):
    COLUMNS = ("time", "commune", "category", "place", "cameras", "text", "follow_ups", "status", "operator")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[JournalEntry] = []
        self._keys: list[tuple[float, int]] = []
        self._queued: set[str] = set()
        self.communes: dict[int, str] = {}
        self.categories: dict[str, str] = {}
        self._headers = (
            self.tr("Heure"),
            self.tr("Commune"),
            self.tr("Catégorie"),
            self.tr("Lieu"),
            self.tr("Caméras"),
            self.tr("Description"),
            self.tr("Suites"),
            self.tr("État"),
            self.tr("Opérateur"),
        )

    # --- contents -----------------------------------------------------------------------------

    def set_names(self, communes: Mapping[int, str], categories: Mapping[str, str]) -> None:
        self.communes = dict(communes)
        self.categories = dict(categories)
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, len(self.COLUMNS) - 1))

    def clear(self) -> None:
        self.beginResetModel()
        self._rows, self._keys = [], []
        self._queued.clear()
        self.endResetModel()

    def extend(self, entries: Iterable[JournalEntry], *, queued: bool = False) -> None:
        for entry in entries:
            self.upsert(entry, queued=queued)

    def upsert(self, entry: JournalEntry, *, queued: bool = False) -> int:
        """Insert or replace the entry (by uid); its row afterwards."""
        if self.row_of(entry.uid) is not None:
            self.remove(entry.uid)
        if queued:
            self._queued.add(entry.uid)
        else:
            self._queued.discard(entry.uid)
        key = sort_key(entry)
        row = bisect.bisect_right(self._keys, key)
        self.beginInsertRows(QModelIndex(), row, row)
        self._rows.insert(row, entry)
        self._keys.insert(row, key)
        self.endInsertRows()
        return row

    def remove(self, uid: str) -> bool:
        row = self.row_of(uid)
        if row is None:
            return False
        self.beginRemoveRows(QModelIndex(), row, row)
        del self._rows[row]
        del self._keys[row]
        self.endRemoveRows()
        self._queued.discard(uid)
        return True

    def row_of(self, uid: str) -> int | None:
        return next((i for i, entry in enumerate(self._rows) if entry.uid == uid), None)

    def entry_at(self, row: int) -> JournalEntry | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def entries(self) -> list[JournalEntry]:
        return list(self._rows)

    def is_queued(self, uid: str) -> bool:
        return uid in self._queued

    # --- Qt -----------------------------------------------------------------------------------

    def rowCount(self, parent: _Index = _ROOT) -> int:  # noqa: N802 (Qt)
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = _ROOT) -> int:  # noqa: N802 (Qt)
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(  # noqa: N802 (Qt)
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation is Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self._headers[section] if 0 <= section < len(self._headers) else None
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        entry = self._rows[index.row()]
        column = self.COLUMNS[index.column()]
        queued = entry.uid in self._queued
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(entry, column, queued)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(entry, queued)
        if role == ENTRY_ROLE:
            return entry
        if role == Qt.ItemDataRole.FontRole and queued:
            font = QFont()
            font.setItalic(True)
            return font
        if role == Qt.ItemDataRole.ForegroundRole:
            if queued:
                return QColor("#d9a22b")
            if column == "status" and entry.status is EntryStatus.OPEN:
                return QColor("#3fb950")
        return None

    def _display(self, entry: JournalEntry, column: str, queued: bool) -> str:
        if column == "time":
            return local_time(entry.at, "%d/%m %H:%M")
        if column == "commune":
            return self.communes.get(entry.commune_id, "?") if entry.commune_id is not None else ""
        if column == "category":
            return self.categories.get(entry.category, entry.category)
        if column == "place":
            return entry.place
        if column == "cameras":
            return cameras_text(entry.cameras)
        if column == "text":
            lines = entry.text.strip().splitlines()
            first = lines[0] if lines else ""
            return first + (" …" if len(lines) > 1 else "")
        if column == "follow_ups":
            return follow_ups_text(entry.follow_ups)
        if column == "status":
            return self.tr("en attente d'envoi") if queued else status_label(entry.status)
        if column == "operator":
            return entry.operator
        return ""

    def _tooltip(self, entry: JournalEntry, queued: bool) -> str:
        lines = [entry.text]
        if entry.revision > 1:
            lines.append(
                self.tr("Révision %1, modifiée par %2 le %3")
                .replace("%1", str(entry.revision))
                .replace("%2", entry.edited_by or "?")
                .replace("%3", local_time(entry.edited_at))
            )
        if queued:
            lines.append(
                self.tr("Pas encore dans la base de données : gardée sur ce poste, envoyée à son retour.")
            )
        return "\n".join(lines)
