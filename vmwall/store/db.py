"""Where the database is, and how to talk to it: URL resolution, engine, sessions.

SQLite (a file in the user data directory) is the embedded default; PostgreSQL serves a centre with
several workstations. Both get the same schema (Alembic, see ``vmwall.store.migrate``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Any

import platformdirs
from sqlalchemy import Engine, create_engine, event, exc, make_url
from sqlalchemy.engine import URL, Connection
from sqlalchemy.orm import Session, sessionmaker

from vmwall.store.errors import DatabaseUnavailableError, StoreError, redact_database_url

ENV_DB_URL = "VMWALL_DB_URL"
ENV_DATA_DIR = "VMWALL_DATA_DIR"
SQLITE_FILENAME = "vmwall.sqlite3"
CONNECT_TIMEOUT_S = 5
SQLITE_BUSY_TIMEOUT_MS = 5_000

# URL schemes accepted from the user, and the SQLAlchemy driver each one maps to.
_SCHEMES = {
    "sqlite": "sqlite",
    "sqlite+pysqlite": "sqlite",
    "postgresql": "postgresql+psycopg",
    "postgres": "postgresql+psycopg",
    "postgresql+psycopg": "postgresql+psycopg",
}

# Execution option telling the SQLite "begin" hook which BEGIN to emit.
_SQLITE_BEGIN = "vmwall_sqlite_begin"


def default_sqlite_path() -> Path:
    """The embedded database file: ``$VMWALL_DATA_DIR`` if set, else the user data directory."""
    override = os.environ.get(ENV_DATA_DIR, "").strip()
    base = Path(override).expanduser() if override else Path(platformdirs.user_data_dir("vmwall"))
    return base.absolute() / SQLITE_FILENAME


def resolve_database_url(explicit: str | None) -> str:
    """The database URL to use: ``explicit`` (``--db``), else ``$VMWALL_DB_URL``, else the SQLite file.

    A plain path (no ``scheme://``) means a SQLite file. ``postgresql://`` and ``postgres://`` map
    to the psycopg 3 driver. Any other scheme is refused with a StoreError.
    """
    for candidate in (explicit, os.environ.get(ENV_DB_URL)):
        if candidate is not None and candidate.strip():
            return _normalise_url(candidate.strip())
    return _sqlite_url(default_sqlite_path())


def _sqlite_url(path: Path) -> str:
    return f"sqlite:///{path.as_posix()}"


def _normalise_url(raw: str) -> str:
    if "://" not in raw:
        return _sqlite_url(Path(raw).expanduser().absolute())
    scheme, rest = raw.split("://", 1)
    driver = _SCHEMES.get(scheme.lower())
    if driver is None:
        raise StoreError(
            f"unsupported database URL {redact_database_url(raw)}: use sqlite:///PATH or postgresql://USER@HOST/NAME"
        )
    url = f"{driver}://{rest}"
    try:
        make_url(url)
    except exc.ArgumentError:
        raise StoreError(f"malformed database URL {redact_database_url(raw)}") from None
    return url


def connection_failure_reason(error: exc.DBAPIError) -> str:
    """The driver's own words for a failure, on one line, without SQLAlchemy's boilerplate."""
    original = error.orig if error.orig is not None else error
    text = " ".join(str(original).split())
    return text[:400] or type(original).__name__


class Database:
    """An engine plus a session factory. Creating it does no I/O; ``ping()`` checks the connection.

    Sessions are for the store's repositories: ORM rows never leave ``vmwall.store``.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self.display_url = redact_database_url(url)
        sa_url = make_url(url)
        self.dialect = sa_url.get_backend_name()
        self._password = sa_url.password if isinstance(sa_url.password, str) else None
        if self.dialect == "sqlite":
            _create_parent_dir(sa_url)
            self.engine = create_engine(sa_url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
            _install_sqlite_hooks(self.engine)
            # Writers take the write lock at BEGIN, so busy_timeout applies instead of SQLITE_BUSY
            # at the first write of a transaction that started by reading.
            write_engine: Engine = self.engine.execution_options(**{_SQLITE_BEGIN: "IMMEDIATE"})
        elif self.dialect == "postgresql":
            self.engine = create_engine(
                sa_url,
                connect_args={"connect_timeout": CONNECT_TIMEOUT_S, "application_name": "vmwall"},
                pool_pre_ping=True,
            )
            write_engine = self.engine
        else:
            raise StoreError(f"unsupported database {self.display_url}")
        self._write_engine = write_engine
        self._write_sessions = sessionmaker(bind=write_engine, expire_on_commit=False)
        self._read_sessions = sessionmaker(bind=self.engine, expire_on_commit=False)
        self._closed = False

    def unavailable(self, error: exc.DBAPIError) -> DatabaseUnavailableError:
        """Translate a driver failure into the error shown to the user."""
        secrets = (self._password,) if self._password else ()
        return DatabaseUnavailableError(self.url, connection_failure_reason(error), secrets)

    def ping(self) -> None:
        """Open a connection and run a trivial query; DatabaseUnavailableError if that fails."""
        try:
            with self.engine.connect() as connection:
                connection.exec_driver_sql("SELECT 1")
        except exc.DBAPIError as error:
            raise self.unavailable(error) from None

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        """A connection in a write transaction, committed on success (used by migrations)."""
        try:
            with self._write_engine.begin() as connection:
                yield connection
        except (exc.OperationalError, exc.InterfaceError) as error:
            raise self.unavailable(error) from None

    @contextmanager
    def session(self, *, write: bool = True) -> Iterator[Session]:
        """A session in one transaction: committed when the block ends, rolled back on any error."""
        factory = self._write_sessions if write else self._read_sessions
        session = factory()
        try:
            yield session
            session.commit()
        except (exc.OperationalError, exc.InterfaceError) as error:
            raise self.unavailable(error) from None
        except exc.IntegrityError as error:
            raise StoreError(f"the database refused the change: {connection_failure_reason(error)}") from None
        finally:
            session.close()

    def close(self) -> None:
        """Release every pooled connection. Idempotent."""
        if not self._closed:
            self._closed = True
            self.engine.dispose()

    def __enter__(self) -> Database:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc_value: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Database({self.display_url!r})"


def open_database(url: str | None = None, *, upgrade: bool = True) -> Database:
    """Connect to the database (``url`` resolved as ``resolve_database_url``) and check its schema.

    ``upgrade=True`` migrates the schema to the newest revision; ``upgrade=False`` only checks
    that it is already there (SchemaError otherwise). DatabaseUnavailableError if unreachable.
    """
    from vmwall.store import migrate  # migrate imports this module

    database = Database(resolve_database_url(url))
    try:
        database.ping()
        if upgrade:
            migrate.upgrade(database)
        else:
            migrate.check_schema(database)
    except BaseException:
        database.close()
        raise
    return database


def _create_parent_dir(url: URL) -> None:
    path = url.database
    if not path or path == ":memory:" or path.startswith("file:"):
        return
    try:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise DatabaseUnavailableError(
            str(url), f"cannot create the directory of {path}: {error.strerror}"
        ) from None


def _install_sqlite_hooks(engine: Engine) -> None:
    # pysqlite's own transaction handling skips BEGIN before DDL and breaks SAVEPOINT; take over
    # (the recipe of the SQLAlchemy SQLite dialect documentation).
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        mode = connection.get_execution_options().get(_SQLITE_BEGIN, "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")
