"""Alembic environment: runs on the connection vmwall.store.migrate hands over.

Run from the command line (``alembic -c vmwall/store/migrations/alembic.ini revision
--autogenerate -m "..."``) it connects to the database vmwall would use.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from vmwall.store.tables import metadata
from vmwall.store.tables_journal import include_in_schema_comparison


def _run_on(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        # SQLite cannot ALTER most things: batch mode recreates the table.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_object=include_in_schema_comparison,
    )
    with context.begin_transaction():
        context.run_migrations()


def _run_standalone() -> None:
    from vmwall.store.db import Database, resolve_database_url

    database = Database(resolve_database_url(context.config.get_main_option("sqlalchemy.url")))
    try:
        with database.connect() as connection:
            _run_on(connection)
    finally:
        database.close()


def _run_offline() -> None:
    context.configure(
        url=context.config.get_main_option("sqlalchemy.url"),
        target_metadata=metadata,
        literal_binds=True,
    )
    with context.begin_transaction():
        context.run_migrations()


_connection = context.config.attributes.get("connection")
if context.is_offline_mode():
    _run_offline()
elif isinstance(_connection, Connection):
    _run_on(_connection)
else:
    _run_standalone()
