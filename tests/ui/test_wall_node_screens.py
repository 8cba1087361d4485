"""The wall node's plain-Python parts: screen options, placement, layout names, reported tile states."""

from __future__ import annotations

import pytest

from vmwall.config.layouts import load_builtin_layouts, load_layouts
from vmwall.model import StreamKind
from vmwall.model.wall import TileState
from vmwall.video.status import TileSource
from vmwall.video.status import TileState as VideoState
from vmwall.video.status import TileStatus as VideoStatus
from vmwall.wall.node_hub import is_loopback_url
from vmwall.wall.node_screens import (
    Rect,
    grid_positions,
    parse_screen_subset,
    parse_virtual_screens,
    place_virtual_screens,
    resolve_layout,
    wall_tile_status,
)


def test_virtual_screens_are_read_and_checked() -> None:
    assert parse_virtual_screens("2x1920x1080") == (2, 1920, 1080)
    assert parse_virtual_screens(" 4 x 640 x 360 ") == (4, 640, 360)
    for bad, reason in (
        ("2x1920", "COUNTxWIDTHxHEIGHT"),
        ("0x640x360", "1 to 16"),
        ("17x640x360", "1 to 16"),
        ("2x100x360", "160..7680"),
        ("2x9999x360", "160..7680"),
        ("twox640x360", "COUNTxWIDTHxHEIGHT"),
    ):
        with pytest.raises(ValueError, match=reason):
            parse_virtual_screens(bad)


def test_screen_subsets_name_existing_screens_once() -> None:
    assert parse_screen_subset("0,2", 3) == (0, 2)
    assert parse_screen_subset("2, 0", 3) == (2, 0)
    with pytest.raises(ValueError, match=r"screen 3 does not exist: this machine has 3 screen\(s\), 0..2"):
        parse_screen_subset("0,3", 3)
    with pytest.raises(ValueError, match="given twice"):
        parse_screen_subset("1,1", 3)
    with pytest.raises(ValueError, match="not a screen number"):
        parse_screen_subset("1,x", 3)


def test_virtual_screens_sit_side_by_side_and_shrink_to_fit() -> None:
    display = Rect(0, 0, 1920, 1080)
    scale, rects = place_virtual_screens(2, 640, 360, display)
    assert scale == 1.0
    assert rects == [Rect(0, 0, 640, 360), Rect(640, 0, 640, 360)]
    scale, rects = place_virtual_screens(2, 1920, 1080, display)
    assert scale == 0.5
    assert rects == [Rect(0, 0, 960, 540), Rect(960, 0, 960, 540)]
    # Never beyond the display, whatever the count.
    scale, rects = place_virtual_screens(16, 1920, 1080, Rect(100, 50, 1920, 1080))
    assert all(r.x >= 100 and r.x + r.width <= 100 + 1920 and r.y == 50 for r in rects)


def test_physical_screens_get_their_place_in_the_arrangement() -> None:
    # Two screens side by side above a third, as a wall PC's outputs are often arranged.
    rects = [Rect(1920, 0, 1920, 1080), Rect(0, 0, 1920, 1080), Rect(0, 1080, 1920, 1080)]
    assert grid_positions(rects) == [(1, 0), (0, 0), (0, 1)]


def test_layout_names_resolve_like_the_console_and_unknown_ones_fall_back() -> None:
    layouts = load_layouts(None, load_builtin_layouts())
    layout, note = resolve_layout("1+5", 6, layouts)
    assert layout.name == "1+5" and note == ""
    layout, note = resolve_layout("3x4", 12, layouts)  # not built in, but a plain grid
    assert (layout.rows, layout.columns, note) == (3, 4, "")
    layout, note = resolve_layout("marché", 5, layouts)
    assert len(layout.tiles) >= 5 and "unknown layout 'marché'" in note and layout.name in note
    layout, note = resolve_layout("99x99", 1, layouts)  # a grid Layout refuses: a stand-in too
    assert note and len(layout.tiles) >= 1


def _source(camera: int) -> TileSource:
    return TileSource(camera, "", StreamKind.SUB, f"http://127.0.0.1:8490/camera/{camera}/sub.ts")


def test_tile_states_become_the_walls_words() -> None:
    live = VideoStatus(VideoState.LIVE, _source(3), fps_displayed=24.8)
    assert wall_tile_status(3, live).state is TileState.PLAYING
    assert wall_tile_status(3, live).fps == 24.8
    assert wall_tile_status(None, VideoStatus(VideoState.IDLE)).state is TileState.EMPTY
    lost = VideoStatus(VideoState.LOST, _source(3), retry_in_s=4, reason="no picture after 10 s", attempts=2)
    assert wall_tile_status(3, lost).error == "no picture after 10 s"
    assert wall_tile_status(3, lost, problem="camera 3 refused the credentials").error.endswith("credentials")
    refused = wall_tile_status(50, VideoStatus(VideoState.IDLE), refused=True, problem="storage only")
    assert (refused.state, refused.error) == (TileState.NOT_AUTHORISED, "storage only")
    retrying = VideoStatus(VideoState.CONNECTING, _source(3), reason="stream ended", attempts=1)
    assert wall_tile_status(3, retrying).error == "stream ended"
    assert wall_tile_status(3, VideoStatus(VideoState.CONNECTING, _source(3))).error == ""
    no_video = wall_tile_status(3, VideoStatus(VideoState.IDLE), video=False)
    assert no_video.state is TileState.LOST and "libVLC" in no_video.error
    noted = wall_tile_status(None, VideoStatus(VideoState.IDLE), note="unknown layout 'x': showing 2x2")
    assert noted.error.startswith("unknown layout")


def test_local_hubs_are_told_from_remote_ones() -> None:
    assert is_loopback_url("http://127.0.0.1:8490")
    assert is_loopback_url("http://localhost:8490/")
    assert is_loopback_url("http://[::1]:8490")
    assert not is_loopback_url("http://10.0.0.5:8490")
    assert not is_loopback_url("http://hub.csu.example:8490")
