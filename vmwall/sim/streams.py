"""The simulated cameras' video: one producer thread paces every stream, one renderer thread redraws.

Each stream (camera × main/sub) has a base picture (its scene at the current PTZ position, encoded
once by x264) and a band (clock, frame counter, stamp) updated every frame by the synthesiser. Only
streams somebody watches cost anything; an idle camera costs nothing.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
import numpy.typing as npt

from vmwall.sim.band import BandRenderer
from vmwall.sim.h264.encoder import FPS, encode_base_picture
from vmwall.sim.h264.synth import BasePicture, FrameSynthesizer
from vmwall.sim.scene import Position, SceneRenderer

log = logging.getLogger(__name__)

FRAME_S = 1.0 / FPS


class PtzSource(Protocol):
    """What the video needs from a PTZ model (vmwall.sim.ptz_state.PtzState satisfies it)."""

    def position(self) -> Position: ...
    def is_moving(self) -> bool: ...


Sink = Callable[[bytes], None]


@dataclass(frozen=True, slots=True)
class _Home:
    pan: float = 0.0
    tilt: float = 0.0
    zoom: float = 0.0


class FixedMount:
    """The PTZ source of a camera that does not move."""

    def position(self) -> Position:
        return _Home()

    def is_moving(self) -> bool:
        return False


@dataclass(frozen=True, slots=True)
class StreamFormat:
    name: str
    width: int
    height: int
    band_rows: int
    redraw_interval_s: float  # fastest picture update while the camera moves


MAIN = StreamFormat("main", 1920, 1080, 4, 0.2)
SUB = StreamFormat("sub", 640, 360, 2, 0.1)


@dataclass(eq=False)
class SimStream:
    camera: int
    fmt: StreamFormat
    scene: SceneRenderer
    band: BandRenderer
    synth: FrameSynthesizer
    sinks: list[Sink] = field(default_factory=list)
    base: BasePicture | None = None
    pending: BasePicture | None = None
    drawn_at: Position | None = None
    drawn_time: float = 0.0
    frames_sent: int = 0
    frames_delayed: int = 0  # pushed more than half a frame after they were due (a busy machine)
    restart: bool = False  # first consumer of a new RTSP media: send a keyframe at once
    gop_phase: int = 0  # keyframes fall on ticks where (tick - gop_phase) % FPS == 0

    @property
    def key(self) -> str:
        return f"cam{self.camera}/{self.fmt.name}"


class VideoFarm:
    """Owns every simulated stream; sinks attach and detach as RTSP clients come and go."""

    def __init__(self, cameras: list[tuple[int, str, tuple[int, int, int]]], subtitle: str = "") -> None:
        self._lock = threading.Lock()
        self._streams: dict[str, SimStream] = {}
        self._scenes: dict[int, SceneRenderer] = {}
        self._ptz: dict[int, PtzSource] = {}
        for number, name, colour in cameras:
            scene = SceneRenderer(number, name, colour, subtitle)
            self._scenes[number] = scene
            self._ptz[number] = FixedMount()
            for fmt in (MAIN, SUB):
                label = f"CAM {number} · {name}" if fmt is MAIN else f"CAM {number}"
                band = BandRenderer(fmt.width, fmt.band_rows, number, label)
                stream = SimStream(number, fmt, scene, band, FrameSynthesizer(fmt.band_rows))
                self._streams[stream.key] = stream
        self._stop = threading.Event()
        self._wake_renderer = threading.Event()
        self._threads: list[threading.Thread] = []
        self._epoch = time.monotonic()
        self._rng = random.Random()
        self.frames_late = 0

    def bind_ptz(self, camera: int, source: PtzSource) -> None:
        """Let a PTZ model drive the camera's view (before start())."""
        self._ptz[camera] = source

    # --- consumers -------------------------------------------------------------------------
    def keys(self) -> list[str]:
        return list(self._streams)

    def attach(self, key: str, sink: Sink) -> None:
        with self._lock:
            stream = self._streams[key]
            # A new RTSP media describes the stream (SDP) from its first keyframe: like a camera
            # whose encoder is already running, answer at once; later viewers wait for a keyframe.
            stream.restart = not stream.sinks
            stream.sinks.append(sink)
        self._wake_renderer.set()
        log.info("stream %s: consumer attached", key)

    def detach(self, key: str, sink: Sink) -> None:
        with self._lock:
            stream = self._streams[key]
            if sink in stream.sinks:
                stream.sinks.remove(sink)
        log.info("stream %s: consumer detached", key)

    def consumers(self, key: str) -> int:
        with self._lock:
            return len(self._streams[key].sinks)

    def frames_sent(self, key: str) -> int:
        return self._streams[key].frames_sent

    def frames_delayed(self, key: str) -> int:
        """Frames of ``key`` handed to the RTSP server more than half a frame after they were due
        (a busy machine): a player may drop such a frame once the next one is already there."""
        return self._streams[key].frames_delayed

    # --- stills ------------------------------------------------------------------------------
    def snapshot_rgb(self, camera: int) -> npt.NDArray[np.uint8]:
        """The main picture as a camera snapshot would show it now (band included)."""
        rgb = self._scenes[camera].render(MAIN.width, MAIN.height, self._ptz[camera].position()).copy()
        band = self._streams[f"cam{camera}/main"].band.render(self.frame_number(), time.time())
        rgb[: band.shape[0]] = band[..., None]
        return rgb

    def frame_number(self) -> int:
        return int((time.monotonic() - self._epoch) / FRAME_S)

    # --- threads -----------------------------------------------------------------------------
    def start(self) -> None:
        for target, name in ((self._produce, "sim-video-producer"), (self._render, "sim-video-renderer")):
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)

    def close(self) -> None:
        self._stop.set()
        self._wake_renderer.set()
        for thread in self._threads:
            thread.join(timeout=5)
        self._threads.clear()

    def _active(self) -> list[SimStream]:
        with self._lock:
            return [s for s in self._streams.values() if s.sinks]

    def _produce(self) -> None:
        tick = self.frame_number()
        while not self._stop.is_set():
            tick += 1
            delay = self._epoch + tick * FRAME_S - time.monotonic()
            if delay > 0:
                self._stop.wait(delay)
            elif delay < -2 * FRAME_S:  # fell behind: skip, never burst
                self.frames_late += 1
                tick = self.frame_number()
            wall = time.time()
            due = self._epoch + tick * FRAME_S
            for stream in self._active():
                try:
                    self._emit(stream, tick, wall, due)
                except Exception:  # a bad frame must not stop the farm
                    log.exception("stream %s: frame %d failed", stream.key, tick)

    def _emit(self, stream: SimStream, tick: int, wall: float, due: float) -> None:
        band = stream.band.render(tick, wall)
        if stream.pending is not None:  # the picture changed (PTZ): a new GOP starts now
            stream.base, stream.pending = stream.pending, None
            stream.gop_phase = tick
            unit = stream.synth.idr(stream.base, band)
        elif stream.base is not None and (stream.restart or (tick - stream.gop_phase) % FPS == 0):
            if stream.restart:
                # A camera's encoder runs all the time: a new viewer joins at a random point of
                # its GOP. This keyframe only lets the RTSP server describe the stream.
                stream.restart = False
                stream.gop_phase = tick - self._rng.randrange(1, FPS)
            unit = stream.synth.idr(stream.base, band)
        elif stream.synth.base is not None:
            unit = stream.synth.p_frame(band)
        else:
            return  # like a real camera: a new viewer waits for the next keyframe
        stream.frames_sent += 1
        with self._lock:
            sinks = list(stream.sinks)
        if time.monotonic() - due > FRAME_S / 2:
            stream.frames_delayed += 1
        for sink in sinks:
            sink(unit)

    def _render(self) -> None:
        while not self._stop.is_set():
            self._wake_renderer.wait(0.05)
            self._wake_renderer.clear()
            for stream in self._active():
                try:
                    self._maybe_redraw(stream)
                except Exception:
                    log.exception("stream %s: redraw failed", stream.key)

    def _maybe_redraw(self, stream: SimStream) -> None:
        position = self._ptz[stream.camera].position()
        if stream.base is not None and _same(position, stream.drawn_at):
            return
        now = time.monotonic()
        if stream.base is not None and now - stream.drawn_time < stream.fmt.redraw_interval_s:
            return
        rgb = stream.scene.render(stream.fmt.width, stream.fmt.height, position)
        base = encode_base_picture(rgb, stream.fmt.band_rows)
        stream.drawn_at, stream.drawn_time = position, now
        if stream.base is None:
            stream.base = base  # first picture: starts at the next GOP boundary
        else:
            stream.pending = base  # the picture changed: a new GOP starts at once


def _same(a: Position, b: Position | None) -> bool:
    return (
        b is not None
        and abs(a.pan - b.pan) < 1e-4
        and abs(a.tilt - b.tilt) < 1e-4
        and abs(a.zoom - b.zoom) < 1e-4
    )
