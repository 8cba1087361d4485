"""What the console records in the audit trail about images: live views and snapshots (DOMAIN rule 6).

A **live view** starts when a tile first shows a camera's picture (state live) and ends when the
tile stops playing that camera: another camera, removed, hidden behind a maximised tile, rights
withdrawn, console locked or closed, shift handover. A picture lost for a moment does not end it.
One record at the start, one at the end with its duration (``AuditSink.live_view_*``).

Starts are caught when the tile reports its state; ends by a sweep of the tiles once a second
(a tile stops its player without reporting), so an end is recorded within a second. Every sink
call returns at once (the journal writer makes it durable).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, QTimer

from vmwall.journal.audit import AuditSink, LiveViewToken
from vmwall.ui.grid import GridWidget
from vmwall.ui.tile import TileWidget
from vmwall.video.status import TileState

log = logging.getLogger(__name__)

SWEEP_MS = 1000


@dataclass
class _View:
    tile: TileWidget
    camera: int
    token: LiveViewToken


class LiveViewRecorder(QObject):
    def __init__(
        self,
        sink: AuditSink,
        grids: Callable[[], list[GridWidget]],
        actor: Callable[[], str | None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._sink = sink
        self._grids = grids
        self._actor = actor
        self._views: dict[int, _View] = {}
        self._closed = False
        self._timer = QTimer(self)
        self._timer.setInterval(SWEEP_MS)
        self._timer.timeout.connect(self.sweep)

    def start(self) -> None:
        if not self._closed:
            self._timer.start()

    def watch(self, grid: GridWidget) -> None:
        """Catch starts as they happen on this grid (the sweep catches them anyway)."""
        grid.tile_status_changed.connect(self._on_grid_tile_status_changed)

    def open_views(self) -> list[tuple[int, str]]:
        """(camera, actor) of the live views being recorded."""
        return [(view.camera, view.token.actor) for view in self._views.values()]

    def sweep(self) -> None:
        if self._closed:
            return
        seen: set[int] = set()
        actor = self._actor()
        for grid in self._grids():
            for tile in grid.tiles():
                key = id(tile)
                seen.add(key)
                view = self._views.get(key)
                source = tile.source
                playing = tile.camera is not None and source is not None and source.camera == tile.camera
                if view is not None and (
                    view.tile is not tile
                    or not playing
                    or view.camera != tile.camera
                    or view.token.actor != actor
                ):
                    self._end(key)
                    view = None
                if view is None and playing and tile.status.state is TileState.LIVE and actor:
                    self._start(key, tile, actor)
        for key in [k for k in self._views if k not in seen]:
            self._end(key)

    def snapshot(self, camera: int, path: Path) -> None:
        actor = self._actor()
        if actor and not self._closed:
            self._call(lambda: self._sink.snapshot(actor, camera, path=str(path)))

    def close(self) -> None:
        """End every open view (the console closes). Idempotent."""
        if self._closed:
            return
        for key in list(self._views):
            self._end(key)
        self._closed = True
        self._timer.stop()

    # --- internals ----------------------------------------------------------------------------

    def _on_grid_tile_status_changed(self, _camera: object, _status: object) -> None:
        self.sweep()

    def _start(self, key: int, tile: TileWidget, actor: str) -> None:
        camera = tile.camera
        source = tile.source
        if camera is None or source is None:
            return
        try:
            token = self._sink.live_view_started(actor, camera, stream=source.kind.value, tile=tile.number)
        except Exception as error:  # the journal is closed: nothing more can be recorded
            log.warning("live view of camera %d not recorded: %s", camera, error)
            return
        self._views[key] = _View(tile, camera, token)

    def _end(self, key: int) -> None:
        view = self._views.pop(key, None)
        if view is not None:
            self._call(lambda: self._sink.live_view_ended(view.token))

    @staticmethod
    def _call(record: Callable[[], object]) -> None:
        try:
            record()
        except Exception as error:
            log.warning("audit record not written: %s", error)
