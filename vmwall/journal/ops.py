"""The writes the journal writer carries out, and their JSON form in the local queue.

Every operation has a ``uid`` (its idempotency key): an entry's or bookmark's own uid for a creation,
a fresh one for an edit, the event's uid for an audit record. Applying an operation twice stores
it once, so a replay from the local queue after a crash or an ambiguous commit is harmless.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from enum import StrEnum

from vmwall.model.audit import AuditEvent
from vmwall.model.errors import ValidationError
from vmwall.model.journal import (
    Bookmark,
    EntryStatus,
    FollowUp,
    JournalEntry,
    bookmark_from_dict,
    bookmark_to_dict,
    check_uid,
    entry_from_dict,
    entry_to_dict,
    follow_up_from_dict,
    follow_up_to_dict,
    new_uid,
)


class OpKind(StrEnum):
    ADD_ENTRY = "add-entry"
    EDIT_ENTRY = "edit-entry"
    PATCH_ENTRY = "patch-entry"
    ADD_BOOKMARK = "add-bookmark"
    EDIT_BOOKMARK = "edit-bookmark"
    AUDIT = "audit"


@dataclass(frozen=True, slots=True)
class AddEntry:
    entry: JournalEntry

    @property
    def uid(self) -> str:
        return self.entry.uid

    kind = OpKind.ADD_ENTRY


@dataclass(frozen=True, slots=True)
class EditEntry:
    """Replace the editable fields of ``entry.uid`` with those of ``entry``; ``entry.revision`` is the
    revision the edit was based on (a different stored revision is a conflict when ``strict``)."""

    entry: JournalEntry
    editor: str
    strict: bool = True
    uid: str = field(default_factory=new_uid)

    kind = OpKind.EDIT_ENTRY


@dataclass(frozen=True, slots=True)
class PatchEntry:
    """Add a follow-up and/or set the status of the stored entry, whatever its revision: applied to
    the version in the database, so it never undoes another console's edit of the text."""

    entry_uid: str
    by: str
    follow_up: FollowUp | None = None
    status: EntryStatus | None = None
    uid: str = field(default_factory=new_uid)

    kind = OpKind.PATCH_ENTRY

    def __post_init__(self) -> None:
        check_uid(self.entry_uid)
        if self.follow_up is None and self.status is None:
            raise ValidationError("a patch adds a follow-up or sets a status")


@dataclass(frozen=True, slots=True)
class AddBookmark:
    bookmark: Bookmark

    @property
    def uid(self) -> str:
        return self.bookmark.uid

    kind = OpKind.ADD_BOOKMARK


@dataclass(frozen=True, slots=True)
class EditBookmark:
    bookmark: Bookmark
    editor: str
    strict: bool = True
    uid: str = field(default_factory=new_uid)

    kind = OpKind.EDIT_BOOKMARK


@dataclass(frozen=True, slots=True)
class RecordAudit:
    event: AuditEvent

    @property
    def uid(self) -> str:
        return self.event.uid

    kind = OpKind.AUDIT


Operation = AddEntry | EditEntry | PatchEntry | AddBookmark | EditBookmark | RecordAudit


def _event_to_dict(event: AuditEvent) -> dict[str, object]:
    return {
        "action": str(event.action),
        "actor": event.actor,
        "at": event.at.isoformat(),
        "camera": event.camera,
        "target": event.target,
        "detail": event.detail,
        "workstation": event.workstation,
        "uid": event.uid,
    }


def _event_from_dict(data: dict[str, object]) -> AuditEvent:
    from datetime import datetime

    camera = data.get("camera")
    at = data.get("at")
    if not isinstance(at, str) or (camera is not None and not isinstance(camera, int)):
        raise ValidationError("malformed audit event")
    return AuditEvent(
        action=str(data["action"]),  # type: ignore[arg-type]  # AuditEvent converts and checks it
        actor=str(data["actor"]),
        at=datetime.fromisoformat(at),
        camera=camera,
        target=str(data.get("target", "")),
        detail=str(data.get("detail", "{}")),
        workstation=str(data.get("workstation", "")),
        uid=str(data["uid"]),
    )


def encode(op: Operation) -> str:
    """The operation as one line of JSON, for the local queue."""
    body: dict[str, object]
    if isinstance(op, AddEntry):
        body = {"entry": entry_to_dict(op.entry)}
    elif isinstance(op, EditEntry):
        body = {"entry": entry_to_dict(op.entry), "editor": op.editor, "strict": op.strict, "uid": op.uid}
    elif isinstance(op, PatchEntry):
        body = {
            "entry_uid": op.entry_uid,
            "by": op.by,
            "follow_up": None if op.follow_up is None else follow_up_to_dict(op.follow_up),
            "status": None if op.status is None else op.status.value,
            "uid": op.uid,
        }
    elif isinstance(op, AddBookmark):
        body = {"bookmark": bookmark_to_dict(op.bookmark)}
    elif isinstance(op, EditBookmark):
        body = {
            "bookmark": bookmark_to_dict(op.bookmark),
            "editor": op.editor,
            "strict": op.strict,
            "uid": op.uid,
        }
    else:
        body = {"event": _event_to_dict(op.event)}
    return json.dumps({"kind": op.kind.value, **body}, ensure_ascii=False, separators=(",", ":"))


def decode(text: str) -> Operation:
    """The inverse of `encode`; ValidationError for a line that is not an operation."""
    try:
        data = json.loads(text)
        kind = OpKind(data["kind"])
    except (ValueError, KeyError, TypeError):
        raise ValidationError("not a journal operation") from None
    try:
        if kind is OpKind.ADD_ENTRY:
            return AddEntry(entry_from_dict(data["entry"]))
        if kind is OpKind.EDIT_ENTRY:
            return EditEntry(
                entry_from_dict(data["entry"]),
                str(data["editor"]),
                bool(data["strict"]),
                check_uid(data["uid"]),
            )
        if kind is OpKind.PATCH_ENTRY:
            follow_up = data.get("follow_up")
            status = data.get("status")
            return PatchEntry(
                check_uid(data["entry_uid"]),
                str(data["by"]),
                None if follow_up is None else follow_up_from_dict(follow_up),
                None if status is None else EntryStatus(status),
                check_uid(data["uid"]),
            )
        if kind is OpKind.ADD_BOOKMARK:
            return AddBookmark(bookmark_from_dict(data["bookmark"]))
        if kind is OpKind.EDIT_BOOKMARK:
            return EditBookmark(
                bookmark_from_dict(data["bookmark"]),
                str(data["editor"]),
                bool(data["strict"]),
                check_uid(data["uid"]),
            )
        return RecordAudit(_event_from_dict(data["event"]))
    except (KeyError, TypeError, ValueError) as error:
        raise ValidationError(f"malformed {kind.value} operation: {error}") from None
