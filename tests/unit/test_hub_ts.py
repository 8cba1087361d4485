"""MPEG-TS surgery and the join burst, on TS made by FFmpeg's real muxer (PyAV)."""

from __future__ import annotations

import socket
from fractions import Fraction
from typing import Any

import av
import numpy as np
import pytest

from vmwall.hub.fanout import Consumer, Unit
from vmwall.hub.gop import BURST_SPACING, GopCache
from vmwall.hub.ts import TS_PACKET, first_timestamp, inspect, packets, program_tables, shift_timestamps
from vmwall.hub.upstream import ByteSink


def _ts_units(frames: int = 30) -> list[tuple[bytes, bool, int]]:
    """(ts bytes, keyframe, dts) per frame of a real H.264 → MPEG-TS mux."""
    enc = av.CodecContext.create("libx264", "w")
    enc.width, enc.height, enc.pix_fmt = 320, 240, "yuv420p"
    enc.time_base = Fraction(1, 25)
    enc.options = {"preset": "ultrafast", "x264-params": "keyint=10:min-keyint=10:scenecut=0:bframes=0"}
    sink = ByteSink()
    out = av.open(sink, "w", format="mpegts", options={"flush_packets": "1", "max_delay": "0"})
    stream = out.add_stream("h264", rate=25)
    stream.width, stream.height = 320, 240
    units = []
    inputs: list[Any] = []
    for i in range(frames):
        frame = av.VideoFrame.from_ndarray(np.full((240, 320, 3), i * 8 % 255, np.uint8), format="rgb24")
        frame.pts = i
        inputs.append(frame.reformat(format="yuv420p"))
    inputs.append(None)  # flush the encoder
    for frame in inputs:
        for packet in enc.encode(frame):
            packet.stream = stream
            packet.pts = packet.dts = int(packet.pts * 3600)  # 90 kHz
            packet.time_base = Fraction(1, 90000)
            out.mux(packet)
            data = sink.take()
            units.append((data, bool(packet.is_keyframe), packet.dts))
    return units


def test_timestamps_are_found_and_shifted_everywhere() -> None:
    units = _ts_units()
    data, _, _dts = units[3]
    assert first_timestamp(data) is not None
    original = [inspect(data, at) for at in packets(data)]
    shifted = shift_timestamps(data, 90_000)
    moved = [inspect(shifted, at) for at in packets(shifted)]
    assert len(shifted) == len(data) and len(data) % TS_PACKET == 0
    for before, after in zip(original, moved, strict=True):
        for field in ("pcr", "pts", "dts"):
            a, b = getattr(before, field), getattr(after, field)
            assert (a is None) == (b is None)
            if a is not None:
                assert b == (a + 90_000) % (1 << 33)
    assert any(i.pts is not None for i in original)


def test_shift_wraps_at_33_bits() -> None:
    data, _, _ = _ts_units(2)[0]
    first = first_timestamp(data)
    assert first is not None
    wrapped = shift_timestamps(data, (1 << 33) - first + 5)
    assert first_timestamp(wrapped) == 5


def test_program_tables_are_read_from_the_unit_head() -> None:
    data, _, _ = _ts_units(1)[0]
    pat, pmt_pid, pmt = program_tables(data, None)
    assert pat is not None and pmt is not None and pmt_pid is not None
    assert inspect(pat, 0).pid == 0 and inspect(pmt, 0).pid == pmt_pid


def test_burst_packs_the_cached_group_just_before_the_newest_frame() -> None:
    units = _ts_units(15)  # keyframes at 0 and 10
    cache = GopCache()
    for data, key, dts in units:
        cache.add(Unit(data, key, first_timestamp(data) or dts, 0.0))
    cached = cache.units
    assert cached[0].key and len(cached) == 5  # frames 10..14
    pat, _pmt_pid, pmt = program_tables(units[0][0], None)
    assert pat and pmt
    burst = cache.burst(pat + pmt)
    assert burst.startswith(pat + pmt)
    stamps = [inspect(burst, at).dts or inspect(burst, at).pts for at in packets(burst)]
    stamps = [s for s in stamps if s is not None]
    newest = cached[-1].dts
    assert stamps[-1] == newest  # the newest frame keeps its real time: live follows seamlessly
    assert stamps == [newest - (len(cached) - 1 - i) * BURST_SPACING for i in range(len(cached))]


def test_cache_starts_only_on_a_keyframe() -> None:
    cache = GopCache()
    cache.add(Unit(b"x" * 188, False, 1, 0.0))
    assert cache.units == [] and cache.burst(b"") == b""


class _Loop:
    def call_soon_threadsafe(self, fn: Any, *args: Any) -> None:
        fn(*args)


@pytest.fixture()
def pair() -> Any:
    a, b = socket.socketpair()
    yield a, b
    a.close()
    b.close()


def _consumer(sock: socket.socket, budget: int, clock: Any = None) -> Consumer:
    kwargs = {"clock": clock} if clock else {}
    return Consumer(_Loop(), sock, "test", budget_bytes=budget, **kwargs)  # type: ignore[arg-type]


def test_fast_consumer_gets_every_unit(pair: Any) -> None:
    ours, theirs = pair
    consumer = _consumer(ours, 1 << 20)
    consumer.offer(Unit(b"K" * 188, True, 0, 0.0), b"")
    consumer.offer(Unit(b"P" * 188, False, 1, 0.0), b"")
    assert theirs.recv(4096) == b"K" * 188 + b"P" * 188
    assert consumer.resyncs == 0


def test_slow_consumer_is_cut_back_to_the_next_keyframe(pair: Any) -> None:
    ours, theirs = pair
    ours.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
    consumer = _consumer(ours, 64 * 1024)
    unit = Unit(b"P" * 188 * 50, False, 0, 0.0)  # 9.4 KB per unit, nobody reads
    for _ in range(100):
        consumer.offer(unit, b"")
    assert consumer.resyncs >= 1
    assert consumer.pending_bytes <= 64 * 1024
    dropped = consumer.dropped_units
    consumer.offer(Unit(b"P", False, 0, 0.0), b"")  # still waiting for a keyframe
    assert consumer.dropped_units == dropped + 1
    theirs.setblocking(False)
    while True:
        try:
            if not theirs.recv(1 << 20):
                break
        except BlockingIOError:
            break
    consumer.offer(Unit(b"K" * 188, True, 0, 0.0), b"T" * 188)
    data = b""
    theirs.setblocking(True)
    theirs.settimeout(1)
    while not data.endswith(b"K" * 188):
        data += theirs.recv(1 << 20)
    assert data.endswith(b"T" * 188 + b"K" * 188)  # tables, then the keyframe


def test_consumer_whose_player_vanished_closes(pair: Any) -> None:
    ours, theirs = pair
    consumer = _consumer(ours, 1 << 20)
    theirs.close()
    for _ in range(3):
        consumer.offer(Unit(b"K" * 188, True, 0, 0.0), b"")
    assert consumer.closed


def test_player_behind_live_for_too_long_is_cut_back(pair: Any) -> None:
    ours, _theirs = pair
    now = [0.0]
    consumer = _consumer(ours, 1 << 30, clock=lambda: now[0])
    unit = Unit(b"P" * 188 * 100, False, 0, 0.0)
    while consumer.pending_bytes == 0:  # fill the socket until data has to wait
        consumer.offer(unit, b"")
    assert consumer.resyncs == 0
    now[0] = 1.9
    consumer.offer(unit, b"")
    assert consumer.resyncs == 0  # 1.9 s behind: still within the lag budget
    now[0] = 2.1
    consumer.offer(unit, b"")
    assert consumer.resyncs == 1 and consumer.pending_bytes == 0
