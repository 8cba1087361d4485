"""A wall node's screens and what they report, in plain Python (the Qt side is ``node_display``).

- ``--virtual-screens 2x1920x1080``: N screens of W x H for tests and headless rehearsal, one
  borderless window each, side by side on the X display, scaled down together when they do not fit.
- ``--screens 0,2``: a subset of the machine's physical screens. A screen keeps its physical index
  as its number on the wall (``node:2`` is the third output), so the wall's configuration does not
  shift when the subset changes.
- Layout names resolve like the console's (built-in layouts and the layout folder); a name the
  node does not know falls back to a uniform grid (``"3x4"``) or the smallest layout that holds the
  screen's cameras, and says so.
- A tile's live state (``vmwall.video.status``) becomes the wall's ``TileStatus`` that the node
  reports to the controller every second.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from vmwall.config.layouts import LayoutSet
from vmwall.model import Layout, ValidationError
from vmwall.model.wall import MAX_SCREENS_PER_NODE, TileState, TileStatus
from vmwall.video.status import TileState as VideoState
from vmwall.video.status import TileStatus as VideoStatus

MIN_SIDE_PX = 160
MAX_WIDTH_PX = 7680
MAX_HEIGHT_PX = 4320
_VIRTUAL = re.compile(r"^\s*(\d{1,2})\s*[x×]\s*(\d{3,4})\s*[x×]\s*(\d{3,4})\s*$")
_GRID_NAME = re.compile(r"^(\d{1,2})x(\d{1,2})$")


@dataclass(frozen=True, slots=True)
class Rect:
    x: int
    y: int
    width: int
    height: int


def parse_virtual_screens(text: str) -> tuple[int, int, int]:
    """``"2x1920x1080"`` -> (2, 1920, 1080); ValueError with the reason otherwise."""
    match = _VIRTUAL.match(text)
    if not match:
        raise ValueError(f"{text!r} is not COUNTxWIDTHxHEIGHT (e.g. 2x1920x1080)")
    count, width, height = (int(g) for g in match.groups())
    if not 1 <= count <= MAX_SCREENS_PER_NODE:
        raise ValueError(f"{count} screens: a node drives 1 to {MAX_SCREENS_PER_NODE}")
    if not (MIN_SIDE_PX <= width <= MAX_WIDTH_PX and MIN_SIDE_PX <= height <= MAX_HEIGHT_PX):
        raise ValueError(
            f"{width}x{height}: a screen is {MIN_SIDE_PX}..{MAX_WIDTH_PX} x {MIN_SIDE_PX}..{MAX_HEIGHT_PX} px"
        )
    return count, width, height


def parse_screen_subset(text: str, available: int) -> tuple[int, ...]:
    """``"0,2"`` -> (0, 2): physical screen indices, each once, all present on this machine."""
    indices: list[int] = []
    for part in text.split(","):
        part = part.strip()
        if not part.isdigit():
            raise ValueError(f"{part!r} is not a screen number (0, 1, …)")
        index = int(part)
        if index >= available:
            raise ValueError(
                f"screen {index} does not exist: this machine has {available} screen(s), 0..{available - 1}"
            )
        if index in indices:
            raise ValueError(f"screen {index} is given twice")
        indices.append(index)
    if not indices:
        raise ValueError("no screen given")
    if len(indices) > MAX_SCREENS_PER_NODE:
        raise ValueError(f"a node drives at most {MAX_SCREENS_PER_NODE} screens")
    return tuple(indices)


def place_virtual_screens(count: int, width: int, height: int, display: Rect) -> tuple[float, list[Rect]]:
    """Windows for ``count`` virtual screens side by side on ``display``, scaled down to fit.

    Returns (scale, one rectangle per screen); scale is 1.0 when they fit as they are.
    """
    scale = min(1.0, display.width / (count * width), display.height / height)
    w = max(1, math.floor(width * scale))
    h = max(1, math.floor(height * scale))
    return scale, [Rect(display.x + i * w, display.y, w, h) for i in range(count)]


def grid_positions(rects: Sequence[Rect]) -> list[tuple[int, int]]:
    """(column, row) of each screen in the physical arrangement, from where the screens sit."""
    columns = sorted({r.x for r in rects})
    rows = sorted({r.y for r in rects})
    return [(columns.index(r.x), rows.index(r.y)) for r in rects]


def resolve_layout(name: str, camera_count: int, layouts: LayoutSet) -> tuple[Layout, str]:
    """The layout called ``name``, or a stand-in and the reason (empty when the name is known)."""
    found = layouts.get(name)
    if found is not None:
        return found, ""
    grid = _GRID_NAME.match(name)
    if grid:
        try:
            return Layout.grid(int(grid[1]), int(grid[2]), name), ""
        except ValidationError:
            pass
    holding = [entry.layout for entry in layouts.entries if len(entry.layout.tiles) >= camera_count]
    fallback = min(holding, key=lambda lay: (len(lay.tiles), lay.name), default=None)
    if fallback is None:
        side = max(1, min(12, math.ceil(math.sqrt(camera_count))))
        fallback = Layout.grid(side, side)
    return fallback, f"unknown layout {name!r}: showing {fallback.name}"


def wall_tile_status(
    camera: int | None,
    status: VideoStatus,
    *,
    refused: bool = False,
    problem: str | None = None,
    video: bool = True,
    note: str = "",
) -> TileStatus:
    """What the node reports for one tile.

    ``refused``: the stream hub will not serve this camera (storage-only commune, unknown number);
    ``problem``: what the hub says about the camera; ``video``: libVLC is usable on this node;
    ``note``: a screen-level remark (an unknown layout) added when the tile has nothing to say.
    """
    if camera is None:
        return TileStatus(None, TileState.EMPTY, error=note)
    if refused or status.state in (VideoState.REFUSED, VideoState.NOT_AUTHORISED):
        return TileStatus(
            camera, TileState.NOT_AUTHORISED, error=problem or status.reason or "refused by the stream hub"
        )
    if not video:
        return TileStatus(camera, TileState.LOST, error="no video on this node (libVLC unavailable)")
    if status.state is VideoState.LIVE:
        return TileStatus(camera, TileState.PLAYING, fps=status.fps_displayed, error=note)
    if status.state is VideoState.LOST:
        return TileStatus(camera, TileState.LOST, error=problem or status.reason or note)
    error = (problem or status.reason) if status.attempts else ""
    return TileStatus(camera, TileState.CONNECTING, error=error or note)


def process_age_s() -> float | None:
    """Seconds since this process started (Linux: /proc), for the node's start-up figures; else None."""
    try:
        stat = Path("/proc/self/stat").read_text(encoding="ascii")
        start_ticks = int(stat.rsplit(")", 1)[1].split()[19])  # field 22: start time, in clock ticks
        uptime_s = float(Path("/proc/uptime").read_text(encoding="ascii").split()[0])
        return max(0.0, uptime_s - start_ticks / os.sysconf("SC_CLK_TCK"))
    except (OSError, ValueError, IndexError, AttributeError):
        return None
