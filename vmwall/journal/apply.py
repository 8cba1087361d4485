"""Apply a batch of journal operations in one database transaction.

Each journal write runs in its own savepoint (one refused write spares the rest of the batch) and
adds its audit record (``journal-add``, ``journal-edit``...; the entry's text stays in the journal,
the audit says who did what to which entry). Audit records are appended last, in the order the
operations came, then one notification per change tells the other workstations (PostgreSQL).
Operations already stored (replays) produce neither audit record nor notification.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace

from vmwall.journal.ops import (
    AddBookmark,
    AddEntry,
    EditBookmark,
    EditEntry,
    Operation,
    PatchEntry,
    RecordAudit,
)
from vmwall.journal.writer import Applied
from vmwall.model.audit import AuditAction, AuditEvent, audit_event
from vmwall.model.errors import ValidationError
from vmwall.model.journal import JournalEntry
from vmwall.store.errors import DatabaseUnavailableError, NotFoundError, StoreError
from vmwall.store.repositories.journal_writes import JournalStore, WriteTransaction

# Change notifications between workstations: {"o": origin, "k": kind, "u": uid}.
KIND_ENTRY = "entry"
KIND_BOOKMARK = "bookmark"
KIND_CATEGORIES = "categories"


def notification(origin: str, kind: str, uid: str = "") -> str:
    return json.dumps({"o": origin, "k": kind, "u": uid}, separators=(",", ":"))


class OperationApplier:
    """The writer's ``apply``: ``applier(ops) -> [Applied]``; DatabaseUnavailableError if unreachable."""

    def __init__(self, store: JournalStore, *, origin: str, workstation: str) -> None:
        self._store = store
        self._origin = origin
        self._workstation = workstation

    def __call__(self, ops: Sequence[Operation]) -> list[Applied]:
        results: list[Applied] = []
        with self._store.transaction() as tx:
            events: list[AuditEvent] = []
            notices: list[str] = []
            for op in ops:
                if isinstance(op, RecordAudit):
                    events.append(op.event)
                    results.append(Applied(op))
                    continue
                try:
                    with tx.attempt():
                        applied, event, notice = self._apply_one(tx, op)
                except DatabaseUnavailableError:
                    raise
                except (StoreError, ValidationError) as error:
                    results.append(Applied(op, error=error))
                    continue
                results.append(applied)
                if event is not None:
                    events.append(event)
                if notice is not None:
                    notices.append(notice)
            records = {record.event.uid: record for record in tx.append_audit(events)}
            for notice in notices:
                tx.notify(notice)
        # Audit operations: the stored record, or "already there" for a replay.
        return [
            Applied(r.op, records.get(r.op.uid), fresh=r.op.uid in records)
            if isinstance(r.op, RecordAudit)
            else r
            for r in results
        ]

    def _apply_one(
        self, tx: WriteTransaction, op: Operation
    ) -> tuple[Applied, AuditEvent | None, str | None]:
        if isinstance(op, AddEntry):
            entry, fresh = tx.add_entry(op.entry)
            if not fresh:
                return Applied(op, entry, fresh=False), None, None
            event = audit_event(
                AuditAction.JOURNAL_ADD,
                entry.operator,
                at=tx.now,
                target=entry.uid,
                workstation=entry.workstation or self._workstation,
                category=entry.category,
                commune_id=entry.commune_id,
                cameras=list(entry.cameras),
            )
            return Applied(op, entry), event, notification(self._origin, KIND_ENTRY, entry.uid)
        if isinstance(op, EditEntry | PatchEntry):
            edited, editor, strict = self._edit_of(tx, op)
            entry, changed, fresh = tx.edit_entry(edited, editor=editor, op_uid=op.uid, strict=strict)
            if not fresh or not changed:
                return Applied(op, entry, changed, fresh=fresh), None, None
            event = audit_event(
                AuditAction.JOURNAL_EDIT,
                editor,
                at=tx.now,
                target=entry.uid,
                workstation=self._workstation,
                revision=entry.revision,
                changed=list(changed),
            )
            return Applied(op, entry, changed), event, notification(self._origin, KIND_ENTRY, entry.uid)
        if isinstance(op, AddBookmark):
            bookmark, fresh = tx.add_bookmark(op.bookmark)
            if not fresh:
                return Applied(op, bookmark, fresh=False), None, None
            event = audit_event(
                AuditAction.BOOKMARK_ADD,
                bookmark.created_by,
                at=tx.now,
                camera=bookmark.cameras[0],
                target=bookmark.uid,
                workstation=bookmark.workstation or self._workstation,
                cameras=list(bookmark.cameras),
                entry=bookmark.entry_uid,
            )
            return Applied(op, bookmark), event, notification(self._origin, KIND_BOOKMARK, bookmark.uid)
        if isinstance(op, EditBookmark):
            bookmark, changed, fresh = tx.edit_bookmark(
                op.bookmark, editor=op.editor, op_uid=op.uid, strict=op.strict
            )
            if not fresh or not changed:
                return Applied(op, bookmark, changed, fresh=fresh), None, None
            event = audit_event(
                AuditAction.BOOKMARK_EDIT,
                op.editor,
                at=tx.now,
                camera=bookmark.cameras[0],
                target=bookmark.uid,
                workstation=self._workstation,
                revision=bookmark.revision,
                changed=list(changed),
            )
            return (
                Applied(op, bookmark, changed),
                event,
                notification(self._origin, KIND_BOOKMARK, bookmark.uid),
            )
        raise ValidationError(f"unknown journal operation {type(op).__name__}")

    @staticmethod
    def _edit_of(tx: WriteTransaction, op: EditEntry | PatchEntry) -> tuple[JournalEntry, str, bool]:
        """(the edited entry, who, strict) for an edit or a patch (a patch applies to the stored version)."""
        if isinstance(op, EditEntry):
            return op.entry, op.editor, op.strict
        current = tx.get_entry(op.entry_uid, lock=True)
        if current is None:
            raise NotFoundError(f"journal entry {op.entry_uid} does not exist")
        follow_ups = current.follow_ups
        if op.follow_up is not None:
            follow_up = op.follow_up if op.follow_up.by else replace(op.follow_up, by=op.by)
            follow_ups = (*follow_ups, follow_up)
        status = op.status if op.status is not None else current.status
        return replace(current, follow_ups=follow_ups, status=status), op.by, True


def is_transient(error: BaseException) -> bool:
    """Errors that mean "try again later" (the database is away), not "this write is wrong"."""
    return isinstance(error, DatabaseUnavailableError)
