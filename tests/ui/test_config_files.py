"""Layout files and console settings: strict, versioned, errors naming the file and the reason."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vmwall.config.layouts import (
    LayoutFileError,
    layout_to_json,
    load_builtin_layouts,
    load_layout_file,
    load_layouts,
)
from vmwall.config.settings import (
    DEFAULT_SHORTCUTS,
    Settings,
    SettingsError,
    WindowKind,
    WindowState,
    load_settings,
    save_settings,
    set_aside_broken,
)
from vmwall.model import Layout

BUILTIN = ["1x1", "2x2", "1+5", "1+7", "3x3", "2+8", "1+12", "4x4", "5x5"]


def write(path: Path, data: object) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


def layout_json(name: str, **extra: object) -> dict[str, object]:
    return {"format": "vmwall-layout", "version": 1, "name": name, "rows": 2, "columns": 2, **extra}


def test_the_builtin_layouts_ship_as_package_data() -> None:
    layouts = {layout.name: layout for layout in load_builtin_layouts()}
    assert list(layouts) == BUILTIN  # menu order: fewest tiles first
    assert [len(layouts[n].tiles) for n in BUILTIN] == [1, 4, 6, 8, 9, 10, 13, 16, 25]
    assert layouts["1+5"].tiles[0].row_span == 2 and layouts["1+5"].tiles[0].column_span == 2
    assert layouts["1+7"].tiles[0].row_span == 3
    assert layouts["1+12"].tiles[0].row == 1 and layouts["1+12"].tiles[0].column == 1  # big tile centred
    assert [t.row_span for t in layouts["2+8"].tiles[:2]] == [2, 2]
    assert layouts["4x4"] == Layout.grid(4, 4)


def test_a_broken_custom_layout_is_named_with_its_reason_and_the_others_load(tmp_path: Path) -> None:
    folder = tmp_path / "layouts"
    write(
        folder / "good.json",
        layout_json(
            "Quai",
            tiles=[
                {"row": 0, "column": 0, "column_span": 2},
                {"row": 1, "column": 0},
                {"row": 1, "column": 1},
            ],
        ),
    )
    write(folder / "not-json.json", "{ nope")
    write(folder / "unknown-key.json", layout_json("X", colour="red"))
    write(
        folder / "overlap.json",
        layout_json(
            "Y",
            tiles=[
                {"row": 0, "column": 0, "row_span": 2},
                {"row": 1, "column": 0},
                {"row": 0, "column": 1},
                {"row": 1, "column": 1},
            ],
        ),
    )
    write(folder / "taken.json", layout_json("2x2"))
    write(folder / "future.json", {**layout_json("Z"), "version": 9})
    write(folder / "notes.txt", "ignored: not a .json file")
    result = load_layouts(folder)
    assert result.names() == [*BUILTIN, "Quai"]  # built-ins first, then the custom ones
    quai = result.get("Quai")
    assert quai is not None and len(quai.tiles) == 3
    assert [e.origin for e in result.entries if not e.builtin] == [folder / "good.json"]
    errors = {Path(e.source).name: e.reason for e in result.errors}
    assert set(errors) == {"not-json.json", "unknown-key.json", "overlap.json", "taken.json", "future.json"}
    assert "not valid JSON" in errors["not-json.json"] and "line 1" in errors["not-json.json"]
    assert "unknown key 'colour'" in errors["unknown-key.json"]
    assert "overlaps" in errors["overlap.json"]
    assert "already used by a built-in layout" in errors["taken.json"]
    assert "newer vmwall" in errors["future.json"]
    assert all(str(folder) in str(e) for e in result.errors)  # the message names the file


def test_layout_file_round_trip_and_field_errors(tmp_path: Path) -> None:
    layout = load_builtin_layouts()[BUILTIN.index("1+12")]
    path = write(tmp_path / "copy.json", {**layout_to_json(layout), "name": "copie"})
    assert load_layout_file(path).tiles == layout.tiles
    bad = write(tmp_path / "bad.json", layout_json("B", tiles=[{"row": 0, "column": "one"}]))
    with pytest.raises(LayoutFileError, match=r"bad\.json: tiles\[0\]\.column: expected a whole number"):
        load_layout_file(bad)
    wrong_format = write(tmp_path / "wrong.json", {**layout_json("W"), "format": "something"})
    with pytest.raises(LayoutFileError, match="format"):
        load_layout_file(wrong_format)
    assert load_layouts(tmp_path / "missing").errors == ()  # no folder yet: nothing to report


def test_settings_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "console.json"
    assert load_settings(path) == Settings()  # no file: defaults
    settings = Settings(
        language="en",
        user="mdupont",
        snapshot_dir=tmp_path / "snaps",
        layouts_dir=tmp_path / "layouts",
        shortcuts={"call_camera": ("Return",), "layout:Quai": ("Ctrl+F1",), "snapshot": ()},
        main_window=WindowState(
            WindowKind.MAIN,
            "3x3",
            (1, None, 3),
            selected_tile=2,
            maximised_tile=2,
            screen_name="HDMI-1",
            screen_index=0,
            geometry="AAA=",
            splitter="BBB=",
        ),
        grid_windows=(
            WindowState(WindowKind.GRID, "4x4", (5, 6), screen_name="DP-2", screen_index=1, full_screen=True),
        ),
    )
    save_settings(settings, path)
    assert load_settings(path) == settings
    assert json.loads(path.read_text())["version"] == 1
    assert settings.shortcut("snapshot") == ()
    assert settings.shortcut("next_camera") == DEFAULT_SHORTCUTS["next_camera"]
    assert not list(tmp_path.glob(".console.json.*"))  # the atomic write left no temporary file


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ({"version": 1, "langage": "fr"}, "unknown key 'langage'"),
        ({"version": 1, "language": "de"}, "language: 'de' is not one of fr, en"),
        ({"version": 2}, "newer vmwall"),
        ({"language": "fr"}, "version: is missing"),
        ({"version": 1, "shortcuts": {"teleport": "F12"}}, "unknown action 'teleport'"),
        ({"version": 1, "shortcuts": {"snapshot": 12}}, "shortcuts.snapshot: expected a key sequence"),
        (
            {"version": 1, "windows": [{"kind": "main", "layout": "2x2", "zoom": 2}]},
            "unknown key 'zoom' in windows[0]",
        ),
        (
            {"version": 1, "windows": [{"kind": "main", "layout": "2x2", "cameras": [0]}]},
            "windows[0].cameras[0]",
        ),
        (
            {"version": 1, "windows": [{"kind": "main", "layout": "2x2"}, {"kind": "main", "layout": "1x1"}]},
            "more than one main window",
        ),
        ("[1, 2", "not valid JSON"),
    ],
)
def test_broken_settings_name_the_file_and_the_reason(tmp_path: Path, content: object, reason: str) -> None:
    path = write(tmp_path / "console.json", content)
    with pytest.raises(SettingsError) as caught:
        load_settings(path)
    assert str(caught.value).startswith(str(path) + ": ")
    assert reason in str(caught.value)


def test_a_broken_settings_file_is_set_aside_not_lost(tmp_path: Path) -> None:
    from vmwall.app import load_start_settings

    path = write(tmp_path / "console.json", {"version": 1, "bogus": True})
    settings, problems = load_start_settings(path)
    assert settings == Settings()
    assert len(problems) == 1 and "bogus" in problems[0] and "console.json.broken-1" in problems[0]
    assert not path.exists() and (tmp_path / "console.json.broken-1").exists()
    write(path, "again broken")
    assert set_aside_broken(path) == tmp_path / "console.json.broken-2"
