"""Layout files: the built-in layouts shipped with vmwall and the custom ones of a centre.

A layout file is JSON, version 1::

    {"format": "vmwall-layout", "version": 1, "name": "1+5", "rows": 3, "columns": 3,
     "tiles": [{"row": 0, "column": 0, "row_span": 2, "column_span": 2},
               {"row": 0, "column": 2}, ...]}

``tiles`` may be left out for a uniform grid; ``row_span``/``column_span`` default to 1. Tiles are
numbered in the order they are listed (the keypad's tile numbers). Unknown keys are refused.

Built-in layouts are package data (``vmwall/layouts/*.json``), read through ``importlib.resources``
so an installed or bundled vmwall finds them with no source checkout. Custom layouts are the
``*.json`` files of a folder (the console watches it): a broken file is reported with its name
and the reason, and every other file still loads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from vmwall.config._strict import ConfigFileError, Reader, check_version, decode_json, read_json_file
from vmwall.model import Layout, Tile, ValidationError

FORMAT = "vmwall-layout"
VERSION = 1
MAX_FILE_BYTES = 256 * 1024
BUILTIN_PACKAGE = "vmwall"
BUILTIN_FOLDER = "layouts"

LayoutFileError = ConfigFileError


@dataclass(frozen=True, slots=True)
class LayoutEntry:
    """A usable layout and where it came from (``origin`` None: built into vmwall)."""

    layout: Layout
    origin: Path | None = None

    @property
    def builtin(self) -> bool:
        return self.origin is None


@dataclass(frozen=True, slots=True)
class LayoutSet:
    """Every layout that loaded, in menu order, and every file that did not."""

    entries: tuple[LayoutEntry, ...] = ()
    errors: tuple[LayoutFileError, ...] = field(default_factory=tuple)

    def names(self) -> list[str]:
        return [e.layout.name for e in self.entries]

    def get(self, name: str) -> Layout | None:
        for entry in self.entries:
            if entry.layout.name == name:
                return entry.layout
        return None

    def layouts(self) -> list[Layout]:
        return [e.layout for e in self.entries]


def parse_layout(source: str, data: object) -> Layout:
    """A Layout from decoded JSON; LayoutFileError naming ``source`` and the reason otherwise."""
    reader = Reader(source, data)
    reader.only("format", "version", "name", "rows", "columns", "tiles", "description")
    if reader.string("format") != FORMAT:
        raise reader.error(f"is not {FORMAT!r}", "format")
    check_version(reader, VERSION, "layout format")
    name = reader.text("name")
    reader.string("description", required=False)
    rows = reader.integer("rows", minimum=1, maximum=12)
    columns = reader.integer("columns", minimum=1, maximum=12)
    assert rows is not None and columns is not None
    raw_tiles = reader.array("tiles", required=False)
    try:
        if raw_tiles is None:
            return Layout.grid(rows, columns, name)
        tiles = []
        for index, raw in enumerate(raw_tiles):
            tile = reader.item("tiles", index, raw)
            tile.only("row", "column", "row_span", "column_span")
            row = tile.integer("row", minimum=0)
            column = tile.integer("column", minimum=0)
            row_span = tile.integer("row_span", required=False, default=1, minimum=1)
            column_span = tile.integer("column_span", required=False, default=1, minimum=1)
            assert row is not None and column is not None and row_span is not None and column_span is not None
            tiles.append(Tile(row, column, row_span, column_span))
        return Layout(name, rows, columns, tuple(tiles))
    except ValidationError as error:
        raise ConfigFileError(source, str(error)) from None


def layout_to_json(layout: Layout) -> dict[str, object]:
    """The file form of a layout (what the console writes when it exports one)."""
    return {
        "format": FORMAT,
        "version": VERSION,
        "name": layout.name,
        "rows": layout.rows,
        "columns": layout.columns,
        "tiles": [
            {"row": t.row, "column": t.column, "row_span": t.row_span, "column_span": t.column_span}
            for t in layout.tiles
        ],
    }


def load_layout_file(path: Path) -> Layout:
    try:
        size = path.stat().st_size
    except OSError as error:
        raise ConfigFileError(str(path), f"cannot be read: {error.strerror or error}") from None
    if size > MAX_FILE_BYTES:
        raise ConfigFileError(str(path), f"is {size} bytes, more than a layout can be ({MAX_FILE_BYTES})")
    return parse_layout(str(path), read_json_file(path))


def _menu_key(layout: Layout) -> tuple[int, str]:
    return (len(layout.tiles), layout.name)


def load_builtin_layouts() -> list[Layout]:
    """The layouts shipped with vmwall, fewest tiles first. A broken one is a packaging bug: raise."""
    folder = resources.files(BUILTIN_PACKAGE).joinpath(BUILTIN_FOLDER)
    layouts = []
    for item in folder.iterdir():
        if item.name.endswith(".json"):
            source = f"{BUILTIN_PACKAGE}/{BUILTIN_FOLDER}/{item.name}"
            layouts.append(parse_layout(source, decode_json(source, item.read_text(encoding="utf-8"))))
    if not layouts:
        raise ConfigFileError(
            f"{BUILTIN_PACKAGE}/{BUILTIN_FOLDER}", "no built-in layout found (broken install)"
        )
    return sorted(layouts, key=_menu_key)


def load_layouts(custom_dir: Path | None, builtins: list[Layout] | None = None) -> LayoutSet:
    """Built-in layouts then the custom ones of ``custom_dir`` (each file on its own: blocking I/O).

    A custom file that is broken, or reuses a name already taken, is listed in ``errors`` with its
    path and the reason; the rest load.
    """
    builtin_layouts = load_builtin_layouts() if builtins is None else builtins
    entries = [LayoutEntry(layout) for layout in builtin_layouts]
    taken = {layout.name: "a built-in layout" for layout in builtin_layouts}
    errors: list[LayoutFileError] = []
    custom: list[LayoutEntry] = []
    if custom_dir is not None:
        try:
            paths = sorted(p for p in custom_dir.iterdir() if p.suffix.lower() == ".json" and p.is_file())
        except FileNotFoundError:
            paths = []
        except OSError as error:
            errors.append(ConfigFileError(str(custom_dir), f"cannot be listed: {error.strerror or error}"))
            paths = []
        for path in paths:
            try:
                layout = load_layout_file(path)
            except ConfigFileError as error:
                errors.append(error)
                continue
            if layout.name in taken:
                errors.append(
                    ConfigFileError(
                        str(path), f"the name {layout.name!r} is already used by {taken[layout.name]}"
                    )
                )
                continue
            taken[layout.name] = path.name
            custom.append(LayoutEntry(layout, path))
    custom.sort(key=lambda e: _menu_key(e.layout))
    return LayoutSet(tuple(entries + custom), tuple(errors))
