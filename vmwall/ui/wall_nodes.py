"""Each wall node's state: online or offline, last heartbeat age, CPU, and per tile playing/lost/fps.

Nodes report every second, so this tree changes all the time on a big wall (24 nodes of 2 screens
of 16 tiles: 800 rows). It is redrawn at most once a second, rebuilt only when the nodes, screens or
tile counts change (otherwise only the texts that differ are set), not at all while the tab is
hidden (it catches up when shown), and a screen's tile rows only while that screen is open.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QBrush, QColor, QShowEvent
from PySide6.QtWidgets import QHeaderView, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from vmwall.model.wall import NodeStatus, ScreenRef, TileState, TileStatus
from vmwall.ui import theme

RENDER_INTERVAL_MS = 1000
REF_ROLE = Qt.ItemDataRole.UserRole
_STATE_COLOURS = {
    TileState.PLAYING: theme.LIVE,
    TileState.CONNECTING: theme.CONNECTING,
    TileState.LOST: theme.LOST,
    TileState.NOT_AUTHORISED: theme.REFUSED,
    TileState.EMPTY: theme.IDLE,
}

# (node, ((screen, tile count), ...)) for every node: what the tree's rows are made of.
_Shape = tuple[tuple[str, tuple[tuple[ScreenRef, int], ...]], ...]


def _screens_of(node: NodeStatus) -> list[tuple[ScreenRef, tuple[TileStatus, ...]]]:
    tiles = dict(node.tiles)
    return [(ref, tiles.get(ref, ())) for ref in sorted({g.ref for g in node.screens} | set(tiles))]


def _set(item: QTreeWidgetItem | None, column: int, text: str, colour: QColor | None = None) -> None:
    if item is None:
        return
    if item.text(column) != text:
        item.setText(column, text)
    if colour is not None and item.foreground(column).color() != colour:
        item.setForeground(column, QBrush(colour))


class WallNodesWidget(QWidget):
    """A tree: one row per node, one child per screen, one grandchild per tile."""

    def __init__(self, parent: QWidget | None = None, clock: Callable[[], float] = time.time) -> None:
        super().__init__(parent)
        self.clock = clock
        self.tree = QTreeWidget(self)
        self.tree.setObjectName("wallNodes")
        self.tree.setColumnCount(4)
        self.tree.setHeaderLabels([self.tr("Nœud"), self.tr("État"), self.tr("Signe de vie"), self.tr("CPU")])
        self.tree.setRootIsDecorated(True)
        self.tree.setUniformRowHeights(True)
        header = self.tree.header()
        # Widths fitted after each rebuild, not after each text (that would measure every row).
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        self.tree.itemExpanded.connect(self._on_tree_item_expanded)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.tree)
        self._nodes: tuple[NodeStatus, ...] = ()
        self._visible: Callable[[int], bool] = lambda _n: False
        self._connected = True
        self._shape: _Shape = ()
        self._items: dict[str, QTreeWidgetItem] = {}
        self._dirty = False
        self._fit_columns = False
        self._pace = QTimer(self)  # at most one redraw a second
        self._pace.setSingleShot(True)
        self._pace.setInterval(RENDER_INTERVAL_MS)
        self._pace.timeout.connect(self._on_pace_timeout)
        # Words used for every row, translated once.
        self._words = {
            TileState.EMPTY: self.tr("vide"),
            TileState.CONNECTING: self.tr("connexion"),
            TileState.PLAYING: self.tr("en lecture"),
            TileState.LOST: self.tr("perdue"),
            TileState.NOT_AUTHORISED: self.tr("non autorisée"),
        }
        self._empty = self.tr("vide")
        self._camera = self.tr("caméra %1")
        self._outside = self.tr("caméra %1 (hors périmètre)")
        self._fps = self.tr(" · %1 i/s")
        self._tile = self.tr("tuile %1 — %2")
        self._screen = self.tr("écran %1")
        self._playing = self.tr("%1 en lecture")
        self._lost = self.tr(", %1 perdue(s)")
        self._stale = self.tr("dernier état connu : %1")

    # --- state -----------------------------------------------------------------------------------

    def set_nodes(
        self, nodes: tuple[NodeStatus, ...], visible: Callable[[int], bool], connected: bool
    ) -> None:
        """The nodes as the controller reports them; ``visible(camera)``: may this account see it."""
        self._nodes, self._visible, self._connected = nodes, visible, connected
        self._dirty = True
        if self.isVisible() and not self._pace.isActive():
            self._render()

    def _on_pace_timeout(self) -> None:
        if self._dirty and self.isVisible():
            self._render()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt)
        super().showEvent(event)
        if self._dirty:
            self._render()

    def _render(self) -> None:
        self._dirty = False
        self._pace.start()
        nodes = sorted(self._nodes, key=lambda n: n.name)
        shape: _Shape = tuple(
            (n.name, tuple((ref, len(tiles)) for ref, tiles in _screens_of(n))) for n in nodes
        )
        rebuilt = shape != self._shape
        if rebuilt:
            self._rebuild(shape)
        for node in nodes:
            self._fill(self._items[node.name], node)
        if rebuilt or self._fit_columns:
            self._fit_columns = False
            for column in range(self.tree.columnCount() - 1):
                self.tree.resizeColumnToContents(column)

    def _rebuild(self, shape: _Shape) -> None:
        """New rows. Nodes open, screens closed (their tiles are filled only while open), unless the
        operator had opened or closed them."""
        expanded: dict[object, bool] = {}
        for name, item in self._items.items():
            expanded[name] = item.isExpanded()
            for index in range(item.childCount()):
                child = item.child(index)
                ref = child.data(0, REF_ROLE) if child is not None else None
                if child is not None and ref is not None:
                    expanded[ref] = child.isExpanded()
        self.tree.blockSignals(True)
        self.tree.clear()
        self._items = {}
        for name, screens in shape:
            item = QTreeWidgetItem(self.tree, [name, "", "", ""])
            for ref, count in screens:
                child = QTreeWidgetItem(item, [self._screen.replace("%1", str(ref.index + 1)), "", "", ""])
                child.setData(0, REF_ROLE, ref)
                for _index in range(count):
                    QTreeWidgetItem(child, ["", "", "", ""])
                child.setExpanded(expanded.get(ref, False))
            item.setExpanded(expanded.get(name, True))
            self._items[name] = item
        self.tree.blockSignals(False)
        self._shape = shape

    def _on_tree_item_expanded(self, _item: QTreeWidgetItem) -> None:
        self._fit_columns = True
        self._render()  # fill the rows just opened

    def _fill(self, item: QTreeWidgetItem, node: NodeStatus) -> None:
        self._fill_node(item, node)
        stale = not node.online or not self._connected  # the last report, not what plays now
        for screen_index, (_ref, statuses) in enumerate(_screens_of(node)):
            child = item.child(screen_index)
            if child is None:
                continue
            playing = sum(1 for t in statuses if t.state is TileState.PLAYING)
            lost = sum(1 for t in statuses if t.state is TileState.LOST)
            summary = self._playing.replace("%1", str(playing))
            if lost:
                summary += self._lost.replace("%1", str(lost))
            if stale:
                summary = self._stale.replace("%1", summary)
            _set(child, 1, summary, theme.IDLE if stale else (theme.LOST if lost else self._text_colour()))
            if not (child.isExpanded() and item.isExpanded()):
                continue  # nobody sees these rows: filled when opened
            for index, status in enumerate(statuses):
                first, second = self._tile_row(index, status)
                row = child.child(index)
                _set(row, 0, first)
                _set(row, 1, second, theme.IDLE if stale else _STATE_COLOURS.get(status.state, theme.IDLE))

    def _text_colour(self) -> QColor:
        return self.palette().text().color()

    def _tile_row(self, index: int, status: TileStatus) -> tuple[str, str]:
        if status.camera is None:
            camera = self._empty
        elif self._visible(status.camera):
            camera = self._camera.replace("%1", str(status.camera))
        else:
            camera = self._outside.replace("%1", str(status.camera))
        state = self._words.get(status.state, str(status.state))
        if status.state is TileState.PLAYING:
            state += self._fps.replace("%1", f"{status.fps:.0f}")
            if status.latency_ms is not None:
                state += f" · {status.latency_ms:.0f} ms"
        if status.error and status.state is not TileState.PLAYING:
            state += f" · {status.error}"
        return self._tile.replace("%1", str(index + 1)).replace("%2", camera), state

    def _fill_node(self, item: QTreeWidgetItem, node: NodeStatus) -> None:
        if not self._connected:
            state, colour = self.tr("inconnu (contrôleur injoignable)"), theme.CONNECTING
        elif node.online:
            state, colour = self.tr("en ligne"), theme.LIVE
        else:
            state, colour = self.tr("hors ligne"), theme.LOST
        _set(item, 1, state, colour)
        _set(item, 2, self.heartbeat_text(node))
        _set(item, 3, f"{node.cpu_percent:.0f} %")
        item.setToolTip(0, self.tr("version %1").replace("%1", node.version) if node.version else "")

    def heartbeat_text(self, node: NodeStatus) -> str:
        if node.last_heartbeat <= 0:
            return self.tr("jamais")
        age = max(0.0, self.clock() - node.last_heartbeat)
        if age < 60:
            return self.tr("il y a %1 s").replace("%1", f"{age:.0f}")
        if age < 3600:
            return self.tr("il y a %1 min").replace("%1", f"{age / 60:.0f}")
        return self.tr("il y a %1 h").replace("%1", f"{age / 3600:.0f}")

    def refresh_ages(self) -> None:
        """Once a second: heartbeat ages move on between snapshots."""
        if not self.isVisible():
            return
        for node in self._nodes:
            item = self._items.get(node.name)
            if item is not None:
                self._fill_node(item, node)

    def node_item(self, name: str) -> QTreeWidgetItem | None:
        """The node's row, up to date (rendered now if the tab is hidden)."""
        if self._dirty:
            self._render()
        return self._items.get(name)
