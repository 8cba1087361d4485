"""The journal writer: every journal and audit write, durable locally at once, then in the database.

Two threads, each with one job:

- **accept** (``journal-accept``) takes what callers `submit`, appends it to the local queue
  (fsync: it now survives a crash), and wakes the applier. It never touches the database, so a
  database that hangs cannot stop new writes from becoming durable.
- **apply** (``journal-writer``, the one database writer) takes the oldest queued operations in
  batches, applies each batch in one transaction (`apply`), removes them from the queue, and
  resolves the callers' futures.

A caller's future resolves to a `WriteOutcome`:

- ``SAVED``: committed to the database (the entry or bookmark as stored is in ``value``);
- ``QUEUED``: the database is unreachable (or has not answered within ``stall_s``); the write is
  in the local queue and will be applied, in order and exactly once, when the database answers.
  Listeners hear of it then (``on_applied``).

Either way the write is durable before the caller is told. A write the database refuses for good
(a conflict, a validation error) fails the future with that error; if the caller was already told
QUEUED, ``on_refused`` reports it, and the operation is kept in the queue's dead table.

Threading: `submit` never blocks (the GUI thread may call it); callbacks run on the writer's
threads and must return quickly. ``close()`` is idempotent and bounded by its timeout.
"""

from __future__ import annotations

import logging
import queue as stdlib_queue
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum

from vmwall.errors import UserFacingError
from vmwall.journal.ops import Operation
from vmwall.journal.queue import LocalQueue, LocalQueueError, Queued

log = logging.getLogger(__name__)

DEFAULT_BATCH = 500
DEFAULT_STALL_S = 3.0
_RETRY_DELAYS_S = (0.5, 1.0, 2.0, 5.0)
_ACCEPT_MAX = 5_000  # operations appended to the local queue in one transaction at most


class WriteStatus(StrEnum):
    SAVED = "saved"  # in the database
    QUEUED = "queued"  # in the local queue; the database will get it when it answers


@dataclass(frozen=True, slots=True)
class WriteOutcome:
    status: WriteStatus
    uid: str  # the operation's idempotency key (an entry's or bookmark's uid for a creation)
    value: object | None = None  # what the database stored (entry, bookmark, audit record)
    changed: tuple[str, ...] = ()  # fields an edit changed

    @property
    def saved(self) -> bool:
        return self.status is WriteStatus.SAVED


@dataclass(frozen=True, slots=True)
class Applied:
    """What applying one operation did. ``fresh`` False: it was already stored (a replay)."""

    op: Operation
    value: object | None = None
    changed: tuple[str, ...] = ()
    fresh: bool = True
    error: Exception | None = None


@dataclass(frozen=True, slots=True)
class WriterState:
    """What the UI shows: ``online`` False with ``queued`` > 0 is the "not yet in the database" warning."""

    online: bool = True
    queued: int = 0  # operations in the local queue, not yet in the database
    refused: int = 0  # operations the database refused for good (kept in the dead table)
    last_error: str = ""
    since: datetime | None = None  # when the database stopped answering


class WriterClosedError(UserFacingError):
    """A write was submitted after the journal was closed."""


ApplyFn = Callable[[Sequence[Operation]], list[Applied]]


@dataclass
class _Pending:
    future: Future[WriteOutcome]
    uid: str
    accepted_at: float = field(default_factory=time.monotonic)


_STOP = object()
_Resolution = tuple["Future[WriteOutcome]", "WriteOutcome | BaseException"]


def _resolve(resolutions: list[_Resolution]) -> None:
    """Complete futures outside any lock: their callbacks run right here."""
    for future, outcome in resolutions:
        if future.done():
            continue
        if isinstance(outcome, BaseException):
            future.set_exception(outcome)
        else:
            future.set_result(outcome)


class JournalWriter:
    def __init__(
        self,
        apply: ApplyFn,
        local_queue: LocalQueue,
        *,
        is_transient: Callable[[BaseException], bool],
        on_applied: Callable[[list[Applied]], None] = lambda _applied: None,
        on_refused: Callable[[Operation | None, str], None] = lambda _op, _reason: None,
        on_state: Callable[[WriterState], None] = lambda _state: None,
        batch_size: int = DEFAULT_BATCH,
        stall_s: float = DEFAULT_STALL_S,
        retry_delays_s: Sequence[float] = _RETRY_DELAYS_S,
    ) -> None:
        self._apply = apply
        self._queue = local_queue
        self._is_transient = is_transient
        self._on_applied = on_applied
        self._on_refused = on_refused
        self._on_state = on_state
        self._batch_size = batch_size
        self._stall_s = stall_s
        self._retry_delays = tuple(retry_delays_s) or _RETRY_DELAYS_S
        self._inbox: stdlib_queue.SimpleQueue[object] = stdlib_queue.SimpleQueue()
        self._lock = threading.Lock()
        # Held (before _lock) from reading the queue file to updating the count from it: the
        # accept thread's append and the apply thread's recount (never the GUI thread).
        self._count_lock = threading.Lock()
        self._pending: dict[int, _Pending] = {}
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._closed = False
        self._started = False
        self._state = WriterState(queued=local_queue.count(), refused=local_queue.dead_count())
        self._emitted = self._state
        self._emit_lock = threading.Lock()
        self._apply_started: float | None = None
        self._failures = 0
        self._next_retry = 0.0
        self._accept_thread = threading.Thread(target=self._accept_loop, name="journal-accept", daemon=True)
        self._apply_thread = threading.Thread(target=self._apply_loop, name="journal-writer", daemon=True)

    # --- public ------------------------------------------------------------------------------

    def start(self) -> None:
        """Start both threads; the applier first drains what a previous run left in the queue."""
        with self._lock:
            if self._started:
                raise RuntimeError("journal writer already started")
            self._started = True
        self._accept_thread.start()
        self._apply_thread.start()
        self._wake.set()

    def submit(self, op: Operation) -> Future[WriteOutcome]:
        """Hand over a write; returns at once. The future resolves once it is durable (see module doc)."""
        future: Future[WriteOutcome] = Future()
        with self._lock:
            if self._closed:
                raise WriterClosedError("the journal is closed: the write was not accepted")
            self._inbox.put((op, future))
        return future

    def state(self) -> WriterState:
        with self._lock:
            return self._state

    def close(self, timeout: float = 10.0) -> None:
        """Accept what was submitted (durably), try once more to apply it, stop. Idempotent.

        Whatever the database did not get stays in the local queue for the next start.
        """
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._inbox.put(_STOP)
        deadline = time.monotonic() + timeout
        if self._started:
            self._accept_thread.join(max(0.0, deadline - time.monotonic()))
            self._stop.set()
            self._wake.set()
            self._apply_thread.join(max(0.0, deadline - time.monotonic()))
            if self._apply_thread.is_alive():
                log.warning(
                    "the database did not answer the journal writer at exit; writes stay queued locally"
                )
        else:
            self._reject_inbox()
        with self._lock:
            resolutions: list[_Resolution] = [
                (p.future, WriteOutcome(WriteStatus.QUEUED, p.uid)) for p in self._pending.values()
            ]
            self._pending.clear()
        _resolve(resolutions)

    # --- accept thread -----------------------------------------------------------------------

    def _accept_loop(self) -> None:
        stopping = False
        while not stopping:
            items: list[tuple[Operation, Future[WriteOutcome]]] = []
            try:
                item = self._inbox.get(timeout=0.25)
                while True:
                    if item is _STOP:
                        stopping = True
                        break
                    items.append(item)  # type: ignore[arg-type]
                    if len(items) >= _ACCEPT_MAX:
                        break
                    item = self._inbox.get_nowait()
            except stdlib_queue.Empty:
                pass
            if items:
                self._accept(items)
            self._check_stalled()

    def _accept(self, items: list[tuple[Operation, Future[WriteOutcome]]]) -> None:
        resolutions: list[_Resolution] = []
        with self._count_lock:  # the append and its count together (see _settle_foreign)
            try:
                ids = self._queue.append([op for op, _ in items])
            except LocalQueueError as error:
                log.error("%s", error)
                _resolve([(future, error) for _, future in items])
                return
            with self._lock:
                offline = not self._state.online
                for queue_id, (op, future) in zip(ids, items, strict=True):
                    if offline:
                        resolutions.append((future, WriteOutcome(WriteStatus.QUEUED, op.uid)))
                    else:
                        self._pending[queue_id] = _Pending(future, op.uid)
                self._set_state(queued=self._state.queued + len(ids))
        _resolve(resolutions)
        self._emit_state()
        self._wake.set()

    def _check_stalled(self) -> None:
        """A database that takes too long counts as unreachable for the callers waiting on it."""
        started = self._apply_started
        now = time.monotonic()
        resolutions: list[_Resolution] = []
        with self._lock:
            stalled = started is not None and now - started > self._stall_s
            if started is not None and stalled and self._state.online:
                log.warning(
                    "journal: the database has not answered for %.0f s; writes are queued locally",
                    now - started,
                )
                self._set_state(
                    online=False, last_error="the database does not answer", since=datetime.now(UTC)
                )
            if not self._state.online:
                for queue_id in [q for q, p in self._pending.items() if now - p.accepted_at > self._stall_s]:
                    pending = self._pending.pop(queue_id)
                    resolutions.append((pending.future, WriteOutcome(WriteStatus.QUEUED, pending.uid)))
        _resolve(resolutions)
        self._emit_state()

    # --- apply thread ------------------------------------------------------------------------

    def _retry_wait(self) -> float | None:
        """None while online (sleep until woken); else the seconds until the next attempt."""
        with self._lock:
            if self._state.online or self._failures == 0:
                return None
            return max(0.0, self._next_retry - time.monotonic())

    def _apply_loop(self) -> None:
        while not self._stop.is_set():
            wait = self._retry_wait()
            if wait is None or wait > 0:
                self._wake.wait(wait)
            self._wake.clear()
            if self._stop.is_set():
                break
            wait = self._retry_wait()
            if wait is not None and wait > 0:
                continue  # offline, and woken by a new write before the retry is due
            self._drain()
        if self._retry_wait() is None:
            self._drain()  # a last attempt at exit, unless the database is known to be away

    def _drain(self) -> None:
        while True:
            batch = self._queue.peek(self._batch_size)
            if not batch:
                break
            for item in batch:
                if item.op is None:
                    self._refuse(item, "the queued operation could not be read (corrupted queue file?)")
            batch = [item for item in batch if item.op is not None]
            if not batch:
                continue
            results = self._apply_batch(batch)
            if results is None:
                return  # offline: retry later
            self._settle(batch, results)
        self._settle_foreign()

    def _apply_batch(self, batch: list[Queued]) -> list[Applied] | None:
        ops = [item.op for item in batch if item.op is not None]
        self._apply_started = time.monotonic()
        try:
            return self._apply(ops)
        except Exception as error:
            if self._is_transient(error):
                self._went_offline(error)
                return None
            log.exception("a journal write batch failed; retrying its operations one by one")
        finally:
            self._apply_started = None
        results = []
        for op in ops:
            self._apply_started = time.monotonic()
            try:
                results.extend(self._apply([op]))
            except Exception as error:
                if self._is_transient(error):
                    self._went_offline(error)
                    return None
                results.append(Applied(op, error=error))
            finally:
                self._apply_started = None
        return results

    def _settle(self, batch: list[Queued], results: list[Applied]) -> None:
        done = [item.id for item, result in zip(batch, results, strict=True) if result.error is None]
        try:
            self._queue.remove(done)
        except LocalQueueError as error:
            # Applied but still queued: the replay will be skipped (idempotent). Keep going.
            log.error("%s", error)
        for item, result in zip(batch, results, strict=True):
            if result.error is not None:
                self._refuse(item, str(result.error), result.error)
        resolutions: list[_Resolution] = []
        with self._lock:
            self._failures = 0
            was_offline = not self._state.online
            for item, result in zip(batch, results, strict=True):
                pending = self._pending.pop(item.id, None)
                if pending is not None and result.error is None:
                    outcome = WriteOutcome(WriteStatus.SAVED, pending.uid, result.value, result.changed)
                    resolutions.append((pending.future, outcome))
            self._set_state(
                online=True, queued=max(0, self._state.queued - len(done)), last_error="", since=None
            )
        _resolve(resolutions)
        self._emit_state()
        if was_offline:
            log.info("journal: the database answers again; queued writes are being applied")
        fresh = [result for result in results if result.error is None and result.fresh]
        if fresh:
            try:
                self._on_applied(fresh)
            except Exception:
                log.exception("a journal listener failed")

    def _refuse(self, item: Queued, reason: str, error: Exception | None = None) -> None:
        log.warning(
            "journal write %s refused by the database: %s", item.op.uid if item.op else item.id, reason
        )
        try:
            self._queue.bury(item, reason)
        except LocalQueueError as failure:
            log.error("%s", failure)
        with self._lock:
            pending = self._pending.pop(item.id, None)
            self._set_state(refused=self._state.refused + 1, queued=max(0, self._state.queued - 1))
        if pending is not None:
            _resolve([(pending.future, error or UserFacingError(reason))])
        self._emit_state()
        if pending is None:
            try:
                self._on_refused(item.op, reason)
            except Exception:
                log.exception("a journal listener failed")

    def _settle_foreign(self) -> None:
        """Futures whose operations another process sharing the queue file applied (or refused)."""
        with self._lock:
            ids = list(self._pending)
        resolutions: list[_Resolution] = []
        if ids:
            try:
                status = self._queue.status(ids)
            except LocalQueueError:
                status = {}
            reasons = {q: self._queue.dead_reason(q) for q, where in status.items() if where == "dead"}
            with self._lock:
                for queue_id, where in status.items():
                    pending = self._pending.get(queue_id)
                    if where == "queued" or pending is None:
                        continue
                    del self._pending[queue_id]
                    if where == "done":
                        resolutions.append((pending.future, WriteOutcome(WriteStatus.SAVED, pending.uid)))
                    else:
                        reason = reasons.get(queue_id) or "refused by the database"
                        resolutions.append((pending.future, UserFacingError(reason)))
        _resolve(resolutions)
        # The file's counts replace the running ones. An append between reading them and setting
        # them would be lost from the count (it is added to the running count, then overwritten):
        # the accept thread appends under the same lock.
        with self._count_lock:
            try:
                queued, refused = self._queue.count(), self._queue.dead_count()
            except LocalQueueError:
                return
            with self._lock:
                self._set_state(queued=queued, refused=refused)
        self._emit_state()

    def _went_offline(self, error: BaseException) -> None:
        reason = " ".join((str(error) or type(error).__name__).split())
        with self._lock:
            delay = self._retry_delays[min(self._failures, len(self._retry_delays) - 1)]
            self._failures += 1
            self._next_retry = time.monotonic() + delay
            if self._state.online:
                log.warning("journal: the database is unreachable (%s); writes are queued locally", reason)
            resolutions: list[_Resolution] = [
                (p.future, WriteOutcome(WriteStatus.QUEUED, p.uid)) for p in self._pending.values()
            ]
            self._pending.clear()
            self._set_state(online=False, last_error=reason, since=self._state.since or datetime.now(UTC))
        _resolve(resolutions)
        self._emit_state()

    def _reject_inbox(self) -> None:
        resolutions: list[_Resolution] = []
        while True:
            try:
                item = self._inbox.get_nowait()
            except stdlib_queue.Empty:
                break
            if isinstance(item, tuple):
                resolutions.append((item[1], WriterClosedError("the journal was closed before it started")))
        _resolve(resolutions)

    def _set_state(self, **changes: object) -> None:
        """Replace fields of the state (hold the lock); `_emit_state` tells the listener afterwards."""
        current = self._state
        values: dict[str, object] = {
            "online": current.online,
            "queued": current.queued,
            "refused": current.refused,
            "last_error": current.last_error,
            "since": current.since,
        }
        values.update(changes)
        self._state = WriterState(**values)  # type: ignore[arg-type]

    def _emit_state(self) -> None:
        """Call the state listener (outside the main lock) if the state changed since last told."""
        with self._emit_lock:
            with self._lock:
                state = self._state
            if state == self._emitted:
                return
            self._emitted = state
            try:
                self._on_state(state)
            except Exception:
                log.exception("a journal state listener failed")
