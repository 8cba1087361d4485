"""The console's PTZ control, real pieces end to end: the Qt panel and tiles, the console's PtzService
(``vmwall.app.ptz_service_factory``: OnvifPtzService, catalogue resolver, locks in the database),
and the simulated ONVIF devices over real SOAP/HTTP on 127.0.0.1.

Cameras are registered in the ``database`` fixture (SQLite and PostgreSQL) as the farm registers
them; their passwords go to the (in-memory) keyring. Positions are read back with GetStatus.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.exceptions import TimeoutError as WaitTimeoutError

from tests.ui.conftest import FakeBackend
from vmwall.model import Role, User
from vmwall.model.ptz import PtzPosition
from vmwall.ptz.api import LockStatus, PtzSettings
from vmwall.sim.onvif_device import SimOnvifFarm
from vmwall.sim.registration import register_farm
from vmwall.store import CameraRepository, CommuneRepository, Database, PtzLockRepository
from vmwall.ui.directory import Directory
from vmwall.ui.ptz_controller import PtzController
from vmwall.ui.ptz_overlay import DEFAULT_PICTURE_ASPECT, picture_rect
from vmwall.ui.tile import TileWidget

WAIT_MS = 10_000  # generous: the machine is shared
DUPONT = User("jdupont", "Jean Dupont", Role.OPERATEUR, id=1)
# Long ContinuousMove timeouts: a camera that stops within the test was told to stop.
SETTINGS = PtzSettings(move_timeout_s=20.0, poll_s=0.3, request_timeout_s=3.0)


@pytest.fixture(scope="session")
def qapp(native_qapp: Any) -> Any:
    """Real native windows (the tiles' video surfaces are X11 windows)."""
    from vmwall.ui.theme import apply_theme

    apply_theme(native_qapp)
    return native_qapp


@dataclass
class Rig:
    window: Any
    farm: SimOnvifFarm
    database: Database
    qtbot: Any

    @property
    def ptz(self) -> PtzController:
        controller = self.window.ptz
        assert isinstance(controller, PtzController)
        return controller

    def status(self, camera: int) -> PtzPosition:
        """GetStatus over SOAP, through the console's own service (waiting here is the test's)."""
        service = self.ptz.service
        assert service is not None
        position: PtzPosition = service.status(camera).result(timeout=WAIT_MS / 1000)
        return position

    def tile(self, index: int) -> TileWidget:
        tile: TileWidget = self.window.grid.tile(index)
        return tile

    def open_on(self, index: int, camera: int) -> TileWidget:
        tile = self.tile(index)
        tile.clicked.emit(tile)
        menu = tile.build_menu()
        entry = next(a for a in menu.actions() if a.text().startswith("PTZ"))
        assert entry.isEnabled(), entry.toolTip()
        entry.trigger()
        menu.deleteLater()
        self.qtbot.waitUntil(
            lambda: self.ptz.panel is not None and self.ptz.panel.isVisible(), timeout=WAIT_MS
        )
        self.qtbot.waitUntil(lambda: camera in self.ptz.capabilities, timeout=WAIT_MS)  # read over ONVIF
        return tile

    def wait_still(self, camera: int, timeout_s: float = 10.0) -> PtzPosition:
        deadline = time.monotonic() + timeout_s
        position = self.status(camera)
        while position.moving and time.monotonic() < deadline:
            self.qtbot.wait(100)
            position = self.status(camera)
        assert not position.moving, f"camera {camera} still moving: {position}"
        return position


@pytest.fixture
def rig(
    qtbot: Any, onvif_farm: SimOnvifFarm, database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Rig]:
    for name in ("VMWALL_CONFIG_DIR", "VMWALL_DATA_DIR", "VMWALL_LOG_DIR"):
        monkeypatch.setenv(name, str(tmp_path / name.lower()))
    register_farm(database, onvif_farm.specs)  # cameras 1, 2 PTZ and 3 fixed; passwords in the keyring
    from vmwall.app import build_console, ptz_service_factory
    from vmwall.config.layouts import load_builtin_layouts, load_layouts
    from vmwall.config.settings import Settings
    from vmwall.ui.main_window import StartOptions

    directory = Directory.build(CommuneRepository(database).list(), CameraRepository(database).list(), DUPONT)
    assert [c.ptz for c in directory.cameras.values()] == [True, True, False]
    settings = replace(Settings(), layouts_dir=tmp_path / "layouts")
    window = build_console(
        qtbot._request.getfixturevalue("qapp"),
        FakeBackend(directory),  # the catalogue as loaded; no video (no player, no hub)
        settings,
        tmp_path / "console.json",
        load_layouts(tmp_path / "layouts", load_builtin_layouts()),
        StartOptions("2x2", (1, 2, 3)),
        ptz_factory=ptz_service_factory(lambda: database, SETTINGS),
    )
    try:
        qtbot.waitUntil(lambda: window.context.directory is not None, timeout=WAIT_MS)
        qtbot.waitExposed(window)
        window.activateWindow()
        with contextlib.suppress(WaitTimeoutError):
            qtbot.waitUntil(window.isActiveWindow, timeout=2000)
        qtbot.waitUntil(lambda: window.ptz.service is not None, timeout=WAIT_MS)
        yield Rig(window, onvif_farm, database, qtbot)
    finally:
        if not window._closing:
            window.close()
        window.ptz.close_services()


def send_mouse(widget: QWidget, kind: QEvent.Type, pos: QPoint, buttons: Qt.MouseButton) -> None:
    button = Qt.MouseButton.LeftButton if kind != QEvent.Type.MouseMove else Qt.MouseButton.NoButton
    event = QMouseEvent(
        kind, QPointF(pos), QPointF(widget.mapToGlobal(pos)), button, buttons, Qt.KeyboardModifier.NoModifier
    )
    QApplication.sendEvent(widget, event)


def wait_for(rig: Rig, condition: Callable[[], bool], what: str) -> None:
    try:
        rig.qtbot.waitUntil(condition, timeout=WAIT_MS)
    except WaitTimeoutError:
        raise AssertionError(what) from None


def test_pad_drag_moves_the_camera_and_release_stops_it(rig: Rig) -> None:
    rig.open_on(0, 1)
    panel = rig.ptz.panel
    assert panel is not None
    rig.qtbot.waitUntil(panel.pad.isEnabled, timeout=WAIT_MS)
    start = rig.wait_still(1)
    pad = panel.pad
    centre = QPoint(pad.width() // 2, pad.height() // 2)
    right_and_up = centre + QPoint(round(pad.radius() * 0.8), -round(pad.radius() * 0.4))
    send_mouse(pad, QEvent.Type.MouseButtonPress, centre, Qt.MouseButton.LeftButton)
    send_mouse(pad, QEvent.Type.MouseMove, right_and_up, Qt.MouseButton.LeftButton)
    wait_for(rig, lambda: rig.status(1).pan > start.pan + 0.1, "the pad's drag to the right pans right")
    moving = rig.status(1)
    assert moving.moving and moving.tilt > start.tilt  # up: tilt +
    send_mouse(pad, QEvent.Type.MouseButtonRelease, right_and_up, Qt.MouseButton.NoButton)
    released = time.monotonic()
    stopped = rig.wait_still(1, timeout_s=5.0)
    assert time.monotonic() - released < 5.0
    rig.qtbot.wait(600)
    later = rig.status(1)
    assert later.pan == pytest.approx(stopped.pan, abs=1e-3) and not later.moving  # it stays stopped
    assert stopped.pan > start.pan + 0.1
    # The console holds the camera now, and says so on the tile.
    wait_for(rig, lambda: "PTZ : vous" in rig.tile(0).banner.right, "the tile shows who drives")


def test_click_on_the_picture_centres_the_camera(rig: Rig) -> None:
    tile = rig.open_on(0, 1)
    panel = rig.ptz.panel
    assert panel is not None
    rig.qtbot.waitUntil(panel.pad.isEnabled, timeout=WAIT_MS)
    start = rig.wait_still(1)
    picture = picture_rect(tile.front_surface().geometry(), DEFAULT_PICTURE_ASPECT)
    # A point left of the centre and below it: the camera pans left and tilts down.
    point = QPoint(picture.left() + picture.width() // 4, picture.top() + picture.height() * 3 // 4)
    send_mouse(tile, QEvent.Type.MouseButtonPress, point, Qt.MouseButton.LeftButton)
    send_mouse(tile, QEvent.Type.MouseButtonRelease, point, Qt.MouseButton.NoButton)
    wait_for(rig, lambda: rig.status(1).pan < start.pan - 0.01, "click-to-centre pans towards the point")
    centred = rig.wait_still(1)
    assert centred.pan < start.pan - 0.01 and centred.tilt < start.tilt - 0.01
    assert centred.zoom == pytest.approx(start.zoom, abs=1e-3)  # a click does not zoom
    # A box dragged around the picture's centre zooms in.
    a = QPoint(picture.center().x() - picture.width() // 8, picture.center().y() - picture.height() // 8)
    b = QPoint(picture.center().x() + picture.width() // 8, picture.center().y() + picture.height() // 8)
    send_mouse(tile, QEvent.Type.MouseButtonPress, a, Qt.MouseButton.LeftButton)
    send_mouse(tile, QEvent.Type.MouseMove, b, Qt.MouseButton.LeftButton)
    send_mouse(tile, QEvent.Type.MouseButtonRelease, b, Qt.MouseButton.NoButton)
    wait_for(rig, lambda: rig.status(1).zoom > centred.zoom + 0.05, "the box zooms in")


def test_the_holder_from_another_console_is_shown(rig: Rig) -> None:
    from vmwall.ptz.service import OnvifPtzService, make_operator
    from vmwall.ptz.targets import CatalogueResolver

    # Another console (another service, its own session) on the same database takes camera 1.
    other = OnvifPtzService(
        make_operator("mmartin", "Marie Martin", "chef-de-salle", SETTINGS, console="poste-2"),
        CatalogueResolver(CameraRepository(rig.database).get_by_number),
        PtzLockRepository(rig.database),
        SETTINGS,
    )
    other.start()
    try:
        outcome = other.take_control(1).result(timeout=WAIT_MS / 1000)
        assert outcome.status is LockStatus.GRANTED
        wait_for(rig, lambda: "PTZ : Marie Martin" in rig.tile(0).banner.right, "the tile shows the holder")
        assert "PTZ" not in rig.tile(1).banner.right  # camera 2 is free
        rig.open_on(0, 1)
        panel = rig.ptz.panel
        assert panel is not None
        wait_for(rig, lambda: "Marie Martin (chef de salle) — poste-2" in panel.status_label.text(), "holder")
        assert not panel.pad.isEnabled() and panel.take_button.isEnabled()
        # An operator cannot take a camera from a chef de salle: refused, and said so.
        rig.qtbot.mouseClick(panel.take_button, Qt.MouseButton.LeftButton)
        wait_for(rig, lambda: "refusée" in panel.message_label.text(), "the refusal is shown")
        # She lets go: every console sees the camera free, and ours may drive it.
        other.release(1).result(timeout=WAIT_MS / 1000)
        wait_for(rig, lambda: "Libre" in panel.status_label.text(), "the release is seen")
        assert "PTZ" not in rig.tile(0).banner.right and panel.pad.isEnabled()
    finally:
        other.close()


def test_a_fixed_camera_offers_no_ptz(rig: Rig) -> None:
    menu = rig.tile(2).build_menu()
    entry = next(a for a in menu.actions() if a.text().startswith("PTZ"))
    assert not entry.isEnabled() and "Caméra fixe" in entry.toolTip()
    menu.deleteLater()


def test_the_joystick_drives_the_selected_tiles_camera(rig: Rig) -> None:
    """SDL virtual joystick → the console's binding → the selected tile's camera, over real SOAP."""
    from vmwall.ptz.joystick import JoystickReader, VirtualJoystick
    from vmwall.ptz.joystick_mapping import builtin_profiles, combine
    from vmwall.ui.ptz_joystick import PtzJoystickBinding

    binding = PtzJoystickBinding(rig.ptz, JoystickReader, lambda: combine((), builtin_profiles()))
    binding.start()
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    # The joystick only drives while the console is the active application. Xvfb has no window
    # manager, and closing earlier tests' windows may have left Qt "inactive": say it is active.
    app.applicationStateChanged.emit(Qt.ApplicationState.ApplicationActive)
    stick = VirtualJoystick("Acme CCTV Keyboard", buttons=16)  # the built-in CCTV keyboard profile
    try:
        wait_for(rig, lambda: binding._reader is not None and binding._reader.running, "the reader runs")
        stick.attach()
        for axis in range(3):  # SDL may hand a new virtual device the last one's axis values
            stick.set_axis(axis, 0.0)
        wait_for(
            rig,
            lambda: bool(
                binding._reader and any(d.instance_id == stick.instance_id for d in binding._reader.devices())
            ),
            "this stick is attached",
        )
        time.sleep(0.2)  # a few polls at rest: the reader arms the axes once it has seen them centred
        rig.window.grid.select(1)  # camera 2
        wait_for(rig, lambda: rig.ptz.camera == 2, "camera 2 is the PTZ camera")
        start1, start2 = rig.wait_still(1), rig.wait_still(2)
        stick.set_axis(0, 0.8)  # right
        wait_for(rig, lambda: rig.status(2).pan > start2.pan + 0.05, "the joystick pans camera 2")
        assert rig.status(1).pan == pytest.approx(start1.pan, abs=1e-6)  # not the other one
        # Another tile selected while the stick is held: camera 2 stops.
        rig.window.grid.select(0)
        rig.wait_still(2)
        stick.set_axis(0, 0.0)
        # The console loses the focus: the joystick stops and is ignored until it is back.
        stick.set_axis(0, -0.8)
        wait_for(rig, lambda: rig.status(1).pan < start1.pan - 0.05, "the joystick pans camera 1")
        app.applicationStateChanged.emit(Qt.ApplicationState.ApplicationInactive)  # another application
        rig.wait_still(1)
        stick.set_axis(0, -1.0)  # ignored while the console is not active
        rig.qtbot.wait(500)
        assert not rig.status(1).moving
        app.applicationStateChanged.emit(Qt.ApplicationState.ApplicationActive)
        stick.set_axis(0, 0.0)
    finally:
        stick.detach()
        binding.close()
