"""Who runs a CLI command, and whether they may: the one place the CLI authenticates and checks rights.

``vmwall.cli.main`` calls ``authorise_command(args)`` before every handler, and ``finish(args)``
after it. Each command has a rule (``RULES``, ``ACTION_RULES``): a *service* command (sim, hub,
doctor, wall-node, wall-controller) runs without a user; the console signs in through its own login
dialog; every other command needs a signed-in user holding one of the listed rights.

The user comes from ``$VMWALL_USER`` and ``$VMWALL_PASSWORD`` (scripts), else from a prompt when a
terminal is attached. On a database without any account, only the bootstrap commands run without a
user: ``vmwall users add LOGIN --role administrateur --password-stdin`` (the first administrator)
and ``vmwall db`` (installers upgrade the schema before anyone exists).

Handlers read the signed-in user with ``session_of(args)`` (or ``acting_login(args)``); it is None
for service commands and for the bootstrap. Refusals exit with status 77 (EX_NOPERM).

Other parts add listeners to the account events of CLI sessions (the audit trail) with
``add_listener_factory(lambda database: callback)``.
"""

from __future__ import annotations

import argparse
import getpass
import logging
import os
import socket
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TextIO

from vmwall.accounts import (
    EXIT_NOT_ALLOWED,
    AccountListener,
    AccountService,
    PermissionDeniedError,
    Session,
    SessionEnd,
)
from vmwall.accounts.passwords import DEFAULT_PARAMS, ScryptParams
from vmwall.errors import UserFacingError
from vmwall.model.user import ROLE_LABELS, Permission

if TYPE_CHECKING:  # the store (SQLAlchemy) loads only for commands that sign in: service commands start fast
    from vmwall.store import Database

log = logging.getLogger(__name__)

ENV_USER = "VMWALL_USER"
ENV_PASSWORD = "VMWALL_PASSWORD"

_P = Permission


@dataclass(frozen=True, slots=True)
class Rule:
    """What a command needs. ``kind``: "service" (no user), "console" (its own login dialog),
    "user" (a signed-in user with one of ``any_of``; an empty set: any signed-in user)."""

    kind: str
    any_of: frozenset[Permission] = field(default_factory=frozenset)
    without_accounts: bool = False  # runs without a user while the database has no account at all

    def describe(self) -> str:
        if self.kind != "user":
            return self.kind
        return " or ".join(sorted(p.value for p in self.any_of)) or "any signed-in user"


SERVICE = Rule("service")
CONSOLE = Rule("console")


def needs(*permissions: Permission, without_accounts: bool = False) -> Rule:
    return Rule("user", frozenset(permissions), without_accounts)


RULES: dict[str, Rule] = {
    "doctor": SERVICE,
    "sim": SERVICE,  # `sim --register` writes the catalogue: see rule_for()
    "hub": SERVICE,
    "wall-node": SERVICE,
    "wall-controller": SERVICE,
    "console": CONSOLE,
    "cameras": needs(_P.CAMERA_ADMIN),
    "db": needs(_P.CAMERA_ADMIN, _P.USER_ADMIN, without_accounts=True),
    "users": needs(_P.USER_ADMIN),
    "wall": needs(_P.WALL),
    "ptz": needs(_P.PTZ),
    "journal": needs(_P.JOURNAL_WRITE),
    "bookmarks": needs(_P.JOURNAL_WRITE),
    "audit": needs(_P.AUDIT_READ),
}

# (command, action) -> rule, where an action differs from its command's rule.
ACTION_RULES: dict[tuple[str, str], Rule] = {
    ("cameras", "list"): needs(_P.CAMERA_ADMIN, _P.LIVE_VIEW),
    ("cameras", "show"): needs(_P.CAMERA_ADMIN, _P.LIVE_VIEW),
    ("users", "add"): needs(_P.USER_ADMIN, without_accounts=True),  # the first administrator
    ("users", "passwd"): needs(),  # one's own password; another's needs user-admin (the handler)
    # Which workstations and wall PCs may talk to the wall controller: technical administration,
    # possible before the first account exists (installers set the wall up).
    # Keys live in the local user's own key folder: whoever can write there already controls this
    # machine's wall processes, and a wall PC may have no database access to sign in with.
    ("wall", "keys"): SERVICE,
    # Purging the audit trail is a retention act of the administrator; the DPO only reads it.
    ("audit", "purge"): needs(_P.RETENTION),
}

_listener_factories: list[Callable[[Database], AccountListener]] = []

# The cost of the passwords the CLI hashes (tests lower it for speed; stored hashes keep their own).
HASH_PARAMS: ScryptParams = DEFAULT_PARAMS


def add_listener_factory(factory: Callable[[Database], AccountListener]) -> None:
    """Every CLI session's account events also go to ``factory(database)`` (e.g. the audit trail)."""
    _listener_factories.append(factory)


def cli_workstation() -> str:
    """Where a CLI command acts from, as every record of it names it (journal, audit, PTZ, accounts)."""
    return f"cli@{socket.gethostname()}"[:64]


def account_service(database: Database) -> AccountService:
    """The account service of a command, with the registered listeners."""
    from vmwall.store import AccountRepository

    return AccountService(
        AccountRepository(database),
        params=HASH_PARAMS,
        listeners=[factory(database) for factory in _listener_factories],
        workstation=cli_workstation(),
    )


def action_of(args: argparse.Namespace) -> str | None:
    command = str(getattr(args, "command", "") or "")
    action = getattr(args, f"{command.replace('-', '_')}_action", None)
    return str(action) if action else None


def command_words(args: argparse.Namespace) -> str:
    return " ".join(w for w in ("vmwall", getattr(args, "command", None), action_of(args)) if w)


def rule_for(args: argparse.Namespace) -> Rule | None:
    command = str(getattr(args, "command", "") or "")
    if command == "sim" and getattr(args, "register", False):
        return needs(_P.CAMERA_ADMIN)
    action = action_of(args)
    if action is not None and (command, action) in ACTION_RULES:
        return ACTION_RULES[(command, action)]
    return RULES.get(command)


@dataclass
class _State:
    database: Database
    service: AccountService
    session: Session | None


def authorise_command(args: argparse.Namespace) -> Session | None:
    """Sign in the user of this command and check its right; sets ``args.session``. Raises
    UserFacingError (exit 77) when refused. None: a service command, or the bootstrap."""
    args.session = None
    rule = rule_for(args)
    if rule is None:
        raise UserFacingError(
            f"`{command_words(args)}` has no access rule (a vmwall defect: see vmwall/commands/_auth.py)",
            exit_code=EXIT_NOT_ALLOWED,
        )
    if rule.kind in ("service", "console"):
        return None
    database = _open(args)
    try:
        service = account_service(database)
        if not _accounts_ready(database, service):
            if rule.without_accounts:
                database.close()
                return None
            raise UserFacingError(
                f"`{command_words(args)}` needs a signed-in user, and no account exists yet: create the first"
                " administrator with `vmwall users add LOGIN --role administrateur --password-stdin`",
                exit_code=EXIT_NOT_ALLOWED,
            )
        login, password = _credentials(args)
        session = service.login(login, password)
        args._auth = _State(database, service, session)
        args.session = session
        if rule.any_of and not session.permissions & rule.any_of:
            raise PermissionDeniedError(
                f"{session.login} ({ROLE_LABELS[session.user.role]}) may not run `{command_words(args)}`:"
                f" it needs the {rule.describe()} right"
                + (f" ({session.problem.value})" if session.problem else "")
            )
        log.info("%s runs %s", session.login, command_words(args))
        return session
    except BaseException:
        finish(args)
        database.close()
        raise


def finish(args: argparse.Namespace) -> None:
    """End the command's session (recorded) and release the database. Idempotent."""
    state: _State | None = getattr(args, "_auth", None)
    args._auth = None
    if state is None:
        return
    try:
        if state.session is not None:
            state.service.logout(state.session, SessionEnd.CLOSED, command_words(args))
    except Exception as error:  # the command is done: its logout record must not turn it into a failure
        log.warning("could not record the end of a CLI session: %s", error)
    finally:
        state.database.close()


def session_of(args: argparse.Namespace) -> Session | None:
    """The signed-in user of this command (None: a service command or the bootstrap)."""
    session = getattr(args, "session", None)
    return session if isinstance(session, Session) else None


def acting_login(args: argparse.Namespace) -> str | None:
    session = session_of(args)
    return session.login if session else None


def _open(args: argparse.Namespace) -> Database:
    from vmwall.store import Database, open_database

    if getattr(args, "command", None) == "db":
        # `vmwall db` manages the schema itself: look, do not migrate.
        from vmwall.store.db import resolve_database_url

        database = Database(resolve_database_url(getattr(args, "db", None)))
        try:
            database.ping()
        except BaseException:
            database.close()
            raise
        return database
    return open_database(getattr(args, "db", None))


def _accounts_ready(database: Database, service: AccountService) -> bool:
    from vmwall.store import AccountRepository

    return AccountRepository(database).ready() and service.has_accounts()


def open_terminal() -> TextIO | None:
    """The controlling terminal to ask on, or None (a script, a service, a pipe without a terminal)."""
    if sys.stdin is not None and sys.stdin.isatty():
        return sys.stdin
    try:
        return open("/dev/tty", encoding="utf-8")
    except OSError:
        return None


def _credentials(args: argparse.Namespace) -> tuple[str, str]:
    login = os.environ.get(ENV_USER, "").strip()
    password = os.environ.get(ENV_PASSWORD)
    if login and password is not None:
        return login, password
    terminal = open_terminal()
    if terminal is None:
        raise UserFacingError(
            f"`{command_words(args)}` needs a signed-in user: set {ENV_USER} and {ENV_PASSWORD}"
            " (no terminal to ask on)",
            exit_code=EXIT_NOT_ALLOWED,
        )
    try:
        if not login:
            sys.stderr.write("vmwall login: ")
            sys.stderr.flush()
            login = terminal.readline().strip()
        if password is None:
            password = getpass.getpass(f"Password of {login}: ")
    finally:
        if terminal is not sys.stdin:
            terminal.close()
    if not login:
        raise UserFacingError("no login given", exit_code=EXIT_NOT_ALLOWED)
    return login, password
