"""The journal service against real databases: writes through the writer, other workstations told
within a second (PostgreSQL LISTEN/NOTIFY), the database cut and restored through a real TCP proxy
(entries queued locally, then written in order exactly once), two writer processes at once."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import sqlalchemy as sa

from vmwall.journal.service import JournalListener, JournalService
from vmwall.journal.writer import WriterState, WriteStatus
from vmwall.model.audit import AuditAction
from vmwall.model.journal import (
    Bookmark,
    Category,
    EntryStatus,
    FollowUp,
    FollowUpKind,
    JournalEntry,
    JournalQuery,
    new_bookmark,
    new_entry,
)
from vmwall.store import AuditRepository, ConflictError, Database, open_database
from vmwall.store.repositories.audit import AuditFilter

REPO = Path(__file__).resolve().parents[2]
WAIT = 30.0


class Recorder(JournalListener):
    def __init__(self) -> None:
        self.entries: list[tuple[float, JournalEntry, bool]] = []
        self.bookmarks: list[Bookmark] = []
        self.states: list[WriterState] = []
        self.categories = 0
        self.refused: list[tuple[str, str]] = []
        self.event = threading.Event()

    def entry_saved(self, entry: JournalEntry, *, local: bool) -> None:
        self.entries.append((time.monotonic(), entry, local))
        self.event.set()

    def bookmark_saved(self, bookmark: Bookmark, *, local: bool) -> None:
        self.bookmarks.append(bookmark)

    def categories_changed(self) -> None:
        self.categories += 1

    def state_changed(self, state: WriterState) -> None:
        self.states.append(state)

    def write_refused(self, what: str, reason: str) -> None:
        self.refused.append((what, reason))


def wait_for(condition: object, timeout: float = WAIT) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.02)


@pytest.fixture
def service(database: Database, tmp_path: Path) -> Iterator[JournalService]:
    journal = JournalService(database, data_dir=tmp_path / "a", workstation="poste-a")
    journal.start()
    yield journal
    journal.close()


def test_an_entry_is_saved_heard_searched_and_audited(service: JournalService) -> None:
    recorder = Recorder()
    service.add_listener(recorder)
    entry = new_entry("alice", "rixe", "Rixe devant le bar", cameras=[7], workstation="poste-a")
    outcome = service.add_entry(entry).result(WAIT)
    assert outcome.status is WriteStatus.SAVED and isinstance(outcome.value, JournalEntry)
    assert outcome.value.id is not None and service.get_entry(entry.uid) == outcome.value
    wait_for(lambda: recorder.entries)
    assert recorder.entries[0][1] == outcome.value and recorder.entries[0][2] is True
    assert service.search(JournalQuery(text="bar")).entries == (outcome.value,)
    # A follow-up and a status change: each a traced revision.
    follow_up = FollowUp(FollowUpKind.POLICE_ON_SITE, datetime.now(UTC))
    assert service.add_follow_up(entry.uid, follow_up, "bob").result(WAIT).saved
    closed = service.set_status(entry.uid, EntryStatus.CLOSED, "bob").result(WAIT).value
    assert isinstance(closed, JournalEntry) and closed.revision == 3 and closed.status is EntryStatus.CLOSED
    assert closed.follow_up(FollowUpKind.POLICE_ON_SITE) is not None
    assert [r.entry.revision for r in service.history(entry.uid)] == [1, 2]
    # The audit trail says who did what to which entry, not the text.
    records = service.trail.records(AuditFilter(target=entry.uid))
    assert [r.event.action for r in reversed(records)] == [
        AuditAction.JOURNAL_ADD,
        AuditAction.JOURNAL_EDIT,
        AuditAction.JOURNAL_EDIT,
    ]
    assert all("bar" not in r.event.detail for r in records)
    assert records[0].event.details == {"changed": ["status"], "revision": 3}
    assert AuditRepository(service.database).verify().ok


def test_a_stale_edit_fails_its_future_with_the_conflict(service: JournalService) -> None:
    stored = service.add_entry(new_entry("alice", "vol", "Vol de vélo")).result(WAIT).value
    assert isinstance(stored, JournalEntry)
    assert service.edit_entry(replace(stored, text="Vol de vélo électrique"), "bob").result(WAIT).saved
    with pytest.raises(ConflictError, match="changed by bob"):
        service.edit_entry(replace(stored, text="Vol de trottinette"), "carol").result(WAIT)
    assert service.get_entry(stored.uid).text == "Vol de vélo électrique"  # type: ignore[union-attr]


def test_bookmarks_and_categories_through_the_service(service: JournalService) -> None:
    recorder = Recorder()
    service.add_listener(recorder)
    mark = new_bookmark([3, 4], "alice", "Scooter", tags=["scooter"])
    assert service.add_bookmark(mark).result(WAIT).saved
    stored = service.bookmark(mark.uid)
    assert stored is not None and stored.end is None
    ended = service.edit_bookmark(replace(stored, end=datetime.now(UTC)), "alice").result(WAIT).value
    assert isinstance(ended, Bookmark) and ended.end is not None and ended.revision == 2
    wait_for(lambda: len(recorder.bookmarks) == 2)
    service.save_category(Category("rodeo", "Rodéo urbain", position=50), "chef")
    assert recorder.categories == 1 and "rodeo" in [c.code for c in service.categories()]
    wait_for(lambda: service.trail.records(AuditFilter(actions=frozenset({"category-change"}))))


def test_another_service_of_this_process_hears_of_sqlite_changes(
    sqlite_database_url: str, tmp_path: Path
) -> None:
    with open_database(sqlite_database_url) as first_db, open_database(sqlite_database_url) as second_db:
        first = JournalService(first_db, data_dir=tmp_path / "a")
        second = JournalService(second_db, data_dir=tmp_path / "b")
        recorder = Recorder()
        second.add_listener(recorder)
        with first, second:
            entry = first.add_entry(new_entry("alice", "rixe", "x")).result(WAIT).value
            wait_for(lambda: recorder.entries, timeout=1.0)
        assert recorder.entries[0][1] == entry and recorder.entries[0][2] is False


@pytest.mark.postgres
def test_another_workstation_sees_an_entry_within_a_second(pg_database_url: str, tmp_path: Path) -> None:
    with open_database(pg_database_url) as first_db, open_database(pg_database_url) as second_db:
        first = JournalService(first_db, data_dir=tmp_path / "a", workstation="poste-a")
        second = JournalService(second_db, data_dir=tmp_path / "b", workstation="poste-b")
        recorder = Recorder()
        second.add_listener(recorder)
        own = Recorder()
        first.add_listener(own)
        with first, second:
            assert second.wait_listening(10) and first.wait_listening(10)
            delays = []
            for i in range(5):
                recorder.event.clear()
                before = len(recorder.entries)
                started = time.monotonic()
                saved = first.add_entry(new_entry("alice", "rixe", f"entrée {i}")).result(WAIT)
                assert saved.saved
                wait_for(lambda n=before: len(recorder.entries) > n, timeout=5.0)
                delays.append(recorder.entries[-1][0] - started)
                assert recorder.entries[-1][1] == saved.value and recorder.entries[-1][2] is False
            assert max(delays) < 1.0, delays
            # Each service hears its own writes once, as local.
            wait_for(lambda: len(own.entries) == 5)
            time.sleep(0.3)
            assert len(own.entries) == 5 and all(local for _, _, local in own.entries)
            # Typology changes reach the other workstation too.
            first.save_category(Category("rodeo", "Rodéo urbain", position=50), "chef")
            wait_for(lambda: recorder.categories == 1, timeout=5.0)


# --- the database cut and restored -----------------------------------------------------------------


class CuttableProxy:
    """A TCP proxy to the database that can refuse and drop every connection, then come back."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.cut_off = False
        self.open: set[socket.socket] = set()
        self.lock = threading.Lock()
        self.closed = False
        threading.Thread(target=self._accept, name="pg-proxy", daemon=True).start()

    def _accept(self) -> None:
        while not self.closed:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if self.cut_off:
                client.close()
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.open.update((client, upstream))
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while chunk := source.recv(65536):
                sink.sendall(chunk)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                with self.lock:
                    self.open.discard(s)
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
                s.close()

    def cut(self) -> None:
        self.cut_off = True
        with self.lock:
            sockets = list(self.open)
        for s in sockets:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)

    def restore(self) -> None:
        self.cut_off = False

    def close(self) -> None:
        self.closed = True
        self.cut()
        self.listener.close()


@pytest.fixture
def proxied(pg_database_url: str) -> Iterator[tuple[str, CuttableProxy]]:
    """(URL through the proxy, proxy) to a migrated PostgreSQL database."""
    open_database(pg_database_url).close()
    parts = urlsplit(pg_database_url)
    proxy = CuttableProxy((parts.hostname or "127.0.0.1", parts.port or 5432))
    netloc = f"{parts.username}:{parts.password}@127.0.0.1:{proxy.port}"
    yield urlunsplit(parts._replace(netloc=netloc)), proxy
    proxy.close()


def stored_uids(url: str) -> list[str]:
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.connect() as connection:
            return list(connection.execute(sa.text("SELECT uid FROM journal_entries ORDER BY id")).scalars())
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_entries_written_while_the_database_is_away_arrive_in_order_exactly_once(
    proxied: tuple[str, CuttableProxy], pg_database_url: str, tmp_path: Path
) -> None:
    url, proxy = proxied
    with open_database(url) as database:
        journal = JournalService(database, data_dir=tmp_path, stall_s=1.0)
        recorder = Recorder()
        journal.add_listener(recorder)
        with journal:
            first = new_entry("alice", "rixe", "avant la coupure")
            assert journal.add_entry(first).result(WAIT).saved
            proxy.cut()
            away = [new_entry("alice", "vol", f"pendant la coupure {i}") for i in range(6)]
            outcomes = [journal.add_entry(e).result(WAIT) for e in away]
            assert [o.status for o in outcomes] == [WriteStatus.QUEUED] * 6
            state = journal.state()
            assert not state.online and state.queued >= 6 and state.since is not None
            assert any(not s.online for s in recorder.states)  # the UI's warning
            assert [e.uid for e in journal.queued_entries()] == [e.uid for e in away]
            with pytest.raises(Exception):  # noqa: B017 - reads fail clearly while away
                journal.search(JournalQuery())
            time.sleep(1.5)  # a few retries fail meanwhile
            proxy.restore()
            wait_for(lambda: journal.state().online and journal.state().queued == 0)
            wait_for(lambda: len(recorder.entries) == 7)
            after = new_entry("alice", "rixe", "après le retour")
            assert journal.add_entry(after).result(WAIT).saved
    assert stored_uids(pg_database_url) == [e.uid for e in (first, *away, after)]
    with open_database(pg_database_url) as database:
        adds = AuditRepository(database).records(AuditFilter(actions=frozenset({"journal-add"})))
        assert [r.event.target for r in reversed(adds)] == [e.uid for e in (first, *away, after)]
        assert AuditRepository(database).verify().ok


_CHILD = """
import os, sys, json
from pathlib import Path
from vmwall.journal.service import JournalService
from vmwall.model.audit import AuditAction
from vmwall.model.journal import new_entry
from vmwall.store import Database
database = Database(sys.argv[1])
journal = JournalService(database, data_dir=Path(sys.argv[2]), stall_s=0.5)
journal.start()
uids = []
for i in range(int(sys.argv[3])):
    entry = new_entry("alice", "vol", f"processus {os.getpid()} entree {i}")
    outcome = journal.add_entry(entry).result(60)
    uids.append([entry.uid, outcome.status.value])
    journal.audit.action(AuditAction.SNAPSHOT, "alice", camera=1 + i % 9).result(60)  # durable once resolved
print(json.dumps(uids), flush=True)
if sys.argv[4] == "crash":
    os._exit(0)  # no close(): what is queued stays in the queue file
import time
deadline = time.monotonic() + 120
while journal.state().queued and time.monotonic() < deadline:
    time.sleep(0.05)
journal.close()
"""


def child(url: str, data_dir: Path, count: int, end: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen(
        [sys.executable, "-c", _CHILD, url, str(data_dir), str(count), end],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=REPO,
    )


@pytest.mark.postgres
def test_entries_queued_by_a_process_that_died_are_written_by_the_next_one(
    proxied: tuple[str, CuttableProxy], pg_database_url: str, tmp_path: Path
) -> None:
    url, proxy = proxied
    proxy.cut()
    writer = child(url.replace("postgresql://", "postgresql+psycopg://", 1), tmp_path, 5, "crash")
    out, err = writer.communicate(timeout=120)
    assert writer.returncode == 0, err
    written = json.loads(out)
    assert {status for _, status in written} == {"queued"}
    assert stored_uids(pg_database_url) == []
    proxy.restore()
    with open_database(url) as database, JournalService(database, data_dir=tmp_path) as journal:
        wait_for(lambda: journal.state().queued == 0 and journal.state().online)
    assert stored_uids(pg_database_url) == [uid for uid, _ in written]
    with open_database(pg_database_url) as database:
        assert len(AuditRepository(database).records(AuditFilter(actions=frozenset({"snapshot"})))) == 5


def test_two_writer_processes_at_once_lose_and_duplicate_nothing(db_url: str, tmp_path: Path) -> None:
    open_database(db_url).close()
    url = db_url.replace("postgresql://", "postgresql+psycopg://", 1)
    processes = [child(url, tmp_path / f"p{i}", 60, "close") for i in range(2)]
    results = []
    for process in processes:
        out, err = process.communicate(timeout=240)
        assert process.returncode == 0, err
        results.append(json.loads(out))
    written = [uid for result in results for uid, status in result]
    # Under contention a slow write may be reported "queued" (durable locally) rather than "saved".
    assert {status for result in results for _, status in result} <= {"saved", "queued"}
    with open_database(db_url) as database:
        with database.engine.connect() as connection:
            stored = list(connection.execute(sa.text("SELECT uid FROM journal_entries")).scalars())
        assert sorted(stored) == sorted(written) and len(set(stored)) == 120
        trail = AuditRepository(database)
        report = trail.verify()
        assert report.ok and report.records == 240, report
        adds = trail.records(AuditFilter(actions=frozenset({"journal-add"}), limit=1000))
        assert sorted(r.event.target for r in adds) == sorted(written)
        # Each process's own entries are in the order it wrote them.
        order = {uid: position for position, uid in enumerate(r.event.target for r in reversed(adds))}
        for result in results:
            positions = [order[uid] for uid, _ in result]
            assert positions == sorted(positions)


def test_the_shift_report_and_statistics_come_from_the_service(service: JournalService) -> None:
    start = datetime.now(UTC) - timedelta(hours=1)
    for text in ("Rixe place Rihour", "Dépôt sauvage rue de Paris"):
        assert service.add_entry(new_entry("alice", "rixe", text, cameras=[2])).result(WAIT).saved
    assert service.add_bookmark(new_bookmark([2], "alice", "Rixe Rihour")).result(WAIT).saved
    html = service.shift_report(start, datetime.now(UTC) + timedelta(minutes=1), printed_by="chef")
    assert "Rixe place Rihour" in html and "Dépôt sauvage rue de Paris" in html and "Rixe Rihour" in html
    assert "Empreinte du journal d'audit" in html
    now = datetime.now(UTC).astimezone()
    stats = service.monthly_stats(commune_id=None, year=now.year, month=now.month)
    assert stats.total == 2 and dict(stats.by_category) == {"rixe": 2}
