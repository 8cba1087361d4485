"""One tile of the live grid: two native video surfaces, its overlay, drag and drop, context menu.

Video and overlay under X11: libVLC draws into a native child window (``set_xwindow``); anything Qt
paints in the tile itself lies *under* that window. The overlay is therefore made of native child
windows too (``TileBannerWidget`` at the bottom, ``TileMessageWidget`` in the middle), stacked
above the video surfaces with ``raise_()``: X11 stacks sibling windows, so they stay visible over
the picture without a compositor. A translucent top-level overlay would need a compositing
manager (none under Xvfb or on many wall PCs) and would have to chase the tile on every move; the
banner is opaque instead and the message only shows while there is no picture. The banner keeps
to the bottom so the top of the picture (where the simulated farm's stamp is) stays clear.

The two surfaces let a player start a new stream on the hidden one and swap when its first frame
is up (``show_surface``): a sub → main switch never shows black.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import QByteArray, QMimeData, QPoint, QRect, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QColor,
    QContextMenuEvent,
    QDrag,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QFont,
    QFontMetrics,
    QImage,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import QApplication, QMenu, QWidget

from vmwall.model import Camera, Commune, StreamKind
from vmwall.ui import theme
from vmwall.ui.bridge import Bridge
from vmwall.ui.directory import Directory, Refusal
from vmwall.ui.journal_hooks import TileJournalHooks
from vmwall.ui.ptz_hooks import TilePtzHooks
from vmwall.ui.services import ConsoleServices, PlayerFactory, PlayerHandle
from vmwall.video.policy import choose_stream
from vmwall.video.status import TileSource, TileState, TileStatus

log = logging.getLogger(__name__)

CAMERA_MIME = "application/x-vmwall-camera"
FRAME_PX = 2  # the selection frame around the picture
RESIZE_SETTLE_MS = 300  # a tile's size must hold this long before its stream kind changes
_NO_PICTURE = re.compile(r"no picture (after|for) (\d+) s")  # TilePlayer's loss reasons


def camera_mime(camera: int, grid: str | None = None, tile: int | None = None) -> QMimeData:
    """Drag payload: a camera, and the grid and tile it comes from when dragged out of a tile."""
    mime = QMimeData()
    payload: dict[str, object] = {"camera": camera}
    if grid is not None and tile is not None:
        payload.update(grid=grid, tile=tile)
    mime.setData(CAMERA_MIME, QByteArray(json.dumps(payload).encode()))
    mime.setText(str(camera))
    return mime


@dataclass(frozen=True, slots=True)
class CameraDrop:
    camera: int
    grid: str | None = None  # source grid id, when the camera was dragged out of a tile
    tile: int | None = None


def read_camera_mime(mime: QMimeData) -> CameraDrop | None:
    if not mime.hasFormat(CAMERA_MIME):
        return None
    try:
        payload = json.loads(bytes(mime.data(CAMERA_MIME).data()).decode())
        camera = payload["camera"]
        grid = payload.get("grid")
        tile = payload.get("tile")
        if isinstance(camera, bool) or not isinstance(camera, int) or camera < 1:
            return None
        if not (grid is None or isinstance(grid, str)) or not (tile is None or isinstance(tile, int)):
            return None
        return CameraDrop(camera, grid, tile)
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        return None


class TileContext:
    """What every tile of every grid shares: back end, bridge, catalogue, video readiness.

    A wall node's tiles (``vmwall.wall.node_display``) have no ``catalogue``: cameras are numbers
    and the stream hub serves or refuses them (``hub_refusals``, kept by the node; it refreshes the
    tiles concerned); and they are not ``interactive``: nobody sits at a wall screen, so no hints,
    menus or drops.
    """

    def __init__(
        self, bridge: Bridge, services: ConsoleServices, *, catalogue: bool = True, interactive: bool = True
    ) -> None:
        self.bridge = bridge
        self.services = services
        self.catalogue = catalogue
        self.interactive = interactive
        self.directory: Directory | None = None
        self.hub_refusals: dict[int, Refusal] = {}  # without a catalogue: cameras the hub refuses
        self.video_ready = False  # the stream hub has been checked once (up, or known down)
        self.player_factory: PlayerFactory | None = services.new_player()
        self.ptz: TilePtzHooks | None = None  # the console's PTZ control (vmwall.ui.ptz_controller)
        self.journal: TileJournalHooks | None = None  # the main courante (vmwall.ui.journal_controller)


class _NativeChild(QWidget):
    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_NativeWindow)
        self.setAttribute(Qt.WidgetAttribute.WA_DontCreateNativeAncestors)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setMouseTracking(False)


class VideoSurfaceWidget(_NativeChild):
    """A native window libVLC draws into; black until it does."""

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt)
        painter = QPainter(self)
        painter.fillRect(event.rect(), theme.TILE_BACKGROUND)
        painter.end()


class TileBannerWidget(_NativeChild):
    """The overlay's bottom line: tile number, camera number and name, commune | clock, state."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.left = ""
        self.right = ""
        self.state_colour = theme.IDLE

    def set_text(self, left: str, right: str, colour: QColor) -> None:
        if (left, right, colour) != (self.left, self.right, self.state_colour):
            self.left, self.right = left, right
            self.state_colour = colour
            self.update()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt)
        painter = QPainter(self)
        rect = self.rect()
        painter.fillRect(rect, theme.BANNER_BACKGROUND)
        metrics = QFontMetrics(self.font())
        pad = max(4, rect.height() // 4)
        dot = max(6, rect.height() // 3)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(self.state_colour)
        painter.drawEllipse(QRect(pad, (rect.height() - dot) // 2, dot, dot))
        painter.setPen(theme.BANNER_TEXT)
        right_width = metrics.horizontalAdvance(self.right)
        text_left = pad * 2 + dot
        room = rect.width() - text_left - right_width - pad * 3
        painter.drawText(
            QRect(text_left, 0, max(0, room), rect.height()),
            Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
            metrics.elidedText(self.left, Qt.TextElideMode.ElideRight, max(0, room)),
        )
        painter.drawText(
            QRect(rect.width() - right_width - pad, 0, right_width, rect.height()),
            Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight,
            self.right,
        )
        painter.end()


class TileMessageWidget(_NativeChild):
    """The overlay's centre: what the tile is doing when it shows no picture (and why)."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.headline = ""
        self.detail = ""
        self.colour = theme.IDLE

    def set_message(self, headline: str, detail: str, colour: QColor) -> None:
        if (headline, detail, colour) != (self.headline, self.detail, self.colour):
            self.headline, self.detail = headline, detail
            self.colour = colour
            self.update()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt)
        painter = QPainter(self)
        rect = self.rect()
        painter.fillRect(rect, theme.TILE_BACKGROUND)
        big = QFont(self.font())
        big.setPointSizeF(self.font().pointSizeF() * 1.25)
        big.setBold(True)
        painter.setFont(big)
        painter.setPen(self.colour)
        head_height = QFontMetrics(big).height()
        has_detail = bool(self.detail)
        top = (rect.height() - head_height * (2 if has_detail else 1)) // 2
        painter.drawText(
            QRect(4, top, rect.width() - 8, head_height), Qt.AlignmentFlag.AlignCenter, self.headline
        )
        if has_detail:
            painter.setFont(self.font())
            painter.setPen(theme.MESSAGE_TEXT)
            painter.drawText(
                QRect(4, top + head_height, rect.width() - 8, rect.height() - top - head_height),
                Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap,
                self.detail,
            )
        painter.end()


class _PendingPlayer:
    """A player being created on a worker, which the tile may give up on meanwhile."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cancelled = False
        self._player: PlayerHandle | None = None

    def created(self, player: PlayerHandle) -> PlayerHandle | None:
        """Worker: the player exists; None (and the player closed) if the tile gave up."""
        with self._lock:
            if not self._cancelled:
                self._player = player
                return player
        player.close()
        return None

    def cancel(self) -> PlayerHandle | None:
        """GUI: give up; returns the player if it already exists (the caller closes it)."""
        with self._lock:
            self._cancelled = True
            player, self._player = self._player, None
            return player


class TileWidget(QWidget):
    """A tile: what camera it shows, how that is going, and the operator's gestures on it."""

    clicked = Signal(object)  # self
    double_clicked = Signal(object)
    camera_dropped = Signal(object, object)  # (self, CameraDrop)
    snapshot_requested = Signal(object)
    remove_requested = Signal(object)
    maximise_requested = Signal(object)
    status_changed = Signal(object, object)  # (self, TileStatus)

    def __init__(self, context: TileContext, grid_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.grid_id = grid_id
        self.number = 0  # 1-based position in the layout (set by the grid)
        self.camera: int | None = None
        self.selected = False
        self.focused = False
        self.maximised = False
        self.suspended = False  # hidden behind a maximised tile: no player running
        self.stream_override: StreamKind | None = None  # the operator's choice (context menu)
        self.forced_sub = False  # stepped down by the overload governor
        self.status = TileStatus(TileState.IDLE)
        self._source: TileSource | None = None
        self._player: PlayerHandle | None = None
        self._pending_player: _PendingPlayer | None = None
        self._front = 0
        self._retry_deadline: float | None = None
        self.hub_problem: str | None = None  # why the stream hub cannot serve this camera, if it says
        self._press: QPoint | None = None
        self._clock = ""
        self.setAcceptDrops(context.interactive)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setMinimumSize(80, 60)
        self.surfaces = (VideoSurfaceWidget(self), VideoSurfaceWidget(self))
        self.banner = TileBannerWidget(self)
        self.message = TileMessageWidget(self)
        self._settle = QTimer(self)
        self._settle.setSingleShot(True)
        self._settle.setInterval(RESIZE_SETTLE_MS)
        self._settle.timeout.connect(self._on_settle_timeout)
        self._restack()
        self.refresh()

    # --- what the tile shows ------------------------------------------------------------------

    def set_camera(self, camera: int | None) -> None:
        if camera != self.camera:
            self.camera = camera
            self.stream_override = None
            self.refresh()

    def set_selected(self, selected: bool, focused: bool = True) -> None:
        """The selected tile has an amber frame; dimmed while its grid does not have the keyboard."""
        if (selected, focused) != (self.selected, self.focused):
            self.selected = selected
            self.focused = focused
            self.update()

    def set_maximised(self, maximised: bool) -> None:
        if maximised != self.maximised:
            self.maximised = maximised
            self._settle.start()

    def set_suspended(self, suspended: bool) -> None:
        """Stop the player while the tile is hidden (another one is maximised); resume after."""
        if suspended != self.suspended:
            self.suspended = suspended
            self.refresh()

    def set_forced_sub(self, forced: bool) -> None:
        """The overload governor steps this tile down to its sub stream (or lets it back up)."""
        if forced != self.forced_sub:
            self.forced_sub = forced
            self.refresh()

    def set_stream_override(self, kind: StreamKind | None) -> None:
        self.stream_override = kind
        self.refresh()

    @property
    def source(self) -> TileSource | None:
        return self._source

    @property
    def player(self) -> PlayerHandle | None:
        return self._player

    def front_surface(self) -> VideoSurfaceWidget:
        """The video surface on top (the one showing the picture)."""
        return self.surfaces[self._front]

    def camera_info(self) -> tuple[Camera | None, Commune | None]:
        directory = self.context.directory
        if self.camera is None or directory is None:
            return None, None
        camera = directory.camera(self.camera)
        return camera, (directory.commune_of(camera) if camera else None)

    def refusal(self) -> Refusal | None:
        if self.camera is not None and not self.context.catalogue:
            return self.context.hub_refusals.get(self.camera)
        directory = self.context.directory
        if self.camera is None or directory is None:
            return None
        return directory.refusal(self.camera, datetime.now())

    def wanted_source(self) -> TileSource | None:
        """What the tile should play now, or None (empty, refused, hidden, catalogue not loaded)."""
        if self.camera is None or self.suspended or not self.context.video_ready:
            return None
        camera, commune = self.camera_info()
        if self.refusal() is not None or (self.context.catalogue and (camera is None or commune is None)):
            return None
        kind = self.stream_override or (StreamKind.SUB if self.forced_sub else self.policy_kind())
        url = self.context.services.stream_url(self.camera, kind)
        return TileSource(self.camera, commune.name if commune else "", kind, url)

    def policy_kind(self) -> StreamKind:
        """The stream the policy gives a tile of this size (before any overload step-down)."""
        screen = self.screen().geometry()
        current = self._source.kind if self._source and self._source.camera == self.camera else None
        return choose_stream(
            self.width(),
            self.height(),
            screen.width(),
            screen.height(),
            maximised=self.maximised,
            current=current,
        )

    def refresh(self) -> None:
        """Bring the player in line with what the tile should show, then redraw the overlay."""
        wanted = self.wanted_source()
        if wanted != self._source:
            previous = self._source
            self._source = wanted
            if wanted is None:
                if self._player is not None and previous is not None:
                    self._player.stop()
                self.status = TileStatus(TileState.IDLE)
            elif self.context.player_factory is None:
                self._source = None  # no video on this workstation: the overlay says so
            else:
                self.status = TileStatus(TileState.CONNECTING, wanted)
                self._retry_deadline = None
                player = self._player
                if player is None:
                    self._start_player()  # plays self._source once it is up
                else:
                    if previous is not None and previous.camera != wanted.camera:
                        # Another camera: never leave the previous one's picture under the new name.
                        player.stop()
                    player.play(wanted)
        self._update_overlay()

    def _start_player(self) -> None:
        """Create the player on a worker (libVLC setup takes 10-30 ms: a layout of 25 tiles would
        hold the GUI for half a second); it starts playing when it is handed back."""
        factory = self.context.player_factory
        if factory is None or self._pending_player is not None:
            return
        ids = (int(self.surfaces[0].winId()), int(self.surfaces[1].winId()))  # GUI thread: Qt call
        bridge = self.context.bridge
        pending = _PendingPlayer()
        self._pending_player = pending

        def create() -> PlayerHandle | None:
            player = factory(
                ids,
                lambda index: bridge.deliver(self, self._on_player_surface_ready, index),
                lambda status: bridge.deliver(self, self._on_player_changed, status),
            )
            return pending.created(player)

        if (
            bridge.submit(
                "start a tile's player",
                create,
                lambda player: self._on_player_started(pending, player),
                lambda error: self._on_player_failed(pending, error),
                receiver=self,
            )
            is None
        ):
            self._pending_player = None  # the console is closing

    def _on_player_started(self, pending: _PendingPlayer, player: PlayerHandle | None) -> None:
        if player is None or pending is not self._pending_player:
            return  # given up meanwhile: whoever gave up closes it (see detach_player)
        self._pending_player = None
        self._player = player
        if self._source is not None:
            player.play(self._source)

    def _on_player_failed(self, pending: _PendingPlayer, error: Exception) -> None:
        if pending is not self._pending_player:
            return
        self._pending_player = None
        log.error("tile %d: the video player cannot start: %s", self.number, error)
        self.status = TileStatus(TileState.LOST, self._source, reason=str(error))
        self._source = None
        self._update_overlay()

    def close_player(self) -> None:
        """Free the player now, waiting for it (the console is closing). Idempotent."""
        player = self.detach_player()
        if player is not None:
            player.close()

    def detach_player(self) -> PlayerHandle | None:
        """Hand the player over (to be closed elsewhere) and forget it.

        A player still being created is closed by its worker as soon as it exists.
        """
        player, self._player = self._player, None
        pending, self._pending_player = self._pending_player, None
        if pending is not None:
            player = pending.cancel() or player
        self._source = None
        self.status = TileStatus(TileState.IDLE)
        return player

    def retire(self) -> None:
        """The tile leaves its grid: hide it, close its player on a worker, then delete the widget.

        The native windows must outlive the player that draws into them, and closing a player
        waits for its thread (~50 ms): never on the GUI thread for a whole layout of tiles.
        """
        self.hide()
        player = self.detach_player()
        if player is None:
            self.deleteLater()
            return
        future = self.context.bridge.submit(
            "close a tile's player",
            player.close,
            lambda _none: self.deleteLater(),
            lambda _error: self.deleteLater(),
            receiver=self,
        )
        if future is None:  # the bridge is closed: the console is going away
            player.close()
            self.deleteLater()

    def _on_player_surface_ready(self, index: int) -> None:
        self._front = 1 if index else 0
        self._restack()

    def _on_player_changed(self, status: TileStatus) -> None:
        current = self._source
        if current is None:
            return  # a late report from a player told to stop
        if status.source != current and status.pending != current:
            return  # about a source this tile no longer shows
        if status.source is not None and status.source.camera != current.camera:
            status = TileStatus(TileState.CONNECTING, current, pending=status.pending)
        self.status = status
        self._retry_deadline = (
            time.monotonic() + status.retry_in_s
            if status.state is TileState.LOST and status.retry_in_s is not None
            else None
        )
        self._update_overlay()
        self.status_changed.emit(self, status)

    # --- overlay ------------------------------------------------------------------------------

    def tick(self, clock: str) -> None:
        """Once a second: the clock, the retry countdown, the live-hours rule."""
        self._clock = clock
        if self.camera is not None and self.context.directory is not None:
            refused = self.refusal() is not None
            if (refused and self._source is not None) or (
                not refused and self._source is None and self.wanted_source() is not None
            ):
                self.refresh()  # the live-hours window opened or closed
                return
        self._update_overlay()

    def state_key(self) -> str:
        """live / connecting / lost / refused / idle: for icons and counters."""
        if self.camera is not None and self.refusal() is not None:
            return "refused"
        return {TileState.LIVE: "live", TileState.CONNECTING: "connecting", TileState.LOST: "lost"}.get(
            self.status.state, "idle"
        )

    def state_texts(self) -> tuple[str, str, str]:
        """(short state for the banner, headline, detail) for the centre message."""
        if self.camera is None:
            return (
                "",
                self.tr("Tuile %1 — vide").replace("%1", str(self.number)),
                self.tr("Glissez une caméra ici, ou tapez son numéro puis Entrée.")
                if self.context.interactive
                else "",
            )
        directory = self.context.directory
        if directory is None and self.context.catalogue:
            return self.tr("chargement…"), self.tr("chargement du catalogue…"), ""
        refusal = self.refusal()
        if refusal is not None:
            return self.tr("non autorisé"), self.tr("non autorisé"), self._refusal_text(refusal)
        if self.context.player_factory is None:
            return (
                self.tr("pas de vidéo"),
                self.tr("vidéo indisponible"),
                self.tr("libVLC n'est pas installé sur ce poste (vmwall doctor)."),
            )
        if self.suspended:
            return "", "", ""
        state = self.status.state
        if state is TileState.LIVE:
            return self.tr("en direct"), "", ""
        if state is TileState.LOST:
            if self._retry_deadline is not None:
                seconds = max(0, round(self._retry_deadline - time.monotonic()))
                text = self.tr("signal perdu — nouvel essai dans %1 s").replace("%1", str(seconds))
            else:
                text = self.tr("signal perdu — nouvel essai…")
            detail = self.hub_problem_text(self.hub_problem) if self.hub_problem else None
            return text, text, detail or self.reason_text(self.status.reason)
        if state in (TileState.REFUSED, TileState.NOT_AUTHORISED):
            return self.tr("non autorisé"), self.tr("non autorisé"), self.status.reason
        return self.tr("connexion…"), self.tr("connexion…"), ""

    def set_hub_problem(self, problem: str | None) -> None:
        """What the stream hub reports about this tile's camera (shown while the tile is lost)."""
        if problem != self.hub_problem:
            self.hub_problem = problem
            self._update_overlay()

    def hub_problem_text(self, problem: str) -> str:
        """The hub's reason (English, from vmwall.hub) in the interface's language when known."""
        if "refused the credentials" in problem:
            return self.tr("la caméra refuse les identifiants (mot de passe à vérifier)")
        if "keyring" in problem:
            return self.tr("le trousseau de clés est inaccessible au hub vidéo (vmwall doctor)")
        if "storage only" in problem:
            return self.tr("commune en stockage seul : jamais affichée en direct")
        return self.tr("hub vidéo : %1").replace("%1", problem.splitlines()[0])

    def reason_text(self, reason: str) -> str:
        """The player's reason for a loss (English, from vmwall.video) in the interface's language."""
        if reason == "stream ended":
            return self.tr("le flux s'est arrêté")
        if reason == "stream error":
            return self.tr("erreur de flux")
        match = _NO_PICTURE.fullmatch(reason)
        if match:
            text = (
                self.tr("aucune image après %1 s")
                if match[1] == "after"
                else self.tr("plus d'image depuis %1 s")
            )
            return text.replace("%1", match[2])
        return reason

    def _refusal_text(self, refusal: Refusal) -> str:
        _camera, commune = self.camera_info()
        if commune is None and self.hub_problem:  # no catalogue here: the hub's own words
            return self.hub_problem_text(self.hub_problem)
        commune_name = commune.name if commune else "?"
        if refusal is Refusal.UNKNOWN_CAMERA:
            return self.tr("La caméra %1 n'existe pas dans le catalogue.").replace("%1", str(self.camera))
        if refusal is Refusal.STORAGE_ONLY:
            return self.tr(
                "%1 a un forfait stockage seul : ses caméras ne sont jamais montrées en direct."
            ).replace("%1", commune_name)
        if refusal is Refusal.OUTSIDE_HOURS:
            hours = commune.live_hours if commune and commune.live_hours else ""
            return (
                self.tr("Hors des heures de visionnage de %1 (%2).")
                .replace("%1", commune_name)
                .replace("%2", hours)
            )
        if refusal is Refusal.OTHER_COMMUNE:
            if commune is None:  # a camera of another commune is not even named to this account
                return self.tr("Cette caméra n'appartient pas aux communes de votre compte.")
            return self.tr("Votre compte ne couvre pas la commune %1.").replace("%1", commune_name)
        return self.tr("Votre compte n'a pas le droit de visionnage en direct.")

    def _update_overlay(self) -> None:
        camera, commune = self.camera_info()
        if self.camera is None:
            left = f"[{self.number}]"
        elif camera is None:
            left = f"[{self.number}]  {self.camera}"
        else:
            left = f"[{self.number}]  {camera.number} · {camera.name}" + (
                f" — {commune.name}" if commune else ""
            )
        short, headline, detail = self.state_texts()
        kind = ""
        shown = self.status.source  # during a seamless switch, still the previous stream
        if self._source is not None and shown is not None and self.status.state is TileState.LIVE:
            kind = " · " + (self.tr("principal") if shown.kind is StreamKind.MAIN else self.tr("secondaire"))
        note = self.context.ptz.tile_note(self) if self.context.ptz is not None else ""  # PTZ holder
        right = "   ".join(t for t in (note, self._clock, short + kind) if t)
        colour = {
            "live": theme.LIVE,
            "connecting": theme.CONNECTING,
            "lost": theme.LOST,
            "refused": theme.REFUSED,
        }.get(self.state_key(), theme.IDLE)
        self.banner.set_text(left, right, colour)
        self.message.set_message(headline, detail, colour)
        show_message = bool(headline)
        if self.message.isHidden() == show_message:
            self.message.setVisible(show_message)
            self._restack()
        self.setToolTip("\n".join(t for t in (left, right, detail) if t))

    def ptz_changed(self) -> None:
        """Who holds this tile's camera changed: show it on the banner."""
        self._update_overlay()

    def _restack(self) -> None:
        self.surfaces[self._front].raise_()
        self.banner.raise_()
        self.message.raise_()

    def _layout_children(self) -> None:
        inner = self.rect().adjusted(FRAME_PX, FRAME_PX, -FRAME_PX, -FRAME_PX)
        for surface in self.surfaces:
            surface.setGeometry(inner)
        font = QFont(self.font())
        font.setPointSizeF(max(7.0, min(11.0, inner.height() / 22)))
        self.banner.setFont(font)
        self.message.setFont(font)
        banner_height = QFontMetrics(font).height() + 6
        self.banner.setGeometry(
            inner.left(), inner.bottom() - banner_height + 1, inner.width(), banner_height
        )
        message_height = min(inner.height() - banner_height, QFontMetrics(font).height() * 5)
        self.message.setGeometry(
            inner.left(),
            inner.top() + (inner.height() - banner_height - message_height) // 2,
            inner.width(),
            max(0, message_height),
        )

    # --- Qt events ----------------------------------------------------------------------------

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt)
        self._layout_children()
        if self.camera is not None:
            self._settle.start()
        super().resizeEvent(event)

    def _on_settle_timeout(self) -> None:
        self.refresh()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt)
        painter = QPainter(self)
        painter.fillRect(self.rect(), theme.TILE_BACKGROUND)
        if self.selected:
            colour = theme.SELECTION if self.focused else theme.SELECTION_UNFOCUSED
        else:
            colour = theme.TILE_FRAME
        pen = QPen(colour, FRAME_PX)
        pen.setJoinStyle(Qt.PenJoinStyle.MiterJoin)
        painter.setPen(pen)
        painter.drawRect(self.rect().adjusted(1, 1, -1, -1))
        painter.end()

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt)
        if event.button() == Qt.MouseButton.LeftButton:
            self._press = event.position().toPoint()
            if self.context.ptz is not None and self.context.ptz.press(self, event):
                self._press = None  # a PTZ gesture on the picture (centre, box zoom), not a camera drag
        self.clicked.emit(self)
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt)
        if self.context.ptz is not None and self.context.ptz.move(self, event):
            return
        if (
            self._press is None
            or self.camera is None
            or not event.buttons() & Qt.MouseButton.LeftButton
            or (event.position().toPoint() - self._press).manhattanLength() < QApplication.startDragDistance()
        ):
            return
        self._press = None
        drag = QDrag(self)
        drag.setMimeData(camera_mime(self.camera, self.grid_id, self.number - 1))
        drag.exec(Qt.DropAction.MoveAction | Qt.DropAction.CopyAction, Qt.DropAction.MoveAction)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt)
        self._press = None
        if self.context.ptz is not None:
            self.context.ptz.release(self, event)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt)
        if event.button() == Qt.MouseButton.LeftButton:
            if self.context.ptz is not None:
                self.context.ptz.double_click(self)
            self.double_clicked.emit(self)
            event.accept()

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802 (Qt)
        if self.context.ptz is not None and self.context.ptz.wheel(self, event):
            event.accept()  # zoomed the PTZ camera
            return
        super().wheelEvent(event)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 (Qt)
        if read_camera_mime(event.mimeData()) is not None:
            event.acceptProposedAction()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:  # noqa: N802 (Qt)
        if read_camera_mime(event.mimeData()) is not None:
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 (Qt)
        drop = read_camera_mime(event.mimeData())
        if drop is None:
            event.ignore()
            return
        event.acceptProposedAction()
        self.camera_dropped.emit(self, drop)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:  # noqa: N802 (Qt)
        if not self.context.interactive:
            event.ignore()
            return
        self.clicked.emit(self)
        menu = self.build_menu()
        menu.exec(event.globalPos())
        menu.deleteLater()

    def build_menu(self) -> QMenu:
        menu = QMenu(self)
        menu.setToolTipsVisible(True)
        has_camera = self.camera is not None
        snapshot = menu.addAction(self.tr("Instantané"))
        snapshot.setEnabled(has_camera and self.status.state is TileState.LIVE and self._source is not None)
        if not snapshot.isEnabled():
            snapshot.setToolTip(self.tr("Il faut une image en direct dans la tuile."))
        snapshot.triggered.connect(lambda: self.snapshot_requested.emit(self))
        stream_menu = menu.addMenu(self.tr("Flux"))
        stream_menu.setEnabled(has_camera and self.refusal() is None)
        group = QActionGroup(stream_menu)
        for label, kind in (
            (self.tr("Automatique (selon la taille)"), None),
            (self.tr("Principal (pleine résolution)"), StreamKind.MAIN),
            (self.tr("Secondaire (basse résolution)"), StreamKind.SUB),
        ):
            action = QAction(label, stream_menu)
            action.setCheckable(True)
            action.setChecked(self.stream_override is kind)
            action.triggered.connect(lambda _checked=False, k=kind: self.set_stream_override(k))
            group.addAction(action)
            stream_menu.addAction(action)
        maximise = menu.addAction(self.tr("Restaurer la grille") if self.maximised else self.tr("Agrandir"))
        maximise.triggered.connect(lambda: self.maximise_requested.emit(self))
        remove = menu.addAction(self.tr("Retirer la caméra"))
        remove.setEnabled(has_camera)
        remove.triggered.connect(lambda: self.remove_requested.emit(self))
        menu.addSeparator()
        ptz = menu.addAction(self.tr("PTZ…"))
        hooks = self.context.ptz
        refusal = (
            hooks.menu_refusal(self)
            if hooks is not None
            else self.tr("Le pilotage PTZ n'est pas disponible sur cette console.")
        )
        ptz.setEnabled(refusal is None)
        ptz.setToolTip(refusal or "")
        if hooks is not None:
            ptz.triggered.connect(lambda: hooks.open_for(self))
        if self.context.journal is not None:
            self.context.journal.fill_tile_menu(self, menu)
        return menu

    def grab_visible(self) -> QImage | None:
        """What the tile's video surface shows on screen (a fallback for snapshots)."""
        screen = self.screen()
        if screen is None:
            return None
        pixmap = screen.grabWindow(int(self.front_surface().winId()))
        return None if pixmap.isNull() else pixmap.toImage()
