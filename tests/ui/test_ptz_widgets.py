"""The PTZ panel's own widgets, alone: the pad, the zoom rocker, the picture geometry, the box frame."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, QRect, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication, QWidget

from vmwall.ui.ptz_overlay import BoxFrame, box_between, normalise, picture_rect
from vmwall.ui.ptz_pad import DEADZONE, PtzPadWidget, ZoomRockerWidget, pad_speeds


def send_mouse(widget: QWidget, kind: QEvent.Type, pos: QPoint, buttons: Qt.MouseButton) -> None:
    """A mouse event as Qt delivers it (QTest's moves carry no pressed buttons)."""
    button = Qt.MouseButton.LeftButton if kind != QEvent.Type.MouseMove else Qt.MouseButton.NoButton
    event = QMouseEvent(
        kind,
        QPointF(pos),
        QPointF(widget.mapToGlobal(pos)),
        button,
        buttons,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(widget, event)


def test_pad_speeds_are_proportional_to_the_distance_and_capped() -> None:
    assert pad_speeds(50, 0, 100) == (0.5, 0.0)
    assert pad_speeds(-100, 0, 100) == (-1.0, 0.0)
    assert pad_speeds(0, -25, 100) == (0.0, 0.25)  # widget y goes down, tilt up is +
    assert pad_speeds(0, 80, 100) == (0.0, -0.8)
    assert pad_speeds(300, 400, 100) == (0.6, -0.8)  # beyond the rim: full speed, same direction
    assert pad_speeds(100 * DEADZONE * 0.9, 0, 100) == (0.0, 0.0)
    assert pad_speeds(10, 10, 0) == (0.0, 0.0)


def test_pad_drag_reports_speeds_and_release_springs_back(qtbot: Any) -> None:
    pad = PtzPadWidget()
    qtbot.addWidget(pad)
    pad.resize(212, 212)
    pad.show()
    qtbot.waitExposed(pad)
    moves: list[tuple[float, float]] = []
    releases: list[bool] = []
    pad.moved.connect(lambda pan, tilt: moves.append((pan, tilt)))
    pad.released.connect(lambda: releases.append(True))
    centre = QPoint(106, 106)
    radius = pad.radius()
    assert radius == pytest.approx(100)
    send_mouse(pad, QEvent.Type.MouseButtonPress, centre, Qt.MouseButton.LeftButton)
    assert moves == []  # the centre is the dead zone: nothing to send
    send_mouse(pad, QEvent.Type.MouseMove, centre + QPoint(50, 0), Qt.MouseButton.LeftButton)
    send_mouse(pad, QEvent.Type.MouseMove, centre + QPoint(0, -100), Qt.MouseButton.LeftButton)
    send_mouse(pad, QEvent.Type.MouseMove, centre + QPoint(0, -300), Qt.MouseButton.LeftButton)
    assert moves == [(0.5, 0.0), (0.0, 1.0)]  # a drag past the rim changes nothing
    assert pad.dragging()
    send_mouse(pad, QEvent.Type.MouseButtonRelease, centre + QPoint(0, -300), Qt.MouseButton.NoButton)
    assert releases == [True] and not pad.dragging() and pad.speeds == (0.0, 0.0)
    # Disabled or hidden mid-drag: it lets go too (a Stop), once.
    send_mouse(pad, QEvent.Type.MouseButtonPress, centre + QPoint(-80, 0), Qt.MouseButton.LeftButton)
    assert moves[-1] == (-0.8, 0.0)
    pad.setEnabled(False)
    pad.setEnabled(True)
    assert releases == [True, True]
    send_mouse(pad, QEvent.Type.MouseButtonPress, centre + QPoint(-80, 0), Qt.MouseButton.LeftButton)
    pad.hide()
    assert releases == [True, True, True]


def test_zoom_rocker_springs_back_and_ignores_the_wheel(qtbot: Any) -> None:
    rocker = ZoomRockerWidget()
    qtbot.addWidget(rocker)
    rocker.resize(30, 160)
    rocker.show()
    qtbot.waitExposed(rocker)
    speeds: list[float] = []
    rocker.zoom_changed.connect(speeds.append)
    rocker.setValue(60)
    assert speeds == [0.6]
    send_mouse(rocker, QEvent.Type.MouseButtonRelease, QPoint(15, 40), Qt.MouseButton.NoButton)
    assert speeds == [0.6, 0.0] and rocker.value() == 0
    qtbot.wait(1)
    from PySide6.QtGui import QWheelEvent

    wheel = QWheelEvent(
        QPointF(15, 80),
        QPointF(rocker.mapToGlobal(QPoint(15, 80))),
        QPoint(),
        QPoint(0, 120),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(rocker, wheel)
    assert rocker.value() == 0  # a wheel would leave it deflected: the picture takes the wheel
    rocker.setValue(-100)
    rocker.setEnabled(False)
    assert rocker.value() == 0 and speeds[-1] == 0.0


def test_picture_rect_keeps_the_aspect_ratio() -> None:
    wide = picture_rect(QRect(0, 0, 400, 100), 16 / 9)  # bars left and right
    assert (wide.width(), wide.height()) == (178, 100) and wide.left() == 111
    tall = picture_rect(QRect(10, 20, 160, 300), 16 / 9)  # bars above and below
    assert (tall.width(), tall.height()) == (160, 90) and tall.top() == 20 + 105
    assert picture_rect(QRect(0, 0, 0, 0)) == QRect(0, 0, 0, 0)


def test_normalise_maps_the_picture_to_minus_one_one_with_y_up() -> None:
    picture = QRect(100, 50, 200, 100)
    assert normalise(QPoint(200, 100), picture) == (0.0, 0.0)
    assert normalise(QPoint(300, 50), picture) == (1.0, 1.0)  # top right corner
    assert normalise(QPoint(100, 150), picture) == (-1.0, -1.0)  # bottom left
    assert normalise(QPoint(150, 125), picture) == (-0.5, -0.5)
    assert normalise(QPoint(0, 400), picture) == (-1.0, -1.0)  # in the bars: brought to the edge


def test_box_frame_is_drawn_with_native_windows_above_the_video(qtbot: Any) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    parent.resize(320, 180)
    video = QWidget(parent)
    video.setAttribute(Qt.WidgetAttribute.WA_NativeWindow)
    video.setGeometry(0, 0, 320, 180)
    parent.show()
    qtbot.waitExposed(parent)
    box = BoxFrame(parent)
    box.show(box_between(QPoint(200, 120), QPoint(40, 30)))  # dragged up and to the left
    assert box.visible() and box.rect == QRect(40, 30, 161, 91)
    edges = [child for child in parent.children() if isinstance(child, QWidget) and child is not video]
    assert len(edges) == 4
    assert all(edge.testAttribute(Qt.WidgetAttribute.WA_NativeWindow) for edge in edges)
    assert {edge.geometry().top() for edge in edges} >= {30}
    box.hide()
    assert not box.visible()
    box.delete()
