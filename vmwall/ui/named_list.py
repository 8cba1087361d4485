"""A list of named things (wall presets, wall sequences): the name each row stands for, selection
by name, and the question asked before deleting one."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QListWidget, QMessageBox, QWidget

NAME_ROLE = Qt.ItemDataRole.UserRole


def current_name(widget: QListWidget) -> str | None:
    """The name of the current row, or None."""
    item = widget.currentItem()
    value = item.data(NAME_ROLE) if item is not None else None
    return value if isinstance(value, str) else None


def select_name(widget: QListWidget, name: str) -> None:
    """Make the row named ``name`` current (nothing if there is none)."""
    for index in range(widget.count()):
        if widget.item(index).data(NAME_ROLE) == name:
            widget.setCurrentRow(index)


def confirm_delete(parent: QWidget, title: str, question: str) -> bool:
    """Ask (modal Yes/No, texts already translated); True on Yes."""
    return QMessageBox.question(parent, title, question) == QMessageBox.StandardButton.Yes


__all__ = ["NAME_ROLE", "confirm_delete", "current_name", "select_name"]
