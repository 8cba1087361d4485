"""Drag payloads the wall panel accepts besides cameras: a layout, a saved view.

Cameras travel as the console's camera MIME (``vmwall.ui.tile.camera_mime``); a camera dragged out
of a wall screen's tile names its source as the grid ``"wall:NODE:INDEX"``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from PySide6.QtCore import QByteArray, QMimeData

from vmwall.model import SavedView
from vmwall.model.wall import ScreenRef
from vmwall.ui.tile import CameraDrop, read_camera_mime

LAYOUT_MIME = "application/x-vmwall-layout"
VIEW_MIME = "application/x-vmwall-view"
WALL_GRID_PREFIX = "wall:"
MAX_PAYLOAD = 64 * 1024


@dataclass(frozen=True, slots=True)
class LayoutDrop:
    layout: str


@dataclass(frozen=True, slots=True)
class ViewDrop:
    name: str
    layout: str
    cameras: tuple[int | None, ...]


WallDrop = CameraDrop | LayoutDrop | ViewDrop


def layout_mime(name: str) -> QMimeData:
    mime = QMimeData()
    mime.setData(LAYOUT_MIME, QByteArray(json.dumps({"layout": name}).encode()))
    mime.setText(name)
    return mime


def view_mime(view: SavedView) -> QMimeData:
    mime = QMimeData()
    payload = {"name": view.name, "layout": view.layout_name, "cameras": list(view.cameras)}
    mime.setData(VIEW_MIME, QByteArray(json.dumps(payload).encode()))
    mime.setText(view.name)
    return mime


def wall_grid_id(ref: ScreenRef) -> str:
    """The camera MIME's ``grid`` for a tile of a wall screen."""
    return WALL_GRID_PREFIX + ref.key


def wall_screen_of(grid: str | None) -> ScreenRef | None:
    """The wall screen a camera was dragged from, if it came from one."""
    if grid is None or not grid.startswith(WALL_GRID_PREFIX):
        return None
    try:
        return ScreenRef.parse(grid[len(WALL_GRID_PREFIX) :])
    except ValueError:
        return None


def read_wall_drop(mime: QMimeData) -> WallDrop | None:
    """What is being dragged, or None when it is nothing the wall takes (or malformed)."""
    camera = read_camera_mime(mime)
    if camera is not None:
        return camera
    if mime.hasFormat(LAYOUT_MIME):
        payload = _payload(mime, LAYOUT_MIME)
        name = payload.get("layout") if payload else None
        return LayoutDrop(name) if isinstance(name, str) and name.strip() else None
    if mime.hasFormat(VIEW_MIME):
        payload = _payload(mime, VIEW_MIME)
        if payload is None:
            return None
        name, layout, cameras = payload.get("name"), payload.get("layout"), payload.get("cameras")
        if not (isinstance(name, str) and isinstance(layout, str) and layout.strip()):
            return None
        if not isinstance(cameras, list) or not all(
            c is None or (isinstance(c, int) and not isinstance(c, bool) and c >= 1) for c in cameras
        ):
            return None
        return ViewDrop(name, layout, tuple(cameras))
    return None


def _payload(mime: QMimeData, kind: str) -> dict[str, object] | None:
    raw = bytes(mime.data(kind).data())
    if len(raw) > MAX_PAYLOAD:
        return None
    try:
        payload = json.loads(raw.decode())
    except (ValueError, UnicodeDecodeError):
        return None
    return payload if isinstance(payload, dict) else None
