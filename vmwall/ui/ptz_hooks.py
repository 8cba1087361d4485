"""What a tile asks of the console's PTZ control (``vmwall.ui.ptz_controller.PtzController``).

A tile knows nothing of cameras' PTZ: it hands its mouse gestures and its context-menu entry to
these hooks (``TileContext.ptz``) and shows the short note they give for its overlay. Every hook
runs in the GUI thread and returns at once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from PySide6.QtGui import QMouseEvent, QWheelEvent

if TYPE_CHECKING:
    from vmwall.ui.tile import TileWidget


class TilePtzHooks(Protocol):
    def menu_refusal(self, tile: TileWidget) -> str | None:
        """Why the tile's "PTZ…" entry is disabled (fixed camera, no right…), or None."""
        ...

    def open_for(self, tile: TileWidget) -> None:
        """The operator chose "PTZ…" on this tile: show the PTZ panel on its camera."""
        ...

    def tile_note(self, tile: TileWidget) -> str:
        """A few words for the tile's banner: who holds its camera's PTZ ("" when nobody)."""
        ...

    def press(self, tile: TileWidget, event: QMouseEvent) -> bool:
        """A left press: True when it starts a PTZ gesture (click-to-centre or box zoom), which
        then replaces the camera drag."""
        ...

    def move(self, tile: TileWidget, event: QMouseEvent) -> bool:
        """True when the move belongs to a PTZ gesture."""
        ...

    def release(self, tile: TileWidget, event: QMouseEvent) -> None: ...

    def double_click(self, tile: TileWidget) -> None:
        """A double click maximises: the click that began it must not centre the camera."""
        ...

    def wheel(self, tile: TileWidget, event: QWheelEvent) -> bool:
        """True when the wheel zoomed the tile's camera."""
        ...
