"""The control-lock rule, the in-memory store, and one session's LockKeeper."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest

from vmwall.model.ptz import LockHolder, LockStatus, Operator, decide_lock, new_holder
from vmwall.ptz.api import PtzError, PtzErrorKind
from vmwall.ptz.lock import LockKeeper, MemoryLockStore, describe_holder

T0 = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)


def op(login: str, priority: int, session: str | None = None) -> Operator:
    return Operator(login, f"{login.title()} Test", f"poste-{login}", priority, session or login, "operateur")


def held_by(operator: Operator, until: datetime) -> LockHolder:
    return new_holder(7, operator, since=T0, until=until)


ALICE, BOB, CHEF = op("alice", 10), op("bob", 10), op("chef", 20)


@pytest.mark.parametrize(
    ("current", "who", "take_over", "expected"),
    [
        (None, ALICE, False, LockStatus.GRANTED),
        (held_by(ALICE, T0 + timedelta(seconds=5)), ALICE, False, LockStatus.GRANTED),  # ours
        (held_by(BOB, T0 + timedelta(seconds=5)), ALICE, False, LockStatus.REFUSED),
        (held_by(BOB, T0 + timedelta(seconds=5)), ALICE, True, LockStatus.REFUSED),  # same priority
        (held_by(BOB, T0), ALICE, False, LockStatus.GRANTED),  # lapsed exactly now
        (held_by(BOB, T0 + timedelta(seconds=5)), CHEF, False, LockStatus.REFUSED),  # take-over is explicit
        (held_by(BOB, T0 + timedelta(seconds=5)), CHEF, True, LockStatus.TAKEN_OVER),
        (held_by(CHEF, T0 + timedelta(seconds=5)), BOB, True, LockStatus.REFUSED),  # lower never takes
    ],
)
def test_decide_lock(
    current: LockHolder | None, who: Operator, take_over: bool, expected: LockStatus
) -> None:
    status, other = decide_lock(current, who, take_over=take_over, now=T0)
    assert status is expected
    if expected is LockStatus.GRANTED:
        assert other is None
    else:
        assert other == current


def test_same_login_on_two_consoles_is_two_sessions() -> None:
    store = MemoryLockStore()
    first, second = op("alice", 10, "s1"), op("alice", 10, "s2")
    assert store.acquire(1, first, 30, take_over=False, now=T0).status is LockStatus.GRANTED
    assert store.acquire(1, second, 30, take_over=True, now=T0).status is LockStatus.REFUSED


def test_memory_store_lease_renew_release() -> None:
    store = MemoryLockStore()
    first = store.acquire(1, ALICE, 30, take_over=False, now=T0)
    assert first.holder.since == T0 and first.holder.until == T0 + timedelta(seconds=30)
    again = store.acquire(1, ALICE, 30, take_over=False, now=T0 + timedelta(seconds=10))
    assert again.holder.since == T0  # still the same holding
    assert store.renew(1, BOB, 30, now=T0) is None
    renewed = store.renew(1, ALICE, 60, now=T0 + timedelta(seconds=20))
    assert renewed is not None and renewed.until == T0 + timedelta(seconds=80)
    assert store.holders([1, 2], now=T0)[1].login == "alice"
    assert store.holders(None, now=T0 + timedelta(seconds=81)) == {}  # lapsed: free to every reader
    assert store.renew(1, ALICE, 30, now=T0 + timedelta(seconds=81)) is None  # too late to renew
    assert not store.release(1, BOB)
    assert store.release(1, ALICE)
    assert store.holders(None, now=T0) == {}


def test_describe_holder() -> None:
    holder = held_by(op("jdupont", 20), T0)
    assert describe_holder(holder) == "Jdupont Test (operateur) at poste-jdupont"


# --- LockKeeper -------------------------------------------------------------------------------------


def run(test: Callable[[], Awaitable[None]]) -> None:
    asyncio.run(asyncio.wait_for(test(), timeout=30))


async def until(condition: Callable[[], bool], timeout: float = 6.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.01)


class Recorder:
    def __init__(self) -> None:
        self.changes: list[tuple[int, str | None]] = []
        self.lost: list[tuple[int, str | None, bool]] = []

    def changed(self, camera: int, holder: LockHolder | None) -> None:
        self.changes.append((camera, holder.login if holder else None))

    def on_lost(self, camera: int, holder: LockHolder | None, idle: bool) -> None:
        self.lost.append((camera, holder.login if holder else None, idle))


def keeper(
    store: MemoryLockStore, operator: Operator, pool: ThreadPoolExecutor, idle_s: float = 30.0
) -> tuple[LockKeeper, Recorder]:
    recorder = Recorder()
    result = LockKeeper(
        store,
        operator,
        pool,
        idle_s=idle_s,
        poll_s=0.1,
        label=lambda camera: f"camera {camera} (Test)",
        on_changed=recorder.changed,
        on_lost=recorder.on_lost,
    )
    result.start()
    return result, recorder


def test_keeper_takes_a_free_camera_and_refuses_a_held_one_by_name() -> None:
    async def test() -> None:
        store = MemoryLockStore()
        with ThreadPoolExecutor(1) as pool:
            alice, alice_events = keeper(store, ALICE, pool)
            bob, _ = keeper(store, BOB, pool)
            holder = await alice.ensure(3)
            assert holder.login == "alice" and alice.holds(3)
            assert alice_events.changes == [(3, "alice")]
            with pytest.raises(PtzError) as refused:
                await bob.ensure(3)
            assert refused.value.kind is PtzErrorKind.LOCKED
            assert str(refused.value) == "camera 3 (Test) is driven by Alice Test (operateur) at poste-alice"
            assert refused.value.holder is not None and refused.value.holder.login == "alice"
            await alice.close()
            assert store.holders(None, now=datetime.now(UTC)) == {}  # close released it
            await bob.close()

    run(test)


def test_keeper_notices_a_take_over_and_the_winner_keeps_it() -> None:
    async def test() -> None:
        store = MemoryLockStore()
        with ThreadPoolExecutor(1) as pool:
            alice, alice_events = keeper(store, ALICE, pool)
            chef, _ = keeper(store, CHEF, pool)
            await alice.ensure(3)
            outcome = await chef.take(3)
            assert outcome.status is LockStatus.TAKEN_OVER
            assert outcome.previous is not None and outcome.previous.login == "alice"
            await until(lambda: alice_events.lost != [])
            assert alice_events.lost == [(3, "chef", False)]
            assert not alice.holds(3)
            with pytest.raises(PtzError):
                await alice.ensure(3)
            refused = await alice.take(3)  # lower priority cannot take it back
            assert refused.status is LockStatus.REFUSED
            await alice.close()
            await chef.close()

    run(test)


def test_keeper_releases_after_idle_unless_commands_keep_it() -> None:
    async def test() -> None:
        store = MemoryLockStore()
        with ThreadPoolExecutor(1) as pool:
            alice, events = keeper(store, ALICE, pool, idle_s=1.0)
            await alice.ensure(1)
            await alice.ensure(2)
            started = time.monotonic()
            while time.monotonic() - started < 1.6:  # camera 2 keeps being driven
                alice.touch(2)
                await asyncio.sleep(0.1)
            await until(lambda: (1, None, True) in events.lost)
            assert not alice.holds(1)
            assert 2 in store.holders(None, now=datetime.now(UTC))
            assert all(camera != 2 for camera, _, _ in events.lost)
            await until(lambda: (2, None, True) in events.lost, timeout=4)
            assert store.holders(None, now=datetime.now(UTC)) == {}
            await alice.close()

    run(test)


def test_watched_cameras_report_other_consoles_changes() -> None:
    async def test() -> None:
        store = MemoryLockStore()
        with ThreadPoolExecutor(1) as pool:
            watcher, seen = keeper(store, ALICE, pool)
            other, _ = keeper(store, BOB, pool)
            watcher.watch([5, 6])
            await until(lambda: (5, None) in seen.changes)  # initial state reported
            await other.ensure(5)
            await until(lambda: (5, "bob") in seen.changes)
            await other.release(5)
            await until(lambda: seen.changes.count((5, None)) == 2)
            assert all(camera in (5, 6) for camera, _ in seen.changes)
            await watcher.close()
            await other.close()

    run(test)


def test_store_failures_become_clear_errors() -> None:
    class Broken(MemoryLockStore):
        def acquire(self, *args: object, **kwargs: object) -> object:  # type: ignore[override]
            raise ConnectionError("database down")

    async def test() -> None:
        with ThreadPoolExecutor(1) as pool:
            alice, _ = keeper(Broken(), ALICE, pool)
            with pytest.raises(PtzError) as failed:
                await alice.ensure(1)
            assert failed.value.kind is PtzErrorKind.STORE
            assert "database down" in str(failed.value)
            await alice.close()

    run(test)
