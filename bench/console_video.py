"""Benchmark of the console's live tiles (issue 4): real TilePlayers in native X11 windows under Xvfb,
fed by the real hub (`vmwall hub`) pulling the real farm (`vmwall sim`), each in its own process.
Every figure is read from the pixels on screen (burned-in stamp) or libVLC's counters; prints JSON.

callup:    play() → the new camera's stamp visible in the tile's window (p50/p95), TilePlayer vs libVLC
           with default options, hub warm (the console keeps visible cameras' sub streams warm)
switch:    sub → main on a live tile: play() → main picture shown; black grabs seen during the switch
latency:   burned-in clock vs the wall clock when the window is grabbed, 3 s after call-up, over 5 s
grid:      4x4 tiles on 16 sub streams: displayed fps per tile, CPU, vs ffmpeg decode-only of the same
maximised: one 1920x1080 tile on a main stream: fps, lost pictures
overload:  16 tiles that all want their main stream, with the overload governor stepping them down
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np

from bench._proc import cpu_percent, sample
from bench._stack import Stack
from vmwall.model import StreamKind
from vmwall.sim.stamp import decode_stamp
from vmwall.video.engine import EngineOptions, get_engine
from vmwall.video.policy import GovernorConfig, OverloadGovernor, TileLoad
from vmwall.video.status import TileSource, TileState
from vmwall.video.tile_player import TilePlayer


def start_xvfb() -> subprocess.Popen[bytes]:
    read_fd, write_fd = os.pipe()
    proc = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", "1920x1080x24", "-nolisten", "tcp"],
        pass_fds=(write_fd,),
        stderr=subprocess.DEVNULL,
    )
    os.close(write_fd)
    with os.fdopen(read_fd) as pipe:
        os.environ["DISPLAY"] = ":" + pipe.readline().strip()
    os.environ["QT_QPA_PLATFORM"] = "xcb"
    return proc


def summary(values: list[float]) -> dict[str, Any]:
    if not values:
        return {"n": 0}
    return {
        "n": len(values),
        "p50": round(float(np.percentile(values, 50)), 1),
        "p95": round(float(np.percentile(values, 95)), 1),
        "min": round(min(values), 1),
        "max": round(max(values), 1),
    }


class Screen:
    """Native tiles on the Xvfb screen, each with two stacked surfaces (like the console's tile)."""

    def __init__(self) -> None:
        from PySide6.QtWidgets import QApplication

        self.app = QApplication.instance() or QApplication(["bench"])

    def tile(self, x: int, y: int, w: int, h: int) -> Any:
        from PySide6.QtCore import Qt
        from PySide6.QtGui import QColor, QPalette
        from PySide6.QtWidgets import QWidget

        container = QWidget()
        container.setAttribute(Qt.WidgetAttribute.WA_NativeWindow)
        container.setWindowFlags(Qt.WindowType.FramelessWindowHint)
        container.setGeometry(x, y, w, h)
        surfaces = []
        for _ in range(2):
            s = QWidget(container)
            s.setAttribute(Qt.WidgetAttribute.WA_NativeWindow)
            pal = s.palette()
            pal.setColor(QPalette.ColorRole.Window, QColor(0, 0, 0))
            s.setPalette(pal)
            s.setAutoFillBackground(True)
            s.setGeometry(0, 0, w, h)
            surfaces.append(s)
        container.show()
        container.raised = []  # surfaces to raise, from the player's thread
        return container, surfaces

    def pump(self, seconds: float = 0.0, tiles: list[Any] = ()) -> None:  # type: ignore[assignment]
        deadline = time.monotonic() + seconds
        while True:
            for container, surfaces in tiles:
                while container.raised:
                    surfaces[container.raised.pop(0)].raise_()
            self.app.processEvents()
            if time.monotonic() >= deadline:
                return
            time.sleep(0.005)

    def grab(self, widget: Any) -> np.ndarray:
        from PySide6.QtGui import QImage

        img = self.app.primaryScreen().grabWindow(int(widget.winId())).toImage()
        img = img.convertToFormat(QImage.Format.Format_RGB888)
        raw = np.frombuffer(img.constBits(), np.uint8).reshape(img.height(), img.bytesPerLine())
        return raw[:, : img.width() * 3].reshape(img.height(), img.width(), 3)


def make_player(screen: Screen, tile: Any, name: str) -> TilePlayer:
    container, surfaces = tile
    return TilePlayer([int(s.winId()) for s in surfaces], show_surface=container.raised.append, name=name)


def wait_camera(screen: Screen, tile: Any, camera: int, timeout: float = 15.0) -> float | None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        screen.pump(0, [tile])
        stamp = decode_stamp(screen.grab(tile[0]))
        if stamp is not None and stamp.camera == camera:
            return time.monotonic()
        time.sleep(0.003)
    return None


def bench_callup(stack: Stack, screen: Screen, n: int) -> dict[str, Any]:
    tile = screen.tile(0, 0, 640, 360)
    player = make_player(screen, tile, "callup")
    tile_ms: list[float] = []
    for i in range(n):
        camera = 1 + i % stack.cameras
        player.stop()
        screen.pump(0.3, [tile])
        t0 = time.monotonic()
        player.play(TileSource(camera, "Simulation", StreamKind.SUB, stack.stream_url(camera, "sub")))
        shown = wait_camera(screen, tile, camera)
        if shown is not None:
            tile_ms.append((shown - t0) * 1000)
    player.close()
    # Reference: libVLC with default options (its own instance), drawing into the same kind of window.
    import vlc

    instance = vlc.Instance(["--quiet"])
    ref = instance.media_player_new()
    container, surfaces = tile
    surfaces[0].raise_()
    ref.set_xwindow(int(surfaces[0].winId()))
    ref_ms: list[float] = []
    for i in range(min(n, 15)):
        camera = 1 + i % stack.cameras
        ref.stop()
        screen.pump(0.3, [tile])
        media = instance.media_new(stack.stream_url(camera, "sub"))
        ref.set_media(media)
        t0 = time.monotonic()
        ref.play()
        shown = wait_camera(screen, tile, camera)
        if shown is not None:
            ref_ms.append((shown - t0) * 1000)
        media.release()
    ref.stop()
    ref.release()
    instance.release()
    container.close()
    return {"tileplayer_ms": summary(tile_ms), "vlc_default_options_ms": summary(ref_ms)}


def bench_switch_and_latency(stack: Stack, screen: Screen, n: int) -> dict[str, Any]:
    tile = screen.tile(0, 0, 640, 360)
    player = make_player(screen, tile, "switch")
    switch_ms: list[float] = []
    black = 0
    grabs = 0
    ages: list[float] = []
    for i in range(n):
        camera = 1 + i % stack.cameras
        player.play(TileSource(camera, "Simulation", StreamKind.SUB, stack.stream_url(camera, "sub")))
        if wait_camera(screen, tile, camera) is None:
            continue
        screen.pump(3.0, [tile])
        end = time.monotonic() + 5.0
        while time.monotonic() < end:
            screen.pump(0.05, [tile])
            stamp = decode_stamp(screen.grab(tile[0]))
            if stamp is not None:
                ages.append(stamp.age_ms(int(time.time() * 1000)))
        t0 = time.monotonic()
        player.play(TileSource(camera, "Simulation", StreamKind.MAIN, stack.stream_url(camera, "main")))
        deadline = t0 + 15
        while time.monotonic() < deadline:
            screen.pump(0, [tile])
            frame = screen.grab(tile[0])
            grabs += 1
            black += int(float(frame.std()) < 10)
            status = player.status()
            if status.source is not None and status.source.kind is StreamKind.MAIN and status.pending is None:
                switch_ms.append((time.monotonic() - t0) * 1000)
                break
        player.stop()
        screen.pump(0.3, [tile])
    player.close()
    tile[0].close()
    return {
        "switch_sub_to_main_ms": summary(switch_ms),
        "black_grabs_during_switch": black,
        "grabs_during_switch": grabs,
        "latency_ms": summary(ages),
    }


def _run_tiles(
    stack: Stack,
    screen: Screen,
    layout: list[tuple[int, int, int, int]],
    kind: str,
    seconds: float,
    governor: OverloadGovernor | None = None,
) -> dict[str, Any]:
    tiles = [screen.tile(*geom) for geom in layout]
    players = [make_player(screen, t, f"t{i}") for i, t in enumerate(tiles)]
    kinds = {f"t{i}": StreamKind(kind) for i in range(len(players))}
    for i, p in enumerate(players):
        camera = 1 + i % stack.cameras
        p.play(TileSource(camera, "Simulation", kinds[f"t{i}"], stack.stream_url(camera, kind)))
    screen.pump(6.0, tiles)  # connect and settle
    pids = {"hub": stack.hub.pid, "sim": stack.sim.pid}
    a = sample(os.getpid())
    others = {k: sample(pid) for k, pid in pids.items()}
    lost0 = {p.name: p.stats().lost_pictures for p in players}
    fps: dict[str, list[float]] = {p.name: [] for p in players}
    steps: list[dict[str, Any]] = []
    last = time.monotonic()
    end = last + seconds
    cpu_window = sample(os.getpid())
    lost_prev = dict(lost0)
    decision = None
    while time.monotonic() < end:
        screen.pump(1.0, tiles)
        now = time.monotonic()
        for p in players:
            fps[p.name].append(p.status().fps_displayed)
        if governor is not None:
            s = sample(os.getpid())
            cpu = cpu_percent(cpu_window, s)
            cpu_window = s
            loads = []
            for i, p in enumerate(players):
                st, lost = p.status(), p.stats().lost_pictures
                loads.append(
                    TileLoad(
                        p.name,
                        StreamKind.MAIN,
                        st.fps_displayed,
                        max(0, lost - lost_prev[p.name]) / max(1e-3, now - last),
                        priority=-i,
                        live=st.state is TileState.LIVE and st.pending is None,
                    )
                )
                lost_prev[p.name] = lost
            decision = governor.update(now, cpu, loads)
            for i, p in enumerate(players):
                want = decision.kind_for(p.name, StreamKind.MAIN)
                if want is not kinds[p.name]:
                    kinds[p.name] = want
                    camera = 1 + i % stack.cameras
                    p.play(TileSource(camera, "Simulation", want, stack.stream_url(camera, want.value)))
                    steps.append(
                        {
                            "t_s": round(now - (end - seconds), 1),
                            "tile": p.name,
                            "to": want.value,
                            "cpu": round(cpu),
                            "reason": decision.reason[:80],
                        }
                    )
        last = now
    b = sample(os.getpid())
    result: dict[str, Any] = {
        "tiles": len(players),
        "console_cpu_percent": round(cpu_percent(a, b), 1),
        "hub_cpu_percent": round(cpu_percent(others["hub"], sample(pids["hub"])), 1),
        "sim_cpu_percent": round(cpu_percent(others["sim"], sample(pids["sim"])), 1),
        "console_rss_mb": round(b.rss_mb, 1),
        "fps_per_tile_median": summary([float(np.median(v)) for v in fps.values() if v]),
        "fps_worst_tile_worst_second": round(min(min(v) for v in fps.values() if v), 1),
        "lost_pictures_per_tile": summary([float(p.stats().lost_pictures - lost0[p.name]) for p in players]),
        "states": sorted({p.status().state.value for p in players}),
    }
    if governor is not None and decision is not None:
        half = seconds / 2
        result["governor_steps"] = steps
        result["settled_on"] = {k.value: sum(1 for v in kinds.values() if v is k) for k in StreamKind}
        result["settled_fps_last_half"] = summary(
            [float(np.median(v[int(half) :])) for v in fps.values() if len(v) > half]
        )
        result["saturated"] = decision.saturated
    for p in players:
        p.close()
    for container, _ in tiles:
        container.close()
    screen.pump(0.5)
    return result


def ffmpeg_decode(stack: Stack, kind: str, count: int, seconds: float) -> dict[str, Any]:
    procs = [
        subprocess.Popen(
            [
                "ffmpeg",
                "-nostdin",
                "-v",
                "error",
                "-i",
                stack.stream_url(1 + i % stack.cameras, kind),
                "-f",
                "null",
                "-",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for i in range(count)
    ]
    time.sleep(4)
    before = [sample(p.pid) for p in procs]
    time.sleep(seconds)
    after = [sample(p.pid) for p in procs]
    for p in procs:
        p.terminate()
        p.wait(5)
    return {
        "streams": count,
        "cpu_percent": round(sum(cpu_percent(a, b) for a, b in zip(before, after, strict=True)), 1),
    }


def grid(n: int, size: tuple[int, int] = (1920, 1080)) -> list[tuple[int, int, int, int]]:
    w, h = size[0] // n, size[1] // n
    return [(c * w, r * h, w, h) for r in range(n) for c in range(n)]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--only", nargs="*", default=["callup", "switch", "grid", "maximised", "overload"])
    parser.add_argument("--callups", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--caching", type=int, default=EngineOptions().network_caching_ms)
    parser.add_argument("--decoder-threads", type=int, default=EngineOptions().decoder_threads)
    parser.add_argument("--vlc-arg", action="append", default=[], help="extra libVLC option (repeatable)")
    args = parser.parse_args()
    xvfb = start_xvfb()
    stack = Stack(cameras=16)
    out: dict[str, Any] = {"machine": {"cpus": os.cpu_count()}}
    try:
        options = EngineOptions(
            network_caching_ms=args.caching,
            live_caching_ms=args.caching,
            decoder_threads=args.decoder_threads,
            extra_args=tuple(args.vlc_arg),
        )
        engine = get_engine(options)
        out["engine"] = {
            "libvlc": engine.version,
            "network_caching_ms": args.caching,
            "decoder_threads": args.decoder_threads or "auto",
            "extra_args": args.vlc_arg,
        }
        screen = Screen()
        stack.warm(list(range(1, 17)), "sub", 3600)  # the console keeps visible cameras' sub streams warm
        time.sleep(3)
        if "callup" in args.only:
            out["callup"] = bench_callup(stack, screen, args.callups)
        if "switch" in args.only:
            out["switch"] = bench_switch_and_latency(stack, screen, min(args.callups, 10))
        if "grid" in args.only:
            out["grid_4x4_sub"] = _run_tiles(stack, screen, grid(4), "sub", args.seconds)
            out["grid_4x4_sub"]["reference_ffmpeg_decode_only"] = ffmpeg_decode(stack, "sub", 16, 10)
        if "maximised" in args.only:
            out["maximised_main"] = _run_tiles(stack, screen, grid(1), "main", args.seconds)
        if "overload" in args.only:
            governor = OverloadGovernor(
                GovernorConfig(overload_hold_s=3, step_interval_s=3, recover_hold_s=600)
            )
            out["overload_16_main"] = _run_tiles(
                stack, screen, grid(4), "main", max(60, args.seconds * 3), governor
            )
            out["overload_16_main"]["reference_ffmpeg_decode_only_16_main"] = ffmpeg_decode(
                stack, "main", 16, 10
            )
    finally:
        stack.close()
        print(json.dumps(out, indent=2))
        xvfb.terminate()
        os._exit(0)  # Qt would notice the X server going away


if __name__ == "__main__":
    main()
