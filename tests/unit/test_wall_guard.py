"""The replay guard (controller sessions, growing counters) and the once-per-peer drop log."""

from __future__ import annotations

import logging

import pytest

from vmwall.wall.guard import DropLog, SessionTable


def test_a_replayed_or_reordered_message_is_refused() -> None:
    table = SessionTable()
    session = table.open("key-a", now=0.0)
    assert table.check(session, "key-a", 1, now=1.0) is None
    assert table.check(session, "key-a", 1, now=1.1) == "replayed"
    assert table.check(session, "key-a", 3, now=1.2) is None
    assert table.check(session, "key-a", 2, now=1.3) == "replayed"  # older than one already seen


def test_a_session_belongs_to_its_key_and_expires() -> None:
    table = SessionTable(idle_s=30.0)
    session = table.open("key-a", now=0.0)
    assert table.check(session, "key-b", 1, now=1.0) == "foreign-session"
    assert table.check(session, "key-a", 1, now=1.0) is None
    assert table.check(session, "key-a", 2, now=40.0) == "unknown-session"
    assert table.check("f" * 32, "key-a", 1, now=1.0) == "unknown-session"


def test_a_key_keeps_only_its_newest_sessions() -> None:
    table = SessionTable(per_key=3)
    sessions = [table.open("key-a", now=float(i)) for i in range(5)]
    other = table.open("key-b", now=5.0)
    assert len(table) == 4
    assert table.check(sessions[0], "key-a", 1, now=6.0) == "unknown-session"
    assert table.check(sessions[-1], "key-a", 1, now=6.0) is None
    assert table.check(other, "key-b", 1, now=6.0) is None


def test_sessions_are_random_and_unguessable() -> None:
    table = SessionTable()
    sessions = {table.open("k", now=0.0) for _ in range(10)}
    assert len(sessions) == 10 and all(len(s) == 32 for s in sessions)


def test_drops_are_logged_once_per_peer_and_kind_but_all_counted(caplog: pytest.LogCaptureFixture) -> None:
    drops = DropLog(logging.getLogger("test.wall.drops"))
    with caplog.at_level(logging.WARNING, logger="test.wall.drops"):
        for _ in range(100):
            drops.drop("console/a", "malformed", "not JSON")
        drops.drop("console/a", "replayed", "counter 3")
        drops.drop("node/b", "malformed", "not JSON")
    assert drops.total == 102 and drops.by_kind == {"malformed": 101, "replayed": 1}
    assert len(caplog.records) == 3
    assert "console/a" in caplog.records[0].getMessage()
