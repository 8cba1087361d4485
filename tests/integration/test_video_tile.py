"""TilePlayer with real libVLC in real X11 windows (Xvfb), on real streams of the simulated farm.

The streams are MPEG-TS over HTTP, remuxed from the farm's RTSP by ``tests.fixtures.ts_relay`` (a
stand-in for the stream hub that can be killed, frozen and restarted). Every claim about what a
tile shows is checked on its pixels: the burned-in stamp says which camera and how late.
"""

from __future__ import annotations

import queue
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest

from tests.fixtures.display import grab_window, native_surface, pump
from tests.fixtures.ts_relay import TsRelay
from vmwall.model import StreamKind
from vmwall.sim.stamp import decode_stamp
from vmwall.video.engine import get_engine
from vmwall.video.status import TileSource, TileState, TileStatus
from vmwall.video.tile_player import PlayerConfig, TilePlayer

pytestmark = pytest.mark.cpu

W, H = 640, 360


def _specs(farm: Any) -> dict[int, Any]:
    return {s.number: s for s in farm.specs}


def source(relay: TsRelay, camera: int, kind: StreamKind = StreamKind.SUB) -> TileSource:
    return TileSource(camera, "Roubaix", kind, relay.url(camera, kind.value))


class Tile:
    """What the console's tile widget does for a TilePlayer: two stacked native surfaces, a bridge."""

    def __init__(self, app: Any, config: PlayerConfig | None = None, name: str = "tile") -> None:
        from PySide6.QtCore import Qt
        from PySide6.QtWidgets import QWidget

        self.app = app
        self.container = QWidget()
        self.container.setAttribute(Qt.WidgetAttribute.WA_NativeWindow)
        self.container.resize(W, H)
        self.container.show()
        self.surfaces = [native_surface(W, H, self.container) for _ in range(2)]
        self.surfaces[0].raise_()
        pump(app, 0.2)
        self._raise: queue.SimpleQueue[int] = queue.SimpleQueue()
        self.statuses: list[TileStatus] = []
        self._lock = threading.Lock()
        self.shown = 0
        self.player = TilePlayer(
            [int(s.winId()) for s in self.surfaces],
            on_change=self._on_change,
            show_surface=self._raise.put,  # worker thread -> GUI thread, like a queued signal
            config=config or PlayerConfig(),
            name=name,
        )

    def _on_change(self, status: TileStatus) -> None:
        with self._lock:
            self.statuses.append(status)

    def states(self) -> list[TileState]:
        with self._lock:
            return [s.state for s in self.statuses]

    def pump(self, seconds: float = 0.0) -> None:
        deadline = time.monotonic() + seconds
        while True:
            while not self._raise.empty():
                self.shown = self._raise.get()
                self.surfaces[self.shown].raise_()
            self.app.processEvents()
            if time.monotonic() >= deadline:
                return
            time.sleep(0.005)

    def wait(self, predicate: Callable[[TileStatus], bool], timeout: float) -> TileStatus:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.pump()
            status = self.player.status()
            if predicate(status):
                return status
            time.sleep(0.01)
        raise AssertionError(f"timed out; last status {self.player.status()}, states {self.states()}")

    def grab(self) -> np.ndarray:
        return grab_window(self.container)

    def close(self) -> None:
        self.player.close()
        self.container.close()
        self.container.deleteLater()
        self.pump(0.05)


@pytest.fixture
def tile(native_qapp: Any) -> Iterator[Tile]:
    t = Tile(native_qapp)
    yield t
    t.close()


def wait_for_camera(tile: Tile, camera: int, timeout: float = 15.0) -> tuple[np.ndarray, float]:
    """Grab until the tile's pixels carry ``camera``'s stamp; returns the frame and when it showed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        tile.pump()
        frame = tile.grab()
        stamp = decode_stamp(frame)
        if stamp is not None and stamp.camera == camera:
            return frame, time.monotonic()
        time.sleep(0.01)
    raise AssertionError(f"camera {camera} never showed; status {tile.player.status()}")


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_plays_the_right_camera_connecting_then_live(tile: Tile, relay: TsRelay, sim_farm: Any) -> None:
    started = time.monotonic()
    tile.player.play(source(relay, 2))
    assert time.monotonic() - started < 0.05, "play() must not block"
    frame, shown_at = wait_for_camera(tile, 2)
    status = tile.wait(lambda s: s.state is TileState.LIVE, 5)
    assert status.source is not None and status.source.camera == 2
    assert tile.states()[0] is TileState.CONNECTING and TileState.LIVE in tile.states()
    # Video, not a black or frozen window; the camera's colour fills the sky of its scene.
    assert float(frame.std()) > 20
    sky = np.median(frame[45:70].reshape(-1, 3), axis=0)
    assert np.abs(sky - np.array(_specs(sim_farm)[2].colour)).max() < 20
    tile.pump(0.3)
    assert not np.array_equal(frame, tile.grab()), "the tile is frozen"
    # Steady state: how late the picture on screen is (the stamp carries the camera's wall clock).
    tile.pump(1.5)
    ages = []
    for _ in range(40):
        tile.pump(0.02)
        stamp = decode_stamp(tile.grab())
        if stamp is not None:
            ages.append(stamp.age_ms(int(time.time() * 1000)))
    assert len(ages) > 30
    print(f"first picture {shown_at - started:.2f} s after play(); latency p50 {np.median(ages):.0f} ms")
    assert np.median(ages) < 800
    # The displayed rate settles at the stream's 25 fps (the first measures cover the start-up).
    fps = tile.wait(lambda s: s.fps_displayed >= 20, 8).fps_displayed
    assert fps <= 30


def test_unreachable_source_is_lost_with_backoff_and_never_stalls_others(
    native_qapp: Any, relay: TsRelay
) -> None:
    dead = Tile(native_qapp, name="dead")
    alive = Tile(native_qapp, name="alive")
    try:
        alive.player.play(source(relay, 1))
        wait_for_camera(alive, 1)
        started = time.monotonic()
        dead.player.play(
            TileSource(9, "Roubaix", StreamKind.SUB, f"http://127.0.0.1:{closed_port()}/camera/9/sub.ts")
        )
        assert time.monotonic() - started < 0.05
        lost = dead.wait(lambda s: s.state is TileState.LOST, 5)
        assert lost.retry_in_s is not None and lost.retry_in_s >= 0 and lost.reason
        # It keeps trying, further and further apart (0.5, 1, 2, 4 s ± 20 %).
        dead.wait(lambda s: s.attempts >= 4, 12)
        lost_at = [i for i, s in enumerate(dead.statuses) if s.state is TileState.LOST]
        assert len(lost_at) >= 4
        retry_values = [s.retry_in_s for s in dead.statuses if s.state is TileState.LOST and s.retry_in_s]
        assert max(retry_values) >= 3, "the backoff does not grow"
        # Meanwhile the other tile played on.
        assert alive.player.status().state is TileState.LIVE
        assert alive.player.status().fps_displayed >= 20
        a, b = alive.grab(), (alive.pump(0.2), alive.grab())[1]
        assert not np.array_equal(a, b)
    finally:
        dead.close()
        alive.close()


def test_killed_source_is_lost_then_comes_back_by_itself(native_qapp: Any, relay: TsRelay) -> None:
    tile = Tile(native_qapp, PlayerConfig(backoff_cap_s=2.0))
    try:
        tile.player.play(source(relay, 3))
        wait_for_camera(tile, 3)
        relay.stop()
        lost = tile.wait(lambda s: s.state is TileState.LOST, 6)
        assert lost.source is not None and lost.source.camera == 3
        countdowns = set()
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline:
            tile.pump(0.05)
            status = tile.player.status()
            if status.state is TileState.LOST and status.retry_in_s is not None:
                countdowns.add(status.retry_in_s)
        assert countdowns, "no retry countdown while lost"
        relay.start()  # the same port again
        tile.wait(lambda s: s.state is TileState.LIVE, 15)
        wait_for_camera(tile, 3)
    finally:
        if relay._listener is None:
            relay.start()
        tile.close()


def test_stalled_source_is_lost_and_recovers(native_qapp: Any, relay: TsRelay) -> None:
    tile = Tile(native_qapp, PlayerConfig(stall_timeout_s=2.0, backoff_cap_s=2.0))
    try:
        tile.player.play(source(relay, 4))
        wait_for_camera(tile, 4)
        tile.wait(lambda s: s.state is TileState.LIVE, 5)
        relay.freeze()  # the connection stays open, nothing more arrives: libVLC still says "playing"
        frozen_at = time.monotonic()
        lost = tile.wait(lambda s: s.state is TileState.LOST, 8)
        assert "no picture" in lost.reason
        print(f"stall detected after {time.monotonic() - frozen_at:.1f} s")
        relay.freeze(False)
        tile.wait(lambda s: s.state is TileState.LIVE, 15)
        wait_for_camera(tile, 4)
    finally:
        relay.freeze(False)
        tile.close()


def _watch_switch(tile: Tile, until: Callable[[TileStatus], bool], timeout: float) -> list[np.ndarray]:
    """Grab as fast as possible until ``until`` holds, then 1 s more."""
    grabs = []
    deadline = time.monotonic() + timeout
    settled_at: float | None = None
    while time.monotonic() < deadline:
        tile.pump()
        grabs.append(tile.grab())
        if settled_at is None and until(tile.player.status()):
            settled_at = time.monotonic()
        if settled_at is not None and time.monotonic() - settled_at > 1.0:
            return grabs
    raise AssertionError(f"switch did not settle; status {tile.player.status()}")


def test_seamless_switch_sub_to_main_shows_no_black(tile: Tile, relay: TsRelay) -> None:
    tile.player.play(source(relay, 1))
    wait_for_camera(tile, 1)
    tile.wait(lambda s: s.state is TileState.LIVE, 5)
    tile.pump(0.5)
    tile.player.play(source(relay, 1, StreamKind.MAIN))
    grabs = _watch_switch(
        tile, lambda s: s.source is not None and s.source.kind is StreamKind.MAIN and s.pending is None, 15
    )
    spreads = [float(g.std()) for g in grabs]
    assert len(grabs) > 50
    assert min(spreads) > 20, f"a black or blank picture during the switch (min spread {min(spreads):.1f})"
    assert all(decode_stamp(g) is not None for g in grabs[-10:])
    assert {decode_stamp(g).camera for g in grabs if decode_stamp(g)} == {1}  # type: ignore[union-attr]
    assert tile.player.status().state is TileState.LIVE
    assert TileState.CONNECTING not in tile.states()[2:], "a seamless switch never shows 'connecting'"


def test_camera_change_is_seamless(tile: Tile, relay: TsRelay) -> None:
    tile.player.play(source(relay, 1))
    wait_for_camera(tile, 1)
    tile.wait(lambda s: s.state is TileState.LIVE, 5)
    tile.player.play(source(relay, 3))
    grabs = _watch_switch(
        tile, lambda s: s.source is not None and s.source.camera == 3 and s.pending is None, 15
    )
    assert min(float(g.std()) for g in grabs) > 20, "a black picture during the camera change"
    cameras = [s.camera for g in grabs if (s := decode_stamp(g)) is not None]
    assert cameras[0] == 1 and cameras[-1] == 3
    switch = cameras.index(3)
    assert set(cameras[switch:]) == {3}, "the old camera came back after the switch"


def test_camera_change_to_a_dead_camera_drops_the_old_picture(tile: Tile, relay: TsRelay) -> None:
    tile.player._config = PlayerConfig(switch_timeout_s=2.0)  # type: ignore[misc]
    tile.player.play(source(relay, 2))
    wait_for_camera(tile, 2)
    tile.wait(lambda s: s.state is TileState.LIVE, 5)
    dead = TileSource(7, "Roubaix", StreamKind.SUB, f"http://127.0.0.1:{closed_port()}/camera/7/sub.ts")
    tile.player.play(dead)
    lost = tile.wait(lambda s: s.state is TileState.LOST, 5)
    assert lost.source == dead
    tile.pump(0.5)
    assert decode_stamp(tile.grab()) is None, "camera 2 still shown under camera 7's name"


def test_refused_source_plays_nothing(tile: Tile, relay: TsRelay) -> None:
    tile.player.play(source(relay, 2))
    wait_for_camera(tile, 2)
    refused = source(relay, 2)
    tile.player.refuse(refused, "commune en stockage seul")
    status = tile.wait(lambda s: s.state is TileState.REFUSED, 3)
    assert status.reason == "commune en stockage seul" and status.source == refused
    tile.pump(0.5)
    assert decode_stamp(tile.grab()) is None
    tile.player.refuse(None, "pas d'habilitation", TileState.NOT_AUTHORISED)
    tile.wait(lambda s: s.state is TileState.NOT_AUTHORISED, 3)
    with pytest.raises(ValueError):
        tile.player.refuse(None, "x", TileState.LIVE)


def test_stop_then_close_is_idempotent_and_frees_the_thread(native_qapp: Any, relay: TsRelay) -> None:
    before = {t.name for t in threading.enumerate()}
    tile = Tile(native_qapp, name="closing")
    tile.player.play(source(relay, 1))
    wait_for_camera(tile, 1)
    tile.player.stop()
    tile.wait(lambda s: s.state is TileState.IDLE, 3)
    tile.close()
    tile.player.close()
    assert tile.player.closed
    assert "video-closing" not in {t.name for t in threading.enumerate()} - before
    with pytest.raises(RuntimeError):
        tile.player.play(source(relay, 1))


def test_engine_is_one_per_process() -> None:
    assert get_engine() is get_engine()


def test_snapshot_of_a_live_tile_is_full_resolution_with_metadata(
    tile: Tile, relay: TsRelay, tmp_path: Any
) -> None:
    from datetime import UTC, datetime

    from PIL import Image

    from vmwall.video.snapshot import SnapshotInfo, read_png_info

    tile.player.play(source(relay, 2, StreamKind.MAIN))
    wait_for_camera(tile, 2)
    tile.wait(lambda s: s.state is TileState.LIVE, 5)
    info = SnapshotInfo(2, "Tourcoing", datetime.now(UTC), stream="main")
    path = tile.player.snapshot(tmp_path / "snap.png", info).result(timeout=5)
    with Image.open(path) as image:
        assert image.size == (1920, 1080)
        stamp = decode_stamp(np.asarray(image.convert("RGB")))
    assert stamp is not None and stamp.camera == 2
    assert read_png_info(path)["vmwall:commune"] == "Tourcoing"


def test_plays_through_the_stream_hub(tile: Tile, hub: Any) -> None:
    from vmwall.hub.client import HubClient

    client = HubClient(base_url=hub.url(""))
    started = time.monotonic()
    tile.player.play(TileSource(3, "Roubaix", StreamKind.SUB, client.stream_url(3, StreamKind.SUB)))
    _, shown_at = wait_for_camera(tile, 3)
    tile.wait(lambda s: s.state is TileState.LIVE, 5)
    tile.pump(2.0)
    ages = []
    for _ in range(30):
        tile.pump(0.03)
        stamp = decode_stamp(tile.grab())
        if stamp is not None:
            ages.append(stamp.age_ms(int(time.time() * 1000)))
    print(f"through the hub: first picture {shown_at - started:.2f} s, latency p50 {np.median(ages):.0f} ms")
    assert len(ages) > 20 and np.median(ages) < 800
    # The tile grows: the main stream, seamlessly, through the hub too.
    tile.player.play(TileSource(3, "Roubaix", StreamKind.MAIN, client.stream_url(3, StreamKind.MAIN)))
    grabs = _watch_switch(
        tile, lambda s: s.source is not None and s.source.kind is StreamKind.MAIN and s.pending is None, 15
    )
    assert min(float(g.std()) for g in grabs) > 20
