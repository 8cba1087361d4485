"""Focus on the PTZ panel: near / far while held, the autofocus toggle, and why they are disabled.

Real widgets and the real console; the PTZ service is the fake of test_ptz_console.py with the
focus methods added (the real focus: tests/integration/test_focus_onvif.py).
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field, replace
from typing import Any

from PySide6.QtCore import Qt

from tests.ui import test_ptz_console as ptz_ui
from tests.ui.test_ptz_console import PTZ_CONTINUOUS_ONLY, PTZ_FULL, FakePtzService, PtzConsole, operator
from vmwall.model.ptz import PtzCapabilities
from vmwall.ptz.api import FocusCapabilities, FocusService, FocusStatus, PtzAction, PtzEvent
from vmwall.ui.ptz_panel import PtzPanel, PtzPanelState

ptz_console = ptz_ui.ptz_console  # the console fixture of the PTZ tests, reused here
LENS = FocusCapabilities(continuous=True, auto=True, auto_on=True)


@dataclass
class FakeFocusService(FakePtzService):
    focus_by_camera: dict[int, FocusCapabilities] = field(default_factory=dict)

    def focus_capabilities(self, camera: int) -> Future[FocusCapabilities]:
        self.calls.append(("focus_capabilities", camera))
        return self._answer(
            "focus_capabilities",
            camera,
            lambda: self.focus_by_camera.get(
                camera, FocusCapabilities(reason="the camera has no imaging service")
            ),
        )

    def focus(self, camera: int, speed: float) -> None:
        self.calls.append(("focus", camera, speed))

    def focus_stop(self, camera: int) -> None:
        self.calls.append(("focus_stop", camera))

    def auto_focus(self, camera: int, on: bool) -> Future[None]:
        self.calls.append(("auto_focus", camera, on))

        def switch() -> None:
            self.focus_by_camera[camera] = replace(self.focus_by_camera[camera], auto_on=on)

        return self._answer("auto_focus", camera, switch)

    def focus_status(self, camera: int) -> Future[FocusStatus]:
        return self._answer("focus_status", camera, lambda: FocusStatus(0.5, False, True))

    def focus_calls(self) -> list[tuple[Any, ...]]:
        return [c for c in self.calls if c[0] in ("focus", "focus_stop", "auto_focus")]


def focus_service() -> FakeFocusService:
    return FakeFocusService(
        operator(),
        {1: PTZ_FULL, 2: PTZ_CONTINUOUS_ONLY, 3: PtzCapabilities.fixed(), 4: PTZ_FULL},
        focus_by_camera={1: LENS},
    )


def ready(console: PtzConsole, camera: int) -> None:
    console.qtbot.waitUntil(lambda: camera in console.ptz.focus, timeout=3000)


def test_the_panel_alone_reports_press_release_and_the_toggle(qtbot: Any) -> None:
    panel = PtzPanel()
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitExposed(panel)
    asked: list[float] = []
    toggled: list[bool] = []
    panel.focus_requested.connect(asked.append)
    panel.auto_focus_toggled.connect(toggled.append)
    refusal = "Cette caméra n'offre pas de mise au point pilotable."
    panel.apply(PtzPanelState("Caméra 1", "Libre", focus_refusal=refusal))
    assert not panel.focus_near_button.isEnabled() and panel.focus_near_button.toolTip() == refusal
    assert not panel.auto_focus_button.isEnabled() and panel.auto_focus_button.toolTip() == refusal
    panel.apply(PtzPanelState("Caméra 1", "Libre", focus=True, auto_focus=True, auto_focus_on=True))
    assert panel.auto_focus_button.isChecked() and toggled == []  # shown, not an operator's click
    qtbot.mousePress(panel.focus_far_button, Qt.MouseButton.LeftButton)
    qtbot.mouseRelease(panel.focus_far_button, Qt.MouseButton.LeftButton)
    qtbot.mousePress(panel.focus_near_button, Qt.MouseButton.LeftButton)
    qtbot.mouseRelease(panel.focus_near_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(panel.auto_focus_button, Qt.MouseButton.LeftButton)
    assert asked == [1.0, 0.0, -1.0, 0.0] and toggled == [False]
    assert "plus loin" in panel.focus_far_button.toolTip()


def test_focus_buttons_drive_the_lens_while_held(ptz_console: Callable[..., PtzConsole], qtbot: Any) -> None:
    console = ptz_console(service=focus_service())
    service = console.service
    assert isinstance(service, FocusService)
    console.open_on(0)
    console.wait_ready(1)
    ready(console, 1)
    panel = console.panel
    qtbot.waitUntil(lambda: panel.focus_near_button.isEnabled(), timeout=3000)
    assert panel.focus_far_button.isEnabled() and panel.auto_focus_button.isEnabled()
    assert panel.auto_focus_button.isChecked()  # the lens is in autofocus
    qtbot.mousePress(panel.focus_near_button, Qt.MouseButton.LeftButton)
    assert service.focus_calls() == [("focus", 1, -0.5)]
    qtbot.mouseRelease(panel.focus_near_button, Qt.MouseButton.LeftButton)
    qtbot.mousePress(panel.focus_far_button, Qt.MouseButton.LeftButton)
    qtbot.mouseRelease(panel.focus_far_button, Qt.MouseButton.LeftButton)
    assert service.focus_calls() == [
        ("focus", 1, -0.5),
        ("focus_stop", 1),
        ("focus", 1, 0.5),
        ("focus_stop", 1),
    ]
    # The service switched the lens to manual to move it: the toggle follows its event.
    service.emit(lambda listener: listener.ptz_event(event(1, "auto off (manual focus)")))
    qtbot.waitUntil(lambda: not panel.auto_focus_button.isChecked(), timeout=3000)
    qtbot.mouseClick(panel.auto_focus_button, Qt.MouseButton.LeftButton)
    assert service.focus_calls()[-1] == ("auto_focus", 1, True)
    qtbot.waitUntil(lambda: console.ptz.focus[1].auto_on is True, timeout=3000)
    assert panel.auto_focus_button.isChecked()


def test_a_held_focus_stops_when_another_tile_is_selected(
    ptz_console: Callable[..., PtzConsole], qtbot: Any
) -> None:
    console = ptz_console(service=focus_service())
    service = console.service
    console.open_on(0)
    console.wait_ready(1)
    ready(console, 1)
    panel = console.panel
    qtbot.waitUntil(lambda: panel.focus_far_button.isEnabled(), timeout=3000)
    qtbot.mousePress(panel.focus_far_button, Qt.MouseButton.LeftButton)
    console.window.grid.select(1)
    qtbot.waitUntil(lambda: console.ptz.camera == 2, timeout=2000)
    assert ("focus_stop", 1) in service.calls
    # Camera 2 has no imaging focus: the buttons are disabled and say why.
    ready(console, 2)
    qtbot.waitUntil(lambda: not panel.focus_far_button.isEnabled() and panel.pad.isEnabled(), timeout=3000)
    assert "mise au point" in panel.focus_near_button.toolTip()
    assert not panel.auto_focus_button.isEnabled()


def test_without_focus_in_the_service_the_buttons_say_so(
    ptz_console: Callable[..., PtzConsole], qtbot: Any
) -> None:
    console = ptz_console()  # the plain fake: a PtzService without FocusService
    console.open_on(0)
    console.wait_ready(1)
    panel = console.panel
    assert not panel.focus_near_button.isEnabled() and not panel.auto_focus_button.isEnabled()
    assert "pas disponible" in panel.focus_far_button.toolTip()


def event(camera: int, detail: str) -> PtzEvent:
    from datetime import UTC, datetime

    return PtzEvent(datetime.now(UTC), "jdupont", camera, PtzAction.FOCUS, detail, "poste-1")
