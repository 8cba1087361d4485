"""A wall node without video: a display that only records what it is told to show.

For benchmarks (the protocol's cost without decoding), tests of the agent in a real process, and
rehearsing a wall's control path on a machine without screens::

    python -m vmwall.wall.null_node --name mur-1 --screens 2 [--controller HOST:PORT] [--keys DIR]

prints one JSON line per event on stdout: ``{"event": "started", ...}``, then for every screen
shown ``{"event": "show", "screen": "mur-1:0", "layout": ..., "cameras": [...], "t": MONOTONIC,
"wall": EPOCH_S, "sequence": N}``: ``t`` is ``time.monotonic()``, comparable across processes of
one Linux machine; ``wall`` is ``time.time()``, comparable with the controller's update times.
Tiles report "playing" for every camera; thumbnails are a small grey JPEG.
"""

from __future__ import annotations

import argparse
import collections
import io
import json
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any, TextIO

from vmwall.model.wall import ScreenContent, ScreenGeometry, ScreenRef, TileState, TileStatus


class NullDisplay:
    """A `NodeDisplay` that shows nothing: it records each ``show()`` (and may report it)."""

    def __init__(
        self,
        name: str,
        screens: int = 1,
        *,
        width: int = 1920,
        height: int = 1080,
        on_show: Any = None,
    ) -> None:
        self._geometry = [
            ScreenGeometry(ScreenRef(name, i), i, 0, width, height, f"{name} {i + 1}") for i in range(screens)
        ]
        self._lock = threading.Lock()
        self._content: dict[ScreenRef, ScreenContent] = {}
        self._on_show = on_show
        self.hub: tuple[str, str | None] | None = None
        self.shows = 0
        self._jpeg: bytes | None = None

    def screens(self) -> list[ScreenGeometry]:
        return list(self._geometry)

    def show(self, ref: ScreenRef, content: ScreenContent) -> None:
        with self._lock:
            self._content[ref] = content
            self.shows += 1
        if self._on_show is not None:
            self._on_show(ref, content)

    def set_hub(self, url: str, token: str | None) -> None:
        self.hub = (url, token)

    def content(self, ref: ScreenRef) -> ScreenContent | None:
        with self._lock:
            return self._content.get(ref)

    def tile_statuses(self) -> dict[ScreenRef, tuple[TileStatus, ...]]:
        with self._lock:
            return {
                ref: tuple(
                    TileStatus(
                        c, TileState.EMPTY if c is None else TileState.PLAYING, 0.0 if c is None else 25.0
                    )
                    for c in content.cameras
                )
                for ref, content in self._content.items()
            }

    def thumbnail(self, ref: ScreenRef, max_width: int) -> bytes | None:
        if self._jpeg is None:
            from PIL import Image

            buffer = io.BytesIO()
            Image.new("RGB", (min(max_width, 64), 36), (90, 90, 90)).save(buffer, "JPEG", quality=50)
            self._jpeg = buffer.getvalue()
        return self._jpeg


def _emit(out: TextIO, lock: threading.Lock, event: dict[str, Any]) -> None:
    line = json.dumps(event)
    with lock:
        out.write(line + "\n")
        out.flush()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m vmwall.wall.null_node", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--name", required=True)
    parser.add_argument("--screens", type=int, default=1)
    parser.add_argument("--controller", metavar="ADDRESS")
    parser.add_argument("--keys", type=Path, metavar="DIR")
    parser.add_argument(
        "--quiet", action="store_true", help="report only the start (benchmarks read shows otherwise)"
    )
    parser.add_argument(
        "--report-delay",
        type=float,
        default=0.0,
        metavar="S",
        help="write each show event S seconds after it happened (its times are those of the show), "
        "so a benchmark reading many nodes does not compete with the nodes still applying a change",
    )
    parser.add_argument(
        "--verbose", action="store_true", help="log the link's progress (connect, snapshot) on stderr"
    )
    args = parser.parse_args(argv)
    if args.verbose:
        import logging

        logging.basicConfig(
            level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(name)s %(levelname)s %(message)s"
        )

    from vmwall.wall.config import WallConfig
    from vmwall.wall.node import WallNodeAgent

    config = WallConfig.from_env()
    if args.controller:
        config = config.with_controller(args.controller)
    if args.keys:
        config = config.with_key_dir(args.keys)
    lock = threading.Lock()
    out = sys.stdout
    agent_box: list[WallNodeAgent] = []
    # Shows to report later: appended by the agent's thread without waking the main thread, which
    # looks every half report delay (a wake-up per show would compete with the other nodes still
    # applying the same change on a small machine).
    reports: collections.deque[tuple[float, dict[str, Any]]] = collections.deque()

    def on_show(ref: ScreenRef, content: ScreenContent) -> None:
        if args.quiet:
            return
        t = time.monotonic()
        sequence = agent_box[0].mirror_sequence if agent_box else 0
        event = {
            "event": "show",
            "screen": ref.key,
            "layout": content.layout,
            "cameras": list(content.cameras),
            "t": t,
            "wall": time.time(),
            "sequence": sequence,
        }
        if args.report_delay > 0:
            reports.append((t + args.report_delay, event))
        else:
            _emit(out, lock, event)

    display = NullDisplay(args.name, args.screens, on_show=on_show)
    agent = WallNodeAgent(args.name, config, display)
    agent_box.append(agent)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    # "started" goes out before the agent's thread can report a show, as the docstring promises:
    # the first snapshot may be applied within milliseconds of the start.
    _emit(out, lock, {"event": "started", "name": args.name, "t": time.monotonic()})
    agent.start()
    try:
        while not stop.is_set():
            stop.wait(args.report_delay / 2 if args.report_delay > 0 else 0.2)
            now = time.monotonic()
            while reports and reports[0][0] <= now:
                _emit(out, lock, reports.popleft()[1])
    except KeyboardInterrupt:
        pass
    finally:
        agent.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
