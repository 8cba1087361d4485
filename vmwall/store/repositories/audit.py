"""The audit trail in the database: append (hash-chained), read, verify, purge past retention.

There is deliberately no update or delete here apart from `AuditRepository.purge`, which removes only
a prefix of the chain older than the retention and records itself in the chain (see
vmwall.model.audit for how verification stays possible after it).

Appenders serialise on the ``audit_head`` row (``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite's
write transactions are serial anyway), so two consoles writing at once still produce one gapless
chain. Always append last in a transaction: the head lock is then held only until the commit.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import String, cast, delete, func, insert, select
from sqlalchemy.orm import Session

from vmwall.model.audit import (
    GENESIS_HASH,
    MIN_RETENTION_DAYS,
    Anchor,
    AuditAction,
    AuditEvent,
    AuditRecord,
    Break,
    ChainVerifier,
    Head,
    StoredRow,
    VerifyReport,
    audit_event,
    chain,
    iso_utc,
    purge_mark,
)
from vmwall.model.errors import ValidationError
from vmwall.store.db import Database
from vmwall.store.errors import StoreError
from vmwall.store.tables_journal import AuditHeadRow, AuditLogRow

log = logging.getLogger(__name__)
A = AuditLogRow
_IN_CHUNK = 500
_VERIFY_CHUNK = 5_000
# How SQLite holds a UTC time (SQLAlchemy's storage format): turned into the canonical ISO text
# without parsing, so a malformed (tampered) value is reported, not crashed on.
_SQLITE_TIME = re.compile(r"^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})\.(\d{6})$")


def _row_to_dict(record: AuditRecord) -> dict[str, object]:
    e = record.event
    return {
        "seq": record.seq,
        "uid": e.uid,
        "at": e.at,
        "recorded_at": record.recorded_at,
        "actor": e.actor,
        "action": str(e.action),
        "camera": e.camera,
        "target": e.target,
        "detail": e.detail,
        "workstation": e.workstation,
        "prev_hash": record.prev_hash,
        "row_hash": record.row_hash,
    }


def _to_record(row: AuditLogRow) -> AuditRecord:
    event = AuditEvent.from_storage(
        action=row.action,
        actor=row.actor,
        at=row.at,
        camera=row.camera,
        target=row.target,
        detail=row.detail,
        workstation=row.workstation,
        uid=row.uid,
    )
    return AuditRecord(row.seq, event, row.recorded_at, row.prev_hash, row.row_hash)


def _lock_head(session: Session) -> AuditHeadRow:
    head = session.scalar(select(AuditHeadRow).where(AuditHeadRow.id == 1).with_for_update())
    if head is None:
        raise StoreError("the audit trail has no head row: the schema was not created by vmwall's migrations")
    return head


def append_events(session: Session, events: Sequence[AuditEvent], now: datetime) -> list[AuditRecord]:
    """Chain and insert ``events`` in this transaction; events whose uid is already stored are skipped
    (a replay from the local queue), so each is recorded exactly once. Call it last in a transaction."""
    if not events:
        return []
    unique = list({event.uid: event for event in events}.values())
    uids = [event.uid for event in unique]
    known: set[str] = set()
    for start in range(0, len(uids), _IN_CHUNK):
        known.update(session.scalars(select(A.uid).where(A.uid.in_(uids[start : start + _IN_CHUNK]))))
    fresh = [event for event in unique if event.uid not in known]
    if not fresh:
        return []
    head = _lock_head(session)
    after_seq, after_hash = head.seq, head.row_hash
    last = session.execute(select(A.seq, A.row_hash).order_by(A.seq.desc()).limit(1)).first()
    if last is not None and last[0] > head.seq:
        # Rows past the head were inserted behind vmwall's back: `verify` names them. Keep recording
        # (after them, the sequence number being taken) rather than refusing every write.
        log.warning(
            "the audit trail has records after its head (%d > %d): run `vmwall audit verify`",
            last[0],
            head.seq,
        )
        after_seq, after_hash = int(last[0]), str(last[1])
    records = list(chain(fresh, after_seq=after_seq, after_hash=after_hash, recorded_at=now))
    session.execute(insert(A), [_row_to_dict(r) for r in records])
    head.seq = records[-1].seq
    head.row_hash = records[-1].row_hash
    session.flush()
    return records


@dataclass(frozen=True, slots=True)
class AuditFilter:
    start: datetime | None = None
    end: datetime | None = None
    actions: frozenset[str] = frozenset()
    actor: str | None = None
    camera: int | None = None
    target: str | None = None
    before_seq: int | None = None  # keyset: records older than this sequence number
    limit: int = 100


@dataclass(frozen=True, slots=True)
class PurgeResult:
    removed: int
    first_kept_seq: int
    anchor_hash: str
    cutoff: datetime
    record: AuditRecord | None  # the purge's own record


class AuditRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    def append(self, events: Sequence[AuditEvent], *, now: datetime | None = None) -> list[AuditRecord]:
        """Append in one transaction of its own (the journal writer uses `append_events` instead)."""
        with self._db.session() as session:
            return append_events(session, events, now or datetime.now(UTC))

    def head(self) -> Head:
        with self._db.session(write=False) as session:
            row = session.get(AuditHeadRow, 1)
            if row is None:
                raise StoreError("the audit trail has no head row")
            return Head(row.seq, row.row_hash)

    def count(self) -> int:
        with self._db.session(write=False) as session:
            return int(session.scalar(select(func.count()).select_from(A)) or 0)

    def records(self, where: AuditFilter) -> list[AuditRecord]:
        """Records matching ``where``, newest first (for a DPO's consultation; nothing per operator
        is aggregated)."""
        if not 1 <= where.limit <= 10_000:
            raise ValidationError(f"page size {where.limit} is outside 1..10000")
        statement = select(A)
        if where.start is not None:
            statement = statement.where(A.at >= where.start)
        if where.end is not None:
            statement = statement.where(A.at < where.end)
        if where.actions:
            statement = statement.where(A.action.in_(sorted(where.actions)))
        if where.actor is not None:
            statement = statement.where(A.actor == where.actor)
        if where.camera is not None:
            statement = statement.where(A.camera == where.camera)
        if where.target is not None:
            statement = statement.where(A.target == where.target)
        if where.before_seq is not None:
            statement = statement.where(A.seq < where.before_seq)
        statement = statement.order_by(A.seq.desc()).limit(where.limit)
        with self._db.session(write=False) as session:
            return [_to_record(row) for row in session.scalars(statement)]

    def get(self, seq: int) -> AuditRecord | None:
        with self._db.session(write=False) as session:
            row = session.get(A, seq)
            return None if row is None else _to_record(row)

    # --- verification ------------------------------------------------------------------------

    def _stored_rows(self, session: Session, after_seq: int, limit: int) -> list[StoredRow]:
        sqlite = self._db.dialect == "sqlite"
        at_col = cast(A.at, String) if sqlite else A.at
        rec_col = cast(A.recorded_at, String) if sqlite else A.recorded_at
        statement = (
            select(
                A.seq,
                A.uid,
                at_col,
                rec_col,
                A.actor,
                A.action,
                A.camera,
                A.target,
                A.detail,
                A.workstation,
                A.prev_hash,
                A.row_hash,
            )
            .where(A.seq > after_seq)
            .order_by(A.seq)
            .limit(limit)
        )
        rows = []
        for values in session.execute(statement):
            seq, uid, at, recorded, *rest = values
            rows.append(StoredRow(seq, uid, _canonical_time(at), _canonical_time(recorded), *rest))
        return rows

    def stored_rows(self, *, after_seq: int = 0, chunk: int = _VERIFY_CHUNK) -> Iterator[StoredRow]:
        """Every record as stored, in sequence order, read in chunks (each its own short transaction)."""
        while True:
            with self._db.session(write=False) as session:
                rows = self._stored_rows(session, after_seq, chunk)
            yield from rows
            if len(rows) < chunk:
                return
            after_seq = rows[-1].seq

    def verify(self, anchors: Sequence[Anchor] = ()) -> VerifyReport:
        """Walk the whole chain; the report names the first broken record, if any."""
        with self._db.session(write=False) as session:
            head_row = session.get(AuditHeadRow, 1)
            head = Head(head_row.seq, head_row.row_hash) if head_row else Head(-1, "")
            first = self._stored_rows(session, 0, 1)
            start_seq, start_hash = 1, GENESIS_HASH
            early_break: Break | None = None
            if first and first[0].seq != 1:
                start_seq, start_hash = first[0].seq, ""
                marks = session.execute(
                    select(A.seq, A.detail)
                    .where(A.action == AuditAction.AUDIT_PURGE.value)
                    .order_by(A.seq.desc())
                )
                for seq, detail in marks:
                    probe = StoredRow(
                        seq, "", "", "", "", AuditAction.AUDIT_PURGE.value, None, "", detail, "", "", ""
                    )
                    mark = purge_mark(probe)
                    if mark is not None and mark.first_kept_seq == first[0].seq:
                        start_hash = mark.anchor_hash
                        break
                else:
                    early_break = Break(
                        first[0].seq,
                        f"the trail starts at {first[0].seq}, and no purge record vouches for the records"
                        " before it (deleted?)",
                    )
            seen = {}
            wanted = {anchor.seq for anchor in anchors}
            if wanted:
                for seq, digest in session.execute(
                    select(A.seq, A.row_hash).where(A.seq.in_(sorted(wanted)))
                ):
                    seen[seq] = digest
        if head_row is None:
            return VerifyReport(0, None, None, None, Break(0, "the trail's head row is missing"))
        verifier = ChainVerifier(start_seq, start_hash)
        if early_break is not None:
            verifier.broken = early_break
        else:
            for row in self.stored_rows():
                if not verifier.feed(row):
                    break
        return verifier.finish(head, anchors, seen)

    # --- retention ---------------------------------------------------------------------------

    def purge(
        self, *, retention_days: int, actor: str, workstation: str = "", now: datetime | None = None
    ) -> PurgeResult:
        """Delete the records older than ``retention_days`` (a prefix of the chain, so it stays
        verifiable) and append an AUDIT_PURGE record naming the first kept record and its previous
        hash. One transaction; the purge is recorded even when nothing was old enough."""
        if retention_days < MIN_RETENTION_DAYS:
            raise ValidationError(
                f"an audit retention of {retention_days} days is below the minimum of {MIN_RETENTION_DAYS}"
            )
        moment = now or datetime.now(UTC)
        cutoff = moment - timedelta(days=retention_days)
        with self._db.session() as session:
            head = _lock_head(session)
            # The first record young enough to keep; everything before it in the chain goes.
            young = session.scalar(select(func.min(A.seq)).where(A.at >= cutoff))
            first_kept = head.seq + 1 if young is None else int(young)
            oldest = session.scalar(select(func.min(A.seq)))
            removed = 0
            if oldest is not None and first_kept > oldest:
                anchor = (
                    head.row_hash
                    if first_kept > head.seq
                    else session.scalar(select(A.prev_hash).where(A.seq == first_kept))
                )
                result = session.execute(delete(A).where(A.seq < first_kept))
                removed = int(getattr(result, "rowcount", 0) or 0)
            else:
                first_kept = int(oldest) if oldest is not None else head.seq + 1
                anchor = (
                    session.scalar(select(A.prev_hash).where(A.seq == first_kept))
                    if oldest is not None
                    else head.row_hash
                )
            assert anchor is not None
            event = audit_event(
                AuditAction.AUDIT_PURGE,
                actor,
                at=moment,
                workstation=workstation,
                first_kept_seq=first_kept,
                anchor_hash=anchor,
                removed=removed,
                cutoff=iso_utc(cutoff),
                retention_days=retention_days,
            )
            records = append_events(session, [event], moment)
            return PurgeResult(removed, first_kept, anchor, cutoff, records[0] if records else None)


def _canonical_time(value: object) -> str:
    if isinstance(value, datetime):
        return iso_utc(value if value.tzinfo is not None else value.replace(tzinfo=UTC))
    if isinstance(value, str):
        match = _SQLITE_TIME.match(value)
        if match:
            return f"{match[1]}T{match[2]}.{match[3]}+00:00"
        return f"unreadable:{value}"
    return f"unreadable:{value!r}"
