"""The on-screen stick: a pad to drag for pan and tilt, and a spring-back zoom rocker.

Both work like a joystick: the further from the centre, the faster; let go and they spring back,
which is a Stop. They only report speeds; the PTZ controller sends them to the camera.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QHideEvent, QMouseEvent, QPainter, QPaintEvent, QPen, QWheelEvent
from PySide6.QtWidgets import QSizePolicy, QSlider, QWidget

from vmwall.ui import theme

DEADZONE = 0.08  # fraction of the radius around the centre that means "no move"
STEP = 0.01  # speeds are reported to this precision (less chatter for the same gesture)
ZOOM_SCALE = 100  # the rocker's range is -ZOOM_SCALE..ZOOM_SCALE

_PAD_BACKGROUND = QColor("#1b2026")
_PAD_RING = QColor("#3a434d")
_PAD_CROSS = QColor("#2b323a")


def pad_speeds(dx: float, dy: float, radius: float) -> tuple[float, float]:
    """(pan, tilt) in [-1, 1] for a drag of (dx, dy) pixels from the centre of a pad of ``radius``.

    Proportional to the distance, capped at the rim (a drag beyond the pad keeps its direction at
    full speed); tilt is up +, while widget y goes down. Inside the dead zone: (0, 0).
    """
    if radius <= 0:
        return 0.0, 0.0
    pan, tilt = dx / radius, -dy / radius
    length = math.hypot(pan, tilt)
    if length <= DEADZONE:
        return 0.0, 0.0
    if length > 1.0:
        pan, tilt = pan / length, tilt / length
    return _quantise(pan), _quantise(tilt)


def _quantise(value: float) -> float:
    rounded = round(value / STEP) * STEP
    return max(-1.0, min(1.0, round(rounded, 2))) + 0.0  # + 0.0: no -0.0


class PtzPadWidget(QWidget):
    """Drag inside the disc: pan/tilt at a speed proportional to the distance from the centre."""

    moved = Signal(float, float)  # (pan, tilt) in [-1, 1]; tilt up +
    released = Signal()  # the operator let go (or the pad was disabled or hidden mid-drag)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumSize(120, 120)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setCursor(Qt.CursorShape.SizeAllCursor)
        self._knob: QPointF | None = None  # where the operator holds the pad, None when idle
        self.speeds = (0.0, 0.0)

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt)
        return QSize(170, 170)

    def radius(self) -> float:
        return max(1.0, min(self.width(), self.height()) / 2 - 6)

    def centre(self) -> QPointF:
        return QPointF(self.width() / 2, self.height() / 2)

    def dragging(self) -> bool:
        return self._knob is not None

    # --- gestures -----------------------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt)
        if event.button() == Qt.MouseButton.LeftButton and self.isEnabled():
            self._drag_to(event.position())
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt)
        if self._knob is not None and event.buttons() & Qt.MouseButton.LeftButton:
            self._drag_to(event.position())
        event.accept()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt)
        if event.button() == Qt.MouseButton.LeftButton:
            self.let_go()
        event.accept()

    def let_go(self) -> None:
        """Spring back to the centre: a Stop."""
        if self._knob is None:
            return
        self._knob = None
        self.speeds = (0.0, 0.0)
        self.update()
        self.released.emit()

    def _drag_to(self, position: QPointF) -> None:
        centre = self.centre()
        radius = self.radius()
        dx, dy = position.x() - centre.x(), position.y() - centre.y()
        length = math.hypot(dx, dy)
        if length > radius:
            dx, dy = dx * radius / length, dy * radius / length
        self._knob = QPointF(centre.x() + dx, centre.y() + dy)
        speeds = pad_speeds(dx, dy, radius)
        self.update()
        if speeds != self.speeds:
            self.speeds = speeds
            self.moved.emit(*speeds)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt)
        super().changeEvent(event)
        if not self.isEnabled():
            self.let_go()

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802 (Qt)
        self.let_go()
        super().hideEvent(event)

    # --- drawing ------------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt)
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        centre = self.centre()
        radius = self.radius()
        disc = QRectF(centre.x() - radius, centre.y() - radius, 2 * radius, 2 * radius)
        enabled = self.isEnabled()
        painter.setPen(QPen(_PAD_RING, 2))
        painter.setBrush(_PAD_BACKGROUND)
        painter.drawEllipse(disc)
        painter.setPen(QPen(_PAD_CROSS, 1))
        painter.drawLine(QPointF(centre.x() - radius, centre.y()), QPointF(centre.x() + radius, centre.y()))
        painter.drawLine(QPointF(centre.x(), centre.y() - radius), QPointF(centre.x(), centre.y() + radius))
        dead = radius * DEADZONE
        painter.drawEllipse(centre, dead, dead)
        knob = self._knob or centre
        knob_radius = max(8.0, radius / 6)
        colour = theme.SELECTION if (enabled and self._knob is not None) else theme.IDLE
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(colour)
        painter.drawEllipse(knob, knob_radius, knob_radius)
        painter.end()


class ZoomRockerWidget(QSlider):
    """A vertical rocker: push up to zoom in, down to zoom out, faster further out; springs back."""

    zoom_changed = Signal(float)  # in [-1, 1]; zoom in +

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Vertical, parent)
        self.setRange(-ZOOM_SCALE, ZOOM_SCALE)
        self.setValue(0)
        self.setPageStep(ZOOM_SCALE // 2)
        self.setTickPosition(QSlider.TickPosition.TicksBothSides)
        self.setTickInterval(ZOOM_SCALE)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # arrow keys would leave it deflected
        self.setTracking(True)
        self.valueChanged.connect(self._on_self_value_changed)

    def speed(self) -> float:
        return self.value() / ZOOM_SCALE

    def spring_back(self) -> None:
        if self.value() != 0:
            self.setValue(0)

    def _on_self_value_changed(self, value: int) -> None:
        self.zoom_changed.emit(value / ZOOM_SCALE)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt)
        super().mouseReleaseEvent(event)
        self.spring_back()

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802 (Qt)
        event.ignore()  # a wheel would leave the rocker deflected: zoom by wheel on the picture

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt)
        super().changeEvent(event)
        if not self.isEnabled():
            self.spring_back()

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802 (Qt)
        self.spring_back()
        super().hideEvent(event)
