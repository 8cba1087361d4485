"""The audit trail's API for the rest of vmwall: `AuditSink` records, `AuditTrail` reads and checks.

Other parts never import this package (``ptz``, ``wall`` and ``journal`` are independent); the
composition root (``app.py``) connects their events to a sink::

    sink = journal_service.audit
    accounts.add_listener(...)            -> sink.login(login) / sink.logout(login, reason)
    tile started / stopped playing        -> token = sink.live_view_started(login, camera, stream="sub")
                                             sink.live_view_ended(token)
    snapshot saved                        -> sink.snapshot(login, camera, path=...)
    ptz service listener ptz_event(event) -> sink.ptz(event)          (any object shaped like PtzEvent)
    wall push log                         -> sink.wall_push(push)     (vmwall.model.wall.WallPush)

Every method returns at once (the GUI thread may call them) with a future of the `WriteOutcome`;
callers usually ignore it: records go through the journal writer (durable locally, then in the
database, in order, exactly once). A record is durable once its future resolves, a few milliseconds
after the call; a crash within those milliseconds loses it (wait on the future where that matters).
Details must never carry a secret: keys that look like one
("password", "token"...) are refused by `vmwall.model.audit.canonical_detail`.

Nothing here counts or ranks what an operator did: there is no per-operator view, by design.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from vmwall.journal.ops import RecordAudit
from vmwall.journal.writer import WriteOutcome
from vmwall.model.audit import (
    DEFAULT_RETENTION_DAYS,
    Anchor,
    AuditAction,
    AuditEvent,
    AuditRecord,
    DetailValue,
    VerifyReport,
    audit_event,
    looks_secret,
)
from vmwall.model.errors import ValidationError
from vmwall.model.journal import utc_now
from vmwall.model.wall import WallPush
from vmwall.store.repositories.audit import AuditFilter, AuditRepository, PurgeResult

log = logging.getLogger(__name__)

Submit = Callable[[RecordAudit], "Future[WriteOutcome]"]


class PtzEventLike(Protocol):
    """What the PTZ service reports (vmwall.ptz.api.PtzEvent), without importing it."""

    @property
    def at(self) -> datetime: ...
    @property
    def user(self) -> str: ...
    @property
    def camera(self) -> int: ...
    @property
    def action(self) -> str: ...
    @property
    def detail(self) -> str: ...


class AccountEventLike(Protocol):
    """What the account service reports (vmwall.accounts.AccountEvent), without importing it."""

    @property
    def kind(self) -> str: ...
    @property
    def at(self) -> datetime: ...
    @property
    def login(self) -> str: ...
    @property
    def actor(self) -> str | None: ...
    @property
    def workstation(self) -> str: ...
    @property
    def detail(self) -> str: ...
    @property
    def data(self) -> Mapping[str, str]: ...


# Account event kinds (vmwall.accounts.AccountEventKind values) -> audit actions.
_ACCOUNT_ACTIONS = {
    "login": AuditAction.LOGIN,
    "login-refused": AuditAction.LOGIN_REFUSED,
    "logout": AuditAction.LOGOUT,
    "locked": AuditAction.SESSION_LOCKED,
    "unlocked": AuditAction.SESSION_UNLOCKED,
    "rights-changed": AuditAction.RIGHT_CHANGE,
    "user-changed": AuditAction.RIGHT_CHANGE,
    "agrement-suspended": AuditAction.RIGHT_CHANGE,
    "user-created": AuditAction.USER_CHANGE,
    "password-changed": AuditAction.USER_CHANGE,
    "account-deactivated": AuditAction.USER_CHANGE,
    "account-reactivated": AuditAction.USER_CHANGE,
}


def account_audit_event(event: AccountEventLike, *, workstation: str = "") -> AuditEvent:
    """The audit record of an account event (login, logout, lock, user and right changes)."""
    kind = str(event.kind)
    action = _ACCOUNT_ACTIONS.get(kind, AuditAction.USER_CHANGE)
    detail: dict[str, DetailValue] = {"event": kind}
    if event.detail:
        detail["detail"] = event.detail[:1000]
    for key, value in sorted(event.data.items())[:20]:
        if not looks_secret(key):
            detail[f"data_{key}"[:40]] = str(value)[:500]
    return audit_event(
        action,
        (event.actor or event.login)[:64],
        at=event.at,
        target=event.login[:200],
        workstation=(event.workstation or workstation)[:64],
        extra=detail,
    )


@dataclass(frozen=True, slots=True)
class LiveViewToken:
    """Handed out by `AuditSink.live_view_started`; give it back to `live_view_ended`."""

    actor: str
    camera: int
    started_at: datetime
    uid: str  # the start record's uid, repeated in the end record


class AuditSink:
    def __init__(self, submit: Submit, *, workstation: str = "") -> None:
        self._submit = submit
        self._workstation = workstation
        self._lock = threading.Lock()

    def record(self, event: AuditEvent) -> Future[WriteOutcome]:
        """Record any event (its workstation filled in if empty)."""
        if not event.workstation and self._workstation:
            event = AuditEvent(
                action=event.action,
                actor=event.actor,
                at=event.at,
                camera=event.camera,
                target=event.target,
                detail=event.detail,
                workstation=self._workstation,
                uid=event.uid,
            )
        return self._submit(RecordAudit(event))

    def action(
        self,
        action: AuditAction,
        actor: str,
        *,
        at: datetime | None = None,
        camera: int | None = None,
        target: str = "",
        **detail: DetailValue,
    ) -> Future[WriteOutcome]:
        """Record ``action`` by ``actor`` with the keyword arguments as detail."""
        return self.emit(action, actor, at=at, camera=camera, target=target, detail=detail)

    def emit(
        self,
        action: AuditAction,
        actor: str,
        *,
        at: datetime | None = None,
        camera: int | None = None,
        target: str = "",
        detail: Mapping[str, DetailValue] | None = None,
    ) -> Future[WriteOutcome]:
        """Like `action`, with the detail as a mapping."""
        event = audit_event(
            action, actor, at=at, camera=camera, target=target, workstation=self._workstation, extra=detail
        )
        return self.record(event)

    # sessions (vmwall.accounts reports them; app.py forwards)

    def login(self, login: str, *, at: datetime | None = None, **detail: DetailValue) -> Future[WriteOutcome]:
        return self.emit(AuditAction.LOGIN, login, at=at, target=login, detail=detail)

    def login_refused(self, login: str, reason: str, *, at: datetime | None = None) -> Future[WriteOutcome]:
        """A refused login: the login typed (never the password) and the reason."""
        return self.action(AuditAction.LOGIN_REFUSED, login[:64], at=at, target=login[:200], reason=reason)

    def logout(
        self, login: str, reason: str = "logout", *, at: datetime | None = None
    ) -> Future[WriteOutcome]:
        """``reason``: "logout", "shift-handover", "inactivity", "closed", "agrement-suspended"..."""
        return self.action(AuditAction.LOGOUT, login, at=at, target=login, reason=reason)

    def session_locked(self, login: str, *, at: datetime | None = None) -> Future[WriteOutcome]:
        return self.action(AuditAction.SESSION_LOCKED, login, at=at, target=login)

    def session_unlocked(self, login: str, *, at: datetime | None = None) -> Future[WriteOutcome]:
        return self.action(AuditAction.SESSION_UNLOCKED, login, at=at, target=login)

    # images

    def live_view_started(
        self,
        actor: str,
        camera: int,
        *,
        stream: str = "",
        tile: int | None = None,
        at: datetime | None = None,
    ) -> LiveViewToken:
        moment = at or utc_now()
        event = audit_event(
            AuditAction.LIVE_VIEW_START,
            actor,
            at=moment,
            camera=camera,
            workstation=self._workstation,
            stream=stream,
            tile=tile,
        )
        self.record(event)
        return LiveViewToken(actor, camera, moment, event.uid)

    def live_view_ended(self, token: LiveViewToken, *, at: datetime | None = None) -> Future[WriteOutcome]:
        """The end of a live view: camera, start, end and duration in one record."""
        moment = at or utc_now()
        return self.action(
            AuditAction.LIVE_VIEW_END,
            token.actor,
            at=moment,
            camera=token.camera,
            target=token.uid,
            started=token.started_at.isoformat(),
            duration_s=round(max(0.0, (moment - token.started_at).total_seconds()), 3),
        )

    def snapshot(
        self, actor: str, camera: int, *, at: datetime | None = None, **detail: DetailValue
    ) -> Future[WriteOutcome]:
        return self.emit(AuditAction.SNAPSHOT, actor, at=at, camera=camera, detail=detail)

    def playback(
        self,
        actor: str,
        camera: int,
        *,
        reason: str,
        start: datetime,
        end: datetime,
        at: datetime | None = None,
    ) -> Future[WriteOutcome]:
        """Playback needs a stated reason (DOMAIN rule 5)."""
        if not reason.strip():
            raise ValidationError("playback needs a stated reason")
        return self.action(
            AuditAction.PLAYBACK,
            actor,
            at=at,
            camera=camera,
            reason=reason,
            start=start.isoformat(),
            end=end.isoformat(),
        )

    def export(
        self,
        actor: str,
        cameras: Sequence[int],
        *,
        reason: str,
        recipient: str,
        at: datetime | None = None,
        **detail: DetailValue,
    ) -> Future[WriteOutcome]:
        return self.emit(
            AuditAction.EXPORT,
            actor,
            at=at,
            camera=cameras[0] if cameras else None,
            detail={**detail, "cameras": list(cameras), "reason": reason, "recipient": recipient},
        )

    # other parts' events

    def ptz(self, event: PtzEventLike) -> Future[WriteOutcome]:
        """A PTZ action as the PTZ service reports it (move, preset, tour, lock taken...)."""
        return self.action(
            AuditAction.PTZ,
            event.user,
            at=event.at,
            camera=event.camera,
            move=event.action,
            detail=event.detail,
        )

    def wall_push(self, push: WallPush) -> Future[WriteOutcome]:
        """A change made to the video wall, as the wall controller logs it."""
        at = datetime.fromtimestamp(push.at, tz=UTC)
        return self.action(
            AuditAction.WALL_PUSH,
            push.user,
            at=at,
            target=push.console[:200],
            change=push.action,
            detail=push.detail,
            sequence=push.sequence,
        )

    def layout_changed(self, actor: str, *, layout: str, **detail: DetailValue) -> Future[WriteOutcome]:
        return self.emit(AuditAction.LAYOUT_CHANGE, actor, target=layout[:200], detail=detail)

    def user_changed(
        self, actor: str, login: str, change: str, **detail: DetailValue
    ) -> Future[WriteOutcome]:
        """An account created, suspended, reactivated, its password changed (never the password)."""
        return self.emit(AuditAction.USER_CHANGE, actor, target=login, detail={**detail, "change": change})

    def account_event(self, event: AccountEventLike) -> Future[WriteOutcome]:
        """An event of vmwall.accounts (pass this method as an AccountListener)."""
        return self.record(account_audit_event(event, workstation=self._workstation))

    def rights_changed(self, actor: str, login: str, **detail: DetailValue) -> Future[WriteOutcome]:
        """A role, a commune scope or an agrément changed."""
        return self.emit(AuditAction.RIGHT_CHANGE, actor, target=login, detail=detail)


def consultation_event(
    where: AuditFilter, *, consulted_by: str, results: int, workstation: str = ""
) -> AuditEvent:
    """The record of someone reading the trail: who, with which filters, how many records shown."""
    return audit_event(
        AuditAction.AUDIT_CONSULTED,
        consulted_by,
        camera=where.camera,
        target=where.actor or where.target or "",
        workstation=workstation,
        actions=sorted(where.actions),
        start=where.start.isoformat() if where.start else None,
        end=where.end.isoformat() if where.end else None,
        results=results,
    )


class AuditTrail:
    """Reading and checking the trail (a DPO's tools). Blocking: call off the GUI thread."""

    def __init__(self, repository: AuditRepository, sink: AuditSink) -> None:
        self._repository = repository
        self._sink = sink

    def verify(self, anchors: Sequence[Anchor] = ()) -> VerifyReport:
        return self._repository.verify(anchors)

    def records(self, where: AuditFilter, *, consulted_by: str | None = None) -> list[AuditRecord]:
        """Records matching ``where``, newest first. With ``consulted_by``, the consultation itself is
        recorded (who read the trail, with which filters)."""
        found = self._repository.records(where)
        if consulted_by is not None:
            self._sink.record(consultation_event(where, consulted_by=consulted_by, results=len(found)))
        return found

    def purge(
        self, *, actor: str, retention_days: int = DEFAULT_RETENTION_DAYS, workstation: str = ""
    ) -> PurgeResult:
        """Remove records older than the retention; the purge records itself in the chain."""
        result = self._repository.purge(retention_days=retention_days, actor=actor, workstation=workstation)
        log.info(
            "audit purge by %s: %d records older than %s removed, first kept %d",
            actor,
            result.removed,
            result.cutoff.isoformat(),
            result.first_kept_seq,
        )
        return result
