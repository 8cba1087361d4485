"""`vmwall journal`: the main courante from the command line (add, list, show, export, report, stats).

The signed-in user (``vmwall.commands._auth``) is the operator; a user with a commune scope sees and
writes only the entries of their communes. Writes go through the journal writer like the console's:
durable in the database before "saved" is printed, or queued in the local queue (with a warning)
when the database stops answering midway.
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from vmwall.commands._auth import cli_workstation
from vmwall.errors import UserFacingError
from vmwall.model.journal import (
    EntryStatus,
    FollowUp,
    FollowUpKind,
    JournalEntry,
    JournalQuery,
    PageCursor,
    category_code_from,
    entry_to_dict,
    new_entry,
)

if TYPE_CHECKING:
    from concurrent.futures import Future

    from vmwall.journal.service import JournalService
    from vmwall.journal.writer import WriteOutcome
    from vmwall.store import Database

_WAIT_S = 60.0
_EXIT_NOT_FOUND = 3


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "journal",
        help="the main courante: add, list, show, export entries; shift report; statistics",
        description="The main courante (operators' journal). Times: now, now-30m, now-2h, now-1d,"
        " 2025-03-01, 2025-03-01T22:15 (local time unless an offset is given).",
    )
    actions = parser.add_subparsers(dest="journal_action", metavar="ACTION", required=True)

    add = actions.add_parser("add", help="write an entry (its time is now unless --at)")
    add.add_argument(
        "--category", required=True, help="code or label of the category (see `journal categories`)"
    )
    add.add_argument("--text", required=True, help="what happened")
    add.add_argument("--commune", metavar="NAME", help="the commune (default: your only commune, if one)")
    add.add_argument(
        "--camera", type=_camera_list, action="append", default=[], metavar="N[,N...]", help="camera(s)"
    )
    add.add_argument("--place", default="", help="where (street, number, landmark)")
    add.add_argument("--at", metavar="TIME", help="when it happened (default: now)")
    add.add_argument(
        "--police",
        choices=[k.value for k in FollowUpKind],
        action="append",
        default=[],
        help="a follow-up at the entry's time (police-requested, police-on-site, police-gone)",
    )
    add.add_argument("--closed", action="store_true", help="write it closed (default: open)")
    add.add_argument("--json", action="store_true", help="print the stored entry as JSON")
    add.set_defaults(handler=plain_errors(_add))

    lst = actions.add_parser("list", help="search entries, newest first")
    _add_filters(lst)
    lst.add_argument("--limit", type=_page_size, default=50, help="entries per page (default 50)")
    lst.add_argument("--after", metavar="CURSOR", help="the next page (the cursor a previous list printed)")
    lst.add_argument("--count", action="store_true", help="also count the matches (up to 10,000)")
    lst.add_argument("--json", action="store_true", help="print JSON")
    lst.set_defaults(handler=plain_errors(_list))

    show = actions.add_parser("show", help="one entry, with its history of edits")
    show.add_argument("uid")
    show.add_argument("--json", action="store_true")
    show.set_defaults(handler=plain_errors(_show))

    follow = actions.add_parser("follow-up", help="record police requested / on site / gone on an entry")
    follow.add_argument("uid")
    follow.add_argument("kind", choices=[k.value for k in FollowUpKind])
    follow.add_argument("--at", metavar="TIME", help="when (default: now)")
    follow.add_argument("--note", default="")
    follow.set_defaults(handler=plain_errors(_follow_up))

    close = actions.add_parser("close", help="close an entry")
    close.add_argument("uid")
    close.add_argument("--reopen", action="store_true", help="open it again instead")
    close.set_defaults(handler=plain_errors(_close))

    export = actions.add_parser("export", help="export entries as CSV, JSON or printable HTML")
    _add_filters(export)
    export.add_argument("--format", choices=("csv", "json", "html"), default="csv")
    export.add_argument("--output", "-o", type=Path, metavar="FILE", help="write to FILE (default: stdout)")
    export.set_defaults(handler=plain_errors(_export))

    report = actions.add_parser("report", help="the printable HTML report of a shift")
    report.add_argument("--from", dest="start", required=True, metavar="TIME")
    report.add_argument("--to", dest="end", default="now", metavar="TIME")
    report.add_argument("--centre", default="", help="the centre's name for the heading")
    report.add_argument("--output", "-o", type=Path, metavar="FILE", help="write to FILE (default: stdout)")
    report.set_defaults(handler=plain_errors(_report))

    stats = actions.add_parser("stats", help="entries of a month per category and per hour of day")
    stats.add_argument("--month", required=True, metavar="YYYY-MM")
    stats.add_argument("--commune", metavar="NAME", help="one commune (default: every commune you see)")
    stats.add_argument("--json", action="store_true")
    stats.set_defaults(handler=plain_errors(_stats))

    categories = actions.add_parser("categories", help="the typology (categories of entries)")
    categories.add_argument("--all", action="store_true", help="include deactivated categories")
    categories.set_defaults(handler=plain_errors(_categories))

    category = actions.add_parser("category", help="add or change a category of the typology")
    category.add_argument("code", help="stable code: lower-case letters, digits, '-' (e.g. rodeo)")
    category.add_argument("label", help="the label people read (e.g. 'Rodéo urbain')")
    category.add_argument("--position", type=int, help="order in lists (default: last, or unchanged)")
    category.add_argument("--inactive", action="store_true", help="deactivate it (kept for old entries)")
    category.set_defaults(handler=plain_errors(_category))


def _add_filters(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--from", dest="start", metavar="TIME", help="entries at or after TIME")
    parser.add_argument("--to", dest="end", metavar="TIME", help="entries before TIME")
    parser.add_argument("--commune", action="append", default=[], metavar="NAME", help="commune (repeatable)")
    parser.add_argument(
        "--category", action="append", default=[], metavar="CODE", help="category (repeatable)"
    )
    parser.add_argument("--camera", type=positive_int, metavar="N")
    parser.add_argument("--text", default="", help="words that must all appear (case and accents ignored)")
    parser.add_argument("--status", choices=[s.value for s in EntryStatus])
    parser.add_argument("--operator", metavar="LOGIN")


# --- argument types ----------------------------------------------------------------------------


def _camera_list(text: str) -> list[int]:
    return [positive_int(part) for part in text.split(",") if part.strip()]


def _page_size(text: str) -> int:
    value = positive_int(text)
    if value > 1000:
        raise argparse.ArgumentTypeError("at most 1000 entries per page")
    return value


# --- shared with `vmwall bookmarks` and `vmwall audit` ------------------------------------------


def positive_int(text: str) -> int:
    """An argparse type: a whole number from 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is not positive")
    return value


def plain_errors(handler: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """A handler whose invalid values (vmwall.model.ValidationError) end as a plain message, exit 1."""

    @functools.wraps(handler)
    def run(args: argparse.Namespace) -> int:
        from vmwall.model.errors import ValidationError

        try:
            return handler(args)
        except ValidationError as error:
            raise UserFacingError(str(error)) from None

    return run


def acting_user(args: argparse.Namespace) -> tuple[str, frozenset[int]]:
    """(login, commune scope) of the signed-in user; an empty scope means every commune."""
    from vmwall.commands import _auth

    session = _auth.session_of(args)
    if session is None:
        raise UserFacingError(
            "this command needs a signed-in user (VMWALL_USER / VMWALL_PASSWORD)", exit_code=77
        )
    return session.login, session.communes


@contextmanager
def journal_service(args: argparse.Namespace) -> Iterator[JournalService]:
    """An open database and a started JournalService for the command (closed afterwards)."""

    from vmwall.journal.service import JournalService
    from vmwall.store import open_database

    with open_database(args.db) as database:
        service = JournalService(database, workstation=cli_workstation())
        service.start()
        try:
            yield service
        finally:
            service.close()


def wait_saved(future: Future[WriteOutcome], what: str) -> object:
    """Wait for a write; the stored value (None when it was queued locally: a warning says so)."""
    from concurrent.futures import TimeoutError as FutureTimeout

    try:
        outcome = future.result(timeout=_WAIT_S)
    except FutureTimeout:
        raise UserFacingError(f"{what}: no answer within {_WAIT_S:.0f} s (it stays queued locally)") from None
    if not outcome.saved:
        print(
            f"vmwall: warning: the database did not answer; {what} is saved locally and will be written"
            " when it answers (by the console or the next vmwall journal command)",
            file=sys.stderr,
        )
    return outcome.value


def check_cameras(database: Database, numbers: list[int], scope: frozenset[int]) -> None:
    """Each camera is in the catalogue and, for a user with a commune scope, within it."""
    from vmwall.store import CameraRepository

    catalogue = CameraRepository(database)
    for number in numbers:
        camera = catalogue.get_by_number(number)
        if camera is None:
            raise UserFacingError(f"camera {number} is not in the catalogue")
        if scope and camera.commune_id not in scope:
            raise UserFacingError(f"camera {number} is outside your scope", exit_code=77)


def parse_when(text: str | None) -> datetime | None:
    from vmwall.journal.timeparse import parse_time

    return None if text is None else parse_time(text)


def _commune_ids(database: Database, names: list[str], scope: frozenset[int]) -> frozenset[int] | None:
    """The communes to search: the named ones (within the scope), else the scope, else all (None)."""
    from vmwall.store import CommuneRepository

    communes = CommuneRepository(database)
    wanted = set()
    for name in names:
        commune = communes.get_by_name(name)
        if commune is None or commune.id is None:
            raise UserFacingError(f"no commune named {name!r}")
        if scope and commune.id not in scope:
            raise UserFacingError(f"commune {name!r} is outside your scope", exit_code=77)
        wanted.add(commune.id)
    if wanted:
        return frozenset(wanted)
    return scope or None


def _query(
    args: argparse.Namespace, service: JournalService, scope: frozenset[int], *, limit: int = 50
) -> JournalQuery:
    categories = service.categories(include_inactive=True)
    after = _cursor(args.after) if getattr(args, "after", None) else None
    return JournalQuery(
        start=parse_when(args.start),
        end=parse_when(args.end),
        communes=_commune_ids(service.database, args.commune, scope),
        categories=frozenset(category_code_from(c, categories) for c in args.category),
        camera=args.camera,
        text=args.text,
        status=EntryStatus(args.status) if args.status else None,
        operator=args.operator,
        limit=limit,
        after=after,
    )


def _cursor(text: str) -> PageCursor:
    at, sep, entry_id = text.rpartition("/")
    try:
        if not sep:
            raise ValueError
        return PageCursor(datetime.fromisoformat(at).astimezone(UTC), int(entry_id))
    except ValueError:
        raise UserFacingError(f"{text!r} is not a cursor printed by `vmwall journal list`") from None


def _format_cursor(cursor: PageCursor) -> str:
    return f"{cursor.at.isoformat()}/{cursor.id}"


# --- handlers ----------------------------------------------------------------------------------


def _add(args: argparse.Namespace) -> int:
    from vmwall.store import CommuneRepository

    login, scope = acting_user(args)
    cameras = [number for group in args.camera for number in group]
    with journal_service(args) as service:
        database = service.database
        commune_id = None
        if args.commune:
            commune = CommuneRepository(database).get_by_name(args.commune)
            if commune is None:
                raise UserFacingError(f"no commune named {args.commune!r}")
            commune_id = commune.id
        elif len(scope) == 1:
            commune_id = next(iter(scope))
        if scope and commune_id not in scope:
            raise UserFacingError(
                "you may only write entries of the communes of your scope (--commune)", exit_code=77
            )
        check_cameras(database, cameras, scope)
        at = parse_when(args.at) or datetime.now(UTC)
        entry = new_entry(
            login,
            category_code_from(args.category, service.categories(include_inactive=False)),
            args.text,
            commune_id=commune_id,
            place=args.place,
            cameras=cameras,
            follow_ups=tuple(FollowUp(FollowUpKind(kind), at) for kind in args.police),
            status=EntryStatus.CLOSED if args.closed else EntryStatus.OPEN,
            at=at,
            workstation=service.workstation,
        )
        stored = wait_saved(service.add_entry(entry), f"entry {entry.uid}")
    shown = stored if isinstance(stored, JournalEntry) else entry
    if args.json:
        print(json.dumps(entry_to_dict(shown), ensure_ascii=False, indent=2))
    else:
        print(
            f"saved entry {shown.uid} ({shown.category}, {shown.at.astimezone().strftime('%d/%m/%Y %H:%M')})"
        )
    return 0


def _line(entry: JournalEntry, communes: dict[int, str]) -> str:
    when = entry.at.astimezone().strftime("%d/%m/%Y %H:%M")
    commune = communes.get(entry.commune_id, "-") if entry.commune_id else "-"
    cameras = ",".join(str(c) for c in entry.cameras) or "-"
    text = " ".join(entry.text.split())
    if len(text) > 80:
        text = text[:79] + "…"
    edited = f" (rév. {entry.revision})" if entry.revision > 1 else ""
    return (
        f"{when}  {entry.uid[:8]}  {commune:<14.14} {entry.category:<20.20} cam {cameras:<8}"
        f" {entry.status.value:<6} {entry.operator:<12.12} {text}{edited}"
    )


def _list(args: argparse.Namespace) -> int:

    _, scope = acting_user(args)
    with journal_service(args) as service:
        query = _query(args, service, scope, limit=args.limit)
        page = service.search(query)
        total = service.count(query) if args.count else None
        names = service.report_context().communes
    if args.json:
        out: dict[str, object] = {
            "entries": [entry_to_dict(e) for e in page.entries],
            "next": _format_cursor(page.next) if page.next else None,
        }
        if total is not None:
            out["count"] = total
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return 0
    if not page.entries:
        print("no entries")
    for entry in page.entries:
        print(_line(entry, dict(names)))
    if total is not None:
        print(f"{'more than 10000' if total > 10_000 else total} matching entries")
    if page.next:
        print(f"more: --after {_format_cursor(page.next)}")
    return 0


def _show(args: argparse.Namespace) -> int:

    _, scope = acting_user(args)
    with journal_service(args) as service:
        entry = service.get_entry(args.uid)
        if entry is None or (scope and entry.commune_id not in scope):
            print(f"vmwall: no entry {args.uid}", file=sys.stderr)
            return _EXIT_NOT_FOUND
        history = service.history(args.uid)
    if args.json:
        data = entry_to_dict(entry)
        data["history"] = [
            {
                **entry_to_dict(r.entry),
                "replaced_at": r.replaced_at.isoformat(),
                "replaced_by": r.replaced_by,
                "changed": list(r.changed),
            }
            for r in history
        ]
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return 0
    for key, value in entry_to_dict(entry).items():
        print(f"{key:<12} {value if value not in (None, '', []) else '-'}")
    for revision in history:
        print(
            f"revision {revision.entry.revision} replaced"
            f" {revision.replaced_at.astimezone().strftime('%d/%m/%Y %H:%M:%S')}"
            f" by {revision.replaced_by}: {', '.join(revision.changed)}"
        )
    return 0


def _follow_up(args: argparse.Namespace) -> int:

    login, scope = acting_user(args)
    with journal_service(args) as service:
        _check_in_scope(service, args.uid, scope)
        follow_up = FollowUp(
            FollowUpKind(args.kind), parse_when(args.at) or datetime.now(UTC), args.note, login
        )
        wait_saved(service.add_follow_up(args.uid, follow_up, login), f"the follow-up of {args.uid}")
    print(f"{args.kind} recorded on entry {args.uid}")
    return 0


def _close(args: argparse.Namespace) -> int:

    login, scope = acting_user(args)
    status = EntryStatus.OPEN if args.reopen else EntryStatus.CLOSED
    with journal_service(args) as service:
        _check_in_scope(service, args.uid, scope)
        wait_saved(service.set_status(args.uid, status, login), f"the status of {args.uid}")
    print(f"entry {args.uid} {'reopened' if args.reopen else 'closed'}")
    return 0


def _check_in_scope(service: JournalService, uid: str, scope: frozenset[int]) -> None:
    entry = service.get_entry(uid)
    if entry is None or (scope and entry.commune_id not in scope):
        raise UserFacingError(f"no entry {uid}", exit_code=_EXIT_NOT_FOUND)


@contextmanager
def _output(path: Path | None) -> Iterator[TextIO]:
    if path is None:
        yield sys.stdout
        return
    try:
        handle = path.open("w", encoding="utf-8", newline="")
    except OSError as error:
        raise UserFacingError(f"cannot write {path}: {error.strerror}") from None
    with handle:
        yield handle


def _export(args: argparse.Namespace) -> int:
    from vmwall.journal.export import ExportFormat, write_export

    _, scope = acting_user(args)
    with journal_service(args) as service:
        query = _query(args, service, scope, limit=500)
        with _output(args.output) as out:
            count = write_export(
                ExportFormat(args.format), service.iter_entries(query), out, service.report_context()
            )
    if args.output is not None:
        print(f"exported {count} entries to {args.output}", file=sys.stderr)
    return 0


def _report(args: argparse.Namespace) -> int:

    login, scope = acting_user(args)
    start, end = parse_when(args.start), parse_when(args.end)
    assert start is not None and end is not None
    if end <= start:
        raise UserFacingError("the shift ends before it starts")
    if end - start > timedelta(days=31):
        raise UserFacingError("a shift report covers at most 31 days")
    with journal_service(args) as service:
        html = service.shift_report(start, end, printed_by=login, communes=scope or None, centre=args.centre)
    with _output(args.output) as out:
        out.write(html)
    if args.output is not None:
        print(f"shift report written to {args.output}", file=sys.stderr)
    return 0


def _stats(args: argparse.Namespace) -> int:
    from vmwall.journal.timeparse import parse_month

    _, scope = acting_user(args)
    year, month = parse_month(args.month)
    with journal_service(args) as service:
        communes = _commune_ids(service.database, [args.commune] if args.commune else [], scope)
        targets: list[int | None] = [*sorted(communes)] if communes is not None else [None]
        results = [service.monthly_stats(commune_id=c, year=year, month=month) for c in targets]
        names = service.report_context().communes
        labels = service.report_context().categories
    if args.json:
        print(
            json.dumps(
                [
                    {
                        "commune": names.get(r.commune_id) if r.commune_id else None,
                        "month": f"{year}-{month:02d}",
                        "total": r.total,
                        "by_category": dict(r.by_category),
                        "by_hour": list(r.by_hour),
                    }
                    for r in results
                ],
                ensure_ascii=False,
                indent=2,
            )
        )
        return 0
    for result in results:
        title = names.get(result.commune_id, "?") if result.commune_id else "toutes communes"
        print(f"{title} — {year}-{month:02d}: {result.total} entries")
        for code, count in result.by_category:
            print(f"  {labels.get(code, code):<32} {count}")
        print("  by hour: " + " ".join(f"{h:02d}h:{n}" for h, n in enumerate(result.by_hour)))
    return 0


def _categories(args: argparse.Namespace) -> int:

    acting_user(args)
    with journal_service(args) as service:
        categories = service.categories(include_inactive=args.all)
    for category in categories:
        print(f"{category.code:<24} {category.label}{'' if category.active else '  (inactive)'}")
    return 0


def _category(args: argparse.Namespace) -> int:
    from vmwall.model.journal import Category

    login, _ = acting_user(args)
    with journal_service(args) as service:
        existing = {c.code: c for c in service.categories(include_inactive=True)}
        position = args.position
        if position is None:
            position = existing[args.code].position if args.code in existing else len(existing)
        stored = service.save_category(Category(args.code, args.label, not args.inactive, position), login)
    print(f"category {stored.code} ({stored.label}){'' if stored.active else ' deactivated'}")
    return 0
