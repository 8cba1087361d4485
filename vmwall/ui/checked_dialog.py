"""A modal dialog whose input is checked on the bridge's workers (a login, a password change).

The check (scrypt, most of a second, and a database query) never runs on the GUI thread. While it
runs the dialog is busy: its inputs are disabled, it says "vérification…", and it cannot be closed,
since the outcome of a check under way must not be lost.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QDialog, QLabel, QWidget

from vmwall.ui.bridge import Bridge

T = TypeVar("T")


class CheckedDialog(QDialog):
    def __init__(self, parent: QWidget | None, bridge: Bridge, message_name: str) -> None:
        super().__init__(parent)
        self._bridge = bridge
        self.busy = False
        self.inputs: tuple[QWidget, ...] = ()  # disabled while a check runs (set by the subclass)
        self.setModal(True)
        self.message = QLabel("", self)
        self.message.setObjectName(message_name)
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

    def show_message(self, text: str) -> None:
        self.message.setText(text)

    def check(
        self,
        what: str,
        job: Callable[[], T],
        on_done: Callable[[T], None],
        on_refused: Callable[[Exception], None],
    ) -> None:
        """Run ``job`` on a worker; ``on_done(result)`` or ``on_refused(error)`` once it is over."""

        def done(result: T) -> None:
            self._set_busy(False)
            on_done(result)

        def refused(error: Exception) -> None:
            self._set_busy(False)
            on_refused(error)

        self._set_busy(True)
        self.show_message(QCoreApplication.translate("CheckedDialog", "Vérification…"))
        if self._bridge.submit(what, job, done, refused, receiver=self) is None:
            self._set_busy(False)
            self.show_message(QCoreApplication.translate("CheckedDialog", "La console se ferme."))

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        for widget in self.inputs:
            widget.setEnabled(not busy)

    def reject(self) -> None:
        if not self.busy:  # a check under way finishes first (its outcome must not be lost)
            super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt)
        if self.busy:
            event.ignore()
            return
        super().closeEvent(event)
