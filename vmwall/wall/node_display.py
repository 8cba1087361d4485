"""The wall node's screens in Qt: one borderless window per screen, each a grid of the console's tiles.

``WallNodeDisplay`` is the ``NodeDisplay`` the node agent (``vmwall.wall.node``) drives from its own
thread. It reuses the console's video code as it is: ``GridWidget`` lays the tiles out,
``TileWidget`` runs a ``TilePlayer`` per tile (libVLC into native windows, its own thread, seamless
switches, reconnection with backoff) and draws the same overlays and states (connecting, live,
lost with its countdown, not authorised). The tiles run without a catalogue (cameras are numbers;
the stream hub serves them or refuses them) and without interaction (nobody sits at a wall).

``run_wall_node`` is the node process's composition root (`vmwall wall-node`): Qt application,
screens, display, node agent, event loop, clean shutdown on SIGTERM.

Threads: the agent's calls either marshal to the GUI thread through the bridge (``show``,
``set_hub``) or only read values the GUI thread replaced whole (``tile_statuses``, ``thumbnail``:
immutable snapshots). Thumbnails are grabbed in the GUI thread on a timer, one screen per tick,
and cached as JPEG bytes. Hub checks and player creation run on the bridge's workers.
"""

from __future__ import annotations

import io
import itertools
import logging
import os
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QBuffer, QIODevice, QObject, QRect, Qt, QTimer
from PySide6.QtGui import QGuiApplication, QPainter, QPaintEvent, QResizeEvent, QScreen
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from vmwall.config.layouts import LayoutSet, load_builtin_layouts, load_layouts
from vmwall.config.settings import Settings, default_layouts_dir
from vmwall.errors import UserFacingError
from vmwall.model import Layout, SavedView, StreamKind
from vmwall.model.wall import ScreenContent, ScreenGeometry, ScreenRef, TileStatus
from vmwall.ui import i18n, theme
from vmwall.ui.bridge import Bridge
from vmwall.ui.directory import Directory, Refusal
from vmwall.ui.grid import GridWidget
from vmwall.ui.services import HubReport, PlayerFactory, PlayerHandle
from vmwall.ui.shortcuts import KeyMap
from vmwall.ui.theme import apply_theme
from vmwall.ui.tile import TileContext, TileWidget
from vmwall.video.engine import VideoEngine, get_engine
from vmwall.video.status import TileState as VideoState
from vmwall.video.status import TileStatus as VideoStatus
from vmwall.video.tile_player import TilePlayer
from vmwall.wall.config import WallConfig
from vmwall.wall.node_hub import HubLink, HubVerdict
from vmwall.wall.node_screens import (
    Rect,
    grid_positions,
    parse_screen_subset,
    place_virtual_screens,
    process_age_s,
    resolve_layout,
    wall_tile_status,
)

log = logging.getLogger(__name__)

THUMBNAIL_WIDTH = 320
THUMBNAIL_MIN_WIDTH, THUMBNAIL_MAX_WIDTH = 64, 960
THUMBNAIL_PERIOD_MS = 2000  # every screen once per period (the agent sends one every few seconds)
THUMBNAIL_QUALITY = 70
CLOCK_MS = 1000
HUB_CHECK_MS = 2000
HUB_CHECK_SOON_MS = 250  # after a tile failed: the hub may be refusing its camera
RECHECK_REFUSED_EVERY = 5  # hub checks: ask again about refused cameras every 5th (10 s)
_REFUSALS = {403: Refusal.STORAGE_ONLY, 404: Refusal.UNKNOWN_CAMERA}


@dataclass(frozen=True, slots=True)
class ScreenPlan:
    """Where one of the node's screens goes: its wall geometry, its window, full screen on a QScreen."""

    geometry: ScreenGeometry
    rect: Rect
    screen: QScreen | None = None  # a physical screen: the window goes full screen on it


def _rect(qrect: QRect) -> Rect:
    return Rect(qrect.x(), qrect.y(), qrect.width(), qrect.height())


def virtual_screen_plans(name: str, count: int, width: int, height: int) -> list[ScreenPlan]:
    """``count`` screens of ``width`` x ``height`` side by side on the display (scaled down to fit)."""
    primary = QGuiApplication.primaryScreen()
    display = _rect(primary.availableGeometry()) if primary is not None else Rect(0, 0, width, height)
    scale, rects = place_virtual_screens(count, width, height, display)
    if scale < 1.0:
        log.info(
            "%d virtual screens of %dx%d do not fit on %dx%d: shown at %.0f %%",
            count,
            width,
            height,
            display.width,
            display.height,
            scale * 100,
        )
    return [
        ScreenPlan(ScreenGeometry(ScreenRef(name, i), i, 0, width, height, f"virtual {width}x{height}"), rect)
        for i, rect in enumerate(rects)
    ]


def physical_screen_plans(name: str, subset: tuple[int, ...] | None = None) -> list[ScreenPlan]:
    """One full-screen window per physical screen (or the ``subset``, by index); index kept as number."""
    screens = QGuiApplication.screens()
    indices = subset if subset is not None else tuple(range(len(screens)))
    chosen = [(i, screens[i]) for i in indices]
    rects = [_rect(screen.geometry()) for _, screen in chosen]
    positions = grid_positions(rects)
    plans = []
    for (index, screen), rect, (column, row) in zip(chosen, rects, positions, strict=True):
        ratio = screen.devicePixelRatio()  # Qt's geometry is in logical pixels on a scaled (HiDPI) desktop
        width, height = round(rect.width * ratio), round(rect.height * ratio)
        geometry = ScreenGeometry(ScreenRef(name, index), column, row, width, height, screen.name())
        plans.append(ScreenPlan(geometry, rect, screen))
    return plans


def wall_player_factory() -> PlayerFactory:
    """Players for the tiles; libVLC starts with the first one (on a worker, never the GUI thread)."""
    counter = itertools.count(1)

    def make(
        windows: tuple[int, int],
        show_surface: Callable[[int], None],
        on_change: Callable[[VideoStatus], None],
    ) -> PlayerHandle:
        return TilePlayer(
            list(windows),
            on_change=on_change,
            show_surface=show_surface,
            engine=get_engine(),
            name=f"wall-tile-{next(counter)}",
        )

    return make


class WallServices:
    """What the console's tiles ask of their back end, on a wall node: the hub, the players."""

    def __init__(self, hub: HubLink, player_factory: PlayerFactory | None) -> None:
        self.hub = hub
        self._player_factory = player_factory

    def stream_url(self, camera: int, kind: StreamKind) -> str:
        return self.hub.stream_url(camera, kind)

    def new_player(self) -> PlayerFactory | None:
        return self._player_factory

    def check_hub(self, warm_sub: list[int]) -> HubReport:
        verdict = self.hub.check(set(), set())
        return HubReport(verdict.reachable, verdict.detail, verdict.states, verdict.problems)

    # A wall node has no catalogue, no account and no saved views: the console's other services.
    def load_directory(self) -> Directory:
        return Directory()

    def user_id(self) -> int | None:
        return None

    def list_views(self) -> list[SavedView]:
        return []

    def save_view(self, view: SavedView) -> SavedView:
        raise NotImplementedError("a wall node saves no views")

    def delete_view(self, view: SavedView) -> None:
        raise NotImplementedError("a wall node saves no views")


class WallScreenWindow(QWidget):
    """One wall screen: a borderless window filled by a grid of tiles (or a waiting notice)."""

    def __init__(self, context: TileContext, geometry: ScreenGeometry, keymap: KeyMap) -> None:
        super().__init__(None, Qt.WindowType.Window | Qt.WindowType.FramelessWindowHint)
        self.ref = geometry.ref
        self.geometry_info = geometry
        self.content: ScreenContent | None = None
        self.note = ""  # a screen-level problem (an unknown layout), reported with the tiles
        self.setObjectName(f"wallScreen-{self.ref.key}")
        label = f"{self.ref.node}:{self.ref.index + 1}"  # as people name it (`vmwall wall show`): from 1
        self.setWindowTitle(self.tr("vmwall — mur d'images, écran %1").replace("%1", label))
        self.setCursor(Qt.CursorShape.BlankCursor)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.grid = GridWidget(context, keymap, Layout.grid(1, 1), self, grid_id=self.ref.key)
        self.grid.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.grid.hide()
        self.waiting = QLabel(self)
        self.waiting.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.waiting.setStyleSheet("color: #8b949e; font-size: 16pt;")
        self.waiting.setText(
            self.tr("vmwall — mur d'images\nécran %1\nen attente du contrôleur du mur…").replace("%1", label)
        )

    def show_content(self, content: ScreenContent, layout: Layout, note: str) -> None:
        """Show ``layout`` with ``content``'s cameras: tiles that keep their camera keep playing."""
        grid = self.grid
        cameras = list(content.cameras[: len(layout.tiles)])
        cameras += [None] * (len(layout.tiles) - len(cameras))
        if layout != grid.grid_layout():
            # Tiles the new layout keeps get their final camera first, those it drops nothing: no
            # tile starts a stream it is about to drop.
            current = len(grid.tiles())
            grid.set_cameras([cameras[i] if i < len(cameras) else None for i in range(current)])
            grid.set_grid_layout(layout)
        grid.set_cameras(cameras)
        for index, tile in enumerate(grid.tiles()):
            kind = content.streams[index] if index < len(content.streams) else None
            if tile.stream_override != kind:
                tile.set_stream_override(kind)
        self.content = content
        self.note = note
        if grid.isHidden():
            self.waiting.hide()
            grid.show()

    def tile_statuses(self, video: bool) -> tuple[TileStatus, ...]:
        if self.content is None:
            return ()
        return tuple(
            wall_tile_status(
                tile.camera,
                tile.status,
                refused=tile.refusal() is not None,
                problem=tile.hub_problem,
                video=video,
                note=self.note,
            )
            for tile in self.grid.tiles()
        )

    def grab_thumbnail(self, width: int) -> bytes | None:
        """A JPEG of what the screen shows now (video included), ``width`` pixels wide."""
        screen = self.screen()
        if screen is None or not self.isVisible():
            return None
        pixmap = screen.grabWindow(int(self.winId()))
        if pixmap.isNull():
            return None
        image = pixmap.toImage().scaledToWidth(
            min(width, pixmap.width()), Qt.TransformationMode.SmoothTransformation
        )
        buffer = QBuffer()
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        writer: Any = image  # the stubs want bytes for the format; PySide6 itself takes only str
        if not writer.save(buffer, "JPEG", THUMBNAIL_QUALITY):
            return None
        return bytes(buffer.data().data())

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt)
        self.grid.setGeometry(self.rect())
        self.waiting.setGeometry(self.rect())
        super().resizeEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt)
        painter = QPainter(self)
        painter.fillRect(event.rect(), theme.TILE_BACKGROUND)
        painter.end()


class WallNodeDisplay:
    """The node's screens (``vmwall.wall.node.NodeDisplay``). Built, started and closed in the GUI thread."""

    def __init__(
        self,
        app: QApplication,
        plans: list[ScreenPlan],
        layouts: LayoutSet,
        hub: HubLink,
        *,
        player_factory: PlayerFactory | None = None,
    ) -> None:
        if not plans:
            raise ValueError("a wall node needs at least one screen")
        self._app = app
        self._plans = list(plans)
        self._geometries = [plan.geometry for plan in plans]
        self._layouts = layouts
        self.hub = hub
        self.bridge = Bridge(app)
        self.services = WallServices(hub, player_factory or wall_player_factory())
        self.context = TileContext(self.bridge, self.services, catalogue=False, interactive=False)
        keymap = KeyMap(Settings(), "wall-node")
        self.windows = [WallScreenWindow(self.context, plan.geometry, keymap) for plan in plans]
        self._by_ref = {window.ref: window for window in self.windows}
        # Read by the agent's thread: replaced whole by the GUI thread, never changed in place.
        self._statuses: dict[ScreenRef, tuple[TileStatus, ...]] = {}
        self._thumbnails: dict[ScreenRef, tuple[int, bytes]] = {}
        self._thumbnail_width = THUMBNAIL_WIDTH
        self._video_error: str | None = None
        self.engine: VideoEngine | None = None  # once libVLC has started (the caller closes it last)
        self._unknown_refs: set[ScreenRef] = set()
        self._hub_check_running = False
        self._hub_checks = 0
        self._hub_reachable: bool | None = None
        self._thumbnail_next = 0
        self._started = False
        self._closed = False
        # Start-up figures, seconds after the process started: "content" (the first screen content
        # applied) and "pictures" (every tile of the first content live). Logged once each.
        self.startup: dict[str, float] = {}
        self._owner = QObject()  # parent of the timers
        self._clock = self._timer(CLOCK_MS, self._on_clock_timeout)
        self._hub_timer = self._timer(HUB_CHECK_MS, self.check_hub)
        self._hub_soon = self._timer(HUB_CHECK_SOON_MS, self.check_hub, single=True)
        self._thumbnail_timer = self._timer(
            max(200, THUMBNAIL_PERIOD_MS // len(self.windows)), self._on_thumbnail_timeout
        )
        for window in self.windows:
            window.grid.tile_status_changed.connect(
                lambda _camera, status, w=window: self._on_tile_status_changed(w, status)
            )

    def _timer(self, interval_ms: int, slot: Callable[[], None], single: bool = False) -> QTimer:
        timer = QTimer(self._owner)
        timer.setInterval(interval_ms)
        timer.setSingleShot(single)
        timer.timeout.connect(slot)
        return timer

    # --- NodeDisplay: called from the agent's thread -------------------------------------------

    def screens(self) -> list[ScreenGeometry]:
        return list(self._geometries)

    def show(self, ref: ScreenRef, content: ScreenContent) -> None:
        self.bridge.deliver(None, self._on_agent_show, ref, content)

    def set_hub(self, url: str, token: str | None) -> None:
        if self.hub.set_hub(url, token):
            self.bridge.deliver(None, self._on_hub_changed)

    def tile_statuses(self) -> dict[ScreenRef, tuple[TileStatus, ...]]:
        return dict(self._statuses)

    def thumbnail(self, ref: ScreenRef, max_width: int) -> bytes | None:
        width = max(THUMBNAIL_MIN_WIDTH, min(THUMBNAIL_MAX_WIDTH, int(max_width)))
        self._thumbnail_width = width  # the next grabs are made at this width
        cached = self._thumbnails.get(ref)
        if cached is None:
            return None
        cached_width, jpeg = cached
        return jpeg if cached_width <= width else _shrink_jpeg(jpeg, width)

    # --- lifecycle (GUI thread) -----------------------------------------------------------------

    def start(self) -> None:
        """Show the windows, start libVLC and the hub link on workers, and the timers."""
        if self._started or self._closed:
            return
        self._started = True
        self.bridge.start()
        self.bridge.submit("start libVLC", get_engine, self._on_engine_started, self._on_engine_failed)
        self.bridge.submit(
            "reach the stream hub", self.hub.prepare, self._on_hub_prepared, self._on_hub_failed
        )
        for window, plan in zip(self.windows, self._plans, strict=True):
            if plan.screen is not None:
                window.setGeometry(plan.screen.geometry())
                window.winId()  # the native window must exist to be placed on its screen
                handle = window.windowHandle()
                if handle is not None:
                    handle.setScreen(plan.screen)
                window.showFullScreen()
            else:
                window.setGeometry(QRect(plan.rect.x, plan.rect.y, plan.rect.width, plan.rect.height))
                window.show()
        self._clock.start()
        self._thumbnail_timer.start()
        self._publish_statuses()

    def close(self) -> None:
        """Stop every player (waiting for them) and close the windows. Idempotent; GUI thread."""
        if self._closed:
            return
        self._closed = True
        for timer in (self._clock, self._hub_timer, self._hub_soon, self._thumbnail_timer):
            timer.stop()
        players = [p for window in self.windows for p in window.grid.detach_players()]
        self.bridge.close()
        _close_players(players)
        for window in self.windows:
            window.hide()
            window.deleteLater()
        self._owner.deleteLater()

    # --- GUI thread -----------------------------------------------------------------------------

    def window(self, ref: ScreenRef) -> WallScreenWindow | None:
        return self._by_ref.get(ref)

    def _on_agent_show(self, ref: ScreenRef, content: ScreenContent) -> None:
        if self._closed:
            return
        window = self._by_ref.get(ref)
        if window is None:
            if ref not in self._unknown_refs:
                self._unknown_refs.add(ref)
                known = ", ".join(r.key for r in self._by_ref)
                log.warning("content for screen %s ignored: this node has %s", ref.key, known)
            return
        layout, note = resolve_layout(content.layout, len(content.cameras), self._layouts)
        if note and note != window.note:
            log.warning("screen %s: %s", ref.key, note)
        window.show_content(content, layout, note)
        self._note_startup("content", "wall content shown")
        self._publish_statuses()

    def _on_tile_status_changed(self, window: WallScreenWindow, status: VideoStatus) -> None:
        if status.state is VideoState.LOST and not self._hub_check_running:
            self._hub_soon.start()
        if status.state is VideoState.LIVE and "pictures" not in self.startup:
            tiles = [t for w in self.windows if w.content is not None for t in w.grid.tiles() if t.camera]
            if tiles and all(t.status.state is VideoState.LIVE for t in tiles):
                self._note_startup("pictures", "first pictures on every tile")
        self._publish_statuses()

    def _note_startup(self, key: str, what: str) -> None:
        if key not in self.startup:
            age = process_age_s()
            if age is not None:
                self.startup[key] = age
                times = os.times()  # CPU used so far: what start-up costs whatever the machine's load
                cpu = times.user + times.system
                log.info("%s %.2f s after the process started (%.2f s of CPU)", what, age, cpu)

    def _on_clock_timeout(self) -> None:
        clock = datetime.now().strftime("%H:%M:%S")
        for window in self.windows:
            window.grid.tick(clock)
        self._publish_statuses()

    def _publish_statuses(self) -> None:
        video = self._video_error is None
        self._statuses = {window.ref: window.tile_statuses(video) for window in self.windows}

    def _on_thumbnail_timeout(self) -> None:
        window = self.windows[self._thumbnail_next % len(self.windows)]
        self._thumbnail_next += 1
        self.grab_thumbnail(window)

    def grab_thumbnail(self, window: WallScreenWindow) -> bytes | None:
        width = self._thumbnail_width
        jpeg = window.grab_thumbnail(width)
        if jpeg is not None:
            self._thumbnails = {**self._thumbnails, window.ref: (width, jpeg)}
        return jpeg

    def _on_engine_started(self, engine: VideoEngine) -> None:
        self.engine = engine

    def _on_engine_failed(self, error: Exception) -> None:
        self._video_error = str(error)
        log.error("no video on this node: %s", error)
        self._publish_statuses()

    def _on_hub_prepared(self, verdict: HubVerdict) -> None:
        self._note_hub(verdict)
        if not self.context.video_ready:
            self.context.video_ready = True
            self._refresh_tiles()
            self._hub_timer.start()

    def _on_hub_failed(self, error: Exception) -> None:
        self._on_hub_prepared(HubVerdict(False, str(error)))

    def _on_hub_changed(self) -> None:
        """The controller gave another hub: re-open every stream from it (seamlessly where live)."""
        if self._closed:
            return
        self._refresh_tiles()
        self.bridge.submit("reach the stream hub", self.hub.prepare, self._note_hub, self._on_hub_failed)

    def _refresh_tiles(self) -> None:
        for window in self.windows:
            window.grid.refresh_tiles()
        self._publish_statuses()

    def check_hub(self) -> None:
        """Ask the hub (on a worker) what it says about the cameras shown."""
        if self._hub_check_running or self._closed:
            return
        tiles = self._tiles()
        failing = {
            t.camera
            for t in tiles
            if t.camera is not None
            and t.status.state in (VideoState.LOST, VideoState.CONNECTING)
            and t.status.attempts > 0
        }
        self._hub_checks += 1
        shown = {t.camera for t in tiles if t.camera is not None}
        refused = set(self.context.hub_refusals) & shown
        recheck = refused if self._hub_checks % RECHECK_REFUSED_EVERY == 0 else set()
        self._hub_check_running = True
        future = self.bridge.submit(
            "check the stream hub",
            lambda: self.hub.check(failing, recheck),
            self._on_hub_checked,
            self._on_hub_check_failed,
        )
        if future is None:
            self._hub_check_running = False

    def _on_hub_checked(self, verdict: HubVerdict) -> None:
        self._hub_check_running = False
        self._note_hub(verdict)
        if not verdict.reachable or self._closed:
            return
        refusals = self.context.hub_refusals
        changed: set[int] = set()
        for camera in verdict.accepted:
            if refusals.pop(camera, None) is not None:
                changed.add(camera)
                log.info("camera %d: the stream hub serves it again", camera)
        for camera, status in verdict.refusals.items():
            refusal = _REFUSALS[status]
            if refusals.get(camera) != refusal:
                refusals[camera] = refusal
                changed.add(camera)
                log.warning(
                    "camera %d: refused by the stream hub (%s)", camera, verdict.problems.get(camera, "")
                )
        for tile in self._tiles():
            tile.set_hub_problem(verdict.problems.get(tile.camera) if tile.camera is not None else None)
            if tile.camera in changed:
                tile.refresh()
        self._publish_statuses()

    def _on_hub_check_failed(self, error: Exception) -> None:
        self._hub_check_running = False
        self._note_hub(HubVerdict(False, str(error)))

    def _note_hub(self, verdict: HubVerdict) -> None:
        if verdict.reachable != self._hub_reachable:
            self._hub_reachable = verdict.reachable
            if verdict.reachable:
                log.info("stream hub at %s answers", verdict.detail)
            else:
                log.warning("stream hub unreachable: %s", verdict.detail)

    def _tiles(self) -> list[TileWidget]:
        return [tile for window in self.windows for tile in window.grid.tiles()]


def _shrink_jpeg(jpeg: bytes, width: int) -> bytes | None:
    """A narrower copy of a thumbnail, made in the caller's thread (Pillow: no Qt object involved)."""
    from PIL import Image

    try:
        with Image.open(io.BytesIO(jpeg)) as image:
            height = max(1, round(image.height * width / image.width))
            out = io.BytesIO()
            image.convert("RGB").resize((width, height), Image.Resampling.BILINEAR).save(
                out, "JPEG", quality=THUMBNAIL_QUALITY
            )
            return out.getvalue()
    except (OSError, ValueError) as error:
        log.warning("thumbnail could not be shrunk: %s", error)
        return None


def _close_players(players: list[PlayerHandle]) -> None:
    """Close players in parallel (each waits for its own thread)."""
    threads = [threading.Thread(target=p.close, name="close-wall-player", daemon=True) for p in players]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)


# --- the node process -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NodeOptions:
    """What `vmwall wall-node` was asked (checked by the command)."""

    name: str
    config: WallConfig
    virtual: tuple[int, int, int] | None = None  # (count, width, height)
    screens: str | None = None  # physical screens by index, "0,2" (checked once Qt knows them)
    hub_url: str | None = None  # pinned on the command line (the controller's is ignored)
    hub_token: str | None = None
    start_hub: bool = True
    db_url: str | None = None  # for a hub this node starts
    layouts_dir: Path | None = None
    language: str = "fr"


def run_wall_node(options: NodeOptions) -> int:
    """Run a wall node until SIGTERM (or the event loop quits); returns the exit status."""
    from vmwall.logs import install_sigterm_handler
    from vmwall.wall.node import WallNodeAgent

    name = options.name
    times = os.times()
    log.info(
        "wall node %s starting (pid %d; modules loaded %.2f s after the process started, %.2f s of CPU)",
        name,
        os.getpid(),
        process_age_s() or 0.0,
        times.user + times.system,
    )
    app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else "vmwall"])
    assert isinstance(app, QApplication)
    app.setApplicationName("vmwall")
    app.setApplicationDisplayName(f"vmwall — {name}")
    app.setQuitOnLastWindowClosed(False)
    apply_theme(app)
    translators = i18n.install_translators(app, options.language)
    try:
        plans = _plans(options)
        layouts = load_layouts(options.layouts_dir or default_layouts_dir(), load_builtin_layouts())
        for problem in layouts.errors:
            log.warning("layout file ignored: %s", problem)
        hub = HubLink(
            options.hub_url,
            options.hub_token,
            pinned=bool(options.hub_url),
            start_hub=options.start_hub,
            db_url=options.db_url,
        )
        display = WallNodeDisplay(app, plans, layouts, hub)
        agent: WallNodeAgent | None = None
        try:
            # The agent first: it connects and asks for the wall's state while the windows come up
            # (what it shows meanwhile waits in the bridge's queue); a missing key stops the node
            # before any window opens.
            agent = WallNodeAgent(name, options.config, display)
            agent.start()
            display.start()
            sizes = ", ".join(f"{p.geometry.width_px}x{p.geometry.height_px}" for p in plans)
            log.info(
                "wall node %s: %d screen(s) %s, controller %s", name, len(plans), sizes, options.config.router
            )
            install_sigterm_handler(lambda: QTimer.singleShot(0, app.quit))
            wake = QTimer()  # lets Python see SIGTERM while Qt's loop runs
            wake.start(250)
            wake.timeout.connect(lambda: None)
            try:
                return app.exec()
            finally:
                wake.stop()
        finally:
            if agent is not None:
                agent.close()
            display.close()
            if display.engine is not None:
                display.engine.close()
            log.info("wall node %s stopped", name)
    finally:
        i18n.remove_translators(app, translators)


def _plans(options: NodeOptions) -> list[ScreenPlan]:
    if options.virtual is not None:
        return virtual_screen_plans(options.name, *options.virtual)
    subset = None
    if options.screens:
        try:
            subset = parse_screen_subset(options.screens, len(QGuiApplication.screens()))
        except ValueError as error:
            raise UserFacingError(f"--screens: {error}", exit_code=2) from None
    plans = physical_screen_plans(options.name, subset)
    if not plans:
        raise UserFacingError("this machine has no screen (use --virtual-screens to rehearse)")
    return plans
