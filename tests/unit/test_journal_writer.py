"""The journal writer's contract, against a scripted in-memory database (the real ones are in
tests/integration/test_journal_service.py): durable before told, queued in order while the database is
away, applied exactly once when it returns, refused writes kept with their reason, bounded close."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import Future
from pathlib import Path

import pytest

from vmwall.journal.ops import AddEntry, Operation, RecordAudit, decode, encode
from vmwall.journal.queue import LocalQueue
from vmwall.journal.writer import (
    Applied,
    JournalWriter,
    WriteOutcome,
    WriterClosedError,
    WriterState,
    WriteStatus,
)
from vmwall.model.audit import AuditAction, audit_event
from vmwall.model.errors import ValidationError
from vmwall.model.journal import new_entry
from vmwall.store.errors import DatabaseUnavailableError, StoreError

WAIT = 10.0


class ScriptedDatabase:
    """Applies operations in memory; can be taken down, made to hang, or told to refuse a uid."""

    def __init__(self) -> None:
        self.stored: list[str] = []  # uids in the order applied
        self.down = False
        self.hang = threading.Event()
        self.hang.set()
        self.refuse: set[str] = set()
        self.calls = 0
        self.lock = threading.Lock()

    def __call__(self, ops: Sequence[Operation]) -> list[Applied]:
        self.calls += 1
        self.hang.wait()
        if self.down:
            raise DatabaseUnavailableError("postgresql://db/vmwall", "connection refused")
        results = []
        with self.lock:
            for op in ops:
                if op.uid in self.refuse:
                    results.append(Applied(op, error=StoreError(f"refused {op.uid}")))
                elif op.uid in self.stored:
                    results.append(Applied(op, op.uid, fresh=False))
                else:
                    self.stored.append(op.uid)
                    results.append(Applied(op, op.uid))
        return results


def is_transient(error: BaseException) -> bool:
    return isinstance(error, DatabaseUnavailableError)


@pytest.fixture
def database() -> ScriptedDatabase:
    return ScriptedDatabase()


@pytest.fixture
def local_queue(tmp_path: Path) -> Iterator[LocalQueue]:
    queue = LocalQueue(tmp_path / "queue.sqlite3")
    yield queue
    queue.close()


def op(text: str = "texte") -> AddEntry:
    return AddEntry(new_entry("alice", "rixe", text))


def make_writer(
    database: ScriptedDatabase, queue: LocalQueue, **kwargs: object
) -> tuple[JournalWriter, dict[str, list[object]]]:
    seen: dict[str, list[object]] = {"applied": [], "states": [], "refused": []}
    writer = JournalWriter(
        database,
        queue,
        is_transient=is_transient,
        on_applied=lambda applied: seen["applied"].extend(a.op.uid for a in applied),
        on_state=lambda state: seen["states"].append(state),
        on_refused=lambda o, reason: seen["refused"].append((o.uid if o else None, reason)),
        retry_delays_s=(0.05, 0.1),
        **kwargs,  # type: ignore[arg-type]
    )
    return writer, seen


def wait_until(condition: object, timeout: float = WAIT) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached")
        time.sleep(0.01)


def journal_threads() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name in ("journal-accept", "journal-writer")]


def test_writes_are_saved_in_order_and_the_caller_learns_it(
    database: ScriptedDatabase, local_queue: LocalQueue
) -> None:
    writer, seen = make_writer(database, local_queue)
    writer.start()
    try:
        ops = [op(f"n{i}") for i in range(50)]
        futures = [writer.submit(o) for o in ops]
        outcomes = [f.result(WAIT) for f in futures]
    finally:
        writer.close()
    assert all(o.status is WriteStatus.SAVED and o.saved for o in outcomes)
    assert [o.value for o in outcomes] == [o.uid for o in ops]
    assert database.stored == [o.uid for o in ops]
    assert seen["applied"] == [o.uid for o in ops]
    assert local_queue.count() == 0 and writer.state() == WriterState(online=True)
    assert journal_threads() == []


def test_a_write_is_durable_before_the_caller_is_told(database: ScriptedDatabase, tmp_path: Path) -> None:
    """When the future resolves, the write is in the database or in the local queue file."""
    database.down = True
    queue = LocalQueue(tmp_path / "q.sqlite3")
    writer, _ = make_writer(database, queue)
    writer.start()
    entry = op("durable")
    outcome = writer.submit(entry).result(WAIT)
    assert outcome.status is WriteStatus.QUEUED
    # Another reader of the file (another process) sees it at once.
    other = LocalQueue(tmp_path / "q.sqlite3")
    assert [o.uid for o in other.pending()] == [entry.uid]
    other.close()
    writer.close()
    queue.close()


def test_while_the_database_is_away_writes_queue_then_apply_in_order_exactly_once(
    database: ScriptedDatabase, local_queue: LocalQueue
) -> None:
    writer, seen = make_writer(database, local_queue)
    database.down = True
    writer.start()
    try:
        ops = [op(f"n{i}") for i in range(20)]
        outcomes = [writer.submit(o).result(WAIT) for o in ops]
        assert {o.status for o in outcomes} == {WriteStatus.QUEUED}
        wait_until(lambda: not writer.state().online and writer.state().queued == 20)
        state = writer.state()
        assert "connection refused" in state.last_error and state.since is not None
        database.down = False
        wait_until(lambda: writer.state().online and writer.state().queued == 0)
        assert database.stored == [o.uid for o in ops]
        assert seen["applied"] == [o.uid for o in ops]
        # New writes after the return are saved directly.
        assert writer.submit(op("after")).result(WAIT).saved
    finally:
        writer.close()
    offline = [s for s in seen["states"] if isinstance(s, WriterState) and not s.online]
    assert offline, "the UI was never told the database was away"


def test_a_database_that_does_not_answer_counts_as_away(
    database: ScriptedDatabase, local_queue: LocalQueue
) -> None:
    writer, seen = make_writer(database, local_queue, stall_s=0.3)
    database.hang.clear()
    writer.start()
    try:
        started = time.monotonic()
        outcome = writer.submit(op("stuck")).result(WAIT)
        assert outcome.status is WriteStatus.QUEUED and time.monotonic() - started < 3.0
        assert not writer.state().online and "does not answer" in writer.state().last_error
        # Writes keep becoming durable while the applier is stuck.
        assert writer.submit(op("next")).result(WAIT).status is WriteStatus.QUEUED
        assert local_queue.count() == 2
        database.hang.set()
        wait_until(lambda: writer.state().online and writer.state().queued == 0)
        assert len(database.stored) == 2 and len(seen["applied"]) == 2
    finally:
        database.hang.set()
        writer.close()


def test_a_refused_write_fails_its_future_and_is_kept_with_the_reason(
    database: ScriptedDatabase, local_queue: LocalQueue
) -> None:
    writer, _seen = make_writer(database, local_queue)
    bad, good = op("bad"), op("good")
    database.refuse.add(bad.uid)
    writer.start()
    try:
        bad_future, good_future = writer.submit(bad), writer.submit(good)
        with pytest.raises(StoreError, match=f"refused {bad.uid}"):
            bad_future.result(WAIT)
        assert good_future.result(WAIT).saved
    finally:
        writer.close()
    (dead,) = local_queue.dead()
    assert dead.uid == bad.uid and dead.reason == f"refused {bad.uid}" and decode(dead.body) == bad
    assert writer.state().refused == 1 and database.stored == [good.uid]


def test_a_write_refused_after_it_was_reported_queued_reaches_the_listener(
    database: ScriptedDatabase, local_queue: LocalQueue
) -> None:
    writer, seen = make_writer(database, local_queue)
    database.down = True
    writer.start()
    try:
        bad = op("bad")
        database.refuse.add(bad.uid)
        assert writer.submit(bad).result(WAIT).status is WriteStatus.QUEUED
        database.down = False
        wait_until(lambda: seen["refused"])
    finally:
        writer.close()
    assert seen["refused"] == [(bad.uid, f"refused {bad.uid}")]


def test_close_keeps_what_the_database_did_not_get_for_the_next_start(
    database: ScriptedDatabase, tmp_path: Path
) -> None:
    path = tmp_path / "q.sqlite3"
    database.down = True
    queue = LocalQueue(path)
    writer, _ = make_writer(database, queue)
    writer.start()
    ops = [op(f"n{i}") for i in range(5)]
    futures = [writer.submit(o) for o in ops]
    writer.close(timeout=5)
    queue.close()
    assert all(f.result(0).status is WriteStatus.QUEUED for f in futures)
    assert journal_threads() == []
    with pytest.raises(WriterClosedError):
        writer.submit(op())

    database.down = False
    queue = LocalQueue(path)
    writer, seen = make_writer(database, queue)
    writer.start()
    try:
        wait_until(lambda: len(database.stored) == 5)
    finally:
        writer.close()
        queue.close()
    assert database.stored == [o.uid for o in ops] and seen["applied"] == [o.uid for o in ops]


def test_a_replayed_write_is_not_applied_twice(database: ScriptedDatabase, local_queue: LocalQueue) -> None:
    """A crash after the commit but before the queue was cleaned: the replay is a no-op."""
    entry = op("once")
    database([entry])  # the database already has it
    local_queue.append([entry])  # and the queue still holds it
    writer, seen = make_writer(database, local_queue)
    writer.start()
    try:
        wait_until(lambda: local_queue.count() == 0)
    finally:
        writer.close()
    assert database.stored == [entry.uid] and seen["applied"] == []


def test_an_unreadable_queued_line_is_set_aside(database: ScriptedDatabase, local_queue: LocalQueue) -> None:
    local_queue._run(
        [("INSERT INTO queue (kind, uid, body, queued_at) VALUES ('x', '', '{garbage', '')", ())]
    )
    after = op("after")
    local_queue.append([after])
    writer, _seen = make_writer(database, local_queue)
    writer.start()
    try:
        wait_until(lambda: database.stored == [after.uid])
    finally:
        writer.close()
    (dead,) = local_queue.dead()
    assert dead.kind == "unreadable" and "could not be read" in dead.reason


def test_audit_records_and_entries_share_one_ordered_stream(
    database: ScriptedDatabase, local_queue: LocalQueue
) -> None:
    writer, _ = make_writer(database, local_queue)
    writer.start()
    try:
        ops: list[Operation] = []
        for i in range(30):
            ops.append(op(f"n{i}"))
            ops.append(RecordAudit(audit_event(AuditAction.LIVE_VIEW_START, "alice", camera=1 + i)))
        futures: list[Future[WriteOutcome]] = [writer.submit(o) for o in ops]
        for future in futures:
            future.result(WAIT)
    finally:
        writer.close()
    assert database.stored == [o.uid for o in ops]


def test_operations_survive_their_queue_form() -> None:
    for operation in (op("é « x »"), RecordAudit(audit_event(AuditAction.PTZ, "bob", camera=3, move="home"))):
        assert decode(encode(operation)) == operation
    for garbage in ("", "{}", '{"kind": "add-entry"}', '{"kind": "add-entry", "entry": {"uid": 1}}'):
        with pytest.raises(ValidationError):
            decode(garbage)


def test_closing_a_writer_never_started_refuses_its_writes(
    database: ScriptedDatabase, local_queue: LocalQueue
) -> None:
    writer, _ = make_writer(database, local_queue)
    future = writer.submit(op())
    writer.close()
    writer.close()
    with pytest.raises(WriterClosedError):
        future.result(0)


class RecountRace(LocalQueue):
    """A queue file whose next count is read, then held until a write is appended (or 1 s): the
    apply thread's recount of the file straddles the accept thread's append, as on a busy machine."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.armed = False
        self.counting = threading.Event()
        self.appended = threading.Event()

    def count(self) -> int:
        value = super().count()
        if self.armed:
            self.armed = False
            self.counting.set()
            if self.appended.wait(1.0):
                time.sleep(0.2)  # the accept thread adds the write to its running count meanwhile
        return value

    def append(self, ops: Sequence[Operation]) -> list[int]:
        ids = super().append(ops)
        self.appended.set()
        return ids


def test_a_write_accepted_while_the_writer_recounts_its_queue_is_counted(
    database: ScriptedDatabase, tmp_path: Path
) -> None:
    """The count the UI shows ("N entries not yet in the database") is the queue file's, even when a
    write arrives while the writer recounts the file after a batch."""
    queue = RecountRace(tmp_path / "q.sqlite3")
    writer, _ = make_writer(database, queue)
    writer.start()
    try:
        queue.armed = True
        assert writer.submit(op("avant")).result(WAIT).saved  # its batch ends with a recount
        assert queue.counting.wait(WAIT)
        database.down = True
        assert writer.submit(op("pendant")).result(WAIT).status is WriteStatus.QUEUED
        wait_until(lambda: not writer.state().online)
        time.sleep(0.3)  # whatever the recount was going to set, it has set
        assert queue.count() == 1
        assert writer.state().queued == 1
    finally:
        writer.close()
        queue.close()
