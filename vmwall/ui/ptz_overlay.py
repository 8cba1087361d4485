"""PTZ gestures on a tile's picture: where a click falls in the picture, and the box being dragged.

The picture: libVLC scales the video into the tile's surface keeping its aspect ratio, so a tile
whose shape differs from the video's has black bars. A click is mapped into the picture itself,
not the surface; the players do not report the video size yet, so the aspect ratio is the usual
one of CCTV streams (16:9, main and sub streams alike) unless the caller knows better.

The box: the tile's picture is a native window that libVLC paints over, so anything Qt paints in
the tile lies under it. The box frame is made of four thin native child windows stacked above the
picture (the same trick as the tile's banner), which X11 shows without a compositor.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, QRect, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import QWidget

from vmwall.ui import theme

DEFAULT_PICTURE_ASPECT = 16 / 9
BOX_LINE_PX = 2


def picture_rect(surface: QRect, aspect: float = DEFAULT_PICTURE_ASPECT) -> QRect:
    """The part of ``surface`` the picture covers when scaled in with its aspect ratio kept."""
    if surface.width() <= 0 or surface.height() <= 0 or aspect <= 0:
        return QRect(surface)
    width, height = surface.width(), surface.height()
    if width / height > aspect:  # wider than the picture: bars left and right
        shown = round(height * aspect)
        return QRect(surface.left() + (width - shown) // 2, surface.top(), shown, height)
    shown = round(width / aspect)
    return QRect(surface.left(), surface.top() + (height - shown) // 2, width, shown)


def normalise(point: QPoint | QPointF, picture: QRect) -> tuple[float, float]:
    """A point as the PTZ service takes it: [-1, 1] from the picture's centre, x right +, y **up** +.

    Points in the black bars are brought to the picture's edge.
    """
    half_w = max(1.0, picture.width() / 2)
    half_h = max(1.0, picture.height() / 2)
    centre_x = picture.left() + picture.width() / 2
    centre_y = picture.top() + picture.height() / 2
    x = (point.x() - centre_x) / half_w
    y = (centre_y - point.y()) / half_h
    return max(-1.0, min(1.0, x)), max(-1.0, min(1.0, y))


def box_between(a: QPoint, b: QPoint) -> QRect:
    """The rectangle with corners ``a`` and ``b``, whichever way it was dragged."""
    return QRect(QPoint(min(a.x(), b.x()), min(a.y(), b.y())), QPoint(max(a.x(), b.x()), max(a.y(), b.y())))


class _BoxEdgeWidget(QWidget):
    def __init__(self, parent: QWidget, colour: QColor) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_NativeWindow)
        self.setAttribute(Qt.WidgetAttribute.WA_DontCreateNativeAncestors)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.colour = colour
        self.hide()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt)
        painter = QPainter(self)
        painter.fillRect(event.rect(), self.colour)
        painter.end()


class BoxFrame:
    """The rectangle an operator drags on a tile to zoom into, drawn above the video."""

    def __init__(self, parent: QWidget, colour: QColor = theme.SELECTION) -> None:
        self._edges = [_BoxEdgeWidget(parent, colour) for _ in range(4)]
        self.rect = QRect()

    def show(self, rect: QRect) -> None:
        self.rect = rect
        line = BOX_LINE_PX
        top, left, width, height = rect.top(), rect.left(), max(line, rect.width()), max(line, rect.height())
        geometries = (
            QRect(left, top, width, line),
            QRect(left, top + height - line, width, line),
            QRect(left, top, line, height),
            QRect(left + width - line, top, line, height),
        )
        for edge, geometry in zip(self._edges, geometries, strict=True):
            edge.setGeometry(geometry)
            edge.show()
            edge.raise_()

    def hide(self) -> None:
        self.rect = QRect()
        for edge in self._edges:
            edge.hide()

    def visible(self) -> bool:
        return any(edge.isVisible() for edge in self._edges)

    def delete(self) -> None:
        for edge in self._edges:
            edge.hide()
            edge.deleteLater()
        self._edges = []
