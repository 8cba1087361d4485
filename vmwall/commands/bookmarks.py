"""`vmwall bookmarks`: incident bookmarks on cameras (add, end, list).

A bookmark starts 30 s before "now" by default (the pre-roll: what led to the keystroke); its end is
given at once (``--end``) or set later (``vmwall bookmarks end UID``).
"""

from __future__ import annotations

import argparse
import json
from dataclasses import replace
from datetime import UTC, datetime

from vmwall.errors import UserFacingError
from vmwall.model.journal import DEFAULT_PRE_ROLL_S, Bookmark, BookmarkQuery, bookmark_to_dict, new_bookmark


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from vmwall.commands.journal import plain_errors, positive_int

    parser = subparsers.add_parser(
        "bookmarks",
        help="incident bookmarks on cameras: add, end, list",
        description="Bookmarks mark a span of video on one or more cameras for later review.",
    )
    actions = parser.add_subparsers(dest="bookmarks_action", metavar="ACTION", required=True)

    add = actions.add_parser(
        "add", help=f"bookmark cameras from now minus {DEFAULT_PRE_ROLL_S:g} s (pre-roll)"
    )
    add.add_argument(
        "--camera", type=positive_int, action="append", required=True, metavar="N", help="repeatable"
    )
    add.add_argument("--title", required=True)
    add.add_argument("--tag", action="append", default=[], help="repeatable")
    add.add_argument("--at", metavar="TIME", help="the moment marked (default: now)")
    add.add_argument(
        "--pre-roll",
        type=float,
        default=DEFAULT_PRE_ROLL_S,
        metavar="S",
        help="seconds before --at (default 30)",
    )
    add.add_argument("--end", metavar="TIME", help="the end of the span (default: open, set later)")
    add.add_argument("--entry", metavar="UID", help="the journal entry it illustrates")
    add.add_argument("--json", action="store_true")
    add.set_defaults(handler=plain_errors(_add))

    end = actions.add_parser("end", help="set the end of a bookmark (default: now)")
    end.add_argument("uid")
    end.add_argument("--at", metavar="TIME", default="now")
    end.set_defaults(handler=plain_errors(_end))

    lst = actions.add_parser("list", help="bookmarks, newest first")
    lst.add_argument("--camera", type=positive_int, metavar="N")
    lst.add_argument("--from", dest="start", metavar="TIME", help="spans still running at or after TIME")
    lst.add_argument("--to", dest="end", metavar="TIME", help="spans started before TIME")
    lst.add_argument("--text", default="", help="words of the title or tags")
    lst.add_argument("--tag")
    lst.add_argument("--entry", metavar="UID", help="bookmarks of one journal entry")
    lst.add_argument("--limit", type=positive_int, default=50)
    lst.add_argument("--json", action="store_true")
    lst.set_defaults(handler=plain_errors(_list))


def _add(args: argparse.Namespace) -> int:
    from vmwall.commands.journal import acting_user, check_cameras, journal_service, parse_when, wait_saved

    login, scope = acting_user(args)
    cameras = list(dict.fromkeys(args.camera))
    with journal_service(args) as service:
        check_cameras(service.database, cameras, scope)
        bookmark = new_bookmark(
            cameras,
            login,
            args.title,
            at=parse_when(args.at),
            pre_roll_s=args.pre_roll,
            end=parse_when(args.end),
            tags=args.tag,
            entry_uid=args.entry,
            workstation=service.workstation,
        )
        stored = wait_saved(service.add_bookmark(bookmark), f"bookmark {bookmark.uid}")
    shown = stored if isinstance(stored, Bookmark) else bookmark
    if args.json:
        print(json.dumps(bookmark_to_dict(shown), ensure_ascii=False, indent=2))
    else:
        print(f"saved bookmark {shown.uid} from {shown.start.astimezone().strftime('%d/%m/%Y %H:%M:%S')}")
    return 0


def _end(args: argparse.Namespace) -> int:
    from vmwall.commands.journal import acting_user, check_cameras, journal_service, parse_when, wait_saved

    login, scope = acting_user(args)
    with journal_service(args) as service:
        bookmark = service.bookmark(args.uid)
        if bookmark is None:
            raise UserFacingError(f"no bookmark {args.uid}", exit_code=3)
        check_cameras(service.database, list(bookmark.cameras), scope)
        end = parse_when(args.at) or datetime.now(UTC)
        if end < bookmark.start:
            raise UserFacingError("the end is before the start of the bookmark")
        wait_saved(service.edit_bookmark(replace(bookmark, end=end), login), f"bookmark {args.uid}")
    print(f"bookmark {args.uid} ends {end.astimezone().strftime('%d/%m/%Y %H:%M:%S')}")
    return 0


def _list(args: argparse.Namespace) -> int:
    from vmwall.commands.journal import acting_user, journal_service, parse_when

    _, scope = acting_user(args)
    if args.limit > 1000:
        raise UserFacingError("--limit is at most 1000")
    query = BookmarkQuery(
        camera=args.camera,
        start=parse_when(args.start),
        end=parse_when(args.end),
        text=args.text,
        tag=args.tag,
        entry_uid=args.entry,
        limit=args.limit,
    )
    with journal_service(args) as service:
        found = service.bookmarks(query)
        if scope:
            allowed = service.cameras_of(scope)
            found = [b for b in found if set(b.cameras) <= allowed]
    if args.json:
        print(json.dumps([bookmark_to_dict(b) for b in found], ensure_ascii=False, indent=2))
        return 0
    if not found:
        print("no bookmarks")
    for b in found:
        end = b.end.astimezone().strftime("%H:%M:%S") if b.end else "…"
        cameras = ",".join(str(c) for c in b.cameras)
        tags = f" [{', '.join(b.tags)}]" if b.tags else ""
        print(
            f"{b.start.astimezone().strftime('%d/%m/%Y %H:%M:%S')}-{end}  {b.uid[:8]}  cam {cameras:<8}"
            f" {b.title}{tags}  ({b.created_by})"
        )
    return 0
