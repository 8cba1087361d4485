"""What the console records in the audit trail about layouts (DOMAIN rule 6): a grid's layout
switched (menu, F-keys, next/previous), a saved view applied, saved or deleted (shared or personal).

One record per change, with the operator signed in at the time (``AuditSink.layout_changed``: the
layout as target; the change, the grid, the previous layout or the view in the detail). Applying a
view is one "view-applied" record, not also a layout switch. Layouts set when a window is restored
(start, a grid window reopened) are not changes. The live views and snapshots are recorded apart
(``vmwall.ui.journal_audit``); PTZ actions by the PTZ service's listener (``vmwall.audit_wiring``).
Every sink call returns at once (the journal writer makes it durable).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject

from vmwall.journal.audit import AuditSink
from vmwall.model import SavedView
from vmwall.model.audit import DetailValue
from vmwall.ui.grid import GridWidget
from vmwall.ui.grid_window import GridWindow
from vmwall.ui.main_window import ConsoleWindow

log = logging.getLogger(__name__)


class LayoutAuditRecorder(QObject):
    def __init__(
        self,
        sink: AuditSink,
        window: ConsoleWindow,
        actor: Callable[[], str | None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent if parent is not None else window)
        self._sink = sink
        self._window = window
        self._actor = actor
        self._layouts: dict[int, str] = {}  # id(grid) -> its layout as last recorded
        self.recorded = 0
        self.watch(window.grid)
        window.grid_window_opened.connect(self._on_window_grid_window_opened)
        window.saved_view_changed.connect(self._on_window_saved_view_changed)

    def watch(self, grid: GridWidget) -> None:
        """Record this grid's layout switches from now on (its current layout is where it starts)."""
        key = id(grid)
        if key in self._layouts:
            return
        self._layouts[key] = grid.grid_layout().name
        grid.contents_changed.connect(self._on_grid_contents_changed)
        grid.destroyed.connect(lambda _obj=None, k=key: self._layouts.pop(k, None))

    # --- slots --------------------------------------------------------------------------------

    def _on_window_grid_window_opened(self, window: GridWindow) -> None:
        self.watch(window.grid)

    def _on_grid_contents_changed(self) -> None:
        grid = self.sender()
        if not isinstance(grid, GridWidget):
            return
        key = id(grid)
        previous = self._layouts.get(key)
        current = grid.grid_layout().name
        if previous is None or previous == current:
            return
        self._layouts[key] = current
        self._record(current, change="layout-switch", previous=previous, grid=self._grid_number(grid))

    def _on_window_saved_view_changed(self, what: str, view: SavedView, grid: GridWidget | None) -> None:
        detail: dict[str, DetailValue] = {
            "change": f"view-{what}",
            "view": view.name,
            "shared": view.owner_id is None,
        }
        if what != "deleted":
            cameras: list[str | int | float | bool | None] = list(view.cameras)
            detail["cameras"] = cameras
        if grid is not None:
            detail["grid"] = self._grid_number(grid)
            if what == "applied":
                previous = grid.grid_layout().name
                if previous != view.layout_name:
                    detail["previous"] = previous
                if id(grid) in self._layouts:
                    self._layouts[id(grid)] = view.layout_name  # its layout switch is this record
        self._record(view.layout_name, **detail)

    # --- internals ----------------------------------------------------------------------------

    def _grid_number(self, grid: GridWidget) -> int:
        """1 for the console's own grid, 2, 3... for the extra grid windows in opening order."""
        grids = self._window.all_grids()
        return grids.index(grid) + 1 if grid in grids else 0

    def _record(self, layout: str, **detail: DetailValue) -> None:
        actor = self._actor()
        if not actor:
            log.info("layout change not recorded: no operator signed in")
            return
        try:
            self._sink.layout_changed(actor, layout=layout, **detail)
        except Exception as error:  # the journal is closed: the console is ending
            log.warning("layout change not recorded: %s", error)
            return
        self.recorded += 1
