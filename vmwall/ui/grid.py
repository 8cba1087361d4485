"""The live grid: tiles laid out by a Layout, cameras assigned to them, the keypad, maximise.

Switching layouts keeps the cameras: tile N keeps its camera (and its running player) when the new
layout still has a tile N; cameras of tiles the new layout lacks are remembered and come back when
a larger layout is chosen again. A swap moves the two tile widgets themselves, so both players
keep playing (no reconnection). A maximised tile fills the grid and plays its main stream; the
hidden tiles stop their players until the grid is restored.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime

from PySide6.QtCore import QRect, Qt, Signal
from PySide6.QtGui import QFocusEvent, QKeyEvent, QPainter, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import QWidget

from vmwall.config.settings import Action
from vmwall.model import Layout
from vmwall.ui import theme
from vmwall.ui.keypad import Direction, KeypadEntry, neighbour
from vmwall.ui.services import PlayerHandle
from vmwall.ui.shortcuts import KeyMap
from vmwall.ui.tile import CameraDrop, TileContext, TileWidget
from vmwall.video.status import TileStatus

log = logging.getLogger(__name__)

SPACING_PX = 2

_DIRECTIONS = {
    Action.TILE_LEFT: Direction.LEFT,
    Action.TILE_RIGHT: Direction.RIGHT,
    Action.TILE_UP: Direction.UP,
    Action.TILE_DOWN: Direction.DOWN,
}


class GridWidget(QWidget):
    selection_changed = Signal(int)  # tile index
    contents_changed = Signal()  # layout, cameras, maximised tile: what settings and views save
    tile_status_changed = Signal(object, object)  # (camera number, TileStatus)
    keypad_entry_changed = Signal(str)
    snapshot_requested = Signal(object)  # TileWidget
    notice_posted = Signal(str)  # one line for the status bar

    def __init__(
        self,
        context: TileContext,
        keymap: KeyMap,
        layout: Layout,
        parent: QWidget | None = None,
        grid_id: str | None = None,
    ) -> None:
        super().__init__(parent)
        self.context = context
        self.keymap = keymap
        self.grid_id = grid_id or uuid.uuid4().hex
        self._layout = layout
        self._tiles: list[TileWidget] = []
        self._cameras: list[int | None] = []
        self._selected = 0
        self._maximised: int | None = None
        self.entry = KeypadEntry()
        # A wall screen's grid (not interactive) takes no keyboard and shows no selection.
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus if context.interactive else Qt.FocusPolicy.NoFocus)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setMinimumSize(160, 120)
        self.set_grid_layout(layout)

    # --- reading ------------------------------------------------------------------------------

    def grid_layout(self) -> Layout:
        return self._layout

    def tiles(self) -> list[TileWidget]:
        return list(self._tiles)

    def tile(self, index: int) -> TileWidget:
        return self._tiles[index]

    def cameras(self) -> list[int | None]:
        """The camera of each tile of the current layout (None: empty tile)."""
        return [self._camera_at(i) for i in range(len(self._tiles))]

    def remembered_cameras(self) -> list[int | None]:
        """Every assignment, including those of tiles a smaller layout hides."""
        return list(self._cameras)

    def selected_index(self) -> int:
        return self._selected

    def maximised_index(self) -> int | None:
        return self._maximised

    def _camera_at(self, index: int) -> int | None:
        return self._cameras[index] if index < len(self._cameras) else None

    # --- changing -----------------------------------------------------------------------------

    def set_grid_layout(self, layout: Layout) -> None:
        """Switch layout; tiles that remain keep their cameras and players."""
        self._layout = layout
        count = len(layout.tiles)
        while len(self._tiles) > count:
            self._tiles.pop().retire()
        while len(self._tiles) < count:
            self._tiles.append(self._new_tile())
        self._maximised = None
        for index, tile in enumerate(self._tiles):
            tile.number = index + 1
            tile.set_maximised(False)
            tile.set_suspended(False)
            tile.set_camera(self._camera_at(index))
            tile.show()
        self._selected = min(self._selected, count - 1)
        self._relayout()
        self._show_selection()
        self.contents_changed.emit()

    def _new_tile(self) -> TileWidget:
        tile = TileWidget(self.context, self.grid_id, self)
        tile.clicked.connect(self._on_tile_clicked)
        tile.double_clicked.connect(self._on_tile_double_clicked)
        tile.camera_dropped.connect(self._on_tile_camera_dropped)
        tile.snapshot_requested.connect(self.snapshot_requested)
        tile.remove_requested.connect(self._on_tile_remove_requested)
        tile.maximise_requested.connect(self._on_tile_double_clicked)
        tile.status_changed.connect(self._on_tile_status_changed)
        return tile

    def set_cameras(self, cameras: list[int | None] | tuple[int | None, ...]) -> None:
        """Replace every assignment (a saved view, a restart, ``--cameras``)."""
        self._cameras = list(cameras)
        for index, tile in enumerate(self._tiles):
            tile.set_camera(self._camera_at(index))
        self.contents_changed.emit()

    def assign(self, index: int, camera: int | None) -> None:
        if not 0 <= index < len(self._tiles):
            return
        while len(self._cameras) <= index:
            self._cameras.append(None)
        self._cameras[index] = camera
        self._tiles[index].set_camera(camera)
        self.contents_changed.emit()

    def swap(self, first: int, second: int) -> None:
        """Exchange two tiles' cameras by moving the tile widgets: both players keep playing."""
        if first == second or not (0 <= first < len(self._tiles) and 0 <= second < len(self._tiles)):
            return
        while len(self._cameras) <= max(first, second):
            self._cameras.append(None)
        self._cameras[first], self._cameras[second] = self._cameras[second], self._cameras[first]
        self._tiles[first], self._tiles[second] = self._tiles[second], self._tiles[first]
        for index in (first, second):
            self._tiles[index].number = index + 1
        if self._maximised in (first, second):
            self._maximised = second if self._maximised == first else first
        self._relayout()
        for index in (first, second):
            self._tiles[index].refresh()
        self.contents_changed.emit()

    def select(self, index: int) -> None:
        if not 0 <= index < len(self._tiles):
            return
        if self._maximised is not None and index != self._maximised:
            self._set_maximised(index)  # moving while maximised shows the next tile maximised
        if index != self._selected:
            self._selected = index
            self.selection_changed.emit(index)
        self._show_selection()

    def toggle_maximise(self, index: int | None = None) -> None:
        index = self._selected if index is None else index
        self._set_maximised(None if self._maximised == index else index)
        self.select(index)

    def restore(self) -> None:
        self._set_maximised(None)

    def _set_maximised(self, index: int | None) -> None:
        if index == self._maximised or (index is not None and not 0 <= index < len(self._tiles)):
            return
        self._maximised = index
        for i, tile in enumerate(self._tiles):
            hidden = index is not None and i != index
            tile.set_maximised(i == index)
            tile.setVisible(not hidden)
            tile.set_suspended(hidden)
        self._relayout()
        self.contents_changed.emit()

    def refresh_tiles(self) -> None:
        """The catalogue or the video came up: every tile re-evaluates what it plays."""
        for tile in self._tiles:
            tile.refresh()

    def tick(self, clock: str) -> None:
        for tile in self._tiles:
            if tile.isVisible():
                tile.tick(clock)

    def detach_players(self) -> list[PlayerHandle]:
        """Take every tile's player (to close them all at once when the console quits)."""
        players = [tile.detach_player() for tile in self._tiles]
        return [p for p in players if p is not None]

    # --- geometry -----------------------------------------------------------------------------

    def tile_rect(self, index: int) -> QRect:
        if self._maximised is not None:
            return self.rect()
        tile = self._layout.tiles[index]
        width, height = self.width(), self.height()
        columns, rows = self._layout.columns, self._layout.rows

        def edge(position: int, size: int, count: int) -> int:
            return round(position * size / count)

        left = edge(tile.column, width, columns)
        right = edge(tile.column + tile.column_span, width, columns)
        top = edge(tile.row, height, rows)
        bottom = edge(tile.row + tile.row_span, height, rows)
        half = SPACING_PX // 2
        return QRect(left + half, top + half, right - left - SPACING_PX, bottom - top - SPACING_PX)

    def _relayout(self) -> None:
        for index, tile in enumerate(self._tiles):
            if self._maximised is None or index == self._maximised:
                tile.setGeometry(self.tile_rect(index))

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt)
        self._relayout()
        super().resizeEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt)
        painter = QPainter(self)
        painter.fillRect(self.rect(), theme.TILE_BACKGROUND)
        painter.end()

    # --- selection and focus ------------------------------------------------------------------

    def _show_selection(self) -> None:
        if not self.context.interactive:
            return
        focused = self.hasFocus()
        for index, tile in enumerate(self._tiles):
            tile.set_selected(index == self._selected, focused)

    def focusInEvent(self, event: QFocusEvent) -> None:  # noqa: N802 (Qt)
        self._show_selection()
        super().focusInEvent(event)

    def focusOutEvent(self, event: QFocusEvent) -> None:  # noqa: N802 (Qt)
        self._show_selection()
        super().focusOutEvent(event)

    # --- tile events --------------------------------------------------------------------------

    def _index_of(self, tile: TileWidget) -> int | None:
        try:
            return self._tiles.index(tile)
        except ValueError:
            return None

    def _on_tile_clicked(self, tile: TileWidget) -> None:
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        index = self._index_of(tile)
        if index is not None:
            self.select(index)

    def _on_tile_double_clicked(self, tile: TileWidget) -> None:
        index = self._index_of(tile)
        if index is not None:
            self.toggle_maximise(index)

    def _on_tile_remove_requested(self, tile: TileWidget) -> None:
        index = self._index_of(tile)
        if index is not None:
            self.assign(index, None)

    def _on_tile_camera_dropped(self, tile: TileWidget, drop: CameraDrop) -> None:
        target = self._index_of(tile)
        if target is None:
            return
        if drop.grid == self.grid_id and drop.tile is not None:
            self.swap(drop.tile, target)
        else:
            self.assign(target, drop.camera)
        self.setFocus(Qt.FocusReason.OtherFocusReason)
        self.select(target)

    def _on_tile_status_changed(self, tile: TileWidget, status: TileStatus) -> None:
        self.tile_status_changed.emit(tile.camera, status)

    # --- keypad -------------------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt)
        if self.handle_key(event):
            event.accept()
        else:
            super().keyPressEvent(event)

    def handle_key(self, event: QKeyEvent) -> bool:
        """The keypad: digits build a number, actions use it. True if the key was used."""
        action = self.keymap.keypad_action(event)
        text = event.text()
        plain = not event.modifiers() & (
            Qt.KeyboardModifier.ControlModifier
            | Qt.KeyboardModifier.AltModifier
            | Qt.KeyboardModifier.MetaModifier
        )
        if action is None and plain and len(text) == 1 and text.isdigit():
            if not self.entry.digit(text):
                self.notice_posted.emit(self.tr("Numéro trop long."))
            self.keypad_entry_changed.emit(self.entry.text)
            return True
        if action is None and event.key() == Qt.Key.Key_Backspace and self.entry.text:
            self.entry.backspace()
            self.keypad_entry_changed.emit(self.entry.text)
            return True
        if action is None:
            return False
        self.run_action(action)
        return True

    def run_action(self, action: Action) -> None:
        if action is Action.CALL_CAMERA:
            number = self.entry.take()
            if number is not None:
                self.call_camera(number)
        elif action is Action.SELECT_TILE:
            number = self.entry.take()
            if number is not None:
                if 1 <= number <= len(self._tiles):
                    self.select(number - 1)
                else:
                    self.notice_posted.emit(
                        self.tr("Pas de tuile %1 dans cette disposition.").replace("%1", str(number))
                    )
        elif action in (Action.NEXT_CAMERA, Action.PREVIOUS_CAMERA):
            directory = self.context.directory
            if directory is not None:
                delta = 1 if action is Action.NEXT_CAMERA else -1
                step = directory.step(self._camera_at(self._selected), delta, datetime.now())
                if step is not None:
                    self.assign(self._selected, step)
        elif action in _DIRECTIONS:
            self.select(neighbour(self._layout, self._selected, _DIRECTIONS[action]))
        elif action is Action.MAXIMISE:
            self.toggle_maximise()
        elif action is Action.REMOVE_CAMERA:
            self.assign(self._selected, None)
        elif action is Action.CLEAR_ENTRY:
            self.entry.clear()
        self.keypad_entry_changed.emit(self.entry.text)

    def call_camera(self, number: int, index: int | None = None) -> None:
        """Call camera ``number`` into tile ``index`` (default: the selected one)."""
        index = self._selected if index is None else index
        directory = self.context.directory
        if directory is not None and directory.camera(number) is None:
            self.notice_posted.emit(self.tr("Caméra %1 inconnue.").replace("%1", str(number)))
        self.assign(index, number)
