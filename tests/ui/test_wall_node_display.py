"""The wall node's screens on real video: simulated farm -> stream hub -> libVLC in the console's tiles.

The display is driven the way the node agent drives it: every call from another thread. What is
proven is read from the screens' pixels (each simulated camera burns a machine-readable stamp into
its picture) and from what the display reports to the agent (tile states, thumbnails).
"""

from __future__ import annotations

import io
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np
import pytest
from PIL import Image

from tests.fixtures.display import grab_window
from tests.fixtures.hub import HubThread
from tests.fixtures.sim import require_tools, save_png
from vmwall.config.layouts import load_builtin_layouts, load_layouts
from vmwall.model import Camera, Commune, Forfait
from vmwall.model.wall import ScreenContent, ScreenRef, TileState
from vmwall.sim.stamp import decode_stamp
from vmwall.store import CameraRepository, CommuneRepository, Database
from vmwall.ui.tile import TileWidget
from vmwall.video.status import TileState as VideoState
from vmwall.wall.node_display import WallNodeDisplay, virtual_screen_plans
from vmwall.wall.node_hub import HubLink

pytestmark = pytest.mark.cpu

NODE = "node1"
W, H = 960, 540  # 2x2 tiles of ~480 px: the stamp stays readable (at 320 px its cells blur)
CALL_UP_MS = 20_000
T = TypeVar("T")


def from_agent_thread(call: Callable[[], T]) -> T:
    """Run ``call`` on another thread, as the node agent does, and return its result."""
    result: list[T] = []
    thread = threading.Thread(target=lambda: result.append(call()), name="fake-agent")
    thread.start()
    thread.join(10)
    assert result, "the display's method did not return"
    return result[0]


@dataclass
class Displays:
    qapp: Any
    made: list[WallNodeDisplay] = field(default_factory=list)

    def __call__(self, hub_url: str, count: int = 2, start_hub: bool = False) -> WallNodeDisplay:
        layouts = load_layouts(None, load_builtin_layouts())
        link = HubLink(hub_url, pinned=False, start_hub=start_hub)
        display = WallNodeDisplay(self.qapp, virtual_screen_plans(NODE, count, W, H), layouts, link)
        self.made.append(display)
        display.start()
        return display


@pytest.fixture
def displays(qapp: Any) -> Iterator[Displays]:
    require_tools("ffmpeg")
    made = Displays(qapp)
    yield made
    before = {t.name for t in threading.enumerate()}
    for display in made.made:
        display.close()
    leaked = [t.name for t in threading.enumerate() if t.name.startswith("video-wall-tile")]
    assert not leaked, f"player threads left running: {leaked} (before close: {sorted(before)})"


def shown_camera(tile: TileWidget) -> int | None:
    stamp = decode_stamp(grab_window(tile.front_surface()), search_fraction=0.45)
    return stamp.camera if stamp else None


def ref(index: int) -> ScreenRef:
    return ScreenRef(NODE, index)


def test_each_screen_shows_its_cameras_and_reports_them(
    displays: Displays, hub: HubThread, qtbot: Any, tmp_path: Any
) -> None:
    display = displays(hub.url(""))
    geometries = from_agent_thread(display.screens)
    assert [(g.ref, g.column, g.row, g.width_px, g.height_px) for g in geometries] == [
        (ref(0), 0, 0, W, H),
        (ref(1), 1, 0, W, H),
    ]
    left, right = display.windows
    qtbot.waitExposed(left)
    qtbot.waitExposed(right)
    # Borderless windows side by side on the X display.
    assert (left.x(), left.y(), left.width(), left.height()) == (0, 0, W, H)
    assert (right.x(), right.width()) == (W, W)
    assert left.waiting.isVisible() and "node1:1" in left.waiting.text()  # numbered from 1, as people say

    from_agent_thread(lambda: display.show(ref(0), ScreenContent("2x2", (1, 2, 3, None))))
    from_agent_thread(lambda: display.show(ref(1), ScreenContent("1x1", (4,))))
    qtbot.waitUntil(lambda: len(right.grid.tiles()) == 1 and len(left.grid.tiles()) == 4, timeout=5000)
    tiles = [*left.grid.tiles()[:3], right.grid.tile(0)]
    qtbot.waitUntil(lambda: all(t.status.state is VideoState.LIVE for t in tiles), timeout=CALL_UP_MS)
    qtbot.waitUntil(lambda: [shown_camera(t) for t in tiles] == [1, 2, 3, 4], timeout=5000)
    assert not left.waiting.isVisible()
    empty = left.grid.tile(3)
    assert empty.message.headline == "Tuile 4 — vide" and empty.message.detail == ""  # no operator hint

    # The pictures move (a frozen tile is a failure).
    first = grab_window(tiles[3].front_surface())
    qtbot.wait(400)
    assert not np.array_equal(first, grab_window(tiles[3].front_surface()))
    assert float(first.std()) > 20
    save_png(grab_window(left), tmp_path / "wall-screen-0.png")

    # What the agent reads: every tile playing with its measured rate, the empty one empty.
    def playing() -> bool:
        statuses = from_agent_thread(display.tile_statuses)
        states = [(s.camera, s.state) for s in statuses[ref(0)]] + [
            (s.camera, s.state) for s in statuses[ref(1)]
        ]
        return states == [
            (1, TileState.PLAYING),
            (2, TileState.PLAYING),
            (3, TileState.PLAYING),
            (None, TileState.EMPTY),
            (4, TileState.PLAYING),
        ] and all(s.fps > 0 for s in statuses[ref(1)])

    qtbot.waitUntil(playing, timeout=10_000)

    # Thumbnails: small JPEGs of what each screen shows, video included.
    qtbot.waitUntil(lambda: display.thumbnail(ref(0), 320) is not None, timeout=5000)
    display.grab_thumbnail(left)
    jpeg = from_agent_thread(lambda: display.thumbnail(ref(0), 320))
    assert jpeg is not None and jpeg[:2] == b"\xff\xd8"
    with Image.open(io.BytesIO(jpeg)) as image:
        assert image.format == "JPEG" and image.size == (320, 180)
        thumb = np.asarray(image.convert("RGB"), np.float32)
    screen = np.asarray(
        Image.fromarray(grab_window(left)).resize((320, 180), Image.Resampling.BILINEAR), np.float32
    )
    assert float(thumb.std()) > 20  # a picture, not a black frame
    # The same picture as the screen (up to JPEG, scaling and the frames that went by).
    assert float(np.abs(thumb - screen).mean()) < 25, "the thumbnail does not show the screen"
    quarter = from_agent_thread(lambda: display.thumbnail(ref(0), 160))
    assert quarter is not None
    with Image.open(io.BytesIO(quarter)) as small:
        assert small.size == (160, 90)
    assert from_agent_thread(lambda: display.thumbnail(ScreenRef(NODE, 7), 320)) is None


def test_a_dead_camera_is_lost_and_a_storage_only_one_refused_while_the_others_play(
    displays: Displays, hub: HubThread, registered_farm: tuple[Any, Database], qtbot: Any
) -> None:
    _farm, db = registered_farm
    cameras = CameraRepository(db)
    simulation = cameras.get_by_number(1)
    assert simulation is not None
    archives = CommuneRepository(db).add(Commune("Archives", "59999", Forfait.STORAGE_ONLY))
    assert archives.id is not None
    dead = cameras.add(Camera(9, "Caméra morte", simulation.commune_id, sub_uri="rtsp://127.0.0.1:9/sub"))
    storage = cameras.add(Camera(88, "Stockage", archives.id, sub_uri=simulation.sub_uri))
    hub.hub.directory.invalidate()
    try:
        display = displays(hub.url(""), count=1)
        (screen,) = display.windows
        from_agent_thread(lambda: display.show(ref(0), ScreenContent("2x2", (1, 9, 88, 2))))
        qtbot.waitUntil(lambda: len(screen.grid.tiles()) == 4, timeout=5000)
        live_1, lost, refused, live_2 = screen.grid.tiles()
        qtbot.waitUntil(
            lambda: live_1.status.state is VideoState.LIVE and live_2.status.state is VideoState.LIVE,
            timeout=CALL_UP_MS,
        )
        qtbot.waitUntil(lambda: lost.status.state is VideoState.LOST, timeout=CALL_UP_MS)
        assert lost.message.headline.startswith("signal perdu — nouvel essai")
        # The storage-only camera: the hub refuses it, the tile says so and stops asking.
        qtbot.waitUntil(lambda: refused.state_key() == "refused", timeout=CALL_UP_MS)
        assert refused.player is None or refused.source is None
        assert refused.message.headline == "non autorisé"
        assert "stockage seul" in refused.message.detail
        # The others never stopped: their pictures are the right cameras and they move.
        assert [shown_camera(live_1), shown_camera(live_2)] == [1, 2]
        first = grab_window(live_2.front_surface())
        qtbot.wait(400)
        assert not np.array_equal(first, grab_window(live_2.front_surface()))

        def reported() -> bool:
            states = [(s.camera, s.state) for s in from_agent_thread(display.tile_statuses)[ref(0)]]
            return states == [
                (1, TileState.PLAYING),
                (9, TileState.LOST),
                (88, TileState.NOT_AUTHORISED),
                (2, TileState.PLAYING),
            ]

        qtbot.waitUntil(reported, timeout=10_000)
        statuses = from_agent_thread(display.tile_statuses)[ref(0)]
        assert statuses[1].error and "storage only" in statuses[2].error
    finally:
        assert dead.id is not None and storage.id is not None
        cameras.delete(dead.id)
        cameras.delete(storage.id)
        hub.hub.directory.invalidate()


def test_the_hub_the_controller_names_is_used_at_once(displays: Displays, hub: HubThread, qtbot: Any) -> None:
    # Started on a hub that does not answer (and may not start one): the tile cannot play.
    display = displays("http://127.0.0.1:9", count=1)
    (screen,) = display.windows
    from_agent_thread(lambda: display.show(ref(0), ScreenContent("1x1", (3,))))
    tile = screen.grid.tile(0)
    qtbot.waitUntil(lambda: tile.status.state is VideoState.LOST, timeout=CALL_UP_MS)
    from_agent_thread(lambda: display.set_hub(hub.url(""), None))
    qtbot.waitUntil(lambda: tile.status.state is VideoState.LIVE, timeout=CALL_UP_MS)
    qtbot.waitUntil(lambda: shown_camera(tile) == 3, timeout=5000)
    assert tile.source is not None and tile.source.url.startswith(hub.url("/camera/3/"))
