"""`vmwall ptz` against simulated cameras registered in the database (SQLite and PostgreSQL):
in-process for the actions, and as concurrent processes for the control lock between them."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import keyring.backend
import pytest

from tests.fixtures.accounts import TEST_PASSWORD, create_account
from tests.fixtures.keyring import MemoryKeyring
from vmwall.cli import main
from vmwall.model import Role
from vmwall.sim.onvif_device import SimOnvifFarm
from vmwall.sim.registration import register_farm
from vmwall.store import open_database

ROOT = Path(__file__).resolve().parents[2]
KEYRING_FILE_ENV = "VMWALL_TEST_KEYRING_FILE"


class FileKeyring(keyring.backend.KeyringBackend):
    """Test-only keyring shared with subprocesses through a JSON file ($VMWALL_TEST_KEYRING_FILE)."""

    priority = -1  # type: ignore[assignment]

    def _entries(self) -> dict[str, str]:
        path = os.environ.get(KEYRING_FILE_ENV)
        return json.loads(Path(path).read_text()) if path else {}

    def get_password(self, service: str, username: str) -> str | None:
        return self._entries().get(f"{service}\t{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise keyring.errors.PasswordSetError("read-only test keyring")

    def delete_password(self, service: str, username: str) -> None:
        raise keyring.errors.PasswordDeleteError("read-only test keyring")


@pytest.fixture
def site(
    db_url: str, onvif_farm: SimOnvifFarm, memory_keyring: MemoryKeyring, tmp_path: Path
) -> Iterator[str]:
    """The farm registered as cameras 1-3, accounts alice and bob (opérateurs) and chef (chef de salle),
    the cameras' passwords in a keyring file for subprocesses. Yields the database URL."""
    with open_database(db_url) as database:
        register_farm(database, onvif_farm.specs)
        create_account(database, "alice", Role.OPERATEUR)
        create_account(database, "bob", Role.OPERATEUR)
        create_account(database, "chef", Role.CHEF_DE_SALLE)
        create_account(database, "tech", Role.ADMINISTRATEUR)
    keyring_file = tmp_path / "keyring.json"
    keyring_file.write_text(json.dumps({f"{s}\t{u}": p for (s, u), p in memory_keyring.entries.items()}))
    os.environ[KEYRING_FILE_ENV] = str(keyring_file)
    try:
        yield db_url
    finally:
        os.environ.pop(KEYRING_FILE_ENV, None)


def vmwall(
    site: str, user: str, *args: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> tuple[int, str, str]:
    monkeypatch.setenv("VMWALL_USER", user)
    monkeypatch.setenv("VMWALL_PASSWORD", TEST_PASSWORD)
    capsys.readouterr()
    code = main(["--db", site, "ptz", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_status_presets_goto_move_stop(
    site: str, onvif_farm: SimOnvifFarm, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def run(*args: str) -> tuple[int, str, str]:
        return vmwall(site, "alice", *args, monkeypatch=monkeypatch, capsys=capsys)

    code, out, err = run("1", "status")
    assert (code, err) == (0, "")
    assert out == "camera 1 (Parvis de la mairie): pan +0.000 tilt +0.000 zoom 0.000, still\ncontrol: free\n"
    assert run("1", "presets") == (0, "camera 1 (Parvis de la mairie) has no preset\n", "")
    head = onvif_farm.ptz(1)
    code, out, err = run("1", "move", "0.5", "-0.5", "0", "--for", "1.5")
    assert (code, err) == (0, "")
    assert not head.is_moving()  # stopped at the end of the command
    moved = head.position()
    assert moved.pan > 0.2 and moved.tilt < -0.2
    assert len(head.received("ContinuousMove")) >= 3  # refreshed: the 1 s move timeout never ran out
    # --for counts the movement itself: from the first move the camera took to the Stop, whatever
    # the first contact with the camera cost before.
    first_move = head.received("ContinuousMove")[0].at
    stop = next(c.at for c in head.received("Stop") if c.at > first_move)
    assert 1.5 <= stop - first_move < 2.5, stop - first_move
    code, token, _ = run("1", "preset-set", "Parvis nord")
    assert code == 0 and token.strip() == "preset_1"
    assert run("1", "home") == (0, "", "")
    time.sleep(1.2)
    assert run("Parvis de la mairie", "goto", "Parvis nord") == (0, "", "")  # camera and preset by name
    time.sleep(1.2)
    back = head.position()
    assert (back.pan, back.tilt) == pytest.approx((moved.pan, moved.tilt), abs=1e-3)
    code, out, _ = run("1", "presets", "--json")
    assert json.loads(out) == [{"token": "preset_1", "name": "Parvis nord"}]
    code, out, _ = run("1", "status", "--json")
    status = json.loads(out)
    assert status["camera"] == 1 and status["holder"] is None and not status["moving"]
    assert run("1", "stop") == (0, "", "")


def test_errors_are_clear_and_name_the_camera(
    site: str, onvif_farm: SimOnvifFarm, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def run(user: str, *args: str) -> tuple[int, str, str]:
        return vmwall(site, user, *args, monkeypatch=monkeypatch, capsys=capsys)

    assert run("alice", "3", "move", "0.5", "0", "0") == (
        1,
        "",
        "vmwall: camera 3 (Parc des Sports) is a fixed camera: it has no PTZ\n",
    )
    assert run("alice", "42", "status") == (1, "", "vmwall: camera 42 is not in the catalogue\n")
    assert run("alice", "Nowhere", "status")[2] == (
        "vmwall: no camera is named 'Nowhere' (give its number, or its exact name)\n"
    )
    code, _, err = run("alice", "1", "goto", "nope")
    assert code == 1 and err == "vmwall: camera 1 has no preset 'nope'; its presets: none\n"
    code, _, err = run("tech", "1", "status")  # the technical administrator sees no images: no PTZ
    assert code == 77 and "ptz" in err
    onvif_farm.ptz(2).stall()
    try:
        code, _, err = run("alice", "--timeout", "0.5", "2", "stop")
    finally:
        onvif_farm.ptz(2).resume()
    assert code == 1
    assert err.startswith("vmwall: no answer from camera 2 (Gare routière) at 127.0.0.1:")
    assert err.endswith("within 0.5 s\n")


def spawn(site: str, user: str, *args: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VMWALL_", "PYTHON_KEYRING"))}
    env.update(
        PYTHONPATH=str(ROOT),
        PYTHON_KEYRING_BACKEND=f"{__name__}.FileKeyring",
        VMWALL_USER=user,
        VMWALL_PASSWORD=TEST_PASSWORD,
        VMWALL_LOG_DIR=str(Path(os.environ[KEYRING_FILE_ENV]).parent / f"logs-{user}"),
        VMWALL_DATA_DIR=str(Path(os.environ[KEYRING_FILE_ENV]).parent / f"data-{user}"),
    )
    env[KEYRING_FILE_ENV] = os.environ[KEYRING_FILE_ENV]
    return subprocess.Popen(
        [sys.executable, "-m", "vmwall", "--db", site, "ptz", *args],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(process: subprocess.Popen[str], timeout: float = 60) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=timeout)
    return process.returncode, out, err


def wait_for(condition: object, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not within {timeout} s")
        time.sleep(0.05)


def test_two_consoles_one_camera_and_the_chef_takes_over(site: str, onvif_farm: SimOnvifFarm) -> None:
    """Three `vmwall ptz` processes on the same database: alice drives, bob is refused, chef takes over."""
    head = onvif_farm.ptz(1)
    # Slowly (0.025/s): the head must not reach its limit (pan 1) while processes start on a busy machine.
    alice = spawn(site, "alice", "1", "move", "0.05", "0", "0", "--for", "60")
    try:
        wait_for(head.is_moving, 30, "alice's move")
        code, _, err = finish(spawn(site, "bob", "1", "move", "-0.3", "0", "0", "--for", "1"))
        assert code == 1, err
        assert err.startswith(
            "vmwall: camera 1 (Parvis de la mairie) is driven by Test Alice (operateur) at cli@"
        )
        assert head.is_moving()
        assert all(c.args[0] == 0.05 for c in head.received("ContinuousMove"))
        code, _, err = finish(spawn(site, "bob", "--take-over", "1", "stop"))
        assert code == 75 and "the same or a higher priority" in err  # same priority: no take-over
        code, _, err = finish(spawn(site, "chef", "--take-over", "1", "stop"))
        assert code == 0, err
        assert err.startswith("took the control over from Test Alice (operateur) at cli@")
        assert not head.is_moving()
        # alice's command learns it lost the camera, stops driving and says so.
        code, _out, err = finish(alice, timeout=30)
        assert code == 1
        # By whom, if alice's command sees the chef's lock before the chef's command ends and frees it.
        assert re.fullmatch(
            r"vmwall: camera 1 \(Parvis de la mairie\) was taken over by"
            r" (Test Chef \(chef-de-salle\) at cli@\S+|someone else)\n",
            err,
        ), err
        assert not head.is_moving()
        assert all(c.args[0] == 0.05 for c in head.received("ContinuousMove"))  # bob never moved it
    finally:
        if alice.poll() is None:
            alice.kill()
            alice.communicate()


def test_a_killed_command_leaves_a_camera_that_stops_by_itself(site: str, onvif_farm: SimOnvifFarm) -> None:
    """vmwall dies mid-move (SIGKILL: nothing is sent): the ContinuousMove timeout stops the camera."""
    head = onvif_farm.ptz(2)
    process = spawn(site, "alice", "2", "move", "0.05", "0", "0", "--for", "60")
    try:
        wait_for(head.is_moving, 30, "the move")
        time.sleep(1.5)  # several refreshes: the timeout did not stop it while vmwall lived
        assert head.is_moving()
        process.kill()
        process.communicate(timeout=10)
        killed = time.monotonic()
        wait_for(lambda: not head.is_moving(), 3.0, "the camera's own stop")
        assert time.monotonic() - killed < 1.5  # the 1 s timeout of the last ContinuousMove
        assert head.received("Stop") == []
        assert {c.args[3] for c in head.received("ContinuousMove")} == {1.0}
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
