"""The console's wall panel on real parts: a `vmwall wall-controller` process, a wall node process,
real `WallClient`s over CurveZMQ, real accounts and catalogue in the test database, real widgets.

Two panels (two consoles) command the same wall: each sees the other's change within 1 s. A user
without the wall right is refused by the controller, and the panel says so in French and disables
its commands. A node that dies is marked offline, and an unreachable controller is shown.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QDialogButtonBox

from tests.fixtures.wall import (
    NO_WALL_USER,
    WALL_USER,
    ControllerProcess,
    NodeProcess,
    WallEnv,
    fill_catalogue,
)
from vmwall.config.layouts import LayoutEntry, LayoutSet, load_builtin_layouts
from vmwall.model import Camera, Commune, SavedView, User
from vmwall.model.wall import ScreenRef
from vmwall.store import CameraRepository, CommuneRepository, Database, UserRepository
from vmwall.ui.bridge import Bridge
from vmwall.ui.directory import Directory
from vmwall.ui.tile import TileContext, camera_mime
from vmwall.ui.wall_panel import WallPanel
from vmwall.wall.client import WallClient
from vmwall.wall.config import WallConfig

START_TIMEOUT_S = 30.0
WALL0, WALL1 = ScreenRef("mur", 0), ScreenRef("mur", 1)


# --------------------------------------------------------------------------- the wall (A's fixtures)


@dataclass
class Wall:
    env: WallEnv
    controller: ControllerProcess
    node: NodeProcess
    db_url: str
    chef: User
    operateur: User
    communes: list[Commune]
    cameras: list[Camera]

    @property
    def config(self) -> WallConfig:
        return self.env.config

    def directory(self, user: User | None) -> Directory:
        return Directory.build(self.communes, self.cameras, user)

    def restart_controller(self) -> None:
        self.controller = ControllerProcess(self.env, self.db_url).start()


@pytest.fixture
def wall(database: Database, db_url: str, wall_env: WallEnv) -> Iterator[Wall]:
    """A controller on the test database (SQLite and PostgreSQL), a headless node "mur" of two
    screens, the catalogue and accounts of `fill_catalogue`."""
    fill_catalogue(database)
    accounts = UserRepository(database)
    chef, operateur = accounts.get_by_login(WALL_USER), accounts.get_by_login(NO_WALL_USER)
    assert chef is not None and operateur is not None
    controller = ControllerProcess(wall_env, db_url).start()
    node: NodeProcess | None = None
    wall: Wall | None = None
    try:
        node = NodeProcess.launch("mur", wall_env, screens=2)
        wall = Wall(
            wall_env,
            controller,
            node,
            db_url,
            chef,
            operateur,
            CommuneRepository(database).list(),
            CameraRepository(database).list(),
        )
        yield wall
    finally:
        if node is not None:
            node.kill()
        # A test may have restarted the controller: stop the one running now, and the first one.
        for process in {id(p): p for p in (controller, wall.controller if wall else controller)}.values():
            with contextlib.suppress(AssertionError):
                process.stop()


# --------------------------------------------------------------------------- consoles in this process


@dataclass
class _NoVideo:
    def new_player(self) -> None:
        return None


@dataclass
class Host:
    """What a console window gives its wall panel (`WallHost`)."""

    context: TileContext
    layout_set: LayoutSet
    views: list[SavedView] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)

    def notify(self, text: str) -> None:
        self.notices.append(text)


@dataclass
class Console:
    client: WallClient
    panel: WallPanel
    bridge: Bridge


@pytest.fixture
def consoles(wall: Wall, native_qapp: Any, qtbot: Any) -> Iterator[list[Console]]:
    """``make(login, directory_user)``: a console's wall panel with a real, started WallClient."""
    made: list[Console] = []
    yield made
    for console in made:
        console.panel.detach()
        console.client.close()
        console.bridge.close()
        console.panel.close()
        console.panel.deleteLater()


def open_console(
    wall: Wall, made: list[Console], qtbot: Any, login: str, key_name: str, directory_user: User | None
) -> Console:
    bridge = Bridge()
    context = TileContext(bridge, _NoVideo())  # type: ignore[arg-type]
    context.directory = wall.directory(directory_user)
    layout_set = LayoutSet(tuple(LayoutEntry(layout) for layout in load_builtin_layouts()))
    host = Host(context, layout_set)
    client = WallClient(wall.config, user=login, name=key_name)
    client.start()
    panel = WallPanel(host)
    panel.set_client(client)
    panel.setFloating(True)
    panel.resize(900, 650)
    panel.show()
    qtbot.waitExposed(panel)
    console = Console(client, panel, bridge)
    made.append(console)
    qtbot.waitUntil(
        lambda: panel.snapshot is not None and {g.ref for g in panel.snapshot.geometry} >= {WALL0, WALL1},
        timeout=int(START_TIMEOUT_S * 1000),
    )
    qtbot.waitUntil(lambda: panel.commands_enabled() or bool(panel.commands_reason), timeout=5000)
    return console


def send_drop(view: Any, point: QPointF, mime: Any) -> bool:
    actions = Qt.DropAction.CopyAction | Qt.DropAction.MoveAction
    buttons, modifiers = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(point.toPoint(), actions, mime, buttons, modifiers)
    QApplication.sendEvent(view, enter)
    if not enter.isAccepted():
        return False
    QApplication.sendEvent(view, QDragMoveEvent(point.toPoint(), actions, mime, buttons, modifiers))
    drop = QDropEvent(point, actions, mime, buttons, modifiers)
    QApplication.sendEvent(view, drop)
    return drop.isAccepted()


def centre_of(panel: WallPanel, ref: ScreenRef, tile: int) -> QPointF:
    rect = panel.view.tile_rect(ref, tile) or panel.view.screen_rect(ref)
    assert rect is not None, f"{ref.key} is not drawn"
    return rect.center()


def wait_for(qtbot: Any, condition: Any, timeout_s: float) -> float:
    """Seconds until ``condition()`` held (the GUI thread keeps running meanwhile)."""
    started = time.monotonic()
    qtbot.waitUntil(condition, timeout=int(timeout_s * 1000))
    return time.monotonic() - started


# --------------------------------------------------------------------------- tests


def test_two_consoles_see_each_others_changes_within_a_second(
    wall: Wall, consoles: list[Console], qtbot: Any
) -> None:
    a = open_console(wall, consoles, qtbot, WALL_USER, "salle", wall.chef)
    b = open_console(wall, consoles, qtbot, WALL_USER, "crise", wall.chef)
    assert a.panel.commands_enabled() and b.panel.commands_enabled(), a.panel.commands_reason
    assert a.panel.link_text() == "Contrôleur : connecté"
    figures: dict[str, float] = {}

    # A drops a camera onto the second screen's tile (a screen never filled: one tile holding it).
    assert send_drop(a.panel.view, centre_of(a.panel, WALL1, 0), camera_mime(3))
    figures["camera drop A -> B"] = wait_for(qtbot, lambda: b.panel.view.camera_at(WALL1, 0) == 3, 1.0)
    # B puts a layout on the first screen and a camera into a tile of it.
    assert b.panel.set_screen_layout(WALL0, "2x2")
    for panel in (a.panel, b.panel):
        wait_for(qtbot, lambda p=panel: p.view.tile_rect(WALL0, 3) is not None, 1.0)
    assert send_drop(b.panel.view, centre_of(b.panel, WALL0, 3), camera_mime(2))
    figures["camera drop B -> A"] = wait_for(qtbot, lambda: a.panel.view.camera_at(WALL0, 3) == 2, 1.0)
    # A saves the wall as a preset; B sees it in its list.
    qtbot.mouseClick(a.panel.presets.save_button, Qt.MouseButton.LeftButton)
    dialog = a.panel.presets.last_dialog
    assert dialog is not None
    dialog.name.setText("marché de Noël")
    dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    figures["preset saved A -> B"] = wait_for(qtbot, lambda: "marché de Noël" in b.panel.presets.names(), 1.0)
    # B clears the screen, then applies the preset: A sees the wall come back.
    assert b.panel.clear_screen(WALL0)
    wait_for(qtbot, lambda: a.panel.view.camera_at(WALL0, 3) is None, 1.0)
    assert b.panel.apply_preset("marché de Noël")
    figures["preset applied B -> A"] = wait_for(qtbot, lambda: a.panel.view.camera_at(WALL0, 3) == 2, 1.0)
    # The alarm screen, chosen on A, is marked on B.
    assert a.panel.set_alarm_screen(WALL1)
    wait_for(qtbot, lambda: b.panel.alarm_combo.currentData() == WALL1, 1.0)
    # Who pushed what, with the console's key name, reaches both histories.
    pushed = f"{WALL_USER} (crise) : appliquer un préréglage — preset 'marché de Noël'"
    for panel in (a.panel, b.panel):
        wait_for(qtbot, lambda p=panel: any(pushed in line for line in p.history.lines()), 3.0)
    # The node's state and its thumbnails (every ~3 s) reach the panels.
    nord = a.panel.nodes.node_item("mur")
    assert nord is not None and nord.text(1) == "en ligne"
    wait_for(qtbot, lambda: b.panel.snapshot is not None and WALL0.key in b.panel.snapshot.thumbnails, 8.0)
    print(json.dumps({"wall_console_propagation_s": {k: round(v, 3) for k, v in figures.items()}}))


def test_a_user_without_the_wall_right_is_refused_by_the_controller(
    wall: Wall, consoles: list[Console], qtbot: Any
) -> None:
    # The console knows no account locally (no catalogue user): the controller decides.
    console = open_console(wall, consoles, qtbot, NO_WALL_USER, "poste-3", None)
    assert console.panel.commands_enabled()
    before = console.panel.snapshot
    assert send_drop(console.panel.view, centre_of(console.panel, WALL0, 0), camera_mime(1))
    wait_for(qtbot, lambda: not console.panel.commands_enabled(), 5.0)
    notice = console.panel.notice_text()
    assert notice == (
        "Le contrôleur du mur refuse votre compte : ce compte n'a pas le droit de piloter le mur d'images "
        f"(user '{NO_WALL_USER}' lacks the wall right)."
    )
    assert console.panel.presets.save_button.toolTip() == notice
    assert not console.panel.view.acceptDrops()
    # Nothing changed on the wall.
    time.sleep(0.3)
    QApplication.processEvents()
    after = console.panel.snapshot
    assert before is not None and after is not None and after.screens == before.screens


def test_a_dead_node_is_marked_offline_and_a_dead_controller_unreachable(
    wall: Wall, consoles: list[Console], qtbot: Any
) -> None:
    console = open_console(wall, consoles, qtbot, WALL_USER, "salle", wall.chef)
    panel = console.panel
    wait_for(qtbot, lambda: (n := panel.nodes.node_item("mur")) is not None and n.text(1) == "en ligne", 5.0)
    wall.node.kill()
    offline_s = wait_for(
        qtbot, lambda: (n := panel.nodes.node_item("mur")) is not None and n.text(1) == "hors ligne", 10.0
    )
    wall.controller.kill()
    unreachable_s = wait_for(qtbot, lambda: panel.link_text() == "Contrôleur : injoignable", 10.0)
    assert not panel.commands_enabled()
    assert panel.commands_reason == "Contrôleur du mur injoignable : commandes suspendues."
    # The controller comes back (same state file): the panel reconnects and commands again.
    wall.restart_controller()
    back_s = wait_for(qtbot, lambda: panel.link_text() == "Contrôleur : connecté", 15.0)
    assert panel.commands_enabled()
    print(
        json.dumps(
            {
                "node_offline_shown_s": round(offline_s, 2),
                "controller_unreachable_shown_s": round(unreachable_s, 2),
                "controller_back_s": round(back_s, 2),
            }
        )
    )
    assert offline_s < 6.0  # the goal is 3 s; generous here for a loaded machine


def test_the_console_starts_its_wall_client_or_says_why(
    wall: Wall, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from vmwall.app import start_wall_client

    # No controller key on this machine: no client, and the reason for the panel.
    monkeypatch.setenv("VMWALL_WALL_KEYS", str(tmp_path / "empty-keys"))
    client, problem = start_wall_client(WALL_USER)
    assert client is None and "no wall controller key" in problem
    # A malformed controller address is a reason too, never a crash.
    monkeypatch.setenv("VMWALL_WALL_CONTROLLER", "nowhere:port")
    assert start_wall_client(WALL_USER)[0] is None
    # The wall of this test: a started client that reaches the controller.
    monkeypatch.setenv("VMWALL_WALL_KEYS", str(wall.config.key_dir))
    monkeypatch.setenv("VMWALL_WALL_CONTROLLER", wall.config.address)
    client, problem = start_wall_client(WALL_USER)
    assert client is not None and problem == ""
    try:
        deadline = time.monotonic() + 10
        while not (client.connected and client.snapshot().epoch) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert client.connected and client.snapshot().epoch
    finally:
        client.close()
        client.close()  # idempotent
