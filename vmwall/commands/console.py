"""`vmwall console`: the operator's workstation (camera tree, live grid, keypad, extra screens)."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "console",
        help="the operator console: camera tree and live video grid",
        description="Start the operator console. Without options it comes back as it was left (windows,"
        " layouts, cameras). --layout/--cameras or --view start straight into a given grid, for"
        " crisis-room shortcuts and scripts.",
    )
    parser.add_argument("--layout", metavar="NAME", help="layout of the main grid (e.g. 2x2, 1+5, 4x4)")
    parser.add_argument(
        "--cameras",
        metavar="N,N,…",
        help="cameras of the main grid's tiles, in tile order (an empty entry leaves a tile empty)",
    )
    parser.add_argument("--view", metavar="NAME", help="open a saved view (yours, or a shared one)")
    parser.add_argument(
        "--user",
        metavar="LOGIN",
        help="named account signing in (default: $VMWALL_USER, else settings); with $VMWALL_PASSWORD"
        " set, no login dialog (scripts, the demo)",
    )
    parser.add_argument(
        "--lock-after",
        type=_minutes,
        default=10.0,
        metavar="MINUTES",
        help="lock the console after this long without keyboard or mouse input (default 10, 0.5..60)",
    )
    parser.add_argument("--language", choices=("fr", "en"), help="interface language (default: settings, fr)")
    parser.add_argument(
        "--settings",
        type=Path,
        metavar="FILE",
        help="settings file (default: console.json in the config dir)",
    )
    parser.add_argument("--hub", metavar="URL", help="stream hub address (default: $VMWALL_HUB_URL or local)")
    parser.add_argument(
        "--no-start-hub", action="store_true", help="do not start a local stream hub when none answers"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from vmwall.errors import UserFacingError

    if args.view and (args.layout or args.cameras):
        raise UserFacingError("--view cannot be combined with --layout or --cameras", exit_code=2)
    from vmwall.app import ConsoleArguments, parse_camera_list, run_console

    return run_console(
        ConsoleArguments(
            db_url=args.db,
            settings_path=args.settings,
            layout=args.layout,
            cameras=parse_camera_list(args.cameras) if args.cameras else None,
            view=args.view,
            user=args.user,
            language=args.language,
            hub_url=args.hub,
            start_hub=not args.no_start_hub,
            verbose=args.verbose,
            lock_after_s=args.lock_after * 60,
        )
    )


def _minutes(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of minutes") from None
    if not 0.5 <= value <= 60:
        raise argparse.ArgumentTypeError(f"{text} min is outside 0.5..60 min")
    return value
