"""What a tile asks of the console's main courante (``vmwall.ui.journal_controller``).

A tile knows nothing of the journal: its context menu hands itself to these hooks
(``TileContext.journal``), which add the quick entry, the incident bookmark and the camera's
bookmarks. Runs in the GUI thread and returns at once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from PySide6.QtWidgets import QMenu

if TYPE_CHECKING:
    from vmwall.ui.tile import TileWidget


class TileJournalHooks(Protocol):
    def fill_tile_menu(self, tile: TileWidget, menu: QMenu) -> None:
        """Add the journal's entries for this tile's camera to its context menu."""
        ...
