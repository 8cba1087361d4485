"""The audit trail: what was done with images and rights, by whom, when — tamper-evident.

Every record carries a **sequence number** (1, 2, 3… without gaps), the **hash of the previous
record** and the **hash of its own canonical content** (SHA-256 over a JSON array of every stored
field, the previous hash included). Altering a record breaks its own hash; deleting one leaves a gap
in the sequence (or, at the end, disagrees with the stored head); inserting one breaks the chain
where it lands. `ChainVerifier` walks the records in order and names the first one that is wrong.

What this detects: changes made to the rows behind the application's back (SQL, a restored backup,
a hand-edited file). What it cannot detect on its own: someone who rewrites the whole chain from the
altered point onwards *and* the head row, with this code in hand. Against that, keep the head hash
somewhere else (`vmwall audit verify` prints it; the shift report carries it) and check it later
with ``--anchor SEQ:HASH``.

After a purge (records older than the retention, 3 years by default), the first remaining record's
previous hash is vouched for by the purge record itself (``AUDIT_PURGE``, inside the chain), whose
detail names the first kept sequence number and that hash.

Nothing here ranks operators: there is no per-operator aggregate anywhere in vmwall.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, NamedTuple

from vmwall.model.errors import ValidationError
from vmwall.model.journal import check_aware, check_uid, new_uid, utc_now

GENESIS_HASH = "0" * 64
CANONICAL_VERSION = 1
DEFAULT_RETENTION_DAYS = 3 * 365 + 1  # three years, a leap day included
MIN_RETENTION_DAYS = 365
MAX_DETAIL_LENGTH = 8_000

_HASH = re.compile(r"^[0-9a-f]{64}$")
_SECRET_KEYS = re.compile(r"pass|secret|token|credential|pwd", re.IGNORECASE)

Scalar = str | int | float | bool | None
DetailValue = Scalar | list[str] | list[int] | list[Scalar]


class AuditAction(StrEnum):
    LOGIN = "login"
    LOGIN_REFUSED = "login-refused"
    LOGOUT = "logout"  # detail: reason (logout, shift handover, inactivity, closed)
    SESSION_LOCKED = "session-locked"
    SESSION_UNLOCKED = "session-unlocked"
    LIVE_VIEW_START = "live-view-start"  # camera; detail: stream, tile
    LIVE_VIEW_END = "live-view-end"  # camera; detail: started, duration_s
    SNAPSHOT = "snapshot"
    PLAYBACK = "playback"  # detail: reason (playback needs a stated reason)
    EXPORT = "export"
    PTZ = "ptz"
    WALL_PUSH = "wall-push"
    LAYOUT_CHANGE = "layout-change"
    USER_CHANGE = "user-change"
    RIGHT_CHANGE = "right-change"
    JOURNAL_ADD = "journal-add"
    JOURNAL_EDIT = "journal-edit"
    BOOKMARK_ADD = "bookmark-add"
    BOOKMARK_EDIT = "bookmark-edit"
    CATEGORY_CHANGE = "category-change"
    AUDIT_CONSULTED = "audit-consulted"
    AUDIT_PURGE = "audit-purge"


def looks_secret(key: str) -> bool:
    """Detail keys that name a secret ("password", "token"...) are refused in the trail."""
    return bool(_SECRET_KEYS.search(key))


def _check_detail_value(key: str, value: object) -> None:
    if isinstance(value, list):
        for item in value:
            _check_detail_value(key, item)
        return
    if value is None or isinstance(value, str | int | bool):
        return
    if isinstance(value, float) and math.isfinite(value):
        return
    raise ValidationError(f"audit detail {key!r}: {type(value).__name__} is not a plain value")


def canonical_detail(detail: Mapping[str, DetailValue]) -> str:
    """The detail as stored and hashed: compact JSON, keys sorted. Refuses secrets and odd values."""
    for key, value in detail.items():
        if not isinstance(key, str) or not key:
            raise ValidationError("audit detail keys are non-empty strings")
        if _SECRET_KEYS.search(key):
            raise ValidationError(f"audit detail {key!r} looks like a secret: secrets never enter the audit")
        _check_detail_value(key, value)
    text = json.dumps(
        dict(detail), sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )
    if len(text) > MAX_DETAIL_LENGTH:
        raise ValidationError(f"audit detail is {len(text)} characters long; at most {MAX_DETAIL_LENGTH}")
    return text


@dataclass(frozen=True, slots=True)
class AuditEvent:
    """Something to record. ``detail`` is stored as canonical JSON (see `canonical_detail`)."""

    action: AuditAction
    actor: str  # the login who acted ("" for the system itself, e.g. a scheduled purge)
    at: datetime = field(default_factory=utc_now)
    camera: int | None = None
    target: str = ""  # what was acted on, when not a camera: a login, an entry uid, a screen...
    detail: str = "{}"  # canonical JSON; build it with `audit_event`
    workstation: str = ""
    uid: str = field(default_factory=new_uid)

    def __post_init__(self) -> None:
        object.__setattr__(self, "action", AuditAction(self.action))
        object.__setattr__(self, "at", check_aware(self.at, "the time of an audit event"))
        check_uid(self.uid)
        if len(self.actor) > 64 or len(self.target) > 200 or len(self.workstation) > 64:
            raise ValidationError("audit actor, target or workstation too long")
        if self.camera is not None and (isinstance(self.camera, bool) or self.camera < 1):
            raise ValidationError("camera numbers start at 1")
        try:
            parsed = json.loads(self.detail)
        except ValueError:
            raise ValidationError("audit detail is not JSON") from None
        if not isinstance(parsed, dict) or canonical_detail(parsed) != self.detail:
            raise ValidationError("audit detail is not canonical JSON: build events with audit_event()")

    @property
    def details(self) -> dict[str, Any]:
        """The detail as a dict ({} if the stored text is not a JSON object: a tampered row)."""
        try:
            parsed = json.loads(self.detail)
        except ValueError:
            return {}
        return parsed if isinstance(parsed, dict) else {}

    @classmethod
    def from_storage(
        cls,
        *,
        action: str,
        actor: str,
        at: datetime,
        camera: int | None,
        target: str,
        detail: str,
        workstation: str,
        uid: str,
    ) -> AuditEvent:
        """An event read back from the trail, *not* validated: a tampered row must still be listed
        (and reported by verify), never make the reader crash. An unknown action stays a plain str."""
        event = object.__new__(cls)
        try:
            kind: AuditAction | str = AuditAction(action)
        except ValueError:
            kind = action
        for name, value in (
            ("action", kind),
            ("actor", actor),
            ("at", at),
            ("camera", camera),
            ("target", target),
            ("detail", detail),
            ("workstation", workstation),
            ("uid", uid),
        ):
            object.__setattr__(event, name, value)
        return event


def audit_event(
    action: AuditAction,
    actor: str,
    *,
    at: datetime | None = None,
    camera: int | None = None,
    target: str = "",
    workstation: str = "",
    extra: Mapping[str, DetailValue] | None = None,
    **detail: DetailValue,
) -> AuditEvent:
    """An event with its detail made canonical: ``audit_event(AuditAction.PTZ, "alice", camera=3,
    move="preset", preset="Parvis")``; ``extra`` adds detail from a mapping."""
    return AuditEvent(
        action=action,
        actor=actor,
        at=utc_now() if at is None else at,
        camera=camera,
        target=target,
        detail=canonical_detail({**(extra or {}), **detail}),
        workstation=workstation,
    )


def iso_utc(when: datetime) -> str:
    """The canonical text of a time: ISO 8601 in UTC with microseconds ("...T10:00:00.000000+00:00")."""
    return when.astimezone(UTC).isoformat(timespec="microseconds")


class StoredRow(NamedTuple):
    """A record exactly as stored, times already in canonical text (what `verify` reads, unparsed)."""

    seq: int
    uid: str
    at: str
    recorded_at: str
    actor: str
    action: str
    camera: int | None
    target: str
    detail: str
    workstation: str
    prev_hash: str
    row_hash: str

    def expected_hash(self) -> str:
        return _digest(
            self.seq,
            self.uid,
            self.at,
            self.recorded_at,
            self.actor,
            self.action,
            self.camera,
            self.target,
            self.detail,
            self.workstation,
            self.prev_hash,
        )


def _digest(
    seq: int,
    uid: str,
    at: str,
    recorded_at: str,
    actor: str,
    action: str,
    camera: int | None,
    target: str,
    detail: str,
    workstation: str,
    prev_hash: str,
) -> str:
    """SHA-256 of the canonical content: every stored field, in a fixed order, as a JSON array."""
    content = json.dumps(
        [
            CANONICAL_VERSION,
            seq,
            uid,
            at,
            recorded_at,
            actor,
            action,
            camera,
            target,
            detail,
            workstation,
            prev_hash,
        ],
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(content.encode()).hexdigest()


def record_hash(seq: int, event: AuditEvent, recorded_at: datetime, prev_hash: str) -> str:
    return _digest(
        seq,
        event.uid,
        iso_utc(event.at),
        iso_utc(recorded_at),
        event.actor,
        str(event.action),
        event.camera,
        event.target,
        event.detail,
        event.workstation,
        prev_hash,
    )


@dataclass(frozen=True, slots=True)
class AuditRecord:
    """An event as the trail holds it."""

    seq: int
    event: AuditEvent
    recorded_at: datetime
    prev_hash: str
    row_hash: str

    def expected_hash(self) -> str:
        return record_hash(self.seq, self.event, self.recorded_at, self.prev_hash)

    def stored(self) -> StoredRow:
        e = self.event
        return StoredRow(
            self.seq,
            e.uid,
            iso_utc(e.at),
            iso_utc(self.recorded_at),
            e.actor,
            str(e.action),
            e.camera,
            e.target,
            e.detail,
            e.workstation,
            self.prev_hash,
            self.row_hash,
        )


def chain(
    events: Iterable[AuditEvent], *, after_seq: int, after_hash: str, recorded_at: datetime
) -> Iterator[AuditRecord]:
    """Records for ``events``, continuing a chain whose last record is (after_seq, after_hash)."""
    seq, previous = after_seq, after_hash
    for event in events:
        seq += 1
        digest = record_hash(seq, event, recorded_at, previous)
        yield AuditRecord(seq, event, recorded_at, previous, digest)
        previous = digest


# --- verification ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Anchor:
    """A (sequence, hash) pair kept outside the database, to check the chain still passes there."""

    seq: int
    row_hash: str

    @classmethod
    def parse(cls, text: str) -> Anchor:
        seq, sep, digest = text.strip().partition(":")
        if not sep or not seq.isdigit() or not _HASH.match(digest.lower()):
            raise ValidationError(f"{text!r} is not an anchor (SEQ:SHA256, as `vmwall audit verify` prints)")
        return cls(int(seq), digest.lower())

    def __str__(self) -> str:
        return f"{self.seq}:{self.row_hash}"


@dataclass(frozen=True, slots=True)
class Head:
    """The last record as the trail's head row states it (seq 0 and the genesis hash when empty)."""

    seq: int
    row_hash: str


@dataclass(frozen=True, slots=True)
class Break:
    seq: int  # the first record that is wrong (or, for a missing record, where it should be)
    reason: str

    def __str__(self) -> str:
        return f"audit record {self.seq}: {self.reason}"


@dataclass(frozen=True, slots=True)
class VerifyReport:
    records: int
    first_seq: int | None
    last_seq: int | None
    head: Anchor | None  # the last record checked, to note down as a future anchor
    broken: Break | None

    @property
    def ok(self) -> bool:
        return self.broken is None


@dataclass(frozen=True, slots=True)
class PurgeMark:
    """What an AUDIT_PURGE record vouches for: the first kept record and its previous hash."""

    seq: int  # the purge record itself
    first_kept_seq: int
    anchor_hash: str


def purge_mark(record: StoredRow) -> PurgeMark | None:
    """What a purge record vouches for; None for any other record (or an unreadable detail)."""
    if record.action != AuditAction.AUDIT_PURGE.value:
        return None
    try:
        detail = json.loads(record.detail)
    except ValueError:
        return None
    if not isinstance(detail, dict):
        return None
    first, anchor = detail.get("first_kept_seq"), detail.get("anchor_hash")
    if not isinstance(first, int) or not isinstance(anchor, str):
        return None
    return PurgeMark(record.seq, first, anchor)


class ChainVerifier:
    """Checks records fed in sequence order; stops at the first break.

    ``start`` is how the trail should begin: (1, GENESIS_HASH) for a trail never purged, else what
    the newest purge record vouches for. ``feed`` returns False once a break is found.
    """

    def __init__(self, start_seq: int = 1, start_prev_hash: str = GENESIS_HASH) -> None:
        self._expected_seq = start_seq
        self._expected_prev = start_prev_hash
        self.records = 0
        self.first_seq: int | None = None
        self.last: StoredRow | None = None
        self.broken: Break | None = None

    def feed(self, record: StoredRow) -> bool:
        if self.broken is not None:
            return False
        if record.seq != self._expected_seq:
            if record.seq > self._expected_seq:
                missing = (
                    f"{self._expected_seq}"
                    if record.seq == self._expected_seq + 1
                    else f"{self._expected_seq}..{record.seq - 1}"
                )
                reason = f"record(s) {missing} missing before it (deleted?)"
            else:
                reason = f"out of sequence: expected {self._expected_seq}"
            self.broken = Break(record.seq, reason)
            return False
        if record.prev_hash != self._expected_prev:
            what = "the previous record" if self.records else "the start of the trail"
            self.broken = Break(
                record.seq, f"its previous-hash does not match {what} (inserted or replaced?)"
            )
            return False
        if record.row_hash != record.expected_hash():
            self.broken = Break(record.seq, "its content does not match its hash (altered)")
            return False
        if self.first_seq is None:
            self.first_seq = record.seq
        self.records += 1
        self.last = record
        self._expected_seq = record.seq + 1
        self._expected_prev = record.row_hash
        return True

    def finish(
        self, head: Head, anchors: Iterable[Anchor] = (), seen: Mapping[int, str] | None = None
    ) -> VerifyReport:
        """Compare the end of the chain with the head row and with any external anchors.

        ``seen`` maps sequence numbers to hashes for the anchors' records (looked up by the caller).
        """
        if self.broken is None:
            last_seq = self.last.seq if self.last else self._expected_seq - 1
            last_hash = self.last.row_hash if self.last else self._expected_prev
            if head.seq > last_seq:
                self.broken = Break(
                    last_seq + 1,
                    f"missing: the trail ends at {last_seq} but its head says {head.seq} (deleted?)",
                )
            elif head.seq < last_seq:
                self.broken = Break(
                    head.seq + 1, f"the trail goes on to {last_seq} after its head {head.seq} (inserted?)"
                )
            elif head.row_hash != last_hash:
                self.broken = Break(
                    last_seq, "its hash does not match the trail's head (altered or replaced)"
                )
        if self.broken is None:
            for anchor in anchors:
                found = (seen or {}).get(anchor.seq)
                if found is None:
                    if self.first_seq is not None and anchor.seq < self.first_seq:
                        continue  # purged since: the purge record vouches for what came before
                    self.broken = Break(anchor.seq, f"the anchored record {anchor.seq} is not in the trail")
                elif found != anchor.row_hash:
                    self.broken = Break(
                        anchor.seq, "its hash differs from the anchor kept outside the database"
                    )
                if self.broken is not None:
                    break
        head_anchor = Anchor(self.last.seq, self.last.row_hash) if self.last else None
        return VerifyReport(
            records=self.records,
            first_seq=self.first_seq,
            last_seq=self.last.seq if self.last else None,
            head=head_anchor,
            broken=self.broken,
        )
