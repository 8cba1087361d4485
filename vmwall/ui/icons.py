"""Icons drawn at run time (no image files to ship): state dots and the storage-only lock."""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPen, QPixmap

from vmwall.ui import theme

SIZE = 16


@cache
def state_icon(state: str) -> QIcon:
    """A coloured dot for a camera/tile state: live, connecting, lost, refused, idle."""
    colour = {
        "live": theme.LIVE,
        "connecting": theme.CONNECTING,
        "lost": theme.LOST,
        "refused": theme.REFUSED,
    }.get(state, theme.IDLE)
    pixmap = QPixmap(SIZE, SIZE)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    if state == "refused":
        _draw_lock(painter, colour)
    else:
        painter.setPen(QPen(QColor("#0b0d10"), 1))
        painter.setBrush(colour)
        painter.drawEllipse(QRectF(3, 3, SIZE - 6, SIZE - 6))
    painter.end()
    return QIcon(pixmap)


def _draw_lock(painter: QPainter, colour: QColor) -> None:
    painter.setPen(QPen(colour, 1.6))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawArc(QRectF(5, 2, 6, 8), 0, 180 * 16)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(colour)
    painter.drawRoundedRect(QRectF(3.5, 7, 9, 7), 1.5, 1.5)
