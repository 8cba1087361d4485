"""The data store: the only package that imports SQLAlchemy or Alembic.

    from vmwall.store import open_database, CameraRepository
    with open_database() as db:             # $VMWALL_DB_URL, else the SQLite file; schema upgraded
        cameras = CameraRepository(db).list()

ORM rows never leave this package: repositories return vmwall.model objects.
"""

from vmwall.store.db import Database, default_sqlite_path, open_database, resolve_database_url
from vmwall.store.errors import (
    DatabaseUnavailableError,
    DuplicateError,
    NotFoundError,
    SchemaError,
    StoreError,
)
from vmwall.store.repositories import (
    CameraRepository,
    CommuneRepository,
    LayoutRepository,
    SavedViewRepository,
    UserRepository,
)

__all__ = [
    "CameraRepository",
    "CommuneRepository",
    "Database",
    "DatabaseUnavailableError",
    "DuplicateError",
    "LayoutRepository",
    "NotFoundError",
    "SavedViewRepository",
    "SchemaError",
    "StoreError",
    "UserRepository",
    "default_sqlite_path",
    "open_database",
    "resolve_database_url",
]
