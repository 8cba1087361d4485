"""The farm's RTSP server: GStreamer's gst-rtsp-server, fed by the video farm through appsrc.

Why GStreamer: it is a real, standards-following RTSP server packaged by Debian (RTP over UDP and
TCP-interleaved, digest authentication, shared media), driven from Python with PyGObject. VLC as a
server offers UDP only and refuses to run as root; mediamtx and go2rtc cannot be installed here.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from typing import Protocol

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtsp", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtsp, GstRtspServer  # noqa: E402

from vmwall.sim.h264.encoder import FPS  # noqa: E402
from vmwall.sim.spec import SimCameraSpec  # noqa: E402
from vmwall.sim.streams import VideoFarm  # noqa: E402

log = logging.getLogger(__name__)

# The stream carries SPS/PPS before every IDR already; h264parse/rtph264pay config-interval would
# insert them before every IDR *slice*, splitting our multi-slice pictures.
_LAUNCH = (
    "( appsrc name=src is-live=true format=time do-timestamp=true max-bytes=2000000 leaky-type=downstream "
    f"caps=video/x-h264,stream-format=byte-stream,alignment=au,framerate={FPS}/1 "
    "! h264parse ! rtph264pay name=pay0 pt=96 )"
)


class RtspFarmServer:
    """One RTSP server per simulated camera (its own port, like a real device), all on one GLib loop.

    Camera N serves ``rtsp://HOST:PORT/main`` and ``/sub``; port 0 binds an ephemeral port.
    """

    def __init__(
        self, specs: Sequence[SimCameraSpec], video: VideoFarm, *, require_auth: bool = True
    ) -> None:
        Gst.init(None)
        self._video = video
        self._context = GLib.MainContext.new()
        self._loop = GLib.MainLoop.new(self._context, False)
        self._thread: threading.Thread | None = None
        self._servers: dict[int, GstRtspServer.RTSPServer] = {}
        self._counter_lock = threading.Lock()
        self.frames_not_playing = 0  # frames dropped: their media was no longer playing (MediaFeed)
        for spec in specs:
            self._servers[spec.number] = self._make_server(spec, require_auth)

    def _make_server(self, spec: SimCameraSpec, require_auth: bool) -> GstRtspServer.RTSPServer:
        server = GstRtspServer.RTSPServer.new()
        server.set_address(spec.host)
        server.set_service(str(spec.rtsp_port))
        if require_auth:
            auth = GstRtspServer.RTSPAuth()
            # Digest only, as current cameras do (PyGObject cannot OR this enum to offer Basic too).
            auth.set_supported_methods(GstRtsp.RTSPAuthMethod.DIGEST)
            token = GstRtspServer.RTSPToken()
            token.set_string("media.factory.role", "viewer")
            auth.add_digest(spec.username, spec.password, token)
            server.set_auth(auth)
        mounts = server.get_mount_points()
        for kind in ("main", "sub"):
            factory = GstRtspServer.RTSPMediaFactory.new()
            factory.set_launch(_LAUNCH)
            factory.set_shared(True)
            factory.set_latency(0)
            factory.set_protocols(GstRtsp.RTSPLowerTrans.TCP | GstRtsp.RTSPLowerTrans.UDP)
            if require_auth:
                permissions = GstRtspServer.RTSPPermissions()
                permissions.add_permission_for_role("viewer", "media.factory.access", True)
                permissions.add_permission_for_role("viewer", "media.factory.construct", True)
                factory.set_permissions(permissions)
            factory.connect("media-configure", self._on_media_configure, f"cam{spec.number}/{kind}")
            mounts.add_factory(f"/{kind}", factory)
        return server

    def port_of(self, number: int) -> int:
        return int(self._servers[number].get_bound_port())

    def start(self) -> None:
        self._sources: list[int] = []
        for number, server in self._servers.items():
            source_id = server.attach(self._context)
            if source_id == 0:
                self._destroy_sources()
                raise OSError(f"camera {number}: RTSP server could not listen on port {server.get_service()}")
            self._sources.append(source_id)
        self._thread = threading.Thread(target=self._run, name="sim-rtsp", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        self._context.push_thread_default()
        try:
            self._loop.run()
        finally:
            self._context.pop_thread_default()

    def close(self) -> None:
        """Stop like a camera losing power: listening sockets closed, every client dropped."""
        if self._thread is None:
            return
        done = threading.Event()

        def shutdown() -> bool:
            for server in self._servers.values():
                server.client_filter(lambda _server, _client: GstRtspServer.RTSPFilterResult.REMOVE)
            self._destroy_sources()
            done.set()
            return False

        self._context.invoke_full(GLib.PRIORITY_HIGH, shutdown)
        done.wait(5)
        self._loop.quit()
        self._thread.join(timeout=5)
        self._thread = None

    def _destroy_sources(self) -> None:
        for source_id in getattr(self, "_sources", []):
            source = self._context.find_source_by_id(source_id)
            if source is not None:
                source.destroy()
        self._sources = []

    def _on_media_configure(
        self, _factory: GstRtspServer.RTSPMediaFactory, media: GstRtspServer.RTSPMedia, key: str
    ) -> None:
        appsrc = media.get_element().get_by_name("src")
        feed = MediaFeed(self._video, key, appsrc, self.count_frame_not_playing)
        feed.start()
        media.connect("unprepared", lambda _media: feed.close())

    def count_frame_not_playing(self) -> None:
        with self._counter_lock:
            self.frames_not_playing += 1


class FeedTarget(Protocol):
    """What a feed needs from the farm (`VideoFarm`)."""

    def attach(self, key: str, sink: Callable[[bytes], None]) -> None: ...
    def detach(self, key: str, sink: Callable[[bytes], None]) -> None: ...


class MediaFeed:
    """Feeds one RTSP media's appsrc from the farm, from the moment its pipeline plays.

    appsrc stamps each buffer (``do-timestamp``) with the pipeline clock minus the pipeline's base
    time, which is set only on the way to PLAYING. A frame pushed while the media is still being
    prepared could be stamped with the clock's absolute time (hours): the clients' sinks then wait
    hours for it, the media never sends a packet, and, being shared, swallows every later client of
    the camera. So the farm's sink is attached on the appsrc's first ``need-data``, which a live
    source emits only once PLAYING. A frame that finds the source no longer playing (the media being
    torn down) is dropped and counted (``RtspFarmServer.frames_not_playing``).
    """

    def __init__(
        self, video: FeedTarget, key: str, appsrc: Gst.Element, on_not_playing: Callable[[], None]
    ) -> None:
        self._video = video
        self._key = key
        self._appsrc = appsrc
        self._on_not_playing = on_not_playing
        self._lock = threading.Lock()
        self._attached = False
        self._closed = False
        self._need_data = 0

    def start(self) -> None:
        """Attach to the farm once the source asks for data (call before the media is prepared)."""
        self._need_data = self._appsrc.connect("need-data", self._on_need_data)

    def _on_need_data(self, _appsrc: Gst.Element, _length: int) -> None:
        with self._lock:
            if self._attached or self._closed:
                return
            self._attached = True
            # Attached under the lock, so an unprepare cannot slip between the check and the attach.
            self._video.attach(self._key, self.push)
        self._appsrc.disconnect(self._need_data)  # once is enough: not a Python call per frame

    def close(self) -> None:
        """The media is gone (unprepared): detach from the farm, and never attach afterwards."""
        with self._lock:
            self._closed = True
            attached, self._attached = self._attached, False
        if attached:
            self._video.detach(self._key, self.push)

    def push(self, unit: bytes) -> None:
        _, state, _ = self._appsrc.get_state(0)
        if state != Gst.State.PLAYING:
            self._on_not_playing()
            return
        # Copy into GStreamer-owned memory: a wrapped Python bytes object may be freed early.
        buffer = Gst.Buffer.new_allocate(None, len(unit), None)
        buffer.fill(0, unit)
        self._appsrc.emit("push-buffer", buffer)
