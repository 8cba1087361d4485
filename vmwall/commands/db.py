"""`vmwall db`: the database schema (upgrade, downgrade, current revision) and the URL in use."""

from __future__ import annotations

import argparse
import sys

from vmwall.errors import UserFacingError
from vmwall.store import migrate
from vmwall.store.db import Database, resolve_database_url
from vmwall.store.errors import SchemaError, redact_database_url


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "db",
        help="database schema: upgrade, downgrade, current revision, URL",
        description="Manage the database schema. The database is --db, else $VMWALL_DB_URL, else the"
        " SQLite file in the user data directory.",
    )
    actions = parser.add_subparsers(dest="db_action", metavar="ACTION", required=True)

    upgrade = actions.add_parser("upgrade", help="migrate the schema up (to the newest revision by default)")
    upgrade.add_argument("revision", nargs="?", default="head", help="target revision (default: head)")
    upgrade.set_defaults(handler=_upgrade)

    downgrade = actions.add_parser("downgrade", help="migrate the schema down to REV (deletes data)")
    downgrade.add_argument("revision", metavar="REV", help='target revision; "base" drops every table')
    downgrade.add_argument("--yes", action="store_true", help="confirm: the data the revisions held is lost")
    downgrade.set_defaults(handler=_downgrade)

    current = actions.add_parser(
        "current",
        help="print the schema revision of the database; exit status 1 unless it is what vmwall needs",
    )
    current.set_defaults(handler=_current)

    url = actions.add_parser("url", help="print the database URL in use (password hidden)")
    url.set_defaults(handler=_url)


def _database(args: argparse.Namespace) -> Database:
    database = Database(resolve_database_url(args.db))
    try:
        database.ping()
    except BaseException:
        database.close()
        raise
    return database


def _describe(revisions: tuple[str, ...]) -> str:
    return ", ".join(revisions) or "none (empty schema)"


def _upgrade(args: argparse.Namespace) -> int:
    with _database(args) as database:
        before = migrate.current_revisions(database)
        migrate.upgrade(database, args.revision)
        after = migrate.current_revisions(database)
        print(f"{database.display_url}: schema {_describe(before)} -> {_describe(after)}")
    return 0


def _downgrade(args: argparse.Namespace) -> int:
    if not args.yes:
        raise UserFacingError(
            f"downgrading to {args.revision} deletes the data of the tables it removes; add --yes to confirm",
            exit_code=2,
        )
    with _database(args) as database:
        before = migrate.current_revisions(database)
        migrate.downgrade(database, args.revision)
        after = migrate.current_revisions(database)
        print(f"{database.display_url}: schema {_describe(before)} -> {_describe(after)}")
    return 0


def _current(args: argparse.Namespace) -> int:
    with _database(args) as database:
        revisions = migrate.current_revisions(database)
        try:
            migrate.check_schema(database)
        except SchemaError as error:
            print(f"{database.display_url}: schema {_describe(revisions)}")
            print(f"vmwall: {error}", file=sys.stderr)
            return 1
        print(f"{database.display_url}: schema {_describe(revisions)} (up to date)")
    return 0


def _url(args: argparse.Namespace) -> int:
    print(redact_database_url(resolve_database_url(args.db)))
    return 0
