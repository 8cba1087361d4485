"""Benchmark: the simulated camera farm's CPU and memory, idle and with every stream watched.

Runs `vmwall sim --cameras N` as its own process, then pulls every main and sub stream over RTSP
with `ffmpeg -c copy` consumers (their CPU is theirs, not the farm's), sampling the farm's CPU and
RSS from /proc. Reference in the same run: what live-encoding the same streams would cost, measured
by encoding one main and one sub stream with ffmpeg's libx264 (ultrafast, zerolatency) and scaling by N.
Prints JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench._proc import cpu_percent, sample

VMWALL = str(Path(sys.executable).parent / "vmwall")
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"


def _free_base(count: int) -> int:
    for base in range(20000, 60000, 1000):
        try:
            socks = []
            for port in range(base, base + count + 1):
                s = socket.socket()
                s.bind(("127.0.0.1", port))
                socks.append(s)
            for s in socks:
                s.close()
            return base
        except OSError:
            for s in socks:
                s.close()
    raise RuntimeError("no free port range")


def live_encode_reference(seconds: float = 10.0) -> dict[str, float]:
    """CPU % of one core to encode one 1080p25 and one 360p25 stream live (static scene + clock)."""
    out = {}
    for name, size in (("main", "1920x1080"), ("sub", "640x360")):
        graph = (
            f"color=c=0x4528a0:s={size}:r=25,drawtext=fontfile={FONT}:text='%{{localtime\\:%T}} %{{n}}'"
            ":fontsize=40:x=20:y=20:fontcolor=white"
        )
        start = os.times()
        t0 = time.monotonic()
        subprocess.run(
            [
                "ffmpeg",
                "-v",
                "error",
                "-re",
                "-f",
                "lavfi",
                "-i",
                graph,
                "-t",
                str(seconds),
                "-c:v",
                "libx264",
                "-preset",
                "ultrafast",
                "-tune",
                "zerolatency",
                "-g",
                "25",
                "-f",
                "null",
                "-",
            ],
            check=True,
        )
        end = os.times()
        cpu = (end.children_user - start.children_user) + (end.children_system - start.children_system)
        out[name] = 100.0 * cpu / (time.monotonic() - t0)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cameras", type=int, default=16)
    parser.add_argument("--duration", type=float, default=600.0, help="seconds with every stream watched")
    parser.add_argument("--idle", type=float, default=30.0, help="seconds with no consumer")
    parser.add_argument("--interval", type=float, default=10.0)
    parser.add_argument(
        "--kinds",
        nargs="+",
        choices=("main", "sub"),
        default=["main", "sub"],
        help="which streams of every camera are watched (a 4x4 console watches sub only)",
    )
    args = parser.parse_args()

    state = Path(tempfile.mkdtemp(prefix="vmwall-bench-sim-"))
    base = _free_base(2 * args.cameras + 2)
    farm = subprocess.Popen(
        [
            VMWALL,
            "sim",
            "--cameras",
            str(args.cameras),
            "--rtsp-port",
            str(base),
            "--onvif-port",
            str(base + args.cameras + 1),
            "--motion-interval",
            "0",
            "--state-dir",
            str(state),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "VMWALL_LOG_DIR": str(state)},
    )
    assert farm.stdout is not None
    while "Farm running" not in (line := farm.stdout.readline()):
        if not line:
            raise SystemExit("the farm did not start")
    passwords = json.loads((state / "devices.json").read_text())
    start_sample = sample(farm.pid)
    time.sleep(args.idle)
    idle_sample = sample(farm.pid)

    consumers = []
    for n in range(1, args.cameras + 1):
        for kind in args.kinds:
            url = f"rtsp://admin:{passwords[str(n)]}@127.0.0.1:{base + n - 1}/{kind}"
            consumers.append(
                subprocess.Popen(
                    [
                        "ffmpeg",
                        "-nostdin",
                        "-v",
                        "error",
                        "-stats",
                        "-rtsp_transport",
                        "tcp",
                        "-i",
                        url,
                        "-c",
                        "copy",
                        "-f",
                        "null",
                        "-",
                    ],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.PIPE,
                    text=True,
                )
            )
    time.sleep(5)  # connections established, first keyframes in
    series = []
    previous = sample(farm.pid)
    load_start = previous
    end = time.monotonic() + args.duration
    while time.monotonic() < end:
        time.sleep(min(args.interval, max(0.1, end - time.monotonic())))
        current = sample(farm.pid)
        series.append(
            {
                "t_s": round(current.wall - load_start.wall, 1),
                "cpu_percent": round(cpu_percent(previous, current), 1),
                "rss_mb": round(current.rss_mb, 1),
            }
        )
        previous = current
    load_end = sample(farm.pid)
    frames = []
    for consumer in consumers:
        consumer.send_signal(signal.SIGINT)
        _, err = consumer.communicate(timeout=20)
        counts = re.findall(r"frame=\s*(\d+)", err)
        frames.append(int(counts[-1]) if counts else 0)
    farm.send_signal(signal.SIGTERM)
    farm.wait(20)

    reference = live_encode_reference()
    farm_cpu = cpu_percent(load_start, load_end)
    live_cpu = args.cameras * sum(reference[kind] for kind in args.kinds)
    expected_frames = 25 * (args.duration + 5)
    result = {
        "benchmark": "sim_farm",
        "cameras": args.cameras,
        "streams_watched": len(consumers),
        "duration_s": args.duration,
        "idle": {
            "cpu_percent": round(cpu_percent(start_sample, idle_sample), 2),
            "rss_mb": round(idle_sample.rss_mb, 1),
        },
        "loaded": {
            "cpu_percent": round(farm_cpu, 1),
            "rss_mb_start": series[0]["rss_mb"] if series else None,
            "rss_mb_end": round(load_end.rss_mb, 1),
            "rss_mb_max": max(s["rss_mb"] for s in series) if series else None,
            "frames_per_consumer_min": min(frames),
            "frames_per_consumer_expected": int(expected_frames),
        },
        "reference_live_x264": {
            "cpu_percent_one_main": round(reference["main"], 1),
            "cpu_percent_one_sub": round(reference["sub"], 1),
            "cpu_percent_all_streams_estimated": round(live_cpu, 1),
        },
        "ratio_farm_vs_live_encoding": round(farm_cpu / live_cpu, 3),
        "series": series,
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
