"""The simulated farm over real RTSP (GStreamer server, FFmpeg client) and real ONVIF SOAP."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import os
import statistics
import subprocess
import threading
import time
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

from tests.fixtures.sim import decode_frames, require_tools, rtsp_url
from vmwall.sim.stamp import decode_stamp

pytestmark = pytest.mark.cpu


def _spec(farm: Any, number: int) -> Any:
    return next(s for s in farm.specs if s.number == number)


def _ffprobe(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    """ffprobe over RTSP/TCP: the client a technician uses to check a camera."""
    return subprocess.run(
        ["ffprobe", "-v", "error", "-rtsp_transport", "tcp", *args, url],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def _probe(url: str) -> dict[str, Any]:
    # 100 frames for the frame rate, not 20: frames are stamped when they leave, and on a busy
    # machine 20 of them could average to 299/12 (seen in CI); a technician's longer probe says 25.
    result = _ffprobe(url, "-fpsprobesize", "100", "-select_streams", "v", "-show_streams", "-of", "json")
    assert result.returncode == 0, result.stderr
    streams = json.loads(result.stdout)["streams"]
    assert len(streams) == 1
    return streams[0]


@pytest.mark.parametrize(("kind", "width", "height"), [("main", 1920, 1080), ("sub", 640, 360)])
def test_ffprobe_sees_h264_at_25_fps(sim_farm: Any, kind: str, width: int, height: int) -> None:
    spec = _spec(sim_farm, 1)
    uri = spec.rtsp_main_uri if kind == "main" else spec.rtsp_sub_uri
    stream = _probe(rtsp_url(uri, spec.username, spec.password))
    assert stream["codec_name"] == "h264"
    assert (stream["width"], stream["height"]) == (width, height)
    assert stream["r_frame_rate"] == "25/1"


def test_rtp_timestamps_advance_40_ms_per_frame(sim_farm: Any) -> None:
    """The 90 kHz clock runs at the frames' pace: 3600 ticks a frame on average (each step carries
    the moment the frame left, so a busy machine makes single steps jitter, not the rate)."""
    spec = _spec(sim_farm, 1)
    url = rtsp_url(spec.rtsp_sub_uri, spec.username, spec.password)
    result = _ffprobe(url, "-select_streams", "v", "-show_packets", "-read_intervals", "%+3", "-of", "json")
    assert result.returncode == 0, result.stderr
    pts = [int(p["pts"]) for p in json.loads(result.stdout)["packets"] if "pts" in p]
    assert len(pts) >= 60
    steps = [b - a for a, b in itertools.pairwise(pts)]
    assert all(step > 0 for step in steps)
    assert abs(statistics.mean(steps) - 3600) < 120, statistics.mean(steps)


@pytest.mark.parametrize("transport", ["tcp", "udp"])
def test_frames_show_camera_clock_and_counter(sim_farm: Any, transport: str) -> None:
    spec = _spec(sim_farm, 2)
    frames = decode_frames(
        rtsp_url(spec.rtsp_sub_uri, spec.username, spec.password), 640, 360, 3.0, transport
    )
    assert len(frames) >= 70  # 3 s at 25 fps, minus the wait for the first keyframe
    stamps = [decode_stamp(f) for f in frames]
    assert all(s is not None for s in stamps), "a frame lost its burned-in stamp"
    assert {s.camera for s in stamps if s} == {2}
    counters = [s.frame for s in stamps if s]
    assert all(b - a == 1 for a, b in itertools.pairwise(counters)), "frames were skipped"
    times = [s.time_ms for s in stamps if s]
    steps = np.diff(times)
    assert 36 <= float(np.median(steps)) <= 44  # a 25 fps clock
    # The clock is the wall clock: the newest frame is recent.
    last = stamps[-1]
    assert last is not None and last.age_ms(int(time.time() * 1000)) < 3000
    # The camera's colour fills the sky of its scene.
    sky = np.median(frames[-1][45:70].reshape(-1, 3), axis=0)
    assert np.abs(sky - np.array(spec.colour)).max() < 14


def test_each_camera_is_told_apart_by_its_pixels(sim_farm: Any) -> None:
    seen = {}
    for number in (1, 3):
        spec = _spec(sim_farm, number)
        frame = decode_frames(rtsp_url(spec.rtsp_sub_uri, spec.username, spec.password), 640, 360, 1.2)[-1]
        stamp = decode_stamp(frame)
        assert stamp is not None
        seen[number] = (stamp.camera, tuple(np.median(frame[45:70].reshape(-1, 3), axis=0)))
    assert seen[1][0] == 1 and seen[3][0] == 3
    assert np.abs(np.array(seen[1][1]) - np.array(seen[3][1])).max() > 30


def test_keyframe_every_second(sim_farm: Any) -> None:
    spec = _spec(sim_farm, 1)
    url = rtsp_url(spec.rtsp_main_uri, spec.username, spec.password)
    result = _ffprobe(
        url,
        "-read_intervals",
        "%+4.5",
        "-select_streams",
        "v",
        "-show_entries",
        "frame=key_frame",
        "-of",
        "csv=p=0",
    )
    assert result.returncode == 0, result.stderr
    flags = [line.strip().rstrip(",") for line in result.stdout.splitlines() if line.strip()]
    keys = [i for i, flag in enumerate(flags) if flag == "1"]
    assert len(keys) >= 3
    # The first keyframe may be the one that started the camera's encoder for this viewer.
    assert all(b - a == 25 for a, b in itertools.pairwise(keys[1:]))


def test_wrong_rtsp_password_is_refused(sim_farm: Any) -> None:
    spec = _spec(sim_farm, 1)
    result = _ffprobe(rtsp_url(spec.rtsp_main_uri, spec.username, "nope"))
    assert result.returncode != 0
    assert "401" in result.stderr


def test_onvif_stream_uri_plays(sim_farm: Any) -> None:
    """What a client learns over ONVIF (GetProfiles, GetStreamUri) is a stream that plays."""
    from onvif import ONVIFCamera

    spec = _spec(sim_farm, 3)

    async def stream_uris() -> dict[str, str]:
        camera = ONVIFCamera(spec.host, spec.onvif_port, spec.username, spec.password)
        await camera.update_xaddrs()
        media = await camera.create_media_service()
        uris = {}
        for profile in await media.GetProfiles():
            answer = await media.GetStreamUri(
                {
                    "StreamSetup": {"Stream": "RTP-Unicast", "Transport": {"Protocol": "RTSP"}},
                    "ProfileToken": profile.token,
                }
            )
            uris[profile.token] = answer.Uri
        await camera.close()
        return uris

    uris = asyncio.run(stream_uris())
    assert set(uris) == {"main", "sub"}
    frames = decode_frames(rtsp_url(uris["sub"], spec.username, spec.password), 640, 360, 1.2)
    stamp = decode_stamp(frames[-1])
    assert stamp is not None and stamp.camera == 3


def test_ptz_move_changes_the_picture(sim_farm: Any) -> None:
    """An AbsoluteMove over ONVIF turns the simulated camera: the scene under the band moves."""
    from onvif import ONVIFCamera

    spec = _spec(sim_farm, 1)
    url = rtsp_url(spec.rtsp_sub_uri, spec.username, spec.password)
    before = decode_frames(url, 640, 360, 1.2)[-1]

    async def move() -> None:
        camera = ONVIFCamera(spec.host, spec.onvif_port, spec.username, spec.password)
        await camera.update_xaddrs()
        ptz = await camera.create_ptz_service()
        await ptz.AbsoluteMove(
            {
                "ProfileToken": "main",
                "Position": {"PanTilt": {"x": 0.4, "y": 0.2}, "Zoom": {"x": 0.6}},
                "Speed": {"PanTilt": {"x": 1.0, "y": 1.0}, "Zoom": {"x": 1.0}},
            }
        )
        await camera.close()

    asyncio.run(move())
    deadline = time.monotonic() + 10
    while sim_farm.onvif.ptz(1).is_moving() and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(0.5)
    after = decode_frames(url, 640, 360, 1.2)[-1]
    scene_diff = np.abs(before[60:].astype(int) - after[60:].astype(int)).mean()
    assert scene_diff > 3, "the picture did not change after the PTZ move"
    stamp = decode_stamp(after)
    assert stamp is not None and stamp.camera == 1


def test_fixed_camera_has_no_ptz(sim_farm: Any) -> None:
    assert _spec(sim_farm, 4).ptz is False
    assert _spec(sim_farm, 1).ptz is True


def test_ffplay_plays_the_stream(sim_farm: Any) -> None:
    """ffplay (an SDL window on a virtual X display) plays the stream: its clock runs, no frame dropped."""
    require_tools("ffplay", "Xvfb")
    spec = _spec(sim_farm, 2)
    log: list[str] = []
    delayed_before = sim_farm.video.frames_delayed("cam2/sub")
    # A private X server: a player that misbehaves must not disturb the session's display.
    with _private_xvfb() as display:
        player = subprocess.Popen(
            [
                "ffplay",
                "-v",
                "info",
                "-stats",
                "-rtsp_transport",
                "tcp",
                "-an",
                rtsp_url(spec.rtsp_sub_uri, spec.username, spec.password),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env={**os.environ, "DISPLAY": display, "SDL_AUDIODRIVER": "dummy"},
        )
        assert player.stderr is not None
        reader = threading.Thread(target=lambda: log.extend(_lines(player.stderr)), daemon=True)
        reader.start()
        try:
            deadline = time.monotonic() + 30
            clock = 0.0
            while time.monotonic() < deadline and player.poll() is None and not clock >= 3.0:
                time.sleep(0.2)
                clock = _ffplay_clock(log)
            still_playing = player.poll() is None
        finally:
            _stop(player)
            reader.join(5)
    text = "\n".join(log)
    assert still_playing, text[-800:]
    assert "640x360" in text and "h264" in text
    assert _ffplay_clock(log) >= 3.0, text[-800:]
    status = [line.split() for line in log if "M-V:" in line]
    # ffplay may drop a picture that is late while its window comes up; the stream itself loses none
    # (consecutive frame counters: test_frames_show_camera_clock_and_counter). Frames stamped at
    # their due time but pushed late by a busy machine (the farm counts them) may be dropped too,
    # as a player drops a real camera's frames that a congested network delays.
    delayed = sim_farm.video.frames_delayed("cam2/sub") - delayed_before
    dropped = int(status[-1][status[-1].index("fd=") + 1])
    assert dropped <= 2 + delayed, f"ffplay kept dropping frames: {dropped} ({delayed} pushed late)"


def _stop(process: subprocess.Popen[Any]) -> None:
    process.terminate()
    try:
        process.wait(5)
    except subprocess.TimeoutExpired:  # ffplay sometimes ignores SIGTERM while its reader blocks
        process.kill()
        process.wait(5)


@contextlib.contextmanager
def _private_xvfb() -> Iterator[str]:
    read_fd, write_fd = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", "1280x720x24", "-nolisten", "tcp"],
        pass_fds=(write_fd,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_fd)
    with os.fdopen(read_fd) as pipe:
        number = pipe.readline().strip()
    try:
        assert number, "Xvfb did not start"
        yield f":{number}"
    finally:
        _stop(server)


def _lines(stream: Any) -> Any:
    buffer = b""
    while chunk := stream.read1(4096):
        buffer += chunk
        *lines, buffer = buffer.replace(b"\r", b"\n").split(b"\n")
        yield from (line.decode(errors="replace") for line in lines)


def _ffplay_clock(log: list[str]) -> float:
    for line in reversed(log[-50:]):
        if "M-V:" in line:
            try:
                return float(line.split()[0])
            except ValueError:
                return 0.0
    return 0.0
