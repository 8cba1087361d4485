"""Benchmark: a tile's memory over 1,000 call-ups (issue 4 goal: RSS growth <= 50 MB). Prints JSON.

One TilePlayer in a real X11 window (Xvfb) in a child process, so the figure is the player's own;
streams come from the real hub pulling the real farm. Every tenth call-up waits until the tile is
live, the others switch before the picture arrives (an operator flicking through cameras).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._stack import Stack
from bench.console_video import start_xvfb

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--call-ups", type=int, default=1000)
    args = parser.parse_args()
    xvfb = start_xvfb()
    stack = Stack(cameras=2)
    try:
        stack.warm([1, 2], "sub", 3600)
        env = {**os.environ, "QT_QPA_PLATFORM": "xcb", "PYTHONPATH": str(ROOT)}
        result = subprocess.run(
            [
                sys.executable,
                str(ROOT / "tests/integration/test_video_leak.py"),
                stack.stream_url(1, "sub"),
                stack.stream_url(2, "sub"),
                str(args.call_ups),
            ],
            capture_output=True,
            text=True,
            env=env,
            cwd=ROOT,
            check=True,
            timeout=3600,
        )
        figures = json.loads(result.stdout.strip().splitlines()[-1])
        figures["rss_growth_mb"] = round(figures["after_calls"] - figures["start"], 1)
        print(json.dumps({"benchmark": "tile_memory", **figures}, indent=2))
    finally:
        stack.close()
        xvfb.terminate()


if __name__ == "__main__":
    main()
