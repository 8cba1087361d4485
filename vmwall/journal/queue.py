"""The local write-ahead queue: journal and audit writes, durable on this machine before the database.

A small SQLite file in the user data directory (``journal-queue.sqlite3``), written with
``synchronous=FULL``: once `append` returns, the operations survive a crash or a power cut. The
writer appends every accepted operation here first, then applies the oldest ones to the database,
then removes them. When the database is unreachable they simply stay, in order, until it returns.

An operation the database refuses for good (a conflict, a vanished commune...) moves to the
``dead`` table with the reason, so nothing is ever silently dropped; `dead` lists them.

Several processes of one user (a console and a CLI run) may share the file: SQLite serialises
them, and operations are idempotent, so an operation applied by two of them is stored once.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from vmwall.errors import UserFacingError
from vmwall.journal.ops import Operation, decode, encode
from vmwall.model.errors import ValidationError

QUEUE_FILENAME = "journal-queue.sqlite3"
_BUSY_TIMEOUT_S = 10.0
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS queue (id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL,"
    " uid TEXT NOT NULL, body TEXT NOT NULL, queued_at TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS dead (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, uid TEXT NOT NULL,"
    " body TEXT NOT NULL, queued_at TEXT NOT NULL, reason TEXT NOT NULL, failed_at TEXT NOT NULL)",
)


class LocalQueueError(UserFacingError):
    """The local queue file cannot be used (disk full, permissions, corrupted file)."""


@dataclass(frozen=True, slots=True)
class Queued:
    id: int  # position in the queue (increasing, never reused)
    op: Operation | None  # None: the line could not be decoded (reported, then moved to dead)
    body: str
    queued_at: str


@dataclass(frozen=True, slots=True)
class DeadOperation:
    id: int
    kind: str
    uid: str
    reason: str
    failed_at: str
    body: str


class LocalQueue:
    """Thread-safe; one connection per instance (the writer thread is its main user)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._connection = sqlite3.connect(
                str(path), timeout=_BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False
            )
            self._connection.execute("PRAGMA journal_mode=WAL")
            self._connection.execute("PRAGMA synchronous=FULL")
            for statement in _SCHEMA:
                self._connection.execute(statement)
        except (OSError, sqlite3.Error) as error:
            raise LocalQueueError(f"cannot open the local journal queue {path}: {error}") from None
        self._lock = threading.Lock()
        self._closed = False

    @classmethod
    def in_directory(cls, directory: Path) -> LocalQueue:
        return cls(directory / QUEUE_FILENAME)

    def _run(self, statements: Iterable[tuple[str, Sequence[object]]]) -> list[int]:
        ids: list[int] = []
        with self._lock:
            if self._closed:
                raise LocalQueueError("the local journal queue is closed")
            try:
                self._connection.execute("BEGIN IMMEDIATE")
                try:
                    for sql, params in statements:
                        cursor = self._connection.execute(sql, params)
                        if cursor.lastrowid is not None:
                            ids.append(cursor.lastrowid)
                    self._connection.execute("COMMIT")
                except BaseException:
                    self._connection.execute("ROLLBACK")
                    raise
            except sqlite3.Error as error:
                raise LocalQueueError(f"cannot write the local journal queue {self.path}: {error}") from None
        return ids

    def append(self, ops: Sequence[Operation]) -> list[int]:
        """Queue ``ops`` in order, durably (fsync) before returning; their queue ids."""
        now = datetime.now(UTC).isoformat()
        return self._run(
            (
                "INSERT INTO queue (kind, uid, body, queued_at) VALUES (?, ?, ?, ?)",
                (op.kind.value, op.uid, encode(op), now),
            )
            for op in ops
        )

    def peek(self, limit: int) -> list[Queued]:
        """The oldest ``limit`` operations, in order (not removed)."""
        with self._lock:
            rows = self._connection.execute(
                "SELECT id, body, queued_at FROM queue ORDER BY id LIMIT ?", (limit,)
            ).fetchall()
        out = []
        for queue_id, body, queued_at in rows:
            try:
                op: Operation | None = decode(body)
            except ValidationError:
                op = None
            out.append(Queued(queue_id, op, body, queued_at))
        return out

    def remove(self, ids: Sequence[int]) -> None:
        self._run(("DELETE FROM queue WHERE id = ?", (queue_id,)) for queue_id in ids)

    def bury(self, item: Queued, reason: str) -> None:
        """Move a refused operation to the dead table with the reason, in one transaction."""
        kind = item.op.kind.value if item.op else "unreadable"
        uid = item.op.uid if item.op else ""
        now = datetime.now(UTC).isoformat()
        self._run(
            [
                (
                    "INSERT OR REPLACE INTO dead (id, kind, uid, body, queued_at, reason, failed_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (item.id, kind, uid, item.body, item.queued_at, reason[:2000], now),
                ),
                ("DELETE FROM queue WHERE id = ?", (item.id,)),
            ]
        )

    def status(self, ids: Sequence[int]) -> dict[int, str]:
        """For each id: "queued", "dead" (with the reason in `dead`) or "done" (applied, maybe by
        another process sharing this file)."""
        out: dict[int, str] = {}
        with self._lock:
            for queue_id in ids:
                if self._connection.execute("SELECT 1 FROM queue WHERE id = ?", (queue_id,)).fetchone():
                    out[queue_id] = "queued"
                elif self._connection.execute("SELECT 1 FROM dead WHERE id = ?", (queue_id,)).fetchone():
                    out[queue_id] = "dead"
                else:
                    out[queue_id] = "done"
        return out

    def dead_reason(self, queue_id: int) -> str | None:
        with self._lock:
            row = self._connection.execute("SELECT reason FROM dead WHERE id = ?", (queue_id,)).fetchone()
        return None if row is None else str(row[0])

    def count(self) -> int:
        with self._lock:
            return int(self._connection.execute("SELECT count(*) FROM queue").fetchone()[0])

    def dead_count(self) -> int:
        with self._lock:
            return int(self._connection.execute("SELECT count(*) FROM dead").fetchone()[0])

    def dead(self) -> list[DeadOperation]:
        with self._lock:
            rows = self._connection.execute(
                "SELECT id, kind, uid, reason, failed_at, body FROM dead ORDER BY id"
            ).fetchall()
        return [DeadOperation(*row) for row in rows]

    def pending(self, limit: int = 1_000) -> list[Operation]:
        """The queued operations (decodable ones), oldest first: what the UI shows as "not yet sent"."""
        return [item.op for item in self.peek(limit) if item.op is not None]

    def close(self) -> None:
        """Idempotent."""
        with self._lock:
            if not self._closed:
                self._closed = True
                self._connection.close()
