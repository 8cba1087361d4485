"""The locked console (CNIL: a console left alone shows no images) and the inactivity timer behind it.

``LockScreenWidget`` takes the place of the camera tree and grid while the console is locked: who
holds the session, a password field to come back, and "Changer d'opérateur…" for the next shift.
``InactivityMonitor`` watches keyboard and mouse input for the whole application and says when
nothing happened for ``timeout_s`` seconds.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QApplication, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

DEFAULT_LOCK_AFTER_S = 10 * 60
MIN_LOCK_AFTER_S = 30
MAX_LOCK_AFTER_S = 60 * 60

_ACTIVITY = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
        QEvent.Type.TabletPress,
    }
)


class InactivityMonitor(QObject):
    """Emits ``went_idle`` once when no input reached the application for ``timeout_s`` seconds."""

    went_idle = Signal()

    def __init__(self, timeout_s: float, parent: QObject | None = None, *, check_ms: int = 1000) -> None:
        super().__init__(parent)
        self.timeout_s = timeout_s
        self._last = time.monotonic()
        self._fired = False
        self._timer = QTimer(self)
        self._timer.setInterval(check_ms)
        self._timer.timeout.connect(self._on_timer_timeout)
        self._installed = False

    def start(self) -> None:
        app = QApplication.instance()
        if app is not None and not self._installed:
            app.installEventFilter(self)
            self._installed = True
        self.touch()
        self._timer.start()

    def stop(self) -> None:
        """Stop watching (idempotent)."""
        self._timer.stop()
        app = QApplication.instance()
        if app is not None and self._installed:
            app.removeEventFilter(self)
            self._installed = False

    def touch(self) -> None:
        """Activity (also for input Qt does not see, like a joystick)."""
        self._last = time.monotonic()
        self._fired = False

    def idle_s(self) -> float:
        return time.monotonic() - self._last

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt)
        if event.type() in _ACTIVITY:
            self._last = time.monotonic()
            self._fired = False
        return False

    def _on_timer_timeout(self) -> None:
        if not self._fired and self.idle_s() >= self.timeout_s:
            self._fired = True
            self.went_idle.emit()


class LockScreenWidget(QWidget):
    """What a locked console shows instead of its cameras."""

    unlock_requested = Signal(str)  # the password typed
    handover_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("lockScreen")
        self.setAutoFillBackground(True)
        self.title = QLabel(self.tr("Console verrouillée"), self)
        self.title.setObjectName("lockTitle")
        font = self.title.font()
        font.setPointSize(font.pointSize() * 2)
        font.setBold(True)
        self.title.setFont(font)
        self.holder = QLabel("", self)
        self.holder.setObjectName("lockHolder")
        self.password = QLineEdit(self)
        self.password.setObjectName("lockPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText(self.tr("Mot de passe"))
        self.password.setMaxLength(1024)
        self.password.setMinimumWidth(280)
        self.unlock_button = QPushButton(self.tr("Déverrouiller"), self)
        self.unlock_button.setDefault(True)
        self.handover_button = QPushButton(self.tr("Changer d'opérateur…"), self)
        self.message = QLabel("", self)
        self.message.setObjectName("lockMessage")
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.password)
        row.addWidget(self.unlock_button)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addStretch(2)
        for label in (self.title, self.holder):
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            layout.addWidget(label)
        layout.addSpacing(16)
        layout.addLayout(row)
        layout.addWidget(self.message)
        layout.addSpacing(16)
        layout.addWidget(self.handover_button, 0, Qt.AlignmentFlag.AlignCenter)
        layout.addStretch(3)
        self.password.returnPressed.connect(self._on_unlock)
        self.unlock_button.clicked.connect(self._on_unlock)
        self.handover_button.clicked.connect(self.handover_requested)

    def show_for(self, holder: str, message: str = "") -> None:
        self.holder.setText(self.tr("Session de %1").replace("%1", holder))
        self.message.setText(message)
        self.password.clear()
        self.set_busy(False)

    def set_busy(self, busy: bool) -> None:
        self.password.setEnabled(not busy)
        self.unlock_button.setEnabled(not busy)
        self.handover_button.setEnabled(not busy)
        if not busy:
            self.password.setFocus()

    def _on_unlock(self) -> None:
        password = self.password.text()
        self.password.clear()
        if not password:
            self.message.setText(self.tr("Saisissez votre mot de passe."))
            return
        self.set_busy(True)
        self.message.setText(self.tr("Vérification…"))
        self.unlock_requested.emit(password)
