"""What other parts do, as audit records (DOMAIN rule 6): PTZ actions and wall pushes. Qt-free.

``ptz``, ``wall`` and ``journal`` never import each other; the composition roots (``app.py``, the
``vmwall ptz`` and ``vmwall wall-controller`` commands) connect them through this module:

    service.add_listener(PtzAuditListener(journal.audit))            # every PTZ service
    WallController(..., on_push=WallPushRecorder(journal.audit, lambda: controller.epoch))

**PTZ, without flooding.** The PTZ service already reports a continuous move once when it starts
and once when it stops (not per ContinuousMove request, which go out up to 10 times a second), and
a focus once per start or change of direction. The listener adds what the service does not: a
Stop reported twice in a row for one camera (the pilot's, then the explicit Stop of the CLI) is
recorded once; a tour's automatic steps are not recorded (its start and its end are: a tour left
running all night is two records, not thousands).

**Wall pushes, exactly once.** Only the wall controller records pushes (consoles see them in their
mirror and never record them). Each push's record has an identifier derived from the controller's
epoch and the push itself, so recording a push again (the controller replays the tail of its push
log at start, in case it died before the record was durable) stores it once. Records go through the
journal writer: durable in the local queue at once, in the database when it answers.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import UTC, datetime

from vmwall.journal.audit import AuditSink
from vmwall.model.audit import AuditAction, AuditEvent, audit_event
from vmwall.model.wall import WallPush
from vmwall.ptz.api import PtzAction, PtzEvent, PtzListener

log = logging.getLogger(__name__)

TOUR_STEP_SUFFIX = "(tour)"  # vmwall.ptz.service marks a tour's automatic preset calls so


class PtzAuditListener(PtzListener):
    """Records a PTZ service's actions in the audit trail (called on the service's threads)."""

    def __init__(self, sink: AuditSink) -> None:
        self._sink = sink
        self._lock = threading.Lock()
        self._last: dict[int, PtzAction] = {}  # camera -> the last action recorded
        self.recorded = 0
        self.skipped = 0

    def ptz_event(self, event: PtzEvent) -> None:
        if not self._wanted(event):
            with self._lock:
                self.skipped += 1
            return
        try:
            self._sink.ptz(event)
        except Exception as error:  # the journal is closed (the console is ending): nothing to do
            log.warning("PTZ %s of camera %d not recorded: %s", event.action, event.camera, error)
            return
        with self._lock:
            self.recorded += 1

    def _wanted(self, event: PtzEvent) -> bool:
        action = PtzAction(event.action)
        if action is PtzAction.GOTO_PRESET and event.detail.endswith(TOUR_STEP_SUFFIX):
            return False
        with self._lock:
            previous = self._last.get(event.camera)
            if action is PtzAction.STOP and previous is PtzAction.STOP:
                return False  # already recorded as stopped: a second Stop adds nothing
            if action is not PtzAction.FOCUS:
                self._last[event.camera] = action
        return True


def wall_push_uid(push: WallPush, epoch: str) -> str:
    """The audit identifier of a push: the same push of the same controller run gives the same one."""
    content = json.dumps(
        [epoch, push.at, push.user, push.console, push.action, push.detail, push.sequence],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(content.encode()).hexdigest()[:32]


def wall_push_event(push: WallPush, epoch: str, workstation: str = "") -> AuditEvent:
    """The audit record of a push: who (the user, and the console as target), what, when."""
    event = audit_event(
        AuditAction.WALL_PUSH,
        push.user[:64],
        at=datetime.fromtimestamp(push.at, tz=UTC),
        target=push.console[:200],
        workstation=workstation[:64],
        change=push.action,
        detail=push.detail[:2000],
        sequence=push.sequence,
        epoch=epoch,
    )
    return replace(event, uid=wall_push_uid(push, epoch))


class WallPushRecorder:
    """The wall controller's push callback: each accepted push becomes one audit record.

    Called on the controller's thread once the push is in its push log; returns at once (the journal
    writer makes the record durable). Never raises: the wall goes on if the journal cannot record.
    """

    def __init__(self, sink: AuditSink, epoch: Callable[[], str], *, workstation: str = "") -> None:
        self._sink = sink
        self._epoch = epoch
        self._workstation = workstation
        self.recorded = 0

    def __call__(self, push: WallPush) -> None:
        self.record(push, self._epoch())

    def record(self, push: WallPush, epoch: str) -> None:
        try:
            self._sink.record(wall_push_event(push, epoch, self._workstation))
            self.recorded += 1
        except Exception as error:
            log.error("wall push %s by %s not recorded in the audit trail: %s", push.action, push.user, error)

    def replay(self, pushes: Iterable[tuple[WallPush, str]]) -> int:
        """Record pushes of the push log again (already recorded ones are stored once); how many."""
        count = 0
        for push, epoch in pushes:
            self.record(push, epoch)
            count += 1
        return count
