"""The console's PTZ control with real widgets and a fake PtzService (the real one: tests/integration).

The fake records every call, answers from memory, and talks back the way the real service does:
futures completed on another thread, listener callbacks from another thread.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent, QWheelEvent
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.exceptions import TimeoutError as WaitTimeoutError

from tests.ui.conftest import FakeBackend
from vmwall.model import Camera, Commune, Forfait, Permission, Role, User
from vmwall.model.ptz import PtzCapabilities, PtzPosition, PtzPreset
from vmwall.ptz.api import (
    LockHolder,
    LockOutcome,
    LockStatus,
    Operator,
    PtzAction,
    PtzError,
    PtzErrorKind,
    PtzEvent,
    PtzListener,
    TourState,
    TourStep,
)
from vmwall.ui import ptz_presets
from vmwall.ui.directory import Directory
from vmwall.ui.ptz_controller import PtzController
from vmwall.ui.ptz_overlay import DEFAULT_PICTURE_ASPECT, normalise, picture_rect
from vmwall.ui.tile import TileWidget

T = TypeVar("T")

PTZ_FULL = PtzCapabilities(
    ptz=True,
    continuous=True,
    absolute=True,
    relative=True,
    presets=True,
    home=True,
    zoom=True,
    max_presets=64,
    fov_translation=True,
)
PTZ_CONTINUOUS_ONLY = PtzCapabilities(ptz=True, continuous=True, zoom=True, presets=False, home=False)


# --------------------------------------------------------------------------- a fake service


@dataclass
class FakePtzService:
    """A PtzService in memory. ``calls`` records (method, camera, args...) in order."""

    operator: Operator
    capabilities_by_camera: dict[int, PtzCapabilities]
    presets_by_camera: dict[int, list[PtzPreset]] = field(default_factory=dict)
    holders_by_camera: dict[int, LockHolder] = field(default_factory=dict)
    failures: dict[str, PtzError] = field(default_factory=dict)  # method name -> error
    refuse_take: bool = False
    calls: list[tuple[Any, ...]] = field(default_factory=list)
    listeners: list[PtzListener] = field(default_factory=list)
    watched: tuple[int, ...] = ()
    tour_states: dict[int, TourState] = field(default_factory=dict)
    started: bool = False
    closed: bool = False
    hang: bool = False  # futures never complete (a camera that never answers)
    max_rate: float = 10.0

    # --- plumbing ---

    def _answer(self, method: str, camera: int, value: Callable[[], T]) -> Future[T]:
        future: Future[T] = Future()
        if self.hang:
            return future
        error = self.failures.get(method)

        def complete() -> None:
            if error is not None:
                future.set_exception(error)
                for listener in list(self.listeners):
                    listener.ptz_failed(error)
            else:
                try:
                    future.set_result(value())
                except Exception as failure:  # a fake without an answer fails, as a service would
                    future.set_exception(failure)

        threading.Thread(target=complete, daemon=True).start()  # the service's own thread
        return future

    def emit(self, deliver: Callable[[PtzListener], None]) -> None:
        """A listener callback from the service's thread."""

        def run() -> None:
            for listener in list(self.listeners):
                deliver(listener)

        thread = threading.Thread(target=run)
        thread.start()
        thread.join()

    def named(self, method: str) -> list[tuple[Any, ...]]:
        return [c for c in self.calls if c[0] == method]

    def moves(self) -> list[tuple[Any, ...]]:
        return [c for c in self.calls if c[0] in ("velocity", "stop")]

    def holder_for(self, camera: int) -> LockHolder:
        now = datetime.now(UTC)
        op = self.operator
        return LockHolder(
            camera,
            op.login,
            op.full_name,
            op.console,
            op.priority,
            op.session,
            now,
            now + timedelta(30),
            op.role,
        )

    # --- PtzService ---

    def start(self) -> None:
        self.started = True

    def close(self) -> None:
        self.closed = True

    def add_listener(self, listener: PtzListener) -> None:
        self.listeners.append(listener)

    def remove_listener(self, listener: PtzListener) -> None:
        if listener in self.listeners:
            self.listeners.remove(listener)

    def capabilities(self, camera: int) -> Future[PtzCapabilities]:
        self.calls.append(("capabilities", camera))
        return self._answer("capabilities", camera, lambda: self.capabilities_by_camera[camera])

    def status(self, camera: int) -> Future[PtzPosition]:
        return self._answer("status", camera, lambda: PtzPosition(0.0, 0.0, 0.0))

    def presets(self, camera: int) -> Future[list[PtzPreset]]:
        self.calls.append(("presets", camera))
        return self._answer("presets", camera, lambda: list(self.presets_by_camera.get(camera, [])))

    def velocity(self, camera: int, pan: float, tilt: float, zoom: float) -> None:
        self.calls.append(("velocity", camera, pan, tilt, zoom))

    def stop(self, camera: int) -> None:
        self.calls.append(("stop", camera))

    def stop_all(self) -> None:
        self.calls.append(("stop_all",))

    def absolute_move(self, camera: int, pan: float, tilt: float, zoom: float | None = None) -> Future[None]:
        self.calls.append(("absolute_move", camera, pan, tilt, zoom))
        return self._answer("absolute_move", camera, lambda: None)

    def relative_move(self, camera: int, pan: float, tilt: float, zoom: float = 0.0) -> Future[None]:
        self.calls.append(("relative_move", camera, pan, tilt, zoom))
        return self._answer("relative_move", camera, lambda: None)

    def centre_on(self, camera: int, x: float, y: float) -> Future[None]:
        self.calls.append(("centre_on", camera, x, y))
        return self._answer("centre_on", camera, lambda: None)

    def zoom_to_box(self, camera: int, x0: float, y0: float, x1: float, y1: float) -> Future[None]:
        self.calls.append(("zoom_to_box", camera, x0, y0, x1, y1))
        return self._answer("zoom_to_box", camera, lambda: None)

    def home(self, camera: int) -> Future[None]:
        self.calls.append(("home", camera))
        return self._answer("home", camera, lambda: None)

    def set_home(self, camera: int) -> Future[None]:
        self.calls.append(("set_home", camera))
        return self._answer("set_home", camera, lambda: None)

    def goto_preset(self, camera: int, token: str) -> Future[None]:
        self.calls.append(("goto_preset", camera, token))
        return self._answer("goto_preset", camera, lambda: None)

    def set_preset(self, camera: int, name: str, token: str | None = None) -> Future[PtzPreset]:
        self.calls.append(("set_preset", camera, name))

        def store() -> PtzPreset:
            presets = self.presets_by_camera.setdefault(camera, [])
            preset = PtzPreset(f"preset_{len(presets) + 1}", name)
            presets.append(preset)
            return preset

        return self._answer("set_preset", camera, store)

    def rename_preset(self, camera: int, token: str, name: str) -> Future[PtzPreset]:
        self.calls.append(("rename_preset", camera, token, name))

        def rename() -> PtzPreset:
            presets = self.presets_by_camera[camera]
            index = next(i for i, p in enumerate(presets) if p.token == token)
            presets[index] = PtzPreset(token, name)
            return presets[index]

        return self._answer("rename_preset", camera, rename)

    def remove_preset(self, camera: int, token: str) -> Future[None]:
        self.calls.append(("remove_preset", camera, token))

        def remove() -> None:
            self.presets_by_camera[camera] = [p for p in self.presets_by_camera[camera] if p.token != token]

        return self._answer("remove_preset", camera, remove)

    def start_tour(self, camera: int, steps: Sequence[TourStep], *, loop: bool = True) -> Future[None]:
        self.calls.append(("start_tour", camera, tuple(steps), loop))
        state = TourState(camera, tuple(steps), True, 0, self.operator.login, loop)
        self.tour_states[camera] = state

        def started() -> None:
            for listener in list(self.listeners):
                listener.tour_changed(state)

        return self._answer("start_tour", camera, started)

    def stop_tour(self, camera: int) -> None:
        self.calls.append(("stop_tour", camera))
        state = self.tour_states.get(camera)
        if state is not None:
            stopped = replace(state, running=False, reason="stopped")
            self.tour_states[camera] = stopped
            threading.Thread(target=lambda: [li.tour_changed(stopped) for li in self.listeners]).start()

    def tours(self) -> dict[int, TourState]:
        return dict(self.tour_states)

    def take_control(self, camera: int) -> Future[LockOutcome]:
        self.calls.append(("take_control", camera))

        def take() -> LockOutcome:
            current = self.holders_by_camera.get(camera)
            if current is not None and current.session != self.operator.session:
                if self.refuse_take:
                    return LockOutcome(LockStatus.REFUSED, current)
                self.holders_by_camera[camera] = self.holder_for(camera)
                return LockOutcome(LockStatus.TAKEN_OVER, self.holders_by_camera[camera], current)
            self.holders_by_camera[camera] = self.holder_for(camera)
            return LockOutcome(LockStatus.GRANTED, self.holders_by_camera[camera])

        return self._answer("take_control", camera, take)

    def release(self, camera: int) -> Future[None]:
        self.calls.append(("release", camera))
        return self._answer("release", camera, lambda: self.holders_by_camera.pop(camera, None) and None)

    def holder(self, camera: int) -> Future[LockHolder | None]:
        return self._answer("holder", camera, lambda: self.holders_by_camera.get(camera))

    def holders(self, cameras: Iterable[int]) -> Future[dict[int, LockHolder]]:
        wanted = list(cameras)
        return self._answer(
            "holders",
            0,
            lambda: {c: self.holders_by_camera[c] for c in wanted if c in self.holders_by_camera},
        )

    def watch(self, cameras: Iterable[int]) -> None:
        self.watched = tuple(cameras)


def operator(login: str = "jdupont", full_name: str = "Jean Dupont", role: str = "operateur") -> Operator:
    return Operator(login, full_name, "poste-1", 10, f"session-{login}", role)


def other_holder(camera: int) -> LockHolder:
    now = datetime.now(UTC)
    return LockHolder(
        camera,
        "mmartin",
        "Marie Martin",
        "poste-2",
        20,
        "session-mmartin",
        now,
        now + timedelta(30),
        "chef-de-salle",
    )


# --------------------------------------------------------------------------- the console


def ptz_directory(user: User | None = None) -> Directory:
    """Cameras 1 and 2 PTZ domes, 3 fixed, 4 PTZ in a storage-only commune."""
    lille = Commune("Lille", "59350", Forfait.LIVE_24_7, id=1)
    hem = Commune("Hem", "59299", Forfait.STORAGE_ONLY, id=2)
    cameras = [
        Camera(1, "Parvis de la mairie", 1, ptz=True, id=1),
        Camera(2, "Gare routière", 1, ptz=True, id=2),
        Camera(3, "Parc des Sports", 1, ptz=False, id=3),
        Camera(4, "Parking de la gare", 2, ptz=True, id=4),
    ]
    return Directory.build([lille, hem], cameras, user)


DUPONT = User("jdupont", "Jean Dupont", Role.OPERATEUR, id=1)


@dataclass
class PtzConsole:
    window: Any
    service: FakePtzService
    qtbot: Any
    made_for: list[User | None]

    @property
    def ptz(self) -> PtzController:
        controller = self.window.ptz
        assert isinstance(controller, PtzController)
        return controller

    @property
    def panel(self) -> Any:
        return self.ptz.panel

    def tile(self, index: int) -> TileWidget:
        tile: TileWidget = self.window.grid.tile(index)
        return tile

    def open_on(self, index: int) -> TileWidget:
        """What the operator does: the tile's context menu, "PTZ…"."""
        tile = self.tile(index)
        tile.clicked.emit(tile)
        menu = tile.build_menu()
        action = next(a for a in menu.actions() if a.text().startswith("PTZ"))
        assert action.isEnabled(), action.toolTip()
        action.trigger()
        menu.deleteLater()
        self.qtbot.waitUntil(lambda: self.panel.isVisible(), timeout=3000)
        return tile

    def wait_ready(self, camera: int) -> None:
        self.qtbot.waitUntil(
            lambda: camera in self.ptz.capabilities and self.ptz.camera == camera, timeout=3000
        )
        self.qtbot.waitUntil(lambda: self.panel.pad.isEnabled(), timeout=3000)


@pytest.fixture
def ptz_console(qtbot: Any, ui_dirs: Path) -> Iterator[Callable[..., PtzConsole]]:
    windows: list[Any] = []

    def build(
        cameras: tuple[int | None, ...] = (1, 2, 3, 4),
        user: User | None = DUPONT,
        service: FakePtzService | None = None,
        layout: str = "2x2",
    ) -> PtzConsole:
        from vmwall.app import build_console
        from vmwall.config.layouts import load_builtin_layouts, load_layouts
        from vmwall.config.settings import Settings
        from vmwall.ui.main_window import StartOptions

        fake = service or FakePtzService(
            operator(), {1: PTZ_FULL, 2: PTZ_CONTINUOUS_ONLY, 3: PtzCapabilities.fixed(), 4: PTZ_FULL}
        )
        made_for: list[User | None] = []

        def factory(account: User | None) -> FakePtzService:
            made_for.append(account)
            fake.start()
            return fake

        settings = replace(Settings(), layouts_dir=ui_dirs / "layouts")
        app = qtbot._request.getfixturevalue("qapp")
        backend = FakeBackend(ptz_directory(user))
        window = build_console(
            app,
            backend,
            settings,
            ui_dirs / "config" / "console.json",
            load_layouts(ui_dirs / "layouts", load_builtin_layouts()),
            StartOptions(layout, cameras),
            ptz_factory=factory,
        )
        windows.append(window)
        qtbot.waitUntil(
            lambda: window.context.directory is not None and window.context.video_ready, timeout=5000
        )
        qtbot.waitExposed(window)
        window.raise_()
        window.activateWindow()
        with contextlib.suppress(WaitTimeoutError):
            qtbot.waitUntil(window.isActiveWindow, timeout=2000)
        qtbot.waitUntil(lambda: window.ptz.service is fake, timeout=3000)
        return PtzConsole(window, fake, qtbot, made_for)

    yield build
    for window in windows:
        if not window._closing:
            window.close()
        if window.ptz is not None:
            window.ptz.close_services()


def send_mouse(widget: QWidget, kind: QEvent.Type, pos: QPoint, buttons: Qt.MouseButton) -> None:
    button = Qt.MouseButton.LeftButton if kind != QEvent.Type.MouseMove else Qt.MouseButton.NoButton
    event = QMouseEvent(
        kind, QPointF(pos), QPointF(widget.mapToGlobal(pos)), button, buttons, Qt.KeyboardModifier.NoModifier
    )
    QApplication.sendEvent(widget, event)


def click(widget: QWidget, pos: QPoint) -> None:
    send_mouse(widget, QEvent.Type.MouseButtonPress, pos, Qt.MouseButton.LeftButton)
    send_mouse(widget, QEvent.Type.MouseButtonRelease, pos, Qt.MouseButton.NoButton)


def wheel(widget: QWidget, pos: QPoint, notches: int) -> None:
    event = QWheelEvent(
        QPointF(pos),
        QPointF(widget.mapToGlobal(pos)),
        QPoint(),
        QPoint(0, 120 * notches),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(widget, event)


def picture_of(tile: TileWidget) -> Any:
    return picture_rect(tile.front_surface().geometry(), DEFAULT_PICTURE_ASPECT)


def message_of(console: PtzConsole) -> str:
    return str(console.panel.message_label.text())


# --------------------------------------------------------------------------- tests


def test_a_fixed_camera_shows_no_ptz_control(ptz_console: Callable[..., PtzConsole], qtbot: Any) -> None:
    console = ptz_console()
    assert console.made_for == [DUPONT]  # the service is made for the console's account
    fixed = console.tile(2)
    menu = fixed.build_menu()
    entry = next(a for a in menu.actions() if a.text().startswith("PTZ"))
    assert not entry.isEnabled() and "Caméra fixe" in entry.toolTip()
    menu.deleteLater()
    # The panel, opened on a PTZ camera then moved to the fixed one, says so and offers nothing.
    console.open_on(0)
    console.wait_ready(1)
    console.window.grid.select(2)
    qtbot.waitUntil(lambda: console.ptz.camera == 3, timeout=2000)
    panel = console.panel
    assert "Caméra fixe" in panel.status_label.text()
    assert not panel.pad.isEnabled() and not panel.zoom.isEnabled() and not panel.take_button.isEnabled()
    assert not panel.presets.isVisibleTo(panel)
    assert ("capabilities", 3) not in console.service.calls  # the catalogue says fixed: never asked
    # A camera the catalogue thinks is PTZ but whose capabilities say fixed: no control either.
    console.service.capabilities_by_camera[2] = PtzCapabilities.fixed()
    console.window.grid.select(1)
    qtbot.waitUntil(lambda: 2 in console.ptz.capabilities, timeout=2000)
    assert "Caméra fixe" in panel.status_label.text() and not panel.pad.isEnabled()
    menu = console.tile(1).build_menu()
    assert not next(a for a in menu.actions() if a.text().startswith("PTZ")).isEnabled()
    menu.deleteLater()
    # A storage-only commune's camera is never shown live: no PTZ either.
    menu = console.tile(3).build_menu()
    entry = next(a for a in menu.actions() if a.text().startswith("PTZ"))
    assert not entry.isEnabled() and "pas visible" in entry.toolTip()
    menu.deleteLater()


def test_pad_drag_sends_proportional_velocity_and_release_stops(
    ptz_console: Callable[..., PtzConsole], qtbot: Any
) -> None:
    console = ptz_console()
    console.open_on(0)
    console.wait_ready(1)
    panel = console.panel
    pad = panel.pad
    qtbot.waitUntil(lambda: pad.width() >= 120, timeout=2000)
    centre = QPoint(pad.width() // 2, pad.height() // 2)
    radius = pad.radius()
    service = console.service
    send_mouse(pad, QEvent.Type.MouseButtonPress, centre, Qt.MouseButton.LeftButton)
    send_mouse(pad, QEvent.Type.MouseMove, centre + QPoint(round(radius / 2), 0), Qt.MouseButton.LeftButton)
    send_mouse(pad, QEvent.Type.MouseMove, centre + QPoint(0, -round(radius)), Qt.MouseButton.LeftButton)
    send_mouse(pad, QEvent.Type.MouseMove, centre + QPoint(-round(radius / 4), 0), Qt.MouseButton.LeftButton)
    velocities = [c for c in service.moves() if c[0] == "velocity"]
    assert [c[1] for c in velocities] == [1, 1, 1]
    assert velocities[0][2:] == pytest.approx((0.5, 0.0, 0.0), abs=0.011)
    assert velocities[1][2:] == pytest.approx((0.0, 1.0, 0.0), abs=0.011)
    assert velocities[2][2:] == pytest.approx((-0.25, 0.0, 0.0), abs=0.011)
    send_mouse(pad, QEvent.Type.MouseButtonRelease, centre, Qt.MouseButton.NoButton)
    assert service.moves()[-1] == ("stop", 1)  # at once, not after a delay
    assert len(service.named("stop")) == 1
    # The zoom rocker: proportional too, and it springs back to a Stop when let go.
    panel.zoom.setValue(40)
    assert service.moves()[-1] == ("velocity", 1, 0.0, 0.0, 0.4)
    send_mouse(panel.zoom, QEvent.Type.MouseButtonRelease, QPoint(5, 5), Qt.MouseButton.NoButton)
    assert service.moves()[-1] == ("stop", 1) and panel.zoom.value() == 0


def test_wheel_on_the_picture_zooms(ptz_console: Callable[..., PtzConsole], qtbot: Any) -> None:
    console = ptz_console()
    tile = console.open_on(0)
    console.wait_ready(1)
    service = console.service
    middle = tile.front_surface().geometry().center()
    wheel(tile, middle, 1)
    wheel(tile, middle, 1)  # two notches in a row: one request
    qtbot.waitUntil(lambda: bool(service.named("relative_move")), timeout=2000)
    assert service.named("relative_move") == [("relative_move", 1, 0.0, 0.0, pytest.approx(0.1))]
    wheel(tile, middle, -1)
    qtbot.waitUntil(lambda: len(service.named("relative_move")) == 2, timeout=2000)
    assert service.named("relative_move")[-1][4] == pytest.approx(-0.05)
    # A camera without relative moves zooms with a short continuous move, then stops.
    console.window.grid.select(1)
    console.wait_ready(2)
    tile2 = console.tile(1)
    wheel(tile2, tile2.front_surface().geometry().center(), 1)
    qtbot.waitUntil(lambda: ("velocity", 2, 0.0, 0.0, 0.5) in service.calls, timeout=2000)
    qtbot.waitUntil(lambda: service.moves()[-1] == ("stop", 2), timeout=2000)
    # The wheel on a tile that is not the PTZ one does nothing.
    before = len(service.calls)
    wheel(console.tile(0), middle, 3)
    qtbot.wait(150)
    assert len(service.calls) == before


def test_click_centres_and_a_dragged_box_zooms(ptz_console: Callable[..., PtzConsole], qtbot: Any) -> None:
    console = ptz_console()
    tile = console.open_on(0)
    console.wait_ready(1)
    service = console.service
    picture = picture_of(tile)
    point = QPoint(picture.left() + picture.width() * 3 // 4, picture.top() + picture.height() // 4)
    click(tile, point)
    assert not service.named("centre_on")  # not before a double click is ruled out
    qtbot.waitUntil(lambda: bool(service.named("centre_on")), timeout=3000)
    x, y = normalise(point, picture)
    assert (x, y) == pytest.approx((0.5, 0.5), abs=0.03)
    assert service.named("centre_on") == [("centre_on", 1, x, y)]
    # Drag a box: the frame shows above the video while dragging, then the camera zooms into it.
    start = QPoint(picture.left() + picture.width() // 4, picture.top() + picture.height() // 4)
    end = QPoint(picture.left() + picture.width() // 2, picture.top() + picture.height() // 2)
    send_mouse(tile, QEvent.Type.MouseButtonPress, start, Qt.MouseButton.LeftButton)
    send_mouse(tile, QEvent.Type.MouseMove, end, Qt.MouseButton.LeftButton)
    gesture = console.ptz.gestures._press
    assert gesture is not None and gesture.box is not None and gesture.box.visible()
    send_mouse(tile, QEvent.Type.MouseButtonRelease, end, Qt.MouseButton.NoButton)
    assert console.ptz.gestures._press is None
    qtbot.waitUntil(lambda: bool(service.named("zoom_to_box")), timeout=2000)
    (_name, camera, x0, y0, x1, y1) = service.named("zoom_to_box")[0]
    assert camera == 1
    assert (x0, y0, x1, y1) == pytest.approx((-0.5, 0.5, 0.0, 0.0), abs=0.03)
    assert console.window.grid.cameras()[0] == 1  # a box is not a camera drag
    # A double click maximises the tile and centres nothing.
    send_mouse(tile, QEvent.Type.MouseButtonPress, point, Qt.MouseButton.LeftButton)
    send_mouse(tile, QEvent.Type.MouseButtonRelease, point, Qt.MouseButton.NoButton)
    send_mouse(tile, QEvent.Type.MouseButtonDblClick, point, Qt.MouseButton.LeftButton)
    send_mouse(tile, QEvent.Type.MouseButtonRelease, point, Qt.MouseButton.NoButton)
    assert console.window.grid.maximised_index() == 0
    qtbot.wait(QApplication.doubleClickInterval() + 150)
    assert len(service.named("centre_on")) == 1
    console.window.grid.restore()
    # Panel closed: the picture is a picture again (no centring).
    console.panel.hide()
    click(tile, point)
    qtbot.wait(QApplication.doubleClickInterval() + 150)
    assert len(service.named("centre_on")) == 1


def test_presets_go_save_rename_delete(
    ptz_console: Callable[..., PtzConsole], qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = FakePtzService(
        operator(),
        {1: PTZ_FULL},
        presets_by_camera={1: [PtzPreset("preset_1", "Entrée"), PtzPreset("preset_2", "Fontaine")]},
    )
    console = ptz_console(cameras=(1,), service=service)
    console.open_on(0)
    console.wait_ready(1)
    presets = console.panel.presets
    qtbot.waitUntil(lambda: presets.list.count() == 2, timeout=2000)
    assert [presets.list.item(i).text() for i in range(2)] == ["Entrée", "Fontaine"]
    presets.select("preset_2")
    qtbot.mouseClick(presets.goto_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: ("goto_preset", 1, "preset_2") in service.calls, timeout=2000)
    # Save: the operator names it; an empty or taken name is asked again.
    answers = iter(["  ", "Fontaine", "Kiosque  à musique"])
    monkeypatch.setattr(ptz_presets, "ask_text", lambda *_args: next(answers))
    qtbot.mouseClick(presets.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: presets.list.count() == 3, timeout=2000)
    assert ("set_preset", 1, "Kiosque à musique") in service.calls
    assert presets.selected_token() == "preset_3"
    # Rename.
    monkeypatch.setattr(ptz_presets, "ask_text", lambda *_args: "Kiosque")
    qtbot.mouseClick(presets.rename_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: presets.list.currentItem().text() == "Kiosque", timeout=2000)
    assert ("rename_preset", 1, "preset_3", "Kiosque") in service.calls
    # Delete, once confirmed.
    monkeypatch.setattr(ptz_presets, "ask_confirmation", lambda *_args: False)
    qtbot.mouseClick(presets.delete_button, Qt.MouseButton.LeftButton)
    assert not service.named("remove_preset")
    monkeypatch.setattr(ptz_presets, "ask_confirmation", lambda *_args: True)
    qtbot.mouseClick(presets.delete_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: presets.list.count() == 2, timeout=2000)
    assert ("remove_preset", 1, "preset_3") in service.calls
    # Home.
    qtbot.mouseClick(console.panel.home_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: ("home", 1) in service.calls, timeout=2000)


def test_an_account_without_the_ptz_right_sees_but_does_not_move(
    ptz_console: Callable[..., PtzConsole], qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(User, "permissions", property(lambda _self: frozenset({Permission.LIVE_VIEW})))
    service = FakePtzService(
        operator(), {1: PTZ_FULL}, presets_by_camera={1: [PtzPreset("preset_1", "Entrée")]}
    )
    service.holders_by_camera[1] = other_holder(1)
    console = ptz_console(cameras=(1,), service=service)
    console.open_on(0)
    qtbot.waitUntil(lambda: 1 in console.ptz.capabilities, timeout=3000)
    panel = console.panel
    qtbot.waitUntil(lambda: "Marie Martin" in panel.status_label.text(), timeout=3000)  # sees who holds it
    qtbot.waitUntil(lambda: panel.presets.list.count() == 1, timeout=2000)
    panel.presets.select("preset_1")
    for widget in (
        panel.pad,
        panel.zoom,
        panel.home_button,
        panel.take_button,
        panel.presets.goto_button,
        panel.presets.save_button,
        panel.presets.rename_button,
        panel.presets.delete_button,
    ):
        assert not widget.isEnabled(), widget
    assert "droit" in panel.presets.save_button.toolTip()
    # The keyboard is refused with the reason, and nothing reaches the camera.
    console.ptz.step(1, 0)
    console.ptz.goto_preset("preset_1")
    assert "droit de piloter" in message_of(console)
    assert not [c for c in service.calls if c[0] not in ("capabilities", "presets")]


def test_a_tour_starts_and_stops(ptz_console: Callable[..., PtzConsole], qtbot: Any) -> None:
    service = FakePtzService(
        operator(),
        {1: PTZ_FULL, 2: PTZ_FULL},
        presets_by_camera={1: [PtzPreset("preset_1", "Entrée"), PtzPreset("preset_2", "Fontaine")]},
    )
    console = ptz_console(cameras=(1, 2), service=service)
    console.open_on(0)
    console.wait_ready(1)
    panel = console.panel
    tour = panel.tour
    qtbot.waitUntil(lambda: panel.presets.list.count() == 2, timeout=2000)
    assert not tour.start_button.isEnabled()  # no step yet
    for token, dwell in (("preset_1", 5), ("preset_2", 12)):
        panel.presets.select(token)
        qtbot.mouseClick(tour.add_button, Qt.MouseButton.LeftButton)
        tour.table.cellWidget(tour.table.rowCount() - 1, 1).setValue(dwell)
    assert tour.step_names() == ["Entrée", "Fontaine"]
    # Another tile and back: the tour being prepared for camera 1 is still there.
    console.window.grid.select(1)
    assert tour.step_names() == []
    console.window.grid.select(0)
    assert tour.step_names() == ["Entrée", "Fontaine"]
    assert tour.steps() == (TourStep("preset_1", 5.0), TourStep("preset_2", 12.0))
    console.wait_ready(1)
    qtbot.mouseClick(tour.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tour.running(), timeout=2000)
    assert service.named("start_tour") == [
        ("start_tour", 1, (TourStep("preset_1", 5.0), TourStep("preset_2", 12.0)), True)
    ]
    assert "étape 1/2" in tour.state_label.text() and "Entrée" in tour.state_label.text()
    assert not tour.start_button.isEnabled() and tour.stop_button.isEnabled()
    # The service moves on: the panel follows.
    state = replace(service.tour_states[1], step=1)
    service.emit(lambda listener: listener.tour_changed(state))
    qtbot.waitUntil(lambda: "étape 2/2" in tour.state_label.text(), timeout=2000)
    qtbot.mouseClick(tour.stop_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not tour.running(), timeout=2000)
    assert ("stop_tour", 1) in service.calls
    assert tour.state_label.text() == "Ronde arrêtée"
    # Taken over mid-tour: the panel says why it stopped.
    taken = replace(state, running=False, reason="taken over by Marie Martin")
    service.emit(lambda listener: listener.tour_changed(taken))
    qtbot.waitUntil(lambda: "taken over" in message_of(console), timeout=2000)


def test_holder_shown_on_tile_and_panel_take_and_release(
    ptz_console: Callable[..., PtzConsole], qtbot: Any
) -> None:
    service = FakePtzService(operator(), {1: PTZ_FULL, 2: PTZ_FULL})
    service.holders_by_camera[1] = other_holder(1)
    console = ptz_console(cameras=(1, 2), service=service)
    tile = console.tile(0)
    qtbot.waitUntil(lambda: service.watched == (1, 2), timeout=3000)  # every PTZ camera shown
    qtbot.waitUntil(lambda: "PTZ : Marie Martin" in tile.banner.right, timeout=3000)
    assert "PTZ" not in console.tile(1).banner.right
    console.open_on(0)
    qtbot.waitUntil(lambda: 1 in console.ptz.capabilities, timeout=3000)
    panel = console.panel
    assert panel.status_label.text() == "Pilotée par Marie Martin (chef de salle) — poste-2"
    assert (
        not panel.pad.isEnabled() and panel.take_button.isEnabled() and not panel.release_button.isEnabled()
    )
    assert "prenez la main" in panel.home_button.toolTip()
    # Take control: refused (same or higher priority), with a clear message.
    service.refuse_take = True
    qtbot.mouseClick(panel.take_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "refusée" in message_of(console), timeout=2000)
    assert "Marie Martin (chef de salle)" in message_of(console)
    assert "refusée" in console.window.statusBar().currentMessage()
    # Granted once she has let go: ours, the pad works, the tile says so.
    service.refuse_take = False
    del service.holders_by_camera[1]
    service.emit(lambda listener: listener.lock_changed(1, None))
    qtbot.waitUntil(lambda: "Libre" in panel.status_label.text(), timeout=2000)
    qtbot.mouseClick(panel.take_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.status_label.text() == "Pilotée par vous.", timeout=2000)
    assert panel.pad.isEnabled() and panel.release_button.isEnabled() and "PTZ : vous" in tile.banner.right
    # Taken over while we drive: the move stops and the operator is told who took it.
    panel.zoom.setValue(50)
    assert service.moves()[-1] == ("velocity", 1, 0.0, 0.0, 0.5)
    service.holders_by_camera[1] = other_holder(1)
    service.emit(lambda listener: listener.lock_changed(1, other_holder(1)))
    qtbot.waitUntil(lambda: "a pris la main" in message_of(console), timeout=2000)
    assert service.moves()[-1] == ("stop", 1) and panel.zoom.value() == 0
    assert "Marie Martin" in message_of(console) and not panel.pad.isEnabled()
    assert "PTZ : Marie Martin" in tile.banner.right
    # Take it over (a higher priority), then release it.
    qtbot.mouseClick(panel.take_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "repris la main" in message_of(console), timeout=2000)
    qtbot.mouseClick(panel.release_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "rendu la main" in message_of(console), timeout=2000)
    assert ("release", 1) in service.calls and "Libre" in panel.status_label.text()
    assert "PTZ" not in tile.banner.right


@pytest.mark.parametrize(
    ("kind", "words"),
    [
        (PtzErrorKind.AUTH, "refuse les identifiants"),
        (PtzErrorKind.UNREACHABLE, "ne répond pas"),
        (PtzErrorKind.PROTOCOL, "erreur ONVIF"),
        (PtzErrorKind.UNSUPPORTED, "ne prend pas en charge"),
    ],
)
def test_camera_errors_are_shown_naming_the_camera(
    ptz_console: Callable[..., PtzConsole], qtbot: Any, kind: PtzErrorKind, words: str
) -> None:
    english = f"camera 1 (Parvis de la mairie): {kind.value} trouble"
    service = FakePtzService(operator(), {1: PTZ_FULL})
    service.failures["goto_preset"] = PtzError(1, kind, english)
    console = ptz_console(cameras=(1,), service=service)
    console.open_on(0)
    console.wait_ready(1)
    console.ptz.goto_preset("preset_1")
    qtbot.waitUntil(lambda: words in message_of(console), timeout=2000)
    text = message_of(console)
    assert text.startswith("Caméra 1 (Parvis de la mairie)")
    assert console.panel.message_label.toolTip() == english  # the service's own words
    assert words in console.window.statusBar().currentMessage()


def test_a_camera_dropping_mid_move_is_reported_and_its_recovery_too(
    ptz_console: Callable[..., PtzConsole], qtbot: Any
) -> None:
    console = ptz_console(cameras=(1,))
    console.open_on(0)
    console.wait_ready(1)
    console.panel.zoom.setValue(30)
    error = PtzError(1, PtzErrorKind.UNREACHABLE, "no answer from 127.0.0.1:9 within 3 s")
    console.service.emit(lambda listener: listener.ptz_failed(error))
    qtbot.waitUntil(lambda: "ne répond pas" in message_of(console), timeout=2000)
    console.service.emit(lambda listener: listener.camera_recovered(1))
    qtbot.waitUntil(lambda: "répond de nouveau" in message_of(console), timeout=2000)


def test_nothing_waits_on_a_camera_that_never_answers(
    ptz_console: Callable[..., PtzConsole], qtbot: Any
) -> None:
    service = FakePtzService(operator(), {1: PTZ_FULL}, hang=True)
    console = ptz_console(cameras=(1,), service=service)
    started = time.monotonic()
    console.open_on(0)
    qtbot.wait(200)
    assert "lecture des capacités" in console.panel.status_label.text()
    console.ptz.take_control()
    console.ptz.load_presets(1)
    assert time.monotonic() - started < 2.5  # every call returned at once


def test_focus_loss_selection_change_and_closing_the_panel_stop(
    ptz_console: Callable[..., PtzConsole], qtbot: Any
) -> None:
    console = ptz_console(cameras=(1, 2))
    console.open_on(0)
    console.wait_ready(1)
    service = console.service
    panel = console.panel
    # Focus loss: another window takes the keyboard while the rocker is held.
    panel.zoom.setValue(50)
    assert service.moves()[-1] == ("velocity", 1, 0.0, 0.0, 0.5)
    other = QWidget()
    qtbot.addWidget(other)
    other.setWindowTitle("autre application")
    other.show()
    qtbot.waitExposed(other)
    other.activateWindow()
    qtbot.waitUntil(lambda: service.moves()[-1] == ("stop", 1), timeout=3000)
    assert panel.zoom.value() == 0
    console.window.activateWindow()
    with contextlib.suppress(WaitTimeoutError):
        qtbot.waitUntil(console.window.isActiveWindow, timeout=2000)
    # Another tile selected while moving: the first camera stops; the new one is the PTZ camera.
    panel.zoom.setValue(50)
    assert service.moves()[-1] == ("velocity", 1, 0.0, 0.0, 0.5)
    console.window.grid.select(1)
    assert service.moves()[-1] == ("stop", 1) and console.ptz.camera == 2
    # Closing the panel while moving: stop.
    console.wait_ready(2)
    panel.zoom.setValue(-50)
    assert service.moves()[-1] == ("velocity", 2, 0.0, 0.0, -0.5)
    panel.close()
    assert service.moves()[-1] == ("stop", 2)
    # Another camera called into the PTZ tile: stop too.
    console.open_on(1)
    console.wait_ready(2)
    panel.zoom.setValue(50)
    console.window.grid.assign(1, 1)
    assert service.moves()[-1] == ("stop", 2) and console.ptz.camera == 1
    # The console closing stops everything it moves.
    console.window.close()
    assert ("stop_all",) in service.calls


def test_keyboard_steps(ptz_console: Callable[..., PtzConsole], qtbot: Any) -> None:
    console = ptz_console(cameras=(1, 2))
    console.open_on(0)
    console.wait_ready(1)
    service = console.service
    window = console.window
    window.grid.setFocus()
    qtbot.keyClick(window.grid, Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(window.grid, Qt.Key.Key_Up, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: len(service.named("centre_on")) == 2, timeout=2000)
    assert service.named("centre_on") == [("centre_on", 1, 0.5, 0.0), ("centre_on", 1, 0.0, 0.5)]
    assert window.grid.selected_index() == 0  # Ctrl+arrows are not the tile arrows
    zoom_in = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(window.grid, Qt.Key.Key_Up, zoom_in)
    qtbot.waitUntil(lambda: bool(service.named("relative_move")), timeout=2000)
    assert service.named("relative_move") == [("relative_move", 1, 0.0, 0.0, pytest.approx(0.1))]
    qtbot.keyClick(window.grid, Qt.Key.Key_Home, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: ("home", 1) in service.calls, timeout=2000)
    # Ctrl+P shows and hides the panel.
    qtbot.keyClick(window.grid, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not console.panel.isVisible(), timeout=2000)
    # A camera with continuous moves only: a step is a short move, then a Stop.
    window.grid.select(1)
    qtbot.waitUntil(lambda: 2 in console.ptz.capabilities, timeout=2000)
    qtbot.keyClick(window.grid, Qt.Key.Key_Left, Qt.KeyboardModifier.ControlModifier)
    assert service.moves()[-1] == ("velocity", 2, -0.5, 0.0, 0.0)
    qtbot.waitUntil(lambda: service.moves()[-1] == ("stop", 2), timeout=2000)


def test_a_console_without_ptz_says_so(console: Any) -> None:
    """The plain console (no PTZ service wired, as in the other UI tests): the entry says why."""
    window = console(layout="2x2", cameras=(1,))
    menu = window.grid.tile(0).build_menu()
    entry = next(a for a in menu.actions() if a.text().startswith("PTZ"))
    assert not entry.isEnabled() and "pas disponible" in entry.toolTip()
    menu.deleteLater()
    assert window.ptz is not None and window.ptz.panel is not None
    window.ptz.show_panel()
    assert "pas disponible" in window.ptz.panel.status_label.text()


def test_a_shift_handover_restarts_the_service_for_the_new_account(
    ptz_console: Callable[..., PtzConsole], qtbot: Any
) -> None:
    console = ptz_console(cameras=(1,))
    first = console.service
    martin = User("mmartin", "Marie Martin", Role.CHEF_DE_SALLE, id=2)
    console.ptz.directory_loaded(ptz_directory(martin))
    qtbot.waitUntil(lambda: console.made_for == [DUPONT, martin], timeout=3000)
    qtbot.waitUntil(lambda: first.closed, timeout=3000)  # the outgoing account's service is closed


def test_service_events_about_idle_release_are_shown(
    ptz_console: Callable[..., PtzConsole], qtbot: Any
) -> None:
    console = ptz_console(cameras=(1,))
    console.open_on(0)
    console.wait_ready(1)
    event = PtzEvent(datetime.now(UTC), "jdupont", 1, PtzAction.IDLE_RELEASE)
    console.service.emit(lambda listener: listener.ptz_event(event))
    qtbot.waitUntil(lambda: "inactivité" in message_of(console), timeout=2000)


class StubReader:
    """Stands in for the SDL reader: the test plays its events."""

    def __init__(self, _mappings: Any, listener: Callable[[Any], None]) -> None:
        self.listener = listener
        self.started = False
        self.closed = False

    def start(self) -> None:
        self.started = True

    def close(self) -> None:
        self.closed = True


def test_the_joystick_follows_the_console(ptz_console: Callable[..., PtzConsole], qtbot: Any) -> None:
    from vmwall.ptz.joystick import ButtonPressed, StickMoved
    from vmwall.ptz.joystick_mapping import JoystickAction, MappingSet
    from vmwall.ui.ptz_joystick import PtzJoystickBinding

    console = ptz_console(cameras=(1, 2))
    readers: list[StubReader] = []

    def make_reader(mappings: Any, listener: Callable[[Any], None]) -> Any:
        readers.append(StubReader(mappings, listener))
        return readers[-1]

    binding = PtzJoystickBinding(console.ptz, make_reader, lambda: MappingSet(()))
    binding.start()
    qtbot.waitUntil(lambda: bool(readers) and readers[0].started, timeout=3000)
    service = console.service

    def play(event: Any) -> None:  # from the reader's thread
        thread = threading.Thread(target=readers[0].listener, args=(event,))
        thread.start()
        thread.join()

    play(StickMoved(7, 0.6, 0.0, 0.0, time.monotonic()))
    qtbot.waitUntil(lambda: ("velocity", 1, 0.6, 0.0, 0.0) in service.calls, timeout=3000)  # tile 1's camera
    console.window.grid.select(1)  # another tile: the first camera stops, the held stick drives the new one
    qtbot.waitUntil(lambda: ("velocity", 2, 0.6, 0.0, 0.0) in service.calls, timeout=3000)
    stop_1 = service.calls.index(("velocity", 1, 0.0, 0.0, 0.0))  # (0, 0, 0): the service's Stop
    assert stop_1 < service.calls.index(("velocity", 2, 0.6, 0.0, 0.0))
    play(StickMoved(7, 0.0, 0.0, 0.0, time.monotonic()))
    qtbot.waitUntil(lambda: service.calls[-1] == ("velocity", 2, 0.0, 0.0, 0.0), timeout=3000)
    # A console-level button: the next camera into the selected tile.
    play(ButtonPressed(7, "button5", JoystickAction.NEXT_CAMERA))
    qtbot.waitUntil(lambda: console.window.grid.cameras()[1] == 3, timeout=3000)
    binding.close()
    assert readers[0].closed and binding.control is None


def test_joystick_use_counts_as_operator_activity(ptz_console: Callable[..., PtzConsole], qtbot: Any) -> None:
    """Qt sees no input while the operator follows someone with the joystick: the binding says so,
    so the console's inactivity lock does not fall on a working operator (see test_login)."""
    from vmwall.ptz.joystick import ButtonPressed, StickMoved
    from vmwall.ptz.joystick_mapping import MappingSet
    from vmwall.ui.ptz_joystick import PtzJoystickBinding

    console = ptz_console(cameras=(1,))
    readers: list[StubReader] = []

    def make_reader(mappings: Any, listener: Callable[[Any], None]) -> Any:
        readers.append(StubReader(mappings, listener))
        return readers[-1]

    inputs: list[float] = []
    console.ptz.operator_input.connect(lambda: inputs.append(time.monotonic()))
    binding = PtzJoystickBinding(console.ptz, make_reader, lambda: MappingSet(()))
    binding.start()
    qtbot.waitUntil(lambda: bool(readers) and readers[0].started, timeout=3000)

    def play(event: Any) -> None:  # from the reader's thread
        thread = threading.Thread(target=readers[0].listener, args=(event,))
        thread.start()
        thread.join()

    play(StickMoved(7, 0.0, 0.0, 0.0, time.monotonic()))  # a stick at rest (noise inside the dead zone)
    qtbot.wait(1500)
    assert inputs == []
    play(StickMoved(7, 0.4, 0.0, 0.0, time.monotonic()))  # deflected, then held still: no more events
    qtbot.waitUntil(lambda: len(inputs) >= 4, timeout=6000)  # at once, then every second while held
    assert inputs[-1] - inputs[1] >= 1.8  # the held stick's reports, a second apart
    play(StickMoved(7, 0.0, 0.0, 0.0, time.monotonic()))  # released
    qtbot.wait(300)
    settled = len(inputs)
    qtbot.wait(1500)
    assert len(inputs) == settled
    play(ButtonPressed(7, "button1", None))  # a button press is activity too
    qtbot.waitUntil(lambda: len(inputs) == settled + 1, timeout=3000)
    binding.close()
