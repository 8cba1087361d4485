"""`vmwall users ...` and the CLI's signed-in user, end to end: in-process on both databases, and as
real processes (environment variables, and the prompt on a real pseudo-terminal)."""

from __future__ import annotations

import io
import json
import logging
import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.fixtures.accounts import FAST, TEST_PASSWORD, create_account, sign_in
from tests.fixtures.secret_scan import assert_secret_not_stored
from vmwall.cli import main
from vmwall.commands import _auth
from vmwall.model import Commune, Role
from vmwall.store import AccountRepository, CommuneRepository, open_database

ADMIN_PASSWORD = "Gestion-des-comptes-2025"
OPERATOR_PASSWORD = "Veille-de-nuit-2025"
ROOT = Path(__file__).resolve().parents[2]
VMWALL = ROOT / ".venv" / "bin" / "vmwall"


class Cli:
    def __init__(self, url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
        self.url = url
        self.capsys = capsys
        self.monkeypatch = monkeypatch
        self.transcript: list[str] = []

    def __call__(self, *args: str, stdin: str = "") -> tuple[int, str, str]:
        self.monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        try:
            code = main(["--db", self.url, *args])
        except SystemExit as exit_:  # argparse refusing an argument
            code = int(exit_.code or 0)
        out, err = self.capsys.readouterr()
        self.transcript += [out, err]
        return code, out, err

    def as_user(self, login: str, password: str) -> None:
        sign_in(self.monkeypatch, login, password)


@pytest.fixture
def cli(db_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Cli:
    monkeypatch.setattr(_auth, "open_terminal", lambda: None)  # the suite never asks on a terminal
    monkeypatch.setattr(_auth, "HASH_PARAMS", FAST)  # the real cost is measured by the process tests
    monkeypatch.setenv("VMWALL_LOG_DIR", str(Path(db_url.split("///")[-1]).parent / "logs"))
    return Cli(db_url, capsys, monkeypatch)


def add_communes(url: str) -> None:
    with open_database(url) as database:
        communes = CommuneRepository(database)
        communes.add(Commune("Lille", "59350"))
        communes.add(Commune("Roubaix", "59512"))


def test_bootstrap_then_every_command_needs_a_user(cli: Cli, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    code, _out, err = cli("cameras", "list")
    assert code == 77
    assert "no account exists yet" in err and "vmwall users add LOGIN --role administrateur" in err
    # The first account: an administrator, without login.
    code, out, err = cli("users", "add", "chef", "--role", "chef-de-salle", "--password-stdin", stdin="x\n")
    assert code == 1 and "first account must be an administrator" in err
    code, out, err = cli(
        "users", "add", "admin", "--role", "administrateur", "--password-stdin", stdin=f"{ADMIN_PASSWORD}\n"
    )
    assert (code, err) == (0, ""), err
    assert "added 'admin' (administrateur technique, every commune)" in out and "first administrator" in out
    # From now on: a signed-in user, from the environment (no terminal here).
    code, _out, err = cli(
        "users", "add", "admin2", "--role", "administrateur", "--password-stdin", stdin="y\n"
    )
    assert code == 77 and "set VMWALL_USER and VMWALL_PASSWORD" in err
    code, _out, err = cli("cameras", "list")
    assert code == 77 and "needs a signed-in user" in err
    cli.as_user("admin", "Mauvais-mot-2025")
    code, _out, err = cli("cameras", "list")
    assert (code, err) == (77, "vmwall: login refused: unknown login or wrong password\n")
    cli.as_user("admin", ADMIN_PASSWORD)
    code, out, err = cli("cameras", "list")
    assert (code, out, err) == (0, "no cameras\n", "")
    # `vmwall db` runs on an empty database (installers), and needs a right once accounts exist.
    code, out, _err = cli("db", "current")
    assert code == 0 and "up to date" in out
    # No password on any output, log line or database value.
    everything = "".join(cli.transcript) + caplog.text
    assert ADMIN_PASSWORD not in everything
    with open_database(cli.url) as database:
        assert assert_secret_not_stored(database, ADMIN_PASSWORD) > 0


def test_administering_accounts(cli: Cli) -> None:
    add_communes(cli.url)
    create_account(cli.url, "admin", Role.ADMINISTRATEUR, password=ADMIN_PASSWORD)
    cli.as_user("admin", ADMIN_PASSWORD)
    code, out, err = cli(
        "users",
        "add",
        "pm.lille",
        "--role",
        "policier municipal",
        "--full-name",
        "Paul Martin",
        "--employer",
        "Ville de Lille",
        "--commune",
        "Lille",
        "--agrement-ref",
        "AGR-59-0042",
        "--agrement-until",
        "2099-12-31",
        "--training",
        "2025-01-15",
        "--charter",
        "2025-01-16",
        "--password-stdin",
        stdin=f"{OPERATOR_PASSWORD}\n",
    )
    assert (code, err) == (0, ""), err
    assert "added 'pm.lille' (policier municipal, communes Lille)" in out
    code, out, err = cli(
        "users", "add", "pm2", "--role", "policier-municipal", "--password-stdin", stdin="Z\n"
    )
    assert code == 1 and "policier municipal sees only their commune" in err
    code, out, err = cli(
        "users", "add", "ref", "--role", "référent réquisitions", "--password-stdin", stdin="court\n"
    )
    assert code == 1 and "at least 12 characters" in err
    code, out, err = cli("users", "add", "x", "--role", "chef", "--password-stdin", stdin="x\n")
    assert code == 2 and "unknown role 'chef'" in err
    code, out, err = cli(
        "users", "add", "nouveau", "--role", "operateur", "--password-stdin", stdin=f"{OPERATOR_PASSWORD}\n"
    )
    assert code == 0 and "note: account 'nouveau' has no agrément on record" in out

    code, out, _err = cli("users", "list", "--json")
    rows = {r["login"]: r for r in json.loads(out)}
    assert sorted(rows) == ["admin", "nouveau", "pm.lille"]
    pm = rows["pm.lille"]
    assert pm["communes"] == ["Lille"] and pm["access"] == "ok" and pm["employer"] == "Ville de Lille"
    assert pm["agrement"] == {"ref": "AGR-59-0042", "until": "2099-12-31", "status": "active"}
    assert rows["nouveau"]["access"] == "agrement-missing"
    assert "password_hash" not in out and "$scrypt$" not in out
    code, out, _err = cli("users", "list")
    assert (code == 0 and "pm.lille" in out.splitlines()[2]) or "pm.lille" in out

    # grant / revoke / update
    code, out, err = cli("users", "grant", "pm.lille", "--commune", "Roubaix")
    assert (code, err) == (0, "") and "communes Lille, Roubaix" in out
    code, _out, err = cli("users", "revoke", "pm.lille", "--commune", "Lille")
    assert code == 0
    code, _out, err = cli("users", "revoke", "pm.lille", "--commune", "Roubaix")
    assert code == 2 and "would let it see every commune" in err
    code, _out, err = cli("users", "grant", "admin", "--commune", "Lille")
    assert code == 2 and "already sees every commune" in err
    code, _out, err = cli("users", "grant", "nouveau", "--commune", "Nulle-part")
    assert code == 2 and "no commune 'Nulle-part'" in err
    code, out, err = cli(
        "users",
        "update",
        "nouveau",
        "--agrement-ref",
        "AGR-1",
        "--agrement-until",
        "2099-01-01",
        "--training",
        "2025-02-01",
        "--charter",
        "2025-02-01",
    )
    assert (code, err) == (0, ""), err
    code, out, _err = cli("users", "show", "nouveau", "--json")
    assert json.loads(out)["access"] == "ok"
    code, out, _err = cli("users", "grant", "nouveau", "--role", "chef-de-salle")
    assert code == 0 and "chef de salle" in out
    code, out, _err = cli("users", "update", "nouveau", "--valid-until", "2020-01-01")
    assert code == 0
    code, out, _err = cli("users", "show", "nouveau")
    assert "access               expired" in out
    code, out, _err = cli("users", "update", "nouveau", "--valid-until", "none")
    code, out, _err = cli("users", "show", "nouveau", "--json")
    assert json.loads(out)["valid_until"] is None

    # suspend -> the account is refused; reactivate -> back
    code, out, _err = cli("users", "suspend", "pm.lille", "--reason", "enquête")
    assert code == 0 and "suspended the agrément of 'pm.lille'" in out
    cli.as_user("pm.lille", OPERATOR_PASSWORD)
    code, _out, err = cli("cameras", "list")
    assert code == 77 and "the agrément of 'pm.lille' is suspended" in err
    cli.as_user("admin", ADMIN_PASSWORD)
    code, out, _err = cli("users", "reactivate", "pm.lille")
    assert code == 0
    cli.as_user("pm.lille", OPERATOR_PASSWORD)
    assert cli("cameras", "list")[0] == 0
    # One's own password without the admin right; someone else's needs it.
    code, out, err = cli("users", "passwd", "--password-stdin", stdin="Nouvelle-veille-2026\n")
    assert (code, err) == (0, "") and "password of 'pm.lille' changed" in out
    cli.as_user("pm.lille", "Nouvelle-veille-2026")
    code, _out, err = cli("users", "passwd", "admin", "--password-stdin", stdin="Prise-de-pouvoir-2026\n")
    assert code == 77 and "user-admin" in err
    code, _out, err = cli("users", "list")
    assert code == 77 and "may not run `vmwall users list`: it needs the user-admin right" in err
    # deactivate; the last administrator is protected
    cli.as_user("admin", ADMIN_PASSWORD)
    code, _out, err = cli("users", "deactivate", "admin")
    assert code == 1 and "last active administrator" in err
    assert cli("users", "deactivate", "pm.lille", "--reason", "départ")[0] == 0
    cli.as_user("pm.lille", "Nouvelle-veille-2026")
    code, _out, err = cli("cameras", "list")
    assert code == 77 and "deactivated" in err
    transcript = "".join(cli.transcript)
    for secret in (ADMIN_PASSWORD, OPERATOR_PASSWORD, "Nouvelle-veille-2026"):
        assert secret not in transcript


def test_wrong_passwords_throttle_the_account(cli: Cli) -> None:
    create_account(cli.url, "admin", Role.ADMINISTRATEUR, password=ADMIN_PASSWORD)
    cli.as_user("admin", "Mauvais-mot-2025")
    for _ in range(5):
        assert cli("users", "list")[0] == 77
    cli.as_user("admin", ADMIN_PASSWORD)
    code, _out, err = cli("users", "list")
    assert code == 77 and "too many wrong passwords" in err
    with open_database(cli.url) as database:
        assert AccountRepository(database).find("admin").failed_logins == 5  # type: ignore[union-attr]


def test_cameras_list_is_scoped_for_a_municipal_police_officer(cli: Cli) -> None:
    from vmwall.model import Camera
    from vmwall.store import CameraRepository

    add_communes(cli.url)
    with open_database(cli.url) as database:
        lille, roubaix = CommuneRepository(database).list()[0], CommuneRepository(database).list()[1]
        assert lille.id and roubaix.id
        CameraRepository(database).add(Camera(1, "Grand-Place", lille.id))
        CameraRepository(database).add(Camera(2, "Gare", roubaix.id))
        create_account(database, "pm.lille", Role.POLICIER_MUNICIPAL, communes=frozenset({lille.id}))
    cli.as_user("pm.lille", TEST_PASSWORD)
    code, out, _err = cli("cameras", "list", "--json")
    assert code == 0 and [c["number"] for c in json.loads(out)] == [1]
    code, _out, err = cli("cameras", "show", "2")
    assert code == 1 and "no camera number 2" in err
    assert cli("cameras", "show", "1")[0] == 0
    code, _out, err = cli("cameras", "remove", "1")
    assert code == 77 and "camera-admin" in err


# --- real processes ------------------------------------------------------------------------------


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VMWALL_")}
    env.update(
        VMWALL_DB_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        VMWALL_LOG_DIR=str(tmp_path / "logs"),
        PYTHONPATH=str(ROOT),
    )
    env.update(extra)
    return env


def test_the_script_signs_in_from_the_environment(tmp_path: Path) -> None:
    env = _env(tmp_path)
    first = subprocess.run(
        [str(VMWALL), "users", "add", "admin", "--role", "administrateur", "--password-stdin"],
        input=f"{ADMIN_PASSWORD}\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert first.returncode == 0, first.stderr
    listing = subprocess.run(
        [str(VMWALL), "users", "list", "--json"],
        capture_output=True,
        text=True,
        env={**env, "VMWALL_USER": "admin", "VMWALL_PASSWORD": ADMIN_PASSWORD},
        timeout=60,
        check=False,
    )
    assert listing.returncode == 0, listing.stderr
    assert json.loads(listing.stdout)[0]["login"] == "admin"
    refused = subprocess.run(
        [str(VMWALL), "users", "list"],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        env=env,
        timeout=60,
        check=False,
        start_new_session=True,  # no controlling terminal
    )
    assert refused.returncode == 77 and "set VMWALL_USER and VMWALL_PASSWORD" in refused.stderr
    logs = "".join(p.read_text() for p in (tmp_path / "logs").glob("*") if p.is_file())
    assert ADMIN_PASSWORD not in logs


def test_the_script_asks_on_the_terminal(tmp_path: Path) -> None:
    """No $VMWALL_USER: the login and the password are asked on the controlling terminal (a pty)."""
    import fcntl
    import termios

    create_account(
        f"sqlite:///{tmp_path / 'db.sqlite3'}", "admin", Role.ADMINISTRATEUR, password=ADMIN_PASSWORD
    )
    master, slave = pty.openpty()

    def controlling_terminal() -> None:
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    process = subprocess.Popen(
        [str(VMWALL), "users", "list"],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=_env(tmp_path),
        start_new_session=True,
        preexec_fn=controlling_terminal,
    )
    os.close(slave)
    screen = b""

    def read_until(word: bytes, timeout_s: float = 30) -> None:
        nonlocal screen
        deadline = time.monotonic() + timeout_s
        while word not in screen:
            assert time.monotonic() < deadline, screen.decode(errors="replace")
            ready, _, _ = select.select([master], [], [], 0.2)
            if ready:
                try:
                    screen += os.read(master, 4096)
                except OSError:
                    break

    try:
        read_until(b"vmwall login: ")
        os.write(master, b"admin\n")
        read_until(b"Password of admin: ")
        os.write(master, ADMIN_PASSWORD.encode() + b"\n")
        read_until(b"administrateur")
        assert process.wait(30) == 0
    finally:
        if process.poll() is None:
            process.kill()
        os.close(master)
    assert ADMIN_PASSWORD.encode() not in screen  # getpass does not echo
