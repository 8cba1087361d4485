"""The one libVLC instance of the process, with every option in one place.

Measured on Debian's libVLC 3.0.24 (see shared FACTS and bench/console_video.py):
- ``--no-xlib`` keeps the plain X11 output: the default OpenGL output renders in software under
  Xvfb (155 % CPU for one 1080p tile). ``set_xwindow()`` overrides ``--vout`` and ``--avcodec-hw``
  given here, so hardware decoding is turned off per media (``:avcodec-hw=none``).
- Network caching: with MPEG-TS over HTTP from a loopback hub, steady latency was about caching +
  75-110 ms (150 -> 234 ms, 200 -> 275-314 ms, 300 -> 395 ms, 1000 -> 1080 ms); 100 ms and below
  fell off a cliff (half the pictures lost, 3.2-3.8 s behind live). Hence the floor.

Importing this module does not load libVLC; ``get_engine()`` does, once.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)

MIN_CACHING_MS = 150


class VideoUnavailableError(RuntimeError):
    """libVLC could not be loaded or started (missing library or plugins)."""


@dataclass(frozen=True, slots=True)
class EngineOptions:
    network_caching_ms: int = 200
    live_caching_ms: int = 200
    plain_x11_output: bool = True  # --no-xlib; False lets libVLC pick (OpenGL on a machine with a GPU)
    hardware_decoding: bool = False
    # One thread per decoder: a console decodes many streams at once, so per-stream frame threads
    # only add synchronisation and a frame of latency (4x4 sub streams: 52 % -> 46 % CPU alone).
    decoder_threads: int = 1  # 0 = libVLC's choice
    # libVLC's scaler converts and scales every picture to its tile: fast bilinear instead of the
    # default bicubic cut the 4x4 grid from 57 % to 46 % CPU (both together: 41 %, vs 22 % for
    # ffmpeg decoding the same 16 streams without display). 0 fast bilinear, 2 bicubic.
    scaling_mode: int = 0
    verbose: bool = False
    extra_args: tuple[str, ...] = ()


def instance_args(options: EngineOptions) -> list[str]:
    """The libVLC command line for these options (pure, for tests and the diagnostics page)."""
    for name, value in (("network", options.network_caching_ms), ("live", options.live_caching_ms)):
        if value < MIN_CACHING_MS:
            raise ValueError(f"{name} caching below {MIN_CACHING_MS} ms loses pictures and latency")
    args = [
        "--ignore-config",  # an operator's own vlcrc must not change the console
        "--no-audio",
        "--no-video-title-show",
        "--no-osd",
        "--no-spu",
        "--no-snapshot-preview",
        "--no-keyboard-events",
        "--no-mouse-events",
        f"--network-caching={options.network_caching_ms}",
        f"--live-caching={options.live_caching_ms}",
        "--verbose=2" if options.verbose else "--quiet",
    ]
    if options.plain_x11_output and sys.platform.startswith("linux"):
        args.append("--no-xlib")
    if options.decoder_threads:
        args.append(f"--avcodec-threads={options.decoder_threads}")
    args.append(f"--swscale-mode={options.scaling_mode}")
    args.extend(options.extra_args)
    return args


def media_options(options: EngineOptions) -> list[str]:
    """Per-media options (set_xwindow() overrides some instance options, these it does not)."""
    return [] if options.hardware_decoding else [":avcodec-hw=none"]


def library_location() -> dict[str, str]:
    """Where libVLC comes from, for the diagnostics page and bug reports.

    python-vlc honours ``PYTHON_VLC_LIB_PATH`` and ``PYTHON_VLC_MODULE_PATH``; libVLC honours
    ``VLC_PLUGIN_PATH``. A bundled install sets them from its runtime hook before ``get_engine()``.
    """
    found = {
        k: os.environ[k]
        for k in ("PYTHON_VLC_LIB_PATH", "PYTHON_VLC_MODULE_PATH", "VLC_PLUGIN_PATH")
        if k in os.environ
    }
    try:
        import vlc

        found["library"] = str(getattr(vlc.dll, "_name", vlc.dll))
        found["version"] = vlc.libvlc_get_version().decode()
        found["python_vlc"] = str(vlc.__version__)
    except (ImportError, OSError, AttributeError) as exc:
        found["error"] = str(exc)
    return found


class VideoEngine:
    """Owns the ``vlc.Instance``; makes players and media. Safe to use from any thread."""

    def __init__(self, options: EngineOptions = EngineOptions()) -> None:
        self.options = options
        args = instance_args(options)
        try:
            import vlc
        except (ImportError, OSError) as exc:
            raise VideoUnavailableError(f"libVLC cannot be loaded: {exc}") from exc
        self._vlc: Any = vlc
        instance = vlc.Instance(args)
        if instance is None:
            raise VideoUnavailableError("libVLC failed to start (plugins not found? see VLC_PLUGIN_PATH)")
        self._instance: Any = instance
        self._media_options = media_options(options)
        self._lock = threading.Lock()
        self._closed = False
        self.version = vlc.libvlc_get_version().decode()
        log.info("libVLC %s started: %s", self.version, " ".join(args))

    @property
    def vlc(self) -> Any:
        """The python-vlc module (for vmwall.video's own modules only)."""
        return self._vlc

    def new_player(self) -> Any:
        with self._lock:
            if self._closed:
                raise VideoUnavailableError("the video engine is closed")
            return self._instance.media_player_new()

    def new_media(self, url: str, *extra_options: str) -> Any:
        with self._lock:
            if self._closed:
                raise VideoUnavailableError("the video engine is closed")
            return self._instance.media_new(url, *self._media_options, *extra_options)

    def close(self) -> None:
        """Release the instance: only at process exit, after every player is closed."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
        self._instance.release()


def bind_window(player: Any, window_id: int) -> None:
    """Make ``player`` draw into the native window ``window_id`` (X11 window, HWND or NSView)."""
    if sys.platform.startswith("win"):
        player.set_hwnd(window_id)
    elif sys.platform == "darwin":
        player.set_nsobject(window_id)
    else:
        player.set_xwindow(window_id)


_engine: VideoEngine | None = None
_engine_lock = threading.Lock()


def get_engine(options: EngineOptions | None = None) -> VideoEngine:
    """The process's engine, created on first use. Options can only be given before that."""
    global _engine
    with _engine_lock:
        if _engine is None:
            _engine = VideoEngine(options or EngineOptions())
        elif options is not None and options != _engine.options:
            raise RuntimeError("the video engine is already running with other options")
        return _engine
