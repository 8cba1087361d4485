"""Benchmark of the stream hub (issue 3), each figure beside its reference in the same run. Prints JSON.

relay:    hub CPU/RSS relaying one 1080p25 stream  vs  `ffmpeg -c copy` of the same stream
relay16:  16 streams (main + sub of 8 cameras) relayed at once: hub CPU and RSS
fanout:   1 camera to 10 players: upstream sessions, every player gets every packet (TS continuity)
callup:   play() → first picture displayed by libVLC, warm (cached keyframe) and cold (hub not pulling),
          vs ffmpeg remux → libVLC with default options; with the hub's hop timings for cold starts
latency:  burned-in clock vs the wall clock when libVLC displays the picture, 2 s and 10 s after call-up,
          warm and cold; references: ffmpeg alone, ffmpeg remux → libVLC with 300 ms caching
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np
import vlc

from bench._proc import cpu_percent, sample
from bench._stack import Stack, free_port_range
from bench._vlc_probe import VlcProbe
from vmwall.sim.stamp import decode_stamp

CACHING_MS = 300


def pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    return round(float(np.percentile(values, q)), 1)


def summary(values: list[float]) -> dict[str, Any]:
    return {
        "n": len(values),
        "p50": pct(values, 50),
        "p95": pct(values, 95),
        "min": round(min(values), 1) if values else None,
        "max": round(max(values), 1) if values else None,
    }


def drain(url: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        ["ffmpeg", "-nostdin", "-v", "error", "-i", url, "-c", "copy", "-f", "null", "-"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def stop_all(processes: list[subprocess.Popen[bytes]]) -> None:
    for p in processes:
        p.send_signal(signal.SIGINT)
    for p in processes:
        try:
            p.wait(10)
        except subprocess.TimeoutExpired:
            p.kill()


def measure(pid: int, seconds: float) -> dict[str, float]:
    a = sample(pid)
    time.sleep(seconds)
    b = sample(pid)
    return {"cpu_percent": round(cpu_percent(a, b), 2), "rss_mb": round(b.rss_mb, 1)}


def bench_relay(stack: Stack, seconds: float) -> dict[str, Any]:
    players = [drain(stack.stream_url(1, "main"))]
    time.sleep(3)
    hub = measure(stack.hub.pid, seconds)
    stop_all(players)
    time.sleep(2)
    ref = subprocess.Popen(
        [
            "ffmpeg",
            "-nostdin",
            "-v",
            "error",
            "-rtsp_transport",
            "tcp",
            "-i",
            stack.rtsp(2, "main"),
            "-c",
            "copy",
            "-f",
            "mpegts",
            "-",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(3)
    reference = measure(ref.pid, seconds)
    stop_all([ref])
    return {
        "hub_one_1080p25": hub,
        "ffmpeg_copy_one_1080p25": reference,
        "cpu_ratio_hub_vs_ffmpeg": round(hub["cpu_percent"] / max(0.01, reference["cpu_percent"]), 2),
    }


def bench_relay16(stack: Stack, seconds: float) -> dict[str, Any]:
    players = [drain(stack.stream_url(n, kind)) for n in range(1, 9) for kind in ("main", "sub")]
    time.sleep(4)
    result = measure(stack.hub.pid, seconds)
    live = sum(1 for s in stack.streams() if s["state"] == "live" and s["consumers"])
    stop_all(players)
    return {**result, "streams_live": live}


class TsCounter(threading.Thread):
    """A raw HTTP player: counts video frames (PES starts) and continuity errors on its TS stream."""

    def __init__(self, port: int, path: str) -> None:
        super().__init__(daemon=True)
        self.port, self.path = port, path
        self.frames = 0
        self.cc_errors = 0
        self.bytes = 0
        self.stop = threading.Event()

    def run(self) -> None:
        sock = socket.create_connection(("127.0.0.1", self.port))
        sock.sendall(f"GET {self.path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        buffer = b""
        while b"\r\n\r\n" not in buffer:
            buffer += sock.recv(4096)
        buffer = buffer.split(b"\r\n\r\n", 1)[1]
        last_cc: dict[int, int] = {}
        sock.settimeout(1)
        while not self.stop.is_set():
            try:
                chunk = sock.recv(65536)
            except TimeoutError:
                continue
            if not chunk:
                break
            buffer += chunk
            self.bytes += len(chunk)
            whole = len(buffer) - len(buffer) % 188
            for at in range(0, whole, 188):
                pid = ((buffer[at + 1] & 0x1F) << 8) | buffer[at + 2]
                if pid < 0x100 or pid == 0x1000:  # program tables: players ignore their counters
                    continue
                has_payload = buffer[at + 3] & 0x10
                cc = buffer[at + 3] & 0x0F
                if has_payload:
                    if pid in last_cc and cc != (last_cc[pid] + 1) % 16:
                        self.cc_errors += 1
                    last_cc[pid] = cc
                    if buffer[at + 1] & 0x40 and pid >= 0x100 and pid != 0x1000:
                        self.frames += 1
            buffer = buffer[whole:]
        sock.close()


def bench_fanout(stack: Stack, seconds: float) -> dict[str, Any]:
    stack.warm([3], "sub", 120)
    time.sleep(3)
    counters = [TsCounter(stack.hub_port, "/camera/3/sub.ts") for _ in range(10)]
    for c in counters:
        c.start()
    time.sleep(seconds)
    status = next(s for s in stack.streams() if s["camera"] == 3 and s["kind"] == "sub")
    for c in counters:
        c.stop.set()
    for c in counters:
        c.join(5)
    frames = [c.frames for c in counters]
    return {
        "players": len(counters),
        "upstream_sessions": status["sessions"],
        "hub_consumers": status["consumers"],
        "frames_per_player": frames,
        "expected_frames_about": int(25 * seconds),
        "continuity_errors": sum(c.cc_errors for c in counters),
    }


def callup(
    probe: VlcProbe,
    url: str,
    tries: int,
    play_s: float,
    options: tuple[str, ...],
    before: Any = None,
    between_s: float = 0.0,
) -> tuple[list[float], list[dict[str, Any]]]:
    firsts: list[float] = []
    hops: list[dict[str, Any]] = []
    for _ in range(tries):
        if before:
            before()
        result = probe.run(url, play_s, options)
        if result.first_frame_ms is not None:
            firsts.append(result.first_frame_ms)
        hops.append({"first_frame_ms": result.first_frame_ms})
        if between_s:
            time.sleep(between_s)
    return firsts, hops


def wait_released(stack: Stack, number: int, kind: str, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not any(s["camera"] == number and s["kind"] == kind for s in stack.streams()):
            return
        time.sleep(0.2)


def remux_server(stack: Stack, number: int, kind: str) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port_range(1)
    url = f"http://127.0.0.1:{port}/s.ts"
    process = subprocess.Popen(
        [
            "ffmpeg",
            "-nostdin",
            "-v",
            "error",
            "-rtsp_transport",
            "tcp",
            "-i",
            stack.rtsp(number, kind),
            "-c",
            "copy",
            "-f",
            "mpegts",
            "-listen",
            "1",
            url,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    # ffmpeg listens only once it has probed its input; a test connection would take its one accept.
    wait_listening(port, 15)
    return process, url


def wait_listening(port: int, timeout: float) -> None:
    """Wait until something LISTENs on 127.0.0.1:port, without connecting to it."""
    wanted = f"0100007F:{port:04X}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with open("/proc/net/tcp") as table:
            if any(line.split()[1] == wanted and line.split()[3] == "0A" for line in list(table)[1:]):
                return
        time.sleep(0.02)
    raise RuntimeError(f"nothing listens on port {port}")


def bench_callup(stack: Stack, tries: int) -> dict[str, Any]:
    instance = vlc.Instance("--no-audio", "--quiet", "--no-xlib")
    probe = VlcProbe(instance, 640, 360)
    opts = (f":network-caching={CACHING_MS}",)
    stack.warm([4], "sub", 3600)
    time.sleep(3)
    warm, _ = callup(probe, stack.stream_url(4, "sub"), tries, 1.5, opts)
    cold_hops: list[dict[str, Any]] = []

    def release() -> None:
        wait_released(stack, 5, "sub")

    cold: list[float] = []
    for _ in range(tries):
        release()
        result = probe.run(stack.stream_url(5, "sub"), 2.5, opts)
        status = next((s for s in stack.streams() if s["camera"] == 5 and s["kind"] == "sub"), {})
        if result.first_frame_ms is not None:
            cold.append(result.first_frame_ms)
        cold_hops.append(
            {
                "first_frame_ms": result.first_frame_ms,
                "rtsp_setup_and_probe_ms": status.get("session_open_ms"),
                "first_packet_ms": status.get("session_first_packet_ms"),
                "first_keyframe_ms": status.get("session_first_keyframe_ms"),
            }
        )
    reference: list[float] = []
    for _ in range(tries):
        # The direct path starts its remux when the camera is called: time from the remux's start.
        started_ms = time.time_ns() // 1_000_000
        server, url = remux_server(stack, 6, "sub")
        result = probe.run(url, 4.0, ())
        stop_all([server])
        if result.shown:
            reference.append(float(result.shown[0].at_ms - started_ms))

    def share(name: str) -> float | None:
        values = [h[name] for h in cold_hops if h.get(name) is not None]
        return pct(values, 50)

    return {
        "keyframe_interval_s": 1.0,
        "network_caching_ms": CACHING_MS,
        "warm_hub": summary(warm),
        "cold_hub": summary(cold),
        "reference_ffmpeg_remux_vlc_defaults": summary(reference),
        "cold_hops_p50_ms": {
            "rtsp_setup_and_probe": share("rtsp_setup_and_probe_ms"),
            "first_packet": share("first_packet_ms"),
            "first_keyframe_wait_included": share("first_keyframe_ms"),
            "first_frame_displayed": pct(cold, 50),
        },
    }


def ffmpeg_alone_latency(stack: Stack, seconds: float) -> list[int]:
    process = subprocess.Popen(
        [
            "ffmpeg",
            "-nostdin",
            "-v",
            "error",
            "-fflags",
            "nobuffer",
            "-flags",
            "low_delay",
            "-rtsp_transport",
            "tcp",
            "-i",
            stack.rtsp(7, "sub"),
            "-f",
            "rawvideo",
            "-pix_fmt",
            "rgb24",
            "-",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert process.stdout is not None
    frame = 640 * 360 * 3
    ages: list[int] = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        data = process.stdout.read(frame)
        if len(data) < frame:
            break
        stamp = decode_stamp(np.frombuffer(data, np.uint8).reshape(360, 640, 3))
        if stamp:
            ages.append(stamp.age_ms(time.time_ns() // 1_000_000))
    process.kill()
    process.wait()
    return ages[25:]  # after the first second


def bench_latency(stack: Stack, tries: int) -> dict[str, Any]:
    instance = vlc.Instance("--no-audio", "--quiet", "--no-xlib")
    probe = VlcProbe(instance, 640, 360)
    opts = (f":network-caching={CACHING_MS}",)
    out: dict[str, Any] = {}
    stack.warm([8], "sub", 3600)
    time.sleep(3)
    for label, number, cold in (("warm", 8, False), ("cold", 5, True)):
        at2: list[int] = []
        at10: list[int] = []
        for _ in range(tries):
            if cold:
                wait_released(stack, number, "sub")
            result = probe.run(stack.stream_url(number, "sub"), 11.0, opts)
            at2 += result.latencies_between(1.5, 2.5)
            at10 += result.latencies_between(9.5, 10.5)
        out[label] = {"at_2s": summary([float(v) for v in at2]), "at_10s": summary([float(v) for v in at10])}
    out["warm_minus_cold_p50_at_10s_ms"] = round(
        out["warm"]["at_10s"]["p50"] - out["cold"]["at_10s"]["p50"], 1
    )
    ref = ffmpeg_alone_latency(stack, 8.0)
    out["reference_ffmpeg_alone"] = summary([float(v) for v in ref])
    server, url = remux_server(stack, 6, "sub")
    result = probe.run(url, 11.0, opts)
    stop_all([server])
    out[f"reference_ffmpeg_remux_vlc_caching_{CACHING_MS}"] = {
        "at_2s": summary([float(v) for v in result.latencies_between(1.5, 2.5)]),
        "at_10s": summary([float(v) for v in result.latencies_between(9.5, 10.5)]),
    }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--tries", type=int, default=30, help="call-ups per configuration (>= 30 for the note)"
    )
    parser.add_argument("--latency-tries", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=20.0, help="CPU measuring window")
    parser.add_argument("--only", nargs="*", default=["relay", "relay16", "fanout", "callup", "latency"])
    args = parser.parse_args()
    stack = Stack(cameras=8, linger_s=0.5)
    result: dict[str, Any] = {"benchmark": "hub", "cpu_cores": os.cpu_count()}
    try:
        if "relay" in args.only:
            result["relay"] = bench_relay(stack, args.seconds)
        if "relay16" in args.only:
            result["relay16"] = bench_relay16(stack, args.seconds)
        if "fanout" in args.only:
            result["fanout"] = bench_fanout(stack, 10.0)
        if "callup" in args.only:
            result["callup_ms"] = bench_callup(stack, args.tries)
        if "latency" in args.only:
            result["latency_ms"] = bench_latency(stack, args.latency_tries)
    finally:
        stack.close()
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
