"""Custom layouts: the console watches its layouts folder; a broken file is reported, the rest load."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.ui.conftest import ConsoleFactory


def layout_file(folder: Path, file: str, name: str, **extra: object) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / file
    path.write_text(
        json.dumps({"format": "vmwall-layout", "version": 1, "name": name, "rows": 1, "columns": 3, **extra}),
        encoding="utf-8",
    )
    return path


def menu_names(window: Any) -> list[str]:
    return [a.data() for a in window.layout_menu.actions() if a.data()]


def test_a_broken_layout_file_at_start_is_named_with_its_reason(
    console: ConsoleFactory, qtbot: Any, tmp_path: Path
) -> None:
    folder = tmp_path / "layouts"
    layout_file(folder, "triptyque.json", "Triptyque")
    layout_file(folder, "casse.json", "Cassé", rows=0)
    window = console(layout="Triptyque", cameras=(1, 2, 3), layouts_dir=folder)
    assert window.grid.grid_layout().name == "Triptyque"
    assert len(window.grid.tiles()) == 3
    assert "Triptyque" in menu_names(window) and "Cassé" not in menu_names(window)
    qtbot.waitUntil(lambda: window.last_problem_box is not None, timeout=3000)
    box = window.last_problem_box
    assert box is not None
    assert "casse.json" in box.informativeText() and "rows: 0 is below 1" in box.informativeText()
    broken_entry = [a for a in window.layout_menu.actions() if "ignoré" in a.text()]
    assert broken_entry and "casse.json" in broken_entry[0].toolTip()
    box.close()


def test_the_layouts_folder_is_watched(console: ConsoleFactory, qtbot: Any, tmp_path: Path) -> None:
    folder = tmp_path / "layouts"
    folder.mkdir()
    window = console(layout="2x2", layouts_dir=folder)
    qtbot.waitUntil(lambda: str(folder) in window.watcher.directories(), timeout=3000)
    path = layout_file(folder, "bandeau.json", "Bandeau")
    qtbot.waitUntil(lambda: "Bandeau" in menu_names(window), timeout=5000)
    action = next(a for a in window.layout_menu.actions() if a.data() == "Bandeau")
    assert action.text() == "Bandeau (personnalisée)" and action.toolTip() == str(path)
    action.trigger()
    assert window.grid.grid_layout().name == "Bandeau"
    # The file is edited into something broken: it is reported; the grid keeps its tiles.
    path.write_text("{", encoding="utf-8")
    qtbot.waitUntil(lambda: "Bandeau" not in menu_names(window), timeout=5000)
    qtbot.waitUntil(lambda: window.last_problem_box is not None, timeout=3000)
    assert window.last_problem_box is not None and "bandeau.json" in window.last_problem_box.informativeText()
    assert len(window.grid.tiles()) == 3
    window.last_problem_box.close()
