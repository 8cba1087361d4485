"""The PTZ control lock in the shared database, on SQLite and PostgreSQL (`database` fixture).

Contention between processes (two `vmwall ptz` commands) is in test_ptz_cli.py.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import inspect

from tests.fixtures.ptz import Recorder, resolver_for, wait_for
from vmwall.model import Camera, Commune, Forfait
from vmwall.model.ptz import LockStatus, Operator
from vmwall.ptz.api import PtzAction, PtzError, PtzErrorKind, PtzSettings
from vmwall.ptz.service import OnvifPtzService, make_operator
from vmwall.sim.onvif_device import SimOnvifFarm
from vmwall.store import (
    CameraRepository,
    CommuneRepository,
    Database,
    NotFoundError,
    PtzLockRepository,
    migrate,
)
from vmwall.store.db import Database as RawDatabase

T0 = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)


def operator(login: str, priority: int = 10, session: str | None = None) -> Operator:
    return Operator(login, f"{login.title()} Test", f"poste-{login}", priority, session or login, "operateur")


ALICE, BOB, CHEF = operator("alice"), operator("bob"), operator("chef", 20)


@pytest.fixture
def cameras(database: Database) -> list[int]:
    commune = CommuneRepository(database).add(Commune("Lille", "59350", Forfait.LIVE_24_7))
    assert commune.id is not None
    repo = CameraRepository(database)
    for number, name in ((1, "Parvis de la mairie"), (2, "Gare routière"), (3, "Parc des Sports")):
        repo.add(Camera(number=number, name=name, commune_id=commune.id, ptz=number != 3))
    return [1, 2, 3]


def test_acquire_refuse_take_over_renew_release(database: Database, cameras: list[int]) -> None:
    store = PtzLockRepository(database)
    granted = store.acquire(1, ALICE, 30, take_over=False, now=T0)
    assert granted.status is LockStatus.GRANTED
    assert (granted.holder.login, granted.holder.since, granted.holder.until) == (
        "alice",
        T0,
        T0 + timedelta(seconds=30),
    )
    refused = store.acquire(1, BOB, 30, take_over=True, now=T0 + timedelta(seconds=1))
    assert refused.status is LockStatus.REFUSED and refused.holder.login == "alice"
    assert refused.holder.full_name == "Alice Test" and refused.holder.console == "poste-alice"
    again = store.acquire(1, ALICE, 30, take_over=False, now=T0 + timedelta(seconds=5))
    assert again.status is LockStatus.GRANTED and again.holder.since == T0  # the same holding, renewed
    renewed = store.renew(1, ALICE, 60, now=T0 + timedelta(seconds=10))
    assert renewed is not None and renewed.until == T0 + timedelta(seconds=70)
    assert store.renew(1, BOB, 60, now=T0) is None
    taken = store.acquire(1, CHEF, 30, take_over=True, now=T0 + timedelta(seconds=20))
    assert taken.status is LockStatus.TAKEN_OVER
    assert taken.previous is not None and taken.previous.login == "alice"
    assert store.renew(1, ALICE, 30, now=T0 + timedelta(seconds=21)) is None  # alice learns it is gone
    assert not store.release(1, ALICE)
    holders = store.holders([1, 2], now=T0 + timedelta(seconds=21))
    assert list(holders) == [1] and holders[1].login == "chef" and holders[1].priority == 20
    assert holders[1].until.tzinfo is not None
    assert store.release(1, CHEF)
    assert store.holders(None, now=T0) == {}


def test_a_lapsed_lease_is_free_for_anyone(database: Database, cameras: list[int]) -> None:
    store = PtzLockRepository(database)
    store.acquire(2, CHEF, 30, take_over=False, now=T0)
    later = T0 + timedelta(seconds=30)
    assert store.holders(None, now=later) == {}
    outcome = store.acquire(2, BOB, 30, take_over=False, now=later)
    assert outcome.status is LockStatus.GRANTED and outcome.holder.since == later
    assert store.purge_lapsed(now=later + timedelta(seconds=31)) == 1


def test_unknown_camera_and_cascade(database: Database, cameras: list[int]) -> None:
    store = PtzLockRepository(database)
    with pytest.raises(NotFoundError, match="camera 42 is not in the catalogue"):
        store.acquire(42, ALICE, 30, take_over=False, now=T0)
    store.acquire(3, ALICE, 30, take_over=False, now=T0)
    repo = CameraRepository(database)
    camera = repo.get_by_number(3)
    assert camera is not None and camera.id is not None
    repo.delete(camera.id)
    assert store.holders(None, now=T0) == {}  # the lock went with the camera


def test_concurrent_requests_for_a_free_camera_have_one_winner(
    database: Database, cameras: list[int]
) -> None:
    stores = [PtzLockRepository(database) for _ in range(6)]
    operators = [operator(f"op{i}") for i in range(6)]
    barrier = threading.Barrier(6)

    def contend(i: int) -> LockStatus:
        barrier.wait()
        return stores[i].acquire(1, operators[i], 30, take_over=False, now=datetime.now(UTC)).status

    for _round in range(3):
        with ThreadPoolExecutor(6) as pool:
            statuses = list(pool.map(contend, range(6)))
        assert statuses.count(LockStatus.GRANTED) == 1, statuses
        winner = statuses.index(LockStatus.GRANTED)
        assert PtzLockRepository(database).holders([1], now=datetime.now(UTC))[1].login == f"op{winner}"
        assert PtzLockRepository(database).release(1, operators[winner])


def test_concurrent_take_overs_have_one_winner(database: Database, cameras: list[int]) -> None:
    store = PtzLockRepository(database)
    store.acquire(1, ALICE, 30, take_over=False, now=datetime.now(UTC))
    chefs = [operator(f"chef{i}", 20) for i in range(4)]
    barrier = threading.Barrier(4)

    def take(i: int) -> LockStatus:
        barrier.wait()
        return (
            PtzLockRepository(database).acquire(1, chefs[i], 30, take_over=True, now=datetime.now(UTC)).status
        )

    with ThreadPoolExecutor(4) as pool:
        statuses = list(pool.map(take, range(4)))
    # One chef takes it from alice; the others find a chef of the same priority and are refused.
    assert statuses.count(LockStatus.TAKEN_OVER) == 1 and statuses.count(LockStatus.REFUSED) == 3


def test_migration_0002_up_and_down(db_url: str) -> None:
    database = RawDatabase(db_url)
    try:
        migrate.upgrade(database, "0002")
        with database.engine.connect() as connection:
            tables = set(inspect(connection).get_table_names())
            columns = {c["name"] for c in inspect(connection).get_columns("ptz_locks")}
        assert "ptz_locks" in tables
        expected = "camera login full_name role console priority session since until version"
        assert columns == set(expected.split())
        assert migrate.current_revisions(database) == ("0002",)
        migrate.downgrade(database, "0001")
        with database.engine.connect() as connection:
            assert "ptz_locks" not in set(inspect(connection).get_table_names())
            assert "cameras" in set(inspect(connection).get_table_names())
        migrate.upgrade(database, "0002")
        assert migrate.current_revisions(database) == ("0002",)
    finally:
        database.close()


# --- services sharing the database ------------------------------------------------------------------


@pytest.fixture
def registered(database: Database, onvif_farm: SimOnvifFarm, cameras: list[int]) -> SimOnvifFarm:
    return onvif_farm


ServiceFactory = Callable[..., tuple[OnvifPtzService, Recorder]]


@pytest.fixture
def db_service(database: Database, registered: SimOnvifFarm) -> Iterator[ServiceFactory]:
    made: list[OnvifPtzService] = []

    def make(login: str, role: str = "operateur", **settings: object) -> tuple[OnvifPtzService, Recorder]:
        values = PtzSettings(**settings)  # type: ignore[arg-type]
        service = OnvifPtzService(
            make_operator(login, f"{login.title()} Test", role, values, console=f"poste-{login}"),
            resolver_for(registered),
            PtzLockRepository(database),
            values,
        )
        recorder = Recorder()
        service.add_listener(recorder)
        service.start()
        made.append(service)
        return service, recorder

    yield make
    for service in made:
        service.close()


def test_services_share_the_lock_through_the_database(
    db_service: ServiceFactory, registered: SimOnvifFarm
) -> None:
    alice, _ = db_service("alice")
    bob, bob_seen = db_service("bob")
    chef, _ = db_service("chef", "chef-de-salle")
    bob.watch([1, 2])
    alice.velocity(1, 0.5, 0, 0)
    wait_for(lambda: registered.ptz(1).is_moving())
    wait_for(lambda: (1, "alice") in bob_seen.locks, timeout=5.0, what="bob's console shows alice")
    with pytest.raises(PtzError) as refused:
        bob.home(1).result(timeout=10)
    assert refused.value.kind is PtzErrorKind.LOCKED
    assert (
        str(refused.value)
        == "camera 1 (Parvis de la mairie) is driven by Alice Test (operateur) at poste-alice"
    )
    outcome = chef.take_control(1).result(timeout=10)
    assert outcome.status is LockStatus.TAKEN_OVER
    wait_for(lambda: not registered.ptz(1).is_moving(), timeout=3.0)
    wait_for(lambda: (1, "chef") in bob_seen.locks, timeout=5.0)
    alice.close()
    chef.close()
    wait_for(lambda: bob_seen.locks[-1] == (1, None), timeout=5.0, what="released on close")


def test_idle_release_through_the_database(db_service: ServiceFactory, registered: SimOnvifFarm) -> None:
    alice, alice_seen = db_service("alice", idle_release_s=1.0)
    bob, _ = db_service("bob")
    alice.absolute_move(2, 0.2, 0.0).result(timeout=10)
    assert bob.holder(2).result(timeout=10) is not None
    started = time.monotonic()
    wait_for(lambda: bob.holder(2).result(timeout=10) is None, timeout=5.0, what="idle release")
    assert time.monotonic() - started < 3.0
    wait_for(lambda: PtzAction.IDLE_RELEASE in alice_seen.actions(2))
    bob.home(2).result(timeout=10)  # anyone may drive it now
