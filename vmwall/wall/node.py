"""The wall node agent: follows the controller and drives the node's display. Qt-free.

``WallNodeAgent`` owns one thread and the node's ZeroMQ link. It subscribes, asks for a snapshot,
applies newer updates, and calls the display for every screen of this node whose content
changed. Every second it sends a heartbeat with each tile's status and the process CPU; every
few seconds a thumbnail per screen. When the controller is gone the display keeps what it shows
(fail-static); when a controller comes back (same or new epoch) the agent resyncs and only
screens whose content differs are shown again, so tiles keep playing through a controller restart.

The hub URL and token come from the controller in memory (node snapshots only) and go straight to
the display; they are never written anywhere.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any, Protocol

from vmwall import __version__
from vmwall.hub.client import default_hub_url
from vmwall.model.wall import ScreenContent, ScreenGeometry, ScreenRef, TileStatus, check_node_name
from vmwall.wall import codec, protocol
from vmwall.wall.config import WallConfig
from vmwall.wall.keys import KeyRole
from vmwall.wall.link import ControllerLink, LinkEvents
from vmwall.wall.link_thread import LinkThread
from vmwall.wall.state import screen_key

log = logging.getLogger(__name__)

THUMBNAIL_WIDTH = 320


class NodeDisplay(Protocol):
    """What the agent drives. Every method is called from the agent's thread."""

    def screens(self) -> list[ScreenGeometry]:
        """The node's screens (``ref.node`` is the node's name), fixed at start."""
        ...

    def show(self, ref: ScreenRef, content: ScreenContent) -> None:
        """Show ``content`` on screen ``ref`` (marshal to the GUI thread; must not block)."""
        ...

    def set_hub(self, url: str, token: str | None) -> None:
        """Where tiles fetch streams (the token is kept in memory only)."""
        ...

    def tile_statuses(self) -> dict[ScreenRef, tuple[TileStatus, ...]]:
        """Each screen's tiles as they play now. Thread-safe."""
        ...

    def thumbnail(self, ref: ScreenRef, max_width: int) -> bytes | None:
        """A small JPEG of the screen as shown now, or None. Thread-safe."""
        ...


class WallNodeAgent:
    def __init__(self, name: str, config: WallConfig, display: NodeDisplay) -> None:
        self.name = check_node_name(name)
        self.config = config
        self.display = display
        own = f"screen/{name}:"
        self._link = ControllerLink(
            config, KeyRole.NODE, name, protocol.NODE_TOPICS, keep=lambda key: key.startswith(own)
        )
        self._screens: list[ScreenGeometry] = []
        self._shown: dict[ScreenRef, ScreenContent] = {}
        self._hub: tuple[str, str | None] | None = None
        self._runner = LinkThread(self._link, f"wall-node-{name}", self._run)
        self._lock = threading.Lock()
        self._applied_sequence = 0
        self._cpu_mark = (time.monotonic(), time.process_time())

    def start(self) -> None:
        """Connect and follow the controller in a thread. WallKeyError when the keys are missing
        (e.g. no controller key registered), ValueError when the display names other screens."""
        if self._runner.running:
            return
        screens = list(self.display.screens())
        wrong = [g.ref.key for g in screens if g.ref.node != self.name]
        if wrong or len({g.ref for g in screens}) != len(screens):
            raise ValueError(f"node {self.name}: the display reports screens {wrong or 'twice'}")
        self._screens = screens
        self._cpu_mark = (time.monotonic(), time.process_time())
        self._runner.start()

    def close(self) -> None:
        self._runner.close()

    # --- what tests and the display may read -----------------------------------------------------

    @property
    def connected(self) -> bool:
        return self._link.silent_for() <= protocol.DISCONNECTED_AFTER_S

    @property
    def applied_sequence(self) -> int:
        with self._lock:
            return self._applied_sequence

    @property
    def mirror_sequence(self) -> int:
        """The sequence number of the state being applied (read from the display's ``show()``)."""
        return self._link.mirror.state.sequence

    def shown(self) -> dict[ScreenRef, ScreenContent]:
        with self._lock:
            return dict(self._shown)

    # --- loop ------------------------------------------------------------------------------------

    def _run(self) -> None:
        next_heartbeat = 0.0
        next_thumbnails = time.monotonic() + 1.0
        while not self._runner.stopping:
            try:
                now = time.monotonic()
                wait = max(0.0, min(next_heartbeat, next_thumbnails) - now)
                events = self._link.pump(self._link.next_wait(now, min(wait, 0.5)))
                if self._runner.stopping:
                    return
                self._on_events(events)
                now = time.monotonic()
                if now >= next_heartbeat and self._link.session is not None:
                    next_heartbeat = now + protocol.HEARTBEAT_S
                    self._send_heartbeat(now)
                if now >= next_thumbnails and self._link.session is not None:
                    next_thumbnails = now + protocol.THUMBNAIL_S
                    self._send_thumbnails()
            except Exception:  # the agent keeps the wall up whatever one message or callback does
                log.exception("wall node agent error (continuing)")
                time.sleep(0.1)

    def _on_events(self, events: LinkEvents) -> None:
        if events.snapshot is not None:
            self._on_hub(events.snapshot.get("hub"))
            self._apply(set(self._shown) | {g.ref for g in self._screens})
        elif events.changes:
            keys = {key for key, _ in events.changes}  # this node's screens only (the mirror keeps no other)
            self._apply({g.ref for g in self._screens if screen_key(g.ref) in keys})
        mirror = self._link.mirror
        if mirror.synced and mirror.state.sequence != self._applied_sequence:
            # Updates that touch only other nodes' screens count too: this node is current.
            with self._lock:
                self._applied_sequence = mirror.state.sequence

    def _on_hub(self, hub: dict[str, Any] | None) -> None:
        if self.config.hub_url:
            wanted: tuple[str, str | None] = (self.config.hub_url, None)
        elif hub is not None and hub.get("url"):
            wanted = (str(hub["url"]).rstrip("/"), hub.get("token"))
        else:
            wanted = (default_hub_url(), None)  # this machine's hub
        if wanted != self._hub:
            self._hub = wanted
            try:
                self.display.set_hub(*wanted)
            except Exception:
                log.exception("the display refused the hub address")
            log.info("streams come from the hub at %s%s", wanted[0], " (with a token)" if wanted[1] else "")

    def _apply(self, refs: set[ScreenRef]) -> None:
        own = {g.ref for g in self._screens}
        state = self._link.mirror.state
        for ref in sorted(refs & own):
            target = state.screens.get(ref) or ScreenContent.empty()
            if self._shown.get(ref) == target:
                continue
            try:
                self.display.show(ref, target)
            except Exception:
                log.exception("the display failed to show %s", ref.key)
                continue
            with self._lock:
                self._shown[ref] = target

    def _cpu_percent(self, now: float) -> float:
        cpu = time.process_time()
        then, cpu_then = self._cpu_mark
        self._cpu_mark = (now, cpu)
        return max(0.0, 100.0 * (cpu - cpu_then) / max(1e-3, now - then))

    def _send_heartbeat(self, now: float) -> None:
        try:
            statuses = self.display.tile_statuses()
        except Exception:
            log.exception("the display could not report tile status")
            statuses = {}
        tiles = [
            {"screen": ref.key, "tiles": [codec.tile_status_to_json(t) for t in list(found)[:144]]}
            for ref, found in sorted(statuses.items())
            if ref.node == self.name
        ][:16]
        self._link.send(
            protocol.HEARTBEAT,
            node=self.name,
            cpu_percent=round(min(self._cpu_percent(now), 100_000.0), 1),
            screens=[codec.geometry_to_json(g) for g in self._screens],
            tiles=tiles,
            applied_sequence=self.applied_sequence,
            version=__version__,
        )

    def _send_thumbnails(self) -> None:
        for geometry in self._screens:
            try:
                jpeg = self.display.thumbnail(geometry.ref, THUMBNAIL_WIDTH)
            except Exception:
                log.exception("the display could not make a thumbnail of %s", geometry.ref.key)
                continue
            if not jpeg:
                continue
            if len(jpeg) > codec.MAX_THUMBNAIL_BYTES or not jpeg.startswith(b"\xff\xd8"):
                log.warning("thumbnail of %s skipped: not a JPEG of at most 256 KiB", geometry.ref.key)
                continue
            self._link.send(protocol.THUMBNAIL, screen=geometry.ref.key, jpeg=codec.jpeg_to_text(jpeg))
