"""What the widgets need from the rest of vmwall, as protocols. ``vmwall.app`` provides the real ones.

Every method marked *blocking* is only ever called on a worker (``Bridge.submit``), never on the
GUI thread. Tests give the widgets their own implementations (real widgets, fake back ends).
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from vmwall.model import SavedView, StreamKind
from vmwall.ui.directory import Directory
from vmwall.video.snapshot import SnapshotInfo
from vmwall.video.status import TileSource, TileStatus


class PlayerHandle(Protocol):
    """A tile's player (``vmwall.video.tile_player.TilePlayer``) drawing into the tile's two surfaces.

    Every method returns at once (the player does its libVLC work on its own thread), except
    ``close()``, which waits for that thread: the UI calls it from a worker.
    """

    def play(self, source: TileSource) -> None: ...

    def stop(self) -> None: ...

    def close(self) -> None: ...

    def snapshot(self, path: Path, info: SnapshotInfo) -> Future[Path]: ...


# (window ids of the two stacked surfaces, show_surface(index), on_change(status)); the callbacks
# may be called from any thread.
PlayerFactory = Callable[[tuple[int, int], Callable[[int], None], Callable[[TileStatus], None]], PlayerHandle]


@dataclass(frozen=True, slots=True)
class HubReport:
    reachable: bool
    detail: str  # for the status bar tooltip: address, or why it is unreachable
    stream_states: dict[int, str]  # camera number -> best state of its streams in the hub
    # camera number -> why the hub cannot serve it (refused credentials, keyring, storage only…)
    stream_problems: dict[int, str] = field(default_factory=dict)


class ConsoleServices(Protocol):
    def load_directory(self) -> Directory:
        """Communes, cameras and the signed-in account. *Blocking*."""
        ...

    def list_views(self) -> list[SavedView]:
        """The account's own views and the shared ones. *Blocking*."""
        ...

    def save_view(self, view: SavedView) -> SavedView:
        """Store a new view or replace the one of the same name and owner. *Blocking*."""
        ...

    def delete_view(self, view: SavedView) -> None:
        """*Blocking*."""
        ...

    def user_id(self) -> int | None:
        """The signed-in account's id once the directory is loaded (None: none; views are shared)."""
        ...

    def check_hub(self, warm_sub: list[int]) -> HubReport:
        """Start the stream hub if needed, keep ``warm_sub`` cameras' sub streams pulled, read its
        stream states. *Blocking*."""
        ...

    def stream_url(self, camera: int, kind: StreamKind) -> str:
        """Where a player gets this stream (the local hub). Instant: no I/O."""
        ...

    def new_player(self) -> PlayerFactory | None:
        """The player factory, or None when there is no video (libVLC missing): tiles then say so."""
        ...
