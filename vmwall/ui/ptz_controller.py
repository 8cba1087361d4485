"""The console's PTZ control: the selected tile's camera, driven from the PTZ panel and the picture.

``PtzController`` lives in the GUI thread between the widgets and the Qt-free ``PtzService``
(``vmwall.ptz.api``). It follows the selected tile of every grid it is given; the camera of the
selected tile of the grid used last is *the* PTZ camera (the joystick drives it too).

- The panel (``PtzPanel``, a dock of the console window) shows that camera, who holds it, the pad,
  the zoom rocker, home, presets and tours. While the panel is shown, the selected tile takes PTZ
  gestures on its picture (``PtzGestures``): click to centre, drag a box to zoom, wheel to zoom.
- Stops: the pad or rocker let go, another tile selected, another camera in the tile, the panel
  closed, the console's window losing the focus, the console closing.
- Nothing here waits: service calls return futures, whose outcome comes back through the bridge,
  and so do the service's listener callbacks (errors, lock changes, tours). Errors are shown in
  French naming the camera (``ptz_texts``), the service's own words as the tooltip.
- Rights: only an account with the PTZ permission moves a camera or edits its presets; everyone
  sees who holds a camera. A console without a named account (development, the demo) is not
  restricted, as for live viewing.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

import shiboken6
from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QMouseEvent, QWheelEvent, QWindow
from PySide6.QtWidgets import QApplication, QMenu, QWidget

from vmwall.config.settings import Action
from vmwall.model import Permission, User
from vmwall.model.ptz import PtzCapabilities, PtzPreset
from vmwall.ptz.api import (
    FocusCapabilities,
    FocusService,
    LockHolder,
    LockOutcome,
    LockStatus,
    PtzAction,
    PtzError,
    PtzErrorKind,
    PtzEvent,
    PtzListener,
    PtzService,
    TourState,
    TourStep,
)
from vmwall.ui.bridge import Bridge
from vmwall.ui.directory import Directory
from vmwall.ui.grid import GridWidget
from vmwall.ui.ptz_gestures import PtzGestures
from vmwall.ui.ptz_panel import PtzPanel, PtzPanelState, Tone
from vmwall.ui.ptz_texts import camera_label, capitalised, error_text, holder_text
from vmwall.ui.tile import TileWidget

if TYPE_CHECKING:
    from vmwall.ui.grid_window import GridHostWindow

log = logging.getLogger(__name__)

T = TypeVar("T")

# Makes and starts the service for the console's account (None: no named account); on a worker.
PtzServiceFactory = Callable[[User | None], PtzService]

WHEEL_ZOOM_STEP = 0.05  # RelativeMove zoom per wheel notch (generic space: zoom in [0, 1])
KEY_PAN_STEP = 0.5  # a pan/tilt key centres the point half-way to the picture's edge
KEY_ZOOM_STEP = 0.1
BURST_MS = 300  # a step on a camera without relative moves: a short continuous move
BURST_SPEED = 0.5
FOCUS_SPEED = 0.5  # focus near / far from the panel's buttons (the joystick's too)
NOTICE_REPEAT_S = 3.0  # the same notice is not repeated in the status bar within this time


class _ServiceListener(PtzListener):
    """The service's callbacks (its threads) → the controller's handlers (GUI thread)."""

    def __init__(self, bridge: Bridge, controller: PtzController) -> None:
        self._bridge = bridge
        self._controller = controller

    def ptz_event(self, event: PtzEvent) -> None:
        self._bridge.deliver(self._controller, self._controller._on_service_event, event)

    def ptz_failed(self, error: PtzError) -> None:
        self._bridge.deliver(self._controller, self._controller.show_error, error)

    def lock_changed(self, camera: int, holder: LockHolder | None) -> None:
        self._bridge.deliver(self._controller, self._controller._on_service_lock_changed, camera, holder)

    def tour_changed(self, state: TourState) -> None:
        self._bridge.deliver(self._controller, self._controller._on_service_tour_changed, state)

    def camera_recovered(self, camera: int) -> None:
        self._bridge.deliver(self._controller, self._controller._on_service_camera_recovered, camera)


class PtzController(QObject):
    notice_posted = Signal(str)  # one line for the status bar
    service_changed = Signal(object)  # the PtzService, or None (the joystick follows it)
    camera_changed = Signal(object)  # the PTZ camera number, or None
    active_changed = Signal(bool)  # the console has (True) or lost (False) the operator's focus
    # The operator is using the joystick (Qt sees no input then): keeps the console from locking.
    operator_input = Signal()

    def __init__(
        self, bridge: Bridge, factory: PtzServiceFactory | None = None, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.factory = factory
        self.panel: PtzPanel | None = None
        self.menu: QMenu | None = None
        self.directory: Directory | None = None
        self.service: PtzService | None = None
        self.service_problem = ""  # why there is no service yet, for the panel
        self.camera: int | None = None  # the PTZ camera; read by the joystick's thread (plain attribute)
        self.capabilities: dict[int, PtzCapabilities] = {}
        self.holders: dict[int, LockHolder] = {}
        self.presets: dict[int, list[PtzPreset]] = {}
        self.tours: dict[int, TourState] = {}
        self.focus: dict[int, FocusCapabilities] = {}  # the lens of each camera, as the service read it
        self._focus_asked: set[int] = set()
        self._focusing: int | None = None  # the camera a held focus button moves
        self.gestures = PtzGestures(
            self.gestures_active, self.centre_on, self.zoom_to_box, self.wheel_zoom, self
        )
        self._listener = _ServiceListener(bridge, self)
        self._service_user: tuple[str | None] | None = None  # whose service exists or is coming
        self._created: list[PtzService] = []  # every service made, to close them all at exit
        self._created_lock = threading.Lock()
        self._closed = False
        self._grids: list[GridWidget] = []
        self._grid: GridWidget | None = None
        self._capability_errors: dict[int, str] = {}
        self._asked: set[int] = set()  # capabilities requested, not answered yet
        self._watched: tuple[int, ...] = ()
        self._moving: set[int] = set()  # cameras this console set moving (pad, rocker, bursts)
        self._pad = (0.0, 0.0)
        self._zoom = 0.0
        self._tour_steps: dict[int, tuple[TourStep, ...]] = {}
        self._last_notice: tuple[str, float] = ("", 0.0)
        self._burst_timer = QTimer(self)
        self._burst_timer.setSingleShot(True)
        self._burst_timer.setInterval(BURST_MS)
        self._burst_timer.timeout.connect(self._drive)  # back to what the pad and rocker say
        self._rewatch_timer = QTimer(self)
        self._rewatch_timer.setSingleShot(True)
        self._rewatch_timer.setInterval(0)
        self._rewatch_timer.timeout.connect(self._on_rewatch_timer_timeout)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.applicationStateChanged.connect(self._on_app_state_changed)
            app.focusWindowChanged.connect(self._on_app_focus_window_changed)
            app.focusChanged.connect(self._on_app_focus_changed)

    # --- building -----------------------------------------------------------------------------

    def install(self, window: GridHostWindow) -> PtzPanel:
        """Give the console window its PTZ dock (hidden until asked for) and its "PTZ" menu."""
        panel = PtzPanel(window)
        self.panel = panel
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, panel)
        panel.hide()
        panel.visibilityChanged.connect(self._on_panel_visibility_changed)
        panel.pad.moved.connect(self._on_pad_moved)
        panel.pad.released.connect(self._on_pad_released)
        panel.zoom.zoom_changed.connect(self._on_zoom_changed)
        panel.home_requested.connect(self.home)
        panel.focus_requested.connect(self._on_panel_focus_requested)
        panel.auto_focus_toggled.connect(self.set_auto_focus)
        panel.take_requested.connect(self.take_control)
        panel.release_requested.connect(self.release_control)
        panel.presets.goto_requested.connect(self.goto_preset)
        panel.presets.save_requested.connect(self.save_preset)
        panel.presets.rename_requested.connect(self.rename_preset)
        panel.presets.delete_requested.connect(self.delete_preset)
        panel.tour.add_requested.connect(self._on_tour_add_requested)
        panel.tour.start_requested.connect(self.start_tour)
        panel.tour.stop_requested.connect(self.stop_tour)
        menu = QMenu(self.tr("&PTZ"), window)
        toggle = panel.toggleViewAction()
        toggle.setText(self.tr("Panneau PTZ"))
        toggle.setShortcuts(window.keymap.sequences(Action.PTZ_PANEL))
        toggle.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        window.addAction(toggle)  # its shortcut, menu bar hidden or not
        menu.addAction(toggle)
        menu.addSeparator()
        steps: list[tuple[str, Action, Callable[[], None]]] = [
            (self.tr("Tourner à gauche"), Action.PTZ_LEFT, lambda: self.step(-1, 0)),
            (self.tr("Tourner à droite"), Action.PTZ_RIGHT, lambda: self.step(1, 0)),
            (self.tr("Lever"), Action.PTZ_UP, lambda: self.step(0, 1)),
            (self.tr("Baisser"), Action.PTZ_DOWN, lambda: self.step(0, -1)),
            (self.tr("Zoomer"), Action.PTZ_ZOOM_IN, lambda: self.zoom_step(1)),
            (self.tr("Dézoomer"), Action.PTZ_ZOOM_OUT, lambda: self.zoom_step(-1)),
            (self.tr("Position d'origine"), Action.PTZ_HOME, self.home),
        ]
        for text, action, slot in steps:
            menu.addAction(window.make_action(text, action, slot))
        menu.addSeparator()
        stop = menu.addAction(self.tr("Arrêter la caméra"))
        stop.triggered.connect(self.stop_moving)
        self.menu = menu
        window.menuBar().addMenu(menu)
        self.follow(window.grid)
        self._update_panel()
        return panel

    def follow(self, grid: GridWidget) -> None:
        """Track this grid's selected tile (the main grid, and each extra grid window's)."""
        if grid in self._grids:
            return
        self._grids.append(grid)
        if self._grid is None:
            self._grid = grid
        grid.selection_changed.connect(self._on_grid_selection_changed)
        grid.contents_changed.connect(self._on_grid_contents_changed)
        self._retarget()
        self._rewatch_timer.start()

    def directory_loaded(self, directory: Directory) -> None:
        """The catalogue and the account: (re)start the PTZ service for this account."""
        self.directory = directory
        self._ensure_service(directory.user)
        self._rewatch_timer.start()
        self._refresh_target()

    # --- the service --------------------------------------------------------------------------

    def _ensure_service(self, user: User | None) -> None:
        if self.factory is None or self._closed:
            return
        wanted = (user.login if user else None,)
        if self._service_user == wanted:
            return
        old, self.service = self.service, None
        if old is not None:  # another account took over the console (shift handover)
            self.stop_moving()
            self._drop_service(old)
        self._service_user = wanted
        self.service_problem = self.tr("démarrage du pilotage PTZ…")
        factory = self.factory

        def create() -> PtzService:
            service = factory(user)
            with self._created_lock:
                self._created.append(service)
            return service

        self.bridge.submit(
            "start the PTZ service",
            create,
            lambda service: self._on_service_created(wanted, service),
            lambda error: self._on_service_failed_to_start(wanted, error),
            receiver=self,
        )

    def _on_service_created(self, user: tuple[str | None], service: PtzService) -> None:
        if self._closed or user != self._service_user:
            self._drop_service(service)
            return
        self.service = service
        self.service_problem = ""
        for known in (self.capabilities, self.holders, self.presets, self.tours, self._capability_errors):
            known.clear()
        self.focus.clear()
        self._focus_asked.clear()
        self._asked.clear()
        self._watched = ()
        service.add_listener(self._listener)
        self.service_changed.emit(service)
        self._rewatch_timer.start()
        self._refresh_target()

    def _on_service_failed_to_start(self, user: tuple[str | None], error: Exception) -> None:
        if user != self._service_user:
            return
        log.error("the PTZ service cannot start: %s", error)
        self._service_user = None  # the next catalogue load tries again
        self.service_problem = self.tr("Pilotage PTZ indisponible : %1").replace("%1", str(error))
        self._update_panel()

    def _drop_service(self, service: PtzService) -> None:
        service.remove_listener(self._listener)
        self.service_changed.emit(None)
        with self._created_lock:
            if service in self._created:
                self._created.remove(service)
        if self.bridge.submit("close the PTZ service", service.close) is None:
            service.close()

    def shutdown(self) -> None:
        """The console is closing: stop what this console moves (the service closes after)."""
        self.gestures.cancel()
        self._rewatch_timer.stop()
        if not self._closed:
            self.stop_moving()
            if self.service is not None:
                self.service.stop_all()
        self._closed = True

    def close_services(self) -> None:
        """Close every service this controller made (at exit, after the event loop; may block)."""
        self._closed = True
        self.service = None
        with self._created_lock:
            services, self._created = self._created, []
        for service in services:
            try:
                service.remove_listener(self._listener)
                service.close()
            except Exception:  # one failing close must not keep the others open
                log.exception("closing the PTZ service failed")

    # --- reading ------------------------------------------------------------------------------

    def user(self) -> User | None:
        return self.directory.user if self.directory is not None else None

    def may_move(self) -> bool:
        """The account's PTZ right now (a locked console or a suspended agrément has none)."""
        return self.directory is None or self.directory.may(Permission.PTZ)

    def is_ours(self, holder: LockHolder | None) -> bool:
        service = self.service
        return holder is not None and service is not None and holder.session == service.operator.session

    def selected_camera(self) -> int | None:
        """The PTZ camera (any thread: the joystick asks at every event)."""
        return self.camera

    def current_grid(self) -> GridWidget | None:
        grid = self._grid
        return grid if grid is not None and shiboken6.isValid(grid) else None

    def current_tile(self) -> TileWidget | None:
        grid = self.current_grid()
        if grid is None:
            return None
        tiles = grid.tiles()
        index = grid.selected_index()
        return tiles[index] if 0 <= index < len(tiles) else None

    def camera_label(self, camera: int) -> str:
        entry = self.directory.camera(camera) if self.directory is not None else None
        return camera_label(camera, entry.name if entry else None)

    def capabilities_of(self, camera: int) -> PtzCapabilities | None:
        """What the camera can do (None: not known yet). The catalogue's "fixed" is believed."""
        entry = self.directory.camera(camera) if self.directory is not None else None
        if entry is not None and not entry.ptz:
            return PtzCapabilities.fixed()
        return self.capabilities.get(camera)

    def _viewable(self, camera: int) -> bool:
        directory = self.directory
        return directory is not None and directory.refusal(camera, datetime.now()) is None

    def can_drive(self, camera: int | None) -> bool:
        """This console may move ``camera`` now: a PTZ camera, the right, not held by another."""
        if camera is None or self.service is None or not self.may_move() or not self._viewable(camera):
            return False
        capabilities = self.capabilities_of(camera)
        if capabilities is None or not capabilities.ptz:
            return False
        holder = self.holders.get(camera)
        return holder is None or self.is_ours(holder)

    def gestures_active(self, tile: TileWidget) -> bool:
        """The tile takes PTZ gestures: the selected tile, panel shown, a camera we may drive."""
        return (
            self.panel is not None
            and self.panel.isVisible()
            and tile is self.current_tile()
            and tile.camera is not None
            and tile.camera == self.camera
            and self.can_drive(tile.camera)
        )

    # --- hooks for the tiles (vmwall.ui.ptz_hooks.TilePtzHooks) -------------------------------

    def menu_refusal(self, tile: TileWidget) -> str | None:
        camera = tile.camera
        if camera is None:
            return self.tr("Aucune caméra dans cette tuile.")
        if self.factory is None:
            return self.tr("Le pilotage PTZ n'est pas disponible sur cette console.")
        if self.directory is not None and self.directory.camera(camera) is None:
            return self.tr("La caméra %1 n'existe pas dans le catalogue.").replace("%1", str(camera))
        if self.directory is not None and not self._viewable(camera):
            return self.tr("Cette caméra n'est pas visible en direct par ce compte.")
        capabilities = self.capabilities_of(camera)
        if capabilities is not None and not capabilities.ptz:
            return self.tr("Caméra fixe : pas de commande PTZ.")
        return None

    def open_for(self, tile: TileWidget) -> None:
        for grid in self._grids:
            if shiboken6.isValid(grid) and tile in grid.tiles():
                self._grid = grid
                grid.select(grid.tiles().index(tile))
                break
        self.show_panel()
        self._retarget()

    def show_panel(self) -> None:
        if self.panel is not None:
            self.panel.show()
            self.panel.raise_()
            self._update_tiles()

    def tile_note(self, tile: TileWidget) -> str:
        holder = self.holders.get(tile.camera) if tile.camera is not None else None
        if holder is None:
            return ""
        if self.is_ours(holder):
            return self.tr("PTZ : vous")
        return self.tr("PTZ : %1").replace("%1", holder.full_name or holder.login)

    def press(self, tile: TileWidget, event: QMouseEvent) -> bool:
        return self.gestures.press(tile, event)

    def move(self, tile: TileWidget, event: QMouseEvent) -> bool:
        return self.gestures.move(tile, event)

    def release(self, tile: TileWidget, event: QMouseEvent) -> None:
        self.gestures.release(tile, event)

    def double_click(self, tile: TileWidget) -> None:
        self.gestures.double_click(tile)

    def wheel(self, tile: TileWidget, event: QWheelEvent) -> bool:
        return self.gestures.wheel(tile, event)

    # --- following the selection --------------------------------------------------------------

    def _on_grid_selection_changed(self, _index: int) -> None:
        grid = self.sender()
        if isinstance(grid, GridWidget):
            self._grid = grid
        self._retarget()

    def _on_grid_contents_changed(self) -> None:
        self._retarget()
        self._rewatch_timer.start()

    def _on_app_focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        """The operator went to another grid (window): its selected tile is the PTZ one now."""
        widget = new
        while widget is not None:
            if isinstance(widget, GridWidget) and widget in self._grids:
                if widget is not self._grid:
                    self._grid = widget
                    self._retarget()
                return
            widget = widget.parentWidget()

    def _retarget(self) -> None:
        """The PTZ camera is the selected tile's: when it changes, whatever moved stops."""
        self._grids = [g for g in self._grids if shiboken6.isValid(g)]
        if self.current_grid() is None:
            self._grid = self._grids[0] if self._grids else None
        tile = self.current_tile()
        camera = tile.camera if tile is not None else None
        if camera != self.camera:
            self.stop_moving()
            self.gestures.cancel()
            previous, self.camera = self.camera, camera
            self.camera_changed.emit(camera)
            if self.panel is not None:
                self.panel.show_message("")
                self._swap_tour_steps(previous, camera)
            known = self.capabilities.get(camera) if camera is not None else None
            if camera is not None and known is not None and known.presets and camera in self.presets:
                self.load_presets(camera)  # read again: another console may have changed them
        self._refresh_target()

    def _swap_tour_steps(self, previous: int | None, camera: int | None) -> None:
        """Each camera keeps the tour being prepared for it (for this session)."""
        panel = self.panel
        if panel is None:
            return
        if previous is not None:
            self._tour_steps[previous] = panel.tour.steps()
        running = self.tours.get(camera) if camera is not None else None
        steps = running.steps if running is not None else self._tour_steps.get(camera or 0, ())
        panel.tour.set_steps(steps, self._preset_names(camera or 0))

    def _refresh_target(self) -> None:
        """Ask what is not known yet about the PTZ camera, and show what is."""
        camera = self.camera
        service = self.service
        if camera is not None and service is not None and self._viewable(camera):
            entry = self.directory.camera(camera) if self.directory is not None else None
            if (
                entry is not None
                and entry.ptz
                and camera not in self.capabilities
                and camera not in self._asked
            ):
                self._ask_capabilities(camera)
            capabilities = self.capabilities.get(camera)
            if capabilities is not None and capabilities.presets and camera not in self.presets:
                self.load_presets(camera)
            if (
                capabilities is not None
                and capabilities.ptz
                and camera not in self.focus
                and camera not in self._focus_asked
            ):
                self._ask_focus(camera)
            state = service.tours().get(camera)
            if state is not None:
                self.tours[camera] = state
        self._update_panel()
        self._update_tiles()

    def _ask_capabilities(self, camera: int) -> None:
        service = self.service
        if service is None:
            return
        self._asked.add(camera)
        self._capability_errors.pop(camera, None)
        self._when_done(
            service.capabilities(camera),
            lambda capabilities: self._on_capabilities(camera, capabilities),
            lambda error: self._on_capabilities_failed(camera, error),
        )

    def _on_capabilities(self, camera: int, capabilities: PtzCapabilities) -> None:
        self._asked.discard(camera)
        self.capabilities[camera] = capabilities
        self._refresh_target()

    def _ask_focus(self, camera: int) -> None:
        service = self.service
        if not isinstance(service, FocusService):
            return
        self._focus_asked.add(camera)
        self._when_done(
            service.focus_capabilities(camera),
            lambda focus: self._on_focus_capabilities(camera, focus),
            lambda _error: self._focus_asked.discard(camera),  # asked again when selected again
        )

    def _on_focus_capabilities(self, camera: int, focus: FocusCapabilities) -> None:
        self._focus_asked.discard(camera)
        self.focus[camera] = focus
        self._update_panel()

    def _on_capabilities_failed(self, camera: int, error: Exception) -> None:
        self._asked.discard(camera)
        self._capability_errors[camera] = error_text(error, self.camera_label)
        self._update_panel()

    def _on_rewatch_timer_timeout(self) -> None:
        """Every console shows who holds the PTZ cameras on its tiles: watch those."""
        service = self.service
        directory = self.directory
        if service is None or directory is None:
            return
        shown: set[int] = set()
        for grid in self._grids:
            if shiboken6.isValid(grid):
                for tile in grid.tiles():
                    entry = directory.camera(tile.camera) if tile.camera is not None else None
                    if entry is not None and entry.ptz:
                        shown.add(entry.number)
        wanted = tuple(sorted(shown))
        if wanted == self._watched:
            return
        self._watched = wanted
        service.watch(wanted)
        if wanted:
            self._when_done(service.holders(wanted), lambda found: self._on_holders(wanted, found))

    def _on_holders(self, cameras: Iterable[int], found: dict[int, LockHolder]) -> None:
        for camera in cameras:
            holder = found.get(camera)
            if holder is None:
                self.holders.pop(camera, None)
            else:
                self.holders[camera] = holder
        self._update_panel()
        self._update_tiles()

    # --- moving -------------------------------------------------------------------------------

    def _on_pad_moved(self, pan: float, tilt: float) -> None:
        self._pad = (pan, tilt)
        self._drive()

    def _on_pad_released(self) -> None:
        self._pad = (0.0, 0.0)
        self._drive()

    def _on_zoom_changed(self, zoom: float) -> None:
        self._zoom = zoom
        self._drive()

    def _drive(self) -> None:
        """Send what the pad and the rocker say: a velocity, or a Stop once both are at rest."""
        camera = self.camera
        service = self.service
        if camera is None or service is None:
            return
        pan, tilt = self._pad
        zoom = self._zoom
        if pan == 0.0 and tilt == 0.0 and zoom == 0.0:
            if camera in self._moving and not self._burst_timer.isActive():
                self._moving.discard(camera)
                service.stop(camera)
            return
        if self._allowed(camera):
            self._moving.add(camera)
            service.velocity(camera, pan, tilt, zoom)

    def stop_moving(self) -> None:
        """Stop whatever this console set moving (not the tours: they run on their own)."""
        self._burst_timer.stop()
        self._pad, self._zoom = (0.0, 0.0), 0.0
        panel = self.panel
        if panel is not None:
            for widget in (panel.pad, panel.zoom):
                widget.blockSignals(True)
            panel.pad.let_go()
            panel.zoom.spring_back()
            for widget in (panel.pad, panel.zoom):
                widget.blockSignals(False)
        moving, self._moving = self._moving, set()
        if self.service is not None:
            for camera in sorted(moving):
                self.service.stop(camera)
        self._stop_focus()

    def _allowed(self, camera: int) -> bool:
        """May this console move ``camera``? Says why not when it may not."""
        if self.service is None:
            self._notify(self.service_problem or self.tr("Pilotage PTZ indisponible."))
            return False
        if not self.may_move():
            self._say(self.tr("Votre compte n'a pas le droit de piloter les caméras PTZ."))
            return False
        capabilities = self.capabilities_of(camera)
        if capabilities is not None and not capabilities.ptz:
            self._say(self.tr("%1 : caméra fixe, pas de commande PTZ.").replace("%1", self._name(camera)))
            return False
        return True

    def _name(self, camera: int) -> str:
        return capitalised(self.camera_label(camera))

    def step(self, pan: int, tilt: int) -> None:
        """A keyboard step: re-centre on a point half-way to the edge, else a short move."""
        camera = self.camera
        service = self.service
        if camera is None or service is None or not self._allowed(camera):
            return
        capabilities = self.capabilities_of(camera)
        if capabilities is not None and capabilities.can_centre:
            self._when_done(service.centre_on(camera, pan * KEY_PAN_STEP, tilt * KEY_PAN_STEP))
        else:
            self._burst(camera, pan * BURST_SPEED, tilt * BURST_SPEED, 0.0)

    def zoom_step(self, direction: int) -> None:
        camera = self.camera
        if camera is not None and self.service is not None and self._allowed(camera):
            self._zoom_by(camera, direction * KEY_ZOOM_STEP)

    def wheel_zoom(self, camera: int, notches: float) -> None:
        """Wheel notches on the PTZ tile (+ away from the operator: zoom in)."""
        if camera == self.camera and self._allowed(camera):
            self._zoom_by(camera, max(-1.0, min(1.0, notches * WHEEL_ZOOM_STEP)))

    def _zoom_by(self, camera: int, amount: float) -> None:
        service = self.service
        if service is None:
            return
        capabilities = self.capabilities_of(camera)
        if capabilities is not None and capabilities.relative and capabilities.zoom:
            self._when_done(service.relative_move(camera, 0.0, 0.0, amount))
        else:
            self._burst(camera, 0.0, 0.0, BURST_SPEED if amount > 0 else -BURST_SPEED)

    def _burst(self, camera: int, pan: float, tilt: float, zoom: float) -> None:
        if self.service is not None:
            self._moving.add(camera)
            self.service.velocity(camera, pan, tilt, zoom)
            self._burst_timer.start()

    def centre_on(self, camera: int, x: float, y: float) -> None:
        """Bring the point (x, y) of the picture (normalised, y up) to its centre."""
        service = self.service
        if service is None or camera != self.camera or not self._allowed(camera):
            return
        capabilities = self.capabilities_of(camera)
        if capabilities is not None and not capabilities.can_centre:
            self._say(self.tr("%1 ne sait pas se centrer sur un point.").replace("%1", self._name(camera)))
            return
        self._when_done(service.centre_on(camera, x, y))

    def zoom_to_box(self, camera: int, x0: float, y0: float, x1: float, y1: float) -> None:
        service = self.service
        if service is None or camera != self.camera or not self._allowed(camera):
            return
        capabilities = self.capabilities_of(camera)
        if capabilities is not None and not capabilities.can_zoom_box:
            self._say(self.tr("%1 ne sait pas zoomer sur un cadre.").replace("%1", self._name(camera)))
            return
        self._when_done(service.zoom_to_box(camera, x0, y0, x1, y1))

    def home(self) -> None:
        camera = self.camera
        service = self.service
        if camera is not None and service is not None and self._allowed(camera):
            self._when_done(service.home(camera))

    # --- focus (the lens, through the camera's imaging service) -------------------------------

    def _on_panel_focus_requested(self, direction: float) -> None:
        """A focus button pressed (-1 near, +1 far) or released (0)."""
        if direction == 0.0:
            self._stop_focus()
            return
        camera = self.camera
        service = self.service
        if camera is None or service is None or not self._allowed(camera):
            return
        if not isinstance(service, FocusService):
            self._say(self.tr("La mise au point n'est pas disponible sur cette console."))
            return
        if self._focusing is not None and self._focusing != camera:
            self._stop_focus()
        self._focusing = camera
        service.focus(camera, direction * FOCUS_SPEED)

    def _stop_focus(self) -> None:
        camera, self._focusing = self._focusing, None
        service = self.service
        if camera is not None and isinstance(service, FocusService):
            service.focus_stop(camera)

    def set_auto_focus(self, on: bool) -> None:
        camera = self.camera
        service = self.service
        if camera is None or service is None or not self._allowed(camera):
            self._update_panel()  # the toggle shows the lens' mode again
            return
        if not isinstance(service, FocusService):
            self._update_panel()
            return
        self._stop_focus()
        self._when_done(
            service.auto_focus(camera, on),
            lambda _none: self._on_auto_focus_set(camera, on),
            lambda _error: self._update_panel(),
        )

    def _on_auto_focus_set(self, camera: int, on: bool) -> None:
        known = self.focus.get(camera)
        if known is not None:
            self.focus[camera] = replace(known, auto_on=on)
        self._update_panel()

    # --- presets and tours --------------------------------------------------------------------

    def load_presets(self, camera: int, select: str | None = None) -> None:
        service = self.service
        if service is not None:
            self._when_done(service.presets(camera), lambda found: self._on_presets(camera, found, select))

    def _on_presets(self, camera: int, presets: list[PtzPreset], select: str | None) -> None:
        self.presets[camera] = list(presets)
        panel = self.panel
        if camera == self.camera and panel is not None:
            panel.presets.set_presets(presets)
            if select is not None:
                panel.presets.select(select)
            names = self._preset_names(camera)
            panel.tour.forget_presets(set(names), names)
            panel.tour.set_state(self.tours.get(camera), names)

    def _preset_names(self, camera: int) -> dict[str, str]:
        return {p.token: p.name for p in self.presets.get(camera, [])}

    def goto_preset(self, token: str) -> None:
        camera = self.camera
        service = self.service
        if camera is not None and service is not None and self._allowed(camera):
            self._when_done(service.goto_preset(camera, token))

    def save_preset(self, name: str) -> None:
        camera = self.camera
        service = self.service
        if camera is not None and service is not None and self._allowed(camera):
            self._when_done(service.set_preset(camera, name), lambda p: self._on_preset_saved(camera, p))

    def rename_preset(self, token: str, name: str) -> None:
        camera = self.camera
        service = self.service
        if camera is not None and service is not None and self._allowed(camera):
            self._when_done(
                service.rename_preset(camera, token, name), lambda p: self._on_preset_saved(camera, p)
            )

    def delete_preset(self, token: str) -> None:
        camera = self.camera
        service = self.service
        if camera is not None and service is not None and self._allowed(camera):
            self._when_done(service.remove_preset(camera, token), lambda _none: self.load_presets(camera))

    def _on_preset_saved(self, camera: int, preset: PtzPreset) -> None:
        self.load_presets(camera, select=preset.token)
        if camera == self.camera:
            self._say(self.tr("Préréglage « %1 » enregistré.").replace("%1", preset.name), Tone.OK)

    def _on_tour_add_requested(self) -> None:
        panel = self.panel
        if panel is None:
            return
        preset = panel.presets.selected_preset()
        if preset is None:
            self._say(self.tr("Choisissez d'abord un préréglage dans la liste."), Tone.BUSY)
            return
        panel.tour.add_step(preset.token, preset.name)

    def start_tour(self) -> None:
        camera = self.camera
        service = self.service
        panel = self.panel
        if camera is None or service is None or panel is None or not self._allowed(camera):
            return
        steps = panel.tour.steps()
        if not steps:
            self._say(self.tr("Ajoutez au moins un préréglage à la ronde."), Tone.BUSY)
            return
        self._when_done(service.start_tour(camera, steps, loop=True))

    def stop_tour(self) -> None:
        if self.camera is not None and self.service is not None:
            self.service.stop_tour(self.camera)

    # --- the control lock ---------------------------------------------------------------------

    def take_control(self) -> None:
        camera = self.camera
        service = self.service
        if camera is None or service is None or not self._allowed(camera):
            return
        if camera in self._capability_errors:  # worth another try
            self._ask_capabilities(camera)
        self._when_done(service.take_control(camera), lambda outcome: self._on_take_control(camera, outcome))

    def _on_take_control(self, camera: int, outcome: LockOutcome) -> None:
        self.holders[camera] = outcome.holder
        label = self.camera_label(camera)
        if outcome.status is LockStatus.GRANTED:
            self._say(self.tr("Vous pilotez la %1.").replace("%1", label), Tone.OK)
        elif outcome.status is LockStatus.TAKEN_OVER:
            previous = holder_text(outcome.previous) if outcome.previous else "?"
            text = self.tr("Vous avez repris la main sur la %1 (à %2).")
            self._say(text.replace("%1", label).replace("%2", previous), Tone.OK, notify=True)
        else:
            text = self.tr("%1 : pilotée par %2, de priorité égale ou supérieure — prise de main refusée.")
            self._say(
                text.replace("%1", self._name(camera)).replace("%2", holder_text(outcome.holder)),
                Tone.BUSY,
                notify=True,
            )
        self._update_panel()
        self._update_tiles()

    def release_control(self) -> None:
        camera = self.camera
        service = self.service
        if camera is not None and service is not None:
            self.stop_moving()
            self._when_done(service.release(camera), lambda _none: self._on_released(camera))

    def _on_released(self, camera: int) -> None:
        if self.is_ours(self.holders.get(camera)):
            self.holders.pop(camera, None)
        self._say(
            self.tr("Vous avez rendu la main sur la %1.").replace("%1", self.camera_label(camera)), Tone.OK
        )
        self._update_panel()
        self._update_tiles()

    # --- from the service (GUI thread, through the bridge) ------------------------------------

    def show_error(self, error: PtzError) -> None:
        """An error about a camera (the service's, the joystick's): a sentence naming the camera."""
        if error.kind is PtzErrorKind.LOCKED and error.holder is not None:
            self.holders[error.camera] = error.holder
            self._update_panel()
            self._update_tiles()
        self._say(error_text(error, self.camera_label), Tone.ERROR, detail=str(error), notify=True)

    def _on_service_event(self, event: PtzEvent) -> None:
        if event.action is PtzAction.FOCUS and event.detail.startswith("auto"):
            known = self.focus.get(event.camera)
            if known is not None:  # "auto on", "auto off", "auto off (manual focus)"
                self.focus[event.camera] = replace(known, auto_on=event.detail.startswith("auto on"))
                self._update_panel()
        if event.action is PtzAction.IDLE_RELEASE:
            text = self.tr("%1 : main rendue automatiquement après inactivité.")
            self._say(text.replace("%1", self._name(event.camera)), Tone.BUSY, notify=True)

    def _on_service_lock_changed(self, camera: int, holder: LockHolder | None) -> None:
        previous = self.holders.get(camera)
        if holder is None:
            self.holders.pop(camera, None)
        else:
            self.holders[camera] = holder
        if self.is_ours(previous) and holder is not None and not self.is_ours(holder):
            if camera in self._moving:
                self.stop_moving()
            text = self.tr("%1 : %2 a pris la main.")
            self._say(
                text.replace("%1", self._name(camera)).replace("%2", holder_text(holder)),
                Tone.BUSY,
                notify=True,
            )
        self._update_panel()
        self._update_tiles()

    def _on_service_tour_changed(self, state: TourState) -> None:
        self.tours[state.camera] = state
        if state.camera == self.camera and self.panel is not None:
            self.panel.tour.set_state(state, self._preset_names(state.camera))
            if not state.running and state.reason and state.reason != "stopped":
                text = self.tr("%1 : ronde arrêtée (%2).")
                self._say(text.replace("%1", self._name(state.camera)).replace("%2", state.reason), Tone.BUSY)

    def _on_service_camera_recovered(self, camera: int) -> None:
        self._say(self.tr("%1 répond de nouveau.").replace("%1", self._name(camera)), Tone.OK, notify=True)

    # --- showing ------------------------------------------------------------------------------

    def _say(self, text: str, tone: Tone = Tone.ERROR, *, detail: str = "", notify: bool = False) -> None:
        if self.panel is not None:
            self.panel.show_message(text, tone, detail)
        if notify or self.panel is None or not self.panel.isVisible():
            self._notify(text)

    def _notify(self, text: str) -> None:
        now = time.monotonic()
        last, at = self._last_notice
        if text == last and now - at < NOTICE_REPEAT_S:
            return
        self._last_notice = (text, now)
        self.notice_posted.emit(text)

    def _update_tiles(self) -> None:
        for grid in self._grids:
            if not shiboken6.isValid(grid):
                continue
            for tile in grid.tiles():
                tile.ptz_changed()
                if self.gestures_active(tile):
                    tile.setCursor(Qt.CursorShape.CrossCursor)
                else:
                    tile.unsetCursor()

    def panel_state(self) -> PtzPanelState:
        camera = self.camera
        if camera is None:
            return PtzPanelState(self.tr("Aucune caméra dans la tuile sélectionnée"), "")
        directory = self.directory
        entry = directory.camera(camera) if directory is not None else None
        commune = directory.commune_of(entry) if directory is not None and entry else None
        title = self.tr("Caméra %1").replace("%1", str(camera))
        if entry is not None:
            title += f" · {entry.name}" + (f" — {commune.name}" if commune else "")
        if self.factory is None:
            return PtzPanelState(title, self.tr("Le pilotage PTZ n'est pas disponible sur cette console."))
        if directory is None:
            return PtzPanelState(title, self.tr("chargement du catalogue…"))
        if entry is None:
            return PtzPanelState(title, self.tr("Caméra inconnue du catalogue."), Tone.ERROR)
        if not self._viewable(camera):
            return PtzPanelState(title, self.tr("Cette caméra n'est pas visible en direct par ce compte."))
        if not entry.ptz:
            return PtzPanelState(title, self.tr("Caméra fixe : pas de commande PTZ."))
        if self.service is None:
            return PtzPanelState(title, self.service_problem, Tone.BUSY)
        capabilities = self.capabilities.get(camera)
        if capabilities is None:
            problem = self._capability_errors.get(camera)
            if problem:
                return PtzPanelState(title, problem, Tone.ERROR, take=self.may_move(), refusal=problem)
            return PtzPanelState(title, self.tr("lecture des capacités PTZ de la caméra…"))
        if not capabilities.ptz:
            return PtzPanelState(title, self.tr("Caméra fixe : pas de commande PTZ."))
        return self._control_state(title, camera, capabilities)

    def _control_state(self, title: str, camera: int, capabilities: PtzCapabilities) -> PtzPanelState:
        holder = self.holders.get(camera)
        ours = self.is_ours(holder)
        may = self.may_move()
        if holder is None:
            status, tone = self.tr("Libre : personne ne pilote cette caméra."), Tone.OK
        elif ours:
            status, tone = self.tr("Pilotée par vous."), Tone.OK
        else:
            status, tone = self.tr("Pilotée par %1").replace("%1", holder_text(holder)), Tone.BUSY
        refusal = ""
        if not may:
            refusal = self.tr("Votre compte n'a pas le droit de piloter les caméras PTZ.")
        elif holder is not None and not ours:
            refusal = self.tr("Pilotée par %1 : prenez la main pour la commander.").replace(
                "%1", holder_text(holder)
            )
        drive = may and (holder is None or ours)
        focus = self.focus.get(camera)
        focus_refusal = refusal
        if not focus_refusal:
            if not isinstance(self.service, FocusService):
                focus_refusal = self.tr("La mise au point n'est pas disponible sur cette console.")
            elif focus is None:
                focus_refusal = self.tr("lecture des capacités de mise au point de la caméra…")
            elif not focus.any:
                focus_refusal = self.tr("Cette caméra n'offre pas de mise au point pilotable.")
        return PtzPanelState(
            title,
            status,
            tone,
            move=drive and capabilities.continuous,
            zoom=drive and capabilities.continuous and capabilities.zoom,
            home=drive and capabilities.home,
            presets=capabilities.presets,
            goto=drive and capabilities.presets,
            edit_presets=drive and capabilities.presets,
            tours=drive and capabilities.presets,
            take=may and not ours,
            release=ours,
            refusal=refusal,
            focus=drive and focus is not None and focus.continuous,
            auto_focus=drive and focus is not None and focus.auto,
            auto_focus_on=focus is not None and bool(focus.auto_on),
            focus_refusal=focus_refusal,
        )

    def _update_panel(self) -> None:
        panel = self.panel
        if panel is None:
            return
        panel.apply(self.panel_state())
        camera = self.camera
        presets = self.presets.get(camera, []) if camera is not None else []
        shown = [(p.token, p.name) for p in panel.presets.presets]
        if shown != [(p.token, p.name) for p in presets]:
            panel.presets.set_presets(presets)
        panel.tour.set_state(
            self.tours.get(camera) if camera is not None else None, self._preset_names(camera or 0)
        )

    # --- focus --------------------------------------------------------------------------------

    def _on_panel_visibility_changed(self, visible: bool) -> None:
        if not visible:
            self.stop_moving()
            self.gestures.cancel()
        self._update_tiles()

    def _on_app_state_changed(self, state: Qt.ApplicationState) -> None:
        active = state == Qt.ApplicationState.ApplicationActive
        if not active:
            self.stop_moving()
            self.gestures.cancel()
        self.active_changed.emit(active)

    def _on_app_focus_window_changed(self, _window: QWindow | None) -> None:
        """Another window has the keyboard: whatever the pad, rocker or a key moved stops."""
        if self._moving:
            self.stop_moving()

    # --- futures ------------------------------------------------------------------------------

    def _when_done(
        self,
        future: Future[T],
        on_done: Callable[[T], None] | None = None,
        on_failed: Callable[[Exception], None] | None = None,
    ) -> None:
        """Hand a service future's outcome to the GUI thread. A PtzError is shown by the listener
        (the service reports every failure there too), unless ``on_failed`` wants it as well."""

        def finished(done: Future[T]) -> None:
            self.bridge.deliver(self, self._settle, done, on_done, on_failed)

        future.add_done_callback(finished)

    def _settle(
        self,
        done: Future[Any],
        on_done: Callable[[Any], None] | None,
        on_failed: Callable[[Exception], None] | None,
    ) -> None:
        if done.cancelled():
            return
        error = done.exception()
        if error is None:
            if on_done is not None:
                on_done(done.result())
            return
        if on_failed is not None and isinstance(error, Exception):
            on_failed(error)
        if not isinstance(error, PtzError):
            log.error("PTZ request failed: %s", error)
            self._say(error_text(error, self.camera_label), Tone.ERROR, notify=True)
