"""UI test fixtures: real widgets on a real X server (Xvfb, xcb), fake or real back ends.

``qapp`` (pytest-qt's application) is the video fixtures' ``native_qapp``: one QApplication on the
xcb platform of the session's Xvfb, so tiles get real native windows.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication
from pytestqt.exceptions import TimeoutError as WaitTimeoutError

from vmwall.model import Camera, Commune, Forfait, SavedView, StreamKind
from vmwall.ui.directory import Directory
from vmwall.ui.services import HubReport, PlayerHandle
from vmwall.ui.tile import TileWidget
from vmwall.video.snapshot import SnapshotInfo, save_png
from vmwall.video.status import TileSource, TileState, TileStatus


@pytest.fixture(scope="session")
def qapp(native_qapp: Any) -> Any:
    from vmwall.ui.theme import apply_theme

    apply_theme(native_qapp)
    return native_qapp


@pytest.fixture(autouse=True)
def ui_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Settings, layouts, logs and data of each test in its own directory, never the user's."""
    monkeypatch.setenv("VMWALL_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("VMWALL_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("VMWALL_LOG_DIR", str(tmp_path / "log"))
    monkeypatch.setenv("XDG_PICTURES_DIR", str(tmp_path / "pictures"))
    return tmp_path


# --------------------------------------------------------------------------- a fake back end


class FakePlayer:
    """Records what a tile asks; ``report()`` sends a status from another thread, like libVLC's worker."""

    def __init__(
        self,
        windows: tuple[int, int],
        show_surface: Callable[[int], None],
        on_change: Callable[[TileStatus], None],
    ) -> None:
        self.windows = windows
        self.show_surface = show_surface
        self.on_change = on_change
        self.calls: list[tuple[str, TileSource | None]] = []
        self.source: TileSource | None = None
        self.closed = False

    def play(self, source: TileSource) -> None:
        assert not self.closed
        self.calls.append(("play", source))
        self.source = source

    def stop(self) -> None:
        self.calls.append(("stop", None))
        self.source = None

    def close(self) -> None:
        self.closed = True

    def snapshot(self, path: Path, info: SnapshotInfo) -> Future[Path]:
        import numpy as np

        future: Future[Path] = Future()
        rgb = np.zeros((36, 64, 3), np.uint8)
        rgb[..., 0] = 200
        future.set_result(save_png(rgb, path, info))
        return future

    def report(self, state: TileState, retry_in_s: int | None = None, reason: str = "") -> None:
        status = TileStatus(state, self.source, retry_in_s=retry_in_s, reason=reason)
        thread = threading.Thread(target=self.on_change, args=(status,))
        thread.start()
        thread.join()


@dataclass
class FakeBackend:
    """In-memory catalogue and views; players are FakePlayers (no video)."""

    directory: Directory
    views: list[SavedView] = field(default_factory=list)
    players: list[FakePlayer] = field(default_factory=list)
    hub_ok: bool = True
    hub_problems: dict[int, str] = field(default_factory=dict)
    user: int | None = None
    directory_loads: int = 0
    fail_directory: bool = False
    warmed: list[list[int]] = field(default_factory=list)

    def load_directory(self) -> Directory:
        self.directory_loads += 1
        if self.fail_directory:
            raise RuntimeError("database unreachable")
        return self.directory

    def list_views(self) -> list[SavedView]:
        return [v for v in self.views if v.owner_id in (None, self.user)]

    def save_view(self, view: SavedView) -> SavedView:
        self.views = [v for v in self.views if (v.name, v.owner_id) != (view.name, view.owner_id)]
        stored = replace(view, id=len(self.views) + 1)
        self.views.append(stored)
        return stored

    def delete_view(self, view: SavedView) -> None:
        self.views = [v for v in self.views if v.id != view.id]

    def user_id(self) -> int | None:
        return self.user

    def check_hub(self, warm_sub: list[int]) -> HubReport:
        self.warmed.append(list(warm_sub))
        detail = "http://127.0.0.1:8490" if self.hub_ok else "no hub"
        return HubReport(self.hub_ok, detail, {}, dict(self.hub_problems))

    def stream_url(self, camera: int, kind: StreamKind) -> str:
        return f"http://127.0.0.1:8490/camera/{camera}/{kind}.ts"

    def new_player(self) -> Callable[..., PlayerHandle]:
        def make(
            windows: tuple[int, int],
            show_surface: Callable[[int], None],
            on_change: Callable[[TileStatus], None],
        ) -> PlayerHandle:
            player = FakePlayer(windows, show_surface, on_change)
            self.players.append(player)
            return player

        return make


def sample_directory() -> Directory:
    """Two live communes (cameras 1-9, 12) and a storage-only one (camera 50)."""
    lille = Commune("Lille", "59350", Forfait.LIVE_24_7, id=1)
    roubaix = Commune("Roubaix", "59512", Forfait.LIVE_24_7, id=2)
    hem = Commune("Hem", "59299", Forfait.STORAGE_ONLY, id=3)
    names = [
        "Place de la Mairie",
        "Gare – parvis nord",
        "Rue Nationale",
        "Parking du Marché",
        "Grand Place",
        "Hôtel de Ville",
        "Rue de la Paix",
        "Square Foch",
        "Pont Neuf",
    ]
    cameras = [Camera(n, names[n - 1], 1 if n <= 5 else 2, id=n) for n in range(1, 10)]
    cameras.append(Camera(12, "Boulevard Carnot", 2, id=12))
    cameras.append(Camera(50, "Parking de la gare", 3, id=50))
    return Directory.build([lille, roubaix, hem], cameras)


@pytest.fixture
def backend() -> FakeBackend:
    return FakeBackend(sample_directory())


@dataclass
class ConsoleFactory:
    qtbot: Any
    backend: FakeBackend
    settings_path: Path
    windows: list[Any] = field(default_factory=list)

    def __call__(
        self,
        layout: str | None = None,
        cameras: tuple[int | None, ...] | None = None,
        view: str | None = None,
        settings: Any = None,
        layouts_dir: Path | None = None,
        wait: bool = True,
    ) -> Any:
        from vmwall.app import build_console
        from vmwall.config.layouts import load_builtin_layouts, load_layouts
        from vmwall.config.settings import load_settings
        from vmwall.ui.main_window import StartOptions

        if settings is None:
            settings = load_settings(self.settings_path)
        if layouts_dir is not None:
            settings = replace(settings, layouts_dir=layouts_dir)
        elif settings.layouts_dir is None:
            settings = replace(settings, layouts_dir=self.settings_path.parent / "layouts")
        app = self.qtbot._request.getfixturevalue("qapp")
        layout_set = load_layouts(settings.layouts_dir, load_builtin_layouts())
        window = build_console(
            app, self.backend, settings, self.settings_path, layout_set, StartOptions(layout, cameras, view)
        )
        self.windows.append(window)
        if not wait:
            return window
        self.qtbot.waitUntil(
            lambda: window.context.directory is not None and window.context.video_ready, timeout=5000
        )
        self.qtbot.waitExposed(window)
        window.raise_()
        window.activateWindow()  # window shortcuts (F-keys...) need the active window
        with contextlib.suppress(WaitTimeoutError):  # a message box may have taken it: fine
            self.qtbot.waitUntil(window.isActiveWindow, timeout=2000)
        return window


@pytest.fixture
def console(qtbot: Any, backend: FakeBackend, ui_dirs: Path) -> Iterator[ConsoleFactory]:
    """Builds console windows on the fake back end; closes them after the test."""
    factory = ConsoleFactory(qtbot, backend, ui_dirs / "config" / "console.json")
    yield factory
    for window in factory.windows:
        if window.isVisible() or not window._closing:
            window.close()


# --------------------------------------------------------------------------- helpers


def kind_of(tile: TileWidget) -> StreamKind | None:
    """The stream kind a tile asks for (None: nothing)."""
    return tile.source.kind if tile.source is not None else None


def player_of(backend: FakeBackend, tile: TileWidget, timeout_s: float = 3.0) -> FakePlayer:
    """The tile's player, once the worker that creates it has handed it over."""
    import time

    deadline = time.monotonic() + timeout_s
    while tile.player is None and time.monotonic() < deadline:
        QApplication.processEvents()
        time.sleep(0.005)
    player = tile.player
    assert isinstance(player, FakePlayer), "the tile has no player"
    assert player in backend.players
    return player


def drop(qtbot: Any, tile: TileWidget, mime: QMimeData) -> None:
    """What Qt does when something is dropped on the tile: drag-enter, then drop."""
    centre = tile.rect().center()
    enter = QDragEnterEvent(
        centre,
        Qt.DropAction.MoveAction | Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(tile, enter)
    assert enter.isAccepted(), "the tile refuses the drag"
    event = QDropEvent(
        QPointF(centre),
        Qt.DropAction.MoveAction | Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(tile, event)
    qtbot.wait(10)
