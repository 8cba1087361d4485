"""The `vmwall` command: parses arguments and starts one process kind. Nothing else lives here."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence

from vmwall import __version__
from vmwall.errors import UserFacingError

# Subcommand groups, each a module of vmwall.commands exposing register(subparsers).
_COMMAND_MODULES = (
    "doctor",
    "sim",
    "cameras",
    "db",
    "hub",
    "console",
    "wall_node",
    "users",
    "ptz",
    "wall_controller",
    "wall",
    "journal",
    "bookmarks",
    "audit",
)

Handler = Callable[[argparse.Namespace], int]


def _wanted_modules(argv: Sequence[str]) -> tuple[str, ...]:
    """Only the asked command's module when argv names one, so a command does not pay for every
    other command's imports (a wall node or a hub restarting must start fast); all for help."""
    expects_value = False
    for word in argv:
        if expects_value:
            expects_value = False
            continue
        if word == "--db":
            expects_value = True
            continue
        if word.startswith("-"):
            continue
        module = word.replace("-", "_")
        return (module,) if module in _COMMAND_MODULES else _COMMAND_MODULES
    return _COMMAND_MODULES


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="vmwall",
        description="vmwall: operator console for municipal CCTV supervision centres.",
    )
    parser.add_argument("--version", action="version", version=f"vmwall {__version__}")
    parser.add_argument(
        "--db",
        metavar="URL",
        help="database URL (default: $VMWALL_DB_URL, else a SQLite file in the user data directory)",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages on stderr")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in _COMMAND_MODULES if argv is None else _wanted_modules(argv):
        module = importlib.import_module(f"vmwall.commands.{name}")
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    words = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(words)
    args = parser.parse_args(words)
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 2
    from vmwall.commands import _auth  # who runs the command, and may they (one place for all)

    try:
        _auth.authorise_command(args)
        return handler(args)
    except UserFacingError as exc:
        print(f"vmwall: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    finally:
        _auth.finish(args)


if __name__ == "__main__":
    sys.exit(main())
