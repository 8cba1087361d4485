"""`vmwall audit`: check the audit trail's chain, consult it, purge what is past retention.

``verify`` exits 0 when every record is intact, 1 when a record was altered, inserted or deleted
behind the application's back (it names the first broken one). It prints the trail's head
(``SEQ:HASH``): keep it somewhere else (the shift report carries it too) and pass it back later with
``--anchor`` to prove the trail up to there was not rewritten since.

This module also records the sign-ins and sign-outs of CLI commands in the trail (the account
service's events, registered with ``vmwall.commands._auth``).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from typing import TYPE_CHECKING

from vmwall.commands._auth import cli_workstation
from vmwall.errors import UserFacingError
from vmwall.model.audit import DEFAULT_RETENTION_DAYS, MIN_RETENTION_DAYS, Anchor, AuditAction, AuditRecord

if TYPE_CHECKING:
    from collections.abc import Callable

    from vmwall.accounts import AccountEvent
    from vmwall.store import Database

log = logging.getLogger(__name__)

EXIT_BROKEN = 1
_registered = False


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from vmwall.commands.journal import plain_errors

    _record_cli_sessions()
    parser = subparsers.add_parser(
        "audit",
        help="the audit trail: verify its chain, list records, purge past retention",
        description="The tamper-evident audit trail (who viewed, moved, pushed, changed what, when).",
    )
    actions = parser.add_subparsers(dest="audit_action", metavar="ACTION", required=True)

    verify = actions.add_parser(
        "verify",
        help="check every record; exit status 1 and the first broken record if the trail was tampered with",
    )
    verify.add_argument(
        "--anchor",
        type=_anchor,
        action="append",
        default=[],
        metavar="SEQ:HASH",
        help="a head printed earlier (by verify or a shift report): check the trail still passes there",
    )
    verify.add_argument("--json", action="store_true")
    verify.set_defaults(handler=plain_errors(_verify))

    lst = actions.add_parser("list", help="records, newest first (the consultation is itself recorded)")
    lst.add_argument("--from", dest="start", metavar="TIME")
    lst.add_argument("--to", dest="end", metavar="TIME")
    lst.add_argument(
        "--action", action="append", default=[], choices=[a.value for a in AuditAction], metavar="ACTION"
    )
    lst.add_argument(
        "--actor", metavar="LOGIN", help="records of one account (e.g. answering a CNIL request)"
    )
    lst.add_argument("--camera", type=int, metavar="N")
    lst.add_argument("--target", help="what was acted on (a login, an entry uid...)")
    lst.add_argument("--before", type=int, metavar="SEQ", help="records before this sequence number (paging)")
    lst.add_argument("--limit", type=int, default=100, help="at most this many (default 100, max 10000)")
    lst.add_argument("--json", action="store_true")
    lst.set_defaults(handler=plain_errors(_list))

    purge = actions.add_parser(
        "purge",
        help=f"delete records older than the retention (default {DEFAULT_RETENTION_DAYS} days), keeping the"
        " chain verifiable; the purge is recorded",
    )
    purge.add_argument(
        "--retention-days",
        type=int,
        default=DEFAULT_RETENTION_DAYS,
        help=f"keep this many days (default {DEFAULT_RETENTION_DAYS}, at least {MIN_RETENTION_DAYS})",
    )
    purge.add_argument("--yes", action="store_true", help="confirm: the records removed are gone for good")
    purge.set_defaults(handler=plain_errors(_purge))


def _anchor(text: str) -> Anchor:
    from vmwall.model.errors import ValidationError

    try:
        return Anchor.parse(text)
    except ValidationError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


# --- CLI sessions in the trail -------------------------------------------------------------------


def _record_cli_sessions() -> None:
    """Every CLI session's account events (sign-in, refusal, sign-out, user changes) go to the trail."""
    global _registered
    if _registered:
        return
    _registered = True
    from vmwall.commands import _auth

    _auth.add_listener_factory(_account_listener)


def _account_listener(database: Database) -> Callable[[AccountEvent], None]:

    from vmwall.journal.audit import account_audit_event
    from vmwall.store import AuditRepository

    repository = AuditRepository(database)
    workstation = cli_workstation()

    def record(event: AccountEvent) -> None:
        try:
            repository.append([account_audit_event(event, workstation=workstation)])
        except Exception as error:  # a sign-in must not fail because its record could not be written
            log.error("could not record %s of %s in the audit trail: %s", event.kind, event.login, error)

    return record


# --- handlers ------------------------------------------------------------------------------------


def _record_json(record: AuditRecord) -> dict[str, object]:
    e = record.event
    return {
        "seq": record.seq,
        "at": e.at.isoformat(),
        "recorded_at": record.recorded_at.isoformat(),
        "actor": e.actor,
        "action": str(e.action),
        "camera": e.camera,
        "target": e.target,
        "detail": e.details,
        "workstation": e.workstation,
        "uid": e.uid,
        "prev_hash": record.prev_hash,
        "row_hash": record.row_hash,
    }


def _verify(args: argparse.Namespace) -> int:
    import time

    from vmwall.store import AuditRepository, open_database

    with open_database(args.db) as database:
        started = time.perf_counter()
        report = AuditRepository(database).verify(args.anchor)
        elapsed = time.perf_counter() - started
    if args.json:
        print(
            json.dumps(
                {
                    "ok": report.ok,
                    "records": report.records,
                    "first_seq": report.first_seq,
                    "last_seq": report.last_seq,
                    "head": str(report.head) if report.head else None,
                    "broken_seq": report.broken.seq if report.broken else None,
                    "reason": report.broken.reason if report.broken else None,
                    "seconds": round(elapsed, 3),
                },
                indent=2,
            )
        )
    elif report.broken is not None:
        print(f"BROKEN: {report.broken}", file=sys.stderr)
        print(f"checked {report.records} records before it", file=sys.stderr)
    else:
        span = f"{report.first_seq}..{report.last_seq}" if report.records else "empty"
        print(f"audit trail intact: {report.records} records ({span}), checked in {elapsed:.1f} s")
        if report.head:
            print(f"head: {report.head}")
    return 0 if report.ok else EXIT_BROKEN


def _list(args: argparse.Namespace) -> int:

    from vmwall.commands.journal import acting_user, parse_when
    from vmwall.journal.audit import consultation_event
    from vmwall.store import AuditRepository, open_database
    from vmwall.store.repositories.audit import AuditFilter

    login, _ = acting_user(args)
    if not 1 <= args.limit <= 10_000:
        raise UserFacingError("--limit is between 1 and 10000")
    where = AuditFilter(
        start=parse_when(args.start),
        end=parse_when(args.end),
        actions=frozenset(args.action),
        actor=args.actor,
        camera=args.camera,
        target=args.target,
        before_seq=args.before,
        limit=args.limit,
    )
    with open_database(args.db) as database:
        repository = AuditRepository(database)
        records = repository.records(where)
        # The consultation itself is recorded: who read the trail, with which filters.
        workstation = cli_workstation()
        repository.append(
            [consultation_event(where, consulted_by=login, results=len(records), workstation=workstation)]
        )
    if args.json:
        print(json.dumps([_record_json(r) for r in records], ensure_ascii=False, indent=2))
        return 0
    if not records:
        print("no records")
    for record in records:
        e = record.event
        camera = f"cam {e.camera}" if e.camera is not None else "-"
        print(
            f"{record.seq:>9}  {e.at.astimezone().strftime('%d/%m/%Y %H:%M:%S')}  {e.actor:<14.14}"
            f" {e.action!s:<18} {camera:<9} {e.target[:34]:<34} {e.detail}"
        )
    return 0


def _purge(args: argparse.Namespace) -> int:
    from vmwall.commands.journal import acting_user
    from vmwall.store import AuditRepository, open_database

    login, _ = acting_user(args)
    if not args.yes:
        raise UserFacingError(
            f"purging deletes the audit records older than {args.retention_days} days for good; add --yes",
            exit_code=2,
        )

    with open_database(args.db) as database:
        result = AuditRepository(database).purge(
            retention_days=args.retention_days, actor=login, workstation=cli_workstation()
        )
    print(
        f"removed {result.removed} audit records older than"
        f" {result.cutoff.astimezone().strftime('%d/%m/%Y %H:%M')};"
        f" the trail now starts at {result.first_kept_seq}"
    )
    return 0
