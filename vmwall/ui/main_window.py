"""The operator's main window: camera tree, live grid, status bar, menus; owner of the extra windows.

Nothing here waits on I/O: the catalogue, views, stream hub checks, layout folder reads, snapshot
writes and settings writes run on the bridge's workers; their results come back as callbacks in
the GUI thread.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

import numpy as np
import numpy.typing as npt
from PySide6.QtCore import QFileSystemWatcher, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QCloseEvent, QDesktopServices, QGuiApplication, QImage, QKeySequence
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QMenu, QMessageBox, QSplitter

from vmwall import __version__
from vmwall.accounts import Session
from vmwall.config import layouts as layout_files
from vmwall.config.layouts import LayoutSet
from vmwall.config.settings import (
    DEFAULT_SHORTCUTS,
    LAYOUT_SHORTCUT_PREFIX,
    Action,
    Settings,
    WindowKind,
    WindowState,
    layouts_dir,
    save_settings,
    snapshot_dir,
)
from vmwall.model import SavedView, StreamKind
from vmwall.ui.bridge import Bridge
from vmwall.ui.camera_tree import CameraTreePanel
from vmwall.ui.dialogs import SaveViewDialog, ShortcutsDialog, show_problems
from vmwall.ui.directory import Directory
from vmwall.ui.grid import GridWidget
from vmwall.ui.grid_window import GridHostWindow, GridWindow, decode_bytes, encode_bytes, screen_for
from vmwall.ui.journal_controller import JournalController
from vmwall.ui.ptz_controller import PtzController
from vmwall.ui.services import HubReport, PlayerHandle
from vmwall.ui.shortcuts import KeyMap
from vmwall.ui.tile import TileContext, TileWidget
from vmwall.ui.wall_panel import WallPanel
from vmwall.video.policy import GovernorDecision, OverloadGovernor, TileLoad
from vmwall.video.snapshot import SnapshotInfo, save_png
from vmwall.video.status import TileState, TileStatus

log = logging.getLogger(__name__)

CLOCK_MS = 1000
HUB_CHECK_MS = 5000
DIRECTORY_RETRY_MS = 10_000
SETTINGS_SAVE_DELAY_MS = 2000
SNAPSHOT_TIMEOUT_S = 10.0
LAYOUT_RELOAD_DELAY_MS = 500
_STATE_RANK = {"live": 4, "connecting": 3, "lost": 2, "refused": 1, "idle": 0}


@dataclass(frozen=True, slots=True)
class StartOptions:
    """What the command line asks for, over the restored state (used, never saved)."""

    layout: str | None = None
    cameras: tuple[int | None, ...] | None = None
    view: str | None = None
    user: str | None = None  # --user: this session's account, over the settings' one
    language: str | None = None  # --language


class ConsoleWindow(GridHostWindow):
    kind = WindowKind.MAIN
    closed = Signal()  # the console has shut down (settings saved, players closed)
    snapshot_written = Signal(int, object)  # (camera number, Path): for the audit trail
    # For the audit of layout changes: an extra grid window opened (GridWindow); a saved view
    # ("applied" before its layout is set, "saved", "deleted"), the SavedView, its GridWidget or None.
    grid_window_opened = Signal(object)
    saved_view_changed = Signal(str, object, object)

    def __init__(
        self,
        context: TileContext,
        settings: Settings,
        settings_path: Path,
        layout_set: LayoutSet,
        keymap: KeyMap,
        options: StartOptions = StartOptions(),
    ) -> None:
        self.layout_set = layout_set
        saved = settings.main_window
        first = (
            (layout_set.get(options.layout) if options.layout else None)
            or (layout_set.get(saved.layout) if saved else None)
            or layout_set.get("2x2")
            or layout_set.entries[0].layout
        )
        super().__init__(context, keymap, first)
        self.bridge: Bridge = context.bridge
        self.settings = settings
        self.settings_path = settings_path
        self.options = options
        self.views: list[SavedView] = []
        self.views_loaded = False
        self.grid_windows: list[GridWindow] = []
        self._closing = False
        self._hub_check_running = False
        self._directory_loading = False
        self._layouts_loading = False
        self._view_menus: list[tuple[QMenu, GridWidget]] = []
        self._last_layout_errors: tuple[str, ...] = ()
        self.last_problem_box: QMessageBox | None = None
        self.last_snapshot: Path | None = None
        # The signed-in operator and the narrowing of each catalogue to it (vmwall.ui.lock_session).
        self.session: Session | None = None
        self.restrict_directory: Callable[[Directory], Directory | None] | None = None
        self.setWindowTitle(self.tr("vmwall — console"))
        self.setObjectName("consoleWindow")

        self.tree = CameraTreePanel(self)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(self.tree)
        self.splitter.addWidget(self.grid)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([260, 1200])
        self.setCentralWidget(self.splitter)
        self._build_status_bar()
        self._build_menus()

        self.tree.camera_activated.connect(self._on_tree_camera_activated)
        self.grid.snapshot_requested.connect(self.take_snapshot)
        self.grid.notice_posted.connect(self.notify)
        self.grid.tile_status_changed.connect(self.on_any_tile_status_changed)
        self.grid.keypad_entry_changed.connect(self.show_keypad_entry)
        self.bridge.task_failed.connect(self._on_bridge_task_failed)

        self.governor = OverloadGovernor()
        self._cpu_sample = (time.monotonic(), _process_cpu_s())
        self._lost_pictures: dict[str, int] = {}
        self._clock = QTimer(self)
        self._clock.setInterval(CLOCK_MS)
        self._clock.timeout.connect(self._on_clock_timeout)
        self._hub_timer = QTimer(self)
        self._hub_timer.setInterval(HUB_CHECK_MS)
        self._hub_timer.timeout.connect(self.check_hub)
        self._directory_retry = QTimer(self)
        self._directory_retry.setSingleShot(True)
        self._directory_retry.setInterval(DIRECTORY_RETRY_MS)
        self._directory_retry.timeout.connect(self.load_directory)
        self._save_timer = QTimer(self)
        self._save_timer.setSingleShot(True)
        self._save_timer.setInterval(SETTINGS_SAVE_DELAY_MS)
        self._save_timer.timeout.connect(self._on_save_timer_timeout)
        self._layout_reload = QTimer(self)
        self._layout_reload.setSingleShot(True)
        self._layout_reload.setInterval(LAYOUT_RELOAD_DELAY_MS)
        self._layout_reload.timeout.connect(self.reload_layouts)
        self.watcher = QFileSystemWatcher(self)
        self.watcher.directoryChanged.connect(self._on_watcher_changed)
        self.watcher.fileChanged.connect(self._on_watcher_changed)

        if saved is not None and not options.layout and not options.cameras:
            self.restore_grid(saved)
        if options.cameras is not None:
            self.grid.set_cameras(list(options.cameras))

    def console(self) -> ConsoleWindow:
        return self

    # --- building -----------------------------------------------------------------------------

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.keypad_label = QLabel("", self)
        self.keypad_label.setObjectName("keypadEntry")
        self.keypad_label.setToolTip(self.tr("Pavé : numéro de caméra puis Entrée, numéro de tuile puis *"))
        self.tiles_label = QLabel("", self)
        self.hub_label = QLabel(self)
        self.database_label = QLabel(self)
        self.clock_label = QLabel(self)
        self.clock_label.setObjectName("statusClock")
        bar.addWidget(self.keypad_label)
        bar.addPermanentWidget(self.tiles_label)
        bar.addPermanentWidget(self.hub_label)
        bar.addPermanentWidget(self.database_label)
        bar.addPermanentWidget(self.clock_label)
        self._set_health(self.hub_label, None, self.tr("Hub vidéo"), self.tr("vérification…"))
        self._set_health(self.database_label, None, self.tr("Base"), self.tr("connexion…"))
        self._update_clock()

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu(self.tr("&Fichier"))
        file_menu.addAction(
            self.make_action(
                self.tr("Instantané de la tuile sélectionnée"), Action.SNAPSHOT, self.take_snapshot_selected
            )
        )
        file_menu.addAction(
            self.make_action(
                self.tr("Ouvrir le dossier des instantanés"), None, self._on_open_snapshots_triggered
            )
        )
        file_menu.addAction(
            self.make_action(self.tr("Recharger le catalogue des caméras"), None, self.load_directory)
        )
        file_menu.addSeparator()
        quit_action = self.make_action(self.tr("Quitter"), None, self.close)
        quit_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Quit))
        file_menu.addAction(quit_action)

        bar.addMenu(self.layout_menu)
        self.rebuild_layout_menu()

        self.views_menu = bar.addMenu(self.tr("&Vues"))
        self.fill_views_menu(self.views_menu, self.grid)

        # The wall panel: a dock, hidden until asked for; without a controller it says so.
        self.wall_panel = WallPanel(self, self)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.wall_panel)
        self.wall_panel.hide()
        self.wall_menu = bar.addMenu(self.tr("&Mur d'images"))
        self.wall_panel.fill_menu(self.wall_menu)
        self.addAction(self.wall_panel.toggle_action)  # its shortcut, menu bar hidden or not

        # PTZ of the selected tile's camera: a dock, hidden until asked for (tile menu, Ctrl+P).
        self.ptz = self.context.ptz if isinstance(self.context.ptz, PtzController) else None
        if self.ptz is not None:
            self.ptz.install(self)
            self.ptz.notice_posted.connect(self.notify)

        # The main courante: a dock, hidden until asked for (Ctrl+J), quick entry and bookmarks on tiles.
        self.journal = self.context.journal if isinstance(self.context.journal, JournalController) else None
        if self.journal is not None:
            self.journal.install(self)

        window_menu = bar.addMenu(self.tr("F&enêtres"))
        window_menu.addAction(
            self.make_action(
                self.tr("Nouvelle fenêtre de grille"), Action.NEW_GRID_WINDOW, lambda: self.open_grid_window()
            )
        )
        window_menu.addAction(
            self.make_action(self.tr("Plein écran"), Action.FULL_SCREEN, self.toggle_full_screen)
        )
        window_menu.addSeparator()
        window_menu.addAction(
            self.make_action(
                self.tr("Rechercher une caméra"), Action.FOCUS_SEARCH, self._on_focus_search_triggered
            )
        )
        window_menu.addAction(
            self.make_action(self.tr("Revenir à la grille (pavé)"), Action.FOCUS_GRID, self.grid.setFocus)
        )
        language = window_menu.addMenu(self.tr("Langue"))
        for code, label in (("fr", "Français"), ("en", "English")):
            action = language.addAction(label)
            action.setCheckable(True)
            action.setChecked((self.options.language or self.settings.language) == code)
            action.triggered.connect(lambda _checked=False, c=code: self._on_language_chosen(c))

        help_menu = bar.addMenu(self.tr("&Aide"))
        help_menu.addAction(self.make_action(self.tr("Raccourcis clavier"), None, self.show_shortcuts))
        help_menu.addAction(self.make_action(self.tr("À propos de vmwall"), None, self._on_about_triggered))

    # --- starting -----------------------------------------------------------------------------

    def start(self) -> None:
        """Kick off the background work and restore the extra windows. Call once, after show()."""
        self.bridge.start()
        self.bridge.hub_health_changed.connect(self._on_bridge_hub_health_changed)
        self.bridge.database_health_changed.connect(self._on_bridge_database_health_changed)
        self.bridge.hub_streams_changed.connect(self.tree.set_hub_states)
        self._clock.start()
        self._hub_timer.start()
        self.load_directory()
        self.check_hub()
        self.reload_layouts()
        for state in self.settings.grid_windows:
            self.open_grid_window(state)
        self.grid.setFocus()
        if self.layout_set.errors:
            self.show_layout_errors()

    def restore_main_geometry(self) -> None:
        """Show on the saved screen with the saved geometry and splitter position."""
        saved = self.settings.main_window
        if saved is not None:
            splitter = decode_bytes(saved.splitter)
            if splitter is not None:
                self.splitter.restoreState(splitter)
        self.show_on(saved, default_fraction=0.9)

    # --- catalogue ----------------------------------------------------------------------------

    def load_directory(self) -> None:
        if self._directory_loading or self._closing:
            return
        self._directory_loading = True
        self.bridge.submit(
            "load the camera catalogue",
            self.context.services.load_directory,
            self._on_directory_loaded,
            self._on_directory_failed,
            receiver=self,
        )

    def _on_directory_loaded(self, directory: Directory) -> None:
        self._directory_loading = False
        if self.restrict_directory is not None:
            restricted = self.restrict_directory(directory)
            if restricted is None:  # loaded for the operator before a shift handover: load it again
                self.load_directory()
                return
            directory = restricted
        self.context.directory = directory
        self.tree.set_directory(directory)
        self._set_health(
            self.database_label,
            True,
            self.tr("Base"),
            self.tr("%1 caméras").replace("%1", str(len(directory.cameras))),
        )
        self.refresh_all_tiles()
        if self.ptz is not None:
            self.ptz.directory_loaded(directory)
        if self.journal is not None:
            self.journal.directory_loaded(directory)
        self.load_views()

    def _on_directory_failed(self, error: Exception) -> None:
        self._directory_loading = False
        log.warning("camera catalogue unavailable: %s", error)
        self._set_health(self.database_label, False, self.tr("Base"), str(error))
        if self.context.directory is None:
            self.tree.set_placeholder(self.tr("catalogue indisponible — nouvel essai dans 10 s"))
        self._directory_retry.start()

    def _on_bridge_database_health_changed(self, ok: bool, detail: str) -> None:
        self._set_health(self.database_label, ok, self.tr("Base"), detail)

    def _on_tree_camera_activated(self, number: int) -> None:
        grid = self.active_grid()
        grid.call_camera(number)
        grid.setFocus()

    def active_grid(self) -> GridWidget:
        """The grid of the window the operator used last (the main one unless another is active)."""
        active = QApplication.activeWindow()
        for window in self.grid_windows:
            if window is active:
                return window.grid
        return self.grid

    def refresh_all_tiles(self) -> None:
        for grid in self.all_grids():
            grid.refresh_tiles()
        self._update_tile_states()

    def all_grids(self) -> list[GridWidget]:
        return [self.grid, *(w.grid for w in self.grid_windows)]

    # --- stream hub ---------------------------------------------------------------------------

    def check_hub(self) -> None:
        if self._hub_check_running or self._closing:
            return
        self._hub_check_running = True
        warm = sorted(
            {
                t.camera
                for g in self.all_grids()
                for t in g.tiles()
                if t.camera is not None and t.source is not None and t.source.kind is StreamKind.MAIN
            }
        )
        services = self.context.services
        self.bridge.submit(
            "check the stream hub",
            lambda: services.check_hub(warm),
            self._on_hub_checked,
            self._on_hub_check_failed,
            receiver=self,
        )

    def _on_hub_checked(self, report: HubReport) -> None:
        self._hub_check_running = False
        for grid in self.all_grids():
            for tile in grid.tiles():
                tile.set_hub_problem(report.stream_problems.get(tile.camera) if tile.camera else None)
        self.bridge.post_hub_health(report.reachable, report.detail)
        self.bridge.post_hub_streams(report.stream_states)
        self._video_ready()

    def _on_hub_check_failed(self, error: Exception) -> None:
        self._hub_check_running = False
        self.bridge.post_hub_health(False, str(error))
        self._video_ready()

    def _video_ready(self) -> None:
        if not self.context.video_ready:
            self.context.video_ready = True
            self.refresh_all_tiles()

    def _on_bridge_hub_health_changed(self, ok: bool, detail: str) -> None:
        self._set_health(self.hub_label, ok, self.tr("Hub vidéo"), detail)

    def _set_health(self, label: QLabel, ok: bool | None, name: str, detail: str) -> None:
        state = "connecting" if ok is None else ("live" if ok else "lost")
        word = self.tr("…") if ok is None else (self.tr("ok") if ok else self.tr("hors service"))
        label.setText(self.tr("%1 : %2").replace("%1", name).replace("%2", word))
        label.setToolTip(detail)
        label.setProperty("health", state)
        label.setStyleSheet(
            {"live": "color: #3fb950;", "lost": "color: #f0503c;"}.get(state, "color: #d9a22b;")
        )

    # --- tiles --------------------------------------------------------------------------------

    def on_any_tile_status_changed(self, _camera: int | None, _status: TileStatus) -> None:
        self._update_tile_states()

    def _update_tile_states(self) -> None:
        states: dict[int, str] = {}
        counts = {"live": 0, "connecting": 0, "lost": 0, "refused": 0}
        for grid in self.all_grids():
            for tile in grid.tiles():
                if tile.camera is None:
                    continue
                key = tile.state_key()
                if key in counts:
                    counts[key] += 1
                if _STATE_RANK[key] > _STATE_RANK.get(states.get(tile.camera, "idle"), 0):
                    states[tile.camera] = key
        self.tree.set_tile_states(states)
        parts = [self.tr("%1 en direct").replace("%1", str(counts["live"]))]
        if counts["connecting"]:
            parts.append(self.tr("%1 en connexion").replace("%1", str(counts["connecting"])))
        if counts["lost"]:
            parts.append(self.tr("%1 perdu(s)").replace("%1", str(counts["lost"])))
        if counts["refused"]:
            parts.append(self.tr("%1 non autorisé(s)").replace("%1", str(counts["refused"])))
        self.tiles_label.setText(" · ".join(parts))

    def show_keypad_entry(self, text: str) -> None:
        self.keypad_label.setText(f"▶ {text}" if text else "")

    def notify(self, text: str) -> None:
        self.statusBar().showMessage(text, 8000)

    def _on_bridge_task_failed(self, what: str, why: str) -> None:
        self.notify(self.tr("Échec : %1 (%2)").replace("%1", what).replace("%2", why))

    def _on_clock_timeout(self) -> None:
        self._update_clock()
        clock = datetime.now().strftime("%H:%M:%S")
        for grid in self.all_grids():
            grid.tick(clock)
        self._update_tile_states()
        self.govern_load()

    def govern_load(self, cpu_percent: float | None = None) -> GovernorDecision:
        """Once a second: when decoding outruns the machine, step main-stream tiles down to sub.

        libVLC freezes tiles under overload rather than slowing them; the governor
        (``vmwall.video.policy``) watches the process CPU and each live tile's displayed and lost
        pictures, and steps the least important tile down first (the maximised and the selected
        tile last), then back up once the load has stayed low.
        """
        now = time.monotonic()
        cpu_now = _process_cpu_s()
        if cpu_percent is None:
            last_at, last_cpu = self._cpu_sample
            cpu_percent = 100.0 * (cpu_now - last_cpu) / max(1e-3, now - last_at)
        self._cpu_sample = (now, cpu_now)
        loads: list[TileLoad] = []
        tiles: dict[str, TileWidget] = {}
        for grid in self.all_grids():
            for index, tile in enumerate(grid.tiles()):
                if tile.source is None or tile.stream_override is not None or not tile.isVisible():
                    continue
                key = f"{grid.grid_id}:{id(tile)}"
                tiles[key] = tile
                lost = tile.status.lost_pictures
                previous = self._lost_pictures.get(key, lost)
                self._lost_pictures[key] = lost
                priority = 2 if tile.maximised else (1 if index == grid.selected_index() else 0)
                loads.append(
                    TileLoad(
                        key,
                        tile.policy_kind(),
                        tile.status.fps_displayed,
                        max(0, lost - previous),
                        priority=priority,
                        live=tile.status.state is TileState.LIVE,
                    )
                )
        self._lost_pictures = {k: v for k, v in self._lost_pictures.items() if k in tiles}
        decision = self.governor.update(now, cpu_percent, loads)
        for key, tile in tiles.items():
            tile.set_forced_sub(key in decision.forced_sub)
        if decision.forced_sub:
            self.tiles_label.setToolTip(
                self.tr("Surcharge : %1 tuile(s) ramenée(s) au flux secondaire (%2)")
                .replace("%1", str(len(decision.forced_sub)))
                .replace("%2", decision.reason)
            )
        else:
            self.tiles_label.setToolTip("")
        return decision

    def _update_clock(self) -> None:
        now = datetime.now()
        self.clock_label.setText(now.strftime("%d/%m/%Y %H:%M:%S"))

    # --- snapshots ----------------------------------------------------------------------------

    def take_snapshot_selected(self) -> None:
        grid = self.active_grid()
        self.take_snapshot(grid.tile(grid.selected_index()))

    def take_snapshot(self, tile: TileWidget) -> None:
        """A PNG of the tile's picture at the stream's resolution, with camera, commune and time in it.

        libVLC takes it on the player's thread; if it cannot, what the tile shows on screen is
        saved instead (screen resolution). Written on a worker into the snapshot folder.
        """
        camera, commune = tile.camera_info()
        source = tile.source
        player = tile.player
        if camera is None or source is None or player is None or tile.status.state is not TileState.LIVE:
            self.notify(self.tr("Pas d'image en direct dans cette tuile."))
            return
        moment = datetime.now().astimezone()
        path = snapshot_dir(self.settings) / (
            f"camera-{camera.number:04d}-{moment.strftime('%Y%m%d-%H%M%S-%f')[:-3]}.png"
        )
        info = SnapshotInfo(
            camera.number,
            commune.name if commune else "",
            moment,
            camera_name=camera.name,
            stream=source.kind.value,
            operator=self.session.login if self.session else (self.options.user or self.settings.user or ""),
        )
        visible = _qimage_to_rgb(tile.grab_visible())
        future = player.snapshot(path, info)

        def job() -> Path:
            try:
                return future.result(timeout=SNAPSHOT_TIMEOUT_S)
            except Exception as error:
                if visible is None:
                    raise
                log.warning("libVLC snapshot failed (%s): saving the tile as shown on screen", error)
                return save_png(visible, path, info)

        number = camera.number

        def written(path: Path) -> None:
            self._on_snapshot_written(path)
            self.snapshot_written.emit(number, path)

        self.bridge.submit("snapshot", job, written, self._on_snapshot_failed, receiver=self)

    def _on_snapshot_written(self, path: Path) -> None:
        self.last_snapshot = path
        log.info("snapshot written: %s", path)
        self.notify(self.tr("Instantané enregistré : %1").replace("%1", str(path)))

    def _on_snapshot_failed(self, error: Exception) -> None:
        self.notify(self.tr("Instantané impossible : %1").replace("%1", str(error)))

    def _on_open_snapshots_triggered(self) -> None:
        folder = snapshot_dir(self.settings)

        def opened(_none: None) -> None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))

        self.bridge.submit(
            "create the snapshot folder",
            lambda: folder.mkdir(parents=True, exist_ok=True),
            opened,
            receiver=self,
        )

    # --- layouts ------------------------------------------------------------------------------

    def reload_layouts(self) -> None:
        if self._layouts_loading or self._closing:
            return
        self._layouts_loading = True
        folder = layouts_dir(self.settings)
        builtins = [e.layout for e in self.layout_set.entries if e.builtin]

        def job() -> tuple[LayoutSet, Path]:
            folder.mkdir(parents=True, exist_ok=True)
            return layout_files.load_layouts(folder, builtins), folder

        self.bridge.submit(
            "read the custom layouts", job, self._on_layouts_loaded, self._on_layouts_failed, receiver=self
        )

    def _on_layouts_loaded(self, result: tuple[LayoutSet, Path]) -> None:
        self._layouts_loading = False
        layout_set, folder = result
        self.layout_set = layout_set
        watched = set(self.watcher.directories()) | set(self.watcher.files())
        wanted = {str(folder)} | {str(e.origin) for e in layout_set.entries if e.origin is not None}
        wanted |= {e.source for e in layout_set.errors}
        if watched - wanted:
            self.watcher.removePaths(sorted(watched - wanted))
        if wanted - watched:
            self.watcher.addPaths(sorted(wanted - watched))
        for window in self._host_windows():
            window.rebuild_layout_menu()
        errors = tuple(str(e) for e in layout_set.errors)
        if errors and errors != self._last_layout_errors:
            self.show_layout_errors()
        self._last_layout_errors = errors

    def _on_layouts_failed(self, error: Exception) -> None:
        self._layouts_loading = False
        self.notify(self.tr("Dispositions personnalisées illisibles : %1").replace("%1", str(error)))

    def _on_watcher_changed(self, _path: str) -> None:
        self._layout_reload.start()

    def show_layout_errors(self) -> None:
        problems = [str(e) for e in self.layout_set.errors]
        if not problems:
            return
        self.notify(self.tr("%n fichier(s) de disposition ignoré(s)", "", len(problems)))
        self.last_problem_box = show_problems(
            self,
            self.tr("Dispositions ignorées"),
            self.tr("Ces fichiers de disposition ne sont pas utilisables ; les autres sont chargés."),
            problems,
        )

    def _host_windows(self) -> list[GridHostWindow]:
        return [self, *self.grid_windows]

    # --- views --------------------------------------------------------------------------------

    def load_views(self) -> None:
        self.bridge.submit(
            "read the saved views",
            self.context.services.list_views,
            self._on_views_loaded,
            self._on_views_failed,
            receiver=self,
        )

    def _on_views_loaded(self, views: list[SavedView]) -> None:
        self.views = views
        self.views_loaded = True
        for menu, grid in list(self._view_menus):
            self._populate_views_menu(menu, grid)
        if self.options.view is not None:
            name, self.options = self.options.view, replace(self.options, view=None)
            view = next((v for v in views if v.name == name), None)
            if view is None:
                self.last_problem_box = show_problems(
                    self,
                    self.tr("Vue introuvable"),
                    self.tr("La vue « %1 » n'existe pas (ni pour vous, ni partagée).").replace("%1", name),
                    [v.name for v in views] or [self.tr("aucune vue enregistrée")],
                )
            else:
                self.apply_view(view, self.grid)

    def _on_views_failed(self, error: Exception) -> None:
        self.notify(self.tr("Vues enregistrées indisponibles : %1").replace("%1", str(error)))

    def fill_views_menu(self, menu: QMenu, grid: GridWidget) -> None:
        self._view_menus.append((menu, grid))
        menu.destroyed.connect(lambda _obj=None, m=menu: self._forget_views_menu(m))
        self._populate_views_menu(menu, grid)

    def _forget_views_menu(self, menu: QMenu) -> None:
        self._view_menus = [(m, g) for m, g in self._view_menus if m is not menu]

    def _populate_views_menu(self, menu: QMenu, grid: GridWidget) -> None:
        menu.clear()
        menu.setToolTipsVisible(True)
        if grid is self.grid:
            menu.addAction(
                self.make_action(
                    self.tr("Enregistrer la vue…"), Action.SAVE_VIEW, lambda: self.save_view(self.grid)
                )
            )
        else:
            save = menu.addAction(self.tr("Enregistrer la vue…"))
            save.triggered.connect(lambda: self.save_view(grid))
        menu.addSeparator()
        if not self.views_loaded:
            waiting = menu.addAction(self.tr("(chargement des vues…)"))
            waiting.setEnabled(False)
            return
        if not self.views:
            empty = menu.addAction(self.tr("(aucune vue enregistrée)"))
            empty.setEnabled(False)
        delete_menu = QMenu(self.tr("Supprimer une vue"), menu)
        for view in self.views:
            label = view.name + ("" if view.owner_id is not None else self.tr(" (partagée)"))
            action = menu.addAction(label)
            action.setToolTip(
                f"{view.layout_name}: {', '.join('-' if c is None else str(c) for c in view.cameras)}"
            )
            action.triggered.connect(lambda _checked=False, v=view: self.apply_view(v, grid))
            remove = delete_menu.addAction(label)
            remove.triggered.connect(lambda _checked=False, v=view: self.delete_view(v))
        if self.views:
            menu.addSeparator()
            menu.addMenu(delete_menu)

    def apply_view(self, view: SavedView, grid: GridWidget) -> None:
        layout = self.layout_set.get(view.layout_name)
        if layout is None:
            self.notify(
                self.tr("La vue « %1 » utilise la disposition « %2 », introuvable.")
                .replace("%1", view.name)
                .replace("%2", view.layout_name)
            )
            return
        self.saved_view_changed.emit("applied", view, grid)
        grid.set_grid_layout(layout)
        grid.set_cameras(list(view.cameras))
        self.notify(self.tr("Vue « %1 »").replace("%1", view.name))

    def save_view(self, grid: GridWidget) -> None:
        user_id = self.context.services.user_id()
        taken = {(v.name, v.owner_id is None) for v in self.views}
        dialog = SaveViewDialog(self, grid.grid_layout().name, user_id is not None, taken)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        view = SavedView(
            dialog.view_name(),
            grid.grid_layout().name,
            tuple(grid.cameras()),
            owner_id=None if dialog.is_shared() else user_id,
        )
        self.store_view(view)

    def store_view(self, view: SavedView) -> None:
        self.bridge.submit(
            "save the view", lambda: self.context.services.save_view(view), self._on_view_saved, receiver=self
        )

    def _on_view_saved(self, view: SavedView) -> None:
        self.notify(self.tr("Vue « %1 » enregistrée.").replace("%1", view.name))
        self.saved_view_changed.emit("saved", view, None)
        self.load_views()

    def _on_view_deleted(self, view: SavedView) -> None:
        self.saved_view_changed.emit("deleted", view, None)
        self.load_views()

    def delete_view(self, view: SavedView) -> None:
        answer = QMessageBox.question(
            self, self.tr("Supprimer la vue ?"), self.tr("Supprimer la vue « %1 » ?").replace("%1", view.name)
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.bridge.submit(
                "delete the view",
                lambda: self.context.services.delete_view(view),
                lambda _none: self._on_view_deleted(view),
                receiver=self,
            )

    # --- extra grid windows -------------------------------------------------------------------

    def open_grid_window(self, state: WindowState | None = None) -> GridWindow:
        """An extra grid window: restored from ``state``, else on a screen the console is not on."""
        layout = (self.layout_set.get(state.layout) if state else None) or self.grid.grid_layout()
        if state is None:
            state = WindowState(WindowKind.GRID, layout.name)
            others = [s for s in QGuiApplication.screens() if s is not self.screen()]
            if others:
                state = replace(
                    state,
                    screen_name=others[0].name(),
                    screen_index=QGuiApplication.screens().index(others[0]),
                )
        window = GridWindow(self, layout, len(self.grid_windows) + 2, screen_for(state))
        self.grid_windows.append(window)
        window.show_on(state)
        window.restore_grid(state)
        if self.ptz is not None:
            self.ptz.follow(window.grid)
        if self.journal is not None:
            self.journal.follow(window)
        self.grid_window_opened.emit(window)
        self.schedule_settings_save()
        return window

    def grid_window_closed(self, window: GridWindow) -> None:
        if window not in self.grid_windows or self._closing:
            return
        self.grid_windows.remove(window)
        players = window.grid.detach_players()
        window.hide()

        def close_all() -> None:
            close_players(players)

        future = self.bridge.submit(
            "close a grid window's players",
            close_all,
            lambda _none: window.deleteLater(),
            lambda _error: window.deleteLater(),
        )
        if future is None:
            close_all()
            window.deleteLater()
        self._update_tile_states()
        self.schedule_settings_save()

    # --- settings -----------------------------------------------------------------------------

    def current_settings(self) -> Settings:
        main = replace(self.window_state(), splitter=encode_bytes(self.splitter.saveState()))
        return self.settings.with_windows(main, tuple(w.window_state() for w in self.grid_windows))

    def grid_contents_changed(self) -> None:
        self.schedule_settings_save()

    def schedule_settings_save(self) -> None:
        if not self._closing:
            self._save_timer.start()

    def _on_save_timer_timeout(self) -> None:
        settings = self.current_settings()
        self.settings = settings
        path = self.settings_path
        self.bridge.submit("save the settings", lambda: save_settings(settings, path), receiver=self)

    def save_settings_now(self) -> None:
        self.settings = self.current_settings()
        try:
            save_settings(self.settings, self.settings_path)
        except OSError as error:
            log.error("cannot save the settings to %s: %s", self.settings_path, error)

    def _on_language_chosen(self, code: str) -> None:
        self.settings = replace(self.settings, language=code)
        self.schedule_settings_save()
        self.notify(self.tr("La langue changera au prochain démarrage de la console."))

    def show_shortcuts(self) -> None:
        actions = [a for a in DEFAULT_SHORTCUTS if not a.startswith(LAYOUT_SHORTCUT_PREFIX)]
        actions += [LAYOUT_SHORTCUT_PREFIX + n for n in self.layout_set.names()]
        ShortcutsDialog(self, self.keymap, actions, str(self.settings_path)).exec()

    def _on_about_triggered(self) -> None:
        QMessageBox.about(
            self,
            self.tr("À propos de vmwall"),
            self.tr(
                "vmwall %1 — console d'exploitation pour centres de supervision urbaine.\n"
                "Logiciel libre (GPL-3.0-or-later)."
            ).replace("%1", __version__),
        )

    def _on_focus_search_triggered(self) -> None:
        self.tree.search.setFocus()
        self.tree.search.selectAll()

    # --- closing ------------------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt)
        if not self._closing:
            self._save_timer.stop()
            self.save_settings_now()
            self._closing = True
            self.wall_panel.detach()
            for timer in (self._clock, self._hub_timer, self._directory_retry, self._layout_reload):
                timer.stop()
            if self.ptz is not None:
                self.ptz.shutdown()  # stops what this console moves; app.py closes the service
            players = [p for grid in self.all_grids() for p in grid.detach_players()]
            for window in self.grid_windows:
                window.hide()
            self.bridge.close()
            close_players(players)
            self.closed.emit()
        super().closeEvent(event)


def _process_cpu_s() -> float:
    """CPU seconds used by this process (every thread: libVLC decodes in-process)."""
    times = os.times()
    return times.user + times.system


def close_players(players: list[PlayerHandle]) -> None:
    """Close players in parallel (each waits for its own thread), then return."""
    if not players:
        return
    if len(players) == 1:
        players[0].close()
        return
    threads = [threading.Thread(target=p.close, name="close-player", daemon=True) for p in players]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)


def _qimage_to_rgb(image: QImage | None) -> npt.NDArray[np.uint8] | None:
    if image is None or image.isNull():
        return None
    rgb = image.convertToFormat(QImage.Format.Format_RGB888)
    width, height, stride = rgb.width(), rgb.height(), rgb.bytesPerLine()
    buffer = np.frombuffer(rgb.constBits(), np.uint8, count=stride * height).reshape(height, stride)
    return buffer[:, : width * 3].reshape(height, width, 3).copy()
