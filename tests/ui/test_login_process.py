"""The real processes: a `vmwall console` signed in from the environment, and `vmwall users suspend`
run from another process while it is open. The console's session loses its image rights within the
minute (default re-check interval), and its end is recorded when it closes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.fixtures.accounts import TEST_PASSWORD, create_account
from vmwall.model import Role


def test_a_suspension_reaches_a_running_console_within_the_minute(xvfb_display: str, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    create_account(url, "admin", Role.ADMINISTRATEUR)
    create_account(url, "chef", Role.CHEF_DE_SALLE)
    base = {k: v for k, v in os.environ.items() if not k.startswith("VMWALL_")}
    base.update(VMWALL_LOG_DIR=str(tmp_path / "log"), VMWALL_DATA_DIR=str(tmp_path / "data"))
    console_env = {
        **base,
        "DISPLAY": xvfb_display,
        "QT_QPA_PLATFORM": "xcb",
        "VMWALL_CONFIG_DIR": str(tmp_path / "config"),
        "VMWALL_USER": "chef",
        "VMWALL_PASSWORD": TEST_PASSWORD,
    }
    command = [sys.executable, "-m", "vmwall", "--db", url, "console", "--layout", "2x2", "--cameras", "1,2"]
    console = subprocess.Popen(
        [*command, "--no-start-hub", "--hub", "http://127.0.0.1:9"],
        env=console_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    log = tmp_path / "log" / "console.log"

    def wait_for(text: str, timeout_s: float) -> float:
        started = time.monotonic()
        while text not in (log.read_text() if log.exists() else ""):
            assert console.poll() is None, console.communicate()[0][-2000:]
            assert time.monotonic() - started < timeout_s, f"no {text!r} in the console log"
            time.sleep(0.2)
        return time.monotonic() - started

    try:
        wait_for("signed in from the environment: chef", 60)
        time.sleep(1.0)
        started = time.monotonic()
        suspend = subprocess.run(
            [sys.executable, "-m", "vmwall", "--db", url, "users", "suspend", "chef", "--reason", "test"],
            env={**base, "VMWALL_USER": "admin", "VMWALL_PASSWORD": TEST_PASSWORD},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert suspend.returncode == 0, suspend.stderr
        wait_for("rights of chef reduced: export, live-view, playback, ptz, wall", 60)
        elapsed = time.monotonic() - started
        print(f"suspension reached the running console in {elapsed:.1f} s")  # default re-check: 15 s
        assert elapsed < 60
        console.send_signal(signal.SIGTERM)
        output, _ = console.communicate(timeout=30)
    finally:
        if console.poll() is None:
            console.kill()
    assert console.returncode == 0, output[-2000:]
    text = log.read_text()
    assert "account event logout: chef (closed after" in text
    assert TEST_PASSWORD not in text and TEST_PASSWORD not in output


def test_sigterm_closes_the_login_dialog_cleanly(xvfb_display: str, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    create_account(url, "chef", Role.CHEF_DE_SALLE)
    env = {k: v for k, v in os.environ.items() if not k.startswith("VMWALL_")}
    env.update(
        DISPLAY=xvfb_display,
        QT_QPA_PLATFORM="xcb",
        VMWALL_LOG_DIR=str(tmp_path / "log"),
        VMWALL_DATA_DIR=str(tmp_path / "data"),
        VMWALL_CONFIG_DIR=str(tmp_path / "config"),
    )
    console = subprocess.Popen(
        [sys.executable, "-m", "vmwall", "--db", url, "console", "--user", "chef", "--no-start-hub"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    log = tmp_path / "log" / "console.log"
    try:
        deadline = time.monotonic() + 60
        while "asking for a login" not in (log.read_text() if log.exists() else ""):
            assert console.poll() is None, console.communicate()[0][-2000:]
            assert time.monotonic() < deadline, "the login dialog did not come"
            time.sleep(0.2)
        time.sleep(0.5)
        console.send_signal(signal.SIGTERM)
        output, _ = console.communicate(timeout=30)
    finally:
        if console.poll() is None:
            console.kill()
    assert console.returncode == 0, output[-2000:]
    assert "SIGTERM received" in log.read_text()
    assert not (tmp_path / "config" / "console.json").exists()  # no window was ever opened
