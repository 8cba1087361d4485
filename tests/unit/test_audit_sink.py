"""What other parts' events become in the audit trail (AuditSink), without a database."""

from __future__ import annotations

from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest

from vmwall.journal.audit import AuditSink, account_audit_event
from vmwall.journal.ops import RecordAudit
from vmwall.journal.writer import WriteOutcome, WriteStatus
from vmwall.model.audit import AuditAction, AuditEvent
from vmwall.model.errors import ValidationError
from vmwall.model.wall import WallPush

T0 = datetime(2025, 3, 1, 21, 0, tzinfo=UTC)


class Collected:
    def __init__(self) -> None:
        self.events: list[AuditEvent] = []

    def __call__(self, op: RecordAudit) -> Future[WriteOutcome]:
        self.events.append(op.event)
        future: Future[WriteOutcome] = Future()
        future.set_result(WriteOutcome(WriteStatus.SAVED, op.uid))
        return future


@pytest.fixture
def sink() -> tuple[AuditSink, Collected]:
    collected = Collected()
    return AuditSink(collected, workstation="poste-3"), collected


@dataclass(frozen=True)
class PtzEvent:  # the shape of vmwall.ptz.api.PtzEvent
    at: datetime
    user: str
    camera: int
    action: str
    detail: str


@dataclass(frozen=True)
class AccountEvent:  # the shape of vmwall.accounts.AccountEvent
    kind: str
    at: datetime
    login: str
    actor: str | None = None
    workstation: str = ""
    detail: str = ""
    data: dict[str, str] = field(default_factory=dict)


def test_a_live_view_is_recorded_at_start_and_end_with_its_duration(
    sink: tuple[AuditSink, Collected],
) -> None:
    audit, collected = sink
    token = audit.live_view_started("alice", 12, stream="sub", tile=3, at=T0)
    audit.live_view_ended(token, at=T0 + timedelta(minutes=2, seconds=5))
    start, end = collected.events
    assert (start.action, start.actor, start.camera, start.workstation) == (
        AuditAction.LIVE_VIEW_START,
        "alice",
        12,
        "poste-3",
    )
    assert start.details == {"stream": "sub", "tile": 3}
    assert end.action is AuditAction.LIVE_VIEW_END and end.target == start.uid
    assert end.details == {"started": T0.isoformat(), "duration_s": 125.0}


def test_ptz_actions_and_wall_pushes_keep_who_what_and_when(sink: tuple[AuditSink, Collected]) -> None:
    audit, collected = sink
    audit.ptz(PtzEvent(T0, "bob", 7, "goto-preset", "Parvis"))
    audit.wall_push(WallPush(T0.timestamp(), "chef", "console-2", "show-camera", "camera 7 on wall:0", 42))
    ptz, push = collected.events
    assert (ptz.action, ptz.actor, ptz.camera, ptz.at) == (AuditAction.PTZ, "bob", 7, T0)
    assert ptz.details == {"move": "goto-preset", "detail": "Parvis"}
    assert (push.action, push.actor, push.target, push.at) == (AuditAction.WALL_PUSH, "chef", "console-2", T0)
    assert push.details == {"change": "show-camera", "detail": "camera 7 on wall:0", "sequence": 42}


def test_account_events_become_login_logout_and_rights_records() -> None:
    login = account_audit_event(AccountEvent("login", T0, "alice", workstation="poste-1"))
    assert (login.action, login.actor, login.target, login.workstation) == (
        AuditAction.LOGIN,
        "alice",
        "alice",
        "poste-1",
    )
    change = account_audit_event(
        AccountEvent(
            "user-changed", T0, "bob", actor="admin", detail="rôle → chef de salle", data={"role": "chef"}
        )
    )
    assert (change.action, change.actor, change.target) == (AuditAction.RIGHT_CHANGE, "admin", "bob")
    assert change.details == {"event": "user-changed", "detail": "rôle → chef de salle", "data_role": "chef"}
    # A data key naming a secret is dropped, never recorded.
    changed = account_audit_event(
        AccountEvent(
            "password-changed", T0, "bob", actor="bob", data={"password_hash": "scrypt$...", "by": "bob"}
        )
    )
    assert changed.action is AuditAction.USER_CHANGE and "password_hash" not in changed.detail
    assert "scrypt" not in changed.detail
    assert account_audit_event(AccountEvent("locked", T0, "x")).action is AuditAction.SESSION_LOCKED


def test_playback_needs_a_reason_and_details_refuse_secrets(sink: tuple[AuditSink, Collected]) -> None:
    audit, collected = sink
    with pytest.raises(ValidationError, match="reason"):
        audit.playback("alice", 3, reason=" ", start=T0, end=T0 + timedelta(minutes=5))
    with pytest.raises(ValidationError, match="secret"):
        audit.snapshot("alice", 3, password="x")
    audit.login_refused("mallory", "wrong password")
    (refused,) = collected.events
    assert refused.action is AuditAction.LOGIN_REFUSED and refused.details == {"reason": "wrong password"}
