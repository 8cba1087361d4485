"""A tile is used all night: call-ups and closes must not leak memory, players or threads.

The tiles run in a child process, so its memory is the player's alone (the simulated farm and the
relay, which grow with every RTSP session they serve, stay in the test process).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.fixtures.ts_relay import TsRelay

pytestmark = [pytest.mark.cpu, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]


def test_call_ups_and_closes_do_not_leak(xvfb_display: str, relay: TsRelay) -> None:
    env = {**os.environ, "DISPLAY": xvfb_display, "QT_QPA_PLATFORM": "xcb", "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, __file__, relay.url(1), relay.url(2)],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    print(f"RSS {figures}")
    assert figures["after_calls"] - figures["start"] < 15, "call-ups leak"
    assert figures["end"] - figures["after_calls"] < 15, "closing tiles leaks"
    assert figures["threads_left"] == 0


def _child(urls: list[str], cycles: int = 200) -> None:
    from PySide6.QtWidgets import QApplication

    from tests.fixtures.display import native_surface, pump
    from vmwall.model import StreamKind
    from vmwall.video.status import TileSource, TileState
    from vmwall.video.tile_player import TilePlayer

    app = QApplication([])
    surfaces = [native_surface(320, 180) for _ in range(2)]
    pump(app, 0.2)
    windows = [int(s.winId()) for s in surfaces]
    sources = [TileSource(i + 1, "Roubaix", StreamKind.SUB, url) for i, url in enumerate(urls)]
    threads_before = threading.active_count()

    def wait_state(player: TilePlayer, state: TileState, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while player.status().state is not state:
            if time.monotonic() > deadline:
                raise AssertionError(f"no {state} (status {player.status()})")
            pump(app, 0.01)

    slow_call_ups: list[str] = []

    def cycle(player: TilePlayer, i: int, live: bool) -> None:
        player.play(sources[i % 2])
        if live:
            # The picture is there within 10 s, or the player declares it lost and tries again:
            # once in a run is tolerated and reported (the test is about leaks), more is a failure.
            started = time.monotonic()
            wait_state(player, TileState.LIVE, 30)
            if time.monotonic() - started > 10:
                slow_call_ups.append(f"call-up {i}: live after {time.monotonic() - started:.1f} s")
                assert len(slow_call_ups) <= 1, slow_call_ups
        else:
            pump(app, 0.05)
        player.stop()
        wait_state(player, TileState.IDLE, 5)

    player = TilePlayer(windows, show_surface=lambda _i: None, name="leak")
    for i in range(10):  # warm-up: libVLC's plugins, codecs, X11 buffers
        cycle(player, i, live=True)
    start = _rss_mb()
    for i in range(cycles):
        cycle(player, i, live=i % 10 == 0)
    after_calls = _rss_mb()
    player.close()
    for i in range(50):  # whole tiles created and closed, as layouts change
        other = TilePlayer(windows, show_surface=lambda _i: None, name=f"leak{i}")
        other.play(sources[i % 2])
        pump(app, 0.05)
        other.close()
    end = _rss_mb()
    print(
        json.dumps(
            {
                "call_ups": cycles,
                "start": round(start, 1),
                "after_calls": round(after_calls, 1),
                "end": round(end, 1),
                "threads_left": threading.active_count() - threads_before,
                "slow_call_ups": slow_call_ups,
            }
        )
    )


def _rss_mb() -> float:
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


if __name__ == "__main__":
    # python test_video_leak.py URL1 URL2 [CALL_UPS]  (bench/tile_memory.py runs 1,000)
    _child(sys.argv[1:3], int(sys.argv[3]) if len(sys.argv) > 3 else 200)
