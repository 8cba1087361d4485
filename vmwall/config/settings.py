"""The console's settings: one strict, versioned JSON file per operating-system user.

``$VMWALL_CONFIG_DIR/console.json`` if that variable is set, else ``console.json`` in the user
config directory of the platform. What it holds: language, account, snapshot and custom-layout
folders, keyboard shortcuts (only the ones changed from the defaults), and the state of every
window (screen, geometry, layout, cameras, maximised and selected tile) so a restart brings the
console back as it was. Unknown keys and wrong types are refused with the file and the reason.

Pure Python: the Qt side turns geometry blobs and key sequences into Qt objects.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path
from types import MappingProxyType

import platformdirs

from vmwall.atomic_file import write_atomic
from vmwall.config._strict import ConfigFileError, Reader, check_version, read_json_file
from vmwall.model.camera import MAX_CAMERA_NUMBER

SETTINGS_VERSION = 1
ENV_CONFIG_DIR = "VMWALL_CONFIG_DIR"
SETTINGS_FILENAME = "console.json"
LANGUAGES = ("fr", "en")
LAYOUT_SHORTCUT_PREFIX = "layout:"

SettingsError = ConfigFileError


class Action(StrEnum):
    """Keyboard actions of the console. Keypad actions act on the grid that has the focus."""

    CALL_CAMERA = "call_camera"  # after a camera number: into the selected tile
    SELECT_TILE = "select_tile"  # after a tile number: select that tile
    NEXT_CAMERA = "next_camera"
    PREVIOUS_CAMERA = "previous_camera"
    TILE_LEFT = "tile_left"
    TILE_RIGHT = "tile_right"
    TILE_UP = "tile_up"
    TILE_DOWN = "tile_down"
    MAXIMISE = "maximise"  # maximise / restore the selected tile
    REMOVE_CAMERA = "remove_camera"
    CLEAR_ENTRY = "clear_entry"
    SNAPSHOT = "snapshot"
    NEXT_LAYOUT = "next_layout"
    PREVIOUS_LAYOUT = "previous_layout"
    FULL_SCREEN = "full_screen"
    FOCUS_SEARCH = "focus_search"
    FOCUS_GRID = "focus_grid"
    NEW_GRID_WINDOW = "new_grid_window"
    SAVE_VIEW = "save_view"
    # PTZ of the selected tile's camera (steps: a fraction of the picture, or a short move).
    PTZ_PANEL = "ptz_panel"
    PTZ_LEFT = "ptz_left"
    PTZ_RIGHT = "ptz_right"
    PTZ_UP = "ptz_up"
    PTZ_DOWN = "ptz_down"
    PTZ_ZOOM_IN = "ptz_zoom_in"
    PTZ_ZOOM_OUT = "ptz_zoom_out"
    PTZ_HOME = "ptz_home"
    # The main courante: its panel, a quick entry and an incident bookmark on the selected tile.
    JOURNAL_PANEL = "journal_panel"
    JOURNAL_ENTRY = "journal_entry"
    BOOKMARK = "bookmark"


# Actions handled by the grid's keypad (only while the grid has the keyboard focus); the others
# are window shortcuts.
KEYPAD_ACTIONS = frozenset(
    {
        Action.CALL_CAMERA,
        Action.SELECT_TILE,
        Action.NEXT_CAMERA,
        Action.PREVIOUS_CAMERA,
        Action.TILE_LEFT,
        Action.TILE_RIGHT,
        Action.TILE_UP,
        Action.TILE_DOWN,
        Action.MAXIMISE,
        Action.REMOVE_CAMERA,
        Action.CLEAR_ENTRY,
    }
)

# Qt's portable key sequence text. Digits are the keypad's numbers and cannot be rebound.
DEFAULT_SHORTCUTS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        Action.CALL_CAMERA: ("Return", "Enter"),
        Action.SELECT_TILE: ("*",),
        Action.NEXT_CAMERA: ("+",),
        Action.PREVIOUS_CAMERA: ("-",),
        Action.TILE_LEFT: ("Left",),
        Action.TILE_RIGHT: ("Right",),
        Action.TILE_UP: ("Up",),
        Action.TILE_DOWN: ("Down",),
        Action.MAXIMISE: ("Space", "/"),
        Action.REMOVE_CAMERA: ("Delete",),
        Action.CLEAR_ENTRY: ("Escape",),
        Action.SNAPSHOT: ("Ctrl+I",),
        Action.NEXT_LAYOUT: ("Ctrl+PgDown",),
        Action.PREVIOUS_LAYOUT: ("Ctrl+PgUp",),
        Action.FULL_SCREEN: ("F11",),
        Action.FOCUS_SEARCH: ("Ctrl+F",),
        Action.FOCUS_GRID: ("Ctrl+G",),
        Action.NEW_GRID_WINDOW: ("Ctrl+N",),
        Action.SAVE_VIEW: ("Ctrl+S",),
        Action.PTZ_PANEL: ("Ctrl+P",),
        Action.PTZ_LEFT: ("Ctrl+Left",),
        Action.PTZ_RIGHT: ("Ctrl+Right",),
        Action.PTZ_UP: ("Ctrl+Up",),
        Action.PTZ_DOWN: ("Ctrl+Down",),
        Action.PTZ_ZOOM_IN: ("Ctrl+Shift+Up",),
        Action.PTZ_ZOOM_OUT: ("Ctrl+Shift+Down",),
        Action.PTZ_HOME: ("Ctrl+Home",),
        Action.JOURNAL_PANEL: ("Ctrl+J",),
        Action.JOURNAL_ENTRY: ("Ctrl+E",),
        Action.BOOKMARK: ("Ctrl+B",),
        # The built-in layouts, by F-key.
        "layout:1x1": ("F1",),
        "layout:2x2": ("F2",),
        "layout:3x3": ("F3",),
        "layout:4x4": ("F4",),
        "layout:5x5": ("F5",),
        "layout:1+5": ("F6",),
        "layout:1+7": ("F7",),
        "layout:1+12": ("F8",),
        "layout:2+8": ("F9",),
    }
)


def known_shortcut_action(name: str) -> bool:
    return name in DEFAULT_SHORTCUTS or (name.startswith(LAYOUT_SHORTCUT_PREFIX) and len(name) > 7)


class WindowKind(StrEnum):
    MAIN = "main"
    GRID = "grid"  # an extra grid window, usually on another screen


@dataclass(frozen=True, slots=True)
class WindowState:
    """One window as it was left: where, how big, and what its grid showed."""

    kind: WindowKind
    layout: str = "2x2"
    cameras: tuple[int | None, ...] = ()
    selected_tile: int = 0
    maximised_tile: int | None = None
    screen_name: str | None = None
    screen_index: int | None = None
    geometry: str | None = None  # base64 of QWidget.saveGeometry()
    window_state: str | None = None  # base64 of QMainWindow.saveState()
    splitter: str | None = None  # base64 of QSplitter.saveState() (main window)
    full_screen: bool = False


@dataclass(frozen=True, slots=True)
class Settings:
    language: str = "fr"
    user: str | None = None  # login of the named account using this console
    snapshot_dir: Path | None = None  # None: <pictures>/vmwall
    layouts_dir: Path | None = None  # None: <config dir>/layouts
    shortcuts: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # changes from the defaults
    main_window: WindowState | None = None
    grid_windows: tuple[WindowState, ...] = ()
    # Where tiles get their video: "hub" (the stream hub, the default on every platform) or
    # "direct-rtsp" (libVLC opens the camera itself; only where libVLC has RTSP, e.g. VLC's Windows builds).
    stream_source: str = "hub"

    def shortcut(self, action: str) -> tuple[str, ...]:
        """The key sequences of an action (an empty tuple: the action has no key)."""
        if action in self.shortcuts:
            return self.shortcuts[action]
        return DEFAULT_SHORTCUTS.get(action, ())

    def all_shortcuts(self) -> dict[str, tuple[str, ...]]:
        merged = dict(DEFAULT_SHORTCUTS)
        merged.update(self.shortcuts)
        return merged

    def with_windows(self, main: WindowState | None, grids: tuple[WindowState, ...]) -> Settings:
        return replace(self, main_window=main, grid_windows=grids)


STREAM_SOURCES = ("hub", "direct-rtsp")


def config_dir() -> Path:
    override = os.environ.get(ENV_CONFIG_DIR, "").strip()
    return (
        Path(override).expanduser().absolute() if override else Path(platformdirs.user_config_dir("vmwall"))
    )


def default_settings_path() -> Path:
    return config_dir() / SETTINGS_FILENAME


def default_snapshot_dir() -> Path:
    return Path(platformdirs.user_pictures_dir()) / "vmwall"


def default_layouts_dir() -> Path:
    return config_dir() / "layouts"


def snapshot_dir(settings: Settings) -> Path:
    return settings.snapshot_dir or default_snapshot_dir()


def layouts_dir(settings: Settings) -> Path:
    return settings.layouts_dir or default_layouts_dir()


# ----------------------------------------------------------------------------------------- reading


def parse_settings(source: str, data: object) -> Settings:
    reader = Reader(source, data)
    reader.only(
        "version", "language", "user", "snapshot_dir", "layouts_dir", "shortcuts", "windows", "stream_source"
    )
    check_version(reader, SETTINGS_VERSION, "settings")
    language = reader.string("language", required=False, default="fr")
    assert language is not None
    if language not in LANGUAGES:
        raise reader.error(f"{language!r} is not one of {', '.join(LANGUAGES)}", "language")
    user = reader.string("user", required=False)
    if user is not None and (not user.strip() or any(c.isspace() for c in user)):
        raise reader.error("a login is one word", "user")
    snapshots = _path(reader, "snapshot_dir")
    layouts = _path(reader, "layouts_dir")
    shortcuts = _shortcuts(reader)
    main: WindowState | None = None
    grids: list[WindowState] = []
    for index, raw in enumerate(reader.array("windows", required=False) or []):
        window = _window(reader.item("windows", index, raw))
        if window.kind is WindowKind.MAIN:
            if main is not None:
                raise reader.error("more than one main window", f"windows[{index}]")
            main = window
        else:
            grids.append(window)
    source = reader.string("stream_source", required=False, default="hub") or "hub"
    if source not in STREAM_SOURCES:
        raise reader.error(f"{source!r} is not one of {', '.join(STREAM_SOURCES)}", "stream_source")
    return Settings(language, user, snapshots, layouts, shortcuts, main, tuple(grids), source)


def _path(reader: Reader, key: str) -> Path | None:
    value = reader.string(key, required=False)
    if value is None:
        return None
    if not value.strip():
        raise reader.error("must not be empty (leave the key out for the default)", key)
    return Path(value).expanduser()


def _shortcuts(reader: Reader) -> dict[str, tuple[str, ...]]:
    block = reader.child("shortcuts", required=False)
    if block is None:
        return {}
    result: dict[str, tuple[str, ...]] = {}
    for name, value in block.data.items():
        if not known_shortcut_action(name):
            actions = ", ".join(
                sorted(a for a in DEFAULT_SHORTCUTS if not a.startswith(LAYOUT_SHORTCUT_PREFIX))
            )
            raise block.error(f"unknown action {name!r} (actions: {actions}, or layout:NAME)")
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise block.error('expected a key sequence like "Ctrl+F", or a list of them ([] for none)', name)
        result[name] = tuple(v.strip() for v in value)
    return result


def _window(reader: Reader) -> WindowState:
    reader.only(
        "kind",
        "layout",
        "cameras",
        "selected_tile",
        "maximised_tile",
        "screen_name",
        "screen_index",
        "geometry",
        "window_state",
        "splitter",
        "full_screen",
    )
    kind_text = reader.text("kind")
    try:
        kind = WindowKind(kind_text)
    except ValueError:
        raise reader.error(
            f"{kind_text!r} is not one of {', '.join(k.value for k in WindowKind)}", "kind"
        ) from None
    layout = reader.text("layout")
    cameras: list[int | None] = []
    for index, number in enumerate(reader.array("cameras", required=False) or []):
        if number is not None and (
            isinstance(number, bool) or not isinstance(number, int) or not 1 <= number <= MAX_CAMERA_NUMBER
        ):
            raise reader.error(
                f"expected a camera number (1..{MAX_CAMERA_NUMBER}) or null", f"cameras[{index}]"
            )
        cameras.append(number)
    selected = reader.integer("selected_tile", required=False, default=0, minimum=0)
    maximised = reader.integer("maximised_tile", required=False, minimum=0)
    assert selected is not None
    return WindowState(
        kind=kind,
        layout=layout,
        cameras=tuple(cameras),
        selected_tile=selected,
        maximised_tile=maximised,
        screen_name=reader.string("screen_name", required=False),
        screen_index=reader.integer("screen_index", required=False, minimum=0),
        geometry=reader.string("geometry", required=False),
        window_state=reader.string("window_state", required=False),
        splitter=reader.string("splitter", required=False),
        full_screen=reader.boolean("full_screen", default=False),
    )


def load_settings(path: Path | None = None) -> Settings:
    """The settings in ``path`` (default file); defaults when it does not exist; SettingsError if broken."""
    path = path or default_settings_path()
    if not path.exists():
        return Settings()
    return parse_settings(str(path), read_json_file(path))


# ----------------------------------------------------------------------------------------- writing


def settings_to_json(settings: Settings) -> dict[str, object]:
    data: dict[str, object] = {"version": SETTINGS_VERSION, "language": settings.language}
    if settings.user is not None:
        data["user"] = settings.user
    if settings.snapshot_dir is not None:
        data["snapshot_dir"] = str(settings.snapshot_dir)
    if settings.layouts_dir is not None:
        data["layouts_dir"] = str(settings.layouts_dir)
    if settings.shortcuts:
        data["shortcuts"] = {k: list(v) for k, v in sorted(settings.shortcuts.items())}
    if settings.stream_source != "hub":
        data["stream_source"] = settings.stream_source
    windows = ([settings.main_window] if settings.main_window else []) + list(settings.grid_windows)
    if windows:
        data["windows"] = [_window_to_json(w) for w in windows]
    return data


def _window_to_json(window: WindowState) -> dict[str, object]:
    data: dict[str, object] = {
        "kind": window.kind.value,
        "layout": window.layout,
        "cameras": list(window.cameras),
        "selected_tile": window.selected_tile,
    }
    optional: dict[str, object | None] = {
        "maximised_tile": window.maximised_tile,
        "screen_name": window.screen_name,
        "screen_index": window.screen_index,
        "geometry": window.geometry,
        "window_state": window.window_state,
        "splitter": window.splitter,
    }
    data.update({k: v for k, v in optional.items() if v is not None})
    if window.full_screen:
        data["full_screen"] = True
    return data


def save_settings(settings: Settings, path: Path | None = None) -> Path:
    """Write atomically (a crash mid-write leaves the previous file). Returns the path written."""
    path = path or default_settings_path()
    text = json.dumps(settings_to_json(settings), indent=2, ensure_ascii=False) + "\n"
    write_atomic(path, text.encode("utf-8"))
    return path


def set_aside_broken(path: Path) -> Path | None:
    """Rename a settings file that could not be read, so saving does not destroy what it held."""
    if not path.exists():
        return None
    index = 1
    while (target := path.with_name(f"{path.name}.broken-{index}")).exists():
        index += 1
    path.rename(target)
    return target
