"""The console's wall panel with real widgets and a fake wall client (the real one: tests/integration).

The fake answers commands from its own thread and calls listeners from another thread, like the
real ``WallClient``: the panel must marshal both to the GUI thread.
"""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

import pytest
from PIL import Image
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent, QImage
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QMessageBox

from tests.ui.conftest import ConsoleFactory, FakeBackend, sample_directory
from vmwall.model import Permission, Role, SavedView, User
from vmwall.model.wall import (
    NodeStatus,
    ScreenContent,
    ScreenGeometry,
    ScreenRef,
    SequenceRunState,
    SequenceStep,
    SequenceStepKind,
    TileState,
    TileStatus,
    WallPreset,
    WallPush,
    WallSequence,
    WallSnapshot,
)
from vmwall.ui.tile import camera_mime
from vmwall.ui.wall_mime import layout_mime, view_mime, wall_grid_id
from vmwall.ui.wall_panel import WallPanel
from vmwall.wall.errors import CommandResult, WallCommandError

NORD0, NORD1, SUD0 = ScreenRef("nord", 0), ScreenRef("nord", 1), ScreenRef("sud", 0)
RED, BLUE, GREEN = (220, 30, 30), (30, 60, 220), (30, 200, 60)


# --------------------------------------------------------------------------- a fake client


@dataclass
class FakeWallClient:
    state: WallSnapshot
    connected: bool = True
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    listeners: list[Callable[[WallSnapshot], None]] = field(default_factory=list)
    refuse: WallCommandError | None = None  # answer every command with this refusal
    callers: set[str] = field(default_factory=set)  # names of the threads that called back

    def snapshot(self) -> WallSnapshot:
        return self.state

    def add_listener(self, callback: Callable[[WallSnapshot], None]) -> None:
        self.listeners.append(callback)

    def remove_listener(self, callback: Callable[[WallSnapshot], None]) -> None:
        self.listeners.remove(callback)

    def submit(self, action: str, args: dict[str, Any], done: Callable[[Any], None]) -> None:
        assert threading.current_thread() is threading.main_thread()
        self.calls.append((action, args))
        result: Any = self.refuse or CommandResult(action, len(self.calls))
        threading.Thread(target=done, args=(result,), name="fake-wall-client").start()

    def push(self, state: WallSnapshot) -> None:
        """A change seen by the client: listeners are called from the client's thread."""
        self.state = state

        def call() -> None:
            for listener in self.listeners:
                listener(state)

        thread = threading.Thread(target=call, name="fake-wall-client")
        thread.start()
        thread.join()


def jpeg(colour: tuple[int, int, int], size: tuple[int, int] = (320, 180)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "JPEG", quality=90)
    return out.getvalue()


def geometry() -> tuple[ScreenGeometry, ...]:
    """Two 1080p screens side by side on node "nord", a 4K screen below them on node "sud"."""
    return (
        ScreenGeometry(NORD0, 0, 0, 1920, 1080),
        ScreenGeometry(NORD1, 1, 0, 1920, 1080),
        ScreenGeometry(SUD0, 0, 1, 3840, 2160, label="Grand écran"),
    )


def playing(*cameras: int | None) -> tuple[TileStatus, ...]:
    return tuple(
        TileStatus(c, TileState.PLAYING if c else TileState.EMPTY, fps=25.0 if c else 0.0) for c in cameras
    )


def wall_state(**changes: Any) -> WallSnapshot:
    now = time.time()
    state = WallSnapshot(
        epoch="e1",
        sequence=7,
        screens=(
            (NORD0, ScreenContent("2x2", (1, 2, None, 4))),
            (NORD1, ScreenContent("2x2", (5, None, None, None))),
            (SUD0, ScreenContent("1x1", (3,))),
        ),
        geometry=geometry(),
        presets=(
            WallPreset("normal", ((NORD0, ScreenContent("1x1", (1,))),), saved_by="dupont"),
            WallPreset("marché de Noël", ((NORD1, ScreenContent("2x2", (2, 3, 4, 5))),)),
        ),
        sequences=(),
        nodes=(
            NodeStatus(
                "nord",
                True,
                now - 1,
                cpu_percent=37.0,
                screens=geometry()[:2],
                tiles=((NORD0, playing(1, 2, None, 4)), (NORD1, playing(5, None, None, None))),
            ),
            NodeStatus(
                "sud", True, now - 1, cpu_percent=12.0, screens=geometry()[2:], tiles=((SUD0, playing(3)),)
            ),
        ),
        thumbnails={NORD0.key: jpeg(RED), NORD1.key: jpeg(BLUE), SUD0.key: jpeg(GREEN)},
    )
    return replace(state, **changes)


@pytest.fixture
def supervisor(backend: FakeBackend) -> User:
    """A chef de salle (wall right) whose account covers Lille only (cameras 1-5)."""
    user = User("dupont", "Jean Dupont", Role.CHEF_DE_SALLE, communes=frozenset({1}))
    backend.directory = replace(sample_directory(), user=user)
    return user


@dataclass
class PanelSetup:
    window: Any
    panel: WallPanel
    client: FakeWallClient


@pytest.fixture
def wall(console: ConsoleFactory, supervisor: User, qtbot: Any) -> Iterator[PanelSetup]:
    window = console(layout="2x2")
    client = FakeWallClient(wall_state())
    panel = window.wall_panel
    panel.set_client(client)
    panel.setFloating(True)
    panel.resize(900, 700)
    panel.show()
    qtbot.waitExposed(panel)
    qtbot.waitUntil(lambda: panel.view.screen_rects() != {}, timeout=3000)
    yield PanelSetup(window, panel, client)


# --------------------------------------------------------------------------- helpers


def send_drop(view: Any, point: QPointF, mime: QMimeData) -> bool:
    """What Qt does when something is dropped at ``point`` of the view: enter, move, drop."""
    actions = Qt.DropAction.CopyAction | Qt.DropAction.MoveAction
    buttons, modifiers = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(point.toPoint(), actions, mime, buttons, modifiers)
    QApplication.sendEvent(view, enter)
    if not enter.isAccepted():
        return False
    move = QDragMoveEvent(point.toPoint(), actions, mime, buttons, modifiers)
    QApplication.sendEvent(view, move)
    event = QDropEvent(point, actions, mime, buttons, modifiers)
    QApplication.sendEvent(view, event)
    return event.isAccepted()


def tile_centre(panel: WallPanel, ref: ScreenRef, tile: int) -> QPointF:
    rect = panel.view.tile_rect(ref, tile)
    assert rect is not None
    return rect.center()


def pixel(image: QImage, point: QPointF) -> tuple[int, int, int]:
    colour = image.pixelColor(point.toPoint())
    return colour.red(), colour.green(), colour.blue()


def near(actual: tuple[int, int, int], wanted: tuple[int, int, int], tolerance: int = 40) -> bool:
    return all(abs(a - w) <= tolerance for a, w in zip(actual, wanted, strict=True))


def rendered(panel: WallPanel) -> QImage:
    QApplication.processEvents()
    return panel.view.grab().toImage()


def double_click(qtbot: Any, widget: Any, point: QPoint) -> None:
    """A real double-click: press and release, then the double-click (item views need the press)."""
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton, pos=point)
    qtbot.mouseDClick(widget, Qt.MouseButton.LeftButton, pos=point)


def wait_calls(qtbot: Any, client: FakeWallClient, count: int) -> None:
    qtbot.waitUntil(lambda: len(client.calls) >= count, timeout=3000)


# --------------------------------------------------------------------------- the drawing


def test_the_wall_is_drawn_as_its_screens_are_arranged(wall: PanelSetup) -> None:
    rects = wall.panel.view.screen_rects()
    nord0, nord1, sud0 = rects[NORD0], rects[NORD1], rects[SUD0]
    # Side by side on the top row, same size; the 4K screen below, twice as wide and tall.
    assert nord0.right() < nord1.left() and abs(nord0.top() - nord1.top()) < 1
    assert abs(nord0.width() - nord1.width()) < 1 and abs(nord0.height() - nord1.height()) < 1
    assert sud0.top() > nord0.bottom()
    assert abs(sud0.width() / nord0.width() - 2.0) < 0.02 and abs(sud0.height() / nord0.height() - 2.0) < 0.02
    assert abs(nord0.width() / nord0.height() - 16 / 9) < 0.02
    # Tiles follow each screen's layout: 2x2 quarters on nord:0, one tile on sud:0.
    tile = wall.panel.view.tile_rect(NORD0, 3)
    assert tile is not None
    assert abs(tile.width() - nord0.width() / 2) < 1 and abs(tile.bottom() - nord0.bottom()) < 1
    assert wall.panel.view.tile_rect(SUD0, 0) == sud0
    assert wall.panel.view.hit(tile.center()) == (NORD0, 3)


def test_the_live_mirror_draws_each_nodes_thumbnail_behind_the_tiles(wall: PanelSetup, qtbot: Any) -> None:
    image = rendered(wall.panel)
    assert near(pixel(image, tile_centre(wall.panel, NORD0, 0)), RED)
    assert near(pixel(image, tile_centre(wall.panel, NORD0, 3)), RED)
    assert near(pixel(image, tile_centre(wall.panel, NORD1, 0)), BLUE)
    assert near(pixel(image, tile_centre(wall.panel, SUD0, 0)), GREEN)
    # A new thumbnail from the node replaces the old one.
    state = wall.client.state
    green = jpeg(GREEN)
    wall.client.push(replace(state, thumbnails={**state.thumbnails, NORD1.key: green}))
    qtbot.waitUntil(lambda: wall.panel.view.snapshot.thumbnails[NORD1.key] == green, timeout=1000)
    image = rendered(wall.panel)
    assert near(pixel(image, tile_centre(wall.panel, NORD1, 2)), GREEN)


def test_a_camera_the_account_may_not_see_is_masked_in_the_mirror(wall: PanelSetup, qtbot: Any) -> None:
    # Camera 6 is in Roubaix: outside this account's communes.
    state = wall.client.state
    wall.client.push(
        replace(state, screens=((NORD0, ScreenContent("2x2", (1, 6, None, 4))), *state.screens[1:]))
    )
    qtbot.waitUntil(lambda: wall.panel.view.camera_at(NORD0, 1) == 6, timeout=2000)
    image = rendered(wall.panel)
    assert near(pixel(image, tile_centre(wall.panel, NORD0, 0)), RED)
    hidden = pixel(image, tile_centre(wall.panel, NORD0, 1))
    assert max(hidden) < 60, f"camera 6's part of the thumbnail is shown: {hidden}"


def test_offline_nodes_and_the_alarm_screen_are_marked(wall: PanelSetup, qtbot: Any) -> None:
    state = wall.client.state
    stale = time.time() - 12
    nodes = (state.nodes[0], replace(state.nodes[1], online=False, last_heartbeat=stale))
    # Decoded from a message: equal to the geometry's screen, not the same object.
    wall.client.push(replace(state, nodes=nodes, alarm_screen=ScreenRef("nord", 1)))
    qtbot.waitUntil(lambda: wall.panel.alarm_combo.currentData() == NORD1, timeout=2000)
    image = rendered(wall.panel)
    # The offline node's screen is veiled: its green thumbnail is dimmed well below the online ones.
    offline = pixel(image, wall.panel.view.screen_rects()[SUD0].center() + QPointF(0, 60))
    assert offline[1] < 120, offline
    assert near(pixel(image, tile_centre(wall.panel, NORD0, 0)), RED)
    # The alarm screen has a red frame.
    frame = wall.panel.view.screen_rects()[NORD1]
    edge = pixel(image, QPointF(frame.center().x(), frame.bottom() - 1))
    assert edge[0] > 180 and edge[1] < 110, edge
    # The nodes tab: state, heartbeat age, CPU, per tile.
    tree = wall.panel.nodes
    sud = tree.node_item("sud")
    assert sud is not None and sud.text(1) == "hors ligne"
    assert sud.text(2) in ("il y a 12 s", "il y a 13 s")
    nord = tree.node_item("nord")
    assert nord is not None and nord.text(1) == "en ligne" and nord.text(3) == "37 %"
    screen = nord.child(0)
    assert screen.text(1) == "3 en lecture"
    assert not screen.isExpanded() and screen.child(0).text(0) == ""  # tile rows: filled once opened
    screen.setExpanded(True)
    assert (
        screen.child(0).text(0) == "tuile 1 — caméra 1" and screen.child(0).text(1) == "en lecture · 25 i/s"
    )


def test_lost_tiles_are_reported_per_tile(wall: PanelSetup, qtbot: Any) -> None:
    state = wall.client.state
    lost = (TileStatus(1, TileState.PLAYING, 24.8), TileStatus(2, TileState.LOST, error="no picture for 5 s"))
    nord = replace(state.nodes[0], tiles=((NORD0, lost),))
    wall.client.push(replace(state, nodes=(nord, state.nodes[1])))
    qtbot.waitUntil(lambda: "perdue" in wall.panel.nodes.node_item("nord").child(0).text(1), timeout=2000)
    screen = wall.panel.nodes.node_item("nord").child(0)
    screen.setExpanded(True)
    assert screen.text(1) == "1 en lecture, 1 perdue(s)"
    assert screen.child(1).text(1) == "perdue · no picture for 5 s"


# --------------------------------------------------------------------------- drops


def test_a_camera_dropped_on_a_tile_is_shown_there(wall: PanelSetup, qtbot: Any) -> None:
    assert send_drop(wall.panel.view, tile_centre(wall.panel, NORD1, 2), camera_mime(3))
    wait_calls(qtbot, wall.client, 1)
    assert wall.client.calls == [("show-camera", {"screen": "nord:1", "tile": 2, "camera": 3})]
    # From a tile of another screen (dragged out of the wall): shown, the source keeps it.
    assert send_drop(
        wall.panel.view, tile_centre(wall.panel, SUD0, 0), camera_mime(4, wall_grid_id(NORD0), 3)
    )
    wait_calls(qtbot, wall.client, 2)
    assert wall.client.calls[1] == ("show-camera", {"screen": "sud:0", "tile": 0, "camera": 4})
    # Within one screen: the two tiles swap, in one command.
    assert send_drop(
        wall.panel.view, tile_centre(wall.panel, NORD0, 2), camera_mime(1, wall_grid_id(NORD0), 0)
    )
    wait_calls(qtbot, wall.client, 3)
    assert wall.client.calls[2] == (
        "set-screen",
        {"screen": "nord:0", "layout": "2x2", "cameras": [None, 2, 1, 4]},
    )


def test_a_camera_outside_the_accounts_communes_is_never_sent(wall: PanelSetup, qtbot: Any) -> None:
    send_drop(wall.panel.view, tile_centre(wall.panel, NORD1, 1), camera_mime(6))
    send_drop(wall.panel.view, tile_centre(wall.panel, NORD1, 1), camera_mime(50))
    qtbot.wait(100)
    assert wall.client.calls == []
    assert wall.panel.notice_text().startswith("Caméra 50 non envoyée au mur")
    send_drop(wall.panel.view, tile_centre(wall.panel, NORD1, 1), camera_mime(6))
    assert wall.panel.notice_text() == "Caméra 6 non envoyée au mur : votre compte ne couvre pas sa commune."


def test_a_layout_dropped_on_a_screen_keeps_the_cameras_it_has_room_for(wall: PanelSetup, qtbot: Any) -> None:
    assert send_drop(wall.panel.view, tile_centre(wall.panel, NORD0, 3), layout_mime("3x3"))
    wait_calls(qtbot, wall.client, 1)
    assert wall.client.calls[0] == (
        "set-screen",
        {"screen": "nord:0", "layout": "3x3", "cameras": [1, 2, None, 4, None, None, None, None, None]},
    )
    assert send_drop(wall.panel.view, tile_centre(wall.panel, NORD0, 0), layout_mime("1x1"))
    wait_calls(qtbot, wall.client, 2)
    assert wall.client.calls[1] == ("set-screen", {"screen": "nord:0", "layout": "1x1", "cameras": [1]})


def test_a_saved_view_dropped_on_a_screen_fills_it(wall: PanelSetup, qtbot: Any) -> None:
    view = SavedView("gare", "2x2", (2, 7, 3), owner_id=None)  # 7 is in Roubaix: left out, said so
    assert send_drop(wall.panel.view, tile_centre(wall.panel, SUD0, 0), view_mime(view))
    wait_calls(qtbot, wall.client, 1)
    assert wall.client.calls[0] == (
        "set-screen",
        {"screen": "sud:0", "layout": "2x2", "cameras": [2, None, 3, None]},
    )
    assert "7" in wall.panel.notice_text() and "hors de votre périmètre" in wall.panel.notice_text()


def test_the_screen_menu_clears_sets_the_alarm_screen_and_removes_a_camera(
    wall: PanelSetup, qtbot: Any
) -> None:
    panel = wall.panel
    point = tile_centre(panel, NORD0, 1)
    panel.view.menu_requested.emit(NORD0, 1, panel.view.mapToGlobal(point.toPoint()))
    menu = panel.last_menu
    assert menu is not None
    texts = {a.text(): a for a in menu.actions()}
    assert "Retirer la caméra 2 de la tuile 2" in texts
    texts["Retirer la caméra 2 de la tuile 2"].trigger()
    texts["Vider l'écran"].trigger()
    texts["Utiliser comme écran d'alarme"].trigger()
    menu.close()
    wait_calls(qtbot, wall.client, 3)
    assert wall.client.calls == [
        ("show-camera", {"screen": "nord:0", "tile": 1, "camera": None}),
        ("clear-screen", {"screen": "nord:0"}),
        ("set-alarm-screen", {"screen": "nord:0"}),
    ]


def test_the_alarm_screen_is_chosen_in_the_panel(wall: PanelSetup, qtbot: Any) -> None:
    combo = wall.panel.alarm_combo
    labels = [combo.itemText(i) for i in range(combo.count())]
    assert labels == ["(aucun)", "nord · écran 1", "nord · écran 2", "Grand écran"]
    combo.setCurrentIndex(3)
    combo.activated.emit(3)
    combo.setCurrentIndex(0)
    combo.activated.emit(0)
    wait_calls(qtbot, wall.client, 2)
    assert wall.client.calls == [
        ("set-alarm-screen", {"screen": "sud:0"}),
        ("set-alarm-screen", {"screen": None}),
    ]


# --------------------------------------------------------------------------- presets


def test_presets_are_listed_applied_saved_and_deleted(
    wall: PanelSetup, qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    presets = wall.panel.presets
    assert presets.names() == ["marché de Noël", "normal"]
    item = presets.list.item(1)
    assert "enregistré par dupont" in item.toolTip() and "nord:1 — 1x1 : 1" in item.toolTip()
    # Apply in one action: a double-click.
    rect = presets.list.visualItemRect(item)
    double_click(qtbot, presets.list.viewport(), rect.center())
    wait_calls(qtbot, wall.client, 1)
    assert wall.client.calls[-1] == ("apply-preset", {"name": "normal"})
    qtbot.waitUntil(lambda: "préréglage « normal » appliqué" in wall.window.statusBar().currentMessage())
    # Or the button.
    presets.select("marché de Noël")
    qtbot.mouseClick(presets.apply_button, Qt.MouseButton.LeftButton)
    wait_calls(qtbot, wall.client, 2)
    assert wall.client.calls[-1] == ("apply-preset", {"name": "marché de Noël"})
    # Save the wall as a new name.
    qtbot.mouseClick(presets.save_button, Qt.MouseButton.LeftButton)
    dialog = presets.last_dialog
    assert dialog is not None and dialog.isVisible()
    dialog.name.setText("manifestation")
    assert dialog.note.text() == ""
    dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    wait_calls(qtbot, wall.client, 3)
    assert wall.client.calls[-1] == ("save-preset", {"name": "manifestation"})
    # Saving over an existing name says it replaces it.
    presets.ask_save()
    dialog = presets.last_dialog
    assert dialog is not None
    dialog.name.setText("normal")
    assert "sera remplacé" in dialog.note.text()
    assert dialog.buttons.button(QDialogButtonBox.StandardButton.Save).text() == "Remplacer"
    dialog.reject()
    # Delete, after a confirmation.
    monkeypatch.setattr(QMessageBox, "question", lambda *_a, **_k: QMessageBox.StandardButton.Yes)
    presets.select("normal")
    qtbot.mouseClick(presets.delete_button, Qt.MouseButton.LeftButton)
    wait_calls(qtbot, wall.client, 4)
    assert wall.client.calls[-1] == ("delete-preset", {"name": "normal"})
    # Another console's change shows up here (through the listener).
    state = wall.client.state
    wall.client.push(replace(state, presets=state.presets[1:]))
    qtbot.waitUntil(lambda: presets.names() == ["marché de Noël"], timeout=1000)


def test_a_preset_is_applied_from_the_console_menu(wall: PanelSetup, qtbot: Any) -> None:
    menu = wall.panel.presets_menu
    menu.aboutToShow.emit()
    actions = {a.text(): a for a in menu.actions()}
    assert set(actions) == {"normal", "marché de Noël"}
    actions["normal"].trigger()
    wait_calls(qtbot, wall.client, 1)
    assert wall.client.calls == [("apply-preset", {"name": "normal"})]


# --------------------------------------------------------------------------- sequences


def tour(state: SequenceRunState = SequenceRunState.STOPPED, position: int = 0) -> WallSequence:
    return WallSequence(
        "tour-gare",
        (
            SequenceStep(SequenceStepKind.CAMERA, camera=2, dwell_s=10),
            SequenceStep(SequenceStepKind.CAMERA, camera=3, dwell_s=15),
            SequenceStep(SequenceStepKind.PRESET, preset="normal", dwell_s=30),
        ),
        screen=ScreenRef("nord", 1),  # equal to NORD1, another object (as decoded from a message)
        tile=1,
        state=state,
        position=position,
    )


def test_the_sequence_editor_produces_the_steps(wall: PanelSetup, qtbot: Any) -> None:
    panel = wall.panel
    panel.view.select(NORD1)
    dialog = panel.edit_sequence(None)
    assert dialog is not None and dialog.isVisible()
    # Only the cameras this account may see (Lille: 1-5) are offered.
    dialog.add_camera_step()
    combo = dialog.table.cellWidget(0, 1)
    offered = [combo.itemData(i) for i in range(combo.count())]
    assert offered == [1, 2, 3, 4, 5]
    assert dialog.target() == (NORD1, 0)
    dialog.set_step(0, camera=4, dwell_s=12.5)
    dialog.add_camera_step(6)  # a Roubaix camera dropped from elsewhere: refused
    assert len(dialog.rows) == 1 and "hors de votre périmètre" in dialog.error.text()
    dialog.add_preset_step()
    dialog.set_step(1, preset="normal", dwell_s=60)
    dialog.add_camera_step(2, dwell_s=5)
    dialog.table.selectRow(2)
    qtbot.mouseClick(dialog.up_button, Qt.MouseButton.LeftButton)  # camera 2 before the preset
    dialog.tile.setValue(3)
    # No name yet: saving is refused with the reason.
    dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    assert dialog.error.text() == "Donnez un nom à la séquence."
    assert wall.client.calls == []
    dialog.name.setText("ronde nord")
    dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    wait_calls(qtbot, wall.client, 1)
    assert wall.client.calls == [
        (
            "save-sequence",
            {
                "name": "ronde nord",
                "steps": [
                    {"kind": "camera", "camera": 4, "dwell_s": 12.5},
                    {"kind": "camera", "camera": 2, "dwell_s": 5.0},
                    {"kind": "preset", "preset": "normal", "dwell_s": 60.0},
                ],
                "screen": "nord:1",
                "tile": 2,
            },
        )
    ]


def test_a_camera_tour_needs_a_target_screen_and_a_preset_tour_does_not(wall: PanelSetup, qtbot: Any) -> None:
    dialog = wall.panel.edit_sequence(None)
    assert dialog is not None
    dialog.name.setText("ronde")
    dialog.screen_combo.setCurrentIndex(0)  # (aucun)
    dialog.add_camera_step(1)
    dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    assert dialog.error.text() == "Une séquence de caméras doit avoir un écran cible."
    dialog.table.selectRow(0)
    qtbot.mouseClick(dialog.remove_button, Qt.MouseButton.LeftButton)
    dialog.add_preset_step("normal", dwell_s=20)
    dialog.add_preset_step("marché de Noël", dwell_s=20)
    dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    wait_calls(qtbot, wall.client, 1)
    assert wall.client.calls[0] == (
        "save-sequence",
        {
            "name": "ronde",
            "steps": [
                {"kind": "preset", "preset": "normal", "dwell_s": 20.0},
                {"kind": "preset", "preset": "marché de Noël", "dwell_s": 20.0},
            ],
        },
    )


def test_editing_a_sequence_starts_from_its_steps(wall: PanelSetup, qtbot: Any) -> None:
    wall.client.push(replace(wall.client.state, sequences=(tour(),)))
    qtbot.waitUntil(lambda: wall.panel.sequences.current() is not None, timeout=1000)
    qtbot.mouseClick(wall.panel.sequences.edit_button, Qt.MouseButton.LeftButton)
    dialog = wall.panel.last_sequence_dialog
    assert dialog is not None and dialog.name.isReadOnly()
    assert dialog.target() == (NORD1, 1)
    assert dialog.steps() == [
        {"kind": "camera", "camera": 2, "dwell_s": 10.0},
        {"kind": "camera", "camera": 3, "dwell_s": 15.0},
        {"kind": "preset", "preset": "normal", "dwell_s": 30.0},
    ]
    dialog.set_step(1, dwell_s=20)
    dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    wait_calls(qtbot, wall.client, 1)
    action, args = wall.client.calls[0]
    assert action == "save-sequence" and args["name"] == "tour-gare" and args["steps"][1]["dwell_s"] == 20.0


def test_sequences_start_pause_step_stop_and_show_the_running_step(wall: PanelSetup, qtbot: Any) -> None:
    widget = wall.panel.sequences
    wall.client.push(replace(wall.client.state, sequences=(tour(),)))
    qtbot.waitUntil(lambda: widget.current() is not None, timeout=1000)
    assert widget.list.item(0).text() == "■ tour-gare — arrêtée (3 étapes)"
    assert widget.start_button.isEnabled() and not widget.pause_button.isEnabled()
    qtbot.mouseClick(widget.start_button, Qt.MouseButton.LeftButton)
    wait_calls(qtbot, wall.client, 1)
    assert wall.client.calls[-1] == ("sequence-start", {"name": "tour-gare"})
    # The controller says it runs, on its second step.
    wall.client.push(replace(wall.client.state, sequences=(tour(SequenceRunState.RUNNING, 1),)))
    qtbot.waitUntil(lambda: "en cours" in widget.list.item(0).text(), timeout=1000)
    assert widget.list.item(0).text() == "▶ tour-gare — en cours, étape 2/3"
    assert "Étape en cours : 2. caméra 3 — Rue Nationale (15 s)" in widget.detail.text()
    assert "Cible : nord · écran 2, tuile 2" in widget.detail.text()
    assert not widget.start_button.isEnabled()
    qtbot.mouseClick(widget.step_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(widget.pause_button, Qt.MouseButton.LeftButton)
    wait_calls(qtbot, wall.client, 3)
    assert wall.client.calls[1:] == [
        ("sequence-step", {"name": "tour-gare"}),
        ("sequence-pause", {"name": "tour-gare"}),
    ]
    wall.client.push(replace(wall.client.state, sequences=(tour(SequenceRunState.PAUSED, 2),)))
    qtbot.waitUntil(lambda: widget.pause_button.text() == "Reprendre", timeout=1000)
    assert widget.list.item(0).text() == "⏸ tour-gare — en pause, étape 3/3"
    assert "préréglage « normal » (30 s)" in widget.detail.text()
    qtbot.mouseClick(widget.pause_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(widget.stop_button, Qt.MouseButton.LeftButton)
    wait_calls(qtbot, wall.client, 5)
    assert wall.client.calls[3:] == [
        ("sequence-resume", {"name": "tour-gare"}),
        ("sequence-stop", {"name": "tour-gare"}),
    ]


# --------------------------------------------------------------------------- refusals and links


def test_a_refused_account_gets_a_french_message_and_the_commands_are_disabled(
    wall: PanelSetup, qtbot: Any
) -> None:
    wall.client.refuse = WallCommandError("user 'dupont' lacks the wall right", "no-right")
    wall.panel.apply_preset("normal")
    qtbot.waitUntil(lambda: not wall.panel.commands_enabled(), timeout=2000)
    message = (
        "Le contrôleur du mur refuse votre compte : ce compte n'a pas le droit de piloter le mur d'images "
        "(user 'dupont' lacks the wall right)."
    )
    assert wall.panel.notice_text() == message
    presets = wall.panel.presets
    assert not presets.apply_button.isEnabled() and presets.apply_button.toolTip() == message
    assert (
        not wall.panel.sequences.new_button.isEnabled()
        and wall.panel.sequences.new_button.toolTip() == message
    )
    assert not wall.panel.alarm_combo.isEnabled()
    assert wall.panel.view.toolTip() == message
    # Nothing more is sent: a drop is refused, a double-click does nothing.
    assert not send_drop(wall.panel.view, tile_centre(wall.panel, NORD1, 2), camera_mime(3))
    double_click(qtbot, presets.list.viewport(), presets.list.visualItemRect(presets.list.item(0)).center())
    assert wall.panel.apply_preset("normal") is False
    qtbot.wait(100)
    assert len(wall.client.calls) == 1
    # The mirror still follows the wall.
    wall.client.push(replace(wall.client.state, presets=()))
    qtbot.waitUntil(lambda: presets.names() == [], timeout=1000)


def test_another_refusal_is_shown_without_disabling_the_panel(wall: PanelSetup, qtbot: Any) -> None:
    wall.client.refuse = WallCommandError("camera 999 is not in the catalogue", "unknown-camera")
    wall.panel.apply_preset("normal")
    qtbot.waitUntil(lambda: wall.panel.notice_text() != "", timeout=2000)
    assert wall.panel.notice_text() == (
        "Commande « appliquer un préréglage » refusée par le contrôleur du mur : "
        "camera 999 is not in the catalogue"
    )
    assert wall.panel.commands_enabled()
    # A refusal the console knows is said in French first, the controller's words after.
    wall.client.refuse = WallCommandError("no preset named 'noel' (known: normal)", "unknown-preset")
    wall.panel.apply_preset("normal")
    qtbot.waitUntil(lambda: "préréglage inconnu" in wall.panel.notice_text(), timeout=2000)
    assert wall.panel.notice_text() == (
        "Commande « appliquer un préréglage » refusée par le contrôleur du mur : "
        "préréglage inconnu (no preset named 'noel' (known: normal))"
    )


def test_an_account_without_the_wall_right_is_disabled_from_the_start(
    console: ConsoleFactory, backend: FakeBackend, qtbot: Any
) -> None:
    backend.directory = replace(sample_directory(), user=User("martin", "Léa Martin", Role.OPERATEUR))
    window = console()
    panel = window.wall_panel
    client = FakeWallClient(wall_state())
    panel.set_client(client)
    assert not panel.commands_enabled()
    reason = "Votre compte « martin » n'a pas le droit de piloter le mur d'images."
    assert panel.presets.save_button.toolTip() == reason
    assert panel.save_preset_action.toolTip() == reason and not panel.save_preset_action.isEnabled()
    assert panel.edit_sequence(None) is None and panel.notice_text() == reason
    assert panel.presets.names() == ["marché de Noël", "normal"]  # it may still watch
    assert client.calls == []


def test_rights_taken_away_now_disable_the_commands(
    console: ConsoleFactory, backend: FakeBackend, qtbot: Any
) -> None:
    # A chef de salle whose rights are narrowed now (a locked console, a suspended agrément).
    user = User("dupont", "Jean Dupont", Role.CHEF_DE_SALLE)
    backend.directory = replace(sample_directory(), user=user, permissions=frozenset({Permission.LIVE_VIEW}))
    window = console()
    window.wall_panel.set_client(FakeWallClient(wall_state()))
    assert window.wall_panel.commands_reason == (
        "Votre compte « dupont » n'a pas le droit de piloter le mur d'images."
    )


def test_an_unreachable_controller_is_shown_and_suspends_commands(wall: PanelSetup, qtbot: Any) -> None:
    assert wall.panel.link_text() == "Contrôleur : connecté"
    wall.client.connected = False
    wall.client.push(wall.client.state)
    qtbot.waitUntil(lambda: wall.panel.link_text() == "Contrôleur : injoignable", timeout=2000)
    assert wall.panel.commands_reason == "Contrôleur du mur injoignable : commandes suspendues."
    assert not wall.panel.presets.apply_button.isEnabled()
    wall.client.connected = True  # back: the panel's own once-a-second check sees it
    qtbot.waitUntil(lambda: wall.panel.link_text() == "Contrôleur : connecté", timeout=3000)
    assert wall.panel.commands_enabled()


def test_a_console_key_the_controller_refuses_is_said(wall: PanelSetup, qtbot: Any) -> None:
    wall.client.connected = False
    wall.client.key_refused = True  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: wall.panel.link_text() == "Contrôleur : clé de ce pupitre refusée", timeout=3000)
    assert wall.panel.commands_reason is not None and "vmwall wall keys" in wall.panel.commands_reason


def test_updates_from_the_client_thread_reach_the_panel_within_a_second(wall: PanelSetup, qtbot: Any) -> None:
    client = wall.client
    for index in range(50):  # a burst: coalesced, the last one wins
        content = ScreenContent("2x2", (index + 1, None, None, None))
        client.push(
            replace(client.state, sequence=100 + index, screens=((NORD0, content), *client.state.screens[1:]))
        )
    started = time.monotonic()
    qtbot.waitUntil(lambda: wall.panel.view.camera_at(NORD0, 0) == 50, timeout=1000)
    assert time.monotonic() - started < 1.0
    assert wall.panel.snapshot is not None and wall.panel.snapshot.sequence == 149


# --------------------------------------------------------------------------- the console's menu


def test_without_a_controller_the_panel_says_so_and_the_menu_still_opens_it(
    console: ConsoleFactory, qtbot: Any
) -> None:
    window = console()
    panel = window.wall_panel
    assert not panel.isVisible()
    titles = [a.text() for a in window.menuBar().actions()]
    assert "&Mur d'images" in titles
    qtbot.keyClick(window, Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(panel.isVisible, timeout=2000)
    assert panel.view.placeholder.startswith("Aucun contrôleur de mur configuré")
    assert panel.link_text() == "Contrôleur : non configuré"
    assert not panel.commands_enabled() and panel.commands_reason == "Aucun contrôleur de mur configuré."
    image = panel.view.grab().toImage()
    assert not image.isNull()
    panel.toggle_action.trigger()
    assert not panel.isVisible()
    window.wall_menu.actions()[0].trigger()
    assert panel.isVisible()


def test_closing_the_console_stops_the_panel_listening(wall: PanelSetup, qtbot: Any) -> None:
    assert len(wall.client.listeners) == 1
    wall.window.close()
    assert wall.client.listeners == []  # taken off the client it was listening to
    wall.client.push(replace(wall.client.state, presets=()))  # nothing listens: nothing raised
    qtbot.wait(50)
    assert wall.panel.presets.names() == ["marché de Noël", "normal"]


def test_geometry_with_overlapping_or_missing_screens_still_draws(wall: PanelSetup, qtbot: Any) -> None:
    # Two nodes claim the same cell; a screen has content but no geometry (never registered).
    extra = ScreenRef("ouest", 0)
    state = wall_state(
        geometry=(ScreenGeometry(NORD0, 0, 0, 1920, 1080), ScreenGeometry(NORD1, 0, 0, 1920, 1080)),
        screens=((extra, ScreenContent("1x1", (2,))),),
        nodes=(),
    )
    wall.client.push(state)
    qtbot.waitUntil(lambda: extra in wall.panel.view.screen_rects(), timeout=1000)
    rects = wall.panel.view.screen_rects()
    assert rects[NORD0].right() < rects[NORD1].left()
    assert rects[extra].top() > rects[NORD0].bottom()
    image = rendered(wall.panel)
    assert not image.isNull()
    point = QPoint(int(rects[extra].center().x()), int(rects[extra].center().y()))
    assert wall.panel.view.hit(QPointF(point)) == (extra, 0)


def test_the_history_shows_who_pushed_what_newest_first(wall: PanelSetup, qtbot: Any) -> None:
    at = datetime(2024, 12, 6, 18, 30, 5).timestamp()
    pushes = (
        WallPush(at, "dupont", "console-salle", "apply-preset", "normal", 8),
        WallPush(at + 60, "leroy", "console-crise", "show-camera", "camera 3 on nord:1 tile 2", 9),
    )
    wall.client.push(replace(wall.client.state, pushes=pushes))
    qtbot.waitUntil(lambda: len(wall.panel.history.lines()) == 2, timeout=1000)
    assert wall.panel.history.lines() == [
        "18:31:05  leroy (console-crise) : afficher une caméra — camera 3 on nord:1 tile 2",
        "18:30:05  dupont (console-salle) : appliquer un préréglage — normal",
    ]
