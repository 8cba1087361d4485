"""`vmwall doctor`: what this machine can do, in plain words, and the fix for every gap.

Each check is a small function returning a `CheckResult`. Anything that loads a native library
that could hang or crash (libVLC, Qt, GStreamer, SDL, a keyring over D-Bus) runs in a child
process (a *probe*: ``python -m vmwall.doctor --probe NAME``) with a timeout; the facts it prints
are judged here by pure ``assess_*`` functions, so the decisions are testable with fakes. The
checks run concurrently; a check that does not answer in time is reported, never waited for.

This module never imports Qt: the Qt probe imports it by name, in its own process.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.metadata
import importlib.util
import itertools
import json
import os
import platform
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from vmwall import __version__
from vmwall.redact import redact_text

Facts = dict[str, Any]

PROBE_MARKER = "VMWALL-DOCTOR-PROBE "
MIN_PYTHON = (3, 11)


class Status(StrEnum):
    OK = "ok"
    WARN = "warn"
    FAIL = "fail"


@dataclass(frozen=True)
class CheckResult:
    """One line of the report. ``fix`` says what to do about a warning or a failure."""

    name: str
    status: Status
    summary: str
    details: Facts = field(default_factory=dict)
    fix: str = ""

    def to_json(self) -> Facts:
        return {
            "name": self.name,
            "status": str(self.status),
            "summary": self.summary,
            "details": self.details,
            "fix": self.fix,
        }


@dataclass(frozen=True)
class Check:
    """A named check. ``required``: a timeout or a crash of the check itself is a failure."""

    name: str
    label: str
    run: Callable[[], CheckResult]
    timeout: float = 8.0
    required: bool = True


@dataclass(frozen=True)
class Report:
    results: tuple[CheckResult, ...]
    elapsed: float = 0.0

    @property
    def ok(self) -> bool:
        """True when nothing failed (warnings do not stop vmwall from running)."""
        return all(r.status is not Status.FAIL for r in self.results)

    def count(self, status: Status) -> int:
        return sum(1 for r in self.results if r.status is status)

    def to_json(self) -> Facts:
        return {
            "ok": self.ok,
            "vmwall_version": __version__,
            "platform": platform.platform(),
            "elapsed_s": round(self.elapsed, 2),
            "checks": [r.to_json() for r in self.results],
        }


def _ok(name: str, summary: str, facts: Facts) -> CheckResult:
    return CheckResult(name, Status.OK, summary, facts)


def _warn(name: str, summary: str, facts: Facts, fix: str) -> CheckResult:
    return CheckResult(name, Status.WARN, summary, facts, fix)


def _fail(name: str, summary: str, facts: Facts, fix: str) -> CheckResult:
    return CheckResult(name, Status.FAIL, summary, facts, fix)


# ------------------------------------------------------------------------------------------------
# Running checks and probes
# ------------------------------------------------------------------------------------------------


def run_checks(checks: Sequence[Check]) -> Report:
    """Run every check in its own daemon thread; a check past its timeout is reported as such."""
    started = time.monotonic()
    slots: list[list[CheckResult]] = [[] for _ in checks]
    threads = [
        threading.Thread(target=_run_one, args=(check, slot), name=f"doctor-{check.name}", daemon=True)
        for check, slot in zip(checks, slots, strict=True)
    ]
    for thread in threads:
        thread.start()
    for check, thread in zip(checks, threads, strict=True):
        thread.join(max(0.0, started + check.timeout - time.monotonic()))
    results = tuple(slot[0] if slot else _timed_out(check) for check, slot in zip(checks, slots, strict=True))
    return Report(results, time.monotonic() - started)


def _run_one(check: Check, slot: list[CheckResult]) -> None:
    try:
        slot.append(check.run())
    except Exception as exc:
        status = Status.FAIL if check.required else Status.WARN
        slot.append(CheckResult(check.name, status, f"the check itself failed: {redact_text(repr(exc))}"))


def _timed_out(check: Check) -> CheckResult:
    status = Status.FAIL if check.required else Status.WARN
    return CheckResult(
        check.name,
        status,
        f"no answer within {check.timeout:g} s (something hangs: a library, a server, a prompt)",
        fix=f"run `vmwall -v doctor --only {check.name}` alone to see how far it gets",
    )


class ProbeError(Exception):
    """A probe process timed out, crashed or printed nothing usable."""


def run_probe(name: str, timeout: float, env: dict[str, str] | None = None) -> Facts:
    """Run probe ``name`` in a child Python process and return the facts it printed."""
    command = _probe_command(name)
    child_env = {**os.environ, **(env or {})}
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=timeout, env=child_env, check=False
        )
    except subprocess.TimeoutExpired:
        raise ProbeError(f"no answer within {timeout:g} s") from None
    except OSError as exc:
        raise ProbeError(f"cannot start {command[0]}: {exc.strerror}") from None
    return parse_probe_output(done.stdout, done.returncode, done.stderr)


def _probe_command(name: str) -> list[str]:
    if getattr(sys, "frozen", False):  # a bundled vmwall: no `-m`, the executable is the CLI
        return [sys.executable, "doctor", "--probe", name]
    return [sys.executable, "-m", "vmwall.doctor", "--probe", name]


def parse_probe_output(stdout: str, returncode: int, stderr: str = "") -> Facts:
    """The facts a probe printed after `PROBE_MARKER`; ProbeError when it died first."""
    for line in reversed(stdout.splitlines()):
        if line.startswith(PROBE_MARKER):
            facts = json.loads(line[len(PROBE_MARKER) :])
            if not isinstance(facts, dict):
                raise ProbeError("the probe printed something that is not an object")
            return facts
    raise ProbeError(f"the probe {_describe_exit(returncode)}{_stderr_tail(stderr)}")


def _describe_exit(returncode: int) -> str:
    if returncode < 0:
        import signal

        try:
            return f"crashed ({signal.Signals(-returncode).name})"
        except ValueError:
            return f"was killed by signal {-returncode}"
    return f"exited with status {returncode} without an answer"


def _stderr_tail(stderr: str) -> str:
    lines = [line for line in stderr.strip().splitlines() if line.strip()]
    return f": {redact_text(lines[-1].strip())[:300]}" if lines else ""


def _probe_facts(name: str, timeout: float, env: dict[str, str] | None = None) -> Facts:
    """Like `run_probe`, but a dead probe becomes ``{"probe_error": ...}`` for the assessor."""
    try:
        return run_probe(name, timeout, env)
    except ProbeError as exc:
        return {"probe_error": str(exc)}


# ------------------------------------------------------------------------------------------------
# Python and Qt
# ------------------------------------------------------------------------------------------------


def check_python() -> CheckResult:
    return assess_python(
        {
            "version": platform.python_version(),
            "implementation": platform.python_implementation(),
            "executable": sys.executable,
        }
    )


def assess_python(facts: Facts) -> CheckResult:
    version = _version_tuple(facts["version"])
    summary = f"{facts['implementation']} {facts['version']} ({facts['executable']})"
    if version[:2] < MIN_PYTHON:
        return _fail(
            "python",
            summary,
            facts,
            fix="vmwall needs Python 3.11 or newer (Debian 12: apt-get install python3.11 python3.11-venv)",
        )
    return _ok("python", summary, facts)


def check_qt() -> CheckResult:
    facts = _probe_facts("qt", timeout=8.0, env={"QT_QPA_PLATFORM": "offscreen"})
    facts["python"] = platform.python_version()
    return assess_qt(facts)


_PYSIDE_FIX = "pip install 'PySide6-Essentials>=6.8,<6.12'"


def assess_qt(facts: Facts) -> CheckResult:
    if "probe_error" in facts or "error" in facts:
        reason = facts.get("error") or facts["probe_error"]
        return _fail(
            "qt",
            f"PySide6 does not start: {reason}",
            facts,
            fix=f"{_PYSIDE_FIX} in vmwall's environment",
        )
    pyside = str(facts["pyside6"])
    summary = f"PySide6 {pyside}, Qt {facts['qt']} (imports and starts offscreen)"
    python = _version_tuple(facts["python"])
    if python[:2] == (3, 11) and _version_tuple(pyside)[:2] >= (6, 12):
        crashed = _version_tuple(pyside)[:3] == (6, 12, 0)
        return CheckResult(
            "qt",
            Status.FAIL if crashed else Status.WARN,
            f"PySide6 {pyside} on Python 3.11: "
            + (
                "aborts after a few thousand calls (Fatal Python error: none_dealloc)"
                if crashed
                else "untested; 6.12.0 aborted on 3.11 (none_dealloc)"
            ),
            facts,
            fix=f"{_PYSIDE_FIX} (or run vmwall on Python 3.12+)",
        )
    return _ok("qt", summary, facts)


# ------------------------------------------------------------------------------------------------
# Display
# ------------------------------------------------------------------------------------------------

# Shared libraries of Qt's xcb platform plugin that minimal systems lack, and their Debian package.
_XCB_PACKAGES = {
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xinerama.so.0": "libxcb-xinerama0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libEGL.so.1": "libegl1",
    "libGL.so.1": "libgl1",
    "libOpenGL.so.0": "libopengl0",
    "libfontconfig.so.1": "libfontconfig1",
    "libdbus-1.so.3": "libdbus-1-3",
}


def check_display() -> CheckResult:
    facts: Facts = {
        "platform": sys.platform,
        "display": os.environ.get("DISPLAY") or None,
        "wayland_display": os.environ.get("WAYLAND_DISPLAY") or None,
        "xvfb": shutil.which("Xvfb"),
    }
    if sys.platform.startswith("linux"):
        facts.update(_xcb_plugin_facts())
    return assess_display(facts)


def _xcb_plugin_facts() -> Facts:
    plugin = _qt_xcb_plugin()
    ldd = shutil.which("ldd")
    facts: Facts = {"xcb_plugin": str(plugin) if plugin else None, "ldd": ldd, "xcb_missing": []}
    if plugin is None or ldd is None:
        return facts
    try:
        done = subprocess.run([ldd, str(plugin)], capture_output=True, text=True, timeout=5, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        facts["ldd_error"] = str(exc)
        return facts
    facts["xcb_missing"] = parse_ldd_missing(done.stdout)
    return facts


def _qt_xcb_plugin() -> Path | None:
    """PySide6's ``libqxcb.so``, found without importing Qt."""
    spec = importlib.util.find_spec("PySide6")
    if spec is None or not spec.submodule_search_locations:
        return None
    for base in spec.submodule_search_locations:
        candidate = Path(base) / "Qt" / "plugins" / "platforms" / "libqxcb.so"
        if candidate.exists():
            return candidate
    return None


def parse_ldd_missing(ldd_output: str) -> list[str]:
    """Sonames ``ldd`` could not resolve (``libfoo.so.1 => not found``)."""
    missing = []
    for line in ldd_output.splitlines():
        if "not found" in line:
            missing.append(line.split("=>", 1)[0].strip())
    return sorted(set(missing))


def assess_display(facts: Facts) -> CheckResult:
    if not str(facts["platform"]).startswith("linux"):
        return _ok("display", "native display of the desktop", facts)
    missing: list[str] = list(facts.get("xcb_missing") or [])
    if missing:
        packages = sorted({_XCB_PACKAGES.get(soname, soname) for soname in missing})
        return _fail(
            "display",
            f"Qt's xcb platform plugin cannot load: missing {', '.join(missing)}",
            facts,
            fix=f"apt-get install {' '.join(packages)}",
        )
    display, wayland, xvfb = facts["display"], facts["wayland_display"], facts["xvfb"]
    xcb_note = _xcb_note(facts)
    if display:
        extra = "; Xvfb installed" if xvfb else ""
        return _ok("display", f"DISPLAY={display}{xcb_note}{extra}", facts)
    if wayland:
        return _warn(
            "display",
            f"Wayland only (WAYLAND_DISPLAY={wayland}, no DISPLAY){xcb_note}",
            facts,
            fix="video tiles embed libVLC in X11 windows: run under XWayland (QT_QPA_PLATFORM=xcb, "
            "DISPLAY set by the session)",
        )
    if xvfb:
        return _warn(
            "display",
            f"no display (headless){xcb_note}; Xvfb is installed",
            facts,
            fix="the console and wall nodes need a screen: run them in a desktop session, or headless "
            "under `xvfb-run -a -s '-screen 0 1920x1080x24' vmwall ...`; the other commands need none",
        )
    return _fail(
        "display",
        "no display and no Xvfb",
        facts,
        fix="run vmwall in a desktop session, or install Xvfb (apt-get install xvfb xauth) and start "
        "it under xvfb-run",
    )


def _xcb_note(facts: Facts) -> str:
    if facts.get("xcb_plugin") is None:
        return "; Qt xcb plugin not found"
    if facts.get("ldd") is None:
        return "; xcb plugin dependencies not checked (no ldd)"
    return "; Qt xcb plugin ready"


# ------------------------------------------------------------------------------------------------
# libVLC
# ------------------------------------------------------------------------------------------------

# Plugins (file name without lib…_plugin.so) the console needs to play the hub's MPEG-TS through fd://.
VLC_PLAYBACK_PLUGINS = ("avcodec", "packetizer_h264", "ts", "filesystem")
# Per platform: the plugin that draws into a window vmwall owns (set_xwindow/set_hwnd), then the
# video outputs, any of which will do.
VLC_WINDOW_PLUGIN = {"linux": "xcb_window", "win32": "drawable", "darwin": ""}
VLC_VIDEO_OUTPUTS = {
    "linux": ("xcb_x11", "xcb_xv", "gl"),
    "win32": ("direct3d11", "direct3d9", "glwin32", "wingdi"),
    "darwin": ("macosx", "caopengllayer", "samplebufferdisplay"),
}
_VLC_REPORTED_PLUGINS = frozenset(
    {
        *VLC_PLAYBACK_PLUGINS,
        *VLC_WINDOW_PLUGIN.values(),
        *(m for ms in VLC_VIDEO_OUTPUTS.values() for m in ms),
        "live555",
        "access_realrtsp",
        "satip",
    }
) - {""}
VLC_RTSP_FIX = (
    "Debian's libVLC has no RTSP module; vmwall plays cameras through its stream hub "
    "(ffmpeg → MPEG-TS), so this is expected"
)
_VLC_FIX = (
    "Debian/Ubuntu: apt-get install libvlc5 vlc-plugin-base vlc-plugin-video-output; Windows: install "
    "VLC 3.0 (64-bit) or set PYTHON_VLC_LIB_PATH and VLC_PLUGIN_PATH"
)
_VLC_OUTPUT_FIX = "apt-get install vlc-plugin-video-output (Windows: reinstall VLC)"


def check_libvlc() -> CheckResult:
    return assess_libvlc(_probe_facts("vlc", timeout=8.0))


def assess_libvlc(facts: Facts) -> CheckResult:
    problem = _libvlc_problem(facts)
    if problem is not None:
        summary, fix = problem
        return _fail("libvlc", summary, facts, fix)
    modules = set(facts["modules"])
    outputs = [m for m in _for_platform(VLC_VIDEO_OUTPUTS, facts) if m in modules]
    summary = f"{facts['version']}: decodes H.264 (avcodec), video output {', '.join(outputs)}"
    return _ok("libvlc", summary, facts)


def _libvlc_problem(facts: Facts) -> tuple[str, str] | None:
    """(summary, fix) of the first thing that stops libVLC from playing in a tile, or None."""
    if "probe_error" in facts or facts.get("error"):
        return f"libVLC not usable: {facts.get('error') or facts.get('probe_error')}", _VLC_FIX
    version = str(facts["version"])
    if _version_tuple(version)[:1] < (3,):
        return f"{version} is too old", f"vmwall needs libVLC 3.x. {_VLC_FIX}"
    if facts.get("plugin_dir") is None:
        return (
            f"{version}: plugin directory not found",
            f"set VLC_PLUGIN_PATH to its plugins directory. {_VLC_FIX}",
        )
    modules = set(facts.get("modules") or ())
    missing = [m for m in VLC_PLAYBACK_PLUGINS if m not in modules]
    if missing:
        return (
            f"{version} cannot play H.264 in MPEG-TS: no {', '.join(missing)} plugin",
            "apt-get install vlc-plugin-base (Windows: reinstall VLC)",
        )
    window = _for_platform(VLC_WINDOW_PLUGIN, facts)
    if window and window not in modules:
        return f"{version} cannot draw into vmwall's windows: no {window} plugin", _VLC_OUTPUT_FIX
    if not any(m in modules for m in _for_platform(VLC_VIDEO_OUTPUTS, facts)):
        return f"{version} has no video output plugin", _VLC_OUTPUT_FIX
    return None


def _for_platform(table: dict[str, Any], facts: Facts) -> Any:
    platform_name = str(facts.get("platform", sys.platform))
    for prefix, value in table.items():
        if platform_name.startswith(prefix):
            return value
    return table["linux"]


def check_libvlc_rtsp() -> CheckResult:
    return assess_libvlc_rtsp(_probe_facts("vlc-rtsp", timeout=10.0))


def assess_libvlc_rtsp(facts: Facts) -> CheckResult:
    if "probe_error" in facts or facts.get("error"):
        reason = facts.get("error") or facts.get("probe_error")
        return _warn("libvlc-rtsp", f"not tested: {reason}", facts, VLC_RTSP_FIX)
    requests: list[dict[str, str]] = list(facts.get("requests") or [])
    methods = [r.get("method", "") for r in requests]
    live555 = any("live555" in r.get("user_agent", "").lower() for r in requests)
    if "DESCRIBE" in methods or live555:
        return _ok(
            "libvlc-rtsp", "libVLC opens rtsp:// itself (a DESCRIBE reached a local test server)", facts
        )
    seen = ", ".join(methods) if methods else "no request at all"
    plugin = " (no live555 plugin)" if facts.get("live555_plugin") is False else ""
    return _warn(
        "libvlc-rtsp",
        f"libVLC cannot open rtsp://{plugin}: a local test server saw {seen}, never a DESCRIBE",
        facts,
        VLC_RTSP_FIX,
    )


# ------------------------------------------------------------------------------------------------
# FFmpeg and PyAV
# ------------------------------------------------------------------------------------------------

_FFMPEG_FIX = "apt-get install ffmpeg (Windows: put ffmpeg.exe and ffprobe.exe on the PATH)"


def check_ffmpeg() -> CheckResult:
    return assess_ffmpeg(_ffmpeg_facts(shutil.which("ffmpeg"), shutil.which("ffprobe")))


def _ffmpeg_facts(ffmpeg: str | None, ffprobe: str | None) -> Facts:
    facts: Facts = {"ffmpeg": ffmpeg, "ffprobe": ffprobe}
    if ffmpeg is None:
        return facts
    facts["version"] = parse_ffmpeg_version(_run_text([ffmpeg, "-hide_banner", "-version"]))
    facts["decoders"] = sorted(
        parse_ffmpeg_list(_run_text([ffmpeg, "-hide_banner", "-decoders"])) & {"h264", "hevc"}
    )
    facts["encoders"] = sorted(
        parse_ffmpeg_list(_run_text([ffmpeg, "-hide_banner", "-encoders"])) & {"libx264"}
    )
    facts["demuxers"] = sorted(parse_ffmpeg_list(_run_text([ffmpeg, "-hide_banner", "-demuxers"])) & {"rtsp"})
    facts["muxers"] = sorted(parse_ffmpeg_list(_run_text([ffmpeg, "-hide_banner", "-muxers"])) & {"mpegts"})
    if ffprobe:
        facts["ffprobe_version"] = parse_ffmpeg_version(_run_text([ffprobe, "-hide_banner", "-version"]))
    return facts


def _run_text(command: list[str], timeout: float = 5.0) -> str:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return done.stdout


def parse_ffmpeg_version(text: str) -> str | None:
    match = re.search(r"\bversion\s+(\S+)", text)
    return match.group(1) if match else None


def parse_ffmpeg_list(text: str) -> set[str]:
    """Names in ``ffmpeg -decoders/-encoders/-demuxers/-muxers`` output (after the ``---`` line)."""
    names: set[str] = set()
    started = False
    for line in text.splitlines():
        stripped = line.strip()
        if not started:
            started = stripped.startswith("--")
            continue
        parts = stripped.split()
        if len(parts) >= 2:
            names.update(parts[1].split(","))
    return names


def assess_ffmpeg(facts: Facts) -> CheckResult:
    if facts.get("ffmpeg") is None:
        return _fail("ffmpeg", "ffmpeg not found: the stream hub needs it", facts, _FFMPEG_FIX)
    gaps = [
        label
        for label, key, name in (
            ("H.264 decoder", "decoders", "h264"),
            ("RTSP demuxer", "demuxers", "rtsp"),
            ("MPEG-TS muxer", "muxers", "mpegts"),
        )
        if name not in (facts.get(key) or ())
    ]
    version = facts.get("version") or "(unknown version)"
    if gaps:
        return _fail(
            "ffmpeg",
            f"{version} lacks: {', '.join(gaps)}",
            facts,
            fix=f"install a full ffmpeg build: {_FFMPEG_FIX}",
        )
    warnings = []
    if "libx264" not in (facts.get("encoders") or ()):
        warnings.append("no libx264 encoder (snapshots/exports that re-encode will not work)")
    if facts.get("ffprobe") is None:
        warnings.append("no ffprobe")
    summary = f"{version}: H.264, RTSP in, MPEG-TS out"
    if warnings:
        return _warn("ffmpeg", f"{summary}; {'; '.join(warnings)}", facts, _FFMPEG_FIX)
    return _ok("ffmpeg", f"{summary}, libx264; ffprobe {facts.get('ffprobe_version')}", facts)


def check_pyav() -> CheckResult:
    return assess_pyav(_probe_facts("av", timeout=8.0))


def assess_pyav(facts: Facts) -> CheckResult:
    if "probe_error" in facts or facts.get("error"):
        reason = facts.get("error") or facts.get("probe_error")
        return _fail("pyav", f"PyAV not usable: {reason}", facts, fix="pip install 'av>=12'")
    summary = f"{facts['version']} (libavcodec {facts.get('libavcodec')})"
    if not facts.get("h264_decoder"):
        return _fail(
            "pyav",
            f"{summary} cannot decode H.264",
            facts,
            fix="pip install --force-reinstall 'av>=12' (the wheels bundle FFmpeg)",
        )
    if not facts.get("libx264"):
        return _warn(
            "pyav",
            f"{summary}: no libx264 encoder",
            facts,
            fix="pip install --force-reinstall 'av>=12' (the wheels include libx264)",
        )
    return _ok("pyav", f"{summary}: H.264 decoder, libx264", facts)


# ------------------------------------------------------------------------------------------------
# GStreamer (vmwall sim)
# ------------------------------------------------------------------------------------------------

GST_ELEMENTS = ("appsrc", "h264parse", "rtph264pay", "x264enc")
_GST_PACKAGES = (
    "apt-get install gstreamer1.0-rtsp gir1.2-gst-rtsp-server-1.0 gstreamer1.0-plugins-good "
    "gstreamer1.0-plugins-ugly gstreamer1.0-plugins-bad gstreamer1.0-libav"
)
_PYGOBJECT_FIX = (
    "apt-get install libgirepository1.0-dev libcairo2-dev pkg-config, then pip install "
    "'PyGObject>=3.50,<3.51' (3.51+ needs girepository-2.0, not in Debian 12)"
)


def check_gstreamer() -> CheckResult:
    return assess_gstreamer(_probe_facts("gst", timeout=8.0))


def assess_gstreamer(facts: Facts) -> CheckResult:
    """GStreamer is only needed by `vmwall sim`: every gap is a warning."""
    if "probe_error" in facts:
        return _warn("gstreamer", f"probe failed: {facts['probe_error']}", facts, _GST_PACKAGES)
    if facts.get("pygobject") is None:
        return _warn(
            "gstreamer",
            f"PyGObject not importable ({facts.get('error')}): `vmwall sim` cannot run",
            facts,
            fix=_PYGOBJECT_FIX,
        )
    if facts.get("gst") is None or facts.get("rtsp_server") is not True:
        what = "GStreamer 1.x" if facts.get("gst") is None else "the GstRtspServer typelib"
        return _warn(
            "gstreamer",
            f"no {what} ({facts.get('error')}): `vmwall sim` cannot run",
            facts,
            fix=_GST_PACKAGES,
        )
    elements: dict[str, bool] = facts.get("elements") or {}
    missing = [name for name in GST_ELEMENTS if not elements.get(name)]
    summary = f"{str(facts['gst']).removeprefix('GStreamer ')}, PyGObject {facts['pygobject']}, RTSP server"
    if missing:
        return _warn(
            "gstreamer", f"{summary}; missing elements {', '.join(missing)}", facts, fix=_GST_PACKAGES
        )
    return _ok("gstreamer", f"{summary}, {', '.join(GST_ELEMENTS)} (for vmwall sim)", facts)


# ------------------------------------------------------------------------------------------------
# Databases
# ------------------------------------------------------------------------------------------------


def check_postgresql(db_url: str | None = None) -> CheckResult:
    facts: Facts = {
        "psycopg": _distribution_version("psycopg"),
        "psql": shutil.which("psql"),
        "pg_isready": shutil.which("pg_isready"),
    }
    url = _configured_url(db_url, facts)
    if url is not None and url.split(":", 1)[0].startswith("postgresql"):
        facts["url"] = _redacted_db_url(url)
        facts["connect_error"] = _postgresql_ping(url) if facts["psycopg"] else "psycopg is not installed"
    return assess_postgresql(facts)


def _configured_url(db_url: str | None, facts: Facts) -> str | None:
    from vmwall.store.db import resolve_database_url

    if not (db_url or os.environ.get("VMWALL_DB_URL", "").strip()):
        return None
    try:
        return resolve_database_url(db_url)
    except Exception as exc:  # a malformed or unsupported URL: StoreError, message already redacted
        facts["url_error"] = str(exc)
        return None


def _redacted_db_url(url: str) -> str:
    from vmwall.store.errors import redact_database_url

    return redact_database_url(url)


def _postgresql_ping(url: str) -> str | None:
    """None when a connection and ``SELECT 1`` succeed, else the (redacted) reason."""
    from vmwall.errors import UserFacingError
    from vmwall.store.db import Database

    try:
        with Database(url) as database:
            database.ping()
    except UserFacingError as exc:
        return str(getattr(exc, "reason", exc))
    return None


def assess_postgresql(facts: Facts) -> CheckResult:
    tools = ", ".join(name for name in ("psql", "pg_isready") if facts.get(name)) or "no client tools"
    psycopg = f"psycopg {facts['psycopg']}" if facts.get("psycopg") else "psycopg missing"
    if facts.get("url_error"):
        return _fail(
            "postgresql",
            str(facts["url_error"]),
            facts,
            fix="set --db or $VMWALL_DB_URL to postgresql://USER@HOST/NAME or a SQLite path",
        )
    if "url" not in facts:
        status = Status.OK if facts.get("psycopg") else Status.WARN
        return CheckResult(
            "postgresql",
            status,
            f"not configured (SQLite in use); {psycopg}, {tools}",
            facts,
            fix="" if status is Status.OK else "pip install 'psycopg[binary]>=3.1'",
        )
    if facts.get("connect_error"):
        return _fail(
            "postgresql",
            f"cannot connect to {facts['url']}: {facts['connect_error']}",
            facts,
            fix="check that the server runs and listens (pg_isready -h HOST -p PORT), the user and password "
            "(a ~/.pgpass entry or the URL), and pg_hba.conf on the server",
        )
    return _ok("postgresql", f"connected to {facts['url']}; {psycopg}, {tools}", facts)


def check_sqlite() -> CheckResult:
    facts: Facts = {"version": sqlite3.sqlite_version}
    with tempfile.TemporaryDirectory(prefix="vmwall-doctor-") as directory:
        connection = sqlite3.connect(Path(directory) / "probe.sqlite3")
        try:
            facts["journal_mode"] = connection.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            connection.execute("PRAGMA foreign_keys=ON")
            facts["foreign_keys"] = bool(connection.execute("PRAGMA foreign_keys").fetchone()[0])
        finally:
            connection.close()
    return assess_sqlite(facts)


def assess_sqlite(facts: Facts) -> CheckResult:
    version = facts["version"]
    if str(facts.get("journal_mode", "")).lower() != "wal":
        return _fail(
            "sqlite",
            f"{version} refuses WAL mode",
            facts,
            fix="use a Python built with a standard SQLite 3.7+ (WAL), or PostgreSQL",
        )
    if _version_tuple(version) < (3, 35):
        return _warn(
            "sqlite",
            f"{version}: old (3.35+ recommended)",
            facts,
            fix="upgrade Python/SQLite, or use PostgreSQL",
        )
    return _ok("sqlite", f"{version}, WAL and foreign keys", facts)


# ------------------------------------------------------------------------------------------------
# Keyring, ZeroMQ, joystick
# ------------------------------------------------------------------------------------------------

KEYRING_FIX = (
    "vmwall keeps camera passwords in the OS keyring. Linux desktop: GNOME's gnome-keyring or KDE's "
    "KWallet, unlocked in the session; headless Debian: apt-get install gnome-keyring dbus-user-session "
    "and run vmwall in a D-Bus session with the keyring unlocked (dbus-run-session + gnome-keyring-daemon "
    "--unlock); Windows: the Credential Manager. `python -m keyring diagnose` shows what Python sees."
)


def check_keyring() -> CheckResult:
    return assess_keyring(_probe_facts("keyring", timeout=12.0))


def classify_keyring(backend: str, chained: Sequence[str]) -> str:
    """``none`` (fail/null/empty chain), ``plaintext`` (keyrings.alt) or ``real``."""
    names = [backend, *chained]
    if any(name.startswith("keyrings.alt") for name in names):
        return "plaintext"
    if backend.startswith(("keyring.backends.fail.", "keyring.backends.null.")):
        return "none"
    if backend.startswith("keyring.backends.chainer.") and not chained:
        return "none"
    return "real"


def assess_keyring(facts: Facts) -> CheckResult:
    if "probe_error" in facts:
        return _fail(
            "keyring",
            f"the keyring did not answer: {facts['probe_error']} (locked, or waiting for an unlock prompt?)",
            facts,
            KEYRING_FIX,
        )
    if facts.get("error"):
        return _fail("keyring", f"keyring not usable: {facts['error']}", facts, KEYRING_FIX)
    backend = str(facts["backend"])
    kind = classify_keyring(backend, facts.get("chained") or ())
    if kind == "none":
        return _fail(
            "keyring", f"no keyring ({backend}): camera passwords cannot be stored", facts, KEYRING_FIX
        )
    if kind == "plaintext":
        return _fail(
            "keyring",
            f"{backend} stores passwords in a plain file: vmwall refuses it",
            facts,
            fix=f"pip uninstall keyrings.alt (or set PYTHON_KEYRING_BACKEND to a real one). {KEYRING_FIX}",
        )
    if facts.get("roundtrip") != "ok":
        return _fail(
            "keyring", f"{backend} refused a test entry: {facts.get('roundtrip')}", facts, KEYRING_FIX
        )
    return _ok("keyring", f"{backend} (stored, read and deleted a test entry)", facts)


def check_zeromq() -> CheckResult:
    try:
        import zmq
    except Exception as exc:
        return assess_zeromq({"error": f"{type(exc).__name__}: {exc}"})
    return assess_zeromq(
        {"pyzmq": zmq.pyzmq_version(), "libzmq": zmq.zmq_version(), "curve": zmq.has("curve")}
    )


def assess_zeromq(facts: Facts) -> CheckResult:
    if facts.get("error"):
        return _fail(
            "zeromq", f"pyzmq not importable: {facts['error']}", facts, fix="pip install 'pyzmq>=26'"
        )
    summary = f"pyzmq {facts['pyzmq']}, libzmq {facts['libzmq']}"
    if not facts.get("curve"):
        return _fail(
            "zeromq",
            f"{summary} without CURVE: the wall protocol needs CurveZMQ",
            facts,
            fix="pip install --force-reinstall 'pyzmq>=26' (its wheels bundle libzmq with "
            "CURVE); a system libzmq must be built with libsodium",
        )
    return _ok("zeromq", f"{summary}, CURVE available", facts)


def check_joystick() -> CheckResult:
    env = {"SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy"}
    return assess_joystick(_probe_facts("sdl", timeout=8.0, env=env))


def assess_joystick(facts: Facts) -> CheckResult:
    """A joystick is optional (PTZ works with the mouse): gaps are warnings."""
    if "probe_error" in facts or facts.get("error"):
        reason = facts.get("error") or facts.get("probe_error")
        return _warn(
            "joystick",
            f"SDL2 not usable ({reason}): no PTZ joystick",
            facts,
            fix="pip install 'pysdl2>=0.9.16' 'pysdl2-dll>=2.30'",
        )
    names: list[str] = list(facts.get("names") or [])
    profiles: list[str | None] = list(facts.get("profiles") or [])
    described = [
        f"{name} (profile {profile})" if profile else name
        for name, profile in itertools.zip_longest(names, profiles[: len(names)])
        if name is not None
    ]
    count = int(facts.get("joysticks", 0))
    attached = f"{count} joystick(s): {', '.join(described)}" if count else "no joystick connected"
    summary = f"SDL {facts['sdl']}, {attached}"
    if facts.get("mapping_error"):
        return _warn(
            "joystick",
            f"{summary}; the joystick mapping file is refused",
            facts,
            fix=f"correct or remove it: {facts['mapping_error']} (the built-in profiles are used meanwhile)",
        )
    return _ok("joystick", summary, facts)


# ------------------------------------------------------------------------------------------------
# The whole report
# ------------------------------------------------------------------------------------------------


def default_checks(db_url: str | None = None) -> list[Check]:
    """Every check, in report order."""
    return [
        Check("python", "Python", check_python, timeout=2.0),
        Check("qt", "Qt (PySide6)", check_qt, timeout=10.0),
        Check("display", "Display", check_display, timeout=8.0),
        Check("libvlc", "libVLC", check_libvlc, timeout=10.0),
        Check("libvlc-rtsp", "libVLC RTSP", check_libvlc_rtsp, timeout=12.0, required=False),
        Check("ffmpeg", "FFmpeg", check_ffmpeg, timeout=15.0),
        Check("pyav", "PyAV", check_pyav, timeout=10.0),
        Check("gstreamer", "GStreamer", check_gstreamer, timeout=10.0, required=False),
        Check("postgresql", "PostgreSQL", lambda: check_postgresql(db_url), timeout=10.0),
        Check("sqlite", "SQLite", check_sqlite, timeout=5.0),
        Check("keyring", "Keyring", check_keyring, timeout=14.0),
        Check("zeromq", "ZeroMQ", check_zeromq, timeout=5.0),
        Check("joystick", "Joystick", check_joystick, timeout=10.0, required=False),
    ]


_SYMBOLS = {Status.OK: "✓", Status.WARN: "!", Status.FAIL: "✗"}
_ASCII_SYMBOLS = {Status.OK: "ok", Status.WARN: "!!", Status.FAIL: "XX"}


def format_report(
    report: Report, labels: dict[str, str], *, verbose: bool = False, unicode: bool = True, columns: int = 0
) -> str:
    """The report as text: one line per check, the fix under each warning and failure, wrapped to
    ``columns`` (default: the terminal's width)."""
    symbols = _SYMBOLS if unicode else _ASCII_SYMBOLS
    columns = max(60, columns or shutil.get_terminal_size((100, 24)).columns)
    label_width = max((len(labels.get(r.name, r.name)) for r in report.results), default=0)
    indent = " " * (len(symbols[Status.OK]) + label_width + 3)
    lines = [f"vmwall {__version__} doctor: what this machine can do ({platform.platform()})", ""]
    for result in report.results:
        head = f"{symbols[result.status]} {labels.get(result.name, result.name):<{label_width}}  "
        lines += _wrap(result.summary, columns, head, indent)
        if result.fix and result.status is not Status.OK:
            lines += _wrap(f"fix: {result.fix}", columns, indent, indent + "     ")
        if verbose:
            lines += [f"{indent}{key}: {value}" for key, value in _detail_items(result.details)]
    lines += ["", _verdict(report, symbols[Status.FAIL])]
    text = "\n".join(lines)
    return text if unicode else text.replace("→", "->").encode("ascii", "replace").decode("ascii")


def _wrap(text: str, columns: int, first: str, rest: str) -> list[str]:
    return textwrap.wrap(
        text,
        columns,
        initial_indent=first,
        subsequent_indent=rest,
        break_on_hyphens=False,
        break_long_words=False,
    )


def _detail_items(details: Facts) -> Iterable[tuple[str, str]]:
    for key, value in details.items():
        yield key, json.dumps(value, ensure_ascii=False) if isinstance(value, list | dict) else str(value)


def _verdict(report: Report, fail_symbol: str) -> str:
    fails, warns = report.count(Status.FAIL), report.count(Status.WARN)
    counts = f"{fails} problem(s), {warns} warning(s), {report.elapsed:.1f} s"
    if fails:
        return f"{counts}: fix the {fail_symbol} lines before running vmwall here."
    return f"{counts}: vmwall can run here."


# ------------------------------------------------------------------------------------------------
# Probes: run in a child process, print facts as one JSON line
# ------------------------------------------------------------------------------------------------


def _probe_qt() -> Facts:
    # Imported by name: this module must not depend on Qt (see the import contracts); this code only
    # ever runs in the probe's own process.
    pyside = importlib.import_module("PySide6")
    qtcore = importlib.import_module("PySide6.QtCore")
    qtgui = importlib.import_module("PySide6.QtGui")
    app = qtgui.QGuiApplication([])
    return {"pyside6": pyside.__version__, "qt": qtcore.qVersion(), "platform": app.platformName()}


def _probe_vlc() -> Facts:
    vlc = _import_vlc()
    plugin_dir = vlc_plugin_dir(vlc)
    modules = scan_vlc_plugins(plugin_dir) if plugin_dir else set()
    return {
        "version": vlc.libvlc_get_version().decode(errors="replace"),
        "python_vlc": getattr(vlc, "__version__", None),
        "libvlc": _libvlc_path(vlc),
        "plugin_dir": str(plugin_dir) if plugin_dir else None,
        "modules": sorted(modules & _VLC_REPORTED_PLUGINS),
        "plugin_count": len(modules),
        "platform": sys.platform,
    }


def _import_vlc() -> Any:
    import vlc

    if vlc.dll is None:
        raise RuntimeError("python-vlc found no libVLC")
    return vlc


def _libvlc_path(vlc: Any) -> str | None:
    """The loaded libvlc file: /proc/self/maps on Linux, the loader's name elsewhere."""
    maps = Path("/proc/self/maps")
    if maps.exists():
        for line in maps.read_text(errors="replace").splitlines():
            path = line.split()[-1] if line.split() else ""
            if re.search(r"/libvlc\.so[.\d]*$", path):
                return path
    name = getattr(vlc.dll, "_name", None)
    return str(name) if name else None


def vlc_plugin_dir(vlc: Any) -> Path | None:
    """libVLC's plugin directory: the environment's override, python-vlc's, or next to libvlc."""
    candidates = [
        os.environ.get("VLC_PLUGIN_PATH"),
        os.environ.get("PYTHON_VLC_MODULE_PATH"),
        getattr(vlc, "plugin_path", None),
    ]
    library = _libvlc_path(vlc)
    if library and os.sep in library:
        libdir = Path(library).parent
        candidates += [
            str(libdir / "vlc" / "plugins"),
            str(libdir / "plugins"),
            str(libdir.parent / "plugins"),
        ]
    for candidate in candidates:
        if candidate and Path(candidate).is_dir():
            return Path(candidate)
    return None


_PLUGIN_FILE = re.compile(r"^(?:lib)?(?P<name>.+?)_plugin\.(?:so|dll|dylib)$")


def scan_vlc_plugins(plugin_dir: Path) -> set[str]:
    """Module file names under ``plugin_dir``: ``libavcodec_plugin.so`` → ``avcodec``."""
    names = set()
    for path in plugin_dir.rglob("*_plugin.*"):
        match = _PLUGIN_FILE.match(path.name)
        if match:
            names.add(match.group("name"))
    return names


def _probe_vlc_rtsp() -> Facts:
    """Point libVLC at a local RTSP listener: a real RTSP client sends DESCRIBE; Debian's libVLC only
    tries its SAT>IP and RealRTSP modules (SETUP, or OPTIONS with a RealMedia user agent) and gives up."""
    vlc = _import_vlc()
    plugin_dir = vlc_plugin_dir(vlc)
    with RtspRequestRecorder() as recorder:
        instance = vlc.Instance(["--quiet", "--no-audio", "--no-video", "--no-xlib"])
        player = instance.media_player_new()
        player.set_media(instance.media_new(f"rtsp://127.0.0.1:{recorder.port}/doctor"))
        player.play()
        states = _watch_player(player, recorder, deadline=time.monotonic() + 4.0)
        requests = recorder.requests()
    # No stop()/release(): a half-open RTSP module can block them; the probe exits with os._exit.
    return {
        "requests": requests,
        "states": states,
        "live555_plugin": "live555" in scan_vlc_plugins(plugin_dir) if plugin_dir else None,
    }


def _watch_player(player: Any, recorder: RtspRequestRecorder, deadline: float) -> list[str]:
    states: list[str] = []
    ended_at: float | None = None
    while time.monotonic() < deadline and not recorder.saw("DESCRIBE"):
        state = str(player.get_state()).split(".")[-1]
        if not states or states[-1] != state:
            states.append(state)
        if ended_at is None and state in ("Ended", "Error"):
            ended_at = time.monotonic()
        if ended_at is not None and time.monotonic() - ended_at > 0.3:
            break
        time.sleep(0.02)
    return states


class RtspRequestRecorder:
    """A TCP listener on 127.0.0.1 that records the RTSP requests it receives.

    It answers OPTIONS with the methods a camera offers and anything else with 404, so a real client
    goes on to DESCRIBE and a non-RTSP module gives up.
    """

    def __init__(self) -> None:
        self._server = socket.create_server(("127.0.0.1", 0))
        self._server.settimeout(0.1)
        self.port: int = self._server.getsockname()[1]
        self._requests: list[dict[str, str]] = []
        self._lock = threading.Lock()
        self._closed = threading.Event()
        self._thread = threading.Thread(target=self._accept_loop, name="rtsp-recorder", daemon=True)

    def __enter__(self) -> RtspRequestRecorder:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._closed.set()
        self._thread.join(1.0)
        self._server.close()

    def requests(self) -> list[dict[str, str]]:
        with self._lock:
            return list(self._requests)

    def saw(self, method: str) -> bool:
        return any(r["method"] == method for r in self.requests())

    def _accept_loop(self) -> None:
        while not self._closed.is_set():
            try:
                connection, _ = self._server.accept()
            except (TimeoutError, OSError):
                continue
            threading.Thread(target=self._serve, args=(connection,), daemon=True).start()

    def _serve(self, connection: socket.socket) -> None:
        connection.settimeout(0.5)
        buffer = b""
        with connection:
            while not self._closed.is_set():
                try:
                    chunk = connection.recv(4096)
                except TimeoutError:
                    continue
                except OSError:
                    return
                if not chunk:
                    return
                buffer += chunk
                while b"\r\n\r\n" in buffer:
                    head, buffer = buffer.split(b"\r\n\r\n", 1)
                    request = parse_rtsp_request(head.decode("latin-1"))
                    with self._lock:
                        self._requests.append(request)
                    with contextlib.suppress(OSError):
                        connection.sendall(rtsp_reply(request))


def parse_rtsp_request(head: str) -> dict[str, str]:
    lines = head.split("\r\n")
    headers = {}
    for line in lines[1:]:
        key, _, value = line.partition(":")
        headers[key.strip().lower()] = value.strip()
    return {
        "method": lines[0].split(" ", 1)[0] if lines[0] else "",
        "cseq": headers.get("cseq", "0"),
        "user_agent": headers.get("user-agent", ""),
    }


def rtsp_reply(request: dict[str, str]) -> bytes:
    if request["method"] == "OPTIONS":
        status = "200 OK\r\nPublic: OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN"
    else:
        status = "404 Not Found"
    return f"RTSP/1.0 {status}\r\nCSeq: {request['cseq']}\r\n\r\n".encode("latin-1")


def _probe_av() -> Facts:
    import av

    available = av.codecs_available
    versions = getattr(av, "library_versions", {})
    libavcodec = versions.get("libavcodec")
    return {
        "version": av.__version__,
        "libavcodec": ".".join(map(str, libavcodec)) if libavcodec else None,
        "h264_decoder": "h264" in available,
        "libx264": "libx264" in available,
    }


def _probe_gst() -> Facts:
    facts: Facts = {"pygobject": None, "gst": None, "rtsp_server": False, "elements": {}}
    try:
        import gi

        facts["pygobject"] = gi.__version__
        gi.require_version("Gst", "1.0")
        from gi.repository import Gst

        Gst.init(None)
        facts["gst"] = Gst.version_string()
        facts["elements"] = {name: Gst.ElementFactory.find(name) is not None for name in GST_ELEMENTS}
        gi.require_version("GstRtspServer", "1.0")
        from gi.repository import GstRtspServer  # noqa: F401

        facts["rtsp_server"] = True
    except Exception as exc:
        facts["error"] = f"{type(exc).__name__}: {exc}"
    return facts


def _probe_keyring() -> Facts:
    import keyring
    import keyring.backends.chainer

    backend = keyring.get_keyring()
    chained = list(backend.backends) if isinstance(backend, keyring.backends.chainer.ChainerBackend) else []
    facts: Facts = {
        "backend": _class_name(backend),
        "chained": [_class_name(b) for b in chained],
        "env": os.environ.get("PYTHON_KEYRING_BACKEND"),
    }
    if classify_keyring(facts["backend"], facts["chained"]) == "real":
        facts["roundtrip"] = _keyring_roundtrip(backend)
    return facts


def _class_name(obj: object) -> str:
    return f"{type(obj).__module__}.{type(obj).__qualname__}"


def _keyring_roundtrip(backend: Any) -> str:
    """Store, read back and delete a throwaway entry; ``ok`` or the failure."""
    import secrets

    service, user, value = "vmwall-doctor", f"probe-{secrets.token_hex(4)}", secrets.token_urlsafe(16)
    try:
        backend.set_password(service, user, value)
        try:
            read = backend.get_password(service, user)
        finally:
            backend.delete_password(service, user)
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    return "ok" if read == value else "read back a different value"


def _probe_sdl() -> Facts:
    import sdl2
    import sdl2.dll

    from vmwall.ptz.joystick import device_identity
    from vmwall.ptz.joystick_mapping import load_mappings_or_builtin

    mappings, mapping_error = load_mappings_or_builtin()
    if sdl2.SDL_Init(sdl2.SDL_INIT_JOYSTICK) != 0:
        return {"error": f"SDL_Init: {sdl2.SDL_GetError().decode(errors='replace')}"}
    try:
        version = sdl2.SDL_version()
        sdl2.SDL_GetVersion(version)
        count = sdl2.SDL_NumJoysticks()
        names = [(sdl2.SDL_JoystickNameForIndex(i) or b"?").decode(errors="replace") for i in range(count)]
        identities = [device_identity(sdl2, i) for i in range(count)]
    finally:
        sdl2.SDL_Quit()
    chosen = [mappings.select(identity) for identity in identities]
    return {
        "sdl": f"{version.major}.{version.minor}.{version.patch}",
        "pysdl2": _distribution_version("pysdl2"),
        "pysdl2_dll": _distribution_version("pysdl2-dll"),
        "joysticks": count,
        "names": names,
        "guids": [identity.guid for identity in identities],
        "profiles": [profile.id if profile else None for profile in chosen],
        "mapping_error": str(mapping_error) if mapping_error else None,
    }


PROBES: dict[str, Callable[[], Facts]] = {
    "qt": _probe_qt,
    "vlc": _probe_vlc,
    "vlc-rtsp": _probe_vlc_rtsp,
    "av": _probe_av,
    "gst": _probe_gst,
    "keyring": _probe_keyring,
    "sdl": _probe_sdl,
}


def probe_main(name: str) -> int:
    """Entry point of a probe process: print the facts and leave at once.

    ``os._exit`` skips native destructors (libVLC, GStreamer) that can hang or crash at exit.
    """
    probe = PROBES.get(name)
    if probe is None:
        print(f"unknown probe {name!r}; known: {', '.join(PROBES)}", file=sys.stderr)
        return 2
    try:
        facts = probe()
    except Exception as exc:
        facts = {"error": redact_text(f"{type(exc).__name__}: {exc}")}
    sys.stdout.write(PROBE_MARKER + json.dumps(facts) + "\n")
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


# ------------------------------------------------------------------------------------------------
# Helpers
# ------------------------------------------------------------------------------------------------


def _version_tuple(version: object) -> tuple[int, ...]:
    """Leading numbers of a version string: ``"3.0.24 Vetinari"`` → ``(3, 0, 24)``."""
    match = re.match(r"\s*(\d+(?:\.\d+)*)", str(version))
    return tuple(int(part) for part in match.group(1).split(".")) if match else (0,)


def _distribution_version(name: str) -> str | None:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--probe":
        sys.exit(probe_main(sys.argv[2]))
    print("usage: python -m vmwall.doctor --probe NAME (the report is `vmwall doctor`)", file=sys.stderr)
    sys.exit(2)
