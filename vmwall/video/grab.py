"""Frames from libVLC into numpy, through video callbacks: for tests, snapshots and analytics.

libVLC decodes into one of a few rotating buffers (a single buffer tears: the decoder writes the
next picture while a reader copies); the display callback publishes the buffer just completed.
No window is involved: a FrameGrabber plays headless.
"""

from __future__ import annotations

import ctypes
import threading
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from vmwall.video.engine import VideoEngine, get_engine


@dataclass(frozen=True, slots=True)
class Frame:
    rgb: npt.NDArray[np.uint8]  # H x W x 3, a copy the caller owns
    index: int  # 1 for the first picture displayed since play(), +1 per display (libVLC may redisplay one)
    received_at: float  # time.monotonic() when libVLC displayed it
    received_wall_ms: int  # wall clock (ms) at the same moment, to age a burned-in stamp


class FrameGrabber:
    """Plays one URL headless and keeps its latest frame, scaled to ``width`` x ``height`` (RV32)."""

    def __init__(
        self, width: int, height: int, *, engine: VideoEngine | None = None, buffers: int = 3
    ) -> None:
        if width <= 0 or height <= 0 or width % 2 or height % 2:
            raise ValueError("frame size must be positive and even")
        if buffers < 2:
            raise ValueError("at least two buffers (one buffer tears)")
        self.width, self.height = width, height
        self._engine = engine or get_engine()
        vlc = self._engine.vlc
        self._pitch = width * 4
        self._buffers = [np.zeros((height, width, 4), np.uint8) for _ in range(buffers)]
        self._pointers = [ctypes.c_void_p(b.ctypes.data) for b in self._buffers]
        self._lock = threading.Lock()
        self._new_frame = threading.Condition(self._lock)
        self._writing = 0
        self._latest: int | None = None
        self._latest_at = 0.0
        self._latest_wall_ms = 0
        self._count = 0
        # ctypes callbacks: kept as attributes so they outlive the player.
        self._lock_cb = vlc.CallbackDecorators.VideoLockCb(self._on_lock)
        self._unlock_cb = vlc.CallbackDecorators.VideoUnlockCb(self._on_unlock)
        self._display_cb = vlc.CallbackDecorators.VideoDisplayCb(self._on_display)
        self._player: Any = self._engine.new_player()
        self._player.video_set_callbacks(self._lock_cb, self._unlock_cb, self._display_cb, None)
        self._player.video_set_format("RV32", width, height, self._pitch)
        self._media: Any = None
        self._closed = False

    # --- libVLC's decoder thread -----------------------------------------------------------------
    def _on_lock(self, _opaque: Any, planes: Any) -> int:
        with self._lock:
            # Any buffer but the latest published one (a reader may be copying it).
            choice = next(i for i in range(len(self._buffers)) if i != self._latest and i != self._writing)
            self._writing = choice
        planes[0] = self._pointers[choice]
        return choice + 1  # the picture id handed back to unlock/display (non-NULL)

    def _on_unlock(self, _opaque: Any, _picture: Any, _planes: Any) -> None:
        return None

    def _on_display(self, _opaque: Any, picture: Any) -> None:
        with self._lock:
            self._latest = int(picture or 1) - 1
            self._latest_at = time.monotonic()
            self._latest_wall_ms = int(time.time() * 1000)
            self._count += 1
            self._writing = -1
            self._new_frame.notify_all()

    # --- any thread ------------------------------------------------------------------------------
    def play(self, url: str, *media_options: str) -> None:
        """Start playing ``url`` (returns at once; frames arrive later)."""
        self.stop()
        with self._lock:
            self._latest, self._count = None, 0
        self._media = self._engine.new_media(url, *media_options)
        self._player.set_media(self._media)
        self._player.play()

    def stop(self) -> None:
        if self._media is not None:
            self._player.stop()
            self._media.release()
            self._media = None

    @property
    def frames_displayed(self) -> int:
        return self._count

    def latest(self) -> Frame | None:
        with self._lock:
            if self._latest is None:
                return None
            rgb = self._buffers[self._latest][..., 2::-1].copy()  # BGRX in memory -> RGB
            return Frame(rgb, self._count, self._latest_at, self._latest_wall_ms)

    def wait_frame(self, timeout_s: float, after: int = 0) -> Frame:
        """The next frame whose index is greater than ``after``; TimeoutError if none comes."""
        deadline = time.monotonic() + timeout_s
        with self._lock:
            while self._count <= after or self._latest is None:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"no frame within {timeout_s:.1f} s")
                self._new_frame.wait(remaining)
            rgb = self._buffers[self._latest][..., 2::-1].copy()
            return Frame(rgb, self._count, self._latest_at, self._latest_wall_ms)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self.stop()
        self._player.release()

    def __enter__(self) -> FrameGrabber:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
