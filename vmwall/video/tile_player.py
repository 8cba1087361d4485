"""TilePlayer: one live tile. Plays a stream into a native window, watches it, reconnects by itself.

Threads: every libVLC call of a tile happens on the tile's own worker thread (so a stuck stream or
a slow ``stop()`` never blocks the GUI or another tile). The public methods only enqueue and return.
libVLC event callbacks only wake the worker. ``on_change`` and ``show_surface`` are called from the
worker thread: the UI bridges them to its own thread (queued Qt signals).

Seamless switch: given two stacked surfaces (native child windows), a new source for a live tile
starts on the hidden surface; ``show_surface(i)`` is called once its first picture is displayed,
and the old stream is stopped a little later (the UI raises the surface asynchronously).

Health: libVLC events alone prove nothing (a stalled HTTP stream stays "playing"); the worker polls
the input statistics and calls a stream lost when no new picture was displayed for
``stall_timeout_s``, or none at all within ``connect_timeout_s`` of starting.
"""

from __future__ import annotations

import contextlib
import logging
import math
import queue
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from vmwall.redact import redact_url
from vmwall.video import x11
from vmwall.video.backoff import Backoff
from vmwall.video.engine import VideoEngine, bind_window, get_engine
from vmwall.video.snapshot import SnapshotInfo, annotate_png
from vmwall.video.status import TileSource, TileState, TileStats, TileStatus

log = logging.getLogger(__name__)

StatusCallback = Callable[[TileStatus], None]
SurfaceCallback = Callable[[int], None]


@dataclass(frozen=True, slots=True)
class PlayerConfig:
    connect_timeout_s: float = 10.0  # no first picture by then: lost
    stall_timeout_s: float = 3.0  # no new picture for this long while live: lost
    switch_timeout_s: float = 8.0  # the hidden stream of a switch must show a picture by then
    retire_delay_s: float = 0.4  # keep the old stream drawing this long after show_surface()
    stable_after_s: float = 10.0  # live this long: the next loss starts the backoff afresh
    tick_s: float = 0.1
    fps_window_s: float = 2.0  # displayed rate measured over this long
    backoff_initial_s: float = 0.5
    backoff_cap_s: float = 15.0
    backoff_jitter: float = 0.2
    keep_pixels_on_swap: bool = True  # X11: no black flash when the new surface is raised (see x11.py)


class _Slot:
    """One surface and the libVLC player bound to it."""

    def __init__(self, index: int, window: int, engine: VideoEngine, wake: Callable[[], None]) -> None:
        self.index = index
        self.window = window
        self._engine = engine
        vlc = engine.vlc
        self._ended_states = (vlc.State.Ended, vlc.State.Error)
        self._error_state = vlc.State.Error
        self.player: Any = engine.new_player()
        bind_window(self.player, window)
        self._events: Any = self.player.event_manager()
        self._event_types = (
            vlc.EventType.MediaPlayerVout,
            vlc.EventType.MediaPlayerEndReached,
            vlc.EventType.MediaPlayerEncounteredError,
        )
        for event_type in self._event_types:
            self._events.event_attach(event_type, lambda _event: wake())
        self._stats_struct: Any = vlc.MediaStats()
        self.media: Any = None
        self.source: TileSource | None = None
        self._reset(0.0)

    def _reset(self, now: float) -> None:
        self.started_at = now
        self.first_frame_at: float | None = None
        self.vout_at: float | None = None
        self.displayed = 0
        self.decoded = 0
        self.lost = 0
        self.input_kbit_s = 0.0
        self.corrupted = 0
        self.discontinuity = 0
        self.last_progress_at = now
        self.samples: deque[tuple[float, int]] = deque()
        self.fps = 0.0
        self.fps_at = now

    @property
    def busy(self) -> bool:
        return self.source is not None

    def start(self, source: TileSource, now: float) -> None:
        self.stop()
        self._reset(now)
        self.source = source
        self.media = self._engine.new_media(source.url)
        self.player.set_media(self.media)
        if self.player.play() != 0:
            log.warning("surface %d: libVLC refused to play %s", self.index, redact_url(source.url))

    def stop(self) -> None:
        if self.source is None and self.media is None:
            return
        self.player.stop()
        if self.media is not None:
            self.media.release()
        self.media = None
        self.source = None

    def poll(self, now: float, fps_window_s: float) -> None:
        if self.media is None:
            return
        if self.media.get_stats(self._stats_struct):
            s = self._stats_struct
            if s.displayed_pictures > self.displayed:
                self.last_progress_at = now
            self.displayed, self.decoded, self.lost = s.displayed_pictures, s.decoded_video, s.lost_pictures
            self.input_kbit_s = float(s.input_bitrate) * 8000.0  # libVLC counts bytes per millisecond
            self.corrupted, self.discontinuity = s.demux_corrupted, s.demux_discontinuity
        if self.vout_at is None and self.player.has_vout() > 0:
            self.vout_at = now
        if self.first_frame_at is None and (
            self.displayed > 0 or (self.vout_at is not None and now - self.vout_at >= 0.1)
        ):
            self.first_frame_at = now
            self.last_progress_at = now
        # libVLC updates its counters in steps: measure the rate between the moments they changed.
        if not self.samples or self.displayed != self.samples[-1][1]:
            self.samples.append((now, self.displayed))
        while len(self.samples) > 2 and now - self.samples[1][0] >= fps_window_s:
            self.samples.popleft()
        if now - self.fps_at >= 1.0 and self.samples:
            (t0, d0), (t1, d1) = self.samples[0], self.samples[-1]
            if now - t1 >= fps_window_s:
                self.fps = 0.0  # nothing displayed lately
            elif t1 - t0 >= fps_window_s / 2:
                self.fps = round((d1 - d0) / (t1 - t0), 1)
            self.fps_at = now

    def failure(self) -> str | None:
        """Why libVLC gave up on the stream, if it did."""
        state = self.player.get_state()
        if state in self._ended_states:
            return "stream error" if state == self._error_state else "stream ended"
        return None

    def stats(self) -> TileStats:
        return TileStats(
            self.displayed,
            self.decoded,
            self.lost,
            self.fps,
            self.input_kbit_s,
            self.corrupted,
            self.discontinuity,
        )

    def snapshot(self, path: Path) -> bool:
        return bool(self.player.video_take_snapshot(0, str(path), 0, 0) == 0)

    def release(self) -> None:
        self.stop()
        for event_type in self._event_types:
            with contextlib.suppress(Exception):
                self._events.event_detach(event_type)
        self.player.release()


class TilePlayer:
    """One tile's live video. Methods are thread-safe and never block on the network."""

    def __init__(
        self,
        windows: Sequence[int],
        *,
        on_change: StatusCallback | None = None,
        show_surface: SurfaceCallback | None = None,
        engine: VideoEngine | None = None,
        config: PlayerConfig = PlayerConfig(),
        name: str = "tile",
    ) -> None:
        if not 1 <= len(windows) <= 2:
            raise ValueError("a tile has one surface, or two for seamless switching")
        if len(windows) == 2 and show_surface is None:
            raise ValueError("two surfaces need show_surface() to raise the one being shown")
        self.name = name
        self._config = config
        self._engine = engine or get_engine()
        self._windows = [int(w) for w in windows]
        self._on_change = on_change
        self._show_surface = show_surface
        self._commands: queue.SimpleQueue[tuple[Any, ...]] = queue.SimpleQueue()
        self._status = TileStatus(TileState.IDLE)
        self._stats = TileStats()
        self._closed = threading.Event()
        self._close_requested = False
        self._thread = threading.Thread(target=self._run, name=f"video-{name}", daemon=True)
        self._started = threading.Event()
        self._start_error: BaseException | None = None
        self._thread.start()
        self._started.wait()
        if self._start_error is not None:
            raise self._start_error

    # --- public API (any thread) -----------------------------------------------------------------
    def play(self, source: TileSource) -> None:
        """Show ``source``: seamlessly if the tile is live and has two surfaces."""
        self._send("play", source)

    def stop(self) -> None:
        """Stop playing; the tile becomes IDLE (its surface black)."""
        self._send("stop")

    def refuse(self, source: TileSource | None, reason: str, state: TileState = TileState.REFUSED) -> None:
        """Show no video for ``source`` and say why (storage-only commune, no permission...)."""
        if state not in (TileState.REFUSED, TileState.NOT_AUTHORISED):
            raise ValueError("refuse() sets REFUSED or NOT_AUTHORISED")
        self._send("refuse", source, state, reason)

    def snapshot(self, path: Path, info: SnapshotInfo) -> Future[Path]:
        """PNG of the picture shown, at the stream's resolution, with ``info`` in its text chunks."""
        future: Future[Path] = Future()
        self._send("snapshot", path, info, future)
        return future

    def status(self) -> TileStatus:
        return self._status

    def stats(self) -> TileStats:
        return self._stats

    def close(self, timeout_s: float = 5.0) -> None:
        """Stop and free both players and the worker thread. Idempotent; waits for the worker."""
        if self._close_requested:
            if threading.current_thread() is not self._thread:
                self._closed.wait(timeout_s)
            return
        self._close_requested = True
        self._commands.put(("close",))
        if threading.current_thread() is not self._thread:
            self._thread.join(timeout_s)
            if self._thread.is_alive():
                log.error("%s: the video worker did not stop within %.1f s", self.name, timeout_s)

    @property
    def closed(self) -> bool:
        return self._closed.is_set()

    def _send(self, *command: Any) -> None:
        if self._close_requested:
            raise RuntimeError(f"{self.name} is closed")
        self._commands.put(command)

    # --- worker thread ---------------------------------------------------------------------------
    def _run(self) -> None:
        try:
            self._slots = [_Slot(i, w, self._engine, self._wake) for i, w in enumerate(self._windows)]
        except BaseException as exc:
            self._start_error = exc
            self._started.set()
            self._closed.set()
            return
        cfg = self._config
        self._backoff = Backoff(cfg.backoff_initial_s, cfg.backoff_cap_s, cfg.backoff_jitter)
        self._active = 0  # the surface shown (or to be shown)
        self._shown: int | None = None  # what show_surface() last made visible
        self._pending: int | None = None  # the surface preparing a switch
        self._retiring: dict[int, float] = {}  # surface -> when to stop it
        self._state = TileState.IDLE
        self._source: TileSource | None = None
        self._reason = ""
        self._retry_at: float | None = None
        self._live_since: float | None = None
        self._switch_retry_at: float | None = None
        self._switch_source: TileSource | None = None
        self._last_published: TileStatus | None = None
        self._started.set()
        try:
            while True:
                try:
                    command = self._commands.get(timeout=cfg.tick_s)
                except queue.Empty:
                    command = None
                if command is not None and command[0] == "close":
                    break
                now = time.monotonic()
                if command is not None and command[0] != "wake":
                    self._handle(command, now)
                self._poll(now)
                self._publish()
        except Exception:
            log.exception("%s: video worker failed", self.name)
        finally:
            self._drain_commands()
            for slot in self._slots:
                try:
                    slot.release()
                except Exception:
                    log.exception("%s: releasing surface %d failed", self.name, slot.index)
            self._state, self._source = TileState.IDLE, None
            self._status = TileStatus(TileState.IDLE)
            self._closed.set()

    def _drain_commands(self) -> None:
        while True:
            try:
                command = self._commands.get_nowait()
            except queue.Empty:
                return
            if command[0] == "snapshot":
                command[3].cancel()

    def _wake(self) -> None:  # libVLC thread: enqueue only
        self._commands.put(("wake",))

    def _handle(self, command: tuple[Any, ...], now: float) -> None:
        kind = command[0]
        if kind == "play":
            self._play(command[1], now)
        elif kind == "stop":
            self._stop_all()
            self._set(TileState.IDLE, None, "")
        elif kind == "refuse":
            self._stop_all()
            self._set(command[2], command[1], command[3])
        elif kind == "snapshot":
            self._snapshot(command[1], command[2], command[3])

    def _play(self, source: TileSource, now: float) -> None:
        self._switch_retry_at = self._switch_source = None
        shown = self._slots[self._active]
        if self._pending is not None and self._slots[self._pending].source == source:
            return  # already switching to it
        if self._state is TileState.LIVE and shown.source == source:
            self._stop_pending()
            return
        other = 1 - self._active
        if self._state is TileState.LIVE and len(self._slots) == 2 and shown.first_frame_at is not None:
            self._stop_pending()
            self._retiring.pop(other, None)
            self._pending = other
            self._slots[other].start(source, now)
            log.info(
                "%s: switching to camera %d %s on surface %d",
                self.name,
                source.camera,
                source.kind.value,
                other,
            )
            return
        self._stop_all()
        self._backoff.reset()
        self._start_active(source, now)
        self._set(TileState.CONNECTING, source, "", attempts=0)

    def _start_active(self, source: TileSource, now: float) -> None:
        slot = self._slots[self._active]
        slot.start(source, now)
        if self._shown != self._active:
            self._show(self._active)
        log.info("%s: playing camera %d %s", self.name, source.camera, source.kind.value)

    def _poll(self, now: float) -> None:
        cfg = self._config
        for index, when in list(self._retiring.items()):
            if now >= when:
                del self._retiring[index]
                self._slots[index].stop()
        for slot in self._slots:
            slot.poll(now, cfg.fps_window_s)
        if self._pending is not None:
            self._poll_switch(now)
        shown = self._slots[self._active]
        if self._state is TileState.CONNECTING:
            failure = shown.failure()
            if shown.first_frame_at is not None:
                self._live_since = now
                self._set(TileState.LIVE, self._source, "")
            elif failure is not None:
                self._lose(failure, now)
            elif now - shown.started_at >= cfg.connect_timeout_s:
                self._lose(f"no picture after {cfg.connect_timeout_s:.0f} s", now)
        elif self._state is TileState.LIVE:
            failure = shown.failure()
            if failure is not None:
                self._lose(failure, now)
            elif now - shown.last_progress_at >= cfg.stall_timeout_s:
                self._lose(f"no picture for {now - shown.last_progress_at:.0f} s", now)
            elif self._live_since is not None and now - self._live_since >= cfg.stable_after_s:
                self._backoff.reset()
                self._status = replace(self._status, attempts=0)
                self._live_since = None
            elif (
                self._switch_retry_at is not None
                and now >= self._switch_retry_at
                and self._switch_source is not None
            ):
                source, self._switch_retry_at = self._switch_source, None
                self._play(source, now)
        elif self._state is TileState.LOST and self._retry_at is not None and now >= self._retry_at:
            self._retry_at = None
            if self._source is not None:
                self._start_active(self._source, now)
                self._set(TileState.CONNECTING, self._source, self._reason)
        self._stats = shown.stats()

    def _poll_switch(self, now: float) -> None:
        assert self._pending is not None
        new = self._slots[self._pending]
        old_index = self._active
        if new.first_frame_at is not None:
            if self._config.keep_pixels_on_swap:
                changed = x11.keep_pixels_on_expose(new.window)
                log.debug("%s: background None on %d window(s) of surface %d", self.name, changed, new.index)
            self._show(self._pending)
            self._retiring[old_index] = now + self._config.retire_delay_s
            self._active, self._pending = self._pending, None
            self._backoff.reset()
            self._live_since = now
            self._set(TileState.LIVE, new.source, "", attempts=0)
            log.info("%s: switched to surface %d", self.name, self._active)
            return
        failure = new.failure()
        if failure is None and now - new.started_at < self._config.switch_timeout_s:
            return
        failure = failure or f"no picture after {self._config.switch_timeout_s:.0f} s"
        source = new.source
        assert source is not None
        old = self._slots[old_index].source
        self._stop_pending()
        if old is not None and old.camera == source.camera:
            # Same camera, other stream (a tile grew): keep showing what works, try again later.
            self._switch_source = source
            self._switch_retry_at = now + self._backoff.next_delay()
            log.warning(
                "%s: %s stream of camera %d failed (%s); staying on %s",
                self.name,
                source.kind.value,
                source.camera,
                failure,
                old.kind.value,
            )
            return
        # Another camera: the old picture must not stand in for it.
        self._slots[old_index].stop()
        self._source = source
        self._lose(failure, now)

    def _lose(self, reason: str, now: float) -> None:
        self._stop_all()
        delay = self._backoff.next_delay()
        self._retry_at = now + delay
        self._live_since = None
        log.warning(
            "%s: camera %s lost (%s); retrying in %.1f s",
            self.name,
            self._source.camera if self._source else "?",
            reason,
            delay,
        )
        self._set(TileState.LOST, self._source, reason, attempts=self._status.attempts + 1)

    def _stop_pending(self) -> None:
        if self._pending is not None:
            self._slots[self._pending].stop()
            self._pending = None

    def _stop_all(self) -> None:
        self._pending = None
        self._retiring.clear()
        self._retry_at = None
        self._switch_retry_at = self._switch_source = None
        for slot in self._slots:
            slot.stop()

    def _show(self, index: int) -> None:
        self._shown = index
        if self._show_surface is not None:
            try:
                self._show_surface(index)
            except Exception:
                log.exception("%s: show_surface(%d) failed", self.name, index)

    def _set(
        self, state: TileState, source: TileSource | None, reason: str, attempts: int | None = None
    ) -> None:
        self._state, self._source, self._reason = state, source, reason
        self._status = replace(
            self._status,
            state=state,
            source=source,
            reason=reason,
            attempts=self._status.attempts if attempts is None else attempts,
        )

    def _publish(self) -> None:
        now = time.monotonic()
        shown = self._slots[self._active]
        retry = math.ceil(self._retry_at - now) if self._retry_at is not None else None
        pending = self._slots[self._pending].source if self._pending is not None else None
        live = self._state is TileState.LIVE
        status = replace(
            self._status,
            retry_in_s=max(0, retry) if retry is not None and self._state is TileState.LOST else None,
            fps_displayed=shown.fps if live else 0.0,
            lost_pictures=shown.lost if live else 0,
            pending=pending,
        )
        if status != self._last_published:
            self._status = status
            self._last_published = status
            if self._on_change is not None:
                try:
                    self._on_change(status)
                except Exception:
                    log.exception("%s: on_change failed", self.name)

    def _snapshot(self, path: Path, info: SnapshotInfo, future: Future[Path]) -> None:
        if not future.set_running_or_notify_cancel():
            return
        shown = self._slots[self._active]
        if self._state is not TileState.LIVE:
            future.set_exception(RuntimeError("no live picture to snapshot"))
            return
        try:
            with tempfile.TemporaryDirectory(prefix="vmwall-snap-") as tmp:
                raw = Path(tmp) / "raw.png"
                if not shown.snapshot(raw) or not raw.exists():
                    raise RuntimeError("libVLC took no snapshot")
                annotate_png(raw, path, info)
            future.set_result(path)
        except Exception as exc:
            future.set_exception(exc)
