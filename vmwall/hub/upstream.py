"""One camera stream pulled over RTSP (FFmpeg through PyAV), remuxed once to MPEG-TS, fanned out."""

from __future__ import annotations

import io
import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from typing import Any

import av

from vmwall.hub.fanout import Consumer, Unit
from vmwall.hub.gop import GopCache
from vmwall.hub.ts import TIMESTAMP_MODULO, first_timestamp, program_tables
from vmwall.redact import redact_text
from vmwall.video.backoff import Backoff

log = logging.getLogger(__name__)

TICKS = 90_000
STATS_WINDOW_S = 5.0


class StreamState(StrEnum):
    IDLE = "idle"
    CONNECTING = "connecting"
    LIVE = "live"
    RECONNECTING = "reconnecting"
    FAILED = "failed"  # the camera refuses (bad credentials, unknown stream): retried slowly


@dataclass(frozen=True, slots=True)
class Source:
    """Where to pull from. ``url`` may carry credentials: it is never logged or shown."""

    url: str
    label: str  # e.g. "camera 12 sub": for logs and status


@dataclass(frozen=True, slots=True)
class StreamStats:
    state: str
    bitrate_kbps: float
    fps: float
    keyframe_interval_frames: int | None
    keyframe_interval_s: float | None
    width: int | None
    height: int | None
    codec: str | None
    last_packet_age_s: float | None
    consumers: int
    reconnects: int
    sessions: int
    cached_frames: int
    last_error: str | None
    # How the last session started, in ms from the start of the attempt: RTSP setup and probing
    # (open), first packet, first keyframe (the wait for the camera's next keyframe).
    session_open_ms: float | None
    session_first_packet_ms: float | None
    session_first_keyframe_ms: float | None


class ByteSink(io.RawIOBase):
    """A file-like object collecting what a PyAV muxer writes, taken chunk by chunk."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self.chunks.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        data = b"".join(self.chunks)
        self.chunks.clear()
        return data


class _Muxer:
    """MPEG-TS muxer kept across camera reconnections, so players see one continuous stream."""

    def __init__(self, template: Any) -> None:
        self.sink = ByteSink()
        self.container = av.open(
            self.sink, "w", format="mpegts", options={"flush_packets": "1", "max_delay": "0"}
        )
        self.stream = self.container.add_stream_from_template(template)
        self.time_base = self.stream.time_base or Fraction(1, TICKS)
        # output ticks = 90 kHz ticks * tb_den / tb_num
        self.tb_num, self.tb_den = self.time_base.numerator * TICKS, self.time_base.denominator
        ctx = template.codec_context
        self.signature = (ctx.name, ctx.width, ctx.height, bytes(ctx.extradata or b""))

    def close(self) -> None:
        try:
            self.container.close()
        except Exception:  # closing a muxer whose peer vanished must not raise
            log.debug("muxer close failed", exc_info=True)


class Upstream:
    """Pulls one stream while anybody watches it (or it is kept warm); reconnects by itself."""

    def __init__(
        self,
        resolve: Callable[[], Source],
        *,
        open_timeout_s: float = 5.0,
        read_timeout_s: float = 3.0,
        rtsp_transport: str = "tcp",
        backoff: Backoff | None = None,
    ) -> None:
        self._resolve = resolve
        self.open_timeout_s = open_timeout_s
        self.read_timeout_s = read_timeout_s
        self.rtsp_transport = rtsp_transport
        self._backoff = backoff or Backoff(initial=0.5, cap=15.0)
        self._lock = threading.Lock()
        self._consumers: set[Consumer] = set()
        self._cache = GopCache()
        self._tables = b""
        self._pmt_pid: int | None = None
        self._muxer: _Muxer | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._state = StreamState.IDLE
        self._label = "stream"
        self._last_error: str | None = None
        self._reconnects = 0
        self._sessions = 0
        self._window: deque[tuple[float, int, bool]] = deque()
        self._last_key_at: float | None = None
        self._frames_since_key = 0
        self._key_interval_frames: int | None = None
        self._key_interval_s: float | None = None
        self._geometry: tuple[str | None, int | None, int | None] = (None, None, None)
        self._last_out_dts: int | None = None
        self._timings: dict[str, float] = {}
        self._refused: str | None = None
        self.idle_since = time.monotonic()

    # --- lifecycle ----------------------------------------------------------------------------
    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="hub-upstream", daemon=True)
            self._thread.start()

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self.read_timeout_s + self.open_timeout_s + 2)
            self._thread = None
        with self._lock:
            consumers = list(self._consumers)
            self._consumers.clear()
        for consumer in consumers:
            consumer.close()
        if self._muxer is not None:
            self._muxer.close()
            self._muxer = None

    # --- consumers ------------------------------------------------------------------------------
    def join(self, consumer: Consumer) -> None:
        """Register a player; it starts on the cached keyframe at once if there is one."""
        with self._lock:
            burst = self._cache.burst(self._tables) if self._tables else b""
            if burst:
                consumer.offer_burst(burst)
            else:
                consumer.start_at_next_keyframe()
            self._consumers.add(consumer)

    def leave(self, consumer: Consumer) -> None:
        with self._lock:
            self._consumers.discard(consumer)
            if not self._consumers:
                self.idle_since = time.monotonic()

    def _drop_consumers(self) -> None:
        with self._lock:
            consumers = list(self._consumers)
            self._consumers.clear()
            self.idle_since = time.monotonic()
        for consumer in consumers:
            consumer.close()

    @property
    def refusal(self) -> str | None:
        """Why the camera refuses this stream (e.g. credentials), while it does."""
        return self._refused

    @property
    def consumer_count(self) -> int:
        with self._lock:
            return len(self._consumers)

    # --- the pulling thread -----------------------------------------------------------------------
    def _run(self) -> None:
        while not self._stop.is_set():
            if self._refused is None:  # a refusing camera stays "failed" until it accepts again
                self._state = StreamState.CONNECTING if self._sessions == 0 else StreamState.RECONNECTING
            try:
                source = self._resolve()
                self._label = source.label
                self._session(source)
                error = None
            except av.error.HTTPUnauthorizedError:
                error = "the camera refused the credentials"
                self._state = StreamState.FAILED
                self._refused = error
                self._drop_consumers()  # their players learn it at once instead of waiting
            except (av.error.FFmpegError, OSError, ValueError, LookupError) as exc:
                error = redact_text(str(exc))
            except Exception as exc:  # garbage from a camera must never kill the hub
                error = redact_text(f"{type(exc).__name__}: {exc}")
                log.exception("%s: unexpected failure", self._label)
            if self._stop.is_set():
                break
            if error:
                self._last_error = error
            self._reconnects += 1
            delay = self._backoff.next_delay()
            log.warning("%s: %s; reconnecting in %.1f s", self._label, error or "stream ended", delay)
            if self._state is not StreamState.FAILED:
                self._state = StreamState.RECONNECTING
            self._stop.wait(delay)
        self._state = StreamState.IDLE

    def _session(self, source: Source) -> None:
        options = {
            "rtsp_transport": self.rtsp_transport,
            "timeout": str(int(self.read_timeout_s * 1_000_000)),
            "fflags": "nobuffer",
            "probesize": "32768",
            "analyzeduration": "0",
        }
        started = time.monotonic()
        timings: dict[str, float] = {}
        container = av.open(source.url, options=options, timeout=(self.open_timeout_s, self.read_timeout_s))
        timings["open"] = time.monotonic() - started
        try:
            if not container.streams.video:
                raise ValueError("the camera stream has no video")
            video = container.streams.video[0]
            self._prepare_muxer(video)
            self._sessions += 1
            session_base: tuple[int, int] | None = None  # (first input dts, output dts it maps to)
            # Integer time-base arithmetic: Fraction maths per packet costs more than the remux.
            base = video.time_base or Fraction(1, TICKS)
            num, den = base.numerator * TICKS, base.denominator
            for packet in container.demux(video):
                if self._stop.is_set():
                    return
                if packet.dts is None or packet.size == 0:
                    continue
                dts_in = packet.dts * num // den
                pts_in = packet.pts * num // den if packet.pts is not None else dts_in
                if session_base is None:
                    timings["first_packet"] = time.monotonic() - started
                    start = dts_in if self._last_out_dts is None else self._last_out_dts + 3600
                    session_base = (dts_in, start)
                dts = (dts_in - session_base[0] + session_base[1]) % TIMESTAMP_MODULO
                if (
                    self._last_out_dts is not None
                    and not 0 < (dts - self._last_out_dts) % TIMESTAMP_MODULO < TICKS * 10
                ):
                    continue  # out of order or a wild jump from a misbehaving camera: drop it
                if "first_keyframe" not in timings and packet.is_keyframe:
                    timings["first_keyframe"] = time.monotonic() - started
                    self._timings = timings
                self._emit(packet, dts, (pts_in - dts_in) + dts)
                if self._state is not StreamState.LIVE:
                    self._state = StreamState.LIVE
                    self._refused = None
                    self._backoff.reset()
                    self._last_error = None
            raise EOFError("the camera closed the stream")
        finally:
            container.close()

    def _prepare_muxer(self, video: Any) -> None:
        ctx = video.codec_context
        signature = (ctx.name, ctx.width, ctx.height, bytes(ctx.extradata or b""))
        if self._muxer is not None and self._muxer.signature == signature:
            return
        if self._muxer is not None:
            self._muxer.close()
        self._muxer = _Muxer(video)
        self._geometry = (ctx.name, ctx.width or None, ctx.height or None)
        with self._lock:
            self._cache.clear()
            self._tables = b""

    def _emit(self, packet: Any, dts: int, pts: int) -> None:
        muxer = self._muxer
        assert muxer is not None
        key = bool(packet.is_keyframe)
        packet.stream = muxer.stream
        packet.time_base = muxer.time_base
        packet.dts = dts * muxer.tb_den // muxer.tb_num
        packet.pts = pts * muxer.tb_den // muxer.tb_num
        muxer.container.mux(packet)
        data = muxer.sink.take()
        if not data:
            return
        now = time.monotonic()
        self._last_out_dts = dts
        unit_dts = first_timestamp(data)
        unit = Unit(data, key, dts if unit_dts is None else unit_dts, now)
        self._account(now, len(data), key)
        # The muxer leads a unit with its program tables every ~100 ms; most units start with video.
        if data[1] & 0x1F == 0 and data[2] < 0x20:
            pat, self._pmt_pid, pmt = program_tables(data, self._pmt_pid)
        else:
            pat = pmt = None
        with self._lock:
            if pat and pmt:
                self._tables = pat + pmt
            self._cache.add(unit)
            consumers = list(self._consumers)
            tables = self._tables
        for consumer in consumers:
            try:
                consumer.offer(unit, tables)
            except Exception:  # one broken player must never stop the camera for the others
                log.exception("%s: player %s failed; disconnecting it", self._label, consumer.peer)
                consumer.close()

    # --- statistics -------------------------------------------------------------------------------
    def _account(self, now: float, size: int, key: bool) -> None:
        self._window.append((now, size, key))
        while self._window and now - self._window[0][0] > STATS_WINDOW_S:
            self._window.popleft()
        self._frames_since_key += 1
        if key:
            if self._last_key_at is not None:
                self._key_interval_frames = self._frames_since_key
                self._key_interval_s = now - self._last_key_at
            self._last_key_at = now
            self._frames_since_key = 0

    def stats(self) -> StreamStats:
        now = time.monotonic()
        window = list(self._window)
        span = (window[-1][0] - window[0][0]) if len(window) > 1 else 0.0
        codec, width, height = self._geometry
        with self._lock:
            consumers = len(self._consumers)
            cached = len(self._cache.units)
        return StreamStats(
            state=str(self._state),
            bitrate_kbps=round(sum(s for _, s, _ in window[1:]) * 8 / span / 1000, 1) if span else 0.0,
            fps=round((len(window) - 1) / span, 2) if span else 0.0,
            keyframe_interval_frames=self._key_interval_frames,
            keyframe_interval_s=round(self._key_interval_s, 3) if self._key_interval_s else None,
            width=width,
            height=height,
            codec=codec,
            last_packet_age_s=round(now - window[-1][0], 3) if window else None,
            consumers=consumers,
            reconnects=self._reconnects,
            sessions=self._sessions,
            cached_frames=cached,
            last_error=self._last_error,
            session_open_ms=_ms(self._timings.get("open")),
            session_first_packet_ms=_ms(self._timings.get("first_packet")),
            session_first_keyframe_ms=_ms(self._timings.get("first_keyframe")),
        )


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 1)
