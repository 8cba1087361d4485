"""The console on real video: simulated farm -> stream hub -> libVLC in the tiles, checked on pixels.

Each simulated camera burns a machine-readable stamp (its number, a frame counter, the clock) into
its picture; the tests read it back from the tile's native window on the X server, so what is
proven is what an operator would see.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PySide6.QtCore import Qt

from tests.fixtures.display import grab_window
from tests.fixtures.hub import HubThread
from tests.fixtures.sim import require_tools, save_png
from tests.ui.conftest import ConsoleFactory, drop, kind_of
from vmwall.hub.client import HubClient
from vmwall.model import Camera, Commune, Forfait, StreamKind
from vmwall.sim.stamp import decode_stamp
from vmwall.store import CameraRepository, CommuneRepository, Database, open_database
from vmwall.ui.tile import TileWidget, camera_mime
from vmwall.video.status import TileState

pytestmark = pytest.mark.cpu

CALL_UP_S = 20.0


@pytest.fixture
def live_backend(registered_farm: tuple[Any, Database], hub: HubThread, tmp_path: Path) -> Iterator[Any]:
    """The console's back end on its own catalogue: the farm's cameras plus a storage-only commune.

    The hub serves streams by camera number from the farm's catalogue; the console's catalogue
    (a copy, plus camera 50 of storage-only Hem) decides what the operator may see.
    """
    from vmwall.app import ConsoleBackend, tile_player_factory
    from vmwall.video.engine import get_engine

    require_tools("ffmpeg")
    _farm, farm_db = registered_farm
    url = f"sqlite:///{tmp_path / 'console.sqlite3'}"
    with open_database(url) as db:
        cameras = CameraRepository(db)
        for commune in CommuneRepository(farm_db).list():
            copy = CommuneRepository(db).add(replace(commune, id=None))
            assert copy.id is not None
            for camera in CameraRepository(farm_db).list(commune.id):
                cameras.add(replace(camera, id=None, commune_id=copy.id))
        hem = CommuneRepository(db).add(Commune("Hem", "59299", Forfait.STORAGE_ONLY))
        assert hem.id is not None
        one = cameras.get_by_number(1)
        assert one is not None
        # A storage-only camera with a perfectly good stream: it must still never be shown live.
        cameras.add(Camera(50, "Parking de la gare", hem.id, main_uri=one.main_uri, sub_uri=one.sub_uri))
    backend = ConsoleBackend(
        url, HubClient(base_url=hub.url("")), None, tile_player_factory(get_engine()), start_hub=False
    )
    yield backend
    backend.close()


@pytest.fixture
def live_console(console: ConsoleFactory, live_backend: Any) -> ConsoleFactory:
    console.backend = live_backend
    return console


def shown_camera(tile: TileWidget) -> int | None:
    """The camera number burned into the picture the tile shows on screen (None: no readable stamp)."""
    rgb = grab_window(tile.front_surface())
    stamp = decode_stamp(rgb, search_fraction=0.45)  # the picture is letterboxed in the tile
    return stamp.camera if stamp else None


def wait_live(qtbot: Any, tiles: list[TileWidget]) -> None:
    qtbot.waitUntil(
        lambda: all(t.status.state is TileState.LIVE for t in tiles), timeout=int(CALL_UP_S * 1000)
    )


def test_each_tile_shows_the_camera_it_should(
    live_console: ConsoleFactory, qtbot: Any, tmp_path: Path
) -> None:
    window = live_console(layout="2x2", cameras=(1, 2, 3, 4))
    tiles = window.grid.tiles()
    wait_live(qtbot, tiles)
    qtbot.waitUntil(lambda: [shown_camera(t) for t in tiles] == [1, 2, 3, 4], timeout=5000)
    assert all(t.source is not None and t.source.kind is StreamKind.SUB for t in tiles)
    assert all(not t.message.isVisible() and "en direct" in t.banner.right for t in tiles)
    # Moving pictures, not a frozen frame.
    first = grab_window(tiles[0].front_surface())
    qtbot.wait(400)
    assert not np.array_equal(first, grab_window(tiles[0].front_surface()))
    assert float(first.std()) > 20
    save_png(grab_window(window), tmp_path / "console-2x2.png")  # native children included

    # Drag tile 1 onto tile 4: they swap, and the pixels follow.
    tile_1 = tiles[0]
    drop(qtbot, tiles[3], camera_mime(1, window.grid.grid_id, 0))
    assert window.grid.cameras() == [4, 2, 3, 1]
    qtbot.waitUntil(lambda: [shown_camera(t) for t in window.grid.tiles()] == [4, 2, 3, 1], timeout=5000)
    assert window.grid.tile(3) is tile_1 and tile_1.status.state is TileState.LIVE

    # Keypad call-up into the selected tile.
    window.grid.select(1)
    qtbot.keyClicks(window.grid, "3")
    qtbot.keyClick(window.grid, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: shown_camera(window.grid.tile(1)) == 3, timeout=int(CALL_UP_S * 1000))


def test_maximised_tile_switches_to_the_main_stream(live_console: ConsoleFactory, qtbot: Any) -> None:
    window = live_console(layout="2x2", cameras=(2, 3))
    tile = window.grid.tile(0)
    wait_live(qtbot, [tile])
    assert tile.source is not None and tile.source.kind is StreamKind.SUB
    window.grid.toggle_maximise(0)
    qtbot.waitUntil(lambda: kind_of(tile) is StreamKind.MAIN, timeout=3000)
    qtbot.waitUntil(
        lambda: (
            tile.status.state is TileState.LIVE
            and tile.status.pending is None
            and tile.status.source is not None
            and tile.status.source.kind is StreamKind.MAIN
        ),
        timeout=int(CALL_UP_S * 1000),
    )
    assert shown_camera(tile) == 2
    assert "principal" in tile.banner.right
    window.grid.restore()
    qtbot.waitUntil(lambda: window.grid.tile(1).status.state is TileState.LIVE, timeout=int(CALL_UP_S * 1000))
    qtbot.waitUntil(lambda: shown_camera(window.grid.tile(1)) == 3, timeout=5000)


def test_storage_only_camera_never_plays(live_console: ConsoleFactory, qtbot: Any) -> None:
    window = live_console(layout="2x2", cameras=(50, 4))
    refused, live = window.grid.tile(0), window.grid.tile(1)
    wait_live(qtbot, [live])
    assert refused.player is None and refused.source is None
    assert refused.message.headline == "non autorisé" and "stockage seul" in refused.message.detail
    assert shown_camera(refused) is None
    assert float(grab_window(refused.front_surface())[:40].std()) < 5  # black above the message


def test_a_lost_stream_says_so_and_comes_back_by_itself(
    live_console: ConsoleFactory,
    qtbot: Any,
    hub: HubThread,
    registered_farm: tuple[Any, Database],
    tmp_path: Path,
) -> None:
    """The stream hub dies under two live tiles, then comes back on the same port."""
    from vmwall.hub.service import HubOptions

    window = live_console(layout="2x2", cameras=(3, 4))
    tiles = window.grid.tiles()[:2]
    wait_live(qtbot, tiles)
    port = hub.port
    hub.stop()
    qtbot.waitUntil(lambda: all(t.status.state is TileState.LOST for t in tiles), timeout=15_000)
    lost = tiles[0]
    assert lost.message.isVisible()
    assert lost.message.headline.startswith("signal perdu — nouvel essai")
    assert "signal perdu" in lost.banner.right
    assert lost.message.detail in (
        "le flux s'est arrêté",
        "erreur de flux",
    ) or lost.message.detail.startswith(("aucune image", "plus d'image"))
    assert window.tree.state_of(3) == "lost"
    save_png(grab_window(window), tmp_path / "console-lost.png")
    replacement = HubThread(registered_farm[1], HubOptions(port=port, linger_s=2.0)).start()
    hub.stop = replacement.stop  # type: ignore[method-assign]  # the fixture's teardown stops this one
    qtbot.waitUntil(lambda: all(t.status.state is TileState.LIVE for t in tiles), timeout=30_000)
    qtbot.waitUntil(lambda: [shown_camera(t) for t in tiles] == [3, 4], timeout=5000)
    assert not lost.message.isVisible()
