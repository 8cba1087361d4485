"""French first, English through Qt's translation files (.ts shipped, .qm compiled, never committed)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, Qt

from tests.ui.conftest import ConsoleFactory
from vmwall.ui import i18n


@pytest.fixture
def english(qapp: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    translators = i18n.install_translators(qapp, "en")
    yield
    i18n.remove_translators(qapp, translators)
    i18n.install_translators(qapp, "fr")


def test_every_string_has_an_english_translation() -> None:
    ts = resources.files("vmwall.resources").joinpath("translations", "vmwall_en.ts")
    root = ET.fromstring(ts.read_text(encoding="utf-8"))
    messages = list(root.iter("message"))
    assert len(messages) > 100
    for message in messages:
        translation = message.find("translation")
        assert translation is not None
        assert translation.get("type") not in ("unfinished", "obsolete", "vanished"), message.findtext(
            "source"
        )
        texts = [f.text for f in translation.findall("numerusform")] or [translation.text]
        assert all(t and t.strip() for t in texts), message.findtext("source")


def test_no_compiled_translation_is_committed() -> None:
    folder = Path(str(resources.files("vmwall.resources").joinpath("translations")))
    tracked = [p.name for p in folder.glob("*.qm")]
    assert tracked == [], "`.qm` files are build outputs (python -m vmwall.ui.i18n build), not sources"


def test_the_interface_is_french_by_default(console: ConsoleFactory) -> None:
    window = console(layout="2x2", cameras=(50,))
    assert [m.title() for m in (a.menu() for a in window.menuBar().actions()) if m][:3] == [
        "&Fichier",
        "&Disposition",
        "&Vues",
    ]
    assert window.grid.tile(0).message.headline == "non autorisé"
    assert window.grid.tile(1).message.headline == "Tuile 2 — vide"


def test_english_translation_loads(english: None, console: ConsoleFactory, qtbot: Any) -> None:
    assert QCoreApplication.translate("TileWidget", "en direct") == "live"
    window = console(layout="2x2", cameras=(50, 3))
    titles = [a.menu().title() for a in window.menuBar().actions() if a.menu()]
    assert titles[:3] == ["&File", "&Layout", "&Views"]  # "&Layout" comes from the base class's tr()
    assert "Next layout" in [a.text() for a in window.layout_menu.actions()]
    refused = window.grid.tile(0)
    assert refused.message.headline == "not authorised"
    assert "storage-only" in refused.message.detail and "Hem" in refused.message.detail
    assert window.grid.tile(1).message.headline == "connecting…"
    assert window.grid.tile(2).message.headline == "Tile 3 — empty"
    qtbot.keyClicks(window.grid, "99")
    qtbot.keyClick(window.grid, Qt.Key.Key_Asterisk)
    assert window.statusBar().currentMessage() == "No tile 99 in this layout."


def test_translation_compiles_into_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    path = i18n.translation_file("en")
    assert path is not None and path.exists() and path.stat().st_size > 1000
    assert str(tmp_path / "cache") in str(path)
    assert i18n.translation_file("en") == path  # compiled once, reused


def test_the_translation_file_covers_every_string_of_the_code(tmp_path: Path) -> None:
    """lupdate finds no string that vmwall_en.ts lacks (run `python -m vmwall.ui.i18n update`)."""
    import shutil
    import subprocess

    tool = i18n._tool("lupdate")
    if tool is None:
        pytest.skip("lupdate not installed")
    ts = tmp_path / "vmwall_en.ts"
    shutil.copy(Path(str(resources.files("vmwall.resources").joinpath("translations", "vmwall_en.ts"))), ts)
    done = subprocess.run(
        [*tool, "-locations", "none", *map(str, i18n._code_files()), "-ts", str(ts)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert "(0 new and" in done.stdout + done.stderr, done.stdout + done.stderr
