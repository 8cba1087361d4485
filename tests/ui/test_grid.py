"""The live grid with real widgets (fake players): keypad, drag and drop, layouts, maximise, overlay."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QPoint, Qt

from tests.ui.conftest import ConsoleFactory, drop, kind_of, player_of
from vmwall.model import StreamKind
from vmwall.ui.camera_tree import CAMERA_ROLE
from vmwall.ui.tile import camera_mime
from vmwall.video.policy import choose_stream
from vmwall.video.status import TileState


def test_keypad_calls_a_camera_into_the_selected_tile(console: ConsoleFactory, qtbot: Any) -> None:
    window = console(layout="2x2")
    grid = window.grid
    grid.select(2)
    qtbot.keyClicks(grid, "12")
    assert window.keypad_label.text() == "▶ 12"
    qtbot.keyClick(grid, Qt.Key.Key_Return)
    assert grid.cameras() == [None, None, 12, None]
    assert window.keypad_label.text() == ""
    tile = grid.tile(2)
    assert tile.source is not None and tile.source.camera == 12
    assert tile.source.kind is StreamKind.SUB  # a quarter of the screen: sub stream
    assert player_of(console.backend, tile).calls[-1] == ("play", tile.source)
    # Numeric keypad Enter works too, and an unknown camera says so on the tile.
    qtbot.keyClicks(grid, "777")
    qtbot.keyClick(grid, Qt.Key.Key_Enter, Qt.KeyboardModifier.KeypadModifier)
    assert grid.cameras()[2] == 777
    assert grid.tile(2).message.headline == "non autorisé"
    assert "777" in grid.tile(2).message.detail


def test_keypad_selects_tiles_and_steps_cameras(console: ConsoleFactory, qtbot: Any) -> None:
    window = console(layout="3x3", cameras=(1, 2, 3))
    grid = window.grid
    qtbot.keyClicks(grid, "5")
    qtbot.keyClick(grid, Qt.Key.Key_Asterisk)
    assert grid.selected_index() == 4
    assert grid.tile(4).selected and not grid.tile(0).selected
    qtbot.keyClick(grid, Qt.Key.Key_Right)
    assert grid.selected_index() == 5
    qtbot.keyClick(grid, Qt.Key.Key_Up)
    assert grid.selected_index() == 2
    qtbot.keyClick(grid, Qt.Key.Key_Left)
    assert grid.selected_index() == 1
    # +/- step the selected tile through the catalogue (wrapping), numeric keypad included.
    qtbot.keyClick(grid, Qt.Key.Key_Plus)
    assert grid.cameras()[1] == 3
    qtbot.keyClick(grid, Qt.Key.Key_Plus, Qt.KeyboardModifier.KeypadModifier)
    assert grid.cameras()[1] == 4
    qtbot.keyClick(grid, Qt.Key.Key_Minus)
    qtbot.keyClick(grid, Qt.Key.Key_Minus)
    assert grid.cameras()[1] == 2
    grid.assign(1, 50)
    qtbot.keyClick(grid, Qt.Key.Key_Plus)
    assert grid.cameras()[1] == 1  # wraps past the last camera
    # A tile number the layout does not have is refused with a message.
    qtbot.keyClicks(grid, "42")
    qtbot.keyClick(grid, Qt.Key.Key_Asterisk)
    assert grid.selected_index() == 1
    assert "42" in window.statusBar().currentMessage()
    # Escape clears a half-typed number; Delete removes the selected tile's camera.
    qtbot.keyClicks(grid, "9")
    qtbot.keyClick(grid, Qt.Key.Key_Escape)
    assert grid.entry.text == ""
    qtbot.keyClick(grid, Qt.Key.Key_Delete)
    assert grid.cameras()[1] is None


def test_drag_a_camera_from_the_tree_onto_a_tile(console: ConsoleFactory, qtbot: Any) -> None:
    window = console(layout="2x2")
    tree = window.tree
    assert tree.camera_count() == 11
    tree.search.setText("hôtel")  # by name, accents ignored
    assert tree.visible_camera_numbers() == [6]
    tree.search.setText("1")  # by number prefix
    assert tree.visible_camera_numbers() == [1, 12]
    tree.search.setText("roubaix")  # a commune shows its cameras
    assert tree.visible_camera_numbers() == [6, 7, 8, 9, 12]
    index = tree.view.currentIndex()
    assert index.data(CAMERA_ROLE) == 6
    mime = tree.proxy.mimeData([index])
    drop(qtbot, window.grid.tile(3), mime)
    assert window.grid.cameras() == [None, None, None, 6]
    assert window.grid.selected_index() == 3
    assert window.grid.tile(3).source is not None


def test_drag_a_tile_onto_another_swaps_them_and_keeps_both_players(
    console: ConsoleFactory, qtbot: Any
) -> None:
    window = console(layout="2x2", cameras=(1, 2, 3, 4))
    grid = window.grid
    first, last = grid.tile(0), grid.tile(3)
    player_first, player_last = player_of(console.backend, first), player_of(console.backend, last)
    calls_before = (len(player_first.calls), len(player_last.calls))
    drop(qtbot, last, camera_mime(1, grid.grid_id, 0))
    assert grid.cameras() == [4, 2, 3, 1]
    # The tile widgets moved: each player keeps its camera, nothing was restarted.
    assert grid.tile(0) is last and grid.tile(3) is first
    assert (first.number, last.number) == (4, 1)
    assert (len(player_first.calls), len(player_last.calls)) == calls_before
    assert grid.tile(3).geometry() == grid.tile_rect(3)
    # Dropped from another window's grid, a camera is copied, not swapped.
    drop(qtbot, grid.tile(1), camera_mime(9, "another-grid", 0))
    assert grid.cameras() == [4, 9, 3, 1]


def test_layout_switch_keeps_cameras(console: ConsoleFactory, qtbot: Any) -> None:
    window = console(layout="3x3", cameras=(1, 2, 3, 4, 5, 6, 7, 8, 9))
    grid = window.grid
    kept = grid.tile(1)
    player = player_of(console.backend, kept)
    plays = len(player.calls)
    dropped_players = [player_of(console.backend, grid.tile(i)) for i in range(4, 9)]
    qtbot.keyClick(window, Qt.Key.Key_F2)  # F2: 2x2
    assert grid.grid_layout().name == "2x2"
    assert grid.cameras() == [1, 2, 3, 4]
    assert grid.tile(1) is kept and kept.source is not None and kept.source.camera == 2
    assert player.calls[plays:] == [], "a tile that stays must not restart its player"
    qtbot.waitUntil(lambda: all(p.closed for p in dropped_players), timeout=3000)
    # Back to a larger layout: the remembered cameras come back.
    window.apply_layout_name("1+5")
    assert grid.cameras() == [1, 2, 3, 4, 5, 6]
    assert grid.tile(0).source is not None
    window.cycle_layout(1)
    assert grid.grid_layout().name == "1+7"
    # The big tile plays what the stream policy says for its size; the small ones their sub stream.
    big = grid.tile(0)
    screen = big.screen().geometry()
    wanted = choose_stream(big.width(), big.height(), screen.width(), screen.height())
    qtbot.waitUntil(lambda: big.source is not None and big.source.kind is wanted, timeout=3000)
    assert all(t.source is not None and t.source.kind is StreamKind.SUB for t in grid.tiles()[1:])
    assert [a.data() for a in window.layout_menu.actions() if a.isChecked()] == ["1+7"]


def test_double_click_maximises_and_restores(console: ConsoleFactory, qtbot: Any) -> None:
    window = console(layout="2x2", cameras=(1, 2, 3, 4))
    grid = window.grid
    tile = grid.tile(1)
    others = [grid.tile(i) for i in (0, 2, 3)]
    qtbot.mouseDClick(tile, Qt.MouseButton.LeftButton, pos=QPoint(20, 20))
    assert grid.maximised_index() == 1
    assert tile.geometry() == grid.rect()
    assert all(not t.isVisible() and t.suspended and t.source is None for t in others)
    assert all(("stop", None) in player_of(console.backend, t).calls for t in others)
    qtbot.waitUntil(lambda: tile.source is not None and tile.source.kind is StreamKind.MAIN, timeout=3000)
    # Arrows while maximised show the neighbour maximised.
    qtbot.keyClick(grid, Qt.Key.Key_Left)
    assert grid.maximised_index() == 0 and grid.selected_index() == 0
    qtbot.keyClick(grid, Qt.Key.Key_Space)
    assert grid.maximised_index() is None
    assert all(t.isVisible() and not t.suspended for t in grid.tiles())
    assert grid.tile(1).geometry() == grid.tile_rect(1)
    qtbot.waitUntil(
        lambda: all(t.source is not None and t.source.kind is StreamKind.SUB for t in grid.tiles()),
        timeout=3000,
    )


def test_storage_only_commune_is_refused_on_the_tile(console: ConsoleFactory, qtbot: Any) -> None:
    window = console(layout="2x2", cameras=(50, 1))
    tile = window.grid.tile(0)
    assert tile.camera == 50
    assert tile.source is None and tile.player is None, "no player may ever start for a storage-only camera"
    assert tile.state_key() == "refused"
    assert tile.message.isVisible()
    assert tile.message.headline == "non autorisé"
    assert "Hem" in tile.message.detail and "stockage seul" in tile.message.detail
    assert "non autorisé" in tile.banner.right
    assert window.tree.state_of(50) == "refused"
    assert "1 non autorisé(s)" in window.tiles_label.text()


def test_overlay_follows_the_player(console: ConsoleFactory, qtbot: Any) -> None:
    window = console(layout="2x2", cameras=(3,))
    tile = window.grid.tile(0)
    player = player_of(console.backend, tile)
    assert tile.message.headline == "connexion…"
    assert "3 · Rue Nationale — Lille" in tile.banner.left
    player.report(TileState.LIVE)
    qtbot.waitUntil(lambda: tile.status.state is TileState.LIVE, timeout=2000)
    assert not tile.message.isVisible()
    assert "en direct" in tile.banner.right
    assert window.tree.state_of(3) == "live"
    player.report(TileState.LOST, retry_in_s=4, reason="no picture for 3 s")
    qtbot.waitUntil(lambda: tile.status.state is TileState.LOST, timeout=2000)
    assert tile.message.isVisible()
    assert tile.message.headline in (
        "signal perdu — nouvel essai dans 4 s",
        "signal perdu — nouvel essai dans 3 s",
    )
    assert window.tree.state_of(3) == "lost"
    assert tile.message.detail == "plus d'image depuis 3 s"  # the player's reason, in French
    # The one-second tick counts down.
    qtbot.waitUntil(
        lambda: "dans 2 s" in tile.message.headline or "dans 1 s" in tile.message.headline, timeout=4000
    )
    # A late report about another camera is ignored.
    player.source = None
    player.report(TileState.LIVE)
    qtbot.wait(50)
    assert tile.status.state is TileState.LOST


def test_a_lost_tile_says_what_the_hub_knows(console: ConsoleFactory, qtbot: Any) -> None:
    window = console(layout="2x2", cameras=(3,))
    tile = window.grid.tile(0)
    player = player_of(console.backend, tile)
    player.report(TileState.LOST, retry_in_s=4, reason="stream ended")
    qtbot.waitUntil(lambda: tile.status.state is TileState.LOST, timeout=2000)
    assert tile.message.detail == "le flux s'est arrêté"
    console.backend.hub_problems[3] = "the camera refused the credentials"
    window.check_hub()
    qtbot.waitUntil(lambda: "identifiants" in tile.message.detail, timeout=3000)
    assert tile.message.detail == "la caméra refuse les identifiants (mot de passe à vérifier)"
    console.backend.hub_problems.clear()
    window.check_hub()
    qtbot.waitUntil(lambda: tile.message.detail == "le flux s'est arrêté", timeout=3000)


def test_tile_context_menu(console: ConsoleFactory, qtbot: Any) -> None:
    window = console(layout="2x2", cameras=(1,))
    tile = window.grid.tile(0)
    menu = tile.build_menu()
    texts = [a.text() for a in menu.actions()]
    assert texts[:2] == ["Instantané", "Flux"]
    assert "Retirer la caméra" in texts and "Agrandir" in texts
    ptz = next(a for a in menu.actions() if a.text().startswith("PTZ"))
    assert not ptz.isEnabled() and "pas disponible sur cette console" in ptz.toolTip()  # no PTZ service
    snapshot = menu.actions()[0]
    assert not snapshot.isEnabled()  # not live yet
    stream = next(a for a in menu.actions() if a.text() == "Flux").menu()
    main = next(a for a in stream.actions() if a.text().startswith("Principal"))
    main.trigger()
    assert tile.source is not None and tile.source.kind is StreamKind.MAIN
    remove = next(a for a in menu.actions() if a.text() == "Retirer la caméra")
    remove.trigger()
    assert window.grid.cameras()[0] is None
    menu.deleteLater()


def test_snapshot_writes_a_png_with_camera_commune_and_time(
    console: ConsoleFactory, qtbot: Any, tmp_path: Any
) -> None:
    from dataclasses import replace

    from vmwall.config.settings import Settings
    from vmwall.video.snapshot import read_png_info

    window = console(
        layout="2x2", cameras=(6,), settings=replace(Settings(), snapshot_dir=tmp_path / "snaps")
    )
    tile = window.grid.tile(0)
    player_of(console.backend, tile).report(TileState.LIVE)
    qtbot.waitUntil(lambda: tile.status.state is TileState.LIVE, timeout=2000)
    qtbot.keyClick(window, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.last_snapshot is not None, timeout=3000)
    assert window.last_snapshot is not None and window.last_snapshot.parent == tmp_path / "snaps"
    info = read_png_info(window.last_snapshot)
    assert info["vmwall:camera"] == "6"
    assert info["vmwall:commune"] == "Roubaix"
    assert info["vmwall:camera_name"] == "Hôtel de Ville"
    assert info["Creation Time"][:4].isdigit()


def test_selected_tile_shows_the_keyboard_focus(console: ConsoleFactory, qtbot: Any) -> None:
    from vmwall.ui import theme

    window = console(layout="2x2")
    window.activateWindow()
    grid = window.grid
    grid.setFocus()
    qtbot.waitUntil(grid.hasFocus, timeout=2000)
    assert grid.tile(0).selected and grid.tile(0).focused
    window.tree.search.setFocus()
    qtbot.waitUntil(lambda: not grid.tile(0).focused, timeout=2000)
    assert grid.tile(0).selected
    assert theme.SELECTION != theme.SELECTION_UNFOCUSED
    qtbot.mouseClick(grid.tile(3), Qt.MouseButton.LeftButton, pos=QPoint(10, 10))
    assert grid.selected_index() == 3
    qtbot.waitUntil(lambda: grid.tile(3).focused, timeout=2000)


def test_overload_steps_main_streams_down_and_back_up(console: ConsoleFactory, qtbot: Any) -> None:
    from vmwall.video.policy import GovernorConfig, OverloadGovernor

    window = console(layout="2x2", cameras=(1, 2, 3, 4))
    window.governor = OverloadGovernor(GovernorConfig(overload_hold_s=0, step_interval_s=0, recover_hold_s=0))
    grid = window.grid
    grid.toggle_maximise(0)
    tile = grid.tile(0)
    qtbot.waitUntil(lambda: tile.source is not None and tile.source.kind is StreamKind.MAIN, timeout=3000)
    # The sub stream of a tile on its main stream is kept warm in the hub.
    window._hub_check_running = False
    window.check_hub()
    qtbot.waitUntil(lambda: console.backend.warmed and console.backend.warmed[-1] == [1], timeout=3000)
    decision = window.govern_load(cpu_percent=195.0)
    assert decision.overloaded and len(decision.forced_sub) == 1
    assert tile.forced_sub and tile.source is not None and tile.source.kind is StreamKind.SUB
    assert "Surcharge" in window.tiles_label.toolTip()
    window.govern_load(cpu_percent=40.0)
    decision = window.govern_load(cpu_percent=40.0)
    assert not decision.forced_sub
    assert not tile.forced_sub and kind_of(tile) is StreamKind.MAIN


def test_shortcuts_are_configurable(console: ConsoleFactory, qtbot: Any) -> None:
    from dataclasses import replace

    from vmwall.config.settings import Settings

    settings = replace(
        Settings(),
        shortcuts={
            "select_tile": ("/",),  # was maximise's second key: no conflict once maximise is redefined
            "maximise": ("M",),
            "call_camera": ("Return", "Ctrl+Nowhere"),  # the second one is not a key
            "next_camera": ("Down",),  # tile_down's by default: the file wins, the clash is reported
            "layout:1+5": ("F12",),
        },
    )
    window = console(layout="2x2", settings=settings)
    grid = window.grid
    qtbot.keyClicks(grid, "4")
    qtbot.keyClick(grid, Qt.Key.Key_Slash)
    assert grid.selected_index() == 3
    qtbot.keyClick(grid, Qt.Key.Key_M)
    assert grid.maximised_index() == 3
    qtbot.keyClick(grid, Qt.Key.Key_M)
    assert grid.maximised_index() is None
    qtbot.keyClick(window, Qt.Key.Key_F12)
    assert grid.grid_layout().name == "1+5"
    box = window.last_problem_box
    assert box is not None
    problems = box.informativeText()
    assert "'Ctrl+Nowhere' of 'call_camera' is not a key Qt knows" in problems
    assert "'Down' is given to both 'next_camera' and 'tile_down'; kept for 'next_camera'" in problems
    assert str(console.settings_path) in problems
    box.close()
