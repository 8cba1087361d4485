"""`vmwall doctor`: what this machine can do, with the fix for each gap (see `vmwall.doctor`)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TextIO

from vmwall import doctor
from vmwall.errors import UserFacingError


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "doctor",
        help="check what this machine can do (video, display, database, keyring...) and how to fix gaps",
        description="Check libVLC, FFmpeg, the display, Qt, GStreamer, the databases, the keyring, ZeroMQ "
        "and the joystick, in plain words, with the fix for each gap. Exit status 0 when everything "
        "vmwall needs is there (warnings allowed), 1 otherwise.",
    )
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument(
        "--only",
        action="append",
        metavar="CHECK",
        help="run only this check (repeatable): " + ", ".join(c.name for c in doctor.default_checks()),
    )
    # Internal: the child process of one probe (libVLC, Qt, GStreamer... are loaded there, not here).
    parser.add_argument("--probe", help=argparse.SUPPRESS)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if args.probe:
        return doctor.probe_main(args.probe)
    checks = _selected_checks(doctor.default_checks(args.db), args.only)
    report = doctor.run_checks(checks)
    if args.json:
        print(json.dumps(report.to_json(), indent=2))
    else:
        labels = {check.name: check.label for check in checks}
        print(
            doctor.format_report(report, labels, verbose=args.verbose, unicode=_can_print_symbols(sys.stdout))
        )
    return 0 if report.ok else 1


def _selected_checks(checks: list[doctor.Check], only: list[str] | None) -> list[doctor.Check]:
    if not only:
        return checks
    known = {check.name for check in checks}
    unknown = sorted(set(only) - known)
    if unknown:
        raise UserFacingError(
            f"unknown check {', '.join(unknown)}; the checks are {', '.join(sorted(known))}", 2
        )
    return [check for check in checks if check.name in only]


def _can_print_symbols(stream: TextIO) -> bool:
    try:
        "✓✗→".encode(stream.encoding or "ascii")
    except (LookupError, UnicodeEncodeError):
        return False
    return True
