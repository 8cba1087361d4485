"""The wall drawn as its physical arrangement of screens, with the live mirror behind each tile grid.

Each screen sits in its grid cell (``ScreenGeometry.column``/``row``) at its relative pixel size; a
column is as wide as its widest screen, a row as tall as its tallest, with a bezel gap between them.
On each screen: the node's latest thumbnail, the layout's tiles over it with the camera number and
name and the tile's state from the node (playing, lost, fps), the node and screen name, the alarm
screen's red frame, and a veil when the node is offline or the controller unreachable.

A camera the console's account may not see live (another commune, no live right, storage-only...)
is never shown: its tile's part of the thumbnail is painted over and its name is left out.

Drops (cameras, layouts, saved views) and the context menu are reported as signals; the panel turns
them into commands. Painting reads only what ``set_snapshot`` stored: no I/O.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import QPoint, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QContextMenuEvent,
    QDrag,
    QDragEnterEvent,
    QDragLeaveEvent,
    QDragMoveEvent,
    QDropEvent,
    QFont,
    QFontMetrics,
    QImage,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
)
from PySide6.QtWidgets import QApplication, QSizePolicy, QWidget

from vmwall.config.layouts import LayoutSet
from vmwall.model import Layout
from vmwall.model.wall import (
    NodeStatus,
    ScreenContent,
    ScreenGeometry,
    ScreenRef,
    TileState,
    TileStatus,
    WallSnapshot,
)
from vmwall.ui import theme
from vmwall.ui.directory import Directory
from vmwall.ui.tile import CameraDrop, camera_mime
from vmwall.ui.wall_mime import LayoutDrop, ViewDrop, read_wall_drop, wall_grid_id

DEFAULT_SCREEN = (1920, 1080)  # a screen the controller knows content for but no geometry
GAP_FRACTION = 0.04  # bezel gap between screens, of the mean column width
MARGIN_PX = 6
ALARM = QColor("#e5484d")
DROP_TARGET = QColor(91, 155, 213, 110)
MASK = QColor("#1a1d22")
TILE_LINE = QColor(255, 255, 255, 70)
OFFLINE_VEIL = QColor(0, 0, 0, 170)
SCREEN_BACKGROUND = QColor("#08090b")
_GRID_NAME = re.compile(r"^(\d{1,2})x(\d{1,2})$")
_TILE_COLOURS = {
    TileState.PLAYING: theme.LIVE,
    TileState.CONNECTING: theme.CONNECTING,
    TileState.LOST: theme.LOST,
    TileState.NOT_AUTHORISED: theme.REFUSED,
    TileState.EMPTY: theme.IDLE,
}


# --------------------------------------------------------------------------- geometry (pure)


@dataclass(frozen=True, slots=True)
class ScreenBox:
    """A screen placed in the wall's own units (its screens' pixels, bezel gaps included)."""

    ref: ScreenRef
    x: float
    y: float
    width: float
    height: float
    column: int
    row: int
    label: str = ""


@dataclass(frozen=True, slots=True)
class Arrangement:
    boxes: tuple[ScreenBox, ...]
    width: float
    height: float

    def fit(self, width: float, height: float, margin: float = MARGIN_PX) -> dict[ScreenRef, QRectF]:
        """Each screen's rectangle in a widget of this size: scaled to fit, aspect kept, centred."""
        if not self.boxes or self.width <= 0 or self.height <= 0:
            return {}
        avail_w, avail_h = max(1.0, width - 2 * margin), max(1.0, height - 2 * margin)
        scale = min(avail_w / self.width, avail_h / self.height)
        left = (width - self.width * scale) / 2
        top = (height - self.height * scale) / 2
        return {
            b.ref: QRectF(left + b.x * scale, top + b.y * scale, b.width * scale, b.height * scale)
            for b in self.boxes
        }


def arrange(geometry: Iterable[ScreenGeometry], extra: Iterable[ScreenRef] = ()) -> Arrangement:
    """Place screens in their column/row cells at their relative sizes.

    Two screens claiming the same cell are put side by side (the second in the next free cell of
    its row); screens with content but no geometry (a node that never registered) go in a row of
    their own below, at a default size.
    """
    items = sorted(geometry, key=lambda g: (g.row, g.column, g.ref))
    known = {g.ref for g in items}
    cells: dict[ScreenRef, tuple[int, int, float, float, str]] = {}
    occupied: set[tuple[int, int]] = set()
    if items:
        min_column = min(g.column for g in items)
        min_row = min(g.row for g in items)
        for g in items:
            if g.ref in cells:
                continue
            column, row = max(0, g.column - min_column), max(0, g.row - min_row)
            while (column, row) in occupied:
                column += 1
            occupied.add((column, row))
            cells[g.ref] = (column, row, float(max(1, g.width_px)), float(max(1, g.height_px)), g.label)
    orphans = sorted({r for r in extra if r not in known})
    if orphans:
        row = max((r for _c, r in occupied), default=-1) + 1
        for column, ref in enumerate(orphans):
            cells[ref] = (column, row, float(DEFAULT_SCREEN[0]), float(DEFAULT_SCREEN[1]), "")
    if not cells:
        return Arrangement((), 0.0, 0.0)
    columns = max(c[0] for c in cells.values()) + 1
    rows = max(c[1] for c in cells.values()) + 1
    widths = [max((c[2] for c in cells.values() if c[0] == i), default=0.0) for i in range(columns)]
    heights = [max((c[3] for c in cells.values() if c[1] == i), default=0.0) for i in range(rows)]
    mean_w = sum(w for w in widths if w) / max(1, sum(1 for w in widths if w))
    mean_h = sum(h for h in heights if h) / max(1, sum(1 for h in heights if h))
    widths = [w or mean_w for w in widths]  # a hole in the wall keeps its place
    heights = [h or mean_h for h in heights]
    gap = GAP_FRACTION * mean_w
    xs = [sum(widths[:i]) + i * gap for i in range(columns)]
    ys = [sum(heights[:i]) + i * gap for i in range(rows)]
    boxes = tuple(
        ScreenBox(
            ref,
            xs[column] + (widths[column] - width) / 2,
            ys[row] + (heights[row] - height) / 2,
            width,
            height,
            column,
            row,
            label,
        )
        for ref, (column, row, width, height, label) in sorted(cells.items())
    )
    return Arrangement(boxes, xs[-1] + widths[-1], ys[-1] + heights[-1])


def resolve_layout(name: str, tiles: int, layouts: LayoutSet | None) -> Layout:
    """The layout a screen shows: the console's of that name, else a grid guessed from the name or count."""
    layout = layouts.get(name) if layouts is not None else None
    if layout is not None:
        return layout
    match = _GRID_NAME.match(name.strip())
    if match and 1 <= int(match[1]) <= 12 and 1 <= int(match[2]) <= 12:
        return Layout.grid(int(match[1]), int(match[2]), name)
    count = max(1, min(144, tiles))
    columns = math.ceil(math.sqrt(count))
    return Layout.grid(math.ceil(count / columns), columns, name)


def tile_rects(layout: Layout, rect: QRectF) -> list[QRectF]:
    cell_w, cell_h = rect.width() / layout.columns, rect.height() / layout.rows
    return [
        QRectF(
            rect.x() + t.column * cell_w,
            rect.y() + t.row * cell_h,
            t.column_span * cell_w,
            t.row_span * cell_h,
        )
        for t in layout.tiles
    ]


def cameras_for_layout(cameras: Iterable[int | None], layout: Layout) -> list[int | None]:
    """A layout applied to a screen keeps each tile's camera where the new layout has that tile."""
    kept = list(cameras)[: len(layout.tiles)]
    return kept + [None] * (len(layout.tiles) - len(kept))


# --------------------------------------------------------------------------- the widget


@dataclass(frozen=True, slots=True)
class _Screen:
    ref: ScreenRef
    label: str
    content: ScreenContent | None
    layout: Layout | None
    tiles: tuple[TileStatus, ...]
    node: NodeStatus | None


class WallViewWidget(QWidget):
    """Draws the wall; reports drops, clicks and context menus on screens and tiles."""

    camera_dropped = Signal(object, int, object)  # (ScreenRef, tile index, CameraDrop)
    layout_dropped = Signal(object, object)  # (ScreenRef, LayoutDrop)
    view_dropped = Signal(object, object)  # (ScreenRef, ViewDrop)
    screen_selected = Signal(object)  # ScreenRef
    menu_requested = Signal(object, object, QPoint)  # (ScreenRef, tile index or None, global position)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("wallView")
        self.setAcceptDrops(True)
        self.setMinimumSize(240, 120)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMouseTracking(True)
        self.snapshot: WallSnapshot | None = None
        self.layouts: LayoutSet | None = None
        self.directory: Directory | None = None
        self.connected = False
        self.placeholder = ""  # shown instead of the wall (no controller, nothing registered...)
        self.commands_enabled = True
        self.selected: ScreenRef | None = None
        self._arrangement = Arrangement((), 0.0, 0.0)
        self._arranged: object = None  # what the arrangement was made from
        self._screens: dict[ScreenRef, _Screen] = {}
        self._images: dict[str, tuple[bytes, QImage]] = {}
        self._hover: tuple[ScreenRef, int | None] | None = None
        self._press: tuple[QPointF, ScreenRef, int | None] | None = None
        self._visibility: dict[int, bool] = {}
        self._visibility_of: Directory | None = None
        self._visibility_minute: datetime | None = None
        # Words painted on every tile, translated once.
        self._empty_tile = self.tr("%1 · vide")
        self._hidden_tile = self.tr("%1 · non autorisée")
        self._fps = self.tr(" · %1 i/s")
        self._lost = self.tr(" · perdue")

    # --- state ---------------------------------------------------------------------------------

    def set_snapshot(
        self, snapshot: WallSnapshot | None, layouts: LayoutSet | None, directory: Directory | None
    ) -> None:
        self.snapshot, self.layouts, self.directory = snapshot, layouts, directory
        self._screens = {}
        if snapshot is None:
            self._arrangement, self._arranged = Arrangement((), 0.0, 0.0), None
            self._images.clear()
            self.update()
            return
        contents = dict(snapshot.screens)
        shape = (snapshot.geometry, frozenset(contents))
        if shape != self._arranged:  # nodes report every second; the wall's shape seldom changes
            self._arrangement = arrange(snapshot.geometry, contents)
            self._arranged = shape
        labels = {g.ref: g.label for g in snapshot.geometry}
        nodes = {n.name: n for n in snapshot.nodes}
        statuses = {ref: tiles for n in snapshot.nodes for ref, tiles in n.tiles}
        for box in self._arrangement.boxes:
            content = contents.get(box.ref)
            layout = (
                resolve_layout(content.layout, len(content.cameras), layouts) if content is not None else None
            )
            self._screens[box.ref] = _Screen(
                box.ref,
                labels.get(box.ref) or "",
                content,
                layout,
                statuses.get(box.ref, ()),
                nodes.get(box.ref.node),
            )
        self._decode_thumbnails(snapshot.thumbnails)
        if self.selected is not None and self.selected not in self._screens:
            self.selected = None
        self.update()

    def _decode_thumbnails(self, thumbnails: dict[str, bytes]) -> None:
        images: dict[str, tuple[bytes, QImage]] = {}
        for key, data in thumbnails.items():
            cached = self._images.get(key)
            if cached is not None and cached[0] == data:
                images[key] = cached
                continue
            image = QImage.fromData(data)
            if not image.isNull():
                images[key] = (data, image)
        self._images = images

    def set_link(self, connected: bool) -> None:
        if connected != self.connected:
            self.connected = connected
            self.update()

    def set_placeholder(self, text: str) -> None:
        self.placeholder = text
        self.update()

    def set_commands_enabled(self, enabled: bool) -> None:
        self.commands_enabled = enabled
        self.setAcceptDrops(enabled)

    def select(self, ref: ScreenRef | None) -> None:
        self.selected = ref
        self.update()

    # --- geometry queries (also for tests) --------------------------------------------------

    def screen_rects(self) -> dict[ScreenRef, QRectF]:
        return self._arrangement.fit(self.width(), self.height())

    def screen_rect(self, ref: ScreenRef) -> QRectF | None:
        return self.screen_rects().get(ref)

    def tile_rect(self, ref: ScreenRef, tile: int) -> QRectF | None:
        rect = self.screen_rect(ref)
        screen = self._screens.get(ref)
        if rect is None or screen is None or screen.layout is None:
            return None
        rects = tile_rects(screen.layout, rect)
        return rects[tile] if 0 <= tile < len(rects) else None

    def hit(self, point: QPointF) -> tuple[ScreenRef, int | None] | None:
        """The screen (and tile, when the screen has a layout) under a point."""
        for ref, rect in self.screen_rects().items():
            if rect.contains(point):
                screen = self._screens.get(ref)
                if screen is None or screen.layout is None:
                    return ref, None
                for index, tile in enumerate(tile_rects(screen.layout, rect)):
                    if tile.contains(point):
                        return ref, index
                return ref, None
        return None

    def camera_at(self, ref: ScreenRef, tile: int | None) -> int | None:
        screen = self._screens.get(ref)
        if screen is None or screen.content is None or tile is None:
            return None
        cameras = screen.content.cameras
        return cameras[tile] if 0 <= tile < len(cameras) else None

    def may_show(self, camera: int) -> bool:
        """Whether the console's account may see this camera live (commune scoping, forfait, rights).

        Worked out once per camera, catalogue and minute (live hours change on the minute)."""
        visible = self._visibility.get(camera) if self._check_visibility() else None
        if visible is None:
            directory = self.directory
            visible = directory is not None and directory.refusal(camera, datetime.now()) is None
            self._visibility[camera] = visible
        return visible

    def _check_visibility(self) -> bool:
        """Forget what was worked out when the catalogue changed or a minute began; True if kept."""
        minute = datetime.now().replace(second=0, microsecond=0)
        if self._visibility_of is self.directory and self._visibility_minute == minute:
            return True
        self._visibility_of, self._visibility_minute = self.directory, minute
        self._visibility.clear()
        return False

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt)
        return QSize(560, 260)

    # --- painting --------------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt)
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        painter.fillRect(self.rect(), self.palette().window())
        rects = self.screen_rects()
        if self.placeholder or not rects:
            painter.setPen(theme.MESSAGE_TEXT)
            text = self.placeholder or self.tr(
                "Aucun écran : aucun nœud du mur ne s'est encore annoncé au contrôleur."
            )
            painter.drawText(
                QRectF(self.rect()).adjusted(12, 12, -12, -12),
                int(Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap),
                text,
            )
            painter.end()
            return
        alarm = self.snapshot.alarm_screen if self.snapshot is not None else None
        for ref, rect in rects.items():
            self._paint_screen(painter, self._screens[ref], rect, alarm == ref)
        if not self.connected:
            painter.fillRect(self.rect(), QColor(0, 0, 0, 110))
            self._badge(painter, QRectF(self.rect()), self.tr("contrôleur injoignable — dernier état connu"))
        painter.end()

    def _paint_screen(self, painter: QPainter, screen: _Screen, rect: QRectF, is_alarm: bool) -> None:
        painter.fillRect(rect, SCREEN_BACKGROUND)
        image = self._images.get(screen.ref.key)
        if image is not None:
            painter.drawImage(rect, image[1])
        layout, content = screen.layout, screen.content
        tiles = tile_rects(layout, rect) if layout is not None else []
        font = QFont(self.font())
        pixel = int(max(8, min(13, (tiles[0].height() if tiles else rect.height()) / 6)))
        font.setPixelSize(pixel)
        painter.setFont(font)
        metrics = QFontMetrics(font)
        offline = screen.node is None or not screen.node.online
        cameras = content.cameras if content is not None else ()
        for index, tile in enumerate(tiles):
            camera = cameras[index] if index < len(cameras) else None
            if camera is not None and not self.may_show(camera):
                painter.fillRect(tile, MASK)  # never show a camera the account may not see
        painter.setPen(TILE_LINE)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRects(tiles)
        if tiles and tiles[0].height() >= metrics.height() + 4 and tiles[0].width() >= 24:
            for index, tile in enumerate(tiles):
                camera = cameras[index] if index < len(cameras) else None
                # An offline node's last tile report is stale: no state is shown for it.
                status = screen.tiles[index] if index < len(screen.tiles) and not offline else None
                self._paint_caption(painter, tile, index, camera, status, metrics)
        if self._hover is not None and self._hover[0] == screen.ref:
            target = (
                tiles[self._hover[1]] if self._hover[1] is not None and self._hover[1] < len(tiles) else rect
            )
            painter.fillRect(target, DROP_TARGET)
        if offline:
            painter.fillRect(rect, OFFLINE_VEIL)
            self._badge(
                painter,
                rect,
                self.tr("hors ligne") if screen.node is not None else self.tr("nœud inconnu"),
                theme.LOST,
            )
        if content is None and not offline:
            painter.setPen(theme.MESSAGE_TEXT)
            painter.drawText(rect, int(Qt.AlignmentFlag.AlignCenter), self.tr("écran vide"))
        # The screen's name, top left.
        name = screen.label or self.tr("%1 · écran %2").replace("%1", screen.ref.node).replace(
            "%2", str(screen.ref.index + 1)
        )
        if is_alarm:
            name = self.tr("ALARME — %1").replace("%1", name)
        label_rect = QRectF(
            rect.x() + 1, rect.y() + 1, metrics.horizontalAdvance(name) + 8, metrics.height() + 2
        )
        label_rect = label_rect.intersected(rect)
        painter.fillRect(label_rect, ALARM if is_alarm else theme.BANNER_BACKGROUND)
        painter.setPen(theme.BANNER_TEXT)
        painter.drawText(label_rect.adjusted(4, 0, 0, 0), int(Qt.AlignmentFlag.AlignVCenter), name)
        # The frame: red for the alarm screen, amber when selected.
        colour = (
            ALARM if is_alarm else (theme.SELECTION if screen.ref == self.selected else QColor("#3a4048"))
        )
        width = 3 if is_alarm or screen.ref == self.selected else 1
        painter.setPen(QPen(colour, width))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(rect.adjusted(width / 2, width / 2, -width / 2, -width / 2))

    def _paint_caption(
        self,
        painter: QPainter,
        rect: QRectF,
        index: int,
        camera: int | None,
        status: TileStatus | None,
        metrics: QFontMetrics,
    ) -> None:
        visible = camera is not None and self.may_show(camera)
        if rect.height() < metrics.height() + 4 or rect.width() < 24:
            return
        if camera is None:
            text = self._empty_tile.replace("%1", str(index + 1))
        elif visible and self.directory is not None:
            found = self.directory.camera(camera)
            text = f"{camera} · {found.name}" if found is not None else str(camera)
        else:
            text = self._hidden_tile.replace("%1", str(camera))
        if status is not None and status.state is TileState.PLAYING and status.fps > 0:
            text += self._fps.replace("%1", f"{status.fps:.0f}")
        elif status is not None and status.state is TileState.LOST:
            text += self._lost
        dot = metrics.height() * 0.5
        text = metrics.elidedText(text, Qt.TextElideMode.ElideRight, int(rect.width() - dot - 10))
        band = QRectF(
            rect.x() + 1, rect.bottom() - metrics.height() - 2, rect.width() - 2, metrics.height() + 1
        )
        painter.fillRect(
            QRectF(
                band.x(),
                band.y(),
                min(band.width(), metrics.horizontalAdvance(text) + dot + 10),
                band.height(),
            ),
            QColor(12, 14, 17, 200),
        )
        if status is not None and camera is not None:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(_TILE_COLOURS.get(status.state, theme.IDLE))
            painter.drawEllipse(QRectF(band.x() + 3, band.center().y() - dot / 2, dot, dot))
        painter.setPen(theme.BANNER_TEXT)
        painter.drawText(band.adjusted(dot + 6, 0, 0, 0), int(Qt.AlignmentFlag.AlignVCenter), text)

    def _badge(self, painter: QPainter, rect: QRectF, text: str, colour: QColor = theme.MESSAGE_TEXT) -> None:
        metrics = QFontMetrics(painter.font())
        width = min(rect.width() - 4, metrics.horizontalAdvance(text) + 16)
        box = QRectF(
            rect.center().x() - width / 2, rect.center().y() - metrics.height(), width, metrics.height() * 2
        )
        painter.fillRect(box, QColor(12, 14, 17, 230))
        painter.setPen(colour)
        painter.drawText(
            box,
            int(Qt.AlignmentFlag.AlignCenter),
            metrics.elidedText(text, Qt.TextElideMode.ElideRight, int(width - 8)),
        )

    # --- mouse -----------------------------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt)
        hit = self.hit(event.position())
        if hit is None:
            self._press = None
            return
        self._press = (event.position(), hit[0], hit[1])
        if event.button() == Qt.MouseButton.LeftButton:
            self.select(hit[0])
            self.screen_selected.emit(hit[0])

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt)
        press = self._press
        if press is None or not event.buttons() & Qt.MouseButton.LeftButton:
            return
        if (event.position() - press[0]).manhattanLength() < QApplication.startDragDistance():
            return
        self._press = None
        _point, ref, tile = press
        camera = self.camera_at(ref, tile)
        if camera is None or tile is None or not self.may_show(camera):
            return
        drag = QDrag(self)
        drag.setMimeData(camera_mime(camera, wall_grid_id(ref), tile))
        drag.exec(Qt.DropAction.CopyAction | Qt.DropAction.MoveAction, Qt.DropAction.CopyAction)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt)
        self._press = None

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:  # noqa: N802 (Qt)
        hit = self.hit(QPointF(event.pos()))
        if hit is not None:
            self.select(hit[0])
            self.screen_selected.emit(hit[0])
            self.menu_requested.emit(hit[0], hit[1], event.globalPos())

    # --- drops -----------------------------------------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 (Qt)
        if self.commands_enabled and read_wall_drop(event.mimeData()) is not None:
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:  # noqa: N802 (Qt)
        drop = read_wall_drop(event.mimeData()) if self.commands_enabled else None
        hit = self.hit(event.position()) if drop is not None else None
        hover = None
        if hit is not None:
            hover = (hit[0], hit[1] if isinstance(drop, CameraDrop) else None)
        if hover != self._hover:
            self._hover = hover
            self.update()
        if hit is None:
            event.ignore()
        else:
            event.acceptProposedAction()

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:  # noqa: N802 (Qt)
        self._hover = None
        self.update()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 (Qt)
        self._hover = None
        self.update()
        drop = read_wall_drop(event.mimeData()) if self.commands_enabled else None
        hit = self.hit(event.position()) if drop is not None else None
        if hit is None or drop is None:
            event.ignore()
            return
        event.acceptProposedAction()
        ref, tile = hit
        if isinstance(drop, CameraDrop):
            self.camera_dropped.emit(ref, tile if tile is not None else 0, drop)
        elif isinstance(drop, LayoutDrop):
            self.layout_dropped.emit(ref, drop)
        elif isinstance(drop, ViewDrop):
            self.view_dropped.emit(ref, drop)
