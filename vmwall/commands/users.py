"""`vmwall users`: named accounts (add, list, show, grant, revoke, update, suspend, deactivate,
reactivate, passwd).

Every action needs the user-admin right, except ``passwd`` for one's own password and the very first
``add`` on a database without accounts (an administrator, created without login). Passwords are read
from standard input (``--password-stdin``) or asked twice on the terminal; they never appear on a
command line, in a log or in the database (scrypt hashes only).
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from typing import Any

from vmwall.errors import UserFacingError
from vmwall.model.user import ROLE_LABELS, AgrementStatus, Role, User, parse_role

_ROLE_HELP = (
    "operateur, chef-de-salle, policier-municipal, referent-requisitions, administrateur, dpo"
    " (or their French names: « chef de salle », « référent réquisitions »…)"
)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "users",
        help="named accounts: add, list, show, grant, revoke, update, suspend, reactivate, passwd...",
        description="Manage the named accounts (user-admin right). On a database without any account,"
        " `vmwall users add LOGIN --role administrateur --password-stdin` creates the first administrator"
        " without login. The acting user comes from $VMWALL_USER and $VMWALL_PASSWORD, else the terminal.",
    )
    actions = parser.add_subparsers(dest="users_action", metavar="ACTION", required=True)

    add = actions.add_parser("add", help="create an account")
    add.add_argument("login", metavar="LOGIN", help="one word, unique: one account per person")
    add.add_argument("--role", required=True, type=_role, metavar="ROLE", help=_ROLE_HELP)
    _add_account_options(add)
    _add_password_stdin(add)
    add.set_defaults(handler=_add)

    lst = actions.add_parser("list", help="every account, its role, scope and whether it may sign in today")
    lst.add_argument("--json", action="store_true", help="print a JSON array")
    lst.set_defaults(handler=_list)

    show = actions.add_parser("show", help="every field of one account (never its password)")
    show.add_argument("login", metavar="LOGIN")
    show.add_argument("--json", action="store_true", help="print a JSON object")
    show.set_defaults(handler=_show)

    grant = actions.add_parser(
        "grant",
        help="give an account a role and/or communes",
        description="Change the role and/or widen"
        " the commune scope of an account. An account with no commune sees every commune.",
    )
    grant.add_argument("login", metavar="LOGIN")
    grant.add_argument("--role", type=_role, metavar="ROLE", help=_ROLE_HELP)
    grant.add_argument(
        "--commune", action="append", default=[], metavar="NAME", help="add a commune to the scope (repeat)"
    )
    grant.add_argument("--all-communes", action="store_true", help="clear the scope: every commune")
    grant.set_defaults(handler=_grant)

    revoke = actions.add_parser("revoke", help="remove communes from an account's scope")
    revoke.add_argument("login", metavar="LOGIN")
    revoke.add_argument("--commune", action="append", required=True, metavar="NAME", help="(repeat)")
    revoke.set_defaults(handler=_revoke)

    update = actions.add_parser(
        "update",
        help="change an account's name, employer, scope, validity, agrément, training or charter dates",
        description="Dates are YYYY-MM-DD; 'none' clears one. Giving --agrement-ref or --agrement-until"
        " (re)activates the agrément.",
    )
    update.add_argument("login", metavar="LOGIN")
    _add_account_options(update, updating=True)
    update.set_defaults(handler=_update)

    suspend = actions.add_parser(
        "suspend", help="suspend an account's agrément: its images stop at once, open sessions included"
    )
    suspend.add_argument("login", metavar="LOGIN")
    suspend.add_argument("--reason", default="", help="why (recorded in the audit trail)")
    suspend.set_defaults(handler=_suspend)

    deactivate = actions.add_parser("deactivate", help="close an account (it can no longer sign in)")
    deactivate.add_argument("login", metavar="LOGIN")
    deactivate.add_argument("--reason", default="", help="why (recorded in the audit trail)")
    deactivate.set_defaults(handler=_deactivate)

    reactivate = actions.add_parser(
        "reactivate", help="reopen an account, lift a suspended agrément and forget wrong passwords"
    )
    reactivate.add_argument("login", metavar="LOGIN")
    reactivate.set_defaults(handler=_reactivate)

    passwd = actions.add_parser(
        "passwd", help="change a password (your own, or anyone's with the user-admin right)"
    )
    passwd.add_argument("login", metavar="LOGIN", nargs="?", help="default: your own account")
    _add_password_stdin(passwd)
    passwd.set_defaults(handler=_passwd)


def _add_account_options(parser: argparse.ArgumentParser, *, updating: bool = False) -> None:
    date_type = _optional_date if updating else _date
    parser.add_argument("--full-name", metavar="TEXT", help="first and last name (default: the login)")
    parser.add_argument("--employer", metavar="TEXT", help="the employer (a commune, the metropolis...)")
    if updating:
        parser.add_argument(
            "--commune",
            action="append",
            metavar="NAME",
            help="set the commune scope to exactly these (repeat)",
        )
        parser.add_argument("--all-communes", action="store_true", help="clear the scope: every commune")
    else:
        parser.add_argument(
            "--commune",
            action="append",
            default=[],
            metavar="NAME",
            help="commune scope (repeat; default all)",
        )
    parser.add_argument(
        "--valid-from", type=date_type, metavar="DATE", help="first day the account may sign in"
    )
    parser.add_argument(
        "--valid-until", type=date_type, metavar="DATE", help="last day the account may sign in"
    )
    parser.add_argument("--agrement-ref", metavar="REF", help="reference of the préfet's agrément")
    parser.add_argument("--agrement-until", type=date_type, metavar="DATE", help="last day of the agrément")
    parser.add_argument("--training", type=date_type, metavar="DATE", help="date of the training")
    parser.add_argument("--charter", type=date_type, metavar="DATE", help="date the user charter was signed")


def _add_password_stdin(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the new password from the first line of standard input (else asked twice on the terminal)",
    )


# --- handlers -------------------------------------------------------------------------------------


def _add(args: argparse.Namespace) -> int:
    from vmwall.accounts import access_problem, describe
    from vmwall.commands._auth import account_service, session_of
    from vmwall.store import open_database

    password = _new_password(args, args.login)
    with open_database(args.db) as database:
        communes = _commune_ids(database, args.commune)
        agrement = args.agrement_ref is not None
        if args.agrement_until is not None and not agrement:
            raise UserFacingError("--agrement-until needs --agrement-ref", exit_code=2)
        user = _user(
            lambda: User(
                args.login,
                args.full_name or args.login,
                args.role,
                employer=args.employer or "",
                communes=communes,
                valid_from=args.valid_from,
                valid_until=args.valid_until,
                agrement_ref=args.agrement_ref,
                agrement_expiry=args.agrement_until,
                agrement_status=AgrementStatus.ACTIVE if agrement else None,
                training_date=args.training,
                charter_date=args.charter,
            )
        )
        service = account_service(database)
        session = session_of(args)
        created = (
            service.bootstrap(user, password)
            if session is None
            else service.create_user(session, user, password)
        )
        print(f"added {created.login!r} ({ROLE_LABELS[created.role]}, {_scope_words(database, created)})")
        if session is None:
            print("  first administrator: from now on every command needs a signed-in user")
        problem = access_problem(created, service.today())
        if problem is not None:
            print(
                f"  note: {describe(problem, created.login)}: it cannot sign in (or see images) until fixed"
            )
    return 0


def _list(args: argparse.Namespace) -> int:
    from vmwall.commands._auth import account_service, session_of
    from vmwall.store import open_database

    with open_database(args.db) as database:
        service = account_service(database)
        accounts = service.list_users(session_of(args))
        names = _commune_names(database)
        rows = [_account_json(a, names, service.today()) for a in accounts]
    if args.json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return 0
    if not rows:
        print("no accounts")
        return 0
    table = [
        (
            r["login"],
            r["full_name"],
            r["role"],
            ", ".join(r["communes"]) or "all",
            (r["agrement"] or {}).get("status", "-") if r["agrement"] else "-",
            r["access"],
        )
        for r in rows
    ]
    print(_table(("LOGIN", "NAME", "ROLE", "COMMUNES", "AGRÉMENT", "ACCESS"), table))
    return 0


def _show(args: argparse.Namespace) -> int:
    from vmwall.commands._auth import account_service, session_of
    from vmwall.store import open_database

    with open_database(args.db) as database:
        service = account_service(database)
        account = service.get_user(session_of(args), args.login)
        fields = _account_json(account, _commune_names(database), service.today())
    if args.json:
        print(json.dumps(fields, indent=2, ensure_ascii=False))
        return 0
    flat = {k: v for k, v in fields.items() if k != "agrement"}
    agrement = fields["agrement"] or {}
    flat["agrement"] = " ".join(f"{k}={v}" for k, v in agrement.items()) or None
    flat["communes"] = ", ".join(fields["communes"]) or "all"
    flat["permissions"] = ", ".join(fields["permissions"])
    width = max(len(k) for k in flat)
    for key, value in flat.items():
        print(f"{key:<{width}}  {'-' if value is None else value}")
    return 0


def _change(args: argparse.Namespace, change: Any, verb: str) -> int:
    """Apply ``change(user, database) -> User`` to the account and store it."""
    from vmwall.commands._auth import account_service, session_of
    from vmwall.store import open_database

    with open_database(args.db) as database:
        service = account_service(database)
        session = session_of(args)
        before = service.get_user(session, args.login).user
        after = _user(lambda: change(before, database))
        stored = service.update_user(session, after)
        print(f"{verb} {stored.login!r}: {ROLE_LABELS[stored.role]}, {_scope_words(database, stored)}")
    return 0


def _grant(args: argparse.Namespace) -> int:
    if args.role is None and not args.commune and not args.all_communes:
        raise UserFacingError("grant what? give --role, --commune or --all-communes", exit_code=2)
    if args.commune and args.all_communes:
        raise UserFacingError("--commune and --all-communes contradict each other", exit_code=2)

    def change(user: User, database: Any) -> User:
        communes = frozenset() if args.all_communes else user.communes | _commune_ids(database, args.commune)
        if args.commune and not user.communes:
            raise UserFacingError(
                f"{user.login!r} already sees every commune; to restrict it to some, set its scope with"
                f" `vmwall users update {user.login} --commune NAME`",
                exit_code=2,
            )
        return replace(user, role=args.role or user.role, communes=communes)

    return _change(args, change, "granted")


def _revoke(args: argparse.Namespace) -> int:
    def change(user: User, database: Any) -> User:
        removed = _commune_ids(database, args.commune)
        missing = removed - user.communes
        if not user.communes:
            raise UserFacingError(f"{user.login!r} has no commune scope (it sees every commune)", exit_code=2)
        if missing:
            raise UserFacingError(f"{user.login!r} does not have these communes in its scope", exit_code=2)
        left = user.communes - removed
        if not left:
            raise UserFacingError(
                f"removing the last commune of {user.login!r} would let it see every commune:"
                " grant another commune first, or deactivate the account",
                exit_code=2,
            )
        return replace(user, communes=left)

    return _change(args, change, "revoked from")


def _update(args: argparse.Namespace) -> int:
    def pick(value: Any, current: Any) -> Any:
        if value is None:
            return current
        return None if value is _CLEAR else value

    if args.commune and args.all_communes:
        raise UserFacingError("--commune and --all-communes contradict each other", exit_code=2)

    def change(user: User, database: Any) -> User:
        communes = user.communes
        if args.commune:
            communes = _commune_ids(database, args.commune)
        elif args.all_communes:
            communes = frozenset()
        agrement_ref = pick(args.agrement_ref, user.agrement_ref)
        renewed = args.agrement_ref is not None or args.agrement_until is not None
        status = user.agrement_status
        if renewed:
            status = AgrementStatus.ACTIVE if agrement_ref else None
        return replace(
            user,
            full_name=args.full_name or user.full_name,
            employer=user.employer if args.employer is None else args.employer,
            communes=communes,
            valid_from=pick(args.valid_from, user.valid_from),
            valid_until=pick(args.valid_until, user.valid_until),
            agrement_ref=agrement_ref,
            agrement_expiry=pick(args.agrement_until, user.agrement_expiry),
            agrement_status=status,
            training_date=pick(args.training, user.training_date),
            charter_date=pick(args.charter, user.charter_date),
        )

    return _change(args, change, "updated")


def _suspend(args: argparse.Namespace) -> int:
    from vmwall.commands._auth import account_service, session_of
    from vmwall.store import open_database

    with open_database(args.db) as database:
        user = account_service(database).suspend_agrement(session_of(args), args.login, args.reason)
    print(f"suspended the agrément of {user.login!r}: its live view ends within a minute on every console")
    return 0


def _deactivate(args: argparse.Namespace) -> int:
    from vmwall.commands._auth import account_service, session_of
    from vmwall.store import open_database

    with open_database(args.db) as database:
        user = account_service(database).deactivate(session_of(args), args.login, args.reason)
    print(
        f"deactivated {user.login!r}: it can no longer sign in; open consoles lose its rights within a minute"
    )
    return 0


def _reactivate(args: argparse.Namespace) -> int:
    from vmwall.accounts import access_problem, describe
    from vmwall.commands._auth import account_service, session_of
    from vmwall.store import open_database

    with open_database(args.db) as database:
        service = account_service(database)
        user = service.reactivate(session_of(args), args.login)
        problem = access_problem(user, service.today())
    print(f"reactivated {user.login!r}")
    if problem is not None:
        print(f"  note: {describe(problem, user.login)}")
    return 0


def _passwd(args: argparse.Namespace) -> int:
    from vmwall.commands._auth import account_service, session_of
    from vmwall.store import open_database

    session = session_of(args)
    login = args.login or (session.login if session else None)
    if login is None:
        raise UserFacingError("whose password? give the login", exit_code=2)
    password = _new_password(args, login)
    with open_database(args.db) as database:
        account_service(database).set_password(session, login, password)
    print(f"password of {login!r} changed")
    return 0


# --- helpers --------------------------------------------------------------------------------------


class _Clear:
    def __repr__(self) -> str:
        return "none"


_CLEAR: Any = _Clear()


def _role(text: str) -> Role:
    from vmwall.model.errors import ValidationError

    try:
        return parse_role(text)
    except ValidationError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def _optional_date(text: str) -> Any:
    return _CLEAR if text.strip().casefold() in ("none", "-", "") else _date(text)


def _user(build: Any) -> User:
    from vmwall.model.errors import ValidationError

    try:
        user: User = build()
    except ValidationError as error:
        raise UserFacingError(str(error), exit_code=2) from None
    return user


def _new_password(args: argparse.Namespace, login: str) -> str:
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise UserFacingError("--password-stdin: the first line of standard input is empty", exit_code=2)
        return password
    if sys.stdin is not None and sys.stdin.isatty():
        first = getpass.getpass(f"New password of {login}: ")
        if first != getpass.getpass("Again: "):
            raise UserFacingError("the two passwords differ", exit_code=2)
        return first
    raise UserFacingError("no terminal to ask for the password: pass --password-stdin", exit_code=2)


def _commune_ids(database: Any, names: Sequence[str]) -> frozenset[int]:
    from vmwall.store import CommuneRepository

    repository = CommuneRepository(database)
    ids: set[int] = set()
    for name in names:
        commune = repository.get_by_name(name.strip()) or repository.get_by_insee(name.strip())
        if commune is None or commune.id is None:
            known = (
                ", ".join(c.name for c in repository.list()) or "none yet (vmwall cameras add creates them)"
            )
            raise UserFacingError(f"--commune: no commune {name!r} (communes: {known})", exit_code=2)
        ids.add(commune.id)
    return frozenset(ids)


def _commune_names(database: Any) -> dict[int, str]:
    from vmwall.store import CommuneRepository

    return {c.id: c.name for c in CommuneRepository(database).list() if c.id is not None}


def _scope_words(database: Any, user: User) -> str:
    if not user.communes:
        return "every commune"
    names = _commune_names(database)
    return "communes " + ", ".join(sorted(names.get(c, str(c)) for c in user.communes))


def _iso(value: Any) -> str | None:
    return None if value is None else value.isoformat()


def _account_json(account: Any, names: dict[int, str], today: date) -> dict[str, Any]:
    from vmwall.accounts import access_problem

    user: User = account.user
    problem = access_problem(user, today)
    return {
        "login": user.login,
        "full_name": user.full_name,
        "role": user.role.value,
        "role_label": ROLE_LABELS[user.role],
        "employer": user.employer,
        "communes": sorted(names.get(c, str(c)) for c in user.communes),
        "valid_from": _iso(user.valid_from),
        "valid_until": _iso(user.valid_until),
        "agrement": None
        if user.agrement_ref is None and user.agrement_status is None
        else {
            "ref": user.agrement_ref,
            "until": _iso(user.agrement_expiry),
            "status": user.agrement_status.value if user.agrement_status else None,
        },
        "training_date": _iso(user.training_date),
        "charter_date": _iso(user.charter_date),
        "active": user.active,
        "access": problem.value if problem else "ok",
        "permissions": sorted(p.value for p in user.permissions),
        "last_login_at": _iso(account.last_login_at),
        "password_changed_at": _iso(account.password_changed_at),
        "failed_logins": account.failed_logins,
        "has_password": account.password_hash is not None,
    }


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    return "\n".join(
        "  ".join(str(cell).ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in [header, *rows]
    )
