"""The dark control-room theme: Fusion style, a dark palette and a style sheet (package data).

Operators watch screens all night in a dimmed room: dark surfaces, grey text, no pure white, and
colours kept for meaning (tile state, selection).
"""

from __future__ import annotations

from importlib import resources

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QLabel, QWidget

# Tile and camera states (shared by the tiles, the tree icons and the status bar).
LIVE = QColor("#3fb950")
CONNECTING = QColor("#d9a22b")
LOST = QColor("#f0503c")
REFUSED = QColor("#8a6fd1")
IDLE = QColor("#5b6470")
SELECTION = QColor("#f0b43c")  # the selected tile's frame: amber, visible on any picture
SELECTION_UNFOCUSED = QColor("#7d6230")  # ... while the grid does not have the keyboard
TILE_FRAME = QColor("#202428")
TILE_BACKGROUND = QColor("#000000")
BANNER_BACKGROUND = QColor("#0c0e11")
BANNER_TEXT = QColor("#d6dde4")
MESSAGE_TEXT = QColor("#b8c1ca")

_PALETTE = {
    QPalette.ColorRole.Window: "#15181c",
    QPalette.ColorRole.WindowText: "#c4ccd4",
    QPalette.ColorRole.Base: "#111417",
    QPalette.ColorRole.AlternateBase: "#14181c",
    QPalette.ColorRole.ToolTipBase: "#1f252c",
    QPalette.ColorRole.ToolTipText: "#dde3ea",
    QPalette.ColorRole.Text: "#c4ccd4",
    QPalette.ColorRole.Button: "#222830",
    QPalette.ColorRole.ButtonText: "#c4ccd4",
    QPalette.ColorRole.BrightText: "#f0503c",
    QPalette.ColorRole.Highlight: "#24405f",
    QPalette.ColorRole.HighlightedText: "#e3e8ee",
    QPalette.ColorRole.Link: "#5b9bd5",
    QPalette.ColorRole.PlaceholderText: "#66707b",
}


def error_label(parent: QWidget, object_name: str) -> QLabel:
    """An empty, word-wrapped label for a form's error message, in the "lost" red."""
    label = QLabel("", parent)
    label.setObjectName(object_name)
    label.setWordWrap(True)
    label.setStyleSheet(f"color: {LOST.name()};")
    return label


def style_sheet() -> str:
    return resources.files("vmwall.resources").joinpath("theme", "dark.qss").read_text(encoding="utf-8")


def apply_theme(app: QApplication) -> None:
    app.setStyle("Fusion")
    palette = QPalette()
    for role, colour in _PALETTE.items():
        palette.setColor(role, QColor(colour))
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor("#5b6470"))
    app.setPalette(palette)
    app.setStyleSheet(style_sheet())
