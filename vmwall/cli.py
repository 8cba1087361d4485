"""The `vmwall` command: parses arguments and starts one process kind. Nothing else lives here."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence

from vmwall import __version__
from vmwall.errors import UserFacingError

# Subcommand groups, each a module of vmwall.commands exposing register(subparsers).
_COMMAND_MODULES = ("doctor", "sim", "cameras", "db", "hub", "console")

Handler = Callable[[argparse.Namespace], int]


def build_parser() -> argparse.ArgumentParser:
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
    for name in _COMMAND_MODULES:
        module = importlib.import_module(f"vmwall.commands.{name}")
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 2
    try:
        return handler(args)
    except UserFacingError as exc:
        print(f"vmwall: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
