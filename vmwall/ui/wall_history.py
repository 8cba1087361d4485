"""The latest pushes to the wall, newest first, with who made them (any console, this one included).

The controller describes each push in English (its log and the audit trail keep those words); the
action itself is shown in the operator's language.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtWidgets import QListWidget, QVBoxLayout, QWidget

from vmwall.model.wall import WallPush

MAX_SHOWN = 200


class WallHistoryWidget(QWidget):
    def __init__(self, parent: QWidget | None = None, action_text: Callable[[str], str] = str) -> None:
        super().__init__(parent)
        self.action_text = action_text  # the action's words for the operator ("appliquer un préréglage")
        self.list = QListWidget(self)
        self.list.setObjectName("wallHistory")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.list)
        self._pushes: tuple[WallPush, ...] = ()

    def set_pushes(self, pushes: tuple[WallPush, ...]) -> None:
        if pushes == self._pushes:
            return
        self._pushes = pushes
        self.list.clear()
        for push in reversed(pushes[-MAX_SHOWN:]):
            self.list.addItem(self.describe(push))

    def describe(self, push: WallPush) -> str:
        moment = datetime.fromtimestamp(push.at).strftime("%H:%M:%S")
        who = f"{push.user} ({push.console})" if push.console else push.user
        detail = f" — {push.detail}" if push.detail else ""
        return f"{moment}  {who} : {self.action_text(push.action)}{detail}"

    def lines(self) -> list[str]:
        return [self.list.item(i).text() for i in range(self.list.count())]
