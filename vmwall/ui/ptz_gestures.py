"""PTZ gestures on the selected tile's picture: click to centre, drag a box to zoom, wheel to zoom.

A left press on the picture of a tile that takes gestures (``active(tile)``) begins a gesture
instead of a camera drag (the banner still drags the camera). Released without moving, it is a
click: the point is centred once a double click is ruled out (a double click maximises the tile
and must not move the camera). Dragged, it draws a box over the video (``BoxFrame``) and, released,
zooms into it. Wheel notches within ``WHEEL_FLUSH_MS`` become one zoom request. Points are handed
on normalised to the picture (``vmwall.ui.ptz_overlay.normalise``: x right +, y up +).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QPoint, QRect, Qt, QTimer
from PySide6.QtGui import QMouseEvent, QWheelEvent
from PySide6.QtWidgets import QApplication

from vmwall.ui.ptz_overlay import DEFAULT_PICTURE_ASPECT, BoxFrame, box_between, normalise, picture_rect
from vmwall.ui.tile import TileWidget

WHEEL_FLUSH_MS = 60


class _Press:
    def __init__(self, tile: TileWidget, camera: int, start: QPoint, picture: QRect) -> None:
        self.tile = tile
        self.camera = camera
        self.start = start
        self.picture = picture
        self.box: BoxFrame | None = None

    def finish(self) -> None:
        if self.box is not None:
            self.box.delete()
            self.box = None


class PtzGestures(QObject):
    def __init__(
        self,
        active: Callable[[TileWidget], bool],
        centre: Callable[[int, float, float], None],
        zoom_box: Callable[[int, float, float, float, float], None],
        zoom: Callable[[int, float], None],
        parent: QObject | None = None,
    ) -> None:
        """``centre(camera, x, y)``, ``zoom_box(camera, x0, y0, x1, y1)``, ``zoom(camera, notches)``."""
        super().__init__(parent)
        self._active = active
        self._centre = centre
        self._zoom_box = zoom_box
        self._zoom = zoom
        self._press: _Press | None = None
        self._click: tuple[int, float, float] | None = None
        self._notches: tuple[int, float] | None = None
        self._click_timer = QTimer(self)
        self._click_timer.setSingleShot(True)
        self._click_timer.timeout.connect(self._on_click_timer_timeout)
        self._wheel_timer = QTimer(self)
        self._wheel_timer.setSingleShot(True)
        self._wheel_timer.setInterval(WHEEL_FLUSH_MS)
        self._wheel_timer.timeout.connect(self._on_wheel_timer_timeout)

    def press(self, tile: TileWidget, event: QMouseEvent) -> bool:
        if event.button() != Qt.MouseButton.LeftButton or tile.camera is None or not self._active(tile):
            return False
        point = event.position().toPoint()
        if tile.banner.isVisible() and tile.banner.geometry().contains(point):
            return False  # the banner still drags the camera to another tile
        self.cancel()
        picture = picture_rect(tile.front_surface().geometry(), DEFAULT_PICTURE_ASPECT)
        self._press = _Press(tile, tile.camera, point, picture)
        return True

    def move(self, tile: TileWidget, event: QMouseEvent) -> bool:
        press = self._press
        if press is None or press.tile is not tile:
            return False
        point = event.position().toPoint()
        if press.box is None and (point - press.start).manhattanLength() < QApplication.startDragDistance():
            return True
        if press.box is None:
            press.box = BoxFrame(tile)
        press.box.show(box_between(press.start, point).intersected(press.picture))
        return True

    def release(self, tile: TileWidget, event: QMouseEvent) -> None:
        press = self._press
        if press is None or press.tile is not tile or event.button() != Qt.MouseButton.LeftButton:
            return
        self._press = None
        dragged = press.box is not None
        press.finish()
        if tile.camera != press.camera:
            return
        point = event.position().toPoint()
        if dragged:
            x0, y0 = normalise(press.start, press.picture)
            x1, y1 = normalise(point, press.picture)
            self._zoom_box(press.camera, x0, y0, x1, y1)
        else:
            x, y = normalise(point, press.picture)
            self._click = (press.camera, x, y)
            self._click_timer.start(QApplication.doubleClickInterval())

    def double_click(self, tile: TileWidget) -> None:
        """The click was the first of a double click (maximise): it centres nothing."""
        self._click = None
        self._click_timer.stop()
        if self._press is not None:
            self._press.finish()
            self._press = None

    def wheel(self, tile: TileWidget, event: QWheelEvent) -> bool:
        if tile.camera is None or not self._active(tile):
            return False
        delta = event.angleDelta().y()
        if not delta:
            return False
        camera = tile.camera
        notches = delta / 120 + (self._notches[1] if self._notches and self._notches[0] == camera else 0.0)
        self._notches = (camera, notches)
        if not self._wheel_timer.isActive():
            self._wheel_timer.start()
        return True

    def cancel(self) -> None:
        """Forget any gesture in progress or waiting (another tile, panel closed, focus lost)."""
        self._click = None
        self._click_timer.stop()
        self._notches = None
        self._wheel_timer.stop()
        if self._press is not None:
            self._press.finish()
            self._press = None

    def busy(self) -> bool:
        return self._press is not None

    def _on_click_timer_timeout(self) -> None:
        click, self._click = self._click, None
        if click is not None:
            self._centre(*click)

    def _on_wheel_timer_timeout(self) -> None:
        notches, self._notches = self._notches, None
        if notches is not None and notches[1]:
            self._zoom(*notches)
