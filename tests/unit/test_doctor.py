"""vmwall doctor: each decision from faked facts, the parsers, the runner, and one real run."""

from __future__ import annotations

import ctypes.util
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from vmwall import doctor
from vmwall.commands import doctor as doctor_command
from vmwall.doctor import Check, CheckResult, Status
from vmwall.errors import UserFacingError

REPO = Path(__file__).resolve().parents[2]


# --- Python and Qt --------------------------------------------------------------------------------


def test_python_older_than_3_11_fails() -> None:
    facts = {"version": "3.10.12", "implementation": "CPython", "executable": "/usr/bin/python3"}
    assert doctor.assess_python(facts).status is Status.FAIL
    assert doctor.assess_python({**facts, "version": "3.11.2"}).status is Status.OK


@pytest.mark.parametrize(
    ("pyside", "python", "status"),
    [
        ("6.11.3", "3.11.2", Status.OK),
        ("6.12.0", "3.11.2", Status.FAIL),  # FACTS.md: none_dealloc abort
        ("6.12.1", "3.11.2", Status.WARN),
        ("6.12.0", "3.12.1", Status.OK),
    ],
)
def test_the_pyside_6_12_trap_on_python_3_11(pyside: str, python: str, status: Status) -> None:
    result = doctor.assess_qt({"pyside6": pyside, "qt": pyside, "platform": "offscreen", "python": python})
    assert result.status is status
    if status is not Status.OK:
        assert "<6.12" in result.fix


def test_qt_that_does_not_import_fails_with_the_pip_fix() -> None:
    result = doctor.assess_qt({"error": "ImportError: libEGL.so.1", "python": "3.11.2"})
    assert result.status is Status.FAIL and "PySide6-Essentials" in result.fix


# --- display --------------------------------------------------------------------------------------


def display_facts(**overrides: Any) -> dict[str, Any]:
    facts: dict[str, Any] = {
        "platform": "linux",
        "display": None,
        "wayland_display": None,
        "xvfb": "/usr/bin/Xvfb",
        "xcb_plugin": "/x/libqxcb.so",
        "ldd": "/usr/bin/ldd",
        "xcb_missing": [],
    }
    return {**facts, **overrides}


def test_a_display_is_ok() -> None:
    assert doctor.assess_display(display_facts(display=":0")).status is Status.OK


def test_headless_with_xvfb_is_a_warning_with_xvfb_run() -> None:
    result = doctor.assess_display(display_facts())
    assert result.status is Status.WARN and "xvfb-run" in result.fix


def test_headless_without_xvfb_fails() -> None:
    result = doctor.assess_display(display_facts(xvfb=None))
    assert result.status is Status.FAIL and "apt-get install xvfb" in result.fix


def test_wayland_without_xwayland_is_a_warning() -> None:
    result = doctor.assess_display(display_facts(wayland_display="wayland-0", xvfb=None))
    assert result.status is Status.WARN and "XWayland" in result.fix


def test_missing_xcb_libraries_fail_with_the_debian_packages() -> None:
    result = doctor.assess_display(
        display_facts(display=":0", xcb_missing=["libxcb-cursor.so.0", "libxkbcommon-x11.so.0"])
    )
    assert result.status is Status.FAIL
    assert result.fix == "apt-get install libxcb-cursor0 libxkbcommon-x11-0"


def test_parse_ldd_missing() -> None:
    output = (
        "\tlinux-vdso.so.1 (0x00007ffd)\n"
        "\tlibQt6XcbQpa.so.6 => /venv/PySide6/Qt/lib/libQt6XcbQpa.so.6 (0x00007f)\n"
        "\tlibxcb-cursor.so.0 => not found\n"
        "\tlibxcb-cursor.so.0 => not found\n"
    )
    assert doctor.parse_ldd_missing(output) == ["libxcb-cursor.so.0"]


# --- libVLC ---------------------------------------------------------------------------------------

DEBIAN_VLC = {
    "version": "3.0.24 Vetinari",
    "plugin_dir": "/usr/lib/x86_64-linux-gnu/vlc/plugins",
    "modules": ["avcodec", "filesystem", "packetizer_h264", "ts", "xcb_window", "xcb_x11", "access_realrtsp"],
    "platform": "linux",
}


def test_debian_libvlc_plays_the_hub_stream() -> None:
    result = doctor.assess_libvlc(DEBIAN_VLC)
    assert result.status is Status.OK and "3.0.24" in result.summary and "xcb_x11" in result.summary


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"error": "RuntimeError: python-vlc found no libVLC"}, "not usable"),
        ({"probe_error": "the probe crashed (SIGSEGV)"}, "SIGSEGV"),
        ({"version": "2.2.8 Weatherwax"}, "too old"),
        ({"plugin_dir": None}, "plugin directory"),
        ({"modules": ["filesystem", "packetizer_h264", "ts", "xcb_window", "xcb_x11"]}, "no avcodec"),
        ({"modules": ["avcodec", "filesystem", "packetizer_h264", "ts", "xcb_x11"]}, "xcb_window"),
        ({"modules": ["avcodec", "filesystem", "packetizer_h264", "ts", "xcb_window"]}, "no video output"),
    ],
)
def test_libvlc_gaps_fail(change: dict[str, Any], words: str) -> None:
    result = doctor.assess_libvlc({**DEBIAN_VLC, **change})
    assert result.status is Status.FAIL and words in result.summary and result.fix


def test_windows_libvlc_needs_its_own_plugins() -> None:
    modules = ["avcodec", "filesystem", "packetizer_h264", "ts", "drawable", "direct3d11"]
    assert doctor.assess_libvlc({**DEBIAN_VLC, "platform": "win32", "modules": modules}).status is Status.OK
    assert doctor.assess_libvlc({**DEBIAN_VLC, "platform": "win32"}).status is Status.FAIL


def test_scan_vlc_plugins(tmp_path: Path) -> None:
    for relative in (
        "codec/libavcodec_plugin.so",
        "demux/liblive555_plugin.so",
        "video_output/libdirect3d11_plugin.dll",
        "plugins.dat",
        "codec/README",
    ):
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text("")
    assert doctor.scan_vlc_plugins(tmp_path) == {"avcodec", "live555", "direct3d11"}


def rtsp_requests(*pairs: tuple[str, str]) -> list[dict[str, str]]:
    return [
        {"method": method, "cseq": str(n), "user_agent": agent} for n, (method, agent) in enumerate(pairs)
    ]


def test_libvlc_without_live555_only_warns_with_the_hub_explanation() -> None:
    facts = {
        "requests": rtsp_requests(("SETUP", ""), ("OPTIONS", "RealMedia Player Version 6.0.9.1235")),
        "states": ["NothingSpecial", "Ended"],
        "live555_plugin": False,
    }
    result = doctor.assess_libvlc_rtsp(facts)
    assert result.status is Status.WARN
    assert "never a DESCRIBE" in result.summary and "no live555 plugin" in result.summary
    assert result.fix == doctor.VLC_RTSP_FIX


def test_libvlc_with_live555_sends_describe() -> None:
    agent = "LibVLC/3.0.20 (LIVE555 Streaming Media v2022.07.14)"
    facts = {"requests": rtsp_requests(("OPTIONS", agent), ("DESCRIBE", agent)), "live555_plugin": True}
    assert doctor.assess_libvlc_rtsp(facts).status is Status.OK


def test_the_rtsp_recorder_answers_like_a_camera_and_records() -> None:
    with (
        doctor.RtspRequestRecorder() as recorder,
        socket.create_connection(("127.0.0.1", recorder.port), 2) as s,
    ):
        s.sendall(b"OPTIONS rtsp://127.0.0.1/doctor RTSP/1.0\r\nCSeq: 2\r\nUser-Agent: test-client\r\n\r\n")
        options_reply = s.recv(4096).decode()
        s.sendall(b"DESCRIBE rtsp://127.0.0.1/doctor RTSP/1.0\r\nCSeq: 3\r\nAccept: application/sdp\r\n\r\n")
        describe_reply = s.recv(4096).decode()
        deadline = time.monotonic() + 2
        while not recorder.saw("DESCRIBE") and time.monotonic() < deadline:
            time.sleep(0.01)
        requests = recorder.requests()
    assert (
        options_reply.startswith("RTSP/1.0 200 OK")
        and "CSeq: 2" in options_reply
        and "DESCRIBE" in options_reply
    )
    assert describe_reply.startswith("RTSP/1.0 404") and "CSeq: 3" in describe_reply
    assert [(r["method"], r["user_agent"]) for r in requests] == [
        ("OPTIONS", "test-client"),
        ("DESCRIBE", ""),
    ]


# --- FFmpeg and PyAV ------------------------------------------------------------------------------

DECODERS = """Decoders:
 V..... = Video
 ------
 VFS..D h264                 H.264 / AVC / MPEG-4 AVC / MPEG-4 part 10
 V....D hevc                 HEVC (High Efficiency Video Coding)
"""
DEMUXERS = """File formats:
 D. = Demuxing supported
 --
 D  mov,mp4,m4a,3gp,3g2,mj2 QuickTime / MOV
 D  rtsp            RTSP input
"""


def test_parse_ffmpeg_lists() -> None:
    assert doctor.parse_ffmpeg_list(DECODERS) == {"h264", "hevc"}
    assert {"rtsp", "mp4", "mov"} <= doctor.parse_ffmpeg_list(DEMUXERS)
    assert doctor.parse_ffmpeg_list("no separator here\n h264 x") == set()


def test_parse_ffmpeg_version() -> None:
    banner = "ffmpeg version 5.1.9-0+deb12u1 Copyright (c) 2000-2026 the FFmpeg developers"
    assert doctor.parse_ffmpeg_version(banner) == "5.1.9-0+deb12u1"
    assert doctor.parse_ffmpeg_version("") is None


FFMPEG_OK = {
    "ffmpeg": "/usr/bin/ffmpeg",
    "ffprobe": "/usr/bin/ffprobe",
    "version": "5.1.9",
    "ffprobe_version": "5.1.9",
    "decoders": ["h264"],
    "encoders": ["libx264"],
    "demuxers": ["rtsp"],
    "muxers": ["mpegts"],
}


def test_ffmpeg_decisions() -> None:
    assert doctor.assess_ffmpeg(FFMPEG_OK).status is Status.OK
    assert doctor.assess_ffmpeg({"ffmpeg": None}).status is Status.FAIL
    no_rtsp = doctor.assess_ffmpeg({**FFMPEG_OK, "demuxers": []})
    assert no_rtsp.status is Status.FAIL and "RTSP demuxer" in no_rtsp.summary
    assert doctor.assess_ffmpeg({**FFMPEG_OK, "encoders": []}).status is Status.WARN
    assert doctor.assess_ffmpeg({**FFMPEG_OK, "ffprobe": None}).status is Status.WARN


def test_pyav_decisions() -> None:
    ok = {"version": "18.1.0", "libavcodec": "62.28.102", "h264_decoder": True, "libx264": True}
    assert doctor.assess_pyav(ok).status is Status.OK
    assert doctor.assess_pyav({**ok, "libx264": False}).status is Status.WARN
    assert doctor.assess_pyav({**ok, "h264_decoder": False}).status is Status.FAIL
    assert doctor.assess_pyav({"error": "ModuleNotFoundError: No module named 'av'"}).status is Status.FAIL


# --- GStreamer ------------------------------------------------------------------------------------

GST_OK: dict[str, Any] = {
    "pygobject": "3.50.2",
    "gst": "GStreamer 1.22.0",
    "rtsp_server": True,
    "elements": dict.fromkeys(doctor.GST_ELEMENTS, True),
}


def test_gstreamer_complete() -> None:
    result = doctor.assess_gstreamer(GST_OK)
    assert result.status is Status.OK and "1.22.0" in result.summary


def test_gstreamer_gaps_are_warnings_with_the_right_fix() -> None:
    no_gi = doctor.assess_gstreamer({**GST_OK, "pygobject": None, "error": "No module named 'gi'"})
    assert (
        no_gi.status is Status.WARN
        and "PyGObject>=3.50,<3.51" in no_gi.fix
        and "girepository-2.0" in no_gi.fix
    )
    no_server = doctor.assess_gstreamer({**GST_OK, "rtsp_server": False, "error": "Namespace not available"})
    assert no_server.status is Status.WARN and "gir1.2-gst-rtsp-server-1.0" in no_server.fix
    no_x264 = doctor.assess_gstreamer({**GST_OK, "elements": {**GST_OK["elements"], "x264enc": False}})
    assert no_x264.status is Status.WARN and "x264enc" in no_x264.summary
    assert "gstreamer1.0-plugins-ugly" in no_x264.fix


# --- databases ------------------------------------------------------------------------------------


def test_postgresql_not_configured_is_fine() -> None:
    result = doctor.assess_postgresql({"psycopg": "3.3.9", "psql": "/usr/bin/psql", "pg_isready": None})
    assert result.status is Status.OK and "SQLite" in result.summary


def test_postgresql_unreachable_fails() -> None:
    result = doctor.assess_postgresql(
        {
            "psycopg": "3.3.9",
            "url": "postgresql+psycopg://***@db:5432/vmwall",
            "connect_error": "timeout expired",
        }
    )
    assert result.status is Status.FAIL and "pg_isready" in result.fix


def test_postgresql_connection_failure_never_shows_the_password(monkeypatch: pytest.MonkeyPatch) -> None:
    # Nothing listens on port 9 of localhost: the connection is refused at once.
    monkeypatch.setenv("VMWALL_DB_URL", "postgresql://vmwall:Sup3rS3cret@127.0.0.1:9/vmwall")
    result = doctor.check_postgresql()
    assert result.status is Status.FAIL
    assert "Sup3rS3cret" not in json.dumps(result.to_json())
    assert "***@127.0.0.1:9" in result.summary


@pytest.mark.postgres
def test_postgresql_reachable(monkeypatch: pytest.MonkeyPatch) -> None:
    url = os.environ.get("VMWALL_TEST_PG_URL", "")
    if not url:
        pytest.skip("VMWALL_TEST_PG_URL is not set")
    result = doctor.check_postgresql(url)
    assert result.status is Status.OK, result.summary
    assert result.summary.startswith("connected to")


def test_sqlite_on_this_machine_has_wal() -> None:
    result = doctor.check_sqlite()
    assert result.status is Status.OK and result.details["journal_mode"] == "wal"


def test_sqlite_without_wal_fails() -> None:
    assert doctor.assess_sqlite({"version": "3.40.1", "journal_mode": "delete"}).status is Status.FAIL


# --- keyring, ZeroMQ, joystick ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("backend", "chained", "kind"),
    [
        ("keyring.backends.fail.Keyring", [], "none"),
        ("keyring.backends.null.Keyring", [], "none"),
        ("keyring.backends.chainer.ChainerBackend", [], "none"),
        ("keyrings.alt.file.PlaintextKeyring", [], "plaintext"),
        ("keyring.backends.chainer.ChainerBackend", ["keyrings.alt.file.PlaintextKeyring"], "plaintext"),
        ("keyring.backends.SecretService.Keyring", [], "real"),
        ("keyring.backends.Windows.WinVaultKeyring", [], "real"),
    ],
)
def test_classify_keyring(backend: str, chained: list[str], kind: str) -> None:
    assert doctor.classify_keyring(backend, chained) == kind


def test_keyring_decisions() -> None:
    fail = doctor.assess_keyring({"backend": "keyring.backends.fail.Keyring", "chained": []})
    assert fail.status is Status.FAIL and "gnome-keyring" in fail.fix and "Credential Manager" in fail.fix
    plain = doctor.assess_keyring({"backend": "keyrings.alt.file.PlaintextKeyring", "chained": []})
    assert plain.status is Status.FAIL and "plain file" in plain.summary and "keyrings.alt" in plain.fix
    real = {"backend": "keyring.backends.SecretService.Keyring", "chained": []}
    assert doctor.assess_keyring({**real, "roundtrip": "ok"}).status is Status.OK
    locked = doctor.assess_keyring({**real, "roundtrip": "KeyringLocked: Failed to unlock the collection!"})
    assert locked.status is Status.FAIL and "KeyringLocked" in locked.summary
    hung = doctor.assess_keyring({"probe_error": "no answer within 12 s"})
    assert hung.status is Status.FAIL and "unlock prompt" in hung.summary


def test_zeromq_on_this_machine_has_curve() -> None:
    result = doctor.check_zeromq()
    assert result.status is Status.OK and result.details["curve"] is True


def test_zeromq_without_curve_fails() -> None:
    result = doctor.assess_zeromq({"pyzmq": "27.3.0", "libzmq": "4.3.5", "curve": False})
    assert result.status is Status.FAIL


def test_joystick_is_optional() -> None:
    none = doctor.assess_joystick({"sdl": "2.32.10", "joysticks": 0, "names": []})
    assert none.status is Status.OK and "no joystick" in none.summary
    two = doctor.assess_joystick({"sdl": "2.32.10", "joysticks": 2, "names": ["Axis T8311", "Xbox"]})
    assert "2 joystick(s): Axis T8311, Xbox" in two.summary
    assert doctor.assess_joystick({"error": "No module named 'sdl2'"}).status is Status.WARN


# --- probes and the runner ------------------------------------------------------------------------


def test_parse_probe_output() -> None:
    stdout = "libvlc noise\n" + doctor.PROBE_MARKER + json.dumps({"version": "3.0.24"}) + "\n"
    assert doctor.parse_probe_output(stdout, 0) == {"version": "3.0.24"}
    with pytest.raises(doctor.ProbeError, match=r"crashed \(SIGSEGV\)"):
        doctor.parse_probe_output("", -11)
    with pytest.raises(doctor.ProbeError, match=r"status 1.*rtsp://\*\*\*@cam"):
        doctor.parse_probe_output("", 1, "Traceback...\nOSError: rtsp://admin:pw@cam/ refused\n")


def test_an_unknown_probe_is_refused() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "vmwall.doctor", "--probe", "nope"], capture_output=True, text=True, timeout=30
    )
    assert done.returncode == 2 and "unknown probe" in done.stderr


def test_a_probe_runs_in_a_child_process() -> None:
    facts = doctor.run_probe("av", timeout=30)
    assert facts["h264_decoder"] is True


def test_the_runner_keeps_order_reports_crashes_and_does_not_wait_for_a_hung_check() -> None:
    release = threading.Event()

    def hung() -> CheckResult:
        release.wait(30)
        return CheckResult("hung", Status.OK, "late")

    def crashing() -> CheckResult:
        raise RuntimeError("boom at rtsp://u:secret@cam/")

    checks = [
        Check("fast", "Fast", lambda: CheckResult("fast", Status.OK, "fine"), timeout=5),
        Check("hung", "Hung", hung, timeout=0.3),
        Check("optional-hung", "Optional", hung, timeout=0.3, required=False),
        Check("crashing", "Crashing", crashing, timeout=5),
    ]
    started = time.monotonic()
    report = doctor.run_checks(checks)
    release.set()
    assert time.monotonic() - started < 3
    assert [r.name for r in report.results] == ["fast", "hung", "optional-hung", "crashing"]
    assert [r.status for r in report.results] == [Status.OK, Status.FAIL, Status.WARN, Status.FAIL]
    assert "no answer within 0.3 s" in report.results[1].summary
    assert "boom" in report.results[3].summary and "secret" not in report.results[3].summary
    assert not report.ok


def test_warnings_do_not_fail_the_report() -> None:
    report = doctor.Report((CheckResult("a", Status.OK, "x"), CheckResult("b", Status.WARN, "y", fix="z")))
    assert report.ok and report.to_json()["ok"] is True


def test_the_text_report_shows_symbols_and_fixes() -> None:
    report = doctor.Report(
        (
            CheckResult("libvlc", Status.OK, "3.0.24", fix="never shown for ok"),
            CheckResult("libvlc-rtsp", Status.WARN, "no RTSP", fix=doctor.VLC_RTSP_FIX),
            CheckResult("keyring", Status.FAIL, "no keyring", fix="install gnome-keyring"),
        )
    )
    labels = {"libvlc": "libVLC", "libvlc-rtsp": "libVLC RTSP", "keyring": "Keyring"}
    text = doctor.format_report(report, labels, columns=200)
    assert "✓ libVLC       3.0.24" in text
    assert "! libVLC RTSP  no RTSP" in text
    assert "✗ Keyring      no keyring" in text
    assert "fix: install gnome-keyring" in text and "never shown" not in text
    assert "1 problem(s), 1 warning(s)" in text
    ascii_text = doctor.format_report(report, labels, unicode=False, columns=200)
    assert ascii_text.isascii() and "XX Keyring" in ascii_text and "ffmpeg -> MPEG-TS" in ascii_text


def test_only_selects_checks_and_refuses_unknown_names() -> None:
    checks = doctor.default_checks()
    assert [c.name for c in doctor_command._selected_checks(checks, ["sqlite", "python"])] == [
        "python",
        "sqlite",
    ]
    with pytest.raises(UserFacingError, match="unknown check nope"):
        doctor_command._selected_checks(checks, ["nope"])


# --- the real thing -------------------------------------------------------------------------------


@pytest.mark.skipif(ctypes.util.find_library("vlc") is None, reason="libVLC is not installed")
def test_vmwall_doctor_json_on_this_machine(tmp_path: Path) -> None:
    env = {**os.environ, "VMWALL_LOG_DIR": str(tmp_path)}
    env.pop("VMWALL_DB_URL", None)
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "vmwall.cli", "doctor", "--json"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO,
        env=env,
        check=False,
    )
    elapsed = time.monotonic() - started
    report = json.loads(done.stdout)
    assert set(report) == {"ok", "vmwall_version", "platform", "elapsed_s", "checks"}
    checks = {c["name"]: c for c in report["checks"]}
    assert list(checks) == [c.name for c in doctor.default_checks()]
    for check in report["checks"]:
        assert set(check) == {"name", "status", "summary", "details", "fix"}
        assert check["status"] in {"ok", "warn", "fail"}
        assert check["status"] == "ok" or check["fix"], check
    assert done.returncode == (0 if report["ok"] else 1)
    assert report["ok"] == all(c["status"] != "fail" for c in report["checks"])
    # Debian's libVLC: plays the hub's MPEG-TS, cannot open rtsp:// itself.
    assert checks["libvlc"]["status"] == "ok", checks["libvlc"]
    assert checks["libvlc-rtsp"]["status"] == "warn", checks["libvlc-rtsp"]
    assert "DESCRIBE" not in [r["method"] for r in checks["libvlc-rtsp"]["details"]["requests"]]
    assert checks["libvlc-rtsp"]["details"]["live555_plugin"] is False
    if shutil.which("ffmpeg"):
        assert checks["ffmpeg"]["status"] in {"ok", "warn"}
    assert report["elapsed_s"] < 10 and elapsed < 30  # ~2 s here; room for a loaded CI machine
