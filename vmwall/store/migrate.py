"""Schema migrations, run programmatically: no alembic.ini, works from an installed wheel."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Connection, inspect, text

from vmwall.store.db import Database
from vmwall.store.errors import SchemaError
from vmwall.store.tables import metadata

MIGRATIONS_DIR = Path(__file__).resolve().with_name("migrations")

# Serialises concurrent upgrades of one PostgreSQL database (two consoles starting at once).
_PG_MIGRATION_LOCK = 0x766D_7761_6C6C  # "vmwall"


def _config(connection: Connection | None = None) -> Config:
    config = Config()
    # ConfigParser interpolation: a literal % in the path must be doubled.
    config.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
    config.attributes["connection"] = connection
    return config


def _scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(_config())


def head_revision() -> str:
    """The newest revision this version of vmwall knows."""
    head = _scripts().get_current_head()
    if head is None:
        raise SchemaError(f"no migration found in {MIGRATIONS_DIR}")
    return head


def _current(connection: Connection) -> tuple[str, ...]:
    return tuple(MigrationContext.configure(connection).get_current_heads())


def current_revisions(database: Database) -> tuple[str, ...]:
    """The revisions the database is at: () for an empty database, usually one."""
    with database.connect() as connection:
        return _current(connection)


def _check_known(database: Database, connection: Connection) -> tuple[str, ...]:
    revisions = _current(connection)
    scripts = _scripts()
    for revision in revisions:
        try:
            scripts.get_revision(revision)
        except CommandError:
            raise SchemaError(
                f"the database {database.display_url} is at schema revision {revision}, which this version"
                " of vmwall does not know: it was upgraded by a newer vmwall; upgrade vmwall"
            ) from None
    if not revisions:
        ours = set(metadata.tables) & set(inspect(connection).get_table_names())
        if ours:
            raise SchemaError(
                f"the database {database.display_url} has vmwall tables ({', '.join(sorted(ours))})"
                " but no schema revision: it was not created by vmwall's migrations"
            )
    return revisions


@contextmanager
def _migrating(database: Database) -> Iterator[Connection]:
    with database.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_MIGRATION_LOCK})
        _check_known(database, connection)
        yield connection


def upgrade(database: Database, revision: str = "head") -> None:
    """Migrate the schema up to ``revision`` in one transaction (rolled back if any step fails)."""
    with _migrating(database) as connection:
        try:
            command.upgrade(_config(connection), revision)
        except CommandError as error:
            raise SchemaError(f"cannot upgrade {database.display_url} to {revision}: {error}") from None


def downgrade(database: Database, revision: str) -> None:
    """Migrate the schema down to ``revision`` ("base" drops every table). Loses data."""
    with _migrating(database) as connection:
        try:
            command.downgrade(_config(connection), revision)
        except CommandError as error:
            raise SchemaError(f"cannot downgrade {database.display_url} to {revision}: {error}") from None


def check_schema(database: Database) -> None:
    """SchemaError unless the database is exactly at this version's head revision."""
    head = head_revision()
    with database.connect() as connection:
        revisions = _check_known(database, connection)
    if revisions != (head,):
        found = ", ".join(revisions) or "an empty schema"
        raise SchemaError(
            f"the database {database.display_url} is at {found}, this version of vmwall needs revision"
            f" {head}: run `vmwall db upgrade`"
        )
