"""The stream hub on real parts: the simulated farm's RTSP servers, FFmpeg and libVLC as players."""

from __future__ import annotations

import json
import logging
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.fixtures.hub import HubThread
from tests.fixtures.sim import decode_frames
from vmwall.hub.service import HubOptions
from vmwall.model import Camera, Commune, Forfait, StreamKind
from vmwall.sim.stamp import decode_stamp
from vmwall.store import CameraRepository, CommuneRepository, open_database

pytestmark = pytest.mark.cpu


def _frames_via_hub(hub: HubThread, camera: int, kind: str, seconds: float) -> np.ndarray:
    w, h = (640, 360) if kind == "sub" else (1920, 1080)
    return decode_frames(hub.url(f"/camera/{camera}/{kind}.ts"), w, h, seconds)


def test_player_gets_the_right_camera_through_the_hub(hub: HubThread) -> None:
    frames = _frames_via_hub(hub, 2, "sub", 2.0)
    stamps = [decode_stamp(f) for f in frames]
    assert len(frames) >= 40 and all(stamps), "frames without a readable stamp"
    assert {s.camera for s in stamps if s} == {2}
    status = hub.status(2, "sub")
    assert status is not None
    assert (status["width"], status["height"], status["codec"]) == (640, 360, "h264")
    assert status["keyframe_interval_frames"] == 25
    assert 20 <= status["fps"] <= 30


def test_one_camera_session_for_many_players(hub: HubThread) -> None:
    results: list[np.ndarray] = []
    threads = [
        threading.Thread(target=lambda: results.append(_frames_via_hub(hub, 1, "sub", 2.5))) for _ in range(4)
    ]
    for t in threads:
        t.start()
    time.sleep(1.5)
    status = hub.status(1, "sub")
    for t in threads:
        t.join(30)
    assert status is not None and status["sessions"] == 1 and status["consumers"] == 4
    assert len(results) == 4
    assert all(decode_stamp(frames[-1]) is not None for frames in results)


def test_warm_player_starts_on_the_cached_keyframe_close_to_live(hub: HubThread) -> None:
    """A second player gets a decodable picture at once, and the picture is recent, not a GOP old."""
    keeper = subprocess.Popen(
        [
            "ffmpeg",
            "-nostdin",
            "-v",
            "error",
            "-i",
            hub.url("/camera/3/sub.ts"),
            "-c",
            "copy",
            "-f",
            "null",
            "-",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        time.sleep(2.5)  # the hub is pulling camera 3 and holds its current GOP
        import vlc

        from bench._vlc_probe import VlcProbe

        probe = VlcProbe(vlc.Instance("--no-audio", "--quiet", "--no-xlib"), 640, 360)
        firsts, settled = [], []
        for _ in range(3):
            result = probe.run(hub.url("/camera/3/sub.ts"), 3.0, (":network-caching=300",))
            assert result.first_frame_ms is not None, "libVLC displayed nothing"
            firsts.append(result.first_frame_ms)
            settled += result.latencies_between(2.0, 3.0)
            assert {s.stamp.camera for s in result.shown if s.stamp} == {3}
    finally:
        keeper.terminate()
        keeper.wait(10)
    assert sorted(firsts)[1] < 600, f"warm call-up took {firsts} ms"
    # Brought back to live: settled latency is the player's caching plus decoding, not caching + GOP age.
    assert settled and float(np.median(settled)) < 900, f"latency {np.median(settled)} ms"


def test_camera_lost_and_back_while_the_player_stays(tmp_path: Path, memory_keyring: Any) -> None:
    from vmwall.sim.farm import FarmOptions, SimFarm

    port = _free_port()
    options = FarmOptions(
        cameras=1, rtsp_base_port=port, onvif_base_port=0, motion_interval_s=None, require_rtsp_auth=False
    )
    farm = SimFarm(options, tmp_path / "devices.json")
    farm.start()
    db = open_database(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    commune = CommuneRepository(db).add(Commune("Test", "59350", Forfait.LIVE_24_7))
    assert commune.id
    CameraRepository(db).add(Camera(1, "Cam", commune.id, sub_uri=f"rtsp://127.0.0.1:{port}/sub"))
    hub = HubThread(db, HubOptions(port=0)).start()
    reader = _TsReader(hub.port, "/camera/1/sub.ts")
    try:
        reader.start()
        _wait(lambda: reader.frames > 20, 10, "no frames before the camera was lost")
        farm.close()
        _wait(lambda: (hub.status(1, "sub") or {}).get("state") == "reconnecting", 15, "loss not noticed")
        frames_during_loss = reader.frames
        assert not reader.closed, "the player was disconnected"
        time.sleep(1.0)
        farm = SimFarm(options, tmp_path / "devices.json")
        farm.start()
        _wait(lambda: reader.frames > frames_during_loss + 25, 30, "the stream did not resume for the player")
        status = hub.status(1, "sub")
        assert status is not None and status["reconnects"] >= 1 and status["state"] == "live"
    finally:
        reader.stop()
        hub.stop()
        farm.close()
        db.close()


def test_slow_player_never_slows_the_others(hub: HubThread) -> None:
    slow = socket.create_connection(("127.0.0.1", hub.port))
    slow.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    slow.sendall(b"GET /camera/4/main.ts HTTP/1.1\r\nHost: x\r\n\r\n")  # and never reads
    fast = _TsReader(hub.port, "/camera/4/main.ts")
    try:
        fast.start()
        time.sleep(8)
        frames = fast.frames
        upstream = hub.hub.registry.upstream((4, StreamKind.MAIN))
        with upstream._lock:
            consumers = list(upstream._consumers)
        assert max(c.resyncs for c in consumers) >= 1, "the stuck player was never cut back"
        assert max(c.pending_bytes for c in consumers) <= 8 * 1024 * 1024
        assert max(c.dropped_units for c in consumers) > 0
        assert frames >= 25 * 6, f"the fast player got only {frames} frames in 8 s"
        assert fast.cc_errors == 0
    finally:
        fast.stop()
        slow.close()


def test_garbage_from_a_camera_never_hurts_the_hub(hub: HubThread, registered_farm: Any) -> None:
    _, db = registered_farm
    garbage = _GarbageServer()
    commune = CommuneRepository(db).get_by_name("Simulation")
    assert commune and commune.id
    CameraRepository(db).upsert_by_number(
        Camera(77, "Garbage", commune.id, sub_uri=f"rtsp://127.0.0.1:{garbage.port}/sub")
    )
    hub.hub.directory.invalidate()
    try:
        request = urllib.request.urlopen(hub.url("/camera/77/sub.ts"), timeout=5)
        _wait(lambda: ((hub.status(77, "sub") or {}).get("reconnects") or 0) >= 2, 20, "no retry on garbage")
        status = hub.status(77, "sub")
        assert (
            status is not None and status["state"] in ("reconnecting", "connecting") and status["last_error"]
        )
        request.close()
        # Meanwhile the hub serves real cameras as before.
        assert decode_stamp(_frames_via_hub(hub, 1, "sub", 1.0)[-1]) is not None
    finally:
        garbage.close()
        CameraRepository(db).delete(CameraRepository(db).get_by_number(77).id)  # type: ignore[union-attr]


def test_errors_are_plain_and_credentials_never_leak(
    hub: HubThread, registered_farm: Any, caplog: pytest.LogCaptureFixture
) -> None:
    farm, db = registered_farm
    caplog.set_level(logging.DEBUG)
    with pytest.raises(urllib.error.HTTPError) as missing:
        urllib.request.urlopen(hub.url("/camera/999/sub.ts"), timeout=5)
    assert missing.value.code == 404 and "no camera number 999" in missing.value.read().decode()
    refused_list = json.loads(urllib.request.urlopen(hub.url("/api/streams"), timeout=5).read())["refused"]
    expected = {"camera": 999, "kind": "sub", "status": 404, "error": "no camera number 999 in the catalogue"}
    assert expected in refused_list
    # A storage-only commune is never shown live.
    storage = CommuneRepository(db).add(Commune("Archives", "59999", Forfait.STORAGE_ONLY))
    assert storage.id
    CameraRepository(db).add(Camera(88, "Stockage", storage.id, sub_uri="rtsp://127.0.0.1:9/sub"))
    hub.hub.directory.invalidate()
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(hub.url("/camera/88/sub.ts"), timeout=5)
    assert refused.value.code == 403 and "storage only" in refused.value.read().decode()
    # Malformed requests get an answer and change nothing.
    for junk in (b"\x00\xff" * 100 + b"\r\n\r\n", b"GET\r\n\r\n", b"GET /camera/1/x.ts HTTP/1.1\r\n\r\n"):
        with socket.create_connection(("127.0.0.1", hub.port), timeout=5) as s:
            s.sendall(junk)
            assert s.recv(4096).split(b" ")[1] in (b"400", b"404")
    _frames_via_hub(hub, 1, "sub", 1.0)
    status = json.loads(urllib.request.urlopen(hub.url("/api/streams"), timeout=5).read())
    text = json.dumps(status) + caplog.text
    for spec in farm.specs:
        assert spec.password not in text
    CameraRepository(db).delete(CameraRepository(db).get_by_number(88).id)  # type: ignore[union-attr]


class _TsReader(threading.Thread):
    """A raw HTTP player counting frames (PES starts) and continuity errors on the video PID."""

    def __init__(self, port: int, path: str) -> None:
        super().__init__(daemon=True)
        self.port, self.path = port, path
        self.frames = 0
        self.cc_errors = 0
        self.closed = False
        self._halt = threading.Event()

    def run(self) -> None:
        sock = socket.create_connection(("127.0.0.1", self.port))
        sock.sendall(f"GET {self.path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        sock.settimeout(0.5)
        buffer = b""
        header_done = False
        last: dict[int, int] = {}
        while not self._halt.is_set():
            try:
                chunk = sock.recv(1 << 16)
            except TimeoutError:
                continue
            if not chunk:
                self.closed = True
                break
            buffer += chunk
            if not header_done:
                if b"\r\n\r\n" not in buffer:
                    continue
                buffer = buffer.split(b"\r\n\r\n", 1)[1]
                header_done = True
            whole = len(buffer) - len(buffer) % 188
            for at in range(0, whole, 188):
                pid = ((buffer[at + 1] & 0x1F) << 8) | buffer[at + 2]
                if pid < 0x20 or pid == 0x1000 or not buffer[at + 3] & 0x10:
                    continue
                cc = buffer[at + 3] & 0x0F
                if pid in last and cc != (last[pid] + 1) % 16:
                    self.cc_errors += 1
                last[pid] = cc
                if buffer[at + 1] & 0x40:
                    self.frames += 1
            buffer = buffer[whole:]
        sock.close()

    def stop(self) -> None:
        self._halt.set()
        self.join(5)


class _GarbageServer:
    """A "camera" that answers every connection with random bytes."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        rng = np.random.default_rng(7)
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            try:
                conn.recv(4096)
                conn.sendall(rng.integers(0, 256, 20000, dtype=np.uint8).tobytes())
            except OSError:
                pass
            finally:
                conn.close()

    def close(self) -> None:
        self.sock.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait(condition: Any, timeout: float, message: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(message)
