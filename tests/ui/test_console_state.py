"""Starting the console: restored as it was left, or straight into --layout/--cameras/--view."""

from __future__ import annotations

import itertools
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QRect, Qt

from tests.fixtures.accounts import TEST_PASSWORD, create_account
from tests.ui.conftest import ConsoleFactory
from vmwall.cli import main
from vmwall.config.settings import WindowKind, WindowState, load_settings
from vmwall.model import Role, SavedView
from vmwall.ui.grid_window import screen_for


def test_windows_layouts_and_cameras_are_restored_at_restart(console: ConsoleFactory, qtbot: Any) -> None:
    window = console(layout="2x2", cameras=(1, 2))
    window.setGeometry(QRect(40, 50, 1300, 800))
    window.apply_layout_name("3x3")
    window.grid.set_cameras([5, None, 7, 8])
    window.grid.select(3)
    window.grid.toggle_maximise(2)
    extra = window.open_grid_window()
    extra.apply_layout_name("1+5")
    extra.grid.set_cameras([9, 12])
    extra.setGeometry(QRect(200, 150, 700, 500))
    qtbot.wait(50)
    window.close()
    assert not window.grid_windows or not extra.isVisible()

    saved = load_settings(console.settings_path)
    assert saved.main_window is not None
    assert (saved.main_window.layout, saved.main_window.cameras) == ("3x3", (5, None, 7, 8))
    assert (saved.main_window.selected_tile, saved.main_window.maximised_tile) == (2, 2)
    assert [(w.layout, w.cameras) for w in saved.grid_windows] == [("1+5", (9, 12))]

    again = console()
    assert again.grid.grid_layout().name == "3x3"
    assert again.grid.cameras() == [5, None, 7, 8, None, None, None, None, None]
    assert again.grid.maximised_index() == 2 and again.grid.selected_index() == 2
    assert again.geometry() == QRect(40, 50, 1300, 800)
    assert len(again.grid_windows) == 1
    restored = again.grid_windows[0]
    assert restored.isVisible()
    assert restored.grid.grid_layout().name == "1+5"
    assert restored.grid.cameras()[:2] == [9, 12]
    assert restored.geometry() == QRect(200, 150, 700, 500)
    # Each grid window has its own layout and keypad.
    qtbot.keyClicks(restored.grid, "3")
    qtbot.keyClick(restored.grid, Qt.Key.Key_Return)
    assert restored.grid.cameras()[0] == 3 and again.grid.cameras()[0] == 5
    # Closing an extra window forgets it; its players are closed.
    players: list[Any] = [t.player for t in restored.grid.tiles() if t.player is not None]
    restored.close()
    qtbot.waitUntil(lambda: all(p.closed for p in players), timeout=3000)
    assert again.grid_windows == []
    again.close()
    assert load_settings(console.settings_path).grid_windows == ()


def test_layout_and_cameras_from_the_command_line_win_over_the_saved_state(console: ConsoleFactory) -> None:
    first = console(layout="4x4", cameras=(9, 9, 9))
    first.close()
    window = console(layout="2x2", cameras=(1, 2, 3, 4))
    assert window.grid.grid_layout().name == "2x2"
    assert window.grid.cameras() == [1, 2, 3, 4]
    assert all(
        t.source is not None and t.source.camera == n
        for t, n in zip(window.grid.tiles(), (1, 2, 3, 4), strict=True)
    )


def test_view_from_the_command_line(console: ConsoleFactory, qtbot: Any) -> None:
    console.backend.views = [SavedView("Carnaval", "1+5", (6, 7, None, 12), id=1)]
    window = console(view="Carnaval")
    qtbot.waitUntil(lambda: window.grid.grid_layout().name == "1+5", timeout=3000)
    assert window.grid.cameras() == [6, 7, None, 12, None, None]
    views_menu = [a.text() for a in window.views_menu.actions()]
    assert "Carnaval (partagée)" in views_menu
    missing = console(view="Braderie")
    qtbot.waitUntil(lambda: missing.last_problem_box is not None, timeout=3000)
    assert missing.last_problem_box is not None
    assert "Braderie" in missing.last_problem_box.text()
    missing.last_problem_box.close()


def test_saving_and_applying_views(console: ConsoleFactory, qtbot: Any) -> None:
    console.backend.user = 7
    window = console(layout="2x2", cameras=(1, 2, 3, 4))
    window.store_view(SavedView("Nuit", "2x2", tuple(window.grid.cameras()), owner_id=7))
    window.store_view(SavedView("Centre", "2x2", (5, 6, 7, 8), owner_id=None))
    qtbot.waitUntil(lambda: len(window.views) == 2, timeout=3000)
    labels = [a.text() for a in window.views_menu.actions()]
    assert "Nuit" in labels and "Centre (partagée)" in labels
    next(a for a in window.views_menu.actions() if a.text() == "Centre (partagée)").trigger()
    assert window.grid.cameras() == [5, 6, 7, 8]


def test_command_line_errors_exit_before_any_window(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from vmwall.logs import teardown_logging

    settings = ["--settings", str(tmp_path / "c.json")]
    try:
        assert main(["console", "--layout", "7x7", *settings]) == 2
    finally:
        teardown_logging()
    assert "no layout named '7x7'" in capsys.readouterr().err
    assert main(["console", "--layout", "2x2", "--cameras", "1,x", *settings]) == 2
    assert "'x' is not a camera number" in capsys.readouterr().err
    assert main(["console", "--view", "Nuit", "--layout", "2x2", *settings]) == 2


def test_screen_of_a_window_falls_back_to_the_primary_screen(qapp: Any) -> None:
    primary = qapp.primaryScreen()
    assert screen_for(None) is primary
    assert screen_for(WindowState(WindowKind.GRID, screen_name="gone", screen_index=5)) is primary
    assert screen_for(WindowState(WindowKind.GRID, screen_name=primary.name(), screen_index=0)) is primary


def test_vmwall_console_starts_into_a_layout_and_stops_on_sigterm(xvfb_display: str, tmp_path: Path) -> None:
    """The real entry point in its own process: `vmwall console --layout 2x2 --cameras 1,2,3,4`."""
    env = {
        **os.environ,
        "DISPLAY": xvfb_display,
        "QT_QPA_PLATFORM": "xcb",
        "VMWALL_CONFIG_DIR": str(tmp_path / "config"),
        "VMWALL_LOG_DIR": str(tmp_path / "log"),
        "VMWALL_DATA_DIR": str(tmp_path / "data"),
    }
    env.pop("VMWALL_DB_URL", None)
    # A named account signs in from the environment (no login dialog), as scripts and the demo do.
    create_account(f"sqlite:///{tmp_path / 'db.sqlite3'}", "operateur.test", Role.OPERATEUR)
    env.update(VMWALL_USER="operateur.test", VMWALL_PASSWORD=TEST_PASSWORD)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "vmwall",
            "--db",
            f"sqlite:///{tmp_path / 'db.sqlite3'}",
            "console",
            "--layout",
            "2x2",
            "--cameras",
            "1,2,3,4",
            "--no-start-hub",
            "--hub",
            "http://127.0.0.1:9",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        log = tmp_path / "log" / "console.log"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and "signed in from the environment" not in (
            log.read_text() if log.exists() else ""
        ):
            time.sleep(0.2)
        time.sleep(1.0)
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, output[-2000:]
    saved = json.loads((tmp_path / "config" / "console.json").read_text())
    main_window = next(w for w in saved["windows"] if w["kind"] == "main")
    assert main_window["layout"] == "2x2" and main_window["cameras"] == [1, 2, 3, 4]
    assert "SIGTERM received" in (tmp_path / "log" / "console.log").read_text()


@pytest.fixture
def two_screen_display() -> Any:
    """A second Xvfb with two X screens (the session's has one)."""
    import shutil

    if shutil.which("Xvfb") is None:
        pytest.skip("Xvfb is not installed")
    read_fd, write_fd = os.pipe()
    server = subprocess.Popen(
        [
            "Xvfb",
            "-displayfd",
            str(write_fd),
            "-screen",
            "0",
            "1280x800x24",
            "-screen",
            "1",
            "1024x768x24",
            "-nolisten",
            "tcp",
        ],
        pass_fds=(write_fd,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_fd)
    with os.fdopen(read_fd) as pipe:
        number = pipe.readline().strip()
    try:
        yield f":{number}"
    finally:
        server.terminate()
        server.wait(10)


def run_console_briefly(display: str, tmp_path: Path, *args: str) -> None:
    env = {
        **os.environ,
        "DISPLAY": display,
        "QT_QPA_PLATFORM": "xcb",
        "VMWALL_CONFIG_DIR": str(tmp_path / "config"),
        "VMWALL_LOG_DIR": str(tmp_path / "log"),
        "VMWALL_DATA_DIR": str(tmp_path / "data"),
    }
    env.pop("VMWALL_DB_URL", None)
    # A named account signs in from the environment (no login dialog), as scripts and the demo do.
    create_account(f"sqlite:///{tmp_path / 'db.sqlite3'}", "operateur.test", Role.OPERATEUR)
    env.update(VMWALL_USER="operateur.test", VMWALL_PASSWORD=TEST_PASSWORD)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "vmwall",
            "--db",
            f"sqlite:///{tmp_path / 'db.sqlite3'}",
            "console",
            "--no-start-hub",
            "--hub",
            "http://127.0.0.1:9",
            *args,
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        time.sleep(6.0)
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, output[-2000:]


def test_an_extra_grid_window_comes_back_on_its_screen(two_screen_display: str, tmp_path: Path) -> None:
    settings = tmp_path / "config" / "console.json"
    settings.parent.mkdir(parents=True)
    settings.write_text(
        json.dumps(
            {
                "version": 1,
                "windows": [
                    {"kind": "main", "layout": "1x1", "cameras": [1]},
                    {
                        "kind": "grid",
                        "layout": "3x3",
                        "cameras": [4, None, 6],
                        "screen_name": "screen",
                        "screen_index": 1,
                    },
                ],
            }
        )
    )
    run_console_briefly(two_screen_display, tmp_path)
    saved = json.loads(settings.read_text())
    grid = next(w for w in saved["windows"] if w["kind"] == "grid")
    assert (grid["screen_index"], grid["layout"], grid["cameras"]) == (1, "3x3", [4, None, 6])
    main_window = next(w for w in saved["windows"] if w["kind"] == "main")
    assert main_window["screen_index"] == 0 and main_window["layout"] == "1x1"


def test_an_unreachable_database_is_shown_and_retried(console: ConsoleFactory, qtbot: Any) -> None:
    console.backend.fail_directory = True
    window = console(layout="2x2", cameras=(1,), wait=False)
    qtbot.waitUntil(lambda: "hors service" in window.database_label.text(), timeout=3000)
    assert window.database_label.toolTip() == "database unreachable"
    assert window.grid.tile(0).message.headline == "chargement du catalogue…"
    assert window.grid.tile(0).player is None
    window._directory_retry.setInterval(50)  # instead of 10 s
    console.backend.fail_directory = False
    qtbot.waitUntil(lambda: window.context.directory is not None, timeout=3000)
    assert "ok" in window.database_label.text()
    assert window.tree.camera_count() == 11
    qtbot.waitUntil(lambda: window.grid.tile(0).source is not None, timeout=3000)


def test_the_gui_thread_never_waits_for_a_slow_database_or_hub(console: ConsoleFactory, qtbot: Any) -> None:
    """Catalogue, views and hub checks that take seconds (DNS stall, unreachable host) run on workers."""
    from PySide6.QtCore import QTimer

    backend = console.backend
    slow_load, slow_hub, slow_views = backend.load_directory, backend.check_hub, backend.list_views

    def stalled(call: Any) -> Any:
        def wrapper(*args: Any) -> Any:
            time.sleep(1.5)
            return call(*args)

        return wrapper

    backend.load_directory = stalled(slow_load)  # type: ignore[method-assign]
    backend.check_hub = stalled(slow_hub)  # type: ignore[method-assign]
    backend.list_views = stalled(slow_views)  # type: ignore[method-assign]
    ticks: list[float] = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    timer.start(10)
    window = console(layout="4x4", cameras=tuple(range(1, 17)), wait=False)
    qtbot.waitUntil(lambda: window.views_loaded, timeout=10_000)
    window.apply_layout_name("1x1")  # 15 tiles retire: their players close on workers
    window.apply_layout_name("5x5")
    qtbot.wait(300)
    timer.stop()
    gaps = [b - a for a, b in itertools.pairwise(ticks)]
    assert len(ticks) > 100
    print(f"longest GUI pause: {max(gaps) * 1000:.0f} ms")
    # Each stalled call takes 1.5 s: a GUI thread that waited for one would pause that long. Below
    # 1 s the pause is the machine's (a loaded CI runner has shown 0.75 s), not one of those calls.
    assert max(gaps) < 1.0, f"the GUI thread stalled for {max(gaps):.2f} s"
