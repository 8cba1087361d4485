"""Everything that touches images or rights reaches the audit trail, end to end, on SQLite and
PostgreSQL: PTZ moves through the console's PTZ service and the `vmwall ptz` command (simulated ONVIF
devices), wall pushes through a real `vmwall wall-controller` process, `vmwall users` changes; and
`vmwall audit verify` still passes afterwards (the chain is intact)."""

from __future__ import annotations

import json
import os
import socket
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.fixtures.accounts import TEST_PASSWORD, create_account
from tests.fixtures.keyring import MemoryKeyring
from tests.fixtures.wall import (
    WALL_USER,
    NodeProcess,
    WallCatalogue,
    WallEnv,
    cli,
    fill_catalogue,
    wait_for,
)
from vmwall.audit_wiring import PtzAuditListener, WallPushRecorder, wall_push_uid
from vmwall.cli import main
from vmwall.commands.wall_controller import audit_pushes
from vmwall.journal.service import JournalService
from vmwall.model import Role
from vmwall.model.audit import AuditAction, AuditRecord
from vmwall.model.wall import WallPush
from vmwall.ptz.api import PtzAction, PtzEvent, PtzSettings
from vmwall.sim.onvif_device import SimOnvifFarm
from vmwall.sim.registration import register_farm
from vmwall.store import AuditRepository, Database, open_database
from vmwall.store.repositories.audit import AuditFilter
from vmwall.wall.persist import PushLog, read_push_log

pytestmark = pytest.mark.timeout(180)

WAIT = 30.0
HOST = socket.gethostname()


def records(db: Database | str, action: AuditAction) -> list[AuditRecord]:
    """The trail's records of one kind, oldest first (read through a connection of its own)."""
    url = db if isinstance(db, str) else db.url
    with open_database(url) as other:
        found = AuditRepository(other).records(AuditFilter(actions=frozenset({action.value}), limit=1000))
    return list(reversed(found))


def verify_passes(db_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> str:
    """`vmwall audit verify` (as a DPO) exits 0; its output."""
    with open_database(db_url) as database:
        create_account(database, "dpo", Role.DPO)
    monkeypatch.setenv("VMWALL_USER", "dpo")
    monkeypatch.setenv("VMWALL_PASSWORD", TEST_PASSWORD)
    capsys.readouterr()
    code = main(["--db", db_url, "audit", "verify"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "audit trail intact" in out
    return out


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The user data directory (local journal queues) of this test, never the developer's."""
    path = tmp_path / "data"
    monkeypatch.setenv("VMWALL_DATA_DIR", str(path))
    return path


@pytest.fixture
def ptz_site(database: Database, onvif_farm: SimOnvifFarm, memory_keyring: MemoryKeyring) -> Database:
    """The simulated cameras (1, 2 PTZ; 3 fixed) in the catalogue, their passwords in the keyring;
    alice (opérateur) may drive them."""
    register_farm(database, onvif_farm.specs)
    create_account(database, "alice", Role.OPERATEUR)
    return database


# --- PTZ -------------------------------------------------------------------------------------------


def test_a_continuous_move_from_the_console_service_is_one_move_and_one_stop(
    ptz_site: Database, onvif_farm: SimOnvifFarm, data_dir: Path
) -> None:
    from vmwall.app import ptz_service_factory
    from vmwall.store import UserRepository

    user = UserRepository(ptz_site).get_by_login("alice")
    assert user is not None
    head = onvif_farm.ptz(1)
    with JournalService(ptz_site, data_dir=data_dir, workstation="poste-3") as journal:
        # The console's own factory, as app.run_console builds it.
        make = ptz_service_factory(lambda: ptz_site, PtzSettings(max_rate=10.0), audit=journal.audit)
        service = make(user)
        try:
            # A joystick held for 1.5 s of movement: the stick is read 30 times a second. The hold
            # is counted from the first move the camera receives, so the service's first contact
            # with the camera (0.4-0.9 s here, more on a busy machine) does not eat into it.
            give_up = time.monotonic() + 15.0
            deadline: float | None = None
            while deadline is None or time.monotonic() < deadline:
                assert time.monotonic() < give_up, "the camera received no ContinuousMove in 15 s"
                service.velocity(1, 0.6, -0.2, 0.0)
                time.sleep(1 / 30)
                if deadline is None and head.received("ContinuousMove"):
                    deadline = time.monotonic() + 1.5
            service.velocity(1, 0.0, 0.0, 0.0)
            wait_for(lambda: not head.is_moving(), 10, "the camera stops")
            preset = service.set_preset(1, "Parvis").result(WAIT)
            service.goto_preset(1, preset.token).result(WAIT)
        finally:
            service.close()
    requests = len(head.received("ContinuousMove"))
    assert requests >= 5  # refreshed while held: many requests...
    ptz = [r for r in records(ptz_site, AuditAction.PTZ) if r.event.camera == 1]
    moves = [r.event.details["move"] for r in ptz]
    assert moves.count("move") == 1 and moves.count("stop") == 1  # ...one record per move
    assert moves.index("move") < moves.index("stop")
    assert {"set-preset", "goto-preset"} <= set(moves)
    for record in ptz:
        assert record.event.actor == "alice"
        assert record.event.workstation == "poste-3"
    move = next(r for r in ptz if r.event.details["move"] == "move")
    assert move.event.details["detail"].startswith("pan +0.60")


def test_the_listener_records_a_stop_once_and_no_tour_steps(database: Database, data_dir: Path) -> None:
    """What the service reports that would flood the trail, recorded once (a real journal writer)."""
    from datetime import UTC, datetime

    def event(action: PtzAction, detail: str = "") -> PtzEvent:
        return PtzEvent(datetime.now(UTC), "alice", 2, action, detail)

    with JournalService(database, data_dir=data_dir) as journal:
        listener = PtzAuditListener(journal.audit)
        for e in (
            event(PtzAction.MOVE, "pan +0.50 tilt +0.00 zoom +0.00"),
            event(PtzAction.STOP),
            event(PtzAction.STOP),  # the pilot's Stop, then the explicit Stop of `vmwall ptz move`
            event(PtzAction.TOUR_START, "2 steps"),
            *[event(PtzAction.GOTO_PRESET, f"preset_{i % 2 + 1} (tour)") for i in range(50)],
            event(PtzAction.TOUR_STOP, "stopped"),
            event(PtzAction.STOP),
            event(PtzAction.MOVE, "pan -0.50 tilt +0.00 zoom +0.00"),
            event(PtzAction.STOP),
        ):
            listener.ptz_event(e)
    moves = [r.event.details["move"] for r in records(database, AuditAction.PTZ)]
    assert moves == ["move", "stop", "tour-start", "tour-stop", "stop", "move", "stop"]
    assert (listener.recorded, listener.skipped) == (7, 51)


def test_a_vmwall_ptz_move_is_recorded_with_the_signed_in_user(
    ptz_site: Database,
    onvif_farm: SimOnvifFarm,
    data_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("VMWALL_USER", "alice")
    monkeypatch.setenv("VMWALL_PASSWORD", TEST_PASSWORD)
    code = main(["--db", ptz_site.url, "ptz", "1", "move", "0.5", "0", "0", "--for", "1"])
    assert code == 0, capsys.readouterr().err
    assert len(onvif_farm.ptz(1).received("ContinuousMove")) >= 2
    ptz = records(ptz_site, AuditAction.PTZ)
    assert [(r.event.actor, r.event.camera, r.event.details["move"]) for r in ptz] == [
        ("alice", 1, "move"),
        ("alice", 1, "stop"),
    ]
    assert {r.event.workstation for r in ptz} == {f"cli@{HOST}"[:64]}
    assert main(["--db", ptz_site.url, "ptz", "1", "home"]) == 0
    assert records(ptz_site, AuditAction.PTZ)[-1].event.details["move"] == "home"
    # Reading (status, presets) is not an action on the camera: nothing more is recorded.
    assert main(["--db", ptz_site.url, "ptz", "1", "status"]) == 0
    assert len(records(ptz_site, AuditAction.PTZ)) == 3
    # Nothing is left queued locally: the command made its records durable before it ended.
    with JournalService(ptz_site, data_dir=data_dir) as journal:
        assert journal.state().queued == 0
    verify_passes(ptz_site.url, capsys, monkeypatch)


# --- wall pushes -----------------------------------------------------------------------------------


def test_a_wall_show_through_the_controller_is_one_push_record(
    db_url: str,
    wall_env: WallEnv,
    start_controller: Callable[..., object],
    node_processes: list[NodeProcess],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    with open_database(db_url) as database:
        fill_catalogue(database)
    catalogue = WallCatalogue(db_url)
    controller = start_controller(catalogue)
    node = NodeProcess.launch("mur-1", wall_env, screens=2)
    node_processes.append(node)
    node.wait_show("mur-1:1", lambda c: c == [None])
    done = cli(wall_env, db_url, "show", "3", "--screen", "mur-1:1:1")
    assert done.returncode == 0, done.stderr
    node.wait_show("mur-1:0", lambda c: c == [3])
    # Recorded while the controller runs (not only when it stops): within a few seconds.
    wait_for(lambda: len(records(db_url, AuditAction.WALL_PUSH)) == 1, 15, "the push reaches the trail")
    ((logged, epoch),) = list(read_push_log(wall_env.push_log))
    (record,) = records(db_url, AuditAction.WALL_PUSH)
    event = record.event
    assert (event.actor, event.target) == (WALL_USER, logged.console) and logged.console
    assert event.details["change"] == "show-camera" and event.details["sequence"] == logged.sequence
    assert event.details["epoch"] == epoch
    assert event.uid == wall_push_uid(logged, epoch)
    assert event.workstation.startswith("wall-controller@")
    # A restart replays the push log's tail: the push stays recorded once.
    assert controller.stop() == 0  # type: ignore[attr-defined]
    again = start_controller(catalogue)
    assert again.stop() == 0  # type: ignore[attr-defined]  # its journal closed: every record applied
    with open_database(db_url) as database, JournalService(database, data_dir=wall_env.data_dir) as journal:
        assert journal.state().queued == 0  # nothing left behind in the controller's local queue
    assert len(records(db_url, AuditAction.WALL_PUSH)) == 1
    verify_passes(db_url, capsys, monkeypatch)


def test_pushes_in_the_push_log_are_recorded_exactly_once(database: Database, tmp_path: Path) -> None:
    """A controller that died between its push log and the trail: the next start records what is
    missing, and only that."""
    state = tmp_path / "wall-state.json"
    log = PushLog(tmp_path / "wall-state.pushes.jsonl")
    pushes = [
        WallPush(1_760_000_000.0 + i, "chef", "poste-1", "show-camera", f"camera {i}", i + 1)
        for i in range(3)
    ]
    log.open()
    for push in pushes:
        log.append(push, "epoch-a")
    log.close()
    with JournalService(database, data_dir=tmp_path) as journal:  # the run that died
        recorder = WallPushRecorder(journal.audit, lambda: "epoch-a")
        recorder(pushes[0])
        recorder(pushes[1])  # ...the third push was in the push log, not yet in the trail
    assert len(records(database, AuditAction.WALL_PUSH)) == 2
    journal, record = audit_pushes(database, state)  # the next start
    journal.close()
    assert [r.event.details["detail"] for r in records(database, AuditAction.WALL_PUSH)] == [
        "camera 0",
        "camera 1",
        "camera 2",
    ]
    journal, record = audit_pushes(database, state)  # another restart
    try:
        record(pushes[2], "epoch-a")  # the controller reporting it again
    finally:
        journal.close()
    assert len(records(database, AuditAction.WALL_PUSH)) == 3
    assert AuditRepository(database).verify().ok


# --- users and rights ------------------------------------------------------------------------------


def test_vmwall_users_changes_are_recorded_with_who_made_them(
    database: Database, data_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    create_account(database, "admin", Role.ADMINISTRATEUR)
    monkeypatch.setenv("VMWALL_USER", "admin")
    monkeypatch.setenv("VMWALL_PASSWORD", TEST_PASSWORD)

    def run(*args: str, stdin: str | None = None) -> None:
        if stdin is not None:
            import io

            monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        assert main(["--db", database.url, "users", *args]) == 0, capsys.readouterr().err

    run(
        "add",
        "zoe",
        "--role",
        "operateur",
        "--agrement-ref",
        "AGR-1",
        "--agrement-until",
        "2099-12-31",
        "--training",
        "2025-01-01",
        "--charter",
        "2025-01-01",
        "--password-stdin",
        stdin="Hirondelle-bleue-2025\n",
    )
    run("grant", "zoe", "--role", "chef-de-salle")
    run("suspend", "zoe", "--reason", "enquête administrative")
    run("reactivate", "zoe")
    run("passwd", "zoe", "--password-stdin", stdin="Mesange-verte-2025\n")
    changes = [
        r
        for r in records(database, AuditAction.USER_CHANGE) + records(database, AuditAction.RIGHT_CHANGE)
        if r.event.target == "zoe"
    ]
    changes.sort(key=lambda r: r.seq)
    assert [(r.event.actor, r.event.details["event"]) for r in changes] == [
        ("admin", "user-created"),
        ("admin", "user-changed"),
        ("admin", "agrement-suspended"),
        ("admin", "account-reactivated"),
        ("admin", "password-changed"),
    ]
    grant = changes[1]
    assert grant.event.action is AuditAction.RIGHT_CHANGE
    assert grant.event.details["data_role"] == "chef-de-salle"
    assert "operateur -> chef-de-salle" in grant.event.details["detail"]
    assert changes[2].event.action is AuditAction.RIGHT_CHANGE
    assert changes[2].event.details["detail"] == "enquête administrative"
    text = json.dumps([r.event.detail for r in changes])
    assert "Hirondelle" not in text and "Mesange" not in text  # never a password
    assert all(r.event.workstation == f"cli@{HOST}"[:64] for r in changes)  # as every CLI record names it
    verify_passes(database.url, capsys, monkeypatch)


# --- all of it, one chain ---------------------------------------------------------------------------


def test_the_chain_is_intact_after_every_source(
    ptz_site: Database,
    onvif_farm: SimOnvifFarm,
    data_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """PTZ (CLI), a user change, a wall push recorded by the controller's wiring and the CLI's
    sign-ins and sign-outs, interleaved in one trail: `vmwall audit verify` passes."""
    create_account(ptz_site, "admin", Role.ADMINISTRATEUR)
    for login, args in (
        ("alice", ["ptz", "2", "move", "0", "0.5", "0", "--for", "0.5"]),
        ("admin", ["users", "grant", "alice", "--role", "chef-de-salle"]),
        ("alice", ["ptz", "2", "home"]),
    ):
        monkeypatch.setenv("VMWALL_USER", login)
        monkeypatch.setenv("VMWALL_PASSWORD", TEST_PASSWORD)
        assert main(["--db", ptz_site.url, *args]) == 0, capsys.readouterr().err
    journal, record = audit_pushes(ptz_site, data_dir / "wall-state.json")
    try:
        record(WallPush(time.time(), "alice", "poste-2", "show-camera", "camera 2", 4), "epoch-b")
    finally:
        journal.close()
    kinds = {str(r.event.action) for r in AuditRepository(ptz_site).records(AuditFilter(limit=1000))}
    assert {"ptz", "right-change", "wall-push", "login", "logout"} <= kinds
    out = verify_passes(ptz_site.url, capsys, monkeypatch)
    assert os.linesep.join(out.splitlines()[:1]).startswith("audit trail intact")
