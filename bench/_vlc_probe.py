"""libVLC as a measuring instrument: play a URL, note when each picture is displayed and its stamp.

Video callbacks (RV32) deliver every displayed picture; the display callback copies only the top
rows (where the simulator's stamp is) and notes the wall clock, so the measurement costs little.
"""

from __future__ import annotations

import ctypes
import threading
import time
from dataclasses import dataclass, field

import numpy as np
import vlc

from vmwall.sim.stamp import Stamp, decode_stamp


@dataclass
class Shown:
    at_ms: int  # wall clock when libVLC displayed it
    stamp: Stamp | None


@dataclass
class ProbeResult:
    play_at_ms: int
    shown: list[Shown] = field(default_factory=list)

    @property
    def first_frame_ms(self) -> float | None:
        return float(self.shown[0].at_ms - self.play_at_ms) if self.shown else None

    def latencies_between(self, start_s: float, end_s: float) -> list[int]:
        lo, hi = self.play_at_ms + start_s * 1000, self.play_at_ms + end_s * 1000
        return [s.stamp.age_ms(s.at_ms) for s in self.shown if s.stamp and lo <= s.at_ms < hi]


class VlcProbe:
    def __init__(self, instance: vlc.Instance, width: int, height: int) -> None:
        self.instance = instance
        self.width, self.height = width, height
        self._buffer = np.zeros((height, width, 4), np.uint8)
        self._rows = max(8, int(height * 0.15))
        self._lock = threading.Lock()
        self._frames: list[tuple[int, np.ndarray]] = []
        self._lock_cb = vlc.CallbackDecorators.VideoLockCb(self._on_lock)
        self._unlock_cb = vlc.CallbackDecorators.VideoUnlockCb(self._on_unlock)
        self._display_cb = vlc.CallbackDecorators.VideoDisplayCb(self._on_display)

    def _on_lock(self, _opaque: int, planes: ctypes.Array[ctypes.c_void_p]) -> None:
        planes[0] = self._buffer.ctypes.data
        return None

    def _on_unlock(self, _opaque: int, _picture: int, _planes: object) -> None:
        return None

    def _on_display(self, _opaque: int, _picture: int) -> None:
        at = time.time_ns() // 1_000_000
        top = self._buffer[: self._rows, :, 2::-1].copy()  # BGRA → RGB
        with self._lock:
            self._frames.append((at, top))

    def run(self, url: str, seconds: float, options: tuple[str, ...] = ()) -> ProbeResult:
        self._frames = []
        player = self.instance.media_player_new()
        vlc.libvlc_video_set_callbacks(player, self._lock_cb, self._unlock_cb, self._display_cb, None)
        player.video_set_format("RV32", self.width, self.height, self.width * 4)
        media = self.instance.media_new(url, *options)
        player.set_media(media)
        result = ProbeResult(time.time_ns() // 1_000_000)
        player.play()
        time.sleep(seconds)
        player.stop()
        player.release()
        media.release()
        with self._lock:
            frames = list(self._frames)
        full = np.zeros((self.height, self.width, 3), np.uint8)
        for at, top in frames:
            full[: top.shape[0]] = top
            result.shown.append(Shown(at, decode_stamp(full)))
        return result
